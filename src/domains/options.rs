//! The options structs of [`DomainsClient`]'s methods: the domain type and
//! page-number paging, each a plain value with chainable `with_*` setters.

#[cfg(doc)]
use super::{Domain, DomainType, DomainsClient};

/// Optional parameters of [`DomainsClient::create_domain`].
///
/// The domain type is kept as the wire's `i32`, so a value read from a
/// [`Domain`] (`domain.domain_type`) can be passed back as is; the call
/// rejects a number that is not a [`DomainType`] before sending anything.
/// For a type name from configuration, use [`DomainType::from_str_name`].
///
/// ```
/// use scalekit::domains::{CreateDomainOptions, DomainType};
///
/// let opts = CreateDomainOptions::default().with_domain_type(DomainType::OrganizationDomain);
/// assert_eq!(opts.domain_type, Some(DomainType::OrganizationDomain as i32));
///
/// let from_config = DomainType::from_str_name("ALLOWED_EMAIL_DOMAIN");
/// assert_eq!(from_config, Some(DomainType::AllowedEmailDomain));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CreateDomainOptions {
    /// What the domain is for, as a [`DomainType`] value; unset (or
    /// [`DomainType::Unspecified`]), nothing is sent and the server decides.
    pub domain_type: Option<i32>,
}

impl CreateDomainOptions {
    /// Sets [`domain_type`](Self::domain_type) from a [`DomainType`] or its
    /// `i32` value.
    #[must_use]
    pub fn with_domain_type(mut self, domain_type: impl Into<i32>) -> Self {
        self.domain_type = Some(domain_type.into());
        self
    }
}

/// Optional parameters of [`DomainsClient::list_domains`].
///
/// As in [`CreateDomainOptions`], the type is the wire's `i32`, checked
/// before anything is sent.
///
/// ```
/// use scalekit::domains::{DomainType, ListDomainsOptions};
///
/// let opts = ListDomainsOptions::default().with_domain_type(DomainType::AllowedEmailDomain);
/// assert_eq!(opts.domain_type, Some(DomainType::AllowedEmailDomain as i32));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListDomainsOptions {
    /// Only domains of this [`DomainType`] value; unset (or
    /// [`DomainType::Unspecified`]), domains of every type.
    pub domain_type: Option<i32>,
    /// Domains per page. Unset (as the reference sends it), the server
    /// returns the whole list in one answer.
    pub page_size: Option<u32>,
    /// Which page, counting from 1 (only with a page size).
    pub page_number: Option<u32>,
}

impl ListDomainsOptions {
    /// Sets [`domain_type`](Self::domain_type) from a [`DomainType`] or its
    /// `i32` value.
    #[must_use]
    pub fn with_domain_type(mut self, domain_type: impl Into<i32>) -> Self {
        self.domain_type = Some(domain_type.into());
        self
    }

    /// Sets [`page_size`](Self::page_size).
    #[must_use]
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Sets [`page_number`](Self::page_number).
    #[must_use]
    pub fn with_page_number(mut self, page_number: u32) -> Self {
        self.page_number = Some(page_number);
        self
    }
}
