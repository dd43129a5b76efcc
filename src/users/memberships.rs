//! The [`UsersClient`] methods for organization memberships: adding a user
//! to an organization, changing or ending their membership, listing an
//! organization's members and resending an invitation, with the user named
//! by Scalekit id or by your external id. The methods for the users
//! themselves are in the parent module.

use futures::Stream;

use super::requests::{
    create_membership_by_external_id_request, create_membership_request,
    delete_membership_by_external_id_request, delete_membership_request,
    list_organization_users_request, resend_invite_request,
    update_membership_by_external_id_request, update_membership_request,
};
use super::{
    CreateMembershipOptions, Invite, ListOrganizationUsersOptions, UpdateMembershipOptions, User,
    UsersClient,
};
use crate::error::{Error, Result};
use crate::pagination::{paginate, Page};
use crate::proto::users::{CreateMembershipRequest, UpdateMembershipRequest};
use crate::transport::call::call;

impl UsersClient {
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
        self.create_membership_with(request).await
    }

    /// Makes the user your system knows by `external_id` a member of an
    /// organization.
    ///
    /// ```
    /// use scalekit::users::CreateMembershipOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = CreateMembershipOptions::default()
    ///         .with_roles(["member"])
    ///         .with_send_invitation_email(false);
    ///     let user = client
    ///         .users()
    ///         .create_membership_by_external_id("org_123", "crm-4711", opts)
    ///         .await?;
    ///     println!("{} joined", user.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The same RPC and options as
    /// [`create_membership`](UsersClient::create_membership), selecting the
    /// user by `external_id`.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`, or `external_id` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` when no user
    ///   has this external id or the organization is unknown
    ///   ([`Error::is_not_found`]), or `ALREADY_EXISTS` when the user is
    ///   already a member ([`Error::is_conflict`]).
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn create_membership_by_external_id(
        &self,
        organization_id: &str,
        external_id: &str,
        opts: CreateMembershipOptions,
    ) -> Result<User> {
        let request = create_membership_by_external_id_request(organization_id, external_id, opts)?;
        self.create_membership_with(request).await
    }

    async fn create_membership_with(&self, request: CreateMembershipRequest) -> Result<User> {
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

    /// Removes the user your system knows by `external_id` from an
    /// organization; the user account stays.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client
    ///         .users()
    ///         .delete_membership_by_external_id("org_123", "crm-4711")
    ///         .await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The same RPC as [`delete_membership`](UsersClient::delete_membership),
    /// selecting the user by `external_id`.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`, or `external_id` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` when no user
    ///   has this external id or there is no such membership
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn delete_membership_by_external_id(
        &self,
        organization_id: &str,
        external_id: &str,
    ) -> Result<()> {
        let request = delete_membership_by_external_id_request(organization_id, external_id)?;
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
        self.update_membership_with(request).await
    }

    /// Replaces the roles and metadata, in one organization, of the user
    /// your system knows by `external_id`.
    ///
    /// ```
    /// use scalekit::users::UpdateMembershipOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = UpdateMembershipOptions::default().with_roles(["admin"]);
    ///     let user = client
    ///         .users()
    ///         .update_membership_by_external_id("org_123", "crm-4711", opts)
    ///         .await?;
    ///     println!("updated {}", user.id);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The same RPC and options as
    /// [`update_membership`](UsersClient::update_membership), selecting the
    /// user by `external_id`; roles and metadata are sent as given, empty
    /// ones included.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`, or `external_id` is blank; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` when no user
    ///   has this external id or there is no such membership
    ///   ([`Error::is_not_found`]), or `INVALID_ARGUMENT` for an unknown role.
    /// - [`Error::MalformedResponse`]`("user")` if the response has no user.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/users>
    pub async fn update_membership_by_external_id(
        &self,
        organization_id: &str,
        external_id: &str,
        opts: UpdateMembershipOptions,
    ) -> Result<User> {
        let request = update_membership_by_external_id_request(organization_id, external_id, opts)?;
        self.update_membership_with(request).await
    }

    async fn update_membership_with(&self, request: UpdateMembershipRequest) -> Result<User> {
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
