//! [`DisplayChain`]: an error and every error in its
//! [`source()`](std::error::Error::source) chain, on one line.
//!
//! This crate's errors describe only their own layer (see [`Error`]), so a
//! log line built from `to_string()` alone can read just "transport error".
//! [`Error::display_chain`] and [`DisplayChain::new`] print the causes too.
//!
//! [`Error`]: super::Error
//! [`Error::display_chain`]: super::Error::display_chain

use std::error::Error as StdError;
use std::fmt;

use super::one_line::OneLine;

/// Displays an error followed by its sources, as `outer: cause: root cause`.
///
/// A cause whose text is already part of the error above it is left out, so
/// a wrapper that quotes its source does not print it twice. Line breaks in
/// any message become spaces, so the result is always one line. Build it
/// with [`Error::display_chain`](super::Error::display_chain) or, for any
/// other error, with [`DisplayChain::new`].
///
/// ```
/// use scalekit::error::DisplayChain;
///
/// let io = std::io::Error::other("connection reset by peer");
/// let err = scalekit::Error::Transport(Box::new(io));
/// assert_eq!(err.to_string(), "transport error");
/// assert_eq!(
///     err.display_chain().to_string(),
///     "transport error: connection reset by peer"
/// );
///
/// // Any error works, including a `&dyn Error`.
/// let dynamic: &(dyn std::error::Error + 'static) = &err;
/// assert_eq!(
///     DisplayChain::new(dynamic).to_string(),
///     "transport error: connection reset by peer"
/// );
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DisplayChain<E>(E);

impl<E: StdError> DisplayChain<E> {
    /// Wraps `error`; pass a reference (`&err`) to keep using the error.
    ///
    /// ```
    /// let err = std::io::Error::other("disk full");
    /// let line = scalekit::error::DisplayChain::new(&err).to_string();
    /// assert_eq!(line, "disk full");
    /// ```
    pub fn new(error: E) -> DisplayChain<E> {
        DisplayChain(error)
    }
}

impl<E: StdError> fmt::Display for DisplayChain<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parent = self.0.to_string();
        let mut wrote_any = write_part(f, &parent, false)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            // "request failed: timed out" above "timed out" says it already.
            if !parent.contains(text.trim()) {
                wrote_any |= write_part(f, &text, wrote_any)?;
            }
            parent = text;
            source = cause.source();
        }
        Ok(())
    }
}

/// Writes one message of the chain, after a `": "` when something came
/// before. Blank messages are skipped. Returns whether it wrote anything.
fn write_part(f: &mut fmt::Formatter<'_>, text: &str, separate: bool) -> Result<bool, fmt::Error> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(false);
    }
    if separate {
        f.write_str(": ")?;
    }
    write!(f, "{}", OneLine(text))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::error::{Error, TokenError};

    /// A test error with a fixed message and an optional source.
    #[derive(Debug)]
    struct Layer {
        message: &'static str,
        source: Option<Box<dyn StdError + Send + Sync>>,
    }

    impl Layer {
        fn new(message: &'static str) -> Layer {
            Layer {
                message,
                source: None,
            }
        }

        fn wrapping(message: &'static str, source: impl StdError + Send + Sync + 'static) -> Layer {
            Layer {
                message,
                source: Some(Box::new(source)),
            }
        }
    }

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.message)
        }
    }

    impl StdError for Layer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.source.as_deref().map(|source| source as _)
        }
    }

    #[test]
    fn display_chain_without_source_prints_the_error_alone() {
        assert_eq!(
            Error::Timeout.display_chain().to_string(),
            "request timed out"
        );
    }

    #[test]
    fn display_chain_with_nested_sources_prints_outer_to_root() {
        let root = Layer::new("connection refused");
        let middle = Layer::wrapping("tcp connect error", root);
        let err = Error::Transport(Box::new(middle));
        assert_eq!(
            err.display_chain().to_string(),
            "transport error: tcp connect error: connection refused"
        );
    }

    #[test]
    fn display_chain_with_cause_quoted_by_parent_skips_it() {
        let root = Layer::new("timed out");
        let middle = Layer::wrapping("handshake failed: timed out", root);
        let outer = Layer::wrapping("could not connect", middle);
        assert_eq!(
            DisplayChain::new(&outer).to_string(),
            "could not connect: handshake failed: timed out"
        );
    }

    #[test]
    fn display_chain_with_repeated_message_prints_it_once() {
        // Each layer repeats the same text; only the first is kept, and the
        // comparison is with the immediate parent, skipped or not.
        let chain = Layer::wrapping(
            "timed out",
            Layer::wrapping("timed out", Layer::new("timed out")),
        );
        assert_eq!(DisplayChain::new(&chain).to_string(), "timed out");
    }

    #[test]
    fn display_chain_after_a_skipped_cause_keeps_its_new_source() {
        let chain = Layer::wrapping(
            "request failed: timed out",
            Layer::wrapping("timed out", Layer::new("os error 110")),
        );
        assert_eq!(
            DisplayChain::new(&chain).to_string(),
            "request failed: timed out: os error 110"
        );
    }

    #[test]
    fn display_chain_with_blank_and_multiline_messages_stays_one_line() {
        let chain = Layer::wrapping(
            "outer",
            Layer::wrapping("  ", Layer::new("first line\nsecond line")),
        );
        assert_eq!(
            DisplayChain::new(&chain).to_string(),
            "outer: first line second line"
        );
        let blank_top = Layer::wrapping("", Layer::new("root"));
        assert_eq!(DisplayChain::new(&blank_top).to_string(), "root");
    }

    #[test]
    fn display_chain_of_dyn_error_walks_its_sources() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let err = Error::Auth(TokenError::Transport(Arc::new(io)));
        let dynamic: &(dyn StdError + 'static) = &err;
        assert_eq!(
            DisplayChain::new(dynamic).to_string(),
            "could not reach the token endpoint: refused"
        );
        // `Display` through the `Error` helper reads the same.
        assert_eq!(
            err.display_chain().to_string(),
            DisplayChain::new(dynamic).to_string()
        );
    }
}
