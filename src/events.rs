//! The environment's event log: sign-ins, directory syncs, changes to
//! users and organizations, and more, most recent first.
//!
//! [`EventsClient`] wraps `ListEventsPaginated` of
//! `scalekit.v1.events.EventsService`, the one event RPC of the reference
//! SDK. Use it for audit trails, monitoring or an activity feed; for
//! pushing events as they happen, see webhooks.
//!
//! ```
//! use futures::TryStreamExt as _;
//! use scalekit::events::{EventFilter, ListEventsPaginatedOptions};
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let filter = EventFilter {
//!         event_types: vec!["user.created".to_owned()],
//!         organization_id: "org_123".to_owned(),
//!         ..Default::default()
//!     };
//!     let opts = ListEventsPaginatedOptions::default().with_filter(filter).with_page_size(100);
//!     let mut events = std::pin::pin!(client.events().list_events_paginated_stream(opts));
//!     while let Some(event) = events.try_next().await? {
//!         println!("{} {} at {:?}", event.id, event.r#type, event.occurred_at);
//!     }
//!     Ok(())
//! }
//! ```

#[cfg(test)]
mod tests;

use futures::Stream;

use crate::error::Result;
use crate::pagination::{paginate, token_page_options, Page};
use crate::proto::events::{EventsServiceClient, ListEventsPaginatedRequest};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;

pub use crate::proto::events::{EventFilter, ObjectType, ScalekitEvent, Source};

/// The event log; obtained from [`ScalekitClient::events`](crate::ScalekitClient::events).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call.
/// [`list_events_paginated_stream`](EventsClient::list_events_paginated_stream)
/// keeps its own clone, so its stream is `'static`.
///
/// ```
/// use scalekit::events::ListEventsPaginatedOptions;
///
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let latest = client.events().list_events_paginated(ListEventsPaginatedOptions::default()).await?;
///     for event in &latest {
///         println!("{} {}", event.r#type, event.display_name);
///     }
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct EventsClient {
    stub: Stub<EventsServiceClient<AuthChannel>>,
}

/// Optional parameters of [`EventsClient::list_events_paginated`] and
/// [`EventsClient::list_events_paginated_stream`].
///
/// ```
/// use scalekit::events::{EventFilter, ListEventsPaginatedOptions, Source};
///
/// let filter = EventFilter { source: Source::DirSync as i32, ..Default::default() };
/// let opts = ListEventsPaginatedOptions::default().with_page_size(25).with_filter(filter);
/// assert_eq!(opts.page_size, Some(25));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ListEventsPaginatedOptions {
    /// Events per page; unset, the server's default (10). The server caps it
    /// at 100.
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the most recent events.
    pub page_token: Option<String>,
    /// Which events to list (types, time range, organization, source,
    /// connection, …); unset, all of them.
    pub filter: Option<EventFilter>,
}

impl ListEventsPaginatedOptions {
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

    /// Sets [`filter`](Self::filter).
    #[must_use]
    pub fn with_filter(mut self, filter: EventFilter) -> Self {
        self.filter = Some(filter);
        self
    }
}

token_page_options!(ListEventsPaginatedOptions);

/// The request as the reference SDK builds it: every option is optional
/// and sent as given (the filter as a whole), with nothing to check.
fn list_events_paginated_request(opts: &ListEventsPaginatedOptions) -> ListEventsPaginatedRequest {
    ListEventsPaginatedRequest {
        filter: opts.filter.clone(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
    }
}

impl EventsClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        EventsClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.events.EventsService",
                EventsServiceClient::new,
            ),
        }
    }

    /// Lists one page of the environment's events, most recent first.
    ///
    /// ```
    /// use scalekit::events::{EventFilter, ListEventsPaginatedOptions};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let filter = EventFilter { event_types: vec!["user.created".to_owned()], ..Default::default() };
    ///     let opts = ListEventsPaginatedOptions::default().with_page_size(25).with_filter(filter);
    ///     let page = client.events().list_events_paginated(opts).await?;
    ///     for event in &page {
    ///         println!("{} in {:?}", event.id, event.organization_id);
    ///     }
    ///     if let Some(older) = page.next_page_token {
    ///         println!("more with page token {older}");
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The response carries page tokens but no count, so
    /// [`Page::total_size`] is always 0. To walk every page, use
    /// [`list_events_paginated_stream`](Self::list_events_paginated_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::Api`](crate::Error::Api) for a server rejection, e.g.
    ///   `INVALID_ARGUMENT` for an unknown page token or a filter the server
    ///   refuses.
    /// - [`Error::Transport`](crate::Error::Transport),
    ///   [`Error::Timeout`](crate::Error::Timeout) or
    ///   [`Error::Auth`](crate::Error::Auth) when the call could not be
    ///   completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/>
    pub async fn list_events_paginated(
        &self,
        opts: ListEventsPaginatedOptions,
    ) -> Result<Page<ScalekitEvent>> {
        let request = list_events_paginated_request(&opts);
        let response = call!(self.stub, list_events_paginated(request)).await?;
        Ok(Page::new(
            response.events,
            response.next_page_token,
            response.prev_page_token,
            0,
        ))
    }

    /// Streams every event that matches the options, most recent first,
    /// fetching pages as needed.
    ///
    /// ```
    /// use futures::{StreamExt as _, TryStreamExt as _};
    /// use scalekit::events::ListEventsPaginatedOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let events = client.events().list_events_paginated_stream(ListEventsPaginatedOptions::default());
    ///     // The log can be long: take what is needed.
    ///     let latest: Vec<_> = events.take(500).try_collect().await?;
    ///     println!("{} events", latest.len());
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its page
    /// size and filter), starting at its page token if set. The stream ends
    /// after the last page.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`list_events_paginated`](Self::list_events_paginated), or
    /// [`Error::MalformedResponse`](crate::Error::MalformedResponse)`("next_page_token")`
    /// if the server hands out a page token it already gave (instead of
    /// looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/>
    pub fn list_events_paginated_stream(
        &self,
        opts: ListEventsPaginatedOptions,
    ) -> impl Stream<Item = Result<ScalekitEvent>> + Send + 'static {
        let client = self.clone();
        paginate(opts, move |opts| {
            let client = client.clone();
            async move { client.list_events_paginated(opts).await }
        })
    }
}
