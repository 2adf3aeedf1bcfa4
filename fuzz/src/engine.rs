//! The bodies of the oauth-core fuzz targets: the form parser, and the token, backchannel
//! authentication, PAR and authorization endpoints driven to their end by a host whose every
//! answer the fuzzer chooses.
//!
//! # Input layout of the endpoint targets
//!
//! ```text
//! flags ‖ content-type ‖ SEP ‖ authorization ‖ SEP ‖ body ‖ SEP ‖ choices      (SEP = "\n\n")
//! ```
//!
//! A missing or empty header segment leaves that header out. `flags`:
//! - bit 0: send `Content-Type` twice; bit 1: send `Authorization` twice;
//! - bits 2-3: the TLS client certificate: none; client A's (the one the `tls` and
//!   `self-signed` clients registered) with its chain validated; client A's accepted as
//!   self-signed only; client B's (validated) when the authorization segment is empty, else
//!   that segment's bytes as DER;
//! - bits 4-5: the tenant configuration ([`Engine::configs`]);
//! - bits 6-7: the method: the endpoint's own (POST; GET for the authorization endpoint),
//!   the other one of GET/POST, another method, or the endpoint's own with an
//!   [`ENDPOINT_ALIAS`] as the receiving URL.
//!
//! The body is also the query string (lossily UTF-8) of a GET.
//!
//! `choices` answers the host's steps, one byte per step, read in order (0 once exhausted).
//! Byte `b`: `b % 16 == 14` fails the step with `HostError::Unavailable`, `15` with
//! `HostError::Internal`; otherwise `b % 16` picks the answer, 0 being what an honest store
//! holding the request's grant would answer, and `b >> 4` refines some answers. So a seed
//! with no choices runs the happy path, and every `fail` and `resume` of every step is one
//! byte away.
//!
//! Whatever the input and the answers:
//! - the flow ends within [`MAX_STEPS`] steps, without a panic, in one well-formed response:
//!   an allowed status, `Cache-Control: no-store`, a JSON object body whose `error` agrees
//!   with the typed outcome (401 with a challenge, 503 with `Retry-After`); the authorization
//!   endpoint redirects (303) or form-posts (200) only to a registered redirect URI, with
//!   `iss`, and shows anything else as an error page;
//! - a failed step ends the flow at once, in 503 (`Unavailable`) or 500 (`Internal`);
//! - no request succeeds after an answer that forbids it: no such client, a replayed
//!   assertion, wrong user credentials, an unknown, used, expired or foreign code, refresh
//!   token or CIBA request, a refused or pending login or consent, a lost pushed request;
//! - records are saved unexpired, and tokens and codes only for the client the host found;
//!   a public client's code always carries a PKCE challenge;
//! - a login or consent page never gets credentials back as hidden fields;
//! - a Bearer token authenticates only when the store finds an active `client_credentials`
//!   access token, and an extension grant reaches the host only for a client registered for
//!   it, with its required parameters; the host's refusals (a registered error, an
//!   `hid_error`, an `hid_failure`, a wider scope than asked) never end in success.

use std::sync::{Arc, OnceLock};

use jwt_verify::{Algorithm, KeySet, SigningKey};
use oauth_core::authorize::params::RawParams;
use oauth_core::authorize::{
    Authentication, AuthorizationRequest, AuthorizeEndpoint, AuthorizeStep, ConsentAnswer,
    Interaction, ParEndpoint, ParRecord, ParStep, REQUEST_URI_PREFIX, ResponseMode,
};
use oauth_core::ciba::{
    BackchannelEndpoint, CibaRecord, CibaStatus, CibaStep, UpdateResult, UserLookup,
};
use oauth_core::client::DeliveryMode;
use oauth_core::form::{Form, FormError};
use oauth_core::hid::{self, HidError, HidFailure, HidStatus};
use oauth_core::limits::Limits;
use oauth_core::mtls::ClientCertificate;
use oauth_core::records::{
    ChallengeMethod, CodeChallenge, CodeRecord, GrantId, Record, RefreshRecord, Subject, Taken,
};
use oauth_core::scope::Scope;
use oauth_core::token::{GrantAnswer, GrantError, GrantTokens, PasswordCheck};
use oauth_core::{
    AccessTokenFormat, AssertionAudience, Client, ClientMetadata, Config, Context, Done,
    ExtensionGrantSpec, HostError, HttpRequest, Method, Outcome, SigningSpec, TokenEndpoint,
    TokenStep,
};

use crate::NOW;

/// The tenant's issuer identifier.
pub const ISSUER: &str = "https://as.example.com/t1/as";
/// Its token endpoint, the audience client assertions name.
pub const TOKEN_ENDPOINT: &str = "https://as.example.com/t1/as/token";
/// Its backchannel authentication endpoint.
pub const BACKCHANNEL_ENDPOINT: &str = "https://as.example.com/t1/as/cibaAuthorization";
/// Its PAR endpoint.
pub const PAR_ENDPOINT: &str = "https://as.example.com/t1/as/par";
/// The URL the request claims to have been received at when flags bits 6-7 are 3.
pub const ENDPOINT_ALIAS: &str = "https://as.example.com/t1/as/alias";
/// The separator of the input segments.
pub const SEP: &[u8] = b"\n\n";
/// Steps after which a flow counts as looping.
pub const MAX_STEPS: usize = 64;
/// The secret of the `client_secret_*` clients: characters that need form-encoding in Basic
/// credentials, and 64 bytes, enough to key HS256, HS384 and HS512.
pub const CLIENT_SECRET: &str =
    "s3cr:t%+ &=/\u{e9}-0123456789-0123456789-0123456789-0123456789-abcdef";
/// The redirect URIs every code client registered (the public client: the first only).
pub const REDIRECT_URIS: [&str; 2] = [
    "https://app.example.com/cb",
    "https://app.example.com/cb2?x=1",
];
/// A PKCE verifier (RFC 7636 appendix B) ...
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// ... and its S256 challenge.
pub const CHALLENGE_S256: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// The scope every client may request.
pub const SCOPE: &str = "openid profile email offline_access read write";
/// The resource owner's username (password grant, CIBA `login_hint`) and `sub`.
pub const USER: &str = "alice";
/// The resource owner's `sub`.
pub const SUB: &str = "alice-sub";
/// The CIBA grant type.
pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";
/// The registered clients, one per `token_endpoint_auth_method` (and a PAR-only one).
pub const CLIENT_IDS: [&str; 8] = [
    "basic",
    "post",
    "secret-jwt",
    "pk-jwt",
    "pk-es256-par",
    "tls",
    "self-signed",
    "public",
];
/// An extension grant every configuration registers (`device_code` required).
pub const EXAMPLE_GRANT: &str = "urn:example:params:grant-type:device-swap";
/// The permission HID's `api_otp` needs; every confidential client holds it.
pub const OTP_PERMISSION: &str = "FS_APIOTP";
/// The subject DN the `tls` client registered: client A's certificate.
pub const TLS_SUBJECT_DN: &str = "CN=client a,O=Example AB,C=SE";

const CLIENT_A_KEY_PEM: &str = include_str!("../fixtures/client-a.key.pem");
const CLIENT_A_CERT_PEM: &str = include_str!("../fixtures/client-a.cert.pem");
const CLIENT_B_CERT_PEM: &str = include_str!("../fixtures/client-b.cert.pem");
const RSA_PRIVATE_PEM: &str = include_str!("../../benches/keys/rsa-2048.pem");
const P256_PRIVATE_PEM: &str = include_str!("../../benches/keys/p256.pem");

/// The fixed tenant: configurations, clients, keys and certificates.
pub struct Engine {
    /// The configurations flags bits 4-5 pick: 0 the defaults; 1 JWT access tokens, PKCE
    /// required, assertions for the issuer only; 2 plain PKCE allowed, PAR required, CIBA
    /// `user_code` supported, no leeway, 30 s assertion lifetime, the HID profile (Bearer
    /// client authentication, HID's grants and parameters); 3 tiny request limits.
    /// Each trusts the tenant's own key for `id_token_hint`s and registers
    /// [`EXAMPLE_GRANT`].
    pub configs: Vec<Config>,
    /// The registered clients, in [`CLIENT_IDS`] order.
    pub clients: Vec<Arc<Client>>,
    /// The tenant's signing key (ES256, `kid` `es-1`): the host's Sign answers.
    pub signer: SigningKey,
    /// The `pk-jwt` / `pk-es256-par` client's P-256 key (`kid` `ec-1`).
    pub client_ec: SigningKey,
    /// The `pk-jwt` client's RSA key (RS256, `kid` `rsa-1`).
    pub client_rsa: SigningKey,
    /// HS256 over [`CLIENT_SECRET`] (`client_secret_jwt`, `login_hint_token`, request objects).
    pub client_hmac: SigningKey,
    /// Client A's certificate (DER).
    pub cert_a: Vec<u8>,
    /// Client B's certificate (DER).
    pub cert_b: Vec<u8>,
}

fn public_jwk(key: &SigningKey) -> Option<serde_json::Value> {
    serde_json::to_value(key.verifying_key().ok()?.public_jwk()?).ok()
}

fn register(meta: serde_json::Value) -> Option<Arc<Client>> {
    let meta: ClientMetadata = serde_json::from_value(meta).ok()?;
    Client::from_metadata(&meta).ok().map(Arc::new)
}

fn build_engine() -> Option<Engine> {
    let signer = SigningKey::generate_es256(&[42; 32])?.with_kid("es-1");
    let own = KeySet::from_keys(vec![signer.verifying_key().ok()?]).0;
    let client_ec = SigningKey::from_pkcs8_pem(Algorithm::ES256, P256_PRIVATE_PEM)
        .ok()?
        .with_kid("ec-1");
    let client_rsa = SigningKey::from_pkcs8_pem(Algorithm::RS256, RSA_PRIVATE_PEM)
        .ok()?
        .with_kid("rsa-1");
    let client_hmac = SigningKey::hmac(Algorithm::HS256, CLIENT_SECRET.as_bytes()).ok()?;
    let key_a = SigningKey::from_pkcs8_pem(Algorithm::ES256, CLIENT_A_KEY_PEM)
        .ok()?
        .with_kid("a-1");
    let cert_a = ClientCertificate::from_pem(CLIENT_A_CERT_PEM)
        .ok()?
        .der()
        .to_vec();
    let cert_b = ClientCertificate::from_pem(CLIENT_B_CERT_PEM)
        .ok()?
        .der()
        .to_vec();

    let configs = (0..4u8)
        .map(|variant| {
            let mut c = Config::new(
                ISSUER,
                SigningSpec {
                    alg: Algorithm::ES256,
                    kid: Some("es-1".to_owned()),
                },
            );
            c.own_keys = Some(own.clone());
            c.extension_grants.push(ExtensionGrantSpec {
                required: vec!["device_code".to_owned()],
                optional: vec!["note".to_owned()],
                ..ExtensionGrantSpec::new(EXAMPLE_GRANT)
            });
            match variant {
                1 => {
                    c.access_token_format = AccessTokenFormat::Jwt;
                    c.require_pkce = true;
                    c.assertion_audience = AssertionAudience::IssuerOnly;
                }
                2 => {
                    c.allow_plain_pkce = true;
                    c.require_par = true;
                    c.ciba.user_code_supported = true;
                    c.leeway = 0;
                    c.max_assertion_lifetime = 30;
                    hid::apply(&mut c, OTP_PERMISSION);
                }
                3 => {
                    c.limits = Limits {
                        max_body: 512,
                        max_params: 6,
                        max_value: 128,
                        max_authorization: 96,
                        max_client_id: 8,
                    };
                }
                _ => {}
            }
            c
        })
        .collect();

    let all_grants = serde_json::json!([
        "authorization_code",
        "client_credentials",
        "refresh_token",
        "password",
        CIBA_GRANT,
        "ciba_delete",
        EXAMPLE_GRANT,
        hid::API_OTP,
        hid::CLIENT_SECRET_PKI,
    ]);
    let confidential = |id: &str, method: &str| {
        serde_json::json!({
            "client_id": id,
            "client_secret": CLIENT_SECRET,
            "token_endpoint_auth_method": method,
            "grant_types": all_grants,
            "redirect_uris": REDIRECT_URIS,
            "scope": SCOPE,
            "backchannel_token_delivery_mode": "poll",
            "permissions": [OTP_PERMISSION],
        })
    };
    let mut metas = vec![
        confidential("basic", "client_secret_basic"),
        confidential("post", "client_secret_post"),
        confidential("secret-jwt", "client_secret_jwt"),
        confidential("pk-jwt", "private_key_jwt"),
        confidential("pk-es256-par", "private_key_jwt"),
        confidential("tls", "tls_client_auth"),
        confidential("self-signed", "self_signed_tls_client_auth"),
        serde_json::json!({
            "client_id": "public",
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "redirect_uris": [REDIRECT_URIS[0]],
            "scope": SCOPE,
        }),
    ];
    let ec = public_jwk(&client_ec)?;
    let rsa = public_jwk(&client_rsa)?;
    let a = public_jwk(&key_a)?;
    if let [_, post, secret_jwt, pk, pk_par, tls, self_signed, _] = metas.as_mut_slice() {
        post["backchannel_token_delivery_mode"] = "ping".into();
        post["backchannel_client_notification_endpoint"] = "https://app.example.com/ping".into();
        post["backchannel_user_code_parameter"] = true.into();
        secret_jwt["token_endpoint_auth_signing_alg"] = "HS256".into();
        pk["jwks"] = serde_json::json!({ "keys": [ec, rsa] });
        pk_par["jwks"] = serde_json::json!({ "keys": [ec] });
        pk_par["token_endpoint_auth_signing_alg"] = "ES256".into();
        pk_par["require_pushed_authorization_requests"] = true.into();
        tls["tls_client_auth_subject_dn"] = TLS_SUBJECT_DN.into();
        self_signed["jwks"] = serde_json::json!({ "keys": [a] });
    }
    let clients = metas
        .into_iter()
        .map(register)
        .collect::<Option<Vec<_>>>()?;
    Some(Engine {
        configs,
        clients,
        signer,
        client_ec,
        client_rsa,
        client_hmac,
        cert_a,
        cert_b,
    })
}

/// The fixed tenant, built once per process.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let engine = build_engine();
        assert!(engine.is_some(), "the fixed engine fixtures must load");
        engine.unwrap_or_else(|| unreachable!())
    })
}

impl Engine {
    fn client(&self, id: &str) -> Option<Arc<Client>> {
        self.clients.iter().find(|c| c.id() == id).cloned()
    }
}

// ---------------------------------------------------------------------------------------------
// The input

/// One endpoint target's input, split.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'d> {
    /// See the module documentation.
    pub flags: u8,
    /// The `Content-Type` value; empty: absent.
    pub content_type: &'d [u8],
    /// The `Authorization` value; empty: absent.
    pub authorization: &'d [u8],
    /// The body (and, lossily, the query string).
    pub body: &'d [u8],
    /// The host's answers.
    pub choices: &'d [u8],
}

fn split_once<'d>(data: &'d [u8], sep: &[u8]) -> (&'d [u8], &'d [u8]) {
    match data.windows(sep.len()).position(|w| w == sep) {
        Some(i) => (
            data.get(..i).unwrap_or_default(),
            data.get(i + sep.len()..).unwrap_or_default(),
        ),
        None => (data, &[]),
    }
}

impl<'d> Input<'d> {
    /// Splits raw fuzzer input.
    #[must_use]
    pub fn parse(data: &'d [u8]) -> Self {
        let (flags, rest) = match data.split_first() {
            Some((f, rest)) => (*f, rest),
            None => (0, data),
        };
        let (content_type, rest) = split_once(rest, SEP);
        let (authorization, rest) = split_once(rest, SEP);
        let (body, choices) = split_once(rest, SEP);
        Input {
            flags,
            content_type,
            authorization,
            body,
            choices,
        }
    }

    /// The raw input this splits from (for writing seeds).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.flags];
        for (i, part) in [
            self.content_type,
            self.authorization,
            self.body,
            self.choices,
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                out.extend_from_slice(SEP);
            }
            out.extend_from_slice(part);
        }
        out
    }

    fn config(&self) -> &'static Config {
        let configs = &engine().configs;
        let i = usize::from((self.flags >> 4) & 3);
        configs
            .get(i)
            .or(configs.first())
            .unwrap_or_else(|| unreachable!())
    }

    /// The request. `natural` is the endpoint's own method, `other` the alternative.
    fn request<'r>(&self, natural: Method, other: Method, query: &'r str) -> HttpRequest<'r>
    where
        'd: 'r,
    {
        let method = match self.flags >> 6 {
            1 => other,
            2 => Method::Other,
            _ => natural,
        };
        let mut r = HttpRequest::new(method).body(self.body).query(query);
        if self.flags >> 6 == 3 {
            r = r.endpoint_url(ENDPOINT_ALIAS);
        }
        let times = |repeat: bool| if repeat { 2 } else { 1 };
        if !self.content_type.is_empty() {
            for _ in 0..times(self.flags & 1 != 0) {
                r = r.header("Content-Type", self.content_type);
            }
        }
        if !self.authorization.is_empty() {
            for _ in 0..times(self.flags & 2 != 0) {
                r = r.header("Authorization", self.authorization);
            }
        }
        let e = engine();
        match (self.flags >> 2) & 3 {
            1 => r.client_certificate(&e.cert_a),
            2 => r.self_signed_client_certificate(&e.cert_a),
            3 if self.authorization.is_empty() => r.client_certificate(&e.cert_b),
            3 => r.client_certificate(self.authorization),
            _ => r,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The host

/// A host whose answers come from the choice stream.
struct Host<'d> {
    choices: &'d [u8],
    /// The id of the client the last lookup answered with: the records the host hands back
    /// belong to it, as an honest store's would.
    client_id: String,
    steps: usize,
    /// A step was failed: the flow must end at once, in the 5xx of this error.
    failed: Option<HostError>,
    /// An answer was given after which the request must not succeed (an unknown client,
    /// a replayed assertion, wrong user credentials, an unknown or used grant, a refusal).
    poisoned: bool,
}

impl<'d> Host<'d> {
    fn new(choices: &'d [u8]) -> Self {
        Host {
            choices,
            client_id: String::new(),
            steps: 0,
            failed: None,
            poisoned: false,
        }
    }

    /// Counts a step; a flow that does not end, or goes on after a failed step, is a
    /// finding.
    fn step(&mut self, done: bool) {
        assert!(
            done || self.failed.is_none(),
            "the flow went on after a failed step"
        );
        self.steps += 1;
        assert!(
            self.steps <= MAX_STEPS,
            "the flow did not end within {MAX_STEPS} steps"
        );
    }

    /// Records a failure answer.
    fn failure(&mut self, e: HostError) -> HostError {
        self.failed = Some(e);
        e
    }

    /// Marks the request as one that must not succeed when `cond` holds.
    fn poison(&mut self, cond: bool) {
        self.poisoned |= cond;
    }

    /// What every flow's end must respect after the answers given.
    fn check_end(&self, done: &Done) {
        if let Some(e) = self.failed {
            let want = if e == HostError::Unavailable {
                503
            } else {
                500
            };
            assert_eq!(done.response.status, want, "after {e:?}: {done:?}");
        }
        if self.poisoned {
            assert!(
                !matches!(done.outcome, Outcome::Succeeded { .. }),
                "succeeded after an answer that forbids it: {done:?}"
            );
        }
    }

    fn byte(&mut self) -> u8 {
        match self.choices.split_first() {
            Some((b, rest)) => {
                self.choices = rest;
                *b
            }
            None => 0,
        }
    }

    /// A failure, or the answer's variant (0-13) and refinement (0-15).
    fn answer(&mut self) -> Result<(u8, u8), HostError> {
        let b = self.byte();
        match b % 16 {
            14 => Err(HostError::Unavailable),
            15 => Err(HostError::Internal),
            v => Ok((v, b >> 4)),
        }
    }

    /// A registry lookup: the client asked for (0), none (1), or any registered client.
    fn lookup(&mut self, asked: &str) -> Result<Option<Arc<Client>>, HostError> {
        let (v, hi) = self.answer()?;
        let e = engine();
        let client = match v {
            0 => e.client(asked),
            1 => None,
            _ => {
                let n = e.clients.len().max(1);
                e.clients
                    .get((usize::from(v) + usize::from(hi)) % n)
                    .cloned()
            }
        };
        self.client_id = client
            .as_ref()
            .map(|c| c.id().to_owned())
            .unwrap_or_default();
        self.poison(client.is_none());
        Ok(client)
    }

    /// The store's answer to a Bearer token lookup: the token of a client (0: the first
    /// registered client; `hi` picks another), none, another grant's, expired, a refresh
    /// token.
    fn bearer_token(&self, v: u8, hi: u8) -> Option<oauth_core::records::TokenInfo> {
        use oauth_core::records::{AccessRecord, TokenInfo};
        let e = engine();
        let n = e.clients.len().max(1);
        let client = e
            .clients
            .get(usize::from(hi) % n)
            .map(|c| c.id().to_owned())
            .unwrap_or_default();
        let access = |grant_type: &str, expires_at: u64| AccessRecord {
            client_id: client.clone(),
            scope: scope("read"),
            sub: None,
            grant_id: GrantId("g-bearer".to_owned()),
            grant_type: grant_type.to_owned(),
            issued_at: NOW.saturating_sub(10),
            expires_at,
        };
        match v {
            1 => None,
            2 => Some(TokenInfo::Access(access("password", NOW + 60))),
            3 => Some(TokenInfo::Access(access("client_credentials", NOW))),
            4 => Some(TokenInfo::Refresh(RefreshRecord {
                client_id: client.clone(),
                scope: scope("read"),
                subject: None,
                grant_id: GrantId("g-bearer".to_owned()),
                expires_at: NOW + 60,
            })),
            _ => Some(TokenInfo::Access(access("client_credentials", NOW + 60))),
        }
    }

    /// The host's answer to an extension grant: tokens (0; with a user for odd `hi`), a
    /// registered error, an HID-coded error, an OTP body, a scope wider than asked.
    fn grant_answer(&self, v: u8, hi: u8) -> GrantAnswer {
        match v {
            1 => GrantAnswer::Error(GrantError::OAuth(oauth_core::OAuthError::new(
                oauth_core::ErrorCode::InvalidGrant,
                "refused",
            ))),
            2 => GrantAnswer::Error(GrantError::Hid(HidError {
                code: u32::from(hi) * 100,
                status: [
                    HidStatus::BadRequest,
                    HidStatus::Unauthorized,
                    HidStatus::Forbidden,
                    HidStatus::Internal,
                ][usize::from(hi % 4)],
            })),
            3 => hid::otp("12345678"),
            4 => GrantAnswer::Tokens(GrantTokens {
                scope: Some(scope(
                    "openid profile email offline_access read write admin",
                )),
                ..GrantTokens::default()
            }),
            _ => GrantAnswer::Tokens(GrantTokens {
                subject: (hi % 2 == 1).then(|| self.subject(hi % 4)),
                scope: None,
                refresh: hi >= 8,
            }),
        }
    }

    fn subject(&self, v: u8) -> Subject {
        match v {
            1 => Subject {
                sub: SUB.to_owned(),
                auth_time: None,
                acr: Some("urn:example:acr:high".to_owned()),
                amr: Vec::new(),
            },
            2 => Subject {
                sub: SUB.to_owned(),
                auth_time: Some(NOW.saturating_sub(100_000)),
                acr: None,
                amr: vec!["pwd".to_owned(), "otp".to_owned()],
            },
            _ => Subject {
                sub: SUB.to_owned(),
                auth_time: Some(NOW),
                acr: None,
                amr: vec!["pwd".to_owned()],
            },
        }
    }

    fn code(&self, v: u8, hi: u8) -> CodeRecord {
        let mut r = CodeRecord {
            client_id: self.client_id.clone(),
            redirect_uri: Some(REDIRECT_URIS[0].to_owned()),
            challenge: Some(CodeChallenge {
                challenge: CHALLENGE_S256.to_owned(),
                method: ChallengeMethod::S256,
            }),
            nonce: Some("n-0S6_WzA2Mj".to_owned()),
            scope: scope("openid profile offline_access"),
            subject: self.subject(hi % 4),
            grant_id: GrantId("grant-code".to_owned()),
            expires_at: NOW + 60,
        };
        match v {
            3 => r.challenge = None,
            4 => {
                r.challenge = Some(CodeChallenge {
                    challenge: VERIFIER.to_owned(),
                    method: ChallengeMethod::Plain,
                });
            }
            5 => r.client_id = "another-client".to_owned(),
            6 => r.expires_at = NOW,
            7 => r.redirect_uri = None,
            8 => r.scope = scope("read write"),
            9 => r.scope = Scope::default(),
            10 => r.nonce = None,
            _ => {}
        }
        r
    }

    fn taken_code(&self, v: u8, hi: u8) -> Taken<CodeRecord> {
        match v {
            1 => Taken::Unknown,
            2 => Taken::AlreadyUsed(GrantId("grant-code".to_owned())),
            _ => Taken::Found(self.code(v, hi)),
        }
    }

    fn taken_refresh(&self, v: u8, hi: u8) -> Taken<RefreshRecord> {
        let mut r = RefreshRecord {
            client_id: self.client_id.clone(),
            scope: scope("openid profile offline_access"),
            subject: Some(self.subject(hi % 4)),
            grant_id: GrantId("grant-refresh".to_owned()),
            expires_at: NOW + 3600,
        };
        match v {
            1 => return Taken::Unknown,
            2 => return Taken::AlreadyUsed(r.grant_id),
            3 => r.subject = None,
            4 => r.client_id = "another-client".to_owned(),
            5 => r.expires_at = NOW,
            6 => r.scope = scope("read"),
            _ => {}
        }
        Taken::Found(r)
    }

    fn ciba(&self, v: u8, hi: u8) -> CibaRecord {
        let mut r = CibaRecord {
            client_id: self.client_id.clone(),
            sub: SUB.to_owned(),
            scope: scope("openid profile"),
            acr_values: None,
            binding_message: Some("W4SCT".to_owned()),
            expires_at: NOW + 120,
            interval: 5,
            last_poll: None,
            status: CibaStatus::Approved(self.subject(hi % 4)),
            delivery: DeliveryMode::Poll,
            notification_token: None,
            grant_id: GrantId("grant-ciba".to_owned()),
            consumed: false,
        };
        match v {
            2 => r.status = CibaStatus::Pending,
            3 => {
                r.status = CibaStatus::Pending;
                r.last_poll = Some(NOW);
            }
            4 => r.status = CibaStatus::Denied,
            5 => r.consumed = true,
            6 => {
                r.status = CibaStatus::Pending;
                r.expires_at = NOW - 1;
            }
            7 => r.client_id = "another-client".to_owned(),
            8 => {
                r.consumed = true;
                r.expires_at = NOW - 1;
            }
            9 => r.expires_at = NOW,
            10 => {
                r.status = CibaStatus::Pending;
                r.last_poll = Some(NOW - 3600);
                r.interval = u64::MAX;
            }
            11 => {
                r.delivery = DeliveryMode::Ping;
                r.notification_token = Some("8d67dc78-7faa".to_owned());
            }
            _ => {}
        }
        r
    }

    fn taken_ciba(&self, v: u8, hi: u8) -> Taken<CibaRecord> {
        match v {
            1 => Taken::Unknown,
            2 => Taken::AlreadyUsed(GrantId("grant-ciba".to_owned())),
            3 => Taken::Found(self.ciba(2, hi)),
            4 => Taken::Found(self.ciba(4, hi)),
            5 => Taken::Found(self.ciba(7, hi)),
            6 => Taken::Found(self.ciba(8, hi)),
            _ => Taken::Found(self.ciba(0, hi)),
        }
    }

    fn pushed(&self, v: u8) -> Option<ParRecord> {
        let mut params: Vec<(String, String)> = [
            ("client_id", self.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URIS[0]),
            ("scope", "openid profile"),
            ("state", "st-1"),
            ("nonce", "n-1"),
            ("code_challenge", CHALLENGE_S256),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let mut set = |name: &str, value: &str| {
            params.retain(|(k, _)| k != name);
            if !value.is_empty() {
                params.push((name.to_owned(), value.to_owned()));
            }
        };
        let mut request = AuthorizationRequest {
            client_id: self.client_id.clone(),
            response_type: "code".to_owned(),
            redirect_uri: REDIRECT_URIS[0].to_owned(),
            redirect_uri_given: true,
            scope: scope("openid profile"),
            state: Some("st-1".to_owned()),
            nonce: Some("n-1".to_owned()),
            prompt: Vec::new(),
            max_age: None,
            acr_values: None,
            login_hint: None,
            code_challenge: Some(CodeChallenge {
                challenge: CHALLENGE_S256.to_owned(),
                method: ChallengeMethod::S256,
            }),
            response_mode: ResponseMode::Query,
            extra: Vec::new(),
        };
        let mut expires_at = NOW + 60;
        match v {
            1 => return None,
            2 => request.client_id = "another-client".to_owned(),
            3 => expires_at = NOW,
            4 => set("redirect_uri", "https://evil.example/cb"),
            5 => set("scope", "admin"),
            6 => set("prompt", "none"),
            7 => set("response_mode", "form_post"),
            8 => set("client_id", ""),
            9 => set("max_age", "0"),
            10 => set("code_challenge", ""),
            _ => {}
        }
        Some(ParRecord {
            request,
            params: RawParams(params),
            expires_at,
        })
    }

    /// The tenant's signature over `input`, or garbage.
    fn sign(&self, alg: Algorithm, input: &[u8], v: u8, hi: u8) -> Result<Vec<u8>, HostError> {
        let signer = &engine().signer;
        match v {
            1 => Ok(Vec::new()),
            2 => Ok(vec![hi; usize::from(hi) * 9]),
            _ if alg != signer.alg() => Err(HostError::Internal),
            _ => signer
                .sign(input, &[9; 32])
                .map_err(|_| HostError::Internal),
        }
    }
}

fn scope(s: &str) -> Scope {
    Scope::parse(s).unwrap_or_default()
}

fn check_records(records: &[Record]) {
    for r in records {
        assert!(
            r.expires_at() >= NOW,
            "a record that expired before it was saved: {r:?}"
        );
    }
}

fn context() -> Context {
    Context {
        now: NOW,
        seed: [0x5e; 32],
    }
}

// ---------------------------------------------------------------------------------------------
// The checks

const STATUSES: [u16; 8] = [200, 400, 401, 403, 405, 413, 500, 503];

fn header<'r>(done: &'r Done, name: &str) -> Option<&'r str> {
    done.response.header(name)
}

/// A JSON endpoint's response (token, backchannel, PAR; host failures everywhere): one of
/// the allowed statuses, no-store, a JSON object body, and a typed outcome that agrees with
/// the wire. `success` is the endpoint's success status.
fn check_json(done: &Done, success: u16) -> serde_json::Map<String, serde_json::Value> {
    let status = done.response.status;
    assert!(
        status == success || STATUSES.contains(&status),
        "status {status}: {done:?}"
    );
    let ct = header(done, "Content-Type").unwrap_or_default();
    assert!(ct.starts_with("application/json"), "Content-Type {ct:?}");
    assert_eq!(header(done, "Cache-Control"), Some("no-store"));
    let body: serde_json::Value = match serde_json::from_slice(&done.response.body) {
        Ok(v) => v,
        Err(e) => unreachable!("the body is not JSON ({e}): {done:?}"),
    };
    let serde_json::Value::Object(body) = body else {
        unreachable!("the body is not a JSON object: {done:?}")
    };
    match &done.outcome {
        Outcome::Succeeded { .. } => {
            assert_eq!(status, success, "{done:?}");
            assert!(body.get("error").is_none(), "{done:?}");
        }
        Outcome::Rejected { error, .. } => {
            assert_ne!(status, success, "{done:?}");
            let wire = body.get("error").and_then(serde_json::Value::as_str);
            assert_eq!(wire, Some(error.code.as_str()), "{done:?}");
            assert!(
                body.get("error_description")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|d| d == error.description),
                "{done:?}"
            );
            // PAR answers an oversized or non-POST request with 413 / 405; an HID-coded
            // error takes the status of HID's table.
            assert!(
                status == error.code.status()
                    || (matches!(status, 405 | 413) && error.code.as_str() == "invalid_request")
                    || (status == 403 && body.contains_key("hid_error")),
                "{done:?}"
            );
            if status == 401 {
                assert!(header(done, "WWW-Authenticate").is_some(), "{done:?}");
            }
            if status == 503 {
                assert!(header(done, "Retry-After").is_some(), "{done:?}");
            }
        }
        other => unreachable!("an outcome this target does not know: {other:?}"),
    }
    body
}

fn check_token(done: &Done) {
    let body = check_json(done, 200);
    let deleted = matches!(
        &done.outcome,
        Outcome::Succeeded { what, .. } if what == "ciba request deleted"
    );
    let custom = matches!(
        &done.outcome,
        Outcome::Succeeded { what, .. } if what.starts_with("extension grant:")
    );
    if deleted {
        // HID `ciba_delete` answers with an empty object.
        assert!(body.is_empty(), "{done:?}");
    } else if custom {
        // The host's own body, as the host gave it (the target answers `{"otp": ...}`).
        assert!(body.contains_key("otp"), "{done:?}");
    } else if done.response.status == 200 {
        assert_eq!(header(done, "Pragma"), Some("no-cache"));
        let at = body.get("access_token").and_then(serde_json::Value::as_str);
        assert!(at.is_some_and(|t| !t.is_empty()), "{done:?}");
        assert_eq!(
            body.get("token_type").and_then(serde_json::Value::as_str),
            Some("Bearer")
        );
        assert!(
            body.get("expires_in")
                .is_some_and(serde_json::Value::is_u64)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The targets

/// `form_parse`: `Form::parse` with the default limits on arbitrary bytes.
///
/// A form that parses is within the limits, has no empty and no repeated names, no empty
/// values, answers `get`/`has`/`take` consistently, parses the same under wider limits, and
/// percent-encoded again parses back to the same pairs.
pub fn form_parse(data: &[u8]) {
    let limits = Limits::default();
    let parsed = Form::parse(data, &limits);
    let form = match parsed {
        Ok(f) => f,
        Err(e) => {
            if data.len() > limits.max_body {
                assert_eq!(e, FormError::TooLarge);
            }
            return;
        }
    };
    assert!(data.len() <= limits.max_body);
    assert!(form.len() <= limits.max_params);
    let pairs: Vec<(&str, &str)> = form.iter().collect();
    assert_eq!(pairs.len(), form.len());
    for (i, (name, value)) in pairs.iter().enumerate() {
        assert!(!name.is_empty() && !value.is_empty());
        assert!(
            pairs.iter().skip(i + 1).all(|(n, _)| n != name),
            "{name:?} repeated"
        );
        assert_eq!(form.get(name), Some(*value));
        assert!(form.has(name));
    }
    let wide = Limits {
        max_body: usize::MAX,
        max_params: usize::MAX,
        max_value: usize::MAX,
        ..limits
    };
    let again = Form::parse(data, &wide);
    assert_eq!(
        again.as_ref().ok(),
        Some(&form),
        "wider limits change the result"
    );

    let mut encoded = Vec::with_capacity(data.len() * 3);
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            encoded.push(b'&');
        }
        percent_encode(&mut encoded, name);
        encoded.push(b'=');
        percent_encode(&mut encoded, value);
    }
    let round = Form::parse(&encoded, &wide);
    assert!(round.is_ok(), "re-encoded form refused: {round:?}");
    if let Ok(round) = round {
        assert!(
            round.iter().eq(pairs.iter().copied()),
            "round trip changed the pairs"
        );
    }

    let mut taken = form.clone();
    for (name, value) in &pairs {
        assert_eq!(taken.take(name).as_deref(), Some(*value));
        assert_eq!(taken.get(name), None);
    }
    assert!(taken.is_empty());
}

fn percent_encode(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'*') {
            out.push(b);
        } else {
            out.push(b'%');
            out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
            out.push(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'));
        }
    }
}

/// Runs one token request to its end and returns the checked response.
pub fn run_token_request(data: &[u8]) -> Done {
    let input = Input::parse(data);
    let query = String::from_utf8_lossy(input.body);
    let request = input.request(Method::Post, Method::Get, &query);
    let mut host = Host::new(input.choices);
    let mut step = TokenEndpoint::start(input.config(), &request, context());
    let done = loop {
        host.step(matches!(step, TokenStep::Done(_)));
        step = match step {
            TokenStep::LookupClient(s) => match host.lookup(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(host.failure(e)),
            },
            TokenStep::CheckReplay(s) => {
                assert!(s.replay().expires_at >= NOW);
                match host.answer() {
                    Ok((v, _)) => {
                        host.poison(v % 2 == 1);
                        s.resume(v % 2 == 0)
                    }
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            TokenStep::LookupToken(s) => match host.answer() {
                Ok((v, hi)) => {
                    // Unknown, another grant's, expired, a refresh token.
                    host.poison(matches!(v, 1..=4));
                    s.resume(host.bearer_token(v, hi))
                }
                Err(e) => s.fail(host.failure(e)),
            },
            TokenStep::VerifyPassword(s) => {
                assert!(!s.username().is_empty() && !s.password().is_empty());
                assert!(s.client().is_some());
                match host.answer() {
                    Ok((1, _)) => {
                        host.poison(true);
                        s.resume(None)
                    }
                    Ok((2, hi)) => {
                        host.poison(true);
                        s.resume_check(PasswordCheck::Failed(HidFailure {
                            reason: "Authenticator locked".to_owned(),
                            auth_type: (hi % 2 == 1).then(|| "AT_STDPWD".to_owned()),
                        }))
                    }
                    Ok((v, _)) => s.resume(Some(host.subject(v % 4))),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            TokenStep::ExtensionGrant(s) => {
                assert!(s.client().is_some_and(|c| c.id() == host.client_id));
                assert!(s.spec().required.iter().all(|n| s.parameter(n).is_some()));
                match host.answer() {
                    Ok((v, hi)) => {
                        // A registered error, an HID-coded error, a wider scope.
                        host.poison(matches!(v, 1 | 2 | 4));
                        s.resume(host.grant_answer(v, hi))
                    }
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            TokenStep::TakeCode(s) => match host.answer() {
                Ok((v, hi)) => {
                    // Unknown, used, another client's, expired.
                    host.poison(matches!(v, 1 | 2 | 5 | 6));
                    s.resume(host.taken_code(v, hi))
                }
                Err(e) => s.fail(host.failure(e)),
            },
            TokenStep::LoadRefreshToken(s) => match host.answer() {
                Ok((v, hi)) => {
                    // Unknown, rotated, another client's, expired.
                    host.poison(matches!(v, 1 | 2 | 4 | 5));
                    s.resume(host.taken_refresh(v, hi))
                }
                Err(e) => s.fail(host.failure(e)),
            },
            TokenStep::TakeRefreshToken(s) => match host.answer() {
                Ok((v, hi)) => {
                    host.poison(matches!(v, 1 | 2));
                    s.resume(host.taken_refresh(v, hi))
                }
                Err(e) => s.fail(host.failure(e)),
            },
            TokenStep::RevokeGrant(s) => {
                assert!(host.poisoned, "a revocation without a replayed grant");
                match host.answer() {
                    Ok(_) => s.resume(),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            TokenStep::Sign(s) => {
                let answer = host
                    .answer()
                    .and_then(|(v, hi)| host.sign(s.alg(), s.input(), v, hi));
                match answer {
                    Ok(sig) => s.resume(sig),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            TokenStep::Persist(s) => {
                check_records(s.records());
                for r in s.records() {
                    let owner = match r {
                        Record::Access(_, a) => &a.client_id,
                        Record::Refresh(_, t) => &t.client_id,
                        other => unreachable!("the token endpoint saves {other:?}"),
                    };
                    assert_eq!(*owner, host.client_id, "a token for another client");
                }
                match host.answer() {
                    Ok(_) => s.resume(),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            TokenStep::LoadCiba(s) => match host.answer() {
                Ok((1, _)) => {
                    host.poison(true);
                    s.resume(None)
                }
                Ok((v, hi)) => {
                    // Denied, expired, another client's, redeemed and expired, at expiry.
                    host.poison(matches!(v, 4 | 6 | 7 | 8 | 9));
                    s.resume(Some(host.ciba(v, hi)))
                }
                Err(e) => s.fail(host.failure(e)),
            },
            TokenStep::UpdateCiba(s) => match host.answer() {
                Ok((1, _)) => {
                    host.poison(true);
                    s.resume(UpdateResult::NotApplied)
                }
                Ok(_) => s.resume(UpdateResult::Applied),
                Err(e) => s.fail(host.failure(e)),
            },
            TokenStep::TakeCiba(s) => match host.answer() {
                Ok((v, hi)) => {
                    // Unknown, used, pending, denied, another client's.
                    host.poison(matches!(v, 1..=5));
                    s.resume(host.taken_ciba(v, hi))
                }
                Err(e) => s.fail(host.failure(e)),
            },
            TokenStep::Done(done) => break done,
        };
    };
    host.check_end(&done);
    check_token(&done);
    done
}

/// `token_request`: a whole token request, every host answer chosen by the fuzzer.
pub fn token_request(data: &[u8]) {
    let _ = run_token_request(data);
}

/// Runs one backchannel authentication request to its end and returns the checked response.
pub fn run_backchannel_request(data: &[u8]) -> Done {
    let input = Input::parse(data);
    let query = String::from_utf8_lossy(input.body);
    let request = input.request(Method::Post, Method::Get, &query);
    let mut host = Host::new(input.choices);
    let mut step = BackchannelEndpoint::start(input.config(), &request, context());
    let done = loop {
        host.step(matches!(step, CibaStep::Done(_)));
        step = match step {
            CibaStep::LookupClient(s) => match host.lookup(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(host.failure(e)),
            },
            CibaStep::CheckReplay(s) => match host.answer() {
                Ok((v, _)) => {
                    host.poison(v % 2 == 1);
                    s.resume(v % 2 == 0)
                }
                Err(e) => s.fail(host.failure(e)),
            },
            CibaStep::ResolveUser(s) => {
                assert!(s.client().is_some() && s.hint().is_some());
                match host.answer() {
                    Ok((1, _)) => {
                        host.poison(true);
                        s.resume(UserLookup::Unknown)
                    }
                    Ok((2, _)) => {
                        host.poison(true);
                        s.resume(UserLookup::InvalidUserCode)
                    }
                    Ok(_) => s.resume(UserLookup::Found(SUB.to_owned())),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            CibaStep::Persist(s) => {
                check_records(s.records());
                match host.answer() {
                    Ok(_) => s.resume(),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            CibaStep::StartAuthentication(s) => {
                assert!(!s.auth_req_id().is_empty());
                assert!(s.request().is_some_and(|r| r.client_id == host.client_id));
                match host.answer() {
                    Ok(_) => s.resume(),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            CibaStep::Done(done) => break done,
        };
    };
    host.check_end(&done);
    let body = check_json(&done, 200);
    if done.response.status == 200 {
        assert!(
            body.get("auth_req_id")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|id| !id.is_empty())
        );
        assert!(
            body.get("expires_in")
                .and_then(serde_json::Value::as_u64)
                .is_some_and(|e| e > 0)
        );
        assert!(body.get("interval").is_some_and(serde_json::Value::is_u64));
    }
    done
}

/// `backchannel_request`: a whole CIBA backchannel authentication request, every host
/// answer chosen by the fuzzer.
pub fn backchannel_request(data: &[u8]) {
    let _ = run_backchannel_request(data);
}

/// Runs one pushed authorization request to its end and returns the checked response.
pub fn run_par_request(data: &[u8]) -> Done {
    let input = Input::parse(data);
    let query = String::from_utf8_lossy(input.body);
    let request = input.request(Method::Post, Method::Get, &query);
    let mut host = Host::new(input.choices);
    let mut step = ParEndpoint::start(input.config(), &request, context());
    let done = loop {
        host.step(matches!(step, ParStep::Done(_)));
        step = match step {
            ParStep::LookupClient(s) => match host.lookup(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(host.failure(e)),
            },
            ParStep::CheckReplay(s) => match host.answer() {
                Ok((v, _)) => {
                    host.poison(v % 2 == 1);
                    s.resume(v % 2 == 0)
                }
                Err(e) => s.fail(host.failure(e)),
            },
            ParStep::Persist(s) => {
                check_records(s.records());
                assert!(s.records().iter().all(|r| match r {
                    Record::Par(_, p) => p.request.client_id == host.client_id,
                    _ => false,
                }));
                match host.answer() {
                    Ok(_) => s.resume(),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            ParStep::Done(done) => break done,
        };
    };
    host.check_end(&done);
    let body = check_json(&done, 201);
    if done.response.status == 201 {
        assert!(
            body.get("request_uri")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|u| u.starts_with(REQUEST_URI_PREFIX))
        );
        assert!(
            body.get("expires_in")
                .and_then(serde_json::Value::as_u64)
                .is_some_and(|e| e > 0)
        );
    }
    done
}

/// `par_request`: a whole pushed authorization request, every host answer chosen by the
/// fuzzer.
pub fn par_request(data: &[u8]) {
    let _ = run_par_request(data);
}

/// How an authorization request ended.
#[derive(Debug)]
pub enum AuthorizeEnd {
    /// A response.
    Done(Done),
    /// A login or consent page.
    Interact(Interaction),
}

/// Runs one authorization request until it is done or needs the user, and returns the
/// checked end.
pub fn run_authorize_request(data: &[u8]) -> AuthorizeEnd {
    let input = Input::parse(data);
    let query = String::from_utf8_lossy(input.body);
    let request = input.request(Method::Get, Method::Post, &query);
    let mut host = Host::new(input.choices);
    let mut step = AuthorizeEndpoint::start(input.config(), &request, context());
    let end = loop {
        host.step(matches!(
            step,
            AuthorizeStep::Done(_) | AuthorizeStep::Interact(_)
        ));
        step = match step {
            AuthorizeStep::LookupClient(s) => match host.lookup(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(host.failure(e)),
            },
            AuthorizeStep::LoadPushed(s) => match host.answer() {
                Ok((v, _)) => {
                    // None, another client's, expired, an unregistered redirect URI.
                    host.poison(matches!(v, 1..=4));
                    s.resume(host.pushed(v))
                }
                Err(e) => s.fail(host.failure(e)),
            },
            AuthorizeStep::Authenticate(s) => {
                assert!(s.request().is_some() && s.client().is_some());
                match host.answer() {
                    Ok((1, _)) => {
                        host.poison(true);
                        s.resume(Authentication::LoginNeeded)
                    }
                    Ok((2, _)) => {
                        host.poison(true);
                        s.resume(Authentication::Refused)
                    }
                    Ok((v, _)) => s.resume(Authentication::Authenticated(host.subject(v % 4))),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            AuthorizeStep::Consent(s) => {
                assert!(s.request().is_some() && s.subject().is_some());
                match host.answer() {
                    Ok((1, _)) => {
                        host.poison(true);
                        s.resume(ConsentAnswer::Needed)
                    }
                    Ok((2, _)) => {
                        host.poison(true);
                        s.resume(ConsentAnswer::Refused)
                    }
                    Ok(_) => s.resume(ConsentAnswer::Granted),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            AuthorizeStep::TakePushed(s) => match host.answer() {
                Ok((v, _)) => {
                    host.poison(v == 1);
                    s.resume(v != 1)
                }
                Err(e) => s.fail(host.failure(e)),
            },
            AuthorizeStep::Persist(s) => {
                check_records(s.records());
                for r in s.records() {
                    let Record::Code(_, code) = r else {
                        unreachable!("the authorization endpoint saves {r:?}")
                    };
                    assert_eq!(code.client_id, host.client_id, "a code for another client");
                    assert!(
                        code.redirect_uri
                            .as_deref()
                            .is_none_or(|u| REDIRECT_URIS.contains(&u)),
                        "{code:?}"
                    );
                    // RFC 9700 section 2.1.1: public clients always use PKCE.
                    assert!(
                        host.client_id != "public" || code.challenge.is_some(),
                        "a public client's code without PKCE"
                    );
                }
                match host.answer() {
                    Ok(_) => s.resume(),
                    Err(e) => s.fail(host.failure(e)),
                }
            }
            AuthorizeStep::Interact(i) => break AuthorizeEnd::Interact(i),
            AuthorizeStep::Done(done) => break AuthorizeEnd::Done(done),
        };
    };
    match &end {
        AuthorizeEnd::Interact(i) => {
            assert!(i.resubmit.iter().any(|(k, _)| k == "client_id"), "{i:?}");
            // A login or consent page never carries credentials back as hidden fields.
            assert!(
                i.resubmit
                    .iter()
                    .all(|(k, _)| !matches!(k.as_str(), "password" | "client_secret")),
                "{i:?}"
            );
            assert!(
                REDIRECT_URIS.contains(&i.request.redirect_uri.as_str()),
                "{i:?}"
            );
        }
        AuthorizeEnd::Done(done) => {
            host.check_end(done);
            check_authorize(done);
        }
    }
    end
}

/// The authorization endpoint's response: a redirect (303) or form post (200) only ever to
/// a registered redirect URI, carrying `iss`; an error page (400) otherwise; host failures
/// as JSON.
fn check_authorize(done: &Done) {
    let status = done.response.status;
    let html = || {
        let ct = header(done, "Content-Type").unwrap_or_default();
        assert!(ct.starts_with("text/html"), "Content-Type {ct:?}");
        String::from_utf8_lossy(&done.response.body).into_owned()
    };
    match status {
        303 => {
            let location = header(done, "Location").unwrap_or_default();
            assert!(
                REDIRECT_URIS.iter().any(|u| location.starts_with(u)),
                "redirect to an unregistered URI: {location}"
            );
            assert!(location.contains("iss="), "{location}");
            let key = match done.outcome {
                Outcome::Succeeded { .. } => "code=",
                _ => "error=",
            };
            assert!(location.contains(key), "{location} / {:?}", done.outcome);
        }
        200 => {
            let page = html();
            assert!(
                page.contains(REDIRECT_URIS[0]),
                "form post to an unregistered URI"
            );
        }
        400 => {
            let _ = html();
            assert!(header(done, "Location").is_none());
            assert!(matches!(done.outcome, Outcome::Rejected { .. }), "{done:?}");
        }
        500 | 503 => {
            let _ = check_json(done, 0);
        }
        other => unreachable!("status {other}: {done:?}"),
    }
    assert_eq!(header(done, "Cache-Control"), Some("no-store"));
}

/// `authorize_request`: a whole authorization request (GET query or POST form), every host
/// answer chosen by the fuzzer.
pub fn authorize_request(data: &[u8]) {
    let _ = run_authorize_request(data);
}
