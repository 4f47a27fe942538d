"""The event log's table (statements: `log.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Column, Index, Integer, Text
from sqlmodel import Field

from app.platform.tables import BaseDAO, utcnow

KIND_MAX = 32


class Event(BaseDAO, table=True):
    __tablename__ = "event"
    __table_args__: ClassVar[Any] = (
        Index("ix_event_txid_id", "txid", "id"),
        Index("ix_event_created_at", "created_at"),
        {"sqlite_autoincrement": True},
    )

    # INTEGER on SQLite: only an INTEGER PRIMARY KEY is the rowid AUTOINCREMENT needs.
    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    txid: int = Field(sa_column=Column(BigInteger(), nullable=False))
    kind: str = Field(max_length=KIND_MAX)
    # No foreign keys: an event outlives the list or the account it tells about.
    list_id: uuid.UUID | None = Field(default=None)
    from_list_id: uuid.UUID | None = Field(default=None)
    user_id: uuid.UUID | None = Field(default=None)
    data: str = Field(sa_column=Column(Text(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
