"""What handlers get injected, declared once as `Annotated` aliases."""

from __future__ import annotations

import ipaddress
import re
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Query, Request, status
from fastapi.security import OAuth2PasswordBearer

from app.broker import Broker
from app.core.config import Settings
from app.core.security import Caller, InvalidTokenError, decode_access_token, token_expires_at
from app.db import Database
from app.models import VERSION_MAX
from app.schemas import IDEMPOTENCY_KEY_MAX, TodoCursor
from app.services.password_guard import PasswordGuard

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/login")


# Dependencies are `async def` even when they do not await: FastAPI runs a plain
# `def` dependency in a worker thread, a hop that costs more than the work itself.


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_broker(request: Request) -> Broker:
    broker: Broker = request.app.state.broker
    return broker


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
BrokerDep = Annotated[Broker, Depends(get_broker)]


async def current_caller(
    request: Request, settings: SettingsDep, token: Annotated[str, Depends(oauth2_scheme)]
) -> Caller:
    """The caller, read from the token alone: no database round trip here. Whether the
    account still exists and the token is not revoked is checked by the statements that
    run for the caller (see app/access.py), so a revoked token is refused without
    costing every request a query of its own."""
    try:
        caller = decode_access_token(token, secret=settings.jwt_secret)
    except InvalidTokenError as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Could not validate credentials",
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc
    request.state.user_id = str(caller.user_id)  # for the access log line
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def token_expiry(
    settings: SettingsDep, token: Annotated[str, Depends(oauth2_scheme)], _: CurrentCaller
) -> float:
    """When the caller's token expires (Unix time): a stream ends then."""
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


async def password_guard(
    db: DatabaseDep, settings: SettingsDep, address: ClientAddress
) -> PasswordGuard:
    return PasswordGuard(db, settings, address)


PasswordGuardDep = Annotated[PasswordGuard, Depends(password_guard)]


# One entity tag, as this API writes them ("3") or a client may weaken them (W/"3"),
# with HTTP's optional whitespace around it: spaces and tabs only, not `\s`, whose
# meaning differs between Python's, Rust's (pydantic's) and ECMAScript's regexes.
_ENTITY_TAG = r'[ \t]*(W/)?"(\d{1,18})"[ \t]*'
_ETAG = re.compile(_ENTITY_TAG)
IF_MATCH_PATTERN = rf"^([ \t]*\*[ \t]*|{_ENTITY_TAG}(,{_ENTITY_TAG})*)$"


@dataclass(frozen=True)
class IfMatch:
    """A parsed If-Match header: `versions` is None for `*` (any current version)."""

    versions: frozenset[int] | None


def parse_if_match(header: str | None) -> IfMatch | None:
    """Versions named by an If-Match header that already matched IF_MATCH_PATTERN."""
    if header is None:
        return None
    if header.strip(" \t") == "*":
        return IfMatch(versions=None)
    versions: set[int] = set()
    for tag in header.split(","):
        match = _ETAG.fullmatch(tag)
        assert match is not None, "checked by IF_MATCH_PATTERN"
        weak, version = match.group(1), int(match.group(2))
        # Weak tags never match (RFC 9110 strong comparison), nor can a version beyond
        # what the column holds: dropped here, the database never sees it out of range.
        if weak is None and version <= VERSION_MAX:
            versions.add(version)
    return IfMatch(versions=frozenset(versions))


async def if_match(
    if_match: Annotated[
        str | None,
        Header(
            pattern=IF_MATCH_PATTERN,
            description='Entity tags from previous responses, e.g. "3", or *.',
        ),
    ] = None,
) -> IfMatch | None:
    return parse_if_match(if_match)


IfMatchDep = Annotated[IfMatch | None, Depends(if_match)]


async def idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=IDEMPOTENCY_KEY_MAX,
            pattern=r"^[\x21-\x7e]+$",
            description="Retrying with the same key returns the first response, creating nothing.",
        ),
    ] = None,
) -> str | None:
    return idempotency_key


IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class TodoPageQuery:
    """Which page of a list's todos: the `completed` filter, the page size, and where
    the previous page ended."""

    completed: bool | None
    limit: int
    after: TodoCursor | None


async def todo_page_query(
    completed: Annotated[
        bool | None,
        Query(description="Only completed todos (true) or only open ones (false); all if absent."),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="At most this many todos per page.")
    ] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None,
        Query(
            max_length=256,
            description="Where the previous page ended: copy it from that page's `Link` header.",
        ),
    ] = None,
) -> TodoPageQuery:
    after = TodoCursor.decode(cursor) if cursor else None
    return TodoPageQuery(completed=completed, limit=limit, after=after)


TodoPageQueryDep = Annotated[TodoPageQuery, Depends(todo_page_query)]

# Path parameters more than one route module names.
TodoId = Annotated[uuid.UUID, Path(description="The todo's id.")]
ListId = Annotated[uuid.UUID, Path(description="The list's id (`GET /lists` has them all).")]
