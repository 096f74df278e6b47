//! The server example as functions: options, configuration, serving one connection, and
//! the accept loop.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tls12::psk::PskIdentity;
use tls12::suites::{ALL_SUITES, KeyExchange, default_psk_suites};
use tls12::verify::WebPkiClientVerifier;
use tls12::{Error, HandshakeSummary, ServerConfig, ServerConnection, StreamOwned};

use super::Failure;
use super::client::parse_secs;
use super::http;
use super::setup::{self, CommonOptions, Flag, next_flag, printable, value};

/// The usage text.
pub const USAGE: &str = "\
server [flags]    serve a status page (or echo) over TLS 1.2 on 127.0.0.1

  --cert PEM --key PEM     certificate chain and key; repeat for an RSA and an ECDSA one
                           (none needed with --psk)
  --psk-hint TEXT          the PSK identity hint to send (with --psk)
  --port N                 port to listen on (default: 4433; 0 picks a free one)
  --echo                   echo application data instead of answering HTTP requests
  --max-conns N            exit after N connections (default: serve forever)
  --verify-client CA_PEM   request a client certificate chaining to CA_PEM
  --require-client-cert    refuse clients without one (needs --verify-client)
  --rsa-kx                 also enable the RSA key exchange suites (TLS_RSA_WITH_AES_*_GCM_*,
                           after the others; no forward secrecy)
  --timeout SECS           per-connection socket timeout (default: 10)
  --no-tickets             issue no session tickets (RFC 5077)
  --no-session-cache       keep no sessions by session ID";

/// What to do with a connection once the handshake is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Answer the first request (once its head is complete) with a status page naming its
    /// request line, then close (`s_server -www`).
    Www,
    /// Send back whatever arrives until the client closes.
    Echo,
}

/// What the server was asked to do.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// `--cert`/`--key` pairs.
    pub keys: Vec<(PathBuf, PathBuf)>,
    /// `--port`
    pub port: u16,
    /// `--echo`
    pub mode: Mode,
    /// `--max-conns`
    pub max_conns: Option<u64>,
    /// `--verify-client`
    pub verify_client: Option<PathBuf>,
    /// `--require-client-cert`
    pub require_client_cert: bool,
    /// `--rsa-kx`
    pub rsa_kx: bool,
    /// `--timeout`
    pub timeout: Duration,
    /// `--no-tickets`
    pub no_tickets: bool,
    /// `--no-session-cache`
    pub no_session_cache: bool,
    /// `--psk-hint`
    pub psk_hint: Option<PskIdentity>,
    /// Suites, groups, ALPN, key log, PSK.
    pub common: CommonOptions,
}

impl ServerOptions {
    /// Parses the command line (without the program name). `Ok(None)` for `--help`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Self>, Failure> {
        let mut args = lexopt::Parser::from_args(args);
        let mut o = ServerOptions {
            keys: Vec::new(),
            port: 4433,
            mode: Mode::Www,
            max_conns: None,
            verify_client: None,
            require_client_cert: false,
            rsa_kx: false,
            timeout: Duration::from_secs(10),
            no_tickets: false,
            no_session_cache: false,
            psk_hint: None,
            common: CommonOptions::default(),
        };
        let (mut certs, mut keys) = (Vec::<PathBuf>::new(), Vec::<PathBuf>::new());
        while let Some(arg) = next_flag(&mut args)? {
            let flag = match arg {
                Flag::Positional(p) => return Err(Failure::Usage(format!("unexpected {p:?}"))),
                Flag::Flag(f) => f,
            };
            if o.common.flag(&flag, &mut args)? {
                continue;
            }
            match flag.as_str() {
                "-h" | "--help" => return Ok(None),
                "--cert" => certs.push(value(&mut args)?.into()),
                "--key" => keys.push(value(&mut args)?.into()),
                "--port" => {
                    let v = value(&mut args)?;
                    o.port = v
                        .parse()
                        .map_err(|_| Failure::Usage(format!("bad port {v:?}")))?;
                }
                "--echo" => o.mode = Mode::Echo,
                "--www" => o.mode = Mode::Www,
                "--max-conns" | "--naccept" => {
                    let v = value(&mut args)?;
                    match v.parse::<u64>() {
                        Ok(n) if n > 0 => o.max_conns = Some(n),
                        _ => return Err(Failure::Usage(format!("bad --max-conns {v:?}"))),
                    }
                }
                "--verify-client" => o.verify_client = Some(value(&mut args)?.into()),
                "--require-client-cert" => o.require_client_cert = true,
                "--rsa-kx" => o.rsa_kx = true,
                "--timeout" => o.timeout = parse_secs(&value(&mut args)?)?,
                "--no-tickets" | "--no_ticket" => o.no_tickets = true,
                "--no-session-cache" => o.no_session_cache = true,
                "--psk-hint" => {
                    let hint = value(&mut args)?.into_bytes();
                    o.psk_hint = Some(
                        PskIdentity::new(hint)
                            .map_err(|_| Failure::Usage("--psk-hint: 1 to 65535 bytes".into()))?,
                    );
                }
                _ => return Err(Failure::Usage(format!("unknown flag {flag}"))),
            }
        }
        if certs.len() != keys.len() || (certs.is_empty() && o.common.psk.is_none()) {
            return Err(Failure::Usage(
                "give each --cert PEM its --key PEM (at least one pair, or --psk)".into(),
            ));
        }
        if o.psk_hint.is_some() && o.common.psk.is_none() {
            return Err(Failure::Usage("--psk-hint needs --psk".into()));
        }
        if o.require_client_cert && o.verify_client.is_none() {
            return Err(Failure::Usage(
                "--require-client-cert needs --verify-client CA_PEM".into(),
            ));
        }
        o.keys = certs.into_iter().zip(keys).collect();
        Ok(Some(o))
    }
}

/// Builds the server configuration.
pub fn config(o: &ServerOptions) -> Result<Arc<ServerConfig>, Failure> {
    let provider = setup::provider();
    let mut certs = Vec::new();
    for (cert, key) in &o.keys {
        certs.push(setup::load_certified_key(cert, key)?);
    }
    let sv = *provider.signature_verification();
    let mut c = ServerConfig::new(provider, certs);
    o.common.apply(&mut c.common)?;
    if o.no_tickets {
        c.ticketer = None;
    }
    if o.no_session_cache {
        c.session_cache = None;
    }
    if let Some(psk) = &o.common.psk {
        // With --cipher, exactly the suites named; else the PSK suites first, and only
        // them without a certificate.
        let psk = Arc::new(psk.clone());
        match o.common.suites {
            Some(_) => c.psk = Some(psk),
            None if o.keys.is_empty() => {
                c.psk = Some(psk);
                c.common.suites = default_psk_suites().collect();
            }
            None => c.enable_psk(psk),
        }
        c.psk_identity_hint = o.psk_hint.clone();
    }
    if o.rsa_kx {
        // After the suites already enabled (the defaults or --cipher), if not among them.
        for suite in ALL_SUITES.iter().filter(|s| s.kx == KeyExchange::Rsa) {
            if !c.common.suites.contains(&suite) {
                c.common.suites.push(suite);
            }
        }
    }
    if let Some(ca) = &o.verify_client {
        let roots = Arc::new(setup::load_roots(std::slice::from_ref(ca))?);
        c.client_verifier = Some(Arc::new(WebPkiClientVerifier::new(
            roots,
            sv,
            o.require_client_cert,
        )));
    }
    Ok(Arc::new(c))
}

/// What happened on one connection.
#[derive(Debug, Clone)]
pub struct Served {
    /// The handshake.
    pub summary: HandshakeSummary,
    /// The request line answered (`Www`).
    pub request: Option<String>,
    /// How many bytes were echoed (`Echo`).
    pub echoed: usize,
}

/// Escapes text for HTML (peer text must be made `printable` first).
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The status page: the negotiated parameters and the request line.
pub fn page(summary: &HandshakeSummary, request: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><title>tls12 example server</title></head><body>\n\
         <h1>tls12 example server</h1>\n<pre>\n{}request:                {}\n</pre>\n</body></html>\n",
        escape_html(&setup::describe(summary, "client")),
        escape_html(&printable(request))
    )
}

/// Our side of one connection.
type ServerStream = StreamOwned<ServerConnection, TcpStream>;

/// Serves one accepted connection: handshake, then answer (`Www`) or echo (`Echo`), then
/// close_notify. On failure, the alert (if any) is sent and what the client still sends is
/// read and dropped for a moment before the socket closes, so that the alert reaches it
/// (see [`discard_input`]).
pub fn serve_connection(
    config: &Arc<ServerConfig>,
    sock: TcpStream,
    mode: Mode,
    timeout: Duration,
) -> Result<Served, Failure> {
    sock.set_read_timeout(Some(timeout))?;
    sock.set_write_timeout(Some(timeout))?;
    let conn = ServerConnection::new(config.clone())?;
    let mut tls = StreamOwned::new(conn, sock);
    match exchange(&mut tls, mode) {
        Ok(served) => {
            finish(tls, Duration::from_secs(2))?;
            Ok(served)
        }
        Err(e) => {
            discard_input(tls.into_parts().1, Duration::from_secs(2));
            Err(e)
        }
    }
}

/// The handshake, the answer or echo, and our close_notify.
fn exchange(tls: &mut ServerStream, mode: Mode) -> Result<Served, Failure> {
    let summary = tls.complete_handshake()?.clone();
    let mut served = Served {
        summary,
        request: None,
        echoed: 0,
    };
    let mut buf = vec![0u8; 16 * 1024];
    match mode {
        Mode::Www => {
            // The whole head, not just its first line: a client may send its request in
            // parts (and even try to renegotiate in between: the stream drains as it
            // reads, so the no_renegotiation warning goes out and the connection goes on).
            let mut received = Vec::new();
            let line = loop {
                if let Some(line) = http::request_head(&received)? {
                    break line;
                }
                if http::request_head_too_long(&received) {
                    return Err(Failure::other(
                        "no end of the request head in its first 64 KiB",
                    ));
                }
                match tls.read(&mut buf)? {
                    0 => return Err(Failure::other("the client closed before sending a request")),
                    n => received.extend_from_slice(&buf[..n]),
                }
            };
            let (status, body) = if line.starts_with("GET ") {
                ("200 OK", page(&served.summary, &line))
            } else {
                ("400 Bad Request", "only GET is understood\n".to_string())
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            tls.write_all(response.as_bytes())?;
            served.request = Some(line);
        }
        // Until the client's close_notify (a read of 0).
        Mode::Echo => loop {
            match tls.read(&mut buf)? {
                0 => break,
                n => {
                    tls.write_all(&buf[..n])?;
                    served.echoed += n;
                }
            }
        },
    }
    tls.close()?;
    Ok(served)
}

/// After our close_notify: stops writing and reads (for at most `linger`) until the peer's
/// close_notify or end of stream. Closing a socket with unread input makes the kernel
/// reset the connection, which can destroy our last records before the peer reads them;
/// reading first avoids that. A peer that just closes the socket (without close_notify)
/// after ours is fine: we said we were done.
fn finish(mut tls: ServerStream, linger: Duration) -> Result<(), Failure> {
    let _ = tls.get_mut().shutdown(Shutdown::Write);
    tls.get_mut().set_read_timeout(Some(linger))?;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match tls.read(&mut buf).map_err(Failure::from) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(Failure::Tls(Error::UnexpectedEof)) => return Ok(()),
            Err(Failure::Io(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::ConnectionReset
                ) =>
            {
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
}

/// After a failure (our fatal alert, if the error has one, is already written): shuts our
/// write side, then reads and drops whatever the peer still sends until end of stream, a
/// socket error, or `linger` has passed. Closing a socket with unread input makes the
/// kernel answer with a reset, which can destroy the alert before the peer reads it (a
/// client still sending a large ClientHello when we refuse it, say); this way the peer
/// reads the alert, then sees the end of stream.
fn discard_input(mut sock: TcpStream, linger: Duration) {
    let _ = sock.shutdown(Shutdown::Write);
    let deadline = Instant::now() + linger;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || sock.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match sock.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// One log line for a connection that went well.
pub fn log_line(s: &Served) -> String {
    let sum = &s.summary;
    let mut line = format!(
        "{:?}, {}, ALPN {}, SNI {}, EMS {}",
        sum.suite,
        sum.group.map(|g| g.to_string()).unwrap_or_else(|| {
            match sum.psk_identity {
                Some(_) => "PSK kx",
                None => "RSA kx",
            }
            .into()
        }),
        sum.alpn
            .as_ref()
            .map(|a| printable(&String::from_utf8_lossy(a)))
            .unwrap_or_else(|| "none".into()),
        sum.server_name
            .as_deref()
            .map(printable)
            .unwrap_or_else(|| "none".into()),
        if sum.extended_master_secret {
            "yes"
        } else {
            "no"
        },
    );
    if let Some(c) = sum.peer_certificates.first() {
        let subject = super::der::subject(c.as_ref()).unwrap_or_else(|| "?".into());
        line.push_str(&format!(", client cert {subject}"));
    }
    if let Some(id) = &sum.psk_identity {
        let id = printable(&String::from_utf8_lossy(id));
        line.push_str(&format!(", PSK identity {id:?}"));
    }
    match &s.request {
        Some(r) => line.push_str(&format!(": {:?}", printable(r))),
        None => line.push_str(&format!(": echoed {} bytes", s.echoed)),
    }
    line
}

/// Accepts and serves connections one after another, logging each to stderr; a failed
/// connection is logged and the loop goes on. Returns after `max_conns` connections.
pub fn serve(
    listener: &TcpListener,
    config: &Arc<ServerConfig>,
    o: &ServerOptions,
) -> Result<(), Failure> {
    let mut count = 0u64;
    loop {
        let (sock, peer) = match listener.accept() {
            Ok(x) => x,
            Err(e) => {
                super::log(format_args!("accept failed: {e}"));
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        count += 1;
        match serve_connection(config, sock, o.mode, o.timeout) {
            Ok(s) => super::log(format_args!("#{count} {peer}: {}", log_line(&s))),
            Err(e) => super::log(format_args!("#{count} {peer}: failed: {e}")),
        }
        if o.max_conns.is_some_and(|m| count >= m) {
            return Ok(());
        }
    }
}
