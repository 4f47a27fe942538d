"""What clients send and get back about todos, and the opaque pagination cursor."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from sqlmodel import SQLModel

from app.errors import InvalidCursorError
from app.schemas.fields import CONTENT_MAX, TITLE_MAX, Content, Title


class TodoCreate(SQLModel):
    title: Title = Field(min_length=1, max_length=TITLE_MAX)
    content: Content = Field(default="", max_length=CONTENT_MAX)
    completed: StrictBool = False  # JSON booleans only: 0, 1 and "yes" are refused


def _absent_but_not_null(schema: dict[str, Any]) -> None:
    """Document TodoUpdate's fields as optional but never null (null is a 422)."""
    for prop in schema.get("properties", {}).values():
        variants = prop.pop("anyOf", None)
        if variants:
            prop.update(next(v for v in variants if v.get("type") != "null"))
        prop.pop("default", None)


class TodoUpdate(BaseModel):
    """Partial update: only the fields present in the body change."""

    model_config = ConfigDict(json_schema_extra=_absent_but_not_null)

    title: Title | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    content: Content | None = Field(default=None, max_length=CONTENT_MAX)
    completed: StrictBool | None = None
    list_id: uuid.UUID | None = Field(
        default=None, description="Moves the todo to this list: needs editor on both lists."
    )

    @model_validator(mode="after")
    def _no_nulls(self) -> TodoUpdate:
        nulls = [name for name in self.model_fields_set if getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} must not be null")
        return self


class TodoPublic(BaseModel):
    """A todo as clients see it (a plain Pydantic model: validated in Rust, fast)."""

    id: uuid.UUID
    list_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    title: str
    content: str
    completed: bool
    version: int


class TodoStats(BaseModel):
    total: int
    active: int
    completed: int


class DeletedCount(BaseModel):
    deleted: int


class Empty(BaseModel):
    """`{}`: original clients call `.json()` on a delete's response."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class TodoCursor:
    """A position in the (created_at, id) order, opaque to clients."""

    created_at: datetime
    id: uuid.UUID

    @classmethod
    def after(cls, todo: TodoPublic) -> TodoCursor:
        return cls(created_at=todo.created_at, id=todo.id)

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id.hex}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> TodoCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            created_at, todo_id = raw.split("|")
            position = datetime.fromisoformat(created_at)
            if position.tzinfo is None:
                raise InvalidCursorError
            # In UTC, as the database compares it: 0001-01-01T00:00+14:00 has no UTC
            # time, and would overflow there rather than here.
            return cls(created_at=position.astimezone(UTC), id=uuid.UUID(hex=todo_id))
        except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as exc:
            raise InvalidCursorError from exc
