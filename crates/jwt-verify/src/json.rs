//! Small JSON helpers that serde's derived structs lack.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};

/// True when the first non-whitespace byte opens an object. Derived structs also accept
/// arrays (fields by position), which a JOSE header or a claims set must never be.
pub(crate) fn is_object(json: &[u8]) -> bool {
    json.iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .is_some_and(|b| *b == b'{')
}

/// Deserializes a JSON object, after one UTF-8 check of the whole input (RFC 8259 section
/// 8.1): faster than checking string by string as `serde_json::from_slice` does, and the
/// same refusals.
pub(crate) fn from_object<'a, T: Deserialize<'a>>(json: &'a [u8]) -> Option<T> {
    from_object_or(json, |_| None)
}

/// [`from_object`], trying `quick` first on the checked text: a reader of a narrow form
/// (see [`crate::flat_json`]) that answers `None` for anything it does not read, which
/// serde_json then parses.
pub(crate) fn from_object_or<'a, T: Deserialize<'a>>(
    json: &'a [u8],
    quick: impl FnOnce(&'a str) -> Option<T>,
) -> Option<T> {
    if !is_object(json) {
        return None;
    }
    let text = core::str::from_utf8(json).ok()?;
    quick(text).or_else(|| serde_json::from_str(text).ok())
}

/// A JSON string borrowed from the input when it holds no escape, owned otherwise.
///
/// serde borrows a bare `Cow<str>` field marked `#[serde(borrow)]` but deserializes one
/// inside an `Option` or a `Vec` owned; wrapping it in this newtype borrows there too.
#[derive(Deserialize)]
pub(crate) struct CowStr<'a>(#[serde(borrow)] pub(crate) Cow<'a, str>);

/// Deserializes an optional string member, borrowing it when it holds no escape.
pub(crate) fn opt_cow_str<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    Option::<CowStr<'a>>::deserialize(d).map(|o| o.map(|s| s.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(borrow, default, deserialize_with = "opt_cow_str")]
        s: Option<Cow<'a, str>>,
    }

    #[test]
    fn borrows_plain_strings_and_owns_escaped_ones() {
        let plain: Probe<'_> = serde_json::from_str(r#"{"s":"abc"}"#).unwrap_or(Probe { s: None });
        assert!(matches!(plain.s, Some(Cow::Borrowed("abc"))));
        let escaped: Probe<'_> =
            serde_json::from_str(r#"{"s":"a\/c"}"#).unwrap_or(Probe { s: None });
        assert!(matches!(escaped.s.as_deref(), Some("a/c")));
        assert!(matches!(escaped.s, Some(Cow::Owned(_))));
        let null: Probe<'_> = serde_json::from_str(r#"{"s":null}"#).unwrap_or(Probe {
            s: Some(Cow::Borrowed("x")),
        });
        assert_eq!(null.s, None);
        assert!(serde_json::from_str::<Probe<'_>>(r#"{"s":1}"#).is_err());
    }
}
