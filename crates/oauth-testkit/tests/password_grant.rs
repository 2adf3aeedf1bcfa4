#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The resource owner password credentials grant (RFC 6749 section 4.3), with an ID token
//! when `openid` is requested (OpenID Connect Core sections 2 and 3.1.3.6).

mod common;

use common::*;
use oauth_core::Reason;
use oauth_testkit::{ISSUER, Reply, TestKit, basic};
use serde_json::{Value, json};

const APP: &str = "legacy-app";
const PASSWORD: &str = "wonder land:%+é";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": APP, "client_secret": SECRET,
        "grant_types": ["password", "refresh_token"],
        "scope": "openid profile read",
    }));
    kit.add_user("alice", PASSWORD, "sub-alice");
    kit
}

fn password(kit: &mut TestKit, client: &str, form: &[(&str, &str)]) -> Reply {
    let mut full = vec![("grant_type", "password")];
    full.extend_from_slice(form);
    kit.post_token(&full, Some(&basic(client, SECRET)))
}

#[test]
fn password_grant_is_off_unless_registered() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "web", "client_secret": SECRET,
        "grant_types": ["authorization_code", "client_credentials"], "scope": "read",
    }));
    let r = password(
        &mut kit,
        "web",
        &[("username", "alice"), ("password", PASSWORD)],
    );
    assert_error(&r, 400, "unauthorized_client");
    assert!(
        !kit.steps.contains(&"verify_password"),
        "the password was checked for a client not allowed to send it"
    );
}

#[test]
fn password_grant_issues_tokens_for_the_user() {
    let mut kit = kit();
    let r = password(
        &mut kit,
        APP,
        &[
            ("username", "alice"),
            ("password", PASSWORD),
            ("scope", "read"),
        ],
    );
    let body = assert_tokens(&r);
    assert_eq!(body["scope"], "read");
    assert!(body.get("refresh_token").is_some());
    assert!(body.get("id_token").is_none());
    let at = member(&r, "access_token");
    let record = kit.store.access_token(&at, kit.now).unwrap();
    assert_eq!(record.sub.as_deref(), Some("sub-alice"));
    assert_eq!(record.client_id, APP);
}

#[test]
fn password_grant_issues_an_id_token_when_openid_is_requested() {
    let mut kit = kit();
    let r = password(
        &mut kit,
        APP,
        &[
            ("username", "alice"),
            ("password", PASSWORD),
            ("scope", "openid profile"),
        ],
    );
    assert_tokens(&r);
    let id_token = member(&r, "id_token");
    let key = kit.signer.verifying_key().unwrap();
    let verified = jwt_verify::Token::parse(&id_token)
        .unwrap()
        .verify(&key)
        .unwrap();
    let claims: Value = verified.claims().unwrap();
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["sub"], "sub-alice");
    assert_eq!(claims["aud"], APP);
    assert_eq!(claims["iat"], kit.now);
    assert!(claims["exp"].as_u64().unwrap() > kit.now);
    assert_eq!(
        claims["at_hash"],
        at_hash_sha256(&member(&r, "access_token"))
    );
}

#[test]
fn wrong_password_is_invalid_grant() {
    // RFC 6749 section 5.2: invalid_grant for invalid resource owner credentials.
    let mut kit = kit();
    for (user, pass) in [
        ("alice", "wonder land"),
        ("alice", &PASSWORD.to_uppercase()),
        ("Alice", PASSWORD),
        ("bob", PASSWORD),
    ] {
        let r = password(&mut kit, APP, &[("username", user), ("password", pass)]);
        assert_error(&r, 400, "invalid_grant");
        assert_eq!(reason(&r), &Reason::UserCredentials);
    }
}

#[test]
fn missing_username_or_password_is_invalid_request() {
    let mut kit = kit();
    for form in [
        &[("password", PASSWORD)][..],
        &[("username", "alice")][..],
        &[][..],
        &[("username", "alice"), ("password", "")][..],
        &[("username", ""), ("password", PASSWORD)][..],
    ] {
        let r = password(&mut kit, APP, form);
        assert_error(&r, 400, "invalid_request");
    }
    assert!(!kit.steps.contains(&"verify_password"));
}

#[test]
fn password_grant_authenticates_the_client_first() {
    // RFC 6749 section 4.3.2: the client authenticates; a wrong client secret must not let
    // anyone test user passwords.
    let mut kit = kit();
    let r = kit.post_token(
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", PASSWORD),
        ],
        Some(&basic(APP, "wrong")),
    );
    assert_invalid_client(&r);
    assert!(!kit.steps.contains(&"verify_password"));
}

#[test]
fn password_grant_scope_beyond_the_registration_is_invalid_scope() {
    let mut kit = kit();
    let r = password(
        &mut kit,
        APP,
        &[
            ("username", "alice"),
            ("password", PASSWORD),
            ("scope", "admin"),
        ],
    );
    assert_error(&r, 400, "invalid_scope");
}
