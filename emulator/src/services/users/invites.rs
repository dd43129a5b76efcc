//! The RPC on invitations: resending a pending (or expired) invite.

use super::*;

pub(super) async fn resend_invite(
    ctx: &Context,
    request: Request<ResendInviteRequest>,
) -> Result<Response<ResendInviteResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let org = validate::organization(&store, "organization_id", &req.organization_id)?;
    let id = validate::user_identity(&store, Some(Identity::Id(&req.id)))?;
    let (user, index) = membership_mut(&mut store, &org, &id)?;
    let membership = &mut user.memberships[index];
    let pending = [
        MembershipStatus::PendingInvite as i32,
        MembershipStatus::InviteExpired as i32,
    ];
    if !pending.contains(&membership.membership_status) {
        return Err(status::failed_precondition(
            "INVITE_NOT_PENDING",
            format!("user {id} has no pending invitation to organization {org}"),
        ));
    }
    let resent = now();
    membership.membership_status = MembershipStatus::PendingInvite as i32;
    membership.expires_at = Some(expiry_from(&resent));
    let inviter = membership.inviter_email.clone();
    let invite = store
        .invites
        .entry((org.clone(), id.clone()))
        .or_insert_with(|| Invite {
            organization_id: org,
            user_id: id,
            inviter_email: inviter,
            status: "PENDING_INVITE".to_string(),
            created_at: Some(resent),
            ..Default::default()
        });
    invite.status = "PENDING_INVITE".to_string();
    invite.resent_count += 1;
    invite.expires_at = Some(expiry_from(&resent));
    invite.resent_at = Some(resent);
    Ok(Response::new(ResendInviteResponse {
        invite: Some(invite.clone()),
    }))
}
