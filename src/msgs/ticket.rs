//! NewSessionTicket (RFC 5077 section 3.3).

use alloc::vec::Vec;

use crate::codec::{Codec, LenPrefix, Reader, put_opaque};
use crate::error::{DecodeError, EncodeError};

/// A NewSessionTicket: the ticket the client may offer in a later session_ticket extension.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct NewSessionTicket {
    /// `ticket_lifetime_hint` in seconds; 0 means unspecified.
    pub lifetime_hint: u32,
    /// `opaque ticket<0..2^16-1>`: empty when the server changed its mind about issuing one.
    pub ticket: Vec<u8>,
}

impl Codec for NewSessionTicket {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.lifetime_hint.to_be_bytes());
        put_opaque(out, LenPrefix::U16, &self.ticket)?;
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let lifetime_hint = r.u32("NewSessionTicket.ticket_lifetime_hint")?;
        let ticket = r
            .opaque(LenPrefix::U16, "NewSessionTicket.ticket")?
            .to_vec();
        Ok(NewSessionTicket {
            lifetime_hint,
            ticket,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DecodeErrorKind;
    use alloc::vec;

    #[test]
    fn known_bytes_and_errors() {
        let b = [0, 0, 0x1c, 0x20, 0, 3, 1, 2, 3];
        let t = NewSessionTicket::decode(&b).unwrap();
        assert_eq!(t.lifetime_hint, 7200);
        assert_eq!(t.ticket, vec![1, 2, 3]);
        assert_eq!(t.to_bytes().unwrap(), b);
        let empty = [0, 0, 0, 0, 0, 0];
        assert_eq!(
            NewSessionTicket::decode(&empty)
                .unwrap()
                .to_bytes()
                .unwrap(),
            empty
        );
        assert_eq!(
            NewSessionTicket::decode(&[0, 0, 0]),
            Err(DecodeError::new(
                "NewSessionTicket.ticket_lifetime_hint",
                DecodeErrorKind::Truncated
            ))
        );
        assert_eq!(
            NewSessionTicket::decode(&[0, 0, 0, 0, 0, 2, 1]),
            Err(DecodeError::new(
                "NewSessionTicket.ticket",
                DecodeErrorKind::Truncated
            ))
        );
        assert_eq!(
            NewSessionTicket::decode(&[0, 0, 0, 0, 0, 0, 1]),
            Err(DecodeError::new(
                "NewSessionTicket",
                DecodeErrorKind::TrailingData
            ))
        );
    }
}
