//! Verifying keys, each bound to exactly one algorithm and prepared once.

use core::fmt;
use std::sync::Arc;

use crate::digest::DigestBuf;
use crate::ec::P256PublicKey;
use crate::error::{KeyError, VerifyError};
use crate::hmac_key::HmacKey;
use crate::jwk::{self, Jwk, KeyOp};
use crate::rsa::{RsaKeyError, RsaPublicKey};
use crate::{Algorithm, KeyFamily, roca};

/// A key ready to verify signatures of exactly one [`Algorithm`].
///
/// The token's `alg` must equal the key's before any cryptography runs, so an HMAC check with
/// a public key as the secret, or an RSA key used for a PSS token it was not registered for,
/// cannot happen. Cloning is cheap: prepared public keys are shared.
#[derive(Clone)]
pub struct VerifyingKey {
    alg: Algorithm,
    kid: Option<Arc<str>>,
    material: Material,
}

#[derive(Clone)]
enum Material {
    Hmac(Box<HmacKey>),
    Rsa(Arc<RsaPublicKey>),
    Ec(Arc<P256PublicKey>),
}

impl VerifyingKey {
    /// An HMAC key from a shared secret; `alg` must be HS256, HS384 or HS512 and the secret
    /// at least as long as the hash output (RFC 7518 section 3.2).
    pub fn hmac(alg: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        if alg.family() != KeyFamily::Hmac {
            return Err(KeyError::AlgorithmKeyMismatch);
        }
        Ok(VerifyingKey {
            alg,
            kid: None,
            material: Material::Hmac(Box::new(HmacKey::new(alg.hash(), secret)?)),
        })
    }

    /// A verifying key over an already-keyed HMAC state (the signing key's own).
    pub(crate) fn from_hmac(alg: Algorithm, key: HmacKey) -> Self {
        VerifyingKey {
            alg,
            kid: None,
            material: Material::Hmac(Box::new(key)),
        }
    }

    /// An RSA public key from its big-endian modulus and exponent.
    pub fn rsa(alg: Algorithm, n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        if !matches!(alg.family(), KeyFamily::RsaPkcs1 | KeyFamily::RsaPss) {
            return Err(KeyError::AlgorithmKeyMismatch);
        }
        let key = RsaPublicKey::new(n, e).map_err(|e| match e {
            RsaKeyError::TooSmall => KeyError::RsaKeyTooSmall,
            RsaKeyError::TooLarge => KeyError::RsaKeyTooLarge,
            RsaKeyError::InvalidModulus | RsaKeyError::InvalidExponent => KeyError::RsaInvalid,
        })?;
        if roca::is_vulnerable(key.n_be()) {
            return Err(KeyError::RsaInvalid);
        }
        Ok(Self::from_rsa(alg, Arc::new(key)))
    }

    /// A P-256 public key from its affine coordinates; the algorithm is ES256.
    pub fn p256(x: &[u8; 32], y: &[u8; 32]) -> Result<Self, KeyError> {
        let key = P256PublicKey::from_coordinates(x, y).map_err(|_| KeyError::EcInvalidPoint)?;
        Ok(Self::from_ec(Arc::new(key)))
    }

    /// A verifying key from a JWK. `alg` is required when the JWK names none and its type
    /// fits several (RSA, oct); when both are given they must agree. Private members are
    /// refused except in `oct` keys, whose value is the secret.
    pub fn from_jwk(jwk: &Jwk, alg: Option<Algorithm>) -> Result<Self, KeyError> {
        let alg = jwk.bind(alg, KeyOp::Verify)?;
        let key = match alg.family() {
            KeyFamily::Hmac => Self::hmac(alg, &jwk::member(jwk.k.as_ref())?),
            KeyFamily::RsaPkcs1 | KeyFamily::RsaPss => {
                if jwk.is_private() {
                    return Err(KeyError::WrongKeyVisibility);
                }
                Self::rsa(
                    alg,
                    &jwk::member(jwk.n.as_ref())?,
                    &jwk::member(jwk.e.as_ref())?,
                )
            }
            KeyFamily::EcP256 => {
                if jwk.d.is_some() {
                    return Err(KeyError::WrongKeyVisibility);
                }
                Self::p256(
                    &jwk::member32(jwk.x.as_ref())?,
                    &jwk::member32(jwk.y.as_ref())?,
                )
            }
        }?;
        Ok(key.with_kid_opt(jwk.kid.as_deref()))
    }

    /// A verifying key from a DER SubjectPublicKeyInfo (RSA or P-256) for `alg`.
    pub fn from_spki_der(alg: Algorithm, der: &[u8]) -> Result<Self, KeyError> {
        use p256::pkcs8::DecodePublicKey;
        match alg.family() {
            KeyFamily::Hmac => Err(KeyError::AlgorithmKeyMismatch),
            KeyFamily::RsaPkcs1 | KeyFamily::RsaPss => {
                let k = ::rsa::RsaPublicKey::from_public_key_der(der)
                    .map_err(|_| KeyError::Encoding)?;
                Self::rsa_from_crate(alg, &k)
            }
            KeyFamily::EcP256 => {
                let k =
                    p256::PublicKey::from_public_key_der(der).map_err(|_| KeyError::Encoding)?;
                Self::p256_from_crate(&k)
            }
        }
    }

    /// A verifying key from a PEM `PUBLIC KEY` block (SubjectPublicKeyInfo) for `alg`.
    pub fn from_spki_pem(alg: Algorithm, pem: &str) -> Result<Self, KeyError> {
        use p256::pkcs8::DecodePublicKey;
        match alg.family() {
            KeyFamily::Hmac => Err(KeyError::AlgorithmKeyMismatch),
            KeyFamily::RsaPkcs1 | KeyFamily::RsaPss => {
                let k = ::rsa::RsaPublicKey::from_public_key_pem(pem)
                    .map_err(|_| KeyError::Encoding)?;
                Self::rsa_from_crate(alg, &k)
            }
            KeyFamily::EcP256 => {
                let k =
                    p256::PublicKey::from_public_key_pem(pem).map_err(|_| KeyError::Encoding)?;
                Self::p256_from_crate(&k)
            }
        }
    }

    fn rsa_from_crate(alg: Algorithm, k: &::rsa::RsaPublicKey) -> Result<Self, KeyError> {
        use ::rsa::traits::PublicKeyParts;
        Self::rsa(alg, &k.n_bytes(), &k.e_bytes())
    }

    fn p256_from_crate(k: &p256::PublicKey) -> Result<Self, KeyError> {
        use p256::elliptic_curve::sec1::ToSec1Point;
        let point = k.to_sec1_point(false);
        let key =
            P256PublicKey::from_sec1(point.as_bytes()).map_err(|_| KeyError::EcInvalidPoint)?;
        Ok(Self::from_ec(Arc::new(key)))
    }

    pub(crate) fn from_rsa(alg: Algorithm, key: Arc<RsaPublicKey>) -> Self {
        VerifyingKey {
            alg,
            kid: None,
            material: Material::Rsa(key),
        }
    }

    pub(crate) fn from_ec(key: Arc<P256PublicKey>) -> Self {
        VerifyingKey {
            alg: Algorithm::ES256,
            kid: None,
            material: Material::Ec(key),
        }
    }

    /// The same key bound to another algorithm of the same RSA family pair (RS* / PS*);
    /// `None` for any other change. Used by key sets for JWKs that name no `alg`.
    pub(crate) fn rebind(&self, alg: Algorithm) -> Option<Self> {
        let ok = matches!(
            (&self.material, alg.family()),
            (Material::Rsa(_), KeyFamily::RsaPkcs1 | KeyFamily::RsaPss)
                | (Material::Ec(_), KeyFamily::EcP256)
        );
        ok.then(|| VerifyingKey {
            alg,
            ..self.clone()
        })
    }

    /// The same key with a key identifier.
    #[must_use]
    pub fn with_kid(self, kid: &str) -> Self {
        self.with_kid_opt(Some(kid))
    }

    fn with_kid_opt(mut self, kid: Option<&str>) -> Self {
        self.kid = kid.map(Arc::from);
        self
    }

    /// The one algorithm this key verifies.
    #[must_use]
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key identifier, if any.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key's public JWK (members `kty`, `alg`, `use`, `kid` and the public parameters);
    /// `None` for HMAC keys, which have no public part.
    #[must_use]
    pub fn public_jwk(&self) -> Option<Jwk> {
        let base = Jwk {
            alg: Some(self.alg.as_str().to_owned()),
            use_: Some("sig".to_owned()),
            kid: self.kid.as_deref().map(str::to_owned),
            ..Jwk::default()
        };
        match &self.material {
            Material::Hmac(_) => None,
            Material::Rsa(k) => Some(Jwk {
                kty: "RSA".to_owned(),
                n: Some(crate::b64::encode(k.n_be())),
                e: Some(crate::b64::encode(k.e_be())),
                ..base
            }),
            Material::Ec(k) => Some(Jwk {
                kty: "EC".to_owned(),
                crv: Some("P-256".to_owned()),
                x: Some(crate::b64::encode(&k.x())),
                y: Some(crate::b64::encode(&k.y())),
                ..base
            }),
        }
    }

    /// Verifies `signature` over `message` for `alg`: the low-level entry point, for
    /// messages that are not JWS signing inputs. `alg` must be the key's algorithm.
    pub fn verify_signature(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        if alg != self.alg {
            return Err(VerifyError::AlgorithmMismatch {
                key: self.alg,
                token: alg,
            });
        }
        if self.check(message, signature) {
            Ok(())
        } else {
            Err(VerifyError::InvalidSignature)
        }
    }

    fn check(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.material {
            Material::Hmac(h) => h.verify(message, signature),
            Material::Rsa(k) => {
                let hash = self.alg.hash();
                let digest = DigestBuf::compute(hash, message);
                if self.alg.family() == KeyFamily::RsaPss {
                    k.verify_pss(hash, digest.as_bytes(), signature)
                } else {
                    k.verify_pkcs1v15(hash, digest.as_bytes(), signature)
                }
            }
            Material::Ec(k) => {
                let Ok(sig) = <&[u8; 64]>::try_from(signature) else {
                    return false;
                };
                let digest = DigestBuf::compute(self.alg.hash(), message);
                match <&[u8; 32]>::try_from(digest.as_bytes()) {
                    Ok(d) => k.verify_prehash(d, sig),
                    Err(_) => false,
                }
            }
        }
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.material {
            Material::Hmac(_) => "hmac",
            Material::Rsa(_) => "rsa",
            Material::Ec(_) => "p256",
        };
        f.debug_struct("VerifyingKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("kind", &kind)
            .finish()
    }
}
