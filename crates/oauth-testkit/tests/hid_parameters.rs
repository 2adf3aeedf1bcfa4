#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! HID's custom token request parameters: `device_id`, `device_externalid`, `mode`,
//! `authType`, `channel`, `noToken`, `deviceCentric` and `username` placeholders, accepted,
//! validated and handed to the host under the HID profile.

mod common;

use common::*;
use oauth_core::hid::{self, API_OTP, HidParams, Mode, NO_TOKEN_PLACEHOLDER};
use oauth_core::records::Subject;
use oauth_core::token::{GrantAnswer, GrantTokens};
use oauth_testkit::{Reply, TestKit, basic};
use serde_json::json;

fn hid_kit() -> TestKit {
    let mut kit = TestKit::new();
    hid::apply(&mut kit.config, "FS_APIOTP");
    kit.register(json!({
        "client_id": "app", "client_secret": "app-secret",
        "grant_types": ["password", "client_credentials", "refresh_token", API_OTP],
        "scope": "openid read", "permissions": ["FS_APIOTP"],
    }));
    kit.add_user("alice", "secret", "alice-sub");
    kit.extension_host = Some(Box::new(|seen| {
        hid::otp(&format!("otp-{}", seen.parameter("mode").unwrap()))
    }));
    kit
}

fn password(kit: &mut TestKit, extra: &[(&str, &str)]) -> Reply {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", "secret"),
    ];
    form.extend_from_slice(extra);
    post(kit, &form, Some(&basic("app", "app-secret")), None)
}

#[test]
fn every_mode_is_accepted_and_handed_to_the_host() {
    let mut kit = hid_kit();
    for mode in Mode::ALL {
        assert_tokens(&password(&mut kit, &[("mode", mode.as_str())]));
        let seen = kit.password_hid.last().unwrap().as_ref().unwrap();
        assert_eq!(seen.mode, mode);
    }
    // Absent: SYNCHRONOUS.
    assert_tokens(&password(&mut kit, &[]));
    assert_eq!(
        kit.password_hid.last().unwrap().as_ref().unwrap().mode,
        Mode::Synchronous
    );
    // api_otp sees it too.
    let r = post(
        &mut kit,
        &[
            ("grant_type", API_OTP),
            ("username", "alice"),
            ("authType", "AT_SMSOTP"),
            ("mode", "CHALLENGE"),
        ],
        Some(&basic("app", "app-secret")),
        None,
    );
    assert_eq!(r.json, json!({"otp": "otp-CHALLENGE"}));
}

#[test]
fn any_other_mode_is_invalid_request_before_any_host_step() {
    let mut kit = hid_kit();
    for mode in ["synchronous", "PUSH", "SYNCHRONOUS ", "SIGN-SYNCHRONOUS"] {
        let r = password(&mut kit, &[("mode", mode)]);
        assert_error(&r, 400, "invalid_request");
    }
    assert!(kit.steps.is_empty(), "{:?}", kit.steps);
}

#[test]
fn device_auth_type_and_channel_reach_the_host() {
    let mut kit = hid_kit();
    assert_tokens(&password(
        &mut kit,
        &[
            ("device_id", "11058"),
            ("device_externalid", "SN-0042"),
            ("authType", "AT_STDPWD"),
            ("channel", "CH_DIRECT"),
        ],
    ));
    let seen = kit.password_hid.last().unwrap().clone().unwrap();
    assert_eq!(
        seen,
        HidParams {
            device_id: Some("11058".into()),
            device_externalid: Some("SN-0042".into()),
            mode: Mode::Synchronous,
            auth_type: Some("AT_STDPWD".into()),
            channel: Some("CH_DIRECT".into()),
            no_token: false,
            device_centric: false,
        }
    );
}

#[test]
fn no_token_answers_the_placeholder_and_stores_nothing() {
    let mut kit = hid_kit();
    let r = password(&mut kit, &[("noToken", "1"), ("scope", "openid read")]);
    let body = assert_tokens(&r);
    assert_eq!(body["access_token"], NO_TOKEN_PLACEHOLDER);
    assert_eq!(body["scope"], "openid read");
    assert!(!body.contains_key("refresh_token") && !body.contains_key("id_token"));
    // The credentials were checked; nothing was signed or saved.
    assert!(kit.steps.contains(&"verify_password"));
    assert!(!kit.steps.contains(&"persist") && !kit.steps.contains(&"sign"));
    // The placeholder is no token: it authenticates nothing and introspects inactive.
    let i = kit.post_introspect(
        &[("token", NO_TOKEN_PLACEHOLDER)],
        Some(&basic("app", "app-secret")),
    );
    assert_eq!(i.json, json!({"active": false}));
    // noToken=1 with wrong credentials is still refused.
    let r = post(
        &mut kit,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "wrong"),
            ("noToken", "1"),
        ],
        Some(&basic("app", "app-secret")),
        None,
    );
    assert_error(&r, 400, "invalid_grant");
}

#[test]
fn no_token_zero_issues_real_tokens() {
    let mut kit = hid_kit();
    let r = password(&mut kit, &[("noToken", "0")]);
    assert_ne!(assert_tokens(&r)["access_token"], NO_TOKEN_PLACEHOLDER);
    assert!(kit.steps.contains(&"persist"));
}

#[test]
fn no_token_applies_to_extension_grant_tokens_too() {
    let mut kit = hid_kit();
    kit.config
        .extension_grants
        .push(oauth_core::ExtensionGrantSpec::new("urn:example:grant"));
    kit.register(json!({
        "client_id": "x", "client_secret": "x-secret", "grant_types": ["urn:example:grant"],
    }));
    kit.extension_host = Some(Box::new(|_| {
        GrantAnswer::Tokens(GrantTokens {
            subject: Some(Subject {
                sub: "s".to_owned(),
                ..Subject::default()
            }),
            ..GrantTokens::default()
        })
    }));
    let r = post(
        &mut kit,
        &[("grant_type", "urn:example:grant"), ("noToken", "1")],
        Some(&basic("x", "x-secret")),
        None,
    );
    assert_eq!(assert_tokens(&r)["access_token"], NO_TOKEN_PLACEHOLDER);
    assert!(!kit.steps.contains(&"persist"));
}

#[test]
fn flags_take_zero_or_one() {
    let mut kit = hid_kit();
    for (name, value) in [
        ("noToken", "true"),
        ("noToken", "2"),
        ("deviceCentric", "yes"),
        ("deviceCentric", "01"),
    ] {
        let r = password(&mut kit, &[(name, value)]);
        assert_error(&r, 400, "invalid_request");
    }
}

#[test]
fn device_centric_requires_a_device() {
    let mut kit = hid_kit();
    let r = password(&mut kit, &[("deviceCentric", "1")]);
    assert_error(&r, 400, "invalid_request");
    for device in [("device_id", "11058"), ("device_externalid", "SN-0042")] {
        assert_tokens(&password(&mut kit, &[("deviceCentric", "1"), device]));
        assert!(
            kit.password_hid
                .last()
                .unwrap()
                .as_ref()
                .unwrap()
                .device_centric
        );
    }
}

#[test]
fn a_device_centric_username_placeholder_reaches_the_host_unchanged() {
    // The user is found through the device; the username is whatever placeholder the
    // client sends, and the host resolves it.
    let mut kit = hid_kit();
    kit.add_user("{device}", "secret", "device-owner");
    let r = post(
        &mut kit,
        &[
            ("grant_type", "password"),
            ("username", "{device}"),
            ("password", "secret"),
            ("deviceCentric", "1"),
            ("device_externalid", "SN-0042"),
            ("scope", "openid"),
        ],
        Some(&basic("app", "app-secret")),
        None,
    );
    let body = assert_tokens(&r);
    let (_, claims) = jws_parts(body["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], "device-owner");
}

#[test]
fn outside_the_profile_hid_parameters_are_ignored() {
    // RFC 6749 section 3.2: unrecognised parameters are ignored.
    let mut kit = hid_kit();
    kit.config.profile = oauth_core::Profile::Standard;
    let r = password(&mut kit, &[("mode", "BOGUS"), ("noToken", "1")]);
    assert_ne!(assert_tokens(&r)["access_token"], NO_TOKEN_PLACEHOLDER);
    assert_eq!(kit.password_hid, vec![None]);
}
