"""What invitations record in the event log (`app.live.log`).

Each is addressed to one account (`NewEvent.user_id`): the invitee, and each owner of
the list, one event each; the list's other members never see them (`app.live.broker`:
an `invitation.*` event goes to the account it is addressed to, and only to it). An
invitation whose invitee blocked the inviter is never addressed to the invitee.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.invitations.schemas import InvitationPublic, Outcome
from app.live.events import event_type

KIND_PREFIX = "invitation."


class InvitationSent(BaseModel):
    """An invitation was sent: to the invitee, a new entry in the inbox; to the owners,
    a new pending invitation of their list."""

    type: Literal["invitation.sent"] = event_type("invitation.sent")
    invitation: InvitationPublic = Field(description="The invitation.")


class InvitationUpdated(BaseModel):
    """An owner changed the role an open invitation offers."""

    type: Literal["invitation.updated"] = event_type("invitation.updated")
    invitation: InvitationPublic = Field(description="The invitation, with its new role.")


class InvitationClosed(BaseModel):
    """An invitation is no longer open: accepted or declined by the invitee, or
    cancelled by an owner. (One that expires closes without an event.)"""

    type: Literal["invitation.closed"] = event_type("invitation.closed")
    invitation: InvitationPublic = Field(description="The invitation as it was when open.")
    outcome: Outcome = Field(description="How it closed.")
