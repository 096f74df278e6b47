//! An established, idle connection holds no handshake-sized buffers: the receive buffer
//! (one maximum record, 18 KiB), the outgoing flight, the handshake reassembly buffer and
//! the event queue are freed once the handshake is over and everything is drained. What
//! remains is the record keys and the handshake summary (the peer's certificates, on a
//! client). The buffers come back, once, with the first application data.

use std::sync::Arc;

mod common;

use common::counting_alloc::{Counting, live};
use common::*;
use tls12::{ClientConnection, Connection, Output, ServerConnection};

/// Counts bytes held per thread: the test harness's threads allocate too.
#[global_allocator]
static GLOBAL: Counting = Counting;

/// Feeds and drains `conn`, appending what it sends to `out` (which has room reserved, so
/// nothing here allocates) and counting application bytes.
fn pump_into(conn: &mut Connection, mut input: &[u8], out: &mut Vec<u8>, poll: &mut [u8]) -> usize {
    let mut app = 0;
    loop {
        let n = conn.handle_input(input).expect("input");
        input = &input[n..];
        loop {
            match conn.poll_output(poll).expect("poll") {
                Output::Transmit(b) => out.extend_from_slice(b),
                Output::ApplicationData(d) => app += d.len(),
                Output::Idle => break,
                _ => {}
            }
        }
        if input.is_empty() {
            return app;
        }
    }
}

struct Bufs {
    poll: Vec<u8>,
    to_server: Vec<u8>,
    to_client: Vec<u8>,
}

struct Configs {
    client: Arc<tls12::ClientConfig>,
    server: Arc<tls12::ServerConfig>,
}

fn handshake(cfg: &Configs, bufs: &mut Bufs) -> (ClientConnection, ServerConnection) {
    let mut client = ClientConnection::new(cfg.client.clone(), server_name()).expect("client");
    let mut server = ServerConnection::new(cfg.server.clone()).expect("server");
    let Bufs {
        poll,
        to_server,
        to_client,
    } = bufs;
    pump_into(&mut client, &[], to_server, poll);
    while !to_server.is_empty() {
        pump_into(&mut server, to_server, to_client, poll);
        to_server.clear();
        pump_into(&mut client, to_client, to_server, poll);
        to_client.clear();
    }
    assert!(!client.is_handshaking() && !server.is_handshaking());
    (client, server)
}

#[test]
fn idle_connection_holds_only_keys_and_summary() {
    let mut bufs = Bufs {
        poll: vec![0u8; 32 * 1024],
        to_server: Vec::with_capacity(64 * 1024),
        to_client: Vec::with_capacity(64 * 1024),
    };
    // Session stores and caches belong to the configurations (they outlive connections):
    // left out, so that only the connections are counted.
    let mut c = client_config();
    c.session_store = None;
    let mut s = server_config(&["server-rsa"]);
    s.session_cache = None;
    s.ticketer = None;
    let cfg = Configs {
        client: Arc::new(c),
        server: Arc::new(s),
    };
    let before = live();
    let (client, server) = handshake(&cfg, &mut bufs);
    let both = live() - before;
    drop(server);
    let client_bytes = live() - before;
    let server_bytes = both - client_bytes;
    let chain: usize = client
        .handshake_summary()
        .expect("summary")
        .peer_certificates
        .iter()
        .map(|c| c.len())
        .sum();
    // Before the buffers were freed, each side held more than 18 KiB. What is left: a copy
    // of the common configuration, two record keys (ring's AES-GCM keys are about 0.5 KiB each), the
    // summary, and on the client the server's chain, kept in the summary.
    assert!(
        server_bytes < 3 * 1024,
        "idle server holds {server_bytes} bytes"
    );
    assert!(
        client_bytes < (chain + 3 * 1024) as isize,
        "idle client holds {client_bytes} bytes ({chain} of them the server's chain)"
    );
    drop(client);

    // The buffers come back with application data, and the connection works.
    let (mut client, mut server) = handshake(&cfg, &mut bufs);
    let idle = live();
    let payload = vec![0x5a; 16384];
    assert_eq!(client.write(&payload).unwrap(), payload.len());
    bufs.to_server.clear();
    pump_into(&mut client, &[], &mut bufs.to_server, &mut bufs.poll);
    let got = pump_into(
        &mut server,
        &bufs.to_server,
        &mut bufs.to_client,
        &mut bufs.poll,
    );
    assert_eq!(got, payload.len());
    assert!(
        live() - idle > tls12::internal::record::Deframer::CAPACITY as isize,
        "the receive and send buffers are allocated again"
    );
}
