//! Helpers shared by the unit tests of the request builders.

use prost::Message;

use crate::error::{Error, Result};

/// Decodes a hex dump of a protobuf message: the form in which the tests
/// keep what the reference SDK sends for a call.
pub(crate) fn decode<M: Message + Default>(hex: &str) -> M {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("the dump is hex"))
        .collect();
    M::decode(bytes.as_slice()).expect("the dump is a valid message")
}

/// `(field, reason)` of an [`Error::InvalidArgument`], or a panic naming what
/// came instead.
pub(crate) fn invalid<T: std::fmt::Debug>(result: Result<T>) -> (&'static str, String) {
    match result {
        Err(Error::InvalidArgument { field, reason }) => (field, reason),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}
