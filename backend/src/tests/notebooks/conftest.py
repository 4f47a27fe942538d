"""Fixtures for the notebook tests. Contents:

1. `backend` — the real backend, started the way an operator starts it (the
   `minor-illusion` CLI: `migrate`, `seed-demo`, then `serve` on a free port) on a
   temporary SQLite database, once per test session. Nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.processes import Backend, backend_env, run_cli, running_backend


@dataclass(frozen=True)
class NotebookBackend:
    server: Backend
    database_url: str
    data_dir: Path

    @property
    def base_url(self) -> str:
        return self.server.url

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's log, for failure messages."""
        return "\n".join(self.server.log_text().splitlines()[-lines:])


# 1 ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NotebookBackend]:
    data_dir = tmp_path_factory.mktemp("notebooks")
    database_url = f"sqlite+aiosqlite:///{data_dir / 'nb.db'}"
    env = backend_env(database_url, data_dir)
    run_cli("migrate", env=env)
    run_cli("seed-demo", env=env)
    with running_backend(env, data_dir, "server") as server:
        ready = httpx.get(f"{server.url}/readyz", timeout=5)
        assert ready.status_code == 200, f"migrated, yet not ready: {ready.text}"
        yield NotebookBackend(server, database_url, data_dir)
