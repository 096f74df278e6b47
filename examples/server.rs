//! A TLS 1.2 server in the spirit of `openssl s_server -www`: answers each request with a
//! page naming the negotiated parameters (or echoes, with `--echo`), one connection after
//! another, on 127.0.0.1.
//!
//! ```text
//! cargo run --release --example server -- \
//!     --cert tests/data/pki/server-rsa.chain.pem --key tests/data/pki/server-rsa.key.pem \
//!     --cert tests/data/pki/server-p256.chain.pem --key tests/data/pki/server-p256.key.pem
//! ```
//!
//! With a pre-shared key (RFC 4279) instead of a certificate, the PSK suites only:
//!
//! ```text
//! cargo run --release --example server -- --psk sensor-17:000102030405060708090a0b0c0d0e0f
//! ```
//!
//! A failed connection is logged to stderr and the server goes on. The socket glue is
//! `tls12::StreamOwned`: the connection and its `TcpStream` as one `Read + Write`.

#[path = "common/mod.rs"]
mod common;

use std::net::TcpListener;
use std::process::ExitCode;

use common::Failure;
use common::server::{self, ServerOptions};
use common::setup::COMMON_USAGE;

fn run() -> Result<(), Failure> {
    let Some(opts) = ServerOptions::parse(std::env::args().skip(1))? else {
        common::to_stdout(format_args!("{}\n{COMMON_USAGE}\n", server::USAGE));
        return Ok(());
    };
    let config = server::config(&opts)?;
    let listener = TcpListener::bind(("127.0.0.1", opts.port))
        .map_err(|e| Failure::other(format!("cannot listen on 127.0.0.1:{}: {e}", opts.port)))?;
    common::log(format_args!("listening on {}", listener.local_addr()?));
    server::serve(&listener, &config, &opts)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ Failure::Usage(_)) => {
            common::log(format_args!(
                "server: {e}\n\n{}\n{COMMON_USAGE}",
                server::USAGE
            ));
            ExitCode::from(2)
        }
        Err(e) => {
            common::log(format_args!("server: {e}"));
            ExitCode::FAILURE
        }
    }
}
