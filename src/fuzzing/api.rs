//! The `api` target: a client and a server of this crate, connected in memory under the
//! no-security [`FuzzProvider`](crate::crypto::fuzz_provider::FuzzProvider), driven through
//! the public [`Connection`] API by a fuzzer-chosen sequence of calls ([`ApiScript`]): feed
//! any split of what the other side sent (`handle_input`, or `input_space` then
//! `input_received`), `poll_output` into any buffer size (0 and 1 included), `write`,
//! `write_into` any output size, `close`, `handle_eof`.
//!
//! After every call the harness checks the documented contract (see [`crate::conn`]):
//!
//! - `poll_output` writes at most the buffer's size, says `BufferTooSmall` only for an empty
//!   buffer with bytes waiting, `Idle` only with nothing waiting;
//! - `handle_input` takes at most what it is given; `write` takes everything once the
//!   handshake is complete; API misuse (`Error::Api`) leaves the connection working;
//! - errors are sticky: once a connection has one, every call returns it (`poll_output`
//!   after draining what was queued before it; `handle_eof` is `Ok` after a close_notify);
//! - application data arrives in order and is never invented: what a side has received is a
//!   prefix of what the other wrote; and once the harness has delivered everything, with
//!   no error on either side and both handshakes complete, it is all of it.
//!
//! An input is the script's `Arbitrary` encoding; the empty input is two connections of the
//! default options that are only ever settled (a full handshake). The configurations reach
//! PSK and ECDHE_PSK, CCM_8 and both record size extensions through each side's
//! [`Extras`].

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use arbitrary::{Arbitrary, Unstructured};
use pki_types::ServerName;

use super::{Extras, SERVER_NAME, client_config_with, server_config_with};
use crate::error::Error;
use crate::{ClientConnection, Connection, Event, Output, ServerConnection};

/// The `api` input: both sides' options bytes and [`Extras`] (see [`client_config_with`],
/// [`server_config_with`]: PSK, CCM_8, record size limits) and the calls.
#[derive(Debug, Arbitrary)]
pub struct ApiScript {
    /// The client's options byte.
    pub client_opts: u8,
    /// The server's options byte.
    pub server_opts: u8,
    /// The client's PSK, CCM_8 and record size settings.
    pub client_extras: Extras,
    /// The server's.
    pub server_extras: Extras,
    /// The calls, in order; then both sides are settled (everything delivered).
    pub ops: Vec<Op>,
}

/// One call on one side (`server` picks which).
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Op {
    /// `handle_input` with up to `max` bytes of what the other side sent; `max` 0 is a
    /// transport with nothing to read: `release_buffers`.
    Deliver {
        /// To the server (else to the client).
        server: bool,
        /// At most this many bytes.
        max: u16,
    },
    /// The same through `input_space` and `input_received`; with `overclaim`, first claim
    /// one byte more than the space (an API error that must change nothing).
    DeliverInPlace {
        /// To the server.
        server: bool,
        /// At most this many bytes.
        max: u16,
        /// Claim too much first.
        overclaim: bool,
    },
    /// `poll_output` into a buffer of `buf` bytes.
    Poll {
        /// The server.
        server: bool,
        /// The buffer size.
        buf: u16,
    },
    /// `write` of `len` bytes.
    Write {
        /// The server.
        server: bool,
        /// How many bytes.
        len: u16,
    },
    /// `write_into` of `len` bytes into `out` bytes.
    WriteInto {
        /// The server.
        server: bool,
        /// How many bytes.
        len: u16,
        /// The output buffer's size.
        out: u16,
    },
    /// `close`.
    Close {
        /// The server.
        server: bool,
    },
    /// `handle_eof`.
    Eof {
        /// The server.
        server: bool,
    },
}

/// One side and what the harness knows about it.
struct Side {
    /// Bytes it sent that the other side has not taken yet.
    wire: Vec<u8>,
    /// Application data it accepted (`write`, `write_into`).
    sent: Vec<u8>,
    /// Application data it delivered.
    received: Vec<u8>,
    /// Its sticky error, once it has one.
    error: Option<Error>,
    complete: bool,
    closed: bool,
    peer_closed: bool,
}

impl Side {
    fn new() -> Self {
        Self {
            wire: Vec::new(),
            sent: Vec::new(),
            received: Vec::new(),
            error: None,
            complete: false,
            closed: false,
            peer_closed: false,
        }
    }
}

struct Pair {
    client: ClientConnection,
    server: ServerConnection,
    sides: [Side; 2],
    /// The client does False Start: it may send application data after its Finished,
    /// before the handshake completes.
    false_start: bool,
}

/// Application bytes that say who wrote them and where: side, then offset.
fn pattern(side: usize, from: usize, len: usize) -> Vec<u8> {
    (from..from + len)
        .map(|i| (i as u8).wrapping_mul(31) ^ (side as u8 * 0x80))
        .collect()
}

impl Pair {
    fn conn(&mut self, s: usize) -> &mut Connection {
        if s == 1 {
            &mut self.server
        } else {
            &mut self.client
        }
    }

    /// `r`, the result of a call on side `s`: an error other than API misuse must be the
    /// side's sticky error (its first, or the same again).
    fn check<T: core::fmt::Debug>(&mut self, s: usize, r: &Result<T, Error>) {
        if let Err(e) = r {
            if matches!(e, Error::Api(_)) {
                // Misuse is reported, not fatal.
                self.sync(s);
                return;
            }
            match &self.sides[s].error {
                Some(prev) => assert_eq!(prev, e, "errors are sticky"),
                None => self.sides[s].error = Some(e.clone()),
            }
        }
        self.sync(s);
    }

    /// The side's own error must be the one the harness saw first (or its first).
    fn sync(&mut self, s: usize) {
        let now = self.conn(s).error().cloned();
        match (&self.sides[s].error, now) {
            (Some(prev), Some(now)) => assert_eq!(prev, &now, "errors are sticky"),
            (Some(prev), None) => panic!("error {prev:?} forgotten"),
            (None, Some(now)) => self.sides[s].error = Some(now),
            (None, None) => {}
        }
    }

    fn poll(&mut self, s: usize, size: usize) -> bool {
        let mut buf = vec![0u8; size];
        let pending = self.conn(s).wants_transmit();
        let dead = self.sides[s].error.clone();
        let Pair {
            client,
            server,
            sides,
            ..
        } = self;
        let conn: &mut Connection = if s == 1 { server } else { client };
        let r = conn.poll_output(&mut buf);
        let mut more = true;
        let r = match r {
            Ok(Output::Transmit(b)) => {
                assert!(!b.is_empty() && b.len() <= size, "Transmit of {}", b.len());
                sides[s].wire.extend_from_slice(b);
                Ok(())
            }
            Ok(Output::BufferTooSmall { needed }) => {
                assert!(size == 0 && needed > 0, "BufferTooSmall {needed}");
                more = false;
                Ok(())
            }
            Ok(Output::ApplicationData(d)) => {
                assert!(!d.is_empty() && dead.is_none(), "ApplicationData");
                sides[s].received.extend_from_slice(d);
                let (other, got) = (&sides[1 - s].sent, &sides[s].received);
                assert!(
                    other.starts_with(got),
                    "application data invented or reordered"
                );
                Ok(())
            }
            Ok(Output::Event(Event::HandshakeComplete(_))) => {
                assert!(!sides[s].complete, "two HandshakeComplete events");
                sides[s].complete = true;
                Ok(())
            }
            Ok(Output::Event(Event::PeerClosed)) => {
                sides[s].peer_closed = true;
                Ok(())
            }
            Ok(Output::Event(_)) => Ok(()),
            Ok(Output::Idle) => {
                assert!(
                    !pending && dead.is_none(),
                    "Idle with output waiting or after an error"
                );
                more = false;
                Ok(())
            }
            Err(e) => {
                assert!(!pending, "an error before the queued output");
                more = false;
                Err(e)
            }
        };
        self.check(s, &r);
        if self.sides[s].complete {
            assert!(!self.conn(s).is_handshaking());
        }
        more
    }

    /// Drains side `s` with a 4 KiB buffer.
    fn drain(&mut self, s: usize) {
        for _ in 0..100_000 {
            if !self.poll(s, 4096) {
                return;
            }
        }
        panic!("poll_output never went idle");
    }

    /// Hands up to `max` bytes of what the other side sent to side `s`.
    fn deliver(&mut self, s: usize, max: usize) -> usize {
        let n = max.min(self.sides[1 - s].wire.len());
        let chunk = self.sides[1 - s].wire[..n].to_vec();
        let dead = self.sides[s].error.clone();
        let r = self.conn(s).handle_input(&chunk);
        if let Some(e) = dead {
            assert_eq!(r.as_ref(), Err(&e), "handle_input after an error");
        }
        if let Ok(k) = r {
            assert!(k <= n, "handle_input took {k} of {n}");
            self.sides[1 - s].wire.drain(..k);
        }
        self.check(s, &r);
        r.unwrap_or(0)
    }

    fn deliver_in_place(&mut self, s: usize, max: usize, overclaim: bool) {
        let dead = self.sides[s].error.clone();
        let peer_closed = self.conn(s).peer_closed();
        let space = match self.conn(s).input_space() {
            Ok(space) => space.len(),
            Err(e) => {
                assert_eq!(Some(&e), dead.as_ref(), "input_space fails only when dead");
                let r = self.conn(s).input_received(0);
                assert_eq!(r, Err(e), "input_received after an error");
                return;
            }
        };
        if overclaim && !peer_closed {
            let r = self.conn(s).input_received(space + 1);
            assert!(matches!(r, Err(Error::Api(_))), "overclaim: {r:?}");
            self.check(s, &r);
        }
        let n = max.min(space).min(self.sides[1 - s].wire.len());
        let chunk: Vec<u8> = self.sides[1 - s].wire.drain(..n).collect();
        let space = self
            .conn(s)
            .input_space()
            .expect("no error since the last call");
        space[..n].copy_from_slice(&chunk);
        let r = self.conn(s).input_received(n);
        assert_eq!(r, Ok(()), "input_received within input_space");
    }

    fn write(&mut self, s: usize, len: usize) {
        let data = pattern(s, self.sides[s].sent.len(), len);
        let dead = self.sides[s].error.clone();
        let complete = self.sides[s].complete;
        let r = self.conn(s).write(&data);
        match &r {
            Ok(k) => {
                assert!(dead.is_none() && !self.sides[s].closed);
                assert!(
                    *k <= len && (!complete || *k == len),
                    "write took {k} of {len}"
                );
                self.sides[s].sent.extend_from_slice(&data[..*k]);
            }
            Err(Error::Api(_)) => assert!(self.sides[s].closed, "write: {r:?}"),
            Err(e) => assert!(dead.as_ref().is_none_or(|d| d == e)),
        }
        self.check(s, &r);
    }

    fn write_into(&mut self, s: usize, len: usize, out: usize) {
        let data = pattern(s, self.sides[s].sent.len(), len);
        let mut buf = vec![0u8; out];
        let dead = self.sides[s].error.clone();
        let r = self.conn(s).write_into(&data, &mut buf);
        match &r {
            Ok((taken, written)) => {
                // Once the handshake is complete, or with False Start once our Finished is
                // out (the client, RFC 7918).
                let may_send = !self.conn(s).is_handshaking() || (s == 0 && self.false_start);
                assert!(dead.is_none() && !self.sides[s].closed && may_send);
                assert!(*taken <= len && *written <= out && (*taken == 0) == (*written == 0));
                self.sides[s].sent.extend_from_slice(&data[..*taken]);
                self.sides[s].wire.extend_from_slice(&buf[..*written]);
            }
            Err(Error::Api(_)) => {}
            Err(e) => assert!(dead.as_ref().is_none_or(|d| d == e)),
        }
        self.check(s, &r);
    }

    fn close(&mut self, s: usize) {
        let dead = self.sides[s].error.clone();
        let r = self.conn(s).close();
        match &r {
            Ok(()) => {
                assert!(dead.is_none());
                self.sides[s].closed = true;
            }
            Err(e) => assert_eq!(dead.as_ref(), Some(e), "close fails only when dead"),
        }
        self.check(s, &r);
    }

    fn eof(&mut self, s: usize) {
        let peer_closed = self.conn(s).peer_closed();
        let dead = self.sides[s].error.clone();
        let r = self.conn(s).handle_eof();
        match (&r, peer_closed) {
            (Ok(()), true) => {}
            (Err(e), false) => match &dead {
                Some(d) => assert_eq!(d, e),
                None => assert_eq!(e, &Error::UnexpectedEof),
            },
            _ => panic!("handle_eof gave {r:?} with peer_closed {peer_closed}"),
        }
        self.check(s, &r);
    }

    /// Drains both sides and delivers everything, until nothing moves.
    fn settle(&mut self) {
        for _ in 0..64 {
            self.drain(0);
            self.drain(1);
            let mut moved = 0;
            for s in [0, 1] {
                while !self.sides[1 - s].wire.is_empty() && self.sides[s].error.is_none() {
                    let k = self.deliver(s, usize::MAX);
                    moved += k;
                    self.drain(s);
                    if k == 0 {
                        break;
                    }
                }
            }
            if moved == 0 {
                return;
            }
        }
        panic!("the pair never settled");
    }

    /// Once settled: with no error and both handshakes complete, everything written arrived,
    /// and a close was seen by the other side.
    fn check_settled(&mut self) {
        let ok = self.sides.iter().all(|s| s.error.is_none());
        for s in [0, 1] {
            let (me, peer) = (&self.sides[s], &self.sides[1 - s]);
            assert!(peer.sent.starts_with(&me.received));
            if !ok {
                continue;
            }
            if peer.closed {
                assert!(me.peer_closed, "close_notify lost");
            }
            // Data written before a close, even before the handshake completed, is sent
            // before the close_notify.
            if me.complete && peer.complete {
                assert_eq!(me.received.len(), peer.sent.len(), "application data lost");
            }
        }
    }
}

/// The `api` target: see the [module docs](self).
pub fn api(data: &[u8]) {
    let Ok(script) = ApiScript::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    run_api_script(&script);
}

/// How a pair ended once settled: for the client (0) and the server (1), the suite of its
/// completed handshake and its error.
#[derive(Debug)]
pub struct ApiOutcome {
    /// The negotiated suite, if the handshake completed.
    pub suites: [Option<crate::enums::CipherSuite>; 2],
    /// The sticky error, if any.
    pub errors: [Option<Error>; 2],
}

/// Runs `script` on a fresh client/server pair.
pub fn run_api_script(script: &ApiScript) -> ApiOutcome {
    let name = ServerName::try_from(SERVER_NAME).expect("a valid DNS name");
    let client_config = client_config_with(script.client_opts, script.client_extras);
    let client = ClientConnection::new(Arc::new(client_config), name).expect("valid config");
    let server_config = server_config_with(script.server_opts, script.server_extras);
    let server = ServerConnection::new(Arc::new(server_config)).expect("valid config");
    let mut p = Pair {
        client,
        server,
        sides: [Side::new(), Side::new()],
        false_start: script.client_opts & super::OPT_FALSE_START != 0,
    };
    for op in &script.ops {
        match *op {
            // Nothing to deliver: the transport would block, so free the buffers, as the
            // streams do (`Connection::release_buffers`).
            Op::Deliver { server, max: 0 } => {
                p.conn(usize::from(server)).release_buffers();
            }
            Op::Deliver { server, max } => {
                p.deliver(usize::from(server), usize::from(max));
            }
            Op::DeliverInPlace {
                server,
                max,
                overclaim,
            } => p.deliver_in_place(usize::from(server), usize::from(max), overclaim),
            Op::Poll { server, buf } => {
                p.poll(usize::from(server), usize::from(buf));
            }
            Op::Write { server, len } => p.write(usize::from(server), usize::from(len)),
            Op::WriteInto { server, len, out } => {
                p.write_into(usize::from(server), usize::from(len), usize::from(out))
            }
            Op::Close { server } => p.close(usize::from(server)),
            Op::Eof { server } => p.eof(usize::from(server)),
        }
    }
    p.settle();
    p.check_settled();
    let suite = |c: &Connection| c.handshake_summary().map(|s| s.suite);
    ApiOutcome {
        suites: [suite(&p.client), suite(&p.server)],
        errors: [p.sides[0].error.clone(), p.sides[1].error.clone()],
    }
}
