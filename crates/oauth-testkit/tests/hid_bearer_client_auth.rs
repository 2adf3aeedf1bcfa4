#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! HID's Bearer client authentication at the token endpoint: the samples of HID
//! Authentication Service's "Token Endpoint" page send `Authorization: Bearer <access
//! token>` with the authorization_code and password grants; the token is one the client
//! obtained with `client_credentials` ("Client ID Authentication with a Password").

mod common;

use common::*;
use oauth_core::auth::AuthFailure;
use oauth_core::hid;
use oauth_testkit::{CodeSpec, Reply, TestKit, basic};
use serde_json::json;

/// The client of HID's "Client ID Authentication with a Password" page.
const HID_CLIENT: &str = "473860565698665592940942231026762145082188268181";
const HID_SECRET: &str = "MyClientID123456?";
/// The `Authorization` value that page computes for it.
const HID_BASIC: &str = "Basic NDczODYwNTY1Njk4NjY1NTkyOTQwOTQyMjMxMDI2NzYyMTQ1MDgyMTg4MjY4MTgxOk15Q2xpZW50SUQxMjM0NTYlM0Y=";
/// The access token of the "Token Endpoint" page's samples.
const HID_BEARER: &str = "RTp7HwAAAW3KhwwWbFmvt2o/66OFuV7HZ52X6scd";

fn hid_kit() -> TestKit {
    let mut kit = TestKit::new();
    hid::apply(&mut kit.config, "otp");
    kit.register(json!({
        "client_id": HID_CLIENT, "client_secret": HID_SECRET,
        "grant_types": ["client_credentials", "password", "authorization_code"],
        "scope": "openid read", "redirect_uris": ["https://client.example.com/cb"],
    }));
    kit.add_user("alice", "secret", "alice-sub");
    kit
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A 401 `invalid_client` whose challenge names the Bearer scheme the client used.
fn assert_bearer_refused(r: &Reply, failure: &AuthFailure) {
    assert_eq!(r.status(), 401, "{}", r.json);
    assert_eq!(r.error(), Some("invalid_client"));
    assert_no_store(r);
    let challenge = r.header("WWW-Authenticate").expect("a 401 challenges");
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert_eq!(auth_failure(r), failure);
}

fn password_grant(kit: &mut TestKit, authorization: &str) -> Reply {
    post(
        kit,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "secret"),
        ],
        Some(authorization),
        None,
    )
}

#[test]
fn hids_basic_sample_is_what_a_client_sends() {
    assert_eq!(basic(HID_CLIENT, HID_SECRET), HID_BASIC);
}

#[test]
fn a_client_credentials_token_authenticates_its_client() {
    let mut kit = hid_kit();
    // HID's sample: grant_type=client_credentials with the Basic header above.
    let cc = post(
        &mut kit,
        &[("grant_type", "client_credentials")],
        Some(HID_BASIC),
        None,
    );
    let token = member(&cc, "access_token");
    let r = password_grant(&mut kit, &bearer(&token));
    let body = assert_tokens(&r);
    let (_, claims) = jws_parts(body["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], HID_CLIENT);
    assert_eq!(claims["sub"], "alice-sub");
    // The token was looked up through the introspection step, then the client.
    let lookup = kit
        .steps
        .iter()
        .rposition(|s| *s == "lookup_token")
        .unwrap();
    let client = kit
        .steps
        .iter()
        .rposition(|s| *s == "lookup_client")
        .unwrap();
    assert!(lookup < client, "{:?}", kit.steps);
}

#[test]
fn hids_samples_with_their_bearer_token() {
    let mut kit = hid_kit();
    kit.store_access_token(HID_BEARER, HID_CLIENT, "client_credentials", 3600);
    // Sample token request with a password grant.
    assert_tokens(&password_grant(&mut kit, &bearer(HID_BEARER)));
    // Sample token request with an authorization code grant.
    let code = kit.issue_code(CodeSpec {
        client_id: HID_CLIENT,
        redirect_uri: Some("https://client.example.com/cb"),
        code_verifier: None,
        nonce: None,
        scope: "openid",
        sub: "alice-sub",
    });
    let r = post(
        &mut kit,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://client.example.com/cb"),
        ],
        Some(&bearer(HID_BEARER)),
        None,
    );
    assert_tokens(&r);
}

#[test]
fn off_unless_the_profile_enables_it() {
    let mut kit = hid_kit();
    kit.store_access_token(HID_BEARER, HID_CLIENT, "client_credentials", 3600);
    kit.config.profile = oauth_core::Profile::Standard;
    let r = password_grant(&mut kit, &bearer(HID_BEARER));
    assert_invalid_client(&r);
    assert_eq!(auth_failure(&r), &AuthFailure::UnsupportedScheme);
    assert!(!kit.steps.contains(&"lookup_token"));
}

#[test]
fn only_active_client_credentials_tokens_of_this_tenant() {
    let mut kit = hid_kit();
    // Unknown to the store (another tenant's, or made up).
    let r = password_grant(&mut kit, &bearer(HID_BEARER));
    assert_bearer_refused(&r, &AuthFailure::BearerTokenInvalid);
    // Issued by another grant: a user's token does not authenticate the client.
    let user = password_grant(&mut kit, HID_BASIC);
    let user_token = member(&user, "access_token");
    let r = password_grant(&mut kit, &bearer(&user_token));
    assert_bearer_refused(&r, &AuthFailure::BearerTokenInvalid);
    // Expired.
    kit.store_access_token(HID_BEARER, HID_CLIENT, "client_credentials", 10);
    assert_tokens(&password_grant(&mut kit, &bearer(HID_BEARER)));
    kit.advance(10);
    let r = password_grant(&mut kit, &bearer(HID_BEARER));
    assert_bearer_refused(&r, &AuthFailure::BearerTokenInvalid);
}

#[test]
fn a_revoked_token_no_longer_authenticates() {
    let mut kit = hid_kit();
    let cc = post(
        &mut kit,
        &[("grant_type", "client_credentials")],
        Some(HID_BASIC),
        None,
    );
    let token = member(&cc, "access_token");
    let rv = kit.post_revoke(&[("token", &token)], Some(HID_BASIC));
    assert_eq!(rv.status(), 200);
    let r = password_grant(&mut kit, &bearer(&token));
    assert_bearer_refused(&r, &AuthFailure::BearerTokenInvalid);
}

#[test]
fn one_mechanism_per_request() {
    let mut kit = hid_kit();
    kit.store_access_token(HID_BEARER, HID_CLIENT, "client_credentials", 3600);
    let r = post(
        &mut kit,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", HID_CLIENT),
            ("client_secret", HID_SECRET),
        ],
        Some(&bearer(HID_BEARER)),
        None,
    );
    assert_error(&r, 400, "invalid_request");
    assert_eq!(auth_failure(&r), &AuthFailure::MultipleMethods);
    assert!(!kit.steps.contains(&"lookup_token"));
}

#[test]
fn a_body_client_id_must_name_the_tokens_client() {
    let mut kit = hid_kit();
    kit.store_access_token(HID_BEARER, HID_CLIENT, "client_credentials", 3600);
    let r = post(
        &mut kit,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "someone-else"),
        ],
        Some(&bearer(HID_BEARER)),
        None,
    );
    assert_bearer_refused(&r, &AuthFailure::ClientIdMismatch);
    let r = post(
        &mut kit,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", HID_CLIENT),
        ],
        Some(&bearer(HID_BEARER)),
        None,
    );
    assert_tokens(&r);
}

#[test]
fn a_malformed_bearer_value_is_refused_before_any_lookup() {
    let mut kit = hid_kit();
    for value in ["Bearer a b", "Bearer ==", "Bearer to=ken", "bearer \u{e9}"] {
        let r = password_grant(&mut kit, value);
        assert_bearer_refused(&r, &AuthFailure::MalformedBearer);
    }
    assert!(!kit.steps.contains(&"lookup_token"));
}

#[test]
fn a_deleted_client_is_not_authenticated_by_its_old_token() {
    let mut kit = hid_kit();
    kit.store_access_token(HID_BEARER, "gone", "client_credentials", 3600);
    let r = password_grant(&mut kit, &bearer(HID_BEARER));
    assert_bearer_refused(&r, &AuthFailure::UnknownClient);
}

#[test]
fn lookup_failures_end_in_5xx() {
    let mut kit = hid_kit();
    kit.store_access_token(HID_BEARER, HID_CLIENT, "client_credentials", 3600);
    kit.fail_step = Some(("lookup_token", oauth_core::HostError::Unavailable));
    let r = password_grant(&mut kit, &bearer(HID_BEARER));
    assert_error(&r, 503, "temporarily_unavailable");
}
