"""Tokens and password hashes."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.platform.security import (
    Caller,
    InvalidTokenError,
    create_access_token,
    decode_access_token,
    hash_password,
    verify_password,
)
from tests.conftest import PRODUCTION_PASSWORD_HASH

SECRET = "s" * 64


def token_for(user_id: uuid.UUID, session_id: uuid.UUID | None = None) -> str:
    session_id = session_id or uuid.uuid4()
    expires_at = datetime.now(UTC) + timedelta(minutes=5)
    return create_access_token(user_id, 0, session_id, secret=SECRET, expires_at=expires_at)


def test_token_round_trip() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = token_for(user_id, session_id)
    assert decode_access_token(token, secret=SECRET) == Caller(user_id, 0, session_id=session_id)


def test_a_token_without_a_session_is_refused() -> None:
    """Tokens issued before sessions were rows carry no `sid`: their holders log in again."""
    claims = {"sub": str(uuid.uuid4()), "gen": 0, "exp": datetime.now(UTC) + timedelta(hours=1)}
    with pytest.raises(InvalidTokenError):
        decode_access_token(jwt.encode(claims, SECRET), secret=SECRET)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(
            jwt.encode(
                {"sub": str(uuid.uuid4()), "exp": datetime.now(UTC) - timedelta(seconds=1)}, SECRET
            ),
            id="expired",
        ),
        pytest.param(
            jwt.encode(
                {"sub": str(uuid.uuid4()), "exp": datetime.now(UTC) + timedelta(hours=1)}, "k" * 64
            ),
            id="other-key",
        ),
        pytest.param(
            jwt.encode(
                {"sub": str(uuid.uuid4()), "exp": datetime.now(UTC) + timedelta(hours=1)},
                None,
                algorithm="none",
            ),
            id="alg-none",
        ),
        pytest.param(
            jwt.encode(
                {"sub": str(uuid.uuid4()), "exp": datetime.now(UTC) + timedelta(hours=1)},
                SECRET,
                algorithm="HS512",
            ),
            id="other-algorithm",
        ),
        pytest.param(jwt.encode({"sub": str(uuid.uuid4())}, SECRET), id="no-expiry"),
        pytest.param(
            jwt.encode({"sub": "user1", "exp": datetime.now(UTC) + timedelta(hours=1)}, SECRET),
            id="sub-not-uuid",
        ),
        *(
            pytest.param(jwt.encode({"sub": str(uuid.uuid4()), "exp": exp}, SECRET), id=name)
            for name, exp in [
                ("exp-string", str(int(time.time()) + 3600)),
                ("exp-NaN-string", "NaN"),
                ("exp-NaN", float("nan")),
                ("exp-infinity", float("inf")),
                ("exp-1e300", 1e300),
                ("exp-true", True),
            ]
        ),
        *(
            pytest.param(
                jwt.encode(
                    {"sub": str(uuid.uuid4()), "exp": time.time() + 3600, "gen": gen}, SECRET
                ),
                id=name,
            )
            for name, gen in [("gen-2**31", 2**31), ("gen-2**63", 2**63), ("gen-negative", -1)]
        ),
        pytest.param("user1", id="original-style-name"),
        pytest.param("a.b.c", id="garbage"),
        pytest.param("x" * 5000, id="huge"),
    ],
)
def test_bad_tokens_are_rejected(token: str) -> None:
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, secret=SECRET)


def test_a_verified_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = token_for(user_id, session_id)
    caller = Caller(user_id, 0, session_id=session_id)
    assert decode_access_token(token, secret=SECRET) == caller  # verified and remembered
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(InvalidTokenError, match="expired"):
        decode_access_token(token, secret=SECRET)


def test_a_remembered_token_is_not_valid_under_another_secret() -> None:
    token = token_for(uuid.uuid4())
    decode_access_token(token, secret=SECRET)
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, secret="o" * 64)


async def test_password_hash_verifies_only_the_password() -> None:
    hashed = await hash_password("correct horse")
    assert hashed.startswith("$argon2")
    assert await verify_password("correct horse", hashed)
    assert not await verify_password("wrong horse", hashed)


def test_passwords_are_hashed_at_argon2s_production_cost() -> None:
    # The tests hash cheaply in process (tests/conftest.py); the app does not.
    hashed = PRODUCTION_PASSWORD_HASH.hash("correct horse")
    variant, _, params, *_ = hashed.removeprefix("$").split("$")
    cost = dict(pair.split("=") for pair in params.split(","))
    assert variant == "argon2id"
    # At least OWASP's Argon2id minimum (19 MiB, 2 passes); pwdlib's defaults are above.
    assert int(cost["m"]) >= 19 * 1024
    assert int(cost["t"]) >= 2


async def test_unknown_user_verifies_against_a_dummy() -> None:
    assert not await verify_password("anything", None)
