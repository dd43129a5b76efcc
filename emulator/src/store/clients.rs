//! Organization clients (`m2morg_…`): machine-to-machine credentials that
//! belong to one organization, and their secrets.
//!
//! A secret's value is shown once, when it is made, and kept only as a
//! SHA-256 digest, as the real service never stores it: nothing the store
//! holds can be printed back as a working secret, and a client record
//! ([`M2mClient`]) never carries one.
//!
//! A client goes with its organization (see `Store::remove_organization`),
//! so every client in the map has one.

use std::collections::BTreeMap;

use rand::distributions::{Alphanumeric, DistString as _};
use scalekit::proto::clients::{ClientSecret, ClientSecretStatus, M2mClient};
use sha2::{Digest as _, Sha256};

use super::{now, Store};

/// How many characters of a secret its record shows (`secret_suffix`).
const SECRET_SUFFIX_CHARS: usize = 4;
/// The length of a generated secret value.
const SECRET_CHARS: usize = 40;

/// One organization client with what authenticates it.
pub(crate) struct OrganizationClientRecord {
    /// The client as the API returns it; its secrets' `plain_secret` is
    /// always `None`.
    pub(crate) client: M2mClient,
    /// Secret id → SHA-256 of the secret's value.
    digests: BTreeMap<String, [u8; 32]>,
}

fn digest(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

/// Compares two digests in time independent of where they differ.
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Store {
    /// A new secret for a client: its value (to show once) and its record.
    fn new_client_secret(&mut self) -> (String, ClientSecret, [u8; 32]) {
        let value = Alphanumeric.sample_string(&mut rand::thread_rng(), SECRET_CHARS);
        let created = now();
        let record = ClientSecret {
            id: self.ids.next("sec"),
            create_time: Some(created),
            update_time: Some(created),
            secret_suffix: value[value.len() - SECRET_SUFFIX_CHARS..].to_string(),
            status: ClientSecretStatus::Active as i32,
            ..Default::default()
        };
        let hashed = digest(&value);
        (value, record, hashed)
    }

    /// Stores `client` (its fields already checked) under a new
    /// `m2morg_…` id with a first secret; returns the stored client and
    /// the secret's value.
    pub(crate) fn insert_organization_client(
        &mut self,
        mut client: M2mClient,
    ) -> (M2mClient, String) {
        client.client_id = self.ids.next("m2morg");
        let created = now();
        client.create_time = Some(created);
        client.update_time = Some(created);
        let (value, secret, hashed) = self.new_client_secret();
        client.secrets = vec![secret.clone()];
        let record = OrganizationClientRecord {
            client: client.clone(),
            digests: BTreeMap::from([(secret.id, hashed)]),
        };
        self.organization_clients
            .insert(client.client_id.clone(), record);
        (client, value)
    }

    /// The organization's client `client_id`, if both exist.
    pub(crate) fn organization_client(
        &self,
        organization_id: &str,
        client_id: &str,
    ) -> Option<&M2mClient> {
        self.organization_clients
            .get(client_id)
            .filter(|r| r.client.organization_id == organization_id)
            .map(|r| &r.client)
    }

    /// The organization's client `client_id` to change, if both exist.
    pub(crate) fn organization_client_mut(
        &mut self,
        organization_id: &str,
        client_id: &str,
    ) -> Option<&mut M2mClient> {
        self.organization_client(organization_id, client_id)?;
        self.organization_clients
            .get_mut(client_id)
            .map(|r| &mut r.client)
    }

    /// The organization's clients in creation order.
    pub(crate) fn organization_clients_of(&self, organization_id: &str) -> Vec<M2mClient> {
        self.organization_clients
            .values()
            .filter(|r| r.client.organization_id == organization_id)
            .map(|r| r.client.clone())
            .collect()
    }

    /// Removes a client with its secrets; false when the organization has
    /// no such client.
    pub(crate) fn remove_organization_client(
        &mut self,
        organization_id: &str,
        client_id: &str,
    ) -> bool {
        if self
            .organization_client(organization_id, client_id)
            .is_none()
        {
            return false;
        }
        self.organization_clients.remove(client_id).is_some()
    }

    /// Adds a secret to a client; returns its value and record, or `None`
    /// when the organization has no such client.
    pub(crate) fn add_organization_client_secret(
        &mut self,
        organization_id: &str,
        client_id: &str,
    ) -> Option<(String, ClientSecret)> {
        self.organization_client(organization_id, client_id)?;
        let (value, secret, hashed) = self.new_client_secret();
        let record = self.organization_clients.get_mut(client_id)?;
        record.client.secrets.push(secret.clone());
        record.client.update_time = secret.create_time;
        record.digests.insert(secret.id.clone(), hashed);
        Some((value, secret))
    }

    /// Removes one secret of a client, which then stops authenticating.
    /// The client must exist (checked by the caller).
    pub(crate) fn remove_organization_client_secret(
        &mut self,
        client_id: &str,
        secret_id: &str,
    ) -> SecretRemoval {
        let Some(record) = self.organization_clients.get_mut(client_id) else {
            return SecretRemoval::NoSuchSecret;
        };
        if !record.digests.contains_key(secret_id) {
            return SecretRemoval::NoSuchSecret;
        }
        if record.digests.len() == 1 {
            return SecretRemoval::LastSecret;
        }
        record.digests.remove(secret_id);
        record.client.secrets.retain(|s| s.id != secret_id);
        record.client.update_time = Some(now());
        SecretRemoval::Removed
    }

    /// The client that `client_id` and `secret` authenticate (any of its
    /// secrets), stamping that secret's `last_used_time`; `None` for an
    /// unknown client, a removed secret or a wrong one.
    pub(crate) fn authenticate_organization_client(
        &mut self,
        client_id: &str,
        secret: &str,
    ) -> Option<M2mClient> {
        let presented = digest(secret);
        let record = self.organization_clients.get_mut(client_id)?;
        let secret_id = record
            .digests
            .iter()
            .find(|(_, stored)| same_digest(stored, &presented))
            .map(|(id, _)| id.clone())?;
        if let Some(used) = record.client.secrets.iter_mut().find(|s| s.id == secret_id) {
            used.last_used_time = Some(now());
        }
        Some(record.client.clone())
    }
}

/// The outcome of [`Store::remove_organization_client_secret`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SecretRemoval {
    Removed,
    NoSuchSecret,
    /// A client keeps at least one secret.
    LastSecret,
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalekit::proto::organizations::Organization;

    fn store_with_client() -> (Store, M2mClient, String) {
        let mut store = Store::new(0);
        store.organizations.insert(
            "org_1".into(),
            Organization {
                id: "org_1".into(),
                ..Default::default()
            },
        );
        let (client, value) = store.insert_organization_client(M2mClient {
            organization_id: "org_1".into(),
            ..Default::default()
        });
        (store, client, value)
    }

    #[test]
    fn a_new_client_has_one_active_secret_whose_value_is_not_stored() {
        let (store, client, value) = store_with_client();
        assert!(client.client_id.starts_with("m2morg_"));
        let [secret] = client.secrets.as_slice() else {
            panic!("one secret: {:?}", client.secrets);
        };
        assert!(value.ends_with(&secret.secret_suffix));
        assert_eq!(secret.secret_suffix.len(), SECRET_SUFFIX_CHARS);
        assert_eq!(secret.status, ClientSecretStatus::Active as i32);
        assert!(secret.plain_secret.is_none());
        let record = &store.organization_clients[&client.client_id];
        assert_ne!(record.digests[&secret.id].as_slice(), value.as_bytes());
    }

    #[test]
    fn every_live_secret_authenticates_and_a_removed_one_does_not() {
        let (mut store, client, first) = store_with_client();
        let id = client.client_id.as_str();
        let (second, added) = store.add_organization_client_secret("org_1", id).unwrap();
        assert!(store.authenticate_organization_client(id, &first).is_some());
        let used = store.authenticate_organization_client(id, &second).unwrap();
        let stamped = used.secrets.iter().find(|s| s.id == added.id).unwrap();
        assert!(stamped.last_used_time.is_some());
        assert!(store
            .authenticate_organization_client(id, "wrong")
            .is_none());

        let first_id = client.secrets[0].id.clone();
        assert_eq!(
            store.remove_organization_client_secret(id, &first_id),
            SecretRemoval::Removed
        );
        assert!(store.authenticate_organization_client(id, &first).is_none());
        assert!(store
            .authenticate_organization_client(id, &second)
            .is_some());
        assert_eq!(
            store.remove_organization_client_secret(id, &added.id),
            SecretRemoval::LastSecret
        );
        assert_eq!(
            store.remove_organization_client_secret(id, &first_id),
            SecretRemoval::NoSuchSecret
        );
    }

    #[test]
    fn a_client_of_a_deleted_organization_is_gone() {
        let (mut store, client, value) = store_with_client();
        store.remove_organization("org_1");
        assert!(store.organization_clients.is_empty());
        assert!(store
            .organization_client("org_1", &client.client_id)
            .is_none());
        assert!(store
            .authenticate_organization_client(&client.client_id, &value)
            .is_none());
    }
}
