//! The one response a flow ends in: status, headers and body, ready for any HTTP stack.

use std::borrow::Cow;

use serde::Serialize;

use crate::error::{ErrorCode, OAuthError};

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Header fields, in order.
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

const JSON: &str = "application/json;charset=UTF-8";

impl Response {
    /// A JSON response with the headers RFC 6749 section 5.1 requires of anything that may
    /// carry tokens: `Cache-Control: no-store` and `Pragma: no-cache`.
    pub(crate) fn json<T: Serialize>(status: u16, body: &T) -> Response {
        match serde_json::to_vec(body) {
            Ok(body) => Response::json_bytes(status, body),
            Err(_) => Response::error(
                OAuthError::new(ErrorCode::ServerError, "response could not be encoded"),
                None,
            ),
        }
    }

    /// [`Response::json`] for a body already encoded.
    pub(crate) fn json_bytes(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![
                ("Content-Type", Cow::Borrowed(JSON)),
                ("Cache-Control", Cow::Borrowed("no-store")),
                ("Pragma", Cow::Borrowed("no-cache")),
            ],
            body,
        }
    }

    /// An error response (RFC 6749 section 5.2). `challenge` is the `WWW-Authenticate`
    /// value due with a 401 (`Basic realm=...` when the client tried Basic).
    pub(crate) fn error(err: OAuthError, challenge: Option<Cow<'static, str>>) -> Response {
        #[derive(Serialize)]
        struct Body {
            error: &'static str,
            error_description: &'static str,
        }
        let body = serde_json::to_vec(&Body {
            error: err.code.as_str(),
            error_description: err.description,
        })
        .unwrap_or_default();
        let mut headers = vec![
            ("Content-Type", Cow::Borrowed(JSON)),
            ("Cache-Control", Cow::Borrowed("no-store")),
            ("Pragma", Cow::Borrowed("no-cache")),
        ];
        if let Some(c) = challenge {
            headers.push(("WWW-Authenticate", c));
        }
        Response {
            status: err.code.status(),
            headers,
            body,
        }
    }

    /// Rewrites an error response's body as `error`, `error_description` and one more
    /// member (a dialect's detail, such as HID's `hid_error`), and sets its status. The
    /// headers (`Cache-Control`, a `WWW-Authenticate` challenge) stay.
    pub(crate) fn set_error_member(
        &mut self,
        err: OAuthError,
        status: u16,
        member: &'static str,
        value: serde_json::Value,
    ) {
        let mut body = serde_json::Map::with_capacity(3);
        body.insert("error".to_owned(), err.code.as_str().into());
        body.insert("error_description".to_owned(), err.description.into());
        body.insert(member.to_owned(), value);
        self.status = status;
        self.body = serde_json::to_vec(&body).unwrap_or_default();
    }

    /// The value of a header, compared case-insensitively.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

/// A JSON object written member by member, for the token response: a handful of string and
/// number members, so serde's machinery is more than it needs. Strings are escaped as
/// RFC 8259 section 7 requires; member names are static ASCII without characters to escape.
pub(crate) struct JsonObject {
    buf: Vec<u8>,
}

impl JsonObject {
    /// An empty object with room for about `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        let mut buf = Vec::with_capacity(capacity);
        buf.push(b'{');
        JsonObject { buf }
    }

    fn name(&mut self, name: &'static str) {
        if self.buf.len() > 1 {
            self.buf.push(b',');
        }
        self.buf.push(b'"');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    /// Adds a string member.
    pub(crate) fn string(&mut self, name: &'static str, value: &str) -> &mut Self {
        self.name(name);
        push_json_string(&mut self.buf, value);
        self
    }

    /// Adds a number member.
    pub(crate) fn number(&mut self, name: &'static str, value: u64) -> &mut Self {
        use std::io::Write;
        self.name(name);
        // Writing into a `Vec` cannot fail.
        let _ = write!(self.buf, "{value}");
        self
    }

    /// The encoded object.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.buf.push(b'}');
        self.buf
    }
}

/// Appends `s` as a JSON string. A string with nothing to escape (tokens, scopes) is copied
/// as is; any other goes through `serde_json`'s escaping.
fn push_json_string(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else if serde_json::to_writer(&mut *buf, s).is_err() {
        // Unreachable: serializing a string into a `Vec` cannot fail. Keep the JSON valid.
        buf.extend_from_slice(b"\"\"");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use proptest::prelude::*;

    use super::JsonObject;

    proptest! {
        #[test]
        fn json_object_reads_back(a in any::<String>(), b in "[ -~]{0,40}", n in any::<u64>()) {
            let mut o = JsonObject::with_capacity(8);
            o.string("a", &a).number("n", n).string("b", &b);
            let bytes = o.finish();
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            prop_assert_eq!(v["a"].as_str(), Some(a.as_str()));
            prop_assert_eq!(v["b"].as_str(), Some(b.as_str()));
            prop_assert_eq!(v["n"].as_u64(), Some(n));
            prop_assert_eq!(v.as_object().map(|m| m.len()), Some(3));
        }
    }

    #[test]
    fn json_object_escapes_and_numbers() {
        let mut o = JsonObject::with_capacity(8);
        o.string("s", "q\"b\\n\nc\u{1}\u{7f}é").number("z", 0);
        assert_eq!(
            String::from_utf8(o.finish()).unwrap(),
            "{\"s\":\"q\\\"b\\\\n\\nc\\u0001\u{7f}é\",\"z\":0}"
        );
        assert_eq!(JsonObject::with_capacity(0).finish(), b"{}");
    }
}
