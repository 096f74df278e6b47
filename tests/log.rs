//! The `log` feature: handshake milestones, negotiated parameters, alerts sent and received
//! and errors are logged under the target `tls12`; no secret ever is (checked against the
//! master secrets of the same connections, from their key log).
#![cfg(feature = "log")]

mod common;

use std::sync::{Arc, Mutex};

use common::{Pair, client_config, server_config};
use tls12::crypto::keylog::KeyLogBuffer;

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target() == "tls12" {
            let line = format!("{} {}", record.level(), record.args());
            self.0.lock().unwrap().push(line);
        }
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn milestones_alerts_and_errors_are_logged_and_secrets_are_not() {
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    // A good handshake, data, close; then a resumed one; then a failing one.
    let keylog = Arc::new(KeyLogBuffer::new());
    let mut c = client_config();
    c.common.key_log = Some(keylog.clone());
    c.common.alpn_protocols = vec![b"h2".to_vec()];
    let mut s = server_config(&["server-rsa"]);
    s.common.alpn_protocols = vec![b"h2".to_vec()];
    for _ in 0..2 {
        let mut pair = Pair::new(c.clone(), s.clone());
        pair.handshake();
        pair.client.write(b"secret application data").unwrap();
        pair.client.close().unwrap();
        pair.run();
    }
    let mut bad = client_config();
    bad.common.alpn_protocols = vec![b"spdy/1".to_vec()];
    let mut pair = Pair::new(bad, s);
    pair.run();
    assert!(pair.c.error.is_some());

    let lines = CAPTURE.0.lock().unwrap().clone();
    let all = lines.join("\n");
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(
        has("handshake complete: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "{all}"
    );
    assert!(has("ALPN Some(\"h2\")"), "{all}");
    assert!(has("resumed true"), "{all}");
    assert!(has("offering a stored session"), "{all}");
    assert!(has("resuming a session"), "{all}");
    assert!(has("sending CLIENT_HELLO"), "{all}");
    assert!(has("received SERVER_HELLO"), "{all}");
    assert!(has("sending close_notify"), "{all}");
    assert!(has("alert close_notify"), "{all}");
    assert!(has("sending fatal alert no_application_protocol"), "{all}");
    assert!(has("connection failed"), "{all}");
    // No master secret (as hex, as the key log writes it) and no application data.
    let secrets = keylog.contents();
    let masters: Vec<&str> = secrets
        .lines()
        .filter_map(|l| l.split(' ').nth(2))
        .collect();
    assert!(masters.len() >= 2);
    for m in masters {
        assert!(!all.to_lowercase().contains(&m.to_lowercase()[..16]), "{m}");
    }
    assert!(!all.contains("secret application data"));
}
