//! Scripted replies: for the calls of a method, a sequence of answers the
//! emulator gives instead of (or on top of) what its handler would, one
//! per call, each after a latency of its own.
//!
//! A reply answers for the service, so it is used up only by calls that
//! passed the gate's own checks (the faults before the bearer check, the
//! rate limit and the bearer check itself), as the service's own errors
//! come only to authenticated calls.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use scalekit::proto::errdetails::validation_error_info::FieldViolation;
use scalekit::proto::errdetails::{ErrorInfo, ValidationErrorInfo};
use tonic::{Code, Status};

use crate::after_handler::AfterHandler;
use crate::env::method_matches;
use crate::status;
use crate::tokens::lock;

/// One scripted answer to one call, for
/// [`EmulatorHandle::script`](crate::EmulatorHandle::script).
///
/// A reply either lets the handler answer ([`pass`](Reply::pass)), answers
/// an error in its place ([`error`](Reply::error)), or lets the handler run
/// and then changes what the client gets
/// ([`error_after_commit`](Reply::error_after_commit) and the other
/// after-the-handler faults). Any of them can wait first
/// ([`after`](Reply::after)).
///
/// ```
/// use std::time::Duration;
/// use scalekit_emulator::{Code, Reply};
///
/// let replies = [
///     Reply::error(Code::InvalidArgument, "invalid email")
///         .with_error_code("INVALID_EMAIL")
///         .with_field_violation("user.email", "not an email address"),
///     Reply::error(Code::Unavailable, "try again").after(Duration::from_millis(50)),
///     Reply::pass(),
/// ];
/// # let _ = replies;
/// ```
#[derive(Clone, Debug)]
pub struct Reply {
    step: Step,
    latency: Duration,
}

#[derive(Clone, Debug)]
enum Step {
    /// The handler answers.
    Pass,
    /// This error answers; the handler does not run.
    Error(Box<ErrorReply>),
    /// The handler runs, then this changes its answer.
    AfterHandler(AfterHandler),
}

/// A gRPC error with Scalekit's details: a code, a message and an
/// `ErrorInfo`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ErrorReply {
    code: Code,
    message: String,
    info: ErrorInfo,
}

impl ErrorReply {
    fn new(code: Code, message: String) -> Self {
        ErrorReply {
            code,
            message,
            info: ErrorInfo {
                error_code: code_name(code),
                ..Default::default()
            },
        }
    }

    pub(crate) fn code(&self) -> Code {
        self.code
    }

    /// The status to answer, with the `ErrorInfo` in its details.
    pub(crate) fn status(&self) -> Status {
        status::with_error_info(self.code, self.message.clone(), self.info.clone())
    }
}

/// A code's name as gRPC spells it (`INVALID_ARGUMENT`), the error code a
/// reply carries unless told otherwise.
fn code_name(code: Code) -> String {
    let mut name = String::new();
    for (i, c) in format!("{code:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

impl Reply {
    /// The handler answers, as if nothing were scripted. (A fault from
    /// [`fail_next_after_commit`](crate::EmulatorHandle::fail_next_after_commit)
    /// and its kin can still apply.)
    pub fn pass() -> Reply {
        Reply::step(Step::Pass)
    }

    /// Answers `code` with `message` instead of running the handler, so
    /// nothing is written. The status's details carry an `ErrorInfo` whose
    /// error code is the code's name (`INVALID_ARGUMENT`) unless
    /// [`with_error_code`](Self::with_error_code) sets another.
    pub fn error(code: Code, message: impl Into<String>) -> Reply {
        Reply::step(Step::Error(Box::new(ErrorReply::new(code, message.into()))))
    }

    /// Runs the handler, so its writes are committed, then answers `code`
    /// with `message` instead of its answer: a write the service applied
    /// although the client was told it failed. Takes the same details as
    /// [`error`](Self::error).
    pub fn error_after_commit(code: Code, message: impl Into<String>) -> Reply {
        Reply::step(Step::AfterHandler(AfterHandler::Error(Box::new(
            ErrorReply::new(code, message.into()),
        ))))
    }

    /// Runs the handler, then resets the stream instead of answering (see
    /// [`reset_next_after_commit`](crate::EmulatorHandle::reset_next_after_commit)).
    pub fn reset_after_commit() -> Reply {
        Reply::step(Step::AfterHandler(AfterHandler::Reset))
    }

    /// Runs the handler, then sends the response headers and nothing more
    /// (see [`stall_next_after_headers`](crate::EmulatorHandle::stall_next_after_headers)).
    pub fn stall_after_headers() -> Reply {
        Reply::step(Step::AfterHandler(AfterHandler::StallAfterHeaders))
    }

    /// Runs the handler, then sends the headers and the message but never
    /// the trailers (see [`stall_next_before_trailers`](crate::EmulatorHandle::stall_next_before_trailers)).
    pub fn stall_before_trailers() -> Reply {
        Reply::step(Step::AfterHandler(AfterHandler::StallBeforeTrailers))
    }

    /// Runs the handler, then sends its answer in small pieces over at
    /// least `at_least` (see [`trickle_next`](crate::EmulatorHandle::trickle_next)).
    pub fn trickle(at_least: Duration) -> Reply {
        Reply::step(Step::AfterHandler(AfterHandler::Trickle(at_least)))
    }

    fn step(step: Step) -> Reply {
        Reply {
            step,
            latency: Duration::ZERO,
        }
    }

    /// Waits `latency` before the reply applies: before the handler runs,
    /// or before the error is answered.
    pub fn after(mut self, latency: Duration) -> Reply {
        self.latency = latency;
        self
    }

    /// The `ErrorInfo.error_code` of an error reply (`USER_ALREADY_EXISTS`,
    /// say). Does nothing to a reply that answers no error.
    pub fn with_error_code(self, error_code: impl Into<String>) -> Reply {
        let error_code = error_code.into();
        self.with_info(|info| info.error_code = error_code)
    }

    /// Adds a field violation to the `ErrorInfo` of an error reply (its
    /// `validation_error_info`, where the service lists the request fields
    /// it refused). Does nothing to a reply that answers no error.
    pub fn with_field_violation(
        self,
        field: impl Into<String>,
        description: impl Into<String>,
    ) -> Reply {
        let violation = FieldViolation {
            field: field.into(),
            description: description.into(),
            constraint: String::new(),
        };
        self.with_info(|info| {
            info.validation_error_info
                .get_or_insert_with(ValidationErrorInfo::default)
                .field_violations
                .push(violation)
        })
    }

    /// Replaces the whole `ErrorInfo` of an error reply, for details the
    /// other methods do not set (request info, help links, a localized
    /// message). Does nothing to a reply that answers no error.
    pub fn with_error_info(self, info: ErrorInfo) -> Reply {
        self.with_info(|details| *details = info)
    }

    fn with_info(mut self, change: impl FnOnce(&mut ErrorInfo)) -> Reply {
        match &mut self.step {
            Step::Error(error) | Step::AfterHandler(AfterHandler::Error(error)) => {
                change(&mut error.info)
            }
            Step::Pass | Step::AfterHandler(_) => {}
        }
        self
    }
}

/// The scripts of one environment: for a method filter (see
/// [`method_matches`]; `None` for every method), the replies still to
/// give, in order.
#[derive(Default)]
pub(crate) struct Scripts(Mutex<Vec<(Option<String>, VecDeque<Reply>)>>);

impl Scripts {
    pub(crate) fn add(&self, method: Option<&str>, replies: impl IntoIterator<Item = Reply>) {
        let replies: VecDeque<Reply> = replies.into_iter().collect();
        if !replies.is_empty() {
            lock(&self.0).push((method.map(str::to_string), replies));
        }
    }

    /// The next reply for a call of `method`, from the oldest script that
    /// names it; a script is dropped with its last reply.
    fn take(&self, method: &str) -> Option<Reply> {
        let mut scripts = lock(&self.0);
        let index = scripts.iter().position(|(filter, _)| {
            filter
                .as_deref()
                .is_none_or(|filter| method_matches(filter, method))
        })?;
        let reply = scripts[index].1.pop_front();
        if scripts[index].1.is_empty() {
            scripts.remove(index);
        }
        reply
    }

    pub(crate) fn clear(&self) {
        lock(&self.0).clear();
    }
}

/// What a call does, as its script says.
pub(crate) enum Scripted {
    /// Answer this status; the handler does not run.
    Answer(Box<Status>),
    /// Run the handler, then apply this fault to its answer (or, for
    /// `None`, whatever other fault is due).
    Run(Option<AfterHandler>),
}

/// Takes the next reply scripted for a call of `method` and waits out its
/// latency.
pub(crate) async fn next(scripts: &Scripts, method: &str) -> Scripted {
    let Some(reply) = scripts.take(method) else {
        return Scripted::Run(None);
    };
    if !reply.latency.is_zero() {
        tokio::time::sleep(reply.latency).await;
    }
    match reply.step {
        Step::Pass => Scripted::Run(None),
        Step::Error(error) => Scripted::Answer(Box::new(error.status())),
        Step::AfterHandler(fault) => Scripted::Run(Some(fault)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET_USER: &str = "scalekit.v1.users.UserService/GetUser";
    const LIST_USERS: &str = "scalekit.v1.users.UserService/ListUsers";

    fn code_of(reply: Option<Reply>) -> Option<Code> {
        match reply?.step {
            Step::Error(error) => Some(error.code),
            _ => None,
        }
    }

    #[test]
    fn replies_come_in_order_for_their_method_then_stop() {
        let scripts = Scripts::default();
        scripts.add(
            Some("GetUser"),
            [
                Reply::error(Code::Unavailable, "a"),
                Reply::error(Code::NotFound, "b"),
            ],
        );
        assert!(scripts.take(LIST_USERS).is_none());
        assert_eq!(code_of(scripts.take(GET_USER)), Some(Code::Unavailable));
        assert_eq!(code_of(scripts.take(GET_USER)), Some(Code::NotFound));
        assert!(scripts.take(GET_USER).is_none());
    }

    #[test]
    fn the_oldest_script_that_names_the_method_goes_first() {
        let scripts = Scripts::default();
        scripts.add(None, [Reply::error(Code::Internal, "every method")]);
        scripts.add(Some("GetUser"), [Reply::error(Code::NotFound, "GetUser")]);
        scripts.add(None, []);
        assert_eq!(code_of(scripts.take(GET_USER)), Some(Code::Internal));
        assert_eq!(code_of(scripts.take(GET_USER)), Some(Code::NotFound));
        scripts.add(Some("GetUser"), [Reply::pass()]);
        scripts.clear();
        assert!(scripts.take(GET_USER).is_none());
    }

    #[test]
    fn error_details_are_set_on_error_replies_only() {
        let Step::Error(error) = Reply::error(Code::InvalidArgument, "bad")
            .with_field_violation("email", "not an email")
            .with_field_violation("name", "too long")
            .step
        else {
            panic!("an error reply");
        };
        assert_eq!(error.info.error_code, "INVALID_ARGUMENT");
        let fields: Vec<_> = error
            .info
            .validation_error_info
            .iter()
            .flat_map(|v| &v.field_violations)
            .map(|v| v.field.as_str())
            .collect();
        assert_eq!(fields, ["email", "name"]);
        let Step::AfterHandler(AfterHandler::Error(after)) =
            Reply::error_after_commit(Code::DeadlineExceeded, "late")
                .with_error_code("SLOW")
                .step
        else {
            panic!("an after-commit error");
        };
        assert_eq!(after.info.error_code, "SLOW");
        assert!(matches!(
            Reply::pass().with_error_code("IGNORED").step,
            Step::Pass
        ));
    }

    #[test]
    fn code_names_are_grpc_spellings() {
        for (code, name) in [
            (Code::Ok, "OK"),
            (Code::InvalidArgument, "INVALID_ARGUMENT"),
            (Code::DeadlineExceeded, "DEADLINE_EXCEEDED"),
            (Code::Unauthenticated, "UNAUTHENTICATED"),
        ] {
            assert_eq!(code_name(code), name);
        }
    }
}
