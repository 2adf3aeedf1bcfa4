//! The configured users and clients: [`ConfigUsers`] (a [`UserDirectory`]) and
//! [`StaticClients`] (a [`ClientRegistry`]), both loaded once from the configuration file.

use std::collections::HashMap;
use std::sync::Arc;

use oauth_core::ciba::{Hint, UserLookup};
use oauth_core::records::Subject;
use oauth_core::secret::Secret;
use oauth_core::{Client, HostError};

use crate::backend::{BoxFuture, ClientRegistry, UserDirectory};

/// What the demo authentication device does with a CIBA request for this user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CibaBehaviour {
    /// Approve after the delay.
    Approve,
    /// Deny after the delay.
    Deny,
    /// Leave it to a person on the `/device` page.
    #[default]
    Wait,
}

/// One configured user.
#[derive(Debug, Clone)]
pub struct User {
    /// The login name.
    pub username: String,
    /// The password (plain text in the file: a demo directory).
    pub password: Secret,
    /// The `sub` claim.
    pub sub: String,
    /// The demo device's behaviour.
    pub ciba: CibaBehaviour,
    /// Seconds before the demo device decides.
    pub ciba_delay_secs: u64,
    /// `/authorize?login_hint=<username>` issues a code without the login form, and consent
    /// is implied.
    pub auto_approve: bool,
}

/// Users from the configuration file.
#[derive(Debug, Default)]
pub struct ConfigUsers {
    by_name: HashMap<String, User>,
    name_of_sub: HashMap<String, String>,
}

impl ConfigUsers {
    /// A directory of these users (names and subs unique, checked by the configuration).
    #[must_use]
    pub fn new(users: Vec<User>) -> Self {
        let mut d = ConfigUsers::default();
        for u in users {
            d.name_of_sub.insert(u.sub.clone(), u.username.clone());
            d.by_name.insert(u.username.clone(), u);
        }
        d
    }

    /// The user with this `sub`.
    #[must_use]
    pub fn by_sub(&self, sub: &str) -> Option<&User> {
        self.name_of_sub.get(sub).and_then(|n| self.by_name.get(n))
    }

    /// The user with this username.
    #[must_use]
    pub fn by_name(&self, username: &str) -> Option<&User> {
        self.by_name.get(username)
    }

    fn subject(user: &User, now: u64) -> Subject {
        Subject {
            sub: user.sub.clone(),
            auth_time: Some(now),
            acr: None,
            amr: vec!["pwd".to_owned()],
        }
    }

    fn check(&self, username: &str, password: &str, now: u64) -> Option<Subject> {
        // Compare against something either way, so unknown names cost the same time.
        let dummy = Secret::new("\u{0}no such user\u{0}");
        let user = self.by_name.get(username);
        let secret = user.map_or(&dummy, |u| &u.password);
        let ok = secret.matches(password.as_bytes());
        user.filter(|_| ok).map(|u| Self::subject(u, now))
    }
}

impl UserDirectory for ConfigUsers {
    fn verify_password<'a>(
        &'a self,
        _client: Option<&'a Client>,
        username: &'a str,
        password: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<Subject>, HostError>> {
        Box::pin(std::future::ready(Ok(self.check(username, password, now))))
    }

    fn resolve_ciba_user<'a>(
        &'a self,
        _client: &'a Client,
        hint: &'a Hint,
        _user_code: Option<&'a str>,
    ) -> BoxFuture<'a, Result<UserLookup, HostError>> {
        let found = match hint {
            Hint::LoginHint(name) => self
                .by_name
                .get(name)
                .or_else(|| self.by_sub(name))
                .map(|u| u.sub.clone()),
            Hint::IdTokenHint { sub } => self.by_sub(sub).map(|u| u.sub.clone()),
            Hint::LoginHintToken(claims) => claims
                .get("sub")
                .and_then(serde_json::Value::as_str)
                .and_then(|s| self.by_sub(s))
                .map(|u| u.sub.clone()),
            _ => None,
        };
        Box::pin(std::future::ready(Ok(
            found.map_or(UserLookup::Unknown, UserLookup::Found)
        )))
    }

    fn auto_login<'a>(
        &'a self,
        login_hint: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<Subject>, HostError>> {
        let s = self
            .by_name
            .get(login_hint)
            .filter(|u| u.auto_approve)
            .map(|u| Self::subject(u, now));
        Box::pin(std::future::ready(Ok(s)))
    }

    fn display_name(&self, sub: &str) -> Option<String> {
        self.by_sub(sub).map(|u| u.username.clone())
    }

    fn consent_implied(&self, sub: &str) -> bool {
        self.by_sub(sub).is_some_and(|u| u.auto_approve)
    }
}

/// A fixed set of registered clients.
#[derive(Debug, Default)]
pub struct StaticClients {
    clients: HashMap<String, (Arc<Client>, Option<String>)>,
}

impl StaticClients {
    /// Registers a client, with an optional display name.
    pub fn insert(&mut self, client: Client, name: Option<String>) {
        self.clients
            .insert(client.id().to_owned(), (Arc::new(client), name));
    }

    /// Every client.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Client>> {
        self.clients.values().map(|(c, _)| c)
    }

    /// The client with this id.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Arc<Client>> {
        self.clients.get(id).map(|(c, _)| c)
    }
}

impl ClientRegistry for StaticClients {
    fn client<'a>(
        &'a self,
        client_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<Client>>, HostError>> {
        Box::pin(std::future::ready(Ok(self.get(client_id).cloned())))
    }

    fn display_name(&self, client_id: &str) -> Option<String> {
        self.clients.get(client_id).and_then(|(_, n)| n.clone())
    }
}
