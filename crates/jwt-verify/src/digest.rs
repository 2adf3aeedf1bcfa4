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
        Self::compute_parts(hash, &[message])
    }

    /// Hashes the concatenation of `parts` with `hash`.
    pub(crate) fn compute_parts(hash: HashAlg, parts: &[&[u8]]) -> Self {
        fn run<D: Digest>(parts: &[&[u8]], out: &mut [u8]) {
            let mut d = D::new();
            for part in parts {
                d.update(part);
            }
            out.copy_from_slice(&d.finalize());
        }
        let mut buf = [0u8; 64];
        let len = hash.output_len();
        if let Some(out) = buf.get_mut(..len) {
            match hash {
                HashAlg::Sha256 => run::<Sha256>(parts, out),
                HashAlg::Sha384 => run::<Sha384>(parts, out),
                HashAlg::Sha512 => run::<Sha512>(parts, out),
            }
        }
        DigestBuf { buf, len }
    }

    /// The digest bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}
