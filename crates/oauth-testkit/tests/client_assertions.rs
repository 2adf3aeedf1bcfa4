#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! JWT client assertions (RFC 7523 sections 2.2 and 3, RFC 7521 section 4.2, OpenID Connect
//! Core section 9): `client_secret_jwt` with HS256/384/512 over the client secret,
//! `private_key_jwt` with ES256, RS256 and PS256, every claim rule, algorithm confusion, and
//! single use of the `jti`.

mod common;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::*;
use jwt_verify::Algorithm;
use oauth_core::auth::{AuthFailure, JWT_BEARER};
use oauth_core::{AssertionAudience, Reason};
use oauth_testkit::{ISSUER, Reply, TOKEN_ENDPOINT, TestKit};
use serde_json::{Value, json};

const SECRET_JWT: &str = "secret-jwt";
const PK_JWT: &str = "pk-jwt";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": SECRET_JWT, "client_secret": SECRET,
        "token_endpoint_auth_method": "client_secret_jwt",
        "grant_types": ["client_credentials"], "scope": "read",
    }));
    kit.register(json!({
        "client_id": PK_JWT, "token_endpoint_auth_method": "private_key_jwt",
        "jwks": jwks(&[public_jwk(&key_a(), true), {
            let mut rsa = public_jwk(&rsa_key(Algorithm::RS256), false);
            rsa["kid"] = "rsa-1".into();
            rsa
        }]),
        "grant_types": ["client_credentials"], "scope": "read",
    }));
    kit
}

/// Runs a client_credentials request authenticated by `assertion` for `client_id`.
fn send(kit: &mut TestKit, client_id: &str, assertion: &str) -> Reply {
    kit.post_token(&assertion_form(client_id, assertion), None)
}

/// Signs `claims` for the private_key_jwt client with key A.
fn es256(kit: &mut TestKit, claims: &Value) -> String {
    kit.sign_claims(&key_a(), claims)
}

/// Signs `claims` for the client_secret_jwt client with HS256 over its secret.
fn hs256(kit: &mut TestKit, claims: &Value) -> String {
    kit.sign_claims(&hmac_key(Algorithm::HS256, SECRET), claims)
}

/// The claim failure behind a refused assertion.
fn claim_error(r: &Reply) -> jwt_verify::ClaimError {
    match auth_failure(r) {
        AuthFailure::Assertion(jwt_verify::Error::Claims(c)) => c.clone(),
        other => panic!("expected a claim failure, got {other:?}"),
    }
}

/// Both clients refuse these claims, and the replay step never ran.
fn both_refuse(claims_for: impl Fn(&TestKit, &str) -> Value) -> Vec<jwt_verify::ClaimError> {
    let mut kit = kit();
    let mut out = Vec::new();
    for id in [SECRET_JWT, PK_JWT] {
        let c = claims_for(&kit, id);
        let jwt = if id == SECRET_JWT {
            hs256(&mut kit, &c)
        } else {
            es256(&mut kit, &c)
        };
        kit.steps.clear();
        let r = send(&mut kit, id, &jwt);
        assert_invalid_client(&r);
        assert!(
            !kit.steps.contains(&"check_replay"),
            "the jti was consumed by a refused assertion: {:?}",
            kit.steps
        );
        out.push(claim_error(&r));
    }
    out
}

#[test]
fn client_secret_jwt_accepts_hs256_hs384_and_hs512_over_the_secret() {
    let mut kit = kit();
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let jwt = kit.assertion(&hmac_key(alg, SECRET), SECRET_JWT, None);
        assert_tokens(&send(&mut kit, SECRET_JWT, &jwt));
    }
}

#[test]
fn client_secret_jwt_refuses_a_mac_keyed_with_another_secret() {
    let mut kit = kit();
    let other = SECRET.replace('s', "S");
    let jwt = kit.assertion(&hmac_key(Algorithm::HS256, &other), SECRET_JWT, None);
    assert_invalid_client(&send(&mut kit, SECRET_JWT, &jwt));
}

#[test]
fn private_key_jwt_accepts_es256_with_the_registered_key() {
    let mut kit = kit();
    let jwt = kit.assertion(&key_a(), PK_JWT, None);
    assert_tokens(&send(&mut kit, PK_JWT, &jwt));
}

#[test]
fn private_key_jwt_accepts_rs256_and_ps256_with_the_registered_key() {
    let mut kit = kit();
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let key = rsa_key(alg).with_kid("rsa-1");
        let jwt = kit.assertion(&key, PK_JWT, None);
        assert_tokens(&send(&mut kit, PK_JWT, &jwt));
    }
}

#[test]
fn private_key_jwt_refuses_a_key_that_is_not_registered() {
    let mut kit = kit();
    let jwt = kit.assertion(&key_b(), PK_JWT, None);
    assert_invalid_client(&send(&mut kit, PK_JWT, &jwt));
    let jwt = kit.assertion(&key_b().with_kid("a-1"), PK_JWT, None);
    assert_invalid_client(&send(&mut kit, PK_JWT, &jwt));
}

#[test]
fn iss_must_be_the_client_id() {
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "iss");
        c["iss"] = "someone-else".into();
        c
    });
    assert!(errs.iter().all(|e| *e == jwt_verify::ClaimError::Issuer));
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "no-iss");
        c.as_object_mut().unwrap().remove("iss");
        c
    });
    assert!(
        errs.iter()
            .all(|e| *e == jwt_verify::ClaimError::Missing("iss"))
    );
}

#[test]
fn sub_must_be_the_client_id() {
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "sub");
        c["sub"] = "someone-else".into();
        c
    });
    assert!(errs.iter().all(|e| *e == jwt_verify::ClaimError::Subject));
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "no-sub");
        c.as_object_mut().unwrap().remove("sub");
        c
    });
    assert!(
        errs.iter()
            .all(|e| *e == jwt_verify::ClaimError::Missing("sub"))
    );
}

#[test]
fn aud_may_be_the_issuer_or_the_token_endpoint() {
    let mut kit = kit();
    for (i, aud) in [
        json!(ISSUER),
        json!(TOKEN_ENDPOINT),
        json!(["https://elsewhere.example", TOKEN_ENDPOINT]),
        json!([ISSUER]),
    ]
    .into_iter()
    .enumerate()
    {
        for id in [SECRET_JWT, PK_JWT] {
            let mut c = claims(&kit, id, &format!("aud-{i}"));
            c["aud"] = aud.clone();
            let jwt = if id == SECRET_JWT {
                hs256(&mut kit, &c)
            } else {
                es256(&mut kit, &c)
            };
            assert_tokens(&send(&mut kit, id, &jwt));
        }
    }
}

#[test]
fn aud_naming_another_server_is_refused() {
    for aud in [
        json!("https://other.example.com/t1/as/token"),
        json!(format!("{ISSUER}/")),
        json!(format!("{TOKEN_ENDPOINT}?x=1")),
        json!(ISSUER.to_uppercase()),
        json!([]),
        json!(["https://other.example.com"]),
    ] {
        let errs = both_refuse(|kit, id| {
            let mut c = claims(kit, id, "aud");
            c["aud"] = aud.clone();
            c
        });
        assert!(
            errs.iter().all(|e| *e == jwt_verify::ClaimError::Audience),
            "{aud}: {errs:?}"
        );
    }
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "no-aud");
        c.as_object_mut().unwrap().remove("aud");
        c
    });
    assert!(
        errs.iter()
            .all(|e| *e == jwt_verify::ClaimError::Missing("aud"))
    );
}

#[test]
fn issuer_only_audience_accepts_the_issuer_alone() {
    let mut kit = kit();
    kit.config.assertion_audience = AssertionAudience::IssuerOnly;
    let jwt = kit.assertion(&key_a(), PK_JWT, Some(ISSUER));
    assert_tokens(&send(&mut kit, PK_JWT, &jwt));
    let jwt = kit.assertion(&key_a(), PK_JWT, Some(TOKEN_ENDPOINT));
    let r = send(&mut kit, PK_JWT, &jwt);
    assert_invalid_client(&r);
    assert_eq!(claim_error(&r), jwt_verify::ClaimError::Audience);
    let jwt = kit.assertion(
        &hmac_key(Algorithm::HS512, SECRET),
        SECRET_JWT,
        Some(TOKEN_ENDPOINT),
    );
    assert_invalid_client(&send(&mut kit, SECRET_JWT, &jwt));
}

/// A client_credentials request received at `endpoint` (an alias of the token endpoint).
fn send_at(kit: &mut TestKit, endpoint: &str, client_id: &str, assertion: &str) -> Reply {
    let body = oauth_testkit::encode_form(&assertion_form(client_id, assertion));
    let req = oauth_core::HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .endpoint_url(endpoint);
    Reply::from(kit.token_request(&req))
}

#[test]
fn aud_may_name_the_endpoint_that_received_the_assertion() {
    // RFC 9126 section 2 / CIBA section 7.1: the URL of the receiving endpoint is an
    // accepted audience, for that endpoint only.
    const ALIAS: &str = "https://as.example.com/t1/authn/token";
    let mut kit = kit();
    let jwt = kit.assertion(&key_a(), PK_JWT, Some(ALIAS));
    assert_tokens(&send_at(&mut kit, ALIAS, PK_JWT, &jwt));
    let jwt = kit.assertion(&key_a(), PK_JWT, Some(ALIAS));
    let r = send(&mut kit, PK_JWT, &jwt);
    assert_invalid_client(&r);
    assert_eq!(claim_error(&r), jwt_verify::ClaimError::Audience);
    // The issuer and the token endpoint stay accepted at the alias.
    let jwt = kit.assertion(&key_a(), PK_JWT, Some(TOKEN_ENDPOINT));
    assert_tokens(&send_at(&mut kit, ALIAS, PK_JWT, &jwt));
    // Issuer-only: the alias is refused there too.
    kit.config.assertion_audience = AssertionAudience::IssuerOnly;
    let jwt = kit.assertion(&key_a(), PK_JWT, Some(ALIAS));
    assert_invalid_client(&send_at(&mut kit, ALIAS, PK_JWT, &jwt));
}

#[test]
fn exp_is_required() {
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "no-exp");
        c.as_object_mut().unwrap().remove("exp");
        c
    });
    assert!(
        errs.iter()
            .all(|e| *e == jwt_verify::ClaimError::Missing("exp"))
    );
}

#[test]
fn expired_assertion_is_refused() {
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "expired");
        c["iat"] = (kit.now - 600).into();
        c["exp"] = (kit.now - kit.config.leeway - 1).into();
        c
    });
    assert!(errs.iter().all(|e| *e == jwt_verify::ClaimError::Expired));
}

#[test]
fn assertion_expires_on_the_virtual_clock() {
    let mut kit = kit();
    let jwt = kit.assertion(&key_a(), PK_JWT, None); // exp = now + 60
    kit.advance(60 + kit.config.leeway);
    let r = send(&mut kit, PK_JWT, &jwt);
    assert_invalid_client(&r);
    assert_eq!(claim_error(&r), jwt_verify::ClaimError::Expired);
}

#[test]
fn exp_beyond_the_maximum_assertion_lifetime_is_refused() {
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "far");
        c["exp"] = (kit.now + kit.config.max_assertion_lifetime + kit.config.leeway + 1).into();
        c
    });
    assert!(
        errs.iter()
            .all(|e| *e == jwt_verify::ClaimError::LifetimeTooLong)
    );
    // Within the bound it is accepted.
    let mut kit = kit();
    let mut c = claims(&kit, PK_JWT, "near");
    c["exp"] = (kit.now + kit.config.max_assertion_lifetime).into();
    let jwt = es256(&mut kit, &c);
    assert_tokens(&send(&mut kit, PK_JWT, &jwt));
}

#[test]
fn nbf_in_the_future_is_refused() {
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "nbf");
        c["nbf"] = (kit.now + kit.config.leeway + 1).into();
        c
    });
    assert!(
        errs.iter()
            .all(|e| *e == jwt_verify::ClaimError::NotYetValid)
    );
}

#[test]
fn iat_in_the_future_beyond_the_leeway_is_refused() {
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "iat");
        c["iat"] = (kit.now + kit.config.leeway + 1).into();
        c
    });
    assert!(
        errs.iter()
            .all(|e| *e == jwt_verify::ClaimError::IssuedInFuture)
    );
}

#[test]
fn jti_is_required() {
    let errs = both_refuse(|kit, id| {
        let mut c = claims(kit, id, "x");
        c.as_object_mut().unwrap().remove("jti");
        c
    });
    assert!(
        errs.iter()
            .all(|e| *e == jwt_verify::ClaimError::Missing("jti"))
    );
}

#[test]
fn replayed_assertion_is_invalid_client() {
    let mut kit = kit();
    for (id, key) in [
        (SECRET_JWT, hmac_key(Algorithm::HS256, SECRET)),
        (PK_JWT, key_a()),
    ] {
        let jwt = kit.assertion(&key, id, None);
        assert_tokens(&send(&mut kit, id, &jwt));
        let r = send(&mut kit, id, &jwt);
        assert_invalid_client(&r);
        assert_eq!(auth_failure(&r), &AuthFailure::AssertionReplayed);
    }
}

#[test]
fn a_new_assertion_reusing_a_jti_is_a_replay() {
    let mut kit = kit();
    let c = claims(&kit, PK_JWT, "same");
    let first = es256(&mut kit, &c);
    assert_tokens(&send(&mut kit, PK_JWT, &first));
    kit.advance(5);
    let mut c = claims(&kit, PK_JWT, "same");
    c["iat"] = kit.now.into();
    let second = es256(&mut kit, &c);
    assert_ne!(first, second);
    let r = send(&mut kit, PK_JWT, &second);
    assert_invalid_client(&r);
    assert_eq!(auth_failure(&r), &AuthFailure::AssertionReplayed);
}

#[test]
fn replay_check_runs_only_after_every_other_check_passed() {
    // The jti is consumed atomically after signature and claims were checked: the step
    // order proves it, and a refused assertion leaves its jti unconsumed.
    let mut kit = kit();
    let mut bad = claims(&kit, PK_JWT, "shared");
    bad["aud"] = "https://other.example".into();
    let bad = es256(&mut kit, &bad);
    kit.steps.clear();
    assert_invalid_client(&send(&mut kit, PK_JWT, &bad));
    assert_eq!(kit.steps, ["lookup_client"]);

    let forged = kit.sign_claims(&key_b().with_kid("a-1"), &claims(&kit, PK_JWT, "shared"));
    kit.steps.clear();
    assert_invalid_client(&send(&mut kit, PK_JWT, &forged));
    assert_eq!(kit.steps, ["lookup_client"]);

    let good = claims(&kit, PK_JWT, "shared");
    let good = es256(&mut kit, &good);
    kit.steps.clear();
    assert_tokens(&send(&mut kit, PK_JWT, &good));
    assert_eq!(kit.steps.first(), Some(&"lookup_client"));
    assert_eq!(kit.steps.get(1), Some(&"check_replay"));
}

#[test]
fn client_secret_jwt_refuses_an_asymmetric_assertion() {
    // client_secret_jwt means a MAC over the secret (OIDC Core section 9); an RS256 or ES256
    // signature, even by a key the server knows, is not that.
    let mut kit = kit();
    for key in [rsa_key(Algorithm::RS256), key_a()] {
        let jwt = kit.assertion(&key, SECRET_JWT, None);
        let r = send(&mut kit, SECRET_JWT, &jwt);
        assert_invalid_client(&r);
    }
}

#[test]
fn private_key_jwt_refuses_an_hmac_keyed_with_public_material() {
    // Algorithm confusion: an HS256 MAC keyed with the client's public key must not verify.
    let mut kit = kit();
    let jwk = public_jwk(&key_a(), true);
    let x = Base64UrlUnpadded::decode_vec(jwk["x"].as_str().unwrap()).unwrap();
    let y = Base64UrlUnpadded::decode_vec(jwk["y"].as_str().unwrap()).unwrap();
    let mut point = vec![4u8];
    point.extend(&x);
    point.extend(&y);
    let candidates: Vec<Vec<u8>> = vec![
        jwk.to_string().into_bytes(),
        jwks(std::slice::from_ref(&jwk)).to_string().into_bytes(),
        point,
        x,
        CLIENT_A_CERT_PEM.as_bytes().to_vec(),
    ];
    for material in candidates {
        let key = jwt_verify::SigningKey::hmac(Algorithm::HS256, &material)
            .unwrap()
            .with_kid("a-1");
        let jwt = kit.assertion(&key, PK_JWT, None);
        let r = send(&mut kit, PK_JWT, &jwt);
        assert_invalid_client(&r);
    }
}

#[test]
fn pinned_signing_alg_is_enforced_for_client_secret_jwt() {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "pinned", "client_secret": SECRET,
        "token_endpoint_auth_method": "client_secret_jwt",
        "token_endpoint_auth_signing_alg": "HS512",
        "grant_types": ["client_credentials"],
    }));
    for alg in [Algorithm::HS256, Algorithm::HS384] {
        let jwt = kit.assertion(&hmac_key(alg, SECRET), "pinned", None);
        let r = send(&mut kit, "pinned", &jwt);
        assert_invalid_client(&r);
        assert_eq!(auth_failure(&r), &AuthFailure::AssertionAlgorithm);
    }
    let jwt = kit.assertion(&hmac_key(Algorithm::HS512, SECRET), "pinned", None);
    assert_tokens(&send(&mut kit, "pinned", &jwt));
}

#[test]
fn pinned_signing_alg_is_enforced_for_private_key_jwt() {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "pinned", "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "PS256",
        "jwks": jwks(&[public_jwk(&rsa_key(Algorithm::RS256), false)]),
        "grant_types": ["client_credentials"],
    }));
    let jwt = kit.assertion(&rsa_key(Algorithm::RS256), "pinned", None);
    let r = send(&mut kit, "pinned", &jwt);
    assert_invalid_client(&r);
    assert_eq!(auth_failure(&r), &AuthFailure::AssertionAlgorithm);
    let jwt = kit.assertion(&rsa_key(Algorithm::PS256), "pinned", None);
    assert_tokens(&send(&mut kit, "pinned", &jwt));
}

#[test]
fn wrong_client_assertion_type_is_refused() {
    let mut kit = kit();
    for ty in [
        "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "URN:IETF:PARAMS:OAUTH:CLIENT-ASSERTION-TYPE:JWT-BEARER",
        "jwt",
    ] {
        let jwt = kit.assertion(&key_a(), PK_JWT, None);
        let r = kit.post_token(
            &[
                ("grant_type", "client_credentials"),
                ("client_id", PK_JWT),
                ("client_assertion_type", ty),
                ("client_assertion", &jwt),
            ],
            None,
        );
        assert!(
            matches!(r.error(), Some("invalid_client" | "invalid_request")),
            "{ty}: {}",
            r.json
        );
        assert_error(&r, r.status(), r.error().unwrap());
        assert!(!kit.steps.contains(&"check_replay"));
    }
}

#[test]
fn missing_client_assertion_type_is_refused() {
    let mut kit = kit();
    let jwt = kit.assertion(&key_a(), PK_JWT, None);
    let r = kit.post_token(
        &[
            ("grant_type", "client_credentials"),
            ("client_id", PK_JWT),
            ("client_assertion", &jwt),
        ],
        None,
    );
    assert!(
        matches!(r.error(), Some("invalid_client" | "invalid_request")),
        "{}",
        r.json
    );
    assert_error(&r, r.status(), r.error().unwrap());
    // And the type without an assertion authenticates nobody.
    let r = kit.post_token(
        &[
            ("grant_type", "client_credentials"),
            ("client_id", PK_JWT),
            ("client_assertion_type", JWT_BEARER),
        ],
        None,
    );
    assert!(r.status() == 400 || r.status() == 401, "{}", r.json);
    assert!(r.get("access_token").is_none());
}

#[test]
fn client_id_may_be_omitted_and_is_taken_from_the_assertion() {
    // RFC 7521 section 4.2: client_id is optional with an assertion.
    let mut kit = kit();
    for (id, key) in [
        (SECRET_JWT, hmac_key(Algorithm::HS384, SECRET)),
        (PK_JWT, key_a()),
    ] {
        let jwt = kit.assertion(&key, id, None);
        let r = kit.post_token(
            &[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &jwt),
            ],
            None,
        );
        assert_tokens(&r);
        match &r.done.outcome {
            oauth_core::Outcome::Succeeded { client_id, .. } => {
                assert_eq!(client_id.as_deref(), Some(id));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn body_client_id_differing_from_the_assertion_subject_is_refused() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "pk-other", "token_endpoint_auth_method": "private_key_jwt",
        "jwks": jwks(&[public_jwk(&key_b(), true)]),
        "grant_types": ["client_credentials"],
    }));
    // The assertion is valid for pk-jwt; the body claims pk-other.
    let jwt = kit.assertion(&key_a(), PK_JWT, None);
    let r = send(&mut kit, "pk-other", &jwt);
    assert_invalid_client(&r);
    // Nor does an assertion by pk-other's key naming pk-jwt authenticate as pk-jwt.
    let jwt = kit.assertion(&key_b(), PK_JWT, None);
    assert_invalid_client(&send(&mut kit, PK_JWT, &jwt));
}

#[test]
fn alg_none_is_refused() {
    let mut kit = kit();
    for header in [
        r#"{"alg":"none"}"#,
        r#"{"alg":"None"}"#,
        r#"{"alg":"NONE","typ":"JWT"}"#,
    ] {
        let payload = claims(&kit, PK_JWT, "none").to_string();
        let unsigned = format!(
            "{}.{}.",
            Base64UrlUnpadded::encode_string(header.as_bytes()),
            Base64UrlUnpadded::encode_string(payload.as_bytes())
        );
        for client in [PK_JWT, SECRET_JWT] {
            let r = send(&mut kit, client, &unsigned);
            assert_invalid_client(&r);
            // Without a client_id the unsigned token must not even pick the client.
            let r = kit.post_token(
                &[
                    ("grant_type", "client_credentials"),
                    ("client_assertion_type", JWT_BEARER),
                    ("client_assertion", &unsigned),
                ],
                None,
            );
            assert_invalid_client(&r);
        }
    }
}

#[test]
fn tampered_assertion_is_refused() {
    let mut kit = kit();
    for (id, key) in [
        (SECRET_JWT, hmac_key(Algorithm::HS256, SECRET)),
        (PK_JWT, key_a()),
        (PK_JWT, rsa_key(Algorithm::PS256).with_kid("rsa-1")),
    ] {
        let jwt = kit.assertion(&key, id, None);
        let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
        // A flipped signature bit.
        let mut sig = Base64UrlUnpadded::decode_vec(&parts[2]).unwrap();
        sig[5] ^= 0x01;
        let flipped = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            Base64UrlUnpadded::encode_string(&sig)
        );
        assert_invalid_client(&send(&mut kit, id, &flipped));
        // A changed claim under the original signature.
        let mut c: Value =
            serde_json::from_slice(&Base64UrlUnpadded::decode_vec(&parts[1]).unwrap()).unwrap();
        c["exp"] = (kit.now + 120).into();
        parts[1] = Base64UrlUnpadded::encode_string(c.to_string().as_bytes());
        assert_invalid_client(&send(&mut kit, id, &parts.join(".")));
        // A truncated signature.
        let cut = &jwt[..jwt.len() - 4];
        assert_invalid_client(&send(&mut kit, id, cut));
        // The untouched assertion still works: it was not consumed by the forgeries.
        assert_tokens(&send(&mut kit, id, &jwt));
    }
}

#[test]
fn malformed_assertions_are_invalid_client() {
    let mut kit = kit();
    for junk in [
        "a.b",
        "not a jwt",
        "a.b.c.d",
        "....",
        "eyJhbGciOiJIUzI1NiJ9..",
        &"A".repeat(10_000),
    ] {
        let r = send(&mut kit, PK_JWT, junk);
        assert_invalid_client(&r);
        assert!(matches!(reason(&r), Reason::ClientAuth(_)));
    }
}
