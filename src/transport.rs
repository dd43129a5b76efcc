//! Everything between a generated gRPC client and the network: the SDK's
//! identifying headers, the client-credentials token cache, the call path
//! every facade RPC takes (deadline, retries, the resend after
//! `UNAUTHENTICATED`, tracing), and the tower service that authenticates
//! each request on its way out.

pub(crate) mod auth_channel;
pub(crate) mod budget;
pub(crate) mod call;
pub(crate) mod context;
pub(crate) mod headers;
pub(crate) mod http_answer;
pub(crate) mod idempotency;
pub(crate) mod probe;
pub(crate) mod refetch;
pub(crate) mod retry;
pub(crate) mod sanitize;
pub(crate) mod tls;
pub(crate) mod token;

pub use auth_channel::AuthChannel;
pub use retry::RetryConfig;
pub use sanitize::ResponseBody;
