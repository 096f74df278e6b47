//! A scripted peer built from the crate's codec (`tls12::internal::msgs`), for tests that talk to a
//! real `ClientConnection` or `ServerConnection` and assert the exact alert it sends.
//!
//! - **forged** endpoints run on the no-security `FuzzProvider` (feature `fuzzing`) with
//!   the configurations of `tls12::fuzzing`, so a script can forge a whole handshake
//!   (signatures, key exchange, a Finished of zeros, records "sealed" by the null AEAD) and
//!   reach every state, including an established connection;
//! - **real** endpoints run on `RingProvider` with the test PKI.
//!
//! The scripts are one record per step: after step k of [`server_script`] a forged client
//! is in its k-th state, likewise a forged server (requesting a client certificate) after
//! step k of [`client_script`].

use std::sync::Arc;

use super::{ALERT, CCS, HANDSHAKE, Sink, fuzz_sealed, pump, record, records};
use tls12::crypto::fuzz_provider::FUZZ_SIGNATURE;
use tls12::fuzzing::{self, OPT_CLIENT_AUTH};
use tls12::internal::codec::Codec;
use tls12::internal::codec::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ECCurveType, ECPointFormat, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use tls12::internal::msgs::{
    CertificateChain, ClientExtension, ClientHello, ClientKeyExchangePayload, DigitallySigned,
    EcdheServerKeyExchange, HandshakeMessage, HandshakePayload, Random, ServerExtension,
    ServerHello, ServerKeyExchangePayload, SessionId,
};
use tls12::pki_types::ServerName;
use tls12::{ClientConnection, Connection, Error, ServerConfig, ServerConnection};

pub fn hs(m: HandshakeMessage) -> Vec<u8> {
    m.to_bytes().unwrap()
}

/// A handshake message in a plaintext record of its own.
pub fn hs_record(m: HandshakeMessage) -> Vec<u8> {
    record(HANDSHAKE, &hs(m))
}

pub fn alert_bytes(level: u8, desc: AlertDescription) -> Vec<u8> {
    vec![level, desc.0]
}

pub fn server_cert() -> CertificateChain {
    CertificateChain(vec![super::cert("server-rsa"), super::cert("ca-rsa")])
}

pub fn client_cert() -> CertificateChain {
    CertificateChain(vec![super::cert("client-rsa"), super::cert("ca-rsa")])
}

/// A ServerHello a client with default settings accepts: ECDHE_RSA with AES-128-GCM, the
/// extensions it solicited.
pub fn server_hello() -> ServerHello {
    ServerHello {
        version: ProtocolVersion::TLS12,
        random: Random([2; 32]),
        session_id: SessionId::EMPTY,
        cipher_suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        compression_method: CompressionMethod::NULL,
        extensions: Some(vec![
            ServerExtension::RenegotiationInfo(Vec::new()),
            ServerExtension::ExtendedMasterSecret,
            ServerExtension::EcPointFormats(vec![ECPointFormat::UNCOMPRESSED]),
        ]),
    }
}

/// An X25519 ServerKeyExchange with the forged signature.
pub fn forged_ske(group: NamedGroup, public: Vec<u8>) -> ServerKeyExchangePayload {
    ServerKeyExchangePayload::Ecdhe(EcdheServerKeyExchange {
        curve_type: ECCurveType::NAMED_CURVE,
        group,
        public,
        signed: DigitallySigned {
            scheme: SignatureScheme::RSA_PKCS1_SHA256,
            signature: FUZZ_SIGNATURE.to_vec(),
        },
    })
}

/// A ClientHello a server with default settings accepts.
pub fn client_hello() -> ClientHello {
    ClientHello {
        version: ProtocolVersion::TLS12,
        random: Random([1; 32]),
        session_id: SessionId::EMPTY,
        cipher_suites: vec![
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
        ],
        compression_methods: vec![CompressionMethod::NULL],
        extensions: Some(vec![
            ClientExtension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::SECP256R1]),
            ClientExtension::EcPointFormats(vec![ECPointFormat::UNCOMPRESSED]),
            ClientExtension::SignatureAlgorithms(vec![SignatureScheme::RSA_PKCS1_SHA256]),
            ClientExtension::ExtendedMasterSecret,
        ]),
    }
}

pub fn client_hello_with(f: impl FnOnce(&mut ClientHello)) -> Vec<u8> {
    let mut ch = client_hello();
    f(&mut ch);
    hs_record(HandshakeMessage::from(ch))
}

pub fn server_hello_with(f: impl FnOnce(&mut ServerHello)) -> Vec<u8> {
    let mut sh = server_hello();
    f(&mut sh);
    hs_record(HandshakeMessage::from(sh))
}

pub fn x25519_public() -> Vec<u8> {
    vec![9; 32]
}

pub fn cke(point: Vec<u8>) -> HandshakeMessage {
    HandshakeMessage::from(ClientKeyExchangePayload::Ecdhe(point))
}

pub fn finished(vd: [u8; 12]) -> HandshakeMessage {
    HandshakeMessage::finished(vd.to_vec())
}

// ---------------------------------------------------------------------------------------
// The endpoint under test
// ---------------------------------------------------------------------------------------

pub enum Conn {
    Client(ClientConnection),
    Server(ServerConnection),
}

/// One endpoint under test and everything it produced.
pub struct Under {
    pub conn: Conn,
    pub sink: Sink,
}

impl Under {
    pub fn conn(&mut self) -> &mut Connection {
        match &mut self.conn {
            Conn::Client(c) => c,
            Conn::Server(s) => s,
        }
    }

    pub fn forged_client(opts: u8) -> Self {
        let name = ServerName::try_from(fuzzing::SERVER_NAME).expect("valid name");
        let c = ClientConnection::new(Arc::new(fuzzing::client_config(opts)), name)
            .expect("valid config");
        let mut u = Under {
            conn: Conn::Client(c),
            sink: Sink::default(),
        };
        u.feed(&[]);
        u
    }

    pub fn forged_server(opts: u8) -> Self {
        let s = ServerConnection::new(Arc::new(fuzzing::server_config(opts))).expect("valid");
        Under {
            conn: Conn::Server(s),
            sink: Sink::default(),
        }
    }

    /// A server of `config`.
    pub fn server_with(config: ServerConfig) -> Self {
        let s = ServerConnection::new(Arc::new(config)).expect("valid config");
        Under {
            conn: Conn::Server(s),
            sink: Sink::default(),
        }
    }

    pub fn real_client() -> Self {
        let c = ClientConnection::new(Arc::new(super::client_config()), super::server_name())
            .expect("valid config");
        let mut u = Under {
            conn: Conn::Client(c),
            sink: Sink::default(),
        };
        u.feed(&[]);
        u
    }

    pub fn real_server(mandatory_client_auth: bool) -> Self {
        let mut config = super::server_config(&["server-rsa"]);
        if mandatory_client_auth {
            config = super::with_client_auth(config, true);
        }
        let s = ServerConnection::new(Arc::new(config)).expect("valid config");
        Under {
            conn: Conn::Server(s),
            sink: Sink::default(),
        }
    }

    /// Feeds `bytes` and drains all output.
    pub fn feed(&mut self, bytes: &[u8]) {
        let mut sink = std::mem::take(&mut self.sink);
        pump(self.conn(), bytes, &mut sink);
        self.sink = sink;
    }

    /// Feeds each record in turn, asserting the endpoint accepted them all.
    pub fn feed_ok(&mut self, steps: &[Vec<u8>]) {
        for (i, s) in steps.iter().enumerate() {
            self.feed(s);
            assert_eq!(self.sink.error, None, "step {i} of the script was refused");
        }
    }

    /// The last record the endpoint wrote must be the fatal alert `desc`; its error must map
    /// to `desc` (and not be a received alert); every later call returns the same error.
    pub fn assert_fatal(&mut self, desc: AlertDescription) {
        let err = self
            .sink
            .error
            .clone()
            .expect("the endpoint saw nothing wrong");
        assert!(
            !matches!(err, Error::AlertReceived(_)),
            "the endpoint received an alert instead: {err:?}"
        );
        assert_eq!(err.alert(), Some(desc), "wrong error: {err:?}");
        assert_eq!(
            last_alert(&self.sink.tx),
            Some((2, desc)),
            "the alert sent, for {err:?}"
        );
        self.assert_dead(&err);
    }

    /// Sticky: input, output and writes all give `err` again, and nothing more is sent.
    pub fn assert_dead(&mut self, err: &Error) {
        let sent = self.sink.tx.len();
        let conn = self.conn();
        assert_eq!(conn.handle_input(&[HANDSHAKE]).as_ref(), Err(err));
        let mut buf = [0u8; 64];
        assert_eq!(conn.poll_output(&mut buf).err().as_ref(), Some(err));
        assert_eq!(conn.write(b"more").as_ref(), Err(err));
        assert_eq!(conn.error(), Some(err));
        assert!(!conn.wants_transmit(), "output after the error");
        self.feed(&record(HANDSHAKE, &hs(HandshakeMessage::hello_request())));
        assert_eq!(self.sink.tx.len(), sent, "sent more after the fatal alert");
    }

    /// The handshake messages the endpoint sent in plaintext (its first flight).
    pub fn sent_messages(&self) -> Vec<HandshakeMessage> {
        records(&self.sink.tx)
            .iter()
            .take_while(|r| r.typ == HANDSHAKE)
            .map(|r| {
                HandshakeMessage::decode(&self.sink.tx[r.body()..r.end()])
                    .expect("one whole handshake message per record")
            })
            .collect()
    }

    /// The ServerHello a server endpoint sent.
    pub fn server_hello(&self) -> ServerHello {
        match self.sent_messages().into_iter().next().map(|m| m.payload) {
            Some(HandshakePayload::ServerHello(sh)) => sh,
            other => panic!(
                "no ServerHello sent: {other:?}, error {:?}",
                self.sink.error
            ),
        }
    }
}

/// The (level, description) of the last record in `tx` if it is an alert: a plaintext one,
/// or one sealed by the FuzzProvider (explicit nonce, alert, zero tag).
pub fn last_alert(tx: &[u8]) -> Option<(u8, AlertDescription)> {
    let last = *records(tx).last()?;
    if last.typ != ALERT {
        return None;
    }
    let body = &tx[last.body()..last.end()];
    let alert = match body.len() {
        2 => body,
        26 | 18 if body[body.len() - 16..].iter().all(|b| *b == 0) => {
            &body[body.len() - 18..body.len() - 16]
        }
        _ => return None,
    };
    Some((alert[0], AlertDescription(alert[1])))
}

// ---------------------------------------------------------------------------------------
// The forged handshakes, step by step
// ---------------------------------------------------------------------------------------

/// What a forged server sends a forged client (default options), one record per step:
/// after step k the client is in state k of `CLIENT_STATES`.
pub fn server_script() -> Vec<Vec<u8>> {
    vec![
        hs_record(HandshakeMessage::from(server_hello())),
        hs_record(HandshakeMessage::from(server_cert())),
        hs_record(HandshakeMessage::from(forged_ske(
            NamedGroup::X25519,
            x25519_public(),
        ))),
        hs_record(HandshakeMessage::server_hello_done()),
        record(CCS, &[1]),
        fuzz_sealed(HANDSHAKE, &hs(finished([0; 12]))),
    ]
}

/// What a forged client sends a forged server that requests a client certificate
/// (`OPT_CLIENT_AUTH`): after step k the server is in state k of `SERVER_STATES`.
pub fn client_script() -> Vec<Vec<u8>> {
    client_script_from(client_hello())
}

/// [`client_script`] with `ch` as its ClientHello.
pub fn client_script_from(ch: ClientHello) -> Vec<Vec<u8>> {
    client_script_with(ch, client_cert())
}

/// [`client_script`] with `ch` as its ClientHello and `chain` as its Certificate (each
/// message in as many records as it takes).
pub fn client_script_with(ch: ClientHello, chain: CertificateChain) -> Vec<Vec<u8>> {
    vec![
        hs_records(HandshakeMessage::from(ch)),
        hs_records(HandshakeMessage::from(chain)),
        hs_record(cke(x25519_public())),
        hs_record(HandshakeMessage::certificate_verify(DigitallySigned {
            scheme: SignatureScheme::RSA_PKCS1_SHA256,
            signature: FUZZ_SIGNATURE.to_vec(),
        })),
        record(CCS, &[1]),
        fuzz_sealed(HANDSHAKE, &hs(finished([0; 12]))),
    ]
}

/// A forged client after `steps` steps of the server script.
pub fn client_at(steps: usize) -> Under {
    let mut u = Under::forged_client(0);
    u.feed_ok(&server_script()[..steps]);
    u
}

/// A forged server (requesting a client certificate) after `steps` steps of the script.
pub fn server_at(steps: usize) -> Under {
    let mut u = Under::forged_server(OPT_CLIENT_AUTH);
    u.feed_ok(&client_script()[..steps]);
    u
}

/// Frames handshake bytes for an endpoint that has had `steps` steps of its script: sealed
/// once the script's ChangeCipherSpec (step 5) is in.
pub fn framed(steps: usize, m: &[u8]) -> Vec<u8> {
    if steps >= 5 {
        fuzz_sealed(HANDSHAKE, m)
    } else {
        record(HANDSHAKE, m)
    }
}

/// A handshake message in plaintext records of at most 2^14 bytes each.
pub fn hs_records(m: HandshakeMessage) -> Vec<u8> {
    super::fragmented(HANDSHAKE, &hs(m), 16384)
}
