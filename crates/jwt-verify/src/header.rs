//! The JOSE header of a compact JWS (RFC 7515 section 4), parsed once.

use std::borrow::Cow;

use serde::Deserialize;

use crate::Algorithm;
use crate::error::ParseError;
use crate::flat_json::{self, Value};
use crate::inline::InlineStr;

/// Longest accepted `kid`, in bytes.
pub const MAX_KID_LEN: usize = 256;
/// Longest accepted `typ` or `cty`, in bytes.
pub const MAX_TYP_LEN: usize = 64;

/// The header members a verifier acts on.
///
/// Members that name keys by reference or by value (`jwk`, `jku`, `x5u`, `x5c`) are never
/// used to choose a key: a token does not get to say which key verifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    alg: Algorithm,
    kid: InlineStr<MAX_KID_LEN>,
    typ: InlineStr<MAX_TYP_LEN>,
    cty: InlineStr<MAX_TYP_LEN>,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
struct RawHeader<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(borrow, default, deserialize_with = "crate::json::opt_cow_str")]
    kid: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::json::opt_cow_str")]
    typ: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "crate::json::opt_cow_str")]
    cty: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "present")]
    crit: bool,
    #[serde(default)]
    b64: Option<bool>,
}

impl Header {
    /// A header for [`Header::fill`] to fill where it lies (inside a token, so that the
    /// few hundred bytes of a header are not moved again): no members, and an `alg` that
    /// `fill` replaces. It is never handed out unfilled.
    pub(crate) const fn unfilled() -> Self {
        Header {
            alg: Algorithm::HS256,
            kid: InlineStr::absent(),
            typ: InlineStr::absent(),
            cty: InlineStr::absent(),
        }
    }

    /// Parses a decoded header into an [`unfilled`](Header::unfilled) one: a JSON object
    /// with a supported `alg`, no `crit`, and no member repeated among those read.
    pub(crate) fn fill(&mut self, json: &[u8]) -> Result<(), ParseError> {
        let raw: RawHeader<'_> =
            crate::json::from_object_or(json, RawHeader::quick).ok_or(ParseError::Header)?;
        if raw.crit {
            // RFC 7515 section 4.1.11: no extension is understood, so any `crit` fails.
            return Err(ParseError::UnknownCritical);
        }
        if raw.b64 == Some(false) {
            // RFC 7797 unencoded payloads are not supported (and need `crit` anyway).
            return Err(ParseError::UnknownCritical);
        }
        self.alg = match raw.alg.as_ref() {
            "none" => return Err(ParseError::AlgNone),
            other => other
                .parse::<Algorithm>()
                .map_err(|_| ParseError::UnsupportedAlgorithm)?,
        };
        inline(&mut self.kid, raw.kid.as_deref())?;
        inline(&mut self.typ, raw.typ.as_deref())?;
        inline(&mut self.cty, raw.cty.as_deref())?;
        Ok(())
    }

    /// Parses a decoded header into a new value.
    #[cfg(test)]
    pub(crate) fn parse(json: &[u8]) -> Result<Self, ParseError> {
        let mut header = Header::unfilled();
        header.fill(json)?;
        Ok(header)
    }

    /// The `alg` member.
    #[must_use]
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The `kid` member, if present.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.get()
    }

    /// The `typ` member, if present.
    #[must_use]
    pub fn typ(&self) -> Option<&str> {
        self.typ.get()
    }

    /// The `cty` member, if present.
    #[must_use]
    pub fn cty(&self) -> Option<&str> {
        self.cty.get()
    }
}

impl<'a> RawHeader<'a> {
    /// The header read by [`flat_json`] when it has that form and only string `alg`, `kid`,
    /// `typ`, `cty` among the members read, each at most once; `None` leaves it to serde_json
    /// (a repeated member, `crit`, `b64`, or a value of another type).
    fn quick(json: &'a str) -> Option<Self> {
        let mut raw = RawHeader {
            alg: Cow::Borrowed(""),
            kid: None,
            typ: None,
            cty: None,
            crit: false,
            b64: None,
        };
        let mut alg = None;
        let complete = flat_json::for_each_member(json, |key, value| {
            let slot = match key {
                "alg" => &mut alg,
                "kid" => &mut raw.kid,
                "typ" => &mut raw.typ,
                "cty" => &mut raw.cty,
                "crit" | "b64" => return false,
                _ => return true,
            };
            match value {
                Value::Str(s) if slot.is_none() => {
                    *slot = Some(Cow::Borrowed(s));
                    true
                }
                _ => false,
            }
        });
        raw.alg = alg?;
        complete.then_some(raw)
    }
}

/// True whenever the member is present, whatever its value (`null` included).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

fn inline<const N: usize>(slot: &mut InlineStr<N>, v: Option<&str>) -> Result<(), ParseError> {
    match v {
        Some(s) => slot.set(s).ok_or(ParseError::HeaderMemberTooLong),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_members_and_refuses_what_it_must() {
        let h = Header::parse(br#"{"alg":"ES256","kid":"k1","typ":"JWT","x5u":"https://evil"}"#);
        let h = h.ok();
        assert_eq!(h.as_ref().map(Header::alg), Some(Algorithm::ES256));
        assert_eq!(h.as_ref().and_then(Header::kid), Some("k1"));
        assert_eq!(h.as_ref().and_then(Header::typ), Some("JWT"));
        let cases: [(&[u8], ParseError); 8] = [
            (br#"{"alg":"none"}"#, ParseError::AlgNone),
            (br#"{"alg":"ES512"}"#, ParseError::UnsupportedAlgorithm),
            (br#"{"alg":"hs256"}"#, ParseError::UnsupportedAlgorithm),
            (
                br#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
                ParseError::UnknownCritical,
            ),
            (
                br#"{"alg":"HS256","b64":false}"#,
                ParseError::UnknownCritical,
            ),
            (br#"{"alg":"HS256","alg":"none"}"#, ParseError::Header),
            (br#"["HS256"]"#, ParseError::Header),
            (br#"{"kid":"x"}"#, ParseError::Header),
        ];
        for (json, want) in cases {
            assert_eq!(
                Header::parse(json),
                Err(want),
                "{}",
                String::from_utf8_lossy(json)
            );
        }
        let long = format!(
            r#"{{"alg":"HS256","kid":"{}"}}"#,
            "k".repeat(MAX_KID_LEN + 1)
        );
        assert_eq!(
            Header::parse(long.as_bytes()),
            Err(ParseError::HeaderMemberTooLong)
        );
    }

    #[test]
    fn compact_headers_take_the_quick_reader() {
        let json = r#"{"alg":"HS256","kid":"client-secret-2024-10","typ":"JWT"}"#;
        let quick = RawHeader::quick(json);
        assert!(quick.is_some());
        assert_eq!(quick, serde_json::from_str(json).ok());
    }

    proptest::proptest! {
        #[test]
        fn quick_reader_agrees_with_serde_json(json in crate::flat_json::near_flat_objects(
            &["alg", "kid", "typ", "cty", "crit", "b64", "x5u", "alg\\u0000"],
        )) {
            if let Some(quick) = RawHeader::quick(&json) {
                proptest::prop_assert_eq!(serde_json::from_str::<RawHeader<'_>>(&json).ok(), Some(quick));
            }
        }
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let h = Header::parse(br#"{"alg":"HS\u0032\u0035\u0036","kid":"a\/b"}"#).ok();
        assert_eq!(h.as_ref().map(Header::alg), Some(Algorithm::HS256));
        assert_eq!(h.as_ref().and_then(Header::kid), Some("a/b"));
    }
}
