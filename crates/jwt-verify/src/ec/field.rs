//! Arithmetic in the P-256 base field GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1.
//!
//! Elements are four little-endian 64-bit limbs in Montgomery form (R = 2^256), *weakly*
//! reduced: any value in `[0, 2^256)` congruent to the element, so an element may have two
//! representations (`v` and `v + p`, when that fits). Arithmetic takes and returns such values;
//! only comparisons, parity and encoding reduce fully. Skipping the full reduction after every
//! multiplication shortens its critical path by about a quarter.
//!
//! Only public data goes through here (ECDSA verification, public keys): operations may take
//! data-dependent branches (a rare second carry correction).

/// The field modulus p, little-endian limbs.
const P: [u64; 4] = [
    0xffff_ffff_ffff_ffff,
    0x0000_0000_ffff_ffff,
    0x0000_0000_0000_0000,
    0xffff_ffff_0000_0001,
];

/// R^2 mod p, used to enter the Montgomery domain.
const R2: [u64; 4] = [
    0x0000_0000_0000_0003,
    0xffff_fffb_ffff_ffff,
    0xffff_ffff_ffff_fffe,
    0x0000_0004_ffff_fffd,
];

/// `a + b + carry`, returning (low, high) words.
#[inline(always)]
const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// `a - b - borrow`, where `borrow` is 0 or all ones; returns (difference, new borrow mask).
#[inline(always)]
const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub((b as u128) + ((borrow >> 63) as u128));
    (t as u64, (t >> 64) as u64)
}

/// `a + b * c + carry`, returning (low, high) words; cannot overflow 128 bits.
#[inline(always)]
const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) * (c as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// 2^256 - p, little-endian limbs: adding it to a value modulo 2^256 subtracts p when the
/// addition carries out.
const C: [u64; 4] = [
    0x0000_0000_0000_0001,
    0xffff_ffff_0000_0000,
    0xffff_ffff_ffff_ffff,
    0x0000_0000_ffff_fffe,
];

/// `a + (C & mask)`, returning the low 256 bits and the carry out (0 or 1).
#[inline(always)]
const fn add_c_masked(a: [u64; 4], mask: u64) -> ([u64; 4], u64) {
    let (r0, c) = adc(a[0], C[0] & mask, 0);
    let (r1, c) = adc(a[1], C[1] & mask, c);
    let (r2, c) = adc(a[2], C[2] & mask, c);
    let (r3, c) = adc(a[3], C[3] & mask, c);
    ([r0, r1, r2, r3], c)
}

/// `a - (C & mask)`, returning the low 256 bits and the borrow mask (0 or all ones).
#[inline(always)]
const fn sub_c_masked(a: [u64; 4], mask: u64) -> ([u64; 4], u64) {
    let (r0, b) = sbb(a[0], C[0] & mask, 0);
    let (r1, b) = sbb(a[1], C[1] & mask, b);
    let (r2, b) = sbb(a[2], C[2] & mask, b);
    let (r3, b) = sbb(a[3], C[3] & mask, b);
    ([r0, r1, r2, r3], b)
}

/// The fully reduced form `[0, p)` of a value `< 2^256` (< 2p, so one subtraction).
#[inline(always)]
const fn canonical(a: [u64; 4]) -> [u64; 4] {
    let (r0, b) = sbb(a[0], P[0], 0);
    let (r1, b) = sbb(a[1], P[1], b);
    let (r2, b) = sbb(a[2], P[2], b);
    let (r3, b) = sbb(a[3], P[3], b);
    if b == 0 { [r0, r1, r2, r3] } else { a }
}

/// Montgomery reduction of a 512-bit value: returns `w / 2^256 mod p`, weakly reduced.
///
/// For P-256, `-p^-1 mod 2^64 = 1`, the lowest limb of p is `2^64 - 1` and the third is zero,
/// which removes most of the multiplications of the generic algorithm.
#[inline(always)]
const fn montgomery_reduce(w: [u64; 8]) -> [u64; 4] {
    let [a0, a1, a2, a3, a4, a5, a6, a7] = w;

    let (a1, carry) = mac(a1, a0, P[1], a0);
    let (a2, carry) = adc(a2, 0, carry);
    let (a3, carry) = mac(a3, a0, P[3], carry);
    let (a4, carry2) = adc(a4, 0, carry);

    let (a2, carry) = mac(a2, a1, P[1], a1);
    let (a3, carry) = adc(a3, 0, carry);
    let (a4, carry) = mac(a4, a1, P[3], carry);
    let (a5, carry2) = adc(a5, carry2, carry);

    let (a3, carry) = mac(a3, a2, P[1], a2);
    let (a4, carry) = adc(a4, 0, carry);
    let (a5, carry) = mac(a5, a2, P[3], carry);
    let (a6, carry2) = adc(a6, carry2, carry);

    let (a4, carry) = mac(a4, a3, P[1], a3);
    let (a5, carry) = adc(a5, 0, carry);
    let (a6, carry) = mac(a6, a3, P[3], carry);
    let (a7, a8) = adc(a7, carry2, carry);

    // The result is below 2^256 + p: when it reaches 2^256 (a8 = 1), subtract p, which leaves
    // it below 2^256. No comparison with p is needed.
    add_c_masked([a4, a5, a6, a7], 0u64.wrapping_sub(a8)).0
}

/// An element of GF(p) in Montgomery form, weakly reduced (see the module documentation).
#[derive(Clone, Copy)]
pub(super) struct Fe([u64; 4]);

impl PartialEq for Fe {
    fn eq(&self, other: &Fe) -> bool {
        canonical(self.0) == canonical(other.0)
    }
}

impl Eq for Fe {}

impl core::fmt::Debug for Fe {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Fe(0x")?;
        for b in self.to_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl Fe {
    /// The additive identity.
    pub(super) const ZERO: Fe = Fe([0; 4]);
    /// The multiplicative identity (R mod p).
    pub(super) const ONE: Fe = Fe::from_canonical_limbs([1, 0, 0, 0]);

    /// Converts a canonical integer `< p` (little-endian limbs) into Montgomery form.
    pub(super) const fn from_canonical_limbs(limbs: [u64; 4]) -> Fe {
        Fe(limbs).mul(&Fe(R2))
    }

    /// Whether little-endian limbs encode an integer `< p`.
    pub(super) const fn limbs_lt_p(limbs: &[u64; 4]) -> bool {
        let (_, b) = sbb(limbs[0], P[0], 0);
        let (_, b) = sbb(limbs[1], P[1], b);
        let (_, b) = sbb(limbs[2], P[2], b);
        let (_, b) = sbb(limbs[3], P[3], b);
        b != 0
    }

    /// Parses a 32-byte big-endian integer; `None` if it is not `< p`.
    pub(super) fn from_bytes(bytes: &[u8; 32]) -> Option<Fe> {
        let limbs = limbs_from_be_bytes(bytes);
        if Self::limbs_lt_p(&limbs) {
            Some(Self::from_canonical_limbs(limbs))
        } else {
            None
        }
    }

    /// The canonical integer value, little-endian limbs.
    pub(super) const fn to_canonical_limbs(self) -> [u64; 4] {
        let [a0, a1, a2, a3] = self.0;
        canonical(montgomery_reduce([a0, a1, a2, a3, 0, 0, 0, 0]))
    }

    /// The canonical value as 32 big-endian bytes.
    pub(super) fn to_bytes(self) -> [u8; 32] {
        be_bytes_from_limbs(&self.to_canonical_limbs())
    }

    /// Whether the canonical value is odd.
    pub(super) const fn is_odd(self) -> bool {
        self.to_canonical_limbs()[0] & 1 == 1
    }

    /// Whether this is zero (represented as 0 or p).
    #[inline(always)]
    pub(super) const fn is_zero(&self) -> bool {
        let [a0, a1, a2, a3] = self.0;
        (a0 | a1 | a2 | a3) == 0 || ((a0 ^ P[0]) | (a1 ^ P[1]) | (a2 ^ P[2]) | (a3 ^ P[3])) == 0
    }

    /// `self + rhs`.
    #[inline(always)]
    pub(super) const fn add(&self, rhs: &Fe) -> Fe {
        let [a0, a1, a2, a3] = self.0;
        let [b0, b1, b2, b3] = rhs.0;
        let (w0, c) = adc(a0, b0, 0);
        let (w1, c) = adc(a1, b1, c);
        let (w2, c) = adc(a2, b2, c);
        let (w3, carry) = adc(a3, b3, c);
        // On carry out, a + b - p = (a + b - 2^256) + C; that can carry again (rarely: only if
        // a + b >= 2^256 + p), and then a second C brings it below 2^256.
        let (r, carry) = add_c_masked([w0, w1, w2, w3], 0u64.wrapping_sub(carry));
        if carry == 0 {
            Fe(r)
        } else {
            Fe(add_c_masked(r, u64::MAX).0)
        }
    }

    /// `2 * self`.
    #[inline(always)]
    pub(super) const fn double(&self) -> Fe {
        self.add(self)
    }

    /// `self - rhs`.
    #[inline(always)]
    pub(super) const fn sub(&self, rhs: &Fe) -> Fe {
        let [a0, a1, a2, a3] = self.0;
        let [b0, b1, b2, b3] = rhs.0;
        let (w0, b) = sbb(a0, b0, 0);
        let (w1, b) = sbb(a1, b1, b);
        let (w2, b) = sbb(a2, b2, b);
        let (w3, b) = sbb(a3, b3, b);
        // On borrow, a - b + p = (a - b + 2^256) - C; that can borrow again (rarely: only if
        // b > a + p), and then a second C brings it back above 0.
        let (r, b) = sub_c_masked([w0, w1, w2, w3], b);
        if b == 0 {
            Fe(r)
        } else {
            Fe(sub_c_masked(r, u64::MAX).0)
        }
    }

    /// `b` if `choose_b`, else `a`, selected with masks rather than a branch.
    #[inline(always)]
    pub(super) const fn select(a: &Fe, b: &Fe, choose_b: bool) -> Fe {
        let mask = 0u64.wrapping_sub(choose_b as u64);
        let [a0, a1, a2, a3] = a.0;
        let [b0, b1, b2, b3] = b.0;
        Fe([
            a0 ^ ((a0 ^ b0) & mask),
            a1 ^ ((a1 ^ b1) & mask),
            a2 ^ ((a2 ^ b2) & mask),
            a3 ^ ((a3 ^ b3) & mask),
        ])
    }

    /// `-self`.
    #[inline(always)]
    pub(super) const fn neg(&self) -> Fe {
        Fe::ZERO.sub(self)
    }

    /// `self * rhs`.
    #[inline(always)]
    pub(super) const fn mul(&self, rhs: &Fe) -> Fe {
        let [a0, a1, a2, a3] = self.0;
        let [b0, b1, b2, b3] = rhs.0;

        let (w0, c) = mac(0, a0, b0, 0);
        let (w1, c) = mac(0, a0, b1, c);
        let (w2, c) = mac(0, a0, b2, c);
        let (w3, w4) = mac(0, a0, b3, c);

        let (w1, c) = mac(w1, a1, b0, 0);
        let (w2, c) = mac(w2, a1, b1, c);
        let (w3, c) = mac(w3, a1, b2, c);
        let (w4, w5) = mac(w4, a1, b3, c);

        let (w2, c) = mac(w2, a2, b0, 0);
        let (w3, c) = mac(w3, a2, b1, c);
        let (w4, c) = mac(w4, a2, b2, c);
        let (w5, w6) = mac(w5, a2, b3, c);

        let (w3, c) = mac(w3, a3, b0, 0);
        let (w4, c) = mac(w4, a3, b1, c);
        let (w5, c) = mac(w5, a3, b2, c);
        let (w6, w7) = mac(w6, a3, b3, c);

        Fe(montgomery_reduce([w0, w1, w2, w3, w4, w5, w6, w7]))
    }

    /// `self^2`.
    #[inline(always)]
    pub(super) const fn square(&self) -> Fe {
        let [a0, a1, a2, a3] = self.0;

        // Off-diagonal products, once.
        let (w1, c) = mac(0, a0, a1, 0);
        let (w2, c) = mac(0, a0, a2, c);
        let (w3, w4) = mac(0, a0, a3, c);
        let (w3, c) = mac(w3, a1, a2, 0);
        let (w4, w5) = mac(w4, a1, a3, c);
        let (w5, w6) = mac(w5, a2, a3, 0);

        // Doubled.
        let w7 = w6 >> 63;
        let w6 = (w6 << 1) | (w5 >> 63);
        let w5 = (w5 << 1) | (w4 >> 63);
        let w4 = (w4 << 1) | (w3 >> 63);
        let w3 = (w3 << 1) | (w2 >> 63);
        let w2 = (w2 << 1) | (w1 >> 63);
        let w1 = w1 << 1;

        // Plus the diagonal.
        let (w0, c) = mac(0, a0, a0, 0);
        let (w1, c) = adc(w1, 0, c);
        let (w2, c) = mac(w2, a1, a1, c);
        let (w3, c) = adc(w3, 0, c);
        let (w4, c) = mac(w4, a2, a2, c);
        let (w5, c) = adc(w5, 0, c);
        let (w6, c) = mac(w6, a3, a3, c);
        let (w7, _) = adc(w7, 0, c);

        Fe(montgomery_reduce([w0, w1, w2, w3, w4, w5, w6, w7]))
    }

    /// `self^(2^n)`.
    fn sqn(&self, n: u32) -> Fe {
        let mut t = *self;
        for _ in 0..n {
            t = t.square();
        }
        t
    }

    /// `self^-1`, or zero for zero (Fermat: `self^(p-2)`, 255 squarings and 12 multiplications).
    pub(super) fn invert(&self) -> Fe {
        let x = self;
        let t10 = x.square();
        let t11 = x.mul(&t10);
        let t110 = t11.square();
        let t111 = x.mul(&t110);
        let t111000 = t111.sqn(3);
        let t111111 = t111.mul(&t111000);
        let x12 = t111111.sqn(6).mul(&t111111);
        let x15 = x12.sqn(3).mul(&t111);
        let x16 = x15.square().mul(x);
        let x32 = x16.sqn(16).mul(&x16);
        let i53 = x32.sqn(15);
        let x47 = x15.mul(&i53);
        let i263 = i53.sqn(17).mul(x).sqn(143).mul(&x47).sqn(47);
        x47.mul(&i263).sqn(2).mul(x)
    }

    /// A square root of `self`, if one exists (`self^((p+1)/4)`, since p = 3 mod 4).
    pub(super) fn sqrt(&self) -> Option<Fe> {
        let t11 = self.mul(&self.square());
        let t1111 = t11.mul(&t11.sqn(2));
        let t11111111 = t1111.mul(&t1111.sqn(4));
        let x16 = t11111111.sqn(8).mul(&t11111111);
        let root = x16
            .sqn(16)
            .mul(&x16)
            .sqn(32)
            .mul(self)
            .sqn(96)
            .mul(self)
            .sqn(94);
        if root.square() == *self {
            Some(root)
        } else {
            None
        }
    }
}

/// Big-endian bytes to little-endian 64-bit limbs.
pub(super) fn limbs_from_be_bytes(bytes: &[u8; 32]) -> [u64; 4] {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.rchunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_be_bytes(word);
    }
    limbs
}

/// Little-endian 64-bit limbs to big-endian bytes.
pub(super) fn be_bytes_from_limbs(limbs: &[u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(limbs.iter().rev()) {
        chunk.copy_from_slice(&limb.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::bigint::{NonZero, U256};
    use proptest::prelude::*;

    fn p_bytes() -> [u8; 32] {
        be_bytes_from_limbs(&P)
    }

    #[test]
    fn constants() {
        assert_eq!(Fe::ONE.to_bytes()[31], 1);
        assert_eq!(Fe::ONE.to_canonical_limbs(), [1, 0, 0, 0]);
        assert!(Fe::from_bytes(&p_bytes()).is_none());
        assert!(Fe::from_bytes(&[0xff; 32]).is_none());
        assert!(Fe::limbs_lt_p(&[0; 4]));
        assert!(!Fe::limbs_lt_p(&P));
        let mut pm1 = p_bytes();
        pm1[31] -= 1;
        let m1 = Fe::from_bytes(&pm1);
        assert_eq!(m1, Some(Fe::ONE.neg()));
        let m1 = m1.unwrap_or(Fe::ZERO);
        assert_eq!(m1.add(&Fe::ONE), Fe::ZERO);
        assert_eq!(m1.mul(&m1), Fe::ONE);
        assert_eq!(m1.square(), Fe::ONE);
        assert_eq!(Fe::ZERO.invert(), Fe::ZERO);
        // R2 really is R^2 mod p: 1 * R2 reduced once is R, reduced twice is 1.
        assert_eq!(Fe(R2).to_canonical_limbs(), Fe::ONE.0);
    }

    #[test]
    fn bytes_roundtrip() {
        let mut b = [0u8; 32];
        for (i, v) in b.iter_mut().enumerate() {
            *v = u8::try_from(i + 1).unwrap_or(0);
        }
        let l = limbs_from_be_bytes(&b);
        assert_eq!(l[0], 0x191a_1b1c_1d1e_1f20);
        assert_eq!(l[3], 0x0102_0304_0506_0708);
        assert_eq!(be_bytes_from_limbs(&l), b);
    }

    /// An independent reference: crypto-bigint modular arithmetic on the integer values.
    fn p_nz() -> NonZero<U256> {
        NonZero::new(U256::from_words(P)).unwrap_or(NonZero::<U256>::ONE)
    }

    fn value(raw: [u64; 4]) -> U256 {
        U256::from_words(raw).rem(&p_nz())
    }

    /// The integer a Montgomery representation stands for, times R: checks `raw == v R` as
    /// `raw * R^-1 * R`; comparing `value(raw)` with `v * R mod p` avoids our own reduction.
    fn times_r(v: &U256) -> U256 {
        v.mul_mod(&value(C), &p_nz())
    }

    /// `P + k` for `k < C`: the non-canonical representation of k.
    fn p_plus(k: [u64; 4]) -> [u64; 4] {
        let mut out = [0u64; 4];
        let mut carry = 0;
        for ((o, a), b) in out.iter_mut().zip(P).zip(k) {
            let (w, c) = adc(a, b, carry);
            *o = w;
            carry = c;
        }
        out
    }

    fn raw_values() -> impl Strategy<Value = [u64; 4]> {
        let c_minus_1 = [0, C[1], C[2], C[3]];
        prop_oneof![
            4 => any::<[u64; 4]>(),
            2 => any::<u64>().prop_map(|k| p_plus([k, 0, 0, 0])),
            1 => any::<[u64; 3]>().prop_map(|[a, b, c]| p_plus([a, b, c, 0])),
            1 => Just([u64::MAX; 4]),
            1 => Just(P),
            1 => Just([0; 4]),
            1 => Just([1, 0, 0, 0]),
            1 => Just(p_plus(c_minus_1)),
            1 => Just(C),
        ]
    }

    #[test]
    fn double_corrections() {
        let max = Fe([u64::MAX; 4]);
        let zero = Fe([0; 4]);
        // (2^256 - 1) + (2^256 - 1) >= 2^256 + p: two corrections.
        assert_eq!(
            value(max.add(&max).0),
            value([u64::MAX; 4]).add_mod(&value([u64::MAX; 4]), &p_nz())
        );
        // 0 - (2^256 - 1) < -p: two corrections.
        assert_eq!(
            value(zero.sub(&max).0),
            U256::ZERO.sub_mod(&value([u64::MAX; 4]), &p_nz())
        );
        assert!(Fe(P).is_zero());
        assert_eq!(Fe(P), Fe::ZERO);
        assert_eq!(Fe(P).to_canonical_limbs(), [0; 4]);
        assert_eq!(Fe(p_plus([1, 0, 0, 0])), Fe([1, 0, 0, 0]));
    }

    proptest! {
        /// Every operation on weakly reduced inputs (anything below 2^256) agrees with modular
        /// arithmetic on the values they stand for.
        #[test]
        fn weak_representations_match_reference(a in raw_values(), b in raw_values()) {
            let (fa, fb) = (Fe(a), Fe(b));
            let (va, vb) = (value(a), value(b));
            let p = p_nz();
            prop_assert_eq!(value(fa.add(&fb).0), va.add_mod(&vb, &p));
            prop_assert_eq!(value(fa.double().0), va.add_mod(&va, &p));
            prop_assert_eq!(value(fa.sub(&fb).0), va.sub_mod(&vb, &p));
            prop_assert_eq!(value(fa.neg().0), U256::ZERO.sub_mod(&va, &p));
            // Montgomery: mul(a, b) = a b / R, so mul(a, b) * R = a b.
            prop_assert_eq!(times_r(&value(fa.mul(&fb).0)), va.mul_mod(&vb, &p));
            prop_assert_eq!(times_r(&value(fa.square().0)), va.mul_mod(&va, &p));
            prop_assert_eq!(fa == fb, va == vb);
            prop_assert_eq!(fa.is_zero(), va == U256::ZERO);
            prop_assert_eq!(U256::from_words(canonical(a)), va);
            // to_canonical_limbs(a) = a / R: times R gives the value back.
            prop_assert_eq!(times_r(&U256::from_words(fa.to_canonical_limbs())), va);
        }

        #[test]
        fn field_laws(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), c in any::<[u8; 32]>()) {
            let (Some(a), Some(b), Some(c)) = (Fe::from_bytes(&a), Fe::from_bytes(&b), Fe::from_bytes(&c))
            else {
                return Ok(());
            };
            prop_assert_eq!(Fe::from_bytes(&a.to_bytes()), Some(a));
            prop_assert_eq!(a.add(&b).sub(&b), a);
            prop_assert_eq!(a.sub(&b), b.sub(&a).neg());
            prop_assert_eq!(a.mul(&b), b.mul(&a));
            prop_assert_eq!(a.mul(&b).mul(&c), a.mul(&b.mul(&c)));
            prop_assert_eq!(a.add(&b).mul(&c), a.mul(&c).add(&b.mul(&c)));
            prop_assert_eq!(a.square(), a.mul(&a));
            prop_assert_eq!(a.double(), a.add(&a));
            prop_assert_eq!(a.mul(&Fe::ONE), a);
            if !a.is_zero() {
                prop_assert_eq!(a.invert().mul(&a), Fe::ONE);
            }
            let root = a.square().sqrt();
            prop_assert!(root == Some(a) || root == Some(a.neg()));
            // Exactly one of a, -a is a square when a != 0 (p = 3 mod 4).
            if !a.is_zero() {
                prop_assert!(a.sqrt().is_some() != a.neg().sqrt().is_some());
            }
        }

        /// Values just below p and small values, where carries and the final subtraction matter.
        #[test]
        fn near_modulus(x in 0u64..1_000_000, y in 0u64..1_000_000) {
            let mut pb = p_bytes();
            let low = u64::from_be_bytes([pb[24], pb[25], pb[26], pb[27], pb[28], pb[29], pb[30], pb[31]]);
            pb[24..].copy_from_slice(&(low - 1 - x).to_be_bytes());
            let a = Fe::from_bytes(&pb);
            let x1 = Fe::from_canonical_limbs([x + 1, 0, 0, 0]);
            prop_assert_eq!(a, Some(x1.neg()));
            let a = a.unwrap_or(Fe::ZERO);
            let sq = u128::from(x + 1) * u128::from(x + 1);
            prop_assert_eq!(a.square(), Fe::from_canonical_limbs([sq as u64, (sq >> 64) as u64, 0, 0]));
            let ys = Fe::from_canonical_limbs([y, 0, 0, 0]);
            prop_assert_eq!(a.add(&ys), ys.sub(&x1));
            prop_assert_eq!(a.add(&x1), Fe::ZERO);
            prop_assert_eq!(ys.to_canonical_limbs(), [y, 0, 0, 0]);
        }
    }
}
