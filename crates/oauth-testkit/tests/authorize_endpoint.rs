#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The authorization endpoint with plain (not pushed) requests: RFC 6749 section 4.1 (errors
//! shown while the redirect URI is not trusted, redirected with `error` and `state` once it
//! is), RFC 9207 (`iss` on every response), OIDC Core section 3.1.2 (`prompt`, `max_age`,
//! login and consent), the response modes (query, fragment, form_post), GET and POST, and the
//! binding of the issued code at the token endpoint (RFC 6749 section 4.1.3, RFC 7636).

use oauth_core::authorize::{ConsentAnswer, InteractionKind, ResponseMode};
use oauth_core::drive::AuthorizeEnd;
use oauth_core::{HttpRequest, Method, Outcome};
use oauth_testkit::{
    ISSUER, Redirect, TestKit, basic, error_page_code, form_post_of, redirect_of, s256,
};
use serde_json::{Value, json};

const SECRET: &str = "authorize-secret-0123456789-0123456789";
const REDIRECT: &str = "https://app.example.com/cb";
const OTHER_REDIRECT: &str = "https://app.example.com/other";
const QUERY_REDIRECT: &str = "https://app.example.com/cb?tenant=a&x=%2F";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    let code = json!(["authorization_code", "refresh_token"]);
    kit.register(json!({
        "client_id": "web", "client_secret": SECRET, "grant_types": code,
        "redirect_uris": [REDIRECT], "scope": "openid profile read",
    }));
    kit.register(json!({
        "client_id": "other-web", "client_secret": SECRET, "grant_types": code,
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
        "client_id": "query-uri", "client_secret": SECRET, "grant_types": code,
        "redirect_uris": [QUERY_REDIRECT], "scope": "openid",
    }));
    kit.register(json!({
        "client_id": "hybrid-only", "client_secret": SECRET, "grant_types": code,
        "response_types": ["code id_token"], "redirect_uris": [REDIRECT], "scope": "openid",
    }));
    kit
}

/// A valid request of `web`, with `extra` replacing or adding parameters (an empty value
/// removes one).
fn params<'a>(challenge: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("client_id", "web"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile"),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    p.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    p.extend_from_slice(extra);
    p.retain(|(_, v)| !v.is_empty());
    p
}

fn authorize(kit: &mut TestKit, extra: &[(&str, &str)]) -> AuthorizeEnd {
    let challenge = s256(VERIFIER);
    let p = params(&challenge, extra);
    kit.authorize(&p)
}

/// A 303 to the client. Checks the status and the no-store header.
fn redirect(end: &AuthorizeEnd) -> Redirect {
    let r = redirect_of(end).unwrap_or_else(|| panic!("expected a redirect, got {end:?}"));
    assert_eq!(r.status, 303, "{end:?}");
    if let AuthorizeEnd::Done(d) = end {
        assert_eq!(d.response.header("Cache-Control"), Some("no-store"));
    }
    r
}

/// An error sent back to the client: `error`, the `state` given, and `iss` (RFC 9207).
fn assert_error_redirect(
    end: &AuthorizeEnd,
    base: &str,
    code: &str,
    state: Option<&str>,
) -> Redirect {
    let r = redirect(end);
    assert_eq!(r.base, base, "{}", r.location);
    assert_eq!(r.get("error"), Some(code), "{}", r.location);
    assert_eq!(r.get("state"), state, "{}", r.location);
    assert_eq!(r.get("iss"), Some(ISSUER), "{}", r.location);
    assert!(r.get("code").is_none(), "{}", r.location);
    for name in ["error", "state", "iss"] {
        assert!(r.count(name) <= 1, "{name} repeated in {}", r.location);
    }
    if let AuthorizeEnd::Done(d) = end {
        match &d.outcome {
            Outcome::Rejected { error, .. } => assert_eq!(error.code.as_str(), code),
            other => panic!("{other:?}"),
        }
    }
    r
}

/// The error page shown instead of a redirect.
fn assert_shown(end: &AuthorizeEnd, code: &str) {
    assert_eq!(error_page_code(end).as_deref(), Some(code), "{end:?}");
    let AuthorizeEnd::Done(d) = end else {
        unreachable!()
    };
    assert!(d.response.header("Location").is_none());
    match &d.outcome {
        Outcome::Rejected { error, .. } => assert_eq!(error.code.as_str(), code),
        other => panic!("{other:?}"),
    }
}

/// A successful redirect with a code; returns it.
fn assert_code(end: &AuthorizeEnd, state: Option<&str>) -> String {
    let r = redirect(end);
    assert_eq!(r.base, REDIRECT, "{}", r.location);
    assert!(!r.in_fragment, "{}", r.location);
    assert_eq!(r.get("state"), state);
    assert_eq!(r.get("iss"), Some(ISSUER));
    assert!(r.get("error").is_none(), "{}", r.location);
    assert_eq!(r.count("code"), 1);
    r.get("code").unwrap().to_owned()
}

fn interaction(end: AuthorizeEnd) -> oauth_core::authorize::Interaction {
    match end {
        AuthorizeEnd::Interact(i) => i,
        AuthorizeEnd::Done(d) => panic!("expected an interaction, got {d:?}"),
    }
}

fn redeem(
    kit: &mut TestKit,
    client: &str,
    code: &str,
    verifier: Option<&str>,
    redirect_uri: Option<&str>,
) -> oauth_testkit::Reply {
    let mut form = vec![("grant_type", "authorization_code"), ("code", code)];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    if let Some(r) = redirect_uri {
        form.push(("redirect_uri", r));
    }
    kit.post_token(&form, Some(&basic(client, SECRET)))
}

fn jwt_claims(jwt: &str) -> Value {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(payload).unwrap()).unwrap()
}

// ---- errors shown to the user ----------------------------------------------------------

#[test]
fn authorize_shows_an_unknown_client_and_never_redirects() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[("client_id", "nobody")]);
    assert_shown(&end, "invalid_request");
}

#[test]
fn authorize_shows_an_unregistered_redirect_uri_and_never_redirects() {
    let mut kit = kit();
    kit.log_in("alice");
    for uri in [
        "https://evil.example.com/cb",
        "https://app.example.com/cb/",
        "https://app.example.com/cb?x=1",
        "https://app.example.com/CB",
        "http://app.example.com/cb",
    ] {
        let end = authorize(&mut kit, &[("redirect_uri", uri)]);
        assert_shown(&end, "invalid_request");
    }
    // Even when the rest of the request is also wrong: the URI is checked first.
    let end = authorize(
        &mut kit,
        &[
            ("redirect_uri", "https://evil.example.com/cb"),
            ("response_type", "token"),
            ("scope", "admin"),
        ],
    );
    assert_shown(&end, "invalid_request");
}

#[test]
fn authorize_shows_a_missing_redirect_uri_when_several_are_registered() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(
        &mut kit,
        &[
            ("client_id", "two-uris"),
            ("redirect_uri", ""),
            ("scope", "openid"),
        ],
    );
    assert_shown(&end, "invalid_request");
    // Naming either one works.
    let end = authorize(
        &mut kit,
        &[
            ("client_id", "two-uris"),
            ("redirect_uri", OTHER_REDIRECT),
            ("scope", "openid"),
        ],
    );
    assert_eq!(redirect(&end).base, OTHER_REDIRECT);
}

#[test]
fn authorize_uses_the_only_registered_redirect_uri_when_none_is_given() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[("redirect_uri", "")]);
    let code = assert_code(&end, Some("st-1"));
    // The token request then omits redirect_uri too (RFC 6749 section 4.1.3).
    let r = redeem(&mut kit, "web", &code, Some(VERIFIER), None);
    assert_eq!(r.status(), 200, "{}", r.json);
}

#[test]
fn authorize_shows_a_missing_client_id() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[("client_id", "")]);
    assert_shown(&end, "invalid_request");
    let empty = kit.authorize(&[]);
    assert_shown(&empty, "invalid_request");
}

#[test]
fn authorize_shows_a_repeated_parameter() {
    let mut kit = kit();
    kit.log_in("alice");
    let challenge = s256(VERIFIER);
    let query = format!(
        "{}&state=again",
        oauth_testkit::encode_form(&params(&challenge, &[]))
    );
    let end = kit.authorize_request(&HttpRequest::get(&query));
    assert_shown(&end, "invalid_request");
}

#[test]
fn authorize_shows_an_overlong_state() {
    let mut kit = kit();
    kit.log_in("alice");
    let state = "s".repeat(oauth_core::authorize::params::MAX_STATE + 1);
    let end = authorize(&mut kit, &[("state", &state)]);
    let AuthorizeEnd::Done(d) = &end else {
        panic!()
    };
    assert!(d.response.header("Location").is_none(), "{end:?}");
    assert_eq!(d.response.status, 400);
}

#[test]
fn authorize_error_page_escapes_nothing_from_the_request() {
    // The page text is fixed: nothing the request carried is reflected into it.
    let mut kit = kit();
    let end = authorize(&mut kit, &[("client_id", "<script>alert(1)</script>")]);
    assert_shown(&end, "invalid_request");
    let AuthorizeEnd::Done(d) = &end else {
        panic!()
    };
    let body = String::from_utf8(d.response.body.clone()).unwrap();
    assert!(!body.contains("<script>"), "{body}");
}

// ---- errors returned to the client -----------------------------------------------------

#[test]
fn authorize_redirects_an_unsupported_response_type_with_state_and_iss() {
    let mut kit = kit();
    kit.log_in("alice");
    for rt in ["token", "id_token token", "device_code"] {
        let end = authorize(&mut kit, &[("response_type", rt)]);
        let r = assert_error_redirect(&end, REDIRECT, "unsupported_response_type", Some("st-1"));
        // Implicit-style response types default to the fragment; others to the query. The
        // error reaches the client either way.
        let _ = r.in_fragment;
    }
}

#[test]
fn authorize_redirects_a_missing_response_type() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[("response_type", "")]);
    assert_error_redirect(&end, REDIRECT, "invalid_request", Some("st-1"));
}

#[test]
fn authorize_redirects_a_response_type_the_client_did_not_register() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(
        &mut kit,
        &[("client_id", "hybrid-only"), ("scope", "openid")],
    );
    assert_error_redirect(&end, REDIRECT, "unauthorized_client", Some("st-1"));
}

#[test]
fn authorize_redirects_an_invalid_scope() {
    let mut kit = kit();
    kit.log_in("alice");
    for scope in ["openid admin", "write"] {
        let end = authorize(&mut kit, &[("scope", scope)]);
        assert_error_redirect(&end, REDIRECT, "invalid_scope", Some("st-1"));
    }
    let end = authorize(&mut kit, &[("scope", "openid\"bad")]);
    assert_error_redirect(&end, REDIRECT, "invalid_scope", Some("st-1"));
}

#[test]
fn authorize_redirects_a_bad_prompt_combination() {
    let mut kit = kit();
    kit.log_in("alice");
    for prompt in ["none login", "login none", "none consent", "sometimes"] {
        let end = authorize(&mut kit, &[("prompt", prompt)]);
        assert_error_redirect(&end, REDIRECT, "invalid_request", Some("st-1"));
    }
}

#[test]
fn authorize_redirects_a_bad_max_age() {
    let mut kit = kit();
    kit.log_in("alice");
    for max_age in ["-1", "ten", "1.5", "+5"] {
        let end = authorize(&mut kit, &[("max_age", max_age)]);
        assert_error_redirect(&end, REDIRECT, "invalid_request", Some("st-1"));
    }
}

#[test]
fn authorize_redirects_an_unknown_response_mode_in_the_default_mode() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[("response_mode", "carrier_pigeon")]);
    let r = assert_error_redirect(&end, REDIRECT, "invalid_request", Some("st-1"));
    assert!(!r.in_fragment);
}

#[test]
fn authorize_redirects_an_error_without_state_when_none_was_given() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[("state", ""), ("scope", "admin")]);
    let r = assert_error_redirect(&end, REDIRECT, "invalid_scope", None);
    assert_eq!(r.count("state"), 0);
}

#[test]
fn authorize_requires_pkce_of_public_clients() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(
        &mut kit,
        &[
            ("client_id", "spa"),
            ("code_challenge", ""),
            ("code_challenge_method", ""),
        ],
    );
    assert_error_redirect(&end, REDIRECT, "invalid_request", Some("st-1"));
    let end = authorize(&mut kit, &[("client_id", "spa")]);
    assert_code(&end, Some("st-1"));
}

#[test]
fn authorize_requires_pkce_of_confidential_clients_when_configured() {
    let mut kit = kit();
    kit.log_in("alice");
    let no_pkce = [("code_challenge", ""), ("code_challenge_method", "")];
    assert_code(&authorize(&mut kit, &no_pkce), Some("st-1"));
    kit.config.require_pkce = true;
    let end = authorize(&mut kit, &no_pkce);
    assert_error_redirect(&end, REDIRECT, "invalid_request", Some("st-1"));
}

#[test]
fn authorize_refuses_plain_pkce_unless_allowed() {
    let mut kit = kit();
    kit.log_in("alice");
    let plain = [
        ("code_challenge", VERIFIER),
        ("code_challenge_method", "plain"),
    ];
    let end = authorize(&mut kit, &plain);
    assert_error_redirect(&end, REDIRECT, "invalid_request", Some("st-1"));
    kit.config.allow_plain_pkce = true;
    let code = assert_code(&authorize(&mut kit, &plain), Some("st-1"));
    let r = redeem(&mut kit, "web", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(r.status(), 200, "{}", r.json);
}

#[test]
fn authorize_redirects_a_malformed_code_challenge() {
    let mut kit = kit();
    kit.log_in("alice");
    for bad in ["short", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"] {
        let end = authorize(&mut kit, &[("code_challenge", bad)]);
        assert_error_redirect(&end, REDIRECT, "invalid_request", Some("st-1"));
    }
}

// ---- login and consent -----------------------------------------------------------------

#[test]
fn authorize_without_a_session_asks_for_a_login_and_resubmits_the_request() {
    let mut kit = kit();
    let challenge = s256(VERIFIER);
    let p = params(&challenge, &[("login_hint", "alice")]);
    let i = interaction(kit.authorize(&p));
    assert_eq!(i.kind, InteractionKind::Login);
    assert_eq!(i.request.login_hint.as_deref(), Some("alice"));
    let mut want: Vec<(String, String)> = p
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut got = i.resubmit.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    // The login page re-submits, now with a session.
    kit.log_in("alice");
    let again: Vec<(&str, &str)> = i
        .resubmit
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_code(&kit.authorize(&again), Some("st-1"));
}

#[test]
fn authorize_prompt_none_without_a_session_redirects_login_required() {
    let mut kit = kit();
    let end = authorize(&mut kit, &[("prompt", "none")]);
    assert_error_redirect(&end, REDIRECT, "login_required", Some("st-1"));
}

#[test]
fn authorize_prompt_none_with_consent_needed_redirects_consent_required() {
    let mut kit = kit();
    kit.log_in("alice");
    kit.consent = ConsentAnswer::Needed;
    let end = authorize(&mut kit, &[("prompt", "none")]);
    assert_error_redirect(&end, REDIRECT, "consent_required", Some("st-1"));
}

#[test]
fn authorize_prompt_none_with_a_session_and_consent_issues_a_code() {
    let mut kit = kit();
    kit.log_in("alice");
    assert_code(&authorize(&mut kit, &[("prompt", "none")]), Some("st-1"));
}

#[test]
fn authorize_asks_for_consent_when_needed_then_issues_the_code() {
    let mut kit = kit();
    kit.log_in("alice");
    kit.consent = ConsentAnswer::Needed;
    let i = interaction(authorize(&mut kit, &[]));
    assert_eq!(i.kind, InteractionKind::Consent);
    assert!(i.request.scope.contains("profile"));
    kit.consent = ConsentAnswer::Granted;
    let again: Vec<(&str, &str)> = i
        .resubmit
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_code(&kit.authorize(&again), Some("st-1"));
}

#[test]
fn authorize_refused_consent_redirects_access_denied() {
    let mut kit = kit();
    kit.log_in("alice");
    kit.consent = ConsentAnswer::Refused;
    let end = authorize(&mut kit, &[]);
    assert_error_redirect(&end, REDIRECT, "access_denied", Some("st-1"));
}

#[test]
fn authorize_refused_consent_under_form_post_posts_access_denied() {
    let mut kit = kit();
    kit.log_in("alice");
    kit.consent = ConsentAnswer::Refused;
    let end = authorize(&mut kit, &[("response_mode", "form_post")]);
    let (action, fields) = form_post_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(action, REDIRECT);
    assert!(fields.contains(&("error".to_owned(), "access_denied".to_owned())));
    assert!(fields.contains(&("state".to_owned(), "st-1".to_owned())));
    assert!(fields.contains(&("iss".to_owned(), ISSUER.to_owned())));
}

#[test]
fn authorize_max_age_older_than_the_session_asks_for_a_login() {
    let mut kit = kit();
    kit.log_in("alice");
    kit.advance(301);
    let i = interaction(authorize(&mut kit, &[("max_age", "300")]));
    assert_eq!(i.kind, InteractionKind::Login);
    assert_eq!(i.request.max_age, Some(300));
    // Under prompt=none the same is login_required.
    let end = authorize(&mut kit, &[("max_age", "300"), ("prompt", "none")]);
    assert_error_redirect(&end, REDIRECT, "login_required", Some("st-1"));
    // A fresh login satisfies it, and the ID token says when it happened.
    kit.log_in("alice");
    let login_time = kit.now;
    kit.advance(10);
    let code = assert_code(&authorize(&mut kit, &[("max_age", "300")]), Some("st-1"));
    let r = redeem(&mut kit, "web", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(r.status(), 200, "{}", r.json);
    let claims = jwt_claims(r.get("id_token").unwrap());
    assert_eq!(claims["auth_time"], login_time);
}

#[test]
fn authorize_max_age_within_the_session_issues_a_code() {
    let mut kit = kit();
    kit.log_in("alice");
    kit.advance(300);
    assert_code(&authorize(&mut kit, &[("max_age", "300")]), Some("st-1"));
}

// ---- response modes --------------------------------------------------------------------

#[test]
fn authorize_code_defaults_to_the_query() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[]);
    let r = redirect(&end);
    assert!(!r.in_fragment);
    assert!(
        r.location.starts_with(&format!("{REDIRECT}?")),
        "{}",
        r.location
    );
    assert!(!r.location.contains('#'));
    assert_code(&end, Some("st-1"));
}

#[test]
fn authorize_response_mode_query_is_accepted_for_code() {
    let mut kit = kit();
    kit.log_in("alice");
    assert_code(
        &authorize(&mut kit, &[("response_mode", "query")]),
        Some("st-1"),
    );
}

#[test]
fn authorize_response_mode_fragment_puts_the_code_in_the_fragment() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[("response_mode", "fragment")]);
    let r = redirect(&end);
    assert!(r.in_fragment, "{}", r.location);
    assert!(
        r.location.starts_with(&format!("{REDIRECT}#")),
        "{}",
        r.location
    );
    assert!(r.query.is_empty(), "{}", r.location);
    assert_eq!(r.get("state"), Some("st-1"));
    assert_eq!(r.get("iss"), Some(ISSUER));
    let code = r.get("code").unwrap().to_owned();
    let t = redeem(&mut kit, "web", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(t.status(), 200, "{}", t.json);
    // Errors go the same way.
    let end = authorize(
        &mut kit,
        &[("response_mode", "fragment"), ("scope", "admin")],
    );
    let r = assert_error_redirect(&end, REDIRECT, "invalid_scope", Some("st-1"));
    assert!(r.in_fragment);
}

#[test]
fn authorize_response_mode_form_post_returns_an_auto_submitting_page() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[("response_mode", "form_post")]);
    let AuthorizeEnd::Done(d) = &end else {
        panic!("{end:?}")
    };
    assert_eq!(d.response.status, 200);
    assert!(d.response.header("Location").is_none());
    assert!(
        d.response
            .header("Content-Type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        d.response.headers
    );
    assert_eq!(d.response.header("Cache-Control"), Some("no-store"));
    let (action, fields) = form_post_of(&end).unwrap();
    assert_eq!(action, REDIRECT);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["code", "state", "iss"]);
    assert_eq!(fields[1].1, "st-1");
    assert_eq!(fields[2].1, ISSUER);
    let t = redeem(
        &mut kit,
        "web",
        &fields[0].1,
        Some(VERIFIER),
        Some(REDIRECT),
    );
    assert_eq!(t.status(), 200, "{}", t.json);
}

#[test]
fn authorize_form_post_escapes_html_in_values() {
    let mut kit = kit();
    kit.log_in("alice");
    let state = "\"><script>alert('x')</script>&amp;<";
    let end = authorize(
        &mut kit,
        &[("response_mode", "form_post"), ("state", state)],
    );
    let AuthorizeEnd::Done(d) = &end else {
        panic!("{end:?}")
    };
    let body = String::from_utf8(d.response.body.clone()).unwrap();
    assert!(!body.contains("<script>"), "{body}");
    assert!(!body.contains("'x'"), "{body}");
    assert!(
        body.contains("&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;&lt;"),
        "{body}"
    );
    let (_, fields) = form_post_of(&end).unwrap();
    assert!(
        fields.contains(&("state".to_owned(), state.to_owned())),
        "{fields:?}"
    );
}

#[test]
fn authorize_form_post_escapes_the_redirect_uri_in_the_action() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(
        &mut kit,
        &[
            ("client_id", "query-uri"),
            ("redirect_uri", QUERY_REDIRECT),
            ("scope", "openid"),
            ("response_mode", "form_post"),
        ],
    );
    let AuthorizeEnd::Done(d) = &end else {
        panic!("{end:?}")
    };
    let body = String::from_utf8(d.response.body.clone()).unwrap();
    assert!(
        body.contains("action=\"https://app.example.com/cb?tenant=a&amp;x=%2F\""),
        "{body}"
    );
    let (action, _) = form_post_of(&end).unwrap();
    assert_eq!(action, QUERY_REDIRECT);
}

#[test]
fn authorize_appends_to_a_redirect_uri_that_has_a_query() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(
        &mut kit,
        &[
            ("client_id", "query-uri"),
            ("redirect_uri", QUERY_REDIRECT),
            ("scope", "openid"),
        ],
    );
    let r = redirect(&end);
    assert!(
        r.location.starts_with(&format!("{QUERY_REDIRECT}&code=")),
        "{}",
        r.location
    );
    assert_eq!(r.location.matches('?').count(), 1, "{}", r.location);
    assert_eq!(r.get("tenant"), Some("a"));
    assert_eq!(r.get("x"), Some("/"));
    assert_eq!(r.get("state"), Some("st-1"));
    assert_eq!(r.get("iss"), Some(ISSUER));
    // Errors too.
    let end = authorize(
        &mut kit,
        &[
            ("client_id", "query-uri"),
            ("redirect_uri", QUERY_REDIRECT),
            ("scope", "admin"),
        ],
    );
    let r = redirect(&end);
    assert!(
        r.location.starts_with(&format!("{QUERY_REDIRECT}&error=")),
        "{}",
        r.location
    );
}

#[test]
fn authorize_echoes_state_exactly() {
    let mut kit = kit();
    kit.log_in("alice");
    for state in [
        "plain",
        "with spaces and + plus",
        "a&b=c;d%2F%25",
        "ünïcødé ✓ 🦀",
        "#fragment?query/slash\\back\"quote'",
        "x".repeat(2048).as_str(),
    ] {
        let end = authorize(&mut kit, &[("state", state)]);
        let r = redirect(&end);
        assert_eq!(r.get("state"), Some(state), "{}", r.location);
        assert_eq!(r.count("state"), 1);
        assert!(r.get("code").is_some());
        let end = authorize(&mut kit, &[("state", state), ("response_mode", "fragment")]);
        assert_eq!(redirect(&end).get("state"), Some(state));
    }
}

#[test]
fn authorize_success_carries_iss_per_rfc_9207() {
    let mut kit = kit();
    kit.log_in("alice");
    let r = redirect(&authorize(&mut kit, &[("state", "")]));
    assert_eq!(r.get("iss"), Some(ISSUER));
    assert_eq!(r.count("state"), 0);
    let names: Vec<&str> = r.params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["code", "iss"]);
}

// ---- GET and POST ----------------------------------------------------------------------

#[test]
fn authorize_by_post_issues_a_code_like_get() {
    let mut kit = kit();
    kit.log_in("alice");
    let challenge = s256(VERIFIER);
    let p = params(&challenge, &[]);
    let code = assert_code(&kit.authorize_post(&p), Some("st-1"));
    let r = redeem(&mut kit, "web", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(r.status(), 200, "{}", r.json);
    // With a charset parameter too.
    let body = oauth_testkit::encode_form(&p);
    let request = HttpRequest::post(body.as_bytes()).header(
        "Content-Type",
        b"application/x-www-form-urlencoded; charset=UTF-8",
    );
    assert_code(&kit.authorize_request(&request), Some("st-1"));
}

#[test]
fn authorize_by_post_validates_like_get() {
    let mut kit = kit();
    kit.log_in("alice");
    let challenge = s256(VERIFIER);
    let p = params(&challenge, &[("scope", "admin")]);
    assert_error_redirect(
        &kit.authorize_post(&p),
        REDIRECT,
        "invalid_scope",
        Some("st-1"),
    );
    let p = params(&challenge, &[("redirect_uri", "https://evil.example.com/")]);
    assert_shown(&kit.authorize_post(&p), "invalid_request");
    let p = params(&challenge, &[]);
    let i = interaction({
        kit.session = None;
        kit.authorize_post(&p)
    });
    assert_eq!(i.kind, InteractionKind::Login);
}

#[test]
fn authorize_by_post_reads_the_body_not_the_query() {
    let mut kit = kit();
    kit.log_in("alice");
    let challenge = s256(VERIFIER);
    let p = params(&challenge, &[]);
    let body = oauth_testkit::encode_form(&p);
    let request = HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .query("client_id=nobody&state=from-query");
    assert_code(&kit.authorize_request(&request), Some("st-1"));
}

#[test]
fn authorize_by_post_needs_the_form_content_type() {
    let mut kit = kit();
    kit.log_in("alice");
    let challenge = s256(VERIFIER);
    let body = oauth_testkit::encode_form(&params(&challenge, &[]));
    for ct in [
        &b"application/json"[..],
        b"text/plain",
        b"multipart/form-data",
    ] {
        let request = HttpRequest::post(body.as_bytes()).header("Content-Type", ct);
        assert_shown(&kit.authorize_request(&request), "invalid_request");
    }
    let request = HttpRequest::post(body.as_bytes());
    assert_shown(&kit.authorize_request(&request), "invalid_request");
}

#[test]
fn authorize_refuses_other_methods() {
    let mut kit = kit();
    kit.log_in("alice");
    let challenge = s256(VERIFIER);
    let query = oauth_testkit::encode_form(&params(&challenge, &[]));
    let request = HttpRequest::new(Method::Other).query(&query);
    let end = kit.authorize_request(&request);
    let AuthorizeEnd::Done(d) = &end else {
        panic!()
    };
    assert!(d.response.header("Location").is_none());
    assert!((400..500).contains(&d.response.status), "{end:?}");
}

// ---- the code and what it is bound to --------------------------------------------------

#[test]
fn authorize_code_is_bound_to_the_pkce_challenge() {
    let mut kit = kit();
    kit.log_in("alice");
    let wrong = "wrong-verifier-wrong-verifier-wrong-verifier-0";
    let code = assert_code(&authorize(&mut kit, &[]), Some("st-1"));
    let r = redeem(&mut kit, "web", &code, Some(wrong), Some(REDIRECT));
    assert_eq!(
        (r.status(), r.error()),
        (400, Some("invalid_grant")),
        "{}",
        r.json
    );
    let code = assert_code(&authorize(&mut kit, &[]), Some("st-1"));
    let r = redeem(&mut kit, "web", &code, None, Some(REDIRECT));
    assert_eq!(
        (r.status(), r.error()),
        (400, Some("invalid_grant")),
        "{}",
        r.json
    );
    let code = assert_code(&authorize(&mut kit, &[]), Some("st-1"));
    let r = redeem(&mut kit, "web", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(r.status(), 200, "{}", r.json);
}

#[test]
fn authorize_code_is_bound_to_the_redirect_uri() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(
        &mut kit,
        &[
            ("client_id", "two-uris"),
            ("redirect_uri", OTHER_REDIRECT),
            ("scope", "openid"),
        ],
    );
    let r = redirect(&end);
    assert_eq!(r.base, OTHER_REDIRECT);
    let code = r.get("code").unwrap().to_owned();
    let t = redeem(&mut kit, "two-uris", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(
        (t.status(), t.error()),
        (400, Some("invalid_grant")),
        "{}",
        t.json
    );
    let end = authorize(
        &mut kit,
        &[
            ("client_id", "two-uris"),
            ("redirect_uri", OTHER_REDIRECT),
            ("scope", "openid"),
        ],
    );
    let code = redirect(&end).get("code").unwrap().to_owned();
    let t = redeem(&mut kit, "two-uris", &code, Some(VERIFIER), None);
    assert_eq!(
        (t.status(), t.error()),
        (400, Some("invalid_grant")),
        "{}",
        t.json
    );
    let end = authorize(
        &mut kit,
        &[
            ("client_id", "two-uris"),
            ("redirect_uri", OTHER_REDIRECT),
            ("scope", "openid"),
        ],
    );
    let code = redirect(&end).get("code").unwrap().to_owned();
    let t = redeem(
        &mut kit,
        "two-uris",
        &code,
        Some(VERIFIER),
        Some(OTHER_REDIRECT),
    );
    assert_eq!(t.status(), 200, "{}", t.json);
}

#[test]
fn authorize_code_is_bound_to_the_client() {
    let mut kit = kit();
    kit.log_in("alice");
    let code = assert_code(&authorize(&mut kit, &[]), Some("st-1"));
    let r = redeem(&mut kit, "other-web", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(
        (r.status(), r.error()),
        (400, Some("invalid_grant")),
        "{}",
        r.json
    );
}

#[test]
fn authorize_code_carries_nonce_scope_and_subject() {
    let mut kit = kit();
    kit.log_in("alice");
    let code = assert_code(
        &authorize(
            &mut kit,
            &[("nonce", "n-0S6_WzA2Mj"), ("scope", "openid read")],
        ),
        Some("st-1"),
    );
    let r = redeem(&mut kit, "web", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(r.status(), 200, "{}", r.json);
    let scope = r.get("scope").unwrap();
    let mut granted: Vec<&str> = scope.split(' ').collect();
    granted.sort_unstable();
    assert_eq!(granted, ["openid", "read"]);
    let claims = jwt_claims(r.get("id_token").unwrap());
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["aud"], "web");
    assert_eq!(claims["iss"], ISSUER);
    // Single use.
    let again = redeem(&mut kit, "web", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(
        (again.status(), again.error()),
        (400, Some("invalid_grant"))
    );
}

#[test]
fn authorize_without_a_scope_grants_the_registered_scope() {
    let mut kit = kit();
    kit.log_in("alice");
    let end = authorize(&mut kit, &[("scope", ""), ("nonce", "")]);
    let code = assert_code(&end, Some("st-1"));
    let r = redeem(&mut kit, "web", &code, Some(VERIFIER), Some(REDIRECT));
    assert_eq!(r.status(), 200, "{}", r.json);
    let mut granted: Vec<&str> = r.get("scope").unwrap().split(' ').collect();
    granted.sort_unstable();
    assert_eq!(granted, ["openid", "profile", "read"]);
}

#[test]
fn authorize_codes_differ_per_request() {
    let mut kit = kit();
    kit.log_in("alice");
    let a = assert_code(&authorize(&mut kit, &[]), Some("st-1"));
    let b = assert_code(&authorize(&mut kit, &[]), Some("st-1"));
    assert_ne!(a, b);
    assert!(a.len() >= 22, "{a}");
}

#[test]
fn authorize_passes_the_request_to_the_login_page() {
    let mut kit = kit();
    let i = interaction(authorize(
        &mut kit,
        &[
            ("login_hint", "bob"),
            ("acr_values", "urn:acr:mfa"),
            ("prompt", "login"),
            ("mobilePayload", "blob"),
        ],
    ));
    assert_eq!(i.request.login_hint.as_deref(), Some("bob"));
    assert_eq!(i.request.acr_values.as_deref(), Some("urn:acr:mfa"));
    assert_eq!(i.request.prompt, vec!["login".to_owned()]);
    assert_eq!(i.request.response_mode, ResponseMode::Query);
    assert!(
        i.request
            .extra
            .contains(&("mobilePayload".to_owned(), "blob".to_owned()))
    );
}

// ---- answers the test kit never gives, stepped by hand ---------------------------------

/// Starts a plain request of `web` and answers every step from the kit until the engine
/// asks to authenticate the user; the caller answers that.
fn until_authenticate<'a>(
    kit: &mut TestKit,
    config: &'a oauth_core::Config,
    query: &'a str,
) -> oauth_core::authorize::Authenticate<'a> {
    use oauth_core::authorize::{AuthorizeEndpoint, AuthorizeStep};
    use oauth_core::drive::Backend;
    let ctx = kit.context();
    let mut step = AuthorizeEndpoint::start(config, &HttpRequest::get(query), ctx);
    loop {
        step = match step {
            AuthorizeStep::LookupClient(s) => {
                let c = kit.client(s.client_id()).unwrap();
                s.resume(c)
            }
            AuthorizeStep::Authenticate(s) => return s,
            _ => panic!("the flow ended before authenticating"),
        };
    }
}

#[test]
fn authorize_user_refusing_to_log_in_redirects_access_denied() {
    use oauth_core::authorize::Authentication;
    let mut kit = kit();
    let config = kit.config.clone();
    let challenge = s256(VERIFIER);
    let query = oauth_testkit::encode_form(&params(&challenge, &[]));
    let s = until_authenticate(&mut kit, &config, &query);
    let end = oauth_core::drive::drive_authorize(s.resume(Authentication::Refused), &mut kit);
    assert_error_redirect(&end, REDIRECT, "access_denied", Some("st-1"));
}

#[test]
fn authorize_max_age_with_a_session_of_unknown_age_asks_for_a_login() {
    // OIDC Core section 3.1.2.1: with max_age the authentication time must be known.
    use oauth_core::authorize::Authentication;
    use oauth_core::records::Subject;
    let mut kit = kit();
    let config = kit.config.clone();
    let challenge = s256(VERIFIER);
    let query = oauth_testkit::encode_form(&params(&challenge, &[("max_age", "3600")]));
    let s = until_authenticate(&mut kit, &config, &query);
    let subject = Subject {
        sub: "alice".to_owned(),
        auth_time: None,
        acr: None,
        amr: Vec::new(),
    };
    let end = oauth_core::drive::drive_authorize(
        s.resume(Authentication::Authenticated(subject.clone())),
        &mut kit,
    );
    assert_eq!(interaction(end).kind, InteractionKind::Login);
    // Without max_age the same session is enough.
    let query = oauth_testkit::encode_form(&params(&challenge, &[]));
    let s = until_authenticate(&mut kit, &config, &query);
    let end = oauth_core::drive::drive_authorize(
        s.resume(Authentication::Authenticated(subject)),
        &mut kit,
    );
    assert_code(&end, Some("st-1"));
}
