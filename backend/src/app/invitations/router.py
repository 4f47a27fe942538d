"""Invitations and blocks. An owner invites an account by name
(`PUT /lists/{list_id}/members/{name}`, in `app.lists.router`); owners see and manage a
list's open invitations under `/lists/{list_id}/invitations`; the invitee finds theirs
in `/me/invitations` and accepts or declines each; `/me/blocks` are the accounts whose
invitations never reach the caller."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from app.invitations import service as invitations
from app.invitations.schemas import BlockPublic, InvitationPublic, InvitationRole
from app.lists.schemas import ListPublic
from app.platform.fields import NAME_MAX
from app.platform.http.deps import CurrentCaller, DatabaseDep, ListId
from app.platform.http.error_responses import error_responses
from app.todos.schemas import Empty

InvitationId = Annotated[uuid.UUID, Path(description="The invitation's id.")]
AccountName = Annotated[
    str, Path(min_length=1, max_length=NAME_MAX, description="An account name.")
]

CLOSED = "The invitation was accepted, declined or cancelled, or it expired."
NOT_YOURS = "No such invitation addressed to you."

router = APIRouter(
    prefix="/me/invitations", tags=["invitations"], responses=error_responses(401, 503)
)
list_router = APIRouter(prefix="/lists", tags=["invitations"], responses=error_responses(401, 503))
block_router = APIRouter(
    prefix="/me/blocks", tags=["invitations"], responses=error_responses(401, 503)
)


@router.get("")
async def list_inbox(caller: CurrentCaller, db: DatabaseDep) -> list[InvitationPublic]:
    """Your open invitations, newest first. New ones also arrive on `GET /events` as
    `invitation.sent`."""
    return await invitations.inbox(db, caller)


@router.post(
    "/{invitation_id}/accept",
    responses=error_responses(
        403,
        404,
        409,
        meanings={
            403: "Sent with a personal access token for chosen lists or a read token.",
            404: NOT_YOURS,
            409: f"{CLOSED} Or the owner who sent it no longer owns the list, or the "
            "list has as many members as a list may.",
        },
    ),
)
async def accept_invitation(
    invitation_id: InvitationId, caller: CurrentCaller, db: DatabaseDep
) -> ListPublic:
    """Accept the invitation: you become a member of its list with the role it offers.
    Answers the list as you now see it."""
    return await invitations.accept(db, caller, invitation_id)


@router.post(
    "/{invitation_id}/decline",
    responses=error_responses(
        403,
        404,
        409,
        meanings={
            403: "Sent with a personal access token for chosen lists or a read token.",
            404: NOT_YOURS,
            409: CLOSED,
        },
    ),
)
async def decline_invitation(
    invitation_id: InvitationId, caller: CurrentCaller, db: DatabaseDep
) -> Empty:
    """Decline the invitation. The owners see it closed; they may invite you again
    (block the sender to stop that: `PUT /me/blocks/{name}`). Answers `{}`."""
    await invitations.decline(db, caller, invitation_id)
    return Empty()


LIST_OWNERS = {403: "Only the list's owners may do this.", 404: "No such list among yours."}


@list_router.get(
    "/{list_id}/invitations", responses=error_responses(403, 404, meanings=LIST_OWNERS)
)
async def list_invitations(
    list_id: ListId, caller: CurrentCaller, db: DatabaseDep
) -> list[InvitationPublic]:
    """The list's open invitations, newest first (owners)."""
    return await invitations.pending(db, caller, list_id)


@list_router.patch(
    "/{list_id}/invitations/{invitation_id}",
    responses=error_responses(
        403,
        404,
        409,
        meanings={
            **LIST_OWNERS,
            404: "No such list among yours, or no such invitation to it.",
            409: CLOSED,
        },
    ),
)
async def change_invitation(
    list_id: ListId,
    invitation_id: InvitationId,
    body: InvitationRole,
    caller: CurrentCaller,
    db: DatabaseDep,
) -> InvitationPublic:
    """Offer another role in an open invitation (owners)."""
    return await invitations.change_role(db, caller, list_id, invitation_id, body.role)


@list_router.delete(
    "/{list_id}/invitations/{invitation_id}",
    responses=error_responses(
        403,
        404,
        409,
        meanings={
            **LIST_OWNERS,
            404: "No such list among yours, or no such invitation to it.",
            409: CLOSED,
        },
    ),
)
async def cancel_invitation(
    list_id: ListId, invitation_id: InvitationId, caller: CurrentCaller, db: DatabaseDep
) -> Empty:
    """Cancel an open invitation (owners). Answers `{}`."""
    await invitations.cancel(db, caller, list_id, invitation_id)
    return Empty()


@block_router.get("")
async def list_blocks(caller: CurrentCaller, db: DatabaseDep) -> list[BlockPublic]:
    """The accounts you blocked, by name."""
    return await invitations.blocked(db, caller)


@block_router.put(
    "/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(
        403,
        404,
        409,
        meanings={
            403: "Sent with a personal access token for chosen lists or a read token.",
            404: "No account has that name.",
            409: "That is your own name.",
        },
    ),
)
async def block_account(name: AccountName, caller: CurrentCaller, db: DatabaseDep) -> Response:
    """Block the account `name`: its open invitations leave your inbox, and none it
    sends later reaches you, not even on `GET /events`. It is not told: its
    invitations to you look open to it until they expire. Blocking twice is no
    change."""
    await invitations.block(db, caller, name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@block_router.delete(
    "/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(
        403,
        404,
        meanings={
            403: "Sent with a personal access token for chosen lists or a read token.",
            404: "You have not blocked an account of that name.",
        },
    ),
)
async def unblock_account(name: AccountName, caller: CurrentCaller, db: DatabaseDep) -> Response:
    """Unblock the account `name`: its later invitations reach you again (those sent
    while it was blocked stay hidden)."""
    await invitations.unblock(db, caller, name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
