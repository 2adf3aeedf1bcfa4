//! TLS with rustls (ring provider). The handshake requests, but does not require, a client
//! certificate so `tls_client_auth` and `self_signed_tls_client_auth` clients work end to end.
//!
//! The choice: the handshake accepts any client certificate whose private key the client
//! proves it holds ([`danger::AnyClientCertificate`]), and the engine decides what it
//! authenticates. A self-signed certificate can authenticate only a
//! `self_signed_tls_client_auth` client whose registered key it carries (RFC 8705 section
//! 2.2). For `tls_client_auth` (PKI, section 2.1) the chain is then validated against the
//! configured `client_ca_file`; a certificate that does not chain to it is withheld from such
//! clients, and without `client_ca_file` no certificate can authenticate one.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};

use crate::config::{ClientAuthMode, ConfigError, TlsFile};
use crate::http_util::PeerCertificate;

/// A loaded TLS configuration.
#[derive(Clone)]
pub struct TlsSetup {
    pub(crate) acceptor: tokio_rustls::TlsAcceptor,
    /// Validates client chains for `tls_client_auth`, when a CA bundle is configured.
    ca: Option<Arc<dyn ClientCertVerifier>>,
    /// The handshake asks for client certificates.
    pub(crate) client_auth: bool,
}

impl TlsSetup {
    /// Loads the files named in `[tls]`.
    pub fn load(tls: &TlsFile) -> Result<TlsSetup, ConfigError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs = read_certs(&tls.cert_file).map_err(|m| ConfigError::new("tls.cert_file", m))?;
        let key = PrivateKeyDer::from_pem_file(&tls.key_file).map_err(|e| {
            ConfigError::new(
                "tls.key_file",
                format!("{}: no PEM private key: {e}", tls.key_file.display()),
            )
        })?;
        let ca: Option<Arc<dyn ClientCertVerifier>> = match &tls.client_ca_file {
            None => None,
            Some(path) => {
                let mut roots = rustls::RootCertStore::empty();
                for c in read_certs(path).map_err(|m| ConfigError::new("tls.client_ca_file", m))? {
                    roots.add(c).map_err(|e| {
                        ConfigError::new(
                            "tls.client_ca_file",
                            format!("unusable CA certificate: {e}"),
                        )
                    })?;
                }
                let v =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                        .allow_unauthenticated()
                        .build()
                        .map_err(|e| ConfigError::new("tls.client_ca_file", format!("{e}")))?;
                Some(v)
            }
        };
        let client_auth = tls.client_auth == ClientAuthMode::Optional;
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError::new("tls", format!("{e}")))?;
        let builder = if client_auth {
            builder.with_client_cert_verifier(Arc::new(danger::AnyClientCertificate::new(
                provider,
                ca.clone(),
            )))
        } else {
            builder.with_no_client_auth()
        };
        let mut config = builder.with_single_cert(certs, key).map_err(|e| {
            ConfigError::new(
                "tls.key_file",
                format!("does not match the certificate: {e}"),
            )
        })?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsSetup {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            ca,
            client_auth,
        })
    }

    /// The client certificate of a finished handshake, with whether its chain validates.
    pub(crate) fn peer_certificate(
        &self,
        conn: &rustls::ServerConnection,
    ) -> Option<PeerCertificate> {
        let chain = conn.peer_certificates()?;
        let (leaf, intermediates) = chain.split_first()?;
        let chain_verified = self.ca.as_ref().is_some_and(|v| {
            v.verify_client_cert(leaf, intermediates, UnixTime::now())
                .is_ok()
        });
        Some(PeerCertificate {
            der: Bytes::copy_from_slice(leaf.as_ref()),
            chain_verified,
        })
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no PEM certificate", path.display()));
    }
    Ok(certs)
}

/// Client certificate handling that skips chain validation in the handshake.
pub mod danger {
    use std::sync::Arc;

    use rustls::client::danger::HandshakeSignatureValid;
    use rustls::crypto::CryptoProvider;
    use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
    use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
    use rustls_pki_types::{CertificateDer, UnixTime};

    /// Requests a client certificate, does not require one, and accepts any certificate
    /// whose key signs the handshake: possession of the key is proven, the chain is not
    /// validated here. Safe only because the server withholds certificates that did not
    /// validate against `client_ca_file` from `tls_client_auth` clients, and the engine
    /// matches self-signed ones against registered keys.
    #[derive(Debug)]
    pub struct AnyClientCertificate {
        provider: Arc<CryptoProvider>,
        hints: Vec<DistinguishedName>,
    }

    impl AnyClientCertificate {
        /// With the CA verifier's subject hints, if any.
        #[must_use]
        pub fn new(provider: Arc<CryptoProvider>, ca: Option<Arc<dyn ClientCertVerifier>>) -> Self {
            let hints = ca
                .map(|v| v.root_hint_subjects().to_vec())
                .unwrap_or_default();
            AnyClientCertificate { provider, hints }
        }
    }

    impl ClientCertVerifier for AnyClientCertificate {
        fn offer_client_auth(&self) -> bool {
            true
        }

        fn client_auth_mandatory(&self) -> bool {
            false
        }

        fn root_hint_subjects(&self) -> &[DistinguishedName] {
            &self.hints
        }

        fn verify_client_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _now: UnixTime,
        ) -> Result<ClientCertVerified, rustls::Error> {
            Ok(ClientCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }
}
