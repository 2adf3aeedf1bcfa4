//! The `jws_verify` bench against aws-lc: the same client assertion (parse + signature +
//! claim policy), with aws-lc-rs alone as the floor, jwt-verify again (so the ratio is taken
//! within one process), and jsonwebtoken with its `aws_lc_rs` backend.
//!
//! jsonwebtoken is configured exactly as in `benches/benches/jws_verify.rs` (see the table
//! there for how its checks differ from jwt-verify's): same leeway, issuer, subject,
//! audiences, required claims; it reads the wall clock, and the assertion is minted at the
//! instant handed to jwt-verify as `now`.
#![allow(missing_docs)]
// Set-up code fails loudly: a fixture that does not verify must stop the run.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::hint::black_box;

use aws_lc_rs::signature::{self as sig, ParsedPublicKey};
use base64ct::Encoding as _;
use benches::{AUDIENCES, Assertion, CLIENT_ID, HS256_SECRET, LEEWAY_SECS};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_verify::Algorithm;

type Check = Box<dyn Fn(&str) -> bool>;

/// The DER inside a one-block PEM.
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64ct::Base64::decode_vec(&body).expect("pem base64")
}

/// aws-lc-rs over the same signing input and the already-decoded signature, key parsed once.
fn raw(a: &Assertion) -> Check {
    let input = a.signing_input.clone();
    let signature = a.signature.clone();
    if a.alg == Algorithm::HS256 {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, HS256_SECRET);
        return Box::new(move |_| {
            aws_lc_rs::hmac::verify(&key, input.as_bytes(), &signature).is_ok()
        });
    }
    let (alg, pem): (&'static dyn sig::VerificationAlgorithm, &str) = match a.alg {
        Algorithm::RS256 => (&sig::RSA_PKCS1_2048_8192_SHA256, benches::RSA_PUBLIC_PEM),
        Algorithm::PS256 => (&sig::RSA_PSS_2048_8192_SHA256, benches::RSA_PUBLIC_PEM),
        Algorithm::ES256 => (&sig::ECDSA_P256_SHA256_FIXED, benches::P256_PUBLIC_PEM),
        other => panic!("no aws-lc-rs primitive for {other:?}"),
    };
    let key = ParsedPublicKey::new(alg, pem_der(pem)).expect("aws-lc-rs key");
    Box::new(move |_| key.verify_sig(input.as_bytes(), &signature).is_ok())
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
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    let rsa = || DecodingKey::from_rsa_pem(benches::RSA_PUBLIC_PEM.as_bytes()).expect("rsa");
    let (a, key) = match alg {
        Algorithm::HS256 => (A::HS256, DecodingKey::from_secret(HS256_SECRET)),
        Algorithm::RS256 => (A::RS256, rsa()),
        Algorithm::PS256 => (A::PS256, rsa()),
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

fn verify(c: &mut Criterion) {
    let now = benches::wall_clock_now();
    for alg in benches::ALGORITHMS {
        let a = Assertion::new(alg, now).expect("fixture");
        let key = benches::verifying_key(alg).expect("jwt-verify key");
        let entries: [(&str, Check); 3] = [
            ("raw aws-lc-rs", raw(&a)),
            (
                "jwt-verify",
                Box::new(move |t| benches::verify_assertion(t, &key, now)),
            ),
            ("jsonwebtoken 11 (aws_lc_rs)", jsonwebtoken(alg)),
        ];
        let tampered = benches::tampered(&a.token);
        for (name, check) in &entries {
            assert!(check(&a.token), "{name} rejects the {alg:?} fixture");
            if !name.starts_with("raw") {
                assert!(!check(&tampered), "{name} accepts a tampered {alg:?} token");
            }
        }
        let mut group = c.benchmark_group(format!("{}-aws-lc", alg.as_str()));
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
