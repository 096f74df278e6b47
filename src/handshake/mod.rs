//! The handshake state machines (client and server) and what they share.
//!
//! Each side's states form a closed enum in protocol order; each state owns exactly the data
//! known at that point and a transition consumes it to build the next state.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use pki_types::CertificateDer;

use crate::codec::Reader;
use crate::codec::enums::{
    AlertDescription, CipherSuite, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::config::CommonConfig;
use crate::crypto::key_schedule::{
    CLIENT_FINISHED, KeyBlockLayout, MasterSecret, SERVER_FINISHED, key_block_keyed,
    verify_data_keyed,
};
use crate::crypto::{CryptoProvider, Digest, HashContext, HmacKey};
use crate::error::DecodeError;
use crate::error::Error;
use crate::msgs::{ClientHelloWire, HandshakeMessage, HandshakePayload, KxContext, SessionId};
use crate::record::limits::RecordLimits;
use crate::record::protect::{RecordOpener, RecordSealer};
use crate::suites::SupportedSuite;

pub(crate) mod client;
pub(crate) mod server;

/// What the handshake negotiated, reported in [`Event::HandshakeComplete`](crate::Event).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandshakeSummary {
    /// Always TLS 1.2.
    pub version: ProtocolVersion,
    /// The cipher suite.
    pub suite: CipherSuite,
    /// The ECDHE group (`None` for RSA and PSK key exchange).
    pub group: Option<NamedGroup>,
    /// The scheme of the server's ServerKeyExchange signature (`None` for RSA, PSK and
    /// ECDHE_PSK key exchange).
    pub signature_scheme: Option<SignatureScheme>,
    /// The negotiated application protocol.
    pub alpn: Option<Vec<u8>>,
    /// Whether the extended master secret (RFC 7627) is in use.
    pub extended_master_secret: bool,
    /// The peer's certificate chain, end entity first (empty if it sent none).
    pub peer_certificates: Vec<CertificateDer<'static>>,
    /// Whether this was an abbreviated (resumed) handshake.
    pub resumed: bool,
    /// The server name the client asked for (SNI).
    pub server_name: Option<String>,
    /// The PSK identity the client used (PSK suites only; on a resumed handshake, the one
    /// the session was made with).
    pub psk_identity: Option<Vec<u8>>,
    /// The client random.
    pub client_random: [u8; 32],
    /// The server random.
    pub server_random: [u8; 32],
}

/// What the handshake tells the connection to do: the one seam between the two, in the
/// manner of rustls's `&mut dyn Output`. The handshake says *what* happens (send this
/// message, these are the next keys, the peer's ChangeCipherSpec arrived, the handshake is
/// complete); the connection (its `Core`) decides *how*: records, the
/// send queue, events, the close and renegotiation policy. A state can then be driven
/// alone with an `Output` that records the actions (see the tests below).
pub(crate) trait Output {
    /// Sends a handshake message; returns its encoding (header included) for the
    /// transcript. A message that does not encode is [`Error::Encode`], and then nothing
    /// is sent.
    fn send(&mut self, msg: HandshakeMessage) -> Result<Vec<u8>, Error>;

    /// Sends the initial ClientHello, whose records go out as TLS 1.0 for the benefit of
    /// old middleboxes and servers, as OpenSSL and browsers do; TLS 1.2 after it. Like
    /// [`send`](Self::send), nothing is sent if it does not encode.
    fn send_client_hello(&mut self, msg: HandshakeMessage) -> Result<Vec<u8>, Error>;

    /// The version is negotiated (TLS 1.2): from now on the peer's records carry only it.
    fn version_negotiated(&mut self);

    /// The hello exchange negotiated record sizes (max_fragment_length or
    /// record_size_limit; not called when it negotiated neither): they apply to the
    /// records we write from now on and to those the peer sends after the current one.
    fn record_limits(&mut self, limits: RecordLimits);

    /// The keys to switch to: ours when we send ChangeCipherSpec, the peer's when its
    /// ChangeCipherSpec arrives.
    fn install_keys(&mut self, sealer: RecordSealer, opener: RecordOpener);

    /// Sends ChangeCipherSpec; our records are encrypted from here on.
    fn send_ccs(&mut self) -> Result<(), Error>;

    /// The peer's ChangeCipherSpec arrived (in order): its records are encrypted from here
    /// on.
    fn peer_ccs(&mut self) -> Result<(), Error>;

    /// Application data may be sent (the handshake is over, or False Start allows it).
    fn start_app_data(&mut self) -> Result<(), Error>;

    /// The peer asked to renegotiate after the handshake (HelloRequest to a client,
    /// ClientHello to a server). We do not renegotiate; the connection refuses.
    fn refuse_renegotiation(&mut self) -> Result<(), Error>;

    /// The handshake is complete: what it negotiated, and what exporters derive from.
    fn complete(&mut self, summary: Arc<HandshakeSummary>, exporter: Exporter);
}

/// What the connection hands to the state machine.
pub(crate) enum Input<'m> {
    /// A whole handshake message and its encoding (header included).
    Handshake {
        msg: HandshakeMessage,
        encoded: &'m [u8],
    },
    /// A ClientHello, checked where it lies: the server negotiates from it without
    /// copying it out.
    ClientHello {
        hello: ClientHelloWire<'m>,
        encoded: &'m [u8],
    },
    /// A ChangeCipherSpec record.
    ChangeCipherSpec,
}

impl<'m> Input<'m> {
    /// A whole handshake message: type `typ`, `body` inside `encoded`, read in the
    /// key-exchange context `ctx`. A ClientHello is read in place, any other message
    /// decoded.
    pub(crate) fn handshake(
        typ: HandshakeType,
        body: &'m [u8],
        encoded: &'m [u8],
        ctx: KxContext,
    ) -> Result<Self, DecodeError> {
        if typ == HandshakeType::CLIENT_HELLO {
            let mut r = Reader::new(body);
            let hello = ClientHelloWire::read(&mut r)?;
            r.expect_end("ClientHello")?;
            return Ok(Input::ClientHello { hello, encoded });
        }
        let payload = HandshakePayload::decode_body(typ, body, ctx)?;
        Ok(Input::Handshake {
            msg: HandshakeMessage { typ, payload },
            encoded,
        })
    }

    /// The handshake message as an owned value (for its event).
    pub(crate) fn message(&self) -> Option<HandshakeMessage> {
        match self {
            Input::Handshake { msg, .. } => Some(msg.clone()),
            Input::ClientHello { hello, .. } => Some(HandshakeMessage::from(hello.into_owned())),
            Input::ChangeCipherSpec => None,
        }
    }
}

/// The handshake state of either side.
pub(crate) enum HandshakeState {
    Client(client::State),
    Server(server::State),
}

impl HandshakeState {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            HandshakeState::Client(s) => s.name(),
            HandshakeState::Server(s) => s.name(),
        }
    }

    pub(crate) fn kx_context(&self) -> KxContext {
        match self {
            HandshakeState::Client(s) => s.kx_context(),
            HandshakeState::Server(s) => s.kx_context(),
        }
    }

    /// Whether a handshake message of type `typ` may arrive now (RFC 5246 section 7.4: a
    /// message out of order is unexpected_message, whatever its body). The connection asks
    /// before decoding the body, so a misplaced message is refused for its type alone.
    pub(crate) fn expects(&self, typ: HandshakeType) -> bool {
        match self {
            HandshakeState::Client(s) => s.expects(typ),
            HandshakeState::Server(s) => s.expects(typ),
        }
    }

    pub(crate) fn can_receive_app_data(&self) -> bool {
        match self {
            HandshakeState::Client(s) => s.is_established(),
            HandshakeState::Server(s) => s.is_established(),
        }
    }

    pub(crate) fn handle(&mut self, out: &mut dyn Output, input: Input<'_>) -> Result<(), Error> {
        match self {
            HandshakeState::Client(s) => s.handle(out, input),
            HandshakeState::Server(s) => s.handle(out, input),
        }
    }
}

/// Sends `msg`, which joins `transcript`.
pub(crate) fn send(
    out: &mut dyn Output,
    transcript: &mut TranscriptHash,
    msg: HandshakeMessage,
) -> Result<(), Error> {
    let bytes = out.send(msg)?;
    transcript.add(&bytes);
    Ok(())
}

/// The peer's ChangeCipherSpec: in order only in the state that awaits it (`awaited` is
/// `Some`), where the peer's keys take effect; anywhere else unexpected_message.
pub(crate) fn peer_ccs<K>(out: &mut dyn Output, awaited: Option<K>) -> Result<K, Error> {
    let k = awaited.ok_or(Error::unexpected("ChangeCipherSpec out of order"))?;
    out.peer_ccs()?;
    Ok(k)
}

/// A fresh random 32-byte session ID: the server's for a session it caches, the client's
/// beside a ticket (RFC 5077 section 3.4).
pub(crate) fn random_session_id(provider: &dyn CryptoProvider) -> Result<SessionId, Error> {
    let mut id = [0u8; 32];
    provider.fill_random(&mut id)?;
    SessionId::new(&id).ok_or(Error::internal("32-byte session ID"))
}

pub(crate) fn kx_context_of(suite: &SupportedSuite) -> KxContext {
    KxContext::from(suite.kx)
}

/// The handshake transcript: a running hash once the suite is known, plus the raw bytes
/// while they may still be needed (CertificateVerify signs the messages themselves, not
/// their hash): until the hash starts, and after it only on a side that may sign or check
/// a CertificateVerify.
pub(crate) struct TranscriptHash {
    raw: Option<Vec<u8>>,
    hash: Option<Box<dyn HashContext>>,
}

impl TranscriptHash {
    pub(crate) fn new() -> Self {
        Self {
            raw: Some(Vec::new()),
            hash: None,
        }
    }

    /// A transcript whose first message is `first` (its encoding, taken over rather than
    /// copied: the client's ClientHello, sent before the hash is known).
    pub(crate) fn starting_with(first: Vec<u8>) -> Self {
        Self {
            raw: Some(first),
            hash: None,
        }
    }

    /// Starts hashing with the suite's hash, absorbing everything so far. The raw bytes are
    /// kept from here on only if `keep_raw` (a client with a certificate to offer, a server
    /// that asks for one).
    pub(crate) fn start_hash(
        &mut self,
        provider: &dyn CryptoProvider,
        suite: &SupportedSuite,
        keep_raw: bool,
    ) {
        let mut ctx = provider.hash(suite.hash).start();
        if let Some(raw) = &self.raw {
            ctx.update(raw);
        }
        if !keep_raw {
            self.raw = None;
        }
        self.hash = Some(ctx);
    }

    pub(crate) fn add(&mut self, bytes: &[u8]) {
        if let Some(raw) = &mut self.raw {
            raw.extend_from_slice(bytes);
        }
        if let Some(h) = &mut self.hash {
            h.update(bytes);
        }
    }

    /// The hash of everything so far.
    pub(crate) fn current_hash(&self) -> Result<Digest, Error> {
        self.hash
            .as_ref()
            .map(|h| h.current())
            .ok_or(Error::internal("transcript hash not started"))
    }

    /// Everything so far, for CertificateVerify; an internal error if the raw bytes were
    /// not kept.
    pub(crate) fn raw(&self) -> Result<&[u8], Error> {
        self.raw
            .as_deref()
            .ok_or(Error::internal("raw transcript not kept"))
    }
}

/// Which side is which, for key derivation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Client,
    Server,
}

/// The secrets of a handshake whose master secret is known.
pub(crate) struct Secrets {
    pub(crate) suite: &'static SupportedSuite,
    pub(crate) master: MasterSecret,
    /// The master secret bound to the suite's HMAC once, for the key block and both
    /// Finished values.
    master_key: MasterKey,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
}

/// The master secret bound to the suite's HMAC: set up for this handshake, or shared
/// with the stored session it resumes (a client's session keeps the key it was made with,
/// so resuming it skips the setup: two blocks of the hash).
enum MasterKey {
    Own(Box<dyn HmacKey>),
    Shared(Arc<dyn HmacKey>),
}

impl MasterKey {
    fn get(&self) -> &dyn HmacKey {
        match self {
            MasterKey::Own(k) => &**k,
            MasterKey::Shared(k) => &**k,
        }
    }
}

impl Secrets {
    /// The secrets of a session whose master secret is `master` (derived, or resumed).
    pub(crate) fn new(
        provider: &dyn CryptoProvider,
        suite: &'static SupportedSuite,
        master: MasterSecret,
        client_random: [u8; 32],
        server_random: [u8; 32],
    ) -> Self {
        let master_key = MasterKey::Own(master.hmac_key(provider.hmac(suite.hash)));
        Self {
            suite,
            master,
            master_key,
            client_random,
            server_random,
        }
    }

    /// The secrets of a session whose master secret `master` is already bound to the
    /// suite's HMAC (`key`, kept by the stored session being resumed).
    pub(crate) fn with_key(
        suite: &'static SupportedSuite,
        master: MasterSecret,
        key: Arc<dyn HmacKey>,
        client_random: [u8; 32],
        server_random: [u8; 32],
    ) -> Self {
        Self {
            suite,
            master,
            master_key: MasterKey::Shared(key),
            client_random,
            server_random,
        }
    }

    /// The secrets of a resumed session: logs the master secret and installs the record
    /// keys made from it and the new randoms (there is no key exchange to wait for).
    pub(crate) fn resume(
        config: &CommonConfig,
        out: &mut dyn Output,
        side: Side,
        suite: &'static SupportedSuite,
        master: [u8; crate::crypto::key_schedule::MASTER_SECRET_LEN],
        client_random: [u8; 32],
        server_random: [u8; 32],
    ) -> Result<Self, Error> {
        Self::new(
            config.provider.as_ref(),
            suite,
            MasterSecret::from_bytes(master),
            client_random,
            server_random,
        )
        .start_resumed(config, out, side)
    }

    /// A resumed session's secrets put to use: logs the master secret and installs the
    /// record keys (there is no key exchange to wait for).
    pub(crate) fn start_resumed(
        self,
        config: &CommonConfig,
        out: &mut dyn Output,
        side: Side,
    ) -> Result<Self, Error> {
        self.log(config);
        self.install_keys(config.provider.as_ref(), out, side)?;
        Ok(self)
    }

    /// Derives the master secret (extended when `session_hash` is given).
    pub(crate) fn derive(
        provider: &dyn CryptoProvider,
        suite: &'static SupportedSuite,
        pre_master: &[u8],
        client_random: [u8; 32],
        server_random: [u8; 32],
        session_hash: Option<&[u8]>,
    ) -> Self {
        let hmac = provider.hmac(suite.hash);
        let master = match session_hash {
            Some(h) => MasterSecret::derive_extended(hmac, pre_master, h),
            None => MasterSecret::derive(hmac, pre_master, &client_random, &server_random),
        };
        Self::new(provider, suite, master, client_random, server_random)
    }

    /// Logs the master secret in NSS key log form.
    pub(crate) fn log(&self, config: &CommonConfig) {
        if let Some(kl) = &config.key_log {
            self.master.log(kl.as_ref(), &self.client_random);
        }
    }

    /// Derives the record keys and hands them to the record layer (they take effect at
    /// each side's ChangeCipherSpec).
    pub(crate) fn install_keys(
        &self,
        provider: &dyn CryptoProvider,
        out: &mut dyn Output,
        side: Side,
    ) -> Result<(), Error> {
        let aead_alg = self.suite.aead;
        let aead = provider
            .aead(aead_alg)
            .ok_or(Error::internal("AEAD not implemented by the provider"))?;
        let block = key_block_keyed(
            self.master_key.get(),
            &self.client_random,
            &self.server_random,
            KeyBlockLayout::aead(aead_alg),
        )?;
        let (write, read) = match side {
            Side::Client => (block.client(), block.server()),
            Side::Server => (block.server(), block.client()),
        };
        let sealer = RecordSealer::new(aead, write.key, write.iv)?;
        let opener = RecordOpener::new(aead, read.key, read.iv)?;
        out.install_keys(sealer, opener);
        Ok(())
    }

    /// Sends ChangeCipherSpec, then `side`'s Finished over the transcript so far (the
    /// Finished joins the transcript).
    pub(crate) fn send_ccs_and_finished(
        &self,
        out: &mut dyn Output,
        side: Side,
        transcript: &mut TranscriptHash,
    ) -> Result<(), Error> {
        out.send_ccs()?;
        let vd = self.verify_data(side, transcript.current_hash()?.as_ref());
        // Room for the header too: the connection puts it in front without reallocating.
        let mut body = Vec::with_capacity(crate::msgs::HANDSHAKE_HEADER_LEN + vd.len());
        body.extend_from_slice(&vd);
        send(out, transcript, HandshakeMessage::finished(body))
    }

    /// Checks the `peer`'s Finished against the transcript so far (RFC 5246 section 7.4.9):
    /// decrypt_error if it is wrong.
    pub(crate) fn check_finished(
        &self,
        peer: Side,
        transcript: &TranscriptHash,
        verify_data: &[u8],
    ) -> Result<(), Error> {
        let expect = self.verify_data(peer, transcript.current_hash()?.as_ref());
        if ct_eq(&expect, verify_data) {
            return Ok(());
        }
        Err(Error::peer(
            match peer {
                Side::Client => "client Finished is wrong",
                Side::Server => "server Finished is wrong",
            },
            AlertDescription::DECRYPT_ERROR,
        ))
    }

    /// The parts of the handshake summary these secrets determine (version, suite,
    /// randoms), the rest empty: each side fills in what it negotiated with `..`, so
    /// both build the summary alike.
    pub(crate) fn summary(&self) -> HandshakeSummary {
        HandshakeSummary {
            version: ProtocolVersion::TLS12,
            suite: self.suite.suite,
            group: None,
            signature_scheme: None,
            alpn: None,
            extended_master_secret: false,
            peer_certificates: Vec::new(),
            resumed: false,
            server_name: None,
            client_random: self.client_random,
            server_random: self.server_random,
            psk_identity: None,
        }
    }

    /// The handshake is complete: application data may flow, and the connection learns
    /// what was negotiated and what exporters derive from.
    pub(crate) fn complete(
        &self,
        out: &mut dyn Output,
        summary: HandshakeSummary,
    ) -> Result<(), Error> {
        out.start_app_data()?;
        out.complete(Arc::new(summary), Exporter::of(self));
        Ok(())
    }

    /// The Finished verify_data for `side` over `handshake_hash`.
    pub(crate) fn verify_data(&self, side: Side, handshake_hash: &[u8]) -> [u8; 12] {
        let label: &[u8] = match side {
            Side::Client => CLIENT_FINISHED,
            Side::Server => SERVER_FINISHED,
        };
        verify_data_keyed(self.master_key.get(), label, handshake_hash)
    }
}

/// The master secret and randoms of a completed handshake, kept for keying-material
/// exporters (RFC 5705); the secret is wiped on drop.
pub(crate) struct Exporter {
    suite: &'static SupportedSuite,
    master: MasterSecret,
    client_random: [u8; 32],
    server_random: [u8; 32],
}

impl Exporter {
    pub(crate) fn of(secrets: &Secrets) -> Self {
        Self {
            suite: secrets.suite,
            master: secrets.master.clone(),
            client_random: secrets.client_random,
            server_random: secrets.server_random,
        }
    }

    /// Fills `out` with keying material for `label` and `context` (RFC 5705 section 4).
    pub(crate) fn export(
        &self,
        provider: &dyn CryptoProvider,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        self.master.export_keying_material(
            provider.hmac(self.suite.hash),
            &self.client_random,
            &self.server_random,
            label,
            context,
            out,
        )
    }
}

/// Compares in constant time (for Finished): lengths are public, contents are not.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}

/// Refuses a peer certificate chain longer than `max` certificates (bad_certificate)
/// before anything parses or verifies it: a verifier that accepts a chain padded with
/// unused intermediates would otherwise let the peer make us keep it in a session.
pub(crate) fn check_chain_len(chain: &[CertificateDer<'_>], max: usize) -> Result<(), Error> {
    if chain.len() > max {
        return Err(Error::Certificate(
            crate::error::CertificateError::ChainTooLong,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::CipherSuite;
    use crate::crypto::ring::RingProvider;

    fn suite() -> &'static SupportedSuite {
        SupportedSuite::find(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).unwrap()
    }

    #[test]
    fn a_transcript_may_start_with_a_message() {
        let mut a = TranscriptHash::starting_with(b"hello ".to_vec());
        let mut b = TranscriptHash::new();
        b.add(b"hello ");
        for t in [&mut a, &mut b] {
            t.start_hash(&RingProvider, suite(), true);
            t.add(b"world");
        }
        assert_eq!(a.raw().unwrap(), b"hello world");
        assert_eq!(a.current_hash().unwrap(), b.current_hash().unwrap());
    }

    #[test]
    fn raw_bytes_kept_only_when_asked() {
        for keep in [false, true] {
            let mut t = TranscriptHash::new();
            t.add(b"hello ");
            t.start_hash(&RingProvider, suite(), keep);
            t.add(b"world");
            // The hash covers everything either way.
            let h = RingProvider.hash(suite().hash).hash(b"hello world");
            assert_eq!(t.current_hash().unwrap(), h);
            match t.raw() {
                Ok(raw) => {
                    assert!(keep);
                    assert_eq!(raw, b"hello world");
                }
                Err(e) => {
                    assert!(!keep);
                    assert_eq!(e, Error::internal("raw transcript not kept"));
                }
            }
        }
    }
}

#[cfg(all(test, feature = "fuzzing"))]
mod state_tests;
