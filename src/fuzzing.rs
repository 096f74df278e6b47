//! The bodies of the cargo-fuzz targets, shared with the corpus-replay test so both run the
//! same checks. Not part of the stable API.

use alloc::vec::Vec;

use crate::codec::enums::ContentType;
use crate::codec::{Codec, Reader};
use crate::msgs::{HandshakeMessage, KxContext};
use crate::record::{DEFAULT_MAX_HANDSHAKE_MESSAGE, Deframer, HandshakeJoiner};

/// The `record` target: the deframer cuts `data` into records and handshake payloads go
/// through a joiner. Neither may panic, loop forever or allocate beyond its bounds.
pub fn record(data: &[u8]) {
    let mut deframer = Deframer::new();
    let mut joiner = HandshakeJoiner::new(DEFAULT_MAX_HANDSHAKE_MESSAGE);
    let mut joiner_failed = false;
    let mut rest = data;
    loop {
        let taken = deframer.feed(rest);
        rest = &rest[taken..];
        let mut records = 0usize;
        loop {
            match deframer.next_record() {
                Ok(Some(rec)) => {
                    records += 1;
                    assert_eq!(usize::from(rec.header.len), rec.payload.len());
                    if rec.header.typ != ContentType::HANDSHAKE || joiner_failed {
                        continue;
                    }
                    if joiner.push(rec.payload).is_err() {
                        joiner_failed = true;
                        continue;
                    }
                    loop {
                        match joiner.pop() {
                            Ok(Some(msg)) => {
                                assert_eq!(msg.encoded.len(), 4 + msg.body.len());
                                assert_eq!(&msg.encoded[4..], msg.body);
                                assert_eq!(msg.encoded[0], msg.typ.0);
                            }
                            Ok(None) => break,
                            Err(_) => {
                                joiner_failed = true;
                                break;
                            }
                        }
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
        // Once drained, the deframer takes at least one byte of non-empty input, so no
        // progress means the input is used up.
        if taken == 0 && records == 0 {
            break;
        }
    }
    assert!(rest.is_empty());
}

/// The `handshake` target: decode `data` as a handshake message under each key-exchange
/// context; whatever decodes with nothing left over must re-encode to exactly `data`.
pub fn handshake(data: &[u8]) {
    for ctx in [
        KxContext::Unknown,
        KxContext::Ecdhe,
        KxContext::Rsa,
        KxContext::Psk,
        KxContext::EcdhePsk,
    ] {
        let mut r = Reader::new(data);
        if let Ok(m) = HandshakeMessage::read_with(&mut r, ctx) {
            if !r.any_left() {
                let mut out = Vec::new();
                let encoded = m.encode(&mut out);
                assert_eq!(encoded, Ok(()), "what decodes must encode");
                assert_eq!(out, data, "decode then encode must give back the input");
            }
        }
    }
}

#[cfg(feature = "fuzzing")]
pub use connection::*;

#[cfg(all(feature = "fuzzing", feature = "arbitrary"))]
pub mod structured;
#[cfg(all(feature = "fuzzing", feature = "arbitrary"))]
pub use structured::{client_structured, server_structured};

#[cfg(all(feature = "fuzzing", feature = "arbitrary"))]
pub mod api;
#[cfg(all(feature = "fuzzing", feature = "arbitrary"))]
pub use api::api;

/// Whole-connection targets: a [`ClientConnection`](crate::ClientConnection) or
/// [`ServerConnection`](crate::ServerConnection) under the no-security
/// [`FuzzProvider`](crate::crypto::fuzz_provider::FuzzProvider), driven with the fuzzer's
/// bytes as the peer's.
///
/// An input is one options byte (which configuration to run, see [`client_config`] and
/// [`server_config`]) followed by chunks, each a big-endian `u16` length and that many
/// bytes (a short last chunk takes what is left). Each chunk is fed to the connection and
/// all its output is drained before the next, as a peer's flights would arrive.
#[cfg(feature = "fuzzing")]
mod connection {
    use alloc::sync::Arc;
    use alloc::vec;
    use alloc::vec::Vec;

    use pki_types::{CertificateDer, ServerName, UnixTime};

    use crate::codec::enums::{CipherSuite, SignatureScheme};
    use crate::config::FixedTime;
    use crate::crypto::fuzz_provider::{FuzzProvider, FuzzSigningKey};
    use crate::crypto::{CryptoProvider, KeyKind};
    use crate::error::Error;
    use crate::msgs::SessionId;
    use crate::resumption::{
        ClientSession, ClientSessionStore, InMemoryClientSessionStore, LruSessionCache,
        ServerSession, ServerSessionCache,
    };
    use crate::verify::{ClientCertVerifier, ServerCertVerifier};
    use crate::{
        CertifiedKey, ClientConfig, ClientConnection, Connection, Output, ServerConfig,
        ServerConnection,
    };

    /// The server name the fuzzed client connects to.
    pub const SERVER_NAME: &str = "testserver.tls12.test";

    pub(super) const SERVER_RSA: &[u8] = include_bytes!("../tests/data/pki/server-rsa.crt.der");
    const SERVER_P256: &[u8] = include_bytes!("../tests/data/pki/server-p256.crt.der");
    const SERVER_P384: &[u8] = include_bytes!("../tests/data/pki/server-p384.crt.der");
    const CLIENT_RSA: &[u8] = include_bytes!("../tests/data/pki/client-rsa.crt.der");
    const CA_RSA: &[u8] = include_bytes!("../tests/data/pki/ca-rsa.crt.der");
    const CA_ECDSA: &[u8] = include_bytes!("../tests/data/pki/ca-ecdsa.crt.der");

    /// Options byte bit: offer/accept ALPN `h2` and `http/1.1`.
    pub const OPT_ALPN: u8 = 0x10;
    /// Options byte bit: require the extended master secret.
    pub const OPT_REQUIRE_EMS: u8 = 0x20;
    /// Options byte bit: report end of stream after the last chunk.
    pub const OPT_EOF: u8 = 0x40;
    /// Options byte bit: message events on (and, on the server, the client's suite order).
    pub const OPT_EVENTS: u8 = 0x80;
    /// Client options bit: have a client certificate (RSA).
    pub const OPT_CLIENT_CERT: u8 = 0x04;
    /// Client options bit: False Start.
    pub const OPT_FALSE_START: u8 = 0x08;
    /// Server options bit: request a client certificate.
    pub const OPT_CLIENT_AUTH: u8 = 0x04;
    /// Server options bit: require a client certificate (with [`OPT_CLIENT_AUTH`]).
    /// Without [`OPT_CLIENT_AUTH`]: the session cache starts with [`RESUMABLE_SESSION_ID`],
    /// the session every client offers, so the abbreviated handshake is reached.
    pub const OPT_CLIENT_AUTH_MANDATORY: u8 = 0x08;

    /// The session ID of the session every fuzzed client has stored for [`SERVER_NAME`]
    /// (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 with the extended master secret; offered
    /// whenever that suite is enabled) and a primed server has cached. No ticket: a client
    /// offering one sends a random session ID, which under [`FuzzProvider`] is all zeros,
    /// like the session IDs the server makes, and a seed's full handshake would read as
    /// resumed.
    pub const RESUMABLE_SESSION_ID: [u8; 32] = [0x5e; 32];
    const RESUMABLE_SUITE: CipherSuite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    const RESUMABLE_MASTER: [u8; 48] = [0x4d; 48];

    fn chain(certs: &[&[u8]]) -> Vec<CertificateDer<'static>> {
        certs
            .iter()
            .map(|c| CertificateDer::from(c.to_vec()))
            .collect()
    }

    fn key(kind: KeyKind, certs: &[&[u8]]) -> CertifiedKey {
        CertifiedKey::new(chain(certs), Arc::new(FuzzSigningKey(kind)))
            .expect("the chain is not empty")
    }

    fn time() -> Arc<FixedTime> {
        Arc::new(FixedTime(UnixTime::since_unix_epoch(
            core::time::Duration::from_secs(1_900_000_000),
        )))
    }

    const RSA_KX: [CipherSuite; 2] = [
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
    ];

    /// Every suite the [`FuzzProvider`] can run (it has no AES-CCM). The PSK ones are
    /// never negotiated: no configuration here has a PSK.
    fn all_suites() -> Vec<CipherSuite> {
        crate::suites::ALL_SUITES
            .iter()
            .filter(|s| FuzzProvider.aead(s.aead).is_some())
            .map(|s| s.suite)
            .collect()
    }

    /// The client configuration for an options byte. Bits 0-1 pick the suites (0: the
    /// default ECDHE ones, 1: RSA key exchange only, 2: all, 3: ChaCha20 ones only), then
    /// [`OPT_CLIENT_CERT`], [`OPT_FALSE_START`], [`OPT_ALPN`], [`OPT_REQUIRE_EMS`],
    /// [`OPT_EVENTS`].
    pub fn client_config(opts: u8) -> ClientConfig {
        let mut c = ClientConfig::new(Arc::new(FuzzProvider), Arc::new(AcceptAnyServer));
        match opts & 3 {
            1 => c.common.set_suites(&RSA_KX),
            2 => c.common.set_suites(&all_suites()),
            3 => c.common.set_suites(&[
                CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            ]),
            _ => Ok(()),
        }
        .expect("these suites are implemented");
        if opts & OPT_CLIENT_CERT != 0 {
            c.client_cert = Some(key(KeyKind::Rsa, &[CLIENT_RSA, CA_RSA]));
        }
        c.false_start = opts & OPT_FALSE_START != 0;
        common_options(&mut c.common, opts);
        let store = InMemoryClientSessionStore::new(1);
        store.put(
            SERVER_NAME,
            ClientSession {
                suite: RESUMABLE_SUITE,
                master_secret: RESUMABLE_MASTER,
                extended_master_secret: true,
                session_id: SessionId::new(&RESUMABLE_SESSION_ID).expect("32 bytes"),
                ticket: Vec::new(),
                lifetime_secs: 0,
                received_at: c.common.time.now().as_secs(),
                peer_certificates: chain(&[SERVER_RSA, CA_RSA]),
                psk_identity: None,
                origin: crate::resumption::SessionOrigin::of(&c),
                master_key: None,
            },
        );
        c.session_store = Some(Arc::new(store));
        c
    }

    /// The server configuration for an options byte. Bits 0-1 pick the certificates and
    /// suites (0: RSA, 1: P-256, 2: RSA, P-256 and P-384, 3: RSA with every suite including
    /// RSA key exchange), then [`OPT_CLIENT_AUTH`], [`OPT_CLIENT_AUTH_MANDATORY`],
    /// [`OPT_ALPN`], [`OPT_REQUIRE_EMS`], [`OPT_EVENTS`].
    pub fn server_config(opts: u8) -> ServerConfig {
        let rsa = || key(KeyKind::Rsa, &[SERVER_RSA, CA_RSA]);
        let p256 = || key(KeyKind::Ecdsa, &[SERVER_P256, CA_ECDSA]);
        let certs = match opts & 3 {
            1 => vec![p256()],
            2 => vec![rsa(), p256(), key(KeyKind::Ecdsa, &[SERVER_P384, CA_ECDSA])],
            _ => vec![rsa()],
        };
        let mut s = ServerConfig::new(Arc::new(FuzzProvider), certs);
        if opts & 3 == 3 {
            s.common
                .set_suites(&all_suites())
                .expect("these suites are implemented");
        }
        if opts & OPT_CLIENT_AUTH != 0 {
            s.client_verifier = Some(Arc::new(AcceptAnyClient {
                mandatory: opts & OPT_CLIENT_AUTH_MANDATORY != 0,
            }));
        }
        common_options(&mut s.common, opts);
        if opts & (OPT_CLIENT_AUTH | OPT_CLIENT_AUTH_MANDATORY) == OPT_CLIENT_AUTH_MANDATORY {
            let cache = LruSessionCache::new(16);
            let session = ServerSession {
                suite: RESUMABLE_SUITE,
                master_secret: RESUMABLE_MASTER,
                extended_master_secret: true,
                created_at: s.common.time.now().as_secs(),
                server_name: Some(SERVER_NAME.into()),
                client_certificates: Vec::new(),
                psk_identity: None,
            };
            cache.put(
                &RESUMABLE_SESSION_ID,
                session.encode().expect("a fixed session encodes"),
            );
            s.session_cache = Some(Arc::new(cache));
        }
        s.honour_client_order = opts & OPT_EVENTS != 0;
        s
    }

    fn common_options(c: &mut crate::CommonConfig, opts: u8) {
        c.time = time();
        if opts & OPT_ALPN != 0 {
            c.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        }
        c.require_ems = opts & OPT_REQUIRE_EMS != 0;
        c.message_events = opts & OPT_EVENTS != 0;
    }

    /// What a fuzzed connection did.
    #[derive(Debug, Default)]
    pub struct Outcome {
        /// The handshake completed.
        pub handshake_complete: bool,
        /// The connection's (sticky) error, if it failed.
        pub error: Option<Error>,
        /// Application data received, in bytes.
        pub app_data: usize,
        /// The flights the connection sent, one per input chunk (the first, for a client,
        /// is its ClientHello, sent before any input).
        pub sent: Vec<Vec<u8>>,
    }

    /// The `client` target: a client connection fed `data`, an options byte (see
    /// [`client_config`]) then chunks (see [`chunks`]).
    pub fn client(data: &[u8]) -> Outcome {
        let Some((&opts, rest)) = data.split_first() else {
            return Outcome::default();
        };
        let config = Arc::new(client_config(opts));
        let name = ServerName::try_from(SERVER_NAME).expect("a valid DNS name");
        let mut conn = ClientConnection::new(config, name).expect("the config is valid");
        run(&mut conn, opts, rest)
    }

    /// The `server` target: a server connection fed `data`, an options byte (see
    /// [`server_config`]) then chunks (see [`chunks`]).
    pub fn server(data: &[u8]) -> Outcome {
        let Some((&opts, rest)) = data.split_first() else {
            return Outcome::default();
        };
        let config = Arc::new(server_config(opts));
        let mut conn = ServerConnection::new(config).expect("the config is valid");
        run(&mut conn, opts, rest)
    }

    /// Splits the chunked input format: each chunk is a `u16` length and its bytes.
    pub fn chunks(mut data: &[u8]) -> impl Iterator<Item = &[u8]> {
        core::iter::from_fn(move || {
            if data.is_empty() {
                return None;
            }
            let len = match data {
                [a, b, ..] => usize::from(u16::from_be_bytes([*a, *b])),
                _ => 0,
            };
            let body = data.get(2..).unwrap_or_default();
            let (chunk, rest) = body.split_at(len.min(body.len()));
            data = rest;
            Some(chunk)
        })
    }

    /// Encodes chunks in the input format (for building seeds).
    pub fn encode_input(opts: u8, flights: &[Vec<u8>]) -> Vec<u8> {
        let mut out = vec![opts];
        for f in flights {
            if f.is_empty() {
                out.extend_from_slice(&[0, 0]);
            }
            for piece in f.chunks(usize::from(u16::MAX)) {
                out.extend_from_slice(&(piece.len() as u16).to_be_bytes());
                out.extend_from_slice(piece);
            }
        }
        out
    }

    fn run(conn: &mut Connection, opts: u8, data: &[u8]) -> Outcome {
        let mut out = Outcome::default();
        let mut buf = vec![0u8; 4096];
        let mut flight = Vec::new();
        drain(conn, &mut buf, &mut out, &mut flight);
        out.sent.push(core::mem::take(&mut flight));
        for chunk in chunks(data) {
            let mut input = chunk;
            while !input.is_empty() && out.error.is_none() {
                match conn.handle_input(input) {
                    Ok(n) => input = &input[n..],
                    Err(e) => {
                        out.error = Some(e);
                        break;
                    }
                }
                drain(conn, &mut buf, &mut out, &mut flight);
            }
            out.sent.push(core::mem::take(&mut flight));
            if out.error.is_some() {
                break;
            }
        }
        if out.error.is_none() && !conn.is_handshaking() {
            // Exercise the write paths once the handshake is over.
            let wrote = conn.write(b"fuzz");
            assert_eq!(wrote, Ok(4), "write after the handshake");
            drain(conn, &mut buf, &mut out, &mut flight);
            let mut sealed = [0u8; 128];
            let into = conn.write_into(b"fuzz", &mut sealed);
            // Header, at most an 8-byte explicit nonce, the data and a 16-byte tag.
            assert!(
                matches!(into, Ok((4, n)) if (5 + 4 + 16..=5 + 8 + 4 + 16).contains(&n)),
                "write_into after the handshake: {into:?}"
            );
            let _ = conn.close();
            drain(conn, &mut buf, &mut out, &mut flight);
        }
        if opts & OPT_EOF != 0 && out.error.is_none() {
            if let Err(e) = conn.handle_eof() {
                out.error = Some(e);
            }
            drain(conn, &mut buf, &mut out, &mut flight);
        }
        if let Some(e) = &out.error {
            // Errors are sticky: every later call gives the same one.
            assert_eq!(conn.handle_input(b"x").as_ref(), Err(e));
            assert_eq!(conn.poll_output(&mut buf).err().as_ref(), Some(e));
            assert_eq!(conn.error(), Some(e));
        }
        out
    }

    fn drain(conn: &mut Connection, buf: &mut [u8], out: &mut Outcome, flight: &mut Vec<u8>) {
        loop {
            match conn.poll_output(buf) {
                Ok(Output::Transmit(b)) => flight.extend_from_slice(b),
                Ok(Output::ApplicationData(d)) => out.app_data += d.len(),
                Ok(Output::Event(crate::Event::HandshakeComplete(_))) => {
                    out.handshake_complete = true;
                }
                Ok(Output::Event(_)) => {}
                Ok(Output::Idle) => return,
                Ok(other) => panic!("unexpected output {other:?} with a 4 KiB buffer"),
                Err(e) => {
                    // The alert was queued before the error became sticky: it is already
                    // drained above, so nothing more is pending.
                    assert!(!conn.wants_transmit(), "output left after the error");
                    out.error.get_or_insert(e);
                    return;
                }
            }
        }
    }

    /// Accepts any server chain and any non-empty handshake signature. Fuzzing only.
    #[derive(Debug)]
    pub struct AcceptAnyServer;

    fn any_signature(signature: &[u8]) -> Result<(), Error> {
        if signature.is_empty() {
            return Err(Error::Crypto {
                what: "fuzz: empty signature",
                alert: crate::codec::enums::AlertDescription::DECRYPT_ERROR,
            });
        }
        Ok(())
    }

    fn schemes() -> Vec<SignatureScheme> {
        FuzzProvider
            .signature_verification()
            .supported_schemes()
            .collect()
    }

    impl ServerCertVerifier for AcceptAnyServer {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: UnixTime,
        ) -> Result<(), Error> {
            Ok(())
        }
        fn verify_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: SignatureScheme,
            signature: &[u8],
        ) -> Result<(), Error> {
            any_signature(signature)
        }
        fn supported_schemes(&self) -> Vec<SignatureScheme> {
            schemes()
        }
    }

    /// Accepts any client chain and any non-empty CertificateVerify. Fuzzing only.
    #[derive(Debug)]
    pub struct AcceptAnyClient {
        /// Whether a client certificate is required.
        pub mandatory: bool,
    }

    impl ClientCertVerifier for AcceptAnyClient {
        fn client_auth_mandatory(&self) -> bool {
            self.mandatory
        }
        fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
            Vec::new()
        }
        fn verify_client_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: UnixTime,
        ) -> Result<(), Error> {
            Ok(())
        }
        fn verify_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: SignatureScheme,
            signature: &[u8],
        ) -> Result<(), Error> {
            any_signature(signature)
        }
        fn supported_schemes(&self) -> Vec<SignatureScheme> {
            schemes()
        }
    }
}
