//! The quickstart: provision an organization and a user, open an admin
//! portal link, give the user a role, list the organization's users, then
//! clean up.
//!
//! With `SCALEKIT_ENVIRONMENT_URL`, `SCALEKIT_CLIENT_ID` and
//! `SCALEKIT_CLIENT_SECRET` set, it runs against that environment (creating
//! and deleting its own demo organization). Without them it starts an
//! embedded `scalekit-emulator` and runs against that.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use futures::TryStreamExt as _;
use scalekit::organizations::CreateOrganizationOptions;
use scalekit::users::{
    CreateUser, CreateUserAndMembershipOptions, ListOrganizationUsersOptions,
    UpdateMembershipOptions,
};
use scalekit::{ScalekitClient, ENV_ENVIRONMENT_URL};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the emulator alive for the whole run when we start one.
    let (client, _emulator) = if std::env::var_os(ENV_ENVIRONMENT_URL).is_some() {
        let client = ScalekitClient::from_env()?;
        println!("environment: {}", client.env_url());
        (client, None)
    } else {
        let emulator = scalekit_emulator::Emulator::builder().start().await?;
        println!(
            "no {ENV_ENVIRONMENT_URL} set: using an embedded scalekit-emulator at {}",
            emulator.env_url()
        );
        let client = ScalekitClient::new(
            emulator.env_url(),
            emulator.client_id(),
            emulator.client_secret(),
        )?;
        (client, Some(emulator))
    };

    run(&client).await?;
    println!("done");
    Ok(())
}

async fn run(client: &ScalekitClient) -> Result<(), Box<dyn std::error::Error>> {
    let organizations = client.organizations();
    let organization = organizations
        .create_organization(
            "Quickstart Inc",
            CreateOrganizationOptions::default().with_metadata("source", "quickstart"),
        )
        .await?;
    println!(
        "created organization {} ({})",
        organization.id, organization.display_name
    );

    let link = organizations.generate_portal_link(&organization.id).await?;
    println!("admin portal link (valid for a minute): {}", link.location);

    let result = provision_user(client, &organization.id).await;

    organizations.delete_organization(&organization.id).await?;
    println!("deleted organization {}", organization.id);
    result
}

async fn provision_user(
    client: &ScalekitClient,
    org_id: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let users = client.users();
    let user = users
        .create_user_and_membership(
            org_id,
            CreateUser {
                email: "ada@quickstart.example".into(),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
        )
        .await?;
    println!("created user {} <{}>", user.id, user.email);

    let user = users
        .update_membership(
            org_id,
            &user.id,
            UpdateMembershipOptions::default().with_roles(["admin"]),
        )
        .await?;
    let roles: Vec<&str> = user
        .memberships
        .iter()
        .flat_map(|m| m.roles.iter().map(|r| r.name.as_str()))
        .collect();
    println!("{} now has roles {roles:?}", user.email);

    let page = users
        .list_organization_users(
            org_id,
            ListOrganizationUsersOptions::default().with_page_size(10),
        )
        .await?;
    println!("organization has {} user(s):", page.total_size);
    for member in &page {
        println!("  {} <{}>", member.id, member.email);
    }

    let everyone: Vec<_> = users
        .list_users_stream(Default::default())
        .try_collect()
        .await?;
    println!("the environment has {} user(s) in all", everyone.len());

    users.delete_user(&user.id).await?;
    println!("deleted user {}", user.id);
    Ok(())
}
