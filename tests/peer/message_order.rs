//! Every handshake message at every wrong point: unexpected_message, from the message type
//! alone (RFC 5246 section 7.4), for the client and the server in each of their states.
//!
//! A NewSessionTicket before the server's ChangeCipherSpec is left out of the tables, as it
//! is legal once tickets are offered (tests/resumption.rs has its rules).

use crate::common::forge::*;
use crate::common::{APP_DATA, fuzz_sealed};
use crate::instance;
use tls12::Event;
use tls12::internal::codec::enums::AlertDescription;
use tls12::internal::msgs::HandshakeMessage;

/// Frames a handshake message for an endpoint that has had `steps` steps.
fn framed(steps: usize, m: HandshakeMessage) -> Vec<u8> {
    crate::common::forge::framed(steps, &hs(m))
}

#[test]
fn the_forged_scripts_complete_a_handshake() {
    // The scripts themselves are right: the endpoints complete the handshake on them and
    // then take sealed application data.
    for mut u in [client_at(6), server_at(6)] {
        assert!(!u.conn().is_handshaking());
        assert!(
            u.sink
                .events
                .iter()
                .any(|e| matches!(e, Event::HandshakeComplete(_)))
        );
        u.feed(&fuzz_sealed(APP_DATA, b"hello"));
        assert_eq!(u.sink.error, None);
        assert_eq!(u.sink.app, b"hello");
    }
}

/// `wrong_point!(side_at, state_module, steps: [message, ..])`: one test per message, each
/// feeding that message to an endpoint `steps` steps into its script and expecting
/// unexpected_message.
macro_rules! wrong_point {
    ($at:ident, $state:ident, $steps:expr, [$($msg:ident),* $(,)?]) => {
        mod $state {
            use super::*;
            $(
                #[test]
                fn $msg() {
                    let mut u = $at($steps);
                    u.feed(&framed($steps, instance::$msg()));
                    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
                }
            )*
        }
    };
}

/// The client in each state, given every message but the ones that state accepts. A
/// HelloRequest is accepted everywhere: ignored mid-handshake (RFC 5246 section 7.4.1.1),
/// refused with a warning once established (tests/conformance.rs).
mod client_wrong_point {
    use super::*;

    wrong_point!(
        client_at,
        expect_server_hello,
        0,
        [
            client_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        expect_certificate,
        1,
        [
            client_hello,
            server_hello,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        expect_server_key_exchange,
        2,
        [
            client_hello,
            server_hello,
            certificate,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        expect_server_hello_done,
        3,
        [
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    // Before the server's ChangeCipherSpec (NewSessionTicket left out: see the file docs).
    wrong_point!(
        client_at,
        expect_change_cipher_spec,
        4,
        [
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        expect_finished,
        5,
        [
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        client_at,
        established,
        6,
        [
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
}

/// The server (requesting a client certificate) in each state.
mod server_wrong_point {
    use super::*;

    wrong_point!(
        server_at,
        expect_client_hello,
        0,
        [
            hello_request,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_certificate,
        1,
        [
            hello_request,
            client_hello,
            server_hello,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_client_key_exchange,
        2,
        [
            hello_request,
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_certificate_verify,
        3,
        [
            hello_request,
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_change_cipher_spec,
        4,
        [
            hello_request,
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        expect_finished,
        5,
        [
            hello_request,
            client_hello,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
    wrong_point!(
        server_at,
        established,
        6,
        [
            hello_request,
            server_hello,
            certificate,
            server_key_exchange,
            certificate_request,
            server_hello_done,
            certificate_verify,
            client_key_exchange,
            finished,
            new_session_ticket,
            certificate_status,
            unknown_type,
        ]
    );
}

#[test]
fn a_second_certificate_request_is_unexpected_message() {
    let mut u = client_at(3);
    u.feed_ok(&[hs_record(instance::certificate_request())]);
    u.feed(&hs_record(instance::certificate_request()));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}
