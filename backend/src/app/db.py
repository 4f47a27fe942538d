"""The database: one engine per process, and the one place transactions run.

Every unit of work goes through `Database.read` or `Database.write`. They take a
connection from the pool, run the work, commit (or roll back on error) and, when the
database reports a serialization conflict (SQLSTATE 40001) or SQLite is busy, run the
WHOLE unit again after a jittered exponential backoff. That is why work is passed
in as a callable: a retry must replay every statement against a fresh snapshot,
which a savepoint cannot do on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import structlog
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from app.errors import RetryTransactionError, ServiceUnavailableError

T = TypeVar("T")
UnitOfWork = Callable[[AsyncConnection], Awaitable[T]]

log = structlog.get_logger(__name__)

SERIALIZATION_FAILURE = "40001"
SQLITE_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
SQLITE_DEFERRED = "sqlite_deferred_begin"
READ_ONLY = "minor_illusion_read_only"


class ReadOnlyViolationError(RuntimeError):
    """A unit of work passed to `Database.read` tried to write."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 25
    base_delay: float = 0.005
    max_delay: float = 0.5

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)]."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))  # noqa: S311


def is_retryable(exc: BaseException) -> bool:
    """True for failures where re-running the whole transaction is safe and useful."""
    if isinstance(exc, RetryTransactionError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == SERIALIZATION_FAILURE:
        return True
    # The cockroachdb dialect can wrap the driver error one level deeper.
    if getattr(getattr(orig, "__cause__", None), "sqlstate", None) == SERIALIZATION_FAILURE:
        return True
    return getattr(orig, "sqlite_errorcode", None) in SQLITE_BUSY_CODES


def is_unavailable(exc: BaseException) -> bool:
    """True when the database could not be reached (as opposed to a bad statement)."""
    if isinstance(exc, PoolTimeoutError | OSError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        return _is_unavailable_sqlstate(getattr(exc.orig, "sqlstate", None))
    # A server error while *connecting* reaches us as the driver's own exception, not
    # wrapped in DBAPIError: e.g. asyncpg's CannotConnectNowError (57P03) while the
    # server is starting up or recovering.
    return _is_unavailable_sqlstate(getattr(exc, "sqlstate", None))


def _is_unavailable_sqlstate(sqlstate: object) -> bool:
    # Class 08: connection exception; 57P0x: the server is shutting down or restarting.
    return isinstance(sqlstate, str) and sqlstate.startswith(("08", "57P0"))


class Database:
    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.url: URL = make_url(url)
        self.retry = retry or RetryPolicy()
        self.engine: AsyncEngine = _create_engine(self.url, pool_size=pool_size)
        self._read_engine = self.engine.execution_options(**_readonly_options(self.url))
        # SQLite has one writer; inside a process we queue for it here instead of
        # spinning on SQLITE_BUSY. (Across processes, busy_timeout does the waiting.)
        self._sqlite_lock = asyncio.Lock() if self.is_sqlite else None
        self.retries_total = 0  # transactions re-run since start: a contention gauge

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    async def read(self, work: UnitOfWork[T]) -> T:
        """Run `work`, which only queries: see `_readonly_options` for how."""
        return await self._run(work, readonly=True)

    async def write(self, work: UnitOfWork[T]) -> T:
        """Run `work` in a read-write transaction, committed once it returns."""
        return await self._run(work, readonly=False)

    async def _run(self, work: UnitOfWork[T], *, readonly: bool) -> T:
        for attempt in range(1, self.retry.attempts + 1):
            try:
                async with self._connection(readonly=readonly) as conn, conn.begin():
                    return await work(conn)
            except Exception as exc:
                if is_unavailable(exc):
                    log.warning("database_unavailable", error=type(exc).__name__)
                    raise ServiceUnavailableError from exc
                if not is_retryable(exc):
                    raise
                if attempt == self.retry.attempts:
                    log.warning("transaction_retries_exhausted", attempts=attempt)
                    raise ServiceUnavailableError(
                        "Too much contention on this data; retry shortly"
                    ) from exc
                self.retries_total += 1
                log.debug("transaction_retry", attempt=attempt, reason=_reason(exc))
            await asyncio.sleep(self.retry.delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.asynccontextmanager
    async def _connection(self, *, readonly: bool) -> AsyncIterator[AsyncConnection]:
        engine = self._read_engine if readonly else self.engine
        async with self._sqlite_lock or contextlib.nullcontext(), engine.connect() as conn:
            yield conn

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def wait_until_ready(self, max_wait: float) -> None:
        """Retry the first connection with backoff, so a backend started before its
        database waits for it instead of crash-looping."""
        deadline = time.monotonic() + max_wait
        delay = 0.2
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.ping()
            except Exception as exc:
                if not is_unavailable(exc) and not isinstance(exc, DBAPIError):
                    raise
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    log.error("database_not_ready", attempts=attempt, error=str(exc))
                    raise
                log.warning(
                    "waiting_for_database",
                    attempt=attempt,
                    retry_in=round(min(delay, remaining), 2),
                    error=type(exc).__name__,
                )
                await asyncio.sleep(min(delay, remaining))
                delay = min(delay * 2, 5.0)
            else:
                if attempt > 1:
                    log.info("database_ready", attempts=attempt)
                return

    async def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None before the first migration)."""
        async with self.engine.connect() as conn:
            has_table = await conn.run_sync(
                lambda sync_conn: sync_conn.dialect.has_table(sync_conn, "alembic_version")
            )
            if not has_table:
                return None
            result = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return result.scalar_one_or_none()

    async def dispose(self) -> None:
        await self.engine.dispose()


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None) or exc)


def _create_engine(url: URL, *, pool_size: int) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url)
    # PostgreSQL and CockroachDB: SERIALIZABLE everywhere, so both behave alike and
    # the runner's 40001 retry is the one concurrency story.
    engine = create_async_engine(
        url,
        isolation_level="SERIALIZABLE",
        # A fixed pool: requests beyond it wait for a connection (up to pool_timeout)
        # instead of opening and closing overflow connections under load.
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=10,
        # An unreachable host fails a connection attempt in 5 s (asyncpg waits 60 s by
        # default), so an outage becomes a prompt 503 rather than a hung request.
        connect_args={"timeout": 5},
    )
    event.listen(engine.sync_engine, "before_cursor_execute", _refuse_writes_in_reads)
    return engine


def ensure_sqlite_directory(url: URL | str) -> None:
    """SQLite creates the database file but not its folder (e.g. a fresh `data/`)."""
    url = make_url(url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _readonly_options(url: URL) -> dict[str, Any]:
    """Execution options for `Database.read`.

    On PostgreSQL and CockroachDB a read runs in autocommit: each statement is its own
    transaction with its own consistent snapshot, and costs one round trip instead of
    three (BEGIN, SELECT, COMMIT). Read units are single queries, so nothing is lost;
    the guard below makes sure they stay reads.
    """
    if url.get_backend_name() == "sqlite":
        return {SQLITE_DEFERRED: True}
    return {"isolation_level": "AUTOCOMMIT", READ_ONLY: True}


def _refuse_writes_in_reads(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    if conn.get_execution_options().get(READ_ONLY) and not _is_query(statement):
        raise ReadOnlyViolationError(statement.split(None, 1)[0])


def _is_query(statement: str) -> bool:
    return statement.lstrip()[:6].upper() == "SELECT"


def _create_sqlite_engine(url: URL) -> AsyncEngine:
    in_memory = (url.database or "") in ("", ":memory:")
    kwargs: dict[str, Any] = {"connect_args": {"timeout": 30}}
    if in_memory:
        # One shared connection, or every checkout would see a new empty database.
        kwargs["poolclass"] = StaticPool
    ensure_sqlite_directory(url)
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers BEGIN IMMEDIATE: taking the write lock up front means a
        # read-then-write transaction never fails upgrading its lock mid-way.
        deferred = conn.get_execution_options().get(SQLITE_DEFERRED, False)
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

    return engine
