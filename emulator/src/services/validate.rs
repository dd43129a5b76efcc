//! The argument checks the services share: required fields, ids that must
//! name a stored record, identity oneofs (`id` | `external_id`), emails,
//! display names, metadata and search queries. Each check answers
//! INVALID_ARGUMENT naming the field when the value is malformed, and
//! NOT_FOUND naming the resource when a well-formed id names nothing.
//!
//! A rule that only one service has stays in that service; a rule that a
//! second service needs moves here, so the two cannot drift apart. Page
//! sizes and tokens are checked by [`crate::paging`].

use std::collections::HashMap;

use tonic::Status;

use crate::status;
use crate::store::Store;

/// `value` trimmed: INVALID_ARGUMENT ("is required") when blank.
pub(crate) fn required<'a>(field: &str, value: &'a str) -> Result<&'a str, Status> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(status::invalid_argument(field, "is required"))
    } else {
        Ok(trimmed)
    }
}

/// A message field that must be set: INVALID_ARGUMENT ("is required") when
/// it is not.
pub(crate) fn present<T>(field: &str, value: Option<T>) -> Result<T, Status> {
    value.ok_or_else(|| status::invalid_argument(field, "is required"))
}

/// The organization `id` (sent as `field`): INVALID_ARGUMENT when blank,
/// NOT_FOUND when unknown.
pub(crate) fn organization(store: &Store, field: &str, id: &str) -> Result<String, Status> {
    let id = required(field, id)?;
    if store.organizations.contains_key(id) {
        Ok(id.to_string())
    } else {
        Err(status::not_found("organization", id))
    }
}

/// The longest organization id where the service checks the id's form.
const MAX_ORGANIZATION_ID: usize = 32;

/// An organization id where the service requires the `org_` prefix: an
/// INVALID_ARGUMENT naming `field` when malformed, NOT_FOUND when unknown.
pub(crate) fn prefixed_organization(
    store: &Store,
    field: &str,
    id: &str,
) -> Result<String, Status> {
    let id = required(field, id)?;
    if !id.starts_with("org_") || id.chars().count() > MAX_ORGANIZATION_ID {
        return Err(status::invalid_argument(
            field,
            "must be an organization id (org_…, at most 32 characters)",
        ));
    }
    organization(store, field, id)
}

/// The user `id` (sent as `field`): INVALID_ARGUMENT when blank, NOT_FOUND
/// when unknown.
pub(crate) fn user(store: &Store, field: &str, id: &str) -> Result<String, Status> {
    let id = required(field, id)?;
    if store.users.contains_key(id) {
        Ok(id.to_string())
    } else {
        Err(status::not_found("user", id))
    }
}

/// One arm of an identity oneof: a record named by its id or by the
/// external id the caller gave it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Identity<'a> {
    Id(&'a str),
    ExternalId(&'a str),
}

/// Converts a generated `identities` oneof with `Id` and `ExternalId` arms
/// into an [`Identity`]: `identity!(req.identities, get_user_request)`
/// within a module that imports the proto package as `pb`.
macro_rules! identity {
    ($oneof:expr, $module:ident) => {
        $oneof.as_ref().map(|w| match w {
            pb::$module::Identities::Id(id) => $crate::services::validate::Identity::Id(id),
            pb::$module::Identities::ExternalId(e) => {
                $crate::services::validate::Identity::ExternalId(e)
            }
        })
    };
}
pub(crate) use identity;

/// The user an identity oneof names: INVALID_ARGUMENT when it is missing or
/// blank, NOT_FOUND when unknown.
pub(crate) fn user_identity(store: &Store, who: Option<Identity<'_>>) -> Result<String, Status> {
    resolve_identity(
        who,
        "id",
        "user",
        |id| store.users.contains_key(id),
        |ext| store.user_id_by_external_id(ext),
    )
}

/// The organization an identity oneof names, its id arm sent as `id_field`:
/// INVALID_ARGUMENT when it is missing or blank, NOT_FOUND when unknown.
pub(crate) fn organization_identity(
    store: &Store,
    which: Option<Identity<'_>>,
    id_field: &str,
) -> Result<String, Status> {
    resolve_identity(
        which,
        id_field,
        "organization",
        |id| store.organizations.contains_key(id),
        |ext| store.organization_id_by_external_id(ext),
    )
}

fn resolve_identity(
    which: Option<Identity<'_>>,
    id_field: &str,
    resource: &str,
    exists: impl Fn(&str) -> bool,
    by_external_id: impl Fn(&str) -> Option<String>,
) -> Result<String, Status> {
    match which {
        None => Err(status::invalid_argument(
            "identities",
            format!("an {id_field} or external_id is required"),
        )),
        Some(Identity::Id(id)) => {
            let id = required(id_field, id)?;
            exists(id)
                .then(|| id.to_string())
                .ok_or_else(|| status::not_found(resource, id))
        }
        Some(Identity::ExternalId(ext)) => {
            let ext = required("external_id", ext)?;
            by_external_id(ext).ok_or_else(|| status::not_found(resource, ext))
        }
    }
}

/// An email address, trimmed and lowercased: INVALID_ARGUMENT when blank or
/// not shaped `local@domain.tld`.
pub(crate) fn email(field: &str, value: &str) -> Result<String, Status> {
    let email = required(field, value)?;
    let (local, domain) = email.split_once('@').unwrap_or(("", ""));
    if local.is_empty() || !domain.contains('.') || domain.starts_with('.') || email.contains(' ') {
        return Err(status::invalid_argument(
            field,
            "is not a valid email address",
        ));
    }
    Ok(email.to_ascii_lowercase())
}

/// A display name of at most `max` characters, trimmed: INVALID_ARGUMENT
/// naming `display_name` when blank or longer.
pub(crate) fn display_name(value: &str, max: usize) -> Result<String, Status> {
    let name = required("display_name", value)?;
    if name.chars().count() > max {
        return Err(status::invalid_argument(
            "display_name",
            format!("must be at most {max} characters"),
        ));
    }
    Ok(name.to_string())
}

/// Metadata: at most 10 pairs, keys of 3 to 25 and values of 1 to 256
/// characters (the service's validation rules).
const MAX_METADATA_PAIRS: usize = 10;
const METADATA_KEY_CHARS: (usize, usize) = (3, 25);
const METADATA_VALUE_CHARS: (usize, usize) = (1, 256);

/// INVALID_ARGUMENT naming `metadata` when it has too many pairs or a key
/// or value of the wrong length.
pub(crate) fn metadata(metadata: &HashMap<String, String>) -> Result<(), Status> {
    if metadata.len() > MAX_METADATA_PAIRS {
        return Err(status::invalid_argument(
            "metadata",
            format!("must have at most {MAX_METADATA_PAIRS} entries"),
        ));
    }
    let within = |s: &str, (min, max): (usize, usize)| (min..=max).contains(&s.chars().count());
    for (key, value) in metadata {
        if !within(key, METADATA_KEY_CHARS) {
            return Err(status::invalid_argument(
                "metadata",
                format!("key {key:?} must be 3 to 25 characters"),
            ));
        }
        if !within(value, METADATA_VALUE_CHARS) {
            return Err(status::invalid_argument(
                "metadata",
                format!("the value of {key:?} must be 1 to 256 characters"),
            ));
        }
    }
    Ok(())
}

/// The shortest search query the service accepts.
const MIN_QUERY_CHARS: usize = 3;

/// A search query, trimmed: INVALID_ARGUMENT when blank or shorter than
/// three characters.
pub(crate) fn search_query(query: &str) -> Result<&str, Status> {
    let query = required("query", query)?;
    if query.chars().count() < MIN_QUERY_CHARS {
        return Err(status::invalid_argument(
            "query",
            "must be at least 3 characters",
        ));
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_trims_and_refuses_blank() {
        assert_eq!(required("id", "  usr_1 ").ok(), Some("usr_1"));
        let err = required("id", "   ").unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        assert_eq!(err.message(), "invalid id: is required");
    }

    #[test]
    fn email_lowercases_and_refuses_malformed() {
        assert_eq!(
            email("email", " Ada@Example.COM ").ok().as_deref(),
            Some("ada@example.com")
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@.com",
            "a da@example.com",
        ] {
            let err = email("email", bad).unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{bad:?}");
        }
    }

    #[test]
    fn prefixed_organization_checks_form_before_existence() {
        let store = Store::new(0);
        let malformed = prefixed_organization(&store, "id", "acme").unwrap_err();
        assert_eq!(malformed.code(), tonic::Code::InvalidArgument);
        let unknown = prefixed_organization(&store, "id", "org_1").unwrap_err();
        assert_eq!(unknown.code(), tonic::Code::NotFound);
    }

    #[test]
    fn identity_names_the_missing_arm_and_the_id_field() {
        let store = Store::new(0);
        let missing = organization_identity(&store, None, "organization_id").unwrap_err();
        assert!(
            missing.message().contains("organization_id or external_id"),
            "{missing:?}"
        );
        let blank = user_identity(&store, Some(Identity::ExternalId(" "))).unwrap_err();
        assert_eq!(blank.code(), tonic::Code::InvalidArgument);
        let unknown = user_identity(&store, Some(Identity::Id("usr_1"))).unwrap_err();
        assert_eq!(unknown.code(), tonic::Code::NotFound);
    }

    #[test]
    fn metadata_bounds_keys_values_and_pairs() {
        let pairs = |n: usize| {
            (0..n)
                .map(|i| (format!("key{i}"), "v".to_string()))
                .collect()
        };
        assert!(metadata(&pairs(10)).is_ok());
        assert!(metadata(&pairs(11)).is_err());
        assert!(metadata(&HashMap::from([("ab".to_string(), "v".to_string())])).is_err());
        assert!(metadata(&HashMap::from([("abc".to_string(), String::new())])).is_err());
    }

    #[test]
    fn search_query_needs_three_characters() {
        assert_eq!(search_query(" acm ").ok(), Some("acm"));
        assert!(search_query("ac").is_err());
    }
}
