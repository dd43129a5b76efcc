//! Login requests of "bring your own auth" sign-ins.

use scalekit::proto::auth::User;

/// A login request of a connection, with the user reported for it.
#[derive(Clone, Debug, Default)]
pub(crate) struct LoginRequest {
    pub(crate) connection_id: String,
    pub(crate) user: Option<User>,
    /// The id of the user's authentication journey, which
    /// `UpdateLoginUserDetails` reports back (`ar_…`).
    pub(crate) auth_request_id: String,
}
