"""Share-link work: owners make, list and revoke a list's links; a signed-in account
joins a list through one.

Joining counts one attempt against the client's address and the account in the log-in
throttle's table (`app.accounts.password_guard.admit_attempts`) BEFORE the secret is
looked up, and gives them back when the link worked: only secrets that did not work
count, and a burst of guesses gets no more looked up than the limit. Then one
serializable transaction finds the open link by its secret's hash, adds the member and
counts the use with a conditional UPDATE, so of 50 concurrent joins on a link with 3
uses exactly 3 join.

The decisions (revoking leaves members, blocks do not apply, the limits) are written
once in docs/architecture.md, "Share links".
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.access import Role
from app.accounts.password_guard import admit_attempts, give_back, throttle_policy
from app.daos import daos
from app.lists import service as lists
from app.lists.schemas import ListPublic
from app.live.log import NewEvent
from app.platform.db import Database
from app.platform.errors import (
    PersonalListError,
    ShareLinkNotFoundError,
    TooManyJoinAttemptsError,
    TooManyShareLinksError,
)
from app.platform.security import Caller
from app.platform.settings import Settings
from app.platform.tables import utcnow
from app.sharelinks.events import ShareLinkCreated, ShareLinkRevoked
from app.sharelinks.schemas import (
    NewShareLink,
    ShareLinkCreate,
    ShareLinkJoined,
    ShareLinkPublic,
)
from app.sharelinks.tables import ShareLink
from app.tokens.service import hash_secret

MAX_LINKS_PER_LIST = 20
# How long past its expiry a link's row is kept before `prune_expired` deletes it: the
# owners see it as expired for a day, then it is gone.
KEPT_PAST_EXPIRY = timedelta(days=1)


async def _owned(conn: AsyncConnection, caller: Caller, list_id: uuid.UUID) -> ListPublic:
    found = await daos.lists.get(conn, caller, list_id)
    access.require(found.role, Role.owner)
    return found


async def _to_owners(
    conn: AsyncConnection, list_id: uuid.UUID, event: ShareLinkCreated | ShareLinkRevoked
) -> None:
    owners = await daos.members.owners(conn, list_id)
    await daos.events.record(conn, [NewEvent(event, user_id=owner) for owner in sorted(owners)])


async def create(
    db: Database, caller: Caller, list_id: uuid.UUID, data: ShareLinkCreate
) -> NewShareLink:
    """A new link for a list the caller owns, with its secret (shown this once)."""
    access.require_scope(caller, list_id, write=True)
    secret = secrets.token_urlsafe(32)  # 256 random bits
    now = utcnow()
    expires_at = None if data.expires_in_days is None else now + timedelta(data.expires_in_days)
    link = ShareLink(
        list_id=list_id,
        created_by=caller.user_id,
        secret_hash=hash_secret(secret),
        role=data.role,
        max_uses=data.max_uses,
        created_at=now,
        expires_at=expires_at,
    )

    async def make(conn: AsyncConnection) -> ShareLinkPublic:
        found = await _owned(conn, caller, list_id)
        if found.personal:
            raise PersonalListError
        if await daos.share_links.count(conn, list_id) >= MAX_LINKS_PER_LIST:
            raise TooManyShareLinksError(MAX_LINKS_PER_LIST)
        creator = await daos.users.get_for_caller(conn, caller)
        await daos.share_links.create(conn, link)
        public = ShareLinkPublic(
            id=link.id,
            list_id=list_id,
            role=data.role,
            created_by=creator.name,
            created_at=now,
            expires_at=expires_at,
            max_uses=data.max_uses,
            uses=0,
        )
        await _to_owners(conn, list_id, ShareLinkCreated(link=public))
        return public

    public = await db.write(make)
    return NewShareLink(**public.model_dump(), secret=secret)


async def of_list(db: Database, caller: Caller, list_id: uuid.UUID) -> list[ShareLinkPublic]:
    """The list's links (owners only), newest first, without their secrets."""

    async def read(conn: AsyncConnection) -> list[ShareLinkPublic]:
        await _owned(conn, caller, list_id)
        return await daos.share_links.of_list(conn, list_id)

    return await db.read(read)


async def revoke(db: Database, caller: Caller, list_id: uuid.UUID, link_id: uuid.UUID) -> None:
    """Revoke a link (owners only): its row is deleted, so its secret then finds
    nothing, exactly as a wrong one. Those who joined through it stay members."""
    access.require_scope(caller, list_id, write=True)

    async def revoke_it(conn: AsyncConnection) -> None:
        await _owned(conn, caller, list_id)
        link = await daos.share_links.get(conn, list_id, link_id)
        if link is None:
            raise ShareLinkNotFoundError("No such share link in this list")
        await daos.share_links.delete(conn, link_id)
        await _to_owners(conn, list_id, ShareLinkRevoked(link=link))

    await db.write(revoke_it)


async def join(
    db: Database, settings: Settings, caller: Caller, client_address: str, secret: str
) -> ShareLinkJoined:
    """Join the list of the link with this secret, with the link's role. A member
    already keeps their role, and no use is counted."""
    access.require_scope(caller, write=True)  # joins a list outside any token's scope
    attempts = [
        (f"link:addr:{client_address}", throttle_policy(settings, per_address=True)),
        (f"link:user:{caller.user_id}", throttle_policy(settings, per_address=False)),
    ]
    await admit_attempts(db, attempts, TooManyJoinAttemptsError)
    secret_hash = hash_secret(secret)

    async def join_it(conn: AsyncConnection) -> ShareLinkJoined:
        me = await daos.users.get_for_caller(conn, caller)  # 401 for a token no longer current
        link = await daos.share_links.find_open(conn, secret_hash, utcnow())
        if link is None:
            raise ShareLinkNotFoundError
        already = await daos.members.role_of(conn, link.list_id, me.id) is not None
        if not already:
            if not await daos.share_links.use(conn, link.id):
                raise ShareLinkNotFoundError  # its last use went to a concurrent join
            await lists.add_member_in(conn, link.list_id, link.list_name, me, link.role)
        joined = await daos.lists.get(conn, caller, link.list_id)
        return ShareLinkJoined(list=joined, already_member=already)

    try:
        joined = await db.write(join_it)
    except ShareLinkNotFoundError:
        raise  # a secret that did not work: its attempts stay counted
    except BaseException:
        await give_back(db, attempts)  # the secret worked; something else refused
        raise
    await give_back(db, attempts)
    return joined


async def prune_expired(db: Database) -> int:
    """Delete the links that expired more than `KEPT_PAST_EXPIRY` ago (housekeeping)."""
    before = utcnow() - KEPT_PAST_EXPIRY
    return await db.write_statement(lambda conn: daos.share_links.prune(conn, before))
