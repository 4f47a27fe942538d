"""What each layer of a request costs, in CPU time, with no HTTP server or load tool.

The harness (`run.py`) measures whole servers under wrk; this calls the app as an ASGI
callable in a loop, in one process, against a private PostgreSQL, and takes the
process's CPU time per request (`time.process_time`: the database's own work runs in
its processes and is not counted), the minimum of several repetitions. Peeling one
layer at a time off the same request says what that layer costs; the figures are the
"in-process" column of docs/performance.md.

  backend/src/.venv/bin/python bench/inprocess.py [--requests 2000] [--repeat 5] \
      2> /tmp/inprocess.log   # the app's log lines (JSON, as in production), kept apart
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
BACKEND_SRC = BENCH_DIR.parent / "backend" / "src"
sys.path.insert(0, str(BACKEND_SRC))

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from tests.processes import private_postgres

Measured = Callable[[], Awaitable[object]]
PASSWORD = "in-process password"


async def asgi(
    app: Any, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """One request through `app`, as Hypercorn would hand it over."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


async def cpu_us(measured: Measured, requests: int, repeat: int) -> float:
    """CPU µs per call of `measured`: the minimum over `repeat` loops of `requests`."""
    for _ in range(requests // 10):  # warm caches: statements, pool, claims
        await measured()
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for _ in range(requests):
            await measured()
        best = min(best, (time.process_time() - started) * 1e6 / requests)
    return best


def build_app(database_url: str, *, middleware: bool = True) -> FastAPI:
    from app.core.config import Settings
    from app.main import create_app

    settings = Settings(
        database_url=database_url, secret_key="in-process-" + "k" * 40, logs_as_json=True
    )
    app = create_app(settings)
    if not middleware:
        app.user_middleware.clear()  # the stack is built at the first request
    return app


async def measure(database_url: str, requests: int, repeat: int) -> list[tuple[str, float]]:
    from app.core.security import decode_access_token
    from app.daos import daos
    from app.models import table
    from app.models.todos import public_columns
    from app.schemas import TodoPublic

    app = build_app(database_url)
    bare = build_app(database_url, middleware=False)
    rows: list[tuple[str, float]] = []
    async with app.router.lifespan_context(app), bare.router.lifespan_context(bare):
        account = b'{"name": "inprocess", "password": "' + PASSWORD.encode() + b'"}'
        json_type = {"content-type": "application/json"}
        await asgi(app, "POST", "/auth/signup", body=account, headers=json_type)
        form = urlencode({"username": "inprocess", "password": PASSWORD}).encode()
        form_type = {"content-type": "application/x-www-form-urlencoded"}
        _, token = await asgi(app, "POST", "/auth/login", body=form, headers=form_type)
        access_token = json.loads(token)["access_token"]
        auth = {"authorization": f"Bearer {access_token}"}
        create = b'{"title": "in-process"}'
        for _ in range(50):
            await asgi(app, "POST", "/todo/", body=create, headers={**auth, **json_type})
        _, created = await asgi(app, "POST", "/todo/", body=create, headers={**auth, **json_type})
        todo = TodoPublic.model_validate_json(created)
        one = f"/todo/{todo.id}"
        db = app.state.db
        caller = decode_access_token(access_token, secret=app.state.settings.jwt_secret)

        plain = create_async_engine(
            database_url, pool_size=5, max_overflow=0, isolation_level="AUTOCOMMIT"
        )
        todo_table = table("todo")
        by_id = select(*public_columns()).where(todo_table.c.id == todo.id)

        async def floor_read() -> object:
            async with plain.connect() as conn:
                row = (await conn.execute(by_id)).one()
            return TodoPublic.model_validate(dict(row._mapping))

        async def app_read(conn: AsyncConnection) -> TodoPublic:
            return await daos.todos.get(conn, caller, todo.id)

        cases: list[tuple[str, Measured]] = [
            ("W0 GET /healthz, the whole app", lambda: asgi(app, "GET", "/healthz")),
            ("W0 without our middleware", lambda: asgi(bare, "GET", "/healthz")),
            ("W2 GET /todo/{id}, the whole app", lambda: asgi(app, "GET", one, headers=auth)),
            ("W2 without our middleware", lambda: asgi(bare, "GET", one, headers=auth)),
            ("W2's unit of work: Database.read + DAO + validation", lambda: db.read(app_read)),
            ("the same row: engine.connect() + execute + validation", floor_read),
            (
                "W1 GET /todo/ (50 todos), the whole app",
                lambda: asgi(app, "GET", "/todo/", headers=auth),
            ),
            (
                "W4's PUT, the whole app (one statement)",
                lambda: asgi(
                    app, "PUT", one, body=b'{"title": "put"}', headers={**auth, **json_type}
                ),
            ),
        ]
        for label, measured in cases:
            rows.append((label, await cpu_us(measured, requests, repeat)))
            print(f"  {label}: {rows[-1][1]:.0f} µs", flush=True)
        await plain.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per repetition")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (the minimum counts)")
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "INFO")
    with private_postgres() as postgres:
        url = postgres.admin_url.render_as_string(hide_password=False)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "in-process-" + "k" * 40}
        migrate = [sys.executable, "-m", "app.cli", "migrate"]
        subprocess.run(migrate, env=env, cwd=BACKEND_SRC, check=True, capture_output=True)
        rows = asyncio.run(measure(url, args.requests, args.repeat))
    print("\n| piece | CPU µs per request |\n|---|---:|")
    for label, value in rows:
        print(f"| {label} | {value:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
