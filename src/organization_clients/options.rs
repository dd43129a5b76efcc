//! The options structs of [`OrganizationClientsClient`]'s methods. Create
//! and update take the same fields, so their structs are written once as a
//! macro.

use super::CustomClaim;
#[cfg(doc)]
use super::OrganizationClientsClient;
use crate::pagination::token_page_options;
#[cfg(doc)]
use crate::pagination::Page;

macro_rules! client_fields_options {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            /// A name for people, e.g. the system that uses the client.
            pub name: Option<String>,
            /// What the client is for.
            pub description: Option<String>,
            /// Claims added to every access token the client obtains, in
            /// this order.
            pub custom_claims: Vec<CustomClaim>,
            /// The `aud` values of the client's access tokens.
            pub audience: Vec<String>,
            /// The scopes the client is granted.
            pub scopes: Vec<String>,
        }

        impl $name {
            /// Sets [`name`](Self::name).
            #[must_use]
            pub fn with_name(mut self, name: impl Into<String>) -> Self {
                self.name = Some(name.into());
                self
            }

            /// Sets [`description`](Self::description).
            #[must_use]
            pub fn with_description(mut self, description: impl Into<String>) -> Self {
                self.description = Some(description.into());
                self
            }

            /// Sets one of [`custom_claims`](Self::custom_claims): replaces
            /// the value of a claim with this key, or adds the claim last.
            #[must_use]
            pub fn with_custom_claim(
                mut self,
                key: impl Into<String>,
                value: impl Into<String>,
            ) -> Self {
                let (key, value) = (key.into(), value.into());
                match self.custom_claims.iter_mut().find(|claim| claim.key == key) {
                    Some(claim) => claim.value = value,
                    None => self.custom_claims.push(CustomClaim { key, value }),
                }
                self
            }

            /// Sets [`audience`](Self::audience).
            #[must_use]
            pub fn with_audience<S: Into<String>>(
                mut self,
                audience: impl IntoIterator<Item = S>,
            ) -> Self {
                self.audience = audience.into_iter().map(Into::into).collect();
                self
            }

            /// Sets [`scopes`](Self::scopes).
            #[must_use]
            pub fn with_scopes<S: Into<String>>(
                mut self,
                scopes: impl IntoIterator<Item = S>,
            ) -> Self {
                self.scopes = scopes.into_iter().map(Into::into).collect();
                self
            }
        }
    };
}

client_fields_options!(
    /// Optional parameters of
    /// [`OrganizationClientsClient::create_organization_client`].
    ///
    /// ```
    /// use scalekit::organization_clients::CreateOrganizationClientOptions;
    ///
    /// let opts = CreateOrganizationClientOptions::default()
    ///     .with_name("billing-sync")
    ///     .with_custom_claim("team", "billing")
    ///     .with_audience(["https://api.example.com"])
    ///     .with_scopes(["invoices:read"]);
    /// assert_eq!(opts.custom_claims[0].key, "team");
    /// ```
    CreateOrganizationClientOptions
);

client_fields_options!(
    /// Optional parameters of
    /// [`OrganizationClientsClient::update_organization_client`]: the
    /// fields to change.
    ///
    /// An unset (or empty) field is not sent, so it cannot clear a stored
    /// value; the server decides what a sent field replaces.
    ///
    /// ```
    /// use scalekit::organization_clients::UpdateOrganizationClientOptions;
    ///
    /// let opts = UpdateOrganizationClientOptions::default().with_scopes(["invoices:read", "invoices:write"]);
    /// assert_eq!(opts.scopes.len(), 2);
    /// assert_eq!(opts.name, None);
    /// ```
    UpdateOrganizationClientOptions
);

/// Optional parameters of
/// [`OrganizationClientsClient::list_organization_clients`] and
/// [`OrganizationClientsClient::list_organization_clients_stream`].
///
/// ```
/// use scalekit::organization_clients::ListOrganizationClientsOptions;
///
/// let opts = ListOrganizationClientsOptions::default().with_page_size(50);
/// assert_eq!(opts.page_size, Some(50));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListOrganizationClientsOptions {
    /// Clients per page; unset, the server's default. Sent as given: the
    /// server enforces its range (10 to 100).
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
}

impl ListOrganizationClientsOptions {
    /// Sets [`page_size`](Self::page_size).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Sets [`page_token`](field@Self::page_token).
    #[must_use]
    pub fn with_page_token(mut self, page_token: impl Into<String>) -> Self {
        self.page_token = Some(page_token.into());
        self
    }
}

token_page_options!(ListOrganizationClientsOptions);
