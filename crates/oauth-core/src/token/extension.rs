//! Extension grants (RFC 6749 section 4.5): grant types a tenant registers
//! ([`ExtensionGrantSpec`]) and its host carries out.
//!
//! The engine does what every grant needs: it authenticates the client, checks it is
//! registered for the grant (`unauthorized_client`), that it used an allowed method and
//! holds the grant's permission (`unauthorized_client`), that the required parameters are
//! present (`invalid_request`) and that `scope` is within the client's registration
//! (`invalid_scope`). Then it hands the parameters to the host through
//! [`HandleExtensionGrant`], and turns the typed answer into tokens (issued and persisted
//! like every other grant's), a custom JSON body, or an error.

use std::borrow::Cow;

use super::issue::{self, Grant};
use super::{TokenFlow, TokenStep};
use crate::client::{Client, GrantType};
use crate::config::{Config, ExtensionGrantSpec};
use crate::error::{ErrorCode, HostError, OAuthError, Reason};
use crate::form::Form;
use crate::hid::{HidError, HidParams};
use crate::outcome::{Done, Outcome};
use crate::records::{GrantId, Subject};
use crate::response::Response;
use crate::scope::Scope;
use crate::steps::sealed::Flow;

/// Parameters the engine reads itself, never handed over as extension parameters.
const RESERVED: [&str; 6] = [
    "grant_type",
    "scope",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

/// The registered extension grant a `grant_type` names, if any.
pub(crate) fn spec<'c>(config: &'c Config, grant: &GrantType) -> Option<&'c ExtensionGrantSpec> {
    match grant {
        GrantType::Extension(name) => config.extension_grant(name),
        _ => None,
    }
}

/// Takes the parameters the grant declares out of the form.
pub(crate) fn take_parameters<'a>(
    spec: &'a ExtensionGrantSpec,
    form: &mut Form<'a>,
) -> Vec<(&'a str, Cow<'a, str>)> {
    spec.required
        .iter()
        .chain(&spec.optional)
        .map(String::as_str)
        .filter(|n| !RESERVED.contains(n))
        .filter_map(|n| form.take(n).map(|v| (n, v)))
        .collect()
}

/// The value of a named parameter: an extension parameter, or one of the profile's
/// custom parameters.
fn lookup<'p>(
    params: &'p [(&str, Cow<'_, str>)],
    hid: Option<&'p HidParams<'_>>,
    name: &str,
) -> Option<&'p str> {
    params
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_ref())
        .or_else(|| hid.and_then(|h| h.get(name)))
}

fn unauthorized(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::UnauthorizedClient, description)
}

/// After authentication and the registration check: the grant's own checks, then the host.
pub(crate) fn start<'a>(flow: TokenFlow<'a>, client: &Client) -> TokenStep<'a> {
    let Some(spec) = spec(flow.config, &flow.grant) else {
        return flow.reject(
            OAuthError::new(
                ErrorCode::UnsupportedGrantType,
                "grant_type is not supported",
            ),
            Reason::UnsupportedGrantType,
        );
    };
    let method_ok = if spec.auth_methods.is_empty() {
        client.is_confidential()
    } else {
        // The grant names how the client must prove itself (HID's client-secret-pki: its
        // certificate); a Bearer token obtained earlier is not that proof.
        spec.auth_methods.contains(&client.auth_method()) && !flow.auth.used_bearer()
    };
    if !method_ok {
        return flow.reject(
            unauthorized("the client's authentication method does not allow this grant_type"),
            Reason::GrantNotRegistered,
        );
    }
    if spec
        .permission
        .as_deref()
        .is_some_and(|p| !client.has_permission(p))
    {
        return flow.reject(
            unauthorized("the client lacks the permission this grant_type requires"),
            Reason::GrantNotRegistered,
        );
    }
    if spec
        .required
        .iter()
        .any(|n| lookup(&flow.extension, flow.hid.as_ref(), n).is_none())
    {
        return flow.reject(
            OAuthError::new(
                ErrorCode::InvalidRequest,
                "a parameter this grant_type requires is missing",
            ),
            Reason::MissingParameter("extension grant parameter"),
        );
    }
    let scope = match super::grants::requested_scope(&flow, client.scope()) {
        Ok(s) => s,
        Err(step) => return step,
    };
    TokenStep::ExtensionGrant(HandleExtensionGrant { flow, spec, scope })
}

/// The tokens an extension grant issues.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantTokens {
    /// The user the tokens are about; `None` for tokens about the client itself (an ID
    /// token is issued only with a subject and the `openid` scope).
    pub subject: Option<Subject>,
    /// The granted scope, within [`HandleExtensionGrant::scope`]; `None` grants all of it.
    pub scope: Option<Scope>,
    /// Also issue a refresh token (only when the client is registered for
    /// `refresh_token`).
    pub refresh: bool,
}

/// An extension grant's refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantError {
    /// A registered error code, sent with the status RFC 6749 section 5.2 gives it.
    OAuth(OAuthError),
    /// An HID-coded error (`hid_error`), sent with the status of HID's table.
    Hid(HidError),
}

/// The host's answer to an extension grant.
#[derive(Debug, Clone, PartialEq)]
pub enum GrantAnswer {
    /// Issue tokens: the standard token response (RFC 6749 section 5.1).
    Tokens(GrantTokens),
    /// Send this JSON object with 200 (HID's `api_otp`: `{"otp": "..."}`), with the
    /// `Cache-Control: no-store` and `Pragma: no-cache` of every token response.
    Body(serde_json::Map<String, serde_json::Value>),
    /// Refuse the request.
    Error(GrantError),
}

/// Carry out an extension grant: the client is authenticated and allowed, the parameters
/// are checked; the host decides the outcome.
#[must_use = "a dropped step abandons the request"]
pub struct HandleExtensionGrant<'a> {
    flow: TokenFlow<'a>,
    spec: &'a ExtensionGrantSpec,
    scope: Scope,
}

impl<'a> HandleExtensionGrant<'a> {
    /// The `grant_type`.
    #[must_use]
    pub fn grant_type(&self) -> &str {
        &self.spec.grant_type
    }

    /// The grant's registration.
    #[must_use]
    pub fn spec(&self) -> &ExtensionGrantSpec {
        self.spec
    }

    /// The authenticated client.
    #[must_use]
    pub fn client(&self) -> Option<&Client> {
        self.flow.client()
    }

    /// The requested scope (the client's registered scope when none was requested),
    /// already checked against the registration.
    #[must_use]
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// A parameter the grant declares, or one of the profile's custom parameters.
    #[must_use]
    pub fn parameter(&self, name: &str) -> Option<&str> {
        lookup(&self.flow.extension, self.flow.hid.as_ref(), name)
    }

    /// The declared parameters present in the request, in declaration order.
    pub fn parameters(&self) -> impl Iterator<Item = (&str, &str)> {
        self.flow.extension.iter().map(|(n, v)| (*n, v.as_ref()))
    }

    /// HID's custom parameters, under the HID profile.
    #[must_use]
    pub fn hid(&self) -> Option<&HidParams<'a>> {
        self.flow.hid.as_ref()
    }

    /// The request's time.
    #[must_use]
    pub fn now(&self) -> u64 {
        self.flow.now
    }

    /// Answers with the outcome.
    pub fn resume(self, answer: GrantAnswer) -> TokenStep<'a> {
        let HandleExtensionGrant {
            mut flow, scope, ..
        } = self;
        match answer {
            GrantAnswer::Tokens(t) => {
                let granted = t.scope.unwrap_or_else(|| scope.clone());
                if !granted.is_subset_of(&scope) {
                    return flow.reject(
                        OAuthError::new(ErrorCode::ServerError, "internal error"),
                        Reason::Host("extension grant answered a wider scope"),
                    );
                }
                let refresh = t.refresh
                    && flow
                        .client()
                        .is_some_and(|c| c.has_grant(&GrantType::RefreshToken));
                let grant_id = GrantId(flow.entropy.id());
                issue::begin(
                    flow,
                    Grant {
                        grant_id,
                        scope: granted,
                        subject: t.subject,
                        nonce: None,
                        refresh,
                        id_token_extra: Vec::new(),
                        refresh_scope: None,
                        consume: None,
                    },
                )
            }
            GrantAnswer::Body(body) => TokenStep::Done(Done {
                response: Response::json(200, &body),
                outcome: Outcome::Succeeded {
                    client_id: flow.client().map(|c| c.id().to_owned()),
                    what: format!("extension grant: {}", flow.grant.as_str()).into(),
                },
            }),
            GrantAnswer::Error(GrantError::OAuth(e)) => {
                flow.reject(e, Reason::Host("extension grant refused"))
            }
            GrantAnswer::Error(GrantError::Hid(e)) => {
                let id = flow.client().map(|c| c.id().to_owned());
                flow.challenge(e.done(id.as_deref(), flow.auth.used_basic))
            }
        }
    }

    /// The host could not carry the grant out.
    pub fn fail(self, error: HostError) -> TokenStep<'a> {
        self.flow.fail(error)
    }
}
