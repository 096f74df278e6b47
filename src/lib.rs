//! `tls12`: a sans-IO TLS 1.2 protocol state machine.
//!
//! Bytes from the peer go in; bytes to send, decrypted data and events come out. The crate
//! never does IO, never reads a clock and never draws randomness except through the crypto
//! provider. See [`conn`] for the drive contract.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod log;

pub mod codec;
pub mod config;
pub mod conn;
pub mod crypto;
pub mod error;
// The fuzz targets' bodies (most of it behind feature `fuzzing`): not part of the API.
#[doc(hidden)]
pub mod fuzzing;
mod handshake;
pub mod msgs;
pub mod record;
pub mod resumption;
#[cfg(feature = "std")]
pub mod stream;
pub mod suites;
#[cfg(feature = "tokio")]
pub mod tokio;
// Feature `test-provider`: for this crate's tests only, not part of the API.
#[cfg(feature = "test-provider")]
#[doc(hidden)]
pub mod transcript;
pub mod verify;

pub use config::{CertifiedKey, ClientConfig, CommonConfig, ServerConfig};
pub use conn::{ClientConnection, Connection, Event, Output, ServerConnection};
pub use error::{CertificateError, DecodeError, DecodeErrorKind, EncodeError, Error, OtherError};
pub use handshake::HandshakeSummary;
pub use pki_types;
#[cfg(feature = "std")]
pub use stream::{Stream, StreamOwned};
