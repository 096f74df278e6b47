//! The server's handshake: read ClientHello, send the first flight, read the client's.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use pki_types::{CertificateDer, DnsName};
use zeroize::Zeroizing;

use super::{
    HandshakeSummary, Input, Output, Secrets, Side, TranscriptHash, check_chain_len, kx_context_of,
    random_session_id, send,
};
use crate::codec::enums::{
    AlertDescription, ClientCertificateType, CompressionMethod, ECCurveType, ECPointFormat,
    ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::codec::{LenPrefix, Reader};
use crate::config::{CertifiedKey, ServerConfig};
use crate::crypto::{ActiveKx, KeyKind};
use crate::error::{CertificateError, Error};
use crate::msgs::{
    CertificateChain, CertificateRequest, ClientExtensionWire, ClientHelloWire,
    ClientKeyExchangePayload, DigitallySigned, EcdhePskServerKeyExchange, EcdheServerKeyExchange,
    HandshakeMessage, HandshakePayload, KxContext, NewSessionTicket, Random, ServerExtension,
    ServerHello, ServerKeyExchangePayload, SessionId, ecdhe_params, signed_message,
};
use crate::psk::{PskKey, ResolvesServerPsk};
use crate::record::limits::{self, RecordLimits};
use crate::resumption::ServerSession;
use crate::suites::{KeyExchange, SupportedSuite};
use crate::verify::ClientCertVerifier;

/// The server side of the handshake.
pub(crate) struct State {
    config: Arc<ServerConfig>,
    inner: Inner,
}

/// The server's states, in protocol order.
enum Inner {
    ExpectClientHello,
    /// We asked for a certificate, which this verifier checks.
    ExpectCertificate(Box<Pending>, Arc<dyn ClientCertVerifier>),
    /// With the client's certificate if it sent one.
    ExpectClientKeyExchange(Box<Pending>, Option<ClientCert>),
    ExpectCertificateVerify(Box<Keyed>, ClientCert),
    ExpectCcs(Box<Keyed>),
    ExpectFinished(Box<Keyed>),
    Established,
    /// Between transitions, and after an error.
    Poisoned,
}

/// Known once our first flight is sent.
struct Negotiated {
    suite: &'static SupportedSuite,
    client_version: ProtocolVersion,
    client_random: [u8; 32],
    server_random: [u8; 32],
    ems: bool,
    alpn: Option<Vec<u8>>,
    server_name: Option<String>,
    group: Option<NamedGroup>,
    scheme: Option<SignatureScheme>,
    /// The session ID we gave (empty: the session is not cached).
    session_id: SessionId,
    /// We acknowledged session_ticket: a NewSessionTicket precedes our CCS.
    send_ticket: bool,
    transcript: TranscriptHash,
}

/// Our first flight is sent; the client's key exchange completes ours.
struct Pending {
    n: Negotiated,
    kx: PendingKx,
}

/// Our side of the key exchange, one variant per kind (RFC 5246 section 7.4.7, RFC 4279
/// section 2, RFC 5489 section 2): what completes the pre-master secret with the client's
/// ClientKeyExchange.
enum PendingKx {
    /// RSA key transport: the certificate whose key decrypts the pre-master secret.
    Rsa(CertifiedKey),
    /// ECDHE: our ephemeral key.
    Ecdhe(Box<dyn ActiveKx>),
    /// Plain PSK: the resolver that knows the client's identity.
    Psk(Arc<dyn ResolvesServerPsk>),
    /// ECDHE_PSK: the resolver and our ephemeral key.
    EcdhePsk(Arc<dyn ResolvesServerPsk>, Box<dyn ActiveKx>),
}

/// The client's certificate chain, verified (not empty): its CertificateVerify is due.
struct ClientCert {
    verifier: Arc<dyn ClientCertVerifier>,
    ee: CertificateDer<'static>,
    intermediates: Vec<CertificateDer<'static>>,
}

impl ClientCert {
    fn into_chain(self) -> Vec<CertificateDer<'static>> {
        let mut chain = self.intermediates;
        chain.insert(0, self.ee);
        chain
    }
}

struct Keyed {
    n: Negotiated,
    /// The client's chain once its CertificateVerify is checked, or the resumed session's;
    /// empty without one.
    client_certs: Vec<CertificateDer<'static>>,
    secrets: Secrets,
    /// An abbreviated handshake: our CCS and Finished went first.
    resumed: bool,
    /// The client's PSK identity (PSK suites).
    psk_identity: Option<Vec<u8>>,
}

/// What the server chose from a ClientHello.
struct Choice<'c> {
    suite: &'static SupportedSuite,
    kx: ChosenKx<'c>,
}

/// The chosen key exchange and what it takes, one variant per kind (RFC 5246 section
/// 7.4.3, RFC 4279 section 2, RFC 5489 section 2).
enum ChosenKx<'c> {
    /// RSA key transport: a certificate whose key can decrypt.
    Rsa(&'c CertifiedKey),
    /// ECDHE: a certificate, the scheme that signs ServerKeyExchange, the group.
    Ecdhe {
        cert: &'c CertifiedKey,
        scheme: SignatureScheme,
        group: NamedGroup,
    },
    /// Plain PSK: no certificate.
    Psk(&'c Arc<dyn ResolvesServerPsk>),
    /// ECDHE_PSK: no certificate, an unsigned key in the group.
    EcdhePsk(&'c Arc<dyn ResolvesServerPsk>, NamedGroup),
}

impl ChosenKx<'_> {
    /// Whether a certificate authenticates us (so a CertificateRequest may go with it).
    fn certified(&self) -> bool {
        matches!(self, Self::Rsa(_) | Self::Ecdhe { .. })
    }

    fn group(&self) -> Option<NamedGroup> {
        match self {
            Self::Ecdhe { group, .. } | Self::EcdhePsk(_, group) => Some(*group),
            Self::Rsa(_) | Self::Psk(_) => None,
        }
    }

    fn scheme(&self) -> Option<SignatureScheme> {
        match self {
            Self::Ecdhe { scheme, .. } => Some(*scheme),
            Self::Rsa(_) | Self::Psk(_) | Self::EcdhePsk(..) => None,
        }
    }
}

impl State {
    pub(crate) fn new(config: Arc<ServerConfig>) -> Self {
        Self {
            config,
            inner: Inner::ExpectClientHello,
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match &self.inner {
            Inner::ExpectClientHello => "ExpectClientHello",
            Inner::ExpectCertificate(..) => "ExpectCertificate",
            Inner::ExpectClientKeyExchange(..) => "ExpectClientKeyExchange",
            Inner::ExpectCertificateVerify(..) => "ExpectCertificateVerify",
            Inner::ExpectCcs(_) => "ExpectChangeCipherSpec",
            Inner::ExpectFinished(_) => "ExpectFinished",
            Inner::Established => "Established",
            Inner::Poisoned => "Failed",
        }
    }

    pub(crate) fn kx_context(&self) -> KxContext {
        match &self.inner {
            Inner::ExpectClientKeyExchange(p, _) | Inner::ExpectCertificate(p, _) => {
                kx_context_of(p.n.suite)
            }
            _ => KxContext::Unknown,
        }
    }

    /// The message types this state accepts; anything else is unexpected_message before
    /// its body is read. Established takes a ClientHello only to refuse the renegotiation.
    pub(crate) fn expects(&self, typ: HandshakeType) -> bool {
        let accepted = match &self.inner {
            Inner::ExpectClientHello | Inner::Established => HandshakeType::CLIENT_HELLO,
            Inner::ExpectCertificate(..) => HandshakeType::CERTIFICATE,
            Inner::ExpectClientKeyExchange(..) => HandshakeType::CLIENT_KEY_EXCHANGE,
            Inner::ExpectCertificateVerify(..) => HandshakeType::CERTIFICATE_VERIFY,
            Inner::ExpectFinished(_) => HandshakeType::FINISHED,
            Inner::ExpectCcs(_) | Inner::Poisoned => return false,
        };
        typ == accepted
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
            Input::ClientHello { hello, encoded } => {
                return match state {
                    Inner::ExpectClientHello => self.handle_client_hello(out, hello, encoded),
                    Inner::Established => {
                        out.refuse_renegotiation()?;
                        Ok(Inner::Established)
                    }
                    _ => Err(Error::unexpected("handshake message out of order")),
                };
            }
            Input::Handshake { msg, encoded } => (msg, encoded),
        };
        match (state, msg.payload) {
            (Inner::ExpectCertificate(mut p, verifier), HandshakePayload::Certificate(chain)) => {
                p.n.transcript.add(encoded);
                let client = self.verify_client_chain(verifier, chain)?;
                Ok(Inner::ExpectClientKeyExchange(p, client))
            }
            (
                Inner::ExpectClientKeyExchange(p, client),
                HandshakePayload::ClientKeyExchange(cke),
            ) => self.handle_client_key_exchange(out, p, client, cke, encoded),
            (
                Inner::ExpectCertificateVerify(mut k, client),
                HandshakePayload::CertificateVerify(dss),
            ) => {
                check_certificate_verify(&k, &client, &dss)?;
                k.n.transcript.add(encoded);
                k.client_certs = client.into_chain();
                Ok(Inner::ExpectCcs(k))
            }
            (Inner::ExpectFinished(k), HandshakePayload::Finished(vd)) => {
                self.handle_finished(out, k, &vd, encoded)
            }
            _ => Err(Error::unexpected("handshake message out of order")),
        }
    }

    /// The client's Certificate (RFC 5246 section 7.4.6): empty (`None`) only if client
    /// authentication is optional.
    fn verify_client_chain(
        &self,
        verifier: Arc<dyn ClientCertVerifier>,
        chain: CertificateChain,
    ) -> Result<Option<ClientCert>, Error> {
        check_chain_len(&chain.0, self.config.common.max_peer_chain_len)?;
        let mut certs = chain.0.into_iter();
        let Some(ee) = certs.next() else {
            if verifier.client_auth_mandatory() {
                return Err(Error::Certificate(CertificateError::Missing));
            }
            return Ok(None);
        };
        let intermediates: Vec<_> = certs.collect();
        verifier.verify_client_cert(&ee, &intermediates, self.config.common.time.now())?;
        Ok(Some(ClientCert {
            verifier,
            ee,
            intermediates,
        }))
    }

    /// The client's Finished: after a full handshake, our ticket, ChangeCipherSpec and
    /// Finished follow (after an abbreviated one ours went first); then we are done.
    fn handle_finished(
        &self,
        out: &mut dyn Output,
        mut k: Box<Keyed>,
        verify_data: &[u8],
        encoded: &[u8],
    ) -> Result<Inner, Error> {
        k.secrets
            .check_finished(Side::Client, &k.n.transcript, verify_data)?;
        k.n.transcript.add(encoded);
        if !k.resumed {
            self.save_session(out, &mut k)?;
            k.secrets
                .send_ccs_and_finished(out, Side::Server, &mut k.n.transcript)?;
        }
        let summary = HandshakeSummary {
            group: k.n.group,
            signature_scheme: k.n.scheme,
            alpn: k.n.alpn,
            extended_master_secret: k.n.ems,
            peer_certificates: k.client_certs,
            resumed: k.resumed,
            server_name: k.n.server_name,
            psk_identity: k.psk_identity,
            ..k.secrets.summary()
        };
        k.secrets.complete(out, summary)?;
        Ok(Inner::Established)
    }

    /// The ClientHello: what it asks for is checked and negotiated first, without a
    /// word on the wire; then either the abbreviated handshake (a session to resume) or
    /// our first flight, one message at a time.
    fn handle_client_hello(
        &mut self,
        out: &mut dyn Output,
        ch: ClientHelloWire<'_>,
        encoded: &[u8],
    ) -> Result<Inner, Error> {
        let config = self.config.clone();
        let hello = check_client_hello(&config, &ch)?;
        if hello.record_limits.is_negotiated() {
            out.record_limits(hello.record_limits);
        }
        let server_random = random32(config.common.provider.as_ref())?;
        let exts = hello.extensions();

        if let Some((suite, session)) =
            self.find_session(&ch, hello.ems, hello.server_name.as_deref())?
        {
            crate::log::debug!("resuming a session ({:?})", suite.suite);
            let n = Negotiated {
                suite,
                client_version: ch.version,
                client_random: ch.random.0,
                server_random,
                ems: hello.ems,
                alpn: hello.alpn,
                server_name: hello.server_name,
                group: None,
                scheme: None,
                session_id: ch.session_id,
                send_ticket: false,
                transcript: TranscriptHash::new(),
            };
            return self.resume(out, n, session, exts, encoded);
        }
        self.full_handshake(out, &ch, hello, server_random, exts, encoded)
    }

    /// The full handshake's first flight (RFC 5246 section 7.3): ServerHello, Certificate,
    /// [ServerKeyExchange], [CertificateRequest], ServerHelloDone.
    fn full_handshake(
        &mut self,
        out: &mut dyn Output,
        ch: &ClientHelloWire<'_>,
        hello: HelloChecked,
        server_random: [u8; 32],
        mut exts: Vec<ServerExtension>,
        encoded: &[u8],
    ) -> Result<Inner, Error> {
        let config = self.config.clone();
        let choice = choose(&config, ch, hello.server_name.as_deref())?;
        if choice.suite.kx.uses_ecdhe() && ch.ec_point_formats().is_some() {
            exts.push(ServerExtension::EcPointFormats(vec![
                ECPointFormat::UNCOMPRESSED,
            ]));
        }
        let send_ticket = config.ticketer.is_some() && ch.session_ticket().is_some();
        if send_ticket {
            exts.push(ServerExtension::SessionTicket);
        }
        let session_id = match config.session_cache {
            Some(_) => random_session_id(config.common.provider.as_ref())?,
            None => SessionId::EMPTY,
        };
        let mut n = Negotiated {
            suite: choice.suite,
            client_version: ch.version,
            client_random: ch.random.0,
            server_random,
            ems: hello.ems,
            alpn: hello.alpn,
            server_name: hello.server_name,
            group: choice.kx.group(),
            scheme: choice.kx.scheme(),
            session_id,
            send_ticket,
            transcript: TranscriptHash::new(),
        };
        // No client certificate with a PSK suite: no CertificateRequest.
        let verifier = config
            .client_verifier
            .clone()
            .filter(|_| choice.kx.certified());
        n.transcript.start_hash(
            config.common.provider.as_ref(),
            choice.suite,
            verifier.is_some(),
        );
        n.transcript.add(encoded);
        emit_server_hello(out, &mut n, exts)?;
        let kx = self.emit_key_exchange(out, &mut n, choice.kx)?;
        if let Some(verifier) = &verifier {
            emit_certificate_request(out, &mut n.transcript, verifier.as_ref())?;
        }
        send(
            out,
            &mut n.transcript,
            HandshakeMessage::server_hello_done(),
        )?;

        let pending = Pending { n, kx };
        Ok(match verifier {
            Some(verifier) => Inner::ExpectCertificate(Box::new(pending), verifier),
            None => Inner::ExpectClientKeyExchange(Box::new(pending), None),
        })
    }

    /// Certificate and, for ECDHE, ServerKeyExchange; for a PSK suite, no Certificate and
    /// the PSK ServerKeyExchange if any. Returns what completes our side of the exchange.
    fn emit_key_exchange(
        &self,
        out: &mut dyn Output,
        n: &mut Negotiated,
        kx: ChosenKx<'_>,
    ) -> Result<PendingKx, Error> {
        Ok(match kx {
            ChosenKx::Rsa(cert) => {
                emit_certificate(out, n, cert)?;
                PendingKx::Rsa(cert.clone())
            }
            ChosenKx::Ecdhe {
                cert,
                scheme,
                group,
            } => {
                emit_certificate(out, n, cert)?;
                PendingKx::Ecdhe(self.emit_server_key_exchange(out, n, cert, group, scheme)?)
            }
            ChosenKx::Psk(resolver) => {
                self.emit_psk_server_key_exchange(out, n)?;
                PendingKx::Psk(resolver.clone())
            }
            ChosenKx::EcdhePsk(resolver, group) => {
                let active = self.emit_ecdhe_psk_server_key_exchange(out, n, group)?;
                PendingKx::EcdhePsk(resolver.clone(), active)
            }
        })
    }

    /// ServerKeyExchange (RFC 8422 section 5.4): a fresh ephemeral key in `group`, signed
    /// with `cert`'s key together with both randoms. Returns the key, to complete with the
    /// client's.
    fn emit_server_key_exchange(
        &self,
        out: &mut dyn Output,
        n: &mut Negotiated,
        cert: &CertifiedKey,
        group: NamedGroup,
        scheme: SignatureScheme,
    ) -> Result<Box<dyn ActiveKx>, Error> {
        let active = self
            .config
            .common
            .provider
            .kx_group(group)
            .ok_or(Error::internal("group vanished"))?
            .start()?;
        let params = ecdhe_params(group, active.public_key())?;
        let message = signed_message(&Random(n.client_random), &Random(n.server_random), &params);
        let signature = cert.key.sign(scheme, &message)?;
        let ske = EcdheServerKeyExchange {
            curve_type: ECCurveType::NAMED_CURVE,
            group,
            public: active.public_key().to_vec(),
            signed: DigitallySigned { scheme, signature },
        };
        send(
            out,
            &mut n.transcript,
            HandshakeMessage::from(ServerKeyExchangePayload::Ecdhe(ske)),
        )?;
        Ok(active)
    }

    /// Our PSK identity hint, if one is configured.
    fn psk_hint(&self) -> Option<Vec<u8>> {
        self.config
            .psk_identity_hint
            .as_ref()
            .map(|h| h.as_bytes().to_vec())
    }

    /// A plain PSK suite's ServerKeyExchange (RFC 4279 section 2): the identity hint
    /// alone, and no message at all without one.
    fn emit_psk_server_key_exchange(
        &self,
        out: &mut dyn Output,
        n: &mut Negotiated,
    ) -> Result<(), Error> {
        match self.psk_hint() {
            Some(hint) => {
                let ske = ServerKeyExchangePayload::Psk(hint);
                send(out, &mut n.transcript, HandshakeMessage::from(ske))
            }
            None => Ok(()),
        }
    }

    /// An ECDHE_PSK suite's ServerKeyExchange (RFC 5489 section 2): the identity hint,
    /// empty if none is configured, and a fresh ephemeral key in `group`, unsigned.
    /// Returns the key.
    fn emit_ecdhe_psk_server_key_exchange(
        &self,
        out: &mut dyn Output,
        n: &mut Negotiated,
        group: NamedGroup,
    ) -> Result<Box<dyn ActiveKx>, Error> {
        let active = self
            .config
            .common
            .provider
            .kx_group(group)
            .ok_or(Error::internal("group vanished"))?
            .start()?;
        let ske = ServerKeyExchangePayload::EcdhePsk(EcdhePskServerKeyExchange {
            hint: self.psk_hint().unwrap_or_default(),
            curve_type: ECCurveType::NAMED_CURVE,
            group,
            public: active.public_key().to_vec(),
        });
        send(out, &mut n.transcript, HandshakeMessage::from(ske))?;
        Ok(active)
    }

    /// The key of the client's PSK identity (RFC 4279 section 2): an identity over
    /// `max_psk_identity_len` or one the resolver does not know is unknown_psk_identity.
    fn psk_key(&self, resolver: &dyn ResolvesServerPsk, identity: &[u8]) -> Result<PskKey, Error> {
        if identity.len() > self.config.common.max_psk_identity_len {
            return Err(Error::peer(
                "PSK identity longer than max_psk_identity_len",
                AlertDescription::UNKNOWN_PSK_IDENTITY,
            ));
        }
        resolver.resolve(identity).ok_or(Error::peer(
            "unknown PSK identity",
            AlertDescription::UNKNOWN_PSK_IDENTITY,
        ))
    }

    /// The pre-master secret from our side of the exchange and the client's
    /// ClientKeyExchange (RFC 5246 section 7.4.7, RFC 4279 section 2, RFC 5489 section 2),
    /// and the client's PSK identity (PSK suites).
    fn pre_master(
        &self,
        ours: PendingKx,
        cke: ClientKeyExchangePayload,
        client_version: ProtocolVersion,
    ) -> Result<ClientKx, Error> {
        Ok(match (cke, ours) {
            (ClientKeyExchangePayload::Ecdhe(point), PendingKx::Ecdhe(kx)) => {
                (Zeroizing::new(kx.complete(&point)?.as_ref().to_vec()), None)
            }
            (ClientKeyExchangePayload::Psk(identity), PendingKx::Psk(resolver)) => {
                let key = self.psk_key(resolver.as_ref(), &identity)?;
                (crate::psk::pre_master(None, &key)?, Some(identity))
            }
            (ClientKeyExchangePayload::EcdhePsk(cke), PendingKx::EcdhePsk(resolver, kx)) => {
                let key = self.psk_key(resolver.as_ref(), &cke.identity)?;
                let shared = kx.complete(&cke.public)?;
                let pre_master = crate::psk::pre_master(Some(shared.as_ref()), &key)?;
                (pre_master, Some(cke.identity))
            }
            (ClientKeyExchangePayload::Rsa(ct), PendingKx::Rsa(cert)) => {
                // RFC 5246 7.4.7.1: draw the random fallback before decrypting; the
                // decrypter never fails, so a bad ciphertext only shows as a bad Finished.
                let mut fallback = Zeroizing::new([0u8; 48]);
                self.config.common.provider.fill_random(&mut *fallback)?;
                let decrypter = cert
                    .key
                    .rsa_decrypter()
                    .ok_or(Error::internal("RSA key exchange without an RSA decrypter"))?;
                let mut pm = decrypter.decrypt_pre_master(&ct, client_version, *fallback);
                let out = Zeroizing::new(pm.to_vec());
                zeroize::Zeroize::zeroize(&mut pm);
                (out, None)
            }
            _ => {
                return Err(Error::unexpected(
                    "ClientKeyExchange does not fit the key exchange",
                ));
            }
        })
    }

    fn handle_client_key_exchange(
        &mut self,
        out: &mut dyn Output,
        p: Box<Pending>,
        client: Option<ClientCert>,
        cke: ClientKeyExchangePayload,
        encoded: &[u8],
    ) -> Result<Inner, Error> {
        let provider = self.config.common.provider.clone();
        let mut n = p.n;
        let (pre_master, psk_identity) = self.pre_master(p.kx, cke, n.client_version)?;
        n.transcript.add(encoded);
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
        secrets.log(&self.config.common);
        secrets.install_keys(provider.as_ref(), out, Side::Server)?;
        let k = Box::new(Keyed {
            n,
            client_certs: Vec::new(),
            secrets,
            resumed: false,
            psk_identity,
        });
        Ok(match client {
            Some(client) => Inner::ExpectCertificateVerify(k, client),
            None => Inner::ExpectCcs(k),
        })
    }
}

impl State {
    /// A session the client offered (by ticket, then by session ID) that we can resume:
    /// ours, fresh, for the same server name, with a suite we both still enable and the
    /// same extended master secret state. Anything else means a full handshake, except
    /// (RFC 7627 section 5.3) a session made with the extended master secret offered
    /// without it: the server "MUST abort the abbreviated handshake", handshake_failure.
    /// (A session made without it, offered with it, gets a full handshake.)
    fn find_session(
        &self,
        ch: &ClientHelloWire<'_>,
        ems: bool,
        server_name: Option<&str>,
    ) -> Result<Option<(&'static SupportedSuite, ServerSession)>, Error> {
        let Some((suite, session)) = self.resumable_session(ch, server_name) else {
            return Ok(None);
        };
        match (session.extended_master_secret, ems) {
            (true, false) => Err(Error::peer(
                "session made with the extended master secret resumed without it",
                AlertDescription::HANDSHAKE_FAILURE,
            )),
            (false, true) => Ok(None),
            _ => Ok(Some((suite, session))),
        }
    }

    /// The session the client offered, if ours, fresh, for the same server name and with
    /// a suite we both still enable (the extended master secret is `find_session`'s).
    fn resumable_session(
        &self,
        ch: &ClientHelloWire<'_>,
        server_name: Option<&str>,
    ) -> Option<(&'static SupportedSuite, ServerSession)> {
        if ch.session_id.is_empty() {
            // A ticket offered without a session ID could not be acknowledged (RFC 5077
            // section 3.4 has us echo the ID), so it is not resumed either.
            return None;
        }
        let config = &self.config;
        let now = config.common.time.now();
        let from_ticket = match (&config.ticketer, ch.session_ticket()) {
            (Some(t), Some(ticket)) if !ticket.is_empty() => t
                .decrypt(ticket, now)
                .map(|s| (s, config.session_lifetime_secs.min(t.lifetime_secs()))),
            _ => None,
        };
        let (encoded, lifetime) = from_ticket.or_else(|| {
            config
                .session_cache
                .as_ref()
                .and_then(|c| c.get(ch.session_id.as_slice()))
                .map(|s| (s, config.session_lifetime_secs))
        })?;
        let encoded = Zeroizing::new(encoded);
        // The stored name is compared as it is encoded, not copied; one that is not UTF-8
        // cannot equal ours.
        let (session, session_name) = ServerSession::decode_borrowing_name(&encoded).ok()?;
        let age = now.as_secs().checked_sub(session.created_at)?;
        let suite = config
            .common
            .suites
            .iter()
            .copied()
            .find(|s| s.suite == session.suite)?;
        let mandatory = config
            .client_verifier
            .as_ref()
            .is_some_and(|v| v.client_auth_mandatory());
        // A PSK session resumes only with a PSK identity the resolver still knows.
        let psk_ok = match (&session.psk_identity, &config.psk) {
            (Some(id), Some(resolver)) => {
                suite.kx.uses_psk()
                    && id.len() <= config.common.max_psk_identity_len
                    && resolver.resolve(id).is_some()
            }
            (None, _) => !suite.kx.uses_psk(),
            (Some(_), None) => false,
        };
        let ok = age < u64::from(lifetime)
            && ch.cipher_suites.contains(&session.suite)
            && session_name == server_name.unwrap_or("").as_bytes()
            && !(mandatory && suite.auth.is_some() && session.client_certificates.is_empty())
            && psk_ok;
        ok.then_some((suite, session))
    }

    /// The abbreviated handshake: ServerHello echoing the client's session ID, then our
    /// ChangeCipherSpec and Finished; the client's follow.
    fn resume(
        &mut self,
        out: &mut dyn Output,
        mut n: Negotiated,
        mut session: ServerSession,
        exts: Vec<ServerExtension>,
        client_hello: &[u8],
    ) -> Result<Inner, Error> {
        let provider = self.config.common.provider.clone();
        // No CertificateVerify in an abbreviated handshake: the hash is enough.
        n.transcript.start_hash(provider.as_ref(), n.suite, false);
        n.transcript.add(client_hello);
        emit_server_hello(out, &mut n, exts)?;
        let secrets = Secrets::resume(
            &self.config.common,
            out,
            Side::Server,
            n.suite,
            session.master_secret,
            n.client_random,
            n.server_random,
        )?;
        secrets.send_ccs_and_finished(out, Side::Server, &mut n.transcript)?;
        Ok(Inner::ExpectCcs(Box::new(Keyed {
            n,
            client_certs: core::mem::take(&mut session.client_certificates),
            secrets,
            resumed: true,
            psk_identity: session.psk_identity.clone(),
        })))
    }

    /// After a full handshake: cache the session under its ID and send the promised
    /// ticket (before our ChangeCipherSpec).
    fn save_session(&self, out: &mut dyn Output, k: &mut Keyed) -> Result<(), Error> {
        let now = self.config.common.time.now();
        let session = ServerSession {
            suite: k.n.suite.suite,
            master_secret: *k.secrets.master.as_bytes(),
            extended_master_secret: k.n.ems,
            created_at: now.as_secs(),
            server_name: k.n.server_name.clone(),
            client_certificates: k.client_certs.clone(),
            psk_identity: k.psk_identity.clone(),
        };
        // Every value in the session was bounded where it came in (the name is a DNS name
        // of at most 253 bytes, the chain at most `max_peer_chain_len` certificates in one
        // handshake message); a session that still does not encode, or is over
        // `max_session_len`, is simply not kept (no cache entry, an empty ticket).
        let encoded = session
            .encode()
            .ok()
            .map(Zeroizing::new)
            .filter(|e| e.len() <= self.config.max_session_len);
        if let (Some(cache), false, Some(encoded)) = (
            &self.config.session_cache,
            k.n.session_id.is_empty(),
            &encoded,
        ) {
            cache.put(k.n.session_id.as_slice(), encoded.to_vec());
        }
        if k.n.send_ticket {
            let ticketer = self
                .config
                .ticketer
                .as_ref()
                .ok_or(Error::internal("ticket promised without a ticketer"))?;
            // A session that cannot be sealed, or whose ticket would not fit the message's
            // two-byte length, gets an empty ticket (RFC 5077 section 3.3).
            let sealed = encoded
                .as_ref()
                .and_then(|e| ticketer.encrypt(e, now))
                .filter(|t| t.len() <= MAX_TICKET_LEN);
            let nst = match sealed {
                Some(ticket) => NewSessionTicket {
                    lifetime_hint: ticketer.lifetime_secs(),
                    ticket,
                },
                None => NewSessionTicket {
                    lifetime_hint: 0,
                    ticket: Vec::new(),
                },
            };
            send(out, &mut k.n.transcript, HandshakeMessage::from(nst))?;
        }
        Ok(())
    }
}

/// The client's CertificateVerify (RFC 5246 section 7.4.8): a scheme we offered, a
/// signature over every handshake message so far by its certificate's key.
fn check_certificate_verify(
    k: &Keyed,
    client: &ClientCert,
    dss: &DigitallySigned,
) -> Result<(), Error> {
    let verifier = &client.verifier;
    if !verifier.supported_schemes().contains(&dss.scheme) {
        return Err(Error::peer(
            "CertificateVerify scheme we did not offer",
            AlertDescription::ILLEGAL_PARAMETER,
        ));
    }
    verifier.verify_signature(
        k.n.transcript.raw()?,
        &client.ee,
        dss.scheme,
        &dss.signature,
    )
}

/// What the server makes of a ClientHello before choosing a suite or a session: the
/// checks every handshake passes, the name, the extended master secret and the
/// application protocol.
struct HelloChecked {
    server_name: Option<String>,
    ems: bool,
    alpn: Option<Vec<u8>>,
    /// The client signalled secure renegotiation (RFC 5746): the empty
    /// renegotiation_info extension, or the SCSV.
    secure_renegotiation: bool,
    /// Record sizes (max_fragment_length, record_size_limit) and our answer.
    record_limits: RecordLimits,
    record_limits_ext: Option<ServerExtension>,
}

impl HelloChecked {
    /// The ServerHello extensions that answer these, whatever else is chosen.
    fn extensions(&self) -> Vec<ServerExtension> {
        // Room for all that may be answered, ec_point_formats and session_ticket added
        // later included: one allocation.
        let mut exts = Vec::with_capacity(6);
        if self.secure_renegotiation {
            exts.push(ServerExtension::RenegotiationInfo(Vec::new()));
        }
        if self.ems {
            exts.push(ServerExtension::ExtendedMasterSecret);
        }
        if let Some(p) = &self.alpn {
            exts.push(ServerExtension::Alpn(p.clone()));
        }
        exts.extend(self.record_limits_ext.clone());
        exts
    }
}

/// Checks a ClientHello against `config` and negotiates what does not depend on the
/// suite: a pure function, nothing is sent or drawn.
fn check_client_hello(
    config: &ServerConfig,
    ch: &ClientHelloWire<'_>,
) -> Result<HelloChecked, Error> {
    let common = &config.common;
    check_version(ch)?;
    if !ch.compression_methods.contains(&CompressionMethod::NULL) {
        return Err(Error::peer(
            "ClientHello without null compression",
            AlertDescription::ILLEGAL_PARAMETER,
        ));
    }
    if ch.renegotiation_info().is_some_and(|v| !v.is_empty()) {
        return Err(Error::peer(
            "renegotiation_info not empty on an initial handshake",
            AlertDescription::HANDSHAKE_FAILURE,
        ));
    }
    if let Some(formats) = ch.ec_point_formats() {
        if !formats.contains(&ECPointFormat::UNCOMPRESSED) {
            return Err(Error::peer(
                "client lacks uncompressed points",
                AlertDescription::ILLEGAL_PARAMETER,
            ));
        }
    }
    let server_name = ch.server_name().map(valid_host_name).transpose()?;
    let ems = ch.extended_master_secret();
    if common.require_ems && !ems {
        return Err(Error::negotiation(
            "client does not offer extended master secret",
            AlertDescription::HANDSHAKE_FAILURE,
        ));
    }
    let alpn = match ch.alpn_protocols() {
        Some(theirs) if !common.alpn_protocols.is_empty() => Some(
            common
                .alpn_protocols
                .iter()
                .find(|p| theirs.contains(p))
                .cloned()
                .ok_or(Error::negotiation(
                    "no common application protocol",
                    AlertDescription::NO_APPLICATION_PROTOCOL,
                ))?,
        ),
        _ => None,
    };
    let secure_renegotiation = ch.renegotiation_info().is_some()
        || ch
            .cipher_suites
            .contains(&crate::codec::enums::CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    let (record_limits, record_limits_ext) = limits::server_negotiate(
        ch.max_fragment_length(),
        ch.record_size_limit(),
        config.accept_max_fragment_length,
        common.record_size_limit,
    );
    Ok(HelloChecked {
        server_name,
        ems,
        alpn,
        secure_renegotiation,
        record_limits,
        record_limits_ext,
    })
}

/// 32 random bytes (the server random).
fn random32(provider: &dyn crate::crypto::CryptoProvider) -> Result<[u8; 32], Error> {
    let mut random = [0u8; 32];
    provider.fill_random(&mut random)?;
    Ok(random)
}

/// ServerHello (RFC 5246 section 7.4.1.3): TLS 1.2, our random, the session ID, the
/// suite, no compression. From here the version is settled.
fn emit_server_hello(
    out: &mut dyn Output,
    n: &mut Negotiated,
    extensions: Vec<ServerExtension>,
) -> Result<(), Error> {
    let sh = ServerHello {
        version: ProtocolVersion::TLS12,
        random: Random(n.server_random),
        session_id: n.session_id,
        cipher_suite: n.suite.suite,
        compression_method: CompressionMethod::NULL,
        extensions: Some(extensions),
    };
    send(out, &mut n.transcript, HandshakeMessage::from(sh))?;
    out.version_negotiated();
    Ok(())
}

/// The pre-master secret, and the client's PSK identity (PSK suites).
type ClientKx = (Zeroizing<Vec<u8>>, Option<Vec<u8>>);

/// Certificate (RFC 5246 section 7.4.2): our chain.
fn emit_certificate(
    out: &mut dyn Output,
    n: &mut Negotiated,
    cert: &CertifiedKey,
) -> Result<(), Error> {
    let chain = HandshakeMessage::from(CertificateChain(cert.chain.clone()));
    send(out, &mut n.transcript, chain)
}

/// CertificateRequest (RFC 5246 section 7.4.4): RSA or ECDSA certificates, the schemes
/// and certificate authorities the verifier names.
fn emit_certificate_request(
    out: &mut dyn Output,
    transcript: &mut TranscriptHash,
    verifier: &dyn crate::verify::ClientCertVerifier,
) -> Result<(), Error> {
    let req = CertificateRequest {
        certificate_types: vec![
            ClientCertificateType::RSA_SIGN,
            ClientCertificateType::ECDSA_SIGN,
        ],
        signature_schemes: verifier.supported_schemes(),
        certificate_authorities: verifier.root_hint_subjects(),
    };
    send(out, transcript, HandshakeMessage::from(req))
}

/// The longest ticket a NewSessionTicket carries (`opaque ticket<0..2^16-1>`).
const MAX_TICKET_LEN: usize = 0xffff;

/// The ClientHello's host_name, which must be a DNS name (RFC 6066 section 3): at most
/// 253 bytes of ASCII letters, digits, hyphens and underscores in labels of 1 to 63, not a
/// literal IPv4 or IPv6 address. Anything else is refused with a fatal unrecognized_name,
/// the alert OpenSSL sends for an over-long or malformed name. (The length prefix allows
/// 65,535 bytes; the name is kept in the session, so it is bounded here.)
fn valid_host_name(name: &[u8]) -> Result<String, Error> {
    let refuse = || {
        Error::peer(
            "server_name host_name is not a DNS name",
            AlertDescription::UNRECOGNIZED_NAME,
        )
    };
    let name = core::str::from_utf8(name).map_err(|_| refuse())?;
    DnsName::try_from(name).map_err(|_| refuse())?;
    Ok(String::from(name))
}

/// The client must offer TLS 1.2, the one version we speak.
///
/// - Without a `supported_versions` extension, by `client_version`: any version at or above
///   {3,3} ({3,4}, {4,1}, {254,254}...) negotiates TLS 1.2, since a server replies "according
///   to the highest version supported by the server" (RFC 5246 appendix E.1; RFC 8446
///   appendix D.2). Only a lower one is refused.
/// - With a parseable `supported_versions`, by that list alone (RFC 8446 section 4.2.1:
///   `legacy_version` is then not used for negotiation), as OpenSSL does: TLS 1.2 must be
///   listed. A malformed list is decode_error.
///
/// A refusal is protocol_version, or inappropriate_fallback when the client's highest
/// version is below TLS 1.2 and it sent TLS_FALLBACK_SCSV (RFC 7507 section 3): a client
/// that retries with a lower version after a failed connection, to a server that speaks a
/// higher one.
fn check_version(ch: &ClientHelloWire<'_>) -> Result<(), Error> {
    let sv = match ch.extension(ExtensionType::SUPPORTED_VERSIONS) {
        Some(ClientExtensionWire::Unknown { data, .. }) => Some(data),
        _ => None,
    };
    // The highest version offered, and whether TLS 1.2 is among those offered.
    let (highest, tls12) = match sv {
        None => (ch.version, ch.version >= ProtocolVersion::TLS12),
        Some(data) => {
            let mut r = Reader::new(data);
            let mut list = r.sub(LenPrefix::U8, "supported_versions")?;
            r.expect_end("supported_versions")?;
            let (mut highest, mut tls12) = (ProtocolVersion(0), false);
            while list.any_left() {
                let v = ProtocolVersion(list.u16("supported_versions")?);
                tls12 |= v == ProtocolVersion::TLS12;
                highest = highest.max(v);
            }
            (highest, tls12)
        }
    };
    if tls12 {
        return Ok(());
    }
    let fallback = highest < ProtocolVersion::TLS12
        && ch
            .cipher_suites
            .contains(&crate::codec::enums::CipherSuite::TLS_FALLBACK_SCSV);
    Err(if fallback {
        Error::negotiation(
            "client fell back below TLS 1.2 (TLS_FALLBACK_SCSV)",
            AlertDescription::INAPPROPRIATE_FALLBACK,
        )
    } else {
        Error::negotiation(
            "client does not offer TLS 1.2",
            AlertDescription::PROTOCOL_VERSION,
        )
    })
}

/// A PSK `suite` if we can serve it: with a PSK resolver, and for ECDHE_PSK a `group` in
/// common. `None` for the other suites.
fn psk_choice<'c>(
    config: &'c ServerConfig,
    suite: &'static SupportedSuite,
    group: Option<NamedGroup>,
) -> Option<Choice<'c>> {
    let resolver = config.psk.as_ref()?;
    let kx = match suite.kx {
        KeyExchange::Psk => ChosenKx::Psk(resolver),
        KeyExchange::EcdhePsk => ChosenKx::EcdhePsk(resolver, group?),
        KeyExchange::Ecdhe | KeyExchange::Rsa => return None,
    };
    Some(Choice { suite, kx })
}

/// Picks suite, certificate, signature scheme and group.
fn choose<'c>(
    config: &'c ServerConfig,
    ch: &ClientHelloWire<'_>,
    sni: Option<&str>,
) -> Result<Choice<'c>, Error> {
    let certs: &[CertifiedKey] = match &config.cert_resolver {
        Some(r) => r.resolve(sni),
        None => &config.certs,
    };
    let ours = &config.common.suites;
    let theirs = ch.cipher_suites;
    let ordered: Vec<&'static SupportedSuite> = if config.honour_client_order {
        theirs
            .iter()
            .filter_map(|c| ours.iter().copied().find(|s| s.suite == c))
            .collect()
    } else {
        ours.iter()
            .copied()
            .filter(|s| theirs.contains(&s.suite))
            .collect()
    };
    // The signing keys choose from a slice: the one list copied out of the hello.
    let sig_algs = ch
        .signature_algorithms()
        .map(|s| s.to_vec())
        .unwrap_or_default();
    let group = match ch.supported_groups() {
        Some(g) => config
            .common
            .groups
            .iter()
            .copied()
            .find(|ours| g.contains(ours)),
        None => config.common.groups.first().copied(),
    };
    let client_groups = ch.supported_groups();
    for suite in ordered {
        if let Some(choice) = psk_choice(config, suite, group) {
            return Ok(choice);
        }
        // The PSK suites need no certificate (and match none).
        for cert in certs.iter().filter(|c| Some(c.kind()) == suite.auth) {
            // RFC 8422 sections 4 and 5.3: an ECDSA certificate's curve must be one the
            // client listed (OpenSSL clients abort with illegal_parameter otherwise).
            if let (KeyKind::Ecdsa, Some(groups)) = (cert.kind(), client_groups) {
                if cert.ec_curve().is_some_and(|c| !groups.contains(&c)) {
                    continue;
                }
            }
            match suite.kx {
                KeyExchange::Ecdhe => {
                    let (Some(group), Some(scheme)) = (group, cert.key.choose_scheme(&sig_algs))
                    else {
                        continue;
                    };
                    let kx = ChosenKx::Ecdhe {
                        cert,
                        scheme,
                        group,
                    };
                    return Ok(Choice { suite, kx });
                }
                KeyExchange::Rsa => {
                    if cert.key.rsa_decrypter().is_some() {
                        let kx = ChosenKx::Rsa(cert);
                        return Ok(Choice { suite, kx });
                    }
                }
                KeyExchange::Psk | KeyExchange::EcdhePsk => {}
            }
        }
    }
    Err(Error::negotiation(
        "no cipher suite in common",
        AlertDescription::HANDSHAKE_FAILURE,
    ))
}
