#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The authorization code grant at the token endpoint (RFC 6749 sections 4.1.2 and 4.1.3)
//! with PKCE (RFC 7636 sections 4.1 and 4.6; RFC 9700 section 2.1.1).

mod common;

use common::*;
use oauth_core::Reason;
use oauth_core::records::GrantId;
use oauth_testkit::{CodeSpec, Reply, TestKit, basic};
use serde_json::json;

const WEB: &str = "web";
const OTHER: &str = "other-web";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    for id in [WEB, OTHER] {
        kit.register(json!({
            "client_id": id, "client_secret": SECRET,
            "grant_types": ["authorization_code", "refresh_token"],
            "redirect_uris": [REDIRECT], "scope": "openid profile read",
        }));
    }
    kit
}

fn spec<'a>(client_id: &'a str, verifier: Option<&'a str>) -> CodeSpec<'a> {
    CodeSpec {
        client_id,
        redirect_uri: Some(REDIRECT),
        code_verifier: verifier,
        nonce: None,
        scope: "profile read",
        sub: "alice",
    }
}

/// The grant a test code belongs to (the testkit numbers codes and grants together).
fn grant_of(code: &str) -> GrantId {
    GrantId(code.replacen("code-", "grant-", 1))
}

/// Redeems `code` as `client` with optional redirect_uri and verifier.
fn redeem(
    kit: &mut TestKit,
    client: &str,
    code: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Reply {
    let mut form = vec![("grant_type", "authorization_code"), ("code", code)];
    if let Some(r) = redirect_uri {
        form.push(("redirect_uri", r));
    }
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    kit.post_token(&form, Some(&basic(client, SECRET)))
}

#[test]
fn code_redeems_for_an_access_token_and_a_refresh_token() {
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, Some(VERIFIER)));
    let r = redeem(&mut kit, WEB, &code, Some(REDIRECT), Some(VERIFIER));
    let body = assert_tokens(&r);
    assert_eq!(body["scope"], "profile read");
    assert_eq!(body["expires_in"], kit.config.access_token_ttl);
    let at = member(&r, "access_token");
    let rt = member(&r, "refresh_token");
    let record = kit.store.access_token(&at, kit.now).unwrap();
    assert_eq!(record.client_id, WEB);
    assert_eq!(record.sub.as_deref(), Some("alice"));
    assert!(kit.store.refresh_token_active(&rt, kit.now));
    // No id_token without openid in the granted scope.
    assert!(body.get("id_token").is_none());
}

#[test]
fn second_use_of_a_code_is_invalid_grant_and_revokes_what_it_issued() {
    // RFC 6749 section 4.1.2: the server MUST deny a second use and SHOULD revoke the tokens
    // previously issued from the code.
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, Some(VERIFIER)));
    let first = redeem(&mut kit, WEB, &code, Some(REDIRECT), Some(VERIFIER));
    assert_tokens(&first);
    let (at, rt) = (
        member(&first, "access_token"),
        member(&first, "refresh_token"),
    );
    let second = redeem(&mut kit, WEB, &code, Some(REDIRECT), Some(VERIFIER));
    assert_error(&second, 400, "invalid_grant");
    assert_eq!(reason(&second), &Reason::GrantReplayed);
    assert!(kit.store.access_token(&at, kit.now).is_none());
    assert!(!kit.store.refresh_token_active(&rt, kit.now));
    assert_eq!(kit.store.access_tokens_of(&grant_of(&code)), 0);
    let refresh = kit.post_token(
        &[("grant_type", "refresh_token"), ("refresh_token", &rt)],
        Some(&basic(WEB, SECRET)),
    );
    assert_error(&refresh, 400, "invalid_grant");
}

#[test]
fn code_reuse_also_revokes_tokens_refreshed_from_it() {
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, None));
    let first = redeem(&mut kit, WEB, &code, Some(REDIRECT), None);
    let rt1 = member(&first, "refresh_token");
    let refreshed = kit.post_token(
        &[("grant_type", "refresh_token"), ("refresh_token", &rt1)],
        Some(&basic(WEB, SECRET)),
    );
    assert_tokens(&refreshed);
    let (at2, rt2) = (
        member(&refreshed, "access_token"),
        member(&refreshed, "refresh_token"),
    );
    let again = redeem(&mut kit, WEB, &code, Some(REDIRECT), None);
    assert_error(&again, 400, "invalid_grant");
    assert!(kit.store.access_token(&at2, kit.now).is_none());
    assert!(!kit.store.refresh_token_active(&rt2, kit.now));
}

#[test]
fn code_reuse_by_another_client_is_invalid_grant() {
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, None));
    assert_tokens(&redeem(&mut kit, WEB, &code, Some(REDIRECT), None));
    let r = redeem(&mut kit, OTHER, &code, Some(REDIRECT), None);
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn code_issued_to_another_client_is_invalid_grant() {
    // RFC 6749 section 4.1.3: ensure the code was issued to the authenticated client.
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, None));
    let r = redeem(&mut kit, OTHER, &code, Some(REDIRECT), None);
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(kit.store.access_tokens_of(&grant_of(&code)), 0);
}

#[test]
fn expired_code_is_invalid_grant() {
    let mut kit = kit();
    let live = kit.issue_code(spec(WEB, None));
    let dead = kit.issue_code(spec(WEB, None));
    kit.advance(kit.config.code_ttl - 1);
    assert_tokens(&redeem(&mut kit, WEB, &live, Some(REDIRECT), None));
    kit.advance(1);
    let r = redeem(&mut kit, WEB, &dead, Some(REDIRECT), None);
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn unknown_code_is_invalid_grant() {
    let mut kit = kit();
    let r = redeem(
        &mut kit,
        WEB,
        "code-that-was-never-issued",
        Some(REDIRECT),
        None,
    );
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn missing_code_is_invalid_request() {
    let mut kit = kit();
    let r = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
        ],
        Some(&basic(WEB, SECRET)),
    );
    assert_error(&r, 400, "invalid_request");
    assert_eq!(reason(&r), &Reason::MissingParameter("code"));
}

#[test]
fn redirect_uri_is_required_when_the_authorization_request_had_one() {
    // RFC 6749 section 4.1.3: "ensure that the redirect_uri parameter is present if [it] was
    // included in the initial authorization request".
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, None));
    let r = redeem(&mut kit, WEB, &code, None, None);
    assert!(
        matches!(r.error(), Some("invalid_grant" | "invalid_request")),
        "{}",
        r.json
    );
    assert_error(&r, 400, r.error().unwrap());
    assert_eq!(kit.store.access_tokens_of(&grant_of(&code)), 0);
}

#[test]
fn redirect_uri_must_be_identical_to_the_authorization_request() {
    // "... and if included ensure that their values are identical": no normalisation.
    let mut kit = kit();
    for variant in [
        "https://app.example.com/cb/",
        "https://APP.example.com/cb",
        "HTTPS://app.example.com/cb",
        "https://app.example.com/cb?x=1",
        "https://app.example.com/cb#f",
        "https://app.example.com:443/cb",
        "https://app.example.com/%63b",
        "https://app.example.com/cb2",
        "http://app.example.com/cb",
        "https://evil.example/cb",
    ] {
        let code = kit.issue_code(spec(WEB, None));
        let r = redeem(&mut kit, WEB, &code, Some(variant), None);
        assert_error(&r, 400, "invalid_grant");
        assert_eq!(reason(&r), &Reason::RedirectUriMismatch, "{variant}");
    }
}

#[test]
fn redirect_uri_may_be_omitted_when_the_authorization_request_had_none() {
    let mut kit = kit();
    let code = kit.issue_code(CodeSpec {
        redirect_uri: None,
        ..spec(WEB, None)
    });
    assert_tokens(&redeem(&mut kit, WEB, &code, None, None));
}

#[test]
fn client_not_registered_for_the_code_grant_is_unauthorized_client() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "m2m", "client_secret": SECRET,
        "grant_types": ["client_credentials"], "redirect_uris": [REDIRECT],
    }));
    let code = kit.issue_code(spec("m2m", None));
    let r = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        Some(&basic("m2m", SECRET)),
    );
    assert_error(&r, 400, "unauthorized_client");
}

#[test]
fn code_of_a_client_not_registered_for_refresh_gets_no_refresh_token() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "no-refresh", "client_secret": SECRET,
        "redirect_uris": [REDIRECT], "scope": "read",
    }));
    let code = kit.issue_code(spec("no-refresh", None));
    let r = redeem(&mut kit, "no-refresh", &code, Some(REDIRECT), None);
    let body = assert_tokens(&r);
    assert!(body.get("refresh_token").is_none(), "{}", r.json);
}

// ---------------------------------------------------------------------------------------
// PKCE (RFC 7636 section 4.6).

#[test]
fn s256_verifier_matching_the_challenge_is_accepted() {
    let mut kit = kit();
    for verifier in [
        VERIFIER,
        &"a".repeat(43),
        &"Z9-._~".repeat(21)[..126],
        &"x".repeat(128),
    ] {
        let code = kit.issue_code(spec(WEB, Some(verifier)));
        assert_tokens(&redeem(
            &mut kit,
            WEB,
            &code,
            Some(REDIRECT),
            Some(verifier),
        ));
    }
}

#[test]
fn wrong_verifier_is_invalid_grant() {
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, Some(VERIFIER)));
    let wrong = VERIFIER.replace('d', "e");
    let r = redeem(&mut kit, WEB, &code, Some(REDIRECT), Some(&wrong));
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(reason(&r), &Reason::Pkce);
    // The challenge itself is not a verifier (S256 is not plain).
    let code = kit.issue_code(spec(WEB, Some(VERIFIER)));
    let challenge = oauth_testkit::s256(VERIFIER);
    let r = redeem(&mut kit, WEB, &code, Some(REDIRECT), Some(&challenge));
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn missing_verifier_when_a_challenge_was_made_is_refused() {
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, Some(VERIFIER)));
    let r = redeem(&mut kit, WEB, &code, Some(REDIRECT), None);
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(kit.store.access_tokens_of(&grant_of(&code)), 0);
}

#[test]
fn verifier_without_a_challenge_is_refused() {
    // RFC 9700 section 2.1.1: a code_verifier is accepted only if a code_challenge was sent
    // (PKCE downgrade).
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, None));
    let r = redeem(&mut kit, WEB, &code, Some(REDIRECT), Some(VERIFIER));
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(reason(&r), &Reason::Pkce);
}

#[test]
fn malformed_verifier_is_refused_even_when_its_hash_matches() {
    // RFC 7636 section 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." /
    // "_" / "~". Each code's challenge is the S256 of the malformed verifier itself, so only
    // the syntax check can refuse it.
    let mut kit = kit();
    for verifier in [
        "a".repeat(42),
        "x".repeat(129),
        format!("{}+", &VERIFIER[..42]),
        format!("{}/", &VERIFIER[..42]),
        format!("{}=", &VERIFIER[..42]),
        format!("{} x", &VERIFIER[..41]),
        format!("{}é", &VERIFIER[..41]),
        format!("{}%", &VERIFIER[..42]),
        "short".to_owned(),
    ] {
        let code = kit.issue_code(spec(WEB, Some(&verifier)));
        let r = redeem(&mut kit, WEB, &code, Some(REDIRECT), Some(&verifier));
        assert!(
            matches!(r.error(), Some("invalid_grant" | "invalid_request")),
            "{verifier:?}: {}",
            r.json
        );
        assert_error(&r, 400, r.error().unwrap());
    }
}

#[test]
fn empty_code_verifier_is_absent() {
    // RFC 6749 section 3.1: a parameter without a value is omitted; so a challenge-bound code
    // with `code_verifier=` fails as if the verifier were missing.
    let mut kit = kit();
    let code = kit.issue_code(spec(WEB, Some(VERIFIER)));
    let r = redeem(&mut kit, WEB, &code, Some(REDIRECT), Some(""));
    assert_error(&r, 400, "invalid_grant");
    let code = kit.issue_code(spec(WEB, None));
    assert_tokens(&redeem(&mut kit, WEB, &code, Some(REDIRECT), Some("")));
}
