//! The RPCs on organizations themselves: create, get, list, search, update
//! and delete (which cascades through the store). Each change is recorded
//! in the event log.

use super::*;
use crate::store::{Change, Subject};

/// Slugs are hostnames: at most 253 characters in all.
const MAX_SLUG: usize = 253;
/// One DNS label of a slug: at most 63 characters.
const MAX_SLUG_LABEL: usize = 63;
/// Logo URLs are at most 1024 characters.
const MAX_LOGO_URL: usize = 1024;

/// A slug as sent (`field` names it): empty means none; otherwise a single
/// DNS label (`acme`) or a hostname (`oauth.acme.io`) of lowercase letters,
/// digits and inner hyphens, as the service's validation rule has it.
fn slug(value: &str) -> Result<Option<String>, Status> {
    if value.is_empty() {
        return Ok(None);
    }
    let label_ok = |label: &str| {
        (1..=MAX_SLUG_LABEL).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if value.len() > MAX_SLUG || !value.split('.').all(label_ok) {
        return Err(status::invalid_argument(
            "slug",
            "must be a DNS label or hostname of lowercase letters, digits, hyphens and dots (at most 253 characters)",
        ));
    }
    Ok(Some(value.to_string()))
}

/// A logo URL as sent: empty means none; otherwise an absolute `https` URL
/// of at most 1024 characters.
fn logo_url(value: &str) -> Result<Option<String>, Status> {
    if value.is_empty() {
        return Ok(None);
    }
    let https = url::Url::parse(value)
        .ok()
        .is_some_and(|u| u.scheme() == "https" && u.host().is_some());
    if value.chars().count() > MAX_LOGO_URL || !https {
        return Err(status::invalid_argument(
            "logo_url",
            "must be an https URL of at most 1024 characters",
        ));
    }
    Ok(Some(value.to_string()))
}

/// ALREADY_EXISTS when another organization than `own` has the slug:
/// slugs are unique in an environment.
fn check_slug_free(store: &Store, slug: Option<&str>, own: Option<&str>) -> Result<(), Status> {
    let Some(slug) = slug else { return Ok(()) };
    let holder = store
        .organizations
        .values()
        .find(|o| o.slug.as_deref() == Some(slug) && Some(o.id.as_str()) != own);
    match holder {
        Some(_) => Err(status::already_exists(
            "ORGANIZATION_SLUG_EXISTS",
            format!("an organization with slug {slug} already exists"),
        )),
        None => Ok(()),
    }
}

pub(super) async fn create_organization(
    ctx: &Context,
    request: Request<CreateOrganizationRequest>,
) -> Result<Response<CreateOrganizationResponse>, Status> {
    let wanted = validate::present("organization", request.into_inner().organization)?;
    let name = validate::display_name(&wanted.display_name, MAX_DISPLAY_NAME)?;
    validate::metadata(&wanted.metadata)?;
    let wanted_slug = slug(wanted.slug.as_deref().unwrap_or_default())?;
    let wanted_logo = logo_url(wanted.logo_url.as_deref().unwrap_or_default())?;
    let mut store = ctx.lock();
    check_external_id_free(&store, wanted.external_id.as_deref(), None)?;
    check_slug_free(&store, wanted_slug.as_deref(), None)?;
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
        slug: wanted_slug,
        logo_url: wanted_logo,
    };
    store.organizations.insert(id, organization.clone());
    store.record_event(Change::Created, Subject::Organization(&organization));
    Ok(Response::new(CreateOrganizationResponse {
        organization: Some(organization),
    }))
}

pub(super) async fn update_organization(
    ctx: &Context,
    request: Request<UpdateOrganizationRequest>,
) -> Result<Response<UpdateOrganizationResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
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
        if ![
            "display_name",
            "external_id",
            "metadata",
            "slug",
            "logo_url",
        ]
        .contains(&path.as_str())
        {
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
    // A slug or logo URL that is sent is set, or cleared when empty; a
    // field the mask names but the request leaves out is cleared too.
    let new_slug = match &update.slug {
        Some(value) if wants("slug") => Some(slug(value)?),
        None if paths.iter().any(|p| p == "slug") => Some(None),
        _ => None,
    };
    let new_logo = match &update.logo_url {
        Some(value) if wants("logo_url") => Some(logo_url(value)?),
        None if paths.iter().any(|p| p == "logo_url") => Some(None),
        _ => None,
    };
    if let Some(slug) = &new_slug {
        check_slug_free(&store, slug.as_deref(), Some(&id))?;
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
    if let Some(slug) = new_slug {
        organization.slug = slug;
    }
    if let Some(logo) = new_logo {
        organization.logo_url = logo;
    }
    organization.update_time = Some(now());
    let updated = organization.clone();
    store.record_event(Change::Updated, Subject::Organization(&updated));
    Ok(Response::new(UpdateOrganizationResponse {
        organization: Some(updated),
    }))
}

pub(super) async fn get_organization(
    ctx: &Context,
    request: Request<GetOrganizationRequest>,
) -> Result<Response<GetOrganizationResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let id = validate::organization_identity(
        &store,
        identity!(req.identities, get_organization_request),
        "id",
    )?;
    Ok(Response::new(GetOrganizationResponse {
        organization: store.organizations.get(&id).cloned(),
    }))
}

pub(super) async fn list_organization(
    ctx: &Context,
    request: Request<ListOrganizationsRequest>,
) -> Result<Response<ListOrganizationsResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
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
pub(super) async fn search_organization(
    ctx: &Context,
    request: Request<SearchOrganizationsRequest>,
) -> Result<Response<SearchOrganizationsResponse>, Status> {
    let req = request.into_inner();
    let query = validate::search_query(&req.query)?.to_lowercase();
    let store = ctx.lock();
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

pub(super) async fn delete_organization(
    ctx: &Context,
    request: Request<DeleteOrganizationRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let id = validate::organization_identity(
        &store,
        identity!(req.identities, delete_organization_request),
        "id",
    )?;
    let removed = store.organizations.get(&id).cloned();
    store.remove_organization(&id);
    if let Some(organization) = removed {
        store.record_event(Change::Deleted, Subject::Organization(&organization));
    }
    Ok(Response::new(()))
}
