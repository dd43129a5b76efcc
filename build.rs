//! Compiles `proto/` into prost messages and tonic client/server stubs.
//!
//! protox parses the schema in pure Rust, so no `protoc` is needed on the
//! machine. Everything generated goes to `OUT_DIR`; `src/proto.rs` is the only
//! file that includes it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use prost::Message as _;

#[path = "build/http_bindings.rs"]
mod http_bindings;
#[path = "build/redact.rs"]
mod redact;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/redact.rs");
    println!("cargo:rerun-if-changed=build/http_bindings.rs");
    println!("cargo:rustc-env=SCALEKIT_RUSTC_VERSION={}", rustc_version());

    let proto_dir = Path::new("proto");
    let mut files = Vec::new();
    collect_protos(proto_dir, proto_dir, &mut files)?;
    files.sort();
    let fds = protox::compile(&files, [proto_dir])?;

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_path = out_dir.join("scalekit_descriptor.bin");
    std::fs::write(&descriptor_path, fds.encode_to_vec())?;
    let bindings = http_bindings::Bindings::read(Path::new(http_bindings::FILE), &fds)?;
    std::fs::write(
        out_dir.join("scalekit_proto.rs"),
        module_tree(&fds, &bindings),
    )?;
    std::fs::write(out_dir.join("scalekit_methods.rs"), method_table(&fds))?;
    let redaction = redact::redaction(&fds)?;
    std::fs::write(out_dir.join("scalekit_redacted_debug.rs"), &redaction.code)?;

    // Every message implements `prost::Name`, so that code holding a type
    // can find its RPCs in `proto::METHODS` (the emulator's request journal
    // does) or pack it in an `Any`.
    let mut config = tonic_prost_build::Config::new();
    config.enable_type_names();
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .build_transport(false)
        .generate_default_stubs(true)
        // DomainService.VerifyDomain returns google.protobuf.BoolValue, which prost
        // maps to the primitive `bool`. Without this, tonic would spell it
        // `super::bool`; with it, the primitive is used as is (prost implements
        // `Message` for the wrapper primitives).
        .with_extended_rust_types(true)
        // Messages that carry credentials get their `Debug` from
        // `build/redact.rs`, which leaves the credentials out.
        .skip_debug(&redaction.skip_debug)
        .server_mod_attribute(".", "#[cfg(feature = \"server\")]")
        .server_mod_attribute(".", "#[cfg_attr(docsrs, doc(cfg(feature = \"server\")))]")
        // Hand prost the descriptor set protox made instead of running protoc.
        // (`compile_fds` would do the same but ignores `with_extended_rust_types`
        // in tonic-prost-build 0.14.)
        .file_descriptor_set_path(&descriptor_path)
        .skip_protoc_run()
        .compile_with_config(config, &files, &["proto".to_string()])?;
    Ok(())
}

/// The compiler's version (`1.95.0`), for the user agent; "unknown" if
/// `rustc --version` cannot be run.
fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.split_whitespace().nth(1).map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

fn collect_protos(
    root: &Path,
    dir: &Path,
    out: &mut Vec<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "proto") {
            let relative = path.strip_prefix(root)?;
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// One `pub mod` per package segment, nested as the package tree is (so that
/// `scalekit.v1.auth.passwordless` sits inside `scalekit.v1.auth` and prost's
/// `super::` paths resolve). Each package module includes prost's output and
/// re-exports its service clients (and, with the `server` feature, the server
/// traits) next to the messages: `proto::users::UserServiceClient`, and
/// carries each client's table of RPCs (see `build/http_bindings.rs`).
fn module_tree(fds: &prost_types::FileDescriptorSet, bindings: &http_bindings::Bindings) -> String {
    #[derive(Default)]
    struct Node<'a> {
        generated: bool,
        services: Vec<&'a prost_types::ServiceDescriptorProto>,
        children: BTreeMap<String, Node<'a>>,
    }
    let mut root = Node::default();
    for file in &fds.file {
        let package = file.package();
        if !package.starts_with("scalekit.") {
            continue;
        }
        let mut node = &mut root;
        for part in package.split('.') {
            node = node.children.entry(part.to_string()).or_default();
        }
        node.generated = true;
        node.services.extend(&file.service);
    }

    fn render(
        out: &mut String,
        bindings: &http_bindings::Bindings,
        path: &str,
        name: &str,
        node: &Node,
        depth: usize,
    ) {
        let pad = "    ".repeat(depth);
        let _ = writeln!(
            out,
            "{pad}/// Generated from the `{path}` protobuf package."
        );
        let _ = writeln!(out, "{pad}pub mod {name} {{");
        if node.generated {
            let _ = writeln!(
                out,
                "{pad}    include!(concat!(env!(\"OUT_DIR\"), \"/{path}.rs\"));"
            );
        }
        for service in &node.services {
            out.push_str(&bindings.service_code(path, service, &format!("{pad}    ")));
            let service = service.name();
            let snake = snake_case(service);
            let _ = writeln!(
                out,
                "{pad}    pub use self::{snake}_client::{service}Client;"
            );
            let _ = writeln!(out, "{pad}    #[cfg(feature = \"server\")]");
            let _ = writeln!(
                out,
                "{pad}    pub use self::{snake}_server::{{{service}, {service}Server}};"
            );
        }
        for (child, child_node) in &node.children {
            render(
                out,
                bindings,
                &format!("{path}.{child}"),
                child,
                child_node,
                depth + 1,
            );
        }
        let _ = writeln!(out, "{pad}}}");
    }

    let mut out = bindings.listing();
    for (name, node) in &root.children {
        render(&mut out, bindings, name, name, node, 0);
    }
    out
}

/// `METHODS`: every RPC of the `scalekit.*` packages with its request and
/// response types, sorted by path so that `proto::method` can search it.
fn method_table(fds: &prost_types::FileDescriptorSet) -> String {
    let mut rows = Vec::new();
    for file in &fds.file {
        let package = file.package();
        if !package.starts_with("scalekit.") {
            continue;
        }
        for service in &file.service {
            for method in &service.method {
                rows.push(format!(
                    "    MethodDescriptor {{ path: \"{package}.{}/{}\", input_type: \"{}\", output_type: \"{}\" }},",
                    service.name(),
                    method.name(),
                    method.input_type().trim_start_matches('.'),
                    method.output_type().trim_start_matches('.'),
                ));
            }
        }
    }
    rows.sort();
    format!(
        "/// Every RPC of `proto/`, sorted by path.\npub const METHODS: &[MethodDescriptor] = &[\n{}\n];\n",
        rows.join("\n")
    )
}

/// tonic's module naming: `UserService` → `user_service`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
