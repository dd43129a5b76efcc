//! Reading the `FileDescriptorProto`s that the published Node package embeds.
//!
//! protoc-gen-es writes each schema file as `fileDesc("<base64>", [deps])` in a
//! `*_pb.js` module. The base64 text is a serialized `FileDescriptorProto` whose
//! `dependency` list has been stripped; everything else (types, numbers, options)
//! is intact, with type references fully qualified.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use prost::Message as _;
use prost_types::FileDescriptorProto;

/// protoc-gen-es writes base64 without padding; accept it either way.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// The proto package prefix this project renders. Other embedded files
/// (buf.validate, google.api, openapiv2) are third-party and left out.
pub const PACKAGE_PREFIX: &str = "scalekit.v1";

/// One embedded descriptor: the bytes as published, and their decoding.
///
/// The bytes are kept because prost drops the extension options it does not
/// know (google.api.http among them) while decoding; readers of those options
/// decode the bytes again with their own message types.
pub struct Embedded {
    /// The serialized `FileDescriptorProto`, as the package embeds it.
    pub bytes: Vec<u8>,
    /// The same file, decoded.
    pub file: FileDescriptorProto,
}

/// Finds every `scalekit/v1/**/*_pb.js` under an unpacked package and decodes the
/// descriptor embedded in each. `root` may be the unpacked `package/` folder or its
/// `lib/` folder. The result is sorted by file name.
pub fn load_from_package(root: &Path) -> Result<Vec<Embedded>> {
    let grpc_dir = [
        root.join("lib/pkg/grpc/scalekit/v1"),
        root.join("pkg/grpc/scalekit/v1"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
    .with_context(|| {
        format!(
            "{} does not look like an unpacked @scalekit-sdk/node package (no lib/pkg/grpc/scalekit/v1)",
            root.display()
        )
    })?;

    let mut modules = Vec::new();
    collect_pb_modules(&grpc_dir, &mut modules)?;
    let mut files = Vec::new();
    for module in modules {
        let source =
            fs::read_to_string(&module).with_context(|| format!("reading {}", module.display()))?;
        let encoded = embedded_descriptor(&source)
            .with_context(|| format!("no fileDesc(\"…\") call in {}", module.display()))?;
        let bytes = BASE64
            .decode(encoded)
            .with_context(|| format!("base64 in {}", module.display()))?;
        let file = FileDescriptorProto::decode(bytes.as_slice())
            .with_context(|| format!("descriptor in {}", module.display()))?;
        if !file.package().starts_with(PACKAGE_PREFIX) {
            continue;
        }
        files.push(Embedded { bytes, file });
    }
    if files.is_empty() {
        bail!(
            "no scalekit.v1 descriptors found under {}",
            grpc_dir.display()
        );
    }
    files.sort_by(|a, b| a.file.name().cmp(b.file.name()));
    Ok(files)
}

fn collect_pb_modules(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect_pb_modules(&path, out)?;
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with("_pb.js"))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Returns the first string argument of the first `fileDesc(` call. Base64 text
/// never contains a quote or a backslash, so the literal needs no unescaping.
fn embedded_descriptor(source: &str) -> Option<&str> {
    let call = source.find("fileDesc")?;
    let rest = &source[call..];
    let open = rest.find("(\"")? + 2;
    let len = rest[open..].find('"')?;
    Some(&rest[open..open + len])
}

#[cfg(test)]
mod tests {
    use super::embedded_descriptor;

    #[test]
    fn embedded_descriptor_reads_the_first_string_argument() {
        let js = r#"exports.f = (0, codegenv2_1.fileDesc)("Q2gx", [wkt_1.x]);"#;
        assert_eq!(embedded_descriptor(js), Some("Q2gx"));
        assert_eq!(embedded_descriptor("const x = 1;"), None);
    }
}
