//! Replays every file of `regressions/<target>/` through the target's body on stable Rust, so
//! an input that once crashed a fuzz target stays a test. Add a crashing input found by
//! `cargo fuzz run <target>` by copying it from `artifacts/<target>/` into
//! `regressions/<target>/` under a name that says what it exercised.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

fn replay(target: &str, body: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    for file in &files {
        let data = std::fs::read(file).expect("regression input");
        let outcome = std::panic::catch_unwind(|| body(&data));
        assert!(outcome.is_ok(), "{target} panicked on {}", file.display());
    }
    println!("{target}: {} inputs replayed", files.len());
}

#[test]
fn jws_parse_regressions() {
    replay("jws_parse", jwt_verify_fuzz::jws_parse);
}

#[test]
fn jwk_load_regressions() {
    replay("jwk_load", jwt_verify_fuzz::jwk_load);
}

#[test]
fn jws_verify_regressions() {
    replay("jws_verify", jwt_verify_fuzz::jws_verify);
}

#[test]
fn form_parse_regressions() {
    replay("form_parse", jwt_verify_fuzz::form_parse);
}

#[test]
fn token_request_regressions() {
    replay("token_request", jwt_verify_fuzz::token_request);
}

#[test]
fn backchannel_request_regressions() {
    replay("backchannel_request", jwt_verify_fuzz::backchannel_request);
}

#[test]
fn par_request_regressions() {
    replay("par_request", jwt_verify_fuzz::par_request);
}

#[test]
fn authorize_request_regressions() {
    replay("authorize_request", jwt_verify_fuzz::authorize_request);
}

#[test]
fn fixed_keys_load() {
    let keys = jwt_verify_fuzz::keys();
    assert_eq!(keys.signing.len(), jwt_verify::Algorithm::ALL.len());
    assert_eq!(
        keys.public_set.keys().len() + keys.hmac_set.keys().len(),
        keys.signing.len()
    );
}

/// Every signing key's own assertion passes the claim policy through the `jws_verify` body,
/// so the seeds below reach the claim checks rather than stopping at the signature.
#[test]
fn signed_assertions_pass_the_policy() {
    let claims = format!(
        r#"{{"iss":"{c}","sub":"{c}","aud":"{a}","exp":{e},"iat":{i},"jti":"j-1"}}"#,
        c = jwt_verify_fuzz::CLIENT_ID,
        a = jwt_verify_fuzz::AUDIENCES[0],
        e = jwt_verify_fuzz::NOW + 60,
        i = jwt_verify_fuzz::NOW,
    );
    for sk in &jwt_verify_fuzz::keys().signing {
        let token = sk
            .sign_jwt(Some("JWT"), &RawJson(&claims), &[1; 32])
            .expect("sign");
        let keys = jwt_verify_fuzz::keys();
        let set = if sk.alg().is_symmetric() {
            &keys.hmac_set
        } else {
            &keys.public_set
        };
        let policy = jwt_verify::ClaimPolicy::client_assertion(
            jwt_verify_fuzz::CLIENT_ID,
            &jwt_verify_fuzz::AUDIENCES,
            jwt_verify_fuzz::NOW,
        );
        assert!(
            jwt_verify::verify(&token, set, &policy).is_ok(),
            "{:?}",
            sk.alg()
        );
        let mut input = vec![0u8];
        input.extend_from_slice(token.as_bytes());
        jwt_verify_fuzz::jws_verify(&input);
    }
}

/// Writes the seed inputs of `regressions/` (run once by hand with `--ignored`; the files are
/// committed).
#[test]
#[ignore = "writes the seed corpus into the source tree"]
fn write_seeds() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let write = |target: &str, name: &str, data: &[u8]| {
        std::fs::write(root.join(target).join(name), data).expect("write seed");
    };
    let claims = format!(
        r#"{{"iss":"{c}","sub":"{c}","aud":["x","{a}"],"exp":{e},"iat":{i},"jti":"j-1"}}"#,
        c = jwt_verify_fuzz::CLIENT_ID,
        a = jwt_verify_fuzz::AUDIENCES[1],
        e = jwt_verify_fuzz::NOW + 60,
        i = jwt_verify_fuzz::NOW,
    );
    for sk in &jwt_verify_fuzz::keys().signing {
        let alg = sk.alg().as_str();
        let token = sk
            .sign_jwt(Some("JWT"), &RawJson(&claims), &[1; 32])
            .expect("sign");
        write("jws_parse", &format!("valid-{alg}"), token.as_bytes());
        let mut as_is = vec![0u8];
        as_is.extend_from_slice(token.as_bytes());
        write("jws_verify", &format!("valid-{alg}"), &as_is);
        if let Ok(vk) = sk.verifying_key() {
            let jwk = vk.public_jwk().expect("public jwk");
            let json = serde_json_string(&jwk);
            write("jwk_load", &format!("public-{alg}.json"), json.as_bytes());
        }
    }
    // Signed here by the target: HS256 (pick 0) and ES256 (pick 3) over the claims, with the
    // typ/max_age/leeway policy variants.
    for (mode, pick) in [(1u8, 0u8), (0x31, 3), (0xd1, 1), (0x41, 2)] {
        let mut signed = vec![mode, pick];
        signed.extend_from_slice(claims.as_bytes());
        write(
            "jws_verify",
            &format!("signed-mode{mode:02x}-pick{pick}"),
            &signed,
        );
    }
}

/// Claims already written as JSON.
struct RawJson<'a>(&'a str);

impl serde::Serialize for RawJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value: serde_json::Value =
            serde_json::from_str(self.0).map_err(serde::ser::Error::custom)?;
        value.serialize(s)
    }
}

fn serde_json_string(jwk: &jwt_verify::Jwk) -> String {
    serde_json::to_string(jwk).expect("jwk json")
}
