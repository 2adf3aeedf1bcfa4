//! What the user agent sees of the authorization endpoint: the redirect back to the client
//! (query or fragment), the auto-submitted `form_post` page, and the error page shown when
//! the redirect URI cannot be trusted. Also the requests a browser makes (GET and POST) and
//! a raw request to the PAR endpoint.

use oauth_core::drive::{self, AuthorizeEnd};
use oauth_core::{Done, HttpRequest};

use crate::{Reply, TestKit, encode_form};

impl TestKit {
    /// POSTs a form to the authorization endpoint (OIDC Core section 3.1.2.1 allows GET
    /// and POST), with `Content-Type: application/x-www-form-urlencoded`.
    pub fn authorize_post(&mut self, form: &[(&str, &str)]) -> AuthorizeEnd {
        let body = encode_form(form);
        let request = HttpRequest::post(body.as_bytes())
            .header("Content-Type", b"application/x-www-form-urlencoded");
        self.authorize_request(&request)
    }

    /// Runs any request through the authorization endpoint.
    pub fn authorize_request(&mut self, request: &HttpRequest<'_>) -> AuthorizeEnd {
        let config = self.config.clone();
        let ctx = self.context();
        let step = oauth_core::authorize::AuthorizeEndpoint::start(&config, request, ctx);
        drive::drive_authorize(step, self)
    }

    /// Runs any request through the PAR endpoint (other methods, raw bodies).
    pub fn par_request(&mut self, request: &HttpRequest<'_>) -> Reply {
        let config = self.config.clone();
        let ctx = self.context();
        let step = oauth_core::authorize::ParEndpoint::start(&config, request, ctx);
        Reply::from(drive::drive_par(step, self))
    }
}

/// A redirect to the client, split into the URI it went to and its decoded parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The status (303).
    pub status: u16,
    /// The whole `Location` value.
    pub location: String,
    /// The `Location` up to the `?` or `#` that starts the parameters.
    pub base: String,
    /// True when the parameters travel in the fragment.
    pub in_fragment: bool,
    /// Every parameter of the query (or fragment), decoded, in order, including any the
    /// redirect URI carried itself.
    pub params: Vec<(String, String)>,
    /// The query parameters when the response went in the fragment.
    pub query: Vec<(String, String)>,
}

impl Redirect {
    /// The one value of a parameter (`None` when absent).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// How many times a parameter occurs.
    #[must_use]
    pub fn count(&self, name: &str) -> usize {
        self.params.iter().filter(|(k, _)| k == name).count()
    }
}

/// The redirect a flow ended in, if it ended in one (a 3xx with a `Location`).
#[must_use]
pub fn redirect_of(end: &AuthorizeEnd) -> Option<Redirect> {
    let AuthorizeEnd::Done(done) = end else {
        return None;
    };
    let status = done.response.status;
    if !(300..400).contains(&status) {
        return None;
    }
    let location = done.response.header("Location")?.to_owned();
    let (before_fragment, fragment) = match location.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (location.as_str(), None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((b, q)) => (b, q),
        None => (before_fragment, ""),
    };
    let query = parse_pairs(query)?;
    let (params, in_fragment, query) = match fragment {
        Some(f) => (parse_pairs(f)?, true, query),
        None => (query, false, Vec::new()),
    };
    Some(Redirect {
        status,
        base: if in_fragment {
            before_fragment.to_owned()
        } else {
            base.to_owned()
        },
        location,
        in_fragment,
        params,
        query,
    })
}

/// The error code of the page shown to the user when the flow refused to redirect: a 400
/// HTML response without `Location`. `None` for anything else.
#[must_use]
pub fn error_page_code(end: &AuthorizeEnd) -> Option<String> {
    let AuthorizeEnd::Done(done) = end else {
        return None;
    };
    error_page_code_of(done)
}

/// [`error_page_code`] for a finished flow.
#[must_use]
pub fn error_page_code_of(done: &Done) -> Option<String> {
    let r = &done.response;
    if r.status != 400 || r.header("Location").is_some() {
        return None;
    }
    if !r
        .header("Content-Type")
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("text/html"))
    {
        return None;
    }
    let body = core::str::from_utf8(&r.body).ok()?;
    let start = body.find("<code>")? + "<code>".len();
    let len = body.get(start..)?.find("</code>")?;
    body.get(start..start + len).map(str::to_owned)
}

/// The `form_post` page a flow ended in: its form's `action` and hidden fields, decoded
/// from HTML. `None` unless the response is a 200 HTML page with a POST form.
#[must_use]
pub fn form_post_of(end: &AuthorizeEnd) -> Option<(String, Vec<(String, String)>)> {
    let AuthorizeEnd::Done(done) = end else {
        return None;
    };
    let r = &done.response;
    if r.status != 200 || r.header("Location").is_some() {
        return None;
    }
    let body = core::str::from_utf8(&r.body).ok()?;
    let form = body.get(body.find("<form")?..)?;
    if !form.starts_with("<form method=\"post\"") {
        return None;
    }
    let action = html_unescape(attribute(form, "action")?);
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find("<input") {
        let tag_start = rest.get(i..)?;
        let tag = tag_start.get(..tag_start.find('>')?)?;
        if attribute(tag, "type") == Some("hidden") {
            fields.push((
                html_unescape(attribute(tag, "name")?),
                html_unescape(attribute(tag, "value")?),
            ));
        }
        rest = tag_start.get(tag.len()..)?;
    }
    Some((action, fields))
}

/// The raw value of `name="..."` in an HTML tag (values are HTML-escaped, so they hold no
/// `"`).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag.get(start..)?.find('"')?;
    tag.get(start..start + len)
}

/// Decodes the five entities the engine writes (`&amp;`, `&lt;`, `&gt;`, `&quot;`,
/// `&#39;`).
#[must_use]
pub fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Decodes `a=b&c=d` (percent-encoding, `+` as space); `None` when it is not well formed.
#[must_use]
pub fn parse_pairs(s: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        out.push((percent_decode(k)?, percent_decode(v)?));
    }
    Some(out)
}

/// Percent-decodes a query component (`+` is a space); `None` for a bad escape or bytes
/// that are not UTF-8.
#[must_use]
pub fn percent_decode(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = char::from(it.next()?).to_digit(16)?;
                let lo = char::from(it.next()?).to_digit(16)?;
                bytes.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// A 2048-bit RSA private key (PKCS#8), made with `openssl genpkey -algorithm RSA
/// -pkeyopt rsa_keygen_bits:2048`, for RS256 client assertions and request objects in the
/// PAR and authorization endpoint tests. A fixture, not a secret.
pub const PAR_RSA_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCWzZDMrfnWheMB
cqKldAgoVPqgTHIuIFBPYQylt3fqYwPwCjgTVBi7hUgHjUY7RLJ/6t9hPsuyxve3
jxCflCtoxDlsifEupjUovvAo0FcxRBDq0FfPSIsve8M2DlHxe+/oLN+De/JU47mg
zTE15toldfWCg7lpoLMtJMrIQoa+f67+5HJpLzA6Q8al7p6VN/zhwQ+nSxIWfQYs
bgPgsOqaMSKv3rYQqup0RDLOajd8sd1rTgKIt770pOrycuGs8PhNqyxCFOY5DrAg
EAI8pjCAlAtUxVVQt7yiNdd3gnVtQ72YBTGyvwrwrUtaqbmrmhVNqNtGAyvncxPf
U2FVl4SzAgMBAAECggEAMgFFMBHKhB+OWCcOlsWEhPc0yh2/SNtPNhssyfCt80tU
/W4uDP64WsoFyfdHIBUWCYO1AbaEbio67yOh9AB6anmSvxJ4pqrXesThtu7q0rvK
zko6q9HW0W59GzohYu1hboAet6dMgmim35La7BA6KuzT9ay/OS7f6yrFkSU6MAV9
jtJhxetRGJbbf9UmIqDdA2hvsIKeLvVq9gRsPRokOZakHHPjTEQa4DFX2UGUJj/M
4dPdxMGxEMLAQDdjlKt5zNdGtVFLiMWX2ychWVFhRw5lqNur/60UwrT8MX83jz0L
auzyMa8kLwVQvnVCj5K32FbxSYtjOD3aawhDVL3FQQKBgQDF/j6UdU4mOcLLq6Fy
lP32p4phU+vnQoY76VUxHhZqI+3CIvjtbdENBoc8W37jXl4PqVrfdsEfLQQ1Y75Y
XR4PT5A7uQBhQFVgCDg/zzY8OOHc2uQwu21KDGHamRjDDcE8EjLLw6/qsMYYbvHE
GTWpQbNt7xB2mw3vpNZs64HMcwKBgQDC+/7XW628hOzEf458uhT02rlzeof7sdv9
wPsZVy6P/coRoNXiLHS4E4Rz8QbFgps5o3o+AogodBdSwH+KOV1HqnKc16dTQLLx
trQ4AvK2bF8U+ZiFIoujvYk4betmuju3n5SrOptmRNJDMpyEaG8dDekrGyHj8jwm
kXPrxguWwQKBgQCFEFrkkXXlMNqe4QlPJZ0NAQp6YNlhgg8PAsETkqID0YO//psH
js95jpKi2OcNTeWvZuVA2+Hs3uc+LnvFjUdfiNxplusPcRovwTZ0hAFyNdRuBtpn
ef94TZwSOuQuavccNSrYUPrQot9vmlh3r22mBBbf4lRRMeIK1eCaMSj5ywKBgEPn
zxDhdNg60tp8MftuMu4zXnLBMaqOfrcZBloE6spq8HzDLrneEagp4+8c+ea/XZ/t
Nx1xdEniZF0FfWV+JOZYjiHhWPy9g5R6tLjtDepKQ7LiWiPDrC4STD/CyEC2iyWg
Bf68InKzdSbB8ZCLbmcH+TRx9pOUQS6NaXmrN04BAoGAdd19GC49HK+DyfQz4t5+
B/YllQ7sIeAxLWULV5Kt9JAY9MfUfdHOGUBhjkzllA57fi/jx01cB6wpEW5kBBni
OnMVaE+XA3Zphz+Jk+V3SmHwdpIKwhtODG2oZCjwA5P36OQd6/0Gizhp0yXErCd5
L2wx2BgnnmtTiwEEepBiu2g=
-----END PRIVATE KEY-----
";
