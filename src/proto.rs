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

/// One RPC of `proto/`: its path and the full names of its messages, without
/// decoding [`FILE_DESCRIPTOR_SET`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MethodDescriptor {
    /// The gRPC path without its leading slash:
    /// `scalekit.v1.users.UserService/GetUser`.
    pub path: &'static str,
    /// The request message's full name: `scalekit.v1.users.GetUserRequest`
    /// (what `prost::Name::full_name` gives for the generated type).
    pub input_type: &'static str,
    /// The response message's full name.
    pub output_type: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/scalekit_methods.rs"));

/// The RPC at `path` (`scalekit.v1.users.UserService/GetUser`, with or
/// without the leading slash), if `proto/` has it.
///
/// ```
/// let get_user = scalekit::proto::method("/scalekit.v1.users.UserService/GetUser").unwrap();
/// assert_eq!(get_user.input_type, "scalekit.v1.users.GetUserRequest");
/// assert!(scalekit::proto::method("made.up.Service/Method").is_none());
/// ```
pub fn method(path: &str) -> Option<&'static MethodDescriptor> {
    let path = path.strip_prefix('/').unwrap_or(path);
    METHODS
        .binary_search_by(|m| m.path.cmp(path))
        .ok()
        .map(|index| &METHODS[index])
}

#[cfg(test)]
mod method_table_tests {
    use prost::Message as _;

    use super::*;

    #[test]
    fn the_method_table_is_the_descriptor_sets_rpcs_sorted_by_path() {
        let set = prost_types::FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).expect("decodes");
        let mut described: Vec<(String, String, String)> = set
            .file
            .iter()
            .filter(|file| file.package().starts_with("scalekit."))
            .flat_map(|file| {
                file.service.iter().flat_map(move |service| {
                    service.method.iter().map(move |method| {
                        (
                            format!("{}.{}/{}", file.package(), service.name(), method.name()),
                            method.input_type().trim_start_matches('.').to_string(),
                            method.output_type().trim_start_matches('.').to_string(),
                        )
                    })
                })
            })
            .collect();
        described.sort();
        let table: Vec<(String, String, String)> = METHODS
            .iter()
            .map(|m| (m.path.into(), m.input_type.into(), m.output_type.into()))
            .collect();
        assert_eq!(table, described);
        for m in METHODS {
            assert_eq!(method(m.path), Some(m), "{}", m.path);
        }
        assert_eq!(
            method("scalekit.v1.users.UserService/GetUser").map(|m| m.input_type),
            Some(<users::GetUserRequest as prost::Name>::full_name().as_str())
        );
        for unknown in ["", "/", "scalekit.v1.users.UserService/", "x/GetUser"] {
            assert_eq!(method(unknown), None, "{unknown}");
        }
    }
}
