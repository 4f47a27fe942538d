"""Password hashing (Argon2 via pwdlib) and access tokens (JWT via PyJWT)."""

from __future__ import annotations

import asyncio
import math
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

JWT_ALGORITHM = "HS256"  # pinned: a token claiming any other algorithm is refused
MAX_TOKEN_LENGTH = 2048
MAX_TOKEN_GENERATION = 2**31 - 1  # `users.token_generation` is a 32-bit INTEGER
MAX_EXPIRY = datetime(9999, 12, 31, tzinfo=UTC).timestamp()

_hasher = PasswordHash((Argon2Hasher(),))


class InvalidTokenError(Exception):
    pass


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a real password, only here to spend the same time")


async def hash_password(password: str) -> str:
    # Argon2 releases the GIL: hashing in a thread keeps the event loop serving.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password. With no hash (unknown user) verify against a dummy hash,
    so an unknown name costs the same time as a wrong password."""
    if password_hash is None:
        await asyncio.to_thread(_hasher.verify, password, _dummy_hash())
        return False
    return await asyncio.to_thread(_hasher.verify, password, password_hash)


PERSONAL_TOKEN_PREFIX = "mi_pat_"  # noqa: S105 (a prefix, for secret scanners: docs/security.md)


_PERSONAL_TOKEN = re.compile(re.escape(PERSONAL_TOKEN_PREFIX) + r"[A-Za-z0-9_\-]*")


def redact_personal_tokens(text: str) -> str:
    """`text` with every personal access token's secret cut out (for logs and error
    reports: whatever quotes one, a message or a URL, keeps only the prefix)."""
    if PERSONAL_TOKEN_PREFIX not in text:  # the usual case, at the cost of a find
        return text
    return _PERSONAL_TOKEN.sub(PERSONAL_TOKEN_PREFIX + "[redacted]", text)


@dataclass(frozen=True)
class TokenScope:
    """What a personal access token may do: read, or read and write; in every list of
    its account (`list_ids` None) or in these lists only. A session (log-in token) has
    no scope: it may do whatever the account may."""

    token_id: uuid.UUID
    write: bool
    list_ids: frozenset[uuid.UUID] | None
    expires_at: float  # Unix time

    def describe(self) -> str:
        """The scope in words, for the 403 that refuses something outside it."""
        access = "read-write" if self.write else "read"
        lists = "all lists" if self.list_ids is None else f"{len(self.list_ids)} chosen list(s)"
        return f"{access}, {lists}"


@dataclass(frozen=True)
class Caller:
    """Who a verified token says is calling. `token_generation` is the user's token
    generation when the token was issued: logging out everywhere bumps the stored one,
    and every query checks the two still match. `session_id` is the session a log-in
    token names (`app.sessions`): every query also checks that session is still live.
    `scope` is set when the token is a personal access token, which names no session;
    so does code acting for a user without a token (`User.as_caller`)."""

    user_id: uuid.UUID
    token_generation: int
    scope: TokenScope | None = None
    session_id: uuid.UUID | None = None


def create_access_token(
    user_id: uuid.UUID,
    token_generation: int,
    session_id: uuid.UUID,
    *,
    secret: str,
    expires_at: datetime,
) -> str:
    """A log-in token naming its session (`sid`), valid until `expires_at` (the
    session's absolute end) while the session lives."""
    claims = {
        "sub": str(user_id),
        "gen": token_generation,
        "sid": str(session_id),
        "iat": datetime.now(UTC),
        "exp": expires_at,
    }
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> Caller:
    """The caller a valid token names; InvalidTokenError for anything else."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidTokenError("token too long")
    caller, expires_at = _verified_claims(token, secret)
    if time.time() >= expires_at:
        raise InvalidTokenError("token expired")
    return caller


def token_expires_at(token: str, *, secret: str) -> float:
    """When a token that `decode_access_token` accepted expires (Unix time)."""
    return _verified_claims(token, secret)[1]


@lru_cache(maxsize=4096)
def _verified_claims(token: str, secret: str) -> tuple[Caller, float]:
    """Signature and claims, checked once per token: a client sends the same token on
    every request, and re-verifying it each time was a visible share of a request.
    Expiry is checked by the caller on every use; failures are never cached."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            # A token without a session (one issued before sessions were rows) is
            # refused: its holder logs in again (docs/operations.md, upgrade notes).
            options={"require": ["sub", "sid", "exp"], "verify_exp": False},
        )
        caller = Caller(
            uuid.UUID(str(claims["sub"])),
            _generation(claims.get("gen", 0)),
            session_id=uuid.UUID(str(claims["sid"])),
        )
        return caller, _expiry(claims["exp"])
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise InvalidTokenError(str(exc)) from exc


def _generation(claim: object) -> int:
    # Tokens issued before generations existed carry none: they are generation 0,
    # which every account starts at, so an upgrade logs nobody out. The bound is the
    # column's (32-bit INTEGER): a larger number must never reach the driver.
    if type(claim) is not int or not 0 <= claim <= MAX_TOKEN_GENERATION:
        raise InvalidTokenError("bad token generation")
    return claim


def _expiry(claim: object) -> float:
    """`exp` as RFC 7519 has it: a number of seconds (no string, no NaN, no infinity,
    nothing past year 9999, which would make a token that never expires)."""
    if type(claim) not in (int, float):
        raise InvalidTokenError("bad expiry")
    expires_at = float(claim)  # type: ignore[arg-type]
    if not math.isfinite(expires_at) or not 0 < expires_at < MAX_EXPIRY:
        raise InvalidTokenError("bad expiry")
    return expires_at
