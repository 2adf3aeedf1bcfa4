//! A synchronous driver for hosts whose stores answer without waiting: it answers each
//! step from a [`Backend`] until the flow is done. It is built on the steps, not beside
//! them; an async host writes the same loop with `.await`.

use std::sync::Arc;

use jwt_verify::Algorithm;

use crate::auth::Replay;
use crate::client::Client;
use crate::error::HostError;
use crate::outcome::Done;
use crate::records::{CodeRecord, Record, RefreshRecord, Revocation, Subject, Taken};
use crate::secret::TokenHash;
use crate::token::TokenStep;

/// What a host provides. Each method answers one kind of step; the store duties of
/// [`crate::records`] apply.
pub trait Backend {
    /// The registered client with this id.
    fn client(&mut self, client_id: &str) -> Result<Option<Arc<Client>>, HostError>;
    /// Inserts the replay key if absent; `true` when it was absent.
    fn insert_replay(&mut self, replay: &Replay) -> Result<bool, HostError>;
    /// Checks a resource owner's credentials.
    fn verify_password(
        &mut self,
        client: &Client,
        username: &str,
        password: &str,
    ) -> Result<Option<Subject>, HostError>;
    /// Takes a code, atomically.
    fn take_code(&mut self, hash: &TokenHash, now: u64) -> Result<Taken<CodeRecord>, HostError>;
    /// Takes a refresh token, atomically.
    fn take_refresh(
        &mut self,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Taken<RefreshRecord>, HostError>;
    /// Revokes every token of a grant.
    fn revoke(&mut self, revocation: &Revocation) -> Result<(), HostError>;
    /// Signs a JWS signing input with the tenant's key.
    fn sign(
        &mut self,
        alg: Algorithm,
        kid: Option<&str>,
        input: &[u8],
    ) -> Result<Vec<u8>, HostError>;
    /// Saves records.
    fn persist(&mut self, records: &[Record]) -> Result<(), HostError>;
}

/// Runs a token request to its end.
pub fn drive_token(mut step: TokenStep<'_>, backend: &mut impl Backend) -> Done {
    loop {
        step = match step {
            TokenStep::LookupClient(s) => match backend.client(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            TokenStep::CheckReplay(s) => match backend.insert_replay(s.replay()) {
                Ok(fresh) => s.resume(fresh),
                Err(e) => s.fail(e),
            },
            TokenStep::VerifyPassword(s) => {
                let answer = match s.client() {
                    Some(c) => backend.verify_password(c, s.username(), s.password()),
                    None => Err(HostError::Internal),
                };
                match answer {
                    Ok(u) => s.resume(u),
                    Err(e) => s.fail(e),
                }
            }
            TokenStep::TakeCode(s) => match backend.take_code(s.code_hash(), s.now()) {
                Ok(t) => s.resume(t),
                Err(e) => s.fail(e),
            },
            TokenStep::TakeRefreshToken(s) => match backend.take_refresh(s.token_hash(), s.now()) {
                Ok(t) => s.resume(t),
                Err(e) => s.fail(e),
            },
            TokenStep::RevokeGrant(s) => match backend.revoke(s.revocation()) {
                Ok(()) => s.resume(),
                Err(e) => s.fail(e),
            },
            TokenStep::Sign(s) => match backend.sign(s.alg(), s.kid(), s.input()) {
                Ok(sig) => s.resume(sig),
                Err(e) => s.fail(e),
            },
            TokenStep::Persist(s) => match backend.persist(s.records()) {
                Ok(()) => s.resume(),
                Err(e) => s.fail(e),
            },
            TokenStep::Done(done) => return done,
        };
    }
}
