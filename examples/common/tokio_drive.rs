//! The sans-IO drive loop over a `tokio::net::TcpStream`: the whole glue between an async
//! socket and `tls12`, with no adapter crate. Shared by `tokio_client.rs` and
//! `tokio_server.rs`.
//!
//! It is the same contract as the blocking loop in `drive.rs`: feed what the socket gave
//! to `handle_input`, drain `poll_output` until `Idle` (awaiting the socket write of every
//! `Transmit`), and after `write` or `close` drain again. The connection never blocks and
//! never awaits: only the socket does, so the state machine fits any event loop.
#![allow(dead_code)] // Each example uses part of it.

use std::ops::DerefMut;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use tls12::{Connection, Error, Event, HandshakeSummary, Output};

/// Any failure: TLS, IO, or the peer going away.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connection (`ClientConnection` or `ServerConnection`) and its async socket.
pub struct AsyncTls<C> {
    /// The connection.
    pub conn: C,
    sock: TcpStream,
    /// Decrypted application data not yet taken.
    pub received: Vec<u8>,
    /// Events not yet taken.
    pub events: Vec<Event>,
    /// Where `poll_output` writes outgoing records: one maximum-size record fits.
    out: Vec<u8>,
    inbuf: Vec<u8>,
}

impl<C: DerefMut<Target = Connection>> AsyncTls<C> {
    /// Pairs a fresh connection with its socket.
    pub fn new(conn: C, sock: TcpStream) -> Self {
        Self {
            conn,
            sock,
            received: Vec::new(),
            events: Vec::new(),
            out: vec![0; 16 * 1024 + 256],
            inbuf: vec![0; 16 * 1024 + 256],
        }
    }

    /// Drains the connection until idle, writing every `Transmit` to the socket.
    pub async fn flush(&mut self) -> Result<(), BoxError> {
        loop {
            match self.conn.poll_output(&mut self.out)? {
                Output::Transmit(bytes) => self.sock.write_all(bytes).await?,
                Output::ApplicationData(data) => self.received.extend_from_slice(data),
                Output::Event(event) => self.events.push(event),
                Output::Idle => return Ok(()),
                // `out` is never empty, so `BufferTooSmall` cannot happen.
                other => return Err(format!("unexpected output: {other:?}").into()),
            }
        }
    }

    /// Awaits one socket read and feeds all of it, draining after each part the connection
    /// takes. `false` at end of stream (an error unless close_notify came first).
    pub async fn read_once(&mut self) -> Result<bool, BoxError> {
        let n = self.sock.read(&mut self.inbuf).await?;
        if n == 0 {
            self.conn.handle_eof()?;
            return Ok(false);
        }
        let mut at = 0;
        while at < n {
            let used = self.conn.handle_input(&self.inbuf[at..n])?;
            at += used;
            self.flush().await?;
            if used == 0 && at < n {
                return Err("the connection stopped taking input".into());
            }
        }
        Ok(true)
    }

    /// Sends our first flight and reads until the handshake completes.
    pub async fn handshake(&mut self) -> Result<HandshakeSummary, BoxError> {
        self.flush().await?;
        while self.conn.is_handshaking() {
            if !self.read_once().await? || self.conn.peer_closed() {
                return Err("the peer closed the connection during the handshake".into());
            }
        }
        Ok(self
            .conn
            .handshake_summary()
            .cloned()
            .ok_or(Error::Api("handshake complete but no summary"))?)
    }

    /// Queues `data` and sends it.
    pub async fn write_all(&mut self, mut data: &[u8]) -> Result<(), BoxError> {
        while !data.is_empty() {
            let n = self.conn.write(data)?;
            data = &data[n..];
            self.flush().await?;
        }
        Ok(())
    }

    /// Sends close_notify and shuts the socket's write side.
    pub async fn close(&mut self) -> Result<(), BoxError> {
        self.conn.close()?;
        self.flush().await?;
        self.sock.shutdown().await?;
        Ok(())
    }

    /// After a failure (our fatal alert, if the error has one, is already written): shuts
    /// our write side, then reads and drops whatever the peer still sends until end of
    /// stream, a socket error, or `linger` has passed, so that the kernel does not answer
    /// unread input with a reset that would destroy the alert before the peer reads it.
    pub async fn discard_input(mut self, linger: std::time::Duration) {
        let _ = self.sock.shutdown().await;
        let drain = async {
            while let Ok(n) = self.sock.read(&mut self.inbuf).await {
                if n == 0 {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(linger, drain).await;
    }

    /// Reads until the peer's close_notify (or the end of stream); returns all the data.
    pub async fn read_to_close(&mut self) -> Result<Vec<u8>, BoxError> {
        while !self.conn.peer_closed() {
            if !self.read_once().await? {
                break;
            }
        }
        Ok(std::mem::take(&mut self.received))
    }
}
