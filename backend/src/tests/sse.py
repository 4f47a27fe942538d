"""Reading `GET /events` in tests: an SSE parser, two ways to open a stream, and a way
to change memberships at the moment a stream opens (`after_lists_read`).

`open_stream(app, headers)` calls the app in-process (httpx's ASGI transport waits for
the whole body, which a stream never finishes); `http_stream(url, headers)` reads one
from a real server. Both give an `EventStream` to take events from, one at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.security import Caller
from app.daos import daos
from app.models import TodoList
from app.schemas import ListPublic

CLOSED = b""


@dataclass
class Message:
    """One dispatched SSE message: `type` its `event:` name, `data` its parsed JSON."""

    type: str
    id: str
    data: dict[str, Any]
    received_at: float = 0.0  # time.monotonic() when it was parsed


@dataclass
class EventStream:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    last_id: str | None = None  # as a browser tracks it: heartbeats move it too
    heartbeats: int = 0
    ended: bool = False
    body: bytes = b""  # what a refused request sent
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _buffer: str = ""
    _ready: list[Message] = field(default_factory=list)
    _started: asyncio.Event = field(default_factory=asyncio.Event)

    def feed(self, chunk: bytes) -> None:
        """Parse as it arrives: each message is stamped with the time it came in."""
        if chunk == CLOSED:
            self.ended = True
        else:
            self._parse(chunk.decode())
        self._arrived.set()

    async def next(self, wait: float = 5.0) -> Message:
        """The next message; TimeoutError if none comes; EOFError once the stream ended."""
        async with asyncio.timeout(wait):
            while not self._ready:
                if self.ended:
                    raise EOFError("the stream ended")
                self._arrived.clear()
                await self._arrived.wait()
        return self._ready.pop(0)

    def received(self) -> list[Message]:
        """The messages already in, not yet taken: with those taken, everything up to
        `last_id`."""
        taken, self._ready = self._ready, []
        return taken

    async def take(self, count: int, wait: float = 5.0) -> list[Message]:
        return [await self.next(wait) for _ in range(count)]

    async def until(self, event_type: str, wait: float = 5.0) -> list[Message]:
        """Every message up to and including the first of `event_type`."""
        taken = [await self.next(wait)]
        while taken[-1].type != event_type:
            taken.append(await self.next(wait))
        return taken

    async def quiet(self, seconds: float) -> list[Message]:
        """Whatever arrives within `seconds`."""
        taken: list[Message] = []
        with contextlib.suppress(TimeoutError, EOFError):
            while True:
                taken.append(await self.next(seconds))
        return taken

    def _parse(self, text: str) -> None:
        if self.status != 200:
            self.body += text.encode()
            return
        self._buffer += text.replace("\r\n", "\n")
        while "\n\n" in self._buffer:
            block, self._buffer = self._buffer.split("\n\n", 1)
            fields: dict[str, str] = {}
            for line in block.split("\n"):
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
            if "id" in fields:
                self.last_id = fields["id"]
            if "data" in fields:
                event_type, data = fields.get("event", "message"), json.loads(fields["data"])
                self._ready.append(Message(event_type, fields["id"], data, time.monotonic()))
            elif "id" in fields:
                self.heartbeats += 1


async def log_final(app: FastAPI) -> None:
    """Wait until every event already written is final (at or before the log's head).

    On PostgreSQL the head is the server's oldest running transaction, in any database:
    another test process can hold it back, and then a stream opened "after" a change
    still receives it, since the change was not final when the stream began. Tests that
    expect a stream to start after what they did first wait for this."""
    db = app.state.db

    async def pending(conn: AsyncConnection) -> bool:
        head = await daos.events.head(conn)
        return bool(await daos.events.after(conn, head, until=None, limit=1))

    async with asyncio.timeout(30):  # a cap for a loaded machine: it ends on arrival
        while True:
            if not await db.read(pending):
                return
            await asyncio.sleep(0.02)


@asynccontextmanager
async def open_stream(
    app: FastAPI,
    headers: dict[str, str],
    *,
    last_event_id: str | None = None,
    after_log_final: bool = True,
) -> AsyncIterator[EventStream]:
    """`GET /events` on `app`, in-process. Leaving the block disconnects. The stream
    starts after everything written before it (`log_final`) unless told not to wait
    (`error_of`, which may run while the database is frozen)."""
    if after_log_final:
        await log_final(app)
    stream = EventStream()
    sent = {k.lower(): v for k, v in headers.items()}
    if last_event_id is not None:
        sent["last-event-id"] = last_event_id
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/events",
        "raw_path": b"/events",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in sent.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    disconnected = asyncio.Event()
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            stream.status = message["status"]
            stream.headers = {k.decode(): v.decode() for k, v in message["headers"]}
            stream._started.set()
        elif message["type"] == "http.response.body":
            if message.get("body"):
                stream.feed(message["body"])
            if not message.get("more_body", False):
                stream.feed(CLOSED)

    task = asyncio.create_task(app(scope, receive, send))
    try:
        async with asyncio.timeout(10):
            await stream._started.wait()
        yield stream
    finally:
        disconnected.set()
        async with asyncio.timeout(10):
            await task


async def error_of(app: FastAPI, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    """A refused `GET /events`: its status, headers and JSON body."""
    async with open_stream(app, headers, after_log_final=False) as stream:
        async with asyncio.timeout(5):
            while not stream.ended:
                stream._arrived.clear()
                await stream._arrived.wait()
        return stream.status, stream.headers, json.loads(stream.body)


@asynccontextmanager
async def http_stream(
    base_url: str, headers: dict[str, str], *, last_event_id: str | None = None
) -> AsyncIterator[EventStream]:
    """`GET /events` from a real server at `base_url`."""
    stream = EventStream()
    sent = dict(headers)
    if last_event_id is not None:
        sent["Last-Event-ID"] = last_event_id
    timeout = httpx.Timeout(10, read=None)
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=timeout) as client,
        client.stream("GET", "/events", headers=sent) as response,
    ):
        stream.status = response.status_code
        stream.headers = dict(response.headers)

        async def pump() -> None:
            try:
                async for chunk in response.aiter_raw():
                    stream.feed(chunk)
            except httpx.HTTPError:
                pass
            stream.feed(CLOSED)

        reader = asyncio.create_task(pump())
        try:
            yield stream
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


@contextmanager
def after_lists_read(user_id: uuid.UUID, act: Callable[[], Awaitable[Any]]) -> Iterator[None]:
    """Run `act` (a change committed on its own connection) once, right after the broker
    has read `user_id`'s lists for a stream that is opening: the moment between reading
    the memberships and the log's head, where issue 27's second leak lived."""
    original = TodoList.mine
    pending = [act]

    async def mine(conn: AsyncConnection, caller: Caller) -> list[ListPublic]:
        found = await original(conn, caller)
        if caller.user_id == user_id and pending:
            await pending.pop()()
        return found

    TodoList.mine = staticmethod(mine)  # type: ignore[method-assign]
    try:
        yield
    finally:
        TodoList.mine = original  # type: ignore[method-assign]
