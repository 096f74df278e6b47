//! Checks on ephemeral ECDH inputs and outputs that every provider applies alike, so that
//! they all reject exactly the same peer keys with the same alert.

use crate::codec::enums::{AlertDescription, NamedGroup};
use crate::crypto::SharedSecret;
use crate::error::Error;

/// Checks the wire form of a peer's public key for `group` before any arithmetic: the
/// length, and for the NIST curves the uncompressed-point prefix (RFC 8422 section 5.4.1:
/// only the uncompressed format is allowed once no point formats other than uncompressed
/// are negotiated, which is all we ever negotiate).
pub(crate) fn check_peer_public(group: NamedGroup, peer_public: &[u8]) -> Result<(), Error> {
    let expected_len = match group {
        NamedGroup::X25519 => 32,
        NamedGroup::SECP256R1 => 65,
        NamedGroup::SECP384R1 => 97,
        _ => return Err(Error::internal("key exchange in an unsupported group")),
    };
    if group != NamedGroup::X25519 && peer_public.first() != Some(&0x04) {
        return Err(Error::peer(
            "peer ECDH public key is not an uncompressed point",
            AlertDescription::ILLEGAL_PARAMETER,
        ));
    }
    if peer_public.len() != expected_len {
        return Err(Error::peer(
            "peer ECDH public key has the wrong length",
            AlertDescription::ILLEGAL_PARAMETER,
        ));
    }
    Ok(())
}

/// The error for a public key that decodes to no valid point (off the curve, coordinates out
/// of range, or a low-order X25519 point).
pub(crate) fn invalid_point(group: NamedGroup) -> Error {
    if group == NamedGroup::X25519 {
        Error::peer(
            "peer X25519 public key gives an all-zero shared secret",
            AlertDescription::ILLEGAL_PARAMETER,
        )
    } else {
        Error::peer(
            "peer ECDH public key is not a valid point",
            AlertDescription::ILLEGAL_PARAMETER,
        )
    }
}

/// Rejects an all-zero shared secret (RFC 7748 section 6.1, RFC 8422 section 5.11), in
/// constant time over the secret's bytes.
pub(crate) fn check_shared_secret(
    group: NamedGroup,
    secret: SharedSecret,
) -> Result<SharedSecret, Error> {
    use subtle::ConstantTimeEq;
    let zero = secret
        .as_ref()
        .iter()
        .fold(subtle::Choice::from(1), |acc, b| acc & b.ct_eq(&0));
    if bool::from(zero) {
        return Err(invalid_point(group));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_rejects_compressed_and_short() {
        let e = check_peer_public(NamedGroup::SECP256R1, &[0x02; 33]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        let e = check_peer_public(NamedGroup::X25519, &[1; 31]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        let e = check_peer_public(NamedGroup::SECP384R1, &[]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
    }

    #[test]
    fn an_all_zero_shared_secret_is_illegal_parameter() {
        for g in [NamedGroup::X25519, NamedGroup::SECP256R1] {
            let e = check_shared_secret(g, SharedSecret::new(alloc::vec![0; 32])).unwrap_err();
            assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        }
        let ok = check_shared_secret(NamedGroup::X25519, SharedSecret::new(alloc::vec![1; 32]));
        assert_eq!(ok.map(|s| s.as_ref().to_vec()), Ok(alloc::vec![1; 32]));
    }
}
