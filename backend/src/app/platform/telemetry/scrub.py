"""What telemetry may carry out of the process: one allow-list for spans, one for error
reports. Everything not named here is dropped — a new attribute an instrumentation
library adds in a later version stays inside until someone decides it is safe.

Never allowed out: the Authorization header, cookies, tokens, passwords, request and
response bodies (todo content), query strings, SQL parameter values, exception messages
(a driver's message can quote a value), client addresses and user agents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.platform.security import redact_personal_tokens

# Span attributes (old and new OpenTelemetry semantic conventions alike).
SPAN_ATTRIBUTES = frozenset(
    {
        # HTTP server spans: the route template, never the query string.
        "http.method",
        "http.request.method",
        "http.route",
        "http.status_code",
        "http.response.status_code",
        "http.scheme",
        "url.scheme",
        "url.path",
        "http.flavor",
        "network.protocol.version",
        "net.host.port",
        "server.port",
        "request_id",  # ours (RequestContextMiddleware): where logs and traces meet
        # Database client spans: the statement as SQLAlchemy sends it, with placeholders.
        "db.system",
        "db.system.name",
        "db.name",
        "db.namespace",
        "db.statement",
        "db.query.text",
        "db.operation",
        "db.operation.name",
        "net.peer.name",
        "net.peer.port",
        "server.address",
        # Exception events: the class only (its message may quote a value).
        "exception.type",
        "exception.escaped",
    }
)
# Headers an error report keeps (Sentry's request.headers).
REPORT_HEADERS = frozenset(
    {"accept", "content-type", "content-length", "host", "x-request-id", "x-forwarded-proto"}
)


def allowed_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The span attributes allowed out, with any personal access token quoted in one
    (a URL path, say) cut out."""
    return {
        key: redact_personal_tokens(value) if isinstance(value, str) else value
        for key, value in (attributes or {}).items()
        if key in SPAN_ATTRIBUTES
    }


def scrub_event(event: dict[str, Any]) -> dict[str, Any]:
    """An error report (Sentry event) with nothing secret left: request headers cut to
    REPORT_HEADERS, no cookies, body, query string or client address, no local
    variables, no exception messages, no log-message breadcrumbs' data."""
    request = event.get("request")
    if isinstance(request, dict):
        headers = request.get("headers") or {}
        request["headers"] = {
            name: value for name, value in headers.items() if name.lower() in REPORT_HEADERS
        }
        for key in ("cookies", "data", "query_string", "env"):
            request.pop(key, None)
        if isinstance(request.get("url"), str):
            request["url"] = redact_personal_tokens(request["url"].split("?", 1)[0])
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = ""
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        crumb.pop("data", None)
        crumb.pop("message", None)
    for key in ("extra", "logentry"):
        event.pop(key, None)
    return event
