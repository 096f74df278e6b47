//! `tls12::tokio`: a stream whose handshake is over and that waits for the peer holds no
//! record-sized buffer (neither the stream's outgoing buffer nor the connection's 18 KiB
//! receive buffer), and the first bytes after that wait all arrive.

mod common;

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use common::counting_alloc::{Counting, live};
use tls12::tokio::{ClientTlsStream, ServerTlsStream, TlsAcceptor, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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
    let (mut c_buf, mut s_buf) = ([0u8; 64], [0u8; 64]);
    assert!(
        poll_once(client.read(&mut c_buf)).await.is_none(),
        "client read waits"
    );
    assert!(
        poll_once(server.read(&mut s_buf)).await.is_none(),
        "server read waits"
    );
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
