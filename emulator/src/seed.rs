//! Seed data: an environment's starting state, written as JSON or built in
//! Rust.
//!
//! Seeding replays the RPCs a client would make (create permission, create
//! role, create organization, add domain, create and enable connection,
//! create user and membership) through the emulator's own services, so
//! seeded data passes the same validation and has the same shape as data
//! created over the wire. [`EmulatorHandle::reset`](crate::EmulatorHandle::reset)
//! replays it again on an empty store.
//!
//! ```json
//! {
//!   "redirect_uris": ["https://app.example/callback"],
//!   "permissions": [{ "name": "invoices:read", "description": "Read invoices" }],
//!   "roles": [{ "name": "billing", "display_name": "Billing", "permissions": ["invoices:read"] }],
//!   "organizations": [{
//!     "display_name": "Acme",
//!     "external_id": "acme",
//!     "domains": ["acme.example"],
//!     "connections": [{ "type": "OIDC", "provider": "OKTA" }],
//!     "users": [{ "email": "ada@acme.example", "given_name": "Ada", "roles": ["admin"] }]
//!   }]
//! }
//! ```
//!
//! The same in Rust:
//!
//! ```
//! use scalekit::proto::connections::{ConnectionProvider, ConnectionType};
//! use scalekit_emulator::seed::{
//!     ConnectionFixture, Fixtures, OrganizationFixture, PermissionFixture, RoleFixture,
//!     UserFixture,
//! };
//!
//! let fixtures = Fixtures::new()
//!     .with_redirect_uri("https://app.example/callback")
//!     .with_permission(PermissionFixture::new("invoices:read").with_description("Read invoices"))
//!     .with_role(
//!         RoleFixture::new("billing")
//!             .with_display_name("Billing")
//!             .with_permissions(["invoices:read"]),
//!     )
//!     .with_organization(
//!         OrganizationFixture::new("Acme")
//!             .with_external_id("acme")
//!             .with_domain("acme.example")
//!             .with_connection(ConnectionFixture::new(ConnectionType::Oidc, ConnectionProvider::Okta))
//!             .with_user(
//!                 UserFixture::new("ada@acme.example")
//!                     .with_given_name("Ada")
//!                     .with_roles(["admin"]),
//!             ),
//!     );
//! # let _ = fixtures;
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use scalekit::proto::commons::Role;
use scalekit::proto::connections::{
    ConnectionProvider, ConnectionService as _, ConnectionType, CreateConnection,
    CreateConnectionRequest, ToggleConnectionRequest,
};
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

use crate::services::connections::Connections;
use crate::services::domains::Domains;
use crate::services::organizations::Organizations;
use crate::services::roles::Roles;
use crate::services::users::Users;
use crate::services::Context;

/// An environment's starting state; see the [module docs](self) for the
/// JSON form. Unknown fields are refused, so a typo is an error rather than
/// silently missing data.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Fixtures {
    /// Redirect URIs to register (see
    /// [`EmulatorBuilder::redirect_uris`](crate::EmulatorBuilder::redirect_uris)).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
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
    /// Its SSO connections, created after its domains.
    #[serde(default)]
    pub connections: Vec<ConnectionFixture>,
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

/// An organization's SSO connection to create.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ConnectionFixture {
    /// `OIDC` or `SAML` (a `ConnectionType` name).
    #[serde(rename = "type")]
    pub connection_type: String,
    /// The identity provider (a `ConnectionProvider` name: `OKTA`,
    /// `GOOGLE`, `MICROSOFT_AD`, …).
    pub provider: String,
    /// Whether it is enabled (default true), as after `EnableConnection`.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
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
    /// No data: the environment's default roles only. Add to it with the
    /// `with_…` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a redirect URI to register.
    pub fn with_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// Adds a permission.
    pub fn with_permission(mut self, permission: PermissionFixture) -> Self {
        self.permissions.push(permission);
        self
    }

    /// Adds an environment role (after the ones added before it, so it may
    /// extend them).
    pub fn with_role(mut self, role: RoleFixture) -> Self {
        self.roles.push(role);
        self
    }

    /// Adds an organization.
    pub fn with_organization(mut self, organization: OrganizationFixture) -> Self {
        self.organizations.push(organization);
        self
    }

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

impl PermissionFixture {
    /// A permission named `name`, without a description.
    pub fn new(name: impl Into<String>) -> Self {
        PermissionFixture {
            name: name.into(),
            description: String::new(),
        }
    }

    /// Sets what it allows.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }
}

impl RoleFixture {
    /// A role named `name` with no permissions.
    pub fn new(name: impl Into<String>) -> Self {
        RoleFixture {
            name: name.into(),
            display_name: None,
            description: None,
            extends: None,
            permissions: Vec::new(),
        }
    }

    /// Sets its display name.
    pub fn with_display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }

    /// Sets what it is for.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Makes it inherit the permissions of the role `base`.
    pub fn with_extends(mut self, base: impl Into<String>) -> Self {
        self.extends = Some(base.into());
        self
    }

    /// Adds permissions it grants, by name.
    pub fn with_permissions<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.permissions.extend(names.into_iter().map(Into::into));
        self
    }
}

impl OrganizationFixture {
    /// An organization named `display_name`, with no domains, connections
    /// or members.
    pub fn new(display_name: impl Into<String>) -> Self {
        OrganizationFixture {
            display_name: display_name.into(),
            external_id: None,
            metadata: HashMap::new(),
            domains: Vec::new(),
            connections: Vec::new(),
            users: Vec::new(),
        }
    }

    /// Sets your system's id for it.
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Adds a metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Adds a domain it owns.
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domains.push(domain.into());
        self
    }

    /// Adds an SSO connection.
    pub fn with_connection(mut self, connection: ConnectionFixture) -> Self {
        self.connections.push(connection);
        self
    }

    /// Adds a member.
    pub fn with_user(mut self, user: UserFixture) -> Self {
        self.users.push(user);
        self
    }
}

impl UserFixture {
    /// A member with this email, no name and the organization's default
    /// role.
    pub fn new(email: impl Into<String>) -> Self {
        UserFixture {
            email: email.into(),
            given_name: None,
            family_name: None,
            external_id: None,
            roles: Vec::new(),
            metadata: HashMap::new(),
        }
    }

    /// Sets their given name.
    pub fn with_given_name(mut self, given_name: impl Into<String>) -> Self {
        self.given_name = Some(given_name.into());
        self
    }

    /// Sets their family name.
    pub fn with_family_name(mut self, family_name: impl Into<String>) -> Self {
        self.family_name = Some(family_name.into());
        self
    }

    /// Sets your system's id for them.
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Adds membership roles, by name.
    pub fn with_roles<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.roles.extend(names.into_iter().map(Into::into));
        self
    }

    /// Adds a metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }
}

impl ConnectionFixture {
    /// An enabled connection of this type to this identity provider.
    pub fn new(connection_type: ConnectionType, provider: ConnectionProvider) -> Self {
        ConnectionFixture {
            connection_type: connection_type.as_str_name().to_string(),
            provider: provider.as_str_name().to_string(),
            enabled: true,
        }
    }

    /// Sets whether it is enabled.
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }
}

fn refused(what: impl Into<String>) -> impl FnOnce(tonic::Status) -> SeedError {
    let what = what.into();
    move |status| SeedError::Rejected { what, status }
}

/// Applies `fixtures` to a fresh environment's services, in dependency
/// order.
pub(crate) async fn apply(ctx: &Arc<Context>, fixtures: &Fixtures) -> Result<(), SeedError> {
    let roles = Roles { ctx: ctx.clone() };
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

    let organizations = Organizations { ctx: ctx.clone() };
    let domains = Domains { ctx: ctx.clone() };
    let connections = Connections { ctx: ctx.clone() };
    let users = Users { ctx: ctx.clone() };
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
        for connection in &org.connections {
            add_connection(&connections, &created, connection).await?;
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

/// Creates an organization's connection (and enables it, when asked) as
/// `CreateConnection` and `EnableConnection` would.
async fn add_connection(
    connections: &Connections,
    organization_id: &str,
    fixture: &ConnectionFixture,
) -> Result<(), SeedError> {
    let what = format!(
        "{} connection {}",
        fixture.connection_type, fixture.provider
    );
    let invalid = |field: &str, name: &str| SeedError::Rejected {
        what: what.clone(),
        status: tonic::Status::invalid_argument(format!("{field} {name:?} is unknown")),
    };
    let connection_type = ConnectionType::from_str_name(&fixture.connection_type)
        .ok_or_else(|| invalid("type", &fixture.connection_type))?;
    let provider = ConnectionProvider::from_str_name(&fixture.provider)
        .ok_or_else(|| invalid("provider", &fixture.provider))?;
    let created = connections
        .create_connection(Request::new(CreateConnectionRequest {
            organization_id: organization_id.to_string(),
            connection: Some(CreateConnection {
                provider: provider as i32,
                r#type: connection_type as i32,
                ..Default::default()
            }),
        }))
        .await
        .map_err(refused(what.clone()))?
        .into_inner()
        .connection
        .ok_or_else(|| SeedError::Rejected {
            what: what.clone(),
            status: tonic::Status::internal("no connection in the response"),
        })?;
    if fixture.enabled {
        connections
            .enable_connection(Request::new(ToggleConnectionRequest {
                organization_id: organization_id.to_string(),
                id: created.id,
            }))
            .await
            .map_err(refused(what))?;
    }
    Ok(())
}
