#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The CIBA grant at the token endpoint (CIBA sections 10 and 11): polling, `slow_down`,
//! expiry, single use, the issued tokens, HID's `ciba_delete`, and host failures.

use oauth_core::ciba::CibaStatus;
use oauth_core::drive::{self, Backend};
use oauth_core::secret::TokenHash;
use oauth_core::token::UpdateCiba;
use oauth_core::{Context, HostError, HttpRequest, TokenEndpoint, TokenStep};
use oauth_testkit::{ISSUER, Reply, TestKit, basic, encode_form};
use serde_json::{Value, json};

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const AUTH_REQ_ID_CLAIM: &str = "urn:openid:params:jwt:claim:auth_req_id";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "one", "client_secret": "s-one",
        "grant_types": [CIBA, "refresh_token", "ciba_delete"], "scope": "openid profile",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.register(json!({
        "client_id": "two", "client_secret": "s-two",
        "grant_types": [CIBA, "ciba_delete"], "scope": "openid profile",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.register(json!({
        "client_id": "cc", "client_secret": "s-cc",
        "grant_types": ["client_credentials"], "scope": "openid",
    }));
    kit.add_user("alice", "pw", "alice-sub");
    kit
}

fn auth(client: &str) -> String {
    match client {
        "one" => basic("one", "s-one"),
        "two" => basic("two", "s-two"),
        other => basic(other, &format!("s-{other}")),
    }
}

fn start_as(kit: &mut TestKit, client: &str, extra: &[(&str, &str)]) -> String {
    let mut form = vec![("scope", "openid profile"), ("login_hint", "alice")];
    form.extend_from_slice(extra);
    let a = auth(client);
    let r = kit.post_ciba(&form, Some(&a));
    assert_eq!(r.status(), 200, "{}", r.json);
    r.get("auth_req_id").unwrap().to_owned()
}

fn start(kit: &mut TestKit) -> String {
    start_as(kit, "one", &[])
}

fn poll_as(kit: &mut TestKit, client: &str, id: &str) -> Reply {
    let a = auth(client);
    kit.post_token(&[("grant_type", CIBA), ("auth_req_id", id)], Some(&a))
}

fn poll(kit: &mut TestKit, id: &str) -> Reply {
    poll_as(kit, "one", id)
}

fn delete_as(kit: &mut TestKit, client: &str, id: &str) -> Reply {
    let a = auth(client);
    kit.post_token(
        &[("grant_type", "ciba_delete"), ("auth_req_id", id)],
        Some(&a),
    )
}

fn expect(r: &Reply, status: u16, error: &str) {
    assert_eq!(
        (r.status(), r.error()),
        (status, Some(error)),
        "{} {:?}",
        r.json,
        r.done.outcome
    );
    assert!(r.get("access_token").is_none());
}

fn record(kit: &TestKit, id: &str) -> Option<oauth_core::ciba::CibaRecord> {
    kit.store.load_ciba(&TokenHash::of(id), kit.now)
}

fn id_token_claims(kit: &TestKit, r: &Reply) -> Value {
    let key = kit.signer.verifying_key().unwrap();
    jwt_verify::Token::parse(r.get("id_token").unwrap())
        .unwrap()
        .verify(&key)
        .unwrap()
        .claims()
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// Polling (section 11).

#[test]
fn ciba_authorization_pending_until_decided() {
    let mut kit = kit();
    let id = start(&mut kit);
    for _ in 0..4 {
        expect(&poll(&mut kit, &id), 400, "authorization_pending");
        kit.advance(5);
    }
    kit.approve(&id);
    let t = poll(&mut kit, &id);
    assert_eq!(t.status(), 200, "{}", t.json);
}

#[test]
fn ciba_slow_down_not_on_first_poll() {
    let mut kit = kit();
    let id = start(&mut kit);
    // Polled at once, in the same second as the request: still the first poll.
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    assert_eq!(record(&kit, &id).unwrap().last_poll, Some(kit.now));
    assert_eq!(record(&kit, &id).unwrap().interval, 5);
}

#[test]
fn ciba_slow_down_when_polling_faster_than_interval() {
    let mut kit = kit();
    let id = start(&mut kit);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    kit.advance(4);
    expect(&poll(&mut kit, &id), 400, "slow_down");
    assert_eq!(record(&kit, &id).unwrap().interval, 10);
    // Two polls in the same second.
    let id2 = start(&mut kit);
    expect(&poll(&mut kit, &id2), 400, "authorization_pending");
    expect(&poll(&mut kit, &id2), 400, "slow_down");
}

#[test]
fn ciba_poll_exactly_at_interval_is_pending() {
    let mut kit = kit();
    let id = start(&mut kit);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    kit.advance(5);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    kit.advance(5);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    assert_eq!(
        record(&kit, &id).unwrap().interval,
        5,
        "no slow_down, no growth"
    );
}

#[test]
fn ciba_slow_down_grows_interval_by_five() {
    let mut kit = kit();
    let id = start(&mut kit);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    kit.advance(1);
    expect(&poll(&mut kit, &id), 400, "slow_down");
    // Old interval + 1 = 6 < 10: again too fast.
    kit.advance(6);
    expect(&poll(&mut kit, &id), 400, "slow_down");
    assert_eq!(record(&kit, &id).unwrap().interval, 15);

    let id = start(&mut kit);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    kit.advance(1);
    expect(&poll(&mut kit, &id), 400, "slow_down");
    // At the grown interval: pending, and the interval stays grown.
    kit.advance(10);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    assert_eq!(record(&kit, &id).unwrap().interval, 10);
    kit.advance(9);
    expect(&poll(&mut kit, &id), 400, "slow_down");
}

#[test]
fn ciba_slow_down_does_not_block_tokens_after_approval() {
    let mut kit = kit();
    let id = start(&mut kit);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    kit.advance(1);
    expect(&poll(&mut kit, &id), 400, "slow_down");
    kit.approve(&id);
    kit.advance(10);
    assert_eq!(poll(&mut kit, &id).status(), 200);
}

#[test]
fn ciba_expired_token_after_expiry() {
    let mut kit = kit();
    let id = start_as(&mut kit, "one", &[("requested_expiry", "10")]);
    kit.advance(9);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    kit.advance(1);
    expect(&poll(&mut kit, &id), 400, "expired_token");
    kit.advance(1);
    expect(&poll(&mut kit, &id), 400, "expired_token");

    let id = start_as(&mut kit, "one", &[("requested_expiry", "10")]);
    kit.advance(11);
    expect(&poll(&mut kit, &id), 400, "expired_token");
}

#[test]
fn ciba_approved_but_expired_gives_no_tokens() {
    let mut kit = kit();
    let id = start_as(&mut kit, "one", &[("requested_expiry", "10")]);
    kit.advance(5);
    kit.approve(&id);
    kit.advance(6);
    expect(&poll(&mut kit, &id), 400, "expired_token");
    assert_eq!(kit.store.access_tokens_of(&kit.started[0].1.grant_id), 0);
}

#[test]
fn ciba_forgotten_request_is_invalid_grant() {
    let mut kit = kit();
    let id = start_as(&mut kit, "one", &[("requested_expiry", "10")]);
    kit.advance(10 + oauth_core::ciba::RETAIN_AFTER_EXPIRY);
    expect(&poll(&mut kit, &id), 400, "invalid_grant");
}

#[test]
fn ciba_unknown_auth_req_id_is_invalid_grant() {
    let mut kit = kit();
    start(&mut kit);
    expect(&poll(&mut kit, "not-an-auth-req-id"), 400, "invalid_grant");
}

#[test]
fn ciba_another_clients_auth_req_id_is_invalid_grant() {
    let mut kit = kit();
    let id = start(&mut kit);
    expect(&poll_as(&mut kit, "two", &id), 400, "invalid_grant");
    // Its poll does not count as the owner's.
    assert_eq!(record(&kit, &id).unwrap().last_poll, None);
    kit.approve(&id);
    expect(&poll_as(&mut kit, "two", &id), 400, "invalid_grant");
    // The other client cannot burn it: the owner still redeems it.
    let t = poll(&mut kit, &id);
    assert_eq!(t.status(), 200, "{}", t.json);
    let at = t.get("access_token").unwrap().to_owned();
    // Nor revoke what it issued.
    expect(&poll_as(&mut kit, "two", &id), 400, "invalid_grant");
    assert!(kit.store.access_token(&at, kit.now).is_some());
}

#[test]
fn ciba_auth_req_id_missing_is_invalid_request() {
    let mut kit = kit();
    start(&mut kit);
    let t = kit.post_token(&[("grant_type", CIBA)], Some(&auth("one")));
    expect(&t, 400, "invalid_request");
    let t = kit.post_token(
        &[("grant_type", CIBA), ("auth_req_id", "")],
        Some(&auth("one")),
    );
    expect(&t, 400, "invalid_request");
}

#[test]
fn ciba_grant_not_registered_is_unauthorized_client() {
    let mut kit = kit();
    let id = start(&mut kit);
    let t = kit.post_token(
        &[("grant_type", CIBA), ("auth_req_id", &id)],
        Some(&basic("cc", "s-cc")),
    );
    expect(&t, 400, "unauthorized_client");
}

#[test]
fn ciba_grant_wrong_client_secret_is_invalid_client() {
    let mut kit = kit();
    let id = start(&mut kit);
    kit.approve(&id);
    let t = kit.post_token(
        &[("grant_type", CIBA), ("auth_req_id", &id)],
        Some(&basic("one", "nope")),
    );
    expect(&t, 401, "invalid_client");
    assert_eq!(
        poll(&mut kit, &id).status(),
        200,
        "not consumed by the refused request"
    );
}

// ---------------------------------------------------------------------------------------
// Tokens (section 10.1.1).

#[test]
fn ciba_tokens_on_approval_with_id_token_claims() {
    let mut kit = kit();
    let id = start(&mut kit);
    kit.advance(7);
    let approved_at = kit.now;
    kit.approve(&id);
    kit.advance(4);
    let t = poll(&mut kit, &id);
    assert_eq!(t.status(), 200, "{}", t.json);
    assert_eq!(t.get("token_type"), Some("Bearer"));
    assert_eq!(t.json["expires_in"], 3600);
    assert_eq!(t.get("scope"), Some("openid profile"));
    assert_eq!(t.header("Cache-Control"), Some("no-store"));
    let claims = id_token_claims(&kit, &t);
    assert_eq!(claims[AUTH_REQ_ID_CLAIM], id.as_str());
    assert_eq!(claims["sub"], "alice-sub");
    assert_eq!(claims["aud"], "one");
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["auth_time"], approved_at);
    assert_eq!(claims["acr"], "urn:example:acr:device");
    assert_eq!(claims["amr"], json!(["hwk"]));
    assert_eq!(claims["iat"], kit.now);
    assert!(claims.get("at_hash").is_some());
    assert!(claims.get("nonce").is_none());
    let at = t.get("access_token").unwrap();
    let rec = kit.store.access_token(at, kit.now).unwrap();
    assert_eq!(rec.sub.as_deref(), Some("alice-sub"));
    assert_eq!(rec.client_id, "one");
    assert_eq!(rec.grant_type, CIBA);
    assert_eq!(rec.grant_id, kit.started[0].1.grant_id);
}

#[test]
fn ciba_refresh_token_only_when_registered_for_refresh_token() {
    let mut kit = kit();
    let id = start(&mut kit);
    kit.approve(&id);
    let t = poll(&mut kit, &id);
    let rt = t.get("refresh_token").unwrap().to_owned();
    assert!(kit.store.refresh_token_active(&rt, kit.now));
    // It works at the refresh grant, for the same user.
    let r = kit.post_token(
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
        Some(&auth("one")),
    );
    assert_eq!(r.status(), 200, "{}", r.json);
    assert_eq!(id_token_claims(&kit, &r)["sub"], "alice-sub");

    let id = start_as(&mut kit, "two", &[]);
    kit.approve(&id);
    let t = poll_as(&mut kit, "two", &id);
    assert_eq!(t.status(), 200, "{}", t.json);
    assert!(t.get("refresh_token").is_none());
}

#[test]
fn ciba_auth_req_id_single_use_revokes() {
    let mut kit = kit();
    let id = start(&mut kit);
    kit.approve(&id);
    let t = poll(&mut kit, &id);
    assert_eq!(t.status(), 200);
    let at = t.get("access_token").unwrap().to_owned();
    let rt = t.get("refresh_token").unwrap().to_owned();
    assert!(kit.store.access_token(&at, kit.now).is_some());
    kit.advance(5);
    expect(&poll(&mut kit, &id), 400, "invalid_grant");
    assert!(
        kit.store.access_token(&at, kit.now).is_none(),
        "the first access token is revoked"
    );
    assert!(
        !kit.store.refresh_token_active(&rt, kit.now),
        "and its refresh token"
    );
    kit.advance(5);
    expect(&poll(&mut kit, &id), 400, "invalid_grant");
}

#[test]
fn ciba_redemption_replay_after_expiry_still_revokes() {
    // Tokens issued just before the request's expiry outlive it; a replay of the
    // auth_req_id after the expiry is as suspicious as one before, and must not be a way
    // around the revocation.
    let mut kit = kit();
    let id = start_as(&mut kit, "one", &[("requested_expiry", "10")]);
    kit.approve(&id);
    kit.advance(9);
    let t = poll(&mut kit, &id);
    assert_eq!(t.status(), 200, "{}", t.json);
    let at = t.get("access_token").unwrap().to_owned();
    kit.advance(5);
    let again = poll(&mut kit, &id);
    assert!(again.get("access_token").is_none());
    assert!(
        kit.store.access_token(&at, kit.now).is_none(),
        "a replayed auth_req_id ({:?}) left the first tokens alive",
        again.error()
    );
}

// ---------------------------------------------------------------------------------------
// HID `ciba_delete`.

#[test]
fn ciba_delete_pending_request() {
    let mut kit = kit();
    let id = start(&mut kit);
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    let d = delete_as(&mut kit, "one", &id);
    assert_eq!(d.status(), 200, "{}", d.json);
    assert_eq!(d.json, json!({}));
    assert!(record(&kit, &id).is_none());
    kit.advance(5);
    expect(&poll(&mut kit, &id), 400, "invalid_grant");
    expect(&delete_as(&mut kit, "one", &id), 400, "invalid_grant");
}

#[test]
fn ciba_delete_another_clients_request_is_invalid_grant() {
    let mut kit = kit();
    let id = start(&mut kit);
    expect(&delete_as(&mut kit, "two", &id), 400, "invalid_grant");
    assert_eq!(record(&kit, &id).unwrap().status, CibaStatus::Pending);
    kit.approve(&id);
    assert_eq!(poll(&mut kit, &id).status(), 200);
}

#[test]
fn ciba_delete_decided_request_is_invalid_grant() {
    let mut kit = kit();
    let approved = start(&mut kit);
    kit.approve(&approved);
    expect(&delete_as(&mut kit, "one", &approved), 400, "invalid_grant");
    assert_eq!(poll(&mut kit, &approved).status(), 200, "still redeemable");
    expect(&delete_as(&mut kit, "one", &approved), 400, "invalid_grant");

    let denied = start(&mut kit);
    kit.deny(&denied);
    expect(&delete_as(&mut kit, "one", &denied), 400, "invalid_grant");
    expect(&poll(&mut kit, &denied), 400, "access_denied");
}

#[test]
fn ciba_delete_expired_or_unknown_request_is_invalid_grant() {
    let mut kit = kit();
    let id = start_as(&mut kit, "one", &[("requested_expiry", "10")]);
    kit.advance(10);
    expect(&delete_as(&mut kit, "one", &id), 400, "invalid_grant");
    expect(
        &delete_as(&mut kit, "one", "no-such-id"),
        400,
        "invalid_grant",
    );
    let d = kit.post_token(&[("grant_type", "ciba_delete")], Some(&auth("one")));
    expect(&d, 400, "invalid_request");
}

#[test]
fn ciba_delete_needs_the_grant_registration() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "three", "client_secret": "s-three",
        "grant_types": [CIBA], "scope": "openid profile",
        "backchannel_token_delivery_mode": "poll",
    }));
    let id = start_as(&mut kit, "three", &[]);
    expect(
        &delete_as(&mut kit, "three", &id),
        400,
        "unauthorized_client",
    );
    assert_eq!(record(&kit, &id).unwrap().status, CibaStatus::Pending);
    let d = kit.post_token(
        &[("grant_type", "ciba_delete"), ("auth_req_id", &id)],
        Some(&basic("three", "wrong")),
    );
    expect(&d, 401, "invalid_client");
}

// ---------------------------------------------------------------------------------------
// Host failures.

#[test]
fn ciba_backchannel_host_failures_are_5xx_and_start_nothing() {
    for step in [
        "lookup_client",
        "resolve_user",
        "persist",
        "start_authentication",
    ] {
        for (error, status, code) in [
            (HostError::Unavailable, 503, "temporarily_unavailable"),
            (HostError::Internal, 500, "server_error"),
        ] {
            let mut kit = kit();
            kit.fail_step = Some((step, error));
            let r = kit.post_ciba(
                &[("scope", "openid"), ("login_hint", "alice")],
                Some(&auth("one")),
            );
            assert_eq!(
                (r.status(), r.error()),
                (status, Some(code)),
                "{step}: {}",
                r.json
            );
            assert!(r.get("auth_req_id").is_none(), "{step}");
            assert!(kit.started.is_empty(), "{step}");
            assert!(kit.steps.contains(&step), "{step} was asked");
            if status == 503 {
                assert_eq!(r.header("Retry-After"), Some("1"));
            }
        }
    }
}

#[test]
fn ciba_backchannel_replay_check_failure_is_5xx() {
    let mut kit = kit();
    let key = jwt_verify::SigningKey::generate_es256(&[5; 32]).unwrap();
    kit.register(json!({
        "client_id": "pk", "token_endpoint_auth_method": "private_key_jwt",
        "jwks": { "keys": [key.verifying_key().unwrap().public_jwk().unwrap()] },
        "grant_types": [CIBA], "scope": "openid",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.fail_step = Some(("check_replay", HostError::Unavailable));
    let backchannel = kit.config.endpoints.backchannel.clone();
    let a = kit.assertion(&key, "pk", Some(&backchannel));
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_assertion_type", oauth_core::auth::JWT_BEARER),
            ("client_assertion", &a),
        ],
        None,
    );
    assert_eq!(
        (r.status(), r.error()),
        (503, Some("temporarily_unavailable"))
    );
    assert!(kit.started.is_empty());
}

#[test]
fn ciba_grant_host_failures_are_5xx_and_issue_nothing() {
    for step in ["lookup_client", "load_ciba", "take_ciba", "sign", "persist"] {
        for (error, status) in [(HostError::Unavailable, 503), (HostError::Internal, 500)] {
            let mut kit = kit();
            let id = start(&mut kit);
            kit.approve(&id);
            kit.fail_step = Some((step, error));
            let t = poll(&mut kit, &id);
            assert_eq!(t.status(), status, "{step}: {}", t.json);
            assert!(t.error().is_some());
            assert!(t.get("access_token").is_none() && t.get("id_token").is_none());
            assert_eq!(
                kit.store.access_tokens_of(&kit.started[0].1.grant_id),
                0,
                "{step}: nothing issued"
            );
        }
    }
}

#[test]
fn ciba_grant_take_failure_leaves_the_request_redeemable() {
    let mut kit = kit();
    let id = start(&mut kit);
    kit.approve(&id);
    kit.fail_step = Some(("take_ciba", HostError::Unavailable));
    assert_eq!(poll(&mut kit, &id).status(), 503);
    kit.fail_step = None;
    assert_eq!(poll(&mut kit, &id).status(), 200);
}

#[test]
fn ciba_grant_update_failure_on_poll_is_5xx() {
    let mut kit = kit();
    let id = start(&mut kit);
    kit.fail_step = Some(("update_ciba", HostError::Internal));
    let t = poll(&mut kit, &id);
    assert_eq!((t.status(), t.error()), (500, Some("server_error")));
    assert_eq!(record(&kit, &id).unwrap().last_poll, None);
    // And for ciba_delete, which stays undone.
    kit.fail_step = Some(("update_ciba", HostError::Unavailable));
    assert_eq!(delete_as(&mut kit, "one", &id).status(), 503);
    assert!(record(&kit, &id).is_some());
}

#[test]
fn ciba_grant_revoke_failure_on_replay_is_5xx() {
    let mut kit = kit();
    let id = start(&mut kit);
    kit.approve(&id);
    assert_eq!(poll(&mut kit, &id).status(), 200);
    kit.fail_step = Some(("revoke", HostError::Unavailable));
    let t = poll(&mut kit, &id);
    assert_eq!(
        (t.status(), t.error()),
        (503, Some("temporarily_unavailable"))
    );
    assert!(t.get("access_token").is_none());
}

// ---------------------------------------------------------------------------------------
// Concurrent requests, driven step by step.

/// Answers the steps of a token request from the kit until it asks to update the CIBA
/// record, and returns that step.
fn until_update<'a>(kit: &mut TestKit, mut step: TokenStep<'a>) -> UpdateCiba<'a> {
    loop {
        step = match step {
            TokenStep::LookupClient(s) => {
                let c = kit.client(s.client_id()).unwrap();
                s.resume(c)
            }
            TokenStep::LoadCiba(s) => {
                let r = kit.load_ciba(s.hash(), s.now()).unwrap();
                s.resume(r)
            }
            TokenStep::UpdateCiba(s) => return s,
            _ => panic!("unexpected step before the update"),
        };
    }
}

fn apply(kit: &mut TestKit, s: UpdateCiba<'_>) -> Reply {
    let result = kit.update_ciba(s.hash(), s.update(), s.now()).unwrap();
    Reply::from(drive::drive_token(s.resume(result), kit))
}

#[test]
fn ciba_concurrent_polls_do_not_lose_slow_down() {
    // CibaUpdate promises that concurrent polls lose no update. Two polls of one request
    // overlap: B (sent at t0+4) is too fast and is told slow_down; A (sent at t0+5) is on
    // time. Both read the record before either writes. Whatever order the writes land in,
    // the interval B announced (10) must hold from then on.
    let mut kit = kit();
    let id = start(&mut kit);
    let t0 = kit.now;
    expect(&poll(&mut kit, &id), 400, "authorization_pending");
    let config = kit.config.clone();
    let body = encode_form(&[("grant_type", CIBA), ("auth_req_id", &id)]);
    let a = auth("one");
    let request = HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .header("Authorization", a.as_bytes());
    let step_a = TokenEndpoint::start(
        &config,
        &request,
        Context {
            now: t0 + 5,
            seed: [1; 32],
        },
    );
    let step_b = TokenEndpoint::start(
        &config,
        &request,
        Context {
            now: t0 + 4,
            seed: [2; 32],
        },
    );
    let upd_a = until_update(&mut kit, step_a);
    let upd_b = until_update(&mut kit, step_b);
    kit.now = t0 + 5;
    expect(&apply(&mut kit, upd_b), 400, "slow_down");
    expect(&apply(&mut kit, upd_a), 400, "authorization_pending");
    assert_eq!(
        record(&kit, &id).unwrap().interval,
        10,
        "the slow_down's interval growth was overwritten by a concurrent poll"
    );
    kit.advance(6);
    expect(&poll(&mut kit, &id), 400, "slow_down");
}

#[test]
fn ciba_concurrent_redemptions_issue_tokens_once() {
    let mut kit = kit();
    let id = start(&mut kit);
    kit.approve(&id);
    let config = kit.config.clone();
    let body = encode_form(&[("grant_type", CIBA), ("auth_req_id", &id)]);
    let a = auth("one");
    let request = HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .header("Authorization", a.as_bytes());
    let now = kit.now;
    // Both load the approved record before either takes it.
    let mut loaded = Vec::new();
    for seed in [[3; 32], [4; 32]] {
        let mut step = TokenEndpoint::start(&config, &request, Context { now, seed });
        loop {
            step = match step {
                TokenStep::LookupClient(s) => {
                    let c = kit.client(s.client_id()).unwrap();
                    s.resume(c)
                }
                TokenStep::LoadCiba(s) => {
                    let r = kit.load_ciba(s.hash(), s.now()).unwrap();
                    s.resume(r)
                }
                TokenStep::TakeCiba(s) => {
                    loaded.push(s);
                    break;
                }
                _ => panic!("unexpected step before the take"),
            };
        }
    }
    let replies: Vec<Reply> = loaded
        .into_iter()
        .map(|s| {
            let taken = kit.take_ciba(s.hash(), s.now()).unwrap();
            Reply::from(drive::drive_token(s.resume(taken), &mut kit))
        })
        .collect();
    let ok = replies.iter().filter(|r| r.status() == 200).count();
    assert_eq!(ok, 1, "exactly one redemption succeeds");
    assert!(replies.iter().any(|r| r.error() == Some("invalid_grant")));
}
