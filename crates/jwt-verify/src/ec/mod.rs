//! ECDSA P-256 (ES256) signature verification with precomputed tables.
//!
//! Verification computes `u1*G + u2*Q` as a sum of table entries, with no doublings: a fixed
//! table for the generator G (signed 10-bit windows: 26 additions; 832 KiB, built once per
//! process) and a per-key table for the public point Q (signed 5-bit windows: 52 additions;
//! 52 KiB, built when the key is loaded). The additions are mixed Jacobian-affine, on a
//! P-256-specific Montgomery field implementation. All inputs are public, so the arithmetic is
//! variable-time. The final `x(R) mod n == r` check is done in Jacobian coordinates, without a
//! field inversion; `s^-1 mod n` uses the `p256` crate's variable-time inversion.

mod field;
mod point;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Arc, OnceLock};

use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::ops::Reduce;
use p256::{FieldBytes, Scalar};

use field::{Fe, limbs_from_be_bytes};
use point::{
    Affine, GENERATOR, Jacobian, Window, add_entries, build_table, curve_rhs, recode_signed,
    selected_entries,
};

/// Number of signed W-bit windows that cover any 256-bit scalar, including the final carry.
const fn windows_for(w: u32) -> usize {
    257_usize.div_ceil(w as usize)
}

/// Window width of the generator table.
const G_W: u32 = 10;
/// Entries per generator-table window.
const G_HALF: usize = 1 << (G_W - 1);
/// Windows in the generator table.
const G_WINDOWS: usize = windows_for(G_W);

/// Window width of the per-key table.
const Q_W: u32 = 5;
/// Entries per per-key-table window.
const Q_HALF: usize = 1 << (Q_W - 1);
/// Windows in the per-key table.
const Q_WINDOWS: usize = windows_for(Q_W);

/// n, the group order, little-endian limbs.
const N: [u64; 4] = [
    0xf3b9_cac2_fc63_2551,
    0xbce6_faad_a717_9e84,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_0000_0000,
];

/// p - n, little-endian limbs: an x coordinate in `[n, p)` reduces to an r below this.
const P_MINUS_N: [u64; 4] = [0x0c46_353d_039c_daae, 0x4319_0553_58e8_617b, 0, 0];

/// n as a field element (n < p).
const N_FE: Fe = Fe::from_canonical_limbs(N);

/// The generator table, built on first use (`G_WINDOWS * G_HALF` affine points, 832 KiB).
static G_TABLE: OnceLock<Option<Box<[Window<G_HALF>]>>> = OnceLock::new();

/// The generator table; `None` only if building it failed (it cannot for the real generator).
fn g_table() -> Option<&'static [Window<G_HALF>]> {
    G_TABLE
        .get_or_init(|| {
            let mut table = vec![[Affine::PLACEHOLDER; G_HALF]; G_WINDOWS].into_boxed_slice();
            build_table::<G_W, G_HALF>(&GENERATOR, &mut table).then_some(table)
        })
        .as_deref()
}

/// Builds the process-wide generator table now (a few milliseconds, once) instead of during
/// the first verification.
#[cfg_attr(not(test), allow(dead_code))] // for a server that pays the cost at start-up
pub(crate) fn precompute_generator_table() {
    let _ = g_table();
}

/// Why a P-256 public key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EcKeyError {
    /// Not a point on the curve, the identity, a coordinate `>= p`, or a malformed encoding.
    InvalidPoint,
}

impl fmt::Display for EcKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EcKeyError::InvalidPoint => f.write_str("invalid P-256 public key point"),
        }
    }
}

impl std::error::Error for EcKeyError {}

/// A P-256 public key prepared once for many verifications.
///
/// Holds the point and a table of its multiples (52 KiB, shared between clones).
#[derive(Clone)]
pub(crate) struct P256PublicKey {
    point: Affine,
    table: Arc<[Window<Q_HALF>]>,
}

impl fmt::Debug for P256PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Hex([u8; 32]);
        impl fmt::Debug for Hex {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
        }
        f.debug_struct("P256PublicKey")
            .field("x", &Hex(self.x()))
            .field("y", &Hex(self.y()))
            .finish_non_exhaustive()
    }
}

impl PartialEq for P256PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.point == other.point
    }
}

impl Eq for P256PublicKey {}

impl P256PublicKey {
    /// From the affine coordinates as 32-byte big-endian field elements (JWK `x`, `y`).
    pub(crate) fn from_coordinates(x: &[u8; 32], y: &[u8; 32]) -> Result<Self, EcKeyError> {
        let (Some(x), Some(y)) = (Fe::from_bytes(x), Fe::from_bytes(y)) else {
            return Err(EcKeyError::InvalidPoint);
        };
        Self::from_affine(Affine { x, y })
    }

    /// From a SEC1 encoded point (uncompressed 65 bytes, or compressed 33 bytes).
    pub(crate) fn from_sec1(bytes: &[u8]) -> Result<Self, EcKeyError> {
        match bytes.split_first() {
            Some((0x04, rest)) if rest.len() == 64 => {
                let (Some(x), Some(y)) = (rest.first_chunk::<32>(), rest.last_chunk::<32>()) else {
                    return Err(EcKeyError::InvalidPoint);
                };
                Self::from_coordinates(x, y)
            }
            Some((&tag @ (0x02 | 0x03), rest)) if rest.len() == 32 => {
                let x = rest
                    .first_chunk::<32>()
                    .and_then(Fe::from_bytes)
                    .ok_or(EcKeyError::InvalidPoint)?;
                let mut y = curve_rhs(&x).sqrt().ok_or(EcKeyError::InvalidPoint)?;
                let want_odd = tag == 0x03;
                if y.is_odd() != want_odd {
                    y = y.neg();
                }
                if y.is_odd() != want_odd {
                    return Err(EcKeyError::InvalidPoint);
                }
                Self::from_affine(Affine { x, y })
            }
            _ => Err(EcKeyError::InvalidPoint),
        }
    }

    fn from_affine(point: Affine) -> Result<Self, EcKeyError> {
        // The identity has no affine form, and P-256 has prime order (cofactor 1): any point on
        // the curve is a valid public key of order n.
        if !point.is_on_curve() {
            return Err(EcKeyError::InvalidPoint);
        }
        let mut table = vec![[Affine::PLACEHOLDER; Q_HALF]; Q_WINDOWS];
        if !build_table::<Q_W, Q_HALF>(&point, &mut table) {
            return Err(EcKeyError::InvalidPoint);
        }
        Ok(Self {
            point,
            table: Arc::from(table),
        })
    }

    /// The affine x coordinate, 32 bytes big-endian.
    pub(crate) fn x(&self) -> [u8; 32] {
        self.point.x.to_bytes()
    }

    /// The affine y coordinate, 32 bytes big-endian.
    pub(crate) fn y(&self) -> [u8; 32] {
        self.point.y.to_bytes()
    }

    /// ECDSA verify (SEC1 4.1.4 / FIPS 186-5) of a SHA-256 digest with a 64-byte `r || s`
    /// signature (IEEE P1363). `r` and `s` must be in `[1, n-1]`; high `s` is accepted.
    /// Returns false on any failure.
    pub(crate) fn verify_prehash(&self, digest: &[u8; 32], signature: &[u8; 64]) -> bool {
        let (Some(r_bytes), Some(s_bytes)) =
            (signature.first_chunk::<32>(), signature.last_chunk::<32>())
        else {
            return false;
        };
        let (Some(r), Some(s)) = (scalar_in_range(r_bytes), scalar_in_range(s_bytes)) else {
            return false;
        };
        // The digest is exactly 256 bits, so bits2int is the identity; reduce it mod n.
        let e = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(*digest));
        let Some(w) = Option::<Scalar>::from(s.invert_vartime()) else {
            return false;
        };
        let u1 = limbs_from_be_bytes(&(e * w).to_bytes().into());
        let u2 = limbs_from_be_bytes(&(r * w).to_bytes().into());
        match self.lincomb(&u1, &u2) {
            Some(point) => x_matches(&point, &limbs_from_be_bytes(r_bytes)),
            None => false,
        }
    }

    /// `u1*G + u2*Q` for scalars given as little-endian limbs (`< 2^256`), as a sum of table
    /// entries; `None` only if the generator table could not be built.
    fn lincomb(&self, u1: &[u64; 4], u2: &[u64; 4]) -> Option<Jacobian> {
        let g_table = g_table()?;
        let g_digits = recode_signed::<G_W, G_WINDOWS>(u1);
        let q_digits = recode_signed::<Q_W, Q_WINDOWS>(u2);
        let entries =
            selected_entries(&g_digits, g_table).chain(selected_entries(&q_digits, &self.table));
        Some(add_entries(Jacobian::INFINITY, entries))
    }
}

/// Whether `x(point) mod n == r`, for `0 < r < n`, without leaving Jacobian coordinates.
///
/// x = X / Z^2 is below p, so `x mod n == r` means x == r, or x == r + n when r + n < p.
/// Both sides are compared multiplied by Z^2. The point at infinity matches nothing.
fn x_matches(point: &Jacobian, r: &[u64; 4]) -> bool {
    if point.is_infinity() {
        return false;
    }
    let z2 = point.z.square();
    let rz2 = Fe::from_canonical_limbs(*r).mul(&z2);
    if rz2 == point.x {
        return true;
    }
    limbs_lt(r, &P_MINUS_N) && rz2.add(&N_FE.mul(&z2)) == point.x
}

/// Parses a big-endian scalar and requires it to be in `[1, n-1]`.
fn scalar_in_range(bytes: &[u8; 32]) -> Option<Scalar> {
    let s = Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(*bytes)))?;
    (!bool::from(s.is_zero())).then_some(s)
}

/// `a < b` for little-endian limbs.
fn limbs_lt(a: &[u64; 4], b: &[u64; 4]) -> bool {
    a.iter().rev().cmp(b.iter().rev()).is_lt()
}
