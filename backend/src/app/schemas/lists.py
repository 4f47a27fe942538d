"""What clients send and get back about lists and their members."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from app.schemas.fields import LIST_NAME_MAX, ListName


class Role(StrEnum):
    """What a member may do in a list. Each role may do everything the one before it
    may (the order is `app.access`'s to decide)."""

    viewer = "viewer"  # reads the list and its todos
    editor = "editor"  # also creates, changes, completes and deletes todos
    owner = "owner"  # also renames and deletes the list and manages its members


class ListCreate(BaseModel):
    name: ListName = Field(min_length=1, max_length=LIST_NAME_MAX)


class ListRename(BaseModel):
    name: ListName = Field(min_length=1, max_length=LIST_NAME_MAX)


class ListPublic(BaseModel):
    """A list as one of its members sees it: `role` is the caller's own."""

    id: uuid.UUID
    name: str
    role: Role
    personal: bool = Field(description="The caller's own list: never shared, never deleted.")
    created_at: datetime


class MemberRole(BaseModel):
    role: Role


class MemberPublic(BaseModel):
    name: str
    role: Role
