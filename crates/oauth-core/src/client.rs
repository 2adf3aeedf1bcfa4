//! Registered clients: metadata under the RFC 7591 / OpenID Connect registration names,
//! prepared once (keys parsed, secrets keyed) into a [`Client`] the flows consult.

use core::fmt;

use jwt_verify::{Algorithm, Jwk, KeySet, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::mtls::TlsClientAuthBinding;
use crate::scope::Scope;
use crate::secret::Secret;

/// `token_endpoint_auth_method` values (RFC 7591 section 2, RFC 8705 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// HTTP Basic with the client secret (RFC 6749 section 2.3.1).
    ClientSecretBasic,
    /// The client secret in the form body.
    ClientSecretPost,
    /// A client assertion MACed with the client secret (RFC 7523, OIDC Core section 9).
    ClientSecretJwt,
    /// A client assertion signed with a registered private key.
    PrivateKeyJwt,
    /// A PKI-verified TLS client certificate (RFC 8705 section 2.1).
    TlsClientAuth,
    /// A self-signed TLS client certificate matching a registered key (RFC 8705 section 2.2).
    SelfSignedTlsClientAuth,
    /// A public client: no authentication.
    None,
}

impl AuthMethod {
    /// Every method, in registry order.
    pub const ALL: [AuthMethod; 7] = [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretJwt,
        AuthMethod::PrivateKeyJwt,
        AuthMethod::TlsClientAuth,
        AuthMethod::SelfSignedTlsClientAuth,
        AuthMethod::None,
    ];

    /// The registered name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretJwt => "client_secret_jwt",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::TlsClientAuth => "tls_client_auth",
            AuthMethod::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
            AuthMethod::None => "none",
        }
    }
}

/// Grant types this engine implements, plus registered extension grants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GrantType {
    /// `authorization_code` (RFC 6749 section 4.1).
    AuthorizationCode,
    /// `client_credentials` (section 4.4).
    ClientCredentials,
    /// `refresh_token` (section 6).
    RefreshToken,
    /// `password` (section 4.3).
    Password,
    /// `urn:openid:params:grant-type:ciba` (CIBA section 10.1).
    Ciba,
    /// Any other grant type URI or name.
    Extension(Box<str>),
}

impl GrantType {
    /// Reads a `grant_type` value.
    #[must_use]
    pub fn parse(s: &str) -> Self {
        match s {
            "authorization_code" => GrantType::AuthorizationCode,
            "client_credentials" => GrantType::ClientCredentials,
            "refresh_token" => GrantType::RefreshToken,
            "password" => GrantType::Password,
            "urn:openid:params:grant-type:ciba" => GrantType::Ciba,
            other => GrantType::Extension(other.into()),
        }
    }

    /// The wire name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::ClientCredentials => "client_credentials",
            GrantType::RefreshToken => "refresh_token",
            GrantType::Password => "password",
            GrantType::Ciba => "urn:openid:params:grant-type:ciba",
            GrantType::Extension(s) => s,
        }
    }
}

/// CIBA token delivery modes (CIBA section 4). Push is not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    /// The client polls the token endpoint.
    Poll,
    /// The server notifies the client, which then polls once.
    Ping,
}

/// Client metadata as registered (RFC 7591 section 2, OpenID Connect Dynamic Client
/// Registration, RFC 8705, RFC 9126, CIBA section 4). Unknown members are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientMetadata {
    /// The client identifier.
    pub client_id: String,
    /// The shared secret, for the `client_secret_*` methods.
    #[serde(skip_serializing)]
    pub client_secret: Option<String>,
    /// How the client authenticates (default `client_secret_basic`, RFC 7591).
    pub token_endpoint_auth_method: Option<String>,
    /// The one JWS algorithm the client's assertions must use.
    pub token_endpoint_auth_signing_alg: Option<String>,
    /// The client's public keys (a JWKS document).
    pub jwks: Option<serde_json::Value>,
    /// Grant types the client may use (default `["authorization_code"]`).
    pub grant_types: Option<Vec<String>>,
    /// Response types the client may use (default `["code"]`).
    pub response_types: Option<Vec<String>>,
    /// Registered redirect URIs, matched exactly.
    pub redirect_uris: Vec<String>,
    /// Scopes the client may request, space-delimited.
    pub scope: Option<String>,
    /// The client must use PAR (RFC 9126 section 6).
    pub require_pushed_authorization_requests: bool,
    /// CIBA delivery mode.
    pub backchannel_token_delivery_mode: Option<String>,
    /// CIBA ping notification endpoint.
    pub backchannel_client_notification_endpoint: Option<String>,
    /// CIBA: the client sends a `user_code`.
    pub backchannel_user_code_parameter: bool,
    /// RFC 8705 `tls_client_auth` subject DN.
    pub tls_client_auth_subject_dn: Option<String>,
    /// RFC 8705 `tls_client_auth` SAN dNSName.
    pub tls_client_auth_san_dns: Option<String>,
    /// RFC 8705 `tls_client_auth` SAN URI.
    pub tls_client_auth_san_uri: Option<String>,
    /// RFC 8705 `tls_client_auth` SAN iPAddress.
    pub tls_client_auth_san_ip: Option<String>,
    /// RFC 8705 `tls_client_auth` SAN rfc822Name.
    pub tls_client_auth_san_email: Option<String>,
    /// Extension: permissions the client holds, checked by extension grants that name one
    /// (HID's `api_otp`).
    pub permissions: Vec<String>,
}

/// Why metadata could not become a client. Each names the offending field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistrationError {
    /// `client_id` is empty or too long.
    ClientId,
    /// A field has a value outside its definition.
    Invalid {
        /// The metadata field.
        field: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// A field the authentication method needs is absent.
    Missing {
        /// The metadata field.
        field: &'static str,
    },
}

impl fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistrationError::ClientId => f.write_str("client_id: empty or longer than 256 bytes"),
            RegistrationError::Invalid { field, problem } => write!(f, "{field}: {problem}"),
            RegistrationError::Missing { field } => write!(
                f,
                "{field}: required by the client's token_endpoint_auth_method"
            ),
        }
    }
}

impl std::error::Error for RegistrationError {}

/// The credential a client authenticates with, prepared for its method.
#[derive(Clone)]
pub(crate) enum Credential {
    /// `client_secret_basic` / `client_secret_post`.
    Secret(Secret),
    /// `client_secret_jwt`: one HMAC key per algorithm the secret is long enough for.
    SecretJwt(Vec<VerifyingKey>),
    /// `private_key_jwt`.
    Keys(KeySet),
    /// `tls_client_auth`.
    Tls(TlsClientAuthBinding),
    /// `self_signed_tls_client_auth`.
    SelfSigned(Vec<Jwk>),
    /// `none`.
    Public,
}

/// A registered client, prepared once for many requests. Share it behind an `Arc`.
#[derive(Clone)]
pub struct Client {
    id: String,
    method: AuthMethod,
    pub(crate) credential: Credential,
    pub(crate) signing_alg: Option<Algorithm>,
    grant_types: Vec<GrantType>,
    response_types: Vec<String>,
    redirect_uris: Vec<String>,
    scope: Scope,
    require_par: bool,
    delivery_mode: Option<DeliveryMode>,
    notification_endpoint: Option<String>,
    user_code: bool,
    /// The client's public keys, when registered (CIBA `login_hint_token`, request objects).
    keys: Option<KeySet>,
    /// The shared secret, when registered (HS* hints and request objects).
    secret: Option<Secret>,
    permissions: Vec<String>,
}

/// Asymmetric algorithms accepted for keys registered without `alg`.
const ASYMMETRIC: [Algorithm; 7] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
];

impl Client {
    /// Prepares a client from its metadata: parses keys once, keys the HMACs, and checks
    /// that the metadata fits the authentication method.
    pub fn from_metadata(meta: &ClientMetadata) -> Result<Client, RegistrationError> {
        if meta.client_id.is_empty() || meta.client_id.len() > 256 {
            return Err(RegistrationError::ClientId);
        }
        let method = match meta.token_endpoint_auth_method.as_deref() {
            None => AuthMethod::ClientSecretBasic,
            Some(m) => AuthMethod::ALL
                .into_iter()
                .find(|a| a.as_str() == m)
                .ok_or(RegistrationError::Invalid {
                    field: "token_endpoint_auth_method",
                    problem: "unknown method",
                })?,
        };
        let signing_alg = match meta.token_endpoint_auth_signing_alg.as_deref() {
            None => None,
            Some(a) => Some(
                a.parse::<Algorithm>()
                    .map_err(|_| RegistrationError::Invalid {
                        field: "token_endpoint_auth_signing_alg",
                        problem: "unsupported algorithm",
                    })?,
            ),
        };
        let secret = meta.client_secret.as_deref().map(Secret::new);
        let keys = match &meta.jwks {
            None => None,
            Some(v) => {
                let algs: Vec<Algorithm> = match signing_alg {
                    Some(a) if !a.is_symmetric() => vec![a],
                    _ => ASYMMETRIC.to_vec(),
                };
                let (set, _rejected) =
                    KeySet::from_jwks_json(&v.to_string(), &algs).map_err(|_| {
                        RegistrationError::Invalid {
                            field: "jwks",
                            problem: "not a JWKS document",
                        }
                    })?;
                Some(set)
            }
        };
        let credential =
            Self::credential(method, meta, signing_alg, secret.as_ref(), keys.as_ref())?;
        let grant_types = meta.grant_types.as_ref().map_or_else(
            || vec![GrantType::AuthorizationCode],
            |g| g.iter().map(|s| GrantType::parse(s)).collect(),
        );
        let scope = Scope::parse(meta.scope.as_deref().unwrap_or_default()).map_err(|_| {
            RegistrationError::Invalid {
                field: "scope",
                problem: "not a valid scope string",
            }
        })?;
        let delivery_mode = match meta.backchannel_token_delivery_mode.as_deref() {
            None => None,
            Some("poll") => Some(DeliveryMode::Poll),
            Some("ping") => Some(DeliveryMode::Ping),
            Some("push") => {
                return Err(RegistrationError::Invalid {
                    field: "backchannel_token_delivery_mode",
                    problem: "push mode is not supported; use poll or ping",
                });
            }
            Some(_) => {
                return Err(RegistrationError::Invalid {
                    field: "backchannel_token_delivery_mode",
                    problem: "unknown mode",
                });
            }
        };
        if delivery_mode == Some(DeliveryMode::Ping)
            && meta.backchannel_client_notification_endpoint.is_none()
        {
            return Err(RegistrationError::Missing {
                field: "backchannel_client_notification_endpoint",
            });
        }
        Ok(Client {
            id: meta.client_id.clone(),
            method,
            credential,
            signing_alg,
            grant_types,
            response_types: meta
                .response_types
                .clone()
                .unwrap_or_else(|| vec!["code".to_owned()]),
            redirect_uris: meta.redirect_uris.clone(),
            scope,
            require_par: meta.require_pushed_authorization_requests,
            delivery_mode,
            notification_endpoint: meta.backchannel_client_notification_endpoint.clone(),
            user_code: meta.backchannel_user_code_parameter,
            keys,
            secret,
            permissions: meta.permissions.clone(),
        })
    }

    fn credential(
        method: AuthMethod,
        meta: &ClientMetadata,
        signing_alg: Option<Algorithm>,
        secret: Option<&Secret>,
        keys: Option<&KeySet>,
    ) -> Result<Credential, RegistrationError> {
        let need_secret = || {
            secret.cloned().ok_or(RegistrationError::Missing {
                field: "client_secret",
            })
        };
        Ok(match method {
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost => {
                Credential::Secret(need_secret()?)
            }
            AuthMethod::ClientSecretJwt => {
                let s = need_secret()?;
                let algs: &[Algorithm] = match signing_alg {
                    Some(a) if a.is_symmetric() => &[a][..],
                    Some(_) => {
                        return Err(RegistrationError::Invalid {
                            field: "token_endpoint_auth_signing_alg",
                            problem: "client_secret_jwt needs an HS* algorithm",
                        });
                    }
                    None => &[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512],
                };
                let hmac: Vec<VerifyingKey> = algs
                    .iter()
                    .filter_map(|a| VerifyingKey::hmac(*a, s.expose()).ok())
                    .collect();
                if hmac.is_empty() {
                    return Err(RegistrationError::Invalid {
                        field: "client_secret",
                        problem: "too short for client_secret_jwt (at least 32 bytes for HS256)",
                    });
                }
                Credential::SecretJwt(hmac)
            }
            AuthMethod::PrivateKeyJwt => {
                if signing_alg.is_some_and(Algorithm::is_symmetric) {
                    return Err(RegistrationError::Invalid {
                        field: "token_endpoint_auth_signing_alg",
                        problem: "private_key_jwt needs an asymmetric algorithm",
                    });
                }
                match keys {
                    Some(k) if !k.is_empty() => Credential::Keys(k.clone()),
                    _ => return Err(RegistrationError::Missing { field: "jwks" }),
                }
            }
            AuthMethod::TlsClientAuth => Credential::Tls(
                TlsClientAuthBinding::from_metadata(
                    meta.tls_client_auth_subject_dn.as_deref(),
                    meta.tls_client_auth_san_dns.as_deref(),
                    meta.tls_client_auth_san_uri.as_deref(),
                    meta.tls_client_auth_san_ip.as_deref(),
                    meta.tls_client_auth_san_email.as_deref(),
                )
                .map_err(|_| RegistrationError::Invalid {
                    field: "tls_client_auth_subject_dn",
                    problem: "exactly one tls_client_auth_* value is required",
                })?,
            ),
            AuthMethod::SelfSignedTlsClientAuth => {
                let jwks = meta
                    .jwks
                    .as_ref()
                    .and_then(|v| v.get("keys"))
                    .and_then(|k| serde_json::from_value::<Vec<Jwk>>(k.clone()).ok())
                    .filter(|k| !k.is_empty())
                    .ok_or(RegistrationError::Missing { field: "jwks" })?;
                Credential::SelfSigned(jwks)
            }
            AuthMethod::None => Credential::Public,
        })
    }

    /// The client identifier.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The registered authentication method.
    #[must_use]
    pub fn auth_method(&self) -> AuthMethod {
        self.method
    }

    /// True when the client authenticates (is confidential).
    #[must_use]
    pub fn is_confidential(&self) -> bool {
        self.method != AuthMethod::None
    }

    /// True when the client is registered for `grant`.
    #[must_use]
    pub fn has_grant(&self, grant: &GrantType) -> bool {
        self.grant_types.contains(grant)
    }

    /// True when the client holds `permission`.
    #[must_use]
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    /// True when the client is registered for `response_type` (compared as a set of
    /// space-delimited values).
    #[must_use]
    pub fn has_response_type(&self, response_type: &str) -> bool {
        let mut want: Vec<&str> = response_type.split(' ').filter(|s| !s.is_empty()).collect();
        want.sort_unstable();
        self.response_types.iter().any(|r| {
            let mut have: Vec<&str> = r.split(' ').filter(|s| !s.is_empty()).collect();
            have.sort_unstable();
            have == want
        })
    }

    /// True when `uri` is registered, compared exactly (RFC 9700 section 4.1.3).
    #[must_use]
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    /// The registered redirect URIs.
    #[must_use]
    pub fn redirect_uris(&self) -> &[String] {
        &self.redirect_uris
    }

    /// The scopes the client may request; also the default when a request names none.
    #[must_use]
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The client must use PAR.
    #[must_use]
    pub fn requires_par(&self) -> bool {
        self.require_par
    }

    /// The CIBA delivery mode, if registered for CIBA.
    #[must_use]
    pub fn delivery_mode(&self) -> Option<DeliveryMode> {
        self.delivery_mode
    }

    /// The CIBA ping notification endpoint.
    #[must_use]
    pub fn notification_endpoint(&self) -> Option<&str> {
        self.notification_endpoint.as_deref()
    }

    /// CIBA: the client supports `user_code`.
    #[must_use]
    pub fn uses_user_code(&self) -> bool {
        self.user_code
    }

    /// The client's registered public keys.
    #[must_use]
    pub fn keys(&self) -> Option<&KeySet> {
        self.keys.as_ref()
    }

    /// An HMAC key over the client's secret for `alg`, if it has a long enough secret.
    pub(crate) fn secret_key(&self, alg: Algorithm) -> Option<VerifyingKey> {
        self.secret
            .as_ref()
            .and_then(|s| VerifyingKey::hmac(alg, s.expose()).ok())
    }

    /// The pinned assertion algorithm, if registered.
    #[must_use]
    pub fn signing_alg(&self) -> Option<Algorithm> {
        self.signing_alg
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.id)
            .field("method", &self.method)
            .field("grant_types", &self.grant_types)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}
