#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Robustness of the backchannel authentication endpoint: random mutations of a valid
//! request (parameters dropped, repeated, altered or added; raw bytes inserted, flipped
//! or cut; the `Authorization` header mangled; host steps failing) always end in one
//! well-formed response and never in a panic.

use oauth_core::HostError;
use oauth_core::auth::JWT_BEARER;
use oauth_core::ciba::BackchannelEndpoint;
use oauth_core::drive;
use oauth_testkit::{Reply, TestKit, basic, encode_form};
use proptest::prelude::*;
use serde_json::json;

const CIBA: &str = "urn:openid:params:grant-type:ciba";

const NAMES: [&str; 18] = [
    "scope",
    "login_hint",
    "id_token_hint",
    "login_hint_token",
    "binding_message",
    "requested_expiry",
    "acr_values",
    "user_code",
    "client_notification_token",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "request",
    "request_uri",
    "grant_type",
    "auth_req_id",
    "x",
];

#[derive(Debug, Clone)]
enum Mutation {
    Drop(usize),
    Duplicate(usize),
    Alter(usize, String),
    Add(usize, String),
    AddRaw(Vec<u8>),
    Insert(usize, Vec<u8>),
    Flip(usize, u8),
    Truncate(usize),
}

#[derive(Debug, Clone)]
enum Auth {
    Basic,
    WrongSecret,
    Raw(Vec<u8>),
    Twice,
    InBody,
    None,
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,24}",
        "[ -~]{0,80}",
        Just("openid".to_owned()),
        Just("openid profile".to_owned()),
        Just("alice".to_owned()),
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("99999999999999999999999".to_owned()),
        Just("a.b.c".to_owned()),
        Just("eyJhbGciOiJub25lIn0.e30.".to_owned()),
        Just("x".repeat(1100)),
        Just("line\r\nbreak".to_owned()),
        Just("\u{0}\u{7f}\u{85}".to_owned()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<usize>().prop_map(Mutation::Drop),
        2 => any::<usize>().prop_map(Mutation::Duplicate),
        4 => (any::<usize>(), value()).prop_map(|(i, v)| Mutation::Alter(i, v)),
        3 => (any::<usize>(), value()).prop_map(|(i, v)| Mutation::Add(i, v)),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(Mutation::AddRaw),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn auth() -> impl Strategy<Value = Auth> {
    prop_oneof![
        6 => Just(Auth::Basic),
        1 => Just(Auth::WrongSecret),
        1 => prop::collection::vec(any::<u8>(), 0..60).prop_map(Auth::Raw),
        1 => Just(Auth::Twice),
        2 => Just(Auth::InBody),
        1 => Just(Auth::None),
    ]
}

fn failure() -> impl Strategy<Value = Option<(&'static str, HostError)>> {
    prop_oneof![
        12 => Just(None),
        1 => (
            prop::sample::select(vec![
                "lookup_client",
                "check_replay",
                "resolve_user",
                "persist",
                "start_authentication",
            ]),
            prop_oneof![Just(HostError::Unavailable), Just(HostError::Internal)],
        )
            .prop_map(Some),
    ]
}

fn kit() -> TestKit {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "basic", "client_secret": "s-basic",
        "grant_types": [CIBA], "scope": "openid profile",
        "backchannel_token_delivery_mode": "poll",
    }));
    kit.register(json!({
        "client_id": "ping", "client_secret": "s-ping",
        "token_endpoint_auth_method": "client_secret_post",
        "grant_types": [CIBA], "scope": "openid profile",
        "backchannel_token_delivery_mode": "ping",
        "backchannel_client_notification_endpoint": "https://client.example/cb",
    }));
    kit.add_user("alice", "pw", "alice-sub");
    kit
}

/// The valid request the mutations start from.
fn base(auth: &Auth) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = [
        ("scope", "openid profile"),
        ("login_hint", "alice"),
        ("binding_message", "W4SCT"),
        ("requested_expiry", "60"),
        ("acr_values", "urn:example:acr:high"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    if matches!(auth, Auth::InBody) {
        pairs.push(("client_id".to_owned(), "ping".to_owned()));
        pairs.push(("client_secret".to_owned(), "s-ping".to_owned()));
        pairs.push((
            "client_notification_token".to_owned(),
            "8d67dc78-7faa-4d41-aabd-67707b374255".to_owned(),
        ));
    }
    pairs
}

fn apply(pairs: &mut Vec<(String, String)>, raw: &mut Vec<Vec<u8>>, m: &Mutation) {
    let pick = |i: usize, n: usize| if n == 0 { None } else { Some(i % n) };
    match m {
        Mutation::Drop(i) => {
            if let Some(i) = pick(*i, pairs.len()) {
                pairs.remove(i);
            }
        }
        Mutation::Duplicate(i) => {
            if let Some(i) = pick(*i, pairs.len()) {
                let p = pairs[i].clone();
                pairs.push(p);
            }
        }
        Mutation::Alter(i, v) => {
            if let Some(i) = pick(*i, pairs.len()) {
                pairs[i].1.clone_from(v);
            }
        }
        Mutation::Add(i, v) => pairs.push((NAMES[i % NAMES.len()].to_owned(), v.clone())),
        Mutation::AddRaw(b) => raw.push(b.clone()),
        // Byte-level mutations are applied to the encoded body afterwards.
        Mutation::Insert(..) | Mutation::Flip(..) | Mutation::Truncate(_) => {}
    }
}

fn body_of(pairs: &[(String, String)], raw: &[Vec<u8>], mutations: &[Mutation]) -> Vec<u8> {
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut body = encode_form(&refs).into_bytes();
    for r in raw {
        body.push(b'&');
        body.extend_from_slice(r);
    }
    for m in mutations {
        match m {
            Mutation::Insert(i, b) => {
                let at = i % (body.len() + 1);
                body.splice(at..at, b.iter().copied());
            }
            Mutation::Flip(i, b) if !body.is_empty() => {
                let at = i % body.len();
                body[at] ^= b | 1;
            }
            Mutation::Truncate(i) if !body.is_empty() => body.truncate(i % body.len()),
            _ => {}
        }
    }
    body
}

fn check(kit: &TestKit, r: &Reply, started_before: usize) {
    let status = r.status();
    assert!(
        matches!(status, 200 | 400 | 401 | 500 | 503),
        "status {status}: {}",
        r.json
    );
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    assert!(
        r.header("Content-Type")
            .unwrap()
            .starts_with("application/json")
    );
    let object = r
        .json
        .as_object()
        .unwrap_or_else(|| panic!("body is not a JSON object"));
    if status == 200 {
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["auth_req_id", "expires_in", "interval"]);
        assert_eq!(kit.started.len(), started_before + 1);
        assert_eq!(kit.started.last().unwrap().0, r.get("auth_req_id").unwrap());
        let binding = kit.started.last().unwrap().1.binding_message.as_deref();
        assert!(
            binding.is_none_or(|b| b.chars().count() <= 64 && !b.chars().any(char::is_control))
        );
    } else {
        let error = r
            .error()
            .unwrap_or_else(|| panic!("no error member: {}", r.json));
        assert!(!error.is_empty() && error.bytes().all(|b| b == b'_' || b.is_ascii_lowercase()));
        assert!(
            object
                .get("error_description")
                .is_none_or(serde_json::Value::is_string)
        );
        assert!(r.get("auth_req_id").is_none());
        assert_eq!(
            kit.started.len(),
            started_before,
            "a refused request started authentication"
        );
        if status == 401 {
            assert!(r.header("WWW-Authenticate").is_some());
        }
    }
}

fn run(auth: &Auth, mutations: &[Mutation], fail: Option<(&'static str, HostError)>) {
    let mut kit = kit();
    kit.fail_step = fail;
    let mut pairs = base(auth);
    let mut raw = Vec::new();
    for m in mutations {
        apply(&mut pairs, &mut raw, m);
    }
    let body = body_of(&pairs, &raw, mutations);
    let good = basic("basic", "s-basic");
    let wrong = basic("basic", "nope");
    let mut request = oauth_core::HttpRequest::post(&body)
        .header("Content-Type", b"application/x-www-form-urlencoded");
    request = match auth {
        Auth::Basic => request.header("Authorization", good.as_bytes()),
        Auth::WrongSecret => request.header("Authorization", wrong.as_bytes()),
        Auth::Raw(bytes) => request.header("Authorization", bytes),
        Auth::Twice => request
            .header("Authorization", good.as_bytes())
            .header("Authorization", good.as_bytes()),
        Auth::InBody | Auth::None => request,
    };
    let config = kit.config.clone();
    let ctx = kit.context();
    let step = BackchannelEndpoint::start(&config, &request, ctx);
    let r = Reply::from(drive::drive_ciba(step, &mut kit));
    check(&kit, &r, 0);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn ciba_backchannel_mutated_requests_get_well_formed_responses(
        auth in auth(),
        mutations in prop::collection::vec(mutation(), 0..6),
        fail in failure(),
    ) {
        run(&auth, &mutations, fail);
    }
}

#[test]
fn ciba_backchannel_unmutated_base_requests_succeed() {
    // The starting points are valid, so the mutations explore the edges of a real request.
    for auth in [Auth::Basic, Auth::InBody] {
        let mut kit = kit();
        let pairs = base(&auth);
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let a = basic("basic", "s-basic");
        let r = kit.post_ciba(&refs, matches!(auth, Auth::Basic).then_some(a.as_str()));
        assert_eq!(r.status(), 200, "{auth:?}: {}", r.json);
        check(&kit, &r, 0);
    }
}

#[test]
fn ciba_backchannel_known_hostile_inputs() {
    let cases: Vec<(Auth, Vec<Mutation>)> = vec![
        (Auth::Basic, vec![Mutation::Truncate(0)]),
        (Auth::Raw(b"Basic".to_vec()), vec![]),
        (Auth::Raw(b"Basic \xff\xfe".to_vec()), vec![]),
        (Auth::Raw(vec![b'B'; 5000]), vec![]),
        (Auth::Basic, vec![Mutation::AddRaw(b"%".to_vec())]),
        (Auth::Basic, vec![Mutation::AddRaw(b"scope=%ff".to_vec())]),
        (Auth::Basic, vec![Mutation::AddRaw(b"=&&=&==".to_vec())]),
        (Auth::Basic, vec![Mutation::Duplicate(0)]),
        (Auth::Basic, vec![Mutation::Add(11, "not-a-jwt".to_owned())]),
        (Auth::Basic, vec![Mutation::Add(12, JWT_BEARER.to_owned())]),
        (Auth::Basic, vec![Mutation::Add(2, "a.b.c".to_owned())]),
        (
            Auth::Basic,
            vec![Mutation::Add(3, "eyJhbGciOiJIUzI1NiJ9.e30.AAAA".to_owned())],
        ),
        (Auth::None, vec![]),
        (Auth::InBody, vec![Mutation::Drop(7)]),
    ];
    for (auth, mutations) in &cases {
        run(auth, mutations, None);
    }
    // A body at and over the size limit.
    let mut kit = kit();
    let big = "a".repeat(kit.config.limits.max_body + 1);
    let a = basic("basic", "s-basic");
    let r = kit.post_ciba(&[("scope", "openid"), ("login_hint", &big)], Some(&a));
    check(&kit, &r, 0);
    assert_eq!(r.status(), 400);
}
