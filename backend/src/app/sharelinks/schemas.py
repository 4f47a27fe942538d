"""What clients send and get back about share links."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.lists.schemas import ListPublic
from app.platform.fields import examples
from app.todos.schemas import EXAMPLE_LIST_ID

SECRET_MAX = 128  # ours are 43 characters; anything up to this is looked up like any other
MAX_USES_LIMIT = 1000
MAX_EXPIRY_DAYS = 365

LinkRole = Literal["viewer", "editor"]

EXAMPLE_LINK = {
    "id": "0b7e4c1a-6d2f-4f8e-9a35-7c1d2e3f4a5b",
    "list_id": EXAMPLE_LIST_ID,
    "role": "viewer",
    "created_by": "user1",
    "created_at": "2026-12-07T09:00:00Z",
    "expires_at": "2026-12-14T09:00:00Z",
    "max_uses": 3,
    "uses": 1,
}


class ShareLinkCreate(BaseModel):
    """A new share link: the role it gives, and optionally how long it lasts and how
    many accounts it may make members."""

    model_config = examples({"role": "viewer", "expires_in_days": 7, "max_uses": 3})

    role: LinkRole = Field(description="The role an account gets by joining through it.")
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_EXPIRY_DAYS,
        description="Days until it stops working; absent or null: until revoked.",
    )
    max_uses: int | None = Field(
        default=None,
        ge=1,
        le=MAX_USES_LIMIT,
        description="How many accounts may join through it; absent or null: no limit.",
    )


class ShareLinkPublic(BaseModel):
    """A share link as its list's owners see it: never its secret."""

    model_config = examples(EXAMPLE_LINK)

    id: uuid.UUID = Field(description="The link's id.")
    list_id: uuid.UUID = Field(description="The list it joins.")
    role: LinkRole = Field(description="The role it gives.")
    created_by: str | None = Field(
        description="The account name of the owner who made it (null once that account is deleted)."
    )
    created_at: datetime = Field(description="When it was made.")
    expires_at: datetime | None = Field(description="When it stops working; null: never.")
    max_uses: int | None = Field(description="How many may join through it; null: any number.")
    uses: int = Field(description="How many have joined through it.")


class NewShareLink(ShareLinkPublic):
    """A new share link, with its secret: shown this once, never again."""

    model_config = examples(
        {**EXAMPLE_LINK, "uses": 0, "secret": "Zr0mXh3m3nYqQe0f8sJ3kq0H1Zk3T9eXb2QnWc4r5sA"}
    )

    secret: str = Field(
        description="The link's secret (32 random bytes, URL-safe base64): the web app's "
        "link is `/join#<secret>`. Only its hash is stored; it is not shown again."
    )


class ShareLinkJoin(BaseModel):
    """The secret of the link to join through, in the body: a path would put it in
    access logs."""

    model_config = examples({"secret": "Zr0mXh3m3nYqQe0f8sJ3kq0H1Zk3T9eXb2QnWc4r5sA"})

    secret: str = Field(min_length=1, max_length=SECRET_MAX, description="The link's secret.")


class ShareLinkJoined(BaseModel):
    """The list you joined (or were already a member of)."""

    model_config = examples(
        {
            "list": {
                "id": EXAMPLE_LIST_ID,
                "name": "Groceries",
                "role": "viewer",
                "personal": False,
                "created_at": "2026-11-29T09:00:00Z",
            },
            "already_member": False,
        }
    )

    list: ListPublic = Field(description="The list as you now see it.")
    already_member: bool = Field(
        description="You were a member already: your role stayed and the link's uses "
        "did not change."
    )
