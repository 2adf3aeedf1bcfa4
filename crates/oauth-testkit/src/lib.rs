//! Runs `oauth-core` flows in tests: an in-memory store that honours the store duties, a
//! virtual clock, seeded randomness, users, a signing key, and helpers that mint client
//! credentials the way real clients do.
#![forbid(unsafe_code)]

mod browser;
mod store;

use std::collections::HashMap;
use std::sync::Arc;

use base64ct::{Base64, Encoding};
use jwt_verify::{Algorithm, SigningKey};
use oauth_core::auth::Replay;
use oauth_core::drive::{self, Backend};
use oauth_core::records::{
    ChallengeMethod, CodeChallenge, CodeRecord, GrantId, Record, RefreshRecord, Revocation,
    Subject, Taken,
};
use oauth_core::secret::TokenHash;
use oauth_core::{
    Client, ClientMetadata, Config, Context, Done, HostError, HttpRequest, SigningSpec,
    TokenEndpoint,
};
use sha2::{Digest, Sha256};

pub use browser::{
    PAR_RSA_KEY_PEM, Redirect, error_page_code, error_page_code_of, form_post_of, html_unescape,
    parse_pairs, percent_decode, redirect_of,
};
pub use store::MemoryStore;

/// The issuer every test tenant uses.
pub const ISSUER: &str = "https://as.example.com/t1/as";
/// Its token endpoint.
pub const TOKEN_ENDPOINT: &str = "https://as.example.com/t1/as/token";
/// The start of virtual time (2023-11-14T22:13:20Z).
pub const EPOCH: u64 = 1_700_000_000;

/// One tenant with its clients, users, store, signing key and virtual clock.
pub struct TestKit {
    /// The tenant configuration; change it before running requests.
    pub config: Config,
    /// The virtual clock, seconds since the epoch.
    pub now: u64,
    /// The records saved.
    pub store: MemoryStore,
    /// The key ID tokens and JWT access tokens are signed with.
    pub signer: SigningKey,
    /// Steps answered so far, by name, for tests that check what the engine asked.
    pub steps: Vec<&'static str>,
    /// When set, every host answer of this step kind fails with this error.
    pub fail_step: Option<(&'static str, HostError)>,
    /// CIBA requests the engine asked to start on a device: `(auth_req_id, request)`.
    pub started: Vec<(String, oauth_core::ciba::CibaRecord)>,
    /// Ping notifications sent: `(client_id, bearer token, body)`.
    pub notifications: Vec<(String, String, String)>,
    /// Whether notified clients acknowledge.
    pub notify_ok: bool,
    /// The user the authorization endpoint finds logged in (`None`: a login page is due).
    pub session: Option<Subject>,
    /// The consent answer the authorization endpoint gets.
    pub consent: oauth_core::authorize::ConsentAnswer,
    /// How the host answers extension grants; `None`: the step fails (`server_error`).
    pub extension_host: Option<ExtensionHost>,
    /// The extension grant requests the host was asked to carry out.
    pub extension_seen: Vec<SeenGrant>,
    /// Users whose password check is refused with this HID failure detail.
    pub password_failures: HashMap<String, oauth_core::hid::HidFailure>,
    /// The HID parameters each password check saw.
    pub password_hid: Vec<Option<oauth_core::hid::HidParams<'static>>>,
    clients: HashMap<String, Arc<Client>>,
    users: HashMap<String, (String, Subject)>,
    counter: u64,
}

/// A test host's answer to extension grants.
pub type ExtensionHost = Box<dyn FnMut(&SeenGrant) -> oauth_core::token::GrantAnswer>;

/// What the host was handed for one extension grant request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenGrant {
    /// The `grant_type`.
    pub grant_type: String,
    /// The authenticated client.
    pub client_id: String,
    /// The declared parameters present, in declaration order.
    pub parameters: Vec<(String, String)>,
    /// The checked scope.
    pub scope: String,
    /// HID's custom parameters, under the HID profile.
    pub hid: Option<oauth_core::hid::HidParams<'static>>,
}

impl SeenGrant {
    /// A declared parameter, or one of HID's.
    #[must_use]
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .or_else(|| self.hid.as_ref().and_then(|h| h.get(name)))
    }
}

impl Default for TestKit {
    fn default() -> Self {
        Self::new()
    }
}

impl TestKit {
    /// A tenant signing with ES256, at [`EPOCH`].
    #[must_use]
    pub fn new() -> Self {
        // 0x2a2a..2a is below the P-256 group order, so this cannot fail.
        #[allow(clippy::expect_used)]
        let signer = SigningKey::generate_es256(&[42; 32])
            .expect("a fixed valid P-256 scalar")
            .with_kid("es-1");
        let config = Config::new(
            ISSUER,
            SigningSpec {
                alg: Algorithm::ES256,
                kid: Some("es-1".to_owned()),
            },
        );
        TestKit {
            config,
            now: EPOCH,
            store: MemoryStore::default(),
            signer,
            steps: Vec::new(),
            fail_step: None,
            started: Vec::new(),
            notifications: Vec::new(),
            notify_ok: true,
            session: None,
            consent: oauth_core::authorize::ConsentAnswer::Granted,
            extension_host: None,
            extension_seen: Vec::new(),
            password_failures: HashMap::new(),
            password_hid: Vec::new(),
            clients: HashMap::new(),
            users: HashMap::new(),
            counter: 0,
        }
    }

    /// Stores an access token as if it had been issued by `grant_type` to `client_id`,
    /// valid for `ttl` seconds from now (for tokens taken from documentation samples).
    pub fn store_access_token(&mut self, token: &str, client_id: &str, grant_type: &str, ttl: u64) {
        self.counter += 1;
        let record = oauth_core::records::AccessRecord {
            client_id: client_id.to_owned(),
            scope: oauth_core::scope::Scope::default(),
            sub: None,
            grant_id: GrantId(format!("grant-{}", self.counter)),
            grant_type: grant_type.to_owned(),
            issued_at: self.now,
            expires_at: self.now + ttl,
        };
        self.store
            .save(&[Record::Access(TokenHash::of(token), record)]);
    }

    /// Registers a client from metadata given as JSON (RFC 7591 names).
    ///
    /// # Panics
    /// When the metadata is refused: a test setup error.
    #[allow(clippy::panic)]
    pub fn register(&mut self, metadata: serde_json::Value) -> Arc<Client> {
        let meta: ClientMetadata = match serde_json::from_value(metadata) {
            Ok(m) => m,
            Err(e) => panic!("bad test metadata: {e}"),
        };
        match Client::from_metadata(&meta) {
            Ok(c) => {
                let c = Arc::new(c);
                self.clients.insert(meta.client_id, c.clone());
                c
            }
            Err(e) => panic!("client refused: {e}"),
        }
    }

    /// Adds a user for the password grant.
    pub fn add_user(&mut self, username: &str, password: &str, sub: &str) {
        self.users.insert(
            username.to_owned(),
            (
                password.to_owned(),
                Subject {
                    sub: sub.to_owned(),
                    auth_time: Some(self.now),
                    acr: None,
                    amr: vec!["pwd".to_owned()],
                },
            ),
        );
    }

    /// Moves the virtual clock forward.
    pub fn advance(&mut self, seconds: u64) {
        self.now += seconds;
    }

    /// A fresh context: the virtual time and a seed that differs per request.
    pub fn context(&mut self) -> Context {
        self.counter += 1;
        let seed: [u8; 32] = Sha256::digest(self.counter.to_le_bytes()).into();
        Context {
            now: self.now,
            seed,
        }
    }

    /// Runs a token request to its end.
    pub fn token_request(&mut self, request: &HttpRequest<'_>) -> Done {
        let config = self.config.clone();
        let ctx = self.context();
        let step = TokenEndpoint::start(&config, request, ctx);
        drive::drive_token(step, self)
    }

    /// POSTs a form to the token endpoint, with an optional `Authorization` value.
    pub fn post_token(&mut self, form: &[(&str, &str)], authorization: Option<&str>) -> Reply {
        let body = encode_form(form);
        let mut request = HttpRequest::post(body.as_bytes())
            .header("Content-Type", b"application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            request = request.header("Authorization", a.as_bytes());
        }
        Reply::from(self.token_request(&request))
    }

    /// POSTs a form to the backchannel authentication endpoint.
    pub fn post_ciba(&mut self, form: &[(&str, &str)], authorization: Option<&str>) -> Reply {
        let body = encode_form(form);
        let mut request = HttpRequest::post(body.as_bytes())
            .header("Content-Type", b"application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            request = request.header("Authorization", a.as_bytes());
        }
        let config = self.config.clone();
        let ctx = self.context();
        let step = oauth_core::ciba::BackchannelEndpoint::start(&config, &request, ctx);
        Reply::from(drive::drive_ciba(step, self))
    }

    /// POSTs a form to the PAR endpoint.
    pub fn post_par(&mut self, form: &[(&str, &str)], authorization: Option<&str>) -> Reply {
        let body = encode_form(form);
        let mut request = HttpRequest::post(body.as_bytes())
            .header("Content-Type", b"application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            request = request.header("Authorization", a.as_bytes());
        }
        let config = self.config.clone();
        let ctx = self.context();
        let step = oauth_core::authorize::ParEndpoint::start(&config, &request, ctx);
        Reply::from(drive::drive_par(step, self))
    }

    /// POSTs a form to the introspection endpoint.
    pub fn post_introspect(&mut self, form: &[(&str, &str)], authorization: Option<&str>) -> Reply {
        let body = encode_form(form);
        let mut request = HttpRequest::post(body.as_bytes())
            .header("Content-Type", b"application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            request = request.header("Authorization", a.as_bytes());
        }
        let config = self.config.clone();
        let ctx = self.context();
        let step = oauth_core::introspect::IntrospectEndpoint::start(&config, &request, ctx);
        Reply::from(drive::drive_introspect(step, self))
    }

    /// POSTs a form to the revocation endpoint.
    pub fn post_revoke(&mut self, form: &[(&str, &str)], authorization: Option<&str>) -> Reply {
        let body = encode_form(form);
        let mut request = HttpRequest::post(body.as_bytes())
            .header("Content-Type", b"application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            request = request.header("Authorization", a.as_bytes());
        }
        let config = self.config.clone();
        let ctx = self.context();
        let step = oauth_core::revoke::RevokeEndpoint::start(&config, &request, ctx);
        Reply::from(drive::drive_revoke(step, self))
    }

    /// GETs the authorization endpoint with these query parameters.
    pub fn authorize(&mut self, query: &[(&str, &str)]) -> drive::AuthorizeEnd {
        let query = encode_form(query);
        let request = HttpRequest::get(&query);
        let config = self.config.clone();
        let ctx = self.context();
        let step = oauth_core::authorize::AuthorizeEndpoint::start(&config, &request, ctx);
        drive::drive_authorize(step, self)
    }

    /// Logs `sub` in, as the host's login page would.
    pub fn log_in(&mut self, sub: &str) {
        self.session = Some(Subject {
            sub: sub.to_owned(),
            auth_time: Some(self.now),
            acr: None,
            amr: vec!["pwd".to_owned()],
        });
    }

    /// The user approves a CIBA request on the device, authenticating now.
    pub fn approve(&mut self, auth_req_id: &str) -> oauth_core::ciba::DecisionOutcome {
        let sub = self
            .started
            .iter()
            .find(|(id, _)| id == auth_req_id)
            .map(|(_, r)| r.sub.clone())
            .unwrap_or_default();
        let subject = Subject {
            sub,
            auth_time: Some(self.now),
            acr: Some("urn:example:acr:device".to_owned()),
            amr: vec!["hwk".to_owned()],
        };
        let step = oauth_core::ciba::Decision::approve(auth_req_id, subject, self.now);
        drive::drive_decision(step, self)
    }

    /// The user denies a CIBA request on the device.
    pub fn deny(&mut self, auth_req_id: &str) -> oauth_core::ciba::DecisionOutcome {
        let step = oauth_core::ciba::Decision::deny(auth_req_id, self.now);
        drive::drive_decision(step, self)
    }

    /// Stores an authorization code as the authorization endpoint would, and returns it.
    pub fn issue_code(&mut self, code: CodeSpec<'_>) -> String {
        self.counter += 1;
        let value = format!("code-{}", self.counter);
        let record = CodeRecord {
            client_id: code.client_id.to_owned(),
            redirect_uri: code.redirect_uri.map(str::to_owned),
            challenge: code.code_verifier.map(|v| CodeChallenge {
                challenge: s256(v),
                method: ChallengeMethod::S256,
            }),
            nonce: code.nonce.map(str::to_owned),
            scope: oauth_core::scope::Scope::parse(code.scope).unwrap_or_default(),
            subject: Subject {
                sub: code.sub.to_owned(),
                auth_time: Some(self.now),
                acr: None,
                amr: vec!["pwd".to_owned()],
            },
            grant_id: GrantId(format!("grant-{}", self.counter)),
            expires_at: self.now + self.config.code_ttl,
        };
        self.store
            .save(&[Record::Code(TokenHash::of(&value), record)]);
        value
    }

    /// A client assertion (RFC 7523) signed with `key`, with the usual claims and a
    /// fresh `jti`; `aud` defaults to the token endpoint.
    pub fn assertion(&mut self, key: &SigningKey, client_id: &str, aud: Option<&str>) -> String {
        self.counter += 1;
        let claims = serde_json::json!({
            "iss": client_id,
            "sub": client_id,
            "aud": aud.unwrap_or(TOKEN_ENDPOINT),
            "iat": self.now,
            "exp": self.now + 60,
            "jti": format!("jti-{}", self.counter),
        });
        self.sign_claims(key, &claims)
    }

    /// Signs arbitrary claims with `key` (for malformed-assertion tests).
    pub fn sign_claims(&mut self, key: &SigningKey, claims: &serde_json::Value) -> String {
        self.counter += 1;
        let seed: [u8; 32] = Sha256::digest(self.counter.to_be_bytes()).into();
        key.sign_jwt(None, claims, &seed).unwrap_or_default()
    }
}

/// What a test code is bound to.
#[derive(Debug, Clone, Copy)]
pub struct CodeSpec<'a> {
    /// The client.
    pub client_id: &'a str,
    /// The authorization request's `redirect_uri`.
    pub redirect_uri: Option<&'a str>,
    /// The PKCE verifier whose S256 challenge the code carries.
    pub code_verifier: Option<&'a str>,
    /// The OIDC nonce.
    pub nonce: Option<&'a str>,
    /// The granted scope.
    pub scope: &'a str,
    /// The user.
    pub sub: &'a str,
}

/// A response, with its JSON body parsed.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The whole flow result.
    pub done: Done,
    /// The body as JSON (`Null` if it is not JSON).
    pub json: serde_json::Value,
}

impl From<Done> for Reply {
    fn from(done: Done) -> Self {
        let json = serde_json::from_slice(&done.response.body).unwrap_or(serde_json::Value::Null);
        Reply { done, json }
    }
}

impl Reply {
    /// The status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.done.response.status
    }

    /// The `error` member.
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        self.json.get("error").and_then(serde_json::Value::as_str)
    }

    /// A string member of the body.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.json.get(name).and_then(serde_json::Value::as_str)
    }

    /// A header.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.done.response.header(name)
    }
}

/// `Authorization: Basic` for a client id and secret, form-encoded first as RFC 6749
/// section 2.3.1 requires.
#[must_use]
pub fn basic(client_id: &str, secret: &str) -> String {
    let user = encode_form(&[("", client_id)]);
    let pass = encode_form(&[("", secret)]);
    let pair = format!(
        "{}:{}",
        user.trim_start_matches('='),
        pass.trim_start_matches('=')
    );
    format!("Basic {}", Base64::encode_string(pair.as_bytes()))
}

/// `application/x-www-form-urlencoded` encoding of pairs.
#[must_use]
pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        enc(&mut out, k);
        out.push('=');
        enc(&mut out, v);
    }
    out
}

fn enc(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The S256 challenge of a verifier.
#[must_use]
pub fn s256(verifier: &str) -> String {
    base64ct::Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes()))
}

impl TestKit {
    fn failing(&mut self, step: &'static str) -> Result<(), HostError> {
        self.steps.push(step);
        match self.fail_step {
            Some((s, e)) if s == step => Err(e),
            _ => Ok(()),
        }
    }
}

impl Backend for TestKit {
    fn client(&mut self, client_id: &str) -> Result<Option<Arc<Client>>, HostError> {
        self.failing("lookup_client")?;
        Ok(self.clients.get(client_id).cloned())
    }

    fn insert_replay(&mut self, replay: &Replay) -> Result<bool, HostError> {
        self.failing("check_replay")?;
        Ok(self.store.insert_replay(replay, self.now))
    }

    fn verify_password(
        &mut self,
        _client: &Client,
        username: &str,
        password: &str,
    ) -> Result<Option<Subject>, HostError> {
        self.failing("verify_password")?;
        Ok(self
            .users
            .get(username)
            .filter(|(p, _)| p == password)
            .map(|(_, s)| s.clone()))
    }

    fn check_password(
        &mut self,
        step: &oauth_core::token::VerifyPassword<'_>,
    ) -> Result<oauth_core::token::PasswordCheck, HostError> {
        use oauth_core::token::PasswordCheck;
        self.failing("verify_password")?;
        self.password_hid
            .push(step.hid().map(oauth_core::hid::HidParams::into_owned));
        if let Some(f) = self.password_failures.get(step.username()) {
            return Ok(PasswordCheck::Failed(f.clone()));
        }
        Ok(self
            .users
            .get(step.username())
            .filter(|(p, _)| p == step.password())
            .map_or(PasswordCheck::Invalid, |(_, s)| {
                PasswordCheck::Valid(s.clone())
            }))
    }

    fn extension_grant(
        &mut self,
        step: &oauth_core::token::HandleExtensionGrant<'_>,
    ) -> Result<oauth_core::token::GrantAnswer, HostError> {
        self.failing("extension_grant")?;
        let seen = SeenGrant {
            grant_type: step.grant_type().to_owned(),
            client_id: step.client().map(|c| c.id().to_owned()).unwrap_or_default(),
            parameters: step
                .parameters()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
            scope: step.scope().to_string(),
            hid: step.hid().map(oauth_core::hid::HidParams::into_owned),
        };
        let answer = match &mut self.extension_host {
            Some(host) => host(&seen),
            None => return Err(HostError::Internal),
        };
        self.extension_seen.push(seen);
        Ok(answer)
    }

    fn take_code(&mut self, hash: &TokenHash, now: u64) -> Result<Taken<CodeRecord>, HostError> {
        self.failing("take_code")?;
        Ok(self.store.take_code(hash, now))
    }

    fn load_refresh(
        &mut self,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Taken<RefreshRecord>, HostError> {
        self.failing("load_refresh")?;
        Ok(self.store.load_refresh(hash, now))
    }

    fn take_refresh(
        &mut self,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Taken<RefreshRecord>, HostError> {
        self.failing("take_refresh")?;
        Ok(self.store.take_refresh(hash, now))
    }

    fn revoke(&mut self, revocation: &Revocation) -> Result<(), HostError> {
        self.failing("revoke")?;
        self.store.revoke(revocation);
        Ok(())
    }

    fn sign(
        &mut self,
        alg: Algorithm,
        _kid: Option<&str>,
        input: &[u8],
    ) -> Result<Vec<u8>, HostError> {
        self.failing("sign")?;
        if alg != self.signer.alg() {
            return Err(HostError::Internal);
        }
        self.counter += 1;
        let seed: [u8; 32] = Sha256::digest(self.counter.to_be_bytes()).into();
        self.signer
            .sign(input, &seed)
            .map_err(|_| HostError::Internal)
    }

    fn persist(&mut self, records: &[Record]) -> Result<(), HostError> {
        self.failing("persist")?;
        self.store.save(records);
        Ok(())
    }

    fn load_ciba(
        &mut self,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Option<oauth_core::ciba::CibaRecord>, HostError> {
        self.failing("load_ciba")?;
        Ok(self.store.load_ciba(hash, now))
    }

    fn update_ciba(
        &mut self,
        hash: &TokenHash,
        update: &oauth_core::ciba::CibaUpdate,
        now: u64,
    ) -> Result<oauth_core::ciba::UpdateResult, HostError> {
        self.failing("update_ciba")?;
        Ok(self.store.update_ciba(hash, update, now))
    }

    fn take_ciba(
        &mut self,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Taken<oauth_core::ciba::CibaRecord>, HostError> {
        self.failing("take_ciba")?;
        Ok(self.store.take_ciba(hash, now))
    }

    fn resolve_user(
        &mut self,
        _client: &Client,
        hint: &oauth_core::ciba::Hint,
        _user_code: Option<&str>,
    ) -> Result<oauth_core::ciba::UserLookup, HostError> {
        use oauth_core::ciba::{Hint, UserLookup};
        self.failing("resolve_user")?;
        let by_sub = |sub: &str| {
            self.users
                .values()
                .find(|(_, s)| s.sub == sub)
                .map(|(_, s)| s.sub.clone())
        };
        let found = match hint {
            Hint::LoginHint(name) => self.users.get(name).map(|(_, s)| s.sub.clone()),
            Hint::IdTokenHint { sub } => by_sub(sub),
            Hint::LoginHintToken(claims) => claims
                .get("sub")
                .and_then(serde_json::Value::as_str)
                .and_then(by_sub),
            _ => None,
        };
        Ok(found.map_or(UserLookup::Unknown, UserLookup::Found))
    }

    fn start_authentication(
        &mut self,
        auth_req_id: &str,
        request: &oauth_core::ciba::CibaRecord,
    ) -> Result<(), HostError> {
        self.failing("start_authentication")?;
        self.started.push((auth_req_id.to_owned(), request.clone()));
        Ok(())
    }

    fn load_pushed(
        &mut self,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Option<oauth_core::authorize::ParRecord>, HostError> {
        self.failing("load_pushed")?;
        Ok(self.store.load_pushed(hash, now))
    }

    fn take_pushed(&mut self, hash: &TokenHash, now: u64) -> Result<bool, HostError> {
        self.failing("take_pushed")?;
        Ok(self.store.take_pushed(hash, now))
    }

    fn authenticate(
        &mut self,
        _request: &oauth_core::authorize::AuthorizationRequest,
    ) -> Result<oauth_core::authorize::Authentication, HostError> {
        use oauth_core::authorize::Authentication;
        self.failing("authenticate")?;
        Ok(self
            .session
            .clone()
            .map_or(Authentication::LoginNeeded, Authentication::Authenticated))
    }

    fn consent(
        &mut self,
        _request: &oauth_core::authorize::AuthorizationRequest,
        _subject: &Subject,
    ) -> Result<oauth_core::authorize::ConsentAnswer, HostError> {
        self.failing("consent")?;
        Ok(self.consent)
    }

    fn lookup_token(
        &mut self,
        hash: &TokenHash,
        _hint: Option<oauth_core::steps::TokenTypeHint>,
        now: u64,
    ) -> Result<Option<oauth_core::records::TokenInfo>, HostError> {
        self.failing("lookup_token")?;
        Ok(self.store.lookup_token(hash, now))
    }

    fn revoke_target(
        &mut self,
        target: &oauth_core::records::RevocationTarget,
    ) -> Result<(), HostError> {
        use oauth_core::records::RevocationTarget;
        self.failing("revoke_token")?;
        match target {
            RevocationTarget::AccessToken(h) => self.store.revoke_access(h),
            RevocationTarget::Grant(g) => self.store.revoke(&Revocation {
                grant_id: g.clone(),
            }),
        }
        Ok(())
    }

    fn notify(&mut self, client_id: &str, bearer_token: &str, body: &str) -> bool {
        self.steps.push("notify");
        self.notifications.push((
            client_id.to_owned(),
            bearer_token.to_owned(),
            body.to_owned(),
        ));
        self.notify_ok
    }
}
