//! The options structs of [`ConnectionsClient`]'s methods: one per RPC with
//! optional parameters, each a plain value with chainable `with_*` setters.

#[cfg(doc)]
use super::ConnectionsClient;
use crate::pagination::token_page_options;
#[cfg(doc)]
use crate::pagination::Page;

/// Optional parameters of [`ConnectionsClient::list_app_connections`] and
/// [`ConnectionsClient::list_app_connections_stream`].
///
/// ```
/// use scalekit::connections::ListAppConnectionsOptions;
///
/// let opts = ListAppConnectionsOptions::default()
///     .with_page_size(20)
///     .with_provider("GOOGLE")
///     .with_query("workspace");
/// assert_eq!(opts.page_size, Some(20));
/// assert_eq!(opts.provider.as_deref(), Some("GOOGLE"));
/// assert_eq!(opts.query.as_deref(), Some("workspace"));
/// assert_eq!(opts.page_token, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListAppConnectionsOptions {
    /// Connections per page; unset, the server's default. Sent as given:
    /// the server enforces its range (at most 30).
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
    /// Lists only the connections of this provider (e.g. `"GOOGLE"`). Sent
    /// as given when set, an empty one included, as the reference does.
    pub provider: Option<String>,
    /// Free text matched against the connections' key ids and providers;
    /// the server wants at least three characters. Sent as given when set.
    pub query: Option<String>,
}

impl ListAppConnectionsOptions {
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

    /// Sets [`provider`](Self::provider).
    #[must_use]
    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// Sets [`query`](Self::query).
    #[must_use]
    pub fn with_query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }
}

token_page_options!(ListAppConnectionsOptions);
