//! `application/x-www-form-urlencoded` request bodies (RFC 6749 sections 3.1, 3.2 and
//! appendix B): strict percent-decoding, UTF-8, size limits, and no repeated parameter.

use std::borrow::Cow;

use crate::limits::Limits;

/// Why a form body was refused. Each maps to `invalid_request` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormError {
    /// The body exceeds [`Limits::max_body`].
    TooLarge,
    /// More parameters than [`Limits::max_params`].
    TooManyParameters,
    /// A parameter name or value exceeds [`Limits::max_value`].
    ValueTooLong,
    /// A `%` not followed by two hex digits.
    PercentEncoding,
    /// The decoded bytes are not UTF-8.
    NotUtf8,
    /// A parameter appears more than once (RFC 6749 section 3.2).
    Repeated,
}

/// A parsed form: names and values decoded, borrowed from the body where no decoding was
/// needed. Parameters with empty values are dropped, as RFC 6749 section 3.1 requires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Form<'a> {
    /// Parses a body within `limits`.
    pub fn parse(body: &'a [u8], limits: &Limits) -> Result<Self, FormError> {
        if body.len() > limits.max_body {
            return Err(FormError::TooLarge);
        }
        let mut pairs: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(8);
        for segment in body.split(|b| *b == b'&') {
            if segment.is_empty() {
                continue;
            }
            let (name, value) = match segment.iter().position(|b| *b == b'=') {
                Some(i) => (segment.get(..i), segment.get(i + 1..)),
                None => (Some(segment), None),
            };
            let (name, value) = (name.unwrap_or_default(), value.unwrap_or_default());
            if name.len() > limits.max_value || value.len() > limits.max_value {
                return Err(FormError::ValueTooLong);
            }
            let value = decode(value)?;
            let name = decode(name)?;
            if value.is_empty() || name.is_empty() {
                continue;
            }
            if pairs.len() >= limits.max_params {
                return Err(FormError::TooManyParameters);
            }
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(FormError::Repeated);
            }
            pairs.push((name, value));
        }
        Ok(Form { pairs })
    }

    /// The value of a parameter, if present and non-empty.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
    }

    /// Removes a parameter and returns its value, still borrowed from the body where it
    /// needed no decoding.
    pub fn take(&mut self, name: &str) -> Option<Cow<'a, str>> {
        let i = self.pairs.iter().position(|(n, _)| n == name)?;
        Some(self.pairs.swap_remove(i).1)
    }

    /// True when the parameter is present.
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every parameter, in body order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))
    }

    /// Number of (non-empty) parameters.
    #[must_use]
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when no parameter was given.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// Decodes one name or value: `+` is a space and `%XX` a byte; the result must be UTF-8.
pub(crate) fn decode(raw: &[u8]) -> Result<Cow<'_, str>, FormError> {
    if !raw.iter().any(|b| *b == b'%' || *b == b'+') {
        return core::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| FormError::NotUtf8);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(|c| hex(*c));
                let lo = bytes.next().and_then(|c| hex(*c));
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push(h << 4 | l),
                    _ => return Err(FormError::PercentEncoding),
                }
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| FormError::NotUtf8)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Form<'_>, FormError> {
        Form::parse(body.as_bytes(), &Limits::default())
    }

    #[test]
    fn decodes_plus_and_percent_and_borrows_plain_values() {
        let f =
            parse("grant_type=client_credentials&scope=a+b%20c&x=%E2%82%AC").unwrap_or_default();
        assert_eq!(f.get("grant_type"), Some("client_credentials"));
        assert!(matches!(
            f.pairs.first().map(|p| &p.1),
            Some(Cow::Borrowed(_))
        ));
        assert_eq!(f.get("scope"), Some("a b c"));
        assert_eq!(f.get("x"), Some("€"));
    }

    #[test]
    fn empty_values_are_absent_and_do_not_count_as_repeats() {
        let f = parse("scope=&scope=read&&state").unwrap_or_default();
        assert_eq!(f.get("scope"), Some("read"));
        assert_eq!(f.get("state"), None);
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn refuses_what_rfc6749_forbids() {
        assert_eq!(parse("a=1&a=2"), Err(FormError::Repeated));
        assert_eq!(parse("a=1&%61=2"), Err(FormError::Repeated));
        assert_eq!(parse("a=%zz"), Err(FormError::PercentEncoding));
        assert_eq!(parse("a=%4"), Err(FormError::PercentEncoding));
        assert_eq!(parse("a=%ff"), Err(FormError::NotUtf8));
        let limits = Limits::default();
        let big = "a".repeat(limits.max_body + 1);
        assert_eq!(parse(&big), Err(FormError::TooLarge));
        let many: Vec<String> = (0..=limits.max_params).map(|i| format!("p{i}=v")).collect();
        assert_eq!(parse(&many.join("&")), Err(FormError::TooManyParameters));
    }
}
