//! The emulator's DirectoryService semantics that the facade tests do not
//! reach, through the generated clients over real sockets: creation rules,
//! deletion, and the test-setup methods that stand in for SCIM.

mod common;

use scalekit::proto::directories::{
    CreateDirectory, CreateDirectoryRequest, DeleteDirectoryRequest, DirectoryGroup,
    DirectoryProvider, DirectoryServiceClient, DirectoryType, DirectoryUser, GetDirectoryRequest,
    ListDirectoryUsersRequest,
};
use scalekit::AuthChannel;
use scalekit_emulator::{Code, EmulatorHandle};

struct Env {
    emulator: EmulatorHandle,
    client: scalekit::ScalekitClient,
    directories: DirectoryServiceClient<AuthChannel>,
}

async fn start() -> anyhow::Result<Env> {
    let (emulator, client) = common::start().await?;
    Ok(Env {
        directories: client.raw().directories(),
        client,
        emulator,
    })
}

impl Env {
    async fn org(&self, name: &str) -> anyhow::Result<String> {
        common::organization(&self.client, name).await
    }

    async fn create(
        &mut self,
        org: &str,
        kind: DirectoryType,
        provider: i32,
    ) -> Result<scalekit::proto::directories::Directory, tonic::Status> {
        self.create_raw(org, kind as i32, provider).await
    }

    /// `create` with the type as sent on the wire, so tests can send values
    /// the enum has no name for.
    async fn create_raw(
        &mut self,
        org: &str,
        kind: i32,
        provider: i32,
    ) -> Result<scalekit::proto::directories::Directory, tonic::Status> {
        let response = self
            .directories
            .create_directory(CreateDirectoryRequest {
                organization_id: org.to_owned(),
                directory: Some(CreateDirectory {
                    directory_type: kind,
                    directory_provider: provider,
                }),
            })
            .await?
            .into_inner();
        Ok(response.directory.unwrap_or_default())
    }
}

fn user(email: &str, group_ids: &[&str]) -> DirectoryUser {
    DirectoryUser {
        email: email.to_owned(),
        groups: group_ids
            .iter()
            .map(|id| DirectoryGroup {
                id: (*id).to_owned(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn group(name: &str) -> DirectoryGroup {
    DirectoryGroup {
        display_name: name.to_owned(),
        ..Default::default()
    }
}

#[tokio::test]
async fn create_directory_requires_a_type_and_a_provider() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.org("Acme").await?;
    for kind in [DirectoryType::Unspecified as i32, 99] {
        let err = env
            .create_raw(&org, kind, DirectoryProvider::Okta as i32)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{kind}");
        assert!(err.message().contains("directory_type"), "{err:?}");
    }
    let dir = env
        .create(
            &org,
            DirectoryType::Scim,
            DirectoryProvider::MicrosoftAd as i32,
        )
        .await?;
    assert!(dir.id.starts_with("dir_"));
    assert_eq!(dir.directory_type(), DirectoryType::Scim);
    assert_eq!(dir.name, "Microsoft Entra ID Directory");
    assert!(!dir.enabled);
    assert_eq!((dir.total_users, dir.total_groups), (0, 0));

    for provider in [DirectoryProvider::Unspecified as i32, 99] {
        let err = env
            .create(&org, DirectoryType::Scim, provider)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{provider}");
    }
    let err = env
        .create(
            "org_10000000000009999",
            DirectoryType::Scim,
            DirectoryProvider::Okta as i32,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn delete_directory_removes_it_with_its_users() -> anyhow::Result<()> {
    let mut env = start().await?;
    let org = env.org("Acme").await?;
    let dir = env
        .create(&org, DirectoryType::Scim, DirectoryProvider::Okta as i32)
        .await?
        .id;
    env.emulator
        .add_directory_user(&org, &dir, user("ada@acme.com", &[]))?;
    env.directories
        .delete_directory(DeleteDirectoryRequest {
            organization_id: org.clone(),
            id: dir.clone(),
        })
        .await?;
    let err = env
        .directories
        .get_directory(GetDirectoryRequest {
            id: dir.clone(),
            organization_id: org.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let err = env
        .emulator
        .add_directory_user(&org, &dir, user("grace@acme.com", &[]))
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn seeding_checks_directory_groups_and_duplicates() -> anyhow::Result<()> {
    let mut env = start().await?;
    let acme = env.org("Acme").await?;
    let globex = env.org("Globex").await?;
    let dir = env
        .create(&acme, DirectoryType::Scim, DirectoryProvider::Okta as i32)
        .await?
        .id;
    let emulator = &env.emulator;

    let eng = emulator.add_directory_group(&acme, &dir, group("Engineering"))?;
    assert!(eng.starts_with("dirgroup_"));
    let cases = [
        (
            emulator.add_directory_group(&acme, &dir, group("Engineering")),
            Code::AlreadyExists,
        ),
        (
            emulator.add_directory_group(&acme, &dir, group(" ")),
            Code::InvalidArgument,
        ),
        (
            emulator.add_directory_group(&globex, &dir, group("Sales")),
            Code::NotFound,
        ),
    ];
    for (result, code) in cases {
        assert_eq!(result.unwrap_err().code(), code);
    }

    let ada = emulator.add_directory_user(&acme, &dir, user("ada@acme.com", &[&eng, &eng]))?;
    assert!(ada.starts_with("diruser_"));
    let cases = [
        (
            emulator.add_directory_user(&acme, &dir, user("ADA@acme.com", &[])),
            Code::AlreadyExists,
        ),
        (
            emulator.add_directory_user(&acme, &dir, user("grace@acme.com", &["dirgroup_1"])),
            Code::NotFound,
        ),
        (
            emulator.add_directory_user(&acme, &dir, user("", &[])),
            Code::InvalidArgument,
        ),
    ];
    for (result, code) in cases {
        assert_eq!(result.unwrap_err().code(), code);
    }

    let listed = env
        .directories
        .list_directory_users(ListDirectoryUsersRequest {
            organization_id: acme.clone(),
            directory_id: dir.clone(),
            directory_group_id: Some(eng.clone()),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(listed.total_size, 1);
    assert_eq!(
        listed.users[0].groups.len(),
        1,
        "duplicate group ids collapse"
    );
    assert_eq!(listed.users[0].groups[0].total_users, 1);

    let err = env
        .directories
        .list_directory_users(ListDirectoryUsersRequest {
            organization_id: acme,
            directory_id: dir,
            directory_group_id: Some(String::new()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    Ok(())
}
