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

from app.platform.errors import InvalidCursorError
from app.platform.fields import CONTENT_MAX, TITLE_MAX, Content, Title, examples

EXAMPLE_TODO_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
EXAMPLE_LIST_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
EXAMPLE_TODO: dict[str, Any] = {
    "id": EXAMPLE_TODO_ID,
    "list_id": EXAMPLE_LIST_ID,
    "created_at": "2026-11-29T09:30:00Z",
    "updated_at": "2026-11-29T10:02:41Z",
    "title": "Buy milk",
    "content": "Oat, 2 litres",
    "completed": False,
    "version": 2,
}


class TodoCreate(SQLModel):
    """A new todo."""

    model_config = examples({"title": "Buy milk", "content": "Oat, 2 litres"})  # type: ignore[assignment]

    title: Title = Field(
        min_length=1, max_length=TITLE_MAX, description="One line: something visible, no NUL."
    )
    content: Content = Field(default="", max_length=CONTENT_MAX, description="Free-form notes.")
    # JSON booleans only: 0, 1 and "yes" are refused.
    completed: StrictBool = Field(default=False, description="Done already.")


def _absent_but_not_null(schema: dict[str, Any]) -> None:
    """Document TodoUpdate's fields as optional but never null (null is a 422)."""
    schema["examples"] = [{"completed": True}, {"title": "Buy oat milk", "content": ""}]
    for prop in schema.get("properties", {}).values():
        variants = prop.pop("anyOf", None)
        if variants:
            prop.update(next(v for v in variants if v.get("type") != "null"))
        prop.pop("default", None)


class TodoUpdate(BaseModel):
    """Partial update: only the fields present in the body change."""

    model_config = ConfigDict(json_schema_extra=_absent_but_not_null)

    title: Title | None = Field(
        default=None, min_length=1, max_length=TITLE_MAX, description="A new title."
    )
    content: Content | None = Field(default=None, max_length=CONTENT_MAX, description="New notes.")
    completed: StrictBool | None = Field(default=None, description="Done, or not done again.")
    list_id: uuid.UUID | None = Field(
        default=None,
        description="Moves the todo to this list: you must be an editor of both lists.",
    )

    @model_validator(mode="after")
    def _no_nulls(self) -> TodoUpdate:
        nulls = [name for name in self.model_fields_set if getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} must not be null")
        return self


# A plain Pydantic model rather than SQLModel: validated in Rust, fast.
class TodoPublic(BaseModel):
    """A todo."""

    model_config = examples(EXAMPLE_TODO)

    id: uuid.UUID = Field(description="The todo's id, for `/todo/{todo_id}`.")
    list_id: uuid.UUID = Field(description="The list it is in.")
    created_at: datetime = Field(description="When it was created; lists are in this order.")
    updated_at: datetime = Field(description="When it last changed.")
    title: str = Field(description="One line.")
    content: str = Field(description="Free-form notes; may be empty.")
    completed: bool = Field(description="Done.")
    version: int = Field(
        description="One more at each change; the `ETag` says it too, for `If-Match`."
    )


class TodoStats(BaseModel):
    """How many todos a list has."""

    model_config = examples({"total": 5, "active": 3, "completed": 2})

    total: int = Field(description="All of them.")
    active: int = Field(description='Not completed: the "items left".')
    completed: int = Field(description="Completed.")


class DeletedCount(BaseModel):
    """What a bulk delete did."""

    model_config = examples({"deleted": 2})

    deleted: int = Field(description="How many todos were deleted.")


# `{}` rather than no body: the original clients call `.json()` on a delete's response.
class Empty(BaseModel):
    """Nothing to say: done."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


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
