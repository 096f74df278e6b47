//! Pre-shared keys (RFC 4279, RFC 5489): keys, identities, and how each side finds them.
//!
//! A client names its key with an *identity*, chosen after it sees the server's optional
//! *identity hint*; the server looks the identity up. Nothing else authenticates either
//! side: a wrong key shows as records the peer cannot decrypt (see below), not as a
//! certificate error.
//!
//! - The client: [`ResolvesClientPsk`] picks the identity and key from the hint; a [`Psk`]
//!   is the one-key case. Set it with `ClientConfig::enable_psk` (or
//!   `ClientConfig::new_psk` for a client with no certificate suites at all).
//! - The server: [`ResolvesServerPsk`] maps an identity to its key; a [`Psk`] serves one
//!   identity, a [`PskTable`] several. Set it with `ServerConfig::enable_psk` (or
//!   `ServerConfig::new_psk` for a server with no certificate), and the hint, if any, in
//!   `ServerConfig::psk_identity_hint`.
//!
//! Keys are wiped when dropped and compared in constant time. Identities are not secret:
//! they travel in clear in the ClientKeyExchange.
//!
//! # Failures
//!
//! - The server does not know the identity: it sends unknown_psk_identity (RFC 4279
//!   section 2).
//! - The keys differ: both sides derive different record keys, so the first encrypted
//!   record, the client's Finished, fails to decrypt at the server, which sends
//!   bad_record_mac (RFC 5246 section 7.2.2); the client sees that alert. (The
//!   decrypt_error of RFC 4279 section 2 is for a Finished that decrypts but does not
//!   verify, which AEAD suites cannot produce.) OpenSSL behaves the same.
//! - The client has no key for the server's hint: handshake_failure.
//! - An identity or hint from the peer over `CommonConfig::max_psk_identity_len` (128 bytes
//!   by default, what RFC 4279 section 5.3 asks every implementation to accept) is refused
//!   before anything else sees it: an identity with unknown_psk_identity (none of ours is
//!   that long), a hint with illegal_parameter.

use alloc::vec::Vec;
use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{CertificateError, Error};

/// The default of `CommonConfig::max_psk_identity_len`: 128 bytes, the identity length
/// every implementation must accept (RFC 4279 section 5.3).
pub const DEFAULT_MAX_PSK_IDENTITY_LEN: usize = 128;

/// The longest identity, hint or key the wire can carry (a two-byte length).
pub const MAX_PSK_LEN: usize = 0xffff;

/// A pre-shared key: 1 to 65,535 bytes (RFC 4279 section 5.3 asks for support of up to 64),
/// wiped on drop, compared in constant time, never printed.
#[derive(Clone)]
pub struct PskKey(Zeroizing<Vec<u8>>);

impl PskKey {
    /// The key `bytes`. Fails (a configuration error) if empty or over 65,535 bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, Error> {
        let bytes = Zeroizing::new(bytes.into());
        if bytes.is_empty() || bytes.len() > MAX_PSK_LEN {
            return Err(Error::Config("a PSK must be 1 to 65535 bytes"));
        }
        Ok(Self(bytes))
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl PartialEq for PskKey {
    /// Constant time in the contents (the lengths are not secret).
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.as_slice().ct_eq(other.0.as_slice()))
    }
}

impl Eq for PskKey {}

impl fmt::Debug for PskKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PskKey({} bytes)", self.0.len())
    }
}

/// A PSK identity or identity hint we send: 1 to 65,535 bytes (`opaque<0..2^16-1>` on the
/// wire; RFC 4279 section 5.1 suggests UTF-8 text).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PskIdentity(Vec<u8>);

impl PskIdentity {
    /// The identity `bytes`. Fails (a configuration error) if empty or over 65,535 bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, Error> {
        let bytes = bytes.into();
        if bytes.is_empty() || bytes.len() > MAX_PSK_LEN {
            return Err(Error::Config("a PSK identity must be 1 to 65535 bytes"));
        }
        Ok(Self(bytes))
    }

    /// The identity's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for PskIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PskIdentity({:?})", crate::msgs::trace::Hex(&self.0))
    }
}

/// An identity and its key.
///
/// ```
/// use tls12::psk::{Psk, ResolvesClientPsk, ResolvesServerPsk};
///
/// let psk = Psk::new(b"device-17".to_vec(), b"\x01\x02\x03\x04".to_vec())?;
/// // As a client's only key, whatever the hint ...
/// let chosen = ResolvesClientPsk::resolve(&psk, Some(b"gateway")).unwrap();
/// assert_eq!(chosen.identity().as_bytes(), b"device-17");
/// // ... and as a server's only identity.
/// assert!(ResolvesServerPsk::resolve(&psk, b"device-17").is_some());
/// assert!(ResolvesServerPsk::resolve(&psk, b"device-18").is_none());
/// # Ok::<(), tls12::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Psk {
    identity: PskIdentity,
    key: PskKey,
}

impl Psk {
    /// The key `key` named `identity` (each 1 to 65,535 bytes, else a configuration error).
    pub fn new(identity: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Result<Self, Error> {
        Ok(Self {
            identity: PskIdentity::new(identity)?,
            key: PskKey::new(key)?,
        })
    }

    /// Pairs an identity with a key.
    pub fn from_parts(identity: PskIdentity, key: PskKey) -> Self {
        Self { identity, key }
    }

    /// The identity.
    pub fn identity(&self) -> &PskIdentity {
        &self.identity
    }

    /// The key.
    pub fn key(&self) -> &PskKey {
        &self.key
    }
}

/// Chooses the client's PSK identity and key once the server has spoken.
pub trait ResolvesClientPsk: Send + Sync + fmt::Debug {
    /// The identity and key to use, given the server's identity hint (`None` when it sent
    /// none: no ServerKeyExchange, or an empty hint). `None` gives up the handshake
    /// (handshake_failure).
    fn resolve(&self, hint: Option<&[u8]>) -> Option<Psk>;
}

/// One key, whatever the hint.
impl ResolvesClientPsk for Psk {
    fn resolve(&self, _hint: Option<&[u8]>) -> Option<Psk> {
        Some(self.clone())
    }
}

/// Finds the key of a client's PSK identity.
pub trait ResolvesServerPsk: Send + Sync + fmt::Debug {
    /// The key for `identity` (at most `CommonConfig::max_psk_identity_len` bytes), or
    /// `None` if it is not known: the handshake then fails with unknown_psk_identity. It is
    /// also asked again when the client resumes a session made with `identity`, which
    /// resumes only if the identity is still known.
    fn resolve(&self, identity: &[u8]) -> Option<PskKey>;
}

/// One identity.
impl ResolvesServerPsk for Psk {
    fn resolve(&self, identity: &[u8]) -> Option<PskKey> {
        (self.identity.as_bytes() == identity).then(|| self.key.clone())
    }
}

/// A server's fixed set of identities and keys.
#[derive(Debug, Clone, Default)]
pub struct PskTable(Vec<Psk>);

impl PskTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `psk`, replacing an entry with the same identity.
    pub fn insert(&mut self, psk: Psk) {
        self.0.retain(|p| p.identity != psk.identity);
        self.0.push(psk);
    }

    /// How many identities the table holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Psk> for PskTable {
    fn from_iter<I: IntoIterator<Item = Psk>>(iter: I) -> Self {
        let mut t = Self::new();
        for p in iter {
            t.insert(p);
        }
        t
    }
}

impl ResolvesServerPsk for PskTable {
    fn resolve(&self, identity: &[u8]) -> Option<PskKey> {
        self.0
            .iter()
            .find(|p| p.identity.as_bytes() == identity)
            .map(|p| p.key.clone())
    }
}

/// The server certificate verifier of a PSK-only client (`ClientConfig::new_psk`): it
/// accepts no certificate and offers no signature scheme, so a server that answers with a
/// certificate suite anyway is refused.
#[derive(Debug)]
pub(crate) struct NoCertificates;

impl crate::verify::ServerCertVerifier for NoCertificates {
    fn verify_server_cert(
        &self,
        _: &pki_types::CertificateDer<'_>,
        _: &[pki_types::CertificateDer<'_>],
        _: &pki_types::ServerName<'_>,
        _: pki_types::UnixTime,
    ) -> Result<(), Error> {
        Err(Error::Certificate(CertificateError::UnknownIssuer))
    }

    fn verify_signature(
        &self,
        _: &[u8],
        _: &pki_types::CertificateDer<'_>,
        _: crate::codec::enums::SignatureScheme,
        _: &[u8],
    ) -> Result<(), Error> {
        Err(Error::Certificate(CertificateError::BadSignature))
    }

    fn supported_schemes(&self) -> Vec<crate::codec::enums::SignatureScheme> {
        Vec::new()
    }
}

/// The pre-master secret of a PSK key exchange (RFC 4279 section 2, RFC 5489 section 2):
/// `uint16 len(other) || other || uint16 len(psk) || psk`, where `other` is the ECDH shared
/// secret for ECDHE_PSK (`ecdh`), or as many zeros as the key is long for plain PSK.
pub(crate) fn pre_master(ecdh: Option<&[u8]>, psk: &PskKey) -> Result<Zeroizing<Vec<u8>>, Error> {
    let psk = psk.as_bytes();
    let other_len = ecdh.map_or(psk.len(), <[u8]>::len);
    let prefix = |n: usize| {
        u16::try_from(n)
            .map(u16::to_be_bytes)
            .map_err(|_| Error::internal("PSK pre-master part over 65535 bytes"))
    };
    let mut out = Zeroizing::new(Vec::with_capacity(4 + other_len + psk.len()));
    out.extend_from_slice(&prefix(other_len)?);
    match ecdh {
        Some(z) => out.extend_from_slice(z),
        None => out.resize(2 + other_len, 0),
    }
    out.extend_from_slice(&prefix(psk.len())?);
    out.extend_from_slice(psk);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn pre_master_layouts() {
        let key = PskKey::new(vec![0xaa, 0xbb, 0xcc]).unwrap();
        assert_eq!(
            pre_master(None, &key).unwrap().as_slice(),
            [0, 3, 0, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc]
        );
        assert_eq!(
            pre_master(Some(&[1, 2]), &key).unwrap().as_slice(),
            [0, 2, 1, 2, 0, 3, 0xaa, 0xbb, 0xcc]
        );
    }

    #[test]
    fn bounds_and_secrecy() {
        assert!(PskKey::new(Vec::new()).is_err());
        assert!(PskKey::new(vec![1; MAX_PSK_LEN + 1]).is_err());
        assert!(PskKey::new(vec![1; MAX_PSK_LEN]).is_ok());
        assert!(PskIdentity::new(Vec::new()).is_err());
        assert!(PskIdentity::new(vec![1; MAX_PSK_LEN + 1]).is_err());
        let key = PskKey::new(b"secret".to_vec()).unwrap();
        assert_eq!(alloc::format!("{key:?}"), "PskKey(6 bytes)");
        assert_eq!(key, PskKey::new(b"secret".to_vec()).unwrap());
        assert_ne!(key, PskKey::new(b"secreT".to_vec()).unwrap());
        assert_ne!(key, PskKey::new(b"secret!".to_vec()).unwrap());
    }

    #[test]
    fn table_resolves_by_identity() {
        let mut t: PskTable = [
            Psk::new(b"a".to_vec(), b"1".to_vec()).unwrap(),
            Psk::new(b"b".to_vec(), b"2".to_vec()).unwrap(),
        ]
        .into_iter()
        .collect();
        t.insert(Psk::new(b"a".to_vec(), b"3".to_vec()).unwrap());
        assert_eq!(t.len(), 2);
        assert_eq!(t.resolve(b"a").unwrap().as_bytes(), b"3");
        assert_eq!(t.resolve(b"b").unwrap().as_bytes(), b"2");
        assert!(t.resolve(b"c").is_none());
        assert!(t.resolve(b"").is_none());
    }
}
