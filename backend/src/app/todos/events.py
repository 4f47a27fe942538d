"""What a change to a todo records in the event log (`app.live.log`): the events'
shapes, and each event's one description (`TodoEvent`), which the repository's
statements record with the change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import CTE, ColumnElement, Uuid, bindparam

from app.live.events import EventColumns, ListId, event_type
from app.platform.tables import constant, json_object
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


@dataclass(frozen=True)
class TodoEvent:
    """A todo change's event, built two ways that must agree field for field (a test
    compares them): from the changed row in SQL (`columns`, for `app.live.log.with_event`),
    and from the returned row in Python (`of`, for SQLite)."""

    columns: Callable[[CTE], EventColumns]
    of: Callable[[Any, uuid.UUID | None], TodoChanged | TodoMoved | TodoDeleted]


def _todo_json(changed: CTE) -> ColumnElement[Any]:
    """`TodoPublic`'s JSON from a changed row that returned its fields."""
    return json_object(**{name: changed.c[name] for name in TodoPublic.model_fields})


def _changed_columns(kind: str) -> Callable[[CTE], EventColumns]:
    def columns(changed: CTE) -> EventColumns:
        kind_value, list_id = constant(kind), changed.c.list_id
        data = json_object(type=kind_value, list_id=list_id, todo=_todo_json(changed))
        return {"kind": kind_value, "list_id": list_id, "data": data}

    return columns


def _moved_columns(changed: CTE) -> EventColumns:
    kind, list_id = constant("todo.moved"), changed.c.list_id
    from_list_id = bindparam("from_list_id", type_=Uuid())
    todo = _todo_json(changed)
    data = json_object(type=kind, list_id=list_id, from_list_id=from_list_id, todo=todo)
    return {"kind": kind, "list_id": list_id, "from_list_id": from_list_id, "data": data}


def _deletion_columns(changed: CTE) -> EventColumns:
    kind, list_id = constant("todo.deleted"), changed.c.list_id
    todo_id, version = changed.c.todo_id, changed.c.version
    data = json_object(type=kind, list_id=list_id, todo_id=todo_id, version=version)
    return {"kind": kind, "list_id": list_id, "data": data}


CREATED = TodoEvent(
    _changed_columns("todo.created"),
    lambda todo, _: TodoChanged(type="todo.created", list_id=todo.list_id, todo=todo),
)
UPDATED = TodoEvent(
    _changed_columns("todo.updated"),
    lambda todo, _: TodoChanged(type="todo.updated", list_id=todo.list_id, todo=todo),
)
MOVED = TodoEvent(
    _moved_columns,
    lambda todo, left: TodoMoved(list_id=todo.list_id, from_list_id=left, todo=todo),
)
DELETED = TodoEvent(_deletion_columns, lambda deleted, _: deleted)
