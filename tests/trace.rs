//! Traces of real traffic and of a live handshake.
//!
//! The capture `ecdhe-rsa-aes128gcm-x25519-sha512` (openssl s_client against s_server, see
//! tests/data/captures/) is the lecture's handshake: ECDHE-RSA over x25519 with the
//! ServerKeyExchange signed by rsa_pkcs1_sha512. Its traces must read like the lecture's
//! Wireshark views. Run with `--nocapture` to see them.

mod common;

use tls12::Event;
use tls12::internal::codec::enums::{CipherSuite, ContentType, HandshakeType};
use tls12::internal::msgs::{HandshakeMessage, HandshakePayload, KxContext, RecordTrace};
use tls12::internal::record::{Deframer, HandshakeJoiner};
use tls12::suites::{KeyExchange, SupportedSuite};

use common::{Dir, Pair, certified_key, client_config, server_config, with_client_auth};

const CAPTURE: &str = "ecdhe-rsa-aes128gcm-x25519-sha512";

fn capture(suffix: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/captures/{CAPTURE}.{suffix}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One direction's plaintext: each record's trace, and each handshake message.
type Plaintext = (Vec<String>, Vec<HandshakeMessage>);

/// The plaintext part of one direction (up to its ChangeCipherSpec): each record's trace,
/// and each handshake message, decoded with `kx`.
fn plaintext(stream: &[u8], kx: KxContext) -> Plaintext {
    let mut d = Deframer::new();
    let mut j = HandshakeJoiner::new(tls12::internal::record::DEFAULT_MAX_HANDSHAKE_MESSAGE);
    let (mut records, mut msgs) = (Vec::new(), Vec::new());
    let mut input = stream;
    loop {
        let n = d.feed(input);
        input = &input[n..];
        while let Some(rec) = d.next_record().expect("captured records deframe") {
            records.push(RecordTrace::plaintext(rec.header, rec.payload, kx).to_string());
            if rec.header.typ != ContentType::HANDSHAKE {
                return (records, msgs);
            }
            j.push(rec.payload).expect("handshake fragments join");
            while let Some(m) = j.pop().expect("handshake message") {
                msgs.push(HandshakeMessage::decode_with(m.encoded, kx).expect("decodes"));
            }
        }
        assert!(!input.is_empty(), "no ChangeCipherSpec in the capture");
    }
}

/// Both directions' plaintext, with key exchange messages decoded for the negotiated suite.
fn capture_traces() -> (Plaintext, Plaintext) {
    let (s2c, c2s) = (capture("s2c.bin"), capture("c2s.bin"));
    let (_, first) = plaintext(&s2c, KxContext::Unknown);
    let suite = first
        .iter()
        .find_map(|m| match &m.payload {
            HandshakePayload::ServerHello(sh) => SupportedSuite::find(sh.cipher_suite),
            _ => None,
        })
        .expect("ServerHello with an implemented suite");
    let kx = match suite.kx {
        KeyExchange::Rsa => KxContext::Rsa,
        _ => KxContext::Ecdhe,
    };
    (plaintext(&c2s, kx), plaintext(&s2c, kx))
}

fn message(msgs: &[HandshakeMessage], typ: HandshakeType) -> String {
    let m = msgs
        .iter()
        .find(|m| m.typ == typ)
        .unwrap_or_else(|| panic!("no {typ} in the capture"));
    m.to_string()
}

fn show(title: &str, records: &[String]) {
    println!("==== {title}");
    for r in records {
        println!("{r}");
    }
}

/// The JSON description of the capture holds its client random.
fn json_client_random() -> String {
    let json = String::from_utf8(capture("json")).expect("UTF-8 JSON");
    let key = "\"client_random\": \"";
    let at = json.find(key).expect("client_random in the JSON") + key.len();
    json[at..at + 64].to_string()
}

#[test]
fn capture_reads_like_the_lecture() {
    let ((c_records, c_msgs), (s_records, s_msgs)) = capture_traces();
    show("client → server", &c_records);
    show("server → client", &s_records);

    // The record layer around the ClientHello (sent with record version TLS 1.0, as
    // OpenSSL does).
    assert_eq!(
        c_records[0].lines().take(5).collect::<Vec<_>>(),
        [
            "TLSv1.2 Record Layer: Handshake Protocol: Client Hello",
            "    Content Type: Handshake (22)",
            "    Version: TLS 1.0 (0x0301)",
            "    Length: 115",
            "    Handshake Protocol: Client Hello",
        ]
    );

    let ch = message(&c_msgs, HandshakeType::CLIENT_HELLO);
    let random = json_client_random();
    assert_eq!(
        ch,
        format!(
            "\
Handshake Protocol: Client Hello
    Handshake Type: Client Hello (1)
    Length: 111
    Version: TLS 1.2 (0x0303)
    Random: {random}
    Session ID Length: 0
    Cipher Suites Length: 4
    Cipher Suites (2 suites)
        Cipher Suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)
        Cipher Suite: TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00ff)
    Compression Methods Length: 1
    Compression Methods (1 method)
        Compression Method: null (0)
    Extensions Length: 66
    Extension: server_name (len=26)
        Server Name Indication extension
            Server Name Type: host_name (0)
            Server Name: testserver.tls12.test
    Extension: ec_point_formats (len=4)
        EC point formats Length: 3
        Elliptic curves point formats (3)
            EC point format: uncompressed (0)
            EC point format: ansiX962_compressed_prime (1)
            EC point format: ansiX962_compressed_char2 (2)
    Extension: supported_groups (len=4)
        Supported Groups List Length: 2
        Supported Groups (1 group)
            Supported Group: x25519 (0x001d)
    Extension: session_ticket (len=0)
        Session Ticket Length: 0
    Extension: encrypt_then_mac (0x0016) len 0
    Extension: extended_master_secret (len=0)
    Extension: signature_algorithms (len=4)
        Signature Hash Algorithms Length: 2
        Signature Hash Algorithms (1 algorithm)
            Signature Algorithm: rsa_pkcs1_sha512 (0x0601)"
        )
    );

    let sh = message(&s_msgs, HandshakeType::SERVER_HELLO);
    assert_eq!(
        sh,
        "\
Handshake Protocol: Server Hello
    Handshake Type: Server Hello (2)
    Length: 61
    Version: TLS 1.2 (0x0303)
    Random: 18fbf1c22fdbc6f12f571ae51d9aa5ba2eff698f0f3b6a1da834b56035111d67
    Session ID Length: 0
    Cipher Suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)
    Compression Method: null (0)
    Extensions Length: 21
    Extension: renegotiation_info (len=1)
        Renegotiation Info extension
            Renegotiation info extension length: 0
    Extension: ec_point_formats (len=4)
        EC point formats Length: 3
        Elliptic curves point formats (3)
            EC point format: uncompressed (0)
            EC point format: ansiX962_compressed_prime (1)
            EC point format: ansiX962_compressed_char2 (2)
    Extension: session_ticket (len=0)
    Extension: extended_master_secret (len=0)"
    );

    let cert = message(&s_msgs, HandshakeType::CERTIFICATE);
    assert!(
        cert.contains("\n    Certificates (1 certificate)\n"),
        "{cert}"
    );
    assert!(
        cert.contains("\n        Certificate Length: 917\n"),
        "{cert}"
    );
    assert!(
        cert.ends_with(
            "\n            Subject: CN=testserver.tls12.test\n            Issuer: CN=tls12 test RSA root CA"
        ),
        "{cert}"
    );

    let ske = message(&s_msgs, HandshakeType::SERVER_KEY_EXCHANGE);
    assert_eq!(
        ske,
        "\
Handshake Protocol: Server Key Exchange
    Handshake Type: Server Key Exchange (12)
    Length: 296
    EC Diffie-Hellman Server Params
        Curve Type: named_curve (0x03)
        Named Curve: x25519 (0x001d)
        Pubkey Length: 32
        Pubkey: 468f0852e5ff57eb481b7e321a54405435bbb3b65220164120ca70571290c801
        Signature Algorithm: rsa_pkcs1_sha512 (0x0601)
        Signature Length: 256
        Signature: 8d0cb4dfa2f03194fc438247fd764ceb... (256 bytes)"
    );
    // The alternate form prints the whole signature.
    let full = s_msgs
        .iter()
        .find(|m| m.typ == HandshakeType::SERVER_KEY_EXCHANGE)
        .map(|m| format!("{m:#}"))
        .expect("SKE");
    let sig = full.lines().last().expect("a last line");
    assert_eq!(sig.len(), "        Signature: ".len() + 512, "{sig}");
    assert!(sig.starts_with("        Signature: 8d0cb4dfa2f03194fc438247fd764ceb"));

    let cke = message(&c_msgs, HandshakeType::CLIENT_KEY_EXCHANGE);
    assert_eq!(
        cke,
        "\
Handshake Protocol: Client Key Exchange
    Handshake Type: Client Key Exchange (16)
    Length: 33
    EC Diffie-Hellman Client Params
        Pubkey Length: 32
        Pubkey: 9af440fc3082ff463bccdc84797a56e9fd5320f91c75ad14f361e73af46b6a37"
    );

    // Each direction's plaintext ends with its ChangeCipherSpec record.
    for records in [&c_records, &s_records] {
        assert_eq!(
            records.last().map(String::as_str),
            Some(
                "TLSv1.2 Record Layer: Change Cipher Spec Protocol: Change Cipher Spec\n    \
                 Content Type: Change Cipher Spec (20)\n    Version: TLS 1.2 (0x0303)\n    \
                 Length: 1\n    Change Cipher Spec Message"
            )
        );
    }
}

/// The titles (`TLSv1.2 Record Layer: ...`) of the records in a byte stream: plaintext up to
/// the sender's ChangeCipherSpec, encrypted after it.
fn record_titles(stream: &[u8], kx: KxContext) -> Vec<String> {
    let mut d = Deframer::new();
    let mut titles = Vec::new();
    let mut encrypted = false;
    let mut input = stream;
    while !input.is_empty() {
        let n = d.feed(input);
        input = &input[n..];
        while let Some(rec) = d.next_record().expect("live records deframe") {
            let trace = if encrypted {
                RecordTrace::encrypted(rec.header, rec.payload)
            } else {
                RecordTrace::plaintext(rec.header, rec.payload, kx)
            }
            .to_string();
            assert!(!trace.contains("Malformed"), "{trace}");
            let title = trace.lines().next().expect("a title line");
            let title = title
                .strip_prefix("TLSv1.2 Record Layer: ")
                .unwrap_or_else(|| panic!("record title: {title}"));
            titles.push(title.to_string());
            encrypted |= rec.header.typ == ContentType::CHANGE_CIPHER_SPEC;
        }
    }
    titles
}

struct Variant {
    name: &'static str,
    kx: KxContext,
    mutual: bool,
    rsa_kx: bool,
    client_records: &'static [&'static str],
    server_records: &'static [&'static str],
}

const CCS: &str = "Change Cipher Spec Protocol: Change Cipher Spec";
const ENCRYPTED: &str = "Handshake Protocol: Encrypted Handshake Message";

const VARIANTS: &[Variant] = &[
    Variant {
        name: "ecdhe",
        kx: KxContext::Ecdhe,
        mutual: false,
        rsa_kx: false,
        client_records: &[
            "Handshake Protocol: Client Hello",
            "Handshake Protocol: Client Key Exchange",
            CCS,
            ENCRYPTED,
        ],
        server_records: &[
            "Handshake Protocol: Server Hello",
            "Handshake Protocol: Certificate",
            "Handshake Protocol: Server Key Exchange",
            "Handshake Protocol: Server Hello Done",
            "Handshake Protocol: New Session Ticket",
            CCS,
            ENCRYPTED,
        ],
    },
    Variant {
        name: "ecdhe, mutual",
        kx: KxContext::Ecdhe,
        mutual: true,
        rsa_kx: false,
        client_records: &[
            "Handshake Protocol: Client Hello",
            "Handshake Protocol: Certificate",
            "Handshake Protocol: Client Key Exchange",
            "Handshake Protocol: Certificate Verify",
            CCS,
            ENCRYPTED,
        ],
        server_records: &[
            "Handshake Protocol: Server Hello",
            "Handshake Protocol: Certificate",
            "Handshake Protocol: Server Key Exchange",
            "Handshake Protocol: Certificate Request",
            "Handshake Protocol: Server Hello Done",
            "Handshake Protocol: New Session Ticket",
            CCS,
            ENCRYPTED,
        ],
    },
    Variant {
        name: "rsa key exchange",
        kx: KxContext::Rsa,
        mutual: false,
        rsa_kx: true,
        client_records: &[
            "Handshake Protocol: Client Hello",
            "Handshake Protocol: Client Key Exchange",
            CCS,
            ENCRYPTED,
        ],
        server_records: &[
            "Handshake Protocol: Server Hello",
            "Handshake Protocol: Certificate",
            "Handshake Protocol: Server Hello Done",
            "Handshake Protocol: New Session Ticket",
            CCS,
            ENCRYPTED,
        ],
    },
];

fn handshake_traces(events: &[Event], sent: bool) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match (e, sent) {
            (Event::HandshakeMessageSent(m), true)
            | (Event::HandshakeMessageReceived(m), false) => {
                let trace = m.to_string();
                assert!(
                    trace.starts_with(&format!("Handshake Protocol: {}\n", m.typ)),
                    "{trace}"
                );
                Some(trace)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn live_handshake_messages_trace() {
    for v in VARIANTS {
        let mut c = client_config();
        let mut s = server_config(&["server-rsa"]);
        c.common.message_events = true;
        s.common.message_events = true;
        if v.mutual {
            s = with_client_auth(s, true);
            c.client_cert = Some(certified_key("client-rsa"));
        }
        if v.rsa_kx {
            let rsa = [CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256];
            c.common.set_suites(&rsa).expect("RSA kx implemented");
            s.common.set_suites(&rsa).expect("RSA kx implemented");
        }
        let mut pair = Pair::new(c, s);
        let (mut to_server, mut to_client) = (Vec::new(), Vec::new());
        pair.run_with(|dir, _, bytes| match dir {
            Dir::ToServer => to_server.extend_from_slice(bytes),
            Dir::ToClient => to_client.extend_from_slice(bytes),
        });
        assert!(
            pair.c.error.is_none() && pair.s.error.is_none(),
            "{}",
            v.name
        );
        assert!(!pair.client.is_handshaking(), "{}", v.name);

        // Every message event traces, and each side's sent messages are what the other
        // received (Finished included: the events see it decrypted).
        let c_sent = handshake_traces(&pair.c.events, true);
        let s_sent = handshake_traces(&pair.s.events, false);
        assert_eq!(c_sent, s_sent, "{}: client → server", v.name);
        let s_sent = handshake_traces(&pair.s.events, true);
        let c_recv = handshake_traces(&pair.c.events, false);
        assert_eq!(s_sent, c_recv, "{}: server → client", v.name);
        assert!(
            c_sent
                .last()
                .is_some_and(|t| t.starts_with("Handshake Protocol: Finished\n"))
        );
        assert!(
            s_sent
                .last()
                .is_some_and(|t| t.starts_with("Handshake Protocol: Finished\n"))
        );

        // The bytes on the wire trace record by record.
        assert_eq!(
            record_titles(&to_server, v.kx),
            v.client_records,
            "{}",
            v.name
        );
        assert_eq!(
            record_titles(&to_client, v.kx),
            v.server_records,
            "{}",
            v.name
        );
    }
}

/// Application data and close_notify after the handshake: encrypted records with lengths.
#[test]
fn live_application_data_records() {
    let mut pair = Pair::new(client_config(), server_config(&["server-p256"]));
    pair.handshake();
    pair.client.write(b"GET / HTTP/1.1\r\n\r\n").expect("write");
    pair.client.close().expect("close");
    common::pump(&mut pair.client, &[], &mut pair.c);
    let bytes = std::mem::take(&mut pair.c.tx);
    let mut d = Deframer::new();
    assert_eq!(d.feed(&bytes), bytes.len());
    let mut traces = Vec::new();
    while let Some(rec) = d.next_record().expect("records") {
        traces.push(RecordTrace::encrypted(rec.header, rec.payload).to_string());
    }
    let lines: Vec<Vec<&str>> = traces.iter().map(|t| t.lines().collect()).collect();
    // AES-GCM: 8-byte explicit nonce + 18 bytes + 16-byte tag.
    assert_eq!(
        lines[0][0],
        "TLSv1.2 Record Layer: Application Data Protocol: Application Data"
    );
    assert_eq!(
        lines[0][1..4],
        [
            "    Content Type: Application Data (23)",
            "    Version: TLS 1.2 (0x0303)",
            "    Length: 42"
        ]
    );
    assert!(
        lines[0][4].starts_with("    Encrypted Application Data: "),
        "{}",
        lines[0][4]
    );
    assert!(lines[0][4].ends_with("... (42 bytes)"));
    assert_eq!(lines[1][0], "TLSv1.2 Record Layer: Encrypted Alert");
    assert_eq!(lines[1][3], "    Length: 26");
    assert_eq!(lines.len(), 2);
}

/// Formatting is total: the handshake fuzz corpus, decoded with every key exchange context,
/// and every prefix of each seed as a record payload of every content type, formats without
/// panicking.
#[test]
fn traces_never_panic_on_the_fuzz_corpus() {
    let dir = format!("{}/fuzz/corpus/handshake", env!("CARGO_MANIFEST_DIR"));
    let mut formatted = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let bytes = std::fs::read(entry.expect("corpus entry").path()).expect("readable");
        for kx in [KxContext::Unknown, KxContext::Ecdhe, KxContext::Rsa] {
            if let Ok(m) = HandshakeMessage::decode_with(&bytes, kx) {
                assert!(m.to_string().starts_with("Handshake Protocol: "));
                assert!(format!("{m:#}").starts_with("Handshake Protocol: "));
                formatted += 1;
            }
            for typ in [20, 21, 22, 23] {
                for end in 0..bytes.len().min(64) {
                    let header = tls12::internal::record::RecordHeader {
                        typ: ContentType(typ),
                        version: tls12::enums::ProtocolVersion::TLS12,
                        len: end as u16,
                    };
                    let p = &bytes[..end];
                    let plain = RecordTrace::plaintext(header, p, kx).to_string();
                    assert!(plain.starts_with("TLSv1.2 Record Layer: "), "{plain}");
                    let enc = RecordTrace::encrypted(header, p).to_string();
                    assert!(enc.starts_with("TLSv1.2 Record Layer: "), "{enc}");
                }
            }
        }
    }
    assert!(formatted > 10, "only {formatted} corpus entries decoded");
}
