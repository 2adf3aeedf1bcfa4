#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
//! Mutual-TLS client authentication (RFC 8705 section 2): `tls_client_auth` by the
//! registered subject DN or subject alternative name, `self_signed_tls_client_auth` by a
//! registered key.

mod common;

use common::*;
use jwt_verify::Algorithm;
use oauth_core::auth::AuthFailure;
use oauth_testkit::{Reply, TestKit};
use serde_json::{Value, json};

fn register_tls(kit: &mut TestKit, id: &str, binding: (&str, &str)) {
    let mut meta = json!({
        "client_id": id, "token_endpoint_auth_method": "tls_client_auth",
        "grant_types": ["client_credentials"], "scope": "read",
    });
    meta[binding.0] = binding.1.into();
    kit.register(meta);
}

fn register_self_signed(kit: &mut TestKit, id: &str, keys: &[Value]) {
    kit.register(json!({
        "client_id": id, "token_endpoint_auth_method": "self_signed_tls_client_auth",
        "jwks": jwks(keys), "grant_types": ["client_credentials"], "scope": "read",
    }));
}

/// A client_credentials request naming `id`, over a TLS connection that presented `cert`.
fn send(kit: &mut TestKit, id: &str, cert: Option<&str>) -> Reply {
    let der = cert.map(der);
    post(
        kit,
        &[("grant_type", "client_credentials"), ("client_id", id)],
        None,
        der.as_deref(),
    )
}

#[test]
fn tls_client_auth_accepts_the_registered_subject_dn() {
    // RFC 8705 section 2.1.2: tls_client_auth_subject_dn, an RFC 4514 string.
    let mut kit = TestKit::new();
    register_tls(
        &mut kit,
        "dn",
        (
            "tls_client_auth_subject_dn",
            "CN=client a,O=Example AB,C=SE",
        ),
    );
    assert_tokens(&send(&mut kit, "dn", Some(CLIENT_A_CERT_PEM)));
}

#[test]
fn tls_client_auth_refuses_another_subject_dn() {
    let mut kit = TestKit::new();
    register_tls(
        &mut kit,
        "dn",
        (
            "tls_client_auth_subject_dn",
            "CN=client a,O=Example AB,C=SE",
        ),
    );
    for other in [CLIENT_B_CERT_PEM, RSA_CERT_PEM] {
        let r = send(&mut kit, "dn", Some(other));
        assert_invalid_client(&r);
        assert_eq!(auth_failure(&r), &AuthFailure::CertificateMismatch);
    }
}

#[test]
fn tls_client_auth_subject_dn_is_matched_by_value() {
    // RFC 8705 section 2.1.2 names the DN by its RFC 4514 string; RFC 4517
    // distinguishedNameMatch compares values (caseIgnoreMatch with RFC 4518 space handling
    // for these attributes), type names case-insensitively and types by OID, and RFC 4514
    // section 2.4 escapes name the same characters.
    let mut kit = TestKit::new();
    for (i, dn) in [
        "cn=client a,o=Example AB,c=SE",
        "CN=CLIENT A,O=example ab,C=se",
        "CN=client  a,O=Example   AB,C=SE",
        "commonName=client a,organizationName=Example AB,countryName=SE",
        "2.5.4.3=client a,2.5.4.10=Example AB,2.5.4.6=SE",
        "CN=client\\20a,O=Example\\ AB,C=SE",
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("dn-{i}");
        register_tls(&mut kit, &id, ("tls_client_auth_subject_dn", dn));
        let r = send(&mut kit, &id, Some(CLIENT_A_CERT_PEM));
        assert_eq!(r.status(), 200, "{dn} did not match: {}", r.json);
        assert_tokens(&r);
    }
}

#[test]
fn tls_client_auth_subject_dn_is_compared_in_rfc4514_order() {
    // RFC 4514 section 2.1 writes the RDNs last to first: `C=SE,O=Example AB,CN=client a`
    // names a different DN from the certificate's, and so does a partial DN.
    let mut kit = TestKit::new();
    for (i, dn) in [
        "C=SE,O=Example AB,CN=client a",
        "CN=client a,O=Example AB",
        "CN=client a",
        "CN=client a,O=Example AB,C=SE,DC=example",
        "CN=client a,OU=Example AB,C=SE",
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("dn-{i}");
        register_tls(&mut kit, &id, ("tls_client_auth_subject_dn", dn));
        let r = send(&mut kit, &id, Some(CLIENT_A_CERT_PEM));
        assert_eq!(r.status(), 401, "{dn} matched");
        assert_invalid_client(&r);
    }
}

#[test]
fn tls_client_auth_accepts_the_registered_san() {
    let mut kit = TestKit::new();
    for (i, binding) in [
        ("tls_client_auth_san_dns", "client-a.example.com"),
        (
            "tls_client_auth_san_uri",
            "https://client-a.example.com/app",
        ),
        ("tls_client_auth_san_ip", "192.0.2.10"),
        ("tls_client_auth_san_email", "ops@client-a.example.com"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("san-{i}");
        register_tls(&mut kit, &id, binding);
        assert_tokens(&send(&mut kit, &id, Some(CLIENT_A_CERT_PEM)));
        // Another certificate does not carry it.
        let r = send(&mut kit, &id, Some(CLIENT_B_CERT_PEM));
        assert_invalid_client(&r);
    }
}

#[test]
fn tls_client_auth_refuses_a_san_the_certificate_does_not_carry() {
    let mut kit = TestKit::new();
    for (i, binding) in [
        ("tls_client_auth_san_dns", "client-b.example.com"),
        ("tls_client_auth_san_dns", "example.com"),
        ("tls_client_auth_san_dns", "*.example.com"),
        (
            "tls_client_auth_san_uri",
            "https://client-a.example.com/app/",
        ),
        ("tls_client_auth_san_uri", "https://client-a.example.com"),
        ("tls_client_auth_san_ip", "192.0.2.11"),
        ("tls_client_auth_san_ip", "::ffff:192.0.2.10"),
        ("tls_client_auth_san_email", "OPS@client-a.example.com"),
        ("tls_client_auth_san_email", "ops@client-b.example.com"),
        // The subject's O is not a SAN.
        ("tls_client_auth_san_dns", "Example"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("san-{i}");
        register_tls(&mut kit, &id, binding);
        let r = send(&mut kit, &id, Some(CLIENT_A_CERT_PEM));
        assert_eq!(r.status(), 401, "{binding:?} matched");
        assert_invalid_client(&r);
    }
}

#[test]
fn tls_client_auth_without_a_certificate_is_invalid_client() {
    let mut kit = TestKit::new();
    register_tls(
        &mut kit,
        "dn",
        (
            "tls_client_auth_subject_dn",
            "CN=client a,O=Example AB,C=SE",
        ),
    );
    let r = send(&mut kit, "dn", None);
    assert_invalid_client(&r);
    assert_eq!(auth_failure(&r), &AuthFailure::NoCertificate);
}

#[test]
fn malformed_certificate_is_invalid_client() {
    let mut kit = TestKit::new();
    register_tls(
        &mut kit,
        "dn",
        (
            "tls_client_auth_subject_dn",
            "CN=client a,O=Example AB,C=SE",
        ),
    );
    let good = der(CLIENT_A_CERT_PEM);
    let mut trailing = good.clone();
    trailing.push(0);
    for bad in [
        vec![],
        vec![0x30, 0x03, 0x02, 0x01, 0x01],
        good[..good.len() - 1].to_vec(),
        trailing,
        CLIENT_A_CERT_PEM.as_bytes().to_vec(),
    ] {
        let r = post(
            &mut kit,
            &[("grant_type", "client_credentials"), ("client_id", "dn")],
            None,
            Some(&bad),
        );
        assert_invalid_client(&r);
    }
}

#[test]
fn self_signed_tls_client_auth_accepts_the_certificate_of_a_registered_key() {
    // RFC 8705 section 2.2: the certificate matches a key registered in `jwks`.
    let mut kit = TestKit::new();
    register_self_signed(&mut kit, "ec", &[public_jwk(&key_a(), true)]);
    assert_tokens(&send(&mut kit, "ec", Some(CLIENT_A_CERT_PEM)));
    // One of several registered keys is enough (key rollover).
    register_self_signed(
        &mut kit,
        "two",
        &[public_jwk(&key_b(), true), public_jwk(&key_a(), false)],
    );
    assert_tokens(&send(&mut kit, "two", Some(CLIENT_A_CERT_PEM)));
    assert_tokens(&send(&mut kit, "two", Some(CLIENT_B_CERT_PEM)));
    // RSA keys too.
    register_self_signed(
        &mut kit,
        "rsa",
        &[public_jwk(&rsa_key(Algorithm::RS256), true)],
    );
    assert_tokens(&send(&mut kit, "rsa", Some(RSA_CERT_PEM)));
}

#[test]
fn self_signed_tls_client_auth_refuses_an_unregistered_key() {
    let mut kit = TestKit::new();
    register_self_signed(&mut kit, "ec", &[public_jwk(&key_a(), true)]);
    for other in [CLIENT_B_CERT_PEM, RSA_CERT_PEM] {
        let r = send(&mut kit, "ec", Some(other));
        assert_invalid_client(&r);
        assert_eq!(auth_failure(&r), &AuthFailure::CertificateMismatch);
    }
}

#[test]
fn self_signed_tls_client_auth_refuses_a_key_registered_for_encryption() {
    // RFC 7517 section 4.2: a key whose `use` is `enc` does not sign the TLS handshake.
    let mut kit = TestKit::new();
    let mut jwk = public_jwk(&key_a(), false);
    jwk["use"] = "enc".into();
    let mut meta = json!({
        "client_id": "enc", "token_endpoint_auth_method": "self_signed_tls_client_auth",
        "grant_types": ["client_credentials"],
    });
    meta["jwks"] = jwks(&[jwk, public_jwk(&key_b(), true)]);
    kit.register(meta);
    assert_invalid_client(&send(&mut kit, "enc", Some(CLIENT_A_CERT_PEM)));
    assert_tokens(&send(&mut kit, "enc", Some(CLIENT_B_CERT_PEM)));
}

#[test]
fn self_signed_tls_client_auth_without_a_certificate_is_invalid_client() {
    let mut kit = TestKit::new();
    register_self_signed(&mut kit, "ec", &[public_jwk(&key_a(), true)]);
    let r = send(&mut kit, "ec", None);
    assert_invalid_client(&r);
    assert_eq!(auth_failure(&r), &AuthFailure::NoCertificate);
}

#[test]
fn certificate_bound_client_must_name_itself() {
    // RFC 8705 section 2: the client includes client_id so the server knows which
    // registration the certificate must match.
    let mut kit = TestKit::new();
    register_tls(
        &mut kit,
        "dn",
        (
            "tls_client_auth_subject_dn",
            "CN=client a,O=Example AB,C=SE",
        ),
    );
    let cert = der(CLIENT_A_CERT_PEM);
    let r = post(
        &mut kit,
        &[("grant_type", "client_credentials")],
        None,
        Some(&cert),
    );
    assert!(matches!(r.status(), 400 | 401), "{}", r.json);
    assert!(r.get("access_token").is_none());
}

#[test]
fn certificate_of_one_client_does_not_authenticate_another() {
    let mut kit = TestKit::new();
    register_tls(
        &mut kit,
        "a",
        (
            "tls_client_auth_subject_dn",
            "CN=client a,O=Example AB,C=SE",
        ),
    );
    register_tls(
        &mut kit,
        "b",
        ("tls_client_auth_san_dns", "client-b.example.com"),
    );
    assert_invalid_client(&send(&mut kit, "b", Some(CLIENT_A_CERT_PEM)));
    assert_invalid_client(&send(&mut kit, "a", Some(CLIENT_B_CERT_PEM)));
    assert_tokens(&send(&mut kit, "b", Some(CLIENT_B_CERT_PEM)));
}
