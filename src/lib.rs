//! Rust SDK for the [Scalekit](https://scalekit.com) auth API: enterprise SSO
//! over SAML and OIDC, organizations, users and memberships, roles and
//! permissions, SCIM directories, domains, connections and sessions.
//!
//! Start with [`ScalekitClient`]: one per environment, shared by the whole
//! program. Its sub-clients ([`ScalekitClient::users`], …) wrap the gRPC API
//! with validated arguments and unwrapped results; [`ScalekitClient::raw`]
//! hands out the generated clients of [`proto`] for everything else.
//!
//! ```no_run
//! # async fn sample() -> scalekit::Result<()> {
//! let client = scalekit::ScalekitClient::from_env()?;
//! let user = client.users().get_user("usr_123").await?;
//! println!("{}", user.email);
//! # Ok(())
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod client;
pub mod connections;
pub mod directories;
pub mod domains;
pub mod error;
#[cfg(feature = "oidc")]
#[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
pub mod oidc;
pub mod organizations;
pub mod pagination;
pub mod permissions;
pub mod proto;
pub mod raw;
pub mod roles;
mod transport;
pub mod users;
mod validate;
#[cfg(feature = "webhook")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
pub mod webhook;

pub use client::{
    ClientBuilder, ScalekitClient, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_ENVIRONMENT_URL,
};
pub use error::{
    ApiError, Code, Error, ErrorKind, InvalidTokenReason, Result, TokenError,
    WebhookSignatureReason,
};
pub use pagination::Page;
pub use transport::AuthChannel;
