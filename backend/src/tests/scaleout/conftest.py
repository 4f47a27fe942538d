"""Fixtures shared by the scale-out suites."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests import databases


@pytest.fixture(scope="module")
async def shared_database() -> AsyncIterator[str]:
    """A fresh database on the shared PostgreSQL server, dropped afterwards."""
    async with databases.fresh_postgres_database("mi_scaleout") as fresh:
        yield fresh.render_as_string(hide_password=False)
