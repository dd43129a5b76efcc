//! `scalekit.v1.auth.passwordless.PasswordlessService`: sign-in by a
//! one-time code or a magic link sent to an email address.
//!
//! `SendPasswordlessEmail` opens an auth request (`authreq_…`) with a
//! six-digit code and, when a magic-link URI is given, a link token (type
//! `LINK_OTP`; `OTP` otherwise). The emulator sends no mail: the message it
//! would have sent is kept, and tests read it with
//! [`EmulatorHandle::passwordless_email`](crate::EmulatorHandle::passwordless_email)
//! or [`EmulatorHandle::last_passwordless_email`](crate::EmulatorHandle::last_passwordless_email).
//!
//! Verification rules: a code needs the auth request id; a link token
//! identifies its request (an id sent with it must match). A wrong code or
//! token is `INVALID_ARGUMENT` and counts as a failed attempt; after
//! [`MAX_ATTEMPTS`] failed attempts, an expired request or one already
//! verified answers `FAILED_PRECONDITION`. `ResendPasswordlessEmail` issues a
//! new code and link token for the same request, with a fresh expiry and the
//! attempts reset.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rand::distributions::{Alphanumeric, DistString as _};
use rand::Rng as _;
use scalekit::proto::auth::passwordless::*;
use tonic::{Request, Response, Status};
use url::Url;

use crate::status;
use crate::store::SharedStore;
use crate::tokens::unix_now;

/// Lifetime of an auth request when the sender does not choose one.
pub(crate) const DEFAULT_EXPIRES_IN: u32 = 3600;
/// Failed verification attempts an auth request tolerates.
pub const MAX_ATTEMPTS: u32 = 5;

/// The email the emulator would have sent for a passwordless auth request:
/// what a test reads to sign in as the recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordlessEmail {
    /// The auth request the email belongs to.
    pub auth_request_id: String,
    /// The recipient.
    pub email: String,
    /// The six-digit one-time code.
    pub code: String,
    /// The magic link's token, when the request has a magic link.
    pub link_token: Option<String>,
    /// The magic link: the sender's magic-link URI with `link_token` added.
    pub magic_link: Option<String>,
    /// The template the email used (`SIGNIN` unless the sender chose one).
    pub template: TemplateType,
    /// The sender's template variables.
    pub template_variables: HashMap<String, String>,
    /// Unix time (seconds) when the code and link stop working.
    pub expires_at: i64,
}

/// One auth request.
#[derive(Clone, Debug)]
pub(crate) struct AuthRequest {
    email: String,
    state: Option<String>,
    template: TemplateType,
    passwordless_type: PasswordlessType,
    magiclink_auth_uri: Option<String>,
    template_variables: HashMap<String, String>,
    expires_in: u32,
    expires_at: i64,
    code: String,
    link_token: Option<String>,
    failed_attempts: u32,
    verified: bool,
}

/// Every auth request and the emails sent for them.
#[derive(Debug, Default)]
pub(crate) struct PasswordlessState {
    requests: BTreeMap<String, AuthRequest>,
    /// Every email sent, oldest first.
    sent: Vec<PasswordlessEmail>,
}

impl PasswordlessState {
    /// The latest email sent for an auth request.
    pub(crate) fn email_for_request(&self, auth_request_id: &str) -> Option<PasswordlessEmail> {
        self.sent
            .iter()
            .rev()
            .find(|m| m.auth_request_id == auth_request_id)
            .cloned()
    }

    /// The latest email sent to an address (compared case-insensitively).
    pub(crate) fn last_email_to(&self, email: &str) -> Option<PasswordlessEmail> {
        self.sent
            .iter()
            .rev()
            .find(|m| m.email.eq_ignore_ascii_case(email))
            .cloned()
    }

    /// Makes an auth request's code and link expire now.
    pub(crate) fn expire(&mut self, auth_request_id: &str) -> Result<(), Status> {
        let request = self
            .requests
            .get_mut(auth_request_id)
            .ok_or_else(|| status::not_found("auth request", auth_request_id))?;
        request.expires_at = now_secs();
        Ok(())
    }

    /// Issues a new code and link token, records the email and returns the
    /// response the send and resend RPCs give.
    fn issue(&mut self, id: &str) -> Result<SendPasswordlessResponse, Status> {
        let request = self
            .requests
            .get_mut(id)
            .ok_or_else(|| status::not_found("auth request", id))?;
        let mut rng = rand::thread_rng();
        request.code = format!("{:06}", rng.gen_range(0..1_000_000));
        request.expires_at = now_secs() + i64::from(request.expires_in);
        request.failed_attempts = 0;
        let mut magic_link = None;
        request.link_token = match &request.magiclink_auth_uri {
            Some(uri) => {
                let token = Alphanumeric.sample_string(&mut rng, 40);
                let mut link = Url::parse(uri)
                    .map_err(|_| status::invalid_argument("magiclink_auth_uri", "is not a URL"))?;
                link.query_pairs_mut().append_pair("link_token", &token);
                magic_link = Some(link.to_string());
                Some(token)
            }
            None => None,
        };
        self.sent.push(PasswordlessEmail {
            auth_request_id: id.to_string(),
            email: request.email.clone(),
            code: request.code.clone(),
            link_token: request.link_token.clone(),
            magic_link,
            template: request.template,
            template_variables: request.template_variables.clone(),
            expires_at: request.expires_at,
        });
        Ok(SendPasswordlessResponse {
            auth_request_id: id.to_string(),
            expires_at: request.expires_at,
            expires_in: request.expires_in,
            passwordless_type: request.passwordless_type as i32,
        })
    }
}

fn now_secs() -> i64 {
    i64::try_from(unix_now()).unwrap_or(i64::MAX)
}

/// The PasswordlessService of one emulated environment.
pub(crate) struct Passwordless {
    pub(crate) store: Arc<SharedStore>,
}

fn valid_email(email: &str) -> Result<String, Status> {
    let email = email.trim();
    let (local, domain) = email.split_once('@').unwrap_or(("", ""));
    if local.is_empty() || !domain.contains('.') || domain.starts_with('.') || email.contains(' ') {
        return Err(status::invalid_argument(
            "email",
            "is not a valid email address",
        ));
    }
    Ok(email.to_ascii_lowercase())
}

fn require<'a>(field: &str, value: &'a str) -> Result<&'a str, Status> {
    let value = value.trim();
    if value.is_empty() {
        Err(status::invalid_argument(field, "is required"))
    } else {
        Ok(value)
    }
}

#[tonic::async_trait]
impl PasswordlessService for Passwordless {
    async fn send_passwordless_email(
        &self,
        request: Request<SendPasswordlessRequest>,
    ) -> Result<Response<SendPasswordlessResponse>, Status> {
        let req = request.into_inner();
        let email = valid_email(&req.email)?;
        let template = match req.template {
            None => TemplateType::Signin,
            Some(n) => match TemplateType::try_from(n) {
                Ok(TemplateType::Unspecified) => TemplateType::Signin,
                Ok(t) => t,
                Err(_) => {
                    return Err(status::invalid_argument(
                        "template",
                        format!("{n} is not a template type"),
                    ))
                }
            },
        };
        let magiclink_auth_uri = match req.magiclink_auth_uri.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(uri) => match Url::parse(uri) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => Some(uri.to_string()),
                _ => {
                    return Err(status::invalid_argument(
                        "magiclink_auth_uri",
                        "must be an absolute http(s) URL",
                    ))
                }
            },
        };
        for key in req.template_variables.keys() {
            if key.trim().is_empty() {
                return Err(status::invalid_argument(
                    "template_variables",
                    "keys must not be empty",
                ));
            }
        }
        let expires_in = match req.expires_in {
            None | Some(0) => DEFAULT_EXPIRES_IN,
            Some(secs) => secs,
        };
        let mut store = self.store.lock();
        let id = store.ids.next("authreq");
        let passwordless_type = if magiclink_auth_uri.is_some() {
            PasswordlessType::LinkOtp
        } else {
            PasswordlessType::Otp
        };
        store.passwordless.requests.insert(
            id.clone(),
            AuthRequest {
                email,
                state: req.state,
                template,
                passwordless_type,
                magiclink_auth_uri,
                template_variables: req.template_variables,
                expires_in,
                expires_at: 0,
                code: String::new(),
                link_token: None,
                failed_attempts: 0,
                verified: false,
            },
        );
        let response = store.passwordless.issue(&id)?;
        Ok(Response::new(response))
    }

    async fn verify_passwordless_email(
        &self,
        request: Request<VerifyPasswordLessRequest>,
    ) -> Result<Response<VerifyPasswordLessResponse>, Status> {
        use verify_password_less_request::AuthCredential;
        let req = request.into_inner();
        let wanted_id = match req.auth_request_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => Some(id.to_string()),
        };
        let mut store = self.store.lock();
        let state = &mut store.passwordless;
        let (id, credential) = match req.auth_credential {
            None => {
                return Err(status::invalid_argument(
                    "auth_credential",
                    "a code or a link_token is required",
                ))
            }
            Some(AuthCredential::Code(code)) => {
                let code = require("code", &code)?.to_string();
                let id = wanted_id.ok_or_else(|| {
                    status::invalid_argument("auth_request_id", "is required with a code")
                })?;
                if !state.requests.contains_key(&id) {
                    return Err(status::not_found("auth request", &id));
                }
                (id, AuthCredential::Code(code))
            }
            Some(AuthCredential::LinkToken(token)) => {
                let token = require("link_token", &token)?.to_string();
                let found = state
                    .requests
                    .iter()
                    .find(|(_, r)| r.link_token.as_deref() == Some(token.as_str()))
                    .map(|(id, _)| id.clone());
                let id = match (found, wanted_id) {
                    (Some(found), None) => found,
                    (Some(found), Some(wanted)) if found == wanted => found,
                    (_, Some(wanted)) if !state.requests.contains_key(&wanted) => {
                        return Err(status::not_found("auth request", &wanted))
                    }
                    // Checked below against this request's token: a failed
                    // attempt.
                    (_, Some(wanted)) => wanted,
                    (None, None) => {
                        return Err(status::with_error_info(
                            tonic::Code::InvalidArgument,
                            "invalid link_token: not a current magic link",
                            error_info("PASSWORDLESS_INVALID_LINK_TOKEN", "link_token"),
                        ))
                    }
                };
                (id, AuthCredential::LinkToken(token))
            }
        };
        let request = state
            .requests
            .get_mut(&id)
            .ok_or_else(|| status::not_found("auth request", &id))?;
        if request.verified {
            return Err(status::failed_precondition(
                "PASSWORDLESS_ALREADY_VERIFIED",
                format!("auth request {id} has already been verified"),
            ));
        }
        if now_secs() >= request.expires_at {
            return Err(status::failed_precondition(
                "PASSWORDLESS_EXPIRED",
                format!("auth request {id} has expired; resend the email"),
            ));
        }
        if request.failed_attempts >= MAX_ATTEMPTS {
            return Err(status::failed_precondition(
                "PASSWORDLESS_TOO_MANY_ATTEMPTS",
                format!("auth request {id} had {MAX_ATTEMPTS} failed attempts; resend the email"),
            ));
        }
        let matches = match &credential {
            AuthCredential::Code(code) => *code == request.code,
            AuthCredential::LinkToken(token) => request.link_token.as_deref() == Some(token),
        };
        if !matches {
            request.failed_attempts += 1;
            let (field, error_code) = match credential {
                AuthCredential::Code(_) => ("code", "PASSWORDLESS_INVALID_CODE"),
                AuthCredential::LinkToken(_) => ("link_token", "PASSWORDLESS_INVALID_LINK_TOKEN"),
            };
            return Err(status::with_error_info(
                tonic::Code::InvalidArgument,
                format!("invalid {field}: it does not match the auth request"),
                error_info(error_code, field),
            ));
        }
        request.verified = true;
        Ok(Response::new(VerifyPasswordLessResponse {
            email: request.email.clone(),
            state: request.state.clone(),
            template: Some(request.template as i32),
            passwordless_type: request.passwordless_type as i32,
        }))
    }

    async fn resend_passwordless_email(
        &self,
        request: Request<ResendPasswordlessRequest>,
    ) -> Result<Response<SendPasswordlessResponse>, Status> {
        let req = request.into_inner();
        let id = require("auth_request_id", &req.auth_request_id)?;
        let mut store = self.store.lock();
        let verified = store
            .passwordless
            .requests
            .get(id)
            .map(|r| r.verified)
            .ok_or_else(|| status::not_found("auth request", id))?;
        if verified {
            return Err(status::failed_precondition(
                "PASSWORDLESS_ALREADY_VERIFIED",
                format!("auth request {id} has already been verified"),
            ));
        }
        let response = store.passwordless.issue(id)?;
        Ok(Response::new(response))
    }
}

/// An `ErrorInfo` with a Scalekit error code naming the offending field.
fn error_info(error_code: &str, field: &str) -> scalekit::proto::errdetails::ErrorInfo {
    use scalekit::proto::errdetails::validation_error_info::FieldViolation;
    use scalekit::proto::errdetails::{ErrorInfo, ValidationErrorInfo};
    ErrorInfo {
        error_code: error_code.to_string(),
        validation_error_info: Some(ValidationErrorInfo {
            field_violations: vec![FieldViolation {
                field: field.to_string(),
                description: "does not match".to_string(),
                constraint: String::new(),
            }],
        }),
        ..Default::default()
    }
}
