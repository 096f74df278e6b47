//! The record layer on arbitrary bytes: see `tls12::fuzzing::record`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tls12::fuzzing::record(data));
