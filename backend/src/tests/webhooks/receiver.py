"""A real webhook receiver on loopback for the tests: a stdlib HTTP server in a thread
that verifies every delivery with the Standard Webhooks reference implementation's own
verification (`standardwebhooks.Webhook.verify`) and keeps what it got.

`answer` decides each response (200 unless a test says otherwise); `hold` makes it
wait before answering (a slow receiver, or one a test kills the sender under)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    msg_id: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def payload(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


@dataclass
class Receiver:
    port: int = 0
    secrets: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    requests: int = 0  # every request, whatever it was answered
    answer: Callable[[Received], tuple[int, dict[str, str]]] = lambda _: (200, {})
    hold: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def verify(self, body: bytes, headers: dict[str, str]) -> bool:
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            return True
        return False

    def delivered(self) -> list[Received]:
        """Every request answered 2xx, in arrival order."""
        with self.lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.delivered()
            if len({item.msg_id for item in got}) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{len(self.delivered())} deliveries, not {count}, in {timeout} s")


@contextmanager
def running_receiver(secrets: list[str] | None = None, *, port: int = 0) -> Iterator[Receiver]:
    receiver = Receiver(port=port, secrets=list(secrets or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {key.lower(): value for key, value in self.headers.items()}
            item = Received(headers.get("webhook-id", ""), headers, body, False)
            item.verified = receiver.verify(body, headers)
            with receiver.lock:
                receiver.requests += 1
            if receiver.hold:
                time.sleep(receiver.hold)
            status, extra = receiver.answer(item) if item.verified else (401, {})
            if 200 <= status < 300:
                with receiver.lock:
                    receiver.received.append(item)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a sender killed mid-request: expected here, not worth a traceback

    server = Server(("127.0.0.1", receiver.port), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
