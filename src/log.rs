//! Logging through the `log` crate (feature `log`): handshake milestones, the negotiated
//! parameters, alerts sent and received, errors. Never a secret, a key or application data.
//!
//! Without the feature the macros compile to nothing, but still type-check their arguments
//! (so a variable used only in a log line is not "unused").

/// `log::$level!` with the feature, nothing without it.
macro_rules! log_at {
    ($level:ident, $($arg:tt)+) => {{
        #[cfg(feature = "log")]
        {
            ::log::$level!(target: "tls12", $($arg)+);
        }
        #[cfg(not(feature = "log"))]
        {
            if false {
                let _ = core::format_args!($($arg)+);
            }
        }
    }};
}

macro_rules! trace {
    ($($arg:tt)+) => { $crate::log::log_at!(trace, $($arg)+) };
}

macro_rules! debug {
    ($($arg:tt)+) => { $crate::log::log_at!(debug, $($arg)+) };
}

macro_rules! warning {
    ($($arg:tt)+) => { $crate::log::log_at!(warn, $($arg)+) };
}

pub(crate) use {debug, log_at, trace, warning};
