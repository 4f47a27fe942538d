"""Shared fixtures. Contents:

0. `_cheap_password_hashing` — in this process, Argon2 at its smallest cost.
1. `settings_for()`   — Settings for an app under test (fixed secret, no dev mode).
2. `engine`          — the database engines (see tests/databases.py), one parameter each.
3. `database_url`    — a fresh, migrated database on that engine for the session.
4. `app`, `client`   — the real app on that database (lifespan run) and an httpx client.
5. `make_user`       — signs up a new user and logs in: `(name, auth headers)`.
   Every test works with its own users, so tests share a database without seeing
   each other's data (the app scopes everything by owner).
   `client_from(new_address())` — a client with its own address, for tests that fail
   log-ins (the throttle counts per address).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import SecretStr

from app.main import create_app
from app.platform import security
from app.platform.migrate import upgrade_connection
from app.platform.settings import Settings
from tests import databases, scheduling

TEST_SECRET = "test-secret-" + "x" * 40
TEST_PASSWORD = "correct horse battery"

# The real-CockroachDB parameter exists only where one is available; where not,
# tests/db/test_engines.py::test_real_cockroachdb is the one test that says so.
ENGINES = ["sqlite", "postgresql", "cockroachdb"]
if databases.real_cockroach_available():
    ENGINES.append("cockroach")
POSTGRES_ENGINES = {"postgresql", "cockroachdb"}

# For a test about server behaviour SQLite does not have (isolation levels,
# read-only transactions): run it on the server engines only, rather than skip.
server_engines_only = pytest.mark.parametrize(
    "engine", [name for name in ENGINES if name != "sqlite"], indirect=True
)

MakeUser = Callable[..., Awaitable[tuple[str, dict[str, str]]]]


# 0 ---------------------------------------------------------------------------------------
PRODUCTION_PASSWORD_HASH = security._hasher  # what `tests/unit/test_security.py` checks


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Apps run in this process hash with Argon2 at its smallest cost (under 1 ms, not
    0.25 s: some 800 hashes a run). The code path is the same, and a hash records its own
    cost, so verifying works either way. Servers the tests start as processes keep the
    real cost; the production parameters have a test of their own."""
    patch = pytest.MonkeyPatch()
    cheap = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)
    patch.setattr(security, "_hasher", PasswordHash((cheap,)))
    security._dummy_hash.cache_clear()
    yield
    patch.undo()
    security._dummy_hash.cache_clear()


# 1 ---------------------------------------------------------------------------------------
# Connections per pool of an app a test process runs (each has two pools, and keeps
# what a burst opened until it ends): three test processes, each with an app on two
# server engines, must fit the shared server's 100 connections beside the servers the
# tests start (`tests.processes.SERVER_POOL_SIZE`). With 20, the default, bursts of 50
# requests in three processes took every connection ("too many clients").
TEST_POOL_SIZE = 5


def settings_for(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": SecretStr(TEST_SECRET),
        "dev_mode": False,
        "db_connect_timeout": 5,
        "db_pool_size": TEST_POOL_SIZE,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


# 2 and 3 ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def cockroach_url() -> Iterator[object]:
    with databases.real_cockroach() as url_or_reason:
        yield url_or_reason


@pytest.fixture(scope="session", params=ENGINES)
async def engine(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name in POSTGRES_ENGINES:
        await databases.require_postgres()
    return name


@pytest.fixture(scope="session")
async def database_url(engine: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh database on the engine (in-memory SQLite is migrated by `app`)."""
    if engine == "sqlite":
        yield "sqlite+aiosqlite://"
        return
    if engine == "cockroach":
        yield str(request.getfixturevalue("cockroach_url"))
        return
    driver = "cockroachdb+asyncpg" if engine == "cockroachdb" else "postgresql+asyncpg"
    async with databases.fresh_postgres_database() as fresh:
        yield fresh.set(drivername=driver).render_as_string(hide_password=False)


# 4 ---------------------------------------------------------------------------------------
@asynccontextmanager
async def migrated_app(database_url: str, **overrides: object) -> AsyncIterator[FastAPI]:
    """The real app on `database_url`, its lifespan running and the schema at head."""
    application = create_app(settings_for(database_url, **overrides))
    async with application.router.lifespan_context(application):
        async with application.state.db.engine.begin() as conn:
            await conn.run_sync(upgrade_connection)
        yield application


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    async with migrated_app(database_url) as application:
        yield application


@asynccontextmanager
async def asgi_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client that calls the app in-process (no server, no sockets), from an
    address of its own (`new_address`): a test's failed log-ins never lock the next
    test's address (the session's app keeps the counts for 15 minutes; as the suite
    grew, the wrong passwords of many tests from one shared address reached the limit
    and a later test's sign-up log-in was a 429)."""
    transport = httpx.ASGITransport(app=app, client=(new_address(), 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


# 5 ---------------------------------------------------------------------------------------
async def signup_and_login(
    client: httpx.AsyncClient, name: str | None = None, password: str = TEST_PASSWORD
) -> tuple[str, dict[str, str]]:
    name = name or f"user-{uuid.uuid4().hex[:12]}"
    response = await client.post("/auth/signup", json={"name": name, "password": password})
    assert response.status_code == 201, response.text
    response = await client.post("/auth/login", data={"username": name, "password": password})
    assert response.status_code == 200, response.text
    return name, {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def make_user(client: httpx.AsyncClient) -> MakeUser:
    async def make(name: str | None = None) -> tuple[str, dict[str, str]]:
        return await signup_and_login(client, name)

    return make


ClientFrom = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]
_addresses = itertools.count(1)


def new_address() -> str:
    """A client address no other test uses: failed log-ins count per address, and the
    app (so its counters) lives for the whole session."""
    n = next(_addresses)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


@pytest.fixture
def client_from(app: FastAPI) -> ClientFrom:
    """An in-process client whose requests come from the given address."""

    @asynccontextmanager
    async def make(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c

    return make


# Scheduling ------------------------------------------------------------------------------
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    scheduling.start_slowest_first(items)


def pytest_xdist_make_scheduler(
    config: pytest.Config, log: object
) -> scheduling.FileAndEngineScheduling | None:
    """`--dist loadfile` (as `make test` runs), with a file's engines as separate units."""
    if config.getoption("dist") != "loadfile":
        return None
    return scheduling.FileAndEngineScheduling(config, log)
