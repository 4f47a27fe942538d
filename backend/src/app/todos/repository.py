"""The statements on the `todo` table. Rows come back as `TodoPublic`, straight from
the result into one validation call, without the ORM's identity map.

Every write logs the event that tells the list's members of it (`app.todos.events`
describes each) in the same transaction: on PostgreSQL and CockroachDB inside the
write's own statement (`app.live.log.with_event`), on SQLite with a second one."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NoReturn, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import (
    Column,
    ColumnElement,
    Delete,
    Select,
    Table,
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
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningDelete, ReturningInsert, ReturningUpdate, Update
from sqlmodel.sql.sqltypes import UTCDateTime

from app import access
from app.access import Role
from app.live import log
from app.live.log import Change, EventRepository, NewEvent
from app.platform.db import server_flavour
from app.platform.errors import (
    AnchorNotInListError,
    InvalidInputError,
    ListNotFoundError,
    PreconditionFailedError,
    TodoNotFoundError,
)
from app.platform.security import Caller
from app.platform.tables import table, utcnow, validate_rows
from app.todos import events, ordering, search
from app.todos.events import TodoDeleted
from app.todos.schemas import (
    DueCursor,
    TodoCreate,
    TodoCursor,
    TodoOrder,
    TodoPublic,
    TodoStats,
    TodoUpdate,
)
from app.todos.search import Found
from app.todos.tables import POSITION_TYPE, Todo  # noqa: F401 (registers the table)


class TodoRepository:
    """`daos.todos`: every statement on `todo`."""

    # `list_id` None, wherever a method takes it, is the caller's personal list.

    @classmethod
    async def page(
        cls,
        conn: AsyncConnection,
        caller: Caller,
        list_id: uuid.UUID | None,
        *,
        order: TodoOrder = TodoOrder.position,
        completed: bool | None = None,
        after: TodoCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]:
        """One page in (position, id) or (created_at, id) order: a keyset query, O(page)
        at any table size."""
        params = {**access.list_params(caller, list_id), "completed": completed, "limit": limit}
        if after is not None:
            params.update(
                after_created_at=after.created_at, after_position=after.position, after_id=after.id
            )
        query = _select_page(
            personal=list_id is None,
            filtered=completed is not None,
            paginated=after is not None,
            by_position=order is TodoOrder.position,
        )
        page = _todos(await conn.execute(query, params))
        if not page:  # nothing here, or no access: only a miss pays to tell which
            await access.triage_list(conn, caller, list_id, Role.viewer)
        return page

    @classmethod
    async def due_page(
        cls,
        conn: AsyncConnection,
        caller: Caller,
        *,
        due_from: datetime | None = None,
        due_until: datetime | None = None,
        completed: bool | None = None,
        after: DueCursor | None = None,
        limit: int,
    ) -> list[TodoPublic]:
        """One page of the todos with a due date in every list the caller can see, in
        (due_at, id) order: due at or after `due_from` and before `due_until`. The access
        rule is the statement's, as in every read; per list, a range scan of
        `ix_todo_list_id_due_at_id`."""
        params = {
            **access.params(caller),
            "due_from": due_from,
            "due_until": due_until,
            "completed": completed,
            "limit": limit,
        }
        if after is not None:
            params.update(after_due_at=after.due_at, after_id=after.id)
        query = _select_due_page(
            lower=due_from is not None,
            upper=due_until is not None,
            filtered=completed is not None,
            paginated=after is not None,
        )
        page = _todos(await conn.execute(query, params))
        if not page:  # an empty answer is only ever given to a live caller
            await access.require_live(conn, caller)
        return page

    @classmethod
    async def search(
        cls, conn: AsyncConnection, caller: Caller, terms: Sequence[str], *, limit: int
    ) -> list[Found]:
        """Up to `limit` todos, from every list the caller can see, whose title or
        content matches every one of `terms` (`app.todos.search.words`), best first:
        one statement, its engine's (`app.todos.search`), with the access rule inside."""
        query = search.statement(server_flavour(conn), public_columns())
        params = search.search_params(access.params(caller), terms, limit)
        found = validate_rows(_FOUND, await conn.execute(query, params))
        if not found:  # an empty answer is only ever given to a live caller
            await access.require_live(conn, caller)
        return found

    @classmethod
    async def get(cls, conn: AsyncConnection, caller: Caller, todo_id: uuid.UUID) -> TodoPublic:
        params = {**access.params(caller), "todo_id": todo_id}
        found = _todos(await conn.execute(_select_one(), params))
        if not found:
            await access.triage_todo(conn, caller, todo_id, Role.viewer)
            raise TodoNotFoundError  # deleted between the two statements
        return found[0]

    @classmethod
    async def create(
        cls, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID | None, data: TodoCreate
    ) -> TodoPublic:
        """Insert at the end of the list if the caller edits it, and log `todo.created`:
        one INSERT ... SELECT that inserts nothing when they do not (or their token is
        revoked). The key for the end is read first, by a statement of its own: two
        creates at once may take the same key, and the order stays total, ties going
        by id (docs/architecture.md, "Manual order")."""
        now = utcnow()
        personal = list_id is None
        list_params = access.list_params(caller, list_id)
        last = (await conn.execute(_select_last_position(personal=personal), list_params)).scalar()
        values = {
            "id": uuid.uuid4(),
            "created_at": now,
            "updated_at": now,
            "version": 0,
            "position": ordering.between(last, None),
        }
        values.update(data.columns())
        params = {**values, **list_params, "now": now}
        inserted = await _change_and_log(
            conn, lambda _: _insert(personal=personal), events.CREATED, params, _todos
        )
        if not inserted:
            await access.triage_list(conn, caller, list_id, Role.editor)
            raise ListNotFoundError  # deleted between the two statements
        return inserted[0]

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
        """One UPDATE ... RETURNING, and `todo.updated` (or `todo.moved`) logged: the
        access check, the version check and the write are atomic. Moving the todo
        (`list_id`) needs editor on both lists, and puts it at the end of the new one;
        reordering it (`after`, `before`) first finds its new key from its neighbours,
        so both run in a transaction (`app.todos.service.update`)."""
        values = changes.changed_fields()
        moving_from = None
        if changes.list_id is not None:  # the list it leaves, for the event
            moving_from = (await cls.get(conn, caller, todo_id)).list_id
            if moving_from != changes.list_id:
                last = await conn.execute(_select_last_in_list(), {"list_id": changes.list_id})
                values["position"] = ordering.between(last.scalar(), None)
        elif changes.reorders:
            values["position"] = await _new_position(
                conn, await cls.get(conn, caller, todo_id), changes
            )
        params: dict[str, Any] = {
            **access.params(caller),
            "todo_id": todo_id,
            "now": utcnow(),
            "versions": list(if_version or ()),
            "from_list_id": moving_from,
            **{f"new_{field}": value for field, value in values.items()},
        }
        fields, conditional = frozenset(values), if_version is not None
        moved = moving_from not in (None, changes.list_id)
        updated = await _change_and_log(
            conn,
            lambda postgresql: _update(fields, conditional=conditional, postgresql=postgresql),
            events.MOVED if moved else events.UPDATED,
            params,
            _todos,
        )
        if not updated:
            await access.triage_todo(conn, caller, todo_id, Role.editor)
            if changes.list_id is not None:
                await access.triage_list(
                    conn, caller, changes.list_id, Role.editor, where="in the list it moves to"
                )
            cls._refuse_stale(conditional=conditional)
        return updated[0]

    @classmethod
    async def delete(
        cls,
        conn: AsyncConnection,
        caller: Caller,
        todo_id: uuid.UUID,
        *,
        if_version: Collection[int] | None = None,
    ) -> TodoDeleted:
        """Delete the todo and log `todo.deleted`."""
        params = {
            **access.params(caller),
            "todo_id": todo_id,
            "versions": list(if_version or ()),
            "now": utcnow(),
        }
        conditional = if_version is not None
        deleted = await _change_and_log(
            conn,
            lambda postgresql: _delete_one(conditional=conditional, postgresql=postgresql),
            events.DELETED,
            params,
            _deleted,
        )
        if not deleted:
            await access.triage_todo(conn, caller, todo_id, Role.editor)
            cls._refuse_stale(conditional=conditional)
        return deleted[0]

    @classmethod
    async def delete_completed(
        cls, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID | None
    ) -> list[TodoDeleted]:
        """Delete the list's completed todos, and log a `todo.deleted` for each."""
        params = {**access.list_params(caller, list_id), "now": utcnow()}
        personal = list_id is None
        deleted = await _change_and_log(
            conn,
            lambda postgresql: _delete_completed(personal=personal, postgresql=postgresql),
            events.DELETED,
            params,
            _deleted,
        )
        if not deleted:
            await access.triage_list(conn, caller, list_id, Role.editor)
        return deleted

    @classmethod
    async def delete_in_lists(cls, conn: AsyncConnection, list_ids: Collection[uuid.UUID]) -> None:
        """Every todo of these lists (they are being deleted: `app.lists.service`)."""
        if list_ids:
            await conn.execute(_delete_in_lists(), {"list_ids": list(list_ids)})

    @classmethod
    async def stats(
        cls, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID | None
    ) -> TodoStats:
        statement = _count_by_completed(personal=list_id is None)
        rows = await conn.execute(statement, access.list_params(caller, list_id))
        counts = {completed: count for completed, count in rows}
        if not counts:
            await access.triage_list(conn, caller, list_id, Role.viewer)
        active, done = counts.get(False, 0), counts.get(True, 0)
        return TodoStats(total=active + done, active=active, completed=done)

    @staticmethod
    def _refuse_stale(*, conditional: bool) -> NoReturn:
        """The caller may change the todo, yet the statement changed nothing: with
        If-Match, the version moved on (412); without, the todo went meanwhile (404)."""
        if conditional:
            raise PreconditionFailedError
        raise TodoNotFoundError


async def _new_position(conn: AsyncConnection, todo: TodoPublic, changes: TodoUpdate) -> str:
    """The key that puts `todo` where `changes` says (`after` or `before` a todo of its
    list, or at an end): between the two todos around that place, which are read in
    the caller's transaction. When those two have the same key (two creates at once
    took it) or the key would outgrow `ordering.POSITION_MAX`, the whole list gets new
    keys instead, in its current order (`_rebalance`)."""
    placing = "after" if "after" in changes.model_fields_set else "before"
    anchor_id: uuid.UUID | None = getattr(changes, placing)
    params: dict[str, Any] = {"list_id": todo.list_id, "todo_id": todo.id}
    anchor: tuple[str, uuid.UUID] | None = None
    if anchor_id is not None:
        if anchor_id == todo.id:
            raise InvalidInputError(f"A todo cannot go {placing} itself", loc=("body", placing))
        found = (await conn.execute(_select_anchor(), {**params, "anchor_id": anchor_id})).first()
        if found is None:  # absent, deleted, or in another list: all the same to the caller
            raise AnchorNotInListError(placing)
        anchor = (found[0], found[1])
    forward = placing == "after"  # the other neighbour follows the anchor, or precedes it
    if anchor is not None:
        params.update(anchor_position=anchor[0], anchor_id=anchor[1])
    # With no anchor, `after: null` goes before the first todo, `before: null` after the last.
    found = (
        await conn.execute(_select_neighbour(forward=forward, bounded=anchor is not None), params)
    ).first()
    other = None if found is None else (found[0], found[1])
    lower, upper = (anchor, other) if forward else (other, anchor)
    if lower is not None and upper is not None and lower[0] == upper[0]:
        return await _rebalance(conn, todo, upper)
    key = ordering.between(lower and lower[0], upper and upper[0])
    if len(key) > ordering.POSITION_MAX:
        return await _rebalance(conn, todo, upper)
    return key


async def _rebalance(
    conn: AsyncConnection, todo: TodoPublic, upper: tuple[str, uuid.UUID] | None
) -> str:
    """Give every other todo of the list a new, short key, in the order they are in, and
    return the key for `todo` just before `upper` (None: at the end). One statement per
    todo, in the caller's transaction; the others keep their version and send no event:
    their order did not change (docs/architecture.md, "Manual order")."""
    params = {"list_id": todo.list_id, "todo_id": todo.id}
    others = list((await conn.execute(_select_list_order(), params)).scalars())
    place = len(others) if upper is None else others.index(upper[1])
    keys = ordering.evenly(len(others) + 1)
    moved_key = keys.pop(place)
    if others:
        await conn.execute(
            _set_position(),
            [{"todo_id_": id_, "position_": key} for id_, key in zip(others, keys, strict=True)],
        )
    return moved_key


@cache
def public_columns() -> tuple[Column[Any], ...]:
    """What a client sees of a todo, `TodoPublic`'s fields in its order (rows are
    validated into it by name): every SELECT and RETURNING of todos lists exactly these."""
    todo = table("todo").c
    return tuple(todo[name] for name in TodoPublic.model_fields)


_TODO_PAGE = TypeAdapter(list[TodoPublic])


def _todos(result: Result[Any]) -> list[TodoPublic]:
    """Rows of `public_columns()` as todos."""
    return validate_rows(_TODO_PAGE, result)


_FOUND = TypeAdapter(list[Found])
_DELETIONS = TypeAdapter(list[TodoDeleted])


R = TypeVar("R", TodoPublic, TodoDeleted)


async def _change_and_log(
    conn: AsyncConnection,
    change: Callable[[bool], Change],
    event: events.TodoEvent,
    params: dict[str, Any],
    rows: Callable[[Result[Any]], list[R]],
) -> list[R]:
    """Run the statement `change(postgresql)` (one of the cached builders below) and log
    `event` for each row it returns, read with `rows`. PostgreSQL and CockroachDB: in the
    same statement. SQLite: with a second statement (in the same transaction)."""
    if log.in_statement(conn):
        postgresql = log.is_postgresql(conn)
        logged = log.with_event(change(postgresql), event.columns, postgresql=postgresql)
        return rows(await conn.execute(logged, params))
    changed = rows(await conn.execute(change(False), params))
    from_list_id = params.get("from_list_id")
    await EventRepository.record(conn, [NewEvent(event.of(row, from_list_id)) for row in changed])
    return changed


def _deleted(result: Result[Any]) -> list[TodoDeleted]:
    """Rows of `_deleted_columns()` as the events that tell of them."""
    return validate_rows(_DELETIONS, result)


def _deleted_columns(*, postgresql: bool) -> tuple[ColumnElement[Any], ...]:
    todo = table("todo").c
    returned = (todo.id.label("todo_id"), todo.list_id, todo.version)
    return (*returned, todo.event_txid) if postgresql else returned


def _event_txid(todo: Table) -> ColumnElement[int]:
    """The log's major for the event of a change to `todo` on PostgreSQL (stored in the
    row, so the next change reads it): the change's own transaction id, or the todo's
    last event's if that is larger.

    A change that is one statement runs at READ COMMITTED (`Database.write_statement`),
    where a change that waited for another's row lock re-reads the row and goes ahead
    instead of failing with 40001. PostgreSQL gives a transaction its id at its first
    lock, before any wait, so the one that waited can hold the smaller id while writing
    the larger version; the log, read in (major, id) order, would then put its event
    first. Taking the larger major puts it after, and the event's row id, taken after the
    wait, orders the two. A major larger than the writer's own id is still safe for the
    reader: nothing below the horizon is ever written (see `app.live.log`)."""
    return func.greatest(func.txid_current(), todo.c.event_txid)


@cache
def _insert(*, personal: bool) -> ReturningInsert[Any]:
    """INSERT ... SELECT: the row's values, with the list it goes into as the SELECT
    finds it, which it does only for a caller allowed to add there."""
    todo = table("todo")
    new_values = [
        bindparam(name, type_=todo.c[name].type)
        for name in (
            "id",
            "created_at",
            "updated_at",
            "version",
            "position",
            *TodoCreate.model_fields,
            "due_at",
        )
    ]
    if personal:
        lists = table("todo_list")
        source = select(*new_values, lists.c.id).where(lists.c.personal_of == access.live_user_id())
    else:
        list_id = bindparam("list_id", type_=todo.c.list_id.type)
        source = select(*new_values, list_id).where(
            access.member(list_id, Role.editor, locked=True)
        )
    columns = [value.key for value in new_values] + ["list_id"]
    return insert(todo).from_select(columns, source).returning(*public_columns())


@cache
def _select_page(
    *, personal: bool, filtered: bool, paginated: bool, by_position: bool = True
) -> Select[Any]:
    todo = table("todo")
    query = select(*public_columns()).where(access.todos_in(todo, Role.viewer, personal=personal))
    if filtered:
        query = query.where(todo.c.completed == bindparam("completed"))
    key = todo.c.position if by_position else todo.c.created_at
    if paginated:
        after = (
            bindparam("after_position", type_=POSITION_TYPE)
            if by_position
            else bindparam("after_created_at", type_=UTCDateTime())
        )
        query = query.where(
            tuple_(key, todo.c.id) > tuple_(after, bindparam("after_id", type_=Uuid()))
        )
    return query.order_by(key, todo.c.id).limit(bindparam("limit"))


@cache
def _select_due_page(*, lower: bool, upper: bool, filtered: bool, paginated: bool) -> Select[Any]:
    todo = table("todo")
    query = select(*public_columns()).where(todo.c.due_at.is_not(None), access.visible(todo))
    if lower:
        query = query.where(todo.c.due_at >= bindparam("due_from", type_=UTCDateTime()))
    if upper:
        query = query.where(todo.c.due_at < bindparam("due_until", type_=UTCDateTime()))
    if filtered:
        query = query.where(todo.c.completed == bindparam("completed"))
    if paginated:
        after = tuple_(
            bindparam("after_due_at", type_=UTCDateTime()), bindparam("after_id", type_=Uuid())
        )
        query = query.where(tuple_(todo.c.due_at, todo.c.id) > after)
    return query.order_by(todo.c.due_at, todo.c.id).limit(bindparam("limit"))


@cache
def _select_last_position(*, personal: bool) -> Select[Any]:
    """The largest key of the chosen list (NULL when empty or not the caller's)."""
    todo = table("todo")
    return select(func.max(todo.c.position)).where(
        access.todos_in(todo, Role.viewer, personal=personal)
    )


@cache
def _select_last_in_list() -> Select[Any]:
    """The largest key of the list a todo moves to (its access is the UPDATE's check)."""
    todo = table("todo")
    return select(func.max(todo.c.position)).where(todo.c.list_id == bindparam("list_id"))


@cache
def _select_anchor() -> Select[Any]:
    """The todo a reorder names, if it is in the moved todo's list."""
    todo = table("todo")
    return select(todo.c.position, todo.c.id).where(
        todo.c.id == bindparam("anchor_id"), todo.c.list_id == bindparam("list_id")
    )


@cache
def _select_neighbour(*, forward: bool, bounded: bool) -> Select[Any]:
    """The todo right after (`forward`) or right before the anchor in the list's order,
    leaving out the one being moved; without an anchor, the first or the last."""
    todo = table("todo")
    query = select(todo.c.position, todo.c.id).where(
        todo.c.list_id == bindparam("list_id"), todo.c.id != bindparam("todo_id")
    )
    row = tuple_(todo.c.position, todo.c.id)
    if bounded:
        anchor = tuple_(
            bindparam("anchor_position", type_=POSITION_TYPE),
            bindparam("anchor_id", type_=Uuid()),
        )
        query = query.where(row > anchor if forward else row < anchor)
    if forward:
        return query.order_by(todo.c.position, todo.c.id).limit(1)
    return query.order_by(todo.c.position.desc(), todo.c.id.desc()).limit(1)


@cache
def _select_list_order() -> Select[Any]:
    """The ids of a list's todos in its order, but for the one being moved."""
    todo = table("todo")
    return (
        select(todo.c.id)
        .where(todo.c.list_id == bindparam("list_id"), todo.c.id != bindparam("todo_id"))
        .order_by(todo.c.position, todo.c.id)
    )


@cache
def _set_position() -> Update:
    """A rebalance's new key for one todo: only the key, not its version (see `_rebalance`)."""
    todo = table("todo")
    return (
        update(todo)
        .where(todo.c.id == bindparam("todo_id_"))
        .values(position=bindparam("position_", type_=POSITION_TYPE))
    )


@cache
def _select_one() -> Select[Any]:
    todo = table("todo")
    return select(*public_columns()).where(todo.c.id == bindparam("todo_id"), access.visible(todo))


@cache
def _update(
    fields: frozenset[str], *, conditional: bool, postgresql: bool = False
) -> ReturningUpdate[Any]:
    todo = table("todo")
    new_values: dict[str, Any] = {
        name: bindparam(f"new_{name}", type_=todo.c[name].type) for name in sorted(fields)
    }
    returned = public_columns()
    if postgresql:
        new_values["event_txid"] = _event_txid(todo)
        returned += (todo.c.event_txid,)
    statement = (
        update(todo)
        .where(todo.c.id == bindparam("todo_id"), access.changeable(todo))
        .values(
            **new_values,
            version=todo.c.version + 1,
            updated_at=bindparam("now", type_=UTCDateTime()),
        )
        .returning(*returned)
    )
    if "list_id" in fields:  # a move: the caller must edit the list it goes to as well
        statement = statement.where(access.member(new_values["list_id"], Role.editor, locked=True))
    if conditional:
        statement = statement.where(todo.c.version.in_(bindparam("versions", expanding=True)))
    return statement


@cache
def _delete_one(*, conditional: bool, postgresql: bool = False) -> ReturningDelete[Any]:
    todo = table("todo")
    statement = (
        delete(todo)
        .where(todo.c.id == bindparam("todo_id"), access.changeable(todo))
        .returning(*_deleted_columns(postgresql=postgresql))
    )
    if conditional:
        statement = statement.where(todo.c.version.in_(bindparam("versions", expanding=True)))
    return statement


@cache
def _delete_completed(*, personal: bool, postgresql: bool = False) -> ReturningDelete[Any]:
    todo = table("todo")
    statement = delete(todo).where(
        todo.c.completed.is_(True), access.todos_in(todo, Role.editor, personal=personal)
    )
    return statement.returning(*_deleted_columns(postgresql=postgresql))


@cache
def _delete_in_lists() -> Delete:
    todo = table("todo")
    return delete(todo).where(todo.c.list_id.in_(bindparam("list_ids", expanding=True)))


@cache
def _count_by_completed(*, personal: bool) -> Select[Any]:
    todo = table("todo")
    query = select(todo.c.completed, func.count()).where(
        access.todos_in(todo, Role.viewer, personal=personal)
    )
    return query.group_by(todo.c.completed)
