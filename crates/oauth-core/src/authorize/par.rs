//! The pushed authorization request endpoint (RFC 9126 section 2).

use std::borrow::Cow;
use std::sync::Arc;

use super::params::{self, AuthorizationRequest, Invalid, RawParams};
use super::request_object;
use crate::auth::{AuthFailure, Presented, Replay};
use crate::client::Client;
use crate::config::Config;
use crate::entropy::{Context, Entropy};
use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::form::{Form, FormError};
use crate::outcome::{Done, Outcome};
use crate::records::Record;
use crate::request::HttpRequest;
use crate::response::Response;
use crate::secret::TokenHash;
use crate::steps::sealed::{ClientFlow, Flow, PersistFlow, ReplayFlow};
use crate::steps::{CheckReplay, LookupClient, Persist};
use crate::token::form_error;

/// The prefix of every `request_uri` (RFC 9126 section 2.2).
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// A pushed request, stored under the hash of its `request_uri` until it expires or is
/// used to complete an authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParRecord {
    /// The request as validated when it was pushed.
    pub request: AuthorizationRequest,
    /// The parameters as pushed (after request-object verification), validated again at
    /// the authorization endpoint against the registration and policy of that moment
    /// (RFC 9126 section 4).
    pub params: RawParams,
    /// Expiry.
    pub expires_at: u64,
}

/// A step of the PAR endpoint.
#[must_use = "a dropped step abandons the request"]
pub enum ParStep<'a> {
    /// Find the client.
    LookupClient(LookupClient<ParFlow<'a>>),
    /// Consume the client assertion's `jti`.
    CheckReplay(CheckReplay<ParFlow<'a>>),
    /// Save the pushed request.
    Persist(Persist<ParFlow<'a>>),
    /// Send this response.
    Done(Done),
}

/// The PAR endpoint.
pub struct ParEndpoint;

/// The state of one pushed request. Reachable only inside steps.
pub struct ParFlow<'a> {
    config: &'a Config,
    now: u64,
    entropy: Entropy,
    auth: Presented<'a>,
    form: Form<'a>,
    client: Option<Arc<Client>>,
    request_uri: Option<String>,
}

impl ParEndpoint {
    /// Checks the request and returns the first step.
    pub fn start<'a>(
        config: &'a Config,
        request: &HttpRequest<'a>,
        context: Context,
    ) -> ParStep<'a> {
        let reject = |e: OAuthError, r: Reason| ParStep::Done(Done::reject(e, r, None, false));
        let body = match request.form_body(&config.limits) {
            Ok(b) => b,
            Err(Reason::Form(FormError::TooLarge)) => return ParStep::Done(too_large()),
            Err(Reason::Method) => return ParStep::Done(method_not_allowed()),
            Err(r) => {
                return reject(
                    OAuthError::new(
                        ErrorCode::InvalidRequest,
                        "POST an application/x-www-form-urlencoded body",
                    ),
                    r,
                );
            }
        };
        let mut form = match Form::parse(body, &config.limits) {
            Ok(f) => f,
            Err(FormError::TooLarge) => return ParStep::Done(too_large()),
            Err(e) => return reject(form_error(e), Reason::Form(e)),
        };
        // RFC 9126 section 2.1: a request_uri must not be pushed.
        if form.has("request_uri") {
            return reject(
                OAuthError::new(
                    ErrorCode::InvalidRequest,
                    "request_uri is not allowed in a pushed request",
                ),
                Reason::InvalidParameter("request_uri"),
            );
        }
        let auth = match Presented::extract(request, &mut form, config) {
            Ok(a) => a,
            Err((failure, basic)) => {
                return ParStep::Done(Done::reject(
                    failure.to_error(),
                    Reason::ClientAuth(failure),
                    None,
                    basic,
                ));
            }
        };
        ParStep::LookupClient(LookupClient {
            now: context.now,
            flow: ParFlow {
                config,
                now: context.now,
                entropy: Entropy::new(context.seed),
                auth,
                form,
                client: None,
                request_uri: None,
            },
        })
    }
}

/// RFC 9126 section 2.3: only POST; 405 with `Allow` (RFC 9110 section 15.5.6).
fn method_not_allowed() -> Done {
    let mut done = Done::reject(
        OAuthError::new(ErrorCode::InvalidRequest, "the PAR endpoint takes POST"),
        Reason::Method,
        None,
        false,
    );
    done.response.status = 405;
    done.response.headers.push(("Allow", Cow::Borrowed("POST")));
    done
}

/// RFC 9126 section 2.3: an oversized request is refused with 413.
fn too_large() -> Done {
    let mut done = Done::reject(
        OAuthError::new(ErrorCode::InvalidRequest, "request too large"),
        Reason::Form(FormError::TooLarge),
        None,
        false,
    );
    done.response.status = 413;
    done
}

impl<'a> ParFlow<'a> {
    fn reject(&self, error: OAuthError, reason: Reason) -> ParStep<'a> {
        let id = self
            .client
            .as_ref()
            .map(|c| c.id())
            .or(Some(self.auth.client_id()));
        ParStep::Done(Done::reject(error, reason, id, self.auth.used_basic))
    }

    fn validate(mut self) -> ParStep<'a> {
        let Some(client) = self.client.clone() else {
            return self.fail(HostError::Internal);
        };
        let endpoint = self.config.endpoints.par.as_str();
        let params = match self.form.get("request") {
            Some(jwt) => {
                match request_object::verify(jwt, &client, self.config, endpoint, self.now) {
                    Ok(p) => p,
                    Err(e) => return self.reject(e, Reason::InvalidParameter("request")),
                }
            }
            None => RawParams::from_form(&self.form),
        };
        let request = match params::validate(&params, &client, self.config) {
            Ok(r) => r,
            // At the PAR endpoint every error goes back in the response body.
            Err(Invalid::Show(e) | Invalid::Redirect { error: e, .. }) => {
                return self.reject(e, Reason::InvalidParameter("authorization request"));
            }
        };
        let request_uri = format!("{REQUEST_URI_PREFIX}{}", self.entropy.token());
        let record = ParRecord {
            request,
            params,
            expires_at: self.now.saturating_add(self.config.par_expires_in),
        };
        let records = vec![Record::Par(TokenHash::of(&request_uri), record)];
        self.request_uri = Some(request_uri);
        ParStep::Persist(Persist {
            flow: self,
            records,
        })
    }
}

impl<'a> Flow for ParFlow<'a> {
    type Step = ParStep<'a>;

    fn fail(self, error: HostError) -> ParStep<'a> {
        let id = self.client.as_ref().map(|c| c.id().to_owned());
        ParStep::Done(Done::host_failure(error, id.as_deref()))
    }
}

impl<'a> ClientFlow for ParFlow<'a> {
    fn client_id(&self) -> &str {
        self.auth.client_id()
    }

    fn client_found(mut self, client: Option<Arc<Client>>) -> ParStep<'a> {
        let Some(client) = client else {
            let f = AuthFailure::UnknownClient;
            return self.reject(f.to_error(), Reason::ClientAuth(f));
        };
        let endpoint = self.config.endpoints.par.as_str();
        let replay = self.auth.verify(&client, self.config, endpoint, self.now);
        self.client = Some(client);
        match replay {
            Err(f) => self.reject(f.to_error(), Reason::ClientAuth(f)),
            Ok(Some(replay)) => ParStep::CheckReplay(CheckReplay { flow: self, replay }),
            Ok(None) => self.validate(),
        }
    }
}

impl<'a> ReplayFlow for ParFlow<'a> {
    fn replay_checked(self, _replay: Replay, fresh: bool) -> ParStep<'a> {
        if fresh {
            self.validate()
        } else {
            let f = AuthFailure::AssertionReplayed;
            self.reject(f.to_error(), Reason::ClientAuth(f))
        }
    }
}

impl<'a> PersistFlow for ParFlow<'a> {
    fn persisted(self) -> ParStep<'a> {
        #[derive(serde::Serialize)]
        struct Body<'b> {
            request_uri: &'b str,
            expires_in: u64,
        }
        let Some(uri) = self.request_uri.as_deref() else {
            return self.fail(HostError::Internal);
        };
        let response = Response::json(
            201,
            &Body {
                request_uri: uri,
                expires_in: self.config.par_expires_in,
            },
        );
        ParStep::Done(Done {
            response,
            outcome: Outcome::Succeeded {
                client_id: self.client.as_ref().map(|c| c.id().to_owned()),
                what: Cow::Borrowed("authorization request pushed"),
            },
        })
    }
}
