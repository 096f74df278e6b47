//! Wireshark-style traces of records and messages, for people learning the protocol.
//!
//! Every message type, every hello extension and [`RecordTrace`] (a whole record) implement
//! `Display`, printing the fields the way Wireshark's TLS dissector shows them: one field
//! per line, nested fields indented by four spaces, code points as `name (0x....)`:
//!
//! ```text
//! Handshake Protocol: Server Key Exchange
//!     Handshake Type: Server Key Exchange (12)
//!     Length: 296
//!     EC Diffie-Hellman Server Params
//!         Curve Type: named_curve (0x03)
//!         Named Curve: x25519 (0x001d)
//!         Pubkey Length: 32
//!         Pubkey: 468f0852e5ff57eb481b7e321a54405435bbb3b65220164120ca70571290c801
//!         Signature Algorithm: rsa_pkcs1_sha512 (0x0601)
//!         Signature Length: 256
//!         Signature: 8d0cb4dfa2f03194fc438247fd764ceb... (256 bytes)
//! ```
//!
//! (from the capture `tests/data/captures/ecdhe-rsa-aes128gcm-x25519-sha512`, checked by
//! `tests/trace.rs`).
//!
//! Byte strings of up to [`SHORT_HEX`] bytes (randoms, session ids, x25519 keys) are printed
//! in full; longer ones are cut to their first 16 bytes and `... (N bytes)`. The alternate
//! form (`{:#}`) prints every byte. There is no trailing newline.
//!
//! Nothing here runs unless a value is formatted: the traces are `Display` impls over the
//! decoded messages, with no state of their own. Formatting allocates only to measure
//! encoded lengths.
//!
//! ```
//! use tls12::internal::codec::enums::{CipherSuite, CompressionMethod, ProtocolVersion};
//! use tls12::internal::msgs::{ClientExtension, ClientHello, HandshakeMessage, Random, SessionId};
//!
//! let hello = HandshakeMessage::from(ClientHello {
//!     version: ProtocolVersion::TLS12,
//!     random: Random([0x1c; 32]),
//!     session_id: SessionId::EMPTY,
//!     cipher_suites: vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
//!     compression_methods: vec![CompressionMethod::NULL],
//!     extensions: Some(vec![ClientExtension::host_name(b"example.com")]),
//! });
//! let trace = hello.to_string();
//! assert!(trace.starts_with("Handshake Protocol: Client Hello\n"));
//! assert!(trace.contains("\n    Version: TLS 1.2 (0x0303)\n"));
//! assert!(trace.contains(
//!     "\n        Cipher Suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)\n"
//! ));
//! assert!(trace.contains("\n            Server Name: example.com"));
//! ```

use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use super::alert::AlertMessage;
use super::ccs::ChangeCipherSpec;
use super::certificate::{CertificateChain, CertificateRequest, CertificateStatus};
use super::extensions::{CertificateStatusRequest, ClientExtension, ServerExtension};
use super::handshake::{HandshakeMessage, HandshakePayload};
use super::hello::{ClientHello, ServerHello};
use super::kx::{
    ClientKeyExchangePayload, DigitallySigned, EcdheServerKeyExchange, KxContext,
    ServerKeyExchangePayload,
};
use super::ticket::NewSessionTicket;
use crate::codec::enums::{ContentType, HandshakeType, WireName};
use crate::codec::{Codec, Reader};
use crate::error::DecodeErrorKind;
use crate::record::RecordHeader;

/// Byte strings up to this many bytes are always printed in full.
pub const SHORT_HEX: usize = 32;

/// How many bytes of a longer byte string the short form shows.
const SHORT_PREFIX: usize = 16;

/// Bytes as lowercase hex: in full up to [`SHORT_HEX`] bytes, otherwise the first 16 bytes
/// followed by `... (N bytes)`. `{:#}` prints every byte.
///
/// ```
/// use tls12::internal::msgs::trace::Hex;
///
/// assert_eq!(Hex(&[0xab, 0x01]).to_string(), "ab01");
/// let long = [0x11; 40];
/// assert_eq!(Hex(&long).to_string(), format!("{}... (40 bytes)", "11".repeat(16)));
/// assert_eq!(format!("{:#}", Hex(&long)), "11".repeat(40));
/// ```
#[derive(Clone, Copy)]
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        HexWith {
            bytes: self.0,
            full: f.alternate(),
        }
        .fmt(f)
    }
}

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// [`Hex`] with the full/short choice made by the caller, so that nested traces keep the
/// alternate flag of the outermost format.
struct HexWith<'a> {
    bytes: &'a [u8],
    full: bool,
}

impl fmt::Display for HexWith<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = !self.full && self.bytes.len() > SHORT_HEX;
        let shown = if short {
            &self.bytes[..SHORT_PREFIX]
        } else {
            self.bytes
        };
        for b in shown {
            write!(f, "{b:02x}")?;
        }
        if short {
            write!(f, "... ({} bytes)", self.bytes.len())?;
        }
        Ok(())
    }
}

/// Text from the wire (host names, ALPN ids, certificate names): printable ASCII as is,
/// anything else as `\xNN`.
struct Text<'a>(&'a [u8]);

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0 {
            if (0x20..0x7f).contains(&b) && b != b'\\' {
                f.write_char(char::from(b))?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

/// `17 suites`, `1 suite`.
struct Count(usize, &'static str);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(f, "{} {}{s}", self.0, self.1)
    }
}

/// The line writer every trace goes through: it indents, separates lines and carries the
/// full/short choice for byte strings.
struct Out<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    depth: usize,
    full: bool,
    started: bool,
}

impl<'a, 'b> Out<'a, 'b> {
    fn new(f: &'a mut fmt::Formatter<'b>) -> Self {
        let full = f.alternate();
        Self {
            f,
            depth: 0,
            full,
            started: false,
        }
    }

    fn line(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        if self.started {
            self.f.write_char('\n')?;
        }
        self.started = true;
        for _ in 0..self.depth {
            self.f.write_str("    ")?;
        }
        self.f.write_fmt(args)
    }

    fn hex<'x>(&self, bytes: &'x [u8]) -> HexWith<'x> {
        HexWith {
            bytes,
            full: self.full,
        }
    }

    /// Runs `body` one level deeper.
    fn nested(&mut self, body: impl FnOnce(&mut Self) -> fmt::Result) -> fmt::Result {
        self.depth += 1;
        let r = body(self);
        self.depth -= 1;
        r
    }
}

/// `ln!(out, "format", args)`: one indented line.
macro_rules! ln {
    ($o:expr, $($arg:tt)*) => {
        $o.line(format_args!($($arg)*))
    };
}

/// A value that can write itself as trace lines.
trait Trace {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result;
}

macro_rules! display_via_trace {
    ($($t:ty),* $(,)?) => {
        $(
            impl fmt::Display for $t {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    self.trace(&mut Out::new(f))
                }
            }
        )*
    };
}

display_via_trace! {
    HandshakeMessage,
    HandshakePayload,
    ClientHello,
    ServerHello,
    CertificateChain,
    CertificateRequest,
    CertificateStatus,
    ServerKeyExchangePayload,
    EcdheServerKeyExchange,
    ClientKeyExchangePayload,
    DigitallySigned,
    NewSessionTicket,
    ClientExtension,
    ServerExtension,
    AlertMessage,
    ChangeCipherSpec,
    RecordHeader,
    RecordTrace<'_>,
}

// ---- Handshake messages ----

/// `Handshake Protocol: <type>`, the two header fields, then the body one level deeper.
fn handshake(
    o: &mut Out<'_, '_>,
    typ: HandshakeType,
    body_len: usize,
    body: impl FnOnce(&mut Out<'_, '_>) -> fmt::Result,
) -> fmt::Result {
    match typ.name() {
        Some(name) => ln!(o, "Handshake Protocol: {name}")?,
        None => ln!(
            o,
            "Handshake Protocol: Unknown Handshake Message ({})",
            typ.0
        )?,
    }
    o.nested(|o| {
        ln!(o, "Handshake Type: {}", typ.wire_name())?;
        ln!(o, "Length: {body_len}")?;
        body(o)
    })
}

impl Trace for HandshakeMessage {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        let mut body = Vec::new();
        let len = match self.payload.encode_body(&mut body) {
            Ok(()) => body.len(),
            Err(_) => 0,
        };
        handshake(o, self.typ, len, |o| self.payload.trace_body(o))
    }
}

impl Trace for HandshakePayload {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        let mut body = Vec::new();
        let len = match self.encode_body(&mut body) {
            Ok(()) => body.len(),
            Err(_) => 0,
        };
        let typ = self.handshake_type().unwrap_or(HandshakeType(0xff));
        handshake(o, typ, len, |o| self.trace_body(o))
    }
}

impl HandshakePayload {
    fn trace_body(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        match self {
            HandshakePayload::HelloRequest | HandshakePayload::ServerHelloDone => Ok(()),
            HandshakePayload::ClientHello(m) => m.trace_body(o),
            HandshakePayload::ServerHello(m) => m.trace_body(o),
            HandshakePayload::Certificate(m) => m.trace_body(o),
            HandshakePayload::ServerKeyExchange(m) => m.trace_body(o),
            HandshakePayload::CertificateRequest(m) => m.trace_body(o),
            HandshakePayload::CertificateVerify(m) => m.trace(o),
            HandshakePayload::ClientKeyExchange(m) => m.trace_body(o),
            HandshakePayload::Finished(v) => ln!(o, "Verify Data: {}", o.hex(v)),
            HandshakePayload::NewSessionTicket(m) => m.trace_body(o),
            HandshakePayload::CertificateStatus(m) => m.trace_body(o),
            HandshakePayload::Unknown(b) if b.is_empty() => Ok(()),
            HandshakePayload::Unknown(b) => ln!(o, "Data: {}", o.hex(b)),
        }
    }
}

/// Display for a payload struct on its own: the handshake header around its body.
macro_rules! payload_trace {
    ($($t:ty => $typ:ident, $len:expr;)*) => {
        $(
            impl Trace for $t {
                fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
                    #[allow(clippy::redundant_closure_call)]
                    let len = ($len)(self);
                    handshake(o, HandshakeType::$typ, len, |o| self.trace_body(o))
                }
            }
        )*
    };
}

/// The encoded length, for the trace (0 for a value that does not encode).
fn codec_len<T: Codec>(v: &T) -> usize {
    v.to_bytes().map_or(0, |b| b.len())
}

payload_trace! {
    ClientHello => CLIENT_HELLO, codec_len;
    ServerHello => SERVER_HELLO, codec_len;
    CertificateChain => CERTIFICATE, codec_len;
    CertificateRequest => CERTIFICATE_REQUEST, codec_len;
    CertificateStatus => CERTIFICATE_STATUS, codec_len;
    NewSessionTicket => NEW_SESSION_TICKET, codec_len;
    ServerKeyExchangePayload => SERVER_KEY_EXCHANGE, |m: &ServerKeyExchangePayload| {
        let mut b = Vec::new();
        m.encode(&mut b).map_or(0, |()| b.len())
    };
    ClientKeyExchangePayload => CLIENT_KEY_EXCHANGE, |m: &ClientKeyExchangePayload| {
        let mut b = Vec::new();
        m.encode(&mut b).map_or(0, |()| b.len())
    };
}

impl ClientHello {
    fn trace_body(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        ln!(o, "Version: {}", self.version.wire_name())?;
        ln!(o, "Random: {}", o.hex(&self.random.0))?;
        session_id(o, self.session_id.as_slice())?;
        let suites = &self.cipher_suites;
        ln!(o, "Cipher Suites Length: {}", 2 * suites.len())?;
        ln!(o, "Cipher Suites ({})", Count(suites.len(), "suite"))?;
        o.nested(|o| {
            suites
                .iter()
                .try_for_each(|s| ln!(o, "Cipher Suite: {}", s.wire_name()))
        })?;
        let methods = &self.compression_methods;
        ln!(o, "Compression Methods Length: {}", methods.len())?;
        ln!(
            o,
            "Compression Methods ({})",
            Count(methods.len(), "method")
        )?;
        o.nested(|o| {
            methods
                .iter()
                .try_for_each(|m| ln!(o, "Compression Method: {}", m.wire_name()))
        })?;
        if let Some(exts) = &self.extensions {
            extensions(o, exts)?;
        }
        Ok(())
    }
}

impl ServerHello {
    fn trace_body(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        ln!(o, "Version: {}", self.version.wire_name())?;
        ln!(o, "Random: {}", o.hex(&self.random.0))?;
        session_id(o, self.session_id.as_slice())?;
        ln!(o, "Cipher Suite: {}", self.cipher_suite.wire_name())?;
        ln!(
            o,
            "Compression Method: {}",
            self.compression_method.wire_name()
        )?;
        if let Some(exts) = &self.extensions {
            extensions(o, exts)?;
        }
        Ok(())
    }
}

fn session_id(o: &mut Out<'_, '_>, id: &[u8]) -> fmt::Result {
    ln!(o, "Session ID Length: {}", id.len())?;
    if !id.is_empty() {
        ln!(o, "Session ID: {}", o.hex(id))?;
    }
    Ok(())
}

fn extensions<E: Codec + Trace>(o: &mut Out<'_, '_>, exts: &[E]) -> fmt::Result {
    let len: usize = exts.iter().map(codec_len).sum();
    ln!(o, "Extensions Length: {len}")?;
    exts.iter().try_for_each(|e| e.trace(o))
}

impl CertificateChain {
    fn trace_body(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        let len: usize = self.0.iter().map(|c| 3 + c.as_ref().len()).sum();
        ln!(o, "Certificates Length: {len}")?;
        ln!(o, "Certificates ({})", Count(self.0.len(), "certificate"))?;
        o.nested(|o| {
            self.0.iter().try_for_each(|c| {
                let der = c.as_ref();
                ln!(o, "Certificate Length: {}", der.len())?;
                ln!(o, "Certificate: {}", o.hex(der))?;
                if let Some(names) = der::cert_names(der) {
                    o.nested(|o| {
                        ln!(o, "Subject: {}", names.subject)?;
                        ln!(o, "Issuer: {}", names.issuer)
                    })?;
                }
                Ok(())
            })
        })
    }
}

impl CertificateRequest {
    fn trace_body(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        let types = &self.certificate_types;
        ln!(o, "Certificate types count: {}", types.len())?;
        ln!(o, "Certificate types ({})", Count(types.len(), "type"))?;
        o.nested(|o| {
            types
                .iter()
                .try_for_each(|t| ln!(o, "Certificate type: {}", t.wire_name()))
        })?;
        signature_algorithms(o, &self.signature_schemes)?;
        let dns = &self.certificate_authorities;
        let len: usize = dns.iter().map(|d| 2 + d.len()).sum();
        ln!(o, "Distinguished Names Length: {len}")?;
        ln!(o, "Distinguished Names ({})", Count(dns.len(), "name"))?;
        o.nested(|o| {
            dns.iter().try_for_each(|dn| {
                let name = der::tlv(dn).map(|(_, contents, _)| der::Name(contents));
                match name {
                    Some(n) if n.common_name().is_some() => ln!(o, "Distinguished Name: {n}"),
                    _ => ln!(o, "Distinguished Name: {}", o.hex(dn)),
                }
            })
        })
    }
}

fn signature_algorithms(
    o: &mut Out<'_, '_>,
    schemes: &[crate::codec::enums::SignatureScheme],
) -> fmt::Result {
    ln!(o, "Signature Hash Algorithms Length: {}", 2 * schemes.len())?;
    ln!(
        o,
        "Signature Hash Algorithms ({})",
        Count(schemes.len(), "algorithm")
    )?;
    o.nested(|o| {
        schemes
            .iter()
            .try_for_each(|s| ln!(o, "Signature Algorithm: {}", s.wire_name()))
    })
}

impl CertificateStatus {
    fn trace_body(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        match self {
            CertificateStatus::Ocsp(resp) => {
                ln!(o, "Certificate Status Type: OCSP (1)")?;
                ln!(o, "OCSP Response Length: {}", resp.len())?;
                ln!(o, "OCSP Response: {}", o.hex(resp))
            }
            CertificateStatus::Unknown { status_type, data } => {
                ln!(o, "Certificate Status Type: {}", status_type.wire_name())?;
                ln!(o, "Data: {}", o.hex(data))
            }
        }
    }
}

impl ServerKeyExchangePayload {
    fn trace_body(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        match self {
            ServerKeyExchangePayload::Ecdhe(e) => e.trace(o),
            ServerKeyExchangePayload::Psk(hint) => {
                ln!(o, "PSK Server Params")?;
                o.nested(|o| psk_hint(o, hint))
            }
            ServerKeyExchangePayload::EcdhePsk(e) => {
                ln!(o, "ECDHE PSK Server Params")?;
                o.nested(|o| {
                    psk_hint(o, &e.hint)?;
                    let ct = e.curve_type;
                    ln!(o, "Curve Type: {ct} (0x{:02x})", ct.0)?;
                    ln!(o, "Named Curve: {}", e.group.wire_name())?;
                    ln!(o, "Pubkey Length: {}", e.public.len())?;
                    ln!(o, "Pubkey: {}", o.hex(&e.public))
                })
            }
            ServerKeyExchangePayload::Unknown(b) => {
                ln!(o, "Data (key exchange not known here): {}", o.hex(b))
            }
        }
    }
}

/// A PSK identity hint, as Wireshark shows it.
fn psk_hint(o: &mut Out<'_, '_>, hint: &[u8]) -> fmt::Result {
    ln!(o, "PSK Identity Hint Length: {}", hint.len())?;
    ln!(o, "PSK Identity Hint: {}", o.hex(hint))
}

/// A PSK identity, as Wireshark shows it.
fn psk_identity(o: &mut Out<'_, '_>, identity: &[u8]) -> fmt::Result {
    ln!(o, "PSK Identity Length: {}", identity.len())?;
    ln!(o, "PSK Identity: {}", o.hex(identity))
}

impl Trace for EcdheServerKeyExchange {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        ln!(o, "EC Diffie-Hellman Server Params")?;
        o.nested(|o| {
            let ct = self.curve_type;
            ln!(o, "Curve Type: {ct} (0x{:02x})", ct.0)?;
            ln!(o, "Named Curve: {}", self.group.wire_name())?;
            ln!(o, "Pubkey Length: {}", self.public.len())?;
            ln!(o, "Pubkey: {}", o.hex(&self.public))?;
            self.signed.trace(o)
        })
    }
}

impl Trace for DigitallySigned {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        ln!(o, "Signature Algorithm: {}", self.scheme.wire_name())?;
        ln!(o, "Signature Length: {}", self.signature.len())?;
        ln!(o, "Signature: {}", o.hex(&self.signature))
    }
}

impl ClientKeyExchangePayload {
    fn trace_body(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        match self {
            ClientKeyExchangePayload::Ecdhe(public) => {
                ln!(o, "EC Diffie-Hellman Client Params")?;
                o.nested(|o| {
                    ln!(o, "Pubkey Length: {}", public.len())?;
                    ln!(o, "Pubkey: {}", o.hex(public))
                })
            }
            ClientKeyExchangePayload::Rsa(enc) => {
                ln!(o, "RSA Encrypted PreMaster Secret")?;
                o.nested(|o| {
                    ln!(o, "Encrypted PreMaster length: {}", enc.len())?;
                    ln!(o, "Encrypted PreMaster: {}", o.hex(enc))
                })
            }
            ClientKeyExchangePayload::Psk(identity) => {
                ln!(o, "PSK Client Params")?;
                o.nested(|o| psk_identity(o, identity))
            }
            ClientKeyExchangePayload::EcdhePsk(e) => {
                ln!(o, "ECDHE PSK Client Params")?;
                o.nested(|o| {
                    psk_identity(o, &e.identity)?;
                    ln!(o, "Pubkey Length: {}", e.public.len())?;
                    ln!(o, "Pubkey: {}", o.hex(&e.public))
                })
            }
            ClientKeyExchangePayload::Unknown(b) => {
                ln!(o, "Data (key exchange not known here): {}", o.hex(b))
            }
        }
    }
}

impl NewSessionTicket {
    fn trace_body(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        ln!(o, "TLS Session Ticket")?;
        o.nested(|o| {
            ln!(
                o,
                "Session Ticket Lifetime Hint: {} seconds",
                self.lifetime_hint
            )?;
            ln!(o, "Session Ticket Length: {}", self.ticket.len())?;
            if !self.ticket.is_empty() {
                ln!(o, "Session Ticket: {}", o.hex(&self.ticket))?;
            }
            Ok(())
        })
    }
}

// ---- Extensions ----

/// `Extension: name (len=N)`, or for an extension this crate keeps raw
/// `Extension: name (0x....) len N` and its bytes.
fn extension_header(
    o: &mut Out<'_, '_>,
    typ: crate::codec::enums::ExtensionType,
    encoded_len: usize,
    raw: Option<&[u8]>,
) -> fmt::Result {
    let len = encoded_len.saturating_sub(4);
    match raw {
        None => ln!(o, "Extension: {typ} (len={len})"),
        Some(data) => {
            ln!(o, "Extension: {} len {len}", typ.wire_name())?;
            if data.is_empty() {
                return Ok(());
            }
            o.nested(|o| ln!(o, "Data: {}", o.hex(data)))
        }
    }
}

fn point_formats(
    o: &mut Out<'_, '_>,
    formats: &[crate::codec::enums::ECPointFormat],
) -> fmt::Result {
    ln!(o, "EC point formats Length: {}", formats.len())?;
    ln!(o, "Elliptic curves point formats ({})", formats.len())?;
    o.nested(|o| {
        formats
            .iter()
            .try_for_each(|p| ln!(o, "EC point format: {}", p.wire_name()))
    })
}

fn renegotiation_info(o: &mut Out<'_, '_>, v: &[u8]) -> fmt::Result {
    ln!(o, "Renegotiation Info extension")?;
    o.nested(|o| {
        ln!(o, "Renegotiation info extension length: {}", v.len())?;
        if !v.is_empty() {
            ln!(o, "Renegotiation Info: {}", o.hex(v))?;
        }
        Ok(())
    })
}

impl Trace for ClientExtension {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        let raw = match self {
            ClientExtension::Unknown { data, .. } => Some(data.as_slice()),
            _ => None,
        };
        extension_header(o, self.ext_type(), codec_len(self), raw)?;
        o.nested(|o| match self {
            ClientExtension::ServerName(names) => {
                ln!(o, "Server Name Indication extension")?;
                o.nested(|o| {
                    names.iter().try_for_each(|n| {
                        ln!(o, "Server Name Type: {}", n.name_type.wire_name())?;
                        ln!(o, "Server Name: {}", Text(&n.name))
                    })
                })
            }
            ClientExtension::MaxFragmentLength(m) => {
                ln!(o, "Maximum Fragment Length: {}", m.wire_name())
            }
            ClientExtension::StatusRequest(CertificateStatusRequest::Ocsp(req)) => {
                ln!(o, "Certificate Status Type: OCSP (1)")?;
                ln!(
                    o,
                    "Responder ID list ({})",
                    Count(req.responder_ids.len(), "id")
                )?;
                ln!(o, "Request Extensions Length: {}", req.extensions.len())
            }
            ClientExtension::StatusRequest(CertificateStatusRequest::Unknown {
                status_type,
                data,
            }) => {
                ln!(o, "Certificate Status Type: {}", status_type.wire_name())?;
                ln!(o, "Data: {}", o.hex(data))
            }
            ClientExtension::SupportedGroups(groups) => {
                ln!(o, "Supported Groups List Length: {}", 2 * groups.len())?;
                ln!(o, "Supported Groups ({})", Count(groups.len(), "group"))?;
                o.nested(|o| {
                    groups
                        .iter()
                        .try_for_each(|g| ln!(o, "Supported Group: {}", g.wire_name()))
                })
            }
            ClientExtension::EcPointFormats(f) => point_formats(o, f),
            ClientExtension::SignatureAlgorithms(s) => signature_algorithms(o, s),
            ClientExtension::Alpn(protocols) => {
                let len: usize = protocols.iter().map(|p| 1 + p.len()).sum();
                ln!(o, "ALPN Extension Length: {len}")?;
                ln!(o, "ALPN Protocol")?;
                o.nested(|o| {
                    protocols
                        .iter()
                        .try_for_each(|p| ln!(o, "ALPN Next Protocol: {}", Text(p)))
                })
            }
            ClientExtension::RecordSizeLimit(l) => ln!(o, "Record Size Limit: {l}"),
            ClientExtension::SessionTicket(t) => {
                ln!(o, "Session Ticket Length: {}", t.len())?;
                if !t.is_empty() {
                    ln!(o, "Session Ticket: {}", o.hex(t))?;
                }
                Ok(())
            }
            ClientExtension::RenegotiationInfo(v) => renegotiation_info(o, v),
            ClientExtension::ExtendedMasterSecret | ClientExtension::Unknown { .. } => Ok(()),
        })
    }
}

impl Trace for ServerExtension {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        let raw = match self {
            ServerExtension::Unknown { data, .. } => Some(data.as_slice()),
            _ => None,
        };
        extension_header(o, self.ext_type(), codec_len(self), raw)?;
        o.nested(|o| match self {
            ServerExtension::MaxFragmentLength(m) => {
                ln!(o, "Maximum Fragment Length: {}", m.wire_name())
            }
            ServerExtension::EcPointFormats(f) => point_formats(o, f),
            ServerExtension::Alpn(p) => {
                ln!(o, "ALPN Extension Length: {}", 1 + p.len())?;
                ln!(o, "ALPN Protocol")?;
                o.nested(|o| ln!(o, "ALPN Next Protocol: {}", Text(p)))
            }
            ServerExtension::RecordSizeLimit(l) => ln!(o, "Record Size Limit: {l}"),
            ServerExtension::RenegotiationInfo(v) => renegotiation_info(o, v),
            ServerExtension::ServerName
            | ServerExtension::StatusRequest
            | ServerExtension::ExtendedMasterSecret
            | ServerExtension::SessionTicket
            | ServerExtension::Unknown { .. } => Ok(()),
        })
    }
}

// ---- Alert and ChangeCipherSpec ----

impl Trace for AlertMessage {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        ln!(o, "Alert Message")?;
        o.nested(|o| {
            ln!(o, "Level: {}", self.level.wire_name())?;
            ln!(o, "Description: {}", self.description.wire_name())
        })
    }
}

impl Trace for ChangeCipherSpec {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        ln!(o, "Change Cipher Spec Message")
    }
}

// ---- Records ----

/// The three header fields: `Content Type: Handshake (22)`, `Version: TLS 1.2 (0x0303)`,
/// `Length: 512`.
impl Trace for RecordHeader {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        ln!(o, "Content Type: {}", self.typ.wire_name())?;
        ln!(o, "Version: {}", self.version.wire_name())?;
        ln!(o, "Length: {}", self.len)
    }
}

/// A whole record, as Wireshark's record layer shows it: a title naming what it carries,
/// the header fields, then the contents.
///
/// ```text
/// TLSv1.2 Record Layer: Handshake Protocol: Client Hello
///     Content Type: Handshake (22)
///     Version: TLS 1.0 (0x0301)
///     Length: 512
///     Handshake Protocol: Client Hello
///         Handshake Type: Client Hello (1)
///         ...
/// ```
///
/// A plaintext handshake record is read as a sequence of whole handshake messages, each
/// traced in full; the bytes of a message that continues in the next record are reported
/// as a fragment (this view has no memory across records). A protected record shows its
/// title (`Encrypted Handshake Message`, `Application Data`, `Encrypted Alert`) and its
/// ciphertext.
///
/// ```
/// use tls12::internal::codec::enums::{ContentType, ProtocolVersion};
/// use tls12::internal::msgs::KxContext;
/// use tls12::internal::msgs::trace::RecordTrace;
/// use tls12::internal::record::RecordHeader;
///
/// let header = RecordHeader {
///     typ: ContentType::CHANGE_CIPHER_SPEC,
///     version: ProtocolVersion::TLS12,
///     len: 1,
/// };
/// let trace = RecordTrace::plaintext(header, &[1], KxContext::Unknown).to_string();
/// assert_eq!(
///     trace,
///     "TLSv1.2 Record Layer: Change Cipher Spec Protocol: Change Cipher Spec\n\
///      \x20   Content Type: Change Cipher Spec (20)\n\
///      \x20   Version: TLS 1.2 (0x0303)\n\
///      \x20   Length: 1\n\
///      \x20   Change Cipher Spec Message"
/// );
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RecordTrace<'a> {
    header: RecordHeader,
    payload: &'a [u8],
    protected: bool,
    kx: KxContext,
}

impl<'a> RecordTrace<'a> {
    /// A record sent before its sender's ChangeCipherSpec. `kx` says how to read key
    /// exchange messages (from the negotiated suite; [`KxContext::Unknown`] shows them raw).
    pub fn plaintext(header: RecordHeader, payload: &'a [u8], kx: KxContext) -> Self {
        Self {
            header,
            payload,
            protected: false,
            kx,
        }
    }

    /// A record sent after its sender's ChangeCipherSpec: only the header and the
    /// ciphertext are shown.
    pub fn encrypted(header: RecordHeader, payload: &'a [u8]) -> Self {
        Self {
            header,
            payload,
            protected: true,
            kx: KxContext::Unknown,
        }
    }

    /// The title after `TLSv1.2 Record Layer: `.
    fn title(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        let prefix = "TLSv1.2 Record Layer";
        match (self.header.typ, self.protected) {
            (ContentType::HANDSHAKE, true) => {
                ln!(
                    o,
                    "{prefix}: Handshake Protocol: Encrypted Handshake Message"
                )
            }
            (ContentType::HANDSHAKE, false) => {
                let mut r = Reader::new(self.payload);
                let mut count = 0;
                let mut first = None;
                while let (Ok(t), Ok(len)) = (r.u8("type"), r.u24("length")) {
                    first.get_or_insert(HandshakeType(t));
                    count += 1;
                    if r.take(len as usize, "body").is_err() {
                        break;
                    }
                }
                match (count, first.and_then(|t| t.name())) {
                    (1, Some(name)) => ln!(o, "{prefix}: Handshake Protocol: {name}"),
                    (n, _) if n > 1 => {
                        ln!(
                            o,
                            "{prefix}: Handshake Protocol: Multiple Handshake Messages"
                        )
                    }
                    _ => ln!(o, "{prefix}: Handshake Protocol"),
                }
            }
            (ContentType::CHANGE_CIPHER_SPEC, _) => {
                ln!(
                    o,
                    "{prefix}: Change Cipher Spec Protocol: Change Cipher Spec"
                )
            }
            (ContentType::ALERT, true) => ln!(o, "{prefix}: Encrypted Alert"),
            (ContentType::ALERT, false) => match AlertMessage::decode(self.payload) {
                Ok(a) => ln!(
                    o,
                    "{prefix}: Alert (Level: {}, Description: {})",
                    a.level,
                    a.description
                ),
                Err(_) => ln!(o, "{prefix}: Alert"),
            },
            (ContentType::APPLICATION_DATA, _) => {
                ln!(o, "{prefix}: Application Data Protocol: Application Data")
            }
            (t, _) => ln!(o, "{prefix}: {}", t.wire_name()),
        }
    }

    fn contents(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        let p = self.payload;
        if self.protected {
            return match self.header.typ {
                ContentType::HANDSHAKE => ln!(o, "Encrypted Handshake Message: {}", o.hex(p)),
                ContentType::APPLICATION_DATA => {
                    ln!(o, "Encrypted Application Data: {}", o.hex(p))
                }
                ContentType::ALERT => ln!(o, "Encrypted Alert: {}", o.hex(p)),
                _ => ln!(o, "Encrypted Data: {}", o.hex(p)),
            };
        }
        match self.header.typ {
            ContentType::HANDSHAKE => {
                let mut r = Reader::new(p);
                while r.any_left() {
                    let at = p.len() - r.left();
                    match HandshakeMessage::read_with(&mut r, self.kx) {
                        Ok(m) => m.trace(o)?,
                        Err(e) if e.kind == DecodeErrorKind::Truncated && at + 4 > p.len() => {
                            return ln!(o, "Handshake Message Fragment: {}", o.hex(&p[at..]));
                        }
                        Err(e)
                            if e.kind == DecodeErrorKind::Truncated
                                && e.field == "Handshake.body" =>
                        {
                            return ln!(
                                o,
                                "Handshake Message Fragment (continues in the next record): {}",
                                o.hex(&p[at..])
                            );
                        }
                        Err(e) => {
                            return ln!(
                                o,
                                "Malformed Handshake Message ({e}): {}",
                                o.hex(&p[at..])
                            );
                        }
                    }
                }
                Ok(())
            }
            ContentType::CHANGE_CIPHER_SPEC => match ChangeCipherSpec::decode(p) {
                Ok(c) => c.trace(o),
                Err(e) => ln!(o, "Malformed Change Cipher Spec ({e}): {}", o.hex(p)),
            },
            ContentType::ALERT => match AlertMessage::decode(p) {
                Ok(a) => a.trace(o),
                Err(e) => ln!(o, "Malformed Alert ({e}): {}", o.hex(p)),
            },
            ContentType::APPLICATION_DATA => ln!(o, "Application Data: {}", o.hex(p)),
            _ => ln!(o, "Data: {}", o.hex(p)),
        }
    }
}

impl Trace for RecordTrace<'_> {
    fn trace(&self, o: &mut Out<'_, '_>) -> fmt::Result {
        self.title(o)?;
        o.nested(|o| {
            self.header.trace(o)?;
            self.contents(o)
        })
    }
}

// ---- A minimal DER walk for certificate names ----

/// Just enough DER to show who a certificate is for: the issuer and subject names and their
/// attributes. Total over any input: a structure it does not expect gives `None` (or a
/// [`Malformed`](der::Malformed) attribute), never a panic. The trace prints common names
/// with it; the examples (`examples/common/der.rs`) print whole subjects.
pub mod der {
    use core::fmt;

    use super::Text;

    /// One TLV: `(tag, contents, rest)`. Only single-byte tags; definite lengths of up to 4
    /// bytes.
    pub fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = b.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return None;
            }
            let (bytes, rest) = rest.split_at_checked(n)?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, rest)
        };
        let (contents, rest) = rest.split_at_checked(len)?;
        Some((tag, contents, rest))
    }

    const SEQUENCE: u8 = 0x30;
    const SET: u8 = 0x31;
    const OID: u8 = 0x06;
    /// id-at-commonName, 2.5.4.3.
    const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

    /// The contents of an X.501 `Name` (a SEQUENCE of RDNs).
    #[derive(Debug, Clone, Copy)]
    pub struct Name<'a>(pub &'a [u8]);

    /// One attribute of a [`Name`]: its type and its value, both undecoded.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Attribute<'a> {
        /// The contents of the type's OID (`55 04 03` for id-at-commonName, 2.5.4.3).
        pub oid: &'a [u8],
        /// The value's tag (UTF8String 0x0c, PrintableString 0x13, BMPString 0x1e, ...).
        pub tag: u8,
        /// The value's contents.
        pub value: &'a [u8],
    }

    /// A [`Name`] that is not a SEQUENCE of SETs of (OID, value) SEQUENCEs.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Malformed;

    /// The attributes of a [`Name`], in order; a malformed one ends the walk (after an
    /// `Err(Malformed)`).
    #[derive(Debug, Clone)]
    pub struct Attributes<'a> {
        rdns: &'a [u8],
        atvs: &'a [u8],
        done: bool,
    }

    impl<'a> Iterator for Attributes<'a> {
        type Item = Result<Attribute<'a>, Malformed>;

        fn next(&mut self) -> Option<Self::Item> {
            if self.done {
                return None;
            }
            let item = self.step();
            self.done = !matches!(item, Some(Ok(_)));
            item
        }
    }

    impl<'a> Attributes<'a> {
        fn step(&mut self) -> Option<Result<Attribute<'a>, Malformed>> {
            while self.atvs.is_empty() {
                if self.rdns.is_empty() {
                    return None;
                }
                let Some((SET, rdn, rest)) = tlv(self.rdns) else {
                    return Some(Err(Malformed));
                };
                self.rdns = rest;
                self.atvs = rdn;
            }
            let Some((SEQUENCE, atv, rest)) = tlv(self.atvs) else {
                return Some(Err(Malformed));
            };
            self.atvs = rest;
            let Some((OID, oid, value)) = tlv(atv) else {
                return Some(Err(Malformed));
            };
            let Some((tag, value, _)) = tlv(value) else {
                return Some(Err(Malformed));
            };
            Some(Ok(Attribute { oid, tag, value }))
        }
    }

    impl<'a> Name<'a> {
        /// Every attribute, RDN by RDN, in the order of the encoding.
        pub fn attributes(&self) -> Attributes<'a> {
            Attributes {
                rdns: self.0,
                atvs: &[],
                done: false,
            }
        }

        /// The value of the last common name attribute, if it is a string type; `None` if
        /// there is none or the name is malformed.
        pub fn common_name(&self) -> Option<&'a [u8]> {
            let mut found = None;
            for a in self.attributes() {
                let a = a.ok()?;
                // UTF8String, PrintableString, T61String, IA5String.
                if a.oid == COMMON_NAME && matches!(a.tag, 0x0c | 0x13 | 0x14 | 0x16) {
                    found = Some(a.value);
                }
            }
            found
        }
    }

    /// `CN=...`, or `(no common name)`.
    impl fmt::Display for Name<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self.common_name() {
                Some(cn) => write!(f, "CN={}", Text(cn)),
                None => f.write_str("(no common name)"),
            }
        }
    }

    /// The issuer and subject of a certificate.
    #[derive(Debug, Clone, Copy)]
    pub struct CertNames<'a> {
        /// Whom the certificate is for.
        pub subject: Name<'a>,
        /// Who signed it.
        pub issuer: Name<'a>,
    }

    /// The issuer and subject of an X.509 certificate (RFC 5280 section 4.1), or `None` if
    /// the certificate does not parse that far.
    pub fn cert_names(cert: &[u8]) -> Option<CertNames<'_>> {
        let (SEQUENCE, cert, _) = tlv(cert)? else {
            return None;
        };
        let (SEQUENCE, tbs, _) = tlv(cert)? else {
            return None;
        };
        // version [0] EXPLICIT, optional
        let (tag, _, after_version) = tlv(tbs)?;
        let fields = if tag == 0xa0 { after_version } else { tbs };
        let (_serial, _, rest) = tlv(fields)?;
        let (_signature, _, rest) = tlv(rest)?;
        let (SEQUENCE, issuer, rest) = tlv(rest)? else {
            return None;
        };
        let (_validity, _, rest) = tlv(rest)?;
        let (SEQUENCE, subject, _) = tlv(rest)? else {
            return None;
        };
        Some(CertNames {
            subject: Name(subject),
            issuer: Name(issuer),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::{
        AlertDescription, CipherSuite, CompressionMethod, ECCurveType, ECPointFormat,
        ExtensionType, MaxFragmentLength, NamedGroup, ProtocolVersion, SignatureScheme,
    };
    use crate::msgs::{OcspStatusRequest, Random, SessionId};
    use alloc::format;
    use alloc::string::{String, ToString};
    use alloc::vec;
    use pki_types::CertificateDer;

    const SERVER_RSA: &[u8] = include_bytes!("../../tests/data/pki/server-rsa.crt.der");
    const CA_RSA: &[u8] = include_bytes!("../../tests/data/pki/ca-rsa.crt.der");

    fn lines(s: &str) -> Vec<&str> {
        s.lines().collect()
    }

    #[test]
    fn hex_short_and_full() {
        assert_eq!(Hex(&[]).to_string(), "");
        assert_eq!(Hex(&[0; 32]).to_string(), "00".repeat(32));
        let b: Vec<u8> = (0..33).collect();
        assert_eq!(
            Hex(&b).to_string(),
            "000102030405060708090a0b0c0d0e0f... (33 bytes)"
        );
        assert_eq!(format!("{:#}", Hex(&b)).len(), 66);
        assert_eq!(format!("{:?}", Hex(&[1, 2])), "0102");
    }

    #[test]
    fn text_escapes() {
        assert_eq!(Text(b"a.b\\\x00\xff").to_string(), "a.b\\x5c\\x00\\xff");
    }

    fn client_hello() -> ClientHello {
        ClientHello {
            version: ProtocolVersion::TLS12,
            random: Random([0xab; 32]),
            session_id: SessionId::new(&[1, 2, 3]).unwrap(),
            cipher_suites: vec![
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite(0x0a0a),
            ],
            compression_methods: vec![CompressionMethod::NULL],
            extensions: Some(vec![
                ClientExtension::host_name(b"example.com"),
                ClientExtension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::SECP256R1]),
                ClientExtension::EcPointFormats(vec![ECPointFormat::UNCOMPRESSED]),
                ClientExtension::SignatureAlgorithms(vec![SignatureScheme::RSA_PKCS1_SHA256]),
                ClientExtension::Alpn(vec![b"h2".to_vec(), b"http/1.1".to_vec()]),
                ClientExtension::ExtendedMasterSecret,
                ClientExtension::RenegotiationInfo(vec![]),
                ClientExtension::SessionTicket(vec![]),
                ClientExtension::MaxFragmentLength(MaxFragmentLength::L2048),
                ClientExtension::RecordSizeLimit(16385),
                ClientExtension::StatusRequest(CertificateStatusRequest::Ocsp(
                    OcspStatusRequest::default(),
                )),
                ClientExtension::Unknown {
                    typ: ExtensionType(0x1234),
                    data: vec![0, 3, 2, 0x68, 0x32],
                },
                ClientExtension::Unknown {
                    typ: ExtensionType::SUPPORTED_VERSIONS,
                    data: vec![2, 3, 4],
                },
            ]),
        }
    }

    #[test]
    fn client_hello_exact() {
        let ch = client_hello();
        let msg = HandshakeMessage::from(ch.clone());
        let body_len = msg.to_bytes().unwrap().len() - 4;
        let random = "ab".repeat(32);
        let expected = format!(
            "\
Handshake Protocol: Client Hello
    Handshake Type: Client Hello (1)
    Length: {body_len}
    Version: TLS 1.2 (0x0303)
    Random: {random}
    Session ID Length: 3
    Session ID: 010203
    Cipher Suites Length: 4
    Cipher Suites (2 suites)
        Cipher Suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)
        Cipher Suite: Unknown (0x0a0a)
    Compression Methods Length: 1
    Compression Methods (1 method)
        Compression Method: null (0)
    Extensions Length: {ext_len}
    Extension: server_name (len=16)
        Server Name Indication extension
            Server Name Type: host_name (0)
            Server Name: example.com
    Extension: supported_groups (len=6)
        Supported Groups List Length: 4
        Supported Groups (2 groups)
            Supported Group: x25519 (0x001d)
            Supported Group: secp256r1 (0x0017)
    Extension: ec_point_formats (len=2)
        EC point formats Length: 1
        Elliptic curves point formats (1)
            EC point format: uncompressed (0)
    Extension: signature_algorithms (len=4)
        Signature Hash Algorithms Length: 2
        Signature Hash Algorithms (1 algorithm)
            Signature Algorithm: rsa_pkcs1_sha256 (0x0401)
    Extension: application_layer_protocol_negotiation (len=14)
        ALPN Extension Length: 12
        ALPN Protocol
            ALPN Next Protocol: h2
            ALPN Next Protocol: http/1.1
    Extension: extended_master_secret (len=0)
    Extension: renegotiation_info (len=1)
        Renegotiation Info extension
            Renegotiation info extension length: 0
    Extension: session_ticket (len=0)
        Session Ticket Length: 0
    Extension: max_fragment_length (len=1)
        Maximum Fragment Length: 2048 (3)
    Extension: record_size_limit (len=2)
        Record Size Limit: 16385
    Extension: status_request (len=5)
        Certificate Status Type: OCSP (1)
        Responder ID list (0 ids)
        Request Extensions Length: 0
    Extension: Unknown (0x1234) len 5
        Data: 0003026832
    Extension: supported_versions (0x002b) len 3
        Data: 020304",
            ext_len = body_len - (2 + 32 + 4 + 2 + 4 + 2 + 2)
        );
        assert_eq!(msg.to_string(), expected);
        // The payload struct alone and the payload enum print the same.
        assert_eq!(ch.to_string(), expected);
        assert_eq!(msg.payload.to_string(), expected);
    }

    #[test]
    fn extension_lengths_match_encoding() {
        for e in client_hello().extensions.unwrap() {
            let s = e.to_string();
            let len = e.to_bytes().unwrap().len() - 4;
            assert!(
                s.starts_with(&format!("Extension: {} (len={len})", e.ext_type()))
                    || s.starts_with(&format!(
                        "Extension: {} len {len}",
                        e.ext_type().wire_name()
                    )),
                "{s}"
            );
        }
    }

    #[test]
    fn server_hello_exact() {
        let sh = ServerHello {
            version: ProtocolVersion::TLS12,
            random: Random([1; 32]),
            session_id: SessionId::EMPTY,
            cipher_suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            compression_method: CompressionMethod::NULL,
            extensions: Some(vec![
                ServerExtension::ServerName,
                ServerExtension::Alpn(b"h2".to_vec()),
                ServerExtension::EcPointFormats(vec![ECPointFormat::UNCOMPRESSED]),
                ServerExtension::ExtendedMasterSecret,
                ServerExtension::RenegotiationInfo(vec![0xaa; 24]),
                ServerExtension::SessionTicket,
                ServerExtension::StatusRequest,
                ServerExtension::Unknown {
                    typ: ExtensionType(0xfafa),
                    data: vec![],
                },
            ]),
        };
        let random = "01".repeat(32);
        let reneg = "aa".repeat(24);
        let expected = format!(
            "\
Handshake Protocol: Server Hello
    Handshake Type: Server Hello (2)
    Length: 104
    Version: TLS 1.2 (0x0303)
    Random: {random}
    Session ID Length: 0
    Cipher Suite: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xc02c)
    Compression Method: null (0)
    Extensions Length: 64
    Extension: server_name (len=0)
    Extension: application_layer_protocol_negotiation (len=5)
        ALPN Extension Length: 3
        ALPN Protocol
            ALPN Next Protocol: h2
    Extension: ec_point_formats (len=2)
        EC point formats Length: 1
        Elliptic curves point formats (1)
            EC point format: uncompressed (0)
    Extension: extended_master_secret (len=0)
    Extension: renegotiation_info (len=25)
        Renegotiation Info extension
            Renegotiation info extension length: 24
            Renegotiation Info: {reneg}
    Extension: session_ticket (len=0)
    Extension: status_request (len=0)
    Extension: Unknown (0xfafa) len 0"
        );
        assert_eq!(HandshakeMessage::from(sh.clone()).to_string(), expected);
        assert_eq!(sh.to_string(), expected);
        assert_eq!(
            HandshakeMessage::from(sh).to_bytes().unwrap().len() - 4,
            104,
            "Length line is the body length"
        );
    }

    fn ske() -> EcdheServerKeyExchange {
        EcdheServerKeyExchange {
            curve_type: ECCurveType::NAMED_CURVE,
            group: NamedGroup::X25519,
            public: vec![0x3b; 32],
            signed: DigitallySigned {
                scheme: SignatureScheme::RSA_PKCS1_SHA512,
                signature: vec![0x37; 256],
            },
        }
    }

    #[test]
    fn server_key_exchange_exact_and_alternate() {
        let m = HandshakeMessage::from(ServerKeyExchangePayload::Ecdhe(ske()));
        let pubkey = "3b".repeat(32);
        let sig = "37".repeat(16);
        let expected = format!(
            "\
Handshake Protocol: Server Key Exchange
    Handshake Type: Server Key Exchange (12)
    Length: 296
    EC Diffie-Hellman Server Params
        Curve Type: named_curve (0x03)
        Named Curve: x25519 (0x001d)
        Pubkey Length: 32
        Pubkey: {pubkey}
        Signature Algorithm: rsa_pkcs1_sha512 (0x0601)
        Signature Length: 256
        Signature: {sig}... (256 bytes)"
        );
        assert_eq!(m.to_string(), expected);
        let full = format!("{m:#}");
        assert!(
            full.ends_with(&format!("Signature: {}", "37".repeat(256))),
            "{full}"
        );
        // Alone, the params block is what the message nests.
        assert!(
            ske().to_string().starts_with(
                "EC Diffie-Hellman Server Params\n    Curve Type: named_curve (0x03)\n"
            )
        );
        let raw = HandshakeMessage::decode(&m.to_bytes().unwrap()).unwrap();
        assert_eq!(
            lines(&raw.to_string())[3],
            format!(
                "    Data (key exchange not known here): {}... (296 bytes)",
                "03001d203b3b3b3b3b3b3b3b3b3b3b3b"
            )
        );
    }

    #[test]
    fn client_key_exchange_and_small_messages() {
        let t = |m: HandshakeMessage| m.to_string();
        assert_eq!(
            t(HandshakeMessage::from(ClientKeyExchangePayload::Ecdhe(
                vec![0x8c; 32]
            ))),
            format!(
                "Handshake Protocol: Client Key Exchange\n    Handshake Type: Client Key Exchange (16)\n    Length: 33\n    EC Diffie-Hellman Client Params\n        Pubkey Length: 32\n        Pubkey: {}",
                "8c".repeat(32)
            )
        );
        assert_eq!(
            lines(&t(HandshakeMessage::from(ClientKeyExchangePayload::Rsa(
                vec![9; 256]
            ))))[3..],
            [
                "    RSA Encrypted PreMaster Secret",
                "        Encrypted PreMaster length: 256",
                "        Encrypted PreMaster: 09090909090909090909090909090909... (256 bytes)",
            ]
        );
        assert_eq!(
            t(HandshakeMessage::server_hello_done()),
            "Handshake Protocol: Server Hello Done\n    Handshake Type: Server Hello Done (14)\n    Length: 0"
        );
        assert_eq!(
            lines(&t(HandshakeMessage::finished(vec![0xf0; 12])))[3],
            "    Verify Data: f0f0f0f0f0f0f0f0f0f0f0f0"
        );
        assert_eq!(
            lines(&t(HandshakeMessage::certificate_verify(DigitallySigned {
                scheme: SignatureScheme::ECDSA_SECP256R1_SHA256,
                signature: vec![0x30, 0x44],
            })))[3..],
            [
                "    Signature Algorithm: ecdsa_secp256r1_sha256 (0x0403)",
                "    Signature Length: 2",
                "    Signature: 3044",
            ]
        );
        assert_eq!(
            lines(&t(HandshakeMessage::from(NewSessionTicket {
                lifetime_hint: 7200,
                ticket: vec![0xcc; 4],
            })))[3..],
            [
                "    TLS Session Ticket",
                "        Session Ticket Lifetime Hint: 7200 seconds",
                "        Session Ticket Length: 4",
                "        Session Ticket: cccccccc",
            ]
        );
        assert_eq!(
            lines(&t(HandshakeMessage::from(CertificateStatus::Ocsp(vec![
                1, 2
            ]))))[3..],
            [
                "    Certificate Status Type: OCSP (1)",
                "    OCSP Response Length: 2",
                "    OCSP Response: 0102",
            ]
        );
        assert_eq!(
            t(HandshakeMessage::unknown(HandshakeType(99), vec![7])),
            "Handshake Protocol: Unknown Handshake Message (99)\n    Handshake Type: Unknown (99)\n    Length: 1\n    Data: 07"
        );
        assert_eq!(
            t(HandshakeMessage::hello_request()),
            "Handshake Protocol: Hello Request\n    Handshake Type: Hello Request (0)\n    Length: 0"
        );
    }

    #[test]
    fn certificate_names_from_der() {
        let chain = CertificateChain(vec![
            CertificateDer::from(SERVER_RSA.to_vec()),
            CertificateDer::from(CA_RSA.to_vec()),
        ]);
        let s = HandshakeMessage::from(chain).to_string();
        let l = lines(&s);
        assert_eq!(
            l[3],
            format!(
                "    Certificates Length: {}",
                6 + SERVER_RSA.len() + CA_RSA.len()
            )
        );
        assert_eq!(l[4], "    Certificates (2 certificates)");
        assert_eq!(
            l[5],
            format!("        Certificate Length: {}", SERVER_RSA.len())
        );
        assert!(l[6].starts_with("        Certificate: 3082"), "{}", l[6]);
        assert!(l[6].ends_with(&format!("... ({} bytes)", SERVER_RSA.len())));
        assert_eq!(l[7], "            Subject: CN=testserver.tls12.test");
        assert_eq!(l[8], "            Issuer: CN=tls12 test RSA root CA");
        assert_eq!(l[11], "            Subject: CN=tls12 test RSA root CA");
        assert_eq!(l[12], "            Issuer: CN=tls12 test RSA root CA");
        assert_eq!(l.len(), 13);
    }

    #[test]
    fn der_walk_is_total() {
        // Every prefix and a few corruptions of a real certificate: no panic.
        for n in 0..SERVER_RSA.len() {
            let _ = der::cert_names(&SERVER_RSA[..n]).map(|c| c.subject.to_string());
        }
        for i in (0..SERVER_RSA.len()).step_by(7) {
            let mut b = SERVER_RSA.to_vec();
            b[i] ^= 0xff;
            let _ = der::cert_names(&b).map(|c| (c.subject.to_string(), c.issuer.to_string()));
            if let Some(c) = der::cert_names(&b) {
                // A malformed attribute ends the walk.
                let mut attrs = c.issuer.attributes();
                if attrs.by_ref().any(|a| a.is_err()) {
                    assert!(attrs.next().is_none());
                }
            }
        }
        // Every attribute of the subject, in order (organisation, then common name).
        let names = der::cert_names(SERVER_RSA).unwrap();
        let attrs: Vec<_> = names.subject.attributes().map(Result::unwrap).collect();
        let pairs: Vec<_> = attrs.iter().map(|a| (a.oid, a.value)).collect();
        assert_eq!(
            pairs,
            [
                (&[0x55, 0x04, 0x0a][..], &b"tls12 test"[..]),
                (&[0x55, 0x04, 0x03][..], &b"testserver.tls12.test"[..]),
            ]
        );
        // A Name whose RDN is not a SET is malformed: no common name.
        let bad = der::Name(&[0x30, 0x00]);
        assert_eq!(bad.attributes().collect::<Vec<_>>(), [Err(der::Malformed)]);
        assert_eq!(bad.common_name(), None);
        assert!(der::cert_names(&[]).is_none());
        assert!(der::tlv(&[0x30, 0x85, 0, 0, 0, 0, 0]).is_none());
        assert!(der::tlv(&[0x30, 0x80]).is_none());
        let junk = CertificateChain(vec![CertificateDer::from(vec![1, 2, 3])]);
        let s = junk.to_string();
        assert!(s.ends_with("        Certificate: 010203"), "{s}");
    }

    #[test]
    fn certificate_request() {
        // The DER Name of the RSA root, as a CA name in a CertificateRequest.
        let names = der::cert_names(CA_RSA).unwrap();
        let mut dn = vec![0x30];
        let len = names.subject.0.len();
        assert!(len < 0x10000);
        dn.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
        dn.extend_from_slice(names.subject.0);
        let cr = CertificateRequest {
            certificate_types: vec![
                crate::codec::enums::ClientCertificateType::RSA_SIGN,
                crate::codec::enums::ClientCertificateType::ECDSA_SIGN,
            ],
            signature_schemes: vec![SignatureScheme::RSA_PSS_RSAE_SHA256],
            certificate_authorities: vec![dn.clone(), vec![0x30, 0]],
        };
        let s = cr.to_string();
        assert_eq!(
            lines(&s)[3..],
            [
                "    Certificate types count: 2",
                "    Certificate types (2 types)",
                "        Certificate type: RSA Sign (1)",
                "        Certificate type: ECDSA Sign (64)",
                "    Signature Hash Algorithms Length: 2",
                "    Signature Hash Algorithms (1 algorithm)",
                "        Signature Algorithm: rsa_pss_rsae_sha256 (0x0804)",
                &format!("    Distinguished Names Length: {}", dn.len() + 2 + 4),
                "    Distinguished Names (2 names)",
                "        Distinguished Name: CN=tls12 test RSA root CA",
                "        Distinguished Name: 3000",
            ]
        );
    }

    #[test]
    fn alert_and_ccs() {
        let a = AlertMessage::fatal(AlertDescription::HANDSHAKE_FAILURE);
        assert_eq!(
            a.to_string(),
            "Alert Message\n    Level: Fatal (2)\n    Description: handshake_failure (40)"
        );
        assert_eq!(ChangeCipherSpec.to_string(), "Change Cipher Spec Message");
    }

    fn header(typ: ContentType, len: usize) -> RecordHeader {
        RecordHeader {
            typ,
            version: ProtocolVersion::TLS12,
            len: len as u16,
        }
    }

    #[test]
    fn records() {
        let done = HandshakeMessage::server_hello_done().to_bytes().unwrap();
        let fin = HandshakeMessage::finished(vec![1; 12]).to_bytes().unwrap();
        let mut two = done.clone();
        two.extend_from_slice(&fin);
        let t = RecordTrace::plaintext(header(ContentType::HANDSHAKE, 20), &two, KxContext::Ecdhe)
            .to_string();
        assert_eq!(
            lines(&t),
            [
                "TLSv1.2 Record Layer: Handshake Protocol: Multiple Handshake Messages",
                "    Content Type: Handshake (22)",
                "    Version: TLS 1.2 (0x0303)",
                "    Length: 20",
                "    Handshake Protocol: Server Hello Done",
                "        Handshake Type: Server Hello Done (14)",
                "        Length: 0",
                "    Handshake Protocol: Finished",
                "        Handshake Type: Finished (20)",
                "        Length: 12",
                "        Verify Data: 010101010101010101010101",
            ]
        );

        // A message cut by the record boundary, and one cut inside its header.
        let t = RecordTrace::plaintext(
            header(ContentType::HANDSHAKE, 10),
            &two[..10],
            KxContext::Ecdhe,
        )
        .to_string();
        assert_eq!(
            lines(&t)[4..],
            [
                "    Handshake Protocol: Server Hello Done",
                "        Handshake Type: Server Hello Done (14)",
                "        Length: 0",
                "    Handshake Message Fragment (continues in the next record): 1400000c0101",
            ]
        );
        let t = RecordTrace::plaintext(
            header(ContentType::HANDSHAKE, 2),
            &[20, 0],
            KxContext::Ecdhe,
        )
        .to_string();
        assert_eq!(
            lines(&t),
            [
                "TLSv1.2 Record Layer: Handshake Protocol",
                "    Content Type: Handshake (22)",
                "    Version: TLS 1.2 (0x0303)",
                "    Length: 2",
                "    Handshake Message Fragment: 1400",
            ]
        );
        // Malformed: a ServerHelloDone with a body.
        let t = RecordTrace::plaintext(
            header(ContentType::HANDSHAKE, 5),
            &[14, 0, 0, 1, 0],
            KxContext::Ecdhe,
        )
        .to_string();
        assert!(
            lines(&t)[4].starts_with("    Malformed Handshake Message ("),
            "{t}"
        );

        let alert = AlertMessage::warning(AlertDescription::CLOSE_NOTIFY)
            .to_bytes()
            .unwrap();
        let t = RecordTrace::plaintext(header(ContentType::ALERT, 2), &alert, KxContext::Unknown)
            .to_string();
        assert_eq!(
            lines(&t),
            [
                "TLSv1.2 Record Layer: Alert (Level: Warning, Description: close_notify)",
                "    Content Type: Alert (21)",
                "    Version: TLS 1.2 (0x0303)",
                "    Length: 2",
                "    Alert Message",
                "        Level: Warning (1)",
                "        Description: close_notify (0)",
            ]
        );

        let ct = [0x5a; 40];
        let enc = |typ| {
            let s = RecordTrace::encrypted(header(typ, 40), &ct).to_string();
            let l: Vec<String> = s.lines().map(String::from).collect();
            (l[0].clone(), l[4].clone())
        };
        let short = format!("{}... (40 bytes)", "5a".repeat(16));
        assert_eq!(
            enc(ContentType::HANDSHAKE),
            (
                "TLSv1.2 Record Layer: Handshake Protocol: Encrypted Handshake Message".into(),
                format!("    Encrypted Handshake Message: {short}")
            )
        );
        assert_eq!(
            enc(ContentType::APPLICATION_DATA),
            (
                "TLSv1.2 Record Layer: Application Data Protocol: Application Data".into(),
                format!("    Encrypted Application Data: {short}")
            )
        );
        assert_eq!(
            enc(ContentType::ALERT),
            (
                "TLSv1.2 Record Layer: Encrypted Alert".into(),
                format!("    Encrypted Alert: {short}")
            )
        );
        let full = format!(
            "{:#}",
            RecordTrace::encrypted(header(ContentType::APPLICATION_DATA, 40), &ct)
        );
        assert!(full.ends_with(&"5a".repeat(40)));

        // The header alone.
        assert_eq!(
            header(ContentType::APPLICATION_DATA, 7).to_string(),
            "Content Type: Application Data (23)\nVersion: TLS 1.2 (0x0303)\nLength: 7"
        );
    }
}
