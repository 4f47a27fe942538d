"""Share links. Owners make, list and revoke a list's links under
`/lists/{list_id}/share-links`; a signed-in account joins through one with
`POST /share-links/join`, the secret in the body (never in a path: paths are logged)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from app.platform.http.deps import (
    ClientAddress,
    CurrentCaller,
    DatabaseDep,
    ListId,
    SettingsDep,
    location,
)
from app.platform.http.error_responses import error_responses
from app.sharelinks import service as share_links
from app.sharelinks.schemas import (
    NewShareLink,
    ShareLinkCreate,
    ShareLinkJoin,
    ShareLinkJoined,
    ShareLinkPublic,
)
from app.todos.schemas import Empty

LinkId = Annotated[uuid.UUID, Path(description="The share link's id.")]
LIST_OWNERS = {
    403: "Only the list's owners may do this (or your token does not cover it).",
    404: "No such list among yours.",
}

router = APIRouter(prefix="/share-links", tags=["share links"], responses=error_responses(401, 503))
list_router = APIRouter(prefix="/lists", tags=["share links"], responses=error_responses(401, 503))


@router.post(
    "/join",
    responses=error_responses(
        403,
        404,
        409,
        429,
        meanings={
            403: "Sent with a read token or a token for chosen lists.",
            404: "The link does not work: no link has that secret, or it was revoked, "
            "expired or used up, or its list was deleted (one answer for all).",
            409: "The list has as many members as a list may.",
            429: "Too many secrets that did not work from this client or account: "
            "`Retry-After` says when to try again.",
        },
    ),
)
async def join_share_link(
    body: ShareLinkJoin,
    caller: CurrentCaller,
    db: DatabaseDep,
    settings: SettingsDep,
    address: ClientAddress,
) -> ShareLinkJoined:
    """Join a list through a share link: you become a member with the link's role, and
    the link counts one use. If you are a member already, nothing changes
    (`already_member`). Secrets that do not work count like failed log-ins."""
    return await share_links.join(db, settings, caller, address, body.secret)


@list_router.get(
    "/{list_id}/share-links", responses=error_responses(403, 404, meanings=LIST_OWNERS)
)
async def list_share_links(
    list_id: ListId, caller: CurrentCaller, db: DatabaseDep
) -> list[ShareLinkPublic]:
    """The list's share links, newest first, without their secrets (owners). Expired
    and used-up links stay here (a day past expiry) until revoked."""
    return await share_links.of_list(db, caller, list_id)


@list_router.post(
    "/{list_id}/share-links",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        403,
        404,
        409,
        meanings={
            **LIST_OWNERS,
            409: "A personal list cannot be shared, or the list has as many links as a "
            "list may: revoke one.",
        },
    ),
)
async def create_share_link(
    list_id: ListId,
    body: ShareLinkCreate,
    caller: CurrentCaller,
    db: DatabaseDep,
    request: Request,
    response: Response,
) -> NewShareLink:
    """Make a share link for the list (owners): whoever opens it while signed in joins
    with `role`. The `secret` is in this response only; the web app's link is
    `/join#<secret>`."""
    created = await share_links.create(db, caller, list_id, body)
    response.headers["Cache-Control"] = "no-store"  # a secret: RFC 6749 section 5.1
    response.headers["Location"] = location(request, f"/lists/{list_id}/share-links")
    return created


@list_router.delete(
    "/{list_id}/share-links/{link_id}",
    responses=error_responses(
        403,
        404,
        meanings={**LIST_OWNERS, 404: "No such list among yours, or no such link in it."},
    ),
)
async def revoke_share_link(
    list_id: ListId, link_id: LinkId, caller: CurrentCaller, db: DatabaseDep
) -> Empty:
    """Revoke a share link (owners): it joins nobody from now on. Those who joined
    through it stay members (remove them one by one if need be). Answers `{}`."""
    await share_links.revoke(db, caller, list_id, link_id)
    return Empty()
