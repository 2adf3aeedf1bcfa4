//! Secrets: redacted in `Debug`, compared in constant time.

use core::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A client secret or password. `Debug` prints `[redacted]`; equality is constant-time.
#[derive(Clone)]
pub struct Secret {
    value: String,
    /// SHA-256 of `value`, computed once: each comparison hashes only the presented side.
    digest: [u8; 32],
}

impl Secret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        let digest = Sha256::digest(value.as_bytes()).into();
        Secret { value, digest }
    }

    /// The secret's bytes, for keying an HMAC.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        self.value.as_bytes()
    }

    /// Compares with a presented value in constant time (both sides are compared as SHA-256
    /// digests, so the comparison leaks neither content nor length).
    #[must_use]
    pub fn matches(&self, presented: &[u8]) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented).into();
        self.digest.ct_eq(&presented).into()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.digest.ct_eq(&other.digest).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A value hashed for storage and lookup: base64url(SHA-256(value)). Codes, refresh tokens,
/// access tokens and `request_uri`s are stored and looked up under their hash, so a leaked
/// store does not leak usable tokens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenHash(String);

impl TokenHash {
    /// Hashes a token.
    #[must_use]
    pub fn of(token: &str) -> Self {
        use base64ct::{Base64UrlUnpadded, Encoding};
        TokenHash(Base64UrlUnpadded::encode_string(&Sha256::digest(
            token.as_bytes(),
        )))
    }

    /// The hash as text, for use as a store key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reconstructs a hash read back from storage.
    #[must_use]
    pub fn from_stored(s: String) -> Self {
        TokenHash(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_compares_and_hides() {
        let s = Secret::new("s3cret");
        assert!(s.matches(b"s3cret"));
        assert!(!s.matches(b"s3cret "));
        assert!(!s.matches(b""));
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(s, Secret::new("s3cret"));
        assert_ne!(s, Secret::new("s3creT"));
    }
}
