//! Structure-aware whole-connection targets: the fuzzer picks each message the peer sends as
//! a typed value (`Arbitrary`), the harness encodes it, fixes up only what must agree for the
//! handshake to complete, and drives a real connection under the no-security
//! [`FuzzProvider`] through a full handshake, what follows it (session saved, ticket issued
//! and stored) and then a **second** connection from the same configuration (same session
//! store or cache) that resumes with whatever the first left there.
//!
//! - [`client_structured`]: a [`ServerScript`] plays the server against two
//!   [`ClientConnection`]s.
//! - [`server_structured`]: a [`ClientScript`] plays the client against two
//!   [`ServerConnection`]s.
//!
//! An input is the script's `Arbitrary` encoding (`arbitrary::Unstructured` over the bytes);
//! the empty input is a valid script whose handshakes complete. Byte strings that matter at
//! a wire boundary (a host name, a ticket, a certificate) are [`Blob`]s, which can be
//! stretched to lengths near 2^8 or 2^16 without the input being that long.
//!
//! A script with `raw` set skips the fix-ups of its hello, so the peer's messages reach the
//! endpoint as the fuzzer built them.
//!
//! The endpoint's configuration comes from the script's options byte and [`Extras`]: with a
//! PSK mode the scripted peer plays the PSK and ECDHE_PSK key exchanges (an identity hint,
//! an identity, both stretchable); CCM_8 records carry 8-byte tags; and either side's
//! max_fragment_length and record_size_limit take any value ([`Limit`]), illegal ones
//! included. Unless `raw`, the scripted peer keeps its records within the smallest limit
//! the endpoint asked for, so that handshakes under a limit complete.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use arbitrary::{Arbitrary, Unstructured};
use pki_types::ServerName;

use super::{
    Extras, PSK_HINTS, PSK_IDENTITIES, SERVER_NAME, client_config_with, server_config_with,
};
use crate::codec::Codec;
use crate::codec::enums::{
    AlertDescription, CipherSuite, ClientCertificateType, CompressionMethod, ECCurveType,
    ECPointFormat, ExtensionType, HandshakeType, MaxFragmentLength, NamedGroup, ProtocolVersion,
    SignatureScheme,
};
use crate::crypto::KeyKind;
use crate::crypto::fuzz_provider::{FUZZ_SIGNATURE, FuzzProvider};
use crate::error::Error;
use crate::handshake::HandshakeSummary;
use crate::msgs::{
    CertificateChain, CertificateRequest, CertificateStatusRequest, ClientExtension, ClientHello,
    ClientKeyExchangePayload, DigitallySigned, EcdhePskClientKeyExchange,
    EcdhePskServerKeyExchange, EcdheServerKeyExchange, HandshakeMessage, HandshakePayload,
    KxContext, NewSessionTicket, ServerExtension, ServerHello, ServerKeyExchangePayload, SessionId,
};
use crate::record::MAX_PLAINTEXT;
use crate::record::limits::{advertised_record_size_limit, max_fragment_length_bytes};
use crate::suites::{KeyExchange, SupportedSuite};
use crate::{ClientConfig, ClientConnection, Connection, Event, Output, ServerConnection};

/// The one place the structured targets encode a message. `None` when a length overflows
/// its prefix (an `EncodeError`: the script is then dropped, it describes no message).
pub fn enc(m: &HandshakeMessage) -> Option<Vec<u8>> {
    m.to_bytes().ok()
}

// ---------------------------------------------------------------------------------------
// Script building blocks
// ---------------------------------------------------------------------------------------

/// A byte string the fuzzer can stretch to a length near a wire boundary.
#[derive(Debug, Clone, Default, Arbitrary)]
pub struct Blob {
    /// The bytes (repeated to fill a stretched length; a fixed byte if empty).
    pub bytes: Vec<u8>,
    /// Stretch to this size.
    pub size: Option<Size>,
}

/// A length, biased toward the boundaries of one- and two-byte length prefixes.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Size {
    /// Exactly this many bytes.
    Exactly(u16),
    /// 256 plus this (128 to 383 bytes): around a one-byte prefix's limit.
    AroundU8(i8),
    /// 65535 minus four times this (64,515 to 65,535 bytes): near a two-byte prefix's limit.
    BelowU16(u8),
}

impl Size {
    /// The length in bytes.
    pub fn bytes(self) -> usize {
        match self {
            Size::Exactly(n) => usize::from(n),
            Size::AroundU8(d) => (256 + isize::from(d)) as usize,
            Size::BelowU16(d) => 65535 - 4 * usize::from(d),
        }
    }
}

impl Blob {
    /// The bytes, stretched if asked (`fill` when there are none to repeat).
    pub fn build(&self, fill: u8) -> Vec<u8> {
        let Some(size) = self.size else {
            return self.bytes.clone();
        };
        if self.bytes.is_empty() {
            return vec![fill; size.bytes()];
        }
        self.bytes
            .iter()
            .copied()
            .cycle()
            .take(size.bytes())
            .collect()
    }
}

/// A max_fragment_length code or record_size_limit value the scripted peer sends, legal or
/// not.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Limit {
    /// A legal value: max_fragment_length the client's own code (a server echoing it) or
    /// else code 1 + this mod 4; record_size_limit 64 times (1 + this): 64 to 16,384.
    Valid(u8),
    /// Exactly this value (max_fragment_length: its low byte).
    Value(u16),
    /// One of [`LIMIT_BOUNDARIES`] (index mod its length).
    Boundary(u8),
}

/// Values around the edges of both extensions: undefined max_fragment_length codes (0, 5,
/// 255), record_size_limit's minimum (64), TLS 1.2's and TLS 1.3's maximum (2^14, 2^14 + 1)
/// and the ends of its `u16`.
pub const LIMIT_BOUNDARIES: [u16; 12] = [0, 1, 4, 5, 63, 64, 255, 511, 16384, 16385, 16386, 65535];

impl Limit {
    /// As a max_fragment_length code; `echo` is the client's, if any.
    pub fn code(self, echo: Option<MaxFragmentLength>) -> MaxFragmentLength {
        match self {
            Limit::Valid(i) => echo.unwrap_or(MaxFragmentLength(1 + i % 4)),
            Limit::Value(_) | Limit::Boundary(_) => {
                MaxFragmentLength(self.value().to_be_bytes()[1])
            }
        }
    }

    /// As a record_size_limit.
    pub fn value(self) -> u16 {
        match self {
            Limit::Valid(i) => 64 * (1 + u16::from(i)),
            Limit::Value(v) => v,
            Limit::Boundary(i) => LIMIT_BOUNDARIES[usize::from(i) % LIMIT_BOUNDARIES.len()],
        }
    }
}

/// What one connection of a structured target did.
#[derive(Debug, Default)]
pub struct ConnOutcome {
    /// The handshake completed (with its summary).
    pub summary: Option<alloc::sync::Arc<HandshakeSummary>>,
    /// The connection's sticky error, if it failed.
    pub error: Option<Error>,
    /// Application data received.
    pub app_data: Vec<u8>,
    /// The script stopped early: a message it built does not encode.
    pub unencodable: bool,
}

// ---------------------------------------------------------------------------------------
// Driving the endpoint, reading what it sends, writing what the script sends
// ---------------------------------------------------------------------------------------

/// Everything the endpoint produced while driven.
#[derive(Default)]
struct Seen {
    tx: Vec<u8>,
    out: ConnOutcome,
    peer_closed: bool,
}

/// Feeds `input` and drains all output, as the documented drive loop does.
fn pump(conn: &mut Connection, mut input: &[u8], seen: &mut Seen) {
    let mut buf = vec![0u8; 4096];
    loop {
        drain(conn, &mut buf, seen);
        if input.is_empty() || seen.out.error.is_some() {
            return;
        }
        match conn.handle_input(input) {
            Ok(n) => {
                // After a full drain the receive buffer has room again.
                assert!(n > 0, "handle_input took nothing after a drain");
                input = &input[n..];
            }
            Err(e) => {
                seen.out.error = Some(e);
                return;
            }
        }
    }
}

fn drain(conn: &mut Connection, buf: &mut [u8], seen: &mut Seen) {
    loop {
        match conn.poll_output(buf) {
            Ok(Output::Transmit(b)) => seen.tx.extend_from_slice(b),
            Ok(Output::ApplicationData(d)) => seen.out.app_data.extend_from_slice(d),
            Ok(Output::Event(Event::HandshakeComplete(s))) => {
                assert!(seen.out.summary.is_none(), "two HandshakeComplete events");
                seen.out.summary = Some(s);
            }
            Ok(Output::Event(Event::PeerClosed)) => seen.peer_closed = true,
            Ok(Output::Event(_)) => {}
            Ok(Output::Idle) => return,
            Ok(other) => panic!("unexpected output {other:?} with a 4 KiB buffer"),
            Err(e) => {
                assert!(!conn.wants_transmit(), "output left after the error");
                seen.out.error.get_or_insert(e);
                return;
            }
        }
    }
}

/// Checks that end every connection: a failed one is dead (every call gives the same
/// error), a live one agrees with what it reported.
fn check_end(conn: &mut Connection, seen: &Seen) {
    if let Some(e) = &seen.out.error {
        let mut buf = [0u8; 64];
        assert_eq!(conn.handle_input(b"x").as_ref(), Err(e));
        assert_eq!(conn.poll_output(&mut buf).err().as_ref(), Some(e));
        assert_eq!(conn.write(b"x").as_ref(), Err(e));
        assert_eq!(conn.close().as_ref(), Err(e));
        assert_eq!(conn.error(), Some(e));
    } else {
        assert_eq!(conn.error(), None);
        assert_eq!(conn.is_handshaking(), seen.out.summary.is_none());
        assert_eq!(conn.peer_closed(), seen.peer_closed);
    }
}

/// The scripted peer's view of the endpoint's bytes: records (opened once the endpoint's
/// ChangeCipherSpec is in), handshake messages joined.
#[derive(Default)]
struct Reading {
    at: usize,
    /// How the endpoint's records are sealed, once they are.
    sealed: Option<Sealing>,
    /// How they are sealed from the endpoint's ChangeCipherSpec on.
    pending: Sealing,
    hs: Vec<u8>,
    /// Whole handshake messages, encoded.
    msgs: Vec<Vec<u8>>,
    ccs: bool,
    app: Vec<u8>,
}

impl Reading {
    fn read(&mut self, tx: &[u8]) {
        while let Some(h) = tx.get(self.at..self.at + 5) {
            let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
            let typ = h[0];
            let Some(body) = tx.get(self.at + 5..self.at + 5 + len) else {
                return;
            };
            self.at += 5 + len;
            let plain = match self.sealed {
                None => body,
                Some(s) => body
                    .get(s.nonce..body.len().saturating_sub(s.tag))
                    .unwrap_or_default(),
            };
            match typ {
                20 => {
                    self.ccs = true;
                    self.sealed = Some(self.pending);
                }
                22 => {
                    self.hs.extend_from_slice(plain);
                    while let [_, a, b, c, ..] = self.hs[..] {
                        let n = 4 + usize::from(u16::from_be_bytes([a, b])) * 256 + usize::from(c);
                        if self.hs.len() < n {
                            break;
                        }
                        self.msgs.push(self.hs.drain(..n).collect());
                    }
                }
                23 => self.app.extend_from_slice(plain),
                _ => {}
            }
        }
    }

    /// The first message of type `typ` read so far, decoded under `ctx`.
    fn find(&self, typ: HandshakeType, ctx: KxContext) -> Option<HandshakeMessage> {
        let m = self.msgs.iter().find(|m| m[0] == typ.0)?;
        HandshakeMessage::decode_with(m, ctx).ok()
    }
}

/// How a suite's records are sealed by the null AEAD: an explicit nonce and a tag of zeros.
#[derive(Debug, Clone, Copy)]
struct Sealing {
    nonce: usize,
    tag: usize,
}

impl Default for Sealing {
    /// AES-GCM's.
    fn default() -> Self {
        Self { nonce: 8, tag: 16 }
    }
}

impl Sealing {
    /// `suite`'s (8 and 16 for AES-GCM, 0 and 16 for ChaCha20, 8 and 8 for CCM_8).
    fn of(suite: CipherSuite) -> Self {
        SupportedSuite::find(suite).map_or_else(Self::default, |s| Self {
            nonce: s.aead.explicit_nonce_len(),
            tag: s.aead.tag_len(),
        })
    }
}

/// The scripted peer's sending side: records, sealed with the null AEAD after its
/// ChangeCipherSpec, each with at most `cap` bytes of plaintext.
struct Sending {
    frag: usize,
    cap: usize,
    sealed: Option<Sealing>,
    pending: Sealing,
}

impl Sending {
    /// Handshake records of 1 + `frag` mod 2^14 bytes, no record over `cap` (the smallest
    /// limit the endpoint asked for, if any).
    fn new(frag: u16, cap: Option<usize>) -> Self {
        let cap = cap.unwrap_or(MAX_PLAINTEXT).clamp(1, MAX_PLAINTEXT);
        Self {
            frag: (1 + usize::from(frag) % MAX_PLAINTEXT).min(cap),
            cap,
            sealed: None,
            pending: Sealing::default(),
        }
    }

    fn record(&self, out: &mut Vec<u8>, typ: u8, plain: &[u8]) {
        let (nonce, tag) = match self.sealed {
            None => (0, 0),
            Some(s) => (s.nonce, s.tag),
        };
        out.extend_from_slice(&[typ, 3, 3]);
        out.extend_from_slice(&((nonce + plain.len() + tag) as u16).to_be_bytes());
        out.extend_from_slice(&[0u8; 8][..nonce]);
        out.extend_from_slice(plain);
        out.extend_from_slice(&[0u8; 16][..tag]);
    }

    fn handshake(&self, out: &mut Vec<u8>, bytes: &[u8]) {
        for chunk in bytes.chunks(self.frag) {
            self.record(out, 22, chunk);
        }
    }

    fn ccs(&mut self, out: &mut Vec<u8>) {
        self.record(out, 20, &[1]);
        self.sealed = Some(self.pending);
    }

    fn app_data(&self, out: &mut Vec<u8>, data: &[u8]) {
        for chunk in data.chunks(self.cap) {
            self.record(out, 23, chunk);
        }
    }

    fn close_notify(&self, out: &mut Vec<u8>) {
        self.record(out, 21, &[1, AlertDescription::CLOSE_NOTIFY.0]);
    }

    fn finished(&self, out: &mut Vec<u8>) -> Option<()> {
        self.handshake(out, &enc(&HandshakeMessage::finished(vec![0; 12]))?);
        Some(())
    }
}

/// `items[i % len]`, if any.
fn pick<T: Copy>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()])
}

/// Whether `scheme` can sign for a suite authenticated by `auth`.
fn scheme_fits(scheme: SignatureScheme, auth: KeyKind) -> bool {
    match auth {
        KeyKind::Rsa => scheme.0 & 0xff == 0x01 || matches!(scheme.0, 0x0804..=0x0806),
        KeyKind::Ecdsa => scheme.0 & 0xff == 0x03,
    }
}

/// A certificate chain that is not empty.
fn chain_of(certs: &CertificateChain, big: &Option<Blob>, nonempty: bool) -> CertificateChain {
    let mut chain = certs.clone();
    if let Some(b) = big {
        chain.0.push(b.build(0x30).into());
    }
    chain.0.retain(|c| !c.is_empty());
    if nonempty && chain.0.is_empty() {
        chain.0.push(super::connection::SERVER_RSA.to_vec().into());
    }
    chain
}

// ---------------------------------------------------------------------------------------
// The client target: the script plays the server
// ---------------------------------------------------------------------------------------

/// The `client_structured` input: the client's options byte and [`Extras`] (see
/// [`client_config_with`]), the record size the server fragments its handshake messages
/// to, and one server turn per connection.
#[derive(Debug, Arbitrary)]
pub struct ServerScript {
    /// The client's options byte.
    pub opts: u8,
    /// The client's PSK, CCM_8 and record size settings.
    pub extras: Extras,
    /// Handshake record size, 1 + this mod 2^14.
    pub frag: u16,
    /// The first connection's server.
    pub first: ServerTurn,
    /// The second connection's server (same client configuration and session store).
    pub second: ServerTurn,
}

/// What the scripted server sends in one connection.
#[derive(Debug, Arbitrary)]
pub struct ServerTurn {
    /// Resume the offered session (if the client offers one and has it stored).
    pub resume: bool,
    /// Send the ServerHello's extensions as built, unfixed.
    pub raw: bool,
    /// The ServerHello: version, suite (an index into the client's), compression and
    /// extensions are fixed up unless `raw`.
    pub hello: ServerHello,
    /// The certificate chain (any bytes: the fuzzing verifier accepts any chain).
    pub certificates: CertificateChain,
    /// One more certificate, stretchable.
    pub big_certificate: Option<Blob>,
    /// The ServerKeyExchange (ECDHE suites): group and scheme are indexes into the
    /// client's lists, the point is ours, unless `raw`.
    pub ske: EcdheServerKeyExchange,
    /// A CertificateRequest to send.
    pub cert_request: Option<CertificateRequest>,
    /// A NewSessionTicket to send (acknowledged in the ServerHello if the client asked).
    pub ticket: Option<ScriptTicket>,
    /// Application data after the handshake.
    pub app_data: Vec<u8>,
    /// Send close_notify at the end.
    pub close: bool,
    /// The identity hint (stretchable) of a PSK or ECDHE_PSK suite's ServerKeyExchange.
    /// `None`: no ServerKeyExchange for PSK alone, an empty hint for ECDHE_PSK (whose group
    /// and point come from `ske`).
    pub psk_hint: Option<Blob>,
    /// The max_fragment_length to answer. `None`: unless `raw`, the client's, if it asked
    /// and offered no record_size_limit (which takes precedence).
    pub mfl: Option<Limit>,
    /// The record_size_limit to answer. `None`: unless `raw`, the client's own value, if
    /// it offered one.
    pub rsl: Option<Limit>,
}

/// A NewSessionTicket with a stretchable ticket.
#[derive(Debug, Arbitrary)]
pub struct ScriptTicket {
    /// `ticket_lifetime_hint`.
    pub lifetime_hint: u32,
    /// The ticket.
    pub ticket: Blob,
}

/// The `client_structured` target: see the [module docs](self). Returns what each
/// connection did (empty if the input is not a script).
pub fn client_structured(data: &[u8]) -> Vec<ConnOutcome> {
    match ServerScript::arbitrary_take_rest(Unstructured::new(data)) {
        Ok(script) => run_server_script(&script),
        Err(_) => Vec::new(),
    }
}

/// Plays `script` against two client connections of one configuration.
pub fn run_server_script(script: &ServerScript) -> Vec<ConnOutcome> {
    let config = Arc::new(client_config_with(script.opts, script.extras));
    [&script.first, &script.second]
        .into_iter()
        .map(|turn| client_turn(&config, turn, script.frag))
        .collect()
}

fn client_turn(config: &Arc<ClientConfig>, turn: &ServerTurn, frag: u16) -> ConnOutcome {
    let name = ServerName::try_from(SERVER_NAME).expect("a valid DNS name");
    let mut conn = ClientConnection::new(config.clone(), name).expect("the config is valid");
    let mut seen = Seen::default();
    pump(&mut conn, &[], &mut seen);
    let unencodable = serve(&mut conn, config, turn, frag, &mut seen).is_none();
    check_end(&mut conn, &seen);
    if let (None, Some(summary)) = (&seen.out.error, &seen.out.summary) {
        if !unencodable && !turn.raw {
            assert_eq!(seen.out.app_data, turn.app_data, "application data lost");
            assert_eq!(seen.peer_closed, turn.close);
        }
        assert!(!summary.resumed || summary.peer_certificates == conn_certs(config));
        // The connection is usable: a write is sealed and sent.
        if !seen.peer_closed {
            assert_eq!(conn.write(b"fuzz"), Ok(4), "write after the handshake");
        }
    }
    seen.out.unencodable = unencodable;
    seen.out
}

/// The certificates of the session stored for [`SERVER_NAME`] (what a resumed handshake
/// reports as the peer's).
fn conn_certs(config: &ClientConfig) -> Vec<pki_types::CertificateDer<'static>> {
    config
        .session_store
        .as_ref()
        .and_then(|s| s.get(SERVER_NAME))
        .map(|s| s.peer_certificates().to_vec())
        .unwrap_or_default()
}

/// The scripted server's side of one connection. `None` when a message does not encode.
fn serve(
    conn: &mut Connection,
    config: &ClientConfig,
    turn: &ServerTurn,
    frag: u16,
    seen: &mut Seen,
) -> Option<()> {
    let mut rd = Reading::default();
    rd.read(&seen.tx);
    let HandshakePayload::ClientHello(ch) = rd
        .find(HandshakeType::CLIENT_HELLO, KxContext::Unknown)?
        .payload
    else {
        panic!("our client's first message is a ClientHello");
    };
    let cap = (!turn.raw)
        .then(|| smallest_limit(ch.max_fragment_length(), ch.record_size_limit()))
        .flatten();
    let mut tx = Sending::new(frag, cap);
    let mut out = Vec::new();
    let stored = config
        .session_store
        .as_ref()
        .and_then(|s| s.get(SERVER_NAME));
    let asked_ticket = ch.session_ticket().is_some();
    let send_ticket = turn.ticket.is_some() && asked_ticket;
    let resume = match &stored {
        Some(s) if turn.resume && !ch.session_id.is_empty() && ch.offers_suite(s.suite()) => {
            Some((s.suite(), s.extended_master_secret()))
        }
        _ => None,
    };
    let offered: Vec<&'static SupportedSuite> = ch
        .cipher_suites
        .iter()
        .filter_map(|s| SupportedSuite::find(*s))
        .collect();
    let suite = match resume {
        Some((s, _)) => SupportedSuite::find(s)?,
        None => *offered.get(usize::from(turn.hello.cipher_suite.0) % offered.len().max(1))?,
    };
    let ems = match resume {
        Some((_, ems)) => ems,
        None => {
            ch.extended_master_secret()
                && (config.common.require_ems
                    || turn
                        .hello
                        .has_extension(ExtensionType::EXTENDED_MASTER_SECRET))
        }
    };
    let mut sh = turn.hello.clone();
    if !turn.raw {
        sh.version = ProtocolVersion::TLS12;
        sh.cipher_suite = suite.suite;
        sh.compression_method = CompressionMethod::NULL;
        sh.extensions = Some(server_extensions(&ch, &sh, suite, ems, send_ticket));
    }
    answer_limits(&mut sh, &ch, turn);
    match resume {
        Some(_) => sh.session_id = ch.session_id,
        // Not a resumption: not the offered session ID.
        None if sh.session_id == ch.session_id && !ch.session_id.is_empty() => {
            sh.session_id = SessionId::EMPTY
        }
        None => {}
    }
    let promised = sh.session_ticket_ack();
    tx.pending = Sealing::of(sh.cipher_suite);
    rd.pending = tx.pending;
    let ticket = || {
        let t = turn.ticket.as_ref();
        HandshakeMessage::from(NewSessionTicket {
            lifetime_hint: t.map_or(0, |t| t.lifetime_hint),
            ticket: t.map(|t| t.ticket.build(0x7e)).unwrap_or_default(),
        })
    };

    if resume.is_some() {
        // Abbreviated: ServerHello, NewSessionTicket, ChangeCipherSpec, Finished.
        tx.handshake(&mut out, &enc(&HandshakeMessage::from(sh))?);
        if promised {
            tx.handshake(&mut out, &enc(&ticket())?);
        }
        tx.ccs(&mut out);
        tx.finished(&mut out)?;
        pump(conn, &out, seen);
    } else {
        // Full: ServerHello, Certificate, ServerKeyExchange, CertificateRequest, Done; no
        // Certificate or CertificateRequest with a PSK suite unless `raw`.
        let certified = !suite.kx.uses_psk() || turn.raw;
        let chain = chain_of(&turn.certificates, &turn.big_certificate, !turn.raw);
        let mut flight = enc(&HandshakeMessage::from(sh))?;
        if certified {
            flight.extend(enc(&HandshakeMessage::from(chain))?);
        }
        let mut ske = turn.ske.clone();
        if !turn.raw {
            fix_server_params(&mut ske, &ch, suite);
        }
        let hint = turn.psk_hint.as_ref().map(|b| b.build(b'h'));
        let ske = match suite.kx {
            KeyExchange::Ecdhe => Some(ServerKeyExchangePayload::Ecdhe(ske)),
            KeyExchange::EcdhePsk => Some(ServerKeyExchangePayload::EcdhePsk(
                EcdhePskServerKeyExchange {
                    hint: hint.unwrap_or_default(),
                    curve_type: ske.curve_type,
                    group: ske.group,
                    public: ske.public,
                },
            )),
            KeyExchange::Psk => hint.map(ServerKeyExchangePayload::Psk),
            KeyExchange::Rsa => None,
        };
        if let Some(ske) = ske {
            flight.extend(enc(&HandshakeMessage::from(ske))?);
        }
        if let (Some(req), true) = (&turn.cert_request, certified) {
            let mut req = req.clone();
            if req.certificate_types.is_empty() && !turn.raw {
                req.certificate_types.push(ClientCertificateType::RSA_SIGN);
            }
            flight.extend(enc(&HandshakeMessage::from(req))?);
        }
        flight.extend(enc(&HandshakeMessage::server_hello_done())?);
        tx.handshake(&mut out, &flight);
        pump(conn, &out, seen);
        if seen.out.error.is_some() {
            return Some(());
        }
        // The client's second flight is in (its Finished under the null AEAD); ours.
        out.clear();
        if promised {
            tx.handshake(&mut out, &enc(&ticket())?);
        }
        tx.ccs(&mut out);
        tx.finished(&mut out)?;
        pump(conn, &out, seen);
    }
    rd.read(&seen.tx);
    if seen.out.error.is_some() {
        return Some(());
    }
    out.clear();
    tx.app_data(&mut out, &turn.app_data);
    if turn.close {
        tx.close_notify(&mut out);
    }
    pump(conn, &out, seen);
    Some(())
}

/// The ServerHello's extensions: the fuzzer's, kept only where the client solicited them and
/// fixed to agree with it, then what the handshake needs.
fn server_extensions(
    ch: &ClientHello,
    sh: &ServerHello,
    suite: &SupportedSuite,
    ems: bool,
    send_ticket: bool,
) -> Vec<ServerExtension> {
    let mut exts: Vec<ServerExtension> = Vec::new();
    let add = |e: ServerExtension, exts: &mut Vec<ServerExtension>| {
        if !exts.iter().any(|x| x.ext_type() == e.ext_type()) {
            exts.push(e);
        }
    };
    for e in sh.extensions() {
        let fixed = match e {
            ServerExtension::RenegotiationInfo(_) => {
                Some(ServerExtension::RenegotiationInfo(vec![]))
            }
            ServerExtension::EcPointFormats(f) if suite.kx.uses_ecdhe() => {
                let mut f = f.clone();
                if !f.contains(&ECPointFormat::UNCOMPRESSED) {
                    f.push(ECPointFormat::UNCOMPRESSED);
                }
                Some(ServerExtension::EcPointFormats(f))
            }
            ServerExtension::Alpn(p) => ch
                .alpn_protocols()
                .filter(|ours| !ours.is_empty())
                .map(|ours| ServerExtension::Alpn(ours[p.len() % ours.len()].clone())),
            ServerExtension::ServerName if ch.server_name().is_some() => {
                Some(ServerExtension::ServerName)
            }
            _ => None,
        };
        if let Some(f) = fixed {
            add(f, &mut exts);
        }
    }
    if ems {
        add(ServerExtension::ExtendedMasterSecret, &mut exts);
    }
    if send_ticket {
        add(ServerExtension::SessionTicket, &mut exts);
    }
    exts
}

/// The ECDHE parameters fixed so that the client can use them: a named curve it offered
/// (X25519 if none), our point, and (for a signed suite) a scheme it offered for the suite's
/// key and a signature.
fn fix_server_params(ske: &mut EcdheServerKeyExchange, ch: &ClientHello, suite: &SupportedSuite) {
    let groups = ch.supported_groups().unwrap_or_default();
    ske.curve_type = ECCurveType::NAMED_CURVE;
    ske.group = pick(groups, usize::from(ske.group.0)).unwrap_or(NamedGroup::X25519);
    if let Some(p) = FuzzProvider::public_key(ske.group) {
        ske.public = p;
    }
    let schemes: Vec<SignatureScheme> = ch
        .signature_algorithms()
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|s| suite.auth.is_some_and(|auth| scheme_fits(*s, auth)))
        .collect();
    if let Some(s) = pick(&schemes, usize::from(ske.signed.scheme.0)) {
        ske.signed.scheme = s;
    }
    if ske.signed.signature.is_empty() {
        ske.signed.signature = FUZZ_SIGNATURE.to_vec();
    }
}

/// Puts the turn's max_fragment_length and record_size_limit answers in the ServerHello
/// (replacing the hello's own); unless `raw`, a limit the turn leaves open is answered as
/// a server would: record_size_limit with the client's own value, else max_fragment_length
/// echoed.
fn answer_limits(sh: &mut ServerHello, ch: &ClientHello, turn: &ServerTurn) {
    let offered_mfl = ch.max_fragment_length();
    let offered_rsl = ch.record_size_limit();
    let rsl = match (turn.rsl, turn.raw) {
        (Some(l), _) => Some(l.value()),
        (None, false) => offered_rsl,
        (None, true) => None,
    };
    let mfl = match (turn.mfl, turn.raw) {
        (Some(l), _) => Some(l.code(offered_mfl)),
        (None, false) if offered_rsl.is_none() => offered_mfl,
        _ => None,
    };
    let answers = [
        mfl.map(ServerExtension::MaxFragmentLength),
        rsl.map(ServerExtension::RecordSizeLimit),
    ];
    for e in answers.into_iter().flatten() {
        let exts = sh.extensions.get_or_insert_with(Vec::new);
        exts.retain(|x| x.ext_type() != e.ext_type());
        exts.push(e);
    }
}

// ---------------------------------------------------------------------------------------
// The server target: the script plays the client
// ---------------------------------------------------------------------------------------

/// The `server_structured` input: the server's options byte and [`Extras`] (see
/// [`server_config_with`]), the record size the client fragments its handshake messages
/// to, and one client turn per connection.
#[derive(Debug, Arbitrary)]
pub struct ClientScript {
    /// The server's options byte.
    pub opts: u8,
    /// The server's PSK, CCM_8 and record size settings.
    pub extras: Extras,
    /// Handshake record size, 1 + this mod 2^14.
    pub frag: u16,
    /// The first connection's client.
    pub first: ClientTurn,
    /// The second connection's client (same server configuration, cache and ticketer).
    pub second: ClientTurn,
}

/// What the scripted client sends in one connection.
#[derive(Debug, Arbitrary)]
pub struct ClientTurn {
    /// Send the ClientHello as built, unfixed.
    pub raw: bool,
    /// The ClientHello: fixed up unless `raw` so that the server can choose (a suite,
    /// group, scheme and ALPN protocol in common; well-formed extensions).
    pub hello: ClientHello,
    /// Replace the server_name with this host name (stretchable, shaped as a DNS name unless
    /// `raw`, so that names up to 253 bytes are kept in the session).
    pub host_name: Option<Blob>,
    /// Second connection: offer what the first one gave (session ID, ticket), with the
    /// same suite, extended master secret state and server name.
    pub offer_session: bool,
    /// Our certificate chain, if the server asks for one.
    pub certificates: CertificateChain,
    /// One more certificate, stretchable.
    pub big_certificate: Option<Blob>,
    /// The ClientKeyExchange: for ECDHE the point is ours unless `raw`.
    pub cke: ClientKeyExchangePayload,
    /// The CertificateVerify (sent when our chain is not empty): the scheme is an index
    /// into the server's list unless `raw`.
    pub verify: DigitallySigned,
    /// Application data after the handshake.
    pub app_data: Vec<u8>,
    /// Send close_notify at the end.
    pub close: bool,
    /// The identity (stretchable) in a PSK or ECDHE_PSK ClientKeyExchange, unless `raw`.
    /// `None`: the identity the server's hint names, the first one without.
    pub psk_identity: Option<Blob>,
    /// Offer max_fragment_length with this code (replacing the hello's own).
    pub mfl: Option<Limit>,
    /// Offer record_size_limit with this value (replacing the hello's own).
    pub rsl: Option<Limit>,
}

/// What the first connection left for the second to offer.
#[derive(Debug, Default)]
struct Gave {
    session_id: SessionId,
    ticket: Vec<u8>,
    suite: Option<CipherSuite>,
    ems: bool,
    server_name: Option<Vec<u8>>,
}

/// The `server_structured` target: see the [module docs](self). Returns what each
/// connection did (empty if the input is not a script).
pub fn server_structured(data: &[u8]) -> Vec<ConnOutcome> {
    match ClientScript::arbitrary_take_rest(Unstructured::new(data)) {
        Ok(script) => run_client_script(&script),
        Err(_) => Vec::new(),
    }
}

/// Plays `script` against two server connections of one configuration.
pub fn run_client_script(script: &ClientScript) -> Vec<ConnOutcome> {
    let config = Arc::new(server_config_with(script.opts, script.extras));
    let mut gave = Gave::default();
    let mut outcomes = Vec::new();
    for (i, turn) in [&script.first, &script.second].into_iter().enumerate() {
        let mut conn = ServerConnection::new(config.clone()).expect("the config is valid");
        let mut seen = Seen::default();
        let offer = (i == 1 && turn.offer_session).then_some(&gave);
        let (unencodable, next) =
            match client(&mut conn, &config, turn, offer, script.frag, &mut seen) {
                Some(g) => (false, g),
                None => (true, Gave::default()),
            };
        check_end(&mut conn, &seen);
        if let (None, Some(_)) = (&seen.out.error, &seen.out.summary) {
            if !unencodable {
                assert_eq!(seen.out.app_data, turn.app_data, "application data lost");
                assert_eq!(seen.peer_closed, turn.close);
            }
            if !seen.peer_closed {
                assert_eq!(conn.write(b"fuzz"), Ok(4), "write after the handshake");
            }
        }
        seen.out.unencodable = unencodable;
        outcomes.push(seen.out);
        gave = next;
    }
    outcomes
}

/// `name` shaped as a DNS name (RFC 6066 section 3), whatever its length: lower-case
/// letters and digits, a dot every 60 bytes, a letter last. Names of at most 253 bytes are
/// then accepted and kept in the session; longer ones are refused at the ClientHello.
fn dns_shaped(name: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out: Vec<u8> = name
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if i % 61 == 60 {
                b'.'
            } else {
                ALPHABET[usize::from(*b) % ALPHABET.len()]
            }
        })
        .collect();
    match out.last_mut() {
        Some(last) => *last = b'z',
        None => out.push(b'a'),
    }
    out
}

/// Fixes a ClientHello so that a server of `config` can complete a handshake with it.
fn fix_client_hello(ch: &mut ClientHello, config: &crate::ServerConfig) {
    ch.version = ProtocolVersion::TLS12;
    if !ch.compression_methods.contains(&CompressionMethod::NULL) {
        ch.compression_methods.push(CompressionMethod::NULL);
    }
    // The suites the server can serve with one of its certificates or its PSKs.
    let ours: Vec<CipherSuite> = config
        .common
        .suites
        .iter()
        .filter(|s| {
            config.certs.iter().any(|c| Some(c.kind()) == s.auth)
                || (s.kx.uses_psk() && config.psk.is_some())
        })
        .map(|s| s.suite)
        .collect();
    if !ch.cipher_suites.iter().any(|s| ours.contains(s)) {
        let i = usize::from(ch.random.0[0]);
        ch.cipher_suites.extend(pick(&ours, i));
    }
    let mut exts: Vec<ClientExtension> = Vec::new();
    for e in ch.extensions() {
        let fixed = match e.clone() {
            ClientExtension::ServerName(names) => {
                let names: Vec<_> = names
                    .into_iter()
                    .filter(|n| !n.name.is_empty())
                    .map(|mut n| {
                        n.name = dns_shaped(&n.name);
                        n
                    })
                    .collect();
                (!names.is_empty()).then_some(ClientExtension::ServerName(names))
            }
            ClientExtension::MaxFragmentLength(m) => m
                .is_known()
                .then_some(ClientExtension::MaxFragmentLength(m)),
            ClientExtension::StatusRequest(CertificateStatusRequest::Ocsp(mut o)) => {
                o.responder_ids.retain(|r| !r.is_empty());
                Some(ClientExtension::StatusRequest(
                    CertificateStatusRequest::Ocsp(o),
                ))
            }
            ClientExtension::SupportedGroups(mut g) => {
                for ours in &config.common.groups {
                    if !g.contains(ours) {
                        g.push(*ours);
                    }
                }
                Some(ClientExtension::SupportedGroups(g))
            }
            ClientExtension::EcPointFormats(mut f) => {
                if !f.contains(&ECPointFormat::UNCOMPRESSED) {
                    f.push(ECPointFormat::UNCOMPRESSED);
                }
                Some(ClientExtension::EcPointFormats(f))
            }
            ClientExtension::Alpn(mut p) => {
                p.retain(|p| (1..=255).contains(&p.len()));
                if let Some(first) = config.common.alpn_protocols.first() {
                    if !p.iter().any(|p| config.common.alpn_protocols.contains(p)) {
                        p.push(first.clone());
                    }
                }
                (!p.is_empty()).then_some(ClientExtension::Alpn(p))
            }
            ClientExtension::RecordSizeLimit(l) => {
                Some(ClientExtension::RecordSizeLimit(l.max(64)))
            }
            ClientExtension::RenegotiationInfo(_) => {
                Some(ClientExtension::RenegotiationInfo(vec![]))
            }
            ClientExtension::Unknown { typ, .. } if ClientExtension::MODELLED.contains(&typ) => {
                None
            }
            other => Some(other),
        };
        if let Some(f) = fixed {
            if !exts.iter().any(|x| x.ext_type() == f.ext_type()) {
                exts.push(f);
            }
        }
    }
    if !exts
        .iter()
        .any(|e| e.ext_type() == ExtensionType::SIGNATURE_ALGORITHMS)
    {
        exts.push(ClientExtension::SignatureAlgorithms(vec![]));
    }
    for e in exts.iter_mut() {
        if let ClientExtension::SignatureAlgorithms(s) = e {
            for needed in [
                SignatureScheme::RSA_PKCS1_SHA256,
                SignatureScheme::ECDSA_SECP256R1_SHA256,
                SignatureScheme::ECDSA_SECP384R1_SHA384,
            ] {
                if !s.contains(&needed) {
                    s.push(needed);
                }
            }
        }
    }
    if config.common.require_ems
        && !exts
            .iter()
            .any(|e| e.ext_type() == ExtensionType::EXTENDED_MASTER_SECRET)
    {
        exts.push(ClientExtension::ExtendedMasterSecret);
    }
    ch.extensions = Some(exts);
}

/// Replaces (or with `None` removes) the extension of `e`'s type.
fn set_ext(ch: &mut ClientHello, typ: ExtensionType, e: Option<ClientExtension>) {
    let exts = ch.extensions.get_or_insert_with(Vec::new);
    exts.retain(|x| x.ext_type() != typ);
    exts.extend(e);
}

/// The scripted client's side of one connection; returns what to offer next time. `None`
/// when a message does not encode.
fn client(
    conn: &mut Connection,
    config: &crate::ServerConfig,
    turn: &ClientTurn,
    offer: Option<&Gave>,
    frag: u16,
    seen: &mut Seen,
) -> Option<Gave> {
    let mut ch = turn.hello.clone();
    if !turn.raw {
        fix_client_hello(&mut ch, config);
    }
    if let Some(b) = &turn.host_name {
        let mut name = b.build(b'a');
        if !turn.raw {
            name = dns_shaped(&name);
        }
        set_ext(
            &mut ch,
            ExtensionType::SERVER_NAME,
            Some(ClientExtension::host_name(&name)),
        );
    }
    if let Some(g) = offer {
        if !g.ticket.is_empty() {
            set_ext(
                &mut ch,
                ExtensionType::SESSION_TICKET,
                Some(ClientExtension::SessionTicket(g.ticket.clone())),
            );
            if ch.session_id.is_empty() {
                ch.session_id = SessionId::new(&[1; 32]).expect("32 bytes");
            }
        } else {
            ch.session_id = g.session_id;
        }
        if let Some(s) = g.suite {
            if !ch.cipher_suites.contains(&s) {
                ch.cipher_suites.insert(0, s);
            }
        }
        let ems = g.ems.then_some(ClientExtension::ExtendedMasterSecret);
        set_ext(&mut ch, ExtensionType::EXTENDED_MASTER_SECRET, ems);
        let name = g.server_name.as_deref().map(ClientExtension::host_name);
        set_ext(&mut ch, ExtensionType::SERVER_NAME, name);
    }
    if let Some(l) = turn.mfl {
        let m = ClientExtension::MaxFragmentLength(l.code(None));
        set_ext(&mut ch, ExtensionType::MAX_FRAGMENT_LENGTH, Some(m));
    }
    if let Some(l) = turn.rsl {
        let r = ClientExtension::RecordSizeLimit(l.value());
        set_ext(&mut ch, ExtensionType::RECORD_SIZE_LIMIT, Some(r));
    }
    // The server takes records over its own record_size_limit (or a max_fragment_length
    // it echoes) as record_overflow.
    let cap = (!turn.raw)
        .then(|| smallest_limit(ch.max_fragment_length(), config.common.record_size_limit))
        .flatten();
    let mut gave = Gave {
        ems: ch.extended_master_secret(),
        server_name: ch.server_name().map(<[u8]>::to_vec),
        ..Gave::default()
    };
    let mut tx = Sending::new(frag, cap);
    let mut rd = Reading::default();
    let mut out = Vec::new();
    tx.handshake(&mut out, &enc(&HandshakeMessage::from(ch))?);
    pump(conn, &out, seen);
    rd.read(&seen.tx);
    if seen.out.error.is_some() {
        return Some(gave);
    }
    let HandshakePayload::ServerHello(sh) = rd
        .find(HandshakeType::SERVER_HELLO, KxContext::Unknown)?
        .payload
    else {
        panic!("our server's first message is a ServerHello");
    };
    let suite = SupportedSuite::find(sh.cipher_suite).expect("our server chose one of its suites");
    gave.suite = Some(suite.suite);
    gave.session_id = sh.session_id;
    tx.pending = Sealing::of(suite.suite);
    rd.pending = tx.pending;
    out.clear();
    if rd.ccs {
        // The server resumed: our ChangeCipherSpec and Finished.
        tx.ccs(&mut out);
        tx.finished(&mut out)?;
    } else {
        let requested = rd.find(HandshakeType::CERTIFICATE_REQUEST, KxContext::Unknown);
        let mut flight = Vec::new();
        let mut chain = CertificateChain::default();
        if requested.is_some() {
            chain = chain_of(&turn.certificates, &turn.big_certificate, false);
            flight.extend(enc(&HandshakeMessage::from(chain.clone()))?);
        }
        let mut cke = turn.cke.clone();
        if !turn.raw {
            cke = match suite.kx {
                KeyExchange::Ecdhe => {
                    let ske = rd.find(HandshakeType::SERVER_KEY_EXCHANGE, KxContext::Ecdhe)?;
                    let HandshakePayload::ServerKeyExchange(ServerKeyExchangePayload::Ecdhe(ske)) =
                        ske.payload
                    else {
                        panic!("our server's ServerKeyExchange is ECDHE");
                    };
                    ClientKeyExchangePayload::Ecdhe(FuzzProvider::public_key(ske.group)?)
                }
                KeyExchange::Rsa => match cke {
                    ClientKeyExchangePayload::Rsa(c) => ClientKeyExchangePayload::Rsa(c),
                    _ => ClientKeyExchangePayload::Rsa(vec![0; 256]),
                },
                KeyExchange::Psk | KeyExchange::EcdhePsk => {
                    psk_key_exchange(&rd, suite.kx, turn.psk_identity.as_ref())?
                }
            };
        }
        flight.extend(enc(&HandshakeMessage::from(cke))?);
        if let (Some(req), false) = (requested, chain.is_empty()) {
            let mut verify = turn.verify.clone();
            if !turn.raw {
                let HandshakePayload::CertificateRequest(req) = req.payload else {
                    panic!("found by type");
                };
                if let Some(s) = pick(&req.signature_schemes, usize::from(verify.scheme.0)) {
                    verify.scheme = s;
                }
                if verify.signature.is_empty() {
                    verify.signature = FUZZ_SIGNATURE.to_vec();
                }
            }
            flight.extend(enc(&HandshakeMessage::certificate_verify(verify))?);
        }
        tx.handshake(&mut out, &flight);
        tx.ccs(&mut out);
        tx.finished(&mut out)?;
    }
    pump(conn, &out, seen);
    rd.read(&seen.tx);
    if let Some(m) = rd.find(HandshakeType::NEW_SESSION_TICKET, KxContext::Unknown) {
        if let HandshakePayload::NewSessionTicket(t) = m.payload {
            gave.ticket = t.ticket;
        }
    }
    if seen.out.error.is_some() {
        return Some(gave);
    }
    out.clear();
    tx.app_data(&mut out, &turn.app_data);
    if turn.close {
        tx.close_notify(&mut out);
    }
    pump(conn, &out, seen);
    Some(gave)
}

/// Our PSK or ECDHE_PSK ClientKeyExchange after the server's flight in `rd`: `identity` if
/// given, else the one its hint names (the first without a hint); for ECDHE_PSK our point
/// in its group.
fn psk_key_exchange(
    rd: &Reading,
    kx: KeyExchange,
    identity: Option<&Blob>,
) -> Option<ClientKeyExchangePayload> {
    let ske = rd
        .find(HandshakeType::SERVER_KEY_EXCHANGE, KxContext::from(kx))
        .map(|m| m.payload);
    let (hint, group) = match ske {
        Some(HandshakePayload::ServerKeyExchange(ServerKeyExchangePayload::Psk(h))) => (h, None),
        Some(HandshakePayload::ServerKeyExchange(ServerKeyExchangePayload::EcdhePsk(e))) => {
            (e.hint, Some(e.group))
        }
        _ => (Vec::new(), None),
    };
    let identity = match identity {
        Some(b) => b.build(b'i'),
        None => PSK_IDENTITIES[usize::from(hint == PSK_HINTS[1])].to_vec(),
    };
    Some(match kx {
        KeyExchange::EcdhePsk => ClientKeyExchangePayload::EcdhePsk(EcdhePskClientKeyExchange {
            identity,
            public: FuzzProvider::public_key(group?)?,
        }),
        _ => ClientKeyExchangePayload::Psk(identity),
    })
}

/// The smallest record limit either side asked for (a max_fragment_length offered, a
/// record_size_limit): what the scripted peer keeps its records within, so that they fit
/// whichever of the two the endpoint ends up applying, and a receive buffer sized up front.
fn smallest_limit(mfl: Option<MaxFragmentLength>, rsl: Option<u16>) -> Option<usize> {
    let mfl = mfl.and_then(max_fragment_length_bytes);
    let rsl = rsl.map(|l| usize::from(advertised_record_size_limit(l)));
    match (mfl, rsl) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
