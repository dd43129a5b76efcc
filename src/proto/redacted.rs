//! The pieces of the generated `Debug` impls of messages that carry
//! credentials (written by `build/redact.rs`).

use std::fmt;
use std::marker::PhantomData;

/// A credential field: `<redacted>` when it holds a value, empty otherwise.
pub(crate) struct Secret<'a, T>(pub(crate) &'a T);

impl fmt::Debug for Secret<'_, String> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str("<redacted>")
        }
    }
}

impl fmt::Debug for Secret<'_, Option<String>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("None"),
            Some(_) => f.write_str("Some(<redacted>)"),
        }
    }
}

/// An enum field, printed by its variant's name as prost's own `Debug`
/// does, or as the number when it names no variant.
pub(crate) struct Enum<T>(i32, PhantomData<fn() -> T>);

impl<T> Enum<T> {
    pub(crate) fn new(value: i32) -> Self {
        Enum(value, PhantomData)
    }
}

impl<T: TryFrom<i32> + fmt::Debug> fmt::Debug for Enum<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match T::try_from(self.0) {
            Ok(known) => known.fmt(f),
            Err(_) => self.0.fmt(f),
        }
    }
}

/// A repeated enum field, each value as [`Enum`] prints it.
pub(crate) struct Enums<'a, T>(&'a [i32], PhantomData<fn() -> T>);

impl<'a, T> Enums<'a, T> {
    pub(crate) fn new(values: &'a [i32]) -> Self {
        Enums(values, PhantomData)
    }
}

impl<T: TryFrom<i32> + fmt::Debug> fmt::Debug for Enums<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|&value| Enum::<T>::new(value)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use prost::Message as _;
    use prost_types::FileDescriptorSet;

    use crate::proto::auth::passwordless::{
        verify_password_less_request, VerifyPasswordLessRequest,
    };
    use crate::proto::clients::{
        ClientSecret, ClientSecretStatus, CreateOrganizationClientResponse, M2mClient,
    };
    use crate::proto::connections::OidcConnectionConfig;
    use crate::proto::tokens::{CreateTokenResponse, ValidateTokenRequest};
    use crate::proto::{FILE_DESCRIPTOR_SET, REDACTED_FIELDS};

    const VALUE: &str = "s3cr3t-v4lue";

    #[test]
    fn a_secret_is_redacted_and_every_other_field_is_shown() {
        let secret = ClientSecret {
            id: "sec_1".into(),
            status: ClientSecretStatus::Active as i32,
            secret_suffix: "alue".into(),
            plain_secret: Some(VALUE.into()),
            ..Default::default()
        };
        let shown = format!("{secret:?}");
        assert!(!shown.contains(VALUE), "{shown}");
        assert!(shown.contains("plain_secret: Some(<redacted>)"), "{shown}");
        assert!(shown.contains("id: \"sec_1\""), "{shown}");
        assert!(shown.contains("status: Active"), "an enum by name: {shown}");
        assert!(shown.contains("secret_suffix: \"alue\""), "{shown}");

        let unset = format!("{:?}", ClientSecret::default());
        assert!(unset.contains("plain_secret: None"), "{unset}");
    }

    #[test]
    fn secrets_nested_in_other_messages_stay_redacted() {
        let created = CreateOrganizationClientResponse {
            client: Some(M2mClient {
                client_id: "m2morg_1".into(),
                secrets: vec![ClientSecret {
                    plain_secret: Some(VALUE.into()),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            plain_secret: VALUE.into(),
        };
        let shown = format!("{created:?}");
        assert!(!shown.contains(VALUE), "{shown}");
        assert!(shown.contains("m2morg_1"), "{shown}");

        let config = OidcConnectionConfig {
            client_id: Some("cid".into()),
            client_secret: Some(VALUE.into()),
            ..Default::default()
        };
        let shown = format!("{config:#?}");
        assert!(!shown.contains(VALUE), "{shown}");
        assert!(shown.contains("cid"), "{shown}");
    }

    #[test]
    fn api_tokens_and_one_time_codes_are_redacted() {
        let shown = [
            format!(
                "{:?}",
                CreateTokenResponse {
                    token: VALUE.into(),
                    token_id: "apit_1".into(),
                    ..Default::default()
                }
            ),
            format!(
                "{:?}",
                ValidateTokenRequest {
                    token: VALUE.into()
                }
            ),
            format!(
                "{:?}",
                VerifyPasswordLessRequest {
                    auth_credential: Some(verify_password_less_request::AuthCredential::Code(
                        VALUE.into()
                    )),
                    ..Default::default()
                }
            ),
            format!(
                "{:?}",
                VerifyPasswordLessRequest {
                    auth_credential: Some(verify_password_less_request::AuthCredential::LinkToken(
                        VALUE.into()
                    )),
                    ..Default::default()
                }
            ),
        ];
        for text in &shown {
            assert!(!text.contains(VALUE), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        assert!(shown[0].contains("apit_1"));
        assert!(shown[2].contains("Code(<redacted>)"), "{}", shown[2]);
        assert!(shown[3].contains("LinkToken(<redacted>)"), "{}", shown[3]);
    }

    /// Names that hold credentials wherever they appear in the contract.
    fn looks_like_a_credential(message: &str, field: &str) -> bool {
        matches!(
            field,
            "plain_secret"
                | "client_secret"
                | "secret_access_key"
                | "access_token"
                | "refresh_token"
                | "session_token"
                | "link_token"
                | "password"
                | "private_key"
                | "api_key"
        ) || (field == "token" && message.starts_with("scalekit.v1.tokens."))
            || (field == "code" && message.starts_with("scalekit.v1.auth.passwordless."))
    }

    #[test]
    fn every_credential_field_of_the_contract_is_redacted() {
        let fds = FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).expect("the descriptor set");
        let mut credentials = Vec::new();
        for file in fds
            .file
            .iter()
            .filter(|f| f.package().starts_with("scalekit."))
        {
            let mut stack: Vec<(String, &prost_types::DescriptorProto)> = file
                .message_type
                .iter()
                .map(|m| (format!("{}.{}", file.package(), m.name()), m))
                .collect();
            while let Some((name, message)) = stack.pop() {
                for field in &message.field {
                    let is_text = field.r#type()
                        == prost_types::field_descriptor_proto::Type::String
                        || field.type_name() == ".google.protobuf.StringValue";
                    if is_text && looks_like_a_credential(&name, field.name()) {
                        credentials.push(format!("{name}.{}", field.name()));
                    }
                }
                stack.extend(
                    message
                        .nested_type
                        .iter()
                        .map(|n| (format!("{name}.{}", n.name()), n)),
                );
            }
        }
        credentials.sort();
        assert!(credentials.len() >= 20, "{credentials:?}");
        let missing: Vec<&String> = credentials
            .iter()
            .filter(|c| !REDACTED_FIELDS.contains(&c.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "list these in build/redact.rs: {missing:?}"
        );
    }
}
