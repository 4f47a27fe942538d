"""Tables, API shapes and DAOs.

Every SQL statement the app runs lives in a classmethod on a `*DAO` class, taking the
connection first. Routes call these methods inside `Database.read/write` and never build
statements, which is what lets unit tests swap in fake DAOs.

Shapes follow one pattern: `TodoBase` holds the fields the API and the table share;
`TodoCreate` / `TodoUpdate` are what clients send, `TodoDAO` is the table and
`TodoPublic` is what clients get back.

The DAOs run Core statements (SQLAlchemy's SQL expression language) on the SQLModel
tables, and each statement is built once, on first use, by a cached function with bind
parameters: building and cache-keying a statement costs more than running it. Rows come
back straight into the response shapes, without the ORM's identity map.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any, NoReturn, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)
from sqlalchemy import (
    Column,
    Delete,
    Index,
    Insert,
    Integer,
    ScalarSelect,
    Select,
    Table,
    Text,
    Update,
    Uuid,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.sql.dml import ReturningDelete, ReturningUpdate
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from app.core.security import Caller
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
THROTTLE_KEY_MAX = 200
VERSION_MAX = 2**31 - 1  # `todo.version` is a 32-bit INTEGER on every engine


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


# What a title may not consist of alone: characters that show nothing. Whitespace as
# Python defines it and as JSON Schema's (ECMAScript) regexes do (the two differ:
# U+001C-U+001F, U+0085, U+FEFF), control characters, and the invisible format
# characters of the Basic Multilingual Plane (zero-width spaces and joiners,
# direction marks, word joiners, variation selectors, Hangul fillers). The server and
# the documented pattern spell out this one set, so they agree on every string.
_INVISIBLE = (
    r"\u0001-\u0020\u007f-\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5"
    r"\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164"
    r"\ufe00-\ufe0f\ufeff\uffa0"
)
_VISIBLE_NOT_NUL = rf"[^{_INVISIBLE}\u0000]"
_VISIBLE = re.compile(_VISIBLE_NOT_NUL)


def _not_blank(value: str) -> str:
    if not _VISIBLE.search(value):
        raise ValueError("must contain a visible character")
    return value


UserName = Annotated[
    str,
    StringConstraints(min_length=3, max_length=NAME_MAX, pattern=r"^[A-Za-z0-9_.-]+$"),
]
Password = Annotated[
    str,
    StringConstraints(min_length=8, max_length=PASSWORD_MAX),
    AfterValidator(_storable),
    WithJsonSchema(
        {"type": "string", "minLength": 8, "maxLength": PASSWORD_MAX, "pattern": r"^[^\u0000]*$"}
    ),
]
# The schema says what the validators enforce, so generated clients and fuzzers agree.
Title = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_not_blank),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": TITLE_MAX,
            "pattern": rf"^[^\u0000]*{_VISIBLE_NOT_NUL}[^\u0000]*$",  # something visible, no NUL
        }
    ),
]
Content = Annotated[
    str,
    AfterValidator(_storable),
    WithJsonSchema({"type": "string", "maxLength": CONTENT_MAX, "pattern": r"^[^\u0000]*$"}),
]


class BaseDAO(SQLModel):
    """Base of every table; `BaseDAO.metadata` is what Alembic compares against."""


# --- users ----------------------------------------------------------------------------


class UserDAO(BaseDAO, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    name: str = Field(max_length=NAME_MAX)  # as its owner typed it, shown as typed
    # What makes a name taken: `Bob` and `bob` are one name, so nobody can pass for
    # someone else by case. (Names are ASCII, where lower() is the whole story.)
    name_key: str = Field(max_length=NAME_MAX, unique=True)
    password_hash: str = Field(max_length=255)
    # Bumped to revoke every token issued before; tokens carry the value they were
    # issued with, and every statement run for a caller checks it (`_live_owner_id`).
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    def as_caller(self) -> Caller:
        """This user as their current tokens name them (for code that acts on their
        behalf without a token: the demo seed, tests, notebooks)."""
        return Caller(self.id, self.token_generation)

    @classmethod
    async def get_for_caller(cls, conn: AsyncConnection, caller: Caller) -> UserDAO:
        """The caller's account; UnknownUserError (401) once it is deleted or the
        caller's token revoked."""
        row = (await conn.execute(_select_live_user(), _caller_params(caller))).one_or_none()
        if row is None:
            raise UnknownUserError
        return cls(**row._mapping)

    @classmethod
    async def get_by_name(cls, conn: AsyncConnection, name: str) -> UserDAO | None:
        """The account of `name`, whatever its case."""
        params = {"name_key": name_key_of(name)}
        row = (await conn.execute(_select_user_by_name(), params)).one_or_none()
        return None if row is None else cls(**row._mapping)

    @classmethod
    async def create(cls, conn: AsyncConnection, *, name: str, password_hash: str) -> UserDAO:
        if await cls.get_by_name(conn, name) is not None:
            raise NameTakenError
        user = cls(
            id=uuid.uuid4(),
            created_at=utcnow(),
            name=name,
            name_key=name_key_of(name),
            password_hash=password_hash,
        )
        try:
            await conn.execute(_insert_into("users"), user.model_dump())
        except IntegrityError as exc:  # a concurrent signup won the race
            raise NameTakenError from exc
        return user

    @classmethod
    async def revoke_tokens(
        cls, conn: AsyncConnection, caller: Caller, *, new_password_hash: str | None = None
    ) -> int:
        """Bump the token generation, optionally with a new password: every token issued
        before, the caller's included, stops working. Returns the new generation."""
        statement = _bump_token_generation(with_password=new_password_hash is not None)
        params = {**_caller_params(caller), "new_password_hash": new_password_hash}
        row = (await conn.execute(statement, params)).one_or_none()
        if row is None:
            raise UnknownUserError
        generation: int = row.token_generation
        return generation

    @classmethod
    async def delete(cls, conn: AsyncConnection, caller: Caller) -> str:
        """Delete the account with everything it owns, in the caller's transaction (so
        all of it goes or none). The foreign keys cascade too; deleting explicitly keeps
        this true on any engine and says what goes. Returns the deleted name."""
        params = _caller_params(caller)
        await conn.execute(_delete_owned("todo"), params)
        await conn.execute(_delete_owned("idempotency_key"), params)
        row = (await conn.execute(_delete_live_user(), params)).one_or_none()
        if row is None:  # already gone, or the token was revoked: nothing was deleted
            raise UnknownUserError
        name: str = row.name
        return name


def name_key_of(name: str) -> str:
    """The form in which two names are the same name."""
    return name.lower()


def _caller_params(caller: Caller) -> dict[str, Any]:
    """Bind values for `_live_owner_id()`, which every caller-scoped statement uses."""
    return {"owner": caller.user_id, "generation": caller.token_generation}


def _is_live_user(users: ReadOnlyColumnCollection[str, Column[Any]]) -> ColumnElement[bool]:
    return and_(users.id == bindparam("owner"), users.token_generation == bindparam("generation"))


@cache
def _live_owner_id() -> ScalarSelect[Any]:
    """The caller's id while their account exists and their token generation is
    current, else NULL. Owned rows are matched against this rather than the bare id, so
    a revoked token sees nothing, changes nothing, and costs no extra round trip."""
    users = _table("users").c
    return select(users.id).where(_is_live_user(users)).scalar_subquery()


@cache
def _select_live_user() -> Select[Any]:
    users = _table("users")
    return select(users).where(_is_live_user(users.c))


@cache
def _bump_token_generation(*, with_password: bool) -> ReturningUpdate[Any]:
    users = _table("users")
    values: dict[str, Any] = {"token_generation": users.c.token_generation + 1}
    if with_password:
        values["password_hash"] = bindparam("new_password_hash")
    statement = update(users).where(_is_live_user(users.c)).values(**values)
    return statement.returning(users.c.token_generation)


OwnedStatement = TypeVar("OwnedStatement", Select[Any], Update, Delete)


def _owned(statement: OwnedStatement, table: str = "todo") -> OwnedStatement:
    """Scope a statement on an owned table (`todo`, `idempotency_key`) to its live
    owner: every statement on those tables goes through here."""
    return statement.where(_table(table).c.owner_id == _live_owner_id())


@cache
def _delete_owned(table: str) -> Delete:
    return _owned(delete(_table(table)), table)


@cache
def _delete_live_user() -> ReturningDelete[Any]:
    users = _table("users")
    return delete(users).where(_is_live_user(users.c)).returning(users.c.name)


def _table(name: str) -> Table:
    return BaseDAO.metadata.tables[name]


@cache
def _select_user_by_name() -> Select[Any]:
    users = _table("users")
    return select(users).where(users.c.name_key == bindparam("name_key"))


@cache
def _insert_into(table: str) -> Insert:
    return insert(_table(table))


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

    @classmethod
    async def list_for_owner(
        cls,
        conn: AsyncConnection,
        caller: Caller,
        *,
        completed: bool | None = None,
        after: TodoCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]:
        """One page in (created_at, id) order: a keyset query, O(page) at any table size."""
        params = {**_caller_params(caller), "completed": completed, "limit": limit}
        if after is not None:
            params.update(after_created_at=after.created_at, after_id=after.id)
        query = _select_todos(filtered=completed is not None, paginated=after is not None)
        page = _todos(await conn.execute(query, params))
        if not page:  # nothing here, or a revoked token: only a miss pays to tell which
            await UserDAO.get_for_caller(conn, caller)
        return page

    @classmethod
    async def get_for_owner(
        cls, conn: AsyncConnection, caller: Caller, todo_id: uuid.UUID
    ) -> TodoPublic:
        params = {**_caller_params(caller), "todo_id": todo_id}
        found = _todos(await conn.execute(_select_todo(), params))
        if not found:
            await UserDAO.get_for_caller(conn, caller)  # 401 rather than 404 if revoked
            raise TodoNotFoundError
        return found[0]

    @classmethod
    async def create(cls, conn: AsyncConnection, caller: Caller, data: TodoCreate) -> TodoPublic:
        now = utcnow()
        todo = TodoPublic(
            id=uuid.uuid4(), created_at=now, updated_at=now, version=0, **data.model_dump()
        )
        try:
            await conn.execute(_insert_todo(), {**todo.model_dump(), **_caller_params(caller)})
        except IntegrityError as exc:  # owner_id came out NULL: deleted, or token revoked
            raise UnknownUserError from exc
        return todo

    @classmethod
    async def update(
        cls,
        conn: AsyncConnection,
        caller: Caller,
        todo_id: uuid.UUID,
        changes: TodoUpdate,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoPublic:
        """One UPDATE ... RETURNING: the version check and the write are atomic."""
        values = changes.model_dump(exclude_unset=True)
        statement = _update_todo(frozenset(values), conditional=if_version is not None)
        params: dict[str, Any] = {
            **_caller_params(caller),
            "todo_id": todo_id,
            "now": utcnow(),
            "versions": list(if_version or ()),
            **{f"new_{field}": value for field, value in values.items()},
        }
        updated = _todos(await conn.execute(statement, params))
        if not updated:
            await cls._raise_missing_or_stale(conn, caller, todo_id)
        return updated[0]

    @classmethod
    async def delete(
        cls,
        conn: AsyncConnection,
        caller: Caller,
        todo_id: uuid.UUID,
        *,
        if_version: Collection[int] | None = None,
    ) -> None:
        statement = _delete_todo(conditional=if_version is not None)
        params = {**_caller_params(caller), "todo_id": todo_id, "versions": list(if_version or ())}
        if (await conn.execute(statement, params)).first() is None:
            await cls._raise_missing_or_stale(conn, caller, todo_id)

    @classmethod
    async def delete_completed(cls, conn: AsyncConnection, caller: Caller) -> int:
        deleted = len((await conn.execute(_delete_completed(), _caller_params(caller))).all())
        if not deleted:
            await UserDAO.get_for_caller(conn, caller)
        return deleted

    @classmethod
    async def stats(cls, conn: AsyncConnection, caller: Caller) -> TodoStats:
        rows = await conn.execute(_count_by_completed(), _caller_params(caller))
        counts = {completed: count for completed, count in rows}
        if not counts:
            await UserDAO.get_for_caller(conn, caller)
        active, done = counts.get(False, 0), counts.get(True, 0)
        return TodoStats(total=active + done, active=active, completed=done)

    @classmethod
    async def exists_with_title(cls, conn: AsyncConnection, caller: Caller, title: str) -> bool:
        params = {**_caller_params(caller), "title": title}
        return (await conn.execute(_select_title(), params)).first() is not None

    @classmethod
    async def _raise_missing_or_stale(
        cls, conn: AsyncConnection, caller: Caller, todo_id: uuid.UUID
    ) -> NoReturn:
        await cls.get_for_owner(conn, caller, todo_id)  # raises 401/404 when missing
        raise PreconditionFailedError


@cache
def _public_columns() -> tuple[Column[Any], ...]:
    columns = _table("todo").c
    return tuple(columns[name] for name in TodoPublic.model_fields)


@cache
def _insert_todo() -> Insert:
    # owner_id is the live-owner subquery: NULL for a revoked token, which NOT NULL refuses.
    return insert(_table("todo")).values(owner_id=_live_owner_id())


@cache
def _select_todos(*, filtered: bool, paginated: bool) -> Select[Any]:
    todo = _table("todo").c
    query = _owned(select(*_public_columns()))
    if filtered:
        query = query.where(todo.completed == bindparam("completed"))
    if paginated:
        position = tuple_(
            bindparam("after_created_at", type_=UTCDateTime()),
            bindparam("after_id", type_=Uuid()),
        )
        query = query.where(tuple_(todo.created_at, todo.id) > position)
    return query.order_by(todo.created_at, todo.id).limit(bindparam("limit"))


@cache
def _select_todo() -> Select[Any]:
    todo = _table("todo").c
    return _owned(select(*_public_columns()).where(todo.id == bindparam("todo_id")))


@cache
def _select_title() -> Select[Any]:
    todo = _table("todo").c
    return _owned(select(todo.id).where(todo.title == bindparam("title")).limit(1))


@cache
def _update_todo(fields: frozenset[str], *, conditional: bool) -> Update:
    table = _table("todo")
    todo = table.c
    new_values = {name: bindparam(f"new_{name}", type_=todo[name].type) for name in sorted(fields)}
    statement = (
        _owned(update(table).where(todo.id == bindparam("todo_id")))
        .values(
            **new_values,
            version=todo.version + 1,
            updated_at=bindparam("now", type_=UTCDateTime()),
        )
        .returning(*_public_columns())
    )
    if conditional:
        statement = statement.where(todo.version.in_(bindparam("versions", expanding=True)))
    return statement


@cache
def _delete_todo(*, conditional: bool) -> ReturningDelete[Any]:
    table = _table("todo")
    todo = table.c
    statement = _owned(delete(table).where(todo.id == bindparam("todo_id"))).returning(todo.id)
    if conditional:
        statement = statement.where(todo.version.in_(bindparam("versions", expanding=True)))
    return statement


@cache
def _delete_completed() -> ReturningDelete[Any]:
    table = _table("todo")
    return _owned(delete(table).where(table.c.completed.is_(True))).returning(table.c.id)


@cache
def _count_by_completed() -> Select[Any]:
    todo = _table("todo").c
    query = _owned(select(todo.completed, func.count()))
    return query.group_by(todo.completed)


class TodoCreate(TodoBase):
    title: Title = Field(min_length=1, max_length=TITLE_MAX)
    content: Content = Field(default="", max_length=CONTENT_MAX)
    completed: StrictBool = False  # JSON booleans only: 0, 1 and "yes" are refused


def _absent_but_not_null(schema: dict[str, Any]) -> None:
    """Document TodoUpdate's fields as optional but never null (null is a 422)."""
    for prop in schema.get("properties", {}).values():
        variants = prop.pop("anyOf", None)
        if variants:
            prop.update(next(v for v in variants if v.get("type") != "null"))
        prop.pop("default", None)


class TodoUpdate(BaseModel):
    """Partial update: only the fields present in the body change."""

    model_config = ConfigDict(json_schema_extra=_absent_but_not_null)

    title: Title | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    content: Content | None = Field(default=None, max_length=CONTENT_MAX)
    completed: StrictBool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> TodoUpdate:
        nulls = [name for name in self.model_fields_set if getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} must not be null")
        return self


class TodoPublic(BaseModel):
    """A todo as clients see it (a plain Pydantic model: validated in Rust, fast)."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    title: str
    content: str
    completed: bool
    version: int


_TODO_PAGE = TypeAdapter(list[TodoPublic])


def _todos(result: Result[Any]) -> list[TodoPublic]:
    """Rows of `_public_columns()` as todos, in one validation call (pydantic-core loops
    in Rust). Rows go in as dicts: validating from a Row's attributes
    (`from_attributes`) cost four times as much, a fifth of a 50-todo list request."""
    keys = tuple(result.keys())
    return _TODO_PAGE.validate_python([dict(zip(keys, row, strict=True)) for row in result])


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
            position = datetime.fromisoformat(created_at)
            if position.tzinfo is None:
                raise InvalidCursorError
            # In UTC, as the database compares it: 0001-01-01T00:00+14:00 has no UTC
            # time, and would overflow there rather than here.
            return cls(created_at=position.astimezone(UTC), id=uuid.UUID(hex=todo_id))
        except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as exc:
            raise InvalidCursorError from exc


# --- login throttling -----------------------------------------------------------------


@dataclass(frozen=True)
class ThrottlePolicy:
    limit: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class Admission:
    """What counting one attempt against a key found: admitted attempts may check a
    password; `locked_until` says until when the key refuses further ones."""

    admitted: bool
    locked_until: datetime | None


class LoginThrottleDAO(BaseDAO, table=True):
    """Password attempts per key ("name:<name>" or "addr:<address>"), kept in the
    database so that every replica counts the same attempts.

    An attempt is counted BEFORE its password is checked, in one atomic statement (an
    upsert that returns the new count): however many requests arrive at once, at most
    `limit` of them are admitted per window, and the one that reaches the limit locks
    the key. A success gives its attempt back (`refund`) or clears the key."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=THROTTLE_KEY_MAX)
    failures: int = 0  # attempts counted in the window (admitted ones, plus one refused)
    window_started_at: datetime
    locked_until: datetime | None = None

    @classmethod
    async def rows(cls, conn: AsyncConnection, keys: Collection[str]) -> list[LoginThrottleDAO]:
        result = await conn.execute(_select_throttles(), {"keys": list(keys)})
        return [cls(**row._mapping) for row in result]

    @classmethod
    async def admit(
        cls, conn: AsyncConnection, key: str, *, now: datetime, policy: ThrottlePolicy
    ) -> Admission:
        """Count one attempt against `key`, unless its lock is in force."""
        params = {
            "throttle_key": key,
            "now": now,
            "window_cutoff": now - policy.window,
            "limit": policy.limit,
            "lock_until": now + policy.lockout,
            "first_lock": now + policy.lockout if policy.limit <= 1 else None,
        }
        row = (await conn.execute(_admit_attempt(conn.dialect.name), params)).one()
        return Admission(admitted=row.failures <= policy.limit, locked_until=row.locked_until)

    @classmethod
    async def refund(cls, conn: AsyncConnection, key: str, *, policy: ThrottlePolicy) -> None:
        """Give back one admitted attempt that succeeded (and the lock it set, if any)."""
        await conn.execute(_refund_attempt(), {"throttle_key": key, "limit": policy.limit})

    @classmethod
    async def clear(cls, conn: AsyncConnection, key: str) -> None:
        await conn.execute(_delete_throttle(), {"throttle_key": key})


@cache
def _select_throttles() -> Select[Any]:
    throttle = _table("login_throttle")
    return select(throttle).where(throttle.c.key.in_(bindparam("keys", expanding=True)))


@cache
def _admit_attempt(dialect: str) -> Insert:
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING: one statement that reads the
    count, decides and writes, so no two attempts can both see the count before the
    other's increment. (PostgreSQL's and SQLite's spellings are alike; CockroachDB
    takes PostgreSQL's.) In the update, the table's columns are the row as it was."""
    throttle = _table("login_throttle")
    row = throttle.c
    when = row.window_started_at.type

    def param(name: str, type_: Any = None) -> Any:
        return bindparam(name, type_=type_)

    insert_for = sqlite_insert if dialect == "sqlite" else postgresql_insert
    statement = insert_for(throttle).values(
        key=param("throttle_key"),
        failures=1,
        window_started_at=param("now", when),
        locked_until=param("first_lock", when),
    )
    # A new window starts once the old one has passed (unlocked) or the lock has expired.
    expired = or_(
        and_(row.locked_until.is_(None), row.window_started_at <= param("window_cutoff", when)),
        row.locked_until <= param("now", when),
    )
    limit = param("limit", Integer())
    return statement.on_conflict_do_update(
        index_elements=[row.key],
        set_={
            # Capped one past the limit: every refused attempt reads "more than allowed".
            "failures": case(
                (expired, 1), (row.failures > limit, row.failures), else_=row.failures + 1
            ),
            "window_started_at": case((expired, param("now", when)), else_=row.window_started_at),
            "locked_until": case(
                (expired, param("first_lock", when)),
                (
                    row.failures + 1 >= limit,
                    func.coalesce(row.locked_until, param("lock_until", when)),
                ),
                else_=None,
            ),
        },
    ).returning(row.failures, row.locked_until)


@cache
def _refund_attempt() -> Update:
    throttle = _table("login_throttle")
    row = throttle.c
    limit = bindparam("limit", type_=Integer())
    return (
        update(throttle)
        .where(row.key == bindparam("throttle_key"), row.failures > 0)
        .values(
            failures=row.failures - 1,
            locked_until=case((row.failures - 1 >= limit, row.locked_until), else_=None),
        )
    )


@cache
def _delete_throttle() -> Delete:
    throttle = _table("login_throttle")
    return delete(throttle).where(throttle.c.key == bindparam("throttle_key"))


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
    async def get(cls, conn: AsyncConnection, caller: Caller, key: str) -> IdempotencyKeyDAO | None:
        params = {**_caller_params(caller), "key": key}
        row = (await conn.execute(_select_idempotency_key(), params)).one_or_none()
        return None if row is None else cls(**row._mapping)

    @classmethod
    async def record(
        cls,
        conn: AsyncConnection,
        *,
        caller: Caller,
        key: str,
        request_hash: str,
        response_body: str,
    ) -> None:
        values = {
            "owner_id": caller.user_id,
            "key": key,
            "request_hash": request_hash,
            "response_body": response_body,
            "created_at": utcnow(),
        }
        try:
            await conn.execute(_insert_into("idempotency_key"), values)
        except IntegrityError as exc:
            # A concurrent request with the same key committed first: run again,
            # and the next attempt replays its response.
            raise RetryTransactionError from exc


@cache
def _select_idempotency_key() -> Select[Any]:
    keys = _table("idempotency_key")
    return _owned(select(keys).where(keys.c.key == bindparam("key")), "idempotency_key")
