//! Client-Initiated Backchannel Authentication (OpenID Connect CIBA Core 1.0): the
//! backchannel authentication endpoint ([`BackchannelEndpoint`]), the device's decision
//! ([`Decision`]), and the records both share with the CIBA grant at the token endpoint.

mod backchannel;
mod decision;

pub use backchannel::{
    BackchannelEndpoint, CibaStep, Hint, ResolveUser, StartAuthentication, UserLookup,
};
pub use decision::{Decision, DecisionOutcome, DecisionStep, LoadRequest, Notify, RecordDecision};

use crate::client::DeliveryMode;
use crate::records::{GrantId, Subject};
use crate::scope::Scope;

/// How long a decided or expired request is kept after its expiry, so a late poll gets
/// `expired_token` rather than `invalid_grant`.
pub const RETAIN_AFTER_EXPIRY: u64 = 600;

/// Where a backchannel authentication request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CibaStatus {
    /// Waiting for the user.
    Pending,
    /// The user approved on the device.
    Approved(Subject),
    /// The user (or the server) denied.
    Denied,
}

/// A backchannel authentication request, from the endpoint until its tokens are issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CibaRecord {
    /// The client that made it.
    pub client_id: String,
    /// The user the hint resolved to.
    pub sub: String,
    /// The requested scope (contains `openid`).
    pub scope: Scope,
    /// Requested `acr_values`.
    pub acr_values: Option<String>,
    /// The `binding_message` shown on both devices.
    pub binding_message: Option<String>,
    /// When the request expires (the `expires_in` horizon).
    pub expires_at: u64,
    /// The minimum polling interval, seconds; grows by 5 on every `slow_down`.
    pub interval: u64,
    /// When the client last polled.
    pub last_poll: Option<u64>,
    /// The decision so far.
    pub status: CibaStatus,
    /// Poll or ping.
    pub delivery: DeliveryMode,
    /// The ping bearer token (`client_notification_token`).
    pub notification_token: Option<String>,
    /// The grant tokens issued for it belong to.
    pub grant_id: GrantId,
    /// Set by the store once the request has been taken (its tokens issued): a store
    /// MUST return a taken request with `consumed: true` until it forgets it.
    pub consumed: bool,
}

impl CibaRecord {
    /// When the store may forget the record.
    #[must_use]
    pub fn retain_until(&self) -> u64 {
        self.expires_at.saturating_add(RETAIN_AFTER_EXPIRY)
    }
}

/// An atomic change to a stored CIBA request. The store applies it to the current record
/// (read-modify-write inside the store, never in the engine), so concurrent polls and
/// decisions lose no update.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CibaUpdate {
    /// A poll at `at`: set `last_poll = at`, and when `slow_down`, add
    /// [`crate::token::SLOW_DOWN_STEP`] to `interval` (the store adds, so two concurrent
    /// polls never lose an increase). The status is unchanged.
    Poll {
        /// The poll time.
        at: u64,
        /// The client was told `slow_down`: grow the interval.
        slow_down: bool,
    },
    /// Record the decision, only if the status is still [`CibaStatus::Pending`].
    Decide(CibaStatus),
    /// Delete a pending request (HID `ciba_delete`).
    Delete,
}

/// The store's answer to a [`CibaUpdate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateResult {
    /// Applied.
    Applied,
    /// Not applied: the request is gone or no longer pending.
    NotApplied,
}
