//! "Bring your own auth": tell Scalekit who signed in on your login page.
//!
//! [`AuthClient`] wraps the one RPC of `scalekit.v1.auth.AuthService` the
//! other Scalekit SDKs call. When Scalekit (for example its MCP auth) hands a
//! sign-in to your application's own login page, it passes a connection id
//! and a login request id; once you have signed the user in, report them with
//! [`update_login_user_details`](AuthClient::update_login_user_details),
//! which answers with the id of the authentication request, the key to that
//! sign-in in Scalekit's auth logs.
//!
//! ```
//! use scalekit::auth::User;
//!
//! async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//!     let user = User {
//!         sub: "user-4711".to_owned(),
//!         email: "ada@example.com".to_owned(),
//!         ..Default::default()
//!     };
//!     let auth_request_id = client
//!         .auth()
//!         .update_login_user_details("conn_123", "login_456", user)
//!         .await?;
//!     println!("see auth request {auth_request_id} in the auth logs");
//!     Ok(())
//! }
//! ```

#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::proto::auth::{AuthServiceClient, UpdateLoginUserDetailsRequest};
use crate::transport::call::{call, Stub};
use crate::transport::AuthChannel;
use crate::validate;

pub use crate::proto::auth::User;

/// Login user details; obtained from
/// [`ScalekitClient::auth`](crate::ScalekitClient::auth).
///
/// A cheap handle: it clones the client's authenticated channel, which adds
/// the access token, the SDK headers and the per-request timeout to every
/// call.
///
/// ```
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let user = scalekit::auth::User { email: "ada@example.com".to_owned(), ..Default::default() };
///     client.auth().update_login_user_details("conn_123", "login_456", user).await?;
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct AuthClient {
    stub: Stub<AuthServiceClient<AuthChannel>>,
}

impl AuthClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        AuthClient {
            stub: Stub::new(
                channel,
                "scalekit.v1.auth.AuthService",
                AuthServiceClient::new,
            ),
        }
    }

    /// Reports the user your application signed in for an ongoing login
    /// request, and returns the id of its authentication request.
    ///
    /// ```
    /// use scalekit::auth::User;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let user = User {
    ///         sub: "user-4711".to_owned(),
    ///         email: "ada@example.com".to_owned(),
    ///         given_name: "Ada".to_owned(),
    ///         email_verified: true,
    ///         ..Default::default()
    ///     };
    ///     let auth_request_id = client
    ///         .auth()
    ///         .update_login_user_details("conn_123", "login_456", user)
    ///         .await?;
    ///     println!("login handed back as auth request {auth_request_id}");
    ///     Ok(())
    /// }
    /// ```
    ///
    /// `user` is sent as given; Scalekit continues the sign-in as that user.
    /// The returned id names the authentication request the login belongs
    /// to: the same for every update of one login request, and the id to
    /// look the sign-in up by in Scalekit's auth logs. A server older than
    /// this response (which answered with an empty message) yields an empty
    /// string: the update itself succeeded, so that is not an error.
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidArgument`] if `connection_id` or `login_request_id`
    ///   is empty, untrimmed or contains `/`; nothing is sent.
    /// - [`Error::Api`] for a server rejection, e.g. `NOT_FOUND` for an
    ///   unknown connection or login request ([`Error::is_not_found`]) or
    ///   `INVALID_ARGUMENT` for a user with neither email nor subject.
    /// - [`Error::Transport`], [`Error::Timeout`] or [`Error::Auth`] when the
    ///   call could not be completed.
    ///
    /// API reference: <https://docs.scalekit.com/apis/#tag/api%20auth>
    pub async fn update_login_user_details(
        &self,
        connection_id: &str,
        login_request_id: &str,
        user: User,
    ) -> Result<String> {
        let request = update_login_user_details_request(connection_id, login_request_id, user)?;
        let response = call!(self.stub, update_login_user_details(request)).await?;
        Ok(response.auth_request_id)
    }
}

fn update_login_user_details_request(
    connection_id: &str,
    login_request_id: &str,
    user: User,
) -> Result<UpdateLoginUserDetailsRequest> {
    validate::require_id("connection_id", connection_id)?;
    validate::require_id("login_request_id", login_request_id)?;
    Ok(UpdateLoginUserDetailsRequest {
        connection_id: connection_id.to_owned(),
        login_request_id: login_request_id.to_owned(),
        user: Some(user),
    })
}

#[cfg(test)]
mod tests {
    //! `REF_*` is the request the reference Node SDK (`@scalekit-sdk/node`
    //! 2.2.2, `lib/auth.js`) encodes for the same call, captured by running
    //! its `AuthClient` with a `createClient` stub that records
    //! `toBinary(method.input, create(method.input, req))`.

    use super::*;
    use crate::error::Error;
    use crate::test_support::decode;

    const REF_UPDATE_LOGIN_USER_DETAILS: &str =
        "0a06636f6e6e5f3112076c6f67696e5f311a0c0a02733112066140622e636f";

    // updateLoginUserDetails('conn_1', 'login_1', { email: 'a@b.co', sub: 's1' })
    #[test]
    fn update_login_user_details_request_matches_reference() {
        let user = User {
            email: "a@b.co".to_owned(),
            sub: "s1".to_owned(),
            ..Default::default()
        };
        assert_eq!(
            update_login_user_details_request("conn_1", "login_1", user).unwrap(),
            decode::<UpdateLoginUserDetailsRequest>(REF_UPDATE_LOGIN_USER_DETAILS)
        );
    }

    #[test]
    fn update_login_user_details_request_rejects_invalid_ids() {
        for id in ["", " ", " x", "a/b"] {
            let err = update_login_user_details_request(id, "login_1", User::default());
            assert!(matches!(
                err,
                Err(Error::InvalidArgument {
                    field: "connection_id",
                    ..
                })
            ));
            let err = update_login_user_details_request("conn_1", id, User::default());
            assert!(matches!(
                err,
                Err(Error::InvalidArgument {
                    field: "login_request_id",
                    ..
                })
            ));
        }
    }
}
