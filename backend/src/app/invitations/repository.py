"""The `invitation` and `account_block` tables and their statements.

Statements that take only ids are the second step of a service
(`app.invitations.service`) that has just read, in the same serializable transaction,
who the caller is and what they may do; the inbox and the blocks list are scoped to the
caller by `app.access`, like every statement that takes a caller.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Delete, Select, Update, and_, bindparam, delete, false, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.access import Role
from app.invitations.schemas import BlockPublic, InvitationPublic
from app.invitations.tables import AccountBlock, Invitation
from app.platform.errors import RetryTransactionError
from app.platform.security import Caller
from app.platform.tables import insert_into, table, validate_rows

PENDING = "pending"


@dataclass(frozen=True, slots=True)
class FoundInvitation:
    """An invitation with the names a reader needs, whatever its status."""

    id: uuid.UUID
    list_id: uuid.UUID
    list_name: str
    invitee_id: uuid.UUID
    name: str
    inviter_id: uuid.UUID
    invited_by: str
    role: Role
    status: str
    hidden: bool
    created_at: datetime
    expires_at: datetime

    def public(self, role: Role | None = None) -> InvitationPublic:
        return InvitationPublic(
            id=self.id,
            list_id=self.list_id,
            list_name=self.list_name,
            name=self.name,
            role=role or self.role,
            invited_by=self.invited_by,
            created_at=self.created_at,
            expires_at=self.expires_at,
        )

    def open_at(self, now: datetime) -> bool:
        return self.status == PENDING and self.expires_at > now


class InvitationRepository:
    """`daos.invitations`: every statement on `invitation`."""

    @classmethod
    async def get(cls, conn: AsyncConnection, invitation_id: uuid.UUID) -> FoundInvitation | None:
        row = (await conn.execute(_select_one(), {"invitation_id": invitation_id})).one_or_none()
        return None if row is None else _found(row)

    @classmethod
    async def inbox(
        cls, conn: AsyncConnection, caller: Caller, now: datetime
    ) -> list[InvitationPublic]:
        """The caller's open invitations, newest first (never a hidden one)."""
        result = await conn.execute(_select_inbox(), {**access.params(caller), "now": now})
        found = validate_rows(_INVITATIONS, result)
        if not found:
            await access.require_live(conn, caller)
        return found

    @classmethod
    async def pending(
        cls, conn: AsyncConnection, list_id: uuid.UUID, now: datetime
    ) -> list[InvitationPublic]:
        """A list's open invitations, newest first, hidden ones included."""
        result = await conn.execute(_select_pending(), {"list_id": list_id, "now": now})
        return validate_rows(_INVITATIONS, result)

    @classmethod
    async def count_pending(cls, conn: AsyncConnection, list_id: uuid.UUID, now: datetime) -> int:
        counted: int = await conn.scalar(_count_pending(), {"list_id": list_id, "now": now}) or 0
        return counted

    @classmethod
    async def sent_since(
        cls, conn: AsyncConnection, inviter_id: uuid.UUID, since: datetime
    ) -> tuple[int, datetime | None]:
        """How many invitations `inviter_id` sent after `since`, and the oldest's time."""
        query_params = {"inviter_id": inviter_id, "since": since}
        counted, oldest = (await conn.execute(_select_sent_since(), query_params)).one()
        return counted or 0, oldest

    @classmethod
    async def replace(cls, conn: AsyncConnection, invitation: Invitation) -> None:
        """`invitation` instead of any earlier one to the same list and account."""
        query_params = {"list_id": invitation.list_id, "invitee_id": invitation.invitee_id}
        await conn.execute(_delete_earlier(), query_params)
        try:
            await conn.execute(insert_into("invitation"), invitation.model_dump())
        except IntegrityError as exc:  # a concurrent invitation came first: run again
            raise RetryTransactionError from exc

    @classmethod
    async def close(cls, conn: AsyncConnection, invitation_id: uuid.UUID, status: str) -> None:
        await conn.execute(_close(), {"invitation_id": invitation_id, "new_status": status})

    @classmethod
    async def set_role(cls, conn: AsyncConnection, invitation_id: uuid.UUID, role: Role) -> None:
        await conn.execute(_set_role(), {"invitation_id": invitation_id, "new_role": role.value})

    @classmethod
    async def hide_from(
        cls, conn: AsyncConnection, invitee_id: uuid.UUID, inviter_id: uuid.UUID
    ) -> None:
        """Hide the open invitations `inviter_id` sent `invitee_id` (who blocked them)."""
        await conn.execute(_hide(), {"hide_invitee": invitee_id, "hide_inviter": inviter_id})

    @classmethod
    async def prune(cls, conn: AsyncConnection, before: datetime) -> int:
        """Delete every invitation that expired before `before`, open or closed: one
        statement, safe in any process at any time (none of them can be accepted)."""
        result = await conn.execute(_prune(), {"before": before})
        return result.rowcount


class BlockRepository:
    """`daos.blocks`: every statement on `account_block`."""

    @classmethod
    async def mine(cls, conn: AsyncConnection, caller: Caller) -> list[BlockPublic]:
        result = await conn.execute(_select_blocks(), access.params(caller))
        found = validate_rows(_BLOCKS, result)
        if not found:
            await access.require_live(conn, caller)
        return found

    @classmethod
    async def exists(
        cls, conn: AsyncConnection, blocker_id: uuid.UUID, blocked_id: uuid.UUID
    ) -> bool:
        query_params = {"blocker_id": blocker_id, "blocked_id": blocked_id}
        return await conn.scalar(_select_block(), query_params) is not None

    @classmethod
    async def add(cls, conn: AsyncConnection, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> None:
        row = AccountBlock(blocker_id=blocker_id, blocked_id=blocked_id)
        try:
            await conn.execute(insert_into("account_block"), row.model_dump())
        except IntegrityError as exc:  # a concurrent block came first: run again
            raise RetryTransactionError from exc

    @classmethod
    async def remove(
        cls, conn: AsyncConnection, blocker_id: uuid.UUID, blocked_id: uuid.UUID
    ) -> None:
        query_params = {"blocker_id": blocker_id, "blocked_id": blocked_id}
        await conn.execute(_delete_block(), query_params)


_INVITATIONS = TypeAdapter(list[InvitationPublic])
_BLOCKS = TypeAdapter(list[BlockPublic])


def _found(row: Any) -> FoundInvitation:
    values = dict(row._mapping)
    values["role"] = Role(values["role"])
    return FoundInvitation(**values)


def _select_invitations() -> Select[Any]:
    invitations, lists = table("invitation"), table("todo_list")
    users = table("users")
    invitee, inviter = users.alias("invitee"), users.alias("inviter")
    return (
        select(
            invitations.c.id,
            invitations.c.list_id,
            lists.c.name.label("list_name"),
            invitee.c.name.label("name"),
            invitations.c.role,
            inviter.c.name.label("invited_by"),
            invitations.c.created_at,
            invitations.c.expires_at,
        )
        .join_from(invitations, lists, lists.c.id == invitations.c.list_id)
        .join(invitee, invitee.c.id == invitations.c.invitee_id)
        .join(inviter, inviter.c.id == invitations.c.inviter_id)
    )


def _is_open() -> Any:
    invitations = table("invitation")
    return and_(invitations.c.status == PENDING, invitations.c.expires_at > bindparam("now"))


@cache
def _select_one() -> Select[Any]:
    invitations = table("invitation")
    return (
        _select_invitations()
        .add_columns(
            invitations.c.invitee_id,
            invitations.c.inviter_id,
            invitations.c.status,
            invitations.c.hidden,
        )
        .where(invitations.c.id == bindparam("invitation_id"))
    )


@cache
def _select_inbox() -> Select[Any]:
    invitations = table("invitation")
    return (
        _select_invitations()
        .where(
            invitations.c.invitee_id == access.live_user_id(),
            invitations.c.hidden == false(),
            _is_open(),
        )
        .order_by(invitations.c.created_at.desc(), invitations.c.id)
    )


@cache
def _select_pending() -> Select[Any]:
    invitations = table("invitation")
    return (
        _select_invitations()
        .where(invitations.c.list_id == bindparam("list_id"), _is_open())
        .order_by(invitations.c.created_at.desc(), invitations.c.id)
    )


@cache
def _count_pending() -> Select[Any]:
    invitations = table("invitation")
    return select(func.count()).where(invitations.c.list_id == bindparam("list_id"), _is_open())


@cache
def _select_sent_since() -> Select[Any]:
    invitations = table("invitation")
    return select(func.count(), func.min(invitations.c.created_at)).where(
        invitations.c.inviter_id == bindparam("inviter_id"),
        invitations.c.created_at > bindparam("since"),
    )


@cache
def _delete_earlier() -> Delete:
    invitations = table("invitation")
    return delete(invitations).where(
        invitations.c.list_id == bindparam("list_id"),
        invitations.c.invitee_id == bindparam("invitee_id"),
    )


@cache
def _close() -> Update:
    invitations = table("invitation")
    return (
        update(invitations)
        .where(invitations.c.id == bindparam("invitation_id"))
        .values(status=bindparam("new_status"))
    )


@cache
def _set_role() -> Update:
    invitations = table("invitation")
    return (
        update(invitations)
        .where(invitations.c.id == bindparam("invitation_id"))
        .values(role=bindparam("new_role"))
    )


@cache
def _hide() -> Update:
    invitations = table("invitation")
    return (
        update(invitations)
        .where(
            invitations.c.invitee_id == bindparam("hide_invitee"),
            invitations.c.inviter_id == bindparam("hide_inviter"),
            invitations.c.status == PENDING,
        )
        .values(hidden=True)
    )


@cache
def _prune() -> Delete:
    invitations = table("invitation")
    return delete(invitations).where(invitations.c.expires_at < bindparam("before"))


@cache
def _select_blocks() -> Select[Any]:
    blocks, users = table("account_block"), table("users")
    return (
        select(users.c.name, blocks.c.created_at)
        .join_from(blocks, users, users.c.id == blocks.c.blocked_id)
        .where(blocks.c.blocker_id == access.live_user_id())
        .order_by(users.c.name_key)
    )


@cache
def _select_block() -> Select[Any]:
    blocks = table("account_block")
    return select(blocks.c.blocker_id).where(
        blocks.c.blocker_id == bindparam("blocker_id"),
        blocks.c.blocked_id == bindparam("blocked_id"),
    )


@cache
def _delete_block() -> Delete:
    blocks = table("account_block")
    return delete(blocks).where(
        blocks.c.blocker_id == bindparam("blocker_id"),
        blocks.c.blocked_id == bindparam("blocked_id"),
    )
