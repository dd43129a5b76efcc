//! Seed data: an environment's starting state, written as JSON.
//!
//! Seeding replays the RPCs a client would make (create permission, create
//! role, create organization, add domain, create user and membership)
//! through the emulator's own services, so seeded data passes the same
//! validation and has the same shape as data created over the wire.
//!
//! ```json
//! {
//!   "permissions": [{ "name": "invoices:read", "description": "Read invoices" }],
//!   "roles": [{ "name": "billing", "display_name": "Billing", "permissions": ["invoices:read"] }],
//!   "organizations": [{
//!     "display_name": "Acme",
//!     "external_id": "acme",
//!     "domains": ["acme.example"],
//!     "users": [{ "email": "ada@acme.example", "given_name": "Ada", "roles": ["admin"] }]
//!   }]
//! }
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use scalekit::proto::commons::Role;
use scalekit::proto::domains::{
    create_domain_request, CreateDomain, CreateDomainRequest, DomainService as _,
};
use scalekit::proto::organizations::{
    CreateOrganization, CreateOrganizationRequest, OrganizationService as _,
};
use scalekit::proto::roles::{
    CreatePermission, CreatePermissionRequest, CreateRole, CreateRoleRequest, RolesService as _,
};
use scalekit::proto::users::{
    CreateMembership, CreateUser, CreateUserAndMembershipRequest, CreateUserProfile,
    UserService as _,
};
use serde::Deserialize;
use tonic::Request;

use crate::env::Environment;
use crate::services::domains::Domains;
use crate::services::organizations::Organizations;
use crate::services::roles::Roles;
use crate::services::users::Users;

/// An environment's starting state; see the [module docs](self) for the
/// JSON form. Unknown fields are refused, so a typo is an error rather than
/// silently missing data.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Fixtures {
    /// Environment permissions, created first.
    #[serde(default)]
    pub permissions: Vec<PermissionFixture>,
    /// Environment roles, created in order (a role may extend an earlier one).
    #[serde(default)]
    pub roles: Vec<RoleFixture>,
    /// Organizations with their domains and members.
    #[serde(default)]
    pub organizations: Vec<OrganizationFixture>,
}

/// A permission to create.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PermissionFixture {
    /// Its unique name (`invoices:read`).
    pub name: String,
    /// What it allows.
    #[serde(default)]
    pub description: String,
}

/// An environment role to create.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RoleFixture {
    /// Its unique name.
    pub name: String,
    /// Its display name (defaults to the name).
    pub display_name: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// A role it inherits permissions from.
    pub extends: Option<String>,
    /// Names of permissions it grants.
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// An organization to create.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OrganizationFixture {
    /// Its display name.
    pub display_name: String,
    /// Your system's id for it.
    pub external_id: Option<String>,
    /// Custom metadata.
    #[serde(default)]
    pub metadata: HashMap<String, String>,
    /// Domain names it owns (organization domains).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Its members, created as active members (no invitation).
    #[serde(default)]
    pub users: Vec<UserFixture>,
}

/// A user to create as a member of the enclosing organization.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UserFixture {
    /// Their email address.
    pub email: String,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Your system's id for them.
    pub external_id: Option<String>,
    /// Membership roles (the organization's default role when empty).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Custom metadata.
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

/// Why seed data could not be applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The fixtures file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The JSON is not valid fixtures.
    #[error("invalid fixtures")]
    Parse(#[source] serde_json::Error),
    /// The emulator refused an item, as it would the same RPC.
    #[error("seeding {what} was refused: {}", status.message())]
    Rejected {
        /// Which item.
        what: String,
        /// The status the RPC answered.
        status: tonic::Status,
    },
}

impl Fixtures {
    /// Parses fixtures from JSON text.
    ///
    /// # Errors
    /// [`SeedError::Parse`] naming the line and column.
    pub fn from_json(text: &str) -> Result<Self, SeedError> {
        serde_json::from_str(text).map_err(SeedError::Parse)
    }

    /// Reads and parses a fixtures file.
    ///
    /// # Errors
    /// [`SeedError::Read`] or [`SeedError::Parse`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, SeedError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&text)
    }
}

fn refused(what: impl Into<String>) -> impl FnOnce(tonic::Status) -> SeedError {
    let what = what.into();
    move |status| SeedError::Rejected { what, status }
}

/// Applies `fixtures` to a fresh environment, in dependency order.
pub(crate) async fn apply(env: &Arc<Environment>, fixtures: &Fixtures) -> Result<(), SeedError> {
    let roles = Roles {
        ctx: env.services.clone(),
    };
    for permission in &fixtures.permissions {
        roles
            .create_permission(Request::new(CreatePermissionRequest {
                permission: Some(CreatePermission {
                    name: permission.name.clone(),
                    description: permission.description.clone(),
                }),
            }))
            .await
            .map_err(refused(format!("permission {}", permission.name)))?;
    }
    for role in &fixtures.roles {
        roles
            .create_role(Request::new(CreateRoleRequest {
                role: Some(CreateRole {
                    name: role.name.clone(),
                    display_name: role
                        .display_name
                        .clone()
                        .unwrap_or_else(|| role.name.clone()),
                    description: role.description.clone(),
                    extends: role.extends.clone(),
                    permissions: role.permissions.clone(),
                }),
            }))
            .await
            .map_err(refused(format!("role {}", role.name)))?;
    }

    let organizations = Organizations {
        ctx: env.services.clone(),
    };
    let domains = Domains {
        ctx: env.services.clone(),
    };
    let users = Users {
        ctx: env.services.clone(),
    };
    for org in &fixtures.organizations {
        let what = format!("organization {}", org.display_name);
        let created = organizations
            .create_organization(Request::new(CreateOrganizationRequest {
                organization: Some(CreateOrganization {
                    display_name: org.display_name.clone(),
                    external_id: org.external_id.clone(),
                    metadata: org.metadata.clone(),
                    ..Default::default()
                }),
            }))
            .await
            .map_err(refused(what.clone()))?
            .into_inner()
            .organization
            .map(|o| o.id)
            .ok_or_else(|| SeedError::Rejected {
                what: what.clone(),
                status: tonic::Status::internal("no organization in the response"),
            })?;
        for domain in &org.domains {
            domains
                .create_domain(Request::new(CreateDomainRequest {
                    identities: Some(create_domain_request::Identities::OrganizationId(
                        created.clone(),
                    )),
                    connection_id: None,
                    domain: Some(CreateDomain {
                        domain: domain.clone(),
                        ..Default::default()
                    }),
                }))
                .await
                .map_err(refused(format!("domain {domain}")))?;
        }
        for user in &org.users {
            #[allow(deprecated)]
            let profile = CreateUserProfile {
                given_name: user.given_name.clone().unwrap_or_default(),
                family_name: user.family_name.clone().unwrap_or_default(),
                ..Default::default()
            };
            users
                .create_user_and_membership(Request::new(CreateUserAndMembershipRequest {
                    organization_id: created.clone(),
                    user: Some(CreateUser {
                        email: user.email.clone(),
                        external_id: user.external_id.clone(),
                        membership: Some(CreateMembership {
                            roles: user
                                .roles
                                .iter()
                                .map(|name| Role {
                                    name: name.clone(),
                                    ..Default::default()
                                })
                                .collect(),
                            ..Default::default()
                        }),
                        user_profile: Some(profile),
                        metadata: user.metadata.clone(),
                    }),
                    send_invitation_email: Some(false),
                }))
                .await
                .map_err(refused(format!("user {}", user.email)))?;
        }
    }
    Ok(())
}
