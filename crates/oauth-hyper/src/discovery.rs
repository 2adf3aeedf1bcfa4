//! The discovery document (OpenID Connect Discovery 1.0 section 3, RFC 8414 section 2,
//! CIBA section 4, RFC 9126 section 5, RFC 9207 section 3, RFC 8705 section 3.3): every
//! value is what the engine enforces, not an aspiration.

use std::collections::BTreeSet;

use oauth_core::Config;
use serde_json::json;

use crate::users::StaticClients;

/// Client assertion algorithms the engine verifies: HS* for `client_secret_jwt` (against
/// the client's secret), RS*, PS* and ES256 for `private_key_jwt`.
pub const ASSERTION_ALGS: [&str; 10] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
];

/// The grant types the token endpoint implements (`ciba_delete` is HID's).
pub const GRANT_TYPES: [&str; 6] = [
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "password",
    "urn:openid:params:grant-type:ciba",
    "ciba_delete",
];

/// The grant types a tenant's token endpoint accepts: the engine's own and the tenant's
/// extension grants (HID's under `profile = "hid"`).
fn grant_types(config: &Config) -> Vec<&str> {
    let mut grants: Vec<&str> = GRANT_TYPES.to_vec();
    grants.extend(
        config
            .extension_grants
            .iter()
            .map(|g| g.grant_type.as_str()),
    );
    grants
}

/// The discovery document of a tenant.
#[must_use]
pub fn document(config: &Config, clients: &StaticClients, mtls: bool) -> serde_json::Value {
    let mut methods = vec![
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
        "private_key_jwt",
    ];
    if mtls {
        methods.extend(["tls_client_auth", "self_signed_tls_client_auth"]);
    }
    // A public client may revoke its own tokens (RFC 7009) but never introspect.
    let introspection_methods = methods.clone();
    methods.push("none");
    let mut scopes: BTreeSet<String> = ["openid".to_owned()].into_iter().collect();
    for c in clients.iter() {
        scopes.extend(c.scope().iter().map(str::to_owned));
    }
    let mut challenge_methods = vec!["S256"];
    if config.allow_plain_pkce {
        challenge_methods.push("plain");
    }
    let e = &config.endpoints;
    json!({
        "issuer": config.issuer,
        "authorization_endpoint": e.authorization,
        "token_endpoint": e.token,
        "jwks_uri": e.jwks,
        "pushed_authorization_request_endpoint": e.par,
        "require_pushed_authorization_requests": config.require_par,
        "backchannel_authentication_endpoint": e.backchannel,
        "backchannel_token_delivery_modes_supported": ["poll", "ping"],
        "backchannel_user_code_parameter_supported": config.ciba.user_code_supported,
        "introspection_endpoint": e.introspection,
        "revocation_endpoint": e.revocation,
        "grant_types_supported": grant_types(config),
        "response_types_supported": oauth_core::authorize::params::SUPPORTED_RESPONSE_TYPES,
        "response_modes_supported": ["query", "fragment", "form_post"],
        "token_endpoint_auth_methods_supported": methods,
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "introspection_endpoint_auth_methods_supported": introspection_methods,
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "revocation_endpoint_auth_methods_supported": methods,
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "request_parameter_supported": true,
        "request_uri_parameter_supported": false,
        "request_object_signing_alg_values_supported": ASSERTION_ALGS,
        "code_challenge_methods_supported": challenge_methods,
        "id_token_signing_alg_values_supported": [config.signing.alg.as_str()],
        "subject_types_supported": ["public"],
        "scopes_supported": scopes,
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "at_hash",
                             "urn:openid:params:jwt:claim:auth_req_id"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "authorization_response_iss_parameter_supported": true,
        "tls_client_certificate_bound_access_tokens": false,
    })
}
