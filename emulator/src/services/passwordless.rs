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
//! [`PASSWORDLESS_MAX_ATTEMPTS`](crate::PASSWORDLESS_MAX_ATTEMPTS) failed attempts, an expired request or one already
//! verified answers `FAILED_PRECONDITION`. `ResendPasswordlessEmail` issues a
//! new code and link token for the same request, with a fresh expiry and the
//! attempts reset.

use std::sync::Arc;

use scalekit::proto::auth::passwordless::*;
use tonic::{Request, Response, Status};
use url::Url;

use crate::services::validate::{self, required};
use crate::services::Context;
use crate::status;
use crate::store::passwordless::{
    AuthRequest, Credential, Refusal, DEFAULT_EXPIRES_IN, MAX_ATTEMPTS,
};

/// The PasswordlessService of one emulated environment.
pub(crate) struct Passwordless {
    pub(crate) ctx: Arc<Context>,
}

#[tonic::async_trait]
impl PasswordlessService for Passwordless {
    async fn send_passwordless_email(
        &self,
        request: Request<SendPasswordlessRequest>,
    ) -> Result<Response<SendPasswordlessResponse>, Status> {
        let req = request.into_inner();
        let email = validate::email("email", &req.email)?;
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
        let mut store = self.ctx.lock();
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
        let mut store = self.ctx.lock();
        let state = &mut store.passwordless;
        let (id, credential) = match req.auth_credential {
            None => {
                return Err(status::invalid_argument(
                    "auth_credential",
                    "a code or a link_token is required",
                ))
            }
            Some(AuthCredential::Code(code)) => {
                let code = required("code", &code)?.to_string();
                let id = wanted_id.ok_or_else(|| {
                    status::invalid_argument("auth_request_id", "is required with a code")
                })?;
                if !state.requests.contains_key(&id) {
                    return Err(status::not_found("auth request", &id));
                }
                (id, AuthCredential::Code(code))
            }
            Some(AuthCredential::LinkToken(token)) => {
                let token = required("link_token", &token)?.to_string();
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
        let credential = match &credential {
            AuthCredential::Code(code) => Credential::Code(code),
            AuthCredential::LinkToken(token) => Credential::LinkToken(token),
        };
        let request = state
            .verify(&id, credential)
            .map_err(|refusal| refusal_status(refusal, &id, credential))?;
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
        let id = required("auth_request_id", &req.auth_request_id)?;
        let mut store = self.ctx.lock();
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

/// The status `VerifyPasswordlessEmail` answers for a refused credential.
fn refusal_status(refusal: Refusal, id: &str, credential: Credential<'_>) -> Status {
    match refusal {
        Refusal::NotFound => status::not_found("auth request", id),
        Refusal::AlreadyVerified => status::failed_precondition(
            "PASSWORDLESS_ALREADY_VERIFIED",
            format!("auth request {id} has already been verified"),
        ),
        Refusal::Expired => status::failed_precondition(
            "PASSWORDLESS_EXPIRED",
            format!("auth request {id} has expired; resend the email"),
        ),
        Refusal::TooManyAttempts => status::failed_precondition(
            "PASSWORDLESS_TOO_MANY_ATTEMPTS",
            format!("auth request {id} had {MAX_ATTEMPTS} failed attempts; resend the email"),
        ),
        Refusal::Mismatch => {
            let (field, error_code) = match credential {
                Credential::Code(_) => ("code", "PASSWORDLESS_INVALID_CODE"),
                Credential::LinkToken(_) => ("link_token", "PASSWORDLESS_INVALID_LINK_TOKEN"),
            };
            status::with_error_info(
                tonic::Code::InvalidArgument,
                format!("invalid {field}: it does not match the auth request"),
                error_info(error_code, field),
            )
        }
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
