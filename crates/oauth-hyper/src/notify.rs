//! [`HttpNotifier`]: delivers CIBA ping notifications (CIBA section 10.2) with a small
//! HTTP/1.1 client over TCP, or TLS trusting the system's root certificates.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::backend::{BoxFuture, Notifier};

/// How long one notification may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(5);

/// POSTs ping notifications over HTTP or HTTPS.
#[derive(Clone)]
pub struct HttpNotifier {
    tls: tokio_rustls::TlsConnector,
}

impl Default for HttpNotifier {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpNotifier {
    /// A notifier trusting the system's root certificates for `https` endpoints (none,
    /// when the system store cannot be read: `https` notifications then fail).
    #[must_use]
    pub fn new() -> Self {
        let mut roots = rustls::RootCertStore::empty();
        let loaded = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
        if added == 0 {
            tracing::warn!("no system root certificates: https ping notifications will fail");
        }
        Self::with_roots(roots)
    }

    /// A notifier trusting these roots for `https` endpoints.
    #[must_use]
    pub fn with_roots(roots: rustls::RootCertStore) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|b| b.with_root_certificates(roots).with_no_client_auth());
        let config = match config {
            Ok(c) => c,
            // The ring provider always supports the default versions; an empty config
            // (which fails every handshake) is the safe fallback.
            Err(_) => rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        };
        HttpNotifier {
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
        }
    }

    async fn post(&self, endpoint: &str, bearer: &str, body: &str) -> Option<u16> {
        let uri: http::Uri = endpoint.parse().ok()?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return None,
        };
        let host = uri.host()?.to_owned();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let authority = uri.authority()?.as_str().to_owned();
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let request = http::Request::post(path)
            .header(http::header::HOST, authority)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::AUTHORIZATION, format!("Bearer {bearer}"))
            .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
            .ok()?;
        let host_for_tcp = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tcp = TcpStream::connect((host_for_tcp.as_str(), port))
            .await
            .ok()?;
        if https {
            let name = rustls_pki_types::ServerName::try_from(host_for_tcp).ok()?;
            let tls = self.tls.connect(name, tcp).await.ok()?;
            send(TokioIo::new(tls), request).await
        } else {
            send(TokioIo::new(tcp), request).await
        }
    }
}

async fn send<I>(io: I, request: http::Request<Full<Bytes>>) -> Option<u16>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.ok()?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let response = sender.send_request(request).await.ok();
    let status = response.map(|r| {
        let s = r.status().as_u16();
        // Drain a little of the body so the connection closes cleanly; the content is
        // not used.
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(1), r.into_body().collect()).await;
        });
        s
    });
    drop(sender);
    driver.abort();
    status
}

impl Notifier for HttpNotifier {
    fn notify<'a>(
        &'a self,
        endpoint: &'a str,
        bearer: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            match tokio::time::timeout(TIMEOUT, self.post(endpoint, bearer, body)).await {
                Ok(Some(status)) => (200..300).contains(&status),
                _ => false,
            }
        })
    }
}
