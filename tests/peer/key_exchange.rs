//! ServerKeyExchange and ClientKeyExchange: the server's signature, the group and scheme it
//! chose, and the EC points of both sides (with real cryptography: ring's checks).

use crate::common::forge::*;
use crate::common::{self, CCS, Dir, HANDSHAKE, client_config, records, server_config};
use crate::tampering::*;
use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
use tls12::internal::codec::Codec;
use tls12::internal::codec::enums::{AlertDescription, ECCurveType, NamedGroup, SignatureScheme};
use tls12::internal::msgs::{
    ClientExtension, DigitallySigned, EcdheServerKeyExchange, HandshakeMessage,
    ServerKeyExchangePayload,
};

/// Offsets in a ServerKeyExchange (ECDHE, named curve) starting at `m`.
struct Ske {
    group: usize,
    public: usize,
    scheme: usize,
    last: usize,
}

fn ske(b: &[u8], m: usize) -> Ske {
    let group = m + 5;
    let public = m + 8;
    let scheme = public + usize::from(b[m + 7]);
    Ske {
        group,
        public,
        scheme,
        last: m + 4 + u24_at(b, m + 1) - 1,
    }
}

#[test]
fn server_key_exchange_signature_changed_is_decrypt_error() {
    // RFC 5246 7.2.2 decrypt_error: "unable to correctly verify a signature". RSA, P-256
    // and P-384 keys; the signature's last byte and a byte of the signed public key.
    for key in ["server-rsa", "server-p256", "server-p384"] {
        for which in ["signature", "public key"] {
            let mut pair = tampered(
                client_config(),
                server_config(&[key]),
                Dir::ToClient,
                1,
                |b| {
                    let s = ske(b, msg(b, SERVER_KEY_EXCHANGE));
                    let at = if which == "signature" {
                        s.last
                    } else {
                        s.public + 3
                    };
                    b[at] ^= 0x01;
                },
            );
            assert_fatal(
                &mut pair,
                Side::Client,
                AlertDescription::DECRYPT_ERROR,
                &format!("{key} {which}"),
            );
        }
    }
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

#[test]
fn server_key_exchange_group_not_offered_is_illegal_parameter() {
    // The curve must be one the client listed in supported_groups (RFC 8422 5.4); x25519
    // (0x001d) becomes brainpoolP512r1 (0x001c) or x448 (0x001e), neither implemented nor
    // offered: a value inconsistent with the ClientHello. Checked before the signature (which
    // no longer verifies over the changed group).
    for group in [0x1c, 0x1e] {
        let mut pair = tampered_default(Dir::ToClient, 1, |b| {
            let s = ske(b, msg(b, SERVER_KEY_EXCHANGE));
            assert_eq!(u16_at(b, s.group), 0x001d);
            b[s.group + 1] = group;
        });
        assert_fatal(
            &mut pair,
            Side::Client,
            AlertDescription::ILLEGAL_PARAMETER,
            &format!("group {group:#04x}"),
        );
    }
}

#[test]
fn server_key_exchange_scheme_not_offered_is_illegal_parameter() {
    // RFC 5246 7.4.3: the signature algorithm must be one from the client's
    // signature_algorithms. 0x..ff is no scheme anyone offers.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let s = ske(b, msg(b, SERVER_KEY_EXCHANGE));
        b[s.scheme + 1] = 0xff;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::ILLEGAL_PARAMETER,
        "signature scheme",
    );
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

#[test]
fn client_key_exchange_point_changed_is_bad_record_mac() {
    // A different x25519 point is still a valid point: the server derives other keys, and
    // the first record it cannot authenticate is the client's encrypted Finished.
    let mut pair = tampered_default(Dir::ToServer, 2, |b| {
        let m = msg(b, CLIENT_KEY_EXCHANGE);
        b[m + 5 + 9] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::BAD_RECORD_MAC,
        "x25519 point",
    );
}

#[test]
fn client_key_exchange_invalid_p256_point_is_illegal_parameter() {
    // A P-256 point with one coordinate changed is off the curve. RFC 8422 5.11 requires the
    // check without naming an alert; a value out of range for the field is illegal_parameter
    // (RFC 5246 7.2.2), the alert RFC 8446 4.2.8 names for the same check.
    let mut c = client_config();
    c.common.groups = vec![tls12::enums::NamedGroup::SECP256R1];
    let mut pair = tampered(c, server_config(&["server-rsa"]), Dir::ToServer, 2, |b| {
        let m = msg(b, CLIENT_KEY_EXCHANGE);
        assert_eq!((b[m + 4], b[m + 5]), (65, 4), "an uncompressed P-256 point");
        b[m + 5 + 9] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::ILLEGAL_PARAMETER,
        "P-256 point",
    );
}

#[test]
fn client_key_exchange_point_length_changed_is_decode_error() {
    // The point's u8 length no longer matches the message: decode_error.
    let mut pair = tampered_default(Dir::ToServer, 2, |b| {
        let m = msg(b, CLIENT_KEY_EXCHANGE);
        b[m + 4] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::DECODE_ERROR,
        "point length",
    );
}
