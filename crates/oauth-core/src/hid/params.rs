//! HID's custom token request parameters, read under [`crate::config::Profile::Hid`] and
//! handed to the host unchanged once validated.
//!
//! Source: HID Authentication Service, "Token Endpoint" (docs.hidglobal.com, auth-service
//! API reference): `device_id`, `device_externalid`, `mode`, `authType`, `channel`,
//! `noToken`, `deviceCentric`. Values are bounded by the form limits ([`crate::limits`]).

use std::borrow::Cow;

use crate::error::{ErrorCode, OAuthError};
use crate::form::Form;

/// HID's `mode` parameter: how an authentication is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// `SYNCHRONOUS` (the default).
    #[default]
    Synchronous,
    /// `ASYNCHRONOUS`.
    Asynchronous,
    /// `SIGNING`.
    Signing,
    /// `CHALLENGE`.
    Challenge,
    /// `SIGN_SYNCHRONOUS`.
    SignSynchronous,
}

impl Mode {
    /// Every mode, in HID's order.
    pub const ALL: [Mode; 5] = [
        Mode::Synchronous,
        Mode::Asynchronous,
        Mode::Signing,
        Mode::Challenge,
        Mode::SignSynchronous,
    ];

    /// The wire value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Synchronous => "SYNCHRONOUS",
            Mode::Asynchronous => "ASYNCHRONOUS",
            Mode::Signing => "SIGNING",
            Mode::Challenge => "CHALLENGE",
            Mode::SignSynchronous => "SIGN_SYNCHRONOUS",
        }
    }

    /// Reads a wire value; HID spells them in capitals and nothing else is accepted.
    #[must_use]
    pub fn parse(value: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == value)
    }
}

/// HID's custom parameters of one token request, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HidParams<'a> {
    /// `device_id`: the internal id of the user's device.
    pub device_id: Option<Cow<'a, str>>,
    /// `device_externalid`: the external id (serial number) of the user's device.
    pub device_externalid: Option<Cow<'a, str>>,
    /// `mode` (default [`Mode::Synchronous`]).
    pub mode: Mode,
    /// `authType`: the authentication policy code (`AT_STDPWD`, `AT_SMSOTP`, ...).
    pub auth_type: Option<Cow<'a, str>>,
    /// `channel`: the channel code (`CH_DIRECT`, ...).
    pub channel: Option<Cow<'a, str>>,
    /// `noToken=1`: authenticate only; the response's `access_token` is the placeholder
    /// [`NO_TOKEN_PLACEHOLDER`] and nothing is stored.
    pub no_token: bool,
    /// `deviceCentric=1`: the user is identified by the device (`device_id` or
    /// `device_externalid` is then required), so `username` may be a placeholder the host
    /// resolves; the engine passes it unchanged.
    pub device_centric: bool,
}

impl HidParams<'_> {
    /// A copy that borrows nothing from the request.
    #[must_use]
    pub fn into_owned(&self) -> HidParams<'static> {
        let own = |v: &Option<Cow<'_, str>>| v.as_deref().map(|s| Cow::Owned(s.to_owned()));
        HidParams {
            device_id: own(&self.device_id),
            device_externalid: own(&self.device_externalid),
            mode: self.mode,
            auth_type: own(&self.auth_type),
            channel: own(&self.channel),
            no_token: self.no_token,
            device_centric: self.device_centric,
        }
    }

    /// A parameter by its wire name, for hosts and extension grants that ask by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "device_id" => self.device_id.as_deref(),
            "device_externalid" => self.device_externalid.as_deref(),
            "mode" => Some(self.mode.as_str()),
            "authType" => self.auth_type.as_deref(),
            "channel" => self.channel.as_deref(),
            "noToken" => Some(if self.no_token { "1" } else { "0" }),
            "deviceCentric" => Some(if self.device_centric { "1" } else { "0" }),
            _ => None,
        }
    }
}

/// The `access_token` value of a `noToken=1` response: base64 of one space, as HID sends.
pub const NO_TOKEN_PLACEHOLDER: &str = "IA==";

fn invalid(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequest, description)
}

/// A `0`/`1` flag; anything else is refused.
fn flag(value: Option<Cow<'_, str>>, description: &'static str) -> Result<bool, OAuthError> {
    match value.as_deref() {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(_) => Err(invalid(description)),
    }
}

impl<'a> HidParams<'a> {
    /// Takes HID's parameters out of the form and checks them: `mode` is one of the five
    /// values, `noToken` and `deviceCentric` are `0` or `1`, and `deviceCentric=1` names a
    /// device. Each failure is `invalid_request` (RFC 6749 section 5.2).
    pub(crate) fn take(form: &mut Form<'a>) -> Result<Self, OAuthError> {
        // An empty value counts as absent (RFC 6749 section 3.1; the form parser drops it).
        let device_id = form.take("device_id");
        let device_externalid = form.take("device_externalid");
        let mode = match form.take("mode") {
            None => Mode::Synchronous,
            Some(m) => Mode::parse(&m).ok_or(invalid(
                "mode must be SYNCHRONOUS, ASYNCHRONOUS, SIGNING, CHALLENGE or SIGN_SYNCHRONOUS",
            ))?,
        };
        let auth_type = form.take("authType");
        let channel = form.take("channel");
        let no_token = flag(form.take("noToken"), "noToken must be 0 or 1")?;
        let device_centric = flag(form.take("deviceCentric"), "deviceCentric must be 0 or 1")?;
        if device_centric && device_id.is_none() && device_externalid.is_none() {
            return Err(invalid(
                "deviceCentric=1 requires device_id or device_externalid",
            ));
        }
        Ok(HidParams {
            device_id,
            device_externalid,
            mode,
            auth_type,
            channel,
            no_token,
            device_centric,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;

    fn take(body: &str) -> Result<HidParams<'_>, OAuthError> {
        let mut form =
            Form::parse(body.as_bytes(), &Limits::default()).map_err(|_| invalid("x"))?;
        HidParams::take(&mut form)
    }

    #[test]
    fn defaults_and_values() {
        assert_eq!(take(""), Ok(HidParams::default()));
        let p = take(
            "mode=SIGN_SYNCHRONOUS&noToken=1&deviceCentric=1&device_externalid=SN-1&authType=AT_STDPWD&channel=CH_DIRECT",
        );
        let p = p.ok().unwrap_or_default();
        assert_eq!(p.mode, Mode::SignSynchronous);
        assert!(p.no_token && p.device_centric);
        assert_eq!(p.device_externalid.as_deref(), Some("SN-1"));
        assert_eq!(p.auth_type.as_deref(), Some("AT_STDPWD"));
        assert_eq!(p.channel.as_deref(), Some("CH_DIRECT"));
    }

    #[test]
    fn refusals() {
        for bad in [
            "mode=synchronous",
            "mode=PUSH",
            "noToken=2",
            "noToken=true",
            "deviceCentric=yes",
            "deviceCentric=1",
            "deviceCentric=1&device_id=",
        ] {
            assert!(take(bad).is_err(), "{bad}");
        }
    }
}
