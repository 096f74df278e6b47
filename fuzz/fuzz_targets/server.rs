//! A whole server connection against fuzzer-chosen client bytes: see `tls12::fuzzing::server`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::server(data);
});
