"""Read-your-writes with read replicas (X-Consistency-Token, docs/architecture.md): on
one server, the token's round trip and its validation; a replica that lags is
tests/cluster/test_patroni.py's (`test_a_client_reads_its_own_writes_from_a_lagging_standby`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.accounts.service import create_account
from app.platform.db import Consistency, Database, consistency, parse_consistency_token
from app.platform.errors import ServiceUnavailableError
from tests.conftest import asgi_client, migrated_app, signup_and_login
from tests.databases import free_port

postgresql_only = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
TOKEN = re.compile(r"^[0-9a-f]{16}$")


@pytest.fixture
async def with_replica_url(database_url: str) -> AsyncIterator[FastAPI]:
    """The app with DATABASE_READ_URL set (to the same server: a replica that is never
    behind), so that it issues and honours tokens."""
    async with migrated_app(database_url, database_read_url=database_url) as app:
        yield app


@postgresql_only
async def test_a_write_notes_its_position_and_a_read_follows_it(
    app: FastAPI, database_url: str
) -> None:
    del app  # (it migrated the database)
    db = Database(database_url, read_url=database_url, pool_size=2)
    state = Consistency()
    reset = consistency.set(state)
    try:
        assert db.tracks_positions
        name = f"ryw-{uuid.uuid4().hex[:12]}"
        await db.write(lambda c: create_account(c, name=name, password_hash="x"))
        first = state.written_at
        assert first is not None
        assert first > 0
        await db.write_statement(lambda c: c.execute(text("SELECT 1")))
        assert state.written_at is not None
        assert state.written_at >= first
        # A leader has everything, even a position from the future (a forged token,
        # up to the largest one: 7 and 15 f's).
        for forged in (2**62, 2**63 - 1):
            state.read_after = forged
            assert await db.read(lambda c: c.scalar(text("SELECT 1"))) == 1
            assert await db.read_snapshot(lambda c: c.scalar(text("SELECT 2"))) == 2
    finally:
        consistency.reset(reset)
        await db.dispose()


@postgresql_only
async def test_writes_answer_a_token_and_reads_take_one(with_replica_url: FastAPI) -> None:
    async with asgi_client(with_replica_url) as client:
        _, auth = await signup_and_login(client)
        created = await client.post("/todo", json={"title": "mine"}, headers=auth)
        token = created.headers["x-consistency-token"]
        assert TOKEN.match(token), token
        later = await client.patch(
            f"/todo/{created.json()['id']}",
            json={"completed": True},
            headers={**auth, "If-Match": created.headers["etag"], "X-Consistency-Token": token},
        )
        assert later.headers["x-consistency-token"] >= token  # they sort as strings
        read = await client.get(
            f"/todo/{created.json()['id']}",
            headers={**auth, "X-Consistency-Token": later.headers["x-consistency-token"]},
        )
        assert read.status_code == 200
        assert read.json()["completed"] is True
        assert "x-consistency-token" not in read.headers  # a read wrote nothing


@pytest.mark.parametrize(
    "token",
    [
        *("", "0", "-1", "NaN", "x" * 16, "0" * 17, "0" * 15),
        *("8" + "0" * 15, "f" * 16, "ABCDEF0123456789", " 000000000000000"),
    ],
)
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_a_malformed_token_is_a_400(client: httpx.AsyncClient, token: str) -> None:
    answer = await client.get("/healthz", headers={"X-Consistency-Token": token})
    assert answer.status_code == 400
    assert "X-Consistency-Token" in answer.json()["detail"]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)
async def test_without_replicas_no_token_is_issued_and_one_sent_is_harmless(
    client: httpx.AsyncClient,
) -> None:
    _, auth = await signup_and_login(client)
    created = await client.post("/todo", json={"title": "t"}, headers=auth)
    assert "x-consistency-token" not in created.headers
    read = await client.get("/todo", headers={**auth, "X-Consistency-Token": "7" + "f" * 15})
    assert read.status_code == 200


def test_tokens_parse_back() -> None:
    assert parse_consistency_token("0000000103000148") == 0x1_03000148
    with pytest.raises(ValueError, match="0000000103000148 "):
        parse_consistency_token("0000000103000148 ")


@postgresql_only
async def test_the_brokers_reads_go_to_the_leader(database_url: str) -> None:
    """The event broker is given `reading_from_the_leader()`: its reads never touch the
    read pool (here a replica that is down), its writes go where writes go."""
    down = f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none"
    db = Database(database_url, read_url=down, pool_size=1, timeout=1)
    try:
        with pytest.raises(ServiceUnavailableError):
            await db.read(lambda c: c.scalar(text("SELECT 1")))
        leader = db.reading_from_the_leader()
        assert await leader.read(lambda c: c.scalar(text("SELECT 1"))) == 1
        assert await leader.read_snapshot(lambda c: c.scalar(text("SELECT 2"))) == 2
        assert leader.engine is db.engine  # the same pools, nothing new to dispose
    finally:
        await db.dispose()
