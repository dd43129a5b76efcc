//! `scalekit.v1.clients.ClientService`: organization clients, the
//! machine-to-machine credentials (`m2morg_…`) of one organization, and
//! their secrets. The other RPCs of the service (environment clients,
//! resources, scopes, consents) answer UNIMPLEMENTED.
//!
//! A secret's value is in the answer that made it (the client's creation, or
//! `CreateOrganizationClientSecret`) and nowhere else; the records of a
//! client's secrets carry an id, the value's last characters and a status.
//! Any live secret of a client works at `/oauth/token` (see
//! [`crate::oauth`]); a removed one stops working at once. A client keeps at
//! least one secret: removing the last one is refused.
//!
//! The checks follow the service's validation rules: organization ids
//! `org_…` and client ids `m2morg_…` of at most 32 characters, secret ids of
//! 1 to 32, a name of at most 128 characters, a description of at most 512,
//! custom-claim keys of 1 to 128; the client message is required where the
//! request has one. Every malformed field is reported before any lookup.

use std::sync::Arc;

use scalekit::proto::clients::*;
use tonic::{Request, Response, Status};

use crate::paging::{paginate, MAX_PAGE_SIZE};
use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::{now, SecretRemoval};

/// The ClientService of one emulated environment.
pub(crate) struct Clients {
    pub(crate) ctx: Arc<Context>,
}

/// The longest id the service accepts for organizations, clients and
/// secrets.
const MAX_ID_CHARS: usize = 32;
const MAX_NAME_CHARS: usize = 128;
const MAX_DESCRIPTION_CHARS: usize = 512;
const MAX_CLAIM_KEY_CHARS: usize = 128;

/// An id of at most 32 characters, with `prefix` when one is given:
/// INVALID_ARGUMENT naming `field` otherwise.
fn id_shape<'a>(field: &str, value: &'a str, prefix: Option<&str>) -> Result<&'a str, Status> {
    let id = required(field, value)?;
    let prefixed = prefix.is_none_or(|p| id.starts_with(p));
    if !prefixed || id.chars().count() > MAX_ID_CHARS {
        let what = match prefix {
            Some(p) => format!("must start with {p} and be at most {MAX_ID_CHARS} characters"),
            None => format!("must be at most {MAX_ID_CHARS} characters"),
        };
        return Err(status::invalid_argument(field, what));
    }
    Ok(id)
}

fn organization_id(value: &str) -> Result<&str, Status> {
    id_shape("organization_id", value, Some("org_"))
}

fn client_id(value: &str) -> Result<&str, Status> {
    id_shape("client_id", value, Some("m2morg_"))
}

/// The length limits of a client's fields.
fn check_fields(fields: &OrganizationClient) -> Result<(), Status> {
    let too_long = |value: &str, max: usize| value.chars().count() > max;
    if too_long(&fields.name, MAX_NAME_CHARS) {
        return Err(status::invalid_argument(
            "client.name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if too_long(&fields.description, MAX_DESCRIPTION_CHARS) {
        return Err(status::invalid_argument(
            "client.description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    for claim in &fields.custom_claims {
        if claim.key.is_empty() || too_long(&claim.key, MAX_CLAIM_KEY_CHARS) {
            return Err(status::invalid_argument(
                "client.custom_claims.key",
                format!("must be 1 to {MAX_CLAIM_KEY_CHARS} characters"),
            ));
        }
    }
    Ok(())
}

fn client_not_found(client_id: &str) -> Status {
    status::not_found("client", client_id)
}

/// Replaces the fields that `changes` sets (non-empty strings and lists,
/// a non-zero expiry) and keeps the others.
fn apply(client: &mut M2mClient, changes: OrganizationClient) {
    if !changes.name.is_empty() {
        client.name = changes.name;
    }
    if !changes.description.is_empty() {
        client.description = changes.description;
    }
    if !changes.scopes.is_empty() {
        client.scopes = changes.scopes;
    }
    if !changes.audience.is_empty() {
        client.audience = changes.audience;
    }
    if !changes.custom_claims.is_empty() {
        client.custom_claims = changes.custom_claims;
    }
    if changes.expiry != 0 {
        client.expiry = changes.expiry;
    }
    client.update_time = Some(now());
}

#[tonic::async_trait]
impl ClientService for Clients {
    async fn create_organization_client(
        &self,
        request: Request<CreateOrganizationClientRequest>,
    ) -> Result<Response<CreateOrganizationClientResponse>, Status> {
        let req = request.into_inner();
        let org = organization_id(&req.organization_id)?;
        let fields = validate::present("client", req.client)?;
        check_fields(&fields)?;
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", org)?;
        let (client, plain_secret) = store.insert_organization_client(M2mClient {
            organization_id: org,
            name: fields.name,
            description: fields.description,
            scopes: fields.scopes,
            audience: fields.audience,
            custom_claims: fields.custom_claims,
            expiry: fields.expiry,
            ..Default::default()
        });
        Ok(Response::new(CreateOrganizationClientResponse {
            client: Some(client),
            plain_secret,
        }))
    }

    async fn get_organization_client(
        &self,
        request: Request<GetOrganizationClientRequest>,
    ) -> Result<Response<GetOrganizationClientResponse>, Status> {
        let req = request.into_inner();
        let org = organization_id(&req.organization_id)?;
        let id = client_id(&req.client_id)?;
        let store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", org)?;
        let client = store
            .organization_client(&org, id)
            .cloned()
            .ok_or_else(|| client_not_found(id))?;
        Ok(Response::new(GetOrganizationClientResponse {
            client: Some(client),
        }))
    }

    async fn update_organization_client(
        &self,
        request: Request<UpdateOrganizationClientRequest>,
    ) -> Result<Response<UpdateOrganizationClientResponse>, Status> {
        let req = request.into_inner();
        let org = organization_id(&req.organization_id)?;
        let id = client_id(&req.client_id)?;
        let changes = validate::present("client", req.client)?;
        check_fields(&changes)?;
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", org)?;
        let client = store
            .organization_client_mut(&org, id)
            .ok_or_else(|| client_not_found(id))?;
        apply(client, changes);
        Ok(Response::new(UpdateOrganizationClientResponse {
            client: Some(client.clone()),
        }))
    }

    async fn delete_organization_client(
        &self,
        request: Request<DeleteOrganizationClientRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let org = organization_id(&req.organization_id)?;
        let id = client_id(&req.client_id)?;
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", org)?;
        if !store.remove_organization_client(&org, id) {
            return Err(client_not_found(id));
        }
        Ok(Response::new(()))
    }

    async fn list_organization_clients(
        &self,
        request: Request<ListOrganizationClientsRequest>,
    ) -> Result<Response<ListOrganizationClientsResponse>, Status> {
        let req = request.into_inner();
        let org = organization_id(&req.organization_id)?;
        let store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", org)?;
        let page = paginate(
            store.organization_clients_of(&org),
            req.page_size,
            &req.page_token,
            MAX_PAGE_SIZE,
        )?;
        Ok(Response::new(ListOrganizationClientsResponse {
            clients: page.items,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
            total_size: page.total_size,
        }))
    }

    async fn create_organization_client_secret(
        &self,
        request: Request<CreateOrganizationClientSecretRequest>,
    ) -> Result<Response<CreateOrganizationClientSecretResponse>, Status> {
        let req = request.into_inner();
        let org = organization_id(&req.organization_id)?;
        let id = client_id(&req.client_id)?;
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", org)?;
        let (plain_secret, secret) = store
            .add_organization_client_secret(&org, id)
            .ok_or_else(|| client_not_found(id))?;
        Ok(Response::new(CreateOrganizationClientSecretResponse {
            plain_secret,
            secret: Some(secret),
        }))
    }

    async fn delete_organization_client_secret(
        &self,
        request: Request<DeleteOrganizationClientSecretRequest>,
    ) -> Result<Response<()>, Status> {
        let req = request.into_inner();
        let org = organization_id(&req.organization_id)?;
        let id = client_id(&req.client_id)?;
        let secret_id = id_shape("secret_id", &req.secret_id, None)?;
        let mut store = self.ctx.lock();
        let org = validate::organization(&store, "organization_id", org)?;
        if store.organization_client(&org, id).is_none() {
            return Err(client_not_found(id));
        }
        match store.remove_organization_client_secret(id, secret_id) {
            SecretRemoval::Removed => Ok(Response::new(())),
            SecretRemoval::NoSuchSecret => Err(status::not_found("client secret", secret_id)),
            SecretRemoval::LastSecret => Err(status::failed_precondition(
                "LAST_CLIENT_SECRET",
                format!(
                    "secret {secret_id} is the last secret of client {id} and cannot be removed"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_need_their_prefix_and_at_most_32_characters() {
        assert_eq!(client_id(" m2morg_1 ").ok(), Some("m2morg_1"));
        for bad in ["", "skc_1", "org_1", &format!("m2morg_{}", "1".repeat(26))] {
            let err = client_id(bad).unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{bad:?}");
        }
        assert!(organization_id("org_1").is_ok() && organization_id("m2morg_1").is_err());
        assert!(id_shape("secret_id", "anything", None).is_ok());
        assert!(id_shape("secret_id", &"s".repeat(33), None).is_err());
    }

    #[test]
    fn field_limits_name_the_field() {
        let field = |fields: OrganizationClient| {
            let err = check_fields(&fields).unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument);
            err.message().to_string()
        };
        assert!(check_fields(&OrganizationClient {
            name: "n".repeat(128),
            description: "d".repeat(512),
            ..Default::default()
        })
        .is_ok());
        assert!(field(OrganizationClient {
            name: "n".repeat(129),
            ..Default::default()
        })
        .contains("client.name"));
        assert!(field(OrganizationClient {
            description: "d".repeat(513),
            ..Default::default()
        })
        .contains("client.description"));
        for key in [String::new(), "k".repeat(129)] {
            let claims = vec![CustomClaim {
                key,
                value: "v".into(),
            }];
            assert!(field(OrganizationClient {
                custom_claims: claims,
                ..Default::default()
            })
            .contains("client.custom_claims"));
        }
    }

    #[test]
    fn an_update_replaces_only_what_it_sets() {
        let mut client = M2mClient {
            name: "a".into(),
            description: "b".into(),
            scopes: vec!["s".into()],
            expiry: 60,
            ..Default::default()
        };
        apply(
            &mut client,
            OrganizationClient {
                description: "c".into(),
                ..Default::default()
            },
        );
        assert_eq!(
            (client.name.as_str(), client.description.as_str()),
            ("a", "c")
        );
        assert_eq!(
            (client.scopes.clone(), client.expiry),
            (vec!["s".into()], 60)
        );
        assert!(client.update_time.is_some());
    }
}
