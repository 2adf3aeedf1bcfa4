//! Client assertions (RFC 7523 section 3, RFC 7521 section 4.2): `client_secret_jwt`
//! against the client's secret, `private_key_jwt` against its registered keys.

use jwt_verify::{ClaimPolicy, Limits, Token, danger};
use serde::Deserialize;

use super::{AuthFailure, Replay};
use crate::client::{Client, Credential};
use crate::config::Config;
use crate::secret::TokenHash;

/// The only `client_assertion_type` (RFC 7523 section 2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The client an assertion claims to come from (its `sub`, else `iss`), read without
/// verification only to choose whose keys verify it (RFC 7521 section 4.2: `client_id`
/// may be omitted).
pub(super) fn subject_hint(jwt: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Who {
        sub: Option<String>,
        iss: Option<String>,
    }
    let token = Token::parse(jwt).ok()?;
    // Routing only: the assertion is verified with the chosen client's keys, and iss and
    // sub must then both equal its id.
    let payload = danger::unverified_payload(&token).ok()?;
    let who: Who = serde_json::from_slice(&payload).ok()?;
    who.sub.or(who.iss)
}

/// Verifies the assertion for `client` and returns its replay entry.
pub(super) fn verify(
    jwt: &str,
    client: &Client,
    config: &Config,
    endpoint: &str,
    now: u64,
) -> Result<Replay, AuthFailure> {
    let limits = Limits {
        max_token_len: config.limits.max_value,
    };
    let token = Token::parse_with(jwt, &limits).map_err(|e| AuthFailure::Assertion(e.into()))?;
    let alg = token.header().alg();
    if client.signing_alg().is_some_and(|pinned| pinned != alg) {
        return Err(AuthFailure::AssertionAlgorithm);
    }
    let verified = match &client.credential {
        // HS* only against the secret.
        Credential::SecretJwt(keys) => {
            let key = keys
                .iter()
                .find(|k| k.alg() == alg)
                .ok_or(AuthFailure::AssertionAlgorithm)?;
            token.verify(key)
        }
        // Asymmetric only against the registered keys.
        Credential::Keys(set) => {
            if alg.is_symmetric() {
                return Err(AuthFailure::AssertionAlgorithm);
            }
            token.verify_with_set(set)
        }
        _ => return Err(AuthFailure::AssertionAlgorithm),
    }
    .map_err(|e| AuthFailure::Assertion(e.into()))?;
    let audiences = config.assertion_audiences(endpoint);
    let policy = ClaimPolicy::client_assertion(client.id(), &audiences, now)
        .leeway(config.leeway)
        .max_lifetime(Some(config.max_assertion_lifetime));
    let claims = policy
        .check(&verified)
        .map_err(|e| AuthFailure::Assertion(e.into()))?;
    let jti = claims.jti.as_deref().unwrap_or_default();
    let exp = claims.exp.unwrap_or(now);
    let mut key_input = String::with_capacity(client.id().len() + jti.len() + 1);
    key_input.push_str(client.id());
    key_input.push('\n');
    key_input.push_str(jti);
    Ok(Replay {
        key: TokenHash::of(&key_input),
        expires_at: exp.saturating_add(config.leeway),
    })
}
