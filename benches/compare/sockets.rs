//! The tokio rows: the same load over loopback TCP through `tls12::tokio` and through
//! tokio-rustls (rustls 0.23, ring provider, TLS 1.2 only), both configured as the
//! in-memory rows (ECDHE-RSA-2048, x25519, AES-128-GCM, extended master secret).
//!
//! Each stack's server runs on its own thread, on a current-thread tokio runtime (one
//! thread), one task per connection; the clients run on this (the bench) thread, on another
//! current-thread runtime. Both ends of a column are the same stack, as in the in-memory
//! rows. Rates are wall-clock: both sides share the machine's cores, so a stack's cost on
//! either side shows, and so does load from other processes (hence the best of several
//! rounds, the stacks taking turns). Beside the table, each rate row also prints the
//! process's CPU time (both sides, user and system, so the kernel's TCP work too) per
//! operation, the least of the rounds: less sensitive to other load than the rate.
//!
//! - `tokio_full_hs`: 64 clients connect concurrently and repeatedly; each connection is a
//!   full handshake (resumption off on both sides), one 100-byte request, a 1000-byte
//!   answer, then the server's close_notify and FIN, which the client reads to the end.
//!   Handshakes per second: connections completed over the wall time of the round.
//! - `tokio_resume`: the same, resuming by ticket: one connection primes the client's
//!   session, then every handshake must resume (checked on each connection; a full
//!   handshake fails the row).
//! - `tokio_bulk`: one established connection; the client writes 16 KiB buffers for the
//!   round's time, the server echoes what it reads (reads of up to 16 KiB, each written
//!   back whole), the client reads the echo concurrently (`tokio::io::split`) until the
//!   server's close_notify that answers its own. MB/s (10^6 bytes) of application data,
//!   each direction counted once: (bytes written + bytes read back) over the wall time
//!   from the first write to the last byte read. Each byte is sealed and opened twice.
//! - `tokio_mem_10k`: 10,000 connections open at once (full handshakes, resumption off),
//!   each handshake finished and the server task waiting for the request (nothing
//!   pending); the server thread's live heap (the counting allocator counts per thread)
//!   after, less before, over 10,000: the task (its future holds the TLS stream), tokio's
//!   registration of the socket, and what the TLS stream and connection allocate. The
//!   clients are a child process (this benchmark with `--mem-clients`), so each process
//!   needs 10,000 open files rather than one 20,000. A plain TCP server (no TLS) measured
//!   the same way gives tokio's own share, printed beside the table.
//! - `tokio_mem_10k_keepalive`: the same connections once each has carried one request
//!   and its answer and waits for the next (a keep-alive server between requests),
//!   measured in the same run.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tls12::enums::{CipherSuite, NamedGroup};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::common::{self, counting_alloc};
use crate::harness::{COLUMNS, Opts, Row};
use crate::rustls_side::{RustlsResume, rustls_configs};
use crate::tls12_side::{ResumeKind, tls12_configs_resuming};

const SUITE: CipherSuite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
const KEY: &str = "server-rsa";

/// The request a client sends and the answer the server gives, per connection.
const REQUEST: [u8; 100] = [0x71; 100];
const ANSWER: [u8; 1000] = [0x61; 1000];
/// Concurrent clients in the handshake rows (in smoke mode: 2).
const CLIENTS: usize = 64;
/// One bulk write, and the server's echo buffer.
const CHUNK: usize = 16 * 1024;
/// Connections held open at once in the memory row (in smoke mode: 100).
const MEM_CONNS: usize = 10_000;
/// How long a wait for the server may take before the row fails.
const PATIENCE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------
// The two stacks (and plain TCP, for tokio's own share of the memory row).

/// How one TLS stack makes its server and client streams over a TCP stream.
pub trait Stack: Send + Sync + 'static {
    type Server: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    type Client: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    fn accept(&self, tcp: TcpStream) -> impl Future<Output = io::Result<Self::Server>> + Send;
    fn connect(&self, tcp: TcpStream) -> impl Future<Output = io::Result<Self::Client>> + Send;
    /// Whether the client's handshake resumed; panics if a full one did not use x25519.
    fn resumed(client: &Self::Client) -> bool;
}

pub struct Tls12Stack {
    acceptor: tls12::tokio::TlsAcceptor,
    connector: tls12::tokio::TlsConnector,
}

impl Tls12Stack {
    pub fn new(resume: Option<ResumeKind>) -> Self {
        let (c, s) = tls12_configs_resuming(SUITE, KEY, resume);
        Self {
            acceptor: tls12::tokio::TlsAcceptor::from(Arc::new(s)),
            connector: tls12::tokio::TlsConnector::from(Arc::new(c)),
        }
    }
}

impl Stack for Tls12Stack {
    type Server = tls12::tokio::ServerTlsStream<TcpStream>;
    type Client = tls12::tokio::ClientTlsStream<TcpStream>;

    fn accept(&self, tcp: TcpStream) -> impl Future<Output = io::Result<Self::Server>> + Send {
        self.acceptor.accept(tcp)
    }

    fn connect(&self, tcp: TcpStream) -> impl Future<Output = io::Result<Self::Client>> + Send {
        self.connector.connect(common::server_name(), tcp)
    }

    fn resumed(client: &Self::Client) -> bool {
        let summary = client
            .handshake_summary()
            .expect("a tokio stream has its summary");
        assert_eq!(summary.suite, SUITE, "tls12 negotiated {:?}", summary.suite);
        if !summary.resumed {
            assert_eq!(
                summary.group,
                Some(NamedGroup::X25519),
                "tls12 key exchange"
            );
        }
        summary.resumed
    }
}

pub struct RustlsStack {
    acceptor: tokio_rustls::TlsAcceptor,
    connector: tokio_rustls::TlsConnector,
}

impl RustlsStack {
    pub fn new(resume: RustlsResume) -> Self {
        let (c, s) = rustls_configs(SUITE, KEY, resume);
        Self {
            acceptor: tokio_rustls::TlsAcceptor::from(s),
            connector: tokio_rustls::TlsConnector::from(c),
        }
    }
}

fn rustls_name() -> rustls::pki_types::ServerName<'static> {
    rustls::pki_types::ServerName::try_from("testserver.tls12.test").expect("name")
}

impl Stack for RustlsStack {
    type Server = tokio_rustls::server::TlsStream<TcpStream>;
    type Client = tokio_rustls::client::TlsStream<TcpStream>;

    fn accept(&self, tcp: TcpStream) -> impl Future<Output = io::Result<Self::Server>> + Send {
        self.acceptor.accept(tcp)
    }

    fn connect(&self, tcp: TcpStream) -> impl Future<Output = io::Result<Self::Client>> + Send {
        self.connector.connect(rustls_name(), tcp)
    }

    fn resumed(client: &Self::Client) -> bool {
        let conn = client.get_ref().1;
        let suite = conn.negotiated_cipher_suite().map(|s| u16::from(s.suite()));
        assert_eq!(suite, Some(SUITE.0), "rustls negotiated {suite:?}");
        match conn.handshake_kind() {
            Some(rustls::HandshakeKind::Resumed) => true,
            kind => {
                let group = conn.negotiated_key_exchange_group().map(|g| g.name());
                assert_eq!(group, Some(rustls::NamedGroup::X25519), "rustls {kind:?}");
                false
            }
        }
    }
}

/// No TLS: what tokio itself holds per connection (for the memory row's context line).
pub struct PlainTcp;

impl Stack for PlainTcp {
    type Server = TcpStream;
    type Client = TcpStream;

    fn accept(&self, tcp: TcpStream) -> impl Future<Output = io::Result<TcpStream>> + Send {
        std::future::ready(Ok(tcp))
    }

    fn connect(&self, tcp: TcpStream) -> impl Future<Output = io::Result<TcpStream>> + Send {
        std::future::ready(Ok(tcp))
    }

    fn resumed(_: &TcpStream) -> bool {
        false
    }
}

// ---------------------------------------------------------------------------------------
// The server: its own thread and current-thread runtime.

#[derive(Clone, Copy)]
enum Mode {
    /// Handshake, read the request, write the answer, close_notify and close.
    Answer,
    /// Handshake, write back everything read until the peer's close_notify, then close.
    Echo,
    /// Handshake, then answer each request until the peer's close_notify, then close.
    KeepAlive,
}

#[derive(Default)]
struct Counters {
    /// Server handshakes completed.
    established: AtomicUsize,
    /// Server connections that failed (each printed).
    errors: AtomicUsize,
}

/// What the bench thread asks of a running server.
enum Command {
    /// The server thread's live heap bytes, once every task has run as far as it can.
    Heap(std::sync::mpsc::Sender<isize>),
}

struct Server {
    addr: SocketAddr,
    counters: Arc<Counters>,
    commands: Option<mpsc::UnboundedSender<Command>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start<S: Stack>(stack: Arc<S>, mode: Mode) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("local address");
        let counters = Arc::new(Counters::default());
        let (commands, rx) = mpsc::unbounded_channel();
        let c = counters.clone();
        let thread = std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                rt.block_on(serve(listener, stack, mode, rx, c));
            })
            .expect("server thread");
        Self {
            addr,
            counters,
            commands: Some(commands),
            thread: Some(thread),
        }
    }

    /// The server thread's live heap bytes now.
    fn heap(&self) -> isize {
        let (tx, rx) = std::sync::mpsc::channel();
        let commands = self.commands.as_ref().expect("server running");
        commands.send(Command::Heap(tx)).expect("server running");
        rx.recv_timeout(PATIENCE).expect("the server answers")
    }

    /// Waits until `n` server handshakes have completed in all.
    async fn wait_established(&self, n: usize) {
        let start = Instant::now();
        while self.counters.established.load(Ordering::Relaxed) < n {
            self.check();
            assert!(start.elapsed() < PATIENCE, "server handshakes stalled");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Fails the row if a server connection failed.
    fn check(&self) {
        let errors = self.counters.errors.load(Ordering::Relaxed);
        assert_eq!(errors, 0, "server connections failed (printed above)");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Closing the command channel stops the accept loop; the runtime's drop then
        // drops the connection tasks.
        self.commands = None;
        if let Some(t) = self.thread.take() {
            let result = t.join();
            if !std::thread::panicking() {
                result.expect("server thread");
            }
        }
    }
}

async fn serve<S: Stack>(
    listener: std::net::TcpListener,
    stack: Arc<S>,
    mode: Mode,
    mut commands: mpsc::UnboundedReceiver<Command>,
    counters: Arc<Counters>,
) {
    let listener = TcpListener::from_std(listener).expect("tokio listener");
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, _) = accepted.expect("accept (is the open-files limit high enough?)");
                let (stack, counters) = (stack.clone(), counters.clone());
                let task = async move {
                    if let Err(e) = connection(&*stack, tcp, mode, &counters).await {
                        eprintln!("server connection: {e}");
                        counters.errors.fetch_add(1, Ordering::Relaxed);
                    }
                };
                tokio::spawn(task);
            }
            command = commands.recv() => match command {
                Some(Command::Heap(reply)) => {
                    // Every task woken so far runs before this one is polled again.
                    tokio::task::yield_now().await;
                    let _ = reply.send(counting_alloc::live());
                }
                None => return,
            },
        }
    }
}

async fn connection<S: Stack>(
    stack: &S,
    tcp: TcpStream,
    mode: Mode,
    counters: &Counters,
) -> io::Result<()> {
    tcp.set_nodelay(true)?;
    let mut tls = stack.accept(tcp).await?;
    counters.established.fetch_add(1, Ordering::Relaxed);
    match mode {
        Mode::Answer => {
            let mut request = [0u8; REQUEST.len()];
            tls.read_exact(&mut request).await?;
            tls.write_all(&ANSWER).await?;
        }
        Mode::KeepAlive => loop {
            let mut request = [0u8; REQUEST.len()];
            if tls.read(&mut request[..1]).await? == 0 {
                break;
            }
            tls.read_exact(&mut request[1..]).await?;
            tls.write_all(&ANSWER).await?;
        },
        Mode::Echo => {
            let mut buf = vec![0u8; CHUNK];
            loop {
                let n = tls.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                tls.write_all(&buf[..n]).await?;
            }
        }
    }
    tls.shutdown().await
}

// ---------------------------------------------------------------------------------------
// The clients: this thread, its own current-thread runtime.

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime")
}

/// How long a client keeps going: a number of operations, or until a moment.
#[derive(Clone, Copy)]
enum Budget {
    Count(u64),
    Until(Instant),
}

impl Budget {
    fn more(self, done: u64) -> bool {
        match self {
            Budget::Count(n) => done < n,
            Budget::Until(t) => Instant::now() < t,
        }
    }
}

async fn open<S: Stack>(stack: &S, addr: SocketAddr) -> io::Result<S::Client> {
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    stack.connect(tcp).await
}

/// The request and answer of an open client connection, then the server's close.
async fn exchange<C: AsyncRead + AsyncWrite + Unpin>(tls: &mut C) -> io::Result<()> {
    request(tls).await?;
    read_to_close(tls).await
}

/// One request and its answer.
async fn request<C: AsyncRead + AsyncWrite + Unpin>(tls: &mut C) -> io::Result<()> {
    tls.write_all(&REQUEST).await?;
    tls.flush().await?;
    let mut answer = [0u8; ANSWER.len()];
    tls.read_exact(&mut answer).await?;
    Ok(())
}

/// Reads the server's close (close_notify, then end of stream); nothing else may come.
async fn read_to_close<C: AsyncRead + AsyncWrite + Unpin>(tls: &mut C) -> io::Result<()> {
    let mut after = [0u8; 1];
    match tls.read(&mut after).await? {
        0 => Ok(()),
        _ => Err(io::Error::other("bytes after the answer")),
    }
}

/// Our close_notify, then the server's.
async fn close<C: AsyncRead + AsyncWrite + Unpin>(tls: &mut C) -> io::Result<()> {
    tls.shutdown().await?;
    read_to_close(tls).await
}

/// One client: connections one after another while the budget lasts, each checked to
/// have resumed (or not). Returns how many completed.
async fn client_loop<S: Stack>(
    stack: Arc<S>,
    addr: SocketAddr,
    budget: Budget,
    resume: bool,
) -> u64 {
    let mut done = 0;
    while budget.more(done) {
        let mut tls = open(&*stack, addr).await.expect("client handshake");
        assert_eq!(
            S::resumed(&tls),
            resume,
            "a {} handshake (every one must be)",
            if resume { "resumed" } else { "full" }
        );
        exchange(&mut tls).await.expect("client exchange");
        done += 1;
    }
    done
}

/// Handshakes per second of wall time: `clients` clients for the budget.
fn handshake_round<S: Stack>(
    rt: &tokio::runtime::Runtime,
    stack: &Arc<S>,
    server: &Server,
    clients: usize,
    budget: Budget,
    resume: bool,
) -> Measured {
    let (start, cpu) = (Instant::now(), process_cpu());
    let done: u64 = rt.block_on(async {
        let tasks: Vec<_> = (0..clients)
            .map(|_| tokio::spawn(client_loop(stack.clone(), server.addr, budget, resume)))
            .collect();
        let mut done = 0;
        for t in tasks {
            done += t.await.expect("client task");
        }
        done
    });
    let m = Measured {
        ops: done as f64,
        wall: start.elapsed(),
        cpu: process_cpu() - cpu,
    };
    server.check();
    m
}

/// MB (10^6 bytes) through one echoing connection: both directions' bytes counted.
fn bulk_round<S: Stack>(
    rt: &tokio::runtime::Runtime,
    stack: &S,
    server: &Server,
    budget: Budget,
) -> Measured {
    let m = rt.block_on(async {
        let tls = open(stack, server.addr).await.expect("client handshake");
        let (mut rd, mut wr) = tokio::io::split(tls);
        let (start, cpu) = (Instant::now(), process_cpu());
        let write = async {
            let chunk = vec![0x42u8; CHUNK];
            let mut writes = 0;
            while budget.more(writes) {
                wr.write_all(&chunk).await.expect("client write");
                writes += 1;
            }
            wr.shutdown().await.expect("client close_notify");
            writes * CHUNK as u64
        };
        let read = async {
            let mut buf = vec![0u8; CHUNK];
            let mut got = 0u64;
            loop {
                let n = rd.read(&mut buf).await.expect("client read");
                if n == 0 {
                    return got;
                }
                got += n as u64;
            }
        };
        let (sent, got) = tokio::join!(write, read);
        assert_eq!(sent, got, "the echo returns every byte");
        Measured {
            ops: (sent + got) as f64 / 1e6,
            wall: start.elapsed(),
            cpu: process_cpu() - cpu,
        }
    });
    server.check();
    m
}

// ---------------------------------------------------------------------------------------
// Rates: wall-clock, the best of several rounds, the stacks taking turns.

/// What one round of one column did: operations (handshakes, MB), in how much wall time
/// and how much CPU time of this process (all its threads, user and system).
struct Measured {
    ops: f64,
    wall: Duration,
    cpu: Duration,
}

/// One round of one column within the budget.
type Round<'a> = Box<dyn FnMut(Budget) -> Measured + 'a>;

/// The CPU time this process has used, all threads, user and system.
fn process_cpu() -> Duration {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `ru` is valid, writable memory for one rusage; the call only writes it.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) };
    assert_eq!(rc, 0, "getrusage(RUSAGE_SELF)");
    // SAFETY: zeroed is a valid rusage (plain integers), and the call filled it.
    let ru = unsafe { ru.assume_init() };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Per column: the best rate (operations per second of wall time) over the rounds, and
/// the least CPU time per operation (in smoke mode or with `--iters`: one round of
/// `count` operations per client).
fn socket_rates(
    opts: &Opts,
    count: u64,
    mut cols: [Option<Round<'_>>; 2],
) -> [Option<(f64, Duration)>; 2] {
    if let Some(only) = &opts.column {
        for (i, c) in cols.iter_mut().enumerate() {
            if COLUMNS[i] != only {
                *c = None;
            }
        }
    }
    let fixed = opts.smoke || opts.iters.is_some();
    let rounds = if fixed { 1 } else { opts.rounds };
    let mut best: [Option<(f64, Duration)>; 2] = [None; 2];
    for _ in 0..rounds {
        for (i, col) in cols.iter_mut().enumerate() {
            let Some(round) = col else { continue };
            let budget = if fixed {
                Budget::Count(opts.iters.unwrap_or(count))
            } else {
                Budget::Until(Instant::now() + Duration::from_secs_f64(opts.secs))
            };
            let m = round(budget);
            let rate = m.ops / m.wall.as_secs_f64().max(1e-9);
            let cpu = m.cpu.div_f64(m.ops.max(1e-9));
            best[i] = Some(best[i].map_or((rate, cpu), |(r, c)| (r.max(rate), c.min(cpu))));
        }
    }
    best
}

/// The CPU line printed beside the table for a rate row.
fn print_cpu(name: &str, per: &str, cols: &[Option<(f64, Duration)>; 2]) {
    let us = |c: &Option<(f64, Duration)>| {
        c.map_or("-".to_string(), |(_, cpu)| {
            format!("{:.1} us", cpu.as_secs_f64() * 1e6)
        })
    };
    println!(
        "{name}: process CPU time (both sides, user + system) per {per}, least of the rounds: \
         tls12 {}, rustls {}",
        us(&cols[0]),
        us(&cols[1])
    );
}

fn handshake_row<T: Stack, R: Stack>(
    opts: &Opts,
    rt: &tokio::runtime::Runtime,
    (tls12, rustls): (T, R),
    resume: bool,
) -> [Option<(f64, Duration)>; 2] {
    let clients = if opts.smoke { 2 } else { CLIENTS };
    let (tls12, rustls) = (Arc::new(tls12), Arc::new(rustls));
    let (ts, rs) = (
        Server::start(tls12.clone(), Mode::Answer),
        Server::start(rustls.clone(), Mode::Answer),
    );
    if resume {
        // Prime each client's session (a full handshake, not timed).
        rt.block_on(async {
            let mut t = open(&*tls12, ts.addr).await.expect("tls12 priming");
            exchange(&mut t).await.expect("tls12 priming");
            let mut r = open(&*rustls, rs.addr).await.expect("rustls priming");
            exchange(&mut r).await.expect("rustls priming");
        });
    }
    socket_rates(
        opts,
        2,
        [
            Some(Box::new(|b| {
                handshake_round(rt, &tls12, &ts, clients, b, resume)
            })),
            Some(Box::new(|b| {
                handshake_round(rt, &rustls, &rs, clients, b, resume)
            })),
        ],
    )
}

// ---------------------------------------------------------------------------------------
// Memory.

/// Raises the soft open-files limit to at least `n`, as far as the hard limit allows.
fn raise_open_files(n: u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit; the call only writes it.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    assert_eq!(rc, 0, "getrlimit(RLIMIT_NOFILE)");
    if lim.rlim_cur >= n {
        return;
    }
    assert!(
        lim.rlim_max >= n,
        "tokio_mem_10k needs {n} open files per process; the hard limit is {}",
        lim.rlim_max
    );
    let soft = libc::rlimit {
        rlim_cur: n,
        rlim_max: lim.rlim_max,
    };
    // SAFETY: `soft` is a valid rlimit; the call only reads it.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &soft) };
    assert_eq!(rc, 0, "setrlimit(RLIMIT_NOFILE, {n})");
}

/// The hidden option that makes this process the clients of the memory row:
/// `--mem-clients STACK,ADDR,N` (STACK: tls12, rustls or plain).
pub const MEM_CLIENTS: &str = "mem-clients";

/// Heap bytes the server thread holds per established, idle connection, with `conns` open
/// at once: once the handshakes are done (the row), and again once each connection has
/// answered one request and waits for the next (keep-alive; for the line beside the
/// table). The clients are another process (this benchmark run with `--mem-clients`):
/// each side of 10,000 connections needs 10,000 open files, and the client side's
/// allocations stay out of the count whatever thread they happen on.
fn idle_heap<S: Stack>(
    rt: &tokio::runtime::Runtime,
    stack: S,
    name: &str,
    conns: usize,
) -> (f64, f64) {
    let stack = Arc::new(stack);
    let server = Server::start(stack.clone(), Mode::KeepAlive);
    rt.block_on(async {
        // A first connection, so that what the server allocates once is not counted.
        let mut first = open(&*stack, server.addr).await.expect("client handshake");
        request(&mut first).await.expect("client request");
        close(&mut first).await.expect("client close");
        drop(first);
        server.wait_established(1).await;
    });
    let before = server.heap();
    let exe = std::env::current_exe().expect("this benchmark's path");
    let mut child = std::process::Command::new(exe)
        .arg(format!("--{MEM_CLIENTS}"))
        .arg(format!("{name},{},{conns}", server.addr))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the client process starts");
    let mut from_child = io::BufReader::new(child.stdout.take().expect("piped"));
    let mut to_child = child.stdin.take().expect("piped");
    let mut expect = |want: &str| {
        let mut line = String::new();
        io::BufRead::read_line(&mut from_child, &mut line).expect("client output");
        assert_eq!(line.trim(), want, "the client process's progress");
    };
    expect("open");
    rt.block_on(server.wait_established(conns + 1));
    let handshaken = server.heap();
    server.check();
    io::Write::write_all(&mut to_child, b"request\n").expect("client input");
    expect("answered");
    // The server wrote each answer before the client could read it: every task waits for
    // its next request now.
    let answered = server.heap();
    server.check();
    // Closing its input tells the client process to close the connections.
    drop(to_child);
    let status = child.wait().expect("the client process ends");
    assert!(status.success(), "the client process failed: {status}");
    server.check();
    let per = |heap: isize| (heap - before) as f64 / conns as f64;
    (per(handshaken), per(answered))
}

/// The client process of the memory row (`--mem-clients STACK,ADDR,N`): opens N
/// connections 64 at a time and says `open`; at a line on its input makes one request on
/// each, reads the answer and says `answered`; when its input closes, closes each.
pub fn mem_clients(spec: &str) {
    let parts: Vec<&str> = spec.split(',').collect();
    let [name, addr, conns] = parts[..] else {
        panic!("--{MEM_CLIENTS} STACK,ADDR,N, not {spec:?}");
    };
    let addr: SocketAddr = addr.parse().expect("ADDR");
    let conns: usize = conns.parse().expect("N");
    raise_open_files(conns as u64 + 256);
    let rt = client_runtime();
    match name {
        "tls12" => rt.block_on(mem_client_steps(Tls12Stack::new(None), addr, conns)),
        "rustls" => rt.block_on(mem_client_steps(
            RustlsStack::new(RustlsResume::Off),
            addr,
            conns,
        )),
        "plain" => rt.block_on(mem_client_steps(PlainTcp, addr, conns)),
        _ => panic!("--{MEM_CLIENTS}: no stack {name:?}"),
    }
}

/// Runs `step` on every connection of every batch, one task per batch.
async fn each<C, F>(batches: Vec<Vec<C>>, step: fn(C) -> F) -> Vec<Vec<C>>
where
    C: Send + 'static,
    F: Future<Output = C> + Send + 'static,
{
    let tasks: Vec<_> = batches
        .into_iter()
        .map(|batch| {
            tokio::spawn(async move {
                let mut out = Vec::with_capacity(batch.len());
                for c in batch {
                    out.push(step(c).await);
                }
                out
            })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("client task"));
    }
    out
}

async fn mem_client_steps<S: Stack>(stack: S, addr: SocketAddr, conns: usize) {
    let stack = Arc::new(stack);
    let workers = CLIENTS.min(conns).max(1);
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let stack = stack.clone();
            let mine = conns / workers + usize::from(w < conns % workers);
            tokio::spawn(async move {
                let mut held = Vec::with_capacity(mine);
                for _ in 0..mine {
                    held.push(open(&*stack, addr).await.expect("client handshake"));
                }
                held
            })
        })
        .collect();
    let mut held = Vec::with_capacity(workers);
    for t in tasks {
        held.push(t.await.expect("client task"));
    }
    let say = |what: &str| {
        println!("{what}");
        io::Write::flush(&mut io::stdout()).expect("stdout");
    };
    say("open");
    let mut line = String::new();
    io::BufRead::read_line(&mut io::stdin().lock(), &mut line).expect("stdin");
    let held = each(held, |mut tls| async move {
        request(&mut tls).await.expect("client request");
        tls
    })
    .await;
    say("answered");
    // Until the parent closes our input (its measurements are done).
    io::Read::read_to_end(&mut io::stdin(), &mut Vec::new()).expect("stdin");
    each(held, |mut tls| async move {
        close(&mut tls).await.expect("client close");
        tls
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// The rows.

/// The tokio rows the options ask for, appended to `rows`.
pub fn tokio_rows(opts: &Opts, rows: &mut Vec<Row>) {
    let rt = client_runtime();
    let hs = [
        ("tokio_full_hs", "full hs, 64 clients, req/answer", false),
        ("tokio_resume", "resumed hs (ticket), 64 clients", true),
    ];
    for (name, what, resume) in hs {
        if !opts.wants(name) {
            continue;
        }
        let cols = if resume {
            let stacks = (
                Tls12Stack::new(Some(ResumeKind::Ticket)),
                RustlsStack::new(RustlsResume::Ticket),
            );
            handshake_row(opts, &rt, stacks, true)
        } else {
            let stacks = (Tls12Stack::new(None), RustlsStack::new(RustlsResume::Off));
            handshake_row(opts, &rt, stacks, false)
        };
        print_cpu(name, "handshake", &cols);
        rows.push(rate_row(name, what, cols, "handshakes/s"));
    }

    if opts.wants("tokio_bulk") {
        let tls12 = Arc::new(Tls12Stack::new(None));
        let rustls = Arc::new(RustlsStack::new(RustlsResume::Off));
        let ts = Server::start(tls12.clone(), Mode::Echo);
        let rs = Server::start(rustls.clone(), Mode::Echo);
        let cols = socket_rates(
            opts,
            8,
            [
                Some(Box::new(|b| bulk_round(&rt, &*tls12, &ts, b))),
                Some(Box::new(|b| bulk_round(&rt, &*rustls, &rs, b))),
            ],
        );
        let what = "16 KiB writes echoed, both ways";
        print_cpu("tokio_bulk", "MB", &cols);
        rows.push(rate_row("tokio_bulk", what, cols, "MB/s"));
    }

    let keepalive = "tokio_mem_10k_keepalive";
    if opts.wants("tokio_mem_10k") || opts.wants(keepalive) {
        let conns = if opts.smoke { 100 } else { MEM_CONNS };
        // The server's side of every connection, plus some to spare.
        raise_open_files(conns as u64 + 256);
        let only = |c: &str| opts.column.as_deref().is_none_or(|o| o == c);
        let t = only("tls12").then(|| idle_heap(&rt, Tls12Stack::new(None), "tls12", conns));
        let r = only("rustls")
            .then(|| idle_heap(&rt, RustlsStack::new(RustlsResume::Off), "rustls", conns));
        let (plain, plain_answered) = idle_heap(&rt, PlainTcp, "plain", conns);
        println!(
            "tokio_mem_10k: tokio's own heap per connection (task and socket registration, \
             plain TCP, no TLS): {plain:.0} bytes, included in both columns"
        );
        println!(
            "{keepalive}: tokio's own heap per connection after one request and answer (plain \
             TCP): {plain_answered:.0} bytes, included in both columns"
        );
        rows.push(Row {
            name: "tokio_mem_10k",
            what: "idle server conn heap, 10k open",
            tls12: t.map(|v| v.0),
            rustls: r.map(|v| v.0),
            floor: None,
            unit: "bytes",
            lower_better: true,
        });
        rows.push(Row {
            name: keepalive,
            what: "the same after a request/answer",
            tls12: t.map(|v| v.1),
            rustls: r.map(|v| v.1),
            floor: None,
            unit: "bytes",
            lower_better: true,
        });
    }
}

fn rate_row(
    name: &'static str,
    what: &'static str,
    [tls12, rustls]: [Option<(f64, Duration)>; 2],
    unit: &'static str,
) -> Row {
    Row {
        name,
        what,
        tls12: tls12.map(|(rate, _)| rate),
        rustls: rustls.map(|(rate, _)| rate),
        floor: None,
        unit,
        lower_better: false,
    }
}
