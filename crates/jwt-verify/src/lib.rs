//! Compact JWS verification and signing for an OAuth 2.0 authorization server, with no I/O.
//!
//! Client assertions (RFC 7523), CIBA hints, request objects (RFC 9101) and the ID tokens an
//! authorization server signs all pass through this crate. It knows nothing of OAuth flows.
//!
//! The path of a token:
//!
//! 1. [`Token::parse`]: exactly three canonical base64url segments, a bounded length, the
//!    header parsed once, `alg: none` and unknown `crit` refused. Claims are not reachable.
//! 2. [`Token::verify`] with one [`VerifyingKey`], or [`Token::verify_with_set`] with a
//!    [`KeySet`] chosen by `kid` and `alg`. A key is bound to one [`Algorithm`] and the
//!    header's `alg` must equal it before any cryptography runs.
//! 3. [`ClaimPolicy::check`]: `iss`, `sub`, `aud`, `exp` (required, bounded), `nbf`, `iat`,
//!    `typ` and `jti` as the policy's constructor demands; every failure a typed reason.
//!
//! ```
//! use jwt_verify::{Algorithm, ClaimPolicy, SigningKey, Token, VerifyingKey};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = b"a shared secret of at least 32 bytes!!";
//! let now = 1_700_000_000;
//! // What a client would send as client_secret_jwt:
//! let assertion = SigningKey::hmac(Algorithm::HS256, secret)?.sign_jwt(
//!     None,
//!     &serde_json::json!({
//!         "iss": "client-1", "sub": "client-1", "aud": "https://as.example/token",
//!         "exp": now + 60, "jti": "4f1c2b",
//!     }),
//!     &[7; 32],
//! )?;
//!
//! // What the authorization server does with it:
//! let key = VerifyingKey::hmac(Algorithm::HS256, secret)?;
//! let audiences = ["https://as.example/token", "https://as.example"];
//! let policy = ClaimPolicy::client_assertion("client-1", &audiences, now);
//! let verified = Token::parse(&assertion)?.verify(&key)?;
//! let claims = policy.check(&verified)?;
//! assert_eq!(claims.jti.as_deref(), Some("4f1c2b")); // for the caller's replay check
//! # Ok(())
//! # }
//! ```
//!
//! Time is an argument ([`ClaimPolicy::new`] takes `now`) and randomness for signing comes
//! from the caller ([`SigningKey::sign`] takes fresh entropy): this crate reads no clock and
//! no OS random source.
#![forbid(unsafe_code)]

pub mod algorithm;
mod b64;
pub mod claims;
pub mod danger;
mod digest;
mod ec;
pub mod error;
mod flat_json;
pub mod header;
mod hmac_key;
mod inline;
mod json;
pub mod jwk;
pub mod key;
pub mod keyset;
mod roca;
mod rsa;
pub mod sign;
pub mod signature;
pub mod token;

pub use algorithm::{Algorithm, HashAlg, KeyFamily};
pub use claims::{Aud, Audience, ClaimPolicy, Claims, Issuer, UnixTime};
pub use error::{ClaimError, Error, KeyError, ParseError, VerifyError};
pub use header::Header;
pub use jwk::Jwk;
pub use key::VerifyingKey;
pub use keyset::{KeySet, RejectedKey, Rejection};
pub use sign::{SignError, SigningKey};
pub use signature::Signature;
pub use token::{Limits, Token, Verified};

/// Parses, verifies with a key set, and checks claims in one call; returns the verified
/// token, whose claims the caller may read further with [`Verified::claims`].
pub fn verify(token: &str, keys: &KeySet, policy: &ClaimPolicy<'_>) -> Result<Verified, Error> {
    let verified = Token::parse(token)?.verify_with_set(keys)?;
    policy.check(&verified)?;
    Ok(verified)
}
