//! The results that carry a client secret, with a `Debug` that redacts it,
//! and the scrubbing that keeps plain secrets out of returned clients.
//!
//! The server shows a secret's value only once, when it is created. The
//! facade moves it from the generated message into one of the wrappers
//! below, which hold it in a field of its own (with a redacting `Debug`),
//! and clears it everywhere else, so a returned [`M2mClient`] never holds
//! one. The generated [`ClientSecret`] redacts its `plain_secret` in
//! `Debug` too (see `build/redact.rs`); the clearing keeps the value from
//! being passed on by code that reads the field rather than prints it.

use std::fmt;

use super::{ClientSecret, M2mClient};
use crate::error::{Error, Result};
use crate::proto::clients::{
    CreateOrganizationClientResponse, CreateOrganizationClientSecretResponse,
};

/// An organization client just created by
/// [`create_organization_client`](super::OrganizationClientsClient::create_organization_client),
/// with its first secret: the only time the secret is returned. `Debug`
/// redacts it.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct CreatedOrganizationClient {
    /// The new client; its id (`m2morg_…`) is the `client_id` of the
    /// client-credentials grant.
    pub client: M2mClient,
    /// The client secret, to hand to the system that will use the client.
    /// A credential: keep it out of logs.
    pub plain_secret: String,
}

impl fmt::Debug for CreatedOrganizationClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedOrganizationClient")
            .field("client", &self.client)
            .field("plain_secret", &"<redacted>")
            .finish()
    }
}

impl TryFrom<CreateOrganizationClientResponse> for CreatedOrganizationClient {
    type Error = Error;

    fn try_from(response: CreateOrganizationClientResponse) -> Result<Self> {
        let mut client = response.client.ok_or(Error::MalformedResponse("client"))?;
        let nested = take_plain_secrets(&mut client);
        let plain_secret = non_empty(response.plain_secret)
            .or(nested)
            .ok_or(Error::MalformedResponse("plain_secret"))?;
        Ok(CreatedOrganizationClient {
            client,
            plain_secret,
        })
    }
}

/// A secret just added by
/// [`add_organization_client_secret`](super::OrganizationClientsClient::add_organization_client_secret):
/// the only time its value is returned. `Debug` redacts it.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct CreatedClientSecret {
    /// The secret's record: its id (for
    /// [`remove_organization_client_secret`](super::OrganizationClientsClient::remove_organization_client_secret)),
    /// last characters, status and times.
    pub secret: ClientSecret,
    /// The secret itself. A credential: keep it out of logs.
    pub plain_secret: String,
}

impl fmt::Debug for CreatedClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedClientSecret")
            .field("secret", &self.secret)
            .field("plain_secret", &"<redacted>")
            .finish()
    }
}

impl TryFrom<CreateOrganizationClientSecretResponse> for CreatedClientSecret {
    type Error = Error;

    fn try_from(response: CreateOrganizationClientSecretResponse) -> Result<Self> {
        let mut secret = response.secret.ok_or(Error::MalformedResponse("secret"))?;
        let nested = secret.plain_secret.take().and_then(non_empty);
        let plain_secret = non_empty(response.plain_secret)
            .or(nested)
            .ok_or(Error::MalformedResponse("plain_secret"))?;
        Ok(CreatedClientSecret {
            secret,
            plain_secret,
        })
    }
}

/// Clears every secret value in `client`; returns the first non-empty one.
pub(super) fn take_plain_secrets(client: &mut M2mClient) -> Option<String> {
    let mut first = None;
    for secret in &mut client.secrets {
        let value = secret.plain_secret.take().and_then(non_empty);
        if first.is_none() {
            first = value;
        }
    }
    first
}

/// `client` with every secret value cleared: for reads, whose secrets the
/// server shows by id and suffix only.
pub(super) fn scrubbed(mut client: M2mClient) -> M2mClient {
    take_plain_secrets(&mut client);
    client
}

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}
