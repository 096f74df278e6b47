//! Tampering in flight: this crate's client and server run a handshake in memory
//! (`common::Pair`) and one flight is changed on the way.
//!
//! The flights of a full handshake, as `Pair::run_with` numbers them:
//!
//! | flight | direction | records |
//! |---|---|---|
//! | 0 | to server | ClientHello |
//! | 1 | to client | ServerHello, Certificate, ServerKeyExchange, ServerHelloDone |
//! | 2 | to server | ClientKeyExchange, ChangeCipherSpec, Finished (encrypted) |
//! | 3 | to client | ChangeCipherSpec, Finished (encrypted) |
//!
//! This crate writes each handshake message in a record of its own, so a message starts at
//! the start of a record's fragment; the offset helpers below rely on it.

use tls12::internal::codec::enums::{AlertDescription, CipherSuite};
use tls12::{ClientConfig, Connection, Error, ServerConfig};

use crate::common::{CCS, Dir, HANDSHAKE, Pair, client_config, records, server_config};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// Handshake message types.
pub const CLIENT_HELLO: u8 = 1;
pub const SERVER_HELLO: u8 = 2;
pub const CERTIFICATE: u8 = 11;
pub const SERVER_KEY_EXCHANGE: u8 = 12;
pub const CLIENT_KEY_EXCHANGE: u8 = 16;

/// The side that receives a flight travelling in `dir`.
pub fn receiver(dir: Dir) -> Side {
    match dir {
        Dir::ToServer => Side::Server,
        Dir::ToClient => Side::Client,
    }
}

/// The four flights of a full handshake.
pub const FLIGHTS: [(Dir, usize); 4] = [
    (Dir::ToServer, 0),
    (Dir::ToClient, 1),
    (Dir::ToServer, 2),
    (Dir::ToClient, 3),
];

/// Runs a handshake, letting `f` change flight `flight` travelling in `dir`.
pub fn tampered(
    client: ClientConfig,
    server: ServerConfig,
    dir: Dir,
    flight: usize,
    mut f: impl FnMut(&mut Vec<u8>),
) -> Pair {
    let mut pair = Pair::new(client, server);
    let mut hit = false;
    pair.run_with(|d, n, bytes| {
        if d == dir && n == flight {
            f(bytes);
            hit = true;
        }
    });
    assert!(hit, "flight {flight} {dir:?} never travelled");
    pair
}

/// Runs a default handshake (RSA certificate, default suites) with one flight changed.
pub fn tampered_default(dir: Dir, flight: usize, f: impl FnMut(&mut Vec<u8>)) -> Pair {
    tampered(
        client_config(),
        server_config(&["server-rsa"]),
        dir,
        flight,
        f,
    )
}

/// The bytes of one untampered flight, for finding where to tamper.
pub fn probe(client: ClientConfig, server: ServerConfig, dir: Dir, flight: usize) -> Vec<u8> {
    let mut seen = Vec::new();
    tampered(client, server, dir, flight, |b| seen = b.clone());
    seen
}

pub fn probe_default(dir: Dir, flight: usize) -> Vec<u8> {
    probe(client_config(), server_config(&["server-rsa"]), dir, flight)
}

/// A connection whose error is sticky: input and writes both return `err` again.
pub fn assert_dead(conn: &mut Connection, err: &Error, who: &str) {
    assert_eq!(conn.handle_input(&[HANDSHAKE]).as_ref(), Err(err), "{who}");
    assert_eq!(conn.write(b"more").as_ref(), Err(err), "{who}");
    assert_eq!(conn.error(), Some(err), "{who}");
}

/// `detector` failed with an error whose alert is `alert`; the other side received exactly
/// that alert; both are dead afterwards.
pub fn assert_fatal(pair: &mut Pair, detector: Side, alert: AlertDescription, what: &str) {
    let (det, other) = match detector {
        Side::Client => (&pair.c, &pair.s),
        Side::Server => (&pair.s, &pair.c),
    };
    let det_err = det
        .error
        .clone()
        .unwrap_or_else(|| panic!("{what}: {detector:?} saw nothing wrong"));
    assert!(
        !matches!(det_err, Error::AlertReceived(_)),
        "{what}: {detector:?} did not detect it but received {det_err:?}"
    );
    assert_eq!(
        det_err.alert(),
        Some(alert),
        "{what}: {detector:?} failed with {det_err:?}"
    );
    assert_eq!(
        other.error,
        Some(Error::AlertReceived(alert)),
        "{what}: the peer of {detector:?}"
    );
    let other_err = Error::AlertReceived(alert);
    let (det_conn, other_conn): (&mut Connection, &mut Connection) = match detector {
        Side::Client => (&mut pair.client, &mut pair.server),
        Side::Server => (&mut pair.server, &mut pair.client),
    };
    assert_dead(det_conn, &det_err, what);
    assert_dead(other_conn, &other_err, what);
}

/// Offset in `flight` of the handshake message of type `typ` (at the start of a plaintext
/// record's fragment, before any ChangeCipherSpec).
pub fn msg(flight: &[u8], typ: u8) -> usize {
    for r in records(flight) {
        if r.typ == CCS {
            break;
        }
        if r.typ == HANDSHAKE && flight[r.body()] == typ {
            return r.body();
        }
    }
    panic!("no handshake message of type {typ} in the flight");
}

pub fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_be_bytes([b[at], b[at + 1]]))
}

pub fn u24_at(b: &[u8], at: usize) -> usize {
    (usize::from(b[at]) << 16) | u16_at(b, at + 1)
}

/// Offsets of the fields of a ClientHello or ServerHello starting at `m`.
pub struct Hello {
    pub version: usize,
    pub random: usize,
    pub session_id_len: usize,
    /// ClientHello: the cipher_suites length. ServerHello: the cipher suite.
    pub suites: usize,
    /// ClientHello: the first compression method. ServerHello: the compression method.
    pub compression: usize,
    /// (type, offset of the extension's type field)
    pub extensions: Vec<(u16, usize)>,
}

pub fn hello(b: &[u8], m: usize) -> Hello {
    let version = m + 4;
    let random = version + 2;
    let session_id_len = random + 32;
    let suites = session_id_len + 1 + usize::from(b[session_id_len]);
    let (compression, ext_len) = if b[m] == CLIENT_HELLO {
        let comp_len = suites + 2 + u16_at(b, suites);
        (comp_len + 1, comp_len + 1 + usize::from(b[comp_len]))
    } else {
        (suites + 2, suites + 3)
    };
    let end = ext_len + 2 + u16_at(b, ext_len);
    let mut extensions = Vec::new();
    let mut at = ext_len + 2;
    while at < end {
        extensions.push((u16_at(b, at) as u16, at));
        at += 4 + u16_at(b, at + 2);
    }
    Hello {
        version,
        random,
        session_id_len,
        suites,
        compression,
        extensions,
    }
}

pub fn ext(h: &Hello, typ: u16) -> usize {
    h.extensions
        .iter()
        .find(|(t, _)| *t == typ)
        .unwrap_or_else(|| panic!("no extension {typ:#06x}"))
        .1
}

/// A client configuration offering only `suite`.
pub fn suite_config(suite: CipherSuite) -> ClientConfig {
    let mut c = client_config();
    c.common.set_suites(&[suite]).unwrap();
    c
}
