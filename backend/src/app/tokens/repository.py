"""The `access_token` and `access_token_list` tables and their statements."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Delete, Select, Update, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.platform.errors import TokenNotFoundError
from app.platform.security import Caller
from app.platform.tables import insert_into, table
from app.tokens.tables import AccessToken, AccessTokenList  # noqa: F401 (registers the table)


@dataclass(frozen=True)
class FoundToken:
    """A token found by its secret, with what a request made with it needs."""

    token: AccessToken
    token_generation: int  # its account's, for the statements' liveness check
    list_ids: frozenset[uuid.UUID] | None


class AccessTokenRepository:
    """`daos.access_tokens`: every statement on personal access tokens."""

    @classmethod
    async def create(
        cls, conn: AsyncConnection, token: AccessToken, list_ids: Collection[uuid.UUID]
    ) -> None:
        """Store a token (its owner's liveness is the service's to check first)."""
        await conn.execute(insert_into("access_token"), token.model_dump())
        if list_ids:
            rows = [{"token_id": token.id, "list_id": list_id} for list_id in list_ids]
            await conn.execute(insert_into("access_token_list"), rows)

    @classmethod
    async def mine(
        cls, conn: AsyncConnection, caller: Caller
    ) -> list[tuple[AccessToken, list[uuid.UUID]]]:
        """The caller's tokens, newest first, each with its chosen lists."""
        params = access.params(caller)
        tokens = [AccessToken(**row._mapping) for row in await conn.execute(_select_mine(), params)]
        lists: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for token_id, list_id in await conn.execute(_select_my_token_lists(), params):
            lists[token_id].append(list_id)
        return [(token, sorted(lists[token.id])) for token in tokens]

    @classmethod
    async def count(cls, conn: AsyncConnection, caller: Caller) -> int:
        return int(await conn.scalar(_count_mine(), access.params(caller)) or 0)

    @classmethod
    async def revoke(cls, conn: AsyncConnection, caller: Caller, token_id: uuid.UUID) -> None:
        """Delete one of the caller's tokens: it stops working at once."""
        result = await conn.execute(_delete_mine(), {**access.params(caller), "token_id": token_id})
        if result.rowcount == 0:
            await access.require_live(conn, caller)
            raise TokenNotFoundError

    @classmethod
    async def by_secret_hash(cls, conn: AsyncConnection, secret_hash: str) -> FoundToken | None:
        """The token with this secret, whoever's (this is how a request is authenticated)."""
        row = (await conn.execute(_select_by_hash(), {"secret_hash": secret_hash})).one_or_none()
        if row is None:
            return None
        fields = dict(row._mapping)
        generation = fields.pop("token_generation")
        token = AccessToken(**fields)
        list_ids = None
        if not token.all_lists:
            found = await conn.scalars(_select_token_lists(), {"token_id": token.id})
            list_ids = frozenset(found)
        return FoundToken(token, generation, list_ids)

    @classmethod
    async def touch(
        cls, conn: AsyncConnection, token_id: uuid.UUID, *, now: datetime, unless_since: datetime
    ) -> None:
        """Record a use, unless one was recorded since `unless_since`. One statement
        whose WHERE is re-checked against the newest row version at READ COMMITTED, so
        concurrent uses write at most once and never fail on each other."""
        await conn.execute(_touch(), {"token_id": token_id, "now": now, "since": unless_since})


@cache
def _select_mine() -> Select[Any]:
    tokens = table("access_token")
    return (
        select(tokens).where(access.owned(tokens)).order_by(tokens.c.created_at.desc(), tokens.c.id)
    )


@cache
def _select_my_token_lists() -> Select[Any]:
    tokens, token_lists = table("access_token"), table("access_token_list")
    return (
        select(token_lists.c.token_id, token_lists.c.list_id)
        .join_from(token_lists, tokens, tokens.c.id == token_lists.c.token_id)
        .where(access.owned(tokens))
    )


@cache
def _count_mine() -> Select[Any]:
    tokens = table("access_token")
    return select(func.count()).select_from(tokens).where(access.owned(tokens))


@cache
def _delete_mine() -> Delete:
    tokens = table("access_token")
    return delete(tokens).where(tokens.c.id == bindparam("token_id"), access.owned(tokens))


@cache
def _select_by_hash() -> Select[Any]:
    tokens, users = table("access_token"), table("users")
    return (
        select(tokens, users.c.token_generation)
        .join_from(tokens, users, users.c.id == tokens.c.owner_id)
        .where(tokens.c.secret_hash == bindparam("secret_hash"))
    )


@cache
def _select_token_lists() -> Select[Any]:
    token_lists = table("access_token_list")
    return select(token_lists.c.list_id).where(token_lists.c.token_id == bindparam("token_id"))


@cache
def _touch() -> Update:
    tokens = table("access_token")
    return (
        update(tokens)
        .where(
            tokens.c.id == bindparam("token_id"),
            or_(tokens.c.last_used_at.is_(None), tokens.c.last_used_at < bindparam("since")),
        )
        .values(last_used_at=bindparam("now"))
    )
