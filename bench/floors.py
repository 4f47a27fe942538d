"""The stack's floors: the least a FastAPI app can do per request, with and without
SQLAlchemy between it and PostgreSQL.

The ceiling (`ceiling.py`) says what Hypercorn and wrk manage with no framework at
all. These apps say what the stack itself costs. Each answers the benchmark's
requests with plain FastAPI routes (no middleware, no authentication, no ownership
check, no retries) running one statement on the real schema, in autocommit (a single
statement is its own transaction: one round trip), responses serialised through the
app's own Pydantic model. They do strictly less than the real app, so their ratio to
the ceiling bounds what any app built this way can reach:

  floors:sqlalchemy   FastAPI + SQLAlchemy Core on asyncpg (this project's stack)
  floors:asyncpg_app  FastAPI + asyncpg directly (the stack minus SQLAlchemy)

A third, `floors:structured`, is the first laid out as FastAPI's guide and the app lay
routes out: an included router, the caller (checked from the bearer token) and the
store injected as dependencies. What it costs over `floors:sqlalchemy` is what that
structure costs in FastAPI, before the app does anything of its own.

Served by `ceiling_server.py --app floors:<name>`. Settings come from the environment
the harness sets: DATABASE_URL (a postgresql:// URL), FLOOR_LIST_ID (the benchmark
user, whose todos the reads return) and SECRET_KEY (the app's, which signed the
user's token).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request, Response, status
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel
from sqlalchemy import Executable, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.platform import lifecycle
from app.platform.security import Caller, decode_access_token
from app.platform.settings import Settings
from app.platform.tables import table
from app.todos.repository import public_columns
from app.todos.schemas import TodoPublic

LIST_ID = uuid.UUID(os.environ["FLOOR_LIST_ID"])
DSN = os.environ["DATABASE_URL"]
# The app's own default pool (DB_POOL_SIZE): with fewer connections than the app, a
# floor's requests queued for one, and its inserts were half the app's (issue 36).
POOL_SIZE: int = Settings.model_fields["db_pool_size"].default
PAGE = 50

Todo = dict[str, Any]


class TodoIn(BaseModel):
    title: str
    content: str = ""
    completed: bool = False


class Store(Protocol):
    """The four statements the workloads need, however they reach PostgreSQL."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def page(self) -> list[Todo]: ...
    async def one(self, todo_id: uuid.UUID) -> Todo: ...
    async def insert(self, values: Todo) -> None: ...
    async def edit(self, todo_id: uuid.UUID, values: Todo) -> Todo: ...


# Every floor todo takes one key: the floors list in created order, and a key per
# insert would be the app's work (its read of the list's last key), not the floor's.
FLOOR_POSITION = "a0"


def new_todo(body: TodoIn) -> Todo:
    now = datetime.now(UTC)
    return {
        "id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "version": 0,
        "position": FLOOR_POSITION,
    } | body.model_dump()


def floor_app(store: Store) -> FastAPI:
    """The benchmark's routes over `store`, in FastAPI's plainest style."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await store.open()
        lifecycle.settle_after_start_up()  # the app's worker does the same
        yield
        await store.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/todo/")
    async def list_todos() -> list[TodoPublic]:
        return await store.page()  # type: ignore[return-value]  # FastAPI validates

    @app.get("/todo/{todo_id}")
    async def read_todo(todo_id: uuid.UUID) -> TodoPublic:
        return await store.one(todo_id)  # type: ignore[return-value]

    @app.post("/todo/", status_code=status.HTTP_201_CREATED)
    async def create_todo(body: TodoIn) -> TodoPublic:
        values = new_todo(body)
        await store.insert(values)
        return values  # type: ignore[return-value]

    @app.put("/todo/{todo_id}")
    async def update_todo(todo_id: uuid.UUID, body: TodoIn) -> TodoPublic:
        return await store.edit(todo_id, body.model_dump())  # type: ignore[return-value]

    return app


# FastAPI's structure, as `structured_floor_app` uses it (module level: FastAPI resolves
# these annotations by name).
_bearer = OAuth2PasswordBearer(tokenUrl="auth/login")


async def get_secret(request: Request) -> str:
    configured: str = request.app.state.secret
    return configured


async def get_store(request: Request) -> Store:
    chosen: Store = request.app.state.store
    return chosen


async def current_caller(
    configured: Annotated[str, Depends(get_secret)], token: Annotated[str, Depends(_bearer)]
) -> Caller:
    return decode_access_token(token, secret=configured)


CallerDep = Annotated[Caller, Depends(current_caller)]
StoreDep = Annotated[Store, Depends(get_store)]


def structured_floor_app(store: Store, *, secret: str) -> FastAPI:
    """The same routes laid out as FastAPI's guide, and the app, lay them out: on an
    `APIRouter` included with a prefix, taking the caller (from a bearer token, checked
    with the app's own `decode_access_token`) and the store as `Annotated` dependencies,
    and the `Response` a handler sets headers on. It answers what `floor_app` answers;
    its cost over it is what that structure costs in FastAPI itself, apart from anything
    the app does. (Like the app, it serves `/healthz` from the last router included.)"""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await store.open()
        lifecycle.settle_after_start_up()  # the app's worker does the same
        yield
        await store.close()

    router = APIRouter(prefix="/todo")

    @router.post("/", status_code=status.HTTP_201_CREATED)
    async def create_todo(
        body: TodoIn, response: Response, caller: CallerDep, todos: StoreDep
    ) -> TodoPublic:
        values = new_todo(body)
        await todos.insert(values)
        return values  # type: ignore[return-value]

    @router.get("/")
    async def list_todos(
        response: Response, caller: CallerDep, todos: StoreDep
    ) -> list[TodoPublic]:
        return await todos.page()  # type: ignore[return-value]  # FastAPI validates

    @router.get("/{todo_id}")
    async def read_todo(
        todo_id: uuid.UUID, response: Response, caller: CallerDep, todos: StoreDep
    ) -> TodoPublic:
        return await todos.one(todo_id)  # type: ignore[return-value]

    @router.put("/{todo_id}")
    async def update_todo(
        todo_id: uuid.UUID, body: TodoIn, response: Response, caller: CallerDep, todos: StoreDep
    ) -> TodoPublic:
        return await todos.edit(todo_id, body.model_dump())  # type: ignore[return-value]

    health = APIRouter()

    @health.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app = FastAPI(lifespan=lifespan)
    app.state.secret = secret
    app.state.store = store
    app.include_router(router)
    app.include_router(health)
    return app


# --- FastAPI + SQLAlchemy Core ------------------------------------------------------------

_todo = table("todo")
_columns = public_columns()  # the app's own list: TodoPublic's fields, in its order
# Built once with bind parameters, as the app does: building a statement per request
# would add SQLAlchemy's cache-key work to the floor.
_SELECT_PAGE = (
    select(*_columns)
    .where(_todo.c.list_id == bindparam("list_id"))
    .order_by(_todo.c.created_at, _todo.c.id)
    .limit(PAGE)
)
_SELECT_ONE = select(*_columns).where(_todo.c.id == bindparam("todo_id"))
_INSERT = _todo.insert()
_UPDATE = (
    update(_todo)
    .where(_todo.c.id == bindparam("todo_id"))
    .values(version=_todo.c.version + 1)
    .returning(*_columns)
)


class SQLAlchemyStore:
    engine: AsyncEngine

    async def open(self) -> None:
        url = DSN.replace("postgresql://", "postgresql+asyncpg://", 1)
        self.engine = create_async_engine(
            url, pool_size=POOL_SIZE, max_overflow=0, isolation_level="AUTOCOMMIT"
        )

    async def close(self) -> None:
        await self.engine.dispose()

    async def _rows(self, statement: Executable, params: dict[str, Any]) -> list[Todo]:
        async with self.engine.connect() as conn:
            return [dict(row._mapping) for row in await conn.execute(statement, params)]

    async def page(self) -> list[Todo]:
        return await self._rows(_SELECT_PAGE, {"list_id": LIST_ID})

    async def one(self, todo_id: uuid.UUID) -> Todo:
        (todo,) = await self._rows(_SELECT_ONE, {"todo_id": todo_id})
        return todo

    async def insert(self, values: Todo) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(_INSERT, {**values, "list_id": LIST_ID})

    async def edit(self, todo_id: uuid.UUID, values: Todo) -> Todo:
        params = {**values, "updated_at": datetime.now(UTC), "todo_id": todo_id}
        (todo,) = await self._rows(_UPDATE, params)
        return todo


# --- FastAPI + asyncpg --------------------------------------------------------------------

# The same columns, in the same order, as the app's `public_columns()`.
_SQL_PAGE = (
    "SELECT id, created_at, updated_at, title, content, completed, version, position"
    " FROM todo WHERE list_id = $1 ORDER BY created_at, id LIMIT $2"
)
_SQL_ONE = (
    "SELECT id, created_at, updated_at, title, content, completed, version, position"
    " FROM todo WHERE id = $1"
)
_SQL_INSERT = (
    "INSERT INTO todo (id, list_id, created_at, updated_at, version, position, title, content,"
    " completed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)
_SQL_UPDATE = (
    "UPDATE todo SET title = $2, content = $3, completed = $4, updated_at = $5,"
    " version = version + 1 WHERE id = $1"
    " RETURNING id, created_at, updated_at, title, content, completed, version, position"
)


async def _leave_as_is(_: asyncpg.Connection) -> None:
    """A connection back in the pool needs no reset: every statement here is its own
    transaction and sets nothing. asyncpg's default reset (`pg_advisory_unlock_all(); CLOSE
    ALL; UNLISTEN *; RESET ALL`) is a round trip on every release: the floor without
    SQLAlchemy was slower than the one with it (issue 36), whose autocommit release sends
    nothing."""


class AsyncpgStore:
    pool: asyncpg.Pool

    async def open(self) -> None:
        self.pool = await asyncpg.create_pool(
            DSN, min_size=POOL_SIZE, max_size=POOL_SIZE, reset=_leave_as_is
        )

    async def close(self) -> None:
        await self.pool.close()

    async def _in(self, work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
        async with self.pool.acquire() as conn:
            return await work(conn)

    async def page(self) -> list[Todo]:
        rows = await self._in(lambda conn: conn.fetch(_SQL_PAGE, LIST_ID, PAGE))
        return [dict(row) for row in rows]

    async def one(self, todo_id: uuid.UUID) -> Todo:
        return dict(await self._in(lambda conn: conn.fetchrow(_SQL_ONE, todo_id)))

    async def insert(self, values: Todo) -> None:
        v = values
        args = (v["id"], LIST_ID, v["created_at"], v["updated_at"], v["version"], v["position"])
        await self._in(
            lambda conn: conn.execute(_SQL_INSERT, *args, v["title"], v["content"], v["completed"])
        )

    async def edit(self, todo_id: uuid.UUID, values: Todo) -> Todo:
        args = (todo_id, values["title"], values["content"], values["completed"])
        row = await self._in(lambda conn: conn.fetchrow(_SQL_UPDATE, *args, datetime.now(UTC)))
        return dict(row)


sqlalchemy = floor_app(SQLAlchemyStore())
asyncpg_app = floor_app(AsyncpgStore())
structured = structured_floor_app(SQLAlchemyStore(), secret=os.environ.get("SECRET_KEY", ""))
