//! Key logs that Wireshark reads, proven with the real tools: `tcpdump` captures a loopback
//! session between the client and server examples (their code, run in-process as in
//! `tests/interop_openssl.rs`, with `--keylog FILE`), and `tshark -o tls.keylog_file:FILE`
//! decrypts the HTTP request and response from the capture. Without the key log it cannot.
//!
//! Also: both examples honour `SSLKEYLOGFILE` (checked in child processes, since a test must
//! not change its own environment).
//!
//! `.ci/run` installs tcpdump and tshark; a machine without them (or without permission to
//! capture on `lo`) skips the capture test with a loud message, except under `CI`, where
//! that is a failure.

#[path = "../examples/common/mod.rs"]
mod example;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use example::client::{self, ClientOptions};
use example::server::{self, ServerOptions};

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");
const NAME: &str = "testserver.tls12.test";
/// How long any one step may take before the test fails.
const STEP: Duration = Duration::from_secs(20);

fn pki(name: &str) -> String {
    format!("{PKI}/{name}")
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("target tmpdir writable");
    dir
}

/// Skips (loudly) when the tools cannot be used here; under `CI` that is a failure.
fn skip(why: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("CI must run the Wireshark key-log test, but {why}");
    }
    eprintln!(
        "\n!!!!!!!! SKIPPED: the tcpdump/tshark key-log test: {why}.\n!!!!!!!! Install them \
         (`apt-get install tcpdump tshark`) and run as root to check key logs with Wireshark.\n"
    );
}

fn on_path(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// tcpdump writing one TCP port's loopback traffic to a pcap file. Killed on drop.
struct Capture {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Capture {
    /// Starts tcpdump and waits until it says it is listening. `Err` with its output if it
    /// exits first (no permission, say).
    fn start(port: u16, pcap: &Path) -> Result<Capture, String> {
        let mut child = Command::new("tcpdump")
            .args(["-i", "lo", "-n", "-U", "--immediate-mode"])
            // Stay root (when root) so the pcap can be written anywhere root can write.
            .args(["-Z", "root", "-w"])
            .arg(pcap)
            .arg(format!("tcp port {port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("tcpdump does not start: {e}"))?;
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().expect("piped");
        let sink = stderr.clone();
        thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().expect("not poisoned");
                s.push_str(&line);
                s.push('\n');
            }
        });
        Capture { child, stderr }.wait_listening(Instant::now() + STEP)
    }

    /// Waits for tcpdump's "listening on" (it is ready to capture only then).
    fn wait_listening(mut self, deadline: Instant) -> Result<Capture, String> {
        loop {
            if self.output().contains("listening on") {
                return Ok(self);
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                thread::sleep(Duration::from_millis(50));
                return Err(format!("tcpdump exited ({status}): {}", self.output()));
            }
            if Instant::now() > deadline {
                return Err(format!("tcpdump is not listening: {}", self.output()));
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn output(&self) -> String {
        self.stderr.lock().expect("not poisoned").clone()
    }

    /// Stops tcpdump with SIGINT (it flushes the pcap and prints its counts) and waits for
    /// it to exit. Returns its output.
    fn stop(mut self) -> String {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -INT tcpdump failed");
        let deadline = Instant::now() + STEP;
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            assert!(Instant::now() < deadline, "tcpdump did not exit on SIGINT");
            thread::sleep(Duration::from_millis(10));
        }
        // Let the reader thread take the last lines ("N packets captured").
        let deadline = Instant::now() + STEP;
        while !self.output().contains("packets captured") && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        self.output()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tshark -r pcap` with the HTTP-over-TLS port set, the key log if any, and `fields`:
/// one line per packet, tab-separated.
fn tshark(pcap: &Path, port: u16, keylog: Option<&Path>, fields: &[&str]) -> String {
    let mut cmd = Command::new("tshark");
    cmd.arg("-n")
        .arg("-r")
        .arg(pcap)
        .args(["-o", &format!("http.tls.port:{port}")]);
    if let Some(k) = keylog {
        cmd.arg("-o")
            .arg(format!("tls.keylog_file:{}", k.display()));
    }
    cmd.args(["-T", "fields"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.stdin(Stdio::null()).output().expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// One captured session between the examples with `--keylog` on both sides (server flags,
/// client flags; the path and address are appended), written to `dir/session.pcap`.
/// Returns the port, or `None` when tcpdump cannot capture here (skipped).
fn captured_session(dir: &Path, server_flags: &[&str], client_flags: &[&str]) -> Option<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("bound").port();
    let pcap = dir.join("session.pcap");
    let capture = match Capture::start(port, &pcap) {
        Ok(c) => c,
        Err(e) => {
            skip(&format!("tcpdump cannot capture on lo: {e}"));
            return None;
        }
    };

    let server_keys = dir.join("server.keys");
    let mut flags = strings(server_flags);
    flags.extend(strings(&["--max-conns", "1", "--keylog"]));
    flags.push(server_keys.display().to_string());
    let opts = ServerOptions::parse(flags)
        .expect("server flags parse")
        .expect("not --help");
    let config = server::config(&opts).expect("server config builds");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(server::serve(&listener, &config, &opts).map_err(|e| e.to_string()));
    });

    let client_keys = dir.join("client.keys");
    let mut flags = strings(client_flags);
    flags.extend(strings(&["--path", PROBE, "--keylog"]));
    flags.push(client_keys.display().to_string());
    flags.push(format!("127.0.0.1:{port}"));
    let opts = ClientOptions::parse(flags)
        .expect("client flags parse")
        .expect("not --help");
    let config = client::config(&opts).expect("client config builds");
    let (mut tls, _summary) = client::connect(&opts, config).expect("handshake");
    let response = client::get(&mut tls, &opts).expect("response");
    drop(tls);
    assert!(response.status_line.contains("200"), "{response:?}");
    let body = String::from_utf8_lossy(&response.body).into_owned();
    assert!(body.contains(PROBE_LINE), "{body}");
    let served = rx.recv_timeout(STEP).expect("server loop returned");
    assert!(served.is_ok(), "{served:?}");

    let counts = capture.stop();
    assert!(
        !counts.contains("\n0 packets captured"),
        "tcpdump captured nothing: {counts}"
    );

    // Both sides logged the same one line.
    let client_log = std::fs::read_to_string(&client_keys).expect("client key log written");
    let server_log = std::fs::read_to_string(&server_keys).expect("server key log written");
    assert_eq!(client_log, server_log, "both sides log the same secret");
    let fields: Vec<&str> = client_log.trim_end().split(' ').collect();
    assert_eq!(client_log.lines().count(), 1, "{client_log}");
    assert_eq!(fields[0], "CLIENT_RANDOM", "{client_log}");
    assert_eq!((fields[1].len(), fields[2].len()), (64, 96), "{client_log}");
    Some(port)
}

/// The path the client asks for: it shows in the request and in the server's page.
const PROBE: &str = "/wireshark-probe-7f3a";
/// The server's page repeats the request line.
const PROBE_LINE: &str = "request:                GET /wireshark-probe-7f3a HTTP/1.1";

const HTTP_FIELDS: &[&str] = &[
    "http.request.method",
    "http.request.uri",
    "http.request.version",
    "http.response.code",
    "http.file_data",
];

/// Checks that tshark decrypts the session with each side's key log, and not without one.
fn assert_tshark_decrypts(dir: &Path, port: u16, what: &str) {
    let pcap = dir.join("session.pcap");
    for keys in ["client.keys", "server.keys"] {
        let out = tshark(&pcap, port, Some(&dir.join(keys)), HTTP_FIELDS);
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("GET\t{PROBE}\tHTTP/1.1\t"))),
            "{what}, {keys}: tshark did not decrypt the request:\n{out}"
        );
        let response = out
            .lines()
            .find(|l| l.starts_with("\t\t\t200\t"))
            .unwrap_or_else(|| panic!("{what}, {keys}: no decrypted response:\n{out}"));
        assert!(
            response.contains("<h1>tls12 example server</h1>") && response.contains(PROBE_LINE),
            "{what}, {keys}: the decrypted body is not the page:\n{response}"
        );
    }

    // The controls: without a key log, or with a wrong master secret, tshark sees TLS
    // records but no HTTP; the capture's bytes do not hold the plaintext.
    let out = tshark(&pcap, port, None, HTTP_FIELDS);
    assert!(
        out.lines().all(|l| l.trim().is_empty()),
        "{what}: HTTP without the key log:\n{out}"
    );
    let line = std::fs::read_to_string(dir.join("client.keys")).expect("key log");
    let (head, last) = line.trim_end().split_at(line.trim_end().len() - 1);
    let flipped = if last == "0" { "1" } else { "0" };
    let wrong = dir.join("wrong.keys");
    std::fs::write(&wrong, format!("{head}{flipped}\n")).expect("scratch writable");
    let out = tshark(&pcap, port, Some(&wrong), HTTP_FIELDS);
    assert!(
        out.lines().all(|l| l.trim().is_empty()),
        "{what}: HTTP with a wrong master secret:\n{out}"
    );
    let records = tshark(&pcap, port, None, &["tls.record.content_type"]);
    assert!(
        records.lines().any(|l| l.split(',').any(|t| t == "23")),
        "{what}: no application data records in the capture:\n{records}"
    );
    let raw = std::fs::read(&pcap).expect("pcap written");
    assert!(
        !contains(&raw, PROBE.as_bytes()),
        "{what}: plaintext on the wire"
    );
    assert!(
        !contains(&raw, b"tls12 example server"),
        "{what}: plaintext on the wire"
    );
}

#[test]
fn tshark_decrypts_a_captured_session_with_our_key_log() {
    let missing: Vec<&str> = ["tcpdump", "tshark"]
        .into_iter()
        .filter(|t| !on_path(t))
        .collect();
    if !missing.is_empty() {
        skip(&format!("{} not on PATH", missing.join(" and ")));
        return;
    }
    let server_keys = [
        "--cert",
        &pki("server-rsa.chain.pem"),
        "--key",
        &pki("server-rsa.key.pem"),
        "--cert",
        &pki("server-p256.chain.pem"),
        "--key",
        &pki("server-p256.key.pem"),
    ];
    let ca = [
        "--cafile",
        &pki("ca-rsa.crt.pem"),
        "--cafile",
        &pki("ca-ecdsa.crt.pem"),
    ];
    let cases: [(&str, Vec<&str>, Vec<&str>); 2] = [
        // ECDHE (x25519) with ECDSA and ChaCha20-Poly1305.
        (
            "ECDHE_ECDSA ChaCha20",
            server_keys.to_vec(),
            [
                &ca[..],
                &[
                    "--servername",
                    NAME,
                    "--cipher",
                    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                ],
            ]
            .concat(),
        ),
        // RSA key exchange with AES-256-GCM (the SHA-384 PRF), through --rsa-kx.
        (
            "RSA kx AES-256-GCM",
            [&server_keys[..], &["--rsa-kx"]].concat(),
            [
                &ca[..],
                &[
                    "--servername",
                    NAME,
                    "--cipher",
                    "TLS_RSA_WITH_AES_256_GCM_SHA384",
                ],
            ]
            .concat(),
        ),
    ];
    for (i, (what, server_flags, client_flags)) in cases.iter().enumerate() {
        let dir = scratch(&format!("keylog-wireshark-{i}"));
        let Some(port) = captured_session(&dir, server_flags, client_flags) else {
            return;
        };
        assert_tshark_decrypts(&dir, port, what);
    }
}

// ---------------------------------------------------------------------------------------
// SSLKEYLOGFILE, in child processes: this test binary run again on `child_example`.

const ROLE: &str = "TLS12_KEYLOG_CHILD_ROLE";
const ADDR: &str = "TLS12_KEYLOG_CHILD_ADDR";

/// This test binary again, running only `child_example`, as `role`, with `SSLKEYLOGFILE`.
fn spawn_child(role: &str, keylog: &Path, addr: Option<&str>) -> Child {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary path"));
    cmd.args([
        "child_example",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(ROLE, role)
    .env("SSLKEYLOGFILE", keylog)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    if let Some(a) = addr {
        cmd.env(ADDR, a);
    }
    cmd.spawn().expect("test binary runs again")
}

/// Waits for a child with a deadline; returns whether it succeeded and its output.
fn finish(mut child: Child, stdout: &mut String) -> (bool, String) {
    let mut stderr = String::new();
    let mut pipe = child.stderr.take().expect("piped");
    let reader = thread::spawn(move || {
        let _ = pipe.read_to_string(&mut stderr);
        stderr
    });
    let deadline = Instant::now() + STEP;
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(10));
    };
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(stdout);
    }
    let stderr = reader.join().unwrap_or_default();
    (
        status.is_some_and(|s| s.success()),
        format!("{stdout}{stderr}"),
    )
}

#[test]
fn both_examples_honour_sslkeylogfile() {
    let dir = scratch("keylog-sslkeylogfile");
    let server_keys = dir.join("server.keys");
    let client_keys = dir.join("client.keys");
    let mut server = spawn_child("server", &server_keys, None);
    // The server child prints the port it listens on; its output is read on a thread so
    // that every wait here has a deadline.
    let pipe = server.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if let Some((_, port)) = line.split_once("PORT=") {
                let _ = tx.send(port.trim().to_string());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let Ok(port) = rx.recv_timeout(STEP) else {
        let _ = server.kill();
        let _ = server.wait();
        panic!(
            "the server child did not listen:\n{}",
            reader.join().unwrap_or_default()
        );
    };
    let client = spawn_child("client", &client_keys, Some(&format!("127.0.0.1:{port}")));
    let (client_ok, client_out) = finish(client, &mut String::new());
    let (server_ok, server_err) = finish(server, &mut String::new());
    let server_out = reader.join().unwrap_or_default();
    assert!(client_ok, "client child failed:\n{client_out}");
    assert!(server_ok, "server child failed:\n{server_out}{server_err}");

    let client_log = std::fs::read_to_string(&client_keys).expect("client honoured SSLKEYLOGFILE");
    let server_log = std::fs::read_to_string(&server_keys).expect("server honoured SSLKEYLOGFILE");
    assert_eq!(client_log.lines().count(), 1, "{client_log}");
    assert!(client_log.starts_with("CLIENT_RANDOM "), "{client_log}");
    assert_eq!(client_log, server_log, "both sides log the same secret");
}

/// Not a test on its own: `both_examples_honour_sslkeylogfile` runs it in a child process
/// (with `SSLKEYLOGFILE` set) as the example server or client. Without the role variable
/// it does nothing.
#[test]
#[ignore = "a child process of both_examples_honour_sslkeylogfile"]
fn child_example() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    match role.as_str() {
        "server" => {
            let opts = ServerOptions::parse(strings(&[
                "--cert",
                &pki("server-rsa.chain.pem"),
                "--key",
                &pki("server-rsa.key.pem"),
                "--max-conns",
                "1",
            ]))
            .expect("flags parse")
            .expect("not --help");
            let config = server::config(&opts).expect("config builds");
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            println!("PORT={}", listener.local_addr().expect("bound").port());
            server::serve(&listener, &config, &opts).expect("served");
        }
        "client" => {
            let addr = std::env::var(ADDR).expect("address given");
            let opts = ClientOptions::parse(strings(&[
                "--cafile",
                &pki("ca-rsa.crt.pem"),
                "--servername",
                NAME,
                &addr,
            ]))
            .expect("flags parse")
            .expect("not --help");
            let config = client::config(&opts).expect("config builds");
            let (mut tls, _) = client::connect(&opts, config).expect("handshake");
            let response = client::get(&mut tls, &opts).expect("response");
            assert!(response.status_line.contains("200"), "{response:?}");
        }
        other => panic!("unknown role {other:?}"),
    }
}
