//! The `client` example's binary against `openssl s_server`: with `--reconnect N` it resumes
//! each reconnection (by ticket, or by session ID with `--no-tickets`) and says so. Without
//! `openssl` on PATH the test skips loudly, and fails under `CI`.

mod common;
#[path = "common/openssl.rs"]
mod openssl;

use std::process::Command;

use openssl::s_server;

const NAME: &str = "testserver.tls12.test";

/// `s_server -www` with the RSA test certificate.
const WWW_RSA: &[&str] = &[
    "-www",
    "-cert",
    "server-rsa.crt.pem",
    "-key",
    "server-rsa.key.pem",
];

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The client's flags for the RSA test server, then `extra`.
fn rsa_client_flags(extra: &[&str]) -> Vec<String> {
    let ca = format!("{}/ca-rsa.crt.pem", openssl::PKI_DIR);
    let mut v = strings(&["--cafile", &ca, "--servername", NAME]);
    v.extend(strings(extra));
    v
}

#[test]
fn client_example_reconnect_prints_resumed_each_time() {
    require_openssl!();
    for (server_extra, client_extra) in [
        (&[][..], &[][..]),
        (&["-no_ticket"][..], &["--no-tickets"][..]),
    ] {
        let mut args = WWW_RSA.to_vec();
        args.extend(server_extra);
        args.extend(["-naccept", "3"]);
        let (mut server, port) = s_server(&args);
        let mut flags = rsa_client_flags(&["--reconnect", "2"]);
        flags.extend(strings(client_extra));
        flags.push(format!("127.0.0.1:{port}"));
        let out = Command::new(common::example_binary("client"))
            .args(&flags)
            .output()
            .expect("the client example runs");
        let _ = server.wait();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{stderr}\n--- s_server:\n{}",
            server.output()
        );
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| *l == "resumed: yes" || *l == "resumed: no")
            .collect();
        assert_eq!(
            lines,
            ["resumed: yes", "resumed: yes"],
            "{client_extra:?}: {stderr}"
        );
    }
}
