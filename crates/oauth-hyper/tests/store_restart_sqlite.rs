//! SQLite durability: `oauth-server` killed with SIGKILL in the middle of a load run and
//! started again on the same file has lost no refresh token it issued and no code it
//! consumed or issued. Plus the file's own upkeep: the schema is created and versioned,
//! a newer schema is refused, and expired rows are swept so the file stays bounded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;
#[path = "common/process.rs"]
mod process;
#[path = "common/redis_server.rs"]
mod redis_server;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use oauth_core::records::{AccessRecord, GrantId, Record};
use oauth_core::scope::Scope;
use oauth_core::secret::TokenHash;
use oauth_hyper::config::Synchronous;
use oauth_hyper::{SqliteStore, Store};
use process::ServerProcess;
use redis_server::{TempDir, free_port};

const CB: &str = "http://127.0.0.1:9/cb";

/// What the clients were given before the crash.
#[derive(Default)]
struct Issued {
    refresh_tokens: Vec<String>,
    consumed_codes: Vec<String>,
    unused_codes: Vec<String>,
}

/// `http://127.0.0.1:{port}/t1/as/{path}`.
fn at(port: u16, path: &str) -> String {
    format!("http://127.0.0.1:{port}/t1/as/{path}")
}

async fn token(port: u16, form: &[(&str, &str)]) -> Option<(u16, serde_json::Value)> {
    let r = http()
        .post(at(port, "token"))
        .header("authorization", basic("basic", "basic-secret"))
        .form(form)
        .send()
        .await
        .ok()?;
    let status = r.status().as_u16();
    Some((status, r.json().await.ok()?))
}

/// One client of the load: password grants (each issues a refresh token) and code
/// flows, recording only what the server answered before it died.
async fn client(port: u16, issued: Arc<Mutex<Issued>>, until: Instant) {
    let mut i = 0u32;
    while Instant::now() < until {
        i += 1;
        if i.is_multiple_of(3) {
            let Some(code) = authorize_code(&at(port, "authorize"), "basic", CB).await else {
                return;
            };
            if i.is_multiple_of(2) {
                issued.lock().unwrap().unused_codes.push(code);
                continue;
            }
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", CB),
            ];
            match token(port, &form).await {
                Some((200, _)) => issued.lock().unwrap().consumed_codes.push(code),
                Some((status, t)) => panic!("code exchange: {status} {t}"),
                None => return,
            }
        } else {
            let form = [
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "wonderland"),
                ("scope", "openid read"),
            ];
            match token(port, &form).await {
                Some((200, t)) => issued
                    .lock()
                    .unwrap()
                    .refresh_tokens
                    .push(t["refresh_token"].as_str().unwrap().to_owned()),
                Some((status, t)) => panic!("password grant: {status} {t}"),
                None => return,
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_restarted_on_its_file_lost_nothing_it_issued() {
    let dir = TempDir::new("sqlite-restart");
    let config = dir.0.join("as.toml");
    // No `store` table: the default, SQLite beside the configuration file.
    let text = config_toml("", "").replace("store = { kind = \"memory\" }", "");
    std::fs::write(&config, text).unwrap();
    let port = free_port();
    let mut server = ServerProcess::start(&config, port);
    assert!(dir.0.join("oauth-server.sqlite3").exists());

    let issued = Arc::new(Mutex::new(Issued::default()));
    let until = Instant::now() + Duration::from_secs(30);
    let load: Vec<_> = (0..4)
        .map(|_| tokio::spawn(client(port, issued.clone(), until)))
        .collect();
    // Let the load run, then kill the server under it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while issued.lock().unwrap().refresh_tokens.len() < 60
        || issued.lock().unwrap().consumed_codes.len() < 8
        || issued.lock().unwrap().unused_codes.len() < 8
    {
        assert!(
            Instant::now() < deadline,
            "the load made too little progress"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SIGKILL while requests are in flight.
    server.kill();
    for l in load {
        l.await.unwrap();
    }
    let issued = Arc::into_inner(issued).unwrap().into_inner().unwrap();

    // At rest, the file and its write-ahead log hold hashes, never a usable token or code.
    let mut at_rest = Vec::new();
    for name in ["oauth-server.sqlite3", "oauth-server.sqlite3-wal"] {
        if let Ok(bytes) = std::fs::read(dir.0.join(name)) {
            at_rest.extend(bytes);
        }
    }
    let secrets = issued
        .refresh_tokens
        .iter()
        .chain(&issued.consumed_codes)
        .chain(&issued.unused_codes);
    for secret in secrets {
        assert!(
            !at_rest
                .windows(secret.len())
                .any(|w| w == secret.as_bytes()),
            "a token is stored in the clear"
        );
    }

    let server = ServerProcess::start(&config, free_port());
    let port = server.port;
    for rt in &issued.refresh_tokens {
        let (status, t) = token(
            port,
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
        .await
        .unwrap();
        assert_eq!(
            status, 200,
            "a refresh token issued before the crash was lost: {t}"
        );
    }
    for code in &issued.consumed_codes {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CB),
        ];
        let (status, t) = token(port, &form).await.unwrap();
        assert_eq!(
            (status, t["error"].as_str()),
            (400, Some("invalid_grant")),
            "a consumed code came back"
        );
    }
    for code in &issued.unused_codes {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CB),
        ];
        let (status, t) = token(port, &form).await.unwrap();
        assert_eq!(status, 200, "an issued code was lost: {t}");
    }
}

fn count_rows(path: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schema_is_versioned_and_a_newer_one_is_refused() {
    let dir = TempDir::new("sqlite-schema");
    let path = dir.0.join("nested").join("store.sqlite3");
    drop(SqliteStore::open(&path, Synchronous::Full).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // Opened again at the same version: kept as it is.
    drop(SqliteStore::open(&path, Synchronous::Normal).unwrap());
    // A file from a newer version of the server is refused rather than misread.
    c.pragma_update(None, "user_version", 2).unwrap();
    let e = SqliteStore::open(&path, Synchronous::Full).err().unwrap();
    assert!(e.contains("newer version"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_rows_are_swept_as_records_are_written() {
    let dir = TempDir::new("sqlite-sweep");
    let path = dir.0.join("store.sqlite3");
    let store = SqliteStore::open(&path, Synchronous::Normal)
        .unwrap()
        .for_tenant("t1");
    let t = now();
    let record = |i: u32, expires_at: u64| {
        Record::Access(
            TokenHash::of(&format!("token-{i}")),
            AccessRecord {
                client_id: "c".into(),
                scope: Scope::parse("read").unwrap(),
                sub: None,
                grant_id: GrantId(format!("g{i}")),
                grant_type: "client_credentials".into(),
                issued_at: t,
                expires_at,
            },
        )
    };
    for batch in 0..20 {
        let records: Vec<_> = (0..100).map(|i| record(batch * 100 + i, t + 10)).collect();
        store.save(records, t).await.unwrap();
    }
    assert_eq!(count_rows(&path), 2000);
    // Written a second after they expired: the expired rows go.
    store
        .save(vec![record(99_999, t + 100)], t + 11)
        .await
        .unwrap();
    assert_eq!(count_rows(&path), 1);
    // And an explicit sweep leaves only what is live.
    assert_eq!(store.sweep(t + 100).await.unwrap(), 1);
    assert_eq!(count_rows(&path), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_answers_503_and_the_server_recovers_when_it_is_released() {
    let dir = TempDir::new("sqlite-locked");
    let path = dir.0.join("store.sqlite3");
    let head = format!(
        "store = {{ kind = \"sqlite\", path = {:?} }}",
        path.display().to_string()
    );
    let s = TestServer::start_toml(&config_toml(&head, "")).await;
    let issue = || async {
        let r = http()
            .post(s.at("token"))
            .header("authorization", basic("basic", "basic-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        let retry_after = r.headers().get("retry-after").cloned();
        let (status, t) = json(r).await;
        (status, t, retry_after)
    };
    assert_eq!(issue().await.0, 200);
    // Another process holds the write lock past the store's busy timeout (5 s).
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let (status, t, retry_after) = issue().await;
    assert_eq!(
        (status, t["error"].as_str()),
        (503, Some("temporarily_unavailable"))
    );
    assert_eq!(retry_after.unwrap(), "1");
    assert!(
        t.get("access_token").is_none(),
        "no token without its record"
    );
    other.execute_batch("COMMIT").unwrap();
    let (status, t, _) = issue().await;
    assert_eq!(status, 200, "{t}");
    s.stop().await;
}
