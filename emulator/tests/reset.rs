//! `reset()`: back to the seeded state without a restart, with the same
//! ids, no faults, zeroed counters and an empty journal, the client's token
//! still good and webhooks still delivered.

mod common;

use std::time::Duration;

use scalekit::proto::connections::{ConnectionProvider, ConnectionType};
use scalekit_emulator::seed::{ConnectionFixture, Fixtures, OrganizationFixture, UserFixture};
use scalekit_emulator::{Code, Emulator};

use common::within;

#[tokio::test]
async fn reset_returns_to_the_seeded_state_and_keeps_tokens_valid() -> anyhow::Result<()> {
    within(Duration::from_secs(60), async {
        let fixtures = Fixtures::new().with_organization(
            OrganizationFixture::new("Acme")
                .with_external_id("acme")
                .with_connection(ConnectionFixture::new(
                    ConnectionType::Oidc,
                    ConnectionProvider::Okta,
                ))
                .with_user(UserFixture::new("ada@acme.example")),
        );
        let emulator = Emulator::builder().seed(fixtures).start().await?;
        // Nothing listens on port 9: each attempt fails at once, and is
        // logged.
        emulator.add_webhook_endpoint(
            "http://127.0.0.1:9/hook",
            None,
            &["organization.created"],
        )?;
        let client = emulator.client()?;
        let orgs = client.organizations();
        let seeded = orgs.list_organization(Default::default()).await?;
        let acme = orgs.get_organization_by_external_id("acme").await?;

        let first = orgs.create_organization("Temp", Default::default()).await?;
        let users = client.users();
        let members = users
            .list_organization_users(&acme.id, Default::default())
            .await?;
        for member in &members.items {
            users.delete_user(&member.id).await?;
        }
        emulator.fail_next(Some("ListOrganization"), 5, Code::Unavailable);
        assert!(emulator.token_requests() > 0);

        assert!(!emulator.journal().is_empty());
        emulator.reset().await?;
        assert!(emulator.journal().is_empty(), "the journal is emptied");
        assert_eq!(emulator.token_requests(), 0, "counters zeroed");
        assert_eq!(emulator.total_rpcs(), 0, "counters zeroed");

        // Records are made again, so compare what identifies them.
        let ids = |page: &scalekit::Page<scalekit::organizations::Organization>| {
            page.items.iter().map(|o| o.id.clone()).collect::<Vec<_>>()
        };
        let listed = orgs.list_organization(Default::default()).await?;
        assert_eq!(
            ids(&listed),
            ids(&seeded),
            "the seeded organizations; no fault"
        );
        let back = users
            .list_organization_users(&acme.id, Default::default())
            .await?;
        let who = |page: &scalekit::Page<scalekit::users::User>| {
            page.items
                .iter()
                .map(|u| (u.id.clone(), u.email.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(who(&back), who(&members), "the seeded member is back");
        assert_eq!(
            client.connections().list_connections(&acme.id).await?.len(),
            1
        );
        let again = orgs.create_organization("Temp", Default::default()).await?;
        assert_eq!(again.id, first.id, "ids restart where seeding left them");
        let attempts = emulator
            .wait_for_webhook_deliveries(2, Duration::from_secs(20))
            .await?;
        // Event ids start again after the reset; webhook ids do not, or a
        // receiver would drop the new event as one it has seen.
        assert!(
            attempts.len() >= 2 && attempts[0].webhook_id != attempts[1].webhook_id,
            "events after the reset are still delivered, under a new webhook id: {attempts:?}"
        );
        assert_eq!(
            emulator.token_requests(),
            0,
            "the client's token stayed valid"
        );
        Ok(())
    })
    .await
}
