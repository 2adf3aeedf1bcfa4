//! Montgomery arithmetic on fixed-size arrays of 59-bit limbs.
//!
//! Everything here handles public values only (modulus, signature, public exponent), so the
//! code is variable time on purpose: it branches on carries and comparisons.
//!
//! A number of `N` limbs lives in an array of `P = N + PAD` limbs, least significant first,
//! whose last `PAD` limbs are zero; `R = 2^(59 N)`. Limbs are below `2^59` (a reduced radix):
//! a product of two limbs is below `2^118`, so a whole column of a product (at most `2 N`
//! partial products plus a carry, `N <= 139`) sums in a plain `u128` without overflow, and each
//! partial product costs one multiplication and one 128-bit addition.
//!
//! Multiplication and squaring use product scanning with the Montgomery reduction folded in
//! column by column ("finely integrated product scanning"). Every column sum is a dot product
//! of two arrays walked forwards (one of them stored reversed), four products per step; the
//! zero padding is laid out so that running past the end of a column in the last step only
//! ever multiplies by zero, so there are no remainder loops. Squaring computes each cross
//! product once, against a doubled copy of the operand.
//!
//! With `n` odd, `n < R` and inputs `a, b < n`, the result before the final step satisfies
//! `(a b + m n) / R < 2 n`, so one conditional subtraction leaves it fully reduced.

/// Bits per limb.
pub(super) const LIMB_BITS: u32 = 59;
/// Mask of the low [`LIMB_BITS`] bits.
const MASK: u64 = (1 << LIMB_BITS) - 1;
/// Zero limbs after the `N` limbs of a number: enough for a dot product step of 4 products
/// to run up to 3 positions past the end of a column.
pub(super) const PAD: usize = 4;

/// The modulus in the layouts the column loops read, and its Montgomery constant.
#[derive(Clone, Copy)]
pub(super) struct Modulus<'a, const P: usize> {
    /// Limbs, least significant first, zero padded.
    pub(super) n: &'a [u64; P],
    /// The `N` limbs most significant first, then zeros (see [`reversed`]).
    pub(super) rev: &'a [u64; P],
    /// `-n^-1 mod 2^LIMB_BITS`.
    pub(super) n0: u64,
}

/// The first `P - PAD` limbs of `a` in reverse order, followed by `PAD` zeros.
#[inline(always)]
pub(super) fn reversed<const P: usize>(a: &[u64; P]) -> [u64; P] {
    let mut r = [0u64; P];
    for (dst, &src) in r.iter_mut().zip(a.iter().take(P - PAD).rev()) {
        *dst = src;
    }
    r
}

/// Sum of `x[i] * y[i]` for `i < 2 * steps`.
///
/// Two accumulators, each taking one product per step, so that every product adds straight
/// into its own register pair. Kept out of line: inlined into the column loops, where the
/// array lengths bound the trip count, the compiler unrolls it completely and runs out of
/// registers.
#[inline(never)]
fn dot(x: &[u64], y: &[u64], steps: usize) -> u128 {
    let (mut s0, mut s1) = (0u128, 0u128);
    for (xc, yc) in x.chunks_exact(2).zip(y.chunks_exact(2)).take(steps) {
        if let ([x0, x1], [y0, y1]) = (xc, yc) {
            s0 += u128::from(*x0) * u128::from(*y0);
            s1 += u128::from(*x1) * u128::from(*y1);
        }
    }
    s0 + s1
}

/// Sum of `x[i] * y[i]` for `i < 2 * xy_steps` plus `z[i] * w[i]` for `i < 2 * zw_steps`.
#[inline(never)]
fn dot2(x: &[u64], y: &[u64], xy_steps: usize, z: &[u64], w: &[u64], zw_steps: usize) -> u128 {
    let (mut s0, mut s1) = (0u128, 0u128);
    for (xc, yc) in x.chunks_exact(2).zip(y.chunks_exact(2)).take(xy_steps) {
        if let ([x0, x1], [y0, y1]) = (xc, yc) {
            s0 += u128::from(*x0) * u128::from(*y0);
            s1 += u128::from(*x1) * u128::from(*y1);
        }
    }
    for (zc, wc) in z.chunks_exact(2).zip(w.chunks_exact(2)).take(zw_steps) {
        if let ([z0, z1], [w0, w1]) = (zc, wc) {
            s0 += u128::from(*z0) * u128::from(*w0);
            s1 += u128::from(*z1) * u128::from(*w1);
        }
    }
    s0 + s1
}

/// `x[start..]`, or empty if `start` is past the end.
#[inline(always)]
fn from(x: &[u64], start: usize) -> &[u64] {
    x.get(start..).unwrap_or_default()
}

/// `a - b` in place on normalised limbs, returning the final borrow.
#[inline]
pub(super) fn sub_assign<const P: usize>(a: &mut [u64; P], b: &[u64; P]) -> bool {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b.iter()) {
        // Both limbs are below 2^59, so the difference wraps into the top bits when negative.
        let d = x.wrapping_sub(y).wrapping_sub(borrow);
        *x = d & MASK;
        borrow = d >> 63;
    }
    borrow != 0
}

/// `a < b` on normalised limbs, comparing from the most significant limb (variable time).
#[inline]
pub(super) fn less_than<const P: usize>(a: &[u64; P], b: &[u64; P]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// The Montgomery reduction that runs along the product columns.
///
/// For each column `k` of the double-length product, the caller sums that column's partial
/// products of the operands and of the reduction terms `m_i n_(k-i)` (`m` holds the factors
/// chosen so far, zeros after them) and hands the sum to [`Self::low`] or [`Self::high`],
/// which add it to the carry from the previous column. In the low half the factor `m_k` is
/// chosen so that the low limb vanishes; the high half gives the result limbs.
///
/// Column sums start from zero rather than from the carry, so that the processor can compute
/// a column while the previous one is still choosing its `m_k`.
struct Columns<const P: usize> {
    /// Reduction factors `m_0 .. m_(N-1)`, then zeros.
    m: [u64; P],
    /// Result limbs, then zeros.
    u: [u64; P],
    /// Carry into the next column.
    acc: u128,
}

impl<const P: usize> Columns<P> {
    #[inline(always)]
    fn new() -> Self {
        Columns {
            m: [0; P],
            u: [0; P],
            acc: 0,
        }
    }

    /// Low column `k < N`: choose `m_k` and drop the (zero) low limb.
    #[inline(always)]
    fn low(&mut self, k: usize, sum: u128, md: &Modulus<'_, P>) {
        let acc = self.acc + sum;
        let mk = ((acc as u64).wrapping_mul(md.n0)) & MASK;
        if let Some(slot) = self.m.get_mut(k) {
            *slot = mk;
        }
        let n_first = md.n.first().copied().unwrap_or(0);
        self.acc = (acc + u128::from(mk) * u128::from(n_first)) >> LIMB_BITS;
    }

    /// High column `N + j`: result limb `j`.
    #[inline(always)]
    fn high(&mut self, j: usize, sum: u128) {
        let acc = self.acc + sum;
        if let Some(out) = self.u.get_mut(j) {
            *out = (acc as u64) & MASK;
        }
        self.acc = acc >> LIMB_BITS;
    }

    /// The result, fully reduced: `u + acc R` is below `2 n`; subtract `n` once if that value
    /// is at least `n`.
    #[inline(always)]
    fn finish(mut self, n: &[u64; P]) -> [u64; P] {
        if self.acc != 0 || !less_than(&self.u, n) {
            sub_assign(&mut self.u, n);
        }
        self.u
    }
}

/// Montgomery multiplication `a * b / R mod n`, for `a, b < n`; the result is below `n`.
#[inline(never)]
pub(super) fn mul<const P: usize>(a: &[u64; P], b: &[u64; P], md: &Modulus<'_, P>) -> [u64; P] {
    let n_limbs = P - PAD;
    let b_rev = reversed(b);
    let mut cols = Columns::<P>::new();
    for k in 0..n_limbs {
        // i in 0..=k: a_i b_(k-i) = a[i] b_rev[N-1-k+i], and m_i n_(k-i) likewise (m_k is
        // still zero). Past i = k, b_rev and m are zero.
        let off = n_limbs - 1 - k;
        let steps = (k + 2) / 2;
        let sum = dot2(a, from(&b_rev, off), steps, &cols.m, from(md.rev, off), steps);
        cols.low(k, sum, md);
    }
    for j in 0..n_limbs {
        // Column N + j, i in j+1..N: b_(k-i) = b_rev[i-j-1], n_(k-i) = rev[i-j-1]. Past
        // i = N - 1, a and m are zero.
        let steps = (n_limbs - 1 - j).div_ceil(2);
        let sum = dot2(from(a, j + 1), &b_rev, steps, from(&cols.m, j + 1), md.rev, steps);
        cols.high(j, sum);
    }
    cols.finish(md.n)
}

/// Montgomery squaring `a * a / R mod n`, for `a < n`; the result is below `n`.
#[inline(never)]
pub(super) fn sqr<const P: usize>(a: &[u64; P], md: &Modulus<'_, P>) -> [u64; P] {
    let n_limbs = P - PAD;
    // Cross products a_i a_(k-i) with i < k - i appear twice in the square: multiply them
    // against a doubled copy (limbs below 2^60, products below 2^119, still no overflow of a
    // column sum). They are walked with i going down (through a_rev) and k - i going up
    // (through a2); past the end of a column either a_rev or a2 is zero.
    let a_rev = reversed(a);
    let mut a2 = *a;
    for x in a2.iter_mut() {
        *x <<= 1;
    }
    let mut cols = Columns::<P>::new();
    for k in 0..n_limbs {
        // Cross products for i = ceil(k/2) - 1 down to 0.
        // Then m_i n_(k-i) for i < k; m is zero from i = k on.
        let half_up = k.div_ceil(2);
        let mut sum = dot2(
            from(&a_rev, n_limbs - half_up),
            from(&a2, k / 2 + 1),
            half_up.div_ceil(2),
            &cols.m,
            from(md.rev, n_limbs - 1 - k),
            k.div_ceil(2),
        );
        if k % 2 == 0 {
            if let Some(&d) = a.get(k / 2) {
                sum += u128::from(d) * u128::from(d);
            }
        }
        cols.low(k, sum, md);
    }
    for j in 0..n_limbs {
        // Column k = N + j: cross products for i = ceil(k/2) - 1 down to j + 1.
        // Then m_i n_(k-i) for i in j+1..N: n_(k-i) = rev[i-j-1].
        let k = n_limbs + j;
        let half_up = k.div_ceil(2);
        let mut sum = dot2(
            from(&a_rev, n_limbs - half_up),
            from(&a2, k / 2 + 1),
            (half_up - j - 1).div_ceil(2),
            from(&cols.m, j + 1),
            md.rev,
            (n_limbs - 1 - j).div_ceil(2),
        );
        if k % 2 == 0 {
            if let Some(&d) = a.get(k / 2) {
                sum += u128::from(d) * u128::from(d);
            }
        }
        cols.high(j, sum);
    }
    cols.finish(md.n)
}

/// `2 a mod n` for `a < n`.
fn double_mod<const P: usize>(a: &mut [u64; P], n: &[u64; P]) {
    let mut carry = 0u64;
    for x in a.iter_mut() {
        let doubled = (*x << 1) | carry;
        carry = doubled >> LIMB_BITS;
        *x = doubled & MASK;
    }
    if carry != 0 || !less_than(a, n) {
        sub_assign(a, n);
    }
}

/// `-n^-1 mod 2^LIMB_BITS` for odd `n0` (the low limb of the modulus).
pub(super) fn neg_inv(n0: u64) -> u64 {
    // Newton iteration: x = n0 is correct to 3 bits, each step doubles that.
    let mut x = n0;
    for _ in 0..5 {
        x = x.wrapping_mul(2u64.wrapping_sub(n0.wrapping_mul(x)));
    }
    x.wrapping_neg() & MASK
}

/// `R^2 mod n`, for an odd `n` of exactly `bits` bits (`bits <= LIMB_BITS * N`).
pub(super) fn r_squared<const P: usize>(md: &Modulus<'_, P>, bits: usize) -> [u64; P] {
    let n = md.n;
    let total = LIMB_BITS as usize * (P - PAD);
    // x = 2^(bits - 1), which is below n because n is odd and has `bits` bits.
    let mut x = [0u64; P];
    let top = bits.saturating_sub(1);
    if let Some(limb) = x.get_mut(top / LIMB_BITS as usize) {
        *limb = 1u64 << (top % LIMB_BITS as usize);
    }
    // x = 2 R mod n: the Montgomery form of 2.
    for _ in top..=total {
        double_mod(&mut x, n);
    }
    // Raise the Montgomery form of 2 to the power `total`, left to right: the result is the
    // Montgomery form of R, that is R^2 mod n.
    let mut y = x;
    let exp_bits = usize::BITS - total.leading_zeros();
    for i in (0..exp_bits.saturating_sub(1)).rev() {
        y = sqr(&y, md);
        if (total >> i) & 1 == 1 {
            double_mod(&mut y, n);
        }
    }
    y
}

/// `s^e mod n` for `s < n`, odd `e >= 3`, given `rr = R^2 mod n`.
///
/// Left-to-right square and multiply in Montgomery form; the last multiplication, by the
/// plain `s` rather than its Montgomery form, also leaves Montgomery form. For `e = 65537`
/// this is 16 squarings and 2 multiplications.
pub(super) fn pow_public<const P: usize>(
    s: &[u64; P],
    e: u64,
    md: &Modulus<'_, P>,
    rr: &[u64; P],
) -> [u64; P] {
    let s_mont = mul(s, rr, md);
    let mut x = s_mont;
    let e_bits = u64::BITS - e.leading_zeros();
    // Bits below the leading one, except the lowest (which is one since e is odd).
    for i in (1..e_bits.saturating_sub(1)).rev() {
        x = sqr(&x, md);
        if (e >> i) & 1 == 1 {
            x = mul(&x, &s_mont, md);
        }
    }
    x = sqr(&x, md);
    mul(&x, s, md)
}
