//! Whether the server refuses a bearer token as such, asked once per token
//! however many calls want to know.
//!
//! After `UNAUTHENTICATED`, a call that is not idempotent may be resent only
//! when the server provably did not run it. An answer of `UNAUTHENTICATED`
//! alone does not prove that: a gateway, a proxy or the service itself may
//! have run the handler and then answered it (the create is stored, and a
//! resend would store it twice). What does prove it is the bearer itself
//! being refused: Scalekit checks the bearer before any handler runs, so if
//! the same token is refused on a harmless read too, the write was refused at
//! the door. The call path asks that question with one read (see
//! [`call`](super::call)), shared here by every call refused with the same
//! token, so a revocation under load costs one extra request, not one per
//! call.

use std::sync::Mutex;

use futures::future::{BoxFuture, FutureExt as _, Shared};

use crate::transport::token::AccessToken;

/// What the server says of a bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BearerVerdict {
    /// Refused as such: nothing sent with it ran.
    Refused,
    /// Accepted: the refusal was about something else.
    Accepted,
    /// No answer (a timeout, a broken connection): nothing is proven.
    Unknown,
}

/// The one question in flight (or answered) about the latest refused token.
#[derive(Default)]
pub(crate) struct BearerProbe {
    last: Mutex<Option<(AccessToken, Shared<BoxFuture<'static, BearerVerdict>>)>>,
}

impl std::fmt::Debug for BearerProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerProbe").finish_non_exhaustive()
    }
}

impl BearerProbe {
    /// The verdict on `token`: the answer already given or being sought for
    /// it, else the answer of `ask()`. An `Unknown` answer is not kept, so
    /// the next call asks again.
    pub(crate) async fn verdict(
        &self,
        token: &AccessToken,
        ask: impl FnOnce() -> BoxFuture<'static, BearerVerdict>,
    ) -> BearerVerdict {
        let question = {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            match last.as_ref() {
                Some((asked, question)) if asked == token => question.clone(),
                _ => {
                    let question = ask().shared();
                    *last = Some((token.clone(), question.clone()));
                    question
                }
            }
        };
        let verdict = question.await;
        if verdict == BearerVerdict::Unknown {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if last.as_ref().is_some_and(|(asked, _)| asked == token) {
                *last = None;
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn concurrent_questions_about_one_token_are_asked_once_and_unknown_is_forgotten() {
        let probe = Arc::new(BearerProbe::default());
        let asked = Arc::new(AtomicU32::new(0));
        let token = AccessToken::new("t1").expect("a header value");
        let ask = |answer: BearerVerdict| {
            let asked = Arc::clone(&asked);
            move || {
                async move {
                    asked.fetch_add(1, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    answer
                }
                .boxed()
            }
        };
        let verdicts = futures::future::join_all(
            (0..32).map(|_| probe.verdict(&token, ask(BearerVerdict::Refused))),
        )
        .await;
        assert!(verdicts.iter().all(|v| *v == BearerVerdict::Refused));
        assert_eq!(asked.load(Ordering::SeqCst), 1, "one question for 32 calls");

        let other = AccessToken::new("t2").expect("a header value");
        assert_eq!(
            probe.verdict(&other, ask(BearerVerdict::Unknown)).await,
            BearerVerdict::Unknown
        );
        assert_eq!(
            probe.verdict(&other, ask(BearerVerdict::Accepted)).await,
            BearerVerdict::Accepted,
            "an unknown answer is asked again"
        );
        assert_eq!(asked.load(Ordering::SeqCst), 3);
    }
}
