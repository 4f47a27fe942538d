"""Log in (OAuth2 password form, as the original clients send it) and sign up."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from app.api.deps import DatabaseDep, SettingsDep
from app.api.errors import error_responses
from app.core.security import create_access_token, hash_password, verify_password
from app.models import NAME_MAX, PASSWORD_MAX, Token, UserCreate, UserDAO, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])

_PLAUSIBLE_NAME = re.compile(rf"^[A-Za-z0-9_.-]{{1,{NAME_MAX}}}$")


@router.post("/login", responses=error_responses(401))
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    db: DatabaseDep,
    settings: SettingsDep,
) -> Token:
    """Unknown user and wrong password fail alike, in the same time: no name probing."""
    user = None
    if _PLAUSIBLE_NAME.match(form.username) and len(form.password) <= PASSWORD_MAX:
        user = await db.read(lambda conn: UserDAO.get_by_name(conn, form.username))
    password_ok = await verify_password(
        form.password[:PASSWORD_MAX], user.password_hash if user else None
    )
    if user is None or not password_ok:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = create_access_token(user.id, secret=settings.jwt_secret, ttl=settings.access_token_ttl)
    return Token(access_token=token)


@router.post("/signup", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409))
async def signup(body: UserCreate, db: DatabaseDep) -> UserPublic:
    password_hash = await hash_password(body.password)
    user = await db.write(
        lambda conn: UserDAO.create(conn, name=body.name, password_hash=password_hash)
    )
    return UserPublic.model_validate(user)
