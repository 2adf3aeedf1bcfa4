//! The classic attacks on JWT verifiers, one named test each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use jwt_verify::header::MAX_KID_LEN;
use jwt_verify::token::{DEFAULT_MAX_TOKEN_LEN, MAX_HEADER_LEN, MAX_SIGNATURE_LEN};
use jwt_verify::{
    Algorithm, Audience, ClaimError, ClaimPolicy, Error, Issuer, KeyError, KeySet, Limits,
    ParseError, SigningKey, Token, VerifyError, VerifyingKey,
};
use serde_json::json;

use common::{b64, compact, key_pair, sign_raw, unb64};

const CLAIMS: &str = r#"{"iss":"c1","sub":"c1","aud":"https://as.example","exp":1700000060}"#;

fn parse_err(token: &str) -> ParseError {
    match Token::parse(token) {
        Ok(t) => panic!("parsed: {:?}", t.header()),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------------------
// alg: none
// ---------------------------------------------------------------------------------------

#[test]
fn alg_none_in_every_case_is_rejected() {
    for alg in [
        "none",
        "None",
        "NONE",
        "nOnE",
        "none ",
        " none",
        "none\u{0}",
    ] {
        let header = json!({ "alg": alg, "typ": "JWT" }).to_string();
        // Unsecured JWS proper: an empty signature segment.
        let unsecured = format!("{}.", common::signing_input(&header, CLAIMS));
        assert_eq!(parse_err(&unsecured), ParseError::Malformed, "{alg:?}");
        // With some signature bytes, the header itself is refused.
        let with_sig = compact(&header, CLAIMS, &[0; 32]);
        let want = if alg == "none" {
            ParseError::AlgNone
        } else {
            ParseError::UnsupportedAlgorithm
        };
        assert_eq!(parse_err(&with_sig), want, "{alg:?}");
        // Even an HMAC over the input, made with the verifier's own secret, does not help.
        let signed = sign_raw(&key_pair(Algorithm::HS256).0, &header, CLAIMS);
        assert!(Token::parse(&signed).is_err(), "{alg:?}");
    }
    assert!("none".parse::<Algorithm>().is_err());
    // Escaped, it is still `none`.
    let escaped = compact(r#"{"alg":"n\u006fne"}"#, CLAIMS, &[0; 32]);
    assert_eq!(parse_err(&escaped), ParseError::AlgNone);
}

// ---------------------------------------------------------------------------------------
// HMAC / RSA key confusion
// ---------------------------------------------------------------------------------------

/// The attacker knows the RSA public key and signs HS256 with its bytes as the HMAC secret.
/// A key is bound to RS256, so the token is refused as an algorithm mismatch before any
/// MAC is computed.
#[test]
fn hmac_with_rsa_public_key_as_secret_is_rejected() {
    let rsa = common::rsa_verifying_key(Algorithm::RS256);
    let jwk = rsa.public_jwk().unwrap();
    let n = unb64(jwk.n.as_deref().unwrap());
    let pem_body: Vec<u8> = common::RSA_SPKI_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>()
        .into_bytes();
    for secret in [
        common::RSA_SPKI_PEM.as_bytes(),
        common::RSA_SPKI_PEM.trim_end().as_bytes(),
        &n,
        &pem_body,
        serde_json::to_string(&jwk).unwrap().as_bytes(),
    ] {
        let forged = SigningKey::hmac(Algorithm::HS256, secret)
            .unwrap()
            .sign_jwt(
                Some("JWT"),
                &serde_json::from_str::<serde_json::Value>(CLAIMS).unwrap(),
                &[1; 32],
            )
            .unwrap();
        let token = Token::parse(&forged).unwrap();
        assert_eq!(token.header().alg(), Algorithm::HS256);
        assert_eq!(
            token.verify(&rsa).err(),
            Some(VerifyError::AlgorithmMismatch {
                key: Algorithm::RS256,
                token: Algorithm::HS256
            })
        );
        // Also through the low-level entry point and a key set.
        assert!(matches!(
            rsa.verify_signature(Algorithm::HS256, token.signing_input(), &token.signature()),
            Err(VerifyError::AlgorithmMismatch { .. })
        ));
        let (set, _) = KeySet::from_keys(vec![rsa.clone()]);
        assert_eq!(
            token.verify_with_set(&set).err(),
            Some(VerifyError::NoMatchingKey)
        );
    }
    // An RSA JWK without alg is never bound to HS256, whatever the defaults say.
    let mut no_alg = jwk.clone();
    no_alg.alg = None;
    let jwks = json!({ "keys": [no_alg] }).to_string();
    let (set, report) =
        KeySet::from_jwks_json(&jwks, &[Algorithm::HS256, Algorithm::RS256]).unwrap();
    assert!(report.is_empty());
    assert_eq!(set.keys().len(), 1);
    assert_eq!(set.keys()[0].alg(), Algorithm::RS256);
    // An RSA public key cannot be made into an HMAC key.
    assert_eq!(
        VerifyingKey::from_spki_pem(Algorithm::HS256, common::RSA_SPKI_PEM).err(),
        Some(KeyError::AlgorithmKeyMismatch)
    );
    assert_eq!(
        VerifyingKey::from_jwk(&jwk, Some(Algorithm::HS256)).err(),
        Some(KeyError::AlgorithmConflict)
    );
    assert_eq!(
        VerifyingKey::from_jwk(&no_alg, Some(Algorithm::HS256)).err(),
        Some(KeyError::AlgorithmKeyMismatch)
    );
}

/// The same confusion with an EC key, and between RSA padding schemes.
#[test]
fn algorithm_substitution_is_rejected() {
    let ec = common::ec_verifying_key();
    let ec_jwk = serde_json::to_string(&ec.public_jwk().unwrap()).unwrap();
    let forged = sign_raw(
        &SigningKey::hmac(Algorithm::HS256, ec_jwk.as_bytes()).unwrap(),
        r#"{"alg":"HS256"}"#,
        CLAIMS,
    );
    assert!(matches!(
        Token::parse(&forged).unwrap().verify(&ec),
        Err(VerifyError::AlgorithmMismatch {
            key: Algorithm::ES256,
            token: Algorithm::HS256
        })
    ));
    // A valid RS256 signature presented as PS256 (and the reverse), and across hashes.
    for (signed_with, claimed, key_alg) in [
        (Algorithm::RS256, Algorithm::PS256, Algorithm::PS256),
        (Algorithm::PS256, Algorithm::RS256, Algorithm::RS256),
        (Algorithm::RS256, Algorithm::RS512, Algorithm::RS512),
    ] {
        let header = json!({ "alg": claimed.as_str() }).to_string();
        let token = sign_raw(common::rsa_signing_key(signed_with), &header, CLAIMS);
        let key = common::rsa_verifying_key(key_alg);
        assert_eq!(
            Token::parse(&token).unwrap().verify(&key).err(),
            Some(VerifyError::InvalidSignature),
            "{signed_with} as {claimed}"
        );
        // And with the key of the algorithm actually used, the header no longer matches.
        let key = common::rsa_verifying_key(signed_with);
        assert!(matches!(
            Token::parse(&token).unwrap().verify(&key),
            Err(VerifyError::AlgorithmMismatch { .. })
        ));
    }
}

// ---------------------------------------------------------------------------------------
// ES256 signature encoding
// ---------------------------------------------------------------------------------------

/// DER-encodes an ECDSA `r || s` signature.
fn der_signature(p1363: &[u8]) -> Vec<u8> {
    fn int(bytes: &[u8]) -> Vec<u8> {
        let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        let mut v = if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            vec![0]
        } else {
            vec![]
        };
        v.extend_from_slice(&trimmed);
        let mut out = vec![0x02, u8::try_from(v.len()).unwrap()];
        out.extend_from_slice(&v);
        out
    }
    let mut body = int(&p1363[..32]);
    body.extend(int(&p1363[32..]));
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
    out.extend(body);
    out
}

#[test]
fn es256_signature_in_der_form_is_rejected() {
    let (signer, key) = key_pair(Algorithm::ES256);
    let header = r#"{"alg":"ES256"}"#;
    let input = common::signing_input(header, CLAIMS);
    for entropy in 0..8u8 {
        let sig = signer.sign(input.as_bytes(), &[entropy; 32]).unwrap();
        assert_eq!(sig.len(), 64);
        assert!(
            key.verify_signature(Algorithm::ES256, input.as_bytes(), &sig)
                .is_ok()
        );
        let der = der_signature(&sig);
        assert_ne!(der.len(), 64);
        let token = format!("{input}.{}", b64(&der));
        assert_eq!(
            Token::parse(&token).unwrap().verify(&key).err(),
            Some(VerifyError::InvalidSignature)
        );
        // r || s with leading zeros stripped, or padded, is not accepted either.
        let mut padded = vec![0];
        padded.extend_from_slice(&sig);
        for bad in [
            &sig[..63],
            &padded[..],
            &sig[1..],
            &[&sig[..], &sig[..]].concat()[..],
        ] {
            assert_eq!(
                key.verify_signature(Algorithm::ES256, input.as_bytes(), bad),
                Err(VerifyError::InvalidSignature)
            );
        }
    }
}

/// "Psychic signatures" (CVE-2022-21449): r = 0 or s = 0, or r, s = n, never verify.
#[test]
fn es256_zero_and_out_of_range_signatures_are_rejected() {
    let (_, key) = key_pair(Algorithm::ES256);
    let n: [u8; 32] = unb64("_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE")
        .try_into()
        .unwrap();
    let mut one = [0u8; 32];
    one[31] = 1;
    let zero = [0u8; 32];
    let input = common::signing_input(r#"{"alg":"ES256"}"#, CLAIMS);
    for (r, s) in [
        (zero, zero),
        (zero, one),
        (one, zero),
        (n, n),
        (n, one),
        (one, n),
        ([0xff; 32], [0xff; 32]),
    ] {
        let sig = [r, s].concat();
        assert_eq!(
            key.verify_signature(Algorithm::ES256, input.as_bytes(), &sig),
            Err(VerifyError::InvalidSignature)
        );
        let token = format!("{input}.{}", b64(&sig));
        assert!(Token::parse(&token).unwrap().verify(&key).is_err());
    }
}

// ---------------------------------------------------------------------------------------
// Keys named by the token
// ---------------------------------------------------------------------------------------

/// A token that carries its own key (`jwk`), or points to one (`jku`, `x5u`, `x5c`), is
/// verified with the verifier's key all the same: signed by the attacker, it fails.
#[test]
fn embedded_jwk_jku_x5u_x5c_are_ignored() {
    let (_, legit) = key_pair(Algorithm::ES256);
    let attacker = SigningKey::generate_es256(&[0x42; 32]).unwrap();
    let attacker_jwk = attacker.verifying_key().unwrap().public_jwk().unwrap();
    let legit_jwk = legit.public_jwk().unwrap();
    let headers = [
        json!({ "alg": "ES256", "jwk": attacker_jwk }),
        json!({ "alg": "ES256", "jku": "https://attacker.example/jwks.json" }),
        json!({ "alg": "ES256", "x5u": "https://attacker.example/cert.pem" }),
        json!({ "alg": "ES256", "x5c": ["MIIBattacker"] }),
        json!({
            "alg": "ES256", "kid": "legit", "jwk": attacker_jwk,
            "jku": "https://attacker.example/",
        }),
        // Claiming the legitimate key does not make the attacker's signature valid.
        json!({ "alg": "ES256", "jwk": legit_jwk }),
    ];
    let (set, _) = KeySet::from_keys(vec![legit.clone().with_kid("legit")]);
    for header in headers {
        let token = sign_raw(&attacker, &header.to_string(), CLAIMS);
        let parsed = Token::parse(&token).unwrap();
        assert_eq!(
            parsed.verify(&legit).err(),
            Some(VerifyError::InvalidSignature),
            "{header}"
        );
        assert_eq!(
            parsed.verify_with_set(&set).err(),
            Some(VerifyError::InvalidSignature),
            "{header}"
        );
        // The attacker's own key would of course accept it: the header was the only lure.
        assert!(parsed.verify(&attacker.verifying_key().unwrap()).is_ok());
    }
}

// ---------------------------------------------------------------------------------------
// crit and b64
// ---------------------------------------------------------------------------------------

#[test]
fn crit_is_rejected() {
    for header in [
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256","crit":["b64"],"b64":false}"#,
        r#"{"alg":"HS256","crit":["b64"],"b64":true}"#,
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":"exp"}"#,
        r#"{"alg":"HS256","crit":{}}"#,
        r#"{"alg":"HS256","b64":false}"#,
    ] {
        let token = compact(header, CLAIMS, &[0; 32]);
        assert_eq!(parse_err(&token), ParseError::UnknownCritical, "{header}");
    }
}

/// `crit` must be a non-empty array of names (RFC 7515 section 4.1.11); `null` is not one,
/// so it cannot stand for "no critical extensions".
#[test]
fn crit_null_is_rejected() {
    let token = compact(r#"{"alg":"HS256","crit":null}"#, CLAIMS, &[0; 32]);
    assert!(Token::parse(&token).is_err(), "crit: null was accepted");
}

// ---------------------------------------------------------------------------------------
// Key selection by kid and alg
// ---------------------------------------------------------------------------------------

fn hmac_keys(n: usize) -> Vec<(SigningKey, VerifyingKey)> {
    (0..n)
        .map(|i| {
            let secret = [u8::try_from(i).unwrap() + 1; 32];
            (
                SigningKey::hmac(Algorithm::HS256, &secret).unwrap(),
                VerifyingKey::hmac(Algorithm::HS256, &secret).unwrap(),
            )
        })
        .collect()
}

#[test]
fn unknown_kid_finds_no_key() {
    let keys = hmac_keys(2);
    let (set, report) = KeySet::from_keys(vec![
        keys[0].1.clone().with_kid("a"),
        keys[1].1.clone().with_kid("b"),
    ]);
    assert!(report.is_empty());
    let signer = keys[0].0.clone().with_kid("c");
    let claims: serde_json::Value = serde_json::from_str(CLAIMS).unwrap();
    let token = signer.sign_jwt(None, &claims, &[0; 32]).unwrap();
    assert_eq!(
        Token::parse(&token).unwrap().verify_with_set(&set).err(),
        Some(VerifyError::NoMatchingKey)
    );
    // A kid names one key: signed with a's secret but claiming b, only b is tried.
    let token = keys[0]
        .0
        .clone()
        .with_kid("b")
        .sign_jwt(None, &claims, &[0; 32])
        .unwrap();
    assert_eq!(
        Token::parse(&token).unwrap().verify_with_set(&set).err(),
        Some(VerifyError::InvalidSignature)
    );
    let token = keys[0]
        .0
        .clone()
        .with_kid("a")
        .sign_jwt(None, &claims, &[0; 32])
        .unwrap();
    assert!(Token::parse(&token).unwrap().verify_with_set(&set).is_ok());
    // A matching kid with another algorithm is not a match.
    let (set, _) = KeySet::from_keys(vec![common::ec_verifying_key().with_kid("a")]);
    assert_eq!(
        Token::parse(&token).unwrap().verify_with_set(&set).err(),
        Some(VerifyError::NoMatchingKey)
    );
    // Kid comparison is exact.
    let (set, _) = KeySet::from_keys(vec![keys[0].1.clone().with_kid("A")]);
    assert_eq!(
        Token::parse(&token).unwrap().verify_with_set(&set).err(),
        Some(VerifyError::NoMatchingKey)
    );
}

#[test]
fn kidless_token_tries_only_keys_of_its_alg_and_at_most_the_bound() {
    let keys = hmac_keys(5);
    let claims: serde_json::Value = serde_json::from_str(CLAIMS).unwrap();
    let token_by = |i: usize| keys[i].0.sign_jwt(None, &claims, &[0; 32]).unwrap();

    // Keys of other algorithms come first; they are not candidates and do not use up the
    // bound.
    let mut set_keys = vec![
        common::rsa_verifying_key(Algorithm::RS256),
        common::ec_verifying_key(),
        common::rsa_verifying_key(Algorithm::PS256),
        VerifyingKey::hmac(Algorithm::HS384, &[1; 48]).unwrap(),
    ];
    set_keys.extend(keys.iter().map(|(_, v)| v.clone()));
    let (set, report) = KeySet::from_keys(set_keys);
    assert!(report.is_empty());
    assert_eq!(jwt_verify::keyset::DEFAULT_MAX_KIDLESS_CANDIDATES, 3);

    let parsed = token_by(0);
    let token = Token::parse(&parsed).unwrap();
    let candidates: Vec<_> = set.candidates(token.header()).collect();
    assert_eq!(candidates.len(), 3);
    assert!(candidates.iter().all(|k| k.alg() == Algorithm::HS256));

    for i in 0..3 {
        assert!(
            Token::parse(&token_by(i))
                .unwrap()
                .verify_with_set(&set)
                .is_ok(),
            "key {i}"
        );
    }
    for i in 3..5 {
        assert_eq!(
            Token::parse(&token_by(i))
                .unwrap()
                .verify_with_set(&set)
                .err(),
            Some(VerifyError::InvalidSignature),
            "key {i} is beyond the bound"
        );
    }
    let wider = set.clone().with_max_kidless_candidates(5);
    for i in 0..5 {
        assert!(
            Token::parse(&token_by(i))
                .unwrap()
                .verify_with_set(&wider)
                .is_ok()
        );
    }
    let none = set.with_max_kidless_candidates(0);
    assert_eq!(
        Token::parse(&token_by(0))
            .unwrap()
            .verify_with_set(&none)
            .err(),
        Some(VerifyError::NoMatchingKey)
    );
}

#[test]
fn duplicate_kids_are_left_out_of_sets() {
    let keys = hmac_keys(3);
    let (set, report) = KeySet::from_keys(vec![
        keys[0].1.clone().with_kid("k"),
        keys[1].1.clone().with_kid("k"),
        keys[2].1.clone().with_kid("other"),
    ]);
    assert_eq!(report.iter().map(|r| r.index).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(set.keys().len(), 1);
    let claims: serde_json::Value = serde_json::from_str(CLAIMS).unwrap();
    let token = keys[0]
        .0
        .clone()
        .with_kid("k")
        .sign_jwt(None, &claims, &[0; 32])
        .unwrap();
    assert_eq!(
        Token::parse(&token).unwrap().verify_with_set(&set).err(),
        Some(VerifyError::NoMatchingKey)
    );
}

// ---------------------------------------------------------------------------------------
// Size limits
// ---------------------------------------------------------------------------------------

#[test]
fn token_length_limit() {
    let header = b64(br#"{"alg":"HS256"}"#);
    let sig = b64(&[0; 32]);
    // A token of exactly the limit is parsed; one byte more is not. (The payload lengths
    // used, 16319 and 16320 characters, are both valid base64url lengths.)
    let fill = DEFAULT_MAX_TOKEN_LEN - header.len() - sig.len() - 2;
    assert_ne!(fill % 4, 1);
    let at_limit = format!("{header}.{}.{sig}", "A".repeat(fill));
    assert_eq!(at_limit.len(), DEFAULT_MAX_TOKEN_LEN);
    assert!(Token::parse(&at_limit).is_ok());
    let over = format!("{header}.{}.{sig}", "A".repeat(fill + 1));
    assert_eq!(over.len(), DEFAULT_MAX_TOKEN_LEN + 1);
    assert_eq!(parse_err(&over), ParseError::TooLong);

    // The limit is checked before anything else, even on garbage.
    assert_eq!(
        parse_err(&"\u{0}".repeat(DEFAULT_MAX_TOKEN_LEN + 1)),
        ParseError::TooLong
    );

    // A caller may lower it.
    let small = Limits { max_token_len: 64 };
    let token = compact(r#"{"alg":"HS256"}"#, "{}", &[0; 32]);
    assert!(token.len() <= 64 || Token::parse_with(&token, &small).is_err());
    let long = compact(r#"{"alg":"HS256"}"#, CLAIMS, &[0; 32]);
    assert!(long.len() > 64);
    assert_eq!(
        Token::parse_with(&long, &small).err(),
        Some(ParseError::TooLong)
    );
    assert!(Token::parse_with(&long, &Limits::default()).is_ok());

    // Oversized parts.
    let sig_too_long = compact(r#"{"alg":"RS256"}"#, "{}", &vec![1; MAX_SIGNATURE_LEN + 1]);
    assert_eq!(parse_err(&sig_too_long), ParseError::SignatureLength);
    let max_sig = compact(r#"{"alg":"RS256"}"#, "{}", &vec![1; MAX_SIGNATURE_LEN]);
    assert!(Token::parse(&max_sig).is_ok());
    let big_header = format!(r#"{{"alg":"HS256","x":"{}"}}"#, "x".repeat(MAX_HEADER_LEN));
    assert_eq!(
        parse_err(&compact(&big_header, "{}", &[0; 32])),
        ParseError::HeaderMemberTooLong
    );
    let long_kid = json!({ "alg": "HS256", "kid": "k".repeat(MAX_KID_LEN + 1) }).to_string();
    assert_eq!(
        parse_err(&compact(&long_kid, "{}", &[0; 32])),
        ParseError::HeaderMemberTooLong
    );
    let max_kid = json!({ "alg": "HS256", "kid": "k".repeat(MAX_KID_LEN) }).to_string();
    assert!(Token::parse(&compact(&max_kid, "{}", &[0; 32])).is_ok());
}

// ---------------------------------------------------------------------------------------
// Serialization and JSON shape
// ---------------------------------------------------------------------------------------

#[test]
fn json_serialization_is_rejected() {
    let (signer, key) = key_pair(Algorithm::HS256);
    let claims: serde_json::Value = serde_json::from_str(CLAIMS).unwrap();
    let jws = signer.sign_jwt(None, &claims, &[0; 32]).unwrap();
    assert!(Token::parse(&jws).unwrap().verify(&key).is_ok());
    let parts: Vec<&str> = jws.split('.').collect();
    let general = json!({
        "payload": parts[1],
        "signatures": [{ "protected": parts[0], "signature": parts[2] }]
    })
    .to_string();
    let flattened =
        json!({ "payload": parts[1], "protected": parts[0], "signature": parts[2] }).to_string();
    for text in [general, flattened] {
        assert!(Token::parse(&text).is_err(), "{text}");
    }
    // Whitespace or line breaks around a compact JWS are not stripped.
    for text in [
        format!(" {jws}"),
        format!("{jws}\n"),
        format!("{jws}\r\n"),
        jws.replace('.', ". "),
    ] {
        assert!(Token::parse(&text).is_err(), "{text:?}");
    }
}

#[test]
fn duplicate_header_member_is_rejected() {
    for header in [
        r#"{"alg":"HS256","alg":"none"}"#,
        r#"{"alg":"none","alg":"HS256"}"#,
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","\u0061lg":"HS512"}"#,
        r#"{"alg":"HS256","kid":"a","kid":"b"}"#,
        r#"{"alg":"HS256","typ":"JWT","typ":"at+jwt"}"#,
        r#"{"alg":"HS256","crit":["x"],"crit":["y"]}"#,
    ] {
        let token = compact(header, CLAIMS, &[0; 32]);
        assert!(
            matches!(
                parse_err(&token),
                ParseError::Header | ParseError::UnknownCritical
            ),
            "{header}"
        );
    }
    // A duplicated claim is refused when the claims are read.
    let (signer, key) = key_pair(Algorithm::HS256);
    let token = sign_raw(
        &signer,
        r#"{"alg":"HS256"}"#,
        r#"{"iss":"c1","iss":"attacker","exp":1700000060}"#,
    );
    let verified = Token::parse(&token).unwrap().verify(&key).unwrap();
    let policy = ClaimPolicy::new(Issuer::Exactly("c1"), Audience::Unchecked, 1_700_000_000);
    assert_eq!(policy.check(&verified).err(), Some(ClaimError::Malformed));
}

#[test]
fn header_or_claims_as_json_arrays_are_rejected() {
    for header in [
        r#"["HS256"]"#,
        r#" ["HS256"]"#,
        r#"[{"alg":"HS256"}]"#,
        r#""HS256""#,
        "null",
        "1",
    ] {
        let token = compact(header, CLAIMS, &[0; 32]);
        assert_eq!(parse_err(&token), ParseError::Header, "{header}");
    }
    let (signer, key) = key_pair(Algorithm::HS256);
    let policy = ClaimPolicy::new(Issuer::Unchecked, Audience::Unchecked, 1_700_000_000);
    for payload in [
        r#"["c1","c1","https://as.example",1700000060]"#,
        "\n [\"c1\"]",
        r#""c1""#,
        "1700000060",
        "null",
        "",
    ] {
        let token = sign_raw(&signer, r#"{"alg":"HS256"}"#, payload);
        let verified = Token::parse(&token).unwrap().verify(&key).unwrap();
        assert_eq!(
            policy.check(&verified).err(),
            Some(ClaimError::Malformed),
            "{payload}"
        );
        assert!(
            verified.claims::<jwt_verify::Claims<'_>>().is_err(),
            "{payload}"
        );
        assert!(verified.claims::<serde_json::Value>().is_err(), "{payload}");
    }
}

// ---------------------------------------------------------------------------------------
// Unverified access
// ---------------------------------------------------------------------------------------

/// The payload of an unverified token is reachable through `danger::unverified_payload`
/// only: `Token` has no other accessor, and nothing re-exports it at the crate root.
#[test]
fn unverified_payload_exists_only_in_danger() {
    let (signer, _) = key_pair(Algorithm::HS256);
    let token = sign_raw(&signer, r#"{"alg":"HS256"}"#, CLAIMS);
    let parsed = Token::parse(&token).unwrap();
    assert_eq!(
        jwt_verify::danger::unverified_payload(&parsed).unwrap(),
        CLAIMS.as_bytes()
    );

    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut defined_in = Vec::new();
    let mut payload_fns = Vec::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if text.contains("fn unverified_payload") {
            defined_in.push(file.clone());
        }
        for line in text.lines().map(str::trim_start) {
            if let Some(rest) = line.strip_prefix("pub fn ")
                && rest.contains("payload")
            {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                payload_fns.push(format!("{file}: {name}"));
            }
            if line.starts_with("pub use") {
                assert!(
                    !line.contains("danger") && !line.contains("unverified"),
                    "{file}: {line}"
                );
            }
        }
    }
    assert_eq!(defined_in, ["danger.rs"]);
    // The only public payload accessors: the danger function and `Verified::payload`.
    payload_fns.sort();
    assert_eq!(
        payload_fns,
        ["danger.rs: unverified_payload", "token.rs: payload"]
    );
    let token_rs = std::fs::read_to_string(format!("{src}/token.rs")).unwrap();
    let verified_at = token_rs.find("impl Verified").unwrap();
    let payload_at = token_rs.find("pub fn payload(").unwrap();
    assert!(
        payload_at > verified_at,
        "`payload` must belong to `Verified`, not `Token`"
    );
}

// ---------------------------------------------------------------------------------------
// Odds and ends
// ---------------------------------------------------------------------------------------

#[test]
fn signature_stripping_and_noncanonical_base64_are_rejected() {
    let (signer, key) = key_pair(Algorithm::HS256);
    let token = sign_raw(&signer, r#"{"alg":"HS256"}"#, CLAIMS);
    let (input, sig) = token.rsplit_once('.').unwrap();
    assert_eq!(parse_err(&format!("{input}.")), ParseError::Malformed);
    assert_eq!(parse_err(input), ParseError::Malformed);
    // 32 bytes encode to 43 characters whose last carries 2 unused bits: setting them gives
    // another string for the same bytes, which is refused.
    let last = sig.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let v = alphabet.find(last).unwrap();
    for bits in 1..4 {
        let c = alphabet.as_bytes()[(v & !3) | bits] as char;
        let forged = format!("{input}.{}{c}", &sig[..sig.len() - 1]);
        assert_eq!(parse_err(&forged), ParseError::Base64, "{forged}");
    }
    assert!(Token::parse(&token).unwrap().verify(&key).is_ok());
    // Standard base64 characters and padding are not base64url.
    for bad in [
        format!("{token}="),
        token.replace('-', "+"),
        token.replace('_', "/"),
    ] {
        if bad != token {
            assert!(Token::parse(&bad).is_err(), "{bad}");
        }
    }
}

#[test]
fn short_hmac_keys_are_refused() {
    for alg in common::HMAC_ALGS {
        let len = alg.hash().output_len();
        assert_eq!(
            VerifyingKey::hmac(alg, &vec![1; len - 1]).err(),
            Some(KeyError::HmacKeyTooShort)
        );
        assert_eq!(
            SigningKey::hmac(alg, &vec![1; len - 1]).err(),
            Some(KeyError::HmacKeyTooShort)
        );
        assert!(VerifyingKey::hmac(alg, &vec![1; len]).is_ok());
        assert_eq!(
            VerifyingKey::hmac(alg, &[]).err(),
            Some(KeyError::HmacKeyTooShort)
        );
    }
    assert_eq!(
        VerifyingKey::hmac(Algorithm::RS256, &[1; 64]).err(),
        Some(KeyError::AlgorithmKeyMismatch)
    );
}

/// An invalid P-256 public key is refused when it is loaded, not when a token arrives.
#[test]
fn invalid_curve_points_are_refused() {
    let key = common::ec_verifying_key();
    let jwk = key.public_jwk().unwrap();
    let x: [u8; 32] = unb64(jwk.x.as_deref().unwrap()).try_into().unwrap();
    let y: [u8; 32] = unb64(jwk.y.as_deref().unwrap()).try_into().unwrap();
    assert!(VerifyingKey::p256(&x, &y).is_ok());
    let mut y1 = y;
    y1[31] ^= 1;
    let p: [u8; 32] = unb64("_____wAAAAEAAAAAAAAAAAAAAAD_______________8")
        .try_into()
        .unwrap();
    for (x, y) in [(x, y1), ([0; 32], [0; 32]), (p, y), (x, p), ([0xff; 32], y)] {
        assert_eq!(
            VerifyingKey::p256(&x, &y).err(),
            Some(KeyError::EcInvalidPoint)
        );
    }
    // A coordinate given as p + x for a small x on the curve is not reduced: refused.
    let small = (0u8..=255).find_map(|i| {
        let mut xb = [0u8; 32];
        xb[31] = i;
        use p256::elliptic_curve::point::DecompressPoint;
        use p256::elliptic_curve::sec1::ToSec1Point;
        let pt: Option<p256::AffinePoint> =
            p256::AffinePoint::decompress(&xb.into(), 0.into()).into();
        pt.map(|pt| {
            let enc = pt.to_sec1_point(false);
            let y: [u8; 32] = enc.as_bytes()[33..65].try_into().unwrap();
            (i, y)
        })
    });
    let (i, y_small) = small.unwrap();
    let mut x_small = [0u8; 32];
    x_small[31] = i;
    assert!(VerifyingKey::p256(&x_small, &y_small).is_ok());
    // p + i, computed on big-endian bytes.
    let mut x_big = p;
    let mut carry = u16::from(i);
    for b in x_big.iter_mut().rev() {
        let sum = u16::from(*b) + carry;
        *b = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert_eq!(
        VerifyingKey::p256(&x_big, &y_small).err(),
        Some(KeyError::EcInvalidPoint)
    );
    // The same through a JWK.
    let mut bad = jwk.clone();
    bad.x = Some(b64(&x_big));
    bad.y = Some(b64(&y_small));
    assert_eq!(
        VerifyingKey::from_jwk(&bad, None).err(),
        Some(KeyError::EcInvalidPoint)
    );
    // Coordinates of the wrong length.
    let mut short = jwk.clone();
    short.x = Some(b64(&x[1..]));
    assert_eq!(
        VerifyingKey::from_jwk(&short, None).err(),
        Some(KeyError::EcInvalidPoint)
    );
}

/// The library's one-call path runs all three steps.
#[test]
fn one_call_verify_checks_everything() {
    let (signer, key) = key_pair(Algorithm::ES256);
    let (set, _) = KeySet::from_keys(vec![key.with_kid("k")]);
    let signer = signer.with_kid("k");
    let audiences = ["https://as.example"];
    let now = 1_700_000_000;
    let policy = ClaimPolicy::client_assertion("c1", &audiences, now);
    let good = json!({
        "iss": "c1", "sub": "c1", "aud": "https://as.example", "exp": now + 60, "jti": "j",
    });
    let token = signer.sign_jwt(None, &good, &[0; 32]).unwrap();
    assert!(jwt_verify::verify(&token, &set, &policy).is_ok());
    let mut no_jti = good.clone();
    no_jti.as_object_mut().unwrap().remove("jti");
    let token = signer.sign_jwt(None, &no_jti, &[0; 32]).unwrap();
    assert_eq!(
        jwt_verify::verify(&token, &set, &policy).err(),
        Some(Error::Claims(ClaimError::Missing("jti")))
    );
    let mut forged = token.into_bytes();
    let at = forged.len() - 10;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert!(matches!(
        jwt_verify::verify(&forged, &set, &policy).err(),
        Some(Error::Verify(_) | Error::Parse(_))
    ));
}

/// A PEM of one key type is not read as another.
#[test]
fn spki_and_pkcs8_of_the_wrong_key_type_are_refused() {
    assert_eq!(
        VerifyingKey::from_spki_pem(Algorithm::RS256, common::EC_SPKI_PEM).err(),
        Some(KeyError::Encoding)
    );
    assert_eq!(
        VerifyingKey::from_spki_pem(Algorithm::ES256, common::RSA_SPKI_PEM).err(),
        Some(KeyError::Encoding)
    );
    assert_eq!(
        SigningKey::from_pkcs8_pem(Algorithm::ES256, common::RSA_PKCS8_PEM).err(),
        Some(KeyError::Encoding)
    );
    assert_eq!(
        SigningKey::from_pkcs8_pem(Algorithm::PS256, common::EC_PKCS8_PEM).err(),
        Some(KeyError::Encoding)
    );
    // A private key is not a public key.
    assert_eq!(
        VerifyingKey::from_spki_pem(Algorithm::RS256, common::RSA_PKCS8_PEM).err(),
        Some(KeyError::Encoding)
    );
    assert_eq!(
        SigningKey::from_pkcs8_pem(Algorithm::HS256, common::RSA_PKCS8_PEM).err(),
        Some(KeyError::AlgorithmKeyMismatch)
    );
}

/// Deeply nested JSON in a header or payload is refused or skipped, without exhausting the
/// stack.
#[test]
fn deeply_nested_json_does_not_overflow() {
    let (signer, key) = key_pair(Algorithm::HS256);
    for depth in [200, 1000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let header = format!(r#"{{"alg":"HS256","x":{nested}}}"#);
        let payload = format!(r#"{{"exp":1700000060,"x":{nested}}}"#);
        let _ = Token::parse(&compact(&header, "{}", &[0; 32]));
        let token = sign_raw(&signer, r#"{"alg":"HS256"}"#, &payload);
        let verified = Token::parse(&token).unwrap().verify(&key).unwrap();
        let _ = verified.claims::<serde_json::Value>();
        let policy = ClaimPolicy::new(Issuer::Unchecked, Audience::Unchecked, 1_700_000_000);
        let _ = policy.check(&verified);
        // As the whole header or payload.
        let _ = Token::parse(&compact(&nested, "{}", &[0; 32]));
        let token = sign_raw(&signer, r#"{"alg":"HS256"}"#, &nested);
        let verified = Token::parse(&token).unwrap().verify(&key).unwrap();
        assert_eq!(policy.check(&verified).err(), Some(ClaimError::Malformed));
    }
}
