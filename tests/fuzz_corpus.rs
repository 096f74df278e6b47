//! Replays the committed fuzz corpora (fuzz/corpus/TARGET/) through the same checks the
//! cargo-fuzz targets run, so every seed and every saved crash input stays a regression test.

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = format!("{}/fuzz/corpus/{target}", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.expect("readable corpus entry").path();
        run(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        n += 1;
    }
    n
}

#[test]
fn record_corpus_replays() {
    assert!(replay("record", tls12::fuzzing::record) > 5);
}

#[test]
fn handshake_corpus_replays() {
    assert!(replay("handshake", tls12::fuzzing::handshake) > 20);
}

#[test]
fn client_corpus_replays() {
    assert!(replay("client", |d| drop(tls12::fuzzing::client(d))) > 10);
}

#[test]
fn server_corpus_replays() {
    assert!(replay("server", |d| drop(tls12::fuzzing::server(d))) > 10);
}
