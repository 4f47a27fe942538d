"""What clients send and get back about invitations and blocks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.access import Role
from app.platform.fields import examples
from app.todos.schemas import EXAMPLE_LIST_ID

EXAMPLE_INVITATION = {
    "id": "3f1c2b9e-8a47-4d0e-b5b1-2e6f0c9a7d13",
    "list_id": EXAMPLE_LIST_ID,
    "list_name": "Groceries",
    "name": "user2",
    "role": "editor",
    "invited_by": "user1",
    "created_at": "2026-12-07T09:00:00Z",
    "expires_at": "2026-12-21T09:00:00Z",
}


class InvitationPublic(BaseModel):
    """An open invitation to a list: in the invitee's inbox, and among the list's
    pending invitations for its owners."""

    model_config = examples(EXAMPLE_INVITATION)

    id: uuid.UUID = Field(description="The invitation's id.")
    list_id: uuid.UUID = Field(description="The list it invites to.")
    list_name: str = Field(description="The list's name.")
    name: str = Field(description="The invitee's account name.")
    role: Role = Field(description="The role the invitee gets on accepting.")
    invited_by: str = Field(description="The account name of the owner who invited.")
    created_at: datetime = Field(description="When it was sent.")
    expires_at: datetime = Field(description="After this it can no longer be accepted.")


class InvitationRole(BaseModel):
    """The role an open invitation offers."""

    model_config = examples({"role": "viewer"})

    role: Role = Field(description="The role the invitee gets on accepting.")


class BlockPublic(BaseModel):
    """An account you blocked: its invitations never reach you."""

    model_config = examples({"name": "user3", "created_at": "2026-12-07T09:00:00Z"})

    name: str = Field(description="The blocked account's name.")
    created_at: datetime = Field(description="When you blocked it.")


Outcome = Literal["accepted", "declined", "cancelled"]
