//! `scalekit.v1.directories.DirectoryService`: organizations' SCIM
//! directories and the users and groups synced into them.
//!
//! A directory belongs to one organization and starts disabled; enabling
//! and disabling flip its `enabled` flag and keep its users and groups. In a
//! real environment users and groups arrive from the identity provider over
//! SCIM; the emulator has no SCIM endpoint, so tests add them through
//! [`EmulatorHandle::add_directory_user`](crate::EmulatorHandle::add_directory_user)
//! and [`EmulatorHandle::add_directory_group`](crate::EmulatorHandle::add_directory_group),
//! which call [`add_user`] and [`add_group`].

use std::sync::Arc;

use scalekit::proto::directories::*;
use tonic::{Request, Response, Status};

use crate::paging::{paginate, MAX_PAGE_SIZE};
use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::directories::{instant, DirectoryRecord, UserRecord};
use crate::store::{now, Store};

/// The largest page of directory groups (the service's documented bound).
const MAX_GROUP_PAGE_SIZE: u32 = 30;

/// The DirectoryService of one emulated environment.
pub(crate) struct Directories {
    pub(crate) ctx: Arc<Context>,
}

/// The organization's directory `id` (sent as `field`): NOT_FOUND for an
/// unknown organization or a directory it does not have.
fn owned_directory_id(
    store: &Store,
    organization_id: &str,
    field: &str,
    id: &str,
) -> Result<String, Status> {
    let organization_id = validate::organization(store, "organization_id", organization_id)?;
    let id = required(field, id)?;
    store
        .directories
        .get(id)
        .filter(|d| d.directory.organization_id == organization_id)
        .map(|d| d.directory.id.clone())
        .ok_or_else(|| status::not_found("directory", id))
}

fn directory_mut<'a>(store: &'a mut Store, id: &str) -> Result<&'a mut DirectoryRecord, Status> {
    store
        .directories
        .get_mut(id)
        .ok_or_else(|| status::not_found("directory", id))
}

fn provider_name(provider: DirectoryProvider) -> &'static str {
    match provider {
        DirectoryProvider::Okta => "Okta",
        DirectoryProvider::Google => "Google Workspace",
        DirectoryProvider::MicrosoftAd => "Microsoft Entra ID",
        DirectoryProvider::Auth0 => "Auth0",
        DirectoryProvider::Onelogin => "OneLogin",
        DirectoryProvider::Jumpcloud => "JumpCloud",
        DirectoryProvider::PingIdentity => "Ping Identity",
        DirectoryProvider::Unspecified => "Custom",
    }
}

fn is_after(t: Option<prost_types::Timestamp>, after: Option<prost_types::Timestamp>) -> bool {
    match (t, after) {
        (_, None) => true,
        (Some(t), Some(after)) => instant(&t) > instant(&after),
        (None, Some(_)) => false,
    }
}

fn toggle(
    store: &mut Store,
    req: &ToggleDirectoryRequest,
    enabled: bool,
) -> Result<ToggleDirectoryResponse, Status> {
    let id = owned_directory_id(store, &req.organization_id, "id", &req.id)?;
    let record = directory_mut(store, &id)?;
    record.directory.enabled = enabled;
    Ok(ToggleDirectoryResponse {
        enabled,
        error_message: None,
    })
}

/// Adds a group to a directory, as a SCIM sync would. The group's `id` and
/// `total_users` are ignored; an unset `updated_at` is now. Display names
/// are unique within the directory.
pub(crate) fn add_group(
    store: &mut Store,
    organization_id: &str,
    directory_id: &str,
    group: DirectoryGroup,
) -> Result<String, Status> {
    let id = owned_directory_id(store, organization_id, "directory_id", directory_id)?;
    let display_name = required("display_name", &group.display_name)?.to_string();
    let record = directory_mut(store, &id)?;
    if record
        .groups
        .values()
        .any(|g| g.display_name == display_name)
    {
        return Err(status::already_exists(
            "DIRECTORY_GROUP_EXISTS",
            format!("directory {id} already has a group named {display_name:?}"),
        ));
    }
    let group_id = store.ids.next("dirgroup");
    let group = DirectoryGroup {
        id: group_id.clone(),
        display_name,
        total_users: 0,
        updated_at: group.updated_at.or_else(|| Some(now())),
        group_detail: group.group_detail,
    };
    directory_mut(store, &id)?
        .groups
        .insert(group_id.clone(), group);
    Ok(group_id)
}

/// Adds a user to a directory, as a SCIM sync would: a member of the
/// groups whose ids `user.groups` names (each must be in the directory).
/// The user's `id` is ignored; an unset `updated_at` is now. Emails are
/// unique within the directory.
pub(crate) fn add_user(
    store: &mut Store,
    organization_id: &str,
    directory_id: &str,
    user: DirectoryUser,
) -> Result<String, Status> {
    let id = owned_directory_id(store, organization_id, "directory_id", directory_id)?;
    let email = user.email.trim().to_string();
    if email.is_empty() || !email.contains('@') {
        return Err(status::invalid_argument("email", "is not an email address"));
    }
    let record = directory_mut(store, &id)?;
    if record
        .users
        .values()
        .any(|u| u.user.email.eq_ignore_ascii_case(&email))
    {
        return Err(status::already_exists(
            "DIRECTORY_USER_EXISTS",
            format!("directory {id} already has a user {email}"),
        ));
    }
    let mut group_ids = Vec::new();
    for group in &user.groups {
        if !record.groups.contains_key(&group.id) {
            return Err(status::not_found("directory group", &group.id));
        }
        if !group_ids.contains(&group.id) {
            group_ids.push(group.id.clone());
        }
    }
    let user_id = store.ids.next("diruser");
    let emails = if user.emails.is_empty() {
        vec![email.clone()]
    } else {
        user.emails
    };
    let stored = DirectoryUser {
        id: user_id.clone(),
        email,
        emails,
        groups: Vec::new(),
        updated_at: user.updated_at.or_else(|| Some(now())),
        ..user
    };
    directory_mut(store, &id)?.users.insert(
        user_id.clone(),
        UserRecord {
            user: stored,
            group_ids,
        },
    );
    Ok(user_id)
}

#[tonic::async_trait]
impl DirectoryService for Directories {
    async fn create_directory(
        &self,
        request: Request<CreateDirectoryRequest>,
    ) -> Result<Response<CreateDirectoryResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let organization_id =
            validate::organization(&store, "organization_id", &req.organization_id)?;
        let wanted = validate::present("directory", req.directory)?;
        // The service requires a known, non-zero type: it picks no default.
        let kind = match DirectoryType::try_from(wanted.directory_type) {
            Ok(DirectoryType::Unspecified) => {
                return Err(status::invalid_argument(
                    "directory.directory_type",
                    "is required",
                ))
            }
            Ok(kind) => kind,
            Err(_) => {
                return Err(status::invalid_argument(
                    "directory.directory_type",
                    format!("{} is not a directory type", wanted.directory_type),
                ))
            }
        };
        let provider = match DirectoryProvider::try_from(wanted.directory_provider) {
            Ok(DirectoryProvider::Unspecified) => {
                return Err(status::invalid_argument(
                    "directory.directory_provider",
                    "is required",
                ))
            }
            Ok(provider) => provider,
            Err(_) => {
                return Err(status::invalid_argument(
                    "directory.directory_provider",
                    format!("{} is not a directory provider", wanted.directory_provider),
                ))
            }
        };
        let directory = Directory {
            id: store.ids.next("dir"),
            name: format!("{} Directory", provider_name(provider)),
            directory_type: kind as i32,
            organization_id,
            enabled: false,
            directory_provider: provider as i32,
            status: "DRAFT".to_string(),
            ..Default::default()
        };
        let record = DirectoryRecord {
            directory,
            ..Default::default()
        };
        let view = record.view();
        store
            .directories
            .insert(record.directory.id.clone(), record);
        Ok(Response::new(CreateDirectoryResponse {
            directory: Some(view),
        }))
    }

    async fn delete_directory(
        &self,
        request: Request<DeleteDirectoryRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let id = owned_directory_id(&store, &req.organization_id, "id", &req.id)?;
        store.directories.remove(&id);
        Ok(Response::new(()))
    }

    async fn get_directory(
        &self,
        request: Request<GetDirectoryRequest>,
    ) -> Result<Response<GetDirectoryResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let id = owned_directory_id(&store, &req.organization_id, "id", &req.id)?;
        let directory = store.directories.get(&id).map(DirectoryRecord::view);
        Ok(Response::new(GetDirectoryResponse { directory }))
    }

    async fn list_directories(
        &self,
        request: Request<ListDirectoriesRequest>,
    ) -> Result<Response<ListDirectoriesResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let organization_id =
            validate::organization(&store, "organization_id", &req.organization_id)?;
        let directories = store
            .directories
            .values()
            .filter(|d| d.directory.organization_id == organization_id)
            .map(DirectoryRecord::view)
            .collect();
        Ok(Response::new(ListDirectoriesResponse { directories }))
    }

    async fn enable_directory(
        &self,
        request: Request<ToggleDirectoryRequest>,
    ) -> Result<Response<ToggleDirectoryResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        toggle(&mut store, &req, true).map(Response::new)
    }

    async fn disable_directory(
        &self,
        request: Request<ToggleDirectoryRequest>,
    ) -> Result<Response<ToggleDirectoryResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        toggle(&mut store, &req, false).map(Response::new)
    }

    async fn list_directory_users(
        &self,
        request: Request<ListDirectoryUsersRequest>,
    ) -> Result<Response<ListDirectoryUsersResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let id = owned_directory_id(
            &store,
            &req.organization_id,
            "directory_id",
            &req.directory_id,
        )?;
        let record = store
            .directories
            .get(&id)
            .ok_or_else(|| status::not_found("directory", &id))?;
        let group = match req.directory_group_id.as_deref().map(str::trim) {
            None => None,
            Some("") => {
                return Err(status::invalid_argument(
                    "directory_group_id",
                    "must not be empty",
                ))
            }
            Some(group) if !record.groups.contains_key(group) => {
                return Err(status::not_found("directory group", group))
            }
            Some(group) => Some(group.to_string()),
        };
        let detail = req.include_detail.unwrap_or(false);
        let all: Vec<DirectoryUser> = record
            .users
            .values()
            .filter(|u| group.as_ref().is_none_or(|g| u.group_ids.contains(g)))
            .filter(|u| is_after(u.user.updated_at, req.updated_after))
            .map(|u| record.user_view(u, detail))
            .collect();
        let page = paginate(all, req.page_size, &req.page_token, MAX_PAGE_SIZE)?;
        Ok(Response::new(ListDirectoryUsersResponse {
            users: page.items,
            total_size: page.total_size,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
        }))
    }

    async fn list_directory_groups(
        &self,
        request: Request<ListDirectoryGroupsRequest>,
    ) -> Result<Response<ListDirectoryGroupsResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let id = owned_directory_id(
            &store,
            &req.organization_id,
            "directory_id",
            &req.directory_id,
        )?;
        let record = store
            .directories
            .get(&id)
            .ok_or_else(|| status::not_found("directory", &id))?;
        let detail = req.include_detail.unwrap_or(false);
        let all: Vec<DirectoryGroup> = record
            .groups
            .values()
            .filter(|g| is_after(g.updated_at, req.updated_after))
            .map(|g| record.group_view(g, detail))
            .collect();
        let page = paginate(all, req.page_size, &req.page_token, MAX_GROUP_PAGE_SIZE)?;
        Ok(Response::new(ListDirectoryGroupsResponse {
            groups: page.items,
            total_size: page.total_size,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
        }))
    }
}
