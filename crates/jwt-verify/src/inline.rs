//! A short string stored inline, so parsing a header allocates nothing.

use core::fmt;

/// A UTF-8 string of at most `N` bytes held in place.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct InlineStr<const N: usize> {
    len: usize,
    buf: [u8; N],
}

impl<const N: usize> InlineStr<N> {
    /// Copies `s`, or `None` if it is longer than `N` bytes.
    pub(crate) fn new(s: &str) -> Option<Self> {
        let mut buf = [0u8; N];
        buf.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(InlineStr { len: s.len(), buf })
    }

    /// The string.
    pub(crate) fn as_str(&self) -> &str {
        // The bytes were copied from a `&str` and never changed, so this cannot fail; an
        // empty string would be the harmless answer if it ever did.
        self.buf
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl<const N: usize> fmt::Debug for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
