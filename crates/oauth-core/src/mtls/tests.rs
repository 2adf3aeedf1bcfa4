//! Tests for mutual-TLS client authentication (RFC 8705 sections 2 and 3).
//!
//! The certificates were generated with `openssl req -x509` (3650 days) and the thumbprints
//! and JWK members derived from them with `openssl` and Python's `cryptography`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;

/// EC P-256, subject `C=SE, O=Example AB, CN=client 1`, SANs `DNS:client.example.com`,
/// `URI:https://client.example.com/app`, `IP:192.0.2.7`, `IP:2001:db8::7`,
/// `email:ops@Client.Example.com`.
const EC_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIICMDCCAdagAwIBAgIUQFP13yQ2YSCRJdaFkH8+rF25+lswCgYIKoZIzj0EAwIw
NTELMAkGA1UEBhMCU0UxEzARBgNVBAoMCkV4YW1wbGUgQUIxETAPBgNVBAMMCGNs
aWVudCAxMB4XDTI2MTEyMjAyNTk1MFoXDTM2MTExOTAyNTk1MFowNTELMAkGA1UE
BhMCU0UxEzARBgNVBAoMCkV4YW1wbGUgQUIxETAPBgNVBAMMCGNsaWVudCAxMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpzw2jcO/PlNSgAj9OiB0emwhuHWhrrHc
QtDqbuvrNIZvni9W91vLHgF8jdHug1E95VXfMopPeeZ25x+RqVcJ7aOBwzCBwDAd
BgNVHQ4EFgQU4Vib6N2ageJPYt2SUg4km1DZKFwwHwYDVR0jBBgwFoAU4Vib6N2a
geJPYt2SUg4km1DZKFwwDwYDVR0TAQH/BAUwAwEB/zBtBgNVHREEZjBkghJjbGll
bnQuZXhhbXBsZS5jb22GHmh0dHBzOi8vY2xpZW50LmV4YW1wbGUuY29tL2FwcIcE
wAACB4cQIAENuAAAAAAAAAAAAAAAB4EWb3BzQENsaWVudC5FeGFtcGxlLmNvbTAK
BggqhkjOPQQDAgNIADBFAiEAze34zBjcHOMEqzzmTfVPzVIVlwL127v85dQph2iz
UygCIDcWkJvt94S2NxpNxK/+PXCi8uqwpG5ndtKq/okn6nNV
-----END CERTIFICATE-----
";

/// RSA 2048, subject `C=SE, ST=Stockholm, L=Stockholm, O=Example AB, OU=Payments,
/// CN=client2.example.com`, SAN DNS:client2.example.com.
const RSA_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIID9zCCAt+gAwIBAgIUWjLxLFk0P4WJgLLx/VG3ghw9b9EwDQYJKoZIhvcNAQEL
BQAwezELMAkGA1UEBhMCU0UxEjAQBgNVBAgMCVN0b2NraG9sbTESMBAGA1UEBwwJ
U3RvY2tob2xtMRMwEQYDVQQKDApFeGFtcGxlIEFCMREwDwYDVQQLDAhQYXltZW50
czEcMBoGA1UEAwwTY2xpZW50Mi5leGFtcGxlLmNvbTAeFw0yNjExMjIwMjU5NTBa
Fw0zNjExMTkwMjU5NTBaMHsxCzAJBgNVBAYTAlNFMRIwEAYDVQQIDAlTdG9ja2hv
bG0xEjAQBgNVBAcMCVN0b2NraG9sbTETMBEGA1UECgwKRXhhbXBsZSBBQjERMA8G
A1UECwwIUGF5bWVudHMxHDAaBgNVBAMME2NsaWVudDIuZXhhbXBsZS5jb20wggEi
MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDHcjKOuom+8iwSDF7FQ41islzz
clUFNqiOMBbrmKvgjUcDc6XPuIRBlc6aUrbIcEZ7EB7Z1NpcS57L16sXiHkdmt0/
pj445/tag4Ym3DNO0QGuI0mRzn1Nxg4QfOIphh3LcnsKWkbB9ZR/6M1DqaRdpt8/
UpBci6Zu7FwQN67LBXuptIIWOZ1xYQyrjB20zz1ZkF/LZQus2OLW0sW1sdW7T0E9
dqqtAqnpHENBxOLGlFh4Jv+H8j2ULkYu8Vzj++ZG0gvtxP6VzA9a0Cr2N4XSgbFY
aVkQdLDNfBhZzAVi0rpRo0E7ho75zk7mNB07fJ7HZMD2osDV3hdKfbg5e0IrAgMB
AAGjczBxMB0GA1UdDgQWBBTEs1kKpvDQ5UEPKyAy85GuXFjmfDAfBgNVHSMEGDAW
gBTEs1kKpvDQ5UEPKyAy85GuXFjmfDAPBgNVHRMBAf8EBTADAQH/MB4GA1UdEQQX
MBWCE2NsaWVudDIuZXhhbXBsZS5jb20wDQYJKoZIhvcNAQELBQADggEBAGcrMMeg
n+YnaX3EerbI/t6XMma1NefRFaSlfBJgsh5kUm3X8EdXaakNPj1t0lqOc8C+Q7hi
y4onuKoaO2ks2YtpZod6HhsrUL4yp678cFbCZYRl3xJ2dHfOgaJexSslmMgdbQmc
hlNkiURNaHQ/gtI+qR1INl+chFbK38uMyHDyDeb8ii6sUr3cX17y+6O1POWyCIqp
8tl3YMzVcqsmbjqHeINPxyh+apjuuu6soVLraEj5995nYDfnP+AejRe8+WYWbyBq
kQ+OE+N9LCt0i01R6uOxsf4oXKWDlF+q8qEnH3lxgfKK5/NgDn+WxsrWeVOZ9BfP
ePnVdohXGS80riI=
-----END CERTIFICATE-----
";

/// EC P-256, no SAN, subject (openssl `-multivalue-rdn -utf8`)
/// `/DC=com/DC=example/O=Example\, Inc. \+ Partners/OU=Ops+CN=svc "one" <a;b>\\c/serialNumber=5566-7788/CN=Åsa#1`.
const MULTI_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIICkzCCAjmgAwIBAgIUI4KaZKOJnW6RJVu0bTseBF2NgtMwCgYIKoZIzj0EAwIw
gZ4xEzARBgoJkiaJk/IsZAEZFgNjb20xFzAVBgoJkiaJk/IsZAEZFgdleGFtcGxl
MSEwHwYDVQQKDBhFeGFtcGxlLCBJbmMuICsgUGFydG5lcnMxJjAKBgNVBAsMA09w
czAYBgNVBAMMEXN2YyAib25lIiA8YTtiPlxjMRIwEAYDVQQFEwk1NTY2LTc3ODgx
DzANBgNVBAMMBsOFc2EjMTAeFw0yNjExMjIwMjU5NTBaFw0zNjExMTkwMjU5NTBa
MIGeMRMwEQYKCZImiZPyLGQBGRYDY29tMRcwFQYKCZImiZPyLGQBGRYHZXhhbXBs
ZTEhMB8GA1UECgwYRXhhbXBsZSwgSW5jLiArIFBhcnRuZXJzMSYwCgYDVQQLDANP
cHMwGAYDVQQDDBFzdmMgIm9uZSIgPGE7Yj5cYzESMBAGA1UEBRMJNTU2Ni03Nzg4
MQ8wDQYDVQQDDAbDhXNhIzEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQu4Vfz
5UTAUwISUt5i4QP/xHbW+PU/lw33zyfVwLFvArShy6IfoDXr4pYzlSu+jTIv8oQ0
DrYI6AT5jBqzRw/Ko1MwUTAdBgNVHQ4EFgQUme9JB4/0uO854X9euy/VxdWhKC8w
HwYDVR0jBBgwFoAUme9JB4/0uO854X9euy/VxdWhKC8wDwYDVR0TAQH/BAUwAwEB
/zAKBggqhkjOPQQDAgNIADBFAiABlN6fpwUGpdpbgxjHKRPB727QJCHgvgtKVdjV
GhyPwgIhAJbF8AOpNS4PSfp+bxzqkQLGgtVekfYoLw+uUnuHbQsK
-----END CERTIFICATE-----
";

/// Ed25519, empty subject, SANs DNS:Device-7.Example.COM, email:device7@iot.example.org.
const ED_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIIBUTCCAQOgAwIBAgIUciBZC7a4evvGgA0ZRqlmiDaW1kgwBQYDK2VwMAAwHhcN
MjYxMTIyMDMwMDAwWhcNMzYxMTE5MDMwMDAwWjAAMCowBQYDK2VwAyEAcf3vlGfu
eBE2obGBvh9Sta/T7sJkVfTZxq7j5plE3PyjgY4wgYswHQYDVR0OBBYEFEDC9Bmc
v00Q9EqDYe9YzBYQYb+ZMB8GA1UdIwQYMBaAFEDC9Bmcv00Q9EqDYe9YzBYQYb+Z
MA8GA1UdEwEB/wQFMAMBAf8wOAYDVR0RBDEwL4IURGV2aWNlLTcuRXhhbXBsZS5D
T02BF2RldmljZTdAaW90LmV4YW1wbGUub3JnMAUGAytlcANBABS7XklewiYVu/Of
ukcecr9LDBx00T4Fhzpr8f4EofE5/fSdfj12ri0l8WGGzTkFLCDTfIztsqK8Jk/N
l4pBHQ4=
-----END CERTIFICATE-----
";

/// `openssl x509 -outform der | openssl dgst -sha256 -binary | base64url`.
const EC_X5T_S256: &str = "EhTzEFgX0tL6RAEXYAmoQcHHc33p1WTQKCwmMBHubrM";
const RSA_X5T_S256: &str = "swJns557w0I_V83j3YMXX8xFCgwEjiekEYN2zMUo_Ds";
const MULTI_X5T_S256: &str = "tVrcbY0ot7ZD_a-m2tyMHgzcVLVDQjVaHBUfsRKMkqI";
const ED_X5T_S256: &str = "7CODe49c7lZvhEg3z1JW_BZO9vt147QymyS5Nk1opq4";

/// The public key of `EC_PEM`.
const EC_JWK: &str = r#"{"kty": "EC", "crv": "P-256", "x": "pzw2jcO_PlNSgAj9OiB0emwhuHWhrrHcQtDqbuvrNIY", "y": "b54vVvdbyx4BfI3R7oNRPeVV3zKKT3nmducfkalXCe0"}"#;
/// The public key of `RSA_PEM`.
const RSA_JWK: &str = r#"{"kty": "RSA", "n": "x3IyjrqJvvIsEgxexUONYrJc83JVBTaojjAW65ir4I1HA3Olz7iEQZXOmlK2yHBGexAe2dTaXEuey9erF4h5HZrdP6Y-OOf7WoOGJtwzTtEBriNJkc59TcYOEHziKYYdy3J7ClpGwfWUf-jNQ6mkXabfP1KQXIumbuxcEDeuywV7qbSCFjmdcWEMq4wdtM89WZBfy2ULrNji1tLFtbHVu09BPXaqrQKp6RxDQcTixpRYeCb_h_I9lC5GLvFc4_vmRtIL7cT-lcwPWtAq9jeF0oGxWGlZEHSwzXwYWcwFYtK6UaNBO4aO-c5O5jQdO3yex2TA9qLA1d4XSn24OXtCKw", "e": "AQAB"}"#;
/// The public key of `MULTI_PEM`.
const MULTI_JWK: &str = r#"{"kty": "EC", "crv": "P-256", "x": "LuFX8-VEwFMCElLeYuED_8R21vj1P5cN988n1cCxbwI", "y": "tKHLoh-gNeviljOVK76NMi_yhDQOtgjoBPmMGrNHD8o"}"#;
/// The public key of `ED_PEM`.
const ED_JWK: &str =
    r#"{"kty": "OKP", "crv": "Ed25519", "x": "cf3vlGfueBE2obGBvh9Sta_T7sJkVfTZxq7j5plE3Pw"}"#;
/// An unrelated P-256 key.
const OTHER_EC_JWK: &str = r#"{"kty": "EC", "crv": "P-256", "x": "8cZva8SeOkv7WI5qxzYr52Nhl0xrfVJqGJ2QEkbzlOI", "y": "_JA0N8VhWRNYdRRtxpZ7bctHV30wDy00vH920wlDnBU"}"#;
/// An unrelated RSA 2048 key.
const OTHER_RSA_JWK: &str = r#"{"kty": "RSA", "n": "utCAcfoED46o4FcHni1d9xVSbU1F3marsyzdLUKo11hMbu-dF_2WLnEaRdP1hh925YFxf5FwgQfmzby8vvfDwEI1-hgwafFoW6joVR5U6Jghg5E-zyUmo2Lk9sGmwHekzRwJ20fkGwNpoSO5ZBeepOoyyIReYEevjCYHYKthGBE7JLWADMdHr-He9JurChCczKyXxbB4MFM1QAILUFBvUQfw_SJMMS1sljNIMTBhaGYm-hbNa_Tr1w9lkDrCCEAr4k8uRBYtyM5eAk8k_Qu4nVkEuy8KOum-6dbNxyLMwARp2FbDxC5zd_8gGBVobearOaO9LOOl8RTTMO2SfbfQww", "e": "AQAB"}"#;

/// `notBefore` and `notAfter` of `EC_PEM`, `RSA_PEM` and `MULTI_PEM` as Unix seconds
/// (2026-11-22T02:59:50Z and 2036-11-19T02:59:50Z).
const NOT_BEFORE: u64 = 1_795_316_390;
const NOT_AFTER: u64 = 2_110_676_390;

/// The subject of `MULTI_PEM` as `openssl x509 -nameopt RFC2253,-esc_msb` prints it.
const MULTI_DN: &str = r#"CN=Åsa#1,serialNumber=5566-7788,CN=svc \"one\" \<a\;b\>\\c+OU=Ops,O=Example\, Inc. \+ Partners,DC=example,DC=com"#;

fn cert(pem: &str) -> ClientCertificate {
    ClientCertificate::from_pem(pem).unwrap()
}

fn der(pem: &str) -> Vec<u8> {
    pem::decode_certificate(pem).unwrap()
}

fn jwk(json: &str) -> jwt_verify::Jwk {
    jwt_verify::Jwk::from_json(json).unwrap()
}

fn dn_matches(pem: &str, registered: &str) -> bool {
    matches_tls_client_auth(
        &cert(pem),
        &TlsClientAuthBinding::SubjectDn(registered.to_owned()),
    )
}

fn binding(name: &str, value: &str) -> Result<TlsClientAuthBinding, BindingError> {
    let pick = |n: &str| (n == name).then_some(value);
    TlsClientAuthBinding::from_metadata(
        pick("subject_dn"),
        pick("san_dns"),
        pick("san_uri"),
        pick("san_ip"),
        pick("san_email"),
    )
}

fn san_matches(pem: &str, name: &str, value: &str) -> bool {
    matches_tls_client_auth(&cert(pem), &binding(name, value).unwrap())
}

// ---- parsing (RFC 5280 section 4.1, RFC 7468 section 5) ----

#[test]
fn every_fixture_parses_from_pem_and_der_alike() {
    for pem in [EC_PEM, RSA_PEM, MULTI_PEM, ED_PEM] {
        let from_pem = cert(pem);
        let from_der = ClientCertificate::from_der(&der(pem)).unwrap();
        assert_eq!(from_pem, from_der);
        assert_eq!(from_pem.der(), der(pem).as_slice());
    }
}

#[test]
fn empty_and_garbage_der_are_malformed() {
    assert_eq!(
        ClientCertificate::from_der(&[]),
        Err(CertificateError::Malformed)
    );
    assert_eq!(
        ClientCertificate::from_der(b"not a certificate"),
        Err(CertificateError::Malformed)
    );
    assert_eq!(
        ClientCertificate::from_der(&[0x30, 0x82, 0xff, 0xff, 0x00]),
        Err(CertificateError::Malformed)
    );
}

#[test]
fn truncated_der_is_malformed() {
    let full = der(EC_PEM);
    for len in [1, 4, full.len() / 2, full.len() - 1] {
        assert_eq!(
            ClientCertificate::from_der(&full[..len]),
            Err(CertificateError::Malformed),
            "truncated to {len}"
        );
    }
}

#[test]
fn der_with_trailing_bytes_is_malformed() {
    let mut bytes = der(EC_PEM);
    bytes.push(0);
    assert_eq!(
        ClientCertificate::from_der(&bytes),
        Err(CertificateError::Malformed)
    );
}

#[test]
fn der_with_a_flipped_byte_in_the_structure_is_malformed() {
    let mut bytes = der(EC_PEM);
    // The outer SEQUENCE tag.
    bytes[0] = 0x31;
    assert_eq!(
        ClientCertificate::from_der(&bytes),
        Err(CertificateError::Malformed)
    );
}

#[test]
fn der_over_16_kib_is_too_large() {
    let big = vec![0u8; MAX_CERTIFICATE_DER_LEN + 1];
    assert_eq!(
        ClientCertificate::from_der(&big),
        Err(CertificateError::TooLarge)
    );
    // At the limit the size is accepted and the content judged.
    let at_limit = vec![0u8; MAX_CERTIFICATE_DER_LEN];
    assert_eq!(
        ClientCertificate::from_der(&at_limit),
        Err(CertificateError::Malformed)
    );
}

#[test]
fn oversized_pem_is_too_large() {
    let huge = "A".repeat(MAX_CERTIFICATE_PEM_LEN + 1);
    assert_eq!(
        ClientCertificate::from_pem(&huge),
        Err(CertificateError::TooLarge)
    );
    let body = "QUFB\n".repeat(6000);
    let pem = format!("-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n");
    assert!(pem.len() <= MAX_CERTIFICATE_PEM_LEN);
    assert_eq!(
        ClientCertificate::from_pem(&pem),
        Err(CertificateError::TooLarge)
    );
}

#[test]
fn pem_tolerates_crlf_surrounding_whitespace_and_spaces_for_newlines() {
    let crlf = EC_PEM.replace('\n', "\r\n");
    assert_eq!(cert(&crlf), cert(EC_PEM));
    let padded = format!("\n  {EC_PEM}\n\n");
    assert_eq!(cert(&padded), cert(EC_PEM));
    // Some proxies flatten the newlines to spaces.
    let flat = EC_PEM.trim_end().replace('\n', " ");
    assert_eq!(cert(&flat), cert(EC_PEM));
}

#[test]
fn pem_with_two_blocks_or_other_text_is_malformed() {
    let two = format!("{EC_PEM}{RSA_PEM}");
    assert_eq!(
        ClientCertificate::from_pem(&two),
        Err(CertificateError::Malformed)
    );
    let text = format!("subject=CN=client 1\n{EC_PEM}");
    assert_eq!(
        ClientCertificate::from_pem(&text),
        Err(CertificateError::Malformed)
    );
    let key = EC_PEM.replace("CERTIFICATE", "PUBLIC KEY");
    assert_eq!(
        ClientCertificate::from_pem(&key),
        Err(CertificateError::Malformed)
    );
    assert_eq!(
        ClientCertificate::from_pem(""),
        Err(CertificateError::Malformed)
    );
    let bad_base64 = EC_PEM.replacen("MIIC", "MI!C", 1);
    assert_eq!(
        ClientCertificate::from_pem(&bad_base64),
        Err(CertificateError::Malformed)
    );
}

#[test]
fn errors_display_without_detail() {
    assert_eq!(
        CertificateError::TooLarge.to_string(),
        "client certificate too large"
    );
    assert_eq!(
        BindingError::Ambiguous.to_string(),
        "more than one tls_client_auth subject metadata value"
    );
}

// ---- RFC 8705 section 3.1: x5t#S256 ----

#[test]
fn thumbprint_is_base64url_sha256_of_the_der() {
    assert_eq!(cert(EC_PEM).thumbprint_s256(), EC_X5T_S256);
    assert_eq!(cert(RSA_PEM).thumbprint_s256(), RSA_X5T_S256);
    assert_eq!(cert(MULTI_PEM).thumbprint_s256(), MULTI_X5T_S256);
    assert_eq!(cert(ED_PEM).thumbprint_s256(), ED_X5T_S256);
}

#[test]
fn thumbprint_has_no_padding_and_url_safe_alphabet() {
    for pem in [EC_PEM, RSA_PEM, MULTI_PEM, ED_PEM] {
        let t = cert(pem).thumbprint_s256();
        assert_eq!(t.len(), 43);
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}

#[test]
fn debug_shows_subject_and_thumbprint_only() {
    let debug = format!("{:?}", cert(EC_PEM));
    assert!(debug.contains("CN=client 1,O=Example AB,C=SE"));
    assert!(debug.contains(EC_X5T_S256));
}

// ---- subject DN formatting (RFC 4514 section 2) ----

#[test]
fn subject_dn_is_rfc4514_least_significant_first() {
    assert_eq!(cert(EC_PEM).subject_dn(), "CN=client 1,O=Example AB,C=SE");
    assert_eq!(
        cert(RSA_PEM).subject_dn(),
        "CN=client2.example.com,OU=Payments,O=Example AB,L=Stockholm,ST=Stockholm,C=SE"
    );
    assert_eq!(cert(ED_PEM).subject_dn(), "");
}

#[test]
fn subject_dn_escapes_specials_and_joins_multi_valued_rdns_with_plus() {
    // DER orders the SET by encoding, so OU comes before CN in the multi-valued RDN.
    assert_eq!(
        cert(MULTI_PEM).subject_dn(),
        r#"CN=Åsa#1,serialNumber=5566-7788,OU=Ops+CN=svc \"one\" \<a\;b\>\\c,O=Example\, Inc. \+ Partners,DC=example,DC=com"#
    );
}

#[test]
fn formatted_subject_dn_parses_back_to_a_match() {
    for pem in [EC_PEM, RSA_PEM, MULTI_PEM] {
        let c = cert(pem);
        assert!(dn_matches(pem, &c.subject_dn()), "{}", c.subject_dn());
    }
}

#[test]
fn control_characters_in_a_dn_are_hex_escaped_for_logs() {
    let name = dn::DistinguishedName::parse(r"CN=evil\0Aline\E2\80\AE").unwrap();
    assert_eq!(name.to_string(), r"CN=evil\0Aline\E2\80\AE");
}

// ---- validity (RFC 5280 section 4.1.2.5) ----

#[test]
fn validity_is_exposed_in_unix_seconds_and_inclusive() {
    let c = cert(EC_PEM);
    assert_eq!(c.not_before(), NOT_BEFORE);
    assert_eq!(c.not_after(), NOT_AFTER);
    assert!(!c.is_valid_at(NOT_BEFORE - 1));
    assert!(c.is_valid_at(NOT_BEFORE));
    assert!(c.is_valid_at(NOT_AFTER));
    assert!(!c.is_valid_at(NOT_AFTER + 1));
}

#[test]
fn matching_ignores_validity_dates() {
    // The engine has no clock here; an unexpired certificate is not required to match.
    let c = cert(EC_PEM);
    assert!(!c.is_valid_at(0));
    assert!(matches_self_signed(&c, &[jwk(EC_JWK)]));
    assert!(san_matches(EC_PEM, "san_dns", "client.example.com"));
}

// ---- RFC 8705 section 2.1.2: registration metadata ----

#[test]
fn each_metadata_value_builds_its_binding() {
    assert_eq!(
        binding("subject_dn", "CN=client 1,O=Example AB,C=SE"),
        Ok(TlsClientAuthBinding::SubjectDn(
            "CN=client 1,O=Example AB,C=SE".to_owned()
        ))
    );
    assert_eq!(
        binding("san_dns", "client.example.com"),
        Ok(TlsClientAuthBinding::SanDns(
            "client.example.com".to_owned()
        ))
    );
    assert_eq!(
        binding("san_uri", "https://client.example.com/app"),
        Ok(TlsClientAuthBinding::SanUri(
            "https://client.example.com/app".to_owned()
        ))
    );
    assert_eq!(
        binding("san_ip", "192.0.2.7"),
        Ok(TlsClientAuthBinding::SanIp(IpAddr::from([192, 0, 2, 7])))
    );
    assert_eq!(
        binding("san_ip", "2001:db8::7"),
        Ok(TlsClientAuthBinding::SanIp("2001:db8::7".parse().unwrap()))
    );
    assert_eq!(
        binding("san_email", "ops@client.example.com"),
        Ok(TlsClientAuthBinding::SanEmail(
            "ops@client.example.com".to_owned()
        ))
    );
}

#[test]
fn metadata_names_round_trip() {
    for (name, value, metadata) in [
        ("subject_dn", "CN=a", "tls_client_auth_subject_dn"),
        ("san_dns", "a.example", "tls_client_auth_san_dns"),
        ("san_uri", "urn:a", "tls_client_auth_san_uri"),
        ("san_ip", "::1", "tls_client_auth_san_ip"),
        ("san_email", "a@b", "tls_client_auth_san_email"),
    ] {
        assert_eq!(binding(name, value).unwrap().metadata_name(), metadata);
    }
}

#[test]
fn no_metadata_value_is_missing() {
    assert_eq!(
        TlsClientAuthBinding::from_metadata(None, None, None, None, None),
        Err(BindingError::Missing)
    );
}

#[test]
fn more_than_one_metadata_value_is_ambiguous() {
    assert_eq!(
        TlsClientAuthBinding::from_metadata(Some("CN=a"), Some("a.example"), None, None, None),
        Err(BindingError::Ambiguous)
    );
    assert_eq!(
        TlsClientAuthBinding::from_metadata(None, None, Some("urn:a"), Some("::1"), Some("a@b")),
        Err(BindingError::Ambiguous)
    );
    // An empty value still counts as given.
    assert_eq!(
        TlsClientAuthBinding::from_metadata(Some(""), Some("a.example"), None, None, None),
        Err(BindingError::Ambiguous)
    );
}

#[test]
fn empty_or_overlong_metadata_values_are_refused() {
    for name in ["subject_dn", "san_dns", "san_uri", "san_ip", "san_email"] {
        assert_eq!(binding(name, ""), Err(BindingError::Empty), "{name}");
        let long = "a".repeat(MAX_BINDING_VALUE_LEN + 1);
        assert_eq!(binding(name, &long), Err(BindingError::TooLong), "{name}");
    }
}

#[test]
fn malformed_metadata_values_are_refused() {
    for dn in [
        "CN", "CN=a,", "=a", "XX=a", "CN=a<b", r"CN=a\q", r"CN=a\4", r"CN=\ff", "CN=#", "CN=#0c",
        "CN=#zz", "1=a", " ",
    ] {
        assert_eq!(
            binding("subject_dn", dn),
            Err(BindingError::InvalidSubjectDn),
            "{dn:?}"
        );
    }
    for dns in ["client example.com", "clïent.example.com"] {
        assert_eq!(
            binding("san_dns", dns),
            Err(BindingError::InvalidDnsName),
            "{dns:?}"
        );
    }
    for uri in ["client.example.com", ":x", "https://client.example.com/a b"] {
        assert_eq!(
            binding("san_uri", uri),
            Err(BindingError::InvalidUri),
            "{uri:?}"
        );
    }
    for ip in [
        "192.0.2.256",
        "192.0.2",
        "192.000.002.007",
        "2001:db8::7::1",
        "host",
    ] {
        assert_eq!(
            binding("san_ip", ip),
            Err(BindingError::InvalidIpAddress),
            "{ip:?}"
        );
    }
    for email in ["ops", "@example.com", "ops@", "öps@example.com"] {
        assert_eq!(
            binding("san_email", email),
            Err(BindingError::InvalidEmail),
            "{email:?}"
        );
    }
}

// ---- RFC 8705 section 2.1.2: subject DN (RFC 4517 distinguishedNameMatch) ----

#[test]
fn subject_dn_matches_exactly() {
    assert!(dn_matches(EC_PEM, "CN=client 1,O=Example AB,C=SE"));
    assert!(dn_matches(
        RSA_PEM,
        "CN=client2.example.com,OU=Payments,O=Example AB,L=Stockholm,ST=Stockholm,C=SE"
    ));
}

#[test]
fn subject_dn_ignores_case_and_insignificant_spaces() {
    assert!(dn_matches(EC_PEM, "cn=CLIENT 1,o=example ab,c=se"));
    assert!(dn_matches(EC_PEM, "CN = client   1 , O= Example AB ,C =SE"));
    assert!(dn_matches(EC_PEM, r"CN=\ client 1\ ,O=Example\20AB,C=SE"));
    assert!(dn_matches(
        EC_PEM,
        "commonName=client 1,organizationName=Example AB,countryName=SE"
    ));
    // Tabs and no-break spaces are spaces (RFC 4518 section 2.2).
    assert!(dn_matches(EC_PEM, "CN=client\u{a0}\t1,O=Example AB,C=SE"));
    // A soft hyphen maps to nothing.
    assert!(dn_matches(EC_PEM, "CN=cli\u{ad}ent 1,O=Example AB,C=SE"));
}

#[test]
fn subject_dn_with_inner_space_removed_does_not_match() {
    assert!(!dn_matches(EC_PEM, "CN=client1,O=Example AB,C=SE"));
    assert!(!dn_matches(EC_PEM, "CN=client 1,O=ExampleAB,C=SE"));
}

#[test]
fn subject_dn_with_a_different_value_does_not_match() {
    assert!(!dn_matches(EC_PEM, "CN=client 2,O=Example AB,C=SE"));
    assert!(!dn_matches(EC_PEM, "CN=client 1,O=Example AB,C=NO"));
}

#[test]
fn subject_dn_with_attributes_in_another_order_does_not_match() {
    assert!(!dn_matches(EC_PEM, "C=SE,O=Example AB,CN=client 1"));
    assert!(!dn_matches(EC_PEM, "O=Example AB,CN=client 1,C=SE"));
}

#[test]
fn subject_dn_with_an_extra_or_missing_rdn_does_not_match() {
    assert!(!dn_matches(EC_PEM, "CN=client 1,OU=Ops,O=Example AB,C=SE"));
    assert!(!dn_matches(EC_PEM, "UID=x,CN=client 1,O=Example AB,C=SE"));
    assert!(!dn_matches(EC_PEM, "CN=client 1,O=Example AB"));
    assert!(!dn_matches(EC_PEM, "O=Example AB,C=SE"));
}

#[test]
fn subject_dn_with_another_attribute_type_does_not_match() {
    assert!(!dn_matches(EC_PEM, "UID=client 1,O=Example AB,C=SE"));
    assert!(!dn_matches(EC_PEM, "CN=client 1,OU=Example AB,C=SE"));
}

#[test]
fn subject_dn_is_never_a_string_comparison() {
    // Same formatted text once escapes are undone, different structure.
    assert!(!dn_matches(EC_PEM, r"CN=client 1\,O=Example AB,C=SE"));
    assert!(!dn_matches(EC_PEM, r"CN=client 1+O=Example AB,C=SE"));
}

#[test]
fn subject_dn_with_escaped_characters_matches() {
    assert!(dn_matches(MULTI_PEM, MULTI_DN));
    // Hex escapes for the special characters and for UTF-8 bytes.
    assert!(dn_matches(
        MULTI_PEM,
        r"CN=\C3\85sa\231,serialNumber=5566-7788,CN=svc \22one\22 \3Ca\3Bb\3E\5Cc+OU=Ops,O=Example\2C Inc. \2B Partners,DC=example,DC=com"
    ));
}

#[test]
fn subject_dn_escape_left_out_changes_the_structure() {
    // Unescaped, the comma splits the organisation into two RDNs and the plus into two
    // attributes: neither parses to the certificate's DN.
    assert!(!dn_matches(
        MULTI_PEM,
        r#"CN=Åsa#1,serialNumber=5566-7788,CN=svc \"one\" \<a\;b\>\\c+OU=Ops,O=Example, Inc. \+ Partners,DC=example,DC=com"#
    ));
    assert!(!dn_matches(
        MULTI_PEM,
        r#"CN=Åsa#1,serialNumber=5566-7788,CN=svc \"one\" \<a\;b\>\\c+OU=Ops,O=Example\, Inc. + Partners,DC=example,DC=com"#
    ));
}

#[test]
fn multi_valued_rdn_matches_in_any_order_inside_the_rdn() {
    assert!(dn_matches(
        MULTI_PEM,
        r#"CN=Åsa#1,serialNumber=5566-7788,OU=Ops+CN=svc \"one\" \<a\;b\>\\c,O=Example\, Inc. \+ Partners,DC=example,DC=com"#
    ));
    assert!(dn_matches(
        MULTI_PEM,
        r#"CN=Åsa#1 , serialNumber=5566-7788 , OU = ops + cn = SVC \"ONE\" \<A\;B\>\\C , O=example\, inc. \+ partners,DC=EXAMPLE,DC=COM"#
    ));
}

#[test]
fn multi_valued_rdn_split_or_shortened_does_not_match() {
    // Split into two RDNs.
    assert!(!dn_matches(
        MULTI_PEM,
        r#"CN=Åsa#1,serialNumber=5566-7788,CN=svc \"one\" \<a\;b\>\\c,OU=Ops,O=Example\, Inc. \+ Partners,DC=example,DC=com"#
    ));
    // One attribute of the RDN left out.
    assert!(!dn_matches(
        MULTI_PEM,
        r"CN=Åsa#1,serialNumber=5566-7788,OU=Ops,O=Example\, Inc. \+ Partners,DC=example,DC=com"
    ));
    // The same attribute twice instead of two different ones.
    assert!(!dn_matches(
        MULTI_PEM,
        r"CN=Åsa#1,serialNumber=5566-7788,OU=Ops+OU=Ops,O=Example\, Inc. \+ Partners,DC=example,DC=com"
    ));
}

#[test]
fn subject_dn_folds_non_ascii_case() {
    assert!(dn_matches(
        MULTI_PEM,
        r#"CN=åSA#1,serialNumber=5566-7788,CN=svc \"one\" \<a\;b\>\\c+OU=Ops,O=Example\, Inc. \+ Partners,DC=example,DC=com"#
    ));
}

#[test]
fn subject_dn_accepts_dotted_oids_and_oid_prefix() {
    assert!(dn_matches(
        MULTI_PEM,
        r#"2.5.4.3=Åsa#1,2.5.4.5=5566-7788,CN=svc \"one\" \<a\;b\>\\c+OU=Ops,OID.2.5.4.10=Example\, Inc. \+ Partners,0.9.2342.19200300.100.1.25=example,DC=com"#
    ));
    assert!(dn_matches(
        EC_PEM,
        "2.5.4.3=client 1,2.5.4.10=Example AB,2.5.4.6=SE"
    ));
    // A different serialNumber value.
    assert!(!dn_matches(
        MULTI_PEM,
        r#"CN=Åsa#1,2.5.4.5=5566-7789,CN=svc \"one\" \<a\;b\>\\c+OU=Ops,O=Example\, Inc. \+ Partners,DC=example,DC=com"#
    ));
}

#[test]
fn subject_dn_accepts_hex_encoded_values() {
    // C as PrintableString "SE", CN as UTF8String "CLIENT 1" (compared as strings).
    assert!(dn_matches(
        EC_PEM,
        "CN=#0c08434c49454e542031,O=Example AB,C=#13025345"
    ));
    // An OCTET STRING is not a string and does not match the PrintableString.
    assert!(!dn_matches(EC_PEM, "CN=client 1,O=Example AB,C=#04025345"));
}

#[test]
fn semicolon_separates_rdns_as_in_rfc_2253() {
    assert!(dn_matches(EC_PEM, "CN=client 1; O=Example AB; C=SE"));
}

#[test]
fn empty_subject_dn_never_matches() {
    let ed = cert(ED_PEM);
    for registered in ["", "  "] {
        assert!(!matches_tls_client_auth(
            &ed,
            &TlsClientAuthBinding::SubjectDn(registered.to_owned())
        ));
    }
    assert!(!dn_matches(ED_PEM, "CN=client 1"));
}

#[test]
fn unparsable_registered_dn_never_matches() {
    assert!(!dn_matches(EC_PEM, "CN=client 1,O=Example AB,C=SE,"));
    assert!(!dn_matches(EC_PEM, r"CN=client 1\,O=Example AB,C=SE\"));
}

// ---- RFC 8705 section 2.1.2: subject alternative names ----

#[test]
fn san_dns_matches_case_insensitively_and_exactly() {
    assert!(san_matches(EC_PEM, "san_dns", "client.example.com"));
    assert!(san_matches(EC_PEM, "san_dns", "CLIENT.Example.COM"));
    assert!(san_matches(ED_PEM, "san_dns", "device-7.example.com"));
    assert!(san_matches(RSA_PEM, "san_dns", "client2.example.com"));
}

#[test]
fn san_dns_does_not_match_other_names_or_expand_wildcards() {
    assert!(!san_matches(EC_PEM, "san_dns", "client2.example.com"));
    assert!(!san_matches(EC_PEM, "san_dns", "*.example.com"));
    assert!(!san_matches(EC_PEM, "san_dns", "example.com"));
    assert!(!san_matches(EC_PEM, "san_dns", "client.example.com."));
    // A URI SAN is not a dNSName.
    assert!(!san_matches(
        EC_PEM,
        "san_dns",
        "https://client.example.com/app"
    ));
    // The subject CN is not a dNSName either.
    assert!(!san_matches(RSA_PEM, "san_dns", "client.example.com"));
}

#[test]
fn san_uri_matches_exactly() {
    assert!(san_matches(
        EC_PEM,
        "san_uri",
        "https://client.example.com/app"
    ));
    assert!(!san_matches(
        EC_PEM,
        "san_uri",
        "https://client.example.com/app/"
    ));
    assert!(!san_matches(
        EC_PEM,
        "san_uri",
        "HTTPS://client.example.com/app"
    ));
    assert!(!san_matches(
        EC_PEM,
        "san_uri",
        "https://client.example.com/App"
    ));
    assert!(!san_matches(
        EC_PEM,
        "san_uri",
        "https://client.example.com"
    ));
}

#[test]
fn san_ip_matches_by_value() {
    assert!(san_matches(EC_PEM, "san_ip", "192.0.2.7"));
    assert!(san_matches(EC_PEM, "san_ip", "2001:db8::7"));
    assert!(san_matches(EC_PEM, "san_ip", "2001:0DB8:0:0:0:0:0:0007"));
}

#[test]
fn san_ip_does_not_match_other_addresses_or_families() {
    assert!(!san_matches(EC_PEM, "san_ip", "192.0.2.8"));
    assert!(!san_matches(EC_PEM, "san_ip", "2001:db8::8"));
    assert!(!san_matches(EC_PEM, "san_ip", "::ffff:192.0.2.7"));
    assert!(!san_matches(EC_PEM, "san_ip", "::192.0.2.7"));
    assert!(!san_matches(RSA_PEM, "san_ip", "192.0.2.7"));
}

#[test]
fn san_email_matches_with_case_insensitive_domain_only() {
    assert!(san_matches(EC_PEM, "san_email", "ops@Client.Example.com"));
    assert!(san_matches(EC_PEM, "san_email", "ops@client.example.com"));
    assert!(san_matches(ED_PEM, "san_email", "device7@IOT.example.org"));
    assert!(!san_matches(EC_PEM, "san_email", "OPS@client.example.com"));
    assert!(!san_matches(EC_PEM, "san_email", "ops@other.example.com"));
    assert!(!san_matches(
        EC_PEM,
        "san_email",
        "ops@client.example.com.evil"
    ));
}

#[test]
fn san_binding_never_matches_a_certificate_without_sans() {
    for (name, value) in [
        ("san_dns", "example.com"),
        ("san_uri", "https://client.example.com/app"),
        ("san_ip", "192.0.2.7"),
        ("san_email", "ops@client.example.com"),
    ] {
        assert!(!san_matches(MULTI_PEM, name, value), "{name}");
    }
}

#[test]
fn bindings_built_without_validation_fail_closed() {
    let c = cert(EC_PEM);
    for b in [
        TlsClientAuthBinding::SanDns(String::new()),
        TlsClientAuthBinding::SanUri(String::new()),
        TlsClientAuthBinding::SanEmail(String::new()),
        TlsClientAuthBinding::SanEmail("@client.example.com".to_owned()),
    ] {
        assert!(!matches_tls_client_auth(&c, &b), "{b:?}");
    }
}

// ---- RFC 8705 section 2.2: self-signed certificates against registered JWKs ----

#[test]
fn self_signed_ec_certificate_matches_its_jwk() {
    assert!(matches_self_signed(&cert(EC_PEM), &[jwk(EC_JWK)]));
    assert!(matches_self_signed(&cert(MULTI_PEM), &[jwk(MULTI_JWK)]));
}

#[test]
fn self_signed_rsa_certificate_matches_its_jwk() {
    assert!(matches_self_signed(&cert(RSA_PEM), &[jwk(RSA_JWK)]));
}

#[test]
fn self_signed_ed25519_certificate_matches_its_okp_jwk() {
    assert!(matches_self_signed(&cert(ED_PEM), &[jwk(ED_JWK)]));
    assert!(!matches_self_signed(&cert(EC_PEM), &[jwk(ED_JWK)]));
}

#[test]
fn self_signed_certificate_does_not_match_another_key() {
    assert!(!matches_self_signed(&cert(EC_PEM), &[jwk(OTHER_EC_JWK)]));
    assert!(!matches_self_signed(&cert(EC_PEM), &[jwk(MULTI_JWK)]));
    assert!(!matches_self_signed(&cert(RSA_PEM), &[jwk(OTHER_RSA_JWK)]));
    assert!(!matches_self_signed(&cert(EC_PEM), &[jwk(RSA_JWK)]));
    assert!(!matches_self_signed(&cert(RSA_PEM), &[jwk(EC_JWK)]));
    assert!(!matches_self_signed(&cert(EC_PEM), &[]));
}

#[test]
fn self_signed_certificate_matches_any_key_of_the_set() {
    let set = [jwk(OTHER_RSA_JWK), jwk(OTHER_EC_JWK), jwk(EC_JWK)];
    assert!(matches_self_signed(&cert(EC_PEM), &set));
    assert!(!matches_self_signed(&cert(RSA_PEM), &set));
}

#[test]
fn self_signed_keys_compare_as_values() {
    // A leading zero byte on n does not change the integer.
    let mut padded = jwk(RSA_JWK);
    let n = base64ct::Base64UrlUnpadded::decode_vec(padded.n.as_deref().unwrap()).unwrap();
    let mut with_zero = vec![0u8];
    with_zero.extend_from_slice(&n);
    padded.n = Some(base64ct::Base64UrlUnpadded::encode_string(&with_zero));
    assert!(matches_self_signed(&cert(RSA_PEM), &[padded]));
}

#[test]
fn self_signed_key_with_swapped_or_missing_members_does_not_match() {
    let mut swapped = jwk(EC_JWK);
    core::mem::swap(&mut swapped.x, &mut swapped.y);
    assert!(!matches_self_signed(&cert(EC_PEM), &[swapped]));
    let mut no_y = jwk(EC_JWK);
    no_y.y = None;
    assert!(!matches_self_signed(&cert(EC_PEM), &[no_y]));
    let mut other_curve = jwk(EC_JWK);
    other_curve.crv = Some("P-384".to_owned());
    assert!(!matches_self_signed(&cert(EC_PEM), &[other_curve]));
    let mut wrong_kty = jwk(RSA_JWK);
    wrong_kty.kty = "rsa".to_owned();
    assert!(!matches_self_signed(&cert(RSA_PEM), &[wrong_kty]));
    let mut bad_e = jwk(RSA_JWK);
    bad_e.e = Some("AQAA".to_owned());
    assert!(!matches_self_signed(&cert(RSA_PEM), &[bad_e]));
    let mut not_base64 = jwk(EC_JWK);
    not_base64.x = Some("not base64url!".to_owned());
    assert!(!matches_self_signed(&cert(EC_PEM), &[not_base64]));
}

#[test]
fn self_signed_key_must_be_for_signatures() {
    let with = |use_: Option<&str>, ops: Option<&[&str]>| {
        let mut k = jwk(EC_JWK);
        k.use_ = use_.map(str::to_owned);
        k.key_ops = ops.map(|o| o.iter().map(|s| (*s).to_owned()).collect());
        matches_self_signed(&cert(EC_PEM), &[k])
    };
    assert!(with(None, None));
    assert!(with(Some("sig"), None));
    assert!(!with(Some("enc"), None));
    assert!(!with(Some("SIG"), None));
    assert!(with(None, Some(&["verify"])));
    assert!(!with(None, Some(&["encrypt", "wrapKey"])));
    assert!(!with(None, Some(&[])));
}

#[test]
fn self_signed_key_in_a_private_jwk_still_matches_by_its_public_part() {
    let mut k = jwk(EC_JWK);
    k.d = Some("AAAA".to_owned());
    assert!(matches_self_signed(&cert(EC_PEM), &[k]));
}

// ---- robustness ----

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn from_der_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = ClientCertificate::from_der(&bytes);
        }

        #[test]
        fn from_der_survives_single_byte_corruption(index in 0usize..560, byte in any::<u8>()) {
            let mut bytes = der(EC_PEM);
            let i = index % bytes.len();
            bytes[i] = byte;
            if let Ok(c) = ClientCertificate::from_der(&bytes) {
                let _ = c.subject_dn();
                let _ = matches_self_signed(&c, &[jwk(EC_JWK)]);
            }
        }

        #[test]
        fn dn_parser_never_panics(s in "\\PC{0,64}") {
            if let Some(name) = dn::DistinguishedName::parse(&s) {
                let _ = name.to_string();
            }
        }

        #[test]
        fn dn_parser_never_panics_on_dn_like_text(s in "[A-Za-z0-9=,+;#\\\\ \"<>.]{0,48}") {
            let _ = dn_matches(EC_PEM, &s);
        }

        #[test]
        fn pem_decoder_never_panics(s in "\\PC{0,256}") {
            let _ = ClientCertificate::from_pem(&s);
        }
    }
}
