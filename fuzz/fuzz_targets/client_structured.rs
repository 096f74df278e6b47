//! Two client connections against a typed, fuzzer-chosen server script (full handshake,
//! ticket stored, then resumption): see `tls12::fuzzing::structured`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::client_structured(data);
});
