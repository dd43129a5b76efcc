//! The [`DirectoriesClient`] methods that add a directory to an
//! organization or take one away, apart from the reads and toggles of
//! existing ones.

use super::requests::{create_directory_request, delete_directory_request};
use super::{CreateDirectory, DirectoriesClient, Directory};
use crate::error::{Error, Result};
use crate::transport::call::call;

impl DirectoriesClient {
    /// Creates a directory for an organization: a draft, disabled until
    /// its identity provider is set up to sync into it.
    ///
    /// ```
    /// use scalekit::directories::{CreateDirectory, DirectoryProvider, DirectoryType};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let directory = client
    ///         .directories()
    ///         .create_directory(
    ///             "org_123",
    ///             CreateDirectory {
    ///                 directory_type: DirectoryType::Scim as i32,
    ///                 directory_provider: DirectoryProvider::Okta as i32,
    ///             },
    ///         )
    ///         .await?;
    ///     println!("created {} ({})", directory.id, directory.status);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `directory` is sent as given; the server requires a known type and
    /// provider. The new directory has no secret yet: the endpoint and
    /// token the provider syncs with come with its setup.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization ([`Error::is_not_found`]) or `INVALID_ARGUMENT`
    ///   for a missing or unknown type or provider.
    /// - [`Error::MalformedResponse`]`("directory")` if the response has no
    ///   directory.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub async fn create_directory(
        &self,
        organization_id: &str,
        directory: CreateDirectory,
    ) -> Result<Directory> {
        let request = create_directory_request(organization_id, directory)?;
        let response = call!(self.stub, create_directory(request)).await?;
        response
            .directory
            .ok_or(Error::MalformedResponse("directory"))
    }

    /// Deletes a directory of an organization, with the users and groups
    /// synced into it.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client
    ///         .directories()
    ///         .delete_directory("org_123", "dir_456")
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// This cannot be undone; to stop syncing for a while, use
    /// [`disable_directory`](DirectoriesClient::disable_directory).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `directory_id` is
    ///   empty, untrimmed or contains `/`, or if they do not start with
    ///   `org_` and `dir_` (the RPC's rules require both prefixes); nothing is
    ///   sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or a directory it does not have
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/directory>
    pub async fn delete_directory(&self, organization_id: &str, directory_id: &str) -> Result<()> {
        let request = delete_directory_request(organization_id, directory_id)?;
        call!(self.stub, delete_directory(request)).await?;
        Ok(())
    }
}
