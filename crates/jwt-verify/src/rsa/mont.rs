//! Montgomery arithmetic on fixed-size arrays of little-endian 64-bit limbs.
//!
//! Everything here handles public values only (modulus, signature, public exponent), so the
//! code is variable time on purpose: it branches on carries and comparisons.
//!
//! Multiplication and squaring use product scanning with the Montgomery reduction folded in
//! column by column ("finely integrated product scanning"): every partial product of a column
//! is summed into one 192-bit accumulator, so there is a single carry chain and no
//! double-width intermediate buffer. Squaring computes each cross product once and doubles
//! the column sum.
//!
//! With `R = 2^(64 N)`, `n` odd and `n < R`, and inputs `a, b < n`, the column sums give
//! `(a b + m n) / R < 2 n`, so one conditional subtraction leaves the result fully reduced.
//! This also holds when `n` is much smaller than `R` (a key padded up to a larger `N`).

/// A 192-bit accumulator in three 64-bit limbs, least significant first.
///
/// Three limbs rather than a `u128` and a `u64`: the carry out of the middle limb then goes
/// straight into the top one, and LLVM keeps one add-with-carry chain per product (about 3%
/// faster squaring than the `u128` form, measured on Zen 4).
#[derive(Clone, Copy, Default)]
struct Acc {
    l: u64,
    m: u64,
    h: u64,
}

impl Acc {
    /// Adds the 128-bit product `x * y`.
    #[inline(always)]
    fn mac(&mut self, x: u64, y: u64) {
        let p = u128::from(x) * u128::from(y);
        let (l, c0) = self.l.overflowing_add(p as u64);
        let (m, c1) = self.m.overflowing_add((p >> 64) as u64);
        let (m, c2) = m.overflowing_add(u64::from(c0));
        self.l = l;
        self.m = m;
        self.h = self.h.wrapping_add(u64::from(c1 | c2));
    }

    /// Adds `other`.
    #[inline(always)]
    fn add(&mut self, other: Acc) {
        let (l, c0) = self.l.overflowing_add(other.l);
        let (m, c1) = self.m.overflowing_add(other.m);
        let (m, c2) = m.overflowing_add(u64::from(c0));
        self.l = l;
        self.m = m;
        self.h = self
            .h
            .wrapping_add(other.h)
            .wrapping_add(u64::from(c1 | c2));
    }

    /// Adds twice `other` (the doubled cross products of a square).
    #[inline(always)]
    fn add_doubled(&mut self, other: Acc) {
        let (l, c0) = self.l.overflowing_add(other.l << 1);
        let (m, c1) = self.m.overflowing_add((other.m << 1) | (other.l >> 63));
        let (m, c2) = m.overflowing_add(u64::from(c0));
        self.l = l;
        self.m = m;
        self.h = self
            .h
            .wrapping_add((other.h << 1) | (other.m >> 63))
            .wrapping_add(u64::from(c1 | c2));
    }

    /// The low 64 bits.
    #[inline(always)]
    fn low(&self) -> u64 {
        self.l
    }

    /// Returns the low 64 bits and shifts the accumulator right by 64 bits.
    #[inline(always)]
    fn shift(&mut self) -> u64 {
        let out = self.l;
        self.l = self.m;
        self.m = self.h;
        self.h = 0;
        out
    }
}

/// `a - b` in place, returning the final borrow.
#[inline]
pub(super) fn sub_assign<const N: usize>(a: &mut [u64; N], b: &[u64; N]) -> bool {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b.iter()) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        *x = d2;
        borrow = b1 | b2;
    }
    borrow
}

/// `a < b`, comparing from the most significant limb (variable time).
#[inline]
pub(super) fn less_than<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// Final step of multiplication and squaring: `u + carry * 2^(64 N)` is below `2 n`;
/// subtract `n` once if that value is at least `n`. In place, so that the result array is
/// not copied on its way out.
#[inline(always)]
fn reduce_once<const N: usize>(u: &mut [u64; N], carry: u64, n: &[u64; N]) {
    if carry != 0 || !less_than(u, n) {
        sub_assign(u, n);
    }
}

/// Montgomery multiplication `a * b / R mod n`, for `a, b < n`; the result is below `n`.
///
/// `n0` is `-n^-1 mod 2^64`.
// Every index below is a loop counter or a combination of loop counters that the loop bounds
// keep inside 0..N (see the comment on each loop); none depends on the values. Plain indexing
// measured faster here than the iterator forms, which reverse one side of each column.
#[allow(clippy::indexing_slicing)]
#[inline(never)]
pub(super) fn mul_into<const N: usize>(
    a: &[u64; N],
    b: &[u64; N],
    n: &[u64; N],
    n0: u64,
    u: &mut [u64; N],
) {
    let mut m = [0u64; N];
    let mut acc = Acc::default();
    // Low columns k < N: i and k - i lie in 0..=k.
    for k in 0..N {
        // Into a fresh accumulator, so the loop need not wait for the previous column.
        let mut q = Acc::default();
        for i in 0..k {
            q.mac(a[i], b[k - i]);
            q.mac(m[i], n[k - i]);
        }
        acc.add(q);
        acc.mac(a[k], b[0]);
        let mk = acc.low().wrapping_mul(n0);
        m[k] = mk;
        acc.mac(mk, n[0]);
        // The low limb is now zero by the choice of mk.
        acc.shift();
    }
    // High columns k in N..2N-1: i in k+1-N..N, so i and k - i lie in 1..N.
    for k in N..2 * N - 1 {
        let mut q = Acc::default();
        for i in k + 1 - N..N {
            q.mac(a[i], b[k - i]);
            q.mac(m[i], n[k - i]);
        }
        acc.add(q);
        u[k - N] = acc.shift();
    }
    u[N - 1] = acc.shift();
    reduce_once(u, acc.low(), n);
}

/// [`mul_into`], returning the product.
pub(super) fn mul<const N: usize>(a: &[u64; N], b: &[u64; N], n: &[u64; N], n0: u64) -> [u64; N] {
    let mut u = [0u64; N];
    mul_into(a, b, n, n0, &mut u);
    u
}

/// Montgomery squaring `a * a / R mod n`, for `a < n`; the result is below `n`.
///
/// `n0` is `-n^-1 mod 2^64`. Columns are taken two at a time, `k` (even) and `k + 1`: one
/// pass over `i` gathers the cross products and the `m n` products of both, each into an
/// accumulator of its own, so the loads of `a_i` and `m_i` are shared, there are half as
/// many loops, and the loops do not wait on the carry chain of the columns before them
/// (about 5% faster than one column at a time, measured on Zen 4). `N` is even.
// Indices: k + 1 <= N - 1 in the low columns and k + 1 <= 2N - 3 in the high ones, so
// every `k - i`, `k + 1 - i`, `h + 1` and `N - 1` below lies in 0..N given the loop bounds
// (`i < k` in the low columns; `i >= k + 1 - N` in the high ones).
#[allow(clippy::indexing_slicing)]
#[inline(never)]
pub(super) fn sqr_into<const N: usize>(a: &[u64; N], n: &[u64; N], n0: u64, u: &mut [u64; N]) {
    const {
        assert!(
            N >= 2 && N.is_multiple_of(2),
            "squaring takes columns in pairs"
        )
    };
    let mut m = [0u64; N];
    let mut acc = Acc::default();
    // Low columns k, k + 1 for k = 0, 2, .., N - 2. Column k: cross products a_i a_(k-i)
    // for i < k / 2, doubled, plus a_(k/2)^2; m_i n_(k-i) for i < k; then m_k. Column
    // k + 1: cross products for i <= k / 2; m_i n_(k+1-i) for i <= k.
    for k in (0..N).step_by(2) {
        let h = k / 2;
        let (mut ck, mut ck1) = (Acc::default(), Acc::default());
        for i in 0..h {
            ck.mac(a[i], a[k - i]);
            ck1.mac(a[i], a[k + 1 - i]);
        }
        ck1.mac(a[h], a[h + 1]);
        let (mut q, mut p) = (Acc::default(), Acc::default());
        for i in 0..k {
            q.mac(m[i], n[k - i]);
            p.mac(m[i], n[k + 1 - i]);
        }
        acc.add(q);
        acc.add_doubled(ck);
        acc.mac(a[h], a[h]);
        let mk = acc.low().wrapping_mul(n0);
        m[k] = mk;
        acc.mac(mk, n[0]);
        // The low limb is now zero by the choice of mk.
        acc.shift();
        acc.add(p);
        acc.add_doubled(ck1);
        acc.mac(mk, n[1]);
        let mk1 = acc.low().wrapping_mul(n0);
        m[k + 1] = mk1;
        acc.mac(mk1, n[0]);
        acc.shift();
    }
    // High columns k, k + 1 for k = N, N + 2, .., 2N - 4 (i from first = k + 1 - N for
    // column k, from first + 1 for column k + 1), then column 2N - 2 alone.
    for k in (N..2 * N - 2).step_by(2) {
        let h = k / 2;
        let first = k + 1 - N;
        let (mut ck, mut ck1) = (Acc::default(), Acc::default());
        ck.mac(a[first], a[N - 1]);
        for i in first + 1..h {
            ck.mac(a[i], a[k - i]);
            ck1.mac(a[i], a[k + 1 - i]);
        }
        ck1.mac(a[h], a[h + 1]);
        let (mut q, mut p) = (Acc::default(), Acc::default());
        q.mac(m[first], n[N - 1]);
        for i in first + 1..N {
            q.mac(m[i], n[k - i]);
            p.mac(m[i], n[k + 1 - i]);
        }
        acc.add(q);
        acc.add_doubled(ck);
        acc.mac(a[h], a[h]);
        u[k - N] = acc.shift();
        acc.add(p);
        acc.add_doubled(ck1);
        u[k + 1 - N] = acc.shift();
    }
    acc.mac(a[N - 1], a[N - 1]);
    acc.mac(m[N - 1], n[N - 1]);
    u[N - 2] = acc.shift();
    u[N - 1] = acc.shift();
    reduce_once(u, acc.low(), n);
}

/// [`sqr_into`], returning the square.
pub(super) fn sqr<const N: usize>(a: &[u64; N], n: &[u64; N], n0: u64) -> [u64; N] {
    let mut u = [0u64; N];
    sqr_into(a, n, n0, &mut u);
    u
}

/// `2 a mod n` for `a < n`.
fn double_mod<const N: usize>(a: &mut [u64; N], n: &[u64; N]) {
    let mut top = 0u64;
    for x in a.iter_mut() {
        let next_top = *x >> 63;
        *x = (*x << 1) | top;
        top = next_top;
    }
    if top != 0 || !less_than(a, n) {
        sub_assign(a, n);
    }
}

/// `-n^-1 mod 2^64` for odd `n0` (the low limb of the modulus).
pub(super) fn neg_inv(n0: u64) -> u64 {
    // Newton iteration: x = n0 is correct to 3 bits, each step doubles that.
    let mut x = n0;
    for _ in 0..5 {
        x = x.wrapping_mul(2u64.wrapping_sub(n0.wrapping_mul(x)));
    }
    x.wrapping_neg()
}

/// `R^2 mod n` with `R = 2^(64 N)`, for an odd `n` of exactly `bits` bits (`bits <= 64 N`).
pub(super) fn r_squared<const N: usize>(n: &[u64; N], bits: usize, n0: u64) -> [u64; N] {
    let total = 64 * N;
    // x = 2^(bits - 1), which is below n because n is odd and has `bits` bits.
    let mut x = [0u64; N];
    let top = bits.saturating_sub(1);
    if let Some(limb) = x.get_mut(top / 64) {
        *limb = 1u64 << (top % 64);
    }
    // x = 2 R mod n: the Montgomery form of 2.
    for _ in top..=total {
        double_mod(&mut x, n);
    }
    // Raise the Montgomery form of 2 to the power 64 N, left to right: the result is the
    // Montgomery form of R, that is R^2 mod n.
    let exp_bits = usize::BITS - total.leading_zeros();
    for i in (0..exp_bits.saturating_sub(1)).rev() {
        x = sqr(&x, n, n0);
        if (total >> i) & 1 == 1 {
            double_mod(&mut x, n);
        }
    }
    x
}

/// `mu = floor(2^(128 N) / n)`, the Barrett constant of [`to_mont_barrett`], as `N + 1`
/// limbs; `None` when the top limb of `n` is zero (a key padded up to `N` limbs), where `mu`
/// would not fit. `rr` is `R^2 mod n` and `n0` is `-n^-1 mod 2^64`.
///
/// `R^2 - rr` is `mu n` exactly, so `mu` is that difference divided by `n`, an exact division
/// done from the low limb up (Hensel): each quotient limb is the running value's low limb
/// times `n^-1 mod 2^64`, and only the low `N + 1` limbs of the running value matter.
// `i <= N` and `i + j <= N` index `x` and `mu` (length `N + 1`); `n` is read through `get`.
#[allow(clippy::indexing_slicing)]
pub(super) fn barrett_mu<const N: usize>(
    n: &[u64; N],
    rr: &[u64; N],
    n0: u64,
) -> Option<Box<[u64]>> {
    if n.last().is_none_or(|&top| top == 0) {
        return None;
    }
    // x = -rr mod 2^(64 (N + 1)), which is R^2 - rr modulo that power.
    let mut low = [0u64; N];
    let borrow = sub_assign(&mut low, rr);
    let mut x = low.to_vec();
    x.push(0u64.wrapping_sub(u64::from(borrow)));
    let inv = n0.wrapping_neg();
    let mut mu = vec![0u64; N + 1];
    for i in 0..=N {
        let q = x[i].wrapping_mul(inv);
        mu[i] = q;
        // x -= q n 2^(64 i), on limbs i..=N; limb i becomes zero.
        let (mut carry, mut borrow) = (0u64, false);
        for j in 0..=N - i {
            let p = u128::from(q) * u128::from(n.get(j).copied().unwrap_or(0)) + u128::from(carry);
            carry = (p >> 64) as u64;
            let (d1, b1) = x[i + j].overflowing_sub(p as u64);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            x[i + j] = d2;
            borrow = b1 | b2;
        }
    }
    Some(mu.into_boxed_slice())
}

/// `s R mod n` (the Montgomery form of `s < n`) by Barrett reduction, given
/// `mu = floor(R^2 / n)` from [`barrett_mu`]: about `N^2` products where a Montgomery
/// product with `R^2 mod n` takes `2 N^2`, because `s R` is `s` shifted and needs no product.
///
/// The quotient `q = floor(s R / n)` is estimated as the top limbs of `s mu / R`, computed
/// from column `N - 2` up: the columns left out add less than `R` to the product and `mu`
/// is at most one below `R^2 / n`, so the estimate is at most two below `q`. The remainder
/// `s R - q n` is then below `3 n`; it is computed modulo `2^(64 (N + 1))` (the low `N + 1`
/// limbs of `q n` only) and brought below `n` by at most two subtractions. `None` if `mu`
/// has the wrong length or the remainder were still not reduced (neither happens for a
/// `mu` from [`barrett_mu`]).
// Indices: `c - N` lies in 0..N when `N <= c < 2 N`, and `n[0]` exists for `N >= 2`; the
// column sums read through `column`, which slices.
#[allow(clippy::indexing_slicing)]
#[inline(never)]
pub(super) fn to_mont_barrett<const N: usize>(
    s: &[u64; N],
    n: &[u64; N],
    mu: &[u64],
) -> Option<[u64; N]> {
    let (Some((&mu_top, mu)), true) = (mu.split_last(), N >= 2) else {
        return None;
    };
    let Ok(mu) = <&[u64; N]>::try_from(mu) else {
        return None;
    };
    // q (N limbs and a top limb) = floor(s mu / R), less what columns below N - 2 carry.
    // Column c holds s_i mu_(c-i) for c - i < N, and s_(c-N) mu_N.
    let mut q = [0u64; N];
    let mut acc = Acc::default();
    for c in N - 2..2 * N {
        let mut col = column(s, mu, c, (c + 1).saturating_sub(N), (c + 1).min(N));
        if c >= N {
            col.mac(s[c - N], mu_top);
        }
        acc.add(col);
        let limb = acc.shift();
        if c >= N {
            q[c - N] = limb;
        }
    }
    let q_top = acc.low();
    // t = q n mod 2^(64 (N + 1)): columns 0..=N.
    let mut t = [0u64; N];
    let mut acc = Acc::default();
    for (c, limb) in t.iter_mut().enumerate() {
        acc.add(column(&q, n, c, 0, c + 1));
        *limb = acc.shift();
    }
    let mut col = column(&q, n, N, 1, N);
    col.mac(q_top, n[0]);
    acc.add(col);
    // r = s R - t modulo 2^(64 (N + 1)): s R has the single limb s_0 there, at position N.
    let mut r = [0u64; N];
    let borrow = sub_assign(&mut r, &t);
    let mut r_top = s[0].wrapping_sub(acc.low()).wrapping_sub(u64::from(borrow));
    let mut subtracted = 0;
    while r_top != 0 || !less_than(&r, n) {
        if subtracted == 2 {
            return None;
        }
        r_top = r_top.wrapping_sub(u64::from(sub_assign(&mut r, n)));
        subtracted += 1;
    }
    Some(r)
}

/// The column sum `x_i y_(c-i)` over `i` in `lo..hi` (the caller keeps `i < N` and
/// `c - i < N`), in two accumulators taking alternate products, so that the two carry
/// chains run side by side. Out-of-range bounds give an empty sum.
#[inline(always)]
fn column<const N: usize>(x: &[u64; N], y: &[u64; N], c: usize, lo: usize, hi: usize) -> Acc {
    let (mut even, mut odd) = (Acc::default(), Acc::default());
    // x_lo .. x_(hi-1) against y_(c-lo) down to y_(c+1-hi): the y slice read backwards.
    let (Some(xs), Some(ys)) = (
        x.get(lo..hi),
        (c + 1)
            .checked_sub(hi)
            .and_then(|first| y.get(first..(c + 1).saturating_sub(lo))),
    ) else {
        return even;
    };
    let (xp, yp) = (xs.chunks_exact(2), ys.rchunks_exact(2));
    let (x_rest, y_rest) = (xp.remainder(), yp.remainder());
    for (xc, yc) in xp.zip(yp) {
        if let ([x0, x1], [y1, y0]) = (xc, yc) {
            even.mac(*x0, *y0);
            odd.mac(*x1, *y1);
        }
    }
    if let ([x_last], [y_last]) = (x_rest, y_rest) {
        even.mac(*x_last, *y_last);
    }
    even.add(odd);
    even
}

/// `s^e mod n` for `s < n`, odd `e >= 3`, given `rr = R^2 mod n`, the Barrett constant `mu`
/// when the key has one ([`barrett_mu`]) and `n0 = -n^-1 mod 2^64`.
///
/// `s` enters Montgomery form by [`to_mont_barrett`] (or a product with `rr` without `mu`),
/// then left-to-right square and multiply; the last multiplication, by the plain `s` rather
/// than its Montgomery form, also leaves Montgomery form. For `e = 65537` this is the
/// conversion, 16 squarings and 1 multiplication.
pub(super) fn pow_public<const N: usize>(
    s: &[u64; N],
    e: u64,
    n: &[u64; N],
    rr: &[u64; N],
    mu: Option<&[u64]>,
    n0: u64,
) -> [u64; N] {
    let x0 = mu
        .and_then(|mu| to_mont_barrett(s, n, mu))
        .unwrap_or_else(|| mul(s, rr, n, n0));
    chain(&x0, s, e, n, n0)
}

/// `s^e R^(1-e) mod n` for `s < n` and odd `e >= 3`: [`pow_public`] without converting `s`
/// into Montgomery form, one multiplication fewer. Whether `s^e` equals a given `m` is then
/// whether this equals `m R^(1-e) mod n` (`R` is invertible modulo the odd `n`), which
/// [`Pkcs1Target`] computes cheaply for a PKCS #1 v1.5 encoded message.
pub(super) fn pow_unconverted<const N: usize>(
    s: &[u64; N],
    e: u64,
    n: &[u64; N],
    n0: u64,
) -> [u64; N] {
    chain(s, s, e, n, n0)
}

/// The square-and-multiply chain over the bits of `e` (odd, at least 3): starting from `x0`,
/// multiplying by `x0` for every set bit below the leading one except the lowest, and by
/// `last` for the lowest. The result is `x0^(e-1) last R^(1-e) mod n`.
fn chain<const N: usize>(
    x0: &[u64; N],
    last: &[u64; N],
    e: u64,
    n: &[u64; N],
    n0: u64,
) -> [u64; N] {
    // Two buffers taken in turn, so that no step copies its result: `x` holds the value,
    // each step writes into `y` and the references swap.
    let (mut buf_x, mut buf_y) = (*x0, [0u64; N]);
    let (mut x, mut y) = (&mut buf_x, &mut buf_y);
    let e_bits = u64::BITS - e.leading_zeros();
    // Bits below the leading one, except the lowest (which is one since e is odd).
    for i in (1..e_bits.saturating_sub(1)).rev() {
        sqr_into(x, n, n0, y);
        core::mem::swap(&mut x, &mut y);
        if (e >> i) & 1 == 1 {
            mul_into(x, x0, n, n0, y);
            core::mem::swap(&mut x, &mut y);
        }
    }
    sqr_into(x, n, n0, y);
    mul(y, last, n, n0)
}

/// `a b / 2^(64 h) mod n` for a short `a` of `h` limbs and `b < n`: Montgomery
/// multiplication (operand scanning) with only `h` outer rounds, so `h N` multiplies for
/// the product and `h N` for the reduction. The result is fully reduced.
// `j` runs over 0..N and `j - 1` over 0..N-1: every index is inside the arrays.
#[allow(clippy::indexing_slicing)]
pub(super) fn mul_short<const N: usize>(
    a: &[u64],
    b: &[u64; N],
    n: &[u64; N],
    n0: u64,
) -> [u64; N] {
    // t (N limbs) plus top: the running value, kept below 2n (so top is 0 or 1 at the end).
    let mut t = [0u64; N];
    let mut top = 0u64;
    for &ai in a {
        // t += ai * b
        let mut carry = 0u64;
        for j in 0..N {
            let v = u128::from(t[j]) + u128::from(ai) * u128::from(b[j]) + u128::from(carry);
            t[j] = v as u64;
            carry = (v >> 64) as u64;
        }
        let v = u128::from(top) + u128::from(carry);
        top = v as u64;
        let above = (v >> 64) as u64;
        // t = (t + m n) / 2^64 with m chosen to clear the low limb.
        let m = t[0].wrapping_mul(n0);
        let v = u128::from(t[0]) + u128::from(m) * u128::from(n[0]);
        let mut carry = (v >> 64) as u64;
        for j in 1..N {
            let v = u128::from(t[j]) + u128::from(m) * u128::from(n[j]) + u128::from(carry);
            t[j - 1] = v as u64;
            carry = (v >> 64) as u64;
        }
        let v = u128::from(top) + u128::from(carry);
        t[N - 1] = v as u64;
        top = above + (v >> 64) as u64;
    }
    reduce_once(&mut t, top, n);
    t
}

/// `(a + b) mod n` for `a, b < n`.
pub(super) fn add_mod<const N: usize>(a: &[u64; N], b: &[u64; N], n: &[u64; N]) -> [u64; N] {
    let mut u = *a;
    let mut carry = false;
    for (x, &y) in u.iter_mut().zip(b.iter()) {
        let (s1, c1) = x.overflowing_add(y);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *x = s2;
        carry = c1 | c2;
    }
    reduce_once(&mut u, u64::from(carry), n);
    u
}
