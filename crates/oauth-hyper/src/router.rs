//! Routing: [`Router`] serves every tenant under `/{tenant}/...`; [`TenantRouter`] serves one
//! tenant's routes relative to wherever it is mounted. Both are `tower::Service`s over
//! `http::Request<B>` for any body `B` (hyper's `Incoming`, axum's `Body`), so a host mounts
//! them in its own stack.
//!
//! Every request gets an id (echoed as `X-Request-Id`) and a `tracing` span; bodies are
//! read within the size limit (413) and the body read timeout (408); a semaphore bounds how
//! many requests run at once. Unknown routes get 404 JSON, wrong methods 405 with `Allow`.
//!
//! Mounting a tenant in an axum application (axum is not a dependency of this crate; the
//! router is a plain `tower::Service`, which is what `nest_service` takes):
//!
//! ```
//! use oauth_hyper::{Router, TenantRouter};
//!
//! // A Service<http::Request<B>> for any http_body::Body B with Data = Bytes.
//! fn assert_service<S, B>(_: &S)
//! where
//!     S: tower::Service<http::Request<B>, Response = http::Response<http_body_util::Full<bytes::Bytes>>,
//!                       Error = std::convert::Infallible> + Clone + Send + 'static,
//!     B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
//!     B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
//! {
//! }
//!
//! # fn demo(router: Router) {
//! // In an axum app, where `router` comes from `Server::router()` (every tenant) or
//! // `router.tenant("demo")` (one tenant, paths relative to the mount point):
//! //
//! //     let app = axum::Router::new()
//! //         .route("/", axum::routing::get(|| async { "my app" }))
//! //         .nest_service("/auth", router.clone());             // /auth/{tenant}/as/token ...
//! //     // or: .nest_service("/demo", router.tenant("demo").unwrap())   // /demo/as/token ...
//! //
//! // with public_base_url = "https://example.com/auth" so issuers match the mount point.
//! assert_service::<Router, http_body_util::Full<bytes::Bytes>>(&router);
//! if let Some(t) = router.tenant("demo") {
//!     assert_service::<TenantRouter, http_body_util::Empty<bytes::Bytes>>(&t);
//! }
//! # }
//! ```

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::backend::BoxFuture;
use crate::http_util::{Incoming, PeerCertificate, Resp, json_error};
use crate::tenant::{Route, Tenant};

/// Limits applied by the routers.
#[derive(Debug, Clone)]
pub struct RouterLimits {
    /// Largest request body, bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Time allowed to receive a body (408 beyond).
    pub body_read_timeout: Duration,
    /// Requests handled at once; more wait for a slot.
    pub max_concurrent_requests: usize,
}

impl Default for RouterLimits {
    fn default() -> Self {
        let l = crate::config::LimitsFile::default();
        RouterLimits {
            max_body_bytes: l.max_body_bytes,
            body_read_timeout: Duration::from_secs(l.body_read_timeout_secs.get()),
            max_concurrent_requests: l.max_concurrent_requests,
        }
    }
}

/// Where a client certificate may come from besides the TLS layer.
#[derive(Debug, Clone)]
pub struct CertificateHeader {
    /// The header a trusted reverse proxy sets (URL-encoded PEM).
    pub name: http::HeaderName,
    /// The proxy validated the chain against a CA.
    pub chain_verified: bool,
}

struct Shared {
    limits: RouterLimits,
    permits: Semaphore,
    cert_header: Option<CertificateHeader>,
    ids: AtomicU64,
}

impl Shared {
    fn new(limits: RouterLimits, cert_header: Option<CertificateHeader>) -> Arc<Self> {
        let base = crate::backend::random_bytes()
            .ok()
            .and_then(|b| b.get(..8).and_then(|s| <[u8; 8]>::try_from(s).ok()))
            .map_or(0, u64::from_le_bytes);
        Arc::new(Shared {
            permits: Semaphore::new(limits.max_concurrent_requests.max(1)),
            limits,
            cert_header,
            ids: AtomicU64::new(base),
        })
    }

    fn request_id(&self) -> RequestId {
        RequestId::new(self.ids.fetch_add(1, Ordering::Relaxed))
    }
}

const X_REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-request-id");

/// A request id: 16 lowercase hex digits, formatted without allocating.
#[derive(Clone, Copy)]
struct RequestId([u8; 16]);

impl RequestId {
    fn new(n: u64) -> Self {
        let mut out = [b'0'; 16];
        for (i, b) in out.iter_mut().enumerate() {
            let nibble = u32::try_from((n >> (60 - 4 * i)) & 0xf).unwrap_or_default();
            *b = char::from_digit(nibble, 16).map_or(b'0', |c| u8::try_from(c).unwrap_or(b'0'));
        }
        RequestId(out)
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every tenant's routes, under `/{tenant}`; plus `GET /healthz` and the RFC 8414
/// well-known forms `/.well-known/{oauth-authorization-server,openid-configuration}/{tenant}/as`.
#[derive(Clone)]
pub struct Router {
    tenants: Arc<HashMap<String, Tenant>>,
    shared: Arc<Shared>,
}

/// One tenant's routes, relative to its mount point (`/as/token`, `/authn/token`, `/device`).
#[derive(Clone)]
pub struct TenantRouter {
    tenant: Tenant,
    shared: Arc<Shared>,
}

impl Router {
    /// A router over these tenants.
    #[must_use]
    pub fn new(
        tenants: Vec<Tenant>,
        limits: RouterLimits,
        cert_header: Option<CertificateHeader>,
    ) -> Self {
        Router {
            tenants: Arc::new(
                tenants
                    .into_iter()
                    .map(|t| (t.id().to_owned(), t))
                    .collect(),
            ),
            shared: Shared::new(limits, cert_header),
        }
    }

    /// The router of one tenant, sharing this router's limits.
    #[must_use]
    pub fn tenant(&self, id: &str) -> Option<TenantRouter> {
        self.tenants.get(id).map(|t| TenantRouter {
            tenant: t.clone(),
            shared: self.shared.clone(),
        })
    }

    /// A tenant.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Tenant> {
        self.tenants.get(id)
    }

    /// Every tenant.
    pub fn tenants(&self) -> impl Iterator<Item = &Tenant> {
        self.tenants.values()
    }

    /// Handles one request.
    pub async fn handle<B>(&self, req: http::Request<B>) -> Resp
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let target = match req.uri().path() {
            "/healthz" => Target::Health,
            path => self
                .resolve(path)
                .map_or(Target::NotFound, |(t, r)| Target::Route(t, r)),
        };
        serve(&self.shared, target, req).await
    }

    /// The tenant and route a path names, if any.
    fn resolve(&self, path: &str) -> Option<(&Tenant, Route)> {
        for prefix in [
            "/.well-known/oauth-authorization-server/",
            "/.well-known/openid-configuration/",
        ] {
            if let Some(tenant) = path
                .strip_prefix(prefix)
                .and_then(|r| r.strip_suffix("/as"))
                && let Some(t) = self.tenants.get(tenant)
            {
                return Some((t, Route::Discovery));
            }
        }
        let (tenant, _) = path.strip_prefix('/')?.split_once('/')?;
        let rest = path.get(1 + tenant.len()..)?;
        Some((self.tenants.get(tenant)?, Route::from_path(rest)?))
    }
}

impl TenantRouter {
    /// The tenant.
    #[must_use]
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// Handles one request, its path relative to the tenant.
    pub async fn handle<B>(&self, req: http::Request<B>) -> Resp
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let target = Route::from_path(req.uri().path())
            .map_or(Target::NotFound, |r| Target::Route(&self.tenant, r));
        serve(&self.shared, target, req).await
    }
}

/// Where a request goes.
enum Target<'a> {
    /// `GET /healthz`.
    Health,
    /// A tenant's route.
    Route(&'a Tenant, Route),
    /// Nothing here.
    NotFound,
}

/// Serves one request: an id and a span, a concurrency slot, the body read within the
/// limits, the handler, and the response logged. One flat function, so the request's
/// future does not carry the request through layers of nested futures.
async fn serve<B>(shared: &Shared, target: Target<'_>, req: http::Request<B>) -> Resp
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let id = shared.request_id();
    let span =
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    // The clock is read only when the response line is logged.
    let started = tracing::enabled!(tracing::Level::INFO).then(Instant::now);
    let _permit = shared.permits.acquire().await.ok();
    let mut response = match target {
        Target::Health => {
            crate::http_util::json_bytes(Bytes::from_static(b"{\"status\":\"ok\"}"), "no-store")
        }
        Target::NotFound => not_found(),
        Target::Route(tenant, route) => match receive(shared, route, req).await {
            // The handler's state (the engine flow and its driver, a few KiB) lives in
            // one heap allocation of its route's size.
            Ok(inc) => tenant.handle(route, inc).instrument(span.clone()).await,
            Err(r) => r,
        },
    };
    if let Ok(v) = http::HeaderValue::from_bytes(&id.0) {
        response.headers_mut().insert(X_REQUEST_ID, v);
    }
    if let Some(started) = started {
        span.in_scope(|| {
            tracing::info!(
                status = response.status().as_u16(),
                micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                "response"
            );
        });
    }
    response
}

fn not_found() -> Resp {
    json_error(404, "not_found", "no such endpoint")
}

/// Checks the method and reads the body within the limits: the request as the handlers
/// see it, or the error response.
async fn receive<B>(shared: &Shared, route: Route, req: http::Request<B>) -> Result<Incoming, Resp>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let allowed = route.allowed();
    if !allowed.contains(req.method()) {
        let mut r = json_error(
            405,
            "method_not_allowed",
            "this endpoint does not take this method",
        );
        let allow = allowed
            .iter()
            .map(http::Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        if let Ok(v) = http::HeaderValue::from_str(&allow) {
            r.headers_mut().insert(http::header::ALLOW, v);
        }
        return Err(r);
    }
    let (parts, body) = req.into_parts();
    let max = shared.limits.max_body_bytes;
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut collect = std::pin::pin!(Limited::new(body, max).collect());
    // A body that has already arrived whole (the usual small form) is taken without arming
    // a timer; one still on its way gets the body read timeout.
    let first = std::future::poll_fn(|cx| Poll::Ready(collect.as_mut().poll(cx))).await;
    let received = match first {
        Poll::Ready(r) => Ok(r),
        Poll::Pending => tokio::time::timeout(shared.limits.body_read_timeout, collect).await,
    };
    let body = match received {
        Err(_) => {
            return Err(json_error(
                408,
                "invalid_request",
                "the request body was not received in time",
            ));
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large()),
        Ok(Err(_)) => {
            return Err(json_error(
                400,
                "invalid_request",
                "the request body could not be read",
            ));
        }
        Ok(Ok(c)) => c.to_bytes(),
    };
    let certificate = parts
        .extensions
        .get::<PeerCertificate>()
        .cloned()
        .or_else(|| {
            shared
                .cert_header
                .as_ref()
                .and_then(|h| from_header(h, &parts.headers))
        });
    Ok(Incoming {
        method: parts.method,
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body,
        certificate,
    })
}

fn too_large() -> Resp {
    json_error(413, "invalid_request", "request body too large")
}

/// A certificate from a trusted proxy's header: URL-encoded PEM.
fn from_header(h: &CertificateHeader, headers: &http::HeaderMap) -> Option<PeerCertificate> {
    use rustls_pki_types::pem::PemObject;
    let mut values = headers.get_all(&h.name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let pem = crate::http_util::percent_decode(value.to_str().ok()?)?;
    let der = rustls_pki_types::CertificateDer::from_pem_slice(&pem).ok()?;
    Some(PeerCertificate {
        der: Bytes::copy_from_slice(der.as_ref()),
        chain_verified: h.chain_verified,
    })
}

impl<B> tower::Service<http::Request<B>> for Router
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Resp;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Resp, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(req).await) })
    }
}

impl<B> tower::Service<http::Request<B>> for TenantRouter
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Resp;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Resp, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.handle(req).await) })
    }
}
