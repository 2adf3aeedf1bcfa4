//! P-256 group arithmetic in Jacobian coordinates with variable-time, incomplete formulas.
//!
//! Only public points are handled here (verification keys, the generator, ECDSA verification
//! intermediates), so the formulas branch on their inputs. Every exceptional case of the
//! incomplete addition formulas (an operand at infinity, equal operands, opposite operands) is
//! detected and handled, so results are always correct.

use super::field::Fe;

/// The curve coefficient b of y^2 = x^3 - 3x + b.
const B: Fe = Fe::from_canonical_limbs([
    0x3bce_3c3e_27d2_604b,
    0x651d_06b0_cc53_b0f6,
    0xb3eb_bd55_7698_86bc,
    0x5ac6_35d8_aa3a_93e7,
]);

/// The affine coordinates of the generator G.
pub(super) const GENERATOR: Affine = Affine {
    x: Fe::from_canonical_limbs([
        0xf4a1_3945_d898_c296,
        0x7703_7d81_2deb_33a0,
        0xf8bc_e6e5_63a4_40f2,
        0x6b17_d1f2_e12c_4247,
    ]),
    y: Fe::from_canonical_limbs([
        0xcbb6_4068_37bf_51f5,
        0x2bce_3357_6b31_5ece,
        0x8ee7_eb4a_7c0f_9e16,
        0x4fe3_42e2_fe1a_7f9b,
    ]),
};

/// `x^3 - 3x + b`, the right-hand side of the curve equation.
pub(super) fn curve_rhs(x: &Fe) -> Fe {
    let three_x = x.double().add(x);
    x.square().mul(x).sub(&three_x).add(&B)
}

/// A point in affine coordinates; never the point at infinity.
///
/// Aligned to 64 bytes (its size) so that a table entry occupies exactly one cache line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(C, align(64))]
pub(super) struct Affine {
    /// x coordinate.
    pub(super) x: Fe,
    /// y coordinate.
    pub(super) y: Fe,
}

impl Affine {
    /// A placeholder used to initialise tables before they are filled.
    pub(super) const PLACEHOLDER: Affine = Affine {
        x: Fe::ZERO,
        y: Fe::ZERO,
    };

    /// Whether the point satisfies the curve equation.
    pub(super) fn is_on_curve(&self) -> bool {
        self.y.square() == curve_rhs(&self.x)
    }

    /// `-self`.
    #[cfg(test)]
    pub(super) fn neg(&self) -> Affine {
        Affine {
            x: self.x,
            y: self.y.neg(),
        }
    }

    /// `-self` if `negate`, else `self`, without a branch (the sign of a recoded digit is
    /// unpredictable).
    #[inline(always)]
    pub(super) fn neg_if(&self, negate: bool) -> Affine {
        Affine {
            x: self.x,
            y: Fe::select(&self.y, &self.y.neg(), negate),
        }
    }

    /// The same point in Jacobian coordinates.
    pub(super) fn to_jacobian(self) -> Jacobian {
        Jacobian {
            x: self.x,
            y: self.y,
            z: Fe::ONE,
        }
    }
}

/// A point in Jacobian coordinates (X/Z^2, Y/Z^3); Z = 0 is the point at infinity.
#[derive(Clone, Copy, Debug)]
pub(super) struct Jacobian {
    pub(super) x: Fe,
    pub(super) y: Fe,
    pub(super) z: Fe,
}

impl Jacobian {
    /// The point at infinity.
    pub(super) const INFINITY: Jacobian = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    /// Whether this is the point at infinity.
    #[inline(always)]
    pub(super) fn is_infinity(&self) -> bool {
        self.z.is_zero()
    }

    /// `2 * self` ("dbl-2001-b", a = -3: 3M + 5S). Infinity maps to infinity.
    #[inline]
    pub(super) fn double(&self) -> Jacobian {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let t = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = t.double().add(&t);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let gamma2_8 = gamma.square().double().double().double();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&gamma2_8);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + q` for an affine `q` (8M + 3S), handling every exceptional case.
    #[inline]
    pub(super) fn add_affine(&self, q: &Affine) -> Jacobian {
        if self.is_infinity() {
            return q.to_jacobian();
        }
        let z1z1 = self.z.square();
        let u2 = q.x.mul(&z1z1);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y);
        if h.is_zero() {
            // Same x: either the same point (double) or opposite points (infinity).
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let hh = h.square();
        let hhh = h.mul(&hh);
        let v = self.x.mul(&hh);
        let x3 = r.square().sub(&hhh).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&hhh));
        let z3 = self.z.mul(&h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + q` for a Jacobian `q` (12M + 4S), handling every exceptional case.
    pub(super) fn add(&self, q: &Jacobian) -> Jacobian {
        if self.is_infinity() {
            return *q;
        }
        if q.is_infinity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1);
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let hh = h.square();
        let hhh = h.mul(&hh);
        let v = u1.mul(&hh);
        let x3 = r.square().sub(&hhh).sub(&v.double());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&hhh));
        let z3 = self.z.mul(&q.z).mul(&h);
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// The affine form, or `None` for the point at infinity (one field inversion).
    #[cfg(test)]
    pub(super) fn to_affine(self) -> Option<Affine> {
        if self.is_infinity() {
            return None;
        }
        let zinv = self.z.invert();
        let zinv2 = zinv.square();
        Some(Affine {
            x: self.x.mul(&zinv2),
            y: self.y.mul(&zinv2).mul(&zinv),
        })
    }
}

/// Converts finite Jacobian points to affine with a single field inversion (Montgomery's trick).
///
/// `scratch` must be as long as `points`; `out` receives the results. Returns `false` (and leaves
/// `out` unspecified) if any point is at infinity or the lengths differ.
pub(super) fn batch_to_affine(points: &[Jacobian], scratch: &mut [Fe], out: &mut [Affine]) -> bool {
    if points.len() != scratch.len() || points.len() != out.len() {
        return false;
    }
    if points.iter().any(Jacobian::is_infinity) {
        return false;
    }
    // scratch[i] = z_0 * ... * z_(i-1)
    let mut acc = Fe::ONE;
    for (p, s) in points.iter().zip(scratch.iter_mut()) {
        *s = acc;
        acc = acc.mul(&p.z);
    }
    // Walking backwards, inv = (z_0 * ... * z_i)^-1, so z_i^-1 = inv * scratch[i].
    let mut inv = acc.invert();
    for ((p, s), o) in points.iter().zip(scratch.iter()).zip(out.iter_mut()).rev() {
        let zinv = inv.mul(s);
        inv = inv.mul(&p.z);
        let zinv2 = zinv.square();
        *o = Affine {
            x: p.x.mul(&zinv2),
            y: p.y.mul(&zinv2).mul(&zinv),
        };
    }
    true
}

/// A fixed-base table: window `i` holds `k * 2^(W*i) * P` for `k = 1..=2^(W-1)`, in affine form.
///
/// With signed W-bit digits in `[-2^(W-1), 2^(W-1))`, a scalar multiple of P is the sum of one
/// table entry (or its negation) per non-zero digit: no doublings at all.
pub(super) type Window<const HALF: usize> = [Affine; HALF];

/// Fills `windows` with the fixed-base table of `base` for W-bit signed windows
/// (`HALF = 2^(W-1)` entries per window). Returns `false` if `base` is not a point of order n
/// (then no entry may be the point at infinity, which cannot happen for a valid curve point).
pub(super) fn build_table<const W: u32, const HALF: usize>(
    base: &Affine,
    windows: &mut [Window<HALF>],
) -> bool {
    let n = windows.len() * HALF;
    let mut jac = Vec::with_capacity(n);
    let mut window_base = base.to_jacobian();
    for _ in 0..windows.len() {
        // Entries k * B for k = 1..=HALF: even k by doubling k/2, odd k by adding B.
        let start = jac.len();
        jac.push(window_base);
        for k in 2..=HALF {
            let next = if k % 2 == 0 {
                jac.get(start + k / 2 - 1).map(Jacobian::double)
            } else {
                jac.get(start + k - 2).map(|prev| prev.add(&window_base))
            };
            match next {
                Some(p) => jac.push(p),
                None => return false,
            }
        }
        // Next window base: 2^W * B = 2 * (HALF * B).
        window_base = match jac.last() {
            Some(last) => last.double(),
            None => return false,
        };
    }
    let mut scratch = vec![Fe::ZERO; n];
    let mut flat = vec![Affine::PLACEHOLDER; n];
    if !batch_to_affine(&jac, &mut scratch, &mut flat) {
        return false;
    }
    for (window, chunk) in windows.iter_mut().zip(flat.chunks_exact(HALF)) {
        window.copy_from_slice(chunk);
    }
    true
}

/// Recodes a little-endian 256-bit scalar into `N` signed W-bit digits in
/// `[-2^(W-1), 2^(W-1)]`, least significant first: `k = sum d_i * 2^(W*i)`.
///
/// `N * W` must be at least 257 bits, or 256 when the top window cannot carry out; callers size
/// `N` accordingly (checked by tests for every scalar up to n - 1).
#[inline]
pub(super) fn recode_signed<const W: u32, const N: usize>(k: &[u64; 4]) -> [i16; N] {
    let mut digits = [0i16; N];
    let mask = (1u64 << W) - 1;
    let half = 1i64 << (W - 1);
    let mut carry = 0i64;
    for (i, d) in digits.iter_mut().enumerate() {
        let bit = i * W as usize;
        let limb = bit / 64;
        let off = bit % 64;
        let mut v = k.get(limb).map_or(0, |l| l >> off);
        if off + W as usize > 64 && off != 0 {
            v |= k.get(limb + 1).map_or(0, |l| l << (64 - off));
        }
        let v = ((v & mask) as i64) + carry;
        // v in [0, 2^W]; digits above half become negative with a carry into the next window.
        if v > half {
            *d = (v - (1i64 << W)) as i16;
            carry = 1;
        } else {
            *d = v as i16;
            carry = 0;
        }
    }
    digits
}

/// The table entries selected by signed digits: for each non-zero digit `d_i`, entry
/// `|d_i| - 1` of window `i`, with whether to negate it.
#[inline(always)]
pub(super) fn selected_entries<'a, const HALF: usize>(
    digits: &'a [i16],
    table: &'a [Window<HALF>],
) -> impl Iterator<Item = (&'a Affine, bool)> + 'a {
    digits.iter().zip(table).filter_map(|(&d, window)| {
        if d == 0 {
            return None;
        }
        window
            .get(usize::from(d.unsigned_abs()) - 1)
            .map(|entry| (entry, d < 0))
    })
}

/// `acc` plus the sum of the (possibly negated) points.
#[inline(always)]
pub(super) fn add_entries<'a>(
    mut acc: Jacobian,
    entries: impl Iterator<Item = (&'a Affine, bool)>,
) -> Jacobian {
    for (point, negate) in entries {
        acc = acc.add_affine(&point.neg_if(negate));
    }
    acc
}
