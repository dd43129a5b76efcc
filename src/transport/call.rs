//! The one path every facade RPC takes: a deadline for the whole call, the
//! access token, the retry loop, the single resend after `UNAUTHENTICATED`
//! and one `tracing` span.
//!
//! The loop works on the prost request message, not on encoded bytes: a
//! retry clones the message and lets the generated client encode it again.
//! The channel below ([`AuthChannel`]) then only adds headers and passes
//! the request through, with nothing buffered.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tonic::{Code, Status};
use tracing::field::Empty;
use tracing::Instrument as _;

use crate::error::{Error, Result};
use crate::transport::auth_channel::AuthChannel;
use crate::transport::retry::{verdict, Verdict};
use crate::transport::token::AccessToken;

/// A generated client with the call path in front of it; every sub-client
/// of the facade holds one.
#[derive(Clone, Debug)]
pub(crate) struct Stub<C> {
    grpc: C,
    channel: AuthChannel,
    /// The proto service, e.g. `scalekit.v1.users.UserService`, for spans.
    service: &'static str,
}

impl<C: Clone> Stub<C> {
    /// `make` builds the generated client over the channel.
    pub(crate) fn new(
        channel: AuthChannel,
        service: &'static str,
        make: impl FnOnce(AuthChannel) -> C,
    ) -> Self {
        Stub {
            grpc: make(channel.clone()),
            channel,
            service,
        }
    }

    /// Calls `method` (the generated client's method name) with `request`,
    /// as often as the retry rules and the deadline allow. `send` is one
    /// attempt. Use [`call!`], which fills in the name and idempotency.
    pub(crate) async fn call<Req, Resp, F, Fut>(
        &self,
        method: &'static str,
        idempotent: bool,
        request: Req,
        send: F,
    ) -> Result<Resp>
    where
        Req: Clone,
        F: Fn(C, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = std::result::Result<tonic::Response<Resp>, Status>>,
    {
        let span = tracing::debug_span!(
            "scalekit.rpc",
            rpc.service = self.service,
            rpc.method = method,
            rpc.attempts = Empty,
            rpc.code = Empty,
            rpc.latency_ms = Empty,
        );
        if span.is_disabled() {
            // Nobody listens: skip the clock reads and field records.
            return self.attempts(idempotent, request, send).await.1;
        }
        let started = Instant::now();
        let (sends, outcome) = self
            .attempts(idempotent, request, send)
            .instrument(span.clone())
            .await;
        span.record("rpc.attempts", sends);
        span.record("rpc.latency_ms", started.elapsed().as_secs_f64() * 1e3);
        match &outcome {
            Ok(_) => span.record("rpc.code", "OK"),
            Err(err) => span.record("rpc.code", outcome_code(err)),
        };
        outcome
    }

    async fn attempts<Req, Resp, F, Fut>(
        &self,
        idempotent: bool,
        request: Req,
        send: F,
    ) -> (u32, Result<Resp>)
    where
        Req: Clone,
        F: Fn(C, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = std::result::Result<tonic::Response<Resp>, Status>>,
    {
        let policy = self.channel.policy();
        let deadline = policy.timeout.map(|limit| Instant::now() + limit);
        // `attempt` counts against `max_attempts`; `sends` counts every
        // request that went out, resends included, for the span.
        let mut attempt = 1u32;
        let mut sends = 0u32;
        let mut resent_after_refresh = false;
        let mut rebuilt_channel = false;
        // The token the server refused, and its refusal, once it happened.
        let mut refused: Option<(AccessToken, Status)> = None;
        loop {
            let token = match self.channel.token_by(deadline).await {
                Ok(token) => token,
                Err(err) => return (sends, Err(err)),
            };
            if let Some((_, status)) = refused.take_if(|(rejected, _)| *rejected == token) {
                // The cache is backing off after repeated refusals and
                // handed back the same token: resending it cannot succeed.
                return (sends, Err(Error::from(status)));
            }
            // What is left goes out as `grpc-timeout`. tonic arms its own
            // timer from that header, so it is both the server's budget and
            // this attempt's one timer.
            let left = match deadline.map(remaining) {
                Some(None) => return (sends, Err(Error::Timeout)),
                Some(left) => left,
                None => None,
            };
            let metadata = self.channel.rpc_metadata(&token, left);
            let message =
                tonic::Request::from_parts(metadata, tonic::Extensions::new(), request.clone());

            sends += 1;
            let status = match send(self.grpc.clone(), message).await {
                Ok(response) => return (sends, Ok(response.into_inner())),
                Err(status) => status,
            };
            if status.code() == Code::Unauthenticated && !resent_after_refresh {
                // The token may have been revoked or rotated server-side:
                // drop it (unless a concurrent call already did), fetch a
                // new one, and resend once. This resend has its own budget
                // and does not count as a retry.
                resent_after_refresh = true;
                self.channel.reject_token(&token);
                tracing::debug!("UNAUTHENTICATED; refreshing the token and resending once");
                refused = Some((token, status));
                continue;
            }
            if !rebuilt_channel && self.channel.replace_closed_channel(&status) {
                rebuilt_channel = true;
                // The connection's worker task died with the runtime that
                // spawned it; nothing was sent on it, so resend on a new one.
                continue;
            }
            let asked = match verdict(&status, idempotent, &policy.retry) {
                Verdict::Retry(asked) if attempt < policy.retry.max_attempts => asked,
                _ => return (sends, Err(Error::from(status))),
            };
            let wait = policy.retry.backoff(attempt, asked);
            if deadline.is_some_and(|deadline| Instant::now() + wait >= deadline) {
                // Waiting would spend the rest of the budget: the caller
                // learns of the failure now rather than at the deadline.
                return (sends, Err(Error::from(status)));
            }
            tracing::debug!(
                code = ?status.code(),
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// What is left of the budget, or `None` when less than the millisecond
/// `grpc-timeout` can express is left.
pub(crate) fn remaining(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|left| *left >= Duration::from_millis(1))
}

/// The span's `rpc.code` for a failed call: the gRPC code when the server
/// answered, else what kind of local failure it was.
fn outcome_code(err: &Error) -> &'static str {
    match err {
        Error::Api(api) => crate::error::code_name(api.code()),
        Error::Timeout => "TIMEOUT",
        Error::Auth(_) => "TOKEN_ERROR",
        Error::Transport(_) => "TRANSPORT_ERROR",
        _ => "CLIENT_ERROR",
    }
}

/// Calls `$method` on a [`Stub`]'s generated client: the one call shape of
/// every facade method.
///
/// `call!(self.stub, get_user(request))` is `self.stub.call("GetUser", true,
/// request, |mut grpc, r| async move { grpc.get_user(r).await })`: the proto
/// name and the idempotency come from the client's table of RPCs (see
/// [`idempotency`](crate::transport::idempotency)), evaluated at compile
/// time. A method missing from the table does not compile.
macro_rules! call {
    ($stub:expr, $method:ident($request:expr)) => {{
        // The table of the stub's client type, so that `$method` resolves
        // against that service's RPCs.
        fn table<C: $crate::transport::idempotency::Rpcs>(
            _: &$crate::transport::call::Stub<C>,
        ) -> C::Table {
            C::TABLE
        }
        let stub = &$stub;
        let rpc = table(stub).$method();
        stub.call(
            rpc.name,
            rpc.idempotent,
            $request,
            |mut grpc, request| async move { grpc.$method(request).await },
        )
    }};
}
pub(crate) use call;
