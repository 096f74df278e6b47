//! The structure-aware fuzz targets (`tls12::fuzzing::structured`): their scripts complete
//! real handshakes, so the fuzzer starts from connections that get past the handshake.
#![cfg(all(feature = "fuzzing", feature = "arbitrary"))]

use tls12::fuzzing::structured::*;

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
    run_api_script(&ApiScript {
        client_opts: 0,
        server_opts: 0,
        ops,
    });
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
