"""Log in (OAuth2 password form, as the original clients send it) and sign up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from app.accounts import service as accounts
from app.accounts.deps import PasswordGuardDep
from app.accounts.schemas import Token, UserCreate, UserPublic
from app.platform.http.deps import ClientAddress, DatabaseDep, SessionCaller, SettingsDep
from app.platform.http.error_responses import error_responses
from app.sessions import service as sessions

router = APIRouter(prefix="/auth", tags=["auth"], responses=error_responses(503))


@router.post(
    "/login",
    responses=error_responses(
        401,
        429,
        meanings={
            401: "No account with this name and password.",
            429: "Too many failed log-ins for this name or from this address: wait for "
            "`Retry-After` seconds.",
        },
    ),
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    response: Response,
    db: DatabaseDep,
    settings: SettingsDep,
    guard: PasswordGuardDep,
    address: ClientAddress,
    user_agent: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Token:
    """Exchange a name and password for a bearer token (OAuth2's password grant, sent
    as a form). Send the token as `Authorization: Bearer <token>`. Each log-in is a
    session (a signed-in device, `GET /me/sessions`, described from the User-Agent):
    it lasts ACCESS_TOKEN_TTL (30 days by default), and ends sooner after
    SESSION_IDLE_TIMEOUT (14 days) without use, when signed out, or when the account
    logs in a 51st time (the oldest ends). An unknown name and a wrong password fail
    alike, so the answer does not tell which names exist. Repeated failures for one
    name, or from one address, lock further attempts for a while; a success clears the
    name's count."""
    response.headers["Cache-Control"] = "no-store"  # a token: RFC 6749 section 5.1
    user = await accounts.log_in(db, guard, form.username, form.password)
    return await sessions.start(
        db, user.as_caller(), settings, user_agent=user_agent, address=address
    )


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(
        401, 403, meanings={403: "Sent with a personal access token, which is no log-in."}
    ),
)
async def logout(caller: SessionCaller, db: DatabaseDep) -> Response:
    """End this log-in on the server: its token stops working at once (a 401 from now
    on) and its live stream ends. Other devices stay signed in."""
    assert caller.session_id is not None  # a log-in token always names its session
    await sessions.end(db, caller, caller.session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(409, meanings={409: "The name is taken."}),
)
async def signup(body: UserCreate, db: DatabaseDep) -> UserPublic:
    """Create an account, with a personal list. Then log in with `POST /auth/login`."""
    return UserPublic.model_validate(await accounts.sign_up(db, body))
