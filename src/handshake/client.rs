//! The client's handshake: ClientHello, then the server's flight, then ours.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use pki_types::{CertificateDer, ServerName};
use zeroize::Zeroizing;

use super::{HandshakeSummary, Input, Output, Secrets, Side, TranscriptHash, kx_context_of, send};
use crate::codec::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ECCurveType, ECPointFormat, HandshakeType,
    NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::config::{CertifiedKey, ClientConfig};
use crate::crypto::KeyKind;
use crate::crypto::key_schedule::MasterSecret;
use crate::error::{CertificateError, Error};
use crate::msgs::{
    CertificateChain, CertificateRequest, ClientKeyExchangePayload, DigitallySigned,
    EcdhePskClientKeyExchange, HandshakeMessage, HandshakePayload, KxContext, NewSessionTicket,
    Random, ServerHello, ServerKeyExchangePayload, SessionId, signed_message,
};
use crate::psk::Psk;
use crate::record::limits;
use crate::resumption::{ClientSession, MasterKeyCache, SessionOrigin};
use crate::suites::{KeyExchange, SupportedSuite};

/// The client side of the handshake.
pub(crate) struct State {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    inner: Inner,
}

/// The client's states, in protocol order.
enum Inner {
    ExpectServerHello(Box<ExpectServerHello>),
    ExpectCertificate(Box<Negotiated>, CertKx),
    ExpectServerKeyExchange(Box<WithCerts>),
    /// A PSK suite: no Certificate; a ServerKeyExchange with the hint (and for ECDHE_PSK
    /// the ECDHE parameters), which plain PSK may leave out.
    ExpectPskServerKeyExchange(Box<Negotiated>, PskKx),
    ExpectServerHelloDone(Box<ExpectServerHelloDone>),
    /// The server promised a NewSessionTicket (it acknowledged our session_ticket).
    ExpectNewTicket(Box<Keyed>),
    ExpectCcs(Box<Keyed>),
    ExpectFinished(Box<Keyed>),
    Established,
    /// Between transitions, and after an error.
    Poisoned,
}

struct ExpectServerHello {
    random: [u8; 32],
    /// The session we offered to resume, and the session ID we sent with it.
    offered: Option<(ClientSession, SessionId)>,
    transcript: TranscriptHash,
}

/// Known once ServerHello arrived.
struct Negotiated {
    suite: &'static SupportedSuite,
    client_random: [u8; 32],
    server_random: [u8; 32],
    ems: bool,
    alpn: Option<Vec<u8>>,
    /// The session ID the server gave.
    session_id: SessionId,
    /// The server acknowledged session_ticket: a NewSessionTicket precedes its CCS.
    ticket_promised: bool,
    transcript: TranscriptHash,
}

/// What a certificate suite's key exchange needs after the server's Certificate.
#[derive(Clone, Copy)]
enum CertKx {
    /// RSA key transport: ServerHelloDone (or CertificateRequest) follows.
    Rsa,
    /// ECDHE: a ServerKeyExchange signed by a key of this type follows.
    Ecdhe(KeyKind),
}

/// A PSK suite's key exchange.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PskKx {
    /// Plain PSK: the ServerKeyExchange (only a hint) may be left out.
    Psk,
    /// ECDHE_PSK: the ServerKeyExchange carries the hint and the server's key.
    EcdhePsk,
}

/// The server's verified chain; its ServerKeyExchange comes next.
struct WithCerts {
    n: Negotiated,
    certs: Vec<CertificateDer<'static>>,
    /// The key type that signs the ServerKeyExchange.
    auth: KeyKind,
}

/// The server's ephemeral public key in a group we offered.
struct ServerKx {
    group: NamedGroup,
    public: Vec<u8>,
}

/// A certificate suite's server: its verified chain (not empty), and its
/// CertificateRequest (RFC 5246 section 7.4.4) once it came.
struct ServerCerts {
    certs: Vec<CertificateDer<'static>>,
    cert_request: Option<CertificateRequest>,
}

impl ServerCerts {
    fn new(certs: Vec<CertificateDer<'static>>) -> Self {
        Self {
            certs,
            cert_request: None,
        }
    }
}

/// What the server's first flight gave for the key exchange, one variant per kind (RFC
/// 5246 section 7.4.3, RFC 4279 section 2, RFC 5489 section 2).
enum ServerKxParams {
    /// RSA key transport: no ServerKeyExchange; the pre-master secret is encrypted to the
    /// end-entity certificate's key.
    Rsa(ServerCerts),
    /// ECDHE: the server's ephemeral key, signed with `scheme` by its certificate's key.
    Ecdhe {
        server: ServerCerts,
        kx: ServerKx,
        scheme: SignatureScheme,
    },
    /// Plain PSK: no certificate; the identity hint (`None` when the server sent none or
    /// an empty one), at most `max_psk_identity_len` bytes.
    Psk { hint: Option<Vec<u8>> },
    /// ECDHE_PSK: no certificate; the hint as for PSK and the server's unsigned key.
    EcdhePsk { hint: Option<Vec<u8>>, kx: ServerKx },
}

impl ServerKxParams {
    /// The server's certificates and request, for the certificate suites.
    fn server_certs(&self) -> Option<&ServerCerts> {
        match self {
            Self::Rsa(server) | Self::Ecdhe { server, .. } => Some(server),
            Self::Psk { .. } | Self::EcdhePsk { .. } => None,
        }
    }

    /// Whether a CertificateRequest may come now: with a certificate suite, at most one.
    fn awaits_cert_request(&self) -> bool {
        self.server_certs()
            .is_some_and(|s| s.cert_request.is_none())
    }

    /// The peer's chain (empty for PSK), ECDHE group and signature scheme, for the summary.
    fn into_summary(
        self,
    ) -> (
        Vec<CertificateDer<'static>>,
        Option<NamedGroup>,
        Option<SignatureScheme>,
    ) {
        match self {
            Self::Rsa(server) => (server.certs, None, None),
            Self::Ecdhe { server, kx, scheme } => (server.certs, Some(kx.group), Some(scheme)),
            Self::Psk { .. } => (Vec::new(), None, None),
            Self::EcdhePsk { kx, .. } => (Vec::new(), Some(kx.group), None),
        }
    }
}

struct ExpectServerHelloDone {
    n: Negotiated,
    params: ServerKxParams,
}

impl ExpectServerHelloDone {
    /// After the message (`encoded`, which joins the transcript) that completed `params`.
    fn after(mut n: Negotiated, encoded: &[u8], params: ServerKxParams) -> Box<Self> {
        n.transcript.add(encoded);
        Box::new(Self { n, params })
    }
}

/// Known once the master secret is: after our second flight, or at ServerHello when the
/// server resumes.
struct Keyed {
    n: Negotiated,
    certs: Vec<CertificateDer<'static>>,
    group: Option<NamedGroup>,
    scheme: Option<SignatureScheme>,
    secrets: Secrets,
    /// An abbreviated handshake: our CCS and Finished follow the server's.
    resumed: bool,
    ticket: Option<NewSessionTicket>,
    /// The PSK identity we used (PSK suites).
    psk_identity: Option<Vec<u8>>,
}

impl Keyed {
    /// The state that awaits the server's ChangeCipherSpec, after the NewSessionTicket it
    /// promised if it did.
    fn awaiting_server_ccs(self: Box<Self>) -> Inner {
        if self.n.ticket_promised {
            Inner::ExpectNewTicket(self)
        } else {
            Inner::ExpectCcs(self)
        }
    }
}

impl State {
    /// Builds the ClientHello, sends it, and returns the state awaiting ServerHello.
    pub(crate) fn start(
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        out: &mut dyn Output,
    ) -> Result<Self, Error> {
        let mut random = [0u8; 32];
        let mut offered = match Self::session_to_offer(&config, &server_name) {
            // A ticket goes with a fresh random session ID (RFC 5077 section 3.4), so that
            // the server's echo tells us it resumed: drawn with our random, after it.
            Some((session, None)) => {
                let mut id = [0u8; 32];
                config
                    .common
                    .provider
                    .fill_random_parts(&mut [&mut random, &mut id])?;
                let id = SessionId::new(&id).ok_or(Error::internal("32-byte session ID"))?;
                Some((session, id))
            }
            Some((session, Some(id))) => {
                config.common.provider.fill_random(&mut random)?;
                Some((session, id))
            }
            None => {
                config.common.provider.fill_random(&mut random)?;
                None
            }
        };
        let ticket = offered.as_ref().map_or(&[][..], |(s, _)| &s.ticket[..]);
        let with_ticket = !ticket.is_empty();
        let session_id = offered.as_ref().map_or(SessionId::EMPTY, |(_, id)| *id);
        let sent = client_hello(&config, &server_name, random, session_id, ticket)
            .and_then(|hello| out.send_client_hello(hello));
        let bytes = match sent {
            // The stored ticket (within `max_ticket_len`) does not fit beside this
            // configuration's extensions (nothing was sent): forget it rather than fail
            // every connection, and offer nothing.
            Err(Error::Encode(_)) if with_ticket => {
                if let Some(store) = &config.session_store {
                    store.remove(&session_key(&server_name));
                }
                offered = None;
                let hello = client_hello(&config, &server_name, random, SessionId::EMPTY, &[])?;
                out.send_client_hello(hello)?
            }
            r => r?,
        };
        let transcript = TranscriptHash::starting_with(bytes);
        Ok(Self {
            config,
            server_name,
            inner: Inner::ExpectServerHello(Box::new(ExpectServerHello {
                random,
                offered,
                transcript,
            })),
        })
    }

    /// The stored session to offer, if one is fresh and its suite still enabled, with the
    /// session ID to send: the stored one, or `None` with a ticket, for a fresh random one
    /// (RFC 5077 section 3.4), so that the server's echo tells us it resumed.
    fn session_to_offer(
        config: &ClientConfig,
        server_name: &ServerName<'static>,
    ) -> Option<(ClientSession, Option<SessionId>)> {
        let store = config.session_store.as_ref()?;
        let mut session = store.get(&session_key(server_name))?;
        let usable = session.is_fresh(config.common.time.now())
            && config
                .common
                .suites
                .iter()
                .any(|s| s.suite == session.suite);
        if !usable {
            store.remove(&session_key(server_name));
            return None;
        }
        if !session.compatible_with(config) {
            // Made under another verifier or client identity (a configuration sharing this
            // store): never offered here, but left for the configuration that made it.
            return None;
        }
        // A store may hand back anything (one that persists sessions, say): a ticket over
        // our cap is not offered, so the ClientHello always fits its length prefixes.
        if !config.enable_tickets || session.ticket.len() > config.max_ticket_len {
            session.ticket.clear();
        }
        crate::log::debug!(
            "offering a stored session ({:?}, by {})",
            session.suite,
            if session.ticket.is_empty() {
                "session ID"
            } else {
                "ticket"
            }
        );
        if !session.ticket.is_empty() {
            return Some((session, None));
        }
        if session.session_id.is_empty() {
            return None;
        }
        let id = session.session_id;
        Some((session, Some(id)))
    }

    pub(crate) fn name(&self) -> &'static str {
        match &self.inner {
            Inner::ExpectServerHello(_) => "ExpectServerHello",
            Inner::ExpectCertificate(..) => "ExpectCertificate",
            Inner::ExpectServerKeyExchange(_) | Inner::ExpectPskServerKeyExchange(..) => {
                "ExpectServerKeyExchange"
            }
            Inner::ExpectServerHelloDone(_) => "ExpectServerHelloDone",
            Inner::ExpectNewTicket(_) => "ExpectNewSessionTicket",
            Inner::ExpectCcs(_) => "ExpectChangeCipherSpec",
            Inner::ExpectFinished(_) => "ExpectFinished",
            Inner::Established => "Established",
            Inner::Poisoned => "Failed",
        }
    }

    pub(crate) fn kx_context(&self) -> KxContext {
        match &self.inner {
            Inner::ExpectServerKeyExchange(w) => kx_context_of(w.n.suite),
            Inner::ExpectCertificate(n, _) | Inner::ExpectPskServerKeyExchange(n, _) => {
                kx_context_of(n.suite)
            }
            Inner::ExpectServerHelloDone(s) => kx_context_of(s.n.suite),
            _ => KxContext::Unknown,
        }
    }

    /// The message types this state accepts; anything else is unexpected_message before
    /// its body is read. Every live state takes a HelloRequest: Established to refuse the
    /// renegotiation, the others to ignore it (RFC 5246 section 7.4.1.1).
    pub(crate) fn expects(&self, typ: HandshakeType) -> bool {
        if typ == HandshakeType::HELLO_REQUEST {
            return !matches!(self.inner, Inner::Poisoned);
        }
        match &self.inner {
            Inner::ExpectServerHello(_) => typ == HandshakeType::SERVER_HELLO,
            Inner::ExpectCertificate(..) => typ == HandshakeType::CERTIFICATE,
            Inner::ExpectServerKeyExchange(_) => typ == HandshakeType::SERVER_KEY_EXCHANGE,
            // RFC 4279 section 2: a PSK server may leave out ServerKeyExchange.
            Inner::ExpectPskServerKeyExchange(_, kx) => {
                typ == HandshakeType::SERVER_KEY_EXCHANGE
                    || (typ == HandshakeType::SERVER_HELLO_DONE && *kx == PskKx::Psk)
            }
            Inner::ExpectServerHelloDone(s) => {
                typ == HandshakeType::SERVER_HELLO_DONE
                    || (typ == HandshakeType::CERTIFICATE_REQUEST && s.params.awaits_cert_request())
            }
            Inner::ExpectNewTicket(_) => typ == HandshakeType::NEW_SESSION_TICKET,
            Inner::ExpectFinished(_) => typ == HandshakeType::FINISHED,
            Inner::Established | Inner::ExpectCcs(_) | Inner::Poisoned => false,
        }
    }

    pub(crate) fn is_established(&self) -> bool {
        matches!(self.inner, Inner::Established)
    }

    pub(crate) fn handle(&mut self, out: &mut dyn Output, input: Input<'_>) -> Result<(), Error> {
        let state = core::mem::replace(&mut self.inner, Inner::Poisoned);
        self.inner = self.step(out, state, input)?;
        Ok(())
    }

    fn step(
        &mut self,
        out: &mut dyn Output,
        state: Inner,
        input: Input<'_>,
    ) -> Result<Inner, Error> {
        let (msg, encoded) = match input {
            Input::ChangeCipherSpec => {
                let awaited = match state {
                    Inner::ExpectCcs(k) => Some(k),
                    _ => None,
                };
                return super::peer_ccs(out, awaited).map(Inner::ExpectFinished);
            }
            Input::Handshake { msg, encoded } => (msg, encoded),
            // `expects` refuses a ClientHello before it is read.
            Input::ClientHello { .. } => {
                return Err(Error::unexpected("handshake message out of order"));
            }
        };
        match (state, msg.payload) {
            (Inner::ExpectServerHello(s), HandshakePayload::ServerHello(sh)) => {
                self.handle_server_hello(out, s, sh, encoded)
            }
            (Inner::ExpectCertificate(n, kx), HandshakePayload::Certificate(chain)) => {
                self.handle_certificate(*n, kx, chain, encoded)
            }
            (Inner::ExpectServerKeyExchange(w), HandshakePayload::ServerKeyExchange(ske)) => {
                let (kx, scheme) = self.check_server_key_exchange(&w, ske)?;
                let server = ServerCerts::new(w.certs);
                let params = ServerKxParams::Ecdhe { server, kx, scheme };
                let s = ExpectServerHelloDone::after(w.n, encoded, params);
                Ok(Inner::ExpectServerHelloDone(s))
            }
            (
                Inner::ExpectPskServerKeyExchange(n, kx),
                HandshakePayload::ServerKeyExchange(ske),
            ) => {
                let params = self.check_psk_server_key_exchange(kx, ske)?;
                let s = ExpectServerHelloDone::after(*n, encoded, params);
                Ok(Inner::ExpectServerHelloDone(s))
            }
            (
                Inner::ExpectPskServerKeyExchange(n, PskKx::Psk),
                HandshakePayload::ServerHelloDone,
            ) => {
                // No hint, no ServerKeyExchange (RFC 4279 section 2).
                let params = ServerKxParams::Psk { hint: None };
                let s = ExpectServerHelloDone::after(*n, encoded, params);
                self.send_second_flight(out, s)
            }
            (Inner::ExpectServerHelloDone(s), HandshakePayload::CertificateRequest(req))
                if s.params.awaits_cert_request() =>
            {
                handle_certificate_request(s, req, encoded)
            }
            (Inner::ExpectServerHelloDone(mut s), HandshakePayload::ServerHelloDone) => {
                s.n.transcript.add(encoded);
                self.send_second_flight(out, s)
            }
            (Inner::ExpectNewTicket(mut k), HandshakePayload::NewSessionTicket(t)) => {
                k.n.transcript.add(encoded);
                k.ticket = Some(t);
                Ok(Inner::ExpectCcs(k))
            }
            (Inner::ExpectFinished(k), HandshakePayload::Finished(vd)) => {
                self.handle_finished(out, k, &vd, encoded)
            }
            (Inner::Established, HandshakePayload::HelloRequest) => {
                out.refuse_renegotiation()?;
                Ok(Inner::Established)
            }
            (state, HandshakePayload::HelloRequest) => {
                // RFC 5246 section 7.4.1.1: "This message will be ignored by the client if
                // the client is currently negotiating a session", and it is not part of the
                // transcript (section 7.4.9). OpenSSL skips it the same way.
                Ok(state)
            }
            _ => Err(Error::unexpected("handshake message out of order")),
        }
    }

    /// The server's Certificate (RFC 5246 section 7.4.2), verified; then its
    /// ServerKeyExchange follows for ECDHE, or its ServerHelloDone for RSA key exchange.
    fn handle_certificate(
        &self,
        mut n: Negotiated,
        kx: CertKx,
        chain: CertificateChain,
        encoded: &[u8],
    ) -> Result<Inner, Error> {
        n.transcript.add(encoded);
        let certs = self.verify_chain(chain)?;
        Ok(match kx {
            CertKx::Ecdhe(auth) => {
                Inner::ExpectServerKeyExchange(Box::new(WithCerts { n, certs, auth }))
            }
            CertKx::Rsa => Inner::ExpectServerHelloDone(Box::new(ExpectServerHelloDone {
                n,
                params: ServerKxParams::Rsa(ServerCerts::new(certs)),
            })),
        })
    }

    /// The server's ServerKeyExchange (RFC 8422 section 5.4): a named group we offered, a
    /// scheme we offered that fits the suite, signed by the certificate's key over both
    /// randoms and the parameters. Returns the key and the scheme.
    fn check_server_key_exchange(
        &self,
        w: &WithCerts,
        ske: ServerKeyExchangePayload,
    ) -> Result<(ServerKx, SignatureScheme), Error> {
        let ServerKeyExchangePayload::Ecdhe(ske) = ske else {
            return Err(Error::unexpected(
                "ServerKeyExchange not decodable as ECDHE",
            ));
        };
        if ske.curve_type != ECCurveType::NAMED_CURVE
            || !self.config.common.groups.contains(&ske.group)
        {
            return Err(Error::peer(
                "ServerKeyExchange group we did not offer",
                AlertDescription::ILLEGAL_PARAMETER,
            ));
        }
        check_scheme(
            &self.config.verifier.supported_schemes(),
            ske.signed.scheme,
            w.auth,
        )?;
        let message = signed_message(
            &Random(w.n.client_random),
            &Random(w.n.server_random),
            &ske.params()?,
        );
        let ee = w
            .certs
            .first()
            .ok_or(Error::Certificate(CertificateError::Missing))?;
        self.config.verifier.verify_signature(
            &message,
            ee,
            ske.signed.scheme,
            &ske.signed.signature,
        )?;
        let kx = ServerKx {
            group: ske.group,
            public: ske.public,
        };
        Ok((kx, ske.signed.scheme))
    }

    /// A PSK or ECDHE_PSK ServerKeyExchange (RFC 4279 section 2, RFC 5489 section 2): the
    /// identity hint, bounded by `max_psk_identity_len` (illegal_parameter), and for
    /// ECDHE_PSK unsigned parameters in a group we offered.
    fn check_psk_server_key_exchange(
        &self,
        kx: PskKx,
        ske: ServerKeyExchangePayload,
    ) -> Result<ServerKxParams, Error> {
        match (kx, ske) {
            (PskKx::Psk, ServerKeyExchangePayload::Psk(hint)) => Ok(ServerKxParams::Psk {
                hint: self.check_psk_hint(hint)?,
            }),
            (PskKx::EcdhePsk, ServerKeyExchangePayload::EcdhePsk(ske)) => {
                if !self.config.common.groups.contains(&ske.group) {
                    return Err(Error::peer(
                        "ServerKeyExchange group we did not offer",
                        AlertDescription::ILLEGAL_PARAMETER,
                    ));
                }
                Ok(ServerKxParams::EcdhePsk {
                    hint: self.check_psk_hint(ske.hint)?,
                    kx: ServerKx {
                        group: ske.group,
                        public: ske.public,
                    },
                })
            }
            _ => Err(Error::unexpected(
                "ServerKeyExchange does not fit the key exchange",
            )),
        }
    }

    /// The server's PSK identity hint: at most `max_psk_identity_len` bytes
    /// (illegal_parameter); `None` if empty.
    fn check_psk_hint(&self, hint: Vec<u8>) -> Result<Option<Vec<u8>>, Error> {
        if hint.len() > self.config.common.max_psk_identity_len {
            return Err(Error::peer(
                "PSK identity hint longer than max_psk_identity_len",
                AlertDescription::ILLEGAL_PARAMETER,
            ));
        }
        Ok((!hint.is_empty()).then_some(hint))
    }

    /// The server's Finished: after an abbreviated handshake our ChangeCipherSpec and
    /// Finished follow (after a full one ours went first); then we are done.
    fn handle_finished(
        &self,
        out: &mut dyn Output,
        mut k: Box<Keyed>,
        verify_data: &[u8],
        encoded: &[u8],
    ) -> Result<Inner, Error> {
        k.secrets
            .check_finished(Side::Server, &k.n.transcript, verify_data)?;
        k.n.transcript.add(encoded);
        if k.resumed {
            k.secrets
                .send_ccs_and_finished(out, Side::Client, &mut k.n.transcript)?;
        }
        self.store_session(&k);
        let summary = HandshakeSummary {
            group: k.group,
            signature_scheme: k.scheme,
            alpn: k.n.alpn,
            extended_master_secret: k.n.ems,
            peer_certificates: k.certs,
            resumed: k.resumed,
            server_name: match &self.server_name {
                ServerName::DnsName(d) => Some(String::from(d.as_ref())),
                _ => None,
            },
            psk_identity: k.psk_identity,
            ..k.secrets.summary()
        };
        k.secrets.complete(out, summary)?;
        Ok(Inner::Established)
    }

    fn handle_server_hello(
        &mut self,
        out: &mut dyn Output,
        s: Box<ExpectServerHello>,
        sh: ServerHello,
        encoded: &[u8],
    ) -> Result<Inner, Error> {
        let common = &self.config.common;
        if sh.version != ProtocolVersion::TLS12 {
            return Err(Error::negotiation(
                "server chose a version other than TLS 1.2",
                AlertDescription::PROTOCOL_VERSION,
            ));
        }
        out.version_negotiated();
        let suite = offered_suites(&self.config)
            .find(|x| x.suite == sh.cipher_suite)
            .ok_or(Error::peer(
                "server chose a suite we did not offer",
                AlertDescription::ILLEGAL_PARAMETER,
            ))?;
        if sh.compression_method != CompressionMethod::NULL {
            return Err(Error::peer(
                "server chose compression",
                AlertDescription::ILLEGAL_PARAMETER,
            ));
        }
        self.check_server_extensions(&sh, suite)?;
        let record_limits = limits::client_negotiate(
            self.config.max_fragment_length,
            common.record_size_limit,
            sh.max_fragment_length(),
            sh.record_size_limit(),
        )?;
        if record_limits.is_negotiated() {
            out.record_limits(record_limits);
        }
        let ems = sh.extended_master_secret();
        if common.require_ems && !ems {
            return Err(Error::negotiation(
                "server does not support extended master secret",
                AlertDescription::HANDSHAKE_FAILURE,
            ));
        }
        let mut transcript = s.transcript;
        let offered = s.offered;
        transcript.start_hash(
            common.provider.as_ref(),
            suite,
            self.config.client_cert.is_some() || self.config.client_cert_resolver.is_some(),
        );
        transcript.add(encoded);
        let n = Negotiated {
            suite,
            client_random: s.random,
            server_random: sh.random.0,
            ems,
            alpn: sh.alpn_protocol().map(|p| p.to_vec()),
            session_id: sh.session_id,
            ticket_promised: sh.session_ticket_ack(),
            transcript,
        };
        match offered {
            Some((session, sent_id)) if !sent_id.is_empty() && sh.session_id == sent_id => {
                self.resume(out, n, session)
            }
            _ => awaiting_first_flight(n),
        }
    }

    /// The ServerHello's extensions: only those we sent may come back (RFC 5246 section
    /// 7.4.1.4), each with a value we can accept.
    fn check_server_extensions(
        &self,
        sh: &ServerHello,
        suite: &SupportedSuite,
    ) -> Result<(), Error> {
        let common = &self.config.common;
        for ext in sh.extensions() {
            use crate::msgs::ServerExtension as S;
            let solicited = match ext {
                S::RenegotiationInfo(v) => {
                    if !v.is_empty() {
                        return Err(Error::peer(
                            "renegotiation_info not empty",
                            AlertDescription::HANDSHAKE_FAILURE,
                        ));
                    }
                    true
                }
                S::ExtendedMasterSecret => true,
                S::EcPointFormats(f) => {
                    if !f.contains(&ECPointFormat::UNCOMPRESSED) {
                        return Err(Error::peer(
                            "no uncompressed point format",
                            AlertDescription::ILLEGAL_PARAMETER,
                        ));
                    }
                    suite.kx.uses_ecdhe()
                }
                // Unsolicited (unsupported_extension) when we offered no ALPN at all.
                S::Alpn(p) if !common.alpn_protocols.is_empty() => {
                    if !common.alpn_protocols.iter().any(|a| a == p) {
                        return Err(Error::peer(
                            "server chose an ALPN protocol we did not offer",
                            AlertDescription::ILLEGAL_PARAMETER,
                        ));
                    }
                    true
                }
                S::ServerName => matches!(self.server_name, ServerName::DnsName(_)),
                // Their values: `limits::client_negotiate`.
                S::MaxFragmentLength(_) => self.config.max_fragment_length.is_some(),
                S::RecordSizeLimit(_) => common.record_size_limit.is_some(),
                S::SessionTicket => {
                    self.config.enable_tickets && self.config.session_store.is_some()
                }
                _ => false,
            };
            if !solicited {
                return Err(Error::peer(
                    "unsolicited extension in ServerHello",
                    AlertDescription::UNSUPPORTED_EXTENSION,
                ));
            }
        }
        Ok(())
    }

    /// The server echoed the session ID we offered: an abbreviated handshake.
    fn resume(
        &mut self,
        out: &mut dyn Output,
        n: Negotiated,
        mut session: ClientSession,
    ) -> Result<Inner, Error> {
        if n.suite.suite != session.suite {
            return Err(Error::peer(
                "server resumed with another cipher suite",
                AlertDescription::ILLEGAL_PARAMETER,
            ));
        }
        // RFC 7627 section 5.3: the extended master secret state must not change.
        if n.ems != session.extended_master_secret {
            return Err(Error::peer(
                "server resumed with a different extended master secret state",
                AlertDescription::HANDSHAKE_FAILURE,
            ));
        }
        // The key the stored session kept, if this connection's provider bound it.
        let common = &self.config.common;
        let secrets = match session
            .master_key
            .as_ref()
            .and_then(|k| k.for_provider(&common.provider))
        {
            Some(key) => Secrets::with_key(
                n.suite,
                MasterSecret::from_bytes(session.master_secret),
                key,
                n.client_random,
                n.server_random,
            )
            .start_resumed(common, out, Side::Client)?,
            None => Secrets::resume(
                common,
                out,
                Side::Client,
                n.suite,
                session.master_secret,
                n.client_random,
                n.server_random,
            )?,
        };
        let k = Keyed {
            certs: core::mem::take(&mut session.peer_certificates),
            group: None,
            scheme: None,
            secrets,
            resumed: true,
            ticket: None,
            psk_identity: session.psk_identity.clone(),
            n,
        };
        Ok(Box::new(k).awaiting_server_ccs())
    }

    /// Keeps what the handshake gave for the next connection to this server name.
    fn store_session(&self, k: &Keyed) {
        let Some(store) = &self.config.session_store else {
            return;
        };
        let key = session_key(&self.server_name);
        // A ticket over our cap is ignored, as if the server had sent none: it would be sent
        // back in every later ClientHello.
        let ticket = k
            .ticket
            .as_ref()
            .filter(|t| !t.ticket.is_empty() && t.ticket.len() <= self.config.max_ticket_len);
        if k.resumed && ticket.is_none() {
            // Keep the session as it is: the server may resume it again.
            return;
        }
        if k.n.session_id.is_empty() && ticket.is_none() {
            store.remove(&key);
            return;
        }
        store.put(
            &key,
            ClientSession {
                suite: k.n.suite.suite,
                master_secret: *k.secrets.master.as_bytes(),
                extended_master_secret: k.n.ems,
                session_id: k.n.session_id,
                ticket: ticket.map(|t| t.ticket.clone()).unwrap_or_default(),
                lifetime_secs: ticket.map_or(0, |t| t.lifetime_hint),
                received_at: self.config.common.time.now().as_secs(),
                peer_certificates: k.certs.clone(),
                psk_identity: k.psk_identity.clone(),
                origin: SessionOrigin::of(&self.config),
                master_key: Some(MasterKeyCache::new(
                    &self.config.common.provider,
                    Arc::from(
                        k.secrets
                            .master
                            .hmac_key(self.config.common.provider.hmac(k.n.suite.hash)),
                    ),
                )),
            },
        );
    }

    fn verify_chain(&self, chain: CertificateChain) -> Result<Vec<CertificateDer<'static>>, Error> {
        let certs = chain.0;
        super::check_chain_len(&certs, self.config.common.max_peer_chain_len)?;
        let (ee, rest) = certs
            .split_first()
            .ok_or(Error::Certificate(CertificateError::Missing))?;
        let now = self.config.common.time.now();
        self.config
            .verifier
            .verify_server_cert(ee, rest, &self.server_name, now)?;
        Ok(certs)
    }

    /// Our Certificate, asked for with `req` (RFC 5246 section 7.4.6): the configured or
    /// resolved one if its type and a scheme fit the request, else an empty chain. Returns
    /// the key and scheme to sign CertificateVerify with, if a certificate was sent.
    fn emit_certificate(
        &self,
        out: &mut dyn Output,
        transcript: &mut TranscriptHash,
        req: &CertificateRequest,
    ) -> Result<Option<(CertifiedKey, SignatureScheme)>, Error> {
        let resolved = match &self.config.client_cert_resolver {
            Some(r) => r.resolve(req),
            None => self.config.client_cert.clone(),
        };
        let chosen = resolved.and_then(|ck| {
            let type_ok = req.certificate_types.iter().any(|t| match ck.kind() {
                KeyKind::Rsa => *t == crate::codec::enums::ClientCertificateType::RSA_SIGN,
                KeyKind::Ecdsa => *t == crate::codec::enums::ClientCertificateType::ECDSA_SIGN,
            });
            let scheme = ck.key.choose_scheme(&req.signature_schemes)?;
            type_ok.then_some((ck, scheme))
        });
        let chain = chosen
            .as_ref()
            .map(|(ck, _)| ck.chain.clone())
            .unwrap_or_default();
        send(
            out,
            transcript,
            HandshakeMessage::from(CertificateChain(chain)),
        )?;
        Ok(chosen)
    }

    /// Our side of the key exchange, and the PSK identity we used (PSK suites): the PSK
    /// resolver sees the server's hint and picks the identity and key (none:
    /// handshake_failure).
    fn key_exchange(&self, params: &ServerKxParams) -> Result<(OurKx, Option<Vec<u8>>), Error> {
        let provider = self.config.common.provider.as_ref();
        let (hint, server_kx) = match params {
            ServerKxParams::Rsa(server) => return Ok((rsa_key_exchange(provider, server)?, None)),
            ServerKxParams::Ecdhe { kx, .. } => {
                let (shared, public) = ecdh(provider, kx)?;
                let pre_master = Zeroizing::new(shared.as_ref().to_vec());
                return Ok(((pre_master, ClientKeyExchangePayload::Ecdhe(public)), None));
            }
            ServerKxParams::Psk { hint } => (hint, None),
            ServerKxParams::EcdhePsk { hint, kx } => (hint, Some(kx)),
        };
        let resolver = self.config.psk.as_ref().ok_or(Error::internal(
            "a PSK suite negotiated without a PSK resolver",
        ))?;
        let psk = resolver.resolve(hint.as_deref()).ok_or(Error::negotiation(
            "no PSK for the server's identity hint",
            AlertDescription::HANDSHAKE_FAILURE,
        ))?;
        let ours = psk_key_exchange(provider, server_kx, &psk)?;
        Ok((ours, Some(psk.identity().as_bytes().to_vec())))
    }

    fn send_second_flight(
        &mut self,
        out: &mut dyn Output,
        s: Box<ExpectServerHelloDone>,
    ) -> Result<Inner, Error> {
        let provider = self.config.common.provider.clone();
        let mut n = s.n;
        let signer = match s
            .params
            .server_certs()
            .and_then(|c| c.cert_request.as_ref())
        {
            Some(req) => self.emit_certificate(out, &mut n.transcript, req)?,
            None => None,
        };
        let ((pre_master, cke), psk_identity) = self.key_exchange(&s.params)?;
        send(out, &mut n.transcript, HandshakeMessage::from(cke))?;
        let session_hash = if n.ems {
            Some(n.transcript.current_hash()?)
        } else {
            None
        };
        let secrets = Secrets::derive(
            provider.as_ref(),
            n.suite,
            &pre_master,
            n.client_random,
            n.server_random,
            session_hash.as_ref().map(|h| h.as_ref()),
        );
        drop(pre_master);
        secrets.log(&self.config.common);

        // CertificateVerify over everything so far.
        if let Some((ck, scheme)) = signer {
            let signature = ck.key.sign(scheme, n.transcript.raw()?)?;
            let cv = HandshakeMessage::certificate_verify(DigitallySigned { scheme, signature });
            send(out, &mut n.transcript, cv)?;
        }

        secrets.install_keys(provider.as_ref(), out, Side::Client)?;
        secrets.send_ccs_and_finished(out, Side::Client, &mut n.transcript)?;
        // RFC 7918: only with forward secrecy (ECDHE); every suite we implement is AEAD.
        if self.config.false_start && n.suite.forward_secret() {
            out.start_app_data()?;
        }
        let (certs, group, scheme) = s.params.into_summary();
        let k = Keyed {
            n,
            certs,
            group,
            scheme,
            secrets,
            resumed: false,
            ticket: None,
            psk_identity,
        };
        Ok(Box::new(k).awaiting_server_ccs())
    }
}

/// The state after a full handshake's ServerHello: the server's Certificate for the
/// certificate suites, its ServerKeyExchange (or, for plain PSK, ServerHelloDone) for the
/// PSK suites.
fn awaiting_first_flight(n: Negotiated) -> Result<Inner, Error> {
    let n = Box::new(n);
    Ok(match (n.suite.kx, n.suite.auth) {
        (KeyExchange::Rsa, _) => Inner::ExpectCertificate(n, CertKx::Rsa),
        (KeyExchange::Ecdhe, Some(auth)) => Inner::ExpectCertificate(n, CertKx::Ecdhe(auth)),
        (KeyExchange::Ecdhe, None) => {
            return Err(Error::internal("an ECDHE suite without a certificate type"));
        }
        (KeyExchange::Psk, _) => Inner::ExpectPskServerKeyExchange(n, PskKx::Psk),
        (KeyExchange::EcdhePsk, _) => Inner::ExpectPskServerKeyExchange(n, PskKx::EcdhePsk),
    })
}

/// The pre-master secret and our ClientKeyExchange.
type OurKx = (Zeroizing<Vec<u8>>, ClientKeyExchangePayload);

/// Our ephemeral key in the server's group, completed with the server's key: the shared
/// secret and our public key.
fn ecdh(
    provider: &dyn crate::crypto::CryptoProvider,
    kx: &ServerKx,
) -> Result<(crate::crypto::SharedSecret, Vec<u8>), Error> {
    let group = provider
        .kx_group(kx.group)
        .ok_or(Error::internal("group vanished"))?;
    let active = group.start()?;
    let public = active.public_key().to_vec();
    Ok((active.complete(&kx.public)?, public))
}

/// RSA key transport (RFC 5246 section 7.4.7.1): a random pre-master secret encrypted to
/// the server's end-entity key.
fn rsa_key_exchange(
    provider: &dyn crate::crypto::CryptoProvider,
    server: &ServerCerts,
) -> Result<OurKx, Error> {
    let mut pm = Zeroizing::new([0u8; 48]);
    provider.fill_random(&mut pm[2..])?;
    pm[..2].copy_from_slice(&ProtocolVersion::TLS12.0.to_be_bytes());
    let ee = server
        .certs
        .first()
        .ok_or(Error::Certificate(CertificateError::Missing))?;
    let ct = provider
        .rsa_encrypt_pre_master(ee.as_ref(), &pm)
        .ok_or(Error::Config("RSA key exchange needs the rsa-kx feature"))??;
    Ok((
        Zeroizing::new(pm.to_vec()),
        ClientKeyExchangePayload::Rsa(ct),
    ))
}

/// The pre-master secret and our ClientKeyExchange of a PSK key exchange (RFC 4279
/// section 2, RFC 5489 section 2): our identity, and for ECDHE_PSK (`server_kx` given)
/// our ephemeral key in the server's group.
fn psk_key_exchange(
    provider: &dyn crate::crypto::CryptoProvider,
    server_kx: Option<&ServerKx>,
    psk: &Psk,
) -> Result<OurKx, Error> {
    let identity = psk.identity().as_bytes().to_vec();
    match server_kx {
        None => Ok((
            crate::psk::pre_master(None, psk.key())?,
            ClientKeyExchangePayload::Psk(identity),
        )),
        Some(kx) => {
            let (shared, public) = ecdh(provider, kx)?;
            Ok((
                crate::psk::pre_master(Some(shared.as_ref()), psk.key())?,
                ClientKeyExchangePayload::EcdhePsk(EcdhePskClientKeyExchange { identity, public }),
            ))
        }
    }
}

/// Our ClientHello: the configuration's suites and extensions, `session_id` and, when the
/// configuration uses tickets, the session_ticket extension with `ticket` (empty: asking
/// for one). Encoded straight from the configuration (nothing is copied into a
/// [`ClientHello`](crate::msgs::ClientHello) first), except with `message_events`, whose event carries the typed
/// message. An [`Error::Encode`] if it does not fit its length prefixes.
fn client_hello(
    config: &ClientConfig,
    server_name: &ServerName<'static>,
    random: [u8; 32],
    session_id: SessionId,
    ticket: &[u8],
) -> Result<HandshakeMessage, Error> {
    use crate::msgs::{ClientExtensionRef as Ext, ClientHelloRef};
    let common = &config.common;
    // The suites (and the renegotiation SCSV) on the stack for any usual configuration.
    const SUITES_ON_STACK: usize = 32;
    let mut small = [CipherSuite(0); SUITES_ON_STACK];
    let mut large = Vec::new();
    let n_suites = offered_suites(config).count() + 1;
    let suites: &mut [CipherSuite] = match small.get_mut(..n_suites) {
        Some(s) => s,
        None => {
            large.resize(n_suites, CipherSuite(0));
            &mut large
        }
    };
    let ours = offered_suites(config).map(|s| s.suite);
    for (slot, suite) in suites
        .iter_mut()
        .zip(ours.chain([CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV]))
    {
        *slot = suite;
    }

    let schemes = config.verifier.supported_schemes();
    let ecdhe = offered_suites(config).any(|s| s.kx.uses_ecdhe());
    // Certificate suites only: a PSK-only hello has no signature to ask for.
    let signed = offered_suites(config).any(|s| s.auth.is_some());
    let candidates = [
        match server_name {
            ServerName::DnsName(name) => Some(Ext::HostName(name.as_ref().as_bytes())),
            _ => None,
        },
        ecdhe.then_some(Ext::SupportedGroups(&common.groups)),
        ecdhe.then_some(Ext::EcPointFormats(&[ECPointFormat::UNCOMPRESSED])),
        signed.then_some(Ext::SignatureAlgorithms(&schemes)),
        (!common.alpn_protocols.is_empty()).then_some(Ext::Alpn(&common.alpn_protocols)),
        Some(Ext::ExtendedMasterSecret),
        config.max_fragment_length.map(Ext::MaxFragmentLength),
        common
            .record_size_limit
            .map(|l| Ext::RecordSizeLimit(limits::advertised_record_size_limit(l))),
        (config.enable_tickets && config.session_store.is_some())
            .then_some(Ext::SessionTicket(ticket)),
    ];
    let mut exts = [Ext::ExtendedMasterSecret; 9];
    let mut n_exts = 0;
    for (slot, ext) in exts.iter_mut().zip(candidates.into_iter().flatten()) {
        *slot = ext;
        n_exts += 1;
    }

    let hello = ClientHelloRef {
        version: ProtocolVersion::TLS12,
        random: Random(random),
        session_id,
        cipher_suites: suites,
        compression_methods: &[CompressionMethod::NULL],
        extensions: exts.get(..n_exts),
    };
    if common.message_events {
        return Ok(HandshakeMessage::from(hello.to_owned()));
    }
    // Room for the usual hello and the ticket at once, and for the handshake header that
    // the connection puts in front.
    let mut body = Vec::with_capacity(256 + ticket.len());
    hello.encode(&mut body)?;
    Ok(HandshakeMessage::encoded(HandshakeType::CLIENT_HELLO, body))
}

/// The suites this client offers: the enabled ones, less the PSK suites when it has no PSK.
fn offered_suites(config: &ClientConfig) -> impl Iterator<Item = &'static SupportedSuite> + '_ {
    let psk = config.psk.is_some();
    config
        .common
        .suites
        .iter()
        .copied()
        .filter(move |s| psk || !s.kx.uses_psk())
}

/// The session store's key for a server name: the DNS name, or the IP address.
fn session_key<'n>(name: &'n ServerName<'_>) -> alloc::borrow::Cow<'n, str> {
    match name {
        ServerName::DnsName(d) => alloc::borrow::Cow::Borrowed(d.as_ref()),
        other => alloc::borrow::Cow::Owned(alloc::format!("{other:?}")),
    }
}

/// The peer's signature scheme must be one we offered and fit the suite's key type.
pub(crate) fn check_scheme(
    offered: &[SignatureScheme],
    scheme: SignatureScheme,
    auth: KeyKind,
) -> Result<(), Error> {
    let fits = match auth {
        KeyKind::Rsa => matches!(scheme.0 & 0xff, 0x01) || matches!(scheme.0, 0x0804..=0x0806),
        KeyKind::Ecdsa => scheme.0 & 0xff == 0x03,
    };
    if !offered.contains(&scheme) || !fits {
        return Err(Error::peer(
            "signature scheme we did not offer",
            AlertDescription::ILLEGAL_PARAMETER,
        ));
    }
    Ok(())
}

/// A CertificateRequest (RFC 5246 section 7.4.4), at most one, with at least one
/// certificate type: kept for the second flight.
fn handle_certificate_request(
    mut s: Box<ExpectServerHelloDone>,
    req: CertificateRequest,
    encoded: &[u8],
) -> Result<Inner, Error> {
    if req.certificate_types.is_empty() {
        return Err(Error::peer(
            "CertificateRequest without types",
            AlertDescription::DECODE_ERROR,
        ));
    }
    let server = match &mut s.params {
        ServerKxParams::Rsa(server) | ServerKxParams::Ecdhe { server, .. } => server,
        ServerKxParams::Psk { .. } | ServerKxParams::EcdhePsk { .. } => {
            return Err(Error::unexpected("handshake message out of order"));
        }
    };
    server.cert_request = Some(req);
    s.n.transcript.add(encoded);
    Ok(Inner::ExpectServerHelloDone(s))
}
