//! Shared by the end-to-end tests: the real server started in-process on a loopback port,
//! a real HTTP client, and the credentials clients use.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;

use base64ct::{Base64, Encoding};
use jwt_verify::{Jwk, SigningKey};
use oauth_hyper::{FileConfig, Server};
use tokio::sync::oneshot;

/// The private key of the `pkjwt` client (the demo's key).
pub const PKJWT_JWK: &str = oauth_hyper::demo::DEMO_PKJWT_PRIVATE_JWK;

/// A secret long enough for HS256.
pub const JWT_SECRET: &str = "jwt-client-secret-with-at-least-32-bytes";

/// The tenant `t1` every test uses, with one client per authentication method; `extra` is
/// appended (more clients, users or top-level tables go before `[[tenants]]` via `head`).
/// Records are kept in memory unless `head` names a `store`.
pub fn config_toml(head: &str, extra: &str) -> String {
    let store = if head.contains("store =") {
        ""
    } else {
        "store = { kind = \"memory\" }"
    };
    format!(
        r#"
listen = "127.0.0.1:0"
{store}
{head}

[[tenants]]
id = "t1"
id_token_signing_alg = "ES256"
ciba_interval_secs = 1
ciba_expires_in_secs = 60
par_expires_in_secs = 60

[[tenants.clients]]
client_id = "basic"
client_name = "Basic <App>"
client_secret = "basic-secret"
token_endpoint_auth_method = "client_secret_basic"
grant_types = ["authorization_code", "refresh_token", "client_credentials", "password"]
redirect_uris = ["http://127.0.0.1:9/cb"]
scope = "openid profile read write"

[[tenants.clients]]
client_id = "post"
client_secret = "post-secret"
token_endpoint_auth_method = "client_secret_post"
grant_types = ["client_credentials"]
scope = "read"

[[tenants.clients]]
client_id = "sjwt"
client_secret = "{JWT_SECRET}"
token_endpoint_auth_method = "client_secret_jwt"
grant_types = ["authorization_code", "refresh_token", "client_credentials"]
redirect_uris = ["http://127.0.0.1:9/cb"]
scope = "openid profile read"

[[tenants.clients]]
client_id = "pkjwt"
token_endpoint_auth_method = "private_key_jwt"
jwks = {{ keys = [ {{ kty = "EC", crv = "P-256", kid = "demo-pkjwt-1", x = "omJ8niPw8miPdDgxROum73ReWHF8f8pvO7oSG4eOoLQ", y = "gAJG8VnEQG0LxuZLF7nKbAPcniS2az-tGfo7isBB_Pc" }} ] }}
grant_types = ["client_credentials", "authorization_code", "refresh_token"]
redirect_uris = ["http://127.0.0.1:9/cb"]
scope = "openid read"

[[tenants.clients]]
client_id = "spa"
token_endpoint_auth_method = "none"
grant_types = ["authorization_code", "refresh_token"]
redirect_uris = ["http://127.0.0.1:9/cb"]
scope = "openid profile"

[[tenants.clients]]
client_id = "ciba"
client_secret = "ciba-secret"
grant_types = ["urn:openid:params:grant-type:ciba", "refresh_token"]
scope = "openid profile"
backchannel_token_delivery_mode = "poll"

[[tenants.users]]
username = "alice"
password = "wonderland"
ciba = "approve"
ciba_delay_secs = 1
auto_approve = true

[[tenants.users]]
username = "bob"
password = "builder"
sub = "bob-sub"
ciba = "deny"
ciba_delay_secs = 1

[[tenants.users]]
username = "carol"
password = "carol-pw"
ciba = "wait"
{extra}
"#
    )
}

/// A server running in this process.
pub struct TestServer {
    pub addr: SocketAddr,
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    /// Starts the default configuration.
    pub async fn start() -> TestServer {
        Self::start_toml(&config_toml("", "")).await
    }

    /// Starts a configuration given as TOML.
    pub async fn start_toml(toml: &str) -> TestServer {
        let config = FileConfig::from_toml(toml).unwrap_or_else(|e| panic!("test config: {e}"));
        Self::start_config(config).await
    }

    /// Starts a parsed configuration.
    pub async fn start_config(config: FileConfig) -> TestServer {
        let server = Server::bind(config)
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = server.local_addr();
        let base = server.public_base_url().to_owned();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve(async move {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            base,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// `{base}/t1/as/{path}`.
    pub fn at(&self, path: &str) -> String {
        format!("{}/t1/as/{path}", self.base)
    }

    /// The issuer of `t1`.
    pub fn issuer(&self) -> String {
        format!("{}/t1/as", self.base)
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

/// An HTTP client that does not follow redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `Authorization: Basic` for a client id and secret (form-encoded first, RFC 6749
/// section 2.3.1).
pub fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    format!(
        "Basic {}",
        Base64::encode_string(format!("{}:{}", enc(id), enc(secret)).as_bytes())
    )
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A client assertion (RFC 7523) signed with `key`.
pub fn assertion(key: &SigningKey, client_id: &str, aud: &str) -> String {
    let n = now();
    let mut jti = [0u8; 16];
    getrandom::fill(&mut jti).unwrap();
    let claims = serde_json::json!({
        "iss": client_id, "sub": client_id, "aud": aud,
        "iat": n, "exp": n + 60, "jti": base64ct::Base64UrlUnpadded::encode_string(&jti),
    });
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).unwrap();
    key.sign_jwt(None, &claims, &seed).unwrap()
}

/// The `pkjwt` client's key.
pub fn pkjwt_key() -> SigningKey {
    let jwk = Jwk::from_json(PKJWT_JWK).unwrap();
    SigningKey::from_jwk(&jwk, None)
        .unwrap()
        .with_kid("demo-pkjwt-1")
}

/// The `sjwt` client's HMAC key.
pub fn sjwt_key() -> SigningKey {
    SigningKey::hmac(jwt_verify::Algorithm::HS256, JWT_SECRET.as_bytes()).unwrap()
}

/// The JWT bearer assertion type.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A parsed JSON response.
pub async fn json(r: reqwest::Response) -> (u16, serde_json::Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, v)
}

/// POSTs a form with Basic authentication.
pub async fn post_basic(
    url: &str,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    json(
        http()
            .post(url)
            .header("authorization", basic(id, secret))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// A query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| {
            String::from_utf8(oauth_hyper::http_util::percent_decode(&v.replace('+', " ")).unwrap())
                .unwrap()
        })
    })
}

/// A code for `alice` (whom the test tenant logs in without a form) from the
/// authorization endpoint at `authorize_url`; `None` when the server did not answer.
pub async fn authorize_code(
    authorize_url: &str,
    client_id: &str,
    redirect_uri: &str,
) -> Option<String> {
    let r = http()
        .get(authorize_url)
        .query(&[
            ("client_id", client_id),
            ("response_type", "code"),
            ("redirect_uri", redirect_uri),
            ("scope", "openid"),
            ("login_hint", "alice"),
        ])
        .send()
        .await
        .ok()?;
    query_param(r.headers().get("location")?.to_str().ok()?, "code")
}
