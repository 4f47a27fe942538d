"""Log in (OAuth2 password form, as the original clients send it) and sign up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from app.api.deps import DatabaseDep, PasswordGuardDep, SettingsDep
from app.api.errors import error_responses
from app.schemas import Token, UserCreate, UserPublic
from app.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"])


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
    user = await accounts.log_in(db, guard, form.username, form.password)
    return accounts.issue_token(user.as_caller(), settings)


@router.post("/signup", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409))
async def signup(body: UserCreate, db: DatabaseDep) -> UserPublic:
    return UserPublic.model_validate(await accounts.sign_up(db, body))
