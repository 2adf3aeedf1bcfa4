//! Compact JWS parsing (RFC 7515 section 7.1) into an unverified token, and verification
//! into claims.

use serde::Deserialize;

use crate::b64;
use crate::error::{ParseError, VerifyError};
use crate::header::Header;
use crate::key::VerifyingKey;
use crate::keyset::KeySet;
use crate::signature::{self, Signature};

/// The default limit on a compact JWS, in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 16 * 1024;

/// Longest accepted encoded header, in bytes.
pub const MAX_HEADER_LEN: usize = 4 * 1024;

/// Longest signature any supported algorithm produces: RSA with an 8192-bit modulus.
pub const MAX_SIGNATURE_LEN: usize = 1024;

/// Size limits applied while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted token, in bytes.
    pub max_token_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
        }
    }
}

/// A parsed compact JWS whose signature has not been checked. Its claims are not reachable
/// until [`Token::verify`] or [`Token::verify_with_set`] succeeds.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    header: Header,
    signing_input: &'a str,
    payload: &'a str,
    /// The signature segment, still encoded (checked canonical and short enough): keeping
    /// it so makes a token small to move, and it is decoded into a buffer of its size.
    signature: &'a str,
}

impl<'a> Token<'a> {
    /// Parses with the default [`Limits`].
    #[inline]
    pub fn parse(token: &'a str) -> Result<Self, ParseError> {
        Self::parse_with(token, &Limits::default())
    }

    /// Parses exactly three canonical base64url segments, the header (once), and the
    /// signature bytes. The payload is decoded only after verification.
    pub fn parse_with(token: &'a str, limits: &Limits) -> Result<Self, ParseError> {
        if token.len() > limits.max_token_len {
            return Err(ParseError::TooLong);
        }
        // The first dot is searched from the start and the last from the end, each over
        // its short segment; a dot in between is found by the payload's alphabet check.
        let Some((header_b64, rest)) = token.split_once('.') else {
            return Err(ParseError::Malformed);
        };
        let Some((payload, signature_b64)) = rest.rsplit_once('.') else {
            return Err(ParseError::Malformed);
        };
        let signing_input = token
            .get(..header_b64.len() + 1 + payload.len())
            .ok_or(ParseError::Malformed)?;
        if header_b64.is_empty() || signature_b64.is_empty() {
            return Err(ParseError::Malformed);
        }
        // A fourth segment is `Malformed` before any other complaint, as when it was
        // searched for first.
        let extra_dot = || payload.contains('.');
        if header_b64.len() > MAX_HEADER_LEN {
            return Err(if extra_dot() {
                ParseError::Malformed
            } else {
                ParseError::HeaderMemberTooLong
            });
        }
        // The payload is checked now so a token is either wholly well-formed or rejected.
        if !b64::is_canonical_public(payload.as_bytes()) {
            return Err(if extra_dot() {
                ParseError::Malformed
            } else {
                ParseError::Base64
            });
        }
        let mut token = Token {
            header: Header::unfilled(),
            signing_input,
            payload,
            signature: signature_b64,
        };
        parse_header(header_b64.as_bytes(), &mut token.header)?;

        match b64::decoded_len(signature_b64.len()) {
            Some(n) if n > MAX_SIGNATURE_LEN => return Err(ParseError::SignatureLength),
            _ if !b64::is_canonical_public(signature_b64.as_bytes()) => {
                return Err(ParseError::Base64);
            }
            _ => {}
        }
        Ok(token)
    }

    /// The JOSE header.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The JWS signing input: `BASE64URL(header) '.' BASE64URL(payload)`.
    #[must_use]
    pub fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }

    /// The still-encoded payload segment.
    pub(crate) fn payload_b64(&self) -> &'a str {
        self.payload
    }

    /// The decoded signature (decoded anew on each call).
    #[must_use]
    pub fn signature(&self) -> Signature {
        // Checked canonical and short enough by the parser, so decoding cannot fail; an
        // empty signature, which verifies nothing, would be the answer if it ever did.
        Signature::decode(self.signature).unwrap_or_else(Signature::empty)
    }

    /// Verifies the signature with one key (whose algorithm must be the header's) and
    /// decodes the payload.
    pub fn verify(&self, key: &VerifyingKey) -> Result<Verified, VerifyError> {
        signature::with_decoded(self.signature, |sig| {
            key.verify_signature(self.header.alg(), self.signing_input(), sig)
        })
        .unwrap_or(Err(VerifyError::InvalidSignature))?;
        self.decode_payload()
    }

    /// Verifies the signature with the key of `keys` chosen by `kid` and `alg`, and decodes
    /// the payload.
    pub fn verify_with_set(&self, keys: &KeySet) -> Result<Verified, VerifyError> {
        signature::with_decoded(self.signature, |sig| {
            keys.verify(&self.header, self.signing_input(), sig)
        })
        .unwrap_or(Err(VerifyError::InvalidSignature))?;
        self.decode_payload()
    }

    fn decode_payload(&self) -> Result<Verified, VerifyError> {
        let payload = b64::decode_public_vec(self.payload.as_bytes()).ok_or(VerifyError::Claims)?;
        Ok(Verified {
            header: self.header.clone(),
            payload,
        })
    }
}

/// Decodes the header segment (at most [`MAX_HEADER_LEN`] characters) in a stack buffer
/// sized to it (small headers, the common case, need no large one) and parses it into
/// `header`.
fn parse_header(encoded: &[u8], header: &mut Header) -> Result<(), ParseError> {
    fn with<const N: usize>(encoded: &[u8], header: &mut Header) -> Result<(), ParseError> {
        let mut buf = [0u8; N];
        let json = b64::decode_public_into(encoded, &mut buf).ok_or(ParseError::Base64)?;
        header.fill(json)
    }
    // A typical header (`alg`, `kid`, `typ`) decodes to well under 128 bytes.
    const TYPICAL: usize = 128;
    const SMALL: usize = 384;
    const LARGE: usize = MAX_HEADER_LEN / 4 * 3;
    match b64::decoded_len(encoded.len()) {
        Some(n) if n <= TYPICAL => with::<TYPICAL>(encoded, header),
        Some(n) if n <= SMALL => with::<SMALL>(encoded, header),
        Some(n) if n <= LARGE => with::<LARGE>(encoded, header),
        _ => Err(ParseError::Base64),
    }
}

/// A token whose signature verified: the header and the decoded payload.
#[derive(Debug, Clone)]
pub struct Verified {
    header: Header,
    payload: Vec<u8>,
}

impl Verified {
    /// The JOSE header.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The decoded payload (for a JWT, the claims set as JSON).
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Deserializes the payload, which must be a JSON object (RFC 7519 section 7.2), into
    /// any claims type, borrowing from it where possible.
    pub fn claims<'de, T: Deserialize<'de>>(&'de self) -> Result<T, crate::ClaimError> {
        crate::json::from_object(&self.payload).ok_or(crate::ClaimError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_is_exactly_three_segments() {
        let h = b64::encode(br#"{"alg":"HS256"}"#);
        let ok = format!("{h}.e30.AAAA");
        assert!(Token::parse(&ok).is_ok());
        for bad in [
            String::new(),
            format!("{h}.e30"),
            format!("{h}.e30.AAAA."),
            format!("{h}.e30.AAAA.AAAA"),
            ".e30.AAAA".to_owned(),
            format!("{h}.e30."),
            r#"{"payload":"e30"}"#.to_owned(),
            format!("{h}.e.30.AAAA"),
            format!("{}.e30.AAAA.AAAA", "A".repeat(MAX_HEADER_LEN + 4)),
        ] {
            assert_eq!(
                Token::parse(&bad).err(),
                Some(ParseError::Malformed),
                "{bad}"
            );
        }
        let long_header = format!("{}.e30.AAAA", "A".repeat(MAX_HEADER_LEN + 4));
        assert_eq!(
            Token::parse(&long_header).err(),
            Some(ParseError::HeaderMemberTooLong)
        );
        assert_eq!(
            Token::parse(&format!("{h}.e3!.AAAA")).err(),
            Some(ParseError::Base64)
        );
        let long = format!("{h}.{}.AAAA", "A".repeat(DEFAULT_MAX_TOKEN_LEN));
        assert_eq!(Token::parse(&long).err(), Some(ParseError::TooLong));
        let big_sig = format!("{h}.e30.{}", "A".repeat(2000));
        assert_eq!(
            Token::parse(&big_sig).err(),
            Some(ParseError::SignatureLength)
        );
    }
}
