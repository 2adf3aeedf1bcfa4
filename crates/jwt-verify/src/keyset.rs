//! Key sets (JWKS, RFC 7517 section 5): keys loaded once, chosen per token by `kid` and `alg`.

use serde::Deserialize;

use crate::Algorithm;
use crate::error::{KeyError, VerifyError};
use crate::header::Header;
use crate::jwk::Jwk;
use crate::key::VerifyingKey;

/// How many keys a token without `kid` may be tried against, by default.
pub const DEFAULT_MAX_KIDLESS_CANDIDATES: usize = 3;

/// Most keys a set may hold; a registration with more is refused rather than slowly searched.
pub const MAX_KEYS: usize = 64;

/// Why one key of a set was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The key itself is unusable.
    Key(KeyError),
    /// Another key of the set has the same `kid`; both are left out.
    DuplicateKid,
    /// A shared secret in a set that also holds public keys: ambiguous, so left out.
    MixedSymmetry,
    /// The set holds more than [`MAX_KEYS`] keys.
    TooMany,
}

/// A key of a set that was left out, and why. Reported at load so the host can tell the
/// client's owner instead of failing later on a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedKey {
    /// Position in the `keys` array.
    pub index: usize,
    /// The key's `kid`, if it had one.
    pub kid: Option<String>,
    /// Why it was left out.
    pub reason: Rejection,
}

/// A set of verifying keys, each bound to one algorithm.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
    max_kidless: usize,
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

impl KeySet {
    /// Loads a JWKS document (`{"keys": [...]}`).
    ///
    /// A JWK that names its `alg` yields a key for that algorithm alone. A JWK without `alg`
    /// yields a key for each algorithm of `default_algs` that fits its type (an EC P-256 key
    /// always means ES256). Unusable keys, keys sharing a `kid`, and secrets mixed with public
    /// keys are left out and reported; the document itself must be a JSON object with a
    /// `keys` array.
    pub fn from_jwks_json(
        json: &str,
        default_algs: &[Algorithm],
    ) -> Result<(KeySet, Vec<RejectedKey>), KeyError> {
        if !crate::json::is_object(json.as_bytes()) {
            return Err(KeyError::Json);
        }
        let raw: RawSet = serde_json::from_str(json).map_err(|_| KeyError::Json)?;
        let mut rejected = Vec::new();
        let mut jwks = Vec::with_capacity(raw.keys.len().min(MAX_KEYS));
        for (index, value) in raw.keys.into_iter().enumerate() {
            if index >= MAX_KEYS {
                rejected.push(RejectedKey {
                    index,
                    kid: None,
                    reason: Rejection::TooMany,
                });
                continue;
            }
            let is_object = value.is_object();
            match serde_json::from_value::<Jwk>(value)
                .ok()
                .filter(|_| is_object)
            {
                Some(jwk) => jwks.push((index, jwk)),
                None => rejected.push(RejectedKey {
                    index,
                    kid: None,
                    reason: Rejection::Key(KeyError::Json),
                }),
            }
        }
        let (set, mut more) = Self::from_jwks(&jwks, default_algs);
        rejected.append(&mut more);
        rejected.sort_by_key(|r| r.index);
        Ok((set, rejected))
    }

    fn from_jwks(jwks: &[(usize, Jwk)], default_algs: &[Algorithm]) -> (KeySet, Vec<RejectedKey>) {
        let mut rejected = Vec::new();
        let reject = |rejected: &mut Vec<RejectedKey>, index: usize, jwk: &Jwk, reason| {
            rejected.push(RejectedKey {
                index,
                kid: jwk.kid.clone(),
                reason,
            });
        };
        let has_public = jwks.iter().any(|(_, j)| j.kty != "oct");
        let mut keys: Vec<VerifyingKey> = Vec::new();
        for (index, jwk) in jwks {
            let duplicate = jwk.kid.is_some()
                && jwks
                    .iter()
                    .any(|(i, other)| i != index && other.kid == jwk.kid);
            if duplicate {
                reject(&mut rejected, *index, jwk, Rejection::DuplicateKid);
                continue;
            }
            if has_public && jwk.kty == "oct" {
                reject(&mut rejected, *index, jwk, Rejection::MixedSymmetry);
                continue;
            }
            match Self::expand(jwk, default_algs) {
                Ok(mut ks) => keys.append(&mut ks),
                Err(e) => reject(&mut rejected, *index, jwk, Rejection::Key(e)),
            }
        }
        (
            KeySet {
                keys,
                max_kidless: DEFAULT_MAX_KIDLESS_CANDIDATES,
            },
            rejected,
        )
    }

    /// The keys one JWK stands for.
    fn expand(jwk: &Jwk, default_algs: &[Algorithm]) -> Result<Vec<VerifyingKey>, KeyError> {
        if jwk.alg.is_some() || (jwk.kty == "EC" && jwk.crv.as_deref() == Some("P-256")) {
            return VerifyingKey::from_jwk(jwk, None).map(|k| vec![k]);
        }
        let mut fitting = default_algs.iter().filter(|a| match jwk.kty.as_str() {
            "RSA" => !a.is_symmetric() && **a != Algorithm::ES256,
            "oct" => a.is_symmetric(),
            _ => false,
        });
        let first = fitting.next().ok_or(KeyError::AlgorithmMissing)?;
        let key = VerifyingKey::from_jwk(jwk, Some(*first))?;
        let mut out = vec![key.clone()];
        for alg in fitting {
            match key.rebind(*alg) {
                Some(k) => out.push(k),
                // oct keys: each HMAC algorithm needs its own keyed state and length check.
                None => out.push(VerifyingKey::from_jwk(jwk, Some(*alg))?),
            }
        }
        Ok(out)
    }

    /// A set of keys built elsewhere (e.g. from PEM). Keys sharing a `kid` and algorithm
    /// are left out and reported.
    #[must_use]
    pub fn from_keys(keys: Vec<VerifyingKey>) -> (KeySet, Vec<RejectedKey>) {
        let mut rejected = Vec::new();
        let mut kept = Vec::with_capacity(keys.len());
        for (index, key) in keys.iter().enumerate() {
            let clash = key.kid().is_some()
                && keys.iter().enumerate().any(|(i, other)| {
                    i != index && other.kid() == key.kid() && other.alg() == key.alg()
                });
            if clash {
                rejected.push(RejectedKey {
                    index,
                    kid: key.kid().map(str::to_owned),
                    reason: Rejection::DuplicateKid,
                });
            } else if index >= MAX_KEYS {
                rejected.push(RejectedKey {
                    index,
                    kid: key.kid().map(str::to_owned),
                    reason: Rejection::TooMany,
                });
            } else {
                kept.push(key.clone());
            }
        }
        (
            KeySet {
                keys: kept,
                max_kidless: DEFAULT_MAX_KIDLESS_CANDIDATES,
            },
            rejected,
        )
    }

    /// Sets how many keys a token without `kid` may be tried against.
    #[must_use]
    pub fn with_max_kidless_candidates(mut self, n: usize) -> Self {
        self.max_kidless = n;
        self
    }

    /// Every usable key.
    #[must_use]
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// True when the set holds no usable key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys a token with this header may be verified with: the key with its `kid` and
    /// `alg`, or without `kid`, the first few keys of its `alg`.
    pub fn candidates<'a>(&'a self, header: &'a Header) -> impl Iterator<Item = &'a VerifyingKey> {
        let alg = header.alg();
        let kid = header.kid();
        let limit = if kid.is_some() { 1 } else { self.max_kidless };
        self.keys
            .iter()
            .filter(move |k| k.alg() == alg && (kid.is_none() || k.kid() == kid))
            .take(limit)
    }

    /// Verifies `signature` over `message` with the keys chosen for `header`.
    pub(crate) fn verify(
        &self,
        header: &Header,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        let mut tried = false;
        for key in self.candidates(header) {
            tried = true;
            if key
                .verify_signature(header.alg(), message, signature)
                .is_ok()
            {
                return Ok(());
            }
        }
        Err(if tried {
            VerifyError::InvalidSignature
        } else {
            VerifyError::NoMatchingKey
        })
    }
}
