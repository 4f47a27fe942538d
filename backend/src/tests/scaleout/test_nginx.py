"""deploy/nginx/default.conf.template, rendered and run exactly as compose runs it, in
front of stub upstreams: what it passes on, and which requests it re-sends to the other
replica. (test_stateless.py and test_faults.py put it in front of real backends.)"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.databases import free_port
from tests.scaleout.harness import (
    NGINX_TEMPLATE,
    nginx_config,
    nginx_test_config,
    render_nginx_template,
    running_nginx,
)

TEMPLATE_VARIABLES = {"LISTEN_PORT", "BACKEND_1", "BACKEND_2", "ACCESS_LOG"}


@dataclass
class Stub:
    """An upstream that counts the requests it received."""

    address: str
    requests: list[str] = field(default_factory=list)


@contextmanager
def echo_upstream() -> Iterator[Stub]:
    """Answers 200 with the request's method, path and headers as JSON."""
    stub: Stub

    class Echo(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            self.rfile.read(length)
            stub.requests.append(self.command)
            body = json.dumps(
                {"method": self.command, "path": self.path, "headers": dict(self.headers)}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    stub = Stub(f"127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def dropping_upstream() -> Iterator[Stub]:
    """Reads a whole request, then closes the connection without answering: a replica
    that died while handling it."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stub = Stub(f"127.0.0.1:{listener.getsockname()[1]}")
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except TimeoutError:
                    pass
                if data:
                    stub.requests.append(data.split(b" ", 1)[0].decode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_template_uses_only_the_documented_variables() -> None:
    used = set(re.findall(r"\$\{(\w+)\}", NGINX_TEMPLATE.read_text()))
    assert used == TEMPLATE_VARIABLES


def test_rendering_like_the_image_touches_only_our_variables() -> None:
    """The image substitutes EVERY variable defined in the container's environment, not
    just ours: none of them may collide with one of nginx's own `$variables`."""
    values = {
        "LISTEN_PORT": "8000",
        "BACKEND_1": "a:8000",
        "BACKEND_2": "b:8000",
        "ACCESS_LOG": "x",
    }
    container_env = {"HOSTNAME": "proxy", "HOME": "/root", "NGINX_VERSION": "1.27.5"}
    assert render_nginx_template({**os.environ, **container_env, **values}) == (
        render_nginx_template(values)
    )


def test_rendered_template_passes_nginx_t(tmp_path: Path) -> None:
    rendered = render_nginx_template(
        {"LISTEN_PORT": "8000", "BACKEND_1": "a:8000", "BACKEND_2": "b:8000", "ACCESS_LOG": "x"}
    )
    assert "${" not in rendered
    assert "$proxy_add_x_forwarded_for" in rendered, "nginx's own variables survive envsubst"
    # `nginx -t` resolves upstream host names, so check a copy aimed at 127.0.0.1.
    config = nginx_config(tmp_path, free_port(), ("127.0.0.1:1", "127.0.0.1:2"))
    checked = nginx_test_config(config)
    assert checked.returncode == 0, checked.stderr


def test_forwarding_headers_and_request_id() -> None:
    with (
        echo_upstream() as one,
        echo_upstream() as two,
        running_nginx((one.address, two.address)) as proxy,
    ):
        traced = httpx.get(f"{proxy.url}/todo", headers={"X-Request-ID": "trace-abc-123"})
        seen = traced.json()["headers"]
        assert seen["X-Request-ID"] == "trace-abc-123"
        assert seen["X-Forwarded-For"] == "127.0.0.1"
        assert seen["X-Forwarded-Proto"] == "http"
        assert seen["X-Real-IP"] == "127.0.0.1"

        # Without one, nginx makes the id up, and the backend gets it.
        untraced = httpx.get(f"{proxy.url}/todo").json()["headers"]["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", untraced)

        # A client's X-Forwarded-For is extended, not replaced.
        chained = httpx.get(f"{proxy.url}/todo", headers={"X-Forwarded-For": "203.0.113.7"})
        assert chained.json()["headers"]["X-Forwarded-For"] == "203.0.113.7, 127.0.0.1"

        assert "upstream=127.0.0.1:" in proxy.wait_for_access_line("request_id=trace-abc-123")
        proxy.wait_for_access_line(f"request_id={untraced}")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_request_is_resent_to_the_other_replica(method: str) -> None:
    with (
        dropping_upstream() as dead,
        echo_upstream() as live,
        running_nginx((dead.address, live.address)) as proxy,
    ):
        responses = [httpx.request(method, f"{proxy.url}/todo/1") for _ in range(2)]
        assert [r.status_code for r in responses] == [200, 200]
        # The dying replica got the request once; nginx re-sent it, and then left that
        # replica alone (max_fails=1) for the second request.
        assert dead.requests == [method]
        assert live.requests == [method, method]
        proxy.wait_for_access_line(f"upstream={dead.address}, {live.address}")


def test_post_that_reached_a_replica_is_not_resent() -> None:
    # Both replicas drop the request: a POST is tried once (it may have been applied;
    # the client decides, with its Idempotency-Key), a GET on both.
    with dropping_upstream() as one, dropping_upstream() as two:
        with running_nginx((one.address, two.address)) as proxy:
            assert httpx.post(f"{proxy.url}/todo", json={}).status_code == 502
        assert len(one.requests) + len(two.requests) == 1
    with dropping_upstream() as one, dropping_upstream() as two:
        with running_nginx((one.address, two.address)) as proxy:
            assert httpx.get(f"{proxy.url}/todo").status_code == 502
        assert len(one.requests) + len(two.requests) == 2


def test_post_fails_over_when_a_replica_refuses_connections() -> None:
    # A killed replica refuses connections: the request never reached it, so nginx sends
    # even a POST to the other replica.
    with (
        echo_upstream() as live,
        running_nginx((f"127.0.0.1:{free_port()}", live.address)) as proxy,
    ):
        statuses = [httpx.post(f"{proxy.url}/todo", json={}).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        assert live.requests == ["POST", "POST", "POST"]
