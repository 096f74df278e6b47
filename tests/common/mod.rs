//! Shared test harness: the test PKI, configs, and an in-memory client/server pair.
#![allow(dead_code)]

pub mod counting_alloc;
pub mod forge;

use std::sync::{Arc, OnceLock};

use tls12::config::FixedTime;
use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::enums::{CipherSuite, HandshakeType};
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::verify::{RootStore, WebPkiClientVerifier, WebPkiServerVerifier};
use tls12::{
    CertifiedKey, ClientConfig, ClientConnection, Connection, Error, Event, HandshakeSummary,
    Output, ServerConfig, ServerConnection,
};

/// The six ECDHE suites with certificates, each with the test key that serves it.
pub const ECDHE_SUITES: [(CipherSuite, &str); 6] = [
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "server-rsa",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "server-rsa",
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "server-rsa",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "server-p256",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "server-p384",
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "server-p256",
    ),
];

/// 2030-03-17: inside the test PKI's validity (2025-01-01 .. 2045-12-31).
pub const TEST_TIME: u64 = 1_900_000_000;

/// The crypto provider the suites run under: `TLS12_PROVIDER=ring` (the default) or
/// `TLS12_PROVIDER=rustcrypto` (needs the `rustcrypto` feature). `.ci/run` runs the
/// handshake, record, resumption, mutual-auth and interop suites under each.
pub fn provider() -> Arc<dyn CryptoProvider> {
    provider_ref().clone()
}

/// The same provider, shared for the whole test binary (for APIs that want a `'static`
/// reference, such as `CryptoProvider::aead`'s result kept in a helper).
pub fn provider_ref() -> &'static Arc<dyn CryptoProvider> {
    static PROVIDER: OnceLock<Arc<dyn CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| provider_named(&provider_name()))
}

/// Asserts that `p` is the provider `TLS12_PROVIDER` names (by its `Debug` name), so a run
/// meant for one provider cannot pass on the other.
pub fn assert_is_the_named_provider(p: &dyn CryptoProvider) {
    let want = match provider_name().as_str() {
        "ring" => "RingProvider",
        "rustcrypto" => "RustCryptoProvider",
        other => panic!("TLS12_PROVIDER={other}: expected ring or rustcrypto"),
    };
    let got = format!("{p:?}");
    assert!(
        got.starts_with(want),
        "provider under test is {got}, not {want}"
    );
}

/// The value of `TLS12_PROVIDER`, `ring` when unset.
pub fn provider_name() -> String {
    std::env::var("TLS12_PROVIDER").unwrap_or_else(|_| "ring".into())
}

/// A new provider by name: `ring` or `rustcrypto`. Panics for anything else, and for
/// `rustcrypto` without the feature, so a CI run never silently tests the wrong one.
pub fn provider_named(name: &str) -> Arc<dyn CryptoProvider> {
    match name {
        "ring" => Arc::new(RingProvider),
        #[cfg(feature = "rustcrypto")]
        "rustcrypto" => Arc::new(tls12::crypto::rustcrypto::RustCryptoProvider::from_os_rng()),
        other => panic!(
            "TLS12_PROVIDER={other}: expected ring or rustcrypto (rustcrypto needs \
             --features rustcrypto)"
        ),
    }
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
/// `client-rsa`, `client-p256`, loaded by the provider under test.
pub fn certified_key(name: &str) -> CertifiedKey {
    certified_key_with(&*provider(), name)
}

/// [`certified_key`], loaded by `p`.
pub fn certified_key_with(p: &dyn CryptoProvider, name: &str) -> CertifiedKey {
    let key = PrivateKeyDer::try_from(pki(&format!("{name}.key.der"))).expect("test key parses");
    let issuer = if name.ends_with("rsa") {
        "ca-rsa"
    } else {
        "ca-ecdsa"
    };
    let key = p.load_private_key(key).expect("test key loads");
    CertifiedKey::new(vec![cert(name), cert(issuer)], key).expect("non-empty chain")
}

pub fn roots() -> Arc<RootStore> {
    Arc::new(RootStore::from_certs([&cert("ca-rsa"), &cert("ca-ecdsa")]).expect("roots parse"))
}

pub fn client_config() -> ClientConfig {
    client_config_with(provider())
}

/// [`client_config`] on provider `p`.
pub fn client_config_with(p: Arc<dyn CryptoProvider>) -> ClientConfig {
    let verifier = Arc::new(WebPkiServerVerifier::new(
        roots(),
        *p.signature_verification(),
    ));
    let mut c = ClientConfig::new(p, verifier);
    c.common.time = time();
    c
}

pub fn server_config(keys: &[&str]) -> ServerConfig {
    server_config_with(provider(), keys)
}

/// [`server_config`] on provider `p` (its keys loaded by `p`).
pub fn server_config_with(p: Arc<dyn CryptoProvider>, keys: &[&str]) -> ServerConfig {
    let certs = keys.iter().map(|k| certified_key_with(&*p, k)).collect();
    let mut s = ServerConfig::new(p, certs);
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

impl Sink {
    /// The types of the handshake messages this side sent, in order (with
    /// `message_events` configured).
    pub fn sent(&self) -> Vec<HandshakeType> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::HandshakeMessageSent(m) => Some(m.typ),
                _ => None,
            })
            .collect()
    }

    /// The types of the handshake messages this side received, in order (with
    /// `message_events` configured).
    pub fn received(&self) -> Vec<HandshakeType> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::HandshakeMessageReceived(m) => Some(m.typ),
                _ => None,
            })
            .collect()
    }
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

    /// The client's and the server's handshake summaries, once both completed.
    pub fn summaries(&self) -> (HandshakeSummary, HandshakeSummary) {
        (
            self.client
                .handshake_summary()
                .expect("client done")
                .clone(),
            self.server
                .handshake_summary()
                .expect("server done")
                .clone(),
        )
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

/// A plaintext record of content type `typ` and record version `version` (the length is
/// written as given, so a payload over 2^14 bytes makes an over-long record on purpose).
pub fn record_v(typ: u8, version: [u8; 2], payload: &[u8]) -> Vec<u8> {
    let mut out = vec![typ, version[0], version[1]];
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A plaintext TLS 1.2 record of content type `typ`.
pub fn record(typ: u8, payload: &[u8]) -> Vec<u8> {
    record_v(typ, [3, 3], payload)
}

/// `bytes` cut into TLS 1.2 records of type `typ` of at most `size` bytes each.
pub fn fragmented(typ: u8, bytes: &[u8], size: usize) -> Vec<u8> {
    bytes.chunks(size).flat_map(|c| record(typ, c)).collect()
}

/// A record "sealed" for an endpoint under the `FuzzProvider` (AES-GCM suites): an 8-byte
/// explicit nonce, the plaintext, an all-zero 16-byte tag.
pub fn fuzz_sealed(typ: u8, plaintext: &[u8]) -> Vec<u8> {
    let mut payload = vec![0u8; 8];
    payload.extend_from_slice(plaintext);
    payload.extend_from_slice(&[0; 16]);
    record(typ, &payload)
}

/// One record of a flight: where its header starts, its content type and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSpan {
    /// Offset of the 5-byte header in the flight.
    pub start: usize,
    /// The content type byte.
    pub typ: u8,
    /// The fragment length.
    pub len: usize,
}

impl RecordSpan {
    /// Offset of the fragment in the flight.
    pub fn body(&self) -> usize {
        self.start + 5
    }

    /// Offset one past the record's last byte.
    pub fn end(&self) -> usize {
        self.body() + self.len
    }
}

/// Cuts a flight (whole records, as this crate writes them) into record spans.
pub fn records(flight: &[u8]) -> Vec<RecordSpan> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < flight.len() {
        let h = &flight[at..at + 5];
        let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
        out.push(RecordSpan {
            start: at,
            typ: h[0],
            len,
        });
        at += 5 + len;
    }
    assert_eq!(at, flight.len(), "flight does not end on a record boundary");
    out
}

/// Record content types.
pub const CCS: u8 = 20;
pub const ALERT: u8 = 21;
pub const HANDSHAKE: u8 = 22;
pub const APP_DATA: u8 = 23;

impl Pair {
    /// Like [`run_with`](Self::run_with), but `split` cuts each flight into chunks that are
    /// fed one at a time, draining the receiver between chunks.
    pub fn run_chunked(&mut self, mut split: impl FnMut(Dir, usize, Vec<u8>) -> Vec<Vec<u8>>) {
        pump(&mut self.client, &[], &mut self.c);
        for _ in 0..20 {
            let to_server = std::mem::take(&mut self.c.tx);
            let to_client = std::mem::take(&mut self.s.tx);
            if to_server.is_empty() && to_client.is_empty() {
                return;
            }
            if !to_server.is_empty() {
                for chunk in split(Dir::ToServer, self.flights, to_server) {
                    pump(&mut self.server, &chunk, &mut self.s);
                }
            }
            if !to_client.is_empty() {
                for chunk in split(Dir::ToClient, self.flights, to_client) {
                    pump(&mut self.client, &chunk, &mut self.c);
                }
            }
            self.flights += 1;
        }
        panic!("pair did not settle in 20 rounds");
    }
}

/// A server verifier that offers exactly one signature scheme (to force the server's
/// choice, e.g. a deterministic rsa_pkcs1 one).
#[derive(Debug)]
pub struct OnlyScheme(
    pub tls12::verify::WebPkiServerVerifier,
    pub tls12::enums::SignatureScheme,
);

impl tls12::verify::ServerCertVerifier for OnlyScheme {
    fn verify_server_cert(
        &self,
        ee: &CertificateDer<'_>,
        im: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), Error> {
        self.0.verify_server_cert(ee, im, name, now)
    }
    fn verify_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        s: tls12::enums::SignatureScheme,
        sig: &[u8],
    ) -> Result<(), Error> {
        self.0.verify_signature(m, c, s, sig)
    }
    fn supported_schemes(&self) -> Vec<tls12::enums::SignatureScheme> {
        vec![self.1]
    }
}

/// `ch` grown to the largest ClientHello the structure allows, which is OpenSSL's limit and
/// ours (`tls12::internal::record::MAX_CLIENT_HELLO`, 131,396 bytes of body): a 32-byte session ID,
/// 32,767 cipher suites (its own first, then other values, the signalling ones left out),
/// 255 compression methods (null first) and a 65,535-byte extension block (its own
/// extensions, 3,000 small unknown ones, then padding). Returns the encoded message.
pub fn largest_client_hello(mut ch: tls12::internal::msgs::ClientHello) -> Vec<u8> {
    use tls12::internal::codec::Codec;
    use tls12::internal::codec::enums::{CipherSuite, CompressionMethod, ExtensionType};
    use tls12::internal::msgs::{ClientExtension, HandshakeMessage, SessionId};
    ch.session_id = SessionId::new(&[0x11; 32]).expect("32 bytes");
    let own = ch.cipher_suites.clone();
    ch.cipher_suites.extend(
        (0x0001..=0xffffu16)
            .map(CipherSuite)
            .filter(|s| !own.contains(s) && *s != CipherSuite::TLS_FALLBACK_SCSV)
            .take(32767 - own.len()),
    );
    ch.compression_methods = (0..=254u8).map(CompressionMethod).collect();
    let exts = ch.extensions.get_or_insert_with(Vec::new);
    for i in 0..3000u16 {
        exts.push(ClientExtension::Unknown {
            typ: ExtensionType(0x4000 + i),
            data: vec![i as u8; 4],
        });
    }
    let used: usize = exts.iter().map(|e| e.to_bytes().unwrap().len()).sum();
    exts.push(ClientExtension::Unknown {
        typ: ExtensionType::PADDING,
        data: vec![0; 65535 - used - 4],
    });
    let msg = HandshakeMessage::from(ch).to_bytes().unwrap();
    assert_eq!(msg.len() - 4, tls12::internal::record::MAX_CLIENT_HELLO);
    msg
}

/// An example's binary (`target/debug/examples/NAME`), which `cargo test` builds next to
/// the test binaries.
pub fn example_binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent()
        .and_then(|d| d.parent())
        .expect("target/debug")
        .join("examples")
        .join(name)
}

/// A child process (an example server) killed and reaped if the test ends before it exits.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
