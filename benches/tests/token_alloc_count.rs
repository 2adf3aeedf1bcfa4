//! Heap allocations of one whole token request through `oauth_core::drive::drive_token`
//! (form parse, client authentication, grant, issuance, response), answered by the in-memory
//! testkit host, counted by a global allocator: `client_credentials` with
//! `client_secret_basic`, and with a `private_key_jwt` ES256 assertion.
//!
//! The count is split between the engine and the host: every host answer runs inside a
//! wrapper that counts what the testkit backend allocates (cloning the registry's `Arc`,
//! the store's keys and records, the signer), and the rest is the engine's. The requests are
//! encoded and the assertion minted before counting; the response is dropped inside the
//! count. `cargo test -p benches --test token_alloc_count -- --nocapture` prints the counts.
// `unsafe` is needed for one reason only: `GlobalAlloc` is an unsafe trait. The impl forwards
// every call unchanged to the system allocator and bumps a thread-local counter; it adds no
// pointer arithmetic and no invariant of its own. (The package denies `unsafe_code` instead
// of the workspace's `forbid` so that this file can allow it.)
#![allow(unsafe_code)]
#![allow(missing_docs)]
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "../benches/common/token.rs"]
#[allow(dead_code)]
mod token;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

use jwt_verify::Algorithm;
use oauth_core::auth::Replay;
use oauth_core::drive::{self, Backend};
use oauth_core::records::{CodeRecord, Record, RefreshRecord, Revocation, Subject, Taken};
use oauth_core::secret::TokenHash;
use oauth_core::{Client, Context, Done, HostError, HttpRequest, TokenEndpoint};
use oauth_testkit::TestKit;
use token::{Fixture, Request};

/// Upper bounds on one whole request (engine + host), a little above the counts measured
/// when they were set (engine + host: 27 = 21 + 6 and 35 = 27 + 8). A regression guard: they
/// must not grow.
const MAX_CLIENT_CREDENTIALS_BASIC: u64 = 32;
const MAX_PRIVATE_KEY_JWT_ES256: u64 = 40;

struct Counting;

thread_local! {
    // Per thread, so tests running in parallel (cargo test) do not count each other.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    // `try_with`: the slot may already be gone while a thread is being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counter is a thread-local `Cell` with a const initializer and no
// destructor, so touching it never allocates or re-enters the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: the caller's contract for `alloc` is passed through unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: as above; `ptr` and `layout` came from this allocator, i.e. from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Allocations (including reallocations) made by `f` on this thread.
fn count<R>(f: impl FnOnce() -> R) -> (u64, R) {
    let before = allocations();
    let r = f();
    (allocations() - before, r)
}

/// The testkit host, with what its answers allocate counted apart.
struct Split<'k> {
    kit: &'k mut TestKit,
    host: u64,
}

impl Split<'_> {
    fn answer<R>(&mut self, f: impl FnOnce(&mut TestKit) -> R) -> R {
        let (n, r) = count(|| f(self.kit));
        self.host += n;
        r
    }
}

impl Backend for Split<'_> {
    fn client(&mut self, client_id: &str) -> Result<Option<Arc<Client>>, HostError> {
        self.answer(|k| k.client(client_id))
    }
    fn insert_replay(&mut self, replay: &Replay) -> Result<bool, HostError> {
        self.answer(|k| k.insert_replay(replay))
    }
    fn verify_password(
        &mut self,
        client: &Client,
        username: &str,
        password: &str,
    ) -> Result<Option<Subject>, HostError> {
        self.answer(|k| k.verify_password(client, username, password))
    }
    fn take_code(&mut self, hash: &TokenHash, now: u64) -> Result<Taken<CodeRecord>, HostError> {
        self.answer(|k| k.take_code(hash, now))
    }
    fn load_refresh(
        &mut self,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Taken<RefreshRecord>, HostError> {
        self.answer(|k| k.load_refresh(hash, now))
    }
    fn take_refresh(
        &mut self,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Taken<RefreshRecord>, HostError> {
        self.answer(|k| k.take_refresh(hash, now))
    }
    fn revoke(&mut self, revocation: &Revocation) -> Result<(), HostError> {
        self.answer(|k| k.revoke(revocation))
    }
    fn sign(
        &mut self,
        alg: Algorithm,
        kid: Option<&str>,
        input: &[u8],
    ) -> Result<Vec<u8>, HostError> {
        self.answer(|k| k.sign(alg, kid, input))
    }
    fn persist(&mut self, records: &[Record]) -> Result<(), HostError> {
        self.answer(|k| k.persist(records))
    }
}

/// `(total, host)` allocations of one request, response dropped included.
fn one(fx: &mut Fixture, r: &Request) -> (u64, u64) {
    let body = r.body.as_bytes();
    let authorization = r.authorization.as_deref().map(str::as_bytes);
    let config = fx.config.clone();
    let context = Context {
        now: fx.kit.now,
        seed: [3; 32],
    };
    let mut backend = Split {
        kit: &mut fx.kit,
        host: 0,
    };
    let (total, status) = count(|| {
        let mut request =
            HttpRequest::post(body).header("Content-Type", b"application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            request = request.header("Authorization", a);
        }
        let step = TokenEndpoint::start(&config, &request, context);
        let done: Done = drive::drive_token(step, &mut backend);
        done.response.status
    });
    assert_eq!(status, 200);
    (total, backend.host)
}

/// Counts the `n`-th of a run of requests, so that what the first ones set up (the store's
/// tables, the step log's buffer) is not counted.
fn measure(fx: &mut Fixture, mut next: impl FnMut(&mut Fixture) -> Request) -> (u64, u64) {
    let requests: Vec<Request> = (0..4).map(|_| next(fx)).collect();
    let mut last = (0, 0);
    for r in &requests {
        last = one(fx, r);
    }
    last
}

fn client_credentials_basic() -> (u64, u64) {
    let mut fx = Fixture::new();
    measure(&mut fx, |fx| fx.client_credentials_basic())
}

fn private_key_jwt_es256() -> (u64, u64) {
    let mut fx = Fixture::new();
    let key = token::client_key(Algorithm::ES256);
    measure(&mut fx, |fx| {
        fx.client_credentials_assertion(Algorithm::ES256, &key)
    })
}

#[test]
fn prints_allocations_per_request() {
    println!("heap allocations per whole token request: total (engine + testkit host)");
    for (name, (total, host)) in [
        (
            "client_credentials, client_secret_basic",
            client_credentials_basic(),
        ),
        (
            "client_credentials, private_key_jwt ES256",
            private_key_jwt_es256(),
        ),
    ] {
        println!("  {name:<42} {total} ({} + {host})", total - host);
    }
}

#[test]
fn counter_sees_allocations() {
    let (n, v) = count(|| vec![1u8; 64]);
    assert_eq!((n, v.len()), (1, 64));
}

#[test]
fn request_allocations_do_not_grow() {
    let (basic, _) = client_credentials_basic();
    assert!(
        basic <= MAX_CLIENT_CREDENTIALS_BASIC,
        "client_secret_basic: {basic} allocations, more than {MAX_CLIENT_CREDENTIALS_BASIC}"
    );
    let (es256, _) = private_key_jwt_es256();
    assert!(
        es256 <= MAX_PRIVATE_KEY_JWT_ES256,
        "private_key_jwt ES256: {es256} allocations, more than {MAX_PRIVATE_KEY_JWT_ES256}"
    );
}
