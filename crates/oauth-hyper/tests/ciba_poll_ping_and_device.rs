//! CIBA over HTTP: poll to completion (approve) and denial, ping notifications received by a
//! local listener, and a person deciding on the device page.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use base64ct::Encoding as _;
use common::*;

const CIBA: &str = "urn:openid:params:grant-type:ciba";

async fn start_ciba(s: &TestServer, hint: &str, message: &str) -> (u16, serde_json::Value) {
    post_basic(
        &s.at("cibaAuthorization"),
        "ciba",
        "ciba-secret",
        &[
            ("scope", "openid profile"),
            ("login_hint", hint),
            ("binding_message", message),
        ],
    )
    .await
}

/// Polls at the interval until the answer is not `authorization_pending`.
async fn poll(s: &TestServer, id: &str, client: (&str, &str)) -> (u16, serde_json::Value) {
    for _ in 0..30 {
        let (status, t) = post_basic(
            &s.at("token"),
            client.0,
            client.1,
            &[("grant_type", CIBA), ("auth_req_id", id)],
        )
        .await;
        if t["error"] != "authorization_pending" {
            return (status, t);
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    panic!("still pending");
}

#[tokio::test]
async fn poll_until_the_user_approves() {
    let s = TestServer::start().await;
    let (status, r) = start_ciba(&s, "alice", "W4SCT").await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["interval"], 1);
    assert_eq!(r["expires_in"], 60);
    let id = r["auth_req_id"].as_str().unwrap().to_owned();
    let (status, t) = post_basic(
        &s.at("token"),
        "ciba",
        "ciba-secret",
        &[("grant_type", CIBA), ("auth_req_id", &id)],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(t["error"], "authorization_pending");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, t) = poll(&s, &id, ("ciba", "ciba-secret")).await;
    assert_eq!(status, 200, "{t}");
    assert!(t["refresh_token"].is_string());
    let id_token = jwt_verify::Token::parse(t["id_token"].as_str().unwrap()).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64ct::Base64UrlUnpadded::decode_vec(
            id_token
                .signing_input()
                .split(|b| *b == b'.')
                .nth(1)
                .map(|p| std::str::from_utf8(p).unwrap())
                .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        claims["urn:openid:params:jwt:claim:auth_req_id"],
        id.as_str()
    );
    assert_eq!(claims["sub"], "alice");
    // auth_req_id is single-use.
    let (status, t) = post_basic(
        &s.at("token"),
        "ciba",
        "ciba-secret",
        &[("grant_type", CIBA), ("auth_req_id", &id)],
    )
    .await;
    assert_eq!(status, 400, "{t}");
    s.stop().await;
}

#[tokio::test]
async fn poll_until_the_user_denies() {
    let s = TestServer::start().await;
    let (status, r) = start_ciba(&s, "bob", "DENY-ME").await;
    assert_eq!(status, 200, "{r}");
    let id = r["auth_req_id"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, t) = poll(&s, &id, ("ciba", "ciba-secret")).await;
    assert_eq!(status, 400);
    assert_eq!(t["error"], "access_denied");
    s.stop().await;
}

#[tokio::test]
async fn unknown_user_is_unknown_user_id() {
    let s = TestServer::start().await;
    let (status, r) = start_ciba(&s, "nobody", "x").await;
    assert_eq!(status, 400);
    assert_eq!(r["error"], "unknown_user_id");
    s.stop().await;
}

#[tokio::test]
async fn ping_mode_notifies_the_client_then_it_collects_its_tokens() {
    // A tiny HTTP listener standing in for the client's notification endpoint.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = tcp.read(&mut chunk).await.unwrap();
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).into_owned();
            if let Some(i) = text.find("\r\n\r\n") {
                let len = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if buf.len() >= i + 4 + len {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        tcp.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let _ = tx.send(String::from_utf8_lossy(&buf).into_owned());
    });
    let extra = format!(
        r#"
[[tenants.clients]]
client_id = "ping"
client_secret = "ping-secret"
grant_types = ["urn:openid:params:grant-type:ciba"]
scope = "openid"
backchannel_token_delivery_mode = "ping"
backchannel_client_notification_endpoint = "http://127.0.0.1:{port}/notify"
"#
    );
    let s = TestServer::start_toml(&config_toml("", &extra)).await;
    let (status, r) = post_basic(
        &s.at("cibaAuthorization"),
        "ping",
        "ping-secret",
        &[
            ("scope", "openid"),
            ("login_hint", "alice"),
            (
                "client_notification_token",
                "8d67dc78-7faa-4d41-aabd-67707b374255",
            ),
        ],
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let id = r["auth_req_id"].as_str().unwrap().to_owned();
    let request = tokio::time::timeout(Duration::from_secs(10), rx)
        .await
        .unwrap()
        .unwrap();
    assert!(request.starts_with("POST /notify HTTP/1.1"), "{request}");
    assert!(
        request
            .to_ascii_lowercase()
            .contains("authorization: bearer 8d67dc78-7faa-4d41-aabd-67707b374255"),
        "{request}"
    );
    let body = request.split("\r\n\r\n").nth(1).unwrap();
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["auth_req_id"], id.as_str());
    let (status, t) = post_basic(
        &s.at("token"),
        "ping",
        "ping-secret",
        &[("grant_type", CIBA), ("auth_req_id", &id)],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    s.stop().await;
}

#[tokio::test]
async fn a_person_approves_on_the_device_page() {
    let s = TestServer::start().await;
    let (status, r) = start_ciba(&s, "carol", "Pay 42 EUR").await;
    assert_eq!(status, 200, "{r}");
    let id = r["auth_req_id"].as_str().unwrap().to_owned();
    let device = format!("{}/t1/device", s.base);
    let page = http()
        .get(&device)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<label for=\"password\">"), "{page}");
    let r = http()
        .post(&device)
        .form(&[("username", "carol"), ("password", "carol-pw")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let session = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = http()
        .get(&device)
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Pay 42 EUR"), "{page}");
    let value = |name: &str| {
        let m = format!("name=\"{name}\" value=\"");
        let i = page.find(&m).unwrap() + m.len();
        page[i..i + page[i..].find('"').unwrap()].to_owned()
    };
    let (request, csrf) = (value("request"), value("csrf"));
    assert_ne!(request, id, "the page never shows the auth_req_id");
    // Without the session's CSRF token, nothing happens.
    let r = http()
        .post(&device)
        .header("cookie", &session)
        .form(&[
            ("request", request.as_str()),
            ("decision", "approve"),
            ("csrf", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (_, t) = post_basic(
        &s.at("token"),
        "ciba",
        "ciba-secret",
        &[("grant_type", CIBA), ("auth_req_id", &id)],
    )
    .await;
    assert_eq!(t["error"], "authorization_pending");
    let r = http()
        .post(&device)
        .header("cookie", &session)
        .form(&[
            ("request", request.as_str()),
            ("decision", "approve"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "device?result=approved");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, t) = post_basic(
        &s.at("token"),
        "ciba",
        "ciba-secret",
        &[("grant_type", CIBA), ("auth_req_id", &id)],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    let page = http()
        .get(&device)
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("No requests are waiting"), "{page}");
    s.stop().await;
}
