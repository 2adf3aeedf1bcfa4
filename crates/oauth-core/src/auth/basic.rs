//! HTTP Basic client credentials (RFC 6749 section 2.3.1, RFC 7617).

use std::borrow::Cow;

use base64ct::{Base64, Encoding};

use super::AuthFailure;
use crate::form;

/// Client id and secret from an `Authorization: Basic` value: base64 (standard alphabet,
/// padded, strict), split at the first `:`, each part form-urldecoded.
pub(crate) fn parse(value: &[u8]) -> Result<(String, String), AuthFailure> {
    let (scheme, rest) = split_scheme(value).ok_or(AuthFailure::MalformedBasic)?;
    if !scheme.eq_ignore_ascii_case(b"basic") {
        return Err(AuthFailure::UnsupportedScheme);
    }
    let rest = trim(rest);
    if rest.len() > 4096 {
        return Err(AuthFailure::MalformedBasic);
    }
    let decoded =
        Base64::decode_vec(core::str::from_utf8(rest).map_err(|_| AuthFailure::MalformedBasic)?)
            .map_err(|_| AuthFailure::MalformedBasic)?;
    let colon = decoded
        .iter()
        .position(|b| *b == b':')
        .ok_or(AuthFailure::MalformedBasic)?;
    let (id, secret) = (decoded.get(..colon), decoded.get(colon + 1..));
    let id = form::decode(id.unwrap_or_default()).map_err(|_| AuthFailure::MalformedBasic)?;
    let secret =
        form::decode(secret.unwrap_or_default()).map_err(|_| AuthFailure::MalformedBasic)?;
    if id.is_empty() {
        return Err(AuthFailure::MalformedBasic);
    }
    Ok((into_owned(id), into_owned(secret)))
}

fn into_owned(c: Cow<'_, str>) -> String {
    c.into_owned()
}

/// The auth-scheme token and the rest of an `Authorization` value.
pub(crate) fn split_scheme(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let value = trim(value);
    let sp = value.iter().position(|b| *b == b' ')?;
    Some((value.get(..sp)?, value.get(sp + 1..)?))
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| *b != b' ' && *b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| *b != b' ' && *b != b'\t')
        .map_or(start, |e| e + 1);
    v.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user_pass: &str) -> Vec<u8> {
        format!("Basic {}", Base64::encode_string(user_pass.as_bytes())).into_bytes()
    }

    #[test]
    fn decodes_form_encoded_credentials() {
        assert_eq!(
            parse(&basic("my%3Aclient:p%40ss+word%2B")),
            Ok(("my:client".to_owned(), "p@ss word+".to_owned()))
        );
        assert_eq!(
            parse(&basic("c:s:t")),
            Ok(("c".to_owned(), "s:t".to_owned()))
        );
        assert_eq!(
            parse(b"basic  YzpzOg== "),
            Ok(("c".to_owned(), "s:".to_owned()))
        );
    }

    #[test]
    fn refuses_malformed_values() {
        assert_eq!(parse(&basic("nocolon")), Err(AuthFailure::MalformedBasic));
        assert_eq!(parse(&basic(":secret")), Err(AuthFailure::MalformedBasic));
        assert_eq!(parse(b"Basic YzpzOg"), Err(AuthFailure::MalformedBasic));
        assert_eq!(parse(b"Basic !!!!"), Err(AuthFailure::MalformedBasic));
        assert_eq!(parse(b"Bearer abc"), Err(AuthFailure::UnsupportedScheme));
        assert_eq!(parse(b"Basic"), Err(AuthFailure::MalformedBasic));
        assert_eq!(parse(&basic("c:%zz")), Err(AuthFailure::MalformedBasic));
    }
}
