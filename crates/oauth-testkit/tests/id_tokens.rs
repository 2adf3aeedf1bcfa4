#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! What the token endpoint signs: ID tokens (OpenID Connect Core sections 2, 3.1.3.3,
//! 3.1.3.6 and 12.2) and JWT access tokens (RFC 9068 section 2).

mod common;

use common::*;
use oauth_core::AccessTokenFormat;
use oauth_testkit::{CodeSpec, ISSUER, Reply, TestKit, basic};
use serde_json::{Value, json};

const WEB: &str = "web";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": WEB, "client_secret": SECRET,
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "redirect_uris": [REDIRECT], "scope": "openid profile read",
    }));
    kit
}

fn redeem_with(kit: &mut TestKit, scope: &str, nonce: Option<&str>) -> Reply {
    redeem_later(kit, scope, nonce, 0)
}

/// Issues a code (the user authenticates now), waits `delay` seconds, then redeems it.
fn redeem_later(kit: &mut TestKit, scope: &str, nonce: Option<&str>, delay: u64) -> Reply {
    let code = kit.issue_code(CodeSpec {
        client_id: WEB,
        redirect_uri: Some(REDIRECT),
        code_verifier: Some(VERIFIER),
        nonce,
        scope,
        sub: "alice",
    });
    kit.advance(delay);
    let r = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
        Some(&basic(WEB, SECRET)),
    );
    assert_tokens(&r);
    r
}

/// Verifies a JWS with the tenant's signing key; returns its header and claims.
fn verify(kit: &TestKit, jws: &str) -> (Value, Value) {
    let key = kit.signer.verifying_key().unwrap();
    let verified = jwt_verify::Token::parse(jws).unwrap().verify(&key).unwrap();
    let claims: Value = verified.claims().unwrap();
    let (header, unverified) = jws_parts(jws);
    assert_eq!(claims, unverified);
    (header, claims)
}

#[test]
fn id_token_carries_the_claims_oidc_core_requires() {
    let mut kit = kit();
    let issued_at_auth = kit.now;
    let r = redeem_later(&mut kit, "openid profile", Some("n-0S6_WzA2Mj"), 30);
    let id_token = member(&r, "id_token");
    let (header, c) = verify(&kit, &id_token);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], "es-1");
    assert_eq!(c["iss"], ISSUER);
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["aud"], WEB);
    assert_eq!(c["iat"], kit.now);
    assert_eq!(c["exp"], kit.now + kit.config.id_token_ttl);
    assert_eq!(c["auth_time"], issued_at_auth);
    assert_eq!(c["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(c["at_hash"], at_hash_sha256(&member(&r, "access_token")));
    // amr is a JSON array of strings (OpenID Connect Core section 2).
    assert_eq!(c["amr"], json!(["pwd"]));
    // Numeric dates are JSON numbers (RFC 7519 section 2).
    for claim in ["iat", "exp", "auth_time"] {
        assert!(c[claim].is_u64(), "{claim} is {}", c[claim]);
    }
}

#[test]
fn id_token_has_no_nonce_when_the_authorization_request_had_none() {
    let mut kit = kit();
    let r = redeem_with(&mut kit, "openid", None);
    let (_, c) = verify(&kit, &member(&r, "id_token"));
    assert!(c.get("nonce").is_none(), "{c}");
}

#[test]
fn no_id_token_without_the_openid_scope() {
    let mut kit = kit();
    let r = redeem_with(&mut kit, "profile read", Some("n"));
    assert!(r.json.get("id_token").is_none(), "{}", r.json);
}

#[test]
fn id_token_signature_does_not_verify_under_another_key() {
    let mut kit = kit();
    let r = redeem_with(&mut kit, "openid", None);
    let other = key_b().verifying_key().unwrap();
    let token = member(&r, "id_token");
    assert!(
        jwt_verify::Token::parse(&token)
            .unwrap()
            .verify(&other)
            .is_err()
    );
}

#[test]
fn refreshed_id_token_keeps_iss_sub_aud_and_the_original_auth_time() {
    // OpenID Connect Core section 12.2: iss, sub and aud as in the original ID token, iat the
    // new issue time, auth_time the time of the original authentication, and no nonce.
    let mut kit = kit();
    let auth_time = kit.now;
    let first = redeem_with(&mut kit, "openid profile", Some("n-1"));
    let (_, original) = verify(&kit, &member(&first, "id_token"));
    kit.advance(1000);
    let r = kit.post_token(
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &member(&first, "refresh_token")),
        ],
        Some(&basic(WEB, SECRET)),
    );
    assert_tokens(&r);
    if let Some(id_token) = r.get("id_token") {
        let (_, c) = verify(&kit, id_token);
        for claim in ["iss", "sub", "aud"] {
            assert_eq!(c[claim], original[claim], "{claim}");
        }
        assert_eq!(c["iat"], kit.now);
        assert_eq!(c["auth_time"], auth_time);
        assert!(
            c.get("nonce").is_none(),
            "refreshed ID token carries a nonce"
        );
        assert_eq!(c["at_hash"], at_hash_sha256(&member(&r, "access_token")));
    }
}

#[test]
fn jwt_access_token_is_an_rfc9068_token() {
    let mut kit = kit();
    kit.config.access_token_format = AccessTokenFormat::Jwt;
    let r = redeem_with(&mut kit, "openid read", Some("n"));
    let at = member(&r, "access_token");
    let (header, c) = verify(&kit, &at);
    // RFC 9068 section 2.1: typ "at+jwt" (or "application/at+jwt").
    let typ = header["typ"].as_str().unwrap().to_ascii_lowercase();
    assert!(typ == "at+jwt" || typ == "application/at+jwt", "typ {typ}");
    assert_eq!(header["kid"], "es-1");
    // Section 2.2: iss, exp, aud, sub, client_id, iat, jti.
    assert_eq!(c["iss"], ISSUER);
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["client_id"], WEB);
    assert!(c["aud"].is_string() || c["aud"].is_array());
    assert_eq!(c["iat"], kit.now);
    assert_eq!(c["exp"], kit.now + kit.config.access_token_ttl);
    assert!(c["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert_eq!(c["auth_time"], kit.now);
    // Section 2.2.3: the granted scope.
    assert_eq!(c["scope"], "openid read");
    assert_eq!(r.json["expires_in"], kit.config.access_token_ttl);
    // It is recorded, so it can be introspected and revoked.
    assert!(kit.store.access_token(&at, kit.now).is_some());
    // The ID token's at_hash covers the JWT access token.
    let (_, id) = verify(&kit, &member(&r, "id_token"));
    assert_eq!(id["at_hash"], at_hash_sha256(&at));
}

#[test]
fn jwt_access_tokens_have_distinct_jti() {
    let mut kit = kit();
    kit.config.access_token_format = AccessTokenFormat::Jwt;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        let r = kit.post_token(
            &[("grant_type", "client_credentials")],
            Some(&basic(WEB, SECRET)),
        );
        let (_, c) = verify(&kit, &member(&r, "access_token"));
        assert!(seen.insert(c["jti"].as_str().unwrap().to_owned()));
    }
}

#[test]
fn jwt_access_token_for_client_credentials_names_the_client() {
    // RFC 9068 section 2.2: with no resource owner, `sub` identifies the client.
    let mut kit = kit();
    kit.config.access_token_format = AccessTokenFormat::Jwt;
    let r = kit.post_token(
        &[("grant_type", "client_credentials"), ("scope", "read")],
        Some(&basic(WEB, SECRET)),
    );
    assert_tokens(&r);
    let (_, c) = verify(&kit, &member(&r, "access_token"));
    assert_eq!(c["sub"], WEB);
    assert_eq!(c["client_id"], WEB);
    assert_eq!(c["scope"], "read");
    assert!(c.get("auth_time").is_none());
}
