"""Fake DAOs: the surfaces `app.daos` names, backed by dicts, so routes and services can
be tested with no database at all (the seed's first testing strategy). `FAKE_DAOS` is
type-checked against the Protocols in `app.daos`: a fake that drifts from the real DAO's
signature fails mypy."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from app.core.security import Caller
from app.daos import DAOs
from app.errors import (
    NameTakenError,
    PreconditionFailedError,
    TodoNotFoundError,
    UnknownUserError,
)
from app.models import Admission, IdempotencyKey, ThrottlePolicy, User, name_key_of, utcnow
from app.schemas import TodoCreate, TodoCursor, TodoPublic, TodoStats, TodoUpdate

T = TypeVar("T")


class FakeDatabase:
    """Runs each unit of work once, with no connection: fake DAOs ignore it."""

    def __init__(self) -> None:
        self.writes = 0
        self.reads = 0

    async def read(self, work: Callable[[Any], Awaitable[T]]) -> T:
        self.reads += 1
        return await work(None)

    async def write(self, work: Callable[[Any], Awaitable[T]]) -> T:
        self.writes += 1
        return await work(None)

    write_statement = write


class FakeUserDAO:
    users: dict[uuid.UUID, User] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    def add(cls, name: str, *, password_hash: str) -> User:
        user = User(name=name, name_key=name_key_of(name), password_hash=password_hash)
        cls.users[user.id] = user
        return user

    @classmethod
    async def get_for_caller(cls, _conn: object, caller: Caller) -> User:
        user = cls.users.get(caller.user_id)
        if user is None or user.token_generation != caller.token_generation:
            raise UnknownUserError
        return user

    @classmethod
    async def get_by_name(cls, _conn: object, name: str) -> User | None:
        return next((u for u in cls.users.values() if u.name_key == name_key_of(name)), None)

    @classmethod
    async def create(cls, conn: object, *, name: str, password_hash: str) -> User:
        if await cls.get_by_name(conn, name) is not None:
            raise NameTakenError
        return cls.add(name, password_hash=password_hash)

    @classmethod
    async def revoke_tokens(
        cls, conn: object, caller: Caller, *, new_password_hash: str | None = None
    ) -> int:
        user = await cls.get_for_caller(conn, caller)
        user.token_generation += 1
        if new_password_hash is not None:
            user.password_hash = new_password_hash
        return user.token_generation

    @classmethod
    async def delete(cls, conn: object, caller: Caller) -> str:
        user = await cls.get_for_caller(conn, caller)
        del cls.users[user.id]
        return user.name


@dataclass
class StoredTodo:
    owner_id: uuid.UUID
    todo: TodoPublic


class FakeTodoDAO:
    todos: dict[uuid.UUID, StoredTodo] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    async def page(
        cls,
        _conn: object,
        caller: Caller,
        *,
        completed: bool | None = None,
        after: TodoCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]:
        mine = sorted(cls._owned_by(caller), key=lambda t: (t.created_at, t.id))
        if completed is not None:
            mine = [t for t in mine if t.completed == completed]
        if after is not None:
            mine = [t for t in mine if (t.created_at, t.id) > (after.created_at, after.id)]
        return mine[:limit]

    @classmethod
    async def get(cls, _conn: object, caller: Caller, todo_id: uuid.UUID) -> TodoPublic:
        stored = cls.todos.get(todo_id)
        if stored is None or stored.owner_id != caller.user_id:
            raise TodoNotFoundError
        return stored.todo

    @classmethod
    async def create(cls, _conn: object, caller: Caller, data: TodoCreate) -> TodoPublic:
        now = utcnow()
        todo = TodoPublic(
            id=uuid.uuid4(), created_at=now, updated_at=now, version=0, **data.model_dump()
        )
        cls.todos[todo.id] = StoredTodo(caller.user_id, todo)
        return todo

    @classmethod
    async def update(
        cls,
        conn: object,
        caller: Caller,
        todo_id: uuid.UUID,
        changes: TodoUpdate,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoPublic:
        todo = await cls.get(conn, caller, todo_id)
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
        conn: object,
        caller: Caller,
        todo_id: uuid.UUID,
        *,
        if_version: Collection[int] | None = None,
    ) -> None:
        todo = await cls.get(conn, caller, todo_id)
        if if_version is not None and todo.version not in if_version:
            raise PreconditionFailedError
        del cls.todos[todo_id]

    @classmethod
    async def delete_completed(cls, _conn: object, caller: Caller) -> int:
        done = [t.id for t in cls._owned_by(caller) if t.completed]
        for todo_id in done:
            del cls.todos[todo_id]
        return len(done)

    @classmethod
    async def delete_owned(cls, _conn: object, caller: Caller) -> None:
        for todo in cls._owned_by(caller):
            del cls.todos[todo.id]

    @classmethod
    async def stats(cls, _conn: object, caller: Caller) -> TodoStats:
        mine = cls._owned_by(caller)
        done = sum(t.completed for t in mine)
        return TodoStats(total=len(mine), active=len(mine) - done, completed=done)

    @classmethod
    def _owned_by(cls, caller: Caller) -> list[TodoPublic]:
        return [s.todo for s in cls.todos.values() if s.owner_id == caller.user_id]


class FakeIdempotencyKeyDAO:
    keys: dict[tuple[uuid.UUID, str], IdempotencyKey] = {}  # noqa: RUF012

    @classmethod
    async def get(cls, _conn: object, caller: Caller, key: str) -> IdempotencyKey | None:
        return cls.keys.get((caller.user_id, key))

    @classmethod
    async def record(
        cls,
        _conn: object,
        *,
        caller: Caller,
        key: str,
        request_hash: str,
        response_body: str,
    ) -> None:
        cls.keys[(caller.user_id, key)] = IdempotencyKey(
            owner_id=caller.user_id, key=key, request_hash=request_hash, response_body=response_body
        )

    @classmethod
    async def delete_owned(cls, _conn: object, caller: Caller) -> None:
        for owner_id, key in list(cls.keys):
            if owner_id == caller.user_id:
                del cls.keys[(owner_id, key)]


class FakeLoginThrottleDAO:
    """Counts attempts per key and refuses past the limit; windows and lock expiry are
    left to tests/api, on real engines."""

    attempts: dict[str, int] = {}  # noqa: RUF012 (reset per test by the fixture)

    @classmethod
    async def admit(
        cls, _conn: object, key: str, *, now: datetime, policy: ThrottlePolicy
    ) -> Admission:
        cls.attempts[key] = cls.attempts.get(key, 0) + 1
        if cls.attempts[key] <= policy.limit:
            return Admission(admitted=True, locked_until=None)
        return Admission(admitted=False, locked_until=now + policy.lockout)

    @classmethod
    async def refund(cls, _conn: object, key: str, *, policy: ThrottlePolicy) -> None:
        cls.attempts[key] = max(0, cls.attempts.get(key, 0) - 1)

    @classmethod
    async def clear(cls, _conn: object, key: str) -> None:
        cls.attempts.pop(key, None)


FAKE_DAOS = DAOs(
    users=FakeUserDAO,
    todos=FakeTodoDAO,
    idempotency_keys=FakeIdempotencyKeyDAO,
    login_throttle=FakeLoginThrottleDAO,
)
