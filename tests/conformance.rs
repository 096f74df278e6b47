//! Conformance: what RFC 5246 and its extensions require when the peer is odd but legal
//! (or odd and wrong in a way the RFCs name). Each test's doc comment names the section it
//! checks.
//!
//! The peer is scripted from this crate's codec (`tls12::internal::msgs`) and talks in memory to a
//! real `ServerConnection` or `ClientConnection` on the no-security `FuzzProvider` (feature
//! `fuzzing`), as in tests/peer/: the record layer and the state machines are the
//! real ones, and the alert our endpoint sends is read back from the bytes it wrote (its
//! sealed records are the plaintext between an explicit nonce and a zero tag).
//!
//! The example server's behaviour over TCP (the alert reaching a peer that is still
//! sending, a request sent in parts) is at the end.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::forge::{
    self, Under, client_at, framed, hs, hs_record, last_alert, server_at, server_script,
};
use common::{ALERT, CCS, HANDSHAKE, Sink, fragmented, fuzz_sealed, pump, record, record_v};
use tls12::fuzzing::{self, OPT_CLIENT_AUTH_MANDATORY, RESUMABLE_SESSION_ID};
use tls12::internal::codec::enums::{
    AlertDescription, CipherSuite, ExtensionType, HandshakeType, ProtocolVersion,
};
use tls12::internal::msgs::{
    ClientExtension, ClientHello, ClientKeyExchangePayload, HandshakeMessage, SessionId,
};
use tls12::resumption::{LruSessionCache, ServerSession, ServerSessionCache};
use tls12::{ClientConnection, Error};

// ---------------------------------------------------------------------------------------
// The scripted peer
// ---------------------------------------------------------------------------------------

/// A ClientHello the fuzzing server configurations accept, naming the fuzzing server (the
/// session a primed server has cached is for that name).
fn client_hello() -> ClientHello {
    let mut ch = forge::client_hello();
    ch.extensions.as_mut().expect("has extensions").insert(
        0,
        ClientExtension::host_name(fuzzing::SERVER_NAME.as_bytes()),
    );
    ch
}

fn client_hello_with(f: impl FnOnce(&mut ClientHello)) -> Vec<u8> {
    let mut ch = client_hello();
    f(&mut ch);
    hs_record(HandshakeMessage::from(ch))
}

fn without_ems(ch: &mut ClientHello) {
    ch.extensions
        .as_mut()
        .expect("has extensions")
        .retain(|e| !matches!(e, ClientExtension::ExtendedMasterSecret));
}

// ---------------------------------------------------------------------------------------
// Version negotiation
// ---------------------------------------------------------------------------------------

/// RFC 5246 appendix E.1 ("the server MUST ... reply according to the highest version
/// supported by the server") and RFC 8446 appendix D.2: a client_version above TLS 1.2,
/// even one that does not exist yet, negotiates TLS 1.2.
#[test]
fn client_version_above_tls12_negotiates_tls12() {
    for v in [0x0304, 0x03fe, 0x0401, 0xfefe, 0xffff] {
        let mut u = Under::forged_server(0);
        u.feed(&client_hello_with(|ch| ch.version = ProtocolVersion(v)));
        assert_eq!(u.sink.error, None, "client_version {v:#06x}");
        assert_eq!(u.server_hello().version, ProtocolVersion::TLS12);
    }
}

/// RFC 5246 appendix E.1: a server that does not support the client's (lower) version
/// answers protocol_version.
#[test]
fn client_version_below_tls12_is_protocol_version() {
    for v in [0x0302, 0x0301, 0x0300, 0x0200, 0x0000] {
        let mut u = Under::forged_server(0);
        u.feed(&client_hello_with(|ch| ch.version = ProtocolVersion(v)));
        u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
    }
}

fn supported_versions(versions: &[u16]) -> ClientExtension {
    let mut data = vec![(versions.len() * 2) as u8];
    for v in versions {
        data.extend_from_slice(&v.to_be_bytes());
    }
    ClientExtension::Unknown {
        typ: ExtensionType::SUPPORTED_VERSIONS,
        data,
    }
}

/// RFC 8446 section 4.2.1: when supported_versions is present, legacy_version is not used
/// for negotiation. We follow it as OpenSSL does: TLS 1.2 in the list negotiates TLS 1.2
/// whatever client_version says; a list without it is protocol_version.
#[test]
fn supported_versions_decides_when_present() {
    for (legacy, list) in [
        (0x0303, &[0x0304, 0x0303][..]),
        (0x0301, &[0x0303][..]),
        (0x0304, &[0x7a7a, 0x0303, 0x0302][..]),
    ] {
        let mut u = Under::forged_server(0);
        u.feed(&client_hello_with(|ch| {
            ch.version = ProtocolVersion(legacy);
            ch.extensions
                .as_mut()
                .expect("has extensions")
                .push(supported_versions(list));
        }));
        assert_eq!(u.sink.error, None, "{legacy:#06x} {list:x?}");
        assert_eq!(u.server_hello().version, ProtocolVersion::TLS12);
    }
    for list in [&[0x0304][..], &[0x0302, 0x0301][..]] {
        let mut u = Under::forged_server(0);
        u.feed(&client_hello_with(|ch| {
            ch.extensions
                .as_mut()
                .expect("has extensions")
                .push(supported_versions(list));
        }));
        u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
    }
}

/// RFC 5246 appendix E.1: "TLS servers ... MUST accept any value {03,XX} as the record
/// layer version number for ClientHello", including over several records.
#[test]
fn client_hello_records_may_carry_any_03_xx_version() {
    let ch = hs(HandshakeMessage::from(client_hello()));
    for minor in [0, 1, 2, 3, 4, 0x7f, 0xfe, 0xff] {
        let mut u = Under::forged_server(0);
        let (a, b) = ch.split_at(40);
        let mut bytes = record_v(HANDSHAKE, [3, minor], a);
        bytes.extend(record_v(HANDSHAKE, [3, minor], b));
        u.feed(&bytes);
        assert_eq!(u.sink.error, None, "record version {{3,{minor}}}");
        assert_eq!(u.server_hello().version, ProtocolVersion::TLS12);
    }
    // Not {03,XX}: protocol_version, from the header.
    for version in [[2, 0], [4, 1], [0xfe, 0xfd]] {
        let mut u = Under::forged_server(0);
        u.feed(&record_v(HANDSHAKE, version, &ch));
        u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
    }
}

/// RFC 5246 appendix E.1 and section 6.2.1: once ServerHello has fixed the version, every
/// record must carry {3,3}.
#[test]
fn after_server_hello_only_tls12_records() {
    let cke = hs(HandshakeMessage::from(ClientKeyExchangePayload::Ecdhe(
        vec![9; 32],
    )));
    for minor in [1, 4, 0xff] {
        let mut u = Under::forged_server(0);
        u.feed_ok(&[hs_record(HandshakeMessage::from(client_hello()))]);
        u.feed(&record_v(HANDSHAKE, [3, minor], &cke));
        u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
    }
}

/// RFC 7507 section 3: TLS_FALLBACK_SCSV with a client_version below the server's highest
/// (TLS 1.2) is inappropriate_fallback; with TLS 1.2 or above the handshake proceeds.
#[test]
fn fallback_scsv() {
    let with_scsv = |v: u16| {
        client_hello_with(|ch| {
            ch.version = ProtocolVersion(v);
            ch.cipher_suites.push(CipherSuite::TLS_FALLBACK_SCSV);
        })
    };
    for v in [0x0303, 0x0304] {
        let mut u = Under::forged_server(0);
        u.feed(&with_scsv(v));
        assert_eq!(u.sink.error, None, "{v:#06x}");
        assert_eq!(u.server_hello().version, ProtocolVersion::TLS12);
    }
    for v in [0x0302, 0x0301] {
        let mut u = Under::forged_server(0);
        u.feed(&with_scsv(v));
        u.assert_fatal(AlertDescription::INAPPROPRIATE_FALLBACK);
    }
    // The same versions without the SCSV: protocol_version.
    let mut u = Under::forged_server(0);
    u.feed(&client_hello_with(|ch| {
        ch.version = ProtocolVersion(0x0302)
    }));
    u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
}

// ---------------------------------------------------------------------------------------
// Order before content
// ---------------------------------------------------------------------------------------

/// Message types the state `steps` steps into a script accepts (the ones with a body to
/// check): everything else must be refused for its type.
fn accepted(server: bool, steps: usize) -> &'static [HandshakeType] {
    use HandshakeType as T;
    match (server, steps) {
        (true, 0 | 6) => &[T::CLIENT_HELLO],
        (true, 1) => &[T::CERTIFICATE],
        (true, 2) => &[T::CLIENT_KEY_EXCHANGE],
        (true, 3) => &[T::CERTIFICATE_VERIFY],
        (true, 5) => &[T::FINISHED],
        (false, 5) => &[T::FINISHED, T::HELLO_REQUEST],
        // A client takes a HelloRequest in every state (ignored mid-handshake: see
        // `a_hello_request_mid_handshake_is_ignored`).
        (false, 0) => &[T::SERVER_HELLO, T::HELLO_REQUEST],
        (false, 1) => &[T::CERTIFICATE, T::HELLO_REQUEST],
        (false, 2) => &[T::SERVER_KEY_EXCHANGE, T::HELLO_REQUEST],
        (false, 3) => &[
            T::CERTIFICATE_REQUEST,
            T::SERVER_HELLO_DONE,
            T::HELLO_REQUEST,
        ],
        (false, _) => &[T::HELLO_REQUEST],
        _ => &[],
    }
}

/// Every type but the accepted ones, with a body that does not parse as that type (or is
/// simply wrong: a 3-byte Finished), at every point of the handshake.
fn misplaced_with_bad_bodies(server: bool) {
    for steps in 0..=6 {
        for typ in (0..=24).chain([67, 99, 254, 255]).map(HandshakeType) {
            if accepted(server, steps).contains(&typ) {
                continue;
            }
            let mut u = if server {
                server_at(steps)
            } else {
                client_at(steps)
            };
            let msg = [typ.0, 0, 0, 3, 0xff, 0xff, 0xff];
            u.feed(&framed(steps, &msg));
            let err = u.sink.error.clone();
            assert_eq!(
                err.as_ref().and_then(Error::alert),
                Some(AlertDescription::UNEXPECTED_MESSAGE),
                "server {server}, step {steps}, type {typ:?}: {err:?}"
            );
            u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
        }
    }
}

/// RFC 5246 section 7.4 (and 7.2.2: "an inappropriate message was received"): a handshake
/// message of a type the server does not expect now is unexpected_message, decided from
/// its type before its body is read (so never decode_error).
#[test]
fn server_refuses_a_misplaced_message_by_type_before_its_body() {
    misplaced_with_bad_bodies(true);
}

/// RFC 5246 section 7.4: the client side of the same rule.
#[test]
fn client_refuses_a_misplaced_message_by_type_before_its_body() {
    misplaced_with_bad_bodies(false);
}

/// RFC 5246 section 7.4.1.1: "This message will be ignored by the client if the client is
/// currently negotiating a session", and HelloRequest is not in the transcript (7.4.9): a
/// HelloRequest before each record of the server's script changes nothing, the handshake
/// completes (its Finished, over a transcript without them, verifies). One with a body is
/// still malformed (decode_error). OpenSSL skips them the same way.
#[test]
fn a_hello_request_mid_handshake_is_ignored() {
    let mut u = client_at(0);
    for (i, step) in server_script().into_iter().enumerate() {
        let hr = framed(i, &hs(HandshakeMessage::hello_request()));
        u.feed(&hr);
        assert_eq!(u.sink.error, None, "HelloRequest before step {i}");
        u.feed(&step);
        assert_eq!(u.sink.error, None, "step {i}");
    }
    assert!(!u.conn().is_handshaking(), "the handshake completed");
    assert_eq!(u.conn().write(b"x"), Ok(1));

    let mut u = client_at(2);
    u.feed(&framed(2, &[0, 0, 0, 1, 0]));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

/// RFC 5246 section 7.4.9: a Finished in place whose verify_data has the wrong length is
/// still malformed (decode_error): the type check comes first, then the body's.
#[test]
fn finished_in_place_with_the_wrong_length_is_decode_error() {
    let mut u = client_at(5);
    u.feed(&fuzz_sealed(
        HANDSHAKE,
        &hs(HandshakeMessage::finished(vec![0; 13])),
    ));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

/// RFC 5246 section 7.4.1.1 and RFC 5746 section 4: the refused renegotiation still works
/// with the type check in front (a ClientHello to an established server, a HelloRequest to
/// an established client: a no_renegotiation warning, and the connection goes on).
#[test]
fn renegotiation_is_still_refused_with_a_warning() {
    for (mut u, request) in [
        (server_at(6), HandshakeMessage::from(client_hello())),
        (client_at(6), HandshakeMessage::hello_request()),
    ] {
        let sent = u.sink.tx.len();
        u.feed(&fuzz_sealed(HANDSHAKE, &hs(request)));
        assert_eq!(u.sink.error, None);
        assert_eq!(
            last_alert(&u.sink.tx[sent..]),
            Some((1, AlertDescription::NO_RENEGOTIATION))
        );
        u.feed(&fuzz_sealed(common::APP_DATA, b"after"));
        assert_eq!(u.sink.app, b"after");
    }
}

/// A malformed ChangeCipherSpec (not the single byte 1) is unexpected_message, as OpenSSL
/// and GnuTLS answer and as RFC 8446 section 5 words it ("An implementation which receives
/// any other change_cipher_spec value ... MUST abort the handshake with an
/// unexpected_message alert"); RFC 5246 section 7.1 defines the one value. Both sides, at
/// the point where a ChangeCipherSpec is expected.
#[test]
fn malformed_change_cipher_spec_is_unexpected_message() {
    for body in [&[][..], &[0], &[2], &[1, 1], &[1, 0, 0]] {
        let mut u = server_at(4);
        u.feed(&record(CCS, body));
        u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
        let mut u = client_at(4);
        u.feed(&record(CCS, body));
        u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
    }
}

// ---------------------------------------------------------------------------------------
// Extended master secret and resumption
// ---------------------------------------------------------------------------------------

/// A ClientHello offering the session the primed fuzzing server has cached.
fn resuming_client_hello(ems: bool) -> Vec<u8> {
    client_hello_with(|ch| {
        ch.session_id = SessionId::new(&RESUMABLE_SESSION_ID).expect("32 bytes");
        if !ems {
            without_ems(ch);
        }
    })
}

/// RFC 7627 section 5.3: "If the original session used the extension but the new
/// ClientHello does not contain it, the server MUST abort the abbreviated handshake":
/// handshake_failure. (With it, the session resumes.)
#[test]
fn resuming_an_ems_session_without_ems_is_handshake_failure() {
    let mut u = Under::forged_server(OPT_CLIENT_AUTH_MANDATORY);
    u.feed(&resuming_client_hello(true));
    assert_eq!(u.sink.error, None);
    assert_eq!(u.server_hello().session_id.as_slice(), RESUMABLE_SESSION_ID);

    let mut u = Under::forged_server(OPT_CLIENT_AUTH_MANDATORY);
    u.feed(&resuming_client_hello(false));
    u.assert_fatal(AlertDescription::HANDSHAKE_FAILURE);
    assert_eq!(u.sent_messages(), [], "no ServerHello before the alert");
}

/// RFC 7627 section 5.3: "If the original session did not use the extension but the new
/// ClientHello contains the extension, then the server MUST NOT perform the abbreviated
/// handshake. Instead, it SHOULD continue with a full handshake". (Without it, the
/// session resumes.)
#[test]
fn resuming_a_session_without_ems_with_ems_is_a_full_handshake() {
    let server = || {
        // The primed session, made without the extended master secret: its encoding is
        // version (1), suite (2), then the EMS flag.
        let primed = fuzzing::server_config(OPT_CLIENT_AUTH_MANDATORY);
        let mut session = primed
            .session_cache
            .as_ref()
            .and_then(|c| c.get(&RESUMABLE_SESSION_ID))
            .expect("the primed session");
        session[3] = 0;
        let decoded = ServerSession::decode(&session).expect("still a session");
        assert!(!decoded.extended_master_secret());
        let cache = LruSessionCache::new(4);
        cache.put(&RESUMABLE_SESSION_ID, session);
        let mut config = fuzzing::server_config(0);
        config.session_cache = Some(Arc::new(cache));
        Under::server_with(config)
    };
    let mut u = server();
    u.feed(&resuming_client_hello(false));
    assert_eq!(u.sink.error, None);
    assert_eq!(u.server_hello().session_id.as_slice(), RESUMABLE_SESSION_ID);

    let mut u = server();
    u.feed(&resuming_client_hello(true));
    assert_eq!(u.sink.error, None);
    let sh = u.server_hello();
    assert_ne!(
        sh.session_id.as_slice(),
        RESUMABLE_SESSION_ID,
        "not resumed"
    );
    assert!(sh.extended_master_secret());
    let types: Vec<HandshakeType> = u.sent_messages().iter().map(|m| m.typ).collect();
    assert_eq!(
        types,
        [
            HandshakeType::SERVER_HELLO,
            HandshakeType::CERTIFICATE,
            HandshakeType::SERVER_KEY_EXCHANGE,
            HandshakeType::SERVER_HELLO_DONE
        ],
        "a full handshake"
    );
}

// ---------------------------------------------------------------------------------------
// Large but valid ClientHellos
// ---------------------------------------------------------------------------------------

/// RFC 5246 section 7.4.1.2 allows up to 2^16 - 2 bytes of cipher suites, 2^8 - 1 of
/// compression methods and 2^16 - 1 of extensions (and section 6.2.1 lets one message
/// span many records): the largest possible ClientHello, 131,396 bytes (OpenSSL's
/// CLIENT_HELLO_MAX_LENGTH), is accepted over as many records as it takes.
#[test]
fn largest_possible_client_hello_is_accepted() {
    let msg = common::largest_client_hello(client_hello());
    for size in [16384, 1000, 333] {
        let mut u = Under::forged_server(0);
        u.feed(&fragmented(HANDSHAKE, &msg, size));
        assert_eq!(u.sink.error, None, "records of {size} bytes");
        assert_eq!(
            u.server_hello().cipher_suite,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        );
    }
}

/// One byte over the ClientHello limit is refused from the message header, before the body
/// is buffered, with illegal_parameter (what OpenSSL sends for an excessive message size);
/// other handshake messages keep the general bound (64 KiB by default), and a client does
/// not take the larger bound at all.
#[test]
fn client_hello_over_the_limit_is_illegal_parameter() {
    let over = tls12::internal::record::MAX_CLIENT_HELLO + 1;
    let len = (over as u32).to_be_bytes();
    let mut u = Under::forged_server(0);
    u.feed(&record(HANDSHAKE, &[1, len[1], len[2], len[3]]));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);

    // A Certificate of 64 KiB + 1 to a server awaiting one.
    let mut u = server_at(1);
    u.feed(&record(HANDSHAKE, &[11, 1, 0, 1]));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);

    // A 100,000-byte message of any type, ClientHello included, to a client.
    for typ in [1, 2] {
        let mut u = client_at(0);
        u.feed(&record(HANDSHAKE, &[typ, 0x01, 0x86, 0xa0]));
        u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
    }
}

// ---------------------------------------------------------------------------------------
// The example server over TCP
// ---------------------------------------------------------------------------------------

/// The example server binary, started on a free port for `conns` connections; returns it
/// and its port (read from its "listening on" line).
fn example_server(conns: u32) -> (ExampleServer, u16) {
    let exe = std::env::current_exe().expect("test binary path");
    // target/debug/deps/conformance-HASH -> target/debug/examples/server
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/debug")
        .join("examples")
        .join("server");
    let pki = format!("{}/tests/data/pki", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(bin)
        .args(["--port", "0", "--max-conns", &conns.to_string()])
        .args(["--timeout", "5"])
        .arg("--cert")
        .arg(format!("{pki}/server-rsa.chain.pem"))
        .arg("--key")
        .arg(format!("{pki}/server-rsa.key.pem"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server example runs");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("a first line");
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (ExampleServer { child, stderr }, port)
}

/// Kills the example server if a test fails before it exits.
struct ExampleServer {
    child: Child,
    stderr: BufReader<std::process::ChildStderr>,
}

impl ExampleServer {
    /// Waits for the server to exit (it serves a fixed number of connections) and returns
    /// what it logged.
    fn finish(mut self) -> String {
        let mut log = String::new();
        let _ = self.stderr.read_to_string(&mut log);
        let _ = self.child.wait();
        log
    }
}

impl Drop for ExampleServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads from `sock` until end of stream, an error (a reset) or the timeout; returns what
/// arrived and whether it ended with a clean end of stream.
fn read_what_arrives(sock: &mut TcpStream) -> (Vec<u8>, bool) {
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match sock.read(&mut buf) {
            Ok(0) => return (got, true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (got, false),
        }
    }
}

/// A client that sends a ClientHello over the limit, and keeps sending it while the server
/// refuses it, gets the illegal_parameter alert and then a clean end of stream, not a TCP
/// reset (which can destroy the alert before it is read): the example server reads and
/// drops what is pending before it closes.
#[test]
fn example_server_alert_for_an_oversized_client_hello_reaches_the_client() {
    let (server, port) = example_server(1);
    let mut sock = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    // The header announces one byte over the limit; then the client sends the rest of its
    // "message" (200 KB) without waiting, so the server's socket holds unread bytes when it
    // gives up.
    let over = (tls12::internal::record::MAX_CLIENT_HELLO as u32 + 1).to_be_bytes();
    let mut body = vec![1, over[1], over[2], over[3]];
    body.resize(200_000, 0);
    let bytes = fragmented(HANDSHAKE, &body, 16384);
    sock.write_all(&bytes).expect("the server reads everything");
    let (got, clean) = read_what_arrives(&mut sock);
    assert_eq!(
        got,
        record(ALERT, &[2, AlertDescription::ILLEGAL_PARAMETER.0]),
        "the fatal alert, and nothing else"
    );
    assert!(clean, "the server closed with a reset");
    drop(sock);
    let log = server.finish();
    assert!(log.contains("failed"), "{log}");
}

/// A real client (this crate's, on ring) connected to the example server over TCP, with
/// the key log to seal records of its own on the client's keys.
struct TcpClient {
    conn: ClientConnection,
    sock: TcpStream,
    sink: Sink,
    keylog: Arc<tls12::crypto::keylog::KeyLogBuffer>,
}

impl TcpClient {
    fn connect(port: u16) -> Self {
        let keylog = Arc::new(tls12::crypto::keylog::KeyLogBuffer::new());
        let mut config = common::client_config();
        config.common.key_log = Some(keylog.clone());
        let conn = ClientConnection::new(Arc::new(config), common::server_name()).expect("valid");
        let sock = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        sock.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("set timeout");
        let mut c = TcpClient {
            conn,
            sock,
            sink: Sink::default(),
            keylog,
        };
        c.flush();
        while c.conn.is_handshaking() {
            assert!(c.read_once(), "the server closed during the handshake");
        }
        c
    }

    /// Drains the connection and sends what it wrote.
    fn flush(&mut self) {
        pump(&mut self.conn, &[], &mut self.sink);
        let tx = std::mem::take(&mut self.sink.tx);
        self.sock.write_all(&tx).expect("send");
        assert_eq!(self.sink.error, None);
    }

    /// One socket read, fed and drained; `false` at end of stream.
    fn read_once(&mut self) -> bool {
        let mut buf = [0u8; 4096];
        let n = self.sock.read(&mut buf).expect("read");
        pump(&mut self.conn, &buf[..n], &mut self.sink);
        assert_eq!(self.sink.error, None);
        let tx = std::mem::take(&mut self.sink.tx);
        self.sock.write_all(&tx).expect("send");
        n > 0
    }

    /// A sealer on the client's write keys (from the key log and the handshake's randoms)
    /// whose next record has sequence number `seq`.
    fn sealer(&self, seq: u64) -> tls12::internal::record::protect::RecordSealer {
        use tls12::crypto::CryptoProvider;
        use tls12::internal::key_schedule::{KeyBlockLayout, MasterSecret};
        let summary = self.conn.handshake_summary().expect("handshake done");
        assert_eq!(
            summary.suite,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        );
        let line = self.keylog.lines().concat();
        let master_hex = line
            .split_whitespace()
            .nth(2)
            .expect("a CLIENT_RANDOM line");
        let master = hex::decode(master_hex).expect("hex");
        let master = MasterSecret::from_bytes(master.try_into().expect("48 bytes"));
        let alg = tls12::crypto::AeadAlgorithm::Aes128Gcm;
        let ring = tls12::crypto::ring::RingProvider;
        let kb = master
            .key_block(
                ring.hmac(tls12::crypto::HashAlgorithm::Sha256),
                &summary.client_random,
                &summary.server_random,
                KeyBlockLayout::aead(alg),
            )
            .expect("key block");
        let keys = kb.client();
        let mut sealer = tls12::internal::record::protect::RecordSealer::new(
            ring.aead(alg).expect("AES-128-GCM"),
            keys.key,
            keys.iv,
        )
        .expect("sealer");
        // The sequence number cannot be set from outside the crate: seal and drop `seq`
        // empty records.
        let mut scratch = vec![0u8; 5 + sealer.overhead()];
        for _ in 0..seq {
            sealer
                .seal_in_place(
                    tls12::internal::codec::enums::ContentType::APPLICATION_DATA,
                    ProtocolVersion::TLS12,
                    &mut scratch,
                    0,
                )
                .expect("seal");
        }
        assert_eq!(sealer.seq(), seq);
        sealer
    }
}

/// `payload` sealed as one record of type `typ`.
fn seal(
    sealer: &mut tls12::internal::record::protect::RecordSealer,
    typ: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut buf = vec![0u8; 5 + sealer.overhead() + payload.len()];
    let at = sealer.payload_offset();
    buf[at..at + payload.len()].copy_from_slice(payload);
    let n = sealer
        .seal_in_place(
            tls12::internal::codec::enums::ContentType(typ),
            ProtocolVersion::TLS12,
            &mut buf,
            payload.len(),
        )
        .expect("seal");
    buf.truncate(n);
    buf
}

/// RFC 5246 section 6.2.1 (application data may be split across records at any point) and
/// RFC 5746 section 4.4 / RFC 5246 section 7.2.2 (a refused renegotiation is a
/// no_renegotiation warning, and the connection goes on): the example server answers once
/// the request head is complete, even when it comes in two parts with a renegotiation
/// attempt (a ClientHello under the connection's keys) between them, and with bare LF
/// line ends.
#[test]
fn example_server_answers_a_request_sent_in_parts_around_a_renegotiation() {
    for (part1, part2) in [
        (&b"GET /parts HTTP/1.1\r\n"[..], &b"Host: x\r\n\r\n"[..]),
        (b"GET /parts HTTP/1.1\nHost:", b" x\n\n"),
    ] {
        let (server, port) = example_server(1);
        let mut c = TcpClient::connect(port);
        // The first part through the connection: application data record 1 (the Finished
        // was record 0).
        assert_eq!(c.conn.write(part1), Ok(part1.len()));
        c.flush();
        std::thread::sleep(Duration::from_millis(200));
        // Then, sealed on the same keys, records 2 to 4: a ClientHello (renegotiation), the
        // rest of the request, and close_notify.
        let mut sealer = c.sealer(2);
        let mut bytes = seal(
            &mut sealer,
            HANDSHAKE,
            &hs(HandshakeMessage::from(client_hello())),
        );
        c.sock.write_all(&bytes).expect("send");
        std::thread::sleep(Duration::from_millis(200));
        bytes = seal(&mut sealer, common::APP_DATA, part2);
        bytes.extend(seal(&mut sealer, ALERT, &[1, 0]));
        c.sock.write_all(&bytes).expect("send");
        while c.read_once() {}
        let events = &c.sink.events;
        let warned = events
            .iter()
            .position(|e| *e == tls12::Event::AlertReceived(AlertDescription::NO_RENEGOTIATION))
            .expect("the no_renegotiation warning");
        assert!(
            events
                .iter()
                .skip(warned)
                .any(|e| *e == tls12::Event::PeerClosed),
            "{events:?}"
        );
        let text = String::from_utf8_lossy(&c.sink.app);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(
            text.contains("request:                GET /parts HTTP/1.1"),
            "{text}"
        );
        let log = server.finish();
        assert!(log.contains("\"GET /parts HTTP/1.1\""), "{log}");
    }
}
