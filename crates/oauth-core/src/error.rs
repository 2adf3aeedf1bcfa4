//! Errors: the wire codes of the OAuth registries (one enum, mirroring them exactly) and
//! the typed diagnostic reasons behind them, which are logged and never sent.

use core::fmt;

use crate::form::FormError;

/// An `error` value from the OAuth Extensions Error registry and the specifications that
/// define the endpoints (RFC 6749 section 5.2, RFC 6750, RFC 7009, RFC 9126, RFC 9101,
/// OpenID Connect Core section 3.1.2.6, CIBA sections 11 and 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request is missing, repeats or malforms a parameter.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// The grant or refresh token is invalid, expired, revoked or for another client.
    InvalidGrant,
    /// The client may not use this grant type or response type.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// The scope is invalid, unknown or beyond the client's registration.
    InvalidScope,
    /// The user or server denied the request.
    AccessDenied,
    /// The response type is not supported.
    UnsupportedResponseType,
    /// An unexpected condition on the server.
    ServerError,
    /// The server is temporarily unable to handle the request.
    TemporarilyUnavailable,
    /// CIBA: the user has not yet decided.
    AuthorizationPending,
    /// CIBA: polling faster than the interval.
    SlowDown,
    /// CIBA: the `auth_req_id` has expired.
    ExpiredToken,
    /// CIBA: the hint names no known user.
    UnknownUserId,
    /// CIBA: the `binding_message` is unacceptable.
    InvalidBindingMessage,
    /// CIBA: a required `user_code` is missing.
    MissingUserCode,
    /// CIBA: the `user_code` is wrong.
    InvalidUserCode,
    /// RFC 9101: the `request_uri` is invalid or expired.
    InvalidRequestUri,
    /// RFC 9101: the request object is invalid.
    InvalidRequestObject,
    /// RFC 9101: the `request` parameter is not supported.
    RequestNotSupported,
    /// OIDC: the user must log in.
    LoginRequired,
    /// OIDC: the user must consent.
    ConsentRequired,
    /// OIDC: user interaction is required.
    InteractionRequired,
    /// RFC 7009: the token type cannot be revoked.
    UnsupportedTokenType,
    /// RFC 6750: the access token is invalid.
    InvalidToken,
}

impl ErrorCode {
    /// The registered wire value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::AuthorizationPending => "authorization_pending",
            ErrorCode::SlowDown => "slow_down",
            ErrorCode::ExpiredToken => "expired_token",
            ErrorCode::UnknownUserId => "unknown_user_id",
            ErrorCode::InvalidBindingMessage => "invalid_binding_message",
            ErrorCode::MissingUserCode => "missing_user_code",
            ErrorCode::InvalidUserCode => "invalid_user_code",
            ErrorCode::InvalidRequestUri => "invalid_request_uri",
            ErrorCode::InvalidRequestObject => "invalid_request_object",
            ErrorCode::RequestNotSupported => "request_not_supported",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::InteractionRequired => "interaction_required",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::InvalidToken => "invalid_token",
        }
    }

    /// The HTTP status this code is returned with from the token-style endpoints
    /// (RFC 6749 section 5.2: 400, except `invalid_client` 401; 5xx for server faults).
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidClient | ErrorCode::InvalidToken => 401,
            ErrorCode::ServerError => 500,
            ErrorCode::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A protocol error as sent: a code, a fixed description (never built from input, so it
/// never echoes a secret) and, for `invalid_client`, whether a `Basic` challenge is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OAuthError {
    /// The wire code.
    pub code: ErrorCode,
    /// A fixed, human-readable description.
    pub description: &'static str,
}

impl OAuthError {
    /// An error with a fixed description.
    #[must_use]
    pub const fn new(code: ErrorCode, description: &'static str) -> Self {
        OAuthError { code, description }
    }
}

/// Why a request failed, for the host's audit log. Never sent to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The HTTP method is not allowed.
    Method,
    /// The content type is not `application/x-www-form-urlencoded`.
    ContentType,
    /// The form body was refused.
    Form(FormError),
    /// A required parameter is absent.
    MissingParameter(&'static str),
    /// A parameter has a value outside its syntax.
    InvalidParameter(&'static str),
    /// Client authentication failed.
    ClientAuth(crate::auth::AuthFailure),
    /// The grant type is unknown.
    UnsupportedGrantType,
    /// The client is not registered for the grant or response type.
    GrantNotRegistered,
    /// The requested scope exceeds what is allowed.
    ScopeNotAllowed,
    /// The code, refresh token or CIBA request is unknown, expired or for another client.
    UnknownGrant,
    /// The grant was already used; what it issued was revoked.
    GrantReplayed,
    /// The `redirect_uri` does not match the one the code was issued for.
    RedirectUriMismatch,
    /// PKCE verification failed or was required and absent.
    Pkce,
    /// The resource owner's credentials were wrong.
    UserCredentials,
    /// A decision the host made (a denial, a pending request, an unknown user).
    Host(&'static str),
    /// The host failed to carry out a step.
    HostFailure(HostError),
}

/// A failure the host reports instead of answering a step (a store down, an HSM error).
/// The flow ends in a 5xx response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostError {
    /// A dependency is temporarily unavailable: `503 temporarily_unavailable`.
    Unavailable,
    /// Anything else: `500 server_error`.
    Internal,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
