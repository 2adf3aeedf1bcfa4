//! Token introspection (RFC 7662): an authenticated client asks whether a token is
//! active and what it carries.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::auth::{AuthFailure, Presented, Replay};
use crate::client::Client;
use crate::config::Config;
use crate::entropy::Context;
use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::form::Form;
use crate::outcome::{Done, Outcome};
use crate::records::TokenInfo;
use crate::request::HttpRequest;
use crate::response::Response;
use crate::secret::TokenHash;
use crate::steps::sealed::{ClientFlow, Flow, ReplayFlow, TokenLookupFlow};
use crate::steps::{CheckReplay, LookupClient, LookupToken, TokenTypeHint};
use crate::token::form_error;

/// A step of the introspection endpoint.
#[must_use = "a dropped step abandons the request"]
pub enum IntrospectStep<'a> {
    /// Find the client.
    LookupClient(LookupClient<AdminFlow<'a, Introspect>>),
    /// Consume the client assertion's `jti`.
    CheckReplay(CheckReplay<AdminFlow<'a, Introspect>>),
    /// Find the token.
    LookupToken(LookupToken<AdminFlow<'a, Introspect>>),
    /// Send this response.
    Done(Done),
}

/// The introspection endpoint.
pub struct IntrospectEndpoint;

/// Marks a flow as introspection.
pub enum Introspect {}

/// The state of an introspection or revocation request. Reachable only inside steps.
pub struct AdminFlow<'a, K> {
    pub(crate) config: &'a Config,
    pub(crate) now: u64,
    pub(crate) auth: Presented<'a>,
    pub(crate) client: Option<Arc<Client>>,
    pub(crate) token: Option<String>,
    pub(crate) hint: Option<TokenTypeHint>,
    pub(crate) endpoint: &'a str,
    pub(crate) kind: core::marker::PhantomData<K>,
}

/// Reads the form and client credentials shared by introspection and revocation.
pub(crate) fn start_admin<'a, K>(
    config: &'a Config,
    request: &HttpRequest<'a>,
    context: Context,
    endpoint: &'a str,
) -> Result<AdminFlow<'a, K>, Done> {
    let reject = |e: OAuthError, r: Reason| Done::reject(e, r, None, false);
    let body = request.form_body(&config.limits).map_err(|r| {
        reject(
            OAuthError::new(
                ErrorCode::InvalidRequest,
                "POST an application/x-www-form-urlencoded body within the size limit",
            ),
            r,
        )
    })?;
    let mut form =
        Form::parse(body, &config.limits).map_err(|e| reject(form_error(e), Reason::Form(e)))?;
    let auth = Presented::extract(request, &mut form, config)
        .map_err(|(f, basic)| Done::reject(f.to_error(), Reason::ClientAuth(f), None, basic))?;
    let hint = match form.get("token_type_hint") {
        Some("access_token") => Some(TokenTypeHint::AccessToken),
        Some("refresh_token") => Some(TokenTypeHint::RefreshToken),
        // Unknown hints are ignored (RFC 7009 section 2.1, RFC 7662 section 2.1).
        _ => None,
    };
    Ok(AdminFlow {
        config,
        now: context.now,
        token: form.take("token").map(Cow::into_owned),
        auth,
        client: None,
        hint,
        endpoint,
        kind: core::marker::PhantomData,
    })
}

impl IntrospectEndpoint {
    /// Checks the request and returns the first step.
    pub fn start<'a>(
        config: &'a Config,
        request: &HttpRequest<'a>,
        context: Context,
    ) -> IntrospectStep<'a> {
        match start_admin::<Introspect>(config, request, context, &config.endpoints.introspection) {
            Ok(flow) => IntrospectStep::LookupClient(LookupClient {
                now: context.now,
                flow,
            }),
            Err(done) => IntrospectStep::Done(done),
        }
    }
}

impl<'a, K> AdminFlow<'a, K> {
    pub(crate) fn reject(&self, error: OAuthError, reason: Reason) -> Done {
        let id = self
            .client
            .as_ref()
            .map(|c| c.id())
            .or(Some(self.auth.client_id()));
        Done::reject(error, reason, id, self.auth.used_basic)
    }

    /// After authentication: `token` is required, then look it up.
    pub(crate) fn authenticated(self) -> Result<LookupToken<Self>, Done> {
        let Some(token) = self.token.as_deref() else {
            return Err(self.reject(
                OAuthError::new(ErrorCode::InvalidRequest, "token is required"),
                Reason::MissingParameter("token"),
            ));
        };
        let hash = TokenHash::of(token);
        let (hint, now) = (self.hint, self.now);
        Ok(LookupToken {
            flow: self,
            hash,
            hint,
            now,
        })
    }

    pub(crate) fn client_found_admin(
        mut self,
        client: Option<Arc<Client>>,
    ) -> Result<Result<Self, CheckReplay<Self>>, Done> {
        let Some(client) = client else {
            let f = AuthFailure::UnknownClient;
            return Err(self.reject(f.to_error(), Reason::ClientAuth(f)));
        };
        let replay = self
            .auth
            .verify(&client, self.config, self.endpoint, self.now);
        self.client = Some(client);
        match replay {
            Err(f) => Err(self.reject(f.to_error(), Reason::ClientAuth(f))),
            Ok(Some(replay)) => Ok(Err(CheckReplay { flow: self, replay })),
            Ok(None) => Ok(Ok(self)),
        }
    }

    pub(crate) fn client_id_str(&self) -> &str {
        self.auth.client_id()
    }
}

impl<'a> Flow for AdminFlow<'a, Introspect> {
    type Step = IntrospectStep<'a>;

    fn fail(self, error: HostError) -> IntrospectStep<'a> {
        let id = self.client.as_ref().map(|c| c.id().to_owned());
        IntrospectStep::Done(Done::host_failure(error, id.as_deref()))
    }
}

impl<'a> ClientFlow for AdminFlow<'a, Introspect> {
    fn client_id(&self) -> &str {
        self.client_id_str()
    }

    fn client_found(self, client: Option<Arc<Client>>) -> IntrospectStep<'a> {
        // RFC 7662 section 2.1: the caller must be authorized; a public client proves
        // nothing, so it may not introspect.
        if client.as_ref().is_some_and(|c| !c.is_confidential()) {
            let f = AuthFailure::MethodNotRegistered {
                used: crate::client::AuthMethod::None,
                registered: crate::client::AuthMethod::None,
            };
            return IntrospectStep::Done(self.reject(
                OAuthError::new(
                    ErrorCode::InvalidClient,
                    "public clients may not introspect",
                ),
                Reason::ClientAuth(f),
            ));
        }
        match self.client_found_admin(client) {
            Err(done) => IntrospectStep::Done(done),
            Ok(Err(check)) => IntrospectStep::CheckReplay(check),
            Ok(Ok(flow)) => match flow.authenticated() {
                Ok(lookup) => IntrospectStep::LookupToken(lookup),
                Err(done) => IntrospectStep::Done(done),
            },
        }
    }
}

impl<'a> ReplayFlow for AdminFlow<'a, Introspect> {
    fn replay_checked(self, _replay: Replay, fresh: bool) -> IntrospectStep<'a> {
        if !fresh {
            let f = AuthFailure::AssertionReplayed;
            return IntrospectStep::Done(self.reject(f.to_error(), Reason::ClientAuth(f)));
        }
        match self.authenticated() {
            Ok(lookup) => IntrospectStep::LookupToken(lookup),
            Err(done) => IntrospectStep::Done(done),
        }
    }
}

#[derive(Serialize, Default)]
struct Active<'b> {
    active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<&'b str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'b str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'b str>,
}

impl<'a> TokenLookupFlow for AdminFlow<'a, Introspect> {
    /// RFC 7662 section 2.2. Access tokens are active for any authenticated client (a
    /// resource server); refresh tokens only for the client they were issued to.
    fn token_found(self, token: Option<TokenInfo>) -> IntrospectStep<'a> {
        let me = self.client.as_ref().map(|c| c.id()).unwrap_or_default();
        let body = match &token {
            Some(TokenInfo::Access(a)) if a.expires_at > self.now => Active {
                active: true,
                scope: Some(a.scope.to_string()),
                client_id: Some(&a.client_id),
                sub: a.sub.as_deref(),
                token_type: Some("Bearer"),
                exp: Some(a.expires_at),
                iat: Some(a.issued_at),
                iss: Some(&self.config.issuer),
            },
            Some(TokenInfo::Refresh(r)) if r.expires_at > self.now && r.client_id == me => Active {
                active: true,
                scope: Some(r.scope.to_string()),
                client_id: Some(&r.client_id),
                sub: r.subject.as_ref().map(|s| s.sub.as_str()),
                token_type: None,
                exp: Some(r.expires_at),
                iat: None,
                iss: Some(&self.config.issuer),
            },
            _ => Active::default(),
        };
        let response = Response::json(200, &body);
        IntrospectStep::Done(Done {
            response,
            outcome: Outcome::Succeeded {
                client_id: Some(me.to_owned()),
                what: Cow::Borrowed(if body.active {
                    "introspection: active"
                } else {
                    "introspection: inactive"
                }),
            },
        })
    }
}
