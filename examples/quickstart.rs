//! The quickstart: one afternoon of a B2B app's life with Scalekit.
//!
//! It creates an organization, adds its email domain, adds a team with
//! roles, reads the member list page by page, defines a role with
//! permissions and checks what the role grants, opens an admin-portal link,
//! builds a sign-in URL, and then deletes everything it created. The
//! clean-up also runs when a step fails halfway.
//!
//! With `SCALEKIT_ENVIRONMENT_URL`, `SCALEKIT_CLIENT_ID` and
//! `SCALEKIT_CLIENT_SECRET` set, it runs against that environment. Without
//! them it starts an embedded `scalekit-emulator`, so a fresh clone needs no
//! configuration:
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! On failure it prints the error and its kind and exits with status 1.

use std::process::ExitCode;

use scalekit::domains::{CreateDomainOptions, DomainType};
use scalekit::error::DisplayChain;
use scalekit::organizations::CreateOrganizationOptions;
use scalekit::permissions::CreatePermission;
use scalekit::roles::{CreateRole, DeleteRoleOptions};
use scalekit::users::{
    CreateMembership, CreateUser, CreateUserAndMembershipOptions, CreateUserProfile,
    ListOrganizationUsersOptions, Role, UpdateMembershipOptions, User,
};
use scalekit::{ScalekitClient, ENV_ENVIRONMENT_URL};

/// Members per page when listing: small, so that the team spans pages.
const PAGE_SIZE: u32 = 2;

/// The team: given name, family name, roles in the organization. The first
/// one is the organization's admin.
const TEAM: &[(&str, &str, &[&str])] = &[
    ("Ada", "Lovelace", &["admin"]),
    ("Grace", "Hopper", &["member"]),
    ("Alan", "Turing", &["member"]),
    ("Katherine", "Johnson", &["member"]),
    ("Edsger", "Dijkstra", &["member"]),
];

/// The permissions the quickstart defines, and the two roles built on them:
/// a viewer, and an editor that extends the viewer.
const READ_REPORTS: &str = "read:quickstart_reports";
const WRITE_REPORTS: &str = "write:quickstart_reports";
const VIEWER_ROLE: &str = "quickstart_report_viewer";
const EDITOR_ROLE: &str = "quickstart_report_editor";

#[tokio::main]
async fn main() -> ExitCode {
    // `_emulator` keeps the embedded emulator, if any, running until the end.
    let (client, _emulator) = match connect().await {
        Ok(connected) => connected,
        Err(err) => {
            eprintln!("error: {}", DisplayChain::new(&*err));
            return ExitCode::FAILURE;
        }
    };
    match run(&client).await {
        Ok(()) => {
            println!("\ndone: everything the quickstart created is deleted");
            ExitCode::SUCCESS
        }
        Err(err) => {
            report(&err);
            ExitCode::FAILURE
        }
    }
}

/// A client for the environment the variables name, or for an embedded
/// emulator when they are not set.
async fn connect(
) -> Result<(ScalekitClient, Option<scalekit_emulator::EmulatorHandle>), Box<dyn std::error::Error>>
{
    if std::env::var_os(ENV_ENVIRONMENT_URL).is_some() {
        let client = ScalekitClient::from_env()?;
        println!("Scalekit quickstart against {}", client.env_url());
        return Ok((client, None));
    }
    let emulator = scalekit_emulator::Emulator::builder().start().await?;
    let client = emulator.client()?;
    println!(
        "Scalekit quickstart against an embedded emulator at {}\n\
         (set {ENV_ENVIRONMENT_URL}, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET \
         to use your environment)",
        emulator.env_url()
    );
    Ok((client, Some(emulator)))
}

/// Prints `err` with its causes on one line, then what kind of error it is:
/// what a caller would branch on.
fn report(err: &scalekit::Error) {
    eprintln!("\nerror: {}", err.display_chain());
    match err.kind() {
        Some(kind) => eprintln!("  kind: {kind} (HTTP {})", kind.http_status()),
        None => eprintln!("  kind: none (the call failed before the API answered)"),
    }
    if err.is_retryable() {
        eprintln!("  retryable: trying again later may succeed");
    }
}

/// One line of the journey: a label column, then the detail.
fn line(label: &str, detail: impl std::fmt::Display) {
    println!("  {label:<13} {detail}");
}

fn heading(step: &str) {
    println!("\n{step}");
}

/// Walks the journey, then deletes what it created, whether the journey
/// got to the end or not. Returns the journey's error first, else the
/// clean-up's.
pub async fn run(client: &ScalekitClient) -> scalekit::Result<()> {
    let mut created = Created::default();
    let journey = journey(client, &mut created).await;
    if let Err(err) = &journey {
        println!("\nstopped: {err}; cleaning up what was created");
    }
    let cleanup = created.delete_all(client).await;
    journey.and(cleanup)
}

/// Everything the journey created, so that clean-up can delete it.
#[derive(Debug, Default)]
struct Created {
    organization: Option<String>,
    /// `(organization id, domain id)`.
    domain: Option<(String, String)>,
    users: Vec<String>,
    /// In creation order; a base role comes before the roles extending it.
    roles: Vec<String>,
    permissions: Vec<String>,
}

async fn journey(client: &ScalekitClient, created: &mut Created) -> scalekit::Result<()> {
    heading("1. Create an organization");
    let organization = client
        .organizations()
        .create_organization(
            "Quickstart Inc",
            CreateOrganizationOptions::default().with_metadata("source", "quickstart"),
        )
        .await?;
    created.organization = Some(organization.id.clone());
    let org_id = organization.id.as_str();
    line(
        "organization",
        format!("{org_id}  {}", organization.display_name),
    );

    heading("2. Add its email domain");
    // Domains and emails are unique, so they carry part of the new
    // organization's id: reruns never collide with each other.
    let tag = org_id
        .char_indices()
        .rev()
        .nth(5)
        .map_or(org_id, |(start, _)| &org_id[start..]);
    let domain_name = format!("quickstart-{tag}.example.com");
    let domain = client
        .domains()
        .create_domain(
            org_id,
            &domain_name,
            CreateDomainOptions::default().with_domain_type(DomainType::OrganizationDomain),
        )
        .await?;
    created.domain = Some((org_id.to_owned(), domain.id.clone()));
    line("domain", format!("{}  {}", domain.id, domain.domain));
    line(
        "verification",
        format!(
            "{} until the customer publishes the TXT record {}",
            domain.verification_status().as_str_name(),
            domain.txt_record_key
        ),
    );

    heading("3. Add the team, each with a membership and roles");
    for (given_name, family_name, roles) in TEAM {
        let user =
            create_member(client, org_id, &domain_name, given_name, family_name, roles).await?;
        created.users.push(user.id.clone());
        line(
            "user",
            format!(
                "{}  {} ({})",
                user.id,
                user.email,
                role_names(&user, org_id).join(", ")
            ),
        );
    }

    heading(&format!("4. List the members, {PAGE_SIZE} per page"));
    let mut opts = ListOrganizationUsersOptions::default().with_page_size(PAGE_SIZE);
    let mut page_number = 1;
    loop {
        let page = client
            .users()
            .list_organization_users(org_id, opts.clone())
            .await?;
        for (i, member) in page.items.iter().enumerate() {
            let label = if i == 0 {
                format!("page {page_number}")
            } else {
                String::new()
            };
            line(&label, format!("{}  {}", member.id, member.email));
        }
        match page.next_page_token {
            Some(token) => opts = opts.with_page_token(token),
            None => {
                line("total", format!("{} members", page.total_size));
                break;
            }
        }
        page_number += 1;
    }

    heading("5. Define a role with permissions, and check what it grants");
    for (name, description) in [
        (READ_REPORTS, "View the quickstart's reports"),
        (WRITE_REPORTS, "Edit the quickstart's reports"),
    ] {
        let permission = client
            .permissions()
            .create_permission(CreatePermission {
                name: name.to_owned(),
                description: description.to_owned(),
            })
            .await?;
        created.permissions.push(permission.name.clone());
        line(
            "permission",
            format!("{}  {}", permission.id, permission.name),
        );
    }
    let viewer = client
        .roles()
        .create_role(CreateRole {
            name: VIEWER_ROLE.to_owned(),
            display_name: "Report viewer".to_owned(),
            permissions: vec![READ_REPORTS.to_owned()],
            ..Default::default()
        })
        .await?;
    created.roles.push(viewer.name.clone());
    line("role", format!("{}  {}", viewer.id, viewer.name));
    let editor = client
        .roles()
        .create_role(CreateRole {
            name: EDITOR_ROLE.to_owned(),
            display_name: "Report editor".to_owned(),
            description: Some("Edits reports; can view them through the viewer role".to_owned()),
            extends: Some(VIEWER_ROLE.to_owned()),
            permissions: vec![WRITE_REPORTS.to_owned()],
        })
        .await?;
    created.roles.push(editor.name.clone());
    line(
        "role",
        format!("{}  {} (extends {VIEWER_ROLE})", editor.id, editor.name),
    );
    let direct = client
        .permissions()
        .list_role_permissions(EDITOR_ROLE)
        .await?;
    line("direct", names(direct.iter().map(|p| p.name.as_str())));
    let effective = client
        .permissions()
        .list_effective_role_permissions(EDITOR_ROLE)
        .await?;
    line(
        "effective",
        names(effective.iter().map(|p| p.name.as_str())),
    );

    let ada = &created.users[0];
    let ada = client
        .users()
        .update_membership(
            org_id,
            ada,
            UpdateMembershipOptions::default().with_roles(["admin", EDITOR_ROLE]),
        )
        .await?;
    line(
        "assigned",
        format!(
            "{}  {} ({})",
            ada.id,
            ada.email,
            role_names(&ada, org_id).join(", ")
        ),
    );

    heading("6. Hand the customer's IT admin a portal link");
    let link = client.organizations().generate_portal_link(org_id).await?;
    line("portal link", &link.location);
    if let Some(expires) = &link.expire_time {
        line("expires", expires);
    }

    sign_in_url(client, org_id, &ada.email)?;
    Ok(())
}

/// Step 7: the URL a web app sends Ada's browser to.
#[cfg(feature = "oidc")]
fn sign_in_url(client: &ScalekitClient, org_id: &str, email: &str) -> scalekit::Result<()> {
    use scalekit::oidc::{generate_state, AuthorizationUrlOptions, Pkce};

    /// Where a real app would receive the sign-in callback.
    const REDIRECT_URI: &str = "http://localhost:3000/callback";

    heading("7. Build a sign-in URL through the organization's SSO");
    let pkce = Pkce::generate()?;
    let url = client.get_authorization_url(
        REDIRECT_URI,
        AuthorizationUrlOptions::default()
            .with_organization_id(org_id)
            .with_login_hint(email)
            .with_state(generate_state()?)
            .with_pkce(&pkce),
    )?;
    let mut base = url.clone();
    base.set_query(None);
    line("redirect to", base);
    for (name, value) in url.query_pairs() {
        line("", format!("{name}={value}"));
    }
    Ok(())
}

#[cfg(not(feature = "oidc"))]
fn sign_in_url(_: &ScalekitClient, _: &str, _: &str) -> scalekit::Result<()> {
    heading("7. Build a sign-in URL: skipped (the `oidc` feature is off)");
    Ok(())
}

async fn create_member(
    client: &ScalekitClient,
    org_id: &str,
    domain: &str,
    given_name: &str,
    family_name: &str,
    roles: &[&str],
) -> scalekit::Result<User> {
    let user = CreateUser {
        email: format!("{}@{domain}", given_name.to_lowercase()),
        user_profile: Some(CreateUserProfile {
            given_name: given_name.to_owned(),
            family_name: family_name.to_owned(),
            ..Default::default()
        }),
        membership: Some(CreateMembership {
            roles: roles
                .iter()
                .map(|name| Role {
                    name: (*name).to_owned(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }),
        ..Default::default()
    };
    client
        .users()
        .create_user_and_membership(
            org_id,
            user,
            CreateUserAndMembershipOptions::default().with_send_invitation_email(false),
        )
        .await
}

/// The names of the user's roles in one organization.
fn role_names<'u>(user: &'u User, org_id: &str) -> Vec<&'u str> {
    user.memberships
        .iter()
        .filter(|m| m.organization_id == org_id)
        .flat_map(|m| m.roles.iter().map(|r| r.name.as_str()))
        .collect()
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names.join(", ")
}

impl Created {
    /// Deletes everything recorded, dependents first: users (they hold the
    /// roles), the domain, the organization, the roles (those extending a
    /// base before the base), then the permissions. A failed delete is
    /// printed and the rest still run; the first failure is returned.
    async fn delete_all(self, client: &ScalekitClient) -> scalekit::Result<()> {
        heading("Clean up");
        if self.organization.is_none() && self.roles.is_empty() && self.permissions.is_empty() {
            line("nothing", "was created");
            return Ok(());
        }
        let mut first_error = None;
        let mut note = |what: &str, result: scalekit::Result<()>| match result {
            Ok(()) => line("deleted", what),
            Err(err) => {
                line("NOT deleted", format!("{what}: {err}"));
                first_error.get_or_insert(err);
            }
        };
        for id in &self.users {
            note(&format!("user {id}"), client.users().delete_user(id).await);
        }
        if let Some((org_id, id)) = &self.domain {
            note(
                &format!("domain {id}"),
                client.domains().delete_domain(org_id, id).await,
            );
        }
        if let Some(id) = &self.organization {
            note(
                &format!("organization {id}"),
                client.organizations().delete_organization(id).await,
            );
        }
        for name in self.roles.iter().rev() {
            note(
                &format!("role {name}"),
                client
                    .roles()
                    .delete_role(name, DeleteRoleOptions::default())
                    .await,
            );
        }
        for name in self.permissions.iter().rev() {
            note(
                &format!("permission {name}"),
                client.permissions().delete_permission(name).await,
            );
        }
        first_error.map_or(Ok(()), Err)
    }
}
