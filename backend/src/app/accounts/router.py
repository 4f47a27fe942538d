"""The caller's own account: read it, change its password, log out everywhere, delete it.

Changing the password and deleting the account ask for the password again
(`app.accounts.service`).
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.accounts import service as accounts
from app.accounts.deps import PasswordGuardDep
from app.accounts.schemas import PasswordChange, PasswordConfirmation, Token, UserPublic
from app.platform.http.deps import CurrentCaller, DatabaseDep, SessionCaller, SettingsDep
from app.platform.http.error_responses import error_responses
from app.sessions import service as sessions

router = APIRouter(prefix="/me", tags=["users"], responses=error_responses(401, 503))


@router.get("")
async def read_me(caller: CurrentCaller, db: DatabaseDep) -> UserPublic:
    """The account the token belongs to."""
    user = await accounts.me(db, caller)
    return UserPublic.model_validate(user)


SESSION_ONLY = "Sent with a personal access token: log in with the password for this."
PASSWORD_CHECKED = {
    403: "`current_password` (or `password`) is not the account's password, or the "
    "request was sent with a personal access token.",
    429: "Too many wrong passwords for this account: wait for `Retry-After` seconds.",
}


@router.put("/password", responses=error_responses(403, 429, meanings=PASSWORD_CHECKED))
async def change_password(
    body: PasswordChange,
    caller: SessionCaller,
    db: DatabaseDep,
    settings: SettingsDep,
    guard: PasswordGuardDep,
) -> Token:
    """Set a new password. Every other signed-in device is signed out (its next request
    is a 401, its live stream ends); this one stays signed in, and the response
    carries a fresh token for it. Personal access tokens keep working."""
    await accounts.change_password(db, guard, caller, body.current_password, body.new_password)
    return await sessions.renew_token(db, caller, settings)


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, meanings={403: SESSION_ONLY}),
)
async def log_out_everywhere(caller: SessionCaller, db: DatabaseDep) -> Response:
    """Sign out every device of this account, this one included (e.g. after losing
    a device): every log-in token stops working. Logging in again issues new ones.
    Personal access tokens are revoked one by one (`DELETE /me/tokens/{token_id}`);
    to keep this device, `POST /me/sessions/revoke-others`."""
    await accounts.revoke_tokens(db, caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 429, meanings=PASSWORD_CHECKED),
)
async def delete_account(
    body: PasswordConfirmation, caller: SessionCaller, db: DatabaseDep, guard: PasswordGuardDep
) -> Response:
    """Delete the account, with the password again. Each list it owns alone passes to
    its longest-standing editor, or is deleted with its todos when it has none. Its
    tokens stop working and its name becomes free again."""
    await accounts.delete_account(db, guard, caller, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
