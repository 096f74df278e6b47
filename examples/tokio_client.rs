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

/// The value of `flag`, the option just read.
fn value(args: &mut lexopt::Parser, flag: &str) -> Result<String, BoxError> {
    use lexopt::ValueExt;
    let value = args
        .value()
        .map_err(|_| format!("{flag} needs a value\n\n{USAGE}"))?;
    Ok(value.string()?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    use lexopt::prelude::*;
    let mut addr = None;
    let mut server_name = "testserver.tls12.test".to_string();
    let mut cafiles = Vec::new();
    let mut path = "/".to_string();
    let mut args = lexopt::Parser::from_env();
    while let Some(arg) = args.next().map_err(|e| format!("{e}\n\n{USAGE}"))? {
        match arg {
            Long("servername") => server_name = value(&mut args, "--servername")?,
            Long("cafile") => cafiles.push(value(&mut args, "--cafile")?),
            Long("path") => path = value(&mut args, "--path")?,
            Short('h') | Long("help") => {
                println!("{USAGE}");
                return Ok(());
            }
            Value(a) if addr.is_none() => addr = Some(a.string()?),
            Long(flag) => return Err(format!("unexpected argument --{flag}\n\n{USAGE}").into()),
            Short(flag) => return Err(format!("unexpected argument -{flag}\n\n{USAGE}").into()),
            Value(a) => {
                let a = a.to_string_lossy();
                return Err(format!("unexpected argument {a}\n\n{USAGE}").into());
            }
        }
    }
    let addr = addr.ok_or(format!("no HOST:PORT\n\n{USAGE}"))?;
    if cafiles.is_empty() {
        cafiles = vec![
            format!("{PKI}/ca-rsa.crt.pem"),
            format!("{PKI}/ca-ecdsa.crt.pem"),
        ];
    }
    let (summary, response) = fetch(&addr, &server_name, config(&cafiles)?, &path).await?;
    eprintln!("connected: {} over {:?}", summary.suite, summary.group);
    print!("{}", String::from_utf8_lossy(&response));
    Ok(())
}
