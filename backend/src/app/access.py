"""Which rows a caller may see and change: the one place that decides.

Today the answer is "the caller's own, while the caller's token is current". Every
statement run for a caller takes its scope from here (`visible`, `changeable`, `owned`,
`own_account`, and `live_user_id` for the owner of a new row) with its bind values from
`params`, and a miss is triaged here too (`require_live`, `refuse`). Shared lists ("a
member of the row's list with role >= R") will change this module, not the DAOs.

A token is current while its account exists and the account's `token_generation` still
equals the token's (bumping it revokes every earlier token). The check is a scalar
subquery inside each statement, not a query of its own: a revoked token's reads match
nothing, its updates and deletes change nothing and its inserts fail `owner_id NOT
NULL`, at no extra round trip. Only a miss pays one more query, so that the caller hears
401 rather than an empty page or a 404.

This module imports nothing from `app.models` but `base`, so every table's module can
import it. Its one statement of its own, the triage's, is built once like every DAO's.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NoReturn

from sqlalchemy import ScalarSelect, Select, Table, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from app.core.security import Caller
from app.errors import AppError, UnknownUserError
from app.models.base import table


def params(caller: Caller) -> dict[str, Any]:
    """The bind values every scoped statement needs."""
    return {"owner": caller.user_id, "generation": caller.token_generation}


def own_account(users: Table) -> ColumnElement[bool]:
    """The caller's own account row, while their token is current."""
    return and_(
        users.c.id == bindparam("owner"), users.c.token_generation == bindparam("generation")
    )


@cache
def live_user_id() -> ScalarSelect[Any]:
    """The caller's id while their token is current, else NULL: what owned rows are
    matched against, and the owner a new row gets (NULL, refused by NOT NULL, for a
    revoked token)."""
    users = table("users")
    return select(users.c.id).where(own_account(users)).scalar_subquery()


def owned(rows: Table) -> ColumnElement[bool]:
    """Rows of a per-user table (one with `owner_id`) that are the caller's."""
    return rows.c.owner_id == live_user_id()


def visible(todo: Table) -> ColumnElement[bool]:
    """Todos the caller may read: today, their own."""
    return owned(todo)


def changeable(todo: Table) -> ColumnElement[bool]:
    """Todos the caller may change or delete: today, their own, as for reading."""
    return owned(todo)


@cache
def _select_live_user_id() -> Select[Any]:
    return select(live_user_id())


async def require_live(conn: AsyncConnection, caller: Caller) -> None:
    """UnknownUserError (401) unless the caller's token is current. For a scoped
    statement that found nothing: an empty answer is only ever given to a live caller."""
    if await conn.scalar(_select_live_user_id(), params(caller)) is None:
        raise UnknownUserError


async def refuse(conn: AsyncConnection, caller: Caller, missing: type[AppError]) -> NoReturn:
    """A scoped statement missed the row the caller named: 401 when the token is no
    longer current, else `missing` (a 404, indistinguishable from a row that is not
    there)."""
    await require_live(conn, caller)
    raise missing
