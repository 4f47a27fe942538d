"""What a change to a todo records in the event log (`app.live.log`)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from app.live.events import ListId, event_type
from app.todos.schemas import TodoPublic


class TodoChanged(BaseModel):
    """A todo was created, or changed in any way (completion included): `todo` is its
    new state, `todo.version` one more than before."""

    type: Literal["todo.created", "todo.updated"] = event_type()
    list_id: ListId
    todo: TodoPublic = Field(description="The todo as it is now.")


class TodoMoved(BaseModel):
    """A todo moved from `from_list_id` to `list_id`; members of either list get this."""

    type: Literal["todo.moved"] = event_type("todo.moved")
    list_id: uuid.UUID = Field(description="The list it is in now.")
    from_list_id: uuid.UUID = Field(description="The list it was in.")
    todo: TodoPublic = Field(description="The todo as it is now.")


class TodoDeleted(BaseModel):
    """A todo was deleted."""

    type: Literal["todo.deleted"] = event_type("todo.deleted")
    list_id: ListId
    todo_id: uuid.UUID = Field(description="The deleted todo's id.")
    version: int = Field(description="The last version the todo had.")
