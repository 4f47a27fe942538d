"""The export file's shape (version 1), the import's report, and TodoMVC's rows.

The export models are both what `GET /me/export` writes and what `POST /me/import`
reads (their JSON Schema is in the OpenAPI document as `ExportDocument`). An import
checks the file's envelope as a whole (a wrong format or version is a 422) and each
list and todo on its own: a bad row is reported and skipped, the rest imported.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.access import Role
from app.platform.fields import (
    CONTENT_MAX,
    LIST_NAME_MAX,
    TITLE_MAX,
    Content,
    ListName,
    Title,
    examples,
)
from app.todos.schemas import EXAMPLE_LIST_ID, DueDate, DueTime, DueZone

EXPORT_FORMAT = "minor-illusion-export"
EXPORT_VERSION = 1
MAX_IMPORT_LISTS = 100  # an account owns at most as many
# Per import, all lists together: each todo is one INSERT and one event, and the whole
# import must end well within a client's timeout (a bulk insert would lift it).
MAX_IMPORT_TODOS = 1_000
MAX_REPORTED_PROBLEMS = 200

EXAMPLE_TODO: dict[str, Any] = {
    "id": "1d5a2c7e-3b1f-4e0a-9c55-6e1f2a3b4c5d",
    "title": "Buy milk",
    "content": "Oat, 2 litres",
    "completed": False,
    "created_at": "2026-11-29T09:00:00Z",
    "updated_at": "2026-11-29T09:05:00Z",
}
EXAMPLE_LIST: dict[str, Any] = {
    "id": EXAMPLE_LIST_ID,
    "name": "Groceries",
    "personal": False,
    "role": "owner",
    "created_at": "2026-11-29T09:00:00Z",
    "members": [{"name": "user4", "role": "owner"}, {"name": "user2", "role": "viewer"}],
    "todos": [EXAMPLE_TODO],
}
EXAMPLE_EXPORT: dict[str, Any] = {
    "format": EXPORT_FORMAT,
    "version": EXPORT_VERSION,
    "exported_at": "2026-12-07T09:00:00Z",
    "account": {"name": "user4", "created_at": "2026-11-29T08:00:00Z", "settings": {}},
    "lists": [EXAMPLE_LIST],
}


class ExportedTodo(BaseModel):
    """A todo as exported (and as an import reads it: `id` and the times are only
    checked, since an import gives each todo a new id and the import's time)."""

    model_config = examples(EXAMPLE_TODO)

    id: uuid.UUID = Field(description="Its id where it was exported from.")
    title: Title = Field(min_length=1, max_length=TITLE_MAX, description="One line.")
    content: Content = Field(default="", max_length=CONTENT_MAX, description="Free-form notes.")
    completed: StrictBool = Field(default=False, description="Done.")
    due_date: DueDate | None = Field(
        default=None, description="The day it is due, with `due_zone`; absent: none."
    )
    due_time: DueTime | None = Field(
        default=None, description="The time it is due on `due_date`; absent: all day."
    )
    due_zone: DueZone | None = Field(
        default=None, description="The IANA time zone of `due_date` and `due_time`."
    )
    created_at: datetime = Field(description="When it was created.")
    updated_at: datetime = Field(description="When it last changed.")


class ExportedMember(BaseModel):
    """A member of an exported list."""

    model_config = examples({"name": "user2", "role": "viewer"})

    name: str = Field(max_length=64, description="The member's account name.")
    role: Role = Field(description="Their role in the list.")


class ExportedList(BaseModel):
    """A list the account is a member of, with its members and its todos in order."""

    model_config = examples(EXAMPLE_LIST)

    id: uuid.UUID = Field(description="Its id where it was exported from.")
    name: ListName = Field(min_length=1, max_length=LIST_NAME_MAX, description="Its name.")
    personal: bool = Field(description="The account's personal list (one per file).")
    role: Role = Field(description="The exporting account's role in it.")
    created_at: datetime = Field(description="When it was created.")
    members: list[ExportedMember] = Field(
        max_length=50, description="Its members, the exporting account included."
    )
    todos: list[ExportedTodo] = Field(
        description=f"Its todos, oldest first (an import takes {MAX_IMPORT_TODOS} in all)."
    )


class ExportedAccount(BaseModel):
    """The exporting account."""

    model_config = examples({"name": "user4", "created_at": "2026-11-29T08:00:00Z", "settings": {}})

    name: str = Field(max_length=64, description="Its name.")
    created_at: datetime = Field(description="When it was created.")
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="The account's settings: none exist yet, so always `{}` in version 1.",
    )


class ExportDocument(BaseModel):
    """Everything an account owns or is a member of: `GET /me/export` writes it,
    `POST /me/import` reads it back into any account."""

    model_config = examples(EXAMPLE_EXPORT)

    format: Literal["minor-illusion-export"] = Field(description="Always this string.")
    version: Literal[1] = Field(description="The format's version: 1.")
    exported_at: datetime = Field(description="When the file was written.")
    account: ExportedAccount = Field(description="The account the file was exported from.")
    lists: list[ExportedList] = Field(
        description=f"The account's lists, personal first (an import takes {MAX_IMPORT_LISTS})."
    )


class ImportEnvelope(BaseModel):
    """An export file as `POST /me/import` reads it: the file as a whole must be this
    (else 422); each list and each todo in it is then checked on its own against
    `ExportedList` and `ExportedTodo`, and one that fails is skipped and reported, not
    the file refused. Fields not named here (`exported_at`, `account`) are ignored."""

    model_config = examples(EXAMPLE_EXPORT)

    format: Literal["minor-illusion-export"] = Field(description="Always this string.")
    version: Literal[1] = Field(description="The format's version: 1.")
    lists: list[dict[str, Any]] = Field(
        max_length=MAX_IMPORT_LISTS,
        description="The lists, each an `ExportedList`, with at most "
        f"{MAX_IMPORT_TODOS} todos in all.",
    )


class ImportedListHead(BaseModel):
    """A list's own fields, checked before its todos."""

    id: uuid.UUID
    name: ListName = Field(min_length=1, max_length=LIST_NAME_MAX)
    personal: StrictBool = False
    todos: list[Any] = Field(default_factory=list)


class TodoMvcTodo(BaseModel):
    """One todo of TodoMVC's `localStorage` JSON (the vanilla and React examples store
    `[{"id", "title", "completed"}]`; `id` is a number or a string there, unused here)."""

    model_config = ConfigDict(extra="ignore")

    title: Title = Field(min_length=1, max_length=TITLE_MAX)
    completed: StrictBool = False


class ImportProblem(BaseModel):
    """A row that was not imported, and why."""

    model_config = examples({"row": "lists[1].todos[4]", "detail": "title: Field required"})

    row: str = Field(description="Where it is in the file, as a JSON path.")
    detail: str = Field(description="Why it was skipped.")


class ImportReport(BaseModel):
    """What an import did: each bad row is reported and skipped, the rest imported."""

    model_config = examples(
        {
            "lists_created": 2,
            "todos_imported": 41,
            "problems": [{"row": "lists[1].todos[4]", "detail": "title: Field required"}],
            "problems_not_shown": 0,
        }
    )

    lists_created: int = Field(description="New lists, owned by you.")
    todos_imported: int = Field(description="Todos created, in all lists.")
    problems: list[ImportProblem] = Field(
        description=f"Rows skipped, the first {MAX_REPORTED_PROBLEMS}."
    )
    problems_not_shown: int = Field(description="Rows skipped beyond those listed.")
