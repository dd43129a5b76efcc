//! Request construction: the argument checks of each [`OrganizationsClient`]
//! method and the exact proto message it sends, kept apart from the calls so
//! that the unit tests can compare them with the reference SDK's requests.

#[cfg(doc)]
use super::OrganizationsClient;
use super::{
    CreateOrganizationOptions, ListOrganizationOptions, OrganizationSessionPolicySettings,
    OrganizationSettings, OrganizationUserManagementSettings, SearchOrganizationOptions,
    SessionPolicyType, TimeUnit, UpdateOrganization,
};
use crate::error::{Error, Result};
use crate::proto::organizations::{
    delete_organization_request, get_organization_request, update_organization_request,
    CreateOrganization, CreateOrganizationRequest, DeleteOrganizationRequest,
    GeneratePortalLinkRequest, GetOrganizationRequest, GetOrganizationSessionPolicyRequest,
    GetOrganizationUserManagementSettingsRequest, ListOrganizationsRequest,
    SearchOrganizationsRequest, UpdateOrganizationRequest, UpdateOrganizationSessionPolicyRequest,
    UpdateOrganizationSettingsRequest, UpsertUserManagementSettingsRequest,
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

pub(super) fn search_organization_request(
    query: &str,
    opts: &SearchOrganizationOptions,
) -> Result<SearchOrganizationsRequest> {
    // The reference refuses a blank query and sends any other one as given;
    // the server's own rules (at least 3 characters) stay the server's.
    validate::require_non_empty("query", query)?;
    Ok(SearchOrganizationsRequest {
        query: query.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    })
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

pub(super) fn get_organization_user_management_setting_request(
    organization_id: &str,
) -> Result<GetOrganizationUserManagementSettingsRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    Ok(GetOrganizationUserManagementSettingsRequest {
        organization_id: organization_id.to_owned(),
    })
}

pub(super) fn get_organization_session_policy_request(
    organization_id: &str,
) -> Result<GetOrganizationSessionPolicyRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    Ok(GetOrganizationSessionPolicyRequest {
        organization_id: organization_id.to_owned(),
    })
}

/// The reference takes one of two shapes: `APPLICATION` alone, or `CUSTOM`
/// with an absolute timeout and its unit plus optional idle settings. Its
/// types rule the other combinations out at compile time; here they are
/// refused before any I/O, and the request carries exactly the fields the
/// reference sends for the same policy.
pub(super) fn update_organization_session_policy_request(
    organization_id: &str,
    policy: OrganizationSessionPolicySettings,
) -> Result<UpdateOrganizationSessionPolicyRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    match SessionPolicyType::try_from(policy.policy_source) {
        Ok(SessionPolicyType::Application) => {
            let set = [
                (
                    "absolute_session_timeout",
                    policy.absolute_session_timeout.is_some(),
                ),
                (
                    "absolute_session_timeout_unit",
                    policy.absolute_session_timeout_unit.is_some(),
                ),
                (
                    "idle_session_timeout_enabled",
                    policy.idle_session_timeout_enabled.is_some(),
                ),
                (
                    "idle_session_timeout",
                    policy.idle_session_timeout.is_some(),
                ),
                (
                    "idle_session_timeout_unit",
                    policy.idle_session_timeout_unit.is_some(),
                ),
            ];
            if let Some((field, _)) = set.into_iter().find(|(_, is_set)| *is_set) {
                return Err(Error::invalid_argument(
                    field,
                    "must be unset when the policy source is APPLICATION",
                ));
            }
            Ok(UpdateOrganizationSessionPolicyRequest {
                organization_id: organization_id.to_owned(),
                policy_source: SessionPolicyType::Application as i32,
                ..Default::default()
            })
        }
        Ok(SessionPolicyType::Custom) => {
            let absolute = policy.absolute_session_timeout.ok_or_else(|| {
                Error::invalid_argument(
                    "absolute_session_timeout",
                    "is required when the policy source is CUSTOM",
                )
            })?;
            let absolute_unit = policy.absolute_session_timeout_unit.ok_or_else(|| {
                Error::invalid_argument(
                    "absolute_session_timeout_unit",
                    "is required when the policy source is CUSTOM",
                )
            })?;
            Ok(UpdateOrganizationSessionPolicyRequest {
                organization_id: organization_id.to_owned(),
                policy_source: SessionPolicyType::Custom as i32,
                absolute_session_timeout: Some(absolute),
                absolute_session_timeout_unit: Some(time_unit(
                    "absolute_session_timeout_unit",
                    absolute_unit,
                )?),
                idle_session_timeout_enabled: policy.idle_session_timeout_enabled,
                idle_session_timeout: policy.idle_session_timeout,
                idle_session_timeout_unit: policy
                    .idle_session_timeout_unit
                    .map(|unit| time_unit("idle_session_timeout_unit", unit))
                    .transpose()?,
            })
        }
        _ => Err(Error::invalid_argument(
            "policy_source",
            "must be APPLICATION or CUSTOM",
        )),
    }
}

/// A unit the reference can send: minutes, hours or days, never the
/// unspecified value or one this contract does not know.
fn time_unit(field: &'static str, unit: i32) -> Result<i32> {
    match TimeUnit::try_from(unit) {
        Ok(TimeUnit::Minutes | TimeUnit::Hours | TimeUnit::Days) => Ok(unit),
        _ => Err(Error::invalid_argument(
            field,
            "must be MINUTES, HOURS or DAYS",
        )),
    }
}
