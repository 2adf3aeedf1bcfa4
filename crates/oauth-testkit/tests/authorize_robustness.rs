#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Random mutations of a valid authorization request, plain or pushed, sent by GET or POST
//! (parameters dropped, repeated, renamed, altered or added; bytes flipped, inserted or cut),
//! with or without a session and consent, always end in a well-formed result: a 303 redirect
//! to a registered redirect URI carrying either a code or an error (and `iss`), a `form_post`
//! page to a registered URI, a 400 error page without a redirect, a login or consent
//! interaction, or a 5xx. Nothing panics, and nothing is ever sent anywhere else.

use oauth_core::authorize::ConsentAnswer;
use oauth_core::drive::AuthorizeEnd;
use oauth_core::{HttpRequest, Outcome};
use oauth_testkit::{
    ISSUER, TestKit, basic, encode_form, error_page_code, form_post_of, redirect_of, s256,
};
use proptest::prelude::*;
use serde_json::json;

const SECRET: &str = "robust-secret-0123456789-0123456789-0123";
const REDIRECT: &str = "https://app.example.com/cb";
const OTHER_REDIRECT: &str = "https://app.example.com/cb?tenant=b";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const REQUEST_URI_MARK: &str = "$REQUEST_URI";

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
    "$REQUEST_URI",
    "spa",
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
        "redirect_uris": [REDIRECT, OTHER_REDIRECT], "scope": "openid profile",
    }));
    kit.register(json!({
        "client_id": "spa", "token_endpoint_auth_method": "none", "grant_types": ["authorization_code"],
        "redirect_uris": [REDIRECT], "scope": "openid",
    }));
    kit
}

/// Pushes a valid request for `basic` and returns its `request_uri`.
fn push(kit: &mut TestKit) -> String {
    let challenge = s256(VERIFIER);
    let r = kit.post_par(
        &[
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("state", "st"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
        Some(&basic("basic", SECRET)),
    );
    r.get("request_uri").unwrap().to_owned()
}

fn valid_params(pushed: bool, request_uri: &str) -> Vec<(String, String)> {
    let p: Vec<(&str, String)> = if pushed {
        vec![
            ("client_id", "basic".to_owned()),
            ("request_uri", request_uri.to_owned()),
        ]
    } else {
        vec![
            ("client_id", "basic".to_owned()),
            ("response_type", "code".to_owned()),
            ("redirect_uri", REDIRECT.to_owned()),
            ("scope", "openid".to_owned()),
            ("state", "st".to_owned()),
            ("code_challenge", s256(VERIFIER)),
            ("code_challenge_method", "S256".to_owned()),
        ]
    };
    p.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn registered(uri: &str) -> bool {
    uri == REDIRECT || uri == OTHER_REDIRECT
}

/// True when `location` is a registered redirect URI followed by the engine's own
/// parameters (starting with `code` or `error`) in the query or the fragment.
fn sent_to_registered(location: &str) -> bool {
    [REDIRECT, OTHER_REDIRECT].iter().any(|uri| {
        location.strip_prefix(uri).is_some_and(|rest| {
            let sep_ok = match rest.chars().next() {
                Some('#') => true,
                Some('?') => !uri.contains('?'),
                Some('&') => uri.contains('?'),
                _ => false,
            };
            let params = rest.get(1..).unwrap_or_default();
            sep_ok && (params.starts_with("code=") || params.starts_with("error="))
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn authorize_mutated_requests_always_end_well_formed(
        pushed in any::<bool>(),
        post in any::<bool>(),
        session in any::<bool>(),
        consent in 0u8..3,
        mode in 0usize..4,
        fail in proptest::option::of(0usize..12),
        mutations in proptest::collection::vec(mutation(), 0..6),
    ) {
        let mut kit = kit();
        let request_uri = push(&mut kit);
        if session {
            kit.log_in("alice");
        }
        kit.consent = [ConsentAnswer::Granted, ConsentAnswer::Needed, ConsentAnswer::Refused][usize::from(consent)];
        let mut params = valid_params(pushed, &request_uri);
        if let Some(m) = ["query", "fragment", "form_post"].get(mode) {
            params.push(("response_mode".to_owned(), (*m).to_owned()));
        }
        let mutations: Vec<Mutation> = mutations
            .into_iter()
            .map(|m| match m {
                Mutation::Alter(i, v) if v == REQUEST_URI_MARK => Mutation::Alter(i, request_uri.clone()),
                Mutation::Add(k, v) if v == REQUEST_URI_MARK => Mutation::Add(k, request_uri.clone()),
                other => other,
            })
            .collect();
        let bytes = mutate(params, &mutations);
        // Now and then a host step fails too.
        let steps = ["lookup_client", "load_pushed", "authenticate", "consent", "take_pushed", "persist"];
        kit.fail_step = fail.map(|i| {
            let e = if i < 6 { oauth_core::HostError::Unavailable } else { oauth_core::HostError::Internal };
            (steps[i % 6], e)
        });
        let query = String::from_utf8_lossy(&bytes).into_owned();
        let end = if post {
            let request = HttpRequest::post(&bytes).header("Content-Type", b"application/x-www-form-urlencoded");
            kit.authorize_request(&request)
        } else {
            kit.authorize_request(&HttpRequest::get(&query))
        };
        let shown = String::from_utf8_lossy(&bytes).into_owned();
        match &end {
            AuthorizeEnd::Interact(i) => {
                prop_assert!(registered(&i.request.redirect_uri), "{:?}", i.request);
                prop_assert!(!i.resubmit.is_empty());
            }
            AuthorizeEnd::Done(d) => {
                let status = d.response.status;
                let succeeded = matches!(d.outcome, Outcome::Succeeded { .. });
                match status {
                    303 => {
                        let r = redirect_of(&end);
                        prop_assert!(r.is_some(), "unparsable Location for {}: {:?}", shown, d);
                        let r = r.unwrap();
                        prop_assert!(
                            sent_to_registered(&r.location),
                            "redirect to an unregistered URI {} for {}", r.location, shown
                        );
                        prop_assert_eq!(r.get("iss"), Some(ISSUER));
                        prop_assert_eq!(r.count("iss"), 1);
                        let code = r.get("code").is_some();
                        let error = r.get("error").is_some();
                        prop_assert!(code != error, "{}", r.location);
                        prop_assert_eq!(code, succeeded);
                    }
                    200 => {
                        let page = form_post_of(&end);
                        prop_assert!(page.is_some(), "200 that is not a form_post page: {:?}", d);
                        let (action, fields) = page.unwrap();
                        prop_assert!(registered(&action), "form_post to {}", action);
                        prop_assert!(fields.contains(&("iss".to_owned(), ISSUER.to_owned())));
                        let code = fields.iter().any(|(k, _)| k == "code");
                        prop_assert_eq!(code, succeeded);
                    }
                    400 => {
                        prop_assert!(error_page_code(&end).is_some(), "400 that is not an error page: {:?}", d);
                        prop_assert!(!succeeded);
                    }
                    500 | 503 => prop_assert!(!succeeded),
                    other => prop_assert!(false, "status {} for {}: {:?}", other, shown, d),
                }
                prop_assert!(d.response.header("Cache-Control").is_some());
            }
        }
    }
}
