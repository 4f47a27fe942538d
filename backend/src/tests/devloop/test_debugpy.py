"""`minor-illusion serve --debugpy` (`make debug`): the port speaks the Debug Adapter
Protocol, so an IDE can attach. Proved with no IDE: `initialize` → capabilities."""

from __future__ import annotations

import json
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.databases import free_port
from tests.devloop.sessions import dev_env, session_pids, started
from tests.processes import BACKEND_SRC, port_open, wait_until


def send(sock: socket.socket, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)


def receive(stream: socket.SocketIO) -> dict[str, Any]:
    """One DAP message: `Content-Length: N` headers, a blank line, N bytes of JSON."""
    length = None
    while (line := stream.readline()) not in {b"\r\n", b""}:
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    assert length is not None, "the adapter closed the connection or sent no Content-Length"
    body = b""
    while len(body) < length:
        chunk = stream.read(length - len(body))
        assert chunk, "the adapter closed the connection mid-message"
        body += chunk
    message: dict[str, Any] = json.loads(body)
    return message


def test_the_debug_port_answers_initialize_with_capabilities(tmp_path: Path) -> None:
    port, debug_port = free_port(), free_port()
    command = [
        *(sys.executable, "-X", "frozen_modules=off", "-m", "app.cli"),
        *("serve", "--host", "127.0.0.1", "--port", str(port)),
        *("--debugpy", f"127.0.0.1:{debug_port}"),
    ]
    log = tmp_path / "serve.log"
    with started(command, env=dev_env(tmp_path), cwd=BACKEND_SRC, log=log) as server:
        # The debugger listens before the app serves. (Not probed with a bare connect:
        # the adapter takes the first client that connects as its IDE.)
        wait_until(lambda: port_open(port), timeout=60, what="the backend under debugpy")
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200

        with socket.create_connection(("127.0.0.1", debug_port), timeout=20) as sock:
            stream = socket.SocketIO(sock, "rb")
            send(
                sock,
                {
                    "seq": 1,
                    "type": "request",
                    "command": "initialize",
                    "arguments": {
                        "clientID": "minor-illusion-tests",
                        "adapterID": "python",
                        "linesStartAt1": True,
                        "columnsStartAt1": True,
                        "pathFormat": "path",
                    },
                },
            )
            # Events (output, the adapter's own) may come first; the answer names our seq.
            while (reply := receive(stream))["type"] != "response":
                pass
        assert reply["request_seq"] == 1
        assert reply["command"] == "initialize"
        assert reply["success"] is True, reply
        capabilities = reply["body"]
        assert isinstance(capabilities, dict)
        assert capabilities.get("supportsConfigurationDoneRequest") is True

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text()
        wait_until(
            lambda: not session_pids(server.pid),
            timeout=15,
            what="the debug adapter to be gone",
        )
    assert f"debugpy: listening on 127.0.0.1:{debug_port}" in log.read_text()
