//! The embedded demo configuration, its start-up banner with ready-to-paste curl commands,
//! and client assertion minting for curl users.

use jwt_verify::{Algorithm, Jwk, SigningKey};

use crate::config::{FileConfig, StoreFile, StoreKind};

/// The demo configuration (tenant `demo`).
pub const DEMO_TOML: &str = include_str!("demo.toml");

/// The private key of the demo `private_key_jwt` client `demo-pkjwt` (a fixed, public
/// demo key: never register it anywhere real).
pub const DEMO_PKJWT_PRIVATE_JWK: &str = r#"{"kty":"EC","crv":"P-256","kid":"demo-pkjwt-1","alg":"ES256","x":"omJ8niPw8miPdDgxROum73ReWHF8f8pvO7oSG4eOoLQ","y":"gAJG8VnEQG0LxuZLF7nKbAPcniS2az-tGfo7isBB_Pc","d":"2uXDP26og1OrwHkSu2AZLQ4-5WOsIK4sI_Vvly-njSA"}"#;

/// The demo configuration, parsed.
pub fn config() -> Result<FileConfig, crate::ConfigError> {
    FileConfig::from_toml(DEMO_TOML)
}

/// Where the demo keeps its records: a SQLite file at
/// `$XDG_STATE_HOME/oauth-server/demo.sqlite3` (`$HOME/.local/state/oauth-server/` when
/// `XDG_STATE_HOME` is unset), so its refresh tokens and consumed codes survive a
/// restart; in memory when neither variable is set.
#[must_use]
pub fn default_store() -> StoreFile {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    let state = var("XDG_STATE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| var("HOME").map(|h| std::path::Path::new(&h).join(".local/state")));
    match state {
        Some(dir) => StoreFile {
            kind: StoreKind::Sqlite,
            path: Some(dir.join("oauth-server").join("demo.sqlite3")),
            ..StoreFile::default()
        },
        None => StoreFile::memory(),
    }
}

/// What the demo prints at start-up: tenants, clients, users and curl commands.
#[must_use]
/// `exe` is how to run this binary again (for the assertion-minting commands).
pub fn banner(config: &FileConfig, base: &str, exe: &str) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "oauth-server: demo configuration (no --config given), listening at {base}"
    );
    let _ = match (&config.store.kind, &config.store.path) {
        (StoreKind::Sqlite, Some(p)) => writeln!(s, "records kept in {}\n", p.display()),
        _ => writeln!(s, "records kept in memory (lost at exit)\n"),
    };
    for t in &config.tenants {
        let issuer = format!("{base}/{}/as", t.id);
        let _ = writeln!(s, "tenant {:?}: issuer {issuer}", t.id);
        let _ = writeln!(s, "  discovery: {issuer}/.well-known/openid-configuration");
        let _ = writeln!(s, "  device:    {base}/{}/device\n  clients:", t.id);
        for c in &t.clients {
            let _ = writeln!(
                s,
                "    {:<12} {:<28} secret {:<42} grants {}",
                c.client_id,
                c.token_endpoint_auth_method
                    .as_deref()
                    .unwrap_or("client_secret_basic"),
                c.client_secret.as_deref().unwrap_or("-"),
                c.grant_types.as_deref().unwrap_or_default().join(" "),
            );
        }
        let _ = writeln!(s, "  users:");
        for u in &t.users {
            let _ = writeln!(
                s,
                "    {:<8} password {:<12} ciba {:<8} (after {}s) auto_approve {}",
                u.username,
                u.password,
                format!("{:?}", u.ciba).to_lowercase(),
                u.ciba_delay_secs,
                u.auto_approve
            );
        }
    }
    let t = format!("{base}/demo/as");
    let _ = write!(
        s,
        r#"
The private key of demo-pkjwt (private_key_jwt, ES256), for signing client assertions:
  {DEMO_PKJWT_PRIVATE_JWK}
or let the server mint one:  {exe} assertion --client-id demo-pkjwt   (also: demo-jwt)

Try it:
# client_credentials, client_secret_basic
curl -s -u demo-basic:demo-basic-secret -d grant_type=client_credentials -d scope=read {t}/token

# client_credentials, private_key_jwt
curl -s -d grant_type=client_credentials -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
     -d client_assertion=$({exe} assertion --client-id demo-pkjwt) {t}/token

# CIBA: start (alice approves after 3 s), then poll the token endpoint with the auth_req_id
curl -s -u demo-ciba:demo-ciba-secret -d scope=openid -d login_hint=alice -d binding_message=W4SCT {t}/cibaAuthorization
curl -s -u demo-ciba:demo-ciba-secret -d grant_type=urn:openid:params:grant-type:ciba -d auth_req_id=AUTH_REQ_ID {t}/token

# PAR, then the authorization endpoint (alice is auto-approved: a 303 to the client with a code), then the code exchange
curl -s -u demo-basic:demo-basic-secret -d response_type=code -d redirect_uri=http://127.0.0.1:9999/cb \
     -d scope="openid profile" -d state=xyz -d login_hint=alice {t}/par
curl -si "{t}/authorize?client_id=demo-basic&request_uri=REQUEST_URI" | grep -i '^location'
curl -s -u demo-basic:demo-basic-secret -d grant_type=authorization_code -d code=CODE -d redirect_uri=http://127.0.0.1:9999/cb {t}/token

# In a browser: log in as bob/builder on the login page, or approve carol's CIBA requests on the device page:
  {t}/authorize?client_id=demo-basic&response_type=code&scope=openid&state=s1&redirect_uri=http://127.0.0.1:9999/cb
  {base}/demo/device
"#
    );
    s
}

/// Mints a client assertion (RFC 7523) for a `client_secret_jwt` client (HS256, or its
/// pinned algorithm, keyed with its secret) or a `private_key_jwt` client (with `key`, a
/// private JWK, or the demo key for `demo-pkjwt`). Valid for two minutes.
pub fn mint_assertion(
    config: &FileConfig,
    tenant: Option<&str>,
    client_id: &str,
    audience: Option<&str>,
    key: Option<&str>,
    base: &str,
) -> Result<String, String> {
    let t = match tenant {
        Some(id) => config.tenants.iter().find(|t| t.id == id),
        None => config.tenants.first(),
    }
    .ok_or("no such tenant")?;
    let c = t
        .clients
        .iter()
        .find(|c| c.client_id == client_id)
        .ok_or_else(|| format!("tenant {:?} has no client {client_id:?}", t.id))?;
    let pinned = c
        .token_endpoint_auth_signing_alg
        .as_deref()
        .map(|a| {
            a.parse::<Algorithm>()
                .map_err(|_| format!("unsupported token_endpoint_auth_signing_alg {a:?}"))
        })
        .transpose()?;
    let signing = match c.token_endpoint_auth_method.as_deref() {
        Some("client_secret_jwt") => {
            let secret = c
                .client_secret
                .as_deref()
                .ok_or("the client has no client_secret")?;
            SigningKey::hmac(pinned.unwrap_or(Algorithm::HS256), secret.as_bytes())
                .map_err(|e| format!("{e:?}"))?
        }
        Some("private_key_jwt") => {
            let jwk_text = match key {
                Some(k) => k.to_owned(),
                None if client_id == "demo-pkjwt" => DEMO_PKJWT_PRIVATE_JWK.to_owned(),
                None => return Err("private_key_jwt needs --key FILE (a private JWK)".to_owned()),
            };
            let jwk =
                Jwk::from_json(&jwk_text).map_err(|e| format!("the key is not a JWK: {e:?}"))?;
            let k = SigningKey::from_jwk(&jwk, pinned)
                .map_err(|e| format!("the key cannot sign: {e:?}"))?;
            match jwk.kid.as_deref() {
                Some(kid) => k.with_kid(kid),
                None => k,
            }
        }
        _ => {
            return Err(
                "only client_secret_jwt and private_key_jwt clients use assertions".to_owned(),
            );
        }
    };
    let now = crate::backend::now();
    let aud = audience.map_or_else(|| format!("{base}/{}/as/token", t.id), str::to_owned);
    let jti = crate::backend::random_id().map_err(|_| "no entropy")?;
    let claims = serde_json::json!({
        "iss": client_id, "sub": client_id, "aud": aud,
        "iat": now, "exp": now + 120, "jti": jti,
    });
    let entropy = crate::backend::random_bytes().map_err(|_| "no entropy")?;
    signing
        .sign_jwt(None, &claims, &entropy)
        .map_err(|e| format!("{e}"))
}
