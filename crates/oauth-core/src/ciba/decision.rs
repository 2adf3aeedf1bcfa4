//! The device's decision on a backchannel authentication request (CIBA sections 5 and
//! 10.2): an input from the host, not an HTTP request. In ping mode the client is then
//! notified.

use super::{CibaRecord, CibaStatus, CibaUpdate, UpdateResult};
use crate::client::DeliveryMode;
use crate::error::HostError;
use crate::records::Subject;
use crate::secret::TokenHash;

/// Reports a decision.
pub struct Decision;

/// What the user decided.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Approve(Subject),
    Deny,
}

/// A step of recording a decision.
#[must_use = "a dropped step abandons the decision"]
pub enum DecisionStep {
    /// Load the request.
    LoadRequest(LoadRequest),
    /// Record the decision if the request is still pending.
    RecordDecision(RecordDecision),
    /// POST the ping notification to the client.
    Notify(Notify),
    /// The decision's outcome.
    Done(DecisionOutcome),
}

/// How recording a decision ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecisionOutcome {
    /// Recorded; in ping mode, `notified` says whether the client acknowledged.
    Recorded {
        /// The client was notified (ping mode), `None` in poll mode.
        notified: Option<bool>,
    },
    /// No such request (or it was forgotten).
    UnknownRequest,
    /// The request has expired.
    Expired,
    /// It was already decided or deleted.
    AlreadyDecided,
    /// The approving user is not the one the request is for.
    WrongUser,
    /// The host failed.
    HostFailure(HostError),
}

struct State {
    hash: TokenHash,
    auth_req_id: String,
    verdict: Verdict,
    now: u64,
    record: Option<CibaRecord>,
}

impl Decision {
    /// The user approved: `subject` is who authenticated, with `auth_time`, `acr`, `amr`.
    pub fn approve(auth_req_id: &str, subject: Subject, now: u64) -> DecisionStep {
        Self::start(auth_req_id, Verdict::Approve(subject), now)
    }

    /// The user denied.
    pub fn deny(auth_req_id: &str, now: u64) -> DecisionStep {
        Self::start(auth_req_id, Verdict::Deny, now)
    }

    fn start(auth_req_id: &str, verdict: Verdict, now: u64) -> DecisionStep {
        DecisionStep::LoadRequest(LoadRequest {
            state: State {
                hash: TokenHash::of(auth_req_id),
                auth_req_id: auth_req_id.to_owned(),
                verdict,
                now,
                record: None,
            },
        })
    }
}

/// Load a CIBA request by the hash of its `auth_req_id`.
#[must_use = "a dropped step abandons the decision"]
pub struct LoadRequest {
    state: State,
}

impl LoadRequest {
    /// The store key.
    #[must_use]
    pub fn hash(&self) -> &TokenHash {
        &self.state.hash
    }

    /// The time of the decision.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.state.now
    }

    /// Answers with the stored request, if any.
    pub fn resume(self, record: Option<CibaRecord>) -> DecisionStep {
        let mut state = self.state;
        let Some(record) = record else {
            return DecisionStep::Done(DecisionOutcome::UnknownRequest);
        };
        if record.expires_at <= state.now {
            return DecisionStep::Done(DecisionOutcome::Expired);
        }
        if record.status != CibaStatus::Pending {
            return DecisionStep::Done(DecisionOutcome::AlreadyDecided);
        }
        let status = match &state.verdict {
            Verdict::Approve(s) if s.sub != record.sub => {
                return DecisionStep::Done(DecisionOutcome::WrongUser);
            }
            Verdict::Approve(s) => CibaStatus::Approved(s.clone()),
            Verdict::Deny => CibaStatus::Denied,
        };
        state.record = Some(record);
        DecisionStep::RecordDecision(RecordDecision {
            update: CibaUpdate::Decide(status),
            state,
        })
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> DecisionStep {
        DecisionStep::Done(DecisionOutcome::HostFailure(error))
    }
}

/// Apply the decision atomically: only if the request is still pending.
#[must_use = "a dropped step abandons the decision"]
pub struct RecordDecision {
    state: State,
    update: CibaUpdate,
}

impl RecordDecision {
    /// The store key.
    #[must_use]
    pub fn hash(&self) -> &TokenHash {
        &self.state.hash
    }

    /// The update to apply.
    #[must_use]
    pub fn update(&self) -> &CibaUpdate {
        &self.update
    }

    /// The time of the decision.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.state.now
    }

    /// Answers with the store's result.
    pub fn resume(self, result: UpdateResult) -> DecisionStep {
        if result == UpdateResult::NotApplied {
            return DecisionStep::Done(DecisionOutcome::AlreadyDecided);
        }
        let state = self.state;
        match state.record.as_ref() {
            Some(r) if r.delivery == DeliveryMode::Ping => {
                let body = serde_json::json!({ "auth_req_id": state.auth_req_id }).to_string();
                DecisionStep::Notify(Notify {
                    client_id: r.client_id.clone(),
                    bearer: r.notification_token.clone().unwrap_or_default(),
                    body,
                })
            }
            _ => DecisionStep::Done(DecisionOutcome::Recorded { notified: None }),
        }
    }

    /// The store could not apply it.
    pub fn fail(self, error: HostError) -> DecisionStep {
        DecisionStep::Done(DecisionOutcome::HostFailure(error))
    }
}

/// CIBA section 10.2: POST `{"auth_req_id": ...}` as JSON to the client's
/// `backchannel_client_notification_endpoint` with `Authorization: Bearer <token>`.
#[must_use = "a dropped step abandons the decision"]
pub struct Notify {
    client_id: String,
    bearer: String,
    body: String,
}

impl Notify {
    /// The client to notify; its registration holds the endpoint URL.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The bearer token: the client's `client_notification_token`.
    #[must_use]
    pub fn bearer_token(&self) -> &str {
        &self.bearer
    }

    /// The JSON body.
    #[must_use]
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Answers whether the client acknowledged (a 2xx).
    pub fn resume(self, delivered: bool) -> DecisionStep {
        DecisionStep::Done(DecisionOutcome::Recorded {
            notified: Some(delivered),
        })
    }
}
