//! Hello extensions: framing, duplicates and unsolicited ones, and each negotiated feature
//! (EC point formats, extended master secret, ALPN, SNI, renegotiation_info).

use crate::common::forge::*;
use crate::common::{Dir, HANDSHAKE, record};
use crate::instance;
use crate::tampering::*;
use tls12::fuzzing::{self};
use tls12::internal::codec::Codec;
use tls12::internal::codec::enums::{AlertDescription, ECPointFormat, NamedGroup};
use tls12::internal::msgs::{ClientExtension, ClientHello, ServerExtension};

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
fn server_hello_unsolicited_extension_is_unsupported_extension() {
    // RFC 5246 7.4.1.4: an extension in ServerHello that the client did not offer "MUST"
    // abort the handshake with unsupported_extension. extended_master_secret (0x0017)
    // becomes encrypt_then_mac (0x0016), which this client never offers, or an unassigned
    // type (0xfe00).
    for typ in [0x0016u16, 0xfe00] {
        let mut pair = tampered_default(Dir::ToClient, 1, |b| {
            let h = hello(b, msg(b, SERVER_HELLO));
            let e = ext(&h, 0x0017);
            b[e..e + 2].copy_from_slice(&typ.to_be_bytes());
        });
        assert_fatal(
            &mut pair,
            Side::Client,
            AlertDescription::UNSUPPORTED_EXTENSION,
            &format!("extension {typ:#06x}"),
        );
    }
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
fn client_hello_without_uncompressed_points_is_illegal_parameter() {
    // RFC 4492 5.1.2 / RFC 8422: uncompressed points are mandatory; a well-formed
    // ec_point_formats list without them is an unacceptable value: illegal_parameter.
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        let e = ext(&h, 0x000b);
        assert_eq!((b[e + 4], b[e + 5]), (1, 0), "one format: uncompressed");
        b[e + 5] = 1;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::ILLEGAL_PARAMETER,
        "ec_point_formats",
    );
}

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
