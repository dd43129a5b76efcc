//! Argument checks run before any network I/O.
//!
//! They check shape only: an id must be a non-empty, trimmed string without
//! `/`. Length bounds, id prefixes and `page_size` limits are left to the
//! server, which is the authority on them (client copies of server rules go
//! stale, and the bounds disagree between RPCs).

use crate::error::{Error, Result};

const EMPTY: &str = "must not be empty";

/// Checks an identifier argument: not empty or whitespace only, no leading or
/// trailing whitespace, no `/`.
pub(crate) fn require_id(field: &'static str, value: &str) -> Result<()> {
    require_non_empty(field, value)?;
    if value.trim() != value {
        return Err(Error::invalid_argument(
            field,
            "must not have leading or trailing whitespace",
        ));
    }
    if value.contains('/') {
        return Err(Error::invalid_argument(field, "must not contain '/'"));
    }
    Ok(())
}

/// Checks an identifier argument as [`require_id`] does, and that it starts
/// with `prefix` (`"org_"`): only where the proto's validation rules require
/// the prefix.
pub(crate) fn require_prefixed_id(field: &'static str, value: &str, prefix: &str) -> Result<()> {
    require_id(field, value)?;
    if !value.starts_with(prefix) {
        return Err(Error::invalid_argument(
            field,
            format!("must start with {prefix:?}"),
        ));
    }
    Ok(())
}

/// Checks that a required string argument (an email address, an external id)
/// is not empty or whitespace only.
pub(crate) fn require_non_empty(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(field, EMPTY));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(result: Result<()>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidArgument { field, reason }) => (field, reason),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn require_id_accepts_plain_ids() {
        for id in ["usr_123", "org_1", "a", "ext-42:x.y", "ünïcode"] {
            assert!(require_id("user_id", id).is_ok(), "{id:?}");
        }
    }

    #[test]
    fn require_id_rejects_empty_and_blank() {
        for id in ["", " ", "\t\n", "\u{3000}"] {
            let (field, reason) = reason(require_id("user_id", id));
            assert_eq!(field, "user_id");
            assert_eq!(reason, "must not be empty", "{id:?}");
        }
    }

    #[test]
    fn require_id_rejects_untrimmed() {
        for id in [" usr_1", "usr_1 ", "usr_1\n", "\tusr_1"] {
            let (field, reason) = reason(require_id("organization_id", id));
            assert_eq!(field, "organization_id");
            assert_eq!(
                reason, "must not have leading or trailing whitespace",
                "{id:?}"
            );
        }
    }

    #[test]
    fn require_id_rejects_slash() {
        for id in ["usr/1", "/usr_1", "usr_1/", "../x"] {
            let (field, reason) = reason(require_id("user_id", id));
            assert_eq!(field, "user_id");
            assert_eq!(reason, "must not contain '/'", "{id:?}");
        }
    }

    #[test]
    fn require_prefixed_id_checks_the_prefix_after_the_shape() {
        assert!(require_prefixed_id("organization_id", "org_1", "org_").is_ok());
        let cases = [
            ("usr_1", "must start with \"org_\""),
            ("org/1", "must not contain '/'"),
            (" org_1", "must not have leading or trailing whitespace"),
            ("", "must not be empty"),
        ];
        for (id, expected) in cases {
            let (field, why) = reason(require_prefixed_id("organization_id", id, "org_"));
            assert_eq!(
                (field, why.as_str()),
                ("organization_id", expected),
                "{id:?}"
            );
        }
    }

    #[test]
    fn require_non_empty_checks_only_emptiness() {
        assert!(require_non_empty("email", "a@b.c").is_ok());
        assert!(require_non_empty("email", " a@b.c ").is_ok());
        assert!(require_non_empty("external_id", "tenant/42").is_ok());
        for value in ["", "   ", "\n"] {
            let (field, reason) = reason(require_non_empty("email", value));
            assert_eq!(field, "email");
            assert_eq!(reason, "must not be empty");
        }
    }

    #[test]
    fn invalid_argument_is_reported_as_such() {
        let err = require_id("user_id", "").unwrap_err();
        assert!(err.is_invalid_argument());
        assert!(!err.is_retryable());
    }
}
