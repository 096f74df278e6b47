//! ClientHello and ServerHello: their framing and fields (versions, session IDs, cipher
//! suites, compression methods, randoms) and what the server cannot negotiate.

use crate::common::forge::*;
use crate::common::{self, Dir, HANDSHAKE, Pair, client_config, record, server_config};
use crate::instance;
use crate::tampering::*;
use tls12::Error;
use tls12::internal::codec::enums::{
    AlertDescription, CipherSuite, ExtensionType, NamedGroup, SignatureScheme,
};
use tls12::internal::msgs::ClientExtension;

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
fn client_hello_short_handshake_length_is_decode_error() {
    // The handshake header says one byte less than the body's own fields need: the length of
    // the message is incorrect, decode_error.
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let m = msg(b, CLIENT_HELLO);
        let len = u24_at(b, m + 1) - 1;
        b[m + 1..m + 4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::DECODE_ERROR,
        "handshake length - 1",
    );
}

#[test]
fn client_hello_version_below_tls12_is_protocol_version() {
    // RFC 5246 E.1: a server that supports only versions above client_version "MUST send
    // a protocol_version alert".
    for version in [[3u8, 2], [3, 1], [3, 0], [2, 0]] {
        let mut pair = tampered_default(Dir::ToServer, 0, |b| {
            let h = hello(b, msg(b, CLIENT_HELLO));
            b[h.version..h.version + 2].copy_from_slice(&version);
        });
        assert_fatal(
            &mut pair,
            Side::Server,
            AlertDescription::PROTOCOL_VERSION,
            &format!("client_version {version:?}"),
        );
    }
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
fn client_hello_session_id_over_32_bytes_is_decode_error() {
    // SessionID is opaque<0..32>: a length of 33 is outside the field's specified range,
    // which is decode_error ("some field was out of the specified range", RFC 5246 7.2.2),
    // not illegal_parameter (a well-formed value that is not acceptable).
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        b[h.session_id_len] = 33;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::DECODE_ERROR,
        "session_id 33",
    );
}

#[test]
fn client_hello_odd_cipher_suites_length_is_decode_error() {
    // cipher_suites is CipherSuite<2..2^16-2>: an odd byte length cannot be decoded.
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        b[h.suites + 1] ^= 1;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::DECODE_ERROR,
        "odd cipher_suites length",
    );
}

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
fn client_hello_without_null_compression_is_illegal_parameter() {
    // RFC 5246 7.4.1.2: compression_methods "MUST contain" null. The list decodes; its
    // contents are not acceptable: illegal_parameter ("a field in the handshake was out of
    // range or inconsistent with other fields").
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        assert_eq!(b[h.compression], 0);
        b[h.compression] = 1;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::ILLEGAL_PARAMETER,
        "compression",
    );
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

/// The server must not pick an ECDSA certificate whose curve the client did not list in
/// supported_groups (RFC 8422 sections 4 and 5.3): OpenSSL clients check it and abort with
/// illegal_parameter ("wrong curve"). tests/interop_openssl.rs has the same regression
/// against `openssl s_client`.
#[test]
fn ecdsa_certificate_needs_its_curve_in_supported_groups() {
    // Default suites prefer ECDSA; the client lists only x25519: the P-256 certificate is
    // out, the RSA one is chosen.
    let mut c = client_config();
    c.common.groups = vec![NamedGroup::X25519];
    let mut pair = Pair::new(c, server_config(&["server-p256", "server-rsa"]));
    pair.handshake();
    let s = pair.client.handshake_summary().expect("complete");
    assert_eq!(s.suite, CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    assert_eq!(s.peer_certificates[0], common::cert("server-rsa"));

    // With secp256r1 listed (even second), ECDSA is back.
    let mut c = client_config();
    c.common.groups = vec![NamedGroup::X25519, NamedGroup::SECP256R1];
    let mut pair = Pair::new(c, server_config(&["server-p256", "server-rsa"]));
    pair.handshake();
    let s = pair.client.handshake_summary().expect("complete");
    assert_eq!(
        s.suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
    assert_eq!(s.group, Some(NamedGroup::X25519));

    // A P-384 certificate needs secp384r1; ECDSA suites only: no common ground.
    let mut c = client_config();
    c.common.groups = vec![NamedGroup::X25519, NamedGroup::SECP256R1];
    c.common
        .set_suites(&[CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384])
        .expect("implemented");
    let mut pair = Pair::new(c, server_config(&["server-p384"]));
    pair.run();
    assert!(
        matches!(pair.s.error, Some(Error::Negotiation { .. })),
        "{:?}",
        pair.s.error
    );
    assert_eq!(
        pair.c.error,
        Some(Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE))
    );
}

#[test]
fn client_hello_random_changed_breaks_the_server_signature() {
    // The server signs the client random it received (RFC 5246 7.4.3); the client verifies
    // over the one it sent, so the ServerKeyExchange signature fails: decrypt_error, sent by
    // the client.
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        b[h.random + 7] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::DECRYPT_ERROR,
        "client random",
    );
}

#[test]
fn server_hello_version_is_protocol_version() {
    // RFC 5246 E.1: a version the client does not support: "the client MUST send a
    // protocol_version alert".
    for version in [[3u8, 2], [3, 1], [3, 4]] {
        let mut pair = tampered_default(Dir::ToClient, 1, |b| {
            let h = hello(b, msg(b, SERVER_HELLO));
            b[h.version..h.version + 2].copy_from_slice(&version);
        });
        assert_fatal(
            &mut pair,
            Side::Client,
            AlertDescription::PROTOCOL_VERSION,
            &format!("server_version {version:?}"),
        );
    }
}

#[test]
fn server_hello_suite_not_offered_is_illegal_parameter() {
    // RFC 5246 7.4.1.3: the suite is "selected by the server from the list in
    // ClientHello.cipher_suites"; another one is a value inconsistent with the ClientHello.
    // The chosen suite 0xc02f becomes 0xc0d0 (unassigned), or TLS_AES_128_GCM_SHA256 (TLS
    // 1.3 only).
    for suite in [[0xc0, 0xd0], [0x13, 0x01]] {
        let mut pair = tampered_default(Dir::ToClient, 1, |b| {
            let h = hello(b, msg(b, SERVER_HELLO));
            assert_eq!(u16_at(b, h.suites), 0xc02f);
            b[h.suites..h.suites + 2].copy_from_slice(&suite);
        });
        assert_fatal(
            &mut pair,
            Side::Client,
            AlertDescription::ILLEGAL_PARAMETER,
            &format!("cipher_suite {suite:02x?}"),
        );
    }
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
fn server_hello_compression_not_offered_is_illegal_parameter() {
    // As for the suite: the method must be one the client offered (only null).
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let h = hello(b, msg(b, SERVER_HELLO));
        b[h.compression] = 1;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::ILLEGAL_PARAMETER,
        "compression_method",
    );
}

#[test]
fn server_hello_session_id_over_32_bytes_is_decode_error() {
    // As in the ClientHello: opaque SessionID<0..32> with length 33.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let h = hello(b, msg(b, SERVER_HELLO));
        b[h.session_id_len] = 33;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::DECODE_ERROR,
        "session_id 33",
    );
}

#[test]
fn server_hello_random_changed_breaks_the_server_signature() {
    // The ServerKeyExchange signature covers server_random: decrypt_error.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let h = hello(b, msg(b, SERVER_HELLO));
        b[h.random + 31] ^= 0x80;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::DECRYPT_ERROR,
        "server random",
    );
}
