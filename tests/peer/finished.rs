//! The Finished messages: a wrong verify_data is decrypt_error, a wrong length decode_error.

use crate::common::forge::*;
use crate::common::{HANDSHAKE, fuzz_sealed};
use tls12::internal::codec::enums::AlertDescription;
use tls12::internal::msgs::HandshakeMessage;

#[test]
fn wrong_server_finished_is_decrypt_error() {
    let mut u = client_at(5);
    u.feed(&fuzz_sealed(HANDSHAKE, &hs(finished([1; 12]))));
    u.assert_fatal(AlertDescription::DECRYPT_ERROR);
}

#[test]
fn wrong_client_finished_is_decrypt_error() {
    let mut u = server_at(5);
    let mut vd = [0; 12];
    vd[11] = 1;
    u.feed(&fuzz_sealed(HANDSHAKE, &hs(finished(vd))));
    u.assert_fatal(AlertDescription::DECRYPT_ERROR);
}

#[test]
fn finished_of_the_wrong_length_is_refused() {
    // verify_data is 12 bytes in every TLS 1.2 suite we implement.
    let mut u = client_at(5);
    u.feed(&fuzz_sealed(
        HANDSHAKE,
        &hs(HandshakeMessage::finished(vec![0; 13])),
    ));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}
