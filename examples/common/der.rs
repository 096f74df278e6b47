//! Just enough DER to print a certificate's subject (`CN=..., O=...`). Total: any input gives
//! a name or `None`, never a panic.

/// Splits one DER element off `input`: `(tag, contents, rest)`. Definite lengths only.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, r) = rest.split_at_checked(n)?;
        rest = r;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let (contents, rest) = rest.split_at_checked(len)?;
    Some((tag, contents, rest))
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;

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
    let Some((SEQUENCE, cert, _)) = tlv(cert) else {
        return None;
    };
    let Some((SEQUENCE, tbs, _)) = tlv(cert) else {
        return None;
    };
    let mut rest = tbs;
    // Optional [0] EXPLICIT version.
    if let Some((0xa0, _, r)) = tlv(rest) {
        rest = r;
    }
    // serialNumber, signature, issuer, validity.
    for _ in 0..4 {
        rest = tlv(rest)?.2;
    }
    let Some((SEQUENCE, mut name, _)) = tlv(rest) else {
        return None;
    };
    let mut parts = Vec::new();
    while !name.is_empty() {
        let Some((SET, mut rdn, r)) = tlv(name) else {
            return None;
        };
        name = r;
        while !rdn.is_empty() {
            let Some((SEQUENCE, atv, r)) = tlv(rdn) else {
                return None;
            };
            rdn = r;
            let Some((OID, oid, value)) = tlv(atv) else {
                return None;
            };
            let (tag, value, _) = tlv(value)?;
            if let Some(short) = attribute_name(oid) {
                parts.push(format!("{short}={}", string_value(tag, value)));
            }
        }
    }
    Some(parts.join(", "))
}
