#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

pub mod auth;
mod client;
pub mod connections;
pub mod directories;
pub mod domains;
pub mod error;
pub mod events;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "oidc")]
#[cfg_attr(docsrs, doc(cfg(feature = "oidc")))]
pub mod oidc;
pub mod organization_clients;
pub mod organizations;
pub mod pagination;
pub mod passwordless;
pub mod permissions;
pub mod proto;
pub mod raw;
pub mod roles;
pub mod sessions;
#[cfg(test)]
mod test_support;
pub mod tokens;
mod transport;
pub mod users;
mod validate;
pub mod webauthn;
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
pub use transport::{AuthChannel, RetryConfig};
