//! Scopes (RFC 6749 section 3.3): space-delimited, case-sensitive tokens.

use core::fmt;

/// Longest accepted scope string, in bytes.
pub const MAX_SCOPE_LEN: usize = 2048;
/// Most scope tokens a request may name.
pub const MAX_SCOPE_TOKENS: usize = 64;

/// A set of scope tokens, kept in the order first given, without repeats.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Scope {
    tokens: Vec<Box<str>>,
}

/// A scope string that is not a valid `scope` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidScope;

impl Scope {
    /// Parses a `scope` value: tokens of `%x21 / %x23-5B / %x5D-7E` separated by spaces.
    pub fn parse(s: &str) -> Result<Self, InvalidScope> {
        if s.len() > MAX_SCOPE_LEN {
            return Err(InvalidScope);
        }
        let mut tokens: Vec<Box<str>> = Vec::new();
        for t in s.split(' ').filter(|t| !t.is_empty()) {
            let valid = t
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
            if !valid || tokens.len() >= MAX_SCOPE_TOKENS {
                return Err(InvalidScope);
            }
            if !tokens.iter().any(|x| x.as_ref() == t) {
                tokens.push(t.into());
            }
        }
        Ok(Scope { tokens })
    }

    /// True when no token is present.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// True when `token` is in the set.
    #[must_use]
    pub fn contains(&self, token: &str) -> bool {
        self.tokens.iter().any(|t| t.as_ref() == token)
    }

    /// True when every token of `self` is in `other`.
    #[must_use]
    pub fn is_subset_of(&self, other: &Scope) -> bool {
        self.tokens.iter().all(|t| other.contains(t))
    }

    /// The tokens.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().map(AsRef::as_ref)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.tokens.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(t)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({self})")
    }
}

impl serde::Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Scope::parse(&s).map_err(|_| serde::de::Error::custom("invalid scope"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dedups_and_compares() {
        let s = Scope::parse("openid  profile openid").unwrap_or_default();
        assert_eq!(s.to_string(), "openid profile");
        let reg = Scope::parse("openid profile read").unwrap_or_default();
        assert!(s.is_subset_of(&reg));
        assert!(!reg.is_subset_of(&s));
        assert_eq!(Scope::parse("a\"b"), Err(InvalidScope));
        assert_eq!(Scope::parse("a\\b"), Err(InvalidScope));
        assert_eq!(Scope::parse("é"), Err(InvalidScope));
        assert!(Scope::parse("").is_ok_and(|s| s.is_empty()));
    }
}
