"""The third strategy: a real Hypercorn process started by the CLI, driven over HTTP
by a client written the way the original app's clients were."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.databases import free_port
from tests.processes import CLI, Backend, run_cli, running_backend


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """Dev mode, as `make run` starts it: the secret is generated into DATA_DIR."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DB_DSN"}}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'live.db'}",
        DATA_DIR=str(tmp_path),
        DEV_MODE="1",
        LOGS_AS_JSON="1",
    )
    return env


@pytest.fixture
def server(environment: dict[str, str], tmp_path: Path) -> Iterator[Backend]:
    with running_backend(environment, tmp_path, "live") as backend:
        yield backend


def test_original_client_flow(server: Backend, environment: dict[str, str]) -> None:
    # Before migrations the process is alive but not ready.
    assert httpx.get(f"{server.url}/readyz").status_code == 503
    run_cli("migrate", env=environment)
    run_cli("seed-demo", env=environment)
    run_cli("seed-demo", env=environment)  # idempotent
    assert httpx.get(f"{server.url}/readyz").status_code == 200

    with httpx.Client(base_url=server.url) as client:
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

        # `make run` seeds at every start: a note the user deleted stays deleted.
        assert client.delete(f"/todo/{todos[0]['id']}", headers=headers).status_code == 200
        run_cli("seed-demo", env=environment)
        left = [t["title"] for t in client.get("/todo", headers=headers).json()]
        assert left == ["Note 2", "Note 3"]

    # SIGTERM drains and exits cleanly.
    assert server.terminate(timeout=20) == 0

    log = server.log_text()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    traced_lines = [line for line in lines if line.get("request_id") == "trace-me-123"]
    assert [(line["event"], line["path"], line["status"]) for line in traced_lines] == [
        ("request", "/me", 200)
    ]
    assert token not in log, "no token reaches the log"
    assert '"pass"' not in log
    assert "password=pass" not in log


def test_restart_keeps_dev_secret(
    server: Backend, environment: dict[str, str], tmp_path: Path
) -> None:
    run_cli("migrate", env=environment)
    run_cli("seed-demo", env=environment)
    login = httpx.post(f"{server.url}/auth/login", data={"username": "user1", "password": "pass"})
    token = login.json()["access_token"]
    assert (tmp_path / "secret_key").exists()
    assert server.terminate(timeout=20) == 0

    # A second process (a restart, or another replica) accepts the same token.
    with running_backend(environment, tmp_path, "replica") as replica:
        me = httpx.get(f"{replica.url}/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["name"] == "user1"


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
