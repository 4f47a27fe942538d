"""Malformed HTTP sent as raw bytes to a real Hypercorn process: oversized headers and
URLs, bytes that are not text, ambiguous message framing. Each gets a 4xx (from the
server, or from the app's RequestHeadCheckMiddleware for what the server lets through),
and the process goes on serving everyone else."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import Backend, backend_env, run_cli, running_backend


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    data_dir: Path = tmp_path_factory.mktemp("hostile")
    env = backend_env(f"sqlite+aiosqlite:///{data_dir / 'hostile.db'}", data_dir)
    run_cli("migrate", env=env)
    with running_backend(env, data_dir, "hostile") as backend:
        yield backend


def send_raw(backend: Backend, request: bytes) -> int:
    """Send bytes as they are (no client library would send these) and return the
    status code of the answer."""
    with socket.create_connection(("127.0.0.1", backend.port), timeout=10) as conn:
        conn.sendall(request)
        head = b""
        while b"\r\n" not in head:
            chunk = conn.recv(4096)
            assert chunk, f"connection closed without an answer; got {head!r}"
            head += chunk
    status_line = head.split(b"\r\n", 1)[0]  # e.g. b"HTTP/1.1 431 "
    return int(status_line.split()[1])


def get(path: bytes, *headers: bytes) -> bytes:
    return (
        b"GET "
        + path
        + b" HTTP/1.1\r\nHost: t\r\n"
        + b"".join(h + b"\r\n" for h in headers)
        + b"\r\n"
    )


KIB = 1024


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        pytest.param(get(b"/healthz", b"X-Big: " + b"a" * 100_000), 431, id="100-KB-header"),
        pytest.param(get(b"/" + b"a" * 100_000), 431, id="100-KB-URL"),
        # Over the 16 KiB head limit, though it fits in one read of the socket.
        pytest.param(get(b"/healthz", b"X-Big: " + b"a" * 17 * KIB), 431, id="17-KiB-header"),
        pytest.param(get(b"/" + b"a" * 17 * KIB), 431, id="17-KiB-URL"),
        pytest.param(get(b"/healthz", b"X-Big: " + b"a" * 15 * KIB), 200, id="15-KiB-header"),
        pytest.param(get(b"/" + b"a" * 15 * KIB), 404, id="15-KiB-URL"),
        pytest.param(get(b"/todo/\xff\xfe"), 400, id="path-not-UTF-8"),
        pytest.param(get(b"/todo", b"Authorization: Bearer \xff\xfe"), 401, id="token-not-UTF-8"),
        pytest.param(
            get(b"/todo", b"Authorization: Bearer " + b"a" * 12_000), 401, id="12-KB-token"
        ),
        pytest.param(get(b"/healthz", b"Bad Header Name: x"), 400, id="space-in-header-name"),
        pytest.param(get(b"/healthz", b"X-Nul: a\x00b"), 400, id="NUL-in-header"),
        pytest.param(b"NOT-HTTP\r\n\r\n", 400, id="not-HTTP"),
    ],
)
def test_malformed_requests_get_a_4xx(server: Backend, request_bytes: bytes, status: int) -> None:
    assert send_raw(server, request_bytes) == status
    assert send_raw(server, get(b"/healthz")) == 200  # and the server goes on serving


def exchange(backend: Backend, request: bytes) -> tuple[bytes, bool]:
    """Send bytes as they are and read every byte of the answer: (the bytes, whether the
    server closed the connection). An open connection is waited on for 3 s."""
    answer = b""
    with socket.create_connection(("127.0.0.1", backend.port), timeout=3) as conn:
        conn.sendall(request)
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except TimeoutError:
            return answer, False
    return answer, True


SMUGGLED = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.mark.parametrize(
    "framing",
    [
        # The chunked body ends at "0": what follows is a second request to whoever
        # reads Transfer-Encoding, and part of the first body to whoever reads
        # Content-Length (a proxy in front that does, forwards it unchecked).
        pytest.param(b"Content-Length: 4\r\nTransfer-Encoding: chunked", id="CL-then-TE"),
        pytest.param(b"Transfer-Encoding: chunked\r\nContent-Length: 40", id="TE-then-CL"),
    ],
)
def test_content_length_with_transfer_encoding_is_refused_and_closed(
    server: Backend, framing: bytes
) -> None:
    """RFC 9112 section 6.1: a message with both may be an attempt at request smuggling;
    the server must refuse it, or process it and close the connection."""
    request = b"POST /auth/login HTTP/1.1\r\nHost: t\r\n" + framing + b"\r\n\r\n0\r\n\r\n"
    answer, closed = exchange(server, request + SMUGGLED)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 1, f"the smuggled request was answered:\n{answer!r}"
    assert b"\r\nconnection: close\r\n" in answer.lower()
    assert closed, "the server kept the connection open"
    assert send_raw(server, get(b"/healthz")) == 200
