//! Strict unpadded base64url (RFC 7515 section 2): no padding, no whitespace, no other
//! alphabet, and canonical trailing bits.

use base64ct::{Base64UrlUnpadded, Encoding};

/// Decodes `input` into `out`, returning the decoded prefix; `None` when the input is not
/// canonical unpadded base64url or does not fit.
pub(crate) fn decode_into<'o>(input: &[u8], out: &'o mut [u8]) -> Option<&'o [u8]> {
    Base64UrlUnpadded::decode(input, out).ok()
}

/// Decodes `input` into a new vector; `None` when it is not canonical unpadded base64url.
pub(crate) fn decode_vec(input: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(input).ok()
}

/// The exact decoded length of a canonical encoding of `len` characters, if one exists.
pub(crate) const fn decoded_len(len: usize) -> Option<usize> {
    match len % 4 {
        1 => None,
        r => Some(len / 4 * 3 + r.saturating_sub(1)),
    }
}

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_padding_whitespace_other_alphabet_and_noncanonical_bits() {
        let mut out = [0u8; 16];
        assert_eq!(decode_into(b"Zm9v", &mut out), Some(&b"foo"[..]));
        assert_eq!(decode_into(b"Zm8", &mut out), Some(&b"fo"[..]));
        for bad in [
            &b"Zm8="[..],
            b"Zm 8",
            b"Zm+8",
            b"Zm/8",
            b"Zm9",
            b"Z",
            b"Zm8\n",
        ] {
            assert_eq!(decode_into(bad, &mut out), None, "{bad:?}");
        }
        // "Zm9" is 'f','o' plus two set trailing bits: non-canonical.
        assert_eq!(decode_into(b"Zm9", &mut out), None);
    }

    #[test]
    fn decoded_len_matches() {
        for n in 0..40usize {
            let enc = encode(&vec![7u8; n]);
            assert_eq!(decoded_len(enc.len()), Some(n));
        }
        assert_eq!(decoded_len(5), None);
    }
}
