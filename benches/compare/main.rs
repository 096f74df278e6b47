//! Side-by-side benchmark: this crate, rustls 0.23 (ring provider, TLS 1.2 only) and the
//! raw-`ring` floor, on the same workloads, in memory, both endpoints in this one thread;
//! then the `tokio_*` rows, over loopback TCP through `tls12::tokio` and tokio-rustls
//! (`sockets.rs` says how those are measured).
//!
//! ```text
//! cargo bench --bench compare                      # every row, full length
//! cargo bench --bench compare -- bulk_aes128gcm    # one row (or a prefix: `bulk`, `full`)
//! cargo bench --bench compare -- tokio             # the socket rows
//! cargo bench --bench compare -- --smoke           # a few iterations per row: does it run?
//! cargo bench --bench compare -- --secs 1 --rounds 5   # longer, fewer rounds
//! cargo bench --bench compare -- --iters 200 --column tls12 full_rsa   # for a profiler
//! cargo test --all-features --bench compare -- --smoke   # the CI smoke run (debug build)
//! ```
//!
//! It prints a table, then one machine-readable line per row:
//! `BENCH <row> tls12=<value> rustls=<value> floor=<value> unit=<unit>` (`-` where a column
//! does not apply).
//!
//! How each row is measured:
//!
//! - Rates (handshakes per second, MB/s) are per second of this thread's CPU time
//!   (`CLOCK_THREAD_CPUTIME_ID`), so time the thread spends descheduled on a shared machine
//!   counts against no column, and they are the best of several rounds; within a round the
//!   three columns run one after another, so what load remains hits them alike.
//! - `full_*`: a fresh client and server per handshake, no resumption on either side.
//!   The floor is the cryptography such a handshake needs, with raw `ring` calls: both
//!   ephemeral X25519 key pairs and agreements, the server's ServerKeyExchange signature,
//!   the client's two verifications (the server certificate's signature by the CA and the
//!   ServerKeyExchange signature), the client and server randoms, each side's SHA-256
//!   of the handshake messages (as many bytes as our handshake's transcript, finished
//!   three times per side), the TLS PRF (HMAC-SHA-256) for the extended master secret,
//!   key block and the four Finished computations, the four record keys and the two
//!   encrypted Finished records (sealed and opened). Not in it: X.509 parsing and path
//!   building, message encoding and parsing, memory management.
//! - `resume_*`: a primed client re-connects to the same server and resumes (session ID,
//!   or a ticket). The floor: the randoms, the transcript hash (as many bytes as rustls's
//!   resumed handshake), the PRF for the key block and the Finished messages, the record
//!   keys and the two Finished records; for tickets also opening the ticket and sealing
//!   a new one (ChaCha20-Poly1305, as rustls's ticketer does).
//! - `bulk_*`: 16 KiB application-data writes client to server, sealed and opened (MB/s
//!   of plaintext, 10^6 bytes). tls12 uses `write_into` to seal straight into the
//!   server's `input_space` (the in-memory stand-in for a socket write and read) and
//!   borrows the decrypted data in place; rustls its buffered `writer()` /
//!   `write_tls` / `read_tls` / `reader()` API. The floor seals and opens the same records
//!   in place with `ring::aead`, in a buffer placed so that the payload is 64-byte aligned
//!   (its best case).
//! - `mem_client` / `mem_server`: heap bytes held by one established, idle connection
//!   (all output drained), counted by the global allocator below.
//! - `allocs_per_record`: heap allocations (including reallocations) per 16 KiB record,
//!   client write to server read, after the handshake and one warm-up record.
//!
//! The modules: `harness` (options, timing, the table and `BENCH` lines), `tls12_side`
//! and `rustls_side` (each column's configurations and in-memory workloads), `floor`
//! (raw `ring`), `memory` (the counting allocator's rows), `sockets` (the tokio rows).

#[path = "../../tests/common/mod.rs"]
mod common;

mod floor;
mod harness;
mod memory;
mod rustls_side;
mod sockets;
mod tls12_side;

use std::time::Instant;

use ring::aead;
use tls12::enums::CipherSuite;

use common::counting_alloc::Counting;
use floor::{floor_bulk, floor_full, floor_resume};
use harness::{Opts, ROWS, Row, Work, print_table, rates};
use memory::{allocs_per_record, rustls_mem, tls12_mem};
use rustls_side::{RustlsResume, rustls_bulk, rustls_handshakes};
use tls12_side::{ResumeKind, tls12_bulk, tls12_configs, tls12_full, tls12_resume};

/// The counting allocator of the tests (`tests/common/counting_alloc.rs`): it counts per
/// thread, and each in-memory row runs on this one.
#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let opts = Opts::parse().unwrap_or_else(|e| panic!("{e} (try --help)"));
    if let Some(spec) = &opts.mem_clients {
        sockets::mem_clients(spec);
        return;
    }
    let started = Instant::now();
    println!(
        "tls12 vs rustls 0.23 (ring, TLS 1.2) vs raw ring; {} mode; {} thread(s) available",
        if opts.smoke { "smoke" } else { "full" },
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let mut rows = Vec::new();

    handshake_rows(&opts, &mut rows);
    bulk_rows(&opts, &mut rows);
    memory_rows(&opts, &mut rows);
    sockets::tokio_rows(&opts, &mut rows);
    print_table(&rows);
    if opts.filters.is_empty() {
        assert_eq!(rows.len(), ROWS.len(), "every row ran");
    }
    println!("\n({:.1}s)", started.elapsed().as_secs_f64());
}

/// The full and resumed handshake rows (and, with `full_rsa`, the allocations per handshake).
fn handshake_rows(opts: &Opts, rows: &mut Vec<Row>) {
    let rsa = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    let ecdsa = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    for (name, what, suite, key) in [
        (
            "full_rsa",
            "full hs ECDHE-RSA-2048 x25519 AES128",
            rsa,
            "server-rsa",
        ),
        (
            "full_ecdsa",
            "full hs ECDHE-ECDSA-P256 x25519 AES128",
            ecdsa,
            "server-p256",
        ),
    ] {
        if !opts.wants(name) {
            continue;
        }
        let (c, s) = tls12_configs(suite, key);
        let r = rates(
            opts,
            vec![
                Some(tls12_full(&c, &s)),
                Some(rustls_handshakes(RustlsResume::Off, key)),
                Some(floor_full(key != "server-rsa")),
            ],
        );
        rows.push(Row {
            name,
            what,
            tls12: r[0],
            rustls: r[1],
            floor: r[2],
            unit: "handshakes/s",
            lower_better: false,
        });
    }

    for (name, what, kind, rk) in [
        (
            "resume_id",
            "resumed hs, session ID",
            ResumeKind::SessionId,
            RustlsResume::SessionId,
        ),
        (
            "resume_ticket",
            "resumed hs, ticket",
            ResumeKind::Ticket,
            RustlsResume::Ticket,
        ),
    ] {
        if !opts.wants(name) {
            continue;
        }
        let r = rates(
            opts,
            vec![
                tls12_resume(kind),
                Some(rustls_handshakes(rk, "server-rsa")),
                Some(floor_resume(kind)),
            ],
        );
        rows.push(Row {
            name,
            what,
            tls12: r[0],
            rustls: r[1],
            floor: r[2],
            unit: "handshakes/s",
            lower_better: false,
        });
    }

    if opts.wants("full_rsa") && opts.column.is_none() {
        // Not a row of the issue: context for the handshake figures.
        let (c, s) = tls12_configs(rsa, "server-rsa");
        let n = if opts.smoke { 2 } else { 50 };
        let per_hs = |w: Work<'_>| allocs_per_record(w, n);
        println!(
            "heap allocations per full ECDHE-RSA handshake (both endpoints): tls12 {:.0}, rustls {:.0}",
            per_hs(tls12_full(&c, &s)),
            per_hs(rustls_handshakes(RustlsResume::Off, "server-rsa")),
        );
    }
}

/// The bulk rows: MB/s of 16 KiB records, sealed and opened.
fn bulk_rows(opts: &Opts, rows: &mut Vec<Row>) {
    for (name, what, suite, key, alg) in [
        (
            "bulk_aes128gcm",
            "16 KiB writes, AES-128-GCM",
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            "server-rsa",
            &aead::AES_128_GCM,
        ),
        (
            "bulk_aes256gcm",
            "16 KiB writes, AES-256-GCM",
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            "server-rsa",
            &aead::AES_256_GCM,
        ),
        (
            "bulk_chacha20",
            "16 KiB writes, ChaCha20-Poly1305",
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            "server-rsa",
            &aead::CHACHA20_POLY1305,
        ),
    ] {
        if !opts.wants(name) {
            continue;
        }
        let r = rates(
            opts,
            vec![
                Some(tls12_bulk(suite, key)),
                Some(rustls_bulk(suite, key)),
                Some(floor_bulk(alg)),
            ],
        );
        let mb = |v: Option<f64>| v.map(|ops| ops * 16384.0 / 1e6);
        rows.push(Row {
            name,
            what,
            tls12: mb(r[0]),
            rustls: mb(r[1]),
            floor: mb(r[2]),
            unit: "MB/s",
            lower_better: false,
        });
    }
}

/// Heap per idle connection, and allocations per record.
fn memory_rows(opts: &Opts, rows: &mut Vec<Row>) {
    if opts.wants("mem_client") || opts.wants("mem_server") {
        let (tc, ts) = tls12_mem();
        let (rc, rs) = rustls_mem();
        for (name, what, t, r) in [
            ("mem_client", "heap per idle client connection", tc, rc),
            ("mem_server", "heap per idle server connection", ts, rs),
        ] {
            if opts.wants(name) {
                rows.push(Row {
                    name,
                    what,
                    tls12: Some(t),
                    rustls: Some(r),
                    floor: None,
                    unit: "bytes",
                    lower_better: true,
                });
            }
        }
    }

    if opts.wants("allocs_per_record") {
        let n = if opts.smoke { 10 } else { 1000 };
        let suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
        rows.push(Row {
            name: "allocs_per_record",
            what: "heap allocations per 16 KiB record",
            tls12: Some(allocs_per_record(tls12_bulk(suite, "server-rsa"), n)),
            rustls: Some(allocs_per_record(rustls_bulk(suite, "server-rsa"), n)),
            floor: Some(allocs_per_record(floor_bulk(&aead::AES_128_GCM), n)),
            unit: "allocs/record",
            lower_better: true,
        });
    }
}
