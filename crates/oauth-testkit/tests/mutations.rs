#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Property tests: valid token requests of every kind, mutated at random (parameters
//! dropped, repeated, altered or added; body bytes flipped or cut; headers changed; the
//! certificate corrupted; a host step failing), always end in one well-formed response
//! (RFC 6749 sections 5.1 and 5.2); and the form parser never panics and round-trips what a
//! client encodes (RFC 6749 appendix B).

mod common;

use common::*;
use jwt_verify::Algorithm;
use oauth_core::form::{Form, FormError};
use oauth_core::limits::Limits;
use oauth_core::{ErrorCode, HostError, HttpRequest, Method, Outcome};
use oauth_testkit::{CodeSpec, Reply, TestKit, basic, encode_form};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::json;

/// Every `error` value the token endpoint may send (RFC 6749 section 5.2 plus the server
/// faults).
const TOKEN_ERRORS: [&str; 8] = [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
];

const STEPS: [&str; 8] = [
    "lookup_client",
    "check_replay",
    "verify_password",
    "take_code",
    "take_refresh",
    "revoke",
    "sign",
    "persist",
];

const NAMES: [&str; 16] = [
    "grant_type",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "scope",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "username",
    "password",
    "state",
    "auth_req_id",
    "x",
    "",
];

const CONTENT_TYPES: [&str; 5] = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded;charset=UTF-8",
    "application/json",
    "application/x-www-form-urlencoded; charset=latin1",
    "",
];

/// A request before it is encoded.
#[derive(Debug, Clone)]
struct Draft {
    method: Method,
    content_type: Option<String>,
    authorization: Vec<String>,
    form: Vec<(String, String)>,
    certificate: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
enum Mutation {
    DropParam(usize),
    DuplicateParam(usize),
    AlterValue(usize, String),
    AlterName(usize, String),
    AddParam(usize, String),
    FlipByte(usize, u8),
    Truncate(usize),
    ContentType(Option<usize>),
    Authorization(Option<String>),
    DuplicateAuthorization,
    Method(u8),
    CorruptCertificate(usize, u8),
    DropCertificate,
    FailStep(usize, bool),
    Advance(u16),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropParam),
        any::<usize>().prop_map(Mutation::DuplicateParam),
        (any::<usize>(), ".{0,40}").prop_map(|(i, v)| Mutation::AlterValue(i, v)),
        (any::<usize>(), "[a-z_%+]{0,20}").prop_map(|(i, v)| Mutation::AlterName(i, v)),
        (any::<usize>(), ".{0,40}").prop_map(|(i, v)| Mutation::AddParam(i, v)),
        (any::<usize>(), 1..=255u8).prop_map(|(i, x)| Mutation::FlipByte(i, x)),
        any::<usize>().prop_map(Mutation::Truncate),
        proptest::option::of(0..CONTENT_TYPES.len()).prop_map(Mutation::ContentType),
        proptest::option::of(".{0,60}").prop_map(Mutation::Authorization),
        Just(Mutation::DuplicateAuthorization),
        any::<u8>().prop_map(Mutation::Method),
        (any::<usize>(), 1..=255u8).prop_map(|(i, x)| Mutation::CorruptCertificate(i, x)),
        Just(Mutation::DropCertificate),
        (0..STEPS.len(), any::<bool>()).prop_map(|(i, b)| Mutation::FailStep(i, b)),
        any::<u16>().prop_map(Mutation::Advance),
    ]
}

/// A tenant with one client per authentication method and a user.
fn kit() -> TestKit {
    let mut kit = TestKit::new();
    let grants = json!([
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password"
    ]);
    kit.register(json!({
        "client_id": "basic", "client_secret": SECRET, "grant_types": grants,
        "redirect_uris": [REDIRECT], "scope": "openid read write",
    }));
    kit.register(json!({
        "client_id": "post", "client_secret": SECRET,
        "token_endpoint_auth_method": "client_secret_post", "grant_types": grants,
        "redirect_uris": [REDIRECT], "scope": "openid read write",
    }));
    kit.register(json!({
        "client_id": "sjwt", "client_secret": SECRET,
        "token_endpoint_auth_method": "client_secret_jwt", "grant_types": grants,
        "scope": "read",
    }));
    kit.register(json!({
        "client_id": "pkjwt", "token_endpoint_auth_method": "private_key_jwt",
        "jwks": jwks(&[public_jwk(&key_a(), true)]), "grant_types": grants, "scope": "read",
    }));
    kit.register(json!({
        "client_id": "tls", "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": "CN=client a,O=Example AB,C=SE",
        "grant_types": grants, "scope": "read",
    }));
    kit.register(json!({
        "client_id": "spa", "token_endpoint_auth_method": "none", "grant_types": grants,
        "redirect_uris": [REDIRECT], "scope": "openid read",
    }));
    kit.add_user("alice", "pw", "alice");
    kit
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn draft(form: Vec<(String, String)>, authorization: Option<String>) -> Draft {
    Draft {
        method: Method::Post,
        content_type: Some("application/x-www-form-urlencoded".to_owned()),
        authorization: authorization.into_iter().collect(),
        form,
        certificate: None,
    }
}

const BASES: usize = 9;

/// A valid request of kind `which` (every one of them succeeds unmutated).
fn base(kit: &mut TestKit, which: usize) -> Draft {
    let code = |kit: &mut TestKit, client: &str| {
        kit.issue_code(CodeSpec {
            client_id: client,
            redirect_uri: Some(REDIRECT),
            code_verifier: Some(VERIFIER),
            nonce: Some("n"),
            scope: "openid read",
            sub: "alice",
        })
    };
    match which {
        0 => draft(
            pairs(&[("grant_type", "client_credentials"), ("scope", "read")]),
            Some(basic("basic", SECRET)),
        ),
        1 => draft(
            pairs(&[
                ("grant_type", "client_credentials"),
                ("client_id", "post"),
                ("client_secret", SECRET),
            ]),
            None,
        ),
        2 => {
            let jwt = kit.assertion(&hmac_key(Algorithm::HS256, SECRET), "sjwt", None);
            let f = assertion_form("sjwt", &jwt);
            draft(pairs(&f), None)
        }
        3 => {
            let jwt = kit.assertion(&key_a(), "pkjwt", None);
            let f = assertion_form("pkjwt", &jwt);
            draft(pairs(&f), None)
        }
        4 => {
            let c = code(kit, "basic");
            draft(
                pairs(&[
                    ("grant_type", "authorization_code"),
                    ("code", &c),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", VERIFIER),
                ]),
                Some(basic("basic", SECRET)),
            )
        }
        5 => {
            let c = code(kit, "spa");
            let first = kit.post_token(
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &c),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", VERIFIER),
                    ("client_id", "spa"),
                ],
                None,
            );
            let rt = member(&first, "refresh_token");
            draft(
                pairs(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &rt),
                    ("client_id", "spa"),
                    ("scope", "read"),
                ]),
                None,
            )
        }
        6 => draft(
            pairs(&[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "pw"),
                ("scope", "openid"),
            ]),
            Some(basic("basic", SECRET)),
        ),
        7 => {
            let mut d = draft(
                pairs(&[("grant_type", "client_credentials"), ("client_id", "tls")]),
                None,
            );
            d.certificate = Some(der(CLIENT_A_CERT_PEM));
            d
        }
        _ => {
            // A code already redeemed once: the replay path (revocation).
            let c = code(kit, "post");
            let form = pairs(&[
                ("grant_type", "authorization_code"),
                ("code", &c),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
                ("client_id", "post"),
                ("client_secret", SECRET),
            ]);
            let borrowed: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            kit.post_token(&borrowed, None);
            draft(form, None)
        }
    }
}

/// Applies the mutations; returns the body bytes to send.
fn apply(kit: &mut TestKit, d: &mut Draft, mutations: &[Mutation]) -> Vec<u8> {
    let mut byte_edits = Vec::new();
    for m in mutations {
        let n = d.form.len();
        match m {
            Mutation::DropParam(i) if n > 0 => {
                d.form.remove(i % n);
            }
            Mutation::DuplicateParam(i) if n > 0 => {
                let p = d.form[i % n].clone();
                d.form.push(p);
            }
            Mutation::AlterValue(i, v) if n > 0 => d.form[i % n].1.clone_from(v),
            Mutation::AlterName(i, v) if n > 0 => d.form[i % n].0.clone_from(v),
            Mutation::AddParam(i, v) => d.form.push((NAMES[i % NAMES.len()].to_owned(), v.clone())),
            Mutation::FlipByte(..) | Mutation::Truncate(_) => byte_edits.push(m.clone()),
            Mutation::ContentType(c) => d.content_type = c.map(|i| CONTENT_TYPES[i].to_owned()),
            Mutation::Authorization(a) => d.authorization = a.iter().cloned().collect(),
            Mutation::DuplicateAuthorization => {
                let a = d
                    .authorization
                    .first()
                    .cloned()
                    .unwrap_or_else(|| basic("basic", SECRET));
                d.authorization.push(a);
            }
            Mutation::Method(x) => {
                d.method = match x % 3 {
                    0 => Method::Post,
                    1 => Method::Get,
                    _ => Method::Other,
                }
            }
            Mutation::CorruptCertificate(i, x) => {
                if let Some(c) = d.certificate.as_mut() {
                    let len = c.len();
                    c[i % len] ^= x;
                }
            }
            Mutation::DropCertificate => d.certificate = None,
            Mutation::FailStep(i, unavailable) => {
                let e = if *unavailable {
                    HostError::Unavailable
                } else {
                    HostError::Internal
                };
                kit.fail_step = Some((STEPS[*i], e));
            }
            Mutation::Advance(s) => kit.advance(u64::from(*s)),
            _ => {}
        }
    }
    let borrowed: Vec<(&str, &str)> = d
        .form
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut body = encode_form(&borrowed).into_bytes();
    for m in byte_edits {
        match m {
            Mutation::FlipByte(i, x) if !body.is_empty() => {
                let len = body.len();
                body[i % len] ^= x;
            }
            Mutation::Truncate(i) if !body.is_empty() => body.truncate(i % body.len()),
            _ => {}
        }
    }
    body
}

/// Every response a token endpoint may send, whatever it was sent (RFC 6749 sections 5.1,
/// 5.2; RFC 9110 section 15.5.2 for the 401 challenge).
fn assert_well_formed(r: &Reply, host_failed: bool) {
    let status = r.status();
    assert!(
        matches!(status, 200 | 400 | 401 | 500 | 503),
        "status {status}"
    );
    if !host_failed {
        assert!(
            status < 500,
            "a healthy host got {status}: {} / {:?}",
            r.json,
            r.done.outcome
        );
    }
    assert_no_store(r);
    assert!(r.json.is_object(), "body is not a JSON object");
    match &r.done.outcome {
        Outcome::Succeeded { .. } => {
            assert_eq!(status, 200);
            assert_tokens(r);
        }
        Outcome::Rejected { error, .. } => {
            let code = r.error().expect("an error response names its error");
            assert!(TOKEN_ERRORS.contains(&code), "error {code}");
            assert_eq!(code, error.code.as_str());
            assert_error(r, error.code.status(), code);
            if error.code == ErrorCode::TemporarilyUnavailable {
                assert!(r.header("Retry-After").is_some());
            }
        }
        other => panic!("unknown outcome {other:?}"),
    }
}

fn run(which: usize, mutations: &[Mutation]) {
    let mut kit = kit();
    let mut d = base(&mut kit, which % BASES);
    let body = apply(&mut kit, &mut d, mutations);
    let mut req = HttpRequest::new(d.method).body(&body);
    if let Some(ct) = &d.content_type {
        req = req.header("Content-Type", ct.as_bytes());
    }
    for a in &d.authorization {
        req = req.header("Authorization", a.as_bytes());
    }
    if let Some(c) = &d.certificate {
        req = req.client_certificate(c);
    }
    let host_failed = kit.fail_step.is_some();
    let r = Reply::from(kit.token_request(&req));
    assert_well_formed(&r, host_failed);
}

#[test]
fn every_unmutated_base_request_succeeds() {
    // The property below is only as good as its seeds: each must be a valid request.
    for which in 0..BASES {
        let mut kit = kit();
        let mut d = base(&mut kit, which);
        let body = apply(&mut kit, &mut d, &[]);
        let mut req = HttpRequest::new(d.method).body(&body);
        if let Some(ct) = &d.content_type {
            req = req.header("Content-Type", ct.as_bytes());
        }
        for a in &d.authorization {
            req = req.header("Authorization", a.as_bytes());
        }
        if let Some(c) = &d.certificate {
            req = req.client_certificate(c);
        }
        let r = Reply::from(kit.token_request(&req));
        if which == BASES - 1 {
            assert_error(&r, 400, "invalid_grant");
        } else {
            assert_tokens(&r);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_token_requests_end_in_a_well_formed_response(
        which in 0..BASES,
        mutations in vec(mutation(), 0..6),
    ) {
        run(which, &mutations);
    }

    #[test]
    fn arbitrary_bytes_as_a_token_request_end_in_a_well_formed_response(
        body in vec(any::<u8>(), 0..512),
        authorization in proptest::option::of(vec(any::<u8>(), 0..128)),
        certificate in proptest::option::of(vec(any::<u8>(), 0..256)),
    ) {
        let mut kit = kit();
        let mut req = HttpRequest::post(&body)
            .header("Content-Type", b"application/x-www-form-urlencoded");
        if let Some(a) = &authorization {
            req = req.header("Authorization", a);
        }
        if let Some(c) = &certificate {
            req = req.client_certificate(c);
        }
        let r = Reply::from(kit.token_request(&req));
        assert_well_formed(&r, false);
    }

    #[test]
    fn form_parser_never_panics(
        body in vec(any::<u8>(), 0..4096),
        small in any::<bool>(),
    ) {
        let limits = if small {
            Limits { max_body: 64, max_params: 3, max_value: 8, ..Limits::default() }
        } else {
            Limits::default()
        };
        if let Ok(form) = Form::parse(&body, &limits) {
            prop_assert!(form.len() <= limits.max_params);
            let mut names: Vec<&str> = form.iter().map(|(n, _)| n).collect();
            for (n, v) in form.iter() {
                prop_assert!(!n.is_empty() && !v.is_empty());
            }
            names.sort_unstable();
            names.dedup();
            prop_assert_eq!(names.len(), form.len(), "a name appears twice");
        }
    }

    #[test]
    fn form_parser_round_trips_encoded_pairs(
        pairs in proptest::collection::btree_map(".{1,24}", ".{1,64}", 0..16),
        plus_for_space in any::<bool>(),
    ) {
        let list: Vec<(&str, &str)> =
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut body = encode_form(&list);
        if plus_for_space {
            body = body.replace("%20", "+");
        }
        let form = Form::parse(body.as_bytes(), &Limits::default()).unwrap();
        let back: Vec<(&str, &str)> = form.iter().collect();
        prop_assert_eq!(back, list);
    }

    #[test]
    fn form_parser_refuses_any_repeated_name(
        name in "[a-z_]{1,12}",
        a in "[a-zA-Z0-9]{1,12}",
        b in "[a-zA-Z0-9]{1,12}",
        encode_second in any::<bool>(),
    ) {
        let second = if encode_second {
            name.bytes().map(|c| format!("%{c:02X}")).collect::<String>()
        } else {
            name.clone()
        };
        let body = format!("{name}={a}&other=1&{second}={b}");
        prop_assert_eq!(
            Form::parse(body.as_bytes(), &Limits::default()),
            Err(FormError::Repeated)
        );
    }
}
