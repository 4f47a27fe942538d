"""Fake DAOs: the same classmethods as app.models, backed by dicts, so route logic
can be tested with no database at all (the seed's first testing strategy)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from app.core.security import Caller
from app.errors import PreconditionFailedError, TodoNotFoundError, UnknownUserError
from app.models import (
    IdempotencyKeyDAO,
    TodoCreate,
    TodoCursor,
    TodoPublic,
    TodoStats,
    TodoUpdate,
    UserDAO,
    utcnow,
)

T = TypeVar("T")


class FakeDatabase:
    """Runs each unit of work once, with no session: fake DAOs ignore it."""

    def __init__(self) -> None:
        self.writes = 0
        self.reads = 0

    async def read(self, work: Callable[[Any], Awaitable[T]]) -> T:
        self.reads += 1
        return await work(None)

    async def write(self, work: Callable[[Any], Awaitable[T]]) -> T:
        self.writes += 1
        return await work(None)


class FakeUserDAO:
    users: dict[uuid.UUID, UserDAO] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    async def get_for_caller(cls, _session: object, caller: Caller) -> UserDAO:
        user = cls.users.get(caller.user_id)
        if user is None or user.token_generation != caller.token_generation:
            raise UnknownUserError
        return user


@dataclass
class StoredTodo:
    owner_id: uuid.UUID
    todo: TodoPublic


class FakeTodoDAO:
    todos: dict[uuid.UUID, StoredTodo] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    async def list_for_owner(
        cls,
        _session: object,
        caller: Caller,
        *,
        completed: bool | None = None,
        after: TodoCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]:
        mine = sorted(
            (s.todo for s in cls.todos.values() if s.owner_id == caller.user_id),
            key=lambda t: (t.created_at, t.id),
        )
        if completed is not None:
            mine = [t for t in mine if t.completed == completed]
        if after is not None:
            mine = [t for t in mine if (t.created_at, t.id) > (after.created_at, after.id)]
        return mine[:limit]

    @classmethod
    async def get_for_owner(
        cls, _session: object, caller: Caller, todo_id: uuid.UUID
    ) -> TodoPublic:
        stored = cls.todos.get(todo_id)
        if stored is None or stored.owner_id != caller.user_id:
            raise TodoNotFoundError
        return stored.todo

    @classmethod
    async def create(cls, _session: object, caller: Caller, data: TodoCreate) -> TodoPublic:
        now = utcnow()
        todo = TodoPublic(
            id=uuid.uuid4(), created_at=now, updated_at=now, version=0, **data.model_dump()
        )
        cls.todos[todo.id] = StoredTodo(caller.user_id, todo)
        return todo

    @classmethod
    async def update(
        cls,
        session: object,
        caller: Caller,
        todo_id: uuid.UUID,
        changes: TodoUpdate,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoPublic:
        todo = await cls.get_for_owner(session, caller, todo_id)
        if if_version is not None and todo.version not in if_version:
            raise PreconditionFailedError
        updated = todo.model_copy(
            update={
                **changes.model_dump(exclude_unset=True),
                "version": todo.version + 1,
                "updated_at": utcnow(),
            }
        )
        cls.todos[todo_id] = StoredTodo(caller.user_id, updated)
        return updated

    @classmethod
    async def delete(
        cls,
        session: object,
        caller: Caller,
        todo_id: uuid.UUID,
        *,
        if_version: Collection[int] | None = None,
    ) -> None:
        todo = await cls.get_for_owner(session, caller, todo_id)
        if if_version is not None and todo.version not in if_version:
            raise PreconditionFailedError
        del cls.todos[todo_id]

    @classmethod
    async def stats(cls, _session: object, caller: Caller) -> TodoStats:
        mine = [s.todo for s in cls.todos.values() if s.owner_id == caller.user_id]
        done = sum(t.completed for t in mine)
        return TodoStats(total=len(mine), active=len(mine) - done, completed=done)


class FakeIdempotencyKeyDAO:
    keys: dict[tuple[uuid.UUID, str], IdempotencyKeyDAO] = {}  # noqa: RUF012

    @classmethod
    async def get(cls, _session: object, caller: Caller, key: str) -> IdempotencyKeyDAO | None:
        return cls.keys.get((caller.user_id, key))

    @classmethod
    async def record(
        cls,
        _session: object,
        *,
        caller: Caller,
        key: str,
        request_hash: str,
        response_body: str,
    ) -> None:
        cls.keys[(caller.user_id, key)] = IdempotencyKeyDAO(
            owner_id=caller.user_id, key=key, request_hash=request_hash, response_body=response_body
        )
