//! Request shapes. Each `REF_*` constant is the request the reference
//! Node SDK (`@scalekit-sdk/node` 2.11.0, `lib/events.js`) encodes for the
//! same call, captured by running its `EventsClient` with a `connectExec`
//! stub that records `toBinary(method.input, create(method.input, req))`.

use prost::Message;

use super::*;
use crate::test_support::decode;

const REF_LIST_EVENTS_NONE: &str = "";
const REF_LIST_EVENTS_FIRST_PAGE: &str = "100a";
const REF_LIST_EVENTS_FULL: &str = "0a270a0c757365722e6372656174656412060880f2d6ca0622056f72675f3128015206636f6e6e5f3110191a027032";
const REF_LIST_EVENTS_EMPTY_FILTER: &str = "0a00";

// listEventsPaginated(); listEventsPaginated(10, '')
#[test]
fn list_events_paginated_request_without_options_matches_reference() {
    let none = list_events_paginated_request(&ListEventsPaginatedOptions::default());
    assert_eq!(none, ListEventsPaginatedRequest::default());
    assert_eq!(
        none,
        decode::<ListEventsPaginatedRequest>(REF_LIST_EVENTS_NONE)
    );
    let first = ListEventsPaginatedOptions::default()
        .with_page_size(10)
        .with_page_token("");
    assert_eq!(
        list_events_paginated_request(&first),
        decode::<ListEventsPaginatedRequest>(REF_LIST_EVENTS_FIRST_PAGE)
    );
}

// listEventsPaginated(25, 'p2', { eventTypes: ['user.created'],
//   organizationId: 'org_1', source: 1, connectionId: 'conn_1',
//   startTime: <2026-01-01> }); listEventsPaginated(undefined, undefined, {})
#[test]
fn list_events_paginated_request_with_filter_matches_reference() {
    let filter = EventFilter {
        event_types: vec!["user.created".to_owned()],
        start_time: Some(prost_types::Timestamp {
            seconds: 1_767_225_600,
            nanos: 0,
        }),
        organization_id: "org_1".to_owned(),
        source: Source::Scalekit as i32,
        connection_id: Some("conn_1".to_owned()),
        ..Default::default()
    };
    let opts = ListEventsPaginatedOptions::default()
        .with_page_size(25)
        .with_page_token("p2")
        .with_filter(filter.clone());
    let request = list_events_paginated_request(&opts);
    assert_eq!(
        request,
        ListEventsPaginatedRequest {
            filter: Some(filter),
            page_size: 25,
            page_token: "p2".to_owned(),
        }
    );
    assert_eq!(
        request,
        decode::<ListEventsPaginatedRequest>(REF_LIST_EVENTS_FULL)
    );

    // An empty filter is still sent, as the reference sends `{}`.
    let empty = ListEventsPaginatedOptions::default().with_filter(EventFilter::default());
    let request = list_events_paginated_request(&empty);
    assert_eq!(request.filter, Some(EventFilter::default()));
    assert_eq!(request.encode_to_vec(), [0x0a, 0x00]);
    assert_eq!(
        request,
        decode::<ListEventsPaginatedRequest>(REF_LIST_EVENTS_EMPTY_FILTER)
    );
}
