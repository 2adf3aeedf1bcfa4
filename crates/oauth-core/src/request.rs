//! The received HTTP request, as the host hands it to the engine.

use crate::limits::Limits;

/// The HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// Any other method.
    Other,
}

/// A received request: method, the header fields the engine acts on, the query string and
/// the body. The host feeds every header through [`HttpRequest::header`]; the engine keeps
/// the ones it needs and notices repeats.
#[derive(Debug, Clone)]
pub struct HttpRequest<'a> {
    pub(crate) method: Method,
    pub(crate) content_type: Header<'a>,
    pub(crate) authorization: Header<'a>,
    pub(crate) query: Option<&'a str>,
    pub(crate) body: &'a [u8],
    pub(crate) client_certificate: Option<&'a [u8]>,
    /// The TLS layer validated the certificate's chain (PKI); false for a certificate
    /// accepted only because its key was proven (self-signed mode).
    pub(crate) certificate_chain_verified: bool,
    pub(crate) endpoint_url: Option<&'a str>,
}

/// A header the engine reads: absent, once, or (an error) several times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Header<'a> {
    #[default]
    Absent,
    Once(&'a [u8]),
    Repeated,
}

impl<'a> Header<'a> {
    fn add(self, value: &'a [u8]) -> Self {
        match self {
            Header::Absent => Header::Once(value),
            _ => Header::Repeated,
        }
    }
}

impl<'a> HttpRequest<'a> {
    /// A request with no headers and no body.
    #[must_use]
    pub fn new(method: Method) -> Self {
        HttpRequest {
            method,
            content_type: Header::Absent,
            authorization: Header::Absent,
            query: None,
            body: &[],
            client_certificate: None,
            certificate_chain_verified: false,
            endpoint_url: None,
        }
    }

    /// A POST request with this body.
    #[must_use]
    pub fn post(body: &'a [u8]) -> Self {
        Self::new(Method::Post).body(body)
    }

    /// A GET request with this query string (without the `?`).
    #[must_use]
    pub fn get(query: &'a str) -> Self {
        Self::new(Method::Get).query(query)
    }

    /// Records one header field; names are compared case-insensitively and fields the
    /// engine does not read are ignored.
    #[must_use]
    pub fn header(mut self, name: &str, value: &'a [u8]) -> Self {
        if name.eq_ignore_ascii_case("content-type") {
            self.content_type = self.content_type.add(value);
        } else if name.eq_ignore_ascii_case("authorization") {
            self.authorization = self.authorization.add(value);
        }
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// Sets the query string (without the `?`).
    #[must_use]
    pub fn query(mut self, query: &'a str) -> Self {
        self.query = Some(query);
        self
    }

    /// The client's TLS certificate (DER) whose chain the TLS layer (or a trusted proxy)
    /// validated against the configured CAs: good for `tls_client_auth` and
    /// `self_signed_tls_client_auth` (RFC 8705 sections 2.1 and 2.2).
    #[must_use]
    pub fn client_certificate(mut self, der: &'a [u8]) -> Self {
        self.client_certificate = Some(der);
        self.certificate_chain_verified = true;
        self
    }

    /// A client certificate the TLS layer accepted without validating its chain (only
    /// possession of its key was proven): good for `self_signed_tls_client_auth` alone,
    /// since its subject and names could say anything.
    #[must_use]
    pub fn self_signed_client_certificate(mut self, der: &'a [u8]) -> Self {
        self.client_certificate = Some(der);
        self.certificate_chain_verified = false;
        self
    }

    /// The URL at which the host received this request (e.g. an alias of the token
    /// endpoint), accepted as a client assertion audience under the lenient policy. Take it
    /// from the host's own route configuration, never from the `Host` header.
    #[must_use]
    pub fn endpoint_url(mut self, url: &'a str) -> Self {
        self.endpoint_url = Some(url);
        self
    }

    /// The body, after checking method, content type and size.
    pub(crate) fn form_body(&self, limits: &Limits) -> Result<&'a [u8], crate::error::Reason> {
        use crate::error::Reason;
        if self.method != Method::Post {
            return Err(Reason::Method);
        }
        match self.content_type {
            Header::Once(v) if is_form_content_type(v) => {}
            _ => return Err(Reason::ContentType),
        }
        if self.body.len() > limits.max_body {
            return Err(Reason::Form(crate::form::FormError::TooLarge));
        }
        Ok(self.body)
    }
}

/// `application/x-www-form-urlencoded`, optionally with `charset=UTF-8` (any case, any
/// spacing around `;`); any other parameter or charset is refused.
fn is_form_content_type(value: &[u8]) -> bool {
    let Ok(v) = core::str::from_utf8(value) else {
        return false;
    };
    let mut parts = v.split(';').map(str::trim);
    let media = parts.next().unwrap_or_default();
    if !media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return false;
    }
    parts.filter(|p| !p.is_empty()).all(|p| {
        let Some((k, val)) = p.split_once('=') else {
            return false;
        };
        let val = val.trim().trim_matches('"');
        k.trim().eq_ignore_ascii_case("charset") && val.eq_ignore_ascii_case("utf-8")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_with_or_without_charset() {
        for ok in [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded;charset=UTF-8",
            "Application/X-WWW-Form-Urlencoded; charset=utf-8",
            "application/x-www-form-urlencoded; charset=\"UTF-8\"",
        ] {
            assert!(is_form_content_type(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "application/json",
            "application/x-www-form-urlencoded; charset=ISO-8859-1",
            "application/x-www-form-urlencoded; boundary=x",
            "multipart/form-data",
            "",
        ] {
            assert!(!is_form_content_type(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn repeated_headers_are_noticed() {
        let r = HttpRequest::post(b"")
            .header("Authorization", b"Basic a")
            .header("authorization", b"Basic b");
        assert_eq!(r.authorization, Header::Repeated);
    }
}
