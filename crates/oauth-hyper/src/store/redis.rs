//! [`RedisStore`]: the records in one Redis, shared by any number of server instances.
//!
//! Each record is a hash at `{prefix}{tenant}:{kind}:{token hash}` with its document (`v`,
//! JSON from `store::codec`), its expiry (`e`), its single-use flag (`u`) and its grant
//! (`g`); a CIBA request keeps the fields that polls and decisions change beside the
//! document (`iv`, `lp`, `st`, and its own expiry `x`). Every check-and-change is one Lua
//! script, which Redis runs atomically: the single-use take of codes, refresh tokens and
//! CIBA requests, the insert-if-absent of replay keys, the CIBA bookkeeping (a poll adds
//! to the interval with `HINCRBY`, so concurrent polls lose no increase), the removal of a
//! pushed request. Records expire natively (`EXPIREAT`), kept [`CLOCK_MARGIN`] seconds
//! past their expiry so that a clock difference between a server and Redis never removes
//! a replay key early; the expiry itself is checked against the server's clock.
//!
//! The scripts touch keys they find in a grant's set, so the store needs one Redis (or a
//! primary with replicas), not a Redis Cluster. The connection manager reconnects by
//! itself: while Redis is away, each request fails within about a second with a 503.

use std::sync::{Arc, LazyLock};
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
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Pipeline, Script};

use super::codec::{
    AccessDoc, CibaDoc, CodeDoc, Encoded, ParDoc, RecordKind, RefreshDoc, StatusDoc, decode,
    decode_taken, encode, encode_record, refresh_state,
};
use crate::backend::{BoxFuture, Store};

/// Seconds each key outlives its record's expiry in Redis.
pub const CLOCK_MARGIN: u64 = 60;

/// The key prefix when the configuration names none.
pub const DEFAULT_PREFIX: &str = "oauth:";

/// The single-use take. `KEYS[1]`: the record; `ARGV[1]`: now. Answers `{}` (absent or
/// expired), `{"used", grant}`, or `{"found", v, iv, lp, st}`.
static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local h = redis.call('HMGET', KEYS[1], 'v', 'e', 'u', 'g', 'iv', 'lp', 'st')
if not h[1] or tonumber(h[2]) <= tonumber(ARGV[1]) then return {} end
if h[3] == '1' then return {'used', h[4] or ''} end
redis.call('HSET', KEYS[1], 'u', '1')
return {'found', h[1], h[5] or '', h[6] or '', h[7] or ''}
",
    )
});

/// Insert if absent or expired. `ARGV`: now, the key's expiry, its Redis expiry.
static REPLAY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local e = redis.call('GET', KEYS[1])
if e and tonumber(e) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EXAT', ARGV[3])
return 1
",
    )
});

/// A CIBA update. `ARGV`: now, op (`poll` | `decide` | `delete`), poll time, slow_down
/// (`1`/`0`), the interval step, the decided status, the pending status.
static UPDATE_CIBA: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local h = redis.call('HMGET', KEYS[1], 'e', 'u', 'st', 'x')
local now = tonumber(ARGV[1])
if not h[1] or tonumber(h[1]) <= now then return 0 end
local op = ARGV[2]
if op == 'poll' then
  redis.call('HSET', KEYS[1], 'lp', ARGV[3])
  if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[1], 'iv', ARGV[5]) end
  return 1
end
if h[2] == '1' or h[3] ~= ARGV[7] then return 0 end
if op == 'decide' then
  if tonumber(h[4]) <= now then return 0 end
  redis.call('HSET', KEYS[1], 'st', ARGV[6])
  return 1
end
if op == 'delete' then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
",
    )
});

/// Removes a pushed request; `1` for the caller that removed an unexpired one.
static TAKE_PUSHED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local e = redis.call('HGET', KEYS[1], 'e')
if not e then return 0 end
redis.call('DEL', KEYS[1])
if tonumber(e) > tonumber(ARGV[1]) then return 1 end
return 0
",
    )
});

/// Deletes every token of a grant (the members of its set), then the set.
static REVOKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local m = redis.call('SMEMBERS', KEYS[1])
for i = 1, #m do redis.call('DEL', m[i]) end
redis.call('DEL', KEYS[1])
return #m
",
    )
});

/// A Redis-backed [`Store`]. Cheap to clone (one multiplexed connection underneath);
/// [`RedisStore::for_tenant`] gives each tenant its own key space.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    /// `{prefix}`, and `{prefix}{tenant}:` for a tenant's view.
    base: Arc<str>,
    keys: Arc<str>,
    address: Arc<str>,
}

/// Key kinds.
#[derive(Clone, Copy)]
enum Kind {
    Code,
    Refresh,
    Access,
    Ciba,
    Par,
    Replay,
    Grant,
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

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Code => "code",
            Kind::Refresh => "rt",
            Kind::Access => "at",
            Kind::Ciba => "ciba",
            Kind::Par => "par",
            Kind::Replay => "jti",
            Kind::Grant => "grant",
        }
    }
}

fn unavailable(e: &redis::RedisError) -> HostError {
    tracing::warn!(error = %e, "Redis store error");
    HostError::Unavailable
}

/// A field read back as text (`None` when absent or not UTF-8).
type Fields = Vec<Option<String>>;

fn field(f: &Fields, i: usize) -> Option<&str> {
    f.get(i).and_then(|v| v.as_deref())
}

fn number(f: &Fields, i: usize) -> Option<u64> {
    field(f, i).and_then(|v| v.parse().ok())
}

/// The document a take answered.
fn first(found: &[String]) -> Result<&str, HostError> {
    found.first().map(String::as_str).ok_or(HostError::Internal)
}

/// The document of a live record, and whether it was used.
fn live(f: &Fields, now: u64) -> Option<(&str, bool)> {
    let v = field(f, 0)?;
    (number(f, 1)? > now).then_some((v, field(f, 2) == Some("1")))
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://host:port[/db]`), its keys under `prefix`
    /// (default `oauth:`). Connects lazily, and again after every failure.
    pub fn connect(url: &str, prefix: Option<&str>) -> Result<RedisStore, String> {
        let client = redis::Client::open(url).map_err(|e| format!("{e}"))?;
        let address = format!("{}", client.get_connection_info().addr());
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let conn =
            ConnectionManager::new_lazy_with_config(client, config).map_err(|e| format!("{e}"))?;
        let base: Arc<str> = Arc::from(prefix.unwrap_or(DEFAULT_PREFIX));
        Ok(RedisStore {
            conn,
            keys: base.clone(),
            base,
            address: Arc::from(address),
        })
    }

    /// The same Redis, seen by one tenant: its keys are `{prefix}{tenant}:...`.
    #[must_use]
    pub fn for_tenant(&self, tenant: &str) -> RedisStore {
        RedisStore {
            keys: Arc::from(format!("{}{tenant}:", self.base)),
            ..self.clone()
        }
    }

    /// The server's address (no credentials), for logs.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), String> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn.clone())
            .await
            .map(|_| ())
            .map_err(|e| format!("{e}"))
    }

    fn key(&self, kind: Kind, id: &str) -> String {
        format!("{}{}:{id}", self.keys, kind.tag())
    }

    async fn fields(&self, key: &str, names: &[&str]) -> Result<Fields, HostError> {
        redis::cmd("HMGET")
            .arg(key)
            .arg(names)
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|e| unavailable(&e))
    }

    /// Runs [`TAKE`]: the document (and CIBA fields) when found.
    async fn take(
        &self,
        kind: Kind,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Taken<Vec<String>>, HostError> {
        let answer: Vec<String> = TAKE
            .key(self.key(kind, hash.as_str()))
            .arg(now)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(match answer.first().map(String::as_str) {
            None => Taken::Unknown,
            Some("used") => Taken::AlreadyUsed(GrantId(answer.get(1).cloned().unwrap_or_default())),
            Some("found") => Taken::Found(answer.into_iter().skip(1).collect()),
            Some(_) => return Err(HostError::Internal),
        })
    }

    /// Adds the commands that save one record to an atomic pipeline.
    fn save_into(&self, pipe: &mut Pipeline, record: &Record) -> Result<(), HostError> {
        let Encoded {
            kind,
            hash,
            grant,
            doc,
        } = encode_record(record)?;
        let kind = Kind::from(kind);
        let key = self.key(kind, hash.as_str());
        let expires_at = record.expires_at();
        let keep_until = super::secs(expires_at.saturating_add(CLOCK_MARGIN));
        let mut fields: Vec<(&str, String)> = vec![
            ("v", doc),
            ("e", expires_at.to_string()),
            ("u", "0".to_owned()),
            ("g", grant.map(|g| g.0.clone()).unwrap_or_default()),
        ];
        if let Record::Ciba(_, c) = record {
            fields.push(("iv", c.interval.to_string()));
            fields.push(("lp", c.last_poll.map(|p| p.to_string()).unwrap_or_default()));
            fields.push(("st", encode(&StatusDoc::from(&c.status))?));
            fields.push(("x", c.expires_at.to_string()));
        }
        pipe.del(&key).ignore();
        pipe.hset_multiple(&key, &fields).ignore();
        pipe.expire_at(&key, keep_until).ignore();
        if let (Kind::Access | Kind::Refresh, Some(g)) = (kind, grant) {
            // The grant's set names its tokens, for revocation; it lives as long as the
            // longest of them.
            let set = self.key(Kind::Grant, &g.0);
            pipe.sadd(&set, &key).ignore();
            pipe.cmd("EXPIREAT")
                .arg(&set)
                .arg(keep_until)
                .arg("NX")
                .ignore();
            pipe.cmd("EXPIREAT")
                .arg(&set)
                .arg(keep_until)
                .arg("GT")
                .ignore();
        }
        Ok(())
    }

    async fn revoke_grant(&self, grant: &GrantId) -> Result<(), HostError> {
        REVOKE
            .key(self.key(Kind::Grant, &grant.0))
            .invoke_async::<i64>(&mut self.conn.clone())
            .await
            .map(|_| ())
            .map_err(|e| unavailable(&e))
    }

    /// A CIBA record from its document and the fields kept beside it.
    fn ciba_record(
        v: &str,
        iv: &str,
        lp: &str,
        st: &str,
        used: bool,
    ) -> Result<CibaRecord, HostError> {
        let mut doc = decode::<CibaDoc>(v)?;
        doc.interval = iv.parse().map_err(|_| HostError::Internal)?;
        doc.last_poll = if lp.is_empty() {
            None
        } else {
            Some(lp.parse().map_err(|_| HostError::Internal)?)
        };
        doc.status = decode::<StatusDoc>(st)?;
        Ok(doc.into_record(used))
    }
}

impl Store for RedisStore {
    fn save(&self, records: Vec<Record>, _now: u64) -> BoxFuture<'_, Result<(), HostError>> {
        Box::pin(async move {
            let mut pipe = redis::pipe();
            pipe.atomic();
            for r in &records {
                self.save_into(&mut pipe, r)?;
            }
            pipe.query_async::<()>(&mut self.conn.clone())
                .await
                .map_err(|e| unavailable(&e))
        })
    }

    fn insert_replay<'a>(
        &'a self,
        replay: &'a Replay,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, HostError>> {
        Box::pin(async move {
            let expires_at = replay.expires_at.max(now.saturating_add(1));
            let fresh: i64 = REPLAY
                .key(self.key(Kind::Replay, replay.key.as_str()))
                .arg(now)
                .arg(expires_at)
                .arg(super::secs(expires_at.saturating_add(CLOCK_MARGIN)))
                .invoke_async(&mut self.conn.clone())
                .await
                .map_err(|e| unavailable(&e))?;
            Ok(fresh == 1)
        })
    }

    fn take_code<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<CodeRecord>, HostError>> {
        Box::pin(async move {
            decode_taken(self.take(Kind::Code, hash, now).await?, |f| {
                CodeRecord::try_from(decode::<CodeDoc>(first(&f)?)?)
            })
        })
    }

    fn load_refresh<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<RefreshRecord>, HostError>> {
        Box::pin(async move {
            let f = self
                .fields(&self.key(Kind::Refresh, hash.as_str()), &["v", "e", "u"])
                .await?;
            refresh_state(live(&f, now))
        })
    }

    fn take_refresh<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<RefreshRecord>, HostError>> {
        Box::pin(async move {
            decode_taken(self.take(Kind::Refresh, hash, now).await?, |f| {
                Ok(decode::<RefreshDoc>(first(&f)?)?.into())
            })
        })
    }

    fn revoke<'a>(&'a self, revocation: &'a Revocation) -> BoxFuture<'a, Result<(), HostError>> {
        Box::pin(self.revoke_grant(&revocation.grant_id))
    }

    fn load_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<CibaRecord>, HostError>> {
        Box::pin(async move {
            let f = self
                .fields(
                    &self.key(Kind::Ciba, hash.as_str()),
                    &["v", "e", "u", "iv", "lp", "st"],
                )
                .await?;
            let Some((v, used)) = live(&f, now) else {
                return Ok(None);
            };
            let text = |i| field(&f, i).unwrap_or_default();
            Self::ciba_record(v, text(3), text(4), text(5), used).map(Some)
        })
    }

    fn update_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        update: &'a CibaUpdate,
        now: u64,
    ) -> BoxFuture<'a, Result<UpdateResult, HostError>> {
        Box::pin(async move {
            let (op, at, slow_down, status) = match update {
                CibaUpdate::Poll { at, slow_down } => ("poll", *at, *slow_down, String::new()),
                CibaUpdate::Decide(s) => ("decide", 0, false, encode(&StatusDoc::from(s))?),
                CibaUpdate::Delete => ("delete", 0, false, String::new()),
                _ => return Ok(UpdateResult::NotApplied),
            };
            let applied: i64 = UPDATE_CIBA
                .key(self.key(Kind::Ciba, hash.as_str()))
                .arg(now)
                .arg(op)
                .arg(at)
                .arg(if slow_down { "1" } else { "0" })
                .arg(oauth_core::token::SLOW_DOWN_STEP)
                .arg(status)
                .arg(encode(&StatusDoc::Pending)?)
                .invoke_async(&mut self.conn.clone())
                .await
                .map_err(|e| unavailable(&e))?;
            Ok(if applied == 1 {
                UpdateResult::Applied
            } else {
                UpdateResult::NotApplied
            })
        })
    }

    fn take_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<CibaRecord>, HostError>> {
        Box::pin(async move {
            decode_taken(self.take(Kind::Ciba, hash, now).await?, |f| {
                match f.as_slice() {
                    [v, iv, lp, st] => Self::ciba_record(v, iv, lp, st, false),
                    _ => Err(HostError::Internal),
                }
            })
        })
    }

    fn load_pushed<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<ParRecord>, HostError>> {
        Box::pin(async move {
            let f = self
                .fields(&self.key(Kind::Par, hash.as_str()), &["v", "e", "u"])
                .await?;
            live(&f, now)
                .map(|(v, _)| ParRecord::try_from(decode::<ParDoc>(v)?))
                .transpose()
        })
    }

    fn take_pushed<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, HostError>> {
        Box::pin(async move {
            let taken: i64 = TAKE_PUSHED
                .key(self.key(Kind::Par, hash.as_str()))
                .arg(now)
                .invoke_async(&mut self.conn.clone())
                .await
                .map_err(|e| unavailable(&e))?;
            Ok(taken == 1)
        })
    }

    fn lookup_token<'a>(
        &'a self,
        hash: &'a TokenHash,
        hint: Option<TokenTypeHint>,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<TokenInfo>, HostError>> {
        Box::pin(async move {
            let (access, refresh): (Fields, Fields) = redis::pipe()
                .cmd("HMGET")
                .arg(self.key(Kind::Access, hash.as_str()))
                .arg(&["v", "e", "u"])
                .cmd("HMGET")
                .arg(self.key(Kind::Refresh, hash.as_str()))
                .arg(&["v", "e", "u"])
                .query_async(&mut self.conn.clone())
                .await
                .map_err(|e| unavailable(&e))?;
            let access = live(&access, now)
                .map(|(v, _)| Ok::<_, HostError>(TokenInfo::Access(decode::<AccessDoc>(v)?.into())))
                .transpose()?;
            let refresh = live(&refresh, now)
                .filter(|(_, used)| !used)
                .map(|(v, _)| {
                    Ok::<_, HostError>(TokenInfo::Refresh(decode::<RefreshDoc>(v)?.into()))
                })
                .transpose()?;
            Ok(super::by_hint(hint, access, refresh))
        })
    }

    fn revoke_target<'a>(
        &'a self,
        target: &'a RevocationTarget,
    ) -> BoxFuture<'a, Result<(), HostError>> {
        Box::pin(async move {
            match target {
                RevocationTarget::AccessToken(hash) => redis::cmd("DEL")
                    .arg(self.key(Kind::Access, hash.as_str()))
                    .query_async::<i64>(&mut self.conn.clone())
                    .await
                    .map(|_| ())
                    .map_err(|e| unavailable(&e)),
                RevocationTarget::Grant(g) => self.revoke_grant(g).await,
            }
        })
    }
}
