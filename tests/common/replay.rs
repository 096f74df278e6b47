//! Replaying a recorded transcript (`src/transcript.rs`) against this crate, byte for byte,
//! and the drive loop the recorder shares with the replay.
//!
//! The replayer builds our side from the transcript's metadata, with the [`TestProvider`]
//! it describes, feeds it the peer's records one by one and compares every record our side
//! sends with the recorded one. It needs no OpenSSL. The configuration keys it reads, besides
//! the ones `tls12::transcript` documents (`role`, `time`, `seed`, `random`, `kx_key`):
//!
//! | key | value |
//! |-----|-------|
//! | `suites` | our cipher suites, IANA names, comma-separated, in preference order |
//! | `groups` | our groups (`x25519`, `secp256r1`, `secp384r1`), comma-separated |
//! | `server_name` | (client) the name we ask for and verify |
//! | `alpn` | ALPN protocols, comma-separated |
//! | `cert`, `key` | our chain and key, PEM files under `tests/data/pki` (server: required; client: the client certificate) |
//! | `ca` | the roots (PEM under `tests/data/pki`) we verify the peer with |
//! | `verify_client` | (server) `require` or `request` a client certificate, verified with `ca` |
//! | `send` | hex: application data our side writes as soon as the handshake completes |
//! | `on_data` | `close` (send close_notify after the first application data received), `echo` (write each received piece back) or `none` |
//! | `on_close` | `close`: answer the peer's close_notify with ours |
//! | `tickets` | `off`: no session tickets (client: not offered; server: no ticketer), so sessions resume by ID |
//!
//! The same [`Driver`] runs our side when recording (over a socket) and when replaying (over
//! the recorded records), so both take the same actions at the same points.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::ops::DerefMut;
use std::sync::Arc;
use std::time::Duration;

use tls12::config::FixedTime;
use tls12::crypto::test_provider::TestProvider;
use tls12::crypto::{CryptoProvider, KeyLog};
use tls12::internal::codec::enums::{CipherSuite, ContentType, NamedGroup};
use tls12::internal::msgs::{HandshakeMessage, HandshakePayload, KxContext, RecordTrace};
use tls12::internal::record::RecordHeader;
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::suites::{KeyExchange, SupportedSuite};
use tls12::transcript::{Direction, RecordSplitter, Role, Transcript, group_by_name};
use tls12::verify::{RootStore, WebPkiClientVerifier, WebPkiServerVerifier};
use tls12::{
    CertifiedKey, ClientConfig, ClientConnection, Connection, Error, Event, HandshakeSummary,
    Output, ServerConfig, ServerConnection,
};

pub const PKI_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");
pub const TRANSCRIPT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/transcripts");

fn pki_path(name: &str) -> String {
    format!("{PKI_DIR}/{name}")
}

fn certs(name: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    CertificateDer::pem_file_iter(pki_path(name))
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{name}: {e}"))
}

/// Our chain and key. The key is loaded through `provider` (the transcript's
/// `TestProvider`), so that an ECDSA key signs deterministically.
fn certified_key(
    cert: &str,
    key: &str,
    provider: &dyn CryptoProvider,
) -> Result<CertifiedKey, String> {
    let der = PrivateKeyDer::from_pem_file(pki_path(key)).map_err(|e| format!("{key}: {e}"))?;
    let key = provider
        .load_private_key(der)
        .map_err(|e| format!("{key}: {e}"))?;
    CertifiedKey::new(certs(cert)?, key).map_err(|e| e.to_string())
}

fn roots(name: &str) -> Result<Arc<RootStore>, String> {
    let mut roots = RootStore::new();
    for c in certs(name)? {
        roots.add(&c).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(Arc::new(roots))
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty())
}

pub fn suite_by_name(name: &str) -> Option<CipherSuite> {
    CipherSuite::KNOWN
        .iter()
        .copied()
        .find(|c| c.const_name() == Some(name))
}

/// What our side does besides the handshake.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub send: Vec<u8>,
    pub on_data: OnData,
    pub close_on_close: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnData {
    #[default]
    None,
    Close,
    Echo,
}

impl Script {
    fn from(t: &Transcript) -> Result<Self, String> {
        let send = match t.get("send") {
            Some(h) => hex::decode(h).map_err(|_| "`send` is not hex")?,
            None => Vec::new(),
        };
        let on_data = match t.get("on_data").unwrap_or("none") {
            "none" => OnData::None,
            "close" => OnData::Close,
            "echo" => OnData::Echo,
            other => return Err(format!("`on_data = {other}`: expected none, close or echo")),
        };
        let close_on_close = match t.get("on_close").unwrap_or("none") {
            "none" => false,
            "close" => true,
            other => return Err(format!("`on_close = {other}`: expected none or close")),
        };
        Ok(Self {
            send,
            on_data,
            close_on_close,
        })
    }
}

/// Our side's configuration, built once per transcript and shared by its connections.
pub enum Setup {
    Client(Arc<ClientConfig>, ServerName<'static>),
    Server(Arc<ServerConfig>),
}

pub struct Built {
    pub setup: Setup,
    pub script: Script,
    pub provider: Arc<TestProvider>,
}

/// Builds our side from the transcript's metadata, logging keys to `key_log` if given.
pub fn build(t: &Transcript, key_log: Option<Arc<dyn KeyLog>>) -> Result<Built, String> {
    let role = t.role().map_err(|e| e.to_string())?;
    let provider = Arc::new(t.test_provider().map_err(|e| e.to_string())?);
    let dyn_provider: Arc<dyn CryptoProvider> = provider.clone();
    let time = Arc::new(FixedTime(UnixTime::since_unix_epoch(Duration::from_secs(
        t.time().map_err(|e| e.to_string())?,
    ))));
    let sv = *dyn_provider.signature_verification();
    let our_key = match (t.get("cert"), t.get("key")) {
        (Some(c), Some(k)) => Some(certified_key(c, k, &*dyn_provider)?),
        (None, None) => None,
        _ => return Err("`cert` and `key` go together".into()),
    };
    let ca = t.get("ca").map(roots).transpose()?;
    if !matches!(t.get("tickets"), None | Some("on" | "off")) {
        return Err("`tickets` must be on or off".into());
    }
    let mut built = match role {
        Role::Client => {
            let ca = ca.ok_or("a client needs `ca`")?;
            let verifier = Arc::new(WebPkiServerVerifier::new(ca, sv));
            let mut c = ClientConfig::new(dyn_provider.clone(), verifier);
            c.client_cert = our_key;
            if t.get("tickets") == Some("off") {
                c.enable_tickets = false;
            }
            let name = t.require("server_name").map_err(|e| e.to_string())?;
            let name = ServerName::try_from(name.to_string()).map_err(|e| e.to_string())?;
            Setup::Client(Arc::new(c), name)
        }
        Role::Server => {
            let key = our_key.ok_or("a server needs `cert` and `key`")?;
            let mut s = ServerConfig::new(dyn_provider.clone(), vec![key]);
            if t.get("tickets") == Some("off") {
                s.ticketer = None;
            }
            match t.get("verify_client") {
                None => {}
                Some(mode @ ("require" | "request")) => {
                    let ca = ca.ok_or("`verify_client` needs `ca`")?;
                    s.client_verifier = Some(Arc::new(WebPkiClientVerifier::new(
                        ca,
                        sv,
                        mode == "require",
                    )));
                }
                Some(other) => return Err(format!("`verify_client = {other}`")),
            }
            Setup::Server(Arc::new(s))
        }
    };
    // Common settings, applied through the Arc we just made (no other owner yet).
    let common = match &mut built {
        Setup::Client(c, _) => &mut Arc::get_mut(c).expect("sole owner").common,
        Setup::Server(s) => &mut Arc::get_mut(s).expect("sole owner").common,
    };
    common.time = time;
    common.key_log = key_log;
    if let Some(s) = t.get("suites") {
        let suites = list(s)
            .map(|n| suite_by_name(n).ok_or_else(|| format!("unknown suite {n}")))
            .collect::<Result<Vec<_>, _>>()?;
        common.set_suites(&suites).map_err(|e| e.to_string())?;
    }
    if let Some(g) = t.get("groups") {
        common.groups = list(g)
            .map(|n| group_by_name(n).ok_or_else(|| format!("unknown group {n}")))
            .collect::<Result<Vec<NamedGroup>, _>>()?;
    }
    if let Some(a) = t.get("alpn") {
        common.alpn_protocols = list(a).map(|p| p.as_bytes().to_vec()).collect();
    }
    Ok(Built {
        setup: built,
        script: Script::from(t)?,
        provider,
    })
}

/// Our side of one connection, driven by the transcript's script.
pub struct Driver {
    pub conn: Box<dyn DerefMut<Target = Connection>>,
    script: Script,
    buf: Vec<u8>,
    /// Application data received.
    pub app: Vec<u8>,
    pub events: Vec<Event>,
    closed: bool,
}

enum Action {
    Send,
    Echo(Vec<u8>),
    Close,
}

impl Driver {
    pub fn new(built: &Built) -> Result<Self, Error> {
        let conn: Box<dyn DerefMut<Target = Connection>> = match &built.setup {
            Setup::Client(c, name) => Box::new(ClientConnection::new(c.clone(), name.clone())?),
            Setup::Server(s) => Box::new(ServerConnection::new(s.clone())?),
        };
        Ok(Self {
            conn,
            script: built.script.clone(),
            buf: vec![0; 32 * 1024],
            app: Vec::new(),
            events: Vec::new(),
            closed: false,
        })
    }

    /// Feeds `input` (all of it) and drains; returns the bytes our side sent meanwhile.
    pub fn feed(&mut self, mut input: &[u8]) -> Result<Vec<u8>, (Error, Vec<u8>)> {
        let mut sent = Vec::new();
        loop {
            let n = match self.conn.handle_input(input) {
                Ok(n) => n,
                Err(e) => return Err((e, sent)),
            };
            input = &input[n..];
            if let Err(e) = self.drain(&mut sent) {
                return Err((e, sent));
            }
            if input.is_empty() {
                return Ok(sent);
            }
        }
    }

    fn drain(&mut self, sent: &mut Vec<u8>) -> Result<(), Error> {
        loop {
            let action = match self.conn.poll_output(&mut self.buf)? {
                Output::Transmit(b) => {
                    sent.extend_from_slice(b);
                    None
                }
                Output::ApplicationData(d) => {
                    self.app.extend_from_slice(d);
                    match self.script.on_data {
                        OnData::None => None,
                        OnData::Close => Some(Action::Close),
                        OnData::Echo => Some(Action::Echo(d.to_vec())),
                    }
                }
                Output::Event(e) => {
                    let action = match &e {
                        Event::HandshakeComplete(_) if !self.script.send.is_empty() => {
                            Some(Action::Send)
                        }
                        Event::PeerClosed if self.script.close_on_close => Some(Action::Close),
                        _ => None,
                    };
                    self.events.push(e);
                    action
                }
                Output::Idle => return Ok(()),
                // `buf` is never empty, so `BufferTooSmall` cannot happen.
                other => panic!("unexpected output {other:?}"),
            };
            match action {
                None => {}
                Some(_) if self.closed => {}
                Some(Action::Send) => {
                    let n = self.conn.write(&self.script.send)?;
                    assert_eq!(n, self.script.send.len(), "the whole `send` is written");
                }
                Some(Action::Echo(d)) => {
                    self.conn.write(&d)?;
                }
                Some(Action::Close) => {
                    self.closed = true;
                    self.conn.close()?;
                }
            }
        }
    }

    pub fn summary(&self) -> Option<&HandshakeSummary> {
        self.conn.handshake_summary()
    }
}

/// What a successful replay saw.
#[derive(Debug)]
pub struct Replayed {
    /// Each connection's handshake summary.
    pub summaries: Vec<HandshakeSummary>,
    /// Each connection's application data received from the peer.
    pub app: Vec<Vec<u8>>,
    /// How many of our records were compared, per connection.
    pub compared: Vec<usize>,
}

/// Replays every connection of `t`: our side must send exactly the recorded records and
/// complete the handshake on the peer's. The error is a readable diff.
pub fn replay(t: &Transcript) -> Result<Replayed, String> {
    replay_with_key_log(t, None)
}

/// [`replay`], with our side's key log lines going to `key_log`.
pub fn replay_with_key_log(
    t: &Transcript,
    key_log: Option<Arc<dyn KeyLog>>,
) -> Result<Replayed, String> {
    let built = build(t, key_log)?;
    let role = t.role().map_err(|e| e.to_string())?;
    let ours = Direction::sent_by(role);
    let mut out = Replayed {
        summaries: Vec::new(),
        app: Vec::new(),
        compared: Vec::new(),
    };
    for (ci, conn) in t.connections.iter().enumerate() {
        let cn = ci + 1;
        let mut driver = Driver::new(&built).map_err(|e| format!("connection {cn}: {e}"))?;
        let expected: Vec<&[u8]> = conn.sent(ours).map(|r| r.bytes.as_slice()).collect();
        let kx = negotiated_kx(conn.records.iter().map(|r| r.bytes.as_slice()));
        let mut splitter = RecordSplitter::default();
        let mut got: Vec<Vec<u8>> = Vec::new();
        // After each step, what we sent so far must be a prefix of the recorded records:
        // the first difference is reported before its consequences (a peer's signature or
        // Finished that no longer verifies).
        let mut step = |sent: &[u8], got: &mut Vec<Vec<u8>>| -> Result<(), String> {
            got.extend(splitter.push(sent));
            let so_far: Vec<&[u8]> = got.iter().map(Vec::as_slice).collect();
            let n = so_far.len().min(expected.len());
            diff(cn, ours, &expected[..n], &so_far[..n], kx)?;
            if so_far.len() > expected.len() {
                diff(cn, ours, &expected, &so_far, kx)?;
            }
            Ok(())
        };
        match driver.feed(&[]) {
            Ok(sent) => step(&sent, &mut got)?,
            Err((e, sent)) => {
                step(&sent, &mut got)?;
                return Err(format!(
                    "connection {cn}: our side failed at the start: {e}"
                ));
            }
        }
        let peer: Vec<&[u8]> = conn
            .records
            .iter()
            .filter(|r| r.dir != ours)
            .map(|r| r.bytes.as_slice())
            .collect();
        for (k, rec) in peer.iter().enumerate() {
            match driver.feed(rec) {
                Ok(sent) => step(&sent, &mut got)?,
                // The alert we send then is a consequence: the refusal is the news.
                Err((e, _alert)) => {
                    return Err(format!(
                        "connection {cn}: our side refused the peer's record {} of {}: {e}\n{}",
                        k + 1,
                        peer.len(),
                        describe(&peer, k, kx)
                    ));
                }
            }
        }
        if !splitter.is_empty() {
            return Err(format!("connection {cn}: our side sent a partial record"));
        }
        let got: Vec<&[u8]> = got.iter().map(Vec::as_slice).collect();
        diff(cn, ours, &expected, &got, kx)?;
        let summary = driver
            .summary()
            .ok_or_else(|| format!("connection {cn}: the handshake did not complete"))?;
        out.summaries.push(summary.clone());
        out.app.push(std::mem::take(&mut driver.app));
        out.compared.push(expected.len());
    }
    Ok(out)
}

/// Compares our records with the recorded ones; the error names the first difference.
pub fn diff(
    cn: usize,
    dir: Direction,
    expected: &[&[u8]],
    got: &[&[u8]],
    kx: KxContext,
) -> Result<(), String> {
    let tag = dir.tag();
    for i in 0..expected.len().max(got.len()) {
        match (expected.get(i), got.get(i)) {
            (Some(e), Some(g)) if e == g => continue,
            (Some(e), Some(g)) => {
                let at = e.iter().zip(g.iter()).position(|(a, b)| a != b);
                let at = at.unwrap_or(e.len().min(g.len()));
                let mut msg = format!(
                    "connection {cn}: our record {} ({tag}) differs from the transcript at byte \
                     {at} (recorded {} bytes, sent {} bytes)\n",
                    i + 1,
                    e.len(),
                    g.len()
                );
                let _ = write!(
                    msg,
                    "--- recorded:\n{}\n+++ sent:\n{}",
                    describe(expected, i, kx),
                    describe(got, i, kx)
                );
                return Err(msg);
            }
            (Some(_), None) => {
                return Err(format!(
                    "connection {cn}: our side sent {} records ({tag}), the transcript has {}; \
                     the first missing one:\n{}",
                    got.len(),
                    expected.len(),
                    describe(expected, i, kx)
                ));
            }
            (None, Some(_)) => {
                return Err(format!(
                    "connection {cn}: our side sent {} records ({tag}), the transcript has {}; \
                     the first extra one:\n{}",
                    got.len(),
                    expected.len(),
                    describe(got, i, kx)
                ));
            }
            (None, None) => unreachable!("i < max of the lengths"),
        }
    }
    Ok(())
}

/// The trace of record `i` of one direction's `records` (encrypted once a ChangeCipherSpec
/// went before it), and its hex.
pub fn describe(records: &[&[u8]], i: usize, kx: KxContext) -> String {
    let encrypted = records[..i]
        .iter()
        .any(|r| r.first() == Some(&ContentType::CHANGE_CIPHER_SPEC.0));
    let rec = records[i];
    let Some(header) = rec
        .get(..5)
        .and_then(|h| RecordHeader::parse(h.try_into().ok()?).ok())
    else {
        return format!("(not a record) {}", hex::encode(rec));
    };
    let trace = if encrypted {
        RecordTrace::encrypted(header, &rec[5..]).to_string()
    } else {
        RecordTrace::plaintext(header, &rec[5..], kx).to_string()
    };
    format!("{trace}\n    bytes: {}", hex::encode(rec))
}

/// The key exchange of the suite a ServerHello among `records` selects.
pub fn negotiated_kx<'a>(records: impl Iterator<Item = &'a [u8]>) -> KxContext {
    for rec in records {
        // The first handshake message of a plaintext handshake record (several may share it).
        if rec.first() != Some(&ContentType::HANDSHAKE.0) || rec.len() < 9 || rec[5] != 2 {
            continue;
        }
        let len = usize::from(rec[6]) << 16 | usize::from(rec[7]) << 8 | usize::from(rec[8]);
        let Some(first) = rec.get(5..9 + len) else {
            continue;
        };
        let Ok(msg) = HandshakeMessage::decode_with(first, KxContext::Unknown) else {
            continue;
        };
        if let HandshakePayload::ServerHello(hello) = msg.payload {
            return match SupportedSuite::find(hello.cipher_suite).map(|s| s.kx) {
                Some(KeyExchange::Rsa) => KxContext::Rsa,
                Some(_) => KxContext::Ecdhe,
                None => KxContext::Unknown,
            };
        }
    }
    KxContext::Unknown
}

/// Reads and parses a transcript under tests/data/transcripts.
pub fn load(name: &str) -> Transcript {
    let path = format!("{TRANSCRIPT_DIR}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Transcript::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}
