"""What each engine must give the app: UTC timestamps, SERIALIZABLE, real retries."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi import FastAPI
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.accounts.service import create_account
from app.accounts.tables import User
from app.lists.repository import TodoListRepository
from app.platform.db import Database
from app.todos.repository import TodoRepository
from app.todos.schemas import TodoCreate, TodoUpdate
from app.todos.tables import Todo
from tests import databases
from tests.conftest import server_engines_only


@pytest.fixture
def db(app: FastAPI) -> Database:
    database: Database = app.state.db
    return database


async def new_user(db: Database) -> User:
    name = f"db-{uuid.uuid4().hex[:12]}"
    return await db.write(lambda s: create_account(s, name=name, password_hash="x"))


async def test_timestamps_round_trip_as_utc(db: Database) -> None:
    user = await new_user(db)
    todo = await db.write(
        lambda s: TodoRepository.create(s, user.as_caller(), None, TodoCreate(title="tz"))
    )

    # A fresh transaction, so the value really comes back from the database.
    loaded = await db.read(lambda s: TodoRepository.get(s, user.as_caller(), todo.id))

    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.created_at == todo.created_at  # microseconds survive too


async def test_aware_non_utc_input_is_stored_as_the_same_instant(db: Database) -> None:
    user = await new_user(db)
    plus_two = datetime(2026, 5, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))

    todo_id = uuid.uuid4()
    personal = (await db.read(lambda s: TodoListRepository.mine(s, user.as_caller())))[0]
    row = {
        "id": todo_id,
        "list_id": personal.id,
        "title": "offset",
        "content": "",
        "completed": False,
        "position": "a0",
    }
    row.update(version=0, created_at=plus_two, updated_at=plus_two)
    await db.write(lambda conn: conn.execute(insert(Todo.metadata.tables["todo"]), row))
    loaded = await db.read(lambda s: TodoRepository.get(s, user.as_caller(), todo_id))
    assert loaded.created_at == plus_two
    assert loaded.created_at.tzinfo == UTC


@server_engines_only
async def test_postgres_family_runs_serializable(db: Database) -> None:

    async def isolation(conn: AsyncConnection) -> str:
        return str((await conn.execute(text("SHOW transaction_isolation"))).scalar_one())

    assert (await db.write(isolation)).lower() == "serializable"


@server_engines_only
async def test_reads_cannot_write(db: Database) -> None:
    async def write_in_read(conn: AsyncConnection) -> None:
        await conn.execute(text("UPDATE todo SET version = version WHERE 1 = 0"))

    with pytest.raises(DBAPIError, match="read-only transaction") as refused:
        await db.read(write_in_read)
    assert refused.value.orig.sqlstate == "25006"  # type: ignore[union-attr]


@server_engines_only
async def test_reads_have_a_pool_of_their_own(database_url: str) -> None:
    """A read does not wait for a connection that writes hold (here, every one of them:
    a pool of one, held by a transaction that has not ended)."""
    # A read that waited for the write pool would be refused after `timeout` (a 503).
    db = Database(database_url, pool_size=1, timeout=5.0)
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold(conn: AsyncConnection) -> None:
        await conn.execute(text("SELECT 1"))
        holding.set()
        await release.wait()

    try:
        writer = asyncio.create_task(db.write(hold))
        held = asyncio.create_task(holding.wait())
        # The writer may fail before it holds its connection (a busy server refusing it
        # in time): then its error ends the test, rather than a wait for ever.
        await asyncio.wait({writer, held}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        held.cancel()
        if writer.done():
            writer.result()
        assert holding.is_set(), "the writer did not get its connection within 30 s"
        assert await db.read(lambda conn: conn.scalar(text("SELECT 2"))) == 2
        release.set()
        await writer
    finally:
        release.set()
        await db.dispose()


async def test_interleaved_transactions_conflict_and_the_runner_reruns_one(db: Database) -> None:
    """Two transactions read the same todo, then both write it: a real 40001 on
    PostgreSQL. The loser is re-run from scratch and sees the winner's write."""
    user = await new_user(db)
    todo = await db.write(
        lambda s: TodoRepository.create(s, user.as_caller(), None, TodoCreate(title="0"))
    )
    both_read = asyncio.Barrier(2) if not db.is_sqlite else None
    attempts = {"a": 0, "b": 0}

    def increment(label: str) -> Callable[[AsyncConnection], Awaitable[None]]:
        async def work(conn: AsyncConnection) -> None:
            attempts[label] += 1
            current = await TodoRepository.get(conn, user.as_caller(), todo.id)
            if both_read is not None and attempts[label] == 1:
                await both_read.wait()
            await TodoRepository.update(
                conn, user.as_caller(), todo.id, TodoUpdate(title=str(int(current.title) + 1))
            )

        return work

    await asyncio.gather(db.write(increment("a")), db.write(increment("b")))

    final = await db.read(lambda s: TodoRepository.get(s, user.as_caller(), todo.id))
    assert final.title == "2", "no lost update"
    assert final.version == 2
    if not db.is_sqlite:
        assert sorted(attempts.values()) == [1, 2], "exactly one transaction was re-run"


async def test_real_cockroachdb(cockroach_url: object) -> None:
    """The one test that reports whether a real CockroachDB was available; where one
    is, every API and DB test also runs on it through the `cockroach` parameter."""
    if isinstance(cockroach_url, str):
        pytest.skip(cockroach_url)
    assert databases.real_cockroach_available()
    db = Database(str(cockroach_url))
    try:
        version = await db.read(lambda s: s.execute(text("SELECT version()")))
        assert "CockroachDB" in str(version.scalar_one())
    finally:
        await db.dispose()
