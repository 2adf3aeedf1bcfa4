//! Small HTTP helpers: the received request as the handlers see it, and responses.

use std::borrow::Cow;
use std::fmt::Write as _;

use bytes::Bytes;
use http_body_util::Full;

/// The response type of every route.
pub type Resp = http::Response<Full<Bytes>>;

/// The client's TLS certificate, put in the request's extensions by the TLS layer (or by an
/// embedding host's own TLS terminator) for the engine's mTLS client authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerCertificate {
    /// The leaf certificate, DER.
    pub der: Bytes,
    /// The chain was validated against a configured CA (RFC 8705 section 2.1, PKI mode).
    /// When false the handshake proved possession of the key only, which is what
    /// `self_signed_tls_client_auth` needs and all `tls_client_auth` must not rely on.
    pub chain_verified: bool,
}

/// A request whose body has been read within the limits.
#[derive(Debug)]
pub struct Incoming {
    /// Method.
    pub method: http::Method,
    /// Header fields.
    pub headers: http::HeaderMap,
    /// The query string without `?` (empty when absent).
    pub query: String,
    /// The body.
    pub body: Bytes,
    /// The client certificate, when one reached the server.
    pub certificate: Option<PeerCertificate>,
}

/// A response with a JSON body of already-encoded bytes.
pub fn json_bytes(body: Bytes, cache_control: &'static str) -> Resp {
    build(
        200,
        body,
        &[
            ("content-type", Cow::Borrowed("application/json")),
            ("cache-control", Cow::Borrowed(cache_control)),
        ],
    )
}

/// A JSON error (`{"error": ..., "error_description": ...}`).
pub fn json_error(status: u16, error: &str, description: &str) -> Resp {
    let body = serde_json::json!({ "error": error, "error_description": description }).to_string();
    build(
        status,
        Bytes::from(body),
        &[
            (
                "content-type",
                Cow::Borrowed("application/json;charset=UTF-8"),
            ),
            ("cache-control", Cow::Borrowed("no-store")),
        ],
    )
}

/// An HTML page with the pages' security headers.
pub fn html(status: u16, page: String) -> Resp {
    build(
        status,
        Bytes::from(page),
        &[
            ("content-type", Cow::Borrowed("text/html;charset=UTF-8")),
            ("cache-control", Cow::Borrowed("no-store")),
            ("content-security-policy", Cow::Borrowed(crate::pages::CSP)),
            ("x-frame-options", Cow::Borrowed("DENY")),
            ("referrer-policy", Cow::Borrowed("no-referrer")),
            ("x-content-type-options", Cow::Borrowed("nosniff")),
        ],
    )
}

/// A 303 See Other to a relative or absolute location.
pub fn redirect(location: &str) -> Resp {
    build(
        303,
        Bytes::new(),
        &[
            ("location", Cow::Owned(location.to_owned())),
            ("cache-control", Cow::Borrowed("no-store")),
        ],
    )
}

/// The engine's response as an `http` response. A header the engine produced that is not
/// a valid header value (it never should be) turns the response into a 500.
pub fn from_engine(r: oauth_core::Response) -> Resp {
    let mut out = http::Response::new(Full::new(Bytes::from(r.body)));
    *out.status_mut() =
        http::StatusCode::from_u16(r.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    headers.reserve(r.headers.len() + 1);
    for (name, value) in r.headers {
        let (Some(n), Some(v)) = (header_name(name), header_value(value)) else {
            return json_error(500, "server_error", "internal error");
        };
        headers.append(n, v);
    }
    if headers.contains_key(http::header::CONTENT_TYPE) {
        headers.insert(
            http::header::X_CONTENT_TYPE_OPTIONS,
            http::HeaderValue::from_static("nosniff"),
        );
    }
    out
}

/// The names the engine uses, without parsing; any other is parsed.
fn header_name(name: &str) -> Option<http::HeaderName> {
    use http::header;
    Some(match name {
        "Content-Type" => header::CONTENT_TYPE,
        "Cache-Control" => header::CACHE_CONTROL,
        "Pragma" => header::PRAGMA,
        "WWW-Authenticate" => header::WWW_AUTHENTICATE,
        "Retry-After" => header::RETRY_AFTER,
        "Location" => header::LOCATION,
        "Allow" => header::ALLOW,
        other => return http::HeaderName::from_bytes(other.as_bytes()).ok(),
    })
}

/// A header value without copying: a static string is referenced, an owned one moved. The
/// values the engine sends on every response are built at compile time, so they are not
/// checked again on each one.
fn header_value(value: Cow<'static, str>) -> Option<http::HeaderValue> {
    const JSON: http::HeaderValue =
        http::HeaderValue::from_static("application/json;charset=UTF-8");
    const NO_STORE: http::HeaderValue = http::HeaderValue::from_static("no-store");
    const NO_CACHE: http::HeaderValue = http::HeaderValue::from_static("no-cache");
    match value {
        Cow::Borrowed("application/json;charset=UTF-8") => Some(JSON),
        Cow::Borrowed("no-store") => Some(NO_STORE),
        Cow::Borrowed("no-cache") => Some(NO_CACHE),
        // `from_static` accepts exactly these bytes (and panics on others), so the check
        // makes it infallible.
        Cow::Borrowed(s) if s.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)) => {
            Some(http::HeaderValue::from_static(s))
        }
        Cow::Borrowed(s) => http::HeaderValue::from_str(s).ok(),
        Cow::Owned(s) => http::HeaderValue::try_from(s).ok(),
    }
}

fn build(status: u16, body: Bytes, headers: &[(&'static str, Cow<'static, str>)]) -> Resp {
    let mut out = http::Response::new(Full::new(body));
    *out.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let map = out.headers_mut();
    map.reserve(headers.len());
    for (name, value) in headers {
        if let Some(v) = header_value(value.clone()) {
            map.append(*name, v);
        }
    }
    out
}

/// `application/x-www-form-urlencoded` encoding of pairs.
pub fn encode_form<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode(&mut out, k);
        out.push('=');
        percent_encode(&mut out, v);
    }
    out
}

/// Percent-encodes all but unreserved characters (RFC 3986 section 2.3).
pub fn percent_encode(out: &mut String, value: &str) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Decodes `%XX` sequences (and nothing else); `None` on a malformed sequence.
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = char::from(bytes.next()?).to_digit(16)?;
            let lo = char::from(bytes.next()?).to_digit(16)?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
        } else {
            out.push(b);
        }
    }
    Some(out)
}
