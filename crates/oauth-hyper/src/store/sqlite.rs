//! [`SqliteStore`]: every record in one SQLite file (WAL mode), durable across restarts.
//!
//! One table holds every kind of record under `(tenant, kind, key)`, the key being the
//! engine's [`TokenHash`]; the single-use flag, the expiry and the grant sit in columns
//! beside a JSON document (`store::codec`).
//!
//! One thread owns the connection and runs every operation, so SQLite never blocks a tokio
//! worker. It commits in groups: it takes every operation waiting (up to [`MAX_BATCH`]),
//! runs each under its own savepoint inside one `BEGIN IMMEDIATE` transaction, commits once
//! (one `fsync` for the group), and only then answers them. An operation is therefore
//! atomic (its savepoint), isolated (one thread; other processes are kept out by the write
//! lock) and durable before its caller hears of it. The queue is bounded: beyond
//! [`MAX_QUEUE`] waiting operations, callers get [`HostError::Unavailable`] (a 503).
//! Expired rows are never returned and are deleted in bounded batches, at most once a
//! second, as records are written: the file holds what is live (rate × lifetime).
//!
//! The schema version is SQLite's `user_version`; [`SqliteStore::open`] creates the schema
//! or migrates it, and refuses a file written by a newer version.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

use oauth_core::HostError;
use oauth_core::auth::Replay;
use oauth_core::authorize::ParRecord;
use oauth_core::ciba::{CibaRecord, CibaUpdate, UpdateResult};
use oauth_core::records::{
    CodeRecord, GrantId, Record, RefreshRecord, Revocation, RevocationTarget, Taken, TokenInfo,
};
use oauth_core::secret::TokenHash;
use oauth_core::steps::TokenTypeHint;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::codec::{
    AccessDoc, CibaDoc, CodeDoc, ParDoc, RecordKind, RefreshDoc, decode, decode_taken, encode,
    encode_record, refresh_state,
};
use super::{CibaChange, apply_ciba, secs};
use crate::backend::{BoxFuture, Store};
use crate::config::Synchronous;

/// The schema version this code writes.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS records (
    tenant     TEXT    NOT NULL,
    kind       INTEGER NOT NULL,  -- see `Kind`
    key        TEXT    NOT NULL,  -- the SHA-256 of the token, code, request_uri or auth_req_id
    grant_id   TEXT,              -- access and refresh tokens: revoked together
    expires_at INTEGER NOT NULL,  -- seconds since the epoch; never returned from then on
    used       INTEGER NOT NULL DEFAULT 0,
    value      TEXT    NOT NULL,  -- the record, JSON
    PRIMARY KEY (tenant, kind, key)
);
CREATE INDEX IF NOT EXISTS records_by_grant ON records (tenant, grant_id)
    WHERE grant_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_by_expiry ON records (expires_at);
";

/// Most operations committed together.
pub const MAX_BATCH: usize = 512;

/// Most operations waiting for the writer thread.
pub const MAX_QUEUE: usize = 8192;

/// Most expired rows deleted by one sweep, so a write never pays for a large backlog.
const SWEEP_BATCH: i64 = 5_000;

/// How long a statement waits for another process's write lock before failing (503).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The `kind` column.
#[derive(Clone, Copy)]
enum Kind {
    Code = 1,
    Refresh = 2,
    Access = 3,
    Ciba = 4,
    Par = 5,
    Replay = 6,
}

impl Kind {
    fn id(self) -> i64 {
        self as i64
    }
}

impl From<RecordKind> for Kind {
    fn from(k: RecordKind) -> Self {
        match k {
            RecordKind::Code => Kind::Code,
            RecordKind::Refresh => Kind::Refresh,
            RecordKind::Access => Kind::Access,
            RecordKind::Ciba => Kind::Ciba,
            RecordKind::Par => Kind::Par,
        }
    }
}

/// An error inside a store operation.
enum Fail {
    Sql(rusqlite::Error),
    Host(HostError),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::Sql(e)
    }
}

impl From<HostError> for Fail {
    fn from(e: HostError) -> Self {
        Fail::Host(e)
    }
}

type Res<T> = Result<T, Fail>;

struct Db {
    jobs: SyncSender<Box<dyn Job>>,
    path: PathBuf,
    next_sweep: AtomicU64,
}

/// An operation queued for the writer thread.
trait Job: Send {
    /// Runs inside the group's transaction; `false` when it failed (its savepoint is then
    /// rolled back).
    fn run(&mut self, c: &Connection) -> bool;
    /// Answers the caller, once the group is committed (or not).
    fn finish(self: Box<Self>, committed: bool);
}

struct Task<T, F> {
    work: Option<F>,
    tenant: Arc<str>,
    result: Option<Res<T>>,
    reply: tokio::sync::oneshot::Sender<Result<T, HostError>>,
}

impl<T, F> Job for Task<T, F>
where
    T: Send,
    F: FnOnce(&Connection, &str) -> Res<T> + Send,
{
    fn run(&mut self, c: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let tenant = self.tenant.clone();
        // A panic inside one operation fails that operation, not the writer thread.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(c, &tenant)))
            .unwrap_or(Err(Fail::Host(HostError::Internal)));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, committed: bool) {
        let answer = match self.result {
            Some(Ok(v)) if committed => Ok(v),
            Some(Err(Fail::Sql(e))) => {
                tracing::warn!(error = %e, "SQLite store error");
                Err(HostError::Unavailable)
            }
            Some(Err(Fail::Host(e))) => Err(e),
            // Not run, or run but not committed.
            _ => Err(HostError::Unavailable),
        };
        let _ = self.reply.send(answer);
    }
}

/// The writer thread: runs queued operations in committed groups until every
/// [`SqliteStore`] is dropped.
fn writer(conn: &Connection, jobs: &Receiver<Box<dyn Job>>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            tracing::warn!(error = %e, "SQLite store cannot begin a transaction");
            batch.into_iter().for_each(|j| j.finish(false));
            continue;
        }
        for job in &mut batch {
            if conn.execute_batch("SAVEPOINT op").is_err() {
                continue;
            }
            let undo = if job.run(conn) {
                "RELEASE op"
            } else {
                "ROLLBACK TO op; RELEASE op"
            };
            let _ = conn.execute_batch(undo);
        }
        let committed = match conn.execute_batch("COMMIT") {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "SQLite store cannot commit");
                let _ = conn.execute_batch("ROLLBACK");
                false
            }
        };
        batch.into_iter().for_each(|j| j.finish(committed));
    }
}

/// A SQLite-backed [`Store`]. Cheap to clone; [`SqliteStore::for_tenant`] gives each
/// tenant its own view of one database.
#[derive(Clone)]
pub struct SqliteStore {
    db: Arc<Db>,
    tenant: Arc<str>,
}

/// One row to write.
struct Row {
    kind: Kind,
    key: String,
    grant_id: Option<String>,
    expires_at: i64,
    value: String,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` in WAL mode and brings its schema
    /// to the current version. Blocks: call it at start-up or from a blocking task.
    pub fn open(path: &Path, synchronous: Synchronous) -> Result<SqliteStore, String> {
        let show = |e: rusqlite::Error| format!("{}: {e}", path.display());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut conn = Connection::open(path).map_err(show)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(show)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(show)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(format!(
                "{}: cannot use write-ahead logging (journal_mode is {mode})",
                path.display()
            ));
        }
        let sync = match synchronous {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync)
            .map_err(show)?;
        migrate(&mut conn).map_err(|e| match e {
            Fail::Sql(e) => show(e),
            Fail::Host(_) => format!(
                "{}: written by a newer version of this server (schema version above {SCHEMA_VERSION})",
                path.display()
            ),
        })?;
        let (jobs, queue) = sync_channel::<Box<dyn Job>>(MAX_QUEUE);
        std::thread::Builder::new()
            .name("sqlite-store".to_owned())
            .spawn(move || writer(&conn, &queue))
            .map_err(|e| format!("cannot start the SQLite store thread: {e}"))?;
        Ok(SqliteStore {
            db: Arc::new(Db {
                jobs,
                path: path.to_owned(),
                next_sweep: AtomicU64::new(0),
            }),
            tenant: Arc::from(""),
        })
    }

    /// The same database, seen by one tenant: its records are invisible to every other.
    #[must_use]
    pub fn for_tenant(&self, tenant: &str) -> SqliteStore {
        SqliteStore {
            db: self.db.clone(),
            tenant: Arc::from(tenant),
        }
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.db.path
    }

    /// Deletes every expired record now (all tenants); returns how many.
    pub async fn sweep(&self, now: u64) -> Result<usize, HostError> {
        self.run(move |c, _| {
            let mut total = 0;
            loop {
                let n = sweep_batch(c, now)?;
                total += n;
                if n < usize::try_from(SWEEP_BATCH).unwrap_or(usize::MAX) {
                    return Ok(total);
                }
            }
        })
        .await
    }

    /// Queues `f` for the writer thread and waits for its committed answer. SQL failures
    /// are logged and answered as [`HostError::Unavailable`], and so is a full queue.
    async fn run<T, F>(&self, f: F) -> Result<T, HostError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &str) -> Res<T> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let task = Task {
            work: Some(f),
            tenant: self.tenant.clone(),
            result: None,
            reply,
        };
        match self.db.jobs.try_send(Box::new(task)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                tracing::warn!("SQLite store queue full");
                return Err(HostError::Unavailable);
            }
            Err(TrySendError::Disconnected(_)) => {
                tracing::error!("the SQLite store thread has stopped");
                return Err(HostError::Unavailable);
            }
        }
        answer.await.unwrap_or(Err(HostError::Internal))
    }

    /// Sweeps a batch of expired rows when a second has passed since the last sweep.
    fn sweep_if_due(&self, c: &Connection, now: u64) -> Res<()> {
        if now >= self.db.next_sweep.load(Ordering::Relaxed) {
            self.db
                .next_sweep
                .store(now.saturating_add(1), Ordering::Relaxed);
            sweep_batch(c, now)?;
        }
        Ok(())
    }

    async fn take(
        &self,
        kind: Kind,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Taken<String>, HostError> {
        let key = hash.as_str().to_owned();
        self.run(move |c, t| take_row(c, t, kind, &key, now)).await
    }
}

fn migrate(conn: &mut Connection) -> Res<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    match version {
        0 => {
            tx.execute_batch(SCHEMA_V1)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        }
        SCHEMA_VERSION => {}
        _ => return Err(Fail::Host(HostError::Internal)),
    }
    tx.commit()?;
    Ok(())
}

fn sweep_batch(c: &Connection, now: u64) -> Res<usize> {
    Ok(c.execute(
        "DELETE FROM records WHERE rowid IN \
         (SELECT rowid FROM records WHERE expires_at <= ?1 LIMIT ?2)",
        params![secs(now), SWEEP_BATCH],
    )?)
}

/// The single-use take: marks a live, unused row used and returns its document;
/// otherwise tells a used row (with its grant) from an absent or expired one.
fn take_row(c: &Connection, t: &str, kind: Kind, key: &str, now: u64) -> Res<Taken<String>> {
    let taken: Option<String> = c
        .query_row(
            "UPDATE records SET used = 1 \
             WHERE tenant = ?1 AND kind = ?2 AND key = ?3 AND expires_at > ?4 AND used = 0 \
             RETURNING value",
            params![t, kind.id(), key, secs(now)],
            |r| r.get(0),
        )
        .optional()?;
    let answer = match taken {
        Some(v) => Taken::Found(v),
        None => c
            .query_row(
                "SELECT grant_id FROM records \
                 WHERE tenant = ?1 AND kind = ?2 AND key = ?3 AND expires_at > ?4 AND used = 1",
                params![t, kind.id(), key, secs(now)],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .map_or(Taken::Unknown, |g| {
                Taken::AlreadyUsed(GrantId(g.unwrap_or_default()))
            }),
    };
    Ok(answer)
}

/// A live row's document and single-use flag.
fn load_row(
    c: &Connection,
    t: &str,
    kind: Kind,
    key: &str,
    now: u64,
) -> Res<Option<(String, bool)>> {
    Ok(c.query_row(
        "SELECT value, used FROM records \
         WHERE tenant = ?1 AND kind = ?2 AND key = ?3 AND expires_at > ?4",
        params![t, kind.id(), key, secs(now)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

fn revoke_grant(c: &Connection, t: &str, grant: &str) -> Res<()> {
    c.execute(
        "DELETE FROM records WHERE tenant = ?1 AND grant_id = ?2 AND kind IN (?3, ?4)",
        params![t, grant, Kind::Access.id(), Kind::Refresh.id()],
    )?;
    Ok(())
}

fn rows(records: &[Record]) -> Result<Vec<Row>, HostError> {
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let e = encode_record(r)?;
        out.push(Row {
            kind: Kind::from(e.kind),
            key: e.hash.as_str().to_owned(),
            grant_id: e.grant.map(|g| g.0.clone()),
            expires_at: secs(r.expires_at()),
            value: e.doc,
        });
    }
    Ok(out)
}

impl Store for SqliteStore {
    fn save(&self, records: Vec<Record>, now: u64) -> BoxFuture<'_, Result<(), HostError>> {
        Box::pin(async move {
            let rows = rows(&records)?;
            let this = self.clone();
            self.run(move |c, t| {
                {
                    let mut insert = c.prepare(
                        "INSERT OR REPLACE INTO records \
                         (tenant, kind, key, grant_id, expires_at, used, value) \
                         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)",
                    )?;
                    for r in &rows {
                        insert.execute(params![
                            t,
                            r.kind.id(),
                            r.key,
                            r.grant_id,
                            r.expires_at,
                            r.value
                        ])?;
                    }
                }
                this.sweep_if_due(c, now)?;
                Ok(())
            })
            .await
        })
    }

    fn insert_replay<'a>(
        &'a self,
        replay: &'a Replay,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, HostError>> {
        let key = replay.key.as_str().to_owned();
        let expires_at = secs(replay.expires_at.max(now.saturating_add(1)));
        let this = self.clone();
        Box::pin(self.run(move |c, t| {
            // One statement: insert, or take over a row that has expired; a live row
            // is left alone and nothing changes.
            let changed = c.execute(
                "INSERT INTO records (tenant, kind, key, grant_id, expires_at, used, value) \
                 VALUES (?1, ?2, ?3, NULL, ?4, 0, '') \
                 ON CONFLICT (tenant, kind, key) DO UPDATE SET expires_at = excluded.expires_at \
                 WHERE records.expires_at <= ?5",
                params![t, Kind::Replay.id(), key, expires_at, secs(now)],
            )?;
            this.sweep_if_due(c, now)?;
            Ok(changed == 1)
        }))
    }

    fn take_code<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<CodeRecord>, HostError>> {
        Box::pin(async move {
            decode_taken(self.take(Kind::Code, hash, now).await?, |v| {
                CodeRecord::try_from(decode::<CodeDoc>(&v)?)
            })
        })
    }

    fn load_refresh<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<RefreshRecord>, HostError>> {
        let key = hash.as_str().to_owned();
        Box::pin(async move {
            let row = self
                .run(move |c, t| load_row(c, t, Kind::Refresh, &key, now))
                .await?;
            refresh_state(row.as_ref().map(|(v, used)| (v.as_str(), *used)))
        })
    }

    fn take_refresh<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<RefreshRecord>, HostError>> {
        Box::pin(async move {
            decode_taken(self.take(Kind::Refresh, hash, now).await?, |v| {
                Ok(decode::<RefreshDoc>(&v)?.into())
            })
        })
    }

    fn revoke<'a>(&'a self, revocation: &'a Revocation) -> BoxFuture<'a, Result<(), HostError>> {
        let grant = revocation.grant_id.0.clone();
        Box::pin(self.run(move |c, t| revoke_grant(c, t, &grant)))
    }

    fn load_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<CibaRecord>, HostError>> {
        let key = hash.as_str().to_owned();
        Box::pin(async move {
            let row = self
                .run(move |c, t| load_row(c, t, Kind::Ciba, &key, now))
                .await?;
            row.map(|(v, used)| Ok(decode::<CibaDoc>(&v)?.into_record(used)))
                .transpose()
        })
    }

    fn update_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        update: &'a CibaUpdate,
        now: u64,
    ) -> BoxFuture<'a, Result<UpdateResult, HostError>> {
        let key = hash.as_str().to_owned();
        let update = update.clone();
        Box::pin(self.run(move |c, t| {
            // Read, change and write back inside the writer's transaction: no concurrent
            // poll or decision, in this process or another, can slip in between.
            let Some((v, used)) = load_row(c, t, Kind::Ciba, &key, now)? else {
                return Ok(UpdateResult::NotApplied);
            };
            let mut record = decode::<CibaDoc>(&v)?.into_record(used);
            let result = match apply_ciba(&mut record, used, &update, now) {
                CibaChange::Changed => {
                    c.execute(
                        "UPDATE records SET value = ?4 WHERE tenant = ?1 AND kind = ?2 AND key = ?3",
                        params![t, Kind::Ciba.id(), key, encode(&CibaDoc::from(&record))?],
                    )?;
                    UpdateResult::Applied
                }
                CibaChange::Delete => {
                    c.execute(
                        "DELETE FROM records WHERE tenant = ?1 AND kind = ?2 AND key = ?3",
                        params![t, Kind::Ciba.id(), key],
                    )?;
                    UpdateResult::Applied
                }
                CibaChange::NotApplied => UpdateResult::NotApplied,
            };
            Ok(result)
        }))
    }

    fn take_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<CibaRecord>, HostError>> {
        Box::pin(async move {
            decode_taken(self.take(Kind::Ciba, hash, now).await?, |v| {
                Ok(decode::<CibaDoc>(&v)?.into_record(false))
            })
        })
    }

    fn load_pushed<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<ParRecord>, HostError>> {
        let key = hash.as_str().to_owned();
        Box::pin(async move {
            let row = self
                .run(move |c, t| load_row(c, t, Kind::Par, &key, now))
                .await?;
            row.map(|(v, _)| ParRecord::try_from(decode::<ParDoc>(&v)?))
                .transpose()
        })
    }

    fn take_pushed<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, HostError>> {
        let key = hash.as_str().to_owned();
        Box::pin(self.run(move |c, t| {
            let removed: Option<i64> = c
                .query_row(
                    "DELETE FROM records WHERE tenant = ?1 AND kind = ?2 AND key = ?3 \
                     RETURNING expires_at",
                    params![t, Kind::Par.id(), key],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(removed.is_some_and(|e| e > secs(now)))
        }))
    }

    fn lookup_token<'a>(
        &'a self,
        hash: &'a TokenHash,
        hint: Option<TokenTypeHint>,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<TokenInfo>, HostError>> {
        let key = hash.as_str().to_owned();
        Box::pin(async move {
            let (access, refresh) = self
                .run(move |c, t| {
                    let access = load_row(c, t, Kind::Access, &key, now)?;
                    let refresh =
                        load_row(c, t, Kind::Refresh, &key, now)?.filter(|(_, used)| !used);
                    Ok((access, refresh))
                })
                .await?;
            let access = access
                .map(|(v, _)| {
                    Ok::<_, HostError>(TokenInfo::Access(decode::<AccessDoc>(&v)?.into()))
                })
                .transpose()?;
            let refresh = refresh
                .map(|(v, _)| {
                    Ok::<_, HostError>(TokenInfo::Refresh(decode::<RefreshDoc>(&v)?.into()))
                })
                .transpose()?;
            Ok(super::by_hint(hint, access, refresh))
        })
    }

    fn revoke_target<'a>(
        &'a self,
        target: &'a RevocationTarget,
    ) -> BoxFuture<'a, Result<(), HostError>> {
        match target {
            RevocationTarget::AccessToken(hash) => {
                let key = hash.as_str().to_owned();
                Box::pin(self.run(move |c, t| {
                    c.execute(
                        "DELETE FROM records WHERE tenant = ?1 AND kind = ?2 AND key = ?3",
                        params![t, Kind::Access.id(), key],
                    )?;
                    Ok(())
                }))
            }
            RevocationTarget::Grant(g) => {
                let grant = g.0.clone();
                Box::pin(self.run(move |c, t| revoke_grant(c, t, &grant)))
            }
        }
    }
}
