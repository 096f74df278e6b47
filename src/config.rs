//! Client and server configuration.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use pki_types::{CertificateDer, UnixTime};

use crate::codec::enums::{CipherSuite, MaxFragmentLength, NamedGroup};
use crate::crypto::{CryptoProvider, KeyKind, KeyLog, SigningKey};
use crate::error::Error;
use crate::psk::{DEFAULT_MAX_PSK_IDENTITY_LEN, PskIdentity, ResolvesClientPsk, ResolvesServerPsk};
use crate::record::DEFAULT_MAX_HANDSHAKE_MESSAGE;
#[cfg(feature = "std")]
use crate::resumption::{AeadTicketer, InMemoryClientSessionStore, LruSessionCache};
use crate::resumption::{
    ClientSessionStore, DEFAULT_MAX_SESSION_LEN, DEFAULT_MAX_TICKET_LEN,
    DEFAULT_SESSION_LIFETIME_SECS, ServerSessionCache, TicketEncrypter,
};
use crate::suites::{SupportedSuite, default_psk_suites, default_suites};
use crate::verify::{ClientCertVerifier, ServerCertVerifier};

/// Where the current time comes from (for certificate validity). The core never reads a
/// clock itself.
pub trait TimeSource: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> UnixTime;
}

/// A time that never moves: for tests and transcript replay.
#[derive(Debug, Clone, Copy)]
pub struct FixedTime(pub UnixTime);

impl TimeSource for FixedTime {
    fn now(&self) -> UnixTime {
        self.0
    }
}

/// The system clock (needs `std`).
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemTime;

#[cfg(feature = "std")]
impl TimeSource for SystemTime {
    fn now(&self) -> UnixTime {
        UnixTime::now()
    }
}

/// The default time source: the system clock with `std`, otherwise a fixed time of zero
/// (which fails every certificate: a `no_std` caller must set one).
pub fn default_time() -> Arc<dyn TimeSource> {
    #[cfg(feature = "std")]
    {
        Arc::new(SystemTime)
    }
    #[cfg(not(feature = "std"))]
    {
        Arc::new(FixedTime(UnixTime::since_unix_epoch(
            core::time::Duration::ZERO,
        )))
    }
}

/// A certificate chain (end entity first) and its private key.
#[derive(Debug, Clone)]
pub struct CertifiedKey {
    /// The chain, end-entity certificate first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The end entity's private key.
    pub key: Arc<dyn SigningKey>,
    /// The named curve of an ECDSA end entity's key, read once here rather than per handshake.
    curve: Option<NamedGroup>,
}

impl CertifiedKey {
    /// Pairs a chain with its key. Fails if the chain is empty.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: Arc<dyn SigningKey>,
    ) -> Result<Self, Error> {
        if chain.is_empty() {
            return Err(Error::Config("certificate chain is empty"));
        }
        let curve = ecdsa_cert_curve(&chain[0]);
        Ok(Self { chain, key, curve })
    }

    /// The kind of key.
    pub fn kind(&self) -> KeyKind {
        self.key.kind()
    }

    /// The curve of an ECDSA certificate's key (P-256 or P-384), `None` otherwise.
    pub fn ec_curve(&self) -> Option<NamedGroup> {
        self.curve
    }
}

/// The named curve of an ECDSA end-entity certificate's key, if it is P-256 or P-384.
fn ecdsa_cert_curve(cert: &CertificateDer<'_>) -> Option<NamedGroup> {
    // The SPKI's AlgorithmIdentifier (RFC 5480): id-ecPublicKey with the namedCurve OID. It
    // directly follows the SPKI's own SEQUENCE header (2 to 4 bytes).
    const P256: &[u8] = &[
        0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
        0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    ];
    const P384: &[u8] = &[
        0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81,
        0x04, 0x00, 0x22,
    ];
    let ee = webpki::EndEntityCert::try_from(cert).ok()?;
    let spki = ee.subject_public_key_info();
    let spki = spki.as_ref();
    let at = |alg: &[u8]| (2..=4).any(|i| spki.get(i..i + alg.len()) == Some(alg));
    if at(P256) {
        Some(NamedGroup::SECP256R1)
    } else if at(P384) {
        Some(NamedGroup::SECP384R1)
    } else {
        None
    }
}

/// The default of [`CommonConfig::max_peer_chain_len`]: 10 certificates, as other stacks
/// bound verification depth (OpenSSL's default depth is 100, GnuTLS's 16, webpki's path
/// building stops far earlier in practice).
pub const DEFAULT_MAX_PEER_CHAIN_LEN: usize = 10;

/// Settings both sides share.
///
/// `#[non_exhaustive]`: start from [`CommonConfig::new`] (through `ClientConfig::new` or
/// `ServerConfig::new`) and set fields; new settings can be added without breaking you.
#[derive(Clone)]
#[non_exhaustive]
pub struct CommonConfig {
    /// The crypto provider.
    pub provider: Arc<dyn CryptoProvider>,
    /// Enabled cipher suites, in preference order.
    pub suites: Vec<&'static SupportedSuite>,
    /// Enabled key-exchange groups, in preference order.
    pub groups: Vec<NamedGroup>,
    /// ALPN protocols, in preference order (empty: no ALPN).
    pub alpn_protocols: Vec<Vec<u8>>,
    /// Refuse peers that do not negotiate the extended master secret (RFC 7627).
    pub require_ems: bool,
    /// The largest plaintext fragment we send (at most 16384).
    pub max_fragment_len: usize,
    /// The largest handshake message we accept.
    pub max_handshake_message: usize,
    /// How much application data may be queued before the handshake completes.
    pub max_early_plaintext: usize,
    /// The most certificates we accept in the peer's chain (end entity included); a longer
    /// chain is refused with bad_certificate before it is verified. Default
    /// [`DEFAULT_MAX_PEER_CHAIN_LEN`] (10).
    pub max_peer_chain_len: usize,
    /// The longest PSK identity (server) or identity hint (client) we accept from the peer:
    /// a longer identity is refused with unknown_psk_identity, a longer hint with
    /// illegal_parameter, before anything else sees them. Default
    /// [`DEFAULT_MAX_PSK_IDENTITY_LEN`] (128, RFC 4279 section 5.3); the wire allows 65,535.
    pub max_psk_identity_len: usize,
    /// Where NSS key log lines go (for Wireshark).
    pub key_log: Option<Arc<dyn KeyLog>>,
    /// The clock for certificate validity.
    pub time: Arc<dyn TimeSource>,
    /// Emit an event for each handshake message sent and received (for traces). Off by
    /// default: it clones each message.
    pub message_events: bool,
    /// Allocate the receive buffer when the connection is made and keep every buffer for
    /// the connection's life: the embedded shape, with no heap activity after setup but
    /// what the handshake itself needs. Off by default: a connection allocates its receive
    /// buffer when bytes first arrive, and an idle connection frees its handshake-sized
    /// buffers once the handshake is over (the first application record allocates them
    /// again, once).
    pub keep_buffers: bool,
    /// The record_size_limit we announce (RFC 8449): the most plaintext the peer may send
    /// us in a protected record, `64..=16385`; TLS 1.2 counts no content type, so 16385
    /// (TLS 1.3's maximum) means 2^14 and is sent as 2^14. A client offers it in its
    /// ClientHello; a server answers a client that offers the extension with it (or with
    /// 2^14 when `None`). Once both have sent one, each side's records carry at most the
    /// *peer's* limit, and a protected record over ours is record_overflow. When both
    /// extensions are offered, record_size_limit takes precedence over
    /// max_fragment_length (RFC 8449 section 5). `None` (default): a client does not
    /// offer it.
    pub record_size_limit: Option<u16>,
    /// Size the receive buffer for our own record limit from the start (the client's
    /// `max_fragment_length`, else our `record_size_limit`) instead of for 2^14-byte
    /// records until a smaller limit is negotiated: a few hundred bytes instead of 18 KiB
    /// during the handshake too. Every record the peer sends must then fit that limit,
    /// its first ones included (a server's ServerHello and Certificate records, a
    /// client's ClientHello): a larger one is record_overflow, whatever was negotiated.
    /// For a device whose peer keeps to the limit from its first records (this crate
    /// does once it has read the extension). Off by default: the buffer shrinks once a
    /// limit is negotiated. No effect without a limit.
    pub limit_receive_buffer: bool,
}

impl fmt::Debug for CommonConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommonConfig")
            .field("provider", &self.provider)
            .field(
                "suites",
                &self.suites.iter().map(|s| s.suite).collect::<Vec<_>>(),
            )
            .field("groups", &self.groups)
            .field("alpn_protocols", &self.alpn_protocols)
            .field("require_ems", &self.require_ems)
            .field("max_fragment_len", &self.max_fragment_len)
            .field("key_log", &self.key_log.is_some())
            .field("message_events", &self.message_events)
            .field("keep_buffers", &self.keep_buffers)
            .field("record_size_limit", &self.record_size_limit)
            .field("limit_receive_buffer", &self.limit_receive_buffer)
            .finish_non_exhaustive()
    }
}

impl CommonConfig {
    /// Defaults: the six ECDHE suites (no PSK suites: see `ClientConfig::enable_psk` and
    /// `ServerConfig::enable_psk`), x25519/secp256r1/secp384r1, EMS offered but not
    /// required, 16 KiB fragments, 64 KiB handshake messages.
    pub fn new(provider: Arc<dyn CryptoProvider>) -> Self {
        let groups = provider.kx_groups().iter().map(|g| g.name()).collect();
        Self {
            provider,
            suites: default_suites().collect(),
            groups,
            alpn_protocols: Vec::new(),
            require_ems: false,
            max_fragment_len: crate::record::MAX_PLAINTEXT,
            max_handshake_message: DEFAULT_MAX_HANDSHAKE_MESSAGE,
            max_early_plaintext: 64 * 1024,
            max_peer_chain_len: DEFAULT_MAX_PEER_CHAIN_LEN,
            max_psk_identity_len: DEFAULT_MAX_PSK_IDENTITY_LEN,
            key_log: None,
            time: default_time(),
            message_events: false,
            keep_buffers: false,
            record_size_limit: None,
            limit_receive_buffer: false,
        }
    }

    /// Replaces the suite list with the named suites, in the given order. Fails on a suite
    /// this crate does not implement.
    pub fn set_suites(&mut self, suites: &[CipherSuite]) -> Result<(), Error> {
        let mut out = Vec::new();
        for s in suites {
            out.push(
                SupportedSuite::find(*s).ok_or(Error::Config("cipher suite not implemented"))?,
            );
        }
        if out.is_empty() {
            return Err(Error::Config("no cipher suites"));
        }
        self.suites = out;
        Ok(())
    }

    /// Checks the settings both sides share (also done by [`ClientConfig::build`],
    /// [`ServerConfig::build`] and the connection constructors).
    pub fn validate(&self) -> Result<(), Error> {
        if self.suites.is_empty() {
            return Err(Error::Config("no cipher suites"));
        }
        if self.max_peer_chain_len == 0 {
            return Err(Error::Config("max_peer_chain_len must be at least 1"));
        }
        if self.max_fragment_len == 0 || self.max_fragment_len > crate::record::MAX_PLAINTEXT {
            return Err(Error::Config("max_fragment_len must be 1..=16384"));
        }
        if self.record_size_limit.is_some_and(|l| {
            !(crate::record::limits::MIN_RECORD_SIZE_LIMIT
                ..=crate::record::limits::MAX_RECORD_SIZE_LIMIT)
                .contains(&l)
        }) {
            return Err(Error::Config("record_size_limit must be 64..=16385"));
        }
        if self.suites.iter().any(|s| s.forward_secret()) && self.groups.is_empty() {
            return Err(Error::Config("ECDHE suites enabled but no groups"));
        }
        for g in &self.groups {
            if self.provider.kx_group(*g).is_none() {
                return Err(Error::Config("group not implemented by the provider"));
            }
        }
        Ok(())
    }
}

/// Configuration for a client: [`ClientConfig::new`], set fields, then
/// [`build`](ClientConfig::build) to check it once and share it.
///
/// ```
/// use std::sync::Arc;
/// use tls12::ClientConfig;
/// use tls12::crypto::ring::RingProvider;
/// use tls12::verify::{RootStore, WebPkiServerVerifier};
///
/// let roots = Arc::new(RootStore::new()); // add your roots
/// let sv = *tls12::crypto::CryptoProvider::signature_verification(&RingProvider);
/// let mut config = ClientConfig::new(
///     Arc::new(RingProvider),
///     Arc::new(WebPkiServerVerifier::new(roots, sv)),
/// );
/// config.common.alpn_protocols = vec![b"http/1.1".to_vec()];
/// config.common.max_fragment_len = 0; // not allowed
/// assert!(config.clone().build().is_err());
/// config.common.max_fragment_len = 4096;
/// let config: Arc<ClientConfig> = config.build()?;
/// # Ok::<(), tls12::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Shared settings.
    pub common: CommonConfig,
    /// Verifies the server's certificate.
    pub verifier: Arc<dyn ServerCertVerifier>,
    /// The client certificate, for servers that request one (the common case of one
    /// certificate; see `client_cert_resolver` for more).
    pub client_cert: Option<CertifiedKey>,
    /// Picks the client certificate from the server's CertificateRequest; when set, it
    /// replaces `client_cert`.
    pub client_cert_resolver: Option<Arc<dyn ResolvesClientCert>>,
    /// TLS False Start (RFC 7918): send application data right after our Finished, before
    /// the server's, when the suite is ECDHE or ECDHE_PSK (forward secret; every suite is
    /// AEAD). Off by default.
    pub false_start: bool,
    /// Chooses the PSK identity and key for the PSK suites (RFC 4279), which are offered
    /// only when this is set. See [`enable_psk`](Self::enable_psk).
    pub psk: Option<Arc<dyn ResolvesClientPsk>>,
    /// Where sessions are kept for resumption (`None`: never resume). Default with `std`: an
    /// `InMemoryClientSessionStore` of 64 server names; without `std`, `None` (the crate has
    /// no lock of its own there: see [`crate::sync`]).
    pub session_store: Option<Arc<dyn ClientSessionStore>>,
    /// Ask for and offer session tickets (RFC 5077). On by default; off, only session IDs
    /// are used.
    pub enable_tickets: bool,
    /// The longest session ticket we keep: a longer NewSessionTicket is ignored (the
    /// handshake completes; only the session ID, if any, is kept). Default
    /// [`DEFAULT_MAX_TICKET_LEN`] (16 KiB); at most 65,535 on the wire.
    pub max_ticket_len: usize,
    /// The max_fragment_length to ask for (RFC 6066 section 4): 512, 1024, 2048 or 4096
    /// bytes of plaintext per record. If the server echoes it, every record either side
    /// sends from then on carries at most that much, and a larger one received is
    /// record_overflow; a server answering with another length is illegal_parameter; one
    /// that ignores it leaves records at 2^14. `None` (default): not asked for.
    pub max_fragment_length: Option<MaxFragmentLength>,
}

impl ClientConfig {
    /// A client with the provider's defaults and the given verifier.
    pub fn new(provider: Arc<dyn CryptoProvider>, verifier: Arc<dyn ServerCertVerifier>) -> Self {
        Self {
            common: CommonConfig::new(provider),
            verifier,
            client_cert: None,
            client_cert_resolver: None,
            false_start: false,
            psk: None,
            #[cfg(feature = "std")]
            session_store: Some(Arc::new(InMemoryClientSessionStore::new(64))),
            #[cfg(not(feature = "std"))]
            session_store: None,
            enable_tickets: true,
            max_ticket_len: DEFAULT_MAX_TICKET_LEN,
            max_fragment_length: None,
        }
    }
}

impl ClientConfig {
    /// A client that speaks only the PSK suites ([`default_psk_suites`]) with `psk`: no
    /// certificate is accepted from any server.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tls12::ClientConfig;
    /// use tls12::crypto::ring::RingProvider;
    /// use tls12::psk::Psk;
    ///
    /// let psk = Psk::new(b"sensor-1".to_vec(), vec![0x5a; 32])?;
    /// let config = ClientConfig::new_psk(Arc::new(RingProvider), Arc::new(psk)).build()?;
    /// assert!(config.common.suites.iter().all(|s| s.kx.uses_psk()));
    /// # Ok::<(), tls12::Error>(())
    /// ```
    pub fn new_psk(provider: Arc<dyn CryptoProvider>, psk: Arc<dyn ResolvesClientPsk>) -> Self {
        let mut c = Self::new(provider, Arc::new(crate::psk::NoCertificates));
        c.common.suites = default_psk_suites().collect();
        c.psk = Some(psk);
        c
    }

    /// Sets the PSK and enables the PSK suites ([`default_psk_suites`]), ahead of the
    /// suites already enabled (a client that holds a PSK for a server means to use it);
    /// a suite already in the list keeps its place.
    pub fn enable_psk(&mut self, psk: Arc<dyn ResolvesClientPsk>) {
        self.psk = Some(psk);
        prepend_psk_suites(&mut self.common.suites);
    }

    /// Checks the configuration: the shared settings ([`CommonConfig::validate`]),
    /// `max_ticket_len` (at most 65,535, the most a ticket can be), and that a PSK and the
    /// PSK suites come together (PSK suites alone need a PSK; a PSK needs a PSK suite).
    pub fn validate(&self) -> Result<(), Error> {
        self.common.validate()?;
        if self.max_ticket_len > 0xffff {
            return Err(Error::Config("max_ticket_len must be at most 65535"));
        }
        if self
            .max_fragment_length
            .is_some_and(|m| crate::record::limits::max_fragment_length_bytes(m).is_none())
        {
            return Err(Error::Config(
                "max_fragment_length must be 512, 1024, 2048 or 4096",
            ));
        }
        check_psk_suites(&self.common.suites, self.psk.is_some())?;
        Ok(())
    }

    /// Checks the configuration once ([`validate`](Self::validate)) and wraps it for
    /// sharing between connections.
    pub fn build(self) -> Result<Arc<Self>, Error> {
        self.validate()?;
        Ok(Arc::new(self))
    }
}

/// The server's CertificateRequest, as [`ResolvesClientCert::resolve`] sees it: its
/// certificate types, signature schemes and acceptable CA names, fields public.
pub use crate::msgs::CertificateRequest;

/// Picks the client's certificate when a server asks for one.
pub trait ResolvesClientCert: Send + Sync + fmt::Debug {
    /// The certificate to send for `request` (its certificate types, signature schemes and
    /// acceptable CA names), or `None` to send an empty Certificate. A certificate whose
    /// key fits none of the request's types or schemes is not sent either.
    fn resolve(&self, request: &CertificateRequest) -> Option<CertifiedKey>;
}

/// Picks the server's certificates from the name the client asked for (SNI).
pub trait ResolvesServerCert: Send + Sync + fmt::Debug {
    /// The certificates to choose from for `server_name` (`None` when the client sent no
    /// SNI). An empty slice refuses the handshake (handshake_failure).
    fn resolve(&self, server_name: Option<&str>) -> &[CertifiedKey];
}

/// Configuration for a server: [`ServerConfig::new`], set fields, then
/// [`build`](ServerConfig::build) to check it once and share it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Shared settings.
    pub common: CommonConfig,
    /// Certificates: at most one per key kind is used (an RSA and an ECDSA one, say); the
    /// server picks one from the client's suites and signature algorithms.
    pub certs: Vec<CertifiedKey>,
    /// Pick the suite by the client's preference instead of ours.
    pub honour_client_order: bool,
    /// Request (and maybe require) client certificates.
    pub client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    /// Chooses certificates by SNI; when set, it replaces `certs`.
    pub cert_resolver: Option<Arc<dyn ResolvesServerCert>>,
    /// Keeps sessions by session ID for resumption (`None`: no session IDs are issued).
    /// Default with `std`: an `LruSessionCache` of 1024 sessions; without `std`, `None` (see
    /// [`crate::sync`]).
    pub session_cache: Option<Arc<dyn ServerSessionCache>>,
    /// Issues and opens session tickets (RFC 5077) for clients that ask (`None`: no
    /// tickets). Default with `std`: an `AeadTicketer` with a 12-hour lifetime; without
    /// `std`, `None` (see [`crate::sync`]).
    pub ticketer: Option<Arc<dyn TicketEncrypter>>,
    /// The longest a cached session may be resumed, in seconds (tickets are also bounded
    /// by the ticketer's lifetime). Default: 24 hours.
    pub session_lifetime_secs: u32,
    /// The largest encoded session we keep, in the cache or in a ticket: a session over it
    /// (one with a long client certificate chain) is not cached and gets an empty ticket,
    /// so it is not resumed. Default [`DEFAULT_MAX_SESSION_LEN`] (16 KiB).
    pub max_session_len: usize,
    /// Resolves the client's PSK identity to its key for the PSK suites (RFC 4279), which
    /// are chosen only when this is set. See [`enable_psk`](Self::enable_psk).
    pub psk: Option<Arc<dyn ResolvesServerPsk>>,
    /// The identity hint sent in a PSK or ECDHE_PSK ServerKeyExchange (`None`: no hint; a
    /// PSK suite then sends no ServerKeyExchange at all, as RFC 4279 section 2 allows and
    /// OpenSSL does).
    pub psk_identity_hint: Option<PskIdentity>,
    /// The largest ClientHello body accepted (other handshake messages are bounded by
    /// `common.max_handshake_message`). Default
    /// 131,396 bytes, OpenSSL's limit: long suite lists, thousands of extensions and
    /// padding are legal. One byte more is illegal_parameter, from the message header.
    pub max_client_hello: usize,
    /// Accept a client's max_fragment_length (RFC 6066 section 4): echo it and keep every
    /// record from our ServerHello on within it, as OpenSSL does. On by default; off, the
    /// extension is ignored and records stay at up to 2^14 bytes. Ignored when the client
    /// also offers record_size_limit, which takes precedence (RFC 8449 section 5).
    pub accept_max_fragment_length: bool,
}

impl ServerConfig {
    /// A server with the provider's defaults and the given certificates.
    pub fn new(provider: Arc<dyn CryptoProvider>, certs: Vec<CertifiedKey>) -> Self {
        Self {
            common: CommonConfig::new(provider.clone()),
            certs,
            honour_client_order: false,
            client_verifier: None,
            cert_resolver: None,
            #[cfg(feature = "std")]
            session_cache: Some(Arc::new(LruSessionCache::new(1024))),
            #[cfg(feature = "std")]
            ticketer: Some(Arc::new(AeadTicketer::new(provider.clone(), 12 * 60 * 60))),
            #[cfg(not(feature = "std"))]
            session_cache: None,
            #[cfg(not(feature = "std"))]
            ticketer: None,
            session_lifetime_secs: DEFAULT_SESSION_LIFETIME_SECS,
            max_session_len: DEFAULT_MAX_SESSION_LEN,
            max_client_hello: crate::record::MAX_CLIENT_HELLO,
            accept_max_fragment_length: true,
            psk: None,
            psk_identity_hint: None,
        }
    }

    /// A server with no certificate that speaks only the PSK suites
    /// ([`default_psk_suites`]), finding keys with `psk`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tls12::ServerConfig;
    /// use tls12::crypto::ring::RingProvider;
    /// use tls12::psk::{Psk, PskTable};
    ///
    /// let keys: PskTable = [Psk::new(b"sensor-1".to_vec(), vec![0x5a; 32])?].into_iter().collect();
    /// let config = ServerConfig::new_psk(Arc::new(RingProvider), Arc::new(keys)).build()?;
    /// assert!(config.certs.is_empty());
    /// # Ok::<(), tls12::Error>(())
    /// ```
    pub fn new_psk(provider: Arc<dyn CryptoProvider>, psk: Arc<dyn ResolvesServerPsk>) -> Self {
        let mut c = Self::new(provider, Vec::new());
        c.common.suites = default_psk_suites().collect();
        c.psk = Some(psk);
        c
    }

    /// Sets the PSK resolver and enables the PSK suites ([`default_psk_suites`]) ahead of
    /// the suites already enabled; a suite already in the list keeps its place. Clients
    /// that offer no PSK suite still get the certificate suites. The key authenticates a
    /// PSK client: no CertificateRequest goes with a PSK suite, even with
    /// `client_verifier` set.
    pub fn enable_psk(&mut self, psk: Arc<dyn ResolvesServerPsk>) {
        self.psk = Some(psk);
        prepend_psk_suites(&mut self.common.suites);
    }

    /// Checks the configuration: the shared settings ([`CommonConfig::validate`]), that
    /// there is a certificate (or a resolver) or a PSK, and that a PSK and the PSK suites
    /// come together.
    pub fn validate(&self) -> Result<(), Error> {
        self.common.validate()?;
        if self.certs.is_empty() && self.cert_resolver.is_none() && self.psk.is_none() {
            return Err(Error::Config("server has no certificate or PSK"));
        }
        check_psk_suites(&self.common.suites, self.psk.is_some())?;
        Ok(())
    }

    /// Checks the configuration once ([`validate`](Self::validate)) and wraps it for
    /// sharing between connections.
    pub fn build(self) -> Result<Arc<Self>, Error> {
        self.validate()?;
        Ok(Arc::new(self))
    }
}

/// Puts the default PSK suites first in `suites`, leaving those already there in place.
fn prepend_psk_suites(suites: &mut Vec<&'static SupportedSuite>) {
    let mut out: Vec<&'static SupportedSuite> = default_psk_suites()
        .filter(|s| !suites.contains(s))
        .collect();
    out.append(suites);
    *suites = out;
}

/// PSK suites need a PSK, and a PSK needs a PSK suite: either alone is a mistake that
/// would otherwise only show as a failed handshake.
fn check_psk_suites(suites: &[&SupportedSuite], have_psk: bool) -> Result<(), Error> {
    let any_psk = suites.iter().any(|s| s.kx.uses_psk());
    let all_psk = suites.iter().all(|s| s.kx.uses_psk());
    if have_psk && !any_psk {
        return Err(Error::Config("a PSK is set but no PSK suite is enabled"));
    }
    if !have_psk && all_psk {
        return Err(Error::Config(
            "only PSK suites are enabled but no PSK is set",
        ));
    }
    Ok(())
}
