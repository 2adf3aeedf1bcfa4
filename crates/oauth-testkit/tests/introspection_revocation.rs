#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use oauth_testkit::{CodeSpec, TestKit, basic};
use serde_json::json;

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "web", "client_secret": "s1",
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"], "scope": "openid read",
        "redirect_uris": ["https://app.example/cb"],
    }));
    kit.register(json!({ "client_id": "rs", "client_secret": "s2", "grant_types": ["client_credentials"], "scope": "" }));
    kit
}

fn code_tokens(kit: &mut TestKit) -> (String, String) {
    let code = kit.issue_code(CodeSpec {
        client_id: "web",
        redirect_uri: None,
        code_verifier: None,
        nonce: None,
        scope: "openid read",
        sub: "alice",
    });
    let r = kit.post_token(
        &[("grant_type", "authorization_code"), ("code", &code)],
        Some(&basic("web", "s1")),
    );
    assert_eq!(r.status(), 200, "{}", r.json);
    (
        r.get("access_token").unwrap().to_owned(),
        r.get("refresh_token").unwrap().to_owned(),
    )
}

#[test]
fn introspection_reports_active_access_token_to_any_authenticated_client() {
    let mut kit = kit();
    let (at, rt) = code_tokens(&mut kit);
    let r = kit.post_introspect(&[("token", &at)], Some(&basic("rs", "s2")));
    assert_eq!(r.status(), 200);
    assert_eq!(r.json["active"], true);
    assert_eq!(r.json["client_id"], "web");
    assert_eq!(r.json["sub"], "alice");
    assert_eq!(r.json["scope"], "openid read");
    assert_eq!(r.json["token_type"], "Bearer");
    // A refresh token is active only to the client it was issued to.
    assert_eq!(
        kit.post_introspect(&[("token", &rt)], Some(&basic("rs", "s2")))
            .json,
        json!({"active": false})
    );
    assert_eq!(
        kit.post_introspect(&[("token", &rt)], Some(&basic("web", "s1")))
            .json["active"],
        true
    );
    // Unknown and expired tokens are inactive; the caller must authenticate.
    assert_eq!(
        kit.post_introspect(&[("token", "nope")], Some(&basic("rs", "s2")))
            .json,
        json!({"active": false})
    );
    assert_eq!(kit.post_introspect(&[("token", &at)], None).status(), 401);
    kit.advance(3601);
    assert_eq!(
        kit.post_introspect(&[("token", &at)], Some(&basic("rs", "s2")))
            .json,
        json!({"active": false})
    );
}

#[test]
fn revoking_a_refresh_token_revokes_its_grant_and_only_the_owner_may() {
    let mut kit = kit();
    let (at, rt) = code_tokens(&mut kit);
    let other = kit.post_revoke(&[("token", &rt)], Some(&basic("rs", "s2")));
    assert_eq!(other.error(), Some("unauthorized_client"));
    assert!(kit.store.refresh_token_active(&rt, kit.now));
    let r = kit.post_revoke(
        &[("token", &rt), ("token_type_hint", "refresh_token")],
        Some(&basic("web", "s1")),
    );
    assert_eq!(r.status(), 200);
    assert!(!kit.store.refresh_token_active(&rt, kit.now));
    assert!(kit.store.access_token(&at, kit.now).is_none());
    // An unknown token is not an error (RFC 7009 section 2.2).
    assert_eq!(
        kit.post_revoke(&[("token", "unknown")], Some(&basic("web", "s1")))
            .status(),
        200
    );
    assert_eq!(
        kit.post_revoke(&[], Some(&basic("web", "s1"))).error(),
        Some("invalid_request")
    );
}

#[test]
fn revoking_an_access_token_leaves_the_refresh_token() {
    let mut kit = kit();
    let (at, rt) = code_tokens(&mut kit);
    let r = kit.post_revoke(
        &[("token", &at), ("token_type_hint", "access_token")],
        Some(&basic("web", "s1")),
    );
    assert_eq!(r.status(), 200);
    assert!(kit.store.access_token(&at, kit.now).is_none());
    assert!(kit.store.refresh_token_active(&rt, kit.now));
}
