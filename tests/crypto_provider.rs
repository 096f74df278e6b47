//! The crypto providers through their public API: key exchange, signing keys, signature
//! verification, RSA key transport and the deterministic test provider.
//!
//! Run with `--all-features` (the test provider needs `test-provider`, RSA key transport
//! needs `rsa-kx`; with `rustcrypto`, the RustCrypto provider is checked alongside ring, and
//! each provider's signatures are verified by the other's algorithms).

#![cfg(all(feature = "test-provider", feature = "rsa-kx"))]

use pki_types::PrivateKeyDer;
use pki_types::pem::PemObject;
use tls12::Error;
use tls12::crypto::ring::{RingProvider, verify_signature};
#[cfg(feature = "rustcrypto")]
use tls12::crypto::rustcrypto::RustCryptoProvider;
use tls12::crypto::test_provider::TestProvider;
use tls12::crypto::{CryptoProvider, KeyKind, SigningKey};
use tls12::enums::{AlertDescription, NamedGroup, ProtocolVersion, SignatureScheme};

const GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

macro_rules! key_file {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/keys/",
            $name
        ))
        .as_slice()
    };
}

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test hex")
}

fn is_illegal_parameter(e: &Error) -> bool {
    matches!(
        e,
        Error::PeerMisbehaved {
            alert: AlertDescription::ILLEGAL_PARAMETER,
            ..
        }
    )
}

fn is_decrypt_error(e: &Error) -> bool {
    matches!(
        e,
        Error::Crypto {
            alert: AlertDescription::DECRYPT_ERROR,
            ..
        }
    )
}

fn providers() -> Vec<(&'static str, Box<dyn CryptoProvider>)> {
    let mut v = real_providers();
    v.push((
        "test",
        Box::new(TestProvider::new(b"crypto_provider tests")),
    ));
    v
}

/// The providers for real traffic: ring, and RustCrypto with its feature.
fn real_providers() -> Vec<(&'static str, Box<dyn CryptoProvider>)> {
    #[allow(unused_mut)]
    let mut v: Vec<(&'static str, Box<dyn CryptoProvider>)> =
        vec![("ring", Box::new(RingProvider))];
    #[cfg(feature = "rustcrypto")]
    v.push(("rustcrypto", Box::new(RustCryptoProvider::from_os_rng())));
    v
}

// ---------------------------------------------------------------------------------------
// Randomness

#[test]
fn random_fills_and_differs() {
    for (name, p) in real_providers() {
        let mut a = [0u8; 64];
        let mut b = [0u8; 64];
        p.fill_random(&mut a).unwrap();
        p.fill_random(&mut b).unwrap();
        assert_ne!(a, [0; 64], "{name}");
        assert_ne!(a, b, "{name}");
        p.fill_random(&mut []).unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Key exchange

#[test]
fn groups_in_preference_order() {
    for (name, p) in providers() {
        let names: Vec<_> = p.kx_groups().iter().map(|g| g.name()).collect();
        assert_eq!(names, GROUPS, "{name}");
        assert!(p.kx_group(NamedGroup::X448).is_none(), "{name}");
        for g in GROUPS {
            assert_eq!(p.kx_group(g).unwrap().name(), g, "{name}");
        }
    }
}

#[test]
fn kx_roundtrip_every_group_and_provider_pair() {
    let ps = providers();
    for (an, a) in &ps {
        for (bn, b) in &ps {
            for g in GROUPS {
                let ka = a.kx_group(g).unwrap().start().unwrap();
                let kb = b.kx_group(g).unwrap().start().unwrap();
                assert_eq!(ka.group(), g);
                let len = match g {
                    NamedGroup::X25519 => 32,
                    NamedGroup::SECP256R1 => 65,
                    _ => 97,
                };
                assert_eq!(ka.public_key().len(), len, "{an} {g:?}");
                if g != NamedGroup::X25519 {
                    assert_eq!(ka.public_key()[0], 0x04, "{an} {g:?}");
                }
                let pa = ka.public_key().to_vec();
                let pb = kb.public_key().to_vec();
                let sa = ka.complete(&pb).unwrap();
                let sb = kb.complete(&pa).unwrap();
                assert_eq!(sa.as_ref(), sb.as_ref(), "{an}/{bn} {g:?}");
                let secret_len = if g == NamedGroup::SECP384R1 { 48 } else { 32 };
                assert_eq!(sa.as_ref().len(), secret_len, "{an}/{bn} {g:?}");
            }
        }
    }
}

/// A valid public key of `g` from a fresh ring key pair.
fn valid_public(g: NamedGroup) -> Vec<u8> {
    RingProvider
        .kx_group(g)
        .unwrap()
        .start()
        .unwrap()
        .public_key()
        .to_vec()
}

/// Public keys every provider must reject with illegal_parameter, per group.
fn bad_publics(g: NamedGroup) -> Vec<(&'static str, Vec<u8>)> {
    let good = valid_public(g);
    let mut bad = vec![
        ("empty", vec![]),
        ("one byte short", good[..good.len() - 1].to_vec()),
        ("one byte long", [good.as_slice(), &[0]].concat()),
    ];
    if g == NamedGroup::X25519 {
        // Points of small order: the shared secret is all zeros (RFC 7748 section 6.1).
        bad.push(("zero point", vec![0; 32]));
        let mut one = vec![0; 32];
        one[0] = 1;
        bad.push(("u = 1", one));
        bad.push((
            "order-8 point",
            hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
        ));
    } else {
        let coord = (good.len() - 1) / 2;
        bad.push(("point at infinity", vec![0x00]));
        let mut zeros = vec![0; good.len()];
        zeros[0] = 0x04;
        bad.push(("all-zero coordinates", zeros));
        // Compressed form of a valid point.
        let parity = good[good.len() - 1] & 1;
        let mut compressed = vec![0x02 | parity];
        compressed.extend_from_slice(&good[1..1 + coord]);
        bad.push(("compressed", compressed));
        // A valid point's coordinates with the compressed prefix at full length.
        let mut wrong_prefix = good.clone();
        wrong_prefix[0] = 0x02;
        bad.push(("uncompressed length, compressed prefix", wrong_prefix));
        let mut hybrid = good.clone();
        hybrid[0] = 0x06 | parity;
        bad.push(("hybrid form", hybrid));
        let mut off_curve = good.clone();
        let last = off_curve.len() - 1;
        off_curve[last] ^= 1;
        bad.push(("not on the curve", off_curve));
        let mut big_x = good.clone();
        big_x[1..1 + coord].fill(0xff);
        bad.push(("x not below p", big_x));
    }
    bad
}

#[test]
fn kx_rejects_bad_peer_keys_with_illegal_parameter() {
    for (name, p) in providers() {
        for g in GROUPS {
            for (what, public) in bad_publics(g) {
                let kx = p.kx_group(g).unwrap().start().unwrap();
                let e = kx.complete(&public).unwrap_err();
                assert!(is_illegal_parameter(&e), "{name} {g:?} {what}: {e:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Signing keys and verification

struct KeyCase {
    name: &'static str,
    key: PrivateKeyDer<'static>,
    cert: &'static [u8],
    kind: KeyKind,
    schemes: &'static [SignatureScheme],
}

const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
];
const P256_SCHEMES: &[SignatureScheme] = &[SignatureScheme::ECDSA_SECP256R1_SHA256];
const P384_SCHEMES: &[SignatureScheme] = &[SignatureScheme::ECDSA_SECP384R1_SHA384];

fn der(key: PrivateKeyDer<'_>) -> PrivateKeyDer<'static> {
    key.clone_key()
}

fn pem(bytes: &[u8]) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_slice(bytes).unwrap()
}

fn key_cases() -> Vec<KeyCase> {
    use pki_types::{PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
    let rsa_cert = key_file!("rsa2048.crt.der");
    let p256_cert = key_file!("p256.crt.der");
    let p384_cert = key_file!("p384.crt.der");
    let case = |name, key, cert, kind, schemes| KeyCase {
        name,
        key,
        cert,
        kind,
        schemes,
    };
    vec![
        case(
            "rsa pkcs8 der",
            der(PrivatePkcs8KeyDer::from(key_file!("rsa2048.pkcs8.der")).into()),
            rsa_cert,
            KeyKind::Rsa,
            RSA_SCHEMES,
        ),
        case(
            "rsa pkcs8 pem",
            pem(key_file!("rsa2048.pkcs8.pem")),
            rsa_cert,
            KeyKind::Rsa,
            RSA_SCHEMES,
        ),
        case(
            "rsa pkcs1 der",
            der(PrivatePkcs1KeyDer::from(key_file!("rsa2048.pkcs1.der")).into()),
            rsa_cert,
            KeyKind::Rsa,
            RSA_SCHEMES,
        ),
        case(
            "rsa pkcs1 pem",
            pem(key_file!("rsa2048.pkcs1.pem")),
            rsa_cert,
            KeyKind::Rsa,
            RSA_SCHEMES,
        ),
        case(
            "p256 pkcs8 der",
            der(PrivatePkcs8KeyDer::from(key_file!("p256.pkcs8.der")).into()),
            p256_cert,
            KeyKind::Ecdsa,
            P256_SCHEMES,
        ),
        case(
            "p256 pkcs8 pem",
            pem(key_file!("p256.pkcs8.pem")),
            p256_cert,
            KeyKind::Ecdsa,
            P256_SCHEMES,
        ),
        case(
            "p256 sec1 der",
            der(PrivateSec1KeyDer::from(key_file!("p256.sec1.der")).into()),
            p256_cert,
            KeyKind::Ecdsa,
            P256_SCHEMES,
        ),
        case(
            "p256 sec1 pem",
            pem(key_file!("p256.sec1.pem")),
            p256_cert,
            KeyKind::Ecdsa,
            P256_SCHEMES,
        ),
        case(
            "p384 pkcs8 der",
            der(PrivatePkcs8KeyDer::from(key_file!("p384.pkcs8.der")).into()),
            p384_cert,
            KeyKind::Ecdsa,
            P384_SCHEMES,
        ),
        case(
            "p384 pkcs8 pem",
            pem(key_file!("p384.pkcs8.pem")),
            p384_cert,
            KeyKind::Ecdsa,
            P384_SCHEMES,
        ),
        case(
            "p384 sec1 der",
            der(PrivateSec1KeyDer::from(key_file!("p384.sec1.der")).into()),
            p384_cert,
            KeyKind::Ecdsa,
            P384_SCHEMES,
        ),
        case(
            "p384 sec1 pem",
            pem(key_file!("p384.sec1.pem")),
            p384_cert,
            KeyKind::Ecdsa,
            P384_SCHEMES,
        ),
    ]
}

/// Every scheme we know of, for "everything else fails" checks.
fn all_schemes() -> impl Iterator<Item = SignatureScheme> {
    SignatureScheme::KNOWN.iter().copied()
}

#[test]
fn pem_inputs_have_the_expected_format() {
    assert!(matches!(
        pem(key_file!("rsa2048.pkcs1.pem")),
        PrivateKeyDer::Pkcs1(_)
    ));
    assert!(matches!(
        pem(key_file!("p256.sec1.pem")),
        PrivateKeyDer::Sec1(_)
    ));
    assert!(matches!(
        pem(key_file!("p384.pkcs8.pem")),
        PrivateKeyDer::Pkcs8(_)
    ));
}

/// Every key format and scheme, signed by each provider and verified by each provider's
/// algorithms (ring's signatures by RustCrypto's verifiers and back).
#[test]
fn sign_and_verify_every_scheme_and_key_format() {
    let message = b"client_random || server_random || ServerECDHParams";
    for (signer, sp) in real_providers() {
        for case in key_cases() {
            let name = format!("{signer} {}", case.name);
            let key = sp
                .load_private_key(case.key.clone_key())
                .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(key.kind(), case.kind, "{name}");
            for scheme in all_schemes() {
                let signed = key.sign(scheme, message);
                if !case.schemes.contains(&scheme) {
                    assert!(signed.is_err(), "{name} signed with {scheme:?}");
                    continue;
                }
                let sig = signed.unwrap();
                for (verifier, vp) in real_providers() {
                    let sv = vp.signature_verification();
                    let name = format!("{name}, verified by {verifier}, {scheme:?}");
                    verify_signature(sv, case.cert, scheme, message, &sig)
                        .unwrap_or_else(|e| panic!("{name}: {e:?}"));

                    // A flipped bit anywhere in the signature or message fails with
                    // decrypt_error.
                    for i in [0, sig.len() / 2, sig.len() - 1] {
                        let mut bad = sig.clone();
                        bad[i] ^= 0x01;
                        let e = verify_signature(sv, case.cert, scheme, message, &bad).unwrap_err();
                        assert!(is_decrypt_error(&e), "{name}: {e:?}");
                    }
                    let e = verify_signature(sv, case.cert, scheme, b"another message", &sig)
                        .unwrap_err();
                    assert!(is_decrypt_error(&e), "{name}: {e:?}");
                    let e = verify_signature(sv, case.cert, scheme, message, &[]).unwrap_err();
                    assert!(is_decrypt_error(&e), "{name}: {e:?}");
                }
            }
        }
    }
}

#[test]
fn test_provider_loads_keys_like_ring() {
    let tp = TestProvider::new(b"keys");
    for case in key_cases() {
        let key = tp.load_private_key(case.key.clone_key()).unwrap();
        assert_eq!(key.kind(), case.kind, "{}", case.name);
        let scheme = case.schemes[0];
        let sig = key.sign(scheme, b"m").unwrap();
        verify_signature(tp.signature_verification(), case.cert, scheme, b"m", &sig).unwrap();
    }
}

#[test]
fn rsa_pkcs1_signatures_are_deterministic() {
    let key = RingProvider
        .load_private_key(pem(key_file!("rsa2048.pkcs8.pem")))
        .unwrap();
    for scheme in [
        SignatureScheme::RSA_PKCS1_SHA256,
        SignatureScheme::RSA_PKCS1_SHA384,
        SignatureScheme::RSA_PKCS1_SHA512,
    ] {
        assert_eq!(
            key.sign(scheme, b"m").unwrap(),
            key.sign(scheme, b"m").unwrap()
        );
    }
}

#[test]
fn signature_with_a_key_of_another_type_is_decrypt_error() {
    for (_, p) in real_providers() {
        signature_with_a_key_of_another_type_is_decrypt_error_on(&*p);
    }
}

fn signature_with_a_key_of_another_type_is_decrypt_error_on(p: &dyn CryptoProvider) {
    let sv = p.signature_verification();
    let ec = p
        .load_private_key(pem(key_file!("p256.pkcs8.pem")))
        .unwrap();
    let sig = ec
        .sign(SignatureScheme::ECDSA_SECP256R1_SHA256, b"m")
        .unwrap();
    // An ECDSA signature claimed to be RSA, checked against the RSA certificate.
    let e = verify_signature(
        sv,
        key_file!("rsa2048.crt.der"),
        SignatureScheme::RSA_PKCS1_SHA256,
        b"m",
        &sig,
    )
    .unwrap_err();
    assert!(is_decrypt_error(&e), "{e:?}");
    // The right scheme, but the certificate holds a key of another type.
    let e = verify_signature(
        sv,
        key_file!("rsa2048.crt.der"),
        SignatureScheme::ECDSA_SECP256R1_SHA256,
        b"m",
        &sig,
    )
    .unwrap_err();
    assert!(is_decrypt_error(&e), "{e:?}");
    // Another curve's certificate.
    let e = verify_signature(
        sv,
        key_file!("p384.crt.der"),
        SignatureScheme::ECDSA_SECP256R1_SHA256,
        b"m",
        &sig,
    )
    .unwrap_err();
    assert!(is_decrypt_error(&e), "{e:?}");
}

#[test]
fn ecdsa_scheme_names_the_hash_not_the_curve() {
    // TLS 1.2: ecdsa_secp256r1_sha256 is (ECDSA, SHA-256) on any curve (RFC 8422 5.1.3), so a
    // P-384 certificate's SHA-256 signature verifies under it. ring cannot sign P-384 with
    // SHA-256, so this only checks the mapping.
    let sv = RingProvider.signature_verification();
    let algs = sv
        .algorithms_for(SignatureScheme::ECDSA_SECP256R1_SHA256)
        .unwrap();
    assert_eq!(algs.len(), 2);
}

#[test]
fn unsupported_scheme_is_illegal_parameter() {
    for (_, p) in real_providers() {
        unsupported_scheme_is_illegal_parameter_on(p.signature_verification());
    }
}

fn unsupported_scheme_is_illegal_parameter_on(sv: &tls12::crypto::SignatureVerification) {
    for scheme in [
        SignatureScheme::RSA_PKCS1_SHA1,
        SignatureScheme::ECDSA_SHA1,
        SignatureScheme::RSA_PSS_PSS_SHA256,
        SignatureScheme::ED448,
        SignatureScheme(0xfefe),
    ] {
        let e = verify_signature(sv, key_file!("rsa2048.crt.der"), scheme, b"m", &[0; 256])
            .unwrap_err();
        assert!(is_illegal_parameter(&e), "{scheme:?}: {e:?}");
    }
}

#[test]
fn unparseable_certificate_is_a_certificate_error() {
    let sv = RingProvider.signature_verification();
    let e = verify_signature(
        sv,
        b"not a certificate",
        SignatureScheme::RSA_PKCS1_SHA256,
        b"m",
        &[0; 256],
    )
    .unwrap_err();
    assert!(matches!(e, Error::Certificate(_)), "{e:?}");
    assert_eq!(e.alert(), Some(AlertDescription::BAD_CERTIFICATE));
}

#[test]
fn supported_schemes_in_preference_order() {
    let schemes: Vec<_> = RingProvider
        .signature_verification()
        .supported_schemes()
        .collect();
    assert_eq!(
        schemes,
        [
            SignatureScheme::ECDSA_SECP256R1_SHA256,
            SignatureScheme::ECDSA_SECP384R1_SHA384,
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            SignatureScheme::RSA_PSS_RSAE_SHA384,
            SignatureScheme::RSA_PSS_RSAE_SHA512,
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PKCS1_SHA384,
            SignatureScheme::RSA_PKCS1_SHA512,
            SignatureScheme::ED25519,
        ]
    );
    assert!(!RingProvider.signature_verification().all.is_empty());
}

#[test]
fn choose_scheme_follows_the_peers_order() {
    use SignatureScheme as S;
    let rsa = RingProvider
        .load_private_key(pem(key_file!("rsa2048.pkcs8.pem")))
        .unwrap();
    let p256 = RingProvider
        .load_private_key(pem(key_file!("p256.pkcs8.pem")))
        .unwrap();
    let p384 = RingProvider
        .load_private_key(pem(key_file!("p384.pkcs8.pem")))
        .unwrap();

    // OpenSSL 1.1/3.x clients offer rsa_pkcs1_sha512 before the PSS schemes in TLS 1.2.
    let openssl_like = [
        S::ECDSA_SECP256R1_SHA256,
        S::ECDSA_SECP384R1_SHA384,
        S::ECDSA_SECP521R1_SHA512,
        S::ED25519,
        S::RSA_PKCS1_SHA512,
        S::RSA_PSS_RSAE_SHA256,
        S::RSA_PKCS1_SHA256,
    ];
    assert_eq!(rsa.choose_scheme(&openssl_like), Some(S::RSA_PKCS1_SHA512));
    assert_eq!(
        rsa.choose_scheme(&[S::RSA_PSS_RSAE_SHA384, S::RSA_PKCS1_SHA256]),
        Some(S::RSA_PSS_RSAE_SHA384)
    );
    assert_eq!(
        rsa.choose_scheme(&[
            S::RSA_PKCS1_SHA1,
            S::RSA_PSS_PSS_SHA256,
            S::RSA_PKCS1_SHA384
        ]),
        Some(S::RSA_PKCS1_SHA384)
    );
    assert_eq!(rsa.choose_scheme(&[S::ECDSA_SECP256R1_SHA256]), None);
    assert_eq!(rsa.choose_scheme(&[]), None);

    assert_eq!(
        p256.choose_scheme(&openssl_like),
        Some(S::ECDSA_SECP256R1_SHA256)
    );
    assert_eq!(
        p384.choose_scheme(&openssl_like),
        Some(S::ECDSA_SECP384R1_SHA384)
    );
    assert_eq!(p256.choose_scheme(&[S::ECDSA_SECP384R1_SHA384]), None);
    assert_eq!(p384.choose_scheme(&[S::ECDSA_SECP256R1_SHA256]), None);
    assert_eq!(p256.choose_scheme(&[S::RSA_PKCS1_SHA256]), None);
}

#[test]
fn bad_keys_are_config_errors() {
    use pki_types::{PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
    let p = RingProvider;
    let cases: Vec<(&str, PrivateKeyDer<'static>)> = vec![
        (
            "garbage pkcs8",
            PrivatePkcs8KeyDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00]).into(),
        ),
        (
            "garbage pkcs1",
            PrivatePkcs1KeyDer::from(vec![0xff; 40]).into(),
        ),
        ("garbage sec1", PrivateSec1KeyDer::from(vec![]).into()),
        (
            "EC key as pkcs1",
            PrivatePkcs1KeyDer::from(key_file!("p256.sec1.der").to_vec()).into(),
        ),
        (
            "RSA key as sec1",
            PrivateSec1KeyDer::from(key_file!("rsa2048.pkcs1.der").to_vec()).into(),
        ),
        (
            "sec1 without public key",
            PrivateSec1KeyDer::from(key_file!("p256.sec1-nopub.der").to_vec()).into(),
        ),
        (
            "truncated pkcs8",
            PrivatePkcs8KeyDer::from(key_file!("p384.pkcs8.der")[..60].to_vec()).into(),
        ),
    ];
    for (what, key) in cases {
        let e = p.load_private_key(key).unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{what}: {e:?}");
    }
    for pem in [
        &b"no pem here"[..],
        key_file!("rsa2048.crt.pem"),
        b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
    ] {
        let e = p.load_private_key_pem(pem).unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e:?}");
    }
}

#[test]
fn load_private_key_pem_helper() {
    for pem in [
        key_file!("rsa2048.pkcs1.pem"),
        key_file!("rsa2048.pkcs8.pem"),
        key_file!("p256.sec1.pem"),
        key_file!("p384.pkcs8.pem"),
    ] {
        RingProvider.load_private_key_pem(pem).unwrap();
    }
}

/// The Illustrated TLS 1.2 Connection (MIT licence, tests/data/keys/illustrated-tls12):
/// ring's rsa_pkcs1_sha256 signature over the ServerKeyExchange is byte-identical to the
/// recorded one, and it verifies against the recorded certificate.
#[test]
fn illustrated_server_key_exchange_signature() {
    let record = key_file!("illustrated-tls12/serverkeyexchange");
    // 5-byte record header, 4-byte handshake header, then ServerECDHParams:
    // curve_type(1) named_curve(2) public(1 + 32), then SignatureAndHashAlgorithm(2),
    // signature length(2), signature.
    let params = &record[9..9 + 36];
    assert_eq!(&params[..4], &[0x03, 0x00, 0x1d, 0x20]);
    let scheme = SignatureScheme(u16::from_be_bytes([record[45], record[46]]));
    assert_eq!(scheme, SignatureScheme::RSA_PKCS1_SHA256);
    let sig_len = u16::from_be_bytes([record[47], record[48]]) as usize;
    let sig = &record[49..49 + sig_len];
    assert_eq!(record.len(), 49 + sig_len);

    let client_random: Vec<u8> = (0x00..=0x1f).collect();
    let server_random: Vec<u8> = (0x70..=0x8f).collect();
    let message = [client_random.as_slice(), &server_random, params].concat();

    let cert = pki_types::CertificateDer::from_pem_slice(key_file!("illustrated-tls12/server.crt"))
        .unwrap();
    verify_signature(
        RingProvider.signature_verification(),
        cert.as_ref(),
        scheme,
        &message,
        sig,
    )
    .unwrap();

    let key = RingProvider
        .load_private_key_pem(key_file!("illustrated-tls12/server.key"))
        .unwrap();
    assert_eq!(key.sign(scheme, &message).unwrap(), sig);
}

// ---------------------------------------------------------------------------------------
// RSA key transport

fn rsa_key() -> std::sync::Arc<dyn SigningKey> {
    RingProvider
        .load_private_key(pem(key_file!("rsa2048.pkcs1.pem")))
        .unwrap()
}

fn pre_master() -> [u8; 48] {
    let mut pm = [0u8; 48];
    for (i, b) in pm.iter_mut().enumerate() {
        *b = 0xa0 ^ i as u8;
    }
    pm[0] = 0x03;
    pm[1] = 0x03;
    pm
}

/// The pre-master encrypted by the deterministic test provider: the same ciphertext on
/// every run.
fn test_ciphertext() -> Vec<u8> {
    TestProvider::new(b"rsa")
        .rsa_encrypt_pre_master(key_file!("rsa2048.crt.der"), &pre_master())
        .unwrap()
        .unwrap()
}

fn with_version(mut bytes: [u8; 48], v: ProtocolVersion) -> [u8; 48] {
    bytes[..2].copy_from_slice(&v.0.to_be_bytes());
    bytes
}

#[test]
fn rsa_pre_master_roundtrip() {
    let cert = key_file!("rsa2048.crt.der");
    let pm = pre_master();
    let key = rsa_key();
    let dec = key.rsa_decrypter().expect("RSA keys decrypt with rsa-kx");
    for (name, p) in providers() {
        let ct = p.rsa_encrypt_pre_master(cert, &pm).unwrap().unwrap();
        assert_eq!(ct.len(), 256, "{name}");
        let out = dec.decrypt_pre_master(&ct, ProtocolVersion::TLS12, [0x55; 48]);
        assert_eq!(out, pm, "{name}");
        // The version bytes are always the ClientHello's, whatever was encrypted.
        let out = dec.decrypt_pre_master(&ct, ProtocolVersion::TLS11, [0x55; 48]);
        assert_eq!(out, with_version(pm, ProtocolVersion::TLS11), "{name}");
    }
    // A key loaded from PKCS#8 decrypts too.
    let key8 = RingProvider
        .load_private_key(pem(key_file!("rsa2048.pkcs8.pem")))
        .unwrap();
    let ct = RingProvider
        .rsa_encrypt_pre_master(cert, &pm)
        .unwrap()
        .unwrap();
    let out =
        key8.rsa_decrypter()
            .unwrap()
            .decrypt_pre_master(&ct, ProtocolVersion::TLS12, [0; 48]);
    assert_eq!(out, pm);
}

#[test]
fn rsa_bad_ciphertexts_give_the_random_pre_master() {
    let key = rsa_key();
    let dec = key.rsa_decrypter().unwrap();
    // Deterministic ciphertext, so the corrupted variants are the same on every run.
    let ct = test_ciphertext();
    let random: [u8; 48] = core::array::from_fn(|i| i as u8 ^ 0x3c);
    let expected = with_version(random, ProtocolVersion::TLS12);

    let mut corrupted = Vec::new();
    for i in [0, 1, 100, 255] {
        let mut c = ct.clone();
        c[i] ^= 0x40;
        corrupted.push(c);
    }
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("one byte short", ct[1..].to_vec()),
        ("one byte long", [ct.as_slice(), &[0]].concat()),
        ("not below the modulus", vec![0xff; 256]),
        ("zero", vec![0; 256]),
        ("corrupted 0", corrupted[0].clone()),
        ("corrupted 1", corrupted[1].clone()),
        ("corrupted 100", corrupted[2].clone()),
        ("corrupted 255", corrupted[3].clone()),
    ];
    for (what, c) in cases {
        assert_eq!(
            dec.decrypt_pre_master(&c, ProtocolVersion::TLS12, random),
            expected,
            "{what}"
        );
    }
}

#[test]
fn rsa_valid_padding_of_the_wrong_length_gives_the_random_pre_master() {
    // A correctly padded 47-byte and 49-byte message must not become the pre-master.
    // Encrypt them with the `rsa` crate directly (the provider only encrypts 48 bytes).
    use rsa::pkcs8::DecodePublicKey;
    let cert = pki_types::CertificateDer::from(key_file!("rsa2048.crt.der"));
    let ee = webpki::EndEntityCert::try_from(&cert).unwrap();
    let spki = ee.subject_public_key_info();
    let public = rsa::PublicKey::from_public_key_der(spki.as_ref()).unwrap();
    let key = rsa_key();
    let dec = key.rsa_decrypter().unwrap();
    let random = [0x99; 48];
    for len in [0, 47, 49, 100] {
        let msg = vec![0x03; len];
        let ct = public
            .pkcs1v15_encrypt_with_rng(&mut SeqRng(7), &msg)
            .unwrap();
        assert_eq!(
            dec.decrypt_pre_master(&ct, ProtocolVersion::TLS12, random),
            with_version(random, ProtocolVersion::TLS12),
            "{len}"
        );
    }
}

/// A ciphertext with a bad padding that the `rsa` crate's implicit rejection turns into a
/// 48-byte synthetic message (about one in 250 do): it must give the random bytes, not the
/// synthetic message. Before the decrypter checked the padding itself, CI failed this way
/// on a randomly corrupted ciphertext.
#[test]
fn rsa_bad_padding_with_a_48_byte_implicit_rejection_message_gives_the_random_pre_master() {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    let ct = test_ciphertext();
    let der =
        pki_types::PrivatePkcs1KeyDer::from_pem_slice(key_file!("rsa2048.pkcs1.pem")).unwrap();
    let raw = rsa::PrivateKey::from_pkcs1_der(der.secret_pkcs1_der()).unwrap();
    let key = rsa_key();
    let dec = key.rsa_decrypter().unwrap();
    let random: [u8; 48] = core::array::from_fn(|i| i as u8 ^ 0xc3);
    // Found by flipping each bit of the deterministic ciphertext in turn.
    for (i, bit) in [(23, 6), (25, 7)] {
        let mut c = ct.clone();
        c[i] ^= 1 << bit;
        let synthetic = raw.decrypt(rsa::Pkcs1v15Encrypt, &c).unwrap();
        assert_eq!(
            synthetic.len(),
            48,
            "byte {i} bit {bit}: the case this test is for"
        );
        assert_eq!(
            dec.decrypt_pre_master(&c, ProtocolVersion::TLS12, random),
            with_version(random, ProtocolVersion::TLS12),
            "byte {i} bit {bit}"
        );
    }
}

/// A trivial deterministic RNG for the `rsa` crate in tests.
struct SeqRng(u8);

impl rsa::rand_core::TryRng for SeqRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            self.0 = self.0.wrapping_mul(31).wrapping_add(17);
            *b = self.0 | 1;
        }
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for SeqRng {}

#[test]
fn rsa_encrypt_to_a_non_rsa_or_bad_certificate_fails() {
    for (name, p) in providers() {
        let e = p
            .rsa_encrypt_pre_master(key_file!("p256.crt.der"), &pre_master())
            .unwrap()
            .unwrap_err();
        assert!(matches!(e, Error::Certificate(_)), "{name}: {e:?}");
        let e = p
            .rsa_encrypt_pre_master(b"garbage", &pre_master())
            .unwrap()
            .unwrap_err();
        assert!(matches!(e, Error::Certificate(_)), "{name}: {e:?}");
    }
}

#[test]
fn ecdsa_keys_have_no_rsa_decrypter() {
    let key = RingProvider
        .load_private_key(pem(key_file!("p256.pkcs8.pem")))
        .unwrap();
    assert!(key.rsa_decrypter().is_none());
}

// ---------------------------------------------------------------------------------------
// The deterministic test provider

/// The Illustrated TLS 1.2 Connection's x25519 exchange (keys and expected values from its
/// published data, MIT licence).
#[test]
fn test_provider_reproduces_illustrated_x25519() {
    let client_private: Vec<u8> = (0x20..=0x3f).collect();
    let server_private: Vec<u8> = (0x90..=0xaf).collect();
    let client = TestProvider::new(b"client")
        .with_kx_private_key(NamedGroup::X25519, &client_private)
        .unwrap();
    let server = TestProvider::new(b"server")
        .with_kx_private_key(NamedGroup::X25519, &server_private)
        .unwrap();
    let ck = client
        .kx_group(NamedGroup::X25519)
        .unwrap()
        .start()
        .unwrap();
    let sk = server
        .kx_group(NamedGroup::X25519)
        .unwrap()
        .start()
        .unwrap();
    assert_eq!(
        ck.public_key(),
        hex("358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd166254")
    );
    assert_eq!(
        sk.public_key(),
        hex("9fd7ad6dcff4298dd3f96d5b1b2af910a0535b1488d7f8fabb349a982880b615")
    );
    let expected = hex("df4a291baa1eb7cfa6934b29b474baad2697e29f1f920dcc77c8a0a088447624");
    let cp = ck.public_key().to_vec();
    let sp = sk.public_key().to_vec();
    assert_eq!(ck.complete(&sp).unwrap().as_ref(), expected);
    assert_eq!(sk.complete(&cp).unwrap().as_ref(), expected);

    // Ring agrees with the server's fixed key too.
    let rk = RingProvider
        .kx_group(NamedGroup::X25519)
        .unwrap()
        .start()
        .unwrap();
    let rp = rk.public_key().to_vec();
    let sk2 = TestProvider::new(b"server")
        .with_kx_private_key(NamedGroup::X25519, &server_private)
        .unwrap()
        .kx_group(NamedGroup::X25519)
        .unwrap()
        .start()
        .unwrap();
    let sp2 = sk2.public_key().to_vec();
    assert_eq!(sp2, sp);
    assert_eq!(
        rk.complete(&sp2).unwrap().as_ref(),
        sk2.complete(&rp).unwrap().as_ref()
    );
}

#[test]
fn test_provider_fixed_nist_keys() {
    // Scalar 1 gives the generator as public key.
    let mut one32 = [0u8; 32];
    one32[31] = 1;
    let mut one48 = [0u8; 48];
    one48[47] = 1;
    let p = TestProvider::new(b"")
        .with_kx_private_key(NamedGroup::SECP256R1, &one32)
        .unwrap()
        .with_kx_private_key(NamedGroup::SECP384R1, &one48)
        .unwrap();
    let g256 = p.kx_group(NamedGroup::SECP256R1).unwrap().start().unwrap();
    assert_eq!(
        g256.public_key()[..33],
        hex("046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296")[..]
    );
    let g384 = p.kx_group(NamedGroup::SECP384R1).unwrap().start().unwrap();
    assert_eq!(
        g384.public_key()[..49],
        hex(
            "04aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38\
             5502f25dbf55296c3a545e3872760ab7"
        )[..]
    );
    // The queue is used up: the next keys are derived, and differ.
    let next = p.kx_group(NamedGroup::SECP256R1).unwrap().start().unwrap();
    assert_ne!(next.public_key(), g256.public_key());
}

#[test]
fn test_provider_rejects_invalid_fixed_keys() {
    let order_p256 = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let cases: Vec<(NamedGroup, Vec<u8>)> = vec![
        (NamedGroup::X25519, vec![1; 31]),
        (NamedGroup::SECP256R1, vec![0; 32]),
        (NamedGroup::SECP256R1, order_p256),
        (NamedGroup::SECP256R1, vec![1; 48]),
        (NamedGroup::SECP384R1, vec![1; 32]),
        (NamedGroup::X448, vec![1; 56]),
    ];
    for (g, key) in cases {
        let e = TestProvider::new(b"")
            .with_kx_private_key(g, &key)
            .unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{g:?}: {e:?}");
    }
}

#[test]
fn test_provider_randoms_queue_then_seed() {
    let make = |seed: &[u8]| {
        TestProvider::new(seed)
            .with_random(&[1; 32])
            .with_random(&[2; 48])
    };
    let a = make(b"seed");
    let mut r = [0u8; 32];
    a.fill_random(&mut r).unwrap();
    assert_eq!(r, [1; 32]);
    let mut r48 = [0u8; 48];
    a.fill_random(&mut r48).unwrap();
    assert_eq!(r48, [2; 48]);
    assert_eq!(a.randoms_used(), 2);

    // Then derived from the seed: the same for the same seed, different for another.
    let mut d1 = [0u8; 70];
    a.fill_random(&mut d1).unwrap();
    let b = make(b"seed");
    b.fill_random(&mut [0; 32]).unwrap();
    b.fill_random(&mut [0; 48]).unwrap();
    let mut d2 = [0u8; 70];
    b.fill_random(&mut d2).unwrap();
    assert_eq!(d1, d2);
    let c = make(b"other seed");
    c.fill_random(&mut [0; 32]).unwrap();
    c.fill_random(&mut [0; 48]).unwrap();
    let mut d3 = [0u8; 70];
    c.fill_random(&mut d3).unwrap();
    assert_ne!(d1, d3);
    // Successive derived outputs differ.
    let mut d4 = [0u8; 70];
    a.fill_random(&mut d4).unwrap();
    assert_ne!(d1, d4);

    // The first derived block is SHA-256("tls12 test random" || seed || 0u64).
    let fresh = TestProvider::new(b"seed");
    let mut block = [0u8; 32];
    fresh.fill_random(&mut block).unwrap();
    let expected = ring::digest::digest(
        &ring::digest::SHA256,
        &[&b"tls12 test random"[..], b"seed", &0u64.to_be_bytes()].concat(),
    );
    assert_eq!(block, expected.as_ref());
}

#[test]
fn test_provider_queued_random_length_mismatch_is_an_error() {
    let p = TestProvider::new(b"").with_random(&[1; 32]);
    let e = p.fill_random(&mut [0; 28]).unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::INTERNAL_ERROR));
}

#[test]
fn test_provider_derived_kx_keys_are_deterministic() {
    let a = TestProvider::new(b"kx");
    let b = TestProvider::new(b"kx");
    let c = TestProvider::new(b"kx2");
    for g in GROUPS {
        let ka1 = a.kx_group(g).unwrap().start().unwrap();
        let ka2 = a.kx_group(g).unwrap().start().unwrap();
        let kb1 = b.kx_group(g).unwrap().start().unwrap();
        let kc1 = c.kx_group(g).unwrap().start().unwrap();
        assert_eq!(ka1.public_key(), kb1.public_key(), "{g:?}");
        assert_ne!(ka1.public_key(), ka2.public_key(), "{g:?}");
        assert_ne!(ka1.public_key(), kc1.public_key(), "{g:?}");
    }
}

#[test]
fn test_provider_rsa_encryption_is_deterministic() {
    let a = test_ciphertext();
    let b = test_ciphertext();
    assert_eq!(a, b);
}

#[test]
fn test_provider_delegates_primitives() {
    use tls12::crypto::{AeadAlgorithm, HashAlgorithm};
    let tp = TestProvider::new(b"");
    for alg in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
        assert_eq!(
            tp.hash(alg).hash(b"abc"),
            RingProvider.hash(alg).hash(b"abc")
        );
        assert_eq!(
            tp.hmac(alg).with_key(b"k").sign(&[b"a", b"bc"]),
            RingProvider.hmac(alg).with_key(b"k").sign(&[b"abc"])
        );
    }
    for alg in [
        AeadAlgorithm::Aes128Gcm,
        AeadAlgorithm::Aes256Gcm,
        AeadAlgorithm::ChaCha20Poly1305,
    ] {
        assert_eq!(tp.aead(alg).unwrap().algorithm(), alg);
    }
    assert!(format!("{tp:?}").contains("TestProvider"));
}

// ---------------------------------------------------------------------------------------
// The RustCrypto provider beside ring

#[cfg(feature = "rustcrypto")]
mod rustcrypto {
    use super::*;

    fn rc() -> RustCryptoProvider {
        RustCryptoProvider::from_os_rng()
    }

    #[test]
    fn verifies_the_schemes_ring_does_but_ed25519() {
        let ring: Vec<_> = RingProvider
            .signature_verification()
            .supported_schemes()
            .filter(|s| *s != SignatureScheme::ED25519)
            .collect();
        let rc: Vec<_> = rc().signature_verification().supported_schemes().collect();
        assert_eq!(rc, ring);
        for scheme in &rc {
            assert_eq!(
                rc_algs(*scheme),
                RingProvider
                    .signature_verification()
                    .algorithms_for(*scheme)
                    .unwrap()
                    .len(),
                "{scheme:?}"
            );
        }
    }

    fn rc_algs(scheme: SignatureScheme) -> usize {
        rc().signature_verification()
            .algorithms_for(scheme)
            .unwrap()
            .len()
    }

    /// RFC 8422 5.1.3: an ECDSA scheme names the hash, not the curve. The `p384` and `p256`
    /// crates can sign with the other hash, so both providers are checked on a P-384
    /// signature over SHA-256 and a P-256 one over SHA-384.
    #[test]
    fn ecdsa_scheme_names_the_hash_not_the_curve_both_ways() {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        use p256::pkcs8::DecodePrivateKey;
        use sha2::Digest;
        let message = b"m";
        let p384 = p384::ecdsa::SigningKey::from_pkcs8_der(key_file!("p384.pkcs8.der")).unwrap();
        let sig: p384::ecdsa::Signature =
            p384.sign_prehash(&sha2::Sha256::digest(message)).unwrap();
        let p384_sha256 = sig.to_der().as_bytes().to_vec();
        let p256 = p256::ecdsa::SigningKey::from_pkcs8_der(key_file!("p256.pkcs8.der")).unwrap();
        let sig: p256::ecdsa::Signature =
            p256.sign_prehash(&sha2::Sha384::digest(message)).unwrap();
        let p256_sha384 = sig.to_der().as_bytes().to_vec();
        for (name, p) in real_providers() {
            let sv = p.signature_verification();
            verify_signature(
                sv,
                key_file!("p384.crt.der"),
                SignatureScheme::ECDSA_SECP256R1_SHA256,
                message,
                &p384_sha256,
            )
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            verify_signature(
                sv,
                key_file!("p256.crt.der"),
                SignatureScheme::ECDSA_SECP384R1_SHA384,
                message,
                &p256_sha384,
            )
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            // Under the scheme of the other hash, neither verifies.
            let e = verify_signature(
                sv,
                key_file!("p384.crt.der"),
                SignatureScheme::ECDSA_SECP384R1_SHA384,
                message,
                &p384_sha256,
            )
            .unwrap_err();
            assert!(is_decrypt_error(&e), "{name}: {e:?}");
        }
    }

    #[test]
    fn bad_keys_are_config_errors() {
        use pki_types::{PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
        let p = rc();
        let cases: Vec<(&str, PrivateKeyDer<'static>)> = vec![
            (
                "garbage pkcs8",
                PrivatePkcs8KeyDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00]).into(),
            ),
            (
                "garbage pkcs1",
                PrivatePkcs1KeyDer::from(vec![0xff; 40]).into(),
            ),
            ("garbage sec1", PrivateSec1KeyDer::from(vec![]).into()),
            (
                "EC key as pkcs1",
                PrivatePkcs1KeyDer::from(key_file!("p256.sec1.der").to_vec()).into(),
            ),
            (
                "RSA key as sec1",
                PrivateSec1KeyDer::from(key_file!("rsa2048.pkcs1.der").to_vec()).into(),
            ),
            (
                "truncated pkcs8",
                PrivatePkcs8KeyDer::from(key_file!("p384.pkcs8.der")[..60].to_vec()).into(),
            ),
        ];
        for (what, key) in cases {
            let e = p.load_private_key(key).unwrap_err();
            assert!(matches!(e, Error::Config(_)), "{what}: {e:?}");
        }
        for pem in [&b"no pem here"[..], key_file!("rsa2048.crt.pem")] {
            let e = p.load_private_key_pem(pem).unwrap_err();
            assert!(matches!(e, Error::Config(_)), "{e:?}");
        }
        // Unlike ring, the `p256` crate does not need the public key inside a SEC1 key.
        let nopub = PrivateSec1KeyDer::from(key_file!("p256.sec1-nopub.der").to_vec());
        let key = p.load_private_key(nopub.into()).unwrap();
        let sig = key
            .sign(SignatureScheme::ECDSA_SECP256R1_SHA256, b"m")
            .unwrap();
        verify_signature(
            RingProvider.signature_verification(),
            key_file!("p256.crt.der"),
            SignatureScheme::ECDSA_SECP256R1_SHA256,
            b"m",
            &sig,
        )
        .unwrap();
    }

    #[test]
    fn load_private_key_pem_helper() {
        for pem in [
            key_file!("rsa2048.pkcs1.pem"),
            key_file!("rsa2048.pkcs8.pem"),
            key_file!("p256.sec1.pem"),
            key_file!("p384.pkcs8.pem"),
        ] {
            rc().load_private_key_pem(pem).unwrap();
        }
    }

    /// RustCrypto's RSA keys decrypt what either provider encrypted; ECDSA keys do not
    /// decrypt.
    #[test]
    fn rsa_pre_master_roundtrip() {
        let cert = key_file!("rsa2048.crt.der");
        let pm = pre_master();
        for key in [
            rc().load_private_key(pem(key_file!("rsa2048.pkcs1.pem")))
                .unwrap(),
            rc().load_private_key(pem(key_file!("rsa2048.pkcs8.pem")))
                .unwrap(),
        ] {
            let dec = key.rsa_decrypter().expect("RSA keys decrypt with rsa-kx");
            for (name, p) in providers() {
                let ct = p.rsa_encrypt_pre_master(cert, &pm).unwrap().unwrap();
                let out = dec.decrypt_pre_master(&ct, ProtocolVersion::TLS12, [0x55; 48]);
                assert_eq!(out, pm, "{name}");
                let mut bad = ct.clone();
                bad[10] ^= 0x40;
                let out = dec.decrypt_pre_master(&bad, ProtocolVersion::TLS12, [0x55; 48]);
                assert_eq!(
                    out,
                    with_version([0x55; 48], ProtocolVersion::TLS12),
                    "{name}"
                );
            }
        }
        let ec = rc()
            .load_private_key(pem(key_file!("p256.pkcs8.pem")))
            .unwrap();
        assert!(ec.rsa_decrypter().is_none());
    }

    /// The same choices of scheme as ring's keys, for every key type.
    #[test]
    fn choose_scheme_like_ring() {
        use SignatureScheme as S;
        let offers: [&[S]; 4] = [
            &[
                S::ECDSA_SECP384R1_SHA384,
                S::RSA_PKCS1_SHA512,
                S::RSA_PSS_RSAE_SHA256,
            ],
            &[
                S::RSA_PKCS1_SHA1,
                S::RSA_PSS_PSS_SHA256,
                S::RSA_PKCS1_SHA384,
            ],
            &[S::ECDSA_SECP256R1_SHA256, S::ED25519],
            &[],
        ];
        for file in ["rsa2048.pkcs8.pem", "p256.pkcs8.pem", "p384.pkcs8.pem"] {
            let ring = RingProvider.load_private_key(pem(key_from(file))).unwrap();
            let ours = rc().load_private_key(pem(key_from(file))).unwrap();
            assert_eq!(ring.kind(), ours.kind(), "{file}");
            for offer in offers {
                assert_eq!(
                    ring.choose_scheme(offer),
                    ours.choose_scheme(offer),
                    "{file} {offer:?}"
                );
            }
        }
    }

    fn key_from(file: &str) -> &'static [u8] {
        match file {
            "rsa2048.pkcs8.pem" => key_file!("rsa2048.pkcs8.pem"),
            "p256.pkcs8.pem" => key_file!("p256.pkcs8.pem"),
            _ => key_file!("p384.pkcs8.pem"),
        }
    }

    /// ECDSA signatures are RFC 6979's nonces hedged with fresh randomness: two
    /// signatures of one message differ, and both verify.
    #[test]
    fn ecdsa_signatures_are_hedged() {
        let key = rc()
            .load_private_key(pem(key_file!("p256.pkcs8.pem")))
            .unwrap();
        let a = key
            .sign(SignatureScheme::ECDSA_SECP256R1_SHA256, b"m")
            .unwrap();
        let b = key
            .sign(SignatureScheme::ECDSA_SECP256R1_SHA256, b"m")
            .unwrap();
        assert_ne!(a, b);
    }
}
