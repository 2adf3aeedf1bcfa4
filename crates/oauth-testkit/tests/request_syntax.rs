#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! The token request as HTTP (RFC 6749 sections 3.1, 3.2, 5.1 and 5.2, appendix B): POST,
//! the form content type, size limits, one occurrence per parameter, empty values absent,
//! unknown parameters ignored, and the shape of every response.

mod common;

use common::*;
use oauth_core::form::FormError;
use oauth_core::{HttpRequest, Method, Reason};
use oauth_testkit::{Reply, TestKit, basic, encode_form};
use serde_json::json;

const M2M: &str = "m2m";

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": M2M, "client_secret": SECRET,
        "grant_types": ["client_credentials"], "scope": "read write",
    }));
    kit
}

fn auth() -> String {
    basic(M2M, SECRET)
}

fn valid_body() -> String {
    encode_form(&[("grant_type", "client_credentials"), ("scope", "read")])
}

fn send(kit: &mut TestKit, req: &HttpRequest<'_>) -> Reply {
    Reply::from(kit.token_request(req))
}

#[test]
fn token_endpoint_takes_post_only() {
    // RFC 6749 section 3.2: "The client MUST use the HTTP POST method".
    let mut kit = kit();
    let body = valid_body();
    let a = auth();
    for method in [Method::Get, Method::Other] {
        let req = HttpRequest::new(method)
            .body(body.as_bytes())
            .query(&body)
            .header("Content-Type", b"application/x-www-form-urlencoded")
            .header("Authorization", a.as_bytes());
        let r = send(&mut kit, &req);
        assert!(
            matches!(r.status(), 400 | 405),
            "{method:?}: {}",
            r.status()
        );
        assert!(r.get("access_token").is_none());
        assert_eq!(reason(&r), &Reason::Method);
    }
    let req = HttpRequest::get(&body).header("Authorization", a.as_bytes());
    let r = send(&mut kit, &req);
    assert!(matches!(r.status(), 400 | 405));
    assert!(
        kit.steps.is_empty(),
        "a GET reached the host: {:?}",
        kit.steps
    );
}

#[test]
fn form_content_type_is_accepted_with_and_without_charset() {
    let mut kit = kit();
    let body = valid_body();
    let a = auth();
    for ct in [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded;charset=UTF-8",
        "application/x-www-form-urlencoded; charset=utf-8",
        "Application/X-WWW-Form-URLEncoded ; Charset=\"UTF-8\"",
    ] {
        let req = HttpRequest::post(body.as_bytes())
            .header("content-type", ct.as_bytes())
            .header("Authorization", a.as_bytes());
        assert_tokens(&send(&mut kit, &req));
    }
}

#[test]
fn form_content_type_with_empty_parameters_is_accepted() {
    // RFC 9110 section 8.3.1: parameters = *( OWS ";" OWS [ parameter ] ), so an empty
    // parameter (a stray or trailing `;`) leaves the media type what it is.
    let mut kit = kit();
    let body = valid_body();
    let a = auth();
    for ct in [
        "application/x-www-form-urlencoded;",
        "application/x-www-form-urlencoded ; ",
        "application/x-www-form-urlencoded;;charset=UTF-8",
        "application/x-www-form-urlencoded; charset=UTF-8;",
    ] {
        let req = HttpRequest::post(body.as_bytes())
            .header("Content-Type", ct.as_bytes())
            .header("Authorization", a.as_bytes());
        let r = send(&mut kit, &req);
        assert_eq!(r.status(), 200, "{ct:?} refused: {}", r.json);
        assert_tokens(&r);
    }
}

#[test]
fn other_content_types_are_invalid_request() {
    // RFC 6749 section 3.2: parameters are sent "using the application/x-www-form-urlencoded
    // format"; JSON, multipart and other charsets are something else.
    let mut kit = kit();
    let body = valid_body();
    let a = auth();
    for ct in [
        "application/json",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/x-www-form-urlencoded; charset=ISO-8859-1",
        "application/x-www-form-urlencoded-extra",
        "",
    ] {
        let req = HttpRequest::post(body.as_bytes())
            .header("Content-Type", ct.as_bytes())
            .header("Authorization", a.as_bytes());
        let r = send(&mut kit, &req);
        assert_error(&r, 400, "invalid_request");
        assert_eq!(reason(&r), &Reason::ContentType, "{ct}");
    }
    let missing = HttpRequest::post(body.as_bytes()).header("Authorization", a.as_bytes());
    assert_error(&send(&mut kit, &missing), 400, "invalid_request");
    let twice = HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .header("Content-Type", b"application/json")
        .header("Authorization", a.as_bytes());
    assert_error(&send(&mut kit, &twice), 400, "invalid_request");
    assert!(kit.steps.is_empty());
}

#[test]
fn body_over_the_size_limit_is_invalid_request() {
    let mut kit = kit();
    let limit = kit.config.limits.max_body;
    let value_room = kit.config.limits.max_value;
    // Fill the body with unknown parameters to exactly the limit: accepted.
    let mut body = valid_body();
    let mut i = 0;
    while body.len() < limit {
        let prefix = format!("&pad{i}=");
        let room = (limit - body.len()).saturating_sub(prefix.len());
        if room == 0 {
            body.push_str(&"x".repeat(limit - body.len()));
            break;
        }
        body.push_str(&prefix);
        body.push_str(&"v".repeat(room.min(value_room)));
        i += 1;
    }
    assert_eq!(body.len(), limit);
    let r = post_raw(&mut kit, body.as_bytes(), Some(&auth()));
    assert_tokens(&r);
    // One byte more: refused before anything else.
    body.push('v');
    kit.steps.clear();
    let r = post_raw(&mut kit, body.as_bytes(), Some(&auth()));
    assert_error(&r, 400, "invalid_request");
    assert_eq!(reason(&r), &Reason::Form(FormError::TooLarge));
    assert!(kit.steps.is_empty());
}

#[test]
fn a_repeated_parameter_is_invalid_request() {
    // RFC 6749 section 3.2: "Request and response parameters MUST NOT be included more than
    // once."
    let mut kit = kit();
    for body in [
        "grant_type=client_credentials&grant_type=client_credentials",
        "grant_type=client_credentials&grant_type=password",
        "grant_type=client_credentials&scope=read&scope=write",
        "grant_type=client_credentials&scope=read&scope=read",
        "grant_type=client_credentials&grant%5Ftype=client_credentials",
        "grant_type=client_credentials&%67rant_type=client_credentials",
        "grant_type=client_credentials&client_id=m2m&client_id=m2m",
        "grant_type=client_credentials&unknown=1&unknown=2",
    ] {
        kit.steps.clear();
        let r = post_raw(&mut kit, body.as_bytes(), Some(&auth()));
        assert_error(&r, 400, "invalid_request");
        assert_eq!(reason(&r), &Reason::Form(FormError::Repeated), "{body}");
        assert!(kit.steps.is_empty());
    }
    let mut kit = kit;
    let body = format!(
        "grant_type=client_credentials&client_id=m2m&client_secret={0}&client_secret={0}",
        encode_form(&[("", SECRET)]).trim_start_matches('=')
    );
    let r = post_raw(&mut kit, body.as_bytes(), None);
    assert_error(&r, 400, "invalid_request");
}

#[test]
fn empty_values_are_treated_as_absent() {
    // RFC 6749 section 3.1: "Parameters sent without a value MUST be treated as if they were
    // omitted from the request."
    let mut kit = kit();
    // `scope=` is no scope: the registered default applies.
    let r = post_raw(
        &mut kit,
        b"grant_type=client_credentials&scope=",
        Some(&auth()),
    );
    assert_eq!(assert_tokens(&r)["scope"], "read write");
    // `client_secret=` next to Basic is not a second authentication method.
    let r = post_raw(
        &mut kit,
        b"grant_type=client_credentials&client_secret=&client_assertion=",
        Some(&auth()),
    );
    assert_tokens(&r);
    // An empty and a non-empty occurrence are one parameter, not a repeat.
    let r = post_raw(
        &mut kit,
        b"scope=&grant_type=client_credentials&scope=write",
        Some(&auth()),
    );
    assert_eq!(assert_tokens(&r)["scope"], "write");
    // `grant_type=` is a missing grant_type.
    let r = post_raw(&mut kit, b"grant_type=&scope=read", Some(&auth()));
    assert_error(&r, 400, "invalid_request");
    assert_eq!(reason(&r), &Reason::MissingParameter("grant_type"));
    // A bare name is a parameter without a value.
    let r = post_raw(&mut kit, b"grant_type", Some(&auth()));
    assert_error(&r, 400, "invalid_request");
}

#[test]
fn unknown_parameters_are_ignored() {
    // RFC 6749 section 3.2: "The authorization server MUST ignore unrecognized request
    // parameters."
    let mut kit = kit();
    let r = kit.post_token(
        &[
            ("grant_type", "client_credentials"),
            ("state", "xyz"),
            ("foo", "bar"),
            ("resource_owner", "mallory"),
            ("nonce", "n"),
            ("response_type", "token"),
        ],
        Some(&auth()),
    );
    assert_tokens(&r);
}

#[test]
fn missing_grant_type_is_invalid_request() {
    let mut kit = kit();
    let r = kit.post_token(&[("scope", "read")], Some(&auth()));
    assert_error(&r, 400, "invalid_request");
    assert_eq!(reason(&r), &Reason::MissingParameter("grant_type"));
}

#[test]
fn unknown_grant_type_is_unsupported_grant_type() {
    // RFC 6749 section 5.2.
    let mut kit = kit();
    for grant in [
        "urn:example:grant",
        "implicit",
        "token",
        "Client_Credentials",
        "client_credentials ",
        "urn:ietf:params:oauth:grant-type:device_code",
    ] {
        let r = kit.post_token(&[("grant_type", grant)], Some(&auth()));
        assert_error(&r, 400, "unsupported_grant_type");
    }
}

#[test]
fn percent_encoding_errors_are_invalid_request() {
    let mut kit = kit();
    for body in [
        &b"grant_type=client_credentials&scope=%zz"[..],
        b"grant_type=client_credentials&scope=%4",
        b"grant_type=client_credentials&scope=%",
        b"grant_type=client_credentials&scope=%ff%fe",
        b"grant_type=client_credentials&scope=\xff",
        b"grant_type=client_%63redentials&%=x",
    ] {
        let r = post_raw(&mut kit, body, Some(&auth()));
        assert_error(&r, 400, "invalid_request");
    }
}

#[test]
fn percent_encoded_and_plus_values_are_decoded() {
    // Appendix B: `+` is a space and `%XX` an octet, in names and values.
    let mut kit = kit();
    let r = post_raw(
        &mut kit,
        b"%67rant_type=client%5Fcredentials&scope=read+%77rite",
        Some(&auth()),
    );
    assert_eq!(assert_tokens(&r)["scope"], "read write");
}

#[test]
fn too_many_parameters_are_invalid_request() {
    let mut kit = kit();
    let mut body = valid_body();
    for i in 0..kit.config.limits.max_params {
        body.push_str(&format!("&p{i}=v"));
    }
    let r = post_raw(&mut kit, body.as_bytes(), Some(&auth()));
    assert_error(&r, 400, "invalid_request");
}

#[test]
fn success_response_has_the_members_of_rfc6749_section_5_1() {
    let mut kit = kit();
    let r = kit.post_token(
        &[("grant_type", "client_credentials"), ("scope", "write")],
        Some(&auth()),
    );
    let body = assert_tokens(&r);
    assert!(body["access_token"].is_string());
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], json!(kit.config.access_token_ttl));
    assert_eq!(body["scope"], "write");
    for name in body.keys() {
        assert!(
            matches!(
                name.as_str(),
                "access_token"
                    | "token_type"
                    | "expires_in"
                    | "scope"
                    | "refresh_token"
                    | "id_token"
            ),
            "unexpected member {name}"
        );
    }
    assert_eq!(
        r.header("Content-Type"),
        Some("application/json;charset=UTF-8")
    );
}

#[test]
fn error_responses_have_the_members_and_headers_of_rfc6749_section_5_2() {
    let mut kit = kit();
    let r = kit.post_token(
        &[("grant_type", "client_credentials")],
        Some(&basic(M2M, "x")),
    );
    assert_invalid_client(&r);
    assert!(r.get("error_description").is_some());
    let r = kit.post_token(&[("grant_type", "nope")], Some(&auth()));
    assert_error(&r, 400, "unsupported_grant_type");
    assert!(r.header("WWW-Authenticate").is_none());
}

#[test]
fn client_not_registered_for_the_grant_is_unauthorized_client() {
    let mut kit = kit();
    let r = kit.post_token(
        &[
            ("grant_type", "password"),
            ("username", "u"),
            ("password", "p"),
        ],
        Some(&auth()),
    );
    assert_error(&r, 400, "unauthorized_client");
    let r = kit.post_token(
        &[("grant_type", "refresh_token"), ("refresh_token", "r")],
        Some(&auth()),
    );
    assert_error(&r, 400, "unauthorized_client");
}
