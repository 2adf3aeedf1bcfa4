#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use jwt_verify::{Algorithm, SigningKey};
use oauth_core::{AssertionAudience, HttpRequest};
use oauth_testkit::{Reply, TestKit, encode_form};
use serde_json::json;

const SECRET: &str = "0123456789abcdef0123456789abcdef-alias";
const ALIAS: &str = "https://as.example.com/t1/authn/token";

fn post_at(kit: &mut TestKit, url: &str, assertion: &str) -> Reply {
    let body = encode_form(&[
        ("grant_type", "client_credentials"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
    ]);
    let request = HttpRequest::post(body.as_bytes())
        .header("Content-Type", b"application/x-www-form-urlencoded")
        .endpoint_url(url);
    Reply::from(kit.token_request(&request))
}

#[test]
fn an_alias_of_the_token_endpoint_is_an_accepted_audience_only_where_it_received_the_request() {
    let mut kit = TestKit::new();
    kit.register(json!({
        "client_id": "hid", "client_secret": SECRET, "token_endpoint_auth_method": "client_secret_jwt",
        "grant_types": ["client_credentials"], "scope": "read",
    }));
    let key = SigningKey::hmac(Algorithm::HS256, SECRET.as_bytes()).unwrap();

    let at_alias = kit.assertion(&key, "hid", Some(ALIAS));
    assert_eq!(post_at(&mut kit, ALIAS, &at_alias).status(), 200);

    // The same audience is not accepted by the token endpoint proper.
    let elsewhere = kit.assertion(&key, "hid", Some(ALIAS));
    let r = kit.post_token(
        &[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &elsewhere),
        ],
        None,
    );
    assert_eq!((r.status(), r.error()), (401, Some("invalid_client")));

    // Under the issuer-only policy the alias is refused too.
    kit.config.assertion_audience = AssertionAudience::IssuerOnly;
    let strict = kit.assertion(&key, "hid", Some(ALIAS));
    assert_eq!(post_at(&mut kit, ALIAS, &strict).status(), 401);
}
