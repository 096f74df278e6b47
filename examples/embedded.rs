//! The smallest configuration for a device, and what it costs: a client and a server of this
//! crate do a TLS_PSK_WITH_AES_128_CCM_8 handshake (a pre-shared key, no certificate
//! anywhere) with 512-byte records, then echo messages, everything through fixed buffers and
//! the heap counted throughout.
//!
//! ```text
//! cargo run --example embedded                          # the smallest configuration
//! cargo run --example embedded -- --all                 # every configuration, one table
//! cargo run --example embedded --features rustcrypto -- --rustcrypto
//! ```
//!
//! What makes it small ([`configs`]):
//!
//! - **A pre-shared key and CCM_8.** TLS_PSK_WITH_AES_128_CCM_8 (RFC 6655) is the PSK suite
//!   RFC 7925 makes mandatory: no certificate to hold, parse or verify, no signature, no
//!   Diffie-Hellman (and so no forward secrecy: see the README), and AES-128 in CCM mode
//!   with 8-byte tags (21 bytes per record on top of the plaintext). No session store,
//!   cache or ticketer: a PSK handshake does no public-key operation, so resuming would
//!   save a round trip but no computation, and each would hold memory.
//! - **512-byte records.** The client offers max_fragment_length 512 (RFC 6066: what RFC
//!   7925 profiles, and what OpenSSL and most TLS 1.2 servers implement) *and*
//!   record_size_limit 512 (RFC 8449, which supersedes it: each side states its own limit).
//!   A server that knows record_size_limit answers it and ignores max_fragment_length (RFC
//!   8449 section 5), as this crate's does; one that knows only max_fragment_length echoes
//!   it. Either way no record either side sends is longer than 533 bytes.
//!   `--max-fragment-length` or `--record-size-limit` offers one alone, `--full-records`
//!   neither. The server announces record_size_limit 512 too.
//! - **Small buffers from the start.** `limit_receive_buffer` sizes each side's receive
//!   buffer for 512-byte records when the connection is made (541 bytes, room for any
//!   cipher's nonce and tag, instead of 18 KiB),
//!   and `keep_buffers` allocates every buffer then and keeps it. After setup only the
//!   handshake allocates, within a bound, and the data exchange allocates nothing.
//! - **Fixed pipes.** The bytes travel through one small pipe per direction (one 1 KiB
//!   message's records) and two 1 KiB message buffers ([`Buffers`]), allocated once. The
//!   data exchange writes records with `write_into` straight into a pipe and reads them
//!   decrypted in place.
//!
//! The provider is `ring` by default; `--rustcrypto` (built with `--features rustcrypto`)
//! uses the pure-Rust `RustCryptoProvider`, for targets `ring` does not build for, with the
//! randomness the caller supplies (here the operating system's; on a device
//! `RustCryptoProvider::from_fn` reading the TRNG). CCM_8 is the same code under both
//! (`tls12::crypto::ccm`). For comparison, `--ecdsa` runs RFC 7925's certificate mode
//! instead of the PSK (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 over secp256r1, a P-256 chain,
//! the same records and buffers), and `--certificates` the configuration this example
//! showed before (ECDHE_RSA with an RSA-2048 chain, x25519, a session ticket, 16 KiB
//! records unless a record option is given).
//!
//! A counting global allocator (`heap` below) measures it all ([`measure`]); the example
//! prints what it measured, and `tests/embedded_memory.rs` asserts [`Profile::bounds`] and
//! the allocation-free data exchange. On a real device the pipes would be the radio's or the
//! UART's DMA buffers and the time a real clock; nothing else changes: the connection never
//! does IO.

use std::sync::Arc;
use std::time::Duration;

use tls12::config::FixedTime;
use tls12::crypto::CryptoProvider;
use tls12::crypto::ring::RingProvider;
#[cfg(feature = "rustcrypto")]
use tls12::crypto::rustcrypto::RustCryptoProvider;
use tls12::enums::{CipherSuite, MaxFragmentLength, NamedGroup};
use tls12::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tls12::psk::{Psk, PskTable};
use tls12::verify::{RootStore, WebPkiServerVerifier};
use tls12::{
    CertifiedKey, ClientConfig, ClientConnection, Connection, Error, HandshakeSummary, Output,
    ServerConfig, ServerConnection,
};

/// The record size the small configurations ask for, in bytes of plaintext.
pub const RECORD_LIMIT: u16 = 512;
/// What TLS_PSK_WITH_AES_128_CCM_8 adds to a record's plaintext: the 5-byte header, the
/// 8-byte explicit nonce and the 8-byte tag.
pub const CCM_8_OVERHEAD: usize = 5 + 8 + 8;
/// The longest record the PSK configuration sends with 512-byte records: 533 bytes.
pub const SMALL_CCM_8_RECORD: usize = RECORD_LIMIT as usize + CCM_8_OVERHEAD;
/// The longest application message exchanged.
pub const MESSAGE_LEN: usize = 1024;
/// A pipe with 512-byte records: one message's records, with room for AES-GCM's 16-byte
/// tags (the certificate configuration with a record option): 2 x 541 bytes.
pub const SMALL_PIPE_LEN: usize =
    MESSAGE_LEN.div_ceil(RECORD_LIMIT as usize) * (RECORD_LIMIT as usize + 5 + 8 + 16);
/// A pipe with 16 KiB records: the certificate configuration's server sends its
/// certificates (1.7 KB) in one record.
pub const PIPE_LEN: usize = 4096;

/// The identity and key the device was provisioned with (in flash, say).
pub const IDENTITY: &[u8] = b"sensor-17";
const KEY: [u8; 16] = *b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f";

/// Test PKI for the certificate configuration, compiled in (a device has no file system).
mod pki {
    pub const CA_ECDSA: &[u8] = include_bytes!("../tests/data/pki/ca-ecdsa.crt.der");
    pub const SERVER_P256: &[u8] = include_bytes!("../tests/data/pki/server-p256.crt.der");
    pub const SERVER_P256_KEY: &[u8] = include_bytes!("../tests/data/pki/server-p256.key.der");
    pub const CA_RSA: &[u8] = include_bytes!("../tests/data/pki/ca-rsa.crt.der");
    pub const SERVER_RSA: &[u8] = include_bytes!("../tests/data/pki/server-rsa.crt.der");
    pub const SERVER_RSA_KEY: &[u8] = include_bytes!("../tests/data/pki/server-rsa.key.der");
}

/// 2030-03-17, inside the test certificates' validity.
const NOW: u64 = 1_900_000_000;

/// A counting global allocator (the tests' and benches' own): current bytes, peak bytes,
/// allocation calls, for the calling thread.
#[path = "../tests/common/counting_alloc.rs"]
#[allow(dead_code)]
pub mod heap;

#[cfg(not(test))]
#[global_allocator]
static GLOBAL: heap::Counting = heap::Counting;

/// How the peers authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// TLS_PSK_WITH_AES_128_CCM_8 with [`IDENTITY`] and its key: no certificates.
    Psk,
    /// RFC 7925's certificate mode: TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 over secp256r1,
    /// the server with a P-256 chain signing with ecdsa_secp256r1_sha256, the client
    /// verifying it; no resumption, as with the PSK.
    EcdsaCcm8,
    /// The default ECDHE suites, the server with an RSA-2048 chain, the client verifying
    /// it; a session ticket issued and stored.
    Certificates,
}

/// How the client asks for 512-byte records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// Both extensions offered: record_size_limit where the server knows it, else
    /// max_fragment_length.
    Both,
    /// max_fragment_length 512 alone (RFC 6066; RFC 7925's choice; OpenSSL has it).
    MaxFragmentLength,
    /// record_size_limit 512 alone (RFC 8449; the peer must implement it).
    RecordSizeLimit,
    /// Neither: records of up to 16 KiB and 18 KiB receive buffers.
    Full,
}

/// The crypto provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// `tls12::crypto::ring::RingProvider`, the default.
    Ring,
    /// `tls12::crypto::rustcrypto::RustCryptoProvider` (feature `rustcrypto`): pure Rust,
    /// randomness from the caller.
    #[cfg(feature = "rustcrypto")]
    RustCrypto,
}

impl Provider {
    fn build(self) -> Arc<dyn CryptoProvider> {
        match self {
            Provider::Ring => Arc::new(RingProvider),
            // On a device: `RustCryptoProvider::from_fn(read_trng)`, or `with_rng` with the
            // device's generator behind its own lock (see `tls12::sync`).
            #[cfg(feature = "rustcrypto")]
            Provider::RustCrypto => Arc::new(RustCryptoProvider::from_os_rng()),
        }
    }
}

/// One configuration of both peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// How the peers authenticate.
    pub auth: Auth,
    /// How the client asks for small records.
    pub records: Records,
    /// The crypto provider (both peers).
    pub provider: Provider,
}

/// Upper bounds on what [`measure`] finds, asserted by `tests/embedded_memory.rs`: a little
/// above the figures `cargo run --example embedded -- --all` printed (see the README), so
/// that a change that costs memory shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Heap after setup: both configurations, both connections, the buffers.
    pub setup: usize,
    /// Heap peak during the handshake above the level after setup (both peers in one
    /// process).
    pub handshake_peak: usize,
    /// Heap the client connection holds after the handshake.
    pub client_held: usize,
    /// Heap the server connection holds after the handshake.
    pub server_held: usize,
}

impl Profile {
    /// PSK, CCM_8, 512-byte records (both extensions offered), ring.
    pub const SMALLEST: Profile = Profile {
        auth: Auth::Psk,
        records: Records::Both,
        provider: Provider::Ring,
    };

    /// The certificate configuration with 16 KiB records, ring: what this example showed
    /// before it had PSK and small records.
    pub const CERTIFICATES: Profile = Profile {
        auth: Auth::Certificates,
        records: Records::Full,
        provider: Provider::Ring,
    };

    /// The bounds `tests/embedded_memory.rs` asserts for this profile: the figures measured
    /// with ring (`--all`, the README's table) plus at least 512 bytes, rounded up to a
    /// KiB. With the `rsa-kx` feature (as `cargo test --all-features` builds) the server's
    /// RSA key is also loaded for RSA key transport: 3.5 KB more configuration, which the
    /// RSA configurations' setup bounds allow. RustCrypto's figures are within the bounds
    /// for the PSK and P-256 configurations; its RSA keys take more.
    pub fn bounds(&self) -> Bounds {
        const K: usize = 1024;
        let small = self.records != Records::Full;
        match (self.auth, small) {
            (Auth::Psk, true) => Bounds {
                setup: 9 * K,
                handshake_peak: 6 * K,
                client_held: 4 * K,
                server_held: 4 * K,
            },
            (Auth::Psk, false) => Bounds {
                setup: 50 * K,
                handshake_peak: 6 * K,
                client_held: 22 * K,
                server_held: 22 * K,
            },
            (Auth::EcdsaCcm8, true) => Bounds {
                setup: 10 * K,
                handshake_peak: 9 * K,
                client_held: 6 * K,
                server_held: 5 * K,
            },
            (Auth::EcdsaCcm8, false) => Bounds {
                setup: 51 * K,
                handshake_peak: 8 * K,
                client_held: 23 * K,
                server_held: 23 * K,
            },
            (Auth::Certificates, true) => Bounds {
                setup: 16 * K,
                handshake_peak: 18 * K,
                client_held: 8 * K,
                server_held: 7 * K,
            },
            (Auth::Certificates, false) => Bounds {
                setup: 56 * K,
                handshake_peak: 15 * K,
                client_held: 23 * K,
                server_held: 24 * K,
            },
        }
    }

    /// One line naming the configuration.
    pub fn describe(&self) -> String {
        let auth = match self.auth {
            Auth::Psk => "PSK, TLS_PSK_WITH_AES_128_CCM_8",
            Auth::EcdsaCcm8 => "certificates (P-256), TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
            Auth::Certificates => "certificates (RSA-2048), ECDHE_RSA, AES-GCM",
        };
        let records = match self.records {
            Records::Both => "512-byte records (max_fragment_length and record_size_limit)",
            Records::MaxFragmentLength => "max_fragment_length 512",
            Records::RecordSizeLimit => "record_size_limit 512",
            Records::Full => "16 KiB records",
        };
        let provider = match self.provider {
            Provider::Ring => "ring",
            #[cfg(feature = "rustcrypto")]
            Provider::RustCrypto => "RustCrypto",
        };
        format!("{auth}, {records}, {provider}")
    }

    /// The pipe length this profile's records need.
    fn pipe_len(&self) -> usize {
        match self.records {
            Records::Full => PIPE_LEN,
            _ => SMALL_PIPE_LEN,
        }
    }
}

/// Both configurations of `profile`, checked and shared.
pub fn configs(profile: Profile) -> Result<(Arc<ClientConfig>, Arc<ServerConfig>), Error> {
    let provider = profile.provider.build();
    let (mut client, mut server) = match profile.auth {
        Auth::Psk => psk_configs(provider)?,
        Auth::EcdsaCcm8 => ecdsa_ccm8_configs(provider)?,
        Auth::Certificates => certificate_configs(provider)?,
    };
    let time = Arc::new(FixedTime(UnixTime::since_unix_epoch(Duration::from_secs(
        NOW,
    ))));
    client.common.time = time.clone();
    server.common.time = time;
    // Every buffer is allocated when the connection is made, and kept.
    client.common.keep_buffers = true;
    server.common.keep_buffers = true;
    let (mfl, rsl) = match profile.records {
        Records::Both => (true, true),
        Records::MaxFragmentLength => (true, false),
        Records::RecordSizeLimit => (false, true),
        Records::Full => (false, false),
    };
    if mfl {
        client.max_fragment_length = Some(MaxFragmentLength::L512);
    }
    if rsl {
        client.common.record_size_limit = Some(RECORD_LIMIT);
    }
    if mfl || rsl {
        // The server's own limit: announced to a client that offers record_size_limit.
        // With `limit_receive_buffer` it also sizes the server's receive buffer from the
        // start; a client's max_fragment_length 512 keeps its records within it too.
        server.common.record_size_limit = Some(RECORD_LIMIT);
        client.common.limit_receive_buffer = true;
        server.common.limit_receive_buffer = true;
    }
    Ok((client.build()?, server.build()?))
}

/// The PSK configurations: one suite, one key, nothing else.
fn psk_configs(provider: Arc<dyn CryptoProvider>) -> Result<(ClientConfig, ServerConfig), Error> {
    let psk = Psk::new(IDENTITY.to_vec(), KEY.to_vec())?;
    let suite = [CipherSuite::TLS_PSK_WITH_AES_128_CCM_8];

    let mut client = ClientConfig::new_psk(provider.clone(), Arc::new(psk.clone()));
    client.common.set_suites(&suite)?;
    // No Diffie-Hellman, so no groups: the ClientHello carries no supported_groups.
    client.common.groups.clear();
    // No resumption: no store to hold sessions, no tickets asked for.
    client.session_store = None;
    client.enable_tickets = false;

    let keys: PskTable = [psk].into_iter().collect();
    let mut server = ServerConfig::new_psk(provider, Arc::new(keys));
    server.common.set_suites(&suite)?;
    server.common.groups.clear();
    server.session_cache = None;
    server.ticketer = None;
    Ok((client, server))
}

/// RFC 7925's certificate configurations: one suite, one group, a P-256 chain, no
/// resumption.
fn ecdsa_ccm8_configs(
    provider: Arc<dyn CryptoProvider>,
) -> Result<(ClientConfig, ServerConfig), Error> {
    let suite = [CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8];
    let ca = CertificateDer::from(pki::CA_ECDSA);
    let roots = Arc::new(RootStore::from_certs([&ca])?);
    let verifier = Arc::new(WebPkiServerVerifier::new(
        roots,
        *provider.signature_verification(),
    ));
    let mut client = ClientConfig::new(provider.clone(), verifier);
    client.common.set_suites(&suite)?;
    client.common.groups = vec![NamedGroup::SECP256R1];
    client.session_store = None;
    client.enable_tickets = false;

    let key = PrivateKeyDer::try_from(pki::SERVER_P256_KEY)
        .map_err(|_| Error::Config("the embedded key is not DER"))?;
    let key = provider.load_private_key(key)?;
    let chain = vec![CertificateDer::from(pki::SERVER_P256), ca];
    let mut server = ServerConfig::new(provider, vec![CertifiedKey::new(chain, key)?]);
    server.common.set_suites(&suite)?;
    server.common.groups = vec![NamedGroup::SECP256R1];
    server.session_cache = None;
    server.ticketer = None;
    Ok((client, server))
}

/// The certificate configurations: the default ECDHE suites and groups, an RSA-2048 chain,
/// the default session store, cache and ticketer.
fn certificate_configs(
    provider: Arc<dyn CryptoProvider>,
) -> Result<(ClientConfig, ServerConfig), Error> {
    let ca = CertificateDer::from(pki::CA_RSA);
    let roots = Arc::new(RootStore::from_certs([&ca])?);
    let verifier = Arc::new(WebPkiServerVerifier::new(
        roots,
        *provider.signature_verification(),
    ));
    let client = ClientConfig::new(provider.clone(), verifier);
    let key = PrivateKeyDer::try_from(pki::SERVER_RSA_KEY)
        .map_err(|_| Error::Config("the embedded key is not PKCS#8 DER"))?;
    let key = provider.load_private_key(key)?;
    let chain = vec![CertificateDer::from(pki::SERVER_RSA), ca];
    let server = ServerConfig::new(provider, vec![CertifiedKey::new(chain, key)?]);
    Ok((client, server))
}

/// The records in a byte stream, header by header: the longest one seen. Bytes may come
/// in any pieces (a connection writes as much as fits, records split included).
#[derive(Debug, Default)]
pub struct RecordSizes {
    header: [u8; 5],
    have: usize,
    remaining: usize,
    /// The longest record (header included) seen so far.
    pub longest: usize,
}

impl RecordSizes {
    fn note(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.remaining > 0 {
                let n = self.remaining.min(bytes.len());
                self.remaining -= n;
                bytes = &bytes[n..];
                continue;
            }
            let n = (5 - self.have).min(bytes.len());
            self.header[self.have..self.have + n].copy_from_slice(&bytes[..n]);
            self.have += n;
            bytes = &bytes[n..];
            if self.have == 5 {
                self.remaining = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                self.longest = self.longest.max(5 + self.remaining);
                self.have = 0;
            }
        }
    }
}

/// Bytes in flight one way: a fixed buffer, how much of it is filled, and the sizes of
/// the records that went through.
pub struct Pipe {
    buf: Box<[u8]>,
    len: usize,
    /// The records written into the pipe so far.
    pub records: RecordSizes,
}

impl Pipe {
    fn new(len: usize) -> Self {
        Self {
            buf: vec![0; len].into_boxed_slice(),
            len: 0,
            records: RecordSizes::default(),
        }
    }

    /// Drains `from` into the free part of the pipe. Stops when `from` is idle or the pipe
    /// is full (the rest stays queued in the connection). Application data `from` decrypted
    /// is appended to `app` (up to its length); returns whether anything moved.
    fn fill_from(
        &mut self,
        from: &mut Connection,
        app: &mut [u8],
        app_len: &mut usize,
    ) -> Result<bool, Error> {
        let mut moved = false;
        loop {
            let start = self.len;
            match from.poll_output(&mut self.buf[start..])? {
                Output::Transmit(bytes) => {
                    self.records.note(bytes);
                    self.len += bytes.len();
                    moved = true;
                }
                Output::ApplicationData(data) => {
                    let end = (*app_len + data.len()).min(app.len());
                    app[*app_len..end].copy_from_slice(&data[..end - *app_len]);
                    *app_len = end;
                    moved = true;
                }
                Output::Event(_) => {}
                _ => return Ok(moved),
            }
        }
    }

    /// Feeds what the pipe holds to `to`, as much as it takes; keeps the rest.
    fn drain_into(&mut self, to: &mut Connection) -> Result<bool, Error> {
        let used = to.handle_input(&self.buf[..self.len])?;
        self.buf.copy_within(used..self.len, 0);
        self.len -= used;
        Ok(used > 0)
    }

    /// Encrypts `data` from `from` with `write_into` straight into the pipe; returns how
    /// much of `data` was taken.
    fn write_from(&mut self, from: &mut Connection, data: &[u8]) -> Result<usize, Error> {
        let start = self.len;
        let (taken, written) = from.write_into(data, &mut self.buf[start..])?;
        self.records.note(&self.buf[start..start + written]);
        self.len += written;
        Ok(taken)
    }
}

/// The fixed buffers, allocated once at setup.
pub struct Buffers {
    /// Client to server.
    pub to_server: Pipe,
    /// Server to client.
    pub to_client: Pipe,
    /// One application message.
    pub message: [u8; MESSAGE_LEN],
    /// What the receiving side decrypted.
    pub received: [u8; MESSAGE_LEN],
}

impl Buffers {
    /// Two pipes of `pipe_len` bytes and the message buffers, on the heap.
    pub fn new(pipe_len: usize) -> Box<Self> {
        Box::new(Self {
            to_server: Pipe::new(pipe_len),
            to_client: Pipe::new(pipe_len),
            message: [0; MESSAGE_LEN],
            received: [0; MESSAGE_LEN],
        })
    }
}

/// The name the client asks for (SNI) and, with certificates, verifies.
fn server_name() -> Result<ServerName<'static>, Error> {
    ServerName::try_from("testserver.tls12.test").map_err(|_| Error::Config("a valid DNS name"))
}

/// A client, a server and their buffers.
pub struct Embedded {
    /// The client.
    pub client: ClientConnection,
    /// The server.
    pub server: ServerConnection,
    /// The fixed buffers.
    pub buffers: Box<Buffers>,
}

impl Embedded {
    /// Moves bytes both ways until both sides are idle.
    fn pump(&mut self) -> Result<(), Error> {
        let b = &mut *self.buffers;
        let mut received = 0;
        // Bounded: a handshake is a few flights; each step moves at least one byte.
        for _ in 0..1000 {
            let m1 = b
                .to_server
                .fill_from(&mut self.client, &mut b.received, &mut received)?;
            let m2 = b.to_server.drain_into(&mut self.server)?;
            let m3 = b
                .to_client
                .fill_from(&mut self.server, &mut b.received, &mut received)?;
            let m4 = b.to_client.drain_into(&mut self.client)?;
            if !(m1 || m2 || m3 || m4) && b.to_server.len == 0 && b.to_client.len == 0 {
                return Ok(());
            }
        }
        Err(Error::Api("pump: no progress"))
    }

    /// Runs the handshake to completion; returns the client's summary.
    pub fn handshake(&mut self) -> Result<HandshakeSummary, Error> {
        self.pump()?;
        match (
            self.client.handshake_summary(),
            self.server.handshake_summary(),
        ) {
            (Some(c), Some(_)) => Ok(c.clone()),
            _ => Err(Error::Api("the handshake did not complete")),
        }
    }

    /// One round trip: the client sends a `len`-byte message (written with `write_into`
    /// straight into the pipe), the server decrypts it in place and echoes it the same way,
    /// the client decrypts the echo. Returns the echoed length.
    pub fn round_trip(&mut self, round: usize, len: usize) -> Result<usize, Error> {
        let len = len.min(MESSAGE_LEN);
        let b = &mut *self.buffers;
        for (i, byte) in b.message[..len].iter_mut().enumerate() {
            *byte = (round + i) as u8;
        }
        let taken = b
            .to_server
            .write_from(&mut self.client, &b.message[..len])?;
        // The server reads the records in place, one at a time.
        let mut got = 0;
        for _ in 0..64 {
            if b.to_server.len == 0 {
                break;
            }
            b.to_server.drain_into(&mut self.server)?;
            b.to_client
                .fill_from(&mut self.server, &mut b.received, &mut got)?;
        }
        if got != taken || b.received[..got] != b.message[..taken] {
            return Err(Error::Api("the server read something else"));
        }
        // The echo, from the server's fixed buffer.
        b.to_client
            .write_from(&mut self.server, &b.received[..got])?;
        let mut echoed = 0;
        for _ in 0..64 {
            if b.to_client.len == 0 {
                break;
            }
            b.to_client.drain_into(&mut self.client)?;
            b.to_server
                .fill_from(&mut self.client, &mut b.received, &mut echoed)?;
        }
        if b.to_server.len != 0 || b.to_client.len != 0 {
            return Err(Error::Api("bytes left in a pipe"));
        }
        if b.received[..echoed] != b.message[..echoed] {
            return Err(Error::Api("the echo differs"));
        }
        Ok(echoed)
    }
}

/// The length of round `round`'s message: all of [`MESSAGE_LEN`] first, then lengths
/// spread over 1..=`MESSAGE_LEN`.
pub fn message_len(round: usize) -> usize {
    MESSAGE_LEN - (round * 37) % MESSAGE_LEN
}

/// What [`measure`] found, in bytes of heap unless said otherwise.
#[derive(Debug, Clone)]
pub struct Figures {
    /// What the client's handshake negotiated.
    pub summary: HandshakeSummary,
    /// Both configurations (shared by every connection made from them).
    pub configs: usize,
    /// The client connection, before the handshake.
    pub client: usize,
    /// The server connection, before the handshake.
    pub server: usize,
    /// The pipes and message buffers.
    pub buffers: usize,
    /// Allocation calls during setup.
    pub setup_calls: usize,
    /// The heap peak during the handshake, above the level after setup.
    pub handshake_peak: usize,
    /// Allocation calls during the handshake.
    pub handshake_calls: usize,
    /// What the client connection holds after the handshake (freed when it is dropped).
    pub client_held: usize,
    /// What the server connection holds after the handshake.
    pub server_held: usize,
    /// Allocation calls during the data exchange.
    pub data_calls: usize,
    /// Heap growth over the data exchange.
    pub data_growth: isize,
    /// Round trips made.
    pub rounds: usize,
    /// Bytes echoed over them.
    pub echoed: usize,
    /// The longest record either side sent, header included.
    pub longest_record: usize,
}

impl Figures {
    /// Everything allocated at setup.
    pub fn setup(&self) -> usize {
        self.configs + self.client + self.server + self.buffers
    }
}

/// Bytes the heap grew by since `since`.
fn grown(since: heap::Heap) -> usize {
    heap::now().current.saturating_sub(since.current)
}

/// Bytes of heap `f` frees.
fn freed_by(f: impl FnOnce()) -> usize {
    let before = heap::live();
    f();
    usize::try_from(before - heap::live()).unwrap_or(0)
}

/// Sets up `profile`, runs the handshake and `rounds` round trips (of [`message_len`]
/// bytes), and measures each step on the calling thread's heap.
pub fn measure(profile: Profile, rounds: usize) -> Result<Figures, Error> {
    let start = heap::now();
    let (client_config, server_config) = configs(profile)?;
    let configs = grown(start);
    // The connections and the buffers, each measured.
    let before = heap::now();
    let client = ClientConnection::new(client_config.clone(), server_name()?)?;
    let client_heap = grown(before);
    let before_server = heap::now();
    let server = ServerConnection::new(server_config.clone())?;
    let server_heap = grown(before_server);
    let before_buffers = heap::now();
    let buffers = Buffers::new(profile.pipe_len());
    let buffers_heap = grown(before_buffers);
    let after_setup = heap::now();
    let mut e = Embedded {
        client,
        server,
        buffers,
    };

    heap::reset_peak();
    let summary = e.handshake()?;
    let after_handshake = heap::now();

    let mut echoed = 0;
    for round in 0..rounds {
        let len = message_len(round);
        if e.round_trip(round, len)? != len {
            return Err(Error::Api("a message came back short"));
        }
        echoed += len;
    }
    let after_data = heap::now();

    let longest_record = e
        .buffers
        .to_server
        .records
        .longest
        .max(e.buffers.to_client.records.longest);
    // What each connection holds: what dropping it frees (the configurations stay alive in
    // this function, so only the connection's own heap goes).
    let Embedded {
        client,
        server,
        buffers,
    } = e;
    drop(buffers);
    let client_held = freed_by(|| drop(client));
    let server_held = freed_by(|| drop(server));

    Ok(Figures {
        summary,
        configs,
        client: client_heap,
        server: server_heap,
        buffers: buffers_heap,
        setup_calls: after_setup.calls - start.calls,
        handshake_peak: after_handshake.peak - after_setup.current,
        handshake_calls: after_handshake.calls - after_setup.calls,
        client_held,
        server_held,
        data_calls: after_data.calls - after_handshake.calls,
        data_growth: after_data.current as isize - after_handshake.current as isize,
        rounds,
        echoed,
        longest_record,
    })
}

/// `n` with thousands separators.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const USAGE: &str = "\
usage: cargo run --example embedded [--features rustcrypto] -- [OPTIONS]

  (no option)            PSK, TLS_PSK_WITH_AES_128_CCM_8, 512-byte records, ring
  --max-fragment-length  ask for 512-byte records with max_fragment_length alone
  --record-size-limit    ask for them with record_size_limit alone
  --full-records         ask for neither (16 KiB records)
  --ecdsa                RFC 7925's certificate mode instead of the PSK:
                         TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, P-256
  --certificates         ECDHE_RSA with an RSA-2048 certificate instead of the PSK,
                         tickets (16 KiB records unless a record option is given)
  --rustcrypto           the pure-Rust RustCryptoProvider (needs --features rustcrypto)
  --all                  every configuration, one table
  --help                 this text";

/// Every configuration `--all` measures.
fn all_profiles() -> Vec<Profile> {
    let psk = |records| Profile {
        auth: Auth::Psk,
        records,
        provider: Provider::Ring,
    };
    #[allow(unused_mut)]
    let mut all = vec![
        psk(Records::Both),
        psk(Records::MaxFragmentLength),
        psk(Records::RecordSizeLimit),
        psk(Records::Full),
    ];
    #[cfg(feature = "rustcrypto")]
    all.push(Profile {
        provider: Provider::RustCrypto,
        ..Profile::SMALLEST
    });
    all.push(Profile {
        auth: Auth::EcdsaCcm8,
        ..Profile::SMALLEST
    });
    all.push(Profile {
        records: Records::Both,
        ..Profile::CERTIFICATES
    });
    all.push(Profile::CERTIFICATES);
    all
}

fn print_one(profile: Profile) -> Result<(), Error> {
    let f = measure(profile, 100)?;
    let bounds = profile.bounds();
    let s = &f.summary;
    println!("Configuration: {}", profile.describe());
    println!(
        "Negotiated: {:?}{}, longest record {} bytes",
        s.suite,
        s.group.map(|g| format!(" over {g:?}")).unwrap_or_default(),
        f.longest_record
    );
    println!(
        "Setup: {} bytes in {} allocations (bound {}): configurations {}, client connection \
         {}, server connection {}, pipes and buffers {}",
        thousands(f.setup()),
        f.setup_calls,
        thousands(bounds.setup),
        thousands(f.configs),
        thousands(f.client),
        thousands(f.server),
        thousands(f.buffers)
    );
    println!(
        "Handshake: peak {} bytes above setup (bound {}), {} allocations",
        thousands(f.handshake_peak),
        thousands(bounds.handshake_peak),
        f.handshake_calls
    );
    println!(
        "Held after the handshake: client {} bytes (bound {}), server {} bytes (bound {}); \
         the connection structs themselves are {} and {} bytes",
        thousands(f.client_held),
        thousands(bounds.client_held),
        thousands(f.server_held),
        thousands(bounds.server_held),
        std::mem::size_of::<ClientConnection>(),
        std::mem::size_of::<ServerConnection>()
    );
    println!(
        "Data: {} round trips of 1 to {MESSAGE_LEN} bytes ({} bytes echoed): {} allocations, \
         heap {:+} bytes",
        f.rounds,
        thousands(f.echoed),
        f.data_calls,
        f.data_growth
    );
    Ok(())
}

fn print_all() -> Result<(), Error> {
    println!(
        "| configuration | setup heap (configs + client + server + buffers) | handshake peak \
         above setup | held after handshake, client / server | data exchange allocations |"
    );
    println!("|---|---|---|---|---|");
    for profile in all_profiles() {
        let f = measure(profile, 100)?;
        println!(
            "| {} | {} ({} + {} + {} + {}) | {} | {} / {} | {} |",
            profile.describe(),
            thousands(f.setup()),
            thousands(f.configs),
            thousands(f.client),
            thousands(f.server),
            thousands(f.buffers),
            thousands(f.handshake_peak),
            thousands(f.client_held),
            thousands(f.server_held),
            f.data_calls
        );
    }
    Ok(())
}

fn main() -> Result<(), Error> {
    let mut auth = Auth::Psk;
    let mut records = None;
    #[cfg_attr(not(feature = "rustcrypto"), allow(unused_mut))]
    let mut provider = Provider::Ring;
    let mut all = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--max-fragment-length" => records = Some(Records::MaxFragmentLength),
            "--record-size-limit" => records = Some(Records::RecordSizeLimit),
            "--full-records" => records = Some(Records::Full),
            "--ecdsa" => auth = Auth::EcdsaCcm8,
            "--certificates" => auth = Auth::Certificates,
            #[cfg(feature = "rustcrypto")]
            "--rustcrypto" => provider = Provider::RustCrypto,
            #[cfg(not(feature = "rustcrypto"))]
            "--rustcrypto" => {
                eprintln!("--rustcrypto: build with `--features rustcrypto`");
                std::process::exit(2);
            }
            "--all" => all = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => {
                eprintln!("unknown option {other}\n\n{USAGE}");
                std::process::exit(2);
            }
        }
    }
    if all {
        return print_all();
    }
    let records = records.unwrap_or(match auth {
        Auth::Psk | Auth::EcdsaCcm8 => Records::Both,
        Auth::Certificates => Records::Full,
    });
    print_one(Profile {
        auth,
        records,
        provider,
    })
}
