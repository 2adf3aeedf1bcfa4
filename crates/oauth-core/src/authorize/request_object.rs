//! JWT-secured authorization requests (RFC 9101): a `request` object signed with the
//! client's registered keys or MACed with its secret; its claims replace the parameters.

use jwt_verify::{Audience, ClaimPolicy, Issuer, Limits, Token};

use super::params::RawParams;
use crate::client::Client;
use crate::config::{AssertionAudience, Config};
use crate::error::{ErrorCode, OAuthError};

fn invalid(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequestObject, description)
}

/// Verifies a request object for `client` at `endpoint` and returns its parameters
/// (RFC 9101 sections 4, 6.1 and 6.3). `alg: none` never verifies. The audience is the
/// issuer, or (lenient tenants) the endpoint that received it.
pub(crate) fn verify(
    jwt: &str,
    client: &Client,
    config: &Config,
    endpoint: &str,
    now: u64,
) -> Result<RawParams, OAuthError> {
    let limits = Limits {
        max_token_len: config.limits.max_value,
    };
    let token = Token::parse_with(jwt, &limits)
        .map_err(|_| invalid("request object is malformed or uses an unsupported alg"))?;
    let alg = token.header().alg();
    let verified = if alg.is_symmetric() {
        let key = client
            .secret_key(alg)
            .ok_or_else(|| invalid("request object alg is not allowed for this client"))?;
        token.verify(&key)
    } else {
        let keys = client
            .keys()
            .ok_or_else(|| invalid("the client has no registered keys"))?;
        token.verify_with_set(keys)
    }
    .map_err(|_| invalid("request object signature is invalid"))?;
    let audiences: Vec<&str> = match config.assertion_audience {
        AssertionAudience::IssuerOnly => vec![config.issuer.as_str()],
        AssertionAudience::Lenient => vec![config.issuer.as_str(), endpoint],
    };
    let policy = ClaimPolicy::new(
        Issuer::Exactly(client.id()),
        Audience::AnyOf(&audiences),
        now,
    )
    .leeway(config.leeway)
    .max_lifetime(Some(config.max_assertion_lifetime.max(3600)));
    policy
        .check(&verified)
        .map_err(|_| invalid("request object claims are invalid (iss, aud, exp, nbf)"))?;
    let claims: serde_json::Map<String, serde_json::Value> = verified
        .claims()
        .map_err(|_| invalid("request object claims are not a JSON object"))?;
    if claims
        .get("client_id")
        .is_some_and(|c| c.as_str() != Some(client.id()))
    {
        return Err(invalid("request object client_id does not match"));
    }
    // RFC 9101 section 6.3: a request object may not nest another.
    if claims.contains_key("request") || claims.contains_key("request_uri") {
        return Err(invalid(
            "request object must not contain request or request_uri",
        ));
    }
    const REGISTERED: [&str; 7] = ["iss", "aud", "exp", "nbf", "iat", "jti", "sub"];
    let params = claims
        .into_iter()
        .filter(|(k, _)| !REGISTERED.contains(&k.as_str()))
        .filter_map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => return None,
                other => other.to_string(),
            };
            (!v.is_empty()).then_some((k, v))
        })
        .collect();
    Ok(RawParams(params))
}
