//! The tenant the token endpoint bench (`benches/token_endpoint.rs`) and its allocation count
//! (`tests/token_alloc_count.rs`) run against: the in-memory testkit host with one client per
//! scenario, and the requests those clients send, encoded ahead of time.
//!
//! Every request runs through `oauth_core::drive::drive_token`, answered by
//! `oauth_testkit::TestKit` (the in-memory store, the ES256 tenant signer). The configuration
//! is held apart from the kit so that no per-request clone of it is measured, and the
//! per-request seed is a counter written into bytes (a real host draws it from its CSPRNG).

use jwt_verify::{Algorithm, SigningKey};
use oauth_core::auth::JWT_BEARER;
use oauth_core::drive;
use oauth_core::{Config, Context, Done, HttpRequest, TokenEndpoint};
use oauth_testkit::{CodeSpec, MemoryStore, TestKit, basic, encode_form};
use serde_json::json;

/// `client_secret_basic`, `client_credentials`.
pub const CC_BASIC: &str = "cc-basic";
/// `client_secret_jwt` pinned to HS256.
pub const CC_HS256: &str = "cc-hs256";
/// `private_key_jwt` with the P-256 fixture key.
pub const CC_ES256: &str = "cc-es256";
/// `private_key_jwt` with the RSA-2048 fixture key (RS256).
pub const CC_RS256: &str = "cc-rs256";
/// `client_secret_basic`, `authorization_code` (+ `refresh_token`).
pub const CODE: &str = "code-client";
/// The secret of the `client_secret_*` clients (the HS256 fixture secret: 48 bytes).
pub const SECRET: &str = "bench-client-secret-0123456789abcdefghijklmnopqr";
/// The code client's redirect URI.
pub const REDIRECT: &str = "https://app.example.com/cb";
/// A PKCE verifier (RFC 7636 appendix B).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

const FORM: &[u8] = b"application/x-www-form-urlencoded";

/// One encoded token request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The form body.
    pub body: String,
    /// The `Authorization` value, if any.
    pub authorization: Option<String>,
}

/// The host and the tenant configuration.
pub struct Fixture {
    /// The in-memory host.
    pub kit: TestKit,
    /// The tenant configuration (the kit's, cloned once).
    pub config: Config,
    basic_cc: String,
    basic_code: String,
}

/// The client's signing key for an assertion algorithm (HS256, RS256, ES256).
#[must_use]
pub fn client_key(alg: Algorithm) -> SigningKey {
    benches::signing_key(alg).expect("fixture key")
}

fn jwk(alg: Algorithm) -> serde_json::Value {
    let key = benches::verifying_key(alg)
        .expect("fixture key")
        .with_kid(benches::kid(alg));
    serde_json::to_value(key.public_jwk().expect("public key")).expect("jwk json")
}

impl Fixture {
    /// The tenant with its five clients.
    #[must_use]
    pub fn new() -> Self {
        assert_eq!(SECRET.as_bytes(), benches::HS256_SECRET);
        let mut kit = TestKit::new();
        let cc = json!(["client_credentials"]);
        kit.register(json!({
            "client_id": CC_BASIC, "client_secret": SECRET,
            "grant_types": cc, "scope": "read write",
        }));
        kit.register(json!({
            "client_id": CC_HS256, "client_secret": SECRET,
            "token_endpoint_auth_method": "client_secret_jwt",
            "token_endpoint_auth_signing_alg": "HS256",
            "grant_types": cc, "scope": "read write",
        }));
        for (id, alg) in [(CC_ES256, Algorithm::ES256), (CC_RS256, Algorithm::RS256)] {
            kit.register(json!({
                "client_id": id,
                "token_endpoint_auth_method": "private_key_jwt",
                "jwks": { "keys": [jwk(alg)] },
                "grant_types": cc, "scope": "read write",
            }));
        }
        kit.register(json!({
            "client_id": CODE, "client_secret": SECRET,
            "grant_types": ["authorization_code", "refresh_token"],
            "redirect_uris": [REDIRECT], "scope": "openid profile read",
        }));
        let config = kit.config.clone();
        Fixture {
            kit,
            config,
            basic_cc: basic(CC_BASIC, SECRET),
            basic_code: basic(CODE, SECRET),
        }
    }

    /// `client_credentials` with `client_secret_basic`.
    #[must_use]
    pub fn client_credentials_basic(&self) -> Request {
        Request {
            body: encode_form(&[("grant_type", "client_credentials"), ("scope", "read")]),
            authorization: Some(self.basic_cc.clone()),
        }
    }

    /// `client_credentials` with a freshly minted client assertion (a new `jti`): HS256 for
    /// `client_secret_jwt`, ES256 / RS256 for `private_key_jwt`. The body names the
    /// `client_id`, as clients usually do (RFC 7521 section 4.2 lets them leave it out; the
    /// engine then reads it from the assertion's `sub`, one more parse).
    pub fn client_credentials_assertion(&mut self, alg: Algorithm, key: &SigningKey) -> Request {
        let client = match alg {
            Algorithm::HS256 => CC_HS256,
            Algorithm::ES256 => CC_ES256,
            Algorithm::RS256 => CC_RS256,
            other => panic!("no client for {other:?}"),
        };
        let assertion = self.kit.assertion(key, client, None);
        Request {
            body: encode_form(&[
                ("grant_type", "client_credentials"),
                ("scope", "read"),
                ("client_id", client),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
            ]),
            authorization: None,
        }
    }

    /// `authorization_code` with PKCE for a code stored now: scope `read` (no ID token), or
    /// `openid profile` with a nonce (an ES256 ID token, signed by the host).
    pub fn authorization_code(&mut self, openid: bool) -> Request {
        let code = self.kit.issue_code(CodeSpec {
            client_id: CODE,
            redirect_uri: Some(REDIRECT),
            code_verifier: Some(VERIFIER),
            nonce: openid.then_some("n-0S6_WzA2Mj"),
            scope: if openid { "openid profile" } else { "read" },
            sub: "alice",
        });
        Request {
            body: encode_form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ]),
            authorization: Some(self.basic_code.clone()),
        }
    }

    /// Forgets every stored record (codes, tokens, replay keys) and the step log, keeping
    /// the clients.
    pub fn reset(&mut self) {
        self.kit.store = MemoryStore::default();
        self.kit.steps.clear();
    }

    /// Runs one request through `drive_token`; `n` makes the request's seed.
    pub fn run(&mut self, r: &Request, n: u64) -> Done {
        let mut request = HttpRequest::post(r.body.as_bytes()).header("Content-Type", FORM);
        if let Some(a) = &r.authorization {
            request = request.header("Authorization", a.as_bytes());
        }
        let mut seed = [0u8; 32];
        for (s, b) in seed.iter_mut().zip(n.to_le_bytes()) {
            *s = b;
        }
        let context = Context {
            now: self.kit.now,
            seed,
        };
        let step = TokenEndpoint::start(&self.config, &request, context);
        drive::drive_token(step, &mut self.kit)
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}
