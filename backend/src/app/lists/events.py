"""What a change to a list or its members records in the event log (`app.live.log`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.access import Role
from app.live.events import ListId, MemberName, event_type


class ListRenamed(BaseModel):
    """A list has a new name."""

    type: Literal["list.renamed"] = event_type("list.renamed")
    list_id: ListId
    name: str = Field(description="The new name.")


class ListDeleted(BaseModel):
    """A list was deleted, with its todos."""

    type: Literal["list.deleted"] = event_type("list.deleted")
    list_id: ListId


class MemberAdded(BaseModel):
    """`name` became a member (its creator, when a list is new): the members and the new
    member get this; `list_name` is for the new member's list of lists."""

    type: Literal["member.added"] = event_type("member.added")
    list_id: ListId
    list_name: str = Field(description="The list's name.")
    name: MemberName
    role: Role = Field(description="The new member's role.")


class MemberUpdated(BaseModel):
    """A member's role changed."""

    type: Literal["member.updated"] = event_type("member.updated")
    list_id: ListId
    name: MemberName
    role: Role = Field(description="The member's new role.")


class MemberRemoved(BaseModel):
    """`name` is no longer a member. To that member this is the list's last event."""

    type: Literal["member.removed"] = event_type("member.removed")
    list_id: ListId
    name: MemberName
