"""Account work: signing up, logging in, changing the password, deleting the account,
and the token a client holds afterwards.

Changing the password and deleting the account ask for the password again (a token
alone is not enough: it may have been left on a shared machine), and every password
check counts toward the log-in throttle (`PasswordGuard`).
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncConnection

from app.access import Role
from app.accounts.events import SessionEnded
from app.accounts.password_guard import PasswordGuard, name_key
from app.accounts.schemas import UserCreate
from app.accounts.tables import User
from app.daos import daos
from app.lists import service as lists
from app.live.log import NewEvent
from app.platform.db import Database
from app.platform.errors import LoginFailedError
from app.platform.fields import NAME_MAX, PASSWORD_MAX
from app.platform.security import Caller, hash_password
from app.sessions import service as sessions

_PLAUSIBLE_NAME = re.compile(rf"^[A-Za-z0-9_.-]{{1,{NAME_MAX}}}$")


async def me(db: Database, caller: Caller) -> User:
    """The caller's account (UnknownUserError, 401, once the token is revoked)."""
    return await db.read(lambda conn: daos.users.get_for_caller(conn, caller))


async def sign_up(db: Database, data: UserCreate) -> User:
    password_hash = await hash_password(data.password)
    return await db.write(
        lambda conn: create_account(conn, name=data.name, password_hash=password_hash)
    )


async def create_account(conn: AsyncConnection, *, name: str, password_hash: str) -> User:
    """The account and its personal list, which every account has from its first moment."""
    user = await daos.users.create(conn, name=name, password_hash=password_hash)
    personal_list_id = await daos.lists.create_personal(conn, user.id)
    await daos.members.add(conn, personal_list_id, user.id, Role.owner)
    return user


async def log_in(db: Database, guard: PasswordGuard, name: str, password: str) -> User:
    """The account `name` and `password` prove, else LoginFailedError (401): unknown
    user and wrong password fail alike, after the same work, so names cannot be probed.
    Too many failures raise TooManyLoginFailuresError (429) instead."""
    # A name no account can have gets no counter of its own: the address's counts.
    plausible = bool(_PLAUSIBLE_NAME.match(name)) and len(password) <= PASSWORD_MAX
    user = None
    if plausible:
        user = await db.read(lambda conn: daos.users.get_by_name(conn, name))
    verified = await guard.verify(password, user, name=name if plausible else None)
    if user is None or not verified:
        raise LoginFailedError
    return user


async def change_password(
    db: Database, guard: PasswordGuard, caller: Caller, current_password: str, new_password: str
) -> None:
    """Set a new password and sign out every other device (session): the one that
    changed it stays signed in. Personal access tokens are not sessions: they stay."""
    await guard.confirm(caller, current_password)
    new_hash = await hash_password(new_password)

    async def change(conn: AsyncConnection) -> None:
        await daos.users.set_password(conn, caller, new_hash)
        await sessions.end_others(conn, caller)

    await db.write(change)


async def revoke_tokens(
    db: Database, caller: Caller, *, new_password_hash: str | None = None
) -> int:
    """Revoke every log-in token issued to the caller so far and delete every session
    of the account (optionally setting a new password), and end their open event
    streams. Returns the new token generation."""

    async def revoke(conn: AsyncConnection) -> int:
        generation = await daos.users.revoke_tokens(
            conn, caller, new_password_hash=new_password_hash
        )
        await daos.sessions.end_all(conn, caller.user_id)
        ended = SessionEnded(reason="revoked", token_generation=generation)
        await daos.events.record(conn, [NewEvent(ended, user_id=caller.user_id)])
        return generation

    return await db.write(revoke)


async def delete_account(db: Database, guard: PasswordGuard, caller: Caller, password: str) -> None:
    """Delete the account with everything it owns, in one transaction, so all of it
    goes or none: its personal list, the lists it owns alone unless an editor takes them
    over (`lists.hand_over_or_delete`), its memberships. The foreign keys cascade too;
    deleting explicitly keeps this true on any engine and says what goes. Its name
    becomes free, with a clean throttle count."""
    await guard.confirm(caller, password)

    async def delete_everything(conn: AsyncConnection) -> None:
        account = await daos.users.get_for_caller(conn, caller)
        await lists.hand_over_or_delete(conn, caller, account.name)
        await daos.idempotency_keys.delete_owned(conn, caller)
        name = await daos.users.delete(conn, caller)
        await daos.login_throttle.clear(conn, name_key(name))
        ended = SessionEnded(reason="account_deleted")
        await daos.events.record(conn, [NewEvent(ended, user_id=caller.user_id)])

    await db.write(delete_everything)
