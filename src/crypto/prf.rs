//! The TLS 1.2 pseudorandom function (RFC 5246 section 5).
//!
//! ```text
//! PRF(secret, label, seed) = P_<hash>(secret, label + seed)
//! P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
//!                        HMAC_hash(secret, A(2) + seed) + ...
//! A(0) = seed,  A(i) = HMAC_hash(secret, A(i-1))
//! ```
//!
//! The hash is the suite's PRF hash (SHA-256 or SHA-384 for every suite this crate
//! implements). The label and seed are never concatenated into a new buffer: they are handed
//! to the HMAC as separate parts.

use alloc::vec::Vec;

use crate::crypto::{Digest, Hmac, HmacKey};

/// How many seed parts [`prf_parts`] passes to the HMAC without copying.
const MAX_SEED_PARTS: usize = 4;

/// Fills `out` with `PRF(secret, label, seed)` computed with `hmac`.
///
/// ```
/// use tls12::crypto::{CryptoProvider, HashAlgorithm};
/// use tls12::internal::prf::prf;
/// use tls12::crypto::ring::RingProvider;
///
/// let hmac = RingProvider.hmac(HashAlgorithm::Sha256);
/// let mut out = [0u8; 16];
/// prf(hmac, b"secret", b"test label", b"seed", &mut out);
/// ```
pub fn prf(hmac: &dyn Hmac, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    prf_parts(hmac, secret, label, &[seed], out);
}

/// Fills `out` with `PRF(secret, label, seed)` where the seed is the concatenation of
/// `seed_parts` (for example `client_random + server_random`).
///
/// Up to four parts are passed to the HMAC without copying; more are first concatenated.
pub fn prf_parts(
    hmac: &dyn Hmac,
    secret: &[u8],
    label: &[u8],
    seed_parts: &[&[u8]],
    out: &mut [u8],
) {
    if seed_parts.len() > MAX_SEED_PARTS {
        let joined: Vec<u8> = seed_parts.concat();
        prf_parts(hmac, secret, label, &[&joined], out);
        return;
    }
    if out.is_empty() {
        return;
    }
    let key = hmac.with_key(secret);
    p_hash(&*key, label, seed_parts, out);
}

/// [`prf_parts`] with the secret already bound to an HMAC key, for a secret used for
/// several PRF outputs (the master secret: key block and both Finished values), so the
/// key is set up once.
pub fn prf_keyed(key: &dyn HmacKey, label: &[u8], seed_parts: &[&[u8]], out: &mut [u8]) {
    if seed_parts.len() > MAX_SEED_PARTS {
        let joined: Vec<u8> = seed_parts.concat();
        prf_keyed(key, label, &[&joined], out);
        return;
    }
    if out.is_empty() {
        return;
    }
    p_hash(key, label, seed_parts, out);
}

/// The longest label and seed [`p_hash`] lays out in one buffer (anything the handshake
/// derives: key block, master secret, Finished); longer ones (exporters with a long context)
/// are handed to the HMAC in parts.
const CONTIGUOUS_SEED: usize = 160;

/// The longest `A(i)`: [`Digest`]'s capacity.
const MAX_A: usize = 64;

/// `P_hash(secret, label + seed)` with the secret already bound to `key`.
///
/// The label and seed are laid out once in a buffer with room for `A(i)` before them, so
/// every HMAC gets one contiguous input (one update of the hash rather than one per part):
/// `A(1)` over `label + seed`, each output block over `A(i) + label + seed`, and `A(i+1)`
/// over `A(i)`, all slices of the same buffer.
fn p_hash(key: &dyn HmacKey, label: &[u8], seed_parts: &[&[u8]], out: &mut [u8]) {
    let mut buf = [0u8; MAX_A + CONTIGUOUS_SEED];
    let mut end = MAX_A;
    for part in core::iter::once(&label).chain(seed_parts) {
        match buf.get_mut(end..end + part.len()) {
            Some(dst) => dst.copy_from_slice(part),
            None => return p_hash_parts(key, label, seed_parts, out),
        }
        end += part.len();
    }

    // A(1) = HMAC(secret, label + seed).
    let mut a: Digest = key.sign(&[&buf[MAX_A..end]]);
    let mut written = 0;
    loop {
        let a_len = a.as_ref().len();
        assert!(
            a_len > 0 && a_len <= MAX_A,
            "HMAC provider returned a MAC of {a_len} bytes"
        );
        let a_start = MAX_A - a_len;
        buf[a_start..MAX_A].copy_from_slice(a.as_ref());
        let chunk = key.sign(&[&buf[a_start..end]]);
        let take = chunk.as_ref().len().min(out.len() - written);
        out[written..written + take].copy_from_slice(&chunk.as_ref()[..take]);
        written += take;
        if written == out.len() {
            return;
        }
        a = key.sign(&[&buf[a_start..MAX_A]]);
    }
}

/// [`p_hash`] for a label and seed too long for its buffer: the HMAC takes them in parts.
fn p_hash_parts(key: &dyn HmacKey, label: &[u8], seed_parts: &[&[u8]], out: &mut [u8]) {
    // parts[0] is A(i) (or unused for A(1)), then the label, then the seed parts; parts past
    // the seed stay empty and are not passed.
    let mut parts: [&[u8]; 2 + MAX_SEED_PARTS] = [&[]; 2 + MAX_SEED_PARTS];
    parts[1] = label;
    for (slot, part) in parts[2..].iter_mut().zip(seed_parts) {
        *slot = part;
    }
    let n = 2 + seed_parts.len();

    // A(1) = HMAC(secret, label + seed).
    let mut a: Digest = key.sign(&parts[1..n]);
    let mut written = 0;
    loop {
        let chunk = {
            let mut with_a = parts;
            with_a[0] = a.as_ref();
            key.sign(&with_a[..n])
        };
        assert!(
            !chunk.as_ref().is_empty(),
            "HMAC provider returned an empty MAC"
        );
        let take = chunk.as_ref().len().min(out.len() - written);
        out[written..written + take].copy_from_slice(&chunk.as_ref()[..take]);
        written += take;
        if written == out.len() {
            return;
        }
        a = key.sign(&[a.as_ref()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ring::RingProvider;
    use crate::crypto::{CryptoProvider, HashAlgorithm};

    #[test]
    fn many_seed_parts_equal_one_joined_seed() {
        let hmac = RingProvider.hmac(HashAlgorithm::Sha256);
        let parts: [&[u8]; 6] = [b"a", b"bc", b"", b"def", b"g", b"hij"];
        let mut split = [0u8; 70];
        let mut joined = [0u8; 70];
        prf_parts(hmac, b"k", b"label", &parts, &mut split);
        prf(hmac, b"k", b"label", b"abcdefghij", &mut joined);
        assert_eq!(split, joined);
        let mut three = [0u8; 70];
        prf_parts(hmac, b"k", b"label", &[b"abc", b"defg", b"hij"], &mut three);
        assert_eq!(three, joined);
    }

    #[test]
    fn keyed_equals_unkeyed() {
        let hmac = RingProvider.hmac(HashAlgorithm::Sha256);
        let key = hmac.with_key(b"k");
        let parts: [&[u8]; 6] = [b"a", b"bc", b"", b"def", b"g", b"hij"];
        for n in [0, 1, 32, 33, 70] {
            let (mut a, mut b) = ([0u8; 70], [0u8; 70]);
            prf_parts(hmac, b"k", b"label", &parts, &mut a[..n]);
            prf_keyed(&*key, b"label", &parts, &mut b[..n]);
            assert_eq!(a, b, "{n}");
        }
    }

    /// Labels and seeds around the buffer's size give the same output laid out in one
    /// buffer or handed over in parts, for both hashes (RFC 5246's PRF is checked against
    /// published vectors in tests/key_schedule.rs).
    #[test]
    fn contiguous_and_parts_agree() {
        for alg in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            let key = RingProvider.hmac(alg).with_key(b"secret");
            let seed = [0x5au8; 200];
            for seed_len in [0, 1, 64, 154, 155, 156, 200] {
                let parts: [&[u8]; 2] = [&seed[..seed_len / 2], &seed[seed_len / 2..seed_len]];
                let (mut a, mut b) = ([0u8; 100], [0u8; 100]);
                p_hash(&*key, b"label", &parts, &mut a);
                p_hash_parts(&*key, b"label", &parts, &mut b);
                assert_eq!(a, b, "{alg:?} {seed_len}");
            }
        }
    }

    #[test]
    fn shorter_output_is_a_prefix() {
        let hmac = RingProvider.hmac(HashAlgorithm::Sha384);
        let mut long = [0u8; 100];
        prf(hmac, b"k", b"l", b"s", &mut long);
        for n in [0, 1, 47, 48, 49, 96, 99] {
            let mut short = [0u8; 100];
            prf(hmac, b"k", b"l", b"s", &mut short[..n]);
            assert_eq!(short[..n], long[..n]);
        }
    }
}
