#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Host failures at every step of the PAR and authorization endpoints end in a 5xx response
//! (503 `temporarily_unavailable` with `Retry-After`, or 500 `server_error`) and issue
//! nothing: no code stored, no redirect, no `request_uri`.

use oauth_core::authorize::ConsentAnswer;
use oauth_core::drive::AuthorizeEnd;
use oauth_core::{Done, HostError, Outcome, Reason};
use oauth_testkit::{Reply, TestKit, basic, redirect_of, s256};
use serde_json::json;

const SECRET: &str = "failure-secret-0123456789-0123456789-012";
const REDIRECT: &str = "https://app.example.com/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "app", "client_secret": SECRET,
        "grant_types": ["authorization_code", "refresh_token"],
        "redirect_uris": [REDIRECT], "scope": "openid profile",
    }));
    kit.register(json!({
        "client_id": "jwt-app", "client_secret": SECRET, "token_endpoint_auth_method": "client_secret_jwt",
        "grant_types": ["authorization_code"], "redirect_uris": [REDIRECT], "scope": "openid",
    }));
    kit
}

fn form(challenge: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".to_owned()),
        ("redirect_uri", REDIRECT.to_owned()),
        ("scope", "openid profile".to_owned()),
        ("state", "st-1".to_owned()),
        ("code_challenge", challenge.to_owned()),
        ("code_challenge_method", "S256".to_owned()),
    ]
}

fn push(kit: &mut TestKit) -> Reply {
    let challenge = s256(VERIFIER);
    let owned = form(&challenge);
    let f: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    kit.post_par(&f, Some(&basic("app", SECRET)))
}

fn plain(kit: &mut TestKit) -> AuthorizeEnd {
    let challenge = s256(VERIFIER);
    let owned = form(&challenge);
    let mut q: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    q.push(("client_id", "app"));
    kit.authorize(&q)
}

/// Codes in the store, counted from its debug dump.
fn codes_stored(kit: &TestKit) -> usize {
    format!("{:?}", kit.store).matches("CodeRecord {").count()
}

/// Pushed requests in the store.
fn pushed_stored(kit: &TestKit) -> usize {
    format!("{:?}", kit.store).matches("ParRecord {").count()
}

const ERRORS: [(HostError, u16, &str); 2] = [
    (HostError::Unavailable, 503, "temporarily_unavailable"),
    (HostError::Internal, 500, "server_error"),
];

/// A 5xx with the error body the host failure calls for, and nothing else.
fn assert_host_failure(done: &Done, error: HostError, status: u16, code: &str, what: &str) {
    let r = &done.response;
    assert_eq!(r.status, status, "{what}: {done:?}");
    assert!(r.header("Location").is_none(), "{what}: {done:?}");
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
    assert_eq!(body["error"], code, "{what}: {done:?}");
    assert!(body.get("code").is_none() && body.get("request_uri").is_none());
    if error == HostError::Unavailable {
        assert!(r.header("Retry-After").is_some(), "{what}: {done:?}");
    }
    match &done.outcome {
        Outcome::Rejected { reason, .. } => {
            assert_eq!(reason, &Reason::HostFailure(error), "{what}")
        }
        other => panic!("{what}: {other:?}"),
    }
}

fn done(end: AuthorizeEnd, what: &str) -> Done {
    match end {
        AuthorizeEnd::Done(d) => d,
        AuthorizeEnd::Interact(i) => {
            panic!("{what}: expected a 5xx, got an interaction {:?}", i.kind)
        }
    }
}

#[test]
fn authorize_host_failure_at_each_step_of_a_pushed_request_is_a_5xx_and_issues_nothing() {
    for step in [
        "lookup_client",
        "load_pushed",
        "authenticate",
        "consent",
        "take_pushed",
        "persist",
    ] {
        for (error, status, code) in ERRORS {
            let mut kit = kit();
            let uri = push(&mut kit).get("request_uri").unwrap().to_owned();
            kit.log_in("alice");
            kit.steps.clear();
            kit.fail_step = Some((step, error));
            let end = kit.authorize(&[("client_id", "app"), ("request_uri", &uri)]);
            let what = format!("{step} {error:?}");
            assert!(
                kit.steps.contains(&step),
                "{what}: the step was never reached: {:?}",
                kit.steps
            );
            assert_eq!(
                kit.steps.last(),
                Some(&step),
                "{what}: the flow went on after the failure"
            );
            assert_host_failure(&done(end, &what), error, status, code, &what);
            assert_eq!(codes_stored(&kit), 0, "{what}: a code was stored");
            // Once the host recovers, a request_uri that was not consumed still works.
            kit.fail_step = None;
            let retry = kit.authorize(&[("client_id", "app"), ("request_uri", &uri)]);
            if step == "persist" {
                // take_pushed succeeded before persist failed: the request_uri is spent.
                assert!(redirect_of(&retry).is_none(), "{what}: {retry:?}");
                assert_eq!(codes_stored(&kit), 0);
            } else {
                let r = redirect_of(&retry).unwrap_or_else(|| panic!("{what}: {retry:?}"));
                assert!(r.get("code").is_some(), "{what}: {}", r.location);
                assert_eq!(codes_stored(&kit), 1);
            }
        }
    }
}

#[test]
fn authorize_host_failure_at_each_step_of_a_plain_request_is_a_5xx_and_issues_nothing() {
    for step in ["lookup_client", "authenticate", "consent", "persist"] {
        for (error, status, code) in ERRORS {
            let mut kit = kit();
            kit.log_in("alice");
            kit.fail_step = Some((step, error));
            let what = format!("{step} {error:?}");
            let end = plain(&mut kit);
            assert_host_failure(&done(end, &what), error, status, code, &what);
            assert_eq!(kit.steps.last(), Some(&step), "{what}");
            assert_eq!(codes_stored(&kit), 0, "{what}");
        }
    }
}

#[test]
fn authorize_host_failure_is_a_5xx_even_when_consent_would_be_refused() {
    let mut kit = kit();
    kit.log_in("alice");
    kit.consent = ConsentAnswer::Refused;
    kit.fail_step = Some(("consent", HostError::Unavailable));
    let end = plain(&mut kit);
    assert_host_failure(
        &done(end, "consent"),
        HostError::Unavailable,
        503,
        "temporarily_unavailable",
        "consent",
    );
}

#[test]
fn par_host_failure_at_each_step_is_a_5xx_and_stores_nothing() {
    for step in ["lookup_client", "check_replay", "persist"] {
        for (error, status, code) in ERRORS {
            let mut kit = kit();
            kit.fail_step = Some((step, error));
            let par = kit.config.endpoints.par.clone();
            let key = jwt_verify::SigningKey::hmac(jwt_verify::Algorithm::HS256, SECRET.as_bytes())
                .unwrap();
            let a = kit.assertion(&key, "jwt-app", Some(&par));
            let challenge = s256(VERIFIER);
            let r = kit.post_par(
                &[
                    ("client_id", "jwt-app"),
                    ("response_type", "code"),
                    ("scope", "openid"),
                    ("code_challenge", &challenge),
                    ("code_challenge_method", "S256"),
                    ("client_assertion_type", JWT_BEARER),
                    ("client_assertion", &a),
                ],
                None,
            );
            let what = format!("{step} {error:?}");
            assert!(r.get("request_uri").is_none(), "{what}: {}", r.json);
            assert_host_failure(&r.done, error, status, code, &what);
            assert_eq!(kit.steps.last(), Some(&step), "{what}");
            assert_eq!(pushed_stored(&kit), 0, "{what}");
        }
    }
}

#[test]
fn par_persist_failure_leaves_no_usable_request_uri() {
    let mut kit = kit();
    kit.fail_step = Some(("persist", HostError::Internal));
    let r = push(&mut kit);
    assert_eq!(r.status(), 500);
    kit.fail_step = None;
    let ok = push(&mut kit);
    assert_eq!(ok.status(), 201);
    assert_eq!(pushed_stored(&kit), 1);
}
