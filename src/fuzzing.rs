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
/// An input is three configuration bytes: the options byte (see [`client_config`] and
/// [`server_config`]) and the two bytes of [`Extras`] (PSK, CCM_8 and record sizes, see
/// [`client_config_with`] and [`server_config_with`]); then chunks, each a big-endian
/// `u16` length and that many bytes (a short last chunk takes what is left). Each chunk is
/// fed to the connection and all its output is drained before the next, as a peer's
/// flights would arrive.
#[cfg(feature = "fuzzing")]
mod connection {
    use alloc::sync::Arc;
    use alloc::vec;
    use alloc::vec::Vec;

    use pki_types::{CertificateDer, ServerName, UnixTime};

    use crate::codec::enums::{CipherSuite, MaxFragmentLength, SignatureScheme};
    use crate::config::FixedTime;
    use crate::crypto::fuzz_provider::{FuzzProvider, FuzzSigningKey};
    use crate::crypto::{CryptoProvider, KeyKind};
    use crate::error::Error;
    use crate::msgs::SessionId;
    use crate::psk::{Psk, PskIdentity, PskTable, ResolvesClientPsk};
    use crate::resumption::{
        ClientSession, ClientSessionStore, InMemoryClientSessionStore, LruSessionCache,
        ServerSession, ServerSessionCache,
    };
    use crate::suites::{SupportedSuite, default_psk_suites};
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

    /// Every suite but the CCM_8 ones (which [`PSK_CCM`] enables), as before the
    /// [`FuzzProvider`] had CCM_8. The PSK ones among them are offered and chosen only with
    /// a PSK (an [`Extras::psk`] mode).
    fn all_suites() -> Vec<CipherSuite> {
        crate::suites::ALL_SUITES
            .iter()
            .filter(|s| FuzzProvider.aead(s.aead).is_some() && s.aead.tag_len() == 16)
            .map(|s| s.suite)
            .collect()
    }

    /// What the options byte has no room for: the second and third bytes of a `client` or
    /// `server` input, a field of the structured and API scripts. All zero (the default)
    /// is the configuration of the options byte alone, as before these existed: no PSK, no
    /// CCM_8, no record size extension.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
    pub struct Extras {
        /// Pre-shared keys and CCM_8: a mode in bits 0-1 ([`PSK_AFTER`], [`PSK_FIRST`],
        /// [`PSK_ONLY`]; 0 is no PSK), then [`PSK_CCM`], [`PSK_NO_HINT`], [`PSK_HINT_B`],
        /// [`PSK_SHORT_LIMIT`].
        pub psk: u8,
        /// Record sizes: a max_fragment_length code in bits 0-2 ([`LIMIT_MFL`]), a
        /// record_size_limit in bits 3-5 ([`RECORD_SIZE_LIMITS`]), then
        /// [`LIMIT_RECEIVE_BUFFER`], [`LIMIT_KEEP_BUFFERS`].
        pub limits: u8,
    }

    impl Extras {
        /// Nothing extra.
        pub const NONE: Extras = Extras { psk: 0, limits: 0 };
    }

    /// [`Extras::psk`] bits 0-1.
    pub const PSK_MODE: u8 = 0x03;
    /// PSK mode: a PSK is configured and the PSK suites follow the certificate suites.
    pub const PSK_AFTER: u8 = 1;
    /// PSK mode: the PSK suites come first (ECDHE_PSK, then PSK alone), as
    /// `enable_psk` puts them.
    pub const PSK_FIRST: u8 = 2;
    /// PSK mode: only the PSK suites, PSK alone first (a server keeps its certificates).
    pub const PSK_ONLY: u8 = 3;
    /// The CCM_8 suites first: with a PSK, TLS_PSK_WITH_AES_128_CCM_8, then (unless
    /// [`PSK_ONLY`]) TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8.
    pub const PSK_CCM: u8 = 0x04;
    /// Server: no identity hint (a PSK suite then sends no ServerKeyExchange). Client: the
    /// resolver has no key unless the hint names one (handshake_failure).
    pub const PSK_NO_HINT: u8 = 0x08;
    /// Server: the hint names the second key ([`PSK_HINTS`]`[1]`), for which the client
    /// resolver answers the second identity.
    pub const PSK_HINT_B: u8 = 0x10;
    /// `max_psk_identity_len` of 10: our identities fit, our hints (11 bytes) do not.
    pub const PSK_SHORT_LIMIT: u8 = 0x20;

    /// The identities of the fuzzed PSKs; both are in every server's table.
    pub const PSK_IDENTITIES: [&[u8]; 2] = [b"fuzz-psk-a", b"fuzz-psk-b"];
    /// The identity hints a server sends, naming each identity to the client's resolver.
    pub const PSK_HINTS: [&[u8]; 2] = [b"fuzz-hint-a", b"fuzz-hint-b"];

    /// [`Extras::limits`] bits 0-2. Client: 1 to 4 ask for max_fragment_length 2^9 to
    /// 2^12 (others: not asked). Server: 5 to 7 refuse it (`accept_max_fragment_length`
    /// off).
    pub const LIMIT_MFL: u8 = 0x07;
    /// [`Extras::limits`] bits 3-5 pick the `record_size_limit` (`None`: not offered).
    pub const RECORD_SIZE_LIMITS: [Option<u16>; 8] = [
        None,
        Some(64),
        Some(100),
        Some(512),
        Some(1024),
        Some(4096),
        Some(16384),
        Some(16385),
    ];
    /// `limit_receive_buffer`: the receive buffer sized for our limit from the start.
    pub const LIMIT_RECEIVE_BUFFER: u8 = 0x40;
    /// `keep_buffers`.
    pub const LIMIT_KEEP_BUFFERS: u8 = 0x80;

    fn psk(i: usize) -> Psk {
        Psk::new(PSK_IDENTITIES[i].to_vec(), [b'k', i as u8].to_vec()).expect("fixed, not empty")
    }

    /// The fuzzed client's PSKs: the second identity for the second hint, else the first;
    /// `strict`, no key for a hint it does not know (or none).
    #[derive(Debug)]
    pub struct FuzzClientPsk {
        /// No key without a hint naming one.
        pub strict: bool,
    }

    impl ResolvesClientPsk for FuzzClientPsk {
        fn resolve(&self, hint: Option<&[u8]>) -> Option<Psk> {
            match PSK_HINTS.iter().position(|h| Some(*h) == hint) {
                Some(i) => Some(psk(i)),
                None if self.strict => None,
                None => Some(psk(0)),
            }
        }
    }

    /// Puts the PSK and CCM_8 suites of `extras` into `suites`.
    fn extra_suites(suites: &mut Vec<&'static SupportedSuite>, extras: Extras) {
        let psk: Vec<&'static SupportedSuite> = default_psk_suites().collect();
        let mode = extras.psk & PSK_MODE;
        let mut out: Vec<&'static SupportedSuite> = match mode {
            0 => suites.clone(),
            PSK_AFTER => suites.iter().chain(&psk).copied().collect(),
            PSK_FIRST => psk.iter().chain(suites.iter()).copied().collect(),
            _ => {
                // PSK alone first, then ECDHE_PSK.
                let mut only = psk.clone();
                only.sort_by_key(|s| s.kx.uses_ecdhe());
                only
            }
        };
        if extras.psk & PSK_CCM != 0 {
            let mut ccm = Vec::new();
            if mode != 0 {
                ccm.extend(SupportedSuite::find(
                    CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
                ));
            }
            if mode != PSK_ONLY {
                ccm.extend(SupportedSuite::find(
                    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
                ));
            }
            out.retain(|s| !ccm.contains(s));
            ccm.append(&mut out);
            out = ccm;
        }
        let mut seen = Vec::new();
        out.retain(|s| {
            let new = !seen.contains(&s.suite);
            seen.push(s.suite);
            new
        });
        *suites = out;
    }

    /// The settings of `extras` both sides share.
    fn extra_common(c: &mut crate::CommonConfig, extras: Extras) {
        extra_suites(&mut c.suites, extras);
        if extras.psk & PSK_SHORT_LIMIT != 0 {
            c.max_psk_identity_len = 10;
        }
        c.record_size_limit = RECORD_SIZE_LIMITS[usize::from(extras.limits >> 3 & 7)];
        c.limit_receive_buffer = extras.limits & LIMIT_RECEIVE_BUFFER != 0;
        c.keep_buffers = extras.limits & LIMIT_KEEP_BUFFERS != 0;
    }

    /// The client configuration for an options byte. Bits 0-1 pick the suites (0: the
    /// default ECDHE ones, 1: RSA key exchange only, 2: all but CCM_8, 3: ChaCha20 ones
    /// only), then [`OPT_CLIENT_CERT`], [`OPT_FALSE_START`], [`OPT_ALPN`],
    /// [`OPT_REQUIRE_EMS`], [`OPT_EVENTS`]. No PSK, no CCM_8, no record size extension:
    /// see [`client_config_with`].
    pub fn client_config(opts: u8) -> ClientConfig {
        client_config_with(opts, Extras::NONE)
    }

    /// [`client_config`] with `extras`: a PSK mode sets a [`FuzzClientPsk`] (strict with
    /// [`PSK_NO_HINT`]) and adds the PSK suites; [`PSK_CCM`] puts CCM_8 first; the limits
    /// byte sets `max_fragment_length`, `record_size_limit`, `limit_receive_buffer` and
    /// `keep_buffers`.
    pub fn client_config_with(opts: u8, extras: Extras) -> ClientConfig {
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
        extra_common(&mut c.common, extras);
        if extras.psk & PSK_MODE != 0 {
            c.psk = Some(Arc::new(FuzzClientPsk {
                strict: extras.psk & PSK_NO_HINT != 0,
            }));
        }
        c.max_fragment_length = match extras.limits & LIMIT_MFL {
            code @ 1..=4 => Some(MaxFragmentLength(code)),
            _ => None,
        };
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
    /// [`OPT_ALPN`], [`OPT_REQUIRE_EMS`], [`OPT_EVENTS`]. No PSK, no CCM_8, no record
    /// size extension: see [`server_config_with`].
    pub fn server_config(opts: u8) -> ServerConfig {
        server_config_with(opts, Extras::NONE)
    }

    /// [`server_config`] with `extras`: a PSK mode sets a table of both
    /// [`PSK_IDENTITIES`], the hint [`PSK_HINTS`]`[0]` (`[1]` with [`PSK_HINT_B`], none with
    /// [`PSK_NO_HINT`]) and adds the PSK suites; [`PSK_CCM`] puts CCM_8 first; the limits
    /// byte refuses max_fragment_length (codes 5 to 7) and sets `record_size_limit`,
    /// `limit_receive_buffer` and `keep_buffers`.
    pub fn server_config_with(opts: u8, extras: Extras) -> ServerConfig {
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
        extra_common(&mut s.common, extras);
        if extras.psk & PSK_MODE != 0 {
            let table: PskTable = (0..2).map(psk).collect();
            s.psk = Some(Arc::new(table));
            s.psk_identity_hint = match extras.psk & (PSK_NO_HINT | PSK_HINT_B) {
                0 => Some(PSK_HINTS[0]),
                PSK_HINT_B => Some(PSK_HINTS[1]),
                _ => None,
            }
            .map(|h| PskIdentity::new(h.to_vec()).expect("not empty"));
        }
        s.accept_max_fragment_length = extras.limits & LIMIT_MFL < 5;
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
        /// The suite of the completed handshake.
        pub suite: Option<CipherSuite>,
        /// The connection's (sticky) error, if it failed.
        pub error: Option<Error>,
        /// Application data received, in bytes.
        pub app_data: usize,
        /// The flights the connection sent, one per input chunk (the first, for a client,
        /// is its ClientHello, sent before any input).
        pub sent: Vec<Vec<u8>>,
    }

    /// The configuration bytes of an input: options, [`Extras`], and the chunks after them.
    fn header(data: &[u8]) -> Option<(u8, Extras, &[u8])> {
        match data {
            [opts, psk, limits, rest @ ..] => Some((
                *opts,
                Extras {
                    psk: *psk,
                    limits: *limits,
                },
                rest,
            )),
            _ => None,
        }
    }

    /// The `client` target: a client connection fed `data`: its options byte and
    /// [`Extras`] (see [`client_config_with`]) then chunks (see [`chunks`]).
    pub fn client(data: &[u8]) -> Outcome {
        let Some((opts, extras, rest)) = header(data) else {
            return Outcome::default();
        };
        let config = Arc::new(client_config_with(opts, extras));
        let name = ServerName::try_from(SERVER_NAME).expect("a valid DNS name");
        let mut conn = ClientConnection::new(config, name).expect("the config is valid");
        run(&mut conn, opts, rest)
    }

    /// The `server` target: a server connection fed `data`: its options byte and
    /// [`Extras`] (see [`server_config_with`]) then chunks (see [`chunks`]).
    pub fn server(data: &[u8]) -> Outcome {
        let Some((opts, extras, rest)) = header(data) else {
            return Outcome::default();
        };
        let config = Arc::new(server_config_with(opts, extras));
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
    pub fn encode_input(opts: u8, extras: Extras, flights: &[Vec<u8>]) -> Vec<u8> {
        let mut out = vec![opts, extras.psk, extras.limits];
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
            // Header, at most an 8-byte explicit nonce, the data and a 16-byte tag (or an
            // 8-byte nonce and an 8-byte tag: CCM_8).
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
                Ok(Output::Event(crate::Event::HandshakeComplete(summary))) => {
                    out.handshake_complete = true;
                    out.suite = Some(summary.suite);
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
