//! [`Server`]: binds the listener, builds the tenants from the configuration, and serves
//! HTTP/1.1 and HTTP/2 (over TLS when `[tls]` is set) until told to stop, then drains open
//! connections.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::backend::{Notifier, Signer, Store};
use crate::config::{ConfigError, FileConfig};
use crate::notify::HttpNotifier;
use crate::router::{CertificateHeader, Router, RouterLimits};
use crate::signer::KeySigner;
use crate::store::Stores;
use crate::tenant::{Tenant, TenantOptions, TenantParts};
use crate::tls::TlsSetup;

/// How long open connections may take to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

/// A bound, configured server.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    public_base_url: String,
    router: Router,
    tls: Option<TlsSetup>,
    max_connections: usize,
    header_read_timeout: Duration,
    max_header_bytes: usize,
}

impl Server {
    /// Binds the configured address and builds every tenant (keys are read or generated
    /// here). With `listen` on port 0 and no `public_base_url`, the issuer URLs use the
    /// port actually bound.
    pub async fn bind(config: FileConfig) -> Result<Server, ConfigError> {
        let addr = config.listen_addr()?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| ConfigError::new("listen", format!("cannot listen on {addr}: {e}")))?;
        let local_addr = listener
            .local_addr()
            .map_err(|e| ConfigError::new("listen", format!("{e}")))?;
        let tls = config.tls.as_ref().map(TlsSetup::load).transpose()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let public_base_url = match &config.public_base_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!("{scheme}://{local_addr}"),
        };
        let cert_header = match &config.trusted_client_cert_header {
            Some(name) => Some(CertificateHeader {
                name: http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    ConfigError::new("trusted_client_cert_header", "not a valid header name")
                })?,
                chain_verified: config.trusted_client_cert_header_chain_verified,
            }),
            None => None,
        };
        let l = &config.limits;
        let options = TenantOptions {
            mtls: tls.as_ref().is_some_and(|t| t.client_auth) || cert_header.is_some(),
            max_body_bytes: l.max_body_bytes,
            max_sessions: l.max_sessions,
            session_ttl_secs: l.session_ttl_secs.get(),
            max_device_requests: l.max_device_requests,
        };
        let notifier: Arc<dyn Notifier> = Arc::new(HttpNotifier::new());
        let stores = Stores::open(&config.store).await?;
        tracing::info!(store = stores.describe(), "store opened");
        let mut tenants = Vec::with_capacity(config.tenants.len());
        for (i, t) in config.tenants.iter().enumerate() {
            let alg = t.id_token_signing_alg.algorithm();
            let signer = match &t.signing_key_file {
                Some(path) => {
                    let field = format!("tenants[{i}].signing_key_file");
                    let pem = std::fs::read_to_string(path).map_err(|e| {
                        ConfigError::new(&field, format!("cannot read {}: {e}", path.display()))
                    })?;
                    KeySigner::from_pkcs8_pem(alg, &pem)
                        .map_err(|e| ConfigError::new(&field, format!("{}: {e}", path.display())))?
                }
                None => KeySigner::generate(alg).map_err(|e| {
                    ConfigError::new(format!("tenants[{i}].id_token_signing_alg"), format!("{e}"))
                })?,
            };
            let signer: Arc<dyn Signer> = Arc::new(signer);
            // One store per tenant: a code or token of one tenant is unknown to every other.
            let store: Arc<dyn Store> = stores.for_tenant(&t.id);
            tenants.push(Tenant::from_file(
                i,
                t,
                &public_base_url,
                TenantParts {
                    store,
                    signer,
                    notifier: notifier.clone(),
                },
                &options,
            )?);
        }
        let router = Router::new(
            tenants,
            RouterLimits {
                max_body_bytes: l.max_body_bytes,
                body_read_timeout: Duration::from_secs(l.body_read_timeout_secs.get()),
                max_concurrent_requests: l.max_concurrent_requests,
            },
            cert_header,
        );
        Ok(Server {
            listener,
            local_addr,
            public_base_url,
            router,
            tls,
            max_connections: l.max_connections,
            header_read_timeout: Duration::from_secs(l.header_read_timeout_secs.get()),
            max_header_bytes: l.max_header_bytes,
        })
    }

    /// The address bound.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The public base URL (issuers are `{public_base_url}/{tenant}/as`).
    #[must_use]
    pub fn public_base_url(&self) -> &str {
        &self.public_base_url
    }

    /// The router of every tenant, to mount in another stack.
    #[must_use]
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Serves until `shutdown` completes, then stops accepting and gives open connections
    /// up to 10 seconds to finish.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send) {
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let slots = Arc::new(Semaphore::new(self.max_connections.max(1)));
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout)
            .max_buf_size(self.max_header_bytes.max(8192))
            .keep_alive(true);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_header_list_size(u32::try_from(self.max_header_bytes).unwrap_or(u32::MAX));
        let builder = Arc::new(builder);
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
                () = &mut shutdown => break,
            };
            let (stream, peer) = tokio::select! {
                r = self.listener.accept() => match r {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors and the like: back off, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let watcher = graceful.watcher();
            let router = self.router.clone();
            let builder = builder.clone();
            let tls = self.tls.clone();
            let handshake_timeout = self.header_read_timeout;
            tokio::spawn(async move {
                let _permit = permit;
                match tls {
                    None => {
                        let svc = service(router, None);
                        let conn = builder.serve_connection(TokioIo::new(stream), svc);
                        if let Err(e) = watcher.watch(conn).await {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                    }
                    Some(tls) => {
                        let accepted =
                            tokio::time::timeout(handshake_timeout, tls.acceptor.accept(stream))
                                .await;
                        let stream = match accepted {
                            Ok(Ok(s)) => s,
                            Ok(Err(e)) => {
                                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                                return;
                            }
                            Err(_) => {
                                tracing::debug!(%peer, "TLS handshake timed out");
                                return;
                            }
                        };
                        let cert = tls.peer_certificate(stream.get_ref().1);
                        let svc = service(router, cert);
                        let conn = builder.serve_connection(TokioIo::new(stream), svc);
                        if let Err(e) = watcher.watch(conn).await {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                    }
                }
            });
        }
        drop(self.listener);
        tracing::info!(open_connections = graceful.count(), "shutting down");
        tokio::select! {
            () = graceful.shutdown() => tracing::info!("all connections closed"),
            () = tokio::time::sleep(DRAIN) => tracing::warn!("connections still open after the drain period; closing"),
        }
    }
}

/// The hyper service of one connection: the router, with the connection's client
/// certificate in each request's extensions.
fn service(
    router: Router,
    cert: Option<crate::http_util::PeerCertificate>,
) -> impl hyper::service::Service<
    http::Request<hyper::body::Incoming>,
    Response = crate::http_util::Resp,
    Error = std::convert::Infallible,
    Future = crate::backend::BoxFuture<
        'static,
        Result<crate::http_util::Resp, std::convert::Infallible>,
    >,
> + Clone {
    hyper::service::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
        if let Some(c) = &cert {
            req.extensions_mut().insert(c.clone());
        }
        let router = router.clone();
        Box::pin(async move { Ok(router.handle(req).await) })
            as crate::backend::BoxFuture<'static, _>
    })
}

/// Resolves when the process receives SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
