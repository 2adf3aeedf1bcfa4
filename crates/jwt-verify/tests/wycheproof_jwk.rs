//! All 26 cases of Wycheproof's `json_web_key_test.json`: each group's key set loaded with
//! `KeySet::from_jwks_json` (no default algorithms), each JWS verified with the set, and the
//! load report checked to name every key that was left out and why.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::collections::BTreeMap;

use jwt_verify::{Algorithm, Jwk, KeyError, KeySet, RejectedKey, Rejection, Token, VerifyError};
use serde_json::{Value, json};

const FILE: &str = "json_web_key_test.json";

/// The group's key set as a JWKS: `public`, or `private` with every private member removed
/// (`oct` keys keep `k`, their secret being the key).
fn group_jwks(group: &Value) -> String {
    if let Some(public) = group.get("public") {
        return public.to_string();
    }
    let keys: Vec<Value> = group["private"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let jwk: Jwk = serde_json::from_value(k.clone()).unwrap();
            let jwk = if jwk.kty == "oct" {
                jwk
            } else {
                jwk.to_public()
            };
            serde_json::to_value(jwk).unwrap()
        })
        .collect();
    json!({ "keys": keys }).to_string()
}

/// The load report a group must produce, by the group's first tcId: `(index, kid, reason)`.
fn expected_report(first_tc_id: u64) -> Vec<(usize, &'static str, Rejection)> {
    use Rejection::{DuplicateKid, Key, MixedSymmetry};
    match first_tc_id {
        // An HMAC secret next to an EC public key: the secret is left out, the EC key stays.
        1 => vec![(0, "kid-aes-sign", MixedSymmetry)],
        // Two keys with one kid: both left out.
        4 => vec![
            (0, "kid-aes-sign", DuplicateKid),
            (1, "kid-aes-sign", DuplicateKid),
        ],
        // An RSA1_5 key with `use: enc`.
        6 => vec![(0, "kid-rsa-sign", Key(KeyError::NotForSignature))],
        // A modulus with the ROCA fingerprint.
        7 => vec![(0, "kid-rsa-roca-sign", Key(KeyError::RsaInvalid))],
        // A 1024-bit modulus.
        8 => vec![(0, "RS256_1024", Key(KeyError::RsaKeyTooSmall))],
        // Public exponent 1.
        9 => vec![(0, "RS256_2048", Key(KeyError::RsaInvalid))],
        // HMAC keys shorter than the hash output, and empty ones.
        10 => vec![(0, "short_hs256_key", Key(KeyError::HmacKeyTooShort))],
        11 => vec![(0, "short_hs384_key", Key(KeyError::HmacKeyTooShort))],
        12 => vec![(0, "short_hs512_key", Key(KeyError::HmacKeyTooShort))],
        16 => vec![(0, "hs256_key", Key(KeyError::HmacKeyTooShort))],
        17 => vec![(0, "hs384_key", Key(KeyError::HmacKeyTooShort))],
        18 => vec![(0, "hs512_key", Key(KeyError::HmacKeyTooShort))],
        // `ES521` and `ES224` are not algorithms this crate knows.
        19 | 20 => vec![(0, "kid-ec-sign", Key(KeyError::UnsupportedAlgorithm))],
        // `use: enc` on an ES256 key.
        21 => vec![(0, "kid-ec-sign", Key(KeyError::NotForSignature))],
        // A point not on the curve.
        22 => vec![(0, "kid-ec-sign", Key(KeyError::EcInvalidPoint))],
        // `crv: P-384` with `alg: ES256`.
        23 => vec![(0, "kid-ec-sign", Key(KeyError::UnsupportedCurve))],
        // `kty: RSA` with `alg: ES256`.
        24 => vec![(0, "kid-ec-sign", Key(KeyError::AlgorithmKeyMismatch))],
        // AES-GCM and AES key-wrap keys.
        25 | 26 => vec![(0, "kid-aes-sign", Key(KeyError::UnsupportedAlgorithm))],
        // Groups whose keys all load: 2-3 (two HMAC keys), 5 (RS256), 13-15 (long HMAC keys).
        _ => vec![],
    }
}

fn summarize(report: &[RejectedKey]) -> Vec<(usize, String, Rejection)> {
    report
        .iter()
        .map(|r| (r.index, r.kid.clone().unwrap_or_default(), r.reason.clone()))
        .collect()
}

#[test]
fn json_web_key_cases() {
    let data = common::wycheproof_json(FILE);
    let mut total = 0usize;
    let mut accepted = 0usize;
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut reported: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();

    for group in data["testGroups"].as_array().unwrap() {
        let jwks = group_jwks(group);
        let (set, report) = KeySet::from_jwks_json(&jwks, &[]).unwrap();
        let tests = group["tests"].as_array().unwrap();
        let first = tests[0]["tcId"].as_u64().unwrap();

        let want: Vec<(usize, String, Rejection)> = expected_report(first)
            .into_iter()
            .map(|(i, kid, r)| (i, kid.to_owned(), r))
            .collect();
        if summarize(&report) != want {
            failures.push(format!(
                "group of tcId {first} ({}): report {:?}, expected {want:?}",
                group["comment"],
                summarize(&report)
            ));
        }
        for r in &report {
            *reported.entry(format!("{:?}", r.reason)).or_default() += 1;
        }

        for t in tests {
            total += 1;
            let tc_id = t["tcId"].as_u64().unwrap();
            let jws = t["jws"].as_str().unwrap();
            let outcome = Token::parse(jws)
                .map_err(|e| format!("parse:{e:?}"))
                .and_then(|tok| {
                    tok.verify_with_set(&set)
                        .map(|_| ())
                        .map_err(|e| format!("verify:{e:?}"))
                });
            let want_accept = t["result"] == "valid";
            if outcome.is_ok() != want_accept {
                failures.push(format!(
                    "tcId {tc_id} ({}, {}): got {outcome:?}",
                    t["result"], t["comment"]
                ));
            }
            match &outcome {
                Ok(()) => accepted += 1,
                Err(reason) => *by_reason.entry(reason.clone()).or_default() += 1,
            }
        }
    }

    eprintln!(
        "wycheproof {FILE}: {total} cases, {accepted} accepted, {} rejected",
        total - accepted
    );
    for (reason, n) in &by_reason {
        eprintln!("  {reason}: {n}");
    }
    for (reason, n) in &reported {
        eprintln!("  keys reported at load ({reason}): {n}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(total, 26);
    assert_eq!(total, data["numberOfTests"].as_u64().unwrap() as usize);
}

/// A JWK without `alg` is bound only through the caller's default algorithms, except an EC
/// P-256 key, which can only mean ES256. With no defaults, the others are reported.
#[test]
fn keys_without_alg_are_reported_not_silently_bound() {
    let data = common::wycheproof_json(FILE);
    let groups = data["testGroups"].as_array().unwrap();
    // The RS256 key (group of tcId 5), the long HS256 key (tcId 13), and the P-256 key of
    // tcId 21 with `use: sig`, each without `alg`.
    let find = |tc_id: u64| {
        groups
            .iter()
            .find(|g| g["tests"][0]["tcId"] == tc_id)
            .unwrap()
    };
    let rsa = find(5);
    let mut rsa_key = rsa["public"]["keys"][0].clone();
    rsa_key.as_object_mut().unwrap().remove("alg");
    let mut oct_key = find(13)["private"]["keys"][0].clone();
    oct_key.as_object_mut().unwrap().remove("alg");
    let mut ec_key = find(21)["public"]["keys"][0].clone();
    ec_key.as_object_mut().unwrap().remove("alg");
    ec_key["use"] = json!("sig");

    // With no defaults, the RSA key is reported and the P-256 key is bound to ES256.
    let jwks = json!({ "keys": [rsa_key.clone(), ec_key.clone()] }).to_string();
    let (set, report) = KeySet::from_jwks_json(&jwks, &[]).unwrap();
    assert_eq!(
        summarize(&report),
        vec![(
            0,
            "kid-rsa-sign".to_owned(),
            Rejection::Key(KeyError::AlgorithmMissing)
        )]
    );
    assert_eq!(set.keys().len(), 1);
    assert_eq!(set.keys()[0].alg(), Algorithm::ES256);

    let jwks = json!({ "keys": [oct_key.clone()] }).to_string();
    let (set, report) = KeySet::from_jwks_json(&jwks, &[]).unwrap();
    assert!(set.is_empty());
    assert_eq!(
        summarize(&report),
        vec![(
            0,
            "long_hs256_key".to_owned(),
            Rejection::Key(KeyError::AlgorithmMissing)
        )]
    );

    // With defaults, each key is bound to the default algorithms that fit its type, and only
    // to those: the RSA key never to HS256 or ES256.
    let defaults = [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
    ];
    let jwks = json!({ "keys": [rsa_key, ec_key] }).to_string();
    let (set, report) = KeySet::from_jwks_json(&jwks, &defaults).unwrap();
    assert!(report.is_empty(), "{report:?}");
    let mut algs: Vec<Algorithm> = set
        .keys()
        .iter()
        .map(jwt_verify::VerifyingKey::alg)
        .collect();
    algs.sort_by_key(|a| a.as_str());
    assert_eq!(algs, [Algorithm::ES256, Algorithm::PS256, Algorithm::RS256]);

    // The RS256 JWS of tcId 5 verifies with the RS256 binding of the alg-less key.
    let jws = rsa["tests"][0]["jws"].as_str().unwrap();
    assert!(Token::parse(jws).unwrap().verify_with_set(&set).is_ok());

    let jwks = json!({ "keys": [oct_key] }).to_string();
    let (set, report) = KeySet::from_jwks_json(&jwks, &defaults).unwrap();
    assert!(report.is_empty(), "{report:?}");
    assert_eq!(set.keys().len(), 1);
    assert_eq!(set.keys()[0].alg(), Algorithm::HS256);
    let jws = find(13)["tests"][0]["jws"].as_str().unwrap();
    assert!(Token::parse(jws).unwrap().verify_with_set(&set).is_ok());
}

/// A token whose `kid` names a key that was left out finds no key at all.
#[test]
fn tokens_for_refused_keys_find_no_key() {
    let data = common::wycheproof_json(FILE);
    for group in data["testGroups"].as_array().unwrap() {
        let (set, report) = KeySet::from_jwks_json(&group_jwks(group), &[]).unwrap();
        if report.is_empty() || !set.is_empty() {
            continue;
        }
        for t in group["tests"].as_array().unwrap() {
            let Ok(token) = Token::parse(t["jws"].as_str().unwrap()) else {
                continue;
            };
            assert_eq!(
                token.verify_with_set(&set).err(),
                Some(VerifyError::NoMatchingKey),
                "tcId {}",
                t["tcId"]
            );
        }
    }
}

/// The document must be a JSON object with a `keys` array (RFC 7517 section 5).
#[test]
fn jwks_document_must_be_a_json_object() {
    let oct = json!({ "kty": "oct", "alg": "HS256", "kid": "k", "k": common::b64(&[7; 32]) });
    for bad in [
        String::new(),
        "null".to_owned(),
        "{}".to_owned(),
        r#"{"keys":{}}"#.to_owned(),
        r#"{"keys":null}"#.to_owned(),
        json!([]).to_string(),
        format!("{{\"keys\":[{oct}]}} trailing"),
        // An array in place of the object: `{"keys": [...]}` read by position.
        json!([[oct]]).to_string(),
        json!([[]]).to_string(),
    ] {
        assert_eq!(
            KeySet::from_jwks_json(&bad, &[]).err(),
            Some(KeyError::Json),
            "{bad}"
        );
    }
}

/// Each key must be a JSON object (RFC 7517 section 4): not an array read by position.
#[test]
fn jwk_must_be_a_json_object() {
    let secret = common::b64(&[7; 32]);
    // The members of `Jwk` in declaration order: kty, use, key_ops, alg, kid, crv, x, y, n,
    // e, d, p, q, dp, dq, qi, k.
    let as_array = json!([
        "oct", null, null, "HS256", "k", null, null, null, null, null, null, null, null, null,
        null, null, secret
    ]);
    assert!(
        Jwk::from_json(&as_array.to_string()).is_err(),
        "a JWK array was read"
    );
    let (set, report) =
        KeySet::from_jwks_json(&json!({ "keys": [as_array, 5, "x"] }).to_string(), &[]).unwrap();
    assert!(
        set.is_empty(),
        "a JWK given as a JSON array was loaded: {:?}",
        set.keys()
    );
    assert_eq!(report.len(), 3, "{report:?}");
    assert!(
        report
            .iter()
            .all(|r| r.reason == Rejection::Key(KeyError::Json))
    );
}
