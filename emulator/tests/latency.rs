//! A unary call on loopback must not wait for a delayed ACK.
//!
//! HTTP/2 (the `h2` crate) writes a DATA frame larger than a few hundred
//! bytes straight from its buffer, and the trailers that follow in a second
//! write. With Nagle's algorithm on the accepted socket, that second write
//! waits until the client acknowledges the first, and the client delays its
//! ACK by about 40 ms. So the test's response must be that large: a small
//! one goes out in one write and never stalls.

use std::time::{Duration, Instant};

use prost::Message as _;
use scalekit::users::{CreateUser, CreateUserAndMembershipOptions};
use scalekit_emulator::Emulator;

/// Far above a loopback round trip, far below the 40 ms delayed-ACK stall.
const BUDGET: Duration = Duration::from_millis(20);
const SAMPLES: usize = 20;

#[tokio::test]
async fn unary_round_trip_on_loopback_takes_under_20_ms() -> anyhow::Result<()> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client()?;
    // The first calls fetch a token and open the connection.
    let org = client
        .organizations()
        .create_organization("Acme", Default::default())
        .await?;
    let user = client
        .users()
        .create_user_and_membership(
            &org.id,
            CreateUser {
                email: "ada@acme.example".into(),
                metadata: [("notes".to_string(), "n".repeat(600))].into(),
                ..Default::default()
            },
            CreateUserAndMembershipOptions::default(),
        )
        .await?;
    assert!(
        user.encoded_len() > 600,
        "the response must be large enough to be written in two pieces"
    );

    let mut took = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let started = Instant::now();
        client.users().get_user(&user.id).await?;
        took.push(started.elapsed());
    }
    took.sort();
    let median = took[SAMPLES / 2];
    assert!(
        median < BUDGET,
        "median unary round trip {median:?} (all: {took:?}): is TCP_NODELAY set on accepted connections?"
    );
    assert_eq!(emulator.token_requests(), 1);
    Ok(())
}
