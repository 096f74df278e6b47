//! Certificate verification: webpki by default, a trait for anything else.
//!
//! The current time is never read here: it comes from the configuration's
//! [`TimeSource`](crate::config::TimeSource) and is passed in.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};

use crate::codec::enums::{AlertDescription, SignatureScheme};
use crate::crypto::SignatureVerification;
use crate::error::{CertificateError, Error};

/// Verifies a server's certificate chain and its handshake signatures (client side).
pub trait ServerCertVerifier: Send + Sync + fmt::Debug {
    /// Verifies that `end_entity` (with `intermediates`) chains to a trusted root, is valid
    /// at `now`, and is valid for `server_name`.
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), Error>;

    /// Verifies a handshake signature (ServerKeyExchange) made with the key of `cert`.
    fn verify_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error>;

    /// The signature schemes we offer in signature_algorithms, in preference order.
    fn supported_schemes(&self) -> Vec<SignatureScheme>;
}

/// Verifies a client's certificate chain and its CertificateVerify signature (server side).
pub trait ClientCertVerifier: Send + Sync + fmt::Debug {
    /// Whether a client that sends no certificate is refused (handshake_failure).
    fn client_auth_mandatory(&self) -> bool;

    /// The distinguished names of the acceptable roots, sent in CertificateRequest.
    fn root_hint_subjects(&self) -> Vec<Vec<u8>>;

    /// Verifies the client's chain at `now`.
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), Error>;

    /// Verifies the CertificateVerify signature made with the key of `cert`.
    fn verify_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error>;

    /// The signature schemes we accept, in preference order.
    fn supported_schemes(&self) -> Vec<SignatureScheme>;
}

/// Verifies a handshake signature (ServerKeyExchange, CertificateVerify) made with the key
/// of the end-entity certificate `cert`, with webpki and the provider's algorithms `sv`.
///
/// Tries each algorithm `sv` maps `scheme` to. Errors:
/// - `scheme` is not in `sv`'s mapping: [`Error::PeerMisbehaved`] with illegal_parameter
///   (the peer used a scheme we did not offer);
/// - the certificate does not parse: [`Error::Certificate`] (bad_certificate);
/// - the signature does not verify, or the key does not fit the scheme:
///   [`Error::Crypto`] with decrypt_error.
///
/// It does not check that `scheme` fits the negotiated suite's key type; the handshake
/// does that.
pub fn verify_handshake_signature(
    sv: &SignatureVerification,
    message: &[u8],
    cert: &CertificateDer<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
) -> Result<(), Error> {
    let algs = sv.algorithms_for(scheme).ok_or(Error::peer(
        "peer signed with a signature scheme we did not offer",
        AlertDescription::ILLEGAL_PARAMETER,
    ))?;
    let ee = webpki::EndEntityCert::try_from(cert).map_err(|_| {
        Error::Certificate(CertificateError::other(
            "end-entity certificate does not parse",
        ))
    })?;
    let mut key_fits = false;
    for alg in algs {
        match ee.verify_signature(*alg, message, signature) {
            Ok(()) => return Ok(()),
            Err(webpki::Error::InvalidSignatureForPublicKey) => key_fits = true,
            Err(_) => {}
        }
    }
    Err(Error::Crypto {
        what: if key_fits {
            "handshake signature does not verify"
        } else {
            "handshake signature scheme does not fit the certificate's key"
        },
        alert: AlertDescription::DECRYPT_ERROR,
    })
}

/// Builds a path from `end_entity` to one of `roots`, valid at `now` for `usage`.
fn verify_chain<'c>(
    sv: &SignatureVerification,
    roots: &RootStore,
    end_entity: &'c CertificateDer<'c>,
    intermediates: &[CertificateDer<'_>],
    now: UnixTime,
    usage: webpki::KeyUsage,
) -> Result<webpki::EndEntityCert<'c>, Error> {
    let ee = webpki::EndEntityCert::try_from(end_entity).map_err(map_webpki_error)?;
    ee.verify_for_usage(
        sv.all,
        roots.anchors(),
        intermediates,
        now,
        usage,
        None,
        None,
    )
    .map_err(map_webpki_error)?;
    Ok(ee)
}

/// Maps a webpki error to ours.
pub fn map_webpki_error(e: webpki::Error) -> Error {
    use webpki::Error as W;
    Error::Certificate(match e {
        W::UnknownIssuer => CertificateError::UnknownIssuer,
        W::CertExpired { .. } | W::InvalidCertValidity => CertificateError::Expired,
        W::CertNotValidYet { .. } => CertificateError::NotValidYet,
        W::CertNotValidForName(_) => CertificateError::NotValidForName,
        W::InvalidSignatureForPublicKey => CertificateError::BadSignature,
        W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => CertificateError::Unsupported,
        W::BadDer | W::BadDerTime => CertificateError::other("malformed certificate"),
        W::RequiredEkuNotFoundContext(_) => {
            CertificateError::other("certificate not valid for this purpose (EKU)")
        }
        W::CaUsedAsEndEntity => CertificateError::other("CA certificate used as end entity"),
        _ => CertificateError::other("certificate rejected by webpki"),
    })
}

/// The roots a verifier trusts: trust anchors parsed from root certificates, or given as
/// they are. With the `webpki-roots` crate (Mozilla's roots):
///
/// ```ignore
/// let mut roots = tls12::verify::RootStore::new();
/// roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
/// ```
#[derive(Debug, Clone, Default)]
pub struct RootStore {
    anchors: Vec<TrustAnchor<'static>>,
    subjects: Vec<Vec<u8>>,
}

impl RootStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a root certificate.
    pub fn add(&mut self, cert: &CertificateDer<'_>) -> Result<(), Error> {
        let ta = webpki::anchor_from_trusted_cert(cert)
            .map_err(map_webpki_error)?
            .to_owned();
        self.add_trust_anchor(ta)
    }

    /// Adds a trust anchor as it is (for example one of `webpki_roots::TLS_SERVER_ROOTS`).
    /// Fails only for a subject name over 64 KiB, which no real root has.
    pub fn add_trust_anchor(&mut self, ta: TrustAnchor<'static>) -> Result<(), Error> {
        // The subject is stored without its outer SEQUENCE tag; CertificateRequest carries
        // the whole DER Name, so wrap it again.
        self.subjects.push(
            der_sequence(ta.subject.as_ref())
                .ok_or(Error::Config("root certificate subject over 64 KiB"))?,
        );
        self.anchors.push(ta);
        Ok(())
    }

    /// Adds every certificate of a bundle that parses as a root (a platform store or a PEM
    /// bundle may hold some that do not) and returns how many were added and how many
    /// skipped.
    ///
    /// ```
    /// # use tls12::verify::RootStore;
    /// # use tls12::pki_types::CertificateDer;
    /// let mut store = RootStore::new();
    /// let junk = CertificateDer::from(vec![0x30, 0x00]);
    /// assert_eq!(store.add_parsable_certificates([junk]), (0, 1));
    /// ```
    pub fn add_parsable_certificates<'a>(
        &mut self,
        certs: impl IntoIterator<Item = CertificateDer<'a>>,
    ) -> (usize, usize) {
        let (mut added, mut skipped) = (0, 0);
        for c in certs {
            match self.add(&c) {
                Ok(()) => added += 1,
                Err(_) => skipped += 1,
            }
        }
        (added, skipped)
    }

    /// A store holding `certs`.
    pub fn from_certs<'a>(
        certs: impl IntoIterator<Item = &'a CertificateDer<'a>>,
    ) -> Result<Self, Error> {
        let mut s = Self::new();
        for c in certs {
            s.add(c)?;
        }
        Ok(s)
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &[TrustAnchor<'static>] {
        &self.anchors
    }

    /// How many roots the store holds.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the store has no roots.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// Adds trust anchors as they are; one whose subject is over 64 KiB (none is) is skipped.
impl Extend<TrustAnchor<'static>> for RootStore {
    fn extend<I: IntoIterator<Item = TrustAnchor<'static>>>(&mut self, iter: I) {
        for ta in iter {
            let _ = self.add_trust_anchor(ta);
        }
    }
}

/// A DER SEQUENCE around `body`, `None` if its length needs more than two bytes.
fn der_sequence(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() + 4);
    out.push(0x30);
    let n = u16::try_from(body.len()).ok()?;
    let [hi, lo] = n.to_be_bytes();
    match n {
        0..0x80 => out.push(lo),
        0x80..=0xff => out.extend_from_slice(&[0x81, lo]),
        _ => out.extend_from_slice(&[0x82, hi, lo]),
    }
    out.extend_from_slice(body);
    Some(out)
}

/// The default server verifier: webpki path building to [`RootStore`] roots, validity at
/// the given time, name match for DNS names and IP addresses, serverAuth EKU.
#[derive(Debug, Clone)]
pub struct WebPkiServerVerifier {
    roots: Arc<RootStore>,
    sv: SignatureVerification,
}

impl WebPkiServerVerifier {
    /// A verifier trusting `roots`, verifying with the provider's algorithms `sv`.
    pub fn new(roots: Arc<RootStore>, sv: SignatureVerification) -> Self {
        Self { roots, sv }
    }
}

impl ServerCertVerifier for WebPkiServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), Error> {
        let ee = verify_chain(
            &self.sv,
            &self.roots,
            end_entity,
            intermediates,
            now,
            webpki::KeyUsage::server_auth(),
        )?;
        ee.verify_is_valid_for_subject_name(server_name)
            .map_err(map_webpki_error)
    }

    fn verify_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        verify_handshake_signature(&self.sv, message, cert, scheme, signature)
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        self.sv.supported_schemes().collect()
    }
}

/// The default client verifier: webpki path building to the client roots, clientAuth EKU.
#[derive(Debug, Clone)]
pub struct WebPkiClientVerifier {
    roots: Arc<RootStore>,
    sv: SignatureVerification,
    mandatory: bool,
}

impl WebPkiClientVerifier {
    /// A verifier for client certificates chaining to `roots`. With `mandatory`, a client
    /// without a certificate is refused; otherwise the certificate is only requested.
    pub fn new(roots: Arc<RootStore>, sv: SignatureVerification, mandatory: bool) -> Self {
        Self {
            roots,
            sv,
            mandatory,
        }
    }
}

impl ClientCertVerifier for WebPkiClientVerifier {
    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        self.roots.subjects.clone()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), Error> {
        verify_chain(
            &self.sv,
            &self.roots,
            end_entity,
            intermediates,
            now,
            webpki::KeyUsage::client_auth(),
        )
        .map(|_| ())
    }

    fn verify_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<(), Error> {
        verify_handshake_signature(&self.sv, message, cert, scheme, signature)
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        self.sv.supported_schemes().collect()
    }
}

pub mod danger {
    //! Verifiers that do not verify. For tests and debugging only.

    use super::*;

    /// Accepts any server certificate chain without checking it. Handshake signatures are
    /// still verified against the presented certificate's key, so the peer must at least
    /// hold the key of the certificate it sends. Never use this against a real network.
    #[derive(Debug, Clone)]
    pub struct NoServerVerification {
        sv: SignatureVerification,
    }

    impl NoServerVerification {
        /// A verifier that accepts any chain.
        pub fn new(sv: SignatureVerification) -> Self {
            Self { sv }
        }
    }

    impl ServerCertVerifier for NoServerVerification {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: UnixTime,
        ) -> Result<(), Error> {
            Ok(())
        }

        fn verify_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            scheme: SignatureScheme,
            signature: &[u8],
        ) -> Result<(), Error> {
            verify_handshake_signature(&self.sv, message, cert, scheme, signature)
        }

        fn supported_schemes(&self) -> Vec<SignatureScheme> {
            self.sv.supported_schemes().collect()
        }
    }
}
