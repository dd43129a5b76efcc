//! The options structs of [`OrganizationsClient`]'s methods: one per RPC
//! with optional parameters, each a plain value with chainable `with_*`
//! setters.

use std::collections::HashMap;

#[cfg(doc)]
use super::OrganizationsClient;
use super::RegionCode;
use crate::pagination::token_page_options;
#[cfg(doc)]
use crate::pagination::Page;

/// Optional parameters of [`OrganizationsClient::create_organization`].
///
/// ```
/// use scalekit::organizations::{CreateOrganizationOptions, RegionCode};
///
/// let opts = CreateOrganizationOptions::default()
///     .with_external_id("customer_12345")
///     .with_metadata("plan", "enterprise")
///     .with_region_code(RegionCode::Eu);
/// assert_eq!(opts.external_id.as_deref(), Some("customer_12345"));
/// assert_eq!(opts.metadata["plan"], "enterprise");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CreateOrganizationOptions {
    /// Your system's id for the organization; unset or empty, none is sent.
    pub external_id: Option<String>,
    /// Metadata of the organization. Not in the other Scalekit SDKs' call;
    /// empty, nothing is sent.
    pub metadata: HashMap<String, String>,
    /// The region to keep the organization's data in. Not in the other
    /// Scalekit SDKs' call; unset, the server's default.
    pub region_code: Option<RegionCode>,
    /// The organization's URL-friendly name; unset or empty, none is sent.
    pub slug: Option<String>,
    /// Where the organization's logo is; unset or empty, none is sent.
    pub logo_url: Option<String>,
}

impl CreateOrganizationOptions {
    /// Sets [`external_id`](Self::external_id).
    #[must_use]
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Sets [`slug`](Self::slug).
    #[must_use]
    pub fn with_slug(mut self, slug: impl Into<String>) -> Self {
        self.slug = Some(slug.into());
        self
    }

    /// Sets [`logo_url`](Self::logo_url).
    #[must_use]
    pub fn with_logo_url(mut self, logo_url: impl Into<String>) -> Self {
        self.logo_url = Some(logo_url.into());
        self
    }

    /// Adds one entry to [`metadata`](Self::metadata).
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Sets [`metadata`](Self::metadata), replacing any entries set before.
    #[must_use]
    pub fn with_metadata_map<K, V>(mut self, metadata: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.metadata = metadata
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }

    /// Sets [`region_code`](Self::region_code).
    #[must_use]
    pub fn with_region_code(mut self, region_code: RegionCode) -> Self {
        self.region_code = Some(region_code);
        self
    }
}

/// Optional parameters of [`OrganizationsClient::list_organization`] and
/// [`OrganizationsClient::list_organization_stream`].
///
/// ```
/// use scalekit::organizations::ListOrganizationOptions;
///
/// let opts = ListOrganizationOptions::default().with_page_size(50).with_page_token("tok_2");
/// assert_eq!(opts.page_size, Some(50));
/// assert_eq!(opts.page_token.as_deref(), Some("tok_2"));
/// assert_eq!(opts.external_id, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListOrganizationOptions {
    /// Organizations per page; unset, the server's default. Sent as given:
    /// the server enforces its range (at most 100).
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
    /// Lists only the organization with this external id.
    pub external_id: Option<String>,
}

impl ListOrganizationOptions {
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

    /// Sets [`external_id`](Self::external_id).
    #[must_use]
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }
}

/// Optional parameters of [`OrganizationsClient::search_organization`] and
/// [`OrganizationsClient::search_organization_stream`].
///
/// ```
/// use scalekit::organizations::SearchOrganizationOptions;
///
/// let opts = SearchOrganizationOptions::default().with_page_size(30).with_page_token("tok_2");
/// assert_eq!(opts.page_size, Some(30));
/// assert_eq!(opts.page_token.as_deref(), Some("tok_2"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct SearchOrganizationOptions {
    /// Matches per page; unset, the server's default. Sent as given: the
    /// server enforces its range (at most 30 for a search).
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
}

impl SearchOrganizationOptions {
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

token_page_options!(ListOrganizationOptions, SearchOrganizationOptions);
