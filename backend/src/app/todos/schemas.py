"""What clients send and get back about todos, and the opaque pagination cursor."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    model_validator,
)
from sqlmodel import SQLModel

from app.platform.errors import InvalidCursorError
from app.platform.fields import CONTENT_MAX, TITLE_MAX, Content, Title, examples
from app.todos import due, ordering

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
    "position": "a1",
    "due_date": "2026-12-08",
    "due_time": "17:00:00",
    "due_zone": "Europe/Berlin",
    "due_at": "2026-12-08T16:00:00Z",
}

# The due date's three fields, set together (`app.todos.due`).
DUE_FIELDS = frozenset({"due_date", "due_time", "due_zone"})


def _text_matching(pattern: str, says: str) -> BeforeValidator:
    """Only text of this shape: pydantic would also read a number as a date, a time or
    an instant (seconds since 1970), which the document does not promise."""
    shape = re.compile(pattern)

    def check(value: object) -> object:
        if not isinstance(value, str) or not shape.fullmatch(value):
            raise ValueError(says)
        return value

    return BeforeValidator(check)


# 1900-01-01 to 9999-12-30: asyncpg stores `date.max` (9999-12-31) as PostgreSQL's
# 'infinity', which the event log's JSON then carries as a word, not a date.
DATE_PATTERN = r"(?!9999-12-31)(19|[2-9]\d)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
TIME_PATTERN = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?"
DueDate = Annotated[
    date,
    _text_matching(DATE_PATTERN, "must be a date, YYYY-MM-DD, from 1900-01-01 to 9999-12-30"),
    Field(
        description="The day it is due, in `due_zone` (YYYY-MM-DD, 1900-01-01 to 9999-12-30).",
        json_schema_extra={"pattern": f"^{DATE_PATTERN}$"},
    ),
]
# Not `format: time`: RFC 3339's full-time has an offset, and a due time has none.
DueTime = Annotated[
    time,
    _text_matching(TIME_PATTERN, "must be a time of day, HH:MM or HH:MM:SS, with no offset"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{TIME_PATTERN}$",
            "description": "The time of day it is due, in `due_zone` (HH:MM or HH:MM:SS, no "
            "offset: it is in `due_zone`); absent or null: all day, by the end of `due_date`.",
        }
    ),
]
DueZone = Annotated[
    str,
    Field(
        min_length=1,
        max_length=due.ZONE_MAX,
        description="The IANA time zone `due_date` and `due_time` are in, e.g. Europe/Berlin: "
        "the browser's own (`Intl.DateTimeFormat().resolvedOptions().timeZone`). The names "
        "are those of the server's tz database (the `tzdata` package); another is a 422.",
        pattern=due.ZONE_PATTERN,
    ),
]
Instant = Annotated[
    AwareDatetime,
    _text_matching(
        r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}.*",
        "must be a date and time with its offset, e.g. 2026-12-08T17:00:00+01:00",
    ),
]


def _check_due(model: BaseModel) -> None:
    """The due fields of a create or an update, as a whole (`_document_due` says the
    same in the schema): a time or a zone needs the date, a date needs its zone; a null
    date is no due date, whatever the other two say."""
    sent = model.model_fields_set & DUE_FIELDS
    if not sent:
        return
    if "due_date" not in sent:
        raise ValueError(f"{', '.join(sorted(sent))} needs due_date")
    due_date = getattr(model, "due_date", None)
    if due_date is None:
        return
    zone = getattr(model, "due_zone", None)
    if zone is None:
        raise ValueError("due_date needs due_zone, the IANA time zone it is in (Europe/Berlin)")
    if not due.is_zone(zone):
        raise ValueError(f"due_zone {zone[:64]!r} is not an IANA time zone (e.g. Europe/Berlin)")


def _document_due(schema: dict[str, Any]) -> None:
    """`_check_due`'s rules in the JSON Schema: `due_time` and `due_zone` need
    `due_date`; a `due_date` that is a date needs a `due_zone` that is a zone."""
    schema["dependentRequired"] = {"due_time": ["due_date"], "due_zone": ["due_date"]}
    schema["if"] = {"properties": {"due_date": {"type": "string"}}, "required": ["due_date"]}
    schema["then"] = {"required": ["due_zone"], "properties": {"due_zone": {"type": "string"}}}


def _due_columns(model: BaseModel) -> dict[str, Any]:
    """The four due columns a create or update sets (all None: no due date)."""
    due_date: date | None = getattr(model, "due_date", None)
    if due_date is None:
        return {"due_date": None, "due_time": None, "due_zone": None, "due_at": None}
    due_time: time | None = getattr(model, "due_time", None)
    if due_time is not None:
        due_time = due_time.replace(microsecond=0)
    zone: str = getattr(model, "due_zone", None) or "UTC"
    at = due.due_at(due_date, due_time, zone)
    return {"due_date": due_date, "due_time": due_time, "due_zone": zone, "due_at": at}


def _document_create(schema: dict[str, Any]) -> None:
    _document_due(schema)
    schema["examples"] = [
        {"title": "Buy milk", "content": "Oat, 2 litres"},
        {"title": "Call the plumber", "due_date": "2026-12-08", "due_zone": "Europe/Berlin"},
        {
            "title": "Dentist",
            "due_date": "2026-12-08",
            "due_time": "17:00",
            "due_zone": "America/New_York",
        },
    ]


class TodoCreate(SQLModel):
    """A new todo."""

    model_config = ConfigDict(json_schema_extra=_document_create)  # type: ignore[assignment]

    title: Title = Field(
        min_length=1, max_length=TITLE_MAX, description="One line: something visible, no NUL."
    )
    content: Content = Field(default="", max_length=CONTENT_MAX, description="Free-form notes.")
    # JSON booleans only: 0, 1 and "yes" are refused.
    completed: StrictBool = Field(default=False, description="Done already.")
    due_date: DueDate | None = Field(
        default=None, description="The day it is due (YYYY-MM-DD), with `due_zone`; none if absent."
    )
    due_time: DueTime | None = Field(
        default=None, description="The time it is due on `due_date` (HH:MM); absent: all day."
    )
    due_zone: DueZone | None = Field(
        default=None, description="The IANA time zone of `due_date` and `due_time`."
    )

    @model_validator(mode="after")
    def _due_whole(self) -> TodoCreate:
        _check_due(self)
        return self

    def columns(self) -> dict[str, Any]:
        """The columns the new row gets from this body."""
        return {**self.model_dump(exclude=set(DUE_FIELDS)), **_due_columns(self)}


def _absent_but_not_null(schema: dict[str, Any]) -> None:
    """Document TodoUpdate's fields as optional but never null (null is a 422), except
    `after` and `before`, whose null names an end of the list."""
    schema["examples"] = [
        {"completed": True},
        {"title": "Buy oat milk", "content": ""},
        {"after": EXAMPLE_TODO_ID},
        {"before": None},
        {"due_date": "2026-12-24", "due_time": "18:30", "due_zone": "Europe/Paris"},
        {"due_date": None},
    ]
    for name, prop in schema.get("properties", {}).items():
        if name not in NULLABLE_FIELDS | DUE_FIELDS:
            variants = prop.pop("anyOf", None)
            if variants:
                prop.update(next(v for v in variants if v.get("type") != "null"))
        prop.pop("default", None)
    # One move at once: a reorder (`after` or `before`) or a move to another list.
    _document_due(schema)
    schema["not"] = {
        "anyOf": [
            {"required": ["after", "before"]},
            {"required": ["after", "list_id"]},
            {"required": ["before", "list_id"]},
        ]
    }


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
        description="Moves the todo to the end of this list: you must be an editor of both lists.",
    )
    after: uuid.UUID | None = Field(
        default=None,
        description="Reorders the todo to just after this todo of its list; null: to the "
        "start. Not with `before` or `list_id`.",
    )
    due_date: DueDate | None = Field(
        default=None,
        description="A new due date (with `due_zone`, and `due_time` unless all day): the "
        "three are set together. null: no due date any more.",
    )
    due_time: DueTime | None = Field(
        default=None,
        description="The time it is due on `due_date` (HH:MM); absent or null: all day.",
    )
    due_zone: DueZone | None = Field(
        default=None, description="The IANA time zone of `due_date` and `due_time`."
    )
    before: uuid.UUID | None = Field(
        default=None,
        description="Reorders the todo to just before this todo of its list; null: to the "
        "end. Not with `after` or `list_id`.",
    )

    @model_validator(mode="after")
    def _no_nulls(self) -> TodoUpdate:
        nulls = [
            name
            for name in self.model_fields_set - NULLABLE_FIELDS - DUE_FIELDS
            if getattr(self, name) is None
        ]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} must not be null")
        places = self.model_fields_set & ({"list_id"} | NULLABLE_FIELDS)
        if len(places) > 1:
            raise ValueError(f"{' and '.join(sorted(places))} cannot be combined: one move at once")
        _check_due(self)
        return self

    @property
    def reorders(self) -> bool:
        """Whether this update moves the todo within its list (`after` or `before`)."""
        return bool(self.model_fields_set & NULLABLE_FIELDS)

    def changed_fields(self) -> dict[str, Any]:
        """The columns this update sets as sent (the move's anchors are not columns; a due
        date sets its four columns, or clears them)."""
        changed = self.model_dump(exclude_unset=True, exclude=set(NULLABLE_FIELDS | DUE_FIELDS))
        if self.model_fields_set & DUE_FIELDS:
            changed.update(_due_columns(self))
        return changed


# A null here means something (an end of the list), so it is not refused.
NULLABLE_FIELDS = frozenset({"after", "before"})


# A plain Pydantic model rather than SQLModel: validated in Rust, fast.
class TodoPublic(BaseModel):
    """A todo."""

    model_config = examples(EXAMPLE_TODO)

    id: uuid.UUID = Field(description="The todo's id, for `/todo/{todo_id}`.")
    list_id: uuid.UUID = Field(description="The list it is in.")
    created_at: datetime = Field(description="When it was created.")
    updated_at: datetime = Field(description="When it last changed.")
    title: str = Field(description="One line.")
    content: str = Field(description="Free-form notes; may be empty.")
    completed: bool = Field(description="Done.")
    version: int = Field(
        description="One more at each change; the `ETag` says it too, for `If-Match`."
    )
    position: str = Field(
        description="Its place in the list's manual order, opaque: the list is sorted by "
        "(`position`, `id`), comparing `position` byte by byte (ASCII)."
    )
    due_date: date | None = Field(
        default=None, description="The day it is due in `due_zone`, as set; null: no due date."
    )
    due_time: Annotated[
        time | None,
        WithJsonSchema(
            {"anyOf": [{"type": "string", "pattern": r"^\d\d:\d\d:\d\d$"}, {"type": "null"}]}
        ),
    ] = Field(
        default=None,
        description="The time it is due in `due_zone` (HH:MM:SS), as set; null: all day.",
    )
    due_zone: str | None = Field(
        default=None, description="The IANA time zone the due date was set in."
    )
    due_at: datetime | None = Field(
        default=None,
        description="The last instant (UTC) it is on time: `due_time` in `due_zone`, or for "
        "all day the end of `due_date` there. Overdue once past; the due views sort by it.",
    )


class TodoOrder(StrEnum):
    """How a list's todos are sorted."""

    position = "position"  # the manual order (the default)
    created = "created"  # oldest first, as before manual order existed


class TodoStats(BaseModel):
    """How many todos a list has."""

    model_config = examples({"total": 5, "active": 3, "completed": 2})

    total: int = Field(description="All of them.")
    active: int = Field(description='Not completed: the "items left".')
    completed: int = Field(description="Completed.")


class Segment(BaseModel):
    """A piece of a title or snippet; `match` marks a word the query found. Joined in
    order, the pieces are the text: render each as text (a match, e.g., in `<mark>`),
    never as HTML."""

    text: str = Field(description="The piece, as plain text.")
    match: bool = Field(description="A word that matched the query.")


class SearchHit(BaseModel):
    """A todo a search found, with the list it is in and its matched words marked."""

    model_config = examples(
        {
            "todo": EXAMPLE_TODO,
            "list_name": "Groceries",
            "title": [{"text": "Buy ", "match": False}, {"text": "milk", "match": True}],
            "snippet": [{"text": "Oat, 2 litres", "match": False}],
            "snippet_starts_inside": False,
            "snippet_ends_inside": False,
        }
    )

    todo: TodoPublic = Field(description="The todo, as `GET /todo/{todo_id}` answers it.")
    list_name: str = Field(description="The name of the list it is in.")
    title: list[Segment] = Field(description="Its title, cut into segments.")
    snippet: list[Segment] = Field(
        description="Its content around the first match (about 24 words; all of it when "
        "short), cut into segments; empty for a todo without content."
    )
    snippet_starts_inside: bool = Field(
        description="Content precedes the snippet: show an ellipsis before it."
    )
    snippet_ends_inside: bool = Field(
        description="Content follows the snippet: show an ellipsis after it."
    )


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
    """Where a page ended, opaque to clients: in the (created_at, id) order, or, with
    `position` set, in the (position, id) order."""

    created_at: datetime
    id: uuid.UUID
    position: str | None = None

    @property
    def order(self) -> TodoOrder:
        return TodoOrder.created if self.position is None else TodoOrder.position

    @classmethod
    def after(cls, todo: TodoPublic, order: TodoOrder = TodoOrder.created) -> TodoCursor:
        position = todo.position if order is TodoOrder.position else None
        return cls(created_at=todo.created_at, id=todo.id, position=position)

    def encode(self) -> str:
        # A created-order cursor keeps the format it had before manual order, so links
        # handed out then still work; a position cursor starts with "p:", which no
        # timestamp does.
        head = self.created_at.isoformat() if self.position is None else f"p:{self.position}"
        raw = f"{head}|{self.id.hex}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> TodoCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            head, todo_id = raw.split("|")
            if head.startswith("p:"):
                if not ordering.is_key(head[2:]):
                    raise InvalidCursorError
                return cls(created_at=_EPOCH, id=uuid.UUID(hex=todo_id), position=head[2:])
            position = datetime.fromisoformat(head)
            if position.tzinfo is None:
                raise InvalidCursorError
            # In UTC, as the database compares it: 0001-01-01T00:00+14:00 has no UTC
            # time, and would overflow there rather than here.
            return cls(created_at=position.astimezone(UTC), id=uuid.UUID(hex=todo_id))
        except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as exc:
            raise InvalidCursorError from exc


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # a position cursor's unused created_at


class DueView(StrEnum):
    """The due views across every list you can see, each of open todos only."""

    today = "today"  # due today in the caller's zone, overdue ones included
    upcoming = "upcoming"  # due after today
    overdue = "overdue"  # past their due time


@dataclass(frozen=True)
class DueCursor:
    """Where a page of a due view ended, in its (due_at, id) order; opaque to clients."""

    due_at: datetime
    id: uuid.UUID

    @classmethod
    def after(cls, todo: TodoPublic) -> DueCursor:
        assert todo.due_at is not None, "the due views list todos with a due date only"
        return cls(due_at=todo.due_at, id=todo.id)

    def encode(self) -> str:
        raw = f"d:{self.due_at.isoformat()}|{self.id.hex}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> DueCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            head, todo_id = raw.split("|")
            if not head.startswith("d:"):
                raise InvalidCursorError
            due_at = datetime.fromisoformat(head[2:])
            if due_at.tzinfo is None:
                raise InvalidCursorError
            return cls(due_at=due_at.astimezone(UTC), id=uuid.UUID(hex=todo_id))
        except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as exc:
            raise InvalidCursorError from exc
