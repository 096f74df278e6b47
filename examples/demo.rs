//! A whole TLS 1.2 connection in memory, printed the way Wireshark shows it.
//!
//! ```text
//! cargo run --example demo
//! cargo run --example demo -- --suite TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
//! cargo run --example demo -- --group secp384r1
//! cargo run --example demo --features rsa-kx -- --rsa-kx
//! cargo run --example demo -- --mutual
//! cargo run --example demo -- --resume
//! cargo run --example demo -- --false-start
//! ```
//!
//! A client and a server of this crate talk through byte buffers: no network, no files (the
//! test certificates are compiled in), a fixed clock. Each flight of bytes is cut into
//! records and printed before the other side reads it: the plaintext handshake message by
//! message, then, once a ChangeCipherSpec has gone by, only encrypted records. After the
//! handshake the client sends an HTTP request and the server answers.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tls12::config::FixedTime;
use tls12::crypto::keylog::KeyLogBuffer;
use tls12::crypto::ring::RingProvider;
use tls12::crypto::{CryptoProvider, KeyKind};
use tls12::internal::codec::enums::{
    CipherSuite, ContentType, HandshakeType, NamedGroup, WireName,
};
use tls12::internal::msgs::trace::Hex;
use tls12::internal::msgs::{HandshakeMessage, HandshakePayload, KxContext, RecordTrace};
use tls12::internal::record::Deframer;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::suites::{ALL_SUITES, SupportedSuite};
use tls12::verify::{RootStore, WebPkiClientVerifier, WebPkiServerVerifier};
use tls12::{
    CertifiedKey, ClientConfig, ClientConnection, Connection, Event, HandshakeSummary, Output,
    ServerConfig, ServerConnection,
};

const USAGE: &str = "\
Usage: cargo run --example demo -- [OPTIONS]

Runs a TLS 1.2 client and server of this crate against each other in memory and prints
every record, Wireshark style, then an HTTP request and response over the connection.

Options:
  --suite NAME    the cipher suite, by IANA name (default: the client offers the usual
                  ECDHE suites and the server, holding an RSA certificate, picks
                  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256); the server's certificate
                  (RSA or ECDSA) is chosen to match
  --group NAME    the ECDHE group: x25519, secp256r1 or secp384r1 (default: x25519)
  --rsa-kx        RSA key exchange (TLS_RSA_WITH_AES_128_GCM_SHA256): no ServerKeyExchange,
                  the client encrypts the pre-master secret to the server's certificate
                  (needs the rsa-kx feature: cargo run --example demo --features rsa-kx)
  --mutual        the server requests and requires a client certificate
  --resume        session resumption: a first connection (not shown) leaves the client
                  a session ticket; the connection shown resumes it (abbreviated
                  handshake: ServerHello, ChangeCipherSpec, Finished)
  --no-tickets    with --resume: resume by session ID instead of a ticket
  --false-start   TLS False Start (RFC 7918): the client sends its request right after
                  its Finished, before the server's
  -h, --help      this text";

/// `println!` that ends the program quietly once stdout is closed (`| head`, `| less`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// The host name the client asks for; it is in the test server certificates.
const SERVER_NAME: &str = "testserver.tls12.test";

/// 2030-03-17, inside the test certificates' validity (2025 to 2045).
const NOW: u64 = 1_900_000_000;

/// The test PKI of tests/data/pki, compiled in.
mod pki {
    pub const CA_RSA: &[u8] = include_bytes!("../tests/data/pki/ca-rsa.crt.der");
    pub const CA_ECDSA: &[u8] = include_bytes!("../tests/data/pki/ca-ecdsa.crt.der");
    pub const SERVER_RSA: &[u8] = include_bytes!("../tests/data/pki/server-rsa.crt.der");
    pub const SERVER_RSA_KEY: &[u8] = include_bytes!("../tests/data/pki/server-rsa.key.der");
    pub const SERVER_P256: &[u8] = include_bytes!("../tests/data/pki/server-p256.crt.der");
    pub const SERVER_P256_KEY: &[u8] = include_bytes!("../tests/data/pki/server-p256.key.der");
    pub const CLIENT_RSA: &[u8] = include_bytes!("../tests/data/pki/client-rsa.crt.der");
    pub const CLIENT_RSA_KEY: &[u8] = include_bytes!("../tests/data/pki/client-rsa.key.der");
}

/// What the command line asked for.
#[derive(Debug, Default)]
struct Options {
    suite: Option<&'static SupportedSuite>,
    group: Option<NamedGroup>,
    mutual: bool,
    resume: bool,
    no_tickets: bool,
    false_start: bool,
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(code) => return code,
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, ExitCode> {
    use lexopt::prelude::*;
    fn usage_error(msg: &str) -> ExitCode {
        eprintln!("error: {msg}\n\n{USAGE}");
        ExitCode::from(2)
    }
    /// The value of the option just read; `missing` is the error without one.
    fn value(args: &mut lexopt::Parser, missing: &str) -> Result<String, ExitCode> {
        let value = args.value().map_err(|_| usage_error(missing))?;
        value.string().map_err(|e| usage_error(&e.to_string()))
    }
    let mut args = lexopt::Parser::from_args(args);
    let mut o = Options::default();
    while let Some(arg) = args.next().map_err(|e| usage_error(&e.to_string()))? {
        match arg {
            Short('h') | Long("help") => {
                say!("{USAGE}");
                return Err(ExitCode::SUCCESS);
            }
            Long("suite") => {
                let name = value(&mut args, "--suite needs a name")?;
                o.suite = Some(find_suite(&name).ok_or_else(|| {
                    let known: Vec<String> =
                        cert_suites().map(|s| format!("  {}", s.suite)).collect();
                    usage_error(&format!(
                        "unknown or unimplemented suite {name}; implemented:\n{}",
                        known.join("\n")
                    ))
                })?);
            }
            Long("group") => {
                let name = value(&mut args, "--group needs a name")?;
                o.group = Some(match name.as_str() {
                    "x25519" => NamedGroup::X25519,
                    "secp256r1" => NamedGroup::SECP256R1,
                    "secp384r1" => NamedGroup::SECP384R1,
                    _ => return Err(usage_error(&format!("unknown group {name}"))),
                });
            }
            Long("rsa-kx") => {
                if !cfg!(feature = "rsa-kx") {
                    return Err(usage_error(
                        "--rsa-kx needs the rsa-kx feature (off by default): \
                         cargo run --example demo --features rsa-kx -- --rsa-kx",
                    ));
                }
                o.suite = SupportedSuite::find(CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256);
            }
            Long("mutual") => o.mutual = true,
            Long("resume") => o.resume = true,
            Long("no-tickets") => o.no_tickets = true,
            Long("false-start") => o.false_start = true,
            Long(flag) => return Err(usage_error(&format!("unknown option --{flag}"))),
            Short(flag) => return Err(usage_error(&format!("unknown option -{flag}"))),
            Value(arg) => {
                let arg = arg.to_string_lossy();
                return Err(usage_error(&format!("unknown option {arg}")));
            }
        }
    }
    Ok(o)
}

/// An implemented certificate suite by its IANA name (the demo has no PSK).
fn find_suite(name: &str) -> Option<&'static SupportedSuite> {
    cert_suites().find(|s| s.suite.name() == Some(name))
}

fn cert_suites() -> impl Iterator<Item = &'static SupportedSuite> {
    ALL_SUITES.iter().filter(|s| s.auth.is_some())
}

// ---- Configuration ----

fn certificate(der: &'static [u8]) -> CertificateDer<'static> {
    CertificateDer::from(der)
}

fn certified_key(cert: &'static [u8], key: &'static [u8], ca: &'static [u8]) -> CertifiedKey {
    let key = PrivateKeyDer::try_from(key).expect("the embedded test key is PKCS#8 DER");
    let key = RingProvider
        .load_private_key(key)
        .expect("ring loads the embedded test key");
    CertifiedKey::new(vec![certificate(cert), certificate(ca)], key)
        .expect("the chain is not empty")
}

fn roots() -> Arc<RootStore> {
    let cas = [certificate(pki::CA_RSA), certificate(pki::CA_ECDSA)];
    Arc::new(RootStore::from_certs(&cas).expect("the embedded CA certificates parse"))
}

/// The client and server configurations, and the key log the client writes to.
fn configs(o: &Options) -> Result<(ClientConfig, ServerConfig, Arc<KeyLogBuffer>), tls12::Error> {
    let provider: Arc<dyn CryptoProvider> = Arc::new(RingProvider);
    let time = Arc::new(FixedTime(UnixTime::since_unix_epoch(Duration::from_secs(
        NOW,
    ))));
    let key_log = Arc::new(KeyLogBuffer::new());

    let verifier = Arc::new(WebPkiServerVerifier::new(
        roots(),
        *provider.signature_verification(),
    ));
    let mut client = ClientConfig::new(provider.clone(), verifier);

    // The server holds the certificate the suite needs: RSA unless the suite is ECDSA.
    let server_key = match o.suite.and_then(|s| s.auth) {
        Some(KeyKind::Ecdsa) => {
            certified_key(pki::SERVER_P256, pki::SERVER_P256_KEY, pki::CA_ECDSA)
        }
        _ => certified_key(pki::SERVER_RSA, pki::SERVER_RSA_KEY, pki::CA_RSA),
    };
    let mut server = ServerConfig::new(provider.clone(), vec![server_key]);

    if o.mutual {
        server.client_verifier = Some(Arc::new(WebPkiClientVerifier::new(
            roots(),
            *provider.signature_verification(),
            true,
        )));
        client.client_cert = Some(certified_key(
            pki::CLIENT_RSA,
            pki::CLIENT_RSA_KEY,
            pki::CA_RSA,
        ));
    }

    for common in [&mut client.common, &mut server.common] {
        common.time = time.clone();
        common.message_events = true; // to show the Finished messages once decrypted
        common.alpn_protocols = vec![b"http/1.1".to_vec()];
        if let Some(suite) = o.suite {
            common.set_suites(&[suite.suite])?;
        }
        if let Some(group) = o.group {
            common.groups = vec![group];
        }
    }
    client.common.key_log = Some(key_log.clone());
    client.false_start = o.false_start;
    client.enable_tickets = !o.no_tickets;
    Ok((client, server, key_log))
}

// ---- Driving the two connections ----

/// Everything a connection produced after being fed.
#[derive(Default)]
struct Drained {
    /// Bytes to send to the peer.
    tx: Vec<u8>,
    /// Decrypted application data.
    app: Vec<u8>,
    events: Vec<Event>,
}

/// Feeds `input` to `conn` and drains it until idle (the crate's drive contract).
fn feed(conn: &mut Connection, mut input: &[u8]) -> Result<Drained, tls12::Error> {
    let mut out = Drained::default();
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let used = conn.handle_input(input)?;
        input = &input[used..];
        loop {
            match conn.poll_output(&mut buf)? {
                Output::Transmit(bytes) => out.tx.extend_from_slice(bytes),
                Output::ApplicationData(data) => out.app.extend_from_slice(data),
                Output::Event(event) => out.events.push(event),
                Output::Idle => break,
                _ => {}
            }
        }
        if input.is_empty() {
            return Ok(out);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    ClientToServer,
    ServerToClient,
}

impl Dir {
    fn arrow(self) -> &'static str {
        match self {
            Dir::ClientToServer => "client → server",
            Dir::ServerToClient => "server → client",
        }
    }

    fn receiver(self) -> &'static str {
        match self {
            Dir::ClientToServer => "server",
            Dir::ServerToClient => "client",
        }
    }

    fn reverse(self) -> Dir {
        match self {
            Dir::ClientToServer => Dir::ServerToClient,
            Dir::ServerToClient => Dir::ClientToServer,
        }
    }
}

/// What the demo knows about the bytes on the wire, as an observer would: how to read key
/// exchange messages, and for each direction its records and whether they are encrypted yet.
struct Wire {
    flights: usize,
    kx: KxContext,
    to_server: Stream,
    to_client: Stream,
}

/// One direction of the connection.
struct Stream {
    deframer: Deframer,
    encrypted: bool,
}

impl Stream {
    fn new() -> Self {
        Self {
            deframer: Deframer::new(),
            encrypted: false,
        }
    }
}

impl Wire {
    fn new() -> Self {
        Self {
            flights: 0,
            kx: KxContext::Unknown,
            to_server: Stream::new(),
            to_client: Stream::new(),
        }
    }

    /// Prints one flight record by record.
    fn show(&mut self, dir: Dir, mut bytes: &[u8]) {
        self.flights += 1;
        say!();
        say!(
            "════ Flight {}: {} ({} bytes) ════",
            self.flights,
            dir.arrow(),
            bytes.len()
        );
        let stream = match dir {
            Dir::ClientToServer => &mut self.to_server,
            Dir::ServerToClient => &mut self.to_client,
        };
        while !bytes.is_empty() {
            let taken = stream.deframer.feed(bytes);
            bytes = &bytes[taken..];
            while let Some(record) = stream.deframer.next_record().expect("our records deframe") {
                if stream.encrypted {
                    say!("{}", RecordTrace::encrypted(record.header, record.payload));
                    continue;
                }
                // Learn the key exchange from the ServerHello, as Wireshark does, to read
                // the ServerKeyExchange and ClientKeyExchange that follow.
                if let Some(kx) = negotiated_kx(record.payload) {
                    self.kx = kx;
                }
                say!(
                    "{}",
                    RecordTrace::plaintext(record.header, record.payload, self.kx)
                );
                if record.header.typ == ContentType::CHANGE_CIPHER_SPEC {
                    let arrow = dir.arrow().replace(' ', "");
                    say!("--- from here on, {arrow} records are encrypted ---");
                    stream.encrypted = true;
                }
            }
        }
    }
}

/// The key exchange of the suite a ServerHello selects, if `record` holds one (this
/// crate sends each handshake message in its own record).
fn negotiated_kx(record: &[u8]) -> Option<KxContext> {
    let msg = HandshakeMessage::decode_with(record, KxContext::Unknown).ok()?;
    let HandshakePayload::ServerHello(hello) = msg.payload else {
        return None;
    };
    Some(KxContext::from(
        SupportedSuite::find(hello.cipher_suite)?.kx,
    ))
}

/// Prints what the receiver of a flight noticed.
fn show_events(who: &str, events: &[Event]) {
    for event in events {
        match event {
            Event::HandshakeMessageReceived(m) if m.typ == HandshakeType::FINISHED => {
                say!("    ({who} decrypts the Encrypted Handshake Message: it is this Finished)");
                for line in m.to_string().lines() {
                    say!("    {line}");
                }
            }
            Event::HandshakeComplete(_) => say!("    (the {who} has completed the handshake)"),
            Event::PeerClosed => {
                say!("    (the {who} decrypts it: close_notify, the peer has closed)")
            }
            Event::AlertReceived(d) => say!(
                "    (the {who} received a warning alert: {})",
                d.wire_name()
            ),
            _ => {}
        }
    }
}

/// A whole handshake between fresh connections, not shown: it leaves a session in the
/// client's store and the server's cache (the configurations share them).
fn first_connection(
    client_config: &Arc<ClientConfig>,
    server_config: &Arc<ServerConfig>,
    server_name: &ServerName<'static>,
) -> Result<(), tls12::Error> {
    let mut client = ClientConnection::new(client_config.clone(), server_name.clone())?;
    let mut server = ServerConnection::new(server_config.clone())?;
    let mut bytes = feed(&mut client, &[])?.tx;
    let mut to_server = true;
    while !bytes.is_empty() {
        let receiver: &mut Connection = if to_server { &mut server } else { &mut client };
        bytes = feed(receiver, &bytes)?.tx;
        to_server = !to_server;
    }
    if client.is_handshaking() {
        return Err(tls12::Error::Api("the first handshake did not complete"));
    }
    Ok(())
}

fn run(o: &Options) -> Result<(), tls12::Error> {
    let (client_config, server_config, key_log) = configs(o)?;
    let (client_config, server_config) = (Arc::new(client_config), Arc::new(server_config));
    let server_name = ServerName::try_from(SERVER_NAME).expect("a valid DNS name");
    say!("TLS 1.2 in memory: a client and a server of this crate, every record shown.");
    if o.resume {
        first_connection(&client_config, &server_config, &server_name)?;
        let how = if o.no_tickets {
            "the session ID the server chose (the server keeps the session in its cache)"
        } else {
            "the session ticket the server sent (the session, sealed with the server's key)"
        };
        say!();
        say!("════ Connection 1 (not shown): a full handshake ════");
        say!("The client kept {how}; the connection below offers it in its ClientHello.");
    }
    let mut client = ClientConnection::new(client_config, server_name)?;
    let mut server = ServerConnection::new(server_config)?;
    let mut wire = Wire::new();

    let request = format!("GET /26-1 HTTP/1.1\r\nHost: {SERVER_NAME}\r\n\r\n");
    if o.false_start {
        // Queued now; False Start sends it right behind the client's Finished.
        client.write(request.as_bytes())?;
        say!("(False Start: the client queued its HTTP request before the handshake; it");
        say!(" goes out encrypted right after the client's Finished, before the server's)");
    }

    // The handshake: flights go back and forth until neither side has anything to say.
    let mut dir = Dir::ClientToServer;
    let mut bytes = feed(&mut client, &[])?.tx; // the ClientHello
    while !bytes.is_empty() {
        let receiver: &mut Connection = match dir {
            Dir::ClientToServer => &mut server,
            Dir::ServerToClient => &mut client,
        };
        bytes = deliver(&mut wire, dir, &bytes, receiver)?;
        dir = dir.reverse();
    }
    let (Some(summary), Some(server_summary)) =
        (client.handshake_summary(), server.handshake_summary())
    else {
        return Err(tls12::Error::Api("the handshake did not complete"));
    };
    show_secrets(summary, &key_log);
    show_summary(summary, server_summary);
    let suite = summary.suite;

    // HTTP over the connection: the request and the response travel encrypted.
    if !o.false_start {
        client.write(request.as_bytes())?;
        let bytes = feed(&mut client, &[])?.tx;
        deliver(&mut wire, Dir::ClientToServer, &bytes, &mut server)?;
    }

    let body = format!("Hello over TLS 1.2 with {suite}\n");
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    server.write(response.as_bytes())?;
    let bytes = feed(&mut server, &[])?.tx;
    deliver(&mut wire, Dir::ServerToClient, &bytes, &mut client)?;

    // Closing: each side sends close_notify, an encrypted alert.
    client.close()?;
    let bytes = feed(&mut client, &[])?.tx;
    deliver(&mut wire, Dir::ClientToServer, &bytes, &mut server)?;
    server.close()?;
    let bytes = feed(&mut server, &[])?.tx;
    deliver(&mut wire, Dir::ServerToClient, &bytes, &mut client)?;
    Ok(())
}

/// Shows one flight, hands it to `receiver`, shows what the receiver made of it, and
/// returns the receiver's answer.
fn deliver(
    wire: &mut Wire,
    dir: Dir,
    bytes: &[u8],
    receiver: &mut Connection,
) -> Result<Vec<u8>, tls12::Error> {
    wire.show(dir, bytes);
    let out = feed(receiver, bytes)?;
    show_events(dir.receiver(), &out.events);
    if !out.app.is_empty() {
        say!(
            "    (the {} decrypts it: {} bytes of application data)",
            dir.receiver(),
            out.app.len()
        );
        show_text(&out.app);
    }
    Ok(out.tx)
}

/// The client random, the server random and the master secret made from them.
fn show_secrets(s: &HandshakeSummary, key_log: &KeyLogBuffer) {
    say!();
    say!("════ Three random values → one master secret ════");
    say!("Client Random: {:#}", Hex(&s.client_random));
    say!("               sent in clear in the ClientHello");
    say!("Server Random: {:#}", Hex(&s.server_random));
    say!("               sent in clear in the ServerHello");
    if s.resumed {
        say!("Pre-Master:    none: this handshake resumed a session, so there is no key");
        say!("               exchange and no certificate; the master secret is the one of");
        say!("               the first connection, and fresh keys come from the new randoms");
    } else if s.group.is_some() {
        say!("Pre-Master:    never on the wire, and not exposed by this crate: each side");
        say!("               computes it inside the ECDHE key exchange, from its own private");
        say!("               key and the other side's Pubkey (Server/Client Params above)");
    } else {
        say!("Pre-Master:    48 random bytes from the client, sent encrypted to the server's");
        say!("               RSA key (the Encrypted PreMaster above); only the server can");
        say!("               decrypt them. Not exposed by this crate");
    }
    if s.resumed {
        say!("Master Secret: the resumed session's (key block = PRF(master secret, \"key");
        say!("               expansion\", server random + client random) with the new randoms)");
    } else if s.extended_master_secret {
        say!("Master Secret: PRF(pre-master, \"extended master secret\", hash of the handshake");
        say!("               messages up to the ClientKeyExchange, randoms included) (RFC 7627)");
    } else {
        say!("Master Secret: PRF(pre-master, \"master secret\", client random + server random)");
    }
    say!("Key log line (NSS format, for Wireshark's \"(Pre)-Master-Secret log filename\"):");
    say!("CLIENT_RANDOM <client random> <master secret>");
    // With --resume the first connection logged a line too: show this connection's.
    let mine = format!("CLIENT_RANDOM {}", Hex(&s.client_random));
    for line in key_log.lines() {
        if line
            .to_ascii_lowercase()
            .starts_with(&mine.to_ascii_lowercase())
        {
            say!("{}", line.trim_end());
        }
    }
}

fn show_summary(client: &HandshakeSummary, server: &HandshakeSummary) {
    say!();
    say!("════ Negotiated ════");
    say!("Version: {}", client.version.wire_name());
    if client.resumed {
        say!("Resumed: yes (abbreviated handshake)");
    }
    say!("Cipher Suite: {}", client.suite.wire_name());
    match client.group {
        Some(g) => say!("Key Exchange: ECDHE over {}", g.wire_name()),
        None if client.resumed => say!("Key Exchange: none (the session's master secret)"),
        None => say!("Key Exchange: RSA (no ServerKeyExchange)"),
    }
    if let Some(scheme) = client.signature_scheme {
        say!("ServerKeyExchange Signature: {}", scheme.wire_name());
    }
    say!(
        "Extended Master Secret: {}",
        if client.extended_master_secret {
            "yes"
        } else {
            "no"
        }
    );
    if let Some(alpn) = &client.alpn {
        say!("ALPN: {}", String::from_utf8_lossy(alpn));
    }
    if let Some(name) = &client.server_name {
        say!("Server Name: {name}");
    }
    let when = if client.resumed {
        "in the first connection"
    } else {
        "just now"
    };
    say!(
        "Server certificate chain: {} certificates (the client verified it {when})",
        client.peer_certificates.len()
    );
    if !server.peer_certificates.is_empty() {
        say!(
            "Client certificate chain: {} certificates (the server verified it {when})",
            server.peer_certificates.len()
        );
    }
}

/// Application data, line by line, with the CRLFs made visible.
fn show_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.split_inclusive('\n') {
        say!("        {}", line.replace('\r', "\\r").replace('\n', "\\n"));
    }
}
