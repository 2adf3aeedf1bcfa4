//! Nothing but a home for `benches/jws_verify_aws_lc.rs`: jwt-verify side by side with
//! jsonwebtoken on its `aws_lc_rs` backend and with aws-lc-rs itself. See `benches/README.md`.
