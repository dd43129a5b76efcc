//! The wire contract: `proto/` must compile to exactly the schema the reference
//! package publishes. The committed fingerprint was written by
//! `cargo xtask sync-protos` from the upstream descriptors; this test compiles
//! `proto/` from scratch and compares line by line, so renaming a field,
//! renumbering it, changing its type or label, or moving it in or out of a
//! oneof fails here.

use xtask::fingerprint::fingerprint;
use xtask::{compile_proto_dir, fingerprint_body, workspace_root, FINGERPRINT_FILE, PROTO_DIR};

#[test]
fn proto_dir_compiles_to_the_upstream_fingerprint() {
    let root = workspace_root();
    let committed = std::fs::read_to_string(root.join(FINGERPRINT_FILE))
        .expect("the committed fingerprint is readable");
    let expected = fingerprint_body(&committed);
    let files = compile_proto_dir(&root.join(PROTO_DIR)).expect("proto/ compiles");
    let actual = fingerprint(&files);

    let expected_lines: std::collections::BTreeSet<&str> = expected.lines().collect();
    let actual_lines: std::collections::BTreeSet<&str> = actual.lines().collect();
    let missing: Vec<_> = expected_lines.difference(&actual_lines).collect();
    let extra: Vec<_> = actual_lines.difference(&expected_lines).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "proto/ drifted from the upstream descriptors\nmissing from proto/:\n  {}\nnot upstream:\n  {}",
        missing.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("\n  "),
        extra.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("\n  "),
    );
}

#[test]
fn fingerprint_counts_match_the_reference_package() {
    let committed = std::fs::read_to_string(workspace_root().join(FINGERPRINT_FILE)).unwrap();
    let count = |prefix: &str| committed.lines().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("service "), 11);
    assert_eq!(count("method "), 129);
    assert_eq!(count("file "), 14);
    // 345 messages in all, nested ones and map entries included.
    assert_eq!(count("message "), 345);
}

#[test]
fn a_renumbered_field_changes_the_fingerprint() {
    let root = workspace_root();
    let mut files = compile_proto_dir(&root.join(PROTO_DIR)).unwrap();
    let before = fingerprint(&files);
    let users = files
        .iter_mut()
        .find(|f| f.package() == "scalekit.v1.users")
        .unwrap();
    let user = users
        .message_type
        .iter_mut()
        .find(|m| m.name() == "User")
        .unwrap();
    user.field[0].number = Some(99);
    assert_ne!(before, fingerprint(&files));
}
