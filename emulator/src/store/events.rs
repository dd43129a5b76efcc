//! The environment's event log: one event for each change to an
//! organization, a user or a membership, appended as the change is made
//! and never rewritten (deleting an organization keeps its events).
//!
//! The event types and their `data` follow Scalekit's webhook payloads:
//! `organization.created|updated|deleted` carry the organization,
//! `user.created|updated|deleted` the user, and
//! `user.organization_membership_created|updated|deleted` the organization
//! and the user with the one membership that changed. Every service records
//! its changes through [`Store::record_event`], so all events share one
//! shape.

use std::collections::HashMap;

use prost_types::value::Kind;
use prost_types::{ListValue, Struct, Timestamp, Value};
use scalekit::proto::commons::{MembershipStatus, OrganizationMembership, RegionCode, Role};
use scalekit::proto::events::{ObjectType, ScalekitEvent, Source};
use scalekit::proto::organizations::Organization;
use scalekit::proto::users::User;

use tokio::sync::mpsc;

use super::{now, Store};

/// The version of the event envelope the service sends.
const SPEC_VERSION: &str = "1";

/// One entry of the log: the event as listed, and what the list filters on
/// that the event message itself does not carry.
#[derive(Clone, Debug)]
pub(crate) struct EventRecord {
    pub(crate) event: ScalekitEvent,
    /// Every change the emulator records is made through its API, so this
    /// is always [`Source::Scalekit`]; directory syncs would be
    /// [`Source::DirSync`].
    pub(crate) source: Source,
}

/// What happened to the subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Created,
    Updated,
    Deleted,
}

impl Change {
    fn verb(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Deleted => "deleted",
        }
    }
}

/// What changed, as it is after the change (or, for a deletion, as it was
/// just before). Borrowed from the caller, not from the store, so the
/// caller can hand in the record it is about to answer with.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Subject<'a> {
    Organization(&'a Organization),
    /// A user; `organization_id` is the organization the call named, when
    /// it named one (creating a user with a membership, deleting a user's
    /// last membership with cascade).
    User {
        user: &'a User,
        organization_id: Option<&'a str>,
    },
    /// One membership of `user`.
    Membership {
        user: &'a User,
        membership: &'a OrganizationMembership,
    },
}

impl Subject<'_> {
    /// The event type, e.g. `user.organization_membership_created`.
    fn event_type(&self, change: Change) -> String {
        let area = match self {
            Subject::Organization(_) => "organization.",
            Subject::User { .. } => "user.",
            Subject::Membership { .. } => "user.organization_membership_",
        };
        format!("{area}{}", change.verb())
    }

    fn object(&self) -> ObjectType {
        match self {
            Subject::Organization(_) => ObjectType::Organization,
            Subject::User { .. } => ObjectType::User,
            Subject::Membership { .. } => ObjectType::OrgMembershipEvent,
        }
    }

    fn display_name(&self, change: Change) -> String {
        let what = match self {
            Subject::Organization(_) => "Organization",
            Subject::User { .. } => "User",
            Subject::Membership { .. } => "Organization membership",
        };
        format!("{what} {}", change.verb())
    }

    fn organization_id(&self) -> Option<String> {
        match self {
            Subject::Organization(organization) => Some(organization.id.clone()),
            Subject::User {
                organization_id, ..
            } => organization_id.map(str::to_string),
            Subject::Membership { membership, .. } => Some(membership.organization_id.clone()),
        }
    }
}

impl Store {
    /// Appends the event for `change` of `subject`, with a new `evt_…` id,
    /// the current time and this environment's id.
    pub(crate) fn record_event(&mut self, change: Change, subject: Subject<'_>) {
        let data = match subject {
            Subject::Organization(organization) => organization_data(organization),
            Subject::User { user, .. } => user_data(user),
            Subject::Membership { user, membership } => {
                let name = self
                    .organizations
                    .get(&membership.organization_id)
                    .map(|o| o.display_name.as_str());
                membership_data(user, membership, name)
            }
        };
        let event = ScalekitEvent {
            spec_version: SPEC_VERSION.to_string(),
            id: self.ids.next("evt"),
            r#type: subject.event_type(change),
            occurred_at: Some(now()),
            environment_id: self.environment_id.clone(),
            organization_id: subject.organization_id(),
            object: subject.object() as i32,
            data: Some(data),
            display_name: subject.display_name(change),
        };
        self.event_sink.publish(&event);
        self.events.push(EventRecord {
            event,
            source: Source::Scalekit,
        });
    }
}

/// Where recorded events go besides the log: the webhook dispatcher's
/// queue, once an endpoint is registered (until then, nowhere).
#[derive(Debug, Default)]
pub(crate) struct EventSink(Option<mpsc::Sender<ScalekitEvent>>);

impl EventSink {
    pub(crate) fn connect(&mut self, queue: mpsc::Sender<ScalekitEvent>) {
        self.0 = Some(queue);
    }

    /// Queues `event` without waiting: the RPC that recorded it holds the
    /// store's lock. A full queue drops the event from delivery (it stays
    /// in the log).
    fn publish(&self, event: &ScalekitEvent) {
        let Some(queue) = &self.0 else {
            return;
        };
        if let Err(mpsc::error::TrySendError::Full(_)) = queue.try_send(event.clone()) {
            tracing::warn!(event = %event.id, "webhook queue full; the event is not delivered");
        }
    }
}

fn organization_data(organization: &Organization) -> Struct {
    let features = organization
        .settings
        .iter()
        .flat_map(|s| &s.features)
        .map(|f| {
            value(object([
                ("name", string(&f.name)),
                ("enabled", Kind::BoolValue(f.enabled)),
            ]))
        })
        .collect();
    let region = RegionCode::try_from(organization.region_code)
        .map(|r| r.as_str_name().to_string())
        .unwrap_or_default();
    fields([
        ("id", string(&organization.id)),
        ("display_name", string(&organization.display_name)),
        ("external_id", optional(organization.external_id.as_deref())),
        ("region_code", Kind::StringValue(region)),
        ("slug", optional(organization.slug.as_deref())),
        ("logo_url", optional(organization.logo_url.as_deref())),
        ("metadata", map(&organization.metadata)),
        ("create_time", timestamp(organization.create_time.as_ref())),
        ("update_time", timestamp(organization.update_time.as_ref())),
        (
            "settings",
            object([("features", Kind::ListValue(ListValue { values: features }))]),
        ),
    ])
}

/// The user without memberships; the membership events carry those.
fn user_fields(user: &User) -> Vec<(&'static str, Kind)> {
    let profile = user.user_profile.clone().unwrap_or_default();
    vec![
        ("id", string(&user.id)),
        ("email", string(&user.email)),
        ("external_id", optional(user.external_id.as_deref())),
        ("metadata", map(&user.metadata)),
        ("create_time", timestamp(user.create_time.as_ref())),
        ("update_time", timestamp(user.update_time.as_ref())),
        (
            "user_profile",
            object([
                ("given_name", string(&profile.given_name)),
                ("family_name", string(&profile.family_name)),
                ("name", string(&profile.name)),
                ("email_verified", Kind::BoolValue(profile.email_verified)),
            ]),
        ),
    ]
}

fn user_data(user: &User) -> Struct {
    fields(user_fields(user))
}

fn membership_data(
    user: &User,
    membership: &OrganizationMembership,
    organization_name: Option<&str>,
) -> Struct {
    let status = MembershipStatus::try_from(membership.membership_status)
        .map(|s| s.as_str_name().to_string())
        .unwrap_or_default();
    let mut user_fields = user_fields(user);
    user_fields.push((
        "membership",
        object([
            ("organization_id", string(&membership.organization_id)),
            ("membership_status", Kind::StringValue(status)),
            ("roles", roles(&membership.roles)),
            ("metadata", map(&membership.metadata)),
            ("created_at", timestamp(membership.created_at.as_ref())),
            ("accepted_at", timestamp(membership.accepted_at.as_ref())),
            (
                "provisioning_method",
                optional(membership.provisioning_method.as_deref()),
            ),
        ]),
    ));
    fields([
        (
            "organization",
            object([
                ("id", string(&membership.organization_id)),
                ("display_name", optional(organization_name)),
            ]),
        ),
        ("user", Kind::StructValue(fields(user_fields))),
    ])
}

fn roles(roles: &[Role]) -> Kind {
    Kind::ListValue(ListValue {
        values: roles
            .iter()
            .map(|r| value(object([("id", string(&r.id)), ("name", string(&r.name))])))
            .collect(),
    })
}

fn value(kind: Kind) -> Value {
    Value { kind: Some(kind) }
}

fn fields(pairs: impl IntoIterator<Item = (&'static str, Kind)>) -> Struct {
    Struct {
        fields: pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), value(v)))
            .collect(),
    }
}

fn object(pairs: impl IntoIterator<Item = (&'static str, Kind)>) -> Kind {
    Kind::StructValue(fields(pairs))
}

fn string(text: &str) -> Kind {
    Kind::StringValue(text.to_string())
}

/// An unset value is JSON `null`, as in the service's payloads.
fn optional(text: Option<&str>) -> Kind {
    text.map_or(Kind::NullValue(0), string)
}

fn map(entries: &HashMap<String, String>) -> Kind {
    Kind::StructValue(Struct {
        fields: entries
            .iter()
            .map(|(k, v)| (k.clone(), value(string(v))))
            .collect(),
    })
}

/// RFC 3339, as the service's JSON payloads write times.
fn timestamp(time: Option<&Timestamp>) -> Kind {
    time.map_or(Kind::NullValue(0), |t| Kind::StringValue(t.to_string()))
}
