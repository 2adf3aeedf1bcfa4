//! The seed inputs of the oauth-core endpoint targets: valid requests of every shape the
//! fixed tenant accepts (each client authentication method, each grant, CIBA hints, PAR with
//! and without request objects, plain and pushed authorization requests), plus a few that
//! take the refusal and host-failure paths.
//!
//! `seeds_reach_their_outcomes` checks that each seed ends where its name says (so the
//! fuzzer starts deep in the flows, not at the parser), and `committed_seeds_are_current`
//! that `regressions/<target>/` holds exactly these bytes. After changing the input layout
//! or the fixtures, rewrite them with
//! `cargo test --manifest-path fuzz/Cargo.toml --test engine_seeds -- --ignored`.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use jwt_verify::SigningKey;
use jwt_verify_fuzz::NOW;
use jwt_verify_fuzz::engine::{
    self, AuthorizeEnd, CHALLENGE_S256, CIBA_GRANT, CLIENT_SECRET, ENDPOINT_ALIAS, EXAMPLE_GRANT,
    ISSUER, Input, REDIRECT_URIS, SUB, TOKEN_ENDPOINT, USER, VERIFIER,
};
use oauth_core::auth::JWT_BEARER;
use oauth_core::authorize::REQUEST_URI_PREFIX;
use oauth_core::hid;
use oauth_testkit::{basic, encode_form};
use serde_json::json;

const FORM: &str = "application/x-www-form-urlencoded";

/// Where a seed must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Status(u16),
    Interact,
}

struct Seed {
    target: &'static str,
    name: &'static str,
    data: Vec<u8>,
    end: End,
}

fn sign(key: &SigningKey, claims: &serde_json::Value) -> String {
    key.sign_jwt(None, claims, &[7; 32]).expect("sign")
}

/// An RFC 7523 client assertion for `client_id`, addressed to `aud`.
fn assertion(key: &SigningKey, client_id: &str, aud: &str, jti: &str) -> String {
    sign(
        key,
        &json!({
            "iss": client_id, "sub": client_id, "aud": aud,
            "iat": NOW, "exp": NOW + 60, "jti": jti,
        }),
    )
}

struct Builder {
    seeds: Vec<Seed>,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        target: &'static str,
        name: &'static str,
        flags: u8,
        authorization: Option<&str>,
        form: &[(&str, &str)],
        choices: &[u8],
        end: End,
    ) {
        let body = encode_form(form);
        let data = Input {
            flags,
            content_type: FORM.as_bytes(),
            authorization: authorization.unwrap_or_default().as_bytes(),
            body: body.as_bytes(),
            choices,
        }
        .encode();
        self.seeds.push(Seed {
            target,
            name,
            data,
            end,
        });
    }
}

fn seeds() -> Vec<Seed> {
    let e = engine::engine();
    let mut b = Builder { seeds: Vec::new() };
    let ok = End::Status(200);
    let basic_auth = basic("basic", CLIENT_SECRET);
    let basic_auth = Some(basic_auth.as_str());
    let secret_jwt = assertion(&e.client_hmac, "secret-jwt", TOKEN_ENDPOINT, "j-hs");
    let pk_es = assertion(&e.client_ec, "pk-jwt", TOKEN_ENDPOINT, "j-es");
    let pk_rs = assertion(&e.client_rsa, "pk-jwt", TOKEN_ENDPOINT, "j-rs");
    let pk_alias = assertion(&e.client_ec, "pk-es256-par", ENDPOINT_ALIAS, "j-alias");
    let pk_par = assertion(&e.client_ec, "pk-es256-par", ISSUER, "j-par");
    let with_assertion = |client: &'static str, jwt: &str, rest: &[(&'static str, &str)]| {
        let mut form: Vec<(&str, String)> = vec![
            ("client_id", client.to_owned()),
            ("client_assertion_type", JWT_BEARER.to_owned()),
            ("client_assertion", jwt.to_owned()),
        ];
        form.extend(rest.iter().map(|(k, v)| (*k, (*v).to_owned())));
        form
    };

    // -- token_request --------------------------------------------------------------------
    let t = "token_request";
    let cc = ("grant_type", "client_credentials");
    b.add(
        t,
        "cc-basic",
        0,
        basic_auth,
        &[cc, ("scope", "read")],
        &[],
        ok,
    );
    b.add(
        t,
        "cc-post",
        0,
        None,
        &[cc, ("client_id", "post"), ("client_secret", CLIENT_SECRET)],
        &[],
        ok,
    );
    for (name, client, jwt, flags) in [
        ("cc-secret-jwt-hs256", "secret-jwt", &secret_jwt, 0u8),
        ("cc-private-key-jwt-es256", "pk-jwt", &pk_es, 0),
        ("cc-private-key-jwt-rs256", "pk-jwt", &pk_rs, 0),
        (
            "cc-private-key-jwt-alias-audience",
            "pk-es256-par",
            &pk_alias,
            0xc0,
        ),
    ] {
        let form = with_assertion(client, jwt, &[cc]);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.add(t, name, flags, None, &form, &[], ok);
    }
    b.add(
        t,
        "cc-tls-client-auth",
        0x04,
        None,
        &[cc, ("client_id", "tls")],
        &[],
        ok,
    );
    b.add(
        t,
        "cc-self-signed-tls-client-auth",
        0x04,
        None,
        &[cc, ("client_id", "self-signed")],
        &[],
        ok,
    );
    b.add(
        t,
        "cc-self-signed-unverified-chain",
        0x08,
        None,
        &[cc, ("client_id", "self-signed")],
        &[],
        ok,
    );
    b.add(
        t,
        "cc-tls-unverified-chain-refused",
        0x08,
        None,
        &[cc, ("client_id", "tls")],
        &[],
        End::Status(401),
    );
    let code = [
        ("grant_type", "authorization_code"),
        ("code", "SplxlOBeZQQYbYS6WxSbIA"),
        ("redirect_uri", REDIRECT_URIS[0]),
        ("code_verifier", VERIFIER),
    ];
    let mut public_code = code.to_vec();
    public_code.push(("client_id", "public"));
    b.add(t, "code-pkce-public", 0, None, &public_code, &[], ok);
    b.add(t, "code-pkce-basic", 0, basic_auth, &code, &[], ok);
    b.add(
        t,
        "code-pkce-basic-jwt-access-token",
        0x10,
        basic_auth,
        &code,
        &[],
        ok,
    );
    b.add(
        t,
        "code-replayed-revokes",
        0,
        basic_auth,
        &code,
        &[0, 2, 0],
        End::Status(400),
    );
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "tGzv3JOkF0XG5Qx2TlKWIA"),
    ];
    b.add(t, "refresh-basic", 0, basic_auth, &refresh, &[], ok);
    b.add(
        t,
        "password-post",
        0,
        None,
        &[
            ("grant_type", "password"),
            ("username", USER),
            ("password", "correct horse"),
            ("scope", "openid profile"),
            ("client_id", "post"),
            ("client_secret", CLIENT_SECRET),
        ],
        &[],
        ok,
    );
    let ciba = [
        ("grant_type", CIBA_GRANT),
        ("auth_req_id", "1c266114-a1be-4252"),
    ];
    b.add(t, "ciba-approved", 0, basic_auth, &ciba, &[], ok);
    b.add(
        t,
        "ciba-pending",
        0,
        basic_auth,
        &ciba,
        &[0, 2],
        End::Status(400),
    );
    b.add(
        t,
        "ciba-delete",
        0,
        basic_auth,
        &[
            ("grant_type", "ciba_delete"),
            ("auth_req_id", "1c266114-a1be-4252"),
        ],
        &[0, 2, 0],
        ok,
    );
    b.add(
        t,
        "host-unavailable",
        0,
        basic_auth,
        &[cc],
        &[14],
        End::Status(503),
    );

    // Extension grants, and the HID profile (configuration 2: flags 0x20).
    let hid = 0x20u8;
    let bearer = Some("Bearer RTp7HwAAAW3KhwwWbFmvt2o/66OFuV7HZ52X6scd");
    let password = [
        ("grant_type", "password"),
        ("username", USER),
        ("password", "wonderland"),
    ];
    b.add(
        t,
        "extension-grant-tokens",
        0,
        basic_auth,
        &[("grant_type", EXAMPLE_GRANT), ("device_code", "dc-1")],
        &[],
        ok,
    );
    b.add(t, "hid-bearer-password", hid, bearer, &password, &[], ok);
    b.add(
        t,
        "hid-bearer-off-outside-the-profile",
        0,
        bearer,
        &password,
        &[],
        End::Status(401),
    );
    let mut no_token = password.to_vec();
    no_token.extend([("noToken", "1"), ("mode", "SIGN_SYNCHRONOUS")]);
    b.add(t, "hid-no-token", hid, basic_auth, &no_token, &[], ok);
    let mut bad_mode = password.to_vec();
    bad_mode.push(("mode", "PUSH"));
    b.add(
        t,
        "hid-invalid-mode",
        hid,
        basic_auth,
        &bad_mode,
        &[],
        End::Status(400),
    );
    b.add(
        t,
        "hid-password-failure",
        hid,
        basic_auth,
        &password,
        &[0, 0x12],
        End::Status(400),
    );
    let otp = [
        ("grant_type", hid::API_OTP),
        ("username", USER),
        ("authType", "AT_SMSOTP"),
        ("deviceCentric", "1"),
        ("device_externalid", "SN-0042"),
    ];
    b.add(t, "hid-api-otp", hid, basic_auth, &otp, &[0, 3], ok);
    b.add(
        t,
        "hid-error-forbidden",
        hid,
        basic_auth,
        &otp,
        &[0, 0x22],
        End::Status(403),
    );
    b.add(
        t,
        "hid-client-secret-pki",
        hid | 0x04,
        None,
        &[("grant_type", hid::CLIENT_SECRET_PKI), ("client_id", "tls")],
        &[],
        ok,
    );

    // -- backchannel_request --------------------------------------------------------------
    let t = "backchannel_request";
    let id_token = sign(
        &e.signer,
        &json!({
            "iss": ISSUER, "aud": "basic", "sub": SUB,
            "iat": NOW - 600, "exp": NOW - 300,
        }),
    );
    let hint_token = |key: &SigningKey, client: &str| {
        sign(
            key,
            &json!({
                "iss": client, "aud": ISSUER, "sub": SUB,
                "iat": NOW, "exp": NOW + 60,
            }),
        )
    };
    let es_hint = hint_token(&e.client_ec, "pk-jwt");
    let hs_hint = hint_token(&e.client_hmac, "secret-jwt");
    let login = [
        ("scope", "openid profile"),
        ("login_hint", USER),
        ("binding_message", "W4SCT"),
        ("requested_expiry", "60"),
        ("acr_values", "urn:example:acr:high"),
    ];
    b.add(t, "login-hint-basic", 0, basic_auth, &login, &[], ok);
    b.add(
        t,
        "ping-post-user-code",
        0x20,
        None,
        &[
            ("scope", "openid"),
            ("login_hint", USER),
            (
                "client_notification_token",
                "8d67dc78-7faa-4d41-aabd-67707b374255",
            ),
            ("user_code", "1234"),
            ("client_id", "post"),
            ("client_secret", CLIENT_SECRET),
        ],
        &[],
        ok,
    );
    b.add(
        t,
        "id-token-hint-basic",
        0,
        basic_auth,
        &[("scope", "openid"), ("id_token_hint", &id_token)],
        &[],
        ok,
    );
    let form = with_assertion(
        "pk-jwt",
        &pk_es,
        &[("scope", "openid email"), ("login_hint_token", &es_hint)],
    );
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.add(
        t,
        "login-hint-token-es256-private-key-jwt",
        0,
        None,
        &form,
        &[],
        ok,
    );
    let form = with_assertion(
        "secret-jwt",
        &secret_jwt,
        &[("scope", "openid"), ("login_hint_token", &hs_hint)],
    );
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.add(
        t,
        "login-hint-token-hs256-secret-jwt",
        0,
        None,
        &form,
        &[],
        ok,
    );
    b.add(
        t,
        "unknown-user",
        0,
        basic_auth,
        &login,
        &[0, 1],
        End::Status(400),
    );

    // -- par_request ----------------------------------------------------------------------
    let t = "par_request";
    let created = End::Status(201);
    let authz = [
        ("response_type", "code"),
        ("redirect_uri", REDIRECT_URIS[1]),
        ("scope", "openid profile"),
        ("state", "af0ifjsldkj"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", CHALLENGE_S256),
        ("code_challenge_method", "S256"),
    ];
    b.add(t, "basic", 0, basic_auth, &authz, &[], created);
    let form = with_assertion("pk-es256-par", &pk_par, &authz);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.add(t, "private-key-jwt-es256", 0, None, &form, &[], created);
    let mut public = authz.to_vec();
    public.push(("client_id", "public"));
    public.retain(|(k, _)| *k != "redirect_uri");
    b.add(t, "public-pkce", 0, None, &public, &[], created);
    let mut tls = authz.to_vec();
    tls.push(("client_id", "tls"));
    b.add(t, "tls-client-auth", 0x04, None, &tls, &[], created);
    let request_object = |client: &str, key: &SigningKey, aud: &str| {
        sign(
            key,
            &json!({
                "iss": client, "aud": aud, "client_id": client,
                "iat": NOW, "exp": NOW + 300,
                "response_type": "code", "redirect_uri": REDIRECT_URIS[0],
                "scope": "openid", "state": "ro-state", "nonce": "ro-nonce",
                "code_challenge": CHALLENGE_S256, "code_challenge_method": "S256",
                "max_age": 600, "claims": {"id_token": {"acr": null}},
            }),
        )
    };
    let ro = request_object("basic", &e.client_hmac, ISSUER);
    b.add(
        t,
        "request-object-hs256",
        0,
        basic_auth,
        &[("request", &ro)],
        &[],
        created,
    );
    b.add(
        t,
        "replayed-assertion",
        0,
        None,
        &form,
        &[0, 1],
        End::Status(401),
    );

    // -- authorize_request ----------------------------------------------------------------
    let t = "authorize_request";
    let redirect = End::Status(303);
    let mut plain = vec![("client_id", "public")];
    plain.extend(authz.iter().filter(|(k, _)| *k != "redirect_uri"));
    b.add(t, "get-public-pkce", 0, None, &plain, &[], redirect);
    let mut post = vec![("client_id", "basic")];
    post.extend(authz);
    b.add(t, "post-basic", 0x40, None, &post, &[], redirect);
    let pushed_uri = format!("{REQUEST_URI_PREFIX}bwc4JK-ESC0w8acc191e-Y1LTC2");
    b.add(
        t,
        "pushed-request-uri",
        0,
        None,
        &[("client_id", "pk-es256-par"), ("request_uri", &pushed_uri)],
        &[],
        redirect,
    );
    b.add(t, "login-needed", 0, None, &plain, &[0, 1], End::Interact);
    b.add(
        t,
        "consent-needed",
        0,
        None,
        &plain,
        &[0, 0, 1],
        End::Interact,
    );
    let mut form_post = post.clone();
    form_post.push(("response_mode", "form_post"));
    b.add(t, "form-post", 0, None, &form_post, &[], ok);
    let ro = request_object("basic", &e.client_hmac, ISSUER);
    b.add(
        t,
        "request-object-hs256",
        0,
        None,
        &[("client_id", "basic"), ("request", &ro)],
        &[],
        redirect,
    );
    let mut prompt_none = plain.clone();
    prompt_none.push(("prompt", "none"));
    b.add(
        t,
        "prompt-none-login-required",
        0,
        None,
        &prompt_none,
        &[0, 1],
        redirect,
    );
    let mut bad_redirect = vec![
        ("client_id", "basic"),
        ("redirect_uri", "https://evil.example/cb"),
    ];
    bad_redirect.extend(authz.iter().filter(|(k, _)| *k != "redirect_uri"));
    b.add(
        t,
        "unregistered-redirect",
        0,
        None,
        &bad_redirect,
        &[],
        End::Status(400),
    );

    // -- form_parse -----------------------------------------------------------------------
    for (name, body) in [
        ("plain", "grant_type=client_credentials&scope=read+write"),
        ("encoded", "a=%E2%82%AC&b=x%2By&c=%20&&d=&e"),
        ("repeated", "a=1&%61=2"),
        ("bad-escape", "a=%zz"),
    ] {
        b.seeds.push(Seed {
            target: "form_parse",
            name,
            data: body.as_bytes().to_vec(),
            end: End::Status(0),
        });
    }
    b.seeds
}

fn run(seed: &Seed) -> End {
    match seed.target {
        "token_request" => End::Status(engine::run_token_request(&seed.data).response.status),
        "backchannel_request" => {
            End::Status(engine::run_backchannel_request(&seed.data).response.status)
        }
        "par_request" => End::Status(engine::run_par_request(&seed.data).response.status),
        "authorize_request" => match engine::run_authorize_request(&seed.data) {
            AuthorizeEnd::Done(d) => End::Status(d.response.status),
            AuthorizeEnd::Interact(_) => End::Interact,
        },
        "form_parse" => {
            engine::form_parse(&seed.data);
            End::Status(0)
        }
        other => panic!("no target {other}"),
    }
}

#[test]
fn seeds_reach_their_outcomes() {
    let mut wrong = Vec::new();
    for seed in seeds() {
        let end = run(&seed);
        println!("{}/{}: {end:?}", seed.target, seed.name);
        if end != seed.end {
            wrong.push(format!(
                "{}/{}: expected {:?}, got {end:?}",
                seed.target, seed.name, seed.end
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target)
}

#[test]
fn committed_seeds_are_current() {
    for seed in seeds() {
        let path = dir(seed.target).join(format!("seed-{}", seed.name));
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run the ignored write_seeds)", path.display()));
        assert!(
            committed == seed.data,
            "{} is stale: rewrite with `-- --ignored write_engine_seeds`",
            path.display()
        );
    }
}

/// Writes the seeds into `regressions/` (run by hand with `--ignored`; the files are
/// committed).
#[test]
#[ignore = "writes the seed corpus into the source tree"]
fn write_engine_seeds() {
    for seed in seeds() {
        let d = dir(seed.target);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join(format!("seed-{}", seed.name)), &seed.data).expect("write seed");
    }
}
