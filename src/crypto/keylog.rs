//! Key logging in the NSS key log format, for decrypting captures with Wireshark.
//!
//! A TLS 1.2 connection logs one line per master secret:
//!
//! ```text
//! CLIENT_RANDOM <client random, 64 hex digits> <master secret, 96 hex digits>
//! ```
//!
//! [`KeyLogLine`] formats a line without allocating (it is `Display`), [`NoKeyLog`] discards
//! everything, and with the `std` feature [`KeyLogFile`] appends to the file named by
//! `SSLKEYLOGFILE` and [`KeyLogBuffer`] collects lines in memory.

use core::fmt;

use crate::crypto::KeyLog;
use crate::msgs::trace::Hex;

/// The NSS label for a TLS 1.2 master secret.
pub const CLIENT_RANDOM: &str = "CLIENT_RANDOM";

/// One key log line, `label client_random_hex secret_hex\n`, formatted by `Display`.
///
/// ```
/// use tls12::crypto::keylog::{KeyLogLine, CLIENT_RANDOM};
///
/// let line = KeyLogLine::new(CLIENT_RANDOM, &[0x01, 0x02], &[0xab]);
/// assert_eq!(line.to_string(), "CLIENT_RANDOM 0102 ab\n");
/// ```
#[derive(Clone, Copy)]
pub struct KeyLogLine<'a> {
    label: &'a str,
    client_random: &'a [u8],
    secret: &'a [u8],
}

impl<'a> KeyLogLine<'a> {
    /// A line for `label` (for TLS 1.2, [`CLIENT_RANDOM`]).
    pub const fn new(label: &'a str, client_random: &'a [u8], secret: &'a [u8]) -> Self {
        Self {
            label,
            client_random,
            secret,
        }
    }
}

impl fmt::Display for KeyLogLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#}`: every byte, never the trace's shortened form.
        writeln!(
            f,
            "{} {:#} {:#}",
            self.label,
            Hex(self.client_random),
            Hex(self.secret)
        )
    }
}

impl fmt::Debug for KeyLogLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyLogLine")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// A key log that discards everything (the default).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoKeyLog;

impl KeyLog for NoKeyLog {
    fn log(&self, _label: &str, _client_random: &[u8], _secret: &[u8]) {}

    fn will_log(&self, _label: &str) -> bool {
        false
    }
}

#[cfg(feature = "std")]
pub use self::std_sinks::{KeyLogBuffer, KeyLogFile};

#[cfg(feature = "std")]
mod std_sinks {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use core::fmt;
    use std::fs::{File, OpenOptions};
    use std::io::{self, Write};
    use std::path::Path;
    use std::sync::Mutex;

    use super::KeyLogLine;
    use crate::crypto::KeyLog;
    use zeroize::Zeroize;

    /// Appends key log lines to a file (the `SSLKEYLOGFILE` convention). Write errors are
    /// ignored: key logging must never break a connection.
    ///
    /// Anyone who can read the file can decrypt the logged connections. Use it for
    /// debugging only.
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub struct KeyLogFile {
        file: Mutex<File>,
    }

    impl KeyLogFile {
        /// Opens (creating if needed, appending) the file named by the `SSLKEYLOGFILE`
        /// environment variable. `None` if the variable is unset or empty, or the file cannot
        /// be opened.
        pub fn from_env() -> Option<Self> {
            let path = std::env::var_os("SSLKEYLOGFILE")?;
            if path.is_empty() {
                return None;
            }
            Self::create(path).ok()
        }

        /// Opens `path` for appending, creating it if needed.
        pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
            let file = OpenOptions::new().append(true).create(true).open(path)?;
            Ok(Self {
                file: Mutex::new(file),
            })
        }
    }

    impl KeyLog for KeyLogFile {
        fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
            // One write per line so concurrent writers (other processes) do not interleave
            // within a line.
            let mut line = KeyLogLine::new(label, client_random, secret)
                .to_string()
                .into_bytes();
            let mut file = match self.file.lock() {
                Ok(f) => f,
                Err(poisoned) => poisoned.into_inner(),
            };
            let _ = file.write_all(&line);
            let _ = file.flush();
            drop(file);
            line.zeroize();
        }
    }

    impl fmt::Debug for KeyLogFile {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("KeyLogFile(..)")
        }
    }

    /// Collects key log lines in memory, for tests and tools.
    #[derive(Default)]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub struct KeyLogBuffer {
        lines: Mutex<Vec<String>>,
    }

    impl KeyLogBuffer {
        /// An empty buffer.
        pub fn new() -> Self {
            Self::default()
        }

        /// The lines logged so far, each ending in `\n`.
        pub fn lines(&self) -> Vec<String> {
            match self.lines.lock() {
                Ok(l) => l.clone(),
                Err(poisoned) => poisoned.into_inner().clone(),
            }
        }

        /// Everything logged so far, as the contents a key log file would have.
        pub fn contents(&self) -> String {
            self.lines().concat()
        }
    }

    impl KeyLog for KeyLogBuffer {
        fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
            let line = KeyLogLine::new(label, client_random, secret).to_string();
            match self.lines.lock() {
                Ok(mut l) => l.push(line),
                Err(poisoned) => poisoned.into_inner().push(line),
            }
        }
    }

    impl fmt::Debug for KeyLogBuffer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("KeyLogBuffer(..)")
        }
    }
}
