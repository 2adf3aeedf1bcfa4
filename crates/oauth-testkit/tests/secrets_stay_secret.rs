#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! No credential a request carried comes back: not in the response (RFC 6749 section 10.3
//! and 10.4: secrets, codes and tokens are confidential in transit and storage; RFC 7523
//! assertions are credentials) and not in the audit outcome the host logs.

mod common;

use common::*;
use jwt_verify::Algorithm;
use oauth_testkit::{CodeSpec, Reply, TestKit, basic, encode_form};
use serde_json::json;

const PASSWORD: &str = "correct horse:battery%staple";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "web", "client_secret": SECRET,
        "grant_types": ["authorization_code", "refresh_token", "client_credentials", "password"],
        "redirect_uris": [REDIRECT], "scope": "openid read",
    }));
    kit.register(json!({
        "client_id": "jwt", "client_secret": SECRET,
        "token_endpoint_auth_method": "client_secret_jwt",
        "grant_types": ["client_credentials"], "scope": "read",
    }));
    kit.add_user("alice", PASSWORD, "alice");
    kit
}

/// Neither the body, the headers, the outcome's `Debug` nor (for refusals) the whole
/// `Debug` of the result contains any of `secrets`, raw or form-encoded.
fn assert_secret_free(r: &Reply, secrets: &[&str]) {
    let body = String::from_utf8_lossy(&r.done.response.body).into_owned();
    let headers = format!("{:?}", r.done.response.headers);
    let outcome = format!("{:?}", r.done.outcome);
    let whole = if r.status() == 200 {
        String::new()
    } else {
        format!("{:?}", r.done)
    };
    for secret in secrets {
        let encoded = encode_form(&[("", secret)]);
        let encoded = encoded.trim_start_matches('=');
        for form in [*secret, encoded] {
            for (what, text) in [
                ("body", &body),
                ("headers", &headers),
                ("outcome", &outcome),
                ("debug", &whole),
            ] {
                assert!(
                    !text.contains(form),
                    "{what} contains a secret ({form:?}): {text}"
                );
            }
        }
    }
}

#[test]
fn client_secret_never_comes_back() {
    let mut kit = kit();
    let wrong = "wrong-but-still-a-secret-value";
    let cc = [("grant_type", "client_credentials")];
    for r in [
        kit.post_token(&cc, Some(&basic("web", SECRET))),
        kit.post_token(&cc, Some(&basic("web", wrong))),
        kit.post_token(&cc, Some(&basic("nobody", wrong))),
        kit.post_token(
            &[cc[0], ("client_id", "web"), ("client_secret", SECRET)],
            None,
        ),
        kit.post_token(
            &[cc[0], ("client_id", "web"), ("client_secret", wrong)],
            Some(&basic("web", SECRET)),
        ),
        kit.post_token(&[("grant_type", "nope")], Some(&basic("web", wrong))),
    ] {
        let basic_value = basic("web", wrong);
        let b64 = basic_value.trim_start_matches("Basic ");
        assert_secret_free(&r, &[SECRET, wrong, b64]);
    }
}

#[test]
fn client_assertion_never_comes_back() {
    let mut kit = kit();
    let jwt = kit.assertion(&hmac_key(Algorithm::HS256, SECRET), "jwt", None);
    let signature = jwt.rsplit('.').next().unwrap().to_owned();
    let ok = kit.post_token(&assertion_form("jwt", &jwt), None);
    assert_tokens(&ok);
    let replayed = kit.post_token(&assertion_form("jwt", &jwt), None);
    assert_invalid_client(&replayed);
    let mut bad = claims(&kit, "jwt", "aud");
    bad["aud"] = "https://other.example".into();
    let bad = kit.sign_claims(&hmac_key(Algorithm::HS256, SECRET), &bad);
    let refused = kit.post_token(&assertion_form("jwt", &bad), None);
    assert_invalid_client(&refused);
    for r in [&ok, &replayed] {
        assert_secret_free(r, &[SECRET, &jwt, &signature]);
    }
    assert_secret_free(&refused, &[SECRET, &bad, bad.rsplit('.').next().unwrap()]);
}

#[test]
fn password_never_comes_back() {
    let mut kit = kit();
    let auth = basic("web", SECRET);
    let ok = kit.post_token(
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", PASSWORD),
            ("scope", "openid"),
        ],
        Some(&auth),
    );
    assert_tokens(&ok);
    let wrong = kit.post_token(
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "not the password at all"),
        ],
        Some(&auth),
    );
    assert_error(&wrong, 400, "invalid_grant");
    for r in [&ok, &wrong] {
        assert_secret_free(r, &[PASSWORD, "not the password at all", SECRET]);
    }
    // The ID token does not carry it either.
    let (_, claims) = jws_parts(&member(&ok, "id_token"));
    assert!(!claims.to_string().contains(PASSWORD));
}

#[test]
fn code_verifier_and_refresh_token_never_come_back() {
    let mut kit = kit();
    let auth = basic("web", SECRET);
    let code = kit.issue_code(CodeSpec {
        client_id: "web",
        redirect_uri: Some(REDIRECT),
        code_verifier: Some(VERIFIER),
        nonce: None,
        scope: "read",
        sub: "alice",
    });
    let wrong_verifier = VERIFIER.replace('d', "q");
    let refused = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &wrong_verifier),
        ],
        Some(&auth),
    );
    assert_error(&refused, 400, "invalid_grant");
    assert_secret_free(&refused, &[&code, &wrong_verifier, VERIFIER, SECRET]);

    let code = kit.issue_code(CodeSpec {
        client_id: "web",
        redirect_uri: Some(REDIRECT),
        code_verifier: Some(VERIFIER),
        nonce: None,
        scope: "read",
        sub: "alice",
    });
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let ok = kit.post_token(&form, Some(&auth));
    assert_tokens(&ok);
    assert_secret_free(&ok, &[&code, VERIFIER, SECRET]);
    let rt = member(&ok, "refresh_token");
    let refreshed = kit.post_token(
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
        Some(&auth),
    );
    assert_tokens(&refreshed);
    assert_secret_free(&refreshed, &[&rt, SECRET]);
    let reused = kit.post_token(
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
        Some(&auth),
    );
    assert_error(&reused, 400, "invalid_grant");
    assert_secret_free(&reused, &[&rt, SECRET]);
    let code_reuse = kit.post_token(&form, Some(&auth));
    assert_error(&code_reuse, 400, "invalid_grant");
    assert_secret_free(&code_reuse, &[&code, VERIFIER, SECRET]);
}
