"""What the accounts domain records in the event log (`app.live.log`)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from app.live.events import event_type


class SessionEnded(BaseModel):
    """The token stopped being good (signed out, signed out from another device, the
    password changed on another device, signed out everywhere, account deleted,
    expired). The stream ends after this event; reconnecting with the same token gets
    a 401. Which streams it ends: those of `session_id` if set; else all but
    `kept_session_id`'s if that is set; else all of the account's log-ins issued before
    `token_generation`, or all of them."""

    type: Literal["session.ended"] = event_type("session.ended")
    reason: Literal["revoked", "account_deleted", "expired"] = Field(description="What ended it.")
    token_generation: int | None = Field(
        default=None, description="Tokens issued before this generation no longer work."
    )
    session_id: uuid.UUID | None = Field(
        default=None, description="Only this session (signed-in device) ended."
    )
    kept_session_id: uuid.UUID | None = Field(
        default=None, description="Every session of the account but this one ended."
    )
