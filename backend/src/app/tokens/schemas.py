"""What clients send and get back about personal access tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.platform.fields import ListName, examples
from app.todos.schemas import EXAMPLE_LIST_ID
from app.tokens.tables import TOKEN_NAME_MAX

MAX_TOKEN_DAYS = 366
MAX_TOKEN_LISTS = 100
EXAMPLE_TOKEN = {
    "id": "0b5e7f3c-62a1-4a57-9a49-7c1d5d0b8e21",
    "name": "backup script",
    "hint": "mi_pat_Xk3q",
    "access": "read",
    "list_ids": [EXAMPLE_LIST_ID],
    "created_at": "2026-12-07T09:00:00Z",
    "expires_at": "2027-01-06T09:00:00Z",
    "last_used_at": "2026-12-07T09:30:00Z",
}

Access = Literal["read", "read-write"]


class TokenCreate(BaseModel):
    """A new personal access token."""

    model_config = examples(
        {"name": "backup script", "access": "read", "expires_in_days": 30},
        {
            "name": "groceries bot",
            "access": "read-write",
            "list_ids": [EXAMPLE_LIST_ID],
            "expires_in_days": 7,
        },
    )

    name: ListName = Field(
        min_length=1, max_length=TOKEN_NAME_MAX, description="What it is for, to recognise it."
    )
    access: Access = Field(description="`read`, or `read-write` to change todos and lists too.")
    list_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=MAX_TOKEN_LISTS,
        description="The lists it reaches (you must be a member of each); null for all "
        "your lists, present and future.",
    )
    expires_in_days: int = Field(
        ge=1, le=MAX_TOKEN_DAYS, description=f"Days until it stops working (1 to {MAX_TOKEN_DAYS})."
    )


class TokenPublic(BaseModel):
    """A personal access token, as its owner sees it: never its secret."""

    model_config = examples(EXAMPLE_TOKEN)

    id: uuid.UUID = Field(description="The token's id, to revoke it.")
    name: str = Field(description="What it is for.")
    hint: str = Field(description="The secret's first characters, to tell tokens apart.")
    access: Access = Field(description="`read` or `read-write`.")
    list_ids: list[uuid.UUID] | None = Field(
        description="The lists it reaches, or null for all (a deleted list drops out)."
    )
    created_at: datetime = Field(description="When it was created.")
    expires_at: datetime = Field(description="When it stops working.")
    last_used_at: datetime | None = Field(
        description="When it was last used (to the minute), or null if never."
    )


class TokenCreated(TokenPublic):
    """A new token, with its secret: shown this once, never again."""

    model_config = examples({**EXAMPLE_TOKEN, "secret": "mi_pat_Xk3q…"})

    secret: str = Field(description="Send it as `Authorization: Bearer <secret>`. Shown once.")
