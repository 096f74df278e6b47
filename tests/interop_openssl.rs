//! Interop with real OpenSSL (`openssl s_server` / `openssl s_client`, TLS 1.2 only) over
//! loopback TCP.
//!
//! Our side runs in-process, through the same code as the `client` and `server` examples
//! (`examples/common`, included below), so these tests also cover the examples' use of
//! `StreamOwned`, flag parsing and HTTP handling. OpenSSL runs as a child process
//! (`tests/common/openssl.rs`) that is killed when its guard drops; every wait has a
//! deadline. Without `openssl` on PATH the tests skip loudly, and fail under `CI`.
//!
//! The examples' own tests are elsewhere: their helpers in tests/example_helpers.rs, the
//! `client` binary against `s_server` in tests/example_client.rs.

#[path = "../examples/common/mod.rs"]
mod example;
#[path = "common/example_server.rs"]
mod example_server;
#[path = "common/openssl.rs"]
mod openssl;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitStatus;
use std::sync::{OnceLock, mpsc};
use std::thread;
use std::time::Duration;

use example::Failure;
use example::client::{self, ClientOptions};
use example::http::Response;
use example::record_log::Step;
use example::server::{self, Served, ServerOptions};
use openssl::{Proc, s_server, s_server_env};
use tls12::enums::{AlertDescription, CipherSuite, NamedGroup};
use tls12::{CertificateError, Error, HandshakeSummary};

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");
const NAME: &str = "testserver.tls12.test";
/// How long any one step may take before the test fails.
const STEP: Duration = Duration::from_secs(15);

fn pki(name: &str) -> String {
    format!("{PKI}/{name}")
}

fn cert_der(name: &str) -> Vec<u8> {
    std::fs::read(pki(&format!("{name}.crt.der"))).expect("test PKI present")
}

/// Both test roots in one PEM file (s_client takes one -CAfile).
fn both_roots() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = format!("{}/ca-both.pem", env!("CARGO_TARGET_TMPDIR"));
        let pem = [pki("ca-rsa.crt.pem"), pki("ca-ecdsa.crt.pem")]
            .map(|p| std::fs::read_to_string(p).expect("test PKI present"))
            .concat();
        std::fs::write(&path, pem).expect("target tmpdir writable");
        path
    })
}

/// Our suites and OpenSSL's names for them, with the key each needs.
const SUITES: [(CipherSuite, &str, Key); 8] = [
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        Key::Ecdsa,
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        Key::Ecdsa,
    ),
    (
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        Key::Ecdsa,
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-RSA-AES128-GCM-SHA256",
        Key::Rsa,
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-RSA-AES256-GCM-SHA384",
        Key::Rsa,
    ),
    (
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-RSA-CHACHA20-POLY1305",
        Key::Rsa,
    ),
    (
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        "AES128-GCM-SHA256",
        Key::Rsa,
    ),
    (
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
        "AES256-GCM-SHA384",
        Key::Rsa,
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Rsa,
    Ecdsa,
}

impl Key {
    fn server_cert(self) -> &'static str {
        match self {
            Key::Rsa => "server-rsa",
            Key::Ecdsa => "server-p256",
        }
    }
    fn ca(self) -> &'static str {
        match self {
            Key::Rsa => "ca-rsa.crt.pem",
            Key::Ecdsa => "ca-ecdsa.crt.pem",
        }
    }
}

fn iana(suite: CipherSuite) -> &'static str {
    suite.const_name().expect("known suite")
}

fn openssl_name(suite: CipherSuite) -> &'static str {
    SUITES
        .iter()
        .find(|s| s.0 == suite)
        .map(|s| s.1)
        .expect("suite in table")
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------
// Our client against s_server.

/// `s_server -www` with an RSA certificate and a P-256 one (`-dcert`): the suite decides.
const WWW_BOTH_KEYS: &[&str] = &[
    "-www",
    "-cert",
    "server-rsa.crt.pem",
    "-key",
    "server-rsa.key.pem",
    "-dcert",
    "server-p256.crt.pem",
    "-dkey",
    "server-p256.key.pem",
];

struct ClientRun {
    summary: HandshakeSummary,
    response: Response,
    server_output: String,
}

/// Runs the client example's code against `s_server args` with the client flags `flags`
/// (the address is appended).
fn client_run(server_args: &[&str], flags: &[&str]) -> Result<ClientRun, (Failure, String)> {
    client_run_env(server_args, flags, &[])
}

/// `client_run` with extra environment variables for s_server.
fn client_run_env(
    server_args: &[&str],
    flags: &[&str],
    env: &[(&str, &str)],
) -> Result<ClientRun, (Failure, String)> {
    let (server, port) = s_server_env(server_args, env);
    let mut args = strings(flags);
    args.push(format!("127.0.0.1:{port}"));
    let opts = ClientOptions::parse(args)
        .expect("flags parse")
        .expect("not --help");
    let result = client::config(&opts).and_then(|config| {
        let (mut tls, summary) = client::connect(&opts, config)?;
        let response = client::get(&mut tls, &opts)?;
        Ok((summary, response))
    });
    // s_server -naccept 1 exits after the connection; wait so its output is complete.
    let mut server = server;
    let _ = server.wait();
    let server_output = server.output();
    match result {
        Ok((summary, response)) => Ok(ClientRun {
            summary,
            response,
            server_output,
        }),
        Err(e) => Err((e, server_output)),
    }
}

fn client_flags(suite: CipherSuite, group: &str, key: Key) -> Vec<String> {
    strings(&[
        "--cafile",
        &pki(key.ca()),
        "--servername",
        NAME,
        "--cipher",
        iana(suite),
        "--groups",
        group,
    ])
}

/// One handshake and GET of our client against `s_server -www`, with every check.
///
/// `offered` is our groups list. OpenSSL (rightly, RFC 8422 section 5.3) refuses to use an
/// ECDSA certificate whose curve we did not list, so ECDSA cases offer secp256r1 too.
fn client_case(suite: CipherSuite, offered: &str, group: NamedGroup, key: Key) {
    let flags = client_flags(suite, offered, key);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let run = client_run(WWW_BOTH_KEYS, &flags)
        .unwrap_or_else(|(e, out)| panic!("{suite:?}/{group:?}: {e}\n--- s_server:\n{out}"));
    let s = &run.summary;
    assert_eq!(s.suite, suite);
    let expected_group = if suite
        .const_name()
        .is_some_and(|n| n.starts_with("TLS_RSA_"))
    {
        None
    } else {
        Some(group)
    };
    assert_eq!(s.group, expected_group, "{suite:?}");
    assert!(s.extended_master_secret, "{suite:?}: EMS not negotiated");
    assert!(!s.resumed);
    assert_eq!(s.peer_certificates[0].as_ref(), cert_der(key.server_cert()));
    assert!(
        run.response.status_line.starts_with("HTTP/1.0 200"),
        "{}",
        run.response.status_line
    );
    let body = String::from_utf8_lossy(&run.response.body);
    // The -www page is OpenSSL's own account of the connection.
    assert!(
        body.contains(&format!("New, TLSv1.2, Cipher is {}", openssl_name(suite))),
        "{suite:?}: page:\n{body}"
    );
    assert!(
        body.contains("Extended master secret: yes"),
        "page:\n{body}"
    );
}

#[test]
fn client_every_ecdhe_suite_with_x25519() {
    require_openssl!();
    for (suite, _, key) in &SUITES[..6] {
        let offered = match key {
            Key::Rsa => "x25519",
            Key::Ecdsa => "x25519,secp256r1",
        };
        client_case(*suite, offered, NamedGroup::X25519, *key);
    }
}

#[test]
fn client_nist_groups_and_rsa_key_exchange() {
    require_openssl!();
    client_case(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "secp256r1",
        NamedGroup::SECP256R1,
        Key::Ecdsa,
    );
    client_case(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "secp384r1",
        NamedGroup::SECP384R1,
        Key::Rsa,
    );
    for (suite, _, key) in &SUITES[6..] {
        client_case(*suite, "x25519", NamedGroup::X25519, *key);
    }
}

#[test]
fn client_alpn_and_sni() {
    require_openssl!();
    // ALPN: s_server picks by its own preference among what we offer.
    let run = client_run(
        &[WWW_BOTH_KEYS, &["-alpn", "h2,http/1.1"]].concat(),
        &[
            "--cafile",
            &pki("ca-rsa.crt.pem"),
            "--cafile",
            &pki("ca-ecdsa.crt.pem"),
            "--servername",
            NAME,
            "--alpn",
            "spdy/1,http/1.1",
        ],
    )
    .unwrap_or_else(|(e, out)| panic!("{e}\n--- s_server:\n{out}"));
    assert_eq!(run.summary.alpn.as_deref(), Some(&b"http/1.1"[..]));

    // SNI: s_server answers with -cert2 (P-256) when the name matches -servername, with
    // -cert (P-384) otherwise. Both are valid for localhost and testserver.tls12.test.
    let sni_server: &[&str] = &[
        "-www",
        "-cert",
        "server-p384.crt.pem",
        "-key",
        "server-p384.key.pem",
        "-servername",
        NAME,
        "-cert2",
        "server-p256.crt.pem",
        "-key2",
        "server-p256.key.pem",
    ];
    for (name, cert) in [(NAME, "server-p256"), ("localhost", "server-p384")] {
        let run = client_run(
            sni_server,
            &["--cafile", &pki("ca-ecdsa.crt.pem"), "--servername", name],
        )
        .unwrap_or_else(|(e, out)| panic!("SNI {name}: {e}\n--- s_server:\n{out}"));
        assert_eq!(
            run.summary.peer_certificates[0].as_ref(),
            cert_der(cert),
            "SNI {name}"
        );
        assert_eq!(run.summary.server_name.as_deref(), Some(name));
    }
}

#[test]
fn client_certificates_to_openssl() {
    require_openssl!();
    for (client, ca) in [
        ("client-rsa", "ca-rsa.crt.pem"),
        ("client-p256", "ca-ecdsa.crt.pem"),
    ] {
        // -Verify: a client certificate is required.
        let run = client_run(
            &[
                WWW_BOTH_KEYS,
                &["-Verify", "2", "-CAfile", ca, "-verify_return_error"],
            ]
            .concat(),
            &[
                "--cafile",
                &pki("ca-rsa.crt.pem"),
                "--cafile",
                &pki("ca-ecdsa.crt.pem"),
                "--servername",
                NAME,
                "--cert",
                &pki(&format!("{client}.chain.pem")),
                "--key",
                &pki(&format!("{client}.key.pem")),
            ],
        )
        .unwrap_or_else(|(e, out)| panic!("{client}: {e}\n--- s_server:\n{out}"));
        assert!(run.response.status_line.contains("200"));
        assert!(
            run.server_output.contains("client.tls12.test")
                || String::from_utf8_lossy(&run.response.body).contains("client.tls12.test"),
            "{client}: s_server did not see the client certificate:\n{}",
            run.server_output
        );
    }
}

#[test]
fn client_rejects_unknown_issuer_and_openssl_sees_the_alert() {
    require_openssl!();
    // An RSA server certificate, but we only trust the ECDSA root.
    let Err((e, out)) = client_run(
        WWW_BOTH_KEYS,
        &[
            "--cafile",
            &pki("ca-ecdsa.crt.pem"),
            "--servername",
            NAME,
            "--cipher",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ],
    ) else {
        panic!("handshake with an untrusted certificate succeeded");
    };
    assert!(
        e.is_tls(&Error::Certificate(CertificateError::UnknownIssuer)),
        "{e}"
    );
    assert_eq!(
        Error::Certificate(CertificateError::UnknownIssuer).alert(),
        Some(AlertDescription::UNKNOWN_CA)
    );
    assert!(out.contains("alert unknown ca"), "s_server output:\n{out}");
}

// ---------------------------------------------------------------------------------------
// s_client against our server.

/// Both server keys, as the server example takes them.
fn server_flags(extra: &[&str]) -> Vec<String> {
    let mut v = strings(&[
        "--cert",
        &pki("server-rsa.chain.pem"),
        "--key",
        &pki("server-rsa.key.pem"),
        "--cert",
        &pki("server-p256.chain.pem"),
        "--key",
        &pki("server-p256.key.pem"),
        "--cipher",
        &SUITES
            .iter()
            .map(|s| iana(s.0))
            .collect::<Vec<_>>()
            .join(","),
    ]);
    v.extend(strings(extra));
    v
}

/// A server (the server example's code) on a free port, serving one connection on a
/// thread. The result arrives on the channel.
fn our_server(flags: &[String]) -> (u16, mpsc::Receiver<Result<Served, String>>) {
    our_server_for(flags, 1)
}

/// A server serving `connections` connections one after another with one configuration
/// (so one session cache and ticketer); each result arrives on the channel.
fn our_server_for(
    flags: &[String],
    connections: usize,
) -> (u16, mpsc::Receiver<Result<Served, String>>) {
    let (port, served) = example_server::serve(flags, connections, STEP);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for r in served {
            let _ = tx.send(r.map_err(|e| e.to_string()));
        }
    });
    (port, rx)
}

struct SClientRun {
    output: String,
    status: Option<ExitStatus>,
    served: Result<Served, String>,
}

/// `openssl s_client -tls1_2` (verifying against both test roots) against our server:
/// writes `stdin`, waits for s_client to exit (our server closes after answering).
fn s_client_run(server: &[String], s_client_args: &[&str], stdin: &[u8]) -> SClientRun {
    s_client_run_env(server, s_client_args, stdin, &[])
}

/// `s_client_run` with extra environment variables for s_client.
fn s_client_run_env(
    server: &[String],
    s_client_args: &[&str],
    stdin: &[u8],
    env: &[(&str, &str)],
) -> SClientRun {
    s_client_run_n(server, s_client_args, stdin, env, 1)
}

/// Like [`s_client_run_env`], with our server serving `connections` connections (one
/// configuration, so one session cache and ticketer); `served` is the first one's.
fn s_client_run_n(
    server: &[String],
    s_client_args: &[&str],
    stdin: &[u8],
    env: &[(&str, &str)],
    connections: usize,
) -> SClientRun {
    let (port, served) = our_server_for(server, connections);
    let mut args = strings(&[
        "s_client",
        "-tls1_2",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-servername",
        NAME,
        "-verify_hostname",
        NAME,
        "-verify_return_error",
        "-ign_eof",
    ]);
    args.extend(strings(s_client_args));
    let mut proc = Proc::spawn_env(&args, env);
    proc.write_stdin(stdin);
    proc.close_stdin();
    let status = proc.wait();
    let served = served
        .recv_timeout(STEP)
        .unwrap_or_else(|_| Err("server thread timed out".into()));
    SClientRun {
        output: proc.output(),
        status,
        served,
    }
}

const GET: &[u8] = b"GET /interop HTTP/1.1\r\nHost: testserver.tls12.test\r\n\r\n";

fn s_client_case(suite: CipherSuite, group: &str, key: Key, extra: &[&str]) -> SClientRun {
    let ca = pki(key.ca());
    let args = [
        &[
            "-cipher",
            openssl_name(suite),
            "-groups",
            group,
            "-CAfile",
            &ca,
        ][..],
        extra,
    ]
    .concat();
    let run = s_client_run(&server_flags(&["--alpn", "h2,http/1.1"]), &args, GET);
    let out = &run.output;
    let served = match &run.served {
        Ok(s) => s,
        Err(e) => panic!("{suite:?}/{group}: our server failed: {e}\n--- s_client:\n{out}"),
    };
    assert!(
        run.status.is_some_and(|s| s.success()),
        "{suite:?}: s_client exit {:?}:\n{out}",
        run.status
    );
    assert!(
        out.contains(&format!("New, TLSv1.2, Cipher is {}", openssl_name(suite))),
        "{suite:?}:\n{out}"
    );
    assert!(
        out.contains("Verify return code: 0 (ok)"),
        "{suite:?}:\n{out}"
    );
    assert!(
        out.contains("Extended master secret: yes"),
        "{suite:?}:\n{out}"
    );
    // The response made it back through s_client.
    assert!(out.contains("HTTP/1.1 200 OK"), "{suite:?}:\n{out}");
    assert!(
        out.contains(&format!("cipher suite:           {}", iana(suite))),
        "{out}"
    );
    assert!(
        out.contains("request:                GET /interop HTTP/1.1"),
        "{out}"
    );
    let s = &served.summary;
    assert_eq!(s.suite, suite);
    assert!(s.extended_master_secret);
    assert_eq!(s.server_name.as_deref(), Some(NAME));
    assert_eq!(served.request.as_deref(), Some("GET /interop HTTP/1.1"));
    run
}

#[test]
fn s_client_every_ecdhe_suite_with_x25519() {
    require_openssl!();
    for (suite, _, key) in &SUITES[..6] {
        let offered = match key {
            Key::Rsa => "X25519",
            Key::Ecdsa => "X25519:P-256",
        };
        let run = s_client_case(*suite, offered, *key, &[]);
        let s = run.served.expect("checked").summary;
        assert_eq!(s.group, Some(NamedGroup::X25519));
    }
}

#[test]
fn s_client_nist_groups_and_rsa_key_exchange() {
    require_openssl!();
    let run = s_client_case(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "P-256",
        Key::Ecdsa,
        &[],
    );
    assert_eq!(
        run.served.expect("checked").summary.group,
        Some(NamedGroup::SECP256R1)
    );
    let run = s_client_case(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "P-384",
        Key::Rsa,
        &[],
    );
    assert_eq!(
        run.served.expect("checked").summary.group,
        Some(NamedGroup::SECP384R1)
    );
    for (suite, _, key) in &SUITES[6..] {
        let run = s_client_case(*suite, "X25519", *key, &[]);
        assert_eq!(run.served.expect("checked").summary.group, None);
    }
}

#[test]
fn s_client_alpn() {
    require_openssl!();
    let run = s_client_case(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "X25519",
        Key::Rsa,
        &["-alpn", "spdy/1,http/1.1"],
    );
    assert!(
        run.output.contains("ALPN protocol: http/1.1"),
        "{}",
        run.output
    );
    let served = run.served.expect("checked");
    assert_eq!(served.summary.alpn.as_deref(), Some(&b"http/1.1"[..]));
}

#[test]
fn s_client_certificates_to_our_server() {
    require_openssl!();
    for (client, ca) in [
        ("client-rsa", "ca-rsa.crt.pem"),
        ("client-p256", "ca-ecdsa.crt.pem"),
    ] {
        let server = server_flags(&["--verify-client", &pki(ca), "--require-client-cert"]);
        let run = s_client_run(
            &server,
            &[
                "-CAfile",
                both_roots(),
                "-cert",
                &pki(&format!("{client}.crt.pem")),
                "-key",
                &pki(&format!("{client}.key.pem")),
            ],
            GET,
        );
        let served = run
            .served
            .unwrap_or_else(|e| panic!("{client}: {e}\n--- s_client:\n{}", run.output));
        assert_eq!(
            served.summary.peer_certificates[0].as_ref(),
            cert_der(client)
        );
        assert!(
            run.output
                .contains("client certificate:     O=tls12 test, CN=client.tls12.test"),
            "{}",
            run.output
        );
    }
    // No certificate, but one is required: the handshake fails on both sides.
    let server = server_flags(&[
        "--verify-client",
        &pki("ca-rsa.crt.pem"),
        "--require-client-cert",
    ]);
    let run = s_client_run(&server, &["-CAfile", both_roots()], GET);
    let err = run
        .served
        .expect_err("handshake without a required certificate succeeded");
    assert!(err.contains("TLS error"), "{err}");
    assert!(!run.status.is_some_and(|s| s.success()), "{}", run.output);
    assert!(
        run.output.contains("alert handshake failure"),
        "{}",
        run.output
    );
}

#[test]
fn s_client_echo() {
    require_openssl!();
    let (port, served) = our_server(&server_flags(&["--echo"]));
    let args = strings(&[
        "s_client",
        "-tls1_2",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-servername",
        NAME,
        "-CAfile",
        &pki("ca-ecdsa.crt.pem"),
        "-verify_return_error",
    ]);
    let mut proc = Proc::spawn(&args);
    proc.write_stdin(b"echo-token-4711\n");
    proc.wait_for_line("echo-token-4711")
        .expect("s_client printed the echo");
    // Closing stdin makes s_client send close_notify; our server then closes too.
    proc.close_stdin();
    let status = proc.wait();
    let served = served.recv_timeout(STEP).expect("server finished");
    let served = served.unwrap_or_else(|e| panic!("{e}\n--- s_client:\n{}", proc.output()));
    assert_eq!(served.echoed, b"echo-token-4711\n".len());
    assert!(status.is_some_and(|s| s.success()), "{}", proc.output());
}

#[test]
fn server_keeps_serving_after_a_failed_handshake() {
    require_openssl!();
    let flags = server_flags(&["--max-conns", "2"]);
    let opts = ServerOptions::parse(flags)
        .expect("flags parse")
        .expect("not --help");
    let config = server::config(&opts).expect("config builds");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("bound").port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(server::serve(&listener, &config, &opts).map_err(|e| e.to_string()));
    });

    // 1: plain HTTP instead of TLS. Our server answers with an alert and closes.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    plain.set_read_timeout(Some(STEP)).expect("timeout");
    plain
        .write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
        .expect("write");
    let mut reply = Vec::new();
    let _ = plain.read_to_end(&mut reply);
    assert_eq!(
        reply.first(),
        Some(&21),
        "expected an alert record, got {reply:?}"
    );

    // 2: a real client still gets served.
    let mut proc = Proc::spawn(&strings(&[
        "s_client",
        "-tls1_2",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-servername",
        NAME,
        "-CAfile",
        &pki("ca-ecdsa.crt.pem"),
        "-ign_eof",
    ]));
    proc.write_stdin(GET);
    proc.close_stdin();
    let status = proc.wait();
    assert!(status.is_some_and(|s| s.success()), "{}", proc.output());
    assert!(
        proc.output().contains("HTTP/1.1 200 OK"),
        "{}",
        proc.output()
    );
    // And the loop returned after --max-conns 2.
    let r = rx.recv_timeout(STEP).expect("server loop returned");
    assert!(r.is_ok(), "{r:?}");
}

// ---------------------------------------------------------------------------------------
// Regression: the server must not pick an ECDSA certificate whose curve the client did not
// list in supported_groups (RFC 8422 sections 4 and 5.3). OpenSSL clients check this and
// abort with illegal_parameter ("wrong curve").

#[test]
fn s_client_without_the_certificate_curve_gets_the_rsa_certificate() {
    require_openssl!();
    // s_client offers every suite but only X25519: our P-256 certificate is unusable, so
    // the server must fall back to an ECDHE_RSA suite (it used to pick ECDHE_ECDSA).
    let run = s_client_run(
        &server_flags(&[]),
        &["-CAfile", both_roots(), "-groups", "X25519"],
        GET,
    );
    let served = run
        .served
        .unwrap_or_else(|e| panic!("{e}\n--- s_client:\n{}", run.output));
    assert_eq!(
        served.summary.suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
    assert_eq!(served.summary.peer_certificates.len(), 0);
    assert!(run.status.is_some_and(|s| s.success()), "{}", run.output);

    // Only ECDSA suites and only X25519: nothing works; we refuse instead of letting the
    // client abort.
    let run = s_client_run(
        &server_flags(&[]),
        &[
            "-CAfile",
            both_roots(),
            "-groups",
            "X25519",
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
        ],
        GET,
    );
    let err = run
        .served
        .expect_err("an ECDSA suite without the certificate's curve");
    assert!(err.contains("no cipher suite in common"), "{err}");
    assert!(
        run.output.contains("alert handshake failure"),
        "{}",
        run.output
    );
}

mod common;

/// The examples' code these tests drive runs on the provider `TLS12_PROVIDER` names.
#[test]
fn runs_on_the_provider_named_by_tls12_provider() {
    common::assert_is_the_named_provider(&*example::setup::provider());
}

// ---------------------------------------------------------------------------------------
// Extended master secret turned off on the OpenSSL side (RFC 7627), both directions.

/// An OpenSSL configuration whose system default turns the extended master secret off
/// (`Options = -ExtendedMasterSecret`), for `OPENSSL_CONF`.
fn no_ems_conf() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = format!("{}/openssl-no-ems.cnf", env!("CARGO_TARGET_TMPDIR"));
        let conf = "openssl_conf = openssl_init\n\
                    [openssl_init]\n\
                    ssl_conf = ssl_module\n\
                    [ssl_module]\n\
                    system_default = tls12_no_ems\n\
                    [tls12_no_ems]\n\
                    Options = -ExtendedMasterSecret\n";
        std::fs::write(&path, conf).expect("target tmpdir writable");
        path
    })
}

fn no_ems_env() -> [(&'static str, &'static str); 1] {
    [("OPENSSL_CONF", no_ems_conf())]
}

/// Our client's flags for `WWW_BOTH_KEYS`, plus `extra`.
fn www_client_flags(extra: &[&str]) -> Vec<String> {
    let mut v = strings(&[
        "--cafile",
        &pki("ca-rsa.crt.pem"),
        "--cafile",
        &pki("ca-ecdsa.crt.pem"),
        "--servername",
        NAME,
    ]);
    v.extend(strings(extra));
    v
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn client_with_s_server_without_ems() {
    require_openssl!();
    // The configuration takes effect: s_server's own page says EMS is off, and so do we.
    let env = no_ems_env();
    let run = client_run_env(WWW_BOTH_KEYS, &refs(&www_client_flags(&[])), &env)
        .unwrap_or_else(|(e, out)| panic!("{e}\n--- s_server:\n{out}"));
    assert!(!run.summary.extended_master_secret);
    let body = String::from_utf8_lossy(&run.response.body);
    assert!(body.contains("Extended master secret: no"), "page:\n{body}");
    // Without the configuration the same pair uses it (the control).
    let run = client_run(WWW_BOTH_KEYS, &refs(&www_client_flags(&[])))
        .unwrap_or_else(|(e, out)| panic!("{e}\n--- s_server:\n{out}"));
    assert!(run.summary.extended_master_secret);

    // --require-ems: we refuse the ServerHello without it and tell s_server so.
    let Err((e, out)) = client_run_env(
        WWW_BOTH_KEYS,
        &refs(&www_client_flags(&["--require-ems"])),
        &env,
    ) else {
        panic!("handshake without EMS succeeded despite --require-ems");
    };
    let Failure::Tls(e) = e else {
        panic!("not a TLS error: {e}")
    };
    assert!(matches!(e, Error::Negotiation { .. }), "{e:?}");
    assert_eq!(e.alert(), Some(AlertDescription::HANDSHAKE_FAILURE));
    assert!(
        out.contains("alert handshake failure"),
        "s_server output:\n{out}"
    );
}

#[test]
fn s_client_without_ems_with_our_server() {
    require_openssl!();
    let env = no_ems_env();
    let run = s_client_run_env(&server_flags(&[]), &["-CAfile", both_roots()], GET, &env);
    let served = run
        .served
        .unwrap_or_else(|e| panic!("{e}\n--- s_client:\n{}", run.output));
    assert!(!served.summary.extended_master_secret);
    assert!(
        run.output.contains("Extended master secret: no"),
        "{}",
        run.output
    );
    assert!(run.output.contains("HTTP/1.1 200 OK"), "{}", run.output);
    assert!(
        run.output.contains("extended master secret: no"),
        "our page says so too:\n{}",
        run.output
    );

    // --require-ems: our server refuses the ClientHello with handshake_failure.
    let run = s_client_run_env(
        &server_flags(&["--require-ems"]),
        &["-CAfile", both_roots()],
        GET,
        &env,
    );
    let err = run
        .served
        .expect_err("a ClientHello without EMS was accepted despite --require-ems");
    assert!(err.contains("extended master secret"), "{err}");
    assert!(!run.status.is_some_and(|s| s.success()), "{}", run.output);
    assert!(
        run.output.contains("alert handshake failure"),
        "{}",
        run.output
    );
}

// ---------------------------------------------------------------------------------------
// False Start (RFC 7918) against s_server.

/// Our client (the example's code, with `flags`) against `s_server -www`: the handshake,
/// the record headers that went each way during it, and the response.
fn client_with_log(flags: &[String]) -> (HandshakeSummary, Vec<Step>, bool, Response) {
    let (mut server, port) = s_server(WWW_BOTH_KEYS);
    let mut args = flags.to_vec();
    args.push(format!("127.0.0.1:{port}"));
    let opts = ClientOptions::parse(args)
        .expect("flags parse")
        .expect("not --help");
    let config = client::config(&opts).expect("config builds");
    let (mut tls, summary) = client::connect(&opts, config)
        .unwrap_or_else(|e| panic!("{e}\n--- s_server:\n{}", server.output()));
    let log = tls.get_ref().log.clone();
    let false_started = tls.get_ref().sent_data_before_peer_ccs();
    let response = client::get(&mut tls, &opts)
        .unwrap_or_else(|e| panic!("{e}\n--- s_server:\n{}", server.output()));
    let _ = server.wait();
    (summary, log, false_started, response)
}

fn position(log: &[Step], what: &str, found: impl Fn(&Step) -> bool) -> usize {
    log.iter()
        .position(found)
        .unwrap_or_else(|| panic!("no {what} in the handshake log: {log:?}"))
}

#[test]
fn client_false_start_with_s_server() {
    require_openssl!();
    let suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    let flags = www_client_flags(&["--cipher", iana(suite), "--false-start"]);
    let (summary, log, false_started, response) = client_with_log(&flags);
    assert_eq!(summary.suite, suite);
    assert!(false_started, "{log:?}");
    // In order: our ChangeCipherSpec, then the request (one application data record),
    // then the server's ChangeCipherSpec, then the end of the handshake.
    let our_ccs = position(&log, "ChangeCipherSpec sent", |s| {
        matches!(
            s,
            Step::Sent {
                content_type: 20,
                ..
            }
        )
    });
    let request = position(&log, "application data sent", |s| {
        matches!(
            s,
            Step::Sent {
                content_type: 23,
                ..
            }
        )
    });
    let their_ccs = position(&log, "ChangeCipherSpec received", |s| {
        matches!(
            s,
            Step::Received {
                content_type: 20,
                ..
            }
        )
    });
    // The server's Finished: the handshake record after its ChangeCipherSpec.
    let complete = their_ccs
        + 1
        + position(&log[their_ccs + 1..], "the server's Finished", |s| {
            matches!(
                s,
                Step::Received {
                    content_type: 22,
                    ..
                }
            )
        });
    assert!(
        our_ccs < request && request < their_ccs && their_ccs < complete,
        "{log:?}"
    );
    // And s_server answered the request it got early.
    assert!(
        response.status_line.starts_with("HTTP/1.0 200"),
        "{response:?}"
    );
    let body = String::from_utf8_lossy(&response.body);
    assert!(
        body.contains(&format!("New, TLSv1.2, Cipher is {}", openssl_name(suite))),
        "page:\n{body}"
    );

    // Without --false-start, nothing goes out before the server's Finished.
    let (_, log, false_started, response) =
        client_with_log(&www_client_flags(&["--cipher", iana(suite)]));
    assert!(!false_started, "{log:?}");
    assert!(
        !log.iter().any(|s| matches!(
            s,
            Step::Sent {
                content_type: 23,
                ..
            }
        )),
        "{log:?}"
    );
    assert!(response.status_line.starts_with("HTTP/1.0 200"));

    // RSA key exchange has no forward secrecy: no False Start, the request waits.
    let (summary, log, false_started, response) = client_with_log(&www_client_flags(&[
        "--cipher",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "--false-start",
    ]));
    assert_eq!(summary.group, None);
    assert!(!false_started, "{log:?}");
    assert!(response.status_line.starts_with("HTTP/1.0 200"));
}

// ---------------------------------------------------------------------------------------
// RSA key exchange through the example flags (`AES128-GCM-SHA256` on the OpenSSL side).

#[test]
fn rsa_key_exchange_through_the_example_flags() {
    require_openssl!();
    // Our client with --cipher TLS_RSA_..., s_server allowing only AES128-GCM-SHA256.
    let run = client_run(
        &[WWW_BOTH_KEYS, &["-cipher", "AES128-GCM-SHA256"]].concat(),
        &refs(&www_client_flags(&[
            "--cipher",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
        ])),
    )
    .unwrap_or_else(|(e, out)| panic!("{e}\n--- s_server:\n{out}"));
    assert_eq!(
        run.summary.suite,
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256
    );
    assert_eq!(run.summary.group, None);
    assert!(run.summary.extended_master_secret);
    let body = String::from_utf8_lossy(&run.response.body);
    assert!(
        body.contains("New, TLSv1.2, Cipher is AES128-GCM-SHA256"),
        "page:\n{body}"
    );

    // Our server with only --rsa-kx (default suites otherwise) and s_client -cipher
    // AES128-GCM-SHA256.
    let keys_only = |extra: &[&str]| {
        let mut v = strings(&[
            "--cert",
            &pki("server-rsa.chain.pem"),
            "--key",
            &pki("server-rsa.key.pem"),
        ]);
        v.extend(strings(extra));
        v
    };
    let s_client_args = ["-CAfile", both_roots(), "-cipher", "AES128-GCM-SHA256"];
    let run = s_client_run(&keys_only(&["--rsa-kx"]), &s_client_args, GET);
    let served = run
        .served
        .unwrap_or_else(|e| panic!("{e}\n--- s_client:\n{}", run.output));
    assert_eq!(
        served.summary.suite,
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256
    );
    assert!(
        run.output
            .contains("New, TLSv1.2, Cipher is AES128-GCM-SHA256"),
        "{}",
        run.output
    );
    assert!(run.output.contains("HTTP/1.1 200 OK"), "{}", run.output);

    // --rsa-kx adds the suites after the ECDHE ones: a default s_client still gets ECDHE.
    let run = s_client_run(&keys_only(&["--rsa-kx"]), &["-CAfile", both_roots()], GET);
    let served = run
        .served
        .unwrap_or_else(|e| panic!("{e}\n--- s_client:\n{}", run.output));
    assert_eq!(
        served.summary.suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );

    // Without --rsa-kx the server has no RSA key exchange: handshake_failure.
    let run = s_client_run(&keys_only(&[]), &s_client_args, GET);
    let err = run.served.expect_err("RSA key exchange is off by default");
    assert!(err.contains("no cipher suite in common"), "{err}");
    assert!(
        run.output.contains("alert handshake failure"),
        "{}",
        run.output
    );
}

// ---------------------------------------------------------------------------------------
// Mutual authentication failures against OpenSSL.

#[test]
fn s_server_requiring_a_client_certificate() {
    require_openssl!();
    fn verify(ca: &'static str) -> Vec<&'static str> {
        [
            WWW_BOTH_KEYS,
            &["-Verify", "1", "-verify_return_error", "-CAfile"],
            &[ca][..],
        ]
        .concat()
    }
    let client_cert = |name: &str| {
        www_client_flags(&[
            "--cert",
            &pki(&format!("{name}.chain.pem")),
            "--key",
            &pki(&format!("{name}.key.pem")),
        ])
    };
    // A certificate from the CA s_server trusts: accepted, and s_server says whose it is.
    let run = client_run(&verify("ca-rsa.crt.pem"), &refs(&client_cert("client-rsa")))
        .unwrap_or_else(|(e, out)| panic!("{e}\n--- s_server:\n{out}"));
    assert!(run.response.status_line.contains("200"));
    let body = String::from_utf8_lossy(&run.response.body);
    // s_server's log shows the chain it verified; its page shows the certificate.
    assert!(
        run.server_output
            .contains("depth=0 O = tls12 test, CN = client.tls12.test"),
        "s_server did not verify the client certificate:\n{}",
        run.server_output
    );
    assert!(
        body.contains("Client certificate")
            && body.contains("Subject: O=tls12 test, CN=client.tls12.test"),
        "page:\n{body}"
    );

    // No certificate: s_server refuses with handshake_failure.
    let Err((e, out)) = client_run(&verify("ca-rsa.crt.pem"), &refs(&www_client_flags(&[]))) else {
        panic!("s_server -Verify accepted a client without a certificate");
    };
    assert!(
        e.is_tls(&Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE)),
        "{e}\n--- s_server:\n{out}"
    );
    assert!(
        out.contains("peer did not return a certificate"),
        "s_server output:\n{out}"
    );

    // A certificate from a CA s_server does not trust: unknown_ca.
    let Err((e, out)) = client_run(
        &verify("ca-rsa.crt.pem"),
        &refs(&client_cert("client-p256")),
    ) else {
        panic!("s_server accepted a client certificate from an unknown CA");
    };
    assert!(
        e.is_tls(&Error::AlertReceived(AlertDescription::UNKNOWN_CA)),
        "{e}\n--- s_server:\n{out}"
    );
}

#[test]
fn our_server_verifying_s_client_certificates() {
    require_openssl!();
    // Requested but not required: s_client without a certificate is served.
    let server = server_flags(&["--verify-client", &pki("ca-rsa.crt.pem")]);
    let run = s_client_run(&server, &["-CAfile", both_roots()], GET);
    let served = run
        .served
        .unwrap_or_else(|e| panic!("{e}\n--- s_client:\n{}", run.output));
    assert!(served.summary.peer_certificates.is_empty());
    assert!(
        run.output.contains("client certificate:     none"),
        "{}",
        run.output
    );
    // s_client saw the CertificateRequest naming our CA.
    assert!(
        run.output
            .contains("Acceptable client certificate CA names"),
        "{}",
        run.output
    );

    // Required, and s_client's certificate is from a CA we do not trust: unknown_ca.
    let server = server_flags(&[
        "--verify-client",
        &pki("ca-rsa.crt.pem"),
        "--require-client-cert",
    ]);
    let run = s_client_run(
        &server,
        &[
            "-CAfile",
            both_roots(),
            "-cert",
            &pki("client-p256.crt.pem"),
            "-key",
            &pki("client-p256.key.pem"),
        ],
        GET,
    );
    let err = run
        .served
        .expect_err("a client certificate from an unknown CA was accepted");
    assert!(err.contains("unknown issuer"), "{err}");
    assert!(!run.status.is_some_and(|s| s.success()), "{}", run.output);
    assert!(run.output.contains("alert unknown ca"), "{}", run.output);
}

// ---------------------------------------------------------------------------------------
// Session resumption (RFC 5246 session IDs, RFC 5077 tickets), both directions.

/// Our client connects `connections` times to one `s_server -www` (one client
/// configuration, so one session store) and GETs each time; returns the summaries.
fn client_sessions(
    server_args: &[&str],
    flags: &[&str],
    connections: usize,
) -> Vec<HandshakeSummary> {
    client_sessions_env(server_args, flags, connections, &[])
}

/// `client_sessions` with extra environment variables for s_server.
fn client_sessions_env(
    server_args: &[&str],
    flags: &[&str],
    connections: usize,
    env: &[(&str, &str)],
) -> Vec<HandshakeSummary> {
    let naccept = connections.to_string();
    let mut all: Vec<&str> = server_args.to_vec();
    all.extend(["-naccept", &naccept]);
    let (mut server, port) = s_server_env(&all, env);
    let mut args = strings(flags);
    args.push(format!("127.0.0.1:{port}"));
    let opts = ClientOptions::parse(args)
        .expect("flags parse")
        .expect("not --help");
    let config = client::config(&opts).expect("config builds");
    let mut out = Vec::new();
    for i in 0..connections {
        let (mut tls, summary) = client::connect(&opts, config.clone())
            .unwrap_or_else(|e| panic!("connection {i}: {e}\n--- s_server:\n{}", server.output()));
        let response = client::get(&mut tls, &opts)
            .unwrap_or_else(|e| panic!("connection {i}: {e}\n--- s_server:\n{}", server.output()));
        assert!(
            response.status_line.contains("200"),
            "{}",
            response.status_line
        );
        out.push(summary);
    }
    let _ = server.wait();
    out
}

const WWW_RSA: &[&str] = &[
    "-www",
    "-cert",
    "server-rsa.crt.pem",
    "-key",
    "server-rsa.key.pem",
];

fn rsa_client_flags(extra: &[&str]) -> Vec<String> {
    let mut v = strings(&["--cafile", &pki("ca-rsa.crt.pem"), "--servername", NAME]);
    v.extend(strings(extra));
    v
}

fn resumed(runs: &[HandshakeSummary]) -> Vec<bool> {
    runs.iter().map(|s| s.resumed).collect()
}

#[test]
fn our_client_resumes_with_a_ticket_from_s_server() {
    require_openssl!();
    let flags = rsa_client_flags(&[]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let runs = client_sessions(WWW_RSA, &flags, 3);
    assert_eq!(resumed(&runs), [false, true, true]);
    assert!(runs.iter().all(|s| s.extended_master_secret));
    assert_eq!(runs[1].peer_certificates, runs[0].peer_certificates);
}

#[test]
fn our_client_resumes_by_session_id_from_s_server_without_tickets() {
    require_openssl!();
    let mut args = WWW_RSA.to_vec();
    args.push("-no_ticket");
    let flags = rsa_client_flags(&[]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    assert_eq!(
        resumed(&client_sessions(&args, &flags, 3)),
        [false, true, true]
    );
    // And with tickets off on our side against a ticket-issuing s_server.
    let flags = rsa_client_flags(&["--no-tickets"]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    assert_eq!(resumed(&client_sessions(WWW_RSA, &flags, 2)), [false, true]);
}

#[test]
fn our_client_does_not_resume_with_s_server_that_caches_nothing() {
    require_openssl!();
    let mut args = WWW_RSA.to_vec();
    args.extend(["-no_ticket", "-no_cache"]);
    let flags = rsa_client_flags(&[]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    assert_eq!(resumed(&client_sessions(&args, &flags, 2)), [false, false]);
}

/// `s_client -reconnect` (one handshake, then five reconnections with the same session)
/// against our server; returns how many of its connections were `New` and `Reused`.
fn s_client_reconnect(server_extra: &[&str], s_client_extra: &[&str]) -> (usize, usize) {
    s_client_reconnect_env(server_extra, s_client_extra, &[])
}

/// `s_client_reconnect` with extra environment variables for s_client.
fn s_client_reconnect_env(
    server_extra: &[&str],
    s_client_extra: &[&str],
    env: &[(&str, &str)],
) -> (usize, usize) {
    let mut args = vec!["-reconnect"];
    args.extend(s_client_extra);
    args.extend(["-CAfile", both_roots()]);
    // The last connection GETs, and our server's answer and close end s_client.
    let run = s_client_run_n(&server_flags(server_extra), &args, GET, env, 6);
    let reused = run
        .output
        .lines()
        .filter(|l| l.starts_with("Reused, TLSv1.2"))
        .count();
    let new = run
        .output
        .lines()
        .filter(|l| l.starts_with("New, TLSv1.2"))
        .count();
    (new, reused)
}

#[test]
fn s_client_reconnect_resumes_with_our_tickets_and_session_ids() {
    require_openssl!();
    assert_eq!(s_client_reconnect(&[], &[]), (1, 5), "tickets");
    assert_eq!(
        s_client_reconnect(&[], &["-no_ticket"]),
        (1, 5),
        "session IDs"
    );
    assert_eq!(
        s_client_reconnect(&["--no-tickets"], &[]),
        (1, 5),
        "our cache only"
    );
    assert_eq!(
        s_client_reconnect(&["--no-session-cache"], &[]),
        (1, 5),
        "our tickets only"
    );
    assert_eq!(
        s_client_reconnect(&["--no-session-cache", "--no-tickets"], &[]),
        (6, 0),
        "nothing to resume from"
    );
}

#[test]
fn s_client_sess_out_then_sess_in_resumes_against_our_server() {
    require_openssl!();
    for (server_extra, client_extra) in [(&[][..], &[][..]), (&[][..], &["-no_ticket"][..])] {
        let sess = format!(
            "{}/sess-{}.pem",
            env!("CARGO_TARGET_TMPDIR"),
            client_extra.len()
        );
        let flags = server_flags(server_extra);
        let (port, served) = our_server_for(&flags, 2);
        let run = |extra: &[&str]| {
            let mut args = strings(&[
                "s_client",
                "-tls1_2",
                "-connect",
                &format!("127.0.0.1:{port}"),
                "-servername",
                NAME,
                "-CAfile",
                both_roots(),
            ]);
            args.extend(strings(extra));
            args.extend(strings(client_extra));
            let mut proc = Proc::spawn(&args);
            proc.write_stdin(b"GET / HTTP/1.1\r\n\r\n");
            proc.close_stdin();
            proc.wait();
            proc.output()
        };
        let first = run(&["-sess_out", &sess]);
        assert!(first.contains("New, TLSv1.2"), "{first}");
        let second = run(&["-sess_in", &sess]);
        assert!(
            second.contains("Reused, TLSv1.2"),
            "{client_extra:?}: {second}"
        );
        let a = served
            .recv_timeout(STEP)
            .expect("first served")
            .expect("first ok");
        let b = served
            .recv_timeout(STEP)
            .expect("second served")
            .expect("second ok");
        assert!(!a.summary.resumed);
        assert!(b.summary.resumed, "our server says resumed too");
    }
}

#[test]
fn resumption_with_ems_off_on_the_openssl_side_both_ways() {
    require_openssl!();
    // Our client against s_server without EMS: the session has no EMS, and resuming it
    // without EMS is consistent (RFC 7627 section 5.3).
    let flags = rsa_client_flags(&[]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    for extra in [&[][..], &["-no_ticket"][..]] {
        let mut args = WWW_RSA.to_vec();
        args.extend(extra);
        let runs = client_sessions_env(&args, &flags, 3, &no_ems_env());
        assert_eq!(resumed(&runs), [false, true, true], "{extra:?}");
        assert!(runs.iter().all(|s| !s.extended_master_secret), "{extra:?}");
    }
    // s_client without EMS reconnecting to our server: tickets and session IDs.
    assert_eq!(s_client_reconnect_env(&[], &[], &no_ems_env()), (1, 5));
    assert_eq!(
        s_client_reconnect_env(&[], &["-no_ticket"], &no_ems_env()),
        (1, 5)
    );
}
