//! Every case of Wycheproof's `json_web_signature_test.json` (401 compact JWS) through
//! `Token::parse` and `Token::verify` with the group's key, and again through a one-key
//! `KeySet`.
//!
//! The verifier supports HS*, RS*, PS* and ES256 only; the ES512 / P-521 cases must be
//! rejected as unsupported. Six upstream ratings cannot be met by a strict verifier and are
//! replaced here by the safe answer, each with its reason (see [`upstream_defect`]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::collections::BTreeMap;

use jwt_verify::{Jwk, KeyError, KeySet, Token, VerifyingKey};
use serde_json::Value;

const FILE: &str = "json_web_signature_test.json";

/// What happened to one case.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Accepted,
    /// Rejected, with the stage and reason, e.g. `parse:Base64` or `verify:InvalidSignature`.
    Rejected(String),
}

impl Outcome {
    fn accepted(&self) -> bool {
        *self == Outcome::Accepted
    }

    fn reason(&self) -> &str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Rejected(r) => r,
        }
    }
}

/// The group's verification key as a JWK: `public`, or `private` without its private
/// members, except for `oct` keys whose secret is the key.
fn group_jwk(group: &Value) -> Jwk {
    if let Some(public) = group.get("public") {
        return serde_json::from_value(public.clone()).unwrap();
    }
    let private: Jwk = serde_json::from_value(group["private"].clone()).unwrap();
    if private.kty == "oct" {
        private
    } else {
        private.to_public()
    }
}

fn run_with_key(key: &Result<VerifyingKey, KeyError>, jws: &str) -> Outcome {
    let key = match key {
        Ok(k) => k,
        Err(e) => return Outcome::Rejected(format!("key:{e:?}")),
    };
    let token = match Token::parse(jws) {
        Ok(t) => t,
        Err(e) => return Outcome::Rejected(format!("parse:{e:?}")),
    };
    match token.verify(key) {
        Ok(_) => Outcome::Accepted,
        Err(e) => Outcome::Rejected(format!("verify:{}", variant(&format!("{e:?}")))),
    }
}

fn run_with_set(set: &KeySet, jws: &str) -> Outcome {
    let token = match Token::parse(jws) {
        Ok(t) => t,
        Err(e) => return Outcome::Rejected(format!("parse:{e:?}")),
    };
    match token.verify_with_set(set) {
        Ok(_) => Outcome::Accepted,
        Err(e) => Outcome::Rejected(format!("verify:{}", variant(&format!("{e:?}")))),
    }
}

/// `AlgorithmMismatch { key: .., token: .. }` -> `AlgorithmMismatch`.
fn variant(debug: &str) -> String {
    debug
        .split([' ', '(', '{'])
        .next()
        .unwrap_or(debug)
        .to_owned()
}

/// Cases whose upstream rating a strict verifier cannot meet, with the outcome asserted
/// instead. `None` for every other case, which must get its upstream rating.
fn upstream_defect(tc_id: u64) -> Option<(bool, &'static str)> {
    match tc_id {
        // Rated valid upstream, but a `?` was inserted into the header (372) or payload (373)
        // segment. A verifier that authenticates the bytes it received cannot accept a
        // segment that is not base64url; rejecting is the safe answer.
        372 | 373 => Some((false, "parse:Base64")),
        // Rated invalid upstream ("invalidBase64Padding*"), but the padding they were meant to
        // carry was lost: the JWS is byte-identical to the valid tcId 357 (asserted below), so
        // it verifies. `padded_segments_are_rejected` checks the intended cases.
        367 | 370 => Some((true, "accepted")),
        // RFC 7520 figure 20 is a PS384 JWS; Wycheproof gave the key `"alg":"PS256"`. A key
        // is bound to its one algorithm (as the WrongPrimitive cases 331-340 require), so the
        // token is refused before any cryptography.
        346 | 350 => Some((false, "verify:AlgorithmMismatch")),
        // RFC 7520 figure 27 is ES512 with a P-521 key (`"alg":"ES521"`): unsupported, and
        // must be rejected, not crash.
        347 | 351 => Some((false, "key:UnsupportedAlgorithm")),
        _ => None,
    }
}

/// Reasons asserted for notable cases (beyond accept / reject).
fn expected_reason(tc_id: u64) -> Option<&'static str> {
    Some(match tc_id {
        // The JSON serialization is not a compact JWS.
        17 => "parse:Malformed",
        // Missing signature (and separators) and extra components.
        3 | 4 | 7 | 9..=15 | 20 | 21 | 24 | 26..=30 | 35 | 36 | 39 | 41..=45 => "parse:Malformed",
        // alg none with an empty signature: no signature segment at all.
        16 => "parse:Malformed",
        // An HS256 token against the EC key: refused before any HMAC is computed.
        31 => "verify:AlgorithmMismatch",
        // A token signed by the key embedded in its own `jwk` header: the header is ignored.
        32 => "verify:InvalidSignature",
        // A valid RS* / PS* signature, but the key is bound to PS512.
        332 | 334 | 336 | 338 | 340 => "verify:AlgorithmMismatch",
        // A key whose `use` is `enc`, or whose `key_ops` lack `verify`.
        353 | 354 => "key:NotForSignature",
        355 | 356 => "key:OperationNotAllowed",
        // Spaces, `?`, `#` or non-canonical trailing bits in a segment.
        360..=366 | 368 | 369 | 371 | 374 | 375 => "parse:Base64",
        // ES256 signatures of the wrong length or with r, s out of range.
        379..=401 => "verify:InvalidSignature",
        _ => return None,
    })
}

#[test]
fn json_web_signature_cases() {
    let data = common::wycheproof_json(FILE);
    let groups = data["testGroups"].as_array().unwrap();

    let mut total = 0usize;
    let mut accepted = 0usize;
    let mut rejected = 0usize;
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_rating: BTreeMap<(String, bool), usize> = BTreeMap::new();
    let mut key_failures: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut jws_357 = None;

    for group in groups {
        let jwk = group_jwk(group);
        let key = VerifyingKey::from_jwk(&jwk, None);
        let jwks = serde_json::json!({ "keys": [jwk] }).to_string();
        let (set, report) = KeySet::from_jwks_json(&jwks, &[]).unwrap();

        let tests = group["tests"].as_array().unwrap();
        if let Err(e) = &key {
            *key_failures.entry(format!("{e:?}")).or_default() += tests.len();
            // A key that cannot be built is acceptable only when every case of its group is
            // invalid, or when the key is legitimately unsupported (ES512 / P-521).
            let unsupported = jwk.crv.as_deref() == Some("P-521");
            for t in tests {
                if t["result"] != "invalid" && !unsupported {
                    failures.push(format!(
                        "tcId {}: key refused ({e:?}) but the case is {}",
                        t["tcId"], t["result"]
                    ));
                }
            }
            assert_eq!(report.len(), 1, "the key set must report the refused key");
        } else {
            assert!(report.is_empty(), "{report:?}");
        }

        for t in tests {
            total += 1;
            let tc_id = t["tcId"].as_u64().unwrap();
            let rating = t["result"].as_str().unwrap();
            let jws = t["jws"].as_str().unwrap();
            if tc_id == 357 {
                jws_357 = Some(jws.to_owned());
            }
            let outcome = run_with_key(&key, jws);

            let (want_accept, why) = match upstream_defect(tc_id) {
                Some((accept, reason)) => {
                    if outcome.reason() != reason {
                        failures.push(format!(
                            "tcId {tc_id}: expected {reason}, got {}",
                            outcome.reason()
                        ));
                    }
                    (accept, "upstream defect")
                }
                None => (rating == "valid", rating),
            };
            if outcome.accepted() != want_accept {
                failures.push(format!(
                    "tcId {tc_id} ({why}, {}): got {}",
                    t["comment"].as_str().unwrap_or_default(),
                    outcome.reason()
                ));
            }
            if let Some(reason) = expected_reason(tc_id)
                && outcome.reason() != reason
            {
                failures.push(format!(
                    "tcId {tc_id}: expected {reason}, got {}",
                    outcome.reason()
                ));
            }

            // The same key through a key set must decide the same way.
            let via_set = run_with_set(&set, jws);
            if via_set.accepted() != outcome.accepted() {
                failures.push(format!(
                    "tcId {tc_id}: one key says {}, the key set says {}",
                    outcome.reason(),
                    via_set.reason()
                ));
            }

            if outcome.accepted() {
                accepted += 1;
            } else {
                rejected += 1;
            }
            *by_reason.entry(outcome.reason().to_owned()).or_default() += 1;
            *by_rating
                .entry((rating.to_owned(), outcome.accepted()))
                .or_default() += 1;
        }
    }

    // The "invalidBase64Padding" cases really are byte-identical to the valid tcId 357.
    let jws_357 = jws_357.unwrap();
    for group in groups {
        for t in group["tests"].as_array().unwrap() {
            if matches!(t["tcId"].as_u64(), Some(367 | 370)) {
                assert_eq!(
                    t["jws"].as_str(),
                    Some(jws_357.as_str()),
                    "tcId {}",
                    t["tcId"]
                );
            }
        }
    }

    eprintln!("wycheproof {FILE}: {total} cases, {accepted} accepted, {rejected} rejected");
    for ((rating, acc), n) in &by_rating {
        let verdict = if *acc { "accepted" } else { "rejected" };
        eprintln!("  {rating:>7} {verdict}: {n}");
    }
    for (reason, n) in &by_reason {
        eprintln!("  {reason}: {n}");
    }
    eprintln!(
        "  upstream ratings replaced by the safe answer: tcIds 346, 350, 372, 373 (valid, \
         rejected), 347, 351 (valid ES512, rejected as unsupported), 367, 370 (invalid, but \
         byte-identical to the valid tcId 357)"
    );
    for (reason, n) in &key_failures {
        eprintln!("  cases whose key was refused ({reason}): {n}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(total, 401);
    assert_eq!(total, data["numberOfTests"].as_u64().unwrap() as usize);
}

/// What the "invalidBase64Padding" cases were meant to test: `=` padding on any segment of
/// the valid tcId 357 is refused.
#[test]
fn padded_segments_are_rejected() {
    let jws = concat!(
        "eyJraWQiOiJoczI1Ni1rZXkiLCJhbGciOiJIUzI1NiJ9",
        ".VGVzdA",
        ".c1LROH7eNQwUT8KMVEO52VC3WZ9e_AnDWbZ7aMmowV8"
    );
    let key = VerifyingKey::hmac(jwt_verify::Algorithm::HS256, &[0; 32]).unwrap();
    assert!(Token::parse(jws).unwrap().verify(&key).is_ok());
    let parts: Vec<&str> = jws.split('.').collect();
    for (i, pad) in [(0, "="), (1, "=="), (2, "="), (0, "=="), (1, "=")] {
        let mut p: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
        p[i].push_str(pad);
        let padded = p.join(".");
        let outcome = Token::parse(&padded).map(|t| t.verify(&key).is_ok());
        assert!(!matches!(outcome, Ok(true)), "{padded}");
    }
}
