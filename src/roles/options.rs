//! The options structs of [`RolesClient`]'s methods. Two shapes recur, so
//! each is written once as a macro: an `include` selector for reads and a
//! `reassign_role_name` for deletes. The default-role choice stands alone.

#[cfg(doc)]
use super::RolesClient;

macro_rules! include_options {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            /// Extra data in the returned roles: `"permissions"` (direct
            /// permissions) or `"permissions:all"` (with inherited ones).
            /// Unset, roles come without permissions. Not in the other
            /// Scalekit SDKs, which never send it.
            pub include: Option<String>,
        }

        impl $name {
            /// Sets [`include`](Self::include).
            #[must_use]
            pub fn with_include(mut self, include: impl Into<String>) -> Self {
                self.include = Some(include.into());
                self
            }
        }
    };
}

include_options!(
    /// Optional parameters of [`RolesClient::get_role`].
    ///
    /// ```
    /// use scalekit::roles::GetRoleOptions;
    ///
    /// let opts = GetRoleOptions::default().with_include("permissions");
    /// assert_eq!(opts.include.as_deref(), Some("permissions"));
    /// ```
    GetRoleOptions
);

include_options!(
    /// Optional parameters of [`RolesClient::list_roles`].
    ///
    /// ```
    /// use scalekit::roles::ListRolesOptions;
    ///
    /// let opts = ListRolesOptions::default().with_include("permissions:all");
    /// assert_eq!(opts.include.as_deref(), Some("permissions:all"));
    /// ```
    ListRolesOptions
);

include_options!(
    /// Optional parameters of [`RolesClient::get_organization_role`].
    ///
    /// ```
    /// use scalekit::roles::GetOrganizationRoleOptions;
    ///
    /// let opts = GetOrganizationRoleOptions::default();
    /// assert_eq!(opts.include, None);
    /// ```
    GetOrganizationRoleOptions
);

include_options!(
    /// Optional parameters of [`RolesClient::list_organization_roles`].
    ///
    /// ```
    /// use scalekit::roles::ListOrganizationRolesOptions;
    ///
    /// let opts = ListOrganizationRolesOptions::default().with_include("permissions");
    /// assert_eq!(opts.include.as_deref(), Some("permissions"));
    /// ```
    ListOrganizationRolesOptions
);

macro_rules! reassign_options {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            /// The role that users of the deleted role (and roles extending
            /// it) move to; required by the server when there are any.
            pub reassign_role_name: Option<String>,
        }

        impl $name {
            /// Sets [`reassign_role_name`](Self::reassign_role_name).
            #[must_use]
            pub fn with_reassign_role_name(mut self, role_name: impl Into<String>) -> Self {
                self.reassign_role_name = Some(role_name.into());
                self
            }
        }
    };
}

reassign_options!(
    /// Optional parameters of [`RolesClient::delete_role`].
    ///
    /// ```
    /// use scalekit::roles::DeleteRoleOptions;
    ///
    /// let opts = DeleteRoleOptions::default().with_reassign_role_name("member");
    /// assert_eq!(opts.reassign_role_name.as_deref(), Some("member"));
    /// ```
    DeleteRoleOptions
);

reassign_options!(
    /// Optional parameters of [`RolesClient::delete_organization_role`].
    ///
    /// ```
    /// use scalekit::roles::DeleteOrganizationRoleOptions;
    ///
    /// let opts = DeleteOrganizationRoleOptions::default().with_reassign_role_name("member");
    /// assert_eq!(opts.reassign_role_name.as_deref(), Some("member"));
    /// ```
    DeleteOrganizationRoleOptions
);

/// Optional parameters of [`RolesClient::update_default_roles`]: which
/// environment roles new users get. A field left unset keeps its current
/// role.
///
/// ```
/// use scalekit::roles::UpdateDefaultRolesOptions;
///
/// let opts = UpdateDefaultRolesOptions::default()
///     .with_default_creator_role("owner")
///     .with_default_member_role("member");
/// assert_eq!(opts.default_creator_role.as_deref(), Some("owner"));
/// assert_eq!(opts.default_member_role.as_deref(), Some("member"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct UpdateDefaultRolesOptions {
    /// The role given to the user who creates an organization.
    pub default_creator_role: Option<String>,
    /// The role given to every other new member of an organization.
    pub default_member_role: Option<String>,
}

impl UpdateDefaultRolesOptions {
    /// Sets [`default_creator_role`](Self::default_creator_role).
    #[must_use]
    pub fn with_default_creator_role(mut self, role_name: impl Into<String>) -> Self {
        self.default_creator_role = Some(role_name.into());
        self
    }

    /// Sets [`default_member_role`](Self::default_member_role).
    #[must_use]
    pub fn with_default_member_role(mut self, role_name: impl Into<String>) -> Self {
        self.default_member_role = Some(role_name.into());
        self
    }
}
