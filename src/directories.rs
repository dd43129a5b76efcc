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

mod lifecycle;
mod options;
mod requests;
#[cfg(test)]
mod tests;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, Page};
use crate::proto::directories::DirectoryServiceClient;
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;

use requests::{
    get_directory_request, list_directories_request, list_directory_groups_request,
    list_directory_users_request, primary_directory, toggle_directory_request,
};

pub use crate::proto::directories::{
    CreateDirectory, Directory, DirectoryGroup, DirectoryProvider, DirectoryType, DirectoryUser,
    ToggleDirectoryResponse,
};
pub use options::{ListDirectoryGroupsOptions, ListDirectoryUsersOptions};

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
