//! Recorded handshakes between this crate and OpenSSL, replayed byte for byte.
//!
//! Each file in `tests/data/transcripts/` holds one recorded connection (format:
//! `src/transcript.rs`). Replaying it builds our side with the [`TestProvider`] the file
//! describes, feeds it OpenSSL's recorded records and checks that our side sends exactly the
//! recorded records, completes the handshake, and receives the peer's data. No OpenSSL is
//! needed to replay; any change in what we put on the wire shows as a failing diff that
//! names the record. `record_transcripts` (ignored; it needs `openssl`) records them again:
//!
//! ```text
//! cargo test --all-features --test transcript_replay -- --ignored record_transcripts
//! ```
//!
//! [`TestProvider`]: tls12::crypto::test_provider::TestProvider

#[path = "common/openssl.rs"]
mod openssl;
#[path = "common/replay.rs"]
mod replay;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openssl::Proc;
use replay::{Built, Driver, Replayed, TRANSCRIPT_DIR, build, load};
use tls12::crypto::keylog::KeyLogBuffer;
use tls12::internal::codec::enums::{CipherSuite, ContentType, NamedGroup, SignatureScheme};
use tls12::transcript::{Direction, Record, RecordSplitter, Transcript, TranscriptConnection};

/// Replays `name` and checks what every replay must show, plus the suite and group.
fn replays(name: &str, suite: CipherSuite, group: Option<NamedGroup>) -> Replayed {
    let t = load(name);
    let r = replay::replay(&t).unwrap_or_else(|diff| panic!("{name}: {diff}"));
    assert_eq!(r.summaries.len(), t.connections.len());
    let s = &r.summaries[0];
    assert_eq!(s.suite, suite, "{name}: negotiated suite");
    assert_eq!(s.group, group, "{name}: negotiated group");
    assert!(r.compared[0] >= 3, "{name}: our records were compared");
    assert!(
        !r.app[0].is_empty(),
        "{name}: the peer's application data arrived"
    );
    r
}

#[test]
fn client_ecdhe_rsa_against_s_server_replays_byte_exactly() {
    let r = replays(
        "client-ecdhe-rsa-aes128gcm-x25519.transcript",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        Some(NamedGroup::X25519),
    );
    assert!(
        r.app[0].starts_with(b"HTTP/1.0 200 ok"),
        "s_server -www answered"
    );
}

#[test]
fn server_ecdhe_rsa_against_s_client_replays_byte_exactly() {
    let r = replays(
        "server-ecdhe-rsa-aes256gcm-secp384r1.transcript",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        Some(NamedGroup::SECP384R1),
    );
    assert_eq!(r.app[0], S_CLIENT_SAYS);
}

#[test]
fn client_ecdhe_ecdsa_against_s_server_replays_byte_exactly() {
    replays(
        "client-ecdhe-ecdsa-aes128gcm-secp256r1.transcript",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        Some(NamedGroup::SECP256R1),
    );
}

#[test]
fn server_ecdhe_ecdsa_p256_against_s_client_replays_byte_exactly() {
    let r = replays(
        "server-ecdhe-ecdsa-aes128gcm-x25519.transcript",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        Some(NamedGroup::X25519),
    );
    assert_eq!(
        r.summaries[0].signature_scheme,
        Some(SignatureScheme::ECDSA_SECP256R1_SHA256),
        "our ServerKeyExchange is signed with ECDSA (deterministically, or it would not replay)"
    );
}

#[test]
fn server_ecdhe_ecdsa_p384_against_s_client_replays_byte_exactly() {
    let r = replays(
        "server-ecdhe-ecdsa-aes256gcm-secp384r1.transcript",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        Some(NamedGroup::SECP384R1),
    );
    assert_eq!(
        r.summaries[0].signature_scheme,
        Some(SignatureScheme::ECDSA_SECP384R1_SHA384)
    );
}

#[test]
fn client_chacha20_against_s_server_replays_byte_exactly() {
    replays(
        "client-ecdhe-ecdsa-chacha20-x25519.transcript",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        Some(NamedGroup::X25519),
    );
}

#[test]
fn server_chacha20_against_s_client_replays_byte_exactly() {
    replays(
        "server-ecdhe-rsa-chacha20-x25519.transcript",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        Some(NamedGroup::X25519),
    );
}

#[test]
fn client_rsa_key_exchange_against_s_server_replays_byte_exactly() {
    replays(
        "client-rsa-aes128gcm.transcript",
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        None,
    );
}

#[test]
fn server_rsa_key_exchange_against_s_client_replays_byte_exactly() {
    replays(
        "server-rsa-aes256gcm.transcript",
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
        None,
    );
}

#[test]
fn client_mutual_auth_against_s_server_replays_byte_exactly() {
    let r = replays(
        "client-mutual-rsa-ecdhe-rsa-aes128gcm.transcript",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        Some(NamedGroup::X25519),
    );
    // s_server -www reports the client certificate it verified.
    let page = String::from_utf8_lossy(&r.app[0]);
    assert!(page.contains("Client certificate"), "{page}");
}

#[test]
fn client_mutual_auth_with_ecdsa_against_s_server_replays_byte_exactly() {
    let r = replays(
        "client-mutual-ecdsa-ecdhe-ecdsa-aes128gcm.transcript",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        Some(NamedGroup::X25519),
    );
    let page = String::from_utf8_lossy(&r.app[0]);
    assert!(page.contains("Client certificate"), "{page}");
}

#[test]
fn server_mutual_auth_against_s_client_replays_byte_exactly() {
    let r = replays(
        "server-mutual-ecdhe-rsa-aes128gcm.transcript",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        Some(NamedGroup::X25519),
    );
    // s_client sends its end-entity certificate only (no -cert_chain).
    assert_eq!(
        r.summaries[0].peer_certificates.len(),
        1,
        "s_client's certificate was received and verified"
    );
}

/// Replays a two-connection resumption transcript: a full handshake, then an abbreviated
/// one, each side's bytes exact.
fn resumes(name: &str, suite: CipherSuite) -> Replayed {
    let t = load(name);
    assert_eq!(t.connections.len(), 2, "{name}: two connections");
    let r = replay::replay(&t).unwrap_or_else(|diff| panic!("{name}: {diff}"));
    assert!(
        !r.summaries[0].resumed,
        "{name}: the first handshake is full"
    );
    assert!(r.summaries[1].resumed, "{name}: the second one resumes");
    for s in &r.summaries {
        assert_eq!(s.suite, suite, "{name}");
    }
    assert!(
        !r.app[1].is_empty(),
        "{name}: data over the resumed connection"
    );
    // An abbreviated handshake sends no Certificate: fewer of our records.
    assert!(r.compared[1] < r.compared[0], "{name}: {:?}", r.compared);
    r
}

#[test]
fn client_resumes_with_a_ticket_from_s_server_byte_exactly() {
    resumes(
        "client-resume-ticket-ecdhe-rsa-aes128gcm.transcript",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    );
}

#[test]
fn client_resumes_by_session_id_with_s_server_byte_exactly() {
    resumes(
        "client-resume-session-id-ecdhe-ecdsa-aes128gcm.transcript",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    );
}

#[test]
fn server_resumes_s_client_with_our_ticket_byte_exactly() {
    resumes(
        "server-resume-ticket-ecdhe-ecdsa-aes128gcm.transcript",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    );
}

#[test]
fn server_resumes_s_client_by_session_id_byte_exactly() {
    resumes(
        "server-resume-session-id-ecdhe-rsa-aes256gcm.transcript",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    );
}

/// Every file in the directory replays, including ones no test above names, and logs the
/// master secrets recorded in its `.keylog` (which the dissector tests decrypt with).
#[test]
fn every_recorded_transcript_replays() {
    let mut names: Vec<String> = std::fs::read_dir(TRANSCRIPT_DIR)
        .expect("transcript directory")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".transcript"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 16,
        "the recorded transcripts are present: {names:?}"
    );
    for name in names {
        let t = load(&name);
        let key_log = Arc::new(KeyLogBuffer::new());
        if let Err(diff) = replay::replay_with_key_log(&t, Some(key_log.clone())) {
            panic!("{name}: {diff}");
        }
        let keylog_file = format!(
            "{TRANSCRIPT_DIR}/{}",
            name.replace(".transcript", ".keylog")
        );
        let recorded = std::fs::read_to_string(&keylog_file).expect("a key log per transcript");
        assert_eq!(key_log.contents(), recorded, "{keylog_file}");
    }
}

/// A change in what our side sends is a failing diff naming the record: here the recorded
/// ClientHello's random no longer matches what the provider gives.
#[test]
fn a_changed_random_fails_with_a_diff_naming_the_client_hello() {
    let mut t = load("client-ecdhe-rsa-aes128gcm-x25519.transcript");
    let random = t
        .fields
        .iter_mut()
        .find(|(k, _)| k == "random")
        .expect("a queued random");
    random.1 = "ff".repeat(32);
    let diff = replay::replay(&t).expect_err("the ClientHello differs");
    assert!(
        diff.contains("our record 1 (c2s) differs from the transcript at byte 11"),
        "{diff}"
    );
    assert!(diff.contains("Handshake Protocol: Client Hello"), "{diff}");
}

/// A recorded record of ours that our side no longer sends is reported as missing.
#[test]
fn a_record_we_no_longer_send_is_reported_missing() {
    let mut t = load("server-rsa-aes256gcm.transcript");
    let extra = Record {
        dir: Direction::ServerToClient,
        bytes: vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00],
    };
    t.connections[0].records.push(extra);
    let diff = replay::replay(&t).expect_err("one record too many in the transcript");
    assert!(diff.contains("the first missing one"), "{diff}");
}

/// A tampered peer record is refused, and the error names it.
#[test]
fn a_tampered_peer_record_is_refused() {
    let mut t = load("client-ecdhe-ecdsa-aes128gcm-secp256r1.transcript");
    // The server's Finished: the last handshake-type record the server sent.
    let rec = t.connections[0]
        .records
        .iter_mut()
        .rfind(|r| r.dir == Direction::ServerToClient && r.bytes[0] == ContentType::HANDSHAKE.0)
        .expect("the server's encrypted Finished");
    let last = rec.bytes.len() - 1;
    rec.bytes[last] ^= 1;
    let err = replay::replay(&t).expect_err("a bad tag is refused");
    assert!(err.contains("refused the peer's record"), "{err}");
    assert!(err.contains("bad_record_mac"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Recording.

/// What s_client writes in the server transcripts (then it closes).
const S_CLIENT_SAYS: &[u8] = b"hello from openssl s_client\n";
/// What our client asks s_server -www for.
const GET: &[u8] = b"GET / HTTP/1.0\r\n\r\n";
const SERVER_NAME: &str = "testserver.tls12.test";
/// 2030-03-17: inside the test PKI's validity.
const TIME: u64 = 1_900_000_000;

struct Case {
    name: &'static str,
    /// Connections in a row over one configuration: `s_server -naccept N` for our client;
    /// for our server, one `s_client -sess_out` then `s_client -sess_in`. The later ones
    /// resume the first one's session.
    connections: usize,
    ours: &'static [(&'static str, &'static str)],
    peer: &'static [&'static str],
}

/// Client cases: our client against `s_server -www`. Our side never signs with a
/// randomized scheme (ring's PSS is; the TestProvider's ECDSA is RFC 6979), so every byte
/// we send is reproducible: the RSA mutual-auth client is asked for rsa_pkcs1_sha256.
const CLIENT_CASES: &[Case] = &[
    Case {
        name: "client-ecdhe-rsa-aes128gcm-x25519",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            ("groups", "x25519"),
            ("ca", "ca-rsa.crt.pem"),
        ],
        peer: &["-cert", "server-rsa.crt.pem", "-key", "server-rsa.key.pem"],
    },
    Case {
        name: "client-ecdhe-ecdsa-aes128gcm-secp256r1",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            ("groups", "secp256r1"),
            ("ca", "ca-ecdsa.crt.pem"),
        ],
        peer: &[
            "-cert",
            "server-p256.crt.pem",
            "-key",
            "server-p256.key.pem",
        ],
    },
    Case {
        name: "client-ecdhe-ecdsa-chacha20-x25519",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            // The P-256 certificate's curve must be in supported_groups (RFC 8422 5.3).
            ("groups", "x25519,secp256r1"),
            ("ca", "ca-ecdsa.crt.pem"),
        ],
        peer: &[
            "-cert",
            "server-p256.crt.pem",
            "-key",
            "server-p256.key.pem",
        ],
    },
    Case {
        name: "client-rsa-aes128gcm",
        connections: 1,
        ours: &[
            ("suites", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
            ("ca", "ca-rsa.crt.pem"),
        ],
        peer: &["-cert", "server-rsa.crt.pem", "-key", "server-rsa.key.pem"],
    },
    Case {
        name: "client-mutual-rsa-ecdhe-rsa-aes128gcm",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            ("groups", "x25519"),
            ("ca", "ca-rsa.crt.pem"),
            ("cert", "client-rsa.chain.pem"),
            ("key", "client-rsa.key.pem"),
        ],
        peer: &[
            "-cert",
            "server-rsa.crt.pem",
            "-key",
            "server-rsa.key.pem",
            "-Verify",
            "2",
            "-CAfile",
            "ca-rsa.crt.pem",
            "-verify_return_error",
            "-client_sigalgs",
            "RSA+SHA256",
        ],
    },
    Case {
        name: "client-resume-ticket-ecdhe-rsa-aes128gcm",
        connections: 2,
        ours: &[
            ("suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            ("groups", "x25519"),
            ("ca", "ca-rsa.crt.pem"),
        ],
        peer: &["-cert", "server-rsa.crt.pem", "-key", "server-rsa.key.pem"],
    },
    Case {
        name: "client-resume-session-id-ecdhe-ecdsa-aes128gcm",
        connections: 2,
        ours: &[
            ("suites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            ("groups", "x25519,secp256r1"),
            ("ca", "ca-ecdsa.crt.pem"),
            ("tickets", "off"),
        ],
        peer: &[
            "-cert",
            "server-p256.crt.pem",
            "-key",
            "server-p256.key.pem",
        ],
    },
    Case {
        name: "client-mutual-ecdsa-ecdhe-ecdsa-aes128gcm",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            ("groups", "x25519,secp256r1"),
            ("ca", "ca-ecdsa.crt.pem"),
            ("cert", "client-p256.chain.pem"),
            ("key", "client-p256.key.pem"),
        ],
        peer: &[
            "-cert",
            "server-p256.crt.pem",
            "-key",
            "server-p256.key.pem",
            "-Verify",
            "2",
            "-CAfile",
            "ca-ecdsa.crt.pem",
            "-verify_return_error",
        ],
    },
];

/// Server cases: our server against `s_client`. With an RSA certificate, s_client offers
/// only rsa_pkcs1_sha256 for RSA so that our ServerKeyExchange signature is deterministic;
/// ECDSA signatures of the TestProvider are deterministic anyway (RFC 6979).
const SERVER_CASES: &[Case] = &[
    Case {
        name: "server-ecdhe-rsa-aes256gcm-secp384r1",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            ("groups", "secp384r1"),
        ],
        peer: &["-CAfile", "ca-rsa.crt.pem", "-sigalgs", "RSA+SHA256"],
    },
    Case {
        name: "server-ecdhe-rsa-chacha20-x25519",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            ("groups", "x25519"),
        ],
        peer: &["-CAfile", "ca-rsa.crt.pem", "-sigalgs", "RSA+SHA256"],
    },
    Case {
        name: "server-ecdhe-ecdsa-aes128gcm-x25519",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            ("groups", "x25519"),
            ("cert", "server-p256.chain.pem"),
            ("key", "server-p256.key.pem"),
        ],
        peer: &["-CAfile", "ca-ecdsa.crt.pem"],
    },
    Case {
        name: "server-ecdhe-ecdsa-aes256gcm-secp384r1",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
            ("groups", "secp384r1"),
            ("cert", "server-p384.chain.pem"),
            ("key", "server-p384.key.pem"),
        ],
        peer: &["-CAfile", "ca-ecdsa.crt.pem"],
    },
    Case {
        name: "server-resume-ticket-ecdhe-ecdsa-aes128gcm",
        connections: 2,
        ours: &[
            ("suites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            ("groups", "x25519"),
            ("cert", "server-p256.chain.pem"),
            ("key", "server-p256.key.pem"),
        ],
        peer: &["-CAfile", "ca-ecdsa.crt.pem"],
    },
    Case {
        name: "server-resume-session-id-ecdhe-rsa-aes256gcm",
        connections: 2,
        ours: &[
            ("suites", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            ("groups", "x25519"),
            ("tickets", "off"),
        ],
        peer: &["-CAfile", "ca-rsa.crt.pem", "-sigalgs", "RSA+SHA256"],
    },
    Case {
        name: "server-rsa-aes256gcm",
        connections: 1,
        ours: &[("suites", "TLS_RSA_WITH_AES_256_GCM_SHA384")],
        peer: &["-CAfile", "ca-rsa.crt.pem", "-sigalgs", "RSA+SHA256"],
    },
    Case {
        name: "server-mutual-ecdhe-rsa-aes128gcm",
        connections: 1,
        ours: &[
            ("suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            ("groups", "x25519"),
            ("verify_client", "require"),
            ("ca", "ca-ecdsa.crt.pem"),
        ],
        peer: &[
            "-CAfile",
            "ca-rsa.crt.pem",
            "-sigalgs",
            "RSA+SHA256:ECDSA+SHA256",
            "-cert",
            "client-p256.chain.pem",
            "-key",
            "client-p256.key.pem",
        ],
    },
];

/// `n` bytes counting up from `from`, as hex.
fn counting(from: u8, n: u8) -> String {
    hex::encode((from..from + n).collect::<Vec<u8>>())
}

/// The metadata of a case: our settings, the provider's inputs, the script.
fn metadata(case: &Case, client: bool, peer_command: &str, peer_version: &str) -> Transcript {
    let mut t = Transcript::default();
    t.push("name", case.name);
    t.push("role", if client { "client" } else { "server" });
    t.push("peer", peer_command);
    t.push("peer_version", peer_version);
    t.push("time", TIME.to_string());
    t.push("seed", hex::encode(case.name));
    // Our random: 00..1f for a client, 70..8f for a server (as in the Illustrated TLS 1.2
    // Connection); the rest (RSA padding, the pre-master secret) comes from the seed.
    t.push(
        "random",
        if client {
            counting(0x00, 32)
        } else {
            counting(0x70, 32)
        },
    );
    for (k, v) in case.ours {
        t.push(k, *v);
        if *k == "groups" {
            for group in v.split(',') {
                let len = if group == "secp384r1" { 48 } else { 32 };
                t.push("kx_key", format!("{group} {}", counting(0x20, len)));
            }
        }
    }
    if client {
        t.push("server_name", SERVER_NAME);
        t.push("send", hex::encode(GET));
        t.push("on_data", "close");
    } else {
        if !case.ours.iter().any(|(k, _)| *k == "cert") {
            t.push("cert", "server-rsa.chain.pem");
            t.push("key", "server-rsa.key.pem");
        }
        t.push("on_data", "echo");
        t.push("on_close", "close");
    }
    t
}

/// Runs our side over `sock` with the transcript's script and records every record.
/// `on_app_data` runs once, when our side first receives application data.
fn record_connection(
    t: &Transcript,
    built: &Built,
    mut sock: TcpStream,
    mut on_app_data: impl FnMut(),
) -> Result<TranscriptConnection, String> {
    let ours = Direction::sent_by(t.role().map_err(|e| e.to_string())?);
    let theirs = match ours {
        Direction::ClientToServer => Direction::ServerToClient,
        Direction::ServerToClient => Direction::ClientToServer,
    };
    let mut conn = TranscriptConnection::default();
    let mut split_ours = RecordSplitter::default();
    let mut split_theirs = RecordSplitter::default();
    let mut driver = Driver::new(built).map_err(|e| e.to_string())?;
    let mut send = |sock: &mut TcpStream, bytes: &[u8], conn: &mut TranscriptConnection| {
        for r in split_ours.push(bytes) {
            conn.records.push(Record {
                dir: ours,
                bytes: r,
            });
        }
        // The peer may be gone already; what we sent is recorded all the same.
        let _ = sock.write_all(bytes);
    };
    let first = driver.feed(&[]).map_err(|(e, _)| e.to_string())?;
    send(&mut sock, &first, &mut conn);
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut buf = vec![0u8; 64 * 1024];
    let mut told = false;
    loop {
        if Instant::now() > deadline {
            return Err("timed out".into());
        }
        let n = match sock.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => return Err(e.to_string()),
        };
        for r in split_theirs.push(&buf[..n]) {
            conn.records.push(Record {
                dir: theirs,
                bytes: r,
            });
        }
        match driver.feed(&buf[..n]) {
            Ok(sent) => send(&mut sock, &sent, &mut conn),
            Err((e, sent)) => {
                send(&mut sock, &sent, &mut conn);
                return Err(format!("our side failed: {e}"));
            }
        }
        if !told && !driver.app.is_empty() {
            told = true;
            on_app_data();
        }
    }
    if driver.summary().is_none() {
        return Err("the handshake did not complete".into());
    }
    Ok(conn)
}

fn openssl_version() -> String {
    let out = Command::new("openssl")
        .arg("version")
        .output()
        .expect("`openssl version` runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn wait_for_port(proc: &Proc) -> u16 {
    proc.wait_for_line("ACCEPT 127.0.0.1:")
        .unwrap_or_else(|e| panic!("s_server did not start: {e}"))
        .parse()
        .expect("s_server prints its port")
}

fn record_client_case(case: &Case, version: &str, key_log: Arc<KeyLogBuffer>) -> Transcript {
    let mut args: Vec<String> = ["s_server", "-tls1_2", "-accept", "127.0.0.1:0", "-naccept"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(case.connections.to_string());
    args.push("-www".to_string());
    args.extend(case.peer.iter().map(|s| s.to_string()));
    let command = format!("openssl {}", args.join(" ")).replace("127.0.0.1:0", "PORT");
    let mut t = metadata(case, true, &command, version);
    let built = build(&t, Some(key_log)).expect("the case builds");
    let proc = Proc::spawn(&args);
    let port = wait_for_port(&proc);
    for _ in 0..case.connections {
        let sock = TcpStream::connect(("127.0.0.1", port)).expect("connect to s_server");
        let conn = record_connection(&t, &built, sock, || {})
            .unwrap_or_else(|e| panic!("{}: {e}\ns_server:\n{}", case.name, proc.output()));
        t.connections.push(conn);
    }
    t
}

fn record_server_case(case: &Case, version: &str, key_log: Arc<KeyLogBuffer>) -> Transcript {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("bound").port();
    let mut args: Vec<String> = ["s_client", "-tls1_2", "-connect"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(format!("127.0.0.1:{port}"));
    args.extend(
        ["-servername", SERVER_NAME, "-verify_return_error"]
            .iter()
            .map(|s| s.to_string()),
    );
    args.extend(case.peer.iter().map(|s| s.to_string()));
    // Several connections: the first s_client saves its session, the next ones offer it.
    let session = format!("{}/{}.session.pem", env!("CARGO_TARGET_TMPDIR"), case.name);
    let mut command =
        format!("openssl {}", args.join(" ")).replace(&format!("127.0.0.1:{port}"), "PORT");
    if case.connections > 1 {
        command.push_str(" -sess_out SESSION, then the same with -sess_in SESSION");
    }
    let mut t = metadata(case, false, &command, version);
    let built = build(&t, Some(key_log)).expect("the case builds");
    for i in 0..case.connections {
        let mut args = args.clone();
        if case.connections > 1 {
            args.push(if i == 0 { "-sess_out" } else { "-sess_in" }.to_string());
            args.push(session.clone());
        }
        let mut proc = Proc::spawn(&args);
        let mut stdin = proc.take_stdin().expect("piped stdin");
        stdin.write_all(S_CLIENT_SAYS).expect("s_client stdin");
        stdin.flush().expect("s_client stdin");
        let (sock, _) = listener.accept().expect("s_client connects");
        let mut stdin = Some(stdin);
        // Once our server has the data, end s_client's input: it sends close_notify and
        // exits (having written -sess_out).
        let conn = record_connection(&t, &built, sock, || drop(stdin.take()))
            .unwrap_or_else(|e| panic!("{}: {e}\ns_client:\n{}", case.name, proc.output()));
        t.connections.push(conn);
        assert!(proc.wait().is_some(), "s_client did not exit");
    }
    t
}

/// Records every case against the installed OpenSSL and rewrites the files in
/// tests/data/transcripts (then replays each at once). `RECORD_ONLY=name` records one.
#[test]
#[ignore = "needs openssl; rewrites tests/data/transcripts"]
fn record_transcripts() {
    let version = openssl_version();
    let only = std::env::var("RECORD_ONLY").ok();
    let cases = CLIENT_CASES
        .iter()
        .map(|c| (c, true))
        .chain(SERVER_CASES.iter().map(|c| (c, false)));
    for (case, client) in cases {
        if only.as_deref().is_some_and(|o| o != case.name) {
            continue;
        }
        let key_log = Arc::new(KeyLogBuffer::new());
        let t = if client {
            record_client_case(case, &version, key_log.clone())
        } else {
            record_server_case(case, &version, key_log.clone())
        };
        if let Err(diff) = replay::replay(&t) {
            panic!("{}: the fresh recording does not replay: {diff}", case.name);
        }
        let path = format!("{TRANSCRIPT_DIR}/{}.transcript", case.name);
        std::fs::create_dir_all(TRANSCRIPT_DIR).expect("transcript directory");
        std::fs::write(&path, t.to_string()).expect("write the transcript");
        // The key log, for `cargo run --example dissect -- FILE --keylog FILE`.
        let keylog_path = format!("{TRANSCRIPT_DIR}/{}.keylog", case.name);
        std::fs::write(&keylog_path, key_log.contents()).expect("write the key log");
        eprintln!(
            "recorded {path}: {} records",
            t.connections[0].records.len()
        );
    }
}
