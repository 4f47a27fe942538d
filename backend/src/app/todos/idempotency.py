"""The `idempotency_key` table: the response a create produced, replayed when the client
retries with the same `Idempotency-Key`."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Delete, Select, bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.platform.errors import RetryTransactionError
from app.platform.security import Caller
from app.platform.tables import insert_into, table, utcnow
from app.todos.tables import IdempotencyKey


class IdempotencyKeyRepository:
    """`daos.idempotency_keys`: every statement on `idempotency_key`."""

    @classmethod
    async def get(cls, conn: AsyncConnection, caller: Caller, key: str) -> IdempotencyKey | None:
        params = {**access.params(caller), "key": key}
        row = (await conn.execute(_select_one(), params)).one_or_none()
        return None if row is None else IdempotencyKey(**row._mapping)

    @classmethod
    async def record(
        cls,
        conn: AsyncConnection,
        *,
        caller: Caller,
        key: str,
        request_hash: str,
        response_body: str,
    ) -> None:
        values = {
            "owner_id": caller.user_id,
            "key": key,
            "request_hash": request_hash,
            "response_body": response_body,
            "created_at": utcnow(),
        }
        try:
            await conn.execute(insert_into("idempotency_key"), values)
        except IntegrityError as exc:
            # A concurrent request with the same key committed first: run again,
            # and the next attempt replays its response.
            raise RetryTransactionError from exc

    @classmethod
    async def delete_owned(cls, conn: AsyncConnection, caller: Caller) -> None:
        """Every key the caller owns (their account is being deleted)."""
        await conn.execute(_delete_owned(), access.params(caller))


@cache
def _select_one() -> Select[Any]:
    keys = table("idempotency_key")
    return select(keys).where(keys.c.key == bindparam("key"), access.owned(keys))


@cache
def _delete_owned() -> Delete:
    keys = table("idempotency_key")
    return delete(keys).where(access.owned(keys))
