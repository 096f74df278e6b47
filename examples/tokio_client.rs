//! A TLS 1.2 client on tokio, through `tls12::tokio::TlsConnector`.
//!
//! ```text
//! cargo run --example tokio_server &
//! cargo run --example tokio_client -- 127.0.0.1:4433
//! cargo run --example tokio_client -- example.test:443 --servername example.test \
//!     --cafile roots.pem --path /index.html
//! ```
//!
//! It connects, runs the handshake, sends `GET PATH HTTP/1.0`, prints the response and
//! closes. The `TlsStream` is an `AsyncRead + AsyncWrite` like any other: the request is a
//! `write_all`, the response a `read_to_end` (which ends at the server's close_notify).
//! `tests/tokio_examples.rs` runs this client against `tokio_server.rs` on loopback.

use std::sync::Arc;

use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, ServerName};
use tls12::tokio::TlsConnector;
use tls12::verify::{RootStore, WebPkiServerVerifier};
use tls12::{ClientConfig, HandshakeSummary};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Any failure: TLS, IO, or the peer going away.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

const USAGE: &str = "\
Usage: cargo run --example tokio_client -- HOST:PORT [--servername NAME] [--cafile PEM]... [--path PATH]

Defaults: --servername testserver.tls12.test, the test CAs of tests/data/pki, --path /.";

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");

/// A client configuration trusting the certificates in `cafiles`.
pub fn config(cafiles: &[String]) -> Result<Arc<ClientConfig>, BoxError> {
    let mut roots = RootStore::new();
    for file in cafiles {
        for cert in CertificateDer::pem_file_iter(file)? {
            roots.add(&cert?)?;
        }
    }
    let provider: Arc<dyn CryptoProvider> = Arc::new(RingProvider);
    let verifier = Arc::new(WebPkiServerVerifier::new(
        Arc::new(roots),
        *provider.signature_verification(),
    ));
    Ok(Arc::new(ClientConfig::new(provider, verifier)))
}

/// Connects to `addr`, asks for `path`, and returns what was negotiated and the response.
pub async fn fetch(
    addr: &str,
    server_name: &str,
    config: Arc<ClientConfig>,
    path: &str,
) -> Result<(HandshakeSummary, Vec<u8>), BoxError> {
    let sock = TcpStream::connect(addr).await?;
    let name = ServerName::try_from(server_name.to_string())?;
    let mut tls = TlsConnector::from(config).connect(name, sock).await?;
    let summary = tls
        .handshake_summary()
        .cloned()
        .ok_or("handshake complete but no summary")?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {server_name}\r\n\r\n");
    tls.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    tls.read_to_end(&mut response).await?;
    tls.shutdown().await?;
    Ok((summary, response))
}

/// The command line.
struct Options {
    addr: String,
    server_name: String,
    cafiles: Vec<String>,
    path: String,
}

/// Parses the command line; `Ok(None)` for `--help`.
fn parse_args() -> Result<Option<Options>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut addr = None;
    let mut o = Options {
        addr: String::new(),
        server_name: "testserver.tls12.test".into(),
        cafiles: Vec::new(),
        path: "/".into(),
    };
    let mut args = lexopt::Parser::from_env();
    while let Some(arg) = args.next()? {
        match arg {
            Long("servername") => o.server_name = args.value()?.string()?,
            Long("cafile") => o.cafiles.push(args.value()?.string()?),
            Long("path") => o.path = args.value()?.string()?,
            Short('h') | Long("help") => return Ok(None),
            Value(a) if addr.is_none() => addr = Some(a.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    o.addr = addr.ok_or("no HOST:PORT")?;
    if o.cafiles.is_empty() {
        o.cafiles = vec![
            format!("{PKI}/ca-rsa.crt.pem"),
            format!("{PKI}/ca-ecdsa.crt.pem"),
        ];
    }
    Ok(Some(o))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let Some(o) = parse_args().map_err(|e| format!("{e}\n\n{USAGE}"))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let (summary, response) = fetch(&o.addr, &o.server_name, config(&o.cafiles)?, &o.path).await?;
    eprintln!("connected: {} over {:?}", summary.suite, summary.group);
    print!("{}", String::from_utf8_lossy(&response));
    Ok(())
}
