//! A transport wrapper that notes the TLS record headers going each way, for the client's
//! `--false-start` report and the interop tests: did our application data leave before
//! the server's ChangeCipherSpec arrived?

use std::io::{self, Read, Write};

/// One record header seen on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// We wrote a record with this content type (20: ChangeCipherSpec, 22: handshake,
    /// 23: application data) and fragment length.
    Sent {
        /// The record's content type.
        content_type: u8,
        /// The record's fragment length.
        len: usize,
    },
    /// We read a record with this content type and fragment length.
    Received {
        /// The record's content type.
        content_type: u8,
        /// The record's fragment length.
        len: usize,
    },
}

/// Finds record headers in a stream of bytes that may be cut anywhere.
#[derive(Debug, Default)]
struct Headers {
    header: Vec<u8>,
    /// Fragment bytes of the current record still to come.
    body_left: usize,
}

impl Headers {
    /// Feeds bytes; calls `found` with each complete header's type and length.
    fn feed(&mut self, mut bytes: &[u8], mut found: impl FnMut(u8, usize)) {
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let n = self.body_left.min(bytes.len());
                self.body_left -= n;
                bytes = &bytes[n..];
                continue;
            }
            let n = (5 - self.header.len()).min(bytes.len());
            self.header.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if let [typ, _, _, hi, lo] = self.header[..] {
                self.body_left = usize::from(u16::from_be_bytes([hi, lo]));
                found(typ, self.body_left);
                self.header.clear();
            }
        }
    }
}

/// A transport (a `TcpStream`) that logs the record headers written and read through it,
/// until [`stop`](Self::stop) (the log is then bounded by the handshake).
#[derive(Debug)]
pub struct RecordLog<T> {
    inner: T,
    /// The headers seen, in order.
    pub log: Vec<Step>,
    sent: Headers,
    received: Headers,
    logging: bool,
}

impl<T> RecordLog<T> {
    /// Starts logging on `inner`.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            log: Vec::new(),
            sent: Headers::default(),
            received: Headers::default(),
            logging: true,
        }
    }

    /// Stops logging (once the handshake is over).
    pub fn stop(&mut self) {
        self.logging = false;
    }

    /// The wrapped transport.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// Whether an application data record went out before the peer's ChangeCipherSpec
    /// came in: for a client, that is False Start (RFC 7918).
    pub fn sent_data_before_peer_ccs(&self) -> bool {
        self.log
            .iter()
            .take_while(|s| {
                !matches!(
                    s,
                    Step::Received {
                        content_type: 20,
                        ..
                    }
                )
            })
            .any(|s| {
                matches!(
                    s,
                    Step::Sent {
                        content_type: 23,
                        ..
                    }
                )
            })
    }
}

impl<T: Read> Read for RecordLog<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.logging {
            let log = &mut self.log;
            self.received.feed(&buf[..n], |content_type, len| {
                log.push(Step::Received { content_type, len })
            });
        }
        Ok(n)
    }
}

impl<T: Write> Write for RecordLog<T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(data)?;
        if self.logging {
            let log = &mut self.log;
            self.sent.feed(&data[..n], |content_type, len| {
                log.push(Step::Sent { content_type, len })
            });
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
