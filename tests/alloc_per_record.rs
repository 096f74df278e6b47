//! Once the handshake is over, sending and receiving application data allocates nothing:
//! records are sealed into a reused buffer and opened in place in the receive buffer, in
//! memory and through the tokio stream.

mod common;

use common::counting_alloc::{self, Counting};
use common::*;
use tls12::Output;

// Counts per thread: the test harness's threads allocate too.
#[global_allocator]
static GLOBAL: Counting = Counting;

/// One 16 KiB record client → server, through caller-owned buffers only.
fn one_record(pair: &mut Pair, payload: &[u8], wire: &mut [u8], out: &mut [u8]) -> usize {
    pair.client.write(payload).expect("write");
    let mut sent = 0;
    while let Output::Transmit(b) = pair
        .client
        .poll_output(&mut wire[sent..])
        .expect("poll client")
    {
        sent += b.len();
    }
    let mut input = &wire[..sent];
    let mut got = 0;
    while !input.is_empty() {
        let n = pair.server.handle_input(input).expect("input");
        input = &input[n..];
        loop {
            match pair.server.poll_output(out).expect("poll server") {
                Output::ApplicationData(d) => got += d.len(),
                Output::Idle => break,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    got
}

#[test]
fn no_allocation_per_record_after_the_handshake() {
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    pair.handshake();
    let payload = vec![0x42u8; 16384];
    let mut wire = vec![0u8; 64 * 1024];
    let mut out = vec![0u8; 4096];
    // Warm up: the send buffer reaches its working size once.
    assert_eq!(
        one_record(&mut pair, &payload, &mut wire, &mut out),
        payload.len()
    );
    let before = counting_alloc::now().calls;
    for _ in 0..100 {
        assert_eq!(
            one_record(&mut pair, &payload, &mut wire, &mut out),
            payload.len()
        );
    }
    let after = counting_alloc::now().calls;
    assert_eq!(after - before, 0, "allocations during 100 records");
}

/// The same through `tls12::tokio`: while data keeps coming (no read waits), writing and
/// reading records allocates nothing per record. (A read that waits frees the buffers,
/// see `tests/tokio_buffers.rs`; they come back once when data does.)
#[tokio::test(flavor = "current_thread")]
async fn no_allocation_per_record_through_the_tokio_stream() {
    use std::sync::Arc;
    use tls12::tokio::{TlsAcceptor, TlsConnector};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const RECORDS: usize = 32;
    const CHUNK: usize = 16 * 1024;
    let (c, s) = tokio::io::duplex(4 * RECORDS * CHUNK);
    let connector = TlsConnector::from(Arc::new(client_config()));
    let acceptor = TlsAcceptor::from(Arc::new(server_config(&["server-rsa"])));
    let (client, server) = tokio::join!(connector.connect(server_name(), c), acceptor.accept(s));
    let (mut client, mut server) = (
        client.expect("client handshake"),
        server.expect("server handshake"),
    );
    // The pipe's own buffer grows to its working size first (it keeps it once emptied),
    // so that what is counted below is the TLS streams'.
    let junk = vec![0u8; 2 * RECORDS * CHUNK];
    client
        .get_mut()
        .0
        .write_all(&junk)
        .await
        .expect("raw write");
    let mut sink = vec![0u8; junk.len()];
    server
        .get_mut()
        .0
        .read_exact(&mut sink)
        .await
        .expect("raw read");
    // Each step starts with a fresh cooperative budget: a pipe that ran out of it would
    // say `Pending`, which is a wait.
    tokio::task::yield_now().await;

    // Warm up: the first record allocates the outgoing buffer, the first read the
    // receive buffer.
    let chunk = vec![0x42u8; CHUNK];
    let mut got = vec![0u8; CHUNK];
    client.write_all(&chunk).await.expect("client write");
    server.read_exact(&mut got).await.expect("server read");
    tokio::task::yield_now().await;

    let before = counting_alloc::now().calls;
    for _ in 0..RECORDS {
        client.write_all(&chunk).await.expect("client write");
    }
    client.flush().await.expect("client flush");
    let writes = counting_alloc::now().calls - before;
    tokio::task::yield_now().await;

    let before = counting_alloc::now().calls;
    for _ in 0..RECORDS {
        server.read_exact(&mut got).await.expect("server read");
        assert!(got == chunk, "the server read what the client wrote");
    }
    let reads = counting_alloc::now().calls - before;
    assert_eq!(
        (writes, reads),
        (0, 0),
        "allocations writing and reading {RECORDS} records"
    );
}

/// The heap a handshake between two of our connections takes at its peak (both sides and
/// this harness's flight buffers and event lists), with the configurations given (a
/// session store and a ticket key shared with earlier handshakes).
fn handshake_peak(c: &tls12::ClientConfig, s: &tls12::ServerConfig) -> (usize, bool) {
    let mut resumed = false;
    let (c, s) = (c.clone(), s.clone());
    let peak = counting_alloc::peak_during(|| {
        let mut pair = Pair::new(c, s);
        pair.handshake();
        resumed = pair.client.handshake_summary().expect("complete").resumed;
    });
    (peak, resumed)
}

/// A resumed handshake's records are a few hundred bytes: no receive buffer grows to the
/// 18 KiB a full record needs (`Deframer::start_small`), on either side, by session ID or
/// by ticket; a full handshake, whose server flight carries the certificate chain, does
/// grow the client's.
#[test]
fn a_resumed_handshake_never_allocates_a_full_size_receive_buffer() {
    use tls12::internal::record::Deframer;
    for by_ticket in [false, true] {
        let mut c = client_config();
        let mut s = server_config(&["server-rsa"]);
        if by_ticket {
            s.session_cache = None;
        } else {
            c.enable_tickets = false;
            s.ticketer = None;
        }
        let (full, resumed) = handshake_peak(&c, &s);
        assert!(!resumed);
        assert!(full > Deframer::CAPACITY, "full handshake peak {full}");
        let (peak, resumed) = handshake_peak(&c, &s);
        assert!(resumed, "by ticket: {by_ticket}");
        assert!(
            peak < Deframer::CAPACITY,
            "resumed handshake (by ticket: {by_ticket}) peaked at {peak} bytes"
        );
    }
}

/// The zero-copy pipe: a client seals full-size records with `write_into` straight into the
/// server's `input_space`. Right after the handshake (the server's receive buffer freed, and
/// never grown: its handshake records were small) the space offered still holds a whole
/// 16 KiB record, so every write goes through at once.
#[test]
fn write_into_the_peers_input_space_takes_whole_records_after_the_handshake() {
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    pair.handshake();
    let payload = vec![0x42u8; 16384];
    let mut out = vec![0u8; 4096];
    for _ in 0..3 {
        let space = pair.server.input_space().expect("input_space");
        assert!(
            space.len() >= 5 + 8 + 16384 + 16,
            "room for one record: {}",
            space.len()
        );
        let (taken, written) = pair.client.write_into(&payload, space).expect("write_into");
        assert_eq!(taken, payload.len());
        pair.server.input_received(written).expect("input_received");
        let mut got = 0;
        loop {
            match pair.server.poll_output(&mut out).expect("poll server") {
                Output::ApplicationData(d) => got += d.len(),
                Output::Idle => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(got, payload.len());
    }
}
