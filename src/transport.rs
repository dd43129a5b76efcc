//! Everything between a generated gRPC client and the network: the SDK's
//! identifying headers, the client-credentials token cache, and the tower
//! service that authenticates every call and retries it once on
//! `UNAUTHENTICATED`.

pub(crate) mod auth_channel;
pub(crate) mod headers;
pub(crate) mod tls;
pub(crate) mod token;

pub use auth_channel::AuthChannel;
