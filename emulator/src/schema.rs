//! What the emulator reads from the SDK's compiled descriptor set, decoded
//! once per process: every method path of `proto/` with the full name of
//! its input message, and the way back from a generated Rust message type
//! to its protobuf name.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost::Message as _;

/// Every method path of `proto/` (`package.Service/Method`) and the full
/// name of its input type (`scalekit.v1.users.GetUserRequest`).
struct Schema {
    input_types: HashMap<String, String>,
    /// Every message's full name, by its normalized form (see
    /// [`normalized`]); `None` when two messages normalize alike.
    messages: HashMap<String, Option<String>>,
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        // The descriptor is compiled into the SDK from the same protos the
        // services are generated from; if it ever failed to decode, every
        // path would be unknown, which the tests of this module would show.
        let Ok(set) = prost_types::FileDescriptorSet::decode(scalekit::proto::FILE_DESCRIPTOR_SET)
        else {
            return Schema {
                input_types: HashMap::new(),
                messages: HashMap::new(),
            };
        };
        let mut input_types = HashMap::new();
        let mut messages: HashMap<String, Option<String>> = HashMap::new();
        for file in &set.file {
            let package = file.package();
            for service in &file.service {
                for method in &service.method {
                    input_types.insert(
                        format!("{package}.{}/{}", service.name(), method.name()),
                        method.input_type().trim_start_matches('.').to_string(),
                    );
                }
            }
            let mut nested: Vec<(String, &prost_types::DescriptorProto)> = file
                .message_type
                .iter()
                .map(|m| (format!("{package}.{}", m.name()), m))
                .collect();
            while let Some((full_name, message)) = nested.pop() {
                for inner in &message.nested_type {
                    nested.push((format!("{full_name}.{}", inner.name()), inner));
                }
                messages
                    .entry(normalized(full_name.split('.')))
                    .and_modify(|clash| *clash = None)
                    .or_insert(Some(full_name));
            }
        }
        Schema {
            input_types,
            messages,
        }
    })
}

/// The method path as a `'static` string, if `path` names a method of the
/// schema: recording it then allocates nothing.
pub(crate) fn known_method(path: &str) -> Option<&'static str> {
    schema()
        .input_types
        .get_key_value(path)
        .map(|(method, _)| method.as_str())
}

/// The full name of the input message of a method of the schema.
pub(crate) fn input_type(method: &str) -> Option<&'static str> {
    schema().input_types.get(method).map(String::as_str)
}

/// The protobuf full name of `M`, a message type the SDK generated
/// (`scalekit::proto::users::GetUserRequest` is
/// `scalekit.v1.users.GetUserRequest`), or `None` for any other type.
///
/// The generated types do not implement `prost::Name`, so the name comes
/// from the Rust path: prost names each package module and each nested
/// message's module in snake case and each type in upper camel case, so
/// the path and the full name agree once case and underscores are set
/// aside. The answer is checked against the schema's messages, and a name
/// two messages share in that form is refused, so a type maps to its own
/// message or to none. `google.protobuf.Empty` is generated as `()`.
pub(crate) fn message_name<M: 'static>() -> Option<&'static str> {
    let rust = std::any::type_name::<M>();
    if rust == "()" {
        return Some("google.protobuf.Empty");
    }
    let generated = rust.strip_prefix("scalekit::proto::")?;
    let key = normalized(generated.split("::"));
    schema().messages.get(&key)?.as_deref()
}

/// A path's segments, lowercased without underscores and joined by dots.
fn normalized<'a>(segments: impl Iterator<Item = &'a str>) -> String {
    let mut key = String::new();
    for segment in segments {
        if !key.is_empty() {
            key.push('.');
        }
        key.extend(
            segment
                .chars()
                .filter(|c| *c != '_')
                .map(|c| c.to_ascii_lowercase()),
        );
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalekit::proto;

    #[test]
    fn the_schema_has_the_served_methods_and_their_input_types() {
        assert_eq!(
            input_type("scalekit.v1.users.UserService/GetUser"),
            Some("scalekit.v1.users.GetUserRequest")
        );
        assert_eq!(
            known_method("scalekit.v1.organizations.OrganizationService/CreateOrganization"),
            Some("scalekit.v1.organizations.OrganizationService/CreateOrganization")
        );
        assert_eq!(known_method("scalekit.v1.users.UserService/NoSuch"), None);
        assert!(schema().input_types.len() > 50);
    }

    #[test]
    fn generated_types_map_to_their_message_and_others_to_none() {
        let cases = [
            (
                message_name::<proto::users::CreateUserAndMembershipRequest>(),
                Some("scalekit.v1.users.CreateUserAndMembershipRequest"),
            ),
            (
                message_name::<proto::organizations::CreateOrganizationRequest>(),
                Some("scalekit.v1.organizations.CreateOrganizationRequest"),
            ),
            (
                message_name::<proto::auth::passwordless::SendPasswordlessRequest>(),
                Some("scalekit.v1.auth.passwordless.SendPasswordlessRequest"),
            ),
            (
                message_name::<proto::errdetails::validation_error_info::FieldViolation>(),
                Some("scalekit.v1.errdetails.ValidationErrorInfo.FieldViolation"),
            ),
            (message_name::<()>(), Some("google.protobuf.Empty")),
            (message_name::<prost_types::Timestamp>(), None),
            (message_name::<String>(), None),
        ];
        for (i, (got, want)) in cases.into_iter().enumerate() {
            assert_eq!(got, want, "case {i}");
        }
    }

    #[test]
    fn every_input_type_of_the_schema_has_a_name_of_its_own() {
        let messages = &schema().messages;
        for (method, input) in &schema().input_types {
            if input.starts_with("google.protobuf.") {
                continue;
            }
            let key = normalized(input.split('.'));
            assert_eq!(
                messages.get(&key),
                Some(&Some(input.clone())),
                "{method} takes {input}"
            );
        }
    }
}
