//! One tenant: its engine configuration, backends, sessions and demo device, and the
//! handlers of its endpoints.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use oauth_core::authorize::{
    Authentication, AuthorizationRequest, AuthorizeEndpoint, ConsentAnswer, InteractionKind,
    ParEndpoint,
};
use oauth_core::ciba::{BackchannelEndpoint, Decision, DecisionOutcome};
use oauth_core::form::Form;
use oauth_core::introspect::IntrospectEndpoint;
use oauth_core::records::Subject;
use oauth_core::revoke::RevokeEndpoint;
use oauth_core::{
    AccessTokenFormat, AssertionAudience, AuthMethod, CibaConfig, Client, Config, HostError,
    HttpRequest, Method, Outcome, TokenEndpoint,
};

use crate::backend::{Backends, BoxFuture, Notifier, Signer, Store, context, now};
use crate::config::{AudienceMode, CibaMode, ConfigError, TenantFile, TokenFormat};
use crate::device::{DemoDevice, Inbox};
use crate::driver::{self, AuthorizeEnd, Interactor};
use crate::http_util::{self, Incoming, Resp, html, json_error, redirect};
use crate::pages;
use crate::session::{self, Session, Sessions};
use crate::users::{CibaBehaviour, ConfigUsers, StaticClients, User};

/// What the user decided on the authentication device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Approved, authenticated as this subject (its `sub` must be the request's user).
    Approve(Subject),
    /// Denied.
    Deny,
}

/// The endpoints of a tenant, relative to `/{tenant}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /as/.well-known/openid-configuration` (and `oauth-authorization-server`).
    Discovery,
    /// `GET /as/jwks`.
    Jwks,
    /// `GET|POST /as/authorize`.
    Authorize,
    /// `POST /as/par`.
    Par,
    /// `POST /as/cibaAuthorization`.
    Ciba,
    /// `POST /as/token`.
    Token,
    /// `POST /as/introspect`.
    Introspect,
    /// `POST /as/revoke`.
    Revoke,
    /// `POST /authn/token`: the HID-compatible alias of the token endpoint.
    HidToken,
    /// `GET|POST /device`.
    Device,
}

impl Route {
    /// The route for a path relative to the tenant (`/as/token`).
    #[must_use]
    pub fn from_path(path: &str) -> Option<Route> {
        Some(match path {
            "/as/.well-known/openid-configuration"
            | "/as/.well-known/oauth-authorization-server" => Route::Discovery,
            "/as/jwks" => Route::Jwks,
            "/as/authorize" => Route::Authorize,
            "/as/par" => Route::Par,
            "/as/cibaAuthorization" => Route::Ciba,
            "/as/token" => Route::Token,
            "/as/introspect" => Route::Introspect,
            "/as/revoke" => Route::Revoke,
            "/authn/token" => Route::HidToken,
            "/device" => Route::Device,
            _ => return None,
        })
    }

    /// The methods the route answers.
    #[must_use]
    pub fn allowed(self) -> &'static [http::Method] {
        match self {
            Route::Discovery | Route::Jwks => &[http::Method::GET],
            Route::Authorize | Route::Device => &[http::Method::GET, http::Method::POST],
            _ => &[http::Method::POST],
        }
    }

    /// A short name for logs.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Route::Discovery => "discovery",
            Route::Jwks => "jwks",
            Route::Authorize => "authorize",
            Route::Par => "par",
            Route::Ciba => "ciba",
            Route::Token => "token",
            Route::Introspect => "introspect",
            Route::Revoke => "revoke",
            Route::HidToken => "authn_token",
            Route::Device => "device",
        }
    }
}

/// Options a tenant takes from the server around it.
#[derive(Debug, Clone)]
pub struct TenantOptions {
    /// Client certificates can reach the engine (TLS client auth or a trusted proxy
    /// header): discovery then lists the mTLS methods.
    pub mtls: bool,
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// Most login sessions held.
    pub max_sessions: usize,
    /// Session lifetime, seconds.
    pub session_ttl_secs: u64,
    /// Most pending requests on the demo device.
    pub max_device_requests: usize,
}

impl Default for TenantOptions {
    fn default() -> Self {
        let l = crate::config::LimitsFile::default();
        TenantOptions {
            mtls: false,
            max_body_bytes: l.max_body_bytes,
            max_sessions: l.max_sessions,
            session_ttl_secs: l.session_ttl_secs.get(),
            max_device_requests: l.max_device_requests,
        }
    }
}

/// A tenant: cheap to clone (one `Arc`), shared by every request.
#[derive(Clone)]
pub struct Tenant(pub(crate) Arc<TenantInner>);

pub(crate) struct TenantInner {
    pub(crate) id: String,
    pub(crate) config: Config,
    /// `{base}/{tenant}/authn/token`: the URL a client assertion sent to the HID alias may
    /// name as its audience.
    pub(crate) alias_url: String,
    pub(crate) backends: Backends,
    pub(crate) sessions: Sessions,
    pub(crate) inbox: Arc<Inbox>,
    pub(crate) discovery: Bytes,
    pub(crate) jwks: Bytes,
    pub(crate) cookie_path: String,
    pub(crate) secure_cookies: bool,
    pub(crate) session_ttl: u64,
}

/// The parts a tenant is built from by [`Tenant::from_file`].
pub struct TenantParts {
    /// The store (shared by tenants or not).
    pub store: Arc<dyn Store>,
    /// The signer.
    pub signer: Arc<dyn Signer>,
    /// The notifier.
    pub notifier: Arc<dyn Notifier>,
}

impl Tenant {
    /// Builds a tenant from its `[[tenants]]` table. `public_base_url` has no trailing slash.
    pub fn from_file(
        index: usize,
        file: &TenantFile,
        public_base_url: &str,
        parts: TenantParts,
        options: &TenantOptions,
    ) -> Result<Tenant, ConfigError> {
        let at = |f: &str| format!("tenants[{index}].{f}");
        let issuer = format!("{public_base_url}/{}/as", file.id);
        let mut config = Config::new(&issuer, parts.signer.spec());
        config.access_token_ttl = file.access_token_ttl_secs.get();
        config.refresh_token_ttl = file.refresh_token_ttl_secs.get();
        config.id_token_ttl = file.id_token_ttl_secs.get();
        config.code_ttl = file.code_ttl_secs.get();
        config.assertion_audience = match file.client_assertion_audience {
            AudienceMode::Lenient => AssertionAudience::Lenient,
            AudienceMode::Issuer => AssertionAudience::IssuerOnly,
        };
        config.access_token_format = match file.access_token_format {
            TokenFormat::Opaque => AccessTokenFormat::Opaque,
            TokenFormat::Jwt => AccessTokenFormat::Jwt,
        };
        config.require_par = file.require_pushed_authorization_requests;
        config.require_pkce = file.require_pkce;
        config.allow_plain_pkce = file.allow_plain_pkce;
        config.par_expires_in = file.par_expires_in_secs.get();
        if file.profile == crate::config::ProfileMode::Hid {
            oauth_core::hid::apply(&mut config, &file.hid_api_otp_permission);
        }
        config.limits.max_body = options.max_body_bytes;
        config.ciba = CibaConfig {
            interval: file.ciba_interval_secs.get(),
            expires_in: file.ciba_expires_in_secs.get(),
            max_expires_in: file
                .ciba_max_expires_in_secs
                .get()
                .max(file.ciba_expires_in_secs.get()),
            ..CibaConfig::default()
        };
        let alg = parts.signer.spec().alg;
        config.own_keys =
            jwt_verify::KeySet::from_jwks_json(&parts.signer.jwks().to_string(), &[alg])
                .ok()
                .map(|(k, _)| k);

        let mut clients = StaticClients::default();
        for (j, c) in file.clients.iter().enumerate() {
            let client = Client::from_metadata(&c.metadata()).map_err(|e| {
                ConfigError::new(
                    at(&format!("clients[{j}]")),
                    format!("client {:?}: {e}", c.client_id),
                )
            })?;
            if matches!(
                client.auth_method(),
                AuthMethod::TlsClientAuth | AuthMethod::SelfSignedTlsClientAuth
            ) && !options.mtls
            {
                tracing::warn!(
                    tenant = %file.id,
                    client_id = %c.client_id,
                    "client uses mutual TLS but the server has neither [tls] client_auth nor trusted_client_cert_header"
                );
            }
            clients.insert(client, c.client_name.clone());
        }
        let users: Vec<User> = file
            .users
            .iter()
            .map(|u| User {
                username: u.username.clone(),
                password: oauth_core::secret::Secret::new(u.password.clone()),
                sub: u.sub.clone().unwrap_or_else(|| u.username.clone()),
                ciba: match u.ciba {
                    CibaMode::Approve => CibaBehaviour::Approve,
                    CibaMode::Deny => CibaBehaviour::Deny,
                    CibaMode::Wait => CibaBehaviour::Wait,
                },
                ciba_delay_secs: u.ciba_delay_secs,
                auto_approve: u.auto_approve,
            })
            .collect();
        let behaviours: HashMap<String, (CibaBehaviour, u64)> = users
            .iter()
            .map(|u| (u.sub.clone(), (u.ciba, u.ciba_delay_secs)))
            .collect();
        let discovery = crate::discovery::document(&config, &clients, options.mtls);
        let jwks = parts.signer.jwks();
        let inbox = Arc::new(Inbox::new(options.max_device_requests));
        let users = Arc::new(ConfigUsers::new(users));
        let grants = Arc::new(crate::grants::DemoGrants::new(users.clone()));
        let clients = Arc::new(clients);
        let (cookie_path, secure_cookies) = cookie_scope(public_base_url, &file.id);
        let inner = Arc::new_cyclic(|weak| TenantInner {
            id: file.id.clone(),
            alias_url: format!("{public_base_url}/{}/authn/token", file.id),
            config,
            backends: Backends {
                clients,
                store: parts.store,
                signer: parts.signer,
                users,
                device: Arc::new(DemoDevice::new(weak.clone(), behaviours, inbox.clone())),
                notifier: parts.notifier,
                grants,
            },
            sessions: Sessions::new(options.max_sessions, options.session_ttl_secs),
            inbox,
            discovery: Bytes::from(discovery.to_string()),
            jwks: Bytes::from(jwks.to_string()),
            cookie_path,
            secure_cookies,
            session_ttl: options.session_ttl_secs,
        });
        Ok(Tenant(inner))
    }

    /// The tenant id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// The engine configuration (issuer, endpoint URLs, lifetimes).
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The backends the flows run against.
    #[must_use]
    pub fn backends(&self) -> &Backends {
        &self.0.backends
    }

    /// Reports the user's decision on a CIBA request (CIBA section 5): what a real
    /// authentication device calls when the user has approved or denied.
    pub async fn decide(&self, auth_req_id: &str, verdict: Verdict) -> DecisionOutcome {
        decide(&self.0, auth_req_id, verdict).await
    }

    /// Handles a request to one of the tenant's routes. Each route's future is boxed on
    /// its own, so a request allocates and moves only the state of its own handler (a token
    /// request's is half the size of the largest, the authorization endpoint's).
    pub(crate) fn handle(&self, route: Route, inc: Incoming) -> BoxFuture<'_, Resp> {
        let t = &self.0;
        match route {
            Route::Discovery => Box::pin(std::future::ready(http_util::json_bytes(
                t.discovery.clone(),
                "public, max-age=300",
            ))),
            Route::Jwks => Box::pin(std::future::ready(http_util::json_bytes(
                t.jwks.clone(),
                "public, max-age=300",
            ))),
            Route::Token => Box::pin(async move { t.token(&inc, false).await }),
            Route::HidToken => Box::pin(async move { t.token(&inc, true).await }),
            Route::Ciba => Box::pin(async move { t.ciba(&inc).await }),
            Route::Par => Box::pin(async move { t.par(&inc).await }),
            Route::Authorize => Box::pin(async move { t.authorize(&inc).await }),
            Route::Device => Box::pin(async move { t.device(&inc).await }),
            Route::Introspect => Box::pin(async move { t.introspect(&inc).await }),
            Route::Revoke => Box::pin(async move { t.revoke(&inc).await }),
        }
    }
}

/// The cookie path (`{base path}/{tenant}`) and whether cookies are `Secure`.
fn cookie_scope(public_base_url: &str, tenant: &str) -> (String, bool) {
    let secure = public_base_url.starts_with("https://");
    let rest = public_base_url
        .strip_prefix("https://")
        .or_else(|| public_base_url.strip_prefix("http://"))
        .unwrap_or(public_base_url);
    let path = rest
        .find('/')
        .map_or("", |i| rest.get(i..).unwrap_or_default());
    (format!("{}/{tenant}", path.trim_end_matches('/')), secure)
}

/// Records a device decision; see [`Tenant::decide`].
pub(crate) async fn decide(
    t: &TenantInner,
    auth_req_id: &str,
    verdict: Verdict,
) -> DecisionOutcome {
    let now = now();
    let (step, what) = match verdict {
        Verdict::Approve(s) => (Decision::approve(auth_req_id, s, now), "approve"),
        Verdict::Deny => (Decision::deny(auth_req_id, now), "deny"),
    };
    let outcome = driver::drive_decision(step, &t.backends).await;
    if !matches!(outcome, DecisionOutcome::HostFailure(_)) {
        t.inbox.remove(auth_req_id);
    }
    tracing::info!(tenant = %t.id, endpoint = "device", decision = what, outcome = ?outcome, "ciba decision");
    outcome
}

/// Logs a flow's outcome: the typed reason, never a secret.
pub(crate) fn log_outcome(tenant: &str, endpoint: &str, outcome: &Outcome) {
    match outcome {
        Outcome::Succeeded { client_id, what } => {
            tracing::info!(tenant, endpoint, client_id = ?client_id, what = %what, "succeeded");
        }
        Outcome::Rejected {
            client_id,
            error,
            reason,
        } => {
            tracing::info!(tenant, endpoint, client_id = ?client_id, error = error.code.as_str(), reason = ?reason, "rejected");
        }
        other => tracing::info!(tenant, endpoint, outcome = ?other, "done"),
    }
}

/// The engine's view of an HTTP request.
fn engine_request<'b>(
    inc: &'b Incoming,
    body: &'b [u8],
    cert: Option<&'b [u8]>,
) -> HttpRequest<'b> {
    let method = match inc.method {
        http::Method::GET => Method::Get,
        http::Method::POST => Method::Post,
        _ => Method::Other,
    };
    let mut r = HttpRequest::new(method)
        .body(body)
        .query(inc.query.as_str());
    for (name, value) in &inc.headers {
        r = r.header(name.as_str(), value.as_bytes());
    }
    if let Some(der) = cert {
        r = r.client_certificate(der);
    }
    r
}

/// Host-only fields of the login, consent and device forms, never handed to the engine.
#[derive(Debug, Default)]
struct HostFields {
    username: Option<String>,
    password: Option<String>,
    decision: Option<String>,
    csrf: Option<String>,
}

const HOST_FIELDS: [&str; 4] = ["username", "password", "decision", "csrf"];

/// Splits a posted form into the host's fields and a re-encoded body of the rest. A body
/// that is not a valid form goes to the engine untouched (it refuses it).
fn split_form(body: &[u8], limits: &oauth_core::limits::Limits) -> (Vec<u8>, HostFields) {
    let Ok(form) = Form::parse(body, limits) else {
        return (body.to_vec(), HostFields::default());
    };
    let get = |k: &str| form.get(k).map(str::to_owned);
    let fields = HostFields {
        username: get("username"),
        password: get("password"),
        decision: get("decision"),
        csrf: get("csrf"),
    };
    let rest = form.iter().filter(|(k, _)| !HOST_FIELDS.contains(k));
    (http_util::encode_form(rest).into_bytes(), fields)
}

impl TenantInner {
    /// The client certificate to hand the engine. A certificate the TLS layer did not
    /// validate against a CA proves possession of a key only, so it is withheld from
    /// `tls_client_auth` clients (whose registration names a subject, which anyone can
    /// put in a self-signed certificate); `self_signed_tls_client_auth` clients get it.
    async fn usable_certificate<'b>(&self, inc: &'b Incoming) -> Option<&'b [u8]> {
        let cert = inc.certificate.as_ref()?;
        if cert.chain_verified {
            return Some(&cert.der);
        }
        let form = Form::parse(&inc.body, &self.config.limits).ok()?;
        let id = form.get("client_id")?;
        match self.backends.clients.client(id).await {
            Ok(Some(c)) if c.auth_method() == AuthMethod::TlsClientAuth => {
                tracing::info!(tenant = %self.id, client_id = ?id, "certificate not chain-validated: withheld from a tls_client_auth client");
                None
            }
            _ => Some(&cert.der),
        }
    }

    async fn token(&self, inc: &Incoming, alias: bool) -> Resp {
        let Ok(ctx) = context() else {
            return json_error(500, "server_error", "internal error");
        };
        let cert = self.usable_certificate(inc).await;
        let mut request = engine_request(inc, &inc.body, cert);
        if alias {
            request = request.endpoint_url(&self.alias_url);
        }
        let done = driver::drive_token(
            TokenEndpoint::start(&self.config, &request, ctx),
            &self.backends,
        )
        .await;
        log_outcome(
            &self.id,
            if alias { "authn_token" } else { "token" },
            &done.outcome,
        );
        http_util::from_engine(done.response)
    }

    async fn ciba(&self, inc: &Incoming) -> Resp {
        let Ok(ctx) = context() else {
            return json_error(500, "server_error", "internal error");
        };
        let cert = self.usable_certificate(inc).await;
        let request = engine_request(inc, &inc.body, cert);
        let done = driver::drive_ciba(
            BackchannelEndpoint::start(&self.config, &request, ctx),
            &self.backends,
        )
        .await;
        log_outcome(&self.id, "ciba", &done.outcome);
        http_util::from_engine(done.response)
    }

    async fn par(&self, inc: &Incoming) -> Resp {
        let Ok(ctx) = context() else {
            return json_error(500, "server_error", "internal error");
        };
        let cert = self.usable_certificate(inc).await;
        let request = engine_request(inc, &inc.body, cert);
        let done = driver::drive_par(
            ParEndpoint::start(&self.config, &request, ctx),
            &self.backends,
        )
        .await;
        log_outcome(&self.id, "par", &done.outcome);
        http_util::from_engine(done.response)
    }

    async fn introspect(&self, inc: &Incoming) -> Resp {
        let Ok(ctx) = context() else {
            return json_error(500, "server_error", "internal error");
        };
        let cert = self.usable_certificate(inc).await;
        let request = engine_request(inc, &inc.body, cert);
        let done = driver::drive_introspect(
            IntrospectEndpoint::start(&self.config, &request, ctx),
            &self.backends,
        )
        .await;
        log_outcome(&self.id, "introspect", &done.outcome);
        http_util::from_engine(done.response)
    }

    async fn revoke(&self, inc: &Incoming) -> Resp {
        let Ok(ctx) = context() else {
            return json_error(500, "server_error", "internal error");
        };
        let cert = self.usable_certificate(inc).await;
        let request = engine_request(inc, &inc.body, cert);
        let done = driver::drive_revoke(
            RevokeEndpoint::start(&self.config, &request, ctx),
            &self.backends,
        )
        .await;
        log_outcome(&self.id, "revoke", &done.outcome);
        http_util::from_engine(done.response)
    }

    fn session_of(&self, inc: &Incoming, now: u64) -> Option<(String, Session)> {
        let id = session::cookie_value(&inc.headers)?;
        let s = self.sessions.get(&id, now)?;
        Some((id, s))
    }

    fn set_cookie(&self, id: &str) -> String {
        session::set_cookie(id, &self.cookie_path, self.secure_cookies, self.session_ttl)
    }

    fn user_name(&self, sub: &str) -> String {
        self.backends
            .users
            .display_name(sub)
            .unwrap_or_else(|| sub.to_owned())
    }

    fn client_name(&self, client_id: &str) -> String {
        self.backends
            .clients
            .display_name(client_id)
            .unwrap_or_else(|| client_id.to_owned())
    }

    async fn authorize(&self, inc: &Incoming) -> Resp {
        let Ok(ctx) = context() else {
            return json_error(500, "server_error", "internal error");
        };
        let (body, posted) = if inc.method == http::Method::POST {
            split_form(&inc.body, &self.config.limits)
        } else {
            (Vec::new(), HostFields::default())
        };
        let mut ui = LoginUi {
            t: self,
            session: self.session_of(inc, ctx.now),
            posted,
            new_session: None,
            login_failed: false,
            just_logged_in: false,
            now: ctx.now,
        };
        let request = engine_request(inc, &body, None);
        let end = driver::drive_authorize(
            AuthorizeEndpoint::start(&self.config, &request, ctx),
            &self.backends,
            &mut ui,
        )
        .await;
        let cookie = ui.new_session.as_deref().map(|id| self.set_cookie(id));
        let mut response = match end {
            AuthorizeEnd::Done(done) => {
                log_outcome(&self.id, "authorize", &done.outcome);
                http_util::from_engine(done.response)
            }
            AuthorizeEnd::Interact(i) => {
                let client = self.client_name(&i.request.client_id);
                let scope = i.request.scope.to_string();
                let consent_session = match i.kind {
                    InteractionKind::Consent => ui.session.as_ref(),
                    _ => None,
                };
                tracing::info!(tenant = %self.id, endpoint = "authorize", client_id = ?i.request.client_id, kind = ?i.kind, login_failed = ui.login_failed, "interaction");
                match consent_session {
                    Some((_, s)) => html(
                        200,
                        pages::consent(
                            &client,
                            &self.user_name(&s.subject.sub),
                            &scope,
                            &i.resubmit,
                            &s.csrf,
                        ),
                    ),
                    None => {
                        let error = ui
                            .login_failed
                            .then_some("The username or password is incorrect.");
                        html(
                            200,
                            pages::login(
                                &self.id,
                                &client,
                                &scope,
                                i.request.login_hint.as_deref(),
                                &i.resubmit,
                                error,
                            ),
                        )
                    }
                }
            }
        };
        if let Some(c) = cookie
            && let Ok(v) = http::HeaderValue::from_str(&c)
        {
            response.headers_mut().append(http::header::SET_COOKIE, v);
        }
        response
    }

    async fn device(&self, inc: &Incoming) -> Resp {
        let now = now();
        let session = self.session_of(inc, now);
        if inc.method == http::Method::GET {
            let Some((_, s)) = session else {
                return html(200, pages::device_login(&self.id, None));
            };
            let notice = inc.query.split('&').find_map(|kv| match kv {
                "result=approved" => Some("Approved. The client can now obtain its tokens."),
                "result=denied" => Some("Denied. The client has been told."),
                "result=gone" => Some("That request is no longer pending (decided or expired)."),
                _ => None,
            });
            let pending: Vec<_> = self
                .inbox
                .for_user(&s.subject.sub, now)
                .into_iter()
                .map(|p| {
                    let name = self.client_name(&p.client_id);
                    (p, name)
                })
                .collect();
            let user = self.user_name(&s.subject.sub);
            return html(
                200,
                pages::device_list(&user, &pending, &s.csrf, notice, now),
            );
        }
        let Ok(form) = Form::parse(&inc.body, &self.config.limits) else {
            return html(
                400,
                pages::device_login(&self.id, Some("The form could not be read.")),
            );
        };
        if let (Some(u), Some(p)) = (form.get("username"), form.get("password")) {
            return match self.backends.users.verify_password(None, u, p, now).await {
                Ok(Some(subject)) => match self.sessions.create(subject, now) {
                    Ok((id, _)) => {
                        tracing::info!(tenant = %self.id, endpoint = "device", "signed in");
                        let mut r = redirect("device");
                        if let Ok(v) = http::HeaderValue::from_str(&self.set_cookie(&id)) {
                            r.headers_mut().append(http::header::SET_COOKIE, v);
                        }
                        r
                    }
                    Err(_) => json_error(503, "temporarily_unavailable", "too many sessions"),
                },
                Ok(None) => {
                    tracing::info!(tenant = %self.id, endpoint = "device", "sign-in refused");
                    html(
                        200,
                        pages::device_login(
                            &self.id,
                            Some("The username or password is incorrect."),
                        ),
                    )
                }
                Err(_) => json_error(
                    503,
                    "temporarily_unavailable",
                    "the user directory is unavailable",
                ),
            };
        }
        let Some((_, s)) = session else {
            return html(
                200,
                pages::device_login(&self.id, Some("Please sign in first.")),
            );
        };
        if form.get("csrf").is_none_or(|c| {
            !bool::from(subtle::ConstantTimeEq::ct_eq(
                c.as_bytes(),
                s.csrf.as_bytes(),
            ))
        }) {
            return html(
                403,
                pages::device_login(&self.id, Some("The form has expired; please try again.")),
            );
        }
        if form.get("signout").is_some() {
            if let Some((id, _)) = self.session_of(inc, now) {
                self.sessions.remove(&id);
            }
            let mut r = redirect("device");
            let expired = session::set_cookie("", &self.cookie_path, self.secure_cookies, 0);
            if let Ok(v) = http::HeaderValue::from_str(&expired) {
                r.headers_mut().append(http::header::SET_COOKIE, v);
            }
            return r;
        }
        let (Some(id), Some(decision)) = (form.get("request"), form.get("decision")) else {
            return redirect("device");
        };
        let Some(pending) = self.inbox.find(id, &s.subject.sub) else {
            return redirect("device?result=gone");
        };
        let verdict = match decision {
            "approve" => Verdict::Approve(Subject {
                sub: s.subject.sub.clone(),
                auth_time: Some(now),
                acr: None,
                amr: vec!["pwd".to_owned()],
            }),
            "deny" => Verdict::Deny,
            _ => return redirect("device"),
        };
        let approve = matches!(verdict, Verdict::Approve(_));
        match decide(self, &pending.auth_req_id, verdict).await {
            DecisionOutcome::Recorded { .. } if approve => redirect("device?result=approved"),
            DecisionOutcome::Recorded { .. } => redirect("device?result=denied"),
            DecisionOutcome::HostFailure(_) => {
                json_error(503, "temporarily_unavailable", "the store is unavailable")
            }
            _ => redirect("device?result=gone"),
        }
    }
}

/// The login page, sessions and consent, answering the authorization endpoint's user steps.
struct LoginUi<'t> {
    t: &'t TenantInner,
    session: Option<(String, Session)>,
    posted: HostFields,
    new_session: Option<String>,
    login_failed: bool,
    just_logged_in: bool,
    now: u64,
}

impl LoginUi<'_> {
    async fn authenticate_now(
        &mut self,
        client: Option<&Client>,
        request: &AuthorizationRequest,
    ) -> Result<Authentication, HostError> {
        let users = &self.t.backends.users;
        if self.posted.decision.as_deref() == Some("deny") {
            return Ok(Authentication::Refused);
        }
        if let (Some(u), Some(p)) = (
            self.posted.username.as_deref(),
            self.posted.password.as_deref(),
        ) {
            return match users.verify_password(client, u, p, self.now).await? {
                Some(subject) => {
                    let (id, s) = self.t.sessions.create(subject.clone(), self.now)?;
                    self.session = Some((id.clone(), s));
                    self.new_session = Some(id);
                    self.just_logged_in = true;
                    Ok(Authentication::Authenticated(subject))
                }
                None => {
                    self.login_failed = true;
                    Ok(Authentication::LoginNeeded)
                }
            };
        }
        if request.prompt.iter().any(|p| p == "login") {
            return Ok(Authentication::LoginNeeded);
        }
        if let Some((_, s)) = &self.session {
            return Ok(Authentication::Authenticated(s.subject.clone()));
        }
        if let Some(hint) = request.login_hint.as_deref()
            && let Some(subject) = users.auto_login(hint, self.now).await?
        {
            return Ok(Authentication::Authenticated(subject));
        }
        Ok(Authentication::LoginNeeded)
    }

    fn consent_now(&mut self, request: &AuthorizationRequest, subject: &Subject) -> ConsentAnswer {
        let record = |ui: &Self| {
            if let Some((id, _)) = &ui.session {
                ui.t.sessions
                    .add_consent(id, &request.client_id, &request.scope);
            }
        };
        if self.just_logged_in {
            // The login page listed the access; signing in there granted it.
            record(self);
            return ConsentAnswer::Granted;
        }
        if self.t.backends.users.consent_implied(&subject.sub) {
            return ConsentAnswer::Granted;
        }
        let csrf_ok = match (&self.session, self.posted.csrf.as_deref()) {
            (Some((_, s)), Some(c)) => bool::from(subtle::ConstantTimeEq::ct_eq(
                c.as_bytes(),
                s.csrf.as_bytes(),
            )),
            _ => false,
        };
        match self.posted.decision.as_deref() {
            Some("allow") if csrf_ok => {
                record(self);
                return ConsentAnswer::Granted;
            }
            Some("deny") if csrf_ok => return ConsentAnswer::Refused,
            _ => {}
        }
        if request.prompt.iter().any(|p| p == "consent") {
            return ConsentAnswer::Needed;
        }
        match &self.session {
            Some((_, s))
                if s.subject.sub == subject.sub
                    && s.has_consented(&request.client_id, &request.scope) =>
            {
                ConsentAnswer::Granted
            }
            _ => ConsentAnswer::Needed,
        }
    }
}

impl Interactor for LoginUi<'_> {
    fn authenticate<'a>(
        &'a mut self,
        client: Option<&'a Client>,
        request: &'a AuthorizationRequest,
    ) -> BoxFuture<'a, Result<Authentication, HostError>> {
        Box::pin(self.authenticate_now(client, request))
    }

    fn consent<'a>(
        &'a mut self,
        request: &'a AuthorizationRequest,
        subject: &'a Subject,
    ) -> BoxFuture<'a, Result<ConsentAnswer, HostError>> {
        let answer = self.consent_now(request, subject);
        Box::pin(std::future::ready(Ok(answer)))
    }
}
