#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The device's decision on a backchannel request (CIBA sections 5 and 10.2): approve,
//! deny, the outcomes for unknown, decided, expired and mismatched requests, and the ping
//! notification.

use oauth_core::HostError;
use oauth_core::ciba::{CibaStatus, Decision, DecisionOutcome, DecisionStep};
use oauth_core::drive::{self, Backend};
use oauth_core::records::Subject;
use oauth_testkit::{Reply, TestKit, basic};
use serde_json::json;

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const PING_TOKEN: &str = "8d67dc78-7faa-4d41-aabd-67707b374255";
const RECORDED: DecisionOutcome = DecisionOutcome::Recorded { notified: None };

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "poller", "client_secret": "s-poll",
        "grant_types": [CIBA, "refresh_token", "ciba_delete"], "scope": "openid profile",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.register(json!({
        "client_id": "pinger", "client_secret": "s-ping",
        "grant_types": [CIBA], "scope": "openid profile",
        "backchannel_token_delivery_mode": "ping",
        "backchannel_client_notification_endpoint": "https://client.example/ciba-cb",
    }));
    kit.add_user("alice", "pw", "alice-sub");
    kit.add_user("bob", "pw", "bob-sub");
    kit
}

fn start(kit: &mut TestKit, extra: &[(&str, &str)]) -> String {
    let mut form = vec![("scope", "openid profile"), ("login_hint", "alice")];
    form.extend_from_slice(extra);
    let r = kit.post_ciba(&form, Some(&basic("poller", "s-poll")));
    assert_eq!(r.status(), 200, "{}", r.json);
    r.get("auth_req_id").unwrap().to_owned()
}

fn start_ping(kit: &mut TestKit) -> String {
    let r = kit.post_ciba(
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("client_notification_token", PING_TOKEN),
        ],
        Some(&basic("pinger", "s-ping")),
    );
    assert_eq!(r.status(), 200, "{}", r.json);
    r.get("auth_req_id").unwrap().to_owned()
}

fn poll(kit: &mut TestKit, id: &str) -> Reply {
    kit.post_token(
        &[("grant_type", CIBA), ("auth_req_id", id)],
        Some(&basic("poller", "s-poll")),
    )
}

fn poll_ping(kit: &mut TestKit, id: &str) -> Reply {
    kit.post_token(
        &[("grant_type", CIBA), ("auth_req_id", id)],
        Some(&basic("pinger", "s-ping")),
    )
}

fn status_of(kit: &TestKit, id: &str) -> Option<CibaStatus> {
    kit.store
        .load_ciba(&oauth_core::secret::TokenHash::of(id), kit.now)
        .map(|r| r.status)
}

fn approve_as(kit: &mut TestKit, id: &str, sub: &str) -> DecisionOutcome {
    let subject = Subject {
        sub: sub.to_owned(),
        auth_time: Some(kit.now),
        acr: None,
        amr: Vec::new(),
    };
    let now = kit.now;
    drive::drive_decision(Decision::approve(id, subject, now), kit)
}

#[test]
fn ciba_approve_then_poll_gives_tokens() {
    let mut kit = kit();
    let id = start(&mut kit, &[]);
    kit.advance(3);
    assert_eq!(kit.approve(&id), RECORDED);
    assert!(matches!(status_of(&kit, &id), Some(CibaStatus::Approved(s)) if s.sub == "alice-sub"));
    kit.advance(2);
    let t = poll(&mut kit, &id);
    assert_eq!(t.status(), 200, "{}", t.json);
    assert_eq!(t.get("token_type"), Some("Bearer"));
    assert!(t.get("access_token").is_some() && t.get("id_token").is_some());
    assert!(kit.notifications.is_empty(), "poll mode notifies nobody");
}

#[test]
fn ciba_deny_then_poll_is_access_denied() {
    let mut kit = kit();
    let id = start(&mut kit, &[]);
    assert_eq!(kit.deny(&id), RECORDED);
    assert_eq!(status_of(&kit, &id), Some(CibaStatus::Denied));
    let t = poll(&mut kit, &id);
    assert_eq!(
        (t.status(), t.error()),
        (400, Some("access_denied")),
        "{}",
        t.json
    );
    assert!(t.get("access_token").is_none());
    kit.advance(10);
    let t = poll(&mut kit, &id);
    assert_eq!(
        t.error(),
        Some("access_denied"),
        "still denied, never tokens"
    );
}

#[test]
fn ciba_decision_for_unknown_request_is_unknown_request() {
    let mut kit = kit();
    start(&mut kit, &[]);
    assert_eq!(
        kit.approve("no-such-request"),
        DecisionOutcome::UnknownRequest
    );
    assert_eq!(kit.deny("no-such-request"), DecisionOutcome::UnknownRequest);
    assert_eq!(
        approve_as(&mut kit, "no-such-request", "alice-sub"),
        DecisionOutcome::UnknownRequest
    );
}

#[test]
fn ciba_deciding_twice_is_already_decided() {
    let mut kit = kit();
    let id = start(&mut kit, &[]);
    assert_eq!(kit.approve(&id), RECORDED);
    assert_eq!(kit.approve(&id), DecisionOutcome::AlreadyDecided);
    assert_eq!(kit.deny(&id), DecisionOutcome::AlreadyDecided);
    assert!(
        matches!(status_of(&kit, &id), Some(CibaStatus::Approved(_))),
        "the first decision stands"
    );

    let id = start(&mut kit, &[]);
    assert_eq!(kit.deny(&id), RECORDED);
    assert_eq!(kit.approve(&id), DecisionOutcome::AlreadyDecided);
    assert_eq!(kit.deny(&id), DecisionOutcome::AlreadyDecided);
    assert_eq!(status_of(&kit, &id), Some(CibaStatus::Denied));
    assert_eq!(poll(&mut kit, &id).error(), Some("access_denied"));
}

#[test]
fn ciba_deciding_after_redemption_is_already_decided() {
    let mut kit = kit();
    let id = start(&mut kit, &[]);
    kit.approve(&id);
    assert_eq!(poll(&mut kit, &id).status(), 200);
    assert_eq!(kit.approve(&id), DecisionOutcome::AlreadyDecided);
    assert_eq!(kit.deny(&id), DecisionOutcome::AlreadyDecided);
}

#[test]
fn ciba_deciding_after_expiry_is_expired() {
    let mut kit = kit();
    let id = start(&mut kit, &[("requested_expiry", "10")]);
    kit.advance(9);
    let late = start(&mut kit, &[("requested_expiry", "10")]);
    kit.advance(1);
    // Exactly at `expires_in` the request has expired.
    assert_eq!(kit.approve(&id), DecisionOutcome::Expired);
    assert_eq!(kit.deny(&id), DecisionOutcome::Expired);
    kit.advance(10);
    assert_eq!(kit.approve(&late), DecisionOutcome::Expired);
    assert_eq!(status_of(&kit, &id), Some(CibaStatus::Pending));
    assert_eq!(poll(&mut kit, &id).error(), Some("expired_token"));
}

#[test]
fn ciba_approving_as_a_different_user_is_wrong_user() {
    let mut kit = kit();
    let id = start(&mut kit, &[]);
    assert_eq!(
        approve_as(&mut kit, &id, "bob-sub"),
        DecisionOutcome::WrongUser
    );
    assert_eq!(status_of(&kit, &id), Some(CibaStatus::Pending));
    assert_eq!(poll(&mut kit, &id).error(), Some("authorization_pending"));
    // The right user still can.
    assert_eq!(approve_as(&mut kit, &id, "alice-sub"), RECORDED);
    kit.advance(5);
    let t = poll(&mut kit, &id);
    assert_eq!(t.status(), 200, "{}", t.json);
}

#[test]
fn ciba_decision_after_deletion_is_unknown_request() {
    let mut kit = kit();
    let id = start(&mut kit, &[]);
    let d = kit.post_token(
        &[("grant_type", "ciba_delete"), ("auth_req_id", &id)],
        Some(&basic("poller", "s-poll")),
    );
    assert_eq!(d.status(), 200, "{}", d.json);
    assert_eq!(kit.approve(&id), DecisionOutcome::UnknownRequest);
}

#[test]
fn ciba_ping_approval_notifies_the_client() {
    let mut kit = kit();
    let id = start_ping(&mut kit);
    assert!(kit.notifications.is_empty());
    assert_eq!(
        kit.approve(&id),
        DecisionOutcome::Recorded {
            notified: Some(true)
        }
    );
    assert_eq!(kit.notifications.len(), 1);
    let (client, bearer, body) = &kit.notifications[0];
    assert_eq!(client, "pinger");
    assert_eq!(bearer, PING_TOKEN);
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body, json!({ "auth_req_id": id }));
    let t = poll_ping(&mut kit, &id);
    assert_eq!(t.status(), 200, "{}", t.json);
    assert!(t.get("access_token").is_some());
}

#[test]
fn ciba_ping_denial_notifies_the_client() {
    let mut kit = kit();
    let id = start_ping(&mut kit);
    assert_eq!(
        kit.deny(&id),
        DecisionOutcome::Recorded {
            notified: Some(true)
        }
    );
    assert_eq!(
        kit.notifications,
        vec![(
            "pinger".to_owned(),
            PING_TOKEN.to_owned(),
            json!({ "auth_req_id": id }).to_string()
        )]
    );
    assert_eq!(poll_ping(&mut kit, &id).error(), Some("access_denied"));
}

#[test]
fn ciba_ping_unacknowledged_notification_still_lets_the_client_poll() {
    let mut kit = kit();
    kit.notify_ok = false;
    let id = start_ping(&mut kit);
    assert_eq!(
        kit.approve(&id),
        DecisionOutcome::Recorded {
            notified: Some(false)
        }
    );
    assert_eq!(kit.notifications.len(), 1);
    let t = poll_ping(&mut kit, &id);
    assert_eq!(t.status(), 200, "{}", t.json);
    assert!(t.get("id_token").is_some());
}

#[test]
fn ciba_ping_failed_decision_sends_no_notification() {
    let mut kit = kit();
    let id = start_ping(&mut kit);
    kit.approve(&id);
    assert_eq!(kit.notifications.len(), 1);
    assert_eq!(kit.approve(&id), DecisionOutcome::AlreadyDecided);
    assert_eq!(kit.deny("unknown"), DecisionOutcome::UnknownRequest);
    assert_eq!(
        kit.notifications.len(),
        1,
        "only a recorded decision notifies"
    );
}

#[test]
fn ciba_decision_host_failures_record_nothing() {
    let mut kit = kit();
    let id = start_ping(&mut kit);
    kit.fail_step = Some(("load_ciba", HostError::Unavailable));
    assert_eq!(
        kit.approve(&id),
        DecisionOutcome::HostFailure(HostError::Unavailable)
    );
    kit.fail_step = Some(("update_ciba", HostError::Internal));
    assert_eq!(
        kit.deny(&id),
        DecisionOutcome::HostFailure(HostError::Internal)
    );
    assert_eq!(status_of(&kit, &id), Some(CibaStatus::Pending));
    assert!(
        kit.notifications.is_empty(),
        "no notification without a recorded decision"
    );
    kit.fail_step = None;
    assert_eq!(
        kit.approve(&id),
        DecisionOutcome::Recorded {
            notified: Some(true)
        }
    );
}

#[test]
fn ciba_decision_steps_name_the_request() {
    // The steps expose the store key and time the host needs, and the update is a
    // conditional decision.
    let mut kit = kit();
    let id = start(&mut kit, &[]);
    let hash = oauth_core::secret::TokenHash::of(&id);
    let now = kit.now;
    let DecisionStep::LoadRequest(load) = Decision::deny(&id, now) else {
        panic!("first step loads the request");
    };
    assert_eq!(load.hash(), &hash);
    assert_eq!(load.now(), now);
    let record = kit.load_ciba(load.hash(), load.now()).unwrap();
    let DecisionStep::RecordDecision(rec) = load.resume(record) else {
        panic!("then records the decision");
    };
    assert_eq!(rec.hash(), &hash);
    assert_eq!(
        rec.update(),
        &oauth_core::ciba::CibaUpdate::Decide(CibaStatus::Denied)
    );
    // Another decision lands first: the conditional update is not applied.
    assert_eq!(kit.approve(&id), RECORDED);
    let result = kit
        .update_ciba(rec.hash(), rec.update(), rec.now())
        .unwrap();
    let DecisionStep::Done(outcome) = rec.resume(result) else {
        panic!("done");
    };
    assert_eq!(outcome, DecisionOutcome::AlreadyDecided);
    assert!(matches!(
        status_of(&kit, &id),
        Some(CibaStatus::Approved(_))
    ));
}
