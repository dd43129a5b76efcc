//! Tells the status tonic makes on the client for an oversized answer from
//! an error status the server sent.
//!
//! When a response message is larger than the client's decoding limit
//! (4 MiB by default), tonic 0.14 drops it and fails the call with a status
//! of its own making: `OUT_OF_RANGE`, the message
//! `Error, decoded message length too large: found <size> bytes, the limit is: <limit> bytes`,
//! no source and no details. tonic offers no structural sign of where the
//! status came from: it even merges the response headers into the status's
//! metadata, as it does for a server's status. Only the text tells them
//! apart, so it is matched whole, both numbers included, and
//! `tests/errors.rs` pins it against a real oversized response: a tonic
//! release that rewords it fails that test instead of silently turning the
//! client's limit back into the server's `Error::Api`.

use std::error::Error as _;

use tonic::Code;

/// What comes before the size in tonic's message.
const BEFORE_SIZE: &str = "Error, decoded message length too large: found ";
/// What comes between the size and the limit.
const BEFORE_LIMIT: &str = " bytes, the limit is: ";
/// What ends the message.
const AFTER_LIMIT: &str = " bytes";

/// The message's size and the limit, in bytes, when `status` is the one
/// tonic makes for a response over the decoding limit; `None` for any other
/// status, the server's included.
pub(super) fn decoded_too_large(status: &tonic::Status) -> Option<(usize, usize)> {
    if status.code() != Code::OutOfRange
        || status.source().is_some()
        || !status.details().is_empty()
    {
        return None;
    }
    let numbers = status
        .message()
        .strip_prefix(BEFORE_SIZE)?
        .strip_suffix(AFTER_LIMIT)?;
    let (size, limit) = numbers.split_once(BEFORE_LIMIT)?;
    let (size, limit) = (byte_count(size)?, byte_count(limit)?);
    // tonic only refuses a message over its limit.
    (size > limit).then_some((size, limit))
}

/// A count written in ASCII digits only (no sign, no spaces).
fn byte_count(digits: &str) -> Option<usize> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    type SizeAndLimit = (usize, usize);

    /// tonic's text for a 5 MiB message over the 4 MiB default.
    const TONIC_TEXT: &str =
        "Error, decoded message length too large: found 5242880 bytes, the limit is: 4194304 bytes";

    #[test]
    fn decoded_too_large_matches_only_tonics_own_status() {
        // (row, status, the size and limit it must yield)
        let rows: Vec<(&str, tonic::Status, Option<SizeAndLimit>)> = vec![
            (
                "tonic's status",
                tonic::Status::out_of_range(TONIC_TEXT),
                Some((5_242_880, 4_194_304)),
            ),
            (
                "another code",
                tonic::Status::internal(TONIC_TEXT),
                None,
            ),
            (
                "with details, so the server's",
                tonic::Status::with_details(Code::OutOfRange, TONIC_TEXT, vec![1u8].into()),
                None,
            ),
            (
                "with a source",
                {
                    let mut status = tonic::Status::out_of_range(TONIC_TEXT);
                    status.set_source(Arc::new(std::io::Error::other("reset")));
                    status
                },
                None,
            ),
            (
                "the server's own out-of-range",
                tonic::Status::out_of_range("page_size must be at most 100"),
                None,
            ),
            (
                "the encoder's text (the request side)",
                tonic::Status::out_of_range(
                    "Error, encoded message length too large: found 9 bytes, the limit is: 4 bytes",
                ),
                None,
            ),
            (
                "trailing text",
                tonic::Status::out_of_range(format!("{TONIC_TEXT}, see the docs")),
                None,
            ),
            (
                "a signed number",
                tonic::Status::out_of_range(
                    "Error, decoded message length too large: found +9 bytes, the limit is: 4 bytes",
                ),
                None,
            ),
            (
                "a size within the limit",
                tonic::Status::out_of_range(
                    "Error, decoded message length too large: found 4 bytes, the limit is: 4 bytes",
                ),
                None,
            ),
        ];
        let failures: Vec<String> = rows
            .into_iter()
            .filter_map(|(name, status, want)| {
                let got = decoded_too_large(&status);
                (got != want).then(|| format!("{name}: got {got:?}, want {want:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
