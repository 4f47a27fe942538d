"""What `GET /events` sends: one Server-Sent Event per change a member can see.

Each event's `data` is one of these objects, its `type` also the SSE `event:` name. The
changes (`todo.*`, `list.*`, `member.*`) are recorded by the services in the same
transaction as the change itself (`app.models.events`); `ready`, `resync` and
`session.ended` are the stream's own.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.schemas.lists import Role
from app.schemas.todos import TodoPublic


class Ready(BaseModel):
    """Always the first event. `resumed`: the `Last-Event-ID` was honoured and the events
    missed since follow; false for a fresh start, after which a client refetches what
    it shows (it may have missed changes while it was not connected)."""

    type: Literal["ready"] = "ready"
    resumed: bool


class Resync(BaseModel):
    """The `Last-Event-ID` could not be resumed (older than the retention window,
    unreadable, or too many events behind): refetch everything shown. Live events
    follow."""

    type: Literal["resync"] = "resync"
    reason: str


class SessionEnded(BaseModel):
    """The token stopped being good (password changed, signed out everywhere, account
    deleted, expired). The stream ends after this event; reconnecting with the same
    token gets a 401."""

    type: Literal["session.ended"] = "session.ended"
    reason: Literal["revoked", "account_deleted", "expired"]
    token_generation: int | None = Field(
        default=None, description="Tokens issued before this generation no longer work."
    )


class TodoChanged(BaseModel):
    """A todo was created, or changed in any way (completion included): `todo` is its
    new state, `todo.version` one more than before."""

    type: Literal["todo.created", "todo.updated"]
    list_id: uuid.UUID
    todo: TodoPublic


class TodoMoved(BaseModel):
    """A todo moved from `from_list_id` to `list_id`; members of either list get this."""

    type: Literal["todo.moved"] = "todo.moved"
    list_id: uuid.UUID
    from_list_id: uuid.UUID
    todo: TodoPublic


class TodoDeleted(BaseModel):
    type: Literal["todo.deleted"] = "todo.deleted"
    list_id: uuid.UUID
    todo_id: uuid.UUID
    version: int = Field(description="The last version the todo had.")


class ListRenamed(BaseModel):
    type: Literal["list.renamed"] = "list.renamed"
    list_id: uuid.UUID
    name: str


class ListDeleted(BaseModel):
    type: Literal["list.deleted"] = "list.deleted"
    list_id: uuid.UUID


class MemberAdded(BaseModel):
    """`name` became a member (its creator, when a list is new): the members and the new
    member get this; `list_name` is for the new member's list of lists."""

    type: Literal["member.added"] = "member.added"
    list_id: uuid.UUID
    list_name: str
    name: str
    role: Role


class MemberUpdated(BaseModel):
    type: Literal["member.updated"] = "member.updated"
    list_id: uuid.UUID
    name: str
    role: Role


class MemberRemoved(BaseModel):
    """`name` is no longer a member. To that member this is the list's last event."""

    type: Literal["member.removed"] = "member.removed"
    list_id: uuid.UUID
    name: str


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
