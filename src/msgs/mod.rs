//! Handshake, alert and change_cipher_spec messages: parse and encode side by side.
