//! Tests for RSA verification.
