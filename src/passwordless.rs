//! Passwordless sign-in by email: a one-time code, a magic link, or both.
//!
//! [`PasswordlessClient`] wraps
//! `scalekit.v1.auth.passwordless.PasswordlessService` with the method names
//! of the other Scalekit SDKs. Sending opens an auth request; the user proves
//! they own the address by handing back the code or the link token, which
//! your application verifies.
//!
//! ```
//! use scalekit::passwordless::{SendPasswordlessEmailOptions, TemplateType, VerifyCredential,
//!     VerifyPasswordlessEmailOptions};
//!
//! async fn sample(client: &scalekit::ScalekitClient, code_from_user: String)
//!     -> scalekit::Result<()> {
//!     let passwordless = client.passwordless();
//!     let sent = passwordless
//!         .send_passwordless_email(
//!             "ada@example.com",
//!             SendPasswordlessEmailOptions::default().with_template(TemplateType::Signin),
//!         )
//!         .await?;
//!     let verified = passwordless
//!         .verify_passwordless_email(
//!             VerifyCredential::Code(code_from_user),
//!             VerifyPasswordlessEmailOptions::default().with_auth_request_id(sent.auth_request_id),
//!         )
//!         .await?;
//!     println!("{} signed in", verified.email);
//!     Ok(())
//! }
//! ```

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::proto::auth::passwordless::{
    verify_password_less_request, PasswordlessServiceClient, ResendPasswordlessRequest,
    SendPasswordlessRequest, VerifyPasswordLessRequest,
};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::auth::passwordless::{
    PasswordlessType, SendPasswordlessResponse, TemplateType, VerifyPasswordLessResponse,
};

/// Passwordless email sign-in; obtained from
/// [`ScalekitClient::passwordless`](crate::ScalekitClient::passwordless).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let sent = client.passwordless().resend_passwordless_email("authreq_123").await?;
///     println!("new code valid for {} s", sent.expires_in);
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct PasswordlessClient {
    stub: Stub<PasswordlessServiceClient<AuthChannel>>,
}

impl PasswordlessClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        PasswordlessClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.auth.passwordless.PasswordlessService",
                PasswordlessServiceClient::new,
            ),
        }
    }

    /// Emails a one-time code (and, with a magic-link URI, a magic link) to
    /// an address and opens an auth request for it.
    ///
    /// ```
    /// use scalekit::passwordless::{SendPasswordlessEmailOptions, TemplateType};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = SendPasswordlessEmailOptions::default()
    ///         .with_template(TemplateType::Signup)
    ///         .with_magiclink_auth_uri("https://app.example.com/passwordless/verify")
    ///         .with_state("b6c1…")
    ///         .with_expires_in(600)
    ///         .with_template_variable("company", "Acme");
    ///     let sent = client
    ///         .passwordless()
    ///         .send_passwordless_email("ada@example.com", opts)
    ///         .await?;
    ///     println!("auth request {} expires at {}", sent.auth_request_id, sent.expires_at);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Keep the returned `auth_request_id`: verifying a code and resending
    /// the email need it. Options left unset are not sent (the server's
    /// defaults apply: the sign-in template, an hour's validity);
    /// [`TemplateType::Unspecified`] counts as unset, as in the other SDKs.
    /// The template variables are always sent (an empty map when none).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `email` is blank or a template
    ///   variable has a blank name; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for an
    ///   invalid email address or magic-link URI.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/passwordless>
    pub async fn send_passwordless_email(
        &self,
        email: &str,
        opts: SendPasswordlessEmailOptions,
    ) -> Result<SendPasswordlessResponse> {
        let request = send_passwordless_email_request(email, opts)?;
        let response = call!(self.stub, send_passwordless_email(request)).await?;
        Ok(response)
    }

    /// Verifies the one-time code or the magic-link token a user handed back.
    ///
    /// ```
    /// use scalekit::passwordless::{VerifyCredential, VerifyPasswordlessEmailOptions};
    ///
    /// async fn sample(client: &scalekit::ScalekitClient, link_token: String)
    ///     -> scalekit::Result<()> {
    ///     let verified = client
    ///         .passwordless()
    ///         .verify_passwordless_email(
    ///             VerifyCredential::LinkToken(link_token),
    ///             VerifyPasswordlessEmailOptions::default(),
    ///         )
    ///         .await?;
    ///     println!("{} verified (state {:?})", verified.email, verified.state);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// A code is only meaningful with the auth request it was sent for: set
    /// [`auth_request_id`](VerifyPasswordlessEmailOptions::auth_request_id).
    /// A link token identifies its request; an auth request id sent with it
    /// must match. The response names the verified address and echoes the
    /// `state` given when sending.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if the code or link token is blank, or an
    ///   auth request id is set but empty, untrimmed or contains `/`; nothing
    ///   is sent.
    /// - [`Error::Api`] for a server rejection: `INVALID_ARGUMENT` for a wrong
    ///   code or token, `NOT_FOUND` for an unknown auth request
    ///   ([`Error::is_not_found`]), `FAILED_PRECONDITION` when the request has
    ///   expired, was already verified or had too many failed attempts.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/passwordless>
    pub async fn verify_passwordless_email(
        &self,
        credential: VerifyCredential,
        opts: VerifyPasswordlessEmailOptions,
    ) -> Result<VerifyPasswordLessResponse> {
        let request = verify_passwordless_email_request(credential, opts)?;
        let response = call!(self.stub, verify_passwordless_email(request)).await?;
        Ok(response)
    }

    /// Sends the email of an auth request again, with a new code (and link).
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let sent = client
    ///         .passwordless()
    ///         .resend_passwordless_email("authreq_123")
    ///         .await?;
    ///     println!("valid until {}", sent.expires_at);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// The code and link sent before stop working.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `auth_request_id` is empty, untrimmed
    ///   or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown auth request ([`Error::is_not_found`]) or
    ///   `FAILED_PRECONDITION` for one already verified.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/passwordless>
    pub async fn resend_passwordless_email(
        &self,
        auth_request_id: &str,
    ) -> Result<SendPasswordlessResponse> {
        let request = resend_passwordless_email_request(auth_request_id)?;
        let response = call!(self.stub, resend_passwordless_email(request)).await?;
        Ok(response)
    }
}

// ---------------------------------------------------------------------------
// Credential and options
// ---------------------------------------------------------------------------

/// What the user handed back to prove they own the address: exactly one of
/// the one-time code and the magic link's token.
///
/// ```
/// use scalekit::passwordless::VerifyCredential;
///
/// let typed = VerifyCredential::Code("123456".to_owned());
/// let clicked = VerifyCredential::LinkToken("lt_abc".to_owned());
/// assert_ne!(typed, clicked);
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyCredential {
    /// The one-time code from the email.
    Code(String),
    /// The `link_token` query parameter of the magic link.
    LinkToken(String),
}

impl std::fmt::Debug for VerifyCredential {
    /// Redacts the secret: a code or link token signs the user in.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyCredential::Code(_) => f.write_str("Code(<redacted>)"),
            VerifyCredential::LinkToken(_) => f.write_str("LinkToken(<redacted>)"),
        }
    }
}

/// Optional parameters of [`PasswordlessClient::send_passwordless_email`].
///
/// ```
/// use scalekit::passwordless::{SendPasswordlessEmailOptions, TemplateType};
///
/// let opts = SendPasswordlessEmailOptions::default()
///     .with_template(TemplateType::Signin)
///     .with_expires_in(300)
///     .with_template_variable("product", "Acme Cloud");
/// assert_eq!(opts.expires_in, Some(300));
/// assert_eq!(opts.template_variables["product"], "Acme Cloud");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct SendPasswordlessEmailOptions {
    /// The email template: sign-in or sign-up; unset, the server's default.
    pub template: Option<TemplateType>,
    /// Where the magic link points; the server adds the `link_token`. Unset,
    /// the environment's setting decides whether a link is sent.
    pub magiclink_auth_uri: Option<String>,
    /// An opaque value returned by verification, to tie it to your request.
    pub state: Option<String>,
    /// How long the code and link stay valid, in seconds; unset, the
    /// server's default (an hour).
    pub expires_in: Option<u32>,
    /// Values for the custom variables of your email template.
    pub template_variables: HashMap<String, String>,
}

impl SendPasswordlessEmailOptions {
    /// Sets [`template`](Self::template).
    #[must_use]
    pub fn with_template(mut self, template: TemplateType) -> Self {
        self.template = Some(template);
        self
    }

    /// Sets [`magiclink_auth_uri`](Self::magiclink_auth_uri).
    #[must_use]
    pub fn with_magiclink_auth_uri(mut self, uri: impl Into<String>) -> Self {
        self.magiclink_auth_uri = Some(uri.into());
        self
    }

    /// Sets [`state`](Self::state).
    #[must_use]
    pub fn with_state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Sets [`expires_in`](Self::expires_in).
    #[must_use]
    pub fn with_expires_in(mut self, seconds: u32) -> Self {
        self.expires_in = Some(seconds);
        self
    }

    /// Adds one entry to [`template_variables`](Self::template_variables).
    #[must_use]
    pub fn with_template_variable(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.template_variables.insert(name.into(), value.into());
        self
    }

    /// Sets [`template_variables`](Self::template_variables), replacing any
    /// entries set before.
    #[must_use]
    pub fn with_template_variables<K, V>(
        mut self,
        variables: impl IntoIterator<Item = (K, V)>,
    ) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.template_variables = variables
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }
}

/// Optional parameters of [`PasswordlessClient::verify_passwordless_email`].
///
/// ```
/// use scalekit::passwordless::VerifyPasswordlessEmailOptions;
///
/// let opts = VerifyPasswordlessEmailOptions::default().with_auth_request_id("authreq_123");
/// assert_eq!(opts.auth_request_id.as_deref(), Some("authreq_123"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct VerifyPasswordlessEmailOptions {
    /// The auth request the credential was sent for, from
    /// [`SendPasswordlessResponse::auth_request_id`]; needed with a code.
    pub auth_request_id: Option<String>,
}

impl VerifyPasswordlessEmailOptions {
    /// Sets [`auth_request_id`](Self::auth_request_id).
    #[must_use]
    pub fn with_auth_request_id(mut self, auth_request_id: impl Into<String>) -> Self {
        self.auth_request_id = Some(auth_request_id.into());
        self
    }
}

// ---------------------------------------------------------------------------
// Requests: validation and the exact proto message each method sends.
// ---------------------------------------------------------------------------

fn send_passwordless_email_request(
    email: &str,
    opts: SendPasswordlessEmailOptions,
) -> Result<SendPasswordlessRequest> {
    validate::require_non_empty("email", email)?;
    if opts.template_variables.keys().any(|k| k.trim().is_empty()) {
        return Err(Error::invalid_argument(
            "template_variables",
            "variable names must not be empty",
        ));
    }
    Ok(SendPasswordlessRequest {
        email: email.to_owned(),
        template: opts
            .template
            .filter(|t| *t != TemplateType::Unspecified)
            .map(|t| t as i32),
        magiclink_auth_uri: opts.magiclink_auth_uri,
        state: opts.state,
        expires_in: opts.expires_in,
        template_variables: opts.template_variables,
    })
}

fn verify_passwordless_email_request(
    credential: VerifyCredential,
    opts: VerifyPasswordlessEmailOptions,
) -> Result<VerifyPasswordLessRequest> {
    use verify_password_less_request::AuthCredential;
    let auth_credential = match credential {
        VerifyCredential::Code(code) => {
            validate::require_non_empty("code", &code)?;
            AuthCredential::Code(code)
        }
        VerifyCredential::LinkToken(token) => {
            validate::require_non_empty("link_token", &token)?;
            AuthCredential::LinkToken(token)
        }
    };
    if let Some(id) = &opts.auth_request_id {
        validate::require_id("auth_request_id", id)?;
    }
    Ok(VerifyPasswordLessRequest {
        auth_credential: Some(auth_credential),
        auth_request_id: opts.auth_request_id,
    })
}

fn resend_passwordless_email_request(auth_request_id: &str) -> Result<ResendPasswordlessRequest> {
    validate::require_id("auth_request_id", auth_request_id)?;
    Ok(ResendPasswordlessRequest {
        auth_request_id: auth_request_id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    //! Request shapes. Each `REF_*` constant is the request the reference
    //! Node SDK (`@scalekit-sdk/node` 2.2.2, `lib/passwordless.js`) encodes
    //! for the same call, captured by running its `PasswordlessClient` with a
    //! `createClient` stub that records
    //! `toBinary(method.input, create(method.input, req))`.

    use super::*;
    use crate::test_support::{decode, invalid};

    const REF_SEND_MIN: &str = "0a066140622e636f";
    const REF_SEND_FULL: &str =
        "0a066140622e636f10021a0f68747470733a2f2f782e636f2f63622202737428d80432060a016b120176";
    const REF_SEND_UNSPECIFIED: &str = "0a066140622e636f";
    const REF_VERIFY_CODE: &str = "0a063132333435361a09617574687265715f31";
    const REF_VERIFY_LINK: &str = "12026c74";
    const REF_RESEND: &str = "0a09617574687265715f31";

    // sendPasswordlessEmail('a@b.co')
    #[test]
    fn send_request_without_options_matches_reference() {
        let request = send_passwordless_email_request("a@b.co", Default::default()).unwrap();
        let expected = decode::<SendPasswordlessRequest>(REF_SEND_MIN);
        assert_eq!(request, expected);
        assert_eq!(expected.template, None);
        assert!(expected.template_variables.is_empty());
    }

    // sendPasswordlessEmail('a@b.co', { template: 'SIGNUP', state: 'st',
    //   magiclinkAuthUri: 'https://x.co/cb', expiresIn: 600, templateVariables: { k: 'v' } })
    #[test]
    fn send_request_with_every_option_matches_reference() {
        let opts = SendPasswordlessEmailOptions::default()
            .with_template(TemplateType::Signup)
            .with_state("st")
            .with_magiclink_auth_uri("https://x.co/cb")
            .with_expires_in(600)
            .with_template_variable("k", "v");
        assert_eq!(
            send_passwordless_email_request("a@b.co", opts).unwrap(),
            decode::<SendPasswordlessRequest>(REF_SEND_FULL)
        );
    }

    // sendPasswordlessEmail('a@b.co', { template: 0 }): UNSPECIFIED is not sent.
    #[test]
    fn send_request_with_unspecified_template_matches_reference() {
        let opts = SendPasswordlessEmailOptions::default().with_template(TemplateType::Unspecified);
        assert_eq!(
            send_passwordless_email_request("a@b.co", opts).unwrap(),
            decode::<SendPasswordlessRequest>(REF_SEND_UNSPECIFIED)
        );
    }

    #[test]
    fn send_request_rejects_blank_email_and_variable_names() {
        for email in ["", "   "] {
            assert_eq!(
                invalid(send_passwordless_email_request(email, Default::default())).0,
                "email"
            );
        }
        let opts = SendPasswordlessEmailOptions::default().with_template_variable(" ", "v");
        assert_eq!(
            invalid(send_passwordless_email_request("a@b.co", opts)).0,
            "template_variables"
        );
    }

    // verifyPasswordlessEmail({ code: '123456' }, 'authreq_1')
    #[test]
    fn verify_request_with_code_matches_reference() {
        let opts = VerifyPasswordlessEmailOptions::default().with_auth_request_id("authreq_1");
        assert_eq!(
            verify_passwordless_email_request(VerifyCredential::Code("123456".into()), opts)
                .unwrap(),
            decode::<VerifyPasswordLessRequest>(REF_VERIFY_CODE)
        );
    }

    // verifyPasswordlessEmail({ linkToken: 'lt' })
    #[test]
    fn verify_request_with_link_token_matches_reference() {
        let request = verify_passwordless_email_request(
            VerifyCredential::LinkToken("lt".into()),
            Default::default(),
        )
        .unwrap();
        let expected = decode::<VerifyPasswordLessRequest>(REF_VERIFY_LINK);
        assert_eq!(request, expected);
        assert_eq!(expected.auth_request_id, None);
    }

    #[test]
    fn verify_request_rejects_blank_credentials_and_bad_ids() {
        let none = VerifyPasswordlessEmailOptions::default;
        assert_eq!(
            invalid(verify_passwordless_email_request(
                VerifyCredential::Code(" ".into()),
                none()
            ))
            .0,
            "code"
        );
        assert_eq!(
            invalid(verify_passwordless_email_request(
                VerifyCredential::LinkToken(String::new()),
                none()
            ))
            .0,
            "link_token"
        );
        for id in ["", " authreq_1", "a/b"] {
            let opts = none().with_auth_request_id(id);
            assert_eq!(
                invalid(verify_passwordless_email_request(
                    VerifyCredential::Code("1".into()),
                    opts
                ))
                .0,
                "auth_request_id"
            );
        }
    }

    #[test]
    fn verify_credential_debug_redacts_the_secret() {
        let text = format!(
            "{:?} {:?}",
            VerifyCredential::Code("123456".into()),
            VerifyCredential::LinkToken("secret-link".into())
        );
        assert!(
            !text.contains("123456") && !text.contains("secret-link"),
            "{text}"
        );
    }

    // resendPasswordlessEmail('authreq_1')
    #[test]
    fn resend_request_matches_reference() {
        assert_eq!(
            resend_passwordless_email_request("authreq_1").unwrap(),
            decode::<ResendPasswordlessRequest>(REF_RESEND)
        );
        assert_eq!(
            invalid(resend_passwordless_email_request("")).0,
            "auth_request_id"
        );
    }
}
