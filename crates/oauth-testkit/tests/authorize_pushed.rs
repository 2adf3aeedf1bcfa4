#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The authorization endpoint with pushed requests (RFC 9126 section 4, and the PAR cases of
//! the OpenID conformance suite): a `request_uri` is bound to its client, expires, is used
//! once when the authorization completes but survives login and consent pages, and a client
//! or tenant that requires PAR gets nothing without it.

use oauth_core::authorize::{
    AuthorizeEndpoint, AuthorizeStep, ConsentAnswer, InteractionKind, TakePushed,
};
use oauth_core::drive::{self, AuthorizeEnd, Backend};
use oauth_core::{HttpRequest, Outcome};
use oauth_testkit::{
    ISSUER, Redirect, TestKit, basic, error_page_code, form_post_of, redirect_of, s256,
};
use serde_json::json;

const SECRET: &str = "pushed-secret-0123456789-0123456789-01234";
const REDIRECT: &str = "https://app.example.com/cb";
const OTHER_REDIRECT: &str = "https://app.example.com/other";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    let code = json!(["authorization_code", "refresh_token"]);
    for id in ["app", "other-app"] {
        kit.register(json!({
            "client_id": id, "client_secret": SECRET, "grant_types": code,
            "redirect_uris": [REDIRECT, OTHER_REDIRECT], "scope": "openid profile",
        }));
    }
    kit.register(json!({
        "client_id": "par-only", "client_secret": SECRET, "grant_types": code,
        "redirect_uris": [REDIRECT], "scope": "openid profile",
        "require_pushed_authorization_requests": true,
    }));
    kit
}

/// Pushes a valid request of `client_id` with `extra` replacing or adding parameters (an
/// empty value removes one); returns the `request_uri`.
fn push(kit: &mut TestKit, client_id: &str, extra: &[(&str, &str)]) -> String {
    let challenge = s256(VERIFIER);
    let mut form = vec![
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile"),
        ("state", "st-pushed"),
        ("nonce", "n-pushed"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    form.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    form.extend_from_slice(extra);
    form.retain(|(_, v)| !v.is_empty());
    let r = kit.post_par(&form, Some(&basic(client_id, SECRET)));
    assert_eq!(r.status(), 201, "{}", r.json);
    r.get("request_uri").unwrap().to_owned()
}

fn go(kit: &mut TestKit, client_id: &str, request_uri: &str) -> AuthorizeEnd {
    kit.authorize(&[("client_id", client_id), ("request_uri", request_uri)])
}

fn redirect(end: &AuthorizeEnd) -> Redirect {
    let r = redirect_of(end).unwrap_or_else(|| panic!("expected a redirect, got {end:?}"));
    assert_eq!(r.status, 303);
    r
}

fn assert_code(end: &AuthorizeEnd) -> String {
    let r = redirect(end);
    assert_eq!(r.base, REDIRECT, "{}", r.location);
    assert_eq!(r.get("state"), Some("st-pushed"), "{}", r.location);
    assert_eq!(r.get("iss"), Some(ISSUER));
    assert!(r.get("error").is_none(), "{}", r.location);
    r.get("code")
        .unwrap_or_else(|| panic!("{}", r.location))
        .to_owned()
}

fn assert_shown(end: &AuthorizeEnd, code: &str) {
    assert_eq!(error_page_code(end).as_deref(), Some(code), "{end:?}");
    assert!(redirect_of(end).is_none());
    let AuthorizeEnd::Done(d) = end else {
        unreachable!()
    };
    match &d.outcome {
        Outcome::Rejected { error, .. } => assert_eq!(error.code.as_str(), code),
        other => panic!("{other:?}"),
    }
}

fn redeem(
    kit: &mut TestKit,
    client_id: &str,
    code: &str,
    redirect_uri: Option<&str>,
) -> oauth_testkit::Reply {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("code_verifier", VERIFIER),
    ];
    if let Some(r) = redirect_uri {
        form.push(("redirect_uri", r));
    }
    kit.post_token(&form, Some(&basic(client_id, SECRET)))
}

#[test]
fn authorize_with_a_pushed_request_issues_a_code_bound_to_it() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.log_in("alice");
    let code = assert_code(&go(&mut kit, "app", &uri));
    // The pushed redirect_uri was given, so the token request repeats it (RFC 6749 4.1.3).
    let r = redeem(&mut kit, "app", &code, None);
    assert_eq!(
        (r.status(), r.error()),
        (400, Some("invalid_grant")),
        "{}",
        r.json
    );
    let uri = push(&mut kit, "app", &[]);
    let code = assert_code(&go(&mut kit, "app", &uri));
    let r = redeem(&mut kit, "app", &code, Some(REDIRECT));
    assert_eq!(r.status(), 200, "{}", r.json);
    assert!(r.get("id_token").is_some());
}

#[test]
fn authorize_rejects_a_request_uri_reused_after_completion() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.log_in("alice");
    assert_code(&go(&mut kit, "app", &uri));
    let again = go(&mut kit, "app", &uri);
    assert_shown(&again, "invalid_request_uri");
    // Not even a login page for it.
    kit.session = None;
    assert_shown(&go(&mut kit, "app", &uri), "invalid_request_uri");
}

#[test]
fn authorize_allows_reuse_before_completion_for_login_and_consent_pages() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    // Two visits (a reload) without a session: a login page each time.
    for _ in 0..2 {
        let AuthorizeEnd::Interact(i) = go(&mut kit, "app", &uri) else {
            panic!("expected a login page")
        };
        assert_eq!(i.kind, InteractionKind::Login);
        assert_eq!(
            i.resubmit,
            vec![
                ("client_id".to_owned(), "app".to_owned()),
                ("request_uri".to_owned(), uri.clone())
            ]
        );
        assert_eq!(i.request.state.as_deref(), Some("st-pushed"));
    }
    kit.log_in("alice");
    kit.consent = ConsentAnswer::Needed;
    let AuthorizeEnd::Interact(i) = go(&mut kit, "app", &uri) else {
        panic!("expected a consent page")
    };
    assert_eq!(i.kind, InteractionKind::Consent);
    kit.consent = ConsentAnswer::Granted;
    let resubmit: Vec<(&str, &str)> = i
        .resubmit
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_code(&kit.authorize(&resubmit));
    assert_shown(&go(&mut kit, "app", &uri), "invalid_request_uri");
}

#[test]
fn authorize_rejects_an_expired_request_uri() {
    let mut kit = kit();
    kit.log_in("alice");
    let uri = push(&mut kit, "app", &[]);
    kit.advance(59);
    kit.log_in("alice");
    assert_code(&go(&mut kit, "app", &uri));
    let uri = push(&mut kit, "app", &[]);
    kit.advance(61);
    kit.log_in("alice");
    assert_shown(&go(&mut kit, "app", &uri), "invalid_request_uri");
    // Also when the login page was shown in time and the user came back too late.
    let uri = push(&mut kit, "app", &[]);
    kit.session = None;
    assert!(matches!(
        go(&mut kit, "app", &uri),
        AuthorizeEnd::Interact(_)
    ));
    kit.advance(120);
    kit.log_in("alice");
    assert_shown(&go(&mut kit, "app", &uri), "invalid_request_uri");
}

#[test]
fn authorize_rejects_the_request_uri_of_another_client() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.log_in("alice");
    assert_shown(&go(&mut kit, "other-app", &uri), "invalid_request_uri");
    assert_shown(&go(&mut kit, "par-only", &uri), "invalid_request_uri");
    // The owner can still use it.
    assert_code(&go(&mut kit, "app", &uri));
}

#[test]
fn authorize_rejects_a_malformed_or_unknown_request_uri() {
    let mut kit = kit();
    kit.log_in("alice");
    let long = format!("urn:ietf:params:oauth:request_uri:{}", "a".repeat(300));
    for uri in [
        "urn:example:bwc4JK-ESC0w8acc191e-Y1LTC2",
        "https://client.example.org/request.jwt",
        "urn:ietf:params:oauth:request_uri:",
        "urn:ietf:params:oauth:request_uri:never-issued-never-issued-never-issued-x",
        "URN:IETF:PARAMS:OAUTH:REQUEST_URI:abc",
        long.as_str(),
    ] {
        assert_shown(&go(&mut kit, "app", uri), "invalid_request_uri");
    }
    // A real one with a character changed.
    let real = push(&mut kit, "app", &[]);
    let mut altered = real.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    assert_shown(&go(&mut kit, "app", &altered), "invalid_request_uri");
}

#[test]
fn authorize_needs_the_client_id_next_to_the_request_uri() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.log_in("alice");
    assert_shown(&kit.authorize(&[("request_uri", &uri)]), "invalid_request");
    assert_code(&go(&mut kit, "app", &uri));
}

#[test]
fn authorize_refuses_plain_requests_of_a_client_that_requires_par() {
    let mut kit = kit();
    kit.log_in("alice");
    let challenge = s256(VERIFIER);
    let plain = [
        ("client_id", "par-only"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
        ("state", "st-plain"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    assert_shown(&kit.authorize(&plain), "invalid_request");
    assert_shown(&kit.authorize_post(&plain), "invalid_request");
    // A request object is not a pushed request either.
    let claims = json!({
        "iss": "par-only", "aud": ISSUER, "exp": kit.now + 60, "response_type": "code",
        "redirect_uri": REDIRECT, "scope": "openid", "code_challenge": challenge,
        "code_challenge_method": "S256",
    });
    let key =
        jwt_verify::SigningKey::hmac(jwt_verify::Algorithm::HS256, SECRET.as_bytes()).unwrap();
    let jwt = kit.sign_claims(&key, &claims);
    assert_shown(
        &kit.authorize(&[("client_id", "par-only"), ("request", &jwt)]),
        "invalid_request",
    );
    // Pushed, it works.
    let uri = push(&mut kit, "par-only", &[]);
    assert_code(&go(&mut kit, "par-only", &uri));
}

#[test]
fn authorize_refuses_plain_requests_when_the_tenant_requires_par() {
    let mut kit = kit();
    kit.config.require_par = true;
    kit.log_in("alice");
    let challenge = s256(VERIFIER);
    let plain = [
        ("client_id", "app"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    assert_shown(&kit.authorize(&plain), "invalid_request");
    let uri = push(&mut kit, "app", &[]);
    assert_code(&go(&mut kit, "app", &uri));
}

#[test]
fn authorize_uses_only_the_pushed_parameters() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.log_in("alice");
    let end = kit.authorize(&[
        ("client_id", "app"),
        ("request_uri", &uri),
        ("state", "injected"),
        ("redirect_uri", OTHER_REDIRECT),
        ("response_mode", "fragment"),
        ("scope", "openid"),
        (
            "code_challenge",
            "attacker-attacker-attacker-attacker-attacker",
        ),
    ]);
    let code = assert_code(&end);
    assert!(!redirect(&end).in_fragment);
    let r = redeem(&mut kit, "app", &code, Some(REDIRECT));
    assert_eq!(r.status(), 200, "{}", r.json);
    assert!(r.get("scope").unwrap().contains("profile"));
}

#[test]
fn authorize_pushed_prompt_none_without_a_session_redirects_login_required() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[("prompt", "none")]);
    let r = redirect(&go(&mut kit, "app", &uri));
    assert_eq!(r.base, REDIRECT);
    assert_eq!(r.get("error"), Some("login_required"));
    assert_eq!(r.get("state"), Some("st-pushed"));
    assert_eq!(r.get("iss"), Some(ISSUER));
}

#[test]
fn authorize_pushed_prompt_none_with_consent_needed_redirects_consent_required() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[("prompt", "none")]);
    kit.log_in("alice");
    kit.consent = ConsentAnswer::Needed;
    let r = redirect(&go(&mut kit, "app", &uri));
    assert_eq!(r.get("error"), Some("consent_required"));
    assert_eq!(r.get("state"), Some("st-pushed"));
    assert_eq!(r.get("iss"), Some(ISSUER));
}

#[test]
fn authorize_pushed_refused_consent_redirects_access_denied() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.log_in("alice");
    kit.consent = ConsentAnswer::Refused;
    let r = redirect(&go(&mut kit, "app", &uri));
    assert_eq!(r.get("error"), Some("access_denied"));
    assert_eq!(r.get("state"), Some("st-pushed"));
    assert_eq!(r.get("iss"), Some(ISSUER));
    assert!(r.get("code").is_none());
}

#[test]
fn authorize_pushed_max_age_older_than_the_session_asks_for_a_login() {
    let mut kit = kit();
    kit.log_in("alice");
    kit.advance(600);
    let uri = push(&mut kit, "app", &[("max_age", "60")]);
    let AuthorizeEnd::Interact(i) = go(&mut kit, "app", &uri) else {
        panic!("expected a login page")
    };
    assert_eq!(i.kind, InteractionKind::Login);
    kit.log_in("alice");
    assert_code(&go(&mut kit, "app", &uri));
}

#[test]
fn authorize_pushed_response_modes_are_honoured() {
    let mut kit = kit();
    kit.log_in("alice");
    let uri = push(&mut kit, "app", &[("response_mode", "fragment")]);
    let r = redirect(&go(&mut kit, "app", &uri));
    assert!(r.in_fragment, "{}", r.location);
    assert!(r.get("code").is_some());
    assert_eq!(r.get("state"), Some("st-pushed"));
    let uri = push(&mut kit, "app", &[("response_mode", "form_post")]);
    let end = go(&mut kit, "app", &uri);
    let (action, fields) = form_post_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(action, REDIRECT);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["code", "state", "iss"]);
}

#[test]
fn authorize_revalidates_a_pushed_request_against_the_current_registration() {
    // RFC 9126 section 4: the server "MUST validate authorization requests arising from a
    // pushed request as it would any other authorization request", and may skip a check
    // only when neither the request nor its policy changed in a way that affects it. A
    // redirect URI removed from the registration after the push must not receive the code.
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.register(json!({
        "client_id": "app", "client_secret": SECRET,
        "grant_types": ["authorization_code", "refresh_token"],
        "redirect_uris": [OTHER_REDIRECT], "scope": "openid profile",
    }));
    kit.log_in("alice");
    let end = go(&mut kit, "app", &uri);
    assert!(
        redirect_of(&end).is_none_or(|r| r.base != REDIRECT),
        "the code went to a redirect URI no longer registered: {end:?}"
    );
    assert_shown(&end, "invalid_request");
}

#[test]
fn authorize_revalidates_a_pushed_scope_against_the_current_registration() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.register(json!({
        "client_id": "app", "client_secret": SECRET,
        "grant_types": ["authorization_code", "refresh_token"],
        "redirect_uris": [REDIRECT, OTHER_REDIRECT], "scope": "openid",
    }));
    kit.log_in("alice");
    let r = redirect(&go(&mut kit, "app", &uri));
    assert_eq!(r.get("error"), Some("invalid_scope"), "{}", r.location);
    assert!(r.get("code").is_none());
}

/// Drives an authorization request until it asks to consume its pushed request.
fn until_take<'a>(mut step: AuthorizeStep<'a>, kit: &mut TestKit) -> TakePushed<'a> {
    loop {
        step = match step {
            AuthorizeStep::LookupClient(s) => {
                let c = kit.client(s.client_id()).unwrap();
                s.resume(c)
            }
            AuthorizeStep::LoadPushed(s) => {
                let r = kit.load_pushed(s.hash(), s.now()).unwrap();
                s.resume(r)
            }
            AuthorizeStep::Authenticate(s) => {
                let a = kit.authenticate(s.request().unwrap()).unwrap();
                s.resume(a)
            }
            AuthorizeStep::Consent(s) => {
                let a = kit
                    .consent(s.request().unwrap(), s.subject().unwrap())
                    .unwrap();
                s.resume(a)
            }
            AuthorizeStep::TakePushed(s) => return s,
            _ => panic!("the flow ended before consuming the pushed request"),
        };
    }
}

#[test]
fn authorize_two_concurrent_completions_of_one_request_uri_issue_one_code() {
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.log_in("alice");
    let config = kit.config.clone();
    let query = oauth_testkit::encode_form(&[("client_id", "app"), ("request_uri", &uri)]);
    let request = HttpRequest::get(&query);
    let ctx_a = kit.context();
    let ctx_b = kit.context();
    let a = until_take(AuthorizeEndpoint::start(&config, &request, ctx_a), &mut kit);
    let b = until_take(AuthorizeEndpoint::start(&config, &request, ctx_b), &mut kit);
    let taken_a = kit.take_pushed(a.hash(), a.now()).unwrap();
    let taken_b = kit.take_pushed(b.hash(), b.now()).unwrap();
    assert!(taken_a && !taken_b);
    let end_a = drive::drive_authorize(a.resume(taken_a), &mut kit);
    let end_b = drive::drive_authorize(b.resume(taken_b), &mut kit);
    assert_code(&end_a);
    assert_shown(&end_b, "invalid_request_uri");
}

#[test]
fn authorize_rejects_an_expired_pushed_request_even_if_the_store_returns_it() {
    // A store that breaks its duty (returning what has expired) does not revive a request_uri.
    use oauth_core::authorize::AuthorizeStep;
    let mut kit = kit();
    let uri = push(&mut kit, "app", &[]);
    kit.log_in("alice");
    let pushed_at = kit.now;
    kit.advance(61);
    let config = kit.config.clone();
    let query = oauth_testkit::encode_form(&[("client_id", "app"), ("request_uri", &uri)]);
    let request = HttpRequest::get(&query);
    let ctx = kit.context();
    let mut step = AuthorizeEndpoint::start(&config, &request, ctx);
    let end = loop {
        step = match step {
            AuthorizeStep::LookupClient(s) => {
                let c = kit.client(s.client_id()).unwrap();
                s.resume(c)
            }
            AuthorizeStep::LoadPushed(s) => {
                // Loaded as of the time of the push: still there.
                let stale = kit.store.load_pushed(s.hash(), pushed_at);
                assert!(stale.is_some());
                s.resume(stale)
            }
            other => break drive::drive_authorize(other, &mut kit),
        };
    };
    assert_shown(&end, "invalid_request_uri");
}

#[test]
fn authorize_revalidates_a_pushed_request_against_the_current_tenant_policy() {
    // Same rule for the server's policy: plain PKCE allowed at push time, refused since.
    let mut kit = kit();
    kit.config.allow_plain_pkce = true;
    let uri = push(
        &mut kit,
        "app",
        &[
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
        ],
    );
    kit.config.allow_plain_pkce = false;
    kit.log_in("alice");
    let r = redirect(&go(&mut kit, "app", &uri));
    assert_eq!(r.get("error"), Some("invalid_request"), "{}", r.location);
    assert!(r.get("code").is_none(), "{}", r.location);
}
