//! `examples/hyper_server` (the binary `cargo test` builds) over loopback: curl fetches
//! over HTTP/1.1 and HTTP/2 (chosen by ALPN), then this crate's `TlsConnector` does, with
//! a raw HTTP/1.1 request and with hyper's HTTP/2 client. Without a curl that speaks
//! HTTP/2 the curl half is skipped, except under CI (env `CI` set), where it fails.

mod common;

use common::KillOnDrop;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tls12::tokio::{ClientTlsStream, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");
const SUITE: &str = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";

/// Starts the server for `conns` connections; returns it and its port.
fn start_server(conns: usize) -> (KillOnDrop, u16) {
    let binary = common::example_binary("hyper_server");
    assert!(
        binary.exists(),
        "{} is missing: `cargo test` builds it with the other targets (or `cargo build --example hyper_server --features tokio`)",
        binary.display()
    );
    let mut child = Command::new(binary)
        .args(["--port", "0", "--max-conns", &conns.to_string()])
        .args(["--cert", &format!("{PKI}/server-rsa.chain.pem")])
        .args(["--key", &format!("{PKI}/server-rsa.key.pem")])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hyper_server");
    let stderr = child.stderr.take().expect("piped stderr");
    let server = KillOnDrop(child);
    let mut lines = BufReader::new(stderr).lines();
    let line = lines
        .next()
        .expect("a first line")
        .expect("readable stderr");
    let port = line
        .strip_prefix("listening on 127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .parse()
        .expect("a port");
    // Echo the rest (connection errors), so that a failure shows them.
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            eprintln!("hyper_server: {line}");
        }
    });
    (server, port)
}

/// Waits (bounded) for the server to exit after its last connection; asserts success.
fn wait_for_exit(mut server: KillOnDrop) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.0.try_wait().expect("wait") {
            assert!(status.success(), "hyper_server exited with {status}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "hyper_server still running after its connections"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a curl that speaks HTTP/2 is on the PATH. Under CI its absence fails the test.
fn curl_with_http2() -> bool {
    let found = Command::new("curl")
        .arg("--version")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned());
    match found {
        Some(version) if version.contains("HTTP2") => true,
        other => {
            let why = match other {
                Some(version) => format!("curl lacks HTTP2: {version}"),
                None => "no curl on the PATH".to_string(),
            };
            assert!(
                std::env::var_os("CI").is_none(),
                "{why} (.ci/run installs curl)"
            );
            eprintln!("skipping the curl half: {why}");
            false
        }
    }
}

/// `curl FLAG` against the server: returns (`%{http_version}`, body).
fn curl(port: u16, flag: &str, path: &str) -> (String, String) {
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "20", flag])
        .args(["--tlsv1.2", "--tls-max", "1.2"])
        .args(["--cacert", &format!("{PKI}/ca-rsa.crt.pem")])
        .args([
            "--resolve",
            &format!("testserver.tls12.test:{port}:127.0.0.1"),
        ])
        .args(["--write-out", "\n%{http_version}"])
        .arg(format!("https://testserver.tls12.test:{port}{path}"))
        .output()
        .expect("run curl");
    let stdout = String::from_utf8(out.stdout).expect("text");
    assert!(
        out.status.success(),
        "curl {flag} failed: {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (body, version) = stdout.rsplit_once('\n').expect("the version line");
    eprintln!("curl {flag}: HTTP {version}: {body}");
    (version.to_string(), body.to_string())
}

#[test]
fn curl_fetches_over_http1_and_http2_as_alpn_chose() {
    if !curl_with_http2() {
        return;
    }
    let (server, port) = start_server(2);
    let (version, body) = curl(port, "--http1.1", "/one");
    assert_eq!(version, "1.1");
    assert_eq!(
        body,
        format!("Hello from tls12 and hyper over HTTP/1.1: {SUITE} for GET /one\n")
    );
    let (version, body) = curl(port, "--http2", "/two");
    assert_eq!(version, "2");
    assert_eq!(
        body,
        format!("Hello from tls12 and hyper over HTTP/2.0: {SUITE} for GET /two\n")
    );
    wait_for_exit(server);
}

/// Our client over TCP to the server, offering `alpn`.
async fn connect(port: u16, alpn: &[u8]) -> ClientTlsStream<TcpStream> {
    let mut config = common::client_config();
    config.common.alpn_protocols = vec![alpn.to_vec()];
    let sock = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let tls = TlsConnector::from(Arc::new(config))
        .connect(common::server_name(), sock)
        .await
        .expect("handshake");
    assert_eq!(tls.alpn_protocol(), Some(alpn));
    tls
}

#[tokio::test(flavor = "current_thread")]
async fn our_client_fetches_over_http1_and_http2() {
    let (server, port) = start_server(2);

    // HTTP/1.1, by hand: the server closes after `Connection: close`.
    let mut tls = connect(port, b"http/1.1").await;
    tls.write_all(b"GET /raw HTTP/1.1\r\nHost: testserver.tls12.test\r\nConnection: close\r\n\r\n")
        .await
        .expect("request");
    let mut response = Vec::new();
    tls.read_to_end(&mut response)
        .await
        .expect("the response, then close_notify");
    let response = String::from_utf8(response).expect("text");
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.ends_with(&format!(
            "\r\n\r\nHello from tls12 and hyper over HTTP/1.1: {SUITE} for GET /raw\n"
        )),
        "{response}"
    );
    tls.shutdown().await.expect("close");

    // HTTP/2 with hyper's client over the same kind of stream.
    let tls = connect(port, b"h2").await;
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
            .await
            .expect("HTTP/2 handshake");
    let driver = tokio::spawn(conn);
    let request = hyper::Request::builder()
        .uri("https://testserver.tls12.test/h2")
        .body(Empty::<Bytes>::new())
        .expect("a valid request");
    let response = sender.send_request(request).await.expect("response");
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), hyper::Version::HTTP_2);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(
        body,
        format!("Hello from tls12 and hyper over HTTP/2.0: {SUITE} for GET /h2\n").as_bytes()
    );
    drop(sender);
    driver
        .await
        .expect("driver task")
        .expect("the HTTP/2 connection ends cleanly");

    tokio::task::spawn_blocking(move || wait_for_exit(server))
        .await
        .expect("wait task");
}
