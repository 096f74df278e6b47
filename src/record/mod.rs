//! The record layer: framing, handshake reassembly, fragmentation, protection.

pub mod protect;
