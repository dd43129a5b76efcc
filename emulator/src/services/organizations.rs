//! `scalekit.v1.organizations.OrganizationService`: organizations, their
//! external ids, metadata and feature settings.

use std::sync::Arc;

use scalekit::proto::organizations::{self as pb, *};
use tonic::{Request, Response, Status};

use crate::paging::{paginate, MAX_PAGE_SIZE};
use crate::status;
use crate::store::{now, SharedStore, Store};

/// The OrganizationService of one emulated environment.
pub(crate) struct Organizations {
    pub(crate) store: Arc<SharedStore>,
}

/// Display names are 1 to 200 characters.
const MAX_DISPLAY_NAME: usize = 200;

fn display_name(value: &str) -> Result<String, Status> {
    let name = value.trim();
    if name.is_empty() {
        return Err(status::invalid_argument("display_name", "is required"));
    }
    if name.chars().count() > MAX_DISPLAY_NAME {
        return Err(status::invalid_argument(
            "display_name",
            format!("must be at most {MAX_DISPLAY_NAME} characters"),
        ));
    }
    Ok(name.to_string())
}

enum Which<'a> {
    Id(&'a str),
    ExternalId(&'a str),
}

fn resolve(store: &Store, which: Option<Which<'_>>) -> Result<String, Status> {
    match which {
        None => Err(status::invalid_argument(
            "identities",
            "an id or external_id is required",
        )),
        Some(Which::Id(id)) => {
            let id = id.trim();
            if id.is_empty() {
                return Err(status::invalid_argument("id", "is required"));
            }
            store
                .organizations
                .contains_key(id)
                .then(|| id.to_string())
                .ok_or_else(|| status::not_found("organization", id))
        }
        Some(Which::ExternalId(ext)) => {
            let ext = ext.trim();
            if ext.is_empty() {
                return Err(status::invalid_argument("external_id", "is required"));
            }
            store
                .organization_id_by_external_id(ext)
                .ok_or_else(|| status::not_found("organization", ext))
        }
    }
}

macro_rules! which {
    ($oneof:expr, $module:ident) => {
        $oneof.as_ref().map(|w| match w {
            pb::$module::Identities::Id(id) => Which::Id(id),
            pb::$module::Identities::ExternalId(e) => Which::ExternalId(e),
        })
    };
}

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
        let wanted = request
            .into_inner()
            .organization
            .ok_or_else(|| status::invalid_argument("organization", "is required"))?;
        let name = display_name(&wanted.display_name)?;
        let mut store = self.store.lock();
        check_external_id_free(&store, wanted.external_id.as_deref(), None)?;
        let id = store.ids.next("org");
        let created = now();
        let organization = Organization {
            id: id.clone(),
            create_time: Some(created.clone()),
            update_time: Some(created),
            display_name: name,
            region_code: wanted.region_code,
            external_id: wanted.external_id.filter(|e| !e.is_empty()),
            metadata: wanted.metadata,
            settings: Some(default_settings()),
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
        let mut store = self.store.lock();
        let id = resolve(&store, which!(req.identities, update_organization_request))?;
        let update = req
            .organization
            .ok_or_else(|| status::invalid_argument("organization", "is required"))?;
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
            Some(name) if wants("display_name") => Some(display_name(name)?),
            _ => None,
        };
        if wants("external_id") {
            check_external_id_free(&store, update.external_id.as_deref(), Some(&id))?;
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
        let store = self.store.lock();
        let id = resolve(&store, which!(req.identities, get_organization_request))?;
        Ok(Response::new(GetOrganizationResponse {
            organization: store.organizations.get(&id).cloned(),
        }))
    }

    async fn list_organization(
        &self,
        request: Request<ListOrganizationsRequest>,
    ) -> Result<Response<ListOrganizationsResponse>, Status> {
        let req = request.into_inner();
        let store = self.store.lock();
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

    async fn delete_organization(
        &self,
        request: Request<DeleteOrganizationRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.store.lock();
        let id = resolve(&store, which!(req.identities, delete_organization_request))?;
        store.organizations.remove(&id);
        for user in store.users.values_mut() {
            user.memberships.retain(|m| m.organization_id != id);
        }
        store.invites.retain(|(org, _), _| *org != id);
        Ok(Response::new(()))
    }

    async fn update_organization_settings(
        &self,
        request: Request<UpdateOrganizationSettingsRequest>,
    ) -> Result<Response<GetOrganizationResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.store.lock();
        let id = resolve(&store, Some(Which::Id(&req.id)))?;
        let wanted = req
            .settings
            .ok_or_else(|| status::invalid_argument("settings", "is required"))?;
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
}
