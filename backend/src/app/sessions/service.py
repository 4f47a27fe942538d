"""Session work: starting one at log-in, listing an account's signed-in devices,
signing one out or all the others, and recording that a session is in use.

A session is a row (`UserSession`), and the token a log-in returns names it (`sid`).
Every statement run for a log-in token checks its session is live (`app.access`), so
ending a session is deleting its row: its next request is a 401. Its open event
streams end at once on every replica through a `session.ended` addressed to it
(`app.live.broker`). docs/security.md ("Sessions") has the decisions.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from app.accounts.events import SessionEnded
from app.accounts.schemas import Token
from app.daos import daos
from app.live.log import NewEvent
from app.platform.db import Database
from app.platform.security import Caller, create_access_token
from app.platform.settings import Settings
from app.platform.tables import utcnow
from app.platform.usage import UseRecorder
from app.sessions.device import describe
from app.sessions.schemas import SessionCursor, SessionPage, SessionPublic
from app.sessions.tables import ADDRESS_MAX, UserSession

log = structlog.get_logger(__name__)

# Live sessions an account may have: logging in once more ends the oldest. Enough for
# every browser and device a person uses, with room for forgotten ones; few enough
# that the devices list stays short and a password-guessing bot that got in cannot
# grow the table without bound.
MAX_SESSIONS = 50
# `last_seen_at` (and the idle expiry sliding with it) is written at most once per
# session and process per this interval, however busy the session: not a write per
# request.
LAST_SEEN_PRECISION = timedelta(minutes=5)
_recorded_use = UseRecorder(LAST_SEEN_PRECISION)


def ended_events(user_id: uuid.UUID, session_ids: list[uuid.UUID]) -> list[NewEvent]:
    """One `session.ended` for each session, addressed to its account."""
    return [
        NewEvent(SessionEnded(reason="revoked", session_id=session_id), user_id=user_id)
        for session_id in session_ids
    ]


async def start(
    db: Database,
    caller: Caller,
    settings: Settings,
    *,
    user_agent: str | None,
    address: str,
) -> Token:
    """A new session for the account `caller` names (who just proved the password),
    and the token that names it. Ends the account's oldest live sessions beyond
    MAX_SESSIONS, and its expired ones, in the same transaction."""
    now = utcnow()
    session = UserSession(
        user_id=caller.user_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + settings.access_token_ttl,
        idle_expires_at=now + settings.session_idle_timeout,
        device=describe(user_agent),
        address=address[:ADDRESS_MAX],
    )

    async def create(conn: AsyncConnection) -> None:
        await daos.sessions.create(conn, session)
        ended = await daos.sessions.trim(conn, caller.user_id, now=now, keep=MAX_SESSIONS)
        if ended:
            await daos.events.record(conn, ended_events(caller.user_id, ended))

    await db.write(create)
    _recorded_use.mark(session.id)  # its last_seen_at was just written
    return token_for(caller, session.id, session.expires_at, settings)


def token_for(
    caller: Caller, session_id: uuid.UUID, expires_at: datetime, settings: Settings
) -> Token:
    token = create_access_token(
        caller.user_id,
        caller.token_generation,
        session_id,
        secret=settings.jwt_secret,
        expires_at=expires_at,
    )
    return Token(access_token=token)


async def renew_token(db: Database, caller: Caller, settings: Settings) -> Token:
    """A fresh token for the caller's own session (it ends when the session does)."""
    session = await db.read(lambda conn: daos.sessions.get(conn, caller))
    return token_for(caller, session.id, session.expires_at, settings)


async def mine(db: Database, caller: Caller, *, cursor: str | None, limit: int) -> SessionPage:
    """A page of the caller's live sessions, newest first, theirs marked `current`."""
    after = None if cursor is None else SessionCursor.decode(cursor)
    found = await db.read(
        lambda conn: daos.sessions.page(conn, caller, after=after, limit=limit + 1)
    )
    page = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last = page[-1]
        next_cursor = SessionCursor(last.created_at, last.id).encode()
    items = [
        SessionPublic(
            id=row.id,
            device=row.device,
            address=row.address,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=min(row.expires_at, row.idle_expires_at),
            current=row.id == caller.session_id,
        )
        for row in page
    ]
    return SessionPage(items=items, next_cursor=next_cursor)


async def end(db: Database, caller: Caller, session_id: uuid.UUID) -> None:
    """Sign one of the caller's sessions out (their own too: that is logging out).
    Its next request is a 401, and its streams end at once."""

    async def end_one(conn: AsyncConnection) -> None:
        await daos.sessions.end(conn, caller, session_id)
        await daos.events.record(conn, ended_events(caller.user_id, [session_id]))

    await db.write(end_one)


async def end_others(conn: AsyncConnection, caller: Caller) -> None:
    """Within a transaction: sign out every session of the caller's account but the
    caller's own, and end their streams (one event for them all)."""
    if await daos.sessions.end_others(conn, caller):
        ended = SessionEnded(reason="revoked", kept_session_id=caller.session_id)
        await daos.events.record(conn, [NewEvent(ended, user_id=caller.user_id)])


async def sign_out_others(db: Database, caller: Caller) -> None:
    await db.write(lambda conn: end_others(conn, caller))


async def record_use(db: Database, caller: Caller, settings: Settings) -> None:
    """Note that the caller's session is in use: slide its idle expiry. At most one
    write per session and process per LAST_SEEN_PRECISION (and the statement itself
    skips the write when another process made it lately). A failed write is logged and
    forgotten: the request it came with goes on."""
    session_id = caller.session_id
    if session_id is None or not _recorded_use.due(session_id):
        return
    now = utcnow()
    try:
        await db.write_statement(
            lambda conn: daos.sessions.touch(
                conn,
                session_id,
                now=now,
                idle_until=now + settings.session_idle_timeout,
                unless_since=now - LAST_SEEN_PRECISION,
            )
        )
    except Exception:
        log.warning("session_use_not_recorded", session_id=str(session_id), exc_info=True)
