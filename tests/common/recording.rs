//! The recording double: an in-process Scalekit stand-in that shows what
//! the emulator cannot, namely what the SDK put on the wire.
//!
//! [`TestServer::start`] binds `127.0.0.1:0` and serves, on that one port,
//! the OAuth token endpoint (`POST /oauth/token`, HTTP/1.1) and the gRPC
//! `UserService` (HTTP/2 prior knowledge). It records every token request and
//! every RPC (headers and decoded request message), and it can be told to
//! misbehave: short-lived or revoked tokens, a broken or slow token endpoint,
//! RPCs failing with any `Status` or answering slowly.
//!
//! The responses are canned (a user echoing the requested id, three fixed
//! pages of two users each for the list RPCs) and nothing is stored: tests
//! of what a method *does* belong on the emulator ([`super::start`]).

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::rejection::FormRejection;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::Form;
use scalekit::proto::commons::{MembershipStatus, OrganizationMembership, Role, UserProfile};
use scalekit::proto::users::{
    self as pb, create_membership_request, delete_membership_request, delete_user_request,
    get_user_request, update_membership_request, update_user_request, UserService,
    UserServiceServer,
};
use scalekit::{ClientBuilder, ScalekitClient};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tonic::{Request, Response, Status};

/// The client id the server accepts.
pub const CLIENT_ID: &str = "skc_test_client";
/// The client secret the server accepts. Distinctive, so that tests can
/// search error texts for it.
pub const CLIENT_SECRET: &str = "sk-test-SECRET-7f3a9c";
/// `expires_in` of issued tokens unless a test changes it.
pub const DEFAULT_EXPIRES_IN: u64 = 3600;

/// The three pages the list RPCs serve: page token → (user numbers, next
/// page token, previous page token).
pub const PAGES: [(&str, [u32; 2], &str, &str); 3] = [
    ("", [1, 2], "p2", ""),
    ("p2", [3, 4], "p3", ""),
    ("p3", [5, 6], "", "p2"),
];
/// `total_size` of the list responses.
pub const TOTAL_USERS: u32 = 6;

/// One request to `POST /oauth/token`.
#[derive(Clone, Debug)]
pub struct RecordedTokenRequest {
    pub headers: HeaderMap,
    /// The form fields in order; `None` if the body was not a form.
    pub form: Option<Vec<(String, String)>>,
}

impl RecordedTokenRequest {
    /// The value of form field `name`, if sent.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .as_ref()?
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value of header `name` as text, if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_str(&self.headers, name)
    }
}

/// The decoded request message of one `UserService` RPC.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordedRequest {
    GetUser(pb::GetUserRequest),
    ListUsers(pb::ListUsersRequest),
    SearchUsers(pb::SearchUsersRequest),
    UpdateUser(pb::UpdateUserRequest),
    DeleteUser(pb::DeleteUserRequest),
    CreateMembership(pb::CreateMembershipRequest),
    DeleteMembership(pb::DeleteMembershipRequest),
    UpdateMembership(pb::UpdateMembershipRequest),
    CreateUserAndMembership(pb::CreateUserAndMembershipRequest),
    ListOrganizationUsers(pb::ListOrganizationUsersRequest),
    ResendInvite(pb::ResendInviteRequest),
}

/// One RPC attempt as the server saw it.
#[derive(Clone, Debug)]
pub struct RecordedRpc {
    /// The RPC name, e.g. `"GetUser"`.
    pub method: &'static str,
    /// The request headers (gRPC metadata).
    pub headers: HeaderMap,
    pub request: RecordedRequest,
    /// Whether the bearer token was one the server issued and still accepts.
    pub authorized: bool,
}

impl RecordedRpc {
    /// The value of header `name` as text, if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_str(&self.headers, name)
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

struct State {
    token_requests: Vec<RecordedTokenRequest>,
    rpcs: Vec<RecordedRpc>,
    /// Tokens the server accepts, with their expiry (`None`: never).
    valid_tokens: HashMap<String, Option<Instant>>,
    /// Every token ever issued, in order.
    issued: Vec<String>,
    expires_in: Option<u64>,
    /// Replaces the token endpoint's answer: (HTTP status, JSON body).
    token_reply: Option<(u16, String)>,
    token_delay: Duration,
    reject_all_tokens: bool,
    faults: VecDeque<Status>,
    rpc_delay: Duration,
    /// Whether `ListUsers` answers empty pages with fresh tokens forever.
    endless_empty_pages: bool,
    /// Bytes of metadata padding in the user of every `GetUser` answer.
    user_padding: usize,
}

impl State {
    fn new() -> Self {
        State {
            token_requests: Vec::new(),
            rpcs: Vec::new(),
            valid_tokens: HashMap::new(),
            issued: Vec::new(),
            expires_in: Some(DEFAULT_EXPIRES_IN),
            token_reply: None,
            token_delay: Duration::ZERO,
            reject_all_tokens: false,
            faults: VecDeque::new(),
            rpc_delay: Duration::ZERO,
            endless_empty_pages: false,
            user_padding: 0,
        }
    }

    fn authorizes(&self, headers: &HeaderMap) -> bool {
        if self.reject_all_tokens {
            return false;
        }
        let Some(token) =
            header_str(headers, "authorization").and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        match self.valid_tokens.get(token) {
            Some(Some(expiry)) => Instant::now() < *expiry,
            Some(None) => true,
            None => false,
        }
    }

    fn issue_token(&mut self) -> String {
        let token = format!("tok_{}", self.issued.len() + 1);
        let expiry = self
            .expires_in
            .map(|secs| Instant::now() + Duration::from_secs(secs));
        self.valid_tokens.insert(token.clone(), expiry);
        self.issued.push(token.clone());
        token
    }
}

#[derive(Clone)]
struct Shared(Arc<Mutex<State>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The running test server; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    state: Shared,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Binds `127.0.0.1:0` and starts serving.
    pub async fn start() -> TestServer {
        let state = Shared(Arc::new(Mutex::new(State::new())));
        let grpc = UserServiceServer::new(Users {
            state: state.clone(),
        });
        let token_state = state.clone();
        let router = tonic::service::Routes::new(grpc).into_axum_router().route(
            "/oauth/token",
            post(move |headers: HeaderMap, form| {
                token_endpoint(token_state.clone(), headers, form)
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            // axum::serve speaks HTTP/1.1 and HTTP/2 prior knowledge (h2c).
            axum::serve(listener, router).await.expect("test server");
        });
        TestServer { addr, state, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn env_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn client_id(&self) -> &'static str {
        CLIENT_ID
    }

    pub fn client_secret(&self) -> &'static str {
        CLIENT_SECRET
    }

    /// A builder for a client of this server, with test-friendly timeouts
    /// (5 s per RPC, 2 s per token request).
    pub fn builder(&self) -> ClientBuilder {
        ScalekitClient::builder(self.env_url(), CLIENT_ID, CLIENT_SECRET)
            .timeout(Duration::from_secs(5))
            .token_timeout(Duration::from_secs(2))
    }

    /// A client of this server with [`builder`](Self::builder)'s settings.
    pub fn client(&self) -> ScalekitClient {
        self.builder().build().expect("client for the test server")
    }

    // ----- behaviours -----

    /// `expires_in` of tokens issued from now on (`None`: omitted, and the
    /// token never expires).
    pub fn set_expires_in(&self, secs: Option<u64>) {
        self.state.lock().expires_in = secs;
    }

    /// Makes the token endpoint answer `status` with `body` (as JSON)
    /// instead of issuing tokens.
    pub fn set_token_reply(&self, status: u16, body: impl Into<String>) {
        self.state.lock().token_reply = Some((status, body.into()));
    }

    /// Makes the token endpoint issue tokens again.
    pub fn clear_token_reply(&self) {
        self.state.lock().token_reply = None;
    }

    /// Delays every token endpoint answer.
    pub fn set_token_delay(&self, delay: Duration) {
        self.state.lock().token_delay = delay;
    }

    /// Stops accepting every token issued so far; new ones are accepted.
    pub fn revoke_tokens(&self) {
        self.state.lock().valid_tokens.clear();
    }

    /// While `on`, every RPC is answered `UNAUTHENTICATED`, whatever token
    /// it carries.
    pub fn reject_all_tokens(&self, on: bool) {
        self.state.lock().reject_all_tokens = on;
    }

    /// Fails the next `n` authenticated RPCs with `status`.
    pub fn fail_next(&self, n: usize, status: Status) {
        let mut state = self.state.lock();
        for _ in 0..n {
            state.faults.push_back(status.clone());
        }
    }

    /// How many injected failures have not been served yet.
    pub fn pending_faults(&self) -> usize {
        self.state.lock().faults.len()
    }

    /// Delays every RPC answer.
    pub fn set_rpc_delay(&self, delay: Duration) {
        self.state.lock().rpc_delay = delay;
    }

    /// Makes `ListUsers` answer, from now on, an empty page pointing to a
    /// token it never handed out before, whatever it is asked: a broken
    /// server that a stream could follow forever.
    pub fn serve_endless_empty_pages(&self) {
        self.state.lock().endless_empty_pages = true;
    }

    /// Pads the user of every `GetUser` answer with `bytes` of metadata, to
    /// make the answer as large as a test needs.
    pub fn pad_users(&self, bytes: usize) {
        self.state.lock().user_padding = bytes;
    }

    // ----- recorder -----

    pub fn token_requests(&self) -> Vec<RecordedTokenRequest> {
        self.state.lock().token_requests.clone()
    }

    pub fn token_request_count(&self) -> usize {
        self.state.lock().token_requests.len()
    }

    /// Every token issued, in order.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.lock().issued.clone()
    }

    /// Every RPC attempt, in arrival order, rejected ones included.
    pub fn rpcs(&self) -> Vec<RecordedRpc> {
        self.state.lock().rpcs.clone()
    }

    pub fn rpc_count(&self) -> usize {
        self.state.lock().rpcs.len()
    }

    pub fn rpc_count_for(&self, method: &str) -> usize {
        self.state
            .lock()
            .rpcs
            .iter()
            .filter(|rpc| rpc.method == method)
            .count()
    }

    /// The request messages of every RPC attempt, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state
            .lock()
            .rpcs
            .iter()
            .map(|rpc| rpc.request.clone())
            .collect()
    }

    /// The last RPC attempt.
    pub fn last_rpc(&self) -> Option<RecordedRpc> {
        self.state.lock().rpcs.last().cloned()
    }
}

type TokenReply = (StatusCode, [(header::HeaderName, &'static str); 1], String);

async fn token_endpoint(
    state: Shared,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> TokenReply {
    let record = RecordedTokenRequest {
        headers,
        form: form.ok().map(|Form(fields)| fields),
    };
    let delay = {
        let mut state = state.lock();
        state.token_requests.push(record.clone());
        state.token_delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let json = |status: StatusCode, body: String| {
        (status, [(header::CONTENT_TYPE, "application/json")], body)
    };
    let mut state = state.lock();
    if let Some((status, body)) = state.token_reply.clone() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return json(status, body);
    }
    let credentials_ok = record.field("grant_type") == Some("client_credentials")
        && record.field("client_id") == Some(CLIENT_ID)
        && record.field("client_secret") == Some(CLIENT_SECRET);
    if !credentials_ok {
        return json(
            StatusCode::UNAUTHORIZED,
            r#"{"error":"invalid_client","error_description":"bad client credentials"}"#.into(),
        );
    }
    let token = state.issue_token();
    let body = match state.expires_in {
        Some(secs) => {
            format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{secs}}}"#)
        }
        None => format!(r#"{{"access_token":"{token}","token_type":"Bearer"}}"#),
    };
    json(StatusCode::OK, body)
}

// ---------------------------------------------------------------------------
// UserService
// ---------------------------------------------------------------------------

struct Users {
    state: Shared,
}

impl Users {
    /// Records the attempt, then checks the token and the injected faults.
    /// Returns the request message when the call may proceed.
    async fn admit<T: Clone>(
        &self,
        method: &'static str,
        request: Request<T>,
        record: fn(T) -> RecordedRequest,
    ) -> Result<T, Status> {
        let headers = request.metadata().clone().into_headers();
        let message = request.into_inner();
        let (verdict, delay) = {
            let mut state = self.state.lock();
            let authorized = state.authorizes(&headers);
            state.rpcs.push(RecordedRpc {
                method,
                headers,
                request: record(message.clone()),
                authorized,
            });
            let verdict = if !authorized {
                Err(Status::unauthenticated("invalid or expired access token"))
            } else if let Some(fault) = state.faults.pop_front() {
                Err(fault)
            } else {
                Ok(())
            };
            (verdict, state.rpc_delay)
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        verdict.map(|()| message)
    }
}

/// `usr_<n>`, as listed on the canned pages.
pub fn listed_user_id(n: u32) -> String {
    format!("usr_{n}")
}

fn user(id: &str) -> pb::User {
    pb::User {
        id: id.to_owned(),
        environment_id: "env_test".to_owned(),
        email: format!("{id}@example.com"),
        ..Default::default()
    }
}

fn membership(organization_id: &str, roles: Vec<Role>) -> OrganizationMembership {
    OrganizationMembership {
        organization_id: organization_id.to_owned(),
        membership_status: MembershipStatus::Active as i32,
        roles,
        ..Default::default()
    }
}

/// The canned page for `token`: (users, next token, previous token).
fn page(
    token: &str,
    organization_id: Option<&str>,
) -> Result<(Vec<pb::User>, String, String), Status> {
    let (_, numbers, next, prev) = PAGES
        .iter()
        .find(|(t, ..)| *t == token)
        .ok_or_else(|| Status::invalid_argument(format!("unknown page token {token:?}")))?;
    let users = numbers
        .iter()
        .map(|n| {
            let mut user = user(&listed_user_id(*n));
            if let Some(org) = organization_id {
                user.memberships.push(membership(org, Vec::new()));
            }
            user
        })
        .collect();
    Ok((users, (*next).to_owned(), (*prev).to_owned()))
}

fn required<T>(value: Option<T>, what: &str) -> Result<T, Status> {
    value.ok_or_else(|| Status::invalid_argument(format!("{what} is required")))
}

#[tonic::async_trait]
impl UserService for Users {
    async fn get_user(
        &self,
        request: Request<pb::GetUserRequest>,
    ) -> Result<Response<pb::GetUserResponse>, Status> {
        let req = self
            .admit("GetUser", request, RecordedRequest::GetUser)
            .await?;
        let mut user = match required(req.identities, "identities")? {
            get_user_request::Identities::Id(id) => user(&id),
            get_user_request::Identities::ExternalId(external_id) => pb::User {
                external_id: Some(external_id),
                ..user("usr_external")
            },
        };
        let padding = self.state.lock().user_padding;
        if padding > 0 {
            user.metadata
                .insert("padding".to_owned(), "x".repeat(padding));
        }
        Ok(Response::new(pb::GetUserResponse { user: Some(user) }))
    }

    async fn list_users(
        &self,
        request: Request<pb::ListUsersRequest>,
    ) -> Result<Response<pb::ListUsersResponse>, Status> {
        let req = self
            .admit("ListUsers", request, RecordedRequest::ListUsers)
            .await?;
        {
            let state = self.state.lock();
            if state.endless_empty_pages {
                return Ok(Response::new(pb::ListUsersResponse {
                    next_page_token: format!("endless-{}", state.rpcs.len()),
                    ..Default::default()
                }));
            }
        }
        let (users, next_page_token, prev_page_token) = page(&req.page_token, None)?;
        Ok(Response::new(pb::ListUsersResponse {
            users,
            next_page_token,
            prev_page_token,
            total_size: TOTAL_USERS,
        }))
    }

    async fn search_users(
        &self,
        request: Request<pb::SearchUsersRequest>,
    ) -> Result<Response<pb::SearchUsersResponse>, Status> {
        let req = self
            .admit("SearchUsers", request, RecordedRequest::SearchUsers)
            .await?;
        let found = pb::User {
            email: req.query,
            ..user("usr_found")
        };
        Ok(Response::new(pb::SearchUsersResponse {
            users: vec![found],
            total_size: 1,
            ..Default::default()
        }))
    }

    async fn update_user(
        &self,
        request: Request<pb::UpdateUserRequest>,
    ) -> Result<Response<pb::UpdateUserResponse>, Status> {
        let req = self
            .admit("UpdateUser", request, RecordedRequest::UpdateUser)
            .await?;
        let mut user = match required(req.identities, "identities")? {
            update_user_request::Identities::Id(id) => user(&id),
            update_user_request::Identities::ExternalId(external_id) => pb::User {
                external_id: Some(external_id),
                ..user("usr_external")
            },
        };
        if let Some(update) = req.user {
            user.metadata = update.metadata;
            if let Some(profile) = update.user_profile {
                user.user_profile = Some(UserProfile {
                    given_name: profile.given_name.unwrap_or_default(),
                    family_name: profile.family_name.unwrap_or_default(),
                    ..Default::default()
                });
            }
        }
        Ok(Response::new(pb::UpdateUserResponse { user: Some(user) }))
    }

    async fn delete_user(
        &self,
        request: Request<pb::DeleteUserRequest>,
    ) -> Result<Response<()>, Status> {
        let req = self
            .admit("DeleteUser", request, RecordedRequest::DeleteUser)
            .await?;
        match required(req.identities, "identities")? {
            delete_user_request::Identities::Id(_)
            | delete_user_request::Identities::ExternalId(_) => Ok(Response::new(())),
        }
    }

    async fn create_membership(
        &self,
        request: Request<pb::CreateMembershipRequest>,
    ) -> Result<Response<pb::CreateMembershipResponse>, Status> {
        let req = self
            .admit(
                "CreateMembership",
                request,
                RecordedRequest::CreateMembership,
            )
            .await?;
        let id = match required(req.identities, "identities")? {
            create_membership_request::Identities::Id(id) => id,
            create_membership_request::Identities::ExternalId(_) => "usr_external".to_owned(),
        };
        let roles = req.membership.map(|m| m.roles).unwrap_or_default();
        let mut user = user(&id);
        user.memberships
            .push(membership(&req.organization_id, roles));
        Ok(Response::new(pb::CreateMembershipResponse {
            user: Some(user),
        }))
    }

    async fn delete_membership(
        &self,
        request: Request<pb::DeleteMembershipRequest>,
    ) -> Result<Response<()>, Status> {
        let req = self
            .admit(
                "DeleteMembership",
                request,
                RecordedRequest::DeleteMembership,
            )
            .await?;
        match required(req.identities, "identities")? {
            delete_membership_request::Identities::Id(_)
            | delete_membership_request::Identities::ExternalId(_) => Ok(Response::new(())),
        }
    }

    async fn update_membership(
        &self,
        request: Request<pb::UpdateMembershipRequest>,
    ) -> Result<Response<pb::UpdateMembershipResponse>, Status> {
        let req = self
            .admit(
                "UpdateMembership",
                request,
                RecordedRequest::UpdateMembership,
            )
            .await?;
        let id = match required(req.identities, "identities")? {
            update_membership_request::Identities::Id(id) => id,
            update_membership_request::Identities::ExternalId(_) => "usr_external".to_owned(),
        };
        let roles = req.membership.map(|m| m.roles).unwrap_or_default();
        let mut user = user(&id);
        user.memberships
            .push(membership(&req.organization_id, roles));
        Ok(Response::new(pb::UpdateMembershipResponse {
            user: Some(user),
        }))
    }

    async fn create_user_and_membership(
        &self,
        request: Request<pb::CreateUserAndMembershipRequest>,
    ) -> Result<Response<pb::CreateUserAndMembershipResponse>, Status> {
        let req = self
            .admit(
                "CreateUserAndMembership",
                request,
                RecordedRequest::CreateUserAndMembership,
            )
            .await?;
        let new = required(req.user, "user")?;
        let profile = new.user_profile.unwrap_or_default();
        let user = pb::User {
            id: "usr_new".to_owned(),
            environment_id: "env_test".to_owned(),
            email: new.email,
            external_id: new.external_id,
            memberships: vec![membership(&req.organization_id, Vec::new())],
            user_profile: Some(UserProfile {
                given_name: profile.given_name,
                family_name: profile.family_name,
                ..Default::default()
            }),
            metadata: new.metadata,
            ..Default::default()
        };
        Ok(Response::new(pb::CreateUserAndMembershipResponse {
            user: Some(user),
        }))
    }

    async fn list_organization_users(
        &self,
        request: Request<pb::ListOrganizationUsersRequest>,
    ) -> Result<Response<pb::ListOrganizationUsersResponse>, Status> {
        let req = self
            .admit(
                "ListOrganizationUsers",
                request,
                RecordedRequest::ListOrganizationUsers,
            )
            .await?;
        let (users, next_page_token, prev_page_token) =
            page(&req.page_token, Some(&req.organization_id))?;
        Ok(Response::new(pb::ListOrganizationUsersResponse {
            users,
            next_page_token,
            prev_page_token,
            total_size: TOTAL_USERS,
        }))
    }

    async fn resend_invite(
        &self,
        request: Request<pb::ResendInviteRequest>,
    ) -> Result<Response<pb::ResendInviteResponse>, Status> {
        let req = self
            .admit("ResendInvite", request, RecordedRequest::ResendInvite)
            .await?;
        Ok(Response::new(pb::ResendInviteResponse {
            invite: Some(pb::Invite {
                organization_id: req.organization_id,
                user_id: req.id,
                status: "pending_invite".to_owned(),
                resent_count: 1,
                ..Default::default()
            }),
        }))
    }
}
