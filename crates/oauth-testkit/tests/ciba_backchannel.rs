#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The backchannel authentication endpoint (OpenID Connect CIBA Core 1.0 sections 7 and
//! 13): client authentication with every method, the request parameters, the hints, and
//! the success response.

use std::collections::HashSet;

use jwt_verify::{Algorithm, KeySet, SigningKey};
use oauth_core::auth::JWT_BEARER;
use oauth_core::ciba::{BackchannelEndpoint, CibaStatus, CibaStep, UserLookup};
use oauth_core::client::DeliveryMode;
use oauth_core::drive::Backend;
use oauth_core::{AssertionAudience, Client, ClientMetadata, HttpRequest};
use oauth_testkit::{ISSUER, Reply, TOKEN_ENDPOINT, TestKit, basic, encode_form};
use serde_json::{Value, json};

const CIBA: &str = "urn:openid:params:grant-type:ciba";
/// 36 bytes: long enough for HS256.
const SJWT_SECRET: &str = "0123456789abcdef0123456789abcdef-jwt";

fn client_key() -> SigningKey {
    SigningKey::generate_es256(&[7; 32])
        .unwrap()
        .with_kid("client-k1")
}

fn jwks(key: &SigningKey) -> Value {
    json!({ "keys": [key.verifying_key().unwrap().public_jwk().unwrap()] })
}

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "basic", "client_secret": "s-basic",
        "grant_types": [CIBA, "refresh_token"], "scope": "openid profile email",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.register(json!({
        "client_id": "post", "client_secret": "s-post",
        "token_endpoint_auth_method": "client_secret_post",
        "grant_types": [CIBA], "scope": "openid profile",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.register(json!({
        "client_id": "sjwt", "client_secret": SJWT_SECRET,
        "token_endpoint_auth_method": "client_secret_jwt",
        "grant_types": [CIBA], "scope": "openid profile",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.register(json!({
        "client_id": "pkjwt", "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "ES256", "jwks": jwks(&client_key()),
        "grant_types": [CIBA], "scope": "openid profile",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.register(json!({
        "client_id": "ping", "client_secret": "s-ping",
        "grant_types": [CIBA], "scope": "openid profile",
        "backchannel_token_delivery_mode": "ping",
        "backchannel_client_notification_endpoint": "https://client.example/cb",
    }));
    kit.register(json!({
        "client_id": "cc", "client_secret": "s-cc",
        "grant_types": ["client_credentials"], "scope": "openid profile",
    }));
    kit.add_user("alice", "pw", "alice-sub");
    kit.add_user("bob", "pw", "bob-sub");
    kit
}

fn auth_basic() -> String {
    basic("basic", "s-basic")
}

/// Posts `form` as the `basic` client.
fn post(kit: &mut TestKit, form: &[(&str, &str)]) -> Reply {
    let auth = auth_basic();
    kit.post_ciba(form, Some(&auth))
}

/// Asserts a 200 with exactly `auth_req_id`, `expires_in` and `interval`, and returns
/// the `auth_req_id`.
fn accepted(r: &Reply) -> String {
    assert_eq!(r.status(), 200, "{} {:?}", r.json, r.done.outcome);
    let members: Vec<&str> = r
        .json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = members.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["auth_req_id", "expires_in", "interval"],
        "{}",
        r.json
    );
    assert!(r.json["expires_in"].is_u64() && r.json["interval"].is_u64());
    r.get("auth_req_id").unwrap().to_owned()
}

fn refused(r: &Reply, status: u16, error: &str) {
    assert_eq!(
        (r.status(), r.error()),
        (status, Some(error)),
        "{} {:?}",
        r.json,
        r.done.outcome
    );
    assert!(r.get("auth_req_id").is_none());
}

fn own_keys(kit: &mut TestKit) {
    let (set, rejected) = KeySet::from_keys(vec![kit.signer.verifying_key().unwrap()]);
    assert!(rejected.is_empty());
    kit.config.own_keys = Some(set);
}

/// An ID token signed with the tenant's key, as the token endpoint would have issued it.
fn mint(kit: &mut TestKit, key: &SigningKey, claims: &Value) -> String {
    kit.sign_claims(key, claims)
}

fn id_token_claims(kit: &TestKit, aud: &str, sub: &str) -> Value {
    json!({
        "iss": ISSUER, "sub": sub, "aud": aud,
        "iat": kit.now, "exp": kit.now + 3600, "auth_time": kit.now,
    })
}

// ---------------------------------------------------------------------------------------
// Client authentication (CIBA section 7.1: the registered method; section 13:
// invalid_client).

#[test]
fn ciba_auth_client_secret_basic_accepted_and_wrong_secret_is_invalid_client() {
    let mut kit = kit();
    accepted(&post(
        &mut kit,
        &[("scope", "openid"), ("login_hint", "alice")],
    ));
    let r = kit.post_ciba(
        &[("scope", "openid"), ("login_hint", "alice")],
        Some(&basic("basic", "wrong")),
    );
    refused(&r, 401, "invalid_client");
    assert!(r.header("WWW-Authenticate").unwrap().starts_with("Basic"));
    assert!(kit.started.len() == 1, "a refused request starts nothing");
}

#[test]
fn ciba_auth_client_secret_post_accepted() {
    let mut kit = kit();
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_id", "post"),
            ("client_secret", "s-post"),
        ],
        None,
    );
    accepted(&r);
    assert_eq!(kit.started[0].1.client_id, "post");
    let bad = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_id", "post"),
            ("client_secret", "s-basic"),
        ],
        None,
    );
    refused(&bad, 401, "invalid_client");
}

#[test]
fn ciba_auth_method_other_than_registered_is_invalid_client() {
    let mut kit = kit();
    // The `post` client registered client_secret_post; Basic is another method.
    let r = kit.post_ciba(
        &[("scope", "openid"), ("login_hint", "alice")],
        Some(&basic("post", "s-post")),
    );
    refused(&r, 401, "invalid_client");
}

#[test]
fn ciba_auth_two_methods_at_once_is_invalid_request() {
    let mut kit = kit();
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_secret", "s-basic"),
        ],
        Some(&auth_basic()),
    );
    refused(&r, 400, "invalid_request");
}

#[test]
fn ciba_auth_client_secret_jwt_accepted_with_each_audience() {
    let mut kit = kit();
    let hs = SigningKey::hmac(Algorithm::HS256, SJWT_SECRET.as_bytes()).unwrap();
    let backchannel = kit.config.endpoints.backchannel.clone();
    for aud in [backchannel.as_str(), ISSUER, TOKEN_ENDPOINT] {
        let a = kit.assertion(&hs, "sjwt", Some(aud));
        let r = kit.post_ciba(
            &[
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &a),
            ],
            None,
        );
        accepted(&r);
    }
    assert_eq!(kit.started.len(), 3);
}

#[test]
fn ciba_auth_client_secret_jwt_with_wrong_secret_is_invalid_client() {
    let mut kit = kit();
    let hs = SigningKey::hmac(Algorithm::HS256, b"another-secret-of-32-bytes-length!!").unwrap();
    let backchannel = kit.config.endpoints.backchannel.clone();
    let a = kit.assertion(&hs, "sjwt", Some(&backchannel));
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &a),
        ],
        None,
    );
    refused(&r, 401, "invalid_client");
}

#[test]
fn ciba_auth_private_key_jwt_es256_accepted_with_each_audience() {
    let mut kit = kit();
    let key = client_key();
    let backchannel = kit.config.endpoints.backchannel.clone();
    for aud in [backchannel.as_str(), ISSUER, TOKEN_ENDPOINT] {
        let a = kit.assertion(&key, "pkjwt", Some(aud));
        let r = kit.post_ciba(
            &[
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("client_id", "pkjwt"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &a),
            ],
            None,
        );
        accepted(&r);
    }
}

/// Posts a login_hint request authenticated with the client assertion `a`.
fn with_assertion(kit: &mut TestKit, a: &str) -> Reply {
    kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", a),
        ],
        None,
    )
}

#[test]
fn ciba_auth_private_key_jwt_other_audience_or_key_is_invalid_client() {
    let mut kit = kit();
    let key = client_key();
    let a = kit.assertion(&key, "pkjwt", Some("https://elsewhere.example/token"));
    refused(&with_assertion(&mut kit, &a), 401, "invalid_client");
    let other = SigningKey::generate_es256(&[8; 32])
        .unwrap()
        .with_kid("client-k1");
    let backchannel = kit.config.endpoints.backchannel.clone();
    let forged = kit.assertion(&other, "pkjwt", Some(&backchannel));
    refused(&with_assertion(&mut kit, &forged), 401, "invalid_client");
    // The right key, but the assertion names another client as issuer.
    let claims = json!({
        "iss": "basic", "sub": "pkjwt", "aud": backchannel,
        "iat": kit.now, "exp": kit.now + 60, "jti": "j-iss",
    });
    let wrong_iss = kit.sign_claims(&key, &claims);
    refused(&with_assertion(&mut kit, &wrong_iss), 401, "invalid_client");
    // Expired.
    let claims = json!({
        "iss": "pkjwt", "sub": "pkjwt", "aud": backchannel,
        "iat": kit.now - 600, "exp": kit.now - 300, "jti": "j-exp",
    });
    let expired = kit.sign_claims(&key, &claims);
    refused(&with_assertion(&mut kit, &expired), 401, "invalid_client");
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_auth_issuer_only_audience_accepts_issuer_alone() {
    let mut kit = kit();
    kit.config.assertion_audience = AssertionAudience::IssuerOnly;
    let key = client_key();
    let backchannel = kit.config.endpoints.backchannel.clone();
    for (aud, ok) in [
        (ISSUER, true),
        (backchannel.as_str(), false),
        (TOKEN_ENDPOINT, false),
    ] {
        let a = kit.assertion(&key, "pkjwt", Some(aud));
        let r = with_assertion(&mut kit, &a);
        if ok {
            accepted(&r);
        } else {
            refused(&r, 401, "invalid_client");
        }
    }
    assert_eq!(kit.started.len(), 1);
}

#[test]
fn ciba_auth_private_key_jwt_without_assertion_is_invalid_client() {
    let mut kit = kit();
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_id", "pkjwt"),
        ],
        None,
    );
    refused(&r, 401, "invalid_client");
    // An assertion type without an assertion is refused too.
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_id", "pkjwt"),
            ("client_assertion_type", JWT_BEARER),
        ],
        None,
    );
    refused(&r, 401, "invalid_client");
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_auth_replayed_assertion_is_invalid_client() {
    let mut kit = kit();
    let key = client_key();
    let backchannel = kit.config.endpoints.backchannel.clone();
    let a = kit.assertion(&key, "pkjwt", Some(&backchannel));
    let form = [
        ("scope", "openid"),
        ("login_hint", "alice"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", a.as_str()),
    ];
    accepted(&kit.post_ciba(&form, None));
    refused(&kit.post_ciba(&form, None), 401, "invalid_client");
    assert_eq!(kit.started.len(), 1);
    // The same assertion is spent at the token endpoint as well.
    let t = kit.post_token(
        &[
            ("grant_type", CIBA),
            ("auth_req_id", "whatever"),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", a.as_str()),
        ],
        None,
    );
    assert_eq!(t.error(), Some("invalid_client"));
}

#[test]
fn ciba_auth_unknown_client_is_invalid_client() {
    let mut kit = kit();
    let r = kit.post_ciba(
        &[("scope", "openid"), ("login_hint", "alice")],
        Some(&basic("nobody", "x")),
    );
    refused(&r, 401, "invalid_client");
}

#[test]
fn ciba_public_client_cannot_use_backchannel_without_authentication() {
    // CIBA section 7.1: the client MUST authenticate; section 13: `invalid_client` when no
    // client authentication is included. A client registered with `none` authenticates
    // with nothing at all.
    let mut kit = kit();
    kit.register(json!({
        "client_id": "public", "token_endpoint_auth_method": "none",
        "grant_types": [CIBA], "scope": "openid",
        "backchannel_token_delivery_mode": "poll",
    }));
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_id", "public"),
        ],
        None,
    );
    assert_ne!(
        r.status(),
        200,
        "an unauthenticated client started a backchannel authentication: {}",
        r.json
    );
    assert!(kit.started.is_empty());
}

// ---------------------------------------------------------------------------------------
// scope (section 7.1: REQUIRED, must contain openid).

#[test]
fn ciba_scope_required() {
    let mut kit = kit();
    refused(
        &post(&mut kit, &[("login_hint", "alice")]),
        400,
        "invalid_request",
    );
    // An empty value counts as absent (RFC 6749 section 3.1).
    refused(
        &post(&mut kit, &[("scope", ""), ("login_hint", "alice")]),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_scope_without_openid_is_invalid_request() {
    let mut kit = kit();
    refused(
        &post(&mut kit, &[("scope", "profile"), ("login_hint", "alice")]),
        400,
        "invalid_request",
    );
    // Case-sensitive: OPENID is not openid.
    refused(
        &post(&mut kit, &[("scope", "OPENID"), ("login_hint", "alice")]),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_scope_in_another_order_accepted() {
    let mut kit = kit();
    accepted(&post(
        &mut kit,
        &[("scope", "email profile openid"), ("login_hint", "alice")],
    ));
    let scope = kit.started[0].1.scope.clone();
    assert!(scope.contains("openid") && scope.contains("profile") && scope.contains("email"));
}

#[test]
fn ciba_scope_beyond_registration_is_invalid_scope() {
    let mut kit = kit();
    refused(
        &post(
            &mut kit,
            &[("scope", "openid admin"), ("login_hint", "alice")],
        ),
        400,
        "invalid_scope",
    );
    refused(
        &post(
            &mut kit,
            &[("scope", "openid \"x"), ("login_hint", "alice")],
        ),
        400,
        "invalid_scope",
    );
    assert!(kit.started.is_empty());
}

// ---------------------------------------------------------------------------------------
// Hints (section 7.1: exactly one of login_hint_token, id_token_hint, login_hint).

#[test]
fn ciba_no_hint_is_invalid_request() {
    let mut kit = kit();
    refused(
        &post(&mut kit, &[("scope", "openid")]),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_several_hints_are_invalid_request() {
    let mut kit = kit();
    own_keys(&mut kit);
    let signer = kit.signer.clone();
    let claims = id_token_claims(&kit, "basic", "alice-sub");
    let idt = mint(&mut kit, &signer, &claims);
    for form in [
        vec![
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("id_token_hint", idt.as_str()),
        ],
        vec![
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("login_hint_token", "a.b.c"),
        ],
        vec![
            ("scope", "openid"),
            ("id_token_hint", idt.as_str()),
            ("login_hint_token", "a.b.c"),
        ],
        vec![
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("id_token_hint", idt.as_str()),
            ("login_hint_token", "a.b.c"),
        ],
    ] {
        refused(&post(&mut kit, &form), 400, "invalid_request");
    }
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_login_hint_unknown_user_is_unknown_user_id() {
    let mut kit = kit();
    refused(
        &post(&mut kit, &[("scope", "openid"), ("login_hint", "mallory")]),
        400,
        "unknown_user_id",
    );
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_login_hint_too_long_is_invalid_request() {
    let mut kit = kit();
    let long = "a".repeat(513);
    refused(
        &post(&mut kit, &[("scope", "openid"), ("login_hint", &long)]),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_id_token_hint_of_this_client_accepted() {
    let mut kit = kit();
    own_keys(&mut kit);
    let signer = kit.signer.clone();
    let claims = id_token_claims(&kit, "basic", "bob-sub");
    let idt = mint(&mut kit, &signer, &claims);
    accepted(&post(
        &mut kit,
        &[("scope", "openid"), ("id_token_hint", &idt)],
    ));
    assert_eq!(kit.started[0].1.sub, "bob-sub");
}

#[test]
fn ciba_id_token_hint_expired_is_accepted() {
    let mut kit = kit();
    own_keys(&mut kit);
    let signer = kit.signer.clone();
    let claims = json!({
        "iss": ISSUER, "sub": "alice-sub", "aud": ["basic"],
        "iat": kit.now - 7200, "exp": kit.now - 3600,
    });
    let idt = mint(&mut kit, &signer, &claims);
    accepted(&post(
        &mut kit,
        &[("scope", "openid"), ("id_token_hint", &idt)],
    ));
    assert_eq!(kit.started[0].1.sub, "alice-sub");
}

#[test]
fn ciba_id_token_hint_for_another_client_is_invalid_request() {
    let mut kit = kit();
    own_keys(&mut kit);
    let signer = kit.signer.clone();
    let claims = id_token_claims(&kit, "post", "alice-sub");
    let idt = mint(&mut kit, &signer, &claims);
    refused(
        &post(&mut kit, &[("scope", "openid"), ("id_token_hint", &idt)]),
        400,
        "invalid_request",
    );
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_id_token_hint_signed_by_another_key_is_invalid_request() {
    let mut kit = kit();
    own_keys(&mut kit);
    let other = SigningKey::generate_es256(&[9; 32])
        .unwrap()
        .with_kid("es-1");
    let claims = id_token_claims(&kit, "basic", "alice-sub");
    let idt = mint(&mut kit, &other, &claims);
    refused(
        &post(&mut kit, &[("scope", "openid"), ("id_token_hint", &idt)]),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_id_token_hint_with_another_issuer_is_invalid_request() {
    let mut kit = kit();
    own_keys(&mut kit);
    let signer = kit.signer.clone();
    let mut claims = id_token_claims(&kit, "basic", "alice-sub");
    claims["iss"] = json!("https://as.example.com/t2/as");
    let idt = mint(&mut kit, &signer, &claims);
    refused(
        &post(&mut kit, &[("scope", "openid"), ("id_token_hint", &idt)]),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_id_token_hint_without_own_keys_or_malformed_is_invalid_request() {
    let mut kit = kit();
    let signer = kit.signer.clone();
    let claims = id_token_claims(&kit, "basic", "alice-sub");
    let idt = mint(&mut kit, &signer, &claims);
    refused(
        &post(&mut kit, &[("scope", "openid"), ("id_token_hint", &idt)]),
        400,
        "invalid_request",
    );
    own_keys(&mut kit);
    refused(
        &post(
            &mut kit,
            &[("scope", "openid"), ("id_token_hint", "not-a-jwt")],
        ),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_id_token_hint_for_unknown_subject_is_unknown_user_id() {
    let mut kit = kit();
    own_keys(&mut kit);
    let signer = kit.signer.clone();
    let claims = id_token_claims(&kit, "basic", "gone-sub");
    let idt = mint(&mut kit, &signer, &claims);
    refused(
        &post(&mut kit, &[("scope", "openid"), ("id_token_hint", &idt)]),
        400,
        "unknown_user_id",
    );
}

#[test]
fn ciba_id_token_from_a_ciba_grant_serves_as_id_token_hint() {
    let mut kit = kit();
    own_keys(&mut kit);
    let id = accepted(&post(
        &mut kit,
        &[("scope", "openid"), ("login_hint", "bob")],
    ));
    kit.approve(&id);
    let t = kit.post_token(
        &[("grant_type", CIBA), ("auth_req_id", &id)],
        Some(&auth_basic()),
    );
    assert_eq!(t.status(), 200, "{}", t.json);
    let idt = t.get("id_token").unwrap().to_owned();
    kit.advance(7200);
    accepted(&post(
        &mut kit,
        &[("scope", "openid"), ("id_token_hint", &idt)],
    ));
    assert_eq!(kit.started[1].1.sub, "bob-sub");
}

fn hint_token_claims(kit: &TestKit, iss: &str, aud: &str) -> Value {
    json!({
        "iss": iss, "sub": "alice-sub", "aud": aud,
        "iat": kit.now, "exp": kit.now + 120, "jti": "lht-1",
    })
}

fn pkjwt_post(kit: &mut TestKit, form: &[(&str, &str)]) -> Reply {
    let key = client_key();
    let backchannel = kit.config.endpoints.backchannel.clone();
    let a = kit.assertion(&key, "pkjwt", Some(&backchannel));
    let mut pairs = form.to_vec();
    pairs.push(("client_assertion_type", JWT_BEARER));
    pairs.push(("client_assertion", &a));
    kit.post_ciba(&pairs, None)
}

#[test]
fn ciba_login_hint_token_signed_with_client_key_accepted() {
    let mut kit = kit();
    let key = client_key();
    let backchannel = kit.config.endpoints.backchannel.clone();
    for aud in [ISSUER, backchannel.as_str()] {
        let claims = hint_token_claims(&kit, "pkjwt", aud);
        let lht = kit.sign_claims(&key, &claims);
        accepted(&pkjwt_post(
            &mut kit,
            &[("scope", "openid"), ("login_hint_token", &lht)],
        ));
    }
    assert_eq!(kit.started.len(), 2);
    assert!(kit.started.iter().all(|(_, r)| r.sub == "alice-sub"));
}

#[test]
fn ciba_login_hint_token_hs256_with_client_secret_accepted() {
    let mut kit = kit();
    let hs = SigningKey::hmac(Algorithm::HS256, SJWT_SECRET.as_bytes()).unwrap();
    let claims = hint_token_claims(&kit, "sjwt", ISSUER);
    let lht = kit.sign_claims(&hs, &claims);
    let backchannel = kit.config.endpoints.backchannel.clone();
    let a = kit.assertion(&hs, "sjwt", Some(&backchannel));
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint_token", &lht),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &a),
        ],
        None,
    );
    accepted(&r);
    assert_eq!(kit.started[0].1.sub, "alice-sub");
}

#[test]
fn ciba_login_hint_token_wrong_signature_is_invalid_request() {
    let mut kit = kit();
    let other = SigningKey::generate_es256(&[11; 32])
        .unwrap()
        .with_kid("client-k1");
    let claims = hint_token_claims(&kit, "pkjwt", ISSUER);
    let lht = kit.sign_claims(&other, &claims);
    refused(
        &pkjwt_post(&mut kit, &[("scope", "openid"), ("login_hint_token", &lht)]),
        400,
        "invalid_request",
    );
    // HS256 for a client with no secret.
    let hs = SigningKey::hmac(Algorithm::HS256, SJWT_SECRET.as_bytes()).unwrap();
    let lht = kit.sign_claims(&hs, &claims);
    refused(
        &pkjwt_post(&mut kit, &[("scope", "openid"), ("login_hint_token", &lht)]),
        400,
        "invalid_request",
    );
    // HS256 with a secret that is not the client's.
    let wrong = SigningKey::hmac(Algorithm::HS256, b"not-the-secret-but-32-bytes-long!!!").unwrap();
    let claims = hint_token_claims(&kit, "sjwt", ISSUER);
    let lht = kit.sign_claims(&wrong, &claims);
    let hs_auth = SigningKey::hmac(Algorithm::HS256, SJWT_SECRET.as_bytes()).unwrap();
    let backchannel = kit.config.endpoints.backchannel.clone();
    let a = kit.assertion(&hs_auth, "sjwt", Some(&backchannel));
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint_token", &lht),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &a),
        ],
        None,
    );
    refused(&r, 400, "invalid_request");
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_login_hint_token_wrong_issuer_is_invalid_request() {
    let mut kit = kit();
    let key = client_key();
    let claims = hint_token_claims(&kit, "sjwt", ISSUER);
    let lht = kit.sign_claims(&key, &claims);
    refused(
        &pkjwt_post(&mut kit, &[("scope", "openid"), ("login_hint_token", &lht)]),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_login_hint_token_wrong_audience_is_invalid_request() {
    let mut kit = kit();
    let key = client_key();
    let claims = hint_token_claims(&kit, "pkjwt", "https://other-as.example.com");
    let lht = kit.sign_claims(&key, &claims);
    refused(
        &pkjwt_post(&mut kit, &[("scope", "openid"), ("login_hint_token", &lht)]),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_login_hint_token_expired_is_invalid_request() {
    let mut kit = kit();
    let key = client_key();
    let mut claims = hint_token_claims(&kit, "pkjwt", ISSUER);
    claims["iat"] = json!(kit.now - 600);
    claims["exp"] = json!(kit.now - 300);
    let lht = kit.sign_claims(&key, &claims);
    refused(
        &pkjwt_post(&mut kit, &[("scope", "openid"), ("login_hint_token", &lht)]),
        400,
        "invalid_request",
    );
}

#[test]
fn ciba_login_hint_token_unsigned_is_invalid_request() {
    let mut kit = kit();
    let header = base64url(br#"{"alg":"none"}"#);
    let payload = base64url(
        hint_token_claims(&kit, "pkjwt", ISSUER)
            .to_string()
            .as_bytes(),
    );
    let lht = format!("{header}.{payload}.");
    refused(
        &pkjwt_post(&mut kit, &[("scope", "openid"), ("login_hint_token", &lht)]),
        400,
        "invalid_request",
    );
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// binding_message, requested_expiry, acr_values.

#[test]
fn ciba_binding_message_typical_accepted_and_recorded() {
    let mut kit = kit();
    let id = accepted(&post(
        &mut kit,
        &[
            ("scope", "openid profile"),
            ("login_hint", "alice"),
            ("binding_message", "W4SCT"),
            ("acr_values", "urn:example:acr:high"),
        ],
    ));
    let (started_id, record) = &kit.started[0];
    assert_eq!(started_id, &id);
    assert_eq!(record.binding_message.as_deref(), Some("W4SCT"));
    assert_eq!(record.scope.to_string(), "openid profile");
    assert_eq!(record.acr_values.as_deref(), Some("urn:example:acr:high"));
    assert_eq!(record.sub, "alice-sub");
    assert_eq!(record.client_id, "basic");
    assert_eq!(record.status, CibaStatus::Pending);
    assert_eq!(record.delivery, DeliveryMode::Poll);
    assert_eq!(record.last_poll, None);
    assert_eq!(record.expires_at, kit.now + 120);
    assert_eq!(record.interval, 5);
}

#[test]
fn ciba_binding_message_of_64_characters_accepted_even_when_multibyte() {
    let mut kit = kit();
    let msg = "é".repeat(64);
    accepted(&post(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("binding_message", &msg),
        ],
    ));
    assert_eq!(
        kit.started[0].1.binding_message.as_deref(),
        Some(msg.as_str())
    );
    let spaced = "Pay 10 EUR to ACME - code 4821";
    accepted(&post(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("binding_message", spaced),
        ],
    ));
}

#[test]
fn ciba_binding_message_too_long_is_invalid_binding_message() {
    let mut kit = kit();
    let msg = "x".repeat(65);
    refused(
        &post(
            &mut kit,
            &[
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("binding_message", &msg),
            ],
        ),
        400,
        "invalid_binding_message",
    );
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_binding_message_with_control_characters_is_invalid_binding_message() {
    let mut kit = kit();
    for msg in [
        "W4\nSCT",
        "W4SCT\r",
        "bell\u{7}",
        "tab\there",
        "del\u{7f}",
        "nel\u{85}",
    ] {
        refused(
            &post(
                &mut kit,
                &[
                    ("scope", "openid"),
                    ("login_hint", "alice"),
                    ("binding_message", msg),
                ],
            ),
            400,
            "invalid_binding_message",
        );
    }
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_requested_expiry_honoured() {
    let mut kit = kit();
    let r = post(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("requested_expiry", "30"),
        ],
    );
    accepted(&r);
    assert_eq!(r.json["expires_in"], 30);
    assert_eq!(kit.started[0].1.expires_at, kit.now + 30);
    // Without it, the configured default.
    let r = post(&mut kit, &[("scope", "openid"), ("login_hint", "alice")]);
    assert_eq!(r.json["expires_in"], 120);
}

#[test]
fn ciba_requested_expiry_capped_at_max_expires_in() {
    let mut kit = kit();
    kit.config.ciba.max_expires_in = 300;
    let r = post(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("requested_expiry", "86400"),
        ],
    );
    accepted(&r);
    assert_eq!(r.json["expires_in"], 300);
    let r = post(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("requested_expiry", "300"),
        ],
    );
    assert_eq!(r.json["expires_in"], 300);
}

#[test]
fn ciba_requested_expiry_huge_positive_integer_is_capped_not_refused() {
    // Section 7.1: a positive integer the server MAY use; an eleven-digit one is still a
    // positive integer, to be capped like any other above the maximum.
    let mut kit = kit();
    let r = post(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("requested_expiry", "31536000000"),
        ],
    );
    accepted(&r);
    assert_eq!(r.json["expires_in"], 600);
}

#[test]
fn ciba_requested_expiry_not_a_positive_integer_is_invalid_request() {
    let mut kit = kit();
    for v in [
        "abc", "0", "00", "-5", "1.5", "+30", " 30", "30s", "1e3", "0x10",
    ] {
        refused(
            &post(
                &mut kit,
                &[
                    ("scope", "openid"),
                    ("login_hint", "alice"),
                    ("requested_expiry", v),
                ],
            ),
            400,
            "invalid_request",
        );
    }
    assert!(kit.started.is_empty());
}

// ---------------------------------------------------------------------------------------
// Ping mode's client_notification_token.

fn ping_post(kit: &mut TestKit, form: &[(&str, &str)]) -> Reply {
    let auth = basic("ping", "s-ping");
    kit.post_ciba(form, Some(&auth))
}

#[test]
fn ciba_ping_requires_client_notification_token() {
    let mut kit = kit();
    refused(
        &ping_post(&mut kit, &[("scope", "openid"), ("login_hint", "alice")]),
        400,
        "invalid_request",
    );
    let token = "8d67dc78-7faa-4d41-aabd-67707b374255";
    accepted(&ping_post(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_notification_token", token),
        ],
    ));
    let record = &kit.started[0].1;
    assert_eq!(record.delivery, DeliveryMode::Ping);
    assert_eq!(record.notification_token.as_deref(), Some(token));
}

#[test]
fn ciba_ping_client_notification_token_too_long_is_invalid_request() {
    let mut kit = kit();
    let at_limit = "a".repeat(1024);
    accepted(&ping_post(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_notification_token", &at_limit),
        ],
    ));
    let long = "a".repeat(1025);
    refused(
        &ping_post(
            &mut kit,
            &[
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("client_notification_token", &long),
            ],
        ),
        400,
        "invalid_request",
    );
    assert_eq!(kit.started.len(), 1);
}

#[test]
fn ciba_ping_client_notification_token_must_have_bearer_syntax() {
    // Section 7.1: the token MUST conform to the Bearer credentials syntax of RFC 6750
    // section 2.1 (b64token). It is sent back as `Authorization: Bearer <token>`, so a
    // space or a line break would also corrupt (or inject into) the callback's headers.
    let mut kit = kit();
    for token in [
        "has space",
        "line\r\nX-Injected: yes",
        "quote\"d",
        "comma,separated",
        "ünïcode",
    ] {
        let r = ping_post(
            &mut kit,
            &[
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("client_notification_token", token),
            ],
        );
        assert_eq!(
            (r.status(), r.error()),
            (400, Some("invalid_request")),
            "client_notification_token {token:?} accepted: {}",
            r.json
        );
    }
    assert!(kit.started.is_empty());
}

// ---------------------------------------------------------------------------------------
// user_code (section 7.1, backchannel_user_code_parameter).

fn user_code_kit() -> TestKit {
    let mut kit = kit();
    kit.config.ciba.user_code_supported = true;
    kit.register(json!({
        "client_id": "ucode", "client_secret": "s-ucode",
        "grant_types": [CIBA], "scope": "openid",
        "backchannel_token_delivery_mode": "poll",
        "backchannel_user_code_parameter": true,
    }));
    kit
}

#[test]
fn ciba_user_code_missing_is_missing_user_code() {
    let mut kit = user_code_kit();
    let auth = basic("ucode", "s-ucode");
    let r = kit.post_ciba(&[("scope", "openid"), ("login_hint", "alice")], Some(&auth));
    refused(&r, 400, "missing_user_code");
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("user_code", "4711"),
        ],
        Some(&auth),
    );
    accepted(&r);
    // A client that did not register for user_code needs none.
    accepted(&post(
        &mut kit,
        &[("scope", "openid"), ("login_hint", "alice")],
    ));
}

#[test]
fn ciba_user_code_not_required_when_server_does_not_support_it() {
    let mut kit = user_code_kit();
    kit.config.ciba.user_code_supported = false;
    let r = kit.post_ciba(
        &[("scope", "openid"), ("login_hint", "alice")],
        Some(&basic("ucode", "s-ucode")),
    );
    accepted(&r);
}

#[test]
fn ciba_user_code_too_long_is_invalid_user_code() {
    let mut kit = user_code_kit();
    let code = "9".repeat(513);
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("user_code", &code),
        ],
        Some(&basic("ucode", "s-ucode")),
    );
    refused(&r, 400, "invalid_user_code");
}

/// Runs a backchannel request, answering the user lookup with `lookup` and every other
/// step from the kit.
fn post_with_lookup(
    kit: &mut TestKit,
    form: &[(&str, &str)],
    auth: &str,
    lookup: &UserLookup,
) -> Reply {
    let body = encode_form(form);
    let request = HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .header("Authorization", auth.as_bytes());
    let config = kit.config.clone();
    let ctx = kit.context();
    let mut step = BackchannelEndpoint::start(&config, &request, ctx);
    loop {
        step = match step {
            CibaStep::LookupClient(s) => {
                let c = kit.client(s.client_id()).unwrap();
                s.resume(c)
            }
            CibaStep::CheckReplay(s) => {
                let fresh = kit.insert_replay(s.replay()).unwrap();
                s.resume(fresh)
            }
            CibaStep::ResolveUser(s) => {
                assert!(s.client().is_some());
                s.resume(lookup.clone())
            }
            CibaStep::Persist(s) => {
                kit.persist(s.records()).unwrap();
                s.resume()
            }
            CibaStep::StartAuthentication(s) => {
                let record = s.request().unwrap().clone();
                kit.start_authentication(s.auth_req_id(), &record).unwrap();
                s.resume()
            }
            CibaStep::Done(done) => return Reply::from(done),
        };
    }
}

#[test]
fn ciba_user_code_rejected_by_host_is_invalid_user_code() {
    let mut kit = user_code_kit();
    let r = post_with_lookup(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("user_code", "0000"),
        ],
        &basic("ucode", "s-ucode"),
        &UserLookup::InvalidUserCode,
    );
    refused(&r, 400, "invalid_user_code");
    assert!(kit.started.is_empty());
    let r = post_with_lookup(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("user_code", "4711"),
        ],
        &basic("ucode", "s-ucode"),
        &UserLookup::Found("carol-sub".to_owned()),
    );
    accepted(&r);
    assert_eq!(kit.started[0].1.sub, "carol-sub");
}

// ---------------------------------------------------------------------------------------
// Registration, other parameters, the response.

#[test]
fn ciba_client_not_registered_for_ciba_is_unauthorized_client() {
    let mut kit = kit();
    let r = kit.post_ciba(
        &[("scope", "openid"), ("login_hint", "alice")],
        Some(&basic("cc", "s-cc")),
    );
    refused(&r, 400, "unauthorized_client");
    // Registered for the grant but with no delivery mode.
    kit.register(json!({
        "client_id": "nomode", "client_secret": "s-nomode",
        "grant_types": [CIBA], "scope": "openid",
    }));
    let r = kit.post_ciba(
        &[("scope", "openid"), ("login_hint", "alice")],
        Some(&basic("nomode", "s-nomode")),
    );
    refused(&r, 400, "unauthorized_client");
    // A delivery mode but not the grant.
    kit.register(json!({
        "client_id": "nogrant", "client_secret": "s-nogrant",
        "grant_types": ["client_credentials"], "scope": "openid",
        "backchannel_token_delivery_mode": "poll",
    }));
    let r = kit.post_ciba(
        &[("scope", "openid"), ("login_hint", "alice")],
        Some(&basic("nogrant", "s-nogrant")),
    );
    refused(&r, 400, "unauthorized_client");
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_request_parameter_is_invalid_request() {
    let mut kit = kit();
    let r = post(
        &mut kit,
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            (
                "request",
                "eyJhbGciOiJFUzI1NiJ9.eyJzY29wZSI6Im9wZW5pZCJ9.c2ln",
            ),
        ],
    );
    refused(&r, 400, "invalid_request");
    let r = post(
        &mut kit,
        &[(
            "request",
            "eyJhbGciOiJFUzI1NiJ9.eyJzY29wZSI6Im9wZW5pZCJ9.c2ln",
        )],
    );
    refused(&r, 400, "invalid_request");
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_success_body_has_exactly_auth_req_id_expires_in_interval() {
    let mut kit = kit();
    let r = post(&mut kit, &[("scope", "openid"), ("login_hint", "alice")]);
    let id = accepted(&r);
    assert_eq!(r.json["expires_in"], 120);
    assert_eq!(r.json["interval"], 5);
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    assert_eq!(r.header("Pragma"), Some("no-cache"));
    assert!(
        r.header("Content-Type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(kit.started[0].0, id);
    kit.config.ciba.interval = 2;
    kit.config.ciba.expires_in = 60;
    let r = post(&mut kit, &[("scope", "openid"), ("login_hint", "alice")]);
    accepted(&r);
    assert_eq!(
        (r.json["expires_in"].as_u64(), r.json["interval"].as_u64()),
        (Some(60), Some(2))
    );
}

#[test]
fn ciba_auth_req_id_has_at_least_128_bits_and_is_unique() {
    let mut kit = kit();
    let mut seen = HashSet::new();
    for _ in 0..200 {
        let id = accepted(&post(
            &mut kit,
            &[("scope", "openid"), ("login_hint", "alice")],
        ));
        assert!(id.len() >= 22, "{id}");
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{id} is not base64url"
        );
        assert!(seen.insert(id), "auth_req_id repeated");
    }
    // Distinct grants too.
    let grants: HashSet<_> = kit
        .started
        .iter()
        .map(|(_, r)| r.grant_id.clone())
        .collect();
    assert_eq!(grants.len(), 200);
}

#[test]
fn ciba_get_or_wrong_content_type_is_invalid_request() {
    let mut kit = kit();
    let body = encode_form(&[("scope", "openid"), ("login_hint", "alice")]);
    let auth = auth_basic();
    let config = kit.config.clone();
    for request in [
        HttpRequest::post(body.as_bytes())
            .header("Content-Type", b"application/json")
            .header("Authorization", auth.as_bytes()),
        HttpRequest::get(&body).header("Authorization", auth.as_bytes()),
        HttpRequest::post(body.as_bytes()).header("Authorization", auth.as_bytes()),
    ] {
        let ctx = kit.context();
        let step = BackchannelEndpoint::start(&config, &request, ctx);
        let r = Reply::from(oauth_core::drive::drive_ciba(step, &mut kit));
        refused(&r, 400, "invalid_request");
    }
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_push_mode_refused_at_registration() {
    let meta: ClientMetadata = serde_json::from_value(json!({
        "client_id": "push", "client_secret": "s",
        "grant_types": [CIBA], "scope": "openid",
        "backchannel_token_delivery_mode": "push",
        "backchannel_client_notification_endpoint": "https://client.example/cb",
    }))
    .unwrap();
    let err = Client::from_metadata(&meta).unwrap_err();
    assert!(
        err.to_string().contains("backchannel_token_delivery_mode"),
        "{err}"
    );
    // Ping needs its notification endpoint; an unknown mode is refused.
    let mut ping = meta.clone();
    ping.backchannel_token_delivery_mode = Some("ping".to_owned());
    ping.backchannel_client_notification_endpoint = None;
    assert!(Client::from_metadata(&ping).is_err());
    let mut odd = meta.clone();
    odd.backchannel_token_delivery_mode = Some("carrier-pigeon".to_owned());
    assert!(Client::from_metadata(&odd).is_err());
    let mut poll = meta;
    poll.backchannel_token_delivery_mode = Some("poll".to_owned());
    let client = Client::from_metadata(&poll).unwrap();
    assert_eq!(client.delivery_mode(), Some(DeliveryMode::Poll));
}
