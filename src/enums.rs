//! The wire code points a user meets: in configurations, provider traits, handshake
//! summaries, events and errors.
//!
//! Each is a newtype over its wire value with a named constant per known value; an unknown
//! value is kept as it is. `Display` gives the RFC / Wireshark name (`x25519`,
//! `ecdsa_secp256r1_sha256`, `TLS 1.2`), `Debug` the constant's name.
//!
//! ```
//! use tls12::enums::{NamedGroup, SignatureScheme};
//!
//! assert_eq!(NamedGroup::X25519.to_string(), "x25519");
//! assert_eq!(format!("{:?}", SignatureScheme::ED25519), "ED25519");
//! assert_eq!(NamedGroup(0x2a2a).name(), None); // unknown, kept as it is
//! ```

pub use crate::codec::enums::{
    AlertDescription, CipherSuite, ClientCertificateType, HandshakeType, MaxFragmentLength,
    NamedGroup, ProtocolVersion, SignatureScheme,
};
