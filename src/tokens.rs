//! API tokens: opaque, long-lived credentials that an organization (or one
//! of its users) hands to scripts and external systems.
//!
//! [`TokensClient`] wraps `scalekit.v1.tokens.ApiTokenService` with the
//! method names of the other Scalekit SDKs. A token is scoped to an
//! organization and optionally to a user, carries custom claims, and is
//! identified by an id (`apit_…`). The token itself is shown once, when it
//! is created; later calls name it by the token or by its id.
//!
//! ```
//! use scalekit::tokens::{CreateTokenOptions, ListTokensOptions};
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let tokens = client.tokens();
//!     let created = tokens
//!         .create_token("org_123", CreateTokenOptions::default().with_description("nightly export"))
//!         .await?;
//!     // Hand `created.token` to the export job; it is not shown again.
//!     println!("created {}", created.token_id);
//!     for token in tokens.list_tokens("org_123", ListTokensOptions::default()).await? {
//!         println!("{} ends in {}", token.token_id, token.token_suffix);
//!     }
//!     Ok(())
//! }
//! ```

mod options;
mod requests;
#[cfg(test)]
mod tests;

use std::fmt;

use futures::Stream;

use crate::error::{Error, Result};
use crate::pagination::{paginate, Page};
use crate::proto::tokens::{ApiTokenServiceClient, CreateTokenResponse};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;

use requests::{
    create_token_request, invalidate_token_request, list_tokens_request, update_token_request,
    validate_token_request,
};

pub use crate::proto::tokens::Token;
pub use options::{CreateTokenOptions, ListTokensOptions, UpdateTokenOptions};

/// API tokens; obtained from [`ScalekitClient::tokens`](crate::ScalekitClient::tokens).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call. [`list_tokens_stream`](TokensClient::list_tokens_stream) keeps its
/// own clone, so its stream is `'static`.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let token = client.tokens().validate_token("opaque-token-from-a-request").await?;
///     println!("acting for {}", token.organization_id);
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct TokensClient {
    stub: Stub<ApiTokenServiceClient<AuthChannel>>,
}

/// A token just created by [`TokensClient::create_token`]: the only time
/// the token itself is returned. `Debug` redacts it.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct CreatedToken {
    /// The opaque token, to hand to whoever will use it. A credential: keep
    /// it out of logs.
    pub token: String,
    /// The token's id (`apit_…`), for later calls; not a credential.
    pub token_id: String,
    /// What the server recorded about the token, when it sent it.
    pub token_info: Option<Token>,
}

impl fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedToken")
            .field("token", &"<redacted>")
            .field("token_id", &self.token_id)
            .field("token_info", &self.token_info)
            .finish()
    }
}

impl TryFrom<CreateTokenResponse> for CreatedToken {
    type Error = Error;

    fn try_from(response: CreateTokenResponse) -> Result<Self> {
        if response.token.is_empty() {
            return Err(Error::MalformedResponse("token"));
        }
        Ok(CreatedToken {
            token: response.token,
            token_id: response.token_id,
            token_info: response.token_info,
        })
    }
}

impl TokensClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        TokensClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.tokens.ApiTokenService",
                ApiTokenServiceClient::new,
            ),
        }
    }

    /// Creates a token for an organization, optionally for one of its users.
    ///
    /// ```
    /// use scalekit::tokens::CreateTokenOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = CreateTokenOptions::default()
    ///         .with_user_id("usr_456")
    ///         .with_custom_claims([("env", "production"), ("scope", "read")])
    ///         .with_description("CI/CD pipeline");
    ///     let created = client.tokens().create_token("org_123", opts).await?;
    ///     store_in_vault(&created.token);
    ///     println!("token {} created", created.token_id);
    ///     Ok(())
    /// }
    /// # fn store_in_vault(_: &str) {}
    /// ```
    ///
    /// The token itself is in the result and nowhere else: later reads give
    /// only its id and last characters
    /// ([`token_suffix`](Token::token_suffix)).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` (or a set
    ///   `user_id`) is empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown organization or user ([`Error::is_not_found`]), or
    ///   `INVALID_ARGUMENT` for too many or too long custom claims or
    ///   description.
    /// - [`Error::MalformedResponse`]`("token")` if the response has no token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/tokens>
    pub async fn create_token(
        &self,
        organization_id: &str,
        opts: CreateTokenOptions,
    ) -> Result<CreatedToken> {
        let request = create_token_request(organization_id, opts)?;
        let response = call!(self.stub, create_token(request)).await?;
        CreatedToken::try_from(response)
    }

    /// Checks a token and returns what it stands for: organization, user,
    /// custom claims, expiry.
    ///
    /// ```
    /// use scalekit::Code;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient, presented: &str) -> scalekit::Result<bool> {
    ///     match client.tokens().validate_token(presented).await {
    ///         Ok(token) => {
    ///             println!("{} claims {:?}", token.organization_id, token.custom_claims);
    ///             Ok(true)
    ///         }
    ///         // The token is unknown, expired or invalidated.
    ///         Err(err) if matches!(
    ///             err.code(),
    ///             Some(Code::Unauthenticated | Code::NotFound | Code::InvalidArgument | Code::PermissionDenied)
    ///         ) => Ok(false),
    ///         Err(err) => Err(err),
    ///     }
    /// }
    /// ```
    ///
    /// `token` is the opaque token or its id (`apit_…`).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `token` is empty; nothing is sent.
    /// - [`Error::Api`] when the server refuses the token: `UNAUTHENTICATED`,
    ///   `NOT_FOUND`, `INVALID_ARGUMENT` or `PERMISSION_DENIED` mean the
    ///   token is not valid (expired, invalidated or unknown). The reference
    ///   SDK raises its token-validation failure for exactly these four
    ///   codes; any other code is a failure of the call, not a verdict on
    ///   the token. An `UNAUTHENTICATED` answer is taken at first for a
    ///   refusal of this client's own access token: the call fetches a new
    ///   one and resends once before returning the code.
    /// - [`Error::MalformedResponse`]`("token_info")` if the response has no
    ///   token details.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/tokens>
    pub async fn validate_token(&self, token: &str) -> Result<Token> {
        let request = validate_token_request(token)?;
        let response = call!(self.stub, validate_token(request)).await?;
        response
            .token_info
            .ok_or(Error::MalformedResponse("token_info"))
    }

    /// Invalidates a token, so that it no longer validates.
    ///
    /// ```
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     client.tokens().invalidate_token("apit_123").await?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `token` is the opaque token or its id (`apit_…`). Invalidating a
    /// token that is already invalid succeeds, so the call is safe to
    /// repeat.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `token` is empty; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for a token
    ///   the server never issued ([`Error::is_not_found`]).
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/tokens>
    pub async fn invalidate_token(&self, token: &str) -> Result<()> {
        let request = invalidate_token_request(token)?;
        call!(self.stub, invalidate_token(request)).await?;
        Ok(())
    }

    /// Lists one page of an organization's valid tokens, optionally only a
    /// user's.
    ///
    /// ```
    /// use scalekit::tokens::ListTokensOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListTokensOptions::default().with_user_id("usr_456").with_page_size(20);
    ///     let page = client.tokens().list_tokens("org_123", opts).await?;
    ///     println!("{} of {} tokens", page.items.len(), page.total_size);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// [`Page::total_size`] is the server's `total_count`. To walk every
    /// page, use [`list_tokens_stream`](TokensClient::list_tokens_stream).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `organization_id` is empty, untrimmed,
    ///   contains `/` or does not start with `org_`, if a set `user_id` is
    ///   empty, untrimmed or contains `/`, or if `page_size` exceeds
    ///   `i32::MAX`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `INVALID_ARGUMENT` for a
    ///   page size above 30 or an unknown page token.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/tokens>
    pub async fn list_tokens(
        &self,
        organization_id: &str,
        opts: ListTokensOptions,
    ) -> Result<Page<Token>> {
        let request = list_tokens_request(organization_id, &opts)?;
        let response = call!(self.stub, list_tokens(request)).await?;
        Ok(Page::new(
            response.tokens,
            response.next_page_token,
            response.prev_page_token,
            // A count below zero means nothing; read it as none.
            u32::try_from(response.total_count).unwrap_or(0),
        ))
    }

    /// Streams every token of an organization (or of one of its users),
    /// fetching pages as needed.
    ///
    /// ```
    /// use futures::TryStreamExt as _;
    /// use scalekit::tokens::ListTokensOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = ListTokensOptions::default().with_page_size(30);
    ///     let mut tokens = std::pin::pin!(client.tokens().list_tokens_stream("org_123", opts));
    ///     while let Some(token) = tokens.try_next().await? {
    ///         println!("{} {:?}", token.token_id, token.description);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Pages are fetched lazily, one at a time, with `opts` (so with its page
    /// size), starting at its page token if set. The stream ends after the
    /// last page.
    ///
    /// # Errors
    ///
    /// The stream yields an error at most once, then ends: any error of
    /// [`list_tokens`](TokensClient::list_tokens), or
    /// [`Error::MalformedResponse`]`("next_page_token")` if the server hands
    /// out a page token it already gave (instead of looping forever).
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/tokens>
    pub fn list_tokens_stream(
        &self,
        organization_id: &str,
        opts: ListTokensOptions,
    ) -> impl Stream<Item = Result<Token>> + Send + 'static {
        let client = self.clone();
        let organization_id = organization_id.to_owned();
        paginate(opts, move |opts| {
            let client = client.clone();
            let organization_id = organization_id.clone();
            async move { client.list_tokens(&organization_id, opts).await }
        })
    }

    /// Changes a token's custom claims or description.
    ///
    /// ```
    /// use scalekit::tokens::UpdateTokenOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let opts = UpdateTokenOptions::default()
    ///         .with_custom_claim("scope", "read")
    ///         .with_description("Updated CI token");
    ///     let token = client.tokens().update_token("apit_123", opts).await?;
    ///     println!("{:?}", token.custom_claims);
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `token` is the opaque token or its id (`apit_…`). Custom claims, when
    /// given, are sent as a whole; how they combine with the stored ones is
    /// the server's rule. A description of `Some("")` clears it.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `token` is empty; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND`
    ///   ([`Error::is_not_found`]) or `INVALID_ARGUMENT` for too many or too
    ///   long custom claims or description.
    /// - [`Error::MalformedResponse`]`("token_info")` if the response has no
    ///   token details.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/tokens>
    pub async fn update_token(&self, token: &str, opts: UpdateTokenOptions) -> Result<Token> {
        let request = update_token_request(token, opts)?;
        let response = call!(self.stub, update_token(request)).await?;
        response
            .token_info
            .ok_or(Error::MalformedResponse("token_info"))
    }
}
