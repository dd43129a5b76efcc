//! The RPCs on session policies: the application's (one fixed policy for the
//! environment) and each organization's, which either follows the
//! application's or sets its own timeouts.
//!
//! A custom policy is stored as sent, with its timeouts already converted
//! to minutes: the service answers in minutes whatever unit a timeout was
//! set in, so converting once on the way in is all it takes.

use scalekit::proto::commons::TimeUnit;

use super::*;
use crate::services::sessions::{ABSOLUTE_LIFETIME, IDLE_LIFETIME};

/// How long the environment's access tokens live, in minutes. A custom
/// timeout must be longer: a session that ends before its first access
/// token would never be refreshed.
const ACCESS_TOKEN_EXPIRY_MINUTES: i32 = 5;

/// The environment's application-level policy. It is fixed, and matches the
/// lifetimes the emulator gives the sessions it makes: seven days absolute,
/// one day idle.
fn application_policy() -> ApplicationSessionPolicySettings {
    let minutes = |d: Duration| i32::try_from(d.as_secs() / 60).unwrap_or(i32::MAX);
    ApplicationSessionPolicySettings {
        absolute_session_timeout: minutes(ABSOLUTE_LIFETIME),
        idle_session_timeout_enabled: true,
        idle_session_timeout: minutes(IDLE_LIFETIME),
        access_token_expiry: ACCESS_TOKEN_EXPIRY_MINUTES,
        absolute_session_timeout_unit: Some(TimeUnit::Minutes as i32),
        idle_session_timeout_unit: Some(TimeUnit::Minutes as i32),
    }
}

/// The policy of an organization that never set one, or went back to the
/// application's: the source alone, no timeouts of its own.
fn follows_application() -> OrganizationSessionPolicySettings {
    OrganizationSessionPolicySettings {
        policy_source: SessionPolicyType::Application as i32,
        ..Default::default()
    }
}

/// `value` in `unit` (sent as `field`, unset or unspecified meaning
/// minutes) converted to minutes: INVALID_ARGUMENT when the unit is
/// unknown, the value is not longer than an access token lives, or the
/// minutes do not fit an `i32`.
fn to_minutes(field: &str, value: i32, unit: Option<i32>) -> Result<i32, Status> {
    let unit_field = format!("{field}_unit");
    let per_unit = match unit.map(TimeUnit::try_from) {
        None | Some(Ok(TimeUnit::SessionTimeUnitUnspecified)) | Some(Ok(TimeUnit::Minutes)) => 1,
        Some(Ok(TimeUnit::Hours)) => 60,
        Some(Ok(TimeUnit::Days)) => 24 * 60,
        Some(Err(_)) => {
            return Err(status::invalid_argument(
                &unit_field,
                "must be MINUTES, HOURS or DAYS",
            ))
        }
    };
    let minutes = value
        .checked_mul(per_unit)
        .ok_or_else(|| status::invalid_argument(field, "is too long"))?;
    if minutes <= ACCESS_TOKEN_EXPIRY_MINUTES {
        return Err(status::invalid_argument(
            field,
            format!(
                "must be longer than the access token expiry ({ACCESS_TOKEN_EXPIRY_MINUTES} minutes)"
            ),
        ));
    }
    Ok(minutes)
}

/// The custom policy `req` asks for, in minutes. The absolute timeout is
/// required; idle timeout is off unless enabled, and needs a value when it
/// is. A disabled idle timeout keeps no value, as the service answers.
fn custom_policy(
    req: &UpdateOrganizationSessionPolicyRequest,
) -> Result<OrganizationSessionPolicySettings, Status> {
    let absolute = req.absolute_session_timeout.ok_or_else(|| {
        status::invalid_argument(
            "absolute_session_timeout",
            "is required for a CUSTOM policy",
        )
    })?;
    let absolute = to_minutes(
        "absolute_session_timeout",
        absolute,
        req.absolute_session_timeout_unit,
    )?;
    let idle_enabled = req.idle_session_timeout_enabled.unwrap_or(false);
    let idle = if idle_enabled {
        let idle = req.idle_session_timeout.ok_or_else(|| {
            status::invalid_argument(
                "idle_session_timeout",
                "is required when idle_session_timeout_enabled is true",
            )
        })?;
        Some(to_minutes(
            "idle_session_timeout",
            idle,
            req.idle_session_timeout_unit,
        )?)
    } else {
        None
    };
    Ok(OrganizationSessionPolicySettings {
        policy_source: SessionPolicyType::Custom as i32,
        absolute_session_timeout: Some(absolute),
        absolute_session_timeout_unit: Some(TimeUnit::Minutes as i32),
        idle_session_timeout_enabled: Some(idle_enabled),
        idle_session_timeout: idle,
        idle_session_timeout_unit: idle.map(|_| TimeUnit::Minutes as i32),
    })
}

pub(super) async fn update_organization_session_policy(
    ctx: &Context,
    request: Request<UpdateOrganizationSessionPolicyRequest>,
) -> Result<Response<UpdateOrganizationSessionPolicyResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let id = validate::prefixed_organization(&store, "organization_id", &req.organization_id)?;
    let policy = match SessionPolicyType::try_from(req.policy_source) {
        // Timeouts sent along with APPLICATION are dropped: the
        // organization has none of its own any more.
        Ok(SessionPolicyType::Application) => follows_application(),
        Ok(SessionPolicyType::Custom) => custom_policy(&req)?,
        Ok(SessionPolicyType::Unspecified) | Err(_) => {
            return Err(status::invalid_argument(
                "policy_source",
                "must be APPLICATION or CUSTOM",
            ))
        }
    };
    store.session_policies.insert(id, policy);
    Ok(Response::new(UpdateOrganizationSessionPolicyResponse {
        policy: Some(policy),
    }))
}

pub(super) async fn get_organization_session_policy(
    ctx: &Context,
    request: Request<GetOrganizationSessionPolicyRequest>,
) -> Result<Response<GetOrganizationSessionPolicyResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    let id = validate::prefixed_organization(&store, "organization_id", &req.organization_id)?;
    let policy = store
        .session_policies
        .get(&id)
        .copied()
        .unwrap_or_else(follows_application);
    Ok(Response::new(GetOrganizationSessionPolicyResponse {
        policy: Some(policy),
    }))
}

/// The request names an organization (which must exist), but the answer is
/// the environment's: every organization sees the same application policy.
pub(super) async fn get_application_session_policy(
    ctx: &Context,
    request: Request<GetApplicationSessionPolicyRequest>,
) -> Result<Response<GetApplicationSessionPolicyResponse>, Status> {
    let req = request.into_inner();
    let store = ctx.lock();
    validate::prefixed_organization(&store, "organization_id", &req.organization_id)?;
    Ok(Response::new(GetApplicationSessionPolicyResponse {
        application_policy: Some(application_policy()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_convert_to_minutes_with_minutes_the_default_unit() {
        let field = "absolute_session_timeout";
        assert_eq!(
            to_minutes(field, 12, Some(TimeUnit::Hours as i32)).ok(),
            Some(720)
        );
        assert_eq!(
            to_minutes(field, 7, Some(TimeUnit::Days as i32)).ok(),
            Some(10_080)
        );
        assert_eq!(to_minutes(field, 30, None).ok(), Some(30));
        assert_eq!(to_minutes(field, 30, Some(0)).ok(), Some(30));
    }

    #[test]
    fn timeouts_must_outlast_an_access_token_and_fit() {
        let field = "idle_session_timeout";
        for (value, unit) in [(5, None), (0, None), (-1, Some(TimeUnit::Days as i32))] {
            let err = to_minutes(field, value, unit).unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{value}");
            assert!(err.message().contains(field), "{err:?}");
        }
        let err = to_minutes(field, i32::MAX, Some(TimeUnit::Days as i32)).unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        let err = to_minutes(field, 60, Some(9)).unwrap_err();
        assert!(
            err.message().contains("idle_session_timeout_unit"),
            "{err:?}"
        );
    }

    #[test]
    fn the_application_policy_matches_the_session_lifetimes() {
        let policy = application_policy();
        assert_eq!(policy.absolute_session_timeout, 7 * 24 * 60);
        assert_eq!(policy.idle_session_timeout, 24 * 60);
        assert!(policy.access_token_expiry < policy.idle_session_timeout);
    }
}
