//! A real browser: headless Chromium, driven over the WebDriver protocol by `chromedriver`,
//! signs in on the login page, completes the code flow, and approves a CIBA request on the
//! device page.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Where they are absent the test says so
//! and passes, except under `CI=true`, where it fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// `chromedriver`, stopped on drop.
struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver session.
struct Browser {
    http: reqwest::Client,
    session: String,
    _driver: Driver,
}

impl Browser {
    async fn start() -> Option<Browser> {
        let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
            .into_iter()
            .filter(|p| !std::path::Path::new(p).exists())
            .collect();
        if !missing.is_empty() {
            let why = format!(
                "{} not installed (apt-get install chromium chromium-driver)",
                missing.join(" and ")
            );
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("browser test cannot run under CI=true: {why}");
            }
            eprintln!("skipping the browser test: {why}");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = http.get(format!("{}/status", driver.base)).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--disable-dev-shm-usage", "--window-size=1024,900"]
                }
            }}
        });
        let r: Value = http
            .post(format!("{}/session", driver.base))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {r}"))
            .to_owned();
        Some(Browser {
            http,
            session,
            _driver: driver,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{path}", self._driver.base, self.session)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self.http.request(method, self.url(path));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let v: Value = r.send().await.unwrap().json().await.unwrap();
        if v["value"].get("error").is_some() {
            panic!("WebDriver {path}: {v}");
        }
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v: Value = self
                .http
                .post(self.url("/element"))
                .json(&json!({ "using": "css selector", "value": css }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(id) = v["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "no element {css}: {v}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn wait_for_text(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let page = self.source().await;
            if page.contains(text) {
                return page;
            }
            assert!(
                Instant::now() < deadline,
                "the page never showed {text:?}: {page}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn quit(self) {
        let _ = self.http.delete(self.url("")).send().await;
    }
}

/// A callback endpoint for the browser's redirect: answers a small page and reports the
/// request line.
async fn callback_listener() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = tcp.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let line = head.lines().next().unwrap_or_default().to_owned();
                let body = "<!DOCTYPE html><html lang=\"en\"><title>Client</title><h1>Back at the client</h1></html>";
                let _ = tcp
                    .write_all(format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).as_bytes())
                    .await;
                if line.starts_with("GET /cb") {
                    let _ = tx.send(line);
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn a_person_signs_in_completes_the_code_flow_and_approves_ciba_on_the_device() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (port, mut callbacks) = callback_listener().await;
    let cb = format!("http://127.0.0.1:{port}/cb");
    let extra = format!(
        r#"
[[tenants.clients]]
client_id = "browser"
client_name = "Browser App"
client_secret = "browser-secret"
grant_types = ["authorization_code"]
redirect_uris = ["{cb}"]
scope = "openid profile"
"#
    );
    let s = TestServer::start_toml(&config_toml("", &extra)).await;

    // The code flow: the login page, then back at the client with a code.
    let authorize = format!(
        "{}?client_id=browser&response_type=code&scope=openid%20profile&state=b-1&redirect_uri={}",
        s.at("authorize"),
        cb.replace(':', "%3A").replace('/', "%2F")
    );
    browser.goto(&authorize).await;
    let page = browser.wait_for_text("Sign in").await;
    assert!(page.contains("Browser App"), "{page}");
    if let Ok(dir) = std::env::var("OAUTH_HYPER_SCREENSHOTS") {
        let png = browser
            .call(reqwest::Method::GET, "/screenshot", None)
            .await;
        use base64ct::Encoding as _;
        let bytes = base64ct::Base64::decode_vec(png.as_str().unwrap()).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("login.png"), bytes).unwrap();
    }
    browser.type_into("#username", "bob").await;
    browser.type_into("#password", "builder").await;
    browser.click("button[value=allow]").await;
    let line = tokio::time::timeout(Duration::from_secs(15), callbacks.recv())
        .await
        .unwrap()
        .unwrap();
    let target = line.split(' ').nth(1).unwrap();
    let url = format!("http://127.0.0.1:{port}{target}");
    assert_eq!(query_param(&url, "state").as_deref(), Some("b-1"));
    assert_eq!(query_param(&url, "iss"), Some(s.issuer()));
    let code = query_param(&url, "code").unwrap();
    assert!(browser.current_url().await.starts_with(&cb));
    let (status, t) = post_basic(
        &s.at("token"),
        "browser",
        "browser-secret",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &cb),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");

    // CIBA: carol approves on the device page.
    let (status, r) = post_basic(
        &s.at("cibaAuthorization"),
        "ciba",
        "ciba-secret",
        &[
            ("scope", "openid"),
            ("login_hint", "carol"),
            ("binding_message", "Browser 7"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let id = r["auth_req_id"].as_str().unwrap().to_owned();
    browser.goto(&format!("{}/t1/device", s.base)).await;
    // Still signed in as bob from the login page: sign out first.
    browser
        .wait_for_text("Signed in as <strong>bob</strong>")
        .await;
    browser.click("button[name=signout]").await;
    browser.wait_for_text("Sign in to see the requests").await;
    browser.type_into("#username", "carol").await;
    browser.type_into("#password", "carol-pw").await;
    browser.click("button[type=submit]").await;
    let page = browser.wait_for_text("Browser 7").await;
    if let Ok(dir) = std::env::var("OAUTH_HYPER_SCREENSHOTS") {
        let png = browser
            .call(reqwest::Method::GET, "/screenshot", None)
            .await;
        use base64ct::Encoding as _;
        let bytes = base64ct::Base64::decode_vec(png.as_str().unwrap()).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("device.png"), bytes).unwrap();
    }
    assert!(page.contains("Signed in as"), "{page}");
    browser.click("button[value=approve]").await;
    browser.wait_for_text("Approved.").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, t) = post_basic(
        &s.at("token"),
        "ciba",
        "ciba-secret",
        &[
            ("grant_type", "urn:openid:params:grant-type:ciba"),
            ("auth_req_id", &id),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
    browser.quit().await;
    s.stop().await;
}
