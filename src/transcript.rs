//! Recorded connections: a small text format for replaying handshakes byte for byte.
//!
//! A transcript holds the records each side sent, in order, and what our side needs to
//! reproduce its own records exactly with the [`TestProvider`]: the seed, the queued randoms
//! and ephemeral private keys, the time, the certificates and the settings. The replay test
//! (`tests/transcript_replay.rs`) feeds the peer's recorded records to a fresh connection of
//! this crate and compares what it sends with the recorded bytes; the dissector
//! (`cargo run --example dissect`) prints them. `tests/data/transcripts/README.md` says how
//! to record a new one.
//!
//! # The format
//!
//! UTF-8 text, one item a line. Blank lines and lines starting with `#` are ignored.
//!
//! ```text
//! tls12-transcript 1
//! # metadata: `key = value`, in any order; a key may repeat where it says so
//! role = client
//! time = 1900000000
//! seed = 74657374
//! random = 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
//! kx_key = x25519 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
//! suites = TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
//! connection
//! c2s 16030100...
//! s2c 16030300...
//! ```
//!
//! - The first line is the magic `tls12-transcript` and the format version, `1`.
//! - Metadata lines `key = value` follow (the value runs to the end of the line, trimmed).
//! - `connection` starts a connection. Each `c2s HEX` (client to server) or `s2c HEX`
//!   (server to client) line after it is one whole TLS record, 5-byte header included, in
//!   the order it was sent. Lines of the two directions are interleaved in the order our
//!   side saw them; only the order within a direction is significant.
//! - `key = value` lines inside a connection belong to that connection
//!   ([`TranscriptConnection::fields`]), for settings that change between connections.
//! - Several `connection` sections replay in order with the same configuration and the
//!   same provider, so state a connection leaves in the configuration (a client session
//!   store, a server session cache) reaches the next one: this is how a resumed session is
//!   recorded.
//!
//! The keys this module reads ([`Transcript::test_provider`], [`Transcript::role`],
//! [`Transcript::time`]):
//!
//! | key | value |
//! |-----|-------|
//! | `role` | `client` or `server`: which side is this crate (the other is the recorded peer) |
//! | `time` | Unix seconds: the fixed clock for certificate validity |
//! | `seed` | hex: the [`TestProvider`] seed |
//! | `random` | hex, repeatable: queued `fill_random` results, in call order |
//! | `kx_key` | `GROUP HEX`, repeatable: a queued ephemeral private key (`x25519`, `secp256r1`, `secp384r1`) |
//!
//! Other keys describe the configuration and are read by the replayer
//! (`tests/common/replay.rs` documents them: `suites`, `groups`, `server_name`, `alpn`,
//! `cert`, `key`, `ca`, `verify_client`, `send`, `on_data`, `on_close`) or are notes for
//! people (`peer`, `peer_version`, `recorded`); unknown keys are kept and ignored.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::codec::enums::NamedGroup;
use crate::crypto::test_provider::TestProvider;
use crate::error::Error;
use crate::msgs::trace::Hex;
use crate::record::HEADER_LEN;

/// The first word of a transcript file.
pub const MAGIC: &str = "tls12-transcript";
/// The format version this module reads and writes.
pub const VERSION: u32 = 1;

/// Who sent a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Client to server (`c2s`).
    ClientToServer,
    /// Server to client (`s2c`).
    ServerToClient,
}

impl Direction {
    /// The tag in the file: `c2s` or `s2c`.
    pub const fn tag(self) -> &'static str {
        match self {
            Direction::ClientToServer => "c2s",
            Direction::ServerToClient => "s2c",
        }
    }

    /// The records `role` sends go this way.
    pub const fn sent_by(role: Role) -> Self {
        match role {
            Role::Client => Direction::ClientToServer,
            Role::Server => Direction::ServerToClient,
        }
    }
}

/// Which side of the connection this crate played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Our side is the client; the peer is the server.
    Client,
    /// Our side is the server; the peer is the client.
    Server,
}

/// One whole record (header included) and who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Who sent it.
    pub dir: Direction,
    /// The record: 5-byte header, then the fragment.
    pub bytes: Vec<u8>,
}

/// One connection's records and its own settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranscriptConnection {
    /// `key = value` lines inside this connection's section, in order.
    pub fields: Vec<(String, String)>,
    /// The records, in the order they were seen.
    pub records: Vec<Record>,
}

impl TranscriptConnection {
    /// The records sent in direction `dir`, in order.
    pub fn sent(&self, dir: Direction) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(move |r| r.dir == dir)
    }

    /// The value of `key` in this connection's section, if given there.
    pub fn get(&self, key: &str) -> Option<&str> {
        lookup(&self.fields, key)
    }
}

/// A parsed transcript. See the [module docs](self) for the format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    /// The metadata lines (`key = value`) before the first connection, in order.
    pub fields: Vec<(String, String)>,
    /// The connections, in order.
    pub connections: Vec<TranscriptConnection>,
}

/// Why a transcript did not parse, or a field is unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptError {
    /// The 1-based line number (0 when the problem is not on one line).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl TranscriptError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for TranscriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "transcript line {}: {}", self.line, self.message)
        } else {
            write!(f, "transcript: {}", self.message)
        }
    }
}

fn lookup<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

impl Transcript {
    /// Parses the text format. Every record line must hold a whole record whose header
    /// length matches its fragment.
    pub fn parse(text: &str) -> Result<Self, TranscriptError> {
        let mut t = Transcript::default();
        let mut seen_magic = false;
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !seen_magic {
                let mut words = line.split_whitespace();
                if words.next() != Some(MAGIC) {
                    return Err(TranscriptError::new(
                        line_no,
                        "expected `tls12-transcript 1` first",
                    ));
                }
                let version = words.next().and_then(|v| v.parse::<u32>().ok());
                if version != Some(VERSION) || words.next().is_some() {
                    return Err(TranscriptError::new(line_no, "unsupported format version"));
                }
                seen_magic = true;
                continue;
            }
            if line == "connection" {
                t.connections.push(TranscriptConnection::default());
                continue;
            }
            let dir = if let Some(digits) = line.strip_prefix("c2s ") {
                Some((Direction::ClientToServer, digits))
            } else {
                line.strip_prefix("s2c ")
                    .map(|digits| (Direction::ServerToClient, digits))
            };
            if let Some((dir, digits)) = dir {
                let conn = t.connections.last_mut().ok_or_else(|| {
                    TranscriptError::new(line_no, "record before the first `connection`")
                })?;
                let bytes = hex::decode(digits.trim())
                    .map_err(|_| TranscriptError::new(line_no, "record is not even-length hex"))?;
                check_record(&bytes).map_err(|m| TranscriptError::new(line_no, m))?;
                conn.records.push(Record { dir, bytes });
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(TranscriptError::new(
                    line_no,
                    "expected `key = value`, `connection`, `c2s HEX` or `s2c HEX`",
                ));
            };
            let key = key.trim();
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err(TranscriptError::new(line_no, "bad key"));
            }
            let field = (key.to_string(), value.trim().to_string());
            match t.connections.last_mut() {
                Some(conn) => conn.fields.push(field),
                None => t.fields.push(field),
            }
        }
        if !seen_magic {
            return Err(TranscriptError::new(
                0,
                "empty: no `tls12-transcript 1` line",
            ));
        }
        Ok(t)
    }

    /// The first value of metadata `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        lookup(&self.fields, key)
    }

    /// Every value of metadata `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a metadata key that must be present.
    pub fn require(&self, key: &str) -> Result<&str, TranscriptError> {
        self.get(key)
            .ok_or_else(|| TranscriptError::new(0, alloc::format!("missing `{key}`")))
    }

    /// Appends a metadata line.
    pub fn push(&mut self, key: &str, value: impl Into<String>) {
        self.fields.push((key.to_string(), value.into()));
    }

    /// `role`: which side this crate played.
    pub fn role(&self) -> Result<Role, TranscriptError> {
        match self.require("role")? {
            "client" => Ok(Role::Client),
            "server" => Ok(Role::Server),
            _ => Err(TranscriptError::new(0, "`role` must be client or server")),
        }
    }

    /// `time`: the fixed clock, in Unix seconds.
    pub fn time(&self) -> Result<u64, TranscriptError> {
        self.require("time")?
            .parse()
            .map_err(|_| TranscriptError::new(0, "`time` must be Unix seconds"))
    }

    /// The [`TestProvider`] that reproduces our side: `seed`, then every `random` queued in
    /// order, then every `kx_key` queued for its group.
    pub fn test_provider(&self) -> Result<TestProvider, TranscriptError> {
        let seed = hex::decode(self.require("seed")?)
            .map_err(|_| TranscriptError::new(0, "`seed` is not hex"))?;
        let mut p = TestProvider::new(&seed);
        for r in self.get_all("random") {
            let bytes =
                hex::decode(r).map_err(|_| TranscriptError::new(0, "`random` is not hex"))?;
            p = p.with_random(&bytes);
        }
        for k in self.get_all("kx_key") {
            let (group, digits) = k
                .split_once(' ')
                .ok_or_else(|| TranscriptError::new(0, "`kx_key` must be `GROUP HEX`"))?;
            let group = group_by_name(group)
                .ok_or_else(|| TranscriptError::new(0, "`kx_key`: unknown group"))?;
            let bytes = hex::decode(digits.trim())
                .map_err(|_| TranscriptError::new(0, "`kx_key` is not hex"))?;
            p = p
                .with_kx_private_key(group, &bytes)
                .map_err(|e: Error| TranscriptError::new(0, alloc::format!("`kx_key`: {e}")))?;
        }
        Ok(p)
    }
}

/// The group for `x25519`, `secp256r1` or `secp384r1`.
pub fn group_by_name(name: &str) -> Option<NamedGroup> {
    match name {
        "x25519" => Some(NamedGroup::X25519),
        "secp256r1" => Some(NamedGroup::SECP256R1),
        "secp384r1" => Some(NamedGroup::SECP384R1),
        _ => None,
    }
}

/// Writes the text format: [`Transcript::parse`] reads it back to an equal value.
impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{MAGIC} {VERSION}")?;
        writeln!(
            f,
            "# Format: src/transcript.rs. How to record: tests/data/transcripts/README.md"
        )?;
        for (k, v) in &self.fields {
            writeln!(f, "{k} = {v}")?;
        }
        for conn in &self.connections {
            writeln!(f, "connection")?;
            for (k, v) in &conn.fields {
                writeln!(f, "{k} = {v}")?;
            }
            for r in &conn.records {
                // Full hex (`#`), lowercase, no separators: what the parser reads back.
                writeln!(f, "{} {:#}", r.dir.tag(), Hex(&r.bytes))?;
            }
        }
        Ok(())
    }
}

/// A whole record: header, and exactly the fragment length it announces.
fn check_record(bytes: &[u8]) -> Result<(), &'static str> {
    let header = bytes
        .get(..HEADER_LEN)
        .ok_or("record shorter than its 5-byte header")?;
    let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if bytes.len() != HEADER_LEN + len {
        return Err("record length does not match its header");
    }
    Ok(())
}

/// Cuts a byte stream into whole records, as they complete.
///
/// ```
/// use tls12::transcript::RecordSplitter;
///
/// let mut s = RecordSplitter::default();
/// assert!(s.push(&[0x15, 0x03, 0x03, 0x00]).is_empty());
/// assert_eq!(s.push(&[0x02, 0x01, 0x00]), vec![vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00]]);
/// assert!(s.is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct RecordSplitter {
    buf: Vec<u8>,
}

impl RecordSplitter {
    /// Adds bytes; returns the records they completed, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(h) = self.buf.get(..HEADER_LEN) {
            let total = HEADER_LEN + usize::from(u16::from_be_bytes([h[3], h[4]]));
            if self.buf.len() < total {
                break;
            }
            out.push(self.buf.drain(..total).collect());
        }
        out
    }

    /// Whether no partial record is buffered.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const SAMPLE: &str = "\
# a comment
tls12-transcript 1
role = client
random = 0001
connection
time = 5
c2s 1503030002012a
s2c 140303000101
";

    #[test]
    fn parse_rejects_a_record_line_that_is_not_hex() {
        let e = Transcript::parse(&SAMPLE.replace("0101", "010g")).unwrap_err();
        assert_eq!(e.line, 8);
    }

    #[test]
    fn parse_and_display_round_trip() {
        let t = Transcript::parse(SAMPLE).expect("parses");
        assert_eq!(t.get("role"), Some("client"));
        assert_eq!(t.role(), Ok(Role::Client));
        assert_eq!(t.connections.len(), 1);
        assert_eq!(t.connections[0].get("time"), Some("5"));
        assert_eq!(
            t.connections[0].records[0],
            Record {
                dir: Direction::ClientToServer,
                bytes: vec![0x15, 3, 3, 0, 2, 1, 0x2a]
            }
        );
        assert_eq!(Transcript::parse(&t.to_string()), Ok(t.clone()));

        // A long record is written in full, not shortened as a trace would.
        let mut long = t;
        let mut bytes = vec![0x17, 3, 3, 0, 100];
        bytes.extend(0..100u8);
        long.connections[0].records.push(Record {
            dir: Direction::ServerToClient,
            bytes,
        });
        assert_eq!(Transcript::parse(&long.to_string()), Ok(long));
    }

    #[test]
    fn parse_rejects_a_record_whose_length_disagrees_with_its_header() {
        let text = "tls12-transcript 1\nconnection\nc2s 150303000301\n";
        let e = Transcript::parse(text).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("length"), "{e}");
    }

    #[test]
    fn parse_rejects_other_versions_and_missing_magic() {
        assert!(Transcript::parse("tls12-transcript 2\n").is_err());
        assert!(Transcript::parse("role = client\n").is_err());
        assert!(Transcript::parse("").is_err());
    }

    proptest::proptest! {
        /// Any text is a transcript or an error, never a panic.
        #[test]
        fn parse_is_total(text in "(tls12-transcript 1\n)?((c2s |s2c |connection|[a-z]+ = )?[0-9a-f =#]{0,40}\n){0,8}") {
            let _ = Transcript::parse(&text);
        }

        /// A byte stream cut anywhere gives the same records.
        #[test]
        fn splitter_is_independent_of_chunking(
            lens in proptest::collection::vec(0usize..40, 1..6),
            cut in 0usize..200,
        ) {
            let mut stream = Vec::new();
            let mut records = Vec::new();
            for (i, len) in lens.iter().enumerate() {
                let mut r = vec![0x17, 3, 3, 0, *len as u8];
                r.extend(core::iter::repeat_n(i as u8, *len));
                stream.extend_from_slice(&r);
                records.push(r);
            }
            let cut = cut.min(stream.len());
            let mut s = RecordSplitter::default();
            let mut got = s.push(&stream[..cut]);
            got.extend(s.push(&stream[cut..]));
            proptest::prop_assert!(s.is_empty());
            proptest::prop_assert_eq!(got, records);
        }
    }
}
