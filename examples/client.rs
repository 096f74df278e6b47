//! A TLS 1.2 client in the spirit of `openssl s_client`: connects, sends `GET PATH`, prints
//! the response body to stdout and the handshake summary to stderr.
//!
//! ```text
//! cargo run --release --example client -- --cafile tests/data/pki/ca-rsa.crt.pem \
//!     --servername testserver.tls12.test 127.0.0.1:4433
//! ```
//!
//! With a pre-shared key (RFC 4279; `--cipher` to name the suites, by their IANA names):
//!
//! ```text
//! cargo run --release --example client -- --psk sensor-17:000102030405060708090a0b0c0d0e0f //!     --cipher TLS_PSK_WITH_AES_128_GCM_SHA256 127.0.0.1:4433
//! ```
//!
//! Exit status: 0 when the handshake succeeded and a complete response arrived, 1 on any
//! failure, 2 for a bad command line. The socket glue is `tls12::StreamOwned`: the
//! connection and its `TcpStream` as one `Read + Write`.

#[path = "common/mod.rs"]
mod common;

use std::io::Write;
use std::process::ExitCode;

use common::Failure;
use common::client::{self, ClientOptions};
use common::setup::{self, COMMON_USAGE};

fn run() -> Result<(), Failure> {
    let Some(opts) = ClientOptions::parse(std::env::args().skip(1))? else {
        common::to_stdout(format_args!("{}\n{COMMON_USAGE}\n", client::USAGE));
        return Ok(());
    };
    let config = client::config(&opts)?;
    let (mut tls, summary) = client::connect(&opts, config.clone())?;
    common::to_stderr(setup::describe(&summary, "server"));
    if opts.false_start {
        common::log(format_args!(
            "false start:            {}",
            if tls.get_ref().sent_data_before_peer_ccs() {
                "yes (request sent before the server's Finished)"
            } else {
                "no (the suite does not allow it)"
            }
        ));
    }
    let response = client::get(&mut tls, &opts)?;
    // Like s_client -reconnect: the same configuration (and so the same session store).
    for _ in 0..opts.reconnect {
        let (mut again, summary) = client::connect(&opts, config.clone())?;
        client::get(&mut again, &opts)?;
        let yes_no = if summary.resumed { "yes" } else { "no" };
        common::log(format_args!("resumed: {yes_no}"));
    }
    common::log(format_args!(
        "response:               {}",
        setup::printable(&response.status_line)
    ));
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&response.body)?;
    stdout.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ Failure::Usage(_)) => {
            common::log(format_args!(
                "client: {e}\n\n{}\n{COMMON_USAGE}",
                client::USAGE
            ));
            ExitCode::from(2)
        }
        Err(e) => {
            common::log(format_args!("client: {e}"));
            ExitCode::FAILURE
        }
    }
}
