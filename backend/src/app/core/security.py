"""Password hashing (Argon2 via pwdlib) and access tokens (JWT via PyJWT)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

JWT_ALGORITHM = "HS256"  # pinned: a token claiming any other algorithm is refused
MAX_TOKEN_LENGTH = 2048

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


def create_access_token(user_id: uuid.UUID, *, secret: str, ttl: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> uuid.UUID:
    """The user id a valid token names; InvalidTokenError for anything else."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidTokenError("token too long")
    user_id, expires_at = _verified_claims(token, secret)
    if time.time() >= expires_at:
        raise InvalidTokenError("token expired")
    return user_id


@lru_cache(maxsize=4096)
def _verified_claims(token: str, secret: str) -> tuple[uuid.UUID, float]:
    """Signature and claims, checked once per token: a client sends the same token on
    every request, and re-verifying it each time was a visible share of a request.
    Expiry is checked by the caller on every use; failures are never cached."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "exp"], "verify_exp": False},
        )
        return uuid.UUID(str(claims["sub"])), float(claims["exp"])
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise InvalidTokenError(str(exc)) from exc
