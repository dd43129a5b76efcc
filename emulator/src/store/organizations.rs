//! Organizations: lookup by external id, the member limit, admin-portal
//! link expiry, and the cascade of an organization's deletion.

use std::time::SystemTime;

use tonic::Status;

use super::Store;
use crate::status;

impl Store {
    pub(crate) fn organization_id_by_external_id(&self, external_id: &str) -> Option<String> {
        self.organizations
            .values()
            .find(|o| o.external_id.as_deref() == Some(external_id))
            .map(|o| o.id.clone())
    }

    /// Removes an organization with everything that belongs to it: its
    /// roles and default role, domains, connections, directories, the
    /// memberships and invites of its users, portal links, user-management
    /// settings, session policy, organization clients and API tokens. Users
    /// stay, without that membership.
    pub(crate) fn remove_organization(&mut self, organization_id: &str) {
        self.organizations.remove(organization_id);
        self.forget_organization_roles(organization_id);
        self.domains
            .retain(|_, d| d.organization_id != organization_id);
        self.connections
            .retain(|_, c| c.organization_id.as_deref() != Some(organization_id));
        self.directories
            .retain(|_, d| d.directory.organization_id != organization_id);
        for user in self.users.values_mut() {
            user.memberships
                .retain(|m| m.organization_id != organization_id);
        }
        self.invites.retain(|(org, _), _| org != organization_id);
        self.portal_links.remove(organization_id);
        self.user_management.remove(organization_id);
        self.session_policies.remove(organization_id);
        self.organization_clients
            .retain(|_, c| c.client.organization_id != organization_id);
        self.remove_api_tokens(|t| t.organization_id == organization_id);
    }

    /// FAILED_PRECONDITION when the organization already has as many
    /// members as its user-management settings allow: checked before a
    /// member is added.
    pub(crate) fn check_member_limit(&self, organization_id: &str) -> Result<(), Status> {
        let Some(max) = self
            .user_management
            .get(organization_id)
            .and_then(|s| s.max_allowed_users)
        else {
            return Ok(());
        };
        let members = self
            .users
            .values()
            .filter(|u| {
                u.memberships
                    .iter()
                    .any(|m| m.organization_id == organization_id)
            })
            .count();
        if i64::try_from(members).unwrap_or(i64::MAX) >= i64::from(max) {
            return Err(status::failed_precondition(
                "MAX_USERS_LIMIT_REACHED",
                format!(
                    "organization {organization_id} already has {members} member(s), the most its user management settings allow ({max})"
                ),
            ));
        }
        Ok(())
    }

    /// Drops the admin-portal links whose lifetime is over.
    pub(crate) fn prune_expired_links(&mut self) {
        let now = SystemTime::now();
        for links in self.portal_links.values_mut() {
            links.retain(|link| {
                link.expire_time
                    .and_then(|t| SystemTime::try_from(t).ok())
                    .is_some_and(|expiry| expiry > now)
            });
        }
        self.portal_links.retain(|_, links| !links.is_empty());
    }
}
