//! The server's answers to HID's extension grants (`oauth_core::hid`), for tenants under
//! `profile = "hid"`: `urn:hid:oauth:grant-type:client-secret-pki` issues tokens about the
//! certificate-authenticated client, and `api_otp` returns a fresh one-time password for a
//! configured user, for the client to deliver. A deployment with a real OTP service
//! replaces [`DemoGrants`] with its own [`GrantHandler`].

use std::sync::Arc;

use oauth_core::HostError;
use oauth_core::error::{ErrorCode, OAuthError};
use oauth_core::hid;
use oauth_core::token::{GrantAnswer, GrantError, GrantTokens, HandleExtensionGrant};

use crate::backend::{BoxFuture, GrantHandler};
use crate::users::ConfigUsers;

/// How many digits the demo's OTPs have.
const OTP_DIGITS: u32 = 8;

/// HID's grants against the configured users.
pub struct DemoGrants {
    users: Arc<ConfigUsers>,
}

impl DemoGrants {
    /// Answers for these users.
    #[must_use]
    pub fn new(users: Arc<ConfigUsers>) -> Self {
        DemoGrants { users }
    }

    fn answer(&self, request: &HandleExtensionGrant<'_>) -> Result<GrantAnswer, HostError> {
        match request.grant_type() {
            hid::CLIENT_SECRET_PKI => Ok(GrantAnswer::Tokens(GrantTokens::default())),
            hid::API_OTP => {
                let known = request
                    .parameter("username")
                    .is_some_and(|u| self.users.by_name(u).is_some());
                if !known {
                    return Ok(GrantAnswer::Error(GrantError::OAuth(OAuthError::new(
                        ErrorCode::InvalidGrant,
                        "the user is unknown",
                    ))));
                }
                Ok(hid::otp(&otp()?))
            }
            _ => Err(HostError::Internal),
        }
    }
}

/// A fresh OTP of [`OTP_DIGITS`] digits from [`crate::backend::random_bytes`].
fn otp() -> Result<String, HostError> {
    let bytes = crate::backend::random_bytes()?;
    let mut n = [0u8; 8];
    n.copy_from_slice(bytes.get(..8).ok_or(HostError::Internal)?);
    // The modulo bias of 10^8 over 2^64 is below 10^-10.
    let value = u64::from_le_bytes(n) % 10u64.pow(OTP_DIGITS);
    Ok(format!("{value:0width$}", width = OTP_DIGITS as usize))
}

impl GrantHandler for DemoGrants {
    fn handle<'a>(
        &'a self,
        request: &'a HandleExtensionGrant<'_>,
    ) -> BoxFuture<'a, Result<GrantAnswer, HostError>> {
        Box::pin(std::future::ready(self.answer(request)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn otps_have_eight_digits() {
        for _ in 0..20 {
            let o = super::otp().unwrap_or_default();
            assert!(o.len() == 8 && o.bytes().all(|b| b.is_ascii_digit()), "{o}");
        }
    }
}
