//! The HID Authentication Service dialect of the token endpoint, built on the engine's
//! general mechanisms ([`crate::config::ExtensionGrantSpec`], Bearer client
//! authentication, [`crate::token::HandleExtensionGrant`]).
//!
//! What HID documents (docs.hidglobal.com, auth-service API reference, "Token Endpoint",
//! "Support of OAuth 2.0/OpenID Connect Specifications", "OpenID API Error Handling") and
//! where it lives here:
//! - the endpoint `POST /{tenant}/authn/token`, with client authentication by
//!   `Authorization: Bearer <access token>` (the samples of the authorization_code and
//!   password grants use it): [`crate::config::Profile::Hid`] turns it on; the token must
//!   be an active access token of the tenant issued by `client_credentials`, and the client
//!   it was issued to is the authenticated client;
//! - the proprietary grants [`CLIENT_SECRET_PKI`] (the client authenticates with its
//!   registered TLS certificate, `client_id` in the body), [`API_OTP`] (an OTP returned in
//!   the response, for the client to send to the user) and `ciba_delete`
//!   ([`crate::token::CIBA_DELETE`]);
//! - the custom parameters of [`HidParams`];
//! - the error members `hid_failure` and `hid_error` ([`HidFailure`], [`HidError`]);
//! - `auth_req_id` echoed in the token response of the CIBA grant.
//!
//! HID's pages do not say which status a missing permission gets, nor how an unknown
//! `mode` is answered; the engine follows RFC 6749 section 5.2 there (`unauthorized_client`
//! and `invalid_request`, both 400).

mod errors;
mod params;

pub use errors::{HidError, HidFailure, HidStatus, MAX_DETAIL};
pub use params::{HidParams, Mode, NO_TOKEN_PLACEHOLDER};

use crate::client::AuthMethod;
use crate::config::{Config, ExtensionGrantSpec, Profile};
use crate::token::GrantAnswer;

/// HID's grant for clients that authenticate with their registered TLS certificate.
pub const CLIENT_SECRET_PKI: &str = "urn:hid:oauth:grant-type:client-secret-pki";

/// HID's grant that returns a one-time password for the client to deliver.
pub const API_OTP: &str = "api_otp";

/// The extension grant `urn:hid:oauth:grant-type:client-secret-pki`: the client must have
/// authenticated by `tls_client_auth` or `self_signed_tls_client_auth` (RFC 8705); the host
/// answers with tokens.
#[must_use]
pub fn client_secret_pki() -> ExtensionGrantSpec {
    ExtensionGrantSpec {
        auth_methods: vec![
            AuthMethod::TlsClientAuth,
            AuthMethod::SelfSignedTlsClientAuth,
        ],
        ..ExtensionGrantSpec::new(CLIENT_SECRET_PKI)
    }
}

/// The extension grant `api_otp`: `username` and `authType` are required, the client must
/// hold `permission`; the host answers with [`otp`].
#[must_use]
pub fn api_otp(permission: &str) -> ExtensionGrantSpec {
    ExtensionGrantSpec {
        required: vec!["username".to_owned(), "authType".to_owned()],
        permission: Some(permission.to_owned()),
        ..ExtensionGrantSpec::new(API_OTP)
    }
}

/// Puts `config` under the HID profile and registers HID's extension grants, `api_otp`
/// requiring `otp_permission`.
pub fn apply(config: &mut Config, otp_permission: &str) {
    config.profile = Profile::Hid;
    for spec in [client_secret_pki(), api_otp(otp_permission)] {
        if config.extension_grant(&spec.grant_type).is_none() {
            config.extension_grants.push(spec);
        }
    }
}

/// The `api_otp` answer: the body `{"otp": "..."}`.
#[must_use]
pub fn otp(value: &str) -> GrantAnswer {
    let mut body = serde_json::Map::with_capacity(1);
    body.insert("otp".to_owned(), value.into());
    GrantAnswer::Body(body)
}
