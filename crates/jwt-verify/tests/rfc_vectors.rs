//! The example JWS of RFC 7515 appendix A.1 (HS256), A.2 (RS256) and A.3 (ES256), and of
//! RFC 7520 sections 4.1 (RS256) and 4.4 (HS256), transcribed from the RFC text.
//!
//! The RFC 7515 tokens carry `"exp":1300819380`: their claims are checked with a policy
//! whose `now` precedes it. The deterministic signatures (HMAC, RSASSA-PKCS1-v1_5) are also
//! recomputed from the RFC's private keys and compared byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use jwt_verify::{
    Algorithm, Audience, ClaimError, ClaimPolicy, Issuer, Jwk, KeyError, KeySet, SigningKey, Token,
    VerifyError, VerifyingKey,
};

use common::{b64, unb64};

/// The payload shared by RFC 7515 A.1 to A.3 (A.1 step "JWS Payload"), with its CR LF line
/// breaks.
const RFC7515_PAYLOAD: &[u8] =
    b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
const RFC7515_PAYLOAD_B64: &str = concat!(
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt",
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
);
const RFC7515_EXP: u64 = 1_300_819_380;

/// A `now` before the RFC 7515 tokens expire, and within the default maximum lifetime.
const BEFORE_EXP: u64 = RFC7515_EXP - 600;

// ---------------------------------------------------------------------------------------
// RFC 7515 A.1: HS256
// ---------------------------------------------------------------------------------------

/// RFC 7515 A.1.1: the protected header `{"typ":"JWT",\r\n "alg":"HS256"}`.
const A1_HEADER: &[u8] = b"{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
const A1_HEADER_B64: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
/// RFC 7515 A.1.1: the symmetric key.
const A1_JWK: &str = r#"{"kty":"oct",
 "k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
}"#;
const A1_SIGNATURE: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn a1_jws() -> String {
    format!("{A1_HEADER_B64}.{RFC7515_PAYLOAD_B64}.{A1_SIGNATURE}")
}

/// The claims policy for the RFC 7515 examples: `iss` is `joe`, no audience.
fn rfc7515_policy(now: u64) -> ClaimPolicy<'static> {
    ClaimPolicy::new(Issuer::Exactly("joe"), Audience::Unchecked, now)
}

#[test]
fn rfc7515_a1_hs256() {
    assert_eq!(b64(A1_HEADER), A1_HEADER_B64);
    assert_eq!(b64(RFC7515_PAYLOAD), RFC7515_PAYLOAD_B64);

    let jwk = Jwk::from_json(A1_JWK).unwrap();
    // The JWK names no alg, and `oct` fits three: the caller must say which.
    assert_eq!(
        VerifyingKey::from_jwk(&jwk, None).err(),
        Some(KeyError::AlgorithmMissing)
    );
    let key = VerifyingKey::from_jwk(&jwk, Some(Algorithm::HS256)).unwrap();
    let secret = unb64(jwk.k.as_deref().unwrap());
    assert_eq!(secret.len(), 64);

    let jws = a1_jws();
    let token = Token::parse(&jws).unwrap();
    assert_eq!(token.header().alg(), Algorithm::HS256);
    assert_eq!(token.header().typ(), Some("JWT"));
    assert_eq!(
        token.signing_input(),
        format!("{A1_HEADER_B64}.{RFC7515_PAYLOAD_B64}").as_bytes()
    );
    let verified = token.verify(&key).unwrap();
    assert_eq!(verified.payload(), RFC7515_PAYLOAD);
    let claims = rfc7515_policy(BEFORE_EXP).check(&verified).unwrap();
    assert_eq!(claims.iss.as_deref(), Some("joe"));
    assert_eq!(claims.exp, Some(RFC7515_EXP));
    let all: serde_json::Value = verified.claims().unwrap();
    assert_eq!(all["http://example.com/is_root"], true);
    // Expired once the leeway has passed.
    assert_eq!(
        rfc7515_policy(RFC7515_EXP + 60).check(&verified).err(),
        Some(ClaimError::Expired)
    );
    assert!(rfc7515_policy(RFC7515_EXP + 59).check(&verified).is_ok());

    // HMAC is deterministic: the same key gives the RFC's MAC.
    let signer = SigningKey::from_jwk(&jwk, Some(Algorithm::HS256)).unwrap();
    let mac = signer.sign(token.signing_input(), &[0; 32]).unwrap();
    assert_eq!(b64(&mac), A1_SIGNATURE);
    assert_eq!(
        SigningKey::hmac(Algorithm::HS256, &secret)
            .unwrap()
            .sign(token.signing_input(), &[1; 32])
            .unwrap(),
        mac
    );

    // The same secret bound to HS512 does not verify an HS256 token.
    let hs512 = VerifyingKey::hmac(Algorithm::HS512, &secret).unwrap();
    assert!(matches!(
        token.verify(&hs512),
        Err(VerifyError::AlgorithmMismatch {
            key: Algorithm::HS512,
            token: Algorithm::HS256
        })
    ));
}

/// `SigningKey::verifying_key` is documented as "the matching verifying key (for HMAC, the
/// same secret)": for the A.1 key it must verify the A.1 token.
#[test]
fn rfc7515_a1_hmac_signing_key_gives_its_verifying_key() {
    let jwk = Jwk::from_json(A1_JWK).unwrap();
    let signer = SigningKey::from_jwk(&jwk, Some(Algorithm::HS256)).unwrap();
    let key = signer
        .verifying_key()
        .expect("the HMAC signing key's verifying key (the same secret)");
    assert_eq!(key.alg(), Algorithm::HS256);
    assert!(Token::parse(&a1_jws()).unwrap().verify(&key).is_ok());
}

// ---------------------------------------------------------------------------------------
// RFC 7515 A.2: RS256
// ---------------------------------------------------------------------------------------

const A2_HEADER_B64: &str = "eyJhbGciOiJSUzI1NiJ9";

/// RFC 7515 A.2.1: the RSA key.
const A2_N: &str = concat!(
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx",
    "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs",
    "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH",
    "SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV",
    "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8",
    "NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
);
const A2_E: &str = "AQAB";
const A2_D: &str = concat!(
    "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97I",
    "jlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0",
    "BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn",
    "439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYT",
    "CBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLh",
    "BOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ"
);
const A2_P: &str = concat!(
    "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdi",
    "YrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPG",
    "BY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc"
);
const A2_Q: &str = concat!(
    "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxa",
    "ewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA",
    "-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc"
);
const A2_DP: &str = concat!(
    "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3Q",
    "CLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb",
    "34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0"
);
const A2_DQ: &str = concat!(
    "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa",
    "7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-ky",
    "NlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU"
);
const A2_QI: &str = concat!(
    "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2o",
    "y26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLU",
    "W0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"
);
const A2_SIGNATURE: &str = concat!(
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7",
    "AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4",
    "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K",
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv",
    "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB",
    "p0igcN_IoypGlUPQGe77Rw"
);

fn a2_private_jwk() -> Jwk {
    Jwk {
        kty: "RSA".to_owned(),
        n: Some(A2_N.to_owned()),
        e: Some(A2_E.to_owned()),
        d: Some(A2_D.to_owned()),
        p: Some(A2_P.to_owned()),
        q: Some(A2_Q.to_owned()),
        dp: Some(A2_DP.to_owned()),
        dq: Some(A2_DQ.to_owned()),
        qi: Some(A2_QI.to_owned()),
        ..Jwk::default()
    }
}

#[test]
fn rfc7515_a2_rs256() {
    assert_eq!(b64(br#"{"alg":"RS256"}"#), A2_HEADER_B64);
    let private = a2_private_jwk();
    // A private JWK is refused as a verifying key; its public part is accepted.
    assert_eq!(
        VerifyingKey::from_jwk(&private, Some(Algorithm::RS256)).err(),
        Some(KeyError::WrongKeyVisibility)
    );
    let public = private.to_public();
    assert!(!public.is_private());
    let key = VerifyingKey::from_jwk(&public, Some(Algorithm::RS256)).unwrap();
    let same = VerifyingKey::rsa(Algorithm::RS256, &unb64(A2_N), &unb64(A2_E)).unwrap();
    assert_eq!(key.public_jwk(), same.public_jwk());

    let jws = format!("{A2_HEADER_B64}.{RFC7515_PAYLOAD_B64}.{A2_SIGNATURE}");
    let token = Token::parse(&jws).unwrap();
    assert_eq!(token.signature().len(), 256);
    let verified = token.verify(&key).unwrap();
    assert_eq!(verified.payload(), RFC7515_PAYLOAD);
    let claims = rfc7515_policy(BEFORE_EXP).check(&verified).unwrap();
    assert_eq!(claims.exp, Some(RFC7515_EXP));
    assert!(
        same.verify_signature(Algorithm::RS256, token.signing_input(), &token.signature())
            .is_ok()
    );

    // The same key bound to PS256 refuses the RS256 token before any cryptography.
    let ps = VerifyingKey::from_jwk(&public, Some(Algorithm::PS256)).unwrap();
    assert!(matches!(
        token.verify(&ps),
        Err(VerifyError::AlgorithmMismatch {
            key: Algorithm::PS256,
            token: Algorithm::RS256
        })
    ));

    // RSASSA-PKCS1-v1_5 is deterministic: signing the A.2 input with the A.2 private key
    // gives the RFC's signature byte for byte, whatever the blinding entropy.
    let signer = SigningKey::from_jwk(&private, Some(Algorithm::RS256)).unwrap();
    for entropy in [[0u8; 32], [0xa5; 32]] {
        let sig = signer.sign(token.signing_input(), &entropy).unwrap();
        assert_eq!(sig, unb64(A2_SIGNATURE));
    }
    assert_eq!(
        signer.verifying_key().unwrap().public_jwk(),
        key.public_jwk()
    );
    // The public JWK is not a signing key.
    assert_eq!(
        SigningKey::from_jwk(&public, Some(Algorithm::RS256)).err(),
        Some(KeyError::WrongKeyVisibility)
    );
}

// ---------------------------------------------------------------------------------------
// RFC 7515 A.3: ES256
// ---------------------------------------------------------------------------------------

const A3_HEADER_B64: &str = "eyJhbGciOiJFUzI1NiJ9";
/// RFC 7515 A.3.1: the EC key.
const A3_JWK: &str = r#"{"kty":"EC",
 "crv":"P-256",
 "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
 "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
 "d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
}"#;
const A3_SIGNATURE: &str = concat!(
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA",
    "pmWQxfKTUJqPP3-Kg6NU1Q"
);

#[test]
fn rfc7515_a3_es256() {
    assert_eq!(b64(br#"{"alg":"ES256"}"#), A3_HEADER_B64);
    let private = Jwk::from_json(A3_JWK).unwrap();
    assert_eq!(
        VerifyingKey::from_jwk(&private, None).err(),
        Some(KeyError::WrongKeyVisibility)
    );
    // A P-256 JWK without alg can only mean ES256.
    let key = VerifyingKey::from_jwk(&private.to_public(), None).unwrap();
    assert_eq!(key.alg(), Algorithm::ES256);

    let jws = format!("{A3_HEADER_B64}.{RFC7515_PAYLOAD_B64}.{A3_SIGNATURE}");
    let token = Token::parse(&jws).unwrap();
    // r || s, 32 bytes each (RFC 7518 section 3.4), not DER.
    assert_eq!(token.signature().len(), 64);
    let verified = token.verify(&key).unwrap();
    assert_eq!(verified.payload(), RFC7515_PAYLOAD);
    let claims = rfc7515_policy(BEFORE_EXP).check(&verified).unwrap();
    assert_eq!(claims.exp, Some(RFC7515_EXP));

    // The RFC's signature is one of many; a new one by the same key verifies too.
    let signer = SigningKey::from_jwk(&private, None).unwrap();
    assert_eq!(signer.alg(), Algorithm::ES256);
    let sig = signer.sign(token.signing_input(), &[3; 32]).unwrap();
    assert_eq!(sig.len(), 64);
    assert!(
        key.verify_signature(Algorithm::ES256, token.signing_input(), &sig)
            .is_ok()
    );
    assert_eq!(
        signer.verifying_key().unwrap().public_jwk(),
        key.public_jwk()
    );

    // A private JWK whose public coordinates are not its own is refused.
    let mut mismatched = private.clone();
    mismatched.y = Some("UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw".to_owned());
    assert_eq!(
        SigningKey::from_jwk(&mismatched, None).err(),
        Some(KeyError::EcInvalidPoint)
    );
}

// ---------------------------------------------------------------------------------------
// RFC 7520 4.1 (RS256) and 4.4 (HS256)
// ---------------------------------------------------------------------------------------

/// RFC 7520 figure 7: the payload, "It’s a dangerous business, Frodo, ..." (with U+2019).
const RFC7520_PAYLOAD: &str = "It\u{2019}s a dangerous business, Frodo, going out your door. \
You step onto the road, and if you don't keep your feet, there\u{2019}s no knowing where you \
might be swept off to.";
/// RFC 7520 figure 8: the encoded payload.
const RFC7520_PAYLOAD_B64: &str = concat!(
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IH",
    "lvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBk",
    "b24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcm",
    "UgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4"
);

/// RFC 7520 figure 4: the RSA private key (section 3.4).
const RFC7520_RSA_JWK: &str = r#"{
  "kty": "RSA",
  "kid": "bilbo.baggins@hobbiton.example",
  "use": "sig",
  "n": "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw",
  "e": "AQAB",
  "d": "bWUC9B-EFRIo8kpGfh0ZuyGPvMNKvYWNtB_ikiH9k20eT-O1q_I78eiZkpXxXQ0UTEs2LsNRS-8uJbvQ-A1irkwMSMkK1J3XTGgdrhCku9gRldY7sNA_AKZGh-Q661_42rINLRCe8W-nZ34ui_qOfkLnK9QWDDqpaIsA-bMwWWSDFu2MUBYwkHTMEzLYGqOe04noqeq1hExBTHBOBdkMXiuFhUq1BU6l-DqEiWxqg82sXt2h-LMnT3046AOYJoRioz75tSUQfGCshWTBnP5uDjd18kKhyv07lhfSJdrPdM5Plyl21hsFf4L_mHCuoFau7gdsPfHPxxjVOcOpBrQzwQ",
  "p": "3Slxg_DwTXJcb6095RoXygQCAZ5RnAvZlno1yhHtnUex_fp7AZ_9nRaO7HX_-SFfGQeutao2TDjDAWU4Vupk8rw9JR0AzZ0N2fvuIAmr_WCsmGpeNqQnev1T7IyEsnh8UMt-n5CafhkikzhEsrmndH6LxOrvRJlsPp6Zv8bUq0k",
  "q": "uKE2dh-cTf6ERF4k4e_jy78GfPYUIaUyoSSJuBzp3Cubk3OCqs6grT8bR_cu0Dm1MZwWmtdqDyI95HrUeq3MP15vMMON8lHTeZu2lmKvwqW7anV5UzhM1iZ7z4yMkuUwFWoBvyY898EXvRD-hdqRxHlSqAZ192zB3pVFJ0s7pFc",
  "dp": "B8PVvXkvJrj2L-GYQ7v3y9r6Kw5g9SahXBwsWUzp19TVlgI-YV85q1NIb1rxQtD-IsXXR3-TanevuRPRt5OBOdiMGQp8pbt26gljYfKU_E9xn-RULHz0-ed9E9gXLKD4VGngpz-PfQ_q29pk5xWHoJp009Qf1HvChixRX59ehik",
  "dq": "CLDmDGduhylc9o7r84rEUVn7pzQ6PF83Y-iBZx5NT-TpnOZKF1pErAMVeKzFEl41DlHHqqBLSM0W1sOFbwTxYWZDm6sI6og5iTbwQGIC3gnJKbi_7k_vJgGHwHxgPaX2PnvP-zyEkDERuf-ry4c_Z11Cq9AqC2yeL6kdKT1cYF8",
  "qi": "3PiqvXQN0zwMeE-sBvZgi289XP9XCQF3VWqPzMKnIgQp7_Tugo6-NZBKCQsMf3HaEGBjTVJs_jcK8-TRXvaKe-7ZMaQj8VfBdYkssbu0NKDDhjJ-GtiseaDVWt7dcH0cfwxgFUHpQh7FoCrjFJ6h6ZEpMF6xmujs4qMpPz8aaI4"
}"#;

/// RFC 7520 section 4.1.2: `{"alg":"RS256","kid":"bilbo.baggins@hobbiton.example"}` encoded.
const RFC7520_4_1_HEADER_B64: &str =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9";
/// RFC 7520 section 4.1.2: the signature.
const RFC7520_4_1_SIGNATURE: &str = concat!(
    "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmK",
    "ZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4J",
    "IwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8w",
    "W1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluP",
    "xUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_f",
    "cIe8u9ipH84ogoree7vjbU5y18kDquDg"
);

#[test]
fn rfc7520_4_1_rs256() {
    assert_eq!(b64(RFC7520_PAYLOAD.as_bytes()), RFC7520_PAYLOAD_B64);
    assert_eq!(
        b64(br#"{"alg":"RS256","kid":"bilbo.baggins@hobbiton.example"}"#),
        RFC7520_4_1_HEADER_B64
    );
    let private = Jwk::from_json(RFC7520_RSA_JWK).unwrap();
    let public = private.to_public();
    let key = VerifyingKey::from_jwk(&public, Some(Algorithm::RS256)).unwrap();
    assert_eq!(key.kid(), Some("bilbo.baggins@hobbiton.example"));

    // Figure 13: the compact serialization.
    let jws = format!("{RFC7520_4_1_HEADER_B64}.{RFC7520_PAYLOAD_B64}.{RFC7520_4_1_SIGNATURE}");
    let token = Token::parse(&jws).unwrap();
    assert_eq!(token.header().kid(), Some("bilbo.baggins@hobbiton.example"));
    let verified = token.verify(&key).unwrap();
    assert_eq!(verified.payload(), RFC7520_PAYLOAD.as_bytes());
    // The payload is not a JSON object, so there are no claims to read.
    assert_eq!(
        verified.claims::<serde_json::Value>().err(),
        Some(ClaimError::Malformed)
    );

    // Chosen from a key set by its kid.
    let jwks = serde_json::json!({ "keys": [public] }).to_string();
    let (set, report) = KeySet::from_jwks_json(&jwks, &[Algorithm::RS256]).unwrap();
    assert!(report.is_empty(), "{report:?}");
    assert!(token.verify_with_set(&set).is_ok());

    // Deterministic: the private key gives the RFC's signature byte for byte.
    let signer = SigningKey::from_jwk(&private, Some(Algorithm::RS256)).unwrap();
    assert_eq!(signer.kid(), Some("bilbo.baggins@hobbiton.example"));
    let sig = signer.sign(token.signing_input(), &[9; 32]).unwrap();
    assert_eq!(b64(&sig), RFC7520_4_1_SIGNATURE);
}

/// RFC 7520 figure 5: the symmetric key (section 3.5).
const RFC7520_OCT_JWK: &str = r#"{
  "kty": "oct",
  "kid": "018c0ae5-4d9b-471b-bfd6-eef314bc7037",
  "use": "sig",
  "alg": "HS256",
  "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"
}"#;
/// RFC 7520 section 4.4.2: `{"alg":"HS256","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037"}`
/// encoded.
const RFC7520_4_4_HEADER_B64: &str = concat!(
    "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LW",
    "VlZjMxNGJjNzAzNyJ9"
);
/// RFC 7520 section 4.4.2: the MAC.
const RFC7520_4_4_SIGNATURE: &str = "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";

#[test]
fn rfc7520_4_4_hs256() {
    assert_eq!(
        b64(br#"{"alg":"HS256","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037"}"#),
        RFC7520_4_4_HEADER_B64
    );
    let jwk = Jwk::from_json(RFC7520_OCT_JWK).unwrap();
    let key = VerifyingKey::from_jwk(&jwk, None).unwrap();
    assert_eq!(key.alg(), Algorithm::HS256);
    // The key names HS256; asking for another algorithm conflicts.
    assert_eq!(
        VerifyingKey::from_jwk(&jwk, Some(Algorithm::HS384)).err(),
        Some(KeyError::AlgorithmConflict)
    );

    // Figure 35: the compact serialization.
    let jws = format!("{RFC7520_4_4_HEADER_B64}.{RFC7520_PAYLOAD_B64}.{RFC7520_4_4_SIGNATURE}");
    let token = Token::parse(&jws).unwrap();
    let verified = token.verify(&key).unwrap();
    assert_eq!(verified.payload(), RFC7520_PAYLOAD.as_bytes());

    let (set, report) =
        KeySet::from_jwks_json(&serde_json::json!({ "keys": [jwk] }).to_string(), &[]).unwrap();
    assert!(report.is_empty(), "{report:?}");
    assert!(token.verify_with_set(&set).is_ok());

    let signer = SigningKey::from_jwk(&jwk, None).unwrap();
    let mac = signer.sign(token.signing_input(), &[0; 32]).unwrap();
    assert_eq!(b64(&mac), RFC7520_4_4_SIGNATURE);
}
