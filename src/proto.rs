//! The generated protobuf messages and gRPC stubs of the `scalekit.v1.*`
//! packages, compiled from `proto/` by `build.rs`.
//!
//! Module paths follow the package tree: `scalekit.v1.users` is
//! [`proto::users`](crate::proto::users), `scalekit.v1.auth.passwordless` is
//! `proto::auth::passwordless`. Each package module re-exports its service
//! client (`proto::users::UserServiceClient`) and, with the `server` feature,
//! the server trait and wrapper.
//!
//! This is the only file that includes generated code.

#![allow(missing_docs, clippy::all, clippy::pedantic)]
#![allow(
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]

include!(concat!(env!("OUT_DIR"), "/scalekit_proto.rs"));

mod redacted;
// `Debug` for the messages with credential fields (see `build/redact.rs`).
include!(concat!(env!("OUT_DIR"), "/scalekit_redacted_debug.rs"));

pub use self::scalekit::v1::*;

/// The compiled `FileDescriptorSet` of every file in `proto/` (and the
/// well-known types they import), for gRPC reflection or dynamic decoding.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/scalekit_descriptor.bin"));
