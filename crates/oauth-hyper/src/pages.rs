//! The HTML pages: login, consent and the demo device. Plain, accessible markup (a `<main>`
//! landmark, one `<h1>`, a `<label>` for every field, `autocomplete` hints, errors in a
//! `role="alert"` region), no script, and a strict Content-Security-Policy.

use crate::device::Pending;

/// Escapes text for HTML content and attribute values.
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
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
    out
}

/// The security headers every page is sent with.
pub const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}\
label{display:block;margin-top:1rem;font-weight:600}\
input[type=text],input[type=password]{display:block;width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}\
button{margin-top:1rem;margin-right:.5rem;padding:.5rem 1rem;font-size:1rem}\
.alert{border:2px solid #b00020;padding:.5rem;color:#b00020}\
.notice{border:2px solid #1b5e20;padding:.5rem}\
li{margin-bottom:1rem}code{word-break:break-all}";

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    )
}

fn hidden(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect()
}

fn scope_list(scope: &str) -> String {
    let items: String = scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    if items.is_empty() {
        "<p>No specific access (scope) was requested.</p>".to_owned()
    } else {
        format!("<ul>{items}</ul>")
    }
}

fn alert(error: Option<&str>) -> String {
    error.map_or_else(String::new, |e| {
        format!(
            "<p class=\"alert\" role=\"alert\" id=\"error\">{}</p>",
            escape(e)
        )
    })
}

/// The login page. Submitting it posts the credentials with the request's parameters back
/// to the authorization endpoint; signing in also grants the access listed.
#[must_use]
pub fn login(
    tenant: &str,
    client_name: &str,
    scope: &str,
    login_hint: Option<&str>,
    resubmit: &[(String, String)],
    error: Option<&str>,
) -> String {
    let described = if error.is_some() {
        " aria-describedby=\"error\""
    } else {
        ""
    };
    let body = format!(
        "<h1>Sign in</h1>\
         <p><strong>{client}</strong> asks to access your <strong>{tenant}</strong> account:</p>{scopes}\
         {alert}\
         <form method=\"post\" action=\"authorize\">{hidden}\
         <label for=\"username\">Username</label>\
         <input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required value=\"{hint}\"{described}>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required{described}>\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Sign in and allow</button>\
         </form>\
         <form method=\"post\" action=\"authorize\">{hidden}\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button></form>",
        client = escape(client_name),
        tenant = escape(tenant),
        scopes = scope_list(scope),
        alert = alert(error),
        hidden = hidden(resubmit),
        hint = escape(login_hint.unwrap_or_default()),
    );
    layout("Sign in", &body)
}

/// The consent page, for a user already signed in.
#[must_use]
pub fn consent(
    client_name: &str,
    user: &str,
    scope: &str,
    resubmit: &[(String, String)],
    csrf: &str,
) -> String {
    let fields = format!(
        "{}<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        hidden(resubmit),
        escape(csrf)
    );
    let body = format!(
        "<h1>Allow access?</h1>\
         <p>You are signed in as <strong>{user}</strong>.</p>\
         <p><strong>{client}</strong> asks for:</p>{scopes}\
         <form method=\"post\" action=\"authorize\">{fields}\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
        user = escape(user),
        client = escape(client_name),
        scopes = scope_list(scope),
    );
    layout("Allow access?", &body)
}

/// The device's sign-in page.
#[must_use]
pub fn device_login(tenant: &str, error: Option<&str>) -> String {
    let described = if error.is_some() {
        " aria-describedby=\"error\""
    } else {
        ""
    };
    let body = format!(
        "<h1>Authentication device</h1>\
         <p>Sign in to see the requests waiting for you on <strong>{tenant}</strong>.</p>{alert}\
         <form method=\"post\" action=\"device\">\
         <label for=\"username\">Username</label>\
         <input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required{described}>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required{described}>\
         <button type=\"submit\">Sign in</button></form>",
        tenant = escape(tenant),
        alert = alert(error),
    );
    layout("Authentication device", &body)
}

/// The device's list of pending requests.
#[must_use]
pub fn device_list(
    user: &str,
    pending: &[(Pending, String)],
    csrf: &str,
    notice: Option<&str>,
    now: u64,
) -> String {
    let notice = notice.map_or_else(String::new, |n| {
        format!("<p class=\"notice\" role=\"status\">{}</p>", escape(n))
    });
    let items: String = pending
        .iter()
        .map(|(p, client)| {
            let message = p.binding_message.as_deref().map_or_else(
                || "<p>No binding message.</p>".to_owned(),
                |m| format!("<p>Binding message: <strong class=\"binding\">{}</strong></p>", escape(m)),
            );
            format!(
                "<li><h2>{client}</h2>{message}<p>Access: <code>{scope}</code></p>\
                 <p>Expires in {secs} seconds.</p>\
                 <form method=\"post\" action=\"device\">\
                 <input type=\"hidden\" name=\"request\" value=\"{id}\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <button type=\"submit\" name=\"decision\" value=\"approve\" aria-label=\"Approve the request from {client}\">Approve</button>\
                 <button type=\"submit\" name=\"decision\" value=\"deny\" aria-label=\"Deny the request from {client}\">Deny</button>\
                 </form></li>",
                client = escape(client),
                scope = escape(&p.scope),
                secs = p.expires_at.saturating_sub(now),
                id = escape(&p.id),
                csrf = escape(csrf),
            )
        })
        .collect();
    let list = if pending.is_empty() {
        "<p id=\"empty\">No requests are waiting for you.</p>".to_owned()
    } else {
        format!("<ul id=\"pending\">{items}</ul>")
    };
    let body = format!(
        "<h1>Authentication device</h1><p>Signed in as <strong>{user}</strong>.</p>\
         <form method=\"post\" action=\"device\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" name=\"signout\" value=\"1\">Sign out</button></form>{notice}\
         <p><a href=\"device\">Refresh</a></p>{list}",
        user = escape(user),
        csrf = escape(csrf),
    );
    layout("Authentication device", &body)
}
