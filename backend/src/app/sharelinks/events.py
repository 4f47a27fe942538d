"""What share links record in the event log (`app.live.log`).

Each is addressed to each owner of the list, one event each: other members never see a
list's links (`app.live.broker`: a `share_link.*` event goes to the account it is
addressed to, and only to it). Joining through a link records `member.added`, as
accepting an invitation does.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.live.events import event_type
from app.sharelinks.schemas import ShareLinkPublic

KIND_PREFIX = "share_link."


class ShareLinkCreated(BaseModel):
    """An owner made a share link (its secret is never in an event)."""

    type: Literal["share_link.created"] = event_type("share_link.created")
    link: ShareLinkPublic = Field(description="The link, without its secret.")


class ShareLinkRevoked(BaseModel):
    """An owner revoked a share link: it joins nobody any more. Those who joined
    through it stay members."""

    type: Literal["share_link.revoked"] = event_type("share_link.revoked")
    link: ShareLinkPublic = Field(description="The link as it was.")
