//! The wire codec, the handshake messages and the record layer: **not a stable API**.
//!
//! These modules are public for the trace and the dissector example, the fuzz targets and
//! this crate's tests. Anything in here may change or disappear in any release, patch
//! releases included. The user API is the rest of the crate: the configurations,
//! connections, outputs, events and errors at the root, [`crate::crypto`],
//! [`crate::verify`], [`crate::resumption`], [`crate::suites`], the streams and
//! [`crate::enums`] for the code points a user meets.
//!
//! The files stay in `src/codec/`, `src/msgs/` and `src/record/`; the crate's own code
//! names them `crate::codec`, `crate::msgs` and `crate::record`.

#[path = "codec/mod.rs"]
pub mod codec;
#[path = "msgs/mod.rs"]
pub mod msgs;
#[path = "record/mod.rs"]
pub mod record;
