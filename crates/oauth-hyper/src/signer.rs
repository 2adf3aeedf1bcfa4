//! [`KeySigner`]: the default [`Signer`], holding one `jwt_verify::SigningKey` in memory.

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_verify::{Algorithm, Jwk, KeyFamily, SigningKey};
use oauth_core::{HostError, SigningSpec};
use sha2::{Digest, Sha256};

use crate::backend::{BoxFuture, Signer, os_random_bytes, random_bytes};

/// Why a signing key could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyLoadError {
    /// Signing is possible only with RS*, PS* and ES256.
    UnsupportedAlgorithm,
    /// The PEM is not a PKCS#8 private key of the algorithm's type (RSA of 2048 bits or
    /// more, or P-256).
    BadKey,
    /// The operating system's random source failed.
    Entropy,
}

impl std::fmt::Display for KeyLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyLoadError::UnsupportedAlgorithm => "only RS256, RS384, RS512, PS256, PS384, PS512 and ES256 can sign",
            KeyLoadError::BadKey => {
                "not a PKCS#8 PEM private key of the algorithm's type (RSA of at least 2048 bits, or EC P-256)"
            }
            KeyLoadError::Entropy => "the operating system's random source failed",
        })
    }
}

impl std::error::Error for KeyLoadError {}

/// A tenant's signing key, with its public JWKS and a `kid` that is the key's RFC 7638
/// thumbprint.
pub struct KeySigner {
    key: SigningKey,
    spec: SigningSpec,
    jwks: serde_json::Value,
}

impl KeySigner {
    /// A fresh key from the OS CSPRNG: P-256 for ES256, RSA-2048 for RS*/PS*.
    pub fn generate(alg: Algorithm) -> Result<Self, KeyLoadError> {
        let key = match alg.family() {
            KeyFamily::EcP256 => {
                let mut key = None;
                for _ in 0..8 {
                    let seed = os_random_bytes().map_err(|_| KeyLoadError::Entropy)?;
                    key = SigningKey::generate_es256(&seed);
                    if key.is_some() {
                        break;
                    }
                }
                key.ok_or(KeyLoadError::Entropy)?
            }
            KeyFamily::RsaPkcs1 | KeyFamily::RsaPss => {
                let seed = os_random_bytes().map_err(|_| KeyLoadError::Entropy)?;
                SigningKey::generate_rsa(alg, 2048, &seed).map_err(|_| KeyLoadError::Entropy)?
            }
            KeyFamily::Hmac => return Err(KeyLoadError::UnsupportedAlgorithm),
        };
        Self::from_key(key)
    }

    /// A key from a PKCS#8 PEM file's text.
    pub fn from_pkcs8_pem(alg: Algorithm, pem: &str) -> Result<Self, KeyLoadError> {
        if alg.family() == KeyFamily::Hmac {
            return Err(KeyLoadError::UnsupportedAlgorithm);
        }
        let key = SigningKey::from_pkcs8_pem(alg, pem).map_err(|_| KeyLoadError::BadKey)?;
        Self::from_key(key)
    }

    /// Wraps a key, naming it by its RFC 7638 thumbprint unless it already has a `kid`.
    pub fn from_key(key: SigningKey) -> Result<Self, KeyLoadError> {
        let public = key
            .verifying_key()
            .ok()
            .and_then(|k| k.public_jwk())
            .ok_or(KeyLoadError::UnsupportedAlgorithm)?;
        let kid = match key.kid() {
            Some(k) => k.to_owned(),
            None => thumbprint(&public).ok_or(KeyLoadError::BadKey)?,
        };
        let key = if key.kid().is_some() {
            key
        } else {
            key.with_kid(&kid)
        };
        let public = Jwk {
            kid: Some(kid.clone()),
            ..public
        };
        let jwks = serde_json::json!({ "keys": [public] });
        Ok(KeySigner {
            spec: SigningSpec {
                alg: key.alg(),
                kid: Some(kid),
            },
            key,
            jwks,
        })
    }

    /// The algorithm.
    #[must_use]
    pub fn alg(&self) -> Algorithm {
        self.key.alg()
    }
}

/// RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order.
fn thumbprint(jwk: &Jwk) -> Option<String> {
    let canonical = match jwk.kty.as_str() {
        "EC" => format!(
            r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk.crv.as_deref()?,
            jwk.x.as_deref()?,
            jwk.y.as_deref()?
        ),
        "RSA" => format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            jwk.e.as_deref()?,
            jwk.n.as_deref()?
        ),
        _ => return None,
    };
    Some(Base64UrlUnpadded::encode_string(&Sha256::digest(
        canonical.as_bytes(),
    )))
}

impl Signer for KeySigner {
    fn spec(&self) -> SigningSpec {
        self.spec.clone()
    }

    fn jwks(&self) -> serde_json::Value {
        self.jwks.clone()
    }

    fn sign<'a>(
        &'a self,
        alg: Algorithm,
        kid: Option<&'a str>,
        input: &'a [u8],
    ) -> BoxFuture<'a, Result<Vec<u8>, HostError>> {
        let result = (|| {
            if alg != self.key.alg() || kid != self.key.kid() {
                return Err(HostError::Internal);
            }
            let entropy = random_bytes()?;
            self.key
                .sign(input, &entropy)
                .map_err(|_| HostError::Internal)
        })();
        Box::pin(std::future::ready(result))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn es256_key_publishes_its_thumbprint_as_kid() {
        let s = KeySigner::generate(Algorithm::ES256).unwrap();
        let jwks = s.jwks();
        let key = &jwks["keys"][0];
        assert_eq!(key["kid"].as_str(), s.spec().kid.as_deref());
        assert_eq!(key["alg"], "ES256");
        assert!(key.get("d").is_none());
        assert_eq!(s.spec().kid.map(|k| k.len()), Some(43));
    }
}
