//! Hand-rolled flag parsing: `--flag value`, `--flag=value`, switches and positionals.

use super::Failure;

/// One command-line item.
#[derive(Debug, PartialEq, Eq)]
pub enum Arg {
    /// `--name` (with its `=value`, if written that way).
    Flag(String, Option<String>),
    /// Anything else.
    Positional(String),
}

/// The command line, item by item.
pub struct Args {
    items: std::vec::IntoIter<String>,
    only_positionals: bool,
}

impl Args {
    /// Parses `items` (without the program name).
    pub fn new(items: impl IntoIterator<Item = String>) -> Self {
        Self {
            items: items.into_iter().collect::<Vec<_>>().into_iter(),
            only_positionals: false,
        }
    }

    /// The process's own arguments.
    pub fn from_env() -> Self {
        Self::new(std::env::args().skip(1))
    }

    /// The next item. `--` ends the flags.
    pub fn next_arg(&mut self) -> Option<Arg> {
        let item = self.items.next()?;
        if self.only_positionals || !item.starts_with('-') || item == "-" {
            return Some(Arg::Positional(item));
        }
        if item == "--" {
            self.only_positionals = true;
            return self.next_arg();
        }
        Some(match item.split_once('=') {
            Some((flag, value)) => Arg::Flag(flag.to_string(), Some(value.to_string())),
            None => Arg::Flag(item, None),
        })
    }

    /// The value of `flag`: the inline `=value`, else the next item.
    pub fn value(&mut self, flag: &str, inline: Option<String>) -> Result<String, Failure> {
        inline
            .or_else(|| self.items.next())
            .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))
    }
}

/// Fails if a switch was given a value (`--insecure=yes`).
pub fn no_value(flag: &str, inline: Option<String>) -> Result<(), Failure> {
    match inline {
        None => Ok(()),
        Some(_) => Err(Failure::Usage(format!("{flag} takes no value"))),
    }
}
