"""Todo work: each change together with the event that tells the list's members of it
(`app.models.events`), in one transaction, and the create that a retry cannot repeat."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.security import Caller
from app.daos import daos
from app.db import Database
from app.errors import IdempotencyKeyReusedError
from app.models import NewEvent
from app.schemas import TodoCreate, TodoPublic, TodoUpdate
from app.schemas.events import TodoChanged, TodoDeleted, TodoMoved


async def create(
    db: Database,
    caller: Caller,
    list_id: uuid.UUID | None,
    data: TodoCreate,
    *,
    idempotency_key: str | None,
) -> TodoPublic:
    """Create a todo in the list (None: the caller's personal list). With an
    `idempotency_key`, a retry with the same key, list and body replays the first
    response and creates nothing; the same key with another list or body is
    IdempotencyKeyReusedError (422). Look-up, insert and record are one transaction: of
    two requests racing with one key, the one that loses runs again and replays."""

    async def insert(conn: AsyncConnection) -> TodoPublic:
        todo = await daos.todos.create(conn, caller, list_id, data)
        created = TodoChanged(type="todo.created", list_id=todo.list_id, todo=todo)
        await daos.events.record(conn, [NewEvent(created)])
        return todo

    if idempotency_key is None:
        return await db.write(insert)
    key = idempotency_key
    # The same body sent to another list is another request.
    request = f"{list_id or 'personal'}\n{data.model_dump_json()}"
    request_hash = hashlib.sha256(request.encode()).hexdigest()

    async def create_once(conn: AsyncConnection) -> TodoPublic:
        previous = await daos.idempotency_keys.get(conn, caller, key)
        if previous is not None:
            if previous.request_hash != request_hash:
                raise IdempotencyKeyReusedError
            return TodoPublic.model_validate_json(previous.response_body)
        todo = await insert(conn)
        await daos.idempotency_keys.record(
            conn,
            caller=caller,
            key=key,
            request_hash=request_hash,
            response_body=todo.model_dump_json(),
        )
        return todo

    return await db.write(create_once)


async def update(
    db: Database,
    caller: Caller,
    todo_id: uuid.UUID,
    changes: TodoUpdate,
    *,
    if_version: Collection[int] | None,
) -> TodoPublic:
    """Change a todo (a `list_id` moves it: editor on both lists)."""

    async def change(conn: AsyncConnection) -> TodoPublic:
        moving_from = None
        if changes.list_id is not None:
            moving_from = (await daos.todos.get(conn, caller, todo_id)).list_id
        todo = await daos.todos.update(conn, caller, todo_id, changes, if_version=if_version)
        if moving_from is not None and moving_from != todo.list_id:
            event: TodoChanged | TodoMoved = TodoMoved(
                list_id=todo.list_id, from_list_id=moving_from, todo=todo
            )
        else:
            event = TodoChanged(type="todo.updated", list_id=todo.list_id, todo=todo)
        await daos.events.record(conn, [NewEvent(event)])
        return todo

    return await db.write(change)


async def delete(
    db: Database, caller: Caller, todo_id: uuid.UUID, *, if_version: Collection[int] | None
) -> None:
    async def remove(conn: AsyncConnection) -> None:
        deleted = await daos.todos.delete(conn, caller, todo_id, if_version=if_version)
        await daos.events.record(conn, [NewEvent(deleted)])

    await db.write(remove)


async def delete_completed(db: Database, caller: Caller, list_id: uuid.UUID | None) -> int:
    """Delete the list's completed todos; returns how many."""

    async def remove(conn: AsyncConnection) -> list[TodoDeleted]:
        deleted = await daos.todos.delete_completed(conn, caller, list_id)
        await daos.events.record(conn, [NewEvent(event) for event in deleted])
        return deleted

    return len(await db.write(remove))
