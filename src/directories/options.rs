//! The options structs of [`DirectoriesClient`]'s list methods: paging,
//! detail and the `updated_after` filter, each a plain value with chainable
//! `with_*` setters.

use std::time::SystemTime;

#[cfg(doc)]
use super::{DirectoriesClient, DirectoryGroup, DirectoryUser};
use crate::pagination::token_page_options;
#[cfg(doc)]
use crate::pagination::Page;

/// Optional parameters of [`DirectoriesClient::list_directory_users`] and
/// [`DirectoriesClient::list_directory_users_stream`].
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use scalekit::directories::ListDirectoryUsersOptions;
///
/// let a_day_ago = SystemTime::now() - Duration::from_secs(24 * 60 * 60);
/// let opts = ListDirectoryUsersOptions::default()
///     .with_page_size(50)
///     .with_include_detail(true)
///     .with_directory_group_id("dirgroup_789")
///     .with_updated_after(a_day_ago);
/// assert_eq!(opts.page_size, Some(50));
/// assert_eq!(opts.updated_after, Some(a_day_ago));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListDirectoryUsersOptions {
    /// Users per page; unset, the server's default. Sent as given: the
    /// server enforces its range.
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
    /// Whether each user carries the full profile the provider sent
    /// ([`DirectoryUser::user_detail`]); unset, the server decides.
    pub include_detail: Option<bool>,
    /// Only members of this directory group.
    pub directory_group_id: Option<String>,
    /// Only users updated after this instant.
    pub updated_after: Option<SystemTime>,
}

impl ListDirectoryUsersOptions {
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

    /// Sets [`include_detail`](Self::include_detail).
    #[must_use]
    pub fn with_include_detail(mut self, include_detail: bool) -> Self {
        self.include_detail = Some(include_detail);
        self
    }

    /// Sets [`directory_group_id`](Self::directory_group_id).
    #[must_use]
    pub fn with_directory_group_id(mut self, directory_group_id: impl Into<String>) -> Self {
        self.directory_group_id = Some(directory_group_id.into());
        self
    }

    /// Sets [`updated_after`](Self::updated_after).
    #[must_use]
    pub fn with_updated_after(mut self, updated_after: SystemTime) -> Self {
        self.updated_after = Some(updated_after);
        self
    }
}

token_page_options!(ListDirectoryUsersOptions);

/// Optional parameters of [`DirectoriesClient::list_directory_groups`] and
/// [`DirectoriesClient::list_directory_groups_stream`].
///
/// ```
/// use scalekit::directories::ListDirectoryGroupsOptions;
///
/// let opts = ListDirectoryGroupsOptions::default()
///     .with_page_size(30)
///     .with_include_detail(true);
/// assert_eq!(opts.include_detail, Some(true));
/// assert_eq!(opts.page_token, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListDirectoryGroupsOptions {
    /// Groups per page; unset, the server's default. Sent as given: the
    /// server enforces its range.
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
    /// Whether each group carries the full record the provider sent
    /// ([`DirectoryGroup::group_detail`]); unset, the server decides.
    pub include_detail: Option<bool>,
    /// Only groups updated after this instant.
    pub updated_after: Option<SystemTime>,
}

impl ListDirectoryGroupsOptions {
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

    /// Sets [`include_detail`](Self::include_detail).
    #[must_use]
    pub fn with_include_detail(mut self, include_detail: bool) -> Self {
        self.include_detail = Some(include_detail);
        self
    }

    /// Sets [`updated_after`](Self::updated_after).
    #[must_use]
    pub fn with_updated_after(mut self, updated_after: SystemTime) -> Self {
        self.updated_after = Some(updated_after);
        self
    }
}

token_page_options!(ListDirectoryGroupsOptions);
