"""Log in (OAuth2 password form, as the original clients send it) and sign up."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from app.api.deps import DatabaseDep, PasswordGuardDep, SettingsDep
from app.api.errors import error_responses
from app.core.config import Settings
from app.core.security import create_access_token, hash_password
from app.models import NAME_MAX, PASSWORD_MAX, Token, UserCreate, UserDAO, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])

_PLAUSIBLE_NAME = re.compile(rf"^[A-Za-z0-9_.-]{{1,{NAME_MAX}}}$")


@router.post("/login", responses=error_responses(401, 429))
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    response: Response,
    db: DatabaseDep,
    settings: SettingsDep,
    guard: PasswordGuardDep,
) -> Token:
    """Unknown user and wrong password fail alike, in the same time: no name probing.
    Repeated failures for one name, or from one address, lock further attempts for a
    while (429 with Retry-After); a success clears the name's count."""
    response.headers["Cache-Control"] = "no-store"  # a token: RFC 6749 section 5.1
    # A name no account can have gets no counter of its own: the address's counts.
    plausible = bool(_PLAUSIBLE_NAME.match(form.username)) and len(form.password) <= PASSWORD_MAX
    user = None
    if plausible:
        user = await db.read(lambda conn: UserDAO.get_by_name(conn, form.username))
    verified = await guard.verify(form.password, user, name=form.username if plausible else None)
    if user is None or not verified:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return issue_token(user.id, user.token_generation, settings)


def issue_token(user_id: uuid.UUID, token_generation: int, settings: Settings) -> Token:
    token = create_access_token(
        user_id, token_generation, secret=settings.jwt_secret, ttl=settings.access_token_ttl
    )
    return Token(access_token=token)


@router.post("/signup", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409))
async def signup(body: UserCreate, db: DatabaseDep) -> UserPublic:
    password_hash = await hash_password(body.password)
    user = await db.write(
        lambda conn: UserDAO.create(conn, name=body.name, password_hash=password_hash)
    )
    return UserPublic.model_validate(user)
