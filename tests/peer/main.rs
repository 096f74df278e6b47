//! A hostile or broken peer, one rule at a time: each test sends one thing a peer might
//! (a message out of place, a field out of range, a byte changed in flight) and asserts what
//! RFC 5246 and its extensions say our endpoint must do, usually the exact fatal alert it
//! sends, its error, and that it is dead afterwards (every later call returns the same
//! error, nothing more is written).
//!
//! The tests are grouped by the area of the protocol whose rule they check, not by how
//! they reach it:
//!
//! | module | rules about |
//! |---|---|
//! | [`records`] | record framing: content types, record versions, lengths, record protection, empty records, a peer that stops mid-record |
//! | [`alerts`] | alert records: framing, levels, warnings between fragments, endless warnings |
//! | [`message_order`] | every handshake message at every wrong point, for both sides |
//! | [`hellos`] | ClientHello and ServerHello fields: versions, session IDs, suites, compression, randoms |
//! | [`extensions`] | hello extensions: duplicates, unsolicited ones, EMS, ALPN, SNI, renegotiation_info, point formats |
//! | [`key_exchange`] | ServerKeyExchange and ClientKeyExchange: signatures, groups, schemes, EC points |
//! | [`certificates`] | Certificate, CertificateRequest, CertificateVerify, client authentication |
//! | [`change_cipher_spec`] | ChangeCipherSpec out of place or malformed |
//! | [`finished`] | the Finished messages |
//! | [`renegotiation`] | HelloRequest and ClientHello on an established connection |
//!
//! Resumption against the rules is in tests/resumption.rs, the rules for odd but legal
//! peers in tests/conformance.rs.
//!
//! Two ways to be the peer:
//!
//! - **a scripted peer** (`tests/common/forge.rs`, built from this crate's codec,
//!   `tls12::internal::msgs`) talks to a real `ClientConnection` or `ServerConnection`.
//!   A *forged* endpoint runs on the no-security `FuzzProvider` (feature `fuzzing`) with the
//!   configurations of `tls12::fuzzing`, so a script can forge a whole handshake
//!   (signatures, key exchange, the encrypted Finished) and reach every state, including an
//!   established connection; the record layer and the state machines are the real ones. A
//!   *real* endpoint runs on `RingProvider` with the test PKI, for the checks that belong
//!   to real cryptography (EC points, signatures made with the test keys).
//! - **tampering in flight** ([`tampering`]): this crate's client and server run a real
//!   handshake in memory (`common::Pair`) and one flight is changed on the way; the side
//!   that reads it must fail with the alert, the other side must receive exactly that
//!   alert, and both must stay dead. [`renegotiation`] goes one step further and injects
//!   records sealed with the peer's keys (taken from the key log).

#[path = "../common/mod.rs"]
mod common;

mod instance;
mod tampering;

mod alerts;
mod certificates;
mod change_cipher_spec;
mod extensions;
mod finished;
mod hellos;
mod key_exchange;
mod message_order;
mod records;
mod renegotiation;
