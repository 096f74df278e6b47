//! The record layer on arbitrary bytes: the deframer cuts the input into records, and the
//! payloads of handshake records go through a handshake joiner. Neither may panic, loop
//! forever or allocate beyond its bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tls12::codec::enums::ContentType;
use tls12::record::{DEFAULT_MAX_HANDSHAKE_MESSAGE, Deframer, HandshakeJoiner};

fuzz_target!(|data: &[u8]| {
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
                    if rec.header.typ == ContentType::HANDSHAKE && !joiner_failed {
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
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
        // The deframer takes at least one byte of non-empty input once drained, so no
        // progress means the input is used up.
        if taken == 0 && records == 0 {
            break;
        }
    }
    assert!(rest.is_empty());
});
