//! The RPCs on admin-portal links: single use, valid for one minute.

use super::*;

pub(super) async fn generate_portal_link(
    ctx: &Context,
    request: Request<GeneratePortalLinkRequest>,
) -> Result<Response<GeneratePortalLinkResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let id = validate::prefixed_organization(&store, "id", &req.id)?;
    store.prune_expired_links();
    let token = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
    let link = Link {
        id: store.ids.next("lnk"),
        location: format!("{}/magicLink/{token}", ctx.env_url.trim_end_matches('/')),
        expire_time: Some(prost_types::Timestamp::from(
            SystemTime::now() + PORTAL_LINK_LIFETIME,
        )),
    };
    store.portal_links.entry(id).or_default().push(link.clone());
    Ok(Response::new(GeneratePortalLinkResponse {
        link: Some(link),
    }))
}

pub(super) async fn get_portal_links(
    ctx: &Context,
    request: Request<GetPortalLinkRequest>,
) -> Result<Response<GetPortalLinksResponse>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let id = validate::prefixed_organization(&store, "id", &req.id)?;
    store.prune_expired_links();
    Ok(Response::new(GetPortalLinksResponse {
        links: store.portal_links.get(&id).cloned().unwrap_or_default(),
    }))
}

pub(super) async fn delete_portal_link(
    ctx: &Context,
    request: Request<DeletePortalLinkRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let id = validate::prefixed_organization(&store, "id", &req.id)?;
    store.portal_links.remove(&id);
    Ok(Response::new(()))
}

pub(super) async fn delete_portal_link_by_id(
    ctx: &Context,
    request: Request<DeletePortalLinkByIdRequest>,
) -> Result<Response<()>, Status> {
    let req = request.into_inner();
    let mut store = ctx.lock();
    let id = validate::prefixed_organization(&store, "id", &req.id)?;
    let link_id = req.link_id.trim();
    if !link_id.starts_with("lnk_") {
        return Err(status::invalid_argument(
            "link_id",
            "must be a portal link id (lnk_…)",
        ));
    }
    store.prune_expired_links();
    let links = store.portal_links.get_mut(&id);
    let position = links
        .as_ref()
        .and_then(|links| links.iter().position(|l| l.id == link_id));
    match (links, position) {
        (Some(links), Some(i)) => {
            links.remove(i);
            if links.is_empty() {
                store.portal_links.remove(&id);
            }
            Ok(Response::new(()))
        }
        _ => Err(status::not_found("portal link", link_id)),
    }
}
