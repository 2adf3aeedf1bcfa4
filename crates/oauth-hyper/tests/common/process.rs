//! The `oauth-server` binary run as a child process on a loopback port, killed (SIGKILL)
//! when dropped or when a test says so.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `oauth-server`.
pub struct ServerProcess {
    child: Option<Child>,
    pub port: u16,
}

impl ServerProcess {
    /// Starts the binary with `--config FILE --listen 127.0.0.1:PORT` and waits until it
    /// answers `/healthz`.
    pub fn start(config: &Path, port: u16) -> ServerProcess {
        let child = Command::new(env!("CARGO_BIN_EXE_oauth-server"))
            .arg("--config")
            .arg(config)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut p = ServerProcess {
            child: Some(child),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !p.healthy() {
            if let Some(status) = p.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("oauth-server exited at start-up: {status}");
            }
            assert!(Instant::now() < deadline, "oauth-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        p
    }

    fn healthy(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.starts_with("HTTP/1.1 200")
    }

    /// `http://127.0.0.1:{port}/t1/as/{path}`.
    pub fn at(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/t1/as/{path}", self.port)
    }

    /// SIGKILL: no shutdown, no flush, nothing.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
