"""The `login_throttle` table: password attempts counted per key, in the database so
that every replica counts the same attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Delete,
    Insert,
    Integer,
    Update,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.accounts.tables import LoginThrottle  # noqa: F401 (registers the table)
from app.platform.tables import table


@dataclass(frozen=True)
class ThrottlePolicy:
    limit: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class Admission:
    """What counting one attempt against a key found: admitted attempts may check a
    password; `locked_until` says until when the key refuses further ones."""

    admitted: bool
    locked_until: datetime | None


class LoginThrottleRepository:
    """`daos.login_throttle`: every statement on `login_throttle`."""

    @classmethod
    async def admit(
        cls, conn: AsyncConnection, key: str, *, now: datetime, policy: ThrottlePolicy
    ) -> Admission:
        """Count one attempt against `key`, unless its lock is in force."""
        params = {
            "throttle_key": key,
            "now": now,
            "window_cutoff": now - policy.window,
            "limit": policy.limit,
            "lock_until": now + policy.lockout,
            "first_lock": now + policy.lockout if policy.limit <= 1 else None,
        }
        row = (await conn.execute(_admit_attempt(conn.dialect.name), params)).one()
        return Admission(admitted=row.failures <= policy.limit, locked_until=row.locked_until)

    @classmethod
    async def refund(cls, conn: AsyncConnection, key: str, *, policy: ThrottlePolicy) -> None:
        """Give back one admitted attempt that succeeded (and the lock it set, if any)."""
        await conn.execute(_refund_attempt(), {"throttle_key": key, "limit": policy.limit})

    @classmethod
    async def clear(cls, conn: AsyncConnection, key: str) -> None:
        await conn.execute(_delete_key(), {"throttle_key": key})


@cache
def _admit_attempt(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING: one statement that reads the
    count, decides and writes, so no two attempts can both see the count before the
    other's increment. (PostgreSQL's and SQLite's spellings are alike; CockroachDB
    takes PostgreSQL's.) In the update, the table's columns are the row as it was."""
    throttle = table("login_throttle")
    row = throttle.c
    when = row.window_started_at.type

    def param(name: str, type_: Any = None) -> Any:
        return bindparam(name, type_=type_)

    insert_for = sqlite_insert if dialect == "sqlite" else postgresql_insert
    statement = insert_for(throttle).values(
        key=param("throttle_key"),
        failures=1,
        window_started_at=param("now", when),
        locked_until=param("first_lock", when),
    )
    # A new window starts once the old one has passed (unlocked) or the lock has expired.
    expired = or_(
        and_(row.locked_until.is_(None), row.window_started_at <= param("window_cutoff", when)),
        row.locked_until <= param("now", when),
    )
    limit = param("limit", Integer())
    return statement.on_conflict_do_update(
        index_elements=[row.key],
        set_={
            # Capped one past the limit: every refused attempt reads "more than allowed".
            "failures": case(
                (expired, 1), (row.failures > limit, row.failures), else_=row.failures + 1
            ),
            "window_started_at": case((expired, param("now", when)), else_=row.window_started_at),
            "locked_until": case(
                (expired, param("first_lock", when)),
                (
                    row.failures + 1 >= limit,
                    func.coalesce(row.locked_until, param("lock_until", when)),
                ),
                else_=None,
            ),
        },
    ).returning(row.failures, row.locked_until)


@cache
def _refund_attempt() -> Update:
    throttle = table("login_throttle")
    row = throttle.c
    limit = bindparam("limit", type_=Integer())
    return (
        update(throttle)
        .where(row.key == bindparam("throttle_key"), row.failures > 0)
        .values(
            failures=row.failures - 1,
            locked_until=case((row.failures - 1 >= limit, row.locked_until), else_=None),
        )
    )


@cache
def _delete_key() -> Delete:
    throttle = table("login_throttle")
    return delete(throttle).where(throttle.c.key == bindparam("throttle_key"))
