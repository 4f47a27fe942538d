"""The database: one engine per process, and the one place transactions run.

Every unit of work goes through `Database.read`, `Database.write` or
`Database.write_statement`. They take a connection from the pool, run the work, commit
(or roll back on error) and, when the database reports a serialization conflict
(SQLSTATE 40001), run the WHOLE unit again after a jittered exponential backoff. That
is why work is passed in as a callable: a retry must replay every statement against a
fresh snapshot, which a savepoint cannot do on PostgreSQL.

Every wait on the database is bounded by `timeout` (DB_TIMEOUT): for a pooled
connection, for a new connection, for one statement. A database that hangs rather than
fails (a frozen server, a partition) costs a request a 503 within two such waits, not a
hung request; a connection that timed out, or that the driver failed on its own side,
is discarded rather than returned to the pool in an unknown state.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import enum
import os
import random
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import structlog
from asyncpg.exceptions import TargetServerAttributeNotMatched
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection, StaticPool
from sqlalchemy.util import await_only

from app.platform.errors import RetryTransactionError, ServiceUnavailableError
from app.platform.telemetry.metrics import (
    DB_POOL_WAITING,
    DB_READS_ON_LEADER,
    DB_RERUNS,
    DB_SERVER,
    DB_TRANSACTIONS,
    DB_UNAVAILABLE,
)

T = TypeVar("T")
UnitOfWork = Callable[[AsyncConnection], Awaitable[T]]

log = structlog.get_logger(__name__)

SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"  # PostgreSQL aborted one of the waiters: safe to re-run too
RETRYABLE_SQLSTATES = frozenset({SERIALIZATION_FAILURE, DEADLOCK_DETECTED})
# A write refused because the server is (now) a read-only standby: nothing was written,
# and a fresh connection finds the leader (docs/architecture.md, "A PostgreSQL cluster").
READ_ONLY_TRANSACTION = "25006"
TOO_MANY_CONNECTIONS = "53300"
SQLITE_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
SQLITE_DEFERRED = "sqlite_deferred_begin"
COCKROACHDB_SERVER = "minor_illusion_cockroachdb_server"


DEFAULT_TIMEOUT = 2.0
FAILOVER_POLL = 0.2  # seconds between runs of a unit waiting out a failover


class Mode(enum.Enum):
    READ = "read"  # queries only, each its own snapshot
    SNAPSHOT = "snapshot"  # queries only, all in one snapshot
    WRITE = "write"  # one SERIALIZABLE transaction, re-run on 40001
    STATEMENT = "statement"  # one self-contained statement at the engine's default isolation


# Each mode's series, looked up once: `labels()` per unit of work would double the cost.
_TRANSACTIONS_BY_MODE = {mode: DB_TRANSACTIONS.labels(mode.value) for mode in Mode}

# The causes of a 503 and of a re-run this runner is known to meet (a conflict, a write on
# a standby, a server shutting down, restarting or refusing, a cluster without a leader,
# no connection slot, a pool or statement timeout, a unit out of re-runs): each series
# is exported at 0 from the start, so that a dashboard panel or a `rate()` alert sees
# it before the first failover (`_unavailable_reason` and `_reason` name the others as
# they come: any SQLSTATE of classes 08 and 57P0, any exception class).
KNOWN_UNAVAILABLE_REASONS = (
    "57P01",  # admin_shutdown: the server is stopping (a switchover, a restart)
    "57P03",  # cannot_connect_now: starting up, or in recovery
    "08006",  # connection_failure
    TOO_MANY_CONNECTIONS,
    "ConnectionRefusedError",
    "ConnectionResetError",
    "TargetServerAttributeNotMatched",
    "TimeoutError",
    "retries_exhausted",
)
KNOWN_RERUN_REASONS = (
    SERIALIZATION_FAILURE,
    DEADLOCK_DETECTED,
    READ_ONLY_TRANSACTION,
    "retry_requested",
    *[reason for reason in KNOWN_UNAVAILABLE_REASONS if reason != "retries_exhausted"],
)
for _mode in Mode:
    for _reason_label in KNOWN_RERUN_REASONS:
        DB_RERUNS.labels(_mode.value, _reason_label)
for _reason_label in KNOWN_UNAVAILABLE_REASONS:
    DB_UNAVAILABLE.labels(_reason_label)


# --- read-your-writes --------------------------------------------------------------------
@dataclass
class Consistency:
    """A request's place in the leader's write-ahead log, when reads go to replicas
    (docs/architecture.md, "Read-your-writes"): `read_after`, the position the client
    has seen (its X-Consistency-Token), which a replica must have replayed before it
    serves this request's reads; `written_at`, the newest commit this request made."""

    read_after: int | None = None
    written_at: int | None = None


# Set per request by ConsistencyTokenMiddleware; the runner reads and updates it.
consistency: ContextVar[Consistency | None] = ContextVar("consistency", default=None)
TOKEN_DIGITS = 16  # a WAL position (64 bits) in hex, zero-padded: tokens sort as strings
REPLAY_POLL = 0.01  # seconds between two looks at a replica's replay position


def parse_consistency_token(token: str) -> int:
    """The WAL position a token names: ValueError unless it is one this API returns
    (PostgreSQL's positions are below 2**63 in practice, and asyncpg passes them as
    signed 64-bit integers)."""
    if len(token) != TOKEN_DIGITS or token.strip("0123456789abcdef") or token[0] > "7":
        raise ValueError(token)
    return int(token, 16)


def consistency_token(position: int) -> str:
    return f"{position:0{TOKEN_DIGITS}x}"


class _ReplicaBehindError(Exception):
    """The read pool's server had not replayed the request's `read_after` in time."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 25
    base_delay: float = 0.005
    max_delay: float = 0.5

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)]."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))  # noqa: S311


def is_retryable(exc: BaseException) -> bool:
    """True for failures where re-running the whole transaction is safe and useful.
    (SQLite's busy is not one: the driver has already waited the timeout for the lock.)"""
    if isinstance(exc, RetryTransactionError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    # The cockroachdb dialect can wrap the driver error one level deeper.
    return getattr(getattr(orig, "__cause__", None), "sqlstate", None) in RETRYABLE_SQLSTATES


def is_unavailable(exc: BaseException) -> bool:
    """True when the database could not be reached (as opposed to a bad statement)."""
    if isinstance(exc, PoolTimeoutError | OSError | ConnectionError | TimeoutError):
        return True
    # A multi-host URL (`target_session_attrs=read-write`) while a cluster has no leader:
    # every host answered, none of them takes writes (a failover in progress).
    if isinstance(exc, TargetServerAttributeNotMatched):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        # SQLite busy after waiting the timeout: inside a process writers queue on a
        # lock, so another process has held the database's write lock that long.
        if getattr(exc.orig, "sqlite_errorcode", None) in SQLITE_BUSY_CODES:
            return True
        return _is_unavailable_sqlstate(getattr(exc.orig, "sqlstate", None))
    # A server error while *connecting* reaches us as the driver's own exception, not
    # wrapped in DBAPIError: e.g. asyncpg's CannotConnectNowError (57P03) while the
    # server is starting up or recovering.
    return _is_unavailable_sqlstate(getattr(exc, "sqlstate", None))


def _is_unavailable_sqlstate(sqlstate: object) -> bool:
    # Class 08: connection exception; 57P0x: the server is shutting down or restarting;
    # 53300: the server (or the role, or the database) has no connection slot left.
    return isinstance(sqlstate, str) and (
        sqlstate.startswith(("08", "57P0")) or sqlstate == TOO_MANY_CONNECTIONS
    )


def is_failover(exc: BaseException) -> bool:
    """True when the server went away or is not the leader (yet): a failover or a
    switchover, worth waiting a little for (`Database(failover_wait=...)`). Not a wait
    that timed out (a server that hangs) nor an exhausted pool: those stay prompt 503s."""
    if isinstance(exc, TimeoutError | PoolTimeoutError):
        return False
    return is_unavailable(exc)


def _sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE the server sent, wherever the driver and the dialect put it."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(
        getattr(orig, "__cause__", None), "sqlstate", None
    )
    return sqlstate if isinstance(sqlstate, str) else None


def is_on_a_standby(exc: BaseException) -> bool:
    """True for a write the server refused as read-only (25006) on a connection of the
    write pool: the server it leads to is a standby now (a demoted leader behind a
    proxy, say). Nothing was written, so the unit can run again on a fresh connection.
    (On the read pool, 25006 is a bug: a write inside `Database.read`.)"""
    return isinstance(exc, DBAPIError) and _sqlstate(exc) == READ_ONLY_TRANSACTION


def _wrote_on_a_standby(exc: BaseException, mode: Mode) -> bool:
    return mode in (Mode.WRITE, Mode.STATEMENT) and is_on_a_standby(exc)


def leaves_connection_unusable(exc: BaseException) -> bool:
    """True when the connection's state is unknown after `exc`: a wait that timed out or
    was cancelled mid-protocol, or a failure on the driver's own side. (asyncpg failing
    to encode a bound value, say an integer past 2**31 for an INTEGER column, has
    already begun the exchange and leaves the server inside a transaction that no
    ROLLBACK on our side knows about.) Errors the server reported leave it in a state a
    rollback repairs."""
    if isinstance(exc, TimeoutError | asyncio.CancelledError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    # SQLAlchemy's asyncpg adapter wraps the driver's exception one level deeper.
    driver_error: object = getattr(exc.orig, "__cause__", None) or exc.orig
    if getattr(driver_error, "sqlite_errorcode", None) is not None:
        return False
    if hasattr(driver_error, "severity"):  # asyncpg sets it only on errors the server sent
        return getattr(driver_error, "severity", None) is None
    return getattr(driver_error, "sqlstate", None) is None


@dataclass
class _Progress:
    """How far one run of a unit got: once it may have committed, its fate is unknown
    after a lost connection, and only the client can decide to send it again."""

    may_have_committed: bool = False


class Database:
    def __init__(
        self,
        url: str,
        *,
        read_url: str | None = None,
        pool_size: int = 10,
        retry: RetryPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        failover_wait: float = 0.0,
        transaction_pooling: bool = False,
        replica_wait: float = 0.5,
    ) -> None:
        self.url: URL = make_url(url)
        # Behind a pooler that hands a server connection out per transaction (pgbouncer's
        # `pool_mode = transaction`): every unit in a transaction of its own, no
        # session state, prepared statements that never outlive one (DB_TRANSACTION_POOLING;
        # `_pooled_options`, docs/operations.md "pgbouncer").
        self.transaction_pooling = transaction_pooling and not self.is_sqlite
        # How long a unit that cannot have committed waits, re-running, for a server that
        # went away (DB_FAILOVER_WAIT; 0: a 503 at once). docs/architecture.md.
        self.failover_wait = failover_wait
        # Where `read` and `read_snapshot` go: the replicas of a cluster, or (None) the
        # server(s) of `url` (docs/architecture.md, "A PostgreSQL cluster").
        self.read_url: URL | None = make_url(read_url) if read_url else None
        # Read-your-writes (DB_REPLICA_WAIT): with replicas on PostgreSQL, each write
        # notes the leader's WAL position after its commit, and a read asked to follow
        # a position waits up to `replica_wait` for its replica to replay it, else runs
        # on the leader. Elsewhere every read sees every commit anyway.
        self.replica_wait = replica_wait
        self.tracks_positions = (
            self.read_url is not None
            and self.url.get_backend_name() == "postgresql"
            and self.read_url.get_backend_name() == "postgresql"
        )
        self.retry = retry or RetryPolicy()
        pooled = self.transaction_pooling
        self.engine: AsyncEngine = _create_engine(
            self.url, pool_size=pool_size, timeout=timeout, transaction_pooling=pooled
        )
        self.read_engine = _create_read_engine(
            self.url,
            self.engine,
            pool_size=pool_size,
            timeout=timeout,
            read_url=self.read_url,
            transaction_pooling=pooled,
        )
        # Behind a transaction pooler a read's transaction is read-only by its BEGIN
        # (the session-wide setting of `_make_read_only` would leak to other clients).
        read_only = {"postgresql_readonly": True} if pooled else {}

        def reads_on(engine: AsyncEngine) -> dict[Mode, AsyncEngine]:
            return {
                Mode.READ: engine.execution_options(**read_only),
                Mode.SNAPSHOT: engine.execution_options(**_snapshot_options(self.url), **read_only),
            }

        self._engines = {
            **reads_on(self.read_engine),
            Mode.WRITE: self.engine.execution_options(**_transaction_options(self.url)),
            Mode.STATEMENT: self.engine,
        }
        # Where a read goes when its replica is behind the position it must follow.
        self._leader_engines = reads_on(self.engine)
        # Which modes end with a COMMIT of ours. A read commits nothing, and a statement
        # in autocommit commits itself: their statements begin whatever they need (on
        # PostgreSQL in autocommit, nothing) and handing the connection back ends it,
        # which saves SQLAlchemy's begin and commit steps on the busiest paths. Behind a
        # transaction pooler every mode is a transaction: a statement outside one may
        # be prepared on one server connection and executed on another.
        self._committed = {
            Mode.READ: pooled,
            Mode.SNAPSHOT: True,  # a read-only transaction: its COMMIT ends the snapshot
            Mode.WRITE: True,
            Mode.STATEMENT: self.is_sqlite or pooled,  # on SQLite a write is a transaction
        }
        # SQLite has one writer; inside a process we queue for it here instead of
        # spinning on SQLITE_BUSY. (Across processes, busy_timeout does the waiting.)
        # Readers of a file database do not queue: WAL lets them read beside a writer,
        # even one that waits for another process's lock. An in-memory database is one
        # shared connection, so there everything queues.
        self._sqlite_lock = asyncio.Lock() if self.is_sqlite else None
        self._sqlite_readers_queue = self.is_sqlite and _is_in_memory(self.url)
        self.retries_total = 0  # transactions re-run since start: a contention gauge

    def reading_from_the_leader(self) -> Database:
        """This database with its reads on the leader too (the same pools): for the
        event broker, whose log position and horizon are the leader's
        (docs/architecture.md, "Live updates on a cluster")."""
        if self.read_url is None:
            return self
        view = copy.copy(self)
        view._engines = {**self._engines, **self._leader_engines}
        view.tracks_positions = False
        return view

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    async def read(self, work: UnitOfWork[T]) -> T:
        """Run `work`, which only queries: see `_create_read_engine` for how."""
        return await self._run(work, Mode.READ)

    async def read_snapshot(self, work: UnitOfWork[T]) -> T:
        """Run `work`, which only queries, in one read-only transaction: every query sees
        the same snapshot. For a decision that combines reads which must agree with each
        other (who may see what, and from which position of the event log: see
        `app.live.broker`); a plain `read` gives each statement a snapshot of its own."""
        return await self._run(work, Mode.SNAPSHOT)

    async def write(self, work: UnitOfWork[T], *, idempotent: bool = False) -> T:
        """Run `work` in a read-write transaction, committed once it returns: see
        `_transaction_options`. `idempotent`: a second run of `work` after a first that
        committed does nothing more and answers the same (a create under its
        Idempotency-Key), so a run cut while its COMMIT was on its way may be waited
        out and run again like one cut before it (DB_FAILOVER_WAIT)."""
        return await self._run(work, Mode.WRITE, idempotent=idempotent)

    async def write_statement(self, work: UnitOfWork[T]) -> T:
        """Run `work` whose every statement is a unit on its own: see `_create_engine`
        for when that is allowed and why it is cheaper."""
        return await self._run(work, Mode.STATEMENT)

    async def _run(self, work: UnitOfWork[T], mode: Mode, *, idempotent: bool = False) -> T:
        _TRANSACTIONS_BY_MODE[mode].inc()
        attempt = 0  # runs lost to a conflict (40001 ...): at most `retry.attempts`
        unreachable_since: float | None = None
        on_leader = False
        while True:
            progress = _Progress()
            try:
                return await self._attempt(work, mode, progress, on_leader=on_leader)
            except _ReplicaBehindError:
                DB_READS_ON_LEADER.inc()
                on_leader = True
                continue
            except Exception as exc:
                if is_unavailable(exc):
                    if unreachable_since is None:
                        unreachable_since = time.monotonic()
                    if not self._waits_out(exc, progress, unreachable_since, idempotent):
                        log.warning("database_unavailable", error=type(exc).__name__)
                        DB_UNAVAILABLE.labels(_unavailable_reason(exc)).inc()
                        raise ServiceUnavailableError from exc
                    reason = _unavailable_reason(exc)
                    DB_RERUNS.labels(mode.value, reason).inc()
                    log.info("database_failover_wait", reason=reason)
                    await asyncio.sleep(FAILOVER_POLL)
                    continue
                attempt += 1
                # A write on a standby re-runs on a fresh connection (`_attempt` dropped
                # this one), which finds the leader.
                if not (is_retryable(exc) or _wrote_on_a_standby(exc, mode)):
                    raise
                if attempt == self.retry.attempts:
                    log.warning("transaction_retries_exhausted", attempts=attempt)
                    DB_UNAVAILABLE.labels("retries_exhausted").inc()
                    raise ServiceUnavailableError(
                        "Too much contention on this data; retry shortly"
                    ) from exc
                self.retries_total += 1
                reason = _reason(exc)
                DB_RERUNS.labels(mode.value, reason).inc()
                log.debug("transaction_retry", attempt=attempt, reason=reason)
            await asyncio.sleep(self.retry.delay(attempt))

    def _waits_out(
        self, exc: BaseException, progress: _Progress, since: float, idempotent: bool
    ) -> bool:
        """Whether to run the unit again rather than answer 503: the server went away
        (`is_failover`), nothing of the unit can have committed (it failed connecting,
        or inside a transaction before its COMMIT: the server rolled it back) or it may
        run twice (`idempotent`: its rerun finds what it committed), and `failover_wait`
        has not run out since the first such failure."""
        return (
            not self.is_sqlite
            and (idempotent or not progress.may_have_committed)
            and is_failover(exc)
            and time.monotonic() - since < self.failover_wait
        )

    async def _attempt(
        self, work: UnitOfWork[T], mode: Mode, progress: _Progress, *, on_leader: bool = False
    ) -> T:
        """One run of `work` in one transaction. The transaction is ended by hand rather
        than by `async with conn.begin()`, so that a connection in an unknown state is
        discarded before anything waits on it again (a ROLLBACK sent to a frozen server
        would hang the request all over)."""
        async with self._connection(mode, on_leader=on_leader) as conn:
            pooled = conn.sync_connection.connection  # type: ignore[union-attr]
            state = consistency.get() if self.tracks_positions else None
            if state is not None and state.read_after is not None and not on_leader:
                await self._wait_for_replay(pooled, state.read_after)
            transaction = await conn.begin() if self._committed[mode] else None
            try:
                # A statement in autocommit commits itself; a transaction, at its COMMIT.
                # (What `read` and `read_snapshot` run cannot write.)
                progress.may_have_committed = mode is Mode.STATEMENT
                result = await work(conn)
                if transaction is not None:
                    progress.may_have_committed = mode is not Mode.SNAPSHOT
                    await transaction.commit()
            except BaseException as exc:
                if not self.is_sqlite and (
                    leaves_connection_unusable(exc) or _wrote_on_a_standby(exc, mode)
                ):
                    await _discard(conn, pooled)
                elif transaction is not None:
                    await transaction.rollback()
                raise  # (without a transaction, returning the connection rolls back)
            if state is not None and mode in (Mode.WRITE, Mode.STATEMENT):
                await self._note_commit(conn, pooled, state)
            return result

    async def _wait_for_replay(self, pooled: PoolProxiedConnection, position: int) -> None:
        """Return once the server of this read connection has replayed `position` (a
        leader always has), waiting at most `replica_wait`; else `_ReplicaBehindError`. On
        this very connection: with several standbys, another connection may reach
        another one."""
        deadline = time.monotonic() + self.replica_wait
        # (asyncpg passes a `pg_lsn` as the 64-bit integer it is.)
        while not await pooled.driver_connection.fetchval(  # type: ignore[union-attr]
            "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn", position
        ):
            if time.monotonic() >= deadline:
                raise _ReplicaBehindError
            await asyncio.sleep(REPLAY_POLL)

    async def _note_commit(
        self, conn: AsyncConnection, pooled: PoolProxiedConnection, state: Consistency
    ) -> None:
        """The leader's WAL position after this unit's commit, which a replica that has
        replayed it has the commit too. The write has committed whatever happens here:
        a failure only costs the client its token (its next read may be older)."""
        try:
            position: int = await pooled.driver_connection.fetchval(  # type: ignore[union-attr]
                "SELECT pg_current_wal_lsn()"
            )
        except Exception as exc:
            log.warning("commit_position_unknown", error=type(exc).__name__)
            await _discard(conn, pooled)  # in whatever state the failure left it
            return
        state.written_at = max(position, state.written_at or 0)

    @contextlib.asynccontextmanager
    async def _connection(
        self, mode: Mode, *, on_leader: bool = False
    ) -> AsyncIterator[AsyncConnection]:
        queue = self._sqlite_lock
        if mode in (Mode.READ, Mode.SNAPSHOT) and not self._sqlite_readers_queue:
            queue = None
        async with contextlib.AsyncExitStack() as held:
            # Waiting for a connection (and on SQLite, for the writer's turn) until both
            # are held, or acquiring them failed.
            with DB_POOL_WAITING.track_inprogress():
                if queue is not None:
                    await held.enter_async_context(queue)
                engine = self._leader_engines[mode] if on_leader else self._engines[mode]
                conn = await held.enter_async_context(engine.connect())
            yield conn

    async def ping(self) -> None:
        """One query, its failure raised as the driver's (for `wait_until_ready`).
        Notes whether the server is a real CockroachDB (the `cockroachdb` dialect also
        speaks to PostgreSQL): statements that differ between the two read it from the
        connection's `COCKROACHDB_SERVER` execution option."""
        async with self._connection(Mode.READ) as conn:
            if self.is_sqlite:
                await conn.execute(text("SELECT 1"))
                return
            version = await conn.scalar(text("SELECT version()"))
        if "CockroachDB" in str(version) and not self.is_cockroachdb_server:
            self._engines = {
                mode: engine.execution_options(**{COCKROACHDB_SERVER: True})
                for mode, engine in self._engines.items()
            }

    @property
    def is_cockroachdb_server(self) -> bool:
        options = self._engines[Mode.READ].get_execution_options()
        return bool(options.get(COCKROACHDB_SERVER))

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

    async def replica_lag(self) -> float:
        """Seconds the server the read pool reaches is behind its leader, as it reports
        it: 0 on a leader, and on a standby that has replayed everything it received
        (an idle leader sends nothing, so the time of the last replayed transaction
        would grow without anything being behind). PostgreSQL only."""
        lag = await self.read(
            lambda conn: conn.scalar(
                text(
                    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
                    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                    " ELSE COALESCE(EXTRACT(EPOCH FROM"
                    " now() - pg_last_xact_replay_timestamp()), 0) END"
                )
            )
        )
        return float(lag or 0)

    async def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None before the first migration).
        A read like any other: bounded by the timeout, and no write lock on SQLite."""

        async def revision(conn: AsyncConnection) -> str | None:
            has_table = await conn.run_sync(
                lambda sync_conn: sync_conn.dialect.has_table(sync_conn, "alembic_version")
            )
            if not has_table:
                return None
            result = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return result.scalar_one_or_none()

        return await self.read(revision)

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """Each engine with a pool of its own (for telemetry and disposal)."""
        if self.read_engine.sync_engine.pool is self.engine.sync_engine.pool:
            return (self.engine,)
        return (self.engine, self.read_engine)

    async def dispose(self) -> None:
        for engine in self.engines:
            await engine.dispose()


def _reason(exc: BaseException) -> str:
    """Why a transaction is re-run: its SQLSTATE, or `retry_requested`
    (RetryTransactionError: the work itself asked). Bounded: it labels a metric."""
    if isinstance(exc, RetryTransactionError):
        return "retry_requested"
    return _sqlstate(exc) or type(exc).__name__


def _unavailable_reason(exc: BaseException) -> str:
    """The SQLSTATE when the server sent one (57P01 shutdown, 08006 ...), else the
    exception's class (TimeoutError, ConnectionRefusedError ...)."""
    orig = getattr(exc, "orig", exc)
    sqlstate = getattr(orig, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else type(orig).__name__


async def _discard(conn: AsyncConnection, pooled: PoolProxiedConnection) -> None:
    """Close the driver's connection at once (no goodbye to a server that may not
    answer: SQLAlchemy's own close waits up to 2 s for one), then let the pool forget it
    and open a fresh one when next needed."""
    terminate = getattr(pooled.driver_connection, "terminate", None)
    if callable(terminate):
        terminate()
    if not conn.invalidated:
        await conn.invalidate()


def _create_engine(
    url: URL,
    *,
    pool_size: int,
    timeout: float,
    read_only: bool = False,
    transaction_pooling: bool = False,
) -> AsyncEngine:
    """An engine whose connections are in autocommit, the mode `Database.write_statement`
    runs in (and, with `read_only`, `Database.read`: see `_create_read_engine`).

    A unit of work that is a single statement whose correctness does not depend on an
    earlier read (an upsert that counts, a conditional UPDATE ... RETURNING) runs as an
    implicit transaction at the server's default isolation: one round trip instead of
    three (BEGIN, the statement, COMMIT). On PostgreSQL that is READ COMMITTED, which
    re-checks the statement's WHERE clause against the newest row version and makes
    concurrent writers of one row wait for each other instead of failing with 40001;
    CockroachDB is serializable anyway and retries an implicit transaction itself. On
    SQLite a write is a write: one writer at a time.

    With `transaction_pooling`, none of that: see `_pooled_options`.
    """
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, timeout=timeout)
    server_settings = {
        # Timestamps the database writes as text (an event's JSON: app.live.log)
        # in UTC, whatever the server's own time zone. (A startup parameter pgbouncer
        # tracks per client and sets on whichever server connection it lends.)
        "timezone": "UTC",
    }
    pooled = _pooled_options(transaction_pooling)
    engine = create_async_engine(
        url.update_query_dict(pooled["query"]) if pooled["query"] else url,
        # Each statement its own transaction, unless a unit of work asks for one
        # (`_transaction_options`). Set here, it is set once per connection.
        **pooled["engine"],
        # A fixed pool: requests beyond it wait for a connection (up to pool_timeout)
        # instead of opening and closing overflow connections under load.
        pool_size=pool_size,
        max_overflow=0,
        # Every wait is bounded: for a free pooled connection, for a new connection
        # (asyncpg waits 60 s by default), and for each statement (asyncpg's
        # command_timeout, which none is by default), so an outage or a frozen server
        # becomes a prompt 503 rather than a hung request.
        pool_timeout=timeout,
        connect_args={
            "timeout": timeout,
            "command_timeout": timeout,
            "server_settings": server_settings,
            **pooled["connect"],
        },
        # A statement's bound values (passwords' hashes, todo content) never appear in
        # an error's message, so never in a log line, a trace or an error report.
        hide_parameters=True,
    )
    if read_only and not transaction_pooling:
        event.listen(engine.sync_engine, "connect", _make_read_only)
    if url.get_backend_name() == "postgresql" and not transaction_pooling:
        event.listen(engine.sync_engine, "connect", _ServerWatch("read" if read_only else "write"))
    return engine


class _ServerWatch:
    """Which server each new connection of a pool reached (`DB_SERVER`): after a
    failover, the new leader's address takes the old one's place. One query per new
    connection, not per request. (Not behind a transaction pooler, whose connections
    reach a different server per transaction; not on CockroachDB, whose nodes are all
    alike and which has no `inet_server_addr`.)"""

    def __init__(self, pool: str) -> None:
        self.pool = pool
        self.newest: tuple[str, str] | None = None

    def __call__(self, dbapi_connection: Any, _record: Any) -> None:
        row = await_only(
            dbapi_connection.driver_connection.fetchrow(
                "SELECT host(inet_server_addr()), inet_server_port(), pg_is_in_recovery()"
            )
        )
        host, port, standby = row[0] or "local", row[1], row[2]
        server = (f"{host}:{port}", str(bool(standby)).lower())
        if server != self.newest:
            if self.newest is not None:
                DB_SERVER.labels(self.pool, *self.newest).set(0)
            DB_SERVER.labels(self.pool, *server).set(1)
            self.newest = server


def _pooled_options(transaction_pooling: bool) -> dict[str, dict[str, Any]]:
    """How an engine's connections differ behind a transaction pooler (pgbouncer 1.18,
    `pool_mode = transaction`), which lends a server connection for one transaction and
    has no support for prepared statements:

    - no autocommit: outside a transaction SQLAlchemy's asyncpg adapter prepares a
      statement in one exchange and runs it in the next, which the pooler may send to
      another server ("prepared statement ... does not exist"; 49 of 50 connections
      failed so in a probe with 2 server connections). Inside BEGIN ... COMMIT the
      server connection stays the same;
    - no statement caches (asyncpg's, SQLAlchemy's) and a fresh name for each prepared
      statement: a name reused on a server connection another client prepared on fails
      with "already exists";
    - no session settings (`_make_read_only`): reads are `BEGIN READ ONLY` instead.
    """
    if not transaction_pooling:
        return {"engine": {"isolation_level": "AUTOCOMMIT"}, "connect": {}, "query": {}}
    return {
        "engine": {},
        "connect": {
            "statement_cache_size": 0,
            "prepared_statement_name_func": _fresh_statement_name,
        },
        "query": {"prepared_statement_cache_size": "0"},
    }


def _fresh_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


def _make_read_only(dbapi_connection: Any, _record: Any) -> None:
    """The server refuses a write (SQLSTATE 25006) on every connection of the read pool.
    Set once the connection is made, not as a startup parameter: asyncpg's
    `target_session_attrs` check reads the startup value, and a connection that starts
    read-only looks like a standby to it (with `read-write`, every host would be refused)."""
    await_only(dbapi_connection.driver_connection.execute("SET default_transaction_read_only = on"))


def _create_read_engine(
    url: URL,
    engine: AsyncEngine,
    *,
    pool_size: int,
    timeout: float,
    read_url: URL | None = None,
    transaction_pooling: bool = False,
) -> AsyncEngine:
    """The engine `Database.read` runs on.

    On PostgreSQL and CockroachDB, a pool of its own whose connections are in
    autocommit and read-only from the moment they connect: each statement is its own
    transaction with its own consistent snapshot, costs one round trip instead of three
    (BEGIN, SELECT, COMMIT), and cannot write. Read units are single queries, so nothing
    is lost. Set once per connection, none of it costs anything per request; on a pool
    shared with writes, switching a connection to autocommit at checkout and back at
    checkin, and a listener checking each statement for a write, cost a read about
    50 µs of CPU (docs/performance.md).

    With `read_url` (DATABASE_READ_URL), that pool connects there: a cluster's replicas.

    On SQLite, the one engine (an in-memory database is one shared connection), with
    reads beginning deferred so they do not take the write lock.
    """
    if url.get_backend_name() == "sqlite":
        return engine.execution_options(**{SQLITE_DEFERRED: True})
    return _create_engine(
        read_url or url,
        pool_size=pool_size,
        timeout=timeout,
        read_only=True,
        transaction_pooling=transaction_pooling,
    )


def ensure_sqlite_directory(url: URL | str) -> None:
    """SQLite creates the database file but not its folder (e.g. a fresh `data/`), and
    creates it readable by everyone (0644) while it holds password hashes. Create both
    here, private to the owner: SQLite gives its -wal and -shm files the database
    file's mode. A file an earlier version created is made private too."""
    url = make_url(url)
    if url.get_backend_name() != "sqlite" or _is_in_memory(url):
        return
    path = Path(url.database or "")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _transaction_options(url: URL) -> dict[str, Any]:
    """Execution options for `Database.write`: SERIALIZABLE on PostgreSQL and
    CockroachDB alike, so both behave the same and the runner's 40001 re-run is the one
    concurrency story. (On SQLite every transaction is serializable: one writer.)"""
    if url.get_backend_name() == "sqlite":
        return {}
    return {"isolation_level": "SERIALIZABLE"}


def _snapshot_options(url: URL) -> dict[str, Any]:
    """Execution options for `Database.read_snapshot`, on the read engine (read-only
    connections). PostgreSQL: REPEATABLE READ, one snapshot for the transaction, and a
    read-only one never fails to serialize. CockroachDB (the dialect offers no REPEATABLE
    READ): SERIALIZABLE, one timestamp for the transaction. SQLite: the read engine's
    deferred BEGIN, whose snapshot (WAL) is taken at the first read."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        return {}
    if backend == "cockroachdb":
        return {"isolation_level": "SERIALIZABLE"}
    return {"isolation_level": "REPEATABLE READ"}


def server_flavour(conn: AsyncConnection) -> str:
    """Which server this connection speaks to, for statements that differ between them
    (the event log's order, search): "sqlite", "postgresql" or "cockroachdb" (a real
    CockroachDB, as `Database.ping` found it at start-up; the cockroachdb dialect on
    PostgreSQL is "postgresql")."""
    if conn.dialect.name == "sqlite":
        return "sqlite"
    sync = conn.sync_connection
    if sync is not None and sync.get_execution_options().get(COCKROACHDB_SERVER):
        return "cockroachdb"
    return "postgresql"


def _is_in_memory(url: URL) -> bool:
    return (url.database or "") in ("", ":memory:")


def _create_sqlite_engine(url: URL, *, timeout: float) -> AsyncEngine:
    in_memory = _is_in_memory(url)
    # How long a writer waits for another process's write lock before SQLITE_BUSY.
    kwargs: dict[str, Any] = {"connect_args": {"timeout": timeout}, "hide_parameters": True}
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
