//! Developer tooling for scalekit-rs: turning the descriptors published in the
//! reference Node package into `proto/`, and fingerprinting the schema so a test
//! can prove `proto/` still matches upstream.

pub mod descriptors;
pub mod fingerprint;
pub mod http_bindings;
pub mod render;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use prost_types::FileDescriptorProto;

/// The folder holding the rendered `.proto` files, relative to the workspace root.
pub const PROTO_DIR: &str = "proto";
/// The committed fingerprint of the upstream descriptors.
pub const FINGERPRINT_FILE: &str = "xtask/contract/upstream.fingerprint";

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Compiles every `.proto` under `proto_dir` with protox (no protoc needed).
pub fn compile_proto_dir(proto_dir: &Path) -> Result<Vec<FileDescriptorProto>> {
    let mut files = Vec::new();
    collect_protos(proto_dir, proto_dir, &mut files)?;
    files.sort();
    let set = protox::compile(&files, [proto_dir])
        .with_context(|| format!("compiling {}", proto_dir.display()))?;
    Ok(set.file)
}

fn collect_protos(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
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

/// Strips the `#` header lines of a fingerprint file, leaving the listing.
pub fn fingerprint_body(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}
