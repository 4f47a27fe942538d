"""The caller's own account: read it, change its password, log out everywhere, delete it.

Changing the password and deleting the account ask for the password again (a token alone
is not enough: it may have been left on a shared machine), and those checks count
toward the log-in throttle.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncConnection

from app.api.deps import CurrentCaller, DatabaseDep, PasswordGuardDep, SettingsDep
from app.api.errors import error_responses
from app.api.password_guard import name_key
from app.api.routes.auth import issue_token
from app.core.security import hash_password
from app.models import PASSWORD_MAX, LoginThrottleDAO, Password, Token, UserDAO, UserPublic

router = APIRouter(prefix="/me", tags=["users"], responses=error_responses(401))


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=PASSWORD_MAX)
    new_password: Password


class PasswordConfirmation(BaseModel):
    password: str = Field(max_length=PASSWORD_MAX)


@router.get("")
async def read_me(caller: CurrentCaller, db: DatabaseDep) -> UserPublic:
    user = await db.read(lambda conn: UserDAO.get_for_caller(conn, caller))
    return UserPublic.model_validate(user)


@router.put("/password", responses=error_responses(400, 403, 429))
async def change_password(
    body: PasswordChange,
    caller: CurrentCaller,
    db: DatabaseDep,
    settings: SettingsDep,
    guard: PasswordGuardDep,
) -> Token:
    """Set a new password. Every token issued before, this one included, stops working:
    the response carries a fresh token, so only this client stays logged in."""
    user = await guard.confirm(caller, body.current_password)
    new_hash = await hash_password(body.new_password)
    generation = await db.write(
        lambda conn: UserDAO.revoke_tokens(conn, caller, new_password_hash=new_hash)
    )
    return issue_token(user.id, generation, settings)


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def log_out_everywhere(caller: CurrentCaller, db: DatabaseDep) -> Response:
    """Revoke every token of this account, this one included (e.g. after losing a
    device). Logging in again issues new ones."""
    await db.write(lambda conn: UserDAO.revoke_tokens(conn, caller))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(400, 403, 429))
async def delete_account(
    body: PasswordConfirmation, caller: CurrentCaller, db: DatabaseDep, guard: PasswordGuardDep
) -> Response:
    """Delete the account and all its todos, in one transaction. Its tokens stop
    working and its name becomes free again."""
    await guard.confirm(caller, body.password)

    async def delete_everything(conn: AsyncConnection) -> None:
        name = await UserDAO.delete(conn, caller)
        await LoginThrottleDAO.clear(conn, name_key(name))

    await db.write(delete_everything)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
