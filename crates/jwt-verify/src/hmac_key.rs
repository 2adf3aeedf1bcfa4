//! HMAC keys (RFC 7518 section 3.2), keyed once and cloned per use.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha384, Sha512};

use crate::HashAlg;
use crate::error::KeyError;

/// A pre-keyed HMAC state: cloning it per call skips re-hashing the key pads.
#[derive(Clone)]
pub(crate) enum HmacKey {
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

impl HmacKey {
    /// Keys an HMAC; the secret must be at least as long as the hash output.
    pub(crate) fn new(hash: HashAlg, secret: &[u8]) -> Result<Self, KeyError> {
        if secret.len() < hash.output_len() {
            return Err(KeyError::HmacKeyTooShort);
        }
        let key = match hash {
            HashAlg::Sha256 => Hmac::new_from_slice(secret).map(HmacKey::Sha256),
            HashAlg::Sha384 => Hmac::new_from_slice(secret).map(HmacKey::Sha384),
            HashAlg::Sha512 => Hmac::new_from_slice(secret).map(HmacKey::Sha512),
        };
        key.map_err(|_| KeyError::HmacKeyTooShort)
    }

    /// Checks a full-length tag in constant time.
    pub(crate) fn verify(&self, message: &[u8], tag: &[u8]) -> bool {
        match self {
            HmacKey::Sha256(m) => m.clone().chain_update(message).verify_slice(tag).is_ok(),
            HmacKey::Sha384(m) => m.clone().chain_update(message).verify_slice(tag).is_ok(),
            HmacKey::Sha512(m) => m.clone().chain_update(message).verify_slice(tag).is_ok(),
        }
    }

    /// Computes the tag into `out`, returning its length.
    pub(crate) fn sign(&self, message: &[u8], out: &mut [u8; 64]) -> usize {
        fn put(out: &mut [u8; 64], tag: &[u8]) -> usize {
            let n = tag.len().min(out.len());
            if let (Some(dst), Some(src)) = (out.get_mut(..n), tag.get(..n)) {
                dst.copy_from_slice(src);
            }
            n
        }
        match self {
            HmacKey::Sha256(m) => put(
                out,
                &m.clone().chain_update(message).finalize().into_bytes(),
            ),
            HmacKey::Sha384(m) => put(
                out,
                &m.clone().chain_update(message).finalize().into_bytes(),
            ),
            HmacKey::Sha512(m) => put(
                out,
                &m.clone().chain_update(message).finalize().into_bytes(),
            ),
        }
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKey([redacted])")
    }
}
