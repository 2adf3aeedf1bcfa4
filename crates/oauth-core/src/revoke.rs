//! Token revocation (RFC 7009): a client revokes an access or refresh token it holds.

use std::borrow::Cow;
use std::sync::Arc;

use crate::auth::{AuthFailure, Replay};
use crate::client::Client;
use crate::config::Config;
use crate::entropy::Context;
use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::introspect::{AdminFlow, start_admin};
use crate::outcome::{Done, Outcome};
use crate::records::{RevocationTarget, TokenInfo};
use crate::request::HttpRequest;
use crate::response::Response;
use crate::steps::sealed::{ClientFlow, Flow, ReplayFlow, TokenLookupFlow};
use crate::steps::{CheckReplay, LookupClient, LookupToken};

/// A step of the revocation endpoint.
#[must_use = "a dropped step abandons the request"]
pub enum RevokeStep<'a> {
    /// Find the client.
    LookupClient(LookupClient<AdminFlow<'a, Revoke>>),
    /// Consume the client assertion's `jti`.
    CheckReplay(CheckReplay<AdminFlow<'a, Revoke>>),
    /// Find the token.
    LookupToken(LookupToken<AdminFlow<'a, Revoke>>),
    /// Revoke it.
    RevokeToken(RevokeToken<'a>),
    /// Send this response.
    Done(Done),
}

/// The revocation endpoint.
pub struct RevokeEndpoint;

/// Marks a flow as revocation.
pub enum Revoke {}

impl RevokeEndpoint {
    /// Checks the request and returns the first step.
    pub fn start<'a>(
        config: &'a Config,
        request: &HttpRequest<'a>,
        context: Context,
    ) -> RevokeStep<'a> {
        match start_admin::<Revoke>(config, request, context, &config.endpoints.revocation) {
            Ok(flow) => RevokeStep::LookupClient(LookupClient {
                now: context.now,
                flow,
            }),
            Err(done) => RevokeStep::Done(done),
        }
    }
}

/// RFC 7009 section 2.2: 200 whether or not the token was valid.
fn revoked(client_id: Option<&str>) -> Done {
    Done {
        response: Response::json(200, &serde_json::json!({})),
        outcome: Outcome::Succeeded {
            client_id: client_id.map(str::to_owned),
            what: Cow::Borrowed("revocation"),
        },
    }
}

impl<'a> Flow for AdminFlow<'a, Revoke> {
    type Step = RevokeStep<'a>;

    fn fail(self, error: HostError) -> RevokeStep<'a> {
        let id = self.client.as_ref().map(|c| c.id().to_owned());
        RevokeStep::Done(Done::host_failure(error, id.as_deref()))
    }
}

impl<'a> ClientFlow for AdminFlow<'a, Revoke> {
    fn client_id(&self) -> &str {
        self.client_id_str()
    }

    fn client_found(self, client: Option<Arc<Client>>) -> RevokeStep<'a> {
        match self.client_found_admin(client) {
            Err(done) => RevokeStep::Done(done),
            Ok(Err(check)) => RevokeStep::CheckReplay(check),
            Ok(Ok(flow)) => match flow.authenticated() {
                Ok(lookup) => RevokeStep::LookupToken(lookup),
                Err(done) => RevokeStep::Done(done),
            },
        }
    }
}

impl<'a> ReplayFlow for AdminFlow<'a, Revoke> {
    fn replay_checked(self, _replay: Replay, fresh: bool) -> RevokeStep<'a> {
        if !fresh {
            let f = AuthFailure::AssertionReplayed;
            return RevokeStep::Done(self.reject(f.to_error(), Reason::ClientAuth(f)));
        }
        match self.authenticated() {
            Ok(lookup) => RevokeStep::LookupToken(lookup),
            Err(done) => RevokeStep::Done(done),
        }
    }
}

impl<'a> TokenLookupFlow for AdminFlow<'a, Revoke> {
    /// RFC 7009 section 2.1: only the client the token was issued to may revoke it;
    /// revoking a refresh token revokes its whole grant.
    fn token_found(self, token: Option<TokenInfo>) -> RevokeStep<'a> {
        let me = self.client.as_ref().map(|c| c.id().to_owned());
        let (owner, target) = match token {
            None => return RevokeStep::Done(revoked(me.as_deref())),
            Some(TokenInfo::Access(a)) => (
                a.client_id,
                RevocationTarget::AccessToken(crate::secret::TokenHash::of(
                    self.token.as_deref().unwrap_or_default(),
                )),
            ),
            Some(TokenInfo::Refresh(r)) => (r.client_id, RevocationTarget::Grant(r.grant_id)),
        };
        if me.as_deref() != Some(owner.as_str()) {
            return RevokeStep::Done(self.reject(
                OAuthError::new(
                    ErrorCode::UnauthorizedClient,
                    "the token was not issued to this client",
                ),
                Reason::Host("revocation by another client"),
            ));
        }
        RevokeStep::RevokeToken(RevokeToken { flow: self, target })
    }
}

/// Remove a token, or every token of a grant.
#[must_use = "a dropped step abandons the request"]
pub struct RevokeToken<'a> {
    flow: AdminFlow<'a, Revoke>,
    target: RevocationTarget,
}

impl<'a> RevokeToken<'a> {
    /// What to remove.
    #[must_use]
    pub fn target(&self) -> &RevocationTarget {
        &self.target
    }

    /// Answers once it is removed.
    pub fn resume(self) -> RevokeStep<'a> {
        let me = self.flow.client.as_ref().map(|c| c.id().to_owned());
        RevokeStep::Done(revoked(me.as_deref()))
    }

    /// The store failed.
    pub fn fail(self, error: HostError) -> RevokeStep<'a> {
        self.flow.fail(error)
    }
}
