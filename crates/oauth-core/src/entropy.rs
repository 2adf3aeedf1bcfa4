//! Randomness from the caller: a fresh seed per request, expanded into tokens.

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

/// What every request needs from outside: the time and fresh randomness.
#[derive(Clone, Copy)]
pub struct Context {
    /// Seconds since the Unix epoch.
    pub now: u64,
    /// 32 bytes from a CSPRNG, fresh for this request.
    pub seed: [u8; 32],
}

impl core::fmt::Debug for Context {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Context")
            .field("now", &self.now)
            .field("seed", &"[redacted]")
            .finish()
    }
}

/// A generator expanding the request's seed: SHA-256 in counter mode. Every value it makes
/// has 256 bits of the seed's entropy behind it; tokens take 256 bits, identifiers 128.
#[derive(Clone)]
pub(crate) struct Entropy {
    seed: [u8; 32],
    counter: u64,
}

impl Entropy {
    pub(crate) fn new(seed: [u8; 32]) -> Self {
        Entropy { seed, counter: 0 }
    }

    /// The next 32 random bytes.
    pub(crate) fn block(&mut self) -> [u8; 32] {
        let out: [u8; 32] = Sha256::new()
            .chain_update(self.seed)
            .chain_update(self.counter.to_le_bytes())
            .finalize()
            .into();
        self.counter = self.counter.wrapping_add(1);
        out
    }

    /// A bearer token: 256 random bits, base64url (43 characters).
    pub(crate) fn token(&mut self) -> String {
        Base64UrlUnpadded::encode_string(&self.block())
    }

    /// An identifier: 128 random bits, base64url (22 characters).
    pub(crate) fn id(&mut self) -> String {
        let b = self.block();
        Base64UrlUnpadded::encode_string(b.get(..16).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_differ_and_have_the_stated_length() {
        let mut e = Entropy::new([1; 32]);
        let (a, b) = (e.token(), e.token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(e.id().len(), 22);
        let mut f = Entropy::new([2; 32]);
        assert_ne!(f.token(), a);
    }
}
