//! Mutual-TLS client authentication (RFC 8705) over real TLS: certificates are made here
//! with rcgen, the server asks for (but does not require) a client certificate, and the
//! engine decides what it authenticates.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::*;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

struct Pki {
    dir: std::path::PathBuf,
    ca_pem: String,
    /// CA-signed client certificate and key, subject CN=mtls-client.
    pki_client: String,
    /// Self-signed certificate and key, subject CN=self-signed-client.
    self_signed: String,
    /// Its public key as JWK members x, y.
    self_signed_xy: (String, String),
    /// A self-signed certificate impersonating CN=mtls-client.
    impostor: String,
}

fn make_pki() -> Pki {
    let dir = {
        // Unique per call: tests of one process run at once and must not share files.
        let mut tag = [0u8; 8];
        getrandom::fill(&mut tag).unwrap();
        std::env::temp_dir().join(format!("oauth-hyper-mtls-{:016x}", u64::from_le_bytes(tag)))
    };
    std::fs::create_dir_all(&dir).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();

    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    std::fs::write(dir.join("server.pem"), server.pem()).unwrap();
    std::fs::write(dir.join("server.key"), server_key.serialize_pem()).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();

    let client_key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, "mtls-client");
    let client = p.signed_by(&client_key, &ca).unwrap();

    let ss_key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name
        .push(DnType::CommonName, "self-signed-client");
    let ss = p.self_signed(&ss_key).unwrap();
    let raw = ss_key.public_key_raw();
    assert_eq!(raw.len(), 65);
    let xy = (
        Base64UrlUnpadded::encode_string(&raw[1..33]),
        Base64UrlUnpadded::encode_string(&raw[33..65]),
    );

    let imp_key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, "mtls-client");
    let imp = p.self_signed(&imp_key).unwrap();

    Pki {
        ca_pem: ca.pem(),
        pki_client: format!("{}{}", client.pem(), client_key.serialize_pem()),
        self_signed: format!("{}{}", ss.pem(), ss_key.serialize_pem()),
        self_signed_xy: xy,
        impostor: format!("{}{}", imp.pem(), imp_key.serialize_pem()),
        dir,
    }
}

fn clients(pki: &Pki) -> String {
    format!(
        r#"
[[tenants.clients]]
client_id = "mtls-pki"
token_endpoint_auth_method = "tls_client_auth"
tls_client_auth_subject_dn = "CN=mtls-client"
grant_types = ["client_credentials"]
scope = "read"

[[tenants.clients]]
client_id = "mtls-self"
token_endpoint_auth_method = "self_signed_tls_client_auth"
jwks = {{ keys = [ {{ kty = "EC", crv = "P-256", x = "{}", y = "{}" }} ] }}
grant_types = ["client_credentials"]
scope = "read"
"#,
        pki.self_signed_xy.0, pki.self_signed_xy.1
    )
}

fn tls_client(pki: &Pki, addr: std::net::SocketAddr, identity: Option<&str>) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap())
        .resolve("localhost", addr);
    if let Some(id) = identity {
        b = b.identity(reqwest::Identity::from_pem(id.as_bytes()).unwrap());
    }
    b.build().unwrap()
}

async fn client_credentials(
    c: &reqwest::Client,
    url: &str,
    client_id: &str,
) -> (u16, serde_json::Value) {
    json(
        c.post(url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn tls_client_auth_and_self_signed_tls_client_auth_over_tls() {
    let pki = make_pki();
    let head = format!(
        "[tls]\ncert_file = {:?}\nkey_file = {:?}\nclient_ca_file = {:?}\n",
        pki.dir.join("server.pem").display().to_string(),
        pki.dir.join("server.key").display().to_string(),
        pki.dir.join("ca.pem").display().to_string(),
    );
    let s = TestServer::start_toml(&config_toml(&head, &clients(&pki))).await;
    assert!(s.base.starts_with("https://"));
    let url = format!("https://localhost:{}/t1/as/token", s.addr.port());

    // Discovery now offers the mTLS methods.
    let (_, d) = json(
        tls_client(&pki, s.addr, None)
            .get(format!(
                "https://localhost:{}/t1/as/.well-known/openid-configuration",
                s.addr.port()
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        d["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("tls_client_auth"))
    );

    // PKI: a certificate issued by the configured CA, subject as registered.
    let (status, t) = client_credentials(
        &tls_client(&pki, s.addr, Some(&pki.pki_client)),
        &url,
        "mtls-pki",
    )
    .await;
    assert_eq!(status, 200, "{t}");

    // Self-signed: the registered key.
    let (status, t) = client_credentials(
        &tls_client(&pki, s.addr, Some(&pki.self_signed)),
        &url,
        "mtls-self",
    )
    .await;
    assert_eq!(status, 200, "{t}");

    // A self-signed certificate naming the PKI client's subject does not authenticate it.
    let (status, t) = client_credentials(
        &tls_client(&pki, s.addr, Some(&pki.impostor)),
        &url,
        "mtls-pki",
    )
    .await;
    assert_eq!(status, 401, "{t}");
    assert_eq!(t["error"], "invalid_client");

    // The wrong key for the self-signed client.
    let (status, _) = client_credentials(
        &tls_client(&pki, s.addr, Some(&pki.impostor)),
        &url,
        "mtls-self",
    )
    .await;
    assert_eq!(status, 401);

    // No certificate at all: the handshake succeeds (optional), authentication does not.
    let c = tls_client(&pki, s.addr, None);
    let (status, _) = client_credentials(&c, &url, "mtls-pki").await;
    assert_eq!(status, 401);
    // ... and other clients work over the same TLS.
    let (status, t) = json(
        c.post(&url)
            .header("authorization", basic("basic", "basic-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    s.stop().await;
    let _ = std::fs::remove_dir_all(&pki.dir);
}

#[tokio::test]
async fn certificate_from_a_trusted_proxy_header() {
    let pki = make_pki();
    let head = "trusted_client_cert_header = \"X-SSL-Client-Cert\"\n";
    let s = TestServer::start_toml(&config_toml(head, &clients(&pki))).await;
    let cert_pem =
        &pki.self_signed[..pki.self_signed.find("-----END CERTIFICATE-----").unwrap() + 25];
    let mut escaped = String::new();
    oauth_hyper::http_util::percent_encode(&mut escaped, cert_pem);
    let (status, t) = json(
        http()
            .post(s.at("token"))
            .header("x-ssl-client-cert", &escaped)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "mtls-self"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    // The header's chain is not vouched for (trusted_client_cert_header_chain_verified is
    // off), so it cannot authenticate a tls_client_auth client.
    let ca_signed =
        &pki.pki_client[..pki.pki_client.find("-----END CERTIFICATE-----").unwrap() + 25];
    let mut escaped = String::new();
    oauth_hyper::http_util::percent_encode(&mut escaped, ca_signed);
    let (status, _) = json(
        http()
            .post(s.at("token"))
            .header("x-ssl-client-cert", &escaped)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "mtls-pki"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    s.stop().await;
    let _ = std::fs::remove_dir_all(&pki.dir);
}
