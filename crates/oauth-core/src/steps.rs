//! The questions a flow asks its host. Each is a by-value struct offering exactly one way
//! forward: `resume` with the only legal answer, or `fail` when the host could not answer
//! (the flow then ends in a 5xx response). Dropping a step abandons the request.
//!
//! The same step types serve every endpoint; `F` is the endpoint's flow, which decides
//! what comes next.

use std::sync::Arc;

use jwt_verify::Algorithm;

use crate::auth::Replay;
use crate::client::Client;
use crate::error::HostError;
use crate::records::Record;

pub(crate) mod sealed {
    use super::*;

    /// A flow: what the generic steps continue into.
    pub trait Flow: Sized {
        /// The endpoint's step enum.
        type Step;
        /// Ends the flow after a host failure.
        fn fail(self, error: HostError) -> Self::Step;
    }

    /// A flow that authenticates a client.
    pub trait ClientFlow: Flow {
        /// The client id to look up.
        fn client_id(&self) -> &str;
        /// Continues with the registry's answer.
        fn client_found(self, client: Option<Arc<Client>>) -> Self::Step;
    }

    /// A flow that consumes a client assertion's `jti`.
    pub trait ReplayFlow: Flow {
        /// Continues after the replay check.
        fn replay_checked(self, replay: Replay, fresh: bool) -> Self::Step;
    }

    /// A flow that has the host sign a JWS.
    pub trait SignFlow: Flow {
        /// Continues with the signature over the input.
        fn signed(self, input: String, signature: Vec<u8>) -> Self::Step;
    }

    /// A flow that looks a token up by its hash.
    pub trait TokenLookupFlow: Flow {
        /// Continues with the stored token, if any.
        fn token_found(self, token: Option<crate::records::TokenInfo>) -> Self::Step;
    }

    /// A flow that has the host save records.
    pub trait PersistFlow: Flow {
        /// Continues once the records are saved.
        fn persisted(self) -> Self::Step;
    }
}

use sealed::{ClientFlow, PersistFlow, ReplayFlow, SignFlow, TokenLookupFlow};

use crate::secret::TokenHash;

/// Find a registered client by id.
#[must_use = "a dropped step abandons the request"]
pub struct LookupClient<F> {
    pub(crate) flow: F,
    pub(crate) now: u64,
}

impl<F: ClientFlow> LookupClient<F> {
    /// The client id, as presented (not yet authenticated).
    #[must_use]
    pub fn client_id(&self) -> &str {
        self.flow.client_id()
    }

    /// The request's time, for registries that expire clients.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Answers with the client, or `None` when no client has this id.
    pub fn resume(self, client: Option<Arc<Client>>) -> F::Step {
        self.flow.client_found(client)
    }

    /// The registry could not answer.
    pub fn fail(self, error: HostError) -> F::Step {
        self.flow.fail(error)
    }
}

/// Consume a client assertion's `jti`: insert the key only if absent, atomically, and keep
/// it until `expires_at` (RFC 7523 section 3, item 7).
#[must_use = "a dropped step abandons the request"]
pub struct CheckReplay<F> {
    pub(crate) flow: F,
    pub(crate) replay: Replay,
}

impl<F: ReplayFlow> CheckReplay<F> {
    /// The replay entry.
    #[must_use]
    pub fn replay(&self) -> &Replay {
        &self.replay
    }

    /// Answers `true` when the key was absent and is now stored, `false` when it was
    /// already there (a replay).
    pub fn resume(self, inserted: bool) -> F::Step {
        self.flow.replay_checked(self.replay, inserted)
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> F::Step {
        self.flow.fail(error)
    }
}

/// Sign a JWS signing input with the tenant's key. The engine has decided the content;
/// the host holds the private key (possibly in an HSM).
#[must_use = "a dropped step abandons the request"]
pub struct Sign<F> {
    pub(crate) flow: F,
    pub(crate) input: String,
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
}

impl<F: SignFlow> Sign<F> {
    /// The JWS signing input: `BASE64URL(header) '.' BASE64URL(payload)`.
    #[must_use]
    pub fn input(&self) -> &[u8] {
        self.input.as_bytes()
    }

    /// The algorithm named in the header.
    #[must_use]
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The `kid` named in the header.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Answers with the signature bytes.
    pub fn resume(self, signature: Vec<u8>) -> F::Step {
        self.flow.signed(self.input, signature)
    }

    /// The signer failed.
    pub fn fail(self, error: HostError) -> F::Step {
        self.flow.fail(error)
    }
}

/// Save records, each until its expiry. The response is sent only after they are saved,
/// so no token is ever issued without its record.
#[must_use = "a dropped step abandons the request"]
pub struct Persist<F> {
    pub(crate) flow: F,
    pub(crate) records: Vec<Record>,
}

impl<F: PersistFlow> Persist<F> {
    /// The records to save.
    #[must_use]
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Hands the records over, for a store that keeps them as they are rather than copy
    /// them; answer the returned [`Saving`] once they are saved.
    #[must_use = "a dropped step abandons the request"]
    pub fn into_records(self) -> (Vec<Record>, Saving<F>) {
        (self.records, Saving { flow: self.flow })
    }

    /// Answers once every record is saved.
    pub fn resume(self) -> F::Step {
        self.flow.persisted()
    }

    /// The store failed; nothing is issued.
    pub fn fail(self, error: HostError) -> F::Step {
        self.flow.fail(error)
    }
}

/// A [`Persist`] whose records were handed over ([`Persist::into_records`]): waits for the
/// store's answer.
#[must_use = "a dropped step abandons the request"]
pub struct Saving<F> {
    flow: F,
}

impl<F: PersistFlow> Saving<F> {
    /// Answers once every record is saved.
    pub fn resume(self) -> F::Step {
        self.flow.persisted()
    }

    /// The store failed; nothing is issued.
    pub fn fail(self, error: HostError) -> F::Step {
        self.flow.fail(error)
    }
}

/// Find an access or refresh token by its hash (RFC 7662, RFC 7009).
#[must_use = "a dropped step abandons the request"]
pub struct LookupToken<F> {
    pub(crate) flow: F,
    pub(crate) hash: TokenHash,
    pub(crate) hint: Option<TokenTypeHint>,
    pub(crate) now: u64,
}

/// `token_type_hint` values (RFC 7009 section 2.1): where to look first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTypeHint {
    /// An access token.
    AccessToken,
    /// A refresh token.
    RefreshToken,
}

impl<F: TokenLookupFlow> LookupToken<F> {
    /// The token's hash.
    #[must_use]
    pub fn hash(&self) -> &TokenHash {
        &self.hash
    }

    /// Where to look first; the host must still look everywhere.
    #[must_use]
    pub fn hint(&self) -> Option<TokenTypeHint> {
        self.hint
    }

    /// The request's time: expired tokens must not be returned.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Answers with the stored token, if any.
    pub fn resume(self, token: Option<crate::records::TokenInfo>) -> F::Step {
        self.flow.token_found(token)
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> F::Step {
        self.flow.fail(error)
    }
}
