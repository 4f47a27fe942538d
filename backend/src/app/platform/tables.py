"""What every table shares: the metadata Alembic compares against, its naming
convention, the clock, and the lookups the statement builders start from."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, Insert, Table, Text, func, insert, literal_column
from sqlalchemy.engine import Result
from sqlmodel import SQLModel

T = TypeVar("T")

# Deterministic constraint names, so Alembic can drop and alter what it created.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


class BaseDAO(SQLModel):
    """Base of every table; `BaseDAO.metadata` is what Alembic compares against."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def table(name: str) -> Table:
    """A table by name: statements are SQLAlchemy Core on the tables, not ORM queries."""
    return BaseDAO.metadata.tables[name]


def constant(name: str) -> ColumnElement[str]:
    """A string written into the SQL itself, not bound: one of this code's own names (a
    role, an event's kind, a JSON key), never input. Unlike a bound list, `IN` over
    constants needs no rewriting of the SQL at each execution."""
    return literal_column(f"'{name}'", Text())


@cache
def insert_into(name: str) -> Insert:
    return insert(table(name))


def validate_rows(shapes: TypeAdapter[list[T]], result: Result[Any]) -> list[T]:
    """A result's rows as API shapes, in one validation call (pydantic-core loops in
    Rust). Rows go in as dicts: validating from a Row's attributes (`from_attributes`)
    cost four times as much, a fifth of a 50-todo list request."""
    keys = tuple(result.keys())
    return shapes.validate_python([dict(zip(keys, row, strict=True)) for row in result])


def json_object(**fields: ColumnElement[Any]) -> ColumnElement[Any]:
    """A JSON object of SQL values, in this key order (PostgreSQL's and CockroachDB's
    `json_build_object`)."""
    pairs = ((constant(key), value) for key, value in fields.items())
    return func.json_build_object(*itertools.chain.from_iterable(pairs))
