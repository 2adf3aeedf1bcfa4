//! The code flow over HTTP: PAR, the authorization endpoint (auto-approved user, the login
//! form, the consent page), the code exchange, refresh, introspection and revocation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;

const CB: &str = "http://127.0.0.1:9/cb";

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every hidden input of the first form of a page.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    let form = &page[..page.find("</form>").unwrap()];
    let marker = "<input type=\"hidden\" name=\"";
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let name_end = rest.find('"').unwrap();
        let name = unescape(&rest[..name_end]);
        rest = rest[name_end..].strip_prefix("\" value=\"").unwrap();
        let value_end = rest.find('"').unwrap();
        out.push((name, unescape(&rest[..value_end])));
        rest = &rest[value_end..];
    }
    out
}

#[tokio::test]
async fn par_then_authorize_then_token_then_refresh_then_introspect_then_revoke() {
    let s = TestServer::start().await;
    // PAR (RFC 9126): 201 with a request_uri.
    let (status, par) = post_basic(
        &s.at("par"),
        "basic",
        "basic-secret",
        &[
            ("response_type", "code"),
            ("redirect_uri", CB),
            ("scope", "openid profile"),
            ("state", "xyz"),
            ("nonce", "n-1"),
            ("login_hint", "alice"),
        ],
    )
    .await;
    assert_eq!(status, 201, "{par}");
    let request_uri = par["request_uri"].as_str().unwrap().to_owned();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
    assert_eq!(par["expires_in"], 60);

    // The authorization endpoint: alice is auto-approved, so a 303 to the client.
    let r = http()
        .get(s.at("authorize"))
        .query(&[
            ("client_id", "basic"),
            ("request_uri", request_uri.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = location(&r);
    assert!(loc.starts_with(CB), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("xyz"));
    assert_eq!(query_param(&loc, "iss"), Some(s.issuer()));
    let code = query_param(&loc, "code").unwrap();

    // The request_uri is single-use.
    let r = http()
        .get(s.at("authorize"))
        .query(&[
            ("client_id", "basic"),
            ("request_uri", request_uri.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // The code exchange.
    let (status, t) = post_basic(
        &s.at("token"),
        "basic",
        "basic-secret",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert!(t["id_token"].is_string());
    let refresh1 = t["refresh_token"].as_str().unwrap().to_owned();

    // Refresh (rotation: the old refresh token is spent).
    let (status, t2) = post_basic(
        &s.at("token"),
        "basic",
        "basic-secret",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh1),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t2}");
    let access2 = t2["access_token"].as_str().unwrap().to_owned();
    let refresh2 = t2["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh1, refresh2);

    // Introspection (RFC 7662) by an authenticated client.
    let (status, i) = post_basic(
        &s.at("introspect"),
        "basic",
        "basic-secret",
        &[("token", &access2)],
    )
    .await;
    assert_eq!(status, 200, "{i}");
    assert_eq!(i["active"], true);
    assert_eq!(i["sub"], "alice");
    assert_eq!(i["client_id"], "basic");
    assert_eq!(i["iss"], s.issuer().as_str());
    let (_, i) = post_basic(
        &s.at("introspect"),
        "basic",
        "basic-secret",
        &[("token", &refresh2), ("token_type_hint", "refresh_token")],
    )
    .await;
    assert_eq!(i["active"], true);
    let (_, i) = post_basic(
        &s.at("introspect"),
        "basic",
        "basic-secret",
        &[("token", &refresh1)],
    )
    .await;
    assert_eq!(i["active"], false, "a rotated refresh token is inactive");

    // Revocation (RFC 7009) of the refresh token revokes the grant.
    let (status, _) = post_basic(
        &s.at("revoke"),
        "basic",
        "basic-secret",
        &[("token", &refresh2)],
    )
    .await;
    assert_eq!(status, 200);
    let (_, i) = post_basic(
        &s.at("introspect"),
        "basic",
        "basic-secret",
        &[("token", &access2)],
    )
    .await;
    assert_eq!(i["active"], false);
    let (status, t) = post_basic(
        &s.at("token"),
        "basic",
        "basic-secret",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh2),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(t["error"], "invalid_grant");
    s.stop().await;
}

#[tokio::test]
async fn code_reuse_is_refused_and_revokes_what_the_code_issued() {
    let s = TestServer::start().await;
    let r = http()
        .get(s.at("authorize"))
        .query(&[
            ("client_id", "basic"),
            ("response_type", "code"),
            ("redirect_uri", CB),
            ("scope", "openid"),
            ("login_hint", "alice"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let code = query_param(&location(&r), "code").unwrap();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CB),
    ];
    let (status, t) = post_basic(&s.at("token"), "basic", "basic-secret", &form).await;
    assert_eq!(status, 200);
    let access = t["access_token"].as_str().unwrap().to_owned();
    let (status, t) = post_basic(&s.at("token"), "basic", "basic-secret", &form).await;
    assert_eq!(status, 400, "{t}");
    assert_eq!(t["error"], "invalid_grant");
    let (_, i) = post_basic(
        &s.at("introspect"),
        "basic",
        "basic-secret",
        &[("token", &access)],
    )
    .await;
    assert_eq!(i["active"], false);
    s.stop().await;
}

#[tokio::test]
async fn par_and_code_exchange_with_client_secret_jwt() {
    let s = TestServer::start().await;
    let a = assertion(&sjwt_key(), "sjwt", &s.at("par"));
    let (status, par) = json(
        http()
            .post(s.at("par"))
            .form(&[
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", a.as_str()),
                ("response_type", "code"),
                ("redirect_uri", CB),
                ("scope", "openid"),
                ("login_hint", "alice"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{par}");
    let r = http()
        .get(s.at("authorize"))
        .query(&[
            ("client_id", "sjwt"),
            ("request_uri", par["request_uri"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    let code = query_param(&location(&r), "code").unwrap();
    let a = assertion(&sjwt_key(), "sjwt", &s.at("token"));
    let (status, t) = json(
        http()
            .post(s.at("token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", CB),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", a.as_str()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    s.stop().await;
}

#[tokio::test]
async fn public_client_code_flow_with_pkce() {
    let s = TestServer::start().await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let r = http()
        .get(s.at("authorize"))
        .query(&[
            ("client_id", "spa"),
            ("response_type", "code"),
            ("redirect_uri", CB),
            ("scope", "openid"),
            ("login_hint", "alice"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let code = query_param(&location(&r), "code").unwrap();
    let (status, t) = json(
        http()
            .post(s.at("token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", "spa"),
                ("code", code.as_str()),
                ("redirect_uri", CB),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    s.stop().await;
}

#[tokio::test]
async fn login_form_then_credentials_then_303_with_code_state_and_iss() {
    let s = TestServer::start().await;
    let query = [
        ("client_id", "basic"),
        ("response_type", "code"),
        ("redirect_uri", CB),
        ("scope", "openid profile"),
        ("state", "s-1"),
    ];
    let r = http()
        .get(s.at("authorize"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let page = r.text().await.unwrap();
    assert!(
        page.contains("<label for=\"username\">Username</label>"),
        "{page}"
    );
    assert!(page.contains("<label for=\"password\">Password</label>"));
    assert!(
        page.contains("Basic &lt;App&gt;"),
        "client_name shown, escaped"
    );
    let fields = hidden_fields(&page);
    assert!(
        fields.iter().any(|(k, v)| k == "state" && v == "s-1"),
        "{fields:?}"
    );

    // A wrong password shows the form again, with the error announced.
    let mut form = fields.clone();
    form.push(("username".into(), "bob".into()));
    form.push(("password".into(), "wrong".into()));
    let r = http()
        .post(s.at("authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let again = r.text().await.unwrap();
    assert!(again.contains("role=\"alert\""));
    assert!(!again.contains("wrong"), "the password is never echoed");

    // The right one: a 303 to the client with code, state and iss, and a session cookie.
    let mut form = fields.clone();
    form.push(("username".into(), "bob".into()));
    form.push(("password".into(), "builder".into()));
    form.push(("decision".into(), "allow".into()));
    let r = http()
        .post(s.at("authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("Path=/t1"),
        "{cookie}"
    );
    let loc = location(&r);
    assert!(loc.starts_with(CB));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("s-1"));
    assert_eq!(query_param(&loc, "iss"), Some(s.issuer()));
    let code = query_param(&loc, "code").unwrap();
    let (status, t) = post_basic(
        &s.at("token"),
        "basic",
        "basic-secret",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CB),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    let session = cookie.split(';').next().unwrap().to_owned();

    // Logged in: the same client is not asked again.
    let r = http()
        .get(s.at("authorize"))
        .query(&query)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // Another client: the consent page, then a code.
    let q2 = [
        ("client_id", "sjwt"),
        ("response_type", "code"),
        ("redirect_uri", CB),
        ("scope", "openid"),
        ("state", "s-2"),
    ];
    let r = http()
        .get(s.at("authorize"))
        .query(&q2)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Allow access?"), "{page}");
    let mut form = hidden_fields(&page);
    assert!(form.iter().any(|(k, _)| k == "csrf"));
    form.push(("decision".into(), "allow".into()));
    let r = http()
        .post(s.at("authorize"))
        .form(&form)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(query_param(&location(&r), "code").is_some());

    // Cancel on the login page: access_denied to the client.
    let r = http()
        .get(s.at("authorize"))
        .query(&query)
        .send()
        .await
        .unwrap();
    let mut form = hidden_fields(&r.text().await.unwrap());
    form.push(("decision".into(), "deny".into()));
    let r = http()
        .post(s.at("authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("access_denied")
    );
    s.stop().await;
}
