//! Request construction: the argument checks of each [`OrganizationsClient`]
//! method and the exact proto message it sends, kept apart from the calls so
//! that the unit tests can compare them with the reference SDK's requests.

#[cfg(doc)]
use super::OrganizationsClient;
use super::{
    CreateOrganizationOptions, ListOrganizationOptions, OrganizationSettings,
    OrganizationUserManagementSettings, UpdateOrganization,
};
use crate::error::Result;
use crate::proto::organizations::{
    delete_organization_request, get_organization_request, update_organization_request,
    CreateOrganization, CreateOrganizationRequest, DeleteOrganizationRequest,
    GeneratePortalLinkRequest, GetOrganizationRequest, ListOrganizationsRequest,
    UpdateOrganizationRequest, UpdateOrganizationSettingsRequest,
    UpsertUserManagementSettingsRequest,
};
use crate::validate;

/// The prefix the service requires of organization ids in the portal-link
/// and settings RPCs.
const ORG_PREFIX: &str = "org_";

pub(super) fn create_organization_request(
    name: &str,
    opts: CreateOrganizationOptions,
) -> Result<CreateOrganizationRequest> {
    validate::require_non_empty("name", name)?;
    Ok(CreateOrganizationRequest {
        organization: Some(CreateOrganization {
            display_name: name.to_owned(),
            region_code: opts.region_code.map_or(0, |r| r as i32),
            // Like the reference, an empty external id is left out.
            external_id: opts.external_id.filter(|e| !e.is_empty()),
            metadata: opts.metadata,
            // As the reference does, empty ones are left out.
            slug: opts.slug.filter(|s| !s.is_empty()),
            logo_url: opts.logo_url.filter(|u| !u.is_empty()),
        }),
    })
}

pub(super) fn list_organization_request(
    opts: &ListOrganizationOptions,
) -> ListOrganizationsRequest {
    ListOrganizationsRequest {
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
        external_id: opts.external_id.clone(),
    }
}

pub(super) fn get_organization_request(organization_id: &str) -> Result<GetOrganizationRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(GetOrganizationRequest {
        identities: Some(get_organization_request::Identities::Id(
            organization_id.to_owned(),
        )),
    })
}

pub(super) fn get_organization_by_external_id_request(
    external_id: &str,
) -> Result<GetOrganizationRequest> {
    validate::require_non_empty("external_id", external_id)?;
    Ok(GetOrganizationRequest {
        identities: Some(get_organization_request::Identities::ExternalId(
            external_id.to_owned(),
        )),
    })
}

pub(super) fn update_organization_request(
    organization_id: &str,
    organization: UpdateOrganization,
) -> Result<UpdateOrganizationRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(UpdateOrganizationRequest {
        identities: Some(update_organization_request::Identities::Id(
            organization_id.to_owned(),
        )),
        organization: Some(organization),
        update_mask: None,
    })
}

pub(super) fn update_organization_by_external_id_request(
    external_id: &str,
    organization: UpdateOrganization,
) -> Result<UpdateOrganizationRequest> {
    validate::require_non_empty("external_id", external_id)?;
    Ok(UpdateOrganizationRequest {
        identities: Some(update_organization_request::Identities::ExternalId(
            external_id.to_owned(),
        )),
        organization: Some(organization),
        update_mask: None,
    })
}

pub(super) fn delete_organization_request(
    organization_id: &str,
) -> Result<DeleteOrganizationRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(DeleteOrganizationRequest {
        identities: Some(delete_organization_request::Identities::Id(
            organization_id.to_owned(),
        )),
    })
}

pub(super) fn generate_portal_link_request(
    organization_id: &str,
) -> Result<GeneratePortalLinkRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    Ok(GeneratePortalLinkRequest {
        id: organization_id.to_owned(),
        ..Default::default()
    })
}

pub(super) fn update_organization_settings_request(
    organization_id: &str,
    settings: OrganizationSettings,
) -> Result<UpdateOrganizationSettingsRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    Ok(UpdateOrganizationSettingsRequest {
        id: organization_id.to_owned(),
        settings: Some(settings),
    })
}

pub(super) fn upsert_user_management_settings_request(
    organization_id: &str,
    settings: OrganizationUserManagementSettings,
) -> Result<UpsertUserManagementSettingsRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    Ok(UpsertUserManagementSettingsRequest {
        organization_id: organization_id.to_owned(),
        settings: Some(settings),
    })
}
