//! Smaller records: max_fragment_length (RFC 6066 section 4) and record_size_limit
//! (RFC 8449), as the hello exchange negotiates them and the record layer applies them.
//!
//! - **max_fragment_length**: the client asks for 512, 1024, 2048 or 4096 bytes; a server
//!   that accepts echoes the same value, and from then on every record either side sends,
//!   handshake records included, carries at most that much plaintext. A server answering
//!   with another value is illegal_parameter.
//! - **record_size_limit**: each side announces the largest plaintext it accepts in a
//!   protected record (at least 64; for TLS 1.2 at most 2^14, so a configured 16385, TLS
//!   1.3's maximum, is sent as 2^14; in TLS 1.2 the content type is not counted). The
//!   extension is negotiated only if both hellos carry it; each side then keeps its
//!   protected records within the *peer's* limit (this crate keeps every record after
//!   the hello exchange within it, which RFC 8449 allows: it only forbids larger
//!   protected records), and a protected record over our own limit is record_overflow.
//!   Unprotected records are not subject to it.
//! - **Both offered**: record_size_limit takes precedence; the server does not echo
//!   max_fragment_length, and a client that receives both is illegal_parameter (RFC 8449
//!   section 5).
//!
//! A record received over the negotiated size is record_overflow, whichever extension set
//! it. The receive buffer is sized to match once a limit is in force (see
//! `Deframer::set_capacity`), or from the start with
//! [`CommonConfig::limit_receive_buffer`](crate::CommonConfig::limit_receive_buffer).

use crate::codec::enums::{AlertDescription, MaxFragmentLength};
use crate::error::Error;
use crate::msgs::ServerExtension;

use super::MAX_PLAINTEXT;

/// The smallest record_size_limit (RFC 8449 section 4).
pub const MIN_RECORD_SIZE_LIMIT: u16 = 64;

/// The largest record_size_limit a configuration may hold: TLS 1.3's 2^14 + 1, which in
/// TLS 1.2 means 2^14.
pub const MAX_RECORD_SIZE_LIMIT: u16 = 16385;

/// The plaintext length a max_fragment_length code stands for (2^9 to 2^12), `None` for
/// an undefined code.
pub const fn max_fragment_length_bytes(m: MaxFragmentLength) -> Option<usize> {
    match m.0 {
        1..=4 => Some(256 << m.0),
        _ => None,
    }
}

/// The record_size_limit we send for a configured `limit`: at most 2^14, the most TLS 1.2
/// allows an endpoint to announce (RFC 8449 section 4).
pub fn advertised_record_size_limit(limit: u16) -> u16 {
    limit.min(MAX_PLAINTEXT as u16)
}

/// A received record_size_limit as a plaintext bound for TLS 1.2: values over 2^14 (a
/// client that also speaks TLS 1.3 may send 2^14 + 1) mean 2^14. A server "MUST NOT
/// enforce" the protocol maximum on them; a client MAY, and does not either.
fn received_record_size_limit(limit: u16) -> usize {
    usize::from(limit).min(MAX_PLAINTEXT)
}

/// What the hello exchange agreed about record sizes. The default, nothing, leaves every
/// record at up to 2^14 bytes of plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordLimits {
    /// The negotiated max_fragment_length, in bytes: both directions, every record from
    /// the hello exchange on.
    pub max_fragment_length: Option<usize>,
    /// The negotiated record_size_limit: both sides' limits.
    pub record_size_limit: Option<RecordSizeLimits>,
}

/// Both sides' record_size_limit, once negotiated, as plaintext bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSizeLimits {
    /// The peer's: the most plaintext we send in a record.
    pub peer: usize,
    /// Ours: the most plaintext the peer may send in a protected record.
    pub own: usize,
}

impl RecordLimits {
    /// Whether either extension was negotiated.
    pub fn is_negotiated(&self) -> bool {
        *self != Self::default()
    }

    /// The most plaintext we may put in a record from now on.
    pub fn send(&self) -> usize {
        match (self.record_size_limit, self.max_fragment_length) {
            (Some(rsl), _) => rsl.peer,
            (None, Some(mfl)) => mfl,
            (None, None) => MAX_PLAINTEXT,
        }
    }

    /// The most plaintext the peer may put in a record from now on: `protected` (after
    /// its ChangeCipherSpec) or not.
    pub fn receive(&self, protected: bool) -> usize {
        match (self.record_size_limit, self.max_fragment_length) {
            (Some(rsl), _) if protected => rsl.own,
            (_, Some(mfl)) => mfl,
            _ => MAX_PLAINTEXT,
        }
    }
}

/// The server's answer to a ClientHello's record size extensions (`offered_mfl`,
/// `offered_rsl`), given whether we accept max_fragment_length (`accept_mfl`) and our own
/// record_size_limit: the limits in force from our ServerHello on, and the extension to
/// put in it.
///
/// We always answer record_size_limit (with our limit, or 2^14 when we set none, as RFC
/// 8449 section 4 recommends), so that the client's limit is negotiated and kept; it then
/// takes precedence and max_fragment_length is not echoed (section 5).
pub(crate) fn server_negotiate(
    offered_mfl: Option<MaxFragmentLength>,
    offered_rsl: Option<u16>,
    accept_mfl: bool,
    own_rsl: Option<u16>,
) -> (RecordLimits, Option<ServerExtension>) {
    if let Some(theirs) = offered_rsl {
        let ours = advertised_record_size_limit(own_rsl.unwrap_or(MAX_RECORD_SIZE_LIMIT));
        let limits = RecordLimits {
            max_fragment_length: None,
            record_size_limit: Some(RecordSizeLimits {
                peer: received_record_size_limit(theirs),
                own: usize::from(ours),
            }),
        };
        return (limits, Some(ServerExtension::RecordSizeLimit(ours)));
    }
    // An undefined code does not decode (illegal_parameter, RFC 6066 section 4).
    match offered_mfl.and_then(|m| Some((m, max_fragment_length_bytes(m)?))) {
        Some((m, len)) if accept_mfl => (
            RecordLimits {
                max_fragment_length: Some(len),
                record_size_limit: None,
            },
            Some(ServerExtension::MaxFragmentLength(m)),
        ),
        _ => (RecordLimits::default(), None),
    }
}

/// The client's reading of the ServerHello's record size extensions (`echoed_mfl`,
/// `server_rsl`) against what we offered (`offered_mfl`, `own_rsl`). That the server
/// sends only extensions we offered is checked with the others (unsupported_extension).
pub(crate) fn client_negotiate(
    offered_mfl: Option<MaxFragmentLength>,
    own_rsl: Option<u16>,
    echoed_mfl: Option<MaxFragmentLength>,
    server_rsl: Option<u16>,
) -> Result<RecordLimits, Error> {
    if echoed_mfl.is_some() && server_rsl.is_some() {
        return Err(Error::peer(
            "server sent both max_fragment_length and record_size_limit",
            AlertDescription::ILLEGAL_PARAMETER,
        ));
    }
    let mut limits = RecordLimits::default();
    if let Some(echoed) = echoed_mfl {
        if Some(echoed) != offered_mfl {
            return Err(Error::peer(
                "server answered max_fragment_length with another length",
                AlertDescription::ILLEGAL_PARAMETER,
            ));
        }
        limits.max_fragment_length = max_fragment_length_bytes(echoed);
    }
    if let (Some(theirs), Some(ours)) = (server_rsl, own_rsl) {
        limits.record_size_limit = Some(RecordSizeLimits {
            peer: received_record_size_limit(theirs),
            own: usize::from(advertised_record_size_limit(ours)),
        });
    }
    Ok(limits)
}

/// The most plaintext we accept in any record from the start, with
/// `limit_receive_buffer`: the limit we ask for (the max_fragment_length we offer, our
/// record_size_limit), `None` if we ask for none. Offering both, the larger: a peer that
/// knows record_size_limit applies it and ignores max_fragment_length (RFC 8449 section
/// 5), one that does not applies max_fragment_length, and we cannot know which in advance.
pub(crate) fn receive_cap(
    offered_mfl: Option<MaxFragmentLength>,
    own_rsl: Option<u16>,
) -> Option<usize> {
    let mfl = offered_mfl.and_then(max_fragment_length_bytes);
    let rsl = own_rsl.map(|l| usize::from(advertised_record_size_limit(l)));
    match (mfl, rsl) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L512: MaxFragmentLength = MaxFragmentLength::L512;
    const L4096: MaxFragmentLength = MaxFragmentLength::L4096;

    #[test]
    fn max_fragment_length_codes() {
        let lens: alloc::vec::Vec<_> = (0..=5)
            .map(|c| max_fragment_length_bytes(MaxFragmentLength(c)))
            .collect();
        assert_eq!(
            lens,
            [None, Some(512), Some(1024), Some(2048), Some(4096), None]
        );
    }

    #[test]
    fn record_size_limit_is_at_most_2_14_in_tls12() {
        assert_eq!(advertised_record_size_limit(16385), 16384);
        assert_eq!(advertised_record_size_limit(64), 64);
        assert_eq!(received_record_size_limit(16385), 16384);
        assert_eq!(received_record_size_limit(u16::MAX), 16384);
    }

    #[test]
    fn server_echoes_max_fragment_length_when_it_accepts() {
        let (limits, ext) = server_negotiate(Some(L512), None, true, None);
        assert_eq!(ext, Some(ServerExtension::MaxFragmentLength(L512)));
        assert_eq!(limits.send(), 512);
        assert_eq!(limits.receive(false), 512);
        assert_eq!(limits.receive(true), 512);
        let (limits, ext) = server_negotiate(Some(L512), None, false, None);
        assert_eq!((limits, ext), (RecordLimits::default(), None));
        assert_eq!(limits.send(), MAX_PLAINTEXT);
    }

    #[test]
    fn record_size_limit_takes_precedence_over_max_fragment_length() {
        let (limits, ext) = server_negotiate(Some(L512), Some(1000), true, Some(2000));
        assert_eq!(ext, Some(ServerExtension::RecordSizeLimit(2000)));
        assert_eq!(limits.max_fragment_length, None);
        assert_eq!(limits.send(), 1000, "the peer's limit bounds what we send");
        assert_eq!(limits.receive(true), 2000, "ours bounds what it protects");
        assert_eq!(
            limits.receive(false),
            MAX_PLAINTEXT,
            "not its plaintext records"
        );
        // Without a limit of our own we still answer, with the protocol's maximum.
        let (limits, ext) = server_negotiate(None, Some(16385), true, None);
        assert_eq!(ext, Some(ServerExtension::RecordSizeLimit(16384)));
        assert_eq!(limits.send(), MAX_PLAINTEXT);
        assert!(limits.is_negotiated());
    }

    #[test]
    fn client_checks_the_answer() {
        assert_eq!(
            client_negotiate(Some(L512), None, Some(L512), None)
                .unwrap()
                .send(),
            512
        );
        let e = client_negotiate(Some(L512), None, Some(L4096), None).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        let e = client_negotiate(Some(L512), Some(100), Some(L512), Some(100)).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        // Not answered: nothing changes.
        let limits = client_negotiate(Some(L512), Some(100), None, None).unwrap();
        assert!(!limits.is_negotiated());
        let limits = client_negotiate(None, Some(100), None, Some(200)).unwrap();
        assert_eq!(limits.send(), 200);
        assert_eq!(limits.receive(true), 100);
        assert_eq!(limits.receive(false), MAX_PLAINTEXT);
    }

    #[test]
    fn receive_cap_is_the_limit_asked_for_and_the_larger_of_two() {
        assert_eq!(receive_cap(None, None), None);
        assert_eq!(receive_cap(Some(L512), None), Some(512));
        assert_eq!(receive_cap(Some(L4096), Some(1000)), Some(4096));
        assert_eq!(receive_cap(Some(L512), Some(16385)), Some(16384));
        assert_eq!(receive_cap(Some(L512), Some(512)), Some(512));
        assert_eq!(receive_cap(None, Some(16385)), Some(16384));
    }
}
