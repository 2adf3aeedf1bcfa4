//! How a flow ended: the response to send and a typed outcome for the host's audit log.

use std::borrow::Cow;

use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::response::Response;

/// The end of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "the response must be sent"]
pub struct Done {
    /// The response to send.
    pub response: Response,
    /// What happened, for the audit log.
    pub outcome: Outcome,
}

/// What a flow did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The request succeeded.
    Succeeded {
        /// The authenticated client, if any.
        client_id: Option<String>,
        /// A short description (`"token issued: client_credentials"`).
        what: Cow<'static, str>,
    },
    /// The request was refused with `error`, because of `reason`.
    Rejected {
        /// The authenticated or claimed client, if known.
        client_id: Option<String>,
        /// The error sent.
        error: OAuthError,
        /// Why, for the log only.
        reason: Reason,
    },
}

impl Done {
    /// A refusal with the standard error body.
    pub(crate) fn reject(
        error: OAuthError,
        reason: Reason,
        client_id: Option<&str>,
        basic: bool,
    ) -> Done {
        let challenge = (error.code.status() == 401).then_some(Cow::Borrowed(if basic {
            "Basic realm=\"token\", charset=\"UTF-8\""
        } else {
            "Basic realm=\"token\""
        }));
        Done {
            response: Response::error(error, challenge),
            outcome: Outcome::Rejected {
                client_id: client_id.map(str::to_owned),
                error,
                reason,
            },
        }
    }

    /// The response to a host failure.
    pub(crate) fn host_failure(error: HostError, client_id: Option<&str>) -> Done {
        let e = match error {
            HostError::Unavailable => OAuthError::new(
                ErrorCode::TemporarilyUnavailable,
                "the server is temporarily unavailable",
            ),
            HostError::Internal => OAuthError::new(ErrorCode::ServerError, "internal error"),
        };
        let mut done = Done::reject(e, Reason::HostFailure(error), client_id, false);
        if error == HostError::Unavailable {
            done.response
                .headers
                .push(("Retry-After", Cow::Borrowed("1")));
        }
        done
    }
}
