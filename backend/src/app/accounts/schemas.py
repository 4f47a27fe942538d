"""What clients send and get back about accounts and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import SQLModel

from app.platform.fields import PASSWORD_MAX, Password, UserName, examples


class UserCreate(SQLModel):
    """A new account."""

    model_config = examples({"name": "user4", "password": "correct horse battery"})  # type: ignore[assignment]

    name: UserName = Field(description="Letters, digits, `_`, `.` and `-`; unique.")
    password: Password = Field(description="At least 8 characters.")


class UserPublic(SQLModel):
    """An account."""

    model_config = examples(  # type: ignore[assignment]
        {
            "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "created_at": "2026-11-29T09:00:00Z",
            "name": "user4",
        }
    )

    id: uuid.UUID = Field(description="The account's id.")
    created_at: datetime = Field(description="When it was created.")
    name: str = Field(description="The account's name, which others share lists with.")


class Token(SQLModel):
    """A bearer token: send it as `Authorization: Bearer <access_token>`."""

    model_config = examples({"access_token": "eyJhbGciOiJIUzI1NiJ9.…", "token_type": "bearer"})  # type: ignore[assignment]

    access_token: str = Field(description="The token.")
    token_type: str = Field(default="bearer", description='Always "bearer".')


class PasswordChange(BaseModel):
    """A new password, with the current one."""

    model_config = examples(
        {"current_password": "correct horse battery", "new_password": "battery staple horse"}
    )

    current_password: str = Field(max_length=PASSWORD_MAX, description="The password now.")
    new_password: Password = Field(description="At least 8 characters.")


class PasswordConfirmation(BaseModel):
    """The account's password, asked again before a destructive change."""

    model_config = examples({"password": "correct horse battery"})

    password: str = Field(max_length=PASSWORD_MAX, description="The password now.")
