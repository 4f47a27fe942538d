"""The lists domain's tables: plain table classes (statements: `repository.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field

from app.platform.fields import LIST_NAME_MAX
from app.platform.tables import BaseDAO, utcnow


class TodoList(BaseDAO, table=True):
    __tablename__ = "todo_list"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=LIST_NAME_MAX)
    # The user whose personal list this is (NULL for every other list). Unique: one
    # personal list each, and the way statements find it without a membership check.
    personal_of: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="CASCADE", unique=True
    )
    created_at: datetime = Field(default_factory=utcnow)


class ListMember(BaseDAO, table=True):
    __tablename__ = "list_member"
    __table_args__ = (
        CheckConstraint("role IN ('viewer', 'editor', 'owner')", name="role"),
        # "My lists": a user's memberships (the primary key serves a list's members).
        Index("ix_list_member_user_id_list_id", "user_id", "list_id"),
    )

    list_id: uuid.UUID = Field(foreign_key="todo_list.id", primary_key=True, ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(max_length=8)
    # Since when: who has stood longest decides who takes over a deleted owner's list.
    created_at: datetime = Field(default_factory=utcnow)
