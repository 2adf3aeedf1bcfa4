//! Heap allocations of one full jwt-verify verification (parse + signature + claim policy)
//! of the fixture client assertion, per algorithm, counted by a global allocator.
//!
//! The hot path allocates nothing but the decoded payload the claims borrow from
//! (one `Vec<u8>`): the header is parsed into inline strings, the signature into a fixed
//! buffer, the digest and the big-number arithmetic live on the stack, and the claims borrow
//! from the payload. `cargo test -p benches --test alloc_count -- --nocapture` prints the
//! counts.
// `unsafe` is needed for one reason only: `GlobalAlloc` is an unsafe trait. The impl forwards
// every call unchanged to the system allocator and bumps a thread-local counter; it adds no
// pointer arithmetic and no invariant of its own. (The package denies `unsafe_code` instead
// of the workspace's `forbid` so that this file can allow it.)
#![allow(unsafe_code)]
#![allow(missing_docs)]
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use benches::{ALGORITHMS, AUDIENCES, Assertion, CLIENT_ID, verify_assertion, verifying_key};
use jwt_verify::{Algorithm, ClaimPolicy, Token};

/// The decoded payload the claims borrow from, and nothing else: the header's and the claims'
/// string members borrow from their JSON (they are copied only when they hold an escape).
const TARGET_ALLOCATIONS: u64 = 1;

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

/// Allocations (including reallocations) made by `f` on this thread.
fn count<R>(f: impl FnOnce() -> R) -> (u64, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    (ALLOCATIONS.with(Cell::get) - before, r)
}

/// Allocations of one verification of the `alg` fixture, with the key prepared beforehand
/// and after a first verification (so lazily initialised state, if any, is not counted).
fn allocations(alg: Algorithm) -> u64 {
    let now = benches::wall_clock_now();
    let a = Assertion::new(alg, now).expect("fixture");
    let key = verifying_key(alg).expect("key");
    assert!(
        verify_assertion(&a.token, &key, now),
        "{alg:?} fixture rejected"
    );
    let (n, ok) = count(|| verify_assertion(std::hint::black_box(&a.token), &key, now));
    assert!(ok, "{alg:?} fixture rejected");
    n
}

/// Allocations of each phase (parse, signature and payload decoding, claim policy), for
/// finding where an unexpected one comes from.
fn allocations_by_phase(alg: Algorithm) -> [u64; 3] {
    let now = benches::wall_clock_now();
    let a = Assertion::new(alg, now).expect("fixture");
    let key = verifying_key(alg).expect("key");
    assert!(
        verify_assertion(&a.token, &key, now),
        "{alg:?} fixture rejected"
    );
    let policy = ClaimPolicy::client_assertion(CLIENT_ID, &AUDIENCES, now);
    let (parse, token) = count(|| Token::parse(&a.token).expect("parse"));
    let (verify, verified) = count(|| token.verify(&key).expect("verify"));
    let (claims, ok) = count(|| policy.check(&verified).is_ok());
    assert!(ok, "{alg:?} claims rejected");
    [parse, verify, claims]
}

#[test]
fn prints_allocations_per_algorithm() {
    println!("heap allocations per full verification: total (parse, verify, claims)");
    for alg in ALGORITHMS {
        let [p, v, c] = allocations_by_phase(alg);
        println!("  {:<6} {} ({p}, {v}, {c})", alg.as_str(), allocations(alg));
    }
}

#[test]
fn counter_sees_allocations() {
    let (n, v) = count(|| vec![1u8; 64]);
    assert_eq!((n, v.len()), (1, 64));
}

#[test]
fn verification_allocates_only_the_payload() {
    for alg in ALGORITHMS {
        assert_eq!(allocations(alg), TARGET_ALLOCATIONS, "{alg:?}");
    }
}
