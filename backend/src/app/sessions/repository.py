"""The `user_session` table and its statements."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Delete, Select, Update, and_, bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningDelete

from app import access
from app.platform.errors import SessionNotFoundError
from app.platform.security import Caller
from app.platform.tables import insert_into, table
from app.sessions.schemas import SessionCursor
from app.sessions.tables import UserSession


class SessionRepository:
    """`daos.sessions`: every statement on sessions."""

    @classmethod
    async def create(cls, conn: AsyncConnection, session: UserSession) -> None:
        await conn.execute(insert_into("user_session"), session.model_dump())

    @classmethod
    async def trim(
        cls, conn: AsyncConnection, user_id: uuid.UUID, *, now: datetime, keep: int
    ) -> list[uuid.UUID]:
        """Delete the account's expired sessions, then its oldest live ones beyond the
        newest `keep`. Returns the ids of the live ones deleted (their streams end).
        Run in the log-in's transaction, after its insert: at SERIALIZABLE, concurrent
        log-ins of one account conflict here and the runner re-runs the loser, so the
        cap holds however many arrive at once."""
        await conn.execute(_delete_expired(), {"user_id": user_id, "now": now})
        over = await conn.scalars(_select_beyond_newest(), {"user_id": user_id, "keep": keep})
        ended = list(over)
        if ended:
            await conn.execute(_delete_ids(), {"ids": ended})
        return ended

    @classmethod
    async def get(cls, conn: AsyncConnection, caller: Caller) -> UserSession:
        """The caller's own session; UnknownUserError (401) once it has ended."""
        row = (await conn.execute(_select_current(), access.params(caller))).one_or_none()
        if row is None:
            await access.require_live(conn, caller)
            raise SessionNotFoundError  # a live caller without a session: a PAT
        return UserSession(**row._mapping)

    @classmethod
    async def page(
        cls,
        conn: AsyncConnection,
        caller: Caller,
        *,
        after: SessionCursor | None,
        limit: int,
    ) -> list[UserSession]:
        """The caller's live sessions, newest first, `limit` after `after`."""
        params = {
            **access.params(caller),
            "after_created_at": None if after is None else after.created_at,
            "after_id": None if after is None else after.id,
            "limit": limit,
        }
        rows = await conn.execute(_select_page(first=after is None), params)
        found = [UserSession(**row._mapping) for row in rows]
        if not found:
            await access.require_live(conn, caller)
        return found

    @classmethod
    async def end(cls, conn: AsyncConnection, caller: Caller, session_id: uuid.UUID) -> None:
        """Delete one of the caller's sessions. One statement: of many concurrent ends
        of the same session exactly one deletes the row; the others find nothing
        (SessionNotFoundError, 404)."""
        params = {**access.params(caller), "session_id": session_id}
        result = await conn.execute(_delete_mine(), params)
        if result.rowcount == 0:
            await access.require_live(conn, caller)
            raise SessionNotFoundError

    @classmethod
    async def end_others(cls, conn: AsyncConnection, caller: Caller) -> list[uuid.UUID]:
        """Delete every session of the caller's account but the caller's own."""
        return list(await conn.scalars(_delete_others(), access.params(caller)))

    @classmethod
    async def end_all(cls, conn: AsyncConnection, user_id: uuid.UUID) -> None:
        """Delete every session of the account (logging out everywhere)."""
        await conn.execute(_delete_all(), {"user_id": user_id})

    @classmethod
    async def touch(
        cls,
        conn: AsyncConnection,
        session_id: uuid.UUID,
        *,
        now: datetime,
        idle_until: datetime,
        unless_since: datetime,
    ) -> None:
        """Record a use and slide the idle expiry, unless a use was recorded since
        `unless_since` or the session has expired. One statement whose WHERE is
        re-checked against the newest row version at READ COMMITTED, so concurrent uses
        write at most once."""
        params = {
            "session_id": session_id,
            "now": now,
            "idle_until": idle_until,
            "since": unless_since,
        }
        await conn.execute(_touch(), params)

    @classmethod
    async def live(
        cls, conn: AsyncConnection, session_ids: Collection[uuid.UUID], *, now: datetime
    ) -> set[uuid.UUID]:
        """Which of these sessions are still live (the broker's periodic check)."""
        if not session_ids:
            return set()
        params = {"ids": list(session_ids), "now": now}
        return set(await conn.scalars(_select_live(), params))


def _unexpired(sessions: Any) -> Any:
    now = bindparam("now", type_=sessions.c.expires_at.type)
    return and_(sessions.c.expires_at > now, sessions.c.idle_expires_at > now)


@cache
def _delete_expired() -> Delete:
    sessions = table("user_session")
    now = bindparam("now", type_=sessions.c.expires_at.type)
    return delete(sessions).where(
        sessions.c.user_id == bindparam("user_id"),
        or_(sessions.c.expires_at <= now, sessions.c.idle_expires_at <= now),
    )


@cache
def _select_beyond_newest() -> Select[Any]:
    sessions = table("user_session")
    return (
        select(sessions.c.id)
        .where(sessions.c.user_id == bindparam("user_id"))
        .order_by(sessions.c.created_at.desc(), sessions.c.id.desc())
        .offset(bindparam("keep"))
    )


@cache
def _delete_ids() -> Delete:
    sessions = table("user_session")
    return delete(sessions).where(sessions.c.id.in_(bindparam("ids", expanding=True)))


@cache
def _select_current() -> Select[Any]:
    sessions = table("user_session")
    return select(sessions).where(
        sessions.c.id == bindparam("session"), sessions.c.user_id == access.live_user_id()
    )


@cache
def _select_page(*, first: bool) -> Select[Any]:
    sessions = table("user_session")
    query = select(sessions).where(
        sessions.c.user_id == access.live_user_id(), _unexpired(sessions)
    )
    if not first:  # keyset: strictly after the previous page's last row, newest first
        created_at = bindparam("after_created_at", type_=sessions.c.created_at.type)
        after_id = bindparam("after_id", type_=sessions.c.id.type)
        query = query.where(
            or_(
                sessions.c.created_at < created_at,
                and_(sessions.c.created_at == created_at, sessions.c.id < after_id),
            )
        )
    return query.order_by(sessions.c.created_at.desc(), sessions.c.id.desc()).limit(
        bindparam("limit")
    )


@cache
def _delete_mine() -> Delete:
    sessions = table("user_session")
    return delete(sessions).where(
        sessions.c.id == bindparam("session_id"), sessions.c.user_id == access.live_user_id()
    )


@cache
def _delete_others() -> ReturningDelete[Any]:
    sessions = table("user_session")
    return (
        delete(sessions)
        .where(
            sessions.c.user_id == access.live_user_id(),
            sessions.c.id != bindparam("session", type_=sessions.c.id.type),
        )
        .returning(sessions.c.id)
    )


@cache
def _delete_all() -> Delete:
    sessions = table("user_session")
    return delete(sessions).where(sessions.c.user_id == bindparam("user_id"))


@cache
def _touch() -> Update:
    sessions = table("user_session")
    return (
        update(sessions)
        .where(
            sessions.c.id == bindparam("session_id"),
            sessions.c.last_seen_at < bindparam("since"),
            _unexpired(sessions),  # an expired session is never brought back
        )
        .values(last_seen_at=bindparam("now"), idle_expires_at=bindparam("idle_until"))
    )


@cache
def _select_live() -> Select[Any]:
    sessions = table("user_session")
    return select(sessions.c.id).where(
        sessions.c.id.in_(bindparam("ids", expanding=True)), _unexpired(sessions)
    )
