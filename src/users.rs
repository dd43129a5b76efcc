//! Users and their organization memberships.

use crate::transport::AuthChannel;

/// Users and memberships; obtained from [`ScalekitClient::users`](crate::ScalekitClient::users).
#[derive(Clone, Debug)]
pub struct UsersClient {
    grpc: crate::proto::users::UserServiceClient<AuthChannel>,
}

impl UsersClient {
    pub(crate) fn new(channel: AuthChannel) -> Self {
        UsersClient {
            grpc: crate::proto::users::UserServiceClient::new(channel),
        }
    }
}
