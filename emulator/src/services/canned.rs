//! Canned mode's answers for the hot `UserService` RPCs: fixed messages built
//! once at start-up, so that a benchmark measures its client and not the
//! emulator's store.
//!
//! Only `GetUser`, `CreateUserAndMembership` and `DeleteUser` are canned
//! (see [`CANNED_METHODS`]); `lib.rs` routes exactly those paths here and
//! leaves every other RPC to the stateful services. The handlers take no
//! lock and allocate nothing beyond cloning the prebuilt message.

use std::collections::HashMap;
use std::sync::Arc;

use scalekit::proto::commons::{MembershipStatus, OrganizationMembership, Role, UserProfile};
use scalekit::proto::users::{
    get_user_request, CreateUserAndMembershipRequest, CreateUserAndMembershipResponse,
    DeleteUserRequest, GetUserRequest, GetUserResponse, User, UserService,
};
use tonic::{Request, Response, Status};

/// The `UserService` methods canned mode answers itself.
pub(crate) const CANNED_METHODS: [&str; 3] = ["GetUser", "CreateUserAndMembership", "DeleteUser"];

/// The fixed user's id when a request does not name one.
const USER_ID: &str = "usr_10000000000000042";
/// The organization of the fixed user's one membership.
const ORGANIZATION_ID: &str = "org_10000000000000041";
/// 2024-01-01T00:00:00Z: a fixed time, so that answers never vary.
const FIXED_TIME: i64 = 1_704_067_200;

/// A `UserService` that answers with prebuilt messages and never touches
/// the store.
#[derive(Clone)]
pub(crate) struct CannedUsers {
    responses: Arc<Prebuilt>,
}

struct Prebuilt {
    user: User,
    created: CreateUserAndMembershipResponse,
}

impl CannedUsers {
    pub(crate) fn new() -> Self {
        let user = fixed_user();
        CannedUsers {
            responses: Arc::new(Prebuilt {
                created: CreateUserAndMembershipResponse {
                    user: Some(user.clone()),
                },
                user,
            }),
        }
    }
}

/// A user shaped like a real one: email, profile, one active membership
/// with a role. Kept under 256 bytes encoded: `h2` writes a larger DATA
/// frame on its own and the trailers in a second write, which would cost a
/// system call per response.
fn fixed_user() -> User {
    let time = prost_types::Timestamp {
        seconds: FIXED_TIME,
        nanos: 0,
    };
    User {
        id: USER_ID.into(),
        environment_id: "env_10000000000000001".into(),
        create_time: Some(time),
        update_time: Some(time),
        email: "ada.lovelace@acme.example".into(),
        external_id: Some("ext-ada-1815".into()),
        memberships: vec![OrganizationMembership {
            organization_id: ORGANIZATION_ID.into(),
            join_time: Some(time),
            membership_status: MembershipStatus::Active as i32,
            roles: vec![Role {
                id: "role_10000000000000043".into(),
                name: "admin".into(),
                display_name: "Admin".into(),
            }],
            name: None,
            display_name: Some("Acme".into()),
            metadata: HashMap::new(),
            inviter_email: None,
            created_at: None,
            accepted_at: None,
            expires_at: None,
            provisioning_method: None,
            permissions: Vec::new(),
        }],
        user_profile: Some(UserProfile {
            id: USER_ID.into(),
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            name: "Ada Lovelace".into(),
            email_verified: true,
            ..Default::default()
        }),
        metadata: HashMap::new(),
        last_login_time: None,
    }
}

#[tonic::async_trait]
impl UserService for CannedUsers {
    /// The fixed user, with the requested `id` (or `external_id`) moved in
    /// from the request, so no extra allocation is made.
    async fn get_user(
        &self,
        request: Request<GetUserRequest>,
    ) -> Result<Response<GetUserResponse>, Status> {
        let mut user = self.responses.user.clone();
        match request.into_inner().identities {
            Some(get_user_request::Identities::Id(id)) if !id.is_empty() => user.id = id,
            Some(get_user_request::Identities::ExternalId(ext)) if !ext.is_empty() => {
                user.external_id = Some(ext)
            }
            _ => {}
        }
        Ok(Response::new(GetUserResponse { user: Some(user) }))
    }

    async fn create_user_and_membership(
        &self,
        _request: Request<CreateUserAndMembershipRequest>,
    ) -> Result<Response<CreateUserAndMembershipResponse>, Status> {
        Ok(Response::new(self.responses.created.clone()))
    }

    async fn delete_user(
        &self,
        _request: Request<DeleteUserRequest>,
    ) -> Result<Response<()>, Status> {
        Ok(Response::new(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message as _;

    /// The largest DATA payload `h2` copies into its write buffer.
    const MAX_DATA_FRAME: usize = 256;
    /// The gRPC length prefix in front of every message.
    const GRPC_PREFIX: usize = 5;

    #[test]
    fn a_canned_get_user_answer_fits_one_data_frame_write() {
        let answer = GetUserResponse {
            user: Some(fixed_user()),
        };
        let size = GRPC_PREFIX + answer.encoded_len();
        assert!(size <= MAX_DATA_FRAME, "{size} bytes");
        let created = CannedUsers::new().responses.created.encoded_len();
        assert!(GRPC_PREFIX + created <= MAX_DATA_FRAME, "{created} bytes");
    }

    #[tokio::test]
    async fn get_user_echoes_an_id_or_an_external_id() {
        let canned = CannedUsers::new();
        let ask = |who| Request::new(GetUserRequest { identities: who });
        let by_id = canned
            .get_user(ask(Some(get_user_request::Identities::Id("usr_7".into()))))
            .await
            .map(|r| r.into_inner().user.unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(by_id.id, "usr_7");
        let by_ext = canned
            .get_user(ask(Some(get_user_request::Identities::ExternalId(
                "ext_7".into(),
            ))))
            .await
            .map(|r| r.into_inner().user.unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(
            (by_ext.id.as_str(), by_ext.external_id.as_deref()),
            (USER_ID, Some("ext_7"))
        );
        let nobody = canned
            .get_user(ask(None))
            .await
            .map(|r| r.into_inner().user.unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(nobody.id, USER_ID);
    }
}
