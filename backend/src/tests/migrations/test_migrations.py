"""Alembic is the only thing that creates schema, so its revisions must match the
models exactly (no drift) and walk up, down and up again cleanly on every engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from app.migrate import alembic_config, downgrade, head_revision, upgrade
from app.models import BaseDAO
from tests import databases

APP_TABLES = {"users", "todo", "idempotency_key", "login_throttle"}


@pytest.fixture(params=["sqlite", "postgresql", "cockroachdb"])
async def migration_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    driver = "cockroachdb+asyncpg" if request.param == "cockroachdb" else "postgresql+asyncpg"
    async with databases.fresh_postgres_database("mi_migrations") as fresh:
        yield fresh.set(drivername=driver).render_as_string(hide_password=False)


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    finally:
        await engine.dispose()
    return names - {"alembic_version"}


def check_no_drift(url: str) -> None:
    """`alembic check`: fails if autogenerate would write any operation."""
    command.check(alembic_config(url))


async def test_upgrade_downgrade_upgrade(migration_url: str) -> None:
    # Alembic's env.py runs its own event loop: keep it off the test's loop.
    await asyncio.to_thread(upgrade, migration_url)
    assert await table_names(migration_url) == APP_TABLES

    await asyncio.to_thread(downgrade, migration_url)
    assert await table_names(migration_url) == set()

    await asyncio.to_thread(upgrade, migration_url)
    assert await table_names(migration_url) == APP_TABLES


# Not through the cockroachdb dialect: it reflects through CockroachDB-only catalog
# columns, so autogenerate cannot run through it against PostgreSQL.
@pytest.mark.parametrize("migration_url", ["sqlite", "postgresql"], indirect=True)
async def test_models_and_migrations_do_not_drift(migration_url: str) -> None:
    await asyncio.to_thread(upgrade, migration_url)
    await asyncio.to_thread(check_no_drift, migration_url)


def test_models_know_every_table() -> None:
    assert set(BaseDAO.metadata.tables) == APP_TABLES


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert head_revision() == script.get_current_head()
