#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use oauth_testkit::{CodeSpec, TestKit, basic};
use serde_json::json;

#[test]
fn client_credentials_with_basic_issues_a_bearer_token() {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "c1", "client_secret": "secret-1",
        "grant_types": ["client_credentials"], "scope": "read write",
    }));
    let r = kit.post_token(
        &[("grant_type", "client_credentials"), ("scope", "read")],
        Some(&basic("c1", "secret-1")),
    );
    assert_eq!(r.status(), 200, "{}", r.json);
    assert_eq!(r.get("token_type"), Some("Bearer"));
    assert_eq!(r.get("scope"), Some("read"));
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    let at = r.get("access_token").unwrap();
    assert!(kit.store.access_token(at, kit.now).is_some());

    let bad = kit.post_token(
        &[("grant_type", "client_credentials")],
        Some(&basic("c1", "wrong")),
    );
    assert_eq!(bad.status(), 401);
    assert_eq!(bad.error(), Some("invalid_client"));
    assert!(bad.header("WWW-Authenticate").unwrap().starts_with("Basic"));
}

#[test]
fn code_with_pkce_then_refresh_then_reuse_revokes() {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "web", "client_secret": "s", "token_endpoint_auth_method": "client_secret_post",
        "grant_types": ["authorization_code", "refresh_token"], "scope": "openid profile",
        "redirect_uris": ["https://app.example/cb"],
    }));
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let code = kit.issue_code(CodeSpec {
        client_id: "web",
        redirect_uri: Some("https://app.example/cb"),
        code_verifier: Some(verifier),
        nonce: Some("n-1"),
        scope: "openid profile",
        sub: "alice",
    });
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://app.example/cb"),
        ("code_verifier", verifier),
        ("client_id", "web"),
        ("client_secret", "s"),
    ];
    let r = kit.post_token(&form, None);
    assert_eq!(r.status(), 200, "{}", r.json);
    let id_token = r.get("id_token").unwrap();
    let key = kit.signer.verifying_key().unwrap();
    let verified = jwt_verify::Token::parse(id_token)
        .unwrap()
        .verify(&key)
        .unwrap();
    let claims: serde_json::Value = verified.claims().unwrap();
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["aud"], "web");
    let at = r.get("access_token").unwrap().to_owned();
    let rt = r.get("refresh_token").unwrap().to_owned();

    let again = kit.post_token(&form, None);
    assert_eq!(again.error(), Some("invalid_grant"));
    assert!(
        kit.store.access_token(&at, kit.now).is_none(),
        "reuse revokes what the code issued"
    );
    assert!(!kit.store.refresh_token_active(&rt, kit.now));
}
