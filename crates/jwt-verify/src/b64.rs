//! Strict unpadded base64url (RFC 7515 section 2): no padding, no whitespace, no other
//! alphabet, and canonical trailing bits.
//!
//! Two decoders. The segments of a compact JWS (header, payload, signature) are public, so
//! they go through a table-driven decoder whose timing depends on the data; key material
//! read from a JWK (an `oct` key's `k` is a secret) goes through `base64ct`, which runs in
//! constant time. Both refuse exactly the same inputs.

use base64ct::{Base64UrlUnpadded, Encoding};

/// What an invalid character contributes in [`DECODE`]: bits above the 24 a group of four
/// characters decodes to, so one test after the loop finds any invalid character.
const INVALID: u32 = 0xff00_0000;

/// For each position in a group of four characters, each byte's 6-bit value already shifted
/// to its place in the group's 24 bits; [`INVALID`] for bytes outside the alphabet.
static DECODE: [[u32; 256]; 4] = [
    decode_table(18),
    decode_table(12),
    decode_table(6),
    decode_table(0),
];

const fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(v as u32)
}

// Evaluated at compile time, where an out-of-bounds index is a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const fn decode_table(shift: u32) -> [u32; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 256 {
        // `i < 256`, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        if let Some(v) = sextet(i as u8) {
            table[i] = v << shift;
        }
        i += 1;
    }
    table
}

/// The entry for `c` in `table`; the lookup cannot miss (256 entries, `u8` index).
#[inline(always)]
fn at(table: &[u32; 256], c: u8) -> u32 {
    table.get(usize::from(c)).copied().unwrap_or(INVALID)
}

/// The 6-bit value of `c`, or a value with bits above the low six set when `c` is not in
/// the alphabet.
#[inline(always)]
fn lookup(c: u8) -> u32 {
    let [.., values] = &DECODE;
    at(values, c)
}

/// The 24 bits of a group of four characters, with bits above them set if any is invalid.
#[inline(always)]
fn group(q: &[u8; 4]) -> u32 {
    let [t0, t1, t2, t3] = &DECODE;
    let [a, b, c, d] = *q;
    at(t0, a) | at(t1, b) | at(t2, c) | at(t3, d)
}

/// Decodes a public segment into `out`, returning the decoded prefix; `None` when the input
/// is not canonical unpadded base64url or does not fit. Not constant time: never use it for
/// secrets.
pub(crate) fn decode_public_into<'o>(input: &[u8], out: &'o mut [u8]) -> Option<&'o [u8]> {
    let len = decoded_len(input.len())?;
    let out = out.get_mut(..len)?;
    let (octets, rest) = input.as_chunks::<8>();
    let (wide, narrow) = out.split_at_mut_checked(octets.len() * 6)?;
    // Invalid characters set bits above 24; they are collected and checked once at the end,
    // so the loop has no branch on the data.
    let mut bad = 0u32;
    for (chars, o) in octets.iter().zip(wide.as_chunks_mut::<6>().0) {
        let (first, second) = chars.split_first_chunk::<4>()?;
        let second = <&[u8; 4]>::try_from(second).ok()?;
        let (v0, v1) = (group(first), group(second));
        bad |= v0 | v1;
        let [_, _, x @ ..] = ((u64::from(v0) << 24) | u64::from(v1)).to_be_bytes();
        *o = x;
    }
    (decode_tail(rest, narrow) && bad >> 24 == 0).then_some(out)
}

/// Decodes the last characters (fewer than eight): a group of four, then a canonical tail
/// of two or three. `out` must be exactly their decoded length.
fn decode_tail(input: &[u8], out: &mut [u8]) -> bool {
    let (quads, tail) = input.as_chunks::<4>();
    let (triples, out_tail) = out.as_chunks_mut::<3>();
    let mut bad = 0u32;
    for (q, o) in quads.iter().zip(triples.iter_mut()) {
        let v = group(q);
        bad |= v;
        let [_, x, y, z] = v.to_be_bytes();
        *o = [x, y, z];
    }
    match (tail, out_tail) {
        ([], []) => {}
        // Two characters carry one byte: the low four bits of the second must be zero.
        (&[a, b], [x]) => {
            let (a, b) = (lookup(a), lookup(b));
            bad |= a | b | ((b & 0x0f) << 24);
            let [.., v] = ((a << 2) | (b >> 4)).to_be_bytes();
            *x = v;
        }
        // Three characters carry two bytes: the low two bits of the third must be zero.
        (&[a, b, c], [x, y]) => {
            let (a, b, c) = (lookup(a), lookup(b), lookup(c));
            bad |= a | b | c | ((c & 0x03) << 24);
            let [.., v, w] = ((a << 10) | (b << 4) | (c >> 2)).to_be_bytes();
            (*x, *y) = (v, w);
        }
        _ => return false,
    }
    bad >> 24 == 0
}

/// Decodes a public segment into a new vector of exactly the decoded length; `None` when
/// it is not canonical unpadded base64url. Not constant time.
pub(crate) fn decode_public_vec(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; decoded_len(input.len())?];
    decode_public_into(input, &mut out)?;
    Some(out)
}

/// True when `input` is canonical unpadded base64url, checked without decoding. Not
/// constant time.
pub(crate) fn is_canonical_public(input: &[u8]) -> bool {
    let (octets, rest) = input.as_chunks::<8>();
    let mut invalid = 0u64;
    for chars in octets {
        invalid |= swar::outside_alphabet(u64::from_ne_bytes(*chars));
    }
    let (quads, tail) = rest.as_chunks::<4>();
    let mut bad = 0u32;
    for q in quads {
        bad |= group(q);
    }
    match *tail {
        [] => {}
        [a, b] => {
            let b = lookup(b);
            bad |= lookup(a) | b | ((b & 0x0f) << 24);
        }
        [a, b, c] => {
            let c = lookup(c);
            bad |= lookup(a) | lookup(b) | c | ((c & 0x03) << 24);
        }
        _ => return false,
    }
    invalid == 0 && bad >> 24 == 0
}

/// Eight characters checked at once in a `u64`, one per byte (SIMD within a register):
/// no table loads, so the check of a long payload runs at several bytes per cycle.
mod swar {
    /// `0x01` in every byte.
    const ONES: u64 = 0x0101_0101_0101_0101;
    /// The high bit of every byte.
    const HIGH: u64 = 0x8080_8080_8080_8080;

    /// The high bit of each byte set where that byte lies in `lo..=hi`. Exact for bytes
    /// below `0x80`: no sum then carries into the next byte. (Bytes from `0x80` up are
    /// refused by [`outside_alphabet`] whatever this returns.)
    const fn in_range(w: u64, lo: u8, hi: u8) -> u64 {
        let at_least_lo = w.wrapping_add((0x80 - lo as u64) * ONES);
        let above_hi = w.wrapping_add((0x7f - hi as u64) * ONES);
        at_least_lo & !above_hi & HIGH
    }

    /// Non-zero when any of the eight bytes is not a base64url character.
    pub(super) const fn outside_alphabet(w: u64) -> u64 {
        let alphabet = in_range(w, b'A', b'Z')
            | in_range(w, b'a', b'z')
            | in_range(w, b'0', b'9')
            | in_range(w, b'-', b'-')
            | in_range(w, b'_', b'_');
        (w & HIGH) | (alphabet ^ HIGH)
    }
}

/// Decodes key material into a new vector in constant time; `None` when it is not
/// canonical unpadded base64url.
pub(crate) fn decode_secret_vec(input: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(input).ok()
}

/// The exact decoded length of a canonical encoding of `len` characters, if one exists.
pub(crate) const fn decoded_len(len: usize) -> Option<usize> {
    match len % 4 {
        1 => None,
        r => Some(len / 4 * 3 + r.saturating_sub(1)),
    }
}

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rejects_padding_whitespace_other_alphabet_and_noncanonical_bits() {
        let mut out = [0u8; 16];
        assert_eq!(decode_public_into(b"Zm9v", &mut out), Some(&b"foo"[..]));
        assert_eq!(decode_public_into(b"Zm8", &mut out), Some(&b"fo"[..]));
        assert_eq!(decode_public_into(b"Zg", &mut out), Some(&b"f"[..]));
        assert_eq!(decode_public_into(b"", &mut out), Some(&b""[..]));
        assert_eq!(
            decode_public_into(b"-_-_", &mut out),
            Some(&[0xfb, 0xff, 0xbf][..])
        );
        for bad in [
            &b"Zm8="[..],
            b"Zm 8",
            b"Zm+8",
            b"Zm/8",
            b"Zm9",
            b"Zh",
            b"Z",
            b"Zm9vZ",
            b"Zm8\n",
            b"Zm9v\0",
            b"Zm9\xff",
        ] {
            assert_eq!(decode_public_into(bad, &mut out), None, "{bad:?}");
            assert!(!is_canonical_public(bad), "{bad:?}");
            assert_eq!(decode_public_vec(bad), None, "{bad:?}");
        }
        // Too small an output buffer is a refusal, not a panic.
        assert_eq!(decode_public_into(b"Zm9vZm9v", &mut [0u8; 5]), None);
    }

    #[test]
    fn decoded_len_matches() {
        for n in 0..40usize {
            let enc = encode(&vec![7u8; n]);
            assert_eq!(decoded_len(enc.len()), Some(n));
        }
        assert_eq!(decoded_len(5), None);
    }

    #[test]
    fn table_agrees_with_the_alphabet() {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for c in 0..=255u8 {
            let want = alphabet.iter().position(|&a| a == c).map(|p| p as u32);
            let got = Some(lookup(c)).filter(|v| *v != INVALID);
            assert_eq!(got, want, "{c}");
        }
    }

    #[test]
    fn every_byte_in_every_position_agrees_with_the_constant_time_decoder() {
        for base in [
            &b"AAAAAAAAAAA"[..],
            b"zz09-_Qw",
            b"________AAAA",
            b"Zm9vYmE",
        ] {
            for pos in 0..base.len() {
                for c in 0..=255u8 {
                    let mut chars = base.to_vec();
                    if let Some(slot) = chars.get_mut(pos) {
                        *slot = c;
                    }
                    let reference = core::str::from_utf8(&chars)
                        .ok()
                        .and_then(decode_secret_vec);
                    assert_eq!(decode_public_vec(&chars), reference, "{chars:?}");
                    assert_eq!(
                        is_canonical_public(&chars),
                        reference.is_some(),
                        "{chars:?}"
                    );
                }
            }
        }
    }

    fn near_base64() -> impl Strategy<Value = Vec<u8>> {
        // Mostly alphabet characters, with the bytes a lax decoder would let through.
        let byte = prop_oneof![
            8 => proptest::sample::select(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".to_vec()
            ),
            1 => proptest::sample::select(b"=+/ \n.\0\x7f\x80\xff".to_vec()),
            1 => any::<u8>(),
        ];
        proptest::collection::vec(byte, 0..80)
    }

    proptest! {
        #[test]
        fn public_decoder_agrees_with_the_constant_time_one(input in near_base64()) {
            let reference = core::str::from_utf8(&input).ok().and_then(decode_secret_vec);
            prop_assert_eq!(decode_public_vec(&input), reference.clone());
            prop_assert_eq!(is_canonical_public(&input), reference.is_some());
        }

        #[test]
        fn round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let enc = encode(&bytes);
            prop_assert_eq!(decode_public_vec(enc.as_bytes()), Some(bytes));
        }
    }
}
