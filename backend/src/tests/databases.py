"""Test databases: which engines exist on this machine, and fresh databases on them.

Engines (the `engine` fixture's parameters):
  sqlite       in-memory SQLite: no server at all
  postgresql   `postgresql+asyncpg` on the live PostgreSQL server
  cockroachdb  the `cockroachdb+asyncpg` dialect, connected to that same PostgreSQL:
               the app's CockroachDB code path (dialect, Alembic impl) without a cluster
  cockroach    a real CockroachDB: a `cockroach` binary on PATH, started in memory,
               or TEST_COCKROACH_URL; skipped (with the reason) when neither exists
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import NoReturn

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> URL:
    """The server fresh databases are created on: TEST_DATABASE_URL, or the local one."""
    return make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL))


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(message: str) -> NoReturn:
    """A prerequisite (PostgreSQL, nginx, a binary) is absent: a failure on CI, where
    everything must run, and a skip with the reason on a developer's machine."""
    if on_ci():
        pytest.fail(message)
    pytest.skip(message)


async def require_postgres() -> URL:
    """The admin URL of a reachable PostgreSQL, or `unavailable`."""
    admin = postgres_admin_url()
    reason = await postgres_reachable(admin)
    if reason is not None:
        unavailable(f"PostgreSQL is not reachable at {admin}: {reason}")
    return admin


def _asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def postgres_reachable(url: URL) -> str | None:
    """None when we can connect, else why not."""
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


async def create_database(admin: URL, prefix: str = "mi_test") -> URL:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_asyncpg_dsn(admin))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin.set(database=name)


@asynccontextmanager
async def fresh_postgres_database(prefix: str = "mi_test") -> AsyncIterator[URL]:
    """A new, empty database on the shared PostgreSQL server (or `unavailable`), dropped
    afterwards. Its URL keeps the admin URL's driver: `.set(drivername=...)` to change it."""
    admin = await require_postgres()
    fresh = await create_database(admin, prefix)
    try:
        yield fresh
    finally:
        await drop_database(admin, fresh)


async def drop_database(admin: URL, database: URL) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(admin))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database.database}" WITH (FORCE)')
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


NO_COCKROACH_REASON = (
    "no real CockroachDB here: put a `cockroach` binary on PATH or set TEST_COCKROACH_URL "
    "(the cockroachdb dialect is still tested, against PostgreSQL)"
)


def real_cockroach_available() -> bool:
    return bool(os.environ.get("TEST_COCKROACH_URL")) or shutil.which("cockroach") is not None


@contextmanager
def real_cockroach() -> Iterator[URL | str]:
    """A real CockroachDB URL, or the reason there is none (a string)."""
    if url := os.environ.get("TEST_COCKROACH_URL"):
        yield make_url(url)
        return
    binary = shutil.which("cockroach")
    if binary is None:
        yield NO_COCKROACH_REASON
        return
    sql_port, http_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            [
                binary,
                "start-single-node",
                "--insecure",
                "--store=type=mem,size=512MiB",
                f"--listen-addr=127.0.0.1:{sql_port}",
                f"--http-addr=127.0.0.1:{http_port}",
                f"--pid-file={tmp}/pid",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while not os.path.exists(f"{tmp}/pid"):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("cockroach start-single-node did not come up")
                time.sleep(0.2)
            yield make_url(f"cockroachdb+asyncpg://root@127.0.0.1:{sql_port}/defaultdb")
        finally:
            process.terminate()
            process.wait(timeout=30)
