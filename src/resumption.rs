//! Session resumption (RFC 5246 session IDs, RFC 5077 session tickets).
//!
//! - The client keeps what it needs to resume in a [`ClientSessionStore`], keyed by server
//!   name; [`InMemoryClientSessionStore`] is the bounded default. On the next connection to
//!   the same name it offers the stored ticket (with a fresh session ID, RFC 5077 section
//!   3.4) or the stored session ID.
//! - The server keeps sessions in a [`ServerSessionCache`] (default: [`LruSessionCache`])
//!   keyed by the session ID it chose, and/or seals them into tickets with a
//!   [`TicketEncrypter`] (default: [`AeadTicketer`], AES-256-GCM with key rotation).
//!
//! A session is resumed only with the same cipher suite and the same extended master
//! secret state (RFC 7627 section 5.3); otherwise the server falls back to a full
//! handshake, and a client that sees a server resume against those rules aborts. A PSK
//! session keeps its PSK identity: the server resumes it only while its PSK resolver still
//! knows the identity, the client offers it only under the PSK resolver that made it.
//!
//! The core reads no clock: ages are computed from the configured `TimeSource`.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroize;

use pki_types::{CertificateDer, UnixTime};
use zeroize::Zeroizing;

use crate::codec::enums::CipherSuite;
use crate::codec::{Codec, LenPrefix, LengthPrefixed, Reader, put_opaque, put_u16};
use crate::config::{ClientConfig, ResolvesClientCert};
use crate::crypto::SigningKey;
use crate::crypto::key_schedule::MASTER_SECRET_LEN;
use crate::crypto::{AeadAlgorithm, AeadKey, CryptoProvider, HmacKey};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::msgs::{CertificateChain, SessionId};
use crate::psk::ResolvesClientPsk;
#[cfg(feature = "std")]
use crate::sync::StdLock;
use crate::sync::{Locked, MakeLock};
use crate::verify::ServerCertVerifier;

/// The longest we keep or accept a session whose lifetime nobody stated: 24 hours, the upper
/// limit RFC 5246 appendix F.1.4 suggests.
pub const DEFAULT_SESSION_LIFETIME_SECS: u32 = 24 * 60 * 60;

/// The longest session ticket a client keeps by default (RFC 5077 tickets from real servers
/// are a few hundred bytes): a longer NewSessionTicket is ignored, not stored. See
/// [`ClientConfig::max_ticket_len`].
pub const DEFAULT_MAX_TICKET_LEN: usize = 16 * 1024;

/// The largest encoded session a server keeps by default (cache entry or ticket plaintext):
/// 16 KiB, the same as the ticket a client keeps. See `ServerConfig::max_session_len`.
pub const DEFAULT_MAX_SESSION_LEN: usize = 16 * 1024;

/// The default byte budget of an [`InMemoryClientSessionStore`]: 1 MiB.
pub const DEFAULT_CLIENT_STORE_BYTES: usize = 1024 * 1024;

/// The default byte budget of an [`LruSessionCache`] per session it may hold: 4 KiB (so
/// 4 MiB for the 1024 sessions of the default server configuration).
pub const DEFAULT_CACHE_BYTES_PER_SESSION: usize = 4 * 1024;

/// What a stored session costs beyond its variable parts (ticket, certificates, name): the
/// fixed fields and the bookkeeping around them, counted against a store's byte budget.
const SESSION_OVERHEAD: usize = 128;

// ---------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------

/// Which configuration made a client session: the server certificate verifier that
/// accepted the server, what could authenticate us, and the PSK resolver. A session is offered only to a
/// configuration with the same ones (compared by identity, like rustls's
/// `compatible_config`), so a session made under `danger::NoServerVerification` is never
/// resumed by a verifying configuration that shares its store.
#[derive(Clone)]
pub(crate) struct SessionOrigin {
    verifier: Arc<dyn ServerCertVerifier>,
    client_auth: ClientAuthOrigin,
    psk: Option<Arc<dyn ResolvesClientPsk>>,
}

#[derive(Clone)]
enum ClientAuthOrigin {
    None,
    Key(Arc<dyn SigningKey>),
    Resolver(Arc<dyn ResolvesClientCert>),
}

/// Whether two `Arc`s point at the same object (the vtable is not compared).
fn same<T: ?Sized>(a: &Arc<T>, b: &Arc<T>) -> bool {
    core::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

impl SessionOrigin {
    /// The origin of sessions made under `config`.
    pub(crate) fn of(config: &ClientConfig) -> Self {
        let client_auth = match (&config.client_cert_resolver, &config.client_cert) {
            (Some(r), _) => ClientAuthOrigin::Resolver(r.clone()),
            (None, Some(k)) => ClientAuthOrigin::Key(k.key.clone()),
            (None, None) => ClientAuthOrigin::None,
        };
        Self {
            verifier: config.verifier.clone(),
            client_auth,
            psk: config.psk.clone(),
        }
    }

    /// Whether a session of this origin may be offered under `config`.
    pub(crate) fn matches(&self, config: &ClientConfig) -> bool {
        let auth = match (
            &self.client_auth,
            &config.client_cert_resolver,
            &config.client_cert,
        ) {
            (ClientAuthOrigin::Resolver(a), Some(b), _) => same(a, b),
            (ClientAuthOrigin::Key(a), None, Some(b)) => same(a, &b.key),
            (ClientAuthOrigin::None, None, None) => true,
            _ => false,
        };
        let psk = match (&self.psk, &config.psk) {
            (Some(a), Some(b)) => same(a, b),
            (None, None) => true,
            _ => false,
        };
        auth && psk && same(&self.verifier, &config.verifier)
    }
}

/// What a client keeps to resume a session with a server.
#[derive(Clone)]
pub struct ClientSession {
    pub(crate) suite: CipherSuite,
    pub(crate) master_secret: [u8; MASTER_SECRET_LEN],
    pub(crate) extended_master_secret: bool,
    pub(crate) session_id: SessionId,
    pub(crate) ticket: Vec<u8>,
    pub(crate) lifetime_secs: u32,
    pub(crate) received_at: u64,
    pub(crate) peer_certificates: Vec<CertificateDer<'static>>,
    /// The PSK identity we used (PSK suites only).
    pub(crate) psk_identity: Option<Vec<u8>>,
    pub(crate) origin: SessionOrigin,
    /// The master secret bound to the suite's HMAC, kept from the handshake that made the
    /// session (not encoded).
    pub(crate) master_key: Option<MasterKeyCache>,
}

/// A session's master secret bound to its suite's HMAC by the provider that did it: what
/// a resumption uses instead of setting the key up again, when its connection has that
/// provider.
#[derive(Clone)]
pub(crate) struct MasterKeyCache {
    provider: Arc<dyn CryptoProvider>,
    key: Arc<dyn HmacKey>,
}

impl MasterKeyCache {
    /// `key`, bound by `provider`.
    pub(crate) fn new(provider: &Arc<dyn CryptoProvider>, key: Arc<dyn HmacKey>) -> Self {
        Self {
            provider: provider.clone(),
            key,
        }
    }

    /// The key, if `provider` is the one that bound it.
    pub(crate) fn for_provider(
        &self,
        provider: &Arc<dyn CryptoProvider>,
    ) -> Option<Arc<dyn HmacKey>> {
        core::ptr::addr_eq(Arc::as_ptr(&self.provider), Arc::as_ptr(provider))
            .then(|| self.key.clone())
    }
}

impl ClientSession {
    /// The cipher suite of the session.
    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// Whether the session used the extended master secret.
    pub fn extended_master_secret(&self) -> bool {
        self.extended_master_secret
    }

    /// The session ID the server gave (may be empty when it issued a ticket).
    pub fn session_id(&self) -> &[u8] {
        self.session_id.as_slice()
    }

    /// The session ticket (empty if none).
    pub fn ticket(&self) -> &[u8] {
        &self.ticket
    }

    /// The server's certificate chain from the full handshake.
    pub fn peer_certificates(&self) -> &[CertificateDer<'static>] {
        &self.peer_certificates
    }

    /// The PSK identity the session was made with (PSK suites only).
    pub fn psk_identity(&self) -> Option<&[u8]> {
        self.psk_identity.as_deref()
    }

    /// What the session costs a store, in bytes: its ticket, certificates and PSK identity
    /// and a fixed overhead for the rest.
    pub fn stored_len(&self) -> usize {
        let fixed =
            SESSION_OVERHEAD + self.ticket.len() + self.psk_identity.as_ref().map_or(0, Vec::len);
        self.peer_certificates
            .iter()
            .fold(fixed, |n, c| n.saturating_add(c.as_ref().len()))
    }

    /// Whether the session was made under a configuration with the same verifier and client
    /// authentication as `config` (compared by identity).
    pub fn compatible_with(&self, config: &ClientConfig) -> bool {
        self.origin.matches(config)
    }

    /// Encodes the session, for a [`ClientSessionStore`] that keeps sessions across
    /// processes. The encoding holds the master secret: keep it as you would a key (the
    /// caller should wipe its copies). A ticket or PSK identity over 65,535 bytes or a chain
    /// over 2^24 - 1 bytes is an [`EncodeError`].
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Zeroizing::new(Vec::with_capacity(128 + self.ticket.len()));
        out.push(session_version(self.psk_identity.is_some()));
        put_u16(&mut out, self.suite.0);
        out.push(u8::from(self.extended_master_secret));
        out.extend_from_slice(&self.master_secret);
        self.session_id.encode(&mut out)?;
        put_opaque(&mut out, LenPrefix::U16, &self.ticket)?;
        out.extend_from_slice(&self.lifetime_secs.to_be_bytes());
        out.extend_from_slice(&self.received_at.to_be_bytes());
        let chain = LengthPrefixed::begin(&mut out, LenPrefix::U24);
        for c in &self.peer_certificates {
            put_opaque(&mut out, LenPrefix::U24, c.as_ref())?;
        }
        chain.finish(&mut out)?;
        put_psk_identity(&mut out, self.psk_identity.as_deref())?;
        Ok(core::mem::take(&mut *out))
    }

    /// Decodes what [`encode`](Self::encode) produced, for use under `config`.
    ///
    /// A session is offered only to the configuration it was made under (its verifier and
    /// client identity, compared by identity); one read back from storage is bound to
    /// `config`, so decode it only with a configuration that verifies servers at least as
    /// strictly as the one that made it did.
    pub fn decode(bytes: &[u8], config: &ClientConfig) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let with_psk = read_session_version(&mut r, "ClientSession.version")?;
        let suite = CipherSuite(r.u16("ClientSession.suite")?);
        let extended_master_secret = match r.u8("ClientSession.ems")? {
            0 => false,
            1 => true,
            _ => {
                return Err(DecodeError::new(
                    "ClientSession.ems",
                    DecodeErrorKind::IllegalValue,
                ));
            }
        };
        let master_secret = r.array::<MASTER_SECRET_LEN>("ClientSession.master_secret")?;
        let session_id = SessionId::read(&mut r)?;
        let ticket = r.opaque(LenPrefix::U16, "ClientSession.ticket")?.to_vec();
        let lifetime_secs = r.u32("ClientSession.lifetime")?;
        let received_at = r.u64("ClientSession.received_at")?;
        let chain = CertificateChain::read(&mut r)?;
        let psk_identity = read_psk_identity(&mut r, with_psk, "ClientSession.psk_identity")?;
        r.expect_end("ClientSession")?;
        Ok(Self {
            suite,
            master_secret,
            extended_master_secret,
            session_id,
            ticket,
            lifetime_secs,
            received_at,
            peer_certificates: chain.0,
            psk_identity,
            origin: SessionOrigin::of(config),
            master_key: None,
        })
    }

    /// Whether the session may still be offered at `now`.
    pub(crate) fn is_fresh(&self, now: UnixTime) -> bool {
        let lifetime = match self.lifetime_secs {
            0 => DEFAULT_SESSION_LIFETIME_SECS,
            n => n.min(DEFAULT_SESSION_LIFETIME_SECS * 7),
        };
        now.as_secs()
            .checked_sub(self.received_at)
            .is_some_and(|age| age < u64::from(lifetime))
    }
}

impl fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSession")
            .field("suite", &self.suite)
            .field("extended_master_secret", &self.extended_master_secret)
            .field("session_id", &self.session_id)
            .field("ticket_len", &self.ticket.len())
            .field("lifetime_secs", &self.lifetime_secs)
            .finish_non_exhaustive()
    }
}

impl Drop for ClientSession {
    fn drop(&mut self) {
        self.master_secret.zeroize();
    }
}

/// Where a client keeps sessions for resumption, keyed by server name.
pub trait ClientSessionStore: Send + Sync + fmt::Debug {
    /// The session to offer to `server_name`, if any.
    fn get(&self, server_name: &str) -> Option<ClientSession>;
    /// Keeps `session` for `server_name`, replacing any earlier one.
    fn put(&self, server_name: &str, session: ClientSession);
    /// Forgets the session for `server_name`.
    fn remove(&self, server_name: &str);
}

/// A bounded in-memory [`ClientSessionStore`]: one session per server name, at most
/// `capacity` names and `max_bytes` bytes (each session counted by
/// [`ClientSession::stored_len`]); the least recently stored name is dropped first, and a
/// session larger than the whole budget is not stored.
///
/// The sessions are behind a lock: [`std::sync::Mutex`] with `std` ([`new`](Self::new),
/// [`with_limits`](Self::with_limits)), or one the caller supplies
/// ([`with_lock`](Self::with_lock); see [`crate::sync`]).
pub struct InMemoryClientSessionStore {
    capacity: usize,
    max_bytes: usize,
    entries: Locked<VecDeque<(String, ClientSession)>>,
}

impl InMemoryClientSessionStore {
    /// A store for at most `capacity` server names (at least one) within
    /// [`DEFAULT_CLIENT_STORE_BYTES`].
    #[cfg(feature = "std")]
    pub fn new(capacity: usize) -> Self {
        Self::with_limits(capacity, DEFAULT_CLIENT_STORE_BYTES)
    }

    /// A store for at most `capacity` server names (at least one) and `max_bytes` bytes.
    #[cfg(feature = "std")]
    pub fn with_limits(capacity: usize, max_bytes: usize) -> Self {
        Self::with_lock::<StdLock>(capacity, max_bytes)
    }

    /// A store for at most `capacity` server names (at least one) and `max_bytes` bytes,
    /// behind a lock made by `M`.
    pub fn with_lock<M: MakeLock>(capacity: usize, max_bytes: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            max_bytes,
            entries: Locked::new::<M>(VecDeque::new()),
        }
    }

    /// How many bytes the stored sessions take, as counted against the budget.
    pub fn stored_bytes(&self) -> usize {
        self.entries.with(|e| entries_len(e)).unwrap_or(0)
    }

    /// How many sessions are stored.
    pub fn len(&self) -> usize {
        self.entries.with(|e| e.len()).unwrap_or(0)
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for InMemoryClientSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryClientSessionStore")
            .field("capacity", &self.capacity)
            .field("max_bytes", &self.max_bytes)
            .field("len", &self.len())
            .finish()
    }
}

fn entries_len(e: &VecDeque<(String, ClientSession)>) -> usize {
    e.iter().fold(0usize, |n, (name, s)| {
        n.saturating_add(name.len()).saturating_add(s.stored_len())
    })
}

impl ClientSessionStore for InMemoryClientSessionStore {
    fn get(&self, server_name: &str) -> Option<ClientSession> {
        self.entries
            .with(|e| {
                e.iter()
                    .find(|(name, _)| name == server_name)
                    .map(|(_, s)| s.clone())
            })
            .flatten()
    }

    fn put(&self, server_name: &str, session: ClientSession) {
        self.entries.with(|e| {
            e.retain(|(name, _)| name != server_name);
            let size = server_name.len().saturating_add(session.stored_len());
            if size > self.max_bytes {
                return;
            }
            while e.len() >= self.capacity || entries_len(e).saturating_add(size) > self.max_bytes {
                if e.pop_front().is_none() {
                    break;
                }
            }
            e.push_back((String::from(server_name), session));
        });
    }

    fn remove(&self, server_name: &str) {
        self.entries
            .with(|e| e.retain(|(name, _)| name != server_name));
    }
}

// ---------------------------------------------------------------------------------------
// Server side
// ---------------------------------------------------------------------------------------

/// What a server keeps to resume a session: the contents of a cache entry or a ticket.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerSession {
    pub(crate) suite: CipherSuite,
    pub(crate) master_secret: [u8; MASTER_SECRET_LEN],
    pub(crate) extended_master_secret: bool,
    pub(crate) created_at: u64,
    pub(crate) server_name: Option<String>,
    pub(crate) client_certificates: Vec<CertificateDer<'static>>,
    /// The client's PSK identity (PSK suites only), bounded by `max_psk_identity_len` when
    /// it arrived.
    pub(crate) psk_identity: Option<Vec<u8>>,
}

/// The first byte of an encoded [`ClientSession`] or [`ServerSession`], the encoding's
/// version: 1 for a session without a PSK identity, 2 for one with it (after the chain).
/// A session without one encodes as it did before PSK suites existed, so tickets and
/// stored sessions are unchanged.
const SESSION_V1: u8 = 1;
/// See [`SESSION_V1`].
const SESSION_V2_PSK: u8 = 2;

fn session_version(with_psk: bool) -> u8 {
    if with_psk { SESSION_V2_PSK } else { SESSION_V1 }
}

/// Reads the version byte; whether a PSK identity follows the chain.
fn read_session_version(r: &mut Reader<'_>, field: &'static str) -> Result<bool, DecodeError> {
    match r.u8(field)? {
        SESSION_V1 => Ok(false),
        SESSION_V2_PSK => Ok(true),
        _ => Err(DecodeError::new(field, DecodeErrorKind::IllegalValue)),
    }
}

/// Writes a PSK identity, if any: `opaque identity<0..2^16-1>` (the version says whether
/// it is there).
fn put_psk_identity(out: &mut Vec<u8>, identity: Option<&[u8]>) -> Result<(), EncodeError> {
    match identity {
        None => Ok(()),
        Some(id) => put_opaque(out, LenPrefix::U16, id),
    }
}

/// Reads what [`put_psk_identity`] wrote (`with_psk`: the version says one is there).
fn read_psk_identity(
    r: &mut Reader<'_>,
    with_psk: bool,
    field: &'static str,
) -> Result<Option<Vec<u8>>, DecodeError> {
    if !with_psk {
        return Ok(None);
    }
    Ok(Some(r.opaque(LenPrefix::U16, field)?.to_vec()))
}

impl ServerSession {
    /// The cipher suite of the session.
    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// Whether the session used the extended master secret.
    pub fn extended_master_secret(&self) -> bool {
        self.extended_master_secret
    }

    /// The client's certificate chain from the full handshake (empty if none).
    pub fn client_certificates(&self) -> &[CertificateDer<'static>] {
        &self.client_certificates
    }

    /// The client's PSK identity (PSK suites only).
    pub fn psk_identity(&self) -> Option<&[u8]> {
        self.psk_identity.as_deref()
    }

    /// Encodes the session (what a cache stores or a ticket seals). The encoding holds the
    /// master secret: wipe it when done (the crate's own copies are `Zeroizing`). A server
    /// name over 255 bytes or a chain over 2^24 - 1 bytes is an [`EncodeError`] (the
    /// server only keeps names it validated, at most 253 bytes).
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Zeroizing::new(Vec::with_capacity(128));
        out.push(session_version(self.psk_identity.is_some()));
        put_u16(&mut out, self.suite.0);
        out.push(u8::from(self.extended_master_secret));
        out.extend_from_slice(&self.master_secret);
        out.extend_from_slice(&self.created_at.to_be_bytes());
        put_opaque(
            &mut out,
            LenPrefix::U8,
            self.server_name.as_deref().unwrap_or("").as_bytes(),
        )?;
        // The chain as in a Certificate message, without copying it first.
        let chain = LengthPrefixed::begin(&mut out, LenPrefix::U24);
        for c in &self.client_certificates {
            put_opaque(&mut out, LenPrefix::U24, c.as_ref())?;
        }
        chain.finish(&mut out)?;
        put_psk_identity(&mut out, self.psk_identity.as_deref())?;
        Ok(core::mem::take(&mut *out))
    }

    /// Decodes what [`encode`](Self::encode) produced.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (mut session, name) = Self::decode_borrowing_name(bytes)?;
        session.server_name = match name {
            [] => None,
            n => Some(String::from(core::str::from_utf8(n).map_err(|_| {
                DecodeError::new(
                    "ServerSession.server_name",
                    crate::error::DecodeErrorKind::IllegalValue,
                )
            })?)),
        };
        Ok(session)
    }

    /// [`decode`](Self::decode) without its name (left `None`), returned as the bytes
    /// encoded (empty for none, and not checked to be UTF-8): what the server compares with
    /// the name the client asks for before it resumes, without a copy.
    pub(crate) fn decode_borrowing_name(bytes: &[u8]) -> Result<(Self, &[u8]), DecodeError> {
        let mut r = Reader::new(bytes);
        let with_psk = read_session_version(&mut r, "ServerSession.version")?;
        let suite = CipherSuite(r.u16("ServerSession.suite")?);
        let extended_master_secret = match r.u8("ServerSession.ems")? {
            0 => false,
            1 => true,
            _ => {
                return Err(DecodeError::new(
                    "ServerSession.ems",
                    DecodeErrorKind::IllegalValue,
                ));
            }
        };
        let master_secret = r.array::<MASTER_SECRET_LEN>("ServerSession.master_secret")?;
        let created_at = r.u64("ServerSession.created_at")?;
        let name = r.opaque(LenPrefix::U8, "ServerSession.server_name")?;
        let certs = CertificateChain::read(&mut r)?;
        let psk_identity = read_psk_identity(&mut r, with_psk, "ServerSession.psk_identity")?;
        r.expect_end("ServerSession")?;
        let session = Self {
            suite,
            master_secret,
            extended_master_secret,
            created_at,
            server_name: None,
            client_certificates: certs.0,
            psk_identity,
        };
        Ok((session, name))
    }
}

impl fmt::Debug for ServerSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSession")
            .field("suite", &self.suite)
            .field("extended_master_secret", &self.extended_master_secret)
            .field("created_at", &self.created_at)
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl Drop for ServerSession {
    fn drop(&mut self) {
        self.master_secret.zeroize();
    }
}

/// Where a server keeps sessions by session ID. Values are encoded [`ServerSession`]s, so
/// an implementation can keep them anywhere (a shared cache, another process).
pub trait ServerSessionCache: Send + Sync + fmt::Debug {
    /// Stores `value` under `id`.
    fn put(&self, id: &[u8], value: Vec<u8>);
    /// The value stored under `id`, if any.
    fn get(&self, id: &[u8]) -> Option<Vec<u8>>;
}

/// A bounded in-memory [`ServerSessionCache`] that drops the least recently used entry:
/// at most `capacity` sessions and `max_bytes` bytes (ids and values counted); a value
/// larger than the whole budget is not stored. Values are wiped when dropped.
///
/// The entries are behind a lock: [`std::sync::Mutex`] with `std` ([`new`](Self::new),
/// [`with_limits`](Self::with_limits)), or one the caller supplies
/// ([`with_lock`](Self::with_lock); see [`crate::sync`]).
pub struct LruSessionCache {
    capacity: usize,
    max_bytes: usize,
    inner: Locked<LruInner>,
}

#[derive(Default)]
struct LruInner {
    /// id -> (last use, value)
    by_id: BTreeMap<Vec<u8>, (u64, Zeroizing<Vec<u8>>)>,
    /// last use -> id
    by_use: BTreeMap<u64, Vec<u8>>,
    clock: u64,
    /// The bytes of every id and value held.
    bytes: usize,
}

impl LruInner {
    fn touch(&mut self, id: &[u8]) -> Option<Vec<u8>> {
        self.clock += 1;
        let now = self.clock;
        let (used, value) = self.by_id.get_mut(id)?;
        // The id moves to its new place in the use order (no copy of it).
        let key = self.by_use.remove(used).unwrap_or_else(|| id.to_vec());
        *used = now;
        self.by_use.insert(now, key);
        Some(value.to_vec())
    }

    fn remove(&mut self, id: &[u8]) {
        if let Some((used, value)) = self.by_id.remove(id) {
            self.by_use.remove(&used);
            self.bytes = self.bytes.saturating_sub(id.len() + value.len());
        }
    }

    fn evict_oldest(&mut self) -> bool {
        match self.by_use.pop_first() {
            Some((_, oldest)) => {
                if let Some((_, value)) = self.by_id.remove(&oldest) {
                    self.bytes = self.bytes.saturating_sub(oldest.len() + value.len());
                }
                true
            }
            None => false,
        }
    }
}

impl LruSessionCache {
    /// A cache of at most `capacity` sessions (at least one) within
    /// `capacity` x [`DEFAULT_CACHE_BYTES_PER_SESSION`] bytes.
    #[cfg(feature = "std")]
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self::with_limits(
            capacity,
            capacity.saturating_mul(DEFAULT_CACHE_BYTES_PER_SESSION),
        )
    }

    /// A cache of at most `capacity` sessions (at least one) and `max_bytes` bytes.
    #[cfg(feature = "std")]
    pub fn with_limits(capacity: usize, max_bytes: usize) -> Self {
        Self::with_lock::<StdLock>(capacity, max_bytes)
    }

    /// A cache of at most `capacity` sessions (at least one) and `max_bytes` bytes, behind a
    /// lock made by `M`.
    pub fn with_lock<M: MakeLock>(capacity: usize, max_bytes: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            max_bytes,
            inner: Locked::new::<M>(LruInner::default()),
        }
    }

    /// How many sessions are cached.
    pub fn len(&self) -> usize {
        self.inner.with(|i| i.by_id.len()).unwrap_or(0)
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many bytes the cached ids and values take.
    pub fn stored_bytes(&self) -> usize {
        self.inner.with(|i| i.bytes).unwrap_or(0)
    }
}

impl fmt::Debug for LruSessionCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LruSessionCache")
            .field("capacity", &self.capacity)
            .field("max_bytes", &self.max_bytes)
            .field("len", &self.len())
            .finish()
    }
}

impl ServerSessionCache for LruSessionCache {
    fn put(&self, id: &[u8], value: Vec<u8>) {
        let value = Zeroizing::new(value);
        let size = id.len().saturating_add(value.len());
        self.inner.with(|i| {
            i.remove(id);
            if size > self.max_bytes {
                return;
            }
            while i.by_id.len() >= self.capacity || i.bytes.saturating_add(size) > self.max_bytes {
                if !i.evict_oldest() {
                    break;
                }
            }
            i.clock += 1;
            let now = i.clock;
            i.by_use.insert(now, id.to_vec());
            i.by_id.insert(id.to_vec(), (now, value));
            i.bytes = i.bytes.saturating_add(size);
        });
    }

    fn get(&self, id: &[u8]) -> Option<Vec<u8>> {
        self.inner.with(|i| i.touch(id)).flatten()
    }
}

/// Seals server sessions into tickets (RFC 5077) and opens them again.
pub trait TicketEncrypter: Send + Sync + fmt::Debug {
    /// Seals `plain` into a ticket at time `now`. `None` if it cannot (no ticket is sent).
    fn encrypt(&self, plain: &[u8], now: UnixTime) -> Option<Vec<u8>>;
    /// Opens a ticket this encrypter made; `None` for anything else, including tickets
    /// sealed under a key that has been rotated out.
    fn decrypt(&self, ticket: &[u8], now: UnixTime) -> Option<Vec<u8>>;
    /// How long a ticket is good for, in seconds (sent as the lifetime hint).
    fn lifetime_secs(&self) -> u32;
}

const TICKET_KEY_NAME_LEN: usize = 16;
const TICKET_HEADER_LEN: usize = TICKET_KEY_NAME_LEN + AeadAlgorithm::NONCE_LEN;

struct TicketKey {
    name: [u8; TICKET_KEY_NAME_LEN],
    key: Box<dyn AeadKey>,
    created_at: u64,
}

struct TicketKeys {
    current: Option<TicketKey>,
    previous: Option<TicketKey>,
}

/// The default [`TicketEncrypter`]: AES-256-GCM through the crypto provider, with a random
/// 16-byte key name and a random nonce per ticket
/// (`key_name || nonce || ciphertext || tag`, the key name as additional data).
///
/// Keys rotate: a key seals tickets for one lifetime, then is kept one more lifetime to
/// open the tickets it sealed, then is dropped. So a ticket is accepted for at least one
/// lifetime and at most two (the session's own age is checked against the lifetime too).
///
/// The keys are behind a lock: [`std::sync::Mutex`] with `std` ([`new`](Self::new)), or one
/// the caller supplies ([`with_lock`](Self::with_lock)); a lock that declines (see
/// [`crate::sync::Lock`]) means no ticket is issued or opened that time.
pub struct AeadTicketer {
    provider: Arc<dyn CryptoProvider>,
    lifetime_secs: u32,
    keys: Locked<TicketKeys>,
}

impl AeadTicketer {
    /// A ticketer whose tickets live `lifetime_secs` seconds (at least one), its keys
    /// behind a [`std::sync::Mutex`].
    #[cfg(feature = "std")]
    pub fn new(provider: Arc<dyn CryptoProvider>, lifetime_secs: u32) -> Self {
        Self::with_lock::<StdLock>(provider, lifetime_secs)
    }

    /// A ticketer whose tickets live `lifetime_secs` seconds (at least one), its keys
    /// behind a lock made by `M` (see [`crate::sync`]).
    pub fn with_lock<M: MakeLock>(provider: Arc<dyn CryptoProvider>, lifetime_secs: u32) -> Self {
        Self {
            provider,
            lifetime_secs: lifetime_secs.max(1),
            keys: Locked::new::<M>(TicketKeys {
                current: None,
                previous: None,
            }),
        }
    }

    fn new_key(&self, now: u64) -> Option<TicketKey> {
        let aead = self.provider.aead(AeadAlgorithm::Aes256Gcm)?;
        let mut secret = [0u8; 32];
        let mut name = [0u8; TICKET_KEY_NAME_LEN];
        self.provider.fill_random(&mut secret).ok()?;
        self.provider.fill_random(&mut name).ok()?;
        let key = aead.with_key(&secret).ok();
        secret.zeroize();
        Some(TicketKey {
            name,
            key: key?,
            created_at: now,
        })
    }

    /// Rotates the keys as time `now` demands.
    fn rotate(&self, keys: &mut TicketKeys, now: u64) {
        let life = u64::from(self.lifetime_secs);
        if keys
            .previous
            .as_ref()
            .is_some_and(|k| now.saturating_sub(k.created_at) >= 2 * life)
        {
            keys.previous = None;
        }
        if keys
            .current
            .as_ref()
            .is_none_or(|k| now.saturating_sub(k.created_at) >= life)
        {
            if let Some(fresh) = self.new_key(now) {
                keys.previous = keys.current.replace(fresh);
            }
        }
    }
}

impl fmt::Debug for AeadTicketer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AeadTicketer")
            .field("lifetime_secs", &self.lifetime_secs)
            .finish_non_exhaustive()
    }
}

impl TicketEncrypter for AeadTicketer {
    fn encrypt(&self, plain: &[u8], now: UnixTime) -> Option<Vec<u8>> {
        let now = now.as_secs();
        let mut nonce = [0u8; AeadAlgorithm::NONCE_LEN];
        self.provider.fill_random(&mut nonce).ok()?;
        self.keys
            .with(|keys| {
                self.rotate(keys, now);
                let k = keys.current.as_ref()?;
                // Wiped if sealing fails while it still holds the plaintext.
                let mut out =
                    Zeroizing::new(Vec::with_capacity(TICKET_HEADER_LEN + plain.len() + 16));
                out.extend_from_slice(&k.name);
                out.extend_from_slice(&nonce);
                out.extend_from_slice(plain);
                let tag = k
                    .key
                    .seal_in_place(&nonce, &k.name, &mut out[TICKET_HEADER_LEN..])
                    .ok()?;
                out.extend_from_slice(&tag);
                Some(core::mem::take(&mut *out))
            })
            .flatten()
    }

    fn decrypt(&self, ticket: &[u8], now: UnixTime) -> Option<Vec<u8>> {
        let now = now.as_secs();
        let name = ticket.get(..TICKET_KEY_NAME_LEN)?;
        let nonce: [u8; AeadAlgorithm::NONCE_LEN] = ticket
            .get(TICKET_KEY_NAME_LEN..TICKET_HEADER_LEN)?
            .try_into()
            .ok()?;
        // Holds the plaintext once opened: wiped unless handed to the caller.
        let mut body = Zeroizing::new(ticket.get(TICKET_HEADER_LEN..)?.to_vec());
        self.keys
            .with(|keys| {
                self.rotate(keys, now);
                let k = [&keys.current, &keys.previous]
                    .into_iter()
                    .flatten()
                    .find(|k| k.name == name)?;
                let n = k.key.open_in_place(&nonce, name, &mut body).ok()?;
                body.truncate(n);
                Some(core::mem::take(&mut *body))
            })
            .flatten()
    }

    fn lifetime_secs(&self) -> u32 {
        self.lifetime_secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ring::RingProvider;
    use alloc::vec;
    use core::time::Duration;

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    fn server_session() -> ServerSession {
        ServerSession {
            suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            master_secret: [7; 48],
            extended_master_secret: true,
            created_at: 1_700_000_000,
            server_name: Some(String::from("example.com")),
            client_certificates: vec![CertificateDer::from(vec![1, 2, 3])],
            psk_identity: None,
        }
    }

    /// A session keeps its HMAC key for the provider that bound it only: another provider
    /// (even of the same type) sets its own up.
    #[test]
    fn master_key_cache_is_for_its_provider() {
        use crate::crypto::HashAlgorithm;
        let provider: Arc<dyn CryptoProvider> = Arc::new(RingProvider);
        let other: Arc<dyn CryptoProvider> = Arc::new(RingProvider);
        let key: Arc<dyn HmacKey> =
            Arc::from(RingProvider.hmac(HashAlgorithm::Sha256).with_key(b"k"));
        let cache = MasterKeyCache::new(&provider, key);
        let found = cache.for_provider(&provider).expect("its own provider");
        let direct = RingProvider.hmac(HashAlgorithm::Sha256).with_key(b"k");
        assert_eq!(found.sign(&[b"m"]), direct.sign(&[b"m"]));
        assert!(cache.for_provider(&other).is_none());
    }

    #[test]
    fn server_session_name_borrowed_or_owned() {
        let s = server_session();
        let bytes = s.encode().unwrap();
        let (mut borrowed, name) = ServerSession::decode_borrowing_name(&bytes).unwrap();
        assert_eq!(name, b"example.com");
        assert_eq!(borrowed.server_name, None);
        borrowed.server_name = Some(String::from("example.com"));
        assert_eq!(borrowed, s);
        let mut unnamed = server_session();
        unnamed.server_name = None;
        let bytes = unnamed.encode().unwrap();
        assert_eq!(ServerSession::decode_borrowing_name(&bytes).unwrap().1, b"");
        assert_eq!(ServerSession::decode(&bytes).unwrap(), unnamed);
        // A name that is not UTF-8 is refused by decode only.
        let mut bad = server_session().encode().unwrap();
        // version, suite, ems, master secret, created_at, the name's length: then the name.
        let at = 1 + 2 + 1 + MASTER_SECRET_LEN + 8 + 1;
        assert_eq!(bad[at], b'e');
        bad[at] = 0xff;
        assert!(ServerSession::decode(&bad).is_err());
        assert_eq!(
            ServerSession::decode_borrowing_name(&bad).unwrap().1[0],
            0xff
        );
    }

    #[test]
    fn server_session_roundtrips_and_rejects_garbage() {
        let s = server_session();
        let bytes = s.encode().unwrap();
        assert_eq!(ServerSession::decode(&bytes).unwrap(), s);
        for n in 0..bytes.len() {
            assert!(ServerSession::decode(&bytes[..n]).is_err(), "prefix {n}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(ServerSession::decode(&long).is_err());
        let mut bad = bytes;
        bad[0] = 2;
        assert!(ServerSession::decode(&bad).is_err());
        bad[0] = 3;
        assert!(ServerSession::decode(&bad).is_err());

        // A PSK session keeps its identity, even an empty one.
        for id in [&b"sensor-7"[..], b""] {
            let mut s = server_session();
            s.psk_identity = Some(id.to_vec());
            let bytes = s.encode().unwrap();
            assert_eq!(bytes[0], 2);
            let back = ServerSession::decode(&bytes).unwrap();
            assert_eq!(back.psk_identity(), Some(id));
            assert_eq!(back, s);
            for n in 0..bytes.len() {
                assert!(ServerSession::decode(&bytes[..n]).is_err(), "prefix {n}");
            }
        }
        let mut s = server_session();
        s.psk_identity = Some(vec![0; 0x10000]);
        assert!(
            s.encode().is_err(),
            "an identity over 65535 bytes does not encode"
        );
    }

    #[test]
    fn ticketer_roundtrips_rotates_and_rejects_tampering() {
        let t = AeadTicketer::new(Arc::new(RingProvider), 100);
        let ticket = t.encrypt(b"state", at(1000)).unwrap();
        assert_eq!(ticket.len(), TICKET_HEADER_LEN + 5 + 16);
        assert_eq!(t.decrypt(&ticket, at(1050)).unwrap(), b"state");
        for i in 0..ticket.len() {
            let mut bad = ticket.clone();
            bad[i] ^= 1;
            assert_eq!(t.decrypt(&bad, at(1050)), None, "byte {i}");
        }
        assert_eq!(t.decrypt(&ticket[..20], at(1050)), None);
        // After one lifetime the key is rotated out of sealing but still opens.
        let newer = t.encrypt(b"newer", at(1150)).unwrap();
        assert_ne!(newer[..16], ticket[..16]);
        assert_eq!(t.decrypt(&ticket, at(1150)).unwrap(), b"state");
        // After two lifetimes the old key is gone.
        assert_eq!(t.decrypt(&ticket, at(1201)), None);
        assert_eq!(t.decrypt(&newer, at(1201)).unwrap(), b"newer");
        // Another ticketer's tickets are not ours.
        let other = AeadTicketer::new(Arc::new(RingProvider), 100);
        assert_eq!(other.decrypt(&newer, at(1201)), None);
    }

    #[test]
    fn lru_cache_is_bounded_and_keeps_recently_used() {
        let c = LruSessionCache::new(2);
        c.put(b"a", vec![1]);
        c.put(b"b", vec![2]);
        assert_eq!(c.get(b"a"), Some(vec![1]));
        c.put(b"c", vec![3]);
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(b"b"), None, "least recently used is dropped");
        assert_eq!(c.get(b"a"), Some(vec![1]));
        assert_eq!(c.get(b"c"), Some(vec![3]));
        c.put(b"c", vec![4]);
        assert_eq!(c.get(b"c"), Some(vec![4]));
        assert_eq!(c.len(), 2);
    }

    /// Every shared store takes a caller's lock; one that declines to run (a try-lock that
    /// finds it taken, say) makes the store miss rather than block or panic.
    #[test]
    fn stores_with_a_declining_lock_miss() {
        use crate::sync::tests::Declining;
        let c = LruSessionCache::with_lock::<Declining>(4, 4096);
        c.put(b"a", vec![1]);
        assert_eq!(c.get(b"a"), None);
        assert_eq!((c.len(), c.stored_bytes()), (0, 0));

        let s = InMemoryClientSessionStore::with_lock::<Declining>(4, 4096);
        s.put("example.com", session_with_ticket(10));
        assert!(s.get("example.com").is_none());
        s.remove("example.com");
        assert_eq!((s.len(), s.stored_bytes()), (0, 0));

        let t = AeadTicketer::with_lock::<Declining>(Arc::new(RingProvider), 100);
        assert_eq!(t.encrypt(b"state", at(1000)), None);
        let real = AeadTicketer::new(Arc::new(RingProvider), 100);
        let ticket = real.encrypt(b"state", at(1000)).unwrap();
        assert_eq!(t.decrypt(&ticket, at(1000)), None);
    }

    /// The same stores behind a lock the caller made work like the default ones.
    #[test]
    fn stores_with_a_caller_lock_work() {
        use crate::sync::StdLock;
        let c = LruSessionCache::with_lock::<StdLock>(1, 4096);
        c.put(b"a", vec![1]);
        c.put(b"b", vec![2]);
        assert_eq!((c.get(b"a"), c.get(b"b")), (None, Some(vec![2])));
        let t = AeadTicketer::with_lock::<StdLock>(Arc::new(RingProvider), 100);
        let ticket = t.encrypt(b"state", at(1000)).unwrap();
        assert_eq!(t.decrypt(&ticket, at(1000)).unwrap(), b"state");
    }

    fn config() -> ClientConfig {
        let sv = RingProvider.signature_verification();
        ClientConfig::new(
            Arc::new(RingProvider),
            Arc::new(crate::verify::danger::NoServerVerification::new(*sv)),
        )
    }

    #[derive(Debug)]
    struct NoKey;

    impl SigningKey for NoKey {
        fn kind(&self) -> crate::crypto::KeyKind {
            crate::crypto::KeyKind::Ecdsa
        }
        fn choose_scheme(
            &self,
            _: &[crate::codec::enums::SignatureScheme],
        ) -> Option<crate::codec::enums::SignatureScheme> {
            None
        }
        fn sign(
            &self,
            _: crate::codec::enums::SignatureScheme,
            _: &[u8],
        ) -> Result<Vec<u8>, crate::Error> {
            Err(crate::Error::internal("no key"))
        }
    }

    fn origin() -> SessionOrigin {
        SessionOrigin::of(&config())
    }

    fn session_with_ticket(len: usize) -> ClientSession {
        ClientSession {
            suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            master_secret: [1; 48],
            extended_master_secret: true,
            session_id: SessionId::EMPTY,
            ticket: vec![1; len],
            lifetime_secs: 0,
            received_at: 0,
            peer_certificates: vec![CertificateDer::from(vec![2; 1000])],
            psk_identity: None,
            origin: origin(),
            master_key: None,
        }
    }

    #[test]
    fn client_store_is_bounded_in_bytes() {
        let s = InMemoryClientSessionStore::with_limits(100, 10_000);
        let one = session_with_ticket(3000).stored_len();
        assert_eq!(one, SESSION_OVERHEAD + 3000 + 1000);
        s.put("a", session_with_ticket(3000));
        s.put("b", session_with_ticket(3000));
        assert_eq!(s.len(), 2);
        assert_eq!(s.stored_bytes(), 2 * (one + 1));
        // A third would exceed 10,000 bytes: the oldest name goes.
        s.put("c", session_with_ticket(3000));
        assert_eq!(s.len(), 2);
        assert!(s.get("a").is_none());
        assert!(s.stored_bytes() <= 10_000);
        // A session larger than the whole budget is not stored, and replaces nothing but
        // the name's own entry.
        s.put("b", session_with_ticket(20_000));
        assert!(s.get("b").is_none());
        assert!(s.get("c").is_some());
    }

    #[test]
    fn sessions_match_only_the_configuration_that_made_them() {
        let a = config();
        let mut s = session_with_ticket(1);
        s.origin = SessionOrigin::of(&a);
        assert!(s.compatible_with(&a));
        assert!(s.compatible_with(&a.clone()), "a clone shares the verifier");
        // Another verifier, even of the same kind and settings, is another origin.
        assert!(!s.compatible_with(&config()));
        let mut with_cert = a.clone();
        let key =
            crate::config::CertifiedKey::new(vec![CertificateDer::from(vec![1])], Arc::new(NoKey))
                .unwrap();
        with_cert.client_cert = Some(key);
        assert!(!s.compatible_with(&with_cert));
        let mut s2 = session_with_ticket(1);
        s2.origin = SessionOrigin::of(&with_cert);
        assert!(s2.compatible_with(&with_cert.clone()));
        assert!(!s2.compatible_with(&a));
    }

    #[test]
    fn lru_cache_is_bounded_in_bytes() {
        let c = LruSessionCache::with_limits(100, 1000);
        c.put(b"a", vec![1; 400]);
        c.put(b"b", vec![2; 400]);
        assert_eq!(c.stored_bytes(), 802);
        assert_eq!(c.get(b"a").map(|v| v.len()), Some(400));
        // b is now least recently used and goes to make room.
        c.put(b"c", vec![3; 400]);
        assert_eq!(c.get(b"b"), None);
        assert_eq!(c.len(), 2);
        assert!(c.stored_bytes() <= 1000);
        // Too big for the whole cache: not stored, nothing evicted.
        c.put(b"d", vec![4; 1000]);
        assert_eq!(c.get(b"d"), None);
        assert_eq!(c.len(), 2);
        // Replacing an entry accounts for the old value.
        c.put(b"a", vec![5; 10]);
        assert_eq!(c.stored_bytes(), 1 + 10 + 1 + 400);
        assert_eq!(
            LruSessionCache::new(2).max_bytes,
            2 * DEFAULT_CACHE_BYTES_PER_SESSION
        );
    }

    #[test]
    fn server_session_with_an_over_long_name_is_an_error_not_a_panic() {
        let mut s = server_session();
        s.server_name = Some("a".repeat(256));
        assert_eq!(s.encode(), Err(EncodeError::new(256, 255)));
        s.server_name = Some("a".repeat(255));
        assert!(s.encode().is_ok());
    }

    #[test]
    fn client_store_is_bounded_per_name() {
        let s = InMemoryClientSessionStore::new(2);
        let mk = |b: u8| ClientSession {
            suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            master_secret: [b; 48],
            extended_master_secret: true,
            session_id: SessionId::EMPTY,
            ticket: vec![b],
            lifetime_secs: 0,
            received_at: 0,
            peer_certificates: vec![],
            psk_identity: None,
            origin: origin(),
            master_key: None,
        };
        s.put("a", mk(1));
        s.put("b", mk(2));
        s.put("a", mk(3));
        assert_eq!(s.len(), 2);
        assert_eq!(s.get("a").unwrap().ticket, vec![3]);
        s.put("c", mk(4));
        assert!(s.get("b").is_none());
        s.remove("a");
        assert!(s.get("a").is_none());
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn client_session_freshness() {
        let mut s = ClientSession {
            suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            master_secret: [0; 48],
            extended_master_secret: true,
            session_id: SessionId::EMPTY,
            ticket: vec![],
            lifetime_secs: 300,
            received_at: 1000,
            peer_certificates: vec![],
            psk_identity: None,
            origin: origin(),
            master_key: None,
        };
        assert!(s.is_fresh(at(1299)));
        assert!(!s.is_fresh(at(1300)));
        assert!(
            !s.is_fresh(at(999)),
            "a session from the future is not offered"
        );
        s.lifetime_secs = 0;
        assert!(s.is_fresh(at(1000 + 86_399)));
        assert!(!s.is_fresh(at(1000 + 86_400)));
    }
}
