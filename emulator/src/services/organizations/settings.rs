//! The RPCs on an organization's feature settings and user-management
//! settings (the member limit).

use super::*;

pub(super) async fn update_organization_settings(
    ctx: &Context,
    request: Request<UpdateOrganizationSettingsRequest>,
) -> Result<Response<GetOrganizationResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
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

pub(super) async fn upsert_user_management_settings(
    ctx: &Context,
    request: Request<UpsertUserManagementSettingsRequest>,
) -> Result<Response<UpsertUserManagementSettingsResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
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

pub(super) async fn get_organization_user_management_setting(
    ctx: &Context,
    request: Request<GetOrganizationUserManagementSettingsRequest>,
) -> Result<Response<GetOrganizationUserManagementSettingsResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let id = validate::prefixed_organization(&store, "organization_id", &req.organization_id)?;
    Ok(Response::new(
        GetOrganizationUserManagementSettingsResponse {
            settings: Some(store.user_management.get(&id).cloned().unwrap_or_default()),
        },
    ))
}
