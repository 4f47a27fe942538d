"""What clients send and get back about accounts and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import SQLModel

from app.schemas.fields import PASSWORD_MAX, Password, UserName


class UserCreate(SQLModel):
    name: UserName
    password: Password


class UserPublic(SQLModel):
    id: uuid.UUID
    created_at: datetime
    name: str


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=PASSWORD_MAX)
    new_password: Password


class PasswordConfirmation(BaseModel):
    password: str = Field(max_length=PASSWORD_MAX)
