//! Receiving straight into the connection's buffer: `input_space` / `input_received`
//! instead of `handle_input`, with nothing else changed.

mod common;

use common::*;
use tls12::{Connection, Error, Output};

/// Delivers `bytes` to `conn` through `input_space`, in pieces of at most `piece` bytes,
/// draining after each; returns what `conn` sent and the application data it produced.
fn deliver(conn: &mut Connection, mut bytes: &[u8], piece: usize) -> (Vec<u8>, Vec<u8>) {
    let (mut tx, mut app) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; 4096];
    loop {
        let space = conn.input_space().expect("input_space");
        let n = bytes.len().min(space.len()).min(piece);
        space[..n].copy_from_slice(&bytes[..n]);
        conn.input_received(n).expect("input_received");
        bytes = &bytes[n..];
        loop {
            match conn.poll_output(&mut buf).expect("poll_output") {
                Output::Transmit(b) => tx.extend_from_slice(b),
                Output::ApplicationData(d) => app.extend_from_slice(d),
                Output::Idle => break,
                _ => {}
            }
        }
        if bytes.is_empty() {
            return (tx, app);
        }
    }
}

fn handshake_in_place(pair: &mut Pair, piece: usize) {
    let (mut to_server, _) = deliver(&mut pair.client, &[], piece);
    for _ in 0..10 {
        let (to_client, _) = deliver(&mut pair.server, &to_server, piece);
        let (next, _) = deliver(&mut pair.client, &to_client, piece);
        to_server = next;
        if to_server.is_empty() && to_client.is_empty() {
            break;
        }
    }
    assert!(!pair.client.is_handshaking(), "client still handshaking");
    assert!(!pair.server.is_handshaking(), "server still handshaking");
}

#[test]
fn handshake_and_data_received_in_place() {
    for piece in [1, 7, 4096, usize::MAX] {
        let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
        handshake_in_place(&mut pair, piece);
        let message: Vec<u8> = (0..40_000u32).map(|i| (i * 7) as u8).collect();
        assert_eq!(pair.client.write(&message).unwrap(), message.len());
        let (wire, _) = deliver(&mut pair.client, &[], piece);
        let (_, got) = deliver(&mut pair.server, &wire, piece);
        assert_eq!(got, message, "piece {piece}");
    }
}

#[test]
fn input_received_beyond_the_space_is_refused() {
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    let space = pair.server.input_space().unwrap().len();
    assert_eq!(
        pair.server.input_received(space + 1),
        Err(Error::Api("input_received: more than input_space"))
    );
    // Nothing was taken and the connection goes on.
    assert!(pair.server.error().is_none());
    handshake_in_place(&mut pair, usize::MAX);
}

#[test]
fn input_space_after_an_error_returns_it() {
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    // Not a TLS record: the server fails (and queues an alert).
    pair.server.input_space().unwrap()[..5].copy_from_slice(&[99, 3, 3, 0, 1]);
    pair.server.input_received(5).unwrap();
    let mut sink = Sink::default();
    pump(&mut pair.server, &[], &mut sink);
    let err = sink
        .error
        .expect("the server fails on an unknown content type");
    assert_eq!(pair.server.input_space().err(), Some(err.clone()));
    assert_eq!(pair.server.input_received(0), Err(err));
}
