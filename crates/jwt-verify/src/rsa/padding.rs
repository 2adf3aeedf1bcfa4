//! Signature encodings: EMSA-PKCS1-v1_5 (RFC 8017 section 9.2) and EMSA-PSS verification
//! (section 9.1.2) with MGF1 (appendix B.2.1).

use crate::digest::DigestBuf;

use super::mgf1;
use crate::algorithm::HashAlg;

/// DER of `DigestInfo` up to the digest, for SHA-256 (RFC 8017 section 9.2, note 1).
const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
/// DER of `DigestInfo` up to the digest, for SHA-384.
const SHA384_PREFIX: [u8; 19] = [
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
/// DER of `DigestInfo` up to the digest, for SHA-512.
const SHA512_PREFIX: [u8; 19] = [
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

/// Writes `EM = 0x00 01 FF..FF 00 || DigestInfo(hash) || digest` over all of `em`.
///
/// False if `digest` is not the hash's length or `em` is too short for at least 8 bytes
/// of 0xFF padding.
pub(super) fn pkcs1v15_encode(hash: HashAlg, digest: &[u8], em: &mut [u8]) -> bool {
    if digest.len() != hash.output_len() {
        return false;
    }
    let prefix: &[u8] = match hash {
        HashAlg::Sha256 => &SHA256_PREFIX,
        HashAlg::Sha384 => &SHA384_PREFIX,
        HashAlg::Sha512 => &SHA512_PREFIX,
    };
    let t_len = prefix.len() + digest.len();
    let Some(ps_len) = em.len().checked_sub(t_len + 3) else {
        return false;
    };
    if ps_len < 8 {
        return false;
    }
    let encoded = [0x00u8, 0x01]
        .iter()
        .chain(core::iter::repeat_n(&0xffu8, ps_len))
        .chain(&[0x00u8])
        .chain(prefix)
        .chain(digest);
    // Exactly em.len() bytes by the choice of ps_len.
    for (dst, &src) in em.iter_mut().zip(encoded) {
        *dst = src;
    }
    true
}

/// EMSA-PSS-VERIFY for `em_bits = modBits - 1`, with the salt as long as the hash output.
///
/// `em_full` is the `k`-byte output of RSAVP1; when `emLen = ceil(em_bits / 8)` is shorter
/// than `k` the leading byte must be zero (I2OSP to `emLen` bytes). `maskedDB` is unmasked
/// in place.
pub(super) fn pss_verify(hash: HashAlg, m_hash: &[u8], em_full: &mut [u8], em_bits: usize) -> bool {
    let h_len = hash.output_len();
    let s_len = h_len;
    if m_hash.len() != h_len {
        return false;
    }
    let em_len = em_bits.div_ceil(8);
    let Some(extra) = em_full.len().checked_sub(em_len) else {
        return false;
    };
    let Some((lead, em)) = em_full.split_at_mut_checked(extra) else {
        return false;
    };
    if lead.iter().any(|&b| b != 0) {
        return false;
    }
    // Step 3: emLen < hLen + sLen + 2 is inconsistent.
    if em_len < h_len + s_len + 2 {
        return false;
    }
    // Step 4: trailer.
    let Some((&mut trailer, rest)) = em.split_last_mut() else {
        return false;
    };
    if trailer != 0xbc {
        return false;
    }
    // Step 5: maskedDB || H.
    let db_len = em_len - h_len - 1;
    let Some((masked_db, h)) = rest.split_at_mut_checked(db_len) else {
        return false;
    };
    let h = &*h;
    // Step 6: the leftmost 8 * emLen - emBits bits of maskedDB must be zero.
    let zero_bits = 8 * em_len - em_bits;
    let keep_mask = 0xffu8.checked_shr(zero_bits as u32).unwrap_or(0);
    if masked_db.first().is_none_or(|&b| b & !keep_mask != 0) {
        return false;
    }
    // Steps 7-9: DB = maskedDB xor MGF1(H), with the leftmost bits cleared.
    let db = masked_db;
    if !mgf1::mgf1_xor(hash, h, db) {
        return false;
    }
    if let Some(first) = db.first_mut() {
        *first &= keep_mask;
    }
    // Step 10: PS (zeros) || 0x01 || salt.
    let ps_len = em_len - h_len - s_len - 2;
    let Some((ps, rest)) = db.split_at_checked(ps_len) else {
        return false;
    };
    if ps.iter().any(|&b| b != 0) {
        return false;
    }
    let Some((&one, salt)) = rest.split_first() else {
        return false;
    };
    if one != 0x01 || salt.len() != s_len {
        return false;
    }
    // Steps 12-14: H' = Hash(0x00 * 8 || mHash || salt) must equal H.
    DigestBuf::compute_parts(hash, &[&[0u8; 8], m_hash, salt]).as_bytes() == h
}
