//! Whether a message can be encoded: every length fits its prefix.
//!
//! Encoding panics today on a body longer than its length prefix (an `assert` in
//! `LengthPrefixed::finish`), and values built by `Arbitrary` can be that long, so the
//! structured targets ask [`fits`] before they encode. Once `Codec::encode` reports
//! overflow as an error, [`super::structured::enc`] uses that instead and this module goes.

use crate::codec::LenPrefix;
use crate::msgs::{
    CertificateChain, CertificateRequest, CertificateStatus, CertificateStatusRequest,
    ClientExtension, ClientHello, ClientKeyExchangePayload, DigitallySigned, HandshakeMessage,
    HandshakePayload, ServerExtension, ServerHello, ServerKeyExchangePayload,
};

/// `n` bytes behind a prefix of `p`: the total, or `None` if `n` overflows it.
fn pre(n: usize, p: LenPrefix) -> Option<usize> {
    let width = match p {
        LenPrefix::U8 => 1,
        LenPrefix::U16 => 2,
        LenPrefix::U24 => 3,
    };
    (n <= p.max()).then_some(n + width)
}

/// The sum of `f` over `items`, `None` if any is.
fn sum<T>(items: &[T], f: impl Fn(&T) -> Option<usize>) -> Option<usize> {
    items.iter().try_fold(0usize, |acc, it| Some(acc + f(it)?))
}

fn opaque_list(items: &[alloc::vec::Vec<u8>], outer: LenPrefix, inner: LenPrefix) -> Option<usize> {
    pre(sum(items, |i| pre(i.len(), inner))?, outer)
}

fn client_ext(e: &ClientExtension) -> Option<usize> {
    let body = match e {
        ClientExtension::ServerName(names) => pre(
            sum(names, |n| Some(1 + pre(n.name.len(), LenPrefix::U16)?))?,
            LenPrefix::U16,
        )?,
        ClientExtension::MaxFragmentLength(_) => 1,
        ClientExtension::StatusRequest(CertificateStatusRequest::Ocsp(o)) => {
            1 + opaque_list(&o.responder_ids, LenPrefix::U16, LenPrefix::U16)?
                + pre(o.extensions.len(), LenPrefix::U16)?
        }
        ClientExtension::StatusRequest(CertificateStatusRequest::Unknown { data, .. }) => {
            1 + data.len()
        }
        ClientExtension::SupportedGroups(g) => pre(2 * g.len(), LenPrefix::U16)?,
        ClientExtension::EcPointFormats(f) => pre(f.len(), LenPrefix::U8)?,
        ClientExtension::SignatureAlgorithms(s) => pre(2 * s.len(), LenPrefix::U16)?,
        ClientExtension::Alpn(p) => opaque_list(p, LenPrefix::U16, LenPrefix::U8)?,
        ClientExtension::ExtendedMasterSecret => 0,
        ClientExtension::RecordSizeLimit(_) => 2,
        ClientExtension::SessionTicket(t) => t.len(),
        ClientExtension::RenegotiationInfo(v) => pre(v.len(), LenPrefix::U8)?,
        ClientExtension::Unknown { data, .. } => data.len(),
    };
    Some(2 + pre(body, LenPrefix::U16)?)
}

fn server_ext(e: &ServerExtension) -> Option<usize> {
    let body = match e {
        ServerExtension::ServerName
        | ServerExtension::StatusRequest
        | ServerExtension::ExtendedMasterSecret
        | ServerExtension::SessionTicket => 0,
        ServerExtension::MaxFragmentLength(_) => 1,
        ServerExtension::EcPointFormats(f) => pre(f.len(), LenPrefix::U8)?,
        ServerExtension::Alpn(p) => pre(pre(p.len(), LenPrefix::U8)?, LenPrefix::U16)?,
        ServerExtension::RecordSizeLimit(_) => 2,
        ServerExtension::RenegotiationInfo(v) => pre(v.len(), LenPrefix::U8)?,
        ServerExtension::Unknown { data, .. } => data.len(),
    };
    Some(2 + pre(body, LenPrefix::U16)?)
}

fn client_hello(ch: &ClientHello) -> Option<usize> {
    let exts = match &ch.extensions {
        Some(e) => pre(sum(e, client_ext)?, LenPrefix::U16)?,
        None => 0,
    };
    Some(
        2 + 32
            + pre(ch.session_id.len(), LenPrefix::U8)?
            + pre(2 * ch.cipher_suites.len(), LenPrefix::U16)?
            + pre(ch.compression_methods.len(), LenPrefix::U8)?
            + exts,
    )
}

fn server_hello(sh: &ServerHello) -> Option<usize> {
    let exts = match &sh.extensions {
        Some(e) => pre(sum(e, server_ext)?, LenPrefix::U16)?,
        None => 0,
    };
    Some(2 + 32 + pre(sh.session_id.len(), LenPrefix::U8)? + 3 + exts)
}

fn chain(c: &CertificateChain) -> Option<usize> {
    pre(sum(&c.0, |c| pre(c.len(), LenPrefix::U24))?, LenPrefix::U24)
}

fn cert_request(r: &CertificateRequest) -> Option<usize> {
    Some(
        pre(r.certificate_types.len(), LenPrefix::U8)?
            + pre(2 * r.signature_schemes.len(), LenPrefix::U16)?
            + opaque_list(&r.certificate_authorities, LenPrefix::U16, LenPrefix::U16)?,
    )
}

fn signed(d: &DigitallySigned) -> Option<usize> {
    Some(2 + pre(d.signature.len(), LenPrefix::U16)?)
}

fn body(p: &HandshakePayload) -> Option<usize> {
    Some(match p {
        HandshakePayload::HelloRequest | HandshakePayload::ServerHelloDone => 0,
        HandshakePayload::ClientHello(ch) => client_hello(ch)?,
        HandshakePayload::ServerHello(sh) => server_hello(sh)?,
        HandshakePayload::Certificate(c) => chain(c)?,
        HandshakePayload::ServerKeyExchange(ServerKeyExchangePayload::Ecdhe(e)) => {
            3 + pre(e.public.len(), LenPrefix::U8)? + signed(&e.signed)?
        }
        HandshakePayload::ServerKeyExchange(ServerKeyExchangePayload::Unknown(b)) => b.len(),
        HandshakePayload::CertificateRequest(r) => cert_request(r)?,
        HandshakePayload::CertificateVerify(d) => signed(d)?,
        HandshakePayload::ClientKeyExchange(ClientKeyExchangePayload::Ecdhe(p)) => {
            pre(p.len(), LenPrefix::U8)?
        }
        HandshakePayload::ClientKeyExchange(ClientKeyExchangePayload::Rsa(c)) => {
            pre(c.len(), LenPrefix::U16)?
        }
        HandshakePayload::ClientKeyExchange(ClientKeyExchangePayload::Unknown(b)) => b.len(),
        HandshakePayload::Finished(b) | HandshakePayload::Unknown(b) => b.len(),
        HandshakePayload::NewSessionTicket(t) => 4 + pre(t.ticket.len(), LenPrefix::U16)?,
        HandshakePayload::CertificateStatus(CertificateStatus::Ocsp(r)) => {
            1 + pre(r.len(), LenPrefix::U24)?
        }
        HandshakePayload::CertificateStatus(CertificateStatus::Unknown { data, .. }) => {
            1 + data.len()
        }
    })
}

/// Whether `m` encodes without a length overflowing its prefix.
pub(super) fn fits(m: &HandshakeMessage) -> bool {
    body(&m.payload)
        .and_then(|b| pre(b, LenPrefix::U24))
        .is_some()
}
