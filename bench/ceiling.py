"""The ceiling: a bare ASGI app answering the benchmark's requests with the same JSON
the real API returns, precomputed. Served by the same Hypercorn configuration, it
measures what the server and the load generator can do on this machine, so the real
app's figures can be read as a fraction of it.

Bodies come from files the harness writes (CEILING_LIST_JSON, CEILING_TODO_JSON).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from app.platform import lifecycle

LIST_BODY = Path(os.environ["CEILING_LIST_JSON"]).read_bytes()
TODO_BODY = Path(os.environ["CEILING_TODO_JSON"]).read_bytes()


def _headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                lifecycle.settle_after_start_up()  # as the app's and the floors' workers
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    # Drain the request body, as a real app must.
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    method, path = scope["method"], scope["path"].rstrip("/")
    if method == "GET" and path == "/todo":
        status, body = 200, LIST_BODY
    elif method == "POST":
        status, body = 201, TODO_BODY
    else:
        status, body = 200, TODO_BODY
    await send({"type": "http.response.start", "status": status, "headers": _headers(body)})
    await send({"type": "http.response.body", "body": body})
