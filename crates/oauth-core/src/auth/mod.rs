//! Client authentication at every endpoint that takes it (RFC 6749 section 2.3, RFC 7521
//! and 7523, RFC 8705, OpenID Connect Core section 9): the credentials found in a request,
//! and their check against the registered client.
//!
//! The flows use it in two halves around the host's client lookup: `Presented::extract`
//! before, `Presented::verify` after; a client assertion then needs the replay step.

mod assertion;
mod basic;
mod bearer;

use std::borrow::Cow;

use crate::client::{AuthMethod, Client, Credential};
use crate::config::Config;
use crate::error::{ErrorCode, OAuthError};
use crate::form::Form;
use crate::mtls::{self, ClientCertificate};
use crate::request::{Header, HttpRequest};
use crate::secret::TokenHash;

pub use assertion::JWT_BEARER;
pub(crate) use bearer::{CHALLENGE as BEARER_CHALLENGE, tried as tried_bearer};

/// Why client authentication failed. Logged, never sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// No `client_id` and no credentials.
    NoClient,
    /// The `client_id` is longer than allowed.
    ClientIdTooLong,
    /// No client has this id.
    UnknownClient,
    /// More than one authentication mechanism in one request (RFC 6749 section 2.3).
    MultipleMethods,
    /// The `Authorization` header appears more than once.
    RepeatedAuthorization,
    /// The `Authorization` value is not valid Basic credentials.
    MalformedBasic,
    /// An `Authorization` scheme other than Basic.
    UnsupportedScheme,
    /// The body `client_id` differs from the authenticated one.
    ClientIdMismatch,
    /// The mechanism used is not the one the client registered.
    MethodNotRegistered {
        /// What the request used.
        used: AuthMethod,
        /// What the client registered.
        registered: AuthMethod,
    },
    /// The secret is wrong.
    SecretMismatch,
    /// `client_assertion_type` is absent or not the JWT bearer URN.
    AssertionType,
    /// The assertion failed parsing, signature or claim checks.
    Assertion(jwt_verify::Error),
    /// The assertion's `alg` is not allowed for this client.
    AssertionAlgorithm,
    /// The assertion's `jti` was seen before.
    AssertionReplayed,
    /// A certificate-bound client presented no certificate.
    NoCertificate,
    /// The certificate could not be parsed.
    CertificateMalformed,
    /// The certificate does not match the registration.
    CertificateMismatch,
    /// The `Authorization: Bearer` value is malformed, or Bearer client authentication is
    /// not enabled for the tenant.
    MalformedBearer,
    /// The Bearer token is not an active access token of this tenant issued by
    /// `client_credentials`.
    BearerTokenInvalid,
}

impl AuthFailure {
    /// The wire error: `invalid_request` for a malformed request, `invalid_client`
    /// (401) for everything else.
    #[must_use]
    pub fn to_error(&self) -> OAuthError {
        match self {
            AuthFailure::MultipleMethods => OAuthError::new(
                ErrorCode::InvalidRequest,
                "more than one client authentication method",
            ),
            AuthFailure::ClientIdTooLong => {
                OAuthError::new(ErrorCode::InvalidRequest, "client_id too long")
            }
            AuthFailure::RepeatedAuthorization => {
                OAuthError::new(ErrorCode::InvalidRequest, "Authorization header repeated")
            }
            AuthFailure::AssertionType => OAuthError::new(
                ErrorCode::InvalidClient,
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            AuthFailure::AssertionReplayed => OAuthError::new(
                ErrorCode::InvalidClient,
                "client assertion was already used",
            ),
            AuthFailure::Assertion(_) | AuthFailure::AssertionAlgorithm => {
                OAuthError::new(ErrorCode::InvalidClient, "client assertion is invalid")
            }
            _ => OAuthError::new(ErrorCode::InvalidClient, "client authentication failed"),
        }
    }
}

/// The credentials a request carries, before the client is known.
#[derive(Debug)]
pub(crate) struct Presented<'a> {
    client_id: Cow<'a, str>,
    mechanism: Mechanism<'a>,
    /// The client tried HTTP Basic: a 401 must challenge with Basic.
    pub(crate) used_basic: bool,
    certificate: Option<&'a [u8]>,
    certificate_chain_verified: bool,
}

#[derive(Debug)]
enum Mechanism<'a> {
    Basic(String),
    Post(Cow<'a, str>),
    Assertion(Cow<'a, str>),
    /// An access token the client obtained by `client_credentials` (HID profile); `true`
    /// once the token was found and named this client.
    Bearer(TokenHash, bool),
    /// No credential in the request: a public client, or one authenticated by its TLS
    /// certificate.
    None,
}

/// A verified assertion's `jti`, to be consumed through the replay step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The store key: a hash of the client id and the `jti`.
    pub key: TokenHash,
    /// When the entry may be forgotten: the assertion's `exp` plus leeway.
    pub expires_at: u64,
}

impl<'a> Presented<'a> {
    /// Finds the credentials in the request and the form, refusing ambiguity.
    pub(crate) fn extract(
        request: &HttpRequest<'a>,
        form: &mut Form<'a>,
        config: &Config,
    ) -> Result<Self, (AuthFailure, bool)> {
        let basic = match request.authorization {
            Header::Absent => None,
            Header::Repeated => return Err((AuthFailure::RepeatedAuthorization, true)),
            Header::Once(v) => {
                if v.len() > config.limits.max_authorization {
                    return Err((AuthFailure::MalformedBasic, true));
                }
                Some(basic::parse(v).map_err(|e| (e, true))?)
            }
        };
        let used_basic = basic.is_some();
        let secret = form.take("client_secret");
        let assertion = form.take("client_assertion");
        let assertion_type = form.take("client_assertion_type");
        let count = usize::from(basic.is_some())
            + usize::from(secret.is_some())
            + usize::from(assertion.is_some());
        if count > 1 {
            return Err((AuthFailure::MultipleMethods, used_basic));
        }
        let body_id = form.take("client_id");
        if assertion_type.is_some() && assertion.is_none() {
            return Err((AuthFailure::AssertionType, used_basic));
        }
        let (client_id, mechanism): (Cow<'a, str>, Mechanism<'a>) = match (basic, secret, assertion)
        {
            (Some((id, secret)), _, _) => {
                if body_id.as_ref().is_some_and(|b| *b != id) {
                    return Err((AuthFailure::ClientIdMismatch, true));
                }
                (Cow::Owned(id), Mechanism::Basic(secret))
            }
            (None, Some(secret), _) => (
                body_id.ok_or((AuthFailure::NoClient, false))?,
                Mechanism::Post(secret),
            ),
            (None, None, Some(jwt)) => {
                if assertion_type.as_deref() != Some(JWT_BEARER) {
                    return Err((AuthFailure::AssertionType, false));
                }
                let id = match body_id {
                    Some(id) => id,
                    None => Cow::Owned(
                        assertion::subject_hint(&jwt).ok_or((AuthFailure::NoClient, false))?,
                    ),
                };
                (id, Mechanism::Assertion(jwt))
            }
            (None, None, None) => (
                body_id.ok_or((AuthFailure::NoClient, false))?,
                Mechanism::None,
            ),
        };
        if client_id.len() > config.limits.max_client_id {
            return Err((AuthFailure::ClientIdTooLong, used_basic));
        }
        Ok(Presented {
            client_id,
            mechanism,
            used_basic,
            certificate: request.client_certificate,
            certificate_chain_verified: request.certificate_chain_verified,
        })
    }

    /// The client id to look up.
    pub(crate) fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Checks the credentials against the registered client. `endpoint` is the URL of the
    /// endpoint that received the request (an accepted assertion audience). Returns the
    /// replay entry to consume when the client used an assertion.
    pub(crate) fn verify(
        &self,
        client: &Client,
        config: &Config,
        endpoint: &str,
        now: u64,
    ) -> Result<Option<Replay>, AuthFailure> {
        let registered = client.auth_method();
        if let Mechanism::Bearer(_, found) = &self.mechanism {
            // The token was issued to this client after it authenticated with its
            // registered method (checked when the token was looked up).
            return if *found && client.is_confidential() {
                Ok(None)
            } else {
                Err(AuthFailure::BearerTokenInvalid)
            };
        }
        let used = match (&self.mechanism, registered) {
            // A Bearer token was answered above; the arm only keeps the match exhaustive.
            (Mechanism::Basic(_) | Mechanism::Bearer(..), _) => AuthMethod::ClientSecretBasic,
            (Mechanism::Post(_), _) => AuthMethod::ClientSecretPost,
            (Mechanism::Assertion(_), AuthMethod::PrivateKeyJwt) => AuthMethod::PrivateKeyJwt,
            (Mechanism::Assertion(_), _) => AuthMethod::ClientSecretJwt,
            (
                Mechanism::None,
                m @ (AuthMethod::TlsClientAuth | AuthMethod::SelfSignedTlsClientAuth),
            ) => m,
            (Mechanism::None, _) => AuthMethod::None,
        };
        if used != registered {
            return Err(AuthFailure::MethodNotRegistered { used, registered });
        }
        match (&self.mechanism, &client.credential) {
            (Mechanism::Basic(secret), Credential::Secret(s)) => s
                .matches(secret.as_bytes())
                .then_some(None)
                .ok_or(AuthFailure::SecretMismatch),
            (Mechanism::Post(secret), Credential::Secret(s)) => s
                .matches(secret.as_bytes())
                .then_some(None)
                .ok_or(AuthFailure::SecretMismatch),
            (Mechanism::Assertion(jwt), _) => {
                assertion::verify(jwt, client, config, endpoint, now).map(Some)
            }
            (Mechanism::None, Credential::Tls(binding)) => {
                // RFC 8705 section 2.1: the subject is trusted only through a validated chain.
                if self.certificate.is_some() && !self.certificate_chain_verified {
                    return Err(AuthFailure::CertificateMismatch);
                }
                let cert = self.certificate()?;
                mtls::matches_tls_client_auth(&cert, binding)
                    .then_some(None)
                    .ok_or(AuthFailure::CertificateMismatch)
            }
            (Mechanism::None, Credential::SelfSigned(jwks)) => {
                let cert = self.certificate()?;
                mtls::matches_self_signed(&cert, jwks)
                    .then_some(None)
                    .ok_or(AuthFailure::CertificateMismatch)
            }
            (Mechanism::None, Credential::Public) => Ok(None),
            _ => Err(AuthFailure::MethodNotRegistered { used, registered }),
        }
    }

    fn certificate(&self) -> Result<ClientCertificate, AuthFailure> {
        let der = self.certificate.ok_or(AuthFailure::NoCertificate)?;
        ClientCertificate::from_der(der).map_err(|_| AuthFailure::CertificateMalformed)
    }
}
