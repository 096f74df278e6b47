//! The change_cipher_spec protocol's one message (RFC 5246 section 7.1).

use alloc::vec::Vec;

use crate::codec::{Codec, Reader};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// ChangeCipherSpec: exactly one byte, value 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ChangeCipherSpec;

impl Codec for ChangeCipherSpec {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(1);
        Ok(())
    }

    /// Any value but 1 is `IllegalValue`; an empty input is `Truncated`.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8("ChangeCipherSpec")? {
            1 => Ok(ChangeCipherSpec),
            _ => Err(DecodeError::new(
                "ChangeCipherSpec",
                DecodeErrorKind::IllegalValue,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_byte_of_one() {
        assert_eq!(ChangeCipherSpec::decode(&[1]), Ok(ChangeCipherSpec));
        assert_eq!(ChangeCipherSpec.to_bytes().unwrap(), [1]);
        let e = |b: &[u8], kind| {
            assert_eq!(
                ChangeCipherSpec::decode(b),
                Err(DecodeError::new("ChangeCipherSpec", kind))
            )
        };
        e(&[0], DecodeErrorKind::IllegalValue);
        e(&[2], DecodeErrorKind::IllegalValue);
        e(&[], DecodeErrorKind::Truncated);
        e(&[1, 1], DecodeErrorKind::TrailingData);
    }
}
