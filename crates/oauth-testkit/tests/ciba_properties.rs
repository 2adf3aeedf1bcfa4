#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Random interleavings of CIBA operations over several concurrent requests of two
//! clients, checked against a simple model after every operation: start a request, poll
//! it (by its owner or by the other client), approve, deny, delete, let time pass.

use oauth_core::ciba::{CibaStatus, DecisionOutcome, RETAIN_AFTER_EXPIRY};
use oauth_core::secret::TokenHash;
use oauth_testkit::{Reply, TestKit, basic};
use proptest::prelude::*;
use serde_json::json;

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const CLIENTS: [(&str, &str); 2] = [("c0", "s-c0"), ("c1", "s-c1")];
const INTERVAL: u64 = 5;
const SLOW_DOWN_STEP: u64 = 5;
const MAX_EXPIRES_IN: u64 = 600;
const DEFAULT_EXPIRES_IN: u64 = 120;

#[derive(Debug, Clone)]
enum Op {
    Start { client: usize, expiry: Option<u64> },
    Poll { req: usize, by_owner: bool },
    Approve { req: usize },
    Deny { req: usize },
    Delete { req: usize, by_owner: bool },
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..2usize, prop_oneof![Just(None), (1u64..=60).prop_map(Some)])
            .prop_map(|(client, expiry)| Op::Start { client, expiry }),
        6 => (any::<usize>(), prop::bool::weighted(0.8))
            .prop_map(|(req, by_owner)| Op::Poll { req, by_owner }),
        2 => any::<usize>().prop_map(|req| Op::Approve { req }),
        1 => any::<usize>().prop_map(|req| Op::Deny { req }),
        1 => (any::<usize>(), prop::bool::weighted(0.7))
            .prop_map(|(req, by_owner)| Op::Delete { req, by_owner }),
        4 => (0u64..=15).prop_map(Op::Advance),
    ]
}

/// Where a request stands, in the model.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Pending,
    Approved,
    Denied,
    Deleted,
    /// Tokens were issued; `revoked` once a replay revoked them.
    Redeemed {
        access_token: String,
        refresh_token: String,
        revoked: bool,
    },
}

#[derive(Debug, Clone)]
struct Req {
    id: String,
    owner: usize,
    expires_at: u64,
    interval: u64,
    last_poll: Option<u64>,
    state: State,
    successes: usize,
}

impl Req {
    fn forgotten(&self, now: u64) -> bool {
        now >= self.expires_at + RETAIN_AFTER_EXPIRY
    }
    fn expired(&self, now: u64) -> bool {
        now >= self.expires_at
    }
}

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    for (id, secret) in CLIENTS {
        kit.register(json!({
            "client_id": id, "client_secret": secret,
            "grant_types": [CIBA, "refresh_token", "ciba_delete"], "scope": "openid profile",
            "backchannel_token_delivery_mode": "poll",
        }));
    }
    kit.add_user("alice", "pw", "alice-sub");
    assert_eq!(kit.config.ciba.interval, INTERVAL);
    assert_eq!(kit.config.ciba.max_expires_in, MAX_EXPIRES_IN);
    assert_eq!(kit.config.ciba.expires_in, DEFAULT_EXPIRES_IN);
    kit
}

fn auth(client: usize) -> String {
    let (id, secret) = CLIENTS[client];
    basic(id, secret)
}

fn token_request(kit: &mut TestKit, grant: &str, id: &str, client: usize) -> Reply {
    let a = auth(client);
    kit.post_token(&[("grant_type", grant), ("auth_req_id", id)], Some(&a))
}

fn error_of(r: &Reply) -> (u16, Option<String>) {
    (r.status(), r.error().map(str::to_owned))
}

fn err(code: &str) -> (u16, Option<String>) {
    (400, Some(code.to_owned()))
}

/// Runs one operation against the kit and the model, and checks the answer.
fn step(kit: &mut TestKit, reqs: &mut Vec<Req>, op: &Op) {
    let now = kit.now;
    match op {
        Op::Start { client, expiry } => {
            let expiry_s = expiry.map(|e| e.to_string());
            let mut form = vec![("scope", "openid profile"), ("login_hint", "alice")];
            if let Some(e) = &expiry_s {
                form.push(("requested_expiry", e));
            }
            let a = auth(*client);
            let r = kit.post_ciba(&form, Some(&a));
            assert_eq!(r.status(), 200, "{}", r.json);
            let expires_in = expiry.map_or(DEFAULT_EXPIRES_IN, |e| e.min(MAX_EXPIRES_IN));
            assert_eq!(r.json["expires_in"], expires_in);
            assert_eq!(r.json["interval"], INTERVAL);
            let id = r.get("auth_req_id").unwrap().to_owned();
            assert!(reqs.iter().all(|q| q.id != id), "auth_req_id repeated");
            reqs.push(Req {
                id,
                owner: *client,
                expires_at: now + expires_in,
                interval: INTERVAL,
                last_poll: None,
                state: State::Pending,
                successes: 0,
            });
        }
        Op::Poll { req, by_owner } => {
            if reqs.is_empty() {
                return;
            }
            let n = reqs.len();
            let q = &mut reqs[req % n];
            let client = if *by_owner { q.owner } else { 1 - q.owner };
            let r = token_request(kit, CIBA, &q.id, client);
            if !*by_owner {
                // The other client always gets invalid_grant, and its poll changes
                // nothing.
                assert_eq!(
                    error_of(&r),
                    err("invalid_grant"),
                    "other client: {}",
                    r.json
                );
                return;
            }
            if r.status() == 200 {
                assert!(
                    q.state == State::Approved && !q.expired(now) && !q.forgotten(now),
                    "tokens for a request in state {:?} (expired: {}): {}",
                    q.state,
                    q.expired(now),
                    r.json
                );
                q.successes += 1;
                assert_eq!(q.successes, 1, "two successful token responses");
                let at = r.get("access_token").unwrap().to_owned();
                let rt = r.get("refresh_token").unwrap().to_owned();
                assert!(r.get("id_token").is_some());
                q.state = State::Redeemed {
                    access_token: at,
                    refresh_token: rt,
                    revoked: false,
                };
                return;
            }
            assert!(r.get("access_token").is_none());
            let got = error_of(&r);
            let want = if q.forgotten(now) || q.state == State::Deleted {
                err("invalid_grant")
            } else if let State::Redeemed { revoked, .. } = &mut q.state {
                // A redemption replayed, even after expiry, revokes the first's tokens.
                *revoked = true;
                err("invalid_grant")
            } else if q.expired(now) {
                err("expired_token")
            } else {
                match &mut q.state {
                    State::Denied => err("access_denied"),
                    State::Approved => panic!("approved, unexpired request refused: {}", r.json),
                    State::Redeemed { revoked, .. } => {
                        *revoked = true;
                        err("invalid_grant")
                    }
                    State::Deleted => unreachable!(),
                    State::Pending => {
                        let too_soon = q.last_poll.is_some_and(|last| now < last + q.interval);
                        q.last_poll = Some(now);
                        if too_soon {
                            q.interval += SLOW_DOWN_STEP;
                            err("slow_down")
                        } else {
                            err("authorization_pending")
                        }
                    }
                }
            };
            assert_eq!(got, want, "poll of {q:?} at {now}: {}", r.json);
        }
        Op::Approve { req } | Op::Deny { req } => {
            if reqs.is_empty() {
                return;
            }
            let n = reqs.len();
            let q = &mut reqs[req % n];
            let approve = matches!(op, Op::Approve { .. });
            let outcome = if approve {
                kit.approve(&q.id)
            } else {
                kit.deny(&q.id)
            };
            let want = if q.forgotten(now) || q.state == State::Deleted {
                DecisionOutcome::UnknownRequest
            } else if q.expired(now) {
                DecisionOutcome::Expired
            } else if q.state != State::Pending {
                DecisionOutcome::AlreadyDecided
            } else {
                q.state = if approve {
                    State::Approved
                } else {
                    State::Denied
                };
                DecisionOutcome::Recorded { notified: None }
            };
            assert_eq!(outcome, want, "decision on {q:?} at {now}");
        }
        Op::Delete { req, by_owner } => {
            if reqs.is_empty() {
                return;
            }
            let n = reqs.len();
            let q = &mut reqs[req % n];
            let client = if *by_owner { q.owner } else { 1 - q.owner };
            let r = token_request(kit, "ciba_delete", &q.id, client);
            let deletable =
                *by_owner && q.state == State::Pending && !q.expired(now) && !q.forgotten(now);
            if deletable {
                assert_eq!(r.status(), 200, "delete of {q:?}: {}", r.json);
                assert_eq!(r.json, json!({}));
                q.state = State::Deleted;
            } else {
                assert_eq!(
                    error_of(&r),
                    err("invalid_grant"),
                    "delete of {q:?} by owner {by_owner}: {}",
                    r.json
                );
            }
        }
        Op::Advance(s) => kit.advance(*s),
    }
}

/// The store agrees with the model, and issued tokens live exactly until a replay.
fn check_store(kit: &TestKit, reqs: &[Req]) {
    let now = kit.now;
    for q in reqs {
        let stored = kit.store.load_ciba(&TokenHash::of(&q.id), now);
        if q.state == State::Deleted || q.forgotten(now) {
            assert!(stored.is_none(), "{q:?} still stored");
        } else {
            let r = stored.unwrap_or_else(|| panic!("{q:?} lost"));
            assert_eq!(r.interval, q.interval, "{q:?}");
            assert_eq!(r.last_poll, q.last_poll, "{q:?}");
            assert_eq!(r.expires_at, q.expires_at, "{q:?}");
            assert_eq!(r.client_id, CLIENTS[q.owner].0);
            let status_ok = match &q.state {
                State::Pending => r.status == CibaStatus::Pending,
                State::Denied => r.status == CibaStatus::Denied,
                State::Approved | State::Redeemed { .. } => {
                    matches!(&r.status, CibaStatus::Approved(s) if s.sub == "alice-sub")
                }
                State::Deleted => false,
            };
            assert!(status_ok, "{q:?} stored as {:?}", r.status);
        }
        if let State::Redeemed {
            access_token,
            refresh_token,
            revoked,
        } = &q.state
        {
            assert_eq!(
                kit.store.access_token(access_token, now).is_some(),
                !revoked,
                "{q:?}"
            );
            assert_eq!(
                kit.store.refresh_token_active(refresh_token, now),
                !revoked,
                "{q:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn ciba_random_interleavings_follow_the_model(ops in prop::collection::vec(op(), 1..=40)) {
        let mut kit = kit();
        let mut reqs: Vec<Req> = Vec::new();
        for op in &ops {
            step(&mut kit, &mut reqs, op);
            check_store(&kit, &reqs);
        }
    }
}

/// A fixed interleaving that visits every branch of the model, so the model itself is
/// known to be exercised (and a broken model cannot pass silently).
#[test]
fn ciba_model_walkthrough() {
    let mut kit = kit();
    let mut reqs = Vec::new();
    let script = [
        Op::Start {
            client: 0,
            expiry: Some(30),
        },
        Op::Poll {
            req: 0,
            by_owner: true,
        },
        Op::Poll {
            req: 0,
            by_owner: true,
        },
        Op::Poll {
            req: 0,
            by_owner: false,
        },
        Op::Advance(10),
        Op::Poll {
            req: 0,
            by_owner: true,
        },
        Op::Approve { req: 0 },
        Op::Deny { req: 0 },
        Op::Delete {
            req: 0,
            by_owner: true,
        },
        Op::Start {
            client: 1,
            expiry: None,
        },
        Op::Deny { req: 1 },
        Op::Poll {
            req: 1,
            by_owner: true,
        },
        Op::Poll {
            req: 1,
            by_owner: false,
        },
        Op::Start {
            client: 1,
            expiry: Some(6000),
        },
        Op::Delete {
            req: 2,
            by_owner: false,
        },
        Op::Delete {
            req: 2,
            by_owner: true,
        },
        Op::Poll {
            req: 2,
            by_owner: true,
        },
        Op::Approve { req: 2 },
        Op::Poll {
            req: 0,
            by_owner: true,
        },
        Op::Poll {
            req: 0,
            by_owner: true,
        },
        Op::Advance(40),
        Op::Poll {
            req: 0,
            by_owner: true,
        },
        Op::Approve { req: 0 },
        Op::Advance(600),
        Op::Poll {
            req: 0,
            by_owner: true,
        },
    ];
    for op in &script {
        step(&mut kit, &mut reqs, op);
        check_store(&kit, &reqs);
    }
    assert!(matches!(
        reqs[0].state,
        State::Redeemed { revoked: true, .. }
    ));
    assert_eq!(reqs[0].interval, INTERVAL + SLOW_DOWN_STEP);
    assert_eq!(reqs[1].state, State::Denied);
    assert_eq!(reqs[2].state, State::Deleted);
    assert_eq!(
        reqs[2].expires_at - reqs[1].expires_at,
        MAX_EXPIRES_IN - DEFAULT_EXPIRES_IN
    );
}
