//! One PEM `CERTIFICATE` block (RFC 7468 section 5) to DER.

use base64ct::{Base64, Encoding};

use super::{CertificateError, MAX_CERTIFICATE_DER_LEN, MAX_CERTIFICATE_PEM_LEN};

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// The DER inside a single `CERTIFICATE` block. Whitespace may surround the block and break
/// the base64 body anywhere; nothing else may appear outside it.
pub(super) fn decode_certificate(pem: &str) -> Result<Vec<u8>, CertificateError> {
    if pem.len() > MAX_CERTIFICATE_PEM_LEN {
        return Err(CertificateError::TooLarge);
    }
    let body = pem
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .strip_prefix(BEGIN)
        .and_then(|rest| rest.strip_suffix(END))
        .ok_or(CertificateError::Malformed)?;
    let base64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    // Four base64 characters per three DER bytes.
    if base64.len() / 4 > MAX_CERTIFICATE_DER_LEN.div_ceil(3) {
        return Err(CertificateError::TooLarge);
    }
    Base64::decode_vec(&base64).map_err(|_| CertificateError::Malformed)
}
