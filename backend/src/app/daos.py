"""The DAOs routes and services run, in one place: the seam unit tests swap fakes in.

Each Protocol names what a DAO for that resource must do; the table classes in
`app.models` are the real ones (their classmethods), and `tests/unit/fakes.py` holds
fakes backed by dicts. Routes and services reach DAOs only through `daos`
(`daos.todos.get(conn, caller, todo_id)`), so `tests/unit/conftest.py` swaps them all
by replacing the fields of this one object, and mypy checks every fake against its
Protocol where that replacement is built: a fake whose signature drifts fails to type.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.security import Caller
from app.models import Admission, IdempotencyKey, LoginThrottle, ThrottlePolicy, Todo, User
from app.schemas import TodoCreate, TodoCursor, TodoPublic, TodoStats, TodoUpdate


class UserDAO(Protocol):
    async def get_for_caller(self, conn: AsyncConnection, caller: Caller) -> User: ...
    async def get_by_name(self, conn: AsyncConnection, name: str) -> User | None: ...
    async def create(self, conn: AsyncConnection, *, name: str, password_hash: str) -> User: ...
    async def revoke_tokens(
        self, conn: AsyncConnection, caller: Caller, *, new_password_hash: str | None = None
    ) -> int: ...
    async def delete(self, conn: AsyncConnection, caller: Caller) -> str: ...


class TodoDAO(Protocol):
    async def page(
        self,
        conn: AsyncConnection,
        caller: Caller,
        *,
        completed: bool | None = None,
        after: TodoCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]: ...
    async def get(
        self, conn: AsyncConnection, caller: Caller, todo_id: uuid.UUID
    ) -> TodoPublic: ...
    async def create(
        self, conn: AsyncConnection, caller: Caller, data: TodoCreate
    ) -> TodoPublic: ...
    async def update(
        self,
        conn: AsyncConnection,
        caller: Caller,
        todo_id: uuid.UUID,
        changes: TodoUpdate,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoPublic: ...
    async def delete(
        self,
        conn: AsyncConnection,
        caller: Caller,
        todo_id: uuid.UUID,
        *,
        if_version: Collection[int] | None = None,
    ) -> None: ...
    async def delete_completed(self, conn: AsyncConnection, caller: Caller) -> int: ...
    async def delete_owned(self, conn: AsyncConnection, caller: Caller) -> None: ...
    async def stats(self, conn: AsyncConnection, caller: Caller) -> TodoStats: ...


class IdempotencyKeyDAO(Protocol):
    async def get(
        self, conn: AsyncConnection, caller: Caller, key: str
    ) -> IdempotencyKey | None: ...
    async def record(
        self,
        conn: AsyncConnection,
        *,
        caller: Caller,
        key: str,
        request_hash: str,
        response_body: str,
    ) -> None: ...
    async def delete_owned(self, conn: AsyncConnection, caller: Caller) -> None: ...


class LoginThrottleDAO(Protocol):
    async def admit(
        self, conn: AsyncConnection, key: str, *, now: datetime, policy: ThrottlePolicy
    ) -> Admission: ...
    async def refund(self, conn: AsyncConnection, key: str, *, policy: ThrottlePolicy) -> None: ...
    async def clear(self, conn: AsyncConnection, key: str) -> None: ...


@dataclass(slots=True)
class DAOs:
    users: UserDAO
    todos: TodoDAO
    idempotency_keys: IdempotencyKeyDAO
    login_throttle: LoginThrottleDAO


daos = DAOs(users=User, todos=Todo, idempotency_keys=IdempotencyKey, login_throttle=LoginThrottle)
