"""Log in (OAuth2 password form, as the original clients send it) and sign up."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.ext.asyncio import AsyncConnection

from app.api.deps import ClientAddress, DatabaseDep, SettingsDep
from app.api.errors import error_responses
from app.core.config import Settings
from app.core.security import create_access_token, hash_password, verify_password
from app.errors import TooManyLoginFailuresError
from app.models import (
    NAME_MAX,
    PASSWORD_MAX,
    LoginThrottleDAO,
    ThrottlePolicy,
    Token,
    UserCreate,
    UserDAO,
    UserPublic,
    utcnow,
)

router = APIRouter(prefix="/auth", tags=["auth"])

_PLAUSIBLE_NAME = re.compile(rf"^[A-Za-z0-9_.-]{{1,{NAME_MAX}}}$")


@router.post("/login", responses=error_responses(401, 429))
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    db: DatabaseDep,
    settings: SettingsDep,
    address: ClientAddress,
) -> Token:
    """Unknown user and wrong password fail alike, in the same time: no name probing.
    Repeated failures for one name, or from one address, lock further attempts for a
    while (429 with Retry-After); a success clears the name's count."""
    plausible = bool(_PLAUSIBLE_NAME.match(form.username)) and len(form.password) <= PASSWORD_MAX
    # A name no account can have gets no counter of its own: the address's counts.
    keys = [f"addr:{address}", *([f"name:{form.username}"] if plausible else [])]
    now = utcnow()
    locked_until = await db.read(lambda conn: LoginThrottleDAO.locked_until_max(conn, keys, now))
    if locked_until is not None:
        raise TooManyLoginFailuresError(math.ceil((locked_until - now).total_seconds()))

    user = None
    if plausible:
        user = await db.read(lambda conn: UserDAO.get_by_name(conn, form.username))
    password_ok = await verify_password(
        form.password[:PASSWORD_MAX], user.password_hash if user else None
    )
    if user is None or not password_ok:
        await db.write(lambda conn: _count_failure(conn, settings, now, keys))
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    await db.write(lambda conn: LoginThrottleDAO.clear(conn, f"name:{user.name}"))
    token = create_access_token(user.id, secret=settings.jwt_secret, ttl=settings.access_token_ttl)
    return Token(access_token=token)


async def _count_failure(
    conn: AsyncConnection, settings: Settings, now: datetime, keys: list[str]
) -> None:
    window = timedelta(seconds=settings.login_failure_window_seconds)
    lockout = timedelta(seconds=settings.login_lockout_seconds)
    for key in keys:
        limit = (
            settings.login_failures_per_address
            if key.startswith("addr:")
            else settings.login_failures_per_name
        )
        policy = ThrottlePolicy(limit=limit, window=window, lockout=lockout)
        await LoginThrottleDAO.record_failure(conn, key, now=now, policy=policy)


@router.post("/signup", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409))
async def signup(body: UserCreate, db: DatabaseDep) -> UserPublic:
    password_hash = await hash_password(body.password)
    user = await db.write(
        lambda conn: UserDAO.create(conn, name=body.name, password_hash=password_hash)
    )
    return UserPublic.model_validate(user)
