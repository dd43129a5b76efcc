//! Users and their organization memberships.
//!
//! [`UsersClient`] wraps the `scalekit.v1.users.UserService` RPCs with the
//! method names of the other Scalekit SDKs. The messages in its signatures are
//! the generated ones, re-exported here so that one `use` is enough.
//!
//! ```
//! use scalekit::users::ListOrganizationUsersOptions;
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let users = client.users();
//!     let page = users
//!         .list_organization_users("org_123", ListOrganizationUsersOptions::default())
//!         .await?;
//!     for user in &page {
//!         println!("{} {}", user.id, user.email);
//!     }
//!     Ok(())
//! }
//! ```

mod memberships;
mod options;
mod requests;
mod roles;
mod search;
#[cfg(test)]
mod tests;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, Page};
use crate::proto::users::{GetUserRequest, UpdateUserRequest, UserServiceClient};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use requests::{
    create_user_and_membership_request, delete_user_by_external_id_request, delete_user_request,
    get_user_by_external_id_request, get_user_request, list_users_request,
    update_user_by_external_id_request, update_user_request,
};

pub use crate::proto::commons::{MembershipStatus, OrganizationMembership, Role, UserProfile};
pub use crate::proto::users::{
    CreateMembership, CreateUser, CreateUserProfile, Invite, Permission, UpdateUser,
    UpdateUserProfile, User,
};
pub use options::{
    CreateMembershipOptions, CreateUserAndMembershipOptions, ListOrganizationUsersOptions,
    ListUsersOptions, SearchOrganizationUsersOptions, SearchUsersOptions, UpdateMembershipOptions,
};

/// Users and memberships; obtained from [`ScalekitClient::users`](crate::ScalekitClient::users).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call. The `*_stream` methods keep their own clone, so their streams are
/// `'static`.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let user = client.users().get_user("usr_123").await?;
///     println!("{}", user.email);
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct UsersClient {
    stub: Stub<UserServiceClient<AuthChannel>>,
}

impl UsersClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        UsersClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.users.UserService",
                UserServiceClient::new,
            ),
        }
    }

    /// Creates a user and makes them a member of an organization, in one call.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use scalekit::users::{CreateUser, CreateUserAndMembershipOptions, CreateUserProfile};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let user = CreateUser {
    ///         email: "john.doe@acme.com".to_owned(),
    ///         user_profile: Some(CreateUserProfile {
    ///             given_name: "John".to_owned(),
    ///             family_name: "Doe".to_owned(),
    ///             ..Default::default()
    ///         }),
    ///         metadata: HashMap::from([("department".to_owned(), "Engineering".to_owned())]),
    ///         ..Default::default()
    ///     };
    ///     let opts = CreateUserAndMembershipOptions::default().with_send_invitation_email(false);
    ///     let user = client
    ///         .users()
    ///         .create_user_and_membership("org_123", user, opts)
    ///         .await?;
    ///     println!("created {}", user.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `user` is sent as given. Leaving
    /// [`send_invitation_email`](CreateUserAndMembershipOptions::send_invitation_email)
    /// unset lets the server decide whether to email an invitation.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`, or `user.email` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   organization ([`Error::is_not_found`]), `ALREADY_EXISTS` for a taken
    ///   email or external id ([`Error::is_conflict`]), `INVALID_ARGUMENT` for a
    ///   field the server's rules reject.
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn create_user_and_membership(
        &self,
        organization_id: &str,
        user: CreateUser,
        opts: CreateUserAndMembershipOptions,
    ) -> Result<User> {
        let request = create_user_and_membership_request(organization_id, user, opts)?;
        let response = call!(self.stub, create_user_and_membership(request)).await?;
        response.user.ok_or(Error::MalformedResponse("user"))
    }

    /// Gets a user, with their profile and memberships, by Scalekit id.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let user = client.users().get_user("usr_123").await?;
    ///     for membership in &user.memberships {
    ///         println!("{} is in {}", user.email, membership.organization_id);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// To look a user up by the id your own system gave them, use
    /// [`get_user_by_external_id`](UsersClient::get_user_by_external_id).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `user_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn get_user(&self, user_id: &str) -> Result<User> {
        let request = get_user_request(user_id)?;
        self.get(request).await
    }

    /// Gets a user by the external id your system assigned to them.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let user = client.users().get_user_by_external_id("crm-4711").await?;
    ///     println!("{} is {}", user.email, user.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The same RPC as [`get_user`](UsersClient::get_user), selecting the user
    /// by `external_id` instead of `id`. External ids are yours, so only
    /// emptiness is checked client-side.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `external_id` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn get_user_by_external_id(&self, external_id: &str) -> Result<User> {
        let request = get_user_by_external_id_request(external_id)?;
        self.get(request).await
    }

    async fn get(&self, request: GetUserRequest) -> Result<User> {
        let response = call!(self.stub, get_user(request)).await?;
        response.user.ok_or(Error::MalformedResponse("user"))
    }

    /// Lists one page of the environment's users, across all organizations.
    ///
    /// ```
    /// use scalekit::users::ListUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client
    ///         .users()
    ///         .list_users(ListUsersOptions::default().with_page_size(20))
    ///         .await?;
    ///     println!("{} of {} users", page.items.len(), page.total_size);
    ///     if let Some(token) = page.next_page_token {
    ///         println!("more with page token {token}");
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// An unset page size or token is sent as the field's default (`0`, `""`):
    /// the server then picks the page size and starts at the first page. To
    /// walk every page, use [`list_users_stream`](UsersClient::list_users_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for a
    ///   page size out of the server's range or an unknown page token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn list_users(&self, opts: ListUsersOptions) -> Result<Page<User>> {
        let request = list_users_request(&opts);
        let response = call!(self.stub, list_users(request)).await?;
        Ok(Page::new(
            response.users,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every user of the environment, fetching pages as needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::users::ListUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListUsersOptions::default().with_page_size(100);
    ///     let mut users = std::pin::pin!(client.users().list_users_stream(opts));
    ///     while let Some(user) = users.try_next().await? {
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
    /// [`list_users`](UsersClient::list_users), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub fn list_users_stream(
        &self,
        opts: ListUsersOptions,
    ) -> impl Stream<Item = Result<User>> + Send + 'static {
        let client = self.clone();
        paginate(opts, move |opts| {
            let client = client.clone();
            async move { client.list_users(opts).await }
        })
    }

    /// Updates a user's profile, external id or metadata.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use scalekit::users::{UpdateUser, UpdateUserProfile};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let update = UpdateUser {
    ///         user_profile: Some(UpdateUserProfile {
    ///             given_name: Some("Jane".to_owned()),
    ///             family_name: Some("Doe".to_owned()),
    ///             ..Default::default()
    ///         }),
    ///         metadata: HashMap::from([("title".to_owned(), "Staff Engineer".to_owned())]),
    ///         ..Default::default()
    ///     };
    ///     let user = client.users().update_user("usr_123", update).await?;
    ///     println!("updated {}", user.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `user` is sent as given, `external_id` included (set, it gives the
    /// user a new external id); which fields the server changes follows its
    /// own rules (the email address and the id cannot be changed).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `user_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]), `ALREADY_EXISTS` for an external id
    ///   another user has ([`Error::is_conflict`]) or `INVALID_ARGUMENT`.
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn update_user(&self, user_id: &str, user: UpdateUser) -> Result<User> {
        let request = update_user_request(user_id, user)?;
        self.update(request).await
    }

    /// Updates the profile or metadata of the user your system knows by
    /// `external_id`.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use scalekit::users::UpdateUser;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let update = UpdateUser {
    ///         metadata: HashMap::from([("plan".to_owned(), "enterprise".to_owned())]),
    ///         ..Default::default()
    ///     };
    ///     let user = client
    ///         .users()
    ///         .update_user_by_external_id("crm-4711", update)
    ///         .await?;
    ///     println!("updated {}", user.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The same RPC as [`update_user`](UsersClient::update_user), selecting
    /// the user by `external_id`. The external id itself cannot be changed
    /// this way (the other Scalekit SDKs never send one here), so
    /// `user.external_id` must be unset; change it with
    /// [`update_user`](UsersClient::update_user).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `external_id` is blank, or
    ///   `user.external_id` is set (field `"user.external_id"`); nothing is
    ///   sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` when no user
    ///   has this external id ([`Error::is_not_found`]) or `INVALID_ARGUMENT`.
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn update_user_by_external_id(
        &self,
        external_id: &str,
        user: UpdateUser,
    ) -> Result<User> {
        let request = update_user_by_external_id_request(external_id, user)?;
        self.update(request).await
    }

    async fn update(&self, request: UpdateUserRequest) -> Result<User> {
        let response = call!(self.stub, update_user(request)).await?;
        response.user.ok_or(Error::MalformedResponse("user"))
    }

    /// Deletes a user, with all their memberships, from the environment.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client.users().delete_user("usr_123").await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// This cannot be undone. To remove a user from one organization only, use
    /// [`delete_membership`](UsersClient::delete_membership).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `user_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn delete_user(&self, user_id: &str) -> Result<()> {
        let request = delete_user_request(user_id)?;
        call!(self.stub, delete_user(request)).await?;
        Ok(())
    }

    /// Deletes the user your system knows by `external_id`, with all their
    /// memberships.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client.users().delete_user_by_external_id("crm-4711").await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The same RPC as [`delete_user`](UsersClient::delete_user), selecting
    /// the user by `external_id`; this cannot be undone either.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `external_id` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` when no user
    ///   has this external id ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn delete_user_by_external_id(&self, external_id: &str) -> Result<()> {
        let request = delete_user_by_external_id_request(external_id)?;
        call!(self.stub, delete_user(request)).await?;
        Ok(())
    }
}
