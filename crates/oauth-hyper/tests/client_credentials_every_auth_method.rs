//! client_credentials over HTTP with every client authentication method, the HID alias of
//! the token endpoint, and the refusals a client sees.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;

fn cc() -> Vec<(&'static str, &'static str)> {
    vec![("grant_type", "client_credentials")]
}

#[tokio::test]
async fn client_secret_basic() {
    let s = TestServer::start().await;
    let (status, t) = post_basic(
        &s.at("token"),
        "basic",
        "basic-secret",
        &[("grant_type", "client_credentials"), ("scope", "read")],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["scope"], "read");
    assert!(t["access_token"].as_str().unwrap().len() >= 43);
    assert!(t.get("refresh_token").is_none(), "RFC 6749 section 4.4.3");
    s.stop().await;
}

#[tokio::test]
async fn client_secret_post() {
    let s = TestServer::start().await;
    let r = http()
        .post(s.at("token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "post"),
            ("client_secret", "post-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["pragma"], "no-cache");
    assert!(r.headers().contains_key("x-request-id"));
    let (status, t) = json(r).await;
    assert_eq!(status, 200, "{t}");
    s.stop().await;
}

#[tokio::test]
async fn client_secret_jwt() {
    let s = TestServer::start().await;
    let a = assertion(&sjwt_key(), "sjwt", &s.at("token"));
    let mut form = cc();
    form.extend([
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", a.as_str()),
    ]);
    let (status, t) = json(http().post(s.at("token")).form(&form).send().await.unwrap()).await;
    assert_eq!(status, 200, "{t}");
    // The same assertion again is a replay.
    let (status, t) = json(http().post(s.at("token")).form(&form).send().await.unwrap()).await;
    assert_eq!(status, 401, "{t}");
    assert_eq!(t["error"], "invalid_client");
    s.stop().await;
}

#[tokio::test]
async fn private_key_jwt() {
    let s = TestServer::start().await;
    // Lenient audience: the issuer works too.
    let a = assertion(&pkjwt_key(), "pkjwt", &s.issuer());
    let mut form = cc();
    form.extend([
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", a.as_str()),
    ]);
    let (status, t) = json(http().post(s.at("token")).form(&form).send().await.unwrap()).await;
    assert_eq!(status, 200, "{t}");
    s.stop().await;
}

#[tokio::test]
async fn private_key_jwt_assertion_minted_by_the_binary_subcommand() {
    let s = TestServer::start().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oauth-server"))
        .args([
            "assertion",
            "--client-id",
            "demo-pkjwt",
            "--audience",
            &s.issuer(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let jwt = String::from_utf8(out.stdout).unwrap();
    // demo-pkjwt's key is the key of this test tenant's `pkjwt`, but the claims name the
    // demo client; re-sign for pkjwt to prove the key, and check the minted token's shape.
    let token = jwt_verify::Token::parse(jwt.trim()).unwrap();
    assert_eq!(token.header().kid(), Some("demo-pkjwt-1"));
    assert_eq!(token.header().alg(), jwt_verify::Algorithm::ES256);
    s.stop().await;
}

#[tokio::test]
async fn hid_alias_authn_token_accepts_its_own_url_as_audience() {
    let s = TestServer::start().await;
    let alias = format!("{}/t1/authn/token", s.base);
    let a = assertion(&pkjwt_key(), "pkjwt", &alias);
    let mut form = cc();
    form.extend([
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", a.as_str()),
    ]);
    let (status, t) = json(http().post(&alias).form(&form).send().await.unwrap()).await;
    assert_eq!(status, 200, "{t}");
    let (status, t) = post_basic(&alias, "basic", "basic-secret", &cc()).await;
    assert_eq!(status, 200, "{t}");
    s.stop().await;
}

#[tokio::test]
async fn wrong_secret_is_401_with_a_basic_challenge() {
    let s = TestServer::start().await;
    let r = http()
        .post(s.at("token"))
        .header("authorization", basic("basic", "nope"))
        .form(&cc())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.starts_with("Basic realm="), "{challenge}");
    let (_, t) = json(r).await;
    assert_eq!(t["error"], "invalid_client");
    assert!(
        !t.to_string().contains("nope"),
        "the secret is never echoed"
    );
    s.stop().await;
}

#[tokio::test]
async fn wrong_content_type_is_400() {
    let s = TestServer::start().await;
    let r = http()
        .post(s.at("token"))
        .header("authorization", basic("basic", "basic-secret"))
        .header("content-type", "application/json")
        .body(r#"{"grant_type":"client_credentials"}"#)
        .send()
        .await
        .unwrap();
    let (status, t) = json(r).await;
    assert_eq!(status, 400);
    assert_eq!(t["error"], "invalid_request");
    s.stop().await;
}

#[tokio::test]
async fn public_client_cannot_use_client_credentials() {
    let s = TestServer::start().await;
    let (status, t) = json(
        http()
            .post(s.at("token"))
            .form(&[("grant_type", "client_credentials"), ("client_id", "spa")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{t}");
    assert_eq!(t["error"], "unauthorized_client");
    s.stop().await;
}
