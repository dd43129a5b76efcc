//! [`RawClients`]: the generated gRPC clients, authenticated.
//!
//! Every RPC in `proto/` can be called this way, including those the facade
//! does not wrap:
//!
//! ```
//! # async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
//! use scalekit::proto::users::SearchUsersRequest;
//!
//! let response = client
//!     .raw()
//!     .users()
//!     .search_users(SearchUsersRequest {
//!         query: "jane@acme.com".into(),
//!         ..Default::default()
//!     })
//!     .await?          // tonic::Status converts into scalekit::Error
//!     .into_inner();
//! println!("{} users", response.users.len());
//! # Ok(())
//! # }
//! ```
//!
//! Errors come back as [`tonic::Status`]; `?` in a function returning
//! [`scalekit::Result`](crate::Result) converts them into [`Error`](crate::Error)
//! with the same mapping the facade uses.

use crate::proto;
use crate::transport::AuthChannel;
/// The body of a response read through [`AuthChannel`].
pub use crate::transport::ResponseBody;

/// Factory for authenticated generated clients; see the [module docs](self).
///
/// Each method returns a new generated client over the shared
/// [`AuthChannel`]; creating one is cheap.
#[derive(Clone, Debug)]
pub struct RawClients {
    channel: AuthChannel,
}

macro_rules! raw_clients {
    ($($(#[$doc:meta])* $method:ident => $client:ty;)*) => {
        impl RawClients {
            pub(crate) fn new(channel: AuthChannel) -> Self {
                RawClients { channel }
            }

            /// The authenticated channel itself, for generated clients built by hand.
            pub fn channel(&self) -> AuthChannel {
                self.channel.clone()
            }

            $(
                $(#[$doc])*
                pub fn $method(&self) -> $client {
                    <$client>::new(self.channel.clone())
                }
            )*
        }
    };
}

raw_clients! {
    /// `scalekit.v1.auditlogs.AuditLogsService`.
    audit_logs => proto::auditlogs::AuditLogsServiceClient<AuthChannel>;
    /// `scalekit.v1.auth.AuthService`.
    auth => proto::auth::AuthServiceClient<AuthChannel>;
    /// `scalekit.v1.auth.passwordless.PasswordlessService`.
    passwordless => proto::auth::passwordless::PasswordlessServiceClient<AuthChannel>;
    /// `scalekit.v1.auth.webauthn.WebAuthnService`.
    webauthn => proto::auth::webauthn::WebAuthnServiceClient<AuthChannel>;
    /// `scalekit.v1.connections.ConnectionService`.
    connections => proto::connections::ConnectionServiceClient<AuthChannel>;
    /// `scalekit.v1.directories.DirectoryService`.
    directories => proto::directories::DirectoryServiceClient<AuthChannel>;
    /// `scalekit.v1.domains.DomainService`.
    domains => proto::domains::DomainServiceClient<AuthChannel>;
    /// `scalekit.v1.organizations.OrganizationService`.
    organizations => proto::organizations::OrganizationServiceClient<AuthChannel>;
    /// `scalekit.v1.roles.RolesService`.
    roles => proto::roles::RolesServiceClient<AuthChannel>;
    /// `scalekit.v1.sessions.SessionService`.
    sessions => proto::sessions::SessionServiceClient<AuthChannel>;
    /// `scalekit.v1.users.UserService`.
    users => proto::users::UserServiceClient<AuthChannel>;
    /// `scalekit.v1.tokens.ApiTokenService`: organizations' API tokens.
    tokens => proto::tokens::ApiTokenServiceClient<AuthChannel>;
    /// `scalekit.v1.clients.ClientService`: OAuth clients, organization
    /// (M2M) clients among them.
    clients => proto::clients::ClientServiceClient<AuthChannel>;
    /// `scalekit.v1.events.EventsService`.
    events => proto::events::EventsServiceClient<AuthChannel>;
    /// `scalekit.v1.tools.ToolService`: the agent surface's tools and
    /// actions, which have no facade yet.
    tools => proto::tools::ToolServiceClient<AuthChannel>;
    /// `scalekit.v1.connected_accounts.ConnectedAccountService`: the agent
    /// surface's connected accounts, which have no facade yet.
    connected_accounts => proto::connected_accounts::ConnectedAccountServiceClient<AuthChannel>;
}
