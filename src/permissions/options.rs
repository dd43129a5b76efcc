//! The options of [`PermissionsClient::list_permissions`]: paging, as a
//! plain value with chainable `with_*` setters.

#[cfg(doc)]
use super::PermissionsClient;
use crate::pagination::token_page_options;
#[cfg(doc)]
use crate::pagination::Page;

/// Optional parameters of [`PermissionsClient::list_permissions`] and
/// [`PermissionsClient::list_permissions_stream`].
///
/// ```
/// use scalekit::permissions::ListPermissionsOptions;
///
/// let opts = ListPermissionsOptions::default().with_page_size(50).with_page_token("tok_2");
/// assert_eq!(opts.page_size, Some(50));
/// assert_eq!(opts.page_token.as_deref(), Some("tok_2"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListPermissionsOptions {
    /// Permissions per page; unset, the server's default. Sent as given: the
    /// server enforces its range (at most 100).
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
}

impl ListPermissionsOptions {
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

token_page_options!(ListPermissionsOptions);
