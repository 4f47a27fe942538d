"""The invitations domain's tables: plain table classes (statements: `repository.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field

from app.platform.tables import BaseDAO, utcnow

STATUS_MAX = 9  # "cancelled"


class Invitation(BaseDAO, table=True):
    """An offer of a role in a list to one account, open until the invitee accepts or
    declines it, an owner cancels it, or it expires. One row per list and invitee:
    inviting again replaces the row (with a new id, so an old id never reopens)."""

    __tablename__ = "invitation"
    __table_args__ = (
        CheckConstraint("role IN ('viewer', 'editor', 'owner')", name="role"),
        CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'cancelled')", name="status"
        ),
        UniqueConstraint("list_id", "invitee_id"),
        # The inbox: an account's invitations.
        Index("ix_invitation_invitee_id_status", "invitee_id", "status"),
        # The hourly limit: what an account sent lately.
        Index("ix_invitation_inviter_id_created_at", "inviter_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    list_id: uuid.UUID = Field(foreign_key="todo_list.id", ondelete="CASCADE")
    invitee_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    inviter_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    role: str = Field(max_length=8)
    status: str = Field(max_length=STATUS_MAX)
    # Sent while the invitee blocked the inviter (or blocked later): never in the inbox,
    # never streamed to the invitee; the inviter is not told.
    hidden: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class AccountBlock(BaseDAO, table=True):
    """`blocker_id` blocked `blocked_id`: no invitation from them reaches the blocker."""

    __tablename__ = "account_block"

    blocker_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    blocked_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
