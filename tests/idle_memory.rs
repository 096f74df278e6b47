//! An established, idle connection holds no handshake-sized buffers: the receive buffer
//! (one maximum record, 18 KiB), the outgoing flight, the handshake reassembly buffer and
//! the event queue are freed once the handshake is over and everything is drained. What
//! remains is the record keys and the handshake summary (the peer's certificates, on a
//! client). The buffers come back, once, with the first application data;
//! `Connection::release_buffers` frees them again (the streams call it when a read would
//! block), unless part of a record is buffered or `keep_buffers` is configured.

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

fn configs_without_stores() -> Configs {
    let mut c = client_config();
    c.session_store = None;
    let mut s = server_config(&["server-rsa"]);
    s.session_cache = None;
    s.ticketer = None;
    Configs {
        client: Arc::new(c),
        server: Arc::new(s),
    }
}

/// One application record each way: `payload` from the client, the same back from the
/// server. Returns the bytes each side received.
fn one_exchange(
    client: &mut Connection,
    server: &mut Connection,
    payload: &[u8],
    bufs: &mut Bufs,
) -> (usize, usize) {
    assert_eq!(client.write(payload).expect("client write"), payload.len());
    assert_eq!(server.write(payload).expect("server write"), payload.len());
    bufs.to_server.clear();
    bufs.to_client.clear();
    pump_into(client, &[], &mut bufs.to_server, &mut bufs.poll);
    pump_into(server, &[], &mut bufs.to_client, &mut bufs.poll);
    let at_server = pump_into(server, &bufs.to_server, &mut bufs.to_client, &mut bufs.poll);
    let at_client = pump_into(client, &bufs.to_client, &mut bufs.to_server, &mut bufs.poll);
    (at_client, at_server)
}

#[test]
fn release_buffers_frees_what_records_allocated_and_records_still_flow() {
    let mut bufs = Bufs {
        poll: vec![0u8; 32 * 1024],
        to_server: Vec::with_capacity(64 * 1024),
        to_client: Vec::with_capacity(64 * 1024),
    };
    let cfg = configs_without_stores();
    let payload = vec![0x5a; 16384];
    let (mut client, mut server) = handshake(&cfg, &mut bufs);
    let idle = live();
    let got = one_exchange(&mut client, &mut server, &payload, &mut bufs);
    assert_eq!(got, (payload.len(), payload.len()));
    let carrying = live() - idle;
    assert!(
        carrying > 2 * tls12::internal::record::Deframer::CAPACITY as isize,
        "both receive buffers and send queues are allocated ({carrying} bytes)"
    );

    assert!(
        client.release_buffers(),
        "the client's receive buffer is free"
    );
    assert!(
        server.release_buffers(),
        "the server's receive buffer is free"
    );
    let released = live() - idle;
    assert!(
        released <= 0,
        "released connections hold {released} bytes more than idle ones"
    );

    // They allocate again for the next records, which arrive whole.
    let got = one_exchange(&mut client, &mut server, &payload, &mut bufs);
    assert_eq!(got, (payload.len(), payload.len()));
}

#[test]
fn release_buffers_keeps_a_partial_record() {
    let mut bufs = Bufs {
        poll: vec![0u8; 32 * 1024],
        to_server: Vec::with_capacity(64 * 1024),
        to_client: Vec::with_capacity(64 * 1024),
    };
    let cfg = configs_without_stores();
    let (mut client, mut server) = handshake(&cfg, &mut bufs);
    let payload = vec![0x33; 5000];
    client.write(&payload).expect("client write");
    bufs.to_server.clear();
    pump_into(&mut client, &[], &mut bufs.to_server, &mut bufs.poll);
    let record = bufs.to_server.clone();
    let (head, tail) = record.split_at(record.len() / 2);

    assert_eq!(
        pump_into(&mut server, head, &mut bufs.to_client, &mut bufs.poll),
        0
    );
    assert!(
        !server.release_buffers(),
        "half a record is buffered: the receive buffer stays"
    );
    let got = pump_into(&mut server, tail, &mut bufs.to_client, &mut bufs.poll);
    assert_eq!(got, payload.len(), "the record arrives whole");
    assert!(
        server.release_buffers(),
        "drained: the receive buffer is freed"
    );
}

#[test]
fn release_buffers_keeps_everything_with_keep_buffers() {
    let mut bufs = Bufs {
        poll: vec![0u8; 32 * 1024],
        to_server: Vec::with_capacity(64 * 1024),
        to_client: Vec::with_capacity(64 * 1024),
    };
    let mut cfg = configs_without_stores();
    Arc::get_mut(&mut cfg.server)
        .expect("not shared yet")
        .common
        .keep_buffers = true;
    let (mut client, mut server) = handshake(&cfg, &mut bufs);
    let payload = vec![0x11; 1000];
    let got = one_exchange(&mut client, &mut server, &payload, &mut bufs);
    assert_eq!(got, (payload.len(), payload.len()));
    let before = live();
    assert!(!server.release_buffers(), "keep_buffers: nothing is freed");
    assert_eq!(live(), before, "the server freed nothing");
}

/// One direction of an in-memory transport that says `WouldBlock` when it is empty, the
/// way a non-blocking socket does. It frees its storage when emptied, so that it does not
/// count in what the streams hold.
#[derive(Clone, Default)]
struct Queue(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

struct NonBlocking {
    inbox: Queue,
    outbox: Queue,
}

impl std::io::Read for NonBlocking {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut q = self.inbox.0.borrow_mut();
        if q.is_empty() {
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        let n = q.len().min(buf.len());
        buf[..n].copy_from_slice(&q[..n]);
        q.drain(..n);
        if q.is_empty() {
            *q = Vec::new();
        }
        Ok(n)
    }
}

impl std::io::Write for NonBlocking {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.outbox.0.borrow_mut().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `f` until it does not say `WouldBlock` (the other side made progress meanwhile).
fn until_ready<R>(mut f: impl FnMut() -> std::io::Result<R>) -> R {
    for _ in 0..100 {
        match f() {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            r => return r.expect("no error but WouldBlock"),
        }
    }
    panic!("WouldBlock forever");
}

/// A read on `tls` says `WouldBlock`: nothing was sent.
fn waits<T: std::io::Read>(tls: &mut T) {
    let e = tls.read(&mut [0u8; 16]).expect_err("nothing to read");
    assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
}

#[test]
fn non_blocking_streams_waiting_after_a_request_hold_no_record_buffer() {
    use std::io::{Read, Write};
    use tls12::StreamOwned;

    let cfg = configs_without_stores();
    let (to_server, to_client) = (Queue::default(), Queue::default());
    let client = ClientConnection::new(cfg.client.clone(), server_name()).expect("client");
    let server = ServerConnection::new(cfg.server.clone()).expect("server");
    let before = live();
    let mut client = StreamOwned::new(
        client,
        NonBlocking {
            inbox: to_client.clone(),
            outbox: to_server.clone(),
        },
    );
    let mut server = StreamOwned::new(
        server,
        NonBlocking {
            inbox: to_server,
            outbox: to_client,
        },
    );
    for _ in 0..10 {
        let c = client.complete_handshake().map(|_| ());
        let s = server.complete_handshake().map(|_| ());
        if c.is_ok() && s.is_ok() {
            break;
        }
    }
    assert!(!client.conn().is_handshaking() && !server.conn().is_handshaking());
    waits(&mut client);
    waits(&mut server);
    let idle = live() - before;

    // A request and its answer, then both wait for the next.
    {
        let (request, answer) = ([0x71u8; 100], [0x61u8; 1000]);
        client.write_all(&request).expect("client write");
        client.flush().expect("client flush");
        let mut got = [0u8; 100];
        until_ready(|| server.read_exact(&mut got));
        assert_eq!(got, request);
        server.write_all(&answer).expect("server write");
        server.flush().expect("server flush");
        let mut got = [0u8; 1000];
        until_ready(|| client.read_exact(&mut got));
        assert_eq!(got, answer);
    }
    waits(&mut client);
    waits(&mut server);
    let after = live() - before;
    // Each side held an 18 KiB receive buffer and an 18 KiB outgoing buffer before the
    // `WouldBlock`; now what the idle streams held.
    assert!(
        after <= idle,
        "after a request and its answer, two waiting streams hold {after} bytes (idle, {idle})"
    );
}
