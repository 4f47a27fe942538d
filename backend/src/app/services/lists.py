"""List work that is more than one statement: creating a list within the cap, deleting
one with its todos, and managing members.

Each runs as one serializable transaction that first reads the caller's role
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
from app.core.security import Caller
from app.daos import daos
from app.db import Database
from app.errors import (
    LastOwnerError,
    NoSuchAccountError,
    NotAMemberError,
    PersonalListError,
    TooManyListsError,
    TooManyMembersError,
)
from app.schemas import ListPublic, MemberPublic, Role

MAX_OWNED_LISTS = 100  # the personal list included
MAX_MEMBERS = 50


async def create_list(db: Database, caller: Caller, name: str) -> ListPublic:
    async def create(conn: AsyncConnection) -> ListPublic:
        if await daos.lists.count_owned(conn, caller) >= MAX_OWNED_LISTS:
            raise TooManyListsError(MAX_OWNED_LISTS)
        return await daos.lists.create(conn, caller, name)

    return await db.write(create)


async def delete_list(db: Database, caller: Caller, list_id: uuid.UUID) -> None:
    """Delete a list with its todos (owners only; never a personal list)."""

    async def delete(conn: AsyncConnection) -> None:
        found = await daos.lists.get(conn, caller, list_id)
        access.require(found.role, Role.owner)
        if found.personal:
            raise PersonalListError
        await daos.todos.delete_in_lists(conn, [list_id])
        await daos.lists.delete(conn, list_id)

    await db.write(delete)


async def share(
    db: Database, caller: Caller, list_id: uuid.UUID, name: str, role: Role
) -> tuple[MemberPublic, bool]:
    """Make the account `name` a member with `role`, or change the role it has (owners
    only). Returns the membership and whether it is new."""

    async def put_member(conn: AsyncConnection) -> tuple[MemberPublic, bool]:
        found = await daos.lists.get(conn, caller, list_id)
        access.require(found.role, Role.owner)
        if found.personal:
            raise PersonalListError
        user = await daos.users.get_by_name(conn, name)
        if user is None:
            raise NoSuchAccountError
        current = await daos.members.role_of(conn, list_id, user.id)
        if current is None:
            if await daos.members.count(conn, list_id, None) >= MAX_MEMBERS:
                raise TooManyMembersError(MAX_MEMBERS)
            await daos.members.add(conn, list_id, user.id, role)
        elif current != role:
            await _keep_an_owner(conn, list_id, current)
            await daos.members.set_role(conn, list_id, user.id, role)
        return MemberPublic(name=user.name, role=role), current is None

    return await db.write(put_member)


async def remove_member(db: Database, caller: Caller, list_id: uuid.UUID, name: str) -> None:
    """Remove the member `name`: an owner may remove anyone, any member themselves."""

    async def remove(conn: AsyncConnection) -> None:
        found = await daos.lists.get(conn, caller, list_id)
        user = await daos.users.get_by_name(conn, name)
        if user is None or user.id != caller.user_id:
            access.require(found.role, Role.owner)
        if found.personal:
            raise PersonalListError
        current = None if user is None else await daos.members.role_of(conn, list_id, user.id)
        if user is None or current is None:
            raise NotAMemberError
        await _keep_an_owner(conn, list_id, current)
        await daos.members.remove(conn, list_id, user.id)

    await db.write(remove)


async def _keep_an_owner(conn: AsyncConnection, list_id: uuid.UUID, leaving: Role) -> None:
    """LastOwnerError (409) if a member leaving the role `leaving` is the last owner."""
    if leaving == Role.owner and await daos.members.count(conn, list_id, Role.owner) <= 1:
        raise LastOwnerError


async def hand_over_or_delete(conn: AsyncConnection, caller: Caller) -> None:
    """Before an account goes: each list it owns alone passes to its longest-standing
    editor, or, with no editor, goes with its todos (the personal list always goes).
    Lists with another owner simply lose this member."""
    doomed: list[uuid.UUID] = []
    for succession in await daos.lists.sole_owned(conn, caller):
        if succession.successor_id is None:
            doomed.append(succession.list_id)
        else:
            await daos.members.set_role(
                conn, succession.list_id, succession.successor_id, Role.owner
            )
    await daos.todos.delete_in_lists(conn, doomed)
    for list_id in doomed:
        await daos.lists.delete(conn, list_id)
    await daos.members.leave_all(conn, caller)
