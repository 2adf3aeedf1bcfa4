//! The certificate's public key, compared by value with registered JWKs (RFC 8705 section
//! 2.2.2).

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_verify::Jwk;
use x509_cert::der::asn1::{AnyRef, UintRef};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Decode, Reader};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Named curves: OID, JWK `crv` (RFC 7518 section 6.2.1.1), coordinate length in bytes.
const CURVES: &[(ObjectIdentifier, &str, usize)] = &[
    (
        ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7"),
        "P-256",
        32,
    ),
    (ObjectIdentifier::new_unwrap("1.3.132.0.34"), "P-384", 48),
    (ObjectIdentifier::new_unwrap("1.3.132.0.35"), "P-521", 66),
];

/// Longest JWK key member read, in base64url characters (an RSA modulus of 16384 bits is
/// 2731).
const MAX_JWK_MEMBER_CHARS: usize = 4096;

/// A public key in the form JWKs carry it, with integers and coordinates stripped of leading
/// zero bytes so that they compare as values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum PublicKey {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        crv: &'static str,
        x: Vec<u8>,
        y: Vec<u8>,
    },
    Ed25519(Vec<u8>),
    /// Any other algorithm, or a key that does not decode: matches no JWK.
    Unsupported,
}

impl PublicKey {
    pub(super) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Self {
        let Some(bits) = spki.subject_public_key.as_bytes() else {
            return Self::Unsupported;
        };
        let oid = spki.algorithm.oid;
        if oid == RSA_ENCRYPTION {
            rsa_public_key(bits).unwrap_or(Self::Unsupported)
        } else if oid == EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .and_then(|named| CURVES.iter().find(|(c, _, _)| *c == named));
            match curve {
                Some((_, crv, len)) => ec_point(crv, *len, bits).unwrap_or(Self::Unsupported),
                None => Self::Unsupported,
            }
        } else if oid == ED25519 && spki.algorithm.parameters.is_none() && bits.len() == 32 {
            Self::Ed25519(bits.to_vec())
        } else {
            Self::Unsupported
        }
    }

    /// RFC 8705 section 2.2: is this the key of `jwk`? Only keys usable for signatures count
    /// (`use` absent or `sig`, `key_ops` absent or including `verify`; RFC 7517 sections 4.2
    /// and 4.3).
    pub(super) fn matches_jwk(&self, jwk: &Jwk) -> bool {
        if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
            return false;
        }
        if jwk
            .key_ops
            .as_ref()
            .is_some_and(|ops| !ops.iter().any(|op| op == "verify"))
        {
            return false;
        }
        match self {
            Self::Rsa { n, e } => {
                jwk.kty == "RSA" && member_eq(jwk.n.as_deref(), n) && member_eq(jwk.e.as_deref(), e)
            }
            Self::Ec { crv, x, y } => {
                jwk.kty == "EC"
                    && jwk.crv.as_deref() == Some(*crv)
                    && member_eq(jwk.x.as_deref(), x)
                    && member_eq(jwk.y.as_deref(), y)
            }
            Self::Ed25519(key) => {
                jwk.kty == "OKP"
                    && jwk.crv.as_deref() == Some("Ed25519")
                    && decode_member(jwk.x.as_deref()).is_some_and(|x| x == *key)
            }
            Self::Unsupported => false,
        }
    }
}

/// RFC 8017 appendix A.1.1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent
/// INTEGER }`.
fn rsa_public_key(bits: &[u8]) -> Option<PublicKey> {
    let (n, e) = AnyRef::from_der(bits)
        .ok()?
        .sequence(|r| {
            let n: UintRef<'_> = r.decode()?;
            let e: UintRef<'_> = r.decode()?;
            Ok::<_, x509_cert::der::Error>((n, e))
        })
        .ok()?;
    let n = strip_leading_zeros(n.as_bytes());
    let e = strip_leading_zeros(e.as_bytes());
    if n.is_empty() || e.is_empty() {
        return None;
    }
    Some(PublicKey::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
    })
}

/// SEC 1 section 2.3.3 uncompressed point `04 || X || Y` (RFC 5480 section 2.2).
fn ec_point(crv: &'static str, len: usize, bits: &[u8]) -> Option<PublicKey> {
    let (tag, xy) = bits.split_first()?;
    if *tag != 0x04 || xy.len() != len.checked_mul(2)? {
        return None;
    }
    let (x, y) = xy.split_at_checked(len)?;
    Some(PublicKey::Ec {
        crv,
        x: strip_leading_zeros(x).to_vec(),
        y: strip_leading_zeros(y).to_vec(),
    })
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

fn decode_member(member: Option<&str>) -> Option<Vec<u8>> {
    let member = member?;
    if member.is_empty() || member.len() > MAX_JWK_MEMBER_CHARS {
        return None;
    }
    Base64UrlUnpadded::decode_vec(member).ok()
}

/// A base64url JWK integer or coordinate equal in value to `want` (no leading zeros).
fn member_eq(member: Option<&str>, want: &[u8]) -> bool {
    decode_member(member)
        .is_some_and(|bytes| !want.is_empty() && strip_leading_zeros(&bytes) == want)
}
