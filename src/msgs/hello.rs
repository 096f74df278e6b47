//! ClientHello and ServerHello (RFC 5246 sections 7.4.1.2 and 7.4.1.3).
//!
//! The extension block is optional on the wire: a hello that ends after its compression
//! methods has none (`extensions: None`), which is different from an empty block
//! (`Some(vec![])`, encoded as two zero bytes). Both roundtrip. Because the end of the hello
//! is what says whether the block is there, [`Codec::read`] for a hello consumes the whole
//! reader: give it exactly the handshake body.

use alloc::vec::Vec;
use core::fmt;

use super::extensions::{
    ClientExtension, ClientExtensionRef, ClientExtensionWire, ServerExtension, Side,
    extension_bodies, list_field, read_extensions, walk_extensions,
};
use super::{OpaqueItems, WireItems, read_wire_items};
use crate::codec::enums::{
    CipherSuite, CompressionMethod, ECPointFormat, ExtensionType, MaxFragmentLength, NamedGroup,
    ProtocolVersion, ServerNameType, SignatureScheme,
};
use crate::codec::{Codec, LenPrefix, LengthPrefixed, Reader, put_opaque, put_vec};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::msgs::extensions::CertificateStatusRequest;
use crate::msgs::trace::Hex;

/// The 32-byte `Random` of a hello.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Random(pub [u8; 32]);

impl fmt::Debug for Random {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Random({:#})", Hex(&self.0))
    }
}

impl Codec for Random {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0);
        Ok(())
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Random(r.array("Random")?))
    }
}

/// A `SessionID`: `opaque SessionID<0..32>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SessionId {
    len: u8,
    bytes: [u8; 32],
}

impl SessionId {
    /// The empty session id (no resumption offered, or not resumable).
    pub const EMPTY: Self = Self {
        len: 0,
        bytes: [0; 32],
    };

    /// A session id from at most 32 bytes; `None` if longer.
    pub fn new(id: &[u8]) -> Option<Self> {
        if id.len() > 32 {
            return None;
        }
        let mut bytes = [0u8; 32];
        bytes[..id.len()].copy_from_slice(id);
        Some(Self {
            len: id.len() as u8,
            bytes,
        })
    }

    /// The id's bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The id's length (0 to 32).
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the id is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Any length from 0 to 32 (the field is private, so no derive).
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for SessionId {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let len = u.int_in_range(0..=32usize)?;
        let bytes: [u8; 32] = u.arbitrary()?;
        Ok(Self::new(&bytes[..len]).expect("at most 32 bytes"))
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, Some(33))
    }
}

impl AsRef<[u8]> for SessionId {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({:#})", Hex(self.as_slice()))
    }
}

impl Codec for SessionId {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_opaque(out, LenPrefix::U8, self.as_slice())?;
        Ok(())
    }

    /// More than 32 bytes is `BadLength`.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let id = r.opaque(LenPrefix::U8, "SessionId")?;
        SessionId::new(id).ok_or(DecodeError::new("SessionId", DecodeErrorKind::BadLength))
    }
}

/// Reads the session id of a hello, naming the hello in errors.
fn read_session_id(r: &mut Reader<'_>, field: &'static str) -> Result<SessionId, DecodeError> {
    SessionId::read(r).map_err(|e| DecodeError::new(field, e.kind))
}

/// A ClientHello (RFC 5246 section 7.4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ClientHello {
    /// `client_version`: the highest version the client supports.
    pub version: ProtocolVersion,
    /// The client random.
    pub random: Random,
    /// The session to resume, or empty.
    pub session_id: SessionId,
    /// Suites in preference order, non-empty; may include signalling values and GREASE.
    pub cipher_suites: Vec<CipherSuite>,
    /// Compression methods, non-empty; must contain `null` (checked by the handshake).
    pub compression_methods: Vec<CompressionMethod>,
    /// `None` when the hello ends without an extension block, `Some` (maybe empty) otherwise.
    /// Decoding guarantees no extension type appears twice.
    pub extensions: Option<Vec<ClientExtension>>,
}

impl ClientHello {
    /// The extensions, empty if the block is absent.
    pub fn extensions(&self) -> &[ClientExtension] {
        self.extensions.as_deref().unwrap_or(&[])
    }

    /// The extension of type `typ`, if present.
    pub fn extension(&self, typ: ExtensionType) -> Option<&ClientExtension> {
        self.extensions().iter().find(|e| e.ext_type() == typ)
    }

    /// Whether an extension of type `typ` is present.
    pub fn has_extension(&self, typ: ExtensionType) -> bool {
        self.extension(typ).is_some()
    }

    /// Whether `suite` is offered.
    pub fn offers_suite(&self, suite: CipherSuite) -> bool {
        self.cipher_suites.contains(&suite)
    }

    /// The first `host_name` of the server_name extension.
    pub fn server_name(&self) -> Option<&[u8]> {
        match self.extension(ExtensionType::SERVER_NAME)? {
            ClientExtension::ServerName(names) => names
                .iter()
                .find(|n| n.name_type == ServerNameType::HOST_NAME)
                .map(|n| n.name.as_slice()),
            _ => None,
        }
    }

    /// The max_fragment_length extension.
    pub fn max_fragment_length(&self) -> Option<MaxFragmentLength> {
        match self.extension(ExtensionType::MAX_FRAGMENT_LENGTH)? {
            ClientExtension::MaxFragmentLength(m) => Some(*m),
            _ => None,
        }
    }

    /// The status_request extension.
    pub fn status_request(&self) -> Option<&CertificateStatusRequest> {
        match self.extension(ExtensionType::STATUS_REQUEST)? {
            ClientExtension::StatusRequest(s) => Some(s),
            _ => None,
        }
    }

    /// The supported_groups extension.
    pub fn supported_groups(&self) -> Option<&[NamedGroup]> {
        match self.extension(ExtensionType::SUPPORTED_GROUPS)? {
            ClientExtension::SupportedGroups(g) => Some(g),
            _ => None,
        }
    }

    /// The ec_point_formats extension.
    pub fn ec_point_formats(&self) -> Option<&[ECPointFormat]> {
        match self.extension(ExtensionType::EC_POINT_FORMATS)? {
            ClientExtension::EcPointFormats(f) => Some(f),
            _ => None,
        }
    }

    /// The signature_algorithms extension.
    pub fn signature_algorithms(&self) -> Option<&[SignatureScheme]> {
        match self.extension(ExtensionType::SIGNATURE_ALGORITHMS)? {
            ClientExtension::SignatureAlgorithms(s) => Some(s),
            _ => None,
        }
    }

    /// The protocol names of the application_layer_protocol_negotiation extension.
    pub fn alpn_protocols(&self) -> Option<&[Vec<u8>]> {
        match self.extension(ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION)? {
            ClientExtension::Alpn(p) => Some(p),
            _ => None,
        }
    }

    /// Whether the extended_master_secret extension is present.
    pub fn extended_master_secret(&self) -> bool {
        self.has_extension(ExtensionType::EXTENDED_MASTER_SECRET)
    }

    /// The record_size_limit extension.
    pub fn record_size_limit(&self) -> Option<u16> {
        match self.extension(ExtensionType::RECORD_SIZE_LIMIT)? {
            ClientExtension::RecordSizeLimit(l) => Some(*l),
            _ => None,
        }
    }

    /// The session_ticket extension: the ticket offered, empty to ask for a new one.
    pub fn session_ticket(&self) -> Option<&[u8]> {
        match self.extension(ExtensionType::SESSION_TICKET)? {
            ClientExtension::SessionTicket(t) => Some(t),
            _ => None,
        }
    }

    /// The renegotiation_info extension's `renegotiated_connection`.
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        match self.extension(ExtensionType::RENEGOTIATION_INFO)? {
            ClientExtension::RenegotiationInfo(v) => Some(v),
            _ => None,
        }
    }
}

impl Codec for ClientHello {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.version.encode(out)?;
        self.random.encode(out)?;
        self.session_id.encode(out)?;
        put_vec(out, LenPrefix::U16, &self.cipher_suites)?;
        put_vec(out, LenPrefix::U8, &self.compression_methods)?;
        if let Some(exts) = &self.extensions {
            put_vec(out, LenPrefix::U16, exts)?;
        }
        Ok(())
    }

    /// Reads to the end of `r`, which must be exactly the handshake body: the hello is
    /// checked as a [`ClientHelloWire`], then copied out of it.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        ClientHelloWire::read(r).map(|hello| hello.into_owned())
    }
}

/// A [`ClientHello`] checked where it lies on the wire, its lists and extensions left
/// there: what the server reads a ClientHello into, without an allocation (but for a
/// status_request extension). It makes every check of the owned decode, which is this
/// hello copied ([`into_owned`](Self::into_owned)), and gives the same errors.
#[derive(Debug, Clone, Copy)]
pub struct ClientHelloWire<'a> {
    /// `client_version`: the highest version the client supports.
    pub version: ProtocolVersion,
    /// The client random.
    pub random: Random,
    /// The session to resume, or empty.
    pub session_id: SessionId,
    /// Suites in preference order, non-empty.
    pub cipher_suites: WireItems<'a, CipherSuite>,
    /// Compression methods, non-empty.
    pub compression_methods: WireItems<'a, CompressionMethod>,
    /// The contents of the extension block, every extension in it checked; `None` when
    /// the hello ends without one.
    extensions: Option<&'a [u8]>,
    /// Where the body of each extension the server asks for lies in the block (start and
    /// length), found once by `read` rather than by a walk per question.
    index: [Option<(u16, u16)>; INDEXED.len()],
}

/// The extension types [`ClientHelloWire`] finds without a walk: those with a variant of
/// their own (any other, such as supported_versions, is found by walking the block).
const INDEXED: [ExtensionType; 11] = ClientExtension::MODELLED;

/// The place of `typ` in [`INDEXED`].
fn slot_of(typ: ExtensionType) -> Option<usize> {
    INDEXED.iter().position(|t| *t == typ)
}

impl<'a> ClientHelloWire<'a> {
    /// Reads to the end of `r`, which must be exactly the handshake body.
    pub fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let version = ProtocolVersion(r.u16("ClientHello.client_version")?);
        let random = Random(r.array("ClientHello.random")?);
        let session_id = read_session_id(r, "ClientHello.session_id")?;
        let cipher_suites = read_wire_items(r, LenPrefix::U16, "ClientHello.cipher_suites", true)?;
        let compression_methods =
            read_wire_items(r, LenPrefix::U8, "ClientHello.compression_methods", true)?;
        let mut index = [None; INDEXED.len()];
        let extensions = if r.any_left() {
            let block = r.opaque(LenPrefix::U16, list_field(Side::Client))?;
            let start = block.as_ptr() as usize;
            walk_extensions(block, Side::Client, |typ, body| {
                ClientExtensionWire::read_body(typ, body)?;
                // The block is at most 65,535 bytes, so its offsets fit.
                let at = (body.as_ptr() as usize)
                    .checked_sub(start)
                    .and_then(|at| u16::try_from(at).ok());
                let len = u16::try_from(body.len()).ok();
                if let (Some(slot), Some(at), Some(len)) = (slot_of(typ), at, len) {
                    index[slot] = Some((at, len));
                }
                Ok(())
            })?;
            Some(block)
        } else {
            None
        };
        r.expect_end(list_field(Side::Client))?;
        Ok(Self {
            version,
            random,
            session_id,
            cipher_suites,
            compression_methods,
            extensions,
            index,
        })
    }

    /// The owned hello with the same values.
    pub fn into_owned(self) -> ClientHello {
        ClientHello {
            version: self.version,
            random: self.random,
            session_id: self.session_id,
            cipher_suites: self.cipher_suites.to_vec(),
            compression_methods: self.compression_methods.to_vec(),
            extensions: self.extensions.map(|_| {
                self.extensions()
                    .map(ClientExtensionWire::into_owned)
                    .collect()
            }),
        }
    }

    /// The extensions in order (none if the block is absent).
    pub fn extensions(&self) -> impl Iterator<Item = ClientExtensionWire<'a>> + 'a {
        // Every body was checked by `read`, so none fails here.
        extension_bodies(self.extensions.unwrap_or_default())
            .filter_map(|(typ, body)| ClientExtensionWire::read_body(typ, body).ok())
    }

    /// The extension of type `typ`, if present.
    pub fn extension(&self, typ: ExtensionType) -> Option<ClientExtensionWire<'a>> {
        let body = self.body_of(typ)?;
        ClientExtensionWire::read_body(typ, body).ok()
    }

    /// The body of the extension of type `typ`, if present.
    fn body_of(&self, typ: ExtensionType) -> Option<&'a [u8]> {
        let block = self.extensions?;
        match slot_of(typ) {
            Some(slot) => {
                let (at, len) = self.index[slot]?;
                let at = usize::from(at);
                block.get(at..at + usize::from(len))
            }
            None => extension_bodies(block)
                .find(|(t, _)| *t == typ)
                .map(|(_, body)| body),
        }
    }

    /// The first `host_name` of the server_name extension.
    pub fn server_name(&self) -> Option<&'a [u8]> {
        match self.extension(ExtensionType::SERVER_NAME)? {
            ClientExtensionWire::ServerName(names) => names.host_name(),
            _ => None,
        }
    }

    /// The max_fragment_length extension.
    pub fn max_fragment_length(&self) -> Option<MaxFragmentLength> {
        match self.extension(ExtensionType::MAX_FRAGMENT_LENGTH)? {
            ClientExtensionWire::MaxFragmentLength(m) => Some(m),
            _ => None,
        }
    }

    /// The supported_groups extension.
    pub fn supported_groups(&self) -> Option<WireItems<'a, NamedGroup>> {
        match self.extension(ExtensionType::SUPPORTED_GROUPS)? {
            ClientExtensionWire::SupportedGroups(g) => Some(g),
            _ => None,
        }
    }

    /// The ec_point_formats extension.
    pub fn ec_point_formats(&self) -> Option<WireItems<'a, ECPointFormat>> {
        match self.extension(ExtensionType::EC_POINT_FORMATS)? {
            ClientExtensionWire::EcPointFormats(f) => Some(f),
            _ => None,
        }
    }

    /// The signature_algorithms extension.
    pub fn signature_algorithms(&self) -> Option<WireItems<'a, SignatureScheme>> {
        match self.extension(ExtensionType::SIGNATURE_ALGORITHMS)? {
            ClientExtensionWire::SignatureAlgorithms(s) => Some(s),
            _ => None,
        }
    }

    /// The protocol names of the application_layer_protocol_negotiation extension.
    pub fn alpn_protocols(&self) -> Option<OpaqueItems<'a>> {
        match self.extension(ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION)? {
            ClientExtensionWire::Alpn(p) => Some(p),
            _ => None,
        }
    }

    /// Whether the extended_master_secret extension is present.
    pub fn extended_master_secret(&self) -> bool {
        self.body_of(ExtensionType::EXTENDED_MASTER_SECRET)
            .is_some()
    }

    /// The record_size_limit extension.
    pub fn record_size_limit(&self) -> Option<u16> {
        match self.extension(ExtensionType::RECORD_SIZE_LIMIT)? {
            ClientExtensionWire::RecordSizeLimit(l) => Some(l),
            _ => None,
        }
    }

    /// The session_ticket extension: the ticket offered, empty to ask for a new one.
    pub fn session_ticket(&self) -> Option<&'a [u8]> {
        match self.extension(ExtensionType::SESSION_TICKET)? {
            ClientExtensionWire::SessionTicket(t) => Some(t),
            _ => None,
        }
    }

    /// The renegotiation_info extension's `renegotiated_connection`.
    pub fn renegotiation_info(&self) -> Option<&'a [u8]> {
        match self.extension(ExtensionType::RENEGOTIATION_INFO)? {
            ClientExtensionWire::RenegotiationInfo(v) => Some(v),
            _ => None,
        }
    }
}

/// A [`ClientHello`] borrowed from its parts: what a client encodes without building the
/// owned message (its extensions borrowed too, as [`ClientExtensionRef`]s). Encodes as the
/// owned hello with the same values does.
#[derive(Debug, Clone, Copy)]
pub struct ClientHelloRef<'a> {
    /// `client_version`.
    pub version: ProtocolVersion,
    /// The client random.
    pub random: Random,
    /// The session to resume, or empty.
    pub session_id: SessionId,
    /// Suites in preference order.
    pub cipher_suites: &'a [CipherSuite],
    /// Compression methods.
    pub compression_methods: &'a [CompressionMethod],
    /// The extension block, if any.
    pub extensions: Option<&'a [ClientExtensionRef<'a>]>,
}

impl ClientHelloRef<'_> {
    /// Appends the hello's body, as [`ClientHello`]'s `encode` would.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.version.encode(out)?;
        self.random.encode(out)?;
        self.session_id.encode(out)?;
        put_vec(out, LenPrefix::U16, self.cipher_suites)?;
        put_vec(out, LenPrefix::U8, self.compression_methods)?;
        if let Some(exts) = self.extensions {
            let lp = LengthPrefixed::begin(out, LenPrefix::U16);
            for e in exts {
                e.encode(out)?;
            }
            lp.finish(out)?;
        }
        Ok(())
    }

    /// The owned hello with the same values.
    pub fn to_owned(&self) -> ClientHello {
        ClientHello {
            version: self.version,
            random: self.random,
            session_id: self.session_id,
            cipher_suites: self.cipher_suites.to_vec(),
            compression_methods: self.compression_methods.to_vec(),
            extensions: self
                .extensions
                .map(|e| e.iter().map(ClientExtensionRef::to_owned).collect()),
        }
    }
}

/// A ServerHello (RFC 5246 section 7.4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ServerHello {
    /// `server_version`: the version chosen.
    pub version: ProtocolVersion,
    /// The server random.
    pub random: Random,
    /// The session id: the client's to accept resumption, a new one, or empty.
    pub session_id: SessionId,
    /// The suite chosen.
    pub cipher_suite: CipherSuite,
    /// The compression method chosen.
    pub compression_method: CompressionMethod,
    /// `None` when the hello ends without an extension block, `Some` (maybe empty) otherwise.
    /// Decoding guarantees no extension type appears twice.
    pub extensions: Option<Vec<ServerExtension>>,
}

impl ServerHello {
    /// The extensions, empty if the block is absent.
    pub fn extensions(&self) -> &[ServerExtension] {
        self.extensions.as_deref().unwrap_or(&[])
    }

    /// The extension of type `typ`, if present.
    pub fn extension(&self, typ: ExtensionType) -> Option<&ServerExtension> {
        self.extensions().iter().find(|e| e.ext_type() == typ)
    }

    /// Whether an extension of type `typ` is present.
    pub fn has_extension(&self, typ: ExtensionType) -> bool {
        self.extension(typ).is_some()
    }

    /// Whether the server acknowledged server_name (an empty server_name extension).
    pub fn server_name_ack(&self) -> bool {
        self.has_extension(ExtensionType::SERVER_NAME)
    }

    /// The max_fragment_length extension.
    pub fn max_fragment_length(&self) -> Option<MaxFragmentLength> {
        match self.extension(ExtensionType::MAX_FRAGMENT_LENGTH)? {
            ServerExtension::MaxFragmentLength(m) => Some(*m),
            _ => None,
        }
    }

    /// Whether the server will send a CertificateStatus (an empty status_request extension).
    pub fn status_request_ack(&self) -> bool {
        self.has_extension(ExtensionType::STATUS_REQUEST)
    }

    /// The ec_point_formats extension.
    pub fn ec_point_formats(&self) -> Option<&[ECPointFormat]> {
        match self.extension(ExtensionType::EC_POINT_FORMATS)? {
            ServerExtension::EcPointFormats(f) => Some(f),
            _ => None,
        }
    }

    /// The protocol selected by application_layer_protocol_negotiation.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        match self.extension(ExtensionType::APPLICATION_LAYER_PROTOCOL_NEGOTIATION)? {
            ServerExtension::Alpn(p) => Some(p),
            _ => None,
        }
    }

    /// Whether the extended_master_secret extension is present.
    pub fn extended_master_secret(&self) -> bool {
        self.has_extension(ExtensionType::EXTENDED_MASTER_SECRET)
    }

    /// The record_size_limit extension.
    pub fn record_size_limit(&self) -> Option<u16> {
        match self.extension(ExtensionType::RECORD_SIZE_LIMIT)? {
            ServerExtension::RecordSizeLimit(l) => Some(*l),
            _ => None,
        }
    }

    /// Whether the server will send a NewSessionTicket (an empty session_ticket extension).
    pub fn session_ticket_ack(&self) -> bool {
        self.has_extension(ExtensionType::SESSION_TICKET)
    }

    /// The renegotiation_info extension's `renegotiated_connection`.
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        match self.extension(ExtensionType::RENEGOTIATION_INFO)? {
            ServerExtension::RenegotiationInfo(v) => Some(v),
            _ => None,
        }
    }
}

impl Codec for ServerHello {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.version.encode(out)?;
        self.random.encode(out)?;
        self.session_id.encode(out)?;
        self.cipher_suite.encode(out)?;
        self.compression_method.encode(out)?;
        if let Some(exts) = &self.extensions {
            put_vec(out, LenPrefix::U16, exts)?;
        }
        Ok(())
    }

    /// Reads to the end of `r`, which must be exactly the handshake body.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let version = ProtocolVersion(r.u16("ServerHello.server_version")?);
        let random = Random(r.array("ServerHello.random")?);
        let session_id = read_session_id(r, "ServerHello.session_id")?;
        let cipher_suite = CipherSuite(r.u16("ServerHello.cipher_suite")?);
        let compression_method = CompressionMethod(r.u8("ServerHello.compression_method")?);
        let extensions = if r.any_left() {
            Some(read_extensions(
                r,
                Side::Server,
                ServerExtension::read_body,
            )?)
        } else {
            None
        };
        r.expect_end(list_field(Side::Server))?;
        Ok(ServerHello {
            version,
            random,
            session_id,
            cipher_suite,
            compression_method,
            extensions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msgs::extensions::ServerNameEntry;
    use alloc::vec;

    fn client_hello_bytes(exts: &[u8]) -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend_from_slice(&[7; 32]);
        b.extend_from_slice(&[2, 0xaa, 0xbb]); // session id
        b.extend_from_slice(&[0, 4, 0xc0, 0x2f, 0x00, 0xff]); // suites
        b.extend_from_slice(&[1, 0]); // compression
        b.extend_from_slice(exts);
        b
    }

    /// Every borrowed extension kind (and none, and an empty block): the borrowed hello
    /// encodes as its owned copy does, which decodes back to the same values.
    #[test]
    fn borrowed_client_hello_encodes_as_the_owned_one() {
        use crate::msgs::extensions::{ClientExtensionRef as E, OcspStatusRequest};
        let names = [ServerNameEntry {
            name_type: ServerNameType::HOST_NAME,
            name: b"b.example".to_vec(),
        }];
        let status = CertificateStatusRequest::Ocsp(OcspStatusRequest::default());
        let alpn = [b"h2".to_vec(), b"http/1.1".to_vec()];
        let all = [
            E::HostName(b"a.example"),
            E::MaxFragmentLength(MaxFragmentLength(2)),
            E::StatusRequest(&status),
            E::SupportedGroups(&[NamedGroup::X25519, NamedGroup::SECP256R1]),
            E::EcPointFormats(&[ECPointFormat::UNCOMPRESSED]),
            E::SignatureAlgorithms(&[SignatureScheme(0x0804), SignatureScheme(0x0403)]),
            E::Alpn(&alpn),
            E::ExtendedMasterSecret,
            E::RecordSizeLimit(1000),
            E::SessionTicket(&[9; 40]),
            E::RenegotiationInfo(&[]),
            E::Unknown {
                typ: ExtensionType(0x3a3a),
                data: &[1, 2],
            },
            E::Unknown {
                typ: ExtensionType::SUPPORTED_VERSIONS,
                data: &[2, 3, 3],
            },
        ];
        let sni = [E::ServerNames(&names)];
        for exts in [None, Some(&[][..]), Some(&all[..]), Some(&sni[..])] {
            let hello = ClientHelloRef {
                version: ProtocolVersion::TLS12,
                random: Random([5; 32]),
                session_id: SessionId::new(&[1; 32]).unwrap(),
                cipher_suites: &[
                    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                    CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
                ],
                compression_methods: &[CompressionMethod::NULL],
                extensions: exts,
            };
            let mut borrowed = Vec::new();
            hello.encode(&mut borrowed).unwrap();
            let owned = hello.to_owned();
            assert_eq!(owned.to_bytes().unwrap(), borrowed);
            assert_eq!(ClientHello::decode(&borrowed).unwrap(), owned);
            wire_answers_as_owned(&borrowed, &owned);
        }
    }

    /// The hello read where it lies answers every question as the owned hello does.
    fn wire_answers_as_owned(bytes: &[u8], owned: &ClientHello) {
        let mut r = Reader::new(bytes);
        let wire = ClientHelloWire::read(&mut r).unwrap();
        assert!(!r.any_left());
        assert_eq!(wire.into_owned(), *owned);
        assert_eq!(
            (wire.version, wire.random, wire.session_id),
            (owned.version, owned.random, owned.session_id)
        );
        assert_eq!(wire.cipher_suites.to_vec(), owned.cipher_suites);
        assert_eq!(wire.compression_methods.to_vec(), owned.compression_methods);
        assert!(
            owned
                .cipher_suites
                .iter()
                .all(|s| wire.cipher_suites.contains(s))
        );
        assert_eq!(wire.server_name(), owned.server_name());
        assert_eq!(wire.max_fragment_length(), owned.max_fragment_length());
        assert_eq!(
            wire.supported_groups().map(|g| g.to_vec()).as_deref(),
            owned.supported_groups()
        );
        assert_eq!(
            wire.ec_point_formats().map(|f| f.to_vec()).as_deref(),
            owned.ec_point_formats()
        );
        assert_eq!(
            wire.signature_algorithms().map(|s| s.to_vec()).as_deref(),
            owned.signature_algorithms()
        );
        assert_eq!(
            wire.alpn_protocols().map(|p| p.to_vec()).as_deref(),
            owned.alpn_protocols()
        );
        assert_eq!(
            wire.extended_master_secret(),
            owned.extended_master_secret()
        );
        assert_eq!(wire.record_size_limit(), owned.record_size_limit());
        assert_eq!(wire.session_ticket(), owned.session_ticket());
        assert_eq!(wire.renegotiation_info(), owned.renegotiation_info());
        assert_eq!(wire.extensions().count(), owned.extensions().len());
        for typ in [
            ExtensionType(0x3a3a),
            ExtensionType::SUPPORTED_VERSIONS,
            ExtensionType::STATUS_REQUEST,
            ExtensionType(0x4242),
        ] {
            assert_eq!(
                wire.extension(typ)
                    .map(ClientExtensionWire::into_owned)
                    .as_ref(),
                owned.extension(typ),
                "{typ:?}"
            );
        }
    }

    #[test]
    fn client_hello_known_bytes() {
        let exts = [
            0, 26, // block length
            0, 0, 0, 6, 0, 4, 0, 0, 1, b'a', // server_name "a"
            0, 10, 0, 4, 0, 2, 0, 0x1d, // supported_groups x25519
            0, 23, 0, 0, // extended_master_secret
            0, 35, 0, 0, // session_ticket
        ];
        assert_eq!(exts.len() - 2, 26);
        let bytes = client_hello_bytes(&exts);
        let ch = ClientHello::decode(&bytes).unwrap();
        assert_eq!(ch.version, ProtocolVersion::TLS12);
        assert_eq!(ch.random, Random([7; 32]));
        assert_eq!(ch.session_id.as_slice(), &[0xaa, 0xbb]);
        assert_eq!(
            ch.cipher_suites,
            vec![
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV
            ]
        );
        assert!(ch.offers_suite(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV));
        assert_eq!(ch.compression_methods, vec![CompressionMethod::NULL]);
        assert_eq!(ch.server_name(), Some(&b"a"[..]));
        assert_eq!(ch.supported_groups(), Some(&[NamedGroup::X25519][..]));
        assert!(ch.extended_master_secret());
        assert_eq!(ch.session_ticket(), Some(&[][..]));
        assert_eq!(ch.signature_algorithms(), None);
        assert_eq!(ch.alpn_protocols(), None);
        assert_eq!(ch.renegotiation_info(), None);
        assert_eq!(ch.ec_point_formats(), None);
        assert_eq!(ch.max_fragment_length(), None);
        assert_eq!(ch.record_size_limit(), None);
        assert_eq!(ch.status_request(), None);
        assert!(ch.has_extension(ExtensionType::SERVER_NAME));
        assert!(!ch.has_extension(ExtensionType::RENEGOTIATION_INFO));
        assert_eq!(ch.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn server_name_skips_other_name_types() {
        let ch = ClientHello {
            version: ProtocolVersion::TLS12,
            random: Random::default(),
            session_id: SessionId::EMPTY,
            cipher_suites: vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
            compression_methods: vec![CompressionMethod::NULL],
            extensions: Some(vec![ClientExtension::ServerName(vec![
                ServerNameEntry {
                    name_type: ServerNameType(9),
                    name: b"x".to_vec(),
                },
                ServerNameEntry {
                    name_type: ServerNameType::HOST_NAME,
                    name: b"h".to_vec(),
                },
            ])]),
        };
        assert_eq!(ch.server_name(), Some(&b"h"[..]));
        assert_eq!(ClientHello::decode(&ch.to_bytes().unwrap()).unwrap(), ch);
    }

    #[test]
    fn absent_and_empty_extension_blocks_differ() {
        let none = client_hello_bytes(&[]);
        let ch = ClientHello::decode(&none).unwrap();
        assert_eq!(ch.extensions, None);
        assert_eq!(ch.extensions(), &[]);
        assert_eq!(ch.to_bytes().unwrap(), none);
        let empty = client_hello_bytes(&[0, 0]);
        let ch = ClientHello::decode(&empty).unwrap();
        assert_eq!(ch.extensions, Some(vec![]));
        assert_eq!(ch.to_bytes().unwrap(), empty);
    }

    #[test]
    fn client_hello_errors() {
        let f = |kind, field| Err(DecodeError::new(field, kind));
        // One stray byte where the extension block would start.
        assert_eq!(
            ClientHello::decode(&client_hello_bytes(&[0])),
            f(DecodeErrorKind::Truncated, "ClientHello.extensions")
        );
        // Bytes after the extension block.
        assert_eq!(
            ClientHello::decode(&client_hello_bytes(&[0, 0, 0])),
            f(DecodeErrorKind::TrailingData, "ClientHello.extensions")
        );
        // Duplicate extension.
        assert_eq!(
            ClientHello::decode(&client_hello_bytes(&[0, 8, 0, 23, 0, 0, 0, 23, 0, 0])),
            f(
                DecodeErrorKind::Duplicate,
                "ClientHello.extensions.extended_master_secret"
            )
        );
        // Error inside an extension.
        assert_eq!(
            ClientHello::decode(&client_hello_bytes(&[0, 4, 0, 10, 0, 0])),
            f(
                DecodeErrorKind::Truncated,
                "ClientHello.extensions.supported_groups"
            )
        );
        let mut b = client_hello_bytes(&[]);
        // Session id of 33 bytes.
        b[34] = 33;
        assert_eq!(
            ClientHello::decode(&b),
            f(DecodeErrorKind::Truncated, "ClientHello.session_id")
        );
        let mut long = vec![3, 3];
        long.extend_from_slice(&[0; 32]);
        long.push(33);
        long.extend_from_slice(&[0; 33]);
        long.extend_from_slice(&[0, 2, 0, 0x2f, 1, 0]);
        assert_eq!(
            ClientHello::decode(&long),
            f(DecodeErrorKind::BadLength, "ClientHello.session_id")
        );
        // Empty suites, odd suites, empty compression.
        let mut b = client_hello_bytes(&[]);
        b[37..43].copy_from_slice(&[0, 0, 1, 0, 0, 0]);
        assert_eq!(
            ClientHello::decode(&b[..41]),
            f(DecodeErrorKind::BadLength, "ClientHello.cipher_suites")
        );
        let b = client_hello_bytes(&[]);
        let mut odd = b[..37].to_vec();
        odd.extend_from_slice(&[0, 3, 0xc0, 0x2f, 0, 1, 0]);
        assert_eq!(
            ClientHello::decode(&odd),
            f(DecodeErrorKind::BadLength, "ClientHello.cipher_suites")
        );
        let mut nocomp = b[..43].to_vec();
        nocomp.push(0);
        assert_eq!(
            ClientHello::decode(&nocomp),
            f(
                DecodeErrorKind::BadLength,
                "ClientHello.compression_methods"
            )
        );
        assert_eq!(
            ClientHello::decode(&b[..43]),
            f(
                DecodeErrorKind::Truncated,
                "ClientHello.compression_methods"
            )
        );
        assert_eq!(
            ClientHello::decode(&b[..10]),
            f(DecodeErrorKind::Truncated, "ClientHello.random")
        );
        assert_eq!(
            ClientHello::decode(&[3]),
            f(DecodeErrorKind::Truncated, "ClientHello.client_version")
        );
    }

    #[test]
    fn server_hello_known_bytes_and_accessors() {
        let mut b = vec![3, 3];
        b.extend_from_slice(&[9; 32]);
        b.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
        let sh = ServerHello::decode(&b).unwrap();
        assert_eq!(sh.extensions, None);
        assert_eq!(sh.session_id, SessionId::EMPTY);
        assert_eq!(
            sh.cipher_suite,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        );
        assert_eq!(sh.to_bytes().unwrap(), b);
        let exts = [
            0, 32, // block
            0xff, 1, 0, 1, 0, // renegotiation_info
            0, 23, 0, 0, // ems
            0, 0, 0, 0, // server_name
            0, 35, 0, 0, // session_ticket
            0, 16, 0, 5, 0, 3, 2, b'h', b'2', // alpn
            0, 11, 0, 2, 1, 0, // ec_point_formats
        ];
        assert_eq!(exts.len() - 2, 32);
        b.extend_from_slice(&exts);
        let sh = ServerHello::decode(&b).unwrap();
        assert_eq!(sh.renegotiation_info(), Some(&[][..]));
        assert!(sh.extended_master_secret());
        assert!(sh.server_name_ack());
        assert!(sh.session_ticket_ack());
        assert!(!sh.status_request_ack());
        assert_eq!(sh.alpn_protocol(), Some(&b"h2"[..]));
        assert_eq!(
            sh.ec_point_formats(),
            Some(&[ECPointFormat::UNCOMPRESSED][..])
        );
        assert_eq!(sh.max_fragment_length(), None);
        assert_eq!(sh.record_size_limit(), None);
        assert_eq!(sh.to_bytes().unwrap(), b);
        // Trailing byte after the block.
        b.push(0);
        assert_eq!(
            ServerHello::decode(&b),
            Err(DecodeError::new(
                "ServerHello.extensions",
                DecodeErrorKind::TrailingData
            ))
        );
    }

    #[test]
    fn session_id() {
        assert_eq!(SessionId::new(&[0; 33]), None);
        let s = SessionId::new(&[1, 2]).unwrap();
        assert_eq!(s.len(), 2);
        assert!(!s.is_empty());
        assert_eq!(SessionId::decode(&[2, 1, 2]).unwrap(), s);
        assert_eq!(alloc::format!("{s:?}"), "SessionId(0102)");
        let mut b = vec![33];
        b.extend_from_slice(&[0; 33]);
        assert_eq!(
            SessionId::decode(&b),
            Err(DecodeError::new("SessionId", DecodeErrorKind::BadLength))
        );
    }
}
