"""What `GET /events` sends: one Server-Sent Event per change a member can see.

Each event's `data` is one of these objects, its `type` also the SSE `event:` name. Each
domain defines its own in its `events` module and records them in the same unit of work
as the change itself (`app.live.log`): `todo.*`, `list.*`, `member.*` and `invitation.*`, and
`session.ended` (accounts); `ready` and `resync` are the stream's own
(`app.live.events`). Here they are gathered, in the order the OpenAPI document lists
them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.accounts.events import SessionEnded
from app.invitations.events import InvitationClosed, InvitationSent, InvitationUpdated
from app.lists.events import ListDeleted, ListRenamed, MemberAdded, MemberRemoved, MemberUpdated
from app.live.events import Ready, Resync
from app.todos.events import TodoChanged, TodoDeleted, TodoMoved

_Change = (
    TodoChanged
    | TodoMoved
    | TodoDeleted
    | ListRenamed
    | ListDeleted
    | MemberAdded
    | MemberUpdated
    | MemberRemoved
    | InvitationSent
    | InvitationUpdated
    | InvitationClosed
)

Recorded = Annotated[_Change | SessionEnded, Field(discriminator="type")]
"""What the services record in the event log: a change, or a session that ended (the
other replicas must close that account's streams too)."""

LiveEvent = Annotated[Ready | Resync | SessionEnded | _Change, Field(discriminator="type")]
"""Everything a stream carries: the recorded events and the stream's own."""
