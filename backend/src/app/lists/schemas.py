"""What clients send and get back about lists and their members."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.access import Role
from app.platform.fields import LIST_NAME_MAX, ListName, examples
from app.todos.schemas import EXAMPLE_LIST_ID

LIST_NAME_DESCRIPTION = "One line: something visible, no NUL."


class ListCreate(BaseModel):
    """A new list."""

    model_config = examples({"name": "Groceries"})

    name: ListName = Field(
        min_length=1, max_length=LIST_NAME_MAX, description=LIST_NAME_DESCRIPTION
    )


class ListRename(BaseModel):
    """A list's new name."""

    model_config = examples({"name": "Weekend groceries"})

    name: ListName = Field(
        min_length=1, max_length=LIST_NAME_MAX, description=LIST_NAME_DESCRIPTION
    )


class ListPublic(BaseModel):
    """A list as one of its members sees it."""

    model_config = examples(
        {
            "id": EXAMPLE_LIST_ID,
            "name": "Groceries",
            "role": "owner",
            "personal": False,
            "created_at": "2026-11-29T09:00:00Z",
        }
    )

    id: uuid.UUID = Field(description="The list's id, for `/lists/{list_id}`.")
    name: str = Field(description="What its members call it.")
    role: Role = Field(description="Your role in it.")
    personal: bool = Field(description="Your own list: never shared, never deleted.")
    created_at: datetime = Field(description="When it was created.")


class MemberRole(BaseModel):
    """The role to give a member."""

    model_config = examples({"role": "editor"})

    role: Role = Field(description="What the member may do.")


class MemberPublic(BaseModel):
    """A member of a list."""

    model_config = examples({"name": "user2", "role": "editor"})

    name: str = Field(description="The member's account name.")
    role: Role = Field(description="What the member may do.")
