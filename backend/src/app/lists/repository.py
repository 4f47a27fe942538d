"""The `todo_list` and `list_member` tables and their statements.

A list's members and their roles are rows of `list_member`; `app.access` reads them to
scope every statement on todos. Statements here that take a caller are scoped the same
way; those that take only ids (`add`, `set_role`, `remove`, `delete`) are the second
step of a service (`app.lists.service`) that has just read the caller's role in the
same serializable transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    ColumnElement,
    Delete,
    ScalarSelect,
    Select,
    Update,
    Uuid,
    and_,
    bindparam,
    case,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.engine import Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningUpdate

from app import access
from app.access import Role
from app.lists.schemas import ListPublic, MemberPublic
from app.lists.tables import ListMember, TodoList
from app.platform.errors import ListNotFoundError, RetryTransactionError
from app.platform.security import Caller
from app.platform.tables import insert_into, table, validate_rows

PERSONAL_LIST_NAME = "Personal"


class TodoListRepository:
    """`daos.lists`: every statement on `todo_list`."""

    @classmethod
    async def mine(cls, conn: AsyncConnection, caller: Caller) -> list[ListPublic]:
        """Every list the caller is a member of: the personal one first, then by name."""
        lists = _lists(await conn.execute(_select_mine(), access.params(caller)))
        if not lists:  # a live account always has its personal list
            await access.require_live(conn, caller)
        return lists

    @classmethod
    async def get(cls, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID) -> ListPublic:
        """The list with the caller's role in it; ListNotFoundError (404) for a
        non-member, as for a list that does not exist."""
        found = _lists(await conn.execute(_select_one(), access.list_params(caller, list_id)))
        if not found:
            await access.triage_list(conn, caller, list_id, Role.viewer)
            raise ListNotFoundError  # the list went between the two statements
        return found[0]

    @classmethod
    async def create(cls, conn: AsyncConnection, caller: Caller, name: str) -> ListPublic:
        """A new list to share, as its owner will see it (the service adds the owner)."""
        await access.require_live(conn, caller)  # the owner's membership names them by id
        created = TodoList(name=name)
        await conn.execute(insert_into("todo_list"), created.model_dump())
        return ListPublic(
            id=created.id,
            name=created.name,
            role=Role.owner,
            personal=False,
            created_at=created.created_at,
        )

    @classmethod
    async def create_personal(cls, conn: AsyncConnection, user_id: uuid.UUID) -> uuid.UUID:
        """The personal list of a new account (signing up creates it); returns its id."""
        personal = TodoList(name=PERSONAL_LIST_NAME, personal_of=user_id)
        await conn.execute(insert_into("todo_list"), personal.model_dump())
        return personal.id

    @classmethod
    async def rename(
        cls, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID, name: str
    ) -> ListPublic:
        query_params = {**access.list_params(caller, list_id), "name": name}
        row = (await conn.execute(_rename(), query_params)).one_or_none()
        if row is None:
            await access.triage_list(conn, caller, list_id, Role.owner)
            raise ListNotFoundError
        return ListPublic.model_validate({**row._mapping, "role": Role.owner})

    @classmethod
    async def delete(cls, conn: AsyncConnection, list_id: uuid.UUID) -> None:
        """The list and its memberships (its todos go first: `Todo.delete_in_lists`)."""
        await conn.execute(_delete_members(), {"list_id": list_id})
        await conn.execute(_delete_list(), {"list_id": list_id})

    @classmethod
    async def count_owned(cls, conn: AsyncConnection, caller: Caller) -> int:
        owned: int = await conn.scalar(_count_owned(), access.params(caller)) or 0
        return owned

    @classmethod
    async def sole_owned(cls, conn: AsyncConnection, caller: Caller) -> list[Succession]:
        """The lists the caller owns alone, each with the member who would take them
        over: the longest-standing editor, or None."""
        rows = await conn.execute(_select_sole_owned(), access.params(caller))
        return [Succession(*row) for row in rows]


class ListMemberRepository:
    """`daos.members`: every statement on `list_member`."""

    @classmethod
    async def members(
        cls, conn: AsyncConnection, caller: Caller, list_id: uuid.UUID
    ) -> list[MemberPublic]:
        """Owners first, then editors, then viewers, each by name."""
        result = await conn.execute(_select_members(), access.list_params(caller, list_id))
        members = [MemberPublic(name=name, role=Role(role)) for name, role in result]
        if not members:
            await access.triage_list(conn, caller, list_id, Role.viewer)
            raise ListNotFoundError
        return members

    @classmethod
    async def role_of(
        cls, conn: AsyncConnection, list_id: uuid.UUID, user_id: uuid.UUID
    ) -> Role | None:
        query_params = {"member_list_id": list_id, "member_user_id": user_id}
        role = await conn.scalar(_select_role(), query_params)
        return None if role is None else Role(role)

    @classmethod
    async def owners(cls, conn: AsyncConnection, list_id: uuid.UUID) -> list[uuid.UUID]:
        """The ids of the list's owners (the audience of its invitations' events)."""
        return list(await conn.scalars(_select_owners(), {"list_id": list_id}))

    @classmethod
    async def count(cls, conn: AsyncConnection, list_id: uuid.UUID, role: Role | None) -> int:
        """Members of the list, or only those holding `role`."""
        statement = _count_members(by_role=role is not None)
        counted: int = await conn.scalar(statement, {"list_id": list_id, "role": role}) or 0
        return counted

    @classmethod
    async def add(
        cls, conn: AsyncConnection, list_id: uuid.UUID, user_id: uuid.UUID, role: Role
    ) -> None:
        row = ListMember(list_id=list_id, user_id=user_id, role=role.value)
        try:
            await conn.execute(insert_into("list_member"), row.model_dump())
        except IntegrityError as exc:  # a concurrent request added them first: run again
            raise RetryTransactionError from exc

    @classmethod
    async def set_role(
        cls, conn: AsyncConnection, list_id: uuid.UUID, user_id: uuid.UUID, role: Role
    ) -> None:
        query_params = {
            "member_list_id": list_id,
            "member_user_id": user_id,
            "new_role": role.value,
        }
        await conn.execute(_update_role(), query_params)

    @classmethod
    async def remove(cls, conn: AsyncConnection, list_id: uuid.UUID, user_id: uuid.UUID) -> None:
        query_params = {"member_list_id": list_id, "member_user_id": user_id}
        await conn.execute(_delete_member(), query_params)

    @classmethod
    async def leave_all(cls, conn: AsyncConnection, caller: Caller) -> None:
        """Every membership the caller holds (their account is being deleted)."""
        await conn.execute(_delete_memberships(), access.params(caller))


@dataclass(frozen=True, slots=True)
class Succession:
    list_id: uuid.UUID
    successor_id: uuid.UUID | None
    successor_name: str | None


_LISTS = TypeAdapter(list[ListPublic])


def _lists(result: Result[Any]) -> list[ListPublic]:
    """Rows of `_caller_lists()` as lists, with the caller's role."""
    return validate_rows(_LISTS, result)


def _caller_lists() -> Select[Any]:
    lists, members = table("todo_list"), table("list_member")
    return (
        select(
            lists.c.id,
            lists.c.name,
            members.c.role,
            lists.c.personal_of.is_not(None).label("personal"),
            lists.c.created_at,
        )
        .join_from(members, lists, lists.c.id == members.c.list_id)
        .where(
            members.c.user_id == access.live_user_id(),
            access.in_token_scope(members.c.list_id),
        )
    )


@cache
def _select_mine() -> Select[Any]:
    lists = table("todo_list")
    return _caller_lists().order_by(
        lists.c.personal_of.is_(None), func.lower(lists.c.name), lists.c.id
    )


@cache
def _select_one() -> Select[Any]:
    return _caller_lists().where(table("todo_list").c.id == bindparam("list_id"))


@cache
def _rename() -> ReturningUpdate[Any]:
    lists = table("todo_list")
    return (
        update(lists)
        .where(lists.c.id == bindparam("list_id"), access.member(lists.c.id, Role.owner))
        .values(name=bindparam("name"))
        .returning(
            lists.c.id,
            lists.c.name,
            lists.c.personal_of.is_not(None).label("personal"),
            lists.c.created_at,
        )
    )


@cache
def _delete_members() -> Delete:
    members = table("list_member")
    return delete(members).where(members.c.list_id == bindparam("list_id"))


@cache
def _delete_list() -> Delete:
    lists = table("todo_list")
    return delete(lists).where(lists.c.id == bindparam("list_id"))


@cache
def _count_owned() -> Select[Any]:
    members = table("list_member")
    return select(func.count()).where(
        members.c.user_id == access.live_user_id(), members.c.role == Role.owner.value
    )


@cache
def _select_sole_owned() -> Select[Any]:
    members = table("list_member")
    mine, others, editors = members.alias("mine"), members.alias("others"), members.alias("editors")
    other_owner = select(others.c.user_id).where(
        others.c.list_id == mine.c.list_id,
        others.c.role == Role.owner.value,
        others.c.user_id != mine.c.user_id,
    )
    users = table("users")

    def longest_standing_editor(column: ColumnElement[Any]) -> ScalarSelect[Any]:
        # One subquery per column, each naming its own tables: a name looked up by the
        # id subquery's result was correlated wrongly (another account's name).
        return (
            select(column)
            .select_from(editors.join(users, users.c.id == editors.c.user_id))
            .where(editors.c.list_id == mine.c.list_id, editors.c.role == Role.editor.value)
            .order_by(editors.c.created_at, editors.c.user_id)
            .limit(1)
            .scalar_subquery()
        )

    successor_id = longest_standing_editor(editors.c.user_id)
    successor_name = longest_standing_editor(users.c.name)
    return select(mine.c.list_id, successor_id, successor_name).where(
        mine.c.user_id == access.live_user_id(),
        mine.c.role == Role.owner.value,
        ~other_owner.exists(),
    )


def _role_rank(role: Any) -> Any:
    return case({Role.owner.value: 0, Role.editor.value: 1}, value=role, else_=2)


@cache
def _select_members() -> Select[Any]:
    members, users = table("list_member"), table("users")
    list_id = bindparam("list_id", type_=Uuid())
    return (
        select(users.c.name, members.c.role)
        .join_from(members, users, users.c.id == members.c.user_id)
        .where(members.c.list_id == list_id, access.member(list_id, Role.viewer))
        .order_by(_role_rank(members.c.role), users.c.name_key)
    )


def _one_member() -> ColumnElement[bool]:
    # Not named for the columns: an UPDATE reserves those names for its SET clause.
    members = table("list_member")
    return and_(
        members.c.list_id == bindparam("member_list_id"),
        members.c.user_id == bindparam("member_user_id"),
    )


@cache
def _select_role() -> Select[Any]:
    return select(table("list_member").c.role).where(_one_member())


@cache
def _select_owners() -> Select[Any]:
    members = table("list_member")
    return (
        select(members.c.user_id)
        .where(members.c.list_id == bindparam("list_id"), members.c.role == Role.owner.value)
        .order_by(members.c.user_id)
    )


@cache
def _count_members(*, by_role: bool) -> Select[Any]:
    members = table("list_member")
    query = select(func.count()).where(members.c.list_id == bindparam("list_id"))
    if by_role:
        query = query.where(members.c.role == bindparam("role"))
    return query


@cache
def _update_role() -> Update:
    members = table("list_member")
    return update(members).where(_one_member()).values(role=bindparam("new_role"))


@cache
def _delete_member() -> Delete:
    return delete(table("list_member")).where(_one_member())


@cache
def _delete_memberships() -> Delete:
    members = table("list_member")
    return delete(members).where(members.c.user_id == access.live_user_id())
