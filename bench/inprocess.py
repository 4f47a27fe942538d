"""What each layer of a request costs, in CPU time, with no HTTP server or load tool.

The harness (`run.py`) measures whole servers under wrk; this calls the app as an ASGI
callable in a loop, in one process, against a private PostgreSQL, and takes the
process's CPU time per request (`time.process_time`: the database's own work runs in
its processes and is not counted), the minimum of several repetitions. Peeling one
layer at a time off the same request says what that layer costs: W1, W2 and W4's PUT
each go through the whole app, the app without our middleware, our route's function
called directly, and the floor app of `floors.py` plainly and in FastAPI's structure
(an included router, the caller and the store as dependencies), so the last table
splits the app's CPU time over the floor's into what each layer adds. The figures are
the in-process tables of docs/performance.md.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
BACKEND_SRC = BENCH_DIR.parent / "backend" / "src"
sys.path.insert(0, str(BACKEND_SRC))

from fastapi import FastAPI

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
    from app.main import create_app
    from app.platform.settings import Settings

    settings = Settings(
        database_url=database_url, secret_key="in-process-" + "k" * 40, logs_as_json=True
    )
    app = create_app(settings)
    if not middleware:
        app.user_middleware.clear()  # the stack is built at the first request
    return app


@dataclass
class Workload:
    """One request, measured on each layer: the whole app, the app without our
    middleware, our route's function called directly, the floor app (`floors.py`) and
    the floor's statement alone. Differences between neighbours are what a layer costs."""

    name: str
    app: Measured
    bare: Measured
    endpoint: Measured
    floor: Measured
    structured_floor: Measured
    floor_store: Measured


LAYERS = (
    ("the whole app", "app"),
    ("without our middleware", "bare"),
    ("our route's function, called directly", "endpoint"),
    ("the floor app (FastAPI + SQLAlchemy)", "floor"),
    ("the floor in FastAPI's structure (router, dependencies)", "structured_floor"),
    ("the floor's statement + validation", "floor_store"),
)


async def measure(
    database_url: str, requests: int, repeat: int
) -> tuple[list[tuple[str, float]], dict[str, dict[str, float]]]:
    from fastapi import Response
    from starlette.requests import Request

    from app.platform.db import Database
    from app.platform.security import decode_access_token
    from app.todos import router as todo_routes
    from app.todos.deps import TodoPageQuery
    from app.todos.schemas import TodoOrder, TodoPublic, TodoUpdate

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
        db: Database = app.state.db
        caller = decode_access_token(access_token, secret=app.state.settings.jwt_secret)
        _, lists = await asgi(app, "GET", "/lists/", headers=auth)
        floor, structured = floor_apps(
            database_url,
            list_id=json.loads(lists)[0]["id"],
            secret=app.state.settings.jwt_secret,
        )
        store = floor.state.store
        put = b'{"title": "put", "completed": false}'
        list_scope = {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "root_path": "",
            "path": "/todo/",
            "query_string": b"",
            "headers": [(b"host", b"bench")],
        }
        first_page = TodoPageQuery(order=TodoOrder.position, completed=None, limit=50, after=None)

        async def check_token() -> object:
            return decode_access_token(access_token, secret=app.state.settings.jwt_secret)

        async def floor_one() -> object:
            return TodoPublic.model_validate(await store.one(todo.id))

        async def floor_page() -> object:
            return [TodoPublic.model_validate(row) for row in await store.page()]

        async def floor_edit() -> object:
            return TodoPublic.model_validate(
                await store.edit(todo.id, {"title": "put", "content": "", "completed": False})
            )

        workloads = [
            Workload(
                "W2 GET /todo/{id}",
                app=lambda: asgi(app, "GET", one, headers=auth),
                bare=lambda: asgi(bare, "GET", one, headers=auth),
                endpoint=lambda: todo_routes.read_todo(todo.id, Response(), caller, db),
                floor=lambda: asgi(floor, "GET", one),
                structured_floor=lambda: asgi(structured, "GET", one, headers=auth),
                floor_store=floor_one,
            ),
            Workload(
                "W1 GET /todo/ (50 todos)",
                app=lambda: asgi(app, "GET", "/todo/", headers=auth),
                bare=lambda: asgi(bare, "GET", "/todo/", headers=auth),
                endpoint=lambda: todo_routes.list_todos(
                    Request(list_scope), Response(), caller, db, first_page
                ),
                floor=lambda: asgi(floor, "GET", "/todo/"),
                structured_floor=lambda: asgi(structured, "GET", "/todo/", headers=auth),
                floor_store=floor_page,
            ),
            Workload(
                "W4's PUT /todo/{id} (one statement)",
                app=lambda: asgi(app, "PUT", one, body=put, headers={**auth, **json_type}),
                bare=lambda: asgi(bare, "PUT", one, body=put, headers={**auth, **json_type}),
                endpoint=lambda: todo_routes.update_todo(
                    todo.id, TodoUpdate(title="put", completed=False), Response(), caller, db, None
                ),
                floor=lambda: asgi(floor, "PUT", one, body=put, headers=json_type),
                structured_floor=lambda: asgi(
                    structured, "PUT", one, body=put, headers={**auth, **json_type}
                ),
                floor_store=floor_edit,
            ),
        ]
        layers: dict[str, dict[str, float]] = {}
        async with (
            floor.router.lifespan_context(floor),
            structured.router.lifespan_context(structured),
        ):
            for workload in workloads:  # every layer answers the request it is measured on
                for _, attribute in LAYERS:
                    answer = await getattr(workload, attribute)()
                    if isinstance(answer, tuple) and answer[0] >= 300:
                        raise RuntimeError(f"{workload.name}, {attribute}: {answer}")
            health = await cpu_us(lambda: asgi(app, "GET", "/healthz"), requests, repeat)
            rows.append(("W0 GET /healthz, the whole app", health))
            health_bare = await cpu_us(lambda: asgi(bare, "GET", "/healthz"), requests, repeat)
            rows.append(("W0 without our middleware", health_bare))
            token_check = await cpu_us(check_token, requests, repeat)
            rows.append(("the token check alone (decode_access_token)", token_check))
            for workload in workloads:
                layers[workload.name] = {}
                for label, attribute in LAYERS:
                    measured: Measured = getattr(workload, attribute)
                    value = await cpu_us(measured, requests, repeat)
                    layers[workload.name][attribute] = value
                    rows.append((f"{workload.name}: {label}", value))
                    print(f"  {rows[-1][0]}: {value:.0f} µs", flush=True)
    return rows, layers


def floor_apps(database_url: str, *, list_id: str, secret: str) -> tuple[FastAPI, FastAPI]:
    """`floors.py`'s FastAPI + SQLAlchemy app, plainly and in FastAPI's structure, on the
    same database, for the benchmark user's personal list (the module reads both from
    the environment at import)."""
    os.environ["DATABASE_URL"] = database_url.replace("postgresql+asyncpg://", "postgresql://")
    os.environ["FLOOR_LIST_ID"] = list_id
    import floors

    store = floors.SQLAlchemyStore()
    plain = floors.floor_app(store)
    plain.state.store = store
    return plain, floors.structured_floor_app(floors.SQLAlchemyStore(), secret=secret)


def layer_table(layers: dict[str, dict[str, float]]) -> list[str]:
    """Each workload's CPU µs, and what each layer adds to the floor app's."""
    lines = [
        "| workload | app | floor | app/floor | FastAPI's structure | our middleware "
        "| FastAPI's other work on our route | our route's function over the floor's statement |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, cost in layers.items():
        structure = cost["structured_floor"] - cost["floor"]
        fastapi_on_ours = cost["bare"] - cost["endpoint"]
        fastapi_on_structured = cost["structured_floor"] - cost["floor_store"]
        lines.append(
            f"| {name} | {cost['app']:.0f} | {cost['floor']:.0f} "
            f"| {cost['floor'] / cost['app']:.2f} | {structure:.0f} "
            f"| {cost['app'] - cost['bare']:.0f} | {fastapi_on_ours - fastapi_on_structured:.0f} "
            f"| {cost['endpoint'] - cost['floor_store']:.0f} |"
        )
    return lines


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
        rows, layers = asyncio.run(measure(url, args.requests, args.repeat))
    print("\n| piece | CPU µs per request |\n|---|---:|")
    for label, value in rows:
        print(f"| {label} | {value:.0f} |")
    print("\nCPU µs per request, and what each layer adds (the app's over the floor app's):\n")
    print("\n".join(layer_table(layers)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
