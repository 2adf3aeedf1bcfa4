//! The authorization endpoint (RFC 6749 section 4.1, OpenID Connect Core section 3.1.2,
//! RFC 9126 section 4, RFC 9101, RFC 9207).
//!
//! The login page and consent screen are the host's: the engine asks through
//! [`Authenticate`] and [`Consent`] steps, and when the host must show a page first the
//! flow ends in [`AuthorizeStep::Interact`], carrying the parameters the page re-submits.

use std::borrow::Cow;
use std::sync::Arc;

use super::par::{ParRecord, REQUEST_URI_PREFIX};
use super::params::{self, AuthorizationRequest, Invalid, RawParams, ResponseMode};
use super::request_object;
use crate::client::Client;
use crate::config::Config;
use crate::entropy::{Context, Entropy};
use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::form::Form;
use crate::outcome::{Done, Outcome};
use crate::records::{CodeRecord, GrantId, Record, Subject};
use crate::request::{HttpRequest, Method};
use crate::response::Response;
use crate::secret::TokenHash;
use crate::steps::sealed::{ClientFlow, Flow, PersistFlow};
use crate::steps::{LookupClient, Persist};
use crate::token::form_error;

/// A step of the authorization endpoint.
#[must_use = "a dropped step abandons the request"]
pub enum AuthorizeStep<'a> {
    /// Find the client (not authenticated here).
    LookupClient(LookupClient<AuthorizeFlow<'a>>),
    /// Load a pushed request by the hash of its `request_uri`.
    LoadPushed(LoadPushed<'a>),
    /// Authenticate the user (an existing session, or none yet).
    Authenticate(Authenticate<'a>),
    /// Check or record the user's consent.
    Consent(Consent<'a>),
    /// Consume the pushed request, atomically, now that the authorization completes.
    TakePushed(TakePushed<'a>),
    /// Save the authorization code.
    Persist(Persist<AuthorizeFlow<'a>>),
    /// Show the user a page (login or consent) that re-submits the request afterwards.
    Interact(Interaction),
    /// Send this response: a redirect to the client, or an error page.
    Done(Done),
}

/// The authorization endpoint.
pub struct AuthorizeEndpoint;

/// The host's answer to [`Authenticate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authentication {
    /// The user is authenticated (a session, or the login form just now).
    Authenticated(Subject),
    /// The user must log in first: the flow ends in [`AuthorizeStep::Interact`]
    /// (or `login_required` when the request said `prompt=none`).
    LoginNeeded,
    /// The user refused or cancelled: `access_denied`.
    Refused,
}

/// The host's answer to [`Consent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentAnswer {
    /// Consent is on record (or was just given).
    Granted,
    /// The user must be asked first ([`AuthorizeStep::Interact`], or `consent_required`
    /// under `prompt=none`).
    Needed,
    /// The user refused: `access_denied`.
    Refused,
}

/// What the host shows before the request can continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    /// Login or consent.
    pub kind: InteractionKind,
    /// The validated request (client, scope, login hint, ...), for the page's text.
    pub request: AuthorizationRequest,
    /// The parameters the page must send back to the authorization endpoint (by GET or
    /// POST) once the user has acted: `client_id` and `request_uri` for a pushed request,
    /// the original parameters otherwise.
    pub resubmit: Vec<(String, String)>,
}

/// What the user must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InteractionKind {
    /// Log in.
    Login,
    /// Consent to the scope.
    Consent,
}

/// The state of one authorization request. Reachable only inside steps.
pub struct AuthorizeFlow<'a> {
    config: &'a Config,
    now: u64,
    entropy: Entropy,
    raw: RawParams,
    /// The parameters as received, re-submitted by a login or consent page.
    original: RawParams,
    client_id: String,
    client: Option<Arc<Client>>,
    pushed: Option<TokenHash>,
    request: Option<AuthorizationRequest>,
    subject: Option<Subject>,
    code: Option<String>,
}

impl AuthorizeEndpoint {
    /// Reads the request (query for GET, form for POST) and returns the first step.
    pub fn start<'a>(
        config: &'a Config,
        request: &HttpRequest<'a>,
        context: Context,
    ) -> AuthorizeStep<'a> {
        let show = |e: OAuthError, r: Reason| AuthorizeStep::Done(show_error(e, r, None));
        let bytes: &[u8] = match request.method {
            Method::Get => request.query.unwrap_or_default().as_bytes(),
            Method::Post => match request.form_body(&config.limits) {
                Ok(b) => b,
                Err(r) => {
                    return show(
                        OAuthError::new(
                            ErrorCode::InvalidRequest,
                            "POST an application/x-www-form-urlencoded body",
                        ),
                        r,
                    );
                }
            },
            Method::Other => {
                return show(
                    OAuthError::new(ErrorCode::InvalidRequest, "use GET or POST"),
                    Reason::Method,
                );
            }
        };
        let form = match Form::parse(bytes, &config.limits) {
            Ok(f) => f,
            Err(e) => return show(form_error(e), Reason::Form(e)),
        };
        let Some(client_id) = form.get("client_id").map(str::to_owned) else {
            return show(
                OAuthError::new(ErrorCode::InvalidRequest, "client_id is required"),
                Reason::MissingParameter("client_id"),
            );
        };
        if client_id.len() > config.limits.max_client_id {
            return show(
                OAuthError::new(ErrorCode::InvalidRequest, "client_id too long"),
                Reason::InvalidParameter("client_id"),
            );
        }
        AuthorizeStep::LookupClient(LookupClient {
            now: context.now,
            flow: AuthorizeFlow {
                config,
                now: context.now,
                entropy: Entropy::new(context.seed),
                raw: RawParams::from_form(&form),
                original: RawParams::from_form(&form),
                client_id,
                client: None,
                pushed: None,
                request: None,
                subject: None,
                code: None,
            },
        })
    }
}

/// An error page for the user: never a redirect, since the redirect URI is not trusted.
fn show_error(error: OAuthError, reason: Reason, client_id: Option<&str>) -> Done {
    let mut page = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorization error</title></head><body><main><h1>Authorization error</h1><p>",
    );
    params::html_escape(&mut page, error.description);
    page.push_str("</p><p><code>");
    page.push_str(error.code.as_str());
    page.push_str("</code></p></main></body></html>");
    Done {
        response: Response {
            status: 400,
            headers: vec![
                ("Content-Type", Cow::Borrowed("text/html;charset=UTF-8")),
                ("Cache-Control", Cow::Borrowed("no-store")),
            ],
            body: page.into_bytes(),
        },
        outcome: Outcome::Rejected {
            client_id: client_id.map(str::to_owned),
            error,
            reason,
        },
    }
}

/// The response carrying `params` to the client, as the response mode demands.
fn to_client(redirect_uri: &str, mode: ResponseMode, params: &[(&str, &str)]) -> Response {
    match params::redirect_url(redirect_uri, mode, params) {
        Some(location) => Response {
            status: 303,
            headers: vec![
                ("Location", Cow::Owned(location)),
                ("Cache-Control", Cow::Borrowed("no-store")),
            ],
            body: Vec::new(),
        },
        None => Response {
            status: 200,
            headers: vec![
                ("Content-Type", Cow::Borrowed("text/html;charset=UTF-8")),
                ("Cache-Control", Cow::Borrowed("no-store")),
            ],
            body: params::form_post_page(redirect_uri, params).into_bytes(),
        },
    }
}

impl<'a> AuthorizeFlow<'a> {
    fn show(&self, error: OAuthError, reason: Reason) -> AuthorizeStep<'a> {
        AuthorizeStep::Done(show_error(error, reason, Some(&self.client_id)))
    }

    /// An error returned to the client's (trusted) redirect URI with `state` and `iss`.
    fn redirect_error(
        &self,
        error: OAuthError,
        reason: Reason,
        uri: &str,
        state: Option<&str>,
        mode: ResponseMode,
    ) -> AuthorizeStep<'a> {
        let mut p: Vec<(&str, &str)> = vec![
            ("error", error.code.as_str()),
            ("error_description", error.description),
        ];
        if let Some(s) = state {
            p.push(("state", s));
        }
        p.push(("iss", &self.config.issuer));
        AuthorizeStep::Done(Done {
            response: to_client(uri, mode, &p),
            outcome: Outcome::Rejected {
                client_id: Some(self.client_id.clone()),
                error,
                reason,
            },
        })
    }

    fn refuse(self, code: ErrorCode, description: &'static str) -> AuthorizeStep<'a> {
        let Some(r) = self.request.as_ref() else {
            return self.show(OAuthError::new(code, description), Reason::Host("refused"));
        };
        self.redirect_error(
            OAuthError::new(code, description),
            Reason::Host(description),
            &r.redirect_uri,
            r.state.as_deref(),
            r.response_mode,
        )
    }

    /// A plain (not pushed) request: the request object, if any, then validation.
    fn plain(mut self, client: &Client) -> AuthorizeStep<'a> {
        if client.requires_par() || self.config.require_par {
            return self.show(
                OAuthError::new(
                    ErrorCode::InvalidRequest,
                    "this client must use pushed authorization requests",
                ),
                Reason::InvalidParameter("request_uri"),
            );
        }
        if let Some(jwt) = self.raw.get("request") {
            let endpoint = self.config.endpoints.authorization.as_str();
            match request_object::verify(jwt, client, self.config, endpoint, self.now) {
                Ok(p) => self.raw = p,
                Err(e) => return self.show(e, Reason::InvalidParameter("request")),
            }
        }
        match params::validate(&self.raw, client, self.config) {
            Ok(r) => self.validated(r),
            Err(Invalid::Show(e)) => {
                self.show(e, Reason::InvalidParameter("authorization request"))
            }
            Err(Invalid::Redirect {
                error,
                redirect_uri,
                state,
                mode,
            }) => self.redirect_error(
                error,
                Reason::InvalidParameter("authorization request"),
                &redirect_uri,
                state.as_deref(),
                mode,
            ),
        }
    }

    fn validated(mut self, request: AuthorizationRequest) -> AuthorizeStep<'a> {
        self.request = Some(request);
        AuthorizeStep::Authenticate(Authenticate { flow: self })
    }

    fn interact(self, kind: InteractionKind) -> AuthorizeStep<'a> {
        let Some(request) = self.request.clone() else {
            return self.fail(HostError::Internal);
        };
        if request.prompt.iter().any(|p| p == "none") {
            let (code, d) = match kind {
                InteractionKind::Login => (ErrorCode::LoginRequired, "the user must log in"),
                InteractionKind::Consent => (ErrorCode::ConsentRequired, "the user must consent"),
            };
            return self.refuse(code, d);
        }
        let resubmit = match &self.pushed {
            Some(_) => vec![
                ("client_id".to_owned(), self.client_id.clone()),
                (
                    "request_uri".to_owned(),
                    self.raw.get("request_uri").unwrap_or_default().to_owned(),
                ),
            ],
            // Never hand credentials back to a page as hidden fields.
            None => self
                .original
                .0
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "password" | "username" | "client_secret"))
                .cloned()
                .collect(),
        };
        AuthorizeStep::Interact(Interaction {
            kind,
            request,
            resubmit,
        })
    }

    fn issue_code(mut self) -> AuthorizeStep<'a> {
        let (Some(request), Some(subject)) = (self.request.as_ref(), self.subject.clone()) else {
            return self.fail(HostError::Internal);
        };
        let code = self.entropy.token();
        let record = CodeRecord {
            client_id: request.client_id.clone(),
            redirect_uri: request
                .redirect_uri_given
                .then(|| request.redirect_uri.clone()),
            challenge: request.code_challenge.clone(),
            nonce: request.nonce.clone(),
            scope: request.scope.clone(),
            subject,
            grant_id: GrantId(self.entropy.id()),
            expires_at: self.now.saturating_add(self.config.code_ttl),
        };
        let records = vec![Record::Code(TokenHash::of(&code), record)];
        self.code = Some(code);
        AuthorizeStep::Persist(Persist {
            flow: self,
            records,
        })
    }
}

impl<'a> Flow for AuthorizeFlow<'a> {
    type Step = AuthorizeStep<'a>;

    fn fail(self, error: HostError) -> AuthorizeStep<'a> {
        let mut done = Done::host_failure(error, Some(&self.client_id));
        done.response.headers.retain(|(n, _)| *n != "Pragma");
        AuthorizeStep::Done(done)
    }
}

impl<'a> ClientFlow for AuthorizeFlow<'a> {
    fn client_id(&self) -> &str {
        &self.client_id
    }

    fn client_found(mut self, client: Option<Arc<Client>>) -> AuthorizeStep<'a> {
        let Some(client) = client else {
            return self.show(
                OAuthError::new(ErrorCode::InvalidRequest, "unknown client"),
                Reason::Host("unknown client"),
            );
        };
        self.client = Some(client.clone());
        match self.raw.get("request_uri") {
            Some(uri) if uri.starts_with(REQUEST_URI_PREFIX) && uri.len() <= 256 => {
                let hash = TokenHash::of(uri);
                self.pushed = Some(hash.clone());
                AuthorizeStep::LoadPushed(LoadPushed { flow: self, hash })
            }
            Some(_) => self.show(
                OAuthError::new(ErrorCode::InvalidRequestUri, "request_uri is invalid"),
                Reason::InvalidParameter("request_uri"),
            ),
            None => self.plain(&client),
        }
    }
}

impl<'a> PersistFlow for AuthorizeFlow<'a> {
    fn persisted(self) -> AuthorizeStep<'a> {
        let (Some(request), Some(code)) = (self.request.as_ref(), self.code.as_deref()) else {
            return self.fail(HostError::Internal);
        };
        let mut p: Vec<(&str, &str)> = vec![("code", code)];
        if let Some(s) = request.state.as_deref() {
            p.push(("state", s));
        }
        p.push(("iss", &self.config.issuer));
        AuthorizeStep::Done(Done {
            response: to_client(&request.redirect_uri, request.response_mode, &p),
            outcome: Outcome::Succeeded {
                client_id: Some(self.client_id.clone()),
                what: Cow::Borrowed("authorization code issued"),
            },
        })
    }
}

/// Load a pushed request. Loading does not consume it: the user may need several visits
/// (a login page) before the authorization completes.
#[must_use = "a dropped step abandons the request"]
pub struct LoadPushed<'a> {
    flow: AuthorizeFlow<'a>,
    hash: TokenHash,
}

impl<'a> LoadPushed<'a> {
    /// The store key: the hash of the `request_uri`.
    #[must_use]
    pub fn hash(&self) -> &TokenHash {
        &self.hash
    }

    /// The request's time: an expired record must not be returned.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.flow.now
    }

    /// Answers with the stored request, if any.
    pub fn resume(self, record: Option<ParRecord>) -> AuthorizeStep<'a> {
        let flow = self.flow;
        match record {
            // RFC 9126 section 4: bound to its client, expiring, and validated again like
            // any request, against the registration and policy of this moment.
            Some(r) if r.request.client_id == flow.client_id && r.expires_at > flow.now => {
                let Some(client) = flow.client.clone() else {
                    return flow.fail(HostError::Internal);
                };
                match params::validate(&r.params, &client, flow.config) {
                    Ok(request) => flow.validated(request),
                    Err(Invalid::Show(e)) => {
                        flow.show(e, Reason::InvalidParameter("pushed request"))
                    }
                    Err(Invalid::Redirect {
                        error,
                        redirect_uri,
                        state,
                        mode,
                    }) => flow.redirect_error(
                        error,
                        Reason::InvalidParameter("pushed request"),
                        &redirect_uri,
                        state.as_deref(),
                        mode,
                    ),
                }
            }
            _ => flow.show(
                OAuthError::new(
                    ErrorCode::InvalidRequestUri,
                    "request_uri is invalid, expired, used, or for another client",
                ),
                Reason::UnknownGrant,
            ),
        }
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> AuthorizeStep<'a> {
        self.flow.fail(error)
    }
}

/// Authenticate the user: answer from the session, or ask for a login page.
#[must_use = "a dropped step abandons the request"]
pub struct Authenticate<'a> {
    flow: AuthorizeFlow<'a>,
}

impl<'a> Authenticate<'a> {
    /// The validated request (`prompt`, `max_age`, `login_hint`, `acr_values`).
    #[must_use]
    pub fn request(&self) -> Option<&AuthorizationRequest> {
        self.flow.request.as_ref()
    }

    /// The client.
    #[must_use]
    pub fn client(&self) -> Option<&Client> {
        self.flow.client.as_deref()
    }

    /// Answers. An authentication older than `max_age` counts as none (OIDC Core section
    /// 3.1.2.1).
    pub fn resume(self, answer: Authentication) -> AuthorizeStep<'a> {
        let mut flow = self.flow;
        match answer {
            Authentication::Authenticated(subject) => {
                let max_age = flow.request.as_ref().and_then(|r| r.max_age);
                let stale = match (max_age, subject.auth_time) {
                    (Some(m), Some(t)) => t.saturating_add(m) < flow.now,
                    (Some(_), None) => true,
                    _ => false,
                };
                if stale {
                    return flow.interact(InteractionKind::Login);
                }
                flow.subject = Some(subject);
                AuthorizeStep::Consent(Consent { flow })
            }
            Authentication::LoginNeeded => flow.interact(InteractionKind::Login),
            Authentication::Refused => flow.refuse(ErrorCode::AccessDenied, "the user refused"),
        }
    }

    /// The session store could not answer.
    pub fn fail(self, error: HostError) -> AuthorizeStep<'a> {
        self.flow.fail(error)
    }
}

/// Check or record the user's consent to the client and scope.
#[must_use = "a dropped step abandons the request"]
pub struct Consent<'a> {
    flow: AuthorizeFlow<'a>,
}

impl<'a> Consent<'a> {
    /// The validated request.
    #[must_use]
    pub fn request(&self) -> Option<&AuthorizationRequest> {
        self.flow.request.as_ref()
    }

    /// The user.
    #[must_use]
    pub fn subject(&self) -> Option<&Subject> {
        self.flow.subject.as_ref()
    }

    /// Answers.
    pub fn resume(self, answer: ConsentAnswer) -> AuthorizeStep<'a> {
        let flow = self.flow;
        match answer {
            ConsentAnswer::Granted => match flow.pushed.clone() {
                Some(hash) => AuthorizeStep::TakePushed(TakePushed { flow, hash }),
                None => flow.issue_code(),
            },
            ConsentAnswer::Needed => flow.interact(InteractionKind::Consent),
            ConsentAnswer::Refused => {
                flow.refuse(ErrorCode::AccessDenied, "the user refused consent")
            }
        }
    }

    /// The consent store could not answer.
    pub fn fail(self, error: HostError) -> AuthorizeStep<'a> {
        self.flow.fail(error)
    }
}

/// Consume the pushed request atomically: of two completions, exactly one proceeds.
#[must_use = "a dropped step abandons the request"]
pub struct TakePushed<'a> {
    flow: AuthorizeFlow<'a>,
    hash: TokenHash,
}

impl<'a> TakePushed<'a> {
    /// The store key.
    #[must_use]
    pub fn hash(&self) -> &TokenHash {
        &self.hash
    }

    /// The request's time.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.flow.now
    }

    /// Answers `true` when this call removed the record, `false` when it was already gone.
    pub fn resume(self, taken: bool) -> AuthorizeStep<'a> {
        if taken {
            self.flow.issue_code()
        } else {
            self.flow.show(
                OAuthError::new(ErrorCode::InvalidRequestUri, "request_uri was already used"),
                Reason::GrantReplayed,
            )
        }
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> AuthorizeStep<'a> {
        self.flow.fail(error)
    }
}
