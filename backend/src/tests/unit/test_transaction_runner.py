"""The transaction runner's contract, on an in-memory SQLite database: re-run the
whole unit on a serialization failure, roll back everything else, give up in bounds."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.platform.db import Database, RetryPolicy, is_retryable
from app.platform.errors import RetryTransactionError, ServiceUnavailableError
from tests.databases import free_port


class SerializationFailureError(Exception):
    sqlstate = "40001"


def serialization_failure() -> DBAPIError:
    return DBAPIError("UPDATE todo ...", {}, SerializationFailureError("restart transaction"))


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = Database("sqlite+aiosqlite://", retry=RetryPolicy(attempts=5, base_delay=0.001))
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
    yield database
    await database.dispose()


async def rows(db: Database) -> list[int]:
    async def read(conn: AsyncConnection) -> list[int]:
        return list((await conn.execute(text("SELECT n FROM counter ORDER BY n"))).scalars())

    return await db.read(read)


async def test_reruns_the_whole_unit_on_40001(db: Database) -> None:
    attempts = 0

    async def work(conn: AsyncConnection) -> str:
        nonlocal attempts
        attempts += 1
        await conn.execute(text("INSERT INTO counter (n) VALUES (:n)"), {"n": attempts})
        if attempts < 3:
            raise serialization_failure()
        return "done"

    assert await db.write(work) == "done"
    assert attempts == 3
    assert await rows(db) == [3], "the failed attempts' writes were rolled back"
    assert db.retries_total == 2


async def test_retry_transaction_error_also_reruns(db: Database) -> None:
    attempts = 0

    async def work(_: AsyncConnection) -> int:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RetryTransactionError
        return attempts

    assert await db.write(work) == 2


async def test_gives_up_after_the_attempt_budget(db: Database) -> None:
    attempts = 0

    async def work(_: AsyncConnection) -> None:
        nonlocal attempts
        attempts += 1
        raise serialization_failure()

    with pytest.raises(ServiceUnavailableError) as caught:
        await db.write(work)
    assert attempts == 5
    assert caught.value.status_code == 503
    assert caught.value.headers == {"Retry-After": "1"}


async def test_other_errors_roll_back_and_propagate(db: Database) -> None:
    async def work(conn: AsyncConnection) -> None:
        await conn.execute(text("INSERT INTO counter (n) VALUES (1)"))
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        await db.write(work)
    assert await rows(db) == []
    assert db.retries_total == 0


async def test_integrity_errors_are_not_retried(db: Database) -> None:
    attempts = 0

    async def work(conn: AsyncConnection) -> None:
        nonlocal attempts
        attempts += 1
        await conn.execute(text("INSERT INTO counter (n) VALUES (NULL)"))

    with pytest.raises(IntegrityError):
        await db.write(work)
    assert attempts == 1


def test_backoff_is_bounded_and_jittered() -> None:
    policy = RetryPolicy(attempts=10, base_delay=0.01, max_delay=0.2)
    delays = [policy.delay(attempt) for attempt in range(1, 30) for _ in range(20)]
    assert all(0 <= d <= 0.2 for d in delays)
    assert len(set(delays)) > 100, "jitter spreads retries apart"


def test_retryable_classification() -> None:
    assert is_retryable(serialization_failure())
    assert is_retryable(RetryTransactionError())
    assert not is_retryable(ValueError())

    class UniqueViolationError(Exception):
        sqlstate = "23505"

    assert not is_retryable(DBAPIError("INSERT", {}, UniqueViolationError()))


async def test_unreachable_database_is_503() -> None:
    db = Database(f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none")
    try:
        with pytest.raises(ServiceUnavailableError):
            await db.read(lambda conn: conn.execute(text("SELECT 1")))
    finally:
        await db.dispose()


async def test_wait_until_ready_gives_up_in_bounded_time() -> None:
    db = Database(f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none")
    started = time.monotonic()
    try:
        with pytest.raises(OSError, match=r"Connect call failed|Connection refused"):
            await db.wait_until_ready(max_wait=1.0)
    finally:
        await db.dispose()
    assert time.monotonic() - started < 5
