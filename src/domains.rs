//! Email domains of organizations.
//!
//! [`DomainsClient`] wraps the domain RPCs of
//! `scalekit.v1.domains.DomainService` with the method names of the other
//! Scalekit SDKs. An [`OrganizationDomain`](DomainType::OrganizationDomain)
//! routes users with that email domain to the organization's SSO
//! connection; an [`AllowedEmailDomain`](DomainType::AllowedEmailDomain)
//! lets users with that email domain join the organization.
//!
//! ```
//! use scalekit::domains::{CreateDomainOptions, DomainType};
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let domains = client.domains();
//!     let opts = CreateDomainOptions::default().with_domain_type(DomainType::OrganizationDomain);
//!     let domain = domains.create_domain("org_123", "acme.com", opts).await?;
//!     println!("add TXT {} = {}", domain.txt_record_key, domain.txt_record_secret);
//!     Ok(())
//! }
//! ```

mod options;
mod requests;
#[cfg(test)]
mod tests;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, Page, PageOptions};
use crate::proto::domains::DomainServiceClient;
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;

use requests::{
    create_domain_request, delete_domain_request, get_domain_request, list_domains_request,
};

pub use crate::proto::domains::{Domain, DomainType, VerificationStatus};
pub use options::{CreateDomainOptions, ListDomainsOptions};

/// Organization domains; obtained from
/// [`ScalekitClient::domains`](crate::ScalekitClient::domains).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let domain = client.domains().get_domain("org_123", "dom_456").await?;
///     println!("{} is {:?}", domain.domain, domain.verification_status());
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct DomainsClient {
    stub: Stub<DomainServiceClient<AuthChannel>>,
}

impl DomainsClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        DomainsClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.domains.DomainService",
                DomainServiceClient::new,
            ),
        }
    }

    /// Adds a domain to an organization.
    ///
    /// ```
    /// use scalekit::domains::{CreateDomainOptions, DomainType};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = CreateDomainOptions::default().with_domain_type(DomainType::AllowedEmailDomain);
    ///     let domain = client
    ///         .domains()
    ///         .create_domain("org_123", "acme.io", opts)
    ///         .await?;
    ///     println!("created {} ({:?})", domain.id, domain.domain_type());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Without a [`domain_type`](CreateDomainOptions::domain_type) (or with
    /// [`DomainType::Unspecified`], which is not sent) the server picks the
    /// type. Public email providers' domains (`gmail.com`, …) are refused.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`, `name` is blank, or the domain type is not a
    ///   [`DomainType`] value; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization ([`Error::is_not_found`]), `ALREADY_EXISTS` for
    ///   a domain already added ([`Error::is_conflict`]), `INVALID_ARGUMENT`
    ///   for a malformed or public domain.
    /// - [`Error::MalformedResponse`]`("domain")` if the response has no
    ///   domain.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/domains>
    pub async fn create_domain(
        &self,
        organization_id: &str,
        name: &str,
        opts: CreateDomainOptions,
    ) -> Result<Domain> {
        let request = create_domain_request(organization_id, name, &opts)?;
        let response = call!(self.stub, create_domain(request)).await?;
        response.domain.ok_or(Error::MalformedResponse("domain"))
    }

    /// Gets one domain of an organization.
    ///
    /// ```
    /// use scalekit::domains::VerificationStatus;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let domain = client.domains().get_domain("org_123", "dom_456").await?;
    ///     if domain.verification_status() == VerificationStatus::Pending {
    ///         println!("publish TXT {} first", domain.txt_record_key);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `domain_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or a domain it does not have
    ///   ([`Error::is_not_found`]).
    /// - [`Error::MalformedResponse`]`("domain")` if the response has no
    ///   domain.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/domains>
    pub async fn get_domain(&self, organization_id: &str, domain_id: &str) -> Result<Domain> {
        let request = get_domain_request(organization_id, domain_id)?;
        let response = call!(self.stub, get_domain(request)).await?;
        response.domain.ok_or(Error::MalformedResponse("domain"))
    }

    /// Lists an organization's domains, optionally only those of one type.
    ///
    /// ```
    /// use scalekit::domains::{DomainType, ListDomainsOptions};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListDomainsOptions::default().with_domain_type(DomainType::OrganizationDomain);
    ///     for domain in client.domains().list_domains("org_123", opts).await? {
    ///         println!("{} routes to SSO", domain.domain);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// With no page size or number in the options (as the other Scalekit
    /// SDKs send it), the server returns its whole list, so the result is a
    /// `Vec` rather than a [`Page`]; [`list_domains_stream`](Self::list_domains_stream)
    /// walks a large list page by page.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed
    ///   or contains `/`, or the domain type is not a [`DomainType`] value;
    ///   nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/domains>
    pub async fn list_domains(
        &self,
        organization_id: &str,
        opts: ListDomainsOptions,
    ) -> Result<Vec<Domain>> {
        let request = list_domains_request(organization_id, &opts)?;
        let response = call!(self.stub, list_domains(request)).await?;
        Ok(response.domains)
    }

    /// Every domain of an organization, fetched a page at a time as the
    /// stream is read.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::domains::ListDomainsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let all: Vec<_> = client
    ///         .domains()
    ///         .list_domains_stream("org_123", ListDomainsOptions::default().with_page_size(50))
    ///         .try_collect()
    ///         .await?;
    ///     println!("{} domains", all.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Domains page by number rather than by token: the stream starts at
    /// the options' page number (default 1), uses their page size (default
    /// [`DEFAULT_STREAM_PAGE_SIZE`]) and ends after a page with fewer
    /// domains than that.
    ///
    /// # Errors
    ///
    /// Yields the errors of [`list_domains`](Self::list_domains) (invalid
    /// arguments on the first read, before any I/O), once, then ends.
    pub fn list_domains_stream(
        &self,
        organization_id: &str,
        opts: ListDomainsOptions,
    ) -> impl Stream<Item = Result<Domain>> + Send + 'static {
        let client = self.clone();
        let page_size = opts.page_size.unwrap_or(DEFAULT_STREAM_PAGE_SIZE);
        let cursor = DomainPages {
            organization_id: organization_id.to_owned(),
            page: opts.page_number.unwrap_or(1).max(1).to_string(),
            opts: ListDomainsOptions {
                page_size: Some(page_size),
                ..opts
            },
        };
        paginate(cursor, move |cursor| {
            let client = client.clone();
            async move {
                let number: u32 = cursor
                    .page
                    .parse()
                    .map_err(|_| Error::invalid_argument("page_number", "is not a page number"))?;
                let opts = cursor.opts.clone().with_page_number(number);
                let domains = client.list_domains(&cursor.organization_id, opts).await?;
                let full = u32::try_from(domains.len()).is_ok_and(|n| n >= page_size && n > 0);
                let next = if full {
                    (number + 1).to_string()
                } else {
                    String::new()
                };
                // The response carries no total; only the items matter here.
                Ok(Page::new(domains, next, String::new(), 0))
            }
        })
    }

    /// Removes a domain from an organization.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client.domains().delete_domain("org_123", "dom_456").await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Users of that email domain are no longer routed to the
    /// organization's connections.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` or `domain_id` is
    ///   empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or a domain it does not have
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/domains>
    pub async fn delete_domain(&self, organization_id: &str, domain_id: &str) -> Result<()> {
        let request = delete_domain_request(organization_id, domain_id)?;
        call!(self.stub, delete_domain(request)).await?;
        Ok(())
    }
}

/// Page size [`DomainsClient::list_domains_stream`] uses when the options
/// set none: the stream has to ask for pages to be able to tell the last one.
pub const DEFAULT_STREAM_PAGE_SIZE: u32 = 30;

/// [`ListDomainsOptions`] as a cursor for the token-driven
/// [`paginate`](crate::pagination): the "token" is the page number.
#[derive(Clone)]
struct DomainPages {
    organization_id: String,
    opts: ListDomainsOptions,
    page: String,
}

impl PageOptions for DomainPages {
    fn page_token(&self) -> Option<&str> {
        Some(&self.page)
    }

    fn set_page_token(&mut self, token: String) {
        self.page = token;
    }
}
