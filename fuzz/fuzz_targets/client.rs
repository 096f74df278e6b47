//! A whole client connection against fuzzer-chosen server bytes: see `tls12::fuzzing::client`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::client(data);
});
