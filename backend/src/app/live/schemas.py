"""What `GET /events` sends: one Server-Sent Event per change a member can see.

Each event's `data` is one of these objects, its `type` also the SSE `event:` name. Each
domain defines its own in its `events` module and records them in the same unit of work
as the change itself (`app.live.log`): `todo.*`, `list.*`, `member.*`, `invitation.*` and
`share_link.*`,
`session.ended` (accounts) and `webhook.disabled` (webhooks); `ready` and `resync` are
the stream's own (`app.live.events`). Here they are gathered, in the order the OpenAPI
document lists them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.accounts.events import SessionEnded
from app.invitations.events import InvitationClosed, InvitationSent, InvitationUpdated
from app.lists.events import ListDeleted, ListRenamed, MemberAdded, MemberRemoved, MemberUpdated
from app.live.events import Ready, Resync
from app.sharelinks.events import ShareLinkCreated, ShareLinkRevoked
from app.todos.events import TodoChanged, TodoDeleted, TodoMoved
from app.webhooks.events import WebhookDisabled

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
    | ShareLinkCreated
    | ShareLinkRevoked
)

ListChange = _Change
"""A change a list's members are told of: also what a webhook may deliver."""

Recorded = Annotated[_Change | SessionEnded | WebhookDisabled, Field(discriminator="type")]
"""What the services record in the event log: a change, a session that ended (the
other replicas must close that account's streams too), or a notice to one account
(`webhook.disabled`)."""

LiveEvent = Annotated[
    Ready | Resync | SessionEnded | _Change | WebhookDisabled, Field(discriminator="type")
]
"""Everything a stream carries: the recorded events and the stream's own."""
