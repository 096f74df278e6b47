//! Memory rows: heap bytes held by idle connections and allocations per operation, read
//! from the counting global allocator (per thread: what this thread allocated and freed).

use tls12::enums::CipherSuite;

use crate::common::counting_alloc;
use crate::harness::Work;
use crate::rustls_side::{RustlsResume, rustls_configs, rustls_handshake, rustls_pair};
use crate::tls12_side::{Shuttle, tls12_configs, tls12_handshake, tls12_pair};

fn live() -> usize {
    counting_alloc::now().current
}

fn allocs() -> usize {
    counting_alloc::now().calls
}

/// Heap bytes held by an established idle client and server made by `pair` (which runs
/// the handshake): one pair first, so that lazily initialised statics are not counted,
/// then a second measured one.
pub fn idle_mem<C, S>(mut pair: impl FnMut() -> (C, S)) -> (f64, f64) {
    drop(pair());
    let before = live();
    let (client, server) = pair();
    let both = live();
    drop(server);
    let client_only = live();
    drop(client);
    (
        client_only.saturating_sub(before) as f64,
        both.saturating_sub(client_only) as f64,
    )
}

/// Heap bytes held by an established idle (client, server) pair of ours.
pub fn tls12_mem() -> (f64, f64) {
    let (c, s) = tls12_configs(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "server-rsa",
    );
    let mut sh = Shuttle::new();
    idle_mem(|| {
        let (mut client, mut server) = tls12_pair(&c, &s);
        tls12_handshake(&mut client, &mut server, &mut sh);
        (client, server)
    })
}

pub fn rustls_mem() -> (f64, f64) {
    let (c, s) = rustls_configs(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "server-rsa",
        RustlsResume::Off,
    );
    let mut wire = Vec::with_capacity(32 * 1024);
    idle_mem(|| {
        let (mut client, mut server) = rustls_pair(&c, &s);
        rustls_handshake(&mut client, &mut server, &mut wire);
        (client, server)
    })
}

/// Allocations per operation (a record, a handshake) of a workload, after one warm-up.
pub fn allocs_per_record(mut work: Work<'_>, records: u64) -> f64 {
    work(1);
    let before = allocs();
    work(records);
    (allocs() - before) as f64 / records as f64
}
