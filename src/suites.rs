//! The cipher suites this crate implements: AEAD only; ECDHE, RSA or pre-shared-key (PSK)
//! key exchange.

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
    /// A pre-shared key alone (RFC 4279 section 2): no certificate, no forward secrecy.
    Psk,
    /// Ephemeral ECDH mixed with a pre-shared key (RFC 5489): no certificate, and the
    /// ephemeral key is not signed (the PSK authenticates it through the Finished messages).
    EcdhePsk,
}

impl KeyExchange {
    /// Whether the key exchange uses a pre-shared key (and no certificate).
    pub const fn uses_psk(self) -> bool {
        matches!(self, KeyExchange::Psk | KeyExchange::EcdhePsk)
    }

    /// Whether the key exchange uses an ephemeral ECDH key (and so a named group).
    pub const fn uses_ecdhe(self) -> bool {
        matches!(self, KeyExchange::Ecdhe | KeyExchange::EcdhePsk)
    }
}

/// One implemented TLS 1.2 cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SupportedSuite {
    /// The code point.
    pub suite: CipherSuite,
    /// Key exchange.
    pub kx: KeyExchange,
    /// The certificate key type the suite requires (`None` for the PSK suites, which use
    /// no certificate).
    pub auth: Option<KeyKind>,
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

    /// Whether the suite offers forward secrecy (ECDHE or ECDHE_PSK).
    pub const fn forward_secret(&self) -> bool {
        self.kx.uses_ecdhe()
    }
}

macro_rules! suite {
    ($name:ident, $kx:ident, $auth:ident, $aead:ident, $hash:ident) => {
        SupportedSuite {
            suite: CipherSuite::$name,
            kx: KeyExchange::$kx,
            auth: Some(KeyKind::$auth),
            aead: AeadAlgorithm::$aead,
            hash: HashAlgorithm::$hash,
        }
    };
    ($name:ident, $kx:ident, $aead:ident, $hash:ident) => {
        SupportedSuite {
            suite: CipherSuite::$name,
            kx: KeyExchange::$kx,
            auth: None,
            aead: AeadAlgorithm::$aead,
            hash: HashAlgorithm::$hash,
        }
    };
}

/// Every implemented suite, in default preference order: ECDHE with ECDSA first (faster,
/// smaller), then ECDHE with RSA, AES-GCM before ChaCha20 (hardware AES), the CCM_8 suite
/// with its 8-byte tags after them, RSA key exchange next; the PSK suites last (ECDHE_PSK
/// first, then PSK alone).
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
    // RFC 7251; mandatory in the RFC 7925 certificate profile.
    suite!(
        TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
        Ecdhe,
        Ecdsa,
        Aes128Ccm8,
        Sha256
    ),
    suite!(TLS_RSA_WITH_AES_128_GCM_SHA256, Rsa, Rsa, Aes128Gcm, Sha256),
    suite!(TLS_RSA_WITH_AES_256_GCM_SHA384, Rsa, Rsa, Aes256Gcm, Sha384),
    // RFC 8442.
    suite!(
        TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
        EcdhePsk,
        Aes128Gcm,
        Sha256
    ),
    // RFC 7905.
    suite!(
        TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        EcdhePsk,
        ChaCha20Poly1305,
        Sha256
    ),
    // RFC 5487.
    suite!(TLS_PSK_WITH_AES_128_GCM_SHA256, Psk, Aes128Gcm, Sha256),
    suite!(TLS_PSK_WITH_AES_256_GCM_SHA384, Psk, Aes256Gcm, Sha384),
    // RFC 7905.
    suite!(
        TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
        Psk,
        ChaCha20Poly1305,
        Sha256
    ),
    // RFC 6655; mandatory in the RFC 7925 PSK profile.
    suite!(TLS_PSK_WITH_AES_128_CCM_8, Psk, Aes128Ccm8, Sha256),
];

/// The suites enabled by default: the six certificate ECDHE suites with 16-byte tags. RSA
/// key exchange has no forward secrecy, the CCM_8 suites have 8-byte tags (OpenSSL leaves
/// them out of its defaults too), and the PSK suites need a key: each is enabled explicitly
/// (see [`default_psk_suites`] and `ClientConfig::enable_psk`).
pub fn default_suites() -> impl Iterator<Item = &'static SupportedSuite> {
    ALL_SUITES
        .iter()
        .filter(|s| s.kx == KeyExchange::Ecdhe && s.aead.tag_len() == AeadAlgorithm::TAG_LEN)
}

/// The PSK suites a PSK enables by default (`ClientConfig::enable_psk`,
/// `ServerConfig::enable_psk`): the two ECDHE_PSK ones (forward secret) first, then the
/// three with the PSK alone. TLS_PSK_WITH_AES_128_CCM_8 (8-byte tags) must be named
/// explicitly, as in OpenSSL.
pub fn default_psk_suites() -> impl Iterator<Item = &'static SupportedSuite> {
    ALL_SUITES
        .iter()
        .filter(|s| s.kx.uses_psk() && s.aead.tag_len() == AeadAlgorithm::TAG_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_hold_no_psk_and_no_short_tags() {
        let names: alloc::vec::Vec<_> = default_suites().map(|s| s.suite).collect();
        assert_eq!(names.len(), 6);
        assert!(default_suites().all(|s| s.auth.is_some() && s.forward_secret()));
        let psk: alloc::vec::Vec<_> = default_psk_suites().map(|s| s.suite).collect();
        assert_eq!(
            psk,
            [
                CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
                CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
                CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
                CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384,
                CipherSuite::TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
            ]
        );
        // Every PSK suite, and only those, has no certificate.
        for s in ALL_SUITES {
            assert_eq!(s.kx.uses_psk(), s.auth.is_none(), "{:?}", s.suite);
        }
        assert_eq!(ALL_SUITES.len(), 15);
    }
}
