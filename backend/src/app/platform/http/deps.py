"""What every domain's handlers may get injected, declared once as `Annotated` aliases
(a domain's own are in its `deps` module)."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import OAuth2PasswordBearer

from app.platform.db import Database
from app.platform.errors import OutsideTokenScopeError, SessionRequiredError
from app.platform.security import (
    PERSONAL_TOKEN_PREFIX,
    Caller,
    InvalidTokenError,
    decode_access_token,
    token_expires_at,
)
from app.platform.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/login")

# What the accounts domain gives the app (`app.main`) to turn a personal access token
# into its caller: the platform knows the prefix, not the table.
PersonalTokenResolver = Callable[[Database, str], Awaitable[Caller]]
# And what records that a log-in's session is in use (`app.sessions.service.record_use`:
# at most a write per session every few minutes, for its idle expiry).
SessionUseRecorder = Callable[[Database, Caller, Settings], Awaitable[None]]
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Dependencies are `async def` even when they do not await: FastAPI runs a plain
# `def` dependency in a worker thread, a hop that costs more than the work itself.


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]


async def current_caller(
    request: Request,
    settings: SettingsDep,
    db: DatabaseDep,
    token: Annotated[str, Depends(oauth2_scheme)],
) -> Caller:
    """The caller. A log-in's token (a JWT) is read alone: no database round trip
    here. Whether the account still exists and the token's session is live is checked
    by the statements that run for the caller (see app/access.py), so a revoked token
    is refused without costing every request a query of its own. The session's use is
    recorded here, coarsely: one write per session every few minutes at most.

    A personal access token (`mi_pat_…`) is looked up in the database on every use, so
    revoking one takes effect at once; a read-only one is refused any method but GET
    and HEAD here, whatever the route (403 naming the scope). Which lists it reaches
    is `app.access`'s part of every statement."""
    if token.startswith(PERSONAL_TOKEN_PREFIX):
        resolve: PersonalTokenResolver = request.app.state.personal_tokens
        caller = await resolve(db, token)
        request.state.user_id = str(caller.user_id)  # a refusal is logged as theirs too
        scope = caller.scope
        if request.method not in READ_METHODS and scope is not None and not scope.write:
            raise OutsideTokenScopeError(scope.describe(), "it cannot change anything")
        return caller
    try:
        caller = decode_access_token(token, secret=settings.jwt_secret)
    except InvalidTokenError as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Could not validate credentials",
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc
    request.state.user_id = str(caller.user_id)  # for the access log line
    record_use: SessionUseRecorder = request.app.state.session_use
    await record_use(db, caller, settings)
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def session_caller(caller: CurrentCaller) -> Caller:
    """The caller, if they logged in with their password: managing tokens, changing the
    password and deleting the account are refused to a personal access token (403), so
    a leaked one cannot make itself permanent or lock its owner out."""
    if caller.scope is not None:
        raise SessionRequiredError
    return caller


SessionCaller = Annotated[Caller, Depends(session_caller)]


async def token_expiry(
    settings: SettingsDep, token: Annotated[str, Depends(oauth2_scheme)], caller: CurrentCaller
) -> float:
    """When the caller's token expires (Unix time): a stream ends then."""
    if caller.scope is not None:
        return caller.scope.expires_at
    return token_expires_at(token, secret=settings.jwt_secret)


TokenExpiry = Annotated[float, Depends(token_expiry)]


async def client_address(request: Request, settings: SettingsDep) -> str:
    """The caller's address. X-Forwarded-For is believed only from TRUSTED_PROXIES
    (addresses or networks): from anyone else it is just text the client chose. Walking
    the list from the right, the first hop that is not one of our proxies is the client."""
    peer = request.client.host if request.client else "unknown"
    if not _is_trusted_proxy(peer, settings.trusted_proxies):
        return peer
    forwarded = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([hop for hop in forwarded if hop]):
        if not _is_trusted_proxy(hop, settings.trusted_proxies):
            return hop if _parse_ip(hop) is not None else peer
    return peer


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted_proxy(host: str, trusted: list[str]) -> bool:
    address = _parse_ip(host)
    return address is not None and any(
        address in ipaddress.ip_network(entry, strict=False) for entry in trusted
    )


ClientAddress = Annotated[str, Depends(client_address)]


def location(request: Request, path: str) -> str:
    """A `Location` for a new resource at `path`, under the app's root path (a relative
    reference: the Host header is the client's to choose)."""
    return f"{request.scope.get('root_path', '')}{path}"


# Path parameters more than one domain's routes name.
ListId = Annotated[uuid.UUID, Path(description="The list's id (`GET /lists` has them all).")]
