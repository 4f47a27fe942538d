"""The `event` table: the log of changes that `GET /events` streams (an outbox).

A change's events are recorded in the same transaction as the change (`Event.record`,
or inside the change's own statement: `with_event`), so an event exists exactly when
its change committed. Each process's
broker (`app.live.broker`) reads the log in order and hands each event to its own streams:
replicas share nothing but the database.

Reading a log in order is the hard part. Row ids are taken at INSERT time, not at
commit: a transaction that took id 7 and commits after the one that took 8 would be
skipped by a reader that had already moved past 8 (the classic outbox-polling gap). So
an event's place in the log is a `Position` (major, minor) and each engine says up to
where the log is final:

- PostgreSQL: major is the writing transaction's id (`txid_current()`), minor the row
  id. Every transaction whose id is below the oldest one still running
  (`txid_snapshot_xmin(txid_current_snapshot())`, the horizon) has ended, committed or
  not: below the horizon, no event can appear any more. Readers read only below it.
  Within one todo this must also be version order, which transaction ids alone do not
  give at READ COMMITTED (a writer that waited for a row lock may hold the smaller id):
  a todo remembers its last event's major (`todo.event_txid`) and a change's event
  takes the larger of the two (`app.todos.repository._event_txid`). A major above the
  writer's own id is safe: while the writer runs, the horizon is at or below its id.
- SQLite: one writer at a time (BEGIN IMMEDIATE), so ids are taken in commit order:
  major 0, minor the row id, final once visible. AUTOINCREMENT, so no id is reused
  after the rows before it are pruned.
- CockroachDB (a real server; not run in this repository's tests, which have none):
  major is the row's commit timestamp (`crdb_internal_mvcc_timestamp`, an HLC decimal
  read as wall nanoseconds * 10^10 + logical), minor the row id. A statement that
  reads the table at timestamp T waits for every write to it below T and pushes any
  later one above T, so after `head()` (which scans the table and takes T) nothing can
  commit at or below T any more.

No row is written twice and no row is shared: an event is one INSERT, so writes to one
list never contend on a counter. The cost is one more index (`txid`, `id`) per change.

A todo's change carries its event in its own statement where the engine allows it
(`with_event`: PostgreSQL and CockroachDB, a data-modifying CTE whose INSERT builds the
event's JSON from the changed row), which saves a round trip per write; SQLite, which
has no such CTE, records it with a second statement in the same transaction. Either
way the log holds the event's JSON, and `after` hands it on re-serialised through its
schema, so a stream carries the same bytes whatever wrote the row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Numeric,
    Select,
    Text,
    TextClause,
    Uuid,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Delete, Insert, ReturningDelete, ReturningInsert, ReturningUpdate
from sqlmodel.sql.sqltypes import UTCDateTime

from app.live.events import EventColumns
from app.live.schemas import Recorded
from app.live.tables import Event  # noqa: F401 (registers the table)
from app.platform.db import server_flavour
from app.platform.tables import table, utcnow

PRUNE_BATCH = 5000
_BIGINT_MAX = 2**63 - 1
_LOGICAL = 10**10  # CockroachDB's HLC: 10 decimal digits of logical clock
_RECORDED: TypeAdapter[Recorded] = TypeAdapter(Recorded)

Change = ReturningInsert[Any] | ReturningUpdate[Any] | ReturningDelete[Any]
"""A statement that changes rows and returns them, for `with_event` to log."""


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """A place in the event log: (transaction id, row id) on PostgreSQL, (0, row id) on
    SQLite. Ordered as the log is read."""

    major: int
    minor: int

    def text(self) -> str:
        return f"{self.major}.{self.minor}"


START = Position(0, 0)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to record, with who may see it: members of `list_id` (and of
    `from_list_id`, for a move), and the account `user_id` (the member added or
    removed, the account whose session ended)."""

    data: Recorded
    user_id: uuid.UUID | None = None

    def columns(self) -> dict[str, Any]:
        """The event as the log's columns hold it (and `LoggedEvent` reads them back)."""
        return {
            "kind": self.data.type,
            "data": self.data.model_dump_json(),
            "list_id": getattr(self.data, "list_id", None),
            "from_list_id": getattr(self.data, "from_list_id", None),
            "user_id": self.user_id,
        }


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event read back from the log; `data` is its JSON text, sent as it is."""

    position: Position
    kind: str
    data: str
    list_id: uuid.UUID | None
    from_list_id: uuid.UUID | None
    user_id: uuid.UUID | None


class EventRepository:
    """`daos.events`: every statement on `event`."""

    @classmethod
    async def record(cls, conn: AsyncConnection, events: Sequence[NewEvent]) -> None:
        """Append `events` to the log, in this order, in the caller's transaction."""
        if not events:
            return
        now = utcnow()
        rows = [{**event.columns(), "created_at": now} for event in events]
        await conn.execute(_insert(server_flavour(conn) == "postgresql"), rows)

    @classmethod
    async def head(cls, conn: AsyncConnection) -> Position:
        """A position up to which the log is final: every event at or before it is
        visible now, and no event will ever be written before it."""
        flavour = server_flavour(conn)
        if flavour == "sqlite":
            last_id = await conn.scalar(_select_sqlite_sequence())
            return Position(0, last_id or 0)
        if flavour == "cockroachdb":
            read_at = await conn.scalar(_select_cockroach_read_timestamp())
            return Position(_hlc_to_int(read_at), _BIGINT_MAX)
        horizon: int = await conn.scalar(_select_horizon())
        # Everything in transactions below the horizon; nothing of the horizon's own.
        return Position(horizon - 1, _BIGINT_MAX)

    @classmethod
    async def after(
        cls,
        conn: AsyncConnection,
        position: Position,
        *,
        until: Position | None,
        limit: int,
        user_id: uuid.UUID | None = None,
        list_ids: Collection[uuid.UUID] = (),
    ) -> list[LoggedEvent]:
        """The events after `position` up to `until` (a `head()`; None: every event this
        snapshot sees, final or not), oldest first, at most `limit`. With `user_id`,
        only those of `list_ids` or addressed to that account."""
        params: dict[str, Any] = {
            "after_major": position.major,
            "after_minor": position.minor,
            "limit": limit,
        }
        if until is not None:
            params.update(until_major=until.major, until_minor=until.minor)
        if user_id is not None:
            params.update(user_id=user_id, list_ids=list(list_ids))
        cockroach = server_flavour(conn) == "cockroachdb"
        if cockroach:
            for name in ("after_major", "until_major"):
                if name in params:
                    params[name] = _int_to_hlc(params[name])
        statement = _select_after(
            scoped=user_id is not None, cockroach=cockroach, bounded=until is not None
        )
        result = await conn.execute(statement, params)
        return [
            LoggedEvent(
                position=Position(_hlc_to_int(row.txid) if cockroach else row.txid, row.id),
                kind=row.kind,
                data=_as_sent(row.data),
                list_id=row.list_id,
                from_list_id=row.from_list_id,
                user_id=row.user_id,
            )
            for row in result
        ]

    @classmethod
    async def prune(cls, conn: AsyncConnection, before: datetime) -> int:
        """Delete up to PRUNE_BATCH events older than `before`; returns how many (call
        again while it is PRUNE_BATCH: one bounded statement each)."""
        result = await conn.execute(_delete_older(), {"before": before, "limit": PRUNE_BATCH})
        deleted: int = result.rowcount
        return deleted


def in_statement(conn: AsyncConnection) -> bool:
    """Whether a change logs its event inside its own statement (`with_event`), as
    PostgreSQL and CockroachDB allow; SQLite records it with a second statement."""
    return server_flavour(conn) != "sqlite"


def is_postgresql(conn: AsyncConnection) -> bool:
    """Whether the log's major is the transaction id (see the top): a `with_event`
    statement is built for one server or the other."""
    return server_flavour(conn) == "postgresql"


@cache  # built once per statement: `change` and `describe` are built once themselves
def with_event(change: Change, describe: Callable[[CTE], EventColumns], *, postgresql: bool) -> Any:
    """`change` and the INSERT of one event per row it returns, as one statement:
    `WITH changed AS (<change>), logged AS (INSERT INTO event ... SELECT ... FROM changed)
    SELECT * FROM changed`. Its rows are `change`'s; its `now` bind value is the
    events' `created_at`. `describe` builds an event's columns from a changed row.

    On PostgreSQL a changed row that returns `event_txid` (the major of the last event
    about it) gets an event whose major is at least that: see `app.todos.repository`."""
    changed = change.cte("changed")
    event = table("event")
    columns = describe(changed)
    txid: ColumnElement[int] = literal(0)
    if postgresql:
        txid = func.txid_current()
        if "event_txid" in changed.c:
            txid = func.greatest(txid, changed.c.event_txid)
    rows = select(
        txid,
        columns["kind"],
        columns["list_id"],
        columns.get("from_list_id", literal(None, Uuid())),
        cast(columns["data"], Text()),
        bindparam("now", type_=UTCDateTime()),
    ).select_from(changed)
    names = ("txid", "kind", "list_id", "from_list_id", "data", "created_at")
    logged = insert(event).from_select(names, rows).cte("logged")
    return select(changed).add_cte(logged)


def _as_sent(data: str) -> str:
    """An event's JSON as its schema serialises it: the same bytes whether Pydantic wrote
    the row or the database did (`json_build_object` spaces its keys, writes timestamps
    with an offset)."""
    return _RECORDED.dump_json(_RECORDED.validate_json(data)).decode()


def _hlc_to_int(timestamp: Decimal) -> int:
    """CockroachDB's HLC decimal (`<wall ns>.<10-digit logical>`) as one integer."""
    wall, _, logical = format(timestamp, "f").partition(".")
    return int(wall) * _LOGICAL + int(logical.ljust(10, "0")[:10])


def _int_to_hlc(value: int) -> Decimal:
    return Decimal(f"{value // _LOGICAL}.{value % _LOGICAL:010d}")


@cache
def _insert(with_txid: bool) -> Insert:
    event = table("event")
    txid: ColumnElement[int] = func.txid_current() if with_txid else literal(0)
    return insert(event).values(
        txid=txid,
        kind=bindparam("kind"),
        list_id=bindparam("list_id", type_=Uuid()),
        from_list_id=bindparam("from_list_id", type_=Uuid()),
        user_id=bindparam("user_id", type_=Uuid()),
        data=bindparam("data"),
        created_at=bindparam("created_at", type_=UTCDateTime()),
    )


@cache
def _select_horizon() -> Select[Any]:
    return select(func.txid_snapshot_xmin(func.txid_current_snapshot()))


@cache
def _select_sqlite_sequence() -> TextClause:
    # AUTOINCREMENT's high-water mark: the last id ever taken, pruned or not.
    return text("SELECT seq FROM sqlite_sequence WHERE name = 'event'")


@cache
def _select_cockroach_read_timestamp() -> Select[Any]:
    # Counting scans the whole (pruned) log at the statement's timestamp: see the top.
    event = table("event")
    return select(func.cluster_logical_timestamp(), func.count()).select_from(event)


@cache
def _select_after(*, scoped: bool, cockroach: bool, bounded: bool = True) -> Select[Any]:
    event = table("event")
    if cockroach:
        major: ColumnElement[Any] = literal_column("crdb_internal_mvcc_timestamp", Numeric())
        decimal = Numeric(asdecimal=True)
        after, until = (
            bindparam("after_major", type_=decimal),
            bindparam("until_major", type_=decimal),
        )
        after_id = bindparam("after_minor", type_=BigInteger())
        until_id = bindparam("until_minor", type_=BigInteger())
        # Spelled out: a row comparison with the hidden column is not one to rely on.
        in_range = or_(major > after, and_(major == after, event.c.id > after_id))
        if bounded:
            in_range = and_(
                in_range, or_(major < until, and_(major == until, event.c.id <= until_id))
            )
    else:
        major = event.c.txid
        position = tuple_(event.c.txid, event.c.id)
        in_range = position > tuple_(bindparam("after_major"), bindparam("after_minor"))
        if bounded:
            in_range = and_(
                in_range,
                position <= tuple_(bindparam("until_major"), bindparam("until_minor")),
            )
    query = select(
        event.c.id,
        major.label("txid"),
        event.c.kind,
        event.c.data,
        event.c.list_id,
        event.c.from_list_id,
        event.c.user_id,
    ).where(in_range)
    if scoped:
        query = query.where(
            or_(
                event.c.user_id == bindparam("user_id", type_=Uuid()),
                event.c.list_id.in_(bindparam("list_ids", expanding=True)),
                event.c.from_list_id.in_(bindparam("list_ids", expanding=True)),
            )
        )
    return query.order_by(major, event.c.id).limit(bindparam("limit"))


@cache
def _delete_older() -> Delete:
    event = table("event")
    oldest = (
        select(event.c.id)
        .where(event.c.created_at < bindparam("before", type_=UTCDateTime()))
        .order_by(event.c.created_at)
        .limit(bindparam("limit"))
    )
    return delete(event).where(event.c.id.in_(oldest))
