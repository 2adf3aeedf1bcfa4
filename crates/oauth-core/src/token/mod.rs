//! The token endpoint (RFC 6749 sections 3.2, 4.1.3, 4.3, 4.4, 5 and 6; OpenID Connect
//! Core section 3.1.3; CIBA section 10).
//!
//! [`TokenEndpoint::start`] checks the request, then walks the host through
//! [`TokenStep`]s: find a Bearer client's token (HID profile), find the client, consume an
//! assertion's `jti`, then what the grant needs (take a code, take a refresh token, check a
//! password, carry out an extension grant), sign, persist, and finally [`TokenStep::Done`].

mod ciba;
mod extension;
mod grants;
mod issue;

use std::borrow::Cow;
use std::sync::Arc;

use crate::auth::{AuthFailure, Presented, Replay};
use crate::client::{Client, GrantType};
use crate::config::Config;
use crate::entropy::{Context, Entropy};
use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::form::Form;
use crate::hid::HidParams;
use crate::outcome::Done;
use crate::records::TokenInfo;
use crate::request::HttpRequest;
use crate::steps::sealed::{ClientFlow, Flow, PersistFlow, ReplayFlow, SignFlow, TokenLookupFlow};
use crate::steps::{CheckReplay, LookupClient, LookupToken, Persist, Sign, TokenTypeHint};

pub use ciba::{AUTH_REQ_ID_CLAIM, LoadCiba, SLOW_DOWN_STEP, TakeCiba, UpdateCiba};
pub use extension::{GrantAnswer, GrantError, GrantTokens, HandleExtensionGrant};
pub use grants::{
    CIBA_DELETE, LoadRefreshToken, PasswordCheck, RevokeGrant, TakeCode, TakeRefreshToken,
    VerifyPassword,
};
pub(crate) use issue::Issuance;

/// A step of the token endpoint.
#[must_use = "a dropped step abandons the request"]
pub enum TokenStep<'a> {
    /// Find the access token a client presented as `Authorization: Bearer` (HID profile).
    LookupToken(LookupToken<TokenFlow<'a>>),
    /// Find the client.
    LookupClient(LookupClient<TokenFlow<'a>>),
    /// Consume the client assertion's `jti`.
    CheckReplay(CheckReplay<TokenFlow<'a>>),
    /// Check the resource owner's credentials (password grant).
    VerifyPassword(VerifyPassword<'a>),
    /// Carry out a tenant's extension grant.
    ExtensionGrant(HandleExtensionGrant<'a>),
    /// Take an authorization code, atomically.
    TakeCode(TakeCode<'a>),
    /// Read a refresh token's record, without consuming it.
    LoadRefreshToken(LoadRefreshToken<'a>),
    /// Consume the presented refresh token, atomically, once the new tokens are ready.
    TakeRefreshToken(TakeRefreshToken<'a>),
    /// Load a CIBA request.
    LoadCiba(LoadCiba<'a>),
    /// Record a CIBA poll or deletion.
    UpdateCiba(UpdateCiba<'a>),
    /// Take an approved CIBA request, atomically.
    TakeCiba(TakeCiba<'a>),
    /// Revoke everything a replayed grant issued.
    RevokeGrant(RevokeGrant<'a>),
    /// Sign an ID token or a JWT access token.
    Sign(Sign<TokenFlow<'a>>),
    /// Save the issued tokens' records.
    Persist(Persist<TokenFlow<'a>>),
    /// Send this response.
    Done(Done),
}

/// The token endpoint.
pub struct TokenEndpoint;

/// The token request's own parameters, taken out of the form.
#[derive(Debug, Default)]
pub(crate) struct Params<'a> {
    pub(crate) scope: Option<Cow<'a, str>>,
    pub(crate) code: Option<Cow<'a, str>>,
    pub(crate) redirect_uri: Option<Cow<'a, str>>,
    pub(crate) code_verifier: Option<Cow<'a, str>>,
    pub(crate) refresh_token: Option<Cow<'a, str>>,
    pub(crate) username: Option<Cow<'a, str>>,
    pub(crate) password: Option<Cow<'a, str>>,
    pub(crate) auth_req_id: Option<Cow<'a, str>>,
}

/// The state of one token request. Reachable only inside steps.
///
/// It lives on the heap: a step carries it from the engine to the host and back several
/// times per request, and moving a pointer is cheaper than moving the state (about a
/// kilobyte) each time.
pub struct TokenFlow<'a>(Box<TokenState<'a>>);

/// The private home of [`TokenState`]: public, so that [`TokenFlow`] can dereference to it,
/// in a module nothing outside the crate can name.
mod state {
    use super::*;

    /// What a [`TokenFlow`] holds.
    pub struct TokenState<'a> {
        pub(crate) config: &'a Config,
        pub(crate) now: u64,
        pub(crate) entropy: Entropy,
        pub(crate) grant: GrantType,
        pub(crate) params: Params<'a>,
        pub(crate) auth: Presented<'a>,
        pub(crate) client: Option<Arc<Client>>,
        pub(crate) issuance: Option<Issuance>,
        /// The URL that received the request (the token endpoint or an alias).
        pub(crate) endpoint: &'a str,
        /// HID's custom parameters, under the HID profile.
        pub(crate) hid: Option<HidParams<'a>>,
        /// The parameters an extension grant declares, as present.
        pub(crate) extension: Vec<(&'a str, Cow<'a, str>)>,
    }
}
use state::TokenState;

impl TokenEndpoint {
    /// Checks the request (method, content type, size, form syntax, `grant_type`, the
    /// shape of client authentication) and returns the first step.
    pub fn start<'a>(
        config: &'a Config,
        request: &HttpRequest<'a>,
        context: Context,
    ) -> TokenStep<'a> {
        let reject = |e: OAuthError, r: Reason| TokenStep::Done(Done::reject(e, r, None, false));
        let body = match request.form_body(&config.limits) {
            Ok(b) => b,
            Err(Reason::Method) => {
                return reject(
                    OAuthError::new(ErrorCode::InvalidRequest, "the token endpoint takes POST"),
                    Reason::Method,
                );
            }
            Err(r) => {
                return reject(
                    OAuthError::new(
                        ErrorCode::InvalidRequest,
                        "body must be application/x-www-form-urlencoded within the size limit",
                    ),
                    r,
                );
            }
        };
        let mut form = match Form::parse(body, &config.limits) {
            Ok(f) => f,
            Err(e) => return reject(form_error(e), Reason::Form(e)),
        };
        let grant = match form.take("grant_type") {
            None => {
                return reject(
                    OAuthError::new(ErrorCode::InvalidRequest, "grant_type is required"),
                    Reason::MissingParameter("grant_type"),
                );
            }
            Some(g) => GrantType::parse(&g),
        };
        if !grants::is_supported(config, &grant) {
            return reject(
                OAuthError::new(
                    ErrorCode::UnsupportedGrantType,
                    "grant_type is not supported",
                ),
                Reason::UnsupportedGrantType,
            );
        }
        let auth = match Presented::extract_token(request, &mut form, config) {
            Ok(a) => a,
            Err((failure, basic)) => {
                let mut done =
                    Done::reject(failure.to_error(), Reason::ClientAuth(failure), None, basic);
                if crate::auth::tried_bearer(request, config) {
                    bearer_challenge(&mut done);
                }
                return TokenStep::Done(done);
            }
        };
        let hid = match config.profile {
            crate::config::Profile::Hid => match HidParams::take(&mut form) {
                Ok(h) => Some(h),
                Err(e) => return reject(e, Reason::InvalidParameter("hid parameter")),
            },
            crate::config::Profile::Standard => None,
        };
        let extension = match extension::spec(config, &grant) {
            Some(spec) => extension::take_parameters(spec, &mut form),
            None => Vec::new(),
        };
        let params = Params {
            scope: form.take("scope"),
            code: form.take("code"),
            redirect_uri: form.take("redirect_uri"),
            code_verifier: form.take("code_verifier"),
            refresh_token: form.take("refresh_token"),
            username: form.take("username"),
            password: form.take("password"),
            auth_req_id: form.take("auth_req_id"),
        };
        let flow = TokenFlow(Box::new(TokenState {
            config,
            now: context.now,
            entropy: Entropy::new(context.seed),
            grant,
            params,
            auth,
            client: None,
            issuance: None,
            endpoint: request.endpoint_url.unwrap_or(&config.endpoints.token),
            hid,
            extension,
        }));
        match flow.auth.bearer() {
            Some(hash) => TokenStep::LookupToken(LookupToken {
                hash: hash.clone(),
                hint: Some(TokenTypeHint::AccessToken),
                now: context.now,
                flow,
            }),
            None => TokenStep::LookupClient(LookupClient {
                now: context.now,
                flow,
            }),
        }
    }
}

/// A 401 to a client that tried Bearer challenges with Bearer (RFC 6749 section 5.2).
fn bearer_challenge(done: &mut Done) {
    for (name, value) in &mut done.response.headers {
        if name.eq_ignore_ascii_case("WWW-Authenticate") {
            *value = Cow::Borrowed(crate::auth::BEARER_CHALLENGE);
        }
    }
}

/// The wire error for a refused form.
pub(crate) fn form_error(e: crate::form::FormError) -> OAuthError {
    use crate::form::FormError;
    OAuthError::new(
        ErrorCode::InvalidRequest,
        match e {
            FormError::Repeated => "a parameter is included more than once",
            FormError::TooLarge => "request body too large",
            FormError::TooManyParameters => "too many parameters",
            FormError::ValueTooLong => "a parameter value is too long",
            FormError::PercentEncoding => "invalid percent-encoding",
            FormError::NotUtf8 => "parameters must be UTF-8",
        },
    )
}

impl<'a> std::ops::Deref for TokenFlow<'a> {
    type Target = TokenState<'a>;

    fn deref(&self) -> &TokenState<'a> {
        &self.0
    }
}

impl std::ops::DerefMut for TokenFlow<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<'a> TokenFlow<'a> {
    /// Ends the flow with an error.
    pub(crate) fn reject(&self, error: OAuthError, reason: Reason) -> TokenStep<'a> {
        let id = self
            .client
            .as_ref()
            .map(|c| c.id())
            .or(Some(self.auth.client_id()));
        self.challenge(Done::reject(error, reason, id, self.auth.used_basic))
    }

    /// Fixes the challenge of a 401 when the client used Bearer.
    pub(crate) fn challenge(&self, mut done: Done) -> TokenStep<'a> {
        if self.auth.used_bearer() {
            bearer_challenge(&mut done);
        }
        TokenStep::Done(done)
    }

    fn auth_failed(&self, failure: AuthFailure) -> TokenStep<'a> {
        self.reject(failure.to_error(), Reason::ClientAuth(failure))
    }

    /// The authenticated client. Only called after authentication.
    pub(crate) fn client(&self) -> Option<&Client> {
        self.client.as_deref()
    }
}

impl<'a> Flow for TokenFlow<'a> {
    type Step = TokenStep<'a>;

    fn fail(self, error: HostError) -> TokenStep<'a> {
        let id = self.client.as_ref().map(|c| c.id().to_owned());
        TokenStep::Done(Done::host_failure(error, id.as_deref()))
    }
}

impl<'a> ClientFlow for TokenFlow<'a> {
    fn client_id(&self) -> &str {
        self.auth.client_id()
    }

    fn client_found(mut self, client: Option<Arc<Client>>) -> TokenStep<'a> {
        let Some(client) = client else {
            return self.auth_failed(AuthFailure::UnknownClient);
        };
        let replay = self
            .auth
            .verify(&client, self.config, self.endpoint, self.now);
        self.client = Some(client);
        match replay {
            Err(f) => self.auth_failed(f),
            Ok(Some(replay)) => TokenStep::CheckReplay(CheckReplay { flow: self, replay }),
            Ok(None) => grants::dispatch(self),
        }
    }
}

impl<'a> ReplayFlow for TokenFlow<'a> {
    fn replay_checked(self, _replay: Replay, fresh: bool) -> TokenStep<'a> {
        if fresh {
            grants::dispatch(self)
        } else {
            self.auth_failed(AuthFailure::AssertionReplayed)
        }
    }
}

impl<'a> TokenLookupFlow for TokenFlow<'a> {
    /// The Bearer token's record: its client is the one to look up.
    fn token_found(mut self, token: Option<TokenInfo>) -> TokenStep<'a> {
        let now = self.now;
        match self.auth.bearer_found(token, now) {
            Ok(()) => TokenStep::LookupClient(LookupClient {
                now: self.now,
                flow: self,
            }),
            Err(f) => self.auth_failed(f),
        }
    }
}

impl<'a> SignFlow for TokenFlow<'a> {
    fn signed(self, input: String, signature: Vec<u8>) -> TokenStep<'a> {
        issue::signed(self, input, signature)
    }
}

impl<'a> PersistFlow for TokenFlow<'a> {
    fn persisted(self) -> TokenStep<'a> {
        issue::persisted(self)
    }
}
