#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Refreshing an access token (RFC 6749 sections 6 and 10.4) with refresh token rotation and
//! reuse detection (RFC 9700 section 4.14.2).

mod common;

use common::*;
use oauth_core::Reason;
use oauth_core::records::GrantId;
use oauth_testkit::{CodeSpec, Reply, TestKit, basic};
use serde_json::json;

const WEB: &str = "web";
const OTHER: &str = "other-web";
const SPA: &str = "spa";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    for id in [WEB, OTHER] {
        kit.register(json!({
            "client_id": id, "client_secret": SECRET,
            "grant_types": ["authorization_code", "refresh_token"],
            "redirect_uris": [REDIRECT], "scope": "openid profile read write",
        }));
    }
    kit.register(json!({
        "client_id": SPA, "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "redirect_uris": [REDIRECT], "scope": "read write",
    }));
    kit
}

/// Redeems a fresh code for `client` with scope `scope`; returns the response and the grant.
fn start(kit: &mut TestKit, client: &str, scope: &str) -> (Reply, GrantId) {
    let code = kit.issue_code(CodeSpec {
        client_id: client,
        redirect_uri: Some(REDIRECT),
        code_verifier: Some(VERIFIER),
        nonce: None,
        scope,
        sub: "alice",
    });
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let r = if client == SPA {
        form.push(("client_id", SPA));
        kit.post_token(&form, None)
    } else {
        kit.post_token(&form, Some(&basic(client, SECRET)))
    };
    assert_tokens(&r);
    (r, GrantId(code.replacen("code-", "grant-", 1)))
}

fn refresh(kit: &mut TestKit, client: &str, rt: &str, scope: Option<&str>) -> Reply {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", rt)];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    if client == SPA {
        form.push(("client_id", SPA));
        kit.post_token(&form, None)
    } else {
        kit.post_token(&form, Some(&basic(client, SECRET)))
    }
}

#[test]
fn refresh_issues_new_tokens_and_a_new_refresh_token() {
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "profile read");
    let rt1 = member(&first, "refresh_token");
    kit.advance(100);
    let r = refresh(&mut kit, WEB, &rt1, None);
    let body = assert_tokens(&r);
    let (at2, rt2) = (member(&r, "access_token"), member(&r, "refresh_token"));
    assert_ne!(at2, member(&first, "access_token"));
    assert_ne!(rt2, rt1);
    // RFC 6749 section 6: without `scope` the scope is that originally granted.
    assert_eq!(body["scope"], "profile read");
    let record = kit.store.access_token(&at2, kit.now).unwrap();
    assert_eq!(record.sub.as_deref(), Some("alice"));
    assert_eq!(record.client_id, WEB);
    assert_eq!(record.issued_at, kit.now);
}

#[test]
fn rotated_refresh_token_is_dead() {
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "read");
    let rt1 = member(&first, "refresh_token");
    assert_tokens(&refresh(&mut kit, WEB, &rt1, None));
    assert!(!kit.store.refresh_token_active(&rt1, kit.now));
    let again = refresh(&mut kit, WEB, &rt1, None);
    assert_error(&again, 400, "invalid_grant");
}

#[test]
fn reuse_of_a_rotated_refresh_token_revokes_the_whole_family() {
    // RFC 9700 section 4.14.2: reuse of an invalidated refresh token revokes the active one
    // and every access token of the grant.
    let mut kit = kit();
    let (first, grant) = start(&mut kit, SPA, "read write");
    let (at1, rt1) = (
        member(&first, "access_token"),
        member(&first, "refresh_token"),
    );
    let second = refresh(&mut kit, SPA, &rt1, None);
    let (at2, rt2) = (
        member(&second, "access_token"),
        member(&second, "refresh_token"),
    );
    let third = refresh(&mut kit, SPA, &rt2, None);
    let (at3, rt3) = (
        member(&third, "access_token"),
        member(&third, "refresh_token"),
    );
    assert_eq!(kit.store.access_tokens_of(&grant), 3);

    // The attacker (or the client) replays rt1.
    let replay = refresh(&mut kit, SPA, &rt1, None);
    assert_error(&replay, 400, "invalid_grant");
    assert_eq!(reason(&replay), &Reason::GrantReplayed);
    for at in [&at1, &at2, &at3] {
        assert!(kit.store.access_token(at, kit.now).is_none());
    }
    assert_eq!(kit.store.access_tokens_of(&grant), 0);
    assert!(!kit.store.refresh_token_active(&rt3, kit.now));
    let newest = refresh(&mut kit, SPA, &rt3, None);
    assert_error(&newest, 400, "invalid_grant");
}

#[test]
fn refresh_may_narrow_the_scope() {
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "profile read write");
    let rt = member(&first, "refresh_token");
    let r = refresh(&mut kit, WEB, &rt, Some("read"));
    assert_eq!(assert_tokens(&r)["scope"], "read");
    let at = member(&r, "access_token");
    assert_eq!(
        kit.store
            .access_token(&at, kit.now)
            .unwrap()
            .scope
            .to_string(),
        "read"
    );
}

#[test]
fn narrowed_refresh_keeps_the_original_scope_on_the_new_refresh_token() {
    // RFC 6749 section 6: "If a new refresh token is issued, the refresh token scope MUST be
    // identical to that of the refresh token included by the client in the request."
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "profile read write");
    let rt1 = member(&first, "refresh_token");
    let narrow = refresh(&mut kit, WEB, &rt1, Some("read"));
    assert_tokens(&narrow);
    let rt2 = member(&narrow, "refresh_token");
    // The new refresh token still carries the whole original scope.
    let wide = refresh(&mut kit, WEB, &rt2, Some("profile read write"));
    assert_eq!(
        wide.status(),
        200,
        "the rotated refresh token lost scope: {}",
        wide.json
    );
    assert_eq!(assert_tokens(&wide)["scope"], "profile read write");
}

#[test]
fn refresh_without_scope_after_narrowing_grants_the_original_scope() {
    // Same MUST, seen from a client that omits `scope` ("treated as equal to the scope
    // originally granted by the resource owner").
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "profile read write");
    let rt1 = member(&first, "refresh_token");
    let narrow = refresh(&mut kit, WEB, &rt1, Some("read"));
    let rt2 = member(&narrow, "refresh_token");
    let r = refresh(&mut kit, WEB, &rt2, None);
    assert_eq!(assert_tokens(&r)["scope"], "profile read write");
}

#[test]
fn refresh_may_not_widen_the_scope() {
    // RFC 6749 section 6: "MUST NOT include any scope not originally granted".
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "read");
    let rt = member(&first, "refresh_token");
    // `write` is registered for the client but was not granted.
    let r = refresh(&mut kit, WEB, &rt, Some("read write"));
    assert_error(&r, 400, "invalid_scope");
    assert_eq!(reason(&r), &Reason::ScopeNotAllowed);
}

#[test]
fn refused_refresh_request_leaves_the_refresh_token_usable() {
    // RFC 6749 section 6: the old refresh token may be revoked "after issuing a new refresh
    // token"; a request refused with invalid_scope issues nothing, so the client still holds
    // a valid token, and retrying correctly must not look like reuse (RFC 9700 section
    // 4.14.2 would then revoke the whole grant).
    let mut kit = kit();
    let (first, grant) = start(&mut kit, WEB, "read");
    let rt = member(&first, "refresh_token");
    let refused = refresh(&mut kit, WEB, &rt, Some("read write"));
    assert_error(&refused, 400, "invalid_scope");
    let retry = refresh(&mut kit, WEB, &rt, Some("read"));
    assert_eq!(
        retry.status(),
        200,
        "a refused refresh burned the refresh token: {} / {:?}",
        retry.json,
        retry.done.outcome
    );
    assert!(kit.store.access_tokens_of(&grant) >= 1);
}

#[test]
fn malformed_scope_on_refresh_is_invalid_scope() {
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "read");
    let rt = member(&first, "refresh_token");
    let r = refresh(&mut kit, WEB, &rt, Some("read \"quoted\""));
    assert_error(&r, 400, "invalid_scope");
}

#[test]
fn refresh_token_of_another_client_is_invalid_grant() {
    // RFC 6749 sections 6 and 10.4: the refresh token is bound to the client it was issued to.
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "read");
    let rt = member(&first, "refresh_token");
    let r = refresh(&mut kit, OTHER, &rt, None);
    assert_error(&r, 400, "invalid_grant");
    assert!(r.get("access_token").is_none());
    // A public client naming itself gets nothing either.
    let r = refresh(&mut kit, SPA, &rt, None);
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn expired_refresh_token_is_invalid_grant() {
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "read");
    let rt = member(&first, "refresh_token");
    kit.advance(kit.config.refresh_token_ttl);
    let r = refresh(&mut kit, WEB, &rt, None);
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn refresh_token_is_usable_until_it_expires() {
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "read");
    let rt = member(&first, "refresh_token");
    kit.advance(kit.config.refresh_token_ttl - 1);
    assert_tokens(&refresh(&mut kit, WEB, &rt, None));
}

#[test]
fn missing_refresh_token_is_invalid_request() {
    let mut kit = kit();
    let r = kit.post_token(
        &[("grant_type", "refresh_token")],
        Some(&basic(WEB, SECRET)),
    );
    assert_error(&r, 400, "invalid_request");
}

#[test]
fn unknown_refresh_token_is_invalid_grant() {
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "read");
    // An access token is not a refresh token.
    let at = member(&first, "access_token");
    let r = refresh(&mut kit, WEB, &at, None);
    assert_error(&r, 400, "invalid_grant");
    let r = refresh(&mut kit, WEB, "never-issued", None);
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn refresh_still_requires_client_authentication() {
    // RFC 6749 section 6: authenticate confidential clients on refresh.
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "read");
    let rt = member(&first, "refresh_token");
    let r = kit.post_token(
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt),
            ("client_id", WEB),
        ],
        None,
    );
    assert_invalid_client(&r);
    let r = kit.post_token(
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
        Some(&basic(WEB, "wrong")),
    );
    assert_invalid_client(&r);
    // Nothing was consumed: the token still works.
    assert_tokens(&refresh(&mut kit, WEB, &rt, None));
}

#[test]
fn client_no_longer_registered_for_refresh_is_unauthorized_client() {
    let mut kit = kit();
    let (first, _) = start(&mut kit, WEB, "read");
    let rt = member(&first, "refresh_token");
    kit.register(json!({
        "client_id": WEB, "client_secret": SECRET,
        "grant_types": ["authorization_code"], "redirect_uris": [REDIRECT],
    }));
    let r = refresh(&mut kit, WEB, &rt, None);
    assert_error(&r, 400, "unauthorized_client");
}
