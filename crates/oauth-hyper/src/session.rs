//! Login sessions for the authorization endpoint and the demo device: a random id in an
//! `HttpOnly; SameSite=Lax` cookie, the state in a bounded server-side map.

use std::collections::HashMap;
use std::sync::Mutex;

use oauth_core::HostError;
use oauth_core::records::Subject;
use oauth_core::scope::Scope;

use crate::backend::random_id;

/// The session cookie's name.
pub const COOKIE: &str = "oauth_session";

/// One logged-in user.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub subject: Subject,
    /// The token every form posted within the session must carry.
    pub csrf: String,
    /// Client ids and scopes the user consented to.
    pub consents: Vec<(String, Scope)>,
    /// Expiry.
    pub expires_at: u64,
}

impl Session {
    /// True when the user consented to `scope` (or more) for `client_id`.
    #[must_use]
    pub fn has_consented(&self, client_id: &str, scope: &Scope) -> bool {
        self.consents
            .iter()
            .any(|(c, s)| c == client_id && scope.is_subset_of(s))
    }
}

/// The sessions of one tenant.
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    max: usize,
    ttl: u64,
}

impl Sessions {
    /// At most `max` sessions of `ttl` seconds each.
    #[must_use]
    pub fn new(max: usize, ttl: u64) -> Self {
        Sessions {
            map: Mutex::new(HashMap::new()),
            max,
            ttl,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts a session; returns its id (the cookie value).
    pub fn create(&self, subject: Subject, now: u64) -> Result<(String, Session), HostError> {
        let id = random_id()?;
        let session = Session {
            subject,
            csrf: random_id()?,
            consents: Vec::new(),
            expires_at: now.saturating_add(self.ttl),
        };
        let mut map = self.lock();
        if map.len() >= self.max {
            map.retain(|_, s| s.expires_at > now);
            if map.len() >= self.max {
                return Err(HostError::Unavailable);
            }
        }
        map.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// The live session with this id.
    #[must_use]
    pub fn get(&self, id: &str, now: u64) -> Option<Session> {
        self.lock().get(id).filter(|s| s.expires_at > now).cloned()
    }

    /// Records consent in a session.
    pub fn add_consent(&self, id: &str, client_id: &str, scope: &Scope) {
        if let Some(s) = self.lock().get_mut(id)
            && !s.has_consented(client_id, scope)
        {
            s.consents.push((client_id.to_owned(), scope.clone()));
        }
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }
}

/// The session id in the request's `Cookie` headers, if any.
#[must_use]
pub fn cookie_value(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 64)
}

/// A `Set-Cookie` value for a session.
#[must_use]
pub fn set_cookie(id: &str, path: &str, secure: bool, max_age: u64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={id}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}
