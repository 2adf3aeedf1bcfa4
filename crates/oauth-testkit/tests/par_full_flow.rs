#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use jwt_verify::{Algorithm, SigningKey};
use oauth_core::drive::AuthorizeEnd;
use oauth_testkit::{ISSUER, TestKit, s256};
use serde_json::json;

const SECRET: &str = "0123456789abcdef0123456789abcdef-jwt";
const REDIRECT: &str = "https://app.example.com/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn location(end: &AuthorizeEnd) -> String {
    match end {
        AuthorizeEnd::Done(d) => d.response.header("Location").unwrap_or_default().to_owned(),
        AuthorizeEnd::Interact(i) => panic!("unexpected interaction {:?}", i.kind),
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.replace("%3A", ":").replace("%2F", "/"))
    })
}

#[test]
fn par_authorize_code_token_refresh_with_client_secret_jwt() {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "app", "client_secret": SECRET, "token_endpoint_auth_method": "client_secret_jwt",
        "grant_types": ["authorization_code", "refresh_token"], "scope": "openid profile",
        "redirect_uris": [REDIRECT], "require_pushed_authorization_requests": true,
    }));
    let key = SigningKey::hmac(Algorithm::HS256, SECRET.as_bytes()).unwrap();
    let par_url = kit.config.endpoints.par.clone();
    let assertion = kit.assertion(&key, "app", Some(&par_url));
    let challenge = s256(VERIFIER);
    let pushed = kit.post_par(
        &[
            ("response_type", "code"),
            ("client_id", "app"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile"),
            ("state", "st-1"),
            ("nonce", "n-1"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &assertion),
            ("mobilePayload", "opaque-blob"),
        ],
        None,
    );
    assert_eq!(pushed.status(), 201, "{}", pushed.json);
    let request_uri = pushed.get("request_uri").unwrap().to_owned();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
    assert_eq!(pushed.json["expires_in"], 60);

    // A plain request is refused for this client.
    let plain = kit.authorize(&[
        ("client_id", "app"),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
    ]);
    assert!(matches!(plain, AuthorizeEnd::Done(ref d) if d.response.status == 400));

    // Not logged in: a login page is due, which re-submits client_id and request_uri.
    let first = kit.authorize(&[("client_id", "app"), ("request_uri", &request_uri)]);
    let AuthorizeEnd::Interact(i) = first else {
        panic!("expected a login page")
    };
    assert!(
        i.resubmit
            .iter()
            .any(|(k, v)| k == "request_uri" && *v == request_uri)
    );
    assert!(
        i.request
            .extra
            .iter()
            .any(|(k, v)| k == "mobilePayload" && v == "opaque-blob")
    );

    kit.log_in("alice");
    let done = kit.authorize(&[("client_id", "app"), ("request_uri", &request_uri)]);
    let loc = location(&done);
    assert!(loc.starts_with(REDIRECT), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("st-1"));
    assert_eq!(query_param(&loc, "iss").as_deref(), Some(ISSUER));
    let code = query_param(&loc, "code").unwrap();

    // The request_uri is single-use at completion.
    let reuse = kit.authorize(&[("client_id", "app"), ("request_uri", &request_uri)]);
    assert!(matches!(reuse, AuthorizeEnd::Done(ref d) if d.response.status == 400));

    let token_assertion = kit.assertion(&key, "app", None);
    let r = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &token_assertion),
        ],
        None,
    );
    assert_eq!(r.status(), 200, "{}", r.json);
    assert!(r.get("id_token").is_some());
    let rt = r.get("refresh_token").unwrap().to_owned();

    let refresh_assertion = kit.assertion(&key, "app", None);
    let r2 = kit.post_token(
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt),
            ("scope", "openid"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &refresh_assertion),
        ],
        None,
    );
    assert_eq!(r2.status(), 200, "{}", r2.json);
    assert_eq!(r2.get("scope"), Some("openid"));
    assert_ne!(r2.get("refresh_token"), Some(rt.as_str()));
}

/// The whole PAR flow for a `private_key_jwt` client signing with `key`: push (assertion
/// addressed to the PAR endpoint), login page, authorization, code, tokens, refresh.
fn private_key_jwt_flow(key: &SigningKey, pinned_alg: &str) {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use oauth_core::authorize::InteractionKind;
    use oauth_testkit::redirect_of;

    let jwt_bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    let mut kit = TestKit::new();
    let jwk = serde_json::to_value(key.verifying_key().unwrap().public_jwk().unwrap()).unwrap();
    kit.register(json!({
        "client_id": "pk-app", "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": pinned_alg, "jwks": { "keys": [jwk] },
        "grant_types": ["authorization_code", "refresh_token"], "scope": "openid profile read",
        "redirect_uris": [REDIRECT], "require_pushed_authorization_requests": true,
    }));
    let par_url = kit.config.endpoints.par.clone();
    let assertion = kit.assertion(key, "pk-app", Some(&par_url));
    let challenge = s256(VERIFIER);
    let pushed = kit.post_par(
        &[
            ("response_type", "code"),
            ("client_id", "pk-app"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid read"),
            ("state", "pk-state"),
            ("nonce", "pk-nonce"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("client_assertion_type", jwt_bearer),
            ("client_assertion", &assertion),
        ],
        None,
    );
    assert_eq!(pushed.status(), 201, "{}", pushed.json);
    let request_uri = pushed.get("request_uri").unwrap().to_owned();
    assert_eq!(pushed.json["expires_in"], 60);
    // The same assertion cannot push twice.
    let replay = kit.post_par(
        &[
            ("response_type", "code"),
            ("client_id", "pk-app"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("client_assertion_type", jwt_bearer),
            ("client_assertion", &assertion),
        ],
        None,
    );
    assert_eq!(
        (replay.status(), replay.error()),
        (401, Some("invalid_client"))
    );

    let AuthorizeEnd::Interact(page) =
        kit.authorize(&[("client_id", "pk-app"), ("request_uri", &request_uri)])
    else {
        panic!("expected a login page")
    };
    assert_eq!(page.kind, InteractionKind::Login);
    kit.log_in("carol");
    let resubmit: Vec<(&str, &str)> = page
        .resubmit
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let end = kit.authorize(&resubmit);
    let r = redirect_of(&end).unwrap_or_else(|| panic!("{end:?}"));
    assert_eq!(r.base, REDIRECT);
    assert_eq!(r.get("state"), Some("pk-state"));
    assert_eq!(r.get("iss"), Some(ISSUER));
    let code = r.get("code").unwrap().to_owned();

    let token_assertion = kit.assertion(key, "pk-app", None);
    let tokens = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_assertion_type", jwt_bearer),
            ("client_assertion", &token_assertion),
        ],
        None,
    );
    assert_eq!(tokens.status(), 200, "{}", tokens.json);
    assert!(tokens.get("access_token").is_some());
    let id_token = tokens.get("id_token").unwrap();
    let payload: serde_json::Value = serde_json::from_slice(
        &Base64UrlUnpadded::decode_vec(id_token.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(payload["nonce"], "pk-nonce");
    assert_eq!(payload["sub"], "carol");
    assert_eq!(payload["aud"], "pk-app");
    assert_eq!(payload["iss"], ISSUER);
    let verifier = kit.signer.verifying_key().unwrap();
    assert!(
        jwt_verify::Token::parse(id_token)
            .unwrap()
            .verify(&verifier)
            .is_ok()
    );
    let rt = tokens.get("refresh_token").unwrap().to_owned();

    let refresh_assertion = kit.assertion(key, "pk-app", None);
    let refreshed = kit.post_token(
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt),
            ("scope", "read"),
            ("client_assertion_type", jwt_bearer),
            ("client_assertion", &refresh_assertion),
        ],
        None,
    );
    assert_eq!(refreshed.status(), 200, "{}", refreshed.json);
    assert_eq!(refreshed.get("scope"), Some("read"));
    assert_ne!(refreshed.get("refresh_token"), Some(rt.as_str()));
    // Replaying the refresh assertion is refused.
    let replayed = kit.post_token(
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refreshed.get("refresh_token").unwrap()),
            ("client_assertion_type", jwt_bearer),
            ("client_assertion", &refresh_assertion),
        ],
        None,
    );
    assert_eq!(
        (replayed.status(), replayed.error()),
        (401, Some("invalid_client"))
    );

    // The code is single use; a second use revokes what it issued (RFC 6749 section 4.1.2).
    let again_assertion = kit.assertion(key, "pk-app", None);
    let again = kit.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_assertion_type", jwt_bearer),
            ("client_assertion", &again_assertion),
        ],
        None,
    );
    assert_eq!(
        (again.status(), again.error()),
        (400, Some("invalid_grant"))
    );

    let late_assertion = kit.assertion(key, "pk-app", None);
    let late = kit.post_token(
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refreshed.get("refresh_token").unwrap()),
            ("client_assertion_type", jwt_bearer),
            ("client_assertion", &late_assertion),
        ],
        None,
    );
    assert_eq!(
        (late.status(), late.error()),
        (400, Some("invalid_grant")),
        "{}",
        late.json
    );
}

#[test]
fn par_authorize_code_token_refresh_with_private_key_jwt_es256() {
    let key = SigningKey::generate_es256(&[21; 32])
        .unwrap()
        .with_kid("pk-es");
    private_key_jwt_flow(&key, "ES256");
}

#[test]
fn par_authorize_code_token_refresh_with_private_key_jwt_rs256() {
    let key = SigningKey::from_pkcs8_pem(Algorithm::RS256, oauth_testkit::PAR_RSA_KEY_PEM)
        .unwrap()
        .with_kid("pk-rs");
    private_key_jwt_flow(&key, "RS256");
}
