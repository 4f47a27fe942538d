"""The README's Alembic workflow, followed as written, in a temporary copy of the
backend: add a column to a model, `alembic revision --autogenerate`, read the revision,
`alembic upgrade head`, `alembic downgrade base`. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from tests import databases
from tests.processes import BACKEND_SRC

ALEMBIC = BACKEND_SRC / ".venv" / "bin" / "alembic"
VERSION_LINE = (
    '    version: int = Field(default=0, description="Counts the updates since creation.")\n'
)
NEW_COLUMN = VERSION_LINE + "    due_note: str | None = Field(default=None, max_length=40)\n"


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'story.db'}"
        return
    async with databases.fresh_postgres_database("mi_alembic_story") as fresh:
        yield fresh.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def copy_of_the_backend(tmp_path: Path) -> Path:
    """What `cd backend/src` holds that Alembic reads, with the venv linked in."""
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("app", "migrations"):
        shutil.copytree(BACKEND_SRC / name, copy / name, ignore=ignore)
    shutil.copy(BACKEND_SRC / "alembic.ini", copy / "alembic.ini")
    (copy / ".venv").symlink_to(BACKEND_SRC / ".venv")
    return copy


def alembic(copy: Path, database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(copy / "data")}
    result = subprocess.run(
        [str(ALEMBIC), *args], cwd=copy, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"alembic {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout + result.stderr


async def todo_columns(database_url: str) -> set[str] | None:
    """The `todo` table's columns, or None without the table."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:

            def columns(sync_conn: Connection) -> set[str] | None:
                inspector = inspect(sync_conn)
                if not inspector.has_table("todo"):
                    return None
                return {column["name"] for column in inspector.get_columns("todo")}

            return await conn.run_sync(columns)
    finally:
        await engine.dispose()


async def test_the_readme_autogenerate_story(tmp_path: Path, empty_database: str) -> None:
    copy = copy_of_the_backend(tmp_path)
    alembic(copy, empty_database, "upgrade", "head")

    model = copy / "app" / "todos" / "tables.py"
    source = model.read_text()
    assert VERSION_LINE in source, "the todo model changed: update this test's edit"
    model.write_text(source.replace(VERSION_LINE, NEW_COLUMN))

    alembic(copy, empty_database, "revision", "--autogenerate", "-m", "add due notes")
    revisions = list((copy / "migrations" / "versions").glob("*_add_due_notes.py"))
    assert len(revisions) == 1
    # `op.add_column("todo", ...)`, or `batch_op.add_column(...)` on SQLite.
    revision = re.sub(r"\s", "", revisions[0].read_text())
    assert re.search(r'add_column\((?:"todo",)?sa\.Column\("due_note"', revision)
    assert re.search(r'drop_column\((?:"todo",)?"due_note"\)', revision)

    alembic(copy, empty_database, "upgrade", "head")
    columns = await todo_columns(empty_database)
    assert columns is not None
    assert "due_note" in columns
    assert "No new upgrade operations detected" in alembic(copy, empty_database, "check")

    alembic(copy, empty_database, "downgrade", "base")
    assert await todo_columns(empty_database) is None
