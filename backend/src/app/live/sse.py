"""A Server-Sent Events response: one subscription's events, written as they come.

A plain ASGI response rather than Starlette's `StreamingResponse`, for two things a
generator cannot do: notice that the client went away while nothing is being sent
(it listens for `http.disconnect` beside the writer), and give up on a client that
stops reading (each write has `SEND_TIMEOUT`; the subscription's queue is bounded).
Either way the subscription is closed and forgotten at once.

Every event carries an `id:` (a `Cursor`): a client that reconnects sends the last one
back as `Last-Event-ID`. Heartbeats are an `id:` with a comment and no data: they keep
proxies from closing an idle stream, and move the client's `Last-Event-ID` forward
(the SSE parser records an `id:` even when no event is dispatched), so a client that
was idle for long still resumes within the retention window.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import structlog
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.accounts.events import SessionEnded
from app.live.broker import Broker, Cursor, StreamEnd, Subscription
from app.live.events import Ready, Resync
from app.live.log import LoggedEvent

log = structlog.get_logger(__name__)

SEND_TIMEOUT = 10.0  # a client that takes longer to accept one write is dropped
RECONNECT_MS = 2000  # the browser's reconnection delay (SSE `retry:`)


def encode(event_type: str, data: str, event_id: str) -> bytes:
    """One SSE message. `data` is one line of JSON (no newline to split)."""
    return f"id: {event_id}\nevent: {event_type}\ndata: {data}\n\n".encode()


def encode_heartbeat(event_id: str) -> bytes:
    return f": keep-alive\nid: {event_id}\n\n".encode()


class EventStreamResponse(Response):
    media_type = "text/event-stream"

    def __init__(
        self,
        broker: Broker,
        subscription: Subscription,
        first: Cursor,
        *,
        heartbeat: float,
        expires_at: float,
    ) -> None:
        super().__init__(
            headers={
                # no-transform: no proxy (nor Next.js' compression) may hold it back.
                "Cache-Control": "no-cache, no-transform",
                "X-Accel-Buffering": "no",  # nginx: pass each write on at once
            },
        )
        # Starlette declares the empty body's length (0); a stream has none.
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.broker = broker
        self.subscription = subscription
        self.first = first
        self.heartbeat = heartbeat
        self.expires_at = expires_at

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            writer = asyncio.ensure_future(self._write(send))
            listener = asyncio.ensure_future(_until_disconnect(receive))
            try:
                await asyncio.wait({writer, listener}, return_when="FIRST_COMPLETED")
            finally:
                for task in (writer, listener):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, OSError):
                        await task
            if writer.done() and not writer.cancelled() and writer.exception() is None:
                with contextlib.suppress(OSError):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.broker.unsubscribe(self.subscription)

    async def _write(self, send: Send) -> None:
        subscription = self.subscription
        await self._send(send, f"retry: {RECONNECT_MS}\n\n".encode())
        while True:
            remaining = self.expires_at - time.time()
            if remaining <= 0:
                ended = SessionEnded(reason="expired")
                cursor = self.broker.cursor_for(subscription).text()
                await self._send(send, encode(ended.type, ended.model_dump_json(), cursor))
                return
            try:
                item = await subscription.next(min(self.heartbeat, remaining))
            except StreamEnd as end:
                log.info("event_stream_ended", reason=end.reason)
                return
            if item is None:
                cursor = self.broker.cursor_for(subscription).text()
                await self._send(send, encode_heartbeat(cursor))
            elif isinstance(item, LoggedEvent):
                cursor = Cursor.now(item.position).text()
                await self._send(send, encode(item.kind, item.data, cursor))
            else:
                await self._send(send, _encode_own(item, self.first))

    async def _send(self, send: Send, chunk: bytes) -> None:
        message: Message = {"type": "http.response.body", "body": chunk, "more_body": True}
        try:
            async with asyncio.timeout(SEND_TIMEOUT):  # no task per write, unlike wait_for
                await send(message)
        except TimeoutError:
            log.info("event_stream_ended", reason="slow consumer")
            raise


def _encode_own(item: Ready | Resync, first: Cursor) -> bytes:
    """The stream's own events are sent first, with the cursor it started from."""
    return encode(item.type, item.model_dump_json(), first.text())


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
