//! Prints a recorded TLS 1.2 connection the way Wireshark shows it, and decrypts it with a
//! key log.
//!
//! ```text
//! cargo run --example dissect -- tests/data/transcripts/client-ecdhe-rsa-aes128gcm-x25519.transcript \
//!     --keylog tests/data/transcripts/client-ecdhe-rsa-aes128gcm-x25519.keylog
//! cargo run --example dissect -- tests/data/illustrated-tls12 \
//!     --keylog tests/data/illustrated-tls12/keylog.txt
//! ```
//!
//! The input is a transcript (`src/transcript.rs`) or a directory of the Illustrated TLS 1.2
//! Connection's record files. Every record is traced; with `--keylog FILE` (NSS format, as
//! written by `SSLKEYLOGFILE`) the key block is derived from the master secret and the
//! hellos' randoms, the protected records (Finished, application data, alerts) of the AEAD
//! suites are decrypted and traced in clear, and each Finished is checked against the key
//! schedule. For a suite it cannot decrypt (AES-CBC) it prints the key block and the
//! expected client verify_data. The work is done by `examples/common/dissect.rs`.

#[path = "common/dissect.rs"]
mod dissect;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo run --example dissect -- TRANSCRIPT|ILLUSTRATED_DIR [--keylog FILE]

Prints every record of a recorded connection, Wireshark style. With --keylog (NSS key log
format), derives the keys, decrypts the protected records and checks the Finished messages.";

fn main() -> ExitCode {
    use lexopt::prelude::*;
    let mut input = None;
    let mut keylog = None;
    let mut args = lexopt::Parser::from_env();
    loop {
        let arg = match args.next() {
            Ok(Some(arg)) => arg,
            Ok(None) => break,
            Err(e) => return usage(&e.to_string()),
        };
        match arg {
            Short('h') | Long("help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Long("keylog") => match args.value() {
                Ok(f) => keylog = Some(PathBuf::from(f)),
                Err(_) => return usage("--keylog needs a file"),
            },
            Long(flag) => return usage(&format!("unknown option --{flag}")),
            Short(flag) => return usage(&format!("unknown option -{flag}")),
            Value(_) if input.is_some() => return usage("one input only"),
            Value(arg) => input = Some(PathBuf::from(arg)),
        }
    }
    let Some(input) = input else {
        return usage("no input");
    };
    let capture = match dissect::load(&input) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let keys = match &keylog {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => dissect::parse_keylog(&text),
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
        None => Vec::new(),
    };
    let mut out = String::new();
    dissect::dissect(&capture, &keys, &mut out);
    // A closed stdout (`| head`) ends the program quietly.
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}
