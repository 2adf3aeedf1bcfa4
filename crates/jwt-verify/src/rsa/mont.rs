//! Montgomery arithmetic on fixed-size arrays of 59-bit limbs.
//!
//! Everything here handles public values only (modulus, signature, public exponent), so the
//! code is variable time on purpose: it branches on carries and comparisons.
//!
//! Numbers are little-endian arrays of `N` limbs of [`LIMB_BITS`] bits each (a reduced radix,
//! every limb below `2^59`), and `R = 2^(59 N)`. A product of two limbs is below `2^118`, so a
//! whole column of a product (at most `2 N` partial products plus a carry, `N <= 139`) sums in
//! a plain `u128` without overflow: each partial product costs one multiplication and one
//! 128-bit addition, with no carry propagation in the inner loops.
//!
//! Multiplication and squaring use product scanning with the Montgomery reduction folded in
//! column by column ("finely integrated product scanning"). The modulus and one operand are
//! also kept with their limbs reversed, so that each column sum walks two arrays forwards.
//! Squaring computes each cross product once, against a doubled copy of the operand.
//!
//! With `n` odd, `n < R` and inputs `a, b < n`, the result before the final step satisfies
//! `(a b + m n) / R < 2 n`, so one conditional subtraction leaves it fully reduced.

/// Bits per limb.
pub(super) const LIMB_BITS: u32 = 59;
/// Mask of the low [`LIMB_BITS`] bits.
const MASK: u64 = (1 << LIMB_BITS) - 1;

/// The modulus in the layouts the column loops read, and its Montgomery constant.
#[derive(Clone, Copy)]
pub(super) struct Modulus<'a, const N: usize> {
    /// Limbs, least significant first.
    pub(super) n: &'a [u64; N],
    /// The same limbs, most significant first.
    pub(super) rev: &'a [u64; N],
    /// `-n^-1 mod 2^LIMB_BITS`.
    pub(super) n0: u64,
}

/// The limbs of `a` in reverse order.
#[inline(always)]
pub(super) fn reversed<const N: usize>(a: &[u64; N]) -> [u64; N] {
    let mut r = *a;
    r.reverse();
    r
}

/// `acc + sum of x[i] * y[i]` over the common length.
///
/// Two independent accumulators (even and odd positions) let each product add straight into
/// its own register pair.
#[inline(always)]
fn dot(acc: u128, x: &[u64], y: &[u64]) -> u128 {
    let mut even = acc;
    let mut odd = 0u128;
    for (xs, ys) in x.chunks_exact(2).zip(y.chunks_exact(2)) {
        if let ([p0, p1], [q0, q1]) = (xs, ys) {
            even += u128::from(*p0) * u128::from(*q0);
            odd += u128::from(*p1) * u128::from(*q1);
        }
    }
    let len = x.len().min(y.len());
    if len % 2 == 1 {
        if let (Some(&p), Some(&q)) = (x.get(len - 1), y.get(len - 1)) {
            even += u128::from(p) * u128::from(q);
        }
    }
    even + odd
}

/// `acc + sum of (x[i] * y[i] + z[i] * w[i])` over the common length of all four.
#[inline(always)]
fn dot2(acc: u128, x: &[u64], y: &[u64], z: &[u64], w: &[u64]) -> u128 {
    let mut first = acc;
    let mut second = 0u128;
    for ((&p, &q), (&r, &s)) in x.iter().zip(y).zip(z.iter().zip(w)) {
        first += u128::from(p) * u128::from(q);
        second += u128::from(r) * u128::from(s);
    }
    first + second
}

/// `a - b` in place on normalised limbs, returning the final borrow.
#[inline]
pub(super) fn sub_assign<const N: usize>(a: &mut [u64; N], b: &[u64; N]) -> bool {
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
pub(super) fn less_than<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// Final step shared by multiplication and squaring: `u + carry * R` is below `2 n`;
/// subtract `n` once if that value is at least `n`.
#[inline(always)]
fn reduce_once<const N: usize>(mut u: [u64; N], carry: u128, n: &[u64; N]) -> [u64; N] {
    if carry != 0 || !less_than(&u, n) {
        sub_assign(&mut u, n);
    }
    u
}

/// The Montgomery reduction that runs along the product columns.
///
/// For each column `k` of the double-length product, the caller sums that column's partial
/// products of the operands and of the reduction terms `m_i n_(k-i)` (`m` holds the factors
/// chosen so far) and hands the sum to [`Self::low`] or [`Self::high`], which add it to the
/// carry from the previous column. In the low half the factor `m_k` is chosen so that the low
/// limb vanishes; the high half gives the result limbs.
///
/// Column sums start from zero rather than from the carry, so that the processor can compute
/// a column while the previous one is still choosing its `m_k`.
struct Columns<const N: usize> {
    /// Reduction factors `m_0 .. m_(N-1)`.
    m: [u64; N],
    /// Result limbs.
    u: [u64; N],
    /// Carry into the next column.
    acc: u128,
}

impl<const N: usize> Columns<N> {
    #[inline(always)]
    fn new() -> Self {
        Columns {
            m: [0; N],
            u: [0; N],
            acc: 0,
        }
    }

    /// The reduction factors chosen before column `k`.
    #[inline(always)]
    fn m_before(&self, k: usize) -> &[u64] {
        self.m.get(..k).unwrap_or_default()
    }

    /// Low column `k < N`: choose `m_k` and drop the (zero) low limb.
    #[inline(always)]
    fn low(&mut self, k: usize, sum: u128, md: &Modulus<'_, N>) {
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

    /// The result, fully reduced.
    #[inline(always)]
    fn finish(self, n: &[u64; N]) -> [u64; N] {
        reduce_once(self.u, self.acc, n)
    }
}

/// Montgomery multiplication `a * b / R mod n`, for `a, b < n`; the result is below `n`.
#[inline(never)]
pub(super) fn mul<const N: usize>(a: &[u64; N], b: &[u64; N], md: &Modulus<'_, N>) -> [u64; N] {
    let b_rev = reversed(b);
    let b0 = b.first().copied().unwrap_or(0);
    let mut cols = Columns::<N>::new();
    for k in 0..N {
        // i in 0..=k: a_i b_(k-i) = a[i] b_rev[N-1-k+i]; m_i n_(k-i) likewise for i < k.
        let off = N - 1 - k;
        let b_k = b_rev.get(off..).unwrap_or_default();
        let n_k = md.rev.get(off..).unwrap_or_default();
        let last = a.get(k).copied().unwrap_or(0);
        let sum = dot2(
            u128::from(last) * u128::from(b0),
            a,
            b_k,
            cols.m_before(k),
            n_k,
        );
        cols.low(k, sum, md);
    }
    for j in 0..N {
        // Column N + j, i in j+1..N: b_(k-i) = b_rev[i-j-1], n_(k-i) = rev[i-j-1].
        let a_j = a.get(j + 1..).unwrap_or_default();
        let m_j = cols.m.get(j + 1..).unwrap_or_default();
        let sum = dot2(0, a_j, &b_rev, m_j, md.rev);
        cols.high(j, sum);
    }
    cols.finish(md.n)
}

/// Montgomery squaring `a * a / R mod n`, for `a < n`; the result is below `n`.
#[inline(never)]
pub(super) fn sqr<const N: usize>(a: &[u64; N], md: &Modulus<'_, N>) -> [u64; N] {
    // Cross products a_i a_(k-i) with i < k - i appear twice in the square: multiply them
    // against a doubled copy instead (limbs below 2^60, products below 2^119, still no
    // overflow of a column sum).
    let mut a2_rev = reversed(a);
    for x in a2_rev.iter_mut() {
        *x <<= 1;
    }
    let mut cols = Columns::<N>::new();
    for k in 0..N {
        // Cross products i in 0..ceil(k/2), a_(k-i) doubled = a2_rev[N-1-k+i].
        let y = a2_rev.get(N - 1 - k..).unwrap_or_default();
        let count = k.div_ceil(2);
        let mut sum = dot(
            0,
            a.get(..count).unwrap_or_default(),
            y.get(..count).unwrap_or_default(),
        );
        if k % 2 == 0 {
            if let Some(&d) = a.get(k / 2) {
                sum += u128::from(d) * u128::from(d);
            }
        }
        sum += dot(
            0,
            cols.m_before(k),
            md.rev.get(N - 1 - k..).unwrap_or_default(),
        );
        cols.low(k, sum, md);
    }
    for j in 0..N {
        // Column k = N + j, i in j+1..N: cross products while i < k - i.
        let k = N + j;
        let x = a.get(j + 1..).unwrap_or_default();
        let count = x.len() / 2;
        let mut sum = dot(
            0,
            x.get(..count).unwrap_or_default(),
            a2_rev.get(..count).unwrap_or_default(),
        );
        if k % 2 == 0 {
            if let Some(&d) = a.get(k / 2) {
                sum += u128::from(d) * u128::from(d);
            }
        }
        sum += dot(0, cols.m.get(j + 1..).unwrap_or_default(), md.rev);
        cols.high(j, sum);
    }
    cols.finish(md.n)
}

/// `2 a mod n` for `a < n`.
fn double_mod<const N: usize>(a: &mut [u64; N], n: &[u64; N]) {
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
pub(super) fn r_squared<const N: usize>(md: &Modulus<'_, N>, bits: usize) -> [u64; N] {
    let n = md.n;
    let total = LIMB_BITS as usize * N;
    // x = 2^(bits - 1), which is below n because n is odd and has `bits` bits.
    let mut x = [0u64; N];
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
pub(super) fn pow_public<const N: usize>(
    s: &[u64; N],
    e: u64,
    md: &Modulus<'_, N>,
    rr: &[u64; N],
) -> [u64; N] {
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
