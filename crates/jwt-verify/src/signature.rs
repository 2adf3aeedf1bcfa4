//! A decoded JWS signature, held in place.

use core::fmt;
use core::ops::Deref;

use crate::b64;
use crate::token::MAX_SIGNATURE_LEN;

/// The decoded signature of a [`Token`](crate::Token): at most [`MAX_SIGNATURE_LEN`] bytes,
/// on the stack. Dereferences to the bytes.
#[derive(Clone)]
pub struct Signature {
    buf: [u8; MAX_SIGNATURE_LEN],
    len: usize,
}

impl Signature {
    /// Decodes a signature segment already checked to be canonical and short enough.
    pub(crate) fn decode(encoded: &str) -> Option<Self> {
        let mut buf = [0u8; MAX_SIGNATURE_LEN];
        let len = b64::decode_public_into(encoded.as_bytes(), &mut buf)?.len();
        Some(Signature { buf, len })
    }

    /// No bytes.
    pub(crate) fn empty() -> Self {
        Signature {
            buf: [0u8; MAX_SIGNATURE_LEN],
            len: 0,
        }
    }

    /// The signature bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

impl Deref for Signature {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Signature {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({} bytes)", self.len)
    }
}

/// Decodes a signature segment (canonical, at most [`MAX_SIGNATURE_LEN`] bytes once
/// decoded) into a stack buffer sized to it and hands the bytes to `f`: the common
/// signatures (HMAC, ECDSA, RSA up to 4096 bits) need no full-size buffer.
pub(crate) fn with_decoded<R>(encoded: &str, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
    fn run<const N: usize, R>(encoded: &str, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let mut buf = [0u8; N];
        b64::decode_public_into(encoded.as_bytes(), &mut buf).map(f)
    }
    match b64::decoded_len(encoded.len())? {
        0..=64 => run::<64, R>(encoded, f),
        65..=512 => run::<512, R>(encoded, f),
        _ => run::<MAX_SIGNATURE_LEN, R>(encoded, f),
    }
}
