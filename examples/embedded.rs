//! The embedded shape: a full TLS 1.2 handshake and data exchange between a client and a
//! server of this crate through fixed, preallocated buffers, with no heap growth once the
//! handshake is over.
//!
//! ```text
//! cargo run --example embedded
//! ```
//!
//! Everything the program needs is allocated in [`Embedded::setup`]: the configurations,
//! the two connections (each with its one-record receive buffer) and [`Buffers`], the
//! fixed byte arrays the bytes travel through (one 4 KiB pipe per direction, a 1 KiB
//! message buffer). The handshake then allocates transient state (messages, the
//! certificate chain, key exchange) inside a bound that `tests/embedded_memory.rs` asserts
//! ([`HANDSHAKE_HEAP_BOUND`]). The data exchange writes records with `write_into` straight
//! into a pipe and reads them decrypted in place, and allocates nothing: the test asserts
//! zero allocations and unchanged heap use over it.
//!
//! A counting global allocator (`heap` below) measures all of this; the example prints what
//! it measured. On a real device the pipes would be the radio's or the UART's DMA buffers
//! and the time a real clock; nothing else changes: the connection never does IO.

use std::sync::Arc;
use std::time::Duration;

use tls12::config::FixedTime;
use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::verify::{RootStore, WebPkiServerVerifier};
use tls12::{
    CertifiedKey, ClientConfig, ClientConnection, Connection, Error, Event, HandshakeSummary,
    Output, ServerConfig, ServerConnection,
};

/// How far the heap may grow above its level after setup, at its peak during the
/// handshake (both sides in one process, RSA-2048 server certificate, x25519, a session
/// ticket issued and stored). Measured at 21 KB (21220 bytes, `cargo run --example
/// embedded`); asserted by `tests/embedded_memory.rs`. Setup itself takes about 55 KB, most
/// of it the two connections' one-record receive buffers (2 x 18 KiB).
pub const HANDSHAKE_HEAP_BOUND: usize = 32 * 1024;

/// Bytes in flight in one direction.
pub const PIPE_LEN: usize = 4096;
/// The largest application message exchanged.
pub const MESSAGE_LEN: usize = 1024;

/// Test PKI, compiled in (a device has no file system).
mod pki {
    pub const CA_RSA: &[u8] = include_bytes!("../tests/data/pki/ca-rsa.crt.der");
    pub const SERVER_RSA: &[u8] = include_bytes!("../tests/data/pki/server-rsa.crt.der");
    pub const SERVER_RSA_KEY: &[u8] = include_bytes!("../tests/data/pki/server-rsa.key.der");
}

/// 2030-03-17, inside the test certificates' validity.
const NOW: u64 = 1_900_000_000;

/// A counting global allocator (the tests' and benches' own): current bytes, peak bytes,
/// allocation calls, for the calling thread.
#[path = "../tests/common/counting_alloc.rs"]
#[allow(dead_code)]
pub mod heap;

#[cfg(not(test))]
#[global_allocator]
static GLOBAL: heap::Counting = heap::Counting;

/// Bytes in flight one way: a fixed array and how much of it is filled.
pub struct Pipe {
    buf: [u8; PIPE_LEN],
    len: usize,
}

impl Pipe {
    const fn new() -> Self {
        Self {
            buf: [0; PIPE_LEN],
            len: 0,
        }
    }

    /// Drains `from` into the free part of the pipe. Stops when `from` is idle or the pipe
    /// is full (the rest stays queued in the connection). Application data `from` decrypted
    /// is appended to `app` (up to its length); returns whether anything moved and whether
    /// the handshake completed.
    fn fill_from(
        &mut self,
        from: &mut Connection,
        app: &mut [u8],
        app_len: &mut usize,
    ) -> Result<(bool, bool), Error> {
        let (mut moved, mut completed) = (false, false);
        loop {
            match from.poll_output(&mut self.buf[self.len..])? {
                Output::Transmit(bytes) => {
                    self.len += bytes.len();
                    moved = true;
                }
                Output::ApplicationData(data) => {
                    let end = (*app_len + data.len()).min(app.len());
                    app[*app_len..end].copy_from_slice(&data[..end - *app_len]);
                    *app_len = end;
                    moved = true;
                }
                Output::Event(Event::HandshakeComplete(_)) => completed = true,
                Output::Event(_) => {}
                Output::BufferTooSmall { .. } | Output::Idle => return Ok((moved, completed)),
                _ => return Ok((moved, completed)),
            }
        }
    }

    /// Feeds what the pipe holds to `to`, as much as it takes; keeps the rest.
    fn drain_into(&mut self, to: &mut Connection) -> Result<bool, Error> {
        let used = to.handle_input(&self.buf[..self.len])?;
        self.buf.copy_within(used..self.len, 0);
        self.len -= used;
        Ok(used > 0)
    }
}

/// The fixed buffers, allocated once at setup.
pub struct Buffers {
    /// Client to server.
    pub to_server: Pipe,
    /// Server to client.
    pub to_client: Pipe,
    /// One application message.
    pub message: [u8; MESSAGE_LEN],
    /// What the receiving side decrypted.
    pub received: [u8; MESSAGE_LEN],
}

/// A client, a server and their buffers.
pub struct Embedded {
    /// The client.
    pub client: ClientConnection,
    /// The server.
    pub server: ServerConnection,
    /// The fixed buffers.
    pub buffers: Box<Buffers>,
}

impl Embedded {
    /// Everything that allocates before the handshake: configurations, connections,
    /// buffers. The client's ClientHello is already queued.
    pub fn setup() -> Result<Self, Error> {
        let provider: Arc<dyn CryptoProvider> = Arc::new(RingProvider);
        let time = Arc::new(FixedTime(UnixTime::since_unix_epoch(Duration::from_secs(
            NOW,
        ))));
        let ca = CertificateDer::from(pki::CA_RSA);
        let roots = Arc::new(RootStore::from_certs([&ca])?);
        let verifier = Arc::new(WebPkiServerVerifier::new(
            roots,
            *provider.signature_verification(),
        ));
        let mut client = ClientConfig::new(provider.clone(), verifier);
        client.common.time = time.clone();
        // Every buffer is allocated here, at setup, and kept.
        client.common.keep_buffers = true;
        let key = PrivateKeyDer::try_from(pki::SERVER_RSA_KEY)
            .map_err(|_| Error::Config("the embedded key is not PKCS#8 DER"))?;
        let key = provider.load_private_key(key)?;
        let chain = vec![CertificateDer::from(pki::SERVER_RSA), ca];
        let mut server = ServerConfig::new(provider, vec![CertifiedKey::new(chain, key)?]);
        server.common.time = time;
        server.common.keep_buffers = true;
        let name = ServerName::try_from("testserver.tls12.test")
            .map_err(|_| Error::Config("a valid DNS name"))?;
        Ok(Self {
            client: ClientConnection::new(Arc::new(client), name)?,
            server: ServerConnection::new(Arc::new(server))?,
            buffers: Box::new(Buffers {
                to_server: Pipe::new(),
                to_client: Pipe::new(),
                message: [0; MESSAGE_LEN],
                received: [0; MESSAGE_LEN],
            }),
        })
    }

    /// Moves bytes both ways until both sides are idle. Application data each side
    /// decrypts lands in `received` (its length is returned).
    fn pump(&mut self) -> Result<usize, Error> {
        let b = &mut *self.buffers;
        let mut received = 0;
        // Bounded: a handshake is a few flights; each step moves at least one byte.
        for _ in 0..1000 {
            let (m1, _) =
                b.to_server
                    .fill_from(&mut self.client, &mut b.received, &mut received)?;
            let m2 = b.to_server.drain_into(&mut self.server)?;
            let (m3, _) =
                b.to_client
                    .fill_from(&mut self.server, &mut b.received, &mut received)?;
            let m4 = b.to_client.drain_into(&mut self.client)?;
            if !(m1 || m2 || m3 || m4) && b.to_server.len == 0 && b.to_client.len == 0 {
                return Ok(received);
            }
        }
        Err(Error::Api("pump: no progress"))
    }

    /// Runs the handshake to completion.
    pub fn handshake(&mut self) -> Result<HandshakeSummary, Error> {
        self.pump()?;
        match (
            self.client.handshake_summary(),
            self.server.handshake_summary(),
        ) {
            (Some(c), Some(_)) => Ok(c.clone()),
            _ => Err(Error::Api("the handshake did not complete")),
        }
    }

    /// One round trip: the client sends a `len`-byte message (written with `write_into`
    /// straight into the pipe), the server decrypts it in place and echoes it the same way,
    /// the client decrypts the echo. Returns the echoed length.
    pub fn round_trip(&mut self, round: usize, len: usize) -> Result<usize, Error> {
        let len = len.min(MESSAGE_LEN);
        let b = &mut *self.buffers;
        for (i, byte) in b.message[..len].iter_mut().enumerate() {
            *byte = (round + i) as u8;
        }
        let (taken, written) = self
            .client
            .write_into(&b.message[..len], &mut b.to_server.buf[b.to_server.len..])?;
        b.to_server.len += written;
        // The server reads the record in place.
        let mut got = 0;
        while b.to_server.len > 0 {
            b.to_server.drain_into(&mut self.server)?;
            b.to_client
                .fill_from(&mut self.server, &mut b.received, &mut got)?;
        }
        if got != taken || b.received[..got] != b.message[..taken] {
            return Err(Error::Api("the server read something else"));
        }
        // The echo, from the server's fixed buffer.
        let (_, written) = self
            .server
            .write_into(&b.received[..got], &mut b.to_client.buf[b.to_client.len..])?;
        b.to_client.len += written;
        let mut echoed = 0;
        while b.to_client.len > 0 {
            b.to_client.drain_into(&mut self.client)?;
            b.to_server
                .fill_from(&mut self.client, &mut b.received, &mut echoed)?;
        }
        if b.received[..echoed] != b.message[..echoed] {
            return Err(Error::Api("the echo differs"));
        }
        Ok(echoed)
    }
}

fn main() -> Result<(), Error> {
    let before = heap::now();
    let mut e = Embedded::setup()?;
    let after_setup = heap::now();
    heap::reset_peak();
    let summary = e.handshake()?;
    let handshake = heap::now();
    let mut total = 0;
    for round in 0..100 {
        total += e.round_trip(round, MESSAGE_LEN)?;
    }
    let exchange = heap::now();
    println!("Handshake: {} over {:?}", summary.suite, summary.group);
    println!(
        "Setup: {} bytes in {} allocations (configs, connections, {} bytes of fixed buffers)",
        after_setup.current - before.current,
        after_setup.calls - before.calls,
        std::mem::size_of::<Buffers>()
    );
    println!(
        "Handshake: peak {} bytes above setup (bound {HANDSHAKE_HEAP_BOUND}), {} allocations, {} bytes still held after",
        handshake.peak - after_setup.current,
        handshake.calls - after_setup.calls,
        handshake.current as isize - after_setup.current as isize
    );
    println!(
        "Data: 100 round trips of {MESSAGE_LEN} bytes ({total} bytes echoed): {} allocations, heap {:+} bytes",
        exchange.calls - handshake.calls,
        exchange.current as isize - handshake.current as isize
    );
    Ok(())
}
