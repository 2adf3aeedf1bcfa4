#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use oauth_testkit::{TestKit, basic};
use serde_json::json;

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "ciba-1", "client_secret": "secret-1",
        "grant_types": ["urn:openid:params:grant-type:ciba", "refresh_token"],
        "scope": "openid profile", "backchannel_token_delivery_mode": "poll",
    }));
    kit.add_user("alice", "pw", "alice-sub");
    kit
}

const CIBA: &str = "urn:openid:params:grant-type:ciba";

#[test]
fn ciba_poll_pending_slow_down_then_tokens_once() {
    let mut kit = kit();
    let auth = basic("ciba-1", "secret-1");
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("binding_message", "W4SCT"),
        ],
        Some(&auth),
    );
    assert_eq!(r.status(), 200, "{}", r.json);
    let id = r.get("auth_req_id").unwrap().to_owned();
    assert!(id.len() >= 22);
    assert_eq!(r.json["expires_in"], 120);
    let interval = r.json["interval"].as_u64().unwrap();

    let poll = |kit: &mut TestKit| {
        kit.post_token(
            &[("grant_type", CIBA), ("auth_req_id", id.as_str())],
            Some(&auth),
        )
    };
    let first = poll(&mut kit);
    assert_eq!(
        first.error(),
        Some("authorization_pending"),
        "first poll is never slow_down: {:?}",
        first.done.outcome
    );
    kit.advance(interval - 1);
    assert_eq!(poll(&mut kit).error(), Some("slow_down"));
    kit.advance(interval + 5);
    assert_eq!(poll(&mut kit).error(), Some("authorization_pending"));

    assert_eq!(
        kit.approve(&id),
        oauth_core::ciba::DecisionOutcome::Recorded { notified: None }
    );
    kit.advance(interval + 5);
    let ok = poll(&mut kit);
    assert_eq!(ok.status(), 200, "{}", ok.json);
    let at = ok.get("access_token").unwrap().to_owned();
    let id_token = ok.get("id_token").unwrap();
    let key = kit.signer.verifying_key().unwrap();
    let claims: serde_json::Value = jwt_verify::Token::parse(id_token)
        .unwrap()
        .verify(&key)
        .unwrap()
        .claims()
        .unwrap();
    assert_eq!(
        claims["urn:openid:params:jwt:claim:auth_req_id"],
        id.as_str()
    );
    assert_eq!(claims["sub"], "alice-sub");

    kit.advance(interval + 5);
    assert_eq!(poll(&mut kit).error(), Some("invalid_grant"));
    assert!(
        kit.store.access_token(&at, kit.now).is_none(),
        "second redemption revokes the first"
    );
}

#[test]
fn ciba_denied_and_expired() {
    let mut kit = kit();
    let auth = basic("ciba-1", "secret-1");
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("requested_expiry", "10"),
        ],
        Some(&auth),
    );
    assert_eq!(r.json["expires_in"], 10);
    let id = r.get("auth_req_id").unwrap().to_owned();
    kit.advance(11);
    let p = kit.post_token(&[("grant_type", CIBA), ("auth_req_id", &id)], Some(&auth));
    assert_eq!(p.error(), Some("expired_token"));

    let r = kit.post_ciba(&[("scope", "openid"), ("login_hint", "alice")], Some(&auth));
    let id = r.get("auth_req_id").unwrap().to_owned();
    kit.deny(&id);
    let p = kit.post_token(&[("grant_type", CIBA), ("auth_req_id", &id)], Some(&auth));
    assert_eq!((p.status(), p.error()), (400, Some("access_denied")));

    let unknown = kit.post_ciba(&[("scope", "openid"), ("login_hint", "bob")], Some(&auth));
    assert_eq!(unknown.error(), Some("unknown_user_id"));
    let two = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("login_hint_token", "x.y.z"),
        ],
        Some(&auth),
    );
    assert_eq!(two.error(), Some("invalid_request"));
}
