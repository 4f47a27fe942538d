"""Which rows a caller may see and change, with which role: the one place that decides.

The answer is "a member of the row's list whose role allows it, while the caller's
token is current". Every statement run for a caller takes its scope from here
(`visible` and `changeable` for one todo, `todos_in` and `member` for a list,
`own_account` and `owned` for per-user rows) with its bind values from `params`, and a
miss is triaged here too (`triage_todo`, `triage_list`, `require_live`): 401 for a token
no longer current, 404 for a non-member (indistinguishable from a row that is not
there), 403 for a member whose role does not allow it.

A token is current while its account exists, the account's `token_generation` still
equals the token's (bumping it revokes every earlier token), and, for a log-in token,
the session it names is still a row that has not expired (`live_session`: signing a
device out deletes its row). The check is a scalar
subquery inside each statement, not a query of its own, and so is membership: a revoked
token or a removed member matches nothing, at no extra round trip. Only a miss pays one
more query, to say which of 401, 403 and 404 it was.

The personal list needs no membership check: it is found through `personal_of`, which
only its owner matches, and it is never shared.

Statements that change todos lock the membership they rely on (`FOR SHARE` on
PostgreSQL and CockroachDB; SQLite has a single writer): a role lowered or a member
removed waits for the writes already running under the old role, and every write that
starts after it sees the new one (at READ COMMITTED, a write that waited for the
demotion's lock re-checks the membership row's new version). Nothing lands after a
demotion.

This module imports nothing from `app.models` but `base`, so every table's module can
import it. Its own statements, the triage's, are built once like every DAO's.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ScalarSelect,
    Select,
    Table,
    Uuid,
    and_,
    bindparam,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from app.platform.errors import (
    AppError,
    ListNotFoundError,
    OutsideTokenScopeError,
    RoleRequiredError,
    TodoNotFoundError,
    UnknownUserError,
)
from app.platform.security import Caller
from app.platform.tables import constant, table, utcnow


class Role(StrEnum):
    """What a member may do in a list: a viewer reads the list and its todos; an editor
    also creates, changes, completes and deletes todos; an owner also renames and
    deletes the list and manages its members."""

    viewer = "viewer"  # reads the list and its todos
    editor = "editor"  # also creates, changes, completes and deletes todos
    owner = "owner"  # also renames and deletes the list and manages its members


# Each role may do everything the roles before it may.
_ROLE_ORDER = (Role.viewer, Role.editor, Role.owner)


def allows(held: Role, needed: Role) -> bool:
    return _ROLE_ORDER.index(held) >= _ROLE_ORDER.index(needed)


def roles_at_least(needed: Role) -> tuple[Role, ...]:
    return _ROLE_ORDER[_ROLE_ORDER.index(needed) :]


def require(held: Role, needed: Role, *, where: str = "in the list") -> None:
    """RoleRequiredError (403) unless a member holding `held` may do what needs `needed`."""
    if not allows(held, needed):
        raise RoleRequiredError(needed.value, held.value, where=where)


def params(caller: Caller) -> dict[str, Any]:
    """The bind values every scoped statement needs."""
    scope = caller.scope
    lists = None if scope is None else scope.list_ids
    return {
        "owner": caller.user_id,
        "generation": caller.token_generation,
        "session": caller.session_id,
        "now": utcnow(),
        "all_lists": lists is None,
        "scope_lists": sorted(lists or ()),
    }


def in_token_scope(list_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """`list_id` is within the caller's token's lists: always for a session or a token
    for all lists, else when the token names it. Part of every membership check, so a
    token scoped to some lists finds no other, as if it were not a member."""
    return or_(
        bindparam("all_lists", type_=Boolean()),
        list_id.in_(bindparam("scope_lists", expanding=True, type_=Uuid())),
    )


def require_scope(caller: Caller, list_id: uuid.UUID | None = None, *, write: bool) -> None:
    """OutsideTokenScopeError (403, naming the scope) when the caller's personal access
    token does not cover this: writing with a read token, any list not among the
    token's (`list_id`), or, with `list_id` None, work over every list (creating a list,
    the event stream, export and import) with a token for chosen lists."""
    scope = caller.scope
    if scope is None:
        return
    if write and not scope.write:
        raise OutsideTokenScopeError(scope.describe(), "it cannot change anything")
    if scope.list_ids is not None and (list_id is None or list_id not in scope.list_ids):
        needed = "this needs a token for all lists" if list_id is None else "not this list"
        raise OutsideTokenScopeError(scope.describe(), needed)


def own_account(users: Table) -> ColumnElement[bool]:
    """The caller's own account row, while their token is current."""
    return and_(
        users.c.id == bindparam("owner"),
        users.c.token_generation == bindparam("generation"),
        live_session(users.c.id),
    )


def live_session(user_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """The caller's session is live: no session named (a personal access token, which
    its own lookup checked, or code acting without a token), or the row it names
    belongs to `user_id` and has passed neither its absolute nor its idle expiry. One
    primary-key probe inside the statement, like the generation check. The table is
    aliased so that a statement on `user_session` itself does not correlate with it."""
    sessions = table("user_session").alias("caller_session")
    session = bindparam("session", type_=Uuid())
    now = bindparam("now", type_=sessions.c.expires_at.type)
    return or_(
        session.is_(None),
        select(sessions.c.id)
        .where(
            sessions.c.id == session,
            sessions.c.user_id == user_id,
            sessions.c.expires_at > now,
            sessions.c.idle_expires_at > now,
        )
        .exists(),
    )


@cache
def live_user_id() -> ScalarSelect[Any]:
    """The caller's id while their token is current, else NULL: what memberships and
    per-user rows are matched against."""
    users = table("users")
    return select(users.c.id).where(own_account(users)).scalar_subquery()


def owned(rows: Table) -> ColumnElement[bool]:
    """Rows of a per-user table (one with `owner_id`) that are the caller's."""
    return rows.c.owner_id == live_user_id()


@cache
def personal_list_id() -> ScalarSelect[Any]:
    """The caller's personal list, while their token is current, else NULL."""
    lists = table("todo_list")
    return (
        select(lists.c.id)
        .where(lists.c.personal_of == live_user_id(), in_token_scope(lists.c.id))
        .scalar_subquery()
    )


def member(
    list_id: ColumnElement[Any], needed: Role, *, locked: bool = False
) -> ColumnElement[bool]:
    """The caller is a member of `list_id` whose role allows `needed`. `locked` holds the
    membership until the transaction ends, for statements that write on its strength."""
    members = table("list_member")
    query = select(members.c.list_id).where(
        members.c.list_id == list_id,
        members.c.user_id == live_user_id(),
        in_token_scope(members.c.list_id),
    )
    if needed is not Role.viewer:  # every member may view
        query = query.where(
            members.c.role.in_([constant(role.value) for role in roles_at_least(needed)])
        )
    if locked:
        query = query.with_for_update(read=True)
    return query.exists()


def visible(todo: Table) -> ColumnElement[bool]:
    """Todos the caller may read: those of any list they are a member of."""
    return member(todo.c.list_id, Role.viewer)


def changeable(todo: Table) -> ColumnElement[bool]:
    """Todos the caller may change or delete: those of lists they edit or own."""
    return member(todo.c.list_id, Role.editor, locked=True)


def chosen_list(*, personal: bool) -> ColumnElement[Any]:
    """The list a list-wide statement acts on: the caller's personal list, or the one
    in the `list_id` bind parameter."""
    return personal_list_id() if personal else bindparam("list_id", type_=Uuid())


def todos_in(todo: Table, needed: Role, *, personal: bool) -> ColumnElement[bool]:
    """The todos of the chosen list, if the caller's role there allows `needed`."""
    if personal:
        return todo.c.list_id == personal_list_id()
    list_id = chosen_list(personal=False)
    return and_(todo.c.list_id == list_id, member(list_id, needed, locked=needed != Role.viewer))


def list_params(caller: Caller, list_id: uuid.UUID | None) -> dict[str, Any]:
    """`params` for a list-wide statement; `list_id` None is the personal list."""
    return {**params(caller), "list_id": list_id}


@cache
def _select_live_user_id() -> Select[Any]:
    return select(live_user_id())


@cache
def _select_role_in_list() -> Select[Any]:
    members = table("list_member")
    role = select(members.c.role).where(
        members.c.list_id == bindparam("list_id"), members.c.user_id == live_user_id()
    )
    return select(live_user_id(), role.scalar_subquery())


@cache
def _select_role_for_todo() -> Select[Any]:
    members, todo = table("list_member"), table("todo")
    list_of_todo = select(todo.c.list_id).where(todo.c.id == bindparam("todo_id"))
    role = select(members.c.role).where(
        members.c.list_id == list_of_todo.scalar_subquery(), members.c.user_id == live_user_id()
    )
    return select(live_user_id(), role.scalar_subquery(), list_of_todo.scalar_subquery())


@cache
def _select_personal_list() -> Select[Any]:
    # Not `personal_list_id()`: that one is already cut to the token's scope.
    lists = table("todo_list")
    personal = select(lists.c.id).where(lists.c.personal_of == live_user_id())
    return select(live_user_id(), personal.scalar_subquery())


async def require_live(conn: AsyncConnection, caller: Caller) -> None:
    """UnknownUserError (401) unless the caller's token is current. For a scoped
    statement that found nothing: an empty answer is only ever given to a live caller."""
    if await conn.scalar(_select_live_user_id(), params(caller)) is None:
        raise UnknownUserError


async def triage_list(
    conn: AsyncConnection,
    caller: Caller,
    list_id: uuid.UUID | None,
    needed: Role,
    *,
    where: str = "in the list",
) -> None:
    """After a list-wide statement missed: 401, 404 or 403 if that is why, else return
    (the caller may; there was simply nothing there). `where` names the list in a 403."""
    if list_id is None:  # the personal list: its owner may do anything in it
        live, personal = (await conn.execute(_select_personal_list(), params(caller))).one()
        if live is None:
            raise UnknownUserError
        require_scope(caller, personal, write=needed is not Role.viewer)
        return
    live, role = (await conn.execute(_select_role_in_list(), list_params(caller, list_id))).one()
    _triage(caller, live, role, list_id, needed, ListNotFoundError, where)


async def triage_todo(
    conn: AsyncConnection, caller: Caller, todo_id: uuid.UUID, needed: Role
) -> None:
    """After a statement on one todo missed: 401, 404 or 403 if that is why, else
    return (the caller may: the miss was the statement's own condition, e.g. a stale
    version)."""
    query_params = {**params(caller), "todo_id": todo_id}
    live, role, list_id = (await conn.execute(_select_role_for_todo(), query_params)).one()
    _triage(caller, live, role, list_id, needed, TodoNotFoundError, "in the todo's list")


def _triage(
    caller: Caller,
    live: object,
    role: str | None,
    list_id: uuid.UUID | None,
    needed: Role,
    missing: type[AppError],
    where: str,
) -> None:
    if live is None:
        raise UnknownUserError
    if role is None:
        raise missing
    require_scope(caller, list_id, write=needed is not Role.viewer)
    require(Role(role), needed, where=where)
