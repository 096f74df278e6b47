//! Building configurations: PEM files, cipher suite / group / ALPN names, key logs, and a
//! human-readable handshake summary.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tls12::crypto::keylog::KeyLogFile;
use tls12::crypto::ring::RingProvider;
use tls12::crypto::{CryptoProvider, KeyLog};
use tls12::enums::{CipherSuite, NamedGroup};
use tls12::pki_types::CertificateDer;
use tls12::pki_types::pem::PemObject;
use tls12::psk::Psk;
use tls12::suites::ALL_SUITES;
use tls12::verify::RootStore;
use tls12::{CertifiedKey, CommonConfig, HandshakeSummary};

use super::{Failure, der};

/// The crypto provider both examples use: ring, or the RustCrypto provider when the
/// environment says `TLS12_PROVIDER=rustcrypto` and the `rustcrypto` feature is on (the
/// interop tests run the examples' code under both).
pub fn provider() -> Arc<dyn CryptoProvider> {
    #[cfg(feature = "rustcrypto")]
    if std::env::var("TLS12_PROVIDER").as_deref() == Ok("rustcrypto") {
        return Arc::new(tls12::crypto::rustcrypto::RustCryptoProvider::from_os_rng());
    }
    Arc::new(RingProvider)
}

/// Every certificate in a PEM file (a chain file: end entity first).
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Failure::other(format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(Failure::other(format!(
            "{}: no CERTIFICATE in the file",
            path.display()
        )));
    }
    Ok(certs)
}

/// A certificate chain and the private key for its first certificate.
pub fn load_certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, Failure> {
    let chain = load_certs(cert)?;
    let pem = std::fs::read(key).map_err(|e| Failure::other(format!("{}: {e}", key.display())))?;
    let key_obj = tls12::pki_types::PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|_| tls12::Error::Config("no private key found in PEM input"))
        .and_then(|der| provider().load_private_key(der))
        .map_err(|e| Failure::other(format!("{}: {e}", key.display())))?;
    CertifiedKey::new(chain, key_obj).map_err(Failure::Tls)
}

/// Trust anchors from every certificate in the PEM files.
pub fn load_roots(paths: &[PathBuf]) -> Result<RootStore, Failure> {
    let mut roots = RootStore::new();
    for path in paths {
        for cert in load_certs(path)? {
            roots.add(&cert).map_err(|e| {
                Failure::other(format!("{}: not a usable root: {e}", path.display()))
            })?;
        }
    }
    Ok(roots)
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split([',', ':']).map(str::trim).filter(|x| !x.is_empty())
}

/// Cipher suites by IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,...`).
pub fn parse_suites(s: &str) -> Result<Vec<CipherSuite>, Failure> {
    let implemented = || {
        ALL_SUITES
            .iter()
            .filter_map(|s| s.suite.const_name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for name in list(s) {
        let suite = CipherSuite::KNOWN
            .iter()
            .copied()
            .find(|c| c.const_name().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .filter(|c| ALL_SUITES.iter().any(|s| s.suite == *c))
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "unknown or unimplemented cipher suite {name:?}; implemented: {}",
                    implemented()
                ))
            })?;
        out.push(suite);
    }
    if out.is_empty() {
        return Err(Failure::Usage("--cipher: empty list".into()));
    }
    Ok(out)
}

/// A pre-shared key as `IDENTITY:HEX` (the identity is the text before the last colon).
pub fn parse_psk(s: &str) -> Result<Psk, Failure> {
    let usage = || Failure::Usage("--psk IDENTITY:HEX (a non-empty identity and key)".into());
    let (identity, key) = s.rsplit_once(':').ok_or_else(usage)?;
    let key = hex::decode(key).map_err(|_| usage())?;
    Psk::new(identity.as_bytes().to_vec(), key).map_err(|_| usage())
}

/// Key-exchange groups by name: `x25519`, `secp256r1` (or `P-256`), `secp384r1` (or `P-384`).
pub fn parse_groups(s: &str) -> Result<Vec<NamedGroup>, Failure> {
    let mut out = Vec::new();
    for name in list(s) {
        let alias = match name.to_ascii_lowercase().as_str() {
            "p-256" | "p256" | "prime256v1" => "secp256r1",
            "p-384" | "p384" => "secp384r1",
            _ => name,
        };
        let group = NamedGroup::KNOWN
            .iter()
            .copied()
            .find(|g| g.name().is_some_and(|n| n.eq_ignore_ascii_case(alias)))
            .filter(|g| provider().kx_group(*g).is_some())
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "unknown or unimplemented group {name:?}; implemented: x25519, secp256r1, secp384r1"
                ))
            })?;
        out.push(group);
    }
    if out.is_empty() {
        return Err(Failure::Usage("--groups: empty list".into()));
    }
    Ok(out)
}

/// ALPN protocol names, comma-separated (`h2,http/1.1`).
pub fn parse_alpn(s: &str) -> Result<Vec<Vec<u8>>, Failure> {
    let out: Vec<Vec<u8>> = s
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| x.as_bytes().to_vec())
        .collect();
    if out.is_empty() || out.iter().any(|p| p.len() > 255) {
        return Err(Failure::Usage(
            "--alpn: a comma-separated list of names of 1 to 255 bytes".into(),
        ));
    }
    Ok(out)
}

/// The key log: the named file, or the file named by `SSLKEYLOGFILE`, or none.
pub fn key_log(path: Option<&Path>) -> Result<Option<Arc<dyn KeyLog>>, Failure> {
    match path {
        Some(p) => {
            let file = KeyLogFile::create(p)
                .map_err(|e| Failure::other(format!("{}: {e}", p.display())))?;
            Ok(Some(Arc::new(file)))
        }
        None => Ok(KeyLogFile::from_env().map(|f| Arc::new(f) as Arc<dyn KeyLog>)),
    }
}

/// The settings both sides take from the command line.
#[derive(Debug, Clone, Default)]
pub struct CommonOptions {
    /// `--cipher`
    pub suites: Option<Vec<CipherSuite>>,
    /// `--groups`
    pub groups: Option<Vec<NamedGroup>>,
    /// `--alpn`
    pub alpn: Vec<Vec<u8>>,
    /// `--keylog`
    pub keylog: Option<std::path::PathBuf>,
    /// `--require-ems`
    pub require_ems: bool,
    /// `--record-size-limit`
    pub record_size_limit: Option<u16>,
    /// `--psk`
    pub psk: Option<Psk>,
}

impl CommonOptions {
    /// Handles a flag both sides know (`flag` as written, `--cipher`), taking its value
    /// from `parser`. `Ok(false)` if `flag` is not one of them.
    pub fn flag(&mut self, flag: &str, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        match flag {
            "--cipher" => self.suites = Some(parse_suites(&value(parser)?)?),
            "--groups" | "--curves" => self.groups = Some(parse_groups(&value(parser)?)?),
            "--alpn" => self.alpn = parse_alpn(&value(parser)?)?,
            "--keylog" => self.keylog = Some(value(parser)?.into()),
            "--require-ems" => self.require_ems = true,
            "--record-size-limit" => {
                let v = value(parser)?;
                self.record_size_limit = Some(
                    v.parse()
                        .ok()
                        .filter(|n| (64..=16385).contains(n))
                        .ok_or_else(|| {
                            Failure::Usage(format!("--record-size-limit {v:?}: 64..=16385"))
                        })?,
                );
            }
            "--psk" => self.psk = Some(parse_psk(&value(parser)?)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Applies the options to a configuration.
    pub fn apply(&self, common: &mut CommonConfig) -> Result<(), Failure> {
        if let Some(suites) = &self.suites {
            common.set_suites(suites)?;
        }
        if let Some(groups) = &self.groups {
            common.groups = groups.clone();
        }
        common.alpn_protocols = self.alpn.clone();
        common.require_ems = self.require_ems;
        common.key_log = key_log(self.keylog.as_deref())?;
        common.record_size_limit = self.record_size_limit;
        Ok(())
    }
}

/// The value of the flag just read (`--flag value` or `--flag=value`), as UTF-8.
pub fn value(parser: &mut lexopt::Parser) -> Result<String, Failure> {
    use lexopt::ValueExt;
    Ok(parser.value()?.string()?)
}

/// The flag as written (`--cipher`, `-k`), or the positional argument.
pub enum Flag {
    /// `--name` or `-c`.
    Flag(String),
    /// Anything else.
    Positional(String),
}

/// The next command-line item; `None` at the end. A switch given a value
/// (`--insecure=yes`) is an error here, at the item after it.
pub fn next_flag(parser: &mut lexopt::Parser) -> Result<Option<Flag>, Failure> {
    use lexopt::ValueExt;
    Ok(match parser.next()? {
        None => None,
        Some(lexopt::Arg::Long(name)) => Some(Flag::Flag(format!("--{name}"))),
        Some(lexopt::Arg::Short(c)) => Some(Flag::Flag(format!("-{c}"))),
        Some(lexopt::Arg::Value(v)) => Some(Flag::Positional(v.string()?)),
    })
}

/// Usage text for the flags of [`CommonOptions`].
pub const COMMON_USAGE: &str =
    "  --cipher NAME[,NAME..]   cipher suites by IANA name, in preference order
                           (default: the six ECDHE suites; the RSA key exchange
                           ones are TLS_RSA_WITH_AES_{128_GCM_SHA256,256_GCM_SHA384};
                           also TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 and, with --psk,
                           TLS_PSK_WITH_* and TLS_ECDHE_PSK_WITH_*)
  --groups NAME[,NAME..]   key-exchange groups: x25519, secp256r1, secp384r1
  --alpn PROTO[,PROTO..]   ALPN protocols, e.g. h2,http/1.1
  --keylog FILE            append NSS key log lines to FILE (default: $SSLKEYLOGFILE)
  --require-ems            refuse peers without the extended master secret (RFC 7627)
  --record-size-limit N    announce record_size_limit N (RFC 8449, 64..=16385): the
                           peer's protected records carry at most N bytes
  --psk IDENTITY:HEX       a pre-shared key (RFC 4279): enables the PSK suites ahead of
                           the others (with --cipher, only those named); a server then
                           needs no certificate";

/// Makes peer-controlled text safe to print on a terminal or in HTML.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The handshake summary, one `name: value` line each. `peer` names the other side.
pub fn describe(s: &HandshakeSummary, peer: &str) -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let alpn = s
        .alpn
        .as_ref()
        .map(|p| printable(&String::from_utf8_lossy(p)))
        .unwrap_or_else(|| "none".into());
    let group = s.group.map(|g| g.to_string()).unwrap_or_else(|| {
        match s.psk_identity {
            Some(_) => "none (PSK key exchange)",
            None => "none (RSA key exchange)",
        }
        .into()
    });
    let scheme = s
        .signature_scheme
        .map(|g| g.to_string())
        .unwrap_or_else(|| "none".into());
    let cert = match s.peer_certificates.first() {
        Some(c) => format!(
            "{} (chain of {})",
            der::subject(c.as_ref()).unwrap_or_else(|| "unparsable subject".into()),
            s.peer_certificates.len()
        ),
        None => "none".into(),
    };
    let sni = s
        .server_name
        .as_deref()
        .map(printable)
        .unwrap_or_else(|| "none".into());
    let psk = match &s.psk_identity {
        Some(id) => format!(
            "PSK identity:           {}\n",
            printable(&String::from_utf8_lossy(id))
        ),
        None => String::new(),
    };
    format!(
        "protocol:               {}\n\
         cipher suite:           {:?}\n\
         group:                  {group}\n\
         signature scheme:       {scheme}\n\
         ALPN:                   {alpn}\n\
         extended master secret: {}\n\
         resumed:                {}\n\
         server name (SNI):      {sni}\n\
         {peer} certificate:     {cert}\n{psk}",
        s.version,
        s.suite,
        yes_no(s.extended_master_secret),
        yes_no(s.resumed),
    )
}
