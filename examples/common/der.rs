//! A certificate's subject as `O=..., CN=...` (in certificate order), through the crate's
//! own DER walk (`tls12::internal::msgs::trace::der`, the one the record trace uses). Total:
//! any input gives a name or `None`, never a panic.

use tls12::internal::msgs::trace::der;

/// The short names of the usual attribute types (OID 2.5.4.x).
fn attribute_name(oid: &[u8]) -> Option<&'static str> {
    Some(match oid {
        [0x55, 0x04, 0x03] => "CN",
        [0x55, 0x04, 0x06] => "C",
        [0x55, 0x04, 0x07] => "L",
        [0x55, 0x04, 0x08] => "ST",
        [0x55, 0x04, 0x0a] => "O",
        [0x55, 0x04, 0x0b] => "OU",
        _ => return None,
    })
}

fn string_value(tag: u8, bytes: &[u8]) -> String {
    let s = match tag {
        // BMPString: UTF-16BE.
        0x1e => {
            let units = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
        // UTF8String, PrintableString, IA5String, TeletexString (read as UTF-8 at best).
        _ => String::from_utf8_lossy(bytes).into_owned(),
    };
    super::setup::printable(&s)
}

/// The subject of a DER certificate as `CN=..., O=...` (known attribute types only, in
/// certificate order), or `None` if it does not parse.
pub fn subject(cert: &[u8]) -> Option<String> {
    let mut parts = Vec::new();
    for attribute in der::cert_names(cert)?.subject.attributes() {
        let a = attribute.ok()?;
        if let Some(short) = attribute_name(a.oid) {
            parts.push(format!("{short}={}", string_value(a.tag, a.value)));
        }
    }
    Some(parts.join(", "))
}
