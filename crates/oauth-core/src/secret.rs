//! Secrets: redacted in `Debug`, compared in constant time.

use core::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A client secret or password. `Debug` prints `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret's bytes, for keying an HMAC.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Compares with a presented value in constant time (both are hashed first, so the
    /// comparison leaks neither content nor length).
    #[must_use]
    pub fn matches(&self, presented: &[u8]) -> bool {
        let a = Sha256::digest(self.0.as_bytes());
        let b = Sha256::digest(presented);
        a.as_slice().ct_eq(b.as_slice()).into()
    }
}

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
    }
}
