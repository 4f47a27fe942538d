"""The third strategy: a real Hypercorn process started by the CLI, driven over HTTP
by a client written the way the original app's clients were."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.databases import free_port

CLI = [sys.executable, "-m", "app.cli"]


class LiveServer:
    def __init__(self, process: subprocess.Popen[str], base_url: str, log: Path) -> None:
        self.process = process
        self.base_url = base_url
        self.log = log


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, check=True)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DB_DSN"}}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'live.db'}",
        DATA_DIR=str(tmp_path),
        DEV_MODE="1",
        LOGS_AS_JSON="1",
    )
    return env


@pytest.fixture
def server(environment: dict[str, str], tmp_path: Path) -> Iterator[LiveServer]:
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base_url}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail(f"server did not start:\n{log.read_text()}")
        time.sleep(0.1)
    yield LiveServer(process, base_url, log)
    if process.poll() is None:
        process.kill()
        process.wait()


def test_original_client_flow(server: LiveServer, environment: dict[str, str]) -> None:
    # Before migrations the process is alive but not ready.
    assert httpx.get(f"{server.base_url}/readyz").status_code == 503
    run_cli("migrate", env=environment)
    run_cli("seed-demo", env=environment)
    run_cli("seed-demo", env=environment)  # idempotent
    assert httpx.get(f"{server.base_url}/readyz").status_code == 200

    with httpx.Client(base_url=server.base_url) as client:
        login = client.post("/auth/login", data={"username": "user1", "password": "pass"})
        assert login.status_code == 200
        token = login.json()["access_token"]
        headers = {"Authorization": f"bearer {token}"}

        todos = client.get("/todo/", headers=headers).json()
        assert [t["title"] for t in todos] == ["Note 1", "Note 2", "Note 3"]

        created = client.post(
            "/todo/", json={"title": "From an old client", "content": "hello"}, headers=headers
        )
        assert created.status_code == 201
        todo_id = created.json()["id"]
        updated = client.put(
            f"/todo/{todo_id}", json={"title": "Renamed", "content": "hello"}, headers=headers
        )
        assert updated.json()["title"] == "Renamed"
        assert client.delete(f"/todo/{todo_id}", headers=headers).json() == {}
        assert client.get(f"/todo/{todo_id}", headers=headers).status_code == 404

        traced = client.get("/me", headers={**headers, "X-Request-ID": "trace-me-123"})
        assert traced.headers["x-request-id"] == "trace-me-123"
        assert traced.json()["name"] == "user1"

        other = client.post("/auth/login", data={"username": "user2", "password": "pass"})
        user2 = {"Authorization": f"bearer {other.json()['access_token']}"}
        assert client.get("/todo", headers=user2).json() == []

    # SIGTERM drains and exits cleanly.
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=20) == 0

    log = server.log.read_text()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    traced_lines = [line for line in lines if line.get("request_id") == "trace-me-123"]
    assert [(line["event"], line["path"], line["status"]) for line in traced_lines] == [
        ("request", "/me", 200)
    ]
    assert token not in log, "no token reaches the log"
    assert '"pass"' not in log
    assert "password=pass" not in log


def test_restart_keeps_dev_secret(
    server: LiveServer, environment: dict[str, str], tmp_path: Path
) -> None:
    run_cli("migrate", env=environment)
    run_cli("seed-demo", env=environment)
    login = httpx.post(
        f"{server.base_url}/auth/login", data={"username": "user1", "password": "pass"}
    )
    token = login.json()["access_token"]
    assert (tmp_path / "secret_key").exists()
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=20)

    # A second process (a restart, or another replica) accepts the same token.
    port = free_port()
    replica = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                me = httpx.get(
                    f"http://127.0.0.1:{port}/me", headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "replica did not start"
                time.sleep(0.1)
        assert me.status_code == 200
        assert me.json()["name"] == "user1"
    finally:
        replica.terminate()
        replica.wait(timeout=20)


def test_serve_without_secret_outside_dev_mode_fails_clearly(
    environment: dict[str, str],
) -> None:
    env = {**environment, "DEV_MODE": "0"}
    result = subprocess.run(
        [*CLI, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr
