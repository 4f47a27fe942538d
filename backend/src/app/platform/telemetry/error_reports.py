"""Optional Sentry error reports (SENTRY_DSN; off by default).

Only unexpected errors are reported: RequestContextMiddleware, where they end, hands
them to `report` with the request id and route. Sentry's framework integrations stay
off (they would patch Starlette process-wide, and collect request headers and bodies);
log records become neither events nor breadcrumbs. Every event still passes
`scrub.scrub_event` before it leaves (no Authorization header, cookies, bodies, query
strings, local variables or exception messages), and
`send_default_pii` stays off (`data_collection`, its successor, says so field by field).
Sentry's own tracing is off: traces are OpenTelemetry's.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.transport import Transport
from sentry_sdk.types import Event, Hint

from app import __version__
from app.platform.settings import Settings
from app.platform.telemetry.scrub import scrub_event


def before_send(event: Event, _hint: Hint) -> Event:
    scrubbed: Any = scrub_event(dict(event))
    result: Event = scrubbed
    return result


def configure_error_reports(
    settings: Settings, transport: type[Transport] | Transport | None = None
) -> bool:
    """Start reporting to Sentry when SENTRY_DSN is set; `transport` replaces the network
    (tests record events instead). Returns whether reporting is on."""
    if settings.sentry_dsn is None:
        return False
    options: dict[str, Any] = {}
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.sentry_environment,
        release=f"minor-illusion@{__version__}",
        # What Sentry collects by itself: no user identity, bodies, local variables or
        # query data (send_default_pii stays at its default, off: this supersedes it).
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        traces_sample_rate=None,
        before_send=before_send,
        auto_enabling_integrations=False,
        integrations=[LoggingIntegration(level=None, event_level=None)],
        max_breadcrumbs=0,
        **options,
    )
    return True


def report(exc: BaseException, *, request_id: str, route: str) -> None:
    """An unexpected exception, to Sentry when it is configured (a no-op otherwise),
    tagged with what leads to its log lines and trace."""
    sentry_sdk.capture_exception(exc, tags={"request_id": request_id, "route": route})
