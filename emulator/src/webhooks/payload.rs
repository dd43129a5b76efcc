//! The body of a delivery: the recorded event as Scalekit's webhook
//! documentation shows it, `{"environment_id", "id", "object",
//! "occurred_at", "organization_id", "spec_version", "type", "data"}`, with
//! the object type by name (`Organization`, `User`, `OrgMembershipEvent`),
//! times in RFC 3339, and no `organization_id` when the event has none.

use prost_types::value::Kind;
use prost_types::{Struct, Value};
use scalekit::proto::events::{ObjectType, ScalekitEvent};
use serde_json::{Map, Value as Json};

/// The JSON body delivered for `event`.
pub(crate) fn render(event: &ScalekitEvent) -> Vec<u8> {
    let mut body = Map::new();
    body.insert("environment_id".into(), event.environment_id.clone().into());
    body.insert("id".into(), event.id.clone().into());
    let object = ObjectType::try_from(event.object)
        .map(|o| o.as_str_name().to_string())
        .unwrap_or_default();
    body.insert("object".into(), object.into());
    if let Some(time) = &event.occurred_at {
        body.insert("occurred_at".into(), time.to_string().into());
    }
    if let Some(organization_id) = &event.organization_id {
        body.insert("organization_id".into(), organization_id.clone().into());
    }
    body.insert("spec_version".into(), event.spec_version.clone().into());
    body.insert("type".into(), event.r#type.clone().into());
    body.insert(
        "data".into(),
        event.data.as_ref().map_or(Json::Null, structure),
    );
    // Serializing a map of JSON values cannot fail.
    serde_json::to_vec(&Json::Object(body)).unwrap_or_default()
}

fn structure(fields: &Struct) -> Json {
    Json::Object(
        fields
            .fields
            .iter()
            .map(|(name, value)| (name.clone(), json(value)))
            .collect(),
    )
}

fn json(value: &Value) -> Json {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => Json::Null,
        Some(Kind::NumberValue(n)) => {
            serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number)
        }
        Some(Kind::StringValue(s)) => Json::String(s.clone()),
        Some(Kind::BoolValue(b)) => Json::Bool(*b),
        Some(Kind::StructValue(s)) => structure(s),
        Some(Kind::ListValue(list)) => Json::Array(list.values.iter().map(json).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_renders_with_the_documented_fields() {
        let data = Struct {
            fields: [
                ("id", Kind::StringValue("org_1".into())),
                ("external_id", Kind::NullValue(0)),
                ("size", Kind::NumberValue(3.0)),
                (
                    "tags",
                    Kind::ListValue(prost_types::ListValue {
                        values: vec![Value {
                            kind: Some(Kind::BoolValue(true)),
                        }],
                    }),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value { kind: Some(v) }))
            .collect(),
        };
        let event = ScalekitEvent {
            spec_version: "1".into(),
            id: "evt_1".into(),
            r#type: "organization.created".into(),
            occurred_at: Some(prost_types::Timestamp {
                seconds: 1_700_000_000,
                nanos: 5,
            }),
            environment_id: "env_1".into(),
            organization_id: Some("org_1".into()),
            object: ObjectType::Organization as i32,
            data: Some(data),
            display_name: "Organization created".into(),
        };
        let body: Json = serde_json::from_slice(&render(&event)).expect("JSON");
        assert_eq!(
            body,
            serde_json::json!({
                "environment_id": "env_1",
                "id": "evt_1",
                "object": "Organization",
                "occurred_at": "2023-11-14T22:13:20.000000005Z",
                "organization_id": "org_1",
                "spec_version": "1",
                "type": "organization.created",
                "data": { "id": "org_1", "external_id": null, "size": 3.0, "tags": [true] },
            })
        );

        let without_organization = ScalekitEvent {
            organization_id: None,
            ..event
        };
        let body: Json = serde_json::from_slice(&render(&without_organization)).expect("JSON");
        assert!(body.get("organization_id").is_none());
    }
}
