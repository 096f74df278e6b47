//! The structure-aware fuzz targets (`tls12::fuzzing::structured`): their scripts complete
//! real handshakes, so the fuzzer starts from connections that get past the handshake.
#![cfg(all(feature = "fuzzing", feature = "arbitrary"))]

use tls12::fuzzing::structured::*;

#[test]
fn the_empty_script_completes_both_connections_of_each_target() {
    for (side, outcomes) in [
        ("client", client_structured(&[])),
        ("server", server_structured(&[])),
    ] {
        assert_eq!(outcomes.len(), 2, "{side}");
        for (i, o) in outcomes.iter().enumerate() {
            assert!(o.error.is_none(), "{side} connection {i}: {:?}", o.error);
            assert!(o.summary.is_some(), "{side} connection {i}: no handshake");
        }
    }
}
