//! The whole-connection fuzz targets (`tls12::fuzzing::{client, server}`) and their seeds.
//!
//! The seeds are real handshakes: our own client against our own server, both under the
//! no-security `FuzzProvider`, so the encrypted Finished and application data in them are
//! valid for the targets; and the OpenSSL captures in tests/data/captures (whose encrypted
//! parts do not verify under that provider). `write_connection_seeds` (ignored) rewrites
//! fuzz/corpus/{client,server}/ from them:
//!
//!     cargo test --all-features --test fuzz_connections -- --ignored write_connection_seeds

mod common;

use std::sync::Arc;

use common::{Sink, pump};
use tls12::fuzzing::{self, *};
use tls12::pki_types::ServerName;
use tls12::{ClientConnection, ServerConnection};

/// Each client options byte with a server options byte it can complete a handshake with.
const PAIRS: &[(&str, u8, u8)] = &[
    ("ecdhe-rsa", 0, 0),
    // The server's cache holds the session every client offers: an abbreviated handshake.
    ("resumed-session-id", 0, OPT_CLIENT_AUTH_MANDATORY),
    ("ecdhe-ecdsa", 0, 1),
    ("rsa-kx", 1, 3),
    ("chacha-multi-cert", 3, 2),
    (
        "mutual-auth-alpn",
        OPT_CLIENT_CERT | OPT_ALPN,
        OPT_CLIENT_AUTH | OPT_CLIENT_AUTH_MANDATORY | OPT_ALPN,
    ),
    (
        "false-start-ems-events",
        OPT_FALSE_START | OPT_REQUIRE_EMS | OPT_EVENTS,
        2 | OPT_REQUIRE_EMS | OPT_EVENTS,
    ),
    (
        "optional-auth-no-cert-eof",
        2 | OPT_EOF,
        3 | OPT_CLIENT_AUTH | OPT_EOF,
    ),
];

/// Runs our client against our server under the fuzz provider (each writing a little
/// application data, then closing) and returns (flights to the client, flights to the
/// server).
fn converse(copts: u8, sopts: u8) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let name = ServerName::try_from(SERVER_NAME).expect("valid name");
    let mut client = ClientConnection::new(Arc::new(client_config(copts)), name).expect("valid");
    let mut server = ServerConnection::new(Arc::new(server_config(sopts))).expect("valid");
    assert_eq!(client.write(b"GET / HTTP/1.1\r\n\r\n"), Ok(18));
    assert_eq!(server.write(b"HTTP/1.1 200 OK\r\n\r\n"), Ok(19));
    let (mut c, mut s) = (Sink::default(), Sink::default());
    pump(&mut client, &[], &mut c);
    let (mut to_client, mut to_server) = (Vec::new(), Vec::new());
    let mut closed = false;
    for _ in 0..10 {
        if c.tx.is_empty() && s.tx.is_empty() {
            if closed || client.is_handshaking() {
                break;
            }
            closed = true;
            client.close().expect("client closes");
            server.close().expect("server closes");
            pump(&mut client, &[], &mut c);
            pump(&mut server, &[], &mut s);
        }
        let flight = std::mem::take(&mut c.tx);
        if !flight.is_empty() {
            pump(&mut server, &flight, &mut s);
            to_server.push(flight);
        }
        let flight = std::mem::take(&mut s.tx);
        if !flight.is_empty() {
            pump(&mut client, &flight, &mut c);
            to_client.push(flight);
        }
    }
    assert!(
        c.error.is_none() && s.error.is_none(),
        "{:?} {:?}",
        c.error,
        s.error
    );
    assert!(!client.is_handshaking() && !server.is_handshaking());
    assert!(client.peer_closed() && server.peer_closed());
    assert_eq!(c.app, b"HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(s.app, b"GET / HTTP/1.1\r\n\r\n");
    (to_client, to_server)
}

/// Our own handshakes, as (name, client seed, server seed).
fn self_seeds() -> Vec<(String, Vec<u8>, Vec<u8>)> {
    PAIRS
        .iter()
        .map(|(name, copts, sopts)| {
            let (to_client, to_server) = converse(*copts, *sopts);
            (
                format!("self-{name}"),
                encode_input(*copts, &to_client),
                encode_input(*sopts, &to_server),
            )
        })
        .collect()
}

/// The OpenSSL captures, as (name, client seed, server seed): each direction's bytes as one
/// chunk, under the default options.
fn capture_seeds() -> Vec<(String, Vec<u8>, Vec<u8>)> {
    let dir = format!("{}/tests/data/captures", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("captures directory")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().into_string().expect("utf-8");
            name.strip_suffix(".s2c.bin").map(String::from)
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let read = |dir_: &str| std::fs::read(format!("{dir}/{n}.{dir_}.bin")).expect("read");
            (
                format!("capture-{n}"),
                encode_input(0, &[read("s2c")]),
                encode_input(0, &[read("c2s")]),
            )
        })
        .collect()
}

#[test]
fn self_seeds_complete_the_handshake_in_both_targets() {
    let seeds = self_seeds();
    assert_eq!(seeds.len(), PAIRS.len());
    for (name, cseed, sseed) in seeds {
        let c = fuzzing::client(&cseed);
        assert!(c.handshake_complete, "{name}: client target: {:?}", c.error);
        assert!(
            c.app_data > 0,
            "{name}: the client target decrypted no data"
        );
        let s = fuzzing::server(&sseed);
        assert!(s.handshake_complete, "{name}: server target: {:?}", s.error);
        assert!(
            s.app_data > 0,
            "{name}: the server target decrypted no data"
        );
        // With EOF requested, the peer's close_notify makes the end of stream clean.
        assert!(
            c.error.is_none() && s.error.is_none(),
            "{name}: {c:?} {s:?}"
        );
    }
}

#[test]
fn the_client_target_replays_our_client_byte_for_byte() {
    // The fuzz provider is deterministic, so the target's client sends exactly what the
    // client in the conversation sent, flight for flight, up to its own close.
    let (to_client, to_server) = converse(0, 0);
    let out = fuzzing::client(&encode_input(0, &to_client));
    assert_eq!(out.sent[0], to_server[0], "ClientHello");
    assert_eq!(out.sent[1], to_server[1], "second flight");
}

#[test]
fn capture_seeds_end_in_an_error_not_a_panic() {
    // Under the fuzz provider the captures' signatures pass but their encrypted Finished
    // does not open: each run ends in a sticky error, never a panic.
    for (name, cseed, sseed) in capture_seeds() {
        for (side, out) in [
            ("client", fuzzing::client(&cseed)),
            ("server", fuzzing::server(&sseed)),
        ] {
            assert!(!out.handshake_complete, "{name} {side}");
            assert!(out.error.is_some(), "{name} {side}: no error");
        }
    }
}

#[test]
fn chunks_split_the_input_format() {
    let input = encode_input(7, &[b"abc".to_vec(), Vec::new(), b"de".to_vec()]);
    assert_eq!(input, [7, 0, 3, b'a', b'b', b'c', 0, 0, 0, 2, b'd', b'e']);
    let got: Vec<&[u8]> = chunks(&input[1..]).collect();
    assert_eq!(got, [&b"abc"[..], b"", b"de"]);
    // A short last chunk takes what is left; a lone length byte is an empty chunk.
    let got: Vec<&[u8]> = chunks(&[0, 9, 1, 2]).collect();
    assert_eq!(got, [&[1u8, 2][..]]);
    let got: Vec<&[u8]> = chunks(&[5]).collect();
    assert_eq!(got, [&b""[..]]);
}

#[test]
#[ignore = "rewrites fuzz/corpus/{client,server}; run by hand"]
fn write_connection_seeds() {
    let root = env!("CARGO_MANIFEST_DIR");
    for (name, cseed, sseed) in self_seeds().into_iter().chain(capture_seeds()) {
        for (target, seed) in [("client", &cseed), ("server", &sseed)] {
            let dir = format!("{root}/fuzz/corpus/{target}");
            std::fs::create_dir_all(&dir).expect("mkdir");
            std::fs::write(format!("{dir}/{name}.bin"), seed).expect("write seed");
        }
    }
}

#[test]
fn the_primed_server_resumes_the_session_every_client_offers() {
    // ServerHello, then straight to ChangeCipherSpec: the abbreviated handshake.
    let (to_client, _) = converse(0, OPT_CLIENT_AUTH_MANDATORY);
    let first = &to_client[0];
    let sh_len = u16::from_be_bytes([first[3], first[4]]) as usize;
    assert_eq!(first[0], 22, "a handshake record first");
    assert_eq!(first[5], 2, "ServerHello");
    assert_eq!(first[5 + sh_len], 20, "then ChangeCipherSpec");
    // The session ID it echoes is the offered one.
    assert_eq!(first[5 + 4 + 2 + 32], 32);
    assert_eq!(first[5 + 4 + 2 + 32 + 1..][..32], RESUMABLE_SESSION_ID);
    // Unprimed, the same client gets a full handshake.
    let (to_client, _) = converse(0, 0);
    let first = &to_client[0];
    let sh_len = u16::from_be_bytes([first[3], first[4]]) as usize;
    assert_eq!(first[5 + sh_len], 22, "Certificate follows");
}
