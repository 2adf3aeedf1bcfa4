//! Pushed authorization requests (RFC 9126), request objects (RFC 9101) and the
//! authorization endpoint that consumes them and issues codes for the token endpoint.

mod endpoint;
mod par;
pub mod params;
mod request_object;

pub use endpoint::{
    Authenticate, Authentication, AuthorizeEndpoint, AuthorizeFlow, AuthorizeStep, Consent,
    ConsentAnswer, Interaction, InteractionKind, LoadPushed, TakePushed,
};
pub use par::{ParEndpoint, ParFlow, ParRecord, ParStep, REQUEST_URI_PREFIX};
pub use params::{AuthorizationRequest, ResponseMode};
