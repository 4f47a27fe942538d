"""Invitation work: sharing a list by name (an invitation for a newcomer, an immediate
change for a member), a list's pending invitations, the invitee's inbox, accepting and
declining, and blocking an account.

Each change is one serializable transaction that reads what it relies on and then
writes, so concurrent requests about one invitation have exactly one outcome: of an
accept and a cancel sent at once, one commits and the other runs again and finds the
invitation closed (409). Accepting reads the invitation, the inviter's role, the
invitee's blocks and memberships in that one transaction, and records `member.added`
there too: the invitee's live stream watches the list from that event's position.

The decisions (what the inviter is told, the limits, expiry) are written once in
docs/architecture.md, "Invitations and blocks".
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.access import Role
from app.accounts.tables import User
from app.daos import daos
from app.invitations.events import InvitationClosed, InvitationSent, InvitationUpdated
from app.invitations.repository import FoundInvitation
from app.invitations.schemas import BlockPublic, InvitationPublic, Outcome
from app.invitations.tables import Invitation
from app.lists import service as lists
from app.lists.schemas import ListPublic, MemberPublic
from app.live.log import NewEvent
from app.platform.db import Database
from app.platform.errors import (
    InvitationClosedError,
    InvitationNotFoundError,
    NoSuchAccountError,
    PersonalListError,
    SelfBlockError,
    TooManyInvitationsError,
    TooManyPendingInvitationsError,
)
from app.platform.security import Caller
from app.platform.tables import utcnow

INVITATION_TTL = timedelta(days=14)
MAX_SENT_PER_HOUR = 30  # per inviting account, over every list
SENDING_WINDOW = timedelta(hours=1)
MAX_PENDING_PER_LIST = 20
# How long past its expiry an invitation's row is kept before `prune_expired` deletes
# it: meanwhile, accepting it says "it expired" rather than "not found".
KEPT_PAST_EXPIRY = timedelta(days=1)


async def share(
    db: Database, caller: Caller, list_id: uuid.UUID, name: str, role: Role
) -> MemberPublic | InvitationPublic:
    """Owners only. For a member of the list, change their role at once; for anyone
    else, invite them with `role` (an earlier invitation of theirs to the list is
    replaced). Returns the membership, or the invitation."""

    async def put(conn: AsyncConnection) -> MemberPublic | InvitationPublic:
        found = await daos.lists.get(conn, caller, list_id)
        access.require(found.role, Role.owner)
        if found.personal:
            raise PersonalListError
        user = await daos.users.get_by_name(conn, name)
        if user is None:
            raise NoSuchAccountError
        current = await daos.members.role_of(conn, list_id, user.id)
        if current is not None:
            return await lists.change_role_in(conn, list_id, user, current, role)
        return await _invite(conn, caller, found, user, role)

    return await db.write(put)


async def _invite(
    conn: AsyncConnection, caller: Caller, found: ListPublic, user: User, role: Role
) -> InvitationPublic:
    now = utcnow()
    sent, oldest = await daos.invitations.sent_since(conn, caller.user_id, now - SENDING_WINDOW)
    if sent >= MAX_SENT_PER_HOUR:
        frees_at = (oldest or now) + SENDING_WINDOW
        raise TooManyInvitationsError(
            MAX_SENT_PER_HOUR, max(1, math.ceil((frees_at - now).total_seconds()))
        )
    if await daos.invitations.count_pending(conn, found.id, now) >= MAX_PENDING_PER_LIST:
        raise TooManyPendingInvitationsError(MAX_PENDING_PER_LIST)
    inviter = await daos.users.get_for_caller(conn, caller)
    hidden = await daos.blocks.exists(conn, user.id, caller.user_id)
    invitation = Invitation(
        list_id=found.id,
        invitee_id=user.id,
        inviter_id=caller.user_id,
        role=role.value,
        status="pending",
        hidden=hidden,
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )
    await daos.invitations.replace(conn, invitation)
    public = InvitationPublic(
        id=invitation.id,
        list_id=found.id,
        list_name=found.name,
        name=user.name,
        role=role,
        invited_by=inviter.name,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )
    sent_event = InvitationSent(invitation=public)
    await daos.events.record(
        conn, await _addressed(conn, found.id, sent_event, None if hidden else user.id)
    )
    return public


async def _addressed(
    conn: AsyncConnection,
    list_id: uuid.UUID,
    event: InvitationSent | InvitationUpdated | InvitationClosed,
    invitee_id: uuid.UUID | None,
) -> list[NewEvent]:
    """`event` once for each owner of the list and once for the invitee (None: not to
    them, the invitation is hidden from them)."""
    audience = set(await daos.members.owners(conn, list_id))
    if invitee_id is not None:
        audience.add(invitee_id)
    return [NewEvent(event, user_id=user_id) for user_id in sorted(audience)]


async def pending(db: Database, caller: Caller, list_id: uuid.UUID) -> list[InvitationPublic]:
    """The list's open invitations (owners only), newest first."""

    async def read(conn: AsyncConnection) -> list[InvitationPublic]:
        found = await daos.lists.get(conn, caller, list_id)
        access.require(found.role, Role.owner)
        return await daos.invitations.pending(conn, list_id, utcnow())

    return await db.read(read)


async def _owned_open(
    conn: AsyncConnection, caller: Caller, list_id: uuid.UUID, invitation_id: uuid.UUID
) -> FoundInvitation:
    """The open invitation `invitation_id` of a list the caller owns."""
    found = await daos.lists.get(conn, caller, list_id)
    access.require(found.role, Role.owner)
    invitation = await daos.invitations.get(conn, invitation_id)
    if invitation is None or invitation.list_id != list_id:
        raise InvitationNotFoundError
    _require_open(invitation)
    return invitation


def _require_open(invitation: FoundInvitation) -> None:
    if invitation.status != "pending":
        raise InvitationClosedError(f"it was {invitation.status}")
    if invitation.expires_at <= utcnow():
        raise InvitationClosedError("it expired")


async def change_role(
    db: Database, caller: Caller, list_id: uuid.UUID, invitation_id: uuid.UUID, role: Role
) -> InvitationPublic:
    """Offer another role in an open invitation (owners only)."""

    async def change(conn: AsyncConnection) -> InvitationPublic:
        invitation = await _owned_open(conn, caller, list_id, invitation_id)
        await daos.invitations.set_role(conn, invitation_id, role)
        public = invitation.public(role)
        if invitation.role != role:
            invitee = None if invitation.hidden else invitation.invitee_id
            updated = InvitationUpdated(invitation=public)
            await daos.events.record(conn, await _addressed(conn, list_id, updated, invitee))
        return public

    return await db.write(change)


async def cancel(
    db: Database, caller: Caller, list_id: uuid.UUID, invitation_id: uuid.UUID
) -> None:
    """Cancel an open invitation (owners only)."""

    async def close(conn: AsyncConnection) -> None:
        invitation = await _owned_open(conn, caller, list_id, invitation_id)
        await _close(conn, invitation, "cancelled")

    await db.write(close)


async def _close(conn: AsyncConnection, invitation: FoundInvitation, outcome: Outcome) -> None:
    await daos.invitations.close(conn, invitation.id, outcome)
    closed = InvitationClosed(invitation=invitation.public(), outcome=outcome)
    invitee = None if invitation.hidden else invitation.invitee_id
    await daos.events.record(conn, await _addressed(conn, invitation.list_id, closed, invitee))


async def inbox(db: Database, caller: Caller) -> list[InvitationPublic]:
    """The caller's open invitations, newest first."""
    return await db.read(lambda conn: daos.invitations.inbox(conn, caller, utcnow()))


async def _addressed_to_caller(
    conn: AsyncConnection, caller: Caller, invitation_id: uuid.UUID
) -> tuple[User, FoundInvitation]:
    """The caller and their open invitation `invitation_id`: 404 when it is someone
    else's or hidden from them (as if it did not exist), 409 when it is closed."""
    me = await daos.users.get_for_caller(conn, caller)  # 401 for a token no longer current
    invitation = await daos.invitations.get(conn, invitation_id)
    if invitation is None or invitation.invitee_id != me.id or invitation.hidden:
        raise InvitationNotFoundError
    _require_open(invitation)
    return me, invitation


async def accept(db: Database, caller: Caller, invitation_id: uuid.UUID) -> ListPublic:
    """Accept an invitation addressed to the caller: they become a member with the
    offered role. Returns the list as they now see it."""
    access.require_scope(caller, write=True)  # joins a list outside any token's scope

    async def accept_it(conn: AsyncConnection) -> ListPublic:
        me, invitation = await _addressed_to_caller(conn, caller, invitation_id)
        if await daos.blocks.exists(conn, me.id, invitation.inviter_id):
            raise InvitationNotFoundError
        list_id = invitation.list_id
        if await daos.members.role_of(conn, list_id, invitation.inviter_id) != Role.owner:
            raise InvitationClosedError("the owner who sent it no longer owns the list")
        if await daos.members.role_of(conn, list_id, me.id) is None:
            await lists.add_member_in(conn, list_id, invitation.list_name, me, invitation.role)
        await _close(conn, invitation, "accepted")
        return await daos.lists.get(conn, caller, list_id)

    return await db.write(accept_it)


async def decline(db: Database, caller: Caller, invitation_id: uuid.UUID) -> None:
    """Decline an invitation addressed to the caller."""
    access.require_scope(caller, write=True)

    async def decline_it(conn: AsyncConnection) -> None:
        _, invitation = await _addressed_to_caller(conn, caller, invitation_id)
        await _close(conn, invitation, "declined")

    await db.write(decline_it)


async def blocked(db: Database, caller: Caller) -> list[BlockPublic]:
    """The accounts the caller blocked, by name."""
    return await db.read(lambda conn: daos.blocks.mine(conn, caller))


async def block(db: Database, caller: Caller, name: str) -> bool:
    """Block the account `name`: its open invitations to the caller disappear from the
    inbox and no later one reaches it. Returns whether the block is new."""
    access.require_scope(caller, write=True)

    async def block_it(conn: AsyncConnection) -> bool:
        me = await daos.users.get_for_caller(conn, caller)
        user = await daos.users.get_by_name(conn, name)
        if user is None:
            raise NoSuchAccountError
        if user.id == me.id:
            raise SelfBlockError
        if await daos.blocks.exists(conn, me.id, user.id):
            return False
        await daos.blocks.add(conn, me.id, user.id)
        await daos.invitations.hide_from(conn, me.id, user.id)
        return True

    return await db.write(block_it)


async def unblock(db: Database, caller: Caller, name: str) -> None:
    """Unblock the account `name`. Invitations hidden while it was blocked stay hidden."""
    access.require_scope(caller, write=True)

    async def unblock_it(conn: AsyncConnection) -> None:
        me = await daos.users.get_for_caller(conn, caller)
        user = await daos.users.get_by_name(conn, name)
        if user is None or not await daos.blocks.exists(conn, me.id, user.id):
            raise NoSuchAccountError("You have not blocked an account of that name")
        await daos.blocks.remove(conn, me.id, user.id)

    await db.write(unblock_it)


async def prune_expired(db: Database) -> int:
    """Delete the invitations, open or closed, that expired more than
    `KEPT_PAST_EXPIRY` ago (housekeeping: `app.platform.housekeeping`)."""
    before = utcnow() - KEPT_PAST_EXPIRY
    return await db.write_statement(lambda conn: daos.invitations.prune(conn, before))
