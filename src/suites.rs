//! The cipher suites this crate implements: AEAD only, ECDHE or RSA key exchange.

use crate::codec::enums::CipherSuite;
use crate::crypto::{AeadAlgorithm, HashAlgorithm, KeyKind};

/// How the pre-master secret is agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyExchange {
    /// Ephemeral elliptic-curve Diffie-Hellman (RFC 8422), signed by the certificate key.
    Ecdhe,
    /// RSA key transport: the client encrypts the pre-master to the certificate key.
    Rsa,
}

/// One implemented TLS 1.2 cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SupportedSuite {
    /// The code point.
    pub suite: CipherSuite,
    /// Key exchange.
    pub kx: KeyExchange,
    /// The certificate key type the suite requires.
    pub auth: KeyKind,
    /// Record protection.
    pub aead: AeadAlgorithm,
    /// The PRF hash (also the transcript hash).
    pub hash: HashAlgorithm,
}

impl SupportedSuite {
    /// Looks up an implemented suite by code point.
    pub fn find(suite: CipherSuite) -> Option<&'static SupportedSuite> {
        ALL_SUITES.iter().find(|s| s.suite == suite)
    }

    /// Whether the suite offers forward secrecy (ECDHE).
    pub const fn forward_secret(&self) -> bool {
        matches!(self.kx, KeyExchange::Ecdhe)
    }
}

macro_rules! suite {
    ($name:ident, $kx:ident, $auth:ident, $aead:ident, $hash:ident) => {
        SupportedSuite {
            suite: CipherSuite::$name,
            kx: KeyExchange::$kx,
            auth: KeyKind::$auth,
            aead: AeadAlgorithm::$aead,
            hash: HashAlgorithm::$hash,
        }
    };
}

/// Every implemented suite, in default preference order: ECDHE with ECDSA first (faster,
/// smaller), then ECDHE with RSA, AES-GCM before ChaCha20 (hardware AES), RSA key exchange
/// last.
pub static ALL_SUITES: &[SupportedSuite] = &[
    suite!(
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        Ecdhe,
        Ecdsa,
        Aes128Gcm,
        Sha256
    ),
    suite!(
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        Ecdhe,
        Ecdsa,
        Aes256Gcm,
        Sha384
    ),
    suite!(
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        Ecdhe,
        Ecdsa,
        ChaCha20Poly1305,
        Sha256
    ),
    suite!(
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        Ecdhe,
        Rsa,
        Aes128Gcm,
        Sha256
    ),
    suite!(
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        Ecdhe,
        Rsa,
        Aes256Gcm,
        Sha384
    ),
    suite!(
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        Ecdhe,
        Rsa,
        ChaCha20Poly1305,
        Sha256
    ),
    suite!(TLS_RSA_WITH_AES_128_GCM_SHA256, Rsa, Rsa, Aes128Gcm, Sha256),
    suite!(TLS_RSA_WITH_AES_256_GCM_SHA384, Rsa, Rsa, Aes256Gcm, Sha384),
];

/// The suites enabled by default: the six ECDHE suites (RSA key exchange has no forward
/// secrecy and must be enabled explicitly).
pub fn default_suites() -> impl Iterator<Item = &'static SupportedSuite> {
    ALL_SUITES.iter().filter(|s| s.forward_secret())
}
