"""Faults, against a private PostgreSQL this module starts, stops and restarts itself
(the machine's shared server is never touched): what a client sees, and what is in the
database afterwards.

Each test prints its figures (run with `-s` to see them): requests sent, how they ended,
client retries, and the rows the database holds at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.platform.db import is_unavailable
from tests import databases
from tests.processes import (
    PrivatePostgres,
    backend_env,
    migrated_env,
    private_postgres,
    running_backend,
    wait_until,
)
from tests.scaleout.harness import running_nginx
from tests.scaleout.load import Tally, create_todo, login, new_user_name, send

REQUEST_TIMEOUT = 10.0  # seconds; a request that takes longer is a hang
BOUNDED_503 = 5.0  # seconds: the slowest any request may take while the database is down


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    with private_postgres() as server:
        yield server


@pytest.fixture
async def database_url(postgres: PrivatePostgres) -> AsyncIterator[str]:
    """A fresh, migrated database on the private server."""
    if not postgres.running():
        await postgres.astart()  # a failed test may have left it stopped
    fresh = await databases.create_database(postgres.admin_url, prefix="mi_fault")
    url = fresh.render_as_string(hide_password=False)
    yield url
    if postgres.running():
        await databases.drop_database(postgres.admin_url, fresh)


async def rows_of(database_url: str, user_name: str) -> list[str]:
    """The ids of the todos in `user_name`'s personal list, read straight from the
    database."""
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        records = await conn.fetch(
            "SELECT t.id FROM todo t JOIN todo_list l ON l.id = t.list_id"
            " JOIN users u ON u.id = l.personal_of WHERE u.name = $1",
            user_name,
        )
    finally:
        await conn.close()
    return [str(record["id"]) for record in records]


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (asyncpg.exceptions.CannotConnectNowError("starting up"), True),  # 57P03
        (asyncpg.exceptions.AdminShutdownError("shutting down"), True),  # 57P01
        (asyncpg.exceptions.InvalidCatalogNameError("no such database"), False),  # 3D000
        (asyncpg.exceptions.InvalidPasswordError("bad password"), False),  # 28P01
    ],
)
def test_errors_raised_while_connecting_are_classified(error: Exception, unavailable: bool) -> None:
    """The driver raises these unwrapped (SQLAlchemy wraps only statement errors): a
    server that is starting or stopping is a 503, a wrong URL stays a loud failure."""
    assert is_unavailable(error) is unavailable


async def test_backend_started_before_the_database_waits_then_serves(
    postgres: PrivatePostgres, database_url: str, tmp_path: Path
) -> None:
    env = migrated_env(database_url, tmp_path, DB_CONNECT_TIMEOUT="60")
    await postgres.astop("fast")
    with running_backend(env, tmp_path, "early", wait=False) as backend:
        # Let it try (and fail) to connect a few times: it must keep waiting, not exit.
        await asyncio.to_thread(
            wait_until,
            lambda: backend.count_events("waiting_for_database") >= 3 or not backend.alive(),
            timeout=30,
            what="the backend to retry its first connection",
        )
        assert backend.alive(), f"the backend gave up instead of waiting:\n{backend.log_text()}"
        assert not backend.healthy(), "it must not serve before it has a database"

        await postgres.astart()
        await asyncio.to_thread(backend.wait_healthy, 30)
        async with httpx.AsyncClient(base_url=backend.url) as client:
            assert (await client.get("/readyz")).status_code == 200
            auth = await login(client, new_user_name())
            assert (await client.post("/todo", json={"title": "late"}, headers=auth)).is_success

        waits = backend.count_events("waiting_for_database")
        print(f"\nstarted before its database: waited {waits} times, then served")
        assert waits >= 3
        assert backend.count_events("started") == 1, "one start: no crash loop"
        assert backend.alive()


async def test_database_outage_under_load(
    postgres: PrivatePostgres, database_url: str, tmp_path: Path
) -> None:
    env = migrated_env(database_url, tmp_path)
    tally = Tally()
    acknowledged: list[str] = []
    name = new_user_name()
    with running_backend(env, tmp_path, "outage") as backend:
        pid = backend.process.pid
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 90
        async with httpx.AsyncClient(base_url=backend.url, timeout=REQUEST_TIMEOUT) as client:
            auth = await login(client, name)
            stop = asyncio.Event()

            async def writer(w: int) -> None:
                for n in itertools.count():
                    if stop.is_set():
                        return
                    todo = await create_todo(client, tally, auth, f"w{w}-{n}", deadline=deadline)
                    acknowledged.append(str(todo["id"]))

            async def reader() -> None:
                while not stop.is_set():
                    await send(client, tally, "GET", "/todo?limit=5", headers=auth)
                    await asyncio.sleep(0.02)

            tasks = [asyncio.create_task(writer(w)) for w in range(4)]
            tasks += [asyncio.create_task(reader()) for _ in range(2)]
            try:
                await asyncio.sleep(1.5)
                before = tally.ok
                await postgres.astop("immediate")  # a crash: no goodbye to the clients
                down_at = loop.time()
                await asyncio.sleep(1.0)
                readyz = await client.get("/readyz")
                assert readyz.status_code == 503, readyz.text
                assert readyz.headers["retry-after"] == "1"
                await asyncio.sleep(2.0)
                during = tally.count(503)

                await postgres.astart()
                up_at = loop.time()
                while (await client.get("/readyz")).status_code != 200:
                    assert loop.time() - up_at < 20, "the backend did not recover"
                    await asyncio.sleep(0.1)
                recovered_in = loop.time() - up_at
                await asyncio.sleep(1.5)  # and keeps serving
            finally:
                stop.set()
                await asyncio.gather(*tasks)
        assert backend.alive(), "recovered without a restart"
        assert backend.process.pid == pid

    rows = await rows_of(database_url, name)
    print(
        f"\ndatabase outage ({up_at - down_at:.1f} s) under load: {tally.summary()}; "
        f"acknowledged writes {len(acknowledged)}, rows in the database {len(rows)}; "
        f"recovered {recovered_in:.2f} s after the database came back"
    )
    assert before > 0, "load ran before the outage"
    assert during > 0, "and during it"
    assert set(tally.statuses) <= {200, 201, 503}, "no 500, no other error"
    assert not tally.transport_errors, "no dropped connection, no hang"
    assert tally.unavailable_without_retry_after == 0
    assert tally.slowest < BOUNDED_503
    assert sorted(rows) == sorted(acknowledged), "every acknowledged write, exactly once"


TOTAL_REQUESTS = 500
KILL_AT = 150
HELD_READS = 8  # reads held in flight inside the replicas when the victim is killed
CONCURRENCY = 8


@contextlib.asynccontextmanager
async def todo_table_locked(database_url: str) -> AsyncIterator[None]:
    """Hold an exclusive lock on the todo table: every request that touches it waits,
    in flight inside a backend, until the block exits."""
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("LOCK TABLE todo IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            await transaction.rollback()
    finally:
        await conn.close()


async def test_replica_killed_during_a_run_through_nginx(database_url: str, tmp_path: Path) -> None:
    env_victim = migrated_env(database_url, tmp_path / "victim")
    env_survivor = backend_env(database_url, tmp_path / "survivor")
    tally = Tally()
    acknowledged: list[str] = []
    failed_reads: list[str] = []
    name = new_user_name()
    pick = random.Random(7)
    with (
        running_backend(env_victim, tmp_path, "victim") as victim,
        running_backend(env_survivor, tmp_path, "survivor") as survivor,
        running_nginx((victim.address, survivor.address)) as proxy,
    ):
        deadline = asyncio.get_running_loop().time() + 90
        async with httpx.AsyncClient(base_url=proxy.url, timeout=REQUEST_TIMEOUT) as client:
            auth = await login(client, name)
            requests = itertools.count()

            async def read() -> None:
                # Reads are never retried by the client: nginx must do it.
                todo_id = pick.choice(acknowledged)
                outcome = await send(client, tally, "GET", f"/todo/{todo_id}", headers=auth)
                if not isinstance(outcome, httpx.Response) or outcome.status_code != 200:
                    failed_reads.append(repr(outcome))

            async def kill_the_victim_mid_flight() -> None:
                # With the table locked, the workers' requests and HELD_READS more pile up
                # inside both replicas (round robin puts half of them on the victim);
                # then the victim dies with them in flight.
                async with todo_table_locked(database_url):
                    held = [asyncio.create_task(read()) for _ in range(HELD_READS)]
                    await asyncio.sleep(0.5)
                    await asyncio.to_thread(victim.kill)
                await asyncio.gather(*held)

            async def worker() -> None:
                while (n := next(requests)) < TOTAL_REQUESTS:
                    if n == KILL_AT:
                        await kill_the_victim_mid_flight()
                    if n % 2 == 0 or not acknowledged:
                        todo = await create_todo(client, tally, auth, f"r{n}", deadline=deadline)
                        acknowledged.append(str(todo["id"]))
                    else:
                        await read()

            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

        assert victim.process.returncode == -signal.SIGKILL
        assert survivor.alive()
        upstreams = [line.split("upstream=")[1].split()[0] for line in proxy.access_lines()]
        failed_over = [u for u in upstreams if "," in u]

    rows = await rows_of(database_url, name)
    print(
        f"\nreplica SIGKILLed at request {KILL_AT} of {TOTAL_REQUESTS} (+{HELD_READS} reads "
        f"held in flight) through nginx: {tally.summary()}; nginx re-sent {len(failed_over)} "
        f"to the other replica; acknowledged writes {len(acknowledged)}, "
        f"rows in the database {len(rows)}"
    )
    assert not failed_reads, f"nginx did not retry these reads: {failed_reads[:5]}"
    assert failed_over, "requests in flight on the victim went to the survivor"
    assert tally.sent - tally.retried == TOTAL_REQUESTS + HELD_READS
    assert set(tally.statuses) <= {200, 201, 502}, "a 502 is a dropped POST, retried"
    assert sorted(rows) == sorted(acknowledged), "nothing lost, nothing duplicated"


async def test_sigterm_drains_in_flight_requests(database_url: str, tmp_path: Path) -> None:
    # The requests wait ~2.5 s on a lock: longer than DB_TIMEOUT's default would allow.
    env = migrated_env(database_url, tmp_path, DB_TIMEOUT="30")
    with running_backend(env, tmp_path, "drain", graceful_timeout=20) as backend:
        async with httpx.AsyncClient(base_url=backend.url, timeout=30) as client:
            auth = await login(client, new_user_name())
            # Hold a lock the requests must wait for: they are in flight, inside the app.
            async with todo_table_locked(database_url):
                reads = [asyncio.create_task(client.get("/todo", headers=auth)) for _ in range(3)]
                write = asyncio.create_task(
                    client.post("/todo", json={"title": "in flight"}, headers=auth)
                )
                in_flight = [*reads, write]
                await asyncio.sleep(1.0)
                assert not any(task.done() for task in in_flight)

                backend.process.send_signal(signal.SIGTERM)
                await asyncio.sleep(1.5)
                assert backend.alive(), "it waits for in-flight requests"
                assert not any(task.done() for task in in_flight)
            responses = await asyncio.gather(*in_flight)
        code = await asyncio.to_thread(backend.process.wait, 30)

    statuses = [response.status_code for response in responses]
    print(f"\nSIGTERM with {len(in_flight)} requests in flight: {statuses}, exit code {code}")
    assert statuses == [200, 200, 200, 201]
    assert code == 0
