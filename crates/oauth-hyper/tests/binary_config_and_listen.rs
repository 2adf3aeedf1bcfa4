//! The `oauth-server` binary: configuration errors name the field and exit non-zero,
//! `--listen` overrides the file, and the demo starts with no configuration at all.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary, with the demo's records kept under this test's temporary folder.
fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_oauth-server"));
    c.env("XDG_STATE_HOME", state_dir());
    c
}

fn state_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("oauth-hyper-bin-{}-state", std::process::id()))
}

fn write_config(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("oauth-hyper-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run_err(config: &std::path::Path) -> (i32, String) {
    let out = bin().arg("--config").arg(config).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_value_names_the_field_and_exits_non_zero() {
    let p = write_config(
        "bad-value.toml",
        "[[tenants]]\nid = \"t\"\nclient_assertion_audience = \"loose\"\n",
    );
    let (code, err) = run_err(&p);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("tenants[0].client_assertion_audience"),
        "{err}"
    );
    assert!(err.contains("loose"), "{err}");
}

#[test]
fn an_unknown_field_is_refused_by_name() {
    let p = write_config(
        "unknown.toml",
        "[[tenants]]\nid = \"t\"\n[[tenants.clients]]\nclient_id = \"c\"\nclient_secret = \"s\"\nredirect_uri = \"http://x/cb\"\n",
    );
    let (code, err) = run_err(&p);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("redirect_uri"), "{err}");
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn client_metadata_the_engine_refuses_is_named() {
    let p = write_config(
        "engine.toml",
        "listen = \"127.0.0.1:0\"\n[[tenants]]\nid = \"t\"\n[[tenants.clients]]\nclient_id = \"c\"\ntoken_endpoint_auth_method = \"private_key_jwt\"\n",
    );
    let (code, err) = run_err(&p);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("tenants[0].clients[0]") && err.contains("jwks"),
        "{err}"
    );
}

#[test]
fn a_toml_syntax_error_is_reported() {
    let p = write_config("syntax.toml", "listen = \n");
    let (code, err) = run_err(&p);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 1"), "{err}");
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_healthy(port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut out = String::new();
            let _ = s.read_to_string(&mut out);
            if out.starts_with("HTTP/1.1 200") {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn listen_flag_overrides_the_file() {
    let file_port = free_port();
    let flag_port = free_port();
    let p = write_config(
        "listen.toml",
        &format!(
            "listen = \"127.0.0.1:{file_port}\"\n[[tenants]]\nid = \"t\"\nid_token_signing_alg = \"ES256\"\n"
        ),
    );
    let child = bin()
        .arg("--config")
        .arg(&p)
        .args(["--listen", &format!("127.0.0.1:{flag_port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Running(child);
    assert!(
        wait_healthy(flag_port),
        "not listening on the --listen address"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", file_port)).is_err(),
        "still listening on the file's address"
    );
}

#[test]
fn demo_starts_without_a_config_and_prints_curl_commands() {
    let port = free_port();
    let mut child = bin()
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _guard = Running(child);
    let mut banner = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if line.contains("/demo/device") && banner.contains("In a browser") {
            break;
        }
    }
    assert!(
        banner.contains(&format!("http://127.0.0.1:{port}/demo/as/token")),
        "{banner}"
    );
    assert!(banner.contains("cibaAuthorization"));
    assert!(banner.contains("/demo/as/par"));
    assert!(
        banner.contains("\"d\":"),
        "the demo private_key_jwt key is printed"
    );
    assert!(wait_healthy(port));
    // The demo's records are durable, in the state folder, and the banner says where.
    let db = state_dir().join("oauth-server").join("demo.sqlite3");
    assert!(banner.contains(&db.display().to_string()), "{banner}");
    assert!(db.exists());
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let out = bin()
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("listen") && err.contains("cannot listen"),
        "{err}"
    );
}
