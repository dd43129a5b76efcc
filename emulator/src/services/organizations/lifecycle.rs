//! The RPCs on organizations themselves: create, get, list, search, update
//! and delete (which cascades through the store).

use super::*;

pub(super) async fn create_organization(
    ctx: &Context,
    request: Request<CreateOrganizationRequest>,
) -> Result<Response<CreateOrganizationResponse>, Status> {
    let wanted = validate::present("organization", request.into_inner().organization)?;
    let name = validate::display_name(&wanted.display_name, MAX_DISPLAY_NAME)?;
    validate::metadata(&wanted.metadata)?;
    let mut store = ctx.lock();
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
    store.remove_organization(&id);
    Ok(Response::new(()))
}
