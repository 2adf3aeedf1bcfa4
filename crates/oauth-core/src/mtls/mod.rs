//! Mutual-TLS client authentication and certificate-bound tokens (RFC 8705).
//!
//! The host's TLS layer (or a reverse proxy in front of it) completes the handshake and hands
//! the engine the client's leaf certificate as DER or PEM. Proof of possession of the private
//! key is the handshake's job (RFC 8705 sections 2.1 and 2.2); this module decides whether the
//! presented certificate authenticates a given registered client, and computes the
//! `x5t#S256` thumbprint that binds tokens to it (RFC 8705 section 3.1).
//!
//! Decisions, with the text they rest on:
//! - Validity dates are not checked by [`matches_tls_client_auth`] or [`matches_self_signed`].
//!   For `tls_client_auth` the chain, validity dates included, is validated by the TLS layer
//!   (RFC 8705 section 2.1, path validation per RFC 5280 section 6). For
//!   `self_signed_tls_client_auth` the server does not validate the certificate chain; the client
//!   is authenticated when the certificate "matches one of the certificates configured or
//!   registered for that particular client" (RFC 8705 section 2.2): trust comes from the
//!   registration, not from the certificate's own claims, so its lifetime is the
//!   registration's. A host that wants to refuse expired certificates anyway calls
//!   [`ClientCertificate::is_valid_at`] with its own clock.
//! - Self-signed matching compares public keys, not whole certificates: RFC 8705 section 2.2.2
//!   conveys the certificate in a JWK whose key members are required to match it (RFC 7517
//!   section 4.7), and the TLS handshake proves possession of exactly that key, so any
//!   certificate carrying the registered key proves the same thing. See [`matches_self_signed`]
//!   for the `use` and `key_ops` rules.
//! - Subject DN matching follows RFC 4517 `distinguishedNameMatch`; see
//!   [`matches_tls_client_auth`].

mod dn;
mod key;
mod pem;
#[cfg(test)]
mod tests;

use core::fmt;
use core::net::IpAddr;
use core::str::FromStr;

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::der::Decode;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

/// Largest accepted client certificate, in DER bytes.
pub const MAX_CERTIFICATE_DER_LEN: usize = 16 * 1024;

/// Largest accepted PEM text for one client certificate, in bytes.
pub const MAX_CERTIFICATE_PEM_LEN: usize = 32 * 1024;

/// Longest accepted `tls_client_auth_*` registration value, in bytes.
pub const MAX_BINDING_VALUE_LEN: usize = 2048;

/// Why a client certificate was refused before any matching (RFC 8705 section 2).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateError {
    /// The DER is larger than [`MAX_CERTIFICATE_DER_LEN`] (or the PEM larger than
    /// [`MAX_CERTIFICATE_PEM_LEN`]).
    TooLarge,
    /// Not exactly one well-formed X.509 certificate (RFC 5280 section 4.1).
    Malformed,
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooLarge => "client certificate too large",
            Self::Malformed => "malformed client certificate",
        })
    }
}

impl std::error::Error for CertificateError {}

/// A subject alternative name of a kind RFC 8705 section 2.1.2 can bind to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AltName {
    Dns(String),
    Uri(String),
    Ip(IpAddr),
    Email(String),
}

/// A client certificate presented in the mutual-TLS handshake (RFC 8705 section 2), parsed
/// once per request. Input is bounded: DER larger than [`MAX_CERTIFICATE_DER_LEN`] is refused.
#[derive(Clone)]
pub struct ClientCertificate {
    der: Vec<u8>,
    subject: dn::DistinguishedName,
    alt_names: Vec<AltName>,
    key: key::PublicKey,
    not_before: u64,
    not_after: u64,
}

impl ClientCertificate {
    /// Parses one DER-encoded X.509 certificate (RFC 5280 section 4.1), with nothing after it.
    ///
    /// A certificate whose subjectAltName extension is duplicated or undecodable, or carries
    /// an iPAddress that is neither 4 nor 16 octets, is malformed (RFC 5280 sections 4.2 and
    /// 4.2.1.6).
    ///
    /// # Errors
    ///
    /// [`CertificateError::TooLarge`] above [`MAX_CERTIFICATE_DER_LEN`] bytes, otherwise
    /// [`CertificateError::Malformed`] for anything but one well-formed certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        if der.len() > MAX_CERTIFICATE_DER_LEN {
            return Err(CertificateError::TooLarge);
        }
        let cert = Certificate::from_der(der).map_err(|_| CertificateError::Malformed)?;
        let tbs = cert.tbs_certificate();
        let alt_names = match tbs.get_extension::<SubjectAltName>() {
            Ok(Some((_critical, san))) => alt_names(&san)?,
            Ok(None) => Vec::new(),
            Err(_) => return Err(CertificateError::Malformed),
        };
        let validity = tbs.validity();
        Ok(Self {
            der: der.to_vec(),
            subject: dn::DistinguishedName::from_name(tbs.subject()),
            alt_names,
            key: key::PublicKey::from_spki(tbs.subject_public_key_info()),
            not_before: validity.not_before.to_unix_duration().as_secs(),
            not_after: validity.not_after.to_unix_duration().as_secs(),
        })
    }

    /// Parses a single PEM `CERTIFICATE` block (RFC 7468 section 5), e.g. from a reverse-proxy
    /// header. Surrounding whitespace is allowed, and the base64 body may be broken by any
    /// ASCII whitespace (some proxies replace the newlines with spaces); anything else around
    /// the block, or a second block, is refused. URL-decoding a header value is the caller's
    /// job.
    ///
    /// # Errors
    ///
    /// [`CertificateError::TooLarge`] above [`MAX_CERTIFICATE_PEM_LEN`] bytes of text or
    /// [`MAX_CERTIFICATE_DER_LEN`] bytes of DER, otherwise [`CertificateError::Malformed`].
    pub fn from_pem(pem: &str) -> Result<Self, CertificateError> {
        Self::from_der(&pem::decode_certificate(pem)?)
    }

    /// The subject DN as an RFC 4514 string (e.g. `CN=client1,O=Example,C=SE`), for logs and
    /// display. Attribute types without a well-known short name are written as dotted OIDs
    /// with `#`-hex values (RFC 4514 section 2.3); control characters are hex-escaped. Never
    /// compare DNs through this string: [`matches_tls_client_auth`] compares them by value.
    #[must_use]
    pub fn subject_dn(&self) -> String {
        self.subject.to_string()
    }

    /// RFC 8705 section 3.1 `x5t#S256`: base64url (no padding) of the SHA-256 of the DER.
    #[must_use]
    pub fn thumbprint_s256(&self) -> String {
        Base64UrlUnpadded::encode_string(&Sha256::digest(&self.der))
    }

    /// The certificate exactly as received, in DER.
    #[must_use]
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// `notBefore` as Unix seconds (RFC 5280 section 4.1.2.5).
    #[must_use]
    pub fn not_before(&self) -> u64 {
        self.not_before
    }

    /// `notAfter` as Unix seconds (RFC 5280 section 4.1.2.5).
    #[must_use]
    pub fn not_after(&self) -> u64 {
        self.not_after
    }

    /// True when `now` (Unix seconds) lies within `notBefore` through `notAfter`, inclusive
    /// (RFC 5280 section 4.1.2.5). The matching functions do not call this (see the module
    /// documentation); it is for hosts that refuse expired self-signed certificates by policy.
    #[must_use]
    pub fn is_valid_at(&self, now: u64) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

impl PartialEq for ClientCertificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for ClientCertificate {}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("subject", &self.subject_dn())
            .field("x5t#S256", &self.thumbprint_s256())
            .finish_non_exhaustive()
    }
}

/// The subject alternative names RFC 8705 section 2.1.2 can bind to; other kinds are skipped.
fn alt_names(san: &SubjectAltName) -> Result<Vec<AltName>, CertificateError> {
    let mut names = Vec::with_capacity(san.0.len());
    for name in &san.0 {
        match name {
            GeneralName::DnsName(s) => names.push(AltName::Dns(s.as_str().to_owned())),
            GeneralName::UniformResourceIdentifier(s) => {
                names.push(AltName::Uri(s.as_str().to_owned()));
            }
            GeneralName::Rfc822Name(s) => names.push(AltName::Email(s.as_str().to_owned())),
            GeneralName::IpAddress(octets) => {
                let bytes = octets.as_bytes();
                let ip = if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
                    IpAddr::from(v4)
                } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
                    IpAddr::from(v6)
                } else {
                    return Err(CertificateError::Malformed);
                };
                names.push(AltName::Ip(ip));
            }
            _ => {}
        }
    }
    Ok(names)
}

/// How a `tls_client_auth` client is registered (RFC 8705 section 2.1.2): exactly one of these
/// metadata values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsClientAuthBinding {
    /// `tls_client_auth_subject_dn`: the expected subject DN, as an RFC 4514 string.
    SubjectDn(String),
    /// `tls_client_auth_san_dns`: an expected dNSName SAN entry.
    SanDns(String),
    /// `tls_client_auth_san_uri`: an expected uniformResourceIdentifier SAN entry.
    SanUri(String),
    /// `tls_client_auth_san_ip`: an expected iPAddress SAN entry.
    SanIp(IpAddr),
    /// `tls_client_auth_san_email`: an expected rfc822Name SAN entry.
    SanEmail(String),
}

/// Why `tls_client_auth` registration metadata was refused (RFC 8705 section 2.1.2).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingError {
    /// None of the five metadata values was given.
    Missing,
    /// More than one was given; RFC 8705 section 2.1.2 requires exactly one.
    Ambiguous,
    /// The value given is empty.
    Empty,
    /// The value given is longer than [`MAX_BINDING_VALUE_LEN`].
    TooLong,
    /// `tls_client_auth_subject_dn` is not an RFC 4514 string this engine can compare (bad
    /// syntax, bad escape, unknown attribute short name).
    InvalidSubjectDn,
    /// `tls_client_auth_san_dns` is not a plain ASCII name.
    InvalidDnsName,
    /// `tls_client_auth_san_uri` is not an ASCII URI with a scheme.
    InvalidUri,
    /// `tls_client_auth_san_ip` is not a dotted-decimal IPv4 or RFC 5952 IPv6 address.
    InvalidIpAddress,
    /// `tls_client_auth_san_email` is not an ASCII `local@domain` address.
    InvalidEmail,
}

impl fmt::Display for BindingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "no tls_client_auth subject metadata value",
            Self::Ambiguous => "more than one tls_client_auth subject metadata value",
            Self::Empty => "empty tls_client_auth subject metadata value",
            Self::TooLong => "tls_client_auth subject metadata value too long",
            Self::InvalidSubjectDn => "invalid tls_client_auth_subject_dn",
            Self::InvalidDnsName => "invalid tls_client_auth_san_dns",
            Self::InvalidUri => "invalid tls_client_auth_san_uri",
            Self::InvalidIpAddress => "invalid tls_client_auth_san_ip",
            Self::InvalidEmail => "invalid tls_client_auth_san_email",
        })
    }
}

impl std::error::Error for BindingError {}

impl TlsClientAuthBinding {
    /// RFC 8705 section 2.1.2: builds the binding from the registration metadata values
    /// `tls_client_auth_subject_dn`, `tls_client_auth_san_dns`, `tls_client_auth_san_uri`,
    /// `tls_client_auth_san_ip` and `tls_client_auth_san_email`. Exactly one must be given
    /// (`Some`, even if empty), else [`BindingError::Missing`] or [`BindingError::Ambiguous`].
    /// The value is checked so that a registration that could never match is refused up
    /// front: the DN must parse as RFC 4514, the IP address must parse, and the SAN strings,
    /// which certificates carry as `IA5String`, must be ASCII.
    ///
    /// # Errors
    ///
    /// A [`BindingError`] naming what is wrong with the metadata.
    pub fn from_metadata(
        subject_dn: Option<&str>,
        san_dns: Option<&str>,
        san_uri: Option<&str>,
        san_ip: Option<&str>,
        san_email: Option<&str>,
    ) -> Result<Self, BindingError> {
        let given = [subject_dn, san_dns, san_uri, san_ip, san_email]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if given > 1 {
            return Err(BindingError::Ambiguous);
        }
        let check = |value: &str| {
            if value.is_empty() {
                Err(BindingError::Empty)
            } else if value.len() > MAX_BINDING_VALUE_LEN {
                Err(BindingError::TooLong)
            } else {
                Ok(())
            }
        };
        if let Some(value) = subject_dn {
            check(value)?;
            match dn::DistinguishedName::parse(value) {
                Some(parsed) if !parsed.is_empty() => Ok(Self::SubjectDn(value.to_owned())),
                _ => Err(BindingError::InvalidSubjectDn),
            }
        } else if let Some(value) = san_dns {
            check(value)?;
            if is_plain_ascii(value) {
                Ok(Self::SanDns(value.to_owned()))
            } else {
                Err(BindingError::InvalidDnsName)
            }
        } else if let Some(value) = san_uri {
            check(value)?;
            if is_plain_ascii(value) && value.split_once(':').is_some_and(|(s, _)| !s.is_empty()) {
                Ok(Self::SanUri(value.to_owned()))
            } else {
                Err(BindingError::InvalidUri)
            }
        } else if let Some(value) = san_ip {
            check(value)?;
            IpAddr::from_str(value)
                .map(Self::SanIp)
                .map_err(|_| BindingError::InvalidIpAddress)
        } else if let Some(value) = san_email {
            check(value)?;
            let well_formed = value
                .rsplit_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
            if is_plain_ascii(value) && well_formed {
                Ok(Self::SanEmail(value.to_owned()))
            } else {
                Err(BindingError::InvalidEmail)
            }
        } else {
            Err(BindingError::Missing)
        }
    }

    /// The registration metadata name this binding comes from (RFC 8705 section 2.1.2).
    #[must_use]
    pub fn metadata_name(&self) -> &'static str {
        match self {
            Self::SubjectDn(_) => "tls_client_auth_subject_dn",
            Self::SanDns(_) => "tls_client_auth_san_dns",
            Self::SanUri(_) => "tls_client_auth_san_uri",
            Self::SanIp(_) => "tls_client_auth_san_ip",
            Self::SanEmail(_) => "tls_client_auth_san_email",
        }
    }
}

/// Printable ASCII without spaces: what an `IA5String` SAN value can hold usefully.
fn is_plain_ascii(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_graphic())
}

/// RFC 8705 section 2.1.2: does the certificate carry the registered subject?
///
/// - Subject DN: RFC 4517 `distinguishedNameMatch` on values, never on formatted strings. The
///   registered RFC 4514 string is parsed (escapes `\,` `\+` `\"` `\\` `\<hex><hex>`, `#`-hex
///   values, multi-valued RDNs with `+`, the short names CN, L, ST, O, OU, C, STREET, DC, UID
///   and a few more from RFC 4519, dotted OIDs). Both DNs must have the same number of RDNs
///   with the same attribute types in the same order; within a multi-valued RDN, which is a
///   SET, order does not matter. String values are compared as RFC 4518 prepares them for
///   `caseIgnoreMatch`: characters mapped to nothing or to a space (section 2.2), case folded
///   (section 2.3; approximated by Unicode upper- then lower-casing, no NFKC), leading and
///   trailing spaces dropped and inner runs of spaces folded to one (section 2.6.1). Values
///   that are not strings compare by their DER. An empty DN never matches.
/// - dNSName: ASCII case-insensitive, exact; a wildcard is compared as written, never
///   expanded.
/// - uniformResourceIdentifier: exact.
/// - iPAddress: by value, IPv4 against 4 octets and IPv6 against 16 (RFC 5952 section 8); an
///   IPv4 address does not match its IPv4-mapped IPv6 form.
/// - rfc822Name: local part exact, domain part ASCII case-insensitive (RFC 5280 section
///   4.2.1.6).
///
/// Chain and validity checks are the TLS layer's (see the module documentation).
#[must_use]
pub fn matches_tls_client_auth(cert: &ClientCertificate, binding: &TlsClientAuthBinding) -> bool {
    match binding {
        TlsClientAuthBinding::SubjectDn(registered) => dn::DistinguishedName::parse(registered)
            .is_some_and(|want| !want.is_empty() && want.matches(&cert.subject)),
        TlsClientAuthBinding::SanDns(want) => {
            !want.is_empty()
                && cert
                    .alt_names
                    .iter()
                    .any(|n| matches!(n, AltName::Dns(have) if have.eq_ignore_ascii_case(want)))
        }
        TlsClientAuthBinding::SanUri(want) => {
            !want.is_empty()
                && cert
                    .alt_names
                    .iter()
                    .any(|n| matches!(n, AltName::Uri(have) if have == want))
        }
        TlsClientAuthBinding::SanIp(want) => cert
            .alt_names
            .iter()
            .any(|n| matches!(n, AltName::Ip(have) if have == want)),
        TlsClientAuthBinding::SanEmail(want) => cert
            .alt_names
            .iter()
            .any(|n| matches!(n, AltName::Email(have) if email_matches(have, want))),
    }
}

/// rfc822Name comparison: local part exact, domain ASCII case-insensitive.
fn email_matches(have: &str, want: &str) -> bool {
    match (have.rsplit_once('@'), want.rsplit_once('@')) {
        (Some((have_local, have_domain)), Some((want_local, want_domain))) => {
            !want_local.is_empty()
                && !want_domain.is_empty()
                && have_local == want_local
                && have_domain.eq_ignore_ascii_case(want_domain)
        }
        _ => false,
    }
}

/// RFC 8705 section 2.2: self-signed certificate authentication. True when the certificate's
/// public key equals the public key of one of the client's registered JWKs (RFC 8705 section
/// 2.2.2), compared as values: RSA `n` and `e` as unsigned integers, EC `x` and `y` on the
/// same curve (P-256, P-384, P-521; uncompressed points only), Ed25519 `x` for `OKP` keys.
///
/// Which JWKs count: the certificate's key signs the TLS handshake, so a JWK whose `use` is
/// present must say `sig`, and one whose `key_ops` is present must include `verify` (RFC 7517
/// sections 4.2 and 4.3); a key registered for encryption never authenticates the client.
/// `alg` is not consulted (the TLS signature algorithm is negotiated by the handshake). `x5c`
/// is not read: RFC 8705 section 2.2.2 notes that the key members are present alongside it,
/// and RFC 7517 section 4.7 requires them to match its first certificate.
///
/// Chain and validity dates are not checked (see the module documentation).
#[must_use]
pub fn matches_self_signed(cert: &ClientCertificate, jwks: &[jwt_verify::Jwk]) -> bool {
    jwks.iter().any(|jwk| cert.key.matches_jwk(jwk))
}
