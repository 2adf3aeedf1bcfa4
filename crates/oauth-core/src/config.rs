//! Per-tenant configuration: the issuer, its endpoint URLs, lifetimes and policies.

use jwt_verify::{Algorithm, KeySet};

use crate::client::AuthMethod;
use crate::limits::Limits;

/// Which `aud` values a client assertion may carry (RFC 7523 section 3, RFC 9126 section
/// 2, CIBA section 7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssertionAudience {
    /// The issuer, the token endpoint URL, or the URL of the endpoint that received it.
    #[default]
    Lenient,
    /// The issuer alone (FAPI 2.0, the RFC 7523 update).
    IssuerOnly,
}

/// The format of issued access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessTokenFormat {
    /// Random opaque strings, looked up on introspection.
    #[default]
    Opaque,
    /// RFC 9068 JWTs (`typ: at+jwt`), signed through the Sign step; also stored, so they
    /// can be revoked and introspected.
    Jwt,
}

/// The key the host signs ID tokens and JWT access tokens with, as the engine must name it
/// in headers. The private key itself stays with the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningSpec {
    /// The JWS algorithm.
    pub alg: Algorithm,
    /// The `kid` published at the JWKS endpoint.
    pub kid: Option<String>,
}

/// The URLs of a tenant's endpoints, all under its issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `{issuer}/authorize`.
    pub authorization: String,
    /// `{issuer}/token`.
    pub token: String,
    /// `{issuer}/par`.
    pub par: String,
    /// `{issuer}/cibaAuthorization`.
    pub backchannel: String,
    /// `{issuer}/introspect`.
    pub introspection: String,
    /// `{issuer}/revoke`.
    pub revocation: String,
    /// `{issuer}/jwks`.
    pub jwks: String,
}

/// CIBA settings (CIBA sections 7.3 and 7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CibaConfig {
    /// The minimum polling interval, seconds (default 5).
    pub interval: u64,
    /// `expires_in` when the client requests none, seconds (default 120).
    pub expires_in: u64,
    /// The largest `requested_expiry` honoured, seconds (default 600).
    pub max_expires_in: u64,
    /// The server supports `user_code` (default false).
    pub user_code_supported: bool,
}

impl Default for CibaConfig {
    fn default() -> Self {
        CibaConfig {
            interval: 5,
            expires_in: 120,
            max_expires_in: 600,
            user_code_supported: false,
        }
    }
}

/// A tenant's dialect of the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The RFCs alone.
    #[default]
    Standard,
    /// HID Authentication Service: Bearer client authentication, HID's custom request
    /// parameters, its error members and `auth_req_id` echoed in CIBA token responses
    /// (see [`crate::hid`]).
    Hid,
}

/// A grant type a tenant adds to its token endpoint (RFC 6749 section 4.5): the engine
/// authenticates the client, checks its registration and the parameters named here, then
/// asks the host through [`crate::token::HandleExtensionGrant`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionGrantSpec {
    /// The `grant_type` value: an absolute URI, or a name the tenant owns (`api_otp`). It
    /// must differ from the grant types the engine implements.
    pub grant_type: String,
    /// Parameters that must be present (`invalid_request` otherwise).
    pub required: Vec<String>,
    /// Parameters handed to the host when present. `scope` is always read by the engine;
    /// client authentication parameters never reach the host.
    pub optional: Vec<String>,
    /// A permission the client must hold (`unauthorized_client` otherwise).
    pub permission: Option<String>,
    /// The authentication methods the client must have used; empty: any method of a
    /// confidential client.
    pub auth_methods: Vec<AuthMethod>,
}

impl ExtensionGrantSpec {
    /// A grant with no parameters, permission or method constraint.
    #[must_use]
    pub fn new(grant_type: &str) -> Self {
        ExtensionGrantSpec {
            grant_type: grant_type.to_owned(),
            required: Vec::new(),
            optional: Vec::new(),
            permission: None,
            auth_methods: Vec::new(),
        }
    }
}

/// One tenant's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The issuer identifier (`{public_base_url}/{tenant}/as`).
    pub issuer: String,
    /// Endpoint URLs.
    pub endpoints: Endpoints,
    /// Access token lifetime, seconds (default 3600).
    pub access_token_ttl: u64,
    /// Refresh token lifetime, seconds (default 86400).
    pub refresh_token_ttl: u64,
    /// ID token lifetime, seconds (default 3600).
    pub id_token_ttl: u64,
    /// Authorization code lifetime, seconds (default 60).
    pub code_ttl: u64,
    /// Accepted assertion audiences.
    pub assertion_audience: AssertionAudience,
    /// Clock skew allowed on assertion times, seconds (default 60).
    pub leeway: u64,
    /// Longest accepted assertion lifetime (`exp` - now), seconds (default 300).
    pub max_assertion_lifetime: u64,
    /// How ID tokens and JWT access tokens are signed.
    pub signing: SigningSpec,
    /// Access token format.
    pub access_token_format: AccessTokenFormat,
    /// PKCE `plain` is accepted (RFC 7636 allows it; off by default, as RFC 9700 advises).
    pub allow_plain_pkce: bool,
    /// PKCE is required of confidential clients too (it always is of public clients).
    pub require_pkce: bool,
    /// Every client must use PAR (RFC 9126 section 5).
    pub require_par: bool,
    /// Lifetime of a pushed request's `request_uri`, seconds (default 60).
    pub par_expires_in: u64,
    /// Request limits.
    pub limits: Limits,
    /// CIBA settings.
    pub ciba: CibaConfig,
    /// The tenant's own public signing keys, to check `id_token_hint`s it issued.
    pub own_keys: Option<KeySet>,
    /// The token endpoint's dialect (default [`Profile::Standard`]).
    pub profile: Profile,
    /// Extension grants the token endpoint accepts besides its own.
    pub extension_grants: Vec<ExtensionGrantSpec>,
}

impl Config {
    /// A configuration with the default lifetimes and policies, endpoints under `issuer`.
    #[must_use]
    pub fn new(issuer: &str, signing: SigningSpec) -> Self {
        let issuer = issuer.trim_end_matches('/').to_owned();
        let at = |p: &str| format!("{issuer}/{p}");
        Config {
            endpoints: Endpoints {
                authorization: at("authorize"),
                token: at("token"),
                par: at("par"),
                backchannel: at("cibaAuthorization"),
                introspection: at("introspect"),
                revocation: at("revoke"),
                jwks: at("jwks"),
            },
            issuer,
            access_token_ttl: 3600,
            refresh_token_ttl: 86_400,
            id_token_ttl: 3600,
            code_ttl: 60,
            assertion_audience: AssertionAudience::Lenient,
            leeway: 60,
            max_assertion_lifetime: 300,
            signing,
            access_token_format: AccessTokenFormat::Opaque,
            allow_plain_pkce: false,
            require_pkce: false,
            require_par: false,
            par_expires_in: 60,
            limits: Limits::default(),
            ciba: CibaConfig::default(),
            own_keys: None,
            profile: Profile::Standard,
            extension_grants: Vec::new(),
        }
    }

    /// The registered extension grant named `grant_type`.
    #[must_use]
    pub fn extension_grant(&self, grant_type: &str) -> Option<&ExtensionGrantSpec> {
        self.extension_grants
            .iter()
            .find(|g| g.grant_type == grant_type)
    }

    /// True when the token endpoint accepts `Authorization: Bearer` client authentication
    /// (the HID profile).
    #[must_use]
    pub fn bearer_client_auth(&self) -> bool {
        self.profile == Profile::Hid
    }

    /// The audiences a client assertion received at `endpoint` may name.
    pub(crate) fn assertion_audiences<'a>(&'a self, endpoint: &'a str) -> Vec<&'a str> {
        match self.assertion_audience {
            AssertionAudience::IssuerOnly => vec![self.issuer.as_str()],
            AssertionAudience::Lenient => {
                let mut v = vec![self.issuer.as_str(), self.endpoints.token.as_str()];
                if endpoint != self.endpoints.token {
                    v.push(endpoint);
                }
                v
            }
        }
    }
}
