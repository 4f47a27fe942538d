"""The `share_link` table and its statements.

`find_open` is the only statement a secret reaches, and it takes the secret's hash: a
wrong secret, a revoked link (its row is deleted), an expired or used-up one and a
deleted list's (its rows went with it) all run that one indexed lookup and find
nothing, so none of them answers faster than another. The other statements take ids a
service has just read, in the same serializable transaction, after checking that the
caller owns the list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Delete, Select, Update, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.access import Role
from app.platform.tables import insert_into, table, validate_rows
from app.sharelinks.schemas import ShareLinkPublic
from app.sharelinks.tables import ShareLink


@dataclass(frozen=True, slots=True)
class OpenLink:
    """A link that still joins, found by its secret's hash, with its list's name."""

    id: uuid.UUID
    list_id: uuid.UUID
    list_name: str
    role: Role


class ShareLinkRepository:
    """`daos.share_links`: every statement on `share_link`."""

    @classmethod
    async def create(cls, conn: AsyncConnection, link: ShareLink) -> None:
        await conn.execute(insert_into("share_link"), link.model_dump())

    @classmethod
    async def of_list(cls, conn: AsyncConnection, list_id: uuid.UUID) -> list[ShareLinkPublic]:
        """A list's links, newest first: expired and used-up ones too, until revoked
        (or pruned, a day past expiry)."""
        return validate_rows(_LINKS, await conn.execute(_select_of_list(), {"list_id": list_id}))

    @classmethod
    async def get(
        cls, conn: AsyncConnection, list_id: uuid.UUID, link_id: uuid.UUID
    ) -> ShareLinkPublic | None:
        query_params = {"list_id": list_id, "link_id": link_id}
        found = validate_rows(_LINKS, await conn.execute(_select_one(), query_params))
        return found[0] if found else None

    @classmethod
    async def count(cls, conn: AsyncConnection, list_id: uuid.UUID) -> int:
        counted: int = await conn.scalar(_count(), {"list_id": list_id}) or 0
        return counted

    @classmethod
    async def find_open(
        cls, conn: AsyncConnection, secret_hash: str, now: datetime
    ) -> OpenLink | None:
        """The link with this secret hash, if it still joins (see the module's note)."""
        query_params = {"secret_hash": secret_hash, "now": now}
        row = (await conn.execute(_select_open(), query_params)).one_or_none()
        if row is None:
            return None
        return OpenLink(row.id, row.list_id, row.list_name, Role(row.role))

    @classmethod
    async def use(cls, conn: AsyncConnection, link_id: uuid.UUID) -> bool:
        """Count one use, unless that would pass `max_uses`: whether it was counted.
        The check is in the UPDATE's WHERE, so two joins can never both take the last
        use (and the service's transaction is serializable besides)."""
        used = await conn.execute(_use(), {"link_id": link_id})
        return used.first() is not None

    @classmethod
    async def delete(cls, conn: AsyncConnection, link_id: uuid.UUID) -> None:
        await conn.execute(_delete(), {"link_id": link_id})

    @classmethod
    async def prune(cls, conn: AsyncConnection, before: datetime) -> int:
        """Delete the links that expired before `before`: one statement, safe to run
        in any process at any time (a link past its expiry joins nobody already)."""
        result = await conn.execute(_prune(), {"before": before})
        return result.rowcount


_LINKS = TypeAdapter(list[ShareLinkPublic])


def _select_links() -> Select[Any]:
    links, users = table("share_link"), table("users")
    return (
        select(
            links.c.id,
            links.c.list_id,
            links.c.role,
            users.c.name.label("created_by"),
            links.c.created_at,
            links.c.expires_at,
            links.c.max_uses,
            links.c.uses,
        )
        .select_from(links)
        .outerjoin(users, users.c.id == links.c.created_by)
    )


@cache
def _select_of_list() -> Select[Any]:
    links = table("share_link")
    return (
        _select_links()
        .where(links.c.list_id == bindparam("list_id"))
        .order_by(links.c.created_at.desc(), links.c.id)
    )


@cache
def _select_one() -> Select[Any]:
    links = table("share_link")
    return _select_links().where(
        links.c.list_id == bindparam("list_id"), links.c.id == bindparam("link_id")
    )


@cache
def _count() -> Select[Any]:
    links = table("share_link")
    return select(func.count()).where(links.c.list_id == bindparam("list_id"))


def _has_uses_left() -> Any:
    links = table("share_link")
    return or_(links.c.max_uses.is_(None), links.c.uses < links.c.max_uses)


@cache
def _select_open() -> Select[Any]:
    links, lists = table("share_link"), table("todo_list")
    when = links.c.created_at.type
    return (
        select(links.c.id, links.c.list_id, lists.c.name.label("list_name"), links.c.role)
        .join_from(links, lists, lists.c.id == links.c.list_id)
        .where(
            links.c.secret_hash == bindparam("secret_hash"),
            or_(links.c.expires_at.is_(None), links.c.expires_at > bindparam("now", type_=when)),
            _has_uses_left(),
        )
    )


@cache
def _use() -> Update:
    links = table("share_link")
    return (
        update(links)
        .where(links.c.id == bindparam("link_id"), _has_uses_left())
        .values(uses=links.c.uses + 1)
        .returning(links.c.id)
    )


@cache
def _delete() -> Delete:
    links = table("share_link")
    return delete(links).where(links.c.id == bindparam("link_id"))


@cache
def _prune() -> Delete:
    links = table("share_link")
    when = links.c.created_at.type
    return delete(links).where(links.c.expires_at < bindparam("before", type_=when))
