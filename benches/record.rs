//! Record protection cost: a 16 KiB record (and a 64-byte one) sealed and opened through `record::protect`,
//! against the same work done with raw `ring::aead` calls (same nonce and additional-data
//! construction, same in-place buffers).
//!
//! Run with `cargo bench --bench record`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ring::aead;
use tls12::crypto::ring::RingProvider;
use tls12::crypto::{AeadAlgorithm, CryptoProvider};
use tls12::internal::codec::enums::{ContentType, ProtocolVersion};
use tls12::internal::record::protect::{HEADER_LEN, MAX_PLAINTEXT_LEN, RecordOpener, RecordSealer};

fn keys(alg: AeadAlgorithm) -> (Vec<u8>, Vec<u8>) {
    (vec![0x42; alg.key_len()], vec![0x24; alg.fixed_iv_len()])
}

/// Seal then open one record of `PAYLOAD` bytes with `record::protect`, then the same with
/// raw ring.
fn bench_cipher<const PAYLOAD: usize>(c: &mut Criterion, name: &str, alg: AeadAlgorithm) {
    let aead = RingProvider.aead(alg).expect("ring implements all three");
    let (key, iv) = keys(alg);
    let mut sealer = RecordSealer::new(aead, &key, &iv).expect("valid key");
    let mut opener = RecordOpener::new(aead, &key, &iv).expect("valid key");
    let mut buf = vec![0x5a_u8; HEADER_LEN + sealer.overhead() + PAYLOAD];

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(PAYLOAD as u64));
    group.bench_function("tls12", |b| {
        b.iter(|| {
            let n = sealer
                .seal_in_place(
                    ContentType::APPLICATION_DATA,
                    ProtocolVersion::TLS12,
                    black_box(&mut buf),
                    PAYLOAD,
                )
                .expect("seal");
            let plain = opener
                .open_in_place(
                    ContentType::APPLICATION_DATA,
                    ProtocolVersion::TLS12,
                    &mut buf[HEADER_LEN..n],
                )
                .expect("open");
            black_box(plain.len())
        })
    });

    // The same record construction written directly against ring.
    let ring_alg = match alg {
        AeadAlgorithm::Aes128Gcm => &aead::AES_128_GCM,
        AeadAlgorithm::Aes256Gcm => &aead::AES_256_GCM,
        _ => &aead::CHACHA20_POLY1305,
    };
    let rkey = aead::LessSafeKey::new(aead::UnboundKey::new(ring_alg, &key).expect("key"));
    let explicit = alg.explicit_nonce_len();
    let mut iv12 = [0u8; 12];
    iv12[..iv.len()].copy_from_slice(&iv);
    let mut seq_seal = 0u64;
    let mut seq_open = 0u64;
    let nonce_for = |seq: u64| {
        let mut n = iv12;
        for (a, b) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
            *a ^= b;
        }
        n
    };
    let aad_for = |seq: u64, len: usize| {
        let mut a = [0u8; 13];
        a[..8].copy_from_slice(&seq.to_be_bytes());
        a[8] = 23;
        a[9..11].copy_from_slice(&[3, 3]);
        a[11..].copy_from_slice(&(len as u16).to_be_bytes());
        a
    };
    group.bench_function("ring", |b| {
        b.iter(|| {
            let buf = black_box(&mut buf);
            // Seal.
            let nonce = nonce_for(seq_seal);
            let frag_len = explicit + PAYLOAD + 16;
            buf[0] = 23;
            buf[1..3].copy_from_slice(&[3, 3]);
            buf[3..5].copy_from_slice(&(frag_len as u16).to_be_bytes());
            buf[HEADER_LEN..HEADER_LEN + explicit].copy_from_slice(&nonce[12 - explicit..]);
            let start = HEADER_LEN + explicit;
            let tag = rkey
                .seal_in_place_separate_tag(
                    aead::Nonce::assume_unique_for_key(nonce),
                    aead::Aad::from(aad_for(seq_seal, PAYLOAD)),
                    &mut buf[start..start + PAYLOAD],
                )
                .expect("seal");
            buf[start + PAYLOAD..start + PAYLOAD + 16].copy_from_slice(tag.as_ref());
            seq_seal += 1;
            // Open.
            let mut nonce = nonce_for(seq_open);
            nonce[12 - explicit..].copy_from_slice(&buf[HEADER_LEN..HEADER_LEN + explicit]);
            let plain = rkey
                .open_in_place(
                    aead::Nonce::assume_unique_for_key(nonce),
                    aead::Aad::from(aad_for(seq_open, PAYLOAD)),
                    &mut buf[start..start + PAYLOAD + 16],
                )
                .expect("open");
            seq_open += 1;
            black_box(plain.len())
        })
    });
    group.finish();
}

fn record(c: &mut Criterion) {
    const FULL: usize = MAX_PLAINTEXT_LEN;
    bench_cipher::<FULL>(c, "seal+open 16KiB AES-128-GCM", AeadAlgorithm::Aes128Gcm);
    bench_cipher::<FULL>(c, "seal+open 16KiB AES-256-GCM", AeadAlgorithm::Aes256Gcm);
    bench_cipher::<FULL>(
        c,
        "seal+open 16KiB ChaCha20-Poly1305",
        AeadAlgorithm::ChaCha20Poly1305,
    );
    // A small record shows the fixed per-record cost.
    bench_cipher::<64>(c, "seal+open 64B AES-128-GCM", AeadAlgorithm::Aes128Gcm);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(50);
    targets = record
}
criterion_main!(benches);
