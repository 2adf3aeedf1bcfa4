//! [`MemoryStore`]: a thread-safe, bounded, in-memory [`Store`] that keeps every store duty.
//!
//! Each kind of record is split into 16 shards by key, each a map behind its own
//! `std::sync::Mutex`; every check-and-change of a key (take, insert if absent, CIBA update)
//! happens under its shard's lock, so concurrent requests cannot both win. Expired
//! entries are never returned. Each shard keeps its keys in buckets by the second they expire,
//! and every insert first removes at most `SWEEP_BATCH` keys whose second has passed, so
//! expiry costs a little per insert, touches only expired entries and never holds the lock for
//! a scan of the table. Memory stays flat under sustained load: the store holds what is live
//! (rate × lifetime) and never more than the configured maximum, beyond which saves answer
//! [`HostError::Unavailable`] (a 503 with `Retry-After`). A record counts toward that maximum
//! until its expiry has been swept, even when it was revoked or consumed earlier.

use std::collections::hash_map::Entry as Slot;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use oauth_core::HostError;
use oauth_core::auth::Replay;
use oauth_core::authorize::ParRecord;
use oauth_core::ciba::{CibaRecord, CibaUpdate, UpdateResult};
use oauth_core::records::{
    AccessRecord, CodeRecord, GrantId, Record, RefreshRecord, Revocation, RevocationTarget, Taken,
    TokenInfo,
};
use oauth_core::secret::TokenHash;
use oauth_core::steps::TokenTypeHint;

use super::CibaChange;
use crate::backend::{BoxFuture, Store};

/// Default bound on the number of records held.
pub const DEFAULT_MAX_RECORDS: usize = 1_000_000;

/// The most expired keys one insert removes before its own; more than one, so the sweep
/// outpaces any insert rate.
const SWEEP_BATCH: usize = 8;

struct Entry<T> {
    value: T,
    expires_at: u64,
    /// Single-use records stay as tombstones after a take, so a reuse is recognised.
    used: bool,
}

/// Hashes keys the server chose: the SHA-256 digest of a token, code or URI it generated at
/// random, so the key is already uniform and a keyed hash buys nothing. Keys a client can
/// choose (the replay table's) keep the standard library's keyed hash. A client can pick
/// the digests it looks up, but lookups never add to a table, so they cannot build a chain.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
            self.mix(word);
        }
        let tail = chunks
            .remainder()
            .iter()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b));
        self.mix(tail);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

impl DigestHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The hasher of the tables keyed by server-chosen digests.
type Digest = BuildHasherDefault<DigestHasher>;

/// Picks the shard of a server-chosen digest: [`DigestHasher`] from another starting state,
/// so its bits are independent of those the shard's own map uses. The maps take a bucket
/// from the low bits of a key's hash and a 7-bit tag from its top bits; were the shard
/// picked from those same top bits, every key of a shard would share 4 of its 7 tag bits,
/// and a probe would find 16 times as many false tag matches, each a key comparison.
#[derive(Clone, Copy, Default)]
struct ShardPick;

impl BuildHasher for ShardPick {
    type Hasher = DigestHasher;

    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0x2545_F491_4F6C_DD1D)
    }
}

/// Number of shards a table is split into, each a map with its own expiry queue behind its
/// own lock. A hash map grows by rehashing every entry at once; split 16 ways, each growth
/// moves a sixteenth, so no request waits behind a rehash of the whole table (at 60k
/// tokens/s and a 5 s lifetime, one map of 300k entries took a few hundred milliseconds to
/// grow). A revocation scans one shard at a time, and requests for keys in different shards
/// do not wait for each other's lock.
const SHARDS: usize = 16;

/// One kind of record, split into [`SHARDS`] locked shards by the key's hash. Every
/// check-and-change of one key happens under its shard's lock.
struct Sharded<T, S = Digest, P = ShardPick> {
    shards: [Mutex<Table<T, S>>; SHARDS],
    /// Picks the shard; independent of the maps' own hashers.
    select: P,
}

impl<T, S: Default, P: Default> Default for Sharded<T, S, P> {
    fn default() -> Self {
        Sharded {
            shards: std::array::from_fn(|_| Mutex::default()),
            select: P::default(),
        }
    }
}

impl<T, S: BuildHasher, P: BuildHasher> Sharded<T, S, P> {
    /// The index of the shard that holds `key`.
    fn shard_of(&self, key: &TokenHash) -> usize {
        usize::try_from(self.select.hash_one(key) >> 60).unwrap_or(0) % SHARDS
    }

    /// The locked shard that holds `key`.
    fn lock(&self, key: &TokenHash) -> MutexGuard<'_, Table<T, S>> {
        let [first, ..] = &self.shards;
        lock(self.shards.get(self.shard_of(key)).unwrap_or(first))
    }

    /// Runs `f` on every shard in turn, each under its own lock; sums what it returns.
    fn each(&self, mut f: impl FnMut(&mut Table<T, S>) -> usize) -> usize {
        self.shards.iter().map(|m| f(&mut lock(m))).sum()
    }
}

/// One shard of a kind of record, with its keys queued by expiry.
struct Table<T, S = Digest> {
    entries: HashMap<TokenHash, Entry<T>, S>,
    /// Every inserted key under the second it expires. A key whose entry was replaced or
    /// removed since stays queued until that second; it is then dropped without effect.
    expiry: BTreeMap<u64, Vec<TokenHash>>,
    /// The emptied bucket kept for the next second, so steady load does not reallocate it.
    spare: Vec<TokenHash>,
}

impl<T, S: Default> Default for Table<T, S> {
    fn default() -> Self {
        Table {
            entries: HashMap::default(),
            expiry: BTreeMap::new(),
            spare: Vec::new(),
        }
    }
}

impl<T, S: BuildHasher> Table<T, S> {
    /// Inserts an entry and queues its key. Every insert is one queued key (one record
    /// counted), replacing an entry or not.
    fn insert(&mut self, key: TokenHash, entry: Entry<T>) {
        let second = entry.expires_at;
        let bucket = self
            .expiry
            .entry(second)
            .or_insert_with(|| std::mem::take(&mut self.spare));
        bucket.push(key.clone());
        self.entries.insert(key, entry);
    }

    /// Dequeues at most `budget` keys whose second has passed, removing their entries if
    /// still expired; returns how many keys were dequeued.
    fn sweep(&mut self, now: u64, budget: usize) -> usize {
        let mut dequeued = 0;
        while dequeued < budget {
            let Some(mut first) = self.expiry.first_entry() else {
                break;
            };
            if *first.key() > now {
                break;
            }
            let keys = first.get_mut();
            while dequeued < budget {
                let Some(key) = keys.pop() else { break };
                dequeued += 1;
                if let Slot::Occupied(e) = self.entries.entry(key)
                    && e.get().expires_at <= now
                {
                    e.remove();
                }
            }
            if keys.is_empty() {
                let emptied = first.remove();
                if emptied.capacity() > self.spare.capacity() {
                    self.spare = emptied;
                }
            }
        }
        if dequeued > 0
            && self.entries.capacity() > 1024
            && self.entries.len() < self.entries.capacity() / 4
        {
            self.entries.shrink_to(self.entries.len() * 2);
        }
        dequeued
    }

    fn live(&self, hash: &TokenHash, now: u64) -> Option<&Entry<T>> {
        self.entries.get(hash).filter(|e| e.expires_at > now)
    }

    fn live_mut(&mut self, hash: &TokenHash, now: u64) -> Option<&mut Entry<T>> {
        self.entries.get_mut(hash).filter(|e| e.expires_at > now)
    }
}

/// A bounded in-memory store. Share it behind an `Arc`; every method takes `&self`.
pub struct MemoryStore {
    codes: Sharded<CodeRecord>,
    refresh: Sharded<RefreshRecord>,
    access: Sharded<AccessRecord>,
    replay: Sharded<(), RandomState, RandomState>,
    ciba: Sharded<CibaRecord>,
    pushed: Sharded<ParRecord>,
    total: AtomicUsize,
    max: usize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_RECORDS)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a table half-changed (every change is a
    // single map operation), so a poisoned lock is still consistent.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl MemoryStore {
    /// A store holding at most `max_records` records of all kinds together.
    #[must_use]
    pub fn new(max_records: usize) -> Self {
        MemoryStore {
            codes: Sharded::default(),
            refresh: Sharded::default(),
            access: Sharded::default(),
            replay: Sharded::default(),
            ciba: Sharded::default(),
            pushed: Sharded::default(),
            total: AtomicUsize::new(0),
            max: max_records,
        }
    }

    /// The number of records counted toward the bound: those held, and those expired, consumed,
    /// revoked or replaced whose expiry is not yet swept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }

    /// True when nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sweeps every table of all expired records now.
    pub fn sweep(&self, now: u64) {
        let all = usize::MAX;
        let removed = self.codes.each(|t| t.sweep(now, all))
            + self.refresh.each(|t| t.sweep(now, all))
            + self.access.each(|t| t.sweep(now, all))
            + self.replay.each(|t| t.sweep(now, all))
            + self.ciba.each(|t| t.sweep(now, all))
            + self.pushed.each(|t| t.sweep(now, all));
        self.total.fetch_sub(removed, Ordering::Relaxed);
    }

    /// Reserves room for `n` new records, sweeping first when full.
    fn reserve(&self, n: usize, now: u64) -> Result<(), HostError> {
        if self.total.load(Ordering::Relaxed).saturating_add(n) > self.max {
            self.sweep(now);
            if self.total.load(Ordering::Relaxed).saturating_add(n) > self.max {
                return Err(HostError::Unavailable);
            }
        }
        self.total.fetch_add(n, Ordering::Relaxed);
        Ok(())
    }

    /// Removes a few expired keys from a table, under its lock.
    fn sweep_some<T, S: BuildHasher>(&self, t: &mut Table<T, S>, now: u64) {
        let removed = t.sweep(now, SWEEP_BATCH);
        if removed > 0 {
            self.total.fetch_sub(removed, Ordering::Relaxed);
        }
    }

    /// Inserts into a table under its lock, sweeping a few expired keys first. The slot was
    /// reserved.
    fn put<T>(&self, table: &Sharded<T>, hash: TokenHash, value: T, expires_at: u64, now: u64) {
        let mut t = table.lock(&hash);
        self.sweep_some(&mut t, now);
        t.insert(
            hash,
            Entry {
                value,
                expires_at,
                used: false,
            },
        );
    }

    fn save_now(&self, records: Vec<Record>, now: u64) -> Result<(), HostError> {
        // Refuse unknown kinds before saving anything: a record silently dropped would
        // break a duty.
        for r in &records {
            if !matches!(
                r,
                Record::Access(..)
                    | Record::Refresh(..)
                    | Record::Code(..)
                    | Record::Ciba(..)
                    | Record::Par(..)
            ) {
                return Err(HostError::Internal);
            }
        }
        self.reserve(records.len(), now)?;
        for r in records {
            let exp = r.expires_at();
            match r {
                Record::Access(h, a) => self.put(&self.access, h, a, exp, now),
                Record::Refresh(h, rt) => self.put(&self.refresh, h, rt, exp, now),
                Record::Code(h, c) => self.put(&self.codes, h, c, exp, now),
                Record::Ciba(h, c) => self.put(&self.ciba, h, c, exp, now),
                Record::Par(h, p) => self.put(&self.pushed, h, p, exp, now),
                _ => {}
            }
        }
        Ok(())
    }

    fn insert_replay_now(&self, replay: &Replay, now: u64) -> Result<bool, HostError> {
        {
            let t = self.replay.lock(&replay.key);
            if t.live(&replay.key, now).is_some() {
                return Ok(false);
            }
        }
        self.reserve(1, now)?;
        let mut t = self.replay.lock(&replay.key);
        self.sweep_some(&mut t, now);
        // Checked again under the same lock as the insert: this is the atomic part.
        if t.live(&replay.key, now).is_some() {
            self.total.fetch_sub(1, Ordering::Relaxed);
            return Ok(false);
        }
        t.insert(
            replay.key.clone(),
            Entry {
                value: (),
                expires_at: replay.expires_at.max(now.saturating_add(1)),
                used: false,
            },
        );
        Ok(true)
    }

    fn take_now<T: Clone>(
        table: &Sharded<T>,
        hash: &TokenHash,
        now: u64,
        grant: impl Fn(&T) -> GrantId,
    ) -> Taken<T> {
        let mut t = table.lock(hash);
        match t.live_mut(hash, now) {
            None => Taken::Unknown,
            Some(e) if e.used => Taken::AlreadyUsed(grant(&e.value)),
            Some(e) => {
                e.used = true;
                Taken::Found(e.value.clone())
            }
        }
    }

    fn update_ciba_now(&self, hash: &TokenHash, update: &CibaUpdate, now: u64) -> UpdateResult {
        let mut t = self.ciba.lock(hash);
        let Some(e) = t.live_mut(hash, now) else {
            return UpdateResult::NotApplied;
        };
        match super::apply_ciba(&mut e.value, e.used, update, now) {
            CibaChange::Changed => UpdateResult::Applied,
            CibaChange::Delete => {
                // Its key stays queued (and counted) until its expiry is swept.
                t.entries.remove(hash);
                UpdateResult::Applied
            }
            CibaChange::NotApplied => UpdateResult::NotApplied,
        }
    }

    // Removals below leave the key queued (and counted) until its expiry is swept.

    /// Scans every shard of the access and refresh tables, one shard's lock at a time.
    fn revoke_now(&self, revocation: &Revocation) {
        let g = &revocation.grant_id;
        self.access.each(|t| {
            t.entries.retain(|_, e| &e.value.grant_id != g);
            0
        });
        self.refresh.each(|t| {
            t.entries.retain(|_, e| &e.value.grant_id != g);
            0
        });
    }

    fn delete_access_now(&self, hash: &TokenHash) {
        self.access.lock(hash).entries.remove(hash);
    }

    fn take_pushed_now(&self, hash: &TokenHash, now: u64) -> bool {
        let removed = self.pushed.lock(hash).entries.remove(hash);
        removed.is_some_and(|e| e.expires_at > now)
    }
}

fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, T> {
    Box::pin(std::future::ready(value))
}

impl Store for MemoryStore {
    fn save(&self, records: Vec<Record>, now: u64) -> BoxFuture<'_, Result<(), HostError>> {
        ready(self.save_now(records, now))
    }

    fn insert_replay<'a>(
        &'a self,
        replay: &'a Replay,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, HostError>> {
        ready(self.insert_replay_now(replay, now))
    }

    fn take_code<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<CodeRecord>, HostError>> {
        ready(Ok(Self::take_now(&self.codes, hash, now, |r| {
            r.grant_id.clone()
        })))
    }

    fn load_refresh<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<RefreshRecord>, HostError>> {
        let t = self.refresh.lock(hash);
        let answer = match t.live(hash, now) {
            None => Taken::Unknown,
            Some(e) if e.used => Taken::AlreadyUsed(e.value.grant_id.clone()),
            Some(e) => Taken::Found(e.value.clone()),
        };
        ready(Ok(answer))
    }

    fn take_refresh<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<RefreshRecord>, HostError>> {
        ready(Ok(Self::take_now(&self.refresh, hash, now, |r| {
            r.grant_id.clone()
        })))
    }

    fn revoke<'a>(&'a self, revocation: &'a Revocation) -> BoxFuture<'a, Result<(), HostError>> {
        self.revoke_now(revocation);
        ready(Ok(()))
    }

    fn load_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<CibaRecord>, HostError>> {
        ready(Ok(self.ciba.lock(hash).live(hash, now).map(|e| {
            CibaRecord {
                consumed: e.used,
                ..e.value.clone()
            }
        })))
    }

    fn update_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        update: &'a CibaUpdate,
        now: u64,
    ) -> BoxFuture<'a, Result<UpdateResult, HostError>> {
        ready(Ok(self.update_ciba_now(hash, update, now)))
    }

    fn take_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<CibaRecord>, HostError>> {
        ready(Ok(Self::take_now(&self.ciba, hash, now, |r| {
            r.grant_id.clone()
        })))
    }

    fn load_pushed<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<ParRecord>, HostError>> {
        ready(Ok(self
            .pushed
            .lock(hash)
            .live(hash, now)
            .map(|e| e.value.clone())))
    }

    fn take_pushed<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, HostError>> {
        ready(Ok(self.take_pushed_now(hash, now)))
    }

    fn lookup_token<'a>(
        &'a self,
        hash: &'a TokenHash,
        hint: Option<TokenTypeHint>,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<TokenInfo>, HostError>> {
        let access = || {
            self.access
                .lock(hash)
                .live(hash, now)
                .map(|e| TokenInfo::Access(e.value.clone()))
        };
        let refresh = || {
            self.refresh
                .lock(hash)
                .live(hash, now)
                .filter(|e| !e.used)
                .map(|e| TokenInfo::Refresh(e.value.clone()))
        };
        let found = match hint {
            Some(TokenTypeHint::RefreshToken) => refresh().or_else(access),
            _ => access().or_else(refresh),
        };
        ready(Ok(found))
    }

    fn revoke_target<'a>(
        &'a self,
        target: &'a RevocationTarget,
    ) -> BoxFuture<'a, Result<(), HostError>> {
        match target {
            RevocationTarget::AccessToken(hash) => self.delete_access_now(hash),
            RevocationTarget::Grant(g) => self.revoke_now(&Revocation {
                grant_id: g.clone(),
            }),
        }
        ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of one shard spread over the 7-bit tags its map takes from the top of each
    /// key's hash, not a sixteenth of them.
    #[test]
    fn shard_choice_leaves_the_tag_bits_free() {
        let sharded = Sharded::<(), Digest>::default();
        let [first, ..] = &sharded.shards;
        let map_hasher = lock(first).entries.hasher().clone();
        let mut tags = std::collections::HashSet::new();
        for i in 0..20_000 {
            let k = TokenHash::of(&format!("token-{i}"));
            if sharded.shard_of(&k) == 3 {
                tags.insert(map_hasher.hash_one(&k) >> 57);
            }
        }
        assert!(tags.len() > 120, "only {} of 128 tags used", tags.len());
    }
}
