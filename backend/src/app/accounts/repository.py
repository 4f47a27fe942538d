"""The `users` table and its statements."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import Select, Update, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningDelete, ReturningUpdate

from app import access
from app.accounts.tables import User
from app.platform.errors import NameTakenError, UnknownUserError
from app.platform.security import Caller
from app.platform.tables import insert_into, table, utcnow


class UserRepository:
    """`daos.users`: every statement on `users`."""

    @classmethod
    async def get_for_caller(cls, conn: AsyncConnection, caller: Caller) -> User:
        """The caller's account; UnknownUserError (401) once it is deleted or the
        caller's token revoked."""
        row = (await conn.execute(_select_own_account(), access.params(caller))).one_or_none()
        if row is None:
            raise UnknownUserError
        return User(**row._mapping)

    @classmethod
    async def get_by_name(cls, conn: AsyncConnection, name: str) -> User | None:
        """The account of `name`, whatever its case."""
        params = {"name_key": name_key_of(name)}
        row = (await conn.execute(_select_by_name(), params)).one_or_none()
        return None if row is None else User(**row._mapping)

    @classmethod
    async def token_generations(
        cls, conn: AsyncConnection, user_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        """The current token generation of each of these accounts that still exists."""
        if not user_ids:
            return {}
        rows = await conn.execute(_select_generations(), {"user_ids": list(user_ids)})
        return {user_id: generation for user_id, generation in rows}

    @classmethod
    async def create(cls, conn: AsyncConnection, *, name: str, password_hash: str) -> User:
        if await cls.get_by_name(conn, name) is not None:
            raise NameTakenError
        user = User(
            id=uuid.uuid4(),
            created_at=utcnow(),
            name=name,
            name_key=name_key_of(name),
            password_hash=password_hash,
        )
        try:
            await conn.execute(insert_into("users"), user.model_dump())
        except IntegrityError as exc:  # a concurrent signup won the race
            raise NameTakenError from exc
        return user

    @classmethod
    async def revoke_tokens(
        cls, conn: AsyncConnection, caller: Caller, *, new_password_hash: str | None = None
    ) -> int:
        """Bump the token generation, optionally with a new password: every token issued
        before, the caller's included, stops working. Returns the new generation."""
        statement = _bump_token_generation(with_password=new_password_hash is not None)
        params = {**access.params(caller), "new_password_hash": new_password_hash}
        row = (await conn.execute(statement, params)).one_or_none()
        if row is None:
            raise UnknownUserError
        generation: int = row.token_generation
        return generation

    @classmethod
    async def set_password(
        cls, conn: AsyncConnection, caller: Caller, new_password_hash: str
    ) -> None:
        """Set the caller's password (their tokens stay current)."""
        params = {**access.params(caller), "new_password_hash": new_password_hash}
        result = await conn.execute(_set_password(), params)
        if result.rowcount == 0:
            raise UnknownUserError

    @classmethod
    async def delete(cls, conn: AsyncConnection, caller: Caller) -> str:
        """Delete the caller's account row (what it owns goes first: see
        `app.accounts.service.delete_account`). Returns the deleted name."""
        row = (await conn.execute(_delete_own_account(), access.params(caller))).one_or_none()
        if row is None:  # already gone, or the token was revoked: nothing was deleted
            raise UnknownUserError
        name: str = row.name
        return name


def name_key_of(name: str) -> str:
    """The form in which two names are the same name."""
    return name.lower()


@cache
def _select_own_account() -> Select[Any]:
    users = table("users")
    return select(users).where(access.own_account(users))


@cache
def _select_by_name() -> Select[Any]:
    users = table("users")
    return select(users).where(users.c.name_key == bindparam("name_key"))


@cache
def _select_generations() -> Select[Any]:
    users = table("users")
    return select(users.c.id, users.c.token_generation).where(
        users.c.id.in_(bindparam("user_ids", expanding=True))
    )


@cache
def _bump_token_generation(*, with_password: bool) -> ReturningUpdate[Any]:
    users = table("users")
    values: dict[str, Any] = {"token_generation": users.c.token_generation + 1}
    if with_password:
        values["password_hash"] = bindparam("new_password_hash")
    statement = update(users).where(access.own_account(users)).values(**values)
    return statement.returning(users.c.token_generation)


@cache
def _set_password() -> Update:
    users = table("users")
    return (
        update(users)
        .where(access.own_account(users))
        .values(password_hash=bindparam("new_password_hash"))
    )


@cache
def _delete_own_account() -> ReturningDelete[Any]:
    users = table("users")
    return delete(users).where(access.own_account(users)).returning(users.c.name)
