"""Builds the FastAPI app. Hypercorn loads it with `app.main:create_app()`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from opentelemetry.sdk.trace.export import SpanExporter

from app import __version__
from app.invitations import service as invitations
from app.live.broker import Broker, BrokerSettings
from app.live.router import document_live_events
from app.platform import lifecycle
from app.platform.db import Database, RetryPolicy
from app.platform.errors import ServiceUnavailableError
from app.platform.housekeeping import Housekeeper
from app.platform.http.error_responses import install_error_handlers
from app.platform.http.middleware import (
    BodySizeLimitMiddleware,
    ConsistencyTokenMiddleware,
    RequestContextMiddleware,
    RequestHeadCheckMiddleware,
    SecurityHeadersMiddleware,
)
from app.platform.http.openapi import openapi_document, operation_id
from app.platform.logging import configure_logging
from app.platform.settings import Settings
from app.platform.telemetry import metrics
from app.platform.telemetry.error_reports import configure_error_reports
from app.platform.telemetry.tracing import Tracing, configure_tracing
from app.portability.router import IMPORT_PATHS
from app.routers import ROUTERS
from app.sessions.service import record_use as record_session_use
from app.sharelinks import service as share_links
from app.tokens.service import authenticate as authenticate_personal_token
from app.webhooks.dispatcher import Dispatcher, DispatcherSettings

log = structlog.get_logger(__name__)

API_DESCRIPTION = """\
Todos in lists that their owners share with other accounts, as viewers, editors or owners.

**Authentication.** `POST /auth/login` exchanges a name and password for a bearer token;
send it as `Authorization: Bearer <token>` (the **Authorize** button here does it for you).

**Errors** are JSON, `{"detail": "..."}` in words meant for people (for 422, a list of
problems with their locations). A list or todo you are not a member of answers 404, as if it
did not exist. A request head the server cannot read answers 400 or 431.

**Concurrency.** Every todo has a `version`, also sent as its `ETag`: send it back in
`If-Match` and a change made meanwhile by someone else is a 412, never silently overwritten.
`POST` of a todo accepts an `Idempotency-Key`, so a retry creates nothing twice.

**Live updates.** `GET /events` streams every change to your lists as Server-Sent Events.

**Request ids.** Every response carries `X-Request-ID`; quote it when reporting a problem.

**Reading your own writes.** Where reads are served by replicas, a response to a write
carries `X-Consistency-Token`; send the greatest token you were given (they sort as
strings) with later requests, and their reads include that write. A malformed token is a 400.
"""


# Seconds between two readings of the read replica's lag (`metrics.DB_REPLICA_LAG`).
REPLICA_LAG_INTERVAL = 5.0


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One engine, one event broker, one webhook dispatcher and one housekeeper per
    process: created at startup, closed at shutdown."""
    settings: Settings = app.state.settings
    tracing: Tracing | None = app.state.tracing
    db = Database(
        settings.database_url,
        read_url=settings.database_read_url or None,
        pool_size=settings.db_pool_size,
        retry=RetryPolicy(attempts=settings.db_retry_attempts),
        timeout=settings.db_timeout,
        failover_wait=settings.db_failover_wait,
        transaction_pooling=settings.db_transaction_pooling,
        replica_wait=settings.db_replica_wait,
    )
    broker = Broker(
        db.reading_from_the_leader(),
        BrokerSettings(
            poll_interval=settings.events_poll_interval,
            retention=timedelta(seconds=settings.events_retention_seconds),
            max_streams_per_user=settings.events_max_streams_per_user,
        ),
    )
    dispatcher = Dispatcher(
        db.reading_from_the_leader(),
        DispatcherSettings(
            allow_loopback_http=settings.webhooks_allow_http_loopback,
            timeout=settings.webhooks_timeout_seconds,
            concurrency=settings.webhooks_concurrency,
            poll_interval=settings.webhooks_poll_interval,
            lease=timedelta(seconds=settings.webhooks_lease_seconds),
            first_retry=timedelta(seconds=settings.webhooks_first_retry_seconds),
            max_retry_interval=timedelta(seconds=settings.webhooks_max_retry_interval_seconds),
            retry_for=timedelta(seconds=settings.webhooks_retry_for_seconds),
        ),
    )
    housekeeper = Housekeeper(
        [
            ("expired_invitations", lambda: invitations.prune_expired(db)),
            ("expired_share_links", lambda: share_links.prune_expired(db)),
        ]
    )
    for engine in db.engines:
        if tracing is not None:
            tracing.instrument_engine(engine)
        if settings.metrics_port is not None:
            metrics.watch_pool(engine)
    lag_watch: asyncio.Task[None] | None = None
    try:
        await db.wait_until_ready(settings.db_connect_timeout)
        app.state.db = db
        app.state.broker = broker
        broker.start()
        dispatcher.start()  # one per cluster works: the lease decides (app.webhooks.dispatcher)
        housekeeper.start()
        if settings.metrics_port is not None and _reads_from_postgresql_replicas(db):
            lag_watch = asyncio.create_task(report_replica_lag(db))
        log.info("started", database=db.url.render_as_string(hide_password=True))
        if lifecycle.in_worker():  # not in tests' apps, which come and go
            lifecycle.settle_after_start_up()
        yield
    finally:
        if lag_watch is not None:
            lag_watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lag_watch
        await housekeeper.stop()
        await dispatcher.stop()
        await broker.stop()
        await db.dispose()
        if settings.metrics_port is not None:
            for engine in db.engines:
                metrics.forget_pool(engine)
        if tracing is not None:
            tracing.shutdown()


def _reads_from_postgresql_replicas(db: Database) -> bool:
    return db.read_url is not None and db.read_url.get_backend_name() == "postgresql"


async def report_replica_lag(db: Database) -> None:
    """Keep `db_replica_lag_seconds` current: how stale a read served by the replicas
    may be, as the app sees it (docs/operations.md, "Metrics")."""
    while True:
        try:
            metrics.DB_REPLICA_LAG.set(await db.replica_lag())
        except ServiceUnavailableError:
            log.info("replica_lag_unknown")  # the runner already logged why
        await asyncio.sleep(REPLICA_LAG_INTERVAL)


def create_app(
    settings: Settings | None = None, *, span_exporter: SpanExporter | None = None
) -> FastAPI:
    """The app, with the telemetry its settings ask for (docs/operations.md,
    "Observability"); `span_exporter` turns tracing on with that exporter (tests)."""
    settings = settings or Settings()
    configure_logging(
        level=settings.log_level, as_json=settings.logs_as_json, sql_echo=settings.sql_echo
    )
    app = FastAPI(
        title="minor-illusion",
        summary="A multi-user Todo API on Hypercorn, FastAPI, SQLModel and CockroachDB.",
        description=API_DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
        root_path=settings.root_path,
        # Served by app.platform.http.api_docs, from installed assets instead of a CDN.
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.personal_tokens = authenticate_personal_token  # see current_caller
    app.state.session_use = record_session_use  # and here
    app.state.tracing = configure_tracing(settings, span_exporter)
    configure_error_reports(settings)
    app.openapi = lambda: openapi_document(  # type: ignore[method-assign]
        app, extend=[document_live_events]
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "Link", "Location", "X-Request-ID", "X-Consistency-Token"],
        )
    # The last added is the outermost. The security headers wrap everything, the JSON
    # 500 that RequestContextMiddleware renders for a bug included.
    app.add_middleware(ConsistencyTokenMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger=dict.fromkeys(IMPORT_PATHS, settings.import_max_bytes),
    )
    app.add_middleware(RequestHeadCheckMiddleware)
    # Times, logs and ids every response, and feeds the request metrics.
    request_metrics = metrics.RequestMetrics() if settings.metrics_port is not None else None
    app.add_middleware(RequestContextMiddleware, metrics=request_metrics)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.metrics_port is not None:
        # Outermost: a scrape is answered before any of the above sees it.
        app.add_middleware(metrics.MetricsPortMiddleware, port=settings.metrics_port)
    if app.state.tracing is not None:
        app.state.tracing.instrument_app(app)  # wraps the whole stack: one span per request
    return app
