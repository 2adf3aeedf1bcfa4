#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The client credentials grant (RFC 6749 sections 3.3 and 4.4).

mod common;

use common::*;
use oauth_core::Reason;
use oauth_testkit::{TestKit, basic};
use serde_json::json;

const M2M: &str = "m2m";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": M2M, "client_secret": SECRET,
        // Registered for refresh_token too: client_credentials still issues none.
        "grant_types": ["client_credentials", "refresh_token"],
        "scope": "openid read write admin:all",
    }));
    kit
}

fn cc(kit: &mut TestKit, scope: Option<&str>) -> oauth_testkit::Reply {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    kit.post_token(&form, Some(&basic(M2M, SECRET)))
}

#[test]
fn client_credentials_issues_an_access_token_for_the_client_itself() {
    let mut kit = kit();
    let r = cc(&mut kit, Some("read"));
    let body = assert_tokens(&r);
    assert_eq!(body["scope"], "read");
    let at = member(&r, "access_token");
    let record = kit.store.access_token(&at, kit.now).unwrap();
    assert_eq!(record.client_id, M2M);
    assert_eq!(record.sub, None);
    assert_eq!(record.grant_type, "client_credentials");
    assert_eq!(record.expires_at, kit.now + kit.config.access_token_ttl);
}

#[test]
fn client_credentials_issues_no_refresh_token() {
    // RFC 6749 section 4.4.3: "A refresh token SHOULD NOT be included."
    let mut kit = kit();
    let r = cc(&mut kit, None);
    let body = assert_tokens(&r);
    assert!(body.get("refresh_token").is_none(), "{}", r.json);
}

#[test]
fn client_credentials_issues_no_id_token_even_for_openid() {
    // There is no end-user to identify (OpenID Connect Core section 2).
    let mut kit = kit();
    let r = cc(&mut kit, Some("openid read"));
    let body = assert_tokens(&r);
    assert!(body.get("id_token").is_none(), "{}", r.json);
}

#[test]
fn client_credentials_is_for_confidential_clients_only() {
    // RFC 6749 section 4.4: "MUST only be used by confidential clients".
    let mut kit = kit();
    kit.register(json!({
        "client_id": "public", "token_endpoint_auth_method": "none",
        "grant_types": ["client_credentials"], "scope": "read",
    }));
    let r = kit.post_token(
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "public"),
        ],
        None,
    );
    assert_error(&r, 400, "unauthorized_client");
    assert!(!kit.steps.contains(&"persist"));
}

#[test]
fn scope_defaults_to_the_registered_scope() {
    // RFC 6749 section 3.3: with no scope, a pre-defined default applies; the response
    // names it because it differs from what was requested (section 5.1).
    let mut kit = kit();
    let r = cc(&mut kit, None);
    assert_eq!(assert_tokens(&r)["scope"], "openid read write admin:all");
    // An empty `scope=` is no scope (section 3.1).
    let r = cc(&mut kit, Some(""));
    assert_eq!(assert_tokens(&r)["scope"], "openid read write admin:all");
}

#[test]
fn requested_scope_within_the_registration_is_granted() {
    let mut kit = kit();
    let r = cc(&mut kit, Some("write admin:all"));
    assert_eq!(assert_tokens(&r)["scope"], "write admin:all");
    let at = member(&r, "access_token");
    let granted = &kit.store.access_token(&at, kit.now).unwrap().scope;
    assert!(granted.contains("write") && granted.contains("admin:all"));
    assert!(!granted.contains("read"));
}

#[test]
fn scope_beyond_the_registration_is_invalid_scope() {
    let mut kit = kit();
    for scope in ["delete", "read delete", "READ", "admin", "admin:all:x"] {
        let r = cc(&mut kit, Some(scope));
        assert_error(&r, 400, "invalid_scope");
        assert_eq!(reason(&r), &Reason::ScopeNotAllowed, "{scope}");
    }
}

#[test]
fn malformed_scope_is_invalid_scope() {
    // RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
    let mut kit = kit();
    for scope in ["read\"", "re\\ad", "réad", "read\twrite", "read\u{7f}"] {
        let r = cc(&mut kit, Some(scope));
        assert_error(&r, 400, "invalid_scope");
    }
}

#[test]
fn client_without_registered_scope_may_request_none() {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "bare", "client_secret": SECRET,
        "grant_types": ["client_credentials"],
    }));
    let r = kit.post_token(
        &[("grant_type", "client_credentials"), ("scope", "read")],
        Some(&basic("bare", SECRET)),
    );
    assert_error(&r, 400, "invalid_scope");
}

#[test]
fn client_not_registered_for_client_credentials_is_unauthorized_client() {
    // RFC 6749 section 5.2: unauthorized_client.
    let mut kit = kit();
    kit.register(json!({
        "client_id": "web", "client_secret": SECRET,
        "grant_types": ["authorization_code"], "redirect_uris": [REDIRECT], "scope": "read",
    }));
    let r = kit.post_token(
        &[("grant_type", "client_credentials")],
        Some(&basic("web", SECRET)),
    );
    assert_error(&r, 400, "unauthorized_client");
    assert_eq!(reason(&r), &Reason::GrantNotRegistered);
}

#[test]
fn failed_authentication_wins_over_grant_checks() {
    let mut kit = kit();
    let r = kit.post_token(
        &[("grant_type", "client_credentials"), ("scope", "delete")],
        Some(&basic(M2M, "wrong")),
    );
    assert_invalid_client(&r);
}
