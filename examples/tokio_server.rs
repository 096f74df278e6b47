//! A TLS 1.2 server on tokio: one task per connection, each through
//! `tls12::tokio::TlsAcceptor`.
//!
//! ```text
//! cargo run --example tokio_server -- [--addr 127.0.0.1:4433] [--cert CHAIN_PEM --key KEY_PEM]
//! cargo run --example tokio_client -- 127.0.0.1:4433
//! openssl s_client -tls1_2 -connect 127.0.0.1:4433 -CAfile tests/data/pki/ca-rsa.crt.pem
//! ```
//!
//! Each client gets an HTTP/1.0 response naming the negotiated suite once its request
//! (everything up to the first blank line) has arrived; then the server closes.
//! `tests/tokio_examples.rs` runs `tokio_client.rs` against it.

use std::sync::Arc;
use std::time::Duration;

use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::pki_types::CertificateDer;
use tls12::pki_types::pem::PemObject;
use tls12::tokio::{ServerTlsStream, TlsAcceptor};
use tls12::{CertifiedKey, ServerConfig};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Any failure: TLS, IO, or the peer going away.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

const USAGE: &str = "\
Usage: cargo run --example tokio_server -- [--addr HOST:PORT] [--cert CHAIN_PEM --key KEY_PEM]

Defaults: --addr 127.0.0.1:4433 and the RSA test server certificate of tests/data/pki.";

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");

/// How long a failed connection reads and drops what the client still sends.
const LINGER: Duration = Duration::from_secs(2);

/// A server configuration with the chain in `cert` and the key in `key` (PEM files).
pub fn config(cert: &str, key: &str) -> Result<Arc<ServerConfig>, BoxError> {
    let chain = CertificateDer::pem_file_iter(cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = RingProvider.load_private_key_pem(&std::fs::read(key)?)?;
    let certified = CertifiedKey::new(chain, key)?;
    Ok(Arc::new(ServerConfig::new(
        Arc::new(RingProvider),
        vec![certified],
    )))
}

/// Serves connections from `listener`, each in its own task; stops after `limit`
/// connections if given (the tasks already started run to their end).
pub async fn serve(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    limit: Option<usize>,
) -> Result<(), BoxError> {
    let acceptor = TlsAcceptor::from(config);
    let mut tasks = Vec::new();
    let mut served = 0;
    while limit.is_none_or(|l| served < l) {
        let (sock, peer) = listener.accept().await?;
        served += 1;
        let acceptor = acceptor.clone();
        tasks.push(tokio::spawn(async move {
            if let Err(e) = handle(&acceptor, sock).await {
                eprintln!("{peer}: {e}");
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    Ok(())
}

/// One connection: handshake, read the request, answer, close. On failure, the alert (if
/// any) is already sent; what the client still sends is read and dropped for a moment
/// before the socket closes, so that the alert reaches it rather than a TCP reset.
async fn handle(acceptor: &TlsAcceptor, sock: TcpStream) -> Result<(), BoxError> {
    let mut tls = match acceptor.accept(sock).into_fallible().await {
        Ok(tls) => tls,
        Err((e, sock)) => {
            discard_input(sock).await;
            return Err(e.into());
        }
    };
    let result = respond(&mut tls).await;
    if result.is_err() {
        discard_input(tls.into_inner().0).await;
    }
    result
}

/// Shuts our write side, then reads and drops whatever the peer still sends until end of
/// stream, a socket error, or [`LINGER`] has passed.
async fn discard_input(mut sock: TcpStream) {
    let _ = sock.shutdown().await;
    let mut sink = tokio::io::sink();
    let _ = tokio::time::timeout(LINGER, tokio::io::copy(&mut sock, &mut sink)).await;
}

/// Whether the request head is complete: an empty line, after CRLF or bare LF line ends.
fn head_complete(received: &[u8]) -> bool {
    received.windows(2).any(|w| w == b"\n\n") || received.windows(3).any(|w| w == b"\n\r\n")
}

/// Reads until the request head is complete (at most 64 KiB of it).
async fn read_head(tls: &mut (impl AsyncRead + Unpin)) -> Result<Vec<u8>, BoxError> {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    while !head_complete(&received) {
        let n = tls.read(&mut buf).await?;
        if n == 0 {
            return Err("the client left before sending a request".into());
        }
        if received.len() + n > 64 * 1024 {
            return Err("request head over 64 KiB".into());
        }
        received.extend_from_slice(&buf[..n]);
    }
    Ok(received)
}

async fn respond(tls: &mut ServerTlsStream<TcpStream>) -> Result<(), BoxError> {
    let suite = tls
        .handshake_summary()
        .ok_or("handshake complete but no summary")?
        .suite;
    let received = read_head(tls).await?;
    let request_line = String::from_utf8_lossy(&received)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let body = format!("Hello from tls12 on tokio: {suite} for {request_line}\n");
    let response = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(response.as_bytes()).await?;
    tls.shutdown().await?;
    Ok(())
}

/// The command line.
struct Options {
    addr: String,
    cert: String,
    key: String,
}

/// Parses the command line; `Ok(None)` for `--help`.
fn parse_args() -> Result<Option<Options>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut o = Options {
        addr: "127.0.0.1:4433".into(),
        cert: format!("{PKI}/server-rsa.chain.pem"),
        key: format!("{PKI}/server-rsa.key.pem"),
    };
    let mut args = lexopt::Parser::from_env();
    while let Some(arg) = args.next()? {
        match arg {
            Long("addr") => o.addr = args.value()?.string()?,
            Long("cert") => o.cert = args.value()?.string()?,
            Long("key") => o.key = args.value()?.string()?,
            Short('h') | Long("help") => return Ok(None),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(o))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let Some(o) = parse_args().map_err(|e| format!("{e}\n\n{USAGE}"))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let listener = TcpListener::bind(&o.addr).await?;
    eprintln!("listening on {}", o.addr);
    serve(listener, config(&o.cert, &o.key)?, None).await
}
