//! `MemoryStore` keeps every store duty of `oauth_core::records`, under concurrency, and
//! stays bounded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use oauth_core::HostError;
use oauth_core::auth::Replay;
use oauth_core::ciba::{CibaRecord, CibaStatus, CibaUpdate, UpdateResult};
use oauth_core::client::DeliveryMode;
use oauth_core::records::{
    AccessRecord, CodeRecord, GrantId, Record, RefreshRecord, RevocationTarget, Subject, Taken,
    TokenInfo,
};
use oauth_core::scope::Scope;
use oauth_core::secret::TokenHash;
use oauth_hyper::{MemoryStore, Store};

const NOW: u64 = 1_700_000_000;

fn code(grant: &str, expires_at: u64) -> CodeRecord {
    CodeRecord {
        client_id: "c".into(),
        redirect_uri: None,
        challenge: None,
        nonce: None,
        scope: Scope::parse("openid").unwrap(),
        subject: Subject {
            sub: "alice".into(),
            ..Subject::default()
        },
        grant_id: GrantId(grant.into()),
        expires_at,
    }
}

fn access(grant: &str, expires_at: u64) -> AccessRecord {
    AccessRecord {
        client_id: "c".into(),
        scope: Scope::parse("read").unwrap(),
        sub: None,
        grant_id: GrantId(grant.into()),
        grant_type: "client_credentials".into(),
        issued_at: NOW,
        expires_at,
    }
}

/// Saves one access token of grant `g` under the hash of `name`.
fn save_access(store: &MemoryStore, name: &str, exp: u64, now: u64) -> Result<(), HostError> {
    block_on(store.save(
        vec![Record::Access(TokenHash::of(name), access("g", exp))],
        now,
    ))
}

fn refresh(grant: &str) -> RefreshRecord {
    RefreshRecord {
        client_id: "c".into(),
        scope: Scope::parse("read").unwrap(),
        subject: None,
        grant_id: GrantId(grant.into()),
        expires_at: NOW + 100,
    }
}

fn ciba(grant: &str) -> CibaRecord {
    CibaRecord {
        client_id: "c".into(),
        sub: "alice".into(),
        scope: Scope::parse("openid").unwrap(),
        acr_values: None,
        binding_message: None,
        expires_at: NOW + 60,
        interval: 5,
        last_poll: None,
        status: CibaStatus::Pending,
        delivery: DeliveryMode::Poll,
        notification_token: None,
        grant_id: GrantId(grant.into()),
        consumed: false,
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn of_concurrent_takes_of_one_code_exactly_one_wins() {
    let store = Arc::new(MemoryStore::default());
    let h = TokenHash::of("the-code");
    block_on(store.save(vec![Record::Code(h.clone(), code("g1", NOW + 60))], NOW)).unwrap();
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (store, h) = (store.clone(), h.clone());
            std::thread::spawn(move || block_on(store.take_code(&h, NOW)).unwrap())
        })
        .collect();
    let results: Vec<Taken<CodeRecord>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        results
            .iter()
            .filter(|r| matches!(r, Taken::Found(_)))
            .count(),
        1
    );
    assert!(
        results
            .iter()
            .filter(|r| !matches!(r, Taken::Found(_)))
            .all(|r| *r == Taken::AlreadyUsed(GrantId("g1".into())))
    );
    // And every later take, until it expires; then it is unknown.
    assert_eq!(
        block_on(store.take_code(&h, NOW + 59)).unwrap(),
        Taken::AlreadyUsed(GrantId("g1".into()))
    );
    assert_eq!(
        block_on(store.take_code(&h, NOW + 60)).unwrap(),
        Taken::Unknown
    );
}

#[test]
fn a_replay_key_is_inserted_once_under_concurrency() {
    let store = Arc::new(MemoryStore::default());
    let replay = Replay {
        key: TokenHash::of("client/jti-1"),
        expires_at: NOW + 60,
    };
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (store, replay) = (store.clone(), replay.clone());
            std::thread::spawn(move || block_on(store.insert_replay(&replay, NOW)).unwrap())
        })
        .collect();
    let fresh = threads
        .into_iter()
        .filter(|_| true)
        .map(|t| t.join().unwrap())
        .filter(|f| *f)
        .count();
    assert_eq!(fresh, 1);
    // Once expired, the key may be used again.
    assert!(block_on(store.insert_replay(&replay, NOW + 61)).unwrap());
}

#[test]
fn nothing_is_returned_after_its_expiry() {
    let store = MemoryStore::default();
    let h = TokenHash::of("at");
    block_on(store.save(vec![Record::Access(h.clone(), access("g", NOW + 10))], NOW)).unwrap();
    assert!(matches!(
        block_on(store.lookup_token(&h, None, NOW + 9)).unwrap(),
        Some(TokenInfo::Access(_))
    ));
    assert_eq!(
        block_on(store.lookup_token(&h, None, NOW + 10)).unwrap(),
        None
    );
}

#[test]
fn a_used_refresh_token_is_not_found_by_lookup() {
    let store = MemoryStore::default();
    let h = TokenHash::of("rt");
    block_on(store.save(vec![Record::Refresh(h.clone(), refresh("g"))], NOW)).unwrap();
    assert!(matches!(
        block_on(store.take_refresh(&h, NOW)).unwrap(),
        Taken::Found(_)
    ));
    assert_eq!(block_on(store.lookup_token(&h, None, NOW)).unwrap(), None);
}

#[test]
fn revoking_a_grant_deletes_its_access_and_refresh_tokens() {
    let store = MemoryStore::default();
    let (a1, a2, r1) = (
        TokenHash::of("a1"),
        TokenHash::of("a2"),
        TokenHash::of("r1"),
    );
    block_on(store.save(
        vec![
            Record::Access(a1.clone(), access("g", NOW + 100)),
            Record::Access(a2.clone(), access("other", NOW + 100)),
            Record::Refresh(r1.clone(), refresh("g")),
        ],
        NOW,
    ))
    .unwrap();
    block_on(store.revoke_target(&RevocationTarget::Grant(GrantId("g".into())))).unwrap();
    assert_eq!(block_on(store.lookup_token(&a1, None, NOW)).unwrap(), None);
    assert_eq!(block_on(store.lookup_token(&r1, None, NOW)).unwrap(), None);
    assert!(
        block_on(store.lookup_token(&a2, None, NOW))
            .unwrap()
            .is_some()
    );
    block_on(store.revoke_target(&RevocationTarget::AccessToken(a2.clone()))).unwrap();
    assert_eq!(block_on(store.lookup_token(&a2, None, NOW)).unwrap(), None);
}

/// The tables spread their entries over several maps: a revocation and an expiry reach
/// every one of them, and a lookup finds each token wherever it landed.
#[test]
fn revocation_and_expiry_reach_every_token_of_a_large_table() {
    let store = MemoryStore::default();
    let hashes: Vec<TokenHash> = (0..2000).map(|i| TokenHash::of(&format!("t{i}"))).collect();
    let records = hashes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let grant = if i % 2 == 0 { "even" } else { "odd" };
            Record::Access(h.clone(), access(grant, NOW + 10))
        })
        .collect();
    block_on(store.save(records, NOW)).unwrap();
    assert_eq!(store.len(), 2000);
    for h in &hashes {
        assert!(
            block_on(store.lookup_token(h, None, NOW))
                .unwrap()
                .is_some()
        );
    }
    block_on(store.revoke_target(&RevocationTarget::Grant(GrantId("even".into())))).unwrap();
    for (i, h) in hashes.iter().enumerate() {
        let found = block_on(store.lookup_token(h, None, NOW)).unwrap();
        assert_eq!(found.is_some(), i % 2 == 1, "token {i}");
    }
    store.sweep(NOW + 10);
    assert_eq!(store.len(), 0);
    for h in &hashes {
        assert_eq!(
            block_on(store.lookup_token(h, None, NOW + 10)).unwrap(),
            None
        );
    }
}

#[test]
fn a_ciba_decision_applies_once_and_only_while_pending() {
    let store = Arc::new(MemoryStore::default());
    let h = TokenHash::of("auth-req");
    block_on(store.save(vec![Record::Ciba(h.clone(), ciba("g"))], NOW)).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let (store, h) = (store.clone(), h.clone());
            std::thread::spawn(move || {
                let status = if i % 2 == 0 {
                    CibaStatus::Denied
                } else {
                    CibaStatus::Approved(Subject {
                        sub: "alice".into(),
                        ..Subject::default()
                    })
                };
                block_on(store.update_ciba(&h, &CibaUpdate::Decide(status), NOW)).unwrap()
            })
        })
        .collect();
    let applied = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|r| *r == UpdateResult::Applied)
        .count();
    assert_eq!(applied, 1);
    // Polls keep their bookkeeping.
    assert_eq!(
        block_on(store.update_ciba(
            &h,
            &CibaUpdate::Poll {
                at: NOW + 5,
                slow_down: true
            },
            NOW + 5
        ))
        .unwrap(),
        UpdateResult::Applied
    );
    assert_eq!(
        block_on(store.load_ciba(&h, NOW + 5))
            .unwrap()
            .unwrap()
            .interval,
        10,
        "5 + SLOW_DOWN_STEP"
    );
}

#[test]
fn a_pushed_request_is_taken_once() {
    let store = MemoryStore::default();
    let h = TokenHash::of("urn:ietf:params:oauth:request_uri:x");
    let raw = oauth_core::authorize::params::RawParams(vec![
        ("response_type".into(), "code".into()),
        ("redirect_uri".into(), "https://c/cb".into()),
    ]);
    let client = oauth_core::Client::from_metadata(&oauth_core::ClientMetadata {
        client_id: "c".into(),
        client_secret: Some("s".into()),
        redirect_uris: vec!["https://c/cb".into()],
        ..Default::default()
    })
    .unwrap();
    let config = oauth_core::Config::new(
        "https://as/t/as",
        oauth_core::SigningSpec {
            alg: jwt_verify::Algorithm::ES256,
            kid: None,
        },
    );
    let request = oauth_core::authorize::params::validate(&raw, &client, &config).unwrap();
    let raw = raw.clone();
    block_on(store.save(
        vec![Record::Par(
            h.clone(),
            oauth_core::authorize::ParRecord {
                request,
                params: raw.clone(),
                expires_at: NOW + 60,
            },
        )],
        NOW,
    ))
    .unwrap();
    assert!(block_on(store.load_pushed(&h, NOW)).unwrap().is_some());
    assert!(block_on(store.take_pushed(&h, NOW)).unwrap());
    assert!(!block_on(store.take_pushed(&h, NOW)).unwrap());
}

#[test]
fn beyond_its_bound_the_store_answers_unavailable_until_records_expire() {
    let store = MemoryStore::new(3);
    let save = |name: &str, exp: u64, now: u64| save_access(&store, name, exp, now);
    save("a", NOW + 10, NOW).unwrap();
    save("b", NOW + 10, NOW).unwrap();
    save("c", NOW + 10, NOW).unwrap();
    assert_eq!(save("d", NOW + 10, NOW), Err(HostError::Unavailable));
    // Once they expire, room is made by sweeping.
    save("e", NOW + 100, NOW + 10).unwrap();
    assert_eq!(store.len(), 1);
}

#[test]
fn memory_stays_flat_under_sustained_load() {
    // A million short-lived tokens over simulated minutes: the store holds only the live ones.
    let store = MemoryStore::new(100_000);
    let peak = block_on(async {
        let mut peak = 0;
        for i in 0..1_000_000u64 {
            let now = NOW + i / 10_000; // 10,000 tokens a second
            let h = TokenHash::of(&i.to_string());
            store
                .save(vec![Record::Access(h, access("g", now + 5))], now)
                .await
                .unwrap();
            peak = peak.max(store.len());
        }
        peak
    });
    assert!(peak <= 70_000, "peak {peak}");
}

#[test]
fn a_revoked_record_keeps_its_room_until_its_expiry_is_swept() {
    let store = MemoryStore::new(2);
    let save = |name: &str, exp: u64, now: u64| save_access(&store, name, exp, now);
    save("a", NOW + 10, NOW).unwrap();
    save("b", NOW + 20, NOW).unwrap();
    block_on(store.revoke_target(&RevocationTarget::AccessToken(TokenHash::of("a")))).unwrap();
    // Gone for lookups at once, still counted toward the bound until it would have expired.
    let found = block_on(store.lookup_token(&TokenHash::of("a"), None, NOW)).unwrap();
    assert!(found.is_none());
    assert_eq!(save("c", NOW + 10, NOW + 1), Err(HostError::Unavailable));
    save("c", NOW + 30, NOW + 10).unwrap();
    assert_eq!(store.len(), 2);
    let b = block_on(store.lookup_token(&TokenHash::of("b"), None, NOW + 10)).unwrap();
    assert!(b.is_some());
}
