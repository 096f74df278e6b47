//! Property tests for the message codecs: every message and extension survives
//! encode-then-decode, and decoding arbitrary or mutated bytes never panics and, when it
//! succeeds, is canonical (re-encoding gives the input back).

use proptest::collection::vec;
use proptest::prelude::*;
use tls12::internal::codec::Codec;
use tls12::internal::codec::enums::{
    AlertDescription, AlertLevel, CertificateStatusType, CipherSuite, ClientCertificateType,
    CompressionMethod, ECCurveType, ECPointFormat, ExtensionType, HandshakeType, MaxFragmentLength,
    NamedGroup, ProtocolVersion, ServerNameType, SignatureScheme,
};
use tls12::internal::msgs::*;

fn bytes(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), len)
}

fn random() -> impl Strategy<Value = Random> {
    any::<[u8; 32]>().prop_map(Random)
}

fn session_id() -> impl Strategy<Value = SessionId> {
    bytes(0..33).prop_map(|b| SessionId::new(&b).expect("at most 32 bytes"))
}

fn max_fragment_length() -> impl Strategy<Value = MaxFragmentLength> {
    (1u8..=4).prop_map(MaxFragmentLength)
}

fn groups() -> impl Strategy<Value = Vec<NamedGroup>> {
    vec(any::<u16>().prop_map(NamedGroup), 1..8)
}

fn point_formats() -> impl Strategy<Value = Vec<ECPointFormat>> {
    vec(any::<u8>().prop_map(ECPointFormat), 1..4)
}

fn schemes(min: usize) -> impl Strategy<Value = Vec<SignatureScheme>> {
    vec(any::<u16>().prop_map(SignatureScheme), min..8)
}

const CLIENT_TYPED: [u16; 11] = [0, 1, 5, 10, 11, 13, 16, 23, 28, 35, 0xff01];
const SERVER_TYPED: [u16; 9] = [0, 1, 5, 11, 16, 23, 28, 35, 0xff01];

fn status_request() -> impl Strategy<Value = CertificateStatusRequest> {
    prop_oneof![
        (vec(bytes(1..8), 0..3), bytes(0..8)).prop_map(|(responder_ids, extensions)| {
            CertificateStatusRequest::Ocsp(OcspStatusRequest {
                responder_ids,
                extensions,
            })
        }),
        (2u8..=255, bytes(0..8)).prop_map(|(t, data)| CertificateStatusRequest::Unknown {
            status_type: CertificateStatusType(t),
            data
        }),
    ]
}

fn client_extension() -> impl Strategy<Value = ClientExtension> {
    prop_oneof![
        vec(
            (any::<u8>(), bytes(1..16)).prop_map(|(t, name)| ServerNameEntry {
                name_type: ServerNameType(t),
                name
            }),
            1..3
        )
        .prop_map(ClientExtension::ServerName),
        max_fragment_length().prop_map(ClientExtension::MaxFragmentLength),
        status_request().prop_map(ClientExtension::StatusRequest),
        groups().prop_map(ClientExtension::SupportedGroups),
        point_formats().prop_map(ClientExtension::EcPointFormats),
        schemes(1).prop_map(ClientExtension::SignatureAlgorithms),
        vec(bytes(1..12), 1..4).prop_map(ClientExtension::Alpn),
        Just(ClientExtension::ExtendedMasterSecret),
        (64u16..).prop_map(ClientExtension::RecordSizeLimit),
        bytes(0..40).prop_map(ClientExtension::SessionTicket),
        bytes(0..13).prop_map(ClientExtension::RenegotiationInfo),
        (
            any::<u16>().prop_filter("typed", |t| !CLIENT_TYPED.contains(t)),
            bytes(0..16)
        )
            .prop_map(|(t, data)| ClientExtension::Unknown {
                typ: ExtensionType(t),
                data
            }),
    ]
}

fn server_extension() -> impl Strategy<Value = ServerExtension> {
    prop_oneof![
        Just(ServerExtension::ServerName),
        max_fragment_length().prop_map(ServerExtension::MaxFragmentLength),
        Just(ServerExtension::StatusRequest),
        point_formats().prop_map(ServerExtension::EcPointFormats),
        bytes(1..12).prop_map(ServerExtension::Alpn),
        Just(ServerExtension::ExtendedMasterSecret),
        (64u16..).prop_map(ServerExtension::RecordSizeLimit),
        Just(ServerExtension::SessionTicket),
        bytes(0..25).prop_map(ServerExtension::RenegotiationInfo),
        (
            any::<u16>().prop_filter("typed", |t| !SERVER_TYPED.contains(t)),
            bytes(0..16)
        )
            .prop_map(|(t, data)| ServerExtension::Unknown {
                typ: ExtensionType(t),
                data
            }),
    ]
}

/// Keeps the first extension of each type: a hello never repeats one.
fn dedup<E>(exts: Vec<E>, typ: impl Fn(&E) -> ExtensionType) -> Vec<E> {
    let mut seen = Vec::new();
    exts.into_iter()
        .filter(|e| {
            let t = typ(e);
            let new = !seen.contains(&t);
            seen.push(t);
            new
        })
        .collect()
}

fn client_hello() -> impl Strategy<Value = ClientHello> {
    (
        any::<u16>(),
        random(),
        session_id(),
        vec(any::<u16>().prop_map(CipherSuite), 1..20),
        vec(any::<u8>().prop_map(CompressionMethod), 1..3),
        proptest::option::of(vec(client_extension(), 0..8)),
    )
        .prop_map(
            |(v, random, session_id, cipher_suites, comp, exts)| ClientHello {
                version: ProtocolVersion(v),
                random,
                session_id,
                cipher_suites,
                compression_methods: comp,
                extensions: exts.map(|e| dedup(e, ClientExtension::ext_type)),
            },
        )
}

fn server_hello() -> impl Strategy<Value = ServerHello> {
    (
        any::<u16>(),
        random(),
        session_id(),
        any::<u16>(),
        any::<u8>(),
        proptest::option::of(vec(server_extension(), 0..8)),
    )
        .prop_map(|(v, random, session_id, cs, comp, exts)| ServerHello {
            version: ProtocolVersion(v),
            random,
            session_id,
            cipher_suite: CipherSuite(cs),
            compression_method: CompressionMethod(comp),
            extensions: exts.map(|e| dedup(e, ServerExtension::ext_type)),
        })
}

fn chain() -> impl Strategy<Value = CertificateChain> {
    vec(bytes(1..64), 0..4).prop_map(|certs| {
        CertificateChain(
            certs
                .into_iter()
                .map(pki_types::CertificateDer::from)
                .collect(),
        )
    })
}

fn certificate_request() -> impl Strategy<Value = CertificateRequest> {
    (
        vec(any::<u8>().prop_map(ClientCertificateType), 1..4),
        schemes(0),
        vec(bytes(1..20), 0..3),
    )
        .prop_map(|(t, s, ca)| CertificateRequest {
            certificate_types: t,
            signature_schemes: s,
            certificate_authorities: ca,
        })
}

fn digitally_signed() -> impl Strategy<Value = DigitallySigned> {
    (any::<u16>(), bytes(0..80)).prop_map(|(s, signature)| DigitallySigned {
        scheme: SignatureScheme(s),
        signature,
    })
}

fn ecdhe_ske() -> impl Strategy<Value = EcdheServerKeyExchange> {
    (any::<u16>(), bytes(1..100), digitally_signed()).prop_map(|(g, public, signed)| {
        EcdheServerKeyExchange {
            curve_type: ECCurveType::NAMED_CURVE,
            group: NamedGroup(g),
            public,
            signed,
        }
    })
}

fn ticket() -> impl Strategy<Value = NewSessionTicket> {
    (any::<u32>(), bytes(0..100)).prop_map(|(lifetime_hint, ticket)| NewSessionTicket {
        lifetime_hint,
        ticket,
    })
}

fn certificate_status() -> impl Strategy<Value = CertificateStatus> {
    prop_oneof![
        bytes(1..64).prop_map(CertificateStatus::Ocsp),
        (2u8..=255, bytes(0..16)).prop_map(|(t, data)| CertificateStatus::Unknown {
            status_type: CertificateStatusType(t),
            data
        }),
    ]
}

const MODELLED: [u8; 12] = [0, 1, 2, 4, 11, 12, 13, 14, 15, 16, 20, 22];

/// A handshake message with the key exchange context needed to read it back.
fn handshake() -> impl Strategy<Value = (HandshakeMessage, KxContext)> {
    let u = KxContext::Unknown;
    prop_oneof![
        Just((HandshakeMessage::hello_request(), u)),
        client_hello().prop_map(move |m| (m.into(), u)),
        server_hello().prop_map(move |m| (m.into(), u)),
        chain().prop_map(move |m| (m.into(), u)),
        ecdhe_ske().prop_map(|m| (ServerKeyExchangePayload::Ecdhe(m).into(), KxContext::Ecdhe)),
        bytes(0..64).prop_map(move |b| (ServerKeyExchangePayload::Unknown(b).into(), u)),
        certificate_request().prop_map(move |m| (m.into(), u)),
        Just((HandshakeMessage::server_hello_done(), u)),
        digitally_signed().prop_map(move |m| (HandshakeMessage::certificate_verify(m), u)),
        bytes(1..100).prop_map(|b| (ClientKeyExchangePayload::Ecdhe(b).into(), KxContext::Ecdhe)),
        bytes(0..300).prop_map(|b| (ClientKeyExchangePayload::Rsa(b).into(), KxContext::Rsa)),
        bytes(0..64).prop_map(move |b| (ClientKeyExchangePayload::Unknown(b).into(), u)),
        bytes(0..20).prop_map(move |b| (HandshakeMessage::finished(b), u)),
        ticket().prop_map(move |m| (m.into(), u)),
        certificate_status().prop_map(move |m| (m.into(), u)),
        (
            any::<u8>().prop_filter("modelled", |t| !MODELLED.contains(t)),
            bytes(0..32)
        )
            .prop_map(move |(t, b)| (HandshakeMessage::unknown(HandshakeType(t), b), u)),
    ]
}

/// decode(encode(v)) == v.
fn roundtrip<T: Codec + PartialEq + std::fmt::Debug>(v: &T) -> Result<(), TestCaseError> {
    let enc = v.to_bytes().unwrap();
    let dec = T::decode(&enc).map_err(|e| TestCaseError::fail(format!("{e}: {enc:02x?}")))?;
    prop_assert_eq!(&dec, v);
    Ok(())
}

/// If `bytes` decodes, it re-encodes to exactly `bytes`.
fn canonical<T: Codec + std::fmt::Debug>(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(v) = T::decode(bytes) {
        prop_assert_eq!(v.to_bytes().unwrap(), bytes, "{:?}", v);
    }
    Ok(())
}

fn canonical_handshake(bytes: &[u8]) -> Result<(), TestCaseError> {
    for ctx in [KxContext::Unknown, KxContext::Ecdhe, KxContext::Rsa] {
        if let Ok(m) = HandshakeMessage::decode_with(bytes, ctx) {
            prop_assert_eq!(m.to_bytes().unwrap(), bytes, "{:?} {:?}", ctx, m);
        }
    }
    Ok(())
}

/// Every body decoder on `bytes`, each of which must be total and canonical.
fn canonical_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    canonical_handshake(bytes)?;
    canonical::<ClientHello>(bytes)?;
    canonical::<ServerHello>(bytes)?;
    canonical::<ClientExtension>(bytes)?;
    canonical::<ServerExtension>(bytes)?;
    canonical::<CertificateChain>(bytes)?;
    canonical::<CertificateRequest>(bytes)?;
    canonical::<CertificateStatus>(bytes)?;
    canonical::<DigitallySigned>(bytes)?;
    canonical::<EcdheServerKeyExchange>(bytes)?;
    canonical::<NewSessionTicket>(bytes)?;
    canonical::<AlertMessage>(bytes)?;
    canonical::<ChangeCipherSpec>(bytes)?;
    canonical::<SessionId>(bytes)?;
    canonical::<Random>(bytes)?;
    Ok(())
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Truncate(usize),
    Insert(usize, u8),
    Remove(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Remove),
    ]
}

fn mutate(mut b: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let n = b.len();
        match *m {
            Mutation::Set(i, v) if n > 0 => b[i % n] = v,
            Mutation::Truncate(i) => b.truncate(i % (n + 1)),
            Mutation::Insert(i, v) => b.insert(i % (n + 1), v),
            Mutation::Remove(i) if n > 0 => {
                b.remove(i % n);
            }
            _ => {}
        }
    }
    b
}

/// Mutates the body of an encoded extension or handshake message (after a header of
/// `type_len` type bytes and `len_len` length bytes) and writes a header whose length matches
/// the mutated body, so the mutation reaches the body decoder.
fn mutate_body(enc: &[u8], type_len: usize, len_len: usize, muts: &[Mutation]) -> Vec<u8> {
    let body = mutate(enc[type_len + len_len..].to_vec(), muts);
    let mut out = enc[..type_len].to_vec();
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[4 - len_len..]);
    out.extend_from_slice(&body);
    out
}

proptest! {
    #[test]
    fn client_extension_roundtrip(e in client_extension()) {
        roundtrip(&e)?;
    }

    #[test]
    fn server_extension_roundtrip(e in server_extension()) {
        roundtrip(&e)?;
    }

    #[test]
    fn client_hello_roundtrip(m in client_hello()) {
        roundtrip(&m)?;
        // The accessors agree with the extension list.
        for e in m.extensions() {
            prop_assert!(m.has_extension(e.ext_type()));
        }
        prop_assert_eq!(m.extended_master_secret(), m.has_extension(ExtensionType::EXTENDED_MASTER_SECRET));
        prop_assert_eq!(m.supported_groups().is_some(), m.has_extension(ExtensionType::SUPPORTED_GROUPS));
    }

    #[test]
    fn server_hello_roundtrip(m in server_hello()) {
        roundtrip(&m)?;
        prop_assert_eq!(m.alpn_protocol().is_some(), m.has_extension(ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION));
    }

    #[test]
    fn certificate_messages_roundtrip(c in chain(), r in certificate_request(), s in certificate_status()) {
        roundtrip(&c)?;
        roundtrip(&r)?;
        roundtrip(&s)?;
    }

    #[test]
    fn kx_roundtrip(ske in ecdhe_ske(), ds in digitally_signed()) {
        roundtrip(&ske)?;
        roundtrip(&ds)?;
        let params = ecdhe_params(ske.group, &ske.public).unwrap();
        prop_assert_eq!(&params, &ske.params().unwrap());
        prop_assert!(ske.to_bytes().unwrap().starts_with(&params));
    }

    #[test]
    fn small_messages_roundtrip(t in ticket(), level in any::<u8>(), desc in any::<u8>(), sid in session_id(), rnd in random()) {
        roundtrip(&t)?;
        roundtrip(&AlertMessage { level: AlertLevel(level), description: AlertDescription(desc) })?;
        roundtrip(&ChangeCipherSpec)?;
        roundtrip(&sid)?;
        roundtrip(&rnd)?;
    }

    #[test]
    fn handshake_roundtrip((m, ctx) in handshake()) {
        let enc = m.to_bytes().unwrap();
        prop_assert_eq!(HandshakeMessage::decode_with(&enc, ctx), Ok(m.clone()));
        if let Some(t) = m.payload.handshake_type() {
            prop_assert_eq!(t, m.typ);
        }
        // Read without the context, every message still roundtrips byte for byte.
        let raw = HandshakeMessage::decode(&enc).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(raw.to_bytes().unwrap(), enc);
    }

    #[test]
    fn random_bytes_never_panic(b in bytes(0..300)) {
        canonical_all(&b)?;
    }

    #[test]
    fn mutated_messages_stay_canonical((m, _ctx) in handshake(), muts in vec(mutation(), 1..4)) {
        let enc = mutate(m.to_bytes().unwrap(), &muts);
        canonical_handshake(&enc)?;
        if enc.len() >= 4 {
            // The body alone, through every body decoder.
            canonical_all(&enc[4..])?;
        }
    }

    #[test]
    fn mutated_handshake_bodies_stay_canonical((m, _ctx) in handshake(), muts in vec(mutation(), 1..4)) {
        let enc = mutate_body(&m.to_bytes().unwrap(), 1, 3, &muts);
        canonical_handshake(&enc)?;
    }

    #[test]
    fn mutated_extension_bodies_stay_canonical(c in client_extension(), s in server_extension(), muts in vec(mutation(), 1..3)) {
        for enc in [c.to_bytes().unwrap(), s.to_bytes().unwrap()] {
            let enc = mutate_body(&enc, 2, 2, &muts);
            canonical::<ClientExtension>(&enc)?;
            canonical::<ServerExtension>(&enc)?;
        }
    }

    #[test]
    fn hellos_with_mutated_extensions_stay_canonical(
        ch in client_hello(),
        sh in server_hello(),
        cexts in vec((client_extension(), vec(mutation(), 0..3)), 0..6),
        sexts in vec((server_extension(), vec(mutation(), 0..3)), 0..6),
    ) {
        let mut ch = ch;
        ch.extensions = None;
        let mut b = ch.to_bytes().unwrap();
        let block: Vec<u8> = cexts.iter().flat_map(|(e, m)| mutate_body(&e.to_bytes().unwrap(), 2, 2, m)).collect();
        b.extend_from_slice(&(block.len() as u16).to_be_bytes());
        b.extend_from_slice(&block);
        canonical::<ClientHello>(&b)?;
        let mut sh = sh;
        sh.extensions = None;
        let mut b = sh.to_bytes().unwrap();
        let block: Vec<u8> = sexts.iter().flat_map(|(e, m)| mutate_body(&e.to_bytes().unwrap(), 2, 2, m)).collect();
        b.extend_from_slice(&(block.len() as u16).to_be_bytes());
        b.extend_from_slice(&block);
        canonical::<ServerHello>(&b)?;
    }

    #[test]
    fn mutated_extensions_stay_canonical(c in client_extension(), s in server_extension(), muts in vec(mutation(), 1..3)) {
        let c = mutate(c.to_bytes().unwrap(), &muts);
        let s = mutate(s.to_bytes().unwrap(), &muts);
        canonical::<ClientExtension>(&c)?;
        canonical::<ServerExtension>(&c)?;
        canonical::<ClientExtension>(&s)?;
        canonical::<ServerExtension>(&s)?;
    }
}

/// The first flight of a real rustls client (TLS 1.2 and 1.3 offered) decodes, exposes its
/// extensions through the accessors, and re-encodes to the same bytes.
#[test]
fn rustls_client_hello_decodes() {
    use std::sync::Arc;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
        .expect("ring supports both versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let name = "example.com".try_into().expect("valid DNS name");
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).expect("client");
    let mut out = Vec::new();
    conn.write_tls(&mut out).expect("write to a Vec");
    assert_eq!(out[0], 22, "a handshake record");
    let len = u16::from_be_bytes([out[3], out[4]]) as usize;
    let hs = &out[5..5 + len];

    let m = HandshakeMessage::decode(hs).expect("decodes");
    assert_eq!(m.to_bytes().unwrap(), hs);
    let HandshakePayload::ClientHello(ch) = &m.payload else {
        panic!("not a ClientHello: {m:?}")
    };
    assert_eq!(ch.version, ProtocolVersion::TLS12);
    assert_eq!(ch.server_name(), Some(&b"example.com"[..]));
    assert!(ch.extended_master_secret());
    assert!(ch.supported_groups().unwrap().contains(&NamedGroup::X25519));
    assert!(
        ch.signature_algorithms()
            .unwrap()
            .contains(&SignatureScheme::ECDSA_SECP256R1_SHA256)
    );
    assert_eq!(
        ch.alpn_protocols(),
        Some(&[b"h2".to_vec(), b"http/1.1".to_vec()][..])
    );
    assert_eq!(
        ch.ec_point_formats(),
        Some(&[ECPointFormat::UNCOMPRESSED][..])
    );
    // TLS 1.3 extensions are kept raw.
    assert!(ch.has_extension(ExtensionType::SUPPORTED_VERSIONS));
    assert!(ch.has_extension(ExtensionType::KEY_SHARE));
    assert!(
        ch.cipher_suites
            .contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
    );
}
