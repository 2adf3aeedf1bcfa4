//! The claim policy (RFC 7519 section 4.1, RFC 7523 section 3): every check is chosen at
//! construction, so nothing is silently skipped.

use core::fmt;
use core::marker::PhantomData;
use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::error::ClaimError;
use crate::flat_json::{self, Value};
use crate::json::CowStr;
use crate::token::Verified;

/// Seconds since the Unix epoch, as JWT NumericDate values are.
pub type UnixTime = u64;

/// Default clock-skew allowance for `exp`, `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY: u64 = 60;
/// Default longest accepted time from now to `exp`, in seconds.
pub const DEFAULT_MAX_LIFETIME: u64 = 3600;

/// What the `iss` claim must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issuer<'p> {
    /// Present and equal to this value.
    Exactly(&'p str),
    /// Not checked (the caller checks it against something it only learns from the claims).
    Unchecked,
}

/// Which `aud` values are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience<'p> {
    /// `aud` must be present and name at least one of these values.
    AnyOf(&'p [&'p str]),
    /// Not checked.
    Unchecked,
}

/// The checks applied to a verified token's registered claims.
#[derive(Debug, Clone)]
pub struct ClaimPolicy<'p> {
    issuer: Issuer<'p>,
    audience: Audience<'p>,
    now: UnixTime,
    subject: Option<&'p str>,
    leeway: u64,
    max_lifetime: Option<u64>,
    max_age: Option<u64>,
    require_jti: bool,
    require_iat: bool,
    allow_expired: bool,
    typ: Option<&'p str>,
}

impl<'p> ClaimPolicy<'p> {
    /// A policy that checks `iss` and `aud` as given, requires `exp` in the future (within
    /// the default leeway) and at most [`DEFAULT_MAX_LIFETIME`] ahead, and checks `nbf` and
    /// `iat` when present (neither may be in the future beyond the leeway).
    #[must_use]
    pub fn new(issuer: Issuer<'p>, audience: Audience<'p>, now: UnixTime) -> Self {
        ClaimPolicy {
            issuer,
            audience,
            now,
            subject: None,
            leeway: DEFAULT_LEEWAY,
            max_lifetime: Some(DEFAULT_MAX_LIFETIME),
            max_age: None,
            require_jti: false,
            require_iat: false,
            allow_expired: false,
            typ: None,
        }
    }

    /// The RFC 7523 section 3 client assertion policy: `iss` and `sub` equal to the client
    /// id, `aud` naming one of `audiences`, `exp` required, and `jti` required for the
    /// replay check.
    #[must_use]
    pub fn client_assertion(client_id: &'p str, audiences: &'p [&'p str], now: UnixTime) -> Self {
        Self::new(Issuer::Exactly(client_id), Audience::AnyOf(audiences), now)
            .subject(client_id)
            .require_jti()
    }

    /// `sub` must be present and equal to this value.
    #[must_use]
    pub fn subject(mut self, sub: &'p str) -> Self {
        self.subject = Some(sub);
        self
    }

    /// Clock-skew allowance in seconds for `exp`, `nbf` and `iat`.
    #[must_use]
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Longest accepted time from now to `exp`; `None` removes the bound.
    #[must_use]
    pub fn max_lifetime(mut self, seconds: Option<u64>) -> Self {
        self.max_lifetime = seconds;
        self
    }

    /// `iat` must be present and no older than this many seconds.
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self.require_iat = true;
        self
    }

    /// `iat` must be present.
    #[must_use]
    pub fn require_iat(mut self) -> Self {
        self.require_iat = true;
        self
    }

    /// `jti` must be present.
    #[must_use]
    pub fn require_jti(mut self) -> Self {
        self.require_jti = true;
        self
    }

    /// The header `typ` must equal this value, compared case-insensitively and with an
    /// omitted `application/` prefix, as RFC 7515 section 4.1.9 recommends.
    #[must_use]
    pub fn typ(mut self, typ: &'p str) -> Self {
        self.typ = Some(typ);
        self
    }

    /// Accept an expired token (`exp` still required): for an `id_token_hint`, which
    /// OpenID Connect lets be expired.
    #[must_use]
    pub fn allow_expired(mut self) -> Self {
        self.allow_expired = true;
        self
    }

    /// Reads the registered claims of `token` and applies every check.
    pub fn check<'t>(&self, token: &'t Verified) -> Result<Claims<'t>, ClaimError> {
        if let Some(want) = self.typ {
            let got = token.header().typ().ok_or(ClaimError::Type)?;
            if !media_type_eq(got, want) {
                return Err(ClaimError::Type);
            }
        }
        let claims = crate::json::from_object_or(token.payload(), Claims::quick)
            .ok_or(ClaimError::Malformed)?;
        self.check_claims(&claims)?;
        Ok(claims)
    }

    /// Applies every check to claims already read.
    pub fn check_claims(&self, c: &Claims<'_>) -> Result<(), ClaimError> {
        if let Issuer::Exactly(want) = self.issuer
            && c.iss.as_deref().ok_or(ClaimError::Missing("iss"))? != want
        {
            return Err(ClaimError::Issuer);
        }
        if let Some(want) = self.subject
            && c.sub.as_deref().ok_or(ClaimError::Missing("sub"))? != want
        {
            return Err(ClaimError::Subject);
        }
        if let Audience::AnyOf(accepted) = self.audience {
            let aud = c.aud.as_ref().ok_or(ClaimError::Missing("aud"))?;
            if !aud.iter().any(|a| accepted.contains(&a)) {
                return Err(ClaimError::Audience);
            }
        }
        let exp = c.exp.ok_or(ClaimError::Missing("exp"))?;
        if !self.allow_expired && exp.saturating_add(self.leeway) <= self.now {
            return Err(ClaimError::Expired);
        }
        if let Some(max) = self.max_lifetime
            && exp > self.now.saturating_add(max).saturating_add(self.leeway)
        {
            return Err(ClaimError::LifetimeTooLong);
        }
        if let Some(nbf) = c.nbf
            && nbf > self.now.saturating_add(self.leeway)
        {
            return Err(ClaimError::NotYetValid);
        }
        match c.iat {
            Some(iat) if iat > self.now.saturating_add(self.leeway) => {
                return Err(ClaimError::IssuedInFuture);
            }
            Some(iat)
                if self.max_age.is_some_and(|age| {
                    iat.saturating_add(age).saturating_add(self.leeway) < self.now
                }) =>
            {
                return Err(ClaimError::TooOld);
            }
            None if self.require_iat => return Err(ClaimError::Missing("iat")),
            _ => {}
        }
        if self.require_jti && c.jti.is_none() {
            return Err(ClaimError::Missing("jti"));
        }
        Ok(())
    }
}

/// `typ` comparison per RFC 7515 section 4.1.9.
fn media_type_eq(got: &str, want: &str) -> bool {
    fn strip(s: &str) -> &str {
        match s.get(..12) {
            Some(p) if p.eq_ignore_ascii_case("application/") => s.get(12..).unwrap_or(s),
            _ => s,
        }
    }
    strip(got).eq_ignore_ascii_case(strip(want))
}

/// The registered claims of a JWT (RFC 7519 section 4.1), borrowed from the payload where
/// no JSON escapes prevent it. Other claims are ignored here; read them with
/// [`Verified::claims`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Claims<'a> {
    /// Issuer.
    #[serde(borrow, default, deserialize_with = "crate::json::opt_cow_str")]
    pub iss: Option<Cow<'a, str>>,
    /// Subject.
    #[serde(borrow, default, deserialize_with = "crate::json::opt_cow_str")]
    pub sub: Option<Cow<'a, str>>,
    /// Audience: one string or an array of strings.
    #[serde(borrow, default)]
    pub aud: Option<Aud<'a>>,
    /// Expiration time.
    #[serde(default, deserialize_with = "numeric_date")]
    pub exp: Option<UnixTime>,
    /// Not before.
    #[serde(default, deserialize_with = "numeric_date")]
    pub nbf: Option<UnixTime>,
    /// Issued at.
    #[serde(default, deserialize_with = "numeric_date")]
    pub iat: Option<UnixTime>,
    /// JWT ID, for the caller's replay check.
    #[serde(borrow, default, deserialize_with = "crate::json::opt_cow_str")]
    pub jti: Option<Cow<'a, str>>,
}

impl<'a> Claims<'a> {
    /// The claims read by [`flat_json`] when the payload has that form, the string claims
    /// are strings, the dates integers, and none is repeated; `None` leaves it to
    /// serde_json (an `aud` array, a fractional date, a repeated claim, ...).
    fn quick(json: &'a str) -> Option<Self> {
        let mut c = Claims::default();
        let complete = flat_json::for_each_member(json, |key, value| {
            let (text, date) = match key {
                "iss" => (&mut c.iss, None),
                "sub" => (&mut c.sub, None),
                "jti" => (&mut c.jti, None),
                "exp" => (&mut None, Some(&mut c.exp)),
                "nbf" => (&mut None, Some(&mut c.nbf)),
                "iat" => (&mut None, Some(&mut c.iat)),
                "aud" => {
                    return match value {
                        Value::Str(s) if c.aud.is_none() => {
                            c.aud = Some(Aud::One(Cow::Borrowed(s)));
                            true
                        }
                        _ => false,
                    };
                }
                _ => return true,
            };
            match (value, date) {
                (Value::Int(n), Some(slot)) if slot.is_none() => {
                    *slot = Some(n);
                    true
                }
                (Value::Str(s), None) if text.is_none() => {
                    *text = Some(Cow::Borrowed(s));
                    true
                }
                _ => false,
            }
        });
        complete.then_some(c)
    }
}

/// The `aud` claim (RFC 7519 section 4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Aud<'a> {
    /// A single audience.
    One(Cow<'a, str>),
    /// Several audiences.
    Many(Vec<Cow<'a, str>>),
}

/// A string or an array of strings, each borrowed from the payload when it holds no escape.
/// Written out rather than derived (`untagged`), which would buffer the value first.
impl<'de: 'a, 'a> Deserialize<'de> for Aud<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct AudVisitor<'a>(PhantomData<&'a str>);

        impl<'de: 'a, 'a> de::Visitor<'de> for AudVisitor<'a> {
            type Value = Aud<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Aud::One(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Aud::One(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Aud::One(Cow::Owned(v)))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut all = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
                while let Some(CowStr(a)) = seq.next_element()? {
                    all.push(a);
                }
                Ok(Aud::Many(all))
            }
        }

        d.deserialize_any(AudVisitor(PhantomData))
    }
}

impl Aud<'_> {
    /// Every audience named.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many) = match self {
            Aud::One(a) => (Some(a.as_ref()), None),
            Aud::Many(v) => (None, Some(v.iter().map(Cow::as_ref))),
        };
        one.into_iter().chain(many.into_iter().flatten())
    }
}

/// A NumericDate: a non-negative JSON number of seconds; fractions are truncated.
fn numeric_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<UnixTime>, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(v) = n.as_u64() {
        return Ok(Some(v));
    }
    match n.as_f64() {
        Some(f) if (0.0..1.8e19).contains(&f) => {
            // Truncation toward zero is the intended conversion of a fractional date.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(Some(f as u64))
        }
        _ => Err(de::Error::custom("invalid NumericDate")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> Claims<'_> {
        serde_json::from_str(json).unwrap_or_default()
    }

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn client_assertion_policy_checks_every_claim() {
        let aud = ["https://as.example/token", "https://as.example"];
        let p = ClaimPolicy::client_assertion("c1", &aud, NOW);
        let ok = r#"{"iss":"c1","sub":"c1","aud":"https://as.example","exp":1700000060,"jti":"j"}"#;
        assert_eq!(p.check_claims(&claims(ok)), Ok(()));
        let arr = r#"{"iss":"c1","sub":"c1","aud":["x","https://as.example/token"],"exp":1700000060,"jti":"j"}"#;
        assert_eq!(p.check_claims(&claims(arr)), Ok(()));
        let cases = [
            (
                r#"{"sub":"c1","aud":"https://as.example","exp":1700000060,"jti":"j"}"#,
                ClaimError::Missing("iss"),
            ),
            (
                r#"{"iss":"c2","sub":"c1","aud":"https://as.example","exp":1700000060,"jti":"j"}"#,
                ClaimError::Issuer,
            ),
            (
                r#"{"iss":"c1","sub":"c2","aud":"https://as.example","exp":1700000060,"jti":"j"}"#,
                ClaimError::Subject,
            ),
            (
                r#"{"iss":"c1","sub":"c1","aud":"https://other","exp":1700000060,"jti":"j"}"#,
                ClaimError::Audience,
            ),
            (
                r#"{"iss":"c1","sub":"c1","aud":[],"exp":1700000060,"jti":"j"}"#,
                ClaimError::Audience,
            ),
            (
                r#"{"iss":"c1","sub":"c1","exp":1700000060,"jti":"j"}"#,
                ClaimError::Missing("aud"),
            ),
            (
                r#"{"iss":"c1","sub":"c1","aud":"https://as.example","jti":"j"}"#,
                ClaimError::Missing("exp"),
            ),
            (
                r#"{"iss":"c1","sub":"c1","aud":"https://as.example","exp":1699999940,"jti":"j"}"#,
                ClaimError::Expired,
            ),
            (
                r#"{"iss":"c1","sub":"c1","aud":"https://as.example","exp":1700009000,"jti":"j"}"#,
                ClaimError::LifetimeTooLong,
            ),
            (
                r#"{"iss":"c1","sub":"c1","aud":"https://as.example","exp":1700000060,"nbf":1700000100,"jti":"j"}"#,
                ClaimError::NotYetValid,
            ),
            (
                r#"{"iss":"c1","sub":"c1","aud":"https://as.example","exp":1700000060,"iat":1700000100,"jti":"j"}"#,
                ClaimError::IssuedInFuture,
            ),
            (
                r#"{"iss":"c1","sub":"c1","aud":"https://as.example","exp":1700000060}"#,
                ClaimError::Missing("jti"),
            ),
        ];
        for (json, want) in cases {
            assert_eq!(p.check_claims(&claims(json)), Err(want), "{json}");
        }
    }

    #[test]
    fn compact_claims_take_the_quick_reader() {
        let json = r#"{"iss":"c1","sub":"c1","aud":"https://as.example","exp":1700000060,"iat":1700000000,"nbf":0,"jti":"j","x":"y"}"#;
        let quick = Claims::quick(json);
        assert!(quick.is_some());
        assert_eq!(quick, serde_json::from_str(json).ok());
    }

    proptest::proptest! {
        #[test]
        fn quick_reader_agrees_with_serde_json(json in crate::flat_json::near_flat_objects(
            &["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "x"],
        )) {
            if let Some(quick) = Claims::quick(&json) {
                proptest::prop_assert_eq!(serde_json::from_str::<Claims<'_>>(&json).ok(), Some(quick));
            }
        }
    }

    #[test]
    fn generated_payloads_exercise_both_readers() {
        use proptest::strategy::{Strategy, ValueTree};
        let strategy = crate::flat_json::near_flat_objects(&["iss", "aud", "exp", "jti", "x"]);
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let quick = (0..1000)
            .filter_map(|_| strategy.new_tree(&mut runner).ok())
            .filter(|tree| Claims::quick(&tree.current()).is_some())
            .count();
        assert!((100..=900).contains(&quick), "{quick} of 1000 read quickly");
    }

    #[test]
    fn leeway_applies_at_the_edges() {
        let p = ClaimPolicy::new(Issuer::Unchecked, Audience::Unchecked, NOW).leeway(10);
        let at = |exp: u64| Claims {
            exp: Some(exp),
            ..Claims::default()
        };
        assert_eq!(p.check_claims(&at(NOW - 9)), Ok(()));
        assert_eq!(p.check_claims(&at(NOW - 10)), Err(ClaimError::Expired));
        let p0 = p.clone().leeway(0);
        assert_eq!(p0.check_claims(&at(NOW)), Err(ClaimError::Expired));
        assert_eq!(p0.check_claims(&at(NOW + 1)), Ok(()));
        assert_eq!(p.clone().allow_expired().check_claims(&at(1)), Ok(()));
    }

    #[test]
    fn numeric_dates_accept_fractions_and_refuse_the_rest() {
        assert_eq!(claims(r#"{"exp":1.9}"#).exp, Some(1));
        for bad in [
            r#"{"exp":-1}"#,
            r#"{"exp":"1"}"#,
            r#"{"exp":1e30}"#,
            r#"{"aud":1}"#,
        ] {
            assert!(serde_json::from_str::<Claims<'_>>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn string_claims_borrow_unless_escaped() {
        let c = claims(r#"{"iss":"c1","sub":"c\/1","aud":["a","b\u0031"],"jti":"j"}"#);
        assert!(matches!(c.iss, Some(Cow::Borrowed("c1"))));
        assert_eq!(c.sub.as_deref(), Some("c/1"));
        assert!(matches!(c.jti, Some(Cow::Borrowed("j"))));
        let aud: Vec<&str> = c.aud.iter().flat_map(Aud::iter).collect();
        assert_eq!(aud, ["a", "b1"]);
        assert!(matches!(
            claims(r#"{"aud":"x"}"#).aud,
            Some(Aud::One(Cow::Borrowed("x")))
        ));
        assert_eq!(claims(r#"{"aud":null}"#).aud, None);
        for bad in [
            r#"{"aud":["a",1]}"#,
            r#"{"aud":[["a"]]}"#,
            r#"{"aud":{"a":1}}"#,
            r#"{"aud":true}"#,
            r#"{"iss":1}"#,
            r#"{"jti":["j"]}"#,
        ] {
            assert!(serde_json::from_str::<Claims<'_>>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn typ_comparison_follows_rfc7515() {
        assert!(media_type_eq(
            "client-authentication+jwt",
            "client-authentication+jwt"
        ));
        assert!(media_type_eq(
            "application/Client-Authentication+JWT",
            "client-authentication+jwt"
        ));
        assert!(!media_type_eq("JWT", "client-authentication+jwt"));
    }
}
