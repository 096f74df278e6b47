//! The core of `examples/dissect.rs` (also run by `tests/dissect.rs`): print the records of
//! a recorded connection Wireshark style and, given a key log, decrypt the protected ones.
//!
//! What it does with a connection's records, in order:
//!
//! 1. Plaintext records are traced with [`RecordTrace`]; the ClientHello and ServerHello
//!    give the randoms and the suite (which also says how to read the key exchange).
//! 2. With a key log line for the client random (`CLIENT_RANDOM <random> <master>`), the
//!    key block is derived from the master secret and the randoms (RFC 5246 6.3) and shown.
//!    For the AEAD suites this crate implements, every record after a side's
//!    ChangeCipherSpec is decrypted with that side's keys and traced again in clear; each
//!    Finished is checked against `PRF(master, label, Hash(handshake so far))`.
//! 3. For a suite it cannot decrypt (AES-CBC, as in the Illustrated TLS 1.2 Connection), it
//!    still derives and prints the key block and the client Finished's expected
//!    verify_data, so the key schedule can be checked against published values.
#![allow(dead_code)] // The example and the test each use part of it.

use std::fmt::Write as _;
use std::path::Path;

use tls12::crypto::ring::RingProvider;
use tls12::crypto::{CryptoProvider, HashAlgorithm};
use tls12::internal::codec::enums::{CipherSuite, ContentType, HandshakeType};
use tls12::internal::key_schedule::{
    CLIENT_FINISHED, KeyBlockLayout, MasterSecret, SERVER_FINISHED,
};
use tls12::internal::msgs::KxContext;
use tls12::internal::msgs::trace::{Hex, RecordTrace};
use tls12::internal::record::RecordHeader;
use tls12::internal::record::protect::RecordOpener;
use tls12::suites::SupportedSuite;
use tls12::transcript::{Direction, Transcript};

/// What to dissect: one or more connections, each a list of records in order.
#[derive(Debug, Default)]
pub struct Capture {
    /// Where it came from (for the heading).
    pub title: String,
    /// Each connection's records: direction and whole record (header included).
    pub connections: Vec<Vec<(Direction, Vec<u8>)>>,
}

/// The record files of the Illustrated TLS 1.2 Connection, in order.
pub const ILLUSTRATED_RECORDS: [(&str, Direction); 13] = [
    ("clienthello", Direction::ClientToServer),
    ("serverhello", Direction::ServerToClient),
    ("servercert", Direction::ServerToClient),
    ("serverkeyexchange", Direction::ServerToClient),
    ("serverhellodone", Direction::ServerToClient),
    ("clientkeyexchange", Direction::ClientToServer),
    ("clientccs", Direction::ClientToServer),
    ("clientfinished", Direction::ClientToServer),
    ("serverccs", Direction::ServerToClient),
    ("serverfinished", Direction::ServerToClient),
    ("clientdata", Direction::ClientToServer),
    ("serverdata", Direction::ServerToClient),
    ("clientalert", Direction::ClientToServer),
];

/// Reads a transcript file, or a directory holding the Illustrated TLS 1.2 record files.
pub fn load(path: &Path) -> Result<Capture, String> {
    let shown = path.display();
    if path.is_dir() {
        let mut records = Vec::new();
        for (name, dir) in ILLUSTRATED_RECORDS {
            let file = path.join(name);
            let bytes = std::fs::read(&file).map_err(|e| {
                format!(
                    "{}: {e} (not an Illustrated TLS 1.2 directory?)",
                    file.display()
                )
            })?;
            records.push((dir, bytes));
        }
        return Ok(Capture {
            title: format!("{shown} (Illustrated TLS 1.2 record files)"),
            connections: vec![records],
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let t = Transcript::parse(&text).map_err(|e| format!("{shown}: {e}"))?;
    let mut title = format!("{shown} (transcript");
    if let Some(role) = t.get("role") {
        let _ = write!(title, "; this crate is the {role}");
    }
    if let Some(peer) = t.get("peer") {
        let _ = write!(title, "; peer: {peer}");
    }
    title.push(')');
    Ok(Capture {
        title,
        connections: t
            .connections
            .iter()
            .map(|c| c.records.iter().map(|r| (r.dir, r.bytes.clone())).collect())
            .collect(),
    })
}

/// The `CLIENT_RANDOM` lines of an NSS key log: (client random, master secret).
pub fn parse_keylog(text: &str) -> Vec<([u8; 32], [u8; 48])> {
    text.lines()
        .filter_map(|line| {
            let mut w = line.split_whitespace();
            if w.next()? != "CLIENT_RANDOM" {
                return None;
            }
            let random = hex::decode(w.next()?).ok()?.try_into().ok()?;
            let master = hex::decode(w.next()?).ok()?.try_into().ok()?;
            Some((random, master))
        })
        .collect()
}

/// What the dissector found in one connection (for tests).
#[derive(Debug, Default, Clone)]
pub struct Findings {
    pub client_random: Option<[u8; 32]>,
    pub server_random: Option<[u8; 32]>,
    pub suite: Option<CipherSuite>,
    /// The master secret, when the key log had it.
    pub master_known: bool,
    /// client MAC, server MAC, client key, server key, client IV, server IV.
    pub key_block: Option<[Vec<u8>; 6]>,
    /// The verify_data a client Finished must carry, by the key schedule.
    pub expected_client_verify_data: Option<[u8; 12]>,
    /// Finished messages decrypted and checked: (direction, matched).
    pub finished_checks: Vec<(Direction, bool)>,
    /// How many protected records were decrypted.
    pub decrypted: usize,
    /// Application data decrypted, per direction, concatenated.
    pub app_c2s: Vec<u8>,
    pub app_s2c: Vec<u8>,
}

/// How the key block of `suite` is laid out, and its PRF hash; `None` for suites whose
/// layout this dissector does not know.
fn layout_of(suite: CipherSuite) -> Option<(KeyBlockLayout, HashAlgorithm, bool)> {
    if let Some(s) = SupportedSuite::find(suite) {
        return Some((KeyBlockLayout::aead(s.aead), s.hash, true));
    }
    // CBC suites: name them by their parts (RFC 5246 appendix C).
    let name = suite.const_name()?;
    if !name.contains("_CBC_") {
        return None;
    }
    let key_len = if name.contains("AES_128") {
        16
    } else if name.contains("AES_256") {
        32
    } else {
        return None;
    };
    let (mac_key_len, hash) = if name.ends_with("_SHA") {
        (20, HashAlgorithm::Sha256)
    } else if name.ends_with("_SHA256") {
        (32, HashAlgorithm::Sha256)
    } else if name.ends_with("_SHA384") {
        (48, HashAlgorithm::Sha384)
    } else {
        return None;
    };
    let layout = KeyBlockLayout {
        mac_key_len,
        key_len,
        iv_len: 16,
    };
    Some((layout, hash, false))
}

fn kx_of(suite: CipherSuite) -> KxContext {
    match SupportedSuite::find(suite).map(|s| s.kx) {
        Some(kx) => KxContext::from(kx),
        None => match suite.const_name() {
            Some(n) if n.starts_with("TLS_ECDHE_") => KxContext::Ecdhe,
            Some(n) if n.starts_with("TLS_RSA_") => KxContext::Rsa,
            _ => KxContext::Unknown,
        },
    }
}

/// Handshake messages (type, whole encoding) complete in `buf`, removed from it.
fn take_messages(buf: &mut Vec<u8>) -> Vec<(HandshakeType, Vec<u8>)> {
    let mut out = Vec::new();
    while buf.len() >= 4 {
        let len = usize::from(buf[1]) << 16 | usize::from(buf[2]) << 8 | usize::from(buf[3]);
        if buf.len() < 4 + len {
            break;
        }
        let msg: Vec<u8> = buf.drain(..4 + len).collect();
        out.push((HandshakeType(msg[0]), msg));
    }
    out
}

fn arrow(dir: Direction) -> &'static str {
    match dir {
        Direction::ClientToServer => "client → server",
        Direction::ServerToClient => "server → client",
    }
}

/// Per-connection state while walking the records.
struct Walk<'k> {
    keylog: &'k [([u8; 32], [u8; 48])],
    f: Findings,
    kx: KxContext,
    /// Every handshake message so far, in order (the Finished transcript).
    handshake: Vec<u8>,
    /// Partial handshake messages, per direction.
    partial: [Vec<u8>; 2],
    /// Whether each direction has sent ChangeCipherSpec.
    encrypted: [bool; 2],
    openers: [Option<RecordOpener>; 2],
    master: Option<MasterSecret>,
    hash: HashAlgorithm,
    keys_tried: bool,
}

fn index(dir: Direction) -> usize {
    match dir {
        Direction::ClientToServer => 0,
        Direction::ServerToClient => 1,
    }
}

impl Walk<'_> {
    /// Absorbs plaintext handshake bytes from `dir`; learns the randoms and the suite, and
    /// checks Finished messages.
    fn handshake_bytes(&mut self, dir: Direction, bytes: &[u8], out: &mut String) {
        let buf = &mut self.partial[index(dir)];
        buf.extend_from_slice(bytes);
        for (typ, msg) in take_messages(buf) {
            let body = &msg[4..];
            match typ {
                HandshakeType::CLIENT_HELLO => {
                    self.f.client_random = body.get(2..34).and_then(|r| r.try_into().ok());
                }
                HandshakeType::SERVER_HELLO => {
                    self.f.server_random = body.get(2..34).and_then(|r| r.try_into().ok());
                    let sid = body.get(34).copied().map(usize::from);
                    if let Some(s) = sid.and_then(|l| body.get(35 + l..37 + l)) {
                        let suite = CipherSuite(u16::from_be_bytes([s[0], s[1]]));
                        self.f.suite = Some(suite);
                        self.kx = kx_of(suite);
                    }
                }
                HandshakeType::FINISHED => self.check_finished(dir, body, out),
                _ => {}
            }
            if typ != HandshakeType::HELLO_REQUEST {
                self.handshake.extend_from_slice(&msg);
            }
        }
    }

    fn verify_data(&self, label: &[u8]) -> Option<[u8; 12]> {
        let master = self.master.as_ref()?;
        let hash = RingProvider.hash(self.hash).hash(&self.handshake);
        Some(master.verify_data(RingProvider.hmac(self.hash), label, hash.as_ref()))
    }

    fn check_finished(&mut self, dir: Direction, verify_data: &[u8], out: &mut String) {
        let label = match dir {
            Direction::ClientToServer => CLIENT_FINISHED,
            Direction::ServerToClient => SERVER_FINISHED,
        };
        let Some(expected) = self.verify_data(label) else {
            return;
        };
        let ok = expected.as_slice() == verify_data;
        self.f.finished_checks.push((dir, ok));
        let _ = writeln!(
            out,
            "    Finished check: verify_data {} PRF(master, \"{}\", Hash(handshake)) = {}",
            if ok { "==" } else { "!= (MISMATCH)" },
            String::from_utf8_lossy(label),
            Hex(&expected)
        );
    }

    /// Once the hellos are in: find the master secret and derive the key block.
    fn derive_keys(&mut self, out: &mut String) {
        if self.keys_tried {
            return;
        }
        let (Some(cr), Some(sr), Some(suite)) =
            (self.f.client_random, self.f.server_random, self.f.suite)
        else {
            return;
        };
        self.keys_tried = true;
        let _ = writeln!(out);
        let _ = writeln!(out, "──── Key schedule ────");
        let _ = writeln!(out, "Client Random: {}", Hex(&cr));
        let _ = writeln!(out, "Server Random: {}", Hex(&sr));
        let _ = writeln!(out, "Cipher Suite:  {suite}");
        let Some(&(_, master)) = self.keylog.iter().find(|(r, _)| *r == cr) else {
            let _ = writeln!(
                out,
                "Master Secret: not in the key log (give --keylog FILE with a CLIENT_RANDOM line)"
            );
            return;
        };
        let master = MasterSecret::from_bytes(master);
        self.f.master_known = true;
        let _ = writeln!(
            out,
            "Master Secret: {:#} (from the key log)",
            Hex(master.as_bytes())
        );
        let Some((layout, hash, aead)) = layout_of(suite) else {
            let _ = writeln!(out, "Key block: unknown layout for this suite");
            return;
        };
        self.hash = hash;
        let hmac = RingProvider.hmac(hash);
        let Ok(block) = master.key_block(hmac, &cr, &sr, layout) else {
            return;
        };
        let _ = writeln!(
            out,
            "Key block = PRF(master, \"key expansion\", server random + client random), {hash:?} PRF:"
        );
        let parts = [
            ("client write MAC key", block.client_mac_key()),
            ("server write MAC key", block.server_mac_key()),
            ("client write key", block.client_write_key()),
            ("server write key", block.server_write_key()),
            ("client write IV", block.client_write_iv()),
            ("server write IV", block.server_write_iv()),
        ];
        for (name, bytes) in parts {
            if !bytes.is_empty() {
                let _ = writeln!(out, "  {name:<21} {}", Hex(bytes));
            }
        }
        self.f.key_block = Some(parts.map(|(_, b)| b.to_vec()));
        if aead {
            let aead_alg = SupportedSuite::find(suite).map(|s| s.aead);
            if let Some(a) = aead_alg.and_then(|a| RingProvider.aead(a)) {
                self.openers = [
                    RecordOpener::new(a, block.client_write_key(), block.client_write_iv()).ok(),
                    RecordOpener::new(a, block.server_write_key(), block.server_write_iv()).ok(),
                ];
            }
        } else {
            let _ = writeln!(
                out,
                "(this dissector cannot decrypt {suite}: only the AEAD suites of this crate; the \
                 key block above is still checkable)"
            );
        }
        self.master = Some(master);
    }

    fn record(&mut self, n: usize, dir: Direction, rec: &[u8], out: &mut String) {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "── Record {n}: {} ({} bytes) ──",
            arrow(dir),
            rec.len()
        );
        let Some(header) = rec
            .get(..5)
            .and_then(|h| RecordHeader::parse(h.try_into().ok()?).ok())
        else {
            let _ = writeln!(out, "Not a TLS record: {}", Hex(rec));
            return;
        };
        let payload = &rec[5..];
        let i = index(dir);
        if !self.encrypted[i] {
            let _ = write!(out, "{}", RecordTrace::plaintext(header, payload, self.kx));
            let _ = writeln!(out);
            match header.typ {
                ContentType::HANDSHAKE => self.handshake_bytes(dir, payload, out),
                ContentType::CHANGE_CIPHER_SPEC => {
                    self.derive_keys(out);
                    self.encrypted[i] = true;
                    if dir == Direction::ClientToServer && self.master.is_some() {
                        if let Some(v) = self.verify_data(CLIENT_FINISHED) {
                            self.f.expected_client_verify_data = Some(v);
                            let _ = writeln!(
                                out,
                                "    (the client Finished that follows must carry verify_data {})",
                                Hex(&v)
                            );
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        let _ = write!(out, "{}", RecordTrace::encrypted(header, payload));
        let _ = writeln!(out);
        let Some(opener) = self.openers[i].as_mut() else {
            return;
        };
        let mut buf = payload.to_vec();
        let plain = match opener.open_in_place(header.typ, header.version, &mut buf) {
            Ok(p) => p.to_vec(),
            Err(e) => {
                let _ = writeln!(out, "    Decryption failed: {e}");
                return;
            }
        };
        self.f.decrypted += 1;
        let plain_header = RecordHeader {
            typ: header.typ,
            version: header.version,
            len: plain.len() as u16,
        };
        let _ = writeln!(out, "  Decrypted with the {} write key:", side(dir));
        let trace = RecordTrace::plaintext(plain_header, &plain, self.kx).to_string();
        for line in trace.lines() {
            let _ = writeln!(out, "    {line}");
        }
        match header.typ {
            ContentType::HANDSHAKE => self.handshake_bytes(dir, &plain, out),
            ContentType::APPLICATION_DATA => {
                let text = String::from_utf8_lossy(&plain);
                let _ = writeln!(out, "    As text:");
                for line in text.split_inclusive('\n') {
                    let _ = writeln!(
                        out,
                        "      {}",
                        line.replace('\r', "\\r").replace('\n', "\\n")
                    );
                }
                match dir {
                    Direction::ClientToServer => self.f.app_c2s.extend_from_slice(&plain),
                    Direction::ServerToClient => self.f.app_s2c.extend_from_slice(&plain),
                }
            }
            _ => {}
        }
    }
}

fn side(dir: Direction) -> &'static str {
    match dir {
        Direction::ClientToServer => "client",
        Direction::ServerToClient => "server",
    }
}

/// Dissects every connection of `capture` into `out`; returns what it found in each.
pub fn dissect(
    capture: &Capture,
    keylog: &[([u8; 32], [u8; 48])],
    out: &mut String,
) -> Vec<Findings> {
    let _ = writeln!(out, "Dissecting {}", capture.title);
    let mut all = Vec::new();
    for (ci, records) in capture.connections.iter().enumerate() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "════ Connection {} ({} records) ════",
            ci + 1,
            records.len()
        );
        let mut walk = Walk {
            keylog,
            f: Findings::default(),
            kx: KxContext::Unknown,
            handshake: Vec::new(),
            partial: [Vec::new(), Vec::new()],
            encrypted: [false, false],
            openers: [None, None],
            master: None,
            hash: HashAlgorithm::Sha256,
            keys_tried: false,
        };
        for (n, (dir, rec)) in records.iter().enumerate() {
            walk.record(n + 1, *dir, rec, out);
        }
        all.push(walk.f);
    }
    all
}
