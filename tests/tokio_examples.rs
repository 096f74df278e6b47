//! `examples/tokio_client.rs` against `examples/tokio_server.rs` on loopback, in one tokio
//! runtime, so the async examples cannot rot. The example files are compiled in as modules;
//! their `main`s are unused here.
#![allow(dead_code, clippy::duplicate_mod)]

#[path = "../examples/tokio_client.rs"]
mod tokio_client;
#[path = "../examples/tokio_server.rs"]
mod tokio_server;

use tls12::enums::CipherSuite;
use tokio::net::TcpListener;

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");

#[tokio::test(flavor = "current_thread")]
async fn tokio_client_fetches_from_tokio_server_over_loopback() {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound").to_string();
    let server_config = tokio_server::config(
        &format!("{PKI}/server-rsa.chain.pem"),
        &format!("{PKI}/server-rsa.key.pem"),
    )
    .expect("server config");
    // Two connections, served concurrently by tasks of the same single-threaded runtime.
    let server = tokio::spawn(tokio_server::serve(listener, server_config, Some(2)));
    let client_config =
        tokio_client::config(&[format!("{PKI}/ca-rsa.crt.pem")]).expect("client config");
    let (a, b) = tokio::join!(
        tokio_client::fetch(&addr, "testserver.tls12.test", client_config.clone(), "/a"),
        tokio_client::fetch(&addr, "testserver.tls12.test", client_config, "/b"),
    );
    server.await.expect("server task").expect("server ran");
    for ((summary, response), path) in [(a.expect("fetch /a"), "/a"), (b.expect("fetch /b"), "/b")]
    {
        assert_eq!(
            summary.suite,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        );
        let text = String::from_utf8(response).expect("a text response");
        assert!(text.starts_with("HTTP/1.0 200 OK\r\n"), "{text}");
        assert!(
            text.ends_with(&format!(
                "Hello from tls12 on tokio: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 for GET {path} HTTP/1.0\n"
            )),
            "{text}"
        );
    }
}

/// A client still sending an oversized ClientHello when `tokio_server.rs` refuses it gets the
/// illegal_parameter alert and then a clean end of stream, not a TCP reset: the server reads
/// and drops the pending input before closing.
#[tokio::test(flavor = "current_thread")]
async fn tokio_server_alert_for_an_oversized_client_hello_reaches_the_client() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound");
    let server_config = tokio_server::config(
        &format!("{PKI}/server-rsa.chain.pem"),
        &format!("{PKI}/server-rsa.key.pem"),
    )
    .expect("server config");
    let server = tokio::spawn(tokio_server::serve(listener, server_config, Some(1)));
    let mut sock = tokio::net::TcpStream::connect(addr).await.expect("connect");
    // A ClientHello header one byte over the limit, then 200 KB of its "body" in records.
    let over = (tls12::internal::record::MAX_CLIENT_HELLO as u32 + 1).to_be_bytes();
    let mut body = vec![1, over[1], over[2], over[3]];
    body.resize(200_000, 0);
    let mut bytes = Vec::new();
    for chunk in body.chunks(16384) {
        bytes.extend_from_slice(&[22, 3, 3]);
        bytes.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        bytes.extend_from_slice(chunk);
    }
    let (mut rd, mut wr) = sock.split();
    let write = async {
        wr.write_all(&bytes)
            .await
            .expect("the server reads everything");
        wr.shutdown().await.expect("shutdown");
    };
    let read = async {
        let mut got = Vec::new();
        let end = rd.read_to_end(&mut got).await;
        (got, end.is_ok())
    };
    let ((), (got, clean)) = tokio::join!(write, read);
    assert_eq!(
        got,
        [21, 3, 3, 0, 2, 2, 47],
        "the fatal illegal_parameter alert"
    );
    assert!(clean, "the server closed with a reset");
    server.await.expect("server task").expect("server ran");
}
