"""Fixtures for the notebook tests. Contents:

1. `backend` — the real backend, started the way an operator starts it (the
   `minor-illusion` CLI: `migrate`, `seed-demo`, then `serve` on a free port, with its
   metrics on another free port) once per test session. Nothing is mocked. Its
   database: a fresh PostgreSQL database when the server is reachable (always on CI),
   where notebook 03's race makes the transaction runner re-run transactions, which
   SQLite (one writer at a time) never needs; else a temporary SQLite file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests import databases
from tests.databases import free_port
from tests.processes import Backend, backend_env, run_cli, running_backend


@dataclass(frozen=True)
class NotebookBackend:
    server: Backend
    database_url: str
    data_dir: Path
    metrics_url: str

    @property
    def base_url(self) -> str:
        return self.server.url

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's log, for failure messages."""
        return "\n".join(self.server.log_text().splitlines()[-lines:])


# 1 ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
async def notebook_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    admin = databases.postgres_admin_url()
    if databases.on_ci() or await databases.postgres_reachable(admin) is None:
        async with databases.fresh_postgres_database("mi_notebooks") as fresh:
            yield fresh.render_as_string(hide_password=False)
        return
    yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('nb-db') / 'nb.db'}"


@pytest.fixture(scope="session")
def backend(
    notebook_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NotebookBackend]:
    data_dir = tmp_path_factory.mktemp("notebooks")
    metrics_port = free_port()
    env = backend_env(
        notebook_database,
        data_dir,
        METRICS_PORT=str(metrics_port),
        # 06-webhooks runs its receiver on loopback, over http.
        WEBHOOKS_ALLOW_HTTP_LOOPBACK="1",
        WEBHOOKS_POLL_INTERVAL="0.2",
    )
    run_cli("migrate", env=env)
    run_cli("seed-demo", env=env)
    with running_backend(env, data_dir, "server") as server:
        ready = httpx.get(f"{server.url}/readyz", timeout=5)
        assert ready.status_code == 200, f"migrated, yet not ready: {ready.text}"
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
        yield NotebookBackend(server, notebook_database, data_dir, metrics_url)
