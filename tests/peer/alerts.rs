//! Alert records: an alert is two bytes in one record; an unknown level is fatal; warnings
//! may come between handshake fragments but not without end.

use crate::common::forge::*;
use crate::common::{ALERT, HANDSHAKE, fuzz_sealed, record};
use crate::instance;
use tls12::internal::codec::enums::AlertDescription;
use tls12::{Error, Event};

#[test]
fn zero_length_alert_fragment_is_decode_error() {
    let mut u = client_at(1);
    u.feed(&record(ALERT, &[]));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn alert_split_across_two_records_is_decode_error() {
    // RFC 5246 leaves alert fragmentation open; we take an alert only whole, in one record.
    let mut u = client_at(1);
    u.feed(&record(ALERT, &[1]));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn alert_of_three_bytes_is_decode_error() {
    let mut u = server_at(0);
    u.feed(&record(ALERT, &[1, 0, 0]));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn alert_with_an_unknown_level_is_taken_as_fatal() {
    // Neither warning nor fatal: treated as fatal, and nothing is sent back.
    let mut u = client_at(2);
    u.feed(&record(ALERT, &[3, AlertDescription::USER_CANCELED.0]));
    let err = Error::AlertReceived(AlertDescription::USER_CANCELED);
    assert_eq!(u.sink.error, Some(err.clone()));
    assert_eq!(last_alert(&u.sink.tx), None, "no alert sent back");
    u.assert_dead(&err);
}

#[test]
fn warning_alert_between_handshake_fragments_is_accepted() {
    // Content types may interleave (RFC 5246 6.2.1): a warning alert between two fragments
    // of the Certificate message is reported and the handshake goes on.
    let mut u = client_at(1);
    let cert = hs(instance::certificate());
    let (a, b) = cert.split_at(100);
    u.feed_ok(&[
        record(HANDSHAKE, a),
        record(ALERT, &alert_bytes(1, AlertDescription::USER_CANCELED)),
        record(HANDSHAKE, b),
    ]);
    assert!(
        u.sink
            .events
            .contains(&Event::AlertReceived(AlertDescription::USER_CANCELED))
    );
    u.feed_ok(&server_script()[2..]);
    assert!(!u.conn().is_handshaking());
}

#[test]
fn fatal_alert_between_handshake_fragments_ends_the_connection_silently() {
    let mut u = server_at(0);
    let ch = hs(instance::client_hello());
    let (a, b) = ch.split_at(20);
    u.feed(&record(HANDSHAKE, a));
    u.feed(&record(
        ALERT,
        &alert_bytes(2, AlertDescription::HANDSHAKE_FAILURE),
    ));
    let err = Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE);
    assert_eq!(u.sink.error, Some(err.clone()));
    assert!(
        u.sink.tx.is_empty(),
        "nothing is sent back for a fatal alert"
    );
    u.feed(&record(HANDSHAKE, b));
    u.assert_dead(&err);
}

#[test]
fn endless_warning_alerts_are_bounded_then_fatal() {
    let mut u = server_at(0);
    let warning = record(ALERT, &alert_bytes(1, AlertDescription::USER_CANCELED));
    for i in 0..32 {
        u.feed(&warning);
        assert_eq!(u.sink.error, None, "warning {i} refused");
    }
    u.feed(&warning);
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
    let warnings = u
        .sink
        .events
        .iter()
        .filter(|e| **e == Event::AlertReceived(AlertDescription::USER_CANCELED))
        .count();
    assert_eq!(warnings, 32);
}

#[test]
fn endless_encrypted_warning_alerts_are_bounded_then_fatal() {
    let mut u = client_at(6);
    let warning = fuzz_sealed(ALERT, &alert_bytes(1, AlertDescription::USER_CANCELED));
    for _ in 0..32 {
        u.feed(&warning);
    }
    assert_eq!(u.sink.error, None);
    u.feed(&warning);
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}
