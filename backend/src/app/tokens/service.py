"""Personal access token work: creating, listing and revoking tokens, and turning a
token a request carries into its caller (`authenticate`, which `app.main` hands the
platform's `current_caller`).

What a token may do, and may never do, is written once in docs/security.md
("Personal access tokens").
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from app.daos import daos
from app.platform.db import Database
from app.platform.errors import TooManyTokensError, UnknownUserError
from app.platform.security import MAX_TOKEN_LENGTH, PERSONAL_TOKEN_PREFIX, Caller, TokenScope
from app.platform.tables import utcnow
from app.platform.usage import UseRecorder
from app.tokens.schemas import TokenCreate, TokenCreated, TokenPublic
from app.tokens.tables import HINT_LENGTH, AccessToken

log = structlog.get_logger(__name__)

MAX_TOKENS = 50
# A token's last use is recorded to this precision: at most one write per token and
# process per interval, however busy the token (the list shows "to the minute").
LAST_USE_PRECISION = timedelta(minutes=1)
_recorded_use = UseRecorder(LAST_USE_PRECISION)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _public(token: AccessToken, list_ids: list[uuid.UUID] | None) -> TokenPublic:
    return TokenPublic(
        id=token.id,
        name=token.name,
        hint=token.hint,
        access="read-write" if token.can_write else "read",
        list_ids=None if token.all_lists else list_ids,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
    )


async def create_token(db: Database, caller: Caller, data: TokenCreate) -> TokenCreated:
    """A new token for the caller, with its secret (stored only as its hash). Each
    chosen list must be one the caller is a member of (404 otherwise, as anywhere)."""
    secret = PERSONAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    list_ids = sorted(set(data.list_ids)) if data.list_ids is not None else []
    now = utcnow()
    token = AccessToken(
        owner_id=caller.user_id,
        name=data.name,
        secret_hash=hash_secret(secret),
        hint=secret[:HINT_LENGTH],
        can_write=data.access == "read-write",
        all_lists=data.list_ids is None,
        created_at=now,
        expires_at=now + timedelta(days=data.expires_in_days),
    )

    async def create(conn: AsyncConnection) -> None:
        await daos.users.get_for_caller(conn, caller)  # 401 once revoked
        if await daos.access_tokens.count(conn, caller) >= MAX_TOKENS:
            raise TooManyTokensError(MAX_TOKENS)
        for list_id in list_ids:
            await daos.lists.get(conn, caller, list_id)  # a member: else 404
        await daos.access_tokens.create(conn, token, list_ids)

    await db.write(create)
    public = _public(token, list_ids)
    return TokenCreated(**public.model_dump(), secret=secret)


async def mine(db: Database, caller: Caller) -> list[TokenPublic]:
    """The caller's tokens, newest first (expired ones too, until revoked)."""

    async def read(conn: AsyncConnection) -> list[TokenPublic]:
        found = await daos.access_tokens.mine(conn, caller)
        if not found:
            await daos.users.get_for_caller(conn, caller)  # 401 once revoked
        return [_public(token, list_ids) for token, list_ids in found]

    return await db.read(read)


async def revoke(db: Database, caller: Caller, token_id: uuid.UUID) -> None:
    """Delete one of the caller's tokens; a request made with it from now on is a 401."""
    await db.write_statement(lambda conn: daos.access_tokens.revoke(conn, caller, token_id))


async def authenticate(db: Database, secret: str) -> Caller:
    """The caller a personal access token names, with its scope; UnknownUserError
    (401) for an unknown, revoked or expired token. Its use is recorded on the way
    (`_record_use`)."""
    if len(secret) > MAX_TOKEN_LENGTH:
        raise UnknownUserError
    found = await db.read(lambda conn: daos.access_tokens.by_secret_hash(conn, hash_secret(secret)))
    if found is None or found.token.expires_at <= utcnow():
        raise UnknownUserError
    token = found.token
    await _record_use(db, token.id)
    scope = TokenScope(
        token_id=token.id,
        write=token.can_write,
        list_ids=found.list_ids,
        expires_at=token.expires_at.timestamp(),
    )
    return Caller(token.owner_id, found.token_generation, scope)


async def _record_use(db: Database, token_id: uuid.UUID) -> None:
    """Write the token's last use, at most once per LAST_USE_PRECISION per process
    (checked and set before awaiting, so a burst of requests writes once). A failed
    write is logged and forgotten: the request it came with goes on."""
    if not _recorded_use.due(token_id):
        return
    moment = utcnow()
    try:
        await db.write_statement(
            lambda conn: daos.access_tokens.touch(
                conn, token_id, now=moment, unless_since=moment - LAST_USE_PRECISION
            )
        )
    except Exception:
        log.warning("token_last_use_not_recorded", token_id=str(token_id), exc_info=True)
