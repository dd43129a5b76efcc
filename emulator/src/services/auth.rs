//! `scalekit.v1.auth.AuthService`: of its RPCs only
//! `UpdateLoginUserDetails` is implemented (the one the SDKs call); the
//! others, which serve Scalekit's hosted login pages, stay UNIMPLEMENTED.
//!
//! In "bring your own auth" mode Scalekit hands a sign-in to the
//! application's login page with a login request id; the application signs
//! the user in and reports who they are with `UpdateLoginUserDetails`. The
//! emulator has no hosted login, so tests open a login request for a
//! connection with
//! [`EmulatorHandle::start_login_request`](crate::EmulatorHandle::start_login_request)
//! and read what was reported with
//! [`EmulatorHandle::login_user_details`](crate::EmulatorHandle::login_user_details).

use std::sync::Arc;

use scalekit::proto::auth::*;
use tonic::{Request, Response, Status};

use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::{LoginRequest, Store};

/// The AuthService of one emulated environment.
pub(crate) struct Auth {
    pub(crate) ctx: Arc<Context>,
}

/// Test setup: opens a login request for a connection, as Scalekit does when
/// it hands a sign-in to the application's own login page. Returns its id
/// (`login_…`).
pub(crate) fn start_login_request(
    store: &mut Store,
    connection_id: &str,
) -> Result<String, Status> {
    let connection_id = required("connection_id", connection_id)?.to_string();
    if !store.connections.contains_key(&connection_id) {
        return Err(status::not_found("connection", &connection_id));
    }
    let id = store.ids.next("login");
    let auth_request_id = store.ids.next("ar");
    store.login_requests.insert(
        id.clone(),
        LoginRequest {
            connection_id,
            user: None,
            auth_request_id,
        },
    );
    Ok(id)
}

#[tonic::async_trait]
impl AuthService for Auth {
    async fn update_login_user_details(
        &self,
        request: Request<UpdateLoginUserDetailsRequest>,
    ) -> Result<Response<UpdateLoginUserDetailsResponse>, Status> {
        let req = request.into_inner();
        let connection_id = required("connection_id", &req.connection_id)?;
        let login_request_id = required("login_request_id", &req.login_request_id)?;
        let user = validate::present("user", req.user)?;
        if user.email.trim().is_empty() && user.sub.trim().is_empty() {
            return Err(status::invalid_argument(
                "user.email",
                "an email or a sub is required",
            ));
        }
        if !user.email.is_empty() {
            // Checked only: the details are kept as the application sent them.
            validate::email("user.email", &user.email)?;
        }
        let mut store = self.ctx.lock();
        if !store.connections.contains_key(connection_id) {
            return Err(status::not_found("connection", connection_id));
        }
        let login = store
            .login_requests
            .get_mut(login_request_id)
            .filter(|l| l.connection_id == connection_id)
            .ok_or_else(|| status::not_found("login request", login_request_id))?;
        login.user = Some(user);
        Ok(Response::new(UpdateLoginUserDetailsResponse {
            auth_request_id: login.auth_request_id.clone(),
        }))
    }
}
