//! The client's certificate resolver: it sees the server's CertificateRequest (types,
//! schemes, CA names) and picks the certificate; declining sends an empty Certificate.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use tls12::config::CertificateRequest;
use tls12::config::ResolvesClientCert;
use tls12::verify::{RootStore, WebPkiClientVerifier};
use tls12::{CertificateError, CertifiedKey, Error};

/// Picks the client certificate whose issuer the server names; records the request.
#[derive(Debug, Default)]
struct ByIssuer {
    seen: Mutex<Vec<CertificateRequest>>,
}

impl ResolvesClientCert for ByIssuer {
    fn resolve(&self, request: &CertificateRequest) -> Option<CertifiedKey> {
        self.seen.lock().unwrap().push(request.clone());
        let names = &request.certificate_authorities;
        // The DER subject of each test CA appears inside its certificate.
        let names_ca = |ca: &str| {
            let der = cert(ca);
            names
                .iter()
                .any(|n| der.as_ref().windows(n.len()).any(|w| w == &n[..]))
        };
        if names_ca("ca-ecdsa") {
            Some(certified_key("client-p256"))
        } else if names_ca("ca-rsa") {
            Some(certified_key("client-rsa"))
        } else {
            None
        }
    }
}

/// A server requiring client certificates from `roots` only.
fn server_trusting(ca: &str, mandatory: bool) -> tls12::ServerConfig {
    let mut s = server_config(&["server-rsa"]);
    let roots = Arc::new(RootStore::from_certs([&cert(ca)]).unwrap());
    s.client_verifier = Some(Arc::new(WebPkiClientVerifier::new(
        roots,
        *provider().signature_verification(),
        mandatory,
    )));
    s
}

#[test]
fn resolver_picks_the_certificate_for_the_named_ca() {
    for (ca, leaf) in [("ca-ecdsa", "client-p256"), ("ca-rsa", "client-rsa")] {
        let resolver = Arc::new(ByIssuer::default());
        let mut c = client_config();
        c.client_cert_resolver = Some(resolver.clone());
        // The resolver wins over the single-certificate setting.
        c.client_cert = Some(certified_key(if leaf == "client-rsa" {
            "client-p256"
        } else {
            "client-rsa"
        }));
        let mut pair = Pair::new(c, server_trusting(ca, true));
        pair.handshake();
        let server = pair.server.handshake_summary().unwrap();
        assert_eq!(server.peer_certificates[0], cert(leaf), "{ca}");
        let seen = resolver.seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].certificate_authorities.len(), 1, "one CA named");
        assert!(!seen[0].signature_schemes.is_empty());
    }
}

#[test]
fn resolver_declining_sends_an_empty_certificate() {
    #[derive(Debug)]
    struct Never;
    impl ResolvesClientCert for Never {
        fn resolve(&self, _: &CertificateRequest) -> Option<CertifiedKey> {
            None
        }
    }
    let mut c = client_config();
    c.client_cert_resolver = Some(Arc::new(Never));
    // Optional: the handshake completes without a client certificate.
    let mut pair = Pair::new(c.clone(), server_trusting("ca-rsa", false));
    pair.handshake();
    assert!(
        pair.server
            .handshake_summary()
            .unwrap()
            .peer_certificates
            .is_empty()
    );
    // Required: handshake_failure.
    let mut pair = Pair::new(c, server_trusting("ca-rsa", true));
    pair.run();
    assert_eq!(
        pair.s.error,
        Some(Error::Certificate(CertificateError::Missing))
    );
}
