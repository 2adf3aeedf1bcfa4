//! libFuzzer entry point; the body is `jwt_verify_fuzz::par_request`.
#![no_main]
// `fuzz_target!` defines a `#[no_mangle]` entry point, which `unsafe_code` counts as unsafe.
#![allow(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jwt_verify_fuzz::par_request(data));
