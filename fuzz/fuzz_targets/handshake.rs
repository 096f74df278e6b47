//! Handshake message decoding on arbitrary bytes, under each key-exchange context. Decoding
//! must never panic, and whatever decodes with no bytes left over must encode back to
//! exactly the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tls12::codec::{Codec, Reader};
use tls12::msgs::{HandshakeMessage, KxContext};

fuzz_target!(|data: &[u8]| {
    for ctx in [KxContext::Unknown, KxContext::Ecdhe, KxContext::Rsa] {
        let mut r = Reader::new(data);
        if let Ok(m) = HandshakeMessage::read_with(&mut r, ctx) {
            if !r.any_left() {
                let mut out = Vec::new();
                Codec::encode(&m, &mut out);
                assert_eq!(out, data, "decode then encode must give back the input");
            }
        }
    }
});
