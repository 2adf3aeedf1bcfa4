//! The grants: what each checks and which host steps it needs.

use super::ciba::CibaAction;
use super::issue::{self, Grant};
use super::{TokenFlow, TokenStep};
use crate::client::{Client, GrantType};
use crate::config::Config;
use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::pkce;
use crate::records::{CodeRecord, GrantId, RefreshRecord, Revocation, Subject, Taken};
use crate::scope::Scope;
use crate::secret::TokenHash;
use crate::steps::sealed::Flow;

/// Grant types this endpoint implements, and the tenant's extension grants.
pub(crate) fn is_supported(config: &Config, grant: &GrantType) -> bool {
    match grant {
        GrantType::Extension(name) => {
            name.as_ref() == CIBA_DELETE || config.extension_grant(name).is_some()
        }
        _ => true,
    }
}

/// HID's grant that deletes a pending CIBA request.
pub const CIBA_DELETE: &str = "ciba_delete";

fn invalid_grant(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidGrant, description)
}

/// After authentication: the client must be registered for the grant, then the grant runs.
pub(crate) fn dispatch(flow: TokenFlow<'_>) -> TokenStep<'_> {
    let Some(client) = flow.client.clone() else {
        return flow.reject(
            OAuthError::new(ErrorCode::ServerError, "internal error"),
            Reason::Host("no client"),
        );
    };
    if !client.has_grant(&flow.grant) {
        return flow.reject(
            OAuthError::new(
                ErrorCode::UnauthorizedClient,
                "the client is not registered for this grant_type",
            ),
            Reason::GrantNotRegistered,
        );
    }
    match flow.grant {
        GrantType::ClientCredentials => client_credentials(flow, &client),
        GrantType::Password => password(flow),
        GrantType::AuthorizationCode => authorization_code(flow),
        GrantType::RefreshToken => refresh_token(flow),
        GrantType::Ciba => super::ciba::start(flow, CibaAction::Poll),
        GrantType::Extension(ref name) if name.as_ref() == CIBA_DELETE => {
            super::ciba::start(flow, CibaAction::Delete)
        }
        GrantType::Extension(_) => super::extension::start(flow, &client),
    }
}

/// The requested scope, or the client's registered scope when none is requested
/// (RFC 6749 section 3.3); it must lie within `allowed`.
pub(crate) fn requested_scope<'a>(
    flow: &TokenFlow<'a>,
    allowed: &Scope,
) -> Result<Scope, TokenStep<'a>> {
    let Some(raw) = flow.params.scope.as_deref() else {
        return Ok(allowed.clone());
    };
    let scope = Scope::parse(raw).map_err(|_| {
        flow.reject(
            OAuthError::new(ErrorCode::InvalidScope, "scope is malformed"),
            Reason::InvalidParameter("scope"),
        )
    })?;
    if scope.is_subset_of(allowed) {
        Ok(scope)
    } else {
        Err(flow.reject(
            OAuthError::new(
                ErrorCode::InvalidScope,
                "scope exceeds what the client may request",
            ),
            Reason::ScopeNotAllowed,
        ))
    }
}

/// RFC 6749 section 4.4: confidential clients only; no refresh token (section 4.4.3).
fn client_credentials<'a>(mut flow: TokenFlow<'a>, client: &Client) -> TokenStep<'a> {
    if !client.is_confidential() {
        return flow.reject(
            OAuthError::new(
                ErrorCode::UnauthorizedClient,
                "client_credentials needs a confidential client",
            ),
            Reason::GrantNotRegistered,
        );
    }
    let scope = match requested_scope(&flow, client.scope()) {
        Ok(s) => s,
        Err(step) => return step,
    };
    let grant_id = GrantId(flow.entropy.id());
    issue::begin(
        flow,
        Grant {
            grant_id,
            scope,
            subject: None,
            nonce: None,
            refresh: false,
            id_token_extra: Vec::new(),
            refresh_scope: None,
            consume: None,
        },
    )
}

/// RFC 6749 section 4.3: the host checks the resource owner's credentials.
fn password(flow: TokenFlow<'_>) -> TokenStep<'_> {
    if flow.params.username.is_none() || flow.params.password.is_none() {
        return flow.reject(
            OAuthError::new(
                ErrorCode::InvalidRequest,
                "username and password are required",
            ),
            Reason::MissingParameter("username"),
        );
    }
    TokenStep::VerifyPassword(VerifyPassword { flow })
}

/// RFC 6749 section 4.1.3.
fn authorization_code(flow: TokenFlow<'_>) -> TokenStep<'_> {
    let Some(code) = flow.params.code.as_deref() else {
        return flow.reject(
            OAuthError::new(ErrorCode::InvalidRequest, "code is required"),
            Reason::MissingParameter("code"),
        );
    };
    let hash = TokenHash::of(code);
    TokenStep::TakeCode(TakeCode { flow, hash })
}

/// RFC 6749 section 6.
fn refresh_token(flow: TokenFlow<'_>) -> TokenStep<'_> {
    let Some(token) = flow.params.refresh_token.as_deref() else {
        return flow.reject(
            OAuthError::new(ErrorCode::InvalidRequest, "refresh_token is required"),
            Reason::MissingParameter("refresh_token"),
        );
    };
    let hash = TokenHash::of(token);
    TokenStep::LoadRefreshToken(LoadRefreshToken { flow, hash })
}

fn refresh_for(client: &Client) -> bool {
    client.has_grant(&GrantType::RefreshToken)
}

/// Check the resource owner's password (RFC 6749 section 4.3.2).
#[must_use = "a dropped step abandons the request"]
pub struct VerifyPassword<'a> {
    flow: TokenFlow<'a>,
}

impl<'a> VerifyPassword<'a> {
    /// The client asking.
    #[must_use]
    pub fn client(&self) -> Option<&Client> {
        self.flow.client()
    }

    /// The `username` parameter.
    #[must_use]
    pub fn username(&self) -> &str {
        self.flow.params.username.as_deref().unwrap_or_default()
    }

    /// The `password` parameter. Compare it in constant time; never log it.
    #[must_use]
    pub fn password(&self) -> &str {
        self.flow.params.password.as_deref().unwrap_or_default()
    }

    /// HID's custom parameters (`authType`, `device_id`, `mode`, ...), under the HID
    /// profile.
    #[must_use]
    pub fn hid(&self) -> Option<&crate::hid::HidParams<'a>> {
        self.flow.hid.as_ref()
    }

    /// Answers with the authenticated user, or `None` when the credentials are wrong.
    pub fn resume(self, user: Option<Subject>) -> TokenStep<'a> {
        self.resume_check(user.map_or(PasswordCheck::Invalid, PasswordCheck::Valid))
    }

    /// Answers with the outcome of the check, with HID's failure detail when known.
    pub fn resume_check(self, check: PasswordCheck) -> TokenStep<'a> {
        let mut flow = self.flow;
        let subject = match check {
            PasswordCheck::Valid(s) => s,
            PasswordCheck::Invalid => {
                return flow.reject(
                    invalid_grant("the resource owner credentials are invalid"),
                    Reason::UserCredentials,
                );
            }
            PasswordCheck::Failed(failure) => {
                // The `hid_failure` member belongs to the HID dialect; other tenants get
                // the plain RFC 6749 body.
                if flow.config.profile != crate::config::Profile::Hid {
                    return flow.reject(
                        invalid_grant("the resource owner credentials are invalid"),
                        Reason::UserCredentials,
                    );
                }
                let auth_type = flow.hid.as_ref().and_then(|h| h.auth_type.as_deref());
                let id = flow.client().map(|c| c.id().to_owned());
                let done = failure.done(auth_type, id.as_deref(), flow.auth.used_basic);
                return flow.challenge(done);
            }
        };
        let Some(client) = flow.client.clone() else {
            return flow.fail(HostError::Internal);
        };
        let scope = match requested_scope(&flow, client.scope()) {
            Ok(s) => s,
            Err(step) => return step,
        };
        let grant_id = GrantId(flow.entropy.id());
        issue::begin(
            flow,
            Grant {
                grant_id,
                scope,
                subject: Some(subject),
                nonce: None,
                refresh: refresh_for(&client),
                id_token_extra: Vec::new(),
                refresh_scope: None,
                consume: None,
            },
        )
    }

    /// The user directory could not answer.
    pub fn fail(self, error: HostError) -> TokenStep<'a> {
        self.flow.fail(error)
    }
}

/// The outcome of a resource owner credential check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The credentials are right: this is the user.
    Valid(Subject),
    /// The credentials are wrong.
    Invalid,
    /// The credentials were refused, with HID's reason (sent as `hid_failure` under the
    /// HID profile, as a plain `invalid_grant` otherwise).
    Failed(crate::hid::HidFailure),
}

/// Take an authorization code: atomically, so that of two concurrent redemptions exactly
/// one succeeds (RFC 6749 section 4.1.2: a code is single-use).
#[must_use = "a dropped step abandons the request"]
pub struct TakeCode<'a> {
    flow: TokenFlow<'a>,
    hash: TokenHash,
}

impl<'a> TakeCode<'a> {
    /// The code's hash, its store key.
    #[must_use]
    pub fn code_hash(&self) -> &TokenHash {
        &self.hash
    }

    /// The request's time: records that expired by then must not be returned.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.flow.now
    }

    /// Answers with the outcome of the take.
    pub fn resume(self, taken: Taken<CodeRecord>) -> TokenStep<'a> {
        let flow = self.flow;
        let record = match taken {
            Taken::Found(r) => r,
            Taken::AlreadyUsed(grant_id) => {
                return TokenStep::RevokeGrant(RevokeGrant {
                    flow,
                    revocation: Revocation { grant_id },
                });
            }
            Taken::Unknown => {
                return flow.reject(
                    invalid_grant("the code is invalid or expired"),
                    Reason::UnknownGrant,
                );
            }
        };
        redeem(flow, record)
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> TokenStep<'a> {
        self.flow.fail(error)
    }
}

/// RFC 6749 section 4.1.3 and RFC 7636 section 4.6 checks on a taken code.
fn redeem(flow: TokenFlow<'_>, record: CodeRecord) -> TokenStep<'_> {
    let Some(client) = flow.client.clone() else {
        return flow.fail(HostError::Internal);
    };
    if record.client_id != client.id() || record.expires_at <= flow.now {
        return flow.reject(
            invalid_grant("the code is invalid or expired"),
            Reason::UnknownGrant,
        );
    }
    // RFC 6749 section 4.1.3: required and identical when the authorization request
    // carried one.
    if record
        .redirect_uri
        .as_deref()
        .is_some_and(|u| flow.params.redirect_uri.as_deref() != Some(u))
    {
        return flow.reject(
            invalid_grant("redirect_uri does not match the authorization request"),
            Reason::RedirectUriMismatch,
        );
    }
    let pkce_ok = match (&record.challenge, flow.params.code_verifier.as_deref()) {
        (Some(c), Some(v)) => pkce::verify(c, v),
        (None, None) => true,
        // A verifier without a challenge is a downgrade attempt (RFC 9700 section 2.1.1).
        _ => false,
    };
    if !pkce_ok {
        return flow.reject(invalid_grant("PKCE verification failed"), Reason::Pkce);
    }
    let refresh = refresh_for(&client);
    issue::begin(
        flow,
        Grant {
            grant_id: record.grant_id,
            scope: record.scope,
            subject: Some(record.subject),
            nonce: record.nonce,
            refresh,
            id_token_extra: Vec::new(),
            refresh_scope: None,
            consume: None,
        },
    )
}

/// Read a refresh token's record without consuming it: the request is checked first,
/// and the token is consumed only when the new tokens are ready ([`TakeRefreshToken`]),
/// so a refused or failed request leaves it usable.
#[must_use = "a dropped step abandons the request"]
pub struct LoadRefreshToken<'a> {
    flow: TokenFlow<'a>,
    hash: TokenHash,
}

impl<'a> LoadRefreshToken<'a> {
    /// The refresh token's hash, its store key.
    #[must_use]
    pub fn token_hash(&self) -> &TokenHash {
        &self.hash
    }

    /// The request's time: records that expired by then must not be returned.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.flow.now
    }

    /// Answers with the record: [`Taken::Found`] when unused, [`Taken::AlreadyUsed`] when
    /// it was rotated before (a reuse), [`Taken::Unknown`] otherwise. Nothing changes.
    pub fn resume(self, state: Taken<RefreshRecord>) -> TokenStep<'a> {
        let LoadRefreshToken { flow, hash } = self;
        match state {
            Taken::Found(record) => refresh(flow, record, hash),
            Taken::AlreadyUsed(grant_id) => TokenStep::RevokeGrant(RevokeGrant {
                flow,
                revocation: Revocation { grant_id },
            }),
            Taken::Unknown => flow.reject(
                invalid_grant("the refresh token is invalid or expired"),
                Reason::UnknownGrant,
            ),
        }
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> TokenStep<'a> {
        self.flow.fail(error)
    }
}

/// Consume the presented refresh token: atomically, marking it rotated, so that of two
/// concurrent refreshes exactly one proceeds and any later use is detected as reuse
/// (RFC 9700 section 4.14.2). Asked once the new tokens are ready, just before they are
/// saved.
#[must_use = "a dropped step abandons the request"]
pub struct TakeRefreshToken<'a> {
    flow: TokenFlow<'a>,
    hash: TokenHash,
}

impl<'a> TakeRefreshToken<'a> {
    pub(crate) fn new(flow: TokenFlow<'a>, hash: TokenHash) -> Self {
        TakeRefreshToken { flow, hash }
    }

    /// The refresh token's hash, its store key.
    #[must_use]
    pub fn token_hash(&self) -> &TokenHash {
        &self.hash
    }

    /// The request's time: records that expired by then must not be returned.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.flow.now
    }

    /// Answers with the outcome of the take.
    pub fn resume(self, taken: Taken<RefreshRecord>) -> TokenStep<'a> {
        let flow = self.flow;
        match taken {
            Taken::Found(_) => issue::next(flow),
            Taken::AlreadyUsed(grant_id) => TokenStep::RevokeGrant(RevokeGrant {
                flow,
                revocation: Revocation { grant_id },
            }),
            Taken::Unknown => flow.reject(
                invalid_grant("the refresh token is invalid or expired"),
                Reason::UnknownGrant,
            ),
        }
    }

    /// The store could not answer.
    pub fn fail(self, error: HostError) -> TokenStep<'a> {
        self.flow.fail(error)
    }
}

/// RFC 6749 section 6: same client, scope no wider than the original grant; rotation
/// keeps the grant so a later reuse revokes the whole family.
fn refresh(flow: TokenFlow<'_>, record: RefreshRecord, hash: TokenHash) -> TokenStep<'_> {
    let Some(client) = flow.client.clone() else {
        return flow.fail(HostError::Internal);
    };
    if record.client_id != client.id() || record.expires_at <= flow.now {
        return flow.reject(
            invalid_grant("the refresh token is invalid or expired"),
            Reason::UnknownGrant,
        );
    }
    let scope = match requested_scope(&flow, &record.scope) {
        Ok(s) => s,
        Err(step) => return step,
    };
    issue::begin(
        flow,
        Grant {
            grant_id: record.grant_id,
            scope,
            subject: record.subject,
            nonce: None,
            refresh: true,
            id_token_extra: Vec::new(),
            refresh_scope: Some(record.scope),
            consume: Some(hash),
        },
    )
}

/// Revoke every token of a grant whose code or refresh token was used twice (RFC 6749
/// section 4.1.2, RFC 9700 section 4.14.2). The request then fails with `invalid_grant`.
#[must_use = "a dropped step abandons the request"]
pub struct RevokeGrant<'a> {
    flow: TokenFlow<'a>,
    revocation: Revocation,
}

impl<'a> RevokeGrant<'a> {
    pub(crate) fn new(flow: TokenFlow<'a>, revocation: Revocation) -> Self {
        RevokeGrant { flow, revocation }
    }

    /// What to revoke.
    #[must_use]
    pub fn revocation(&self) -> &Revocation {
        &self.revocation
    }

    /// Answers once everything of the grant is revoked.
    pub fn resume(self) -> TokenStep<'a> {
        self.flow.reject(
            invalid_grant("the grant was already used; its tokens are revoked"),
            Reason::GrantReplayed,
        )
    }

    /// The store could not revoke.
    pub fn fail(self, error: HostError) -> TokenStep<'a> {
        self.flow.fail(error)
    }
}
