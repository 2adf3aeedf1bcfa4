//! The record stores behind [`Store`]: [`MemoryStore`] (one process, nothing survives a
//! restart: tests and `kind = "memory"`), [`SqliteStore`] (one embedded file, durable: the
//! server's default) and [`RedisStore`] (shared by any number of server instances).
//!
//! All three keep the same written duties (see [`Store`]), checked by one conformance
//! suite (`tests/store_conformance.rs`). Keys are the engine's [`TokenHash`]es, so a
//! leaked database holds no usable token, code, `request_uri` or `auth_req_id`.
//!
//! [`TokenHash`]: oauth_core::secret::TokenHash

mod codec;
pub mod memory;
pub mod redis;
pub mod sqlite;

use std::sync::Arc;

use oauth_core::ciba::{CibaRecord, CibaStatus, CibaUpdate};
use oauth_core::records::TokenInfo;
use oauth_core::steps::TokenTypeHint;

use crate::backend::Store;
use crate::config::{ConfigError, StoreFile, StoreKind};

pub use memory::{DEFAULT_MAX_RECORDS, MemoryStore};
pub use redis::RedisStore;
pub use sqlite::SqliteStore;

/// The store a configuration names, opened once and shared by every tenant, each tenant
/// seeing only its own records.
#[derive(Clone)]
pub enum Stores {
    /// A fresh [`MemoryStore`] per tenant, holding at most this many records.
    Memory(usize),
    /// One SQLite database; tenants are a column.
    Sqlite(SqliteStore),
    /// One Redis server; tenants are a key prefix.
    Redis(RedisStore),
}

impl Stores {
    /// Opens the configured store: creates or migrates the SQLite schema, or connects to
    /// Redis (an unreachable Redis is not an error here: requests answer 503 until it is
    /// reachable).
    pub async fn open(config: &StoreFile) -> Result<Stores, ConfigError> {
        match config.kind {
            StoreKind::Memory => Ok(Stores::Memory(config.max_records)),
            StoreKind::Sqlite => {
                let path = config.path.clone().unwrap_or_else(|| {
                    std::path::PathBuf::from(crate::config::DEFAULT_SQLITE_FILE)
                });
                let sync = config.synchronous;
                let opened = tokio::task::spawn_blocking(move || SqliteStore::open(&path, sync))
                    .await
                    .map_err(|e| ConfigError::new("store", format!("{e}")))?;
                opened
                    .map(Stores::Sqlite)
                    .map_err(|e| ConfigError::new("store.path", e))
            }
            StoreKind::Redis => {
                let url = config.url.as_deref().ok_or_else(|| {
                    ConfigError::new("store.url", "required for kind = \"redis\"")
                })?;
                let store = RedisStore::connect(url, config.key_prefix.as_deref())
                    .map_err(|e| ConfigError::new("store.url", e))?;
                if let Err(e) = store.ping().await {
                    tracing::warn!(error = %e, "Redis is unreachable; requests that need the store answer 503 until it is");
                }
                Ok(Stores::Redis(store))
            }
        }
    }

    /// The store of one tenant: a code or token of one tenant is unknown to every other.
    #[must_use]
    pub fn for_tenant(&self, tenant: &str) -> Arc<dyn Store> {
        match self {
            Stores::Memory(max) => Arc::new(MemoryStore::new(*max)),
            Stores::Sqlite(s) => Arc::new(s.for_tenant(tenant)),
            Stores::Redis(r) => Arc::new(r.for_tenant(tenant)),
        }
    }

    /// A one-line description for the start-up log.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Stores::Memory(max) => format!("memory (at most {max} records)"),
            Stores::Sqlite(s) => format!("sqlite {}", s.path().display()),
            Stores::Redis(r) => format!("redis {}", r.address()),
        }
    }
}

/// What a [`CibaUpdate`] does to a stored request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CibaChange {
    /// The record was changed in place: write it back.
    Changed,
    /// Remove the record.
    Delete,
    /// Leave it: the update does not apply.
    NotApplied,
}

/// Applies a CIBA update to a request read inside the store's lock or transaction; `used`
/// is the store's single-use flag. The one definition of what each update means, for the
/// stores that read, change and write back (Redis does the same inside a Lua script).
pub(crate) fn apply_ciba(
    r: &mut CibaRecord,
    used: bool,
    update: &CibaUpdate,
    now: u64,
) -> CibaChange {
    match update {
        CibaUpdate::Poll { at, slow_down } => {
            r.last_poll = Some(*at);
            if *slow_down {
                r.interval = r.interval.saturating_add(oauth_core::token::SLOW_DOWN_STEP);
            }
            CibaChange::Changed
        }
        CibaUpdate::Decide(status) => {
            if used || r.status != CibaStatus::Pending || r.expires_at <= now {
                return CibaChange::NotApplied;
            }
            r.status = status.clone();
            CibaChange::Changed
        }
        CibaUpdate::Delete => {
            if used || r.status != CibaStatus::Pending {
                return CibaChange::NotApplied;
            }
            CibaChange::Delete
        }
        _ => CibaChange::NotApplied,
    }
}

/// The token found, looking first where the `token_type_hint` says (RFC 7009 section
/// 2.1: the hint only orders the search).
pub(crate) fn by_hint(
    hint: Option<TokenTypeHint>,
    access: Option<TokenInfo>,
    refresh: Option<TokenInfo>,
) -> Option<TokenInfo> {
    match hint {
        Some(TokenTypeHint::RefreshToken) => refresh.or(access),
        _ => access.or(refresh),
    }
}

/// Seconds as SQLite and Redis integers (both signed 64-bit); far-future times saturate.
pub(crate) fn secs(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
