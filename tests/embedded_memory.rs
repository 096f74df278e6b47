//! `examples/embedded.rs` under the counting global allocator it shares with the tests
//! (`tests/common/counting_alloc.rs`): for each configuration, the heap after setup, the
//! handshake's peak above it and what each connection holds afterwards stay within
//! `Profile::bounds` (a little above what `cargo run --example embedded -- --all` measured),
//! and the data exchange through the fixed buffers allocates nothing.
//!
//! The counters are per thread, so the tests may run in parallel: each measures only the
//! allocations of its own thread.

#[path = "../examples/embedded.rs"]
#[allow(dead_code)]
mod embedded;

#[cfg(feature = "rustcrypto")]
use embedded::Provider;
use embedded::heap::Counting;
use embedded::{Auth, Figures, IDENTITY, Profile, Records, SMALL_CCM_8_RECORD};
use tls12::enums::{CipherSuite, NamedGroup};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Round trips per run: lengths 1 to `embedded::MESSAGE_LEN` (`embedded::message_len`).
const ROUNDS: usize = 200;

/// Measures `profile` and asserts its bounds and the allocation-free data exchange.
fn measure_within_bounds(profile: Profile) -> Figures {
    let f = embedded::measure(profile, ROUNDS).expect("setup, handshake and data exchange");
    let b = profile.bounds();
    let name = profile.describe();
    assert!(
        f.setup() <= b.setup,
        "{name}: setup heap {} bytes, bound {}",
        f.setup(),
        b.setup
    );
    assert!(
        f.handshake_peak <= b.handshake_peak,
        "{name}: handshake peak {} bytes above setup, bound {}",
        f.handshake_peak,
        b.handshake_peak
    );
    assert!(
        f.client_held <= b.client_held,
        "{name}: client holds {} bytes after the handshake, bound {}",
        f.client_held,
        b.client_held
    );
    assert!(
        f.server_held <= b.server_held,
        "{name}: server holds {} bytes after the handshake, bound {}",
        f.server_held,
        b.server_held
    );
    // The counter sees every step (a figure of 0 would mean it saw nothing).
    assert!(f.configs > 0 && f.client > 0 && f.server > 0 && f.buffers > 0);
    assert!(f.handshake_peak > 0 && f.handshake_calls > 0);
    assert!(f.client_held > 0 && f.server_held > 0);

    assert_eq!(f.rounds, ROUNDS);
    assert_eq!(
        f.echoed,
        (0..ROUNDS).map(embedded::message_len).sum::<usize>()
    );
    assert_eq!(
        f.data_calls, 0,
        "{name}: allocations during {ROUNDS} round trips"
    );
    assert_eq!(
        f.data_growth, 0,
        "{name}: heap growth over the data exchange"
    );
    f
}

/// A PSK handshake: the suite, the identity on the client's side, no key exchange group, no
/// certificate.
fn assert_psk_ccm_8(f: &Figures) {
    assert_eq!(f.summary.suite, CipherSuite::TLS_PSK_WITH_AES_128_CCM_8);
    assert_eq!(f.summary.psk_identity.as_deref(), Some(IDENTITY));
    assert_eq!(f.summary.group, None);
    assert!(f.summary.peer_certificates.is_empty());
    assert!(!f.summary.resumed);
}

fn psk(records: Records) -> Profile {
    Profile {
        records,
        ..Profile::SMALLEST
    }
}

#[test]
fn smallest_configuration_psk_ccm_8_with_512_byte_records() {
    let f = measure_within_bounds(Profile::SMALLEST);
    assert_psk_ccm_8(&f);
    // The 1 KiB messages went as two full records: a header, an 8-byte explicit nonce,
    // 512 bytes of plaintext and an 8-byte tag, no more (nor did any handshake record).
    assert_eq!(f.longest_record, 5 + 8 + 512 + 8);
}

#[test]
fn max_fragment_length_alone_gives_the_same_records() {
    let f = measure_within_bounds(psk(Records::MaxFragmentLength));
    assert_psk_ccm_8(&f);
    assert_eq!(f.longest_record, SMALL_CCM_8_RECORD);
}

#[test]
fn record_size_limit_alone_gives_the_same_records() {
    let f = measure_within_bounds(psk(Records::RecordSizeLimit));
    assert_psk_ccm_8(&f);
    assert_eq!(f.longest_record, SMALL_CCM_8_RECORD);
}

#[test]
fn small_records_are_what_make_the_psk_configuration_small() {
    let small = measure_within_bounds(Profile::SMALLEST);
    let full = measure_within_bounds(psk(Records::Full));
    assert_psk_ccm_8(&full);
    assert!(full.longest_record > SMALL_CCM_8_RECORD);
    // Two 18 KiB receive buffers (and the 4 KiB pipes) against 541-byte ones.
    assert!(
        small.setup() + 32 * 1024 < full.setup(),
        "setup: {} with 512-byte records, {} without",
        small.setup(),
        full.setup()
    );
    assert!(small.client_held + 16 * 1024 < full.client_held);
    assert!(small.server_held + 16 * 1024 < full.server_held);
}

#[cfg(feature = "rustcrypto")]
#[test]
fn smallest_configuration_on_the_rustcrypto_provider() {
    let f = measure_within_bounds(Profile {
        provider: Provider::RustCrypto,
        ..Profile::SMALLEST
    });
    assert_psk_ccm_8(&f);
    assert_eq!(f.longest_record, SMALL_CCM_8_RECORD);
}

#[test]
fn rfc_7925_certificate_mode_ecdhe_ecdsa_ccm_8() {
    let profile = Profile {
        auth: Auth::EcdsaCcm8,
        ..Profile::SMALLEST
    };
    let f = measure_within_bounds(profile);
    assert_eq!(
        f.summary.suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
    );
    assert_eq!(f.summary.group, Some(NamedGroup::SECP256R1));
    assert_eq!(f.summary.peer_certificates.len(), 2);
    assert_eq!(f.longest_record, SMALL_CCM_8_RECORD);
    #[cfg(feature = "rustcrypto")]
    measure_within_bounds(Profile {
        provider: Provider::RustCrypto,
        ..profile
    });
    let full = measure_within_bounds(Profile {
        records: Records::Full,
        ..profile
    });
    assert!(full.longest_record > SMALL_CCM_8_RECORD);
}

#[test]
fn certificate_configuration_for_comparison() {
    let full = measure_within_bounds(Profile::CERTIFICATES);
    assert!(full.summary.group.is_some(), "an ECDHE handshake");
    assert!(!full.summary.peer_certificates.is_empty());
    let small = measure_within_bounds(Profile {
        records: Records::Both,
        ..Profile::CERTIFICATES
    });
    // AES-GCM: 8-byte explicit nonce, 16-byte tag.
    assert_eq!(small.longest_record, 5 + 8 + 512 + 16);
    // The PSK configuration needs less of everything.
    let psk = measure_within_bounds(Profile::SMALLEST);
    assert!(psk.setup() < small.setup());
    assert!(psk.handshake_peak < small.handshake_peak);
    assert!(psk.client_held < small.client_held && psk.server_held < small.server_held);
}
