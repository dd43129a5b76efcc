//! Passwordless sign-in: the auth requests (`authreq_…`) with their
//! one-time codes and magic-link tokens, and every email the emulator would
//! have sent for them.

use std::collections::{BTreeMap, HashMap};

use rand::distributions::{Alphanumeric, DistString as _};
use rand::Rng as _;
use scalekit::proto::auth::passwordless::{
    PasswordlessType, SendPasswordlessResponse, TemplateType,
};
use tonic::Status;
use url::Url;

use crate::status;
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
    pub(crate) email: String,
    pub(crate) state: Option<String>,
    pub(crate) template: TemplateType,
    pub(crate) passwordless_type: PasswordlessType,
    pub(crate) magiclink_auth_uri: Option<String>,
    pub(crate) template_variables: HashMap<String, String>,
    pub(crate) expires_in: u32,
    pub(crate) expires_at: i64,
    pub(crate) code: String,
    pub(crate) link_token: Option<String>,
    pub(crate) failed_attempts: u32,
    pub(crate) verified: bool,
}

/// Every auth request and the emails sent for them.
#[derive(Debug, Default)]
pub(crate) struct PasswordlessState {
    pub(crate) requests: BTreeMap<String, AuthRequest>,
    /// Every email sent, oldest first.
    pub(crate) sent: Vec<PasswordlessEmail>,
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
    pub(crate) fn issue(&mut self, id: &str) -> Result<SendPasswordlessResponse, Status> {
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

/// A credential for an auth request: its code, or its magic link's token.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Credential<'a> {
    Code(&'a str),
    LinkToken(&'a str),
}

/// Why a credential was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    NotFound,
    AlreadyVerified,
    Expired,
    TooManyAttempts,
    /// The code or token is not the request's (a failed attempt).
    Mismatch,
}

impl Refusal {
    /// What a person is told.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Refusal::NotFound => "there is no such passwordless sign-in",
            Refusal::AlreadyVerified => "this code or link was already used",
            Refusal::Expired => "the code and link have expired",
            Refusal::TooManyAttempts => "too many wrong codes were entered",
            Refusal::Mismatch => "the code is not the one sent",
        }
    }
}

impl PasswordlessState {
    /// Opens an auth request (`id`) for `email` with the service's
    /// defaults (the `SIGNIN` template, the default lifetime) and records
    /// its email, as `SendPasswordlessEmail` does; with a magic-link URI the
    /// email carries a link too.
    pub(crate) fn open(
        &mut self,
        id: &str,
        email: String,
        magiclink_auth_uri: Option<String>,
    ) -> Result<PasswordlessEmail, Status> {
        let passwordless_type = if magiclink_auth_uri.is_some() {
            PasswordlessType::LinkOtp
        } else {
            PasswordlessType::Otp
        };
        self.requests.insert(
            id.to_string(),
            AuthRequest {
                email,
                state: None,
                template: TemplateType::Signin,
                passwordless_type,
                magiclink_auth_uri,
                template_variables: HashMap::new(),
                expires_in: DEFAULT_EXPIRES_IN,
                expires_at: 0,
                code: String::new(),
                link_token: None,
                failed_attempts: 0,
                verified: false,
            },
        );
        self.issue(id)?;
        self.email_for_request(id)
            .ok_or_else(|| status::not_found("auth request", id))
    }

    /// Checks a credential against an auth request (unverified, unexpired,
    /// fewer than [`MAX_ATTEMPTS`] failures; a wrong one counts as a
    /// failure); on success marks the request verified and returns it.
    pub(crate) fn verify(
        &mut self,
        id: &str,
        credential: Credential<'_>,
    ) -> Result<&AuthRequest, Refusal> {
        let request = self.requests.get_mut(id).ok_or(Refusal::NotFound)?;
        if request.verified {
            return Err(Refusal::AlreadyVerified);
        }
        if now_secs() >= request.expires_at {
            return Err(Refusal::Expired);
        }
        if request.failed_attempts >= MAX_ATTEMPTS {
            return Err(Refusal::TooManyAttempts);
        }
        let matches = match credential {
            Credential::Code(code) => code == request.code,
            Credential::LinkToken(token) => request.link_token.as_deref() == Some(token),
        };
        if !matches {
            request.failed_attempts += 1;
            return Err(Refusal::Mismatch);
        }
        request.verified = true;
        Ok(request)
    }

    /// The auth request whose magic link carries `token`.
    pub(crate) fn request_with_link_token(&self, token: &str) -> Option<String> {
        self.requests
            .iter()
            .find(|(_, r)| r.link_token.as_deref() == Some(token))
            .map(|(id, _)| id.clone())
    }
}

pub(crate) fn now_secs() -> i64 {
    i64::try_from(unix_now()).unwrap_or(i64::MAX)
}
