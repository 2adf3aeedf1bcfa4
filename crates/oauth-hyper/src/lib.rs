//! Runs the `oauth-core` engine on hyper 1.x: an async driver that answers the engine's
//! steps, durable (SQLite), shared (Redis) and in-memory stores, a signer, routes for every tenant, TLS with optional
//! client certificates, and the `oauth-server` binary.
//!
//! Map:
//! - [`backend`]: the async traits a tenant runs against ([`Store`], [`Signer`],
//!   [`UserDirectory`], [`ClientRegistry`], [`Device`], [`Notifier`]) and where time and
//!   randomness enter ([`backend::context`]).
//! - [`driver`]: the async twin of `oauth_core::drive`, one function per flow.
//! - [`store`]: [`SqliteStore`] (durable, the server's default), [`RedisStore`] (shared by
//!   many instances) and [`MemoryStore`], each keeping every store duty under concurrency.
//! - [`signer`], [`users`], [`notify`], [`device`], [`session`], [`grants`]: the default
//!   backends.
//! - [`tenant`]: one tenant's endpoints; [`router`]: [`Router`] and [`TenantRouter`],
//!   `tower::Service`s to mount anywhere; [`server`]: the listener, limits and shutdown.
//! - [`config`]: the TOML file; [`demo`]: the embedded demo tenant.
//!
//! The routes of tenant `T`, whose issuer is `{public_base_url}/T/as`:
//!
//! ```text
//! GET  /T/as/.well-known/openid-configuration   discovery
//! GET  /T/as/jwks                                public signing keys
//! GET  /T/as/authorize  (and POST)               authorization endpoint, login and consent pages
//! POST /T/as/par                                 pushed authorization requests (201)
//! POST /T/as/cibaAuthorization                   CIBA backchannel authentication
//! POST /T/as/token                               token endpoint
//! POST /T/as/introspect                          RFC 7662
//! POST /T/as/revoke                              RFC 7009
//! POST /T/authn/token                            HID-compatible alias of the token endpoint
//! GET  /T/device        (and POST)               demo authentication device
//! ```
#![forbid(unsafe_code)]

pub mod backend;
pub mod config;
pub mod demo;
pub mod device;
mod discovery;
pub mod driver;
pub mod grants;
pub mod http_util;
pub mod notify;
mod pages;
pub mod router;
pub mod server;
pub mod session;
pub mod signer;
pub mod store;
pub mod tenant;
pub mod tls;
pub mod users;

pub use backend::{
    Backends, ClientRegistry, Device, GrantHandler, Notifier, Signer, Store, UserDirectory,
};
pub use config::{ConfigError, FileConfig};
pub use http_util::PeerCertificate;
pub use router::{Router, RouterLimits, TenantRouter};
pub use server::{Server, shutdown_signal};
pub use signer::KeySigner;
pub use store::{MemoryStore, RedisStore, SqliteStore, Stores};
pub use tenant::{Tenant, Verdict};
