//! The alert protocol's one message (RFC 5246 section 7.2).

use alloc::vec::Vec;

use crate::codec::enums::{AlertDescription, AlertLevel};
use crate::codec::{Codec, Reader};
use crate::error::{DecodeError, EncodeError};

/// An alert: exactly two bytes, level then description. Unknown values are kept; what to do
/// with them is for the connection to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct AlertMessage {
    /// Warning or fatal.
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

impl AlertMessage {
    /// A fatal alert.
    pub const fn fatal(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::FATAL,
            description,
        }
    }

    /// A warning-level alert (close_notify is sent as a warning).
    pub const fn warning(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::WARNING,
            description,
        }
    }

    /// The two bytes on the wire (an alert always encodes).
    pub const fn to_array(self) -> [u8; 2] {
        [self.level.0, self.description.0]
    }
}

impl Codec for AlertMessage {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.to_array());
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let level = AlertLevel(r.u8("Alert.level")?);
        let description = AlertDescription(r.u8("Alert.description")?);
        Ok(AlertMessage { level, description })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DecodeErrorKind;

    #[test]
    fn known_bytes_and_errors() {
        let a = AlertMessage::decode(&[2, 40]).unwrap();
        assert_eq!(a, AlertMessage::fatal(AlertDescription::HANDSHAKE_FAILURE));
        assert_eq!(a.to_bytes().unwrap(), [2, 40]);
        assert_eq!(
            AlertMessage::warning(AlertDescription::CLOSE_NOTIFY)
                .to_bytes()
                .unwrap(),
            [1, 0]
        );
        let odd = AlertMessage::decode(&[7, 255]).unwrap();
        assert_eq!(odd.to_bytes().unwrap(), [7, 255]);
        assert_eq!(
            AlertMessage::decode(&[]),
            Err(DecodeError::new("Alert.level", DecodeErrorKind::Truncated))
        );
        assert_eq!(
            AlertMessage::decode(&[1]),
            Err(DecodeError::new(
                "Alert.description",
                DecodeErrorKind::Truncated
            ))
        );
        assert_eq!(
            AlertMessage::decode(&[1, 0, 0]),
            Err(DecodeError::new(
                "AlertMessage",
                DecodeErrorKind::TrailingData
            ))
        );
    }
}
