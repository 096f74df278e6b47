//! An adversarial peer: a scripted client or server built from this crate's codec
//! (`tls12::internal::msgs`), talking in memory to a real `ClientConnection` or `ServerConnection`.
//! Each test sends one thing a hostile peer might and asserts the exact alert our endpoint
//! sends (read back from the bytes it wrote), its error, and that it is dead afterwards:
//! every later call returns the same error.
//!
//! Two kinds of endpoint under test:
//!
//! - **forged**: the endpoint runs on the no-security `FuzzProvider` (feature `fuzzing`),
//!   with the fuzzing configurations of `tls12::fuzzing`, so the script can forge a whole
//!   handshake (signatures, key exchange, the encrypted Finished) and reach every state,
//!   including an established connection. The record layer and the handshake state
//!   machines are the real ones; only the crypto is replaced. Its "sealed" records are the
//!   plaintext behind an explicit nonce and followed by 16 zero bytes of tag, so the alert
//!   our endpoint sends can be read even once encrypted.
//! - **real**: the endpoint runs on `RingProvider` with the test PKI, for the checks that
//!   belong to real cryptography (EC points, signatures made with the test keys).
//!
//! The scripted peer and the endpoint under test (`Under`) are in `tests/common/forge.rs`,
//! shared with tests/conformance.rs and tests/no_panic.rs.
//!
//! What tests/tamper.rs already covers (single tampered bytes of a real handshake) is not
//! repeated here, nor resumption (tests/resumption.rs); a NewSessionTicket before the
//! server's ChangeCipherSpec is left out of the wrong-point tables, as it is legal once
//! tickets are offered.

mod common;

use common::forge::{self, *};
use common::{ALERT, APP_DATA, CCS, HANDSHAKE, fuzz_sealed, record, records};
use tls12::crypto::CryptoProvider;
use tls12::crypto::fuzz_provider::FUZZ_SIGNATURE;
use tls12::crypto::ring::RingProvider;
use tls12::fuzzing::{self, OPT_CLIENT_AUTH};
use tls12::internal::codec::Codec;
use tls12::internal::codec::enums::{
    AlertDescription, CipherSuite, ClientCertificateType, CompressionMethod, ECCurveType,
    ECPointFormat, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use tls12::internal::msgs::{
    CertificateChain, CertificateRequest, CertificateStatus, ClientExtension, ClientHello,
    DigitallySigned, EcdheServerKeyExchange, HandshakeMessage, NewSessionTicket, ServerExtension,
    ServerKeyExchangePayload,
};
use tls12::{Error, Event};

// ---------------------------------------------------------------------------------------
// The scripted peer's building blocks
// ---------------------------------------------------------------------------------------

/// Frames a handshake message for an endpoint that has had `steps` steps.
fn framed(steps: usize, m: HandshakeMessage) -> Vec<u8> {
    forge::framed(steps, &hs(m))
}

#[test]
fn the_forged_scripts_complete_a_handshake() {
    // The scripts themselves are right: the endpoints complete the handshake on them and
    // then take sealed application data.
    for mut u in [client_at(6), server_at(6)] {
        assert!(!u.conn().is_handshaking());
        assert!(
            u.sink
                .events
                .iter()
                .any(|e| matches!(e, Event::HandshakeComplete(_)))
        );
        u.feed(&fuzz_sealed(APP_DATA, b"hello"));
        assert_eq!(u.sink.error, None);
        assert_eq!(u.sink.app, b"hello");
    }
}

// ---------------------------------------------------------------------------------------
// Every handshake message at every wrong point: unexpected_message
// ---------------------------------------------------------------------------------------

/// One well-formed instance of each handshake message type (and an unknown type).
mod instance {
    use super::*;

    pub fn hello_request() -> HandshakeMessage {
        HandshakeMessage::hello_request()
    }
    pub fn client_hello() -> HandshakeMessage {
        HandshakeMessage::from(super::client_hello())
    }
    pub fn server_hello() -> HandshakeMessage {
        HandshakeMessage::from(super::server_hello())
    }
    pub fn certificate() -> HandshakeMessage {
        HandshakeMessage::from(server_cert())
    }
    pub fn server_key_exchange() -> HandshakeMessage {
        HandshakeMessage::from(forged_ske(NamedGroup::X25519, x25519_public()))
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
        cke(x25519_public())
    }
    pub fn finished() -> HandshakeMessage {
        super::finished([0; 12])
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
}

/// `wrong_point!(side_at, state_module, steps: [message, ..])`: one test per message, each
/// feeding that message to an endpoint `steps` steps into its script and expecting
/// unexpected_message.
macro_rules! wrong_point {
    ($at:ident, $state:ident, $steps:expr, [$($msg:ident),* $(,)?]) => {
        mod $state {
            use super::*;
            $(
                #[test]
                fn $msg() {
                    let mut u = $at($steps);
                    u.feed(&framed($steps, instance::$msg()));
                    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
                }
            )*
        }
    };
}

/// The client in each state, given every message but the ones that state accepts. A
/// HelloRequest is accepted everywhere: ignored mid-handshake (RFC 5246 section 7.4.1.1),
/// refused with a warning once established (tests/conformance.rs).
mod client_wrong_point {
    use super::*;

    wrong_point!(
        client_at,
        expect_server_hello,
        0,
        [
            client_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        expect_certificate,
        1,
        [
            client_hello,
            server_hello,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        expect_server_key_exchange,
        2,
        [
            client_hello,
            server_hello,
            certificate,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        expect_server_hello_done,
        3,
        [
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    // Before the server's ChangeCipherSpec (NewSessionTicket left out: see the file docs).
    wrong_point!(
        client_at,
        expect_change_cipher_spec,
        4,
        [
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        expect_finished,
        5,
        [
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        established,
        6,
        [
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
}

/// The server (requesting a client certificate) in each state.
mod server_wrong_point {
    use super::*;

    wrong_point!(
        server_at,
        expect_client_hello,
        0,
        [
            hello_request,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_certificate,
        1,
        [
            hello_request,
            client_hello,
            server_hello,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_client_key_exchange,
        2,
        [
            hello_request,
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_certificate_verify,
        3,
        [
            hello_request,
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_change_cipher_spec,
        4,
        [
            hello_request,
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_finished,
        5,
        [
            hello_request,
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        established,
        6,
        [
            hello_request,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
}

#[test]
fn a_second_certificate_request_is_unexpected_message() {
    let mut u = client_at(3);
    u.feed_ok(&[hs_record(instance::certificate_request())]);
    u.feed(&hs_record(instance::certificate_request()));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

// ---------------------------------------------------------------------------------------
// Truncated, oversized and empty messages and fields
// ---------------------------------------------------------------------------------------

#[test]
fn server_hello_body_shorter_than_its_fields_is_decode_error() {
    // A ServerHello whose header length is consistent but whose body ends inside the random.
    let mut body = vec![3, 3];
    body.extend_from_slice(&[2; 20]);
    let mut msg = vec![2, 0, 0, body.len() as u8];
    msg.extend_from_slice(&body);
    let mut u = client_at(0);
    u.feed(&record(HANDSHAKE, &msg));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn client_hello_with_trailing_bytes_is_decode_error() {
    let mut msg = hs(instance::client_hello());
    msg.push(0);
    let len = msg.len() - 4;
    msg[1..4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
    let mut u = server_at(0);
    u.feed(&record(HANDSHAKE, &msg));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn handshake_length_over_the_maximum_is_refused_at_the_header() {
    // A ClientHello announcing 16 MiB - 1: refused from its four header bytes alone, before
    // any of the body arrives (nothing is buffered for it).
    let mut u = server_at(0);
    u.feed(&record(HANDSHAKE, &[1, 0xff, 0xff, 0xff]));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
    assert!(matches!(
        u.sink.error,
        Some(Error::Decode(e)) if e.kind == tls12::DecodeErrorKind::MessageTooLarge
    ));
}

#[test]
fn extension_longer_than_its_block_is_decode_error() {
    let mut msg = hs(instance::client_hello());
    // The first extension's length (after its type) claims one byte more than is left.
    let ext_block = msg.len() - extensions_len(&client_hello());
    let at = ext_block + 2;
    let ext_len = u16::from_be_bytes([msg[at], msg[at + 1]]);
    msg[at..at + 2].copy_from_slice(&(ext_len + 200).to_be_bytes());
    let mut u = server_at(0);
    u.feed(&record(HANDSHAKE, &msg));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

/// The length of the extension list's contents of `ch`, as encoded.
fn extensions_len(ch: &ClientHello) -> usize {
    ch.extensions
        .as_ref()
        .expect("has extensions")
        .iter()
        .map(|e| e.to_bytes().unwrap().len())
        .sum()
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

#[test]
fn zero_length_handshake_fragment_is_decode_error() {
    let mut u = server_at(0);
    u.feed(&record(HANDSHAKE, &[]));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn zero_length_alert_fragment_is_decode_error() {
    let mut u = client_at(1);
    u.feed(&record(ALERT, &[]));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn alert_split_across_two_records_is_decode_error() {
    // RFC 5246 leaves alert fragmentation open; we take an alert only whole, in one record.
    let mut u = client_at(1);
    u.feed(&record(ALERT, &[1]));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn warning_alert_between_handshake_fragments_is_accepted() {
    // Content types may interleave (RFC 5246 6.2.1): a warning alert between two fragments
    // of the Certificate message is reported and the handshake goes on.
    let mut u = client_at(1);
    let cert = hs(instance::certificate());
    let (a, b) = cert.split_at(100);
    u.feed_ok(&[
        record(HANDSHAKE, a),
        record(ALERT, &alert_bytes(1, AlertDescription::USER_CANCELED)),
        record(HANDSHAKE, b),
    ]);
    assert!(
        u.sink
            .events
            .contains(&Event::AlertReceived(AlertDescription::USER_CANCELED))
    );
    u.feed_ok(&server_script()[2..]);
    assert!(!u.conn().is_handshaking());
}

#[test]
fn fatal_alert_between_handshake_fragments_ends_the_connection_silently() {
    let mut u = server_at(0);
    let ch = hs(instance::client_hello());
    let (a, b) = ch.split_at(20);
    u.feed(&record(HANDSHAKE, a));
    u.feed(&record(
        ALERT,
        &alert_bytes(2, AlertDescription::HANDSHAKE_FAILURE),
    ));
    let err = Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE);
    assert_eq!(u.sink.error, Some(err.clone()));
    assert!(
        u.sink.tx.is_empty(),
        "nothing is sent back for a fatal alert"
    );
    u.feed(&record(HANDSHAKE, b));
    u.assert_dead(&err);
}

// ---------------------------------------------------------------------------------------
// Extensions
// ---------------------------------------------------------------------------------------

#[test]
fn duplicated_client_hello_extension_is_unsupported_extension() {
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.push(ClientExtension::SupportedGroups(vec![NamedGroup::X25519]));
    }));
    u.assert_fatal(AlertDescription::UNSUPPORTED_EXTENSION);
}

#[test]
fn duplicated_server_hello_extension_is_unsupported_extension() {
    let mut u = client_at(0);
    u.feed(&server_hello_with(|sh| {
        let exts = sh.extensions.as_mut().expect("has extensions");
        exts.push(ServerExtension::ExtendedMasterSecret);
    }));
    u.assert_fatal(AlertDescription::UNSUPPORTED_EXTENSION);
}

#[test]
fn unsolicited_alpn_in_server_hello_is_unsupported_extension() {
    // The default client offers no ALPN.
    let mut u = client_at(0);
    u.feed(&server_hello_with(|sh| {
        let exts = sh.extensions.as_mut().expect("has extensions");
        exts.push(ServerExtension::Alpn(b"h2".to_vec()));
    }));
    u.assert_fatal(AlertDescription::UNSUPPORTED_EXTENSION);
}

#[test]
fn unknown_server_hello_extension_is_unsupported_extension() {
    let mut u = client_at(0);
    u.feed(&server_hello_with(|sh| {
        let exts = sh.extensions.as_mut().expect("has extensions");
        exts.push(ServerExtension::Unknown {
            typ: ExtensionType(0xfe00),
            data: Vec::new(),
        });
    }));
    u.assert_fatal(AlertDescription::UNSUPPORTED_EXTENSION);
}

#[test]
fn server_hello_choosing_a_tls13_suite_is_illegal_parameter() {
    let mut u = client_at(0);
    u.feed(&server_hello_with(|sh| {
        sh.cipher_suite = CipherSuite(0x1301);
    }));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn server_hello_choosing_the_renegotiation_scsv_is_illegal_parameter() {
    let mut u = client_at(0);
    u.feed(&server_hello_with(|sh| {
        sh.cipher_suite = CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV;
    }));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn server_hello_choosing_a_compressed_point_format_is_illegal_parameter() {
    let mut u = client_at(0);
    u.feed(&server_hello_with(|sh| {
        let exts = sh.extensions.as_mut().expect("has extensions");
        exts.retain(|e| !matches!(e, ServerExtension::EcPointFormats(_)));
        exts.push(ServerExtension::EcPointFormats(vec![ECPointFormat(1)]));
    }));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn server_key_exchange_with_a_group_not_offered_is_illegal_parameter() {
    // x448 (30) is not implemented, so never offered.
    let mut u = client_at(2);
    u.feed(&hs_record(HandshakeMessage::from(forged_ske(
        NamedGroup(30),
        vec![9; 56],
    ))));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn server_key_exchange_with_an_ecdsa_scheme_for_an_rsa_suite_is_illegal_parameter() {
    let mut u = client_at(2);
    let ServerKeyExchangePayload::Ecdhe(mut ske) = forged_ske(NamedGroup::X25519, x25519_public())
    else {
        unreachable!("forged_ske builds an ECDHE payload")
    };
    ske.signed.scheme = SignatureScheme::ECDSA_SECP256R1_SHA256;
    u.feed(&hs_record(HandshakeMessage::from(
        ServerKeyExchangePayload::Ecdhe(ske),
    )));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

// ---------------------------------------------------------------------------------------
// EC points (real crypto on the server; the same checks run under the FuzzProvider)
// ---------------------------------------------------------------------------------------

/// A real server after a ClientHello offering only `group`.
fn real_server_with_group(group: NamedGroup) -> Under {
    let mut u = Under::real_server(false);
    u.feed_ok(&[client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.retain(|e| !matches!(e, ClientExtension::SupportedGroups(_)));
        exts.push(ClientExtension::SupportedGroups(vec![group]));
    })]);
    u
}

#[test]
fn x25519_identity_point_is_illegal_parameter() {
    // The all-zero point gives an all-zero shared secret (RFC 7748 6.1).
    let mut u = real_server_with_group(NamedGroup::X25519);
    u.feed(&hs_record(cke(vec![0; 32])));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn x25519_low_order_point_is_illegal_parameter() {
    // 1 is a point of order 4 on Curve25519: the shared secret is zero too.
    let mut point = vec![0; 32];
    point[0] = 1;
    let mut u = real_server_with_group(NamedGroup::X25519);
    u.feed(&hs_record(cke(point)));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn x25519_point_of_31_bytes_is_illegal_parameter() {
    let mut u = real_server_with_group(NamedGroup::X25519);
    u.feed(&hs_record(cke(vec![9; 31])));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn p256_point_at_infinity_is_illegal_parameter() {
    // SEC1 encodes the identity as the single byte 0.
    let mut u = real_server_with_group(NamedGroup::SECP256R1);
    u.feed(&hs_record(cke(vec![0])));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn p256_compressed_point_is_illegal_parameter() {
    // Only uncompressed points were negotiated.
    let kx = RingProvider
        .kx_group(NamedGroup::SECP256R1)
        .expect("P-256")
        .start()
        .expect("keygen");
    let public = kx.public_key();
    let mut compressed = vec![2 + (public[64] & 1)];
    compressed.extend_from_slice(&public[1..33]);
    let mut u = real_server_with_group(NamedGroup::SECP256R1);
    u.feed(&hs_record(cke(compressed)));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn p256_point_of_the_wrong_length_is_illegal_parameter() {
    let mut point = vec![0x04];
    point.extend_from_slice(&[1; 63]);
    let mut u = real_server_with_group(NamedGroup::SECP256R1);
    u.feed(&hs_record(cke(point)));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

/// A real client after a real server's first flight, signed with the test key, whose
/// ServerKeyExchange carries `public` in `group`.
fn real_client_given_server_point(group: NamedGroup, public: Vec<u8>) -> Under {
    let mut u = Under::real_client();
    let hello_record = records(&u.sink.tx)[0];
    let ch = HandshakeMessage::decode(&u.sink.tx[hello_record.body()..hello_record.end()])
        .expect("our ClientHello decodes");
    let tls12::internal::msgs::HandshakePayload::ClientHello(ch) = ch.payload else {
        panic!("not a ClientHello");
    };
    let sh = server_hello();
    let params = tls12::internal::msgs::ecdhe_params(group, &public).unwrap();
    let message = tls12::internal::msgs::signed_message(&ch.random, &sh.random, &params);
    let key = common::certified_key("server-rsa");
    let signature = key
        .key
        .sign(SignatureScheme::RSA_PKCS1_SHA256, &message)
        .expect("signs");
    let ske = ServerKeyExchangePayload::Ecdhe(EcdheServerKeyExchange {
        curve_type: ECCurveType::NAMED_CURVE,
        group,
        public,
        signed: DigitallySigned {
            scheme: SignatureScheme::RSA_PKCS1_SHA256,
            signature,
        },
    });
    u.feed_ok(&[
        hs_record(HandshakeMessage::from(sh)),
        hs_record(HandshakeMessage::from(server_cert())),
        hs_record(HandshakeMessage::from(ske)),
    ]);
    u.feed(&hs_record(HandshakeMessage::server_hello_done()));
    u
}

#[test]
fn real_client_refuses_the_x25519_identity_from_a_validly_signed_server() {
    let mut u = real_client_given_server_point(NamedGroup::X25519, vec![0; 32]);
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn real_client_refuses_an_off_curve_p256_point_from_a_validly_signed_server() {
    let mut point = vec![0x04];
    point.extend_from_slice(&[1; 64]);
    let mut u = real_client_given_server_point(NamedGroup::SECP256R1, point);
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn real_client_completes_a_validly_signed_valid_point() {
    // The control for the two tests above: a real point, same signing, no error.
    let kx = RingProvider
        .kx_group(NamedGroup::X25519)
        .expect("X25519")
        .start()
        .expect("keygen");
    let u = real_client_given_server_point(NamedGroup::X25519, kx.public_key().to_vec());
    assert_eq!(u.sink.error, None);
    let recs = records(&u.sink.tx);
    assert_eq!(recs.last().map(|r| r.typ), Some(HANDSHAKE), "Finished sent");
    assert!(recs.iter().any(|r| r.typ == CCS));
}

// ---------------------------------------------------------------------------------------
// Signatures and Finished
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------

#[test]
fn record_with_a_bad_tag_is_bad_record_mac() {
    let mut rec = fuzz_sealed(HANDSHAKE, &hs(finished([0; 12])));
    let last = rec.len() - 1;
    rec[last] = 1;
    let mut u = client_at(5);
    u.feed(&rec);
    u.assert_fatal(AlertDescription::BAD_RECORD_MAC);
}

#[test]
fn encrypted_record_shorter_than_a_tag_is_bad_record_mac() {
    let mut u = server_at(5);
    u.feed(&record(HANDSHAKE, &[0; 20]));
    u.assert_fatal(AlertDescription::BAD_RECORD_MAC);
}

#[test]
fn ciphertext_over_2_14_plus_2048_is_record_overflow() {
    // RFC 5246 6.2.3: refused from the header, before the fragment arrives.
    let mut u = client_at(5);
    u.feed(&[HANDSHAKE, 3, 3, 0x48, 0x01]);
    u.assert_fatal(AlertDescription::RECORD_OVERFLOW);
}

#[test]
fn decrypted_plaintext_over_2_14_is_record_overflow() {
    // The ciphertext fits in 2^14 + 2048, but what it decrypts to is one byte too long.
    let mut u = client_at(6);
    u.feed(&fuzz_sealed(APP_DATA, &vec![b'x'; 16385]));
    u.assert_fatal(AlertDescription::RECORD_OVERFLOW);
    assert!(
        u.sink.app.is_empty(),
        "no data of an overlong record is released"
    );
}

// ---------------------------------------------------------------------------------------
// ChangeCipherSpec and application data out of place
// ---------------------------------------------------------------------------------------

#[test]
fn change_cipher_spec_before_server_hello_is_unexpected_message() {
    let mut u = client_at(0);
    u.feed(&record(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn change_cipher_spec_before_client_key_exchange_is_unexpected_message() {
    let mut u = server_at(2);
    u.feed(&record(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn change_cipher_spec_before_certificate_verify_is_unexpected_message() {
    // Skipping CertificateVerify after sending a certificate.
    let mut u = server_at(3);
    u.feed(&record(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn change_cipher_spec_twice_is_unexpected_message() {
    // The second one arrives under the new keys, as a peer would have to send it.
    let mut u = client_at(5);
    u.feed(&fuzz_sealed(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn change_cipher_spec_after_the_handshake_is_unexpected_message() {
    let mut u = server_at(6);
    u.feed(&fuzz_sealed(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

// A malformed ChangeCipherSpec is unexpected_message, not decode_error: as OpenSSL and
// GnuTLS answer and RFC 8446 section 5 words it (tests/conformance.rs has both sides).
#[test]
fn change_cipher_spec_of_two_bytes_is_unexpected_message() {
    let mut u = client_at(4);
    u.feed(&record(CCS, &[1, 1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn empty_change_cipher_spec_is_unexpected_message() {
    let mut u = client_at(4);
    u.feed(&record(CCS, &[]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn application_data_before_client_hello_is_unexpected_message() {
    let mut u = server_at(0);
    u.feed(&record(APP_DATA, b"GET / HTTP/1.1\r\n"));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn application_data_before_the_server_finished_is_unexpected_message() {
    // Encrypted and authentic, but before the handshake is complete.
    let mut u = client_at(5);
    u.feed(&fuzz_sealed(APP_DATA, b"early"));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
    assert!(u.sink.app.is_empty());
}

#[test]
fn plaintext_application_data_after_the_handshake_is_bad_record_mac() {
    let mut u = client_at(6);
    u.feed(&record(APP_DATA, b"in the clear, 16+ bytes long"));
    u.assert_fatal(AlertDescription::BAD_RECORD_MAC);
    assert!(u.sink.app.is_empty());
}

// ---------------------------------------------------------------------------------------
// Renegotiation and versions
// ---------------------------------------------------------------------------------------

#[test]
fn second_client_initiated_renegotiation_is_unexpected_message() {
    // The first is refused with a no_renegotiation warning, the second is fatal.
    let mut u = server_at(6);
    let sent = u.sink.tx.len();
    u.feed(&fuzz_sealed(HANDSHAKE, &hs(instance::client_hello())));
    assert_eq!(u.sink.error, None);
    assert_eq!(
        last_alert(&u.sink.tx[sent..]),
        Some((1, AlertDescription::NO_RENEGOTIATION))
    );
    u.feed(&fuzz_sealed(HANDSHAKE, &hs(instance::client_hello())));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn second_hello_request_is_unexpected_message() {
    let mut u = client_at(6);
    let sent = u.sink.tx.len();
    u.feed(&fuzz_sealed(HANDSHAKE, &hs(instance::hello_request())));
    assert_eq!(u.sink.error, None);
    assert_eq!(
        last_alert(&u.sink.tx[sent..]),
        Some((1, AlertDescription::NO_RENEGOTIATION))
    );
    u.feed(&fuzz_sealed(HANDSHAKE, &hs(instance::hello_request())));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn sslv2_format_client_hello_is_protocol_version() {
    // A real SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2) offering TLS 1.0: two-byte
    // header with the high bit set, msg_type 1, version 3.1, three cipher specs, no
    // session id, a 16-byte challenge.
    let mut body = vec![1, 3, 1, 0, 9, 0, 0, 0, 16];
    body.extend_from_slice(&[0x00, 0xc0, 0x2f, 0x00, 0x00, 0x9c, 0x00, 0x00, 0xff]);
    body.extend_from_slice(&[0x33; 16]);
    let mut msg = vec![0x80, body.len() as u8];
    msg.extend_from_slice(&body);
    let mut u = server_at(0);
    u.feed(&msg);
    u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
}

#[test]
fn tls10_only_client_hello_is_protocol_version() {
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| ch.version = ProtocolVersion::TLS10));
    u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
}

#[test]
fn tls11_only_client_hello_is_protocol_version() {
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        ch.version = ProtocolVersion(0x0302)
    }));
    u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
}

#[test]
fn tls13_only_client_hello_is_protocol_version() {
    // legacy_version 1.2, but supported_versions lists TLS 1.3 alone (RFC 8446 4.2.1).
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.push(ClientExtension::Unknown {
            typ: ExtensionType::SUPPORTED_VERSIONS,
            data: vec![2, 3, 4],
        });
    }));
    u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
}

#[test]
fn tls13_capable_client_hello_offering_tls12_is_accepted() {
    // The control: supported_versions listing 1.3 and 1.2 negotiates TLS 1.2.
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.push(ClientExtension::Unknown {
            typ: ExtensionType::SUPPORTED_VERSIONS,
            data: vec![4, 3, 4, 3, 3],
        });
    }));
    assert_eq!(u.sink.error, None);
    assert!(!u.sink.tx.is_empty(), "the server answered");
}

#[test]
fn client_hello_with_only_deflate_compression_is_illegal_parameter() {
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        ch.compression_methods = vec![CompressionMethod::DEFLATE];
    }));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

// ---------------------------------------------------------------------------------------
// Endless streams and peers that stop
// ---------------------------------------------------------------------------------------

#[test]
fn endless_empty_application_data_records_are_bounded_then_fatal() {
    let mut u = client_at(6);
    let empty = fuzz_sealed(APP_DATA, &[]);
    for i in 0..32 {
        u.feed(&empty);
        assert_eq!(u.sink.error, None, "empty record {i} refused");
    }
    u.feed(&empty);
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn empty_records_are_counted_only_in_a_row() {
    // Data in between resets the count: 32 empty, data, 32 empty is fine.
    let mut u = server_at(6);
    let empty = fuzz_sealed(APP_DATA, &[]);
    for _ in 0..32 {
        u.feed(&empty);
    }
    u.feed(&fuzz_sealed(APP_DATA, b"x"));
    for _ in 0..32 {
        u.feed(&empty);
    }
    assert_eq!(u.sink.error, None);
    assert_eq!(u.sink.app, b"x");
}

#[test]
fn endless_warning_alerts_are_bounded_then_fatal() {
    let mut u = server_at(0);
    let warning = record(ALERT, &alert_bytes(1, AlertDescription::USER_CANCELED));
    for i in 0..32 {
        u.feed(&warning);
        assert_eq!(u.sink.error, None, "warning {i} refused");
    }
    u.feed(&warning);
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
    let warnings = u
        .sink
        .events
        .iter()
        .filter(|e| **e == Event::AlertReceived(AlertDescription::USER_CANCELED))
        .count();
    assert_eq!(warnings, 32);
}

#[test]
fn endless_encrypted_warning_alerts_are_bounded_then_fatal() {
    let mut u = client_at(6);
    let warning = fuzz_sealed(ALERT, &alert_bytes(1, AlertDescription::USER_CANCELED));
    for _ in 0..32 {
        u.feed(&warning);
    }
    assert_eq!(u.sink.error, None);
    u.feed(&warning);
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn peer_stopping_mid_record_is_a_truncation() {
    // Half a record: the endpoint waits (sends nothing, no error); then the transport ends.
    let mut u = client_at(1);
    let rec = &server_script()[1];
    let sent = u.sink.tx.len();
    u.feed(&rec[..rec.len() / 2]);
    assert_eq!(u.sink.error, None);
    assert_eq!(u.sink.tx.len(), sent, "nothing sent for a partial record");
    let eof = u.conn().handle_eof();
    assert_eq!(eof, Err(Error::UnexpectedEof));
    // No alert for a truncation: the transport is gone.
    u.feed(&[]);
    assert_eq!(u.sink.tx.len(), sent);
    u.assert_dead(&Error::UnexpectedEof);
}

#[test]
fn peer_stopping_mid_message_is_a_truncation() {
    // Whole records carrying only part of the ClientHello.
    let mut u = server_at(0);
    let ch = hs(instance::client_hello());
    u.feed(&record(HANDSHAKE, &ch[..ch.len() - 10]));
    assert_eq!(u.sink.error, None);
    assert!(u.sink.tx.is_empty(), "nothing sent for a partial message");
    assert_eq!(u.conn().handle_eof(), Err(Error::UnexpectedEof));
    u.assert_dead(&Error::UnexpectedEof);
}

#[test]
fn peer_stopping_after_close_notify_is_clean() {
    // The control for the two tests above.
    let mut u = client_at(6);
    u.feed(&fuzz_sealed(
        ALERT,
        &alert_bytes(1, AlertDescription::CLOSE_NOTIFY),
    ));
    assert_eq!(u.sink.error, None);
    assert!(u.sink.events.contains(&Event::PeerClosed));
    assert_eq!(u.conn().handle_eof(), Ok(()));
}

#[test]
fn bad_server_key_exchange_signature_from_a_real_server_is_decrypt_error() {
    // A real client, the real certificate, and a signature of the right size that is not one.
    let mut u = Under::real_client();
    let ske = ServerKeyExchangePayload::Ecdhe(EcdheServerKeyExchange {
        curve_type: ECCurveType::NAMED_CURVE,
        group: NamedGroup::X25519,
        public: x25519_public(),
        signed: DigitallySigned {
            scheme: SignatureScheme::RSA_PKCS1_SHA256,
            signature: vec![0x42; 256],
        },
    });
    u.feed_ok(&[
        hs_record(HandshakeMessage::from(server_hello())),
        hs_record(HandshakeMessage::from(server_cert())),
    ]);
    u.feed(&hs_record(HandshakeMessage::from(ske)));
    u.assert_fatal(AlertDescription::DECRYPT_ERROR);
}

#[test]
fn server_key_exchange_signed_with_another_key_is_decrypt_error() {
    // Signed correctly over the right parameters, but with the client certificate's key,
    // not the key of the certificate the server presented.
    let mut u = Under::real_client();
    let hello = records(&u.sink.tx)[0];
    let ch = HandshakeMessage::decode(&u.sink.tx[hello.body()..hello.end()]).expect("decodes");
    let tls12::internal::msgs::HandshakePayload::ClientHello(ch) = ch.payload else {
        panic!("not a ClientHello");
    };
    let sh = server_hello();
    let params = tls12::internal::msgs::ecdhe_params(NamedGroup::X25519, &x25519_public()).unwrap();
    let message = tls12::internal::msgs::signed_message(&ch.random, &sh.random, &params);
    let signature = common::certified_key("client-rsa")
        .key
        .sign(SignatureScheme::RSA_PKCS1_SHA256, &message)
        .expect("signs");
    let ske = ServerKeyExchangePayload::Ecdhe(EcdheServerKeyExchange {
        curve_type: ECCurveType::NAMED_CURVE,
        group: NamedGroup::X25519,
        public: x25519_public(),
        signed: DigitallySigned {
            scheme: SignatureScheme::RSA_PKCS1_SHA256,
            signature,
        },
    });
    u.feed_ok(&[
        hs_record(HandshakeMessage::from(sh)),
        hs_record(HandshakeMessage::from(server_cert())),
    ]);
    u.feed(&hs_record(HandshakeMessage::from(ske)));
    u.assert_fatal(AlertDescription::DECRYPT_ERROR);
}

// ---------------------------------------------------------------------------------------
// Negotiated features: EMS, ALPN, SNI, renegotiation_info, client authentication
// ---------------------------------------------------------------------------------------

#[test]
fn server_requiring_ems_refuses_a_client_without_it() {
    let mut u = Under::forged_server(fuzzing::OPT_REQUIRE_EMS);
    u.feed(&client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.retain(|e| !matches!(e, ClientExtension::ExtendedMasterSecret));
    }));
    u.assert_fatal(AlertDescription::HANDSHAKE_FAILURE);
}

#[test]
fn client_requiring_ems_refuses_a_server_without_it() {
    let mut u = Under::forged_client(fuzzing::OPT_REQUIRE_EMS);
    u.feed(&server_hello_with(|sh| {
        let exts = sh.extensions.as_mut().expect("has extensions");
        exts.retain(|e| !matches!(e, ServerExtension::ExtendedMasterSecret));
    }));
    u.assert_fatal(AlertDescription::HANDSHAKE_FAILURE);
}

#[test]
fn server_with_alpn_and_no_common_protocol_is_no_application_protocol() {
    let mut u = Under::forged_server(fuzzing::OPT_ALPN);
    u.feed(&client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.push(ClientExtension::Alpn(vec![b"spdy/3".to_vec()]));
    }));
    u.assert_fatal(AlertDescription::NO_APPLICATION_PROTOCOL);
}

#[test]
fn server_hello_choosing_an_alpn_protocol_not_offered_is_illegal_parameter() {
    let mut u = Under::forged_client(fuzzing::OPT_ALPN);
    u.feed(&server_hello_with(|sh| {
        let exts = sh.extensions.as_mut().expect("has extensions");
        exts.push(ServerExtension::Alpn(b"spdy/3".to_vec()));
    }));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

/// RFC 6066 section 3: a HostName is a DNS name in ASCII, without a trailing dot; not an IP
/// literal. Anything else is refused with unrecognized_name (what OpenSSL sends for an
/// over-long or malformed name), before the name can be kept in a session.
#[test]
fn server_names_that_are_not_dns_names_are_unrecognized_name() {
    let long_label = "a".repeat(64);
    let too_long = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(62),
    ]
    .join(".");
    assert_eq!(too_long.len(), 254);
    for name in [
        "tést.example",
        "1.2.3.4",
        "::1",
        "[::1]",
        "a..b",
        "-a.example",
        "a b.example",
        "a\0b.example",
        long_label.as_str(),
        too_long.as_str(),
    ] {
        let mut u = server_at(0);
        u.feed(&client_hello_with(|ch| {
            let exts = ch.extensions.as_mut().expect("has extensions");
            exts.push(ClientExtension::host_name(name.as_bytes()));
        }));
        u.assert_fatal(AlertDescription::UNRECOGNIZED_NAME);
    }
}

/// The longest DNS name (253 bytes) is accepted.
#[test]
fn a_253_byte_server_name_is_accepted() {
    let name = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61),
    ]
    .join(".");
    assert_eq!(name.len(), 253);
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.push(ClientExtension::host_name(name.as_bytes()));
    }));
    assert_eq!(u.sink.error, None);
    assert!(
        u.sink.tx.len() > 1000,
        "the server answered with its flight"
    );
}

#[test]
fn non_empty_renegotiation_info_in_an_initial_client_hello_is_handshake_failure() {
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.push(ClientExtension::RenegotiationInfo(vec![0; 12]));
    }));
    u.assert_fatal(AlertDescription::HANDSHAKE_FAILURE);
}

#[test]
fn non_empty_renegotiation_info_in_an_initial_server_hello_is_handshake_failure() {
    let mut u = client_at(0);
    u.feed(&server_hello_with(|sh| {
        let exts = sh.extensions.as_mut().expect("has extensions");
        exts.retain(|e| !matches!(e, ServerExtension::RenegotiationInfo(_)));
        exts.push(ServerExtension::RenegotiationInfo(vec![0; 24]));
    }));
    u.assert_fatal(AlertDescription::HANDSHAKE_FAILURE);
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

// ---------------------------------------------------------------------------------------
// ClientHello lists
// ---------------------------------------------------------------------------------------

#[test]
fn client_hello_with_no_cipher_suites_is_decode_error() {
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| ch.cipher_suites.clear()));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn client_hello_with_no_compression_methods_is_decode_error() {
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| ch.compression_methods.clear()));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn client_hello_with_no_suite_in_common_is_handshake_failure() {
    // Only CBC and TLS 1.3 suites, none of which exist here.
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        ch.cipher_suites = vec![
            CipherSuite(0xc013),
            CipherSuite(0x002f),
            CipherSuite(0x1301),
        ];
    }));
    u.assert_fatal(AlertDescription::HANDSHAKE_FAILURE);
}

#[test]
fn client_hello_with_no_signature_scheme_for_our_key_is_handshake_failure() {
    // The server has only an RSA certificate; the client can verify only ECDSA.
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.retain(|e| !matches!(e, ClientExtension::SignatureAlgorithms(_)));
        exts.push(ClientExtension::SignatureAlgorithms(vec![
            SignatureScheme::ECDSA_SECP256R1_SHA256,
        ]));
    }));
    u.assert_fatal(AlertDescription::HANDSHAKE_FAILURE);
}

#[test]
fn client_hello_with_no_group_in_common_is_handshake_failure() {
    let mut u = server_at(0);
    u.feed(&client_hello_with(|ch| {
        let exts = ch.extensions.as_mut().expect("has extensions");
        exts.retain(|e| !matches!(e, ClientExtension::SupportedGroups(_)));
        exts.push(ClientExtension::SupportedGroups(vec![NamedGroup(0x0100)]));
    }));
    u.assert_fatal(AlertDescription::HANDSHAKE_FAILURE);
}

#[test]
fn alert_of_three_bytes_is_decode_error() {
    let mut u = server_at(0);
    u.feed(&record(ALERT, &[1, 0, 0]));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn alert_with_an_unknown_level_is_taken_as_fatal() {
    // Neither warning nor fatal: treated as fatal, and nothing is sent back.
    let mut u = client_at(2);
    u.feed(&record(ALERT, &[3, AlertDescription::USER_CANCELED.0]));
    let err = Error::AlertReceived(AlertDescription::USER_CANCELED);
    assert_eq!(u.sink.error, Some(err.clone()));
    assert_eq!(last_alert(&u.sink.tx), None, "no alert sent back");
    u.assert_dead(&err);
}
