//! RSA
