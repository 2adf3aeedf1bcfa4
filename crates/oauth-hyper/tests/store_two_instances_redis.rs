//! Two `oauth-server` processes behind one (imaginary) load balancer, sharing one Redis:
//! what one consumes, the other sees consumed. And a server whose Redis goes away answers
//! 503 until it comes back, then recovers by itself.
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

use std::time::{Duration, Instant};

use common::*;
use process::ServerProcess;
use redis_server::{RedisServer, TempDir, free_port};

const CB: &str = "http://127.0.0.1:9/cb";
const CIBA: &str = "urn:openid:params:grant-type:ciba";
/// Both instances answer for the same issuer, as they would behind a load balancer.
const PUBLIC: &str = "http://as.example";

fn redis_head(url: &str) -> String {
    format!("public_base_url = \"{PUBLIC}\"\nstore = {{ kind = \"redis\", url = \"{url}\" }}")
}

async fn redeem(s: &ServerProcess, code: &str) -> (u16, serde_json::Value) {
    post_basic(
        &s.at("token"),
        "basic",
        "basic-secret",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CB),
        ],
    )
    .await
}

/// Every key in Redis has a native expiry, and no key or stored value contains any of
/// `secrets` (they are stored by hash).
async fn every_key_expires_and_holds_no_token(redis: &RedisServer, secrets: &[&str]) {
    let client = ::redis::Client::open(redis.url()).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = ::redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(keys.len() > 5, "{keys:?}");
    for key in &keys {
        let ttl: i64 = ::redis::cmd("TTL")
            .arg(key)
            .query_async(&mut c)
            .await
            .unwrap();
        assert!(ttl > 0, "{key} has no expiry ({ttl})");
        let kind: String = ::redis::cmd("TYPE")
            .arg(key)
            .query_async(&mut c)
            .await
            .unwrap();
        let mut stored = key.clone();
        match kind.as_str() {
            "hash" => {
                let v: Vec<String> = ::redis::cmd("HGETALL")
                    .arg(key)
                    .query_async(&mut c)
                    .await
                    .unwrap();
                stored.push_str(&v.concat());
            }
            "set" => {
                let v: Vec<String> = ::redis::cmd("SMEMBERS")
                    .arg(key)
                    .query_async(&mut c)
                    .await
                    .unwrap();
                stored.push_str(&v.concat());
            }
            "string" => {
                let v: String = ::redis::cmd("GET")
                    .arg(key)
                    .query_async(&mut c)
                    .await
                    .unwrap();
                stored.push_str(&v);
            }
            other => panic!("{key}: unexpected type {other}"),
        }
        for s in secrets {
            assert!(!stored.contains(s), "{key} holds a token in the clear");
        }
    }
}

async fn poll_ciba(s: &ServerProcess, id: &str) -> (u16, serde_json::Value) {
    post_basic(
        &s.at("token"),
        "ciba",
        "ciba-secret",
        &[("grant_type", CIBA), ("auth_req_id", id)],
    )
    .await
}

async fn with_assertion(s: &ServerProcess, jwt: &str) -> (u16, serde_json::Value) {
    json(
        http()
            .post(s.at("token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", jwt),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_codes_assertions_and_ciba_requests() {
    let Some(redis) = RedisServer::start("two_instances") else {
        return;
    };
    let dir = TempDir::new("two-instances");
    let config = dir.0.join("as.toml");
    std::fs::write(&config, config_toml(&redis_head(&redis.url()), "")).unwrap();
    let a = ServerProcess::start(&config, free_port());
    let b = ServerProcess::start(&config, free_port());

    // A code issued by A is redeemed on B, and is then spent on A too.
    let code = authorize_code(&a.at("authorize"), "basic", CB)
        .await
        .unwrap();
    let (status, t) = redeem(&b, &code).await;
    assert_eq!(status, 200, "{t}");
    let (status, t) = redeem(&a, &code).await;
    assert_eq!((status, t["error"].as_str()), (400, Some("invalid_grant")));
    // And one redeemed on A is invalid_grant on B.
    let code = authorize_code(&a.at("authorize"), "basic", CB)
        .await
        .unwrap();
    assert_eq!(redeem(&a, &code).await.0, 200);
    let (status, t) = redeem(&b, &code).await;
    assert_eq!((status, t["error"].as_str()), (400, Some("invalid_grant")));

    // A client assertion used on A is a replay on B; a fresh one is fine on B.
    let aud = format!("{PUBLIC}/t1/as/token");
    let jwt = assertion(&pkjwt_key(), "pkjwt", &aud);
    let (status, t) = with_assertion(&a, &jwt).await;
    assert_eq!(status, 200, "{t}");
    let (status, t) = with_assertion(&b, &jwt).await;
    assert_eq!((status, t["error"].as_str()), (401, Some("invalid_client")));
    let (status, t) = with_assertion(&b, &assertion(&pkjwt_key(), "pkjwt", &aud)).await;
    assert_eq!(status, 200, "{t}");

    // A CIBA request made on A (whose demo device approves it after a second) is polled
    // to completion on B.
    let (status, r) = post_basic(
        &a.at("cibaAuthorization"),
        "ciba",
        "ciba-secret",
        &[("scope", "openid"), ("login_hint", "alice")],
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let id = r["auth_req_id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(20);
    let tokens = loop {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (status, t) = poll_ciba(&b, &id).await;
        if status == 200 {
            break t;
        }
        assert_eq!(t["error"], "authorization_pending", "{t}");
        assert!(Instant::now() < deadline, "still pending");
    };
    assert!(tokens["id_token"].is_string());
    every_key_expires_and_holds_no_token(
        &redis,
        &[
            code.as_str(),
            tokens["access_token"].as_str().unwrap(),
            tokens["refresh_token"].as_str().unwrap(),
            id.as_str(),
        ],
    )
    .await;
    // Taken once, across instances.
    let (status, t) = post_basic(
        &a.at("token"),
        "ciba",
        "ciba-secret",
        &[("grant_type", CIBA), ("auth_req_id", &id)],
    )
    .await;
    assert_eq!(
        (status, t["error"].as_str()),
        (400, Some("invalid_grant")),
        "{t}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_503_while_redis_is_down_and_recovers_after() {
    let Some(mut redis) = RedisServer::start("redis_restart") else {
        return;
    };
    // Redis is down when the server starts: it starts anyway.
    redis.stop();
    let head = format!("store = {{ kind = \"redis\", url = \"{}\" }}", redis.url());
    let s = TestServer::start_toml(&config_toml(&head, "")).await;
    refused_while_down(&s).await;
    redis.restart();
    recovers(&s).await;
    // Redis goes away under a running server, and comes back (empty: persistence is off).
    redis.stop();
    refused_while_down(&s).await;
    redis.restart();
    recovers(&s).await;
    s.stop().await;
}

async fn client_credentials(s: &TestServer) -> reqwest::Response {
    http()
        .post(s.at("token"))
        .header("authorization", basic("basic", "basic-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
}

/// A token request fails fast with 503 and issues nothing.
async fn refused_while_down(s: &TestServer) {
    let started = Instant::now();
    let r = client_credentials(s).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a down store must not hang requests"
    );
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "1");
    let (_, t) = json(r).await;
    assert_eq!(t["error"], "temporarily_unavailable");
    assert!(
        t.get("access_token").is_none(),
        "no token without its record"
    );
}

/// Within a few seconds of Redis answering again, tokens are issued again.
async fn recovers(s: &TestServer) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, t) = json(client_credentials(s).await).await;
        if status == 200 {
            assert!(t["access_token"].is_string());
            return;
        }
        assert_eq!(status, 503, "{t}");
        assert!(
            Instant::now() < deadline,
            "did not recover after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
