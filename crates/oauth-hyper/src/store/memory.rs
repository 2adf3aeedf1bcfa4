//! [`MemoryStore`]: a thread-safe, bounded, in-memory [`Store`] that keeps every store duty.
//!
//! One `std::sync::Mutex` per kind of record; every check-and-change (take, insert if absent,
//! CIBA update) happens under that one lock, so concurrent requests cannot both win. Expired
//! entries are never returned. Each table keeps its keys in buckets by the second they expire,
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

/// Number of maps a table's entries are spread over. A hash map grows by rehashing every
/// entry at once; spread over 16 maps, each growth moves a sixteenth of the table, so no
/// request waits behind a rehash of the whole table (at 60k tokens/s and a 5 s lifetime,
/// one map of 300k entries took a few hundred milliseconds to grow).
const SHARDS: usize = 16;

/// A table's entries, spread over [`SHARDS`] maps by the key's hash.
struct Shards<T, S> {
    maps: [HashMap<TokenHash, Entry<T>, S>; SHARDS],
    /// Picks the map; independent of the maps' own hashers.
    select: S,
}

impl<T, S: Default> Default for Shards<T, S> {
    fn default() -> Self {
        Shards {
            maps: std::array::from_fn(|_| HashMap::default()),
            select: S::default(),
        }
    }
}

impl<T, S: BuildHasher> Shards<T, S> {
    /// The map that holds `key`: always `Some` (the index is below [`SHARDS`]).
    fn map(&self, key: &TokenHash) -> Option<&HashMap<TokenHash, Entry<T>, S>> {
        self.maps.get(self.index(key))
    }

    fn map_mut(&mut self, key: &TokenHash) -> Option<&mut HashMap<TokenHash, Entry<T>, S>> {
        let i = self.index(key);
        self.maps.get_mut(i)
    }

    fn index(&self, key: &TokenHash) -> usize {
        // The top bits: the maps use the low ones to pick a bucket.
        usize::try_from(self.select.hash_one(key) >> 60).unwrap_or(0) % SHARDS
    }

    fn get(&self, key: &TokenHash) -> Option<&Entry<T>> {
        self.map(key)?.get(key)
    }

    fn get_mut(&mut self, key: &TokenHash) -> Option<&mut Entry<T>> {
        self.map_mut(key)?.get_mut(key)
    }

    fn insert(&mut self, key: TokenHash, entry: Entry<T>) {
        if let Some(map) = self.map_mut(&key) {
            map.insert(key, entry);
        }
    }

    fn remove(&mut self, key: &TokenHash) -> Option<Entry<T>> {
        self.map_mut(key)?.remove(key)
    }

    /// Removes the entry if it has expired (a replaced entry that expires later stays), and
    /// gives memory back once the map is mostly empty.
    fn remove_expired(&mut self, key: TokenHash, now: u64) {
        let Some(map) = self.map_mut(&key) else {
            return;
        };
        if let Slot::Occupied(e) = map.entry(key)
            && e.get().expires_at <= now
        {
            e.remove();
        }
        if map.capacity() > 1024 && map.len() < map.capacity() / 4 {
            map.shrink_to(map.len() * 2);
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(&Entry<T>) -> bool) {
        for map in &mut self.maps {
            map.retain(|_, e| keep(e));
        }
    }
}

/// One kind of record, with its keys queued by expiry.
struct Table<T, S = Digest> {
    entries: Shards<T, S>,
    /// Every inserted key under the second it expires. A key whose entry was replaced or
    /// removed since stays queued until that second; it is then dropped without effect.
    expiry: BTreeMap<u64, Vec<TokenHash>>,
    /// The emptied bucket kept for the next second, so steady load does not reallocate it.
    spare: Vec<TokenHash>,
}

impl<T, S: Default> Default for Table<T, S> {
    fn default() -> Self {
        Table {
            entries: Shards::default(),
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
                self.entries.remove_expired(key, now);
            }
            if keys.is_empty() {
                let emptied = first.remove();
                if emptied.capacity() > self.spare.capacity() {
                    self.spare = emptied;
                }
            }
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
    codes: Mutex<Table<CodeRecord>>,
    refresh: Mutex<Table<RefreshRecord>>,
    access: Mutex<Table<AccessRecord>>,
    replay: Mutex<Table<(), RandomState>>,
    ciba: Mutex<Table<CibaRecord>>,
    pushed: Mutex<Table<ParRecord>>,
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
            codes: Mutex::default(),
            refresh: Mutex::default(),
            access: Mutex::default(),
            replay: Mutex::default(),
            ciba: Mutex::default(),
            pushed: Mutex::default(),
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
        let removed = lock(&self.codes).sweep(now, all)
            + lock(&self.refresh).sweep(now, all)
            + lock(&self.access).sweep(now, all)
            + lock(&self.replay).sweep(now, all)
            + lock(&self.ciba).sweep(now, all)
            + lock(&self.pushed).sweep(now, all);
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
    fn put<T>(
        &self,
        table: &Mutex<Table<T>>,
        hash: TokenHash,
        value: T,
        expires_at: u64,
        now: u64,
    ) {
        let mut t = lock(table);
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
            let t = lock(&self.replay);
            if t.live(&replay.key, now).is_some() {
                return Ok(false);
            }
        }
        self.reserve(1, now)?;
        let mut t = lock(&self.replay);
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
        table: &Mutex<Table<T>>,
        hash: &TokenHash,
        now: u64,
        grant: impl Fn(&T) -> GrantId,
    ) -> Taken<T> {
        let mut t = lock(table);
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
        let mut t = lock(&self.ciba);
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

    fn revoke_now(&self, revocation: &Revocation) {
        let g = &revocation.grant_id;
        lock(&self.access)
            .entries
            .retain(|e| &e.value.grant_id != g);
        lock(&self.refresh)
            .entries
            .retain(|e| &e.value.grant_id != g);
    }

    fn delete_access_now(&self, hash: &TokenHash) {
        lock(&self.access).entries.remove(hash);
    }

    fn take_pushed_now(&self, hash: &TokenHash, now: u64) -> bool {
        let removed = lock(&self.pushed).entries.remove(hash);
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
        let t = lock(&self.refresh);
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
        ready(Ok(lock(&self.ciba).live(hash, now).map(|e| CibaRecord {
            consumed: e.used,
            ..e.value.clone()
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
        ready(Ok(lock(&self.pushed)
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
            lock(&self.access)
                .live(hash, now)
                .map(|e| TokenInfo::Access(e.value.clone()))
        };
        let refresh = || {
            lock(&self.refresh)
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
