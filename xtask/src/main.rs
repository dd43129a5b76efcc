//! `cargo xtask <command>`: see `cargo xtask help`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use xtask::descriptors::load_from_package;
use xtask::fingerprint::fingerprint;
use xtask::http_bindings::{self, HTTP_BINDINGS_FILE};
use xtask::render::{render_file, SymbolTable};
use xtask::{compile_proto_dir, workspace_root, FINGERPRINT_FILE, PROTO_DIR};

const USAGE: &str = "usage:
  cargo xtask sync-protos <unpacked @scalekit-sdk/node package> [--check]
      render proto/, its table of HTTP bindings and the contract fingerprint
      from the package's embedded descriptors; with --check, only report
      whether the committed files differ
  cargo xtask fingerprint
      compile proto/ and print its fingerprint";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("sync-protos") => sync_protos(&args[1..]),
        Some("fingerprint") => print_fingerprint(),
        Some("help") | Some("--help") | Some("-h") => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn sync_protos(args: &[String]) -> Result<bool> {
    let check = args.iter().any(|a| a == "--check");
    let Some(package_dir) = args.iter().find(|a| !a.starts_with("--")) else {
        bail!("sync-protos needs the unpacked package folder\n{USAGE}");
    };
    let package_dir = PathBuf::from(package_dir);
    let provenance = provenance(&package_dir)?;
    let embedded = load_from_package(&package_dir)?;
    let files: Vec<_> = embedded.iter().map(|e| e.file.clone()).collect();
    let symbols = SymbolTable::new(&files);

    let root = workspace_root();
    let mut wanted = BTreeMap::new();
    for file in &files {
        let text = render_file(file, &symbols, &provenance)?;
        wanted.insert(root.join(PROTO_DIR).join(file.name()), text);
    }
    let mut listing = format!(
        "# Fingerprint of the scalekit.v1 descriptors embedded in {provenance}.\n\
         # Written by `cargo xtask sync-protos`; checked by xtask/tests/contract.rs.\n"
    );
    listing.push_str(&fingerprint(&files));
    wanted.insert(root.join(FINGERPRINT_FILE), listing);
    let bindings = http_bindings::extract(&embedded)?;
    wanted.insert(
        root.join(HTTP_BINDINGS_FILE),
        http_bindings::render(&bindings, &provenance)?,
    );

    let stale: Vec<PathBuf> = existing_protos(&root.join(PROTO_DIR))?
        .into_iter()
        .filter(|p| !wanted.contains_key(p))
        .collect();

    if check {
        let mut clean = true;
        for (path, text) in &wanted {
            if fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
                eprintln!("differs: {}", path.display());
                clean = false;
            }
        }
        for path in &stale {
            eprintln!("not upstream: {}", path.display());
            clean = false;
        }
        if clean {
            println!("proto/, its HTTP bindings and the fingerprint match {provenance}");
        }
        return Ok(clean);
    }

    for path in &stale {
        fs::remove_file(path).with_context(|| format!("removing {}", path.display()))?;
    }
    for (path, text) in &wanted {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    summarize(&files);
    Ok(true)
}

fn print_fingerprint() -> Result<bool> {
    let files = compile_proto_dir(&workspace_root().join(PROTO_DIR))?;
    print!("{}", fingerprint(&files));
    Ok(true)
}

/// "@scalekit-sdk/node 2.2.2", read from the package's package.json.
fn provenance(package_dir: &Path) -> Result<String> {
    let manifest = [
        package_dir.join("package.json"),
        package_dir.join("../package.json"),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .context("package.json not found beside the package's lib/")?;
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&manifest)?)?;
    let name = json["name"].as_str().context("package.json has no name")?;
    let version = json["version"]
        .as_str()
        .context("package.json has no version")?;
    Ok(format!("{name} {version}"))
}

fn existing_protos(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, &mut out)?;
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path);
        }
    }
    Ok(())
}

fn summarize(files: &[prost_types::FileDescriptorProto]) {
    fn count(messages: &[prost_types::DescriptorProto]) -> usize {
        messages.iter().map(|m| 1 + count(&m.nested_type)).sum()
    }
    let services: usize = files.iter().map(|f| f.service.len()).sum();
    let rpcs: usize = files
        .iter()
        .flat_map(|f| &f.service)
        .map(|s| s.method.len())
        .sum();
    let top: usize = files.iter().map(|f| f.message_type.len()).sum();
    let all: usize = files.iter().map(|f| count(&f.message_type)).sum();
    println!(
        "rendered {} files: {services} services, {rpcs} RPCs, {top} top-level messages ({all} with nested ones)",
        files.len()
    );
}
