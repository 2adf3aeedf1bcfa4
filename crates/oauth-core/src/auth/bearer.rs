//! Client authentication with `Authorization: Bearer <access token>` at the token endpoint
//! (HID Authentication Service: its token endpoint samples authenticate the client this
//! way). Off unless the tenant's profile enables it
//! ([`crate::config::Config::bearer_client_auth`]).
//!
//! The token must be an active access token of this tenant issued by `client_credentials`;
//! the client it was issued to is the authenticated client. The token is found through the
//! same lookup step introspection uses ([`crate::steps::LookupToken`]), then the client is
//! looked up as for any other method. One mechanism per request still holds (RFC 6749
//! section 2.3): a Bearer header with `client_secret` or `client_assertion` in the body is
//! refused.

use std::borrow::Cow;

use super::basic::split_scheme;
use super::{AuthFailure, Mechanism, Presented};
use crate::config::Config;
use crate::form::Form;
use crate::records::TokenInfo;
use crate::request::{Header, HttpRequest};
use crate::secret::TokenHash;

/// The `WWW-Authenticate` value of a 401 to a client that tried Bearer (RFC 6749 section
/// 5.2: the challenge names the scheme the client used).
pub(crate) const CHALLENGE: &str = "Bearer realm=\"token\"";

/// The grant type whose access tokens may authenticate a client.
const ISSUING_GRANT: &str = "client_credentials";

/// The token of an `Authorization: Bearer` value (RFC 6750 section 2.1: `b64token`), or
/// `None` when the scheme is another one.
fn parse(value: &[u8]) -> Option<Result<&str, AuthFailure>> {
    let (scheme, rest) = split_scheme(value)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let body_end = rest.iter().rposition(|b| *b != b'=').map_or(0, |p| p + 1);
    let well_formed = body_end > 0
        && rest.get(..body_end).is_some_and(|body| {
            body.iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(b))
        });
    Some(if well_formed {
        core::str::from_utf8(rest).map_err(|_| AuthFailure::MalformedBearer)
    } else {
        Err(AuthFailure::MalformedBearer)
    })
}

/// True when the request's `Authorization` names the Bearer scheme and the tenant accepts
/// it: a refusal then challenges with Bearer.
pub(crate) fn tried(request: &HttpRequest<'_>, config: &Config) -> bool {
    config.bearer_client_auth()
        && matches!(request.authorization, Header::Once(v)
            if split_scheme(v).is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case(b"bearer")))
}

impl<'a> Presented<'a> {
    /// [`Presented::extract`] for the token endpoint: also accepts a Bearer access token
    /// when the tenant enables it.
    pub(crate) fn extract_token(
        request: &HttpRequest<'a>,
        form: &mut Form<'a>,
        config: &Config,
    ) -> Result<Self, (AuthFailure, bool)> {
        let token = match request.authorization {
            Header::Once(v)
                if config.bearer_client_auth() && v.len() <= config.limits.max_authorization =>
            {
                parse(v)
            }
            _ => None,
        };
        let Some(token) = token else {
            return Presented::extract(request, form, config);
        };
        let token = token.map_err(|f| (f, false))?;
        if form.has("client_secret") || form.has("client_assertion") {
            return Err((AuthFailure::MultipleMethods, false));
        }
        if form.has("client_assertion_type") {
            return Err((AuthFailure::AssertionType, false));
        }
        let client_id = form.take("client_id").unwrap_or(Cow::Borrowed(""));
        if client_id.len() > config.limits.max_client_id {
            return Err((AuthFailure::ClientIdTooLong, false));
        }
        Ok(Presented {
            client_id,
            mechanism: Mechanism::Bearer(TokenHash::of(token), false),
            used_basic: false,
            certificate: request.client_certificate,
            certificate_chain_verified: request.certificate_chain_verified,
        })
    }

    /// The hash of the Bearer token to look up, when the client presented one.
    pub(crate) fn bearer(&self) -> Option<&TokenHash> {
        match &self.mechanism {
            Mechanism::Bearer(hash, false) => Some(hash),
            _ => None,
        }
    }

    /// True when the client presented a Bearer token.
    pub(crate) fn used_bearer(&self) -> bool {
        matches!(self.mechanism, Mechanism::Bearer(..))
    }

    /// Continues after the token lookup: the token must be an active access token issued
    /// by `client_credentials`, and a body `client_id` must name its client.
    pub(crate) fn bearer_found(
        &mut self,
        token: Option<TokenInfo>,
        now: u64,
    ) -> Result<(), AuthFailure> {
        let Mechanism::Bearer(_, found) = &mut self.mechanism else {
            return Err(AuthFailure::BearerTokenInvalid);
        };
        let record = match token {
            Some(TokenInfo::Access(a)) if a.expires_at > now && a.grant_type == ISSUING_GRANT => a,
            _ => return Err(AuthFailure::BearerTokenInvalid),
        };
        if !self.client_id.is_empty() && self.client_id != record.client_id {
            return Err(AuthFailure::ClientIdMismatch);
        }
        *found = true;
        self.client_id = Cow::Owned(record.client_id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_b64token() {
        assert_eq!(
            parse(b"Bearer RTp7HwAAAW3KhwwWbFmvt2o/66OFuV7HZ52X6scd"),
            Some(Ok("RTp7HwAAAW3KhwwWbFmvt2o/66OFuV7HZ52X6scd"))
        );
        assert_eq!(parse(b"bearer abc=="), Some(Ok("abc==")));
        assert_eq!(parse(b"Basic YzpzOg=="), None);
        for bad in [
            &b"Bearer a b"[..],
            b"Bearer ==",
            b"Bearer a=b",
            b"Bearer \xff",
        ] {
            assert_eq!(
                parse(bad),
                Some(Err(AuthFailure::MalformedBearer)),
                "{bad:?}"
            );
        }
    }
}
