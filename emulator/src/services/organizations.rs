//! `scalekit.v1.organizations.OrganizationService`: organizations, their
//! external ids, metadata and feature settings, admin-portal links, the
//! member limit (user-management settings) and session settings.

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
        let wanted = validate::present("organization", request.into_inner().organization)?;
        let name = validate::display_name(&wanted.display_name, MAX_DISPLAY_NAME)?;
        validate::metadata(&wanted.metadata)?;
        let mut store = self.ctx.lock();
        check_external_id_free(&store, wanted.external_id.as_deref(), None)?;
        let id = store.ids.next("org");
        let created = now();
        let organization = Organization {
            id: id.clone(),
            create_time: Some(created),
            update_time: Some(created),
            display_name: name,
            region_code: wanted.region_code,
            external_id: wanted.external_id.filter(|e| !e.is_empty()),
            metadata: wanted.metadata,
            settings: Some(default_settings()),
            slug: wanted.slug.filter(|s| !s.is_empty()),
            logo_url: wanted.logo_url.filter(|u| !u.is_empty()),
        };
        store.organizations.insert(id, organization.clone());
        Ok(Response::new(CreateOrganizationResponse {
            organization: Some(organization),
        }))
    }

    async fn update_organization(
        &self,
        request: Request<UpdateOrganizationRequest>,
    ) -> Result<Response<UpdateOrganizationResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::organization_identity(
            &store,
            identity!(req.identities, update_organization_request),
            "id",
        )?;
        let update = validate::present("organization", req.organization)?;
        // With an update mask, only the named fields change; without one,
        // every field the request sets does.
        let paths: Vec<String> = req.update_mask.map(|m| m.paths).unwrap_or_default();
        let wants = |field: &str| paths.is_empty() || paths.iter().any(|p| p == field);
        for path in &paths {
            if !["display_name", "external_id", "metadata"].contains(&path.as_str()) {
                return Err(status::invalid_argument(
                    "update_mask",
                    format!("{path} is not an updatable field"),
                ));
            }
        }
        let new_name = match &update.display_name {
            Some(name) if wants("display_name") => {
                Some(validate::display_name(name, MAX_DISPLAY_NAME)?)
            }
            _ => None,
        };
        if wants("external_id") {
            check_external_id_free(&store, update.external_id.as_deref(), Some(&id))?;
        }
        if wants("metadata") {
            validate::metadata(&update.metadata)?;
        }
        let organization = store
            .organizations
            .get_mut(&id)
            .ok_or_else(|| status::not_found("organization", &id))?;
        if let Some(name) = new_name {
            organization.display_name = name;
        }
        if wants("external_id") {
            if let Some(ext) = update.external_id {
                organization.external_id = Some(ext).filter(|e| !e.is_empty());
            }
        }
        if wants("metadata") && (!update.metadata.is_empty() || !paths.is_empty()) {
            organization.metadata = update.metadata;
        }
        organization.update_time = Some(now());
        Ok(Response::new(UpdateOrganizationResponse {
            organization: Some(organization.clone()),
        }))
    }

    async fn get_organization(
        &self,
        request: Request<GetOrganizationRequest>,
    ) -> Result<Response<GetOrganizationResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let id = validate::organization_identity(
            &store,
            identity!(req.identities, get_organization_request),
            "id",
        )?;
        Ok(Response::new(GetOrganizationResponse {
            organization: store.organizations.get(&id).cloned(),
        }))
    }

    async fn list_organization(
        &self,
        request: Request<ListOrganizationsRequest>,
    ) -> Result<Response<ListOrganizationsResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let all: Vec<Organization> = store
            .organizations
            .values()
            .filter(|o| {
                req.external_id
                    .as_deref()
                    .is_none_or(|ext| o.external_id.as_deref() == Some(ext))
            })
            .cloned()
            .collect();
        let page = paginate(all, req.page_size, &req.page_token, MAX_PAGE_SIZE)?;
        Ok(Response::new(ListOrganizationsResponse {
            organizations: page.items,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
            total_size: page.total_size,
        }))
    }

    /// Matches `query` (at least 3 characters, case-insensitive) as a
    /// substring of each organization's display name, id and external id,
    /// as the service's API reference describes; pages of at most 30.
    async fn search_organization(
        &self,
        request: Request<SearchOrganizationsRequest>,
    ) -> Result<Response<SearchOrganizationsResponse>, Status> {
        let req = request.into_inner();
        let query = validate::search_query(&req.query)?.to_lowercase();
        let store = self.ctx.lock();
        let all: Vec<Organization> = store
            .organizations
            .values()
            .filter(|o| matches_query(o, &query))
            .cloned()
            .collect();
        let page = paginate(all, req.page_size, &req.page_token, MAX_SEARCH_PAGE_SIZE)?;
        Ok(Response::new(SearchOrganizationsResponse {
            organizations: page.items,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
            total_size: page.total_size,
        }))
    }

    async fn delete_organization(
        &self,
        request: Request<DeleteOrganizationRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::organization_identity(
            &store,
            identity!(req.identities, delete_organization_request),
            "id",
        )?;
        store.remove_organization(&id);
        Ok(Response::new(()))
    }

    async fn update_organization_settings(
        &self,
        request: Request<UpdateOrganizationSettingsRequest>,
    ) -> Result<Response<GetOrganizationResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::organization_identity(&store, Some(Identity::Id(&req.id)), "id")?;
        let wanted = validate::present("settings", req.settings)?;
        // The reference's examples spell directory sync `directory_sync`,
        // the `Feature` enum `dir_sync`: both name the one feature, which is
        // stored (and read back) as `dir_sync`.
        let mut wanted = wanted;
        for feature in &mut wanted.features {
            if feature.name == "directory_sync" {
                feature.name = "dir_sync".to_string();
            }
        }
        for feature in &wanted.features {
            if !["sso", "dir_sync"].contains(&feature.name.as_str()) {
                return Err(status::invalid_argument(
                    "settings.features",
                    format!("unknown feature {:?}", feature.name),
                ));
            }
        }
        let organization = store
            .organizations
            .get_mut(&id)
            .ok_or_else(|| status::not_found("organization", &id))?;
        let settings = organization.settings.get_or_insert_with(default_settings);
        for feature in wanted.features {
            match settings
                .features
                .iter_mut()
                .find(|f| f.name == feature.name)
            {
                Some(existing) => existing.enabled = feature.enabled,
                None => settings.features.push(feature),
            }
        }
        organization.update_time = Some(now());
        Ok(Response::new(GetOrganizationResponse {
            organization: Some(organization.clone()),
        }))
    }
    async fn generate_portal_link(
        &self,
        request: Request<GeneratePortalLinkRequest>,
    ) -> Result<Response<GeneratePortalLinkResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::prefixed_organization(&store, "id", &req.id)?;
        store.prune_expired_links();
        let token = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
        let link = Link {
            id: store.ids.next("lnk"),
            location: format!(
                "{}/magicLink/{token}",
                self.ctx.env_url.trim_end_matches('/')
            ),
            expire_time: Some(prost_types::Timestamp::from(
                SystemTime::now() + PORTAL_LINK_LIFETIME,
            )),
        };
        store.portal_links.entry(id).or_default().push(link.clone());
        Ok(Response::new(GeneratePortalLinkResponse {
            link: Some(link),
        }))
    }

    async fn get_portal_links(
        &self,
        request: Request<GetPortalLinkRequest>,
    ) -> Result<Response<GetPortalLinksResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::prefixed_organization(&store, "id", &req.id)?;
        store.prune_expired_links();
        Ok(Response::new(GetPortalLinksResponse {
            links: store.portal_links.get(&id).cloned().unwrap_or_default(),
        }))
    }

    async fn delete_portal_link(
        &self,
        request: Request<DeletePortalLinkRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::prefixed_organization(&store, "id", &req.id)?;
        store.portal_links.remove(&id);
        Ok(Response::new(()))
    }

    async fn delete_portal_link_by_id(
        &self,
        request: Request<DeletePortalLinkByIdRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::prefixed_organization(&store, "id", &req.id)?;
        let link_id = req.link_id.trim();
        if !link_id.starts_with("lnk_") {
            return Err(status::invalid_argument(
                "link_id",
                "must be a portal link id (lnk_…)",
            ));
        }
        store.prune_expired_links();
        let links = store.portal_links.get_mut(&id);
        let position = links
            .as_ref()
            .and_then(|links| links.iter().position(|l| l.id == link_id));
        match (links, position) {
            (Some(links), Some(i)) => {
                links.remove(i);
                if links.is_empty() {
                    store.portal_links.remove(&id);
                }
                Ok(Response::new(()))
            }
            _ => Err(status::not_found("portal link", link_id)),
        }
    }

    async fn upsert_user_management_settings(
        &self,
        request: Request<UpsertUserManagementSettingsRequest>,
    ) -> Result<Response<UpsertUserManagementSettingsResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = validate::prefixed_organization(&store, "organization_id", &req.organization_id)?;
        let settings = validate::present("settings", req.settings)?;
        if settings.max_allowed_users.is_some_and(|max| max < 0) {
            return Err(status::invalid_argument(
                "settings.max_allowed_users",
                "must not be negative",
            ));
        }
        // An unset limit removes it; existing members are never evicted.
        store.user_management.insert(id, settings);
        Ok(Response::new(UpsertUserManagementSettingsResponse {
            settings: Some(settings),
        }))
    }

    async fn get_organization_user_management_setting(
        &self,
        request: Request<GetOrganizationUserManagementSettingsRequest>,
    ) -> Result<Response<GetOrganizationUserManagementSettingsResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let id = validate::prefixed_organization(&store, "organization_id", &req.organization_id)?;
        Ok(Response::new(
            GetOrganizationUserManagementSettingsResponse {
                settings: Some(store.user_management.get(&id).cloned().unwrap_or_default()),
            },
        ))
    }
}
