//! The configuration file: one TOML document (see the README for every field). Unknown
//! fields are refused, and every error names the field it is about
//! (`tenants[0].clients[2].token_endpoint_auth_method: ...`).

use std::net::SocketAddr;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A configuration error: the field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The path of the field (`tenants[0].id`), or empty for the document as a whole.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on (default `127.0.0.1:8080`).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The public URL the server is reached at; issuers are `{public_base_url}/{tenant}/as`.
    /// Default: `http://` (or `https://` with `[tls]`) and the bound address.
    pub public_base_url: Option<String>,
    /// The tenants.
    #[serde(default)]
    pub tenants: Vec<TenantFile>,
    /// Extension: serve HTTPS.
    pub tls: Option<TlsFile>,
    /// Extension: take the client certificate from this request header, set by a trusted
    /// reverse proxy (URL-encoded PEM, as nginx's `$ssl_client_escaped_cert`). Off by default.
    pub trusted_client_cert_header: Option<String>,
    /// Extension: the proxy validated the header's certificate chain against a CA, so it
    /// may authenticate `tls_client_auth` clients (default false: only
    /// `self_signed_tls_client_auth`).
    #[serde(default)]
    pub trusted_client_cert_header_chain_verified: bool,
    /// Extension: the record store.
    #[serde(default)]
    pub store: StoreFile,
    /// Extension: request limits.
    #[serde(default)]
    pub limits: LimitsFile,
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_owned()
}

/// `[tls]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFile {
    /// PEM certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
    /// `"optional"` (default): request a client certificate, never require one;
    /// `"none"`: do not ask.
    #[serde(default)]
    pub client_auth: ClientAuthMode,
    /// PEM CA bundle: client certificates that chain to it may authenticate
    /// `tls_client_auth` clients. Without it only `self_signed_tls_client_auth` works.
    pub client_ca_file: Option<PathBuf>,
}

/// Whether the TLS handshake asks for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuthMode {
    /// Ask, accept a handshake without one.
    #[default]
    Optional,
    /// Do not ask.
    None,
}

/// The file the SQLite store uses when `path` is not given, beside the configuration file.
pub const DEFAULT_SQLITE_FILE: &str = "oauth-server.sqlite3";

/// `store = { kind = "sqlite", path = "oauth-server.sqlite3" }` (the default),
/// `store = { kind = "redis", url = "redis://127.0.0.1:6379" }` or
/// `store = { kind = "memory", max_records = 1000000 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreFile {
    /// `"sqlite"` (default), `"redis"` or `"memory"`.
    #[serde(default)]
    pub kind: StoreKind,
    /// `memory`: most records held at once; beyond it requests get 503 (default 1,000,000).
    #[serde(default = "default_max_records")]
    pub max_records: usize,
    /// `sqlite`: the database file, relative to the configuration file's folder (default
    /// `oauth-server.sqlite3`). Created, or migrated to the current schema, at start-up.
    pub path: Option<PathBuf>,
    /// `sqlite`: `"full"` (default: a committed record survives a power loss) or
    /// `"normal"` (survives a crash of the process, not of the machine; faster).
    #[serde(default)]
    pub synchronous: Synchronous,
    /// `redis`: `redis://[user:password@]host:port[/db]`.
    pub url: Option<String>,
    /// `redis`: the prefix of every key (default `oauth:`), to share one Redis database.
    pub key_prefix: Option<String>,
}

impl Default for StoreFile {
    fn default() -> Self {
        StoreFile {
            kind: StoreKind::default(),
            max_records: default_max_records(),
            path: None,
            synchronous: Synchronous::default(),
            url: None,
            key_prefix: None,
        }
    }
}

impl StoreFile {
    /// The in-memory store with its default bound.
    #[must_use]
    pub fn memory() -> Self {
        StoreFile {
            kind: StoreKind::Memory,
            ..StoreFile::default()
        }
    }

    fn check(&self) -> Result<(), ConfigError> {
        let only = |field: &str, set: bool, kind: &str| {
            if set {
                Err(ConfigError::new(
                    format!("store.{field}"),
                    format!("only for kind = \"{kind}\""),
                ))
            } else {
                Ok(())
            }
        };
        if self.kind != StoreKind::Sqlite {
            only("path", self.path.is_some(), "sqlite")?;
        }
        if self.kind != StoreKind::Redis {
            only("url", self.url.is_some(), "redis")?;
            only("key_prefix", self.key_prefix.is_some(), "redis")?;
        }
        if self.kind == StoreKind::Redis && self.url.is_none() {
            return Err(ConfigError::new(
                "store.url",
                "required for kind = \"redis\"",
            ));
        }
        if let Some(p) = &self.key_prefix
            && (p.len() > 64 || p.bytes().any(|b| !b.is_ascii_graphic()))
        {
            return Err(ConfigError::new(
                "store.key_prefix",
                "at most 64 printable ASCII characters",
            ));
        }
        Ok(())
    }
}

fn default_max_records() -> usize {
    crate::store::DEFAULT_MAX_RECORDS
}

/// Store kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// [`crate::SqliteStore`]: one durable file, for one server (the default).
    #[default]
    Sqlite,
    /// [`crate::RedisStore`]: shared by any number of server instances.
    Redis,
    /// [`crate::MemoryStore`]: nothing survives a restart.
    Memory,
}

/// SQLite's `synchronous` setting (in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// Every commit is on disk before it returns: survives a power loss.
    #[default]
    Full,
    /// Commits survive a crash of the process; the last ones may be lost with the machine.
    Normal,
}

/// `[limits]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsFile {
    /// Largest request body, bytes (default 65536); larger gets 413.
    pub max_body_bytes: usize,
    /// Largest request head (request line and headers), bytes (default 16384, at least
    /// 8192).
    pub max_header_bytes: usize,
    /// Seconds to receive the request head (default 10).
    pub header_read_timeout_secs: NonZeroU64,
    /// Seconds to receive the body once the head is in (default 10); slower gets 408.
    pub body_read_timeout_secs: NonZeroU64,
    /// Open connections at once (default 1024); more wait in the accept queue.
    pub max_connections: usize,
    /// Requests handled at once (default 256); more wait.
    pub max_concurrent_requests: usize,
    /// Login sessions held per tenant (default 10000).
    pub max_sessions: usize,
    /// Login session lifetime, seconds (default 28800).
    pub session_ttl_secs: NonZeroU64,
    /// Pending requests shown on a tenant's demo device (default 10000).
    pub max_device_requests: usize,
}

impl Default for LimitsFile {
    fn default() -> Self {
        LimitsFile {
            max_body_bytes: 64 * 1024,
            max_header_bytes: 16 * 1024,
            header_read_timeout_secs: NonZeroU64::MIN.saturating_add(9),
            body_read_timeout_secs: NonZeroU64::MIN.saturating_add(9),
            max_connections: 1024,
            max_concurrent_requests: 256,
            max_sessions: 10_000,
            session_ttl_secs: NonZeroU64::MIN.saturating_add(28_799),
            max_device_requests: 10_000,
        }
    }
}

/// `[[tenants]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantFile {
    /// The path segment: `/{id}/as/...`.
    pub id: String,
    /// Access token lifetime (default 3600).
    #[serde(default = "d3600")]
    pub access_token_ttl_secs: NonZeroU64,
    /// Refresh token lifetime (default 86400).
    #[serde(default = "d86400")]
    pub refresh_token_ttl_secs: NonZeroU64,
    /// ID token signing algorithm (default RS256).
    #[serde(default)]
    pub id_token_signing_alg: SigningAlg,
    /// PKCS#8 PEM private key; generated at start-up when absent.
    pub signing_key_file: Option<PathBuf>,
    /// `"lenient"` (default) or `"issuer"`.
    #[serde(default)]
    pub client_assertion_audience: AudienceMode,
    /// CIBA minimum polling interval (default 5).
    #[serde(default = "d5")]
    pub ciba_interval_secs: NonZeroU64,
    /// CIBA `expires_in` when the client asks for none (default 120).
    #[serde(default = "d120")]
    pub ciba_expires_in_secs: NonZeroU64,
    /// PAR `request_uri` lifetime (default 60).
    #[serde(default = "d60")]
    pub par_expires_in_secs: NonZeroU64,
    /// Extension: ID token lifetime (default 3600).
    #[serde(default = "d3600")]
    pub id_token_ttl_secs: NonZeroU64,
    /// Extension: authorization code lifetime (default 60).
    #[serde(default = "d60")]
    pub code_ttl_secs: NonZeroU64,
    /// Extension: the largest CIBA `requested_expiry` honoured (default 600).
    #[serde(default = "d600")]
    pub ciba_max_expires_in_secs: NonZeroU64,
    /// Extension: `"opaque"` (default) or `"jwt"` (RFC 9068) access tokens.
    #[serde(default)]
    pub access_token_format: TokenFormat,
    /// Extension: every client must use PAR.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// Extension: PKCE required of confidential clients too.
    #[serde(default)]
    pub require_pkce: bool,
    /// Extension: accept PKCE `plain`.
    #[serde(default)]
    pub allow_plain_pkce: bool,
    /// Extension: `"standard"` (default) or `"hid"`: HID Authentication Service's dialect of
    /// the token endpoint (Bearer client authentication, its grants, parameters and error
    /// members; see the README's "HID profile").
    #[serde(default)]
    pub profile: ProfileMode,
    /// Extension: the permission a client needs for HID's `api_otp` grant (default
    /// `"api_otp"`), held through the client's `permissions`.
    #[serde(default = "default_otp_permission")]
    pub hid_api_otp_permission: String,
    /// The registered clients.
    #[serde(default)]
    pub clients: Vec<ClientFile>,
    /// The users.
    #[serde(default)]
    pub users: Vec<UserFile>,
}

fn default_otp_permission() -> String {
    "api_otp".to_owned()
}

/// `profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileMode {
    /// The RFCs alone.
    #[default]
    Standard,
    /// HID Authentication Service.
    Hid,
}

fn d5() -> NonZeroU64 {
    NonZeroU64::MIN.saturating_add(4)
}
fn d60() -> NonZeroU64 {
    NonZeroU64::MIN.saturating_add(59)
}
fn d120() -> NonZeroU64 {
    NonZeroU64::MIN.saturating_add(119)
}
fn d600() -> NonZeroU64 {
    NonZeroU64::MIN.saturating_add(599)
}
fn d3600() -> NonZeroU64 {
    NonZeroU64::MIN.saturating_add(3599)
}
fn d86400() -> NonZeroU64 {
    NonZeroU64::MIN.saturating_add(86_399)
}

/// Algorithms a tenant signs ID tokens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[allow(missing_docs)]
pub enum SigningAlg {
    #[default]
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
}

impl SigningAlg {
    /// The engine's algorithm.
    #[must_use]
    pub fn algorithm(self) -> jwt_verify::Algorithm {
        use jwt_verify::Algorithm as A;
        match self {
            SigningAlg::RS256 => A::RS256,
            SigningAlg::RS384 => A::RS384,
            SigningAlg::RS512 => A::RS512,
            SigningAlg::PS256 => A::PS256,
            SigningAlg::PS384 => A::PS384,
            SigningAlg::PS512 => A::PS512,
            SigningAlg::ES256 => A::ES256,
        }
    }
}

/// `client_assertion_audience`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AudienceMode {
    /// Issuer, token endpoint URL or receiving endpoint URL.
    #[default]
    Lenient,
    /// Issuer only.
    Issuer,
}

/// `access_token_format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenFormat {
    /// Random strings.
    #[default]
    Opaque,
    /// RFC 9068 JWTs.
    Jwt,
}

/// `[[tenants.clients]]`: RFC 7591 / OIDC registration names, mapped one to one onto
/// `oauth_core::ClientMetadata`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ClientFile {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub token_endpoint_auth_method: Option<String>,
    pub token_endpoint_auth_signing_alg: Option<String>,
    pub jwks: Option<serde_json::Value>,
    pub grant_types: Option<Vec<String>>,
    pub response_types: Option<Vec<String>>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    pub scope: Option<String>,
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    pub backchannel_token_delivery_mode: Option<String>,
    pub backchannel_client_notification_endpoint: Option<String>,
    #[serde(default)]
    pub backchannel_user_code_parameter: bool,
    pub tls_client_auth_subject_dn: Option<String>,
    pub tls_client_auth_san_dns: Option<String>,
    pub tls_client_auth_san_uri: Option<String>,
    pub tls_client_auth_san_ip: Option<String>,
    pub tls_client_auth_san_email: Option<String>,
    /// Extension (RFC 7591 `client_name`): shown on the login and consent pages.
    pub client_name: Option<String>,
    /// Extension: permissions the client holds (the HID profile's `api_otp` needs
    /// `hid_api_otp_permission`).
    #[serde(default)]
    pub permissions: Vec<String>,
}

impl ClientFile {
    /// The engine's metadata.
    #[must_use]
    pub fn metadata(&self) -> oauth_core::ClientMetadata {
        oauth_core::ClientMetadata {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            token_endpoint_auth_method: self.token_endpoint_auth_method.clone(),
            token_endpoint_auth_signing_alg: self.token_endpoint_auth_signing_alg.clone(),
            jwks: self.jwks.clone(),
            grant_types: self.grant_types.clone(),
            response_types: self.response_types.clone(),
            redirect_uris: self.redirect_uris.clone(),
            scope: self.scope.clone(),
            require_pushed_authorization_requests: self.require_pushed_authorization_requests,
            backchannel_token_delivery_mode: self.backchannel_token_delivery_mode.clone(),
            backchannel_client_notification_endpoint: self
                .backchannel_client_notification_endpoint
                .clone(),
            backchannel_user_code_parameter: self.backchannel_user_code_parameter,
            tls_client_auth_subject_dn: self.tls_client_auth_subject_dn.clone(),
            tls_client_auth_san_dns: self.tls_client_auth_san_dns.clone(),
            tls_client_auth_san_uri: self.tls_client_auth_san_uri.clone(),
            tls_client_auth_san_ip: self.tls_client_auth_san_ip.clone(),
            tls_client_auth_san_email: self.tls_client_auth_san_email.clone(),
            permissions: self.permissions.clone(),
        }
    }
}

/// `[[tenants.users]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFile {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// `sub` (default: the username).
    pub sub: Option<String>,
    /// `"approve"`, `"deny"` or `"wait"` (default).
    #[serde(default)]
    pub ciba: CibaMode,
    /// Seconds before the demo device decides (default 0).
    #[serde(default)]
    pub ciba_delay_secs: u64,
    /// Skip the login form when `login_hint` names this user; consent implied.
    #[serde(default)]
    pub auto_approve: bool,
}

/// `ciba`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum CibaMode {
    Approve,
    Deny,
    #[default]
    Wait,
}

impl FileConfig {
    /// Parses and checks a TOML document. Errors name the field.
    pub fn from_toml(text: &str) -> Result<FileConfig, ConfigError> {
        let de =
            toml::Deserializer::parse(text).map_err(|e| ConfigError::new("", toml_message(&e)))?;
        let cfg: FileConfig = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { String::new() } else { path };
            ConfigError::new(field, toml_message(e.inner()))
        })?;
        cfg.check()?;
        Ok(cfg)
    }

    /// Reads and parses a file.
    pub fn from_file(path: &Path) -> Result<FileConfig, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new("", format!("cannot read {}: {e}", path.display())))?;
        Self::from_toml(&text)
    }

    /// The listen address.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen.parse().map_err(|_| {
            ConfigError::new(
                "listen",
                format!("not an IP address and port: {:?}", self.listen),
            )
        })
    }

    /// Makes relative file names relative to `dir` (the configuration file's folder).
    pub fn resolve_paths(&mut self, dir: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        };
        if let Some(t) = &mut self.tls {
            fix(&mut t.cert_file);
            fix(&mut t.key_file);
            if let Some(c) = &mut t.client_ca_file {
                fix(c);
            }
        }
        if self.store.kind == StoreKind::Sqlite {
            let path = self
                .store
                .path
                .get_or_insert_with(|| PathBuf::from(DEFAULT_SQLITE_FILE));
            fix(path);
        }
        for t in &mut self.tenants {
            if let Some(k) = &mut t.signing_key_file {
                fix(k);
            }
        }
    }

    /// Checks what types cannot: syntax of ids and URLs, uniqueness, limits.
    fn check(&self) -> Result<(), ConfigError> {
        self.listen_addr()?;
        if let Some(url) = &self.public_base_url {
            check_base_url(url).map_err(|m| ConfigError::new("public_base_url", m))?;
        }
        if let Some(h) = &self.trusted_client_cert_header
            && http::HeaderName::from_bytes(h.as_bytes()).is_err()
        {
            return Err(ConfigError::new(
                "trusted_client_cert_header",
                "not a valid header name",
            ));
        }
        let l = &self.limits;
        if l.max_header_bytes < 8192 {
            return Err(ConfigError::new(
                "limits.max_header_bytes",
                "must be at least 8192",
            ));
        }
        if l.max_body_bytes < 1024 {
            return Err(ConfigError::new(
                "limits.max_body_bytes",
                "must be at least 1024",
            ));
        }
        for (name, v) in [
            ("limits.max_connections", l.max_connections),
            ("limits.max_concurrent_requests", l.max_concurrent_requests),
            ("limits.max_sessions", l.max_sessions),
            ("limits.max_device_requests", l.max_device_requests),
            ("store.max_records", self.store.max_records),
        ] {
            if v == 0 {
                return Err(ConfigError::new(name, "must be at least 1"));
            }
        }
        self.store.check()?;
        let mut ids = std::collections::HashSet::new();
        for (i, t) in self.tenants.iter().enumerate() {
            let at = |f: &str| format!("tenants[{i}].{f}");
            if t.id.is_empty()
                || t.id.len() > 64
                || !t
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
                || t.id.starts_with('.')
            {
                return Err(ConfigError::new(
                    at("id"),
                    "must be 1 to 64 characters of A-Z, a-z, 0-9, '-', '_', '.' (not starting with '.')",
                ));
            }
            if !ids.insert(t.id.as_str()) {
                return Err(ConfigError::new(
                    at("id"),
                    format!("duplicate tenant id {:?}", t.id),
                ));
            }
            if t.hid_api_otp_permission.is_empty() || t.hid_api_otp_permission.len() > 256 {
                return Err(ConfigError::new(
                    at("hid_api_otp_permission"),
                    "must be 1 to 256 bytes",
                ));
            }
            let mut clients = std::collections::HashSet::new();
            for (j, c) in t.clients.iter().enumerate() {
                if let Err(e) = oauth_core::Client::from_metadata(&c.metadata()) {
                    return Err(ConfigError::new(
                        at(&format!("clients[{j}]")),
                        format!("client {:?}: {e}", c.client_id),
                    ));
                }
                if !clients.insert(c.client_id.as_str()) {
                    return Err(ConfigError::new(
                        at(&format!("clients[{j}].client_id")),
                        format!("duplicate client_id {:?}", c.client_id),
                    ));
                }
            }
            let mut names = std::collections::HashSet::new();
            let mut subs = std::collections::HashSet::new();
            for (j, u) in t.users.iter().enumerate() {
                if u.username.is_empty() {
                    return Err(ConfigError::new(
                        at(&format!("users[{j}].username")),
                        "must not be empty",
                    ));
                }
                if !names.insert(u.username.as_str()) {
                    return Err(ConfigError::new(
                        at(&format!("users[{j}].username")),
                        format!("duplicate username {:?}", u.username),
                    ));
                }
                let sub = u.sub.as_deref().unwrap_or(&u.username);
                if sub.is_empty() || !subs.insert(sub) {
                    return Err(ConfigError::new(
                        at(&format!("users[{j}].sub")),
                        format!("empty or duplicate sub {sub:?}"),
                    ));
                }
                if u.ciba_delay_secs > 3600 {
                    return Err(ConfigError::new(
                        at(&format!("users[{j}].ciba_delay_secs")),
                        "must be at most 3600",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// An `http` or `https` URL without query, fragment or trailing slash.
pub(crate) fn check_base_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("must start with http:// or https://: {url:?}"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("has no host: {url:?}"));
    }
    if url.contains(['?', '#']) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "must not contain a query, a fragment or spaces: {url:?}"
        ));
    }
    Ok(())
}

/// A TOML error's message, with its line and column where known.
fn toml_message(e: &toml::de::Error) -> String {
    e.to_string().trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn unknown_field_is_named_with_its_path() {
        let e = FileConfig::from_toml("[[tenants]]\nid = \"t\"\n[[tenants.clients]]\nclient_id = \"c\"\nclient_secrett = \"x\"\n")
            .unwrap_err();
        assert_eq!(e.field, "tenants[0].clients[0].client_secrett", "{e}");
        assert!(e.message.contains("unknown field"), "{e}");
    }

    #[test]
    fn bad_value_is_named_with_its_path() {
        let e = FileConfig::from_toml(
            "[[tenants]]\nid = \"t\"\nclient_assertion_audience = \"loose\"\n",
        )
        .unwrap_err();
        assert_eq!(e.field, "tenants[0].client_assertion_audience", "{e}");
        let e = FileConfig::from_toml("[[tenants]]\nid = \"t\"\naccess_token_ttl_secs = 0\n")
            .unwrap_err();
        assert_eq!(e.field, "tenants[0].access_token_ttl_secs", "{e}");
        let e = FileConfig::from_toml("listen = \"nowhere\"\n").unwrap_err();
        assert_eq!(e.field, "listen", "{e}");
        let e = FileConfig::from_toml("[[tenants]]\nid = \"a/b\"\n").unwrap_err();
        assert_eq!(e.field, "tenants[0].id", "{e}");
        let e =
            FileConfig::from_toml("[[tenants]]\nid = \"t\"\nprofile = \"pingone\"\n").unwrap_err();
        assert_eq!(e.field, "tenants[0].profile", "{e}");
        let e = FileConfig::from_toml(
            "[[tenants]]\nid = \"t\"\nprofile = \"hid\"\nhid_api_otp_permission = \"\"\n",
        )
        .unwrap_err();
        assert_eq!(e.field, "tenants[0].hid_api_otp_permission", "{e}");
    }

    #[test]
    fn the_store_defaults_to_sqlite_beside_the_file() {
        let mut c = FileConfig::from_toml("").unwrap();
        assert_eq!(c.store.kind, StoreKind::Sqlite);
        assert_eq!(c.store.synchronous, Synchronous::Full);
        c.resolve_paths(Path::new("/etc/oauth"));
        assert_eq!(
            c.store.path.as_deref(),
            Some(Path::new("/etc/oauth/oauth-server.sqlite3"))
        );
        let mut c = FileConfig::from_toml(
            "store = { kind = \"sqlite\", path = \"/var/lib/as.db\", synchronous = \"normal\" }",
        )
        .unwrap();
        c.resolve_paths(Path::new("/etc/oauth"));
        assert_eq!(c.store.path.as_deref(), Some(Path::new("/var/lib/as.db")));
        assert_eq!(c.store.synchronous, Synchronous::Normal);
        let mut c =
            FileConfig::from_toml("store = { kind = \"memory\", max_records = 10 }").unwrap();
        c.resolve_paths(Path::new("/etc/oauth"));
        assert_eq!((c.store.kind, c.store.max_records), (StoreKind::Memory, 10));
        assert_eq!(c.store.path, None);
    }

    #[test]
    fn store_fields_of_another_kind_are_refused_by_name() {
        for (toml, field) in [
            (
                "store = { kind = \"memory\", path = \"x.db\" }",
                "store.path",
            ),
            (
                "store = { kind = \"sqlite\", url = \"redis://h\" }",
                "store.url",
            ),
            ("store = { kind = \"redis\" }", "store.url"),
            (
                "store = { kind = \"redis\", url = \"redis://h\", key_prefix = \"a b\" }",
                "store.key_prefix",
            ),
            ("store = { kind = \"postgres\" }", "store.kind"),
            (
                "store = { kind = \"sqlite\", synchronous = \"off\" }",
                "store.synchronous",
            ),
        ] {
            let e = FileConfig::from_toml(toml).unwrap_err();
            assert_eq!(e.field, field, "{toml}: {e}");
        }
    }
}
