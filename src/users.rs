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

use std::collections::HashMap;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, token_page_options, Page};
use crate::proto::users::{
    create_membership_request, delete_membership_request, delete_user_request, get_user_request,
    update_membership_request, update_user_request, CreateMembershipRequest,
    CreateUserAndMembershipRequest, DeleteMembershipRequest, DeleteUserRequest, GetUserRequest,
    ListOrganizationUsersRequest, ListUsersRequest, ResendInviteRequest, UpdateMembership,
    UpdateMembershipRequest, UpdateUserRequest, UserServiceClient,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::commons::{MembershipStatus, OrganizationMembership, Role, UserProfile};
pub use crate::proto::users::{
    CreateMembership, CreateUser, CreateUserProfile, Invite, UpdateUser, UpdateUserProfile, User,
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
    /// `user` is sent as given; which fields the server changes follows its
    /// own rules (the email address and the id cannot be changed).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `user_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT`.
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn update_user(&self, user_id: &str, user: UpdateUser) -> Result<User> {
        let request = update_user_request(user_id, user)?;
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

    /// Makes an existing user a member of an organization.
    ///
    /// ```
    /// use scalekit::users::CreateMembershipOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = CreateMembershipOptions::default()
    ///         .with_roles(["admin"])
    ///         .with_metadata("department", "Finance")
    ///         .with_send_invitation_email(true);
    ///     let user = client
    ///         .users()
    ///         .create_membership("org_123", "usr_456", opts)
    ///         .await?;
    ///     println!("{} now has {} memberships", user.id, user.memberships.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Each role name becomes a role with only its `name` set. The membership
    /// is always sent, even with no roles and no metadata.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `user_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   user or organization ([`Error::is_not_found`]), or an error when the
    ///   user is already a member.
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn create_membership(
        &self,
        organization_id: &str,
        user_id: &str,
        opts: CreateMembershipOptions,
    ) -> Result<User> {
        let request = create_membership_request(organization_id, user_id, opts)?;
        let response = call!(self.stub, create_membership(request)).await?;
        response.user.ok_or(Error::MalformedResponse("user"))
    }

    /// Removes a user from an organization; the user account stays.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client.users().delete_membership("org_123", "usr_456").await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The user keeps their other memberships. To delete the user everywhere,
    /// use [`delete_user`](UsersClient::delete_user).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `user_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` when there is
    ///   no such membership ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn delete_membership(&self, organization_id: &str, user_id: &str) -> Result<()> {
        let request = delete_membership_request(organization_id, user_id)?;
        call!(self.stub, delete_membership(request)).await?;
        Ok(())
    }

    /// Replaces a user's roles and metadata in one organization.
    ///
    /// ```
    /// use scalekit::users::UpdateMembershipOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = UpdateMembershipOptions::default().with_roles(["member", "billing_admin"]);
    ///     let user = client
    ///         .users()
    ///         .update_membership("org_123", "usr_456", opts)
    ///         .await?;
    ///     println!("updated {}", user.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The roles and metadata are sent as given, empty ones included, like the
    /// other Scalekit SDKs do: set both when you mean to keep either.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `user_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` when there is
    ///   no such membership ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for
    ///   an unknown role.
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn update_membership(
        &self,
        organization_id: &str,
        user_id: &str,
        opts: UpdateMembershipOptions,
    ) -> Result<User> {
        let request = update_membership_request(organization_id, user_id, opts)?;
        let response = call!(self.stub, update_membership(request)).await?;
        response.user.ok_or(Error::MalformedResponse("user"))
    }

    /// Lists one page of an organization's members.
    ///
    /// ```
    /// use scalekit::users::ListOrganizationUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListOrganizationUsersOptions::default().with_page_size(25);
    ///     let page = client
    ///         .users()
    ///         .list_organization_users("org_123", opts)
    ///         .await?;
    ///     println!("{} of {} members", page.items.len(), page.total_size);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// An unset page size or token is sent as the field's default (`0`, `""`).
    /// To walk every page, use
    /// [`list_organization_users_stream`](UsersClient::list_organization_users_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   organization ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for a page
    ///   size out of the server's range.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn list_organization_users(
        &self,
        organization_id: &str,
        opts: ListOrganizationUsersOptions,
    ) -> Result<Page<User>> {
        let request = list_organization_users_request(organization_id, &opts)?;
        let response = call!(self.stub, list_organization_users(request)).await?;
        Ok(Page::new(
            response.users,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every member of an organization, fetching pages as needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::users::ListOrganizationUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListOrganizationUsersOptions::default().with_page_size(50);
    ///     let members = client.users().list_organization_users_stream("org_123", opts);
    ///     let members: Vec<_> = members.try_collect().await?;
    ///     println!("{} members", members.len());
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
    /// [`list_organization_users`](UsersClient::list_organization_users)
    /// (an invalid `organization_id` is the first and only item), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub fn list_organization_users_stream(
        &self,
        organization_id: &str,
        opts: ListOrganizationUsersOptions,
    ) -> impl Stream<Item = Result<User>> + Send + 'static {
        let client = self.clone();
        let organization_id = organization_id.to_owned();
        paginate(opts, move |opts| {
            let client = client.clone();
            let organization_id = organization_id.clone();
            async move { client.list_organization_users(&organization_id, opts).await }
        })
    }

    /// Sends a user's invitation to an organization again.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let invite = client.users().resend_invite("org_123", "usr_456").await?;
    ///     println!("invite {}, resent {} times", invite.status, invite.resent_count);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// If the invitation is still valid, the user gets a reminder; if it has
    /// expired, the server issues a new one.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `user_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` when there is
    ///   no such user, organization or membership ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("invite")` if the response has no
    ///   invite.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn resend_invite(&self, organization_id: &str, user_id: &str) -> Result<Invite> {
        let request = resend_invite_request(organization_id, user_id)?;
        let response = call!(self.stub, resend_invite(request)).await?;
        response.invite.ok_or(Error::MalformedResponse("invite"))
    }
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

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

/// Optional parameters of [`UsersClient::create_membership`].
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

/// Optional parameters of [`UsersClient::update_membership`].
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

// ---------------------------------------------------------------------------
// Requests: validation and the exact proto message each method sends.
// ---------------------------------------------------------------------------

/// Role names as the other Scalekit SDKs send them: only `name` set.
fn roles(names: Vec<String>) -> Vec<Role> {
    names
        .into_iter()
        .map(|name| Role {
            name,
            ..Default::default()
        })
        .collect()
}

fn create_user_and_membership_request(
    organization_id: &str,
    user: CreateUser,
    opts: CreateUserAndMembershipOptions,
) -> Result<CreateUserAndMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_non_empty("email", &user.email)?;
    Ok(CreateUserAndMembershipRequest {
        organization_id: organization_id.to_owned(),
        user: Some(user),
        send_invitation_email: opts.send_invitation_email,
    })
}

fn get_user_request(user_id: &str) -> Result<GetUserRequest> {
    validate::require_id("user_id", user_id)?;
    Ok(GetUserRequest {
        identities: Some(get_user_request::Identities::Id(user_id.to_owned())),
    })
}

fn get_user_by_external_id_request(external_id: &str) -> Result<GetUserRequest> {
    validate::require_non_empty("external_id", external_id)?;
    Ok(GetUserRequest {
        identities: Some(get_user_request::Identities::ExternalId(
            external_id.to_owned(),
        )),
    })
}

fn list_users_request(opts: &ListUsersOptions) -> ListUsersRequest {
    ListUsersRequest {
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    }
}

fn update_user_request(user_id: &str, user: UpdateUser) -> Result<UpdateUserRequest> {
    validate::require_id("user_id", user_id)?;
    Ok(UpdateUserRequest {
        identities: Some(update_user_request::Identities::Id(user_id.to_owned())),
        user: Some(user),
    })
}

fn delete_user_request(user_id: &str) -> Result<DeleteUserRequest> {
    validate::require_id("user_id", user_id)?;
    Ok(DeleteUserRequest {
        identities: Some(delete_user_request::Identities::Id(user_id.to_owned())),
    })
}

fn create_membership_request(
    organization_id: &str,
    user_id: &str,
    opts: CreateMembershipOptions,
) -> Result<CreateMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(CreateMembershipRequest {
        organization_id: organization_id.to_owned(),
        membership: Some(CreateMembership {
            roles: roles(opts.roles),
            metadata: opts.metadata,
            inviter_email: opts.inviter_email,
        }),
        send_invitation_email: opts.send_invitation_email,
        identities: Some(create_membership_request::Identities::Id(
            user_id.to_owned(),
        )),
    })
}

fn delete_membership_request(
    organization_id: &str,
    user_id: &str,
) -> Result<DeleteMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(DeleteMembershipRequest {
        organization_id: organization_id.to_owned(),
        identities: Some(delete_membership_request::Identities::Id(
            user_id.to_owned(),
        )),
        cascade: None,
    })
}

fn update_membership_request(
    organization_id: &str,
    user_id: &str,
    opts: UpdateMembershipOptions,
) -> Result<UpdateMembershipRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(UpdateMembershipRequest {
        organization_id: organization_id.to_owned(),
        identities: Some(update_membership_request::Identities::Id(
            user_id.to_owned(),
        )),
        membership: Some(UpdateMembership {
            roles: roles(opts.roles),
            metadata: opts.metadata,
        }),
    })
}

fn list_organization_users_request(
    organization_id: &str,
    opts: &ListOrganizationUsersOptions,
) -> Result<ListOrganizationUsersRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(ListOrganizationUsersRequest {
        organization_id: organization_id.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    })
}

fn resend_invite_request(organization_id: &str, user_id: &str) -> Result<ResendInviteRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("user_id", user_id)?;
    Ok(ResendInviteRequest {
        organization_id: organization_id.to_owned(),
        id: user_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    //! Request shapes. Each `REF_*` constant is the request the reference
    //! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/user.js`) encodes for the
    //! same call, captured by running its `UserClient` with a `connectExec`
    //! stub that records `toBinary(method.input, create(method.input, req))`.
    //! Decoding it with prost and comparing messages (not bytes: the two
    //! encoders order oneof fields differently) proves that the facade sends
    //! the same fields, the same oneof arm and nothing else.

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

    fn metadata() -> HashMap<String, String> {
        HashMap::from([("k".to_owned(), "v".to_owned())])
    }

    /// `(field, reason)` of an `InvalidArgument`, or a panic.
    fn invalid<T: std::fmt::Debug>(result: Result<T>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidArgument { field, reason }) => (field, reason),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    const REF_CREATE_USER_AND_MEMBERSHIP_FULL: &str =
        "0a056f72675f31121a2a066140622e636f4208aa010141b20101424a060a016b1201761800";
    const REF_CREATE_USER_AND_MEMBERSHIP_MIN: &str = "0a056f72675f3112082a066140622e636f";
    const REF_GET_USER: &str = "0a057573725f31";
    const REF_LIST_USERS_NONE: &str = "";
    const REF_LIST_USERS_ZERO: &str = "";
    const REF_LIST_USERS_FULL: &str = "0814120174";
    const REF_UPDATE_USER_FULL: &str = "0a057573725f311a124208aa010141b20101424a060a016b120176";
    const REF_UPDATE_USER_EMPTY: &str = "0a057573725f311a00";
    const REF_DELETE_USER: &str = "0a057573725f31";
    const REF_CREATE_MEMBERSHIP_MIN: &str = "0a056f72675f3112001a057573725f31";
    const REF_CREATE_MEMBERSHIP_FULL: &str = "0a056f72675f31121b2207120561646d696e220812066d656d6265723a060a016b1201761a057573725f312801";
    const REF_DELETE_MEMBERSHIP: &str = "0a056f72675f3112057573725f31";
    const REF_UPDATE_MEMBERSHIP_MIN: &str = "0a056f72675f3112057573725f312a00";
    const REF_UPDATE_MEMBERSHIP_FULL: &str =
        "0a056f72675f3112057573725f312a112207120561646d696e3a060a016b120176";
    const REF_LIST_ORGANIZATION_USERS_NONE: &str = "0a056f72675f31";
    const REF_LIST_ORGANIZATION_USERS_FULL: &str = "0a056f72675f3110191a0174";
    const REF_RESEND_INVITE: &str = "0a056f72675f3112057573725f31";

    // createUserAndMembership('org_1', { email, userProfile: { firstName, lastName },
    //   metadata: { k: 'v' }, sendInvitationEmail: false })
    #[test]
    #[allow(deprecated)] // the reference sends the deprecated first_name/last_name
    fn create_user_and_membership_request_matches_reference() {
        let user = CreateUser {
            email: "a@b.co".to_owned(),
            user_profile: Some(CreateUserProfile {
                first_name: "A".to_owned(),
                last_name: "B".to_owned(),
                ..Default::default()
            }),
            metadata: metadata(),
            ..Default::default()
        };
        let request = create_user_and_membership_request(
            "org_1",
            user.clone(),
            CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
        )
        .unwrap();
        let expected = CreateUserAndMembershipRequest {
            organization_id: "org_1".to_owned(),
            user: Some(user),
            send_invitation_email: Some(false),
        };
        assert_eq!(request, expected);
        assert_eq!(
            request,
            decode::<CreateUserAndMembershipRequest>(REF_CREATE_USER_AND_MEMBERSHIP_FULL)
        );
    }

    // createUserAndMembership('org_1', { email })
    #[test]
    fn create_user_and_membership_request_without_options_matches_reference() {
        let user = CreateUser {
            email: "a@b.co".to_owned(),
            ..Default::default()
        };
        let request = create_user_and_membership_request(
            "org_1",
            user,
            CreateUserAndMembershipOptions::default(),
        )
        .unwrap();
        assert_eq!(request.send_invitation_email, None);
        assert_eq!(
            request,
            decode::<CreateUserAndMembershipRequest>(REF_CREATE_USER_AND_MEMBERSHIP_MIN)
        );
    }

    #[test]
    fn create_user_and_membership_request_validates_org_then_email() {
        let user = |email: &str| CreateUser {
            email: email.to_owned(),
            ..Default::default()
        };
        let opts = CreateUserAndMembershipOptions::default;
        let (field, _) = invalid(create_user_and_membership_request("", user(""), opts()));
        assert_eq!(field, "organization_id");
        let (field, _) = invalid(create_user_and_membership_request(
            "org/1",
            user("a@b.co"),
            opts(),
        ));
        assert_eq!(field, "organization_id");
        for email in ["", "  "] {
            let (field, reason) = invalid(create_user_and_membership_request(
                "org_1",
                user(email),
                opts(),
            ));
            assert_eq!((field, reason.as_str()), ("email", "must not be empty"));
        }
    }

    // getUser('usr_1')
    #[test]
    fn get_user_request_matches_reference() {
        let request = get_user_request("usr_1").unwrap();
        assert_eq!(
            request,
            GetUserRequest {
                identities: Some(get_user_request::Identities::Id("usr_1".to_owned())),
            }
        );
        assert_eq!(request, decode::<GetUserRequest>(REF_GET_USER));
    }

    #[test]
    fn get_user_by_external_id_request_uses_the_external_id_arm() {
        let request = get_user_by_external_id_request("tenant/42").unwrap();
        assert_eq!(
            request,
            GetUserRequest {
                identities: Some(get_user_request::Identities::ExternalId(
                    "tenant/42".to_owned()
                )),
            }
        );
        let (field, _) = invalid(get_user_by_external_id_request(" "));
        assert_eq!(field, "external_id");
    }

    #[test]
    fn get_user_request_validates_user_id() {
        for id in ["", " ", " usr_1", "usr/1"] {
            let (field, _) = invalid(get_user_request(id));
            assert_eq!(field, "user_id", "{id:?}");
        }
    }

    // listUsers(), listUsers({ pageSize: 0 }), listUsers({ pageSize: 20, pageToken: 't' })
    #[test]
    fn list_users_request_matches_reference() {
        let none = list_users_request(&ListUsersOptions::default());
        assert_eq!(none, ListUsersRequest::default());
        assert_eq!(none, decode::<ListUsersRequest>(REF_LIST_USERS_NONE));

        let zero = list_users_request(&ListUsersOptions::default().with_page_size(0));
        assert_eq!(zero.page_size, 0);
        assert_eq!(zero, decode::<ListUsersRequest>(REF_LIST_USERS_ZERO));

        let full = list_users_request(
            &ListUsersOptions::default()
                .with_page_size(20)
                .with_page_token("t"),
        );
        assert_eq!(
            full,
            ListUsersRequest {
                page_size: 20,
                page_token: "t".to_owned(),
            }
        );
        assert_eq!(full, decode::<ListUsersRequest>(REF_LIST_USERS_FULL));
    }

    #[test]
    fn list_users_request_sends_out_of_range_page_sizes_as_given() {
        let request = list_users_request(&ListUsersOptions::default().with_page_size(10_000));
        assert_eq!(request.page_size, 10_000);
    }

    // updateUser('usr_1', { userProfile: { firstName, lastName }, metadata: { k: 'v' } })
    #[test]
    #[allow(deprecated)] // the reference sends the deprecated first_name/last_name
    fn update_user_request_matches_reference() {
        let user = UpdateUser {
            user_profile: Some(UpdateUserProfile {
                first_name: Some("A".to_owned()),
                last_name: Some("B".to_owned()),
                ..Default::default()
            }),
            metadata: metadata(),
            ..Default::default()
        };
        let request = update_user_request("usr_1", user.clone()).unwrap();
        assert_eq!(
            request,
            UpdateUserRequest {
                identities: Some(update_user_request::Identities::Id("usr_1".to_owned())),
                user: Some(user),
            }
        );
        assert_eq!(request, decode::<UpdateUserRequest>(REF_UPDATE_USER_FULL));
    }

    // updateUser('usr_1', {}): an empty `user` message is still sent.
    #[test]
    fn update_user_request_with_empty_update_matches_reference() {
        let request = update_user_request("usr_1", UpdateUser::default()).unwrap();
        assert_eq!(request.user, Some(UpdateUser::default()));
        assert_eq!(request, decode::<UpdateUserRequest>(REF_UPDATE_USER_EMPTY));
        let (field, _) = invalid(update_user_request("", UpdateUser::default()));
        assert_eq!(field, "user_id");
    }

    // deleteUser('usr_1')
    #[test]
    fn delete_user_request_matches_reference() {
        let request = delete_user_request("usr_1").unwrap();
        assert_eq!(
            request,
            DeleteUserRequest {
                identities: Some(delete_user_request::Identities::Id("usr_1".to_owned())),
            }
        );
        assert_eq!(request, decode::<DeleteUserRequest>(REF_DELETE_USER));
        let (field, _) = invalid(delete_user_request("usr_1\n"));
        assert_eq!(field, "user_id");
    }

    // createMembership('org_1', 'usr_1')
    #[test]
    fn create_membership_request_without_options_matches_reference() {
        let request =
            create_membership_request("org_1", "usr_1", CreateMembershipOptions::default())
                .unwrap();
        assert_eq!(
            request,
            CreateMembershipRequest {
                organization_id: "org_1".to_owned(),
                membership: Some(CreateMembership::default()),
                identities: Some(create_membership_request::Identities::Id(
                    "usr_1".to_owned()
                )),
                send_invitation_email: None,
            }
        );
        assert_eq!(
            request,
            decode::<CreateMembershipRequest>(REF_CREATE_MEMBERSHIP_MIN)
        );
    }

    // createMembership('org_1', 'usr_1', { roles: ['admin', 'member'], metadata: { k: 'v' },
    //   sendInvitationEmail: true })
    #[test]
    fn create_membership_request_matches_reference() {
        let opts = CreateMembershipOptions::default()
            .with_roles(["admin", "member"])
            .with_metadata("k", "v")
            .with_send_invitation_email(true);
        let request = create_membership_request("org_1", "usr_1", opts).unwrap();
        let role = |name: &str| Role {
            name: name.to_owned(),
            ..Default::default()
        };
        assert_eq!(
            request,
            CreateMembershipRequest {
                organization_id: "org_1".to_owned(),
                membership: Some(CreateMembership {
                    roles: vec![role("admin"), role("member")],
                    metadata: metadata(),
                    inviter_email: None,
                }),
                identities: Some(create_membership_request::Identities::Id(
                    "usr_1".to_owned()
                )),
                send_invitation_email: Some(true),
            }
        );
        assert_eq!(
            request,
            decode::<CreateMembershipRequest>(REF_CREATE_MEMBERSHIP_FULL)
        );
    }

    #[test]
    fn create_membership_request_sends_inviter_email() {
        let opts = CreateMembershipOptions::default().with_inviter_email("owner@acme.com");
        let request = create_membership_request("org_1", "usr_1", opts).unwrap();
        let membership = request.membership.unwrap();
        assert_eq!(membership.inviter_email.as_deref(), Some("owner@acme.com"));
        assert!(membership.roles.is_empty());
        assert!(membership.metadata.is_empty());
    }

    #[test]
    fn create_membership_request_validates_org_then_user() {
        let opts = CreateMembershipOptions::default;
        let (field, _) = invalid(create_membership_request("", "", opts()));
        assert_eq!(field, "organization_id");
        let (field, _) = invalid(create_membership_request("org_1", "", opts()));
        assert_eq!(field, "user_id");
    }

    // deleteMembership('org_1', 'usr_1'): no `cascade`.
    #[test]
    fn delete_membership_request_matches_reference() {
        let request = delete_membership_request("org_1", "usr_1").unwrap();
        assert_eq!(
            request,
            DeleteMembershipRequest {
                organization_id: "org_1".to_owned(),
                identities: Some(delete_membership_request::Identities::Id(
                    "usr_1".to_owned()
                )),
                cascade: None,
            }
        );
        assert_eq!(
            request,
            decode::<DeleteMembershipRequest>(REF_DELETE_MEMBERSHIP)
        );
        let (field, _) = invalid(delete_membership_request("org_1", "usr/1"));
        assert_eq!(field, "user_id");
        let (field, _) = invalid(delete_membership_request(" org_1", "usr_1"));
        assert_eq!(field, "organization_id");
    }

    // updateMembership('org_1', 'usr_1'): an empty membership is still sent.
    #[test]
    fn update_membership_request_without_options_matches_reference() {
        let request =
            update_membership_request("org_1", "usr_1", UpdateMembershipOptions::default())
                .unwrap();
        assert_eq!(request.membership, Some(UpdateMembership::default()));
        assert_eq!(
            request,
            decode::<UpdateMembershipRequest>(REF_UPDATE_MEMBERSHIP_MIN)
        );
    }

    // updateMembership('org_1', 'usr_1', { roles: ['admin'], metadata: { k: 'v' } })
    #[test]
    fn update_membership_request_matches_reference() {
        let opts = UpdateMembershipOptions::default()
            .with_roles(["admin"])
            .with_metadata_map([("k", "v")]);
        let request = update_membership_request("org_1", "usr_1", opts).unwrap();
        assert_eq!(
            request,
            UpdateMembershipRequest {
                organization_id: "org_1".to_owned(),
                identities: Some(update_membership_request::Identities::Id(
                    "usr_1".to_owned()
                )),
                membership: Some(UpdateMembership {
                    roles: vec![Role {
                        name: "admin".to_owned(),
                        ..Default::default()
                    }],
                    metadata: metadata(),
                }),
            }
        );
        assert_eq!(
            request,
            decode::<UpdateMembershipRequest>(REF_UPDATE_MEMBERSHIP_FULL)
        );
        let (field, _) = invalid(update_membership_request(
            "org_1",
            "",
            UpdateMembershipOptions::default(),
        ));
        assert_eq!(field, "user_id");
    }

    // listOrganizationUsers('org_1'), listOrganizationUsers('org_1', { pageSize: 25, pageToken: 't' })
    #[test]
    fn list_organization_users_request_matches_reference() {
        let none =
            list_organization_users_request("org_1", &ListOrganizationUsersOptions::default())
                .unwrap();
        assert_eq!(
            none,
            ListOrganizationUsersRequest {
                organization_id: "org_1".to_owned(),
                ..Default::default()
            }
        );
        assert_eq!(
            none,
            decode::<ListOrganizationUsersRequest>(REF_LIST_ORGANIZATION_USERS_NONE)
        );

        let opts = ListOrganizationUsersOptions::default()
            .with_page_size(25)
            .with_page_token("t");
        let full = list_organization_users_request("org_1", &opts).unwrap();
        assert_eq!(
            full,
            ListOrganizationUsersRequest {
                organization_id: "org_1".to_owned(),
                page_size: 25,
                page_token: "t".to_owned(),
            }
        );
        assert_eq!(
            full,
            decode::<ListOrganizationUsersRequest>(REF_LIST_ORGANIZATION_USERS_FULL)
        );

        let zero = list_organization_users_request(
            "org_1",
            &ListOrganizationUsersOptions::default().with_page_size(0),
        )
        .unwrap();
        assert_eq!(zero.page_size, 0);

        let (field, _) = invalid(list_organization_users_request(
            "",
            &ListOrganizationUsersOptions::default(),
        ));
        assert_eq!(field, "organization_id");
    }

    // resendInvite('org_1', 'usr_1')
    #[test]
    fn resend_invite_request_matches_reference() {
        let request = resend_invite_request("org_1", "usr_1").unwrap();
        assert_eq!(
            request,
            ResendInviteRequest {
                organization_id: "org_1".to_owned(),
                id: "usr_1".to_owned(),
            }
        );
        assert_eq!(request, decode::<ResendInviteRequest>(REF_RESEND_INVITE));
        let (field, _) = invalid(resend_invite_request("org_1", " "));
        assert_eq!(field, "user_id");
        let (field, _) = invalid(resend_invite_request("", "usr_1"));
        assert_eq!(field, "organization_id");
    }

    #[test]
    fn role_setters_replace_and_metadata_setters_add_or_replace() {
        let opts = CreateMembershipOptions::default()
            .with_roles(["a", "b"])
            .with_roles(vec!["c".to_owned()])
            .with_metadata("x", "1")
            .with_metadata("y", "2");
        assert_eq!(opts.roles, ["c"]);
        assert_eq!(opts.metadata.len(), 2);

        let opts = opts.with_metadata_map([("z", "3")]);
        assert_eq!(
            opts.metadata,
            HashMap::from([("z".to_owned(), "3".to_owned())])
        );

        let opts = UpdateMembershipOptions::default()
            .with_metadata("x", "1")
            .with_metadata_map(HashMap::from([("y".to_owned(), "2".to_owned())]))
            .with_metadata("z", "3");
        assert_eq!(opts.metadata.len(), 2);
        assert!(!opts.metadata.contains_key("x"));
    }

    #[test]
    fn list_options_implement_page_options() {
        let mut opts = ListUsersOptions::default().with_page_size(5);
        assert_eq!(PageOptions::page_token(&opts), None);
        opts.set_page_token("n".to_owned());
        assert_eq!(
            opts,
            ListUsersOptions::default()
                .with_page_size(5)
                .with_page_token("n")
        );

        let mut opts = ListOrganizationUsersOptions::default().with_page_token("a");
        assert_eq!(PageOptions::page_token(&opts), Some("a"));
        opts.set_page_token("b".to_owned());
        assert_eq!(opts.page_token.as_deref(), Some("b"));
    }

    #[tokio::test]
    async fn list_organization_users_stream_yields_a_validation_error_once() {
        use futures::StreamExt as _;

        // Validation fails before any I/O, so the unroutable address is never dialled.
        let client = crate::ScalekitClient::new("https://127.0.0.1:1", "client", "secret").unwrap();
        let stream = client
            .users()
            .list_organization_users_stream("", ListOrganizationUsersOptions::default());
        let results: Vec<Result<User>> = stream.collect().await;
        assert_eq!(results.len(), 1);
        let (field, _) = invalid(results.into_iter().next().unwrap());
        assert_eq!(field, "organization_id");
    }
}
