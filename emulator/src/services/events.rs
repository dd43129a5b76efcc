//! `scalekit.v1.events.EventsService`: the environment's event log (see
//! [`crate::store::events`] for what is recorded), listed most recent
//! first. `ListEventsPaginated` is served; `ListEvents` and
//! `SendCustomEvent` answer UNIMPLEMENTED.
//!
//! Pages are cut with cursors rather than offsets: the log grows at its
//! newest end while a client pages towards the oldest, so an offset would
//! shift under it and repeat events. A cursor names an event's place in
//! the log, and a page holds the matching events just older (next page) or
//! just newer (previous page) than it.

use std::cmp::Ordering;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use prost_types::Timestamp;
use scalekit::proto::events::{
    EventFilter, EventsService, ListEventsPaginatedRequest, ListEventsPaginatedResponse,
};
use tonic::{Request, Response, Status};

use crate::paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::services::Context;
use crate::status;
use crate::store::EventRecord;

/// The EventsService of one emulated environment.
pub(crate) struct Events {
    pub(crate) ctx: Arc<Context>,
}

#[tonic::async_trait]
impl EventsService for Events {
    /// A page of the events that match the filter, newest first. The page
    /// size defaults to 10 and is clamped to 100 (not refused, as the
    /// service documents); the response has page tokens but no count.
    async fn list_events_paginated(
        &self,
        request: Request<ListEventsPaginatedRequest>,
    ) -> Result<Response<ListEventsPaginatedResponse>, Status> {
        let req = request.into_inner();
        let store = self.ctx.lock();
        let cursor = Cursor::decode(&req.page_token, store.events.len())?;
        let filter = req.filter.unwrap_or_default();
        // Positions in the log (oldest first) of the events that match.
        let matching: Vec<usize> = store
            .events
            .iter()
            .enumerate()
            .filter(|(_, record)| matches(record, &filter))
            .map(|(position, _)| position)
            .collect();
        let size = match req.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        } as usize;
        let page = cursor.page(&matching, size);
        let (newest, oldest) = (page.first().copied(), page.last().copied());
        let next_page_token = oldest
            .filter(|&o| matching.first().is_some_and(|&m| m < o))
            .map(|o| Cursor::OlderThan(o).encode())
            .unwrap_or_default();
        let prev_page_token = newest
            .filter(|&n| matching.last().is_some_and(|&m| m > n))
            .map(|n| Cursor::NewerThan(n).encode())
            .unwrap_or_default();
        Ok(Response::new(ListEventsPaginatedResponse {
            events: page
                .iter()
                .map(|&position| store.events[position].event.clone())
                .collect(),
            next_page_token,
            prev_page_token,
        }))
    }
}

/// Where a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cursor {
    /// No token: the most recent events.
    Newest,
    /// The events older than the one at this position (a next page).
    OlderThan(usize),
    /// The events newer than the one at this position (a previous page).
    NewerThan(usize),
}

impl Cursor {
    fn encode(self) -> String {
        let text = match self {
            Cursor::Newest => return String::new(),
            Cursor::OlderThan(position) => format!("older:{position}"),
            Cursor::NewerThan(position) => format!("newer:{position}"),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    /// The cursor a token names: INVALID_ARGUMENT for a token this server
    /// did not issue, or one naming a place past the end of a log of
    /// `len` events.
    fn decode(token: &str, len: usize) -> Result<Self, Status> {
        if token.is_empty() {
            return Ok(Cursor::Newest);
        }
        let invalid =
            || status::invalid_argument("page_token", "is not a token this server issued");
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        let (direction, position) = text.split_once(':').ok_or_else(invalid)?;
        let position: usize = position.parse().map_err(|_| invalid())?;
        if position >= len {
            return Err(invalid());
        }
        match direction {
            "older" => Ok(Cursor::OlderThan(position)),
            "newer" => Ok(Cursor::NewerThan(position)),
            _ => Err(invalid()),
        }
    }

    /// The positions on this cursor's page, newest first: at most `size`
    /// of `matching` (positions, oldest first), those next to the cursor.
    fn page(self, matching: &[usize], size: usize) -> Vec<usize> {
        let (older, newer): (&[usize], &[usize]) = match self {
            Cursor::Newest => (matching, &[]),
            Cursor::OlderThan(p) => (&matching[..matching.partition_point(|&m| m < p)], &[]),
            Cursor::NewerThan(p) => (&[], &matching[matching.partition_point(|&m| m <= p)..]),
        };
        if newer.is_empty() {
            // The newest `size` of the older events.
            older.iter().rev().take(size).copied().collect()
        } else {
            // The oldest `size` of the newer events, listed newest first.
            newer.iter().take(size).rev().copied().collect()
        }
    }
}

/// Whether the event passes every filter field that is set. The emulator
/// records no auth-request, interceptor, connection or connected-account
/// events, so a filter on any of those matches nothing.
fn matches(record: &EventRecord, filter: &EventFilter) -> bool {
    let event = &record.event;
    let set = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.is_empty());
    let at = event.occurred_at.as_ref();
    (filter.event_types.is_empty() || filter.event_types.contains(&event.r#type))
        && filter
            .start_time
            .as_ref()
            .is_none_or(|start| at.is_some_and(|t| compare(t, start).is_ge()))
        && filter
            .end_time
            .as_ref()
            .is_none_or(|end| at.is_some_and(|t| compare(t, end).is_lt()))
        && (filter.organization_id.is_empty()
            || event.organization_id.as_deref() == Some(filter.organization_id.as_str()))
        && (filter.source == 0 || filter.source == record.source as i32)
        && filter.auth_request_id.is_empty()
        && ![
            &filter.interceptor_id,
            &filter.interceptor_status,
            &filter.interceptor_decision,
            &filter.connection_id,
            &filter.connected_account_id,
        ]
        .into_iter()
        .any(set)
}

fn compare(a: &Timestamp, b: &Timestamp) -> Ordering {
    (a.seconds, a.nanos).cmp(&(b.seconds, b.nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_back_and_forth_over_the_matching_positions() {
        let matching = [0, 2, 3, 5, 8];
        assert_eq!(Cursor::Newest.page(&matching, 2), [8, 5]);
        assert_eq!(Cursor::OlderThan(5).page(&matching, 2), [3, 2]);
        assert_eq!(Cursor::OlderThan(2).page(&matching, 2), [0]);
        assert_eq!(Cursor::NewerThan(2).page(&matching, 2), [5, 3]);
        assert_eq!(Cursor::NewerThan(5).page(&matching, 2), [8]);
        assert!(Cursor::NewerThan(8).page(&matching, 2).is_empty());
        assert!(Cursor::Newest.page(&[], 2).is_empty());
    }

    #[test]
    fn tokens_round_trip_and_foreign_ones_are_refused() {
        for cursor in [Cursor::OlderThan(3), Cursor::NewerThan(0)] {
            assert_eq!(Cursor::decode(&cursor.encode(), 4).unwrap(), cursor);
        }
        assert_eq!(Cursor::decode("", 0).unwrap(), Cursor::Newest);
        let past_the_end = Cursor::OlderThan(4).encode();
        let sideways = URL_SAFE_NO_PAD.encode("sideways:1");
        for token in ["garbage!", past_the_end.as_str(), sideways.as_str()] {
            let err = Cursor::decode(token, 4).unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{token}");
        }
    }
}
