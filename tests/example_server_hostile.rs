//! `examples/server` (the binary `cargo test` builds) over TCP, against a stream of hostile
//! clients whose ClientHello names a 300-byte host (the input that used to crash the
//! server process once the handshake finished). Each gets the fatal unrecognized_name
//! alert; the process keeps running and then serves an ordinary client of this crate.

mod common;

use common::KillOnDrop;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tls12::internal::codec::Codec;
use tls12::internal::codec::enums::{
    CipherSuite, CompressionMethod, ECPointFormat, NamedGroup, ProtocolVersion, SignatureScheme,
};
use tls12::internal::msgs::{ClientExtension, ClientHello, HandshakeMessage, Random, SessionId};
use tls12::{ClientConnection, Output};

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");
const HOSTILE: usize = 50;

fn hostile_client_hello() -> Vec<u8> {
    let name = format!("{}.example", "a".repeat(292));
    assert_eq!(name.len(), 300);
    let ch = ClientHello {
        version: ProtocolVersion::TLS12,
        random: Random([1; 32]),
        session_id: SessionId::EMPTY,
        cipher_suites: vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
        compression_methods: vec![CompressionMethod::NULL],
        extensions: Some(vec![
            ClientExtension::host_name(name.as_bytes()),
            ClientExtension::SupportedGroups(vec![NamedGroup::X25519]),
            ClientExtension::EcPointFormats(vec![ECPointFormat::UNCOMPRESSED]),
            ClientExtension::SignatureAlgorithms(vec![SignatureScheme::RSA_PSS_RSAE_SHA256]),
            ClientExtension::ExtendedMasterSecret,
            ClientExtension::SessionTicket(Vec::new()),
        ]),
    };
    common::record(22, &HandshakeMessage::from(ch).to_bytes().unwrap())
}

/// One ordinary HTTPS request with this crate's client over a blocking socket.
fn fetch(addr: &str) -> String {
    let mut sock = TcpStream::connect(addr).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut conn = ClientConnection::new(Arc::new(common::client_config()), common::server_name())
        .expect("client");
    let mut buf = vec![0u8; 32 * 1024];
    let mut rx = vec![0u8; 32 * 1024];
    let mut response = Vec::new();
    let mut sent_request = false;
    loop {
        loop {
            match conn.poll_output(&mut buf).expect("client output") {
                Output::Transmit(b) => sock.write_all(b).expect("write"),
                Output::ApplicationData(d) => response.extend_from_slice(d),
                Output::Idle => break,
                _ => {}
            }
        }
        if !conn.is_handshaking() && !sent_request {
            conn.write(b"GET /after-hostile HTTP/1.1\r\nHost: x\r\n\r\n")
                .expect("request");
            sent_request = true;
            continue;
        }
        if conn.peer_closed() {
            break;
        }
        let n = sock.read(&mut rx).expect("read");
        if n == 0 {
            break;
        }
        let mut input = &rx[..n];
        while !input.is_empty() {
            let used = conn.handle_input(input).expect("client input");
            input = &input[used..];
            if used == 0 {
                break;
            }
        }
        if String::from_utf8_lossy(&response).contains("after-hostile") {
            break;
        }
    }
    String::from_utf8(response).expect("text")
}

#[test]
fn the_example_server_survives_a_stream_of_300_byte_host_names() {
    let child = Command::new(common::example_binary("server"))
        .args(["--port", "0", "--max-conns"])
        .arg((HOSTILE + 1).to_string())
        .args(["--cert", &format!("{PKI}/server-rsa.chain.pem")])
        .args(["--key", &format!("{PKI}/server-rsa.key.pem")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server example runs");
    let mut server = KillOnDrop(child);
    let mut err = BufReader::new(server.0.stderr.take().expect("stderr"));
    let mut addr = String::new();
    let mut line = String::new();
    while err.read_line(&mut line).expect("server log") > 0 {
        if let Some(a) = line.trim().strip_prefix("listening on ") {
            addr = a.to_string();
            break;
        }
        line.clear();
    }
    assert!(!addr.is_empty(), "the server printed its address");
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));

    let hello = hostile_client_hello();
    for i in 0..HOSTILE {
        let mut sock = TcpStream::connect(&addr).expect("connect");
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        sock.write_all(&hello).expect("send the hostile hello");
        let mut reply = Vec::new();
        let _ = sock.read_to_end(&mut reply);
        // A plaintext fatal unrecognized_name alert (RFC 6066 section 3).
        assert_eq!(reply, [21, 3, 3, 0, 2, 2, 112], "client {i}");
        assert!(
            server.0.try_wait().expect("status").is_none(),
            "the server exited after hostile client {i}"
        );
    }

    let page = fetch(&addr);
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    let status = server.0.wait().expect("the server exits after --max-conns");
    assert!(status.success(), "{status:?}");
}
