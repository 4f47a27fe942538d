"""Tables, API shapes and DAOs.

Every SQL statement the app runs lives in a classmethod on a `*DAO` class, taking
the session first. Routes call these methods inside `Database.read/write` and never
build statements, which is what lets unit tests swap in fake DAOs.

Shapes follow one pattern: `TodoBase` holds the fields the API and the table share;
`TodoCreate` / `TodoUpdate` are what clients send, `TodoDAO` is the table and
`TodoPublic` is what clients get back.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, NoReturn

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator
from sqlalchemy import (
    Column,
    Index,
    Table,
    Text,
    Uuid,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col
from sqlmodel.sql.sqltypes import UTCDateTime

from app.errors import (
    InvalidCursorError,
    NameTakenError,
    PreconditionFailedError,
    RetryTransactionError,
    TodoNotFoundError,
    UnknownUserError,
)

# Deterministic constraint names, so Alembic can drop and alter what it created.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

NAME_MAX = 64
PASSWORD_MAX = 128
TITLE_MAX = 200
CONTENT_MAX = 10_000
IDEMPOTENCY_KEY_MAX = 255


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- field types shared by the API shapes -------------------------------------------


def _storable(value: str) -> str:
    """Refuse text no database can store faithfully: NUL bytes and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


UserName = Annotated[
    str,
    StringConstraints(min_length=3, max_length=NAME_MAX, pattern=r"^[A-Za-z0-9_.-]+$"),
]
Password = Annotated[
    str, StringConstraints(min_length=8, max_length=PASSWORD_MAX), AfterValidator(_storable)
]
Title = Annotated[str, AfterValidator(_storable), AfterValidator(_not_blank)]
Content = Annotated[str, AfterValidator(_storable)]


class BaseDAO(SQLModel):
    """Base of every table; `BaseDAO.metadata` is what Alembic compares against."""


# --- users ----------------------------------------------------------------------------


class UserDAO(BaseDAO, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    name: str = Field(max_length=NAME_MAX, unique=True)
    password_hash: str = Field(max_length=255)

    @classmethod
    async def get(cls, session: AsyncSession, user_id: uuid.UUID) -> UserDAO | None:
        return await session.get(cls, user_id)

    @classmethod
    async def get_by_name(cls, session: AsyncSession, name: str) -> UserDAO | None:
        result = await session.scalars(select(cls).where(col(cls.name) == name))
        return result.one_or_none()

    @classmethod
    async def create(cls, session: AsyncSession, *, name: str, password_hash: str) -> UserDAO:
        if await cls.get_by_name(session, name) is not None:
            raise NameTakenError
        user = cls(name=name, password_hash=password_hash)
        session.add(user)
        try:
            await session.flush()
        except IntegrityError as exc:  # a concurrent signup won the race
            raise NameTakenError from exc
        return user


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


# --- todos ----------------------------------------------------------------------------


class TodoBase(SQLModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    content: str = Field(default="", max_length=CONTENT_MAX, sa_type=Text)
    completed: bool = False


class TodoDAO(TodoBase, BaseDAO, table=True):
    __tablename__ = "todo"
    __table_args__ = (
        # The list query: one owner's todos in (created_at, id) order, optionally
        # filtered by `completed`. Each index makes its variant a range scan.
        Index("ix_todo_owner_id_created_at_id", "owner_id", "created_at", "id"),
        Index(
            "ix_todo_owner_id_completed_created_at_id", "owner_id", "completed", "created_at", "id"
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=0, description="Counts the updates since creation.")

    # Todo statements are Core statements on the table, returning the public columns
    # straight into `TodoPublic`: the hot paths skip the ORM's identity map and unit of
    # work, which cost more than the query itself for a 50-row page.

    @classmethod
    def _table(cls) -> Table:
        table: Table = cls.__table__  # type: ignore[attr-defined]
        return table

    @classmethod
    def _public_columns(cls) -> list[Column[Any]]:
        columns = cls._table().c
        return [columns[name] for name in TodoPublic.model_fields]

    @classmethod
    async def list_for_owner(
        cls,
        session: AsyncSession,
        owner_id: uuid.UUID,
        *,
        completed: bool | None = None,
        after: TodoCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]:
        todo = cls._table().c
        query = select(*cls._public_columns()).where(todo.owner_id == owner_id)
        if completed is not None:
            query = query.where(todo.completed == completed)
        if after is not None:
            position = tuple_(literal(after.created_at, UTCDateTime()), literal(after.id, Uuid()))
            query = query.where(tuple_(todo.created_at, todo.id) > position)
        query = query.order_by(todo.created_at, todo.id).limit(limit)
        return [TodoPublic.model_validate(row) for row in await session.execute(query)]

    @classmethod
    async def get_for_owner(
        cls, session: AsyncSession, owner_id: uuid.UUID, todo_id: uuid.UUID
    ) -> TodoPublic:
        todo = cls._table().c
        query = select(*cls._public_columns()).where(todo.id == todo_id, todo.owner_id == owner_id)
        row = (await session.execute(query)).one_or_none()
        if row is None:
            raise TodoNotFoundError
        return TodoPublic.model_validate(row)

    @classmethod
    async def create(
        cls, session: AsyncSession, owner_id: uuid.UUID, data: TodoCreate
    ) -> TodoPublic:
        now = utcnow()
        values = {
            "id": uuid.uuid4(),
            "owner_id": owner_id,
            "created_at": now,
            "updated_at": now,
            "version": 0,
            **data.model_dump(),
        }
        try:
            await session.execute(insert(cls._table()).values(values))
        except IntegrityError as exc:  # the owner was deleted while the token lived
            raise UnknownUserError from exc
        return TodoPublic.model_validate(values)

    @classmethod
    async def update(
        cls,
        session: AsyncSession,
        owner_id: uuid.UUID,
        todo_id: uuid.UUID,
        changes: TodoUpdate,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoPublic:
        """One UPDATE ... RETURNING: the version check and the write are atomic."""
        todo = cls._table().c
        statement = (
            update(cls._table())
            .where(todo.id == todo_id, todo.owner_id == owner_id)
            .values(
                **changes.model_dump(exclude_unset=True),
                version=todo.version + 1,
                updated_at=utcnow(),
            )
            .returning(*cls._public_columns())
        )
        if if_version is not None:
            statement = statement.where(todo.version.in_(if_version))
        row = (await session.execute(statement)).one_or_none()
        if row is None:
            await cls._raise_missing_or_stale(session, owner_id, todo_id)
        return TodoPublic.model_validate(row)

    @classmethod
    async def delete(
        cls,
        session: AsyncSession,
        owner_id: uuid.UUID,
        todo_id: uuid.UUID,
        *,
        if_version: Collection[int] | None = None,
    ) -> None:
        todo = cls._table().c
        statement = (
            delete(cls._table())
            .where(todo.id == todo_id, todo.owner_id == owner_id)
            .returning(todo.id)
        )
        if if_version is not None:
            statement = statement.where(todo.version.in_(if_version))
        if (await session.execute(statement)).first() is None:
            await cls._raise_missing_or_stale(session, owner_id, todo_id)

    @classmethod
    async def delete_completed(cls, session: AsyncSession, owner_id: uuid.UUID) -> int:
        todo = cls._table().c
        statement = (
            delete(cls._table())
            .where(todo.owner_id == owner_id, todo.completed.is_(True))
            .returning(todo.id)
        )
        return len((await session.execute(statement)).all())

    @classmethod
    async def stats(cls, session: AsyncSession, owner_id: uuid.UUID) -> TodoStats:
        todo = cls._table().c
        query = (
            select(todo.completed, func.count())
            .where(todo.owner_id == owner_id)
            .group_by(todo.completed)
        )
        counts = {completed: count for completed, count in await session.execute(query)}
        active, done = counts.get(False, 0), counts.get(True, 0)
        return TodoStats(total=active + done, active=active, completed=done)

    @classmethod
    async def exists_with_title(
        cls, session: AsyncSession, owner_id: uuid.UUID, title: str
    ) -> bool:
        todo = cls._table().c
        query = select(todo.id).where(todo.owner_id == owner_id, todo.title == title).limit(1)
        return (await session.execute(query)).first() is not None

    @classmethod
    async def _raise_missing_or_stale(
        cls, session: AsyncSession, owner_id: uuid.UUID, todo_id: uuid.UUID
    ) -> NoReturn:
        await cls.get_for_owner(session, owner_id, todo_id)  # raises 404 when missing
        raise PreconditionFailedError


class TodoCreate(TodoBase):
    title: Title = Field(min_length=1, max_length=TITLE_MAX)
    content: Content = Field(default="", max_length=CONTENT_MAX)


class TodoUpdate(SQLModel):
    """Partial update: only the fields present in the body change."""

    title: Title | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    content: Content | None = Field(default=None, max_length=CONTENT_MAX)
    completed: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> TodoUpdate:
        nulls = [name for name in self.model_fields_set if getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} must not be null")
        return self


class TodoPublic(BaseModel):
    """A todo as clients see it (a plain Pydantic model: validated in Rust, fast)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    title: str
    content: str
    completed: bool
    version: int


class TodoStats(BaseModel):
    total: int
    active: int
    completed: int


class DeletedCount(BaseModel):
    deleted: int


@dataclass(frozen=True)
class TodoCursor:
    """A position in the (created_at, id) order, opaque to clients."""

    created_at: datetime
    id: uuid.UUID

    @classmethod
    def after(cls, todo: TodoPublic) -> TodoCursor:
        return cls(created_at=todo.created_at, id=todo.id)

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id.hex}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> TodoCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            created_at, todo_id = raw.split("|")
            parsed = cls(created_at=datetime.fromisoformat(created_at), id=uuid.UUID(hex=todo_id))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise InvalidCursorError from exc
        if parsed.created_at.tzinfo is None:
            raise InvalidCursorError
        return parsed


# --- idempotency keys -----------------------------------------------------------------


class IdempotencyKeyDAO(BaseDAO, table=True):
    """The response a create produced, replayed when the client retries with its key."""

    __tablename__ = "idempotency_key"

    owner_id: uuid.UUID = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    key: str = Field(primary_key=True, max_length=IDEMPOTENCY_KEY_MAX)
    request_hash: str = Field(max_length=64)
    response_body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)

    @classmethod
    async def get(
        cls, session: AsyncSession, owner_id: uuid.UUID, key: str
    ) -> IdempotencyKeyDAO | None:
        return await session.get(cls, (owner_id, key))

    @classmethod
    async def record(
        cls,
        session: AsyncSession,
        *,
        owner_id: uuid.UUID,
        key: str,
        request_hash: str,
        response_body: str,
    ) -> None:
        session.add(
            cls(owner_id=owner_id, key=key, request_hash=request_hash, response_body=response_body)
        )
        try:
            await session.flush()
        except IntegrityError as exc:
            # A concurrent request with the same key committed first: run again,
            # and the next attempt replays its response.
            raise RetryTransactionError from exc
