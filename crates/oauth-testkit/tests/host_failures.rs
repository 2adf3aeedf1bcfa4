#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! A host that cannot answer a step ends the request in a 5xx, never in a token: 503
//! `temporarily_unavailable` with `Retry-After` (RFC 9110 section 10.2.3) for a dependency
//! that is down, 500 `server_error` for anything else (RFC 6749 section 4.1.2.1 codes,
//! sent with the matching HTTP status).

mod common;

use common::*;
use jwt_verify::Algorithm;
use oauth_core::records::GrantId;
use oauth_core::{HostError, Reason};
use oauth_testkit::{CodeSpec, Reply, TestKit, basic};
use serde_json::json;

const ALL_STEPS: [&str; 8] = [
    "lookup_client",
    "check_replay",
    "verify_password",
    "take_code",
    "take_refresh",
    "revoke",
    "sign",
    "persist",
];

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
    kit.add_user("alice", "pw", "alice");
    kit
}

fn code(kit: &mut TestKit, scope: &str) -> String {
    kit.issue_code(CodeSpec {
        client_id: "web",
        redirect_uri: Some(REDIRECT),
        code_verifier: None,
        nonce: None,
        scope,
        sub: "alice",
    })
}

fn redeem(kit: &mut TestKit, code: &str) -> Reply {
    kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ],
        Some(&basic("web", SECRET)),
    )
}

/// Runs the request that first reaches `step`, with that step failing.
fn request_reaching(kit: &mut TestKit, step: &'static str, error: HostError) -> Reply {
    // Preparation runs with a healthy host.
    let prepared = match step {
        "take_refresh" => {
            let c = code(kit, "read");
            Some(member(&redeem(kit, &c), "refresh_token"))
        }
        "revoke" => {
            let c = code(kit, "read");
            assert_tokens(&redeem(kit, &c));
            Some(c)
        }
        _ => None,
    };
    kit.steps.clear();
    kit.fail_step = Some((step, error));
    let auth = basic("web", SECRET);
    match step {
        "lookup_client" | "persist" => {
            kit.post_token(&[("grant_type", "client_credentials")], Some(&auth))
        }
        "check_replay" => {
            let jwt = kit.assertion(&hmac_key(Algorithm::HS256, SECRET), "jwt", None);
            kit.post_token(&assertion_form("jwt", &jwt), None)
        }
        "verify_password" => kit.post_token(
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "pw"),
            ],
            Some(&auth),
        ),
        "take_code" => {
            let c = code(kit, "read");
            redeem(kit, &c)
        }
        "sign" => {
            let c = code(kit, "openid read");
            redeem(kit, &c)
        }
        "take_refresh" => kit.post_token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", prepared.as_deref().unwrap()),
            ],
            Some(&auth),
        ),
        "revoke" => redeem(kit, prepared.as_deref().unwrap()),
        other => panic!("no scenario for {other}"),
    }
}

fn check(step: &'static str, error: HostError, status: u16, code: &str) {
    let mut kit = kit();
    let r = request_reaching(&mut kit, step, error);
    assert!(
        kit.steps.contains(&step),
        "the scenario for {step} never reached it: {:?}",
        kit.steps
    );
    assert_error(&r, status, code);
    assert_eq!(reason(&r), &Reason::HostFailure(error), "{step}");
    assert!(r.get("access_token").is_none());
    if status == 503 {
        let retry = r.header("Retry-After").expect("503 without Retry-After");
        assert!(retry.parse::<u64>().is_ok(), "Retry-After {retry}");
    }
    // The failed step is the last one the host was asked.
    assert_eq!(kit.steps.last(), Some(&step), "{:?}", kit.steps);
}

#[test]
fn every_step_unavailable_ends_in_503_temporarily_unavailable_with_retry_after() {
    for step in ALL_STEPS {
        check(step, HostError::Unavailable, 503, "temporarily_unavailable");
    }
}

#[test]
fn every_step_failing_internally_ends_in_500_server_error() {
    for step in ALL_STEPS {
        check(step, HostError::Internal, 500, "server_error");
    }
}

#[test]
fn failed_persist_issues_no_token() {
    // The response is sent only after the records are saved (no token without its record).
    for error in [HostError::Unavailable, HostError::Internal] {
        let mut kit = kit();
        let c = code(&mut kit, "openid read");
        kit.fail_step = Some(("persist", error));
        let r = redeem(&mut kit, &c);
        assert!(r.status() >= 500);
        for member in ["access_token", "refresh_token", "id_token"] {
            assert!(r.json.get(member).is_none(), "{member} sent: {}", r.json);
        }
        let body = String::from_utf8(r.done.response.body.clone()).unwrap();
        assert!(!body.contains("eyJ"), "a JWS leaked: {body}");
        assert_eq!(
            kit.store
                .access_tokens_of(&GrantId(c.replacen("code-", "grant-", 1))),
            0
        );
    }
}

#[test]
fn failed_signature_persists_nothing() {
    let mut kit = kit();
    let c = code(&mut kit, "openid read");
    kit.fail_step = Some(("sign", HostError::Internal));
    let r = redeem(&mut kit, &c);
    assert_error(&r, 500, "server_error");
    assert!(!kit.steps.contains(&"persist"));
    assert_eq!(
        kit.store
            .access_tokens_of(&GrantId(c.replacen("code-", "grant-", 1))),
        0
    );
}

#[test]
fn host_failure_after_basic_is_not_a_401() {
    let mut kit = kit();
    kit.fail_step = Some(("lookup_client", HostError::Unavailable));
    let r = kit.post_token(
        &[("grant_type", "client_credentials")],
        Some(&basic("web", SECRET)),
    );
    assert_error(&r, 503, "temporarily_unavailable");
    assert!(r.header("WWW-Authenticate").is_none());
}

#[test]
fn refresh_retried_after_a_transient_failure_still_works() {
    // A 503 with Retry-After invites the client to retry (RFC 9110 sections 10.2.3 and
    // 15.6.4), and RFC 6749 section 6 lets the server revoke the old refresh token only
    // "after issuing a new refresh token". A refresh that issued nothing because the signer
    // or the store was briefly down must leave the presented refresh token usable, not turn
    // the retry into a detected reuse that revokes the grant (RFC 9700 section 4.14.2).
    // The presented token is consumed only after signing, right before the save; a store
    // that fails between its own take and save fails closed (the retry is a reuse), which
    // `refresh_failed_save_after_the_take_fails_closed` pins down.
    for step in ["sign", "load_refresh"] {
        let mut kit = kit();
        let c = code(&mut kit, "openid read");
        let first = redeem(&mut kit, &c);
        let rt = member(&first, "refresh_token");
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
        ];
        let auth = basic("web", SECRET);
        kit.fail_step = Some((step, HostError::Unavailable));
        let failed = kit.post_token(&form, Some(&auth));
        assert_error(&failed, 503, "temporarily_unavailable");
        kit.fail_step = None;
        kit.advance(1);
        let retry = kit.post_token(&form, Some(&auth));
        assert_eq!(
            retry.status(),
            200,
            "{step} failed once, and the retry was treated as reuse: {} / {:?}",
            retry.json,
            retry.done.outcome
        );
        assert_tokens(&retry);
    }
}

#[test]
fn refresh_failed_save_after_the_take_fails_closed() {
    let mut kit = kit();
    let c = code(&mut kit, "openid read");
    let first = redeem(&mut kit, &c);
    let rt = member(&first, "refresh_token");
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", rt.as_str()),
    ];
    let auth = basic("web", SECRET);
    kit.fail_step = Some(("persist", HostError::Unavailable));
    assert_error(
        &kit.post_token(&form, Some(&auth)),
        503,
        "temporarily_unavailable",
    );
    kit.fail_step = None;
    let retry = kit.post_token(&form, Some(&auth));
    assert_error(&retry, 400, "invalid_grant");
    assert!(!kit.store.refresh_token_active(&rt, kit.now));
}
