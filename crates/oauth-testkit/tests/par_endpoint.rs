#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The pushed authorization request endpoint (RFC 9126 section 2): client authentication with
//! every method and the audiences an assertion may name, validation of the pushed request as
//! the authorization endpoint would validate it (RFC 6749 section 4.1.1, RFC 7636, OIDC Core
//! section 3.1.2), the 201 response and its `request_uri`, and the size and method limits of
//! section 2.3.

use std::collections::HashSet;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_verify::{Algorithm, SigningKey};
use oauth_core::authorize::{AuthorizationRequest, REQUEST_URI_PREFIX, ResponseMode};
use oauth_core::drive::AuthorizeEnd;
use oauth_core::records::ChallengeMethod;
use oauth_core::{AssertionAudience, HttpRequest, Method, Outcome};
use oauth_testkit::{ISSUER, PAR_RSA_KEY_PEM, Reply, TOKEN_ENDPOINT, TestKit, basic, s256};
use serde_json::{Value, json};

const SECRET: &str = "par-secret-0123456789-0123456789-0123456789";
const REDIRECT: &str = "https://app.example.com/cb";
const OTHER_REDIRECT: &str = "https://app.example.com/other";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn es_key() -> SigningKey {
    SigningKey::generate_es256(&[7; 32])
        .unwrap()
        .with_kid("es-client")
}

fn other_es_key() -> SigningKey {
    SigningKey::generate_es256(&[9; 32])
        .unwrap()
        .with_kid("es-client")
}

fn rs_key() -> SigningKey {
    SigningKey::from_pkcs8_pem(Algorithm::RS256, PAR_RSA_KEY_PEM)
        .unwrap()
        .with_kid("rs-client")
}

fn jwks(key: &SigningKey) -> Value {
    let jwk = key.verifying_key().unwrap().public_jwk().unwrap();
    json!({ "keys": [serde_json::to_value(jwk).unwrap()] })
}

fn hs_key() -> SigningKey {
    SigningKey::hmac(Algorithm::HS256, SECRET.as_bytes()).unwrap()
}

fn par_url(kit: &TestKit) -> String {
    kit.config.endpoints.par.clone()
}

/// A tenant with one client per authentication method, a public client, a client with two
/// redirect URIs and one registered only for a response type the endpoint does not issue.
fn kit() -> TestKit {
    let mut kit = TestKit::new();
    let code = json!(["authorization_code", "refresh_token"]);
    for (id, method) in [
        ("basic", "client_secret_basic"),
        ("post", "client_secret_post"),
        ("hs-jwt", "client_secret_jwt"),
    ] {
        kit.register(json!({
            "client_id": id, "client_secret": SECRET, "token_endpoint_auth_method": method,
            "grant_types": code, "redirect_uris": [REDIRECT], "scope": "openid profile read",
        }));
    }
    kit.register(json!({
        "client_id": "es-jwt", "token_endpoint_auth_method": "private_key_jwt",
        "jwks": jwks(&es_key()), "grant_types": code,
        "redirect_uris": [REDIRECT], "scope": "openid profile read",
    }));
    kit.register(json!({
        "client_id": "rs-jwt", "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "RS256", "jwks": jwks(&rs_key()), "grant_types": code,
        "redirect_uris": [REDIRECT], "scope": "openid profile read",
    }));
    kit.register(json!({
        "client_id": "spa", "token_endpoint_auth_method": "none", "grant_types": code,
        "redirect_uris": [REDIRECT], "scope": "openid profile",
    }));
    kit.register(json!({
        "client_id": "two-uris", "client_secret": SECRET, "grant_types": code,
        "redirect_uris": [REDIRECT, OTHER_REDIRECT], "scope": "openid",
    }));
    kit.register(json!({
        "client_id": "hybrid-only", "client_secret": SECRET, "grant_types": code,
        "response_types": ["code id_token"], "redirect_uris": [REDIRECT], "scope": "openid",
    }));
    kit
}

/// The parameters of a valid code request with PKCE.
fn request_params(challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".to_owned()),
        ("redirect_uri", REDIRECT.to_owned()),
        ("scope", "openid profile".to_owned()),
        ("state", "st-1".to_owned()),
        ("code_challenge", challenge.to_owned()),
        ("code_challenge_method", "S256".to_owned()),
    ]
}

fn pairs<'a>(owned: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    owned.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Pushes `extra` plus a valid request as `basic`.
fn push_basic(kit: &mut TestKit, extra: &[(&str, &str)]) -> Reply {
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    form.extend_from_slice(extra);
    form.retain(|(_, v)| !v.is_empty());
    kit.post_par(&form, Some(&basic("basic", SECRET)))
}

/// Pushes a valid request authenticated by a client assertion.
fn push_with_assertion(kit: &mut TestKit, client_id: &str, assertion: &str) -> Reply {
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.extend_from_slice(&[
        ("client_id", client_id),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ]);
    kit.post_par(&form, None)
}

/// RFC 9126 section 2.2: 201, a JSON object with `request_uri` and `expires_in`, not cached.
/// Returns the `request_uri`.
fn assert_created(r: &Reply) -> String {
    assert_eq!(r.status(), 201, "{} / {:?}", r.json, r.done.outcome);
    assert!(
        r.header("Content-Type")
            .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json")),
        "{:?}",
        r.header("Content-Type")
    );
    assert!(
        r.header("Cache-Control")
            .is_some_and(|c| c.contains("no-store")),
        "{:?}",
        r.header("Cache-Control")
    );
    let uri = r.get("request_uri").expect("request_uri").to_owned();
    assert!(uri.starts_with(REQUEST_URI_PREFIX), "{uri}");
    assert!(
        r.json["expires_in"].as_u64().is_some_and(|e| e > 0),
        "{}",
        r.json
    );
    assert!(
        matches!(r.done.outcome, Outcome::Succeeded { .. }),
        "{:?}",
        r.done.outcome
    );
    uri
}

/// An error response of the PAR endpoint (RFC 9126 section 2.3, RFC 6749 section 5.2).
fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status(), status, "{} / {:?}", r.json, r.done.outcome);
    assert_eq!(r.error(), Some(code), "{} / {:?}", r.json, r.done.outcome);
    assert!(r.get("request_uri").is_none());
    assert!(
        r.header("Cache-Control")
            .is_some_and(|c| c.contains("no-store")),
        "{:?}",
        r.header("Cache-Control")
    );
    match &r.done.outcome {
        Outcome::Rejected { error, .. } => assert_eq!(error.code.as_str(), code),
        other => panic!("wire says {code}, outcome says {other:?}"),
    }
    if status == 401 {
        let challenge = r.header("WWW-Authenticate").expect("a 401 challenges");
        assert!(
            challenge.to_ascii_lowercase().starts_with("basic"),
            "{challenge}"
        );
    }
}

fn assert_invalid_client(r: &Reply) {
    assert_error(r, 401, "invalid_client");
}

/// The request stored under `request_uri`, read back through the authorization endpoint's
/// login page (no session).
fn pushed(kit: &mut TestKit, client_id: &str, request_uri: &str) -> AuthorizationRequest {
    let saved = kit.session.take();
    let end = kit.authorize(&[("client_id", client_id), ("request_uri", request_uri)]);
    kit.session = saved;
    match end {
        AuthorizeEnd::Interact(i) => i.request,
        AuthorizeEnd::Done(d) => panic!("expected a login page, got {d:?}"),
    }
}

// ---- client authentication -------------------------------------------------------------

#[test]
fn par_accepts_client_secret_basic() {
    let mut kit = kit();
    let r = push_basic(&mut kit, &[]);
    let uri = assert_created(&r);
    assert_eq!(pushed(&mut kit, "basic", &uri).client_id, "basic");
}

#[test]
fn par_accepts_client_secret_post() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.extend_from_slice(&[("client_id", "post"), ("client_secret", SECRET)]);
    let r = kit.post_par(&form, None);
    let uri = assert_created(&r);
    assert_eq!(pushed(&mut kit, "post", &uri).client_id, "post");
}

#[test]
fn par_rejects_a_wrong_secret_with_basic_and_with_post() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let form = pairs(&owned);
    let r = kit.post_par(&form, Some(&basic("basic", "wrong-secret")));
    assert_invalid_client(&r);
    let mut post = form.clone();
    post.extend_from_slice(&[("client_id", "post"), ("client_secret", "wrong-secret")]);
    let r = kit.post_par(&post, None);
    assert_invalid_client(&r);
}

#[test]
fn par_rejects_an_unauthenticated_confidential_client() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.push(("client_id", "basic"));
    assert_invalid_client(&kit.post_par(&form, None));
}

#[test]
fn par_rejects_an_unknown_client() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let form = pairs(&owned);
    assert_invalid_client(&kit.post_par(&form, Some(&basic("nobody", SECRET))));
}

#[test]
fn par_rejects_a_body_client_id_that_differs_from_the_basic_one() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.push(("client_id", "post"));
    assert_invalid_client(&kit.post_par(&form, Some(&basic("basic", SECRET))));
}

#[test]
fn par_accepts_client_secret_jwt_addressed_to_the_par_endpoint() {
    let mut kit = kit();
    let aud = par_url(&kit);
    let a = kit.assertion(&hs_key(), "hs-jwt", Some(&aud));
    let uri = assert_created(&push_with_assertion(&mut kit, "hs-jwt", &a));
    assert_eq!(pushed(&mut kit, "hs-jwt", &uri).client_id, "hs-jwt");
}

#[test]
fn par_accepts_private_key_jwt_es256_addressed_to_the_par_endpoint() {
    let mut kit = kit();
    let aud = par_url(&kit);
    let a = kit.assertion(&es_key(), "es-jwt", Some(&aud));
    let uri = assert_created(&push_with_assertion(&mut kit, "es-jwt", &a));
    assert_eq!(pushed(&mut kit, "es-jwt", &uri).client_id, "es-jwt");
}

#[test]
fn par_accepts_private_key_jwt_rs256_addressed_to_the_par_endpoint() {
    let mut kit = kit();
    let aud = par_url(&kit);
    let a = kit.assertion(&rs_key(), "rs-jwt", Some(&aud));
    let uri = assert_created(&push_with_assertion(&mut kit, "rs-jwt", &a));
    assert_eq!(pushed(&mut kit, "rs-jwt", &uri).client_id, "rs-jwt");
}

#[test]
fn par_accepts_a_private_key_jwt_without_client_id_in_the_body() {
    // RFC 7521 section 4.2: client_id may be omitted; the assertion's sub names the client.
    let mut kit = kit();
    let aud = par_url(&kit);
    let a = kit.assertion(&es_key(), "es-jwt", Some(&aud));
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.extend_from_slice(&[
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", &a),
    ]);
    let uri = assert_created(&kit.post_par(&form, None));
    assert_eq!(pushed(&mut kit, "es-jwt", &uri).client_id, "es-jwt");
}

#[test]
fn par_accepts_the_token_endpoint_url_and_the_issuer_as_assertion_audience() {
    // RFC 9126 section 2: the issuer, the token endpoint URL or the PAR endpoint URL.
    let mut kit = kit();
    for aud in [TOKEN_ENDPOINT, ISSUER] {
        for (id, key) in [
            ("es-jwt", es_key()),
            ("rs-jwt", rs_key()),
            ("hs-jwt", hs_key()),
        ] {
            let a = kit.assertion(&key, id, Some(aud));
            assert_created(&push_with_assertion(&mut kit, id, &a));
        }
    }
}

#[test]
fn par_accepts_an_audience_array_naming_the_par_endpoint() {
    let mut kit = kit();
    let claims = json!({
        "iss": "es-jwt", "sub": "es-jwt", "aud": ["https://elsewhere.example.com", par_url(&kit)],
        "iat": kit.now, "exp": kit.now + 60, "jti": "aud-array",
    });
    let a = kit.sign_claims(&es_key(), &claims);
    assert_created(&push_with_assertion(&mut kit, "es-jwt", &a));
}

#[test]
fn par_under_issuer_only_audience_rejects_the_endpoint_urls_and_accepts_the_issuer() {
    let mut kit = kit();
    kit.config.assertion_audience = AssertionAudience::IssuerOnly;
    let par = par_url(&kit);
    for aud in [par.as_str(), TOKEN_ENDPOINT] {
        for (id, key) in [
            ("es-jwt", es_key()),
            ("rs-jwt", rs_key()),
            ("hs-jwt", hs_key()),
        ] {
            let a = kit.assertion(&key, id, Some(aud));
            assert_invalid_client(&push_with_assertion(&mut kit, id, &a));
        }
    }
    for (id, key) in [
        ("es-jwt", es_key()),
        ("rs-jwt", rs_key()),
        ("hs-jwt", hs_key()),
    ] {
        let a = kit.assertion(&key, id, Some(ISSUER));
        assert_created(&push_with_assertion(&mut kit, id, &a));
    }
}

#[test]
fn par_rejects_an_assertion_for_another_audience() {
    let mut kit = kit();
    for aud in [
        "https://other.example.com/as/par",
        "https://as.example.com/t1/as/authorize",
        "https://as.example.com/t2/as",
    ] {
        let a = kit.assertion(&es_key(), "es-jwt", Some(aud));
        assert_invalid_client(&push_with_assertion(&mut kit, "es-jwt", &a));
    }
}

#[test]
fn par_rejects_an_assertion_with_a_wrong_iss_or_sub() {
    let mut kit = kit();
    let aud = par_url(&kit);
    for (iss, sub) in [
        ("rs-jwt", "es-jwt"),
        ("es-jwt", "rs-jwt"),
        ("es-jwt", "someone"),
    ] {
        let claims = json!({
            "iss": iss, "sub": sub, "aud": aud, "iat": kit.now, "exp": kit.now + 60,
            "jti": format!("jti-{iss}-{sub}"),
        });
        let a = kit.sign_claims(&es_key(), &claims);
        assert_invalid_client(&push_with_assertion(&mut kit, "es-jwt", &a));
    }
}

#[test]
fn par_rejects_an_assertion_signed_with_an_unregistered_key() {
    let mut kit = kit();
    let aud = par_url(&kit);
    let a = kit.assertion(&other_es_key(), "es-jwt", Some(&aud));
    assert_invalid_client(&push_with_assertion(&mut kit, "es-jwt", &a));
    let wrong_secret =
        SigningKey::hmac(Algorithm::HS256, b"another-secret-0123456789-0123456789").unwrap();
    let a = kit.assertion(&wrong_secret, "hs-jwt", Some(&aud));
    assert_invalid_client(&push_with_assertion(&mut kit, "hs-jwt", &a));
}

#[test]
fn par_rejects_an_expired_assertion() {
    let mut kit = kit();
    let aud = par_url(&kit);
    let a = kit.assertion(&es_key(), "es-jwt", Some(&aud));
    kit.advance(60 + kit.config.leeway + 1);
    assert_invalid_client(&push_with_assertion(&mut kit, "es-jwt", &a));
}

#[test]
fn par_rejects_a_replayed_assertion() {
    let mut kit = kit();
    let aud = par_url(&kit);
    let a = kit.assertion(&es_key(), "es-jwt", Some(&aud));
    assert_created(&push_with_assertion(&mut kit, "es-jwt", &a));
    assert_invalid_client(&push_with_assertion(&mut kit, "es-jwt", &a));
}

#[test]
fn par_rejects_a_secret_client_authenticating_with_another_method() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    // "basic" registered client_secret_basic: a body secret is another method.
    form.extend_from_slice(&[("client_id", "basic"), ("client_secret", SECRET)]);
    assert_invalid_client(&kit.post_par(&form, None));
    // "es-jwt" registered private_key_jwt: an HS256 assertion over nothing it knows.
    let aud = par_url(&kit);
    let a = kit.assertion(&hs_key(), "es-jwt", Some(&aud));
    assert_invalid_client(&push_with_assertion(&mut kit, "es-jwt", &a));
}

#[test]
fn par_accepts_a_public_client_with_pkce_and_no_credentials() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.push(("client_id", "spa"));
    let uri = assert_created(&kit.post_par(&form, None));
    assert_eq!(pushed(&mut kit, "spa", &uri).client_id, "spa");
}

// ---- request validation ----------------------------------------------------------------

#[test]
fn par_rejects_a_request_uri_inside_the_pushed_request() {
    // RFC 9126 section 2.1: request_uri must not be pushed.
    let mut kit = kit();
    let first = assert_created(&push_basic(&mut kit, &[]));
    let r = push_basic(&mut kit, &[("request_uri", &first)]);
    assert_error(&r, 400, "invalid_request");
}

#[test]
fn par_rejects_an_unregistered_redirect_uri() {
    let mut kit = kit();
    for uri in [
        "https://evil.example.com/cb",
        "https://app.example.com/cb/",
        "https://app.example.com/cb?x=1",
        "https://APP.example.com/cb",
    ] {
        let r = push_basic(&mut kit, &[("redirect_uri", uri)]);
        assert_error(&r, 400, "invalid_request");
    }
}

#[test]
fn par_rejects_a_missing_redirect_uri_when_several_are_registered() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.retain(|(k, _)| *k != "redirect_uri");
    let r = kit.post_par(&form, Some(&basic("two-uris", SECRET)));
    assert_error(&r, 400, "invalid_request");
    // With the only registered URI it may be omitted.
    let r = kit.post_par(&form, Some(&basic("basic", SECRET)));
    let uri = assert_created(&r);
    let req = pushed(&mut kit, "basic", &uri);
    assert_eq!(req.redirect_uri, REDIRECT);
    assert!(!req.redirect_uri_given);
}

#[test]
fn par_rejects_a_response_type_the_client_did_not_register() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let form = pairs(&owned);
    let r = kit.post_par(&form, Some(&basic("hybrid-only", SECRET)));
    assert_error(&r, 400, "unauthorized_client");
}

#[test]
fn par_rejects_an_unsupported_or_missing_response_type() {
    let mut kit = kit();
    let r = push_basic(&mut kit, &[("response_type", "token")]);
    assert_error(&r, 400, "unsupported_response_type");
    let r = push_basic(&mut kit, &[("response_type", "")]);
    assert_error(&r, 400, "invalid_request");
}

#[test]
fn par_rejects_a_scope_beyond_the_registration() {
    let mut kit = kit();
    for scope in ["openid admin", "write", "openid profile read email"] {
        let r = push_basic(&mut kit, &[("scope", scope)]);
        assert_error(&r, 400, "invalid_scope");
    }
    let uri = assert_created(&push_basic(&mut kit, &[("scope", "read openid")]));
    let req = pushed(&mut kit, "basic", &uri);
    assert!(req.scope.contains("read") && req.scope.contains("openid"));
    assert!(!req.scope.contains("profile"));
}

#[test]
fn par_requires_pkce_of_public_clients() {
    let mut kit = kit();
    let form = [
        ("client_id", "spa"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
    ];
    assert_error(&kit.post_par(&form, None), 400, "invalid_request");
}

#[test]
fn par_requires_pkce_of_confidential_clients_only_when_configured() {
    let mut kit = kit();
    let no_pkce = [("code_challenge", ""), ("code_challenge_method", "")];
    let uri = assert_created(&push_basic(&mut kit, &no_pkce));
    assert!(pushed(&mut kit, "basic", &uri).code_challenge.is_none());
    kit.config.require_pkce = true;
    assert_error(&push_basic(&mut kit, &no_pkce), 400, "invalid_request");
    assert_created(&push_basic(&mut kit, &[]));
}

#[test]
fn par_refuses_plain_pkce_unless_allowed() {
    let mut kit = kit();
    let plain = [
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ];
    assert_error(&push_basic(&mut kit, &plain), 400, "invalid_request");
    // RFC 7636 section 4.3: no method means plain.
    let implicit = [("code_challenge", VERIFIER), ("code_challenge_method", "")];
    assert_error(&push_basic(&mut kit, &implicit), 400, "invalid_request");
    kit.config.allow_plain_pkce = true;
    let uri = assert_created(&push_basic(&mut kit, &plain));
    let c = pushed(&mut kit, "basic", &uri).code_challenge.unwrap();
    assert_eq!(c.method, ChallengeMethod::Plain);
    assert_eq!(c.challenge, VERIFIER);
    let uri = assert_created(&push_basic(&mut kit, &implicit));
    assert_eq!(
        pushed(&mut kit, "basic", &uri)
            .code_challenge
            .unwrap()
            .method,
        ChallengeMethod::Plain
    );
}

#[test]
fn par_rejects_a_malformed_code_challenge() {
    let mut kit = kit();
    let long = "a".repeat(129);
    for bad in [
        "short",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw cM",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw/cM=",
        long.as_str(),
    ] {
        let r = push_basic(&mut kit, &[("code_challenge", bad)]);
        assert_error(&r, 400, "invalid_request");
    }
}

#[test]
fn par_rejects_an_unknown_code_challenge_method_or_a_method_alone() {
    let mut kit = kit();
    for method in ["S512", "s256", "none"] {
        let r = push_basic(&mut kit, &[("code_challenge_method", method)]);
        assert_error(&r, 400, "invalid_request");
    }
    let r = push_basic(&mut kit, &[("code_challenge", "")]);
    assert_error(&r, 400, "invalid_request");
}

#[test]
fn par_rejects_bad_prompt_and_max_age_in_the_body() {
    let mut kit = kit();
    for (k, v) in [
        ("prompt", "none login"),
        ("prompt", "sometimes"),
        ("max_age", "-1"),
        ("max_age", "ten"),
        ("max_age", "1.5"),
        ("response_mode", "carrier_pigeon"),
    ] {
        let r = push_basic(&mut kit, &[(k, v)]);
        assert_error(&r, 400, "invalid_request");
    }
}

#[test]
fn par_never_answers_with_a_user_interaction_error() {
    // RFC 9126 section 2.3: no consent_required, login_required at the PAR endpoint.
    let mut kit = kit();
    let uri = assert_created(&push_basic(&mut kit, &[("prompt", "none")]));
    // The user-facing error comes at the authorization endpoint, to the redirect URI.
    let end = kit.authorize(&[("client_id", "basic"), ("request_uri", &uri)]);
    let r = oauth_testkit::redirect_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(r.get("error"), Some("login_required"));
    assert_eq!(r.get("state"), Some("st-1"));
}

#[test]
fn par_rejects_a_repeated_parameter() {
    let mut kit = kit();
    let body = format!(
        "response_type=code&redirect_uri={}&scope=openid&scope=profile&code_challenge={}&code_challenge_method=S256",
        "https%3A%2F%2Fapp.example.com%2Fcb",
        s256(VERIFIER)
    );
    let auth = basic("basic", SECRET);
    let request = HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .header("Authorization", auth.as_bytes());
    assert_error(&kit.par_request(&request), 400, "invalid_request");
}

#[test]
fn par_rejects_a_body_that_is_not_a_form() {
    let mut kit = kit();
    let body = br#"{"response_type":"code"}"#;
    let auth = basic("basic", SECRET);
    let request = HttpRequest::post(body)
        .header("Content-Type", b"application/json")
        .header("Authorization", auth.as_bytes());
    assert_error(&kit.par_request(&request), 400, "invalid_request");
}

#[test]
fn par_accepts_the_form_content_type_with_a_charset() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let body = oauth_testkit::encode_form(&pairs(&owned));
    let auth = basic("basic", SECRET);
    let request = HttpRequest::post(body.as_bytes())
        .header(
            "Content-Type",
            b"application/x-www-form-urlencoded;charset=UTF-8",
        )
        .header("Authorization", auth.as_bytes());
    assert_created(&kit.par_request(&request));
}

// ---- the response ----------------------------------------------------------------------

#[test]
fn par_request_uris_carry_at_least_128_random_bits_and_never_repeat() {
    let mut kit = kit();
    let mut seen = HashSet::new();
    for _ in 0..64 {
        let uri = assert_created(&push_basic(&mut kit, &[]));
        let suffix = uri.strip_prefix(REQUEST_URI_PREFIX).unwrap();
        assert!(
            suffix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{suffix}"
        );
        // base64url: 6 bits a character.
        assert!(
            suffix.len() * 6 >= 128,
            "{suffix} is too short to hold 128 bits"
        );
        let bytes = Base64UrlUnpadded::decode_vec(suffix).unwrap();
        assert!(bytes.len() >= 16);
        assert!(seen.insert(uri), "request_uri repeated");
    }
}

#[test]
fn par_request_uris_differ_for_identical_pushes_from_different_clients() {
    let mut kit = kit();
    let a = assert_created(&push_basic(&mut kit, &[]));
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.extend_from_slice(&[("client_id", "post"), ("client_secret", SECRET)]);
    let b = assert_created(&kit.post_par(&form, None));
    assert_ne!(a, b);
}

#[test]
fn par_expires_in_is_60_seconds_by_default() {
    let mut kit = kit();
    let r = push_basic(&mut kit, &[]);
    assert_created(&r);
    assert_eq!(r.json["expires_in"], 60);
    let body = r.json.as_object().unwrap();
    assert_eq!(body.len(), 2, "{}", r.json);
}

#[test]
fn par_expires_in_follows_the_configuration_and_the_record_expires_then() {
    let mut kit = kit();
    kit.config.par_expires_in = 90;
    let r = push_basic(&mut kit, &[]);
    let uri = assert_created(&r);
    assert_eq!(r.json["expires_in"], 90);
    kit.advance(89);
    pushed(&mut kit, "basic", &uri);
    kit.advance(2);
    let end = kit.authorize(&[("client_id", "basic"), ("request_uri", &uri)]);
    assert_eq!(
        oauth_testkit::error_page_code(&end).as_deref(),
        Some("invalid_request_uri"),
        "{end:?}"
    );
}

#[test]
fn par_rejects_a_body_over_the_size_limit_with_413() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut body = oauth_testkit::encode_form(&pairs(&owned));
    // Many small parameters, none too long on its own: only the total is too large.
    let mut i = 0;
    while body.len() <= kit.config.limits.max_body {
        body.push_str(&format!("&x{i}={}", "y".repeat(1000)));
        i += 1;
    }
    let auth = basic("basic", SECRET);
    let request = HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .header("Authorization", auth.as_bytes());
    let r = kit.par_request(&request);
    assert_eq!(r.status(), 413, "{}", r.json);
    assert!(r.get("request_uri").is_none());
    assert!(!matches!(r.done.outcome, Outcome::Succeeded { .. }));
    assert!(!kit.steps.contains(&"persist"));
}

#[test]
fn par_honours_a_smaller_configured_body_limit() {
    let mut kit = kit();
    kit.config.limits.max_body = 300;
    let mobile = "m".repeat(300);
    let r = push_basic(&mut kit, &[("mobilePayload", &mobile)]);
    assert_eq!(r.status(), 413, "{}", r.json);
    // Just under the limit is fine.
    let r = push_basic(&mut kit, &[("mobilePayload", "m")]);
    assert_created(&r);
}

#[test]
fn par_answers_a_get_with_405_method_not_allowed() {
    // RFC 9126 section 2.3: "If the request did not use the POST method, the authorization
    // server responds with an HTTP 405 (Method Not Allowed) status code"; RFC 9110 section
    // 15.5.6: a 405 carries Allow.
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let query = oauth_testkit::encode_form(&pairs(&owned));
    let auth = basic("basic", SECRET);
    for method in [Method::Get, Method::Other] {
        let request = HttpRequest::new(method)
            .query(&query)
            .header("Authorization", auth.as_bytes());
        let r = kit.par_request(&request);
        assert_eq!(r.status(), 405, "{method:?}: {}", r.json);
        assert_eq!(r.header("Allow"), Some("POST"));
        assert!(r.get("request_uri").is_none());
    }
}

#[test]
fn par_passes_every_pingone_parameter_through() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let form = [
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile"),
        ("state", "state-1 with spaces & symbols=+%"),
        ("nonce", "nonce-1"),
        ("prompt", "login consent"),
        ("max_age", "300"),
        ("acr_values", "urn:acr:mfa urn:acr:pwd"),
        ("login_hint", "alice@example.com"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("response_mode", "form_post"),
        (
            "mobilePayload",
            "eyJtb2JpbGUiOiJwYXlsb2FkIn0.opaque+blob/==",
        ),
        ("ui_locales", "sv en"),
    ];
    let uri = assert_created(&kit.post_par(&form, Some(&basic("basic", SECRET))));
    let req = pushed(&mut kit, "basic", &uri);
    assert_eq!(req.client_id, "basic");
    assert_eq!(req.response_type, "code");
    assert_eq!(req.redirect_uri, REDIRECT);
    assert!(req.redirect_uri_given);
    assert!(req.scope.contains("openid") && req.scope.contains("profile"));
    assert_eq!(
        req.state.as_deref(),
        Some("state-1 with spaces & symbols=+%")
    );
    assert_eq!(req.nonce.as_deref(), Some("nonce-1"));
    assert_eq!(req.prompt, vec!["login".to_owned(), "consent".to_owned()]);
    assert_eq!(req.max_age, Some(300));
    assert_eq!(req.acr_values.as_deref(), Some("urn:acr:mfa urn:acr:pwd"));
    assert_eq!(req.login_hint.as_deref(), Some("alice@example.com"));
    let c = req.code_challenge.as_ref().unwrap();
    assert_eq!(c.challenge, challenge);
    assert_eq!(c.method, ChallengeMethod::S256);
    assert_eq!(req.response_mode, ResponseMode::FormPost);
    assert!(
        req.extra.contains(&(
            "mobilePayload".to_owned(),
            "eyJtb2JpbGUiOiJwYXlsb2FkIn0.opaque+blob/==".to_owned()
        )),
        "{:?}",
        req.extra
    );
    assert!(
        req.extra
            .contains(&("ui_locales".to_owned(), "sv en".to_owned()))
    );
    // Credentials never reach the host's page data.
    assert!(
        req.extra.iter().all(|(k, _)| !k.starts_with("client_")),
        "{:?}",
        req.extra
    );
}

#[test]
fn par_keeps_credentials_out_of_the_pushed_request() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let owned = request_params(&challenge);
    let mut form = pairs(&owned);
    form.extend_from_slice(&[("client_id", "post"), ("client_secret", SECRET)]);
    let uri = assert_created(&kit.post_par(&form, None));
    let req = pushed(&mut kit, "post", &uri);
    assert!(req.extra.is_empty(), "{:?}", req.extra);
    let aud = par_url(&kit);
    let a = kit.assertion(&es_key(), "es-jwt", Some(&aud));
    let uri = assert_created(&push_with_assertion(&mut kit, "es-jwt", &a));
    let req = pushed(&mut kit, "es-jwt", &uri);
    assert!(req.extra.is_empty(), "{:?}", req.extra);
}

#[test]
fn par_passes_a_pingone_request_object_with_mobile_payload_through() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let claims = json!({
        "iss": "es-jwt", "aud": ISSUER, "iat": kit.now, "exp": kit.now + 300,
        "client_id": "es-jwt", "response_type": "code", "redirect_uri": REDIRECT,
        "scope": "openid profile", "state": "ro-state", "nonce": "ro-nonce",
        "prompt": "login", "max_age": 600, "acr_values": "urn:acr:mfa",
        "login_hint": "bob", "code_challenge": challenge, "code_challenge_method": "S256",
        "response_mode": "fragment", "mobilePayload": "payload-from-the-app",
    });
    let request = kit.sign_claims(&es_key(), &claims);
    let aud = par_url(&kit);
    let a = kit.assertion(&es_key(), "es-jwt", Some(&aud));
    let form = [
        ("client_id", "es-jwt"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", a.as_str()),
        ("request", request.as_str()),
    ];
    let uri = assert_created(&kit.post_par(&form, None));
    let req = pushed(&mut kit, "es-jwt", &uri);
    assert_eq!(req.state.as_deref(), Some("ro-state"));
    assert_eq!(req.nonce.as_deref(), Some("ro-nonce"));
    assert_eq!(req.prompt, vec!["login".to_owned()]);
    assert_eq!(req.max_age, Some(600));
    assert_eq!(req.acr_values.as_deref(), Some("urn:acr:mfa"));
    assert_eq!(req.login_hint.as_deref(), Some("bob"));
    assert_eq!(req.response_mode, ResponseMode::Fragment);
    assert_eq!(req.code_challenge.unwrap().challenge, challenge);
    assert!(
        req.extra.contains(&(
            "mobilePayload".to_owned(),
            "payload-from-the-app".to_owned()
        )),
        "{:?}",
        req.extra
    );
}
