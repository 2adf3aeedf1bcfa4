//! Signing compact JWS (ID tokens, JWT access tokens) with keys the host holds.
//!
//! RSA private-key operations run on constant-time arithmetic (the `rsa` 0.10 line, which is
//! not affected by the timing side channel of RUSTSEC-2023-0071) and are blinded with
//! caller-supplied entropy. ECDSA nonces are RFC 6979 deterministic, hedged with the same
//! entropy. PSS salts come from it too.

use core::convert::Infallible;
use core::fmt;

use ::rsa::BoxedUint;
use ::rsa::rand_core::{TryCryptoRng, TryRng};
use ::rsa::signature::RandomizedSigner;
use serde::Serialize;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::b64;
use crate::error::KeyError;
use crate::hmac_key::HmacKey;
use crate::jwk::{self, Jwk, KeyOp};
use crate::key::VerifyingKey;
use crate::{Algorithm, KeyFamily};

/// Why a signature could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The private-key operation failed (a corrupt key).
    Crypto,
    /// The claims could not be serialized.
    Claims,
    /// The `kid` or `typ` is longer than a verifier accepts.
    HeaderMemberTooLong,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignError::Crypto => "signing failed",
            SignError::Claims => "claims could not be serialized",
            SignError::HeaderMemberTooLong => "kid or typ longer than a verifier accepts",
        })
    }
}

impl std::error::Error for SignError {}

/// A private key (or shared secret) bound to one algorithm, for making JWS.
#[derive(Clone)]
pub struct SigningKey {
    alg: Algorithm,
    kid: Option<String>,
    material: Material,
}

#[derive(Clone)]
enum Material {
    Hmac(HmacKey),
    Rsa(Box<RsaSigner>),
    Ec(p256::ecdsa::SigningKey),
}

impl SigningKey {
    /// An HMAC key from a shared secret (at least the hash output long).
    pub fn hmac(alg: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        if alg.family() != KeyFamily::Hmac {
            return Err(KeyError::AlgorithmKeyMismatch);
        }
        Ok(SigningKey {
            alg,
            kid: None,
            material: Material::Hmac(HmacKey::new(alg.hash(), secret)?),
        })
    }

    /// A key from a PKCS#8 `PRIVATE KEY` PEM block: RSA (2048 bits or more) for RS*/PS*,
    /// P-256 for ES256.
    pub fn from_pkcs8_pem(alg: Algorithm, pem: &str) -> Result<Self, KeyError> {
        use p256::pkcs8::DecodePrivateKey;
        match alg.family() {
            KeyFamily::Hmac => Err(KeyError::AlgorithmKeyMismatch),
            KeyFamily::RsaPkcs1 | KeyFamily::RsaPss => {
                let k =
                    ::rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|_| KeyError::Encoding)?;
                Self::from_rsa(alg, k)
            }
            KeyFamily::EcP256 => {
                let k = p256::SecretKey::from_pkcs8_pem(pem).map_err(|_| KeyError::Encoding)?;
                Ok(Self::from_ec(p256::ecdsa::SigningKey::from(k)))
            }
        }
    }

    /// A key from a private JWK (`d` and, for RSA, `p` and `q`; or `k` for `oct`).
    pub fn from_jwk(jwk: &Jwk, alg: Option<Algorithm>) -> Result<Self, KeyError> {
        let alg = jwk.bind(alg, KeyOp::Sign)?;
        let key = match alg.family() {
            KeyFamily::Hmac => Self::hmac(alg, &jwk::member(jwk.k.as_ref())?)?,
            KeyFamily::RsaPkcs1 | KeyFamily::RsaPss => {
                let int = |v: Option<&String>| -> Result<BoxedUint, KeyError> {
                    Ok(BoxedUint::from_be_slice_vartime(&jwk::member(v)?))
                };
                if jwk.d.is_none() {
                    return Err(KeyError::WrongKeyVisibility);
                }
                let primes = vec![int(jwk.p.as_ref())?, int(jwk.q.as_ref())?];
                let k = ::rsa::RsaPrivateKey::from_components(
                    int(jwk.n.as_ref())?,
                    int(jwk.e.as_ref())?,
                    int(jwk.d.as_ref())?,
                    primes,
                )
                .map_err(|_| KeyError::RsaInvalid)?;
                Self::from_rsa(alg, k)?
            }
            KeyFamily::EcP256 => {
                if jwk.d.is_none() {
                    return Err(KeyError::WrongKeyVisibility);
                }
                let d = jwk::member32(jwk.d.as_ref())?;
                let sk = p256::ecdsa::SigningKey::from_bytes(&d.into())
                    .map_err(|_| KeyError::EcInvalidPoint)?;
                let key = Self::from_ec(sk);
                // The public part, when given, must be this key's.
                if jwk.x.is_some() || jwk.y.is_some() {
                    let given = (
                        jwk::member32(jwk.x.as_ref())?,
                        jwk::member32(jwk.y.as_ref())?,
                    );
                    let own = key.verifying_key()?.public_jwk().unwrap_or_default();
                    let own = (
                        jwk::member32(own.x.as_ref())?,
                        jwk::member32(own.y.as_ref())?,
                    );
                    if given != own {
                        return Err(KeyError::EcInvalidPoint);
                    }
                }
                key
            }
        };
        Ok(match &jwk.kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        })
    }

    /// A new P-256 key (ES256) from 32 bytes of fresh entropy; `None` in the negligible case
    /// that the bytes are not a valid scalar (draw again).
    #[must_use]
    pub fn generate_es256(entropy: &[u8; 32]) -> Option<Self> {
        p256::ecdsa::SigningKey::from_bytes(&(*entropy).into())
            .ok()
            .map(Self::from_ec)
    }

    /// A new RSA key of `bits` bits for `alg` (RS* or PS*), its primes drawn from a
    /// generator seeded with `seed` (32 bytes of fresh entropy).
    pub fn generate_rsa(alg: Algorithm, bits: usize, seed: &[u8; 32]) -> Result<Self, KeyError> {
        if !matches!(alg.family(), KeyFamily::RsaPkcs1 | KeyFamily::RsaPss) {
            return Err(KeyError::AlgorithmKeyMismatch);
        }
        if bits < 2048 {
            return Err(KeyError::RsaKeyTooSmall);
        }
        let mut rng = SeededRng::new(seed, b"rsa-keygen");
        let k = ::rsa::RsaPrivateKey::new(&mut rng, bits).map_err(|_| KeyError::RsaInvalid)?;
        Self::from_rsa(alg, k)
    }

    fn from_rsa(alg: Algorithm, k: ::rsa::RsaPrivateKey) -> Result<Self, KeyError> {
        use ::rsa::traits::PublicKeyParts;
        if k.n().bits() < 2048 {
            return Err(KeyError::RsaKeyTooSmall);
        }
        use ::rsa::{pkcs1v15, pss};
        let signer = match alg {
            Algorithm::RS256 => RsaSigner::Rs256(pkcs1v15::SigningKey::new(k)),
            Algorithm::RS384 => RsaSigner::Rs384(pkcs1v15::SigningKey::new(k)),
            Algorithm::RS512 => RsaSigner::Rs512(pkcs1v15::SigningKey::new(k)),
            Algorithm::PS256 => RsaSigner::Ps256(pss::SigningKey::new(k)),
            Algorithm::PS384 => RsaSigner::Ps384(pss::SigningKey::new(k)),
            Algorithm::PS512 => RsaSigner::Ps512(pss::SigningKey::new(k)),
            _ => return Err(KeyError::AlgorithmKeyMismatch),
        };
        Ok(SigningKey {
            alg,
            kid: None,
            material: Material::Rsa(Box::new(signer)),
        })
    }

    fn from_ec(k: p256::ecdsa::SigningKey) -> Self {
        SigningKey {
            alg: Algorithm::ES256,
            kid: None,
            material: Material::Ec(k),
        }
    }

    /// The same key with a key identifier, written into every header it signs.
    #[must_use]
    pub fn with_kid(mut self, kid: &str) -> Self {
        self.kid = Some(kid.to_owned());
        self
    }

    /// The algorithm this key signs with.
    #[must_use]
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key identifier, if any.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The matching verifying key (for HMAC, the same secret).
    pub fn verifying_key(&self) -> Result<VerifyingKey, KeyError> {
        let key = match &self.material {
            Material::Hmac(h) => VerifyingKey::from_hmac(self.alg, h.clone()),
            Material::Rsa(k) => {
                use ::rsa::traits::PublicKeyParts;
                let k = k.private_key();
                VerifyingKey::rsa(self.alg, &k.n_bytes(), &k.e_bytes())?
            }
            Material::Ec(k) => {
                use p256::elliptic_curve::sec1::ToSec1Point;
                let point = k.verifying_key().as_affine().to_sec1_point(false);
                let (Some(x), Some(y)) = (point.x(), point.y()) else {
                    return Err(KeyError::EcInvalidPoint);
                };
                VerifyingKey::p256(&(*x).into(), &(*y).into())?
            }
        };
        Ok(match &self.kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        })
    }

    /// Signs `message` (a JWS signing input). `entropy` must be fresh random bytes: it blinds
    /// RSA, salts PSS and hedges ECDSA nonces.
    pub fn sign(&self, message: &[u8], entropy: &[u8; 32]) -> Result<Vec<u8>, SignError> {
        let mut rng = SeededRng::new(entropy, b"jws-sign");
        match &self.material {
            Material::Hmac(h) => {
                let mut out = [0u8; 64];
                let n = h.sign(message, &mut out);
                Ok(out.get(..n).unwrap_or_default().to_vec())
            }
            Material::Rsa(k) => k.sign(message, &mut rng),
            Material::Ec(k) => {
                let sig: p256::ecdsa::Signature = k
                    .try_sign_with_rng(&mut rng, message)
                    .map_err(|_| SignError::Crypto)?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }

    /// Makes a compact JWS of `claims` with header `{"alg", "typ", "kid"}` (`typ` and
    /// `kid` when set).
    pub fn sign_jwt<T: Serialize>(
        &self,
        typ: Option<&str>,
        claims: &T,
        entropy: &[u8; 32],
    ) -> Result<String, SignError> {
        #[derive(Serialize)]
        struct Header<'a> {
            alg: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            typ: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            kid: Option<&'a str>,
        }
        if typ.is_some_and(|t| t.len() > crate::header::MAX_TYP_LEN)
            || self
                .kid
                .as_ref()
                .is_some_and(|k| k.len() > crate::header::MAX_KID_LEN)
        {
            return Err(SignError::HeaderMemberTooLong);
        }
        let header = serde_json::to_vec(&Header {
            alg: self.alg.as_str(),
            typ,
            kid: self.kid.as_deref(),
        })
        .map_err(|_| SignError::Claims)?;
        let payload = serde_json::to_vec(claims).map_err(|_| SignError::Claims)?;
        let mut out = b64::encode(&header);
        out.push('.');
        out.push_str(&b64::encode(&payload));
        let sig = self.sign(out.as_bytes(), entropy)?;
        out.push('.');
        out.push_str(&b64::encode(&sig));
        Ok(out)
    }
}

/// An RSA private key wrapped once for its one algorithm.
#[derive(Clone)]
enum RsaSigner {
    Rs256(::rsa::pkcs1v15::SigningKey<Sha256>),
    Rs384(::rsa::pkcs1v15::SigningKey<Sha384>),
    Rs512(::rsa::pkcs1v15::SigningKey<Sha512>),
    Ps256(::rsa::pss::SigningKey<Sha256>),
    Ps384(::rsa::pss::SigningKey<Sha384>),
    Ps512(::rsa::pss::SigningKey<Sha512>),
}

impl RsaSigner {
    fn private_key(&self) -> &::rsa::RsaPrivateKey {
        match self {
            RsaSigner::Rs256(k) => k.as_ref(),
            RsaSigner::Rs384(k) => k.as_ref(),
            RsaSigner::Rs512(k) => k.as_ref(),
            RsaSigner::Ps256(k) => k.as_ref(),
            RsaSigner::Ps384(k) => k.as_ref(),
            RsaSigner::Ps512(k) => k.as_ref(),
        }
    }

    fn sign(&self, message: &[u8], rng: &mut SeededRng) -> Result<Vec<u8>, SignError> {
        fn bytes<S: Into<Box<[u8]>>>(
            r: Result<S, ::rsa::signature::Error>,
        ) -> Result<Vec<u8>, SignError> {
            r.map(|s| s.into().into_vec())
                .map_err(|_| SignError::Crypto)
        }
        match self {
            RsaSigner::Rs256(k) => bytes(k.try_sign_with_rng(rng, message)),
            RsaSigner::Rs384(k) => bytes(k.try_sign_with_rng(rng, message)),
            RsaSigner::Rs512(k) => bytes(k.try_sign_with_rng(rng, message)),
            RsaSigner::Ps256(k) => bytes(k.try_sign_with_rng(rng, message)),
            RsaSigner::Ps384(k) => bytes(k.try_sign_with_rng(rng, message)),
            RsaSigner::Ps512(k) => bytes(k.try_sign_with_rng(rng, message)),
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("material", &"[redacted]")
            .finish()
    }
}

/// A deterministic generator expanding caller-supplied entropy: SHA-256 in counter mode
/// over the seed and a domain label. As strong as its seed, which the caller draws from a
/// CSPRNG.
struct SeededRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl SeededRng {
    fn new(entropy: &[u8; 32], label: &[u8]) -> Self {
        let seed: [u8; 32] = Sha256::new()
            .chain_update(label)
            .chain_update(entropy)
            .finalize()
            .into();
        SeededRng {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn refill(&mut self) {
        self.block = Sha256::new()
            .chain_update(self.seed)
            .chain_update(self.counter.to_le_bytes())
            .finalize()
            .into();
        self.counter = self.counter.wrapping_add(1);
        self.used = 0;
    }
}

impl TryRng for SeededRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for byte in dst {
            if self.used >= self.block.len() {
                self.refill();
            }
            *byte = self.block.get(self.used).copied().unwrap_or_default();
            self.used += 1;
        }
        Ok(())
    }
}

impl TryCryptoRng for SeededRng {}
