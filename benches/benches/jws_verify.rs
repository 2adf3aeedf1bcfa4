//! Full verification of one client assertion (parse + signature + claim policy), side by side
//! in one process: the raw primitive alone (the floor), jwt-verify, jsonwebtoken with its
//! `rust_crypto` backend, and jwt-simple with its `pure-rust` feature.
//!
//! One criterion group per algorithm (HS256, RS256 and PS256 with a 2048-bit key, ES256);
//! keys and validation settings are prepared once, outside the timed loop, and every library
//! is checked to accept the token before it is timed. Each iteration asserts success, so an
//! error path can never be timed by mistake.
//!
//! What each library checks (as close to jwt-verify's `ClaimPolicy::client_assertion` as each
//! allows; all with 60 s leeway and the same instant `now`):
//!
//! | check                         | jwt-verify | jsonwebtoken 11       | jwt-simple 0.15          |
//! |-------------------------------|------------|-----------------------|--------------------------|
//! | `alg` pinned to the key       | yes        | yes (`algorithms`)    | yes (key type)           |
//! | `iss` = client_id             | yes        | yes                   | yes (`allowed_issuers`)  |
//! | `sub` = client_id             | yes        | yes                   | yes (`required_subject`) |
//! | `aud` one of the accepted     | yes        | yes                   | yes                      |
//! | `exp` required, not expired   | yes        | yes                   | not required, checked    |
//! | `exp` at most 1 h ahead       | yes        | no                    | no                       |
//! | `nbf`, `iat` not in future    | yes        | `nbf` only            | yes                      |
//! | `jti` required                | yes        | yes (serde: `String`) | checked after the call   |
//! | `now`                         | argument   | wall clock, per call  | `artificial_time`        |
//!
//! jsonwebtoken reads the wall clock on every call; the assertion is minted at the wall-clock
//! time the process starts, and that same instant is handed to the others. jwt-simple takes
//! its options by value, so each call clones them (two small `HashSet`s): that is the cost of
//! its API as designed, and stays in. jsonwebtoken's claims type owns its strings
//! (`DeserializeOwned`); jwt-verify's borrows from the decoded payload.
#![allow(missing_docs)]
// Set-up code fails loudly: a fixture that does not verify must stop the run.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::hint::black_box;

use benches::{AUDIENCES, Assertion, CLIENT_ID, HS256_SECRET, LEEWAY_SECS};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_verify::Algorithm;

/// A verification of the fixture token, boxed so each library is one entry of a group.
type Check = Box<dyn Fn(&str) -> bool>;

fn jwt_verify(alg: Algorithm, now: u64) -> Check {
    let key = benches::verifying_key(alg).expect("jwt-verify key");
    Box::new(move |token| benches::verify_assertion(token, &key, now))
}

/// The raw primitive over the same signing input and the already-decoded signature: the
/// floor any JWS library sits on.
fn raw(a: &Assertion) -> (&'static str, Check) {
    use rsa::pkcs8::DecodePublicKey as _;
    use rsa::signature::Verifier as _;
    let input = a.signing_input.clone();
    let sig = a.signature.clone();
    match a.alg {
        Algorithm::HS256 => {
            use hmac::{Hmac, KeyInit as _, Mac as _};
            let mac = Hmac::<sha2::Sha256>::new_from_slice(HS256_SECRET).expect("hmac key");
            (
                "raw hmac 0.13 (pre-keyed clone)",
                Box::new(move |_| {
                    mac.clone()
                        .chain_update(input.as_bytes())
                        .verify_slice(&sig)
                        .is_ok()
                }),
            )
        }
        Algorithm::RS256 => {
            let pk = rsa::RsaPublicKey::from_public_key_pem(benches::RSA_PUBLIC_PEM).expect("rsa");
            let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk);
            let sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).expect("sig");
            (
                "raw rsa 0.10",
                Box::new(move |_| vk.verify(input.as_bytes(), &sig).is_ok()),
            )
        }
        Algorithm::PS256 => {
            let pk = rsa::RsaPublicKey::from_public_key_pem(benches::RSA_PUBLIC_PEM).expect("rsa");
            // Salt length = hash length, as RFC 7518 section 3.5 fixes for PS256.
            let vk = rsa::pss::VerifyingKey::<sha2::Sha256>::new(pk);
            let sig = rsa::pss::Signature::try_from(sig.as_slice()).expect("sig");
            (
                "raw rsa 0.10",
                Box::new(move |_| vk.verify(input.as_bytes(), &sig).is_ok()),
            )
        }
        Algorithm::ES256 => {
            use p256::ecdsa::signature::Verifier as _;
            use p256::pkcs8::DecodePublicKey as _;
            let vk = p256::ecdsa::VerifyingKey::from_public_key_pem(benches::P256_PUBLIC_PEM)
                .expect("p256");
            let sig = p256::ecdsa::Signature::from_slice(&sig).expect("sig");
            (
                "raw p256 0.14",
                Box::new(move |_| vk.verify(input.as_bytes(), &sig).is_ok()),
            )
        }
        other => panic!("no raw primitive for {other:?}"),
    }
}

/// The claims a jsonwebtoken caller deserializes; `jti: String` makes `jti` required.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct JwtClaims {
    iss: String,
    sub: String,
    aud: String,
    exp: u64,
    iat: u64,
    jti: String,
}

fn jsonwebtoken(alg: Algorithm) -> Check {
    use jsonwebtoken::{Algorithm as A, DecodingKey, Validation};
    // Both backends may be compiled in when the whole workspace is built (cargo unifies the
    // features of benches and benches-aws-lc), so the provider is chosen explicitly.
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    let (a, key) = match alg {
        Algorithm::HS256 => (A::HS256, DecodingKey::from_secret(HS256_SECRET)),
        Algorithm::RS256 => (
            A::RS256,
            DecodingKey::from_rsa_pem(benches::RSA_PUBLIC_PEM.as_bytes()).expect("rsa"),
        ),
        Algorithm::PS256 => (
            A::PS256,
            DecodingKey::from_rsa_pem(benches::RSA_PUBLIC_PEM.as_bytes()).expect("rsa"),
        ),
        Algorithm::ES256 => (
            A::ES256,
            DecodingKey::from_ec_pem(benches::P256_PUBLIC_PEM.as_bytes()).expect("ec"),
        ),
        other => panic!("no jsonwebtoken key for {other:?}"),
    };
    let mut v = Validation::new(a);
    v.leeway = LEEWAY_SECS;
    v.validate_nbf = true;
    v.set_issuer(&[CLIENT_ID]);
    v.set_audience(&AUDIENCES);
    v.sub = Some(CLIENT_ID.to_owned());
    v.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    Box::new(move |token| jsonwebtoken::decode::<JwtClaims>(token, &key, &v).is_ok())
}

fn jwt_simple(alg: Algorithm, now: u64) -> Check {
    use jwt_simple::prelude::*;
    let options = VerificationOptions {
        allowed_issuers: Some(HashSet::from([CLIENT_ID.to_owned()])),
        required_subject: Some(CLIENT_ID.to_owned()),
        allowed_audiences: Some(AUDIENCES.iter().map(|a| (*a).to_owned()).collect()),
        time_tolerance: Some(Duration::from_secs(LEEWAY_SECS)),
        artificial_time: Some(UnixTimeStamp::from_secs(now)),
        ..VerificationOptions::default()
    };
    let ok = |r: Result<JWTClaims<NoCustomClaims>, jwt_simple::Error>| {
        r.is_ok_and(|c| c.jwt_id.is_some())
    };
    match alg {
        Algorithm::HS256 => {
            let key = HS256Key::from_bytes(HS256_SECRET);
            Box::new(move |t| ok(key.verify_token(t, Some(options.clone()))))
        }
        Algorithm::RS256 => {
            let key = RS256PublicKey::from_pem(benches::RSA_PUBLIC_PEM).expect("rsa");
            Box::new(move |t| ok(key.verify_token(t, Some(options.clone()))))
        }
        Algorithm::PS256 => {
            let key = PS256PublicKey::from_pem(benches::RSA_PUBLIC_PEM).expect("rsa");
            Box::new(move |t| ok(key.verify_token(t, Some(options.clone()))))
        }
        Algorithm::ES256 => {
            let key = ES256PublicKey::from_pem(benches::P256_PUBLIC_PEM).expect("ec");
            Box::new(move |t| ok(key.verify_token(t, Some(options.clone()))))
        }
        other => panic!("no jwt-simple key for {other:?}"),
    }
}

fn verify(c: &mut Criterion) {
    let now = benches::wall_clock_now();
    for alg in benches::ALGORITHMS {
        let a = Assertion::new(alg, now).expect("fixture");
        let (raw_name, raw_check) = raw(&a);
        let entries: [(&str, Check); 4] = [
            (raw_name, raw_check),
            ("jwt-verify", jwt_verify(alg, now)),
            ("jsonwebtoken 11 (rust_crypto)", jsonwebtoken(alg)),
            ("jwt-simple 0.15 (pure-rust)", jwt_simple(alg, now)),
        ];
        // Every library must accept the token, and reject it once a bit of the signature flips.
        let tampered = benches::tampered(&a.token);
        for (name, check) in &entries {
            assert!(check(&a.token), "{name} rejects the {alg:?} fixture");
            if !name.starts_with("raw") {
                assert!(!check(&tampered), "{name} accepts a tampered {alg:?} token");
            }
        }
        let mut group = c.benchmark_group(alg.as_str());
        for (name, check) in &entries {
            group.bench_function(*name, |b| {
                b.iter(|| assert!(check(black_box(&a.token))));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, verify);
criterion_main!(benches);
