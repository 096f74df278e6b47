//! Wire code points as newtypes that keep unknown values.
//!
//! Each type has a named constant per known value. `Debug` prints the constant name,
//! `Display` prints the name Wireshark and the RFCs use (for example `x25519`,
//! `TLS 1.2`, `rsa_pkcs1_sha512`); an unknown value prints as `Unknown (0x....)`.
//! [`WireName::wire_name`] gives `name (0x....)` as in a Wireshark dissection.

use alloc::vec::Vec;
use core::fmt;

use super::{Codec, Reader};
use crate::error::{DecodeError, EncodeError};

/// A code point with a Wireshark-style display: `name (0x001d)`.
pub trait WireName: fmt::Display {
    /// The raw value, widened.
    fn raw(&self) -> u32;
    /// The number of bytes on the wire.
    const WIDTH: usize;
    /// `name (0x....)`, the way a dissector shows the value.
    fn wire_name(&self) -> WireNameDisplay<'_, Self>
    where
        Self: Sized,
    {
        WireNameDisplay(self)
    }
}

/// Display adapter returned by [`WireName::wire_name`].
pub struct WireNameDisplay<'a, T>(&'a T);

impl<T: WireName> fmt::Display for WireNameDisplay<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match T::WIDTH {
            1 => write!(f, "{} ({})", self.0, self.0.raw()),
            _ => write!(f, "{} (0x{:04x})", self.0, self.0.raw()),
        }
    }
}

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident($ty:ident, $field:literal) {
            $( $(#[$vmeta:meta])* $var:ident = $val:literal => $disp:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        pub struct $name(pub $ty);

        #[allow(missing_docs)]
        impl $name {
            $( $(#[$vmeta])* pub const $var: Self = Self($val); )*

            /// Every value this crate has a name for.
            pub const KNOWN: &'static [Self] = &[$(Self::$var),*];

            /// The constant's name, if the value is known.
            pub const fn const_name(self) -> Option<&'static str> {
                match self.0 {
                    $( $val => Some(stringify!($var)), )*
                    _ => None,
                }
            }

            /// The display name (RFC / Wireshark spelling), if the value is known.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $val => Some($disp), )*
                    _ => None,
                }
            }

            /// Whether this crate has a name for the value.
            pub const fn is_known(self) -> bool {
                self.name().is_some()
            }
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> Self {
                Self(v)
            }
        }

        impl From<$name> for $ty {
            fn from(v: $name) -> $ty {
                v.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.const_name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, concat!(stringify!($name), "(0x{:x})"), self.0),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => f.write_str("Unknown"),
                }
            }
        }

        impl WireName for $name {
            fn raw(&self) -> u32 {
                self.0 as u32
            }
            const WIDTH: usize = core::mem::size_of::<$ty>();
        }

        impl Codec for $name {
            fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
                out.extend_from_slice(&self.0.to_be_bytes());
                Ok(())
            }
            fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Ok(Self(r.$ty($field)?))
            }
        }
    };
}

wire_enum! {
    /// `ProtocolVersion` (RFC 5246 section 6.2.1).
    ProtocolVersion(u16, "ProtocolVersion") {
        SSLV2 = 0x0002 => "SSL 2.0",
        SSLV3 = 0x0300 => "SSL 3.0",
        TLS10 = 0x0301 => "TLS 1.0",
        TLS11 = 0x0302 => "TLS 1.1",
        TLS12 = 0x0303 => "TLS 1.2",
        TLS13 = 0x0304 => "TLS 1.3",
    }
}

wire_enum! {
    /// `ContentType` of a record (RFC 5246 section 6.2.1).
    ContentType(u8, "ContentType") {
        CHANGE_CIPHER_SPEC = 20 => "Change Cipher Spec",
        ALERT = 21 => "Alert",
        HANDSHAKE = 22 => "Handshake",
        APPLICATION_DATA = 23 => "Application Data",
        HEARTBEAT = 24 => "Heartbeat",
    }
}

wire_enum! {
    /// `HandshakeType` (RFC 5246 section 7.4, RFC 5077, RFC 8446).
    HandshakeType(u8, "HandshakeType") {
        HELLO_REQUEST = 0 => "Hello Request",
        CLIENT_HELLO = 1 => "Client Hello",
        SERVER_HELLO = 2 => "Server Hello",
        HELLO_VERIFY_REQUEST = 3 => "Hello Verify Request",
        NEW_SESSION_TICKET = 4 => "New Session Ticket",
        END_OF_EARLY_DATA = 5 => "End of Early Data",
        ENCRYPTED_EXTENSIONS = 8 => "Encrypted Extensions",
        CERTIFICATE = 11 => "Certificate",
        SERVER_KEY_EXCHANGE = 12 => "Server Key Exchange",
        CERTIFICATE_REQUEST = 13 => "Certificate Request",
        SERVER_HELLO_DONE = 14 => "Server Hello Done",
        CERTIFICATE_VERIFY = 15 => "Certificate Verify",
        CLIENT_KEY_EXCHANGE = 16 => "Client Key Exchange",
        FINISHED = 20 => "Finished",
        CERTIFICATE_URL = 21 => "Certificate URL",
        CERTIFICATE_STATUS = 22 => "Certificate Status",
        KEY_UPDATE = 24 => "Key Update",
        MESSAGE_HASH = 254 => "Message Hash",
    }
}

wire_enum! {
    /// `AlertLevel` (RFC 5246 section 7.2).
    AlertLevel(u8, "AlertLevel") {
        WARNING = 1 => "Warning",
        FATAL = 2 => "Fatal",
    }
}

wire_enum! {
    /// `AlertDescription` (RFC 5246 section 7.2 and later registrations).
    AlertDescription(u8, "AlertDescription") {
        CLOSE_NOTIFY = 0 => "close_notify",
        UNEXPECTED_MESSAGE = 10 => "unexpected_message",
        BAD_RECORD_MAC = 20 => "bad_record_mac",
        DECRYPTION_FAILED = 21 => "decryption_failed",
        RECORD_OVERFLOW = 22 => "record_overflow",
        DECOMPRESSION_FAILURE = 30 => "decompression_failure",
        HANDSHAKE_FAILURE = 40 => "handshake_failure",
        NO_CERTIFICATE = 41 => "no_certificate",
        BAD_CERTIFICATE = 42 => "bad_certificate",
        UNSUPPORTED_CERTIFICATE = 43 => "unsupported_certificate",
        CERTIFICATE_REVOKED = 44 => "certificate_revoked",
        CERTIFICATE_EXPIRED = 45 => "certificate_expired",
        CERTIFICATE_UNKNOWN = 46 => "certificate_unknown",
        ILLEGAL_PARAMETER = 47 => "illegal_parameter",
        UNKNOWN_CA = 48 => "unknown_ca",
        ACCESS_DENIED = 49 => "access_denied",
        DECODE_ERROR = 50 => "decode_error",
        DECRYPT_ERROR = 51 => "decrypt_error",
        EXPORT_RESTRICTION = 60 => "export_restriction",
        PROTOCOL_VERSION = 70 => "protocol_version",
        INSUFFICIENT_SECURITY = 71 => "insufficient_security",
        INTERNAL_ERROR = 80 => "internal_error",
        INAPPROPRIATE_FALLBACK = 86 => "inappropriate_fallback",
        USER_CANCELED = 90 => "user_canceled",
        NO_RENEGOTIATION = 100 => "no_renegotiation",
        MISSING_EXTENSION = 109 => "missing_extension",
        UNSUPPORTED_EXTENSION = 110 => "unsupported_extension",
        CERTIFICATE_UNOBTAINABLE = 111 => "certificate_unobtainable",
        UNRECOGNIZED_NAME = 112 => "unrecognized_name",
        BAD_CERTIFICATE_STATUS_RESPONSE = 113 => "bad_certificate_status_response",
        BAD_CERTIFICATE_HASH_VALUE = 114 => "bad_certificate_hash_value",
        UNKNOWN_PSK_IDENTITY = 115 => "unknown_psk_identity",
        CERTIFICATE_REQUIRED = 116 => "certificate_required",
        NO_APPLICATION_PROTOCOL = 120 => "no_application_protocol",
    }
}

wire_enum! {
    /// `CipherSuite` (the IANA TLS Cipher Suites registry). Includes every suite a browser of
    /// the lecture's era offers, the TLS 1.3 suites a modern ClientHello carries, and the
    /// signalling values. Only the AEAD suites in [`crate::suites`] are implemented.
    CipherSuite(u16, "CipherSuite") {
        TLS_NULL_WITH_NULL_NULL = 0x0000 => "TLS_NULL_WITH_NULL_NULL",
        TLS_RSA_WITH_NULL_MD5 = 0x0001 => "TLS_RSA_WITH_NULL_MD5",
        TLS_RSA_WITH_NULL_SHA = 0x0002 => "TLS_RSA_WITH_NULL_SHA",
        TLS_RSA_WITH_RC4_128_MD5 = 0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
        TLS_RSA_WITH_RC4_128_SHA = 0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        TLS_RSA_WITH_DES_CBC_SHA = 0x0009 => "TLS_RSA_WITH_DES_CBC_SHA",
        TLS_RSA_WITH_3DES_EDE_CBC_SHA = 0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA = 0x0013 => "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
        TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA = 0x0016 => "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        TLS_DHE_DSS_WITH_AES_128_CBC_SHA = 0x0032 => "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
        TLS_DHE_RSA_WITH_AES_128_CBC_SHA = 0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        TLS_DHE_DSS_WITH_AES_256_CBC_SHA = 0x0038 => "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
        TLS_DHE_RSA_WITH_AES_256_CBC_SHA = 0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        TLS_RSA_WITH_NULL_SHA256 = 0x003b => "TLS_RSA_WITH_NULL_SHA256",
        TLS_RSA_WITH_AES_128_CBC_SHA256 = 0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        TLS_RSA_WITH_AES_256_CBC_SHA256 = 0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        TLS_DHE_DSS_WITH_AES_128_CBC_SHA256 = 0x0040 => "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
        TLS_RSA_WITH_CAMELLIA_128_CBC_SHA = 0x0041 => "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
        TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA = 0x0045 => "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA",
        TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 = 0x0067 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        TLS_DHE_DSS_WITH_AES_256_CBC_SHA256 = 0x006a => "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
        TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 = 0x006b => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        TLS_RSA_WITH_CAMELLIA_256_CBC_SHA = 0x0084 => "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",
        TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA = 0x0088 => "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA",
        TLS_PSK_WITH_AES_128_CBC_SHA = 0x008c => "TLS_PSK_WITH_AES_128_CBC_SHA",
        TLS_PSK_WITH_AES_256_CBC_SHA = 0x008d => "TLS_PSK_WITH_AES_256_CBC_SHA",
        TLS_RSA_WITH_SEED_CBC_SHA = 0x0096 => "TLS_RSA_WITH_SEED_CBC_SHA",
        TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        TLS_DHE_DSS_WITH_AES_128_GCM_SHA256 = 0x00a2 => "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
        TLS_DHE_DSS_WITH_AES_256_GCM_SHA384 = 0x00a3 => "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
        TLS_PSK_WITH_AES_128_GCM_SHA256 = 0x00a8 => "TLS_PSK_WITH_AES_128_GCM_SHA256",
        TLS_PSK_WITH_AES_256_GCM_SHA384 = 0x00a9 => "TLS_PSK_WITH_AES_256_GCM_SHA384",
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        TLS_AES_128_GCM_SHA256 = 0x1301 => "TLS_AES_128_GCM_SHA256",
        TLS_AES_256_GCM_SHA384 = 0x1302 => "TLS_AES_256_GCM_SHA384",
        TLS_CHACHA20_POLY1305_SHA256 = 0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        TLS_AES_128_CCM_SHA256 = 0x1304 => "TLS_AES_128_CCM_SHA256",
        TLS_AES_128_CCM_8_SHA256 = 0x1305 => "TLS_AES_128_CCM_8_SHA256",
        TLS_FALLBACK_SCSV = 0x5600 => "TLS_FALLBACK_SCSV",
        TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA = 0xc004 => "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA",
        TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA = 0xc005 => "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",
        TLS_ECDHE_ECDSA_WITH_NULL_SHA = 0xc006 => "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
        TLS_ECDHE_ECDSA_WITH_RC4_128_SHA = 0xc007 => "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA = 0xc008 => "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        TLS_ECDH_RSA_WITH_AES_128_CBC_SHA = 0xc00e => "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",
        TLS_ECDH_RSA_WITH_AES_256_CBC_SHA = 0xc00f => "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
        TLS_ECDHE_RSA_WITH_NULL_SHA = 0xc010 => "TLS_ECDHE_RSA_WITH_NULL_SHA",
        TLS_ECDHE_RSA_WITH_RC4_128_SHA = 0xc011 => "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA = 0xc012 => "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = 0xc023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 = 0xc024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256 = 0xc025 => "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
        TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384 = 0xc026 => "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384",
        TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 = 0xc027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 = 0xc028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256 = 0xc029 => "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
        TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384 = 0xc02a => "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384",
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02d => "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
        TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02e => "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256 = 0xc031 => "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
        TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384 = 0xc032 => "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",
        TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA = 0xc035 => "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA",
        TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA = 0xc036 => "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA",
        TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256 = 0xc072 => "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",
        TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256 = 0xc076 => "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        TLS_RSA_WITH_AES_128_CCM = 0xc09c => "TLS_RSA_WITH_AES_128_CCM",
        TLS_RSA_WITH_AES_256_CCM = 0xc09d => "TLS_RSA_WITH_AES_256_CCM",
        TLS_DHE_RSA_WITH_AES_128_CCM = 0xc09e => "TLS_DHE_RSA_WITH_AES_128_CCM",
        TLS_DHE_RSA_WITH_AES_256_CCM = 0xc09f => "TLS_DHE_RSA_WITH_AES_256_CCM",
        TLS_RSA_WITH_AES_128_CCM_8 = 0xc0a0 => "TLS_RSA_WITH_AES_128_CCM_8",
        TLS_RSA_WITH_AES_256_CCM_8 = 0xc0a1 => "TLS_RSA_WITH_AES_256_CCM_8",
        TLS_PSK_WITH_AES_128_CCM_8 = 0xc0a8 => "TLS_PSK_WITH_AES_128_CCM_8",
        TLS_ECDHE_ECDSA_WITH_AES_128_CCM = 0xc0ac => "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
        TLS_ECDHE_ECDSA_WITH_AES_256_CCM = 0xc0ad => "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
        TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 = 0xc0ae => "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
        TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8 = 0xc0af => "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD = 0xcc13 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (draft)",
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD = 0xcc14 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (draft)",
        TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD = 0xcc15 => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (draft)",
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xccaa => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccab => "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",
        TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccac => "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
        TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccad => "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
        TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 = 0xd001 => "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
    }
}

impl CipherSuite {
    /// Whether this is a GREASE value (RFC 8701), which a peer must ignore.
    pub const fn is_grease(self) -> bool {
        self.0 & 0x0f0f == 0x0a0a && (self.0 >> 8) == (self.0 & 0xff)
    }
}

wire_enum! {
    /// `NamedGroup` (RFC 8422 section 5.1.1, RFC 7919, RFC 8446 section 4.2.7).
    NamedGroup(u16, "NamedGroup") {
        SECP256K1 = 0x0016 => "secp256k1",
        SECP256R1 = 0x0017 => "secp256r1",
        SECP384R1 = 0x0018 => "secp384r1",
        SECP521R1 = 0x0019 => "secp521r1",
        BRAINPOOLP256R1 = 0x001a => "brainpoolP256r1",
        BRAINPOOLP384R1 = 0x001b => "brainpoolP384r1",
        BRAINPOOLP512R1 = 0x001c => "brainpoolP512r1",
        X25519 = 0x001d => "x25519",
        X448 = 0x001e => "x448",
        FFDHE2048 = 0x0100 => "ffdhe2048",
        FFDHE3072 = 0x0101 => "ffdhe3072",
        FFDHE4096 = 0x0102 => "ffdhe4096",
        FFDHE6144 = 0x0103 => "ffdhe6144",
        FFDHE8192 = 0x0104 => "ffdhe8192",
        SECP256R1MLKEM768 = 0x11eb => "SecP256r1MLKEM768",
        X25519MLKEM768 = 0x11ec => "X25519MLKEM768",
        X25519KYBER768DRAFT00 = 0x6399 => "X25519Kyber768Draft00",
    }
}

wire_enum! {
    /// `SignatureScheme` (RFC 8446 section 4.2.3), which in TLS 1.2 is the
    /// `SignatureAndHashAlgorithm` pair of RFC 5246 section 7.4.1.4.1.
    SignatureScheme(u16, "SignatureScheme") {
        RSA_PKCS1_MD5 = 0x0101 => "rsa_pkcs1_md5",
        RSA_PKCS1_SHA1 = 0x0201 => "rsa_pkcs1_sha1",
        DSA_SHA1 = 0x0202 => "dsa_sha1",
        ECDSA_SHA1 = 0x0203 => "ecdsa_sha1",
        RSA_PKCS1_SHA224 = 0x0301 => "rsa_pkcs1_sha224",
        DSA_SHA224 = 0x0302 => "dsa_sha224",
        ECDSA_SHA224 = 0x0303 => "ecdsa_sha224",
        RSA_PKCS1_SHA256 = 0x0401 => "rsa_pkcs1_sha256",
        DSA_SHA256 = 0x0402 => "dsa_sha256",
        ECDSA_SECP256R1_SHA256 = 0x0403 => "ecdsa_secp256r1_sha256",
        RSA_PKCS1_SHA384 = 0x0501 => "rsa_pkcs1_sha384",
        DSA_SHA384 = 0x0502 => "dsa_sha384",
        ECDSA_SECP384R1_SHA384 = 0x0503 => "ecdsa_secp384r1_sha384",
        RSA_PKCS1_SHA512 = 0x0601 => "rsa_pkcs1_sha512",
        DSA_SHA512 = 0x0602 => "dsa_sha512",
        ECDSA_SECP521R1_SHA512 = 0x0603 => "ecdsa_secp521r1_sha512",
        RSA_PSS_RSAE_SHA256 = 0x0804 => "rsa_pss_rsae_sha256",
        RSA_PSS_RSAE_SHA384 = 0x0805 => "rsa_pss_rsae_sha384",
        RSA_PSS_RSAE_SHA512 = 0x0806 => "rsa_pss_rsae_sha512",
        ED25519 = 0x0807 => "ed25519",
        ED448 = 0x0808 => "ed448",
        RSA_PSS_PSS_SHA256 = 0x0809 => "rsa_pss_pss_sha256",
        RSA_PSS_PSS_SHA384 = 0x080a => "rsa_pss_pss_sha384",
        RSA_PSS_PSS_SHA512 = 0x080b => "rsa_pss_pss_sha512",
    }
}

wire_enum! {
    /// `ExtensionType` (the IANA TLS ExtensionType Values registry).
    ExtensionType(u16, "ExtensionType") {
        SERVER_NAME = 0 => "server_name",
        MAX_FRAGMENT_LENGTH = 1 => "max_fragment_length",
        CLIENT_CERTIFICATE_URL = 2 => "client_certificate_url",
        TRUSTED_CA_KEYS = 3 => "trusted_ca_keys",
        TRUNCATED_HMAC = 4 => "truncated_hmac",
        STATUS_REQUEST = 5 => "status_request",
        USER_MAPPING = 6 => "user_mapping",
        SUPPORTED_GROUPS = 10 => "supported_groups",
        EC_POINT_FORMATS = 11 => "ec_point_formats",
        SRP = 12 => "srp",
        SIGNATURE_ALGORITHMS = 13 => "signature_algorithms",
        USE_SRTP = 14 => "use_srtp",
        HEARTBEAT = 15 => "heartbeat",
        APPLICATION_LAYER_PROTOCOL_NEGOTIATION = 16 => "application_layer_protocol_negotiation",
        STATUS_REQUEST_V2 = 17 => "status_request_v2",
        SIGNED_CERTIFICATE_TIMESTAMP = 18 => "signed_certificate_timestamp",
        CLIENT_CERTIFICATE_TYPE = 19 => "client_certificate_type",
        SERVER_CERTIFICATE_TYPE = 20 => "server_certificate_type",
        PADDING = 21 => "padding",
        ENCRYPT_THEN_MAC = 22 => "encrypt_then_mac",
        EXTENDED_MASTER_SECRET = 23 => "extended_master_secret",
        TOKEN_BINDING = 24 => "token_binding",
        CACHED_INFO = 25 => "cached_info",
        COMPRESS_CERTIFICATE = 27 => "compress_certificate",
        RECORD_SIZE_LIMIT = 28 => "record_size_limit",
        DELEGATED_CREDENTIALS = 34 => "delegated_credentials",
        SESSION_TICKET = 35 => "session_ticket",
        PRE_SHARED_KEY = 41 => "pre_shared_key",
        EARLY_DATA = 42 => "early_data",
        SUPPORTED_VERSIONS = 43 => "supported_versions",
        COOKIE = 44 => "cookie",
        PSK_KEY_EXCHANGE_MODES = 45 => "psk_key_exchange_modes",
        CERTIFICATE_AUTHORITIES = 47 => "certificate_authorities",
        OID_FILTERS = 48 => "oid_filters",
        POST_HANDSHAKE_AUTH = 49 => "post_handshake_auth",
        SIGNATURE_ALGORITHMS_CERT = 50 => "signature_algorithms_cert",
        KEY_SHARE = 51 => "key_share",
        NEXT_PROTOCOL_NEGOTIATION = 13172 => "next_protocol_negotiation",
        APPLICATION_SETTINGS = 17513 => "application_settings",
        CHANNEL_ID = 30032 => "channel_id",
        ENCRYPTED_CLIENT_HELLO = 0xfe0d => "encrypted_client_hello",
        RENEGOTIATION_INFO = 0xff01 => "renegotiation_info",
    }
}

wire_enum! {
    /// `ECPointFormat` (RFC 8422 section 5.1.2).
    ECPointFormat(u8, "ECPointFormat") {
        UNCOMPRESSED = 0 => "uncompressed",
        ANSIX962_COMPRESSED_PRIME = 1 => "ansiX962_compressed_prime",
        ANSIX962_COMPRESSED_CHAR2 = 2 => "ansiX962_compressed_char2",
    }
}

wire_enum! {
    /// `ECCurveType` of ServerECDHParams (RFC 8422 section 5.4).
    ECCurveType(u8, "ECCurveType") {
        EXPLICIT_PRIME = 1 => "explicit_prime",
        EXPLICIT_CHAR2 = 2 => "explicit_char2",
        NAMED_CURVE = 3 => "named_curve",
    }
}

wire_enum! {
    /// `CompressionMethod` (RFC 5246 section 7.4.1.2, RFC 3749).
    CompressionMethod(u8, "CompressionMethod") {
        NULL = 0 => "null",
        DEFLATE = 1 => "DEFLATE",
    }
}

wire_enum! {
    /// `ClientCertificateType` of CertificateRequest (RFC 5246 section 7.4.4, RFC 8422).
    ClientCertificateType(u8, "ClientCertificateType") {
        RSA_SIGN = 1 => "RSA Sign",
        DSS_SIGN = 2 => "DSS Sign",
        RSA_FIXED_DH = 3 => "RSA Fixed DH",
        DSS_FIXED_DH = 4 => "DSS Fixed DH",
        RSA_EPHEMERAL_DH = 5 => "RSA Ephemeral DH",
        DSS_EPHEMERAL_DH = 6 => "DSS Ephemeral DH",
        FORTEZZA_DMS = 20 => "Fortezza DMS",
        ECDSA_SIGN = 64 => "ECDSA Sign",
        RSA_FIXED_ECDH = 65 => "RSA Fixed ECDH",
        ECDSA_FIXED_ECDH = 66 => "ECDSA Fixed ECDH",
    }
}

wire_enum! {
    /// `MaxFragmentLength` (RFC 6066 section 4).
    MaxFragmentLength(u8, "MaxFragmentLength") {
        L512 = 1 => "512",
        L1024 = 2 => "1024",
        L2048 = 3 => "2048",
        L4096 = 4 => "4096",
    }
}

wire_enum! {
    /// `NameType` of a server_name entry (RFC 6066 section 3).
    ServerNameType(u8, "ServerNameType") {
        HOST_NAME = 0 => "host_name",
    }
}

wire_enum! {
    /// `CertificateStatusType` of status_request (RFC 6066 section 8).
    CertificateStatusType(u8, "CertificateStatusType") {
        OCSP = 1 => "OCSP",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn names_and_unknowns() {
        assert_eq!(
            format!(
                "{}",
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.wire_name()
            ),
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)"
        );
        assert_eq!(
            format!("{}", NamedGroup::X25519.wire_name()),
            "x25519 (0x001d)"
        );
        assert_eq!(
            format!("{}", ProtocolVersion::TLS12.wire_name()),
            "TLS 1.2 (0x0303)"
        );
        assert_eq!(
            format!("{}", ECCurveType::NAMED_CURVE.wire_name()),
            "named_curve (3)"
        );
        assert_eq!(
            format!("{}", SignatureScheme(0x0601).wire_name()),
            "rsa_pkcs1_sha512 (0x0601)"
        );
        assert_eq!(
            format!("{}", NamedGroup(0x1234).wire_name()),
            "Unknown (0x1234)"
        );
        assert_eq!(format!("{:?}", NamedGroup(0x1234)), "NamedGroup(0x1234)");
        assert_eq!(
            format!("{:?}", AlertDescription::DECODE_ERROR),
            "DECODE_ERROR"
        );
    }

    #[test]
    fn codec_keeps_unknown_values() {
        let g = NamedGroup::decode(&[0xab, 0xcd]).unwrap();
        assert_eq!(g, NamedGroup(0xabcd));
        assert!(!g.is_known());
        assert_eq!(g.to_bytes().unwrap(), [0xab, 0xcd]);
        assert!(CipherSuite(0x2a2a).is_grease());
        assert!(!CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.is_grease());
    }

    #[test]
    fn known_values_are_distinct() {
        for list in [
            CipherSuite::KNOWN.iter().map(|c| c.0).collect::<Vec<_>>(),
            ExtensionType::KNOWN.iter().map(|c| c.0).collect(),
            SignatureScheme::KNOWN.iter().map(|c| c.0).collect(),
        ] {
            let mut s = list.clone();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), list.len());
        }
    }
}
