"""Pure ASGI middleware (no BaseHTTPMiddleware: it costs a task per request)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping

import structlog
from opentelemetry import trace
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.platform.db import Consistency, consistency, consistency_token, parse_consistency_token
from app.platform.telemetry import error_reports as errors
from app.platform.telemetry.metrics import RequestMetrics, route_template

access_log = structlog.get_logger("app.access")

REQUEST_ID_HEADER = "x-request-id"
CONSISTENCY_HEADER = "x-consistency-token"
# The request line and headers together, in HTTP/1.1's wire format (RFC 9112).
MAX_HEAD_BYTES = 16 * 1024
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class HTTPMiddleware:
    """Base of our middleware: HTTP requests go to `handle_http`; anything else
    (lifespan, websockets) passes straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.handle_http(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class RequestContextMiddleware(HTTPMiddleware):
    """Gives each request an id (the client's X-Request-ID when sane), binds it to
    every log line of the request, echoes it, and writes one access line.

    It is also where an unexpected exception ends: logged once, with the request id,
    reported (Sentry, when configured), and answered with a JSON 500 if no response has
    started (the server would otherwise log it a second time and answer in plain text).

    With `metrics`, the same timing feeds the request metrics; the request id also goes
    on the request's trace span (a no-op when tracing is off)."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics | None = None) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request_id_header = (REQUEST_ID_HEADER.encode(), request_id.encode())
        state = scope.setdefault("state", {})
        started = time.perf_counter()
        status = 500

        started_response = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), request_id_header]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        trace.get_current_span().set_attribute("request_id", request_id)
        if self.metrics is not None:
            self.metrics.started()
        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception as exc:
            access_log.exception("unhandled_error", error=type(exc).__name__)
            errors.report(exc, request_id=request_id, route=route_template(scope))
            if started_response:
                raise  # too late for a clean 500: let the server drop the connection
            await JSONResponse({"detail": "Internal server error"}, status_code=500)(
                scope, receive, send_with_request_id
            )
        finally:
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.finished(scope, status, seconds)
            access_log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round(seconds * 1000, 2),
                user_id=state.get("user_id"),
            )
            structlog.contextvars.unbind_contextvars("request_id")


class SecurityHeadersMiddleware(HTTPMiddleware):
    """Headers every response carries: no MIME sniffing, no referrer leaks, and no
    caching of anything answered to a credentialed request (a shared proxy or the
    browser's cache must never replay one user's todos)."""

    ALWAYS = (
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    )
    NO_STORE = (b"cache-control", b"no-store")

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        credentialed = any(name == b"authorization" for name, _ in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), *self.ALWAYS]
                if credentialed and not any(name == b"cache-control" for name, _ in headers):
                    headers.append(self.NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestHeadCheckMiddleware(HTTPMiddleware):
    """Refuses request heads the HTTP server lets through, closing the connection:

    - Content-Length together with Transfer-Encoding (RFC 9112 section 6.1): 400. The
      server frames the body by Transfer-Encoding; a proxy in front that framed it by
      Content-Length would pass on, inside this body, bytes the server then reads as a
      second request (request smuggling).
    - A request line and headers over MAX_HEAD_BYTES: 431, as the server answers a
      longer head itself. h11 applies its limit only to a head still arriving, and
      Hypercorn reads 64 KiB at a time, so a head that arrived in one read got through.
    """

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        # "METHOD PATH?QUERY HTTP/1.1\r\n", each "name: value\r\n", the blank line.
        size = len(scope["method"]) + len(scope["raw_path"]) + len(scope["query_string"]) + 15
        has_length = has_encoding = False
        for name, value in scope["headers"]:
            size += len(name) + len(value) + 4
            has_length = has_length or name == b"content-length"
            has_encoding = has_encoding or name == b"transfer-encoding"
        if has_length and has_encoding:
            detail = "Content-Length and Transfer-Encoding together"
            await _error(scope, receive, send, 400, detail, close_connection=True)
        elif size > MAX_HEAD_BYTES:
            detail = f"Request line and headers exceed {MAX_HEAD_BYTES} bytes"
            await _error(scope, receive, send, 431, detail, close_connection=True)
        else:
            await self.app(scope, receive, send)


class ConsistencyTokenMiddleware(HTTPMiddleware):
    """Read-your-writes across replicas (docs/architecture.md, "Read-your-writes"): a
    request's X-Consistency-Token says what its reads must follow; a response to a
    request that wrote carries the token of its newest commit. Clients keep the
    greatest token they were given (tokens sort as strings) and send it with every
    request. Without read replicas no token is issued, and one sent is only checked."""

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = Headers(scope=scope).get(CONSISTENCY_HEADER)
        state = Consistency()
        if sent is not None:
            try:
                state.read_after = parse_consistency_token(sent)
            except ValueError:
                detail = "X-Consistency-Token must be a token this API returned (16 hex digits)"
                await _error(scope, receive, send, 400, detail)
                return

        async def send_with_token(message: Message) -> None:
            if message["type"] == "http.response.start" and state.written_at is not None:
                token = consistency_token(state.written_at).encode()
                message["headers"] = [*message.get("headers", ()), (b"x-consistency-token", token)]
            await send(message)

        reset = consistency.set(state)
        try:
            await self.app(scope, receive, send_with_token)
        finally:
            consistency.reset(reset)


class BodySizeLimitMiddleware(HTTPMiddleware):
    """413 for bodies over the limit, whether announced (Content-Length) or streamed.
    `larger` gives a few paths (under the root path) a limit of their own."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    async def handle_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        max_bytes = self.larger.get(path, self.max_bytes)
        too_large = HTTPException(413, f"Request body exceeds {max_bytes} bytes")
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _error(scope, receive, send, 400, "Invalid Content-Length header")
                return
            if int(declared) > max_bytes:
                await _error(scope, receive, send, 413, too_large.detail)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    # FastAPI re-raises HTTPException from body parsing unchanged.
                    raise too_large
            return message

        await self.app(scope, limited_receive, send)


async def _error(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    detail: str,
    *,
    close_connection: bool = False,
) -> None:
    """`close_connection`: nothing after this head on an HTTP/1 connection can be trusted
    (HTTP/2 frames every stream itself, and forbids the Connection header)."""
    close = close_connection and scope["http_version"] in {"1.0", "1.1"}
    headers = {"connection": "close"} if close else None
    await JSONResponse({"detail": detail}, status_code=status, headers=headers)(
        scope, receive, send
    )
