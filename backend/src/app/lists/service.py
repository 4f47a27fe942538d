"""List work: reading lists and members; creating a list within the cap, renaming and
deleting one, managing members, each with the events that tell the members of it
(`app.live.log`).

Each change runs as one serializable transaction that first reads the caller's role
(`daos.lists.get`: 404 for a non-member) and then acts on it, so a concurrent change of
roles either happened before (and is seen) or waits: of two owners removing each other
at once, one transaction runs again and finds its caller no longer a member. The rules
on roles are `app.access`'s; what a personal list and the last owner may not do is
decided here.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.access import Role
from app.accounts.tables import User
from app.daos import daos
from app.lists.events import ListDeleted, ListRenamed, MemberAdded, MemberRemoved, MemberUpdated
from app.lists.schemas import ListPublic, MemberPublic
from app.live.log import NewEvent
from app.platform.db import Database
from app.platform.errors import (
    LastOwnerError,
    NotAMemberError,
    OwnsTooManyListsError,
    PersonalListError,
    TooManyListsError,
    TooManyMembersError,
)
from app.platform.security import Caller

MAX_OWNED_LISTS = 100  # the personal list included
MAX_MEMBERS = 50
NO_SUCCESSOR = (
    "You are this list's last owner and no editor can take it over: "
    "make another member an owner, or delete the list"
)


async def mine(db: Database, caller: Caller) -> list[ListPublic]:
    """The caller's lists, the personal one first."""
    return await db.read(lambda conn: daos.lists.mine(conn, caller))


async def get(db: Database, caller: Caller, list_id: uuid.UUID) -> ListPublic:
    return await db.read(lambda conn: daos.lists.get(conn, caller, list_id))


async def members(db: Database, caller: Caller, list_id: uuid.UUID) -> list[MemberPublic]:
    return await db.read(lambda conn: daos.members.members(conn, caller, list_id))


async def create_list(db: Database, caller: Caller, name: str) -> ListPublic:
    access.require_scope(caller, write=True)  # a new list is outside chosen lists
    return await db.write(lambda conn: create_in(conn, caller, name))


async def create_in(conn: AsyncConnection, caller: Caller, name: str) -> ListPublic:
    """A new list owned by the caller, within the cap, in the caller's transaction (an
    import creates several in one)."""
    if await daos.lists.count_owned(conn, caller) >= MAX_OWNED_LISTS:
        raise TooManyListsError(MAX_OWNED_LISTS)
    created = await daos.lists.create(conn, caller, name)
    await daos.members.add(conn, created.id, caller.user_id, Role.owner)
    owner = await daos.users.get_for_caller(conn, caller)
    added = MemberAdded(list_id=created.id, list_name=name, name=owner.name, role=Role.owner)
    await daos.events.record(conn, [NewEvent(added, user_id=caller.user_id)])
    return created


async def rename_list(db: Database, caller: Caller, list_id: uuid.UUID, name: str) -> ListPublic:
    """Rename the list (owners only)."""

    async def rename(conn: AsyncConnection) -> ListPublic:
        renamed = await daos.lists.rename(conn, caller, list_id, name)
        await daos.events.record(conn, [NewEvent(ListRenamed(list_id=list_id, name=name))])
        return renamed

    return await db.write(rename)


async def delete_list(db: Database, caller: Caller, list_id: uuid.UUID) -> None:
    """Delete a list with its todos (owners only; never a personal list)."""

    async def delete(conn: AsyncConnection) -> None:
        found = await daos.lists.get(conn, caller, list_id)
        access.require(found.role, Role.owner)
        if found.personal:
            raise PersonalListError
        await daos.todos.delete_in_lists(conn, [list_id])
        await daos.lists.delete(conn, list_id)
        await daos.events.record(conn, [NewEvent(ListDeleted(list_id=list_id))])

    await db.write(delete)


async def change_role_in(
    conn: AsyncConnection, list_id: uuid.UUID, user: User, current: Role, role: Role
) -> MemberPublic:
    """Give the member `user`, who holds `current`, the role `role`, in the caller's
    transaction (`app.invitations.service.share`, which has checked that the caller is
    an owner): immediate, with `member.updated`. A role that stays is no change."""
    if role == Role.owner and current != Role.owner:
        await _may_own_another(conn, user.as_caller())
    if current != role:
        await _keep_an_owner(conn, list_id, current)
        await daos.members.set_role(conn, list_id, user.id, role)
        changed = MemberUpdated(list_id=list_id, name=user.name, role=role)
        await daos.events.record(conn, [NewEvent(changed, user_id=user.id)])
    return MemberPublic(name=user.name, role=role)


async def add_member_in(
    conn: AsyncConnection, list_id: uuid.UUID, list_name: str, user: User, role: Role
) -> None:
    """Make `user` a member with `role`, within the caps, with `member.added` (whose
    position is where the new member's stream starts watching the list), in the
    caller's transaction: the invitee's accepting (`app.invitations.service.accept`)."""
    if role == Role.owner:
        await _may_own_another(conn, user.as_caller())
    if await daos.members.count(conn, list_id, None) >= MAX_MEMBERS:
        raise TooManyMembersError(MAX_MEMBERS)
    await daos.members.add(conn, list_id, user.id, role)
    added = MemberAdded(list_id=list_id, list_name=list_name, name=user.name, role=role)
    await daos.events.record(conn, [NewEvent(added, user_id=user.id)])


async def remove_member(db: Database, caller: Caller, list_id: uuid.UUID, name: str) -> None:
    """Remove the member `name`: an owner may remove anyone, any member themselves. The
    last owner leaving hands the list to its longest-standing editor, as a deleted
    account's lists pass on (`hand_over_or_delete`)."""

    async def remove(conn: AsyncConnection) -> None:
        found = await daos.lists.get(conn, caller, list_id)
        user = await daos.users.get_by_name(conn, name)
        leaving = user is not None and user.id == caller.user_id
        if not leaving:
            access.require(found.role, Role.owner)
        if found.personal:
            raise PersonalListError
        current = None if user is None else await daos.members.role_of(conn, list_id, user.id)
        if user is None or current is None:
            raise NotAMemberError
        events: list[NewEvent] = []
        if leaving and current == Role.owner:
            events += await _hand_over_if_last_owner(conn, caller, list_id)
        else:
            await _keep_an_owner(conn, list_id, current)
        await daos.members.remove(conn, list_id, user.id)
        removed = MemberRemoved(list_id=list_id, name=user.name)
        await daos.events.record(conn, [*events, NewEvent(removed, user_id=user.id)])

    await db.write(remove)


async def _hand_over_if_last_owner(
    conn: AsyncConnection, caller: Caller, list_id: uuid.UUID
) -> list[NewEvent]:
    """Before the caller, an owner, leaves: if they are its last owner, the list's
    longest-standing editor becomes owner (the events that say so). LastOwnerError
    (409) when there is no editor who may own another list: the caller then deletes the
    list or makes someone an owner, so an owner is never kept without a way out."""
    succession = next(
        (found for found in await daos.lists.sole_owned(conn, caller) if found.list_id == list_id),
        None,
    )
    if succession is None:  # another owner stays
        return []
    if succession.successor_id is None or succession.successor_name is None:
        raise LastOwnerError(NO_SUCCESSOR)
    successor = await daos.users.get_by_name(conn, succession.successor_name)
    if successor is None:
        raise LastOwnerError(NO_SUCCESSOR)
    try:
        await _may_own_another(conn, successor.as_caller())
    except OwnsTooManyListsError:
        raise LastOwnerError(NO_SUCCESSOR) from None
    await daos.members.set_role(conn, list_id, succession.successor_id, Role.owner)
    promoted = MemberUpdated(list_id=list_id, name=succession.successor_name, role=Role.owner)
    return [NewEvent(promoted, user_id=succession.successor_id)]


async def _may_own_another(conn: AsyncConnection, user: Caller) -> None:
    """OwnsTooManyListsError (409) if the account `user` already owns as many lists as
    an account may: the cap counts what an account owns, however it came to own it."""
    if await daos.lists.count_owned(conn, user) >= MAX_OWNED_LISTS:
        raise OwnsTooManyListsError(MAX_OWNED_LISTS)


async def _keep_an_owner(conn: AsyncConnection, list_id: uuid.UUID, leaving: Role) -> None:
    """LastOwnerError (409) if a member leaving the role `leaving` is the last owner."""
    if leaving == Role.owner and await daos.members.count(conn, list_id, Role.owner) <= 1:
        raise LastOwnerError


async def hand_over_or_delete(conn: AsyncConnection, caller: Caller, name: str) -> None:
    """Before the account `name` goes: each list it owns alone passes to its
    longest-standing editor, or, with no editor, goes with its todos (the personal list
    always goes). Lists with another owner simply lose this member."""
    memberships = await daos.lists.mine(conn, caller)
    doomed: list[uuid.UUID] = []
    events: list[NewEvent] = []
    for succession in await daos.lists.sole_owned(conn, caller):
        if succession.successor_id is None or succession.successor_name is None:
            doomed.append(succession.list_id)
            events.append(NewEvent(ListDeleted(list_id=succession.list_id)))
        else:
            await daos.members.set_role(
                conn, succession.list_id, succession.successor_id, Role.owner
            )
            promoted = MemberUpdated(
                list_id=succession.list_id, name=succession.successor_name, role=Role.owner
            )
            events.append(NewEvent(promoted, user_id=succession.successor_id))
    await daos.todos.delete_in_lists(conn, doomed)
    for list_id in doomed:
        await daos.lists.delete(conn, list_id)
    await daos.members.leave_all(conn, caller)
    events += [
        NewEvent(MemberRemoved(list_id=found.id, name=name), user_id=caller.user_id)
        for found in memberships
        if found.id not in doomed
    ]
    await daos.events.record(conn, events)
