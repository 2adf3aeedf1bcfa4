//! Authorization request parameters (RFC 6749 section 4.1.1, OpenID Connect Core section
//! 3.1.2.1, RFC 7636 section 4.3, RFC 9126, PingOne's `mobilePayload`) and their
//! validation against the client, shared by the PAR and authorization endpoints.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::config::Config;
use crate::error::{ErrorCode, OAuthError};
use crate::form::Form;
use crate::pkce;
use crate::records::{ChallengeMethod, CodeChallenge};
use crate::scope::Scope;

/// Parameters as received (from a query, a form, a request object or a pushed request),
/// names and values decoded. Repeats were refused when they were parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawParams(pub Vec<(String, String)>);

impl RawParams {
    /// From a parsed form or query.
    #[must_use]
    pub fn from_form(form: &Form<'_>) -> Self {
        RawParams(
            form.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }

    /// The value of a parameter.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `response_mode` values (OAuth 2.0 Multiple Response Types, Form Post Response Mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// Parameters in the redirect's query.
    Query,
    /// Parameters in the redirect's fragment.
    Fragment,
    /// An auto-submitted HTML form POSTed to the redirect URI.
    FormPost,
}

/// A validated authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// The client.
    pub client_id: String,
    /// `response_type`, normalised (space-separated, sorted).
    pub response_type: String,
    /// The redirect URI responses go to.
    pub redirect_uri: String,
    /// Whether `redirect_uri` was in the request (then the token request must repeat it).
    pub redirect_uri_given: bool,
    /// Granted scope (requested, or the client's default).
    pub scope: Scope,
    /// `state`, echoed back.
    pub state: Option<String>,
    /// OIDC `nonce`.
    pub nonce: Option<String>,
    /// OIDC `prompt` values.
    pub prompt: Vec<String>,
    /// OIDC `max_age`, seconds.
    pub max_age: Option<u64>,
    /// `acr_values`.
    pub acr_values: Option<String>,
    /// `login_hint`.
    pub login_hint: Option<String>,
    /// PKCE challenge.
    pub code_challenge: Option<CodeChallenge>,
    /// How the response is returned.
    pub response_mode: ResponseMode,
    /// Parameters passed through to the host untouched (`mobilePayload`, `ui_locales`,
    /// `claims`, ...).
    pub extra: Vec<(String, String)>,
}

/// Parameters this module reads; everything else goes to [`AuthorizationRequest::extra`].
const KNOWN: [&str; 15] = [
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "prompt",
    "max_age",
    "acr_values",
    "login_hint",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "request",
    "request_uri",
];

/// Longest accepted `state` or `nonce`, in bytes.
pub const MAX_STATE: usize = 2048;

/// A validation failure: shown to the user when the redirect URI is not (yet) trusted,
/// otherwise sent to the client's redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Never redirect: the redirect URI or client is not established.
    Show(OAuthError),
    /// Redirect to the client with `error`, `state` and `iss`.
    Redirect {
        /// The error.
        error: OAuthError,
        /// Where.
        redirect_uri: String,
        /// The `state` to echo.
        state: Option<String>,
        /// How.
        mode: ResponseMode,
    },
}

fn err(code: ErrorCode, d: &'static str) -> OAuthError {
    OAuthError::new(code, d)
}

/// Validates `p` for `client` (RFC 6749 sections 3.1.2 and 4.1.1, RFC 7636 section 4.4,
/// OIDC Core section 3.1.2.2).
pub fn validate(
    p: &RawParams,
    client: &Client,
    config: &Config,
) -> Result<AuthorizationRequest, Invalid> {
    if p.get("client_id").is_some_and(|c| c != client.id()) {
        return Err(Invalid::Show(err(
            ErrorCode::InvalidRequest,
            "client_id does not match",
        )));
    }
    // RFC 6749 section 3.1.2.3: exact match with a registered URI; without one, the only
    // registered URI.
    let (redirect_uri, given) = match p.get("redirect_uri") {
        Some(u) if client.has_redirect_uri(u) => (u.to_owned(), true),
        Some(_) => {
            return Err(Invalid::Show(err(
                ErrorCode::InvalidRequest,
                "redirect_uri is not registered for this client",
            )));
        }
        None => match client.redirect_uris() {
            [only] => (only.clone(), false),
            _ => {
                return Err(Invalid::Show(err(
                    ErrorCode::InvalidRequest,
                    "redirect_uri is required",
                )));
            }
        },
    };
    let state = p.get("state").map(str::to_owned);
    if state.as_ref().is_some_and(|s| s.len() > MAX_STATE) {
        return Err(Invalid::Show(err(
            ErrorCode::InvalidRequest,
            "state is too long",
        )));
    }
    let response_type = normalise(p.get("response_type").unwrap_or_default());
    let default_mode = if response_type == "code" || response_type.is_empty() {
        ResponseMode::Query
    } else {
        ResponseMode::Fragment
    };
    let requested_mode = match p.get("response_mode") {
        None => Ok(default_mode),
        Some("query") => Ok(ResponseMode::Query),
        Some("fragment") => Ok(ResponseMode::Fragment),
        Some("form_post") => Ok(ResponseMode::FormPost),
        Some(_) => Err(()),
    };
    let redirect = |error: OAuthError, mode: ResponseMode| Invalid::Redirect {
        error,
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        mode,
    };
    let mode = requested_mode.map_err(|()| {
        redirect(
            err(ErrorCode::InvalidRequest, "unsupported response_mode"),
            default_mode,
        )
    })?;
    // Tokens must not travel in a query (OAuth 2.0 Multiple Response Types section 5).
    if mode == ResponseMode::Query && response_type != "code" && !response_type.is_empty() {
        return Err(redirect(
            err(
                ErrorCode::InvalidRequest,
                "response_mode query is not allowed for this response_type",
            ),
            default_mode,
        ));
    }
    let fail = |code: ErrorCode, d: &'static str| redirect(err(code, d), mode);
    if response_type.is_empty() {
        return Err(fail(ErrorCode::InvalidRequest, "response_type is required"));
    }
    if !SUPPORTED_RESPONSE_TYPES.contains(&response_type.as_str()) {
        return Err(fail(
            ErrorCode::UnsupportedResponseType,
            "response_type is not supported",
        ));
    }
    if !client.has_response_type(&response_type) {
        return Err(fail(
            ErrorCode::UnauthorizedClient,
            "the client is not registered for this response_type",
        ));
    }
    let scope = match p.get("scope") {
        None => client.scope().clone(),
        Some(s) => {
            Scope::parse(s).map_err(|_| fail(ErrorCode::InvalidScope, "scope is malformed"))?
        }
    };
    if !scope.is_subset_of(client.scope()) {
        return Err(fail(
            ErrorCode::InvalidScope,
            "scope exceeds what the client may request",
        ));
    }
    let nonce = p.get("nonce").map(str::to_owned);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_STATE) {
        return Err(fail(ErrorCode::InvalidRequest, "nonce is too long"));
    }
    if response_type.split(' ').any(|t| t == "id_token") && nonce.is_none() {
        return Err(fail(
            ErrorCode::InvalidRequest,
            "nonce is required when an ID token is returned from the authorization endpoint",
        ));
    }
    let prompt: Vec<String> = p
        .get("prompt")
        .map(|v| {
            v.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if prompt
        .iter()
        .any(|v| !["none", "login", "consent", "select_account"].contains(&v.as_str()))
        || (prompt.iter().any(|v| v == "none") && prompt.len() > 1)
    {
        return Err(fail(ErrorCode::InvalidRequest, "prompt is invalid"));
    }
    let max_age = match p.get("max_age") {
        None => None,
        Some(v) => Some(
            v.parse::<u64>()
                .ok()
                .filter(|_| v.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    fail(
                        ErrorCode::InvalidRequest,
                        "max_age must be a non-negative integer",
                    )
                })?,
        ),
    };
    let code_challenge = match (p.get("code_challenge"), p.get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(fail(
                ErrorCode::InvalidRequest,
                "code_challenge_method without code_challenge",
            ));
        }
        (Some(c), method) => {
            // RFC 7636 section 4.3: the default method is plain.
            let method = match method.unwrap_or("plain") {
                "S256" => ChallengeMethod::S256,
                "plain" if config.allow_plain_pkce => ChallengeMethod::Plain,
                "plain" => {
                    return Err(fail(
                        ErrorCode::InvalidRequest,
                        "code_challenge_method plain is not allowed; use S256",
                    ));
                }
                _ => {
                    return Err(fail(
                        ErrorCode::InvalidRequest,
                        "code_challenge_method is not supported",
                    ));
                }
            };
            if !pkce::is_valid_verifier(c) {
                return Err(fail(
                    ErrorCode::InvalidRequest,
                    "code_challenge is malformed",
                ));
            }
            Some(CodeChallenge {
                challenge: c.to_owned(),
                method,
            })
        }
    };
    let wants_code = response_type.split(' ').any(|t| t == "code");
    if wants_code && code_challenge.is_none() && (!client.is_confidential() || config.require_pkce)
    {
        return Err(fail(
            ErrorCode::InvalidRequest,
            "code_challenge is required (PKCE)",
        ));
    }
    let extra =
        p.0.iter()
            .filter(|(k, _)| !KNOWN.contains(&k.as_str()) && !k.starts_with("client_"))
            .cloned()
            .collect();
    Ok(AuthorizationRequest {
        client_id: client.id().to_owned(),
        response_type,
        redirect_uri,
        redirect_uri_given: given,
        scope,
        state,
        nonce,
        prompt,
        max_age,
        acr_values: p.get("acr_values").map(str::to_owned),
        login_hint: p.get("login_hint").map(str::to_owned),
        code_challenge,
        response_mode: mode,
        extra,
    })
}

/// Response types the endpoint issues.
pub const SUPPORTED_RESPONSE_TYPES: [&str; 1] = ["code"];

/// Space-separated values, sorted, single spaces.
fn normalise(v: &str) -> String {
    let mut parts: Vec<&str> = v.split(' ').filter(|s| !s.is_empty()).collect();
    parts.sort_unstable();
    parts.dedup();
    parts.join(" ")
}

/// Builds the redirect to the client carrying `params` as `mode` demands (query or
/// fragment), or `None` for `form_post`.
pub(crate) fn redirect_url(
    redirect_uri: &str,
    mode: ResponseMode,
    params: &[(&str, &str)],
) -> Option<String> {
    let sep = match mode {
        ResponseMode::Query if redirect_uri.contains('?') => '&',
        ResponseMode::Query => '?',
        ResponseMode::Fragment => '#',
        ResponseMode::FormPost => return None,
    };
    let mut url = String::with_capacity(redirect_uri.len() + 128);
    url.push_str(redirect_uri);
    for (i, (k, v)) in params.iter().enumerate() {
        url.push(if i == 0 { sep } else { '&' });
        url.push_str(k);
        url.push('=');
        encode_into(&mut url, v);
    }
    Some(url)
}

/// An auto-submitting HTML form for `form_post` (OAuth 2.0 Form Post Response Mode).
pub(crate) fn form_post_page(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let mut page = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Continue</title></head>\
         <body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"",
    );
    html_escape(&mut page, redirect_uri);
    page.push_str("\">");
    for (k, v) in params {
        page.push_str("<input type=\"hidden\" name=\"");
        html_escape(&mut page, k);
        page.push_str("\" value=\"");
        html_escape(&mut page, v);
        page.push_str("\">");
    }
    page.push_str(
        "<noscript><button type=\"submit\">Continue</button></noscript></form></body></html>",
    );
    page
}

/// Escapes text for an HTML attribute or body.
pub(crate) fn html_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Percent-encodes all but unreserved characters (RFC 3986 section 2.3).
pub(crate) fn encode_into(out: &mut String, value: &str) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}
