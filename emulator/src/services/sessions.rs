//! `scalekit.v1.sessions.SessionService`: users' sign-in sessions.
//!
//! A session (`ses_…`) belongs to one user. The API has no RPC that creates
//! sessions (a real environment creates them when a user signs in), so tests
//! add them with
//! [`EmulatorHandle::add_session`](crate::EmulatorHandle::add_session),
//! which calls [`add_session`]. A session is `active` until it is revoked
//! (`revoked`) or one of its expiry times passes (`expired`, computed when
//! it is read); revoking needs an active session.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use scalekit::proto::sessions::*;
use tonic::{Request, Response, Status};

use crate::paging::{paginate, MAX_PAGE_SIZE};
use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::{now, Store};

/// A session's maximum lifetime unless the caller sets one.
pub(crate) const ABSOLUTE_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// How long a session may sit idle unless the caller sets a limit.
pub(crate) const IDLE_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The statuses a session can have, as the API spells them.
pub(crate) const STATUSES: &[&str] = &["active", "expired", "revoked", "logout"];

/// The SessionService of one emulated environment.
pub(crate) struct Sessions {
    pub(crate) ctx: Arc<Context>,
}

fn key(t: &prost_types::Timestamp) -> (i64, i32) {
    (t.seconds, t.nanos)
}

fn after(from: &prost_types::Timestamp, by: Duration) -> prost_types::Timestamp {
    let at = SystemTime::UNIX_EPOCH
        + Duration::new(u64::try_from(from.seconds).unwrap_or(0), 0)
        + Duration::from_nanos(u64::try_from(from.nanos).unwrap_or(0))
        + by;
    prost_types::Timestamp::from(at)
}

/// The session as it reads now: an active session whose idle or absolute
/// expiry has passed is `expired`, with `expired_at` set to that moment.
pub(crate) fn current(session: &SessionDetails) -> SessionDetails {
    let mut session = session.clone();
    if session.status == "active" {
        let now = now();
        let passed = [&session.idle_expires_at, &session.absolute_expires_at]
            .into_iter()
            .flatten()
            .filter(|t| key(t) <= key(&now))
            .min_by_key(|t| key(t))
            .copied();
        if let Some(at) = passed {
            session.status = "expired".to_string();
            session.expired_at = Some(at);
        }
    }
    session
}

fn revoked(session: &SessionDetails) -> RevokedSessionDetails {
    RevokedSessionDetails {
        session_id: session.session_id.clone(),
        user_id: session.user_id.clone(),
        created_at: session.created_at,
        updated_at: session.updated_at,
        idle_expires_at: session.idle_expires_at,
        absolute_expires_at: session.absolute_expires_at,
        expired_at: session.expired_at,
        logout_at: session.logout_at,
        status: session.status.clone(),
        last_active_at: session.last_active_at,
    }
}

/// Test setup: stores a session for a user, as signing in would. Fields of
/// `template` that are set are kept (`organization_id`, `device`,
/// `authenticated_organizations`, `authenticated_clients`, the timestamps);
/// `session_id`, `user_id` and `status` are the emulator's. Unset times
/// default to now (`created_at`, `updated_at`, `last_active_at`), idle expiry
/// one day after the last activity and absolute expiry seven days after
/// creation. Returns the session id (`ses_…`).
pub(crate) fn add_session(
    store: &mut Store,
    user_id: &str,
    template: SessionDetails,
) -> Result<String, Status> {
    let user_id = validate::user(store, "user_id", user_id)?;
    if !template.organization_id.is_empty()
        && !store.organizations.contains_key(&template.organization_id)
    {
        return Err(status::not_found("organization", &template.organization_id));
    }
    let id = store.ids.next("ses");
    let created = template.created_at.unwrap_or_else(now);
    let last_active = template.last_active_at.unwrap_or(created);
    let mut authenticated_organizations = template.authenticated_organizations;
    if !template.organization_id.is_empty()
        && !authenticated_organizations.contains(&template.organization_id)
    {
        authenticated_organizations.push(template.organization_id.clone());
    }
    let session = SessionDetails {
        session_id: id.clone(),
        user_id,
        authenticated_organizations,
        organization_id: template.organization_id,
        created_at: Some(created),
        updated_at: Some(template.updated_at.unwrap_or(created)),
        idle_expires_at: Some(
            template
                .idle_expires_at
                .unwrap_or_else(|| after(&last_active, IDLE_LIFETIME)),
        ),
        absolute_expires_at: Some(
            template
                .absolute_expires_at
                .unwrap_or_else(|| after(&created, ABSOLUTE_LIFETIME)),
        ),
        expired_at: None,
        logout_at: None,
        status: "active".to_string(),
        device: template.device,
        last_active_at: Some(last_active),
        authenticated_clients: template.authenticated_clients,
    };
    store.sessions.insert(id.clone(), session);
    Ok(id)
}

/// Revokes one stored session (it must be active now).
fn revoke(store: &mut Store, id: &str) -> Result<RevokedSessionDetails, Status> {
    let session = store
        .sessions
        .get(id)
        .map(current)
        .ok_or_else(|| status::not_found("session", id))?;
    if session.status != "active" {
        return Err(status::failed_precondition(
            "SESSION_NOT_ACTIVE",
            format!("session {id} is {} and cannot be revoked", session.status),
        ));
    }
    let at = now();
    let stored = store
        .sessions
        .get_mut(id)
        .ok_or_else(|| status::not_found("session", id))?;
    stored.status = "revoked".to_string();
    stored.updated_at = Some(at);
    stored.expired_at = Some(at);
    Ok(revoked(stored))
}

/// Checks a filter and turns it into a predicate on sessions as they read now.
fn matcher(filter: Option<UserSessionFilter>) -> Result<impl Fn(&SessionDetails) -> bool, Status> {
    let filter = filter.unwrap_or_default();
    let mut statuses = Vec::new();
    for wanted in &filter.status {
        let wanted = wanted.trim().to_ascii_lowercase();
        if !STATUSES.contains(&wanted.as_str()) {
            return Err(status::invalid_argument(
                "filter.status",
                format!("{wanted:?} is not one of {}", STATUSES.join(", ")),
            ));
        }
        statuses.push(wanted);
    }
    if let (Some(start), Some(end)) = (&filter.start_time, &filter.end_time) {
        if key(end) <= key(start) {
            return Err(status::invalid_argument(
                "filter.end_time",
                "must be after filter.start_time",
            ));
        }
    }
    let (start, end) = (filter.start_time, filter.end_time);
    Ok(move |session: &SessionDetails| {
        let created = session.created_at.map(|t| key(&t)).unwrap_or_default();
        (statuses.is_empty() || statuses.contains(&session.status))
            && start.is_none_or(|s| created >= key(&s))
            && end.is_none_or(|e| created < key(&e))
    })
}

#[tonic::async_trait]
impl SessionService for Sessions {
    async fn get_session(
        &self,
        request: Request<SessionDetailsRequest>,
    ) -> Result<Response<SessionDetails>, Status> {
        let req = request.into_inner();
        let id = required("session_id", &req.session_id)?;
        let store = self.ctx.lock();
        let session = store
            .sessions
            .get(id)
            .map(current)
            .ok_or_else(|| status::not_found("session", id))?;
        Ok(Response::new(session))
    }

    async fn revoke_session(
        &self,
        request: Request<RevokeSessionRequest>,
    ) -> Result<Response<RevokeSessionResponse>, Status> {
        let req = request.into_inner();
        let id = required("session_id", &req.session_id)?;
        let mut store = self.ctx.lock();
        let revoked = revoke(&mut store, id)?;
        Ok(Response::new(RevokeSessionResponse {
            revoked_session: Some(revoked),
        }))
    }

    async fn get_user_sessions(
        &self,
        request: Request<UserSessionDetailsRequest>,
    ) -> Result<Response<UserSessionDetails>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let user_id = validate::user(&store, "user_id", &req.user_id)?;
        let matches = matcher(req.filter)?;
        let sessions: Vec<SessionDetails> = store
            .sessions
            .values()
            .filter(|s| s.user_id == user_id)
            .map(current)
            .filter(|s| matches(s))
            .collect();
        let page = paginate(sessions, req.page_size, &req.page_token, MAX_PAGE_SIZE)?;
        Ok(Response::new(UserSessionDetails {
            sessions: page.items,
            next_page_token: page.next_page_token,
            prev_page_token: page.prev_page_token,
            total_size: page.total_size,
        }))
    }

    async fn revoke_all_user_sessions(
        &self,
        request: Request<RevokeAllUserSessionsRequest>,
    ) -> Result<Response<RevokeAllUserSessionsResponse>, Status> {
        let req = request.into_inner();
        let mut store = self.ctx.lock();
        let user_id = validate::user(&store, "user_id", &req.user_id)?;
        let active: Vec<String> = store
            .sessions
            .values()
            .filter(|s| s.user_id == user_id)
            .map(current)
            .filter(|s| s.status == "active")
            .map(|s| s.session_id)
            .collect();
        let mut revoked_sessions = Vec::with_capacity(active.len());
        for id in &active {
            revoked_sessions.push(revoke(&mut store, id)?);
        }
        Ok(Response::new(RevokeAllUserSessionsResponse {
            total_revoked: u32::try_from(revoked_sessions.len()).unwrap_or(u32::MAX),
            revoked_sessions,
        }))
    }
}
