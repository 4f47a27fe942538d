"""A database that misbehaves must cost a request a prompt, clear answer, never the
process its pool: a driver-side failure does not poison a pooled connection, and a
server that hangs (rather than fails) gets a 503 within the documented bound."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.accounts.repository import UserRepository
from app.accounts.service import create_account
from app.platform.db import Database
from app.platform.errors import ServiceUnavailableError
from app.platform.security import Caller
from app.todos.repository import TodoRepository
from app.todos.schemas import TodoCreate
from tests.conftest import asgi_client, migrated_app, server_engines_only, signup_and_login
from tests.processes import PrivatePostgres, private_postgres
from tests.sse import error_of, open_stream


@pytest.fixture
async def pool_of_one(app: FastAPI, database_url: str) -> AsyncIterator[Database]:
    """One pooled connection on the migrated test database (in-memory SQLite is one
    shared connection already)."""
    if database_url.startswith("sqlite"):
        yield app.state.db
        return
    db = Database(database_url, pool_size=1)
    try:
        yield db
    finally:
        await db.dispose()


@server_engines_only
async def test_a_server_out_of_connection_slots_is_a_503(database_url: str) -> None:
    """PostgreSQL's "too many clients" (53300) when a connection is needed: unavailable
    for now, like a server that is down, not an error of the request (it was a 500)."""
    role = f"mi_limited_{uuid.uuid4().hex[:12]}"
    admin = Database(database_url)
    await admin.write_statement(
        lambda conn: conn.execute(text(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0"))
    )
    limited = Database(
        make_url(database_url).set(username=role).render_as_string(hide_password=False)
    )
    try:
        with pytest.raises(ServiceUnavailableError):
            await limited.read(lambda conn: conn.scalar(text("SELECT 1")))
    finally:
        await limited.dispose()
        await admin.write_statement(lambda conn: conn.execute(text(f"DROP ROLE {role}")))
        await admin.dispose()


async def test_a_value_the_driver_cannot_encode_leaves_the_pool_usable(
    pool_of_one: Database,
) -> None:
    # asyncpg refuses 2**63 for an INTEGER before the server sees it, mid-exchange;
    # before the fix the connection went back to the pool inside a transaction, and
    # every later write on it failed.
    for _ in range(3):
        with pytest.raises((DBAPIError, OverflowError)):
            await pool_of_one.read(
                lambda conn: UserRepository.get_for_caller(conn, Caller(uuid.uuid4(), 2**63))
            )
    name = f"pool-{uuid.uuid4().hex[:12]}"
    user = await pool_of_one.write(lambda conn: create_account(conn, name=name, password_hash="x"))
    for n in range(20):

        async def create(conn: AsyncConnection, title: str = f"after {n}") -> None:
            await TodoRepository.create(conn, user.as_caller(), None, TodoCreate(title=title))

        await pool_of_one.write(create)
    stats = await pool_of_one.read(lambda conn: TodoRepository.stats(conn, user.as_caller(), None))
    assert stats.total == 20
    assert await pool_of_one.schema_revision() is not None


DB_TIMEOUT = 1.0
BOUND = 2 * DB_TIMEOUT + 0.5  # a wait for the pool, then one connect or statement


@pytest.fixture(scope="module")
async def frozen_app() -> AsyncIterator[tuple[FastAPI, PrivatePostgres]]:
    """The app on a private PostgreSQL that the test can freeze (SIGSTOP)."""
    with private_postgres() as server:
        url = server.admin_url.render_as_string(hide_password=False)
        async with migrated_app(url, db_pool_size=3, db_timeout=DB_TIMEOUT) as app:
            yield app, server


async def test_a_frozen_database_answers_503_within_the_bound(
    frozen_app: tuple[FastAPI, PrivatePostgres],
) -> None:
    app, server = frozen_app
    async with asgi_client(app) as client:
        _, auth = await signup_and_login(client)
        for _ in range(3):  # every pooled connection open and idle
            assert (await client.get("/todo", headers=auth)).status_code == 200

        async def timed(request: Awaitable[httpx.Response]) -> tuple[int, float, str]:
            started = time.monotonic()
            response = await request
            return (
                response.status_code,
                time.monotonic() - started,
                response.headers.get("retry-after", ""),
            )

        requests = [
            *(client.get("/todo", headers=auth) for _ in range(4)),
            *(client.post("/todo", headers=auth, json={"title": "frozen"}) for _ in range(4)),
            client.get("/todo/stats", headers=auth),
            client.post("/auth/login", data={"username": "nobody", "password": "x" * 8}),
            client.get("/readyz"),
        ]
        with server.frozen():
            # Bounded here too, so a regression fails instead of hanging the suite.
            answers = await asyncio.wait_for(asyncio.gather(*map(timed, requests)), 30)
        for status, took, retry_after in answers:
            assert status == 503, answers
            assert retry_after, "503 says when to retry"
            assert took < BOUND, answers

        # Thawed: the discarded connections are replaced, nothing is left broken.
        assert (await client.get("/readyz")).status_code == 200
        created = await client.post("/todo", headers=auth, json={"title": "thawed"})
        assert created.status_code == 201
        listed = await client.get("/todo", headers=auth)
        assert [todo["title"] for todo in listed.json()] == ["thawed"], "no frozen write landed"


@pytest.fixture
async def sqlite_file_app(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, Path]]:
    """The app on an SQLite file, as `make run` serves it."""
    path = tmp_path / "data" / "app.platform.db"
    async with migrated_app(f"sqlite+aiosqlite:///{path}", db_timeout=DB_TIMEOUT) as app:
        yield app, path


async def test_sqlite_reads_go_on_while_another_process_holds_the_write_lock(
    sqlite_file_app: tuple[FastAPI, Path],
) -> None:
    """Before: a write waiting for another process's lock held the process's writer
    queue, which reads queued on too (30 s per attempt, 25 attempts), and /readyz took
    the write lock to read."""
    app, path = sqlite_file_app
    async with asgi_client(app) as client:
        _, auth = await signup_and_login(client)
        assert (
            await client.post("/todo", headers=auth, json={"title": "before"})
        ).status_code == 201

        other_process = sqlite3.connect(path, isolation_level=None)
        other_process.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            started = time.monotonic()
            blocked_write = asyncio.create_task(
                client.post("/todo", headers=auth, json={"title": "blocked"})
            )
            await asyncio.sleep(0.1)  # the write is now waiting for the lock
            listed = await client.get("/todo", headers=auth)
            ready = await client.get("/readyz")
            read_time = time.monotonic() - started
            assert listed.status_code == 200
            assert [todo["title"] for todo in listed.json()] == ["before"]
            assert ready.status_code == 200
            assert read_time < DB_TIMEOUT, "reads did not wait for the writer"

            write = await blocked_write
            assert write.status_code == 503
            assert write.headers["retry-after"]
            assert time.monotonic() - started < BOUND
        finally:
            other_process.rollback()
            other_process.close()
        assert (
            await client.post("/todo", headers=auth, json={"title": "after"})
        ).status_code == 201


async def test_the_sqlite_file_is_private_to_its_owner(
    sqlite_file_app: tuple[FastAPI, Path],
) -> None:
    """It holds password hashes: 0600, and its folder 0700 (SQLite gives its -wal and
    -shm files the database file's mode)."""
    app, path = sqlite_file_app
    async with asgi_client(app) as client:
        await signup_and_login(client)
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


async def test_an_open_stream_outlives_a_frozen_database(
    frozen_app: tuple[FastAPI, PrivatePostgres],
) -> None:
    """While the database hangs, a new stream is a 503 within the bound and an open
    one stays open; thawed, the open one carries the next change."""
    app, server = frozen_app
    async with asgi_client(app) as client:
        _, auth = await signup_and_login(client)
        async with open_stream(app, auth) as stream:
            assert (await stream.next()).type == "ready"
            with server.frozen():
                started = time.monotonic()
                status, headers, _ = await asyncio.wait_for(error_of(app, auth), 30)
                took = time.monotonic() - started
                await asyncio.sleep(2 * DB_TIMEOUT)  # the broker's polls time out meanwhile
            assert status == 503
            assert headers["retry-after"]
            assert took < BOUND
            created = await client.post("/todo", headers=auth, json={"title": "thawed"})
            assert created.status_code == 201
            change = await stream.next(wait=10)
    assert change.type == "todo.created"
    assert change.data["todo"]["id"] == created.json()["id"]
