//! Unknown routes, wrong methods and request limits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;

#[tokio::test]
async fn unknown_route_is_404_json() {
    let s = TestServer::start().await;
    for url in [
        s.at("nope"),
        format!("{}/nosuchtenant/as/token", s.base),
        format!("{}/", s.base),
    ] {
        let r = http().get(&url).send().await.unwrap();
        assert_eq!(
            r.headers()["content-type"],
            "application/json;charset=UTF-8"
        );
        let (status, t) = json(r).await;
        assert_eq!(status, 404, "{url}");
        assert_eq!(t["error"], "not_found");
    }
    s.stop().await;
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let s = TestServer::start().await;
    let r = http().get(s.at("token")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let r = http().delete(s.at("authorize")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, POST");
    let r = http().post(s.at("jwks")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET");
    s.stop().await;
}

#[tokio::test]
async fn oversized_body_is_413() {
    let s = TestServer::start().await;
    let big = format!(
        "grant_type=client_credentials&pad={}",
        "a".repeat(70 * 1024)
    );
    let r = http()
        .post(s.at("token"))
        .header("authorization", basic("basic", "basic-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Without a Content-Length (chunked), the limit holds while reading.
    let mut req = format!(
        "POST /t1/as/par HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
        s.addr,
        basic("basic", "basic-secret")
    );
    for chunk in big.as_bytes().chunks(8192) {
        req.push_str(&format!(
            "{:x}\r\n{}\r\n",
            chunk.len(),
            std::str::from_utf8(chunk).unwrap()
        ));
    }
    req.push_str("0\r\n\r\n");
    let head = raw(s.addr, req.as_bytes()).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    s.stop().await;
}

/// Sends raw bytes and returns what the server answered (up to the connection's end or 2 s).
async fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = tcp.write_all(bytes).await;
    let mut out = Vec::new();
    let _ =
        tokio::time::timeout(std::time::Duration::from_secs(3), tcp.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn slow_body_is_408() {
    let s = TestServer::start_toml(&config_toml("[limits]\nbody_read_timeout_secs = 1", "")).await;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let head = format!(
        "POST /t1/as/token HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=",
        basic("basic", "basic-secret")
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut out = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut out))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&out[..n]).into_owned();
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    s.stop().await;
}

#[tokio::test]
async fn oversized_header_is_refused() {
    let s = TestServer::start().await;
    let req = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(40 * 1024)
    );
    let head = raw(s.addr, req.as_bytes()).await;
    assert!(head.starts_with("HTTP/1.1 431"), "{head}");
    s.stop().await;
}

#[tokio::test]
async fn healthz_answers() {
    let s = TestServer::start().await;
    let (status, t) = json(
        http()
            .get(format!("{}/healthz", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(t["status"], "ok");
    s.stop().await;
}
