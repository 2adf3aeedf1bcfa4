//! Keys, certificates, clients and assertions shared by the flow tests, and the checks every
//! token endpoint response must pass (RFC 6749 sections 5.1 and 5.2).
//!
//! The certificates and keys were generated with `openssl genpkey` / `openssl req -x509`
//! (3650 days); they are fixtures, not secrets.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_verify::{Algorithm, SigningKey};
use oauth_core::auth::{AuthFailure, JWT_BEARER};
use oauth_core::mtls::ClientCertificate;
use oauth_core::{HttpRequest, Outcome, Reason};
use oauth_testkit::{Reply, TestKit, encode_form};
use serde_json::{Value, json};

/// The P-256 private key (PKCS#8) of [`CLIENT_A_CERT_PEM`]: signs `private_key_jwt` assertions
/// and is the key a `self_signed_tls_client_auth` registration names.
pub const CLIENT_A_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggPJm68E2wivLfzVu
46OXyE+30V11FAP10m/K9pcw83qhRANCAASw8A60wNvptubBpGcBjEAyKSvUFV/t
K1VNFTwHwb0ea+r+DI2cqwtbD+puM2SeDkzg9IO4pX8ombKTb5QWbGom
-----END PRIVATE KEY-----
";

/// Self-signed P-256 certificate, subject `C=SE, O=Example AB, CN=client a` (RFC 4514:
/// `CN=client a,O=Example AB,C=SE`), SANs DNS:client-a.example.com,
/// URI:https://client-a.example.com/app, IP:192.0.2.10, email:ops@client-a.example.com.
pub const CLIENT_A_CERT_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIICJDCCAcqgAwIBAgIUb+78fM8ga3DR5WoCkFUYea1wwaYwCgYIKoZIzj0EAwIw
NTELMAkGA1UEBhMCU0UxEzARBgNVBAoMCkV4YW1wbGUgQUIxETAPBgNVBAMMCGNs
aWVudCBhMB4XDTI2MTEyMjAzMTAxOFoXDTM2MTExOTAzMTAxOFowNTELMAkGA1UE
BhMCU0UxEzARBgNVBAoMCkV4YW1wbGUgQUIxETAPBgNVBAMMCGNsaWVudCBhMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsPAOtMDb6bbmwaRnAYxAMikr1BVf7StV
TRU8B8G9Hmvq/gyNnKsLWw/qbjNkng5M4PSDuKV/KJmyk2+UFmxqJqOBtzCBtDAd
BgNVHQ4EFgQUHnsHJHfDEkVtKzfxPUa5yp1zAy4wHwYDVR0jBBgwFoAUHnsHJHfD
EkVtKzfxPUa5yp1zAy4wDwYDVR0TAQH/BAUwAwEB/zBhBgNVHREEWjBYghRjbGll
bnQtYS5leGFtcGxlLmNvbYYgaHR0cHM6Ly9jbGllbnQtYS5leGFtcGxlLmNvbS9h
cHCHBMAAAgqBGG9wc0BjbGllbnQtYS5leGFtcGxlLmNvbTAKBggqhkjOPQQDAgNI
ADBFAiEAhz1IPrD8nLzI8EDB/UfsGzsZYLgcLedBNxkbRDHsLhwCICJLDmjvOk+k
pwaN/WXKiqgmFZJuhP4AjvzMILAWqN8Y
-----END CERTIFICATE-----
";

/// The P-256 private key (PKCS#8) of [`CLIENT_B_CERT_PEM`].
pub const CLIENT_B_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCxPV5iBPKWiLpE11
IwJdcvQgp9ElhQ7Gj9DUeuVMZc6hRANCAAQp9UiIVjq5l3hp4OEjZgsTa9mONlcB
xeTaA6bLt1C3uaIli0/+9LzTwF5cF6NFTK8Hfc3R+pFkBReaxlg3eZ48
-----END PRIVATE KEY-----
";

/// Self-signed P-256 certificate, subject `C=SE, O=Example AB, CN=client b`, SAN
/// DNS:client-b.example.com.
pub const CLIENT_B_CERT_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIIB3zCCAYagAwIBAgIUUrE84UauxaF3JkXhvjxa0xq0FL0wCgYIKoZIzj0EAwIw
NTELMAkGA1UEBhMCU0UxEzARBgNVBAoMCkV4YW1wbGUgQUIxETAPBgNVBAMMCGNs
aWVudCBiMB4XDTI2MTEyMjAzMTAxOFoXDTM2MTExOTAzMTAxOFowNTELMAkGA1UE
BhMCU0UxEzARBgNVBAoMCkV4YW1wbGUgQUIxETAPBgNVBAMMCGNsaWVudCBiMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKfVIiFY6uZd4aeDhI2YLE2vZjjZXAcXk
2gOmy7dQt7miJYtP/vS808BeXBejRUyvB33N0fqRZAUXmsZYN3mePKN0MHIwHQYD
VR0OBBYEFMre88zMnM7lBPTfZzX8pZNpelmXMB8GA1UdIwQYMBaAFMre88zMnM7l
BPTfZzX8pZNpelmXMA8GA1UdEwEB/wQFMAMBAf8wHwYDVR0RBBgwFoIUY2xpZW50
LWIuZXhhbXBsZS5jb20wCgYIKoZIzj0EAwIDRwAwRAIgLiZBIz0/hSBMgFc5EHs/
Uz41Q4oPAzOV2jwrImZ8o1ACIEHNgnXMH4Sv6tk9tBoOQHv88lUWf144Q2Sdd0uh
1f6r
-----END CERTIFICATE-----
";

/// A 2048-bit RSA private key (PKCS#8): signs RS256 / PS256 assertions; the key of
/// [`RSA_CERT_PEM`].
pub const RSA_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCHuTP0w8d1ynWW
kZnrwPyt52TMvKtQHzbvNjI3vkOSawOmteN030zokvW/8DeFwNVD7Y9OwSxnAB6k
0X1D+lDwBCZCUVwuduvPJp0ej3rv9PJNEihS0bL1xl4lmj05e2pdtHMJg+FFzkfc
nGsTfPcxEhnjAr+MZVhcyEsMWakaEk19Du8jWCjSoPi+TTnvcWPPAS1vq0+JOGt7
JsvS1zBedASP/J5xBFz0SEioa9ddL8LzCkyWAQN0460cVqfWqVG65cr+iyQLmNmd
aZALdpKTLxlGO3LkIFEDO5YpC+WZ4D1kCSMlJkgAu95Pn2CDuOm1vR2krbxdjg08
O0Kk4+FxAgMBAAECggEAQMVV0j2Mdt5D97NMrYHQFH4VUM/JQddjtA09MfUO8lU3
zNuIzUGzxlo8BXlyRdac8GnytjbiJdWcyjNfgI15CtIwH/4L6/C84IMhAHCgztsq
tzUvITcKHNiqHW/aQBBx1n5DWAsj+thS2ymawBYnMbfdusSY/TtwS/caOa6gUNwx
S6mysTcOrxDD2zWKSG8fzYbr66rTjAMmk35r1t5VyfppAlv805gQ5jriRVNExHA/
kZKhgDsQiIvwWrZpgsxxI+CljD1kpoJmlHgk1lOlqFZ21UkGtjL7cvBKKO8ht5D/
azZbFKWU5WTtqDMhbMI3zlw+u4/ogHYWCAu7B4VvMQKBgQC7xhbi4hlkHqRzrRbd
t2I52r8jHz4b925pffY4aFF9mQRCuMyIdyIhB4Uvd2N/taMa/e1OFpMBZ52oOSFJ
IIHqTYK3QbnAdV2FUQ7b73yMe/dYNaUKs1qqPzhLCHIRaamLq85yADOw9o3KG7B2
U6T6dcqpnkP85gZayrzn8Nzx3wKBgQC5CZ1m9KZ1jSCspqmYciE8HrNPvHLW228I
YnLhn4tjzEcZ+O92Vekjan0Hcb+bqNFpX/5r/gA41JAJ4ArvpRzcq1nEXeDePAnq
IRTbWGEf4/o9tf64FZVYZryQfrhSUP9nQ/PKGdfUAu3qL+60fm3vLfjUJ0vBwXhi
/y5gTtq2rwKBgDoppbUpa8wDYdUi7E5JG3foNgRfDRIEloK+raHTTkqlNxijvVcX
785jUfHd/Uf1r0wRE4x4mZh5y+/rok/Qbe1xjOfOyAbBU/KTpRKjH+U0EO2V0EV8
QL0zT/CN8SdLn2TQFuZhAaHy/QB5izNbvWKHUfswNscDSTyeR91gUk/pAoGBALBb
B5feyN/0uBWVasKO1Do2kHQIifNZhMObAR8lLnbZdVK9vY0taFyG289CjHpRNfWW
tig7F/8SKI4g6Itq9M0kyxOq3e0xj8mD6hr8auU4JYK3eKP+fi6ZDFMzU32xERtc
2nfelaPNfu/a60k/zotNZ4DcSwnJ2XGRAKRtw2qlAoGAHEqMOMSrE1FfVIR39Gwv
lrqTMaOPCB4u9flfb99cdmyfC99GsNjRX73BcK46QsbqMOV9BroKzjHobWX44J4X
8JBwSB4ezIGy/gC7FMBrtH9wWPnVkRSd2rCChst0NHM4w8MDO6eMnLhxK5RW6RJ6
2AOVua8y7IV5999o3OiKLEM=
-----END PRIVATE KEY-----
";

/// Self-signed RSA certificate, subject `C=SE, O=Example AB, OU=Payments, CN=rsa client`, no SAN.
pub const RSA_CERT_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIIDdTCCAl2gAwIBAgIUaMtEionCe0KPM2IVRcCXK+s6peMwDQYJKoZIhvcNAQEL
BQAwSjELMAkGA1UEBhMCU0UxEzARBgNVBAoMCkV4YW1wbGUgQUIxETAPBgNVBAsM
CFBheW1lbnRzMRMwEQYDVQQDDApyc2EgY2xpZW50MB4XDTI2MTEyMjAzMTAxOFoX
DTM2MTExOTAzMTAxOFowSjELMAkGA1UEBhMCU0UxEzARBgNVBAoMCkV4YW1wbGUg
QUIxETAPBgNVBAsMCFBheW1lbnRzMRMwEQYDVQQDDApyc2EgY2xpZW50MIIBIjAN
BgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAh7kz9MPHdcp1lpGZ68D8redkzLyr
UB827zYyN75DkmsDprXjdN9M6JL1v/A3hcDVQ+2PTsEsZwAepNF9Q/pQ8AQmQlFc
LnbrzyadHo967/TyTRIoUtGy9cZeJZo9OXtqXbRzCYPhRc5H3JxrE3z3MRIZ4wK/
jGVYXMhLDFmpGhJNfQ7vI1go0qD4vk0573FjzwEtb6tPiThreybL0tcwXnQEj/ye
cQRc9EhIqGvXXS/C8wpMlgEDdOOtHFan1qlRuuXK/oskC5jZnWmQC3aSky8ZRjty
5CBRAzuWKQvlmeA9ZAkjJSZIALveT59gg7jptb0dpK28XY4NPDtCpOPhcQIDAQAB
o1MwUTAdBgNVHQ4EFgQU8QN8V9LP5F5n2wuFcYOE5SAy3AkwHwYDVR0jBBgwFoAU
8QN8V9LP5F5n2wuFcYOE5SAy3AkwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0B
AQsFAAOCAQEAOY7ZI+jFGHT1URYsLBINfk938xNGqoRDkA965cfowQbEdGOeGbVV
F4ZIYwMxRdcHoeynj3DPa+TkevQxm2yt6oEhBSxX/S4Mso0HM2qWUWQ+HKgUXezc
1NP8InwIm5TSE7pZ5JmTtoe0nVWqVi3KiB9/+5VbAKy9y4LyrpWUYczTHdTv+SOA
XA6lhkh8jxz+YPR2Yidns7X8PdtAY3HxlpqHiJv1xtYKSKD/U1wxPH1sIhx6NUzn
nIAoVH6ifxeBM1I2xpJCONPJlK2jRrSb0dDc/xbnlx0JLFEH/VJ1YKdPvwgSazg3
k8j3BujejhnLYHqNHAMEImL384PptN7wsw==
-----END CERTIFICATE-----
";

/// A client secret with characters that need form-encoding in Basic credentials, long
/// enough (64 bytes) to key HS256, HS384 and HS512 (RFC 7518 section 3.2).
pub const SECRET: &str = "s3cr:t%+ &=/é-0123456789-0123456789-0123456789-0123456789-abcdef";

/// A PKCE verifier of 43 characters (RFC 7636 appendix B).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The redirect URI registered for code clients.
pub const REDIRECT: &str = "https://app.example.com/cb";

/// DER of a PEM certificate.
#[must_use]
pub fn der(pem: &str) -> Vec<u8> {
    ClientCertificate::from_pem(pem).unwrap().der().to_vec()
}

/// The P-256 signing key of client A.
#[must_use]
pub fn key_a() -> SigningKey {
    SigningKey::from_pkcs8_pem(Algorithm::ES256, CLIENT_A_KEY_PEM)
        .unwrap()
        .with_kid("a-1")
}

/// The P-256 signing key of client B.
#[must_use]
pub fn key_b() -> SigningKey {
    SigningKey::from_pkcs8_pem(Algorithm::ES256, CLIENT_B_KEY_PEM)
        .unwrap()
        .with_kid("b-1")
}

/// The RSA signing key for `alg` (RS* or PS*).
#[must_use]
pub fn rsa_key(alg: Algorithm) -> SigningKey {
    SigningKey::from_pkcs8_pem(alg, RSA_KEY_PEM).unwrap()
}

/// An HMAC key over a client secret (OIDC Core section 10.1: the UTF-8 octets of the secret).
#[must_use]
pub fn hmac_key(alg: Algorithm, secret: &str) -> SigningKey {
    SigningKey::hmac(alg, secret.as_bytes()).unwrap()
}

/// The public JWK of a signing key, as JSON, with its `alg` removed when `keep_alg` is false.
#[must_use]
pub fn public_jwk(key: &SigningKey, keep_alg: bool) -> Value {
    let jwk = key.verifying_key().unwrap().public_jwk().unwrap();
    let mut v = serde_json::to_value(jwk).unwrap();
    if !keep_alg {
        v.as_object_mut().unwrap().remove("alg");
    }
    v
}

/// A JWKS document of these JWKs.
#[must_use]
pub fn jwks(keys: &[Value]) -> Value {
    json!({ "keys": keys })
}

/// Assertion claims as RFC 7523 section 3 wants them, for `client_id`, with a `jti` unique to
/// `tag`, valid from `now` for 60 seconds and addressed to the token endpoint.
#[must_use]
pub fn claims(kit: &TestKit, client_id: &str, tag: &str) -> Value {
    json!({
        "iss": client_id,
        "sub": client_id,
        "aud": oauth_testkit::TOKEN_ENDPOINT,
        "iat": kit.now,
        "exp": kit.now + 60,
        "jti": format!("jti-{tag}"),
    })
}

/// The form of a client_credentials request authenticated with an assertion.
#[must_use]
pub fn assertion_form<'a>(client_id: &'a str, assertion: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ]
}

/// A form POST with the right content type, an optional `Authorization` value and an optional
/// client certificate (DER), run through the token endpoint.
pub fn post(
    kit: &mut TestKit,
    form: &[(&str, &str)],
    authorization: Option<&str>,
    certificate: Option<&[u8]>,
) -> Reply {
    let body = encode_form(form);
    let mut request = HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded");
    if let Some(a) = authorization {
        request = request.header("Authorization", a.as_bytes());
    }
    if let Some(c) = certificate {
        request = request.client_certificate(c);
    }
    Reply::from(kit.token_request(&request))
}

/// A raw body POSTed with the form content type.
pub fn post_raw(kit: &mut TestKit, body: &[u8], authorization: Option<&str>) -> Reply {
    let mut request =
        HttpRequest::post(body).header("Content-Type", b"application/x-www-form-urlencoded");
    if let Some(a) = authorization {
        request = request.header("Authorization", a.as_bytes());
    }
    Reply::from(kit.token_request(&request))
}

/// The diagnostic reason of a refusal.
#[must_use]
pub fn reason(r: &Reply) -> &Reason {
    match &r.done.outcome {
        Outcome::Rejected { reason, .. } => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The client authentication failure behind a refusal.
#[must_use]
pub fn auth_failure(r: &Reply) -> &AuthFailure {
    match reason(r) {
        Reason::ClientAuth(f) => f,
        other => panic!("expected a client authentication failure, got {other:?}"),
    }
}

/// RFC 6749 section 5.1: no caching of anything that may carry tokens or credentials.
pub fn assert_no_store(r: &Reply) {
    assert_eq!(r.header("Cache-Control"), Some("no-store"), "{r:?}");
    assert_eq!(r.header("Pragma"), Some("no-cache"), "{r:?}");
    let ct = r
        .header("Content-Type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(ct.starts_with("application/json"), "Content-Type {ct}");
}

/// RFC 6749 section 5.2: an error response with this status and `error` code, a JSON object
/// of the registered members only, the no-store headers, and (RFC 6749 section 5.2, RFC 9110
/// section 15.5.2) a `Basic` challenge on every 401. The typed outcome agrees with the wire.
pub fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(
        r.status(),
        status,
        "status; body {} / {:?}",
        r.json,
        r.done.outcome
    );
    assert_eq!(
        r.error(),
        Some(code),
        "error; body {} / {:?}",
        r.json,
        r.done.outcome
    );
    assert_no_store(r);
    let body = r.json.as_object().expect("an error body is a JSON object");
    for (name, value) in body {
        assert!(
            matches!(name.as_str(), "error" | "error_description" | "error_uri"),
            "unexpected member {name} in an error response"
        );
        let text = value.as_str().expect("error members are strings");
        // RFC 6749 section 5.2: %x20-21 / %x23-5B / %x5D-7E.
        assert!(
            text.bytes().all(|b| b == 0x20
                || b == 0x21
                || (0x23..=0x5b).contains(&b)
                || (0x5d..=0x7e).contains(&b)),
            "{name} has characters outside RFC 6749 section 5.2: {text:?}"
        );
    }
    if status == 401 {
        let challenge = r
            .header("WWW-Authenticate")
            .expect("401 without WWW-Authenticate");
        assert!(
            challenge
                .get(..6)
                .is_some_and(|s| s.eq_ignore_ascii_case("basic ")),
            "challenge {challenge}"
        );
    }
    match &r.done.outcome {
        Outcome::Rejected { error, .. } => {
            assert_eq!(error.code.as_str(), code);
            assert_eq!(error.code.status(), status);
        }
        other => panic!("wire says {status} {code}, outcome says {other:?}"),
    }
}

/// `invalid_client` with 401 and a Basic challenge.
pub fn assert_invalid_client(r: &Reply) {
    assert_error(r, 401, "invalid_client");
}

/// RFC 6749 section 5.1: a successful token response. Returns the body.
pub fn assert_tokens(r: &Reply) -> &serde_json::Map<String, Value> {
    assert_eq!(r.status(), 200, "{} / {:?}", r.json, r.done.outcome);
    assert_no_store(r);
    let body = r
        .json
        .as_object()
        .expect("a token response is a JSON object");
    let at = body["access_token"]
        .as_str()
        .expect("access_token is a string");
    assert!(!at.is_empty());
    let tt = body["token_type"].as_str().expect("token_type is a string");
    assert!(tt.eq_ignore_ascii_case("bearer"), "token_type {tt}");
    if let Some(e) = body.get("expires_in") {
        assert!(e.as_u64().is_some_and(|e| e > 0), "expires_in {e}");
    }
    for member in ["refresh_token", "scope", "id_token"] {
        if let Some(v) = body.get(member) {
            assert!(v.as_str().is_some_and(|s| !s.is_empty()), "{member} {v}");
        }
    }
    assert!(body.get("error").is_none());
    assert!(
        matches!(r.done.outcome, Outcome::Succeeded { .. }),
        "{:?}",
        r.done.outcome
    );
    body
}

/// The string members of a successful response.
#[must_use]
pub fn member(r: &Reply, name: &str) -> String {
    r.get(name)
        .unwrap_or_else(|| panic!("no {name} in {}", r.json))
        .to_owned()
}

/// The unverified claims and header of a compact JWS, for inspection after verification.
#[must_use]
pub fn jws_parts(jws: &str) -> (Value, Value) {
    let mut it = jws.split('.');
    let header = Base64UrlUnpadded::decode_vec(it.next().unwrap()).unwrap();
    let payload = Base64UrlUnpadded::decode_vec(it.next().unwrap()).unwrap();
    (
        serde_json::from_slice(&header).unwrap(),
        serde_json::from_slice(&payload).unwrap(),
    )
}

/// OpenID Connect Core section 3.1.3.6 `at_hash` for ES256/RS256 signers: base64url of the
/// left-most 128 bits of SHA-256 of the access token's ASCII octets.
#[must_use]
pub fn at_hash_sha256(access_token: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(access_token.as_bytes());
    Base64UrlUnpadded::encode_string(&digest[..16])
}
