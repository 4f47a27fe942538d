"""Hold idle `GET /events` streams open against the backend: the client side of W6.

`run.py` starts this as a process of its own, pinned beside wrk and off the app's core,
so holding the streams costs neither the app nor the load generator any CPU:

  python bench/streams.py --port PORT --tokens FILE --count N

FILE holds one bearer token per line; stream i uses token i mod their number, so each
account holds an equal share (an account may open only EVENTS_MAX_STREAMS_PER_USER
streams per process). Once every stream has had its `ready` event it prints
`ready N`; then it answers each line on stdin with `open N` (the streams the server
has not closed), and closes every stream at the end of its input. On any failure it
prints `failed: why` and exits with 1.

Each stream is a raw asyncio socket: one request written by hand, the response read
only until `event: ready` appears, then drained (heartbeats) without parsing. That
costs the client a few KB per stream and next to no CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

READY = b"\nevent: ready\n"
OPEN_AT_ONCE = 50  # streams being opened concurrently: below Hypercorn's listen backlog
OPEN_TIMEOUT = 60.0  # seconds for one stream to get its `ready`


class StreamError(Exception):
    pass


async def open_stream(port: int, token: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect, ask for the stream, and read until its `ready` event."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    )
    writer.write(request.encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0]
    if status_line.split(b" ")[1:2] != [b"200"]:
        writer.close()
        raise StreamError(f"GET /events answered {status_line.decode(errors='replace')}")
    seen = b""
    while READY not in seen:
        chunk = await reader.read(4096)
        if not chunk:
            raise StreamError("the server closed a stream before its ready event")
        seen = seen[-len(READY) :] + chunk
    return reader, writer


async def drain(reader: asyncio.StreamReader) -> None:
    """Read (and drop) whatever the server sends, until it closes the stream."""
    while await reader.read(4096):
        pass


async def hold(port: int, tokens: list[str], count: int) -> int:
    slots = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one(index: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        async with slots:
            token = tokens[index % len(tokens)]
            return await asyncio.wait_for(open_stream(port, token), OPEN_TIMEOUT)

    try:
        streams = await asyncio.gather(*(one(index) for index in range(count)))
    except (OSError, StreamError, TimeoutError, asyncio.IncompleteReadError) as exc:
        print(f"failed: {type(exc).__name__}: {exc}", flush=True)
        return 1
    readers = [asyncio.create_task(drain(reader)) for reader, _ in streams]
    print(f"ready {count}", flush=True)
    while await asyncio.to_thread(sys.stdin.readline):
        print(f"open {sum(not task.done() for task in readers)}", flush=True)
    for _, writer in streams:
        writer.close()
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens", type=Path, required=True, help="one bearer token a line")
    parser.add_argument("--count", type=int, required=True, help="streams to hold")
    args = parser.parse_args()
    tokens = args.tokens.read_text().split()
    return asyncio.run(hold(args.port, tokens, args.count))


if __name__ == "__main__":
    raise SystemExit(main())
