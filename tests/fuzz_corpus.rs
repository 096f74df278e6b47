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

// The structure-aware targets and the API target (features `fuzzing` and `arbitrary`). Their
// inputs are `Arbitrary` encodings of the scripts in `tls12::fuzzing::{structured, api}`:
// a change to a script type changes what a saved input means, so after one, regenerate the
// seeds with a short run of the target.

#[cfg(feature = "arbitrary")]
#[test]
fn client_structured_corpus_replays() {
    assert!(
        replay("client_structured", |d| drop(
            tls12::fuzzing::client_structured(d)
        )) >= 5
    );
}

#[cfg(feature = "arbitrary")]
#[test]
fn server_structured_corpus_replays() {
    assert!(
        replay("server_structured", |d| drop(
            tls12::fuzzing::server_structured(d)
        )) >= 5
    );
}

#[cfg(feature = "arbitrary")]
#[test]
fn api_corpus_replays() {
    assert!(replay("api", tls12::fuzzing::api) >= 5);
}

/// Crashes the targets found, in fuzz/regressions/TARGET/ (outside the corpus that
/// .ci/run fuzzes from, so the CI smoke run does not start from a known crash).
fn replay_regressions(target: &str, run: fn(&[u8])) -> usize {
    let dir = format!("{}/fuzz/regressions/{target}", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.expect("readable entry").path();
        run(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        n += 1;
    }
    n
}

// The inputs on which the structure-aware targets found the two crashes: a ClientHello
// server_name of 256 bytes or more panicked when the server saved the session (crash 1),
// and a stored ticket of ~65,480 bytes panicked building the next ClientHello (crash 2).
#[cfg(feature = "arbitrary")]
#[test]
fn server_structured_regressions_replay() {
    assert!(
        replay_regressions("server_structured", |d| drop(
            tls12::fuzzing::server_structured(d)
        )) >= 1
    );
}

#[cfg(feature = "arbitrary")]
#[test]
fn client_structured_regressions_replay() {
    assert!(
        replay_regressions("client_structured", |d| drop(
            tls12::fuzzing::client_structured(d)
        )) >= 1
    );
}

#[cfg(feature = "arbitrary")]
#[test]
fn api_regressions_replay() {
    assert!(replay_regressions("api", tls12::fuzzing::api) >= 1);
}
