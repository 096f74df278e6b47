//! Decodes real TLS 1.2 traffic captured between `openssl s_client` and `openssl s_server`
//! on loopback (tests/data/captures/, made by tools/capture.sh) and the Illustrated TLS 1.2
//! connection, and checks they show what the lecture shows: TLS 1.2 (0x0303), suites 0xc02f
//! and 0xc030, x25519 (0x001d) and rsa_pkcs1_sha512 (0x0601).
//!
//! Run with `--nocapture` to see each message.

use tls12::internal::codec::enums::{
    CipherSuite, ContentType, ECCurveType, HandshakeType, NamedGroup, ProtocolVersion,
    SignatureScheme, WireName,
};
use tls12::internal::codec::{Codec, Reader};
use tls12::internal::msgs::{
    HandshakeMessage, HandshakePayload, KxContext, ServerKeyExchangePayload,
};
use tls12::internal::record::{Deframer, HandshakeJoiner};
use tls12::suites::{KeyExchange, SupportedSuite};

fn capture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/captures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The plaintext handshake messages at the start of one direction of a capture (everything
/// before ChangeCipherSpec), decoded with the key exchange of `suite` when known.
/// Decoded messages with their encodings.
type Flight = Vec<(Vec<u8>, HandshakeMessage)>;

fn plaintext_messages(stream: &[u8], kx: KxContext) -> Flight {
    let mut d = Deframer::new();
    let mut j = HandshakeJoiner::new(tls12::internal::record::DEFAULT_MAX_HANDSHAKE_MESSAGE);
    let mut out = Vec::new();
    let mut input = stream;
    'outer: loop {
        let n = d.feed(input);
        input = &input[n..];
        while let Some(rec) = d.next_record().expect("captured records deframe") {
            if rec.header.typ != ContentType::HANDSHAKE {
                assert_eq!(
                    rec.header.typ,
                    ContentType::CHANGE_CIPHER_SPEC,
                    "only CCS may end the plaintext part"
                );
                break 'outer;
            }
            j.push(rec.payload).expect("handshake fragments join");
            while let Some(m) = j.pop().expect("handshake message") {
                let msg =
                    HandshakeMessage::decode_with(m.encoded, kx).expect("captured message decodes");
                // Canonical: re-encoding gives the captured bytes.
                assert_eq!(
                    msg.to_bytes().unwrap(),
                    m.encoded,
                    "{:?} re-encodes to the same bytes",
                    msg.typ
                );
                out.push((m.encoded.to_vec(), msg));
            }
        }
        if input.is_empty() {
            break;
        }
    }
    out
}

fn hello_suite(msgs: &[(Vec<u8>, HandshakeMessage)]) -> &'static SupportedSuite {
    for (_, m) in msgs {
        if let HandshakePayload::ServerHello(sh) = &m.payload {
            return SupportedSuite::find(sh.cipher_suite)
                .expect("captured suite is one we implement");
        }
    }
    panic!("no ServerHello");
}

fn kx_of(s: &SupportedSuite) -> KxContext {
    match s.kx {
        KeyExchange::Ecdhe => KxContext::Ecdhe,
        KeyExchange::Rsa => KxContext::Rsa,
        _ => KxContext::Unknown,
    }
}

fn show(dir: &str, msgs: &[(Vec<u8>, HandshakeMessage)]) {
    for (bytes, m) in msgs {
        println!(
            "{dir} Handshake Protocol: {} ({} bytes)",
            m.typ,
            bytes.len()
        );
        match &m.payload {
            HandshakePayload::ClientHello(ch) => {
                println!("    Version: {}", ch.version.wire_name());
                println!("    Cipher Suites ({} suites)", ch.cipher_suites.len());
                for s in &ch.cipher_suites {
                    println!("        Cipher Suite: {}", s.wire_name());
                }
            }
            HandshakePayload::ServerHello(sh) => {
                println!("    Version: {}", sh.version.wire_name());
                println!("    Cipher Suite: {}", sh.cipher_suite.wire_name());
            }
            HandshakePayload::ServerKeyExchange(ServerKeyExchangePayload::Ecdhe(ske)) => {
                println!("    Curve Type: {}", ske.curve_type.wire_name());
                println!("    Named Curve: {}", ske.group.wire_name());
                println!("    Signature Algorithm: {}", ske.signed.scheme.wire_name());
            }
            _ => {}
        }
    }
}

fn both(name: &str) -> (Flight, Flight) {
    let s2c = capture(&format!("{name}.s2c.bin"));
    let c2s = capture(&format!("{name}.c2s.bin"));
    let server_first = plaintext_messages(&s2c, KxContext::Unknown);
    let suite = hello_suite(&server_first);
    let server = plaintext_messages(&s2c, kx_of(suite));
    let client = plaintext_messages(&c2s, kx_of(suite));
    println!("== {name}");
    show("c->s", &client);
    show("s->c", &server);
    (client, server)
}

#[test]
fn lecture_handshake_x25519_rsa_pkcs1_sha512() {
    let (client, server) = both("ecdhe-rsa-aes128gcm-x25519-sha512");
    let HandshakePayload::ClientHello(ch) = &client[0].1.payload else {
        panic!("first is ClientHello")
    };
    assert_eq!(ch.version, ProtocolVersion::TLS12);
    assert!(
        ch.cipher_suites
            .contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
    );
    assert_eq!(ch.server_name(), Some(&b"testserver.tls12.test"[..]));
    let types: Vec<_> = server.iter().map(|(_, m)| m.typ).collect();
    assert_eq!(
        types[..4],
        [
            HandshakeType::SERVER_HELLO,
            HandshakeType::CERTIFICATE,
            HandshakeType::SERVER_KEY_EXCHANGE,
            HandshakeType::SERVER_HELLO_DONE
        ]
    );
    let HandshakePayload::ServerHello(sh) = &server[0].1.payload else {
        panic!()
    };
    assert_eq!(sh.version, ProtocolVersion::TLS12);
    assert_eq!(sh.cipher_suite, CipherSuite(0xc02f));
    assert!(sh.extended_master_secret());
    let HandshakePayload::ServerKeyExchange(ServerKeyExchangePayload::Ecdhe(ske)) =
        &server[2].1.payload
    else {
        panic!("ECDHE ServerKeyExchange")
    };
    assert_eq!(ske.curve_type, ECCurveType::NAMED_CURVE);
    assert_eq!(ske.group, NamedGroup(0x001d));
    assert_eq!(ske.public.len(), 32);
    assert_eq!(ske.signed.scheme, SignatureScheme(0x0601));
    assert_eq!(ske.signed.signature.len(), 256);
    assert_eq!(
        format!("{}", ske.signed.scheme.wire_name()),
        "rsa_pkcs1_sha512 (0x0601)"
    );
}

#[test]
fn openssl_default_client_hello_offers_the_lecture_suites() {
    let (client, server) = both("default-tls12");
    let HandshakePayload::ClientHello(ch) = &client[0].1.payload else {
        panic!()
    };
    assert_eq!(ch.version, ProtocolVersion::TLS12);
    for s in [0xc02f, 0xc030] {
        assert!(ch.cipher_suites.contains(&CipherSuite(s)), "offers {s:#x}");
    }
    assert!(ch.supported_groups().unwrap().contains(&NamedGroup::X25519));
    let HandshakePayload::ServerHello(sh) = &server[0].1.payload else {
        panic!()
    };
    assert_eq!(
        sh.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    );
}

#[test]
fn every_capture_decodes_and_reencodes() {
    let dir = format!("{}/tests/data/captures", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".s2c.bin") else {
            continue;
        };
        let (client, server) = both(stem);
        assert!(!client.is_empty() && !server.is_empty(), "{stem}");
        assert_eq!(client[0].1.typ, HandshakeType::CLIENT_HELLO);
        assert_eq!(server[0].1.typ, HandshakeType::SERVER_HELLO);
        seen += 1;
    }
    assert!(seen >= 8, "expected at least 8 captures, saw {seen}");
}

#[test]
fn illustrated_tls12_records_decode() {
    let dir = format!(
        "{}/tests/data/illustrated-tls12",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut client = Vec::new();
    let mut server = Vec::new();
    for f in ["clienthello", "clientkeyexchange"] {
        client.extend(std::fs::read(format!("{dir}/{f}")).unwrap());
    }
    for f in [
        "serverhello",
        "servercert",
        "serverkeyexchange",
        "serverhellodone",
    ] {
        server.extend(std::fs::read(format!("{dir}/{f}")).unwrap());
    }
    let c = plaintext_messages(&client, KxContext::Ecdhe);
    let s = plaintext_messages(&server, KxContext::Ecdhe);
    let HandshakePayload::ClientHello(ch) = &c[0].1.payload else {
        panic!()
    };
    assert_eq!(ch.random.0, core::array::from_fn(|i| i as u8));
    let HandshakePayload::ServerHello(sh) = &s[0].1.payload else {
        panic!()
    };
    assert_eq!(
        sh.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    );
    assert_eq!(sh.random.0, core::array::from_fn(|i| 0x70 + i as u8));
    let HandshakePayload::ServerKeyExchange(ServerKeyExchangePayload::Ecdhe(ske)) = &s[2].1.payload
    else {
        panic!()
    };
    assert_eq!(ske.group, NamedGroup::X25519);
    assert_eq!(ske.signed.scheme, SignatureScheme::RSA_PKCS1_SHA256);
    let mut r = Reader::new(&c[1].0);
    let cke = HandshakeMessage::read_with(&mut r, KxContext::Ecdhe).unwrap();
    assert_eq!(cke.typ, HandshakeType::CLIENT_KEY_EXCHANGE);
}
