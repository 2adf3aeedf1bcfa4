//! Shared fixtures for the benches: fixed keys, one realistic client assertion per algorithm,
//! and the claim-policy inputs every library under measurement is given.
//!
//! The assertion is what a `private_key_jwt` / `client_secret_jwt` client sends to a token
//! endpoint (RFC 7523 section 3): header `alg`, `kid`, `typ`; claims `iss`, `sub`, `aud`,
//! `exp`, `iat`, `jti`. Its signing input is a little over 300 bytes.

use jwt_verify::{Algorithm, ClaimPolicy, SigningKey, Token, VerifyingKey};
use serde::Serialize;

/// The client's identifier: `iss` and `sub` of the assertion.
pub const CLIENT_ID: &str = "s6BhdRkqt3-pkjwt-client";
/// The issuer identifier of the authorization server's tenant.
pub const ISSUER: &str = "https://as.example.com/demo/as";
/// The token endpoint URL, the assertion's `aud`.
pub const TOKEN_ENDPOINT: &str = "https://as.example.com/demo/as/token";
/// The audiences a token endpoint accepts (RFC 7523 section 3, RFC 9126 section 2).
pub const AUDIENCES: [&str; 2] = [TOKEN_ENDPOINT, ISSUER];
/// The `jti` of the assertion.
pub const JTI: &str = "8d6a1b3e-4f2c-4e1a-9b7d-2c5e8f0a1d34";
/// The `typ` of the assertion's header.
pub const TYP: &str = "JWT";
/// Clock-skew allowance every library is configured with, in seconds (jwt-verify's default).
pub const LEEWAY_SECS: u64 = 60;
/// Seconds from `iat` to `exp`. Longer than a client would choose, because two of the peers
/// read the wall clock and the assertion must stay valid through a whole bench run; it stays
/// within jwt-verify's default maximum lifetime (3600 s).
pub const LIFETIME_SECS: u64 = 1800;

/// The client secret for HS256 (`client_secret_jwt`): 48 bytes, more than the 32 RFC 7518
/// section 3.2 requires.
pub const HS256_SECRET: &[u8] = b"bench-client-secret-0123456789abcdefghijklmnopqr";
/// A 2048-bit RSA key, PKCS#8 PEM, made once with
/// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`.
pub const RSA_PRIVATE_PEM: &str = include_str!("../keys/rsa-2048.pem");
/// Its public half, SubjectPublicKeyInfo PEM (`openssl pkey -pubout`).
pub const RSA_PUBLIC_PEM: &str = include_str!("../keys/rsa-2048.pub.pem");
/// A P-256 key, PKCS#8 PEM, made once with
/// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`.
pub const P256_PRIVATE_PEM: &str = include_str!("../keys/p256.pem");
/// Its public half, SubjectPublicKeyInfo PEM.
pub const P256_PUBLIC_PEM: &str = include_str!("../keys/p256.pub.pem");

/// The algorithms measured, in table order.
pub const ALGORITHMS: [Algorithm; 4] = [
    Algorithm::HS256,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
];

/// The claims of the assertion, serialized in this order.
#[derive(Debug, Clone, Serialize)]
pub struct AssertionClaims<'a> {
    /// The client.
    pub iss: &'a str,
    /// The client again (RFC 7523 section 3, item 2.B).
    pub sub: &'a str,
    /// The token endpoint.
    pub aud: &'a str,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Issued at.
    pub iat: u64,
    /// Unique identifier, for the replay check.
    pub jti: &'a str,
}

/// One signed assertion and its parts, ready for every library and for the raw primitives.
#[derive(Debug, Clone)]
pub struct Assertion {
    /// The algorithm it is signed with.
    pub alg: Algorithm,
    /// The compact JWS.
    pub token: String,
    /// `BASE64URL(header) '.' BASE64URL(payload)`: what the raw primitives verify.
    pub signing_input: String,
    /// The decoded signature (raw `r || s` for ES256).
    pub signature: Vec<u8>,
    /// The time every library is told it is (or, for those that read the clock, the time it
    /// was when the assertion was made).
    pub now: u64,
}

/// The `kid` the client registered for `alg`'s key.
#[must_use]
pub fn kid(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => "client-secret-2024-10",
        Algorithm::ES256 => "ec-p256-2024-10",
        _ => "rsa-2048-2024-10",
    }
}

/// Why a fixture could not be made.
#[derive(Debug)]
pub enum FixtureError {
    /// A key did not load.
    Key(jwt_verify::KeyError),
    /// Signing failed.
    Sign(jwt_verify::SignError),
    /// The algorithm is not one of [`ALGORITHMS`].
    Unsupported(Algorithm),
}

impl core::fmt::Display for FixtureError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FixtureError::Key(e) => write!(f, "fixture key: {e}"),
            FixtureError::Sign(e) => write!(f, "fixture signing: {e}"),
            FixtureError::Unsupported(a) => write!(f, "no fixture for {a:?}"),
        }
    }
}

impl std::error::Error for FixtureError {}

/// The signing key the client holds for `alg`.
pub fn signing_key(alg: Algorithm) -> Result<SigningKey, FixtureError> {
    let key = match alg {
        Algorithm::HS256 => SigningKey::hmac(alg, HS256_SECRET),
        Algorithm::RS256 | Algorithm::PS256 => SigningKey::from_pkcs8_pem(alg, RSA_PRIVATE_PEM),
        Algorithm::ES256 => SigningKey::from_pkcs8_pem(alg, P256_PRIVATE_PEM),
        other => return Err(FixtureError::Unsupported(other)),
    }
    .map_err(FixtureError::Key)?;
    Ok(key.with_kid(kid(alg)))
}

/// The public key (SubjectPublicKeyInfo PEM) for an asymmetric `alg`.
#[must_use]
pub fn public_pem(alg: Algorithm) -> Option<&'static str> {
    match alg {
        Algorithm::RS256 | Algorithm::PS256 => Some(RSA_PUBLIC_PEM),
        Algorithm::ES256 => Some(P256_PUBLIC_PEM),
        _ => None,
    }
}

/// The verifying key the server registered for `alg`, prepared once (from the public PEM for
/// RSA and P-256, from the secret for HS256).
pub fn verifying_key(alg: Algorithm) -> Result<VerifyingKey, FixtureError> {
    match public_pem(alg) {
        None => VerifyingKey::hmac(alg, HS256_SECRET),
        Some(pem) => VerifyingKey::from_spki_pem(alg, pem),
    }
    .map_err(FixtureError::Key)
}

/// One full jwt-verify verification of a client assertion, as a token endpoint runs it:
/// parse, signature, and the RFC 7523 claim policy at `now`. True when the assertion is
/// accepted and carries a `jti` for the replay check.
#[must_use]
pub fn verify_assertion(token: &str, key: &VerifyingKey, now: u64) -> bool {
    let policy = ClaimPolicy::client_assertion(CLIENT_ID, &AUDIENCES, now);
    Token::parse(token)
        .ok()
        .and_then(|t| t.verify(key).ok())
        .is_some_and(|v| policy.check(&v).is_ok_and(|c| c.jti.is_some()))
}

/// `token` with one character of its signature changed: every library must refuse it.
#[must_use]
pub fn tampered(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    if let Some(c) = chars.len().checked_sub(2).and_then(|i| chars.get_mut(i)) {
        *c = if *c == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}

impl Assertion {
    /// Signs the assertion for `alg`, issued at `now`. The signatures are deterministic
    /// (fixed entropy), so the same `now` gives the same token.
    pub fn new(alg: Algorithm, now: u64) -> Result<Self, FixtureError> {
        let key = signing_key(alg)?;
        let claims = AssertionClaims {
            iss: CLIENT_ID,
            sub: CLIENT_ID,
            aud: TOKEN_ENDPOINT,
            exp: now + LIFETIME_SECS,
            iat: now,
            jti: JTI,
        };
        let token = key
            .sign_jwt(Some(TYP), &claims, &[0x5a; 32])
            .map_err(FixtureError::Sign)?;
        let parsed = jwt_verify::Token::parse(&token)
            .map_err(|_| FixtureError::Sign(jwt_verify::SignError::Claims))?;
        Ok(Assertion {
            alg,
            signing_input: String::from_utf8_lossy(parsed.signing_input()).into_owned(),
            signature: parsed.signature().to_vec(),
            token,
            now,
        })
    }
}

/// Seconds since the Unix epoch by the wall clock: the benches are the host, and two of the
/// peers read the clock themselves, so every library is given this same instant.
#[must_use]
pub fn wall_clock_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
