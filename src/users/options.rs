//! The options structs of [`UsersClient`]'s methods: one per RPC with
//! optional parameters, each a plain value with chainable `with_*` setters.

use std::collections::HashMap;

#[cfg(doc)]
use super::UsersClient;
use crate::pagination::token_page_options;
#[cfg(doc)]
use crate::pagination::Page;

/// Optional parameters of [`UsersClient::create_user_and_membership`].
///
/// ```
/// use scalekit::users::CreateUserAndMembershipOptions;
///
/// let opts = CreateUserAndMembershipOptions::default().with_send_invitation_email(false);
/// assert_eq!(opts.send_invitation_email, Some(false));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CreateUserAndMembershipOptions {
    /// Whether to email the user an invitation; unset, the server decides.
    pub send_invitation_email: Option<bool>,
}

impl CreateUserAndMembershipOptions {
    /// Sets [`send_invitation_email`](Self::send_invitation_email).
    #[must_use]
    pub fn with_send_invitation_email(mut self, send: bool) -> Self {
        self.send_invitation_email = Some(send);
        self
    }
}

/// Optional parameters of [`UsersClient::list_users`] and
/// [`UsersClient::list_users_stream`].
///
/// ```
/// use scalekit::users::ListUsersOptions;
///
/// let opts = ListUsersOptions::default().with_page_size(50).with_page_token("tok_2");
/// assert_eq!(opts.page_size, Some(50));
/// assert_eq!(opts.page_token.as_deref(), Some("tok_2"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListUsersOptions {
    /// Users per page; unset, the server's default. Sent as given: the server
    /// enforces its range.
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
}

impl ListUsersOptions {
    /// Sets [`page_size`](Self::page_size).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Sets [`page_token`](field@Self::page_token).
    #[must_use]
    pub fn with_page_token(mut self, page_token: impl Into<String>) -> Self {
        self.page_token = Some(page_token.into());
        self
    }
}

token_page_options!(ListUsersOptions);

/// Optional parameters of [`UsersClient::list_organization_users`] and
/// [`UsersClient::list_organization_users_stream`].
///
/// ```
/// use scalekit::users::ListOrganizationUsersOptions;
///
/// let opts = ListOrganizationUsersOptions::default().with_page_size(25);
/// assert_eq!(opts.page_size, Some(25));
/// assert_eq!(opts.page_token, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListOrganizationUsersOptions {
    /// Members per page; unset, the server's default. Sent as given: the
    /// server enforces its range.
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
}

impl ListOrganizationUsersOptions {
    /// Sets [`page_size`](Self::page_size).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Sets [`page_token`](field@Self::page_token).
    #[must_use]
    pub fn with_page_token(mut self, page_token: impl Into<String>) -> Self {
        self.page_token = Some(page_token.into());
        self
    }
}

token_page_options!(ListOrganizationUsersOptions);

/// Optional parameters of [`UsersClient::search_users`] and
/// [`UsersClient::search_users_stream`].
///
/// ```
/// use scalekit::users::SearchUsersOptions;
///
/// let opts = SearchUsersOptions::default().with_page_size(30).with_page_token("tok_2");
/// assert_eq!(opts.page_size, Some(30));
/// assert_eq!(opts.page_token.as_deref(), Some("tok_2"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct SearchUsersOptions {
    /// Matches per page; unset, the server's default. Sent as given: the
    /// server enforces its range, which is smaller for searches than for
    /// lists.
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
}

impl SearchUsersOptions {
    /// Sets [`page_size`](Self::page_size).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Sets [`page_token`](field@Self::page_token).
    #[must_use]
    pub fn with_page_token(mut self, page_token: impl Into<String>) -> Self {
        self.page_token = Some(page_token.into());
        self
    }
}

token_page_options!(SearchUsersOptions);

/// Optional parameters of [`UsersClient::search_organization_users`] and
/// [`UsersClient::search_organization_users_stream`].
///
/// ```
/// use scalekit::users::SearchOrganizationUsersOptions;
///
/// let opts = SearchOrganizationUsersOptions::default().with_page_size(10);
/// assert_eq!(opts.page_size, Some(10));
/// assert_eq!(opts.page_token, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct SearchOrganizationUsersOptions {
    /// Matches per page; unset, the server's default. Sent as given: the
    /// server enforces its range, which is smaller for searches than for
    /// lists.
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
}

impl SearchOrganizationUsersOptions {
    /// Sets [`page_size`](Self::page_size).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Sets [`page_token`](field@Self::page_token).
    #[must_use]
    pub fn with_page_token(mut self, page_token: impl Into<String>) -> Self {
        self.page_token = Some(page_token.into());
        self
    }
}

token_page_options!(SearchOrganizationUsersOptions);

/// Optional parameters of [`UsersClient::create_membership`] and
/// [`UsersClient::create_membership_by_external_id`].
///
/// ```
/// use scalekit::users::CreateMembershipOptions;
///
/// let opts = CreateMembershipOptions::default()
///     .with_roles(["member", "billing_admin"])
///     .with_metadata("department", "Finance")
///     .with_inviter_email("owner@acme.com")
///     .with_send_invitation_email(true);
/// assert_eq!(opts.roles, ["member", "billing_admin"]);
/// assert_eq!(opts.metadata["department"], "Finance");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CreateMembershipOptions {
    /// Names of the roles to give the user in the organization.
    pub roles: Vec<String>,
    /// Metadata of this membership.
    pub metadata: HashMap<String, String>,
    /// Whether to email the user an invitation; unset, the server decides.
    pub send_invitation_email: Option<bool>,
    /// The email address of the person inviting the user, shown in the
    /// invitation. Not in the other Scalekit SDKs; unset, nothing is sent.
    pub inviter_email: Option<String>,
}

impl CreateMembershipOptions {
    /// Sets [`roles`](Self::roles), replacing any roles set before.
    #[must_use]
    pub fn with_roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.roles = roles.into_iter().map(Into::into).collect();
        self
    }

    /// Adds one entry to [`metadata`](Self::metadata).
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Sets [`metadata`](Self::metadata), replacing any entries set before.
    #[must_use]
    pub fn with_metadata_map<K, V>(mut self, metadata: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.metadata = collect_metadata(metadata);
        self
    }

    /// Sets [`send_invitation_email`](Self::send_invitation_email).
    #[must_use]
    pub fn with_send_invitation_email(mut self, send: bool) -> Self {
        self.send_invitation_email = Some(send);
        self
    }

    /// Sets [`inviter_email`](Self::inviter_email).
    #[must_use]
    pub fn with_inviter_email(mut self, inviter_email: impl Into<String>) -> Self {
        self.inviter_email = Some(inviter_email.into());
        self
    }
}

/// Optional parameters of [`UsersClient::update_membership`] and
/// [`UsersClient::update_membership_by_external_id`].
///
/// ```
/// use scalekit::users::UpdateMembershipOptions;
///
/// let opts = UpdateMembershipOptions::default()
///     .with_roles(["admin"])
///     .with_metadata_map([("team", "Backend"), ("level", "senior")]);
/// assert_eq!(opts.roles, ["admin"]);
/// assert_eq!(opts.metadata.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct UpdateMembershipOptions {
    /// Names of the user's roles in the organization; they replace the
    /// current ones.
    pub roles: Vec<String>,
    /// Metadata of this membership.
    pub metadata: HashMap<String, String>,
}

impl UpdateMembershipOptions {
    /// Sets [`roles`](Self::roles), replacing any roles set before.
    #[must_use]
    pub fn with_roles(mut self, roles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.roles = roles.into_iter().map(Into::into).collect();
        self
    }

    /// Adds one entry to [`metadata`](Self::metadata).
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Sets [`metadata`](Self::metadata), replacing any entries set before.
    #[must_use]
    pub fn with_metadata_map<K, V>(mut self, metadata: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.metadata = collect_metadata(metadata);
        self
    }
}

fn collect_metadata<K, V>(metadata: impl IntoIterator<Item = (K, V)>) -> HashMap<String, String>
where
    K: Into<String>,
    V: Into<String>,
{
    metadata
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}
