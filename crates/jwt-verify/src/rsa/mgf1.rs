//! MGF1 (RFC 8017 appendix B.2.1) with SHA-256, SHA-384 and SHA-512, the mask of PSS.
//!
//! Each output block is the hash of `seed || counter`, a message shorter than one hash
//! block when the seed is as long as the hash output (always so in PSS, where the seed is the
//! hash `H`). So each block is a single compression of one fixed, already padded block in
//! which only the four counter bytes change, run from the hash's initial value: no hasher
//! state is cloned or finalized per block.

use sha2::block_api::{compress256, compress512};

use crate::algorithm::HashAlg;

/// SHA-256 initial hash value (FIPS 180-4 section 5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// SHA-384 initial hash value (FIPS 180-4 section 5.3.4).
const SHA384_IV: [u64; 8] = [
    0xcbbb_9d5d_c105_9ed8,
    0x629a_292a_367c_d507,
    0x9159_015a_3070_dd17,
    0x152f_ecd8_f70e_5939,
    0x6733_2667_ffc0_0b31,
    0x8eb4_4a87_6858_1511,
    0xdb0c_2e0d_64f9_8fa7,
    0x47b5_481d_befa_4fa4,
];

/// SHA-512 initial hash value (FIPS 180-4 section 5.3.5).
const SHA512_IV: [u64; 8] = [
    0x6a09_e667_f3bc_c908,
    0xbb67_ae85_84ca_a73b,
    0x3c6e_f372_fe94_f82b,
    0xa54f_f53a_5f1d_36f1,
    0x510e_527f_ade6_82d1,
    0x9b05_688c_2b3e_6c1f,
    0x1f83_d9ab_fb41_bd6b,
    0x5be0_cd19_137e_2179,
];

/// XORs `MGF1(seed, out.len())` with `hash` into `out`. False, with `out` untouched, if the
/// seed is not exactly the hash's output length (the only length PSS uses).
pub(super) fn mgf1_xor(hash: HashAlg, seed: &[u8], out: &mut [u8]) -> bool {
    if seed.len() != hash.output_len() {
        return false;
    }
    match hash {
        HashAlg::Sha256 => mask::<64, 4>(seed, out, |block| {
            let mut state = SHA256_IV;
            compress256(&mut state, core::slice::from_ref(block));
            state.map(u32::to_be_bytes)
        }),
        HashAlg::Sha384 | HashAlg::Sha512 => mask::<128, 8>(seed, out, |block| {
            let mut state = if hash == HashAlg::Sha384 {
                SHA384_IV
            } else {
                SHA512_IV
            };
            compress512(&mut state, core::slice::from_ref(block));
            state.map(u64::to_be_bytes)
        }),
    }
    true
}

/// MGF1 with a hash of `B`-byte blocks whose state is eight `W`-byte words: `hash_block`
/// compresses one padded block from the initial value and returns the state, big-endian.
/// The seed (at most 64 bytes, checked by the caller) plus the counter, padding byte and
/// length fit one block for every SHA-2 output size.
fn mask<const B: usize, const W: usize>(
    seed: &[u8],
    out: &mut [u8],
    hash_block: impl Fn(&[u8; B]) -> [[u8; W]; 8],
) {
    // The padded message `seed || counter`: SHA-2 padding is `0x80`, zeros, then the message
    // length in bits, big-endian, in the last 8 bytes (the SHA-384/512 length field is 16
    // bytes, whose high 8 stay zero).
    let counter_at = seed.len();
    let mut block = [0u8; B];
    for (dst, &src) in block.iter_mut().zip(seed) {
        *dst = src;
    }
    if let Some(b) = block.get_mut(counter_at + 4) {
        *b = 0x80;
    }
    let bits = 8 * (counter_at as u64 + 4);
    if let Some(len) = block.get_mut(B - 8..) {
        len.copy_from_slice(&bits.to_be_bytes());
    }
    for (counter, chunk) in (0u32..).zip(out.chunks_mut(seed.len())) {
        if let Some(c) = block.get_mut(counter_at..counter_at + 4) {
            c.copy_from_slice(&counter.to_be_bytes());
        }
        // The last chunk may be shorter than the hash output: the zip stops with it.
        for (dst, word) in chunk.chunks_mut(W).zip(hash_block(&block)) {
            for (d, b) in dst.iter_mut().zip(word) {
                *d ^= b;
            }
        }
    }
}
