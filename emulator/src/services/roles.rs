//! `scalekit.v1.roles.RolesService`: environment and organization roles,
//! role inheritance (`extends`), permissions and role↔permission links,
//! default roles and the users count of a role.
//!
//! Environment roles live in `Store::roles` by name, organization roles in
//! `Store::organization_roles` by (organization id, name); one name means one
//! role within an organization, so an organization role may not reuse an
//! environment role's name (nor the other way round). Memberships (users
//! service) hold short copies of roles (`commons.Role`), matched by id.
//!
//! The RPCs live in one submodule per area: [`environment`] roles,
//! [`organization`] roles and [`permissions`] (with role↔permission links);
//! [`scope`] holds the role logic the first two share.

mod environment;
mod organization;
mod permissions;
mod scope;

use std::collections::HashSet;
use std::sync::Arc;

use scalekit::proto::roles::*;
use tonic::{Request, Response, Status};

use crate::paging::{paginate, MAX_PAGE_SIZE};
use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::{now, RoleRecord, Store};

/// The most permissions one role may hold directly.
const MAX_ROLE_PERMISSIONS: usize = 100;

/// The RolesService of one emulated environment.
pub(crate) struct Roles {
    pub(crate) ctx: Arc<Context>,
}

#[tonic::async_trait]
impl RolesService for Roles {
    async fn create_role(
        &self,
        request: Request<CreateRoleRequest>,
    ) -> Result<Response<CreateRoleResponse>, Status> {
        environment::create_role(&self.ctx, request).await
    }

    async fn update_role(
        &self,
        request: Request<UpdateRoleRequest>,
    ) -> Result<Response<UpdateRoleResponse>, Status> {
        environment::update_role(&self.ctx, request).await
    }

    async fn get_role(
        &self,
        request: Request<GetRoleRequest>,
    ) -> Result<Response<GetRoleResponse>, Status> {
        environment::get_role(&self.ctx, request).await
    }

    async fn list_roles(
        &self,
        request: Request<ListRolesRequest>,
    ) -> Result<Response<ListRolesResponse>, Status> {
        environment::list_roles(&self.ctx, request).await
    }

    async fn delete_role(
        &self,
        request: Request<DeleteRoleRequest>,
    ) -> Result<Response<()>, Status> {
        environment::delete_role(&self.ctx, request).await
    }

    async fn create_organization_role(
        &self,
        request: Request<CreateOrganizationRoleRequest>,
    ) -> Result<Response<CreateOrganizationRoleResponse>, Status> {
        organization::create_organization_role(&self.ctx, request).await
    }

    async fn update_organization_role(
        &self,
        request: Request<UpdateOrganizationRoleRequest>,
    ) -> Result<Response<UpdateOrganizationRoleResponse>, Status> {
        organization::update_organization_role(&self.ctx, request).await
    }

    async fn get_organization_role(
        &self,
        request: Request<GetOrganizationRoleRequest>,
    ) -> Result<Response<GetOrganizationRoleResponse>, Status> {
        organization::get_organization_role(&self.ctx, request).await
    }

    async fn list_organization_roles(
        &self,
        request: Request<ListOrganizationRolesRequest>,
    ) -> Result<Response<ListOrganizationRolesResponse>, Status> {
        organization::list_organization_roles(&self.ctx, request).await
    }

    async fn delete_organization_role(
        &self,
        request: Request<DeleteOrganizationRoleRequest>,
    ) -> Result<Response<()>, Status> {
        organization::delete_organization_role(&self.ctx, request).await
    }

    async fn get_role_users_count(
        &self,
        request: Request<GetRoleUsersCountRequest>,
    ) -> Result<Response<GetRoleUsersCountResponse>, Status> {
        environment::get_role_users_count(&self.ctx, request).await
    }

    async fn get_organization_role_users_count(
        &self,
        request: Request<GetOrganizationRoleUsersCountRequest>,
    ) -> Result<Response<GetOrganizationRoleUsersCountResponse>, Status> {
        organization::get_organization_role_users_count(&self.ctx, request).await
    }

    async fn update_default_roles(
        &self,
        request: Request<UpdateDefaultRolesRequest>,
    ) -> Result<Response<UpdateDefaultRolesResponse>, Status> {
        environment::update_default_roles(&self.ctx, request).await
    }

    async fn update_default_organization_roles(
        &self,
        request: Request<UpdateDefaultOrganizationRolesRequest>,
    ) -> Result<Response<UpdateDefaultOrganizationRolesResponse>, Status> {
        organization::update_default_organization_roles(&self.ctx, request).await
    }

    async fn list_dependent_roles(
        &self,
        request: Request<ListDependentRolesRequest>,
    ) -> Result<Response<ListDependentRolesResponse>, Status> {
        environment::list_dependent_roles(&self.ctx, request).await
    }

    async fn delete_role_base(
        &self,
        request: Request<DeleteRoleBaseRequest>,
    ) -> Result<Response<()>, Status> {
        environment::delete_role_base(&self.ctx, request).await
    }

    async fn delete_organization_role_base(
        &self,
        request: Request<DeleteOrganizationRoleBaseRequest>,
    ) -> Result<Response<()>, Status> {
        organization::delete_organization_role_base(&self.ctx, request).await
    }

    async fn create_permission(
        &self,
        request: Request<CreatePermissionRequest>,
    ) -> Result<Response<CreatePermissionResponse>, Status> {
        permissions::create_permission(&self.ctx, request).await
    }

    async fn get_permission(
        &self,
        request: Request<GetPermissionRequest>,
    ) -> Result<Response<GetPermissionResponse>, Status> {
        permissions::get_permission(&self.ctx, request).await
    }

    async fn update_permission(
        &self,
        request: Request<UpdatePermissionRequest>,
    ) -> Result<Response<UpdatePermissionResponse>, Status> {
        permissions::update_permission(&self.ctx, request).await
    }

    async fn list_permissions(
        &self,
        request: Request<ListPermissionsRequest>,
    ) -> Result<Response<ListPermissionsResponse>, Status> {
        permissions::list_permissions(&self.ctx, request).await
    }

    async fn delete_permission(
        &self,
        request: Request<DeletePermissionRequest>,
    ) -> Result<Response<()>, Status> {
        permissions::delete_permission(&self.ctx, request).await
    }

    async fn list_role_permissions(
        &self,
        request: Request<ListRolePermissionsRequest>,
    ) -> Result<Response<ListRolePermissionsResponse>, Status> {
        permissions::list_role_permissions(&self.ctx, request).await
    }

    async fn add_permissions_to_role(
        &self,
        request: Request<AddPermissionsToRoleRequest>,
    ) -> Result<Response<AddPermissionsToRoleResponse>, Status> {
        permissions::add_permissions_to_role(&self.ctx, request).await
    }

    async fn remove_permission_from_role(
        &self,
        request: Request<RemovePermissionFromRoleRequest>,
    ) -> Result<Response<()>, Status> {
        permissions::remove_permission_from_role(&self.ctx, request).await
    }

    async fn list_effective_role_permissions(
        &self,
        request: Request<ListEffectiveRolePermissionsRequest>,
    ) -> Result<Response<ListEffectiveRolePermissionsResponse>, Status> {
        permissions::list_effective_role_permissions(&self.ctx, request).await
    }
}
