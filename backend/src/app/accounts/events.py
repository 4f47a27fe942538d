"""What the accounts domain records in the event log (`app.live.log`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.live.events import event_type


class SessionEnded(BaseModel):
    """The token stopped being good (password changed, signed out everywhere, account
    deleted, expired). The stream ends after this event; reconnecting with the same
    token gets a 401."""

    type: Literal["session.ended"] = event_type("session.ended")
    reason: Literal["revoked", "account_deleted", "expired"] = Field(description="What ended it.")
    token_generation: int | None = Field(
        default=None, description="Tokens issued before this generation no longer work."
    )
