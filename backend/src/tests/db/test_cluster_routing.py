"""What a PostgreSQL cluster asks of the runner, shown on one server: the URLs that
pick a leader (`target_session_attrs=read-write`) or a standby work for both pools,
a write that lands on a standby runs again on a fresh connection, a cluster without a
leader is a 503, and with DB_FAILOVER_WAIT a unit that cannot have committed waits out
a server's absence (bounded) while one that may have committed does not. The cluster
itself is tests/cluster."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from asyncpg.exceptions import TargetServerAttributeNotMatched
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncTransaction

from app.accounts.service import create_account
from app.platform.db import Database, is_unavailable
from app.platform.errors import ServiceUnavailableError
from tests.conftest import server_engines_only
from tests.processes import private_postgres


def with_attrs(database_url: str, target_session_attrs: str) -> str:
    url = make_url(database_url).update_query_dict({"target_session_attrs": target_session_attrs})
    return url.render_as_string(hide_password=False)


@pytest.fixture
async def leader_only(app: FastAPI, database_url: str) -> AsyncIterator[Database]:
    """The migrated test database, reached as a cluster's leader is: through a URL
    that accepts a read-write server only, for both pools (no DATABASE_READ_URL)."""
    db = Database(with_attrs(database_url, "read-write"), pool_size=1)
    try:
        yield db
    finally:
        await db.dispose()


async def write_in_read(conn: AsyncConnection) -> None:
    await conn.execute(text("UPDATE todo SET version = version WHERE 1 = 0"))


@server_engines_only
async def test_both_pools_connect_with_target_session_attrs(leader_only: Database) -> None:
    # Before the fix the read pool's connections started read-only, asyncpg's
    # read-write check refused every host (TargetServerAttributeNotMatched) and
    # `seed-demo` failed on a Patroni cluster.
    name = f"attrs-{uuid.uuid4().hex[:12]}"
    user = await leader_only.write(lambda c: create_account(c, name=name, password_hash="x"))
    found = await leader_only.read(
        lambda c: c.scalar(text("SELECT name FROM users WHERE id = :id"), {"id": user.id})
    )
    assert found == name
    # ... and the read pool still cannot write.
    with pytest.raises(DBAPIError, match="read-only transaction") as refused:
        await leader_only.read(write_in_read)
    assert refused.value.orig.sqlstate == "25006"  # type: ignore[union-attr]


@server_engines_only
async def test_a_write_refused_as_read_only_runs_again_on_a_fresh_connection(
    leader_only: Database,
) -> None:
    # The write pool's one connection now behaves as a standby's would (a demoted
    # leader behind a proxy): the write is refused (25006), the runner drops that
    # connection and the next one, fresh, takes the write.
    await leader_only.write_statement(
        lambda c: c.execute(text("SET SESSION default_transaction_read_only = on"))
    )
    name = f"standby-{uuid.uuid4().hex[:12]}"
    user = await leader_only.write(lambda c: create_account(c, name=name, password_hash="x"))
    assert user.name == name
    assert leader_only.retries_total == 1


@server_engines_only
async def test_a_cluster_without_a_leader_is_unavailable(app: FastAPI, database_url: str) -> None:
    # Every host answers, none is a standby (as none is a leader mid-failover): asyncpg
    # raises TargetServerAttributeNotMatched while connecting.
    db = Database(with_attrs(database_url, "standby"), pool_size=1)
    try:
        with pytest.raises(ServiceUnavailableError) as refused:
            await db.write(lambda c: c.execute(text("SELECT 1")))
        assert isinstance(refused.value.__cause__, TargetServerAttributeNotMatched)
    finally:
        await db.dispose()


def test_no_matching_host_is_unavailable() -> None:
    assert is_unavailable(TargetServerAttributeNotMatched("none matches read-write"))


@server_engines_only
async def test_waiting_out_a_missing_leader_is_bounded(app: FastAPI, database_url: str) -> None:
    db = Database(with_attrs(database_url, "standby"), pool_size=1, failover_wait=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(ServiceUnavailableError):
            await db.write(lambda c: c.execute(text("SELECT 1")))
    finally:
        await db.dispose()
    waited = time.monotonic() - started
    assert 1.0 <= waited < 3.0, waited


@server_engines_only
async def test_a_unit_cut_before_its_commit_runs_again_and_a_statement_does_not(
    app: FastAPI, database_url: str
) -> None:
    db = Database(database_url, pool_size=1, failover_wait=5.0)
    runs: list[int] = []

    async def cut_once(conn: AsyncConnection) -> int:
        runs.append(1)
        await conn.execute(text("SELECT 1"))
        if len(runs) == 1:
            raise ConnectionResetError("the leader went away")
        return len(runs)

    try:
        # Inside a transaction, before its COMMIT: the server rolled it back.
        assert await db.write(cut_once) == 2
        runs.clear()
        # A statement in autocommit commits itself: it may have, so it is not re-run.
        with pytest.raises(ServiceUnavailableError):
            await db.write_statement(cut_once)
        assert len(runs) == 1
    finally:
        await db.dispose()


@server_engines_only
async def test_an_idempotent_unit_cut_as_it_commits_runs_again(
    app: FastAPI, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reply to a COMMIT is lost (the leader went away as it committed): a unit
    that may run twice (a create under its Idempotency-Key) is run again and finds what
    its first run made; any other is a 503, its fate unknown to the server's client."""
    db = Database(database_url, pool_size=1, failover_wait=5.0)
    real_commit = AsyncTransaction.commit
    lost: list[str] = []

    async def commit_and_lose_the_reply(transaction: AsyncTransaction) -> None:
        await real_commit(transaction)
        if not lost:
            lost.append("the reply")
            raise ConnectionResetError("the leader went away as it committed")

    monkeypatch.setattr(AsyncTransaction, "commit", commit_and_lose_the_reply)

    def create_once(name: str) -> Callable[[AsyncConnection], Awaitable[uuid.UUID]]:
        async def work(conn: AsyncConnection) -> uuid.UUID:
            made = await conn.scalar(text("SELECT id FROM users WHERE name = :n"), {"n": name})
            if made is not None:
                return uuid.UUID(str(made))
            return (await create_account(conn, name=name, password_hash="x")).id

        return work

    async def accounts_named(name: str) -> int:
        count = await db.read(
            lambda c: c.scalar(text("SELECT count(*) FROM users WHERE name = :n"), {"n": name})
        )
        return int(count or 0)

    try:
        name = f"idem-{uuid.uuid4().hex[:12]}"
        await db.write(create_once(name), idempotent=True)
        assert lost
        assert await accounts_named(name) == 1
        lost.clear()
        other = f"idem-{uuid.uuid4().hex[:12]}"
        with pytest.raises(ServiceUnavailableError):
            await db.write(create_once(other))
        assert await accounts_named(other) == 1  # it had committed: only its client can tell
    finally:
        await db.dispose()


async def test_a_server_back_within_the_failover_wait_costs_no_503() -> None:
    with private_postgres() as server:
        url = server.admin_url.render_as_string(hide_password=False)
        db = Database(url, pool_size=1, failover_wait=30.0)
        try:
            assert await db.write(lambda c: c.scalar(text("SELECT 1"))) == 1
            await server.astop("immediate")
            write = asyncio.create_task(db.write(lambda c: c.scalar(text("SELECT 2"))))
            await asyncio.sleep(1.0)  # the server is down for a second, and the write...
            assert not write.done(), "... waits for it rather than answering 503"
            await server.astart()
            assert await write == 2
        finally:
            await db.dispose()
