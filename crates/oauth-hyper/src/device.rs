//! The demo authentication device: every CIBA request lands in the user's inbox, shown on
//! `/{tenant}/device`; users configured with `ciba = "approve"` or `"deny"` have it decided
//! for them after `ciba_delay_secs`, so scripts can drive CIBA end to end. A real deployment
//! replaces it with its own [`Device`] (a push to the user's phone) and reports the user's
//! decision through [`crate::Tenant::decide`].

use std::collections::HashMap;
use std::sync::{Mutex, Weak};
use std::time::Duration;

use oauth_core::HostError;
use oauth_core::ciba::CibaRecord;
use oauth_core::records::Subject;

use crate::backend::{BoxFuture, Device, random_id};
use crate::tenant::{TenantInner, Verdict};
use crate::users::CibaBehaviour;

/// A pending request as the device shows it.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The device's own id for it (what the page posts back; not the `auth_req_id`).
    pub id: String,
    pub(crate) auth_req_id: String,
    /// The user.
    pub sub: String,
    /// The client.
    pub client_id: String,
    /// The binding message, shown on both devices.
    pub binding_message: Option<String>,
    /// The requested scope.
    pub scope: String,
    /// Expiry.
    pub expires_at: u64,
}

/// The pending requests of one tenant's users.
pub struct Inbox {
    entries: Mutex<Vec<Pending>>,
    max: usize,
}

impl Inbox {
    /// An inbox of at most `max` pending requests.
    #[must_use]
    pub fn new(max: usize) -> Self {
        Inbox {
            entries: Mutex::new(Vec::new()),
            max,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push(&self, p: Pending, now: u64) -> Result<(), HostError> {
        let mut e = self.lock();
        e.retain(|p| p.expires_at > now);
        if e.len() >= self.max {
            return Err(HostError::Unavailable);
        }
        e.push(p);
        Ok(())
    }

    /// The user's unexpired pending requests, oldest first.
    #[must_use]
    pub fn for_user(&self, sub: &str, now: u64) -> Vec<Pending> {
        self.lock()
            .iter()
            .filter(|p| p.sub == sub && p.expires_at > now)
            .cloned()
            .collect()
    }

    /// The entry with this device id, if it is the user's.
    #[must_use]
    pub fn find(&self, id: &str, sub: &str) -> Option<Pending> {
        self.lock()
            .iter()
            .find(|p| p.id == id && p.sub == sub)
            .cloned()
    }

    /// Forgets a request once decided.
    pub fn remove(&self, auth_req_id: &str) {
        self.lock().retain(|p| p.auth_req_id != auth_req_id);
    }
}

/// The demo device.
pub struct DemoDevice {
    tenant: Weak<TenantInner>,
    behaviours: HashMap<String, (CibaBehaviour, u64)>,
    inbox: std::sync::Arc<Inbox>,
}

impl DemoDevice {
    pub(crate) fn new(
        tenant: Weak<TenantInner>,
        behaviours: HashMap<String, (CibaBehaviour, u64)>,
        inbox: std::sync::Arc<Inbox>,
    ) -> Self {
        DemoDevice {
            tenant,
            behaviours,
            inbox,
        }
    }
}

impl Device for DemoDevice {
    fn start_authentication<'a>(
        &'a self,
        auth_req_id: &'a str,
        request: &'a CibaRecord,
    ) -> BoxFuture<'a, Result<(), HostError>> {
        let result = (|| {
            let now = crate::backend::now();
            self.inbox.push(
                Pending {
                    id: random_id()?,
                    auth_req_id: auth_req_id.to_owned(),
                    sub: request.sub.clone(),
                    client_id: request.client_id.clone(),
                    binding_message: request.binding_message.clone(),
                    scope: request.scope.to_string(),
                    expires_at: request.expires_at,
                },
                now,
            )?;
            let (behaviour, delay) = self
                .behaviours
                .get(&request.sub)
                .copied()
                .unwrap_or_default();
            let verdict = match behaviour {
                CibaBehaviour::Wait => return Ok(()),
                CibaBehaviour::Approve => Verdict::Approve(Subject {
                    sub: request.sub.clone(),
                    auth_time: None,
                    acr: None,
                    amr: vec!["hwk".to_owned()],
                }),
                CibaBehaviour::Deny => Verdict::Deny,
            };
            let tenant = self.tenant.clone();
            let id = auth_req_id.to_owned();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(delay)).await;
                if let Some(t) = tenant.upgrade() {
                    let verdict = match verdict {
                        Verdict::Approve(mut s) => {
                            s.auth_time = Some(crate::backend::now());
                            Verdict::Approve(s)
                        }
                        v => v,
                    };
                    let _ = crate::tenant::decide(&t, &id, verdict).await;
                }
            });
            Ok(())
        })();
        Box::pin(std::future::ready(result))
    }
}
