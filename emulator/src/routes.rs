//! What one port serves: every gRPC service of `proto/` (stateful, canned
//! or UNIMPLEMENTED), the OAuth/OIDC endpoints and the emulator-only test
//! endpoints, all behind the gate (faults, counters, bearer tokens).

use std::sync::Arc;

use axum::routing::{any, get, post};
use scalekit::proto;
use tonic::server::NamedService;

use crate::env::Environment;
use crate::services::api_tokens::ApiTokens;
use crate::services::canned::{CannedUsers, CANNED_METHODS};
use crate::services::clients::Clients;
use crate::services::connections::Connections;
use crate::services::directories::Directories;
use crate::services::domains::Domains;
use crate::services::events::Events;
use crate::services::organizations::Organizations;
use crate::services::roles::Roles;
use crate::services::users::Users;
use crate::services::NotYet;
use crate::services::{
    auth::Auth, passwordless::Passwordless, sessions::Sessions, webauthn::WebAuthn,
};
use crate::{access_log, authorize, dashboard, gate, oauth, testing};

/// The whole HTTP surface of one environment.
pub(crate) fn router(env: &Arc<Environment>, canned: bool) -> axum::Router {
    grpc_routes(env, canned)
        .route("/oauth/token", post(oauth::token))
        .route("/keys", get(oauth::keys))
        .route("/oauth/authorize", get(authorize::authorize))
        .route("/oidc/logout", get(authorize::logout))
        .merge(testing::routes())
        .merge(dashboard::routes(env))
        .route("/", any(dashboard::root))
        .merge(crate::pages::signin::routes())
        .route(
            crate::pages::html::STYLESHEET_PATH,
            get(crate::pages::html::stylesheet),
        )
        .layer(axum::middleware::from_fn_with_state(
            env.clone(),
            gate::gate,
        ))
        // Outside the gate, so its refusals are logged too.
        .layer(axum::middleware::from_fn(access_log::log))
        .with_state(env.clone())
}

/// Every gRPC service, each holding the environment's one service context.
fn grpc_routes(env: &Arc<Environment>, canned: bool) -> axum::Router<Arc<Environment>> {
    let ctx = &env.services;
    let routes = tonic::service::Routes::new(proto::users::UserServiceServer::new(Users {
        ctx: ctx.clone(),
    }))
    .add_service(proto::organizations::OrganizationServiceServer::new(
        Organizations { ctx: ctx.clone() },
    ))
    .add_service(proto::auditlogs::AuditLogsServiceServer::new(NotYet))
    .add_service(proto::auth::AuthServiceServer::new(Auth {
        ctx: ctx.clone(),
    }))
    .add_service(proto::auth::passwordless::PasswordlessServiceServer::new(
        Passwordless { ctx: ctx.clone() },
    ))
    .add_service(proto::auth::webauthn::WebAuthnServiceServer::new(
        WebAuthn { ctx: ctx.clone() },
    ))
    .add_service(proto::clients::ClientServiceServer::new(Clients {
        ctx: ctx.clone(),
    }))
    .add_service(proto::connections::ConnectionServiceServer::new(
        Connections { ctx: ctx.clone() },
    ))
    .add_service(proto::directories::DirectoryServiceServer::new(
        Directories { ctx: ctx.clone() },
    ))
    .add_service(proto::domains::DomainServiceServer::new(Domains {
        ctx: ctx.clone(),
    }))
    .add_service(proto::roles::RolesServiceServer::new(Roles {
        ctx: ctx.clone(),
    }))
    .add_service(proto::sessions::SessionServiceServer::new(Sessions {
        ctx: ctx.clone(),
    }))
    .add_service(proto::tokens::ApiTokenServiceServer::new(ApiTokens {
        ctx: ctx.clone(),
    }))
    .add_service(proto::events::EventsServiceServer::new(Events {
        ctx: ctx.clone(),
    }))
    .add_service(proto::tools::ToolServiceServer::new(NotYet))
    .add_service(proto::connected_accounts::ConnectedAccountServiceServer::new(NotYet));
    let mut router = routes.into_axum_router();
    if canned {
        // An exact path takes precedence over the service's `/{*rest}`
        // route, so only these methods leave the stateful service.
        let canned = proto::users::UserServiceServer::new(CannedUsers::new());
        for method in CANNED_METHODS {
            let path = format!(
                "/{}/{method}",
                <proto::users::UserServiceServer<CannedUsers> as NamedService>::NAME
            );
            router = router.route_service(&path, canned.clone());
        }
    }
    router.with_state(())
}
