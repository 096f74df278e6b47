//! Certificate, CertificateRequest and CertificateVerify: malformed or unverifiable ones, and
//! client authentication.

use crate::common::forge::*;
use crate::common::{self, Dir, client_config, server_config};
use crate::instance;
use crate::tampering::*;
use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::fuzzing::{self, OPT_CLIENT_AUTH};
use tls12::internal::codec::enums::{AlertDescription, NamedGroup, SignatureScheme};
use tls12::internal::msgs::{
    CertificateChain, CertificateRequest, DigitallySigned, HandshakeMessage,
};

#[test]
fn certificate_list_length_changed_is_decode_error() {
    // The certificate_list length no longer matches the message: decode_error.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let m = msg(b, CERTIFICATE);
        b[m + 6] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::DECODE_ERROR,
        "certificate_list length",
    );
}

#[test]
fn server_certificate_signature_changed_is_refused() {
    // The last byte of the leaf certificate is in its issuer's signature. The chain no
    // longer verifies. Like rustls, this crate reports a signature that does not verify as
    // decrypt_error whether it is on the certificate or on the handshake; RFC 5246 7.2.2
    // would also allow bad_certificate ("contained signatures that did not verify").
    for key in ["server-rsa", "server-p256"] {
        let mut pair = tampered(
            client_config(),
            server_config(&[key]),
            Dir::ToClient,
            1,
            |b| {
                let m = msg(b, CERTIFICATE);
                let leaf_len = u24_at(b, m + 7);
                b[m + 10 + leaf_len - 1] ^= 0x01;
            },
        );
        assert_fatal(
            &mut pair,
            Side::Client,
            AlertDescription::DECRYPT_ERROR,
            key,
        );
    }
}

#[test]
fn certificate_request_without_certificate_types_is_decode_error() {
    let mut u = client_at(3);
    u.feed(&hs_record(HandshakeMessage::from(CertificateRequest {
        certificate_types: Vec::new(),
        signature_schemes: vec![SignatureScheme::RSA_PKCS1_SHA256],
        certificate_authorities: Vec::new(),
    })));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn server_requiring_a_client_certificate_refuses_an_empty_one() {
    let mut u = Under::forged_server(OPT_CLIENT_AUTH | fuzzing::OPT_CLIENT_AUTH_MANDATORY);
    u.feed_ok(&[hs_record(instance::client_hello())]);
    u.feed(&hs_record(HandshakeMessage::from(CertificateChain(
        Vec::new(),
    ))));
    u.assert_fatal(AlertDescription::HANDSHAKE_FAILURE);
}

/// A real server requiring a client certificate, after the client's Certificate and
/// ClientKeyExchange.
fn real_server_awaiting_certificate_verify() -> Under {
    let mut u = Under::real_server(true);
    let kx = RingProvider
        .kx_group(NamedGroup::X25519)
        .expect("X25519")
        .start()
        .expect("keygen");
    u.feed_ok(&[
        hs_record(instance::client_hello()),
        hs_record(HandshakeMessage::from(client_cert())),
        hs_record(cke(kx.public_key().to_vec())),
    ]);
    u
}

#[test]
fn bad_certificate_verify_signature_is_decrypt_error() {
    let mut u = real_server_awaiting_certificate_verify();
    u.feed(&hs_record(HandshakeMessage::certificate_verify(
        DigitallySigned {
            scheme: SignatureScheme::RSA_PKCS1_SHA256,
            signature: vec![0x42; 256],
        },
    )));
    u.assert_fatal(AlertDescription::DECRYPT_ERROR);
}

#[test]
fn certificate_verify_signed_over_the_wrong_transcript_is_decrypt_error() {
    // A real signature with the client's key, over something other than the transcript.
    let mut u = real_server_awaiting_certificate_verify();
    let key = common::certified_key("client-rsa");
    let signature = key
        .key
        .sign(SignatureScheme::RSA_PKCS1_SHA256, b"not the transcript")
        .expect("signs");
    u.feed(&hs_record(HandshakeMessage::certificate_verify(
        DigitallySigned {
            scheme: SignatureScheme::RSA_PKCS1_SHA256,
            signature,
        },
    )));
    u.assert_fatal(AlertDescription::DECRYPT_ERROR);
}

#[test]
fn certificate_verify_with_a_scheme_not_offered_is_illegal_parameter() {
    let mut u = real_server_awaiting_certificate_verify();
    u.feed(&hs_record(HandshakeMessage::certificate_verify(
        DigitallySigned {
            scheme: SignatureScheme(0x0201), // rsa_pkcs1_sha1
            signature: vec![0x42; 256],
        },
    )));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}
