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

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, Page, PageOptions};
use crate::proto::domains::{
    create_domain_request, delete_domain_request, get_domain_request, list_domain_request,
    CreateDomain, CreateDomainRequest, DeleteDomainRequest, DomainServiceClient, GetDomainRequest,
    ListDomainRequest,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::domains::{Domain, DomainType, VerificationStatus};

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

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Requests, exactly as the reference builds them
// ---------------------------------------------------------------------------

/// The domain type to send: `None` for unset or `Unspecified` (the
/// reference sends only a truthy type), an error for a number that is not a
/// [`DomainType`] (the reference rejects unknown type names).
fn resolve_domain_type(domain_type: Option<i32>) -> Result<Option<DomainType>> {
    let Some(value) = domain_type else {
        return Ok(None);
    };
    match DomainType::try_from(value) {
        Ok(DomainType::Unspecified) => Ok(None),
        Ok(known) => Ok(Some(known)),
        Err(_) => Err(Error::invalid_argument(
            "domain_type",
            format!("{value} is not a domain type; expected ALLOWED_EMAIL_DOMAIN or ORGANIZATION_DOMAIN"),
        )),
    }
}

fn create_domain_request(
    organization_id: &str,
    name: &str,
    opts: &CreateDomainOptions,
) -> Result<CreateDomainRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_non_empty("name", name)?;
    let domain_type = resolve_domain_type(opts.domain_type)?;
    Ok(CreateDomainRequest {
        identities: Some(create_domain_request::Identities::OrganizationId(
            organization_id.to_owned(),
        )),
        connection_id: None,
        domain: Some(CreateDomain {
            domain: name.to_owned(),
            domain_type: domain_type.map_or(0, |t| t as i32),
        }),
    })
}

fn get_domain_request(organization_id: &str, domain_id: &str) -> Result<GetDomainRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("domain_id", domain_id)?;
    Ok(GetDomainRequest {
        identities: Some(get_domain_request::Identities::OrganizationId(
            organization_id.to_owned(),
        )),
        id: domain_id.to_owned(),
    })
}

fn list_domains_request(
    organization_id: &str,
    opts: &ListDomainsOptions,
) -> Result<ListDomainRequest> {
    validate::require_id("organization_id", organization_id)?;
    let domain_type = resolve_domain_type(opts.domain_type)?;
    let wire = |field: &'static str, value: Option<u32>| {
        value
            .map(|n| i32::try_from(n).map_err(|_| Error::invalid_argument(field, "is too large")))
            .transpose()
    };
    Ok(ListDomainRequest {
        identities: Some(list_domain_request::Identities::OrganizationId(
            organization_id.to_owned(),
        )),
        domain_type: domain_type.map_or(0, |t| t as i32),
        // Sent only when set, as given (0 included): the reference sends
        // neither, and the server then answers with the whole list.
        page_size: wire("page_size", opts.page_size)?,
        page_number: wire("page_number", opts.page_number)?,
        ..Default::default()
    })
}

fn delete_domain_request(organization_id: &str, domain_id: &str) -> Result<DeleteDomainRequest> {
    validate::require_id("organization_id", organization_id)?;
    validate::require_id("domain_id", domain_id)?;
    Ok(DeleteDomainRequest {
        id: domain_id.to_owned(),
        identities: Some(delete_domain_request::Identities::OrganizationId(
            organization_id.to_owned(),
        )),
        connection_id: None,
    })
}

#[cfg(test)]
mod tests {
    //! Request shapes. Each `REF_*` constant is the request the reference
    //! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/domain.js`) encodes for the
    //! same call, captured by running its `DomainClient` with a `connectExec`
    //! stub that records `toBinary(method.input, create(method.input, req))`.

    use prost::Message;

    use super::*;

    fn decode<M: Message + Default>(hex: &str) -> M {
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        M::decode(bytes.as_slice()).unwrap()
    }

    fn invalid<T: std::fmt::Debug>(result: Result<T>) -> (&'static str, String) {
        match result {
            Err(Error::InvalidArgument { field, reason }) => (field, reason),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    const REF_CREATE_DOMAIN_MIN: &str = "0a056f72675f31220a0a0861636d652e636f6d";
    const REF_CREATE_DOMAIN_ORG: &str = "0a056f72675f31220c0a0861636d652e636f6d1002";
    const REF_CREATE_DOMAIN_ALLOWED: &str = "0a056f72675f31220c0a0861636d652e636f6d1001";
    const REF_CREATE_DOMAIN_UNSPECIFIED: &str = "0a056f72675f31220a0a0861636d652e636f6d";
    const REF_GET_DOMAIN: &str = "0a056f72675f311a05646f6d5f31";
    const REF_LIST_DOMAINS_NONE: &str = "0a056f72675f31";
    const REF_LIST_DOMAINS_ALLOWED: &str = "0a056f72675f313801";
    const REF_DELETE_DOMAIN: &str = "0a05646f6d5f3112056f72675f31";

    fn org_arm() -> Option<create_domain_request::Identities> {
        Some(create_domain_request::Identities::OrganizationId(
            "org_1".to_owned(),
        ))
    }

    // createDomain('org_1', 'acme.com')
    #[test]
    fn create_domain_request_without_type_matches_reference() {
        let request =
            create_domain_request("org_1", "acme.com", &CreateDomainOptions::default()).unwrap();
        assert_eq!(
            request,
            CreateDomainRequest {
                identities: org_arm(),
                connection_id: None,
                domain: Some(CreateDomain {
                    domain: "acme.com".to_owned(),
                    domain_type: 0,
                }),
            }
        );
        assert_eq!(
            request,
            decode::<CreateDomainRequest>(REF_CREATE_DOMAIN_MIN)
        );
    }

    // createDomain('org_1', 'acme.com', { domainType: 'ORGANIZATION_DOMAIN' }),
    // createDomain('org_1', 'acme.com', { domainType: 1 }),
    // createDomain('org_1', 'acme.com', { domainType: 'DOMAIN_TYPE_UNSPECIFIED' })
    #[test]
    fn create_domain_request_with_type_matches_reference() {
        let with = |t: DomainType| {
            create_domain_request(
                "org_1",
                "acme.com",
                &CreateDomainOptions::default().with_domain_type(t),
            )
            .unwrap()
        };
        let org = with(DomainType::OrganizationDomain);
        assert_eq!(
            org.domain.as_ref().unwrap().domain_type,
            DomainType::OrganizationDomain as i32
        );
        assert_eq!(org, decode::<CreateDomainRequest>(REF_CREATE_DOMAIN_ORG));
        assert_eq!(
            with(DomainType::AllowedEmailDomain),
            decode::<CreateDomainRequest>(REF_CREATE_DOMAIN_ALLOWED)
        );
        assert_eq!(
            with(DomainType::Unspecified),
            decode::<CreateDomainRequest>(REF_CREATE_DOMAIN_UNSPECIFIED)
        );
    }

    #[test]
    fn create_domain_request_rejects_unknown_types_and_bad_arguments() {
        for value in [3, -1, 99] {
            let (field, reason) = invalid(create_domain_request(
                "org_1",
                "acme.com",
                &CreateDomainOptions::default().with_domain_type(value),
            ));
            assert_eq!(field, "domain_type");
            assert!(reason.contains(&value.to_string()), "{reason}");
        }
        let opts = CreateDomainOptions::default;
        let (field, _) = invalid(create_domain_request("", "acme.com", &opts()));
        assert_eq!(field, "organization_id");
        for name in ["", "  "] {
            let (field, _) = invalid(create_domain_request("org_1", name, &opts()));
            assert_eq!(field, "name", "{name:?}");
        }
    }

    // getDomain('org_1', 'dom_1')
    #[test]
    fn get_domain_request_matches_reference() {
        let request = get_domain_request("org_1", "dom_1").unwrap();
        assert_eq!(
            request,
            GetDomainRequest {
                identities: Some(get_domain_request::Identities::OrganizationId(
                    "org_1".to_owned()
                )),
                id: "dom_1".to_owned(),
            }
        );
        assert_eq!(request, decode::<GetDomainRequest>(REF_GET_DOMAIN));
        let (field, _) = invalid(get_domain_request("org_1", "dom/1"));
        assert_eq!(field, "domain_id");
        let (field, _) = invalid(get_domain_request(" ", "dom_1"));
        assert_eq!(field, "organization_id");
    }

    // listDomains('org_1'), listDomains('org_1', { domainType: 'ALLOWED_EMAIL_DOMAIN' })
    #[test]
    fn list_domains_request_matches_reference() {
        let none = list_domains_request("org_1", &ListDomainsOptions::default()).unwrap();
        assert_eq!(
            none,
            ListDomainRequest {
                identities: Some(list_domain_request::Identities::OrganizationId(
                    "org_1".to_owned()
                )),
                ..Default::default()
            }
        );
        assert_eq!(none, decode::<ListDomainRequest>(REF_LIST_DOMAINS_NONE));

        let allowed = list_domains_request(
            "org_1",
            &ListDomainsOptions::default().with_domain_type(DomainType::AllowedEmailDomain),
        )
        .unwrap();
        assert_eq!(allowed.domain_type, DomainType::AllowedEmailDomain as i32);
        assert_eq!(allowed.page_size, None);
        assert_eq!(allowed.page_number, None);
        assert_eq!(
            allowed,
            decode::<ListDomainRequest>(REF_LIST_DOMAINS_ALLOWED)
        );

        let unspecified = list_domains_request(
            "org_1",
            &ListDomainsOptions::default().with_domain_type(DomainType::Unspecified),
        )
        .unwrap();
        assert_eq!(unspecified, none);
    }

    #[test]
    fn list_domains_request_sends_page_fields_only_when_set() {
        let paged = list_domains_request(
            "org_1",
            &ListDomainsOptions::default()
                .with_page_size(0)
                .with_page_number(2),
        )
        .unwrap();
        assert_eq!((paged.page_size, paged.page_number), (Some(0), Some(2)));
        let (field, _) = invalid(list_domains_request(
            "org_1",
            &ListDomainsOptions::default().with_page_size(u32::MAX),
        ));
        assert_eq!(field, "page_size");
    }

    #[test]
    fn list_domains_request_rejects_unknown_types() {
        let (field, reason) = invalid(list_domains_request(
            "org_1",
            &ListDomainsOptions::default().with_domain_type(7),
        ));
        assert_eq!(field, "domain_type");
        assert!(reason.contains("ORGANIZATION_DOMAIN"), "{reason}");
        let (field, _) = invalid(list_domains_request("", &ListDomainsOptions::default()));
        assert_eq!(field, "organization_id");
    }

    // deleteDomain('org_1', 'dom_1')
    #[test]
    fn delete_domain_request_matches_reference() {
        let request = delete_domain_request("org_1", "dom_1").unwrap();
        assert_eq!(
            request,
            DeleteDomainRequest {
                id: "dom_1".to_owned(),
                identities: Some(delete_domain_request::Identities::OrganizationId(
                    "org_1".to_owned()
                )),
                connection_id: None,
            }
        );
        assert_eq!(request, decode::<DeleteDomainRequest>(REF_DELETE_DOMAIN));
        let (field, _) = invalid(delete_domain_request("org_1", ""));
        assert_eq!(field, "domain_id");
    }
}
