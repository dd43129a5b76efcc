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
    assert_eq!(count("service "), 17);
    assert_eq!(count("method "), 204);
    assert_eq!(count("file "), 19);
    // 547 messages in all, nested ones and map entries included.
    assert_eq!(count("message "), 547);
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

/// The fingerprint of @scalekit-sdk/node 2.2.2, the first reference, kept so
/// that moving the contract forward cannot silently break a 2.2.2 client.
const FINGERPRINT_2_2_2: &str = "xtask/contract/node-2.2.2.fingerprint";

/// The four session-settings RPCs the live service removed in favour of the
/// session-policy ones; their messages, and the fields only they used, went
/// with them.
const REMOVED_SESSION_SETTINGS: &[&str] = &[
    "CreateOrganizationSessionSettings",
    "GetOrganizationSessionSettings",
    "UpdateOrganizationSessionSettings",
    "DeleteOrganizationSessionSettings",
];

/// RPCs whose response message was replaced by one that decodes the old
/// bytes the same way: (method, old output, new output).
const WIRE_COMPATIBLE_OUTPUTS: &[(&str, &str, &str)] = &[
    // `BoolValue { value = 1 }` became `VerifyDomainResponse { verified = 1 }`.
    (
        ".scalekit.v1.domains.DomainService.VerifyDomain",
        ".google.protobuf.BoolValue",
        ".scalekit.v1.domains.VerifyDomainResponse",
    ),
    // `Empty` became a message with one new field, which old clients skip.
    (
        ".scalekit.v1.auth.AuthService.UpdateLoginUserDetails",
        ".google.protobuf.Empty",
        ".scalekit.v1.auth.UpdateLoginUserDetailsResponse",
    ),
];

/// Whether a 2.2.2 fingerprint line may be missing today, and why.
fn allowed_removal(line: &str) -> Option<&'static str> {
    let name = line.split_whitespace().nth(1)?;
    let org = ".scalekit.v1.organizations.";
    for rpc in REMOVED_SESSION_SETTINGS {
        let method = format!("{org}OrganizationService.{rpc}");
        let request = format!("{org}{rpc}Request");
        let response = format!("{org}{rpc}Response");
        if name == method
            || name == request
            || name == response
            || name.starts_with(&format!("{request}."))
            || name.starts_with(&format!("{response}."))
        {
            return Some("a removed session-settings RPC");
        }
    }
    // The settings message survives, but its two switches were read only by
    // the removed RPCs.
    if [
        "OrganizationSessionSettings.session_management_enabled",
        "OrganizationSessionSettings.idle_session_enabled",
    ]
    .iter()
    .any(|field| name == format!("{org}{field}"))
    {
        return Some("a field of the removed session settings");
    }
    if WIRE_COMPATIBLE_OUTPUTS
        .iter()
        .any(|(method, old, _)| name == *method && line.contains(&format!("output={old} ")))
    {
        return Some("a response replaced by a wire-compatible message");
    }
    None
}

#[test]
fn every_2_2_2_message_and_field_survives_with_its_number_and_type() {
    let root = workspace_root();
    let old = std::fs::read_to_string(root.join(FINGERPRINT_2_2_2)).unwrap();
    let files = compile_proto_dir(&root.join(PROTO_DIR)).expect("proto/ compiles");
    let now = fingerprint(&files);
    let now_lines: std::collections::BTreeSet<&str> = now.lines().collect();

    let old = fingerprint_body(&old);
    let broken: Vec<&str> = old
        .lines()
        .filter(|line| !now_lines.contains(line) && allowed_removal(line).is_none())
        .collect();
    assert!(
        broken.is_empty(),
        "2.2.2 clients would break; changed or removed:\n  {}",
        broken.join("\n  ")
    );

    // The replaced responses really are what the allowance says.
    for (method, _, new) in WIRE_COMPATIBLE_OUTPUTS {
        assert!(
            now_lines
                .iter()
                .any(|l| l.starts_with(&format!("method {method} "))
                    && l.contains(&format!("output={new} "))),
            "{method} should now return {new}"
        );
    }
    assert!(now_lines.contains(
        "field .scalekit.v1.domains.VerifyDomainResponse.verified number=1 label=LABEL_OPTIONAL \
         type=TYPE_BOOL type_name= oneof=- proto3_optional=false"
    ));
}

#[test]
fn the_2_2_2_allowance_covers_only_what_was_removed() {
    let old = std::fs::read_to_string(workspace_root().join(FINGERPRINT_2_2_2)).unwrap();
    let allowed = fingerprint_body(&old)
        .lines()
        .filter(|l| allowed_removal(l).is_some())
        .count();
    // 4 methods, 7 messages and their 18 fields, 2 settings fields and the
    // 2 replaced outputs. A wider allowance would hide real breakage.
    assert_eq!(allowed, 33);
    assert!(allowed_removal(
        "field .scalekit.v1.users.User.id number=1 label=LABEL_OPTIONAL type=TYPE_STRING \
         type_name= oneof=- proto3_optional=false"
    )
    .is_none());
}
