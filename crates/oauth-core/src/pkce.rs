//! Proof Key for Code Exchange (RFC 7636).

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::records::{ChallengeMethod, CodeChallenge};

/// True when `v` is a valid `code_verifier` or S256 `code_challenge`: 43 to 128 characters
/// of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"` (RFC 7636 section 4.1).
#[must_use]
pub fn is_valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Checks a verifier against the challenge (RFC 7636 section 4.6).
#[must_use]
pub fn verify(challenge: &CodeChallenge, verifier: &str) -> bool {
    if !is_valid_verifier(verifier) {
        return false;
    }
    match challenge.method {
        ChallengeMethod::S256 => {
            let computed = Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes()));
            computed
                .as_bytes()
                .ct_eq(challenge.challenge.as_bytes())
                .into()
        }
        ChallengeMethod::Plain => verifier
            .as_bytes()
            .ct_eq(challenge.challenge.as_bytes())
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let c = CodeChallenge {
            challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned(),
            method: ChallengeMethod::S256,
        };
        assert!(verify(&c, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!verify(&c, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"));
        assert!(!verify(&c, "short"));
    }
}
