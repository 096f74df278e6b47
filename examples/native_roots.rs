//! Verifying servers with the platform's roots: loads the trust store of the operating
//! system (`rustls-native-certs`: on Linux the distribution's bundle, such as
//! `/etc/ssl/certs`), adds any `--cafile` roots beside them, and fetches one page.
//!
//! ```text
//! cargo run --example native_roots -- --cafile tests/data/pki/ca-rsa.crt.pem \
//!     --servername testserver.tls12.test 127.0.0.1:4433 /
//! ```
//!
//! Prints how many platform roots were added and skipped (a platform bundle may hold
//! certificates webpki cannot use), then the response's status line. Exit status: 0 on a
//! response, 1 on any failure, 2 for a bad command line.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::Arc;

use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, ServerName};
use tls12::verify::{RootStore, WebPkiServerVerifier};
use tls12::{ClientConfig, ClientConnection, StreamOwned};

const USAGE: &str = "native_roots [--cafile PEM].. [--servername NAME] HOST:PORT [PATH]

  --cafile PEM         also trust the roots in PEM (repeatable), beside the platform's
  --servername NAME    the name to verify (and send as SNI); default: HOST";

struct Options {
    cafiles: Vec<String>,
    servername: Option<String>,
    addr: String,
    path: String,
}

fn parse() -> Result<Option<Options>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let (mut cafiles, mut servername, mut positional) = (Vec::new(), None, Vec::new());
    while let Some(arg) = parser.next()? {
        match arg {
            Long("cafile") => cafiles.push(parser.value()?.string()?),
            Long("servername") => servername = Some(parser.value()?.string()?),
            Short('h') | Long("help") => return Ok(None),
            Value(v) => positional.push(v.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    let mut positional = positional.into_iter();
    let addr = positional
        .next()
        .ok_or_else(|| lexopt::Error::from("HOST:PORT is missing"))?;
    let path = positional.next().unwrap_or_else(|| "/".into());
    if let Some(extra) = positional.next() {
        return Err(lexopt::Error::UnexpectedArgument(extra.into()));
    }
    Ok(Some(Options {
        cafiles,
        servername,
        addr,
        path,
    }))
}

fn run(o: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let mut roots = RootStore::new();
    let native = rustls_native_certs::load_native_certs();
    let (added, skipped) = roots.add_parsable_certificates(native.certs);
    eprintln!(
        "platform roots:         {added} added, {skipped} skipped ({} load errors)",
        native.errors.len()
    );
    for file in &o.cafiles {
        for cert in CertificateDer::pem_file_iter(file)? {
            roots.add(&cert?)?;
        }
    }
    let verifier =
        WebPkiServerVerifier::new(Arc::new(roots), *RingProvider.signature_verification());
    let config = ClientConfig::new(Arc::new(RingProvider), Arc::new(verifier)).build()?;
    let host = o.addr.rsplit_once(':').map_or(o.addr.as_str(), |(h, _)| h);
    let name = ServerName::try_from(o.servername.as_deref().unwrap_or(host).to_string())?;
    let mut tls = StreamOwned::new(
        ClientConnection::new(config, name.clone())?,
        TcpStream::connect(&o.addr)?,
    );
    let host_header = o.servername.as_deref().unwrap_or(host);
    write!(
        tls,
        "GET {} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n",
        o.path
    )?;
    tls.flush()?;
    let mut response = Vec::new();
    tls.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    eprintln!(
        "response:               {}",
        text.lines().next().unwrap_or("(empty)")
    );
    Ok(())
}

fn main() -> ExitCode {
    match parse() {
        Ok(Some(o)) => match run(&o) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("native_roots: {e}");
                ExitCode::from(1)
            }
        },
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("native_roots: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
