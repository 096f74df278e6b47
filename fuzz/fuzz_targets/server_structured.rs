//! Two server connections against a typed, fuzzer-chosen client script (full handshake,
//! session saved and ticket issued, then resumption): see `tls12::fuzzing::structured`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::server_structured(data);
});
