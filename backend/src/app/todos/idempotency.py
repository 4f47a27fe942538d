"""The `idempotency_key` table: the response a create produced, replayed when the client
retries with the same `Idempotency-Key`."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Delete, Select, Text, bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field

from app import access
from app.platform.errors import RetryTransactionError
from app.platform.fields import IDEMPOTENCY_KEY_MAX
from app.platform.security import Caller
from app.platform.tables import BaseDAO, insert_into, table, utcnow


class IdempotencyKey(BaseDAO, table=True):
    __tablename__ = "idempotency_key"

    owner_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    key: str = Field(primary_key=True, max_length=IDEMPOTENCY_KEY_MAX)
    request_hash: str = Field(max_length=64)
    response_body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)

    @classmethod
    async def get(cls, conn: AsyncConnection, caller: Caller, key: str) -> IdempotencyKey | None:
        params = {**access.params(caller), "key": key}
        row = (await conn.execute(_select_one(), params)).one_or_none()
        return None if row is None else cls(**row._mapping)

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
