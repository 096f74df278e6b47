//! `examples/tokio_client.rs` against `examples/tokio_server.rs` on loopback, in one tokio
//! runtime, so the async examples cannot rot. The example files are compiled in as modules;
//! their `main`s are unused here, and each brings its own copy of `common/tokio_drive.rs`.
#![allow(dead_code, clippy::duplicate_mod)]

#[path = "../examples/tokio_client.rs"]
mod tokio_client;
#[path = "../examples/tokio_server.rs"]
mod tokio_server;

use tls12::codec::enums::CipherSuite;
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
