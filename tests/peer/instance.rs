//! One well-formed instance of each handshake message type (and an unknown type), for the
//! scripted peer.

use tls12::crypto::fuzz_provider::FUZZ_SIGNATURE;
use tls12::internal::codec::enums::{
    ClientCertificateType, HandshakeType, NamedGroup, SignatureScheme,
};
use tls12::internal::msgs::{
    CertificateRequest, CertificateStatus, DigitallySigned, HandshakeMessage, NewSessionTicket,
};

use crate::common::forge;

pub fn hello_request() -> HandshakeMessage {
    HandshakeMessage::hello_request()
}
pub fn client_hello() -> HandshakeMessage {
    HandshakeMessage::from(forge::client_hello())
}
pub fn server_hello() -> HandshakeMessage {
    HandshakeMessage::from(forge::server_hello())
}
pub fn certificate() -> HandshakeMessage {
    HandshakeMessage::from(forge::server_cert())
}
pub fn server_key_exchange() -> HandshakeMessage {
    HandshakeMessage::from(forge::forged_ske(
        NamedGroup::X25519,
        forge::x25519_public(),
    ))
}
pub fn certificate_request() -> HandshakeMessage {
    HandshakeMessage::from(CertificateRequest {
        certificate_types: vec![ClientCertificateType::RSA_SIGN],
        signature_schemes: vec![SignatureScheme::RSA_PKCS1_SHA256],
        certificate_authorities: Vec::new(),
    })
}
pub fn server_hello_done() -> HandshakeMessage {
    HandshakeMessage::server_hello_done()
}
pub fn certificate_verify() -> HandshakeMessage {
    HandshakeMessage::certificate_verify(DigitallySigned {
        scheme: SignatureScheme::RSA_PKCS1_SHA256,
        signature: FUZZ_SIGNATURE.to_vec(),
    })
}
pub fn client_key_exchange() -> HandshakeMessage {
    forge::cke(forge::x25519_public())
}
pub fn finished() -> HandshakeMessage {
    forge::finished([0; 12])
}
pub fn new_session_ticket() -> HandshakeMessage {
    HandshakeMessage::from(NewSessionTicket {
        lifetime_hint: 300,
        ticket: vec![7; 32],
    })
}
pub fn certificate_status() -> HandshakeMessage {
    HandshakeMessage::from(CertificateStatus::Ocsp(vec![0x30, 0x00]))
}
pub fn unknown_type() -> HandshakeMessage {
    HandshakeMessage::unknown(HandshakeType(99), vec![1, 2, 3])
}
