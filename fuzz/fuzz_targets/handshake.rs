//! Handshake message decoding on arbitrary bytes: see `tls12::fuzzing::handshake`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls12::fuzzing::handshake(data));
