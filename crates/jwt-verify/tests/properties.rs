//! Properties, checked on generated inputs:
//!
//! - a token signed with any algorithm verifies with the matching key and yields the claims
//!   it was signed with;
//! - any single changed byte or bit of a signed token is rejected (a parse or verify error,
//!   never `Ok`, never a panic);
//! - `Token::parse` and `KeySet::from_jwks_json` never panic, whatever the input;
//! - the claim policy's time checks flip exactly at their documented boundaries.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::sync::OnceLock;

use jwt_verify::{
    Algorithm, Aud, Audience, ClaimError, ClaimPolicy, Claims, Issuer, KeySet, Limits, SigningKey,
    Token, VerifyingKey,
};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Failures are reported with their minimal input; nothing is written to the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A P-256 key generated once, from a fixed seed.
fn generated_es256() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate_es256(&[0x17; 32]).unwrap())
}

/// A 2048-bit RSA key generated once (slow in debug builds), bound to PS256.
fn generated_rsa() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate_rsa(Algorithm::PS256, 2048, &[0x29; 32]).unwrap())
}

/// A signing key and its verifying key: HMAC from `secret`, ES256 generated once, RSA from
/// the fixed PKCS#8 test key.
fn keys(alg: Algorithm, secret: &[u8]) -> (SigningKey, VerifyingKey) {
    if alg.is_symmetric() {
        (
            SigningKey::hmac(alg, secret).unwrap(),
            VerifyingKey::hmac(alg, secret).unwrap(),
        )
    } else if alg == Algorithm::ES256 {
        let sk = generated_es256().clone();
        let vk = sk.verifying_key().unwrap();
        (sk, vk)
    } else {
        (
            common::rsa_signing_key(alg).clone(),
            common::rsa_verifying_key(alg),
        )
    }
}

/// An algorithm with an HMAC secret of a valid length for it (unused by the others).
fn alg_and_secret() -> impl Strategy<Value = (Algorithm, Vec<u8>)> {
    select(Algorithm::ALL.to_vec()).prop_flat_map(|alg| {
        let min = alg.hash().output_len();
        (
            Just(alg),
            proptest::collection::vec(any::<u8>(), min..=min + 40),
        )
    })
}

/// Registered and private claims; `exp` within the default lifetime of `now`.
fn claims(now: u64) -> impl Strategy<Value = Value> {
    (
        "[a-z0-9:/._-]{1,40}",
        "\\PC{0,24}",
        proptest::collection::vec("[a-z./:]{1,16}", 0..3),
        1u64..3600,
        any::<bool>(),
        any::<i64>(),
        "\\PC{0,32}",
        // Binary fractions with few digits, which survive the JSON round trip exactly.
        proptest::option::of((-4_000_000i32..4_000_000).prop_map(|v| f64::from(v) / 4.0)),
    )
        .prop_map(move |(iss, sub, aud, ttl, flag, n, text, f)| {
            let mut c = json!({
                "iss": iss, "sub": sub, "aud": aud, "exp": now + ttl, "iat": now,
                "flag": flag, "n": n, "text": text, "nested": { "list": [1, "two", null] },
            });
            if let Some(f) = f {
                c["f"] = json!(f);
            }
            c
        })
}

const NOW: u64 = 1_700_000_000;

// ---------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn sign_then_verify_round_trips(
        (alg, secret) in alg_and_secret(),
        claims in claims(NOW),
        entropy in any::<[u8; 32]>(),
        typ in proptest::option::of("[A-Za-z0-9+/.-]{1,40}"),
        kid in proptest::option::of("\\PC{1,40}"),
    ) {
        let (sk, vk) = keys(alg, &secret);
        let (sk, vk) = match &kid {
            Some(k) => (sk.with_kid(k), vk.with_kid(k)),
            None => (sk, vk),
        };
        let jws = sk.sign_jwt(typ.as_deref(), &claims, &entropy).unwrap();
        let token = Token::parse(&jws).unwrap();
        prop_assert_eq!(token.header().alg(), alg);
        prop_assert_eq!(token.header().kid(), kid.as_deref());
        prop_assert_eq!(token.header().typ(), typ.as_deref());

        let verified = token.verify(&vk).unwrap();
        let back: Value = verified.claims().unwrap();
        prop_assert_eq!(&back, &claims);

        // Through a key set, chosen by kid (or as the one kid-less candidate).
        let (set, report) = KeySet::from_keys(vec![vk.clone()]);
        prop_assert!(report.is_empty());
        prop_assert!(token.verify_with_set(&set).is_ok());

        // And the registered claims pass a policy for them.
        let iss = claims["iss"].as_str().unwrap();
        let auds: Vec<&str> =
            claims["aud"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let audience = if auds.is_empty() { Audience::Unchecked } else { Audience::AnyOf(&auds) };
        let mut policy = ClaimPolicy::new(Issuer::Exactly(iss), audience, NOW).max_age(60);
        if let Some(t) = &typ {
            policy = policy.typ(t);
        }
        let registered = policy.check(&verified).unwrap();
        prop_assert_eq!(registered.exp, claims["exp"].as_u64());

        // An asymmetric key survives its public JWK.
        if let Some(jwk) = vk.public_jwk() {
            let again = VerifyingKey::from_jwk(&jwk, None).unwrap();
            prop_assert_eq!(again.alg(), alg);
            prop_assert!(token.verify(&again).is_ok());
        }
    }

    /// HMAC and RSASSA-PKCS1-v1_5 are deterministic; PSS and ECDSA are randomized by the
    /// entropy, and every signature verifies.
    #[test]
    fn signatures_are_deterministic_exactly_where_expected(
        (alg, secret) in alg_and_secret(),
        message in proptest::collection::vec(any::<u8>(), 0..200),
        e1 in any::<[u8; 32]>(),
        e2 in any::<[u8; 32]>(),
    ) {
        prop_assume!(e1 != e2);
        let (sk, vk) = keys(alg, &secret);
        let s1 = sk.sign(&message, &e1).unwrap();
        let s2 = sk.sign(&message, &e2).unwrap();
        prop_assert!(vk.verify_signature(alg, &message, &s1).is_ok());
        prop_assert!(vk.verify_signature(alg, &message, &s2).is_ok());
        let deterministic = matches!(
            alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
                | Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512
        );
        prop_assert_eq!(s1 == s2, deterministic);
        let len = match alg {
            Algorithm::ES256 => 64,
            a if a.is_symmetric() => a.hash().output_len(),
            _ => 256,
        };
        prop_assert_eq!(s1.len(), len);
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// Keys generated by the crate: ES256 from random entropy, and one RSA key.
    #[test]
    fn generated_keys_round_trip(
        seed in any::<[u8; 32]>(),
        message in proptest::collection::vec(any::<u8>(), 0..100),
        entropy in any::<[u8; 32]>(),
    ) {
        // A seed that is not a valid scalar (negligible) yields None: draw again.
        if let Some(sk) = SigningKey::generate_es256(&seed) {
            let vk = sk.verifying_key().unwrap();
            let sig = sk.sign(&message, &entropy).unwrap();
            prop_assert!(vk.verify_signature(Algorithm::ES256, &message, &sig).is_ok());
        }
        let sk = generated_rsa();
        let vk = sk.verifying_key().unwrap();
        let sig = sk.sign(&message, &entropy).unwrap();
        prop_assert!(vk.verify_signature(Algorithm::PS256, &message, &sig).is_ok());
        let mut bad = sig.clone();
        let i = usize::from(entropy[0]) % bad.len();
        bad[i] ^= 1 << (entropy[1] % 8);
        prop_assert!(vk.verify_signature(Algorithm::PS256, &message, &bad).is_err());
    }

    /// P-256 keys at the ends of the scalar range (public keys G, 2G, 3G, -G, -2G), where
    /// table additions meet equal or opposite points most often.
    #[test]
    fn es256_edge_scalars_round_trip(
        which in 0usize..5,
        message in proptest::collection::vec(any::<u8>(), 0..100),
        entropy in any::<[u8; 32]>(),
    ) {
        // n - 1 and n - 2, big-endian.
        let n_minus = |k: u8| {
            let mut d = common::unb64("_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE");
            d[31] -= k;
            <[u8; 32]>::try_from(d).unwrap()
        };
        let small = |k: u8| {
            let mut d = [0u8; 32];
            d[31] = k;
            d
        };
        let d = [small(1), small(2), small(3), n_minus(1), n_minus(2)][which];
        let sk = SigningKey::generate_es256(&d).unwrap();
        let vk = sk.verifying_key().unwrap();
        let sig = sk.sign(&message, &entropy).unwrap();
        prop_assert!(vk.verify_signature(Algorithm::ES256, &message, &sig).is_ok());
        let mut other = message.clone();
        other.push(0);
        prop_assert!(vk.verify_signature(Algorithm::ES256, &other, &sig).is_err());
    }
}

/// Whatever `sign_jwt` makes, `Token::parse` accepts: a `kid` or `typ` longer than the
/// header limits is refused when signing, not only when the token comes back.
#[test]
fn what_sign_jwt_makes_parses() {
    use jwt_verify::header::{MAX_KID_LEN, MAX_TYP_LEN};
    let (sk, vk) = keys(Algorithm::HS256, &common::hmac_secret(Algorithm::HS256));
    let claims = json!({ "exp": NOW + 60 });
    for (kid_len, typ_len) in [
        (MAX_KID_LEN, MAX_TYP_LEN),
        (MAX_KID_LEN + 1, 3),
        (3, MAX_TYP_LEN + 1),
    ] {
        let kid = "k".repeat(kid_len);
        let typ = "t".repeat(typ_len);
        match sk
            .clone()
            .with_kid(&kid)
            .sign_jwt(Some(&typ), &claims, &[0; 32])
        {
            Err(_) => {}
            Ok(jws) => {
                let parsed = Token::parse(&jws);
                assert!(
                    parsed.as_ref().is_ok_and(|t| t.verify(&vk).is_ok()),
                    "kid of {kid_len} bytes, typ of {typ_len}: signed, but {:?}",
                    parsed.err()
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tampering
// ---------------------------------------------------------------------------------------

/// One signed token per algorithm, with the key that verifies it and a key set holding it.
fn signed_tokens() -> &'static [(Algorithm, String, VerifyingKey, KeySet)] {
    static TOKENS: OnceLock<Vec<(Algorithm, String, VerifyingKey, KeySet)>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        Algorithm::ALL
            .iter()
            .map(|&alg| {
                let (sk, vk) = keys(alg, &common::hmac_secret(alg));
                let sk = sk.with_kid("k1");
                let vk = vk.with_kid("k1");
                let claims = json!({ "iss": "c1", "sub": "c1", "aud": "as", "exp": NOW + 60 });
                let jws = sk.sign_jwt(Some("JWT"), &claims, &[3; 32]).unwrap();
                let (set, _) = KeySet::from_keys(vec![vk.clone()]);
                (alg, jws, vk, set)
            })
            .collect()
    })
}

/// Rejected by parsing or by verification (with the key and with the set); never accepted.
fn assert_rejected(tampered: &str, vk: &VerifyingKey, set: &KeySet) -> Result<(), TestCaseError> {
    if let Ok(token) = Token::parse(tampered) {
        prop_assert!(token.verify(vk).is_err(), "accepted: {}", tampered);
        prop_assert!(
            token.verify_with_set(set).is_err(),
            "accepted by set: {}",
            tampered
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_changed_byte_is_rejected(
        which in 0usize..Algorithm::ALL.len(),
        pos in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let (_, jws, vk, set) = &signed_tokens()[which];
        let mut bytes = jws.clone().into_bytes();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let tampered = String::from_utf8_lossy(&bytes);
        assert_rejected(&tampered, vk, set)?;
    }

    #[test]
    fn any_flipped_bit_is_rejected(
        which in 0usize..Algorithm::ALL.len(),
        pos in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let (_, jws, vk, set) = &signed_tokens()[which];
        let mut bytes = jws.clone().into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        let tampered = String::from_utf8_lossy(&bytes);
        assert_rejected(&tampered, vk, set)?;
    }

    #[test]
    fn any_inserted_or_deleted_byte_is_rejected(
        which in 0usize..Algorithm::ALL.len(),
        pos in any::<prop::sample::Index>(),
        byte in select(b"ABCabc019-_.=+/ \n\0{}\"".to_vec()),
        insert in any::<bool>(),
    ) {
        let (_, jws, vk, set) = &signed_tokens()[which];
        let mut bytes = jws.clone().into_bytes();
        let i = pos.index(bytes.len());
        if insert {
            bytes.insert(i, byte);
        } else {
            bytes.remove(i);
        }
        assert_rejected(&String::from_utf8_lossy(&bytes), vk, set)?;
    }
}

/// Exhaustively, for HS256: every bit of every byte.
#[test]
fn every_bit_flip_of_an_hs256_token_is_rejected() {
    let (_, jws, vk, set) = &signed_tokens()[0];
    assert!(Token::parse(jws).unwrap().verify(vk).is_ok());
    let mut count = 0;
    for i in 0..jws.len() {
        for bit in 0..8 {
            let mut bytes = jws.clone().into_bytes();
            bytes[i] ^= 1 << bit;
            assert_rejected(&String::from_utf8_lossy(&bytes), vk, set).unwrap();
            count += 1;
        }
    }
    assert_eq!(count, jws.len() * 8);
}

// ---------------------------------------------------------------------------------------
// No panics on hostile input
// ---------------------------------------------------------------------------------------

/// Verifying an arbitrary parsed token must not panic with any kind of key.
fn verify_all_kinds(token: &Token<'_>) {
    for (_, _, vk, set) in signed_tokens() {
        let _ = token.verify(vk);
        let _ = token.verify_with_set(set);
    }
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn parse_never_panics_on_arbitrary_strings(s in any::<String>()) {
        if let Ok(token) = Token::parse(&s) {
            verify_all_kinds(&token);
        }
    }

    #[test]
    fn parse_never_panics_on_base64ish_strings(s in "[A-Za-z0-9_\\-.=+/ ]{0,400}") {
        if let Ok(token) = Token::parse(&s) {
            verify_all_kinds(&token);
            let _ = jwt_verify::danger::unverified_payload(&token);
        }
    }

    #[test]
    fn parse_never_panics_near_valid_tokens(
        which in 0usize..Algorithm::ALL.len(),
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), any::<u8>(), 0u8..3),
            1..8,
        ),
        limit in proptest::option::of(0usize..2000),
    ) {
        let (_, jws, _, _) = &signed_tokens()[which];
        let mut bytes = jws.clone().into_bytes();
        for (pos, byte, op) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let i = pos.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        let s = String::from_utf8_lossy(&bytes);
        let parsed = match limit {
            Some(max_token_len) => Token::parse_with(&s, &Limits { max_token_len }),
            None => Token::parse(&s),
        };
        if let Ok(token) = parsed {
            verify_all_kinds(&token);
        }
    }

}

proptest! {
    #![proptest_config(config(256))]

    /// Headers and payloads built from JSON fragments, under a valid HS256 MAC: parsing,
    /// verifying and checking claims never panic.
    #[test]
    fn claim_checks_never_panic_on_signed_junk(header in json_ish(), payload in json_ish()) {
        let (sk, vk) = keys(Algorithm::HS256, &common::hmac_secret(Algorithm::HS256));
        let mut header = header;
        if let Value::Object(m) = &mut header {
            m.insert("alg".to_owned(), json!("HS256"));
        }
        let jws = common::sign_raw(&sk, &header.to_string(), &payload.to_string());
        if let Ok(token) = Token::parse(&jws)
            && let Ok(verified) = token.verify(&vk)
        {
            let policy = ClaimPolicy::new(Issuer::Exactly("x"), Audience::AnyOf(&["a"]), NOW)
                .typ("jwt")
                .max_age(10);
            let _ = policy.check(&verified);
            let _ = verified.claims::<Value>();
        }
    }
}

/// JSON values biased toward JWK members and values.
fn json_ish() -> impl Strategy<Value = Value> {
    let b64 = proptest::collection::vec(any::<u8>(), 0..300).prop_map(|b| common::b64(&b));
    let word = select(vec![
        "RSA", "EC", "oct", "OKP", "P-256", "P-384", "P-521", "HS256", "HS384", "HS512", "RS256",
        "RS512", "PS256", "PS384", "ES256", "ES512", "none", "sig", "enc", "verify", "sign", "",
        "AQAB", "AQ", "AA", "_w", "x=", "k1",
    ])
    .prop_map(|s| Value::String(s.to_owned()));
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        b64.prop_map(Value::String),
        word,
        "\\PC{0,20}".prop_map(Value::String),
    ];
    let key = select(vec![
        "kty", "use", "key_ops", "alg", "kid", "crv", "x", "y", "n", "e", "d", "p", "q", "dp",
        "dq", "qi", "k", "keys", "crit", "b64", "typ", "jwk", "exp", "iat", "nbf", "aud", "iss",
        "sub", "jti", "other",
    ])
    .prop_map(str::to_owned);
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..10)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JWK-shaped object: a key type with plausible members, some of them wrong.
fn jwk_ish() -> impl Strategy<Value = Value> {
    let b64 =
        |max: usize| proptest::collection::vec(any::<u8>(), 0..max).prop_map(|b| common::b64(&b));
    (
        select(vec!["RSA", "EC", "oct", "rsa", "OKP"]),
        proptest::option::of(select(Algorithm::ALL.map(Algorithm::as_str).to_vec())),
        proptest::option::of(select(vec!["sig", "enc"])),
        proptest::option::of("[a-z0-9]{0,4}"),
        proptest::option::of(select(vec!["P-256", "P-384", "secp256k1"])),
        b64(300),
        b64(40),
    )
        .prop_map(|(kty, alg, use_, kid, crv, big, small)| {
            let mut k =
                json!({ "kty": kty, "n": big, "e": small, "x": small, "y": small, "k": big });
            if let Some(alg) = alg {
                k["alg"] = json!(alg);
            }
            if let Some(u) = use_ {
                k["use"] = json!(u);
            }
            if let Some(kid) = kid {
                k["kid"] = json!(kid);
            }
            if let Some(crv) = crv {
                k["crv"] = json!(crv);
            }
            k
        })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn jwks_loading_never_panics_on_json_ish_input(value in json_ish()) {
        let _ = KeySet::from_jwks_json(&value.to_string(), &Algorithm::ALL);
        let wrapped = json!({ "keys": [value] }).to_string();
        let _ = KeySet::from_jwks_json(&wrapped, &[]);
        let _ = KeySet::from_jwks_json(&wrapped, &Algorithm::ALL);
    }

    #[test]
    fn jwks_loading_never_panics_on_jwk_ish_keys(
        keys in proptest::collection::vec(jwk_ish(), 0..6),
        defaults in proptest::sample::subsequence(Algorithm::ALL.to_vec(), 0..=10),
    ) {
        let json = json!({ "keys": keys }).to_string();
        let (set, report) = KeySet::from_jwks_json(&json, &defaults).unwrap();
        prop_assert!(report.iter().all(|r| r.index < keys.len()));
        for (_, jws, _, _) in signed_tokens() {
            let _ = Token::parse(jws).unwrap().verify_with_set(&set);
        }
    }

    #[test]
    fn jwks_loading_never_panics_on_arbitrary_strings(s in any::<String>()) {
        let _ = KeySet::from_jwks_json(&s, &Algorithm::ALL);
        let _ = jwt_verify::Jwk::from_json(&s);
    }
}

// ---------------------------------------------------------------------------------------
// Claim policy boundaries
// ---------------------------------------------------------------------------------------

fn at(exp: Option<u64>, nbf: Option<u64>, iat: Option<u64>) -> Claims<'static> {
    Claims {
        iss: Some("c1".into()),
        sub: Some("c1".into()),
        aud: Some(Aud::One("as".into())),
        exp,
        nbf,
        iat,
        jti: Some("j".into()),
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn time_checks_flip_exactly_at_their_boundaries(
        now in 1_000_000u64..4_000_000_000,
        leeway in 0u64..600,
        lifetime in 1u64..100_000,
        age in 1u64..100_000,
    ) {
        let policy = ClaimPolicy::new(Issuer::Exactly("c1"), Audience::AnyOf(&["as"]), now)
            .leeway(leeway)
            .max_lifetime(Some(lifetime));
        let ok = now + 1;
        let check = |p: &ClaimPolicy<'_>, exp, nbf, iat| p.check_claims(&at(exp, nbf, iat));

        // exp: at now - leeway it has expired; one second later it has not.
        let edge = now - leeway;
        prop_assert_eq!(check(&policy, Some(edge), None, None), Err(ClaimError::Expired));
        prop_assert_eq!(check(&policy, Some(edge + 1), None, None), Ok(()));
        prop_assert_eq!(check(&policy.clone().allow_expired(), Some(edge), None, None), Ok(()));
        prop_assert_eq!(check(&policy, None, None, None), Err(ClaimError::Missing("exp")));

        // exp: at most lifetime + leeway ahead.
        let edge = now + lifetime + leeway;
        prop_assert_eq!(check(&policy, Some(edge), None, None), Ok(()));
        prop_assert_eq!(
            check(&policy, Some(edge + 1), None, None),
            Err(ClaimError::LifetimeTooLong)
        );
        let unbounded = policy.clone().max_lifetime(None);
        prop_assert_eq!(check(&unbounded, Some(u64::MAX), None, None), Ok(()));

        // nbf: up to now + leeway is valid.
        let edge = now + leeway;
        prop_assert_eq!(check(&policy, Some(ok), Some(edge), None), Ok(()));
        prop_assert_eq!(
            check(&policy, Some(ok), Some(edge + 1), None),
            Err(ClaimError::NotYetValid)
        );

        // iat: up to now + leeway; with a maximum age, no older than now - age - leeway.
        prop_assert_eq!(check(&policy, Some(ok), None, Some(edge)), Ok(()));
        prop_assert_eq!(
            check(&policy, Some(ok), None, Some(edge + 1)),
            Err(ClaimError::IssuedInFuture)
        );
        let aged = policy.clone().max_age(age);
        let edge = now - age - leeway;
        prop_assert_eq!(check(&aged, Some(ok), None, Some(edge)), Ok(()));
        prop_assert_eq!(check(&aged, Some(ok), None, Some(edge - 1)), Err(ClaimError::TooOld));
        prop_assert_eq!(check(&aged, Some(ok), None, None), Err(ClaimError::Missing("iat")));
        prop_assert_eq!(
            check(&policy.clone().require_iat(), Some(ok), None, None),
            Err(ClaimError::Missing("iat"))
        );
    }

    /// The same boundaries through a signed token and `ClaimPolicy::check`.
    #[test]
    fn exp_boundary_through_a_signed_token(
        now in 1_000_000u64..4_000_000_000,
        leeway in 0u64..600,
    ) {
        let (sk, vk) = keys(Algorithm::HS256, &common::hmac_secret(Algorithm::HS256));
        let policy = ClaimPolicy::new(Issuer::Exactly("c1"), Audience::AnyOf(&["as"]), now)
            .leeway(leeway);
        for (exp, want) in [
            (now - leeway, Err(ClaimError::Expired)),
            (now - leeway + 1, Ok(())),
        ] {
            let claims = json!({ "iss": "c1", "aud": ["x", "as"], "exp": exp });
            let jws = sk.sign_jwt(None, &claims, &[0; 32]).unwrap();
            let verified = Token::parse(&jws).unwrap().verify(&vk).unwrap();
            prop_assert_eq!(policy.check(&verified).map(|_| ()), want);
        }
        // A fractional exp is truncated: exp = now - leeway + 0.5 has expired.
        let payload = format!(r#"{{"iss":"c1","aud":"as","exp":{}.5}}"#, now - leeway);
        let jws = common::sign_raw(&sk, r#"{"alg":"HS256"}"#, &payload);
        let verified = Token::parse(&jws).unwrap().verify(&vk).unwrap();
        prop_assert_eq!(policy.check(&verified).map(|_| ()), Err(ClaimError::Expired));
    }
}
