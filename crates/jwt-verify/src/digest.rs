//! The message digests the signature algorithms need, on the stack.

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::HashAlg;

/// A digest of at most 64 bytes held in place.
pub(crate) struct DigestBuf {
    buf: [u8; 64],
    len: usize,
}

impl DigestBuf {
    /// Hashes `message` with `hash`.
    pub(crate) fn compute(hash: HashAlg, message: &[u8]) -> Self {
        let mut buf = [0u8; 64];
        let len = hash.output_len();
        let out = buf.get_mut(..len);
        match (hash, out) {
            (HashAlg::Sha256, Some(o)) => o.copy_from_slice(&Sha256::digest(message)),
            (HashAlg::Sha384, Some(o)) => o.copy_from_slice(&Sha384::digest(message)),
            (HashAlg::Sha512, Some(o)) => o.copy_from_slice(&Sha512::digest(message)),
            (_, None) => {}
        }
        DigestBuf { buf, len }
    }

    /// The digest bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}
