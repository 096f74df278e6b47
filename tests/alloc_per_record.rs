//! Once the handshake is over, sending and receiving application data allocates nothing:
//! records are sealed into a reused buffer and opened in place in the receive buffer.

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
