//! Request construction: the argument checks of each [`DirectoriesClient`]
//! method and the exact proto message it sends, as the reference SDK builds
//! it; also the reference's rule for picking an organization's primary
//! directory from a listing.

#[cfg(doc)]
use super::DirectoriesClient;
use super::{CreateDirectory, Directory, ListDirectoryGroupsOptions, ListDirectoryUsersOptions};
use crate::error::{Error, Result};
use crate::proto::directories::{
    CreateDirectoryRequest, DeleteDirectoryRequest, GetDirectoryRequest, ListDirectoriesRequest,
    ListDirectoryGroupsRequest, ListDirectoryUsersRequest, ToggleDirectoryRequest,
};
use crate::validate;

/// The prefixes the service requires of the ids in `DeleteDirectoryRequest`
/// (the only directory RPC whose rules name them).
const ORG_PREFIX: &str = "org_";
const DIRECTORY_PREFIX: &str = "dir_";

pub(super) fn list_directories_request(organization_id: &str) -> Result<ListDirectoriesRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(ListDirectoriesRequest {
        organization_id: organization_id.to_owned(),
    })
}

pub(super) fn get_directory_request(
    organization_id: &str,
    directory_id: &str,
) -> Result<GetDirectoryRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("directory_id", directory_id)?;
    Ok(GetDirectoryRequest {
        id: directory_id.to_owned(),
        organization_id: organization_id.to_owned(),
    })
}

/// The first listed directory, or a NOT_FOUND error (the reference rejects
/// with "directory does not exist for organization").
pub(super) fn primary_directory(
    organization_id: &str,
    directories: Vec<Directory>,
) -> Result<Directory> {
    directories.into_iter().next().ok_or_else(|| {
        Error::from(tonic::Status::not_found(format!(
            "directory does not exist for organization {organization_id}"
        )))
    })
}

pub(super) fn list_directory_users_request(
    organization_id: &str,
    directory_id: &str,
    opts: &ListDirectoryUsersOptions,
) -> Result<ListDirectoryUsersRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("directory_id", directory_id)?;
    Ok(ListDirectoryUsersRequest {
        organization_id: organization_id.to_owned(),
        directory_id: directory_id.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
        include_detail: opts.include_detail,
        directory_group_id: opts.directory_group_id.clone(),
        updated_after: opts.updated_after.map(prost_types::Timestamp::from),
    })
}

pub(super) fn list_directory_groups_request(
    organization_id: &str,
    directory_id: &str,
    opts: &ListDirectoryGroupsOptions,
) -> Result<ListDirectoryGroupsRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("directory_id", directory_id)?;
    Ok(ListDirectoryGroupsRequest {
        organization_id: organization_id.to_owned(),
        directory_id: directory_id.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
        updated_after: opts.updated_after.map(prost_types::Timestamp::from),
        include_detail: opts.include_detail,
        include_external_groups: None,
    })
}

pub(super) fn toggle_directory_request(
    organization_id: &str,
    directory_id: &str,
) -> Result<ToggleDirectoryRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("directory_id", directory_id)?;
    Ok(ToggleDirectoryRequest {
        organization_id: organization_id.to_owned(),
        id: directory_id.to_owned(),
    })
}

pub(super) fn create_directory_request(
    organization_id: &str,
    directory: CreateDirectory,
) -> Result<CreateDirectoryRequest> {
    validate::require_id("organization_id", organization_id)?;
    Ok(CreateDirectoryRequest {
        organization_id: organization_id.to_owned(),
        directory: Some(directory),
    })
}

pub(super) fn delete_directory_request(
    organization_id: &str,
    directory_id: &str,
) -> Result<DeleteDirectoryRequest> {
    validate::require_prefixed_id("organization_id", organization_id, ORG_PREFIX)?;
    validate::require_prefixed_id("directory_id", directory_id, DIRECTORY_PREFIX)?;
    Ok(DeleteDirectoryRequest {
        organization_id: organization_id.to_owned(),
        id: directory_id.to_owned(),
    })
}
