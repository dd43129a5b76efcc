//! Rendering `FileDescriptorProto`s back into `.proto` source.
//!
//! The output keeps everything that shapes the wire and the generated code —
//! packages, messages, nested types, fields (name, number, type, label, proto3
//! presence), oneofs, maps, enums with `allow_alias`, reserved ranges, services,
//! methods and extensions — and drops doc comments and third-party options
//! (openapiv2, buf.validate, google.api), which prost has already discarded as
//! unknown extension fields when decoding.
//!
//! Type references are written as short as protobuf's scoping rules allow while
//! still resolving to the same fully-qualified type; imports are derived from the
//! types each file references, because the embedded descriptors carry none.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

use anyhow::{bail, Context, Result};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
    ServiceDescriptorProto,
};

/// The files that declare the well-known types the schema may reference.
const WELL_KNOWN: &[(&str, &str)] = &[
    ("google.protobuf.Any", "google/protobuf/any.proto"),
    ("google.protobuf.Duration", "google/protobuf/duration.proto"),
    ("google.protobuf.Empty", "google/protobuf/empty.proto"),
    (
        "google.protobuf.FieldMask",
        "google/protobuf/field_mask.proto",
    ),
    ("google.protobuf.Struct", "google/protobuf/struct.proto"),
    ("google.protobuf.Value", "google/protobuf/struct.proto"),
    ("google.protobuf.ListValue", "google/protobuf/struct.proto"),
    ("google.protobuf.NullValue", "google/protobuf/struct.proto"),
    (
        "google.protobuf.Timestamp",
        "google/protobuf/timestamp.proto",
    ),
    (
        "google.protobuf.DoubleValue",
        "google/protobuf/wrappers.proto",
    ),
    (
        "google.protobuf.FloatValue",
        "google/protobuf/wrappers.proto",
    ),
    (
        "google.protobuf.Int64Value",
        "google/protobuf/wrappers.proto",
    ),
    (
        "google.protobuf.UInt64Value",
        "google/protobuf/wrappers.proto",
    ),
    (
        "google.protobuf.Int32Value",
        "google/protobuf/wrappers.proto",
    ),
    (
        "google.protobuf.UInt32Value",
        "google/protobuf/wrappers.proto",
    ),
    (
        "google.protobuf.BoolValue",
        "google/protobuf/wrappers.proto",
    ),
    (
        "google.protobuf.StringValue",
        "google/protobuf/wrappers.proto",
    ),
    (
        "google.protobuf.BytesValue",
        "google/protobuf/wrappers.proto",
    ),
    (
        "google.protobuf.FileOptions",
        "google/protobuf/descriptor.proto",
    ),
    (
        "google.protobuf.MessageOptions",
        "google/protobuf/descriptor.proto",
    ),
    (
        "google.protobuf.FieldOptions",
        "google/protobuf/descriptor.proto",
    ),
    (
        "google.protobuf.OneofOptions",
        "google/protobuf/descriptor.proto",
    ),
    (
        "google.protobuf.EnumOptions",
        "google/protobuf/descriptor.proto",
    ),
    (
        "google.protobuf.EnumValueOptions",
        "google/protobuf/descriptor.proto",
    ),
    (
        "google.protobuf.ServiceOptions",
        "google/protobuf/descriptor.proto",
    ),
    (
        "google.protobuf.MethodOptions",
        "google/protobuf/descriptor.proto",
    ),
];

/// Every type and package name the schema can refer to, and the file of each type.
pub struct SymbolTable {
    /// Fully-qualified type name (no leading dot) → file that declares it.
    types: HashMap<String, String>,
    /// Map-entry messages, which render as `map<K, V>` fields instead.
    map_entries: HashMap<String, DescriptorProto>,
    /// Every package and every prefix of one (`scalekit`, `scalekit.v1`, …).
    packages: HashSet<String>,
}

impl SymbolTable {
    /// Indexes the given files plus the well-known types.
    pub fn new(files: &[FileDescriptorProto]) -> Self {
        let mut table = SymbolTable {
            types: HashMap::new(),
            map_entries: HashMap::new(),
            packages: HashSet::new(),
        };
        for (name, file) in WELL_KNOWN {
            table.types.insert((*name).to_string(), (*file).to_string());
        }
        table.add_package("google.protobuf");
        for file in files {
            table.add_package(file.package());
            for message in &file.message_type {
                table.add_message(file.name(), file.package(), message);
            }
            for en in &file.enum_type {
                table
                    .types
                    .insert(join(file.package(), en.name()), file.name().to_string());
            }
        }
        table
    }

    fn add_package(&mut self, package: &str) {
        let mut prefix = String::new();
        for part in package.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            self.packages.insert(prefix.clone());
        }
    }

    fn add_message(&mut self, file: &str, scope: &str, message: &DescriptorProto) {
        let full = join(scope, message.name());
        self.types.insert(full.clone(), file.to_string());
        if is_map_entry(message) {
            self.map_entries.insert(full.clone(), message.clone());
        }
        for nested in &message.nested_type {
            self.add_message(file, &full, nested);
        }
        for en in &message.enum_type {
            self.types.insert(join(&full, en.name()), file.to_string());
        }
    }

    fn defines(&self, name: &str) -> bool {
        self.types.contains_key(name) || self.packages.contains(name)
    }

    /// Resolves `name` as protoc would from inside `scope`: the innermost scope
    /// that defines the first component wins, and the rest must exist inside it.
    fn resolve(&self, name: &str, scope: &str) -> Option<String> {
        let first = name.split('.').next().unwrap_or(name);
        let mut current = Some(scope);
        while let Some(s) = current {
            if self.defines(&join(s, first)) {
                let full = join(s, name);
                return self.types.contains_key(&full).then_some(full);
            }
            current = if s.is_empty() {
                None
            } else {
                Some(s.rfind('.').map_or("", |i| &s[..i]))
            };
        }
        None
    }

    /// The shortest spelling of `type_name` (fully qualified, leading dot) that
    /// resolves back to it from `scope`.
    fn reference(&self, type_name: &str, scope: &str) -> String {
        let target = type_name.trim_start_matches('.');
        let parts: Vec<&str> = target.split('.').collect();
        for k in 1..=parts.len() {
            let candidate = parts[parts.len() - k..].join(".");
            if self.resolve(&candidate, scope).as_deref() == Some(target) {
                return candidate;
            }
        }
        format!(".{target}")
    }

    fn file_of(&self, type_name: &str) -> Option<&str> {
        self.types
            .get(type_name.trim_start_matches('.'))
            .map(String::as_str)
    }
}

/// Renders one file as `.proto` source. `provenance` names where the
/// descriptors came from, for the header comment.
pub fn render_file(
    file: &FileDescriptorProto,
    symbols: &SymbolTable,
    provenance: &str,
) -> Result<String> {
    let syntax = match file.syntax() {
        "" | "proto2" => "proto2",
        "proto3" => "proto3",
        other => bail!("{}: syntax {other:?} is not supported", file.name()),
    };
    let package = file.package();
    let mut body = String::new();
    let mut imports = BTreeSet::new();
    let mut renderer = Renderer {
        symbols,
        syntax,
        out: &mut body,
        imports: &mut imports,
    };

    for service in &file.service {
        renderer.service(package, service)?;
    }
    renderer.extensions(package, &file.extension, 0)?;
    for message in &file.message_type {
        renderer.message(package, message, 0)?;
    }
    for en in &file.enum_type {
        renderer.enumeration(en, 0);
    }

    imports.remove(file.name());
    let mut out = String::new();
    writeln!(
        out,
        "// Rendered by `cargo xtask sync-protos` from {provenance}. Do not edit by hand."
    )?;
    writeln!(out)?;
    writeln!(out, "syntax = \"{syntax}\";")?;
    writeln!(out)?;
    writeln!(out, "package {package};")?;
    if !imports.is_empty() {
        writeln!(out)?;
        for import in &imports {
            writeln!(out, "import \"{import}\";")?;
        }
    }
    out.push_str(&body);
    Ok(out)
}

struct Renderer<'a> {
    symbols: &'a SymbolTable,
    syntax: &'static str,
    out: &'a mut String,
    imports: &'a mut BTreeSet<String>,
}

impl Renderer<'_> {
    fn line(&mut self, depth: usize, text: impl AsRef<str>) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text.as_ref());
        self.out.push('\n');
    }

    fn type_ref(&mut self, type_name: &str, scope: &str) -> Result<String> {
        let file = self.symbols.file_of(type_name).with_context(|| {
            format!("{type_name} is declared in no scalekit.v1 file and is not a well-known type")
        })?;
        self.imports.insert(file.to_string());
        Ok(self.symbols.reference(type_name, scope))
    }

    fn service(&mut self, package: &str, service: &ServiceDescriptorProto) -> Result<()> {
        self.out.push('\n');
        self.line(0, format!("service {} {{", service.name()));
        if service.options.as_ref().is_some_and(|o| o.deprecated()) {
            self.line(1, "option deprecated = true;");
        }
        for method in &service.method {
            let input = self.type_ref(method.input_type(), package)?;
            let output = self.type_ref(method.output_type(), package)?;
            let stream_in = if method.client_streaming() {
                "stream "
            } else {
                ""
            };
            let stream_out = if method.server_streaming() {
                "stream "
            } else {
                ""
            };
            let signature = format!(
                "rpc {}({stream_in}{input}) returns ({stream_out}{output})",
                method.name()
            );
            if method.options.as_ref().is_some_and(|o| o.deprecated()) {
                self.line(1, format!("{signature} {{"));
                self.line(2, "option deprecated = true;");
                self.line(1, "}");
            } else {
                self.line(1, format!("{signature};"));
            }
        }
        self.line(0, "}");
        Ok(())
    }

    fn extensions(
        &mut self,
        scope: &str,
        extensions: &[FieldDescriptorProto],
        depth: usize,
    ) -> Result<()> {
        // Group by extendee, keeping the order in which extendees first appear.
        let mut groups: Vec<(&str, Vec<&FieldDescriptorProto>)> = Vec::new();
        for ext in extensions {
            match groups.iter_mut().find(|(e, _)| *e == ext.extendee()) {
                Some((_, fields)) => fields.push(ext),
                None => groups.push((ext.extendee(), vec![ext])),
            }
        }
        for (extendee, fields) in groups {
            let extendee = self.type_ref(extendee, scope)?;
            if depth == 0 {
                self.out.push('\n');
            }
            self.line(depth, format!("extend {extendee} {{"));
            for field in fields {
                let text = self.field(scope, field)?;
                self.line(depth + 1, text);
            }
            self.line(depth, "}");
        }
        Ok(())
    }

    fn message(&mut self, scope: &str, message: &DescriptorProto, depth: usize) -> Result<()> {
        if is_map_entry(message) {
            return Ok(());
        }
        let full = join(scope, message.name());
        if depth == 0 {
            self.out.push('\n');
        }
        self.line(depth, format!("message {} {{", message.name()));
        if message.options.as_ref().is_some_and(|o| o.deprecated()) {
            self.line(depth + 1, "option deprecated = true;");
        }
        self.reserved(
            depth + 1,
            message
                .reserved_range
                .iter()
                .map(|r| (r.start(), r.end() - 1)),
            &message.reserved_name,
        );

        let mut emitted_oneofs = HashSet::new();
        for field in &message.field {
            let real_oneof = field.oneof_index.filter(|_| !field.proto3_optional());
            match real_oneof {
                Some(index) => {
                    if !emitted_oneofs.insert(index) {
                        continue;
                    }
                    let oneof = message
                        .oneof_decl
                        .get(index as usize)
                        .with_context(|| format!("{full}: oneof index {index} out of range"))?;
                    self.line(depth + 1, format!("oneof {} {{", oneof.name()));
                    for member in message
                        .field
                        .iter()
                        .filter(|f| f.oneof_index == Some(index) && !f.proto3_optional())
                    {
                        let text = self.field(&full, member)?;
                        self.line(depth + 2, text);
                    }
                    self.line(depth + 1, "}");
                }
                None => {
                    let text = self.field(&full, field)?;
                    self.line(depth + 1, text);
                }
            }
        }
        self.extensions(&full, &message.extension, depth + 1)?;
        for nested in &message.nested_type {
            self.message(&full, nested, depth + 1)?;
        }
        for en in &message.enum_type {
            self.enumeration(en, depth + 1);
        }
        self.line(depth, "}");
        Ok(())
    }

    /// One field declaration, without indentation.
    fn field(&mut self, scope: &str, field: &FieldDescriptorProto) -> Result<String> {
        let mut decl = String::new();
        if let Some(entry) = self
            .symbols
            .map_entries
            .get(field.type_name().trim_start_matches('.'))
        {
            let key = entry.field.iter().find(|f| f.number() == 1);
            let value = entry.field.iter().find(|f| f.number() == 2);
            let (Some(key), Some(value)) = (key, value) else {
                bail!("{}: map entry without key or value", field.type_name());
            };
            let key = self.field_type(scope, key)?;
            let value = self.field_type(scope, value)?;
            write!(decl, "map<{key}, {value}>")?;
        } else {
            let label = match field.label() {
                Label::Repeated => "repeated ",
                Label::Required => "required ",
                Label::Optional if field.proto3_optional() => "optional ",
                Label::Optional if self.syntax == "proto2" && field.oneof_index.is_none() => {
                    "optional "
                }
                Label::Optional => "",
            };
            decl.push_str(label);
            let ty = self.field_type(scope, field)?;
            decl.push_str(&ty);
        }
        write!(decl, " {} = {}", field.name(), field.number())?;

        let mut options = Vec::new();
        if let Some(default) = &field.default_value {
            let quoted = matches!(field.r#type(), Type::String | Type::Bytes);
            options.push(if quoted {
                format!("default = \"{}\"", default.escape_default())
            } else {
                format!("default = {default}")
            });
        }
        if let Some(json) = &field.json_name {
            if *json != default_json_name(field.name()) {
                options.push(format!("json_name = \"{json}\""));
            }
        }
        if let Some(opts) = &field.options {
            if let Some(packed) = opts.packed {
                options.push(format!("packed = {packed}"));
            }
            if opts.deprecated() {
                options.push("deprecated = true".to_string());
            }
        }
        if !options.is_empty() {
            write!(decl, " [{}]", options.join(", "))?;
        }
        decl.push(';');
        Ok(decl)
    }

    fn field_type(&mut self, scope: &str, field: &FieldDescriptorProto) -> Result<String> {
        Ok(match field.r#type() {
            Type::Double => "double".into(),
            Type::Float => "float".into(),
            Type::Int64 => "int64".into(),
            Type::Uint64 => "uint64".into(),
            Type::Int32 => "int32".into(),
            Type::Fixed64 => "fixed64".into(),
            Type::Fixed32 => "fixed32".into(),
            Type::Bool => "bool".into(),
            Type::String => "string".into(),
            Type::Bytes => "bytes".into(),
            Type::Uint32 => "uint32".into(),
            Type::Sfixed32 => "sfixed32".into(),
            Type::Sfixed64 => "sfixed64".into(),
            Type::Sint32 => "sint32".into(),
            Type::Sint64 => "sint64".into(),
            Type::Message | Type::Enum => self.type_ref(field.type_name(), scope)?,
            Type::Group => bail!("{}: groups are not supported", field.name()),
        })
    }

    fn enumeration(&mut self, en: &EnumDescriptorProto, depth: usize) {
        if depth == 0 {
            self.out.push('\n');
        }
        self.line(depth, format!("enum {} {{", en.name()));
        if let Some(opts) = &en.options {
            if opts.allow_alias() {
                self.line(depth + 1, "option allow_alias = true;");
            }
            if opts.deprecated() {
                self.line(depth + 1, "option deprecated = true;");
            }
        }
        self.reserved(
            depth + 1,
            en.reserved_range.iter().map(|r| (r.start(), r.end())),
            &en.reserved_name,
        );
        for value in &en.value {
            let deprecated = value.options.as_ref().is_some_and(|o| o.deprecated());
            let suffix = if deprecated {
                " [deprecated = true]"
            } else {
                ""
            };
            self.line(
                depth + 1,
                format!("{} = {}{suffix};", value.name(), value.number()),
            );
        }
        self.line(depth, "}");
    }

    /// `ranges` are inclusive.
    fn reserved(
        &mut self,
        depth: usize,
        ranges: impl Iterator<Item = (i32, i32)>,
        names: &[String],
    ) {
        let ranges: Vec<String> = ranges
            .map(|(start, end)| match end {
                e if e == start => start.to_string(),
                536_870_911 | i32::MAX => format!("{start} to max"),
                e => format!("{start} to {e}"),
            })
            .collect();
        if !ranges.is_empty() {
            self.line(depth, format!("reserved {};", ranges.join(", ")));
        }
        if !names.is_empty() {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            self.line(depth, format!("reserved {};", quoted.join(", ")));
        }
    }
}

fn is_map_entry(message: &DescriptorProto) -> bool {
    message.options.as_ref().is_some_and(|o| o.map_entry())
}

fn join(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_string()
    } else {
        format!("{scope}.{name}")
    }
}

/// protoc's default JSON name: underscores dropped, the letter after each one upper-cased.
fn default_json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper_next = false;
    for c in name.chars() {
        if c == '_' {
            upper_next = true;
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_json_name_camel_cases_snake_case() {
        assert_eq!(default_json_name("page_size"), "pageSize");
        assert_eq!(default_json_name("id"), "id");
        assert_eq!(default_json_name("a_b_c"), "aBC");
    }

    #[test]
    fn references_are_shortened_only_when_they_resolve_back() {
        let file = FileDescriptorProto {
            name: Some("a/b.proto".into()),
            package: Some("x.y".into()),
            message_type: vec![
                DescriptorProto {
                    name: Some("Outer".into()),
                    nested_type: vec![DescriptorProto {
                        name: Some("Thing".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
                DescriptorProto {
                    name: Some("Thing".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let symbols = SymbolTable::new(std::slice::from_ref(&file));
        // From inside Outer, `Thing` means Outer.Thing, so the package-level one
        // must be spelled with its package.
        assert_eq!(symbols.reference(".x.y.Thing", "x.y.Outer"), "y.Thing");
        assert_eq!(symbols.reference(".x.y.Outer.Thing", "x.y.Outer"), "Thing");
        assert_eq!(symbols.reference(".x.y.Thing", "x.y"), "Thing");
        assert_eq!(
            symbols.reference(".google.protobuf.Timestamp", "x.y"),
            "google.protobuf.Timestamp"
        );
    }
}
