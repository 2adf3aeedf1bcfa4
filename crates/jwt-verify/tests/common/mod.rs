//! Fixed keys and small helpers shared by the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::PathBuf;
use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_verify::{Algorithm, SigningKey, VerifyingKey};

/// A 2048-bit RSA test key (PKCS#8), generated once with `openssl genpkey`.
pub const RSA_PKCS8_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAzhoLGeGSNscX\n\
cC6KYVUKyFvdVlocmoVzk1MNyDisUCCojOYc9bfsSNa7/yinalRFbLQsNK/NGNTq\n\
1ewxMdelE14rD3uRSU214h45rjhCbRMEMCcdGQUg6P5D0nQNSouqhHq3kPOV0dYb\n\
VNUdp0QGDbcmUr6sAQvCmnwsrkGd8+VIr1E3W8ZAP1i9vJAZ1/zaQonBL3fDffFy\n\
i/pBMOXisA48bYjzk02y8606boUQxRB2EhYtbArctvG+0xZ8iH/98P43UnUhvd1G\n\
9IH3HMa27KUxua9EjB4L3n7LiEgsOkTGOnim34uxG/dp0drR0fj1pewqXAnw3paN\n\
04PN7pNzAgMBAAECggEAChIvSqCZSw6EcMVB2DPSkDWRlKOSBRYjpPQEtN7BzcCe\n\
ZPvvldg58ke/gtRNsylz24xHViI8Zw2UgEFRlCQKFRoPnFb6wMbDnla5TAKSvktL\n\
tgzK+AUTYsgxu+HAK8hzOGl4WRRxg+7YM/OcRuEWN3tmQafR0qgiqbwb9LVMz879\n\
2+WkAi+SoyVJWHE+JWCBxLvL3Wf9/dM3+uUN6tdMD1xyGX5heAxhVmL11sCFX0vd\n\
JIOjjjFrGVKBPMxrHDCHvd4xpVaxSJijqF4q0Bmh3dN5v/DP8v/zKILvNCCJ1lXB\n\
gJuaM52lLx6QRQVgV22rbIGo2sJCtY4hZ+u73/JKRQKBgQDrYuX4Kmx3qRek6eBi\n\
jknJjDqu4oHg4uRZvOpAoLJj9WiwBFCOmJpjZxSAkNcRJQsCStL5U8g1YgmMG4YN\n\
bh6nhFCrEkDaKBVvgMFr4v9NAL6IApedxs5zmN9lMv4Teoeg269MtrpE5Qwcutpj\n\
VWqf3LMF1wvVj84x7kt93UDYZQKBgQDRsJQ9JAP/Wtt4llDrLfRGg56kQFM9SzC5\n\
qiEcF/8gssHW1KeJENQtORmXbmqLj7xEF4D3MoyxIjs81YJ2KeXaG243L7Idtt7r\n\
/UK288v3JSkKLdlNE9cfGHleilaM+LAsFGfOPZK8M67h8HcDh7QKM5xYe3iTrpZz\n\
hID2mKkC9wKBgCmSyxk8rPGpfNKUuBvQE7o0OT0gJl5I1JoA4sLNXxSGiJnl+TBm\n\
RYZe82ENs96EU2BxRLfik07SZOtJBTEkDOf7V6APVkLxp2+NJxxd+EdqZTxycMLe\n\
FSKXkoU2L2fTUVcY1epPr7BxX+VHH0FCGdXoTfovFBkBECMDenPdexF9AoGAAw46\n\
qsVqlX8CcbhnB3ZM9/YVCrmxPNRqqlnzT5B99EEGmBXTNykanmoVmGJQhSYcDTX2\n\
eCOxbydbi6Bk3UnxAoOh0IYOZ2ZxyyiOn1HgKALPnUlbwEbIvLhDlIAZkMZS8uF9\n\
PcEh8UIji0FQyqlgk0F7RsLN2AEUSiylIHLLC7MCgYEAmH3rGXDTkogHBLtzJsXN\n\
PqxcIFLY0xzzabFSLhHcZPdiC7BTt2SMjl7Vpe57xzWQUuP2TsFzv3Sv7jqwVP6s\n\
3w5C7tFVWuY5DAZRm3wAR5VxmevFcY1J0q3KWPceuQfxOX9nA9XGugiZTegMwefI\n\
C4sQeadHoEESzMyUfsRk3/4=\n\
-----END PRIVATE KEY-----\n\
";

/// The public half of [`RSA_PKCS8_PEM`] (SubjectPublicKeyInfo).
pub const RSA_SPKI_PEM: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwM4aCxnhkjbHF3AuimFV\n\
Cshb3VZaHJqFc5NTDcg4rFAgqIzmHPW37EjWu/8op2pURWy0LDSvzRjU6tXsMTHX\n\
pRNeKw97kUlNteIeOa44Qm0TBDAnHRkFIOj+Q9J0DUqLqoR6t5DzldHWG1TVHadE\n\
Bg23JlK+rAELwpp8LK5BnfPlSK9RN1vGQD9YvbyQGdf82kKJwS93w33xcov6QTDl\n\
4rAOPG2I85NNsvOtOm6FEMUQdhIWLWwK3LbxvtMWfIh//fD+N1J1Ib3dRvSB9xzG\n\
tuylMbmvRIweC95+y4hILDpExjp4pt+LsRv3adHa0dH49aXsKlwJ8N6WjdODze6T\n\
cwIDAQAB\n\
-----END PUBLIC KEY-----\n\
";

/// A P-256 test key (PKCS#8), generated once with `openssl genpkey`.
pub const EC_PKCS8_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgEjGHiysszgf/C+iS\n\
MolmLi8dEKq6J8TbodB/YdvYrzGhRANCAARfpJik7bptxnP2QWRalq6t4tDeNkz2\n\
w1QHNrdaJeruelHPLn2lrMZ5fgR4/xhHgNO0oaWp8S11ylsiG9QfCeng\n\
-----END PRIVATE KEY-----\n\
";

/// The public half of [`EC_PKCS8_PEM`] (SubjectPublicKeyInfo).
pub const EC_SPKI_PEM: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEX6SYpO26bcZz9kFkWpaureLQ3jZM\n\
9sNUBza3WiXq7npRzy59pazGeX4EeP8YR4DTtKGlqfEtdcpbIhvUHwnp4A==\n\
-----END PUBLIC KEY-----\n\
";

/// The RSA algorithms, in registry order.
pub const RSA_ALGS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// The HMAC algorithms.
pub const HMAC_ALGS: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// Unpadded base64url.
pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes unpadded base64url (test data only: panics on bad input).
pub fn unb64(s: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(s).unwrap_or_else(|e| panic!("bad base64url {s:?}: {e}"))
}

/// A compact JWS from a header and payload (JSON text, encoded here) and signature bytes.
pub fn compact(header: &str, payload: &str, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.as_bytes()),
        b64(payload.as_bytes()),
        b64(signature)
    )
}

/// The JWS signing input for a header and payload given as JSON text.
pub fn signing_input(header: &str, payload: &str) -> String {
    format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()))
}

/// Signs `header.payload` (JSON text) with `key`, whatever the header says.
pub fn sign_raw(key: &SigningKey, header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    let sig = key.sign(input.as_bytes(), &[0x5a; 32]).unwrap();
    format!("{input}.{}", b64(&sig))
}

/// A Wycheproof JOSE data file from the shared test data directory.
pub fn wycheproof_file(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/wycheproof/"
    ))
    .join(name)
}

/// Reads and parses a Wycheproof JOSE data file.
pub fn wycheproof_json(name: &str) -> serde_json::Value {
    let path = wycheproof_file(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

/// The RSA signing key of [`RSA_PKCS8_PEM`] bound to `alg`, parsed once per algorithm.
pub fn rsa_signing_key(alg: Algorithm) -> &'static SigningKey {
    static KEYS: OnceLock<Vec<SigningKey>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        RSA_ALGS
            .iter()
            .map(|a| SigningKey::from_pkcs8_pem(*a, RSA_PKCS8_PEM).unwrap())
            .collect()
    });
    keys.iter()
        .find(|k| k.alg() == alg)
        .unwrap_or_else(|| panic!("{alg} is not an RSA algorithm"))
}

/// The RSA verifying key of [`RSA_SPKI_PEM`] bound to `alg`.
pub fn rsa_verifying_key(alg: Algorithm) -> VerifyingKey {
    VerifyingKey::from_spki_pem(alg, RSA_SPKI_PEM).unwrap()
}

/// The P-256 signing key of [`EC_PKCS8_PEM`].
pub fn ec_signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_pkcs8_pem(Algorithm::ES256, EC_PKCS8_PEM).unwrap())
}

/// The P-256 verifying key of [`EC_SPKI_PEM`].
pub fn ec_verifying_key() -> VerifyingKey {
    VerifyingKey::from_spki_pem(Algorithm::ES256, EC_SPKI_PEM).unwrap()
}

/// A fixed HMAC secret as long as `alg`'s hash output.
pub fn hmac_secret(alg: Algorithm) -> Vec<u8> {
    (0..alg.hash().output_len())
        .map(|i| u8::try_from(i).unwrap().wrapping_mul(7).wrapping_add(3))
        .collect()
}

/// A signing key and its verifying key for `alg`, from the fixed test keys.
pub fn key_pair(alg: Algorithm) -> (SigningKey, VerifyingKey) {
    if alg.is_symmetric() {
        let secret = hmac_secret(alg);
        (
            SigningKey::hmac(alg, &secret).unwrap(),
            VerifyingKey::hmac(alg, &secret).unwrap(),
        )
    } else if alg == Algorithm::ES256 {
        (ec_signing_key().clone(), ec_verifying_key())
    } else {
        (rsa_signing_key(alg).clone(), rsa_verifying_key(alg))
    }
}
