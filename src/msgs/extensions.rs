//! Hello extensions (RFC 5246 section 7.4.1.4 and the RFCs that define each one).
//!
//! [`ClientExtension`] is what a ClientHello carries, [`ServerExtension`] what a ServerHello
//! carries: the same extension type often has a different body in each direction (server_name
//! is a list of names from the client and empty from the server). Extensions this crate has no
//! type for are kept as `Unknown { typ, data }` with their body untouched, so GREASE values,
//! padding and TLS 1.3 extensions survive a decode/encode roundtrip.
//!
//! Errors inside an extension name it: `ClientHello.extensions.supported_groups`.

use alloc::vec::Vec;
use core::fmt;

use super::{
    OpaqueItems, WireItems, put_opaque_list, read_opaque_items, read_opaque_list, read_u8_list,
    read_wire_items,
};
use crate::codec::enums::{
    CertificateStatusType, ECPointFormat, ExtensionType, MaxFragmentLength, NamedGroup,
    ServerNameType, SignatureScheme,
};
use crate::codec::{Codec, LenPrefix, LengthPrefixed, Reader, put_opaque, put_u16, put_vec};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// Which hello an extension list belongs to: it decides the body format and the field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Client,
    Server,
}

macro_rules! ext_field {
    ($side:expr, $name:literal) => {
        match $side {
            Side::Client => concat!("ClientHello.extensions.", $name),
            Side::Server => concat!("ServerHello.extensions.", $name),
        }
    };
}

/// The field name used in errors about an extension of type `typ`.
pub(crate) fn ext_field(side: Side, typ: ExtensionType) -> &'static str {
    match typ {
        ExtensionType::SERVER_NAME => ext_field!(side, "server_name"),
        ExtensionType::MAX_FRAGMENT_LENGTH => ext_field!(side, "max_fragment_length"),
        ExtensionType::STATUS_REQUEST => ext_field!(side, "status_request"),
        ExtensionType::SUPPORTED_GROUPS => ext_field!(side, "supported_groups"),
        ExtensionType::EC_POINT_FORMATS => ext_field!(side, "ec_point_formats"),
        ExtensionType::SIGNATURE_ALGORITHMS => ext_field!(side, "signature_algorithms"),
        ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => {
            ext_field!(side, "application_layer_protocol_negotiation")
        }
        ExtensionType::EXTENDED_MASTER_SECRET => ext_field!(side, "extended_master_secret"),
        ExtensionType::RECORD_SIZE_LIMIT => ext_field!(side, "record_size_limit"),
        ExtensionType::SESSION_TICKET => ext_field!(side, "session_ticket"),
        ExtensionType::RENEGOTIATION_INFO => ext_field!(side, "renegotiation_info"),
        _ => list_field(side),
    }
}

/// The field name of the extension list itself.
pub(crate) const fn list_field(side: Side) -> &'static str {
    match side {
        Side::Client => "ClientHello.extensions",
        Side::Server => "ServerHello.extensions",
    }
}

/// One entry of a client's server_name list (RFC 6066 section 3).
///
/// Every name type is read as `opaque<1..2^16-1>`, the layout of `host_name` and the only
/// layout ever registered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ServerNameEntry {
    /// The kind of name; [`ServerNameType::HOST_NAME`] is the only one defined.
    pub name_type: ServerNameType,
    /// The name as sent: for a host name, ASCII DNS name bytes without a trailing dot.
    pub name: Vec<u8>,
}

/// The OCSP variant of a client's status_request (RFC 6066 section 8).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct OcspStatusRequest {
    /// `ResponderID responder_id_list<0..2^16-1>`: DER `ResponderID`s, each non-empty.
    pub responder_ids: Vec<Vec<u8>>,
    /// `Extensions request_extensions<0..2^16-1>`: the DER-encoded OCSP request extensions,
    /// kept raw.
    pub extensions: Vec<u8>,
}

/// The body of a client's status_request extension (RFC 6066 section 8).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum CertificateStatusRequest {
    /// `status_type` ocsp.
    Ocsp(OcspStatusRequest),
    /// Any other status type, with the rest of the body kept raw.
    Unknown {
        /// The status type (never [`CertificateStatusType::OCSP`] after a decode).
        status_type: CertificateStatusType,
        /// The request body after the status type.
        data: Vec<u8>,
    },
}

impl CertificateStatusRequest {
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
        let status_type = CertificateStatusType(r.u8(field)?);
        Ok(match status_type {
            CertificateStatusType::OCSP => {
                let responder_ids =
                    read_opaque_list(r, LenPrefix::U16, LenPrefix::U16, field, false)?;
                let extensions = r.opaque(LenPrefix::U16, field)?.to_vec();
                CertificateStatusRequest::Ocsp(OcspStatusRequest {
                    responder_ids,
                    extensions,
                })
            }
            _ => CertificateStatusRequest::Unknown {
                status_type,
                data: r.rest().to_vec(),
            },
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            CertificateStatusRequest::Ocsp(o) => {
                CertificateStatusType::OCSP.encode(out)?;
                put_opaque_list(out, LenPrefix::U16, LenPrefix::U16, &o.responder_ids)?;
                put_opaque(out, LenPrefix::U16, &o.extensions)?;
            }
            CertificateStatusRequest::Unknown { status_type, data } => {
                status_type.encode(out)?;
                out.extend_from_slice(data);
            }
        }
        Ok(())
    }
}

/// An extension in a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum ClientExtension {
    /// server_name (RFC 6066 section 3): a non-empty list of names.
    ServerName(Vec<ServerNameEntry>),
    /// max_fragment_length (RFC 6066 section 4): one of the four defined values.
    MaxFragmentLength(MaxFragmentLength),
    /// status_request (RFC 6066 section 8).
    StatusRequest(CertificateStatusRequest),
    /// supported_groups (RFC 8422 section 5.1.1): a non-empty list.
    SupportedGroups(Vec<NamedGroup>),
    /// ec_point_formats (RFC 8422 section 5.1.2): a non-empty list.
    EcPointFormats(Vec<ECPointFormat>),
    /// signature_algorithms (RFC 5246 section 7.4.1.4.1): a non-empty list.
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// application_layer_protocol_negotiation (RFC 7301): a non-empty list of non-empty
    /// protocol names of at most 255 bytes.
    Alpn(Vec<Vec<u8>>),
    /// extended_master_secret (RFC 7627): empty.
    ExtendedMasterSecret,
    /// record_size_limit (RFC 8449): at least 64.
    RecordSizeLimit(u16),
    /// session_ticket (RFC 5077): the ticket to resume with, or empty to ask for one.
    SessionTicket(Vec<u8>),
    /// renegotiation_info (RFC 5746): the previous client verify_data, empty on a first
    /// handshake.
    RenegotiationInfo(Vec<u8>),
    /// Any other extension, body kept raw.
    Unknown {
        /// The extension type (never one of the types above after a decode).
        typ: ExtensionType,
        /// The extension body.
        data: Vec<u8>,
    },
}

impl ClientExtension {
    /// The extension types with a variant of their own (every other type is `Unknown`; an
    /// `Unknown` of one of these would not decode as itself).
    pub const MODELLED: [ExtensionType; 11] = [
        ExtensionType::SERVER_NAME,
        ExtensionType::MAX_FRAGMENT_LENGTH,
        ExtensionType::STATUS_REQUEST,
        ExtensionType::SUPPORTED_GROUPS,
        ExtensionType::EC_POINT_FORMATS,
        ExtensionType::SIGNATURE_ALGORITHMS,
        ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
        ExtensionType::EXTENDED_MASTER_SECRET,
        ExtensionType::RECORD_SIZE_LIMIT,
        ExtensionType::SESSION_TICKET,
        ExtensionType::RENEGOTIATION_INFO,
    ];

    /// The extension type on the wire.
    pub fn ext_type(&self) -> ExtensionType {
        match self {
            ClientExtension::ServerName(_) => ExtensionType::SERVER_NAME,
            ClientExtension::MaxFragmentLength(_) => ExtensionType::MAX_FRAGMENT_LENGTH,
            ClientExtension::StatusRequest(_) => ExtensionType::STATUS_REQUEST,
            ClientExtension::SupportedGroups(_) => ExtensionType::SUPPORTED_GROUPS,
            ClientExtension::EcPointFormats(_) => ExtensionType::EC_POINT_FORMATS,
            ClientExtension::SignatureAlgorithms(_) => ExtensionType::SIGNATURE_ALGORITHMS,
            ClientExtension::Alpn(_) => ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
            ClientExtension::ExtendedMasterSecret => ExtensionType::EXTENDED_MASTER_SECRET,
            ClientExtension::RecordSizeLimit(_) => ExtensionType::RECORD_SIZE_LIMIT,
            ClientExtension::SessionTicket(_) => ExtensionType::SESSION_TICKET,
            ClientExtension::RenegotiationInfo(_) => ExtensionType::RENEGOTIATION_INFO,
            ClientExtension::Unknown { typ, .. } => *typ,
        }
    }

    /// A server_name extension carrying one host name.
    pub fn host_name(name: &[u8]) -> Self {
        ClientExtension::ServerName(alloc::vec![ServerNameEntry {
            name_type: ServerNameType::HOST_NAME,
            name: name.to_vec(),
        }])
    }

    pub(crate) fn read_body(typ: ExtensionType, body: &[u8]) -> Result<Self, DecodeError> {
        ClientExtensionWire::read_body(typ, body).map(ClientExtensionWire::into_owned)
    }

    /// This extension borrowed: what it encodes through.
    pub fn as_borrowed(&self) -> ClientExtensionRef<'_> {
        match self {
            ClientExtension::ServerName(names) => ClientExtensionRef::ServerNames(names),
            ClientExtension::MaxFragmentLength(m) => ClientExtensionRef::MaxFragmentLength(*m),
            ClientExtension::StatusRequest(s) => ClientExtensionRef::StatusRequest(s),
            ClientExtension::SupportedGroups(g) => ClientExtensionRef::SupportedGroups(g),
            ClientExtension::EcPointFormats(f) => ClientExtensionRef::EcPointFormats(f),
            ClientExtension::SignatureAlgorithms(s) => ClientExtensionRef::SignatureAlgorithms(s),
            ClientExtension::Alpn(p) => ClientExtensionRef::Alpn(p),
            ClientExtension::ExtendedMasterSecret => ClientExtensionRef::ExtendedMasterSecret,
            ClientExtension::RecordSizeLimit(l) => ClientExtensionRef::RecordSizeLimit(*l),
            ClientExtension::SessionTicket(t) => ClientExtensionRef::SessionTicket(t),
            ClientExtension::RenegotiationInfo(v) => ClientExtensionRef::RenegotiationInfo(v),
            ClientExtension::Unknown { typ, data } => {
                ClientExtensionRef::Unknown { typ: *typ, data }
            }
        }
    }
}

/// A [`ClientExtension`] whose values are borrowed from where they live (a configuration,
/// a stored session): what a client encodes without building the owned extension. The
/// owned extension encodes through it ([`ClientExtension::as_borrowed`]), so both encode
/// alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientExtensionRef<'a> {
    /// server_name with one `host_name` entry.
    HostName(&'a [u8]),
    /// server_name with these entries.
    ServerNames(&'a [ServerNameEntry]),
    /// max_fragment_length.
    MaxFragmentLength(MaxFragmentLength),
    /// status_request.
    StatusRequest(&'a CertificateStatusRequest),
    /// supported_groups.
    SupportedGroups(&'a [NamedGroup]),
    /// ec_point_formats.
    EcPointFormats(&'a [ECPointFormat]),
    /// signature_algorithms.
    SignatureAlgorithms(&'a [SignatureScheme]),
    /// application_layer_protocol_negotiation.
    Alpn(&'a [Vec<u8>]),
    /// extended_master_secret.
    ExtendedMasterSecret,
    /// record_size_limit.
    RecordSizeLimit(u16),
    /// session_ticket.
    SessionTicket(&'a [u8]),
    /// renegotiation_info.
    RenegotiationInfo(&'a [u8]),
    /// Any other extension, body raw.
    Unknown {
        /// The extension type.
        typ: ExtensionType,
        /// The extension body.
        data: &'a [u8],
    },
}

impl ClientExtensionRef<'_> {
    /// The extension type on the wire.
    pub fn ext_type(&self) -> ExtensionType {
        match self {
            ClientExtensionRef::HostName(_) | ClientExtensionRef::ServerNames(_) => {
                ExtensionType::SERVER_NAME
            }
            ClientExtensionRef::MaxFragmentLength(_) => ExtensionType::MAX_FRAGMENT_LENGTH,
            ClientExtensionRef::StatusRequest(_) => ExtensionType::STATUS_REQUEST,
            ClientExtensionRef::SupportedGroups(_) => ExtensionType::SUPPORTED_GROUPS,
            ClientExtensionRef::EcPointFormats(_) => ExtensionType::EC_POINT_FORMATS,
            ClientExtensionRef::SignatureAlgorithms(_) => ExtensionType::SIGNATURE_ALGORITHMS,
            ClientExtensionRef::Alpn(_) => ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
            ClientExtensionRef::ExtendedMasterSecret => ExtensionType::EXTENDED_MASTER_SECRET,
            ClientExtensionRef::RecordSizeLimit(_) => ExtensionType::RECORD_SIZE_LIMIT,
            ClientExtensionRef::SessionTicket(_) => ExtensionType::SESSION_TICKET,
            ClientExtensionRef::RenegotiationInfo(_) => ExtensionType::RENEGOTIATION_INFO,
            ClientExtensionRef::Unknown { typ, .. } => *typ,
        }
    }

    /// The owned extension with the same values.
    pub fn to_owned(&self) -> ClientExtension {
        match *self {
            ClientExtensionRef::HostName(name) => ClientExtension::host_name(name),
            ClientExtensionRef::ServerNames(names) => ClientExtension::ServerName(names.to_vec()),
            ClientExtensionRef::MaxFragmentLength(m) => ClientExtension::MaxFragmentLength(m),
            ClientExtensionRef::StatusRequest(s) => ClientExtension::StatusRequest(s.clone()),
            ClientExtensionRef::SupportedGroups(g) => ClientExtension::SupportedGroups(g.to_vec()),
            ClientExtensionRef::EcPointFormats(f) => ClientExtension::EcPointFormats(f.to_vec()),
            ClientExtensionRef::SignatureAlgorithms(s) => {
                ClientExtension::SignatureAlgorithms(s.to_vec())
            }
            ClientExtensionRef::Alpn(p) => ClientExtension::Alpn(p.to_vec()),
            ClientExtensionRef::ExtendedMasterSecret => ClientExtension::ExtendedMasterSecret,
            ClientExtensionRef::RecordSizeLimit(l) => ClientExtension::RecordSizeLimit(l),
            ClientExtensionRef::SessionTicket(t) => ClientExtension::SessionTicket(t.to_vec()),
            ClientExtensionRef::RenegotiationInfo(v) => {
                ClientExtension::RenegotiationInfo(v.to_vec())
            }
            ClientExtensionRef::Unknown { typ, data } => ClientExtension::Unknown {
                typ,
                data: data.to_vec(),
            },
        }
    }

    /// Appends the extension: type, length, body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.ext_type().encode(out)?;
        let lp = LengthPrefixed::begin(out, LenPrefix::U16);
        self.encode_body(out)?;
        lp.finish(out)
    }

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            ClientExtensionRef::HostName(name) => {
                let lp = LengthPrefixed::begin(out, LenPrefix::U16);
                ServerNameType::HOST_NAME.encode(out)?;
                put_opaque(out, LenPrefix::U16, name)?;
                lp.finish(out)?;
            }
            ClientExtensionRef::ServerNames(names) => {
                let lp = LengthPrefixed::begin(out, LenPrefix::U16);
                for n in *names {
                    n.name_type.encode(out)?;
                    put_opaque(out, LenPrefix::U16, &n.name)?;
                }
                lp.finish(out)?;
            }
            ClientExtensionRef::MaxFragmentLength(m) => m.encode(out)?,
            ClientExtensionRef::StatusRequest(s) => s.encode(out)?,
            ClientExtensionRef::SupportedGroups(g) => put_vec(out, LenPrefix::U16, g)?,
            ClientExtensionRef::EcPointFormats(f) => put_vec(out, LenPrefix::U8, f)?,
            ClientExtensionRef::SignatureAlgorithms(s) => put_vec(out, LenPrefix::U16, s)?,
            ClientExtensionRef::Alpn(p) => put_opaque_list(out, LenPrefix::U16, LenPrefix::U8, p)?,
            ClientExtensionRef::ExtendedMasterSecret => {}
            ClientExtensionRef::RecordSizeLimit(l) => put_u16(out, *l),
            ClientExtensionRef::SessionTicket(t) => out.extend_from_slice(t),
            ClientExtensionRef::RenegotiationInfo(v) => put_opaque(out, LenPrefix::U8, v)?,
            ClientExtensionRef::Unknown { data, .. } => out.extend_from_slice(data),
        }
        Ok(())
    }
}

impl Codec for ClientExtension {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.as_borrowed().encode(out)
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let typ = ExtensionType(r.u16(list_field(Side::Client))?);
        let body = r.opaque(LenPrefix::U16, ext_field(Side::Client, typ))?;
        Self::read_body(typ, body)
    }
}

/// A [`ClientExtension`] checked where it lies on the wire, its lists left there: what the
/// server reads a ClientHello's extensions into, without an allocation (but for a
/// status_request). Every check of a client extension's body is made here; the owned
/// extension is this one copied ([`into_owned`](Self::into_owned)).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientExtensionWire<'a> {
    /// server_name: a non-empty list of names.
    ServerName(ServerNames<'a>),
    /// max_fragment_length: one of the four defined values.
    MaxFragmentLength(MaxFragmentLength),
    /// status_request.
    StatusRequest(CertificateStatusRequest),
    /// supported_groups: a non-empty list.
    SupportedGroups(WireItems<'a, NamedGroup>),
    /// ec_point_formats: a non-empty list.
    EcPointFormats(WireItems<'a, ECPointFormat>),
    /// signature_algorithms: a non-empty list.
    SignatureAlgorithms(WireItems<'a, SignatureScheme>),
    /// application_layer_protocol_negotiation: a non-empty list of non-empty names.
    Alpn(OpaqueItems<'a>),
    /// extended_master_secret.
    ExtendedMasterSecret,
    /// record_size_limit: at least 64.
    RecordSizeLimit(u16),
    /// session_ticket: the ticket offered, or empty.
    SessionTicket(&'a [u8]),
    /// renegotiation_info: the previous client verify_data, or empty.
    RenegotiationInfo(&'a [u8]),
    /// Any other extension, body raw.
    Unknown {
        /// The extension type.
        typ: ExtensionType,
        /// The extension body.
        data: &'a [u8],
    },
}

impl<'a> ClientExtensionWire<'a> {
    /// Checks the body of a client extension of type `typ`.
    pub fn read_body(typ: ExtensionType, body: &'a [u8]) -> Result<Self, DecodeError> {
        let field = ext_field(Side::Client, typ);
        let mut r = Reader::new(body);
        let ext = match typ {
            ExtensionType::SERVER_NAME => {
                ClientExtensionWire::ServerName(ServerNames::read(&mut r, field)?)
            }
            ExtensionType::MAX_FRAGMENT_LENGTH => {
                ClientExtensionWire::MaxFragmentLength(read_max_fragment_length(&mut r, field)?)
            }
            ExtensionType::STATUS_REQUEST => {
                ClientExtensionWire::StatusRequest(CertificateStatusRequest::read(&mut r, field)?)
            }
            ExtensionType::SUPPORTED_GROUPS => ClientExtensionWire::SupportedGroups(
                read_wire_items(&mut r, LenPrefix::U16, field, true)?,
            ),
            ExtensionType::EC_POINT_FORMATS => ClientExtensionWire::EcPointFormats(
                read_wire_items(&mut r, LenPrefix::U8, field, true)?,
            ),
            ExtensionType::SIGNATURE_ALGORITHMS => ClientExtensionWire::SignatureAlgorithms(
                read_wire_items(&mut r, LenPrefix::U16, field, true)?,
            ),
            ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => ClientExtensionWire::Alpn(
                read_opaque_items(&mut r, LenPrefix::U16, LenPrefix::U8, field, true)?,
            ),
            ExtensionType::EXTENDED_MASTER_SECRET => ClientExtensionWire::ExtendedMasterSecret,
            ExtensionType::RECORD_SIZE_LIMIT => {
                ClientExtensionWire::RecordSizeLimit(read_record_size_limit(&mut r, field)?)
            }
            ExtensionType::SESSION_TICKET => ClientExtensionWire::SessionTicket(r.rest()),
            ExtensionType::RENEGOTIATION_INFO => {
                ClientExtensionWire::RenegotiationInfo(r.opaque(LenPrefix::U8, field)?)
            }
            _ => ClientExtensionWire::Unknown {
                typ,
                data: r.rest(),
            },
        };
        r.expect_end(field)?;
        Ok(ext)
    }

    /// The owned extension with the same values.
    pub fn into_owned(self) -> ClientExtension {
        match self {
            ClientExtensionWire::ServerName(names) => ClientExtension::ServerName(
                names
                    .iter()
                    .map(|(name_type, name)| ServerNameEntry {
                        name_type,
                        name: name.to_vec(),
                    })
                    .collect(),
            ),
            ClientExtensionWire::MaxFragmentLength(m) => ClientExtension::MaxFragmentLength(m),
            ClientExtensionWire::StatusRequest(s) => ClientExtension::StatusRequest(s),
            ClientExtensionWire::SupportedGroups(g) => ClientExtension::SupportedGroups(g.to_vec()),
            ClientExtensionWire::EcPointFormats(f) => ClientExtension::EcPointFormats(f.to_vec()),
            ClientExtensionWire::SignatureAlgorithms(s) => {
                ClientExtension::SignatureAlgorithms(s.to_vec())
            }
            ClientExtensionWire::Alpn(p) => ClientExtension::Alpn(p.to_vec()),
            ClientExtensionWire::ExtendedMasterSecret => ClientExtension::ExtendedMasterSecret,
            ClientExtensionWire::RecordSizeLimit(l) => ClientExtension::RecordSizeLimit(l),
            ClientExtensionWire::SessionTicket(t) => ClientExtension::SessionTicket(t.to_vec()),
            ClientExtensionWire::RenegotiationInfo(v) => {
                ClientExtension::RenegotiationInfo(v.to_vec())
            }
            ClientExtensionWire::Unknown { typ, data } => ClientExtension::Unknown {
                typ,
                data: data.to_vec(),
            },
        }
    }
}

/// A server_name extension's list (RFC 6066 section 3), checked where it lies: non-empty,
/// each entry a name type and a non-empty name.
#[derive(Clone, Copy)]
pub struct ServerNames<'a>(&'a [u8]);

impl<'a> ServerNames<'a> {
    fn read(r: &mut Reader<'a>, field: &'static str) -> Result<Self, DecodeError> {
        let list = r.opaque(LenPrefix::U16, field)?;
        if list.is_empty() {
            return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
        }
        let mut entries = Reader::new(list);
        while entries.any_left() {
            entries.u8(field)?;
            entries.opaque_nonempty(LenPrefix::U16, field)?;
        }
        Ok(Self(list))
    }

    /// The entries in order: name type and name.
    pub fn iter(&self) -> impl Iterator<Item = (ServerNameType, &'a [u8])> + 'a {
        let mut r = Reader::new(self.0);
        // Every entry was read once already, so no read fails.
        core::iter::from_fn(move || {
            if !r.any_left() {
                return None;
            }
            let name_type = ServerNameType(r.u8("").ok()?);
            Some((name_type, r.opaque(LenPrefix::U16, "").ok()?))
        })
    }

    /// The first `host_name`.
    pub fn host_name(&self) -> Option<&'a [u8]> {
        self.iter()
            .find(|(t, _)| *t == ServerNameType::HOST_NAME)
            .map(|(_, name)| name)
    }
}

impl fmt::Debug for ServerNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An extension in a ServerHello.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum ServerExtension {
    /// server_name (RFC 6066 section 3): empty, the server used the name the client sent.
    ServerName,
    /// max_fragment_length (RFC 6066 section 4): the client's value echoed.
    MaxFragmentLength(MaxFragmentLength),
    /// status_request (RFC 6066 section 8): empty, a CertificateStatus message will follow.
    StatusRequest,
    /// ec_point_formats (RFC 8422 section 5.1.2): a non-empty list.
    EcPointFormats(Vec<ECPointFormat>),
    /// application_layer_protocol_negotiation (RFC 7301): exactly one non-empty protocol name.
    Alpn(Vec<u8>),
    /// extended_master_secret (RFC 7627): empty.
    ExtendedMasterSecret,
    /// record_size_limit (RFC 8449): at least 64.
    RecordSizeLimit(u16),
    /// session_ticket (RFC 5077): empty, a NewSessionTicket message will follow.
    SessionTicket,
    /// renegotiation_info (RFC 5746): client then server verify_data of the previous
    /// handshake, empty on a first handshake.
    RenegotiationInfo(Vec<u8>),
    /// Any other extension, body kept raw.
    Unknown {
        /// The extension type (never one of the types above after a decode).
        typ: ExtensionType,
        /// The extension body.
        data: Vec<u8>,
    },
}

impl ServerExtension {
    /// The extension type on the wire.
    pub fn ext_type(&self) -> ExtensionType {
        match self {
            ServerExtension::ServerName => ExtensionType::SERVER_NAME,
            ServerExtension::MaxFragmentLength(_) => ExtensionType::MAX_FRAGMENT_LENGTH,
            ServerExtension::StatusRequest => ExtensionType::STATUS_REQUEST,
            ServerExtension::EcPointFormats(_) => ExtensionType::EC_POINT_FORMATS,
            ServerExtension::Alpn(_) => ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
            ServerExtension::ExtendedMasterSecret => ExtensionType::EXTENDED_MASTER_SECRET,
            ServerExtension::RecordSizeLimit(_) => ExtensionType::RECORD_SIZE_LIMIT,
            ServerExtension::SessionTicket => ExtensionType::SESSION_TICKET,
            ServerExtension::RenegotiationInfo(_) => ExtensionType::RENEGOTIATION_INFO,
            ServerExtension::Unknown { typ, .. } => *typ,
        }
    }

    pub(crate) fn read_body(typ: ExtensionType, body: &[u8]) -> Result<Self, DecodeError> {
        let field = ext_field(Side::Server, typ);
        let mut r = Reader::new(body);
        let ext = match typ {
            ExtensionType::SERVER_NAME => ServerExtension::ServerName,
            ExtensionType::MAX_FRAGMENT_LENGTH => {
                ServerExtension::MaxFragmentLength(read_max_fragment_length(&mut r, field)?)
            }
            ExtensionType::STATUS_REQUEST => ServerExtension::StatusRequest,
            ExtensionType::EC_POINT_FORMATS => {
                ServerExtension::EcPointFormats(read_u8_list(&mut r, field, true)?)
            }
            ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => {
                let mut list = r.sub(LenPrefix::U16, field)?;
                if !list.any_left() {
                    return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
                }
                let name = list.opaque_nonempty(LenPrefix::U8, field)?.to_vec();
                if list.any_left() {
                    // The server's list must hold exactly one name.
                    return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
                }
                ServerExtension::Alpn(name)
            }
            ExtensionType::EXTENDED_MASTER_SECRET => ServerExtension::ExtendedMasterSecret,
            ExtensionType::RECORD_SIZE_LIMIT => {
                ServerExtension::RecordSizeLimit(read_record_size_limit(&mut r, field)?)
            }
            ExtensionType::SESSION_TICKET => ServerExtension::SessionTicket,
            ExtensionType::RENEGOTIATION_INFO => {
                ServerExtension::RenegotiationInfo(r.opaque(LenPrefix::U8, field)?.to_vec())
            }
            _ => ServerExtension::Unknown {
                typ,
                data: r.rest().to_vec(),
            },
        };
        r.expect_end(field)?;
        Ok(ext)
    }

    fn encode_body(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            ServerExtension::ServerName
            | ServerExtension::StatusRequest
            | ServerExtension::ExtendedMasterSecret
            | ServerExtension::SessionTicket => {}
            ServerExtension::MaxFragmentLength(m) => m.encode(out)?,
            ServerExtension::EcPointFormats(f) => put_vec(out, LenPrefix::U8, f)?,
            ServerExtension::Alpn(p) => {
                let lp = LengthPrefixed::begin(out, LenPrefix::U16);
                put_opaque(out, LenPrefix::U8, p)?;
                lp.finish(out)?;
            }
            ServerExtension::RecordSizeLimit(l) => put_u16(out, *l),
            ServerExtension::RenegotiationInfo(v) => put_opaque(out, LenPrefix::U8, v)?,
            ServerExtension::Unknown { data, .. } => out.extend_from_slice(data),
        }
        Ok(())
    }
}

impl Codec for ServerExtension {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.ext_type().encode(out)?;
        let lp = LengthPrefixed::begin(out, LenPrefix::U16);
        self.encode_body(out)?;
        lp.finish(out)?;
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let typ = ExtensionType(r.u16(list_field(Side::Server))?);
        let body = r.opaque(LenPrefix::U16, ext_field(Side::Server, typ))?;
        Self::read_body(typ, body)
    }
}

/// RFC 6066: a value outside the four defined ones is an illegal_parameter.
fn read_max_fragment_length(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<MaxFragmentLength, DecodeError> {
    let v = MaxFragmentLength(r.u8(field)?);
    if !v.is_known() {
        return Err(DecodeError::new(field, DecodeErrorKind::IllegalValue));
    }
    Ok(v)
}

/// RFC 8449 section 4: a limit under 64 is an illegal_parameter.
fn read_record_size_limit(r: &mut Reader<'_>, field: &'static str) -> Result<u16, DecodeError> {
    let v = r.u16(field)?;
    if v < 64 {
        return Err(DecodeError::new(field, DecodeErrorKind::IllegalValue));
    }
    Ok(v)
}

/// Reads an optional extension block: a u16-prefixed list, with at most one extension of
/// each type (`Duplicate` otherwise, naming the smallest type that repeats).
pub(crate) fn read_extensions<E>(
    r: &mut Reader<'_>,
    side: Side,
    read_body: fn(ExtensionType, &[u8]) -> Result<E, DecodeError>,
) -> Result<Vec<E>, DecodeError> {
    let block = r.opaque(LenPrefix::U16, list_field(side))?;
    // Allocated once: a malformed block counts the extensions before the fault, which
    // the walk then reports.
    let mut out = Vec::with_capacity(extension_bodies(block).count());
    walk_extensions(block, side, |typ, body| {
        out.push(read_body(typ, body)?);
        Ok(())
    })?;
    Ok(out)
}

/// Walks the contents of an extension block: reads each extension's type and body, in
/// order, and hands them to `each` (whose error, like a malformed header, ends the walk);
/// then checks that no type repeats (`Duplicate`, naming the smallest type that does).
pub(crate) fn walk_extensions<'a>(
    block: &'a [u8],
    side: Side,
    mut each: impl FnMut(ExtensionType, &'a [u8]) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    // The types, sorted afterwards to find a repeat: on the stack for a usual block.
    const ON_STACK: usize = 32;
    let mut small = [0u16; ON_STACK];
    let mut large = Vec::new();
    let mut n = 0;
    let mut r = Reader::new(block);
    while r.any_left() {
        let typ = ExtensionType(r.u16(list_field(side))?);
        let body = r.opaque(LenPrefix::U16, ext_field(side, typ))?;
        each(typ, body)?;
        match small.get_mut(n) {
            Some(slot) => *slot = typ.0,
            None => {
                if large.is_empty() {
                    large.extend_from_slice(&small);
                }
                large.push(typ.0);
            }
        }
        n += 1;
    }
    let types: &mut [u16] = match small.get_mut(..n) {
        Some(t) => t,
        None => &mut large,
    };
    types.sort_unstable();
    if let Some(w) = types.windows(2).find(|w| w[0] == w[1]) {
        return Err(DecodeError::new(
            ext_field(side, ExtensionType(w[0])),
            DecodeErrorKind::Duplicate,
        ));
    }
    Ok(())
}

/// The type and body of each extension in the contents of a block, up to anything
/// malformed (which a block [`walk_extensions`] has checked does not hold).
pub(crate) fn extension_bodies(block: &[u8]) -> impl Iterator<Item = (ExtensionType, &[u8])> {
    let mut r = Reader::new(block);
    core::iter::from_fn(move || {
        if !r.any_left() {
            return None;
        }
        let typ = ExtensionType(r.u16("").ok()?);
        Some((typ, r.opaque(LenPrefix::U16, "").ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn err(kind: DecodeErrorKind, field: &'static str) -> DecodeError {
        DecodeError::new(field, kind)
    }

    #[test]
    fn client_server_name_known_bytes() {
        let bytes = [
            0, 0, 0, 14, 0, 12, 0, 0, 9, b'l', b'o', b'c', b'a', b'l', b'h', b'o', b's', b't',
        ];
        let e = ClientExtension::decode(&bytes).unwrap();
        assert_eq!(e, ClientExtension::host_name(b"localhost"));
        assert_eq!(e.ext_type(), ExtensionType::SERVER_NAME);
        assert_eq!(e.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn client_server_name_errors() {
        let f = "ClientHello.extensions.server_name";
        // Empty list.
        assert_eq!(
            ClientExtension::decode(&[0, 0, 0, 2, 0, 0]),
            Err(err(DecodeErrorKind::BadLength, f))
        );
        // Empty name.
        assert_eq!(
            ClientExtension::decode(&[0, 0, 0, 5, 0, 3, 0, 0, 0]),
            Err(err(DecodeErrorKind::BadLength, f))
        );
        // Name longer than the list.
        assert_eq!(
            ClientExtension::decode(&[0, 0, 0, 6, 0, 4, 0, 0, 5, b'a']),
            Err(err(DecodeErrorKind::Truncated, f))
        );
        // Bytes after the list.
        assert_eq!(
            ClientExtension::decode(&[0, 0, 0, 7, 0, 4, 0, 0, 1, b'a', 9]),
            Err(err(DecodeErrorKind::TrailingData, f))
        );
        // Body shorter than its length.
        assert_eq!(
            ClientExtension::decode(&[0, 0, 0, 7, 0, 4]),
            Err(err(DecodeErrorKind::Truncated, f))
        );
        // Server: must be empty.
        assert_eq!(
            ServerExtension::decode(&[0, 0, 0, 1, 0]),
            Err(err(
                DecodeErrorKind::TrailingData,
                "ServerHello.extensions.server_name"
            ))
        );
        assert_eq!(
            ServerExtension::decode(&[0, 0, 0, 0]).unwrap(),
            ServerExtension::ServerName
        );
    }

    #[test]
    fn supported_groups_and_sigalgs() {
        let bytes = [0, 10, 0, 6, 0, 4, 0, 0x1d, 0, 0x17];
        let e = ClientExtension::decode(&bytes).unwrap();
        assert_eq!(
            e,
            ClientExtension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::SECP256R1])
        );
        assert_eq!(e.to_bytes().unwrap(), bytes);
        let f = "ClientHello.extensions.supported_groups";
        assert_eq!(
            ClientExtension::decode(&[0, 10, 0, 2, 0, 0]),
            Err(err(DecodeErrorKind::BadLength, f))
        );
        assert_eq!(
            ClientExtension::decode(&[0, 10, 0, 5, 0, 3, 0, 0x1d, 0]),
            Err(err(DecodeErrorKind::BadLength, f))
        );
        assert_eq!(
            ClientExtension::decode(&[0, 10, 0, 5, 0, 2, 0, 0x1d, 0]),
            Err(err(DecodeErrorKind::TrailingData, f))
        );
        let bytes = [0, 13, 0, 4, 0, 2, 4, 3];
        assert_eq!(
            ClientExtension::decode(&bytes).unwrap(),
            ClientExtension::SignatureAlgorithms(vec![SignatureScheme::ECDSA_SECP256R1_SHA256])
        );
        assert_eq!(
            ClientExtension::decode(&[0, 13, 0, 2, 0, 0]),
            Err(err(
                DecodeErrorKind::BadLength,
                "ClientHello.extensions.signature_algorithms"
            ))
        );
    }

    #[test]
    fn ec_point_formats() {
        let bytes = [0, 11, 0, 2, 1, 0];
        let c = ClientExtension::decode(&bytes).unwrap();
        assert_eq!(
            c,
            ClientExtension::EcPointFormats(vec![ECPointFormat::UNCOMPRESSED])
        );
        let s = ServerExtension::decode(&bytes).unwrap();
        assert_eq!(
            s,
            ServerExtension::EcPointFormats(vec![ECPointFormat::UNCOMPRESSED])
        );
        assert_eq!(s.to_bytes().unwrap(), bytes);
        assert_eq!(
            ServerExtension::decode(&[0, 11, 0, 1, 0]),
            Err(err(
                DecodeErrorKind::BadLength,
                "ServerHello.extensions.ec_point_formats"
            ))
        );
    }

    #[test]
    fn alpn() {
        let bytes = [
            0, 16, 0, 14, 0, 12, 2, b'h', b'2', 8, b'h', b't', b't', b'p', b'/', b'1', b'.', b'1',
        ];
        let c = ClientExtension::decode(&bytes).unwrap();
        assert_eq!(
            c,
            ClientExtension::Alpn(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
        );
        assert_eq!(c.to_bytes().unwrap(), bytes);
        let f = "ClientHello.extensions.application_layer_protocol_negotiation";
        assert_eq!(
            ClientExtension::decode(&[0, 16, 0, 2, 0, 0]),
            Err(err(DecodeErrorKind::BadLength, f))
        );
        assert_eq!(
            ClientExtension::decode(&[0, 16, 0, 3, 0, 1, 0]),
            Err(err(DecodeErrorKind::BadLength, f))
        );
        // The server's list holds exactly one name.
        let s = [0, 16, 0, 5, 0, 3, 2, b'h', b'2'];
        assert_eq!(
            ServerExtension::decode(&s).unwrap(),
            ServerExtension::Alpn(b"h2".to_vec())
        );
        assert_eq!(ServerExtension::Alpn(b"h2".to_vec()).to_bytes().unwrap(), s);
        let sf = "ServerHello.extensions.application_layer_protocol_negotiation";
        assert_eq!(
            ServerExtension::decode(&bytes),
            Err(err(DecodeErrorKind::BadLength, sf))
        );
        assert_eq!(
            ServerExtension::decode(&[0, 16, 0, 2, 0, 0]),
            Err(err(DecodeErrorKind::BadLength, sf))
        );
    }

    #[test]
    fn empty_extensions() {
        for (bytes, c, s) in [
            (
                [0, 23, 0, 0],
                ClientExtension::ExtendedMasterSecret,
                ServerExtension::ExtendedMasterSecret,
            ),
            (
                [0, 35, 0, 0],
                ClientExtension::SessionTicket(vec![]),
                ServerExtension::SessionTicket,
            ),
        ] {
            assert_eq!(ClientExtension::decode(&bytes).unwrap(), c);
            assert_eq!(ServerExtension::decode(&bytes).unwrap(), s);
            assert_eq!(c.to_bytes().unwrap(), bytes);
            assert_eq!(s.to_bytes().unwrap(), bytes);
        }
        assert_eq!(
            ClientExtension::decode(&[0, 23, 0, 1, 0]),
            Err(err(
                DecodeErrorKind::TrailingData,
                "ClientHello.extensions.extended_master_secret"
            ))
        );
        assert_eq!(
            ServerExtension::decode(&[0, 35, 0, 1, 0]),
            Err(err(
                DecodeErrorKind::TrailingData,
                "ServerHello.extensions.session_ticket"
            ))
        );
        assert_eq!(
            ServerExtension::decode(&[0, 5, 0, 0]).unwrap(),
            ServerExtension::StatusRequest
        );
        // A client ticket is the whole body.
        assert_eq!(
            ClientExtension::decode(&[0, 35, 0, 3, 1, 2, 3]).unwrap(),
            ClientExtension::SessionTicket(vec![1, 2, 3])
        );
    }

    #[test]
    fn renegotiation_info() {
        let bytes = [0xff, 0x01, 0, 1, 0];
        assert_eq!(
            ClientExtension::decode(&bytes).unwrap(),
            ClientExtension::RenegotiationInfo(vec![])
        );
        let bytes = [0xff, 0x01, 0, 3, 2, 7, 8];
        assert_eq!(
            ServerExtension::decode(&bytes).unwrap(),
            ServerExtension::RenegotiationInfo(vec![7, 8])
        );
        let f = "ClientHello.extensions.renegotiation_info";
        assert_eq!(
            ClientExtension::decode(&[0xff, 0x01, 0, 0]),
            Err(err(DecodeErrorKind::Truncated, f))
        );
        assert_eq!(
            ClientExtension::decode(&[0xff, 0x01, 0, 2, 0, 0]),
            Err(err(DecodeErrorKind::TrailingData, f))
        );
    }

    #[test]
    fn max_fragment_length_and_record_size_limit() {
        assert_eq!(
            ClientExtension::decode(&[0, 1, 0, 1, 2]).unwrap(),
            ClientExtension::MaxFragmentLength(MaxFragmentLength::L1024)
        );
        let f = "ClientHello.extensions.max_fragment_length";
        assert_eq!(
            ClientExtension::decode(&[0, 1, 0, 1, 5]),
            Err(err(DecodeErrorKind::IllegalValue, f))
        );
        assert_eq!(
            ClientExtension::decode(&[0, 1, 0, 0]),
            Err(err(DecodeErrorKind::Truncated, f))
        );
        assert_eq!(
            ClientExtension::decode(&[0, 1, 0, 2, 1, 1]),
            Err(err(DecodeErrorKind::TrailingData, f))
        );
        assert_eq!(
            ServerExtension::decode(&[0, 28, 0, 2, 0x40, 0x01]).unwrap(),
            ServerExtension::RecordSizeLimit(0x4001)
        );
        assert_eq!(
            ServerExtension::decode(&[0, 28, 0, 2, 0, 63]),
            Err(err(
                DecodeErrorKind::IllegalValue,
                "ServerHello.extensions.record_size_limit"
            ))
        );
        assert_eq!(
            ClientExtension::decode(&[0, 28, 0, 1, 1]),
            Err(err(
                DecodeErrorKind::Truncated,
                "ClientHello.extensions.record_size_limit"
            ))
        );
    }

    #[test]
    fn status_request() {
        // The usual empty OCSP request.
        let bytes = [0, 5, 0, 5, 1, 0, 0, 0, 0];
        let c = ClientExtension::decode(&bytes).unwrap();
        assert_eq!(
            c,
            ClientExtension::StatusRequest(CertificateStatusRequest::Ocsp(Default::default()))
        );
        assert_eq!(c.to_bytes().unwrap(), bytes);
        let bytes = [0, 5, 0, 10, 1, 0, 3, 0, 1, 0xaa, 0, 2, 0x30, 0];
        let c = ClientExtension::decode(&bytes).unwrap();
        assert_eq!(
            c,
            ClientExtension::StatusRequest(CertificateStatusRequest::Ocsp(OcspStatusRequest {
                responder_ids: vec![vec![0xaa]],
                extensions: vec![0x30, 0],
            }))
        );
        assert_eq!(c.to_bytes().unwrap(), bytes);
        let bytes = [0, 5, 0, 3, 2, 9, 9];
        let c = ClientExtension::decode(&bytes).unwrap();
        assert_eq!(
            c,
            ClientExtension::StatusRequest(CertificateStatusRequest::Unknown {
                status_type: CertificateStatusType(2),
                data: vec![9, 9]
            })
        );
        assert_eq!(c.to_bytes().unwrap(), bytes);
        let f = "ClientHello.extensions.status_request";
        assert_eq!(
            ClientExtension::decode(&[0, 5, 0, 0]),
            Err(err(DecodeErrorKind::Truncated, f))
        );
        assert_eq!(
            ClientExtension::decode(&[0, 5, 0, 3, 1, 0, 0]),
            Err(err(DecodeErrorKind::Truncated, f))
        );
        assert_eq!(
            ClientExtension::decode(&[0, 5, 0, 6, 1, 0, 0, 0, 0, 0]),
            Err(err(DecodeErrorKind::TrailingData, f))
        );
        assert_eq!(
            ServerExtension::decode(&[0, 5, 0, 1, 0]),
            Err(err(
                DecodeErrorKind::TrailingData,
                "ServerHello.extensions.status_request"
            ))
        );
    }

    #[test]
    fn unknown_kept_raw() {
        let bytes = [0x3a, 0x3a, 0, 1, 0];
        let c = ClientExtension::decode(&bytes).unwrap();
        assert_eq!(
            c,
            ClientExtension::Unknown {
                typ: ExtensionType(0x3a3a),
                data: vec![0]
            }
        );
        assert_eq!(c.to_bytes().unwrap(), bytes);
        // supported_groups is not a ServerHello extension in TLS 1.2: kept raw.
        let bytes = [0, 10, 0, 1, 7];
        let s = ServerExtension::decode(&bytes).unwrap();
        assert_eq!(s.ext_type(), ExtensionType::SUPPORTED_GROUPS);
        assert_eq!(s.to_bytes().unwrap(), bytes);
        assert_eq!(
            ClientExtension::decode(&[0x3a]),
            Err(err(DecodeErrorKind::Truncated, "ClientHello.extensions"))
        );
        assert_eq!(
            ClientExtension::decode(&[0x3a, 0x3a, 0, 2, 0]),
            Err(err(DecodeErrorKind::Truncated, "ClientHello.extensions"))
        );
    }

    #[test]
    fn duplicates_are_rejected() {
        let mut r = Reader::new(&[0, 8, 0, 23, 0, 0, 0, 23, 0, 0]);
        assert_eq!(
            read_extensions(&mut r, Side::Client, ClientExtension::read_body),
            Err(err(
                DecodeErrorKind::Duplicate,
                "ClientHello.extensions.extended_master_secret"
            ))
        );
        let mut r = Reader::new(&[0, 8, 0x3a, 0x3a, 0, 0, 0x3a, 0x3a, 0, 0]);
        assert_eq!(
            read_extensions(&mut r, Side::Server, ServerExtension::read_body),
            Err(err(DecodeErrorKind::Duplicate, "ServerHello.extensions"))
        );
        let mut r = Reader::new(&[0, 8, 0x3a, 0x3a, 0, 0, 0, 23, 0, 0]);
        assert_eq!(
            read_extensions(&mut r, Side::Client, ClientExtension::read_body)
                .unwrap()
                .len(),
            2
        );
    }

    /// Blocks of up to 32 extensions are checked on the stack, longer ones in a vector:
    /// both find the smallest repeated type, wherever the repeat is.
    #[test]
    fn duplicates_are_found_in_long_blocks() {
        for n in [31u16, 32, 33, 100] {
            // Unknown types 0x1000.. (empty bodies), then a repeat of 0x1001 last.
            let mut body = Vec::new();
            for t in 0..n {
                body.extend_from_slice(&(0x1000 + t).to_be_bytes());
                body.extend_from_slice(&[0, 0]);
            }
            let mut block = (body.len() as u16).to_be_bytes().to_vec();
            block.extend_from_slice(&body);
            let mut r = Reader::new(&block);
            assert_eq!(
                read_extensions(&mut r, Side::Client, ClientExtension::read_body)
                    .unwrap()
                    .len(),
                usize::from(n),
                "{n}"
            );
            let mut dup = block.clone();
            dup.extend_from_slice(&[0x10, 0x01, 0, 0]);
            dup[..2].copy_from_slice(&((body.len() + 4) as u16).to_be_bytes());
            let mut r = Reader::new(&dup);
            assert_eq!(
                read_extensions(&mut r, Side::Client, ClientExtension::read_body),
                Err(err(DecodeErrorKind::Duplicate, "ClientHello.extensions")),
                "{n}"
            );
        }
    }
}
