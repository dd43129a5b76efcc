//! The [`UsersClient`] methods that find users by a query string: across
//! the environment or among one organization's members, one page at a
//! time or as a stream.

use futures::Stream;

use super::requests::{search_organization_users_request, search_users_request};
use super::{SearchOrganizationUsersOptions, SearchUsersOptions, User, UsersClient};
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::pagination::{paginate, Page};
use crate::transport::call::call;

impl UsersClient {
    /// Searches the environment's users for `query`, one page at a time.
    ///
    /// ```
    /// use scalekit::users::SearchUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client
    ///         .users()
    ///         .search_users("lovelace", SearchUsersOptions::default().with_page_size(10))
    ///         .await?;
    ///     for user in &page {
    ///         println!("{} {}", user.id, user.email);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Which fields the query matches (email, name, ids…) and how is the
    /// server's rule. `query` is sent as given; an unset page size or token
    /// is sent as the field's default (`0`, `""`). To walk every match, use
    /// [`search_users_stream`](UsersClient::search_users_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `query` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for a
    ///   query too short or too long, or a page size out of the server's
    ///   range (smaller for searches than for lists).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn search_users(&self, query: &str, opts: SearchUsersOptions) -> Result<Page<User>> {
        let request = search_users_request(query, &opts)?;
        let response = call!(self.stub, search_users(request)).await?;
        Ok(Page::new(
            response.users,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every user of the environment matching `query`, fetching
    /// pages as needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::users::SearchUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let matches = client
    ///         .users()
    ///         .search_users_stream("@acme.com", SearchUsersOptions::default());
    ///     let matches: Vec<_> = matches.try_collect().await?;
    ///     println!("{} matches", matches.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its page
    /// size), starting at its page token if set. The stream ends after the
    /// last page.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`search_users`](UsersClient::search_users) (a blank `query` is the
    /// first and only item), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub fn search_users_stream(
        &self,
        query: &str,
        opts: SearchUsersOptions,
    ) -> impl Stream<Item = Result<User>> + Send + 'static {
        let client = self.clone();
        let query = query.to_owned();
        paginate(opts, move |opts| {
            let client = client.clone();
            let query = query.clone();
            async move { client.search_users(&query, opts).await }
        })
    }

    /// Searches an organization's members for `query`, one page at a time.
    ///
    /// ```
    /// use scalekit::users::SearchOrganizationUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client
    ///         .users()
    ///         .search_organization_users("org_123", "ada", SearchOrganizationUsersOptions::default())
    ///         .await?;
    ///     println!("{} of {} matching members", page.items.len(), page.total_size);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Only members of `organization_id` can match. `query` is sent as
    /// given; an unset page size or token is sent as the field's default
    /// (`0`, `""`). To walk every match, use
    /// [`search_organization_users_stream`](UsersClient::search_organization_users_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`, or `query` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization ([`Error::is_not_found`]), or `INVALID_ARGUMENT`
    ///   for a query too short or too long, or a page size out of the
    ///   server's range.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn search_organization_users(
        &self,
        organization_id: &str,
        query: &str,
        opts: SearchOrganizationUsersOptions,
    ) -> Result<Page<User>> {
        let request = search_organization_users_request(organization_id, query, &opts)?;
        let response = call!(self.stub, search_organization_users(request)).await?;
        Ok(Page::new(
            response.users,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every member of an organization matching `query`, fetching
    /// pages as needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::users::SearchOrganizationUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = SearchOrganizationUsersOptions::default().with_page_size(30);
    ///     let mut members = std::pin::pin!(client
    ///         .users()
    ///         .search_organization_users_stream("org_123", "smith", opts));
    ///     while let Some(user) = members.try_next().await? {
    ///         println!("{}", user.email);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its page
    /// size), starting at its page token if set. The stream ends after the
    /// last page.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`search_organization_users`](UsersClient::search_organization_users)
    /// (an invalid `organization_id` or blank `query` is the first and only
    /// item), or [`Error::MalformedResponse`]`("next_page_token")` if the
    /// server hands out a page token it already gave (instead of looping
    /// forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub fn search_organization_users_stream(
        &self,
        organization_id: &str,
        query: &str,
        opts: SearchOrganizationUsersOptions,
    ) -> impl Stream<Item = Result<User>> + Send + 'static {
        let client = self.clone();
        let organization_id = organization_id.to_owned();
        let query = query.to_owned();
        paginate(opts, move |opts| {
            let client = client.clone();
            let organization_id = organization_id.clone();
            let query = query.clone();
            async move {
                client
                    .search_organization_users(&organization_id, &query, opts)
                    .await
            }
        })
    }
}
