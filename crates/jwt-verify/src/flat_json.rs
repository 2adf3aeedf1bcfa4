//! A quick reader for the common shape of a JOSE header or a JWT claims set: one compact
//! JSON object whose members are plain strings or non-negative integers.
//!
//! It reads only that narrow form and says "not mine" for anything else (whitespace,
//! escapes, control characters, other number forms, `true`/`false`/`null`, arrays, nested
//! objects, a trailing comma...), so the caller hands the input to serde_json, which then
//! decides as it always did. Whatever it accepts, serde_json accepts with the same values;
//! the tests beside the header and the claims compare the two on generated inputs.

/// A member value of the form read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// A string with no escape and no control character.
    Str(&'a str),
    /// A non-negative integer of at most 19 digits, without a leading zero.
    Int(u64),
}

/// Calls `member` with each key and value of `json`, in order. `false` when `json` is not a
/// compact flat object of plain strings and integers, or as soon as `member` returns
/// `false`: the caller then parses with serde_json instead.
pub(crate) fn for_each_member<'a>(
    json: &'a str,
    mut member: impl FnMut(&'a str, Value<'a>) -> bool,
) -> bool {
    let Some(mut rest) = json.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    loop {
        let Some((key, after)) = string(rest) else {
            return false;
        };
        let Some(after) = after.strip_prefix(':') else {
            return false;
        };
        let parsed = match after.as_bytes().first() {
            Some(b'"') => string(after).map(|(s, a)| (Value::Str(s), a)),
            _ => integer(after).map(|(n, a)| (Value::Int(n), a)),
        };
        let Some((value, after)) = parsed else {
            return false;
        };
        if !member(key, value) {
            return false;
        }
        if after.is_empty() {
            return true;
        }
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => return false,
        }
    }
}

/// A string at the start of `s` holding no escape and no control character, and what
/// follows its closing quote.
#[inline(always)]
fn string(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('"')?;
    let end = stop_position(body.as_bytes())?;
    // `end` indexes an ASCII byte, so both sides are on character boundaries.
    let (text, after) = body.split_at_checked(end)?;
    Some((text, after.strip_prefix('"')?))
}

/// The first `"`, `\` or control character in `bytes`, eight bytes at a time in a `u64`
/// (SIMD within a register), then the last few one by one.
fn stop_position(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// The high bit of a byte set where a byte of `w` is below `n` (at most 0x80). A byte
    /// after such a byte may be flagged too (the borrow), never one before it, so the
    /// lowest flag is exact.
    const fn any_below(w: u64, n: u8) -> u64 {
        w.wrapping_sub(ONES * n as u64) & !w & HIGH
    }
    let (words, tail) = bytes.as_chunks::<8>();
    for (i, word) in words.iter().enumerate() {
        let w = u64::from_le_bytes(*word);
        let hits = any_below(w ^ (ONES * u64::from(b'"')), 1)
            | any_below(w ^ (ONES * u64::from(b'\\')), 1)
            | any_below(w, 0x20);
        if hits != 0 {
            // Bytes are numbered from the least significant one in a little-endian load.
            return Some(i * 8 + hits.trailing_zeros() as usize / 8);
        }
    }
    let at = tail
        .iter()
        .position(|b| *b == b'"' || *b == b'\\' || *b < 0x20)?;
    Some(words.len() * 8 + at)
}

/// A non-negative integer at the start of `s` (1 to 19 digits, no leading zero, so it fits
/// a `u64`), and what follows it. A fraction or exponent after it is left in place, where
/// the caller refuses it.
fn integer(s: &str) -> Option<(u64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (number, after) = s.split_at_checked(digits)?;
    if number.is_empty() || digits > 19 || (digits > 1 && number.starts_with('0')) {
        return None;
    }
    let value = number.bytes().fold(0u64, |acc, d| {
        acc.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
    });
    Some((value, after))
}

/// Inputs for the tests that compare a quick reader with serde_json: objects built from
/// the given keys and from values and separators of the form read here and just outside it.
#[cfg(test)]
pub(crate) fn near_flat_objects(
    keys: &'static [&'static str],
) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let key = proptest::sample::select(keys).prop_map(|k| format!("\"{k}\""));
    let value = prop_oneof![
        12 => proptest::sample::select(&[
            "\"HS256\"", "\"client-1\"", "\"\"", "\"é\"", "0", "1700000000",
            "9999999999999999999",
        ][..]).prop_map(str::to_owned),
        1 => proptest::sample::select(&[
            "\"a\\u0041\"", "\"a\\/b\"", "\"\t\"", "01", "-1", "1.5", "1e3", "-0",
            "10000000000000000000", "true", "false", "null", "[]", "[\"x\"]", "{}", "\"x\" ",
            " 1",
        ][..]).prop_map(str::to_owned),
    ];
    let member = (key, value).prop_map(|(k, v)| format!("{k}:{v}"));
    // Mostly the well-formed frame, so that about half the inputs take the quick reader.
    let open = prop_oneof![12 => Just("{"), 1 => Just(" {"), 1 => Just("[")];
    let close = prop_oneof![12 => Just("}"), 1 => Just("} "), 1 => Just("},"), 1 => Just("}}")];
    let comma = prop_oneof![24 => Just(","), 1 => Just(" ,"), 1 => Just(",,")];
    (proptest::collection::vec(member, 0..6), open, close, comma)
        .prop_map(|(members, open, close, comma)| format!("{open}{}{close}", members.join(comma)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(json: &str) -> Option<Vec<(&str, Value<'_>)>> {
        let mut all = Vec::new();
        for_each_member(json, |k, v| {
            all.push((k, v));
            true
        })
        .then_some(all)
    }

    #[test]
    fn reads_compact_flat_objects() {
        assert_eq!(members("{}"), Some(vec![]));
        assert_eq!(
            members(r#"{"a":"x","b":0,"c":18446744073709551,"é":"ü"}"#),
            Some(vec![
                ("a", Value::Str("x")),
                ("b", Value::Int(0)),
                ("c", Value::Int(18_446_744_073_709_551)),
                ("é", Value::Str("ü")),
            ])
        );
        assert_eq!(
            members(r#"{"n":9999999999999999999}"#),
            Some(vec![("n", Value::Int(9_999_999_999_999_999_999))])
        );
    }

    #[test]
    fn leaves_everything_else_to_serde_json() {
        for other in [
            "",
            "{",
            "}",
            "[]",
            "{ }",
            r#"{"a":"x",}"#,
            r#"{"a":"x"} "#,
            r#" {"a":"x"}"#,
            r#"{"a" :"x"}"#,
            r#"{"a":"x" }"#,
            r#"{"a":"x"}}"#,
            r#"{"a":"x"},{"b":1}"#,
            r#"{"a":"x\"}"#,
            r#"{"a":"\u0041"}"#,
            "{\"a\":\"\x01\"}",
            "{\"a\":\"\t\"}",
            r#"{"a\/":"x"}"#,
            r#"{"a":01}"#,
            r#"{"a":-1}"#,
            r#"{"a":1.5}"#,
            r#"{"a":1e3}"#,
            r#"{"a":10000000000000000000}"#,
            r#"{"a":true}"#,
            r#"{"a":null}"#,
            r#"{"a":["x"]}"#,
            r#"{"a":{}}"#,
            r#"{"a"}"#,
            r#"{"a":}"#,
            r#"{a:1}"#,
            r#"{"a":"x""b":1}"#,
        ] {
            assert_eq!(members(other), None, "{other}");
        }
    }

    #[test]
    fn finds_the_first_stop_byte_in_every_position() {
        for len in 0..20 {
            for pos in 0..len {
                for stop in [b'"', b'\\', 0x00, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    if let Some(b) = bytes.get_mut(pos) {
                        *b = stop;
                    }
                    assert_eq!(stop_position(&bytes), Some(pos), "{bytes:?}");
                    // Later stop bytes (and the borrows they cause) do not move it.
                    for later in bytes.iter_mut().skip(pos + 1).step_by(2) {
                        *later = 0x00;
                    }
                    assert_eq!(stop_position(&bytes), Some(pos), "{bytes:?}");
                }
            }
            let plain: Vec<u8> = (0..len)
                .map(|i| b" ~\x7f\xc3!#[".get(i % 7).copied().unwrap_or(b' '))
                .collect();
            assert_eq!(stop_position(&plain), None, "{plain:?}");
        }
    }

    #[test]
    fn stops_when_the_caller_says_so() {
        let mut seen = 0;
        let done = for_each_member(r#"{"a":1,"b":2,"c":3}"#, |k, _| {
            seen += 1;
            k != "b"
        });
        assert!(!done);
        assert_eq!(seen, 2);
    }
}
