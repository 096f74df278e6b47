//! Side-by-side benchmark: this crate, rustls 0.23 (ring provider, TLS 1.2 only) and the
//! raw-`ring` floor, on the same workloads, in memory, both endpoints in this one thread.
//!
//! ```text
//! cargo bench --bench compare                      # every row, full length
//! cargo bench --bench compare -- bulk_aes128gcm    # one row (or a prefix: `bulk`, `full`)
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

#[path = "../tests/common/mod.rs"]
mod common;

use common::counting_alloc::{self, Counting};

use std::hint::black_box;
use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, KeyPair};
use ring::{aead, agreement, digest, hmac};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use tls12::enums::{CipherSuite, NamedGroup};
use tls12::{ClientConnection, Connection, Output, ServerConnection};

// ---------------------------------------------------------------------------------------
// Counting allocator (tests/common/counting_alloc.rs): it counts per thread, and the
// benchmark runs on one.

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> usize {
    counting_alloc::now().current
}

fn allocs() -> usize {
    counting_alloc::now().calls
}

// ---------------------------------------------------------------------------------------
// Options, timing, output.

struct Opts {
    smoke: bool,
    secs: f64,
    rounds: usize,
    /// A fixed number of operations per column (one round, no calibration): for profiling.
    iters: Option<u64>,
    /// Only this column (tls12, rustls or floor): for profiling.
    column: Option<String>,
    filters: Vec<String>,
}

impl Opts {
    fn parse() -> Result<Self, lexopt::Error> {
        use lexopt::prelude::*;
        let mut o = Opts {
            smoke: std::env::var_os("TLS12_BENCH_SMOKE").is_some(),
            secs: 0.3,
            rounds: 10,
            iters: None,
            column: None,
            filters: Vec::new(),
        };
        let mut args = lexopt::Parser::from_env();
        while let Some(arg) = args.next()? {
            match arg {
                // cargo bench passes --bench to harness = false targets.
                Long("bench") => {}
                Long("smoke") => o.smoke = true,
                Long("secs") => o.secs = args.value()?.parse()?,
                Long("rounds") => o.rounds = args.value()?.parse()?,
                Long("iters") => o.iters = Some(args.value()?.parse()?),
                Long("column") => {
                    let c: String = args.value()?.parse()?;
                    if !COLUMNS.contains(&c.as_str()) {
                        return Err("--column takes tls12, rustls or floor".into());
                    }
                    o.column = Some(c);
                }
                Short('h') | Long("help") => {
                    println!(
                        "usage: cargo bench --bench compare -- [--smoke] [--secs S] [--rounds N] \
                         [--iters N] [--column tls12|rustls|floor] [ROW|PREFIX]..\n\
                         rows: {}",
                        ROWS.join(" ")
                    );
                    std::process::exit(0);
                }
                Value(row) => o.filters.push(row.string()?),
                _ => return Err(arg.unexpected()),
            }
        }
        for f in &o.filters {
            assert!(
                ROWS.iter().any(|r| r.starts_with(f.as_str())),
                "no row matches {f:?}; rows: {}",
                ROWS.join(" ")
            );
        }
        Ok(o)
    }

    fn wants(&self, row: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| row.starts_with(f.as_str()))
    }
}

const COLUMNS: [&str; 3] = ["tls12", "rustls", "floor"];

const ROWS: [&str; 10] = [
    "full_rsa",
    "full_ecdsa",
    "resume_id",
    "resume_ticket",
    "bulk_aes128gcm",
    "bulk_aes256gcm",
    "bulk_chacha20",
    "mem_client",
    "mem_server",
    "allocs_per_record",
];

/// The CPU time this thread has used: time while the thread is not running (other
/// processes on a shared machine) does not count against any column. Kernel time spent for
/// the thread (the getrandom system calls) does.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the call only writes it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// A workload: `run(n)` does `n` operations.
type Work<'a> = Box<dyn FnMut(u64) + 'a>;

/// Operations per second for each column: the best of `rounds` rounds, each column timed
/// for about `secs` per round (in smoke mode: a couple of operations, once).
fn rates(opts: &Opts, mut cols: Vec<Option<Work<'_>>>) -> Vec<Option<f64>> {
    if let Some(only) = &opts.column {
        for (i, c) in cols.iter_mut().enumerate() {
            if COLUMNS[i] != only {
                *c = None;
            }
        }
    }
    let mut best: Vec<Option<f64>> = vec![None; cols.len()];
    // Calibrate: how many operations fit in a round.
    let mut batch: Vec<u64> = Vec::new();
    for w in cols.iter_mut() {
        let Some(w) = w else {
            batch.push(0);
            continue;
        };
        if opts.smoke || opts.iters.is_some() {
            batch.push(opts.iters.unwrap_or(2));
            continue;
        }
        let mut n = 1u64;
        loop {
            let t = cpu_time();
            w(n);
            let el = (cpu_time() - t).as_secs_f64();
            if el > 0.05 {
                batch.push(((opts.secs / el * n as f64) as u64).max(1));
                break;
            }
            n *= 4;
        }
    }
    let rounds = if opts.smoke || opts.iters.is_some() {
        1
    } else {
        opts.rounds
    };
    for _ in 0..rounds {
        for (i, w) in cols.iter_mut().enumerate() {
            let Some(w) = w else { continue };
            let t = cpu_time();
            w(batch[i]);
            let r = batch[i] as f64 / (cpu_time() - t).as_secs_f64().max(1e-9);
            best[i] = Some(best[i].map_or(r, |b: f64| b.max(r)));
        }
    }
    best
}

struct Row {
    name: &'static str,
    what: &'static str,
    tls12: Option<f64>,
    rustls: Option<f64>,
    floor: Option<f64>,
    unit: &'static str,
    /// Lower is better (memory, allocations).
    lower_better: bool,
}

fn fmt_val(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if v == v.trunc() && v.abs() < 1e15 => format!("{}", v as i64),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>, lower_better: bool) -> String {
    match (a, b) {
        (Some(a), Some(b)) if lower_better && b > 0.0 => format!("{:.2}", a / b),
        (Some(a), Some(b)) if !lower_better && b > 0.0 => format!("{:.2}", a / b),
        _ => "-".to_string(),
    }
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "{:<18} {:<34} {:>12} {:>12} {:>12} {:>14} {:>12} {:>14}",
        "row", "what", "tls12", "rustls", "floor", "unit", "tls12/rustls", "tls12/floor"
    );
    for r in rows {
        println!(
            "{:<18} {:<34} {:>12} {:>12} {:>12} {:>14} {:>12} {:>14}",
            r.name,
            r.what,
            fmt_val(r.tls12),
            fmt_val(r.rustls),
            fmt_val(r.floor),
            r.unit,
            ratio(r.tls12, r.rustls, r.lower_better),
            ratio(r.tls12, r.floor, r.lower_better),
        );
    }
    println!();
    for r in rows {
        println!(
            "BENCH {} tls12={} rustls={} floor={} unit={}",
            r.name,
            fmt_val(r.tls12),
            fmt_val(r.rustls),
            fmt_val(r.floor),
            r.unit
        );
    }
}

// ---------------------------------------------------------------------------------------
// tls12 side.

/// Moves bytes between two of our connections, with buffers reused across calls.
struct Shuttle {
    poll: Vec<u8>,
    to_server: Vec<u8>,
    to_client: Vec<u8>,
    app: usize,
}

impl Shuttle {
    fn new() -> Self {
        Self {
            poll: vec![0u8; 32 * 1024],
            to_server: Vec::with_capacity(32 * 1024),
            to_client: Vec::with_capacity(32 * 1024),
            app: 0,
        }
    }
}

/// Feeds `input` to `conn` and drains it: transmitted bytes go to `out`, application data
/// is counted (and dropped) in `app`.
fn tls12_pump(
    conn: &mut Connection,
    mut input: &[u8],
    out: &mut Vec<u8>,
    poll: &mut [u8],
    app: &mut usize,
) {
    loop {
        let n = conn.handle_input(input).expect("tls12 input");
        input = &input[n..];
        loop {
            match conn.poll_output(poll).expect("tls12 poll") {
                Output::Transmit(b) => out.extend_from_slice(b),
                Output::ApplicationData(d) => *app += d.len(),
                Output::Idle => break,
                _ => {}
            }
        }
        if input.is_empty() {
            return;
        }
    }
}

fn tls12_handshake(client: &mut ClientConnection, server: &mut ServerConnection, sh: &mut Shuttle) {
    let Shuttle {
        poll,
        to_server,
        to_client,
        app,
    } = sh;
    tls12_pump(client, &[], to_server, poll, app);
    for _ in 0..10 {
        if to_server.is_empty() && to_client.is_empty() {
            break;
        }
        tls12_pump(server, to_server, to_client, poll, app);
        to_server.clear();
        tls12_pump(client, to_client, to_server, poll, app);
        to_client.clear();
    }
    assert!(
        !client.is_handshaking() && !server.is_handshaking(),
        "tls12 handshake did not complete"
    );
    let summary = client.handshake_summary().expect("complete");
    assert!(
        summary.resumed || summary.group == Some(NamedGroup::X25519),
        "tls12 negotiated {:?}",
        summary.group
    );
}

fn tls12_configs(
    suite: CipherSuite,
    key: &str,
) -> (Arc<tls12::ClientConfig>, Arc<tls12::ServerConfig>) {
    let (c, s) = tls12_configs_resuming(suite, key, None);
    (Arc::new(c), Arc::new(s))
}

/// Configurations with resumption off (`None`, as the rustls column's `Off`), or on by
/// session ID (client tickets off, server ticketer off) or by ticket (server cache off).
fn tls12_configs_resuming(
    suite: CipherSuite,
    key: &str,
    resume: Option<ResumeKind>,
) -> (tls12::ClientConfig, tls12::ServerConfig) {
    let mut c = common::client_config();
    c.common.set_suites(&[suite]).expect("suite implemented");
    c.common.require_ems = true;
    let mut s = common::server_config(&[key]);
    s.common.set_suites(&[suite]).expect("suite implemented");
    s.common.require_ems = true;
    match resume {
        None => {
            c.session_store = None;
            s.session_cache = None;
            s.ticketer = None;
        }
        Some(ResumeKind::SessionId) => {
            c.enable_tickets = false;
            s.ticketer = None;
        }
        Some(ResumeKind::Ticket) => {
            s.session_cache = None;
        }
    }
    (c, s)
}

fn tls12_pair(
    c: &Arc<tls12::ClientConfig>,
    s: &Arc<tls12::ServerConfig>,
) -> (ClientConnection, ServerConnection) {
    (
        ClientConnection::new(c.clone(), common::server_name()).expect("tls12 client"),
        ServerConnection::new(s.clone()).expect("tls12 server"),
    )
}

fn tls12_full<'a>(c: &'a Arc<tls12::ClientConfig>, s: &'a Arc<tls12::ServerConfig>) -> Work<'a> {
    let mut sh = Shuttle::new();
    Box::new(move |n| {
        for _ in 0..n {
            let (mut client, mut server) = tls12_pair(c, s);
            tls12_handshake(&mut client, &mut server, &mut sh);
            black_box((&client, &server));
        }
    })
}

#[derive(Clone, Copy, Debug)]
enum ResumeKind {
    SessionId,
    Ticket,
}

/// `n` resumed handshakes of `kind` (ECDHE-RSA, x25519, AES-128-GCM, as the rustls
/// column): one full handshake primes the client's session store and the server's cache
/// (or ticket key) outside the closure; each iteration is a fresh pair on the same
/// configurations, and must resume.
fn tls12_resume(kind: ResumeKind) -> Option<Work<'static>> {
    let (c, s) = tls12_configs_resuming(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "server-rsa",
        Some(kind),
    );
    let (c, s) = (Arc::new(c), Arc::new(s));
    let mut sh = Shuttle::new();
    let (mut client, mut server) = tls12_pair(&c, &s);
    tls12_handshake(&mut client, &mut server, &mut sh);
    Some(Box::new(move |n| {
        for _ in 0..n {
            let (mut client, mut server) = tls12_pair(&c, &s);
            tls12_handshake(&mut client, &mut server, &mut sh);
            assert!(
                client.handshake_summary().is_some_and(|s| s.resumed),
                "tls12 {kind:?} did not resume"
            );
            black_box((&client, &server));
        }
    }))
}

fn tls12_bulk(suite: CipherSuite, key: &str) -> Work<'static> {
    let (c, s) = tls12_configs(suite, key);
    let (mut client, mut server) = tls12_pair(&c, &s);
    let mut sh = Shuttle::new();
    tls12_handshake(&mut client, &mut server, &mut sh);
    let payload = vec![0x42u8; 16384];
    let mut poll = vec![0u8; 4096];
    Box::new(move |n| {
        for _ in 0..n {
            // The client seals straight into the server's receive buffer: the in-memory
            // stand-in for a socket write and read, with no copy of the record.
            let space = server.input_space().expect("input_space");
            let (taken, written) = client.write_into(&payload, space).expect("write_into");
            assert_eq!(taken, payload.len());
            server.input_received(written).expect("input_received");
            let mut got = 0;
            loop {
                match server.poll_output(&mut poll).expect("tls12 poll") {
                    Output::ApplicationData(d) => got += black_box(d).len(),
                    Output::Idle => break,
                    other => panic!("unexpected {other:?}"),
                }
            }
            assert_eq!(got, payload.len());
        }
    })
}

// ---------------------------------------------------------------------------------------
// rustls side.

#[derive(Debug)]
struct FixedClock;

impl rustls::time_provider::TimeProvider for FixedClock {
    fn current_time(&self) -> Option<UnixTime> {
        Some(UnixTime::since_unix_epoch(Duration::from_secs(
            common::TEST_TIME,
        )))
    }
}

fn rustls_provider(suite: CipherSuite) -> Arc<rustls::crypto::CryptoProvider> {
    let mut p = rustls::crypto::ring::default_provider();
    p.cipher_suites.retain(|s| u16::from(s.suite()) == suite.0);
    assert_eq!(p.cipher_suites.len(), 1, "rustls implements {suite:?}");
    Arc::new(p)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RustlsResume {
    Off,
    SessionId,
    Ticket,
}

fn rustls_configs(
    suite: CipherSuite,
    key: &str,
    resume: RustlsResume,
) -> (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>) {
    let mut roots = rustls::RootCertStore::empty();
    for ca in ["ca-rsa", "ca-ecdsa"] {
        roots
            .add(CertificateDer::from(common::pki(&format!("{ca}.crt.der"))))
            .expect("test root parses");
    }
    let mut c = rustls::ClientConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2")
        .with_root_certificates(roots)
        .with_no_client_auth();
    c.require_ems = true;
    c.time_provider = Arc::new(FixedClock);
    c.resumption = match resume {
        RustlsResume::Off => rustls::client::Resumption::disabled(),
        RustlsResume::SessionId => rustls::client::Resumption::in_memory_sessions(256)
            .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOnly),
        RustlsResume::Ticket => rustls::client::Resumption::in_memory_sessions(256)
            .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOrTickets),
    };

    let issuer = if key.ends_with("rsa") {
        "ca-rsa"
    } else {
        "ca-ecdsa"
    };
    let chain = vec![
        CertificateDer::from(common::pki(&format!("{key}.crt.der"))),
        CertificateDer::from(common::pki(&format!("{issuer}.crt.der"))),
    ];
    let private = PrivateKeyDer::try_from(common::pki(&format!("{key}.key.der"))).expect("key");
    let mut s = rustls::ServerConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2")
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .expect("rustls accepts the test certificate");
    s.require_ems = true;
    s.time_provider = Arc::new(FixedClock);
    match resume {
        RustlsResume::Off => {
            s.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        }
        RustlsResume::SessionId => {
            s.session_storage = rustls::server::ServerSessionMemoryCache::new(256);
        }
        RustlsResume::Ticket => {
            s.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
            s.ticketer = rustls::crypto::ring::Ticketer::new().expect("ticketer");
        }
    }
    (Arc::new(c), Arc::new(s))
}

fn rustls_pair(
    c: &Arc<rustls::ClientConfig>,
    s: &Arc<rustls::ServerConfig>,
) -> (rustls::ClientConnection, rustls::ServerConnection) {
    let name = rustls::pki_types::ServerName::try_from("testserver.tls12.test").expect("name");
    (
        rustls::ClientConnection::new(c.clone(), name).expect("rustls client"),
        rustls::ServerConnection::new(s.clone()).expect("rustls server"),
    )
}

/// Moves whatever `from` wants to send into `to` (through `wire`) and processes it.
fn rustls_transfer<A, B, DA, DB>(from: &mut A, to: &mut B, wire: &mut Vec<u8>) -> usize
where
    A: std::ops::DerefMut<Target = rustls::ConnectionCommon<DA>>,
    B: std::ops::DerefMut<Target = rustls::ConnectionCommon<DB>>,
{
    wire.clear();
    while from.wants_write() {
        from.write_tls(wire).expect("write into a Vec");
    }
    let mut input = &wire[..];
    while !input.is_empty() {
        to.read_tls(&mut input).expect("rustls read_tls");
        to.process_new_packets().expect("rustls process");
    }
    wire.len()
}

fn rustls_handshake(
    client: &mut rustls::ClientConnection,
    server: &mut rustls::ServerConnection,
    wire: &mut Vec<u8>,
) {
    for _ in 0..10 {
        let a = rustls_transfer(client, server, wire);
        let b = rustls_transfer(server, client, wire);
        if a == 0 && b == 0 {
            break;
        }
    }
    assert!(
        !client.is_handshaking() && !server.is_handshaking(),
        "rustls handshake did not complete"
    );
}

fn rustls_handshakes(resume: RustlsResume, key: &'static str) -> Work<'static> {
    let suite = if key == "server-rsa" {
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    } else {
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    };
    let (c, s) = rustls_configs(suite, key, resume);
    let mut wire = Vec::with_capacity(32 * 1024);
    let want = if resume == RustlsResume::Off {
        rustls::HandshakeKind::Full
    } else {
        // Prime the client's session store.
        let (mut client, mut server) = rustls_pair(&c, &s);
        rustls_handshake(&mut client, &mut server, &mut wire);
        rustls::HandshakeKind::Resumed
    };
    Box::new(move |n| {
        for _ in 0..n {
            let (mut client, mut server) = rustls_pair(&c, &s);
            rustls_handshake(&mut client, &mut server, &mut wire);
            assert_eq!(client.handshake_kind(), Some(want), "rustls {resume:?}");
            if want == rustls::HandshakeKind::Full {
                let group = client.negotiated_key_exchange_group().map(|g| g.name());
                assert_eq!(group, Some(rustls::NamedGroup::X25519));
            }
            black_box((&client, &server));
        }
    })
}

fn rustls_bulk(suite: CipherSuite, key: &str) -> Work<'static> {
    let (c, s) = rustls_configs(suite, key, RustlsResume::Off);
    let (mut client, mut server) = rustls_pair(&c, &s);
    let mut wire = Vec::with_capacity(32 * 1024);
    rustls_handshake(&mut client, &mut server, &mut wire);
    let payload = vec![0x42u8; 16384];
    let mut out = vec![0u8; 16384];
    Box::new(move |n| {
        for _ in 0..n {
            client.writer().write_all(&payload).expect("rustls write");
            rustls_transfer(&mut client, &mut server, &mut wire);
            let mut got = 0;
            loop {
                match server.reader().read(&mut out) {
                    Ok(n) => got += black_box(&out[..n]).len(),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("rustls reader: {e}"),
                }
                if got == payload.len() {
                    break;
                }
            }
            assert_eq!(got, payload.len());
        }
    })
}

// ---------------------------------------------------------------------------------------
// The floor: raw ring.

/// TLS 1.2 PRF with HMAC-SHA-256 (RFC 5246 section 5), straight on `ring::hmac`.
fn prf(secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut a = {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(label);
        ctx.update(seed);
        ctx.sign()
    };
    let mut at = 0;
    while at < out.len() {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(a.as_ref());
        ctx.update(label);
        ctx.update(seed);
        let p = ctx.sign();
        let n = (out.len() - at).min(p.as_ref().len());
        out[at..at + n].copy_from_slice(&p.as_ref()[..n]);
        at += n;
        a = hmac::sign(&key, a.as_ref());
    }
}

/// How many bytes of handshake messages the transcript hash of a handshake covers, from
/// its flights in order: every handshake record before a side's ChangeCipherSpec, plus the
/// two Finished messages (16 bytes each in TLS 1.2) after them.
fn transcript_len(flights: &[Vec<u8>]) -> usize {
    let mut total = 2 * 16;
    for flight in flights {
        let mut at = 0;
        while let Some(h) = flight.get(at..at + 5) {
            let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
            match h[0] {
                20 => break, // ChangeCipherSpec: what follows is encrypted.
                22 => total += len,
                _ => {}
            }
            at += 5 + len;
        }
    }
    total
}

/// The flights of one full handshake of ours (ECDHE-RSA or ECDHE-ECDSA), in order.
fn tls12_flights(suite: CipherSuite, key: &str) -> Vec<Vec<u8>> {
    let (c, s) = tls12_configs(suite, key);
    let (mut client, mut server) = tls12_pair(&c, &s);
    let (mut poll, mut app) = (vec![0u8; 32 * 1024], 0);
    let mut flights = Vec::new();
    let mut to_server = Vec::new();
    tls12_pump(&mut client, &[], &mut to_server, &mut poll, &mut app);
    while !to_server.is_empty() {
        let mut to_client = Vec::new();
        tls12_pump(&mut server, &to_server, &mut to_client, &mut poll, &mut app);
        flights.push(std::mem::take(&mut to_server));
        tls12_pump(&mut client, &to_client, &mut to_server, &mut poll, &mut app);
        flights.push(to_client);
    }
    flights
}

/// The flights of one resumed rustls handshake (after a priming one), in order.
fn rustls_resumed_flights(resume: RustlsResume) -> Vec<Vec<u8>> {
    let (c, s) = rustls_configs(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "server-rsa",
        resume,
    );
    let mut wire = Vec::new();
    let (mut client, mut server) = rustls_pair(&c, &s);
    rustls_handshake(&mut client, &mut server, &mut wire);
    let (mut client, mut server) = rustls_pair(&c, &s);
    let mut flights = Vec::new();
    for _ in 0..10 {
        let a = rustls_transfer(&mut client, &mut server, &mut wire);
        flights.push(wire.clone());
        let b = rustls_transfer(&mut server, &mut client, &mut wire);
        flights.push(wire.clone());
        if a == 0 && b == 0 {
            break;
        }
    }
    assert_eq!(
        client.handshake_kind(),
        Some(rustls::HandshakeKind::Resumed)
    );
    flights
}

/// What each side hashes of the transcript: `len` bytes of messages through one running
/// SHA-256, finished three times (extended master secret or none, and the two Finished).
fn floor_transcript(len: usize, msgs: &[u8]) {
    for _side in 0..2 {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(&msgs[..len]);
        for _ in 0..3 {
            black_box(ctx.clone().finish());
        }
    }
}

/// The client and server randoms.
fn floor_randoms(rng: &SystemRandom) {
    let mut random = [0u8; 32];
    for _ in 0..2 {
        rng.fill(&mut random).expect("random");
        black_box(&random);
    }
}

/// The key-schedule and record work of a handshake after the master secret: each side
/// derives the key block and both Finished values, makes its two record keys, and one
/// Finished record is sealed and opened each way.
fn floor_finish(master: &[u8; 48], alg: &'static aead::Algorithm) {
    let randoms = [0x11u8; 64];
    let hash = [0x22u8; 32];
    for _side in 0..2 {
        let mut block = [0u8; 40];
        prf(master, b"key expansion", &randoms, &mut block);
        let mut vd = [0u8; 12];
        prf(master, b"client finished", &hash, &mut vd);
        prf(master, b"server finished", &hash, &mut vd);
        let _write = aead::LessSafeKey::new(aead::UnboundKey::new(alg, &block[..16]).expect("key"));
        let read = aead::LessSafeKey::new(aead::UnboundKey::new(alg, &block[16..32]).expect("key"));
        // Seal our Finished (with the peer's key standing in for ours: same work) and open
        // it as the peer does.
        let mut rec = [0u8; 16 + 16];
        rec[..4].copy_from_slice(&[20, 0, 0, 12]);
        rec[4..16].copy_from_slice(&vd);
        let nonce = [0u8; 12];
        let aad = [0u8; 13];
        let tag = read
            .seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                &mut rec[..16],
            )
            .expect("seal");
        rec[16..].copy_from_slice(tag.as_ref());
        read.open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut rec,
        )
        .expect("open");
        black_box(&rec);
    }
}

/// Signs a certificate-sized message with the CA key, so that the floor can verify "the
/// certificate's signature" with one raw ring call.
const TBS_LEN: usize = 900;

fn floor_full(ecdsa: bool) -> Work<'static> {
    let rng = SystemRandom::new();
    let hs_len = if ecdsa {
        transcript_len(&tls12_flights(
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            "server-p256",
        ))
    } else {
        transcript_len(&tls12_flights(
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            "server-rsa",
        ))
    };
    let msgs = vec![0x3cu8; hs_len];
    let tbs = vec![0x5au8; TBS_LEN];
    let params = vec![0x33u8; 3 + 1 + 32 + 64];
    enum Signer {
        Rsa(signature::RsaKeyPair),
        Ecdsa(signature::EcdsaKeyPair),
    }
    let (server, ca_pub, cert_sig, verify_alg, ca_alg): (
        Signer,
        Vec<u8>,
        Vec<u8>,
        &'static dyn signature::VerificationAlgorithm,
        &'static dyn signature::VerificationAlgorithm,
    ) = if ecdsa {
        let ca = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &common::pki("ca-ecdsa.key.der"),
            &rng,
        )
        .expect("CA key");
        let sig = ca.sign(&rng, &tbs).expect("sign").as_ref().to_vec();
        let srv = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &common::pki("server-p256.key.der"),
            &rng,
        )
        .expect("server key");
        (
            Signer::Ecdsa(srv),
            ca.public_key().as_ref().to_vec(),
            sig,
            &signature::ECDSA_P256_SHA256_ASN1,
            &signature::ECDSA_P256_SHA256_ASN1,
        )
    } else {
        let ca = signature::RsaKeyPair::from_pkcs8(&common::pki("ca-rsa.key.der")).expect("CA key");
        let mut sig = vec![0u8; ca.public().modulus_len()];
        ca.sign(&signature::RSA_PKCS1_SHA256, &rng, &tbs, &mut sig)
            .expect("sign");
        let srv = signature::RsaKeyPair::from_pkcs8(&common::pki("server-rsa.key.der"))
            .expect("server key");
        (
            Signer::Rsa(srv),
            ca.public_key().as_ref().to_vec(),
            sig,
            &signature::RSA_PSS_2048_8192_SHA256,
            &signature::RSA_PKCS1_2048_8192_SHA256,
        )
    };
    let server_pub = match &server {
        Signer::Rsa(k) => k.public_key().as_ref().to_vec(),
        Signer::Ecdsa(k) => k.public_key().as_ref().to_vec(),
    };
    let mut ske_sig = vec![0u8; 512];
    Box::new(move |n| {
        for _ in 0..n {
            // Both ephemeral key pairs.
            let c_priv =
                agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("keygen");
            let c_pub = c_priv.compute_public_key().expect("public");
            let s_priv =
                agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("keygen");
            let s_pub = s_priv.compute_public_key().expect("public");
            // The server signs its ServerKeyExchange.
            let sig: &[u8] = match &server {
                Signer::Rsa(k) => {
                    let len = k.public().modulus_len();
                    k.sign(
                        &signature::RSA_PSS_SHA256,
                        &rng,
                        &params,
                        &mut ske_sig[..len],
                    )
                    .expect("sign");
                    &ske_sig[..len]
                }
                Signer::Ecdsa(k) => {
                    let s = k.sign(&rng, &params).expect("sign");
                    let len = s.as_ref().len();
                    ske_sig[..len].copy_from_slice(s.as_ref());
                    &ske_sig[..len]
                }
            };
            // The client checks the certificate's signature and the ServerKeyExchange's.
            signature::UnparsedPublicKey::new(ca_alg, &ca_pub)
                .verify(&tbs, &cert_sig)
                .expect("cert signature");
            signature::UnparsedPublicKey::new(verify_alg, &server_pub)
                .verify(&params, sig)
                .expect("ske signature");
            // Both agreements.
            let mut pms = [[0u8; 32]; 2];
            agreement::agree_ephemeral(
                c_priv,
                &agreement::UnparsedPublicKey::new(&agreement::X25519, s_pub.as_ref()),
                |k| pms[0].copy_from_slice(k),
            )
            .expect("agree");
            agreement::agree_ephemeral(
                s_priv,
                &agreement::UnparsedPublicKey::new(&agreement::X25519, c_pub.as_ref()),
                |k| pms[1].copy_from_slice(k),
            )
            .expect("agree");
            assert_eq!(pms[0], pms[1]);
            // Extended master secret, each side.
            let mut master = [0u8; 48];
            for _ in 0..2 {
                prf(&pms[0], b"extended master secret", &[0x44; 32], &mut master);
            }
            floor_randoms(&rng);
            floor_transcript(hs_len, &msgs);
            floor_finish(&master, &aead::AES_128_GCM);
        }
    })
}

fn floor_resume(kind: ResumeKind) -> Work<'static> {
    let rng = SystemRandom::new();
    let hs_len = transcript_len(&rustls_resumed_flights(match kind {
        ResumeKind::SessionId => RustlsResume::SessionId,
        ResumeKind::Ticket => RustlsResume::Ticket,
    }));
    let msgs = vec![0x3cu8; hs_len];
    let ticket_key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::CHACHA20_POLY1305, &[0x77; 32]).expect("key"),
    );
    // A TLS 1.2 session state as a ticket: about what rustls puts in one.
    let mut ticket = vec![0x66u8; 120 + 16];
    Box::new(move |n| {
        for _ in 0..n {
            if let ResumeKind::Ticket = kind {
                // The server opens the client's ticket and seals a fresh one.
                let plain = ticket.len() - 16;
                let tag = ticket_key
                    .seal_in_place_separate_tag(
                        aead::Nonce::assume_unique_for_key([1; 12]),
                        aead::Aad::empty(),
                        &mut ticket[..plain],
                    )
                    .expect("seal");
                ticket[plain..].copy_from_slice(tag.as_ref());
                ticket_key
                    .open_in_place(
                        aead::Nonce::assume_unique_for_key([1; 12]),
                        aead::Aad::empty(),
                        &mut ticket,
                    )
                    .expect("open");
            }
            floor_randoms(&rng);
            floor_transcript(hs_len, &msgs);
            floor_finish(&[0x55; 48], &aead::AES_128_GCM);
        }
    })
}

fn floor_bulk(alg: &'static aead::Algorithm) -> Work<'static> {
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(alg, &vec![0x42; alg.key_len()]).expect("key"),
    );
    let explicit = if std::ptr::eq(alg, &aead::CHACHA20_POLY1305) {
        0
    } else {
        8
    };
    const PAYLOAD: usize = 16384;
    // The record placed so that its payload is 64-byte aligned, the best case for the
    // AEAD (about 3% faster for AES-GCM than the payload 13 bytes past an alignment).
    let len = 5 + explicit + PAYLOAD + 16;
    let mut backing = vec![0x5au8; len + 64];
    let addr = backing.as_ptr() as usize;
    let off = (64 - (addr + 5 + explicit) % 64) % 64;
    let mut seq = 0u64;
    let aad_for = |seq: u64| {
        let mut a = [0u8; 13];
        a[..8].copy_from_slice(&seq.to_be_bytes());
        a[8] = 23;
        a[9..11].copy_from_slice(&[3, 3]);
        a[11..].copy_from_slice(&(PAYLOAD as u16).to_be_bytes());
        a
    };
    let nonce_for = |seq: u64| {
        let mut n = [0x24u8; 12];
        for (a, b) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
            *a ^= b;
        }
        n
    };
    Box::new(move |n| {
        let buf = &mut backing[off..off + len];
        for _ in 0..n {
            let start = 5 + explicit;
            let tag = key
                .seal_in_place_separate_tag(
                    aead::Nonce::assume_unique_for_key(nonce_for(seq)),
                    aead::Aad::from(aad_for(seq)),
                    &mut buf[start..start + PAYLOAD],
                )
                .expect("seal");
            buf[start + PAYLOAD..].copy_from_slice(tag.as_ref());
            let plain = key
                .open_in_place(
                    aead::Nonce::assume_unique_for_key(nonce_for(seq)),
                    aead::Aad::from(aad_for(seq)),
                    &mut buf[start..],
                )
                .expect("open");
            black_box(plain);
            seq += 1;
        }
    })
}

// ---------------------------------------------------------------------------------------
// Memory and allocations.

/// Heap bytes held by an established idle client and server made by `pair` (which runs
/// the handshake): one pair first, so that lazily initialised statics are not counted,
/// then a second measured one.
fn idle_mem<C, S>(mut pair: impl FnMut() -> (C, S)) -> (f64, f64) {
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
fn tls12_mem() -> (f64, f64) {
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

fn rustls_mem() -> (f64, f64) {
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
fn allocs_per_record(mut work: Work<'_>, records: u64) -> f64 {
    work(1);
    let before = allocs();
    work(records);
    (allocs() - before) as f64 / records as f64
}

// ---------------------------------------------------------------------------------------

fn main() {
    let opts = Opts::parse().unwrap_or_else(|e| panic!("{e} (try --help)"));
    let started = Instant::now();
    println!(
        "tls12 vs rustls 0.23 (ring, TLS 1.2) vs raw ring; {} mode; {} thread(s) available",
        if opts.smoke { "smoke" } else { "full" },
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let mut rows = Vec::new();

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
            &opts,
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
            &opts,
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
            &opts,
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

    print_table(&rows);
    if opts.filters.is_empty() {
        assert_eq!(rows.len(), ROWS.len(), "every row ran");
    }
    println!("\n({:.1}s)", started.elapsed().as_secs_f64());
}
