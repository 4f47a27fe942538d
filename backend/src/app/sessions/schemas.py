"""What clients send and get back about sessions (signed-in devices)."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from app.platform.errors import InvalidCursorError
from app.platform.fields import examples

MAX_PAGE = 50  # as many as an account may have live (`MAX_SESSIONS`)
DEFAULT_PAGE = 20
EXAMPLE_SESSION = {
    "id": "5d0c2f4e-8a1b-4c3d-9e7f-0a1b2c3d4e5f",
    "device": "Firefox 133 on Ubuntu",
    "address": "203.0.113.7",
    "created_at": "2026-12-07T09:00:00Z",
    "last_seen_at": "2026-12-07T09:30:00Z",
    "expires_at": "2027-01-06T09:00:00Z",
    "current": True,
}


class InvalidSessionCursorError(InvalidCursorError):
    detail = "The pagination cursor is not valid; use `next_cursor` of the previous page"


@dataclass(frozen=True, slots=True)
class SessionCursor:
    """Where a page of sessions ended, opaque to clients: the (created_at, id) of its
    last row, newest first."""

    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id.hex}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> SessionCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            created_at, session_id = raw.split("|")
            when = datetime.fromisoformat(created_at)
            if when.tzinfo is None:
                raise InvalidSessionCursorError
            return cls(created_at=when.astimezone(UTC), id=uuid.UUID(hex=session_id))
        except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as exc:
            raise InvalidSessionCursorError from exc


class SessionPublic(BaseModel):
    """A signed-in device: one log-in, until it signs out, is signed out or expires."""

    model_config = examples(EXAMPLE_SESSION)

    id: uuid.UUID = Field(description="Names it in `DELETE /me/sessions/{session_id}`.")
    device: str = Field(description="Browser and system, from the log-in's User-Agent.")
    address: str = Field(description="The address the log-in came from.")
    created_at: datetime = Field(description="When it logged in.")
    last_seen_at: datetime = Field(
        description="When it was last used, to within five minutes (not every request "
        "is written down)."
    )
    expires_at: datetime = Field(description="When it ends at the latest, used or not.")
    current: bool = Field(description="Whether this is the session the request came from.")


class SessionPage(BaseModel):
    """One page of signed-in devices, newest first."""

    model_config = examples(
        {"items": [EXAMPLE_SESSION], "next_cursor": "MjAyNi0xMi0wN1QwOTowMDowMCswMDowMHw1ZDBj"}
    )

    items: list[SessionPublic] = Field(description="The devices on this page.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
