//! `tls12`: a sans-IO TLS 1.2 protocol state machine.
//!
//! Bytes from the peer go in; bytes to send, decrypted data and events come out. The crate
//! never does IO, never reads a clock and never draws randomness except through the crypto
//! provider. See [`conn`] for the drive contract.
//!
//! The API is the configurations, connections, outputs, events and errors at the root and
//! in [`config`], [`conn`] and [`error`]; the provider traits in [`crypto`]; certificate
//! verification in [`verify`]; pre-shared keys in [`psk`]; session stores and ticketers
//! in [`resumption`]; the streams; the cipher suites in [`suites`]; and the wire code
//! points a user meets in [`enums`]. The codec, messages, record layer, PRF and key
//! schedule (`tls12::internal`) are not part of it: they serve this crate's trace,
//! examples, fuzz targets and tests, and may change in any release.
//!
//! # Quickstart
//!
//! A server and a client configuration, a connection each, and the blocking
//! [`StreamOwned`] (feature `std`, on by default) to run them over TCP. With tokio, the
//! `tokio` feature's `tls12::tokio::TlsConnector` and `TlsAcceptor` do the same; without any IO
//! at all, drive a [`Connection`] yourself (see [`conn`]).
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use std::io::{Read, Write};
//! use std::net::{TcpListener, TcpStream};
//! use std::sync::Arc;
//!
//! use tls12::crypto::CryptoProvider;
//! use tls12::crypto::ring::RingProvider;
//! use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
//! use tls12::verify::{RootStore, WebPkiServerVerifier};
//! use tls12::{CertifiedKey, ClientConfig, ClientConnection, ServerConfig, ServerConnection};
//! use tls12::StreamOwned;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The server: its certificate chain (end entity first) and private key.
//! let cert = CertificateDer::from(&include_bytes!("../tests/data/pki/server-p256.crt.der")[..]);
//! let key = PrivateKeyDer::try_from(&include_bytes!("../tests/data/pki/server-p256.key.der")[..])?;
//! let key = RingProvider.load_private_key(key)?;
//! let server_config =
//!     ServerConfig::new(Arc::new(RingProvider), vec![CertifiedKey::new(vec![cert], key)?])
//!         .build()?;
//!
//! // The client: the roots it trusts (here the test CA; `webpki-roots` or the platform's
//! // roots in an application, see `RootStore`).
//! let ca = CertificateDer::from(&include_bytes!("../tests/data/pki/ca-ecdsa.crt.der")[..]);
//! let roots = Arc::new(RootStore::from_certs([&ca])?);
//! let verifier = WebPkiServerVerifier::new(roots, *RingProvider.signature_verification());
//! let client_config = ClientConfig::new(Arc::new(RingProvider), Arc::new(verifier)).build()?;
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! let server = std::thread::spawn(move || -> std::io::Result<()> {
//!     let (sock, _) = listener.accept()?;
//!     let mut tls = StreamOwned::new(ServerConnection::new(server_config)?, sock);
//!     let mut request = [0u8; 5];
//!     tls.read_exact(&mut request)?;
//!     tls.write_all(b"world")?;
//!     tls.close()
//! });
//!
//! let name = ServerName::try_from("testserver.tls12.test")?;
//! let conn = ClientConnection::new(client_config, name)?;
//! let mut tls = StreamOwned::new(conn, TcpStream::connect(addr)?);
//! tls.write_all(b"hello")?;
//! let mut reply = String::new();
//! tls.read_to_string(&mut reply)?; // the server's close_notify ends the stream
//! assert_eq!(reply, "world");
//! let summary = tls.conn().handshake_summary().expect("the handshake completed");
//! assert!(summary.extended_master_secret);
//! server.join().expect("server thread")?;
//! # Ok(())
//! # }
//! # }
//! ```
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod log;

pub mod config;
pub mod conn;
pub mod crypto;
pub mod enums;
pub mod error;
// The fuzz targets' bodies (most of it behind feature `fuzzing`): not part of the API.
#[doc(hidden)]
pub mod fuzzing;
mod handshake;
#[doc(hidden)]
pub mod internal;
pub mod psk;
pub mod resumption;
#[cfg(feature = "std")]
pub mod stream;
pub mod suites;
pub mod sync;
#[cfg(feature = "tokio")]
pub mod tokio;
// Feature `test-provider`: for this crate's tests only, not part of the API.
#[cfg(feature = "test-provider")]
#[doc(hidden)]
pub mod transcript;
pub mod verify;

// The wire codec, the messages and the record layer live in `internal`; the crate's own
// code names them at the root.
pub(crate) use internal::{codec, msgs, record};

pub use config::{CertifiedKey, ClientConfig, CommonConfig, ServerConfig};
pub use conn::{ClientConnection, Connection, Event, Output, ServerConnection};
pub use error::{CertificateError, DecodeError, DecodeErrorKind, EncodeError, Error, OtherError};
pub use handshake::HandshakeSummary;
pub use pki_types;
#[cfg(feature = "std")]
pub use stream::{Stream, StreamOwned};
