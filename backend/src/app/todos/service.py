"""Todo work, each read and change as one unit of work (a change logs its own event:
`app.todos.repository`), and the create that a retry cannot repeat."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.daos import daos
from app.platform.db import Database
from app.platform.errors import IdempotencyKeyReusedError
from app.platform.security import Caller
from app.todos.schemas import (
    DueCursor,
    SearchHit,
    TodoCreate,
    TodoCursor,
    TodoOrder,
    TodoPublic,
    TodoStats,
    TodoUpdate,
)
from app.todos.search import hits
from app.todos.search import words as search_words


async def page(
    db: Database,
    caller: Caller,
    list_id: uuid.UUID | None,
    *,
    order: TodoOrder = TodoOrder.position,
    completed: bool | None,
    after: TodoCursor | None,
    limit: int,
) -> list[TodoPublic]:
    """Up to `limit` todos of the list (None: the caller's personal list) after `after`."""
    return await db.read(
        lambda conn: daos.todos.page(
            conn, caller, list_id, order=order, completed=completed, after=after, limit=limit
        )
    )


async def due_page(
    db: Database,
    caller: Caller,
    *,
    due_from: datetime | None,
    due_until: datetime | None,
    completed: bool | None,
    after: DueCursor | None,
    limit: int,
) -> list[TodoPublic]:
    """Up to `limit` todos with a due date, from every list the caller can see, in
    due order after `after`."""
    return await db.read(
        lambda conn: daos.todos.due_page(
            conn,
            caller,
            due_from=due_from,
            due_until=due_until,
            completed=completed,
            after=after,
            limit=limit,
        )
    )


async def search(db: Database, caller: Caller, query: str, *, limit: int) -> list[SearchHit]:
    """The best `limit` todos matching `query` in every list the caller can see, their
    matched words marked. A query with no letters or digits matches nothing."""
    terms = search_words(query)
    if not terms:
        await db.read(lambda conn: access.require_live(conn, caller))
        return []
    found = await db.read(lambda conn: daos.todos.search(conn, caller, terms, limit=limit))
    return hits(found, terms)


async def get(db: Database, caller: Caller, todo_id: uuid.UUID) -> TodoPublic:
    return await db.read(lambda conn: daos.todos.get(conn, caller, todo_id))


async def stats(db: Database, caller: Caller, list_id: uuid.UUID | None) -> TodoStats:
    return await db.read(lambda conn: daos.todos.stats(conn, caller, list_id))


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

    if idempotency_key is None:
        # One statement on PostgreSQL and CockroachDB: an implicit transaction at the
        # engine's default isolation (`write_statement`; why that is safe for each todo
        # write: docs/architecture.md, "Single statements").
        return await db.write_statement(lambda conn: daos.todos.create(conn, caller, list_id, data))
    key = idempotency_key
    # The same body sent to another list is another request.
    request = f"{list_id or 'personal'}\n{data.model_dump_json()}"
    request_hash = hashlib.sha256(request.encode()).hexdigest()

    async def create_once(conn: AsyncConnection) -> TodoPublic:
        previous = await daos.idempotency_keys.get(conn, caller, key)
        if previous is not None:
            if previous.request_hash != request_hash:
                raise IdempotencyKeyReusedError
            if list_id is not None:
                # A replay follows the list's access now, as any request does: 404 once
                # the caller is no longer a member.
                await daos.lists.get(conn, caller, list_id)
            return TodoPublic.model_validate_json(previous.response_body)
        todo = await daos.todos.create(conn, caller, list_id, data)
        await daos.idempotency_keys.record(
            conn,
            caller=caller,
            key=key,
            request_hash=request_hash,
            response_body=todo.model_dump_json(),
        )
        return todo

    return await db.write(create_once, idempotent=True)


async def update(
    db: Database,
    caller: Caller,
    todo_id: uuid.UUID,
    changes: TodoUpdate,
    *,
    if_version: Collection[int] | None,
) -> TodoPublic:
    """Change a todo (a `list_id` moves it: editor on both lists). A move to another
    list or within one first reads the lists' keys (`app.todos.ordering`), so it is a
    transaction: SERIALIZABLE, so two moves into one gap never get the same key; any
    other change is one statement."""

    def change(conn: AsyncConnection) -> Awaitable[TodoPublic]:
        return daos.todos.update(conn, caller, todo_id, changes, if_version=if_version)

    if changes.list_id is not None or changes.reorders:
        return await db.write(change)
    return await db.write_statement(change)


async def delete(
    db: Database, caller: Caller, todo_id: uuid.UUID, *, if_version: Collection[int] | None
) -> None:
    await db.write_statement(
        lambda conn: daos.todos.delete(conn, caller, todo_id, if_version=if_version)
    )


async def delete_completed(db: Database, caller: Caller, list_id: uuid.UUID | None) -> int:
    """Delete the list's completed todos; returns how many."""
    deleted = await db.write_statement(
        lambda conn: daos.todos.delete_completed(conn, caller, list_id)
    )
    return len(deleted)
