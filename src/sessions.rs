//! Users' sign-in sessions: look them up, list them, revoke them.
//!
//! [`SessionsClient`] wraps `scalekit.v1.sessions.SessionService` with the
//! method names of the other Scalekit SDKs. A session (`ses_…`) is created
//! when a user signs in; it is `active` until it is revoked, the user logs
//! out or it expires (idle or absolute timeout).
//!
//! ```
//! use scalekit::sessions::GetUserSessionsOptions;
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let sessions = client.sessions();
//!     let active = sessions
//!         .get_user_sessions("usr_123", GetUserSessionsOptions::default().with_status(["active"]))
//!         .await?;
//!     for session in &active {
//!         println!("{} last active {:?}", session.session_id, session.last_active_at);
//!     }
//!     Ok(())
//! }
//! ```

use std::time::SystemTime;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, token_page_options, Page};
use crate::proto::sessions::{
    RevokeAllUserSessionsRequest, RevokeSessionRequest, SessionDetailsRequest,
    SessionServiceClient, UserSessionDetailsRequest, UserSessionFilter,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::sessions::{
    AuthenticatedClients, DeviceDetails, Location, RevokeAllUserSessionsResponse,
    RevokedSessionDetails, SessionDetails,
};

/// Sessions; obtained from
/// [`ScalekitClient::sessions`](crate::ScalekitClient::sessions).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call. [`get_user_sessions_stream`](SessionsClient::get_user_sessions_stream)
/// keeps its own clone, so its stream is `'static`.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let session = client.sessions().get_session("ses_123").await?;
///     println!("{} is {}", session.session_id, session.status);
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct SessionsClient {
    stub: Stub<SessionServiceClient<AuthChannel>>,
}

impl SessionsClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        SessionsClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.sessions.SessionService",
                SessionServiceClient::new,
            ),
        }
    }

    /// Gets a session: its user, status, device, location and expiry times.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let session = client.sessions().get_session("ses_123").await?;
    ///     if let Some(device) = &session.device {
    ///         println!("{} on {} from {}", session.user_id, device.browser, device.ip);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `status` is one of `active`, `expired`, `revoked` or `logout`.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `session_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/sessions>
    pub async fn get_session(&self, session_id: &str) -> Result<SessionDetails> {
        let request = get_session_request(session_id)?;
        let response = call!(self.stub, get_session(request)).await?;
        Ok(response)
    }

    /// Lists one page of a user's sessions, optionally filtered by status and
    /// creation time.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use scalekit::sessions::GetUserSessionsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let week_ago = SystemTime::now() - Duration::from_secs(7 * 24 * 3600);
    ///     let opts = GetUserSessionsOptions::default()
    ///         .with_status(["active", "logout"])
    ///         .with_start_time(week_ago)
    ///         .with_page_size(20);
    ///     let page = client.sessions().get_user_sessions("usr_123", opts).await?;
    ///     println!("{} of {} sessions", page.items.len(), page.total_size);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The filter is sent only when a status or a time is set; several
    /// statuses match any of them. An unset page size or token is sent as
    /// the field's default (`0`, `""`). To walk every page, use
    /// [`get_user_sessions_stream`](SessionsClient::get_user_sessions_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `user_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an unknown
    ///   user ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for an unknown
    ///   status, an end time not after the start time or a page size out of
    ///   range.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/sessions>
    pub async fn get_user_sessions(
        &self,
        user_id: &str,
        opts: GetUserSessionsOptions,
    ) -> Result<Page<SessionDetails>> {
        let request = get_user_sessions_request(user_id, &opts)?;
        let response = call!(self.stub, get_user_sessions(request)).await?;
        Ok(Page::new(
            response.sessions,
            response.next_page_token,
            response.prev_page_token,
            response.total_size,
        ))
    }

    /// Streams every session of a user that matches the filter, fetching
    /// pages as needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::sessions::GetUserSessionsOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = GetUserSessionsOptions::default().with_status(["active"]);
    ///     let sessions: Vec<_> = client
    ///         .sessions()
    ///         .get_user_sessions_stream("usr_123", opts)
    ///         .try_collect()
    ///         .await?;
    ///     println!("{} active sessions", sessions.len());
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
    /// [`get_user_sessions`](SessionsClient::get_user_sessions) (an invalid
    /// `user_id` is the first and only item), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/sessions>
    pub fn get_user_sessions_stream(
        &self,
        user_id: &str,
        opts: GetUserSessionsOptions,
    ) -> impl Stream<Item = Result<SessionDetails>> + Send + 'static {
        let client = self.clone();
        let user_id = user_id.to_owned();
        paginate(opts, move |opts| {
            let client = client.clone();
            let user_id = user_id.clone();
            async move { client.get_user_sessions(&user_id, opts).await }
        })
    }

    /// Revokes one session at once: the user has to sign in again on that
    /// device.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let revoked = client.sessions().revoke_session("ses_123").await?;
    ///     println!("{} is now {}", revoked.session_id, revoked.status);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Revocation cannot be undone.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `session_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]), or `FAILED_PRECONDITION` when the session
    ///   is no longer active.
    /// - [`Error::MalformedResponse`]`("revoked_session")` if the response
    ///   has no session.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/sessions>
    pub async fn revoke_session(&self, session_id: &str) -> Result<RevokedSessionDetails> {
        let request = revoke_session_request(session_id)?;
        let response = call!(self.stub, revoke_session(request)).await?;
        response
            .revoked_session
            .ok_or(Error::MalformedResponse("revoked_session"))
    }

    /// Revokes every active session of a user: they are signed out on all
    /// devices.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let revoked = client.sessions().revoke_all_user_sessions("usr_123").await?;
    ///     println!("revoked {} sessions", revoked.total_revoked);
    ///     for session in &revoked.revoked_sessions {
    ///         println!("- {}", session.session_id);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The response lists the sessions revoked by this call and their count;
    /// a user without active sessions gets an empty list.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `user_id` is empty, untrimmed or
    ///   contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown user ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/sessions>
    pub async fn revoke_all_user_sessions(
        &self,
        user_id: &str,
    ) -> Result<RevokeAllUserSessionsResponse> {
        let request = revoke_all_user_sessions_request(user_id)?;
        let response = call!(self.stub, revoke_all_user_sessions(request)).await?;
        Ok(response)
    }
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// Optional parameters of [`SessionsClient::get_user_sessions`] and
/// [`SessionsClient::get_user_sessions_stream`]: pagination and the filter.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use scalekit::sessions::GetUserSessionsOptions;
///
/// let since = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let opts = GetUserSessionsOptions::default()
///     .with_page_size(20)
///     .with_status(["active"])
///     .with_start_time(since);
/// assert_eq!(opts.status, ["active"]);
/// assert_eq!(opts.start_time, Some(since));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct GetUserSessionsOptions {
    /// Sessions per page; unset, the server's default. Sent as given: the
    /// server enforces its range.
    pub page_size: Option<u32>,
    /// The page to fetch, from a previous [`Page::next_page_token`] or
    /// [`Page::prev_page_token`]; unset, the first page.
    pub page_token: Option<String>,
    /// Only sessions with one of these statuses (`active`, `expired`,
    /// `revoked`, `logout`); empty, any status.
    pub status: Vec<String>,
    /// Only sessions created at or after this time.
    pub start_time: Option<SystemTime>,
    /// Only sessions created before this time (after
    /// [`start_time`](Self::start_time) when both are set).
    pub end_time: Option<SystemTime>,
}

impl GetUserSessionsOptions {
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

    /// Sets [`status`](Self::status), replacing any statuses set before.
    #[must_use]
    pub fn with_status(mut self, status: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.status = status.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`start_time`](Self::start_time).
    #[must_use]
    pub fn with_start_time(mut self, start_time: SystemTime) -> Self {
        self.start_time = Some(start_time);
        self
    }

    /// Sets [`end_time`](Self::end_time).
    #[must_use]
    pub fn with_end_time(mut self, end_time: SystemTime) -> Self {
        self.end_time = Some(end_time);
        self
    }
}

token_page_options!(GetUserSessionsOptions);

// ---------------------------------------------------------------------------
// Requests: validation and the exact proto message each method sends.
// ---------------------------------------------------------------------------

fn get_session_request(session_id: &str) -> Result<SessionDetailsRequest> {
    validate::require_id("session_id", session_id)?;
    Ok(SessionDetailsRequest {
        session_id: session_id.to_owned(),
    })
}

fn get_user_sessions_request(
    user_id: &str,
    opts: &GetUserSessionsOptions,
) -> Result<UserSessionDetailsRequest> {
    validate::require_id("user_id", user_id)?;
    let has_filter =
        !opts.status.is_empty() || opts.start_time.is_some() || opts.end_time.is_some();
    let filter = has_filter.then(|| UserSessionFilter {
        status: opts.status.clone(),
        start_time: opts.start_time.map(prost_types::Timestamp::from),
        end_time: opts.end_time.map(prost_types::Timestamp::from),
    });
    Ok(UserSessionDetailsRequest {
        user_id: user_id.to_owned(),
        page_size: opts.page_size.unwrap_or_default(),
        page_token: opts.page_token.clone().unwrap_or_default(),
        filter,
    })
}

fn revoke_session_request(session_id: &str) -> Result<RevokeSessionRequest> {
    validate::require_id("session_id", session_id)?;
    Ok(RevokeSessionRequest {
        session_id: session_id.to_owned(),
    })
}

fn revoke_all_user_sessions_request(user_id: &str) -> Result<RevokeAllUserSessionsRequest> {
    validate::require_id("user_id", user_id)?;
    Ok(RevokeAllUserSessionsRequest {
        user_id: user_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    //! Request shapes. Each `REF_*` constant is the request the reference
    //! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/session.js`) encodes for
    //! the same call, captured by running its `SessionClient` with a
    //! `createClient` stub that records
    //! `toBinary(method.input, create(method.input, req))`. Decoding it with
    //! prost and comparing messages proves that the facade sends the same
    //! fields and nothing else.

    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::test_support::{decode, invalid};

    const REF_GET_SESSION: &str = "0a057365735f31";
    const REF_GET_USER_SESSIONS_NONE: &str = "0a057573725f31";
    const REF_GET_USER_SESSIONS_FULL: &str = "0a057573725f3110141a017422250a066163746976650a066c6f676f7574120b0880e2cfaa0610c0a9d33a1a06088085d5aa06";
    const REF_GET_USER_SESSIONS_STATUS_ONLY: &str = "0a057573725f3122090a077265766f6b6564";
    const REF_REVOKE_SESSION: &str = "0a057365735f31";
    const REF_REVOKE_ALL_USER_SESSIONS: &str = "0a057573725f31";

    fn at_millis(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
    }

    #[test]
    fn get_session_request_matches_reference() {
        assert_eq!(
            get_session_request("ses_1").unwrap(),
            decode::<SessionDetailsRequest>(REF_GET_SESSION)
        );
    }

    // getUserSessions('usr_1')
    #[test]
    fn get_user_sessions_request_without_options_matches_reference() {
        let request = get_user_sessions_request("usr_1", &GetUserSessionsOptions::default());
        let expected = decode::<UserSessionDetailsRequest>(REF_GET_USER_SESSIONS_NONE);
        assert_eq!(request.unwrap(), expected);
        assert_eq!(expected.filter, None);
    }

    // getUserSessions('usr_1', { pageSize: 20, pageToken: 't', filter: { status:
    //   ['active', 'logout'], startTime: new Date(1700000000123), endTime: new Date(1700086400000) } })
    #[test]
    fn get_user_sessions_request_with_every_option_matches_reference() {
        let opts = GetUserSessionsOptions::default()
            .with_page_size(20)
            .with_page_token("t")
            .with_status(["active", "logout"])
            .with_start_time(at_millis(1_700_000_000_123))
            .with_end_time(at_millis(1_700_086_400_000));
        let request = get_user_sessions_request("usr_1", &opts).unwrap();
        assert_eq!(
            request,
            decode::<UserSessionDetailsRequest>(REF_GET_USER_SESSIONS_FULL)
        );
        assert_eq!(
            request.filter.unwrap().start_time,
            Some(prost_types::Timestamp {
                seconds: 1_700_000_000,
                nanos: 123_000_000
            })
        );
    }

    // getUserSessions('usr_1', { filter: { status: ['revoked'] } })
    #[test]
    fn get_user_sessions_request_with_status_only_matches_reference() {
        let opts = GetUserSessionsOptions::default().with_status(["revoked"]);
        assert_eq!(
            get_user_sessions_request("usr_1", &opts).unwrap(),
            decode::<UserSessionDetailsRequest>(REF_GET_USER_SESSIONS_STATUS_ONLY)
        );
    }

    #[test]
    fn revoke_requests_match_reference() {
        assert_eq!(
            revoke_session_request("ses_1").unwrap(),
            decode::<RevokeSessionRequest>(REF_REVOKE_SESSION)
        );
        assert_eq!(
            revoke_all_user_sessions_request("usr_1").unwrap(),
            decode::<RevokeAllUserSessionsRequest>(REF_REVOKE_ALL_USER_SESSIONS)
        );
    }

    #[test]
    fn requests_reject_invalid_ids() {
        for id in ["", "  ", " ses_1", "ses/1"] {
            assert_eq!(invalid(get_session_request(id)).0, "session_id", "{id:?}");
            assert_eq!(invalid(revoke_session_request(id)).0, "session_id");
            assert_eq!(
                invalid(get_user_sessions_request(id, &Default::default())).0,
                "user_id"
            );
            assert_eq!(invalid(revoke_all_user_sessions_request(id)).0, "user_id");
        }
    }
}
