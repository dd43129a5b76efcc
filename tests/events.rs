//! `client.events()`. The emulator does not serve `EventsService` yet, so
//! the calls go to a small in-file stand-in with two pages of events (the
//! token endpoint stays the emulator's).

mod common;

use std::sync::{Arc, Mutex};

use anyhow::{bail, ensure};
use futures::TryStreamExt as _;
use scalekit::events::{EventFilter, ListEventsPaginatedOptions, ScalekitEvent};
use scalekit::proto::events::{
    EventsService, EventsServiceServer, ListEventsPaginatedRequest, ListEventsPaginatedResponse,
};
use scalekit::{Code, Error, ScalekitClient};
use scalekit_emulator::EmulatorHandle;
use tonic::{Request, Response, Status};

/// A stand-in `EventsService`: page "" holds ev_3 and ev_2, page "p2" ev_1;
/// page "loop" points at itself. Records every request.
#[derive(Clone, Default)]
struct Events {
    seen: Arc<Mutex<Vec<ListEventsPaginatedRequest>>>,
}

#[tonic::async_trait]
impl EventsService for Events {
    async fn list_events_paginated(
        &self,
        request: Request<ListEventsPaginatedRequest>,
    ) -> Result<Response<ListEventsPaginatedResponse>, Status> {
        let request = request.into_inner();
        self.seen.lock().unwrap().push(request.clone());
        let (ids, next, prev) = match request.page_token.as_str() {
            "" => (["ev_3", "ev_2"].as_slice(), "p2", ""),
            "p2" => (["ev_1"].as_slice(), "", "p1"),
            "loop" => (["ev_9"].as_slice(), "loop", ""),
            _ => return Err(Status::invalid_argument("unknown page token")),
        };
        Ok(Response::new(ListEventsPaginatedResponse {
            events: ids
                .iter()
                .map(|id| ScalekitEvent {
                    id: (*id).to_owned(),
                    r#type: "user.created".to_owned(),
                    ..Default::default()
                })
                .collect(),
            next_page_token: next.to_owned(),
            prev_page_token: prev.to_owned(),
        }))
    }
}

async fn with_stand_in() -> anyhow::Result<(EmulatorHandle, ScalekitClient, Events)> {
    let emulator = scalekit_emulator::Emulator::builder().start().await?;
    let events = Events::default();
    let routes = tonic::service::Routes::new(EventsServiceServer::new(events.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, routes.into_axum_router()).await;
    });
    let channel = tonic::transport::Endpoint::from_shared(url)?.connect_lazy();
    let client = emulator.client_builder().channel(channel).build()?;
    Ok((emulator, client, events))
}

fn user_created_in(organization_id: &str) -> EventFilter {
    EventFilter {
        event_types: vec!["user.created".to_owned()],
        organization_id: organization_id.to_owned(),
        ..Default::default()
    }
}

#[tokio::test]
async fn list_events_paginated_returns_one_page_with_its_tokens() -> anyhow::Result<()> {
    let (_emulator, client, stand_in) = with_stand_in().await?;
    let opts = ListEventsPaginatedOptions::default()
        .with_page_size(2)
        .with_filter(user_created_in("org_1"));
    let page = client.events().list_events_paginated(opts).await?;
    let ids: Vec<_> = page.items.iter().map(|e| e.id.as_str()).collect();
    ensure!(ids == ["ev_3", "ev_2"], "{ids:?}");
    ensure!(page.next_page_token.as_deref() == Some("p2"));
    ensure!(page.prev_page_token.is_none() && page.total_size == 0);
    let seen = stand_in.seen.lock().unwrap().clone();
    ensure!(seen.len() == 1 && seen[0].page_size == 2);
    ensure!(seen[0].filter == Some(user_created_in("org_1")), "{seen:?}");
    Ok(())
}

#[tokio::test]
async fn list_events_paginated_stream_walks_every_page_with_the_same_filter() -> anyhow::Result<()>
{
    let (_emulator, client, stand_in) = with_stand_in().await?;
    let opts = ListEventsPaginatedOptions::default()
        .with_page_size(2)
        .with_filter(user_created_in("org_1"));
    let all: Vec<ScalekitEvent> = client
        .events()
        .list_events_paginated_stream(opts)
        .try_collect()
        .await?;
    let ids: Vec<_> = all.iter().map(|e| e.id.as_str()).collect();
    ensure!(ids == ["ev_3", "ev_2", "ev_1"], "{ids:?}");
    let seen = stand_in.seen.lock().unwrap().clone();
    let tokens: Vec<_> = seen.iter().map(|r| r.page_token.as_str()).collect();
    ensure!(tokens == ["", "p2"], "{tokens:?}");
    ensure!(
        seen.iter()
            .all(|r| r.page_size == 2 && r.filter == Some(user_created_in("org_1"))),
        "every page keeps the caller's size and filter: {seen:?}"
    );
    Ok(())
}

#[tokio::test]
async fn list_events_paginated_stream_stops_on_a_repeated_page_token() -> anyhow::Result<()> {
    let (_emulator, client, stand_in) = with_stand_in().await?;
    let opts = ListEventsPaginatedOptions::default().with_page_token("loop");
    let mut stream = std::pin::pin!(client.events().list_events_paginated_stream(opts));
    ensure!(stream.try_next().await?.map(|e| e.id).as_deref() == Some("ev_9"));
    match stream.try_next().await {
        Err(Error::MalformedResponse("next_page_token")) => {}
        other => bail!("expected a malformed page token, got {other:?}"),
    }
    ensure!(stream.try_next().await?.is_none());
    ensure!(stand_in.seen.lock().unwrap().len() == 1);
    Ok(())
}

#[tokio::test]
async fn list_events_paginated_maps_a_rejected_page_token() -> anyhow::Result<()> {
    let (_emulator, client, _) = with_stand_in().await?;
    let opts = ListEventsPaginatedOptions::default().with_page_token("bogus");
    let result = client.events().list_events_paginated(opts).await;
    let err = common::api_error(result, Code::InvalidArgument)?;
    ensure!(!err.is_retryable());
    Ok(())
}
