//! The structure-aware fuzz targets (`tls12::fuzzing::structured`): their scripts complete
//! real handshakes, so the fuzzer starts from connections that get past the handshake.
#![cfg(all(feature = "fuzzing", feature = "arbitrary"))]

use arbitrary::{Arbitrary, Unstructured};
use tls12::Error;
use tls12::enums::{AlertDescription, CipherSuite};
use tls12::fuzzing::structured::*;
use tls12::fuzzing::{
    Extras, LIMIT_RECEIVE_BUFFER, PSK_AFTER, PSK_CCM, PSK_FIRST, PSK_HINT_B, PSK_HINTS,
    PSK_IDENTITIES, PSK_NO_HINT, PSK_ONLY,
};

#[test]
fn the_empty_script_completes_both_connections_of_each_target() {
    for (side, outcomes) in [
        ("client", client_structured(&[])),
        ("server", server_structured(&[])),
    ] {
        assert_eq!(outcomes.len(), 2, "{side}");
        for (i, o) in outcomes.iter().enumerate() {
            assert!(o.error.is_none(), "{side} connection {i}: {:?}", o.error);
            assert!(o.summary.is_some(), "{side} connection {i}: no handshake");
        }
    }
}

#[test]
fn the_api_target_settles_a_default_pair_and_scripted_calls() {
    use tls12::fuzzing::api::*;
    tls12::fuzzing::api(&[]);
    let ops = vec![
        Op::Write {
            server: false,
            len: 100,
        },
        Op::Poll {
            server: false,
            buf: 0,
        },
        Op::Poll {
            server: false,
            buf: 1,
        },
        Op::Deliver {
            server: true,
            max: 3,
        },
        Op::DeliverInPlace {
            server: true,
            max: 1000,
            overclaim: true,
        },
        Op::Poll {
            server: true,
            buf: 7,
        },
        Op::Deliver {
            server: false,
            max: 65535,
        },
        Op::Poll {
            server: false,
            buf: 4096,
        },
        Op::WriteInto {
            server: false,
            len: 50,
            out: 10,
        },
        Op::Close { server: true },
        Op::Eof { server: false },
    ];
    let out = run_api_script(&ApiScript {
        client_opts: 0,
        server_opts: 0,
        client_extras: Extras::NONE,
        server_extras: Extras::NONE,
        ops,
    });
    assert_eq!(out.suites[0], out.suites[1]);
}

fn empty<'a, T: arbitrary::Arbitrary<'a>>() -> T {
    T::arbitrary(&mut arbitrary::Unstructured::new(&[])).expect("the empty input is a value")
}

#[test]
fn the_second_connection_resumes_what_the_first_stored() {
    // Client target: a ticket in the first connection, resumed by the second.
    let mut script: ServerScript = empty();
    script.first.ticket = Some(ScriptTicket {
        lifetime_hint: 60,
        ticket: Blob {
            bytes: b"ticket".to_vec(),
            size: Some(Size::Exactly(1000)),
        },
    });
    script.second.resume = true;
    script.second.app_data = b"hello".to_vec();
    let out = run_server_script(&script);
    let second = out[1].summary.as_ref().expect("second handshake");
    assert!(second.resumed && out[1].error.is_none(), "{out:?}");
    assert_eq!(out[1].app_data, b"hello");

    // Server target: a session ID from the first connection, offered by the second, and a
    // stretched host name shaped as a DNS name: 253 bytes is kept and resumed.
    let mut script: ClientScript = empty();
    script.first.host_name = Some(Blob {
        bytes: vec![],
        size: Some(Size::AroundU8(-3)),
    });
    script.second.offer_session = true;
    let out = run_client_script(&script);
    let second = out[1].summary.as_ref().expect("second handshake");
    assert!(second.resumed && out[1].error.is_none(), "{out:?}");
    assert_eq!(second.server_name.as_deref().map(str::len), Some(253));

    // 254 bytes and more are refused at the first ClientHello (unrecognized_name).
    let mut script: ClientScript = empty();
    script.first.host_name = Some(Blob {
        bytes: vec![],
        size: Some(Size::AroundU8(-2)),
    });
    let out = run_client_script(&script);
    assert_eq!(
        out[0].error.as_ref().and_then(tls12::Error::alert),
        Some(tls12::enums::AlertDescription::UNRECOGNIZED_NAME),
        "{out:?}"
    );
}

fn extras(psk: u8, limits: u8) -> Extras {
    Extras { psk, limits }
}

/// `record_size_limit` `RECORD_SIZE_LIMITS[i]` in an `Extras::limits` byte.
const fn rsl(i: u8) -> u8 {
    i << 3
}

fn client_script(opts: u8, e: Extras) -> ClientScript {
    let mut script: ClientScript = empty();
    script.opts = opts;
    script.extras = e;
    script.frag = 16383;
    script
}

fn server_script(opts: u8, e: Extras) -> ServerScript {
    let mut script: ServerScript = empty();
    script.opts = opts;
    script.extras = e;
    script.frag = 16383;
    script
}

/// The first connection completed without error: its summary.
fn completed(out: &[ConnOutcome]) -> &tls12::HandshakeSummary {
    assert!(out[0].error.is_none(), "{:?}", out[0].error);
    out[0]
        .summary
        .as_deref()
        .expect("the first handshake completed")
}

fn alert(out: &ConnOutcome) -> Option<AlertDescription> {
    out.error.as_ref().and_then(Error::alert)
}

#[test]
fn the_structured_targets_play_psk_and_ecdhe_psk() {
    // Client target: the scripted server picks the client's first suite.
    let out = run_server_script(&server_script(0, extras(PSK_FIRST, 0)));
    let s = completed(&out);
    assert_eq!(s.suite, CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
    assert_eq!(s.psk_identity.as_deref(), Some(PSK_IDENTITIES[0]));
    assert!(s.peer_certificates.is_empty());
    // A hint naming the second key: the client answers with the second identity.
    let mut script = server_script(0, extras(PSK_ONLY, 0));
    script.first.psk_hint = Some(Blob {
        bytes: PSK_HINTS[1].to_vec(),
        size: None,
    });
    let out = run_server_script(&script);
    let s = completed(&out);
    assert_eq!(s.suite, CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256);
    assert_eq!(s.psk_identity.as_deref(), Some(PSK_IDENTITIES[1]));
    // The second connection resumes the PSK session the first stored with its ticket.
    script.first.ticket = Some(ScriptTicket {
        lifetime_hint: 60,
        ticket: Blob {
            bytes: b"psk ticket".to_vec(),
            size: None,
        },
    });
    script.second.resume = true;
    let out = run_server_script(&script);
    let second = out[1].summary.as_deref().expect("second handshake");
    assert!(second.resumed, "{out:?}");
    assert_eq!(second.psk_identity.as_deref(), Some(PSK_IDENTITIES[1]));
    // A hint of 2^16 - 1 bytes: over max_psk_identity_len, illegal_parameter.
    let mut script = server_script(0, extras(PSK_ONLY, 0));
    script.first.psk_hint = Some(Blob {
        bytes: vec![],
        size: Some(Size::BelowU16(0)),
    });
    let out = run_server_script(&script);
    assert_eq!(alert(&out[0]), Some(AlertDescription::ILLEGAL_PARAMETER));

    // Server target: the scripted client sends the identity the server's hint names.
    let out = run_client_script(&client_script(0, extras(PSK_FIRST | PSK_HINT_B, 0)));
    let s = completed(&out);
    assert_eq!(s.suite, CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
    assert_eq!(s.psk_identity.as_deref(), Some(PSK_IDENTITIES[1]));
    // No hint: PSK alone, no ServerKeyExchange, the first identity.
    let out = run_client_script(&client_script(0, extras(PSK_ONLY | PSK_NO_HINT, 0)));
    let s = completed(&out);
    assert_eq!(s.suite, CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256);
    assert_eq!(s.psk_identity.as_deref(), Some(PSK_IDENTITIES[0]));
    // An identity of 65,531 bytes (the message stays within 64 KiB): over
    // max_psk_identity_len, unknown_psk_identity.
    let mut script = client_script(0, extras(PSK_AFTER, 0));
    script.first.hello.cipher_suites = vec![CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384];
    script.first.psk_identity = Some(Blob {
        bytes: b"x".to_vec(),
        size: Some(Size::BelowU16(1)),
    });
    let out = run_client_script(&script);
    let e = &out[0].error;
    assert_eq!(
        alert(&out[0]),
        Some(AlertDescription::UNKNOWN_PSK_IDENTITY),
        "{e:?}"
    );
}

#[test]
fn the_structured_targets_play_ccm_8() {
    for (opts, e, suite) in [
        (
            0,
            extras(PSK_FIRST | PSK_CCM, 0),
            CipherSuite::TLS_PSK_WITH_AES_128_CCM_8,
        ),
        (
            1,
            extras(PSK_CCM, 0),
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
        ),
    ] {
        let mut script = server_script(opts, e);
        script.first.app_data = b"eight-byte tags".to_vec();
        let out = run_server_script(&script);
        assert_eq!(completed(&out).suite, suite);
        assert_eq!(out[0].app_data, b"eight-byte tags");
        let mut script = client_script(opts, e);
        script.first.app_data = b"eight-byte tags".to_vec();
        let out = run_client_script(&script);
        assert_eq!(completed(&out).suite, suite);
        assert_eq!(out[0].app_data, b"eight-byte tags");
    }
}

#[test]
fn the_structured_targets_negotiate_record_limits_with_any_value() {
    // The client asks for max_fragment_length 512 and a record_size_limit of 64, with its
    // receive buffer that small from the start: the scripted server keeps its records
    // within 64 bytes and the handshake and 1,000 bytes of data get through.
    for limits in [
        1 | LIMIT_RECEIVE_BUFFER,
        rsl(1) | LIMIT_RECEIVE_BUFFER,
        rsl(3),
    ] {
        let mut script = server_script(0, extras(0, limits));
        script.first.app_data = vec![7; 1000];
        let out = run_server_script(&script);
        completed(&out);
        assert_eq!(out[0].app_data.len(), 1000, "limits {limits:#x}");
        let mut script = client_script(0, extras(0, limits));
        script.first.rsl = Some(Limit::Valid(0));
        script.first.mfl = Some(Limit::Valid(0));
        script.first.app_data = vec![7; 1000];
        let out = run_client_script(&script);
        completed(&out);
        assert_eq!(out[0].app_data.len(), 1000, "limits {limits:#x}");
    }
    // Illegal values reach the endpoints and are refused with the alert each RFC names.
    let mut script = server_script(0, extras(0, 1));
    script.first.mfl = Some(Limit::Boundary(3)); // code 5: undefined
    let out = run_server_script(&script);
    assert_eq!(alert(&out[0]), Some(AlertDescription::ILLEGAL_PARAMETER));
    let mut script = server_script(0, extras(0, rsl(3)));
    script.first.rsl = Some(Limit::Boundary(4)); // 63: under the minimum
    let out = run_server_script(&script);
    assert!(alert(&out[0]).is_some(), "{:?}", out[0].error);
    let mut script = client_script(0, extras(0, 0));
    script.first.rsl = Some(Limit::Value(0));
    let out = run_client_script(&script);
    assert!(alert(&out[0]).is_some(), "{:?}", out[0].error);
    let mut script = client_script(0, extras(0, 0));
    script.first.mfl = Some(Limit::Boundary(0)); // code 0: undefined
    let out = run_client_script(&script);
    assert_eq!(alert(&out[0]), Some(AlertDescription::ILLEGAL_PARAMETER));
}

// ---------------------------------------------------------------------------------------
// Seeds for the new paths. `Arbitrary` has no encoder, so each seed is built as bytes: the
// configuration bytes, zeros for the first turn's fields before the new ones (found by
// decoding: zeros decode as the defaults), then the new fields. Each is checked to decode
// to the script it names and to reach what it is for.
// ---------------------------------------------------------------------------------------

/// `Some(Limit::Valid(i))` (an `Option` flag, the variant index as a `u32`, the byte).
fn valid_limit(i: u8) -> Vec<u8> {
    vec![1, 0, 0, 0, 0, i]
}

/// `Some(Blob { bytes, size: None })` (a `Vec` is a continue flag before each element).
fn some_blob(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![1];
    for b in bytes {
        out.extend_from_slice(&[1, *b]);
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// The configuration bytes, then zeros, then `tail`: the first decoding `check` accepts.
fn seed<S: for<'a> Arbitrary<'a>>(head: &[u8], tail: &[u8], check: impl Fn(&S) -> bool) -> Vec<u8> {
    for zeros in 0..1024 {
        let mut bytes = head.to_vec();
        bytes.resize(head.len() + zeros, 0);
        bytes.extend_from_slice(tail);
        if let Ok(s) = S::arbitrary_take_rest(Unstructured::new(&bytes)) {
            if check(&s) {
                return bytes;
            }
        }
    }
    panic!("no seed for {head:?} {tail:?}");
}

/// A target's seed: its name, bytes, and the suite the first connection must agree on.
struct Seed {
    target: &'static str,
    name: &'static str,
    bytes: Vec<u8>,
    suite: CipherSuite,
}

/// Full-size records (`frag` 16383, `u16` little-endian).
const FRAG: [u8; 2] = [0xff, 0x3f];

fn new_seeds() -> Vec<Seed> {
    use CipherSuite as C;
    let head = |opts: u8, e: Extras| [opts, e.psk, e.limits, FRAG[0], FRAG[1]];
    let mut out = Vec::new();
    let mut add = |target, name, bytes, suite| {
        out.push(Seed {
            target,
            name,
            bytes,
            suite,
        })
    };
    // client_structured: the scripted server answers the client's own limits.
    let cs = "client_structured";
    let plain = |opts, e| head(opts, e).to_vec();
    add(
        cs,
        "seed-ecdhe-psk",
        plain(0, extras(PSK_FIRST, 0)),
        C::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
    );
    add(
        cs,
        "seed-psk-ccm8",
        plain(0, extras(PSK_FIRST | PSK_CCM, 0)),
        C::TLS_PSK_WITH_AES_128_CCM_8,
    );
    add(
        cs,
        "seed-ecdhe-ecdsa-ccm8",
        plain(0, extras(PSK_CCM, 0)),
        C::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    );
    add(
        cs,
        "seed-record-size-limit-512",
        plain(0, extras(0, rsl(3))),
        C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    );
    add(
        cs,
        "seed-max-fragment-length-512-receive-buffer",
        plain(0, extras(0, 1 | LIMIT_RECEIVE_BUFFER)),
        C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    );
    let hint_b = [some_blob(PSK_HINTS[1]), vec![0, 0]].concat();
    let bytes = seed(
        &head(0, extras(PSK_ONLY, 0)),
        &hint_b,
        |s: &ServerScript| {
            s.first
                .psk_hint
                .as_ref()
                .is_some_and(|b| b.bytes == PSK_HINTS[1])
                && !s.first.raw
        },
    );
    add(
        cs,
        "seed-psk-hint-b",
        bytes,
        C::TLS_PSK_WITH_AES_128_GCM_SHA256,
    );

    // server_structured: the scripted client offers limits only when told.
    let ss = "server_structured";
    add(
        ss,
        "seed-ecdhe-psk-hint-b",
        plain(0, extras(PSK_FIRST | PSK_HINT_B, 0)),
        C::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
    );
    add(
        ss,
        "seed-psk-no-hint",
        plain(0, extras(PSK_ONLY | PSK_NO_HINT, 0)),
        C::TLS_PSK_WITH_AES_128_GCM_SHA256,
    );
    add(
        ss,
        "seed-psk-ccm8",
        plain(0, extras(PSK_FIRST | PSK_CCM, 0)),
        C::TLS_PSK_WITH_AES_128_CCM_8,
    );
    add(
        ss,
        "seed-ecdhe-ecdsa-ccm8",
        plain(1, extras(PSK_CCM, 0)),
        C::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    );
    // Offers record_size_limit 512 (Valid(7)) to a server whose own limit is 512.
    let tail = [vec![0, 0], valid_limit(7)].concat();
    let bytes = seed(
        &head(0, extras(0, rsl(3) | LIMIT_RECEIVE_BUFFER)),
        &tail,
        |s: &ClientScript| {
            matches!(s.first.rsl, Some(Limit::Valid(7))) && s.first.mfl.is_none() && !s.first.raw
        },
    );
    add(
        ss,
        "seed-record-size-limit-512",
        bytes,
        C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    );
    // Offers max_fragment_length 1024 (Valid(1)).
    let tail = [vec![0], valid_limit(1), vec![0]].concat();
    let bytes = seed(&head(0, extras(0, 0)), &tail, |s: &ClientScript| {
        matches!(s.first.mfl, Some(Limit::Valid(1))) && s.first.rsl.is_none() && !s.first.raw
    });
    add(
        ss,
        "seed-max-fragment-length-1024",
        bytes,
        C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    );

    // api: both sides' options and extras, no calls (settled: a full handshake).
    let api = |c: Extras, s: Extras, sopts: u8| vec![0, sopts, c.psk, c.limits, s.psk, s.limits];
    add(
        "api",
        "seed-ecdhe-psk",
        api(extras(PSK_FIRST, 0), extras(PSK_FIRST, 0), 0),
        C::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256,
    );
    add(
        "api",
        "seed-psk-ccm8-max-fragment-length-512",
        api(
            extras(PSK_FIRST | PSK_CCM, 1),
            extras(PSK_AFTER | PSK_CCM, 0),
            0,
        ),
        C::TLS_PSK_WITH_AES_128_CCM_8,
    );
    add(
        "api",
        "seed-record-size-limit-64-receive-buffer",
        api(
            extras(0, rsl(1) | LIMIT_RECEIVE_BUFFER),
            extras(0, rsl(3)),
            1,
        ),
        C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    );
    add(
        "api",
        "seed-ecdhe-ecdsa-ccm8",
        api(extras(PSK_CCM, 0), extras(PSK_CCM, rsl(4)), 1),
        C::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    );
    out
}

fn seed_path(s: &Seed) -> String {
    format!(
        "{}/fuzz/corpus/{}/{}",
        env!("CARGO_MANIFEST_DIR"),
        s.target,
        s.name
    )
}

#[test]
fn the_new_seeds_reach_psk_ccm_and_record_limits_and_are_committed() {
    for s in new_seeds() {
        let suite = match s.target {
            "api" => {
                let script = tls12::fuzzing::api::ApiScript::arbitrary_take_rest(
                    Unstructured::new(&s.bytes),
                )
                .expect("a script");
                let out = tls12::fuzzing::api::run_api_script(&script);
                assert_eq!(out.errors, [None, None], "{}", s.name);
                assert_eq!(out.suites[0], out.suites[1], "{}", s.name);
                out.suites[0]
            }
            target => {
                let out = match target {
                    "client_structured" => client_structured(&s.bytes),
                    _ => server_structured(&s.bytes),
                };
                assert!(out[0].error.is_none(), "{}: {:?}", s.name, out[0].error);
                out[0].summary.as_ref().map(|x| x.suite)
            }
        };
        assert_eq!(suite, Some(s.suite), "{}", s.name);
        let committed = std::fs::read(seed_path(&s)).unwrap_or_default();
        assert_eq!(
            committed, s.bytes,
            "{}: rewrite with write_new_seeds",
            s.name
        );
    }
}

#[test]
#[ignore = "rewrites the PSK, CCM_8 and record limit seeds; run by hand"]
fn write_new_seeds() {
    for s in new_seeds() {
        std::fs::write(seed_path(&s), &s.bytes).expect("write seed");
    }
}
