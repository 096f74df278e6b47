//! `Stream` and `StreamOwned`: the blocking `Read + Write` adapters, over real loopback TCP.
//!
//! Our client against our server (each on its own thread), then our client against
//! `openssl s_server` and `openssl s_client` against our server. Tests that need
//! `openssl` skip loudly without it, and fail under `CI`.

#[path = "common/openssl.rs"]
mod openssl;

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use openssl::Proc;
use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::pki_types::pem::PemObject;
use tls12::pki_types::{CertificateDer, ServerName};
use tls12::verify::{RootStore, WebPkiServerVerifier};
use tls12::{
    CertificateError, CertifiedKey, ClientConfig, ClientConnection, Error, ServerConfig,
    ServerConnection, Stream, StreamOwned,
};

const PKI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pki");
const NAME: &str = "testserver.tls12.test";
/// No single socket wait in these tests should take longer.
const TIMEOUT: Duration = Duration::from_secs(20);

fn pem_certs(name: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(format!("{PKI}/{name}"))
        .expect("test PKI present")
        .collect::<Result<_, _>>()
        .expect("PEM parses")
}

fn server_config() -> Arc<ServerConfig> {
    let key_pem = std::fs::read(format!("{PKI}/server-rsa.key.pem")).expect("test PKI present");
    let key = RingProvider
        .load_private_key_pem(&key_pem)
        .expect("key loads");
    let certified =
        CertifiedKey::new(pem_certs("server-rsa.chain.pem"), key).expect("key matches chain");
    Arc::new(ServerConfig::new(Arc::new(RingProvider), vec![certified]))
}

/// A client config trusting `ca` (a PEM file in the test PKI).
fn client_config(ca: &str) -> Arc<ClientConfig> {
    let mut roots = RootStore::new();
    for cert in pem_certs(ca) {
        roots.add(&cert).expect("usable root");
    }
    let sv = *RingProvider.signature_verification();
    let verifier = WebPkiServerVerifier::new(Arc::new(roots), sv);
    Arc::new(ClientConfig::new(
        Arc::new(RingProvider),
        Arc::new(verifier),
    ))
}

fn tcp(sock: &TcpStream) {
    sock.set_read_timeout(Some(TIMEOUT)).expect("timeout set");
    sock.set_write_timeout(Some(TIMEOUT)).expect("timeout set");
}

/// Runs `serve` on our server's `StreamOwned` for one accepted connection on a thread;
/// returns the port and the thread.
fn our_server<R: Send + 'static>(
    serve: impl FnOnce(&mut StreamOwned<ServerConnection, TcpStream>) -> R + Send + 'static,
) -> (u16, thread::JoinHandle<R>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("bound").port();
    let handle = thread::spawn(move || {
        let (sock, _) = listener.accept().expect("accept");
        tcp(&sock);
        let conn = ServerConnection::new(server_config()).expect("server connection");
        let mut tls = StreamOwned::new(conn, sock);
        serve(&mut tls)
    });
    (port, handle)
}

fn our_client(port: u16, ca: &str) -> StreamOwned<ClientConnection, TcpStream> {
    let sock = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp(&sock);
    let name = ServerName::try_from(NAME).expect("valid name");
    let conn = ClientConnection::new(client_config(ca), name).expect("client connection");
    StreamOwned::new(conn, sock)
}

/// `len` bytes of a pattern that shows where a byte went missing.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// The `tls12::Error` inside an IO error.
fn tls_error(e: &io::Error) -> Option<&Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Error>())
}

// ---------------------------------------------------------------------------------------
// Our client against our server.

#[test]
fn request_response_and_close_notify_reads_as_eof() {
    let (port, server) = our_server(|tls| {
        let summary = tls.complete_handshake().expect("handshake").clone();
        let mut request = [0u8; 5];
        tls.read_exact(&mut request).expect("request");
        assert_eq!(&request, b"ping?");
        tls.write_all(b"pong!").expect("response");
        tls.close().expect("close_notify");
        // The client's close_notify: end of stream.
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest).expect("clean end");
        assert!(rest.is_empty());
        summary
    });
    let mut tls = our_client(port, "ca-rsa.crt.pem");
    // The handshake runs on first use.
    tls.write_all(b"ping?").expect("request");
    tls.flush().expect("flush");
    assert!(!tls.conn().is_handshaking());
    let mut response = Vec::new();
    tls.read_to_end(&mut response)
        .expect("the server's close_notify reads as EOF");
    assert_eq!(response, b"pong!");
    assert!(tls.conn().peer_closed());
    // Reading again after the end: still the end.
    assert_eq!(tls.read(&mut [0u8; 10]).expect("still EOF"), 0);
    tls.close().expect("close_notify");
    let server_summary = server.join().expect("server thread");
    let ours = tls.complete_handshake().expect("done").clone();
    assert_eq!(ours.suite, server_summary.suite);
}

#[test]
fn one_mebibyte_each_way() {
    const LEN: usize = 1 << 20;
    let (port, server) = our_server(|tls| {
        // Echo until the client's close_notify, in chunks of any size.
        let mut buf = vec![0u8; 7000];
        let mut total = 0;
        loop {
            let n = tls.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            tls.write_all(&buf[..n]).expect("echo");
            total += n;
        }
        tls.close().expect("close_notify");
        total
    });
    let mut tls = our_client(port, "ca-rsa.crt.pem");
    tls.complete_handshake().expect("handshake");
    // Writes and reads alternate so that neither side's socket buffer fills up for good.
    let data = pattern(LEN);
    let mut received = Vec::with_capacity(LEN);
    let mut sent = 0;
    while sent < LEN {
        let n = tls.write(&data[sent..]).expect("write");
        assert!(n > 0);
        sent += n;
        // Read back what the server has echoed so far (at least a little of it).
        while received.len() + 64 * 1024 < sent {
            let mut buf = [0u8; 16 * 1024];
            let n = tls.read(&mut buf).expect("read");
            assert_ne!(n, 0, "early EOF");
            received.extend_from_slice(&buf[..n]);
        }
    }
    tls.close().expect("close_notify");
    tls.read_to_end(&mut received).expect("the rest, then EOF");
    assert_eq!(received.len(), LEN);
    assert!(received == data, "the echo differs");
    assert_eq!(server.join().expect("server thread"), LEN);
}

#[test]
fn large_writes_and_one_byte_reads() {
    const LEN: usize = 1 << 20;
    let (port, server) = our_server(|tls| {
        // The server sends 1 MiB in one write_all, then reads the client's 1 MiB a byte at a
        // time.
        tls.write_all(&pattern(LEN)).expect("send 1 MiB");
        tls.flush().expect("flush");
        let mut got = Vec::with_capacity(LEN);
        let mut byte = [0u8; 1];
        loop {
            match tls.read(&mut byte).expect("read") {
                0 => break,
                n => got.extend_from_slice(&byte[..n]),
            }
        }
        tls.close().expect("close_notify");
        got
    });
    let mut tls = our_client(port, "ca-rsa.crt.pem");
    let mut got = Vec::with_capacity(LEN);
    let mut byte = [0u8; 1];
    while got.len() < LEN {
        let n = tls.read(&mut byte).expect("read");
        assert_eq!(n, 1);
        got.push(byte[0]);
        // Whatever did not fit the 1-byte buffer is kept for the next read.
        if got.len() == 1 {
            assert!(tls.buffered() > 0);
        }
    }
    assert!(got == pattern(LEN), "received bytes differ");
    tls.write_all(&pattern(LEN)).expect("send 1 MiB");
    tls.close().expect("close_notify");
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest).expect("clean end");
    assert!(rest.is_empty());
    let server_got = server.join().expect("server thread");
    assert!(
        server_got == pattern(LEN),
        "the server received different bytes"
    );
}

#[test]
fn transport_end_without_close_notify_is_unexpected_eof() {
    let (port, server) = our_server(|tls| {
        tls.write_all(b"partial").expect("write");
        tls.flush().expect("flush");
        // Then the socket goes away without close_notify.
        tls.get_mut().shutdown(Shutdown::Both).expect("shutdown");
    });
    let mut tls = our_client(port, "ca-rsa.crt.pem");
    let mut got = [0u8; 7];
    tls.read_exact(&mut got)
        .expect("the data before the truncation");
    assert_eq!(&got, b"partial");
    let e = tls.read(&mut [0u8; 16]).expect_err("truncation");
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{e}");
    assert_eq!(tls_error(&e), Some(&Error::UnexpectedEof));
    // Sticky: the connection has failed.
    let again = tls.read(&mut [0u8; 16]).expect_err("still failed");
    assert_eq!(tls_error(&again), Some(&Error::UnexpectedEof));
    server.join().expect("server thread");
}

#[test]
fn untrusted_server_is_an_io_error_with_the_tls_error_inside() {
    let (port, server) = our_server(|tls| {
        let e = tls.complete_handshake().expect_err("the client refuses us");
        tls_error(&e).cloned()
    });
    // The server's chain is RSA; the client trusts only the ECDSA root.
    let mut tls = our_client(port, "ca-ecdsa.crt.pem");
    let e = tls.write_all(b"hello").expect_err("certificate rejected");
    assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
    assert_eq!(
        tls_error(&e),
        Some(&Error::Certificate(CertificateError::UnknownIssuer)),
        "{e}"
    );
    // The source is the TLS error itself, for `downcast`.
    let inner = e.into_inner().expect("has a source");
    let tls_err = inner.downcast::<Error>().expect("a tls12::Error");
    assert_eq!(
        *tls_err,
        Error::Certificate(CertificateError::UnknownIssuer)
    );
    // The server got our alert.
    let server_saw = server.join().expect("server thread");
    assert!(
        matches!(server_saw, Some(Error::AlertReceived(_))),
        "{server_saw:?}"
    );
}

#[test]
fn borrowed_stream_over_client_connection() {
    let (port, server) = our_server(|tls| {
        let mut line = [0u8; 4];
        tls.read_exact(&mut line).expect("request");
        tls.write_all(&line).expect("echo");
        tls.close().expect("close");
    });
    let mut sock = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp(&sock);
    let name = ServerName::try_from(NAME).expect("valid name");
    let mut conn =
        ClientConnection::new(client_config("ca-rsa.crt.pem"), name).expect("client connection");
    // `&mut ClientConnection` coerces to `&mut Connection`.
    let mut tls = Stream::new(&mut conn, &mut sock);
    let summary = tls.complete_handshake().expect("handshake").clone();
    tls.write_all(b"abcd").expect("write");
    let mut back = Vec::new();
    tls.read_to_end(&mut back).expect("echo then EOF");
    assert_eq!(back, b"abcd");
    assert_eq!(conn.handshake_summary(), Some(&summary));
    server.join().expect("server thread");
}

/// A transport that says `WouldBlock` and `Interrupted` now and then.
struct Flaky<T> {
    inner: T,
    calls: usize,
}

impl<T> Flaky<T> {
    fn hiccup(&mut self) -> Option<io::Error> {
        self.calls += 1;
        match self.calls % 3 {
            0 => Some(io::ErrorKind::WouldBlock.into()),
            1 => Some(io::ErrorKind::Interrupted.into()),
            _ => None,
        }
    }
}

impl<T: Read> Read for Flaky<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.hiccup() {
            return Err(e);
        }
        self.inner.read(buf)
    }
}

impl<T: Write> Write for Flaky<T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some(e) = self.hiccup() {
            return Err(e);
        }
        // A short write now and then, too.
        let n = data.len().min(1000);
        self.inner.write(&data[..n])
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Retries `f` while it says `WouldBlock`, the way an event loop would once the transport
/// is ready again.
fn retry<R>(mut f: impl FnMut() -> io::Result<R>) -> R {
    for _ in 0..1_000_000 {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            r => return r.expect("no error but WouldBlock"),
        }
    }
    panic!("WouldBlock forever");
}

#[test]
fn would_block_and_interrupted_lose_nothing() {
    const LEN: usize = 200 * 1024;
    let (port, server) = our_server(|tls| {
        let mut got = vec![0u8; LEN];
        tls.read_exact(&mut got).expect("client's data");
        tls.write_all(&got).expect("echo");
        tls.close().expect("close");
        got
    });
    let sock = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp(&sock);
    let name = ServerName::try_from(NAME).expect("valid name");
    let conn =
        ClientConnection::new(client_config("ca-rsa.crt.pem"), name).expect("client connection");
    let mut tls = StreamOwned::new(
        conn,
        Flaky {
            inner: sock,
            calls: 0,
        },
    );
    retry(|| tls.complete_handshake().map(|_| ()));
    let data = pattern(LEN);
    let mut sent = 0;
    while sent < LEN {
        sent += retry(|| tls.write(&data[sent..]));
    }
    retry(|| tls.flush());
    let mut back = Vec::new();
    let mut buf = [0u8; 3000];
    loop {
        match retry(|| tls.read(&mut buf)) {
            0 => break,
            n => back.extend_from_slice(&buf[..n]),
        }
    }
    assert!(back == data, "echo differs ({} bytes)", back.len());
    assert!(server.join().expect("server thread") == data);
}

// ---------------------------------------------------------------------------------------
// Against OpenSSL.

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn client_stream_against_s_server_www() {
    require_openssl!();
    let (server, port) = openssl::s_server(&[
        "-www",
        "-cert",
        "server-rsa.crt.pem",
        "-key",
        "server-rsa.key.pem",
    ]);
    let mut sock = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp(&sock);
    let name = ServerName::try_from(NAME).expect("valid name");
    let mut conn =
        ClientConnection::new(client_config("ca-rsa.crt.pem"), name).expect("client connection");
    let mut tls = Stream::new(&mut conn, &mut sock);
    tls.write_all(b"GET / HTTP/1.0\r\n\r\n").expect("request");
    let mut response = Vec::new();
    // s_server -www closes with close_notify after its page: a clean end.
    tls.read_to_end(&mut response)
        .unwrap_or_else(|e| panic!("{e}\n--- s_server:\n{}", server.output()));
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.0 200"), "{text}");
    assert!(text.contains("TLSv1.2"), "{text}");
    assert!(conn.peer_closed());
}

#[test]
fn s_client_against_server_stream() {
    require_openssl!();
    let (port, server) = our_server(|tls| {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\n") {
            match tls.read(&mut byte).expect("read") {
                0 => break,
                _ => line.push(byte[0]),
            }
        }
        let mut reply = b"you said: ".to_vec();
        reply.extend_from_slice(&line);
        tls.write_all(&reply).expect("reply");
        tls.close().expect("close_notify");
        line
    });
    let mut client = Proc::spawn(&strings(&[
        "s_client",
        "-tls1_2",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-servername",
        NAME,
        "-CAfile",
        "ca-rsa.crt.pem",
        "-verify_return_error",
        "-ign_eof",
    ]));
    client.write_stdin(b"hello from s_client\n");
    let line = server.join().expect("server thread");
    assert_eq!(line, b"hello from s_client\n", "{}", client.output());
    client
        .wait_for_line("you said: hello from s_client")
        .expect("s_client prints our reply");
    client.close_stdin();
    let status = client.wait();
    let output = client.output();
    assert!(output.contains("Verify return code: 0 (ok)"), "{output}");
    assert!(status.is_some(), "s_client did not exit: {output}");
}

/// The README's "Blocking streams" sample is the doc example of `src/stream.rs` (without
/// its hidden lines), which compiles as a doctest.
#[test]
fn readme_sample_is_the_doc_example() {
    let root = env!("CARGO_MANIFEST_DIR");
    let lib = std::fs::read_to_string(format!("{root}/src/stream.rs")).expect("source");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README");
    let doc: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .skip_while(|l| *l != "```no_run")
        .skip(1)
        .take_while(|l| *l != "```")
        .filter(|l| !l.starts_with("# ") && *l != "#")
        .collect();
    let section = readme
        .split("## Blocking streams")
        .nth(1)
        .expect("the README has the section");
    let sample: Vec<&str> = section
        .lines()
        .skip_while(|l| *l != "```rust,ignore")
        .skip(1)
        .take_while(|l| *l != "```")
        .collect();
    assert!(!doc.is_empty());
    assert_eq!(sample, doc);
}

/// `From<tls12::Error> for io::Error`: the kind says whose fault it is, the source is the
/// TLS error.
#[test]
fn tls_errors_as_io_error_kinds() {
    use tls12::enums::AlertDescription;
    for (tls, kind) in [
        (Error::UnexpectedEof, io::ErrorKind::UnexpectedEof),
        (
            Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE),
            io::ErrorKind::InvalidData,
        ),
        (
            Error::Certificate(CertificateError::Expired),
            io::ErrorKind::InvalidData,
        ),
        (Error::Api("write after close"), io::ErrorKind::Other),
        (Error::Config("no suites"), io::ErrorKind::Other),
        (Error::internal("no write keys"), io::ErrorKind::Other),
    ] {
        let e = io::Error::from(tls.clone());
        assert_eq!(e.kind(), kind, "{tls}");
        assert_eq!(tls_error(&e), Some(&tls));
        assert_eq!(e.to_string(), tls.to_string());
    }
}

/// An internal failure (ours, not the peer's) is its own variant, sent as internal_error.
#[test]
fn internal_errors_are_internal_error() {
    use tls12::enums::AlertDescription;
    let e = Error::internal("no write keys");
    assert_eq!(e, Error::Internal("no write keys"));
    assert_eq!(e.alert(), Some(AlertDescription::INTERNAL_ERROR));
    assert_eq!(e.to_string(), "internal error: no write keys");
}

/// Writing after `close` is an error (nothing is sent after close_notify); dropping a
/// stream in the middle of a handshake sends nothing and does not panic.
#[test]
fn write_after_close_fails_and_drop_mid_handshake_is_quiet() {
    let (port, server) = our_server(|tls| {
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest).map(|_| rest)
    });
    let mut tls = our_client(port, "ca-rsa.crt.pem");
    tls.complete_handshake().expect("handshake");
    tls.close().expect("close_notify");
    let e = tls.write(b"late").expect_err("write after close");
    assert_eq!(tls_error(&e), Some(&Error::Api("write after close")));
    assert!(
        server
            .join()
            .expect("server thread")
            .expect("clean end")
            .is_empty()
    );

    let (port, server) = our_server(|tls| tls.complete_handshake().map(|_| ()));
    let mut tls = our_client(port, "ca-rsa.crt.pem");
    tls.flush().expect("the ClientHello goes out");
    drop(tls);
    let e = server
        .join()
        .expect("server thread")
        .expect_err("the client went away");
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{e}");
}

/// Data queued in the connection before the handshake (`conn_mut().write`, for False
/// Start say) is not lost by a `close` before first use: `close` completes the handshake,
/// sends the data, then close_notify.
#[test]
fn close_before_first_use_sends_the_queued_data_then_close_notify() {
    let (port, server) = our_server(|tls| {
        let mut got = Vec::new();
        tls.read_to_end(&mut got).expect("data, then a clean end");
        got
    });
    let mut tls = our_client(port, "ca-rsa.crt.pem");
    assert_eq!(tls.conn_mut().write(b"queued early").expect("queued"), 12);
    assert!(tls.conn().is_handshaking());
    tls.close()
        .expect("close completes the handshake and sends close_notify");
    assert!(!tls.conn().is_handshaking());
    assert_eq!(server.join().expect("server thread"), b"queued early");
}
