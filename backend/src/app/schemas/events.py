"""What `GET /events` sends: one Server-Sent Event per change a member can see.

Each event's `data` is one of these objects, its `type` also the SSE `event:` name. The
changes (`todo.*`, `list.*`, `member.*`) are recorded by the services in the same
transaction as the change itself (`app.models.events`); `ready`, `resync` and
`session.ended` are the stream's own.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from app.schemas.lists import Role
from app.schemas.todos import TodoPublic


# Fields several events share, described once.
def event_type(name: str | None = None) -> Any:
    """The `type` field: the event's kind, `name` where the class has only one."""
    description = "The kind of event; also the SSE message's `event:` name."
    return Field(description=description) if name is None else Field(name, description=description)


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


class SessionEnded(BaseModel):
    """The token stopped being good (password changed, signed out everywhere, account
    deleted, expired). The stream ends after this event; reconnecting with the same
    token gets a 401."""

    type: Literal["session.ended"] = event_type("session.ended")
    reason: Literal["revoked", "account_deleted", "expired"] = Field(description="What ended it.")
    token_generation: int | None = Field(
        default=None, description="Tokens issued before this generation no longer work."
    )


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


class ListRenamed(BaseModel):
    """A list has a new name."""

    type: Literal["list.renamed"] = event_type("list.renamed")
    list_id: ListId
    name: str = Field(description="The new name.")


class ListDeleted(BaseModel):
    """A list was deleted, with its todos."""

    type: Literal["list.deleted"] = event_type("list.deleted")
    list_id: ListId


class MemberAdded(BaseModel):
    """`name` became a member (its creator, when a list is new): the members and the new
    member get this; `list_name` is for the new member's list of lists."""

    type: Literal["member.added"] = event_type("member.added")
    list_id: ListId
    list_name: str = Field(description="The list's name.")
    name: MemberName
    role: Role = Field(description="The new member's role.")


class MemberUpdated(BaseModel):
    """A member's role changed."""

    type: Literal["member.updated"] = event_type("member.updated")
    list_id: ListId
    name: MemberName
    role: Role = Field(description="The member's new role.")


class MemberRemoved(BaseModel):
    """`name` is no longer a member. To that member this is the list's last event."""

    type: Literal["member.removed"] = event_type("member.removed")
    list_id: ListId
    name: MemberName


_Change = (
    TodoChanged
    | TodoMoved
    | TodoDeleted
    | ListRenamed
    | ListDeleted
    | MemberAdded
    | MemberUpdated
    | MemberRemoved
)

Recorded = Annotated[_Change | SessionEnded, Field(discriminator="type")]
"""What the services record in the event log: a change, or a session that ended (the
other replicas must close that account's streams too)."""

LiveEvent = Annotated[Ready | Resync | SessionEnded | _Change, Field(discriminator="type")]
"""Everything a stream carries: the recorded events and the stream's own."""
