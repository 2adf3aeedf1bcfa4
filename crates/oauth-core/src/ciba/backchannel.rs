//! The backchannel authentication endpoint (CIBA sections 7 and 13).

use std::borrow::Cow;
use std::sync::Arc;

use jwt_verify::{Audience, ClaimPolicy, Issuer, Token};

use super::{CibaRecord, CibaStatus};
use crate::auth::{AuthFailure, Presented, Replay};
use crate::client::{Client, DeliveryMode, GrantType};
use crate::config::Config;
use crate::entropy::{Context, Entropy};
use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::form::Form;
use crate::outcome::{Done, Outcome};
use crate::records::{GrantId, Record};
use crate::request::HttpRequest;
use crate::response::Response;
use crate::scope::Scope;
use crate::secret::TokenHash;
use crate::steps::sealed::{ClientFlow, Flow, PersistFlow, ReplayFlow};
use crate::steps::{CheckReplay, LookupClient, Persist};
use crate::token::form_error;

/// Longest accepted `binding_message`, in characters.
pub const MAX_BINDING_MESSAGE: usize = 64;
/// Longest accepted `client_notification_token`, in bytes (CIBA section 7.1 asks for at
/// least 128 bits; we bound it at 1024 bytes).
pub const MAX_NOTIFICATION_TOKEN: usize = 1024;
/// Longest accepted `login_hint` and `user_code`, in bytes.
pub const MAX_HINT: usize = 512;

/// A step of the backchannel authentication endpoint.
#[must_use = "a dropped step abandons the request"]
pub enum CibaStep<'a> {
    /// Find the client.
    LookupClient(LookupClient<CibaFlow<'a>>),
    /// Consume the client assertion's `jti`.
    CheckReplay(CheckReplay<CibaFlow<'a>>),
    /// Resolve the hint to a user.
    ResolveUser(ResolveUser<'a>),
    /// Save the request.
    Persist(Persist<CibaFlow<'a>>),
    /// Start authentication on the user's device.
    StartAuthentication(StartAuthentication<'a>),
    /// Send this response.
    Done(Done),
}

/// The backchannel authentication endpoint.
pub struct BackchannelEndpoint;

/// How the client identified the user: exactly one hint (CIBA section 7.1).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Hint {
    /// `login_hint`: an identifier the host understands (username, email, phone).
    LoginHint(String),
    /// The `sub` of a valid `id_token_hint` this server issued.
    IdTokenHint {
        /// The subject.
        sub: String,
    },
    /// The verified claims of a `login_hint_token`.
    LoginHintToken(serde_json::Value),
}

/// The host's answer to [`ResolveUser`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserLookup {
    /// The user, by `sub`.
    Found(String),
    /// No such user: `unknown_user_id`.
    Unknown,
    /// The `user_code` is wrong: `invalid_user_code`.
    InvalidUserCode,
}

#[derive(Debug)]
struct Params {
    scope: Scope,
    hint: Hint,
    binding_message: Option<String>,
    user_code: Option<String>,
    acr_values: Option<String>,
    notification_token: Option<String>,
    expires_in: u64,
}

/// The state of one backchannel request. Reachable only inside steps.
pub struct CibaFlow<'a> {
    config: &'a Config,
    now: u64,
    entropy: Entropy,
    auth: Presented<'a>,
    form: Form<'a>,
    client: Option<Arc<Client>>,
    params: Option<Params>,
    sub: Option<String>,
    auth_req_id: Option<String>,
    record: Option<CibaRecord>,
}

impl BackchannelEndpoint {
    /// Checks the request and returns the first step.
    pub fn start<'a>(
        config: &'a Config,
        request: &HttpRequest<'a>,
        context: Context,
    ) -> CibaStep<'a> {
        let reject = |e: OAuthError, r: Reason| CibaStep::Done(Done::reject(e, r, None, false));
        let body = match request.form_body(&config.limits) {
            Ok(b) => b,
            Err(r) => {
                return reject(
                    OAuthError::new(
                        ErrorCode::InvalidRequest,
                        "POST an application/x-www-form-urlencoded body within the size limit",
                    ),
                    r,
                );
            }
        };
        let mut form = match Form::parse(body, &config.limits) {
            Ok(f) => f,
            Err(e) => return reject(form_error(e), Reason::Form(e)),
        };
        let auth = match Presented::extract(request, &mut form, config) {
            Ok(a) => a,
            Err((failure, basic)) => {
                return CibaStep::Done(Done::reject(
                    failure.to_error(),
                    Reason::ClientAuth(failure),
                    None,
                    basic,
                ));
            }
        };
        CibaStep::LookupClient(LookupClient {
            now: context.now,
            flow: CibaFlow {
                config,
                now: context.now,
                entropy: Entropy::new(context.seed),
                auth,
                form,
                client: None,
                params: None,
                sub: None,
                auth_req_id: None,
                record: None,
            },
        })
    }
}

fn invalid_request(description: &'static str, reason: Reason) -> (OAuthError, Reason) {
    (
        OAuthError::new(ErrorCode::InvalidRequest, description),
        reason,
    )
}

impl<'a> CibaFlow<'a> {
    fn reject(&self, error: OAuthError, reason: Reason) -> CibaStep<'a> {
        let id = self
            .client
            .as_ref()
            .map(|c| c.id())
            .or(Some(self.auth.client_id()));
        CibaStep::Done(Done::reject(error, reason, id, self.auth.used_basic))
    }

    /// CIBA section 7.1 checks, after authentication.
    fn validate(mut self) -> CibaStep<'a> {
        let Some(client) = self.client.clone() else {
            return self.fail(HostError::Internal);
        };
        match self.params(&client) {
            Ok(p) => {
                self.params = Some(p);
                CibaStep::ResolveUser(ResolveUser { flow: self })
            }
            Err((e, r)) => self.reject(e, r),
        }
    }

    fn params(&mut self, client: &Client) -> Result<Params, (OAuthError, Reason)> {
        // CIBA section 7.1: the client must authenticate, so public clients are refused.
        let registered = client.has_grant(&GrantType::Ciba) && client.is_confidential();
        let Some(mode) = client.delivery_mode().filter(|_| registered) else {
            return Err((
                OAuthError::new(
                    ErrorCode::UnauthorizedClient,
                    "the client is not registered for CIBA",
                ),
                Reason::GrantNotRegistered,
            ));
        };
        let form = &mut self.form;
        if form.has("request") {
            return Err(invalid_request(
                "signed authentication requests are not supported",
                Reason::InvalidParameter("request"),
            ));
        }
        let scope = match form.take("scope") {
            None => {
                return Err(invalid_request(
                    "scope is required",
                    Reason::MissingParameter("scope"),
                ));
            }
            Some(s) => Scope::parse(&s).map_err(|_| {
                (
                    OAuthError::new(ErrorCode::InvalidScope, "scope is malformed"),
                    Reason::InvalidParameter("scope"),
                )
            })?,
        };
        if !scope.contains("openid") {
            return Err(invalid_request(
                "scope must contain openid",
                Reason::InvalidParameter("scope"),
            ));
        }
        if !scope.is_subset_of(client.scope()) {
            return Err((
                OAuthError::new(
                    ErrorCode::InvalidScope,
                    "scope exceeds what the client may request",
                ),
                Reason::ScopeNotAllowed,
            ));
        }
        let hints = [
            form.take("login_hint"),
            form.take("id_token_hint"),
            form.take("login_hint_token"),
        ];
        if hints.iter().filter(|h| h.is_some()).count() != 1 {
            return Err(invalid_request(
                "exactly one of login_hint, id_token_hint and login_hint_token is required",
                Reason::InvalidParameter("login_hint"),
            ));
        }
        let [login_hint, id_token_hint, login_hint_token] = hints;
        let binding_message = form.take("binding_message").map(Cow::into_owned);
        if binding_message
            .as_ref()
            .is_some_and(|m| !binding_message_ok(m))
        {
            return Err((
                OAuthError::new(
                    ErrorCode::InvalidBindingMessage,
                    "binding_message is too long or has control characters",
                ),
                Reason::InvalidParameter("binding_message"),
            ));
        }
        let notification_token = form.take("client_notification_token").map(Cow::into_owned);
        match (&notification_token, mode) {
            (None, DeliveryMode::Ping) => {
                return Err(invalid_request(
                    "client_notification_token is required in ping mode",
                    Reason::MissingParameter("client_notification_token"),
                ));
            }
            (Some(t), _) if t.len() > MAX_NOTIFICATION_TOKEN || !is_b64token(t) => {
                return Err(invalid_request(
                    "client_notification_token must be an RFC 6750 Bearer token of at most 1024 bytes",
                    Reason::InvalidParameter("client_notification_token"),
                ));
            }
            _ => {}
        }
        let ciba = &self.config.ciba;
        let expires_in = match form.take("requested_expiry") {
            None => ciba.expires_in,
            Some(v) => match parse_seconds(&v) {
                Some(n) => n.min(ciba.max_expires_in),
                None => {
                    return Err(invalid_request(
                        "requested_expiry must be a positive integer",
                        Reason::InvalidParameter("requested_expiry"),
                    ));
                }
            },
        };
        let user_code = form.take("user_code").map(Cow::into_owned);
        if client.uses_user_code() && ciba.user_code_supported && user_code.is_none() {
            return Err((
                OAuthError::new(ErrorCode::MissingUserCode, "user_code is required"),
                Reason::MissingParameter("user_code"),
            ));
        }
        if user_code.as_ref().is_some_and(|c| c.len() > MAX_HINT) {
            return Err((
                OAuthError::new(ErrorCode::InvalidUserCode, "user_code is invalid"),
                Reason::InvalidParameter("user_code"),
            ));
        }
        let acr_values = form.take("acr_values").map(Cow::into_owned);
        let hint = if let Some(h) = login_hint {
            if h.len() > MAX_HINT {
                return Err(invalid_request(
                    "login_hint is too long",
                    Reason::InvalidParameter("login_hint"),
                ));
            }
            Hint::LoginHint(h.into_owned())
        } else if let Some(t) = id_token_hint {
            self.id_token_hint(&t, client)?
        } else if let Some(t) = login_hint_token {
            self.login_hint_token(&t, client)?
        } else {
            return Err(invalid_request(
                "a hint is required",
                Reason::MissingParameter("login_hint"),
            ));
        };
        Ok(Params {
            scope,
            hint,
            binding_message,
            user_code,
            acr_values,
            notification_token,
            expires_in,
        })
    }

    /// An ID token this server issued to this client; it may have expired (CIBA section 7.1).
    fn id_token_hint(&self, jwt: &str, client: &Client) -> Result<Hint, (OAuthError, Reason)> {
        let bad = || {
            invalid_request(
                "id_token_hint is invalid",
                Reason::InvalidParameter("id_token_hint"),
            )
        };
        let keys = self.config.own_keys.as_ref().ok_or_else(bad)?;
        let aud = [client.id()];
        let policy = ClaimPolicy::new(
            Issuer::Exactly(&self.config.issuer),
            Audience::AnyOf(&aud),
            self.now,
        )
        .allow_expired()
        .max_lifetime(None);
        let verified = jwt_verify::verify(jwt, keys, &policy).map_err(|_| bad())?;
        let claims = policy.check(&verified).map_err(|_| bad())?;
        let sub = claims.sub.ok_or_else(bad)?.into_owned();
        Ok(Hint::IdTokenHint { sub })
    }

    /// A JWT from the client, signed with its registered keys or MACed with its secret.
    fn login_hint_token(&self, jwt: &str, client: &Client) -> Result<Hint, (OAuthError, Reason)> {
        let bad = || {
            invalid_request(
                "login_hint_token is invalid",
                Reason::InvalidParameter("login_hint_token"),
            )
        };
        let token = Token::parse(jwt).map_err(|_| bad())?;
        let alg = token.header().alg();
        let verified = if alg.is_symmetric() {
            let key = client.secret_key(alg).ok_or_else(bad)?;
            token.verify(&key)
        } else {
            let keys = client.keys().ok_or_else(bad)?;
            token.verify_with_set(keys)
        }
        .map_err(|_| bad())?;
        let audiences = [
            self.config.issuer.as_str(),
            self.config.endpoints.backchannel.as_str(),
        ];
        let policy = ClaimPolicy::new(
            Issuer::Exactly(client.id()),
            Audience::AnyOf(&audiences),
            self.now,
        )
        .leeway(self.config.leeway)
        .max_lifetime(Some(self.config.max_assertion_lifetime));
        policy.check(&verified).map_err(|_| bad())?;
        let claims: serde_json::Value = verified.claims().map_err(|_| bad())?;
        Ok(Hint::LoginHintToken(claims))
    }

    fn user_resolved(mut self, lookup: UserLookup) -> CibaStep<'a> {
        let sub = match lookup {
            UserLookup::Found(sub) => sub,
            UserLookup::Unknown => {
                return self.reject(
                    OAuthError::new(
                        ErrorCode::UnknownUserId,
                        "the hint does not identify a known user",
                    ),
                    Reason::Host("unknown user"),
                );
            }
            UserLookup::InvalidUserCode => {
                return self.reject(
                    OAuthError::new(ErrorCode::InvalidUserCode, "user_code is invalid"),
                    Reason::Host("invalid user_code"),
                );
            }
        };
        let (Some(client), Some(params)) = (self.client.clone(), self.params.as_ref()) else {
            return self.fail(HostError::Internal);
        };
        let auth_req_id = self.entropy.token();
        let record = CibaRecord {
            client_id: client.id().to_owned(),
            sub: sub.clone(),
            scope: params.scope.clone(),
            acr_values: params.acr_values.clone(),
            binding_message: params.binding_message.clone(),
            expires_at: self.now.saturating_add(params.expires_in),
            interval: self.config.ciba.interval,
            last_poll: None,
            status: CibaStatus::Pending,
            delivery: client.delivery_mode().unwrap_or(DeliveryMode::Poll),
            notification_token: params.notification_token.clone(),
            grant_id: GrantId(self.entropy.id()),
            consumed: false,
        };
        let records = vec![Record::Ciba(TokenHash::of(&auth_req_id), record.clone())];
        self.sub = Some(sub);
        self.auth_req_id = Some(auth_req_id);
        self.record = Some(record);
        CibaStep::Persist(Persist {
            flow: self,
            records,
        })
    }

    fn respond(self) -> CibaStep<'a> {
        #[derive(serde::Serialize)]
        struct Body<'b> {
            auth_req_id: &'b str,
            expires_in: u64,
            interval: u64,
        }
        let (Some(id), Some(record)) = (self.auth_req_id.as_deref(), self.record.as_ref()) else {
            return self.fail(HostError::Internal);
        };
        let response = Response::json(
            200,
            &Body {
                auth_req_id: id,
                expires_in: record.expires_at.saturating_sub(self.now),
                interval: record.interval,
            },
        );
        CibaStep::Done(Done {
            response,
            outcome: Outcome::Succeeded {
                client_id: self.client.as_ref().map(|c| c.id().to_owned()),
                what: Cow::Borrowed("backchannel authentication started"),
            },
        })
    }
}

/// CIBA section 7.1: short, and displayable (no control characters).
fn binding_message_ok(m: &str) -> bool {
    m.chars().count() <= MAX_BINDING_MESSAGE && !m.chars().any(char::is_control)
}

/// A positive integer of seconds, as `requested_expiry` must be (a string in a form);
/// values beyond `u64` saturate (the caller caps them anyway).
fn parse_seconds(v: &str) -> Option<u64> {
    if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = v.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    });
    (n > 0).then_some(n)
}

/// RFC 6750 section 2.1 `b64token`, which CIBA section 7.1 requires of
/// `client_notification_token` (it is sent back as a Bearer credential).
fn is_b64token(t: &str) -> bool {
    let body = t.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

impl<'a> Flow for CibaFlow<'a> {
    type Step = CibaStep<'a>;

    fn fail(self, error: HostError) -> CibaStep<'a> {
        let id = self.client.as_ref().map(|c| c.id().to_owned());
        CibaStep::Done(Done::host_failure(error, id.as_deref()))
    }
}

impl<'a> ClientFlow for CibaFlow<'a> {
    fn client_id(&self) -> &str {
        self.auth.client_id()
    }

    fn client_found(mut self, client: Option<Arc<Client>>) -> CibaStep<'a> {
        let Some(client) = client else {
            let f = AuthFailure::UnknownClient;
            return self.reject(f.to_error(), Reason::ClientAuth(f));
        };
        let endpoint = self.config.endpoints.backchannel.as_str();
        let replay = self.auth.verify(&client, self.config, endpoint, self.now);
        self.client = Some(client);
        match replay {
            Err(f) => self.reject(f.to_error(), Reason::ClientAuth(f)),
            Ok(Some(replay)) => CibaStep::CheckReplay(CheckReplay { flow: self, replay }),
            Ok(None) => self.validate(),
        }
    }
}

impl<'a> ReplayFlow for CibaFlow<'a> {
    fn replay_checked(self, _replay: Replay, fresh: bool) -> CibaStep<'a> {
        if fresh {
            self.validate()
        } else {
            let f = AuthFailure::AssertionReplayed;
            self.reject(f.to_error(), Reason::ClientAuth(f))
        }
    }
}

impl<'a> PersistFlow for CibaFlow<'a> {
    fn persisted(self) -> CibaStep<'a> {
        CibaStep::StartAuthentication(StartAuthentication { flow: self })
    }
}

/// Resolve the hint to a user, and check the `user_code` if one was sent.
#[must_use = "a dropped step abandons the request"]
pub struct ResolveUser<'a> {
    flow: CibaFlow<'a>,
}

impl<'a> ResolveUser<'a> {
    /// The authenticated client.
    #[must_use]
    pub fn client(&self) -> Option<&Client> {
        self.flow.client.as_deref()
    }

    /// The hint.
    #[must_use]
    pub fn hint(&self) -> Option<&Hint> {
        self.flow.params.as_ref().map(|p| &p.hint)
    }

    /// The `user_code`, if sent.
    #[must_use]
    pub fn user_code(&self) -> Option<&str> {
        self.flow
            .params
            .as_ref()
            .and_then(|p| p.user_code.as_deref())
    }

    /// Answers with the lookup's result.
    pub fn resume(self, lookup: UserLookup) -> CibaStep<'a> {
        self.flow.user_resolved(lookup)
    }

    /// The directory could not answer.
    pub fn fail(self, error: HostError) -> CibaStep<'a> {
        self.flow.fail(error)
    }
}

/// Start authentication on the user's device: show the binding message and the scope, and
/// report the user's decision later through [`super::Decision`].
#[must_use = "a dropped step abandons the request"]
pub struct StartAuthentication<'a> {
    flow: CibaFlow<'a>,
}

impl<'a> StartAuthentication<'a> {
    /// The request's id, which the decision refers to.
    #[must_use]
    pub fn auth_req_id(&self) -> &str {
        self.flow.auth_req_id.as_deref().unwrap_or_default()
    }

    /// The saved request.
    #[must_use]
    pub fn request(&self) -> Option<&CibaRecord> {
        self.flow.record.as_ref()
    }

    /// Answers once the device has been asked.
    pub fn resume(self) -> CibaStep<'a> {
        self.flow.respond()
    }

    /// The device could not be reached.
    pub fn fail(self, error: HostError) -> CibaStep<'a> {
        self.flow.fail(error)
    }
}
