"""The sessions domain's table (statements: `repository.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from app.platform.tables import BaseDAO, utcnow

DEVICE_MAX = 100  # "Firefox 133 on Ubuntu", cut to this
ADDRESS_MAX = 64  # an IPv6 address is at most 45 characters; "unknown" when none


class UserSession(BaseDAO, table=True):
    """A log-in: created by `POST /auth/login`, named by the token it issued (`sid`),
    ended by signing out, by being signed out from another device, by the cap on live
    sessions per account, or by its two expiries. A session that ended is deleted: a
    row that exists and has not expired is a live session.

    `last_seen_at` is coarse (written at most once per `LAST_SEEN_PRECISION` per
    session and process), and so is the idle expiry that slides with it."""

    __tablename__ = "user_session"
    __table_args__ = (
        # The devices list (newest first, keyset-paged) and the cap's "oldest first".
        Index("ix_user_session_user_id_created_at_id", "user_id", "created_at", "id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime  # absolute: the token's `exp`
    idle_expires_at: datetime  # last_seen_at + the idle timeout
    device: str = Field(max_length=DEVICE_MAX)
    address: str = Field(max_length=ADDRESS_MAX)
