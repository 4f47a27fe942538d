"""The stream's own events (`ready`, `resync`), and the fields every domain's events
share. A domain's changes are in its own `events` module; `app.live.schemas` puts
them all together."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement


# Fields several events share, described once.
def event_type(name: str | None = None) -> Any:
    """The `type` field: the event's kind, `name` where the class has only one."""
    description = "The kind of event; also the SSE message's `event:` name."
    return Field(description=description) if name is None else Field(name, description=description)


EventColumns = Mapping[str, ColumnElement[Any]]
"""An event's columns built from a changed row: `kind`, `list_id`, `data` (its JSON
object, `json_object`) and, for a move, `from_list_id`."""

ListId = Annotated[uuid.UUID, Field(description="The list the change happened in.")]
MemberName = Annotated[str, Field(description="The member's account name.")]


class Ready(BaseModel):
    """Always the first event. `resumed`: the `Last-Event-ID` was honoured and the events
    missed since follow; false for a fresh start, after which a client refetches what
    it shows (it may have missed changes while it was not connected)."""

    type: Literal["ready"] = event_type("ready")
    resumed: bool = Field(description="The events missed since `Last-Event-ID` follow.")


class Resync(BaseModel):
    """The `Last-Event-ID` could not be resumed (older than the retention window,
    unreadable, or too many events behind): refetch everything shown. Live events
    follow."""

    type: Literal["resync"] = event_type("resync")
    reason: str = Field(description="Why the stream could not resume, in words.")
