"""Prometheus metrics, correct with several Hypercorn worker processes.

Every worker records into prometheus_client's multiprocess files (one set per process,
in PROMETHEUS_MULTIPROC_DIR, which the supervisor in `app.server` prepares before the
workers start and `prepare_multiprocess_dir` empties); any worker answering a scrape
sums them all. The metrics are served on their own port (METRICS_PORT, see
`MetricsPortMiddleware`), never on the public one, so no proxy in front can expose them.

Labels are bounded by construction: the route TEMPLATE (`/todo/{todo_id}`, not the id),
a method from a fixed set, the status code, a SQLSTATE or an exception class name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import anyio.to_thread
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "minor_illusion_"
# 1 ms to 10 s: a cached read lands in the first buckets, a request waiting out the
# database timeout (DB_TIMEOUT, 2 s) or a slow Argon2 log-in in the last ones.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"  # no route matched (404s for unknown paths, early 4xx)

# `_created` series double every counter's series for nothing a dashboard uses.
disable_created_metrics()  # type: ignore[no-untyped-call]

HTTP_REQUESTS = Counter(
    f"{PREFIX}http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    f"{PREFIX}http_request_duration_seconds",
    "Time from the request's arrival to its response's end, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
HTTP_IN_PROGRESS = Gauge(
    f"{PREFIX}http_requests_in_progress",
    "Requests being handled now (event streams included).",
    multiprocess_mode="livesum",
)
DB_TRANSACTIONS = Counter(
    f"{PREFIX}db_transactions_total",
    "Units of work the transaction runner was given (app/platform/db.py), by mode.",
    ["mode"],
)
DB_RERUNS = Counter(
    f"{PREFIX}db_transaction_reruns_total",
    "Transactions re-run by the runner, by mode and the SQLSTATE that caused it "
    "(40001 serialization failure, 40P01 deadlock; `retry_requested`: the work asked).",
    ["mode", "sqlstate"],
)
DB_UNAVAILABLE = Counter(
    f"{PREFIX}db_unavailable_total",
    "Units of work answered 503 because the database was unreachable or too contended, "
    "by reason (a SQLSTATE such as 57P01, an exception class, or retries_exhausted).",
    ["reason"],
)
DB_POOL_SIZE = Gauge(
    f"{PREFIX}db_pool_size",
    "Connections the pools may hold (DB_POOL_SIZE per pool, two pools per process).",
    multiprocess_mode="livesum",
)
DB_POOL_OPEN = Gauge(
    f"{PREFIX}db_pool_connections_open",
    "Database connections open now (checked out or idle in the pool).",
    multiprocess_mode="livesum",
)
DB_POOL_CHECKED_OUT = Gauge(
    f"{PREFIX}db_pool_checked_out",
    "Pooled connections in use by a unit of work now.",
    multiprocess_mode="livesum",
)
DB_POOL_OVERFLOW = Gauge(
    f"{PREFIX}db_pool_overflow",
    "Connections open beyond the pool size (0 with the app's fixed pool).",
    multiprocess_mode="livesum",
)
DB_POOL_WAITING = Gauge(
    f"{PREFIX}db_pool_waiting",
    "Units of work waiting for a connection (a free pooled one, or a new one).",
    multiprocess_mode="livesum",
)
DB_SERVER = Gauge(
    f"{PREFIX}db_server",
    "The server each pool's newest connection reached (1; the servers before it 0), by "
    "pool (write, read), address (host:port) and whether it was a standby: on a cluster, "
    "the leader the app writes to.",
    ["pool", "address", "standby"],
    multiprocess_mode="livemax",
)
DB_READS_ON_LEADER = Counter(
    f"{PREFIX}db_reads_on_leader_total",
    "Reads that had to follow a client's own write (X-Consistency-Token) and ran on the "
    "leader because their replica had not replayed it within DB_REPLICA_WAIT.",
)
DB_REPLICA_LAG = Gauge(
    f"{PREFIX}db_replica_lag_seconds",
    "How far behind its leader the server the read pool reads from is, as that server "
    "reports it (0 on a leader, or a standby that has replayed all it received); read "
    "every few seconds while DATABASE_READ_URL and METRICS_PORT are set.",
    multiprocess_mode="livemax",
)
LOGIN_THROTTLED = Counter(
    f"{PREFIX}login_throttled_total",
    "Password checks and share-link joins refused with 429 by the log-in throttle, by the "
    "kind of key that was locked (addr, name, link).",
    ["key"],
)
EVENT_STREAMS_OPEN = Gauge(
    f"{PREFIX}event_streams_open",
    "Live-update streams (GET /events) open now.",
    multiprocess_mode="livesum",
)


# --- HTTP --------------------------------------------------------------------------------
class RequestMetrics:
    """What RequestContextMiddleware records per request (it already times each one).
    The labelled series are looked up once each and kept (the labels are bounded):
    `labels()` costs as much again as the increment itself."""

    def __init__(self) -> None:
        self._requests: dict[tuple[str, str, int], Counter] = {}
        self._latency: dict[tuple[str, str], Histogram] = {}

    def started(self) -> None:
        HTTP_IN_PROGRESS.inc()

    def finished(self, scope: Scope, status: int, seconds: float) -> None:
        HTTP_IN_PROGRESS.dec()
        method = scope["method"] if scope["method"] in METHODS else "other"
        route = route_template(scope)
        requests = self._requests.get((method, route, status))
        if requests is None:
            requests = HTTP_REQUESTS.labels(method, route, str(status))
            self._requests[method, route, status] = requests
        requests.inc()
        latency = self._latency.get((method, route))
        if latency is None:
            latency = self._latency[method, route] = HTTP_LATENCY.labels(method, route)
        latency.observe(seconds)


def route_template(scope: Scope) -> str:
    """The path template of the route Starlette matched (it puts the route in the scope)."""
    route = scope.get("route")
    path: str | None = getattr(route, "path", None)
    return path or UNMATCHED_ROUTE


# --- the database pool -------------------------------------------------------------------
def watch_pool(engine: AsyncEngine) -> None:
    """Keep the pool gauges current from the pool's own events, as deltas, so that several
    pools (processes, or engines in one process) add up. (Gauges read at scrape time
    would only see the process that answers the scrape.) SQLite's single shared
    connection (StaticPool) has nothing to report."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        return
    size = pool.size()
    DB_POOL_SIZE.inc(size)
    opened = 0

    def connected(*_: Any) -> None:
        nonlocal opened
        opened += 1
        DB_POOL_OPEN.inc()
        if opened > size:
            DB_POOL_OVERFLOW.inc()

    def closed(*_: Any) -> None:
        nonlocal opened
        if opened > size:
            DB_POOL_OVERFLOW.dec()
        opened -= 1
        DB_POOL_OPEN.dec()

    event.listen(pool, "connect", connected)
    event.listen(pool, "close", closed)
    event.listen(pool, "checkout", lambda *_: DB_POOL_CHECKED_OUT.inc())
    event.listen(pool, "checkin", lambda *_: DB_POOL_CHECKED_OUT.dec())


def forget_pool(engine: AsyncEngine) -> None:
    """The engine is disposed (its connections' close events have counted them out)."""
    pool = engine.sync_engine.pool
    if isinstance(pool, QueuePool):
        DB_POOL_SIZE.dec(pool.size())


# --- serving -----------------------------------------------------------------------------
def registry() -> CollectorRegistry:
    """Every process's values in multiprocess mode; this process's otherwise."""
    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    merged = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
    return merged


def render() -> bytes:
    return generate_latest(registry())


class MetricsPortMiddleware:
    """On the metrics port, GET /metrics and nothing else (404); elsewhere, the app. The
    port is told apart by the socket the request arrived on (the ASGI `server`), so a
    proxy forwarding the public port cannot reach it whatever the path or headers."""

    def __init__(self, app: ASGIApp, port: int) -> None:
        self.app = app
        self.port = port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server")
        if scope["type"] != "http" or server is None or server[1] != self.port:
            await self.app(scope, receive, send)
            return
        response: Response
        if scope["path"] == "/metrics" and scope["method"] in {"GET", "HEAD"}:
            # The multiprocess collector reads every worker's files: not on the loop.
            body = await anyio.to_thread.run_sync(render)
            response = Response(body, media_type=CONTENT_TYPE_LATEST)
        else:
            response = JSONResponse({"detail": "Not found"}, status_code=404)
        await response(scope, receive, send)


# --- several worker processes ------------------------------------------------------------
def prepare_multiprocess_dir(configured: Path | None) -> tuple[Path, bool]:
    """The directory the workers write their values to, emptied of an earlier run's files
    (a stale file would add a dead process's counts), and exported as
    PROMETHEUS_MULTIPROC_DIR for the workers the caller spawns next. Returns it and
    whether it was created here (then the caller removes it at exit)."""
    if configured is None:
        directory, created = Path(tempfile.mkdtemp(prefix="minor-illusion-metrics-")), True
    else:
        directory, created = configured, False
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory, created


def worker_exited(pid: int) -> None:
    """A worker is gone: its live gauges (in-flight requests, streams, pool) stop counting.
    (Its counters stay: they are history.) Nothing to do without multiprocess mode."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        prometheus_multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]


def remove_multiprocess_dir(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)
