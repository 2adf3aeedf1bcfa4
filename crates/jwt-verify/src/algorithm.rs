//! The JWS algorithms this crate knows (RFC 7518 section 3.1) and the hashes behind them.

use core::fmt;
use core::str::FromStr;

/// A JWS `alg` value this crate can verify and sign.
///
/// `none` is not representable: an unsecured JWS can never be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC with SHA-256 (RFC 7518 section 3.2).
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 section 3.3).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256, salt length 32 (RFC 7518 section 3.5).
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384, salt length 48.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512, salt length 64.
    PS512,
    /// ECDSA on P-256 with SHA-256, signature as 64-byte `r || s` (RFC 7518 section 3.4).
    ES256,
}

/// The hash function an algorithm uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// SHA-256, 32-byte output.
    Sha256,
    /// SHA-384, 48-byte output.
    Sha384,
    /// SHA-512, 64-byte output.
    Sha512,
}

/// The family of key an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyFamily {
    /// A shared secret (`kty: oct`).
    Hmac,
    /// An RSA key, PKCS#1 v1.5 padding.
    RsaPkcs1,
    /// An RSA key, PSS padding.
    RsaPss,
    /// A P-256 key.
    EcP256,
}

impl HashAlg {
    /// Output length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }
}

impl Algorithm {
    /// Every supported algorithm, in registry order.
    pub const ALL: [Algorithm; 10] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
    ];

    /// The registered `alg` name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
        }
    }

    /// The hash this algorithm uses.
    #[must_use]
    pub const fn hash(self) -> HashAlg {
        match self {
            Algorithm::HS256 | Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 => {
                HashAlg::Sha256
            }
            Algorithm::HS384 | Algorithm::RS384 | Algorithm::PS384 => HashAlg::Sha384,
            Algorithm::HS512 | Algorithm::RS512 | Algorithm::PS512 => HashAlg::Sha512,
        }
    }

    /// The key family this algorithm needs.
    #[must_use]
    pub const fn family(self) -> KeyFamily {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => KeyFamily::Hmac,
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => KeyFamily::RsaPkcs1,
            Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => KeyFamily::RsaPss,
            Algorithm::ES256 => KeyFamily::EcP256,
        }
    }

    /// True for the HMAC algorithms (a shared secret, not a public key).
    #[must_use]
    pub const fn is_symmetric(self) -> bool {
        matches!(self.family(), KeyFamily::Hmac)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `alg` value that is not one of [`Algorithm::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsupportedAlgorithm;

impl fmt::Display for UnsupportedAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unsupported algorithm")
    }
}

impl std::error::Error for UnsupportedAlgorithm {}

impl FromStr for Algorithm {
    type Err = UnsupportedAlgorithm;

    /// Case-sensitive, as RFC 7515 section 4.1.1 requires.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or(UnsupportedAlgorithm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
            assert!(alg.as_str().to_lowercase().parse::<Algorithm>().is_err());
        }
        for other in ["none", "ES384", "ES512", "EdDSA", "", "HS256 "] {
            assert_eq!(other.parse::<Algorithm>(), Err(UnsupportedAlgorithm));
        }
    }
}
