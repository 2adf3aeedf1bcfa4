//! The bodies of the fuzz targets, one function per untrusted input surface of jwt-verify.
//!
//! Each function takes the raw fuzzer input, must never panic on any input, and asserts the
//! properties that must hold whatever the input (a panic here is a finding). The libFuzzer
//! entry points in `fuzz_targets/` call them, and `tests/regressions.rs` replays every file of
//! `regressions/<target>/` through them on stable Rust.
//!
//! The oauth-core targets (`form_parse` and the four endpoint targets) live in [`engine`].

pub mod engine;

pub use engine::{authorize_request, backchannel_request, form_parse, par_request, token_request};

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_verify::token::{DEFAULT_MAX_TOKEN_LEN, MAX_SIGNATURE_LEN};
use jwt_verify::{
    Algorithm, ClaimPolicy, Jwk, KeySet, Limits, SigningKey, Token, VerifyingKey, danger,
};

/// The client every assertion claims to come from.
pub const CLIENT_ID: &str = "fuzz-client";
/// The audiences the claim policy accepts.
pub const AUDIENCES: [&str; 2] = ["https://as.example/token", "https://as.example"];
/// The instant the claim policy is evaluated at.
pub const NOW: u64 = 1_700_000_000;
/// The shared secret of the HMAC keys (64 bytes: long enough for HS512).
pub const HMAC_SECRET: &[u8; 64] =
    b"fuzz-shared-secret-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHI";

const RSA_PRIVATE_PEM: &str = include_str!("../../benches/keys/rsa-2048.pem");
const P256_PRIVATE_PEM: &str = include_str!("../../benches/keys/p256.pem");

/// The fixed keys: one signing key per algorithm, the matching verifying keys, and two key
/// sets (asymmetric keys and HMAC keys: a set does not mix them).
pub struct Keys {
    /// One signing key per algorithm of [`Algorithm::ALL`], each with `kid` = its `alg`.
    pub signing: Vec<SigningKey>,
    /// The verifying key of each signing key, in the same order.
    pub verifying: Vec<VerifyingKey>,
    /// The RSA and P-256 verifying keys.
    pub public_set: KeySet,
    /// The HMAC verifying keys.
    pub hmac_set: KeySet,
}

fn build_keys() -> Option<Keys> {
    let mut signing = Vec::new();
    let mut verifying = Vec::new();
    for alg in Algorithm::ALL {
        let (sk, vk) = if alg.is_symmetric() {
            (
                SigningKey::hmac(alg, HMAC_SECRET).ok()?,
                VerifyingKey::hmac(alg, HMAC_SECRET).ok()?,
            )
        } else {
            let pem = if alg == Algorithm::ES256 {
                P256_PRIVATE_PEM
            } else {
                RSA_PRIVATE_PEM
            };
            let sk = SigningKey::from_pkcs8_pem(alg, pem).ok()?;
            let vk = sk.verifying_key().ok()?;
            (sk, vk)
        };
        signing.push(sk.with_kid(alg.as_str()));
        verifying.push(vk.with_kid(alg.as_str()));
    }
    let split = |symmetric: bool| {
        let keys = verifying
            .iter()
            .filter(|k| k.alg().is_symmetric() == symmetric)
            .cloned()
            .collect();
        KeySet::from_keys(keys).0
    };
    Some(Keys {
        public_set: split(false),
        hmac_set: split(true),
        signing,
        verifying,
    })
}

/// The fixed keys, built once per process.
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let keys = build_keys();
        assert!(keys.is_some(), "the fixed fuzz keys must load");
        keys.unwrap_or_else(|| unreachable!())
    })
}

/// `jws_parse`: `Token::parse` on arbitrary UTF-8.
///
/// A token that parses is exactly three segments, within the limits, and its parts re-encode
/// to the text they came from (the decoder accepts only canonical base64url).
pub fn jws_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Token::parse(text);
    // A tighter limit never accepts more.
    let small = Limits { max_token_len: 64 };
    if Token::parse_with(text, &small).is_ok() {
        assert!(text.len() <= 64);
        assert!(parsed.is_ok());
    }
    let Ok(token) = parsed else {
        return;
    };
    assert!(text.len() <= DEFAULT_MAX_TOKEN_LEN);
    assert_eq!(text.bytes().filter(|b| *b == b'.').count(), 2);
    assert!(token.signature().len() <= MAX_SIGNATURE_LEN);
    assert!(!token.signature().is_empty());
    let input = token.signing_input();
    assert!(text.as_bytes().starts_with(input));
    let rest = text.get(input.len()..).unwrap_or_default();
    let sig_b64 = Base64UrlUnpadded::encode_string(&token.signature());
    assert_eq!(rest.strip_prefix('.'), Some(sig_b64.as_str()));
    let payload = danger::unverified_payload(&token);
    assert!(payload.is_ok(), "a parsed token's payload decodes");
    let header = token.header();
    assert_eq!(header.alg().as_str().parse::<Algorithm>(), Ok(header.alg()));
}

/// `jwk_load`: `Jwk::from_json`, `VerifyingKey::from_jwk` for every algorithm, and
/// `KeySet::from_jwks_json`, all on the same input.
///
/// A key that loads is bound to the algorithm asked for, and its public JWK loads again into
/// the same key.
pub fn jwk_load(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(jwk) = Jwk::from_json(text) {
        let requests = std::iter::once(None).chain(Algorithm::ALL.into_iter().map(Some));
        for requested in requests {
            let Ok(key) = VerifyingKey::from_jwk(&jwk, requested) else {
                continue;
            };
            if let Some(alg) = requested {
                assert_eq!(key.alg(), alg);
            }
            assert_eq!(key.kid(), jwk.kid.as_deref());
            if let Some(public) = key.public_jwk() {
                assert!(!public.is_private());
                let again = VerifyingKey::from_jwk(&public, Some(key.alg()));
                assert_eq!(
                    again.ok().and_then(|k| k.public_jwk()),
                    Some(public),
                    "a public JWK round-trips"
                );
            } else {
                assert!(key.alg().is_symmetric());
            }
        }
        let _ = jwk.to_public();
    }
    if let Ok((set, rejected)) = KeySet::from_jwks_json(text, &Algorithm::ALL) {
        assert!(set.keys().len() <= jwt_verify::keyset::MAX_KEYS * Algorithm::ALL.len());
        assert!(rejected.windows(2).all(|w| match w {
            [a, b] => a.index <= b.index,
            _ => true,
        }));
        let symmetric = set.keys().iter().filter(|k| k.alg().is_symmetric()).count();
        assert!(
            symmetric == 0 || symmetric == set.keys().len(),
            "no mixed set"
        );
    }
}

/// `jws_verify`: parsing, verification against the fixed keys of every algorithm, and the
/// claim policy.
///
/// The first byte picks the mode:
/// - even: the rest is a compact JWS, verified as it is against both key sets and each key;
/// - odd: the rest is a payload, signed here with the key the second byte picks (HMAC or
///   ES256; RSA signing is too slow per input), so the claim policy sees arbitrary claims
///   behind a valid signature. That token must verify, and must fail once its signature
///   changes.
pub fn jws_verify(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(text) = std::str::from_utf8(rest) {
            verify_as_is(text, mode);
        }
    } else if let Some((&pick, payload)) = rest.split_first() {
        sign_and_verify(pick, payload, mode);
    }
}

/// The claim policy the mode byte picks: the RFC 7523 client assertion policy, optionally
/// with a `typ`, an `iat` age bound and no leeway.
fn policy(mode: u8) -> ClaimPolicy<'static> {
    let mut p = ClaimPolicy::client_assertion(CLIENT_ID, &AUDIENCES, NOW);
    if mode & 0x10 != 0 {
        p = p.typ("client-authentication+jwt");
    }
    if mode & 0x20 != 0 {
        p = p.max_age(300);
    }
    if mode & 0x40 != 0 {
        p = p.leeway(0).max_lifetime(None);
    }
    p
}

fn check_claims(verified: &jwt_verify::Verified, mode: u8) {
    if let Ok(claims) = policy(mode).check(verified) {
        assert_eq!(claims.iss.as_deref(), Some(CLIENT_ID));
        assert_eq!(claims.sub.as_deref(), Some(CLIENT_ID));
        assert!(claims.jti.is_some());
        assert!(claims.exp.is_some());
        assert!(
            claims
                .aud
                .as_ref()
                .is_some_and(|a| a.iter().any(|x| AUDIENCES.contains(&x)))
        );
    }
}

fn verify_as_is(text: &str, mode: u8) {
    let keys = keys();
    let Ok(token) = Token::parse(text) else {
        return;
    };
    for set in [&keys.public_set, &keys.hmac_set] {
        if let Ok(verified) = token.verify_with_set(set) {
            check_claims(&verified, mode);
        }
        let _ = jwt_verify::verify(text, set, &policy(mode));
    }
    for key in &keys.verifying {
        if let Ok(verified) = token.verify(key) {
            assert_eq!(token.header().alg(), key.alg(), "alg is pinned to the key");
            check_claims(&verified, mode);
        }
    }
}

fn sign_and_verify(pick: u8, payload: &[u8], mode: u8) {
    let keys = keys();
    let signable: Vec<usize> = Algorithm::ALL
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_symmetric() || **a == Algorithm::ES256)
        .map(|(i, _)| i)
        .collect();
    let Some(&index) = signable.get(usize::from(pick) % signable.len().max(1)) else {
        return;
    };
    let (Some(sk), Some(vk)) = (keys.signing.get(index), keys.verifying.get(index)) else {
        return;
    };
    let typ = if mode & 0x80 != 0 {
        "client-authentication+jwt"
    } else {
        "JWT"
    };
    let header = format!(
        r#"{{"alg":"{}","typ":"{typ}","kid":"{}"}}"#,
        sk.alg().as_str(),
        sk.alg().as_str()
    );
    let mut token = Base64UrlUnpadded::encode_string(header.as_bytes());
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(payload));
    let Ok(signature) = sk.sign(token.as_bytes(), &[0x42; 32]) else {
        return;
    };
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(&signature));

    let parsed = Token::parse(&token);
    if token.len() > DEFAULT_MAX_TOKEN_LEN {
        assert!(parsed.is_err());
        return;
    }
    let Ok(parsed) = parsed else {
        unreachable!("a well-formed token with a fixed header must parse")
    };
    let set = if sk.alg().is_symmetric() {
        &keys.hmac_set
    } else {
        &keys.public_set
    };
    let by_key = parsed.verify(vk);
    let by_set = parsed.verify_with_set(set);
    assert!(by_key.is_ok(), "a genuine signature verifies");
    assert!(
        by_set.is_ok(),
        "a genuine signature verifies through the key set"
    );
    if let Ok(verified) = &by_key {
        assert_eq!(verified.payload(), payload);
        check_claims(verified, mode);
    }

    // Any change to the signature must be refused.
    let mut forged = signature.clone();
    if let Some(b) = forged.get_mut(usize::from(pick) % signature.len().max(1)) {
        *b ^= 1 << (mode % 8);
    }
    let head = token.rsplit_once('.').map_or("", |(h, _)| h);
    let forged = format!("{head}.{}", Base64UrlUnpadded::encode_string(&forged));
    if let Ok(t) = Token::parse(&forged) {
        assert!(t.verify(vk).is_err(), "a changed signature is refused");
        assert!(t.verify_with_set(set).is_err());
    }
}
