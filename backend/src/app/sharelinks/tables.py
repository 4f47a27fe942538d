"""The share-links domain's table: a plain table class (statements: `repository.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from app.platform.tables import BaseDAO, utcnow
from app.tokens.tables import SECRET_HASH_LENGTH


class ShareLink(BaseDAO, table=True):
    """A link that makes whoever opens it a member of a list with `role`, until it is
    revoked (the row is deleted), expires, or has been used `max_uses` times. Only the
    SHA-256 of its secret is kept (why a fast hash is enough: `AccessToken`'s note)."""

    __tablename__ = "share_link"
    __table_args__ = (
        CheckConstraint("role IN ('viewer', 'editor')", name="role"),
        CheckConstraint("uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)", name="uses"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    list_id: uuid.UUID = Field(foreign_key="todo_list.id", ondelete="CASCADE", index=True)
    # The link belongs to the list, not to the owner who made it: it outlives their
    # account and their ownership (any owner may revoke it).
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    secret_hash: str = Field(max_length=SECRET_HASH_LENGTH, unique=True)
    role: str = Field(max_length=8)
    max_uses: int | None = None
    uses: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
