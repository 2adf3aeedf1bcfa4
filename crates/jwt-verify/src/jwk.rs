//! JSON Web Keys (RFC 7517) as read from a client registration or a key file.

use serde::{Deserialize, Serialize};

use crate::b64;
use crate::error::KeyError;
use crate::{Algorithm, KeyFamily};

/// Longest accepted JWK member that is not key material (`kid`, `alg`, `use`), in bytes.
pub const MAX_JWK_MEMBER_LEN: usize = 256;

/// One JSON Web Key, as written; nothing is decoded or checked until a key is built from it.
///
/// Unknown members are ignored, as RFC 7517 section 4 requires.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `oct`, `RSA` or `EC`.
    #[serde(default)]
    pub kty: String,
    /// Intended use; when present it must be `sig`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Permitted operations; when present they must include the operation asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// The algorithm the key is meant for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Key identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// EC curve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// EC x coordinate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC y coordinate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// RSA modulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// Private exponent (RSA) or private scalar (EC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    /// RSA first prime factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    /// RSA second prime factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// RSA first factor CRT exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp: Option<String>,
    /// RSA second factor CRT exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dq: Option<String>,
    /// RSA first CRT coefficient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qi: Option<String>,
    /// Symmetric key value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<String>,
}

/// The operation a key is about to be used for, checked against `key_ops`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyOp {
    Verify,
    Sign,
}

impl Jwk {
    /// Parses one JWK from JSON.
    pub fn from_json(json: &str) -> Result<Self, KeyError> {
        // A derived struct would also read a JSON array by position.
        if !crate::json::is_object(json.as_bytes()) {
            return Err(KeyError::Json);
        }
        serde_json::from_str(json).map_err(|_| KeyError::Json)
    }

    /// True when the JWK carries private key material.
    #[must_use]
    pub fn is_private(&self) -> bool {
        self.d.is_some()
            || self.p.is_some()
            || self.q.is_some()
            || self.dp.is_some()
            || self.dq.is_some()
            || self.qi.is_some()
            || self.k.is_some()
    }

    /// The JWK with every private member removed (`oct` keys have no public part).
    #[must_use]
    pub fn to_public(&self) -> Jwk {
        Jwk {
            d: None,
            p: None,
            q: None,
            dp: None,
            dq: None,
            qi: None,
            k: None,
            ..self.clone()
        }
    }

    /// Checks `use`, `key_ops`, the member lengths and `alg` against the requested
    /// algorithm, and returns the one algorithm the key is bound to.
    pub(crate) fn bind(
        &self,
        requested: Option<Algorithm>,
        op: KeyOp,
    ) -> Result<Algorithm, KeyError> {
        if !matches!(self.kty.as_str(), "oct" | "RSA" | "EC") {
            return Err(KeyError::UnsupportedKeyType);
        }
        for member in [&self.kid, &self.alg, &self.use_].into_iter().flatten() {
            if member.len() > MAX_JWK_MEMBER_LEN {
                return Err(KeyError::MemberTooLong);
            }
        }
        if self.use_.as_ref().is_some_and(|u| u != "sig") {
            return Err(KeyError::NotForSignature);
        }
        if let Some(ops) = &self.key_ops {
            let want = match op {
                KeyOp::Verify => "verify",
                KeyOp::Sign => "sign",
            };
            if !ops.iter().any(|o| o == want) {
                return Err(KeyError::OperationNotAllowed);
            }
        }
        let own = match &self.alg {
            Some(a) => Some(
                a.parse::<Algorithm>()
                    .map_err(|_| KeyError::UnsupportedAlgorithm)?,
            ),
            None => None,
        };
        let alg = match (own, requested) {
            (Some(own), Some(req)) if own != req => return Err(KeyError::AlgorithmConflict),
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) if self.kty == "EC" && self.crv.as_deref() == Some("P-256") => {
                Algorithm::ES256
            }
            (None, None) => return Err(KeyError::AlgorithmMissing),
        };
        let fits = match (self.kty.as_str(), alg.family()) {
            ("oct", KeyFamily::Hmac) => true,
            ("RSA", KeyFamily::RsaPkcs1 | KeyFamily::RsaPss) => true,
            ("EC", KeyFamily::EcP256) => true,
            ("oct" | "RSA" | "EC", _) => false,
            _ => return Err(KeyError::UnsupportedKeyType),
        };
        if !fits {
            return Err(KeyError::AlgorithmKeyMismatch);
        }
        if self.kty == "EC" && self.crv.as_deref() != Some("P-256") {
            return Err(KeyError::UnsupportedCurve);
        }
        Ok(alg)
    }
}

/// Decodes a required base64url member.
pub(crate) fn member(value: Option<&String>) -> Result<Vec<u8>, KeyError> {
    let v = value.ok_or(KeyError::Json)?;
    b64::decode_secret_vec(v).ok_or(KeyError::Base64)
}

/// Decodes a required base64url member of exactly 32 bytes (a P-256 coordinate or scalar).
pub(crate) fn member32(value: Option<&String>) -> Result<[u8; 32], KeyError> {
    let bytes = member(value)?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| KeyError::EcInvalidPoint)
}
