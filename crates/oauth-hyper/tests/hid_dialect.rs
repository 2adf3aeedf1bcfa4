//! HID Authentication Service's dialect over HTTP, through `POST /{tenant}/authn/token`:
//! Bearer client authentication, `api_otp`, `urn:hid:oauth:grant-type:client-secret-pki`,
//! the custom parameters, `auth_req_id` echoed in CIBA token responses, and discovery.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::*;
use rcgen::{CertificateParams, DnType, KeyPair};

const CIBA: &str = "urn:openid:params:grant-type:ciba";
const PKI: &str = "urn:hid:oauth:grant-type:client-secret-pki";

/// Tenant `hid` under the HID profile and tenant `std` without it, the same clients in
/// both; client certificates come from a trusted proxy that validated their chain.
fn toml() -> String {
    let clients = r#"
[[tenants.clients]]
client_id = "app"
client_secret = "app-secret"
grant_types = ["client_credentials", "password", "api_otp", "urn:openid:params:grant-type:ciba", "ciba_delete"]
scope = "openid read"
permissions = ["FS_APIOTP"]
backchannel_token_delivery_mode = "poll"

[[tenants.clients]]
client_id = "pki"
token_endpoint_auth_method = "tls_client_auth"
tls_client_auth_subject_dn = "CN=hid-pki-client"
grant_types = ["urn:hid:oauth:grant-type:client-secret-pki"]
scope = "read"

[[tenants.users]]
username = "alice"
password = "wonderland"
ciba = "approve"
ciba_delay_secs = 1
"#;
    format!(
        r#"
listen = "127.0.0.1:0"
store = {{ kind = "memory" }}
trusted_client_cert_header = "X-SSL-Client-Cert"
trusted_client_cert_header_chain_verified = true

[[tenants]]
id = "hid"
profile = "hid"
hid_api_otp_permission = "FS_APIOTP"
ciba_interval_secs = 1
{clients}
[[tenants]]
id = "std"
ciba_interval_secs = 1
{clients}"#
    )
}

fn authn(s: &TestServer, tenant: &str) -> String {
    format!("{}/{tenant}/authn/token", s.base)
}

async fn send(
    url: &str,
    authorization: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value, Option<String>) {
    let mut r = http().post(url).form(form);
    if let Some(a) = authorization {
        r = r.header("Authorization", a);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let challenge = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = json(r).await;
    (status, body, challenge)
}

async fn client_token(s: &TestServer, tenant: &str) -> String {
    let (status, t, _) = send(
        &authn(s, tenant),
        Some(&basic("app", "app-secret")),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    t["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn bearer_client_authentication_and_api_otp() {
    let s = TestServer::start_toml(&toml()).await;
    let bearer = format!("Bearer {}", client_token(&s, "hid").await);
    let url = authn(&s, "hid");
    // HID's password grant sample, with the client's Bearer token.
    let (status, t, _) = send(
        &url,
        Some(&bearer),
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "wonderland"),
            ("scope", "openid"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert!(t["id_token"].is_string());
    // api_otp: the OTP comes from the server's host.
    let (status, t, _) = send(
        &url,
        Some(&bearer),
        &[
            ("grant_type", "api_otp"),
            ("username", "alice"),
            ("authType", "AT_SMSOTP"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    let otp = t["otp"].as_str().unwrap();
    assert!(
        otp.len() == 8 && otp.bytes().all(|b| b.is_ascii_digit()),
        "{t}"
    );
    assert_eq!(t.as_object().unwrap().len(), 1);
    // Unknown user; missing authType.
    let (status, t, _) = send(
        &url,
        Some(&bearer),
        &[
            ("grant_type", "api_otp"),
            ("username", "nobody"),
            ("authType", "AT_SMSOTP"),
        ],
    )
    .await;
    assert_eq!((status, t["error"].as_str()), (400, Some("invalid_grant")));
    let (status, t, _) = send(
        &url,
        Some(&bearer),
        &[("grant_type", "api_otp"), ("username", "alice")],
    )
    .await;
    assert_eq!(
        (status, t["error"].as_str()),
        (400, Some("invalid_request"))
    );
    // A token that is not the client's client_credentials token: 401, Bearer challenge.
    let (status, t, challenge) = send(
        &url,
        Some("Bearer RTp7HwAAAW3KhwwWbFmvt2o/66OFuV7HZ52X6scd"),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!((status, t["error"].as_str()), (401, Some("invalid_client")));
    assert!(challenge.unwrap().starts_with("Bearer "));
    s.stop().await;
}

#[tokio::test]
async fn the_standard_profile_speaks_no_hid() {
    let s = TestServer::start_toml(&toml()).await;
    let bearer = format!("Bearer {}", client_token(&s, "std").await);
    let (status, t, challenge) = send(
        &authn(&s, "std"),
        Some(&bearer),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!((status, t["error"].as_str()), (401, Some("invalid_client")));
    assert!(challenge.unwrap().starts_with("Basic "));
    let (status, t, _) = send(
        &authn(&s, "std"),
        Some(&basic("app", "app-secret")),
        &[
            ("grant_type", "api_otp"),
            ("username", "alice"),
            ("authType", "AT_SMSOTP"),
        ],
    )
    .await;
    assert_eq!(
        (status, t["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    s.stop().await;
}

#[tokio::test]
async fn client_secret_pki_with_the_registered_certificate() {
    let s = TestServer::start_toml(&toml()).await;
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name
        .push(DnType::CommonName, "hid-pki-client");
    let cert = p.self_signed(&key).unwrap().pem();
    let mut escaped = String::new();
    oauth_hyper::http_util::percent_encode(&mut escaped, &cert);
    let form = [("grant_type", PKI), ("client_id", "pki")];
    let (status, t) = json(
        http()
            .post(authn(&s, "hid"))
            .header("x-ssl-client-cert", &escaped)
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["scope"], "read");
    // The token is real: introspection by another client finds it active.
    let (status, i) = post_basic(
        &format!("{}/hid/as/introspect", s.base),
        "app",
        "app-secret",
        &[("token", t["access_token"].as_str().unwrap())],
    )
    .await;
    assert_eq!(
        (status, &i["active"]),
        (200, &serde_json::json!(true)),
        "{i}"
    );
    assert_eq!(i["client_id"], "pki");
    // No certificate: 401.
    let (status, _, _) = send(&authn(&s, "hid"), None, &form).await;
    assert_eq!(status, 401);
    s.stop().await;
}

#[tokio::test]
async fn hid_parameters_over_http() {
    let s = TestServer::start_toml(&toml()).await;
    let url = authn(&s, "hid");
    let auth = basic("app", "app-secret");
    let password = |extra: &'static [(&'static str, &'static str)]| {
        let mut f = vec![
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "wonderland"),
        ];
        f.extend_from_slice(extra);
        f
    };
    let (status, t, _) = send(&url, Some(&auth), &password(&[("noToken", "1")])).await;
    assert_eq!(
        (status, t["access_token"].as_str()),
        (200, Some("IA==")),
        "{t}"
    );
    for bad in [
        &[("mode", "PUSH")][..],
        &[("deviceCentric", "1")][..],
        &[("noToken", "yes")][..],
    ] {
        let (status, t, _) = send(&url, Some(&auth), &password(bad)).await;
        assert_eq!(
            (status, t["error"].as_str()),
            (400, Some("invalid_request")),
            "{bad:?}"
        );
    }
    let (status, _, _) = send(
        &url,
        Some(&auth),
        &password(&[
            ("mode", "SIGN_SYNCHRONOUS"),
            ("deviceCentric", "1"),
            ("device_id", "11058"),
        ]),
    )
    .await;
    assert_eq!(status, 200);
    s.stop().await;
}

#[tokio::test]
async fn ciba_token_responses_echo_auth_req_id() {
    let s = TestServer::start_toml(&toml()).await;
    let auth = basic("app", "app-secret");
    let (status, r, _) = send(
        &format!("{}/hid/as/cibaAuthorization", s.base),
        Some(&auth),
        &[("scope", "openid"), ("login_hint", "alice")],
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let id = r["auth_req_id"].as_str().unwrap().to_owned();
    let form = [("grant_type", CIBA), ("auth_req_id", id.as_str())];
    let mut tokens = None;
    for _ in 0..20 {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (status, t, _) = send(&authn(&s, "hid"), Some(&auth), &form).await;
        if status == 200 {
            tokens = Some(t);
            break;
        }
        assert_eq!(t["error"], "authorization_pending", "{t}");
    }
    let t = tokens.expect("the demo device approves");
    assert_eq!(t["auth_req_id"], id.as_str());
    assert!(t["id_token"].is_string());
    s.stop().await;
}

#[tokio::test]
async fn discovery_lists_hids_grants() {
    let s = TestServer::start_toml(&toml()).await;
    for (tenant, hid) in [("hid", true), ("std", false)] {
        let d: serde_json::Value = http()
            .get(format!(
                "{}/{tenant}/as/.well-known/openid-configuration",
                s.base
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let grants = d["grant_types_supported"].as_array().unwrap();
        for g in [PKI, "api_otp"] {
            assert_eq!(grants.iter().any(|v| v == g), hid, "{tenant} {g}");
        }
    }
    s.stop().await;
}
