//! RSA signature verification (RSASSA-PKCS1-v1_5 and RSASSA-PSS, RFC 8017) for public keys of
//! 2048 to 8192 bits.
//!
//! Verification handles public data only, so the arithmetic is variable time. The modulus is
//! kept as little-endian 64-bit limbs, padded up to one of a few fixed sizes (32, 48, 64, 96
//! or 128 limbs) so that the Montgomery code in [`mont`] is monomorphised for each of them and
//! needs no heap allocation per verification.

// The key types reach this interface; until every part of it has a caller outside tests, unused
// items are not an error.
#![cfg_attr(not(test), allow(dead_code))]

mod mont;
mod padding;

#[cfg(test)]
mod tests;

use core::fmt;

use crate::algorithm::HashAlg;

/// Smallest accepted modulus, in bits.
const MIN_BITS: usize = 2048;
/// Largest accepted modulus, in bits.
const MAX_BITS: usize = 8192;
/// Largest modulus length in bytes.
const MAX_BYTES: usize = MAX_BITS / 8;

/// Why an RSA public key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaKeyError {
    /// The modulus has fewer than 2048 bits.
    TooSmall,
    /// The modulus has more than 8192 bits.
    TooLarge,
    /// The modulus is zero or even.
    InvalidModulus,
    /// The exponent is even, below 3, not below the modulus, or longer than 8 bytes.
    InvalidExponent,
}

impl fmt::Display for RsaKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RsaKeyError::TooSmall => "RSA modulus is shorter than 2048 bits",
            RsaKeyError::TooLarge => "RSA modulus is longer than 8192 bits",
            RsaKeyError::InvalidModulus => "RSA modulus is zero or even",
            RsaKeyError::InvalidExponent => "RSA public exponent is invalid",
        })
    }
}

impl std::error::Error for RsaKeyError {}

/// An RSA public key prepared once for many verifications (Montgomery constants precomputed).
#[derive(Clone)]
pub(crate) struct RsaPublicKey {
    /// Modulus, little-endian limbs, zero-padded to a supported limb count.
    n: Box<[u64]>,
    /// The limbs of `n` in reverse order (most significant first).
    n_rev: Box<[u64]>,
    /// `R^2 mod n` for `R = 2^(64 * n.len())`, same layout as `n`.
    rr: Box<[u64]>,
    /// `-n^-1 mod 2^64`.
    n0: u64,
    /// Public exponent.
    e: u64,
    /// Modulus bit length.
    bits: usize,
    /// Minimal big-endian modulus.
    n_be: Box<[u8]>,
    /// Minimal big-endian exponent.
    e_be: Box<[u8]>,
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

/// Array length (limbs plus [`mont::PAD`]) used for a modulus of `bits` bits, within
/// `MIN_BITS..=MAX_BITS`: the smallest supported size that holds it. Each of 2048, 3072, 4096,
/// 6144 and 8192 bits gets the fewest limbs that hold it.
fn padded_len(bits: usize) -> usize {
    let limbs = match bits.div_ceil(mont::LIMB_BITS as usize) {
        0..=35 => 35,
        36..=53 => 53,
        54..=70 => 70,
        71..=105 => 105,
        _ => 139,
    };
    limbs + mont::PAD
}

/// Strips leading zero bytes.
fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(zeros..).unwrap_or_default()
}

/// Big-endian bytes into little-endian limbs of `LIMB_BITS` bits, in an array of `P` limbs
/// whose last [`mont::PAD`] stay zero; `None` if the value does not fit.
fn limbs_from_be<const P: usize>(bytes: &[u8]) -> Option<[u64; P]> {
    let bytes = trim_leading_zeros(bytes);
    let top_bits = bytes.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
    let bit_len = (8 * bytes.len()).saturating_sub(8) + top_bits;
    if bit_len > mont::LIMB_BITS as usize * (P - mont::PAD) {
        return None;
    }
    let mask = (1u64 << mont::LIMB_BITS) - 1;
    let mut out = [0u64; P];
    let mut slots = out.iter_mut();
    let mut buf = 0u128;
    let mut buf_bits = 0u32;
    for &b in bytes.iter().rev() {
        buf |= u128::from(b) << buf_bits;
        buf_bits += 8;
        if buf_bits >= mont::LIMB_BITS {
            if let Some(slot) = slots.next() {
                *slot = (buf as u64) & mask;
            }
            buf >>= mont::LIMB_BITS;
            buf_bits -= mont::LIMB_BITS;
        }
    }
    if let Some(slot) = slots.next() {
        *slot = buf as u64;
    }
    Some(out)
}

/// Writes the value of the limbs `x` as exactly `out.len()` big-endian bytes; false if it
/// does not fit.
fn limbs_to_be<const P: usize>(x: &[u64; P], out: &mut [u8]) -> bool {
    let mut limbs = x.iter();
    let mut buf = 0u128;
    let mut buf_bits = 0u32;
    for dst in out.iter_mut().rev() {
        if buf_bits < 8 {
            if let Some(&limb) = limbs.next() {
                buf |= u128::from(limb) << buf_bits;
                buf_bits += mont::LIMB_BITS;
            }
        }
        *dst = buf as u8;
        buf >>= 8;
        buf_bits = buf_bits.saturating_sub(8);
    }
    buf == 0 && limbs.all(|&l| l == 0)
}

/// Montgomery constants of a modulus, for a padded limb count.
struct Precomputed {
    n: Box<[u64]>,
    n_rev: Box<[u64]>,
    rr: Box<[u64]>,
    n0: u64,
}

/// Key precomputation for the array length `P` (see [`padded_len`]).
fn precompute<const P: usize>(n_be: &[u8], bits: usize) -> Option<Precomputed> {
    let n: [u64; P] = limbs_from_be(n_be)?;
    let n_rev = mont::reversed(&n);
    let n0 = mont::neg_inv(*n.first()?);
    let md = mont::Modulus {
        n: &n,
        rev: &n_rev,
        n0,
    };
    let rr = mont::r_squared(&md, bits);
    Some(Precomputed {
        n: Box::new(n),
        n_rev: Box::new(n_rev),
        rr: Box::new(rr),
        n0,
    })
}

impl RsaPublicKey {
    /// Prepares a key from the modulus `n` and exponent `e` as big-endian unsigned bytes
    /// (leading zero bytes allowed, as in JWK `n`/`e` after base64url decoding).
    ///
    /// Refuses a modulus below 2048 bits ([`RsaKeyError::TooSmall`]), above 8192 bits
    /// ([`RsaKeyError::TooLarge`]), zero or even ([`RsaKeyError::InvalidModulus`]), and an
    /// exponent that is even, below 3, not below `n` or longer than 8 bytes
    /// ([`RsaKeyError::InvalidExponent`]).
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<Self, RsaKeyError> {
        let n_be = trim_leading_zeros(n);
        let Some(&n_top) = n_be.first() else {
            return Err(RsaKeyError::InvalidModulus);
        };
        let bits = 8 * n_be.len() - n_top.leading_zeros() as usize;
        if bits < MIN_BITS {
            return Err(RsaKeyError::TooSmall);
        }
        if bits > MAX_BITS {
            return Err(RsaKeyError::TooLarge);
        }
        if n_be.last().is_none_or(|&b| b & 1 == 0) {
            return Err(RsaKeyError::InvalidModulus);
        }

        let e_be = trim_leading_zeros(e);
        if e_be.len() > 8 {
            return Err(RsaKeyError::InvalidExponent);
        }
        let e_val = e_be.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        // Every accepted modulus has at least 2048 bits, so an exponent of at most 64 bits is
        // always below it; the comparison stays for clarity.
        let e_bits = (u64::BITS - e_val.leading_zeros()) as usize;
        if e_val < 3 || e_val % 2 == 0 || e_bits >= bits {
            return Err(RsaKeyError::InvalidExponent);
        }

        let pre = match padded_len(bits) {
            39 => precompute::<39>(n_be, bits),
            57 => precompute::<57>(n_be, bits),
            74 => precompute::<74>(n_be, bits),
            109 => precompute::<109>(n_be, bits),
            _ => precompute::<143>(n_be, bits),
        };
        let pre = pre.ok_or(RsaKeyError::InvalidModulus)?;
        Ok(RsaPublicKey {
            n: pre.n,
            n_rev: pre.n_rev,
            rr: pre.rr,
            n0: pre.n0,
            e: e_val,
            bits,
            n_be: n_be.into(),
            e_be: e_be.into(),
        })
    }

    /// Modulus length in bits.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// Modulus length in bytes, `k = ceil(bits / 8)`.
    pub(crate) fn modulus_len(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// The modulus as minimal big-endian bytes (no leading zeros), as for a JWK `n`.
    pub(crate) fn n_be(&self) -> &[u8] {
        &self.n_be
    }

    /// The public exponent as minimal big-endian bytes (no leading zeros), as for a JWK `e`.
    pub(crate) fn e_be(&self) -> &[u8] {
        &self.e_be
    }

    /// RSASSA-PKCS1-v1_5 verification (RFC 8017 section 8.2.2) of an already computed
    /// `digest` made with `hash`. False on any failure.
    ///
    /// The signature must be exactly `k` bytes and below `n`. The whole recovered message
    /// representative is compared against `0x00 01 FF..FF 00 || DigestInfo || digest`; no
    /// ASN.1 is parsed from the signature.
    pub(crate) fn verify_pkcs1v15(&self, hash: HashAlg, digest: &[u8], signature: &[u8]) -> bool {
        let k = self.modulus_len();
        let mut em_buf = [0u8; MAX_BYTES];
        let Some(em) = em_buf.get_mut(..k) else {
            return false;
        };
        if !self.public_op(signature, em) {
            return false;
        }
        let mut expected_buf = [0u8; MAX_BYTES];
        let Some(expected) = expected_buf.get_mut(..k) else {
            return false;
        };
        padding::pkcs1v15_encode(hash, digest, expected) && em == expected
    }

    /// RSASSA-PSS verification (RFC 8017 sections 8.1.2 and 9.1.2) of an already computed
    /// `digest` made with `hash`: MGF1 with the same hash, salt length exactly the hash output
    /// length, trailer 0xBC. False on any failure.
    pub(crate) fn verify_pss(&self, hash: HashAlg, digest: &[u8], signature: &[u8]) -> bool {
        let k = self.modulus_len();
        let mut em_buf = [0u8; MAX_BYTES];
        let Some(em) = em_buf.get_mut(..k) else {
            return false;
        };
        if !self.public_op(signature, em) {
            return false;
        }
        padding::pss_verify(hash, digest, em, self.bits - 1)
    }

    /// RSAVP1 (RFC 8017 section 5.2.2): `em = signature^e mod n` as exactly `k` bytes.
    /// False if the signature is not exactly `k` bytes or not below `n`.
    fn public_op(&self, signature: &[u8], em: &mut [u8]) -> bool {
        if signature.len() != self.modulus_len() || em.len() != signature.len() {
            return false;
        }
        match self.n.len() {
            39 => self.public_op_n::<39>(signature, em),
            57 => self.public_op_n::<57>(signature, em),
            74 => self.public_op_n::<74>(signature, em),
            109 => self.public_op_n::<109>(signature, em),
            143 => self.public_op_n::<143>(signature, em),
            _ => false,
        }
    }

    /// [`Self::public_op`] for a key stored in arrays of `P` limbs.
    fn public_op_n<const P: usize>(&self, signature: &[u8], em: &mut [u8]) -> bool {
        let (Ok(n), Ok(n_rev), Ok(rr)) = (
            <&[u64; P]>::try_from(&*self.n),
            <&[u64; P]>::try_from(&*self.n_rev),
            <&[u64; P]>::try_from(&*self.rr),
        ) else {
            return false;
        };
        let md = mont::Modulus {
            n,
            rev: n_rev,
            n0: self.n0,
        };
        let Some(s) = limbs_from_be::<P>(signature) else {
            return false;
        };
        if !mont::less_than(&s, n) {
            return false;
        }
        let m = mont::pow_public(&s, self.e, &md, rr);
        limbs_to_be(&m, em)
    }
}
