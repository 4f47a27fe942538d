"""The tokens domain's tables: plain table classes (statements: `repository.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from app.platform.tables import BaseDAO, utcnow

TOKEN_NAME_MAX = 100
SECRET_HASH_LENGTH = 64  # SHA-256, in hex
HINT_LENGTH = 11  # "mi_pat_" and the secret's first four characters


class AccessToken(BaseDAO, table=True):
    """A personal access token. Only the SHA-256 of its secret is kept: the secret is
    32 random bytes, so a fast hash is enough (nothing to brute-force), and the lookup
    by hash is one index probe."""

    __tablename__ = "access_token"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=TOKEN_NAME_MAX)
    secret_hash: str = Field(max_length=SECRET_HASH_LENGTH, unique=True)
    hint: str = Field(max_length=HINT_LENGTH)  # shown in the list, to tell tokens apart
    can_write: bool
    all_lists: bool
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_used_at: datetime | None = None


class AccessTokenList(BaseDAO, table=True):
    """A list a token for chosen lists reaches. A deleted list leaves its tokens."""

    __tablename__ = "access_token_list"

    token_id: uuid.UUID = Field(foreign_key="access_token.id", primary_key=True, ondelete="CASCADE")
    list_id: uuid.UUID = Field(foreign_key="todo_list.id", primary_key=True, ondelete="CASCADE")
