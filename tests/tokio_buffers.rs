//! `tls12::tokio`, how the stream buffers: a stream that waits for the peer holds no
//! record-sized buffer (neither the stream's outgoing buffer nor the connection's 18 KiB
//! receive buffer), after the handshake as after carrying data (a keep-alive request and
//! answer, a bulk transfer), and the first bytes after that wait all arrive;
//! records are decrypted into the reader's buffer, and data that came before a bad record
//! is read before the error.

mod common;

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use common::counting_alloc::{Counting, live};
use tls12::tokio::{ClientTlsStream, ServerTlsStream, TlsAcceptor, TlsConnector};
use tls12::{ClientConnection, Output};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::{TcpListener, TcpStream};

/// Counts bytes held per thread; a current-thread test runtime runs on the test's thread.
#[global_allocator]
static GLOBAL: Counting = Counting;

/// One record's receive buffer is 18 KiB; an idle stream held that much and more before.
const RECORD_BUFFER: isize = 18 * 1024;

async fn tcp_pair(
    connector: &TlsConnector,
    acceptor: &TlsAcceptor,
) -> (ClientTlsStream<TcpStream>, ServerTlsStream<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound");
    let accept = async {
        let (sock, _) = listener.accept().await.expect("accept");
        acceptor.accept(sock).await.expect("server handshake")
    };
    let connect = async {
        let sock = TcpStream::connect(addr).await.expect("connect");
        connector
            .connect(common::server_name(), sock)
            .await
            .expect("client handshake")
    };
    tokio::join!(connect, accept)
}

/// Polls `fut` once: `Some` if it completed.
async fn poll_once<F: Future>(fut: F) -> Option<F::Output> {
    let mut fut = pin!(fut);
    match poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await {
        Poll::Ready(t) => Some(t),
        Poll::Pending => None,
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn streams_waiting_for_the_peer_after_the_handshake_hold_no_record_buffer() {
    let connector = TlsConnector::from(Arc::new(common::client_config()));
    let acceptor = TlsAcceptor::from(Arc::new(common::server_config(&["server-rsa"])));
    // A first pair, so that what is allocated once per process is not counted.
    drop(tcp_pair(&connector, &acceptor).await);

    let before = live();
    let (mut client, mut server) = tcp_pair(&connector, &acceptor).await;
    both_wait(&mut client, &mut server).await;
    let held = live() - before;
    // Two connections' keys, the summaries (the client's with the server's chain) and two
    // sockets' registrations with tokio: well under one receive buffer for both.
    assert!(
        held < RECORD_BUFFER,
        "two idle streams hold {held} bytes (one receive buffer is {RECORD_BUFFER})"
    );

    // The first bytes after the wait, more than one read's worth and several records, all
    // arrive in order, both ways.
    let data = pattern(100 * 1024);
    let (wrote, got) = tokio::join!(
        async {
            client.write_all(&data).await.expect("client write");
            client.flush().await.expect("client flush");
        },
        async {
            let mut got = vec![0u8; data.len()];
            server.read_exact(&mut got).await.expect("server read");
            got
        }
    );
    let () = wrote;
    assert!(got == data, "the server read what the client wrote");
    let ((), back) = tokio::join!(
        async {
            server.write_all(&data).await.expect("server write");
            server.shutdown().await.expect("server close");
        },
        async {
            let mut back = Vec::new();
            client
                .read_to_end(&mut back)
                .await
                .expect("client read to close_notify");
            back
        }
    );
    assert!(back == data, "the client read what the server wrote");
}

/// Polls a read on each stream once: both must wait (nothing was sent).
async fn both_wait(
    client: &mut ClientTlsStream<TcpStream>,
    server: &mut ServerTlsStream<TcpStream>,
) {
    let (mut c_buf, mut s_buf) = ([0u8; 64], [0u8; 64]);
    assert!(
        poll_once(client.read(&mut c_buf)).await.is_none(),
        "client read waits"
    );
    assert!(
        poll_once(server.read(&mut s_buf)).await.is_none(),
        "server read waits"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn streams_waiting_after_carrying_data_hold_no_record_buffer() {
    let connector = TlsConnector::from(Arc::new(common::client_config()));
    let acceptor = TlsAcceptor::from(Arc::new(common::server_config(&["server-rsa"])));
    drop(tcp_pair(&connector, &acceptor).await);

    let before = live();
    let (mut client, mut server) = tcp_pair(&connector, &acceptor).await;
    both_wait(&mut client, &mut server).await;
    let idle = live() - before;

    // A keep-alive exchange: a request, its answer, then both wait for more. Each side
    // read a record and wrote one: its receive buffer and outgoing buffer were allocated.
    {
        let (request, answer) = ([0x71; 100], [0x61; 1000]);
        client.write_all(&request).await.expect("client write");
        let mut got = [0u8; 100];
        server.read_exact(&mut got).await.expect("server read");
        assert_eq!(got, request, "the server read the request");
        server.write_all(&answer).await.expect("server write");
        let mut got = [0u8; 1000];
        client.read_exact(&mut got).await.expect("client read");
        assert_eq!(got, answer, "the client read the answer");
    }
    both_wait(&mut client, &mut server).await;
    let after_request = live() - before;
    // Nothing record-sized is held (that was 2 x 18 KiB of receive buffers and the
    // outgoing buffers): what is left is what the idle streams held, give or take a
    // little of tokio's bookkeeping.
    assert!(
        after_request < idle + 1024,
        "after a request and its answer, two waiting streams hold {after_request} bytes \
         (idle, {idle})"
    );

    // The same after a bulk transfer both ways (several records per read, the receive
    // buffer read into directly).
    {
        let data = pattern(256 * 1024);
        let ((), got) = tokio::join!(
            async { client.write_all(&data).await.expect("client write") },
            async {
                let mut got = vec![0u8; data.len()];
                server.read_exact(&mut got).await.expect("server read");
                got
            }
        );
        assert!(got == data, "the server read the bulk data");
        let ((), got) = tokio::join!(
            async { server.write_all(&data).await.expect("server write") },
            async {
                let mut got = vec![0u8; data.len()];
                client.read_exact(&mut got).await.expect("client read");
                got
            }
        );
        assert!(got == data, "the client read the bulk data");
    }
    both_wait(&mut client, &mut server).await;
    let after_bulk = live() - before;
    assert!(
        after_bulk < idle + 1024,
        "after a bulk transfer, two waiting streams hold {after_bulk} bytes (idle, {idle})"
    );
}

/// Writes everything `conn` has to send to `io`; the records go to `sent` too.
async fn flush_raw(conn: &mut ClientConnection, io: &mut DuplexStream, sent: &mut Vec<u8>) {
    let mut out = vec![0u8; 32 * 1024];
    loop {
        match conn.poll_output(&mut out).expect("client poll") {
            Output::Transmit(bytes) => {
                io.write_all(bytes).await.expect("client write");
                sent.extend_from_slice(bytes);
            }
            Output::Idle => return,
            _ => {}
        }
    }
}

/// A client handshake driven by hand over `io` (so that the test has the client's raw
/// records afterwards).
async fn raw_client(io: &mut DuplexStream) -> ClientConnection {
    let config = Arc::new(common::client_config());
    let mut conn = ClientConnection::new(config, common::server_name()).expect("client");
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        flush_raw(&mut conn, io, &mut Vec::new()).await;
        if !conn.is_handshaking() {
            return conn;
        }
        let n = io.read(&mut buf).await.expect("client read");
        assert!(n > 0, "the server closed during the handshake");
        let mut input = &buf[..n];
        while !input.is_empty() {
            let taken = conn.handle_input(input).expect("client input");
            input = &input[taken..];
            flush_raw(&mut conn, io, &mut Vec::new()).await;
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn data_before_a_bad_record_is_read_before_the_error() {
    let (mut c, s) = tokio::io::duplex(64 * 1024);
    let acceptor = TlsAcceptor::from(Arc::new(common::server_config(&["server-rsa"])));
    let (mut client, server) = tokio::join!(raw_client(&mut c), acceptor.accept(s));
    let mut server = server.expect("server handshake");

    // Two records, the second one's tag broken; both reach the server in one piece.
    let (mut first, mut second) = (Vec::new(), Vec::new());
    client.write(b"hello").expect("client write");
    let mut out = vec![0u8; 1024];
    while let Output::Transmit(b) = client.poll_output(&mut out).expect("poll") {
        first.extend_from_slice(b);
    }
    client.write(b"world").expect("client write");
    while let Output::Transmit(b) = client.poll_output(&mut out).expect("poll") {
        second.extend_from_slice(b);
    }
    let last = second.len() - 1;
    second[last] ^= 1;
    c.write_all(&[first, second].concat()).await.expect("write");

    let mut buf = [0u8; 64];
    let n = server
        .read(&mut buf)
        .await
        .expect("the data before the bad record");
    assert_eq!(&buf[..n], b"hello");
    let e = server.read(&mut buf).await.expect_err("the bad record");
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    let tls = e.get_ref().and_then(|e| e.downcast_ref::<tls12::Error>());
    assert!(tls.is_some(), "the source is the TLS error: {e:?}");
}
