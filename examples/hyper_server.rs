//! An HTTPS server: hyper 1.x over `tls12::tokio::TlsAcceptor`, HTTP/2 or HTTP/1.1 as
//! ALPN chose.
//!
//! ```text
//! cargo run --example hyper_server --features tokio -- [--port 4433] [--cert CHAIN_PEM --key KEY_PEM] [--max-conns N]
//! curl --http2 --tlsv1.2 --tls-max 1.2 --cacert tests/data/pki/ca-rsa.crt.pem \
//!     --resolve testserver.tls12.test:4433:127.0.0.1 https://testserver.tls12.test:4433/
//! ```
//!
//! The server offers `h2` and `http/1.1` by ALPN and serves the protocol the client took
//! (HTTP/1.1 when it named none). Every request gets a plain text line naming the HTTP
//! version, the suite and the request. With `--max-conns N` the server exits once N
//! connections are over. `tests/hyper_curl.rs` runs it against curl and this crate's
//! client.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::pki_types::CertificateDer;
use tls12::pki_types::pem::PemObject;
use tls12::tokio::TlsAcceptor;
use tls12::{CertifiedKey, ServerConfig};
use tokio::net::{TcpListener, TcpStream};

/// Any failure: TLS, IO, HTTP.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

const USAGE: &str = "\
Usage: cargo run --example hyper_server --features tokio -- [--port PORT] [--cert CHAIN_PEM --key KEY_PEM] [--max-conns N]

Listens on 127.0.0.1:PORT (default 4433; 0 picks a free port, printed as `listening on ADDR`).
Defaults: the RSA test server certificate of tests/data/pki; serve until killed.";

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");

/// A server configuration with the chain in `cert` and the key in `key` (PEM files),
/// offering `h2` then `http/1.1`.
fn config(cert: &str, key: &str) -> Result<Arc<ServerConfig>, BoxError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{cert}: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{cert}: {e}"))?;
    let pem = std::fs::read(key).map_err(|e| format!("{key}: {e}"))?;
    let key = RingProvider
        .load_private_key_pem(&pem)
        .map_err(|e| format!("{key}: {e}"))?;
    let mut config =
        ServerConfig::new(Arc::new(RingProvider), vec![CertifiedKey::new(chain, key)?]);
    config.common.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The one handler: a text line about the request and the connection.
async fn hello(
    request: Request<Incoming>,
    suite: String,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = format!(
        "Hello from tls12 and hyper over {:?}: {suite} for {} {}\n",
        request.version(),
        request.method(),
        request.uri().path()
    );
    Ok(Response::builder()
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from(body)))
        .expect("a status, one valid header and a body make a valid response"))
}

/// One connection: the TLS handshake, then HTTP/2 or HTTP/1.1 by the negotiated ALPN.
async fn handle(acceptor: TlsAcceptor, sock: TcpStream) -> Result<(), BoxError> {
    let tls = acceptor.accept(sock).await?;
    let summary = tls
        .handshake_summary()
        .ok_or("handshake complete but no summary")?;
    let suite = summary.suite.to_string();
    let builder = auto::Builder::new(TokioExecutor::new());
    let builder = match tls.alpn_protocol() {
        Some(b"h2") => builder.http2_only(),
        _ => builder.http1_only(),
    };
    let service = service_fn(move |request| hello(request, suite.clone()));
    builder.serve_connection(TokioIo::new(tls), service).await?;
    Ok(())
}

/// Serves connections from `listener`, each in its own task, until `limit` connections
/// (if given) are over.
async fn serve(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    limit: Option<usize>,
) -> Result<(), BoxError> {
    let acceptor = TlsAcceptor::from(config);
    let mut tasks = tokio::task::JoinSet::new();
    let mut accepted = 0;
    while limit.is_none_or(|l| accepted < l) {
        let (sock, peer) = listener.accept().await?;
        accepted += 1;
        let acceptor = acceptor.clone();
        tasks.spawn(async move {
            if let Err(e) = handle(acceptor, sock).await {
                eprintln!("{peer}: {e}");
            }
        });
        // Reap the connections already over, so that a long run does not keep them.
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// The command line.
struct Options {
    port: u16,
    cert: String,
    key: String,
    max_conns: Option<usize>,
}

/// Parses the command line; `Ok(None)` for `--help`.
fn parse_args() -> Result<Option<Options>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut o = Options {
        port: 4433,
        cert: format!("{PKI}/server-rsa.chain.pem"),
        key: format!("{PKI}/server-rsa.key.pem"),
        max_conns: None,
    };
    let mut args = lexopt::Parser::from_env();
    while let Some(arg) = args.next()? {
        match arg {
            Long("port") => o.port = args.value()?.parse()?,
            Long("cert") => o.cert = args.value()?.string()?,
            Long("key") => o.key = args.value()?.string()?,
            Long("max-conns") => o.max_conns = Some(args.value()?.parse()?),
            Short('h') | Long("help") => return Ok(None),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(o))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let Some(o) = parse_args().map_err(|e| format!("{e}\n\n{USAGE}"))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let config = config(&o.cert, &o.key)?;
    let listener = TcpListener::bind(("127.0.0.1", o.port)).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    serve(listener, config, o.max_conns).await
}
