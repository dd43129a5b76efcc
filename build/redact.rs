//! `Debug` for the generated messages that carry credentials.
//!
//! prost derives `Debug` for every message, so a client secret, an API
//! token or a one-time code inside a response would be printed whole by
//! `{:?}`, by `tracing`'s `?field`, or by a test's failed assertion. For the
//! fields listed in [`SECRET_FIELDS`], prost is told to skip its `Debug`
//! and this module writes one in its place, from the same descriptors: it
//! prints every field as prost would, except that a listed field shows
//! `<redacted>` when set (an empty or absent one still shows as empty, which
//! is useful and says nothing of the value).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorSet};

/// Every field, by full protobuf name, whose value is a credential.
pub const SECRET_FIELDS: &[&str] = &[
    "scalekit.v1.auth.passwordless.VerifyPasswordLessRequest.code",
    "scalekit.v1.auth.passwordless.VerifyPasswordLessRequest.link_token",
    "scalekit.v1.auth.webauthn.FinishAuthenticationResponse.session_token",
    "scalekit.v1.clients.ClientSecret.plain_secret",
    "scalekit.v1.clients.CreateClientSecretResponse.plain_secret",
    "scalekit.v1.clients.CreateOrganizationClientResponse.plain_secret",
    "scalekit.v1.clients.CreateOrganizationClientSecretResponse.plain_secret",
    "scalekit.v1.clients.CreateResourceClientResponse.plain_secret",
    "scalekit.v1.clients.RegisterClientResponse.client_secret",
    "scalekit.v1.connected_accounts.GoogleDWDAuth.access_token",
    "scalekit.v1.connected_accounts.OauthToken.access_token",
    "scalekit.v1.connected_accounts.OauthToken.refresh_token",
    "scalekit.v1.connected_accounts.TrustedIDPAuth.secret_access_key",
    "scalekit.v1.connected_accounts.TrustedIDPAuth.session_token",
    "scalekit.v1.connections.OAuthConnectionConfig.client_secret",
    "scalekit.v1.connections.OIDCConnectionConfig.client_secret",
    "scalekit.v1.directories.CreateDirectorySecretResponse.plain_secret",
    "scalekit.v1.directories.RegenerateDirectorySecretResponse.plain_secret",
    "scalekit.v1.tokens.CreateTokenResponse.token",
    "scalekit.v1.tokens.FetchTokenResponse.token",
    "scalekit.v1.tokens.InvalidateTokenRequest.token",
    "scalekit.v1.tokens.UpdateTokenRequest.token",
    "scalekit.v1.tokens.ValidateTokenRequest.token",
];

/// What prost must skip and the code that replaces it.
pub struct Redaction {
    /// prost paths (`.package.Message`, `.package.Message.oneof`) whose
    /// `Debug` is written here instead.
    pub skip_debug: Vec<String>,
    /// The `impl Debug` blocks, for `src/proto.rs` to include.
    pub code: String,
}

/// Builds the `Debug` impls for every message with a listed field.
///
/// # Errors
/// A listed field that the descriptors do not have (so that a renamed
/// field cannot silently lose its redaction), or a field shape this module
/// does not handle.
pub fn redaction(fds: &FileDescriptorSet) -> Result<Redaction, String> {
    let secrets: BTreeSet<&str> = SECRET_FIELDS.iter().copied().collect();
    let packages: Vec<&str> = fds.file.iter().map(|f| f.package()).collect();
    let mut found = BTreeSet::new();
    let mut out = Redaction {
        skip_debug: Vec::new(),
        code: String::new(),
    };
    for file in &fds.file {
        for message in &file.message_type {
            let scope = Scope {
                package: file.package(),
                outer: Vec::new(),
                packages: &packages,
            };
            visit(&scope, message, &secrets, &mut found, &mut out)?;
        }
    }
    let _ = writeln!(
        out.code,
        "/// The credential fields whose `Debug` is redacted, by full name.\n#[cfg(test)]\npub(crate) const REDACTED_FIELDS: &[&str] = &{SECRET_FIELDS:?};"
    );
    if let Some(missing) = secrets.iter().find(|s| !found.contains(**s)) {
        return Err(format!(
            "build/redact.rs lists `{missing}`, which proto/ does not have"
        ));
    }
    Ok(out)
}

/// Where a message sits: its package and the messages it is nested in.
struct Scope<'a> {
    package: &'a str,
    outer: Vec<&'a str>,
    packages: &'a [&'a str],
}

impl Scope<'_> {
    fn full_name(&self, name: &str) -> String {
        let mut parts = vec![self.package];
        parts.extend(&self.outer);
        parts.push(name);
        parts.join(".")
    }

    /// The Rust path of message `name` in this scope.
    fn rust_path(&self, name: &str) -> String {
        rust_path(self.package, &self.outer, name)
    }
}

/// `crate::proto::…` for a type: packages are modules, outer messages are
/// snake-case modules, the type keeps its name.
fn rust_path(package: &str, outer: &[&str], name: &str) -> String {
    let mut path = String::from("crate::proto");
    for part in package.split('.') {
        path.push_str("::");
        path.push_str(&field_ident(part));
    }
    for message in outer {
        path.push_str("::");
        path.push_str(&field_ident(&snake_case(message)));
    }
    path.push_str("::");
    path.push_str(&upper_camel(name));
    path
}

/// The Rust path of a field's enum or message type (`.pkg.Outer.Name`).
fn type_path(type_name: &str, packages: &[&str]) -> Result<String, String> {
    let name = type_name.trim_start_matches('.');
    let package = packages
        .iter()
        .filter(|p| name.starts_with(&format!("{p}.")))
        .max_by_key(|p| p.len())
        .ok_or_else(|| format!("no package holds `{type_name}`"))?;
    let rest: Vec<&str> = name[package.len() + 1..].split('.').collect();
    let (last, outer) = rest.split_last().ok_or("an empty type name")?;
    Ok(rust_path(package, outer, last))
}

fn visit<'a>(
    scope: &Scope<'a>,
    message: &'a DescriptorProto,
    secrets: &BTreeSet<&str>,
    found: &mut BTreeSet<String>,
    out: &mut Redaction,
) -> Result<(), String> {
    let name = message.name();
    let full = scope.full_name(name);
    let listed: Vec<&FieldDescriptorProto> = message
        .field
        .iter()
        .filter(|f| secrets.contains(format!("{full}.{}", f.name()).as_str()))
        .collect();
    if !listed.is_empty() {
        found.extend(listed.iter().map(|f| format!("{full}.{}", f.name())));
        write_message(scope, message, &full, secrets, out)?;
    }
    let mut inner = Scope {
        package: scope.package,
        outer: scope.outer.clone(),
        packages: scope.packages,
    };
    inner.outer.push(name);
    for nested in &message.nested_type {
        visit(&inner, nested, secrets, found, out)?;
    }
    Ok(())
}

/// A `string`, or a `google.protobuf.StringValue` (which prost, with
/// extended types, makes an `Option<String>`).
fn is_text(field: &FieldDescriptorProto) -> bool {
    field.r#type() == Type::String || field.type_name() == ".google.protobuf.StringValue"
}

/// The oneof a field belongs to, unless it is a proto3 `optional` (whose
/// synthetic oneof prost turns into an `Option`).
fn real_oneof(field: &FieldDescriptorProto) -> Option<usize> {
    if field.proto3_optional() {
        return None;
    }
    field.oneof_index.and_then(|i| usize::try_from(i).ok())
}

fn write_message(
    scope: &Scope<'_>,
    message: &DescriptorProto,
    full: &str,
    secrets: &BTreeSet<&str>,
    out: &mut Redaction,
) -> Result<(), String> {
    let name = message.name();
    // prost's skip_debug also covers nested types, which would then need a
    // `Debug` from here too. Map entries are the exception: they become
    // `HashMap`s, not types of their own.
    let map_entry = |m: &DescriptorProto| m.options.as_ref().is_some_and(|o| o.map_entry());
    let enum_valued_map = message
        .nested_type
        .iter()
        .any(|m| map_entry(m) && m.field.iter().any(|f| f.r#type() == Type::Enum));
    if !message.nested_type.iter().all(map_entry)
        || !message.enum_type.is_empty()
        || enum_valued_map
    {
        return Err(format!(
            "{full}: nested types and enum-valued maps are not handled"
        ));
    }
    let path = scope.rust_path(name);
    let is_secret =
        |f: &FieldDescriptorProto| secrets.contains(format!("{full}.{}", f.name()).as_str());
    out.skip_debug.push(format!(".{full}"));

    let mut body = String::new();
    // Plain fields in declaration order, then the oneofs, as prost
    // declares them.
    for field in message.field.iter().filter(|f| real_oneof(f).is_none()) {
        let ident = field_ident(field.name());
        let value = if is_secret(field) {
            if !is_text(field) || field.label() == Label::Repeated {
                return Err(format!(
                    "{full}.{}: only string secrets are handled",
                    field.name()
                ));
            }
            format!("&crate::proto::redacted::Secret(&self.{ident})")
        } else if field.r#type() == Type::Enum {
            let enum_path = type_path(field.type_name(), scope.packages)?;
            match (field.label(), field.proto3_optional()) {
                (Label::Repeated, _) => {
                    format!("&crate::proto::redacted::Enums::<{enum_path}>::new(&self.{ident})")
                }
                (_, true) => {
                    format!("&self.{ident}.map(crate::proto::redacted::Enum::<{enum_path}>::new)")
                }
                _ => format!("&crate::proto::redacted::Enum::<{enum_path}>::new(self.{ident})"),
            }
        } else {
            format!("&self.{ident}")
        };
        let _ = writeln!(body, "            .field(\"{}\", {value})", field.name());
    }
    for (index, oneof) in message.oneof_decl.iter().enumerate() {
        let members: Vec<&FieldDescriptorProto> = message
            .field
            .iter()
            .filter(|f| real_oneof(f) == Some(index))
            .collect();
        if members.is_empty() {
            continue;
        }
        let ident = field_ident(oneof.name());
        let _ = writeln!(
            body,
            "            .field(\"{}\", &self.{ident})",
            oneof.name()
        );
        // prost skips the `Debug` of the message's oneofs with it.
        write_oneof(scope, name, full, oneof.name(), &members, &is_secret, out)?;
    }
    let _ = writeln!(
        out.code,
        "impl ::core::fmt::Debug for {path} {{\n    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n        f.debug_struct(\"{name}\")\n{body}            .finish()\n    }}\n}}\n"
    );
    Ok(())
}

fn write_oneof(
    scope: &Scope<'_>,
    message: &str,
    full: &str,
    oneof: &str,
    members: &[&FieldDescriptorProto],
    is_secret: &dyn Fn(&FieldDescriptorProto) -> bool,
    out: &mut Redaction,
) -> Result<(), String> {
    let mut outer = scope.outer.clone();
    outer.push(message);
    let path = rust_path(scope.package, &outer, oneof);
    let mut arms = String::new();
    for field in members {
        let variant = upper_camel(field.name());
        let value = if is_secret(field) {
            if !is_text(field) {
                return Err(format!(
                    "{full}.{}: only string secrets are handled",
                    field.name()
                ));
            }
            "&crate::proto::redacted::Secret(value)".to_string()
        } else if field.r#type() == Type::Enum {
            let enum_path = type_path(field.type_name(), scope.packages)?;
            format!("&crate::proto::redacted::Enum::<{enum_path}>::new(*value)")
        } else {
            "value".to_string()
        };
        let _ = writeln!(
            arms,
            "            Self::{variant}(value) => f.debug_tuple(\"{variant}\").field({value}).finish(),"
        );
    }
    let _ = writeln!(
        out.code,
        "impl ::core::fmt::Debug for {path} {{\n    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n        match self {{\n{arms}        }}\n    }}\n}}\n"
    );
    Ok(())
}

/// prost's field (and module) naming: the proto name in snake case, with
/// Rust keywords escaped.
fn field_ident(name: &str) -> String {
    let snake = snake_case(name);
    match snake.as_str() {
        "self" | "super" | "crate" | "extern" => format!("{snake}_"),
        "as" | "break" | "const" | "continue" | "else" | "enum" | "false" | "fn" | "for" | "if"
        | "impl" | "in" | "let" | "loop" | "match" | "mod" | "move" | "mut" | "pub" | "ref"
        | "return" | "static" | "struct" | "trait" | "true" | "type" | "unsafe" | "use"
        | "where" | "while" | "async" | "await" | "dyn" | "abstract" | "become" | "box" | "do"
        | "final" | "macro" | "override" | "priv" | "typeof" | "unsized" | "virtual" | "yield"
        | "try" | "gen" => format!("r#{snake}"),
        _ => snake,
    }
}

/// `ClientSecret` → `client_secret`, `OIDCConnectionConfig` →
/// `oidc_connection_config`, as prost (heck) splits words.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let starts_word = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase())
                    && next.is_some_and(|n| n.is_ascii_lowercase()));
            if starts_word && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `link_token` → `LinkToken`, `OIDCConnectionConfig` →
/// `OidcConnectionConfig`, as prost (heck) writes type and variant names.
fn upper_camel(name: &str) -> String {
    snake_case(name)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
