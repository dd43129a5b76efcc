//! Each RPC's contract as code: its proto name and the HTTP verb of its
//! `google.api.http` binding, read from `proto/http_bindings.tsv` (written by
//! `cargo xtask sync-protos`) and keyed by the generated client's method
//! name, so that `src/transport/idempotency.rs` decides idempotency at
//! compile time.
//!
//! For each service, the output is a unit struct with one `const fn` per
//! RPC, named as the generated client's method is, and an implementation of
//! `transport::idempotency::Rpcs` that ties the struct to the client type.
//! The `call!` macro resolves the method name against that struct, so an
//! RPC without a row cannot be called through the facade: it does not
//! compile.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use heck::ToSnakeCase as _;

/// The table, relative to the package root.
pub const FILE: &str = "proto/http_bindings.tsv";

/// Where the generated code finds the types it names.
const IDEMPOTENCY: &str = "crate::transport::idempotency";

/// The verb of every RPC, by (full service name, RPC name).
pub struct Bindings {
    verbs: BTreeMap<(String, String), &'static str>,
}

impl Bindings {
    /// Reads the table and checks it against the compiled schema: every RPC
    /// has exactly one row and every row names an RPC, so a stale table is a
    /// build error rather than a guess.
    pub fn read(
        path: &Path,
        fds: &prost_types::FileDescriptorSet,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| format!("reading {}: {err}", path.display()))?;
        let mut verbs = BTreeMap::new();
        for (number, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let at = || format!("{}:{}", path.display(), number + 1);
            let cells: Vec<&str> = line.split('\t').collect();
            let [service, rpc, verb, _path] = cells[..] else {
                return Err(format!("{}: expected 4 tab-separated cells", at()).into());
            };
            let variant = verb_variant(verb)
                .ok_or_else(|| format!("{}: unknown HTTP verb {verb:?}", at()))?;
            if verbs
                .insert((service.to_string(), rpc.to_string()), variant)
                .is_some()
            {
                return Err(format!("{}: {service}.{rpc} is listed twice", at()).into());
            }
        }

        let mut unlisted = Vec::new();
        let mut known = 0;
        for (service, method) in rpcs(fds) {
            known += 1;
            if !verbs.contains_key(&(service.clone(), method.to_string())) {
                unlisted.push(format!("{service}.{method}"));
            }
        }
        if !unlisted.is_empty() {
            return Err(format!(
                "{} has no row for {}; run `cargo xtask sync-protos`",
                path.display(),
                unlisted.join(", ")
            )
            .into());
        }
        if verbs.len() != known {
            return Err(format!(
                "{} lists RPCs that proto/ does not declare; run `cargo xtask sync-protos`",
                path.display()
            )
            .into());
        }
        Ok(Bindings { verbs })
    }

    /// The struct of `service`'s RPCs and its `Rpcs` implementation for the
    /// generated client, indented by `pad`, to sit beside the client's
    /// re-export in the package module.
    pub fn service_code(
        &self,
        package: &str,
        service: &prost_types::ServiceDescriptorProto,
        pad: &str,
    ) -> String {
        let name = service.name();
        let full = format!("{package}.{name}");
        let table = format!("{name}Rpcs");
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{pad}/// The proto name and idempotency of each `{name}` RPC, by the\n\
             {pad}/// generated client's method name (see `transport::idempotency`)."
        );
        let _ = writeln!(out, "{pad}#[derive(Clone, Copy)]");
        let _ = writeln!(out, "{pad}#[allow(dead_code)]");
        let _ = writeln!(out, "{pad}pub(crate) struct {table};");
        let _ = writeln!(out, "{pad}#[allow(dead_code)]");
        let _ = writeln!(out, "{pad}impl {table} {{");
        for method in &service.method {
            let rpc = method.name();
            let verb = self.verbs[&(full.clone(), rpc.to_string())];
            let _ = writeln!(
                out,
                "{pad}    pub(crate) const fn {}(self) -> {IDEMPOTENCY}::Rpc {{\n\
                 {pad}        const {{ {IDEMPOTENCY}::Rpc::new(\"{full}\", \"{rpc}\", {IDEMPOTENCY}::Verb::{verb}) }}\n\
                 {pad}    }}",
                rpc.to_snake_case()
            );
        }
        let _ = writeln!(out, "{pad}}}");
        let _ = writeln!(
            out,
            "{pad}impl<T> {IDEMPOTENCY}::Rpcs for {name}Client<T> {{\n\
             {pad}    type Table = {table};\n\
             {pad}    const TABLE: {table} = {table};\n\
             {pad}}}"
        );
        out
    }

    /// Every RPC with its verb, for the checks of the exceptions table.
    pub fn listing(&self) -> String {
        let mut out = String::from(
            "/// Every RPC in `proto/` with the verb of its HTTP binding\n\
             /// (`proto/http_bindings.tsv`), for the checks of\n\
             /// `transport::idempotency`'s exceptions.\n",
        );
        let _ = writeln!(
            out,
            "pub(crate) const HTTP_BINDINGS: &[(&str, &str, {IDEMPOTENCY}::Verb)] = &["
        );
        for ((service, rpc), verb) in &self.verbs {
            let _ = writeln!(
                out,
                "    (\"{service}\", \"{rpc}\", {IDEMPOTENCY}::Verb::{verb}),"
            );
        }
        out.push_str("];\n");
        out
    }
}

/// Every (full service name, RPC name) of the `scalekit.*` packages.
fn rpcs(fds: &prost_types::FileDescriptorSet) -> impl Iterator<Item = (String, &str)> {
    fds.file
        .iter()
        .filter(|file| file.package().starts_with("scalekit."))
        .flat_map(|file| {
            file.service.iter().flat_map(move |service| {
                let full = format!("{}.{}", file.package(), service.name());
                service
                    .method
                    .iter()
                    .map(move |method| (full.clone(), method.name()))
            })
        })
}

/// The `transport::idempotency::Verb` variant of an HTTP verb.
fn verb_variant(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "GET" => "Get",
        "PUT" => "Put",
        "DELETE" => "Delete",
        "POST" => "Post",
        "PATCH" => "Patch",
        _ => return None,
    })
}
