//! Small JSON shape checks that serde's derived structs do not make.

/// True when the first non-whitespace byte opens an object. Derived structs also accept
/// arrays (fields by position), which a JOSE header or a claims set must never be.
pub(crate) fn is_object(json: &[u8]) -> bool {
    json.iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .is_some_and(|b| *b == b'{')
}
