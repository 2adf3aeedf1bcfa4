//! What the async driver asks of its host: a client registry, a record store, a signer, a
//! user directory, an authentication device and a notifier, each an async trait object so a
//! database, a KMS or a push service fits behind it. Time and fresh randomness enter here
//! ([`context`]), never inside the engine.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use jwt_verify::Algorithm;
use oauth_core::auth::Replay;
use oauth_core::authorize::ParRecord;
use oauth_core::ciba::{CibaRecord, CibaUpdate, Hint, UpdateResult, UserLookup};
use oauth_core::records::{
    CodeRecord, Record, RefreshRecord, Revocation, RevocationTarget, Subject, Taken, TokenInfo,
};
use oauth_core::secret::TokenHash;
use oauth_core::steps::TokenTypeHint;
use oauth_core::{Client, Context, HostError, SigningSpec};

/// A boxed, sendable future: what every backend method returns, so the traits stay
/// object-safe and a tenant can hold `Arc<dyn Store>`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The registered clients of a tenant.
pub trait ClientRegistry: Send + Sync {
    /// The client with this id, or `None`. The id is as presented: not yet authenticated.
    fn client<'a>(
        &'a self,
        client_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<Client>>, HostError>>;

    /// A human-readable name for pages (RFC 7591 `client_name`); the id when absent.
    fn display_name(&self, client_id: &str) -> Option<String> {
        let _ = client_id;
        None
    }
}

/// Where the engine's records live between requests.
///
/// # Store duties
///
/// An implementation MUST (these are the duties of `oauth_core::records`, plus those of
/// CIBA and PAR):
/// - never return a record after its expiry (`Record::expires_at`);
/// - take codes, refresh tokens and approved CIBA requests atomically: of two concurrent
///   takes exactly one gets [`Taken::Found`]; the other, and every later take until the
///   record expires, gets [`Taken::AlreadyUsed`] with the grant it belonged to;
/// - insert a replay key only if absent (or expired), atomically, and report whether it was
///   absent;
/// - apply a [`CibaUpdate`] to the current record inside the store (read-modify-write under
///   one lock or transaction), `Decide` only while the request is pending and unused;
/// - remove a pushed request at most once ([`Store::take_pushed`] is `true` for exactly one
///   caller);
/// - on [`Revocation`] (and [`RevocationTarget::Grant`]), delete every access and refresh
///   token of the grant;
/// - never return a used (rotated) refresh token from [`Store::lookup_token`];
/// - answer [`HostError::Unavailable`] rather than grow without bound.
pub trait Store: Send + Sync {
    /// Saves records, each until its expiry. The records are the store's to keep.
    fn save(&self, records: Vec<Record>, now: u64) -> BoxFuture<'_, Result<(), HostError>>;

    /// Inserts a replay key if absent; `true` when it was absent and is now stored.
    fn insert_replay<'a>(
        &'a self,
        replay: &'a Replay,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, HostError>>;

    /// Takes an authorization code, atomically.
    fn take_code<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<CodeRecord>, HostError>>;

    /// Reads a refresh token's state without changing it: [`Taken::Found`] when unused,
    /// [`Taken::AlreadyUsed`] when rotated, [`Taken::Unknown`] when absent or expired.
    fn load_refresh<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<RefreshRecord>, HostError>>;

    /// Takes a refresh token, atomically.
    fn take_refresh<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<RefreshRecord>, HostError>>;

    /// Deletes every access and refresh token of a grant.
    fn revoke<'a>(&'a self, revocation: &'a Revocation) -> BoxFuture<'a, Result<(), HostError>>;

    /// Loads a CIBA request that is still retained.
    fn load_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<CibaRecord>, HostError>>;

    /// Applies a change to a CIBA request atomically.
    fn update_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        update: &'a CibaUpdate,
        now: u64,
    ) -> BoxFuture<'a, Result<UpdateResult, HostError>>;

    /// Takes an approved CIBA request, atomically.
    fn take_ciba<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Taken<CibaRecord>, HostError>>;

    /// Loads an unexpired pushed authorization request (without consuming it).
    fn load_pushed<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<ParRecord>, HostError>>;

    /// Removes a pushed request; `true` for the one call that removed an unexpired record.
    fn take_pushed<'a>(
        &'a self,
        hash: &'a TokenHash,
        now: u64,
    ) -> BoxFuture<'a, Result<bool, HostError>>;

    /// Finds an unexpired access token or unused, unexpired refresh token by its hash
    /// (RFC 7662, RFC 7009); `hint` says where to look first, and the store looks
    /// everywhere.
    fn lookup_token<'a>(
        &'a self,
        hash: &'a TokenHash,
        hint: Option<TokenTypeHint>,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<TokenInfo>, HostError>>;

    /// Removes one access token, or every access and refresh token of a grant (RFC 7009).
    fn revoke_target<'a>(
        &'a self,
        target: &'a RevocationTarget,
    ) -> BoxFuture<'a, Result<(), HostError>>;
}

/// Signs JWS inputs with the tenant's private key, which may sit in an HSM or a KMS.
pub trait Signer: Send + Sync {
    /// The algorithm and `kid` the engine must name in headers.
    fn spec(&self) -> SigningSpec;

    /// The public keys, as a JWKS document (`{"keys": [...]}`), for `jwks_uri`.
    fn jwks(&self) -> serde_json::Value;

    /// Signs a JWS signing input.
    fn sign<'a>(
        &'a self,
        alg: Algorithm,
        kid: Option<&'a str>,
        input: &'a [u8],
    ) -> BoxFuture<'a, Result<Vec<u8>, HostError>>;
}

/// The tenant's users: password checks and CIBA hint resolution.
pub trait UserDirectory: Send + Sync {
    /// Checks a user's credentials (the password grant and the login page); the user's
    /// subject when they are right.
    fn verify_password<'a>(
        &'a self,
        client: Option<&'a Client>,
        username: &'a str,
        password: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<Subject>, HostError>>;

    /// Resolves a CIBA hint (and `user_code`, when sent) to a user's `sub`.
    fn resolve_ciba_user<'a>(
        &'a self,
        client: &'a Client,
        hint: &'a Hint,
        user_code: Option<&'a str>,
    ) -> BoxFuture<'a, Result<UserLookup, HostError>>;

    /// A user whom `/authorize?login_hint=...` may log in without a form (the demo's
    /// `auto_approve`); `None` by default.
    fn auto_login<'a>(
        &'a self,
        login_hint: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<Subject>, HostError>> {
        let _ = (login_hint, now);
        Box::pin(async { Ok(None) })
    }

    /// A name to show the user on pages (the username); the `sub` when `None`.
    fn display_name(&self, sub: &str) -> Option<String> {
        let _ = sub;
        None
    }

    /// True when this user's consent is implied (the demo's `auto_approve`).
    fn consent_implied(&self, sub: &str) -> bool {
        let _ = sub;
        false
    }
}

/// The user's authentication device for CIBA: asked to start authentication once the
/// request is saved; the decision comes back later through [`crate::Tenant::decide`].
pub trait Device: Send + Sync {
    /// Starts authentication on the device of `request.sub`.
    fn start_authentication<'a>(
        &'a self,
        auth_req_id: &'a str,
        request: &'a CibaRecord,
    ) -> BoxFuture<'a, Result<(), HostError>>;
}

/// Delivers CIBA ping notifications (CIBA section 10.2).
pub trait Notifier: Send + Sync {
    /// POSTs `body` (JSON) to `endpoint` with `Authorization: Bearer <bearer>`; `true` when
    /// the client answered 2xx.
    fn notify<'a>(
        &'a self,
        endpoint: &'a str,
        bearer: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, bool>;
}

/// Carries out a tenant's extension grants (HID's `api_otp` and client-secret-pki, or an
/// embedder's own): the engine has authenticated the client and checked the grant's
/// registration, permission and parameters.
pub trait GrantHandler: Send + Sync {
    /// The outcome of one extension grant request.
    fn handle<'a>(
        &'a self,
        request: &'a oauth_core::token::HandleExtensionGrant<'_>,
    ) -> BoxFuture<'a, Result<oauth_core::token::GrantAnswer, HostError>>;
}

/// Everything a tenant's flows are driven against.
#[derive(Clone)]
pub struct Backends {
    /// Registered clients.
    pub clients: Arc<dyn ClientRegistry>,
    /// Records.
    pub store: Arc<dyn Store>,
    /// The signing key.
    pub signer: Arc<dyn Signer>,
    /// Users.
    pub users: Arc<dyn UserDirectory>,
    /// The CIBA authentication device.
    pub device: Arc<dyn Device>,
    /// CIBA ping delivery.
    pub notifier: Arc<dyn Notifier>,
    /// Extension grants.
    pub grants: Arc<dyn GrantHandler>,
}

/// Seconds since the Unix epoch, from the system clock.
#[must_use]
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// 32 bytes from this thread's CSPRNG: `rand`'s `ThreadRng`, ChaCha12 seeded from the
/// operating system and reseeded from it every 64 KiB of output. A request costs no system
/// call; the OS is asked only for each reseed.
pub fn random_bytes() -> Result<[u8; 32], HostError> {
    use rand::Rng;
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    Ok(seed)
}

/// 32 bytes straight from the operating system's CSPRNG (one system call), for what lives
/// long: generated signing keys.
pub fn os_random_bytes() -> Result<[u8; 32], HostError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|_| HostError::Internal)?;
    Ok(seed)
}

/// A random identifier: 32 bytes from [`random_bytes`], base64url (43 characters).
pub fn random_id() -> Result<String, HostError> {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Ok(Base64UrlUnpadded::encode_string(&random_bytes()?))
}

/// The engine's per-request context: the system time and a fresh seed from [`random_bytes`].
pub fn context() -> Result<Context, HostError> {
    Ok(Context {
        now: now(),
        seed: random_bytes()?,
    })
}
