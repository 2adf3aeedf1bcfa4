//! The async driver: runs each engine flow to completion by answering its steps from
//! [`Backends`], awaiting between steps. It is the async twin of `oauth_core::drive`, built
//! on the same steps; it adds no protocol logic of its own.
//!
//! ```no_run
//! # async fn f(config: &oauth_core::Config, backends: &oauth_hyper::Backends, body: &[u8]) -> Result<(), oauth_core::HostError> {
//! use oauth_core::{HttpRequest, TokenEndpoint};
//! let request = HttpRequest::post(body).header("Content-Type", b"application/x-www-form-urlencoded");
//! let step = TokenEndpoint::start(config, &request, oauth_hyper::backend::context()?);
//! let done = oauth_hyper::driver::drive_token(step, backends).await;
//! # let _ = done; Ok(()) }
//! ```

use oauth_core::authorize::{
    Authentication, AuthorizationRequest, AuthorizeStep, ConsentAnswer, Interaction, ParStep,
};
use oauth_core::ciba::{CibaStep, DecisionOutcome, DecisionStep};
use oauth_core::introspect::IntrospectStep;
use oauth_core::records::Subject;
use oauth_core::revoke::RevokeStep;
use oauth_core::{Client, Done, HostError, TokenStep};

use crate::backend::{Backends, BoxFuture};

/// Runs a token request to its end.
pub async fn drive_token(mut step: TokenStep<'_>, b: &Backends) -> Done {
    loop {
        step = match step {
            TokenStep::LookupClient(s) => match b.clients.client(s.client_id()).await {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            TokenStep::CheckReplay(s) => {
                let now = crate::backend::now();
                match b.store.insert_replay(s.replay(), now).await {
                    Ok(fresh) => s.resume(fresh),
                    Err(e) => s.fail(e),
                }
            }
            TokenStep::LookupToken(s) => {
                match b.store.lookup_token(s.hash(), s.hint(), s.now()).await {
                    Ok(t) => s.resume(t),
                    Err(e) => s.fail(e),
                }
            }
            TokenStep::ExtensionGrant(s) => match b.grants.handle(&s).await {
                Ok(a) => s.resume(a),
                Err(e) => s.fail(e),
            },
            TokenStep::VerifyPassword(s) => {
                let answer = b
                    .users
                    .verify_password(
                        s.client(),
                        s.username(),
                        s.password(),
                        crate::backend::now(),
                    )
                    .await;
                match answer {
                    Ok(u) => s.resume(u),
                    Err(e) => s.fail(e),
                }
            }
            TokenStep::TakeCode(s) => match b.store.take_code(s.code_hash(), s.now()).await {
                Ok(t) => s.resume(t),
                Err(e) => s.fail(e),
            },
            TokenStep::LoadRefreshToken(s) => {
                match b.store.load_refresh(s.token_hash(), s.now()).await {
                    Ok(t) => s.resume(t),
                    Err(e) => s.fail(e),
                }
            }
            TokenStep::TakeRefreshToken(s) => {
                match b.store.take_refresh(s.token_hash(), s.now()).await {
                    Ok(t) => s.resume(t),
                    Err(e) => s.fail(e),
                }
            }
            TokenStep::RevokeGrant(s) => match b.store.revoke(s.revocation()).await {
                Ok(()) => s.resume(),
                Err(e) => s.fail(e),
            },
            TokenStep::Sign(s) => match b.signer.sign(s.alg(), s.kid(), s.input()).await {
                Ok(sig) => s.resume(sig),
                Err(e) => s.fail(e),
            },
            TokenStep::Persist(s) => {
                let (records, s) = s.into_records();
                match b.store.save(records, crate::backend::now()).await {
                    Ok(()) => s.resume(),
                    Err(e) => s.fail(e),
                }
            }
            TokenStep::LoadCiba(s) => match b.store.load_ciba(s.hash(), s.now()).await {
                Ok(r) => s.resume(r),
                Err(e) => s.fail(e),
            },
            TokenStep::UpdateCiba(s) => {
                match b.store.update_ciba(s.hash(), s.update(), s.now()).await {
                    Ok(r) => s.resume(r),
                    Err(e) => s.fail(e),
                }
            }
            TokenStep::TakeCiba(s) => match b.store.take_ciba(s.hash(), s.now()).await {
                Ok(r) => s.resume(r),
                Err(e) => s.fail(e),
            },
            TokenStep::Done(done) => return done,
            // A step this driver does not know yet: end the request rather than guess.
            #[allow(unreachable_patterns)]
            _ => return unknown_step("token"),
        };
    }
}

/// Runs a backchannel authentication request to its end; the device is asked to start
/// authentication once the request is saved.
pub async fn drive_ciba(mut step: CibaStep<'_>, b: &Backends) -> Done {
    loop {
        step = match step {
            CibaStep::LookupClient(s) => match b.clients.client(s.client_id()).await {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            CibaStep::CheckReplay(s) => match b
                .store
                .insert_replay(s.replay(), crate::backend::now())
                .await
            {
                Ok(fresh) => s.resume(fresh),
                Err(e) => s.fail(e),
            },
            CibaStep::ResolveUser(s) => {
                let answer = match (s.client(), s.hint()) {
                    (Some(c), Some(h)) => b.users.resolve_ciba_user(c, h, s.user_code()).await,
                    _ => Err(HostError::Internal),
                };
                match answer {
                    Ok(u) => s.resume(u),
                    Err(e) => s.fail(e),
                }
            }
            CibaStep::Persist(s) => {
                let (records, s) = s.into_records();
                match b.store.save(records, crate::backend::now()).await {
                    Ok(()) => s.resume(),
                    Err(e) => s.fail(e),
                }
            }
            CibaStep::StartAuthentication(s) => {
                let answer = match s.request() {
                    Some(r) => b.device.start_authentication(s.auth_req_id(), r).await,
                    None => Err(HostError::Internal),
                };
                match answer {
                    Ok(()) => s.resume(),
                    Err(e) => s.fail(e),
                }
            }
            CibaStep::Done(done) => return done,
            #[allow(unreachable_patterns)]
            _ => return unknown_step("flow"),
        };
    }
}

/// Records a device decision to its end, delivering the ping notification in ping mode.
pub async fn drive_decision(mut step: DecisionStep, b: &Backends) -> DecisionOutcome {
    loop {
        step = match step {
            DecisionStep::LoadRequest(s) => match b.store.load_ciba(s.hash(), s.now()).await {
                Ok(r) => s.resume(r),
                Err(e) => s.fail(e),
            },
            DecisionStep::RecordDecision(s) => {
                match b.store.update_ciba(s.hash(), s.update(), s.now()).await {
                    Ok(r) => s.resume(r),
                    Err(e) => s.fail(e),
                }
            }
            DecisionStep::Notify(s) => {
                let endpoint = match b.clients.client(s.client_id()).await {
                    Ok(Some(c)) => c.notification_endpoint().map(str::to_owned),
                    _ => None,
                };
                let delivered = match endpoint {
                    Some(url) => b.notifier.notify(&url, s.bearer_token(), s.body()).await,
                    None => false,
                };
                s.resume(delivered)
            }
            DecisionStep::Done(outcome) => return outcome,
            #[allow(unreachable_patterns)]
            _ => {
                tracing::error!(
                    flow = "decision",
                    "the engine asked a step this driver does not answer"
                );
                return DecisionOutcome::HostFailure(HostError::Internal);
            }
        };
    }
}

/// Runs a pushed authorization request to its end.
pub async fn drive_par(mut step: ParStep<'_>, b: &Backends) -> Done {
    loop {
        step = match step {
            ParStep::LookupClient(s) => match b.clients.client(s.client_id()).await {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            ParStep::CheckReplay(s) => match b
                .store
                .insert_replay(s.replay(), crate::backend::now())
                .await
            {
                Ok(fresh) => s.resume(fresh),
                Err(e) => s.fail(e),
            },
            ParStep::Persist(s) => {
                let (records, s) = s.into_records();
                match b.store.save(records, crate::backend::now()).await {
                    Ok(()) => s.resume(),
                    Err(e) => s.fail(e),
                }
            }
            ParStep::Done(done) => return done,
            #[allow(unreachable_patterns)]
            _ => return unknown_step("flow"),
        };
    }
}

/// Runs an introspection request (RFC 7662) to its end.
pub async fn drive_introspect(mut step: IntrospectStep<'_>, b: &Backends) -> Done {
    loop {
        step = match step {
            IntrospectStep::LookupClient(s) => match b.clients.client(s.client_id()).await {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            IntrospectStep::CheckReplay(s) => match b
                .store
                .insert_replay(s.replay(), crate::backend::now())
                .await
            {
                Ok(fresh) => s.resume(fresh),
                Err(e) => s.fail(e),
            },
            IntrospectStep::LookupToken(s) => {
                match b.store.lookup_token(s.hash(), s.hint(), s.now()).await {
                    Ok(t) => s.resume(t),
                    Err(e) => s.fail(e),
                }
            }
            IntrospectStep::Done(done) => return done,
            #[allow(unreachable_patterns)]
            _ => return unknown_step("flow"),
        };
    }
}

/// Runs a revocation request (RFC 7009) to its end.
pub async fn drive_revoke(mut step: RevokeStep<'_>, b: &Backends) -> Done {
    loop {
        step = match step {
            RevokeStep::LookupClient(s) => match b.clients.client(s.client_id()).await {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            RevokeStep::CheckReplay(s) => match b
                .store
                .insert_replay(s.replay(), crate::backend::now())
                .await
            {
                Ok(fresh) => s.resume(fresh),
                Err(e) => s.fail(e),
            },
            RevokeStep::LookupToken(s) => {
                match b.store.lookup_token(s.hash(), s.hint(), s.now()).await {
                    Ok(t) => s.resume(t),
                    Err(e) => s.fail(e),
                }
            }
            RevokeStep::RevokeToken(s) => match b.store.revoke_target(s.target()).await {
                Ok(()) => s.resume(),
                Err(e) => s.fail(e),
            },
            RevokeStep::Done(done) => return done,
            #[allow(unreachable_patterns)]
            _ => return unknown_step("flow"),
        };
    }
}

/// The user-facing half of the authorization endpoint: sessions, the login form, consent.
pub trait Interactor: Send {
    /// Who the user is: a session, credentials just posted, or nobody yet.
    fn authenticate<'a>(
        &'a mut self,
        client: Option<&'a Client>,
        request: &'a AuthorizationRequest,
    ) -> BoxFuture<'a, Result<Authentication, HostError>>;

    /// Whether the user consents to the client and scope.
    fn consent<'a>(
        &'a mut self,
        request: &'a AuthorizationRequest,
        subject: &'a Subject,
    ) -> BoxFuture<'a, Result<ConsentAnswer, HostError>>;
}

/// How an authorization request ended: a response, or a page the host must show.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum AuthorizeEnd {
    /// Send this response (a redirect to the client, or an error page).
    Done(Done),
    /// Show a login or consent page that re-submits the request.
    Interact(Interaction),
}

/// Runs an authorization request until it is done or needs the user.
pub async fn drive_authorize(
    mut step: AuthorizeStep<'_>,
    b: &Backends,
    ui: &mut impl Interactor,
) -> AuthorizeEnd {
    loop {
        step = match step {
            AuthorizeStep::LookupClient(s) => match b.clients.client(s.client_id()).await {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            AuthorizeStep::LoadPushed(s) => match b.store.load_pushed(s.hash(), s.now()).await {
                Ok(r) => s.resume(r),
                Err(e) => s.fail(e),
            },
            AuthorizeStep::Authenticate(s) => {
                let answer = match s.request() {
                    Some(r) => ui.authenticate(s.client(), r).await,
                    None => Err(HostError::Internal),
                };
                match answer {
                    Ok(a) => s.resume(a),
                    Err(e) => s.fail(e),
                }
            }
            AuthorizeStep::Consent(s) => {
                let answer = match (s.request(), s.subject()) {
                    (Some(r), Some(u)) => ui.consent(r, u).await,
                    _ => Err(HostError::Internal),
                };
                match answer {
                    Ok(a) => s.resume(a),
                    Err(e) => s.fail(e),
                }
            }
            AuthorizeStep::TakePushed(s) => match b.store.take_pushed(s.hash(), s.now()).await {
                Ok(t) => s.resume(t),
                Err(e) => s.fail(e),
            },
            AuthorizeStep::Persist(s) => {
                let (records, s) = s.into_records();
                match b.store.save(records, crate::backend::now()).await {
                    Ok(()) => s.resume(),
                    Err(e) => s.fail(e),
                }
            }
            AuthorizeStep::Interact(i) => return AuthorizeEnd::Interact(i),
            AuthorizeStep::Done(done) => return AuthorizeEnd::Done(done),
            #[allow(unreachable_patterns)]
            _ => return AuthorizeEnd::Done(unknown_step("authorize")),
        };
    }
}

/// A step this version of the driver does not know (the engine's step enums are
/// `#[non_exhaustive]`): logged loudly, answered with a 500.
fn unknown_step(flow: &'static str) -> Done {
    tracing::error!(flow, "the engine asked a step this driver does not answer");
    internal_error()
}

/// The response when the host itself fails before or outside a flow.
pub(crate) fn internal_error() -> Done {
    use std::borrow::Cow;
    Done {
        response: oauth_core::Response {
            status: 500,
            headers: vec![
                (
                    "Content-Type",
                    Cow::Borrowed("application/json;charset=UTF-8"),
                ),
                ("Cache-Control", Cow::Borrowed("no-store")),
                ("Pragma", Cow::Borrowed("no-cache")),
            ],
            body: br#"{"error":"server_error","error_description":"internal error"}"#.to_vec(),
        },
        outcome: oauth_core::Outcome::Rejected {
            client_id: None,
            error: oauth_core::OAuthError::new(
                oauth_core::ErrorCode::ServerError,
                "internal error",
            ),
            reason: oauth_core::Reason::HostFailure(HostError::Internal),
        },
    }
}
