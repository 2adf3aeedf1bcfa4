//! A short optional string stored inline, so parsing a header allocates nothing.

use core::fmt;

/// An optional UTF-8 string of at most `N` bytes held in place. It is filled where it
/// lies ([`InlineStr::set`]) rather than built and moved: a header holds three of them.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct InlineStr<const N: usize> {
    /// The length when a string is present.
    len: Option<usize>,
    /// The string, then zeros.
    buf: [u8; N],
}

impl<const N: usize> InlineStr<N> {
    /// No string.
    pub(crate) const fn absent() -> Self {
        InlineStr {
            len: None,
            buf: [0u8; N],
        }
    }

    /// Stores `s` in place of an absent string; `None` if it is longer than `N` bytes.
    pub(crate) fn set(&mut self, s: &str) -> Option<()> {
        self.buf.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        self.len = Some(s.len());
        Some(())
    }

    /// The string, if present.
    pub(crate) fn get(&self) -> Option<&str> {
        // The bytes were copied from a `&str` and never changed, so the conversion cannot
        // fail; an empty string would be the harmless answer if it ever did.
        self.len.map(|len| {
            self.buf
                .get(..len)
                .and_then(|b| core::str::from_utf8(b).ok())
                .unwrap_or_default()
        })
    }
}

impl<const N: usize> fmt::Debug for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}
