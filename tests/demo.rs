//! The demo (`cargo run --example demo`), run as the README's first command runs it: each
//! flag's handshake must show what the lecture describes for it.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the demo binary `cargo test` built next to this test's own binary.
fn run_demo(args: &[&str]) -> Output {
    let exe = std::env::current_exe().expect("test binary path");
    // target/debug/deps/demo-HASH -> target/debug/examples/demo
    let dir = exe.parent().and_then(|d| d.parent()).expect("target/debug");
    let bin: PathBuf = dir.join("examples").join("demo");
    Command::new(&bin)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()))
}

/// The demo's stdout; it must succeed.
fn demo(args: &[&str]) -> String {
    let out = run_demo(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "demo {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The handshake messages of a flight, in order, from the demo's trace.
fn flight(output: &str, n: usize) -> Vec<String> {
    let start = format!("════ Flight {n}:");
    let body = output
        .split(&start)
        .nth(1)
        .unwrap_or_else(|| panic!("no flight {n}"));
    // Past the rest of the flight's title line, up to the next section's.
    let body = body.split("════").nth(1).unwrap_or("");
    body.lines()
        .filter_map(|l| l.strip_prefix("TLSv1.2 Record Layer: "))
        .map(String::from)
        .collect()
}

#[test]
fn full_ecdhe_handshake_and_http() {
    let out = demo(&[]);
    assert_eq!(
        flight(&out, 2),
        [
            "Handshake Protocol: Server Hello",
            "Handshake Protocol: Certificate",
            "Handshake Protocol: Server Key Exchange",
            "Handshake Protocol: Server Hello Done",
        ]
    );
    assert!(out.contains("Named Curve: x25519 (0x001d)"));
    assert!(out.contains("--- from here on, client→server records are encrypted ---"));
    assert!(out.contains("CLIENT_RANDOM "));
    assert!(out.contains("GET /26-1 HTTP/1.1"));
    assert!(out.contains("HTTP/1.1 200 OK"));
}

#[test]
fn rsa_key_exchange_has_no_server_key_exchange() {
    let out = demo(&["--rsa-kx"]);
    assert_eq!(
        flight(&out, 2),
        [
            "Handshake Protocol: Server Hello",
            "Handshake Protocol: Certificate",
            "Handshake Protocol: Server Hello Done",
        ]
    );
    assert!(out.contains("Cipher Suite: TLS_RSA_WITH_AES_128_GCM_SHA256 (0x009c)"));
}

#[test]
fn mutual_authentication_sends_the_client_certificate() {
    let out = demo(&["--mutual"]);
    assert!(flight(&out, 2).contains(&"Handshake Protocol: Certificate Request".to_string()));
    let f3 = flight(&out, 3);
    assert_eq!(f3[0], "Handshake Protocol: Certificate");
    assert!(f3.contains(&"Handshake Protocol: Certificate Verify".to_string()));
}

#[test]
fn resumption_is_abbreviated() {
    for args in [&["--resume"][..], &["--resume", "--no-tickets"]] {
        let out = demo(args);
        assert_eq!(
            flight(&out, 2),
            [
                "Handshake Protocol: Server Hello",
                "Change Cipher Spec Protocol: Change Cipher Spec",
                "Handshake Protocol: Encrypted Handshake Message",
            ],
            "{args:?}"
        );
        assert!(
            out.contains("Resumed: yes (abbreviated handshake)"),
            "{args:?}"
        );
        assert!(out.contains("HTTP/1.1 200 OK"), "{args:?}");
    }
}

#[test]
fn false_start_sends_the_request_with_the_finished() {
    let out = demo(&["--false-start"]);
    let f3 = flight(&out, 3);
    assert_eq!(
        f3.last().map(String::as_str),
        Some("Application Data Protocol: Application Data"),
        "{f3:?}"
    );
    // The server's Finished comes after: in flight 4.
    assert!(
        flight(&out, 4).contains(&"Handshake Protocol: Encrypted Handshake Message".to_string())
    );
}

/// `--help` prints the usage on stdout and exits 0; an unknown flag, a missing value or an
/// unknown name is a usage error: exit 2, the message and the usage on stderr.
#[test]
fn help_exits_0_and_usage_errors_exit_2() {
    for help in ["--help", "-h"] {
        let out = run_demo(&[help]);
        assert_eq!(out.status.code(), Some(0), "{help}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.starts_with("Usage: cargo run --example demo -- [OPTIONS]"),
            "{stdout}"
        );
        assert!(stdout.contains("--false-start"), "{stdout}");
    }
    for (args, message) in [
        (&["--bogus"][..], "error: unknown option --bogus"),
        (&["extra"], "error: unknown option extra"),
        (&["--suite"], "error: --suite needs a name"),
        (&["--group"], "error: --group needs a name"),
        (&["--group", "P-256"], "error: unknown group P-256"),
        (
            &["--suite", "TLS_NULL"],
            "error: unknown or unimplemented suite TLS_NULL; implemented:",
        ),
    ] {
        let out = run_demo(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(message), "{args:?}: {stderr}");
        assert!(
            stderr.contains("Usage: cargo run --example demo"),
            "{stderr}"
        );
    }
}

/// A value may also follow its flag after `=`.
#[test]
fn a_value_may_follow_an_equals_sign() {
    let out = demo(&[
        "--suite=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "--group=secp256r1",
    ]);
    assert!(out.contains("Cipher Suite: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xc02c)"));
    assert!(out.contains("Key Exchange: ECDHE over secp256r1 (0x0017)"));
}
