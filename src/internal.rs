//! The wire codec, the handshake messages, the record layer, the PRF and the key schedule:
//! **not a stable API**.
//!
//! These modules are public for the trace and the dissector example, the fuzz targets and
//! this crate's tests. Anything in here may change or disappear in any release, patch
//! releases included. The user API is the rest of the crate: the configurations,
//! connections, outputs, events and errors at the root, [`crate::crypto`],
//! [`crate::verify`], [`crate::resumption`], [`crate::suites`], the streams and
//! [`crate::enums`] for the code points a user meets.
//!
//! The files stay in `src/codec/`, `src/msgs/`, `src/record/` and `src/crypto/`; the crate's
//! own code names them `crate::codec`, `crate::msgs`, `crate::record` and
//! `crate::crypto::{prf, key_schedule}`.

#[path = "codec/mod.rs"]
pub mod codec;
#[path = "crypto/key_schedule.rs"]
pub mod key_schedule;
#[path = "msgs/mod.rs"]
pub mod msgs;
#[path = "crypto/prf.rs"]
pub mod prf;
#[path = "record/mod.rs"]
pub mod record;
