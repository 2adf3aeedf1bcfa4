//! Typed reasons for every way a token, a key or a claim check can fail.
//!
//! Signature failures say "invalid signature" and nothing more, as RustCrypto's
//! `signature::Error` does: which byte was wrong is of use only to an attacker.

use core::fmt;

use crate::Algorithm;

/// Why a compact JWS could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// The token is longer than the configured limit.
    TooLong,
    /// Not exactly three `.`-separated segments (JSON serialization included).
    Malformed,
    /// A segment is not canonical unpadded base64url.
    Base64,
    /// The header is not a JSON object of the expected shape (or repeats a member).
    Header,
    /// The header's `alg` is `none`.
    AlgNone,
    /// The header's `alg` is not one this crate supports.
    UnsupportedAlgorithm,
    /// The header lists a `crit` extension (none is understood).
    UnknownCritical,
    /// A header member (`kid`, `typ`, `cty`) is longer than allowed.
    HeaderMemberTooLong,
    /// The signature segment has a length no supported algorithm produces.
    SignatureLength,
}

/// Why a signature did not verify with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The token's `alg` is not the algorithm the key is bound to.
    AlgorithmMismatch {
        /// The key's algorithm.
        key: Algorithm,
        /// The token's `alg`.
        token: Algorithm,
    },
    /// No key of the set matches the token's `kid` and `alg`.
    NoMatchingKey,
    /// The signature is not valid.
    InvalidSignature,
    /// The payload is not a JSON object.
    Claims,
}

/// Why a key could not be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The JWK is not JSON of the expected shape.
    Json,
    /// A key member is not canonical unpadded base64url.
    Base64,
    /// `kty` is missing or not `oct`, `RSA` or `EC`.
    UnsupportedKeyType,
    /// `crv` is not `P-256`.
    UnsupportedCurve,
    /// The key's or the requested algorithm is not supported.
    UnsupportedAlgorithm,
    /// The algorithm does not fit the key type (e.g. `RS256` for an `EC` key).
    AlgorithmKeyMismatch,
    /// The JWK names an `alg` other than the one requested.
    AlgorithmConflict,
    /// No algorithm was given and the JWK names none.
    AlgorithmMissing,
    /// `use` is present and is not `sig`.
    NotForSignature,
    /// `key_ops` is present and does not allow the operation.
    OperationNotAllowed,
    /// An RSA modulus below 2048 bits.
    RsaKeyTooSmall,
    /// An RSA modulus above 8192 bits.
    RsaKeyTooLarge,
    /// An RSA modulus or exponent that no real key has.
    RsaInvalid,
    /// An EC point not on P-256, or the identity.
    EcInvalidPoint,
    /// An HMAC key shorter than the hash output (RFC 7518 section 3.2).
    HmacKeyTooShort,
    /// A private key where a public one was expected, or the reverse.
    WrongKeyVisibility,
    /// A PEM or DER structure could not be read.
    Encoding,
    /// A member is longer than allowed (`kid`).
    MemberTooLong,
}

/// Why verified claims failed the claim policy. Every check has its own reason.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimError {
    /// The payload is not a JSON object with well-typed registered claims.
    Malformed,
    /// A required claim is absent.
    Missing(&'static str),
    /// `iss` is not the expected issuer.
    Issuer,
    /// `sub` is not the expected subject.
    Subject,
    /// `aud` names none of the accepted audiences.
    Audience,
    /// `exp` is in the past (beyond the leeway).
    Expired,
    /// `exp` is further ahead than the maximum lifetime allows.
    LifetimeTooLong,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// `iat` is in the future (beyond the leeway).
    IssuedInFuture,
    /// `iat` is older than the maximum age allows.
    TooOld,
    /// The header `typ` is not the expected one.
    Type,
}

/// Any failure of [`crate::Token`] parsing, verification or claim checking.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The token could not be parsed.
    Parse(ParseError),
    /// The signature did not verify.
    Verify(VerifyError),
    /// The claims failed the policy.
    Claims(ClaimError),
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::Parse(e)
    }
}
impl From<VerifyError> for Error {
    fn from(e: VerifyError) -> Self {
        Error::Verify(e)
    }
}
impl From<ClaimError> for Error {
    fn from(e: ClaimError) -> Self {
        Error::Claims(e)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseError::TooLong => "token too long",
            ParseError::Malformed => "not a compact JWS",
            ParseError::Base64 => "invalid base64url",
            ParseError::Header => "invalid JOSE header",
            ParseError::AlgNone => "alg none is not accepted",
            ParseError::UnsupportedAlgorithm => "unsupported algorithm",
            ParseError::UnknownCritical => "unknown critical header parameter",
            ParseError::HeaderMemberTooLong => "header member too long",
            ParseError::SignatureLength => "signature has an impossible length",
        })
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::AlgorithmMismatch { key, token } => {
                write!(f, "token alg {token} does not match key alg {key}")
            }
            VerifyError::NoMatchingKey => f.write_str("no matching key"),
            VerifyError::InvalidSignature => f.write_str("invalid signature"),
            VerifyError::Claims => f.write_str("payload is not a JSON object"),
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyError::Json => "key is not valid JSON",
            KeyError::Base64 => "key member is not valid base64url",
            KeyError::UnsupportedKeyType => "unsupported kty",
            KeyError::UnsupportedCurve => "unsupported crv",
            KeyError::UnsupportedAlgorithm => "unsupported alg",
            KeyError::AlgorithmKeyMismatch => "alg does not fit the key type",
            KeyError::AlgorithmConflict => "key alg conflicts with the requested alg",
            KeyError::AlgorithmMissing => "no alg given for the key",
            KeyError::NotForSignature => "key use is not sig",
            KeyError::OperationNotAllowed => "key_ops does not allow the operation",
            KeyError::RsaKeyTooSmall => "RSA key below 2048 bits",
            KeyError::RsaKeyTooLarge => "RSA key above 8192 bits",
            KeyError::RsaInvalid => "invalid RSA key",
            KeyError::EcInvalidPoint => "EC point not on P-256",
            KeyError::HmacKeyTooShort => "HMAC key shorter than the hash output",
            KeyError::WrongKeyVisibility => {
                "private key where a public key was expected, or the reverse"
            }
            KeyError::Encoding => "invalid PEM or DER",
            KeyError::MemberTooLong => "key member too long",
        })
    }
}

impl fmt::Display for ClaimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClaimError::Malformed => f.write_str("malformed claims"),
            ClaimError::Missing(c) => write!(f, "missing claim {c}"),
            ClaimError::Issuer => f.write_str("unexpected iss"),
            ClaimError::Subject => f.write_str("unexpected sub"),
            ClaimError::Audience => f.write_str("aud not accepted"),
            ClaimError::Expired => f.write_str("token expired"),
            ClaimError::LifetimeTooLong => f.write_str("exp too far in the future"),
            ClaimError::NotYetValid => f.write_str("token not yet valid"),
            ClaimError::IssuedInFuture => f.write_str("iat in the future"),
            ClaimError::TooOld => f.write_str("iat too old"),
            ClaimError::Type => f.write_str("unexpected typ"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse(e) => e.fmt(f),
            Error::Verify(e) => e.fmt(f),
            Error::Claims(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ParseError {}
impl std::error::Error for VerifyError {}
impl std::error::Error for KeyError {}
impl std::error::Error for ClaimError {}
impl std::error::Error for Error {}
