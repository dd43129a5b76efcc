//! `scalekit.v1.organizations.OrganizationService`: organizations, their
//! external ids, metadata and feature settings, admin-portal links, the
//! member limit (user-management settings) and session policies.
//!
//! The RPCs live in one submodule per area: [`lifecycle`], [`settings`],
//! [`session_policy`] and [`portal_links`]; the helpers they share are here.

mod lifecycle;
mod portal_links;
mod session_policy;
mod settings;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rand::distributions::{Alphanumeric, DistString as _};
use scalekit::proto::organizations::{self as pb, *};
use tonic::{Request, Response, Status};

use crate::paging::{paginate, MAX_PAGE_SIZE, MAX_SEARCH_PAGE_SIZE};
use crate::services::validate::{self, identity, Identity};
use crate::services::Context;
use crate::status;
use crate::store::{now, Store};

/// The OrganizationService of one emulated environment.
pub(crate) struct Organizations {
    pub(crate) ctx: Arc<Context>,
}

/// Admin-portal links are single use and valid for one minute.
const PORTAL_LINK_LIFETIME: Duration = Duration::from_secs(60);

/// Display names are 1 to 200 characters.
const MAX_DISPLAY_NAME: usize = 200;

fn check_external_id_free(
    store: &Store,
    external_id: Option<&str>,
    own: Option<&str>,
) -> Result<(), Status> {
    if let Some(ext) = external_id.filter(|e| !e.is_empty()) {
        if let Some(holder) = store.organization_id_by_external_id(ext) {
            if Some(holder.as_str()) != own {
                return Err(status::already_exists(
                    "ORGANIZATION_EXTERNAL_ID_EXISTS",
                    format!("an organization with external_id {ext} already exists"),
                ));
            }
        }
    }
    Ok(())
}

/// Whether `query` (lowercased) occurs in the organization's display name,
/// id or external id, ignoring case.
fn matches_query(organization: &Organization, query: &str) -> bool {
    [
        Some(organization.display_name.as_str()),
        Some(organization.id.as_str()),
        organization.external_id.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_lowercase().contains(query))
}

fn default_settings() -> OrganizationSettings {
    OrganizationSettings {
        features: ["sso", "dir_sync"]
            .into_iter()
            .map(|name| OrganizationSettingsFeature {
                name: name.to_string(),
                enabled: false,
            })
            .collect(),
    }
}

#[tonic::async_trait]
impl OrganizationService for Organizations {
    async fn create_organization(
        &self,
        request: Request<CreateOrganizationRequest>,
    ) -> Result<Response<CreateOrganizationResponse>, Status> {
        lifecycle::create_organization(&self.ctx, request).await
    }

    async fn update_organization(
        &self,
        request: Request<UpdateOrganizationRequest>,
    ) -> Result<Response<UpdateOrganizationResponse>, Status> {
        lifecycle::update_organization(&self.ctx, request).await
    }

    async fn get_organization(
        &self,
        request: Request<GetOrganizationRequest>,
    ) -> Result<Response<GetOrganizationResponse>, Status> {
        lifecycle::get_organization(&self.ctx, request).await
    }

    async fn list_organization(
        &self,
        request: Request<ListOrganizationsRequest>,
    ) -> Result<Response<ListOrganizationsResponse>, Status> {
        lifecycle::list_organization(&self.ctx, request).await
    }

    async fn search_organization(
        &self,
        request: Request<SearchOrganizationsRequest>,
    ) -> Result<Response<SearchOrganizationsResponse>, Status> {
        lifecycle::search_organization(&self.ctx, request).await
    }

    async fn delete_organization(
        &self,
        request: Request<DeleteOrganizationRequest>,
    ) -> Result<Response<()>, Status> {
        lifecycle::delete_organization(&self.ctx, request).await
    }

    async fn update_organization_settings(
        &self,
        request: Request<UpdateOrganizationSettingsRequest>,
    ) -> Result<Response<GetOrganizationResponse>, Status> {
        settings::update_organization_settings(&self.ctx, request).await
    }

    async fn generate_portal_link(
        &self,
        request: Request<GeneratePortalLinkRequest>,
    ) -> Result<Response<GeneratePortalLinkResponse>, Status> {
        portal_links::generate_portal_link(&self.ctx, request).await
    }

    async fn get_portal_links(
        &self,
        request: Request<GetPortalLinkRequest>,
    ) -> Result<Response<GetPortalLinksResponse>, Status> {
        portal_links::get_portal_links(&self.ctx, request).await
    }

    async fn delete_portal_link(
        &self,
        request: Request<DeletePortalLinkRequest>,
    ) -> Result<Response<()>, Status> {
        portal_links::delete_portal_link(&self.ctx, request).await
    }

    async fn delete_portal_link_by_id(
        &self,
        request: Request<DeletePortalLinkByIdRequest>,
    ) -> Result<Response<()>, Status> {
        portal_links::delete_portal_link_by_id(&self.ctx, request).await
    }

    async fn upsert_user_management_settings(
        &self,
        request: Request<UpsertUserManagementSettingsRequest>,
    ) -> Result<Response<UpsertUserManagementSettingsResponse>, Status> {
        settings::upsert_user_management_settings(&self.ctx, request).await
    }

    async fn get_organization_user_management_setting(
        &self,
        request: Request<GetOrganizationUserManagementSettingsRequest>,
    ) -> Result<Response<GetOrganizationUserManagementSettingsResponse>, Status> {
        settings::get_organization_user_management_setting(&self.ctx, request).await
    }

    async fn update_organization_session_policy(
        &self,
        request: Request<UpdateOrganizationSessionPolicyRequest>,
    ) -> Result<Response<UpdateOrganizationSessionPolicyResponse>, Status> {
        session_policy::update_organization_session_policy(&self.ctx, request).await
    }

    async fn get_organization_session_policy(
        &self,
        request: Request<GetOrganizationSessionPolicyRequest>,
    ) -> Result<Response<GetOrganizationSessionPolicyResponse>, Status> {
        session_policy::get_organization_session_policy(&self.ctx, request).await
    }

    async fn get_application_session_policy(
        &self,
        request: Request<GetApplicationSessionPolicyRequest>,
    ) -> Result<Response<GetApplicationSessionPolicyResponse>, Status> {
        session_policy::get_application_session_policy(&self.ctx, request).await
    }
}
