//! What the engine asks the host to remember between requests. Every record has an
//! expiry; tokens are stored under their hash ([`TokenHash`]), never in the clear.
//!
//! # Store duties
//!
//! A store that keeps these records MUST:
//! - return no record after its `expires_at`;
//! - take codes and refresh tokens atomically: of two concurrent takes of one code, exactly
//!   one gets [`Taken::Found`]; the other, and every later take until the record expires,
//!   gets [`Taken::AlreadyUsed`] with the grant it belonged to;
//! - insert a replay key only if absent, atomically, and report whether it was absent;
//! - on [`Revocation`], delete every access and refresh token of the grant.

use crate::scope::Scope;
use crate::secret::TokenHash;

/// Identifies everything issued from one authorization: a code and all access and refresh
/// tokens that descend from it, so that one reuse can revoke them all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantId(pub String);

/// The user an authorization is about, as the host authenticated them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subject {
    /// The `sub` value.
    pub sub: String,
    /// When the user authenticated (seconds since the epoch).
    pub auth_time: Option<u64>,
    /// Authentication context class reference.
    pub acr: Option<String>,
    /// Authentication methods references.
    pub amr: Vec<String>,
}

/// PKCE binding of a code (RFC 7636 section 4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge {
    /// The challenge.
    pub challenge: String,
    /// `S256` (or `plain`, where configured).
    pub method: ChallengeMethod,
}

/// `code_challenge_method` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeMethod {
    /// `S256`.
    S256,
    /// `plain`.
    Plain,
}

/// An authorization code's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    /// The client the code was issued to.
    pub client_id: String,
    /// The `redirect_uri` of the authorization request, if it carried one.
    pub redirect_uri: Option<String>,
    /// The PKCE challenge, if any.
    pub challenge: Option<CodeChallenge>,
    /// The OIDC `nonce`, if any.
    pub nonce: Option<String>,
    /// The granted scope.
    pub scope: Scope,
    /// The user.
    pub subject: Subject,
    /// The grant this code starts.
    pub grant_id: GrantId,
    /// Expiry.
    pub expires_at: u64,
}

/// A refresh token's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    /// The client it was issued to.
    pub client_id: String,
    /// The scope of the original grant.
    pub scope: Scope,
    /// The user, absent for client-only grants.
    pub subject: Option<Subject>,
    /// The grant (the rotation family).
    pub grant_id: GrantId,
    /// Expiry.
    pub expires_at: u64,
}

/// An access token's record, for introspection and revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    /// The client it was issued to.
    pub client_id: String,
    /// The granted scope.
    pub scope: Scope,
    /// The user's `sub`, absent for client-only grants.
    pub sub: Option<String>,
    /// The grant.
    pub grant_id: GrantId,
    /// The grant type that issued it.
    pub grant_type: String,
    /// Issue time.
    pub issued_at: u64,
    /// Expiry.
    pub expires_at: u64,
}

/// A record to save.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Record {
    /// An access token, under its hash.
    Access(TokenHash, AccessRecord),
    /// A refresh token, under its hash.
    Refresh(TokenHash, RefreshRecord),
    /// An authorization code, under its hash.
    Code(TokenHash, CodeRecord),
    /// A CIBA request, under the hash of its `auth_req_id`.
    Ciba(TokenHash, crate::ciba::CibaRecord),
    /// A pushed authorization request, under the hash of its `request_uri`.
    Par(TokenHash, crate::authorize::ParRecord),
}

impl Record {
    /// When the store may forget the record (for CIBA requests, a while after their
    /// expiry, so late polls learn `expired_token`).
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        match self {
            Record::Access(_, r) => r.expires_at,
            Record::Refresh(_, r) => r.expires_at,
            Record::Code(_, r) => r.expires_at,
            Record::Ciba(_, r) => r.retain_until(),
            Record::Par(_, r) => r.expires_at,
        }
    }
}

/// The answer to a single-use take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken<T> {
    /// The record, now consumed.
    Found(T),
    /// It was consumed before; what it issued belongs to this grant.
    AlreadyUsed(GrantId),
    /// No such record, or it expired.
    Unknown,
}

/// A request to revoke every token of a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// The grant.
    pub grant_id: GrantId,
}

/// A stored token found by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenInfo {
    /// An access token.
    Access(AccessRecord),
    /// A refresh token (unused; a rotated one is not returned).
    Refresh(RefreshRecord),
}

/// What a revocation removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationTarget {
    /// One access token.
    AccessToken(TokenHash),
    /// Every token of a grant.
    Grant(GrantId),
}
