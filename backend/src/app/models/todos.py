"""The `todo` table and its statements. Rows come back as `TodoPublic`, straight from
the result into one validation call, without the ORM's identity map."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from functools import cache
from typing import Any, NoReturn

from pydantic import TypeAdapter
from sqlalchemy import (
    Column,
    Delete,
    Index,
    Insert,
    Select,
    Text,
    Update,
    Uuid,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningDelete
from sqlmodel import Field
from sqlmodel.sql.sqltypes import UTCDateTime

from app import access
from app.core.security import Caller
from app.errors import PreconditionFailedError, TodoNotFoundError, UnknownUserError
from app.models.base import BaseDAO, table, utcnow
from app.schemas.fields import CONTENT_MAX, TITLE_MAX
from app.schemas.todos import TodoCreate, TodoCursor, TodoPublic, TodoStats, TodoUpdate

VERSION_MAX = 2**31 - 1  # `todo.version` is a 32-bit INTEGER on every engine


class Todo(BaseDAO, table=True):
    __tablename__ = "todo"
    __table_args__ = (
        # The list query: one owner's todos in (created_at, id) order, optionally
        # filtered by `completed`. Each index makes its variant a range scan.
        Index("ix_todo_owner_id_created_at_id", "owner_id", "created_at", "id"),
        Index(
            "ix_todo_owner_id_completed_created_at_id", "owner_id", "completed", "created_at", "id"
        ),
    )

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    content: str = Field(default="", max_length=CONTENT_MAX, sa_type=Text)
    completed: bool = False
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=0, description="Counts the updates since creation.")

    @classmethod
    async def page(
        cls,
        conn: AsyncConnection,
        caller: Caller,
        *,
        completed: bool | None = None,
        after: TodoCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]:
        """One page in (created_at, id) order: a keyset query, O(page) at any table size."""
        params = {**access.params(caller), "completed": completed, "limit": limit}
        if after is not None:
            params.update(after_created_at=after.created_at, after_id=after.id)
        query = _select_page(filtered=completed is not None, paginated=after is not None)
        page = _todos(await conn.execute(query, params))
        if not page:  # nothing here, or a revoked token: only a miss pays to tell which
            await access.require_live(conn, caller)
        return page

    @classmethod
    async def get(cls, conn: AsyncConnection, caller: Caller, todo_id: uuid.UUID) -> TodoPublic:
        params = {**access.params(caller), "todo_id": todo_id}
        found = _todos(await conn.execute(_select_one(), params))
        if not found:
            await access.refuse(conn, caller, TodoNotFoundError)
        return found[0]

    @classmethod
    async def create(cls, conn: AsyncConnection, caller: Caller, data: TodoCreate) -> TodoPublic:
        now = utcnow()
        todo = TodoPublic(
            id=uuid.uuid4(), created_at=now, updated_at=now, version=0, **data.model_dump()
        )
        try:
            await conn.execute(_insert(), {**todo.model_dump(), **access.params(caller)})
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
        statement = _update(frozenset(values), conditional=if_version is not None)
        params: dict[str, Any] = {
            **access.params(caller),
            "todo_id": todo_id,
            "now": utcnow(),
            "versions": list(if_version or ()),
            **{f"new_{field}": value for field, value in values.items()},
        }
        updated = _todos(await conn.execute(statement, params))
        if not updated:
            await cls._refuse_missing_or_stale(conn, caller, todo_id)
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
        statement = _delete_one(conditional=if_version is not None)
        params = {**access.params(caller), "todo_id": todo_id, "versions": list(if_version or ())}
        if (await conn.execute(statement, params)).first() is None:
            await cls._refuse_missing_or_stale(conn, caller, todo_id)

    @classmethod
    async def delete_completed(cls, conn: AsyncConnection, caller: Caller) -> int:
        deleted = len((await conn.execute(_delete_completed(), access.params(caller))).all())
        if not deleted:
            await access.require_live(conn, caller)
        return deleted

    @classmethod
    async def delete_owned(cls, conn: AsyncConnection, caller: Caller) -> None:
        """Every todo the caller owns (their account is being deleted)."""
        await conn.execute(_delete_owned(), access.params(caller))

    @classmethod
    async def stats(cls, conn: AsyncConnection, caller: Caller) -> TodoStats:
        rows = await conn.execute(_count_by_completed(), access.params(caller))
        counts = {completed: count for completed, count in rows}
        if not counts:
            await access.require_live(conn, caller)
        active, done = counts.get(False, 0), counts.get(True, 0)
        return TodoStats(total=active + done, active=active, completed=done)

    @classmethod
    async def exists_with_title(cls, conn: AsyncConnection, caller: Caller, title: str) -> bool:
        params = {**access.params(caller), "title": title}
        return (await conn.execute(_select_title(), params)).first() is not None

    @classmethod
    async def _refuse_missing_or_stale(
        cls, conn: AsyncConnection, caller: Caller, todo_id: uuid.UUID
    ) -> NoReturn:
        await cls.get(conn, caller, todo_id)  # refused with 401/404 when it is not there
        raise PreconditionFailedError


@cache
def public_columns() -> tuple[Column[Any], ...]:
    """What a client sees of a todo (`TodoPublic`'s fields, in its order): every SELECT
    and RETURNING of todos lists exactly these."""
    todo = table("todo").c
    return (
        todo.id,
        todo.created_at,
        todo.updated_at,
        todo.title,
        todo.content,
        todo.completed,
        todo.version,
    )


_TODO_PAGE = TypeAdapter(list[TodoPublic])


def _todos(result: Result[Any]) -> list[TodoPublic]:
    """Rows of `public_columns()` as todos, in one validation call (pydantic-core loops
    in Rust). Rows go in as dicts: validating from a Row's attributes
    (`from_attributes`) cost four times as much, a fifth of a 50-todo list request."""
    keys = tuple(result.keys())
    return _TODO_PAGE.validate_python([dict(zip(keys, row, strict=True)) for row in result])


@cache
def _insert() -> Insert:
    # owner_id is the live-owner subquery: NULL for a revoked token, which NOT NULL refuses.
    return insert(table("todo")).values(owner_id=access.live_user_id())


@cache
def _select_page(*, filtered: bool, paginated: bool) -> Select[Any]:
    todo = table("todo")
    query = select(*public_columns()).where(access.visible(todo))
    if filtered:
        query = query.where(todo.c.completed == bindparam("completed"))
    if paginated:
        position = tuple_(
            bindparam("after_created_at", type_=UTCDateTime()),
            bindparam("after_id", type_=Uuid()),
        )
        query = query.where(tuple_(todo.c.created_at, todo.c.id) > position)
    return query.order_by(todo.c.created_at, todo.c.id).limit(bindparam("limit"))


@cache
def _select_one() -> Select[Any]:
    todo = table("todo")
    return select(*public_columns()).where(todo.c.id == bindparam("todo_id"), access.visible(todo))


@cache
def _select_title() -> Select[Any]:
    todo = table("todo")
    query = select(todo.c.id).where(todo.c.title == bindparam("title"), access.visible(todo))
    return query.limit(1)


@cache
def _update(fields: frozenset[str], *, conditional: bool) -> Update:
    todo = table("todo")
    new_values = {
        name: bindparam(f"new_{name}", type_=todo.c[name].type) for name in sorted(fields)
    }
    statement = (
        update(todo)
        .where(todo.c.id == bindparam("todo_id"), access.changeable(todo))
        .values(
            **new_values,
            version=todo.c.version + 1,
            updated_at=bindparam("now", type_=UTCDateTime()),
        )
        .returning(*public_columns())
    )
    if conditional:
        statement = statement.where(todo.c.version.in_(bindparam("versions", expanding=True)))
    return statement


@cache
def _delete_one(*, conditional: bool) -> ReturningDelete[Any]:
    todo = table("todo")
    statement = (
        delete(todo)
        .where(todo.c.id == bindparam("todo_id"), access.changeable(todo))
        .returning(todo.c.id)
    )
    if conditional:
        statement = statement.where(todo.c.version.in_(bindparam("versions", expanding=True)))
    return statement


@cache
def _delete_completed() -> ReturningDelete[Any]:
    todo = table("todo")
    statement = delete(todo).where(todo.c.completed.is_(True), access.changeable(todo))
    return statement.returning(todo.c.id)


@cache
def _delete_owned() -> Delete:
    todo = table("todo")
    return delete(todo).where(access.owned(todo))


@cache
def _count_by_completed() -> Select[Any]:
    todo = table("todo")
    query = select(todo.c.completed, func.count()).where(access.visible(todo))
    return query.group_by(todo.c.completed)
