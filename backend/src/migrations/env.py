"""Alembic environment: async, for every URL scheme the app supports.

`target_metadata = BaseDAO.metadata` is how autogenerate knows the models.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from app.models import BaseDAO  # every table, so that the metadata is complete
from app.platform.db import ensure_sqlite_directory
from app.platform.settings import DatabaseSettings
from app.todos.search import SEARCH_DOCUMENT, SEARCH_INDEX, SEARCH_OBJECTS_PREFIX

config = context.config
target_metadata = BaseDAO.metadata


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or DatabaseSettings().database_url


def include_name(name: str | None, type_: str, _parents: dict[str, str | None]) -> bool:
    """Autogenerate leaves the search index alone: the migration creates it per engine
    and the models do not know it (an FTS5 table and its shadow tables, a key table on
    SQLite; a generated column and its index elsewhere: `app.todos.search`)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(SEARCH_OBJECTS_PREFIX)
    return name not in (SEARCH_INDEX, SEARCH_DOCUMENT)


def run_migrations_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`) instead of running it."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        include_name=include_name,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    url = database_url()
    ensure_sqlite_directory(url)
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


shared_connection: Connection | None = config.attributes.get("connection")
if shared_connection is not None:
    # A caller lent us its connection (app.platform.migrate.upgrade_connection): tests use
    # this to migrate an in-memory SQLite database that only that connection sees.
    do_run_migrations(shared_connection)
elif context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
