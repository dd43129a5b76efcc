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
use tokio::time::Instant;

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
    last: Mutex<Option<Question>>,
}

struct Question {
    token: AccessToken,
    /// When it was asked.
    asked_at: Instant,
    answer: Shared<BoxFuture<'static, BearerVerdict>>,
}

impl Question {
    /// Whether its answer holds for a refusal that arrived at
    /// `refused_at`. "Refused" holds for good: a token the server stopped
    /// accepting never works again. "Accepted" holds only from when it was
    /// asked: the token may have been revoked since, and a refusal that
    /// arrived later may then be the door's.
    fn answers(&self, token: &AccessToken, refused_at: Instant) -> bool {
        self.token == *token
            && (self.asked_at >= refused_at || self.answer.peek() != Some(&BearerVerdict::Accepted))
    }
}

impl std::fmt::Debug for BearerProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerProbe").finish_non_exhaustive()
    }
}

impl BearerProbe {
    /// The verdict on `token` for a refusal that arrived at `refused_at`:
    /// the answer already given or being sought for it when that still
    /// holds (see `Question::answers`), else the answer of `ask()`. An
    /// `Unknown` answer is not kept, so the next call asks again.
    pub(crate) async fn verdict(
        &self,
        token: &AccessToken,
        refused_at: Instant,
        ask: impl FnOnce() -> BoxFuture<'static, BearerVerdict>,
    ) -> BearerVerdict {
        let answer = {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            match last.as_ref() {
                Some(question) if question.answers(token, refused_at) => question.answer.clone(),
                _ => {
                    let answer = ask().shared();
                    *last = Some(Question {
                        token: token.clone(),
                        asked_at: Instant::now(),
                        answer: answer.clone(),
                    });
                    answer
                }
            }
        };
        let verdict = answer.await;
        if verdict == BearerVerdict::Unknown {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if last.as_ref().is_some_and(|q| q.token == *token) {
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
        let now = Instant::now();
        let verdicts = futures::future::join_all(
            (0..32).map(|_| probe.verdict(&token, now, ask(BearerVerdict::Refused))),
        )
        .await;
        assert!(verdicts.iter().all(|v| *v == BearerVerdict::Refused));
        assert_eq!(asked.load(Ordering::SeqCst), 1, "one question for 32 calls");

        let other = AccessToken::new("t2").expect("a header value");
        assert_eq!(
            probe
                .verdict(&other, now, ask(BearerVerdict::Unknown))
                .await,
            BearerVerdict::Unknown
        );
        assert_eq!(
            probe
                .verdict(&other, now, ask(BearerVerdict::Accepted))
                .await,
            BearerVerdict::Accepted,
            "an unknown answer is asked again"
        );
        assert_eq!(asked.load(Ordering::SeqCst), 3);
    }

    /// "Accepted" is true only from when it was asked: a refusal that
    /// arrives later (the token may have been revoked meanwhile) asks
    /// again. "Refused" stays true for every later refusal.
    #[tokio::test(start_paused = true)]
    async fn an_accepted_verdict_answers_only_refusals_from_before_it_was_asked() {
        let probe = BearerProbe::default();
        let asked = Arc::new(AtomicU32::new(0));
        let ask = |answer: BearerVerdict| {
            let asked = Arc::clone(&asked);
            move || {
                async move {
                    asked.fetch_add(1, Ordering::SeqCst);
                    answer
                }
                .boxed()
            }
        };
        let token = AccessToken::new("t1").expect("a header value");
        let first = Instant::now();
        let accepted = probe.verdict(&token, first, ask(BearerVerdict::Accepted));
        assert_eq!(accepted.await, BearerVerdict::Accepted);
        let earlier = probe.verdict(&token, first, ask(BearerVerdict::Refused));
        assert_eq!(earlier.await, BearerVerdict::Accepted, "answered already");
        assert_eq!(asked.load(Ordering::SeqCst), 1);

        tokio::time::advance(std::time::Duration::from_millis(5)).await;
        let later = probe.verdict(&token, Instant::now(), ask(BearerVerdict::Refused));
        assert_eq!(later.await, BearerVerdict::Refused, "asked again");
        tokio::time::advance(std::time::Duration::from_millis(5)).await;
        let after = probe.verdict(&token, Instant::now(), ask(BearerVerdict::Accepted));
        assert_eq!(after.await, BearerVerdict::Refused, "refused stays refused");
        assert_eq!(asked.load(Ordering::SeqCst), 2);
    }
}
