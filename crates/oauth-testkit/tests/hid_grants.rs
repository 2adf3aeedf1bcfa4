#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! HID Authentication Service's proprietary grants ("Token Endpoint", "Support of OAuth
//! 2.0/OpenID Connect Specifications"): `urn:hid:oauth:grant-type:client-secret-pki` (the
//! client authenticates with the certificate registered as its credential), `api_otp` (an
//! OTP returned in the response) and `ciba_delete`; and `auth_req_id` echoed in CIBA token
//! responses.

mod common;

use common::*;
use oauth_core::auth::AuthFailure;
use oauth_core::hid::{self, API_OTP, CLIENT_SECRET_PKI};
use oauth_core::token::{GrantAnswer, GrantTokens};
use oauth_testkit::{Reply, TestKit, basic};
use serde_json::json;

const CIBA: &str = "urn:openid:params:grant-type:ciba";

/// A host that answers HID's grants as HID does: tokens for client-secret-pki, an OTP for
/// api_otp (here derived from the user name, so the test can tell it came from the host).
fn hid_kit() -> TestKit {
    let mut kit = TestKit::new();
    hid::apply(&mut kit.config, "FS_APIOTP");
    kit.extension_host = Some(Box::new(|seen| match seen.grant_type.as_str() {
        CLIENT_SECRET_PKI => GrantAnswer::Tokens(GrantTokens::default()),
        API_OTP => hid::otp(&format!("otp-for-{}", seen.parameter("username").unwrap())),
        other => panic!("unexpected grant {other}"),
    }));
    kit.register(json!({
        "client_id": "pki", "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": "CN=client a,O=Example AB,C=SE",
        "grant_types": [CLIENT_SECRET_PKI], "scope": "read",
    }));
    kit.register(json!({
        "client_id": "otp", "client_secret": "otp-secret",
        "grant_types": [API_OTP, "client_credentials"], "permissions": ["FS_APIOTP"],
    }));
    kit.add_user("alice", "secret", "alice-sub");
    kit
}

fn pki(kit: &mut TestKit, client_id: &str, cert: Option<&str>) -> Reply {
    let der = cert.map(der);
    post(
        kit,
        &[("grant_type", CLIENT_SECRET_PKI), ("client_id", client_id)],
        None,
        der.as_deref(),
    )
}

fn api_otp(kit: &mut TestKit, form: &[(&str, &str)], authorization: &str) -> Reply {
    let mut f = vec![("grant_type", API_OTP)];
    f.extend_from_slice(form);
    post(kit, &f, Some(authorization), None)
}

// ---------------------------------------------------------------------------------------
// urn:hid:oauth:grant-type:client-secret-pki

#[test]
fn client_secret_pki_issues_tokens_to_the_certificate_holder() {
    let mut kit = hid_kit();
    let r = pki(&mut kit, "pki", Some(CLIENT_A_CERT_PEM));
    let body = assert_tokens(&r);
    assert_eq!(body["scope"], "read");
    assert!(!body.contains_key("refresh_token") && !body.contains_key("id_token"));
    assert_eq!(kit.extension_seen[0].client_id, "pki");
    // Persisted under the grant that issued it.
    let at = body["access_token"].as_str().unwrap().to_owned();
    let rec = kit
        .store
        .lookup_token(&oauth_core::secret::TokenHash::of(&at), kit.now);
    match rec {
        Some(oauth_core::records::TokenInfo::Access(a)) => {
            assert_eq!(a.grant_type, CLIENT_SECRET_PKI);
            assert_eq!(a.client_id, "pki");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn client_secret_pki_needs_the_registered_certificate() {
    let mut kit = hid_kit();
    let r = pki(&mut kit, "pki", None);
    assert_invalid_client(&r);
    assert_eq!(auth_failure(&r), &AuthFailure::NoCertificate);
    let r = pki(&mut kit, "pki", Some(CLIENT_B_CERT_PEM));
    assert_invalid_client(&r);
    assert_eq!(auth_failure(&r), &AuthFailure::CertificateMismatch);
    assert!(kit.extension_seen.is_empty());
}

#[test]
fn client_secret_pki_is_not_for_secret_clients() {
    let mut kit = hid_kit();
    kit.register(json!({
        "client_id": "secret", "client_secret": "s",
        "grant_types": [CLIENT_SECRET_PKI],
    }));
    let r = post(
        &mut kit,
        &[("grant_type", CLIENT_SECRET_PKI)],
        Some(&basic("secret", "s")),
        None,
    );
    assert_error(&r, 400, "unauthorized_client");
    assert!(kit.extension_seen.is_empty());
}

#[test]
fn client_secret_pki_needs_the_grant_registered() {
    let mut kit = hid_kit();
    kit.register(json!({
        "client_id": "pki", "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": "CN=client a,O=Example AB,C=SE",
        "grant_types": ["client_credentials"],
    }));
    let r = pki(&mut kit, "pki", Some(CLIENT_A_CERT_PEM));
    assert_error(&r, 400, "unauthorized_client");
}

#[test]
fn hid_grants_are_unsupported_outside_the_profile() {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "otp", "client_secret": "otp-secret",
        "grant_types": [API_OTP], "permissions": ["FS_APIOTP"],
    }));
    let r = api_otp(
        &mut kit,
        &[("username", "alice"), ("authType", "AT_SMSOTP")],
        &basic("otp", "otp-secret"),
    );
    assert_error(&r, 400, "unsupported_grant_type");
}

// ---------------------------------------------------------------------------------------
// api_otp

#[test]
fn api_otp_returns_the_hosts_otp() {
    let mut kit = hid_kit();
    let r = api_otp(
        &mut kit,
        &[
            ("username", "alice"),
            ("authType", "AT_SMSOTP"),
            ("channel", "CH_DIRECT"),
        ],
        &basic("otp", "otp-secret"),
    );
    assert_eq!(r.status(), 200, "{}", r.json);
    assert_no_store(&r);
    assert_eq!(r.json, json!({"otp": "otp-for-alice"}));
    let seen = &kit.extension_seen[0];
    assert_eq!(seen.parameter("authType"), Some("AT_SMSOTP"));
    assert_eq!(seen.parameter("channel"), Some("CH_DIRECT"));
    // Nothing is issued, so nothing is stored or signed.
    assert!(!kit.steps.contains(&"persist") && !kit.steps.contains(&"sign"));
}

#[test]
fn api_otp_with_a_bearer_client() {
    let mut kit = hid_kit();
    let cc = post(
        &mut kit,
        &[("grant_type", "client_credentials")],
        Some(&basic("otp", "otp-secret")),
        None,
    );
    let token = member(&cc, "access_token");
    let r = api_otp(
        &mut kit,
        &[("username", "bob"), ("authType", "AT_EMLOTP")],
        &format!("Bearer {token}"),
    );
    assert_eq!(r.json, json!({"otp": "otp-for-bob"}));
}

#[test]
fn api_otp_requires_username_and_auth_type() {
    let mut kit = hid_kit();
    for form in [
        &[("authType", "AT_SMSOTP")][..],
        &[("username", "alice")][..],
        &[][..],
    ] {
        let r = api_otp(&mut kit, form, &basic("otp", "otp-secret"));
        assert_error(&r, 400, "invalid_request");
    }
    assert!(kit.extension_seen.is_empty());
}

#[test]
fn api_otp_requires_the_permission() {
    let mut kit = hid_kit();
    kit.register(json!({
        "client_id": "otp", "client_secret": "otp-secret",
        "grant_types": [API_OTP], "permissions": ["FS_OTHER"],
    }));
    let r = api_otp(
        &mut kit,
        &[("username", "alice"), ("authType", "AT_SMSOTP")],
        &basic("otp", "otp-secret"),
    );
    assert_error(&r, 400, "unauthorized_client");
    assert!(kit.extension_seen.is_empty());
}

// ---------------------------------------------------------------------------------------
// CIBA under the HID profile: ciba_delete, and auth_req_id echoed.

fn ciba_kit(profile_hid: bool) -> TestKit {
    let mut kit = TestKit::new();
    if profile_hid {
        hid::apply(&mut kit.config, "FS_APIOTP");
    }
    kit.register(json!({
        "client_id": "one", "client_secret": "s-one",
        "grant_types": [CIBA, "ciba_delete"], "scope": "openid",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.add_user("alice", "pw", "alice-sub");
    kit
}

fn ciba_start(kit: &mut TestKit) -> String {
    let r = kit.post_ciba(
        &[("scope", "openid"), ("login_hint", "alice")],
        Some(&basic("one", "s-one")),
    );
    member(&r, "auth_req_id")
}

#[test]
fn ciba_token_responses_echo_auth_req_id_under_hid() {
    for hid_profile in [true, false] {
        let mut kit = ciba_kit(hid_profile);
        let id = ciba_start(&mut kit);
        kit.approve(&id);
        let r = kit.post_token(
            &[("grant_type", CIBA), ("auth_req_id", &id)],
            Some(&basic("one", "s-one")),
        );
        assert_tokens(&r);
        assert_eq!(
            r.get("auth_req_id"),
            hid_profile.then_some(id.as_str()),
            "{}",
            r.json
        );
    }
}

#[test]
fn ciba_delete_under_hid() {
    let mut kit = ciba_kit(true);
    let id = ciba_start(&mut kit);
    let r = kit.post_token(
        &[("grant_type", "ciba_delete"), ("auth_req_id", &id)],
        Some(&basic("one", "s-one")),
    );
    assert_eq!((r.status(), &r.json), (200, &json!({})));
    let r = kit.post_token(
        &[("grant_type", CIBA), ("auth_req_id", &id)],
        Some(&basic("one", "s-one")),
    );
    assert_error(&r, 400, "invalid_grant");
}
