//! The stored form of the engine's records: JSON documents of this module's own types,
//! so the bytes on disk (or in Redis) are a format this crate controls and versions, not
//! whatever the engine's structs happen to look like. Keys are [`TokenHash`]es; no usable
//! token, code, `request_uri` or `auth_req_id` is ever part of a document.
//!
//! [`TokenHash`]: oauth_core::secret::TokenHash

use oauth_core::HostError;
use oauth_core::authorize::params::RawParams;
use oauth_core::authorize::{AuthorizationRequest, ParRecord, ResponseMode};
use oauth_core::ciba::{CibaRecord, CibaStatus};
use oauth_core::client::DeliveryMode;
use oauth_core::records::{
    AccessRecord, ChallengeMethod, CodeChallenge, CodeRecord, GrantId, Record, RefreshRecord,
    Subject, Taken,
};
use oauth_core::scope::Scope;
use oauth_core::secret::TokenHash;
use serde::{Deserialize, Serialize};

/// The kinds of record the engine saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordKind {
    Code,
    Refresh,
    Access,
    Ciba,
    Par,
}

/// A record ready to store: its kind, its key, the grant it belongs to, its document.
pub(crate) struct Encoded<'a> {
    pub(crate) kind: RecordKind,
    pub(crate) hash: &'a TokenHash,
    pub(crate) grant: Option<&'a GrantId>,
    pub(crate) doc: String,
}

/// Encodes a record to save. A kind this version does not know is refused: a record
/// silently dropped would break a duty.
pub(crate) fn encode_record(r: &Record) -> Result<Encoded<'_>, HostError> {
    let (kind, hash, grant, doc) = match r {
        Record::Access(h, a) => (
            RecordKind::Access,
            h,
            Some(&a.grant_id),
            encode(&AccessDoc::from(a))?,
        ),
        Record::Refresh(h, rt) => (
            RecordKind::Refresh,
            h,
            Some(&rt.grant_id),
            encode(&RefreshDoc::from(rt))?,
        ),
        Record::Code(h, c) => (
            RecordKind::Code,
            h,
            Some(&c.grant_id),
            encode(&CodeDoc::from(c))?,
        ),
        Record::Ciba(h, c) => (
            RecordKind::Ciba,
            h,
            Some(&c.grant_id),
            encode(&CibaDoc::from(c))?,
        ),
        Record::Par(h, p) => (RecordKind::Par, h, None, encode(&ParDoc::from(p))?),
        _ => return Err(HostError::Internal),
    };
    Ok(Encoded {
        kind,
        hash,
        grant,
        doc,
    })
}

/// A refresh token's state from its live row (document and single-use flag), if any.
pub(crate) fn refresh_state(row: Option<(&str, bool)>) -> Result<Taken<RefreshRecord>, HostError> {
    Ok(match row {
        None => Taken::Unknown,
        Some((v, used)) => {
            let r = RefreshRecord::from(decode::<RefreshDoc>(v)?);
            if used {
                Taken::AlreadyUsed(r.grant_id)
            } else {
                Taken::Found(r)
            }
        }
    })
}

/// Decodes what a single-use take found.
pub(crate) fn decode_taken<T, U>(
    taken: Taken<T>,
    decode: impl FnOnce(T) -> Result<U, HostError>,
) -> Result<Taken<U>, HostError> {
    Ok(match taken {
        Taken::Found(v) => Taken::Found(decode(v)?),
        Taken::AlreadyUsed(g) => Taken::AlreadyUsed(g),
        Taken::Unknown => Taken::Unknown,
    })
}

/// Encodes a document.
pub(crate) fn encode<T: Serialize>(doc: &T) -> Result<String, HostError> {
    serde_json::to_string(doc).map_err(|e| {
        tracing::error!(error = %e, "cannot encode a store record");
        HostError::Internal
    })
}

/// Decodes a document; a stored value that does not decode is an internal error (a
/// corrupted or foreign database), never a panic.
pub(crate) fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, HostError> {
    serde_json::from_str(text).map_err(|e| {
        tracing::error!(error = %e, "a stored record does not decode");
        HostError::Internal
    })
}

#[derive(Serialize, Deserialize)]
pub(crate) struct SubjectDoc {
    sub: String,
    auth_time: Option<u64>,
    acr: Option<String>,
    amr: Vec<String>,
}

impl From<&Subject> for SubjectDoc {
    fn from(s: &Subject) -> Self {
        SubjectDoc {
            sub: s.sub.clone(),
            auth_time: s.auth_time,
            acr: s.acr.clone(),
            amr: s.amr.clone(),
        }
    }
}

impl From<SubjectDoc> for Subject {
    fn from(s: SubjectDoc) -> Self {
        Subject {
            sub: s.sub,
            auth_time: s.auth_time,
            acr: s.acr,
            amr: s.amr,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct ChallengeDoc {
    challenge: String,
    /// `S256` or `plain`.
    method: String,
}

impl From<&CodeChallenge> for ChallengeDoc {
    fn from(c: &CodeChallenge) -> Self {
        ChallengeDoc {
            challenge: c.challenge.clone(),
            method: match c.method {
                ChallengeMethod::S256 => "S256",
                ChallengeMethod::Plain => "plain",
            }
            .to_owned(),
        }
    }
}

impl TryFrom<ChallengeDoc> for CodeChallenge {
    type Error = HostError;
    fn try_from(c: ChallengeDoc) -> Result<Self, HostError> {
        let method = match c.method.as_str() {
            "S256" => ChallengeMethod::S256,
            "plain" => ChallengeMethod::Plain,
            _ => return Err(HostError::Internal),
        };
        Ok(CodeChallenge {
            challenge: c.challenge,
            method,
        })
    }
}

/// [`CodeRecord`] at rest.
#[derive(Serialize, Deserialize)]
pub(crate) struct CodeDoc {
    client_id: String,
    redirect_uri: Option<String>,
    challenge: Option<ChallengeDoc>,
    nonce: Option<String>,
    scope: Scope,
    subject: SubjectDoc,
    grant_id: String,
    expires_at: u64,
}

impl From<&CodeRecord> for CodeDoc {
    fn from(r: &CodeRecord) -> Self {
        CodeDoc {
            client_id: r.client_id.clone(),
            redirect_uri: r.redirect_uri.clone(),
            challenge: r.challenge.as_ref().map(ChallengeDoc::from),
            nonce: r.nonce.clone(),
            scope: r.scope.clone(),
            subject: (&r.subject).into(),
            grant_id: r.grant_id.0.clone(),
            expires_at: r.expires_at,
        }
    }
}

impl TryFrom<CodeDoc> for CodeRecord {
    type Error = HostError;
    fn try_from(d: CodeDoc) -> Result<Self, HostError> {
        Ok(CodeRecord {
            client_id: d.client_id,
            redirect_uri: d.redirect_uri,
            challenge: d.challenge.map(CodeChallenge::try_from).transpose()?,
            nonce: d.nonce,
            scope: d.scope,
            subject: d.subject.into(),
            grant_id: GrantId(d.grant_id),
            expires_at: d.expires_at,
        })
    }
}

/// [`RefreshRecord`] at rest.
#[derive(Serialize, Deserialize)]
pub(crate) struct RefreshDoc {
    client_id: String,
    scope: Scope,
    subject: Option<SubjectDoc>,
    grant_id: String,
    expires_at: u64,
}

impl From<&RefreshRecord> for RefreshDoc {
    fn from(r: &RefreshRecord) -> Self {
        RefreshDoc {
            client_id: r.client_id.clone(),
            scope: r.scope.clone(),
            subject: r.subject.as_ref().map(SubjectDoc::from),
            grant_id: r.grant_id.0.clone(),
            expires_at: r.expires_at,
        }
    }
}

impl From<RefreshDoc> for RefreshRecord {
    fn from(d: RefreshDoc) -> Self {
        RefreshRecord {
            client_id: d.client_id,
            scope: d.scope,
            subject: d.subject.map(Subject::from),
            grant_id: GrantId(d.grant_id),
            expires_at: d.expires_at,
        }
    }
}

/// [`AccessRecord`] at rest.
#[derive(Serialize, Deserialize)]
pub(crate) struct AccessDoc {
    client_id: String,
    scope: Scope,
    sub: Option<String>,
    grant_id: String,
    grant_type: String,
    issued_at: u64,
    expires_at: u64,
}

impl From<&AccessRecord> for AccessDoc {
    fn from(r: &AccessRecord) -> Self {
        AccessDoc {
            client_id: r.client_id.clone(),
            scope: r.scope.clone(),
            sub: r.sub.clone(),
            grant_id: r.grant_id.0.clone(),
            grant_type: r.grant_type.clone(),
            issued_at: r.issued_at,
            expires_at: r.expires_at,
        }
    }
}

impl From<AccessDoc> for AccessRecord {
    fn from(d: AccessDoc) -> Self {
        AccessRecord {
            client_id: d.client_id,
            scope: d.scope,
            sub: d.sub,
            grant_id: GrantId(d.grant_id),
            grant_type: d.grant_type,
            issued_at: d.issued_at,
            expires_at: d.expires_at,
        }
    }
}

/// [`CibaStatus`] at rest.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StatusDoc {
    Pending,
    Approved(SubjectDoc),
    Denied,
}

impl From<&CibaStatus> for StatusDoc {
    fn from(s: &CibaStatus) -> Self {
        match s {
            CibaStatus::Pending => StatusDoc::Pending,
            CibaStatus::Approved(u) => StatusDoc::Approved(u.into()),
            CibaStatus::Denied => StatusDoc::Denied,
        }
    }
}

impl From<StatusDoc> for CibaStatus {
    fn from(s: StatusDoc) -> Self {
        match s {
            StatusDoc::Pending => CibaStatus::Pending,
            StatusDoc::Approved(u) => CibaStatus::Approved(u.into()),
            StatusDoc::Denied => CibaStatus::Denied,
        }
    }
}

/// [`CibaRecord`] at rest. `consumed` is not part of it: each store keeps the single-use
/// flag beside the document.
#[derive(Serialize, Deserialize)]
pub(crate) struct CibaDoc {
    client_id: String,
    sub: String,
    scope: Scope,
    acr_values: Option<String>,
    binding_message: Option<String>,
    expires_at: u64,
    pub(crate) interval: u64,
    pub(crate) last_poll: Option<u64>,
    pub(crate) status: StatusDoc,
    delivery: DeliveryMode,
    notification_token: Option<String>,
    grant_id: String,
}

impl From<&CibaRecord> for CibaDoc {
    fn from(r: &CibaRecord) -> Self {
        CibaDoc {
            client_id: r.client_id.clone(),
            sub: r.sub.clone(),
            scope: r.scope.clone(),
            acr_values: r.acr_values.clone(),
            binding_message: r.binding_message.clone(),
            expires_at: r.expires_at,
            interval: r.interval,
            last_poll: r.last_poll,
            status: (&r.status).into(),
            delivery: r.delivery,
            notification_token: r.notification_token.clone(),
            grant_id: r.grant_id.0.clone(),
        }
    }
}

impl CibaDoc {
    /// The record, with the store's single-use flag.
    pub(crate) fn into_record(self, consumed: bool) -> CibaRecord {
        CibaRecord {
            client_id: self.client_id,
            sub: self.sub,
            scope: self.scope,
            acr_values: self.acr_values,
            binding_message: self.binding_message,
            expires_at: self.expires_at,
            interval: self.interval,
            last_poll: self.last_poll,
            status: self.status.into(),
            delivery: self.delivery,
            notification_token: self.notification_token,
            grant_id: GrantId(self.grant_id),
            consumed,
        }
    }
}

/// [`AuthorizationRequest`] at rest.
#[derive(Serialize, Deserialize)]
struct AuthorizationDoc {
    client_id: String,
    response_type: String,
    redirect_uri: String,
    redirect_uri_given: bool,
    scope: Scope,
    state: Option<String>,
    nonce: Option<String>,
    prompt: Vec<String>,
    max_age: Option<u64>,
    acr_values: Option<String>,
    login_hint: Option<String>,
    code_challenge: Option<ChallengeDoc>,
    response_mode: ResponseMode,
    extra: Vec<(String, String)>,
}

/// [`ParRecord`] at rest.
#[derive(Serialize, Deserialize)]
pub(crate) struct ParDoc {
    request: AuthorizationDoc,
    params: RawParams,
    expires_at: u64,
}

impl From<&ParRecord> for ParDoc {
    fn from(r: &ParRecord) -> Self {
        let q = &r.request;
        ParDoc {
            request: AuthorizationDoc {
                client_id: q.client_id.clone(),
                response_type: q.response_type.clone(),
                redirect_uri: q.redirect_uri.clone(),
                redirect_uri_given: q.redirect_uri_given,
                scope: q.scope.clone(),
                state: q.state.clone(),
                nonce: q.nonce.clone(),
                prompt: q.prompt.clone(),
                max_age: q.max_age,
                acr_values: q.acr_values.clone(),
                login_hint: q.login_hint.clone(),
                code_challenge: q.code_challenge.as_ref().map(ChallengeDoc::from),
                response_mode: q.response_mode,
                extra: q.extra.clone(),
            },
            params: r.params.clone(),
            expires_at: r.expires_at,
        }
    }
}

impl TryFrom<ParDoc> for ParRecord {
    type Error = HostError;
    fn try_from(d: ParDoc) -> Result<Self, HostError> {
        let q = d.request;
        Ok(ParRecord {
            request: AuthorizationRequest {
                client_id: q.client_id,
                response_type: q.response_type,
                redirect_uri: q.redirect_uri,
                redirect_uri_given: q.redirect_uri_given,
                scope: q.scope,
                state: q.state,
                nonce: q.nonce,
                prompt: q.prompt,
                max_age: q.max_age,
                acr_values: q.acr_values,
                login_hint: q.login_hint,
                code_challenge: q.code_challenge.map(CodeChallenge::try_from).transpose()?,
                response_mode: q.response_mode,
                extra: q.extra,
            },
            params: d.params,
            expires_at: d.expires_at,
        })
    }
}
