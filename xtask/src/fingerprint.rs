//! A sorted text listing of everything in a schema that the wire and the
//! generated code depend on. Two schemas with the same fingerprint produce the
//! same protobuf bytes and the same Rust types; any change to a name, number,
//! type, label, oneof membership or presence shows up as a changed line.

use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
};

use crate::descriptors::PACKAGE_PREFIX;

/// Fingerprints the `scalekit.v1.*` files among `files`; others (well-known
/// types pulled in by a compiler) are ignored.
pub fn fingerprint<'a>(files: impl IntoIterator<Item = &'a FileDescriptorProto>) -> String {
    let mut lines = Vec::new();
    for file in files {
        if !file.package().starts_with(PACKAGE_PREFIX) {
            continue;
        }
        let package = file.package();
        lines.push(format!(
            "file {} package={} syntax={}",
            file.name(),
            package,
            file.syntax()
        ));
        for message in &file.message_type {
            message_lines(&mut lines, package, message);
        }
        for en in &file.enum_type {
            enum_lines(&mut lines, package, en);
        }
        for ext in &file.extension {
            lines.push(format!("extension {}", field_line(package, ext)));
        }
        for service in &file.service {
            let full = format!(".{package}.{}", service.name());
            lines.push(format!("service {full}"));
            for method in &service.method {
                lines.push(format!(
                    "method {full}.{} input={} output={} client_streaming={} server_streaming={}",
                    method.name(),
                    method.input_type(),
                    method.output_type(),
                    method.client_streaming(),
                    method.server_streaming()
                ));
            }
        }
    }
    lines.sort();
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn message_lines(lines: &mut Vec<String>, scope: &str, message: &DescriptorProto) {
    let full = format!("{scope}.{}", message.name());
    let map_entry = message.options.as_ref().is_some_and(|o| o.map_entry());
    lines.push(format!(
        "message .{full}{}",
        if map_entry { " map_entry" } else { "" }
    ));
    for (index, oneof) in message.oneof_decl.iter().enumerate() {
        lines.push(format!("oneof .{full}.{} index={index}", oneof.name()));
    }
    for field in &message.field {
        lines.push(format!("field {}", field_line(&full, field)));
    }
    for ext in &message.extension {
        lines.push(format!("extension {}", field_line(&full, ext)));
    }
    for nested in &message.nested_type {
        message_lines(lines, &full, nested);
    }
    for en in &message.enum_type {
        enum_lines(lines, &full, en);
    }
}

fn field_line(scope: &str, field: &FieldDescriptorProto) -> String {
    let oneof = field
        .oneof_index
        .map_or_else(|| "-".to_string(), |i| i.to_string());
    let extendee = field
        .extendee
        .as_deref()
        .map(|e| format!(" extendee={e}"))
        .unwrap_or_default();
    format!(
        ".{scope}.{} number={} label={} type={} type_name={} oneof={oneof} proto3_optional={}{extendee}",
        field.name(),
        field.number(),
        field.label().as_str_name(),
        field.r#type().as_str_name(),
        field.type_name(),
        field.proto3_optional()
    )
}

fn enum_lines(lines: &mut Vec<String>, scope: &str, en: &EnumDescriptorProto) {
    let full = format!("{scope}.{}", en.name());
    let alias = en.options.as_ref().is_some_and(|o| o.allow_alias());
    lines.push(format!(
        "enum .{full}{}",
        if alias { " allow_alias" } else { "" }
    ));
    for value in &en.value {
        lines.push(format!(
            "value .{full}.{} number={}",
            value.name(),
            value.number()
        ));
    }
}
