//! RSA signature verification (RSASSA-PKCS1-v1_5 and RSASSA-PSS, RFC 8017) for public keys of
//! 2048 to 8192 bits.
//!
//! Verification handles public data only, so the arithmetic is variable time. The modulus is
//! kept as little-endian 64-bit limbs, zero-padded up to one of a few fixed sizes (32, 48, 64,
//! 96 or 128 limbs: 2048, 3072, 4096, 6144 and 8192 bits) so that the Montgomery code in
//! [`mont`] is compiled for each size, with constant loop bounds and no heap allocation per
//! verification.

// The key types reach this interface; until every part of it has a caller outside tests, unused
// items are not an error.
#![cfg_attr(not(test), allow(dead_code))]

mod mgf1;
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
    /// Modulus, little-endian limbs, zero-padded to one of the supported limb counts.
    n: Box<[u64]>,
    /// `R^2 mod n` for `R = 2^(64 * n.len())`, same layout as `n`.
    rr: Box<[u64]>,
    /// `floor(R^2 / n)` in `n.len() + 1` limbs, for bringing a signature into Montgomery form
    /// by Barrett reduction; absent when the modulus is padded (its top limb is zero).
    mu: Option<Box<[u64]>>,
    /// `-n^-1 mod 2^64`.
    n0: u64,
    /// Constants for PKCS #1 v1.5 verification, one set per hash.
    pkcs1: Pkcs1Targets,
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

/// Limb count used for a modulus of `bits` bits (within `MIN_BITS..=MAX_BITS`): the smallest
/// supported size that holds it.
fn padded_limbs(bits: usize) -> usize {
    match bits.div_ceil(64) {
        0..=32 => 32,
        33..=48 => 48,
        49..=64 => 64,
        65..=96 => 96,
        _ => 128,
    }
}

/// Strips leading zero bytes.
fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(zeros..).unwrap_or_default()
}

/// Big-endian bytes (at most `8 N` after leading zeros) into little-endian limbs; `None` if
/// they do not fit.
fn limbs_from_be<const N: usize>(bytes: &[u8]) -> Option<[u64; N]> {
    let bytes = trim_leading_zeros(bytes);
    if bytes.len() > 8 * N {
        return None;
    }
    let mut out = [0u64; N];
    let mut chunks = bytes.rchunks_exact(8);
    let mut limbs = out.iter_mut();
    // The chunks drive the zip, so that a limb is taken only for a chunk.
    for (chunk, limb) in chunks.by_ref().zip(limbs.by_ref()) {
        *limb = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_be_bytes);
    }
    // The most significant bytes, fewer than 8, make the next limb.
    if let Some(limb) = limbs.next() {
        *limb = chunks
            .remainder()
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    }
    Some(out)
}

/// Writes `x` as exactly `out.len()` big-endian bytes; false if `x` does not fit.
fn limbs_to_be<const N: usize>(x: &[u64; N], out: &mut [u8]) -> bool {
    let mut limbs = x.iter();
    for chunk in out.rchunks_mut(8) {
        let bytes = limbs.next().copied().unwrap_or(0).to_be_bytes();
        // A chunk shorter than 8 bytes takes the low bytes; the high ones must be zero.
        let skip = bytes.len() - chunk.len();
        if bytes.iter().take(skip).any(|&b| b != 0) {
            return false;
        }
        for (dst, &src) in chunk.iter_mut().zip(bytes.iter().skip(skip)) {
            *dst = src;
        }
    }
    limbs.all(|&l| l == 0)
}

/// Montgomery constants of a modulus.
struct Precomputed {
    /// The modulus, little-endian limbs, zero-padded.
    n: Box<[u64]>,
    /// `R^2 mod n`.
    rr: Box<[u64]>,
    /// `floor(R^2 / n)`, when the top limb of `n` is not zero.
    mu: Option<Box<[u64]>>,
    /// `-n^-1 mod 2^64`.
    n0: u64,
    /// Per-hash PKCS #1 v1.5 constants.
    pkcs1: Pkcs1Targets,
}

/// What a PKCS #1 v1.5 signature is compared with, for one hash, without converting the
/// signature into Montgomery form ([`mont::pow_unconverted`] gives `s^e K` with
/// `K = R^(1-e) mod n`). The encoded message is `EM = C + H`: a constant `C` (the padding
/// and the `DigestInfo` prefix, with the digest bytes zero) plus the digest `H` in the low
/// `h` limbs. So `EM K = C K + H K`, where `C K` is precomputed and `H K` is a short
/// Montgomery product of `H` with `K 2^(64 h)`: `2 h N` multiplies instead of `2 N^2`.
#[derive(Clone)]
struct Pkcs1Target {
    /// `C K mod n`.
    ck: Box<[u64]>,
    /// `K 2^(64 h) mod n`.
    kh: Box<[u64]>,
}

/// A [`Pkcs1Target`] for each hash.
#[derive(Clone)]
struct Pkcs1Targets {
    sha256: Pkcs1Target,
    sha384: Pkcs1Target,
    sha512: Pkcs1Target,
}

impl Pkcs1Targets {
    fn get(&self, hash: HashAlg) -> &Pkcs1Target {
        match hash {
            HashAlg::Sha256 => &self.sha256,
            HashAlg::Sha384 => &self.sha384,
            HashAlg::Sha512 => &self.sha512,
        }
    }
}

/// Montgomery constants for a modulus of `bits` bits padded to `N` limbs, public exponent `e`.
/// `None` only if the modulus is too short for a PKCS #1 v1.5 encoding with SHA-512, which
/// no accepted key is (2048 bits leave room for far more than the 94 bytes it takes).
fn precompute<const N: usize>(n_be: &[u8], bits: usize, e: u64) -> Option<Precomputed> {
    let n: [u64; N] = limbs_from_be(n_be)?;
    let n0 = mont::neg_inv(*n.first()?);
    let rr = mont::r_squared(&n, bits, n0);
    let mut one = [0u64; N];
    *one.first_mut()? = 1;
    // K = R^(1-e) mod n.
    let k_const = mont::pow_unconverted(&one, e, &n, n0);
    let target = |hash: HashAlg| -> Option<Pkcs1Target> {
        let mut em_buf = [0u8; MAX_BYTES];
        let em = em_buf.get_mut(..bits.div_ceil(8))?;
        let zero = [0u8; 64];
        if !padding::pkcs1v15_encode(hash, zero.get(..hash.output_len())?, em) {
            return None;
        }
        // Every value below is under n: EM (its top two bytes are 0x00 0x01, so it has
        // fewer bits than n), 2^(64 h) (h is at most 8 limbs), and every product.
        let c: [u64; N] = limbs_from_be(em)?;
        let ck = mont::mul(&mont::mul(&c, &rr, &n, n0), &k_const, &n, n0);
        let mut p2 = [0u64; N];
        *p2.get_mut(hash.output_len() / 8)? = 1;
        let kh = mont::mul(&k_const, &mont::mul(&p2, &rr, &n, n0), &n, n0);
        Some(Pkcs1Target {
            ck: Box::new(ck),
            kh: Box::new(kh),
        })
    };
    Some(Precomputed {
        pkcs1: Pkcs1Targets {
            sha256: target(HashAlg::Sha256)?,
            sha384: target(HashAlg::Sha384)?,
            sha512: target(HashAlg::Sha512)?,
        },
        mu: mont::barrett_mu(&n, &rr, n0),
        n: Box::new(n),
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
        // always below it; the comparison stays as the rule's statement.
        let e_bits = (u64::BITS - e_val.leading_zeros()) as usize;
        if e_val < 3 || e_val % 2 == 0 || e_bits >= bits {
            return Err(RsaKeyError::InvalidExponent);
        }

        let pre = match padded_limbs(bits) {
            32 => precompute::<32>(n_be, bits, e_val),
            48 => precompute::<48>(n_be, bits, e_val),
            64 => precompute::<64>(n_be, bits, e_val),
            96 => precompute::<96>(n_be, bits, e_val),
            _ => precompute::<128>(n_be, bits, e_val),
        };
        let pre = pre.ok_or(RsaKeyError::InvalidModulus)?;
        Ok(RsaPublicKey {
            n: pre.n,
            rr: pre.rr,
            mu: pre.mu,
            n0: pre.n0,
            pkcs1: pre.pkcs1,
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
    /// The signature must be exactly `k` bytes and below `n`, and `s^e mod n` must be the
    /// whole encoded message `0x00 01 FF..FF 00 || DigestInfo || digest` (both sides are
    /// compared times the same per-key constant, see [`Pkcs1Target`]); no ASN.1 is parsed
    /// from the signature.
    pub(crate) fn verify_pkcs1v15(&self, hash: HashAlg, digest: &[u8], signature: &[u8]) -> bool {
        if signature.len() != self.modulus_len() || digest.len() != hash.output_len() {
            return false;
        }
        let target = self.pkcs1.get(hash);
        match self.n.len() {
            32 => self.verify_pkcs1v15_n::<32>(target, digest, signature),
            48 => self.verify_pkcs1v15_n::<48>(target, digest, signature),
            64 => self.verify_pkcs1v15_n::<64>(target, digest, signature),
            96 => self.verify_pkcs1v15_n::<96>(target, digest, signature),
            128 => self.verify_pkcs1v15_n::<128>(target, digest, signature),
            _ => false,
        }
    }

    /// [`Self::verify_pkcs1v15`] for a key padded to `N` limbs: `s^e K == EM K (mod n)`,
    /// which holds exactly when `s^e mod n` is the encoded message (`K` is invertible, and
    /// both `s^e mod n` and `EM` are below `n`).
    fn verify_pkcs1v15_n<const N: usize>(
        &self,
        target: &Pkcs1Target,
        digest: &[u8],
        signature: &[u8],
    ) -> bool {
        let (Ok(n), Ok(ck), Ok(kh)) = (
            <&[u64; N]>::try_from(&*self.n),
            <&[u64; N]>::try_from(&*target.ck),
            <&[u64; N]>::try_from(&*target.kh),
        ) else {
            return false;
        };
        let (Some(s), Some(h)) = (limbs_from_be::<N>(signature), limbs_from_be::<8>(digest)) else {
            return false;
        };
        if !mont::less_than(&s, n) {
            return false;
        }
        // The digest's limbs, exactly h of them (a digest with leading zero bytes still
        // counts its full length).
        let Some(h) = h.get(..digest.len() / 8) else {
            return false;
        };
        let expected = mont::add_mod(ck, &mont::mul_short(h, kh, n, self.n0), n);
        mont::pow_unconverted(&s, self.e, n, self.n0) == expected
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
        digest.len() == hash.output_len()
            && self.public_op(signature, em)
            && padding::pss_verify(hash, digest, em, self.bits - 1)
    }

    /// RSAVP1 (RFC 8017 section 5.2.2): `em = signature^e mod n` as exactly `k` bytes.
    /// False if the signature is not exactly `k` bytes or not below `n`.
    fn public_op(&self, signature: &[u8], em: &mut [u8]) -> bool {
        if signature.len() != self.modulus_len() || em.len() != signature.len() {
            return false;
        }
        match self.n.len() {
            32 => self.public_op_n::<32>(signature, em),
            48 => self.public_op_n::<48>(signature, em),
            64 => self.public_op_n::<64>(signature, em),
            96 => self.public_op_n::<96>(signature, em),
            128 => self.public_op_n::<128>(signature, em),
            _ => false,
        }
    }

    /// [`Self::public_op`] for a key padded to `N` limbs.
    fn public_op_n<const N: usize>(&self, signature: &[u8], em: &mut [u8]) -> bool {
        let (Ok(n), Ok(rr)) = (
            <&[u64; N]>::try_from(&*self.n),
            <&[u64; N]>::try_from(&*self.rr),
        ) else {
            return false;
        };
        let Some(s) = limbs_from_be::<N>(signature) else {
            return false;
        };
        if !mont::less_than(&s, n) {
            return false;
        }
        let m = mont::pow_public(&s, self.e, n, rr, self.mu.as_deref(), self.n0);
        limbs_to_be(&m, em)
    }
}
