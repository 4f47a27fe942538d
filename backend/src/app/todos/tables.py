"""The todo domain's tables: plain table classes (statements: `repository.py`,
`idempotency.py`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import BigInteger, Index, String, Text
from sqlmodel import Field

from app.platform.fields import CONTENT_MAX, IDEMPOTENCY_KEY_MAX, TITLE_MAX
from app.platform.tables import BaseDAO, utcnow
from app.todos.due import ZONE_MAX
from app.todos.ordering import POSITION_MAX

VERSION_MAX = 2**31 - 1  # `todo.version` is a 32-bit INTEGER on every engine

# `todo.position` compares byte by byte on every engine, as the keys need
# (`app.todos.ordering`): SQLite's default BINARY collation does; PostgreSQL's default
# follows the database's locale (en_US sorts "a" before "Z"), so the column says "C";
# CockroachDB's "C" is its default, bytewise, order.
POSITION_TYPE = String(POSITION_MAX).with_variant(
    String(POSITION_MAX, collation="C"), "postgresql", "cockroachdb"
)


class Todo(BaseDAO, table=True):
    __tablename__ = "todo"
    __table_args__ = (
        # The list query: one list's todos in (created_at, id) order, optionally
        # filtered by `completed`. Each index makes its variant a range scan.
        Index("ix_todo_list_id_created_at_id", "list_id", "created_at", "id"),
        Index(
            "ix_todo_list_id_completed_created_at_id", "list_id", "completed", "created_at", "id"
        ),
        # The list in its manual order (the default), and its ends for a move: a range
        # scan too. (`completed=` in this order filters that scan.)
        Index("ix_todo_list_id_position_id", "list_id", "position", "id"),
        # The due views (Today, Upcoming, Overdue) across the caller's lists: per list, a
        # range scan in (due_at, id) order (todos without a due date are NULL here).
        Index("ix_todo_list_id_due_at_id", "list_id", "due_at", "id"),
    )

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    content: str = Field(default="", max_length=CONTENT_MAX, sa_type=Text)
    completed: bool = False
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    list_id: uuid.UUID = Field(foreign_key="todo_list.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=0, description="Counts the updates since creation.")
    # Its place in the list's manual order: `app.todos.ordering`.
    position: str = Field(sa_type=POSITION_TYPE)
    # The due date as the user set it, and the instant it falls due: `app.todos.due`.
    # All four are NULL together (no due date) or `due_date`, `due_zone` and `due_at`
    # set together (`due_time` NULL: all day).
    due_date: date | None = None
    due_time: time | None = None
    due_zone: str | None = Field(default=None, max_length=ZONE_MAX)
    due_at: datetime | None = None
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
