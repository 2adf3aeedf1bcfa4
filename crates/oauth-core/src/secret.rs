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
///
/// The 43 characters are held inline: a hash costs no allocation, and a table keyed by it
/// compares keys without following a pointer.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenHash([u8; TokenHash::LEN]);

impl TokenHash {
    /// Length of the text form: 32 bytes in unpadded base64url.
    pub const LEN: usize = 43;

    /// Hashes a token.
    #[must_use]
    pub fn of(token: &str) -> Self {
        use base64ct::{Base64UrlUnpadded, Encoding};
        let digest = Sha256::digest(token.as_bytes());
        let mut text = [0u8; Self::LEN];
        // 32 bytes always encode to exactly 43 characters, so this cannot fail; the
        // fallback (all 'A') is never reached.
        if Base64UrlUnpadded::encode(&digest, &mut text).is_err() {
            text = [b'A'; Self::LEN];
        }
        TokenHash(text)
    }

    /// The hash as text, for use as a store key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only base64url characters are ever stored, so this is always valid UTF-8.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Reconstructs a hash read back from storage: `None` unless `s` is the text of a
    /// hash (43 base64url characters, canonical).
    #[must_use]
    pub fn from_stored(s: &str) -> Option<Self> {
        use base64ct::{Base64UrlUnpadded, Encoding};
        let text = <[u8; Self::LEN]>::try_from(s.as_bytes()).ok()?;
        let mut digest = [0u8; 32];
        Base64UrlUnpadded::decode(text, &mut digest).ok()?;
        Some(TokenHash(text))
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TokenHash").field(&self.as_str()).finish()
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

    #[test]
    fn token_hash_is_base64url_sha256_and_round_trips() {
        // SHA-256("abc") = ba7816bf...; its unpadded base64url form:
        let h = TokenHash::of("abc");
        assert_eq!(h.as_str(), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        assert_eq!(TokenHash::from_stored(h.as_str()), Some(h.clone()));
        assert_eq!(format!("{h:?}"), format!("TokenHash({:?})", h.as_str()));
        assert_eq!(TokenHash::from_stored(""), None);
        assert_eq!(TokenHash::from_stored(&h.as_str()[1..]), None);
        assert_eq!(TokenHash::from_stored(&format!("{}=", h.as_str())), None);
        // Not base64url, and a non-canonical last character (stray low bits).
        assert_eq!(TokenHash::from_stored(&"+".repeat(43)), None);
        assert_eq!(
            TokenHash::from_stored(&format!("{}B", "A".repeat(42))),
            None
        );
    }
}
