#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! JWT-secured authorization requests (RFC 9101) pushed to the PAR endpoint (RFC 9126
//! section 3) and sent to the authorization endpoint: signed with the client's registered key
//! or MACed with its secret, their parameters replacing the form's, and every way a request
//! object can be wrong refused with `invalid_request_object`.

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_verify::{Algorithm, SigningKey};
use oauth_core::AssertionAudience;
use oauth_core::authorize::{AuthorizationRequest, InteractionKind, ResponseMode};
use oauth_core::drive::AuthorizeEnd;
use oauth_testkit::{ISSUER, Reply, TestKit, basic, error_page_code, redirect_of, s256};
use serde_json::{Value, json};

const SECRET: &str = "request-object-secret-0123456789-0123456789";
const REDIRECT: &str = "https://app.example.com/cb";
const OTHER_REDIRECT: &str = "https://app.example.com/other";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn es_key() -> SigningKey {
    SigningKey::generate_es256(&[11; 32])
        .unwrap()
        .with_kid("ro-es-1")
}

fn hs_key() -> SigningKey {
    SigningKey::hmac(Algorithm::HS256, SECRET.as_bytes()).unwrap()
}

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    let jwk = es_key().verifying_key().unwrap().public_jwk().unwrap();
    let code = json!(["authorization_code", "refresh_token"]);
    kit.register(json!({
        "client_id": "ro-es", "token_endpoint_auth_method": "private_key_jwt",
        "jwks": { "keys": [serde_json::to_value(jwk).unwrap()] }, "grant_types": code,
        "redirect_uris": [REDIRECT, OTHER_REDIRECT], "scope": "openid profile",
    }));
    kit.register(json!({
        "client_id": "ro-hs", "client_secret": SECRET, "grant_types": code,
        "redirect_uris": [REDIRECT, OTHER_REDIRECT], "scope": "openid profile",
    }));
    kit
}

/// Request object claims for `client_id`, addressed to `aud`.
fn claims(kit: &TestKit, client_id: &str, aud: &str) -> Value {
    json!({
        "iss": client_id, "aud": aud, "iat": kit.now, "exp": kit.now + 300,
        "client_id": client_id, "response_type": "code", "redirect_uri": REDIRECT,
        "scope": "openid profile", "state": "ro-state", "nonce": "ro-nonce",
        "code_challenge": s256(VERIFIER), "code_challenge_method": "S256",
    })
}

/// Claims for `client_id` addressed to the issuer, changed by `edit`.
fn edited(
    kit: &TestKit,
    client_id: &str,
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Value {
    let mut c = claims(kit, client_id, ISSUER);
    edit(c.as_object_mut().unwrap());
    c
}

fn b64(v: &Value) -> String {
    Base64UrlUnpadded::encode_string(v.to_string().as_bytes())
}

/// An unsecured JWS (`alg: none`, RFC 7519 section 6).
fn unsigned(c: &Value) -> String {
    format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(c))
}

/// Pushes a request object, the client authenticating in its registered way; `form` adds
/// plain parameters next to it.
fn push(kit: &mut TestKit, client_id: &str, request: &str, form: &[(&str, &str)]) -> Reply {
    let mut f: Vec<(&str, &str)> = form.to_vec();
    f.push(("request", request));
    match client_id {
        "ro-es" => {
            let par = kit.config.endpoints.par.clone();
            let a = kit.assertion(&es_key(), "ro-es", Some(&par));
            let mut with = f.clone();
            with.extend_from_slice(&[
                ("client_id", "ro-es"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &a),
            ]);
            kit.post_par(&with, None)
        }
        _ => kit.post_par(&f, Some(&basic(client_id, SECRET))),
    }
}

fn created(r: &Reply) -> String {
    assert_eq!(r.status(), 201, "{} / {:?}", r.json, r.done.outcome);
    r.get("request_uri").unwrap().to_owned()
}

fn assert_invalid_request_object(r: &Reply) {
    assert_eq!(r.status(), 400, "{} / {:?}", r.json, r.done.outcome);
    assert_eq!(r.error(), Some("invalid_request_object"), "{}", r.json);
    assert!(r.get("request_uri").is_none());
}

/// The pushed request as stored, read back through the login page.
fn pushed(kit: &mut TestKit, client_id: &str, request_uri: &str) -> AuthorizationRequest {
    let saved = kit.session.take();
    let end = kit.authorize(&[("client_id", client_id), ("request_uri", request_uri)]);
    kit.session = saved;
    match end {
        AuthorizeEnd::Interact(i) => i.request,
        AuthorizeEnd::Done(d) => panic!("expected a login page, got {d:?}"),
    }
}

/// The authorization endpoint with `client_id` and `request` (plus `extra`), logged in.
fn authorize(
    kit: &mut TestKit,
    client_id: &str,
    request: &str,
    extra: &[(&str, &str)],
) -> AuthorizeEnd {
    kit.log_in("alice");
    let mut q = vec![("client_id", client_id), ("request", request)];
    q.extend_from_slice(extra);
    kit.authorize(&q)
}

fn assert_shown_invalid_request_object(end: &AuthorizeEnd) {
    assert_eq!(
        error_page_code(end).as_deref(),
        Some("invalid_request_object"),
        "{end:?}"
    );
    assert!(redirect_of(end).is_none());
}

/// Every malformed or mis-addressed request object of `client_id` signed with its own key:
/// `(what, jwt)`.
fn bad_objects(
    kit: &mut TestKit,
    client_id: &str,
    key: &SigningKey,
    good_aud: &str,
) -> Vec<(&'static str, String)> {
    let now = kit.now;
    let mut out = Vec::new();
    let base = claims(kit, client_id, good_aud);
    let mut with = |what: &'static str,
                    edit: &dyn Fn(&mut serde_json::Map<String, Value>),
                    kit: &mut TestKit| {
        let mut c = base.clone();
        edit(c.as_object_mut().unwrap());
        out.push((what, kit.sign_claims(key, &c)));
    };
    with(
        "wrong iss",
        &|c| {
            c.insert("iss".into(), json!("someone-else"));
        },
        kit,
    );
    with(
        "no iss",
        &|c| {
            c.remove("iss");
        },
        kit,
    );
    with(
        "wrong aud",
        &|c| {
            c.insert("aud".into(), json!("https://other.example.com/as"));
        },
        kit,
    );
    with(
        "aud of another tenant",
        &|c| {
            c.insert("aud".into(), json!("https://as.example.com/t2/as"));
        },
        kit,
    );
    with(
        "no aud",
        &|c| {
            c.remove("aud");
        },
        kit,
    );
    with(
        "expired",
        &|c| {
            c.insert("exp".into(), json!(now - 3600));
            c.insert("iat".into(), json!(now - 4000));
        },
        kit,
    );
    with(
        "nbf in the future",
        &|c| {
            c.insert("nbf".into(), json!(now + 3600));
        },
        kit,
    );
    with(
        "client_id mismatch",
        &|c| {
            c.insert("client_id".into(), json!("another-client"));
        },
        kit,
    );
    with(
        "nested request",
        &|c| {
            c.insert("request".into(), json!("eyJhbGciOiJub25lIn0.e30."));
        },
        kit,
    );
    with(
        "nested request_uri",
        &|c| {
            c.insert(
                "request_uri".into(),
                json!("urn:ietf:params:oauth:request_uri:abc"),
            );
        },
        kit,
    );
    out
}

// ---- at the PAR endpoint ---------------------------------------------------------------

#[test]
fn par_accepts_a_request_object_signed_with_the_registered_es256_key() {
    let mut kit = kit();
    let jwt = kit.sign_claims(&es_key(), &claims(&kit, "ro-es", ISSUER));
    let uri = created(&push(&mut kit, "ro-es", &jwt, &[]));
    let req = pushed(&mut kit, "ro-es", &uri);
    assert_eq!(req.state.as_deref(), Some("ro-state"));
    assert_eq!(req.nonce.as_deref(), Some("ro-nonce"));
    assert_eq!(req.redirect_uri, REDIRECT);
    assert_eq!(req.code_challenge.unwrap().challenge, s256(VERIFIER));
}

#[test]
fn par_accepts_a_request_object_macced_with_the_client_secret() {
    let mut kit = kit();
    let jwt = kit.sign_claims(&hs_key(), &claims(&kit, "ro-hs", ISSUER));
    let uri = created(&push(&mut kit, "ro-hs", &jwt, &[]));
    assert_eq!(
        pushed(&mut kit, "ro-hs", &uri).state.as_deref(),
        Some("ro-state")
    );
}

#[test]
fn par_accepts_a_request_object_addressed_to_the_par_endpoint() {
    let mut kit = kit();
    let par = kit.config.endpoints.par.clone();
    let jwt = kit.sign_claims(&es_key(), &claims(&kit, "ro-es", &par));
    created(&push(&mut kit, "ro-es", &jwt, &[]));
}

#[test]
fn par_under_issuer_only_refuses_a_request_object_addressed_to_the_par_endpoint() {
    let mut kit = kit();
    kit.config.assertion_audience = AssertionAudience::IssuerOnly;
    let par = kit.config.endpoints.par.clone();
    let jwt = kit.sign_claims(&hs_key(), &claims(&kit, "ro-hs", &par));
    assert_invalid_request_object(&push(&mut kit, "ro-hs", &jwt, &[]));
    let jwt = kit.sign_claims(&hs_key(), &claims(&kit, "ro-hs", ISSUER));
    created(&push(&mut kit, "ro-hs", &jwt, &[]));
}

#[test]
fn par_request_object_parameters_replace_the_form_parameters() {
    // RFC 9101 section 6.3 / RFC 9126 section 3: only the request object's parameters count.
    let mut kit = kit();
    let c = edited(&kit, "ro-es", |c| {
        c.insert("scope".into(), json!("openid"));
        c.insert("redirect_uri".into(), json!(OTHER_REDIRECT));
    });
    let jwt = kit.sign_claims(&es_key(), &c);
    let form = [
        ("state", "form-state"),
        ("scope", "openid profile"),
        ("redirect_uri", REDIRECT),
        ("login_hint", "form-hint"),
        ("response_mode", "fragment"),
    ];
    let uri = created(&push(&mut kit, "ro-es", &jwt, &form));
    let req = pushed(&mut kit, "ro-es", &uri);
    assert_eq!(req.state.as_deref(), Some("ro-state"));
    assert_eq!(req.redirect_uri, OTHER_REDIRECT);
    assert!(req.scope.contains("openid") && !req.scope.contains("profile"));
    assert_eq!(
        req.login_hint, None,
        "a parameter outside the request object was used"
    );
    assert_eq!(req.response_mode, ResponseMode::Query);
}

#[test]
fn par_request_object_numbers_become_parameters() {
    let mut kit = kit();
    let c = edited(&kit, "ro-es", |c| {
        c.insert("max_age".into(), json!(120));
    });
    let jwt = kit.sign_claims(&es_key(), &c);
    let uri = created(&push(&mut kit, "ro-es", &jwt, &[]));
    assert_eq!(pushed(&mut kit, "ro-es", &uri).max_age, Some(120));
}

#[test]
fn par_request_object_contents_are_validated_like_a_form() {
    let mut kit = kit();
    let c = edited(&kit, "ro-es", |c| {
        c.insert("scope".into(), json!("openid admin"));
    });
    let jwt = kit.sign_claims(&es_key(), &c);
    let r = push(&mut kit, "ro-es", &jwt, &[]);
    assert_eq!(
        (r.status(), r.error()),
        (400, Some("invalid_scope")),
        "{}",
        r.json
    );
    let c = edited(&kit, "ro-es", |c| {
        c.insert("redirect_uri".into(), json!("https://evil.example.com/cb"));
    });
    let jwt = kit.sign_claims(&es_key(), &c);
    let r = push(&mut kit, "ro-es", &jwt, &[]);
    assert_eq!(
        (r.status(), r.error()),
        (400, Some("invalid_request")),
        "{}",
        r.json
    );
}

#[test]
fn par_refuses_an_unsigned_request_object() {
    let mut kit = kit();
    for client in ["ro-es", "ro-hs"] {
        let jwt = unsigned(&claims(&kit, client, ISSUER));
        assert_invalid_request_object(&push(&mut kit, client, &jwt, &[]));
        // alg none with a signature segment, and the lower-case variants some libraries accept.
        for alg in ["none", "None", "NONE"] {
            let h = b64(&json!({"alg": alg}));
            let jwt = format!("{h}.{}.c2ln", b64(&claims(&kit, client, ISSUER)));
            assert_invalid_request_object(&push(&mut kit, client, &jwt, &[]));
        }
    }
}

#[test]
fn par_refuses_a_request_object_with_a_wrong_signature() {
    let mut kit = kit();
    let stranger = SigningKey::generate_es256(&[12; 32])
        .unwrap()
        .with_kid("ro-es-1");
    let jwt = kit.sign_claims(&stranger, &claims(&kit, "ro-es", ISSUER));
    assert_invalid_request_object(&push(&mut kit, "ro-es", &jwt, &[]));
    // A valid signature over other claims.
    let good = kit.sign_claims(&es_key(), &claims(&kit, "ro-es", ISSUER));
    let mut parts: Vec<&str> = good.split('.').collect();
    let forged = b64(&edited(&kit, "ro-es", |c| {
        c.insert("redirect_uri".into(), json!(OTHER_REDIRECT));
    }));
    parts[1] = &forged;
    assert_invalid_request_object(&push(&mut kit, "ro-es", &parts.join("."), &[]));
    // The wrong secret.
    let wrong =
        SigningKey::hmac(Algorithm::HS256, b"not-the-secret-0123456789-0123456789").unwrap();
    let jwt = kit.sign_claims(&wrong, &claims(&kit, "ro-hs", ISSUER));
    assert_invalid_request_object(&push(&mut kit, "ro-hs", &jwt, &[]));
    // A client without a secret cannot MAC one; a client without keys cannot sign one.
    let jwt = kit.sign_claims(&hs_key(), &claims(&kit, "ro-es", ISSUER));
    assert_invalid_request_object(&push(&mut kit, "ro-es", &jwt, &[]));
    let jwt = kit.sign_claims(&es_key(), &claims(&kit, "ro-hs", ISSUER));
    assert_invalid_request_object(&push(&mut kit, "ro-hs", &jwt, &[]));
}

#[test]
fn par_refuses_a_request_object_that_is_not_a_jws() {
    let mut kit = kit();
    for jwt in [
        "not-a-jwt",
        "a.b",
        "a.b.c.d",
        "eyJhbGciOiJFUzI1NiJ9.e30.",
        "....",
    ] {
        assert_invalid_request_object(&push(&mut kit, "ro-es", jwt, &[]));
    }
}

#[test]
fn par_refuses_request_objects_with_wrong_claims() {
    let mut kit = kit();
    for (client, key) in [("ro-es", es_key()), ("ro-hs", hs_key())] {
        for (what, jwt) in bad_objects(&mut kit, client, &key, ISSUER) {
            let r = push(&mut kit, client, &jwt, &[]);
            assert_eq!(
                r.error(),
                Some("invalid_request_object"),
                "{client}: {what}: {}",
                r.json
            );
            assert_eq!(r.status(), 400, "{client}: {what}");
        }
    }
}

#[test]
fn par_refuses_a_request_object_for_another_client_than_the_authenticated_one() {
    // RFC 9126 section 3: the authenticated client_id must match the request object's.
    let mut kit = kit();
    let jwt = kit.sign_claims(&hs_key(), &claims(&kit, "ro-hs", ISSUER));
    // ro-es authenticates but pushes ro-hs's object.
    let par = kit.config.endpoints.par.clone();
    let a = kit.assertion(&es_key(), "ro-es", Some(&par));
    let form = [
        ("client_id", "ro-es"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", a.as_str()),
        ("request", jwt.as_str()),
    ];
    let r = kit.post_par(&form, None);
    assert_eq!(r.status(), 400, "{}", r.json);
    assert_eq!(r.error(), Some("invalid_request_object"));
}

// ---- at the authorization endpoint -----------------------------------------------------

#[test]
fn authorize_accepts_a_request_object_signed_with_the_registered_key() {
    let mut kit = kit();
    let jwt = kit.sign_claims(&es_key(), &claims(&kit, "ro-es", ISSUER));
    let end = authorize(&mut kit, "ro-es", &jwt, &[]);
    let r = redirect_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(r.base, REDIRECT);
    assert_eq!(r.get("state"), Some("ro-state"));
    assert_eq!(r.get("iss"), Some(ISSUER));
    let code = r.get("code").unwrap().to_owned();
    // The code carries the object's nonce and PKCE challenge.
    let a = kit.assertion(&es_key(), "ro-es", None);
    let t = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", &a),
        ],
        None,
    );
    assert_eq!(t.status(), 200, "{}", t.json);
    let id = t.get("id_token").unwrap();
    let payload: Value = serde_json::from_slice(
        &Base64UrlUnpadded::decode_vec(id.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(payload["nonce"], "ro-nonce");
}

#[test]
fn authorize_accepts_a_request_object_macced_with_the_client_secret() {
    let mut kit = kit();
    let jwt = kit.sign_claims(&hs_key(), &claims(&kit, "ro-hs", ISSUER));
    let end = authorize(&mut kit, "ro-hs", &jwt, &[]);
    let r = redirect_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(r.get("state"), Some("ro-state"));
    assert!(r.get("code").is_some());
}

#[test]
fn authorize_accepts_a_request_object_addressed_to_the_authorization_endpoint() {
    let mut kit = kit();
    let az = kit.config.endpoints.authorization.clone();
    let jwt = kit.sign_claims(&es_key(), &claims(&kit, "ro-es", &az));
    let end = authorize(&mut kit, "ro-es", &jwt, &[]);
    assert!(
        redirect_of(&end)
            .and_then(|r| r.get("code").map(str::to_owned))
            .is_some(),
        "{end:?}"
    );
    // Not under an issuer-only policy.
    kit.config.assertion_audience = AssertionAudience::IssuerOnly;
    let jwt = kit.sign_claims(&es_key(), &claims(&kit, "ro-es", &az));
    assert_shown_invalid_request_object(&authorize(&mut kit, "ro-es", &jwt, &[]));
}

#[test]
fn authorize_request_object_parameters_replace_the_query() {
    let mut kit = kit();
    let jwt = kit.sign_claims(&es_key(), &claims(&kit, "ro-es", ISSUER));
    let end = authorize(
        &mut kit,
        "ro-es",
        &jwt,
        &[
            ("state", "query-state"),
            ("redirect_uri", OTHER_REDIRECT),
            ("response_mode", "fragment"),
            ("scope", "openid"),
        ],
    );
    let r = redirect_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(r.base, REDIRECT);
    assert!(!r.in_fragment);
    assert_eq!(r.get("state"), Some("ro-state"));
}

#[test]
fn authorize_request_object_contents_errors_go_to_the_signed_redirect_uri() {
    let mut kit = kit();
    let c = edited(&kit, "ro-es", |c| {
        c.insert("scope".into(), json!("openid admin"));
    });
    let jwt = kit.sign_claims(&es_key(), &c);
    let end = authorize(&mut kit, "ro-es", &jwt, &[]);
    let r = redirect_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(r.base, REDIRECT);
    assert_eq!(r.get("error"), Some("invalid_scope"));
    assert_eq!(r.get("state"), Some("ro-state"));
    assert_eq!(r.get("iss"), Some(ISSUER));
}

#[test]
fn authorize_refuses_an_unsigned_request_object() {
    let mut kit = kit();
    for client in ["ro-es", "ro-hs"] {
        let jwt = unsigned(&claims(&kit, client, ISSUER));
        assert_shown_invalid_request_object(&authorize(&mut kit, client, &jwt, &[]));
    }
}

#[test]
fn authorize_refuses_a_request_object_with_a_wrong_signature() {
    let mut kit = kit();
    let stranger = SigningKey::generate_es256(&[12; 32])
        .unwrap()
        .with_kid("ro-es-1");
    let jwt = kit.sign_claims(&stranger, &claims(&kit, "ro-es", ISSUER));
    assert_shown_invalid_request_object(&authorize(&mut kit, "ro-es", &jwt, &[]));
    let wrong =
        SigningKey::hmac(Algorithm::HS256, b"not-the-secret-0123456789-0123456789").unwrap();
    let jwt = kit.sign_claims(&wrong, &claims(&kit, "ro-hs", ISSUER));
    assert_shown_invalid_request_object(&authorize(&mut kit, "ro-hs", &jwt, &[]));
    // Signed by ro-es but presented for ro-hs.
    let jwt = kit.sign_claims(&es_key(), &claims(&kit, "ro-hs", ISSUER));
    assert_shown_invalid_request_object(&authorize(&mut kit, "ro-hs", &jwt, &[]));
}

#[test]
fn authorize_refuses_request_objects_with_wrong_claims() {
    let mut kit = kit();
    for (client, key) in [("ro-es", es_key()), ("ro-hs", hs_key())] {
        for (what, jwt) in bad_objects(&mut kit, client, &key, ISSUER) {
            let end = authorize(&mut kit, client, &jwt, &[]);
            assert_eq!(
                error_page_code(&end).as_deref(),
                Some("invalid_request_object"),
                "{client}: {what}: {end:?}"
            );
        }
    }
}

#[test]
fn authorize_refuses_a_request_object_whose_client_id_differs_from_the_query() {
    let mut kit = kit();
    // ro-es signs an object naming ro-hs and presents it as ro-es.
    let c = edited(&kit, "ro-es", |c| {
        c.insert("client_id".into(), json!("ro-hs"));
    });
    let jwt = kit.sign_claims(&es_key(), &c);
    assert_shown_invalid_request_object(&authorize(&mut kit, "ro-es", &jwt, &[]));
}

#[test]
fn authorize_login_page_for_a_request_object_resubmits_the_signed_request() {
    // The login page re-submits "the original parameters" (Interaction::resubmit): the
    // client_id and the signed request object, not the object's claims unsigned.
    let mut kit = kit();
    let c = edited(&kit, "ro-es", |c| {
        c.remove("client_id");
    });
    let jwt = kit.sign_claims(&es_key(), &c);
    kit.session = None;
    let end = kit.authorize(&[("client_id", "ro-es"), ("request", &jwt)]);
    let AuthorizeEnd::Interact(i) = end else {
        panic!("expected a login page, got {end:?}")
    };
    assert_eq!(i.kind, InteractionKind::Login);
    assert_eq!(i.request.state.as_deref(), Some("ro-state"));
    assert!(
        i.resubmit
            .contains(&("client_id".to_owned(), "ro-es".to_owned())),
        "resubmit lacks client_id: {:?}",
        i.resubmit
    );
    assert!(
        i.resubmit.contains(&("request".to_owned(), jwt.clone())),
        "resubmit lacks the request object: {:?}",
        i.resubmit
    );
    // After the login the re-submitted request completes.
    kit.log_in("alice");
    let again: Vec<(&str, &str)> = i
        .resubmit
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let end = kit.authorize(&again);
    let r = redirect_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(r.get("state"), Some("ro-state"));
    assert!(r.get("code").is_some());
}

#[test]
fn pushed_request_object_then_authorize_issues_a_code_with_its_parameters() {
    let mut kit = kit();
    let jwt = kit.sign_claims(&hs_key(), &claims(&kit, "ro-hs", ISSUER));
    let uri = created(&push(&mut kit, "ro-hs", &jwt, &[]));
    kit.log_in("alice");
    let end = kit.authorize(&[("client_id", "ro-hs"), ("request_uri", &uri)]);
    let r = redirect_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(r.base, REDIRECT);
    assert_eq!(r.get("state"), Some("ro-state"));
    assert!(r.get("code").is_some());
}
