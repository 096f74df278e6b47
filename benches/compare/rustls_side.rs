//! The rustls column of the in-memory rows: rustls 0.23 with its ring provider, TLS 1.2
//! only, configured as the tls12 column (one cipher suite, extended master secret, the
//! same test PKI and fixed time).

use std::hint::black_box;
use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use tls12::enums::CipherSuite;

use crate::common;
use crate::harness::Work;

#[derive(Debug)]
pub struct FixedClock;

impl rustls::time_provider::TimeProvider for FixedClock {
    fn current_time(&self) -> Option<UnixTime> {
        Some(UnixTime::since_unix_epoch(Duration::from_secs(
            common::TEST_TIME,
        )))
    }
}

pub fn rustls_provider(suite: CipherSuite) -> Arc<rustls::crypto::CryptoProvider> {
    let mut p = rustls::crypto::ring::default_provider();
    p.cipher_suites.retain(|s| u16::from(s.suite()) == suite.0);
    assert_eq!(p.cipher_suites.len(), 1, "rustls implements {suite:?}");
    Arc::new(p)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RustlsResume {
    Off,
    SessionId,
    Ticket,
}

pub fn rustls_configs(
    suite: CipherSuite,
    key: &str,
    resume: RustlsResume,
) -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    let mut roots = rustls::RootCertStore::empty();
    for ca in ["ca-rsa", "ca-ecdsa"] {
        roots
            .add(CertificateDer::from(common::pki(&format!("{ca}.crt.der"))))
            .expect("test root parses");
    }
    let mut c = rustls::ClientConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2")
        .with_root_certificates(roots)
        .with_no_client_auth();
    c.require_ems = true;
    c.time_provider = Arc::new(FixedClock);
    c.resumption = match resume {
        RustlsResume::Off => rustls::client::Resumption::disabled(),
        RustlsResume::SessionId => rustls::client::Resumption::in_memory_sessions(256)
            .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOnly),
        RustlsResume::Ticket => rustls::client::Resumption::in_memory_sessions(256)
            .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOrTickets),
    };

    let issuer = if key.ends_with("rsa") {
        "ca-rsa"
    } else {
        "ca-ecdsa"
    };
    let chain = vec![
        CertificateDer::from(common::pki(&format!("{key}.crt.der"))),
        CertificateDer::from(common::pki(&format!("{issuer}.crt.der"))),
    ];
    let private = PrivateKeyDer::try_from(common::pki(&format!("{key}.key.der"))).expect("key");
    let mut s = rustls::ServerConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2")
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .expect("rustls accepts the test certificate");
    s.require_ems = true;
    s.time_provider = Arc::new(FixedClock);
    match resume {
        RustlsResume::Off => {
            s.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        }
        RustlsResume::SessionId => {
            s.session_storage = rustls::server::ServerSessionMemoryCache::new(256);
        }
        RustlsResume::Ticket => {
            s.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
            s.ticketer = rustls::crypto::ring::Ticketer::new().expect("ticketer");
        }
    }
    (Arc::new(c), Arc::new(s))
}

pub fn rustls_pair(
    c: &Arc<rustls::ClientConfig>,
    s: &Arc<rustls::ServerConfig>,
) -> (rustls::ClientConnection, rustls::ServerConnection) {
    let name = rustls::pki_types::ServerName::try_from("testserver.tls12.test").expect("name");
    (
        rustls::ClientConnection::new(c.clone(), name).expect("rustls client"),
        rustls::ServerConnection::new(s.clone()).expect("rustls server"),
    )
}

/// Moves whatever `from` wants to send into `to` (through `wire`) and processes it.
pub fn rustls_transfer<A, B, DA, DB>(from: &mut A, to: &mut B, wire: &mut Vec<u8>) -> usize
where
    A: std::ops::DerefMut<Target = rustls::ConnectionCommon<DA>>,
    B: std::ops::DerefMut<Target = rustls::ConnectionCommon<DB>>,
{
    wire.clear();
    while from.wants_write() {
        from.write_tls(wire).expect("write into a Vec");
    }
    let mut input = &wire[..];
    while !input.is_empty() {
        to.read_tls(&mut input).expect("rustls read_tls");
        to.process_new_packets().expect("rustls process");
    }
    wire.len()
}

pub fn rustls_handshake(
    client: &mut rustls::ClientConnection,
    server: &mut rustls::ServerConnection,
    wire: &mut Vec<u8>,
) {
    for _ in 0..10 {
        let a = rustls_transfer(client, server, wire);
        let b = rustls_transfer(server, client, wire);
        if a == 0 && b == 0 {
            break;
        }
    }
    assert!(
        !client.is_handshaking() && !server.is_handshaking(),
        "rustls handshake did not complete"
    );
}

pub fn rustls_handshakes(resume: RustlsResume, key: &'static str) -> Work<'static> {
    let suite = if key == "server-rsa" {
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    } else {
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    };
    let (c, s) = rustls_configs(suite, key, resume);
    let mut wire = Vec::with_capacity(32 * 1024);
    let want = if resume == RustlsResume::Off {
        rustls::HandshakeKind::Full
    } else {
        // Prime the client's session store.
        let (mut client, mut server) = rustls_pair(&c, &s);
        rustls_handshake(&mut client, &mut server, &mut wire);
        rustls::HandshakeKind::Resumed
    };
    Box::new(move |n| {
        for _ in 0..n {
            let (mut client, mut server) = rustls_pair(&c, &s);
            rustls_handshake(&mut client, &mut server, &mut wire);
            assert_eq!(client.handshake_kind(), Some(want), "rustls {resume:?}");
            if want == rustls::HandshakeKind::Full {
                let group = client.negotiated_key_exchange_group().map(|g| g.name());
                assert_eq!(group, Some(rustls::NamedGroup::X25519));
            }
            black_box((&client, &server));
        }
    })
}

pub fn rustls_bulk(suite: CipherSuite, key: &str) -> Work<'static> {
    let (c, s) = rustls_configs(suite, key, RustlsResume::Off);
    let (mut client, mut server) = rustls_pair(&c, &s);
    let mut wire = Vec::with_capacity(32 * 1024);
    rustls_handshake(&mut client, &mut server, &mut wire);
    let payload = vec![0x42u8; 16384];
    let mut out = vec![0u8; 16384];
    Box::new(move |n| {
        for _ in 0..n {
            client.writer().write_all(&payload).expect("rustls write");
            rustls_transfer(&mut client, &mut server, &mut wire);
            let mut got = 0;
            loop {
                match server.reader().read(&mut out) {
                    Ok(n) => got += black_box(&out[..n]).len(),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("rustls reader: {e}"),
                }
                if got == payload.len() {
                    break;
                }
            }
            assert_eq!(got, payload.len());
        }
    })
}
