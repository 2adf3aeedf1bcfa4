//! A synchronous driver for hosts whose stores answer without waiting: it answers each
//! step from a [`Backend`] until the flow is done. It is built on the steps, not beside
//! them; an async host writes the same loop with `.await`.

use std::sync::Arc;

use jwt_verify::Algorithm;

use crate::auth::Replay;
use crate::authorize::{
    Authentication, AuthorizationRequest, AuthorizeStep, ConsentAnswer, Interaction, ParRecord,
    ParStep,
};
use crate::ciba::{
    CibaRecord, CibaStep, CibaUpdate, DecisionOutcome, DecisionStep, Hint, UpdateResult, UserLookup,
};
use crate::client::Client;
use crate::error::HostError;
use crate::introspect::IntrospectStep;
use crate::outcome::Done;
use crate::records::{
    CodeRecord, Record, RefreshRecord, Revocation, RevocationTarget, Subject, Taken, TokenInfo,
};
use crate::revoke::RevokeStep;
use crate::secret::TokenHash;
use crate::steps::TokenTypeHint;
use crate::token::{GrantAnswer, HandleExtensionGrant, PasswordCheck, TokenStep, VerifyPassword};

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
    /// Checks a resource owner's credentials with the request at hand (HID's `authType`,
    /// `device_id`, ... through [`VerifyPassword::hid`]), and may explain a refusal. The
    /// default asks [`Backend::verify_password`].
    fn check_password(&mut self, step: &VerifyPassword<'_>) -> Result<PasswordCheck, HostError> {
        let Some(client) = step.client() else {
            return Err(HostError::Internal);
        };
        Ok(
            match self.verify_password(client, step.username(), step.password())? {
                Some(s) => PasswordCheck::Valid(s),
                None => PasswordCheck::Invalid,
            },
        )
    }
    /// Carries out an extension grant the tenant registered (hosts with extension grants
    /// only; the default fails, as a tenant without them never asks).
    fn extension_grant(
        &mut self,
        step: &HandleExtensionGrant<'_>,
    ) -> Result<GrantAnswer, HostError> {
        let _ = step;
        Err(HostError::Internal)
    }
    /// Takes a code, atomically.
    fn take_code(&mut self, hash: &TokenHash, now: u64) -> Result<Taken<CodeRecord>, HostError>;
    /// Reads a refresh token's state without changing it: [`Taken::Found`] when unused,
    /// [`Taken::AlreadyUsed`] when rotated, [`Taken::Unknown`] when absent or expired.
    fn load_refresh(
        &mut self,
        hash: &TokenHash,
        now: u64,
    ) -> Result<Taken<RefreshRecord>, HostError>;
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

    /// Loads a CIBA request (CIBA hosts only; the default fails).
    fn load_ciba(&mut self, hash: &TokenHash, now: u64) -> Result<Option<CibaRecord>, HostError> {
        let _ = (hash, now);
        Err(HostError::Internal)
    }
    /// Applies a change to a CIBA request atomically.
    fn update_ciba(
        &mut self,
        hash: &TokenHash,
        update: &CibaUpdate,
        now: u64,
    ) -> Result<UpdateResult, HostError> {
        let _ = (hash, update, now);
        Err(HostError::Internal)
    }
    /// Takes an approved CIBA request, atomically.
    fn take_ciba(&mut self, hash: &TokenHash, now: u64) -> Result<Taken<CibaRecord>, HostError> {
        let _ = (hash, now);
        Err(HostError::Internal)
    }
    /// Resolves a CIBA hint to a user's `sub`.
    fn resolve_user(
        &mut self,
        client: &Client,
        hint: &Hint,
        user_code: Option<&str>,
    ) -> Result<UserLookup, HostError> {
        let _ = (client, hint, user_code);
        Err(HostError::Internal)
    }
    /// Starts authentication on the user's device.
    fn start_authentication(
        &mut self,
        auth_req_id: &str,
        request: &CibaRecord,
    ) -> Result<(), HostError> {
        let _ = (auth_req_id, request);
        Err(HostError::Internal)
    }
    /// Loads a pushed authorization request (PAR hosts only; the default fails).
    fn load_pushed(&mut self, hash: &TokenHash, now: u64) -> Result<Option<ParRecord>, HostError> {
        let _ = (hash, now);
        Err(HostError::Internal)
    }
    /// Removes a pushed request; `true` when this call removed it.
    fn take_pushed(&mut self, hash: &TokenHash, now: u64) -> Result<bool, HostError> {
        let _ = (hash, now);
        Err(HostError::Internal)
    }
    /// Authenticates the user of an authorization request (session or login page).
    fn authenticate(
        &mut self,
        request: &AuthorizationRequest,
    ) -> Result<Authentication, HostError> {
        let _ = request;
        Err(HostError::Internal)
    }
    /// Checks or records consent.
    fn consent(
        &mut self,
        request: &AuthorizationRequest,
        subject: &Subject,
    ) -> Result<ConsentAnswer, HostError> {
        let _ = (request, subject);
        Err(HostError::Internal)
    }
    /// Finds an unexpired access token or unused refresh token by its hash.
    fn lookup_token(
        &mut self,
        hash: &TokenHash,
        hint: Option<TokenTypeHint>,
        now: u64,
    ) -> Result<Option<TokenInfo>, HostError> {
        let _ = (hash, hint, now);
        Err(HostError::Internal)
    }
    /// Removes an access token, or every token of a grant.
    fn revoke_target(&mut self, target: &RevocationTarget) -> Result<(), HostError> {
        match target {
            RevocationTarget::Grant(g) => self.revoke(&Revocation {
                grant_id: g.clone(),
            }),
            RevocationTarget::AccessToken(_) => Err(HostError::Internal),
        }
    }
    /// POSTs a CIBA ping notification; `true` when the client answered 2xx.
    fn notify(&mut self, client_id: &str, bearer_token: &str, body: &str) -> bool {
        let _ = (client_id, bearer_token, body);
        false
    }
}

/// Runs a backchannel authentication request to its end.
pub fn drive_ciba(mut step: CibaStep<'_>, backend: &mut impl Backend) -> Done {
    loop {
        step = match step {
            CibaStep::LookupClient(s) => match backend.client(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            CibaStep::CheckReplay(s) => match backend.insert_replay(s.replay()) {
                Ok(fresh) => s.resume(fresh),
                Err(e) => s.fail(e),
            },
            CibaStep::ResolveUser(s) => {
                let answer = match (s.client(), s.hint()) {
                    (Some(c), Some(h)) => backend.resolve_user(c, h, s.user_code()),
                    _ => Err(HostError::Internal),
                };
                match answer {
                    Ok(u) => s.resume(u),
                    Err(e) => s.fail(e),
                }
            }
            CibaStep::Persist(s) => match backend.persist(s.records()) {
                Ok(()) => s.resume(),
                Err(e) => s.fail(e),
            },
            CibaStep::StartAuthentication(s) => {
                let answer = match s.request() {
                    Some(r) => backend.start_authentication(s.auth_req_id(), r),
                    None => Err(HostError::Internal),
                };
                match answer {
                    Ok(()) => s.resume(),
                    Err(e) => s.fail(e),
                }
            }
            CibaStep::Done(done) => return done,
        };
    }
}

/// Records a device decision to its end.
pub fn drive_decision(mut step: DecisionStep, backend: &mut impl Backend) -> DecisionOutcome {
    loop {
        step = match step {
            DecisionStep::LoadRequest(s) => match backend.load_ciba(s.hash(), s.now()) {
                Ok(r) => s.resume(r),
                Err(e) => s.fail(e),
            },
            DecisionStep::RecordDecision(s) => {
                match backend.update_ciba(s.hash(), s.update(), s.now()) {
                    Ok(r) => s.resume(r),
                    Err(e) => s.fail(e),
                }
            }
            DecisionStep::Notify(s) => {
                let ok = backend.notify(s.client_id(), s.bearer_token(), s.body());
                s.resume(ok)
            }
            DecisionStep::Done(outcome) => return outcome,
        };
    }
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
            TokenStep::LookupToken(s) => match backend.lookup_token(s.hash(), s.hint(), s.now()) {
                Ok(t) => s.resume(t),
                Err(e) => s.fail(e),
            },
            TokenStep::VerifyPassword(s) => match backend.check_password(&s) {
                Ok(c) => s.resume_check(c),
                Err(e) => s.fail(e),
            },
            TokenStep::ExtensionGrant(s) => match backend.extension_grant(&s) {
                Ok(a) => s.resume(a),
                Err(e) => s.fail(e),
            },
            TokenStep::TakeCode(s) => match backend.take_code(s.code_hash(), s.now()) {
                Ok(t) => s.resume(t),
                Err(e) => s.fail(e),
            },
            TokenStep::LoadRefreshToken(s) => match backend.load_refresh(s.token_hash(), s.now()) {
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
            TokenStep::LoadCiba(s) => match backend.load_ciba(s.hash(), s.now()) {
                Ok(r) => s.resume(r),
                Err(e) => s.fail(e),
            },
            TokenStep::UpdateCiba(s) => match backend.update_ciba(s.hash(), s.update(), s.now()) {
                Ok(r) => s.resume(r),
                Err(e) => s.fail(e),
            },
            TokenStep::TakeCiba(s) => match backend.take_ciba(s.hash(), s.now()) {
                Ok(r) => s.resume(r),
                Err(e) => s.fail(e),
            },
            TokenStep::Done(done) => return done,
        };
    }
}

/// Runs a pushed authorization request to its end.
pub fn drive_par(mut step: ParStep<'_>, backend: &mut impl Backend) -> Done {
    loop {
        step = match step {
            ParStep::LookupClient(s) => match backend.client(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            ParStep::CheckReplay(s) => match backend.insert_replay(s.replay()) {
                Ok(fresh) => s.resume(fresh),
                Err(e) => s.fail(e),
            },
            ParStep::Persist(s) => match backend.persist(s.records()) {
                Ok(()) => s.resume(),
                Err(e) => s.fail(e),
            },
            ParStep::Done(done) => return done,
        };
    }
}

/// How an authorization request ended: a response, or a page the host must show.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum AuthorizeEnd {
    /// Send this response.
    Done(Done),
    /// Show a login or consent page.
    Interact(Interaction),
}

/// Runs an authorization request until it is done or needs the user.
pub fn drive_authorize(mut step: AuthorizeStep<'_>, backend: &mut impl Backend) -> AuthorizeEnd {
    loop {
        step = match step {
            AuthorizeStep::LookupClient(s) => match backend.client(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            AuthorizeStep::LoadPushed(s) => match backend.load_pushed(s.hash(), s.now()) {
                Ok(r) => s.resume(r),
                Err(e) => s.fail(e),
            },
            AuthorizeStep::Authenticate(s) => {
                let answer = match s.request() {
                    Some(r) => backend.authenticate(r),
                    None => Err(HostError::Internal),
                };
                match answer {
                    Ok(a) => s.resume(a),
                    Err(e) => s.fail(e),
                }
            }
            AuthorizeStep::Consent(s) => {
                let answer = match (s.request(), s.subject()) {
                    (Some(r), Some(u)) => backend.consent(r, u),
                    _ => Err(HostError::Internal),
                };
                match answer {
                    Ok(a) => s.resume(a),
                    Err(e) => s.fail(e),
                }
            }
            AuthorizeStep::TakePushed(s) => match backend.take_pushed(s.hash(), s.now()) {
                Ok(t) => s.resume(t),
                Err(e) => s.fail(e),
            },
            AuthorizeStep::Persist(s) => match backend.persist(s.records()) {
                Ok(()) => s.resume(),
                Err(e) => s.fail(e),
            },
            AuthorizeStep::Interact(i) => return AuthorizeEnd::Interact(i),
            AuthorizeStep::Done(done) => return AuthorizeEnd::Done(done),
        };
    }
}

/// Runs an introspection request to its end.
pub fn drive_introspect(mut step: IntrospectStep<'_>, backend: &mut impl Backend) -> Done {
    loop {
        step = match step {
            IntrospectStep::LookupClient(s) => match backend.client(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            IntrospectStep::CheckReplay(s) => match backend.insert_replay(s.replay()) {
                Ok(fresh) => s.resume(fresh),
                Err(e) => s.fail(e),
            },
            IntrospectStep::LookupToken(s) => {
                match backend.lookup_token(s.hash(), s.hint(), s.now()) {
                    Ok(t) => s.resume(t),
                    Err(e) => s.fail(e),
                }
            }
            IntrospectStep::Done(done) => return done,
        };
    }
}

/// Runs a revocation request to its end.
pub fn drive_revoke(mut step: RevokeStep<'_>, backend: &mut impl Backend) -> Done {
    loop {
        step = match step {
            RevokeStep::LookupClient(s) => match backend.client(s.client_id()) {
                Ok(c) => s.resume(c),
                Err(e) => s.fail(e),
            },
            RevokeStep::CheckReplay(s) => match backend.insert_replay(s.replay()) {
                Ok(fresh) => s.resume(fresh),
                Err(e) => s.fail(e),
            },
            RevokeStep::LookupToken(s) => match backend.lookup_token(s.hash(), s.hint(), s.now()) {
                Ok(t) => s.resume(t),
                Err(e) => s.fail(e),
            },
            RevokeStep::RevokeToken(s) => match backend.revoke_target(s.target()) {
                Ok(()) => s.resume(),
                Err(e) => s.fail(e),
            },
            RevokeStep::Done(done) => return done,
        };
    }
}
