"""The accounts domain's tables: plain table classes (statements: `repository.py`,
`throttle.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from app.platform.fields import NAME_MAX
from app.platform.security import Caller
from app.platform.tables import BaseDAO, utcnow

THROTTLE_KEY_MAX = 200


class User(BaseDAO, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    name: str = Field(max_length=NAME_MAX)  # as its owner typed it, shown as typed
    # What makes a name taken: `Bob` and `bob` are one name, so nobody can pass for
    # someone else by case. (Names are ASCII, where lower() is the whole story.)
    name_key: str = Field(max_length=NAME_MAX, unique=True)
    password_hash: str = Field(max_length=255)
    # Bumped to revoke every token issued before; tokens carry the value they were
    # issued with, and every statement run for a caller checks it (app/access.py).
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    def as_caller(self) -> Caller:
        """This user as their current tokens name them (for code that acts on their
        behalf without a token: the demo seed, tests, notebooks)."""
        return Caller(self.id, self.token_generation)


class LoginThrottle(BaseDAO, table=True):
    """Password attempts per key ("name:<name>" or "addr:<address>").

    An attempt is counted BEFORE its password is checked, in one atomic statement (an
    upsert that returns the new count): however many requests arrive at once, at most
    `limit` of them are admitted per window, and the one that reaches the limit locks
    the key. A success gives its attempt back (`refund`) or clears the key."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=THROTTLE_KEY_MAX)
    failures: int = 0  # attempts counted in the window (admitted ones, plus one refused)
    window_started_at: datetime
    locked_until: datetime | None = None
