//! One suite of store duties (`oauth_hyper::Store`), run against every store: memory,
//! SQLite (a temporary file) and Redis (a private `redis-server`). Times are real (Redis
//! expires keys by its own clock); "later" is expressed by passing a later `now`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "common/redis_server.rs"]
mod redis_server;

use std::sync::Arc;

use oauth_core::auth::Replay;
use oauth_core::authorize::params::RawParams;
use oauth_core::authorize::{AuthorizationRequest, ParRecord, ResponseMode};
use oauth_core::ciba::{CibaRecord, CibaStatus, CibaUpdate, UpdateResult};
use oauth_core::client::DeliveryMode;
use oauth_core::records::{
    AccessRecord, ChallengeMethod, CodeChallenge, CodeRecord, GrantId, Record, RefreshRecord,
    Revocation, RevocationTarget, Subject, Taken, TokenInfo,
};
use oauth_core::scope::Scope;
use oauth_core::secret::TokenHash;
use oauth_core::steps::TokenTypeHint;
use oauth_hyper::config::Synchronous;
use oauth_hyper::{MemoryStore, RedisStore, SqliteStore, Store};
use redis_server::{RedisServer, TempDir};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A store under test, a second tenant's view of the same storage, and what keeps the
/// storage alive.
pub struct Fixture {
    store: Arc<dyn Store>,
    other_tenant: Arc<dyn Store>,
    _keep: Box<dyn std::any::Any + Send>,
}

mod open {
    use super::*;

    pub async fn memory(_: &str) -> Option<Fixture> {
        Some(Fixture {
            store: Arc::new(MemoryStore::default()),
            other_tenant: Arc::new(MemoryStore::default()),
            _keep: Box::new(()),
        })
    }

    pub async fn sqlite(_: &str) -> Option<Fixture> {
        let dir = TempDir::new("sqlite-conformance");
        let db = SqliteStore::open(&dir.0.join("store.sqlite3"), Synchronous::Normal).unwrap();
        Some(Fixture {
            store: Arc::new(db.for_tenant("t1")),
            other_tenant: Arc::new(db.for_tenant("t2")),
            _keep: Box::new(dir),
        })
    }

    pub async fn redis(test: &str) -> Option<Fixture> {
        let server = RedisServer::start(test)?;
        let r = RedisStore::connect(&server.url(), None).unwrap();
        r.ping().await.unwrap();
        Some(Fixture {
            store: Arc::new(r.for_tenant("t1")),
            other_tenant: Arc::new(r.for_tenant("t2")),
            _keep: Box::new(server),
        })
    }
}

fn subject() -> Subject {
    Subject {
        sub: "alice".into(),
        auth_time: Some(1_700_000_000),
        acr: Some("urn:acr:pwd".into()),
        amr: vec!["pwd".into(), "otp".into()],
    }
}

fn code(grant: &str, expires_at: u64) -> CodeRecord {
    CodeRecord {
        client_id: "c".into(),
        redirect_uri: Some("https://client.example/cb?x=1".into()),
        challenge: Some(CodeChallenge {
            challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            method: ChallengeMethod::S256,
        }),
        nonce: Some("n-0S6_WzA2Mj".into()),
        scope: Scope::parse("openid profile").unwrap(),
        subject: subject(),
        grant_id: GrantId(grant.into()),
        expires_at,
    }
}

fn access(grant: &str, expires_at: u64) -> AccessRecord {
    AccessRecord {
        client_id: "c".into(),
        scope: Scope::parse("read").unwrap(),
        sub: Some("alice".into()),
        grant_id: GrantId(grant.into()),
        grant_type: "authorization_code".into(),
        issued_at: expires_at - 100,
        expires_at,
    }
}

fn refresh(grant: &str, expires_at: u64) -> RefreshRecord {
    RefreshRecord {
        client_id: "c".into(),
        scope: Scope::parse("read").unwrap(),
        subject: Some(subject()),
        grant_id: GrantId(grant.into()),
        expires_at,
    }
}

fn ciba(grant: &str, expires_at: u64) -> CibaRecord {
    CibaRecord {
        client_id: "c".into(),
        sub: "alice".into(),
        scope: Scope::parse("openid").unwrap(),
        acr_values: Some("urn:acr:strong".into()),
        binding_message: Some("W4SCT".into()),
        expires_at,
        interval: 5,
        last_poll: None,
        status: CibaStatus::Pending,
        delivery: DeliveryMode::Ping,
        notification_token: Some("8d67dc78-7faa-4d41-aabd-67707b374255".into()),
        grant_id: GrantId(grant.into()),
        consumed: false,
    }
}

fn par(expires_at: u64) -> ParRecord {
    ParRecord {
        request: AuthorizationRequest {
            client_id: "c".into(),
            response_type: "code".into(),
            redirect_uri: "https://client.example/cb".into(),
            redirect_uri_given: true,
            scope: Scope::parse("openid").unwrap(),
            state: Some("af0ifjsldkj".into()),
            nonce: None,
            prompt: vec!["login".into()],
            max_age: Some(300),
            acr_values: None,
            login_hint: Some("alice".into()),
            code_challenge: Some(CodeChallenge {
                challenge: "plain-challenge-value-plain-challenge-value-1".into(),
                method: ChallengeMethod::Plain,
            }),
            response_mode: ResponseMode::FormPost,
            extra: vec![("ui_locales".into(), "fr-CA fr en".into())],
        },
        params: RawParams(vec![
            ("client_id".into(), "c".into()),
            ("response_type".into(), "code".into()),
        ]),
        expires_at,
    }
}

/// Runs `n` copies of `f` at once on the multi-threaded runtime.
async fn concurrently<T, F, Fut>(n: usize, f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|_| tokio::spawn(f())).collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// The duties, each written once.
mod duties {
    use super::*;

    pub async fn a_code_is_taken_exactly_once(f: Fixture) {
        let t = now();
        let h = TokenHash::of("the-code");
        let saved = code("g1", t + 60);
        f.store
            .save(vec![Record::Code(h.clone(), saved.clone())], t)
            .await
            .unwrap();
        let results = concurrently(16, || {
            let (s, h) = (f.store.clone(), h.clone());
            async move { s.take_code(&h, t).await.unwrap() }
        })
        .await;
        let found: Vec<_> = results
            .iter()
            .filter_map(|r| match r {
                Taken::Found(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(found, vec![saved], "exactly one take wins, with the record");
        assert_eq!(
            results
                .iter()
                .filter(|r| **r == Taken::AlreadyUsed(GrantId("g1".into())))
                .count(),
            15
        );
        assert_eq!(
            f.store.take_code(&h, t + 59).await.unwrap(),
            Taken::AlreadyUsed(GrantId("g1".into()))
        );
        assert_eq!(f.store.take_code(&h, t + 60).await.unwrap(), Taken::Unknown);
        assert_eq!(
            f.store.take_code(&TokenHash::of("other"), t).await.unwrap(),
            Taken::Unknown
        );
    }

    pub async fn a_refresh_token_is_rotated_exactly_once(f: Fixture) {
        let t = now();
        let h = TokenHash::of("rt-1");
        let saved = refresh("g1", t + 600);
        f.store
            .save(vec![Record::Refresh(h.clone(), saved.clone())], t)
            .await
            .unwrap();
        assert_eq!(
            f.store.load_refresh(&h, t).await.unwrap(),
            Taken::Found(saved.clone()),
            "loading does not consume"
        );
        assert_eq!(
            f.store
                .lookup_token(&h, Some(TokenTypeHint::RefreshToken), t)
                .await
                .unwrap(),
            Some(TokenInfo::Refresh(saved.clone()))
        );
        let results = concurrently(8, || {
            let (s, h) = (f.store.clone(), h.clone());
            async move { s.take_refresh(&h, t).await.unwrap() }
        })
        .await;
        assert_eq!(
            results
                .iter()
                .filter(|r| **r == Taken::Found(saved.clone()))
                .count(),
            1
        );
        let used = Taken::AlreadyUsed(GrantId("g1".into()));
        assert_eq!(results.iter().filter(|r| **r == used).count(), 7);
        assert_eq!(f.store.load_refresh(&h, t + 1).await.unwrap(), used);
        assert_eq!(f.store.take_refresh(&h, t + 1).await.unwrap(), used);
        assert_eq!(
            f.store.lookup_token(&h, None, t + 1).await.unwrap(),
            None,
            "a rotated refresh token is not active"
        );
    }

    pub async fn a_replay_key_is_inserted_once(f: Fixture) {
        let t = now();
        let replay = Replay {
            key: TokenHash::of("client/jti-1"),
            expires_at: t + 60,
        };
        let fresh = concurrently(16, || {
            let (s, r) = (f.store.clone(), replay.clone());
            async move { s.insert_replay(&r, t).await.unwrap() }
        })
        .await;
        assert_eq!(fresh.iter().filter(|x| **x).count(), 1);
        assert!(!f.store.insert_replay(&replay, t + 59).await.unwrap());
        assert!(
            f.store.insert_replay(&replay, t + 60).await.unwrap(),
            "once expired, the key may be used again"
        );
        let other = Replay {
            key: TokenHash::of("client/jti-2"),
            expires_at: t + 60,
        };
        assert!(f.store.insert_replay(&other, t).await.unwrap());
    }

    pub async fn nothing_is_returned_after_its_expiry(f: Fixture) {
        let t = now();
        let e = t + 30;
        let (ha, hr, hc, hb, hp) = (
            TokenHash::of("a"),
            TokenHash::of("r"),
            TokenHash::of("c"),
            TokenHash::of("b"),
            TokenHash::of("p"),
        );
        let b = ciba("g3", e);
        let retain = b.retain_until();
        f.store
            .save(
                vec![
                    Record::Access(ha.clone(), access("g1", e)),
                    Record::Refresh(hr.clone(), refresh("g1", e)),
                    Record::Code(hc.clone(), code("g2", e)),
                    Record::Ciba(hb.clone(), b),
                    Record::Par(hp.clone(), par(e)),
                ],
                t,
            )
            .await
            .unwrap();
        let s = &f.store;
        assert!(s.lookup_token(&ha, None, e - 1).await.unwrap().is_some());
        assert!(s.lookup_token(&hr, None, e - 1).await.unwrap().is_some());
        assert!(s.load_pushed(&hp, e - 1).await.unwrap().is_some());
        assert_eq!(s.lookup_token(&ha, None, e).await.unwrap(), None);
        assert_eq!(s.lookup_token(&hr, None, e).await.unwrap(), None);
        assert_eq!(s.load_refresh(&hr, e).await.unwrap(), Taken::Unknown);
        assert_eq!(s.take_refresh(&hr, e).await.unwrap(), Taken::Unknown);
        assert_eq!(s.take_code(&hc, e).await.unwrap(), Taken::Unknown);
        assert_eq!(s.load_pushed(&hp, e).await.unwrap(), None);
        assert!(!s.take_pushed(&hp, e).await.unwrap());
        // A CIBA request is retained past its expiry (late polls learn `expired_token`),
        // and no decision is recorded on it any more.
        assert!(s.load_ciba(&hb, e).await.unwrap().is_some());
        assert_eq!(
            s.update_ciba(&hb, &CibaUpdate::Decide(CibaStatus::Denied), e)
                .await
                .unwrap(),
            UpdateResult::NotApplied
        );
        assert_eq!(s.load_ciba(&hb, retain).await.unwrap(), None);
        assert_eq!(s.take_ciba(&hb, retain).await.unwrap(), Taken::Unknown);
    }

    pub async fn every_field_survives_the_round_trip(f: Fixture) {
        let t = now();
        let e = t + 600;
        let (ha, hr, hc, hb, hp) = (
            TokenHash::of("a"),
            TokenHash::of("r"),
            TokenHash::of("c"),
            TokenHash::of("b"),
            TokenHash::of("p"),
        );
        let client_only = RefreshRecord {
            subject: None,
            ..refresh("g9", e)
        };
        let hr2 = TokenHash::of("r2");
        let mut c = code("g2", e);
        let plain = code("g4", e);
        c.challenge = None;
        c.redirect_uri = None;
        let hc2 = TokenHash::of("c2");
        f.store
            .save(
                vec![
                    Record::Access(ha.clone(), access("g1", e)),
                    Record::Refresh(hr.clone(), refresh("g1", e)),
                    Record::Refresh(hr2.clone(), client_only.clone()),
                    Record::Code(hc.clone(), c.clone()),
                    Record::Code(hc2.clone(), plain.clone()),
                    Record::Ciba(hb.clone(), ciba("g3", e)),
                    Record::Par(hp.clone(), par(e)),
                ],
                t,
            )
            .await
            .unwrap();
        let s = &f.store;
        assert_eq!(
            s.lookup_token(&ha, Some(TokenTypeHint::RefreshToken), t)
                .await
                .unwrap(),
            Some(TokenInfo::Access(access("g1", e))),
            "the hint says where to look first; the store looks everywhere"
        );
        assert_eq!(
            s.lookup_token(&hr, Some(TokenTypeHint::AccessToken), t)
                .await
                .unwrap(),
            Some(TokenInfo::Refresh(refresh("g1", e)))
        );
        assert_eq!(
            s.load_refresh(&hr2, t).await.unwrap(),
            Taken::Found(client_only)
        );
        assert_eq!(s.take_code(&hc, t).await.unwrap(), Taken::Found(c));
        assert_eq!(s.take_code(&hc2, t).await.unwrap(), Taken::Found(plain));
        assert_eq!(s.load_ciba(&hb, t).await.unwrap(), Some(ciba("g3", e)));
        assert_eq!(s.load_pushed(&hp, t).await.unwrap(), Some(par(e)));
    }

    pub async fn ciba_polls_and_decisions_lose_no_update(f: Fixture) {
        let t = now();
        let h = TokenHash::of("auth-req-1");
        f.store
            .save(vec![Record::Ciba(h.clone(), ciba("g1", t + 120))], t)
            .await
            .unwrap();
        // Eight concurrent polls told `slow_down`: each adds its 5 seconds.
        let polls = concurrently(8, || {
            let (s, h) = (f.store.clone(), h.clone());
            async move {
                s.update_ciba(
                    &h,
                    &CibaUpdate::Poll {
                        at: t + 3,
                        slow_down: true,
                    },
                    t + 3,
                )
                .await
                .unwrap()
            }
        })
        .await;
        assert!(polls.iter().all(|r| *r == UpdateResult::Applied));
        let r = f.store.load_ciba(&h, t + 3).await.unwrap().unwrap();
        assert_eq!(r.interval, 5 + 8 * oauth_core::token::SLOW_DOWN_STEP);
        assert_eq!(r.last_poll, Some(t + 3));
        assert_eq!(r.status, CibaStatus::Pending);
        // A poll without slow_down moves last_poll only.
        f.store
            .update_ciba(
                &h,
                &CibaUpdate::Poll {
                    at: t + 50,
                    slow_down: false,
                },
                t + 50,
            )
            .await
            .unwrap();
        let r = f.store.load_ciba(&h, t + 50).await.unwrap().unwrap();
        assert_eq!((r.interval, r.last_poll), (45, Some(t + 50)));
        // Of two concurrent decisions, exactly one is recorded.
        let approved = CibaStatus::Approved(subject());
        let decisions = concurrently(2, || {
            let (s, h, a) = (f.store.clone(), h.clone(), approved.clone());
            async move {
                s.update_ciba(&h, &CibaUpdate::Decide(a), t + 51)
                    .await
                    .unwrap()
            }
        })
        .await;
        assert_eq!(
            decisions
                .iter()
                .filter(|r| **r == UpdateResult::Applied)
                .count(),
            1
        );
        assert_eq!(
            f.store
                .update_ciba(&h, &CibaUpdate::Decide(CibaStatus::Denied), t + 52)
                .await
                .unwrap(),
            UpdateResult::NotApplied,
            "a decided request is decided for good"
        );
        assert_eq!(
            f.store
                .update_ciba(&h, &CibaUpdate::Delete, t + 52)
                .await
                .unwrap(),
            UpdateResult::NotApplied,
            "only a pending request may be deleted"
        );
        let r = f.store.load_ciba(&h, t + 52).await.unwrap().unwrap();
        assert_eq!(r.status, approved);
        assert!(!r.consumed);
        // The approved request is taken once; it then reads as consumed.
        let takes = concurrently(4, || {
            let (s, h) = (f.store.clone(), h.clone());
            async move { s.take_ciba(&h, t + 53).await.unwrap() }
        })
        .await;
        let won: Vec<_> = takes
            .iter()
            .filter_map(|r| match r {
                Taken::Found(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(won.len(), 1);
        assert_eq!(won[0].status, approved);
        assert_eq!(won[0].interval, 45);
        assert!(
            takes
                .iter()
                .filter(|r| !matches!(r, Taken::Found(_)))
                .all(|r| *r == Taken::AlreadyUsed(GrantId("g1".into())))
        );
        assert!(
            f.store
                .load_ciba(&h, t + 54)
                .await
                .unwrap()
                .unwrap()
                .consumed
        );
        assert_eq!(
            f.store
                .update_ciba(&h, &CibaUpdate::Decide(CibaStatus::Denied), t + 54)
                .await
                .unwrap(),
            UpdateResult::NotApplied
        );
    }

    pub async fn a_pending_ciba_request_is_deleted_once(f: Fixture) {
        let t = now();
        let h = TokenHash::of("auth-req-2");
        f.store
            .save(vec![Record::Ciba(h.clone(), ciba("g1", t + 120))], t)
            .await
            .unwrap();
        let deleted = concurrently(4, || {
            let (s, h) = (f.store.clone(), h.clone());
            async move { s.update_ciba(&h, &CibaUpdate::Delete, t).await.unwrap() }
        })
        .await;
        assert_eq!(
            deleted
                .iter()
                .filter(|r| **r == UpdateResult::Applied)
                .count(),
            1
        );
        assert_eq!(f.store.load_ciba(&h, t).await.unwrap(), None);
        assert_eq!(
            f.store
                .update_ciba(
                    &h,
                    &CibaUpdate::Poll {
                        at: t,
                        slow_down: false
                    },
                    t
                )
                .await
                .unwrap(),
            UpdateResult::NotApplied
        );
    }

    pub async fn a_pushed_request_is_taken_once(f: Fixture) {
        let t = now();
        let h = TokenHash::of("urn:ietf:params:oauth:request_uri:abc");
        f.store
            .save(vec![Record::Par(h.clone(), par(t + 60))], t)
            .await
            .unwrap();
        assert_eq!(f.store.load_pushed(&h, t).await.unwrap(), Some(par(t + 60)));
        assert_eq!(
            f.store.load_pushed(&h, t).await.unwrap(),
            Some(par(t + 60)),
            "loading does not consume"
        );
        let taken = concurrently(8, || {
            let (s, h) = (f.store.clone(), h.clone());
            async move { s.take_pushed(&h, t).await.unwrap() }
        })
        .await;
        assert_eq!(taken.iter().filter(|x| **x).count(), 1);
        assert_eq!(f.store.load_pushed(&h, t).await.unwrap(), None);
    }

    pub async fn revocation_removes_a_grant_and_nothing_else(f: Fixture) {
        let t = now();
        let e = t + 600;
        let (a1, r1, a2, r2, a3) = (
            TokenHash::of("a1"),
            TokenHash::of("r1"),
            TokenHash::of("a2"),
            TokenHash::of("r2"),
            TokenHash::of("a3"),
        );
        f.store
            .save(
                vec![
                    Record::Access(a1.clone(), access("g1", e)),
                    Record::Refresh(r1.clone(), refresh("g1", e)),
                    Record::Access(a2.clone(), access("g2", e)),
                    Record::Refresh(r2.clone(), refresh("g2", e)),
                ],
                t,
            )
            .await
            .unwrap();
        // A token of g1 saved later (a rotation) belongs to the grant too.
        f.store
            .save(vec![Record::Access(a3.clone(), access("g1", e))], t)
            .await
            .unwrap();
        f.store
            .revoke(&Revocation {
                grant_id: GrantId("g1".into()),
            })
            .await
            .unwrap();
        for h in [&a1, &r1, &a3] {
            assert_eq!(f.store.lookup_token(h, None, t).await.unwrap(), None);
        }
        assert_eq!(f.store.load_refresh(&r1, t).await.unwrap(), Taken::Unknown);
        assert!(f.store.lookup_token(&a2, None, t).await.unwrap().is_some());
        // RFC 7009: one access token alone, or a whole grant.
        f.store
            .revoke_target(&RevocationTarget::AccessToken(a2.clone()))
            .await
            .unwrap();
        assert_eq!(f.store.lookup_token(&a2, None, t).await.unwrap(), None);
        assert!(f.store.lookup_token(&r2, None, t).await.unwrap().is_some());
        f.store
            .revoke_target(&RevocationTarget::Grant(GrantId("g2".into())))
            .await
            .unwrap();
        assert_eq!(f.store.lookup_token(&r2, None, t).await.unwrap(), None);
        // Revoking an unknown grant is not an error.
        f.store
            .revoke(&Revocation {
                grant_id: GrantId("nope".into()),
            })
            .await
            .unwrap();
    }

    pub async fn tenants_do_not_see_each_other(f: Fixture) {
        let t = now();
        let (hc, ha, hp) = (TokenHash::of("c"), TokenHash::of("a"), TokenHash::of("p"));
        f.store
            .save(
                vec![
                    Record::Code(hc.clone(), code("g1", t + 60)),
                    Record::Access(ha.clone(), access("g1", t + 60)),
                    Record::Par(hp.clone(), par(t + 60)),
                ],
                t,
            )
            .await
            .unwrap();
        let o = &f.other_tenant;
        assert_eq!(o.take_code(&hc, t).await.unwrap(), Taken::Unknown);
        assert_eq!(o.lookup_token(&ha, None, t).await.unwrap(), None);
        assert!(!o.take_pushed(&hp, t).await.unwrap());
        let replay = Replay {
            key: TokenHash::of("c/jti"),
            expires_at: t + 60,
        };
        assert!(f.store.insert_replay(&replay, t).await.unwrap());
        assert!(o.insert_replay(&replay, t).await.unwrap());
        // Still there for its own tenant.
        assert!(matches!(
            f.store.take_code(&hc, t).await.unwrap(),
            Taken::Found(_)
        ));
    }
}

macro_rules! suite {
    ($store:ident: $($duty:ident),* $(,)?) => {
        mod $store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $duty() {
                    if let Some(f) = super::open::$store(stringify!($duty)).await {
                        super::duties::$duty(f).await;
                    }
                }
            )*
        }
    };
}

macro_rules! every_store {
    ($($duty:ident),* $(,)?) => {
        suite!(memory: $($duty),*);
        suite!(sqlite: $($duty),*);
        suite!(redis: $($duty),*);
    };
}

every_store!(
    a_code_is_taken_exactly_once,
    a_refresh_token_is_rotated_exactly_once,
    a_replay_key_is_inserted_once,
    nothing_is_returned_after_its_expiry,
    every_field_survives_the_round_trip,
    ciba_polls_and_decisions_lose_no_update,
    a_pending_ciba_request_is_deleted_once,
    a_pushed_request_is_taken_once,
    revocation_removes_a_grant_and_nothing_else,
    tenants_do_not_see_each_other,
);
