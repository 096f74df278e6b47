//! The tls12 column of the in-memory rows: configurations, a handshake between two of our
//! connections in this thread, and the handshake and bulk workloads.

use std::hint::black_box;
use std::sync::Arc;

use tls12::enums::{CipherSuite, NamedGroup};
use tls12::{ClientConnection, Connection, Output, ServerConnection};

use crate::common;
use crate::harness::Work;

/// Moves bytes between two of our connections, with buffers reused across calls.
pub struct Shuttle {
    poll: Vec<u8>,
    to_server: Vec<u8>,
    to_client: Vec<u8>,
    app: usize,
}

impl Shuttle {
    pub fn new() -> Self {
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
pub fn tls12_pump(
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

pub fn tls12_handshake(
    client: &mut ClientConnection,
    server: &mut ServerConnection,
    sh: &mut Shuttle,
) {
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

pub fn tls12_configs(
    suite: CipherSuite,
    key: &str,
) -> (Arc<tls12::ClientConfig>, Arc<tls12::ServerConfig>) {
    let (c, s) = tls12_configs_resuming(suite, key, None);
    (Arc::new(c), Arc::new(s))
}

/// Configurations with resumption off (`None`, as the rustls column's `Off`), or on by
/// session ID (client tickets off, server ticketer off) or by ticket (server cache off).
pub fn tls12_configs_resuming(
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

pub fn tls12_pair(
    c: &Arc<tls12::ClientConfig>,
    s: &Arc<tls12::ServerConfig>,
) -> (ClientConnection, ServerConnection) {
    (
        ClientConnection::new(c.clone(), common::server_name()).expect("tls12 client"),
        ServerConnection::new(s.clone()).expect("tls12 server"),
    )
}

pub fn tls12_full<'a>(
    c: &'a Arc<tls12::ClientConfig>,
    s: &'a Arc<tls12::ServerConfig>,
) -> Work<'a> {
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
pub enum ResumeKind {
    SessionId,
    Ticket,
}

/// `n` resumed handshakes of `kind` (ECDHE-RSA, x25519, AES-128-GCM, as the rustls
/// column): one full handshake primes the client's session store and the server's cache
/// (or ticket key) outside the closure; each iteration is a fresh pair on the same
/// configurations, and must resume.
pub fn tls12_resume(kind: ResumeKind) -> Option<Work<'static>> {
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

pub fn tls12_bulk(suite: CipherSuite, key: &str) -> Work<'static> {
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
