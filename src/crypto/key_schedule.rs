//! The TLS 1.2 key schedule: master secret, key block, Finished and exporters.
//!
//! - Master secret (RFC 5246 section 8.1):
//!   `PRF(pre_master, "master secret", client_random + server_random)[0..48]`, or with the
//!   extended master secret extension (RFC 7627 section 4):
//!   `PRF(pre_master, "extended master secret", session_hash)[0..48]`.
//! - Key block (RFC 5246 section 6.3):
//!   `PRF(master, "key expansion", server_random + client_random)`, split into client MAC key,
//!   server MAC key, client write key, server write key, client IV, server IV. AEAD suites
//!   have no MAC keys and take `fixed_iv_length` bytes of IV (RFC 5288, RFC 7905).
//! - Finished (RFC 5246 section 7.4.9):
//!   `PRF(master, finished_label, Hash(handshake_messages))[0..12]`.
//! - Exporters (RFC 5705):
//!   `PRF(master, label, client_random + server_random [+ context_length + context])`.
//!
//! Every function takes the suite's PRF HMAC (`provider.hmac(suite.hash)`).

use core::fmt;

use zeroize::Zeroize;

use alloc::boxed::Box;

use crate::crypto::keylog::CLIENT_RANDOM;
use crate::crypto::prf::{prf, prf_keyed, prf_parts};
use crate::crypto::{AeadAlgorithm, Hmac, HmacKey, KeyLog};
use crate::error::Error;

/// Length of a master secret.
pub const MASTER_SECRET_LEN: usize = 48;
/// Length of `verify_data` in a Finished message (all suites of this crate).
pub const VERIFY_DATA_LEN: usize = 12;
/// Length of the client and server randoms.
pub const RANDOM_LEN: usize = 32;

/// Finished label of the client (RFC 5246 section 7.4.9).
pub const CLIENT_FINISHED: &[u8] = b"client finished";
/// Finished label of the server (RFC 5246 section 7.4.9).
pub const SERVER_FINISHED: &[u8] = b"server finished";

const MASTER_SECRET_LABEL: &[u8] = b"master secret";
const EXTENDED_MASTER_SECRET_LABEL: &[u8] = b"extended master secret";
const KEY_EXPANSION_LABEL: &[u8] = b"key expansion";

/// The 48-byte master secret. Zeroed on drop; `Debug` does not show it.
#[derive(Clone)]
pub struct MasterSecret([u8; MASTER_SECRET_LEN]);

impl MasterSecret {
    /// Wraps a master secret (for example one restored from a session cache or ticket).
    pub const fn from_bytes(bytes: [u8; MASTER_SECRET_LEN]) -> Self {
        Self(bytes)
    }

    /// The secret bytes (for the key log, session storage).
    pub const fn as_bytes(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.0
    }

    /// Logs this master secret under [`CLIENT_RANDOM`], if `log` wants it.
    pub fn log(&self, log: &dyn KeyLog, client_random: &[u8; RANDOM_LEN]) {
        if log.will_log(CLIENT_RANDOM) {
            log.log(CLIENT_RANDOM, client_random, &self.0);
        }
    }

    /// The classic master secret:
    /// `PRF(pre_master, "master secret", client_random + server_random)[0..48]`.
    pub fn derive(
        hmac: &dyn Hmac,
        pre_master: &[u8],
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
    ) -> Self {
        let mut out = Self([0; MASTER_SECRET_LEN]);
        prf_parts(
            hmac,
            pre_master,
            MASTER_SECRET_LABEL,
            &[client_random, server_random],
            &mut out.0,
        );
        out
    }

    /// The extended master secret (RFC 7627):
    /// `PRF(pre_master, "extended master secret", session_hash)[0..48]`, where
    /// `session_hash` is the transcript hash up to and including the ClientKeyExchange.
    pub fn derive_extended(hmac: &dyn Hmac, pre_master: &[u8], session_hash: &[u8]) -> Self {
        let mut out = Self([0; MASTER_SECRET_LEN]);
        prf(
            hmac,
            pre_master,
            EXTENDED_MASTER_SECRET_LABEL,
            session_hash,
            &mut out.0,
        );
        out
    }

    /// `verify_data` for a Finished message:
    /// `PRF(master, label, handshake_hash)[0..12]`, with `label` [`CLIENT_FINISHED`] or
    /// [`SERVER_FINISHED`] and `handshake_hash` the transcript hash of every handshake message
    /// before this Finished (not counting HelloRequest).
    pub fn verify_data(
        &self,
        hmac: &dyn Hmac,
        label: &[u8],
        handshake_hash: &[u8],
    ) -> [u8; VERIFY_DATA_LEN] {
        verify_data_keyed(&*self.hmac_key(hmac), label, handshake_hash)
    }

    /// This secret bound to an HMAC key, for [`verify_data_keyed`] and
    /// [`key_block_keyed`]: a handshake derives three values from the master secret, and
    /// this sets the key up once for them.
    pub fn hmac_key(&self, hmac: &dyn Hmac) -> Box<dyn HmacKey> {
        hmac.with_key(&self.0)
    }

    /// The key block for the given layout:
    /// `PRF(master, "key expansion", server_random + client_random)`.
    ///
    /// Fails with an internal error if the layout is longer than [`MAX_KEY_BLOCK_LEN`].
    pub fn key_block(
        &self,
        hmac: &dyn Hmac,
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
        layout: KeyBlockLayout,
    ) -> Result<KeyBlock, Error> {
        key_block_keyed(&*self.hmac_key(hmac), client_random, server_random, layout)
    }

    /// Keying material exporter (RFC 5705): fills `out` with
    /// `PRF(master, label, client_random + server_random [+ context_length + context])`.
    ///
    /// `context: None` (no context) and `Some(&[])` (an empty context) give different
    /// outputs, as the RFC requires. Fails with [`Error::Api`] if the context is longer than
    /// 65535 bytes or the label is one TLS itself uses (`client finished`,
    /// `server finished`, `master secret`, `extended master secret`, `key expansion`).
    pub fn export_keying_material(
        &self,
        hmac: &dyn Hmac,
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        const RESERVED: [&[u8]; 5] = [
            CLIENT_FINISHED,
            SERVER_FINISHED,
            MASTER_SECRET_LABEL,
            EXTENDED_MASTER_SECRET_LABEL,
            KEY_EXPANSION_LABEL,
        ];
        if RESERVED.contains(&label) {
            return Err(Error::Api("exporter label is reserved by TLS"));
        }
        match context {
            None => prf_parts(hmac, &self.0, label, &[client_random, server_random], out),
            Some(ctx) => {
                let len = u16::try_from(ctx.len())
                    .map_err(|_| Error::Api("exporter context longer than 65535 bytes"))?;
                prf_parts(
                    hmac,
                    &self.0,
                    label,
                    &[client_random, server_random, &len.to_be_bytes(), ctx],
                    out,
                );
            }
        }
        Ok(())
    }
}

impl Drop for MasterSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(..)")
    }
}

/// [`MasterSecret::verify_data`] with the master secret already bound to `master_key`
/// ([`MasterSecret::hmac_key`]).
pub fn verify_data_keyed(
    master_key: &dyn HmacKey,
    label: &[u8],
    handshake_hash: &[u8],
) -> [u8; VERIFY_DATA_LEN] {
    let mut out = [0; VERIFY_DATA_LEN];
    prf_keyed(master_key, label, &[handshake_hash], &mut out);
    out
}

/// [`MasterSecret::key_block`] with the master secret already bound to `master_key`
/// ([`MasterSecret::hmac_key`]).
pub fn key_block_keyed(
    master_key: &dyn HmacKey,
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
    layout: KeyBlockLayout,
) -> Result<KeyBlock, Error> {
    let total = layout.total_len();
    if total > MAX_KEY_BLOCK_LEN {
        return Err(Error::internal("key block layout too long"));
    }
    let mut block = KeyBlock {
        buf: [0; MAX_KEY_BLOCK_LEN],
        layout,
    };
    prf_keyed(
        master_key,
        KEY_EXPANSION_LABEL,
        &[server_random, client_random],
        &mut block.buf[..total],
    );
    Ok(block)
}

/// The longest key block [`KeyBlock`] holds: two 48-byte MAC keys, two 32-byte keys and two
/// 16-byte IVs (enough for any TLS 1.2 suite, AEAD or CBC).
pub const MAX_KEY_BLOCK_LEN: usize = 2 * (48 + 32 + 16);

/// How a key block is split: the lengths of each MAC key, write key and IV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyBlockLayout {
    /// MAC key length (0 for AEAD suites).
    pub mac_key_len: usize,
    /// Encryption key length.
    pub key_len: usize,
    /// IV length (`fixed_iv_length` for AEAD suites).
    pub iv_len: usize,
}

impl KeyBlockLayout {
    /// The layout for an AEAD suite: no MAC keys, the cipher's key, its fixed IV.
    pub const fn aead(alg: AeadAlgorithm) -> Self {
        Self {
            mac_key_len: 0,
            key_len: alg.key_len(),
            iv_len: alg.fixed_iv_len(),
        }
    }

    /// Total key block length.
    pub const fn total_len(&self) -> usize {
        2 * (self.mac_key_len + self.key_len + self.iv_len)
    }
}

/// A derived key block, split per [`KeyBlockLayout`]. Zeroed on drop; `Debug` hides it.
pub struct KeyBlock {
    buf: [u8; MAX_KEY_BLOCK_LEN],
    layout: KeyBlockLayout,
}

/// One direction's record keys, borrowed from a [`KeyBlock`].
#[derive(Clone, Copy)]
pub struct DirectionKeys<'a> {
    /// MAC key (empty for AEAD suites).
    pub mac_key: &'a [u8],
    /// Encryption key.
    pub key: &'a [u8],
    /// IV (the AEAD fixed IV / salt).
    pub iv: &'a [u8],
}

impl fmt::Debug for DirectionKeys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DirectionKeys(..)")
    }
}

impl KeyBlock {
    /// The layout this block was split with.
    pub const fn layout(&self) -> KeyBlockLayout {
        self.layout
    }

    fn part(&self, index: usize) -> &[u8] {
        let KeyBlockLayout {
            mac_key_len: m,
            key_len: k,
            iv_len: i,
        } = self.layout;
        // Order: client MAC, server MAC, client key, server key, client IV, server IV. The
        // total was checked against MAX_KEY_BLOCK_LEN when the block was derived.
        let (start, len) = match index {
            0 => (0, m),
            1 => (m, m),
            2 => (2 * m, k),
            3 => (2 * m + k, k),
            4 => (2 * m + 2 * k, i),
            _ => (2 * m + 2 * k + i, i),
        };
        &self.buf[start..start + len]
    }

    /// `client_write_MAC_key` (empty for AEAD suites).
    pub fn client_mac_key(&self) -> &[u8] {
        self.part(0)
    }

    /// `server_write_MAC_key` (empty for AEAD suites).
    pub fn server_mac_key(&self) -> &[u8] {
        self.part(1)
    }

    /// `client_write_key`.
    pub fn client_write_key(&self) -> &[u8] {
        self.part(2)
    }

    /// `server_write_key`.
    pub fn server_write_key(&self) -> &[u8] {
        self.part(3)
    }

    /// `client_write_IV`.
    pub fn client_write_iv(&self) -> &[u8] {
        self.part(4)
    }

    /// `server_write_IV`.
    pub fn server_write_iv(&self) -> &[u8] {
        self.part(5)
    }

    /// The keys protecting records the client sends.
    pub fn client(&self) -> DirectionKeys<'_> {
        DirectionKeys {
            mac_key: self.client_mac_key(),
            key: self.client_write_key(),
            iv: self.client_write_iv(),
        }
    }

    /// The keys protecting records the server sends.
    pub fn server(&self) -> DirectionKeys<'_> {
        DirectionKeys {
            mac_key: self.server_mac_key(),
            key: self.server_write_key(),
            iv: self.server_write_iv(),
        }
    }
}

impl Drop for KeyBlock {
    /// Wipes the derived part (the rest was never written): 40 bytes for AES-128-GCM
    /// rather than the whole buffer.
    fn drop(&mut self) {
        let used = self.layout.total_len().min(MAX_KEY_BLOCK_LEN);
        if let Some(derived) = self.buf.get_mut(..used) {
            derived.zeroize();
        }
    }
}

impl fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyBlock")
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use super::*;
    use crate::crypto::ring::RingProvider;
    use crate::crypto::{CryptoProvider, HashAlgorithm};

    #[test]
    fn debug_hides_secrets() {
        let ms = MasterSecret::from_bytes([0xab; 48]);
        assert_eq!(format!("{ms:?}"), "MasterSecret(..)");
        let hmac = RingProvider.hmac(HashAlgorithm::Sha256);
        let kb = ms
            .key_block(
                hmac,
                &[0; 32],
                &[1; 32],
                KeyBlockLayout::aead(AeadAlgorithm::Aes128Gcm),
            )
            .unwrap();
        let shown = format!("{kb:?} {:?}", kb.client());
        assert!(!shown.contains("ab"), "{shown}");
        assert!(shown.contains("key_len: 16"), "{shown}");
    }

    #[test]
    fn oversized_layout_is_refused() {
        let hmac = RingProvider.hmac(HashAlgorithm::Sha256);
        let layout = KeyBlockLayout {
            mac_key_len: 64,
            key_len: 32,
            iv_len: 16,
        };
        let ms = MasterSecret::from_bytes([0; 48]);
        assert!(ms.key_block(hmac, &[0; 32], &[0; 32], layout).is_err());
    }
}
