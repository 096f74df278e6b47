//! `tls12::tokio`: `TlsConnector` and `TlsAcceptor` over an in-memory `tokio::io::duplex`
//! pair and over loopback TCP. Bulk data both ways, tiny reads, close_notify as EOF,
//! truncation as `UnexpectedEof`, reads and writes dropped at an await without losing a
//! byte, bounded buffering, and handshake failures as `io::Error`s carrying the TLS error.

mod common;

use std::future::{Future, poll_fn};
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use tls12::enums::AlertDescription;
use tls12::pki_types::ServerName;
use tls12::tokio::{ClientTlsStream, ServerTlsStream, TlsAcceptor, TlsConnector};
use tls12::{CertificateError, Error};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::net::{TcpListener, TcpStream};

const MIB: usize = 1024 * 1024;

/// `len` bytes that differ from one position to the next, so that a lost, repeated or
/// reordered chunk shows.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

fn connector() -> TlsConnector {
    TlsConnector::from(Arc::new(common::client_config()))
}

fn acceptor() -> TlsAcceptor {
    TlsAcceptor::from(Arc::new(common::server_config(&["server-rsa"])))
}

/// Both handshakes over an in-memory pipe of `capacity` bytes each way.
async fn duplex_pair(
    capacity: usize,
) -> (ClientTlsStream<DuplexStream>, ServerTlsStream<DuplexStream>) {
    let (c, s) = tokio::io::duplex(capacity);
    let (client, server) = tokio::join!(
        connector().connect(common::server_name(), c),
        acceptor().accept(s)
    );
    (
        client.expect("client handshake"),
        server.expect("server handshake"),
    )
}

/// Both handshakes over loopback TCP.
async fn tcp_pair() -> (ClientTlsStream<TcpStream>, ServerTlsStream<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let accept = async {
        let (sock, _) = listener.accept().await.expect("accept");
        acceptor().accept(sock).await.expect("server handshake")
    };
    let connect = async {
        let sock = TcpStream::connect(addr).await.expect("connect");
        connector()
            .connect(common::server_name(), sock)
            .await
            .expect("client handshake")
    };
    tokio::join!(connect, accept)
}

/// Sends `a_to_b` from `a` and `b_to_a` from `b` at the same time, each side reading while
/// it writes, then closes both; returns what each side read (up to the other's
/// close_notify).
async fn exchange<A, B>(a: A, b: B, a_to_b: &[u8], b_to_a: &[u8]) -> (Vec<u8>, Vec<u8>)
where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    let (mut ar, mut aw) = tokio::io::split(a);
    let (mut br, mut bw) = tokio::io::split(b);
    let a_writes = async {
        aw.write_all(a_to_b).await.expect("a writes");
        aw.shutdown().await.expect("a shuts down");
    };
    let b_writes = async {
        bw.write_all(b_to_a).await.expect("b writes");
        bw.shutdown().await.expect("b shuts down");
    };
    let a_reads = async {
        let mut got = Vec::new();
        ar.read_to_end(&mut got).await.expect("a reads to EOF");
        got
    };
    let b_reads = async {
        let mut got = Vec::new();
        br.read_to_end(&mut got).await.expect("b reads to EOF");
        got
    };
    let ((), (), a_got, b_got) = tokio::join!(a_writes, b_writes, a_reads, b_reads);
    (a_got, b_got)
}

#[tokio::test(flavor = "current_thread")]
async fn duplex_one_mib_each_way_at_once() {
    let (client, server) = duplex_pair(8 * 1024).await;
    let up = pattern(MIB, 1);
    let down = pattern(MIB, 2);
    let (client_got, server_got) = exchange(client, server, &up, &down).await;
    assert!(client_got == down, "client read {} bytes", client_got.len());
    assert!(server_got == up, "server read {} bytes", server_got.len());
}

#[tokio::test(flavor = "current_thread")]
async fn tcp_loopback_one_mib_each_way_at_once() {
    let (client, server) = tcp_pair().await;
    let up = pattern(MIB, 3);
    let down = pattern(MIB, 4);
    let (client_got, server_got) = exchange(client, server, &up, &down).await;
    assert!(client_got == down, "client read {} bytes", client_got.len());
    assert!(server_got == up, "server read {} bytes", server_got.len());
}

#[tokio::test(flavor = "current_thread")]
async fn tcp_loopback_on_a_multi_threaded_runtime_with_spawned_tasks() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let got = tokio::task::spawn_blocking(move || {
        rt.block_on(async {
            let (mut client, mut server) = tcp_pair().await;
            let data = pattern(MIB, 5);
            let expected = data.clone();
            let writer = tokio::spawn(async move {
                client.write_all(&data).await.expect("client writes");
                client.shutdown().await.expect("client shuts down");
            });
            let reader = tokio::spawn(async move {
                let mut got = Vec::new();
                server.read_to_end(&mut got).await.expect("server reads");
                got
            });
            writer.await.expect("writer task");
            let got = reader.await.expect("reader task");
            assert!(got == expected, "server read {} bytes", got.len());
        })
    });
    got.await.expect("runtime thread");
}

#[tokio::test(flavor = "current_thread")]
async fn tiny_reads_get_every_byte_in_order() {
    let (mut client, mut server) = duplex_pair(4096).await;
    let data = pattern(100_000, 6);
    let write = async {
        client.write_all(&data).await.expect("client writes");
        client.shutdown().await.expect("client shuts down");
    };
    let read = async {
        let mut got = Vec::new();
        let mut buf = [0u8; 3];
        loop {
            let n = server.read(&mut buf).await.expect("server reads");
            if n == 0 {
                return got;
            }
            got.extend_from_slice(&buf[..n]);
        }
    };
    let ((), got) = tokio::join!(write, read);
    assert!(got == data, "server read {} bytes", got.len());
}

#[tokio::test(flavor = "current_thread")]
async fn shutdown_reads_as_eof_and_the_other_half_still_works() {
    let (mut client, mut server) = duplex_pair(4096).await;
    client.write_all(b"request").await.expect("client writes");
    client.shutdown().await.expect("client shuts down");
    let mut got = Vec::new();
    server
        .read_to_end(&mut got)
        .await
        .expect("close_notify is a clean EOF");
    assert_eq!(got, b"request");
    // EOF stays EOF.
    assert_eq!(server.read(&mut [0u8; 16]).await.expect("EOF again"), 0);
    // Half closed: the server still answers and the client still reads.
    server.write_all(b"response").await.expect("server writes");
    server.shutdown().await.expect("server shuts down");
    let mut got = Vec::new();
    client
        .read_to_end(&mut got)
        .await
        .expect("the client reads after its own close");
    assert_eq!(got, b"response");
    // Writing after our own close_notify is refused.
    let e = client
        .write(b"more")
        .await
        .expect_err("write after shutdown");
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
}

/// The TLS error inside an `io::Error`.
fn tls_error(e: &io::Error) -> &Error {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<Error>())
        .unwrap_or_else(|| panic!("no tls12::Error inside {e:?}"))
}

#[tokio::test(flavor = "current_thread")]
async fn transport_eof_without_close_notify_is_unexpected_eof() {
    let (mut client, mut server) = duplex_pair(4096).await;
    client.write_all(b"partial").await.expect("client writes");
    client.flush().await.expect("client flushes");
    // The transport closes under the TLS stream: no close_notify.
    let (mut io, _conn) = client.into_inner();
    io.shutdown().await.expect("raw shutdown");
    let mut buf = [0u8; 64];
    let n = server
        .read(&mut buf)
        .await
        .expect("the data before the cut");
    assert_eq!(&buf[..n], b"partial");
    let e = server.read(&mut buf).await.expect_err("truncation");
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    assert_eq!(tls_error(&e), &Error::UnexpectedEof);
    // And the same again: errors are sticky.
    let e = server.read(&mut buf).await.expect_err("still truncated");
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
}

/// Polls `fut` once and drops it: a cancelled await. `Some` if it was ready.
async fn poll_once<F: Future>(fut: F) -> Option<F::Output> {
    let mut fut = pin!(fut);
    match poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await {
        Poll::Ready(t) => Some(t),
        Poll::Pending => None,
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_read_that_timed_out_loses_nothing() {
    let (mut client, mut server) = duplex_pair(4096).await;
    let mut buf = [0u8; 1024];
    // Nothing sent yet: the read times out and its future is dropped.
    tokio::time::timeout(Duration::from_millis(20), server.read(&mut buf))
        .await
        .expect_err("no data yet");
    let data = pattern(300_000, 7);
    let write = async {
        client.write_all(&data).await.expect("client writes");
        client.shutdown().await.expect("client shuts down");
    };
    // Every read is polled once and dropped, ready or not: a cancelled read takes nothing.
    let read = async {
        let mut got = Vec::new();
        let mut cancelled = 0;
        loop {
            match poll_once(server.read(&mut buf)).await {
                Some(Ok(0)) => return (got, cancelled),
                Some(Ok(n)) => got.extend_from_slice(&buf[..n]),
                Some(Err(e)) => panic!("server read: {e}"),
                None => {
                    cancelled += 1;
                    tokio::task::yield_now().await;
                }
            }
        }
    };
    let ((), (got, cancelled)) = tokio::join!(write, read);
    assert!(cancelled > 0, "no read was ever pending");
    assert!(got == data, "server read {} bytes", got.len());
}

#[tokio::test(flavor = "current_thread")]
async fn a_write_raced_against_a_sleep_loses_nothing() {
    // A small pipe and a slow reader: most writes are pending when the sleep wins.
    let (mut client, mut server) = duplex_pair(1024).await;
    let data = pattern(200_000, 8);
    let write = async {
        let mut at = 0;
        let mut cancelled = 0;
        while at < data.len() {
            tokio::select! {
                r = client.write(&data[at..]) => at += r.expect("client writes"),
                () = tokio::time::sleep(Duration::from_micros(200)) => cancelled += 1,
            }
        }
        client.shutdown().await.expect("client shuts down");
        cancelled
    };
    let read = async {
        let mut got = Vec::new();
        let mut buf = [0u8; 700];
        loop {
            let n = server.read(&mut buf).await.expect("server reads");
            if n == 0 {
                return got;
            }
            got.extend_from_slice(&buf[..n]);
            if got.len() % 7 == 0 {
                tokio::time::sleep(Duration::from_micros(100)).await;
            }
        }
    };
    let (cancelled, got) = tokio::join!(write, read);
    assert!(got == data, "server read {} bytes", got.len());
    eprintln!("{cancelled} writes lost the race against the sleep");
}

#[tokio::test(flavor = "current_thread")]
async fn a_write_polled_once_and_dropped_loses_nothing() {
    let (mut client, mut server) = duplex_pair(2048).await;
    let data = pattern(200_000, 9);
    let write = async {
        let mut at = 0;
        while at < data.len() {
            match poll_once(client.write(&data[at..])).await {
                Some(r) => at += r.expect("client writes"),
                None => tokio::task::yield_now().await,
            }
        }
        client.shutdown().await.expect("client shuts down");
    };
    let read = async {
        let mut got = Vec::new();
        server.read_to_end(&mut got).await.expect("server reads");
        got
    };
    let ((), got) = tokio::join!(write, read);
    assert!(got == data, "server read {} bytes", got.len());
}

#[tokio::test(flavor = "current_thread")]
async fn writes_wait_for_the_transport_once_64_kib_are_pending() {
    let (mut client, _server) = duplex_pair(1024).await;
    let data = pattern(MIB, 10);
    let mut taken = 0;
    // Nobody reads: the writes must stop being taken after a bounded amount.
    while let Some(r) = poll_once(client.write(&data[taken..])).await {
        taken += r.expect("client writes");
        assert!(taken < MIB, "a MiB taken with nobody reading");
    }
    assert!(
        taken <= 2 * 64 * 1024 + 1024,
        "{taken} bytes taken with nobody reading"
    );
    assert!(taken > 0);
}

#[tokio::test(flavor = "current_thread")]
async fn the_handshake_summary_and_alpn_are_reachable_from_the_stream() {
    let mut client_config = common::client_config();
    client_config.common.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let mut server_config = common::server_config(&["server-p256"]);
    server_config.common.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let (c, s) = tokio::io::duplex(4096);
    let (client, server) = tokio::join!(
        TlsConnector::from(Arc::new(client_config)).connect(common::server_name(), c),
        TlsAcceptor::from(Arc::new(server_config)).accept(s),
    );
    let (client, server) = (client.expect("client"), server.expect("server"));
    // The server picks by its own preference.
    assert_eq!(client.alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(server.alpn_protocol(), Some(&b"http/1.1"[..]));
    let summary = client.handshake_summary().expect("a summary");
    assert_eq!(summary.peer_certificates[0], common::cert("server-p256"));
    let (_io, conn) = server.get_ref();
    assert!(!conn.is_handshaking());
    assert_eq!(
        server.handshake_summary().expect("a summary").server_name,
        Some("testserver.tls12.test".into())
    );
}

#[tokio::test(flavor = "current_thread")]
async fn data_that_arrives_with_the_last_flight_is_kept_by_the_handshake() {
    // A sans-IO client with False Start and its request written before the handshake: the
    // request and close_notify follow its Finished in one flight, so they reach the server
    // in the reads that end its handshake.
    let mut client_config = common::client_config();
    client_config.false_start = true;
    let mut conn = tls12::ClientConnection::new(Arc::new(client_config), common::server_name())
        .expect("client");
    assert_eq!(conn.write(b"hello").expect("queued"), 5);
    conn.close().expect("close after the request");
    let (mut c, s) = tokio::io::duplex(64 * 1024);
    let client = async move {
        let mut out = vec![0u8; 32 * 1024];
        let mut input = vec![0u8; 32 * 1024];
        loop {
            loop {
                match conn.poll_output(&mut out).expect("client output") {
                    tls12::Output::Transmit(bytes) => c.write_all(bytes).await.expect("send"),
                    tls12::Output::Idle => break,
                    _ => {}
                }
            }
            let n = c.read(&mut input).await.expect("receive");
            if n == 0 || conn.peer_closed() {
                return;
            }
            // The server's flights are a few KiB: each read fits the receive buffer.
            assert_eq!(conn.handle_input(&input[..n]).expect("client input"), n);
        }
    };
    let server = async {
        let mut tls = acceptor().accept(s).await.expect("server");
        let mut got = Vec::new();
        tls.read_to_end(&mut got).await.expect("read");
        tls.shutdown().await.expect("shutdown");
        got
    };
    let ((), got) = tokio::join!(client, server);
    assert_eq!(got, b"hello");
}

#[tokio::test(flavor = "current_thread")]
async fn a_certificate_for_another_name_fails_both_handshakes_with_tls_errors() {
    let (c, s) = tokio::io::duplex(4096);
    let name = ServerName::try_from("other.tls12.test").expect("a DNS name");
    let (client, server) = tokio::join!(
        connector().connect(name, c),
        acceptor().accept(s).into_fallible(),
    );
    let e = client.expect_err("the name does not match");
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert_eq!(
        tls_error(&e),
        &Error::Certificate(CertificateError::NotValidForName)
    );
    // The client's alert reached the server, and the server gets its transport back.
    let Err((e, mut io)) = server else {
        panic!("the server handshake completed");
    };
    assert_eq!(
        tls_error(&e),
        &Error::AlertReceived(AlertDescription::BAD_CERTIFICATE)
    );
    let mut rest = Vec::new();
    io.read_to_end(&mut rest)
        .await
        .expect("the client's transport is closed");
    assert!(rest.is_empty(), "nothing after the alert: {rest:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_peer_that_is_not_tls_fails_the_handshake() {
    let (c, mut s) = tokio::io::duplex(4096);
    let peer = async {
        let mut hello = [0u8; 5];
        s.read_exact(&mut hello).await.expect("a record header");
        s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            .await
            .expect("write");
        s
    };
    let (client, _s) = tokio::join!(connector().connect(common::server_name(), c), peer);
    let e = client.expect_err("not TLS");
    assert!(
        matches!(tls_error(&e), Error::Decode(_)),
        "{:?}",
        tls_error(&e)
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_transport_closed_during_the_handshake_is_unexpected_eof() {
    let (c, s) = tokio::io::duplex(4096);
    drop(s);
    let e = connector()
        .connect(common::server_name(), c)
        .await
        .expect_err("no server");
    // The ClientHello write fails on a closed pipe, or the read sees end of stream.
    assert!(
        matches!(
            e.kind(),
            io::ErrorKind::UnexpectedEof | io::ErrorKind::BrokenPipe
        ),
        "{e:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_configuration_the_connection_refuses_is_an_error_at_connect() {
    let mut config = common::client_config();
    config.common.suites.clear();
    let (c, _s) = tokio::io::duplex(4096);
    let e = TlsConnector::from(Arc::new(config))
        .connect(common::server_name(), c)
        .await
        .expect_err("no suites");
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    assert!(matches!(tls_error(&e), Error::Config(_)));
}
