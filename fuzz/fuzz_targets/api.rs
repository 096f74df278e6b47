//! A client and a server driven through the public API by a fuzzer-chosen sequence of
//! calls: see `tls12::fuzzing::api`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tls12::fuzzing::api(data);
});
