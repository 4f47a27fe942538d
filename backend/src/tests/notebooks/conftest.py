"""Fixtures for the notebook tests. Contents:

1. `backend` — the real backend, started the way an operator starts it (the
   `minor-illusion` CLI: `migrate`, `seed-demo`, then `serve` on a free port) on a
   temporary SQLite database, once per test session. Nothing is mocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.databases import free_port

CLI = [sys.executable, "-m", "app.cli"]
STARTUP_TIMEOUT = 30.0  # seconds for the server to answer /healthz
CLI_TIMEOUT = 120.0  # seconds for `migrate` and `seed-demo`


@dataclass(frozen=True)
class Backend:
    base_url: str
    database_url: str
    data_dir: Path
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's log, for failure messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def backend_environment(data_dir: Path) -> dict[str, str]:
    """The environment of every backend command: a database and dev secret of our own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DB_DSN", "SECRET_KEY"}
    }
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{data_dir / 'nb.db'}",
        DATA_DIR=str(data_dir),
        DEV_MODE="1",
    )
    return env


def run_cli(*args: str, env: dict[str, str]) -> None:
    command = ["minor-illusion", *args]
    try:
        result = subprocess.run(
            [*CLI, *args], env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(command)}` did not finish in {CLI_TIMEOUT:.0f} s")
    if result.returncode != 0:
        pytest.fail(f"`{' '.join(command)}` exited with {result.returncode}:\n{result.stderr}")


def wait_until_healthy(backend: Backend, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            if httpx.get(f"{backend.base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            pytest.fail(f"the backend exited with {process.returncode}:\n{backend.log_tail()}")
        if time.monotonic() > deadline:
            pytest.fail(
                f"the backend did not answer in {STARTUP_TIMEOUT:.0f} s:\n{backend.log_tail()}"
            )
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Hypercorn drains and exits), then SIGKILL if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# 1 ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    data_dir = tmp_path_factory.mktemp("notebooks")
    env = backend_environment(data_dir)
    run_cli("migrate", env=env)
    run_cli("seed-demo", env=env)

    port = free_port()
    backend = Backend(
        base_url=f"http://127.0.0.1:{port}",
        database_url=env["DATABASE_URL"],
        data_dir=data_dir,
        log=data_dir / "server.log",
    )
    with backend.log.open("wb") as sink:
        process = subprocess.Popen(
            [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(backend, process)
        ready = httpx.get(f"{backend.base_url}/readyz", timeout=5)
        assert ready.status_code == 200, f"migrated, yet not ready: {ready.text}"
        yield backend
    finally:
        stop(process)
