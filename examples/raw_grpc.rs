//! Calling an RPC the facade does not wrap, through `client.raw()`: here
//! `UserService.SearchUsers`, page by page.
//!
//! `client.raw()` hands out the generated tonic clients over the SDK's own
//! channel, so the call carries the same client-credentials token (fetched
//! and refreshed for you) as every facade method. What the facade would add
//! is not there: no argument checks before the call, no retries, no
//! unwrapping; requests and responses are the proto messages themselves.
//! A `tonic::Status` converts into [`scalekit::Error`] with `?`, with the
//! facade's mapping, so `err.code()` and the predicates work as usual.
//!
//! A server that does not offer the RPC answers `UNIMPLEMENTED`
//! (`scalekit-emulator` does so, naming the method, for RPCs it has not
//! written); `main` shows telling that apart from other failures.
//!
//! ```text
//! cargo run --example raw_grpc
//! cargo run --example raw_grpc -- acme   # search for something else
//! ```
//!
//! Without `SCALEKIT_ENVIRONMENT_URL` (and `_CLIENT_ID`, `_CLIENT_SECRET`) it
//! starts an embedded `scalekit-emulator` and creates a few users to find.

use scalekit::organizations::CreateOrganizationOptions;
use scalekit::proto::users::{SearchUsersRequest, User};
use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};
use scalekit::{Code, ScalekitClient, ENV_ENVIRONMENT_URL};

/// Pages fetched at most, so that a server repeating a page token cannot
/// keep the loop going.
const MAX_PAGES: usize = 100;

/// Every user matching `query` (email, name, id or external id; at least
/// three characters), fetched `page_size` at a time (at most 30).
///
/// # Errors
/// The server's refusal as a [`scalekit::Error`]: `InvalidArgument` for a
/// short query or page size over 30, `Unimplemented` where the server does
/// not offer `SearchUsers`, and the usual transport and auth errors.
pub async fn search_users(
    client: &ScalekitClient,
    query: &str,
    page_size: u32,
) -> scalekit::Result<Vec<User>> {
    let mut users = client.raw().users();
    let mut found = Vec::new();
    let mut page_token = String::new();
    for _ in 0..MAX_PAGES {
        let page = users
            .search_users(SearchUsersRequest {
                query: query.to_string(),
                page_size,
                page_token: page_token.clone(),
            })
            .await?
            .into_inner();
        found.extend(page.users);
        if page.next_page_token.is_empty() || page.next_page_token == page_token {
            break;
        }
        page_token = page.next_page_token;
    }
    Ok(found)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let query = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "example.com".into());
    // Keep the emulator alive for the whole run when we start one.
    let (client, _emulator) = if std::env::var_os(ENV_ENVIRONMENT_URL).is_some() {
        (ScalekitClient::from_env()?, None)
    } else {
        let emulator = scalekit_emulator::Emulator::builder().start().await?;
        println!(
            "no {ENV_ENVIRONMENT_URL} set: using an embedded scalekit-emulator at {}",
            emulator.env_url()
        );
        let client = emulator.client()?;
        seed(&client).await?;
        (client, Some(emulator))
    };

    match search_users(&client, &query, 30).await {
        Ok(users) => {
            println!("{} user(s) match {query:?}:", users.len());
            for user in users {
                println!("  {} <{}>", user.id, user.email);
            }
        }
        Err(err) if err.code() == Some(Code::Unimplemented) => {
            println!("this server does not offer SearchUsers: {err}");
        }
        Err(err) => return Err(err.into()),
    }
    Ok(())
}

/// Users for the emulator to find.
async fn seed(client: &ScalekitClient) -> scalekit::Result<()> {
    let organization = client
        .organizations()
        .create_organization("Example Co", CreateOrganizationOptions::default())
        .await?;
    for email in [
        "ada@example.com",
        "grace@example.com",
        "alan@elsewhere.test",
    ] {
        client
            .users()
            .create_user_and_membership(
                &organization.id,
                CreateUser {
                    email: email.into(),
                    ..Default::default()
                },
                CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
            )
            .await?;
    }
    Ok(())
}
