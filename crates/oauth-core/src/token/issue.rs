//! What a successful token request issues (RFC 6749 section 5.1, OpenID Connect Core
//! section 3.1.3.3, RFC 9068): the engine decides every token's content, asks the host to
//! sign what must be signed and to save the records, then answers.

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_verify::HashAlg;
use serde::Serialize;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::{TokenFlow, TokenStep};
use crate::config::AccessTokenFormat;
use crate::error::{ErrorCode, OAuthError, Reason};
use crate::outcome::{Done, Outcome};
use crate::records::{AccessRecord, GrantId, Record, RefreshRecord, Subject};
use crate::response::{JsonObject, Response};
use crate::scope::Scope;
use crate::secret::TokenHash;
use crate::steps::{Persist, Sign};

/// Tokens being issued, until the response is sent.
pub(crate) struct Issuance {
    grant_id: GrantId,
    scope: Scope,
    subject: Option<Subject>,
    nonce: Option<String>,
    /// Extra ID token claims (CIBA's `urn:openid:params:jwt:claim:auth_req_id`).
    id_token_extra: Vec<(&'static str, String)>,
    access_token: Option<String>,
    refresh_token: Option<String>,
    id_token: Option<String>,
    /// What the pending Sign step is for.
    signing: Option<Signing>,
    records: Vec<Record>,
    consume: Option<TokenHash>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Signing {
    AccessToken,
    IdToken,
}

/// What the grant decided to issue.
pub(crate) struct Grant {
    pub(crate) grant_id: GrantId,
    pub(crate) scope: Scope,
    pub(crate) subject: Option<Subject>,
    pub(crate) nonce: Option<String>,
    pub(crate) refresh: bool,
    pub(crate) id_token_extra: Vec<(&'static str, String)>,
    /// The scope the new refresh token carries, when it differs from the access token's
    /// (RFC 6749 section 6: a refresh keeps the original grant's scope).
    pub(crate) refresh_scope: Option<Scope>,
    /// A refresh token to consume, atomically, just before the records are saved.
    pub(crate) consume: Option<TokenHash>,
}

/// Starts issuance: makes the access token (and refresh token), then continues with
/// whatever must be signed, then persistence.
pub(crate) fn begin(mut flow: TokenFlow<'_>, grant: Grant) -> TokenStep<'_> {
    let Some(client) = flow.client.clone() else {
        return flow.reject(
            OAuthError::new(ErrorCode::ServerError, "internal error"),
            Reason::Host("issuance without a client"),
        );
    };
    if flow.hid.as_ref().is_some_and(|h| h.no_token) {
        return no_token(flow, &grant.scope);
    }
    let cfg = flow.config;
    let now = flow.now;
    let mut records = Vec::with_capacity(2);
    let access_token = match cfg.access_token_format {
        AccessTokenFormat::Opaque => Some(flow.entropy.token()),
        AccessTokenFormat::Jwt => None,
    };
    let refresh_token = grant.refresh.then(|| flow.entropy.token());
    if let Some(rt) = &refresh_token {
        records.push(Record::Refresh(
            TokenHash::of(rt),
            RefreshRecord {
                client_id: client.id().to_owned(),
                scope: grant
                    .refresh_scope
                    .clone()
                    .unwrap_or_else(|| grant.scope.clone()),
                subject: grant.subject.clone(),
                grant_id: grant.grant_id.clone(),
                expires_at: now.saturating_add(cfg.refresh_token_ttl),
            },
        ));
    }
    let mut issuance = Issuance {
        grant_id: grant.grant_id,
        scope: grant.scope,
        subject: grant.subject,
        nonce: grant.nonce,
        id_token_extra: grant.id_token_extra,
        access_token,
        refresh_token,
        id_token: None,
        signing: None,
        records,
        consume: grant.consume,
    };
    if let Some(at) = &issuance.access_token {
        let record = access_record(&flow, &issuance);
        issuance
            .records
            .push(Record::Access(TokenHash::of(at), record));
    }
    flow.issuance = Some(issuance);
    next(flow)
}

fn access_record(flow: &TokenFlow<'_>, i: &Issuance) -> AccessRecord {
    AccessRecord {
        client_id: flow.client().map(|c| c.id().to_owned()).unwrap_or_default(),
        scope: i.scope.clone(),
        sub: i.subject.as_ref().map(|s| s.sub.clone()),
        grant_id: i.grant_id.clone(),
        grant_type: flow.grant.as_str().to_owned(),
        issued_at: flow.now,
        expires_at: flow.now.saturating_add(flow.config.access_token_ttl),
    }
}

/// The next thing issuance needs: a signature, the presented refresh token consumed, or
/// the records saved.
pub(crate) fn next(mut flow: TokenFlow<'_>) -> TokenStep<'_> {
    let Some(mut issuance) = flow.issuance.take() else {
        return internal(flow, "issuance state lost");
    };
    let payload = if issuance.access_token.is_none() {
        issuance.signing = Some(Signing::AccessToken);
        access_token_claims(&mut flow, &issuance)
    } else if wants_id_token(&issuance) && issuance.id_token.is_none() {
        issuance.signing = Some(Signing::IdToken);
        id_token_claims(&flow, &issuance)
    } else if let Some(hash) = issuance.consume.take() {
        // Everything is ready: only now is the presented refresh token used up.
        flow.issuance = Some(issuance);
        return TokenStep::TakeRefreshToken(super::TakeRefreshToken::new(flow, hash));
    } else {
        let records = core::mem::take(&mut issuance.records);
        flow.issuance = Some(issuance);
        return TokenStep::Persist(Persist { flow, records });
    };
    let typ = (issuance.signing == Some(Signing::AccessToken)).then_some("at+jwt");
    let input = match signing_input(&flow, typ, &payload) {
        Some(i) => i,
        None => return internal(flow, "claims could not be encoded"),
    };
    flow.issuance = Some(issuance);
    let spec = &flow.config.signing;
    let (alg, kid) = (spec.alg, spec.kid.clone());
    TokenStep::Sign(Sign {
        flow,
        input,
        alg,
        kid,
    })
}

fn wants_id_token(i: &Issuance) -> bool {
    i.subject.is_some() && i.scope.contains("openid")
}

fn internal<'a>(flow: TokenFlow<'a>, why: &'static str) -> TokenStep<'a> {
    flow.reject(
        OAuthError::new(ErrorCode::ServerError, "internal error"),
        Reason::Host(why),
    )
}

fn signing_input(
    flow: &TokenFlow<'_>,
    typ: Option<&str>,
    payload: &serde_json::Value,
) -> Option<String> {
    #[derive(Serialize)]
    struct Header<'h> {
        alg: &'h str,
        #[serde(skip_serializing_if = "Option::is_none")]
        typ: Option<&'h str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        kid: Option<&'h str>,
    }
    let spec = &flow.config.signing;
    let header = serde_json::to_vec(&Header {
        alg: spec.alg.as_str(),
        typ,
        kid: spec.kid.as_deref(),
    })
    .ok()?;
    let payload = serde_json::to_vec(payload).ok()?;
    let mut s = Base64UrlUnpadded::encode_string(&header);
    s.push('.');
    s.push_str(&Base64UrlUnpadded::encode_string(&payload));
    Some(s)
}

/// RFC 9068 section 2.2 claims.
fn access_token_claims(flow: &mut TokenFlow<'_>, i: &Issuance) -> serde_json::Value {
    let client_id = flow.client().map(|c| c.id().to_owned()).unwrap_or_default();
    let sub = i
        .subject
        .as_ref()
        .map_or_else(|| client_id.clone(), |s| s.sub.clone());
    let mut claims = serde_json::json!({
        "iss": flow.config.issuer,
        "sub": sub,
        "aud": flow.config.issuer,
        "client_id": client_id,
        "iat": flow.now,
        "exp": flow.now.saturating_add(flow.config.access_token_ttl),
        "jti": flow.entropy.id(),
        "scope": i.scope.to_string(),
    });
    if let (Some(s), Some(map)) = (&i.subject, claims.as_object_mut())
        && let Some(t) = s.auth_time
    {
        map.insert("auth_time".to_owned(), t.into());
    }
    claims
}

/// OpenID Connect Core section 2 claims.
fn id_token_claims(flow: &TokenFlow<'_>, i: &Issuance) -> serde_json::Value {
    let client_id = flow.client().map(|c| c.id().to_owned()).unwrap_or_default();
    let subject = i.subject.clone().unwrap_or_default();
    let mut claims = serde_json::Map::new();
    claims.insert("iss".to_owned(), flow.config.issuer.clone().into());
    claims.insert("sub".to_owned(), subject.sub.into());
    claims.insert("aud".to_owned(), client_id.into());
    claims.insert("iat".to_owned(), flow.now.into());
    claims.insert(
        "exp".to_owned(),
        flow.now.saturating_add(flow.config.id_token_ttl).into(),
    );
    if let Some(t) = subject.auth_time {
        claims.insert("auth_time".to_owned(), t.into());
    }
    if let Some(n) = &i.nonce {
        claims.insert("nonce".to_owned(), n.clone().into());
    }
    if let Some(acr) = subject.acr {
        claims.insert("acr".to_owned(), acr.into());
    }
    if !subject.amr.is_empty() {
        claims.insert("amr".to_owned(), subject.amr.into());
    }
    if let Some(at) = &i.access_token {
        claims.insert(
            "at_hash".to_owned(),
            half_hash(flow.config.signing.alg.hash(), at).into(),
        );
    }
    for (k, v) in &i.id_token_extra {
        claims.insert((*k).to_owned(), v.clone().into());
    }
    serde_json::Value::Object(claims)
}

/// `at_hash`: the left half of the hash of the token, base64url (OIDC Core section 3.1.3.6).
pub(crate) fn half_hash(hash: HashAlg, value: &str) -> String {
    let digest: Vec<u8> = match hash {
        HashAlg::Sha256 => Sha256::digest(value.as_bytes()).to_vec(),
        HashAlg::Sha384 => Sha384::digest(value.as_bytes()).to_vec(),
        HashAlg::Sha512 => Sha512::digest(value.as_bytes()).to_vec(),
    };
    Base64UrlUnpadded::encode_string(digest.get(..digest.len() / 2).unwrap_or_default())
}

/// Continues after the host signed.
pub(crate) fn signed(
    mut flow: TokenFlow<'_>,
    mut input: String,
    signature: Vec<u8>,
) -> TokenStep<'_> {
    let Some(mut issuance) = flow.issuance.take() else {
        return internal(flow, "issuance state lost");
    };
    input.push('.');
    input.push_str(&Base64UrlUnpadded::encode_string(&signature));
    match issuance.signing.take() {
        Some(Signing::AccessToken) => {
            let record = access_record(&flow, &issuance);
            issuance
                .records
                .push(Record::Access(TokenHash::of(&input), record));
            issuance.access_token = Some(input);
        }
        Some(Signing::IdToken) => issuance.id_token = Some(input),
        None => return internal(flow, "unexpected signature"),
    }
    flow.issuance = Some(issuance);
    next(flow)
}

/// HID's `noToken=1`: the grant succeeded, and the response carries the placeholder
/// access token instead of a real one. Nothing is signed or stored and a presented refresh
/// token is not rotated; a code or CIBA request the grant redeemed stays redeemed, as HID
/// uses `noToken` to check an authentication, not to keep a grant for later.
fn no_token<'a>(flow: TokenFlow<'a>, scope: &Scope) -> TokenStep<'a> {
    let scope = scope.to_string();
    let mut body = serde_json::Map::with_capacity(4);
    body.insert(
        "access_token".to_owned(),
        crate::hid::NO_TOKEN_PLACEHOLDER.into(),
    );
    body.insert("token_type".to_owned(), "Bearer".into());
    body.insert("expires_in".to_owned(), flow.config.access_token_ttl.into());
    if !scope.is_empty() {
        body.insert("scope".to_owned(), scope.into());
    }
    TokenStep::Done(Done {
        response: Response::json(200, &body),
        outcome: Outcome::Succeeded {
            client_id: flow.client().map(|c| c.id().to_owned()),
            what: format!(
                "authenticated without token (noToken): {}",
                flow.grant.as_str()
            )
            .into(),
        },
    })
}

/// Answers once the records are saved.
pub(crate) fn persisted(flow: TokenFlow<'_>) -> TokenStep<'_> {
    let Some(i) = flow.issuance.as_ref() else {
        return internal(flow, "issuance state lost");
    };
    let scope = i.scope.to_string();
    let access_token = i.access_token.as_deref().unwrap_or_default();
    let mut body = JsonObject::with_capacity(
        80 + access_token.len()
            + scope.len()
            + i.refresh_token.as_ref().map_or(0, String::len)
            + i.id_token.as_ref().map_or(0, String::len),
    );
    body.string("access_token", access_token)
        .string("token_type", "Bearer")
        .number("expires_in", flow.config.access_token_ttl);
    if !scope.is_empty() {
        body.string("scope", &scope);
    }
    if let Some(t) = &i.refresh_token {
        body.string("refresh_token", t);
    }
    if let Some(t) = &i.id_token {
        body.string("id_token", t);
    }
    // HID echoes the request id in CIBA token responses.
    if flow.config.profile == crate::config::Profile::Hid
        && flow.grant == crate::client::GrantType::Ciba
        && let Some(id) = flow.params.auth_req_id.as_deref()
    {
        body.string("auth_req_id", id);
    }
    let response = Response::json_bytes(200, body.finish());
    TokenStep::Done(Done {
        response,
        outcome: Outcome::Succeeded {
            client_id: flow.client().map(|c| c.id().to_owned()),
            what: issued(&flow.grant),
        },
    })
}

/// The outcome text of a successful token request: static for the standard grants.
fn issued(grant: &crate::client::GrantType) -> std::borrow::Cow<'static, str> {
    use crate::client::GrantType;
    match grant {
        GrantType::AuthorizationCode => "token issued: authorization_code".into(),
        GrantType::ClientCredentials => "token issued: client_credentials".into(),
        GrantType::RefreshToken => "token issued: refresh_token".into(),
        GrantType::Password => "token issued: password".into(),
        GrantType::Ciba => "token issued: urn:openid:params:grant-type:ciba".into(),
        GrantType::Extension(g) => format!("token issued: {g}").into(),
    }
}
