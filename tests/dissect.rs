//! The dissector (`examples/dissect.rs`) on the Illustrated TLS 1.2 Connection and on our
//! recorded transcripts: what it prints and the key schedule it checks.

#[path = "../examples/common/dissect.rs"]
mod dissect;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use dissect::{Findings, dissect, load, parse_keylog};
use tls12::crypto::ring::RingProvider;
use tls12::crypto::test_provider::TestProvider;
use tls12::crypto::{CryptoProvider, HashAlgorithm};
use tls12::enums::{CipherSuite, NamedGroup};
use tls12::internal::key_schedule::MasterSecret;
use tls12::transcript::Direction;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test hex")
}

fn run(input: &str, keylog: Option<&str>) -> (String, Vec<Findings>) {
    let capture = load(Path::new(&format!("{DATA}/{input}"))).expect("input loads");
    let keys = keylog
        .map(|k| {
            let text = std::fs::read_to_string(format!("{DATA}/{k}")).expect("key log");
            parse_keylog(&text)
        })
        .unwrap_or_default();
    let mut out = String::new();
    let findings = dissect(&capture, &keys, &mut out);
    (out, findings)
}

/// The published values of The Illustrated TLS 1.2 Connection (its README lists them).
#[test]
fn illustrated_key_block_and_client_verify_data_match_the_published_values() {
    let (out, f) = run("illustrated-tls12", Some("illustrated-tls12/keylog.txt"));
    let f = &f[0];
    assert_eq!(f.client_random, Some(std::array::from_fn(|i| i as u8)));
    assert_eq!(
        f.server_random,
        Some(std::array::from_fn(|i| 0x70 + i as u8))
    );
    assert_eq!(f.suite, Some(CipherSuite(0xc013)));
    assert!(f.master_known);
    let kb = f.key_block.as_ref().expect("key block derived");
    assert_eq!(
        kb[0],
        hex("1b7d117c7d5f690bc263cae8ef60af0f1878acc2"),
        "client MAC key"
    );
    assert_eq!(
        kb[1],
        hex("2ad8bdd8c601a617126f63540eb20906f781fad2"),
        "server MAC key"
    );
    assert_eq!(
        kb[2],
        hex("f656d037b173ef3e11169f27231a84b6"),
        "client write key"
    );
    assert_eq!(
        kb[3],
        hex("752a18e7a9fcb7cbcdd8f98dd8f769eb"),
        "server write key"
    );
    assert_eq!(kb[4], hex("a0d2550c9238eebfef5c32251abb67d6"), "client IV");
    assert_eq!(kb[5], hex("434528db4937d540d393135e06a11bb8"), "server IV");
    assert_eq!(
        f.expected_client_verify_data.map(|v| v.to_vec()),
        Some(hex("cf919626f1360c536aaad73a")),
        "the client Finished's verify_data from Hash(handshake)"
    );
    // The file of the decrypted client Finished carries that verify_data.
    let plain = std::fs::read(format!("{DATA}/illustrated-tls12/clientfinishedplain"))
        .expect("clientfinishedplain");
    assert_eq!(
        &plain[4..16],
        f.expected_client_verify_data.unwrap().as_slice()
    );
    // AES-CBC is not decrypted, but says so; the plaintext records are traced.
    assert_eq!(f.decrypted, 0);
    assert!(
        out.contains("cannot decrypt TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        "{out}"
    );
    assert!(out.contains("Server Name: example.ulfheim.net"), "{out}");
    assert!(
        out.contains("Handshake Protocol: Server Key Exchange"),
        "{out}"
    );
    assert!(out.contains("Named Curve: x25519 (0x001d)"), "{out}");
    assert!(
        out.contains("── Record 13: client → server (53 bytes) ──"),
        "{out}"
    );
    assert!(
        out.contains("TLSv1.2 Record Layer: Encrypted Alert"),
        "{out}"
    );
}

/// The master secret in the key log is the one the ECDHE exchange gives: x25519 of the
/// client's published private key and the server's public key in the ServerKeyExchange.
#[test]
fn illustrated_master_secret_follows_from_the_published_ephemeral_key() {
    let ske = std::fs::read(format!("{DATA}/illustrated-tls12/serverkeyexchange")).expect("ske");
    // record header 5, handshake header 4, curve type 1, named curve 2, length 1.
    assert_eq!(ske[5 + 4 + 3], 32, "an x25519 public key");
    let server_public = &ske[5 + 4 + 4..5 + 4 + 4 + 32];
    let client_private: Vec<u8> = (0x20..0x40).collect();
    let provider = TestProvider::new(b"illustrated")
        .with_kx_private_key(NamedGroup::X25519, &client_private)
        .expect("a valid x25519 key");
    let kx = provider
        .kx_group(NamedGroup::X25519)
        .expect("x25519")
        .start()
        .expect("the queued key");
    let pre_master = kx.complete(server_public).expect("a valid public key");
    assert_eq!(
        pre_master.as_ref(),
        hex("df4a291baa1eb7cfa6934b29b474baad2697e29f1f920dcc77c8a0a088447624").as_slice()
    );
    let cr: [u8; 32] = std::array::from_fn(|i| i as u8);
    let sr: [u8; 32] = std::array::from_fn(|i| 0x70 + i as u8);
    let master = MasterSecret::derive(
        RingProvider.hmac(HashAlgorithm::Sha256),
        pre_master.as_ref(),
        &cr,
        &sr,
    );
    let keylog = std::fs::read_to_string(format!("{DATA}/illustrated-tls12/keylog.txt"))
        .expect("keylog.txt");
    assert_eq!(parse_keylog(&keylog), vec![(cr, *master.as_bytes())]);
}

#[test]
fn without_a_key_log_it_traces_and_says_what_is_missing() {
    let (out, f) = run("illustrated-tls12", None);
    assert!(!f[0].master_known);
    assert!(f[0].key_block.is_none());
    assert!(out.contains("Master Secret: not in the key log"), "{out}");
    assert!(out.contains("Encrypted Handshake Message"), "{out}");
}

/// With its key log, every protected record of a transcript decrypts and both Finished
/// messages check; our client's request and s_server's answer are read in clear.
#[test]
fn transcript_with_key_log_decrypts_and_checks_both_finished() {
    let name = "transcripts/client-ecdhe-rsa-aes128gcm-x25519";
    let (out, f) = run(
        &format!("{name}.transcript"),
        Some(&format!("{name}.keylog")),
    );
    let f = &f[0];
    assert_eq!(
        f.finished_checks,
        vec![
            (Direction::ClientToServer, true),
            (Direction::ServerToClient, true)
        ]
    );
    assert_eq!(f.app_c2s, b"GET / HTTP/1.0\r\n\r\n");
    assert!(f.app_s2c.starts_with(b"HTTP/1.0 200 ok"), "{out}");
    assert!(out.contains("Handshake Protocol: Finished"), "{out}");
    assert!(
        out.contains("Alert (Level: Warning, Description: close_notify)"),
        "{out}"
    );
    assert!(
        out.contains("As text:\n      GET / HTTP/1.0\\r\\n"),
        "{out}"
    );
}

/// Every recorded transcript decrypts with its key log: both Finished messages of every
/// connection check, resumed ones included (the abbreviated handshake's server Finished
/// comes first).
#[test]
fn every_transcript_decrypts_with_its_key_log() {
    let dir = format!("{DATA}/transcripts");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("transcripts") {
        let file = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let Some(stem) = file.strip_suffix(".transcript") else {
            continue;
        };
        let (out, f) = run(
            &format!("transcripts/{file}"),
            Some(&format!("transcripts/{stem}.keylog")),
        );
        for (i, c) in f.iter().enumerate() {
            let checks: Vec<bool> = c.finished_checks.iter().map(|c| c.1).collect();
            assert_eq!(
                checks,
                vec![true, true],
                "{file}, connection {}:\n{out}",
                i + 1
            );
            assert!(c.decrypted >= 4, "{file}: Finished x2, data, alerts");
        }
        n += 1;
    }
    assert!(n >= 16, "{n} transcripts");
}

/// A resumed connection: the dissector finds the same master secret under the new client
/// random and checks the abbreviated handshake's Finished messages, server's first.
#[test]
fn resumed_connection_decrypts_and_checks_finished_in_abbreviated_order() {
    let name = "transcripts/server-resume-ticket-ecdhe-ecdsa-aes128gcm";
    let (out, f) = run(
        &format!("{name}.transcript"),
        Some(&format!("{name}.keylog")),
    );
    assert_eq!(f.len(), 2);
    assert_eq!(
        f[1].finished_checks,
        vec![
            (Direction::ServerToClient, true),
            (Direction::ClientToServer, true)
        ],
        "{out}"
    );
    assert!(
        out.contains("Handshake Protocol: New Session Ticket"),
        "{out}"
    );
    assert_eq!(f[1].app_c2s, b"hello from openssl s_client\n");
}

/// A wrong master secret shows: the Finished checks and the decryption fail, loudly.
#[test]
fn a_wrong_master_secret_is_reported() {
    let name = "client-rsa-aes128gcm";
    let capture = load(Path::new(&format!("{DATA}/transcripts/{name}.transcript"))).unwrap();
    let text = std::fs::read_to_string(format!("{DATA}/transcripts/{name}.keylog")).unwrap();
    let mut keys = parse_keylog(&text);
    keys[0].1[0] ^= 1;
    let mut out = String::new();
    let f = dissect(&capture, &keys, &mut out);
    assert_eq!(f[0].decrypted, 0);
    assert!(out.contains("Decryption failed"), "{out}");
}

/// Runs the dissect binary `cargo test` built next to this test's own binary.
fn run_dissect(args: &[&str]) -> Output {
    let exe = std::env::current_exe().expect("test binary path");
    // target/debug/deps/dissect-HASH -> target/debug/examples/dissect
    let dir = exe.parent().and_then(|d| d.parent()).expect("target/debug");
    let bin: PathBuf = dir.join("examples").join("dissect");
    Command::new(&bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()))
}

/// The command line: `--help` exits 0; an unknown flag, a missing value, no input or two
/// inputs are usage errors (exit 2, the usage on stderr); the README's command works, with
/// `--keylog` before or after the input.
#[test]
fn command_line_help_usage_errors_and_the_readme_command() {
    for help in ["--help", "-h"] {
        let out = run_dissect(&[help]);
        assert_eq!(out.status.code(), Some(0), "{help}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.starts_with("Usage: cargo run --example dissect -- TRANSCRIPT|ILLUSTRATED_DIR"),
            "{stdout}"
        );
    }
    let input = "tests/data/illustrated-tls12";
    for (args, message) in [
        (&["--bogus"][..], "error: unknown option --bogus"),
        (&["-x"], "error: unknown option -x"),
        (&[input, "--keylog"], "error: --keylog needs a file"),
        (&[], "error: no input"),
        (&[input, input], "error: one input only"),
    ] {
        let out = run_dissect(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(message), "{args:?}: {stderr}");
        assert!(
            stderr.contains("Usage: cargo run --example dissect"),
            "{stderr}"
        );
    }
    let name = "tests/data/transcripts/client-rsa-aes128gcm";
    let (input, keylog) = (format!("{name}.transcript"), format!("{name}.keylog"));
    let (input, keylog) = (input.as_str(), keylog.as_str());
    let with_eq = format!("--keylog={keylog}");
    for args in [
        &[input, "--keylog", keylog][..],
        &["--keylog", keylog, input],
        &[input, &with_eq],
    ] {
        let out = run_dissect(args);
        assert!(out.status.success(), "{args:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("Finished check: verify_data =="),
            "{args:?}: {stdout}"
        );
    }
}
