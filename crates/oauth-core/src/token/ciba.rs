//! The CIBA grant at the token endpoint (CIBA sections 10.1 and 11), and HID's
//! `ciba_delete`.

use super::issue::{self, Grant};
use super::{TokenFlow, TokenStep};
use crate::ciba::{CibaRecord, CibaStatus, CibaUpdate, UpdateResult};
use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::outcome::{Done, Outcome};
use crate::records::{Revocation, Taken};
use crate::response::Response;
use crate::secret::TokenHash;
use crate::steps::sealed::Flow;

/// The interval increase on `slow_down` (CIBA section 11).
pub const SLOW_DOWN_STEP: u64 = 5;

/// The id token claim naming the request (CIBA section 10.1.1).
pub const AUTH_REQ_ID_CLAIM: &str = "urn:openid:params:jwt:claim:auth_req_id";

/// What the token request does with the loaded CIBA request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CibaAction {
    /// Poll for tokens.
    Poll,
    /// Delete the pending request (HID `ciba_delete`).
    Delete,
}

/// Starts the CIBA grant or `ciba_delete`: `auth_req_id` is required.
pub(crate) fn start(flow: TokenFlow<'_>, action: CibaAction) -> TokenStep<'_> {
    let Some(id) = flow.params.auth_req_id.as_deref() else {
        return flow.reject(
            OAuthError::new(ErrorCode::InvalidRequest, "auth_req_id is required"),
            Reason::MissingParameter("auth_req_id"),
        );
    };
    let hash = TokenHash::of(id);
    TokenStep::LoadCiba(LoadCiba { flow, hash, action })
}

fn expired_token(flow: TokenFlow<'_>) -> TokenStep<'_> {
    flow.reject(
        OAuthError::new(ErrorCode::ExpiredToken, "the auth_req_id has expired"),
        Reason::Host("ciba request expired"),
    )
}

fn invalid_grant<'a>(flow: TokenFlow<'a>) -> TokenStep<'a> {
    flow.reject(
        OAuthError::new(ErrorCode::InvalidGrant, "auth_req_id is invalid"),
        Reason::UnknownGrant,
    )
}

/// Load a CIBA request by the hash of its `auth_req_id`.
#[must_use = "a dropped step abandons the request"]
pub struct LoadCiba<'a> {
    flow: TokenFlow<'a>,
    hash: TokenHash,
    action: CibaAction,
}

impl<'a> LoadCiba<'a> {
    /// The store key.
    #[must_use]
    pub fn hash(&self) -> &TokenHash {
        &self.hash
    }

    /// The request's time.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.flow.now
    }

    /// Answers with the stored request, if the store still holds it.
    pub fn resume(self, record: Option<CibaRecord>) -> TokenStep<'a> {
        let LoadCiba { flow, hash, action } = self;
        let Some(record) = record else {
            return invalid_grant(flow);
        };
        if flow.client().is_none_or(|c| c.id() != record.client_id) {
            return invalid_grant(flow);
        }
        if action == CibaAction::Delete {
            if record.status != CibaStatus::Pending || record.expires_at <= flow.now {
                return invalid_grant(flow);
            }
            return TokenStep::UpdateCiba(UpdateCiba {
                flow,
                hash,
                update: CibaUpdate::Delete,
                answer: Answer::Deleted,
            });
        }
        let expired = record.expires_at <= flow.now;
        // A redeemed request goes to the take even after expiry, so that a redemption
        // replayed late still revokes what the first one issued.
        if record.consumed {
            return TokenStep::TakeCiba(TakeCiba {
                flow,
                hash,
                expired,
            });
        }
        if expired {
            return expired_token(flow);
        }
        match record.status {
            CibaStatus::Denied => flow.reject(
                OAuthError::new(ErrorCode::AccessDenied, "the user denied the request"),
                Reason::Host("user denied"),
            ),
            CibaStatus::Approved(_) => TokenStep::TakeCiba(TakeCiba {
                flow,
                hash,
                expired,
            }),
            CibaStatus::Pending => {
                // CIBA section 11: slow_down when polled faster than the interval since
                // the previous poll; never on the first poll.
                let too_fast = record
                    .last_poll
                    .is_some_and(|last| flow.now < last.saturating_add(record.interval));
                let answer = if too_fast {
                    Answer::SlowDown
                } else {
                    Answer::Pending
                };
                let update = CibaUpdate::Poll {
                    at: flow.now,
                    slow_down: too_fast,
                };
                TokenStep::UpdateCiba(UpdateCiba {
                    flow,
                    hash,
                    update,
                    answer,
                })
            }
        }
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> TokenStep<'a> {
        self.flow.fail(error)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Pending,
    SlowDown,
    Deleted,
}

/// Apply a change to a stored CIBA request atomically (the poll bookkeeping, or a
/// deletion).
#[must_use = "a dropped step abandons the request"]
pub struct UpdateCiba<'a> {
    flow: TokenFlow<'a>,
    hash: TokenHash,
    update: CibaUpdate,
    answer: Answer,
}

impl<'a> UpdateCiba<'a> {
    /// The store key.
    #[must_use]
    pub fn hash(&self) -> &TokenHash {
        &self.hash
    }

    /// The change.
    #[must_use]
    pub fn update(&self) -> &CibaUpdate {
        &self.update
    }

    /// The request's time: a record that expired by then must not be changed.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.flow.now
    }

    /// Answers with the store's result.
    pub fn resume(self, result: UpdateResult) -> TokenStep<'a> {
        let flow = self.flow;
        match (self.answer, result) {
            (Answer::Deleted, UpdateResult::Applied) => {
                let response = Response::json(200, &serde_json::json!({}));
                TokenStep::Done(Done {
                    response,
                    outcome: Outcome::Succeeded {
                        client_id: flow.client().map(|c| c.id().to_owned()),
                        what: "ciba request deleted".into(),
                    },
                })
            }
            (Answer::Deleted, UpdateResult::NotApplied) => invalid_grant(flow),
            (Answer::SlowDown, _) => flow.reject(
                OAuthError::new(
                    ErrorCode::SlowDown,
                    "polling too fast; the interval has grown by 5 seconds",
                ),
                Reason::Host("ciba slow_down"),
            ),
            (Answer::Pending, _) => flow.reject(
                OAuthError::new(
                    ErrorCode::AuthorizationPending,
                    "the user has not yet decided",
                ),
                Reason::Host("ciba pending"),
            ),
        }
    }

    /// The store could not apply it.
    pub fn fail(self, error: HostError) -> TokenStep<'a> {
        self.flow.fail(error)
    }
}

/// Take an approved CIBA request, atomically: its tokens are issued once (an
/// `auth_req_id` is single-use, like a code).
#[must_use = "a dropped step abandons the request"]
pub struct TakeCiba<'a> {
    flow: TokenFlow<'a>,
    hash: TokenHash,
    expired: bool,
}

impl<'a> TakeCiba<'a> {
    /// The store key.
    #[must_use]
    pub fn hash(&self) -> &TokenHash {
        &self.hash
    }

    /// The request's time.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.flow.now
    }

    /// Answers with the outcome of the take.
    pub fn resume(self, taken: Taken<CibaRecord>) -> TokenStep<'a> {
        let flow = self.flow;
        let record = match taken {
            Taken::Found(_) if self.expired => return expired_token(flow),
            Taken::Found(r) => r,
            Taken::AlreadyUsed(grant_id) => {
                return TokenStep::RevokeGrant(super::RevokeGrant::new(
                    flow,
                    Revocation { grant_id },
                ));
            }
            Taken::Unknown => return invalid_grant(flow),
        };
        let CibaStatus::Approved(subject) = record.status else {
            return invalid_grant(flow);
        };
        if flow.client().is_none_or(|c| c.id() != record.client_id) {
            return invalid_grant(flow);
        }
        let auth_req_id = flow
            .params
            .auth_req_id
            .as_deref()
            .unwrap_or_default()
            .to_owned();
        let refresh = flow
            .client()
            .is_some_and(|c| c.has_grant(&crate::client::GrantType::RefreshToken));
        issue::begin(
            flow,
            Grant {
                grant_id: record.grant_id,
                scope: record.scope,
                subject: Some(subject),
                nonce: None,
                refresh,
                id_token_extra: vec![(AUTH_REQ_ID_CLAIM, auth_req_id)],
                refresh_scope: None,
                consume: None,
            },
        )
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> TokenStep<'a> {
        self.flow.fail(error)
    }
}
