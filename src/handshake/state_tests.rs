//! The handshake states driven alone, through a recording [`Output`]: no connection, no
//! records, no keys in use. Under the no-security `FuzzProvider` and the fuzz targets'
//! configurations (`crate::fuzzing::{client_config, server_config}`).

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use pki_types::ServerName;

use super::{Exporter, HandshakeState, HandshakeSummary, Input, Output, client, server};
use crate::codec::Codec;
use crate::codec::enums::{
    AlertDescription, CipherSuite, CompressionMethod, HandshakeType, ProtocolVersion,
};
use crate::error::Error;
use crate::fuzzing::{OPT_CLIENT_AUTH, OPT_CLIENT_CERT, SERVER_NAME, client_config, server_config};
use crate::msgs::HANDSHAKE_HEADER_LEN;
use crate::msgs::{
    CertificateRequest, HandshakeMessage, HandshakePayload, Random, ServerHello, SessionId,
};
use crate::psk::{Psk, PskIdentity};
use crate::record::protect::{RecordOpener, RecordSealer};

/// One thing a state asked its output to do.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Send(HandshakeType),
    SendClientHello,
    VersionNegotiated,
    RecordLimits,
    InstallKeys,
    SendCcs,
    PeerCcs,
    StartAppData,
    RefuseRenegotiation,
    Complete,
}

/// What goes to the peer, in order.
enum Wire {
    Handshake(Vec<u8>),
    Ccs,
}

/// An [`Output`] that records what it is told.
#[derive(Default)]
struct Recorder {
    actions: Vec<Action>,
    /// Sent since the last [`Recorder::take_wire`].
    wire: Vec<Wire>,
    summary: Option<alloc::sync::Arc<HandshakeSummary>>,
}

impl Recorder {
    fn take_actions(&mut self) -> Vec<Action> {
        core::mem::take(&mut self.actions)
    }

    fn take_wire(&mut self) -> Vec<Wire> {
        core::mem::take(&mut self.wire)
    }

    fn encode(&mut self, msg: HandshakeMessage) -> Result<Vec<u8>, Error> {
        let bytes = msg.to_bytes()?;
        self.wire.push(Wire::Handshake(bytes.clone()));
        Ok(bytes)
    }
}

impl Output for Recorder {
    fn send(&mut self, msg: HandshakeMessage) -> Result<Vec<u8>, Error> {
        self.actions.push(Action::Send(msg.typ));
        self.encode(msg)
    }
    fn send_client_hello(&mut self, msg: HandshakeMessage) -> Result<Vec<u8>, Error> {
        self.actions.push(Action::SendClientHello);
        self.encode(msg)
    }
    fn version_negotiated(&mut self) {
        self.actions.push(Action::VersionNegotiated);
    }
    fn record_limits(&mut self, _: crate::record::limits::RecordLimits) {
        self.actions.push(Action::RecordLimits);
    }
    fn install_keys(&mut self, _: RecordSealer, _: RecordOpener) {
        self.actions.push(Action::InstallKeys);
    }
    fn send_ccs(&mut self) -> Result<(), Error> {
        self.actions.push(Action::SendCcs);
        self.wire.push(Wire::Ccs);
        Ok(())
    }
    fn peer_ccs(&mut self) -> Result<(), Error> {
        self.actions.push(Action::PeerCcs);
        Ok(())
    }
    fn start_app_data(&mut self) -> Result<(), Error> {
        self.actions.push(Action::StartAppData);
        Ok(())
    }
    fn refuse_renegotiation(&mut self) -> Result<(), Error> {
        self.actions.push(Action::RefuseRenegotiation);
        Ok(())
    }
    fn complete(&mut self, summary: alloc::sync::Arc<HandshakeSummary>, _: Exporter) {
        self.actions.push(Action::Complete);
        self.summary = Some(summary);
    }
}

fn start_client(out: &mut Recorder) -> HandshakeState {
    let name = ServerName::try_from(SERVER_NAME).expect("a DNS name");
    let state = client::State::start(Arc::new(client_config(0)), name, out)
        .expect("the ClientHello is sent");
    HandshakeState::Client(state)
}

fn new_server() -> HandshakeState {
    HandshakeState::Server(server::State::new(Arc::new(server_config(0))))
}

const PSK_IDENTITY: &[u8] = b"client-1";

/// A client and a server that share one PSK and enable only `suite`; the server gives
/// `hint` and asks for client certificates (which a PSK suite never requests).
fn psk_pair(suite: CipherSuite, hint: Option<&[u8]>) -> (Recorder, HandshakeState, HandshakeState) {
    let psk = Arc::new(Psk::new(PSK_IDENTITY, [0x42; 32]).expect("a valid PSK"));
    let mut c = client_config(0);
    c.common.set_suites(&[suite]).expect("implemented");
    c.psk = Some(psk.clone());
    let mut s = server_config(OPT_CLIENT_AUTH);
    s.common.set_suites(&[suite]).expect("implemented");
    s.psk = Some(psk);
    s.psk_identity_hint = hint.map(|h| PskIdentity::new(h).expect("a valid hint"));
    let mut c_out = Recorder::default();
    let name = ServerName::try_from(SERVER_NAME).expect("a DNS name");
    let client = client::State::start(Arc::new(c), name, &mut c_out).expect("sent");
    let server = server::State::new(Arc::new(s));
    (
        c_out,
        HandshakeState::Client(client),
        HandshakeState::Server(server),
    )
}

/// Hands `bytes` (one whole handshake message) to `state` as the connection would: the
/// type first, then the body decoded in the state's key-exchange context.
fn deliver(state: &mut HandshakeState, out: &mut Recorder, bytes: &[u8]) -> Result<(), Error> {
    let typ = HandshakeType(bytes[0]);
    if !state.expects(typ) {
        return Err(Error::unexpected("handshake message out of order"));
    }
    let body = &bytes[HANDSHAKE_HEADER_LEN..];
    assert_eq!(
        body.len(),
        usize::from(bytes[1]) << 16 | usize::from(bytes[2]) << 8 | usize::from(bytes[3])
    );
    let input = Input::handshake(typ, body, bytes, state.kx_context())?;
    state.handle(out, input)
}

/// Delivers everything `from` sent to `to`, in order.
fn ferry(from: &mut Recorder, to_state: &mut HandshakeState, to: &mut Recorder) {
    for item in from.take_wire() {
        match item {
            Wire::Handshake(bytes) => deliver(to_state, to, &bytes),
            Wire::Ccs => to_state.handle(to, Input::ChangeCipherSpec),
        }
        .expect("the peer accepts what was sent");
    }
}

#[test]
fn client_starts_with_a_client_hello_at_tls10_records() {
    let mut out = Recorder::default();
    let state = start_client(&mut out);
    assert_eq!(out.actions, [Action::SendClientHello]);
    assert_eq!(state.name(), "ExpectServerHello");
    assert!(state.expects(HandshakeType::SERVER_HELLO));
    assert!(!state.expects(HandshakeType::CERTIFICATE));
}

#[test]
fn server_answers_client_hello_with_its_first_flight() {
    let mut c_out = Recorder::default();
    let _client = start_client(&mut c_out);
    let mut s_out = Recorder::default();
    let mut server = new_server();
    ferry(&mut c_out, &mut server, &mut s_out);
    assert_eq!(
        s_out.actions,
        [
            Action::Send(HandshakeType::SERVER_HELLO),
            Action::VersionNegotiated,
            Action::Send(HandshakeType::CERTIFICATE),
            Action::Send(HandshakeType::SERVER_KEY_EXCHANGE),
            Action::Send(HandshakeType::SERVER_HELLO_DONE),
        ]
    );
    assert_eq!(server.name(), "ExpectClientKeyExchange");
}

#[test]
fn client_refuses_a_server_hello_with_another_version() {
    let mut out = Recorder::default();
    let mut client = start_client(&mut out);
    out.take_actions();
    let sh = ServerHello {
        version: ProtocolVersion::TLS11,
        random: Random([7; 32]),
        session_id: SessionId::EMPTY,
        cipher_suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        compression_method: CompressionMethod::NULL,
        extensions: None,
    };
    let bytes = HandshakeMessage::from(sh).to_bytes().expect("encodes");
    let err = deliver(&mut client, &mut out, &bytes).expect_err("TLS 1.1 is refused");
    assert_eq!(err.alert(), Some(AlertDescription::PROTOCOL_VERSION));
    // Refused before anything was decided: the record version is not pinned.
    assert_eq!(out.actions, []);
    assert_eq!(client.name(), "Failed");
}

#[test]
fn change_cipher_spec_before_the_keys_is_unexpected() {
    let mut out = Recorder::default();
    let mut server = new_server();
    let err = server
        .handle(&mut out, Input::ChangeCipherSpec)
        .expect_err("no keys yet");
    assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
    assert_eq!(out.actions, []);
}

#[test]
fn two_states_complete_a_full_handshake_without_a_connection() {
    let (mut c_out, mut s_out) = (Recorder::default(), Recorder::default());
    let mut client = start_client(&mut c_out);
    let mut server = new_server();
    ferry(&mut c_out, &mut server, &mut s_out);
    s_out.take_actions();
    c_out.take_actions();

    // The server's first flight: the client answers with its second.
    ferry(&mut s_out, &mut client, &mut c_out);
    assert_eq!(
        c_out.take_actions(),
        [
            Action::VersionNegotiated,
            Action::Send(HandshakeType::CLIENT_KEY_EXCHANGE),
            Action::InstallKeys,
            Action::SendCcs,
            Action::Send(HandshakeType::FINISHED),
        ]
    );
    // The server acknowledged session_ticket (its default ticketer): a ticket comes first.
    assert_eq!(client.name(), "ExpectNewSessionTicket");

    // The client's flight: the server checks Finished and sends the ticket, its CCS and
    // Finished.
    ferry(&mut c_out, &mut server, &mut s_out);
    assert_eq!(
        s_out.take_actions(),
        [
            Action::InstallKeys,
            Action::PeerCcs,
            Action::Send(HandshakeType::NEW_SESSION_TICKET),
            Action::SendCcs,
            Action::Send(HandshakeType::FINISHED),
            Action::StartAppData,
            Action::Complete,
        ]
    );
    assert!(server.can_receive_app_data());

    ferry(&mut s_out, &mut client, &mut c_out);
    assert_eq!(
        c_out.take_actions(),
        [Action::PeerCcs, Action::StartAppData, Action::Complete]
    );
    assert!(client.can_receive_app_data());

    let (c, s) = (
        c_out.summary.expect("client"),
        s_out.summary.expect("server"),
    );
    assert_eq!(c.suite, s.suite);
    assert_eq!(c.client_random, s.client_random);
    assert_eq!(c.server_random, s.server_random);
    assert!(c.extended_master_secret && s.extended_master_secret);
    assert!(!c.resumed && !s.resumed);
    assert_eq!(s.server_name.as_deref(), Some(SERVER_NAME));
    assert!(!c.peer_certificates.is_empty());
}

#[test]
fn established_server_refuses_renegotiation() {
    let (mut c_out, mut s_out) = (Recorder::default(), Recorder::default());
    let mut client = start_client(&mut c_out);
    let hello = match c_out.wire.first() {
        Some(Wire::Handshake(b)) => b.clone(),
        _ => panic!("a ClientHello was sent"),
    };
    let mut server = new_server();
    ferry(&mut c_out, &mut server, &mut s_out);
    ferry(&mut s_out, &mut client, &mut c_out);
    ferry(&mut c_out, &mut server, &mut s_out);
    assert!(server.can_receive_app_data());
    s_out.take_actions();
    s_out.take_wire();

    deliver(&mut server, &mut s_out, &hello).expect("refused, not fatal (the connection's policy)");
    assert_eq!(s_out.actions, [Action::RefuseRenegotiation]);
    assert!(s_out.wire.is_empty());
    assert!(server.can_receive_app_data());
}

#[test]
fn client_ignores_hello_request_while_negotiating() {
    let mut out = Recorder::default();
    let mut client = start_client(&mut out);
    out.take_actions();
    let bytes = HandshakeMessage {
        typ: HandshakeType::HELLO_REQUEST,
        payload: HandshakePayload::HelloRequest,
    }
    .to_bytes()
    .expect("encodes");
    deliver(&mut client, &mut out, &bytes).expect("ignored");
    assert_eq!(out.actions, []);
    assert_eq!(client.name(), "ExpectServerHello");
}

#[test]
fn plain_psk_without_a_hint_goes_from_server_hello_to_server_hello_done() {
    let (mut c_out, mut client, mut server) =
        psk_pair(CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256, None);
    let mut s_out = Recorder::default();
    ferry(&mut c_out, &mut server, &mut s_out);
    // No Certificate, no ServerKeyExchange without a hint, and no CertificateRequest
    // although the server has a client verifier.
    assert_eq!(
        s_out.take_actions(),
        [
            Action::Send(HandshakeType::SERVER_HELLO),
            Action::VersionNegotiated,
            Action::Send(HandshakeType::SERVER_HELLO_DONE),
        ]
    );
    assert_eq!(server.name(), "ExpectClientKeyExchange");

    c_out.take_actions();
    ferry(&mut s_out, &mut client, &mut c_out);
    assert_eq!(
        c_out.take_actions(),
        [
            Action::VersionNegotiated,
            Action::Send(HandshakeType::CLIENT_KEY_EXCHANGE),
            Action::InstallKeys,
            Action::SendCcs,
            Action::Send(HandshakeType::FINISHED),
        ]
    );
    ferry(&mut c_out, &mut server, &mut s_out);
    ferry(&mut s_out, &mut client, &mut c_out);
    assert!(client.can_receive_app_data() && server.can_receive_app_data());
    let (c, s) = (
        c_out.summary.expect("client"),
        s_out.summary.expect("server"),
    );
    assert_eq!(c.psk_identity.as_deref(), Some(PSK_IDENTITY));
    assert_eq!(s.psk_identity.as_deref(), Some(PSK_IDENTITY));
    assert!(c.peer_certificates.is_empty() && s.peer_certificates.is_empty());
    assert_eq!((c.group, c.signature_scheme), (None, None));
}

#[test]
fn psk_client_takes_no_certificate_request() {
    let (mut c_out, mut client, mut server) = psk_pair(
        CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
        Some(b"hint"),
    );
    let mut s_out = Recorder::default();
    ferry(&mut c_out, &mut server, &mut s_out);
    let mut flight = s_out.take_wire();
    // ServerHello and ServerKeyExchange; ServerHelloDone held back.
    assert_eq!(flight.len(), 3);
    flight.pop();
    for item in flight {
        let Wire::Handshake(bytes) = item else {
            panic!("handshake messages only");
        };
        deliver(&mut client, &mut c_out, &bytes).expect("accepted");
    }
    assert_eq!(client.name(), "ExpectServerHelloDone");
    assert!(!client.expects(HandshakeType::CERTIFICATE_REQUEST));
    let req = HandshakeMessage::from(CertificateRequest {
        certificate_types: vec![crate::codec::enums::ClientCertificateType::RSA_SIGN],
        signature_schemes: Vec::new(),
        certificate_authorities: Vec::new(),
    })
    .to_bytes()
    .expect("encodes");
    let err = deliver(&mut client, &mut c_out, &req).expect_err("no request with a PSK suite");
    assert_eq!(err.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
}

#[test]
fn server_keeps_the_client_chain_once_certificate_verify_is_checked() {
    let mut c_out = Recorder::default();
    let name = ServerName::try_from(SERVER_NAME).expect("a DNS name");
    let client = client::State::start(Arc::new(client_config(OPT_CLIENT_CERT)), name, &mut c_out)
        .expect("sent");
    let mut client = HandshakeState::Client(client);
    let mut server =
        HandshakeState::Server(server::State::new(Arc::new(server_config(OPT_CLIENT_AUTH))));
    let mut s_out = Recorder::default();
    ferry(&mut c_out, &mut server, &mut s_out);
    assert!(
        s_out
            .take_actions()
            .contains(&Action::Send(HandshakeType::CERTIFICATE_REQUEST))
    );
    assert_eq!(server.name(), "ExpectCertificate");
    ferry(&mut s_out, &mut client, &mut c_out);

    // The client's flight one message at a time: Certificate, ClientKeyExchange, then
    // CertificateVerify is due.
    let mut flight = c_out.take_wire().into_iter();
    for expected in [
        "ExpectClientKeyExchange",
        "ExpectCertificateVerify",
        "ExpectChangeCipherSpec",
    ] {
        let Some(Wire::Handshake(bytes)) = flight.next() else {
            panic!("a handshake message");
        };
        deliver(&mut server, &mut s_out, &bytes).expect("accepted");
        assert_eq!(server.name(), expected);
    }
    for item in flight {
        match item {
            Wire::Handshake(bytes) => deliver(&mut server, &mut s_out, &bytes),
            Wire::Ccs => server.handle(&mut s_out, Input::ChangeCipherSpec),
        }
        .expect("accepted");
    }
    let s = s_out.summary.expect("server");
    assert_eq!(
        s.peer_certificates,
        client_config(OPT_CLIENT_CERT)
            .client_cert
            .expect("set")
            .chain
    );
}
