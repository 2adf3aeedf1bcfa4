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
            Ok(body) => Response {
                status,
                headers: vec![
                    ("Content-Type", Cow::Borrowed(JSON)),
                    ("Cache-Control", Cow::Borrowed("no-store")),
                    ("Pragma", Cow::Borrowed("no-cache")),
                ],
                body,
            },
            Err(_) => Response::error(
                OAuthError::new(ErrorCode::ServerError, "response could not be encoded"),
                None,
            ),
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
