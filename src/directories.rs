//! SCIM directories of organizations, with their synced users and groups.
//!
//! [`DirectoriesClient`] wraps the directory RPCs of
//! `scalekit.v1.directories.DirectoryService` with the method names of the
//! other Scalekit SDKs. A directory receives users and groups from the
//! organization's identity provider (over SCIM); while it is enabled, changes
//! in the provider flow into it.
//!
//! ```
//! use futures::TryStreamExt as _;
//! use scalekit::directories::ListDirectoryUsersOptions;
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let directories = client.directories();
//!     let directory = directories
//!         .get_primary_directory_by_organization_id("org_123")
//!         .await?;
//!     let users: Vec<_> = directories
//!         .list_directory_users_stream("org_123", &directory.id, ListDirectoryUsersOptions::default())
//!         .try_collect()
//!         .await?;
//!     println!("{} users synced from {}", users.len(), directory.name);
//!     Ok(())
//! }
//! ```

use std::time::SystemTime;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, token_page_options, Page};
use crate::proto::directories::{
    DirectoryServiceClient, GetDirectoryRequest, ListDirectoriesRequest,
    ListDirectoryGroupsRequest, ListDirectoryUsersRequest, ToggleDirectoryRequest,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::directories::{
    Directory, DirectoryGroup, DirectoryProvider, DirectoryType, DirectoryUser,
    ToggleDirectoryResponse,
};

/// SCIM directories; obtained from
/// [`ScalekitClient::directories`](crate::ScalekitClient::directories).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call. The `*_stream` methods keep their own clone, so their streams are
/// `'static`.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let directory = client.directories().get_directory("org_123", "dir_456").await?;
///     println!("{}: {} users", directory.name, directory.total_users);
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct DirectoriesClient {
    stub: Stub<DirectoryServiceClient<AuthChannel>>,
}

impl DirectoriesClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        DirectoriesClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.directories.DirectoryService",
                DirectoryServiceClient::new,
            ),
        }
    }

    /// Lists every directory of an organization.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let directories = client.directories().list_directories("org_123").await?;
    ///     for directory in &directories {
    ///         println!("{} enabled: {}", directory.id, directory.enabled);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The list is not paginated.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub async fn list_directories(&self, organization_id: &str) -> Result<Vec<Directory>> {
        let request = list_directories_request(organization_id)?;
        let response = call!(self.stub, list_directories(request)).await?;
        Ok(response.directories)
    }

    /// Gets one directory of an organization, with its user and group
    /// counts.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let directory = client.directories().get_directory("org_123", "dir_456").await?;
    ///     println!(
    ///         "{:?}: {} users, {} groups",
    ///         directory.directory_provider(),
    ///         directory.total_users,
    ///         directory.total_groups
    ///     );
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `directory_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or a directory it does not have
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("directory")` if the response has no
    ///   directory.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub async fn get_directory(
        &self,
        organization_id: &str,
        directory_id: &str,
    ) -> Result<Directory> {
        let request = get_directory_request(organization_id, directory_id)?;
        let response = call!(self.stub, get_directory(request)).await?;
        response
            .directory
            .ok_or(Error::MalformedResponse("directory"))
    }

    /// Gets an organization's primary directory: the first one it lists.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     match client
    ///         .directories()
    ///         .get_primary_directory_by_organization_id("org_123")
    ///         .await
    ///     {
    ///         Ok(directory) => println!("primary directory {}", directory.id),
    ///         Err(err) if err.is_not_found() => println!("no directory set up"),
    ///         Err(err) => return Err(err),
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Most organizations have a single directory; this finds it without
    /// knowing its id. It makes one
    /// [`list_directories`](DirectoriesClient::list_directories) call and
    /// returns the first directory, as the other Scalekit SDKs do.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] with `NOT_FOUND` ([`Error::is_not_found`]) when the
    ///   organization has no directory (the server listed none; this error is
    ///   made by the SDK and carries no Scalekit details), or for the server's
    ///   own rejections, e.g. an unknown organization.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub async fn get_primary_directory_by_organization_id(
        &self,
        organization_id: &str,
    ) -> Result<Directory> {
        let directories = self.list_directories(organization_id).await?;
        primary_directory(organization_id, directories)
    }

    /// Lists one page of the users synced into a directory.
    ///
    /// ```
    /// use scalekit::directories::ListDirectoryUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListDirectoryUsersOptions::default()
    ///         .with_page_size(50)
    ///         .with_directory_group_id("dirgroup_789");
    ///     let page = client
    ///         .directories()
    ///         .list_directory_users("org_123", "dir_456", opts)
    ///         .await?;
    ///     for user in &page {
    ///         println!("{} {} <{}>", user.given_name, user.family_name, user.email);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// An unset page size or token is sent as the field's default (`0`,
    /// `""`); the other options are sent only when set. To walk every page,
    /// use
    /// [`list_directory_users_stream`](DirectoriesClient::list_directory_users_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `directory_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization, directory or group ([`Error::is_not_found`]),
    ///   `INVALID_ARGUMENT` for a page size out of the server's range or an
    ///   unknown page token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub async fn list_directory_users(
        &self,
        organization_id: &str,
        directory_id: &str,
        opts: ListDirectoryUsersOptions,
    ) -> Result<Page<DirectoryUser>> {
        let request = list_directory_users_request(organization_id, directory_id, &opts)?;
        let response = call!(self.stub, list_directory_users(request)).await?;
        Ok(Page::new(
            response.users,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every user synced into a directory, fetching pages as
    /// needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::directories::ListDirectoryUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListDirectoryUsersOptions::default().with_page_size(100);
    ///     let mut users = std::pin::pin!(client
    ///         .directories()
    ///         .list_directory_users_stream("org_123", "dir_456", opts));
    ///     while let Some(user) = users.try_next().await? {
    ///         println!("{}", user.email);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its
    /// page size and filters), starting at its page token if set. The stream
    /// ends after the last page.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`list_directory_users`](DirectoriesClient::list_directory_users) (an
    /// invalid id is the first and only item), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub fn list_directory_users_stream(
        &self,
        organization_id: &str,
        directory_id: &str,
        opts: ListDirectoryUsersOptions,
    ) -> impl Stream<Item = Result<DirectoryUser>> + Send + 'static {
        let client = self.clone();
        let ids = (organization_id.to_owned(), directory_id.to_owned());
        paginate(opts, move |opts| {
            let client = client.clone();
            let (organization_id, directory_id) = ids.clone();
            async move {
                client
                    .list_directory_users(&organization_id, &directory_id, opts)
                    .await
            }
        })
    }

    /// Lists one page of the groups synced into a directory.
    ///
    /// ```
    /// use scalekit::directories::ListDirectoryGroupsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListDirectoryGroupsOptions::default()
    ///         .with_page_size(30)
    ///         .with_include_detail(true);
    ///     let page = client
    ///         .directories()
    ///         .list_directory_groups("org_123", "dir_456", opts)
    ///         .await?;
    ///     for group in &page {
    ///         println!("{}: {} members", group.display_name, group.total_users);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// An unset page size or token is sent as the field's default (`0`,
    /// `""`); the other options are sent only when set. To walk every page,
    /// use
    /// [`list_directory_groups_stream`](DirectoriesClient::list_directory_groups_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `directory_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or directory ([`Error::is_not_found`]),
    ///   `INVALID_ARGUMENT` for a page size out of the server's range or an
    ///   unknown page token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub async fn list_directory_groups(
        &self,
        organization_id: &str,
        directory_id: &str,
        opts: ListDirectoryGroupsOptions,
    ) -> Result<Page<DirectoryGroup>> {
        let request = list_directory_groups_request(organization_id, directory_id, &opts)?;
        let response = call!(self.stub, list_directory_groups(request)).await?;
        Ok(Page::new(
            response.groups,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every group synced into a directory, fetching pages as
    /// needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::directories::ListDirectoryGroupsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let groups: Vec<_> = client
    ///         .directories()
    ///         .list_directory_groups_stream("org_123", "dir_456", ListDirectoryGroupsOptions::default())
    ///         .try_collect()
    ///         .await?;
    ///     println!("{} groups", groups.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its
    /// page size and filters), starting at its page token if set. The stream
    /// ends after the last page.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`list_directory_groups`](DirectoriesClient::list_directory_groups)
    /// (an invalid id is the first and only item), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub fn list_directory_groups_stream(
        &self,
        organization_id: &str,
        directory_id: &str,
        opts: ListDirectoryGroupsOptions,
    ) -> impl Stream<Item = Result<DirectoryGroup>> + Send + 'static {
        let client = self.clone();
        let ids = (organization_id.to_owned(), directory_id.to_owned());
        paginate(opts, move |opts| {
            let client = client.clone();
            let (organization_id, directory_id) = ids.clone();
            async move {
                client
                    .list_directory_groups(&organization_id, &directory_id, opts)
                    .await
            }
        })
    }

    /// Enables a directory: the identity provider's users and groups start
    /// (or resume) syncing into it.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let toggled = client
    ///         .directories()
    ///         .enable_directory("org_123", "dir_456")
    ///         .await?;
    ///     assert!(toggled.enabled);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Enabling an enabled directory changes nothing. The response carries
    /// the new state and, when the server reports one, an error message.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `directory_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or directory ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub async fn enable_directory(
        &self,
        organization_id: &str,
        directory_id: &str,
    ) -> Result<ToggleDirectoryResponse> {
        let request = toggle_directory_request(organization_id, directory_id)?;
        call!(self.stub, enable_directory(request)).await
    }

    /// Disables a directory: syncing stops, and the users and groups already
    /// synced stay.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let toggled = client
    ///         .directories()
    ///         .disable_directory("org_123", "dir_456")
    ///         .await?;
    ///     assert!(!toggled.enabled);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Disabling a disabled directory changes nothing.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `directory_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or directory ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub async fn disable_directory(
        &self,
        organization_id: &str,
        directory_id: &str,
    ) -> Result<ToggleDirectoryResponse> {
        let request = toggle_directory_request(organization_id, directory_id)?;
        call!(self.stub, disable_directory(request)).await
    }
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Requests, exactly as the reference builds them
// ---------------------------------------------------------------------------

fn list_directories_request(organization_id: &str) -> Result<ListDirectoriesRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(ListDirectoriesRequest {
        organization_id: organization_id.to_owned(),
    })
}

fn get_directory_request(organization_id: &str, directory_id: &str) -> Result<GetDirectoryRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("directory_id", directory_id)?;
    Ok(GetDirectoryRequest {
        id: directory_id.to_owned(),
        organization_id: organization_id.to_owned(),
    })
}

/// The first listed directory, or a NOT_FOUND error (the reference rejects
/// with "directory does not exist for organization").
fn primary_directory(organization_id: &str, directories: Vec<Directory>) -> Result<Directory> {
    directories.into_iter().next().ok_or_else(|| {
        Error::from(tonic::Status::not_found(format!(
            "directory does not exist for organization {organization_id}"
        )))
    })
}

fn list_directory_users_request(
    organization_id: &str,
    directory_id: &str,
    opts: &ListDirectoryUsersOptions,
) -> Result<ListDirectoryUsersRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("directory_id", directory_id)?;
    Ok(ListDirectoryUsersRequest {
        organization_id: organization_id.to_owned(),
        directory_id: directory_id.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
        include_detail: opts.include_detail,
        directory_group_id: opts.directory_group_id.clone(),
        updated_after: opts.updated_after.map(prost_types::Timestamp::from),
    })
}

fn list_directory_groups_request(
    organization_id: &str,
    directory_id: &str,
    opts: &ListDirectoryGroupsOptions,
) -> Result<ListDirectoryGroupsRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("directory_id", directory_id)?;
    Ok(ListDirectoryGroupsRequest {
        organization_id: organization_id.to_owned(),
        directory_id: directory_id.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
        updated_after: opts.updated_after.map(prost_types::Timestamp::from),
        include_detail: opts.include_detail,
        include_external_groups: None,
    })
}

fn toggle_directory_request(
    organization_id: &str,
    directory_id: &str,
) -> Result<ToggleDirectoryRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("directory_id", directory_id)?;
    Ok(ToggleDirectoryRequest {
        organization_id: organization_id.to_owned(),
        id: directory_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    //! Request shapes. Each `REF_*` constant is the request the reference
    //! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/directory.js`) encodes for
    //! the same call, captured by running its `DirectoryClient` with a
    //! `connectExec` stub that records
    //! `toBinary(method.input, create(method.input, req))`.

    use std::time::{Duration, UNIX_EPOCH};

    use prost::Message;

    use super::*;
    use crate::pagination::PageOptions;

    fn decode<M: Message + Default>(hex: &str) -> M {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        M::decode(bytes.as_slice()).unwrap()
    }

    fn invalid<T: std::fmt::Debug>(result: Result<T>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidArgument { field, reason }) => (field, reason),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    const REF_LIST_DIRECTORIES: &str = "0a056f72675f31";
    const REF_GET_DIRECTORY: &str = "0a056469725f3112056f72675f31";
    const REF_LIST_DIRECTORY_USERS_NONE: &str = "0a056f72675f3112056469725f31";
    const REF_LIST_DIRECTORY_USERS_FULL: &str = "0a056f72675f3112056469725f3118142201742800320a64697267726f75705f313a0b08a5facdac0610809bee02";
    const REF_LIST_DIRECTORY_GROUPS_NONE: &str = "0a056f72675f3112056469725f31";
    const REF_LIST_DIRECTORY_GROUPS_FULL: &str =
        "0a056f72675f3112056469725f3118142201742a0b08a5facdac0610809bee023001";
    const REF_ENABLE_DIRECTORY: &str = "0a056f72675f311a056469725f31";
    const REF_DISABLE_DIRECTORY: &str = "0a056f72675f311a056469725f31";

    /// `new Date("2024-01-02T03:04:05.006Z")`, as the reference's
    /// `updatedAfter` option.
    fn updated_after() -> SystemTime {
        UNIX_EPOCH + Duration::new(1_704_164_645, 6_000_000)
    }

    // listDirectories('org_1')
    #[test]
    fn list_directories_request_matches_reference() {
        let request = list_directories_request("org_1").unwrap();
        assert_eq!(
            request,
            ListDirectoriesRequest {
                organization_id: "org_1".to_owned(),
            }
        );
        assert_eq!(
            request,
            decode::<ListDirectoriesRequest>(REF_LIST_DIRECTORIES)
        );
        let (field, _) = invalid(list_directories_request(" "));
        assert_eq!(field, "organization_id");
    }

    // getDirectory('org_1', 'dir_1')
    #[test]
    fn get_directory_request_matches_reference() {
        let request = get_directory_request("org_1", "dir_1").unwrap();
        assert_eq!(
            request,
            GetDirectoryRequest {
                id: "dir_1".to_owned(),
                organization_id: "org_1".to_owned(),
            }
        );
        assert_eq!(request, decode::<GetDirectoryRequest>(REF_GET_DIRECTORY));
        let (field, _) = invalid(get_directory_request("org_1", "dir/1"));
        assert_eq!(field, "directory_id");
        let (field, _) = invalid(get_directory_request("", "dir_1"));
        assert_eq!(field, "organization_id");
    }

    #[test]
    fn primary_directory_is_the_first_listed_or_not_found() {
        let directory = |id: &str| Directory {
            id: id.to_owned(),
            ..Default::default()
        };
        let first = primary_directory("org_1", vec![directory("dir_1"), directory("dir_2")]);
        assert_eq!(first.unwrap().id, "dir_1");

        let err = primary_directory("org_1", Vec::new()).unwrap_err();
        assert!(err.is_not_found(), "{err:?}");
        assert!(err.api().unwrap().message().contains("org_1"));
    }

    // listDirectoryUsers('org_1', 'dir_1')
    #[test]
    fn list_directory_users_request_without_options_matches_reference() {
        let request =
            list_directory_users_request("org_1", "dir_1", &ListDirectoryUsersOptions::default())
                .unwrap();
        assert_eq!(
            request,
            ListDirectoryUsersRequest {
                organization_id: "org_1".to_owned(),
                directory_id: "dir_1".to_owned(),
                ..Default::default()
            }
        );
        assert_eq!(
            request,
            decode::<ListDirectoryUsersRequest>(REF_LIST_DIRECTORY_USERS_NONE)
        );
    }

    // listDirectoryUsers('org_1', 'dir_1', { pageSize: 20, pageToken: 't', includeDetail: false,
    //   directoryGroupId: 'dirgroup_1', updatedAfter: '2024-01-02T03:04:05.006Z' })
    #[test]
    fn list_directory_users_request_with_options_matches_reference() {
        let opts = ListDirectoryUsersOptions::default()
            .with_page_size(20)
            .with_page_token("t")
            .with_include_detail(false)
            .with_directory_group_id("dirgroup_1")
            .with_updated_after(updated_after());
        let request = list_directory_users_request("org_1", "dir_1", &opts).unwrap();
        assert_eq!(
            request,
            ListDirectoryUsersRequest {
                organization_id: "org_1".to_owned(),
                directory_id: "dir_1".to_owned(),
                page_size: 20,
                page_token: "t".to_owned(),
                include_detail: Some(false),
                directory_group_id: Some("dirgroup_1".to_owned()),
                updated_after: Some(prost_types::Timestamp {
                    seconds: 1_704_164_645,
                    nanos: 6_000_000,
                }),
            }
        );
        assert_eq!(
            request,
            decode::<ListDirectoryUsersRequest>(REF_LIST_DIRECTORY_USERS_FULL)
        );
        let (field, _) = invalid(list_directory_users_request("org_1", "", &opts));
        assert_eq!(field, "directory_id");
    }

    // listDirectoryGroups('org_1', 'dir_1')
    #[test]
    fn list_directory_groups_request_without_options_matches_reference() {
        let request =
            list_directory_groups_request("org_1", "dir_1", &ListDirectoryGroupsOptions::default())
                .unwrap();
        assert_eq!(
            request,
            ListDirectoryGroupsRequest {
                organization_id: "org_1".to_owned(),
                directory_id: "dir_1".to_owned(),
                ..Default::default()
            }
        );
        assert_eq!(
            request,
            decode::<ListDirectoryGroupsRequest>(REF_LIST_DIRECTORY_GROUPS_NONE)
        );
    }

    // listDirectoryGroups('org_1', 'dir_1', { pageSize: 20, pageToken: 't', includeDetail: true,
    //   updatedAfter: '2024-01-02T03:04:05.006Z' })
    #[test]
    fn list_directory_groups_request_with_options_matches_reference() {
        let opts = ListDirectoryGroupsOptions::default()
            .with_page_size(20)
            .with_page_token("t")
            .with_include_detail(true)
            .with_updated_after(updated_after());
        let request = list_directory_groups_request("org_1", "dir_1", &opts).unwrap();
        assert_eq!(request.include_detail, Some(true));
        assert_eq!(request.include_external_groups, None);
        assert_eq!(
            request,
            decode::<ListDirectoryGroupsRequest>(REF_LIST_DIRECTORY_GROUPS_FULL)
        );
        let (field, _) = invalid(list_directory_groups_request("org 1 ", "dir_1", &opts));
        assert_eq!(field, "organization_id");
    }

    // enableDirectory('org_1', 'dir_1'), disableDirectory('org_1', 'dir_1')
    #[test]
    fn toggle_directory_request_matches_reference() {
        let request = toggle_directory_request("org_1", "dir_1").unwrap();
        assert_eq!(
            request,
            ToggleDirectoryRequest {
                organization_id: "org_1".to_owned(),
                id: "dir_1".to_owned(),
            }
        );
        assert_eq!(
            request,
            decode::<ToggleDirectoryRequest>(REF_ENABLE_DIRECTORY)
        );
        assert_eq!(
            request,
            decode::<ToggleDirectoryRequest>(REF_DISABLE_DIRECTORY)
        );
        let (field, _) = invalid(toggle_directory_request("org_1", "\tdir_1"));
        assert_eq!(field, "directory_id");
    }

    #[test]
    fn list_options_implement_page_options() {
        let mut opts = ListDirectoryUsersOptions::default().with_directory_group_id("g");
        assert_eq!(PageOptions::page_token(&opts), None);
        opts.set_page_token("n".to_owned());
        assert_eq!(opts.page_token.as_deref(), Some("n"));
        assert_eq!(opts.directory_group_id.as_deref(), Some("g"));

        let mut opts = ListDirectoryGroupsOptions::default().with_page_token("a");
        assert_eq!(PageOptions::page_token(&opts), Some("a"));
        opts.set_page_token("b".to_owned());
        assert_eq!(opts.page_token.as_deref(), Some("b"));
    }

    #[tokio::test]
    async fn list_directory_users_stream_yields_a_validation_error_once() {
        use futures::StreamExt as _;

        // Validation fails before any I/O, so the unroutable address is never dialled.
        let client = crate::ScalekitClient::new("https://127.0.0.1:1", "client", "secret").unwrap();
        let stream = client.directories().list_directory_users_stream(
            "org_1",
            "",
            ListDirectoryUsersOptions::default(),
        );
        let results: Vec<Result<DirectoryUser>> = stream.collect().await;
        assert_eq!(results.len(), 1);
        let (field, _) = invalid(results.into_iter().next().unwrap());
        assert_eq!(field, "directory_id");
    }
}
