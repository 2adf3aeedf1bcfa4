#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Client authentication at the token endpoint (RFC 6749 sections 2.3 and 2.3.1, 3.2.1 and
//! 5.2; RFC 7617): Basic and body credentials, one method per request, and a client bound to
//! the method it registered.

mod common;

use base64ct::{Base64, Encoding};
use common::*;
use jwt_verify::Algorithm;
use oauth_core::auth::AuthFailure;
use oauth_core::{AuthMethod, Reason};
use oauth_testkit::{CodeSpec, TestKit, basic};
use serde_json::json;

/// A client id with every character RFC 6749 appendix B makes the client encode: `:` (the
/// Basic separator), `%`, `+`, a space and non-ASCII.
const ODD_ID: &str = "ümlaut:client%+ id/Ω";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "basic-client", "client_secret": SECRET,
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["client_credentials"], "scope": "read write",
    }));
    kit.register(json!({
        "client_id": "post-client", "client_secret": SECRET,
        "token_endpoint_auth_method": "client_secret_post",
        "grant_types": ["client_credentials"], "scope": "read write",
    }));
    kit.register(json!({
        "client_id": ODD_ID, "client_secret": SECRET,
        "grant_types": ["client_credentials"], "scope": "read",
    }));
    kit.register(json!({
        "client_id": "spa", "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "redirect_uris": [REDIRECT], "scope": "openid read",
    }));
    kit
}

const CC: (&str, &str) = ("grant_type", "client_credentials");

#[test]
fn client_secret_basic_authenticates_with_the_registered_secret() {
    let mut kit = kit();
    let r = kit.post_token(&[CC], Some(&basic("basic-client", SECRET)));
    assert_tokens(&r);
    match &r.done.outcome {
        oauth_core::Outcome::Succeeded { client_id, .. } => {
            assert_eq!(client_id.as_deref(), Some("basic-client"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn basic_credentials_are_form_urlencoded_before_base64() {
    // RFC 6749 section 2.3.1: id and secret are encoded with application/x-www-form-urlencoded
    // and then used as the RFC 7617 user-id and password.
    let mut kit = kit();
    let r = kit.post_token(&[CC], Some(&basic(ODD_ID, SECRET)));
    assert_tokens(&r);
}

#[test]
fn basic_credentials_without_form_encoding_do_not_authenticate() {
    // The same id and secret, base64-encoded raw: the `:` in the id splits it early, so the
    // server must not find the client (proving it splits before decoding).
    let mut kit = kit();
    let raw = format!(
        "Basic {}",
        Base64::encode_string(format!("{ODD_ID}:{SECRET}").as_bytes())
    );
    let r = kit.post_token(&[CC], Some(&raw));
    assert_invalid_client(&r);
}

#[test]
fn plus_in_basic_credentials_decodes_to_a_space() {
    // A raw `+` in the encoded secret is a space after form-decoding (appendix B), so a
    // client that skipped the encoding of `+` presents a different secret.
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "plus", "client_secret": "a+b",
        "grant_types": ["client_credentials"],
    }));
    let raw_plus = format!("Basic {}", Base64::encode_string(b"plus:a+b"));
    assert_invalid_client(&kit.post_token(&[CC], Some(&raw_plus)));
    let encoded = format!("Basic {}", Base64::encode_string(b"plus:a%2Bb"));
    assert_tokens(&kit.post_token(&[CC], Some(&encoded)));
}

#[test]
fn basic_auth_scheme_name_is_case_insensitive() {
    // RFC 9110 section 11.1: auth-scheme is case-insensitive.
    let mut kit = kit();
    let value = basic("basic-client", SECRET).replacen("Basic", "bAsIc", 1);
    assert_tokens(&kit.post_token(&[CC], Some(&value)));
}

#[test]
fn client_secret_post_authenticates_with_the_secret_in_the_body() {
    let mut kit = kit();
    let r = kit.post_token(
        &[CC, ("client_id", "post-client"), ("client_secret", SECRET)],
        None,
    );
    assert_tokens(&r);
}

#[test]
fn basic_and_body_secret_together_are_invalid_request() {
    // RFC 6749 section 2.3: "The client MUST NOT use more than one authentication method in
    // each request"; section 5.2: invalid_request for "utilizes more than one mechanism".
    let mut kit = kit();
    let r = kit.post_token(
        &[CC, ("client_id", "basic-client"), ("client_secret", SECRET)],
        Some(&basic("basic-client", SECRET)),
    );
    assert_error(&r, 400, "invalid_request");
    assert_eq!(auth_failure(&r), &AuthFailure::MultipleMethods);
}

#[test]
fn basic_and_client_assertion_together_are_invalid_request() {
    let mut kit = kit();
    let assertion = kit.assertion(&hmac_key(Algorithm::HS256, SECRET), "basic-client", None);
    let mut form = assertion_form("basic-client", &assertion);
    form.retain(|(k, _)| *k != "client_id");
    let r = kit.post_token(&form, Some(&basic("basic-client", SECRET)));
    assert_error(&r, 400, "invalid_request");
    assert!(!kit.steps.contains(&"lookup_client"));
}

#[test]
fn body_secret_and_client_assertion_together_are_invalid_request() {
    let mut kit = kit();
    let assertion = kit.assertion(&hmac_key(Algorithm::HS256, SECRET), "post-client", None);
    let mut form = assertion_form("post-client", &assertion);
    form.push(("client_secret", SECRET));
    let r = kit.post_token(&form, None);
    assert_error(&r, 400, "invalid_request");
}

#[test]
fn basic_client_id_and_body_client_id_must_agree() {
    let mut kit = kit();
    let r = kit.post_token(
        &[CC, ("client_id", "post-client")],
        Some(&basic("basic-client", SECRET)),
    );
    assert!(
        matches!(r.error(), Some("invalid_client" | "invalid_request")),
        "{}",
        r.json
    );
    assert!(r.get("access_token").is_none());
    if r.status() == 401 {
        assert_invalid_client(&r);
    } else {
        assert_error(&r, 400, "invalid_request");
    }
    // The same client id in both places is one method, not a conflict.
    let ok = kit.post_token(&[CC, ("client_id", ODD_ID)], Some(&basic(ODD_ID, SECRET)));
    assert_tokens(&ok);
}

#[test]
fn unknown_client_is_invalid_client_with_a_basic_challenge() {
    let mut kit = kit();
    let r = kit.post_token(&[CC], Some(&basic("nobody", SECRET)));
    assert_invalid_client(&r);
    assert_eq!(auth_failure(&r), &AuthFailure::UnknownClient);
    let r = kit.post_token(
        &[CC, ("client_id", "nobody"), ("client_secret", SECRET)],
        None,
    );
    assert_invalid_client(&r);
}

#[test]
fn wrong_secret_is_invalid_client() {
    let mut kit = kit();
    for wrong in [
        "wrong",
        "",
        &SECRET[..SECRET.len() - 1],
        &format!("{SECRET}x"),
    ] {
        let r = kit.post_token(&[CC], Some(&basic("basic-client", wrong)));
        assert_invalid_client(&r);
        let r = kit.post_token(
            &[CC, ("client_id", "post-client"), ("client_secret", wrong)],
            None,
        );
        assert_invalid_client(&r);
        if !wrong.is_empty() {
            // (An empty client_secret is absent, RFC 6749 section 3.1: no credentials.)
            assert_eq!(auth_failure(&r), &AuthFailure::SecretMismatch);
        }
    }
}

#[test]
fn secret_of_another_client_does_not_authenticate() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "other", "client_secret": "the other secret",
        "grant_types": ["client_credentials"],
    }));
    let r = kit.post_token(&[CC], Some(&basic("basic-client", "the other secret")));
    assert_invalid_client(&r);
}

#[test]
fn confidential_client_sending_no_credentials_is_invalid_client() {
    // RFC 6749 section 3.2.1: confidential clients MUST authenticate at the token endpoint.
    let mut kit = kit();
    for id in ["basic-client", "post-client"] {
        let r = kit.post_token(&[CC, ("client_id", id)], None);
        assert_invalid_client(&r);
        assert!(
            matches!(
                auth_failure(&r),
                AuthFailure::MethodNotRegistered {
                    used: AuthMethod::None,
                    ..
                }
            ),
            "{:?}",
            r.done.outcome
        );
    }
}

#[test]
fn request_with_no_client_at_all_is_invalid_client() {
    // Section 5.2: invalid_client covers "no client authentication included".
    let mut kit = kit();
    let r = kit.post_token(&[CC], None);
    assert_invalid_client(&r);
    assert!(!kit.steps.contains(&"lookup_client"));
}

#[test]
fn repeated_authorization_header_is_invalid_request() {
    let mut kit = kit();
    let body = oauth_testkit::encode_form(&[CC]);
    let a = basic("basic-client", SECRET);
    let req = oauth_core::HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .header("Authorization", a.as_bytes())
        .header("authorization", a.as_bytes());
    let r = oauth_testkit::Reply::from(kit.token_request(&req));
    assert_error(&r, 400, "invalid_request");
    assert_eq!(auth_failure(&r), &AuthFailure::RepeatedAuthorization);
}

#[test]
fn unsupported_authorization_scheme_is_invalid_client() {
    // Section 5.2: invalid_client for an "unsupported authentication method"; the 401 names
    // the scheme the server supports.
    let mut kit = kit();
    for value in [
        "Bearer abc.def.ghi",
        "Digest username=\"basic-client\"",
        "DPoP abc",
    ] {
        let r = kit.post_token(&[CC, ("client_id", "basic-client")], Some(value));
        assert_invalid_client(&r);
        assert_eq!(auth_failure(&r), &AuthFailure::UnsupportedScheme, "{value}");
    }
}

#[test]
fn malformed_basic_credentials_are_invalid_client() {
    let mut kit = kit();
    for value in [
        "Basic",
        "Basic !!!!",
        "Basic YmFzaWMtY2xpZW50",                                // no colon
        &format!("Basic {}", Base64::encode_string(b":secret")), // empty id
        &format!("Basic {}", Base64::encode_string(b"c:%zz")),   // bad percent-encoding
        &format!("Basic {}", Base64::encode_string(b"c:\xff\xfe")), // not UTF-8
    ] {
        let r = kit.post_token(&[CC], Some(value));
        assert_invalid_client(&r);
    }
}

#[test]
fn public_client_redeems_a_code_with_pkce_and_no_secret() {
    // RFC 6749 section 4.1.3: a public client sends its client_id; RFC 7636 protects the code.
    let mut kit = kit();
    let code = kit.issue_code(CodeSpec {
        client_id: "spa",
        redirect_uri: Some(REDIRECT),
        code_verifier: Some(VERIFIER),
        nonce: None,
        scope: "read",
        sub: "alice",
    });
    let r = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", "spa"),
        ],
        None,
    );
    assert_tokens(&r);
}

#[test]
fn public_client_presenting_a_secret_is_refused() {
    // A `none` client has no secret; one presented is a method it did not register.
    let mut kit = kit();
    let code = kit.issue_code(CodeSpec {
        client_id: "spa",
        redirect_uri: Some(REDIRECT),
        code_verifier: Some(VERIFIER),
        nonce: None,
        scope: "read",
        sub: "alice",
    });
    let r = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
        Some(&basic("spa", "guess")),
    );
    assert_invalid_client(&r);
}

// ---------------------------------------------------------------------------------------
// A client registered for one method refuses every other one, even when it holds the
// credential that other method would use (RFC 7591 section 2 `token_endpoint_auth_method`;
// OpenID Connect Core section 9).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presented {
    Basic,
    Post,
    SecretJwt,
    PrivateKeyJwt,
    Certificate,
    Nothing,
}

const ALL_PRESENTED: [Presented; 6] = [
    Presented::Basic,
    Presented::Post,
    Presented::SecretJwt,
    Presented::PrivateKeyJwt,
    Presented::Certificate,
    Presented::Nothing,
];

/// Registers `id` for `method`, with every credential any method could use: the secret, the
/// key of client A (also the key of certificate A) and certificate A's subject DN.
fn register_with_everything(kit: &mut TestKit, id: &str, method: AuthMethod) {
    kit.register(json!({
        "client_id": id,
        "token_endpoint_auth_method": method.as_str(),
        "client_secret": SECRET,
        "jwks": jwks(&[public_jwk(&key_a(), true)]),
        "tls_client_auth_subject_dn": "CN=client a,O=Example AB,C=SE",
        "grant_types": ["refresh_token"],
    }));
}

/// A refresh request with an unknown refresh token: `invalid_grant` (400) shows the client
/// authenticated, `invalid_client` (401) that it did not.
fn present(kit: &mut TestKit, id: &str, how: Presented) -> oauth_testkit::Reply {
    let mut form: Vec<(&str, &str)> = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", "no-such-token"),
    ];
    let cert = der(CLIENT_A_CERT_PEM);
    let assertion;
    match how {
        Presented::Basic => post(kit, &form, Some(&basic(id, SECRET)), None),
        Presented::Post => {
            form.extend([("client_id", id), ("client_secret", SECRET)]);
            post(kit, &form, None, None)
        }
        Presented::SecretJwt => {
            assertion = kit.assertion(&hmac_key(Algorithm::HS256, SECRET), id, None);
            form.extend(assertion_form(id, &assertion).into_iter().skip(1));
            post(kit, &form, None, None)
        }
        Presented::PrivateKeyJwt => {
            assertion = kit.assertion(&key_a(), id, None);
            form.extend(assertion_form(id, &assertion).into_iter().skip(1));
            post(kit, &form, None, None)
        }
        Presented::Certificate => {
            form.push(("client_id", id));
            post(kit, &form, None, Some(&cert))
        }
        Presented::Nothing => {
            form.push(("client_id", id));
            post(kit, &form, None, None)
        }
    }
}

fn only(method: AuthMethod, accepted: Presented) {
    let mut kit = TestKit::new();
    let id = format!("{}-client", method.as_str());
    register_with_everything(&mut kit, &id, method);
    for how in ALL_PRESENTED {
        if method == AuthMethod::None && how == Presented::Certificate {
            // A certificate is no credential for a public client: nothing is presented.
            continue;
        }
        let r = present(&mut kit, &id, how);
        if how == accepted {
            assert_error(&r, 400, "invalid_grant");
            assert_eq!(reason(&r), &Reason::UnknownGrant, "{method:?} via {how:?}");
        } else {
            assert_eq!(
                r.status(),
                401,
                "{method:?} client authenticated via {how:?}: {}",
                r.json
            );
            assert_invalid_client(&r);
        }
    }
}

#[test]
fn client_secret_basic_client_refuses_every_other_method() {
    only(AuthMethod::ClientSecretBasic, Presented::Basic);
}

#[test]
fn client_secret_post_client_refuses_every_other_method() {
    only(AuthMethod::ClientSecretPost, Presented::Post);
}

#[test]
fn client_secret_jwt_client_refuses_every_other_method() {
    only(AuthMethod::ClientSecretJwt, Presented::SecretJwt);
}

#[test]
fn private_key_jwt_client_refuses_every_other_method() {
    only(AuthMethod::PrivateKeyJwt, Presented::PrivateKeyJwt);
}

#[test]
fn tls_client_auth_client_refuses_every_other_method() {
    only(AuthMethod::TlsClientAuth, Presented::Certificate);
}

#[test]
fn self_signed_tls_client_auth_client_refuses_every_other_method() {
    only(AuthMethod::SelfSignedTlsClientAuth, Presented::Certificate);
}

#[test]
fn public_client_refuses_every_credential() {
    only(AuthMethod::None, Presented::Nothing);
}
