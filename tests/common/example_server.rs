//! The server example's code (`examples/common`, included by the test crate as `example`)
//! serving connections in-process on a free loopback port: what the OpenSSL interop tests
//! point `openssl s_client` at.

use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::example::Failure;
use crate::example::server::{self, Served, ServerOptions};

/// Serves `connections` connections one after another with the configuration the server
/// example builds from `flags` (so one session cache and ticketer), each waited for at
/// most `patience`; each result arrives on the channel.
pub fn serve(
    flags: &[String],
    connections: usize,
    patience: Duration,
) -> (u16, mpsc::Receiver<Result<Served, Failure>>) {
    let opts = ServerOptions::parse(flags.to_vec())
        .expect("flags parse")
        .expect("not --help");
    let config = server::config(&opts).expect("config builds");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("bound").port();
    listener.set_nonblocking(true).expect("nonblocking");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for _ in 0..connections {
            let deadline = Instant::now() + patience;
            let sock = loop {
                match listener.accept() {
                    Ok((s, _)) => break s,
                    Err(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
                    Err(e) => {
                        let _ = tx.send(Err(Failure::Io(e)));
                        return;
                    }
                }
            };
            let _ = sock.set_nonblocking(false);
            let r = server::serve_connection(&config, sock, opts.mode, Duration::from_secs(10));
            let _ = tx.send(r);
        }
    });
    (port, rx)
}
