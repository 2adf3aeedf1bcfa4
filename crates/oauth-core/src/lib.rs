//! A sans-IO OAuth 2.0 / OpenID Connect authorization-server engine.
//!
//! The engine does no I/O. One call per endpoint turns a received request into the first
//! step of a flow; each step is a value offering exactly one way forward (`resume` with
//! the only legal answer, or `fail`), and the flow ends in [`Done`]: the response to send
//! and a typed outcome for the audit log. Time and randomness come in through [`Context`];
//! everything that touches the outside world leaves as a step.
//!
//! Map:
//! - [`token`]: the token endpoint and its grants, including a tenant's own extension
//!   grants (RFC 6749 section 4.5).
//! - [`hid`]: HID Authentication Service's dialect of the token endpoint, built on the
//!   general mechanisms below.
//! - [`auth`]: client authentication, shared by every endpoint.
//! - [`authorize`]: PAR, request objects and the authorization endpoint.
//! - [`ciba`]: the backchannel authentication endpoint and the device's decision.
//! - [`client`]: registered clients, from RFC 7591 metadata.
//! - [`records`]: what the host stores between requests, and the store duties.
//! - [`introspect`], [`revoke`]: RFC 7662 introspection and RFC 7009 revocation.
//! - [`drive`]: a synchronous driver over a [`drive::Backend`].
//! - [`form`], [`request`], [`response`], [`error`]: the HTTP surface and wire errors.
//!
//! # Extension grants and dialects
//!
//! A tenant adds grant types with [`config::ExtensionGrantSpec`] in
//! [`Config::extension_grants`]: the parameters it requires and accepts, a permission the
//! client must hold ([`ClientMetadata::permissions`]), the authentication methods it allows.
//! The token endpoint authenticates the client as for any grant, checks it is registered for
//! the grant (`unauthorized_client`), that it used an allowed method and holds the
//! permission (`unauthorized_client`), that the required parameters are present
//! (`invalid_request`) and the scope is within its registration (`invalid_scope`); then it
//! asks the host through [`token::HandleExtensionGrant`]. The host answers with a
//! [`token::GrantAnswer`]: tokens (issued, signed and persisted by the same path as every
//! other grant), a JSON body of its own, or a typed error.
//!
//! [`Config::profile`] selects the token endpoint's dialect. [`Profile::Hid`] adds client
//! authentication by `Authorization: Bearer` with an access token the client obtained by
//! `client_credentials` (found through [`steps::LookupToken`], the step introspection
//! uses), HID's custom parameters, its error members and `auth_req_id` in CIBA token
//! responses; [`hid::apply`] also registers HID's grants as extension grants.
#![forbid(unsafe_code)]
// Flows hand their terminal step back by value; boxing it would cost an allocation per
// error response on the hot path.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod authorize;
pub mod ciba;
pub mod client;
pub mod config;
pub mod drive;
mod entropy;
pub mod error;
pub mod form;
pub mod hid;
pub mod introspect;
pub mod limits;
pub mod mtls;
pub mod outcome;
pub mod pkce;
pub mod records;
pub mod request;
pub mod response;
pub mod revoke;
pub mod scope;
pub mod secret;
pub mod steps;
pub mod token;

pub use client::{AuthMethod, Client, ClientMetadata, GrantType};
pub use config::{
    AccessTokenFormat, AssertionAudience, CibaConfig, Config, ExtensionGrantSpec, Profile,
    SigningSpec,
};
pub use entropy::Context;
pub use error::{ErrorCode, HostError, OAuthError, Reason};
pub use outcome::{Done, Outcome};
pub use request::{HttpRequest, Method};
pub use response::Response;
pub use token::{TokenEndpoint, TokenStep};
