//! Discovery lists exactly what the server enforces, and ID tokens verify with a key found
//! at `jwks_uri` by `kid`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use jwt_verify::{Audience, ClaimPolicy, Issuer, KeySet, Token};

#[tokio::test]
async fn discovery_names_every_endpoint_under_the_issuer() {
    let s = TestServer::start().await;
    let (status, d) = json(
        http()
            .get(s.at(".well-known/openid-configuration"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let issuer = s.issuer();
    assert_eq!(d["issuer"], issuer.as_str());
    for (k, path) in [
        ("authorization_endpoint", "authorize"),
        ("token_endpoint", "token"),
        ("jwks_uri", "jwks"),
        ("pushed_authorization_request_endpoint", "par"),
        ("backchannel_authentication_endpoint", "cibaAuthorization"),
        ("introspection_endpoint", "introspect"),
        ("revocation_endpoint", "revoke"),
    ] {
        assert_eq!(d[k], format!("{issuer}/{path}"), "{k}");
    }
    let algs: Vec<&str> = d["token_endpoint_auth_signing_alg_values_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        algs,
        [
            "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256"
        ]
    );
    assert_eq!(
        d["backchannel_token_delivery_modes_supported"],
        serde_json::json!(["poll", "ping"])
    );
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        d["id_token_signing_alg_values_supported"],
        serde_json::json!(["ES256"])
    );
    assert_eq!(d["authorization_response_iss_parameter_supported"], true);
    assert_eq!(d["tls_client_certificate_bound_access_tokens"], false);
    assert_eq!(d["require_pushed_authorization_requests"], false);
    assert_eq!(d["backchannel_user_code_parameter_supported"], false);
    assert_eq!(d["subject_types_supported"], serde_json::json!(["public"]));
    let methods = d["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(methods.contains(&serde_json::json!("private_key_jwt")));
    // Without TLS client auth or a trusted header, mTLS cannot work, so it is not offered.
    assert!(!methods.contains(&serde_json::json!("tls_client_auth")));
    let grants = d["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&serde_json::json!("urn:openid:params:grant-type:ciba")));
    assert!(
        d["scopes_supported"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("openid"))
    );
    // The RFC 8414 well-known form serves the same document.
    let (status, d2) = json(
        http()
            .get(format!(
                "{}/.well-known/oauth-authorization-server/t1/as",
                s.base
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(d2, d);
    s.stop().await;
}

#[tokio::test]
async fn id_token_verifies_with_the_key_at_jwks_uri_by_kid() {
    let s = TestServer::start().await;
    let (_, d) = json(
        http()
            .get(s.at(".well-known/openid-configuration"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let jwks_text = http()
        .get(d["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let jwks: serde_json::Value = serde_json::from_str(&jwks_text).unwrap();
    assert!(
        jwks["keys"][0].get("d").is_none(),
        "no private member is published"
    );
    let (status, t) = post_basic(
        &s.at("token"),
        "basic",
        "basic-secret",
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "wonderland"),
            ("scope", "openid profile"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    let id_token = t["id_token"].as_str().unwrap();
    let token = Token::parse(id_token).unwrap();
    let kid = token.header().kid().unwrap().to_owned();
    assert!(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid.as_str())
    );
    let (keys, _) = KeySet::from_jwks_json(&jwks_text, &[jwt_verify::Algorithm::ES256]).unwrap();
    let issuer = s.issuer();
    let aud = ["basic"];
    let policy = ClaimPolicy::new(Issuer::Exactly(&issuer), Audience::AnyOf(&aud), now());
    let verified = jwt_verify::verify(id_token, &keys, &policy).unwrap();
    let claims: serde_json::Value = verified.claims().unwrap();
    assert_eq!(claims["sub"], "alice");
    assert!(claims["at_hash"].is_string());
    s.stop().await;
}

#[tokio::test]
async fn rs256_tenant_signs_with_its_pkcs8_key_file() {
    let dir = std::env::temp_dir().join(format!("oauth-hyper-rs256-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("rsa.pem");
    std::fs::write(&key, include_str!("fixtures/rsa-2048.pem")).unwrap();
    let toml = common::config_toml("", "").replace(
        "id_token_signing_alg = \"ES256\"",
        &format!(
            "id_token_signing_alg = \"RS256\"\nsigning_key_file = {:?}",
            key.display().to_string()
        ),
    );
    let s = TestServer::start_toml(&toml).await;
    let jwks_text = http()
        .get(s.at("jwks"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (_, t) = post_basic(
        &s.at("token"),
        "basic",
        "basic-secret",
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "wonderland"),
            ("scope", "openid"),
        ],
    )
    .await;
    let id_token = t["id_token"].as_str().unwrap();
    assert_eq!(
        Token::parse(id_token).unwrap().header().alg(),
        jwt_verify::Algorithm::RS256
    );
    let (keys, _) = KeySet::from_jwks_json(&jwks_text, &[jwt_verify::Algorithm::RS256]).unwrap();
    let issuer = s.issuer();
    let aud = ["basic"];
    let policy = ClaimPolicy::new(Issuer::Exactly(&issuer), Audience::AnyOf(&aud), now());
    jwt_verify::verify(id_token, &keys, &policy).unwrap();
    s.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
