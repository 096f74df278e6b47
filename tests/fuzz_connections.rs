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
use tls12::enums::CipherSuite;
use tls12::fuzzing::{self, *};
use tls12::pki_types::ServerName;
use tls12::{ClientConnection, ServerConnection};

const NONE: Extras = Extras::NONE;

const fn psk(psk: u8) -> Extras {
    Extras { psk, limits: 0 }
}

const fn limits(limits: u8) -> Extras {
    Extras { psk: 0, limits }
}

/// `record_size_limit` `RECORD_SIZE_LIMITS[i]` in an `Extras::limits` byte.
const fn rsl(i: u8) -> u8 {
    i << 3
}

/// A client configuration (options byte and extras) with a server configuration it
/// completes a handshake with, the suite they agree on, and the most plaintext a record
/// may carry once the ClientHello is out (a negotiated record size limit).
struct Pair {
    name: &'static str,
    client: (u8, Extras),
    server: (u8, Extras),
    suite: CipherSuite,
    max_record: usize,
}

const fn pair(
    name: &'static str,
    client: (u8, Extras),
    server: (u8, Extras),
    suite: CipherSuite,
) -> Pair {
    Pair {
        name,
        client,
        server,
        suite,
        max_record: 16384,
    }
}

const fn limited(mut p: Pair, max_record: usize) -> Pair {
    p.max_record = max_record;
    p
}

const ECDHE_RSA: CipherSuite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;

const PAIRS: &[Pair] = &[
    pair("ecdhe-rsa", (0, NONE), (0, NONE), ECDHE_RSA),
    // The server's cache holds the session every client offers: an abbreviated handshake.
    pair(
        "resumed-session-id",
        (0, NONE),
        (OPT_CLIENT_AUTH_MANDATORY, NONE),
        ECDHE_RSA,
    ),
    pair(
        "ecdhe-ecdsa",
        (0, NONE),
        (1, NONE),
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ),
    pair(
        "rsa-kx",
        (1, NONE),
        (3, NONE),
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
    ),
    pair(
        "chacha-multi-cert",
        (3, NONE),
        (2, NONE),
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    pair(
        "mutual-auth-alpn",
        (OPT_CLIENT_CERT | OPT_ALPN, NONE),
        (OPT_CLIENT_AUTH | OPT_CLIENT_AUTH_MANDATORY | OPT_ALPN, NONE),
        ECDHE_RSA,
    ),
    pair(
        "false-start-ems-events",
        (OPT_FALSE_START | OPT_REQUIRE_EMS | OPT_EVENTS, NONE),
        (2 | OPT_REQUIRE_EMS | OPT_EVENTS, NONE),
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ),
    pair(
        "optional-auth-no-cert-eof",
        (2 | OPT_EOF, NONE),
        (3 | OPT_CLIENT_AUTH | OPT_EOF, NONE),
        ECDHE_RSA,
    ),
    // PSK (RFC 4279, 5489): a ServerKeyExchange with the hint, a ClientKeyExchange with the
    // identity the hint names.
    pair(
        "ecdhe-psk-hint",
        (0, psk(PSK_FIRST)),
        (0, psk(PSK_FIRST)),
        CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
    ),
    pair(
        "psk-hint-b",
        (0, psk(PSK_ONLY | PSK_NO_HINT)),
        (0, psk(PSK_ONLY | PSK_HINT_B)),
        CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
    ),
    // No hint: no ServerKeyExchange at all.
    pair(
        "psk-no-hint",
        (0, psk(PSK_AFTER)),
        (0, psk(PSK_ONLY | PSK_NO_HINT)),
        CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
    ),
    // CCM_8 (RFC 6655, 7251): 8-byte tags.
    pair(
        "psk-ccm8",
        (0, psk(PSK_FIRST | PSK_CCM)),
        (0, psk(PSK_AFTER | PSK_CCM)),
        CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
    ),
    pair(
        "ecdhe-ecdsa-ccm8",
        (0, psk(PSK_CCM)),
        (1, psk(PSK_CCM)),
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    ),
    // Record sizes (RFC 8449, RFC 6066 section 4).
    limited(
        pair(
            "record-size-limit-512",
            (0, limits(rsl(3))),
            (0, limits(rsl(3))),
            ECDHE_RSA,
        ),
        512,
    ),
    // The client's receive buffer is sized for 64-byte records from the start.
    limited(
        pair(
            "record-size-limit-64-receive-buffer",
            (0, limits(rsl(1) | LIMIT_RECEIVE_BUFFER)),
            (1, limits(rsl(1))),
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
        64,
    ),
    limited(
        pair(
            "max-fragment-length-1024-keep-buffers",
            (0, limits(2 | LIMIT_RECEIVE_BUFFER | LIMIT_KEEP_BUFFERS)),
            (0, limits(LIMIT_KEEP_BUFFERS)),
            ECDHE_RSA,
        ),
        1024,
    ),
    limited(
        pair(
            "psk-ccm8-max-fragment-length-512",
            (
                0,
                Extras {
                    psk: PSK_FIRST | PSK_CCM,
                    limits: 1,
                },
            ),
            (0, psk(PSK_FIRST | PSK_CCM)),
            CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
        ),
        512,
    ),
];

/// The plaintext length of each record in `flights` (taken as protected when longer than
/// 24 bytes of overhead allow).
fn record_lengths(flights: &[Vec<u8>]) -> Vec<usize> {
    let mut out = Vec::new();
    for f in flights {
        let mut rest = &f[..];
        while let [_, _, _, a, b, tail @ ..] = rest {
            let len = usize::from(u16::from_be_bytes([*a, *b]));
            out.push(len);
            rest = &tail[len.min(tail.len())..];
        }
    }
    out
}

/// Every record after the ClientHello carries at most `max` bytes of plaintext (with at
/// most 24 bytes of explicit nonce and tag around it).
fn assert_records_within(p: &Pair, to_client: &[Vec<u8>], to_server: &[Vec<u8>]) {
    let after_hello = to_server.get(1..).unwrap_or_default();
    for len in record_lengths(to_client)
        .into_iter()
        .chain(record_lengths(after_hello))
    {
        assert!(len <= p.max_record + 24, "{}: a {len}-byte record", p.name);
    }
}

/// Runs our client against our server under the fuzz provider (each writing a little
/// application data, then closing) and returns (flights to the client, flights to the
/// server). `suite` is the one they must agree on.
fn converse(
    (copts, cextras): (u8, Extras),
    (sopts, sextras): (u8, Extras),
    suite: CipherSuite,
) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let name = ServerName::try_from(SERVER_NAME).expect("valid name");
    let config = Arc::new(client_config_with(copts, cextras));
    let mut client = ClientConnection::new(config, name).expect("valid");
    let config = Arc::new(server_config_with(sopts, sextras));
    let mut server = ServerConnection::new(config).expect("valid");
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
    for summary in [client.handshake_summary(), server.handshake_summary()] {
        assert_eq!(summary.map(|s| s.suite), Some(suite));
    }
    assert!(client.peer_closed() && server.peer_closed());
    assert_eq!(c.app, b"HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(s.app, b"GET / HTTP/1.1\r\n\r\n");
    (to_client, to_server)
}

/// Our own handshakes, as (name, client seed, server seed).
fn self_seeds() -> Vec<(String, Vec<u8>, Vec<u8>)> {
    PAIRS
        .iter()
        .map(|p| {
            let (to_client, to_server) = converse(p.client, p.server, p.suite);
            assert_records_within(p, &to_client, &to_server);
            (
                format!("self-{}", p.name),
                encode_input(p.client.0, p.client.1, &to_client),
                encode_input(p.server.0, p.server.1, &to_server),
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
                encode_input(0, NONE, &[read("s2c")]),
                encode_input(0, NONE, &[read("c2s")]),
            )
        })
        .collect()
}

#[test]
fn self_seeds_complete_the_handshake_in_both_targets() {
    let seeds = self_seeds();
    assert_eq!(seeds.len(), PAIRS.len());
    for ((name, cseed, sseed), pair) in seeds.into_iter().zip(PAIRS) {
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
        assert_eq!(
            (c.suite, s.suite),
            (Some(pair.suite), Some(pair.suite)),
            "{name}"
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
    let (to_client, to_server) = converse((0, NONE), (0, NONE), ECDHE_RSA);
    let out = fuzzing::client(&encode_input(0, NONE, &to_client));
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
    let extras = Extras { psk: 8, limits: 9 };
    let input = encode_input(7, extras, &[b"abc".to_vec(), Vec::new(), b"de".to_vec()]);
    assert_eq!(
        input,
        [7, 8, 9, 0, 3, b'a', b'b', b'c', 0, 0, 0, 2, b'd', b'e']
    );
    let got: Vec<&[u8]> = chunks(&input[3..]).collect();
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
    let primed = (OPT_CLIENT_AUTH_MANDATORY, NONE);
    let (to_client, _) = converse((0, NONE), primed, ECDHE_RSA);
    let first = &to_client[0];
    let sh_len = u16::from_be_bytes([first[3], first[4]]) as usize;
    assert_eq!(first[0], 22, "a handshake record first");
    assert_eq!(first[5], 2, "ServerHello");
    assert_eq!(first[5 + sh_len], 20, "then ChangeCipherSpec");
    // The session ID it echoes is the offered one.
    assert_eq!(first[5 + 4 + 2 + 32], 32);
    assert_eq!(first[5 + 4 + 2 + 32 + 1..][..32], RESUMABLE_SESSION_ID);
    // Unprimed, the same client gets a full handshake.
    let (to_client, _) = converse((0, NONE), (0, NONE), ECDHE_RSA);
    let first = &to_client[0];
    let sh_len = u16::from_be_bytes([first[3], first[4]]) as usize;
    assert_eq!(first[5 + sh_len], 22, "Certificate follows");
}

/// Found by the `api` target (PSK and limits branch, first 60-second run): a client asking
/// for max_fragment_length 512 *and* record_size_limit 16,385 with `limit_receive_buffer`
/// sized its receive buffer for 512-byte records (the smaller of the two), but the server
/// answers only record_size_limit (which takes precedence, RFC 8449 section 5) and then
/// sends records of up to 2^14 bytes within it: record_overflow against our own server,
/// both configured legally. The up-front buffer is now sized for the larger of the two.
#[test]
fn a_client_asking_for_both_limits_with_a_small_receive_buffer_connects() {
    let client = limits(1 | rsl(7) | LIMIT_RECEIVE_BUFFER);
    converse((0, client), (0, NONE), ECDHE_RSA);
}
