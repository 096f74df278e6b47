//! Shared test harness: the test PKI, configs, and an in-memory client/server pair.
#![allow(dead_code)]

use std::sync::Arc;

use tls12::config::FixedTime;
use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::verify::{RootStore, WebPkiClientVerifier, WebPkiServerVerifier};
use tls12::{
    CertifiedKey, ClientConfig, ClientConnection, Connection, Error, Event, Output, ServerConfig,
    ServerConnection,
};

/// 2030-03-17: inside the test PKI's validity (2025-01-01 .. 2045-12-31).
pub const TEST_TIME: u64 = 1_900_000_000;

pub fn provider() -> Arc<dyn CryptoProvider> {
    Arc::new(RingProvider)
}

pub fn time() -> Arc<FixedTime> {
    Arc::new(FixedTime(UnixTime::since_unix_epoch(
        std::time::Duration::from_secs(TEST_TIME),
    )))
}

pub fn pki(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/pki/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn cert(name: &str) -> CertificateDer<'static> {
    CertificateDer::from(pki(&format!("{name}.crt.der")))
}

/// A certified key from the test PKI: `server-rsa`, `server-p256`, `server-p384`,
/// `client-rsa`, `client-p256`.
pub fn certified_key(name: &str) -> CertifiedKey {
    let key = PrivateKeyDer::try_from(pki(&format!("{name}.key.der"))).expect("test key parses");
    let issuer = if name.ends_with("rsa") {
        "ca-rsa"
    } else {
        "ca-ecdsa"
    };
    let key = RingProvider.load_private_key(key).expect("test key loads");
    CertifiedKey::new(vec![cert(name), cert(issuer)], key).expect("non-empty chain")
}

pub fn roots() -> Arc<RootStore> {
    Arc::new(RootStore::from_certs([&cert("ca-rsa"), &cert("ca-ecdsa")]).expect("roots parse"))
}

pub fn client_config() -> ClientConfig {
    let p = provider();
    let verifier = Arc::new(WebPkiServerVerifier::new(
        roots(),
        *p.signature_verification(),
    ));
    let mut c = ClientConfig::new(p, verifier);
    c.common.time = time();
    c
}

pub fn server_config(keys: &[&str]) -> ServerConfig {
    let mut s = ServerConfig::new(provider(), keys.iter().map(|k| certified_key(k)).collect());
    s.common.time = time();
    s
}

pub fn with_client_auth(mut s: ServerConfig, mandatory: bool) -> ServerConfig {
    let p = provider();
    s.client_verifier = Some(Arc::new(WebPkiClientVerifier::new(
        roots(),
        *p.signature_verification(),
        mandatory,
    )));
    s
}

pub fn server_name() -> ServerName<'static> {
    ServerName::try_from("testserver.tls12.test").expect("valid name")
}

/// What one endpoint produced while being drained.
#[derive(Default, Debug)]
pub struct Sink {
    pub tx: Vec<u8>,
    pub app: Vec<u8>,
    pub events: Vec<Event>,
    pub error: Option<Error>,
}

/// Feeds `input` into `conn` and drains it into `sink`. Errors are recorded, not returned.
pub fn pump(conn: &mut Connection, mut input: &[u8], sink: &mut Sink) {
    let mut buf = vec![0u8; 4096];
    loop {
        let used = match conn.handle_input(input) {
            Ok(n) => n,
            Err(e) => {
                sink.error.get_or_insert(e);
                0
            }
        };
        input = &input[used..];
        loop {
            match conn.poll_output(&mut buf) {
                Ok(Output::Transmit(b)) => sink.tx.extend_from_slice(b),
                Ok(Output::ApplicationData(d)) => sink.app.extend_from_slice(d),
                Ok(Output::Event(e)) => sink.events.push(e),
                Ok(Output::Idle) => break,
                Ok(other) => panic!("unexpected output {other:?}"),
                Err(e) => {
                    sink.error.get_or_insert(e);
                    break;
                }
            }
        }
        if input.is_empty() || sink.error.is_some() {
            return;
        }
    }
}

/// Which way bytes travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    ToServer,
    ToClient,
}

/// A client and a server of this crate, connected in memory.
pub struct Pair {
    pub client: ClientConnection,
    pub server: ServerConnection,
    pub c: Sink,
    pub s: Sink,
    /// Flights moved so far, in each direction.
    pub flights: usize,
}

impl Pair {
    pub fn new(client: ClientConfig, server: ServerConfig) -> Self {
        let client =
            ClientConnection::new(Arc::new(client), server_name()).expect("client config valid");
        let server = ServerConnection::new(Arc::new(server)).expect("server config valid");
        Self {
            client,
            server,
            c: Sink::default(),
            s: Sink::default(),
            flights: 0,
        }
    }

    /// Moves bytes both ways until neither side has anything to send (at most 20 rounds),
    /// letting `tamper` see and change each flight.
    pub fn run_with(&mut self, mut tamper: impl FnMut(Dir, usize, &mut Vec<u8>)) {
        pump(&mut self.client, &[], &mut self.c);
        for _ in 0..20 {
            let mut to_server = std::mem::take(&mut self.c.tx);
            let mut to_client = std::mem::take(&mut self.s.tx);
            if to_server.is_empty() && to_client.is_empty() {
                return;
            }
            if !to_server.is_empty() {
                tamper(Dir::ToServer, self.flights, &mut to_server);
                pump(&mut self.server, &to_server, &mut self.s);
            }
            if !to_client.is_empty() {
                tamper(Dir::ToClient, self.flights, &mut to_client);
                pump(&mut self.client, &to_client, &mut self.c);
            }
            self.flights += 1;
        }
        panic!("pair did not settle in 20 rounds");
    }

    pub fn run(&mut self) {
        self.run_with(|_, _, _| {});
    }

    /// Runs the handshake and asserts both sides completed it.
    pub fn handshake(&mut self) {
        self.run();
        assert!(self.c.error.is_none(), "client error: {:?}", self.c.error);
        assert!(self.s.error.is_none(), "server error: {:?}", self.s.error);
        assert!(!self.client.is_handshaking(), "client still handshaking");
        assert!(!self.server.is_handshaking(), "server still handshaking");
    }
}
