//! Distinguished names: RFC 4514 strings in and out, RFC 4517 `distinguishedNameMatch` with
//! the RFC 4518 string preparation for `caseIgnoreMatch`.

use core::fmt::{self, Write as _};

use x509_cert::der::asn1::Any;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Decode, Encode, Tag, Tagged};
use x509_cert::name::Name;

/// An attribute type the RFC 4514 string form may name: the name written out, the names
/// accepted when reading (ASCII case-insensitive), and the OID.
struct KnownAttribute {
    written: &'static str,
    accepted: &'static [&'static str],
    oid: ObjectIdentifier,
}

/// RFC 4514 section 3 short names, then a few more from RFC 4519 and PKCS #9 that client
/// certificates commonly carry.
const KNOWN_ATTRIBUTES: &[KnownAttribute] = &[
    KnownAttribute {
        written: "CN",
        accepted: &["CN", "commonName"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.3"),
    },
    KnownAttribute {
        written: "L",
        accepted: &["L", "localityName"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.7"),
    },
    KnownAttribute {
        written: "ST",
        accepted: &["ST", "stateOrProvinceName"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.8"),
    },
    KnownAttribute {
        written: "O",
        accepted: &["O", "organizationName"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.10"),
    },
    KnownAttribute {
        written: "OU",
        accepted: &["OU", "organizationalUnitName"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.11"),
    },
    KnownAttribute {
        written: "C",
        accepted: &["C", "countryName"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.6"),
    },
    KnownAttribute {
        written: "STREET",
        accepted: &["STREET", "streetAddress"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.9"),
    },
    KnownAttribute {
        written: "DC",
        accepted: &["DC", "domainComponent"],
        oid: ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.25"),
    },
    KnownAttribute {
        written: "UID",
        accepted: &["UID", "userId"],
        oid: ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1"),
    },
    KnownAttribute {
        written: "serialNumber",
        accepted: &["serialNumber"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.5"),
    },
    KnownAttribute {
        written: "SN",
        accepted: &["SN", "surname"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.4"),
    },
    KnownAttribute {
        written: "givenName",
        accepted: &["givenName", "GN"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.42"),
    },
    KnownAttribute {
        written: "title",
        accepted: &["title"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.12"),
    },
    KnownAttribute {
        written: "postalCode",
        accepted: &["postalCode"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.17"),
    },
    KnownAttribute {
        written: "organizationIdentifier",
        accepted: &["organizationIdentifier"],
        oid: ObjectIdentifier::new_unwrap("2.5.4.97"),
    },
    KnownAttribute {
        written: "emailAddress",
        accepted: &["emailAddress", "E"],
        oid: ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1"),
    },
];

fn written_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    KNOWN_ATTRIBUTES
        .iter()
        .find(|a| a.oid == *oid)
        .map(|a| a.written)
}

fn oid_by_name(name: &str) -> Option<ObjectIdentifier> {
    KNOWN_ATTRIBUTES
        .iter()
        .find(|a| a.accepted.iter().any(|n| n.eq_ignore_ascii_case(name)))
        .map(|a| a.oid)
}

/// A distinguished name as a sequence of RDNs, most significant first (the order of the DER
/// encoding; RFC 4514 strings list them the other way round).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DistinguishedName(Vec<Rdn>);

/// A relative distinguished name: a SET of one or more attribute type and value pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rdn(Vec<Atv>);

/// One attribute type and value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Atv {
    oid: ObjectIdentifier,
    /// The value as text when it is one of the directory string types.
    text: Option<String>,
    /// The value's DER (empty for a value read from an RFC 4514 string form).
    der: Vec<u8>,
}

impl DistinguishedName {
    /// The subject or issuer of a certificate.
    pub(super) fn from_name(name: &Name) -> Self {
        Self(
            name.iter_rdn()
                .map(|rdn| {
                    Rdn(rdn
                        .iter()
                        .map(|atv| Atv::from_value(atv.oid, &atv.value))
                        .collect())
                })
                .collect(),
        )
    }

    /// True for the empty DN (no RDNs).
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// RFC 4517 section 4.2.15 `distinguishedNameMatch`: same number of RDNs; each RDN pair has
    /// the same number of attributes, and each attribute in one matches a distinct attribute
    /// of the same type in the other (an RDN is a SET, so order inside it does not matter).
    pub(super) fn matches(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| a.matches(b))
    }

    /// Parses an RFC 4514 section 3 string. Also accepted, as RFC 4514 section 4 allows:
    /// spaces around `,`, `+` and `=` and unescaped leading or trailing spaces in a value
    /// (insignificant under RFC 4518 anyway), `;` as an RDN separator (RFC 2253), an `OID.`
    /// prefix on a dotted OID, and the long attribute names. Unescaped `"`, `<`, `>` or NUL
    /// in a value, a bad escape, a value that is not UTF-8, or an unknown attribute name is an
    /// error. The empty string is the empty DN.
    pub(super) fn parse(input: &str) -> Option<Self> {
        let mut cursor = Cursor {
            bytes: input.as_bytes(),
            pos: 0,
        };
        cursor.skip_spaces();
        if cursor.peek().is_none() {
            return Some(Self(Vec::new()));
        }
        let mut rdns = Vec::new();
        let mut rdn = Vec::new();
        loop {
            cursor.skip_spaces();
            let oid = cursor.attribute_type()?;
            cursor.skip_spaces();
            if cursor.peek() != Some(b'=') {
                return None;
            }
            cursor.bump();
            cursor.skip_spaces();
            rdn.push(cursor.attribute_value(oid)?);
            match cursor.peek() {
                Some(b'+') => cursor.bump(),
                Some(b',' | b';') => {
                    cursor.bump();
                    rdns.push(Rdn(core::mem::take(&mut rdn)));
                }
                None => {
                    rdns.push(Rdn(rdn));
                    break;
                }
                Some(_) => return None,
            }
        }
        rdns.reverse();
        Some(Self(rdns))
    }
}

/// RFC 4514 section 2: RDNs from the last (least significant) to the first, `,` between RDNs
/// and `+` between the attributes of a multi-valued RDN.
impl fmt::Display for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rdn) in self.0.iter().rev().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            for (j, atv) in rdn.0.iter().enumerate() {
                if j > 0 {
                    f.write_char('+')?;
                }
                write!(f, "{atv}")?;
            }
        }
        Ok(())
    }
}

impl Rdn {
    fn matches(&self, other: &Self) -> bool {
        if self.0.len() != other.0.len() {
            return false;
        }
        let mut used = vec![false; other.0.len()];
        for want in &self.0 {
            let slot = other
                .0
                .iter()
                .zip(used.iter_mut())
                .find(|(have, taken)| !**taken && want.matches(have));
            match slot {
                Some((_, taken)) => *taken = true,
                None => return false,
            }
        }
        true
    }
}

impl Atv {
    fn from_value(oid: ObjectIdentifier, value: &Any) -> Self {
        Self {
            oid,
            text: directory_string(value.tag(), value.value()),
            der: value.to_der().unwrap_or_default(),
        }
    }

    /// Same type, and values equal after RFC 4518 preparation (strings) or by DER (others).
    fn matches(&self, other: &Self) -> bool {
        self.oid == other.oid
            && match (&self.text, &other.text) {
                (Some(a), Some(b)) => prepare(a) == prepare(b),
                (None, None) => !self.der.is_empty() && self.der == other.der,
                _ => false,
            }
    }
}

/// RFC 4514 section 2.3 and 2.4: a known short name with an escaped string, otherwise the
/// dotted OID with the value's DER in hex.
impl fmt::Display for Atv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(name), Some(text)) = (written_name(&self.oid), &self.text) {
            write!(f, "{name}=")?;
            write_escaped(f, text)
        } else {
            write!(f, "{}=#", self.oid)?;
            for b in &self.der {
                write!(f, "{b:02x}")?;
            }
            Ok(())
        }
    }
}

/// RFC 4514 section 2.4 escaping, plus hex escapes for control and invisible format characters
/// so that a DN cannot forge log lines.
fn write_escaped(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    let last = text.chars().count().saturating_sub(1);
    for (i, c) in text.chars().enumerate() {
        match c {
            '#' | ' ' if i == 0 => write!(f, "\\{c}")?,
            ' ' if i == last => f.write_str("\\ ")?,
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => write!(f, "\\{c}")?,
            c if c.is_control() || is_mapped_to_nothing(c) => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    write!(f, "\\{b:02X}")?;
                }
            }
            c => f.write_char(c)?,
        }
    }
    Ok(())
}

/// The directory string types (RFC 5280 section 4.1.2.4 and the `IA5String` attributes) as
/// text; `None` for any other type or an invalid encoding. `TeletexString` is read as Latin-1,
/// as common practice does.
fn directory_string(tag: Tag, bytes: &[u8]) -> Option<String> {
    match tag {
        Tag::Utf8String => String::from_utf8(bytes.to_vec()).ok(),
        Tag::PrintableString | Tag::Ia5String | Tag::VisibleString | Tag::NumericString => {
            if bytes.is_ascii() {
                String::from_utf8(bytes.to_vec()).ok()
            } else {
                None
            }
        }
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            bytes
                .chunks_exact(2)
                .map(|pair| match pair {
                    [hi, lo] => char::from_u32(u32::from(u16::from_be_bytes([*hi, *lo]))),
                    _ => None,
                })
                .collect()
        }
        _ => None,
    }
}

/// RFC 4518 section 2.2: characters mapped to nothing (beyond the controls, which
/// `char::is_control` covers): soft hyphens, joiners, variation selectors, the object
/// replacement character, zero width space and the other format characters.
fn is_mapped_to_nothing(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x1806
            | 0x180B..=0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFF9..=0xFFFC
            | 0x110BD
            | 0x110CD
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
            | 0xE0100..=0xE01EF
    )
}

/// RFC 4518 string preparation for `caseIgnoreMatch`, as far as is practical without Unicode
/// tables: map (section 2.2: white space to SPACE, controls and format characters to nothing),
/// case fold (section 2.3, approximated by upper- then lower-casing each character, which
/// folds `ß` to `ss` and the Kelvin sign to `k`), no NFKC (section 2.4), and insignificant
/// space handling (section 2.6.1: no leading or trailing spaces, inner runs folded to one).
fn prepare(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() || is_mapped_to_nothing(c) {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        for upper in c.to_uppercase() {
            out.extend(upper.to_lowercase());
        }
    }
    out
}

/// A byte cursor over an RFC 4514 string.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.bump();
        }
    }

    /// RFC 4514 section 3 `attributeType`: a descriptor or a dotted OID.
    fn attribute_type(&mut self) -> Option<ObjectIdentifier> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            self.bump();
        }
        let name = core::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?;
        let name = match name.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("oid.") => name.get(4..)?,
            _ => name,
        };
        match name.bytes().next() {
            Some(b) if b.is_ascii_digit() => ObjectIdentifier::new(name).ok(),
            Some(b) if b.is_ascii_alphabetic() => oid_by_name(name),
            _ => None,
        }
    }

    /// RFC 4514 section 3 `attributeValue`: a `#`-hex BER value or an escaped string. Stops
    /// before the next unescaped `,`, `+` or `;`.
    fn attribute_value(&mut self, oid: ObjectIdentifier) -> Option<Atv> {
        if self.peek() == Some(b'#') {
            self.bump();
            let mut der = Vec::new();
            while let Some(hi) = self.peek().and_then(hex_digit) {
                self.bump();
                let lo = self.peek().and_then(hex_digit)?;
                self.bump();
                der.push(hi << 4 | lo);
            }
            self.skip_spaces();
            let value = Any::from_der(&der).ok()?;
            return Some(Atv::from_value(oid, &value));
        }
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None | Some(b',' | b'+' | b';') => break,
                Some(b'\\') => {
                    self.bump();
                    let escaped = self.peek()?;
                    self.bump();
                    match escaped {
                        b'"' | b'+' | b',' | b';' | b'<' | b'>' | b'\\' | b' ' | b'#' | b'=' => {
                            out.push(escaped);
                        }
                        _ => {
                            let hi = hex_digit(escaped)?;
                            let lo = self.peek().and_then(hex_digit)?;
                            self.bump();
                            out.push(hi << 4 | lo);
                        }
                    }
                }
                Some(b'"' | b'<' | b'>' | 0) => return None,
                Some(b) => {
                    out.push(b);
                    self.bump();
                }
            }
        }
        Some(Atv {
            oid,
            text: Some(String::from_utf8(out).ok()?),
            der: Vec::new(),
        })
    }
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
