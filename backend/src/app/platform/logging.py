"""structlog set-up: a console renderer for people, JSON for machines (LOGS_AS_JSON).

The app's own lines (the access line above all) take structlog's native path: a
filtering bound logger writing rendered lines straight to stderr, with orjson doing
the JSON. That is several times cheaper per line than routing through the standard
library. Library logs (Hypercorn, SQLAlchemy, Alembic) still come through `logging`,
rendered by the same processors, so every line has one format.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import orjson
import structlog
from opentelemetry import trace

from app.platform.security import redact_personal_tokens

REDACTED_KEYS = frozenset(
    {"password", "token", "access_token", "authorization", "secret_key", "secret"}
)


def _redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Belt and braces: no password or token reaches a log even if someone logs one,
    under a key of its own or quoted in a message (a personal access token is
    recognised by its prefix)."""
    for key in REDACTED_KEYS.intersection(event_dict):
        event_dict[key] = "[redacted]"
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = redact_personal_tokens(value)
    return event_dict


def _orjson_dumps(value: Any, **_: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def configure_logging(
    *, level: str = "INFO", as_json: bool = False, sql_echo: bool = False
) -> None:
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_ids,
        _redact,
    ]
    renderers: list[structlog.typing.Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(_orjson_dumps)]
        if as_json
        else [
            structlog.dev.ConsoleRenderer(
                colors=sys.stderr.isatty(),
                # Plain tracebacks: the default pretty printer renders every local
                # variable, which took seconds (and leaked request internals) per error.
                exception_formatter=structlog.dev.plain_traceback,
            )
        ]
    )
    structlog.configure(
        processors=[*shared, *renderers],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderers],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # SQL statements only when asked: they are noisy and may carry user data.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO if sql_echo else logging.WARNING)
    # Our middleware writes the access line; Hypercorn's would duplicate it.
    logging.getLogger("hypercorn.access").disabled = True


def add_trace_ids(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the current span's trace and span ids on every log line
    written inside it (the access line included), so a log line leads to its trace."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict
