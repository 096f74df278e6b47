//! Pre-shared keys and the CCM_8 suites against real OpenSSL (`openssl s_server` and
//! `openssl s_client`, TLS 1.2) over loopback TCP, both ways.
//!
//! Our side runs the client and server examples' code in-process (`examples/common`,
//! included below), with their `--psk IDENTITY:HEX` and `--cipher` flags. OpenSSL needs no
//! `@SECLEVEL=0` for the CCM_8 suites (checked with 3.0). It has no
//! TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 (RFC 8442), which tests/psk.rs covers in memory.
//! Skipped (loudly) when `openssl` is not on PATH, failing under `CI`.

#[path = "../examples/common/mod.rs"]
mod example;
#[path = "common/example_server.rs"]
mod example_server;
#[path = "common/openssl.rs"]
mod openssl;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use example::Failure;
use example::client::{self, ClientOptions};
use example::server::Served;
use openssl::Proc;
use tls12::enums::{AlertDescription, CipherSuite};
use tls12::psk::{Psk, ResolvesClientPsk};
use tls12::{Error, HandshakeSummary};

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");
const NAME: &str = "testserver.tls12.test";
const STEP: Duration = Duration::from_secs(15);

const ID: &str = "sensor-17";
const KEY: &str = "00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const WRONG_KEY: &str = "00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f1";

/// Our PSK suites that OpenSSL has, by OpenSSL's names.
const PSK_SUITES: [(CipherSuite, &str); 5] = [
    (
        CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
        "PSK-AES128-GCM-SHA256",
    ),
    (
        CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384,
        "PSK-AES256-GCM-SHA384",
    ),
    (
        CipherSuite::TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
        "PSK-CHACHA20-POLY1305",
    ),
    (
        CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-PSK-CHACHA20-POLY1305",
    ),
    (CipherSuite::TLS_PSK_WITH_AES_128_CCM_8, "PSK-AES128-CCM8"),
];

fn pki(name: &str) -> String {
    format!("{PKI}/{name}")
}

fn iana(suite: CipherSuite) -> &'static str {
    suite.const_name().expect("known suite")
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn psk_flag(id: &str, key: &str) -> String {
    format!("{id}:{key}")
}

// ---------------------------------------------------------------------------------------
// Our client against `s_server`.

/// `openssl s_server -tls1_2 -www` on a free loopback port for one connection.
fn s_server(args: &[&str]) -> (Proc, u16) {
    let mut all = strings(&[
        "s_server",
        "-tls1_2",
        "-accept",
        "127.0.0.1:0",
        "-naccept",
        "1",
        "-www",
    ]);
    all.extend(strings(args));
    let proc = Proc::spawn(&all);
    let addr = proc
        .wait_for_line("ACCEPT 127.0.0.1:")
        .unwrap_or_else(|e| panic!("s_server did not start: {e}"));
    (proc, addr.parse().expect("s_server prints its port"))
}

/// `s_server` for a PSK suite: no certificate, one identity and key, maybe a hint.
fn psk_s_server(openssl_suite: &str, hint: Option<&str>) -> (Proc, u16) {
    let mut args = vec![
        "-nocert",
        "-psk",
        KEY,
        "-psk_identity",
        ID,
        "-cipher",
        openssl_suite,
    ];
    if let Some(h) = hint {
        args.extend(["-psk_hint", h]);
    }
    s_server(&args)
}

struct ClientRun {
    result: Result<(HandshakeSummary, String), Failure>,
    server_output: String,
}

/// The client example's code with `flags` (the address appended) against `server`, with
/// `psk` in place of the `--psk` flag's if given. The GET's response body is returned.
fn client_run(
    server: (Proc, u16),
    flags: &[String],
    psk: Option<Arc<dyn ResolvesClientPsk>>,
) -> ClientRun {
    let (mut server, port) = server;
    let mut args = flags.to_vec();
    args.push(format!("127.0.0.1:{port}"));
    let opts = ClientOptions::parse(args)
        .expect("flags parse")
        .expect("not --help");
    let result = client::config(&opts).and_then(|config| {
        let mut config = (*config).clone();
        if psk.is_some() {
            config.psk = psk;
        }
        let (mut tls, summary) = client::connect(&opts, Arc::new(config))?;
        let response = client::get(&mut tls, &opts)?;
        Ok((
            summary,
            String::from_utf8_lossy(&response.body).into_owned(),
        ))
    });
    let _ = server.wait();
    ClientRun {
        result,
        server_output: server.output(),
    }
}

fn psk_client_flags(suite: CipherSuite, key: &str) -> Vec<String> {
    strings(&["--psk", &psk_flag(ID, key), "--cipher", iana(suite)])
}

/// A client resolver that records the hint it was shown.
#[derive(Debug)]
struct Recording(Psk, Mutex<Vec<Option<Vec<u8>>>>);

impl ResolvesClientPsk for Recording {
    fn resolve(&self, hint: Option<&[u8]>) -> Option<Psk> {
        self.1.lock().unwrap().push(hint.map(<[u8]>::to_vec));
        Some(self.0.clone())
    }
}

#[test]
fn client_every_psk_suite_against_s_server_with_and_without_a_hint() {
    require_openssl!();
    for (suite, name) in PSK_SUITES {
        for hint in [None, Some("gateway-3")] {
            let key = hex::decode(KEY).unwrap();
            let rec = Arc::new(Recording(
                Psk::new(ID.as_bytes().to_vec(), key).unwrap(),
                Mutex::new(Vec::new()),
            ));
            let run = client_run(
                psk_s_server(name, hint),
                &psk_client_flags(suite, KEY),
                Some(rec.clone()),
            );
            let (summary, page) = run.result.unwrap_or_else(|e| {
                panic!(
                    "{suite:?} hint {hint:?}: {e}\n--- s_server:\n{}",
                    run.server_output
                )
            });
            assert_eq!(summary.suite, suite);
            assert_eq!(summary.psk_identity.as_deref(), Some(ID.as_bytes()));
            assert!(summary.peer_certificates.is_empty());
            assert!(summary.extended_master_secret);
            // OpenSSL's own account of the connection, on its -www page.
            assert!(
                page.contains(&format!("New, TLSv1.2, Cipher is {name}")),
                "{page}"
            );
            assert!(page.contains(&format!("PSK identity: {ID}")), "{page}");
            // Without a hint s_server sends no ServerKeyExchange for plain PSK: the client
            // resolved with no hint either way.
            assert_eq!(
                *rec.1.lock().unwrap(),
                [hint.map(|h| h.as_bytes().to_vec())],
                "{suite:?}"
            );
        }
    }
}

#[test]
fn client_wrong_key_against_s_server_is_bad_record_mac() {
    require_openssl!();
    for (suite, name) in [PSK_SUITES[0], PSK_SUITES[3]] {
        let run = client_run(
            psk_s_server(name, None),
            &psk_client_flags(suite, WRONG_KEY),
            None,
        );
        match run.result {
            Err(Failure::Tls(e)) => assert_eq!(
                e,
                Error::AlertReceived(AlertDescription::BAD_RECORD_MAC),
                "{suite:?}"
            ),
            Err(e) => panic!("{suite:?}: {e}"),
            Ok(_) => panic!("{suite:?}: a wrong key connected"),
        }
        assert!(
            run.server_output
                .contains("decryption failed or bad record mac"),
            "{}",
            run.server_output
        );
    }
}

#[test]
fn client_ecdhe_ecdsa_ccm_8_against_s_server() {
    require_openssl!();
    let server = s_server(&[
        "-cert",
        "server-p256.crt.pem",
        "-key",
        "server-p256.key.pem",
        "-cipher",
        "ECDHE-ECDSA-AES128-CCM8",
    ]);
    let flags = strings(&[
        "--cafile",
        &pki("ca-ecdsa.crt.pem"),
        "--servername",
        NAME,
        "--cipher",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
        "--groups",
        "x25519,secp256r1",
    ]);
    let run = client_run(server, &flags, None);
    let (summary, page) = run
        .result
        .unwrap_or_else(|e| panic!("{e}\n--- s_server:\n{}", run.server_output));
    assert_eq!(
        summary.suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
    );
    let p256 = std::fs::read(pki("server-p256.crt.der")).expect("test PKI present");
    assert_eq!(summary.peer_certificates[0].as_ref(), p256);
    assert_eq!(summary.psk_identity, None);
    assert!(
        page.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-CCM8"),
        "{page}"
    );
}

#[test]
fn client_resumes_a_psk_session_with_s_server() {
    require_openssl!();
    let (suite, name) = PSK_SUITES[0];
    for no_ticket in [false, true] {
        let mut args = vec!["-nocert", "-psk", KEY, "-psk_identity", ID, "-cipher", name];
        args.extend(["-naccept", "2"]);
        if no_ticket {
            args.push("-no_ticket");
        }
        let (mut server, port) = s_server(&args);
        let mut flags = psk_client_flags(suite, KEY);
        flags.push(format!("127.0.0.1:{port}"));
        let opts = ClientOptions::parse(flags).unwrap().unwrap();
        let config = client::config(&opts).unwrap();
        let mut summaries = Vec::new();
        for _ in 0..2 {
            let (mut tls, summary) = client::connect(&opts, config.clone())
                .unwrap_or_else(|e| panic!("{e}\n--- s_server:\n{}", server.output()));
            client::get(&mut tls, &opts).unwrap();
            summaries.push(summary);
        }
        let _ = server.wait();
        assert!(!summaries[0].resumed);
        assert!(summaries[1].resumed, "no_ticket {no_ticket}");
        assert_eq!(summaries[1].psk_identity.as_deref(), Some(ID.as_bytes()));
    }
}

// ---------------------------------------------------------------------------------------
// `s_client` against our server.

const GET: &[u8] = b"GET /psk HTTP/1.1\r\nHost: testserver.tls12.test\r\n\r\n";

struct SClientRun {
    output: String,
    served: Vec<Result<Served, Failure>>,
}

/// `openssl s_client -tls1_2 args` against our server (`flags`, `connections`
/// connections): writes a GET, waits for s_client to exit.
fn s_client_run(flags: &[String], args: &[&str], connections: usize) -> SClientRun {
    let (port, served) = example_server::serve(flags, connections, STEP);
    let mut all = strings(&[
        "s_client",
        "-tls1_2",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-ign_eof",
    ]);
    all.extend(strings(args));
    let mut proc = Proc::spawn(&all);
    proc.write_stdin(GET);
    proc.close_stdin();
    let _ = proc.wait();
    let served = (0..connections)
        .map(|_| {
            served
                .recv_timeout(STEP)
                .unwrap_or_else(|_| Err(Failure::other("server thread timed out")))
        })
        .collect();
    SClientRun {
        output: proc.output(),
        served,
    }
}

fn psk_server_flags(suite: CipherSuite, hint: Option<&str>) -> Vec<String> {
    let mut v = strings(&["--psk", &psk_flag(ID, KEY), "--cipher", iana(suite)]);
    if let Some(h) = hint {
        v.extend(strings(&["--psk-hint", h]));
    }
    v
}

fn psk_s_client_args<'a>(name: &'a str, id: &'a str, key: &'a str) -> Vec<&'a str> {
    vec!["-psk", key, "-psk_identity", id, "-cipher", name]
}

#[test]
fn s_client_every_psk_suite_against_our_server_with_and_without_a_hint() {
    require_openssl!();
    for (suite, name) in PSK_SUITES {
        for hint in [None, Some("gateway-3")] {
            let run = s_client_run(
                &psk_server_flags(suite, hint),
                &psk_s_client_args(name, ID, KEY),
                1,
            );
            let out = &run.output;
            let served = match &run.served[0] {
                Ok(s) => s,
                Err(e) => panic!("{suite:?}: our server failed: {e}\n--- s_client:\n{out}"),
            };
            assert_eq!(served.summary.suite, suite);
            assert_eq!(served.summary.psk_identity.as_deref(), Some(ID.as_bytes()));
            assert_eq!(served.request.as_deref(), Some("GET /psk HTTP/1.1"));
            assert!(
                out.contains(&format!("New, TLSv1.2, Cipher is {name}")),
                "{out}"
            );
            assert!(out.contains(&format!("PSK identity: {ID}")), "{out}");
            let shown = format!("PSK identity hint: {}", hint.unwrap_or("None"));
            assert!(out.contains(&shown), "{suite:?} {hint:?}:\n{out}");
            assert!(out.contains("Extended master secret: yes"), "{out}");
            // Our answer made it back through s_client.
            assert!(out.contains("HTTP/1.1 200 OK"), "{out}");
            assert!(
                out.contains(&format!("PSK identity:           {ID}")),
                "{out}"
            );
        }
    }
}

/// Our server's error, and the alert s_client reports.
fn refused(run: &SClientRun) -> Error {
    match &run.served[0] {
        Err(Failure::Tls(e)) => e.clone(),
        Err(e) => panic!("not a TLS error: {e}\n--- s_client:\n{}", run.output),
        Ok(_) => panic!("the handshake succeeded:\n{}", run.output),
    }
}

#[test]
fn s_client_wrong_key_or_identity_against_our_server() {
    require_openssl!();
    for (suite, name) in [PSK_SUITES[0], PSK_SUITES[3]] {
        // A wrong key: the client's Finished does not decrypt.
        let run = s_client_run(
            &psk_server_flags(suite, None),
            &psk_s_client_args(name, ID, WRONG_KEY),
            1,
        );
        assert_eq!(refused(&run), Error::bad_record_mac(), "{suite:?}");
        assert!(
            run.output.contains("alert bad record mac"),
            "{suite:?}:\n{}",
            run.output
        );
        // An identity we do not know (RFC 4279 section 2).
        let run = s_client_run(
            &psk_server_flags(suite, None),
            &psk_s_client_args(name, "stranger", KEY),
            1,
        );
        assert_eq!(
            refused(&run).alert(),
            Some(AlertDescription::UNKNOWN_PSK_IDENTITY),
            "{suite:?}"
        );
        assert!(
            run.output.contains("alert unknown psk identity"),
            "{suite:?}:\n{}",
            run.output
        );
    }
}

#[test]
fn s_client_reconnect_resumes_psk_sessions() {
    require_openssl!();
    let (suite, name) = PSK_SUITES[4];
    for extra in [&[][..], &["-no_ticket"][..]] {
        let mut args = psk_s_client_args(name, ID, KEY);
        args.push("-reconnect");
        args.extend(extra);
        let run = s_client_run(&psk_server_flags(suite, None), &args, 6);
        let count = |p: &str| run.output.lines().filter(|l| l.starts_with(p)).count();
        assert_eq!(
            (count("New, TLSv1.2"), count("Reused, TLSv1.2")),
            (1, 5),
            "{extra:?}:\n{}",
            run.output
        );
        // s_client GETs on its last connection only (the others close after the
        // handshake): that one resumed, with the session's identity.
        let last = run.served[5]
            .as_ref()
            .unwrap_or_else(|e| panic!("last connection: {e}"));
        assert!(last.summary.resumed);
        assert_eq!(last.summary.psk_identity.as_deref(), Some(ID.as_bytes()));
    }
}

#[test]
fn s_client_ecdhe_ecdsa_ccm_8_against_our_server() {
    require_openssl!();
    let flags = strings(&[
        "--cert",
        &pki("server-p256.chain.pem"),
        "--key",
        &pki("server-p256.key.pem"),
        "--cipher",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
    ]);
    let ca = pki("ca-ecdsa.crt.pem");
    let run = s_client_run(
        &flags,
        &[
            "-cipher",
            "ECDHE-ECDSA-AES128-CCM8",
            "-CAfile",
            &ca,
            "-servername",
            NAME,
            "-verify_hostname",
            NAME,
            "-verify_return_error",
        ],
        1,
    );
    let out = &run.output;
    let served = match &run.served[0] {
        Ok(s) => s,
        Err(e) => panic!("our server failed: {e}\n--- s_client:\n{out}"),
    };
    assert_eq!(
        served.summary.suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
    );
    assert!(
        out.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-CCM8"),
        "{out}"
    );
    assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
    assert!(out.contains("HTTP/1.1 200 OK"), "{out}");
}
