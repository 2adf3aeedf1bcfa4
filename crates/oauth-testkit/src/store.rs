//! An in-memory store that keeps the store duties of `oauth_core::records`, with a
//! virtual clock.

use std::collections::HashMap;

use oauth_core::auth::Replay;
use oauth_core::authorize::ParRecord;
use oauth_core::ciba::{CibaRecord, CibaStatus, CibaUpdate, UpdateResult};
use oauth_core::records::{
    AccessRecord, CodeRecord, GrantId, Record, RefreshRecord, Revocation, Taken, TokenInfo,
};
use oauth_core::secret::TokenHash;

/// A single-use record and whether it was used.
#[derive(Debug, Clone)]
struct Once<T> {
    record: T,
    used: bool,
}

/// Records by kind, keyed by token hash.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    codes: HashMap<TokenHash, Once<CodeRecord>>,
    refresh: HashMap<TokenHash, Once<RefreshRecord>>,
    access: HashMap<TokenHash, AccessRecord>,
    replay: HashMap<TokenHash, u64>,
    ciba: HashMap<TokenHash, Once<CibaRecord>>,
    pushed: HashMap<TokenHash, ParRecord>,
}

impl MemoryStore {
    /// Saves records.
    pub fn save(&mut self, records: &[Record]) {
        for r in records {
            match r {
                Record::Access(h, a) => {
                    self.access.insert(h.clone(), a.clone());
                }
                Record::Refresh(h, rt) => {
                    self.refresh.insert(
                        h.clone(),
                        Once {
                            record: rt.clone(),
                            used: false,
                        },
                    );
                }
                Record::Code(h, c) => {
                    self.codes.insert(
                        h.clone(),
                        Once {
                            record: c.clone(),
                            used: false,
                        },
                    );
                }
                Record::Par(h, p) => {
                    self.pushed.insert(h.clone(), p.clone());
                }
                Record::Ciba(h, c) => {
                    self.ciba.insert(
                        h.clone(),
                        Once {
                            record: c.clone(),
                            used: false,
                        },
                    );
                }
                _ => {}
            }
        }
    }

    /// Inserts a replay key if absent (and unexpired).
    pub fn insert_replay(&mut self, replay: &Replay, now: u64) -> bool {
        match self.replay.get(&replay.key) {
            Some(exp) if *exp > now => false,
            _ => {
                self.replay.insert(replay.key.clone(), replay.expires_at);
                true
            }
        }
    }

    /// Takes a code.
    pub fn take_code(&mut self, hash: &TokenHash, now: u64) -> Taken<CodeRecord> {
        take(
            &mut self.codes,
            hash,
            now,
            |r| r.expires_at,
            |r| r.grant_id.clone(),
        )
    }

    /// Reads a refresh token's state without changing it.
    pub fn load_refresh(&self, hash: &TokenHash, now: u64) -> Taken<RefreshRecord> {
        match self.refresh.get(hash) {
            None => Taken::Unknown,
            Some(o) if o.record.expires_at <= now => Taken::Unknown,
            Some(o) if o.used => Taken::AlreadyUsed(o.record.grant_id.clone()),
            Some(o) => Taken::Found(o.record.clone()),
        }
    }

    /// Takes a refresh token.
    pub fn take_refresh(&mut self, hash: &TokenHash, now: u64) -> Taken<RefreshRecord> {
        take(
            &mut self.refresh,
            hash,
            now,
            |r| r.expires_at,
            |r| r.grant_id.clone(),
        )
    }

    /// Loads a CIBA request that has not been forgotten.
    pub fn load_ciba(&self, hash: &TokenHash, now: u64) -> Option<CibaRecord> {
        self.ciba
            .get(hash)
            .filter(|o| o.record.retain_until() > now)
            .map(|o| CibaRecord {
                consumed: o.used,
                ..o.record.clone()
            })
    }

    /// Applies a CIBA update atomically.
    pub fn update_ciba(&mut self, hash: &TokenHash, update: &CibaUpdate, now: u64) -> UpdateResult {
        let Some(o) = self
            .ciba
            .get_mut(hash)
            .filter(|o| o.record.retain_until() > now)
        else {
            return UpdateResult::NotApplied;
        };
        match update {
            CibaUpdate::Poll { at, slow_down } => {
                o.record.last_poll = Some(*at);
                if *slow_down {
                    o.record.interval = o
                        .record
                        .interval
                        .saturating_add(oauth_core::token::SLOW_DOWN_STEP);
                }
            }
            CibaUpdate::Decide(status) => {
                if o.used || o.record.status != CibaStatus::Pending {
                    return UpdateResult::NotApplied;
                }
                o.record.status = status.clone();
            }
            CibaUpdate::Delete => {
                if o.record.status != CibaStatus::Pending {
                    return UpdateResult::NotApplied;
                }
                self.ciba.remove(hash);
            }
            _ => return UpdateResult::NotApplied,
        }
        UpdateResult::Applied
    }

    /// Takes an approved CIBA request.
    pub fn take_ciba(&mut self, hash: &TokenHash, now: u64) -> Taken<CibaRecord> {
        take(&mut self.ciba, hash, now, CibaRecord::retain_until, |r| {
            r.grant_id.clone()
        })
    }

    /// Loads an unexpired pushed request.
    pub fn load_pushed(&self, hash: &TokenHash, now: u64) -> Option<ParRecord> {
        self.pushed
            .get(hash)
            .filter(|p| p.expires_at > now)
            .cloned()
    }

    /// Removes a pushed request; `true` when it was there (and unexpired).
    pub fn take_pushed(&mut self, hash: &TokenHash, now: u64) -> bool {
        self.pushed.remove(hash).is_some_and(|p| p.expires_at > now)
    }

    /// Finds an unexpired access token or unused refresh token.
    pub fn lookup_token(&self, hash: &TokenHash, now: u64) -> Option<TokenInfo> {
        if let Some(a) = self.access.get(hash).filter(|a| a.expires_at > now) {
            return Some(TokenInfo::Access(a.clone()));
        }
        self.refresh
            .get(hash)
            .filter(|r| !r.used && r.record.expires_at > now)
            .map(|r| TokenInfo::Refresh(r.record.clone()))
    }

    /// Removes one access token.
    pub fn revoke_access(&mut self, hash: &TokenHash) {
        self.access.remove(hash);
    }

    /// Revokes every token of a grant.
    pub fn revoke(&mut self, revocation: &Revocation) {
        let g = &revocation.grant_id;
        self.access.retain(|_, a| &a.grant_id != g);
        self.refresh.retain(|_, r| &r.record.grant_id != g);
    }

    /// The live access token record, if any.
    #[must_use]
    pub fn access_token(&self, token: &str, now: u64) -> Option<&AccessRecord> {
        self.access
            .get(&TokenHash::of(token))
            .filter(|a| a.expires_at > now)
    }

    /// True when an unused, unexpired refresh token is stored.
    #[must_use]
    pub fn refresh_token_active(&self, token: &str, now: u64) -> bool {
        self.refresh
            .get(&TokenHash::of(token))
            .is_some_and(|r| !r.used && r.record.expires_at > now)
    }

    /// Number of access tokens stored for a grant.
    #[must_use]
    pub fn access_tokens_of(&self, grant: &GrantId) -> usize {
        self.access
            .values()
            .filter(|a| &a.grant_id == grant)
            .count()
    }
}

fn take<T: Clone>(
    map: &mut HashMap<TokenHash, Once<T>>,
    hash: &TokenHash,
    now: u64,
    expires: impl Fn(&T) -> u64,
    grant: impl Fn(&T) -> GrantId,
) -> Taken<T> {
    match map.get_mut(hash) {
        None => Taken::Unknown,
        Some(o) if expires(&o.record) <= now => Taken::Unknown,
        Some(o) if o.used => Taken::AlreadyUsed(grant(&o.record)),
        Some(o) => {
            o.used = true;
            Taken::Found(o.record.clone())
        }
    }
}
