//! The bodies of the cargo-fuzz targets, shared with the corpus-replay test so both run the
//! same checks. Not part of the stable API.

use alloc::vec::Vec;

use crate::codec::enums::ContentType;
use crate::codec::{Codec, Reader};
use crate::msgs::{HandshakeMessage, KxContext};
use crate::record::{DEFAULT_MAX_HANDSHAKE_MESSAGE, Deframer, HandshakeJoiner};

/// The `record` target: the deframer cuts `data` into records and handshake payloads go
/// through a joiner. Neither may panic, loop forever or allocate beyond its bounds.
pub fn record(data: &[u8]) {
    let mut deframer = Deframer::new();
    let mut joiner = HandshakeJoiner::new(DEFAULT_MAX_HANDSHAKE_MESSAGE);
    let mut joiner_failed = false;
    let mut rest = data;
    loop {
        let taken = deframer.feed(rest);
        rest = &rest[taken..];
        let mut records = 0usize;
        loop {
            match deframer.next_record() {
                Ok(Some(rec)) => {
                    records += 1;
                    assert_eq!(usize::from(rec.header.len), rec.payload.len());
                    if rec.header.typ != ContentType::HANDSHAKE || joiner_failed {
                        continue;
                    }
                    if joiner.push(rec.payload).is_err() {
                        joiner_failed = true;
                        continue;
                    }
                    loop {
                        match joiner.pop() {
                            Ok(Some(msg)) => {
                                assert_eq!(msg.encoded.len(), 4 + msg.body.len());
                                assert_eq!(&msg.encoded[4..], msg.body);
                                assert_eq!(msg.encoded[0], msg.typ.0);
                            }
                            Ok(None) => break,
                            Err(_) => {
                                joiner_failed = true;
                                break;
                            }
                        }
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
        // Once drained, the deframer takes at least one byte of non-empty input, so no
        // progress means the input is used up.
        if taken == 0 && records == 0 {
            break;
        }
    }
    assert!(rest.is_empty());
}

/// The `handshake` target: decode `data` as a handshake message under each key-exchange
/// context; whatever decodes with nothing left over must re-encode to exactly `data`.
pub fn handshake(data: &[u8]) {
    for ctx in [KxContext::Unknown, KxContext::Ecdhe, KxContext::Rsa] {
        let mut r = Reader::new(data);
        if let Ok(m) = HandshakeMessage::read_with(&mut r, ctx) {
            if !r.any_left() {
                let mut out = Vec::new();
                m.encode(&mut out);
                assert_eq!(out, data, "decode then encode must give back the input");
            }
        }
    }
}
