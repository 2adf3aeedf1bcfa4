#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Random mutations of a valid pushed authorization request (parameters dropped, repeated,
//! renamed, altered or added; bytes flipped, inserted or cut; headers changed) always end in a
//! well-formed response: 201 with a `request_uri`, or a JSON error with 400, 401 (with a
//! challenge), 413 or 5xx. Nothing panics.

use jwt_verify::{Algorithm, SigningKey};
use oauth_core::authorize::REQUEST_URI_PREFIX;
use oauth_core::{HttpRequest, Outcome};
use oauth_testkit::{TestKit, basic, encode_form, s256};
use proptest::prelude::*;
use serde_json::json;

const SECRET: &str = "robust-secret-0123456789-0123456789-0123";
const REDIRECT: &str = "https://app.example.com/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const NAMES: [&str; 22] = [
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "prompt",
    "max_age",
    "acr_values",
    "login_hint",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "request",
    "request_uri",
    "mobilePayload",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "claims",
    "ui_locales",
    "Scope",
];

const VALUES: [&str; 26] = [
    "",
    "code",
    "token",
    "code id_token",
    "openid",
    "openid admin",
    "none",
    "none login",
    "login consent",
    "S256",
    "plain",
    "-1",
    "18446744073709551616",
    "query",
    "fragment",
    "form_post",
    "https://app.example.com/cb",
    "https://evil.example.com/cb",
    "urn:ietf:params:oauth:request_uri:abc",
    "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqd3QtYXBwIn0.",
    "%",
    "%zz",
    "%C3%28",
    "ümlaut ✓",
    "basic",
    "jwt-app",
];

#[derive(Debug, Clone)]
enum Mutation {
    Drop(usize),
    Duplicate(usize),
    Alter(usize, String),
    Rename(usize, String),
    Add(String, String),
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Truncate(usize),
    Grow(usize),
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(VALUES.to_vec()).prop_map(str::to_owned),
        ".{0,40}",
        "[a-zA-Z0-9._~-]{0,140}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(NAMES.to_vec()).prop_map(str::to_owned),
        "[a-z_]{1,12}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Drop),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), value()).prop_map(|(i, v)| Mutation::Alter(i, v)),
        (any::<usize>(), name()).prop_map(|(i, n)| Mutation::Rename(i, n)),
        (name(), value()).prop_map(|(n, v)| Mutation::Add(n, v)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (0usize..80_000).prop_map(Mutation::Grow),
    ]
}

/// Applies mutations: parameter-level ones to `params`, byte-level ones to the encoded body.
fn mutate(mut params: Vec<(String, String)>, mutations: &[Mutation]) -> Vec<u8> {
    let mut raw: Vec<Mutation> = Vec::new();
    for m in mutations {
        let n = params.len();
        match m {
            Mutation::Drop(i) if n > 0 => {
                params.remove(i % n);
            }
            Mutation::Duplicate(i) if n > 0 => {
                let p = params[i % n].clone();
                params.push(p);
            }
            Mutation::Alter(i, v) if n > 0 => params[i % n].1.clone_from(v),
            Mutation::Rename(i, k) if n > 0 => params[i % n].0.clone_from(k),
            Mutation::Add(k, v) => params.push((k.clone(), v.clone())),
            Mutation::Drop(_)
            | Mutation::Duplicate(_)
            | Mutation::Alter(..)
            | Mutation::Rename(..) => {}
            other => raw.push(other.clone()),
        }
    }
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut body = encode_form(&pairs).into_bytes();
    for m in raw {
        let n = body.len();
        match m {
            Mutation::Flip(i, b) if n > 0 => body[i % n] = b,
            Mutation::Insert(i, bytes) => {
                let at = if n == 0 { 0 } else { i % (n + 1) };
                body.splice(at..at, bytes);
            }
            Mutation::Truncate(i) if n > 0 => body.truncate(i % n),
            Mutation::Grow(k) => body.extend(std::iter::repeat_n(b'a', k)),
            _ => {}
        }
    }
    body
}

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "basic", "client_secret": SECRET, "grant_types": ["authorization_code"],
        "redirect_uris": [REDIRECT], "scope": "openid profile",
    }));
    kit.register(json!({
        "client_id": "jwt-app", "client_secret": SECRET, "token_endpoint_auth_method": "client_secret_jwt",
        "grant_types": ["authorization_code"], "redirect_uris": [REDIRECT], "scope": "openid profile",
    }));
    kit.register(json!({
        "client_id": "spa", "token_endpoint_auth_method": "none", "grant_types": ["authorization_code"],
        "redirect_uris": [REDIRECT], "scope": "openid",
    }));
    kit
}

fn valid_params(kit: &mut TestKit, auth: u8) -> (Vec<(String, String)>, Option<String>) {
    let mut p: Vec<(String, String)> = [
        ("response_type", "code".to_owned()),
        ("redirect_uri", REDIRECT.to_owned()),
        ("scope", "openid".to_owned()),
        ("state", "st".to_owned()),
        ("code_challenge", s256(VERIFIER)),
        ("code_challenge_method", "S256".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let header = match auth % 3 {
        0 => Some(basic("basic", SECRET)),
        1 => {
            let par = kit.config.endpoints.par.clone();
            let key = SigningKey::hmac(Algorithm::HS256, SECRET.as_bytes()).unwrap();
            let a = kit.assertion(&key, "jwt-app", Some(&par));
            p.push(("client_id".to_owned(), "jwt-app".to_owned()));
            p.push(("client_assertion_type".to_owned(), JWT_BEARER.to_owned()));
            p.push(("client_assertion".to_owned(), a));
            None
        }
        _ => {
            p.push(("client_id".to_owned(), "spa".to_owned()));
            None
        }
    };
    (p, header)
}

const CONTENT_TYPES: [&[u8]; 5] = [
    b"application/x-www-form-urlencoded",
    b"application/x-www-form-urlencoded;charset=UTF-8",
    b"Application/X-WWW-Form-Urlencoded ; Charset=\"utf-8\"",
    b"application/json",
    b"text/plain",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn par_mutated_requests_always_get_a_well_formed_response(
        auth in any::<u8>(),
        mutations in proptest::collection::vec(mutation(), 0..6),
        content_type in 0usize..CONTENT_TYPES.len() + 1,
        header_mutation in proptest::option::of(".{0,60}"),
        fail in proptest::option::of(0usize..6),
    ) {
        let mut kit = kit();
        let (params, header) = valid_params(&mut kit, auth);
        let body = mutate(params, &mutations);
        let header = header_mutation.or(header);
        // Now and then a host step fails too.
        let steps = ["lookup_client", "check_replay", "persist"];
        kit.fail_step = fail.map(|i| {
            let e = if i < 3 { oauth_core::HostError::Unavailable } else { oauth_core::HostError::Internal };
            (steps[i % 3], e)
        });
        let mut request = HttpRequest::post(&body);
        if let Some(ct) = CONTENT_TYPES.get(content_type) {
            request = request.header("Content-Type", ct);
        }
        if let Some(h) = header.as_deref() {
            request = request.header("Authorization", h.as_bytes());
        }
        let r = kit.par_request(&request);
        let status = r.status();
        prop_assert!(
            [201, 400, 401, 413, 500, 503].contains(&status),
            "status {} for {:?}: {}", status, String::from_utf8_lossy(&body), r.json
        );
        prop_assert!(r.header("Cache-Control").is_some_and(|c| c.contains("no-store")));
        match status {
            201 => {
                let uri = r.get("request_uri").unwrap_or_default();
                prop_assert!(uri.starts_with(REQUEST_URI_PREFIX), "{}", r.json);
                prop_assert!(r.json["expires_in"].as_u64().is_some_and(|e| e > 0));
                let is_success = matches!(r.done.outcome, Outcome::Succeeded { .. });
                prop_assert!(is_success);
            }
            _ => {
                prop_assert!(r.error().is_some_and(|e| !e.is_empty()), "{} {}", status, r.json);
                prop_assert!(r.get("request_uri").is_none());
                let is_rejection = matches!(r.done.outcome, Outcome::Rejected { .. });
                prop_assert!(is_rejection);
                if status == 401 {
                    prop_assert_eq!(r.error(), Some("invalid_client"));
                    prop_assert!(r.header("WWW-Authenticate").is_some());
                }
            }
        }
    }
}
