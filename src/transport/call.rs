//! The one path every facade RPC takes: a deadline for the whole call, the
//! access token, the retry loop, the single resend after `UNAUTHENTICATED`
//! and one `tracing` span.
//!
//! The loop works on the prost request message, not on encoded bytes: a
//! retry clones the message and lets the generated client encode it again.
//! The channel below ([`AuthChannel`]) then only adds headers and passes
//! the request through, with nothing buffered.
//!
//! # What may be sent twice
//!
//! A request is sent again only when that cannot apply it twice:
//! - it is idempotent (the contract binds it to GET, PUT or DELETE, see
//!   [`idempotency`](super::idempotency), or the handle overrides it), and
//!   failed in a way worth retrying (`UNAVAILABLE`, a reset stream or
//!   connection), within the call's deadline and the client's
//!   [retry budget](super::budget); or
//! - it provably never reached a handler: the connection was never made,
//!   hyper cancelled it before writing it (its connection closed first),
//!   HTTP/2 refused the stream (`REFUSED_STREAM`), or the server refused the
//!   bearer token itself. A GOAWAY is no such proof: h2 reports it for
//!   streams the server may have run too (see `retry::never_sent`).
//!
//! The last case is the resend after `UNAUTHENTICATED`. For an idempotent
//! call it is always safe. For a create, an update or a send it is safe only
//! when the *token* was refused: Scalekit checks the bearer before any
//! handler runs, so a refused token means nothing ran. The answer itself
//! does not say which it was (a gateway can store a create and still answer
//! `UNAUTHENTICATED`), so the call path asks: it sends the refused token once
//! more on a harmless read ([`probe`](super::probe)), shared by every call
//! refused with that token. Refused again: the token is dead (revoked, keys
//! rotated, expired), so the write never ran, and it is resent with a fresh
//! token. Accepted: the token is fine and the write may have run; the error
//! is handed back as [`Error::MaybeApplied`], and the token kept. A revoked
//! token under load thus costs one read and one token request, and no call.
//!
//! The probe answers for the moment it is asked, and the token may have
//! been revoked between the write and the probe, after a gateway stored the
//! write and answered `UNAUTHENTICATED`. Each token therefore records when
//! the latest request the server accepted with it was sent: a write is not
//! resent when a request sent no earlier than itself got through, since the
//! token then still worked after the write went out. What remains is a
//! write that a gateway ran and refused, with a revocation of its token
//! before any later request of this client was accepted: two faults that
//! must meet within one round trip. A write refused at the door near a
//! revocation may in turn come back as `MaybeApplied` when a request sent
//! just after it was let in first; that errs on the side of not storing it
//! twice.

use std::error::Error as _;
use std::future::Future;
use std::time::Duration;

use futures::FutureExt as _;
use tokio::time::Instant;
use tonic::{Code, Status};
use tracing::field::Empty;
use tracing::Instrument as _;

use crate::error::{Error, Result};
use crate::transport::auth_channel::AuthChannel;
use crate::transport::context::{remaining, remaining_at, CallContext};
use crate::transport::idempotency::Rpc;
use crate::transport::probe::BearerVerdict;
use crate::transport::retry::{never_sent, verdict, Verdict};
use crate::transport::token::AccessToken;

/// A generated client with the call path in front of it; every sub-client
/// of the facade holds one.
#[derive(Clone, Debug)]
pub(crate) struct Stub<C> {
    grpc: C,
    context: CallContext,
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
            context: channel.context().clone(),
            grpc: make(channel),
            service,
        }
    }

    /// Calls `rpc` with `request`, as often as the retry rules and the
    /// deadline allow. `send` is one attempt. Use [`call!`], which finds
    /// the `rpc` in the contract.
    pub(crate) async fn call<Req, Resp, F, Fut>(
        &self,
        rpc: Rpc,
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
            rpc.method = rpc.name,
            rpc.attempts = Empty,
            rpc.code = Empty,
            rpc.latency_ms = Empty,
        );
        if span.is_disabled() {
            // Nobody listens: skip the clock reads and field records.
            return self.attempts(rpc, request, send).await.1;
        }
        let started = Instant::now();
        let (sends, outcome) = self
            .attempts(rpc, request, send)
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
        rpc: Rpc,
        request: Req,
        send: F,
    ) -> (u32, Result<Resp>)
    where
        Req: Clone,
        F: Fn(C, tonic::Request<Req>) -> Fut,
        Fut: Future<Output = std::result::Result<tonic::Response<Resp>, Status>>,
    {
        let policy = self.context.policy();
        let idempotent = policy.idempotent.unwrap_or(rpc.idempotent);
        let deadline = policy.timeout.map(|limit| Instant::now() + limit);
        // `attempt` counts against `max_attempts`; `sends` counts every
        // request that went out, resends included, for the span.
        let mut attempt = 1u32;
        let mut sends = 0u32;
        let mut unsent_resends = 0u32;
        let mut refresh_resends = 0u32;
        let mut rebuilt_channel = false;
        // The token the server refused, and its refusal, once it happened.
        let mut refused: Option<(AccessToken, Status)> = None;
        loop {
            let token = match self.context.token_by(deadline).await {
                Ok(token) => token,
                Err(err) => return (sends, Err(unsure(err, sends, idempotent))),
            };
            if let Some((_, status)) = refused.take_if(|(rejected, _)| *rejected == token) {
                // The cache is backing off after refusals in a row and
                // handed back the same token: resending it cannot succeed.
                return (sends, Err(Error::from(status)));
            }
            // What is left goes out as `grpc-timeout`, the server's budget.
            let sent_at = Instant::now();
            let left = match deadline.map(|deadline| remaining_at(deadline, sent_at)) {
                Some(None) => return (sends, Err(unsure(Error::Timeout, sends, idempotent))),
                Some(left) => left,
                None => None,
            };
            let metadata = self.context.rpc_metadata(&token, left);
            let message =
                tonic::Request::from_parts(metadata, tonic::Extensions::new(), request.clone());

            sends += 1;
            // tonic's own timer, armed from `grpc-timeout`, stops at the
            // response headers; this one covers every phase of the attempt:
            // waiting for a connection, connecting, the TLS handshake, the
            // headers, the body and the trailers.
            let sent = send(self.grpc.clone(), message);
            let answer = match deadline {
                None => sent.await,
                Some(deadline) => match tokio::time::timeout_at(deadline, sent).await {
                    Ok(answer) => answer,
                    Err(_) => return (sends, Err(unsure(Error::Timeout, sends, idempotent))),
                },
            };
            let status = match answer {
                Ok(response) => {
                    self.context.accepted(&token, sent_at);
                    return (sends, Ok(response.into_inner()));
                }
                Err(status) => status,
            };
            if status.code() == Code::Unauthenticated && status.source().is_none() {
                if rpc.refuses_its_argument {
                    return (sends, Err(Error::from(status)));
                }
                if refresh_resends < MAX_REFRESH_RESENDS {
                    let resend =
                        idempotent || self.refused_at_the_door(&token, sent_at, deadline).await;
                    if !resend {
                        return (sends, Err(Error::maybe_applied(Error::from(status))));
                    }
                    // The token was revoked, rotated or expired server-side:
                    // drop it (unless a concurrent call already did), fetch a
                    // new one, and resend. These resends have their own
                    // budget and do not count as retries: each follows the
                    // refusal of a different token (see `refused` above), so
                    // only a new revocation while the call lasts makes one.
                    refresh_resends += 1;
                    self.context.reject_token(&token);
                    tracing::debug!("UNAUTHENTICATED; refreshing the token and resending once");
                    refused = Some((token, status));
                    continue;
                }
            }
            if !rebuilt_channel && self.context.replace_closed_channel(&status) {
                rebuilt_channel = true;
                // The connection's worker task died with the runtime that
                // spawned it; nothing was sent on it, so resend on a new one.
                continue;
            }
            let error = |status: Status| {
                let err = Error::from(status);
                if idempotent || never_sent_error(&err) {
                    err
                } else {
                    unsure(err, sends, idempotent)
                }
            };
            // A request that never reached the server (a drained or refused
            // connection) is resent without using up an attempt, a few
            // times: a connection being drained can cancel the requests
            // queued on it again before the channel replaces it. It loads
            // no server, so the retry budget does not charge it either.
            let unsent = never_sent(&status);
            let free =
                unsent && policy.retry.max_attempts > 1 && unsent_resends < MAX_UNSENT_RESENDS;
            let asked = match verdict(&status, idempotent, &policy.retry) {
                Verdict::Retry(asked) if free || attempt < policy.retry.max_attempts => asked,
                _ => return (sends, Err(error(status))),
            };
            if !unsent && !self.context.shared().budget.failed() {
                tracing::debug!("most recent attempts failed; not retrying");
                return (sends, Err(error(status)));
            }
            let wait = policy.retry.backoff(attempt, asked);
            if deadline.is_some_and(|deadline| Instant::now() + wait >= deadline) {
                // Waiting would spend the rest of the budget: the caller
                // learns of the failure now rather than at the deadline.
                return (sends, Err(error(status)));
            }
            tracing::debug!(
                code = ?status.code(),
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(wait).await;
            if free {
                unsent_resends += 1;
            } else {
                attempt += 1;
            }
        }
    }

    /// Whether the server refused `token` itself, at the door, when it
    /// answered the request sent with it at `sent` (see the module docs).
    ///
    /// The probe shows that the token is refused *now*; a revocation is
    /// permanent, so that proves the door refused the request too, unless
    /// the revocation came after the request was let in. The token's record
    /// of accepted requests rules out most of that window: when a request
    /// sent with it at or after `sent` was accepted, the token still worked
    /// after this request was sent, and its refusal may have come from
    /// behind the door. That is checked before and after the probe, since
    /// such a request may end while the probe is under way.
    async fn refused_at_the_door(
        &self,
        token: &AccessToken,
        sent: Instant,
        deadline: Option<Instant>,
    ) -> bool {
        let refused_at = Instant::now();
        !token.accepted_request_sent_since(sent)
            && self.bearer_verdict(token, refused_at, deadline).await == BearerVerdict::Refused
            && !token.accepted_request_sent_since(sent)
    }

    /// Whether the server refuses `token` itself (see the module docs),
    /// asked with a read that changes nothing: `GetUser` of an id no user
    /// has. Any answer but `UNAUTHENTICATED` means the token got through.
    async fn bearer_verdict(
        &self,
        token: &AccessToken,
        refused_at: Instant,
        deadline: Option<Instant>,
    ) -> BearerVerdict {
        let context = self.context.clone();
        let probe_token = token.clone();
        self.context
            .shared()
            .probe
            .verdict(token, refused_at, move || {
                async move {
                    use crate::proto::users::get_user_request::Identities;
                    use crate::proto::users::user_service_client::UserServiceClient;
                    use crate::proto::users::GetUserRequest;

                    let limit = deadline
                        .and_then(remaining)
                        .map_or(PROBE_TIMEOUT, |left| left.min(PROBE_TIMEOUT));
                    let metadata = context.rpc_metadata(&probe_token, Some(limit));
                    let request = GetUserRequest {
                        identities: Some(Identities::Id(PROBE_USER_ID.into())),
                    };
                    let message =
                        tonic::Request::from_parts(metadata, tonic::Extensions::new(), request);
                    let mut grpc = UserServiceClient::new(AuthChannel::new(context));
                    let asked = tokio::time::timeout(limit, grpc.get_user(message)).await;
                    match asked {
                        Ok(Ok(_)) => BearerVerdict::Accepted,
                        Ok(Err(status)) if status.source().is_some() => BearerVerdict::Unknown,
                        Ok(Err(status)) if status.code() == Code::Unauthenticated => {
                            BearerVerdict::Refused
                        }
                        Ok(Err(status)) if status.code() == Code::Unavailable => {
                            BearerVerdict::Unknown
                        }
                        Ok(Err(_)) => BearerVerdict::Accepted,
                        Err(_) => BearerVerdict::Unknown,
                    }
                }
                .boxed()
            })
            .await
    }
}

/// How many times one call is resent with a new token after its token was
/// refused: one revocation costs one, and three cover revocations back to
/// back while the call lasts.
const MAX_REFRESH_RESENDS: u32 = 3;

/// How many times a request that never reached the server is resent
/// without using up one of [`RetryConfig::max_attempts`](crate::RetryConfig).
const MAX_UNSENT_RESENDS: u32 = 4;

/// The longest the bearer probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// A well-formed user id that no user has.
const PROBE_USER_ID: &str = "usr_0";

/// `err` from a call that was sent and is not idempotent, so the server may
/// have applied it: [`Error::MaybeApplied`]. Anything else as it is.
fn unsure(err: Error, sends: u32, idempotent: bool) -> Error {
    if sends == 0 || idempotent {
        err
    } else {
        Error::maybe_applied(err)
    }
}

/// Whether `err` proves its request never reached a handler.
fn never_sent_error(err: &Error) -> bool {
    match err {
        Error::Transport(source) => source.downcast_ref::<Status>().is_some_and(never_sent),
        // A definite answer of the server's: nothing to be unsure about.
        Error::Api(api) => !matches!(
            api.code(),
            Code::Unavailable
                | Code::Unknown
                | Code::Internal
                | Code::DeadlineExceeded
                | Code::Cancelled
                | Code::DataLoss
                | Code::Unauthenticated
        ),
        _ => false,
    }
}

/// The span's `rpc.code` for a failed call: the gRPC code when the server
/// answered, else what kind of local failure it was.
fn outcome_code(err: &Error) -> &'static str {
    match err {
        Error::Api(api) => crate::error::code_name(api.code()),
        Error::Timeout => "TIMEOUT",
        Error::Auth(_) => "TOKEN_ERROR",
        Error::Transport(_) => "TRANSPORT_ERROR",
        Error::MaybeApplied(inner) => outcome_code(inner),
        _ => "CLIENT_ERROR",
    }
}

/// Calls `$method` on a [`Stub`]'s generated client: the one call shape of
/// every facade method.
///
/// `call!(self.stub, get_user(request))` is `self.stub.call(rpc, request,
/// |mut grpc, r| async move { grpc.get_user(r).await })`, where `rpc` (the
/// proto name `GetUser`, its idempotency, how to read its
/// `UNAUTHENTICATED`) comes from the client's table of RPCs (see
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
        stub.call(
            table(stub).$method(),
            $request,
            |mut grpc, request| async move { grpc.$method(request).await },
        )
    }};
}
pub(crate) use call;
