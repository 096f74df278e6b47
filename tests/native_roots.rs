//! `examples/native_roots` (the binary `cargo test` builds) against `examples/server` on
//! loopback: with the platform's roots plus the test CA it fetches the page; with the
//! platform's roots alone the test CA is unknown and it fails with that reason.

mod common;

use common::KillOnDrop;

use std::io::{BufRead, BufReader};

use std::process::{Command, Stdio};

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");

#[test]
fn platform_roots_plus_a_cafile_fetch_and_alone_refuse_the_test_ca() {
    let mut child = Command::new(common::example_binary("server"))
        .args(["--port", "0", "--max-conns", "2"])
        .args(["--cert", &format!("{PKI}/server-rsa.chain.pem")])
        .args(["--key", &format!("{PKI}/server-rsa.key.pem")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server example runs");
    let mut log = BufReader::new(child.stderr.take().expect("stderr"));
    let _server = KillOnDrop(child);
    let mut addr = String::new();
    let mut line = String::new();
    while log.read_line(&mut line).expect("server log") > 0 {
        if let Some(a) = line.trim().strip_prefix("listening on ") {
            addr = a.to_string();
            break;
        }
        line.clear();
    }
    assert!(!addr.is_empty(), "the server printed its address");
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));

    let run = |extra: &[&str]| {
        let out = Command::new(common::example_binary("native_roots"))
            .args(extra)
            .args(["--servername", "testserver.tls12.test", &addr, "/native"])
            .output()
            .expect("the native_roots example runs");
        (
            out.status,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let cafile = format!("{PKI}/ca-rsa.crt.pem");
    let (status, stderr) = run(&["--cafile", &cafile]);
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("response:               HTTP/1.1 200 OK"),
        "{stderr}"
    );
    // The platform's store is not empty on a machine that verifies anything.
    let added: usize = stderr
        .split("platform roots:")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the count of platform roots");
    assert!(added > 0, "{stderr}");

    let (status, stderr) = run(&[]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unknown issuer"), "{stderr}");
}
