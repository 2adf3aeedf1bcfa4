//! HID's error shapes: the standard RFC 6749 section 5.2 body (`error`,
//! `error_description`) plus one member HID adds.
//!
//! Source: HID Authentication Service, "OpenID API Error Handling" (docs.hidglobal.com):
//! the HTTP status table (400 request cannot be parsed, 401 authorization header invalid or
//! missing, 403 operation not allowed for the supplied authorization, 500 internal error)
//! and the `hid_error` reason codes (the API's `ErrorConstants`: 0 technical error, 100
//! adapter error, 1000-1011 parameter errors, ...).

use crate::error::{ErrorCode, OAuthError, Reason};
use crate::outcome::Done;

/// The longest `reason` or `authType` copied into a response, in bytes.
pub const MAX_DETAIL: usize = 128;

/// The `hid_failure` detail of a failed password grant: why, and for which
/// authentication policy. The host produces it; it must not contain a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HidFailure {
    /// HID's reason (`"Invalid credentials"`, `"Authenticator locked"`, ...).
    pub reason: String,
    /// The authentication policy code (`AT_STDPWD`); the request's `authType` when `None`.
    pub auth_type: Option<String>,
}

/// The status class of an HID-coded error, after HID's HTTP status table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HidStatus {
    /// 400, `invalid_request`: the request is malformed or violates the schema.
    BadRequest,
    /// 401, `invalid_client` (with its `WWW-Authenticate` challenge): the authorization
    /// is invalid or missing.
    Unauthorized,
    /// 403, `access_denied`: the operation is not allowed for the supplied authorization.
    ///
    /// RFC 6749 section 5.2 sends its own error codes with 400; this status is used only
    /// for errors the host reports with an HID code, as HID's table prescribes.
    Forbidden,
    /// 500, `server_error`.
    Internal,
}

impl HidStatus {
    /// The HTTP status and the registered error code sent with it.
    #[must_use]
    pub const fn wire(self) -> (u16, OAuthError) {
        match self {
            HidStatus::BadRequest => (
                400,
                OAuthError::new(ErrorCode::InvalidRequest, "the request was refused"),
            ),
            HidStatus::Unauthorized => (
                401,
                OAuthError::new(ErrorCode::InvalidClient, "client authentication failed"),
            ),
            HidStatus::Forbidden => (
                403,
                OAuthError::new(ErrorCode::AccessDenied, "the operation is not allowed"),
            ),
            HidStatus::Internal => (
                500,
                OAuthError::new(ErrorCode::ServerError, "internal error"),
            ),
        }
    }
}

/// An error with an HID reason code (`hid_error: {"code": ...}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HidError {
    /// The `ErrorConstants` code.
    pub code: u32,
    /// The status class.
    pub status: HidStatus,
}

impl HidError {
    /// The default status class of an HID code: 0 and 100 (technical errors) are 500,
    /// anything else (the parameter errors 1000-1011 among them) 400, as RFC 6749 section
    /// 5.2 sends request errors. A host that knows better sets [`HidError::status`].
    #[must_use]
    pub const fn from_code(code: u32) -> Self {
        let status = match code {
            0 | 100 => HidStatus::Internal,
            _ => HidStatus::BadRequest,
        };
        HidError { code, status }
    }

    /// The response.
    pub(crate) fn done(self, client_id: Option<&str>, basic: bool) -> Done {
        let (status, error) = self.status.wire();
        let mut done = Done::reject(error, Reason::Host("hid_error"), client_id, basic);
        done.response.set_error_member(
            error,
            status,
            "hid_error",
            serde_json::json!({ "code": self.code }),
        );
        done
    }
}

/// `s`, cut to at most [`MAX_DETAIL`] bytes on a character boundary.
fn bounded(s: &str) -> &str {
    let mut end = s.len().min(MAX_DETAIL);
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    s.get(..end).unwrap_or_default()
}

impl HidFailure {
    /// The password grant's `invalid_grant` response with the `hid_failure` member.
    pub(crate) fn done(
        &self,
        request_auth_type: Option<&str>,
        client_id: Option<&str>,
        basic: bool,
    ) -> Done {
        let error = OAuthError::new(
            ErrorCode::InvalidGrant,
            "the resource owner credentials are invalid",
        );
        let mut done = Done::reject(error, Reason::UserCredentials, client_id, basic);
        let auth_type = self.auth_type.as_deref().or(request_auth_type);
        let mut detail = serde_json::Map::with_capacity(2);
        detail.insert("reason".to_owned(), bounded(&self.reason).into());
        if let Some(t) = auth_type {
            detail.insert("authType".to_owned(), bounded(t).into());
        }
        done.response
            .set_error_member(error, 400, "hid_failure", detail.into());
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_classes() {
        assert_eq!(HidError::from_code(0).status, HidStatus::Internal);
        assert_eq!(HidError::from_code(100).status, HidStatus::Internal);
        assert_eq!(HidError::from_code(1006).status, HidStatus::BadRequest);
        assert_eq!(HidError::from_code(2000).status, HidStatus::BadRequest);
    }

    #[test]
    fn details_are_bounded() {
        let long = "é".repeat(200);
        let b = bounded(&long);
        assert!(b.len() <= MAX_DETAIL && b.chars().all(|c| c == 'é'));
    }
}
