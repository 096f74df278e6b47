//! `RootStore` fed the ways applications have roots: Mozilla's trust anchors from the
//! `webpki-roots` crate as they are, and certificate bundles in which some entries do not
//! parse.

mod common;

use std::sync::Arc;

use common::{Pair, cert, client_config, server_config};
use tls12::pki_types::CertificateDer;
use tls12::verify::{RootStore, WebPkiServerVerifier};

#[test]
fn webpki_roots_go_in_as_trust_anchors() {
    let mut roots = RootStore::new();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
    assert!(roots.len() > 100);

    // Mozilla's roots do not know the test CA: the handshake fails with unknown_ca.
    let mut c = client_config();
    let sv = *c.common.provider.signature_verification();
    c.verifier = Arc::new(WebPkiServerVerifier::new(Arc::new(roots.clone()), sv));
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    pair.run();
    assert_eq!(
        pair.c.error.as_ref().and_then(tls12::Error::alert),
        Some(tls12::enums::AlertDescription::UNKNOWN_CA)
    );

    // With the test CA added beside them, it completes.
    roots.add(&cert("ca-rsa")).unwrap();
    let mut c = client_config();
    c.verifier = Arc::new(WebPkiServerVerifier::new(Arc::new(roots), sv));
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    pair.handshake();
}

#[test]
fn a_bundle_with_unparsable_entries_adds_the_rest_and_counts_both() {
    let bundle = vec![
        cert("ca-rsa"),
        CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00]),
        cert("ca-ecdsa"),
        CertificateDer::from(Vec::new()),
        CertificateDer::from(vec![0xff; 64]),
    ];
    let mut roots = RootStore::new();
    assert_eq!(roots.add_parsable_certificates(bundle), (2, 3));
    assert_eq!(roots.len(), 2);
    // Both test CAs verify their servers.
    for key in ["server-rsa", "server-p256"] {
        let mut c = client_config();
        let sv = *c.common.provider.signature_verification();
        c.verifier = Arc::new(WebPkiServerVerifier::new(Arc::new(roots.clone()), sv));
        Pair::new(c, server_config(&[key])).handshake();
    }
}
