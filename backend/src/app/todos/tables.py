"""The todo domain's tables: plain table classes (statements: `repository.py`,
`idempotency.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, Text
from sqlmodel import Field

from app.platform.fields import CONTENT_MAX, IDEMPOTENCY_KEY_MAX, TITLE_MAX
from app.platform.tables import BaseDAO, utcnow

VERSION_MAX = 2**31 - 1  # `todo.version` is a 32-bit INTEGER on every engine


class Todo(BaseDAO, table=True):
    __tablename__ = "todo"
    __table_args__ = (
        # The list query: one list's todos in (created_at, id) order, optionally
        # filtered by `completed`. Each index makes its variant a range scan.
        Index("ix_todo_list_id_created_at_id", "list_id", "created_at", "id"),
        Index(
            "ix_todo_list_id_completed_created_at_id", "list_id", "completed", "created_at", "id"
        ),
    )

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    content: str = Field(default="", max_length=CONTENT_MAX, sa_type=Text)
    completed: bool = False
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    list_id: uuid.UUID = Field(foreign_key="todo_list.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=0, description="Counts the updates since creation.")
    # PostgreSQL: where this todo's last event sits in the log (its major, a transaction
    # id). A change's event never sorts before it, whatever transaction id the change
    # got: see `_event_txid`. Never sent to clients.
    event_txid: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})


class IdempotencyKey(BaseDAO, table=True):
    __tablename__ = "idempotency_key"

    owner_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    key: str = Field(primary_key=True, max_length=IDEMPOTENCY_KEY_MAX)
    request_hash: str = Field(max_length=64)
    response_body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
