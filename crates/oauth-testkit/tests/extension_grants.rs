#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Extension grants (RFC 6749 section 4.5): a tenant registers a grant type, the engine
//! authenticates the client and checks its registration and the declared parameters, the
//! host decides, and the engine issues tokens, sends a custom body, or refuses.

mod common;

use common::*;
use oauth_core::auth::AuthFailure;
use oauth_core::error::{ErrorCode, HostError, OAuthError, Reason};
use oauth_core::records::Subject;
use oauth_core::scope::Scope;
use oauth_core::token::{GrantAnswer, GrantError, GrantTokens};
use oauth_core::{ExtensionGrantSpec, Outcome};
use oauth_testkit::{Reply, TestKit, basic};
use serde_json::json;

const GRANT: &str = "urn:example:params:grant-type:device-swap";

fn spec() -> ExtensionGrantSpec {
    ExtensionGrantSpec {
        required: vec!["device_code".to_owned()],
        optional: vec![
            "note".to_owned(),
            "scope".to_owned(),
            "client_id".to_owned(),
        ],
        permission: Some("swap".to_owned()),
        ..ExtensionGrantSpec::new(GRANT)
    }
}

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.config.extension_grants.push(spec());
    kit.register(json!({
        "client_id": "swapper", "client_secret": "swapper-secret",
        "grant_types": [GRANT, "refresh_token"], "scope": "openid read write",
        "permissions": ["swap"],
    }));
    kit.extension_host = Some(Box::new(|_| GrantAnswer::Tokens(GrantTokens::default())));
    kit
}

fn swap(kit: &mut TestKit, extra: &[(&str, &str)]) -> Reply {
    let mut form = vec![("grant_type", GRANT), ("device_code", "dc-1")];
    form.extend_from_slice(extra);
    post(kit, &form, Some(&basic("swapper", "swapper-secret")), None)
}

#[test]
fn an_unregistered_extension_grant_is_unsupported() {
    let mut kit = kit();
    kit.config.extension_grants.clear();
    let r = swap(&mut kit, &[]);
    assert_error(&r, 400, "unsupported_grant_type");
    assert!(kit.extension_seen.is_empty());
}

#[test]
fn the_host_issues_tokens_persisted_like_any_grant() {
    let mut kit = kit();
    kit.extension_host = Some(Box::new(|seen| {
        GrantAnswer::Tokens(GrantTokens {
            subject: Some(Subject {
                sub: format!("owner-of-{}", seen.parameter("device_code").unwrap()),
                ..Subject::default()
            }),
            scope: None,
            refresh: true,
        })
    }));
    let r = swap(&mut kit, &[("scope", "openid read"), ("note", "n1")]);
    let body = assert_tokens(&r).clone();
    assert_eq!(body["scope"], "openid read");
    assert!(body.contains_key("refresh_token"), "{body:?}");
    let (_, claims) = jws_parts(body["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], "owner-of-dc-1");
    assert_eq!(claims["aud"], "swapper");
    // What the host was handed: the declared parameters present, never `scope` or the
    // client's credentials, and the checked scope.
    let seen = &kit.extension_seen[0];
    assert_eq!(seen.grant_type, GRANT);
    assert_eq!(seen.client_id, "swapper");
    assert_eq!(
        seen.parameters,
        vec![
            ("device_code".to_owned(), "dc-1".to_owned()),
            ("note".to_owned(), "n1".to_owned())
        ]
    );
    assert_eq!(seen.scope, "openid read");
    // Persisted: the access token introspects as active, issued by this grant's client.
    let at = body["access_token"].as_str().unwrap();
    kit.register(json!({"client_id": "rs", "client_secret": "rs-secret", "grant_types": []}));
    let i = kit.post_introspect(&[("token", at)], Some(&basic("rs", "rs-secret")));
    assert_eq!(i.json["active"], true, "{}", i.json);
    assert_eq!(i.json["client_id"], "swapper");
    assert_eq!(i.json["sub"], "owner-of-dc-1");
    // And the refresh token works with the refresh_token grant.
    let rt = body["refresh_token"].as_str().unwrap();
    let r2 = post(
        &mut kit,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        Some(&basic("swapper", "swapper-secret")),
        None,
    );
    assert_tokens(&r2);
}

#[test]
fn no_refresh_token_unless_the_client_is_registered_for_it() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "swapper", "client_secret": "swapper-secret",
        "grant_types": [GRANT], "scope": "read", "permissions": ["swap"],
    }));
    kit.extension_host = Some(Box::new(|_| {
        GrantAnswer::Tokens(GrantTokens {
            refresh: true,
            ..GrantTokens::default()
        })
    }));
    let r = swap(&mut kit, &[]);
    assert!(!assert_tokens(&r).contains_key("refresh_token"));
}

#[test]
fn the_host_may_send_a_custom_body() {
    let mut kit = kit();
    kit.extension_host = Some(Box::new(|seen| {
        let mut m = serde_json::Map::new();
        m.insert(
            "swapped".to_owned(),
            seen.parameter("device_code").unwrap().into(),
        );
        GrantAnswer::Body(m)
    }));
    let r = swap(&mut kit, &[]);
    assert_eq!(r.status(), 200);
    assert_no_store(&r);
    assert_eq!(r.json, json!({"swapped": "dc-1"}));
    assert!(matches!(r.done.outcome, Outcome::Succeeded { .. }));
    // Nothing was issued, so nothing was saved.
    assert!(!kit.steps.contains(&"persist"));
}

#[test]
fn the_host_may_refuse_with_a_registered_error() {
    let mut kit = kit();
    kit.extension_host = Some(Box::new(|_| {
        GrantAnswer::Error(GrantError::OAuth(OAuthError::new(
            ErrorCode::InvalidGrant,
            "the device code is unknown",
        )))
    }));
    let r = swap(&mut kit, &[]);
    assert_error(&r, 400, "invalid_grant");
    assert_eq!(
        r.get("error_description"),
        Some("the device code is unknown")
    );
}

#[test]
fn a_wider_scope_from_the_host_is_a_server_error_not_a_grant() {
    let mut kit = kit();
    kit.extension_host = Some(Box::new(|_| {
        GrantAnswer::Tokens(GrantTokens {
            scope: Some(Scope::parse("read write").unwrap()),
            ..GrantTokens::default()
        })
    }));
    let r = swap(&mut kit, &[("scope", "read")]);
    assert_error(&r, 500, "server_error");
    assert!(!kit.steps.contains(&"persist"));
}

#[test]
fn host_failures_end_in_5xx() {
    for (error, status, code) in [
        (HostError::Unavailable, 503, "temporarily_unavailable"),
        (HostError::Internal, 500, "server_error"),
    ] {
        let mut kit = kit();
        kit.fail_step = Some(("extension_grant", error));
        assert_error(&swap(&mut kit, &[]), status, code);
    }
    // A host that registered a grant but answers none fails closed.
    let mut kit = kit();
    kit.extension_host = None;
    assert_error(&swap(&mut kit, &[]), 500, "server_error");
}

#[test]
fn the_client_must_be_registered_for_the_grant() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "swapper", "client_secret": "swapper-secret",
        "grant_types": ["client_credentials"], "permissions": ["swap"],
    }));
    let r = swap(&mut kit, &[]);
    assert_error(&r, 400, "unauthorized_client");
    assert_eq!(reason(&r), &Reason::GrantNotRegistered);
    assert!(kit.extension_seen.is_empty());
}

#[test]
fn the_client_must_hold_the_permission() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "swapper", "client_secret": "swapper-secret",
        "grant_types": [GRANT], "permissions": ["other"],
    }));
    assert_error(&swap(&mut kit, &[]), 400, "unauthorized_client");
    assert!(kit.extension_seen.is_empty());
}

#[test]
fn public_clients_may_not_use_an_extension_grant_without_a_method_list() {
    let mut kit = kit();
    kit.register(json!({
        "client_id": "pub", "token_endpoint_auth_method": "none",
        "grant_types": [GRANT], "permissions": ["swap"],
    }));
    let r = post(
        &mut kit,
        &[
            ("grant_type", GRANT),
            ("device_code", "x"),
            ("client_id", "pub"),
        ],
        None,
        None,
    );
    assert_error(&r, 400, "unauthorized_client");
}

#[test]
fn client_authentication_comes_first() {
    let mut kit = kit();
    let r = post(
        &mut kit,
        &[("grant_type", GRANT), ("device_code", "dc-1")],
        Some(&basic("swapper", "wrong")),
        None,
    );
    assert_invalid_client(&r);
    assert_eq!(auth_failure(&r), &AuthFailure::SecretMismatch);
    assert!(kit.extension_seen.is_empty());
}

#[test]
fn required_parameters_and_scope_are_checked_before_the_host() {
    let mut kit = kit();
    let r = post(
        &mut kit,
        &[("grant_type", GRANT)],
        Some(&basic("swapper", "swapper-secret")),
        None,
    );
    assert_error(&r, 400, "invalid_request");
    let r = swap(&mut kit, &[("scope", "admin")]);
    assert_error(&r, 400, "invalid_scope");
    assert!(kit.extension_seen.is_empty());
    // Repeated parameters are refused by the form parser, as for every grant.
    let r = post(
        &mut kit,
        &[
            ("grant_type", GRANT),
            ("device_code", "a"),
            ("device_code", "b"),
        ],
        Some(&basic("swapper", "swapper-secret")),
        None,
    );
    assert_error(&r, 400, "invalid_request");
}

#[test]
fn a_grant_may_demand_an_authentication_method() {
    let mut kit = kit();
    kit.config.extension_grants[0].auth_methods = vec![oauth_core::AuthMethod::PrivateKeyJwt];
    assert_error(&swap(&mut kit, &[]), 400, "unauthorized_client");
    kit.config.extension_grants[0].auth_methods = vec![oauth_core::AuthMethod::ClientSecretBasic];
    assert_tokens(&swap(&mut kit, &[]));
}
