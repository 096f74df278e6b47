//! The client example as functions: options, configuration, connect, GET.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tls12::enums::MaxFragmentLength;
use tls12::pki_types::ServerName;
use tls12::verify::danger::NoServerVerification;
use tls12::verify::{ServerCertVerifier, WebPkiServerVerifier};
use tls12::{
    CertificateError, ClientConfig, ClientConnection, Error, HandshakeSummary, StreamOwned,
};

use super::Failure;
use super::http::{self, End, Response};
use super::record_log::RecordLog;
use super::setup::{self, CommonOptions, Flag, next_flag, value};

/// The usage text.
pub const USAGE: &str = "\
client [flags] HOST:PORT    fetch PATH over TLS 1.2 and print the body

  --cafile PEM             trust the roots in PEM (repeatable; without any,
                           verification fails unless --insecure or a PSK suite)
  --insecure               do not verify the server's certificate chain (debugging only)
  --servername NAME        name for SNI and verification (default: the host part)
  --cert PEM --key PEM     client certificate chain and its key
  --path PATH              the path to GET (default: /)
  --false-start            send the request right after our Finished, before the
                           server's (RFC 7918; ECDHE suites only)
  --timeout SECS           socket timeout (default: 10)
  --reconnect N            then reconnect N times, resuming the session, and print
                           `resumed: yes|no` for each (like s_client -reconnect)
  --no-tickets             resume with session IDs only (no session_ticket extension)
  --max-fragment-length N  ask for max_fragment_length N (RFC 6066: 512, 1024, 2048
                           or 4096): records both ways carry at most N bytes";

/// What the client was asked to do.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `HOST:PORT`
    pub addr: String,
    /// `--servername`
    pub servername: Option<String>,
    /// `--cafile` (repeatable)
    pub cafile: Vec<PathBuf>,
    /// `--insecure`
    pub insecure: bool,
    /// `--cert` (chain)
    pub cert: Option<PathBuf>,
    /// `--key`
    pub key: Option<PathBuf>,
    /// `--path`
    pub path: String,
    /// `--timeout`
    pub timeout: Duration,
    /// `--false-start`
    pub false_start: bool,
    /// `--reconnect`
    pub reconnect: u32,
    /// `--no-tickets`
    pub no_tickets: bool,
    /// `--max-fragment-length`
    pub max_fragment_length: Option<MaxFragmentLength>,
    /// Suites, groups, ALPN, key log.
    pub common: CommonOptions,
}

impl ClientOptions {
    /// Parses the command line (without the program name). `Ok(None)` for `--help`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Self>, Failure> {
        let mut args = lexopt::Parser::from_args(args);
        let mut o = ClientOptions {
            addr: String::new(),
            servername: None,
            cafile: Vec::new(),
            insecure: false,
            cert: None,
            key: None,
            path: "/".into(),
            timeout: Duration::from_secs(10),
            false_start: false,
            reconnect: 0,
            no_tickets: false,
            max_fragment_length: None,
            common: CommonOptions::default(),
        };
        let mut addr = None;
        while let Some(arg) = next_flag(&mut args)? {
            let flag = match arg {
                Flag::Positional(p) if addr.is_none() => {
                    addr = Some(p);
                    continue;
                }
                Flag::Positional(p) => return Err(Failure::Usage(format!("unexpected {p:?}"))),
                Flag::Flag(f) => f,
            };
            if o.common.flag(&flag, &mut args)? {
                continue;
            }
            match flag.as_str() {
                "-h" | "--help" => return Ok(None),
                "--cafile" | "--CAfile" => o.cafile.push(value(&mut args)?.into()),
                "--insecure" | "-k" => o.insecure = true,
                "--servername" => o.servername = Some(value(&mut args)?),
                "--cert" => o.cert = Some(value(&mut args)?.into()),
                "--key" => o.key = Some(value(&mut args)?.into()),
                "--path" => {
                    let p = value(&mut args)?;
                    if !p.starts_with('/') || p.chars().any(|c| c.is_whitespace() || c.is_control())
                    {
                        return Err(Failure::Usage(
                            "--path must start with / and contain no spaces".into(),
                        ));
                    }
                    o.path = p;
                }
                "--timeout" => o.timeout = parse_secs(&value(&mut args)?)?,
                "--reconnect" => {
                    let v = value(&mut args)?;
                    o.reconnect = v
                        .parse()
                        .map_err(|_| Failure::Usage(format!("bad --reconnect {v:?}")))?;
                }
                "--no-tickets" | "--no_ticket" => o.no_tickets = true,
                "--false-start" => o.false_start = true,
                "--max-fragment-length" | "--maxfraglen" => {
                    let v = value(&mut args)?;
                    o.max_fragment_length = Some(match v.as_str() {
                        "512" => MaxFragmentLength::L512,
                        "1024" => MaxFragmentLength::L1024,
                        "2048" => MaxFragmentLength::L2048,
                        "4096" => MaxFragmentLength::L4096,
                        _ => {
                            return Err(Failure::Usage(format!(
                                "--max-fragment-length {v:?}: 512, 1024, 2048 or 4096"
                            )));
                        }
                    });
                }
                _ => return Err(Failure::Usage(format!("unknown flag {flag}"))),
            }
        }
        o.addr = addr.ok_or_else(|| Failure::Usage("missing HOST:PORT".into()))?;
        if o.cert.is_some() != o.key.is_some() {
            return Err(Failure::Usage("--cert and --key go together".into()));
        }
        Ok(Some(o))
    }

    /// The host part of `HOST:PORT` (`[::1]:443` gives `::1`).
    pub fn host(&self) -> &str {
        let a = self.addr.as_str();
        if let Some(rest) = a.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest);
        }
        match a.rsplit_once(':') {
            Some((h, _)) => h,
            None => a,
        }
    }

    /// The name the certificate must be valid for (and SNI, unless it is an IP address).
    pub fn server_name(&self) -> Result<ServerName<'static>, Failure> {
        let name = self
            .servername
            .clone()
            .unwrap_or_else(|| self.host().to_string());
        ServerName::try_from(name.clone())
            .map_err(|_| Failure::Usage(format!("{name:?} is not a valid DNS name or IP address")))
    }
}

/// Seconds, as a positive (fractional) number.
pub fn parse_secs(s: &str) -> Result<Duration, Failure> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1e6 => Ok(Duration::from_secs_f64(x)),
        _ => Err(Failure::Usage(format!("bad number of seconds {s:?}"))),
    }
}

/// Builds the client configuration.
pub fn config(o: &ClientOptions) -> Result<Arc<ClientConfig>, Failure> {
    let provider = setup::provider();
    let sv = *provider.signature_verification();
    let verifier: Arc<dyn ServerCertVerifier> = if o.insecure {
        Arc::new(NoServerVerification::new(sv))
    } else {
        let roots = setup::load_roots(&o.cafile)?;
        Arc::new(WebPkiServerVerifier::new(Arc::new(roots), sv))
    };
    let mut c = ClientConfig::new(provider, verifier);
    o.common.apply(&mut c.common)?;
    if let Some(psk) = &o.common.psk {
        // With --cipher, exactly the suites named; else the PSK suites first.
        let psk = Arc::new(psk.clone());
        match o.common.suites {
            Some(_) => c.psk = Some(psk),
            None => c.enable_psk(psk),
        }
    }
    c.enable_tickets = !o.no_tickets;
    if let (Some(cert), Some(key)) = (&o.cert, &o.key) {
        c.client_cert = Some(setup::load_certified_key(cert, key)?);
    }
    c.false_start = o.false_start;
    c.max_fragment_length = o.max_fragment_length;
    Ok(Arc::new(c))
}

/// Connects (with the timeout) to the first address `addr` resolves to that answers.
pub fn tcp_connect(addr: &str, timeout: Duration) -> Result<TcpStream, Failure> {
    let with_port = if addr.starts_with('[') && !addr.contains("]:")
        || !addr.starts_with('[') && !addr.contains(':')
    {
        format!("{addr}:443")
    } else {
        addr.to_string()
    };
    let mut last = None;
    let addrs = with_port
        .to_socket_addrs()
        .map_err(|e| Failure::other(format!("cannot resolve {addr}: {e}")))?;
    for a in addrs {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(s) => {
                s.set_read_timeout(Some(timeout))?;
                s.set_write_timeout(Some(timeout))?;
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => Failure::other(format!("cannot connect to {addr}: {e}")),
        None => Failure::other(format!("{addr} resolves to no address")),
    })
}

/// The GET request for `o.path`.
pub fn request(o: &ClientOptions) -> String {
    format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: tls12-example\r\nConnection: close\r\n\r\n",
        o.path, o.addr
    )
}

/// The client's stream: the connection and its socket, the socket wrapped to note the
/// handshake's record headers (for the False Start report).
pub type ClientStream = StreamOwned<ClientConnection, RecordLog<TcpStream>>;

/// Connects and runs the handshake. With `--false-start` the request is queued first: the
/// connection sends it right after our Finished when False Start applies (an ECDHE suite),
/// else once the handshake completes; [`get`] then only reads the response.
pub fn connect(
    o: &ClientOptions,
    config: Arc<ClientConfig>,
) -> Result<(ClientStream, HandshakeSummary), Failure> {
    let name = o.server_name()?;
    let sock = tcp_connect(&o.addr, o.timeout)?;
    let conn = ClientConnection::new(config, name)?;
    let mut tls = StreamOwned::new(conn, RecordLog::new(sock));
    if o.false_start {
        tls.conn_mut().write(request(o).as_bytes())?;
    }
    let handshake = tls.complete_handshake().cloned().map_err(Failure::from);
    tls.get_mut().stop();
    match handshake {
        Ok(summary) => Ok((tls, summary)),
        Err(Failure::Tls(Error::UnexpectedEof)) => Err(Failure::other(
            "the peer closed the connection during the handshake",
        )),
        Err(Failure::Tls(Error::Certificate(CertificateError::UnknownIssuer)))
            if o.cafile.is_empty() && !o.insecure =>
        {
            Err(Failure::other(
                "TLS error: certificate rejected: UnknownIssuer (no --cafile given: pass the \
                 server's root with --cafile, or --insecure to skip verification)",
            ))
        }
        Err(e) => Err(e),
    }
}

/// The largest response the example keeps in memory.
const MAX_RESPONSE: usize = 64 << 20;

/// Sends `GET path` (unless [`connect`] queued it for False Start) and reads the whole
/// response, then closes.
pub fn get(tls: &mut ClientStream, o: &ClientOptions) -> Result<Response, Failure> {
    if !o.false_start {
        tls.write_all(request(o).as_bytes())?;
        tls.flush()?;
    }
    let mut received = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if let Some(response) = http::parse_response(&received, End::Open)? {
            // Complete: say goodbye (the peer may already have gone: ignore that).
            let _ = tls.close();
            return Ok(response);
        }
        if received.len() > MAX_RESPONSE {
            return Err(Failure::other("response larger than 64 MiB"));
        }
        match tls.read(&mut buf).map_err(Failure::from) {
            // The server's close_notify.
            Ok(0) => {
                let _ = tls.close();
                return match http::parse_response(&received, End::Clean)? {
                    Some(r) => Ok(r),
                    None => Err(Failure::other("the server closed before a response")),
                };
            }
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(Failure::Tls(Error::UnexpectedEof)) => {
                return match http::parse_response(&received, End::Truncated)? {
                    Some(r) => Ok(r),
                    None => Err(Failure::other("the server closed without close_notify")),
                };
            }
            Err(e) => return Err(e),
        }
    }
}
