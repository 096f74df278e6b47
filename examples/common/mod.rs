//! Code shared by the `client` and `server` examples (and by `tests/interop_openssl.rs`,
//! which drives the same code in-process against OpenSSL, and `tests/example_helpers.rs`,
//! which tests the helpers below on their own).
//!
//! - [`client`] / [`server`]: what the two examples do, as functions, on
//!   `tls12::StreamOwned` (the connection and its `TcpStream` as one `Read + Write`).
//!   Start reading here.
//! - [`setup`]: building configurations from PEM files and command-line names.
//! - [`der`], [`http`]: a certificate subject reader, HTTP framing (heads by `httparse`).
//! - [`record_log`]: a transport wrapper that notes record headers (the False Start report).
//!
//! Flags are parsed with `lexopt`.
#![allow(dead_code)] // Each example uses part of this module.

pub mod client;
pub mod der;
pub mod http;
pub mod record_log;
pub mod server;
pub mod setup;

use std::fmt;
use std::io::{self, Write};

/// Writes to stderr. Unlike `eprint!`, a closed stderr is ignored instead of panicking.
pub fn to_stderr(text: impl fmt::Display) {
    let _ = write!(io::stderr().lock(), "{text}");
}

/// Writes a line to stderr, ignoring a closed stderr.
pub fn log(text: impl fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// Writes to stdout, ignoring a closed stdout.
pub fn to_stdout(text: impl fmt::Display) {
    let _ = write!(io::stdout().lock(), "{text}");
}

/// Why an example failed. Displayed as a one-line message.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong (exit status 2, with the usage text).
    Usage(String),
    /// The socket failed (or timed out).
    Io(io::Error),
    /// TLS failed: the alert for it, if any, was already sent.
    Tls(tls12::Error),
    /// Anything else: a file that does not parse, a malformed HTTP response, ...
    Other(String),
}

impl Failure {
    /// A failure described by `msg`.
    pub fn other(msg: impl Into<String>) -> Self {
        Failure::Other(msg.into())
    }

    /// Whether this is the TLS error `e`.
    pub fn is_tls(&self, e: &tls12::Error) -> bool {
        matches!(self, Failure::Tls(x) if x == e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(m) => write!(f, "usage: {m}"),
            Failure::Io(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                f.write_str("timed out waiting for the peer")
            }
            Failure::Io(e) => write!(f, "I/O error: {e}"),
            Failure::Tls(e) => write!(f, "TLS error: {e}"),
            Failure::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Failure {}

/// An IO error from a `tls12::StreamOwned` that carries a TLS error is that TLS error.
impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<tls12::Error>())
        {
            Some(tls) => Failure::Tls(tls.clone()),
            None => Failure::Io(e),
        }
    }
}

impl From<lexopt::Error> for Failure {
    fn from(e: lexopt::Error) -> Self {
        Failure::Usage(e.to_string())
    }
}

impl From<tls12::Error> for Failure {
    fn from(e: tls12::Error) -> Self {
        Failure::Tls(e)
    }
}
