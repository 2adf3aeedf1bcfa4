//! The whole token request (form parse, client authentication, grant, token issuance, the
//! host's steps) through `oauth_core::drive::drive_token`, answered by the in-memory testkit
//! host, per client authentication method and grant:
//!
//! | group                                  | request                                              |
//! |----------------------------------------|------------------------------------------------------|
//! | `token client_secret_basic`            | `client_credentials`, Basic credentials              |
//! | `token client_secret_jwt HS256`        | `client_credentials`, HS256 client assertion         |
//! | `token private_key_jwt ES256`          | `client_credentials`, ES256 client assertion         |
//! | `token private_key_jwt RS256`          | `client_credentials`, RS256 (2048-bit) assertion     |
//! | `token authorization_code PKCE`        | code + S256 verifier, Basic; scope `read` (no ID token), and `openid` (an ES256 ID token the host signs) |
//!
//! Each assertion group also times jwt-verify alone on the same assertion: the signature
//! check by itself (`VerifyingKey::verify_signature` over the signing input: hash plus
//! public-key or HMAC arithmetic), and the full verification (parse, signature, RFC 7523
//! claims). The cost of a request outside the signature is the request's median minus the
//! signature's. The code group times the ES256 signature of the ID token the same way.
//!
//! What is inside the timing: building the `HttpRequest` from an encoded body, the engine, the
//! testkit host's answers (registry lookup, `HashMap` store inserts and takes, the replay
//! insert, the signer), and dropping the response. What is outside: encoding the form, minting
//! client assertions, storing the authorization codes, and resetting the store.
//!
//! Fresh `jti`s and codes: requests run in chunks of [`CHUNK`]. Before each chunk, untimed,
//! the store is emptied (so no replay key of an earlier chunk remains) and the chunk's
//! requests are prepared: assertions come from a pool of [`CHUNK`] pre-minted ones with
//! distinct `jti`s (minted once: RS256 signing is slow), codes are issued afresh. Within a
//! chunk every `jti` and every code is used once, as a client would, and every response is
//! checked to be a 200. The store's tables start empty in each chunk and grow inside the
//! timing, as a real store's would (amortized over the chunk).
#![allow(missing_docs)]
// Set-up code fails loudly: a fixture that does not verify must stop the run.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "common/token.rs"]
mod token;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use jwt_verify::{Algorithm, Token};
use token::{Fixture, Request};

/// Requests per chunk: the store is emptied between chunks, outside the timing.
const CHUNK: usize = 1024;

/// Times `prepare`d requests through `drive_token`, in chunks, each answered 200.
fn bench_requests(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    fx: &mut Fixture,
    mut prepare: impl FnMut(&mut Fixture, usize) -> Vec<Request>,
) {
    // One run outside the timing: the request must succeed.
    fx.reset();
    let first = prepare(fx, 1);
    for r in &first {
        let done = fx.run(r, 0);
        assert_eq!(done.response.status, 200, "{name}: {done:?}");
    }
    let mut n = 0u64;
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let size = usize::try_from(left).unwrap_or(CHUNK).min(CHUNK);
                fx.reset();
                let requests = prepare(fx, size);
                let start = Instant::now();
                for r in &requests {
                    n += 1;
                    let done = fx.run(black_box(r), n);
                    assert_eq!(done.response.status, 200);
                    let _ = black_box(done);
                }
                total += start.elapsed();
                left -= size as u64;
            }
            total
        });
    });
}

/// jwt-verify alone on `assertion` (a compact JWS minted by the client for `alg`): the
/// signature check, and the full RFC 7523 verification.
fn bench_signature(
    group: &mut BenchmarkGroup<'_, WallTime>,
    alg: Algorithm,
    client_id: &str,
    assertion: &str,
    now: u64,
) {
    let key = benches::verifying_key(alg).expect("key");
    let token = Token::parse(assertion).expect("parse");
    let signature = token.signature();
    assert!(
        key.verify_signature(alg, token.signing_input(), &signature)
            .is_ok()
    );
    group.bench_function(
        format!("jwt-verify signature only ({})", alg.as_str()),
        |b| {
            b.iter(|| {
                key.verify_signature(alg, black_box(token.signing_input()), black_box(&signature))
            });
        },
    );
    let audiences = [oauth_testkit::TOKEN_ENDPOINT];
    let policy = jwt_verify::ClaimPolicy::client_assertion(client_id, &audiences, now);
    assert!(
        Token::parse(assertion)
            .ok()
            .and_then(|t| t.verify(&key).ok())
            .is_some_and(|v| policy.check(&v).is_ok())
    );
    group.bench_function(
        format!(
            "jwt-verify full verification: parse + signature + claims ({})",
            alg.as_str()
        ),
        |b| {
            b.iter(|| {
                let t = Token::parse(black_box(assertion)).expect("parse");
                let v = t.verify(&key).expect("verify");
                policy.check(&v).is_ok()
            });
        },
    );
}

fn token_endpoint(c: &mut Criterion) {
    let mut fx = Fixture::new();

    let mut group = c.benchmark_group("token client_secret_basic");
    let request = fx.client_credentials_basic();
    bench_requests(
        &mut group,
        "drive_token client_credentials",
        &mut fx,
        |_, n| vec![request.clone(); n],
    );
    group.finish();

    for (group_name, alg, client) in [
        (
            "token client_secret_jwt HS256",
            Algorithm::HS256,
            token::CC_HS256,
        ),
        (
            "token private_key_jwt ES256",
            Algorithm::ES256,
            token::CC_ES256,
        ),
        (
            "token private_key_jwt RS256",
            Algorithm::RS256,
            token::CC_RS256,
        ),
    ] {
        let key = token::client_key(alg);
        let pool: Vec<Request> = (0..CHUNK)
            .map(|_| fx.client_credentials_assertion(alg, &key))
            .collect();
        let mut group = c.benchmark_group(group_name);
        bench_requests(
            &mut group,
            "drive_token client_credentials",
            &mut fx,
            |_, n| pool.iter().take(n).cloned().collect(),
        );
        let assertion = fx.kit.assertion(&key, client, None);
        bench_signature(&mut group, alg, client, &assertion, fx.kit.now);
        group.finish();
    }

    let mut group = c.benchmark_group("token authorization_code PKCE");
    bench_requests(
        &mut group,
        "drive_token authorization_code (scope read, no ID token)",
        &mut fx,
        |fx, n| (0..n).map(|_| fx.authorization_code(false)).collect(),
    );
    bench_requests(
        &mut group,
        "drive_token authorization_code (openid: ES256 ID token)",
        &mut fx,
        |fx, n| (0..n).map(|_| fx.authorization_code(true)).collect(),
    );
    // About the size of the ID token's signing input.
    let signer = &fx.kit.signer;
    let input = vec![b'a'; 420];
    group.bench_function("jwt-verify ES256 sign only (ID token)", |b| {
        b.iter(|| signer.sign(black_box(&input), &[9; 32]).expect("sign"));
    });
    group.finish();
}

criterion_group!(benches, token_endpoint);
criterion_main!(benches);
