//! `examples/embedded.rs` under the counting global allocator it shares with the tests
//! (`tests/common/counting_alloc.rs`): a bounded heap peak during the handshake, then no
//! allocation and no heap growth during the data exchange through its fixed buffers.

#[path = "../examples/embedded.rs"]
#[allow(dead_code)]
mod embedded;

use embedded::heap::{self, Counting};
use embedded::{Embedded, HANDSHAKE_HEAP_BOUND, MESSAGE_LEN};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One test function, so that no other test thread allocates while it measures.
#[test]
fn handshake_heap_is_bounded_and_data_exchange_does_not_allocate() {
    let mut e = Embedded::setup().expect("setup");
    let after_setup = heap::now();
    heap::reset_peak();

    let summary = e.handshake().expect("handshake");
    let after_handshake = heap::now();
    assert!(summary.group.is_some(), "an ECDHE handshake");
    let peak = after_handshake.peak - after_setup.current;
    assert!(
        peak <= HANDSHAKE_HEAP_BOUND,
        "handshake heap peak {peak} bytes above setup, bound {HANDSHAKE_HEAP_BOUND}"
    );
    assert!(peak > 0, "the counter sees the handshake's allocations");

    for round in 0..200 {
        let len = 1 + (round * 37) % MESSAGE_LEN;
        assert_eq!(e.round_trip(round, len).expect("round trip"), len);
    }
    let after_data = heap::now();
    assert_eq!(
        after_data.calls - after_handshake.calls,
        0,
        "allocations during 200 round trips"
    );
    assert_eq!(
        after_data.current, after_handshake.current,
        "heap bytes in use before and after the data exchange"
    );
}
