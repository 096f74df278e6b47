//! `tls12`: a sans-IO TLS 1.2 protocol state machine.
//!
//! Bytes from the peer go in; bytes to send and events come out. The crate never does IO,
//! never reads a clock and never draws randomness except through the crypto provider.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod codec;
pub mod error;

pub use error::{CertificateError, DecodeError, DecodeErrorKind, Error};
pub mod crypto;
pub mod msgs;
pub mod record;
pub mod suites;
