#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! HID's error shapes ("OpenID API Error Handling"): the RFC 6749 section 5.2 body plus
//! `hid_failure` (`reason`, `authType`) on password-grant failures and `hid_error`
//! (`code`, HID's `ErrorConstants`) for HID-coded errors, with the statuses of HID's table
//! (400, 401, 403, 500).

mod common;

use common::*;
use oauth_core::hid::{self, API_OTP, HidError, HidFailure, HidStatus, MAX_DETAIL};
use oauth_core::token::{GrantAnswer, GrantError};
use oauth_testkit::{Reply, TestKit, basic};
use serde_json::json;

fn hid_kit() -> TestKit {
    let mut kit = TestKit::new();
    hid::apply(&mut kit.config, "FS_APIOTP");
    kit.register(json!({
        "client_id": "app", "client_secret": "app-secret",
        "grant_types": ["password", API_OTP], "permissions": ["FS_APIOTP"],
    }));
    kit.add_user("alice", "secret", "alice-sub");
    kit
}

fn password(kit: &mut TestKit, user: &str, extra: &[(&str, &str)]) -> Reply {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", user),
        ("password", "secret"),
    ];
    form.extend_from_slice(extra);
    post(kit, &form, Some(&basic("app", "app-secret")), None)
}

fn otp(kit: &mut TestKit) -> Reply {
    post(
        kit,
        &[
            ("grant_type", API_OTP),
            ("username", "alice"),
            ("authType", "AT_SMSOTP"),
        ],
        Some(&basic("app", "app-secret")),
        None,
    )
}

#[test]
fn a_password_failure_carries_hid_failure() {
    let mut kit = hid_kit();
    kit.password_failures.insert(
        "locked".to_owned(),
        HidFailure {
            reason: "Authenticator locked".to_owned(),
            auth_type: None,
        },
    );
    let r = password(&mut kit, "locked", &[("authType", "AT_STDPWD")]);
    assert_eq!(r.status(), 400);
    assert_no_store(&r);
    assert_eq!(
        r.json,
        json!({
            "error": "invalid_grant",
            "error_description": "the resource owner credentials are invalid",
            "hid_failure": {"reason": "Authenticator locked", "authType": "AT_STDPWD"},
        })
    );
    // The host's own authType wins over the request's; none at all leaves it out.
    kit.password_failures.insert(
        "locked".to_owned(),
        HidFailure {
            reason: "Authenticator locked".to_owned(),
            auth_type: Some("AT_CUSTPWD".to_owned()),
        },
    );
    let r = password(&mut kit, "locked", &[("authType", "AT_STDPWD")]);
    assert_eq!(r.json["hid_failure"]["authType"], "AT_CUSTPWD");
    kit.password_failures.insert(
        "locked".to_owned(),
        HidFailure {
            reason: "r".repeat(MAX_DETAIL * 2),
            auth_type: None,
        },
    );
    let r = password(&mut kit, "locked", &[]);
    assert_eq!(
        r.json["hid_failure"],
        json!({"reason": "r".repeat(MAX_DETAIL)})
    );
}

#[test]
fn plain_wrong_credentials_stay_plain() {
    let mut kit = hid_kit();
    let r = post(
        &mut kit,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "wrong"),
        ],
        Some(&basic("app", "app-secret")),
        None,
    );
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn hid_failure_is_only_sent_under_the_profile() {
    let mut kit = hid_kit();
    kit.config.profile = oauth_core::Profile::Standard;
    kit.password_failures.insert(
        "locked".to_owned(),
        HidFailure {
            reason: "Authenticator locked".to_owned(),
            auth_type: None,
        },
    );
    assert_error(&password(&mut kit, "locked", &[]), 400, "invalid_grant");
}

#[test]
fn hid_error_codes_map_to_hids_status_table() {
    for (status, http, code) in [
        (HidStatus::BadRequest, 400, "invalid_request"),
        (HidStatus::Unauthorized, 401, "invalid_client"),
        (HidStatus::Forbidden, 403, "access_denied"),
        (HidStatus::Internal, 500, "server_error"),
    ] {
        let mut kit = hid_kit();
        kit.extension_host = Some(Box::new(move |_| {
            GrantAnswer::Error(GrantError::Hid(HidError { code: 1006, status }))
        }));
        let r = otp(&mut kit);
        assert_eq!(r.status(), http, "{}", r.json);
        assert_no_store(&r);
        assert_eq!(r.error(), Some(code));
        assert_eq!(r.json["hid_error"], json!({"code": 1006}));
        assert_eq!(r.json.as_object().unwrap().len(), 3, "{}", r.json);
        assert_eq!(r.header("WWW-Authenticate").is_some(), http == 401);
    }
}

#[test]
fn hid_error_default_classes() {
    // 0 and 100 are HID's technical errors; parameter errors are request errors.
    for (code, http) in [(0, 500), (100, 500), (1000, 400), (1011, 400)] {
        let mut kit = hid_kit();
        kit.extension_host = Some(Box::new(move |_| {
            GrantAnswer::Error(GrantError::Hid(HidError::from_code(code)))
        }));
        let r = otp(&mut kit);
        assert_eq!(r.status(), http);
        assert_eq!(r.json["hid_error"]["code"], code);
    }
}

#[test]
fn a_bearer_client_gets_a_bearer_challenge_on_hid_401() {
    let mut kit = hid_kit();
    kit.store_access_token("tok", "app", "client_credentials", 60);
    kit.extension_host = Some(Box::new(|_| {
        GrantAnswer::Error(GrantError::Hid(HidError {
            code: 2001,
            status: HidStatus::Unauthorized,
        }))
    }));
    let r = post(
        &mut kit,
        &[
            ("grant_type", API_OTP),
            ("username", "alice"),
            ("authType", "AT_SMSOTP"),
        ],
        Some("Bearer tok"),
        None,
    );
    assert_eq!(r.status(), 401);
    assert!(
        r.header("WWW-Authenticate").unwrap().starts_with("Bearer "),
        "{:?}",
        r.done.response.headers
    );
}
