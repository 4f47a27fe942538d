"""Alembic is the only thing that creates schema, so its revisions must match the
models exactly (no drift) and walk up, down and up again cleanly on every engine."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    String,
    Time,
    Uuid,
    column,
    insert,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.sql.expression import Executable
from sqlmodel.sql.sqltypes import UTCDateTime

from app.models import BaseDAO
from app.platform.migrate import alembic_config, downgrade, head_revision, upgrade
from app.platform.security import Caller
from app.todos import search
from app.todos.repository import TodoRepository
from tests import databases

TOKEN_TABLES = {"access_token", "access_token_list"}
INVITATION_TABLES = {"invitation", "account_block"}
WEBHOOK_TABLES = {"webhook_endpoint", "webhook_delivery", "webhook_dispatcher"}
SESSION_TABLES = {"user_session"}
SHARE_LINK_TABLES = {"share_link"}
APP_TABLES = {
    "users", "todo", "todo_list", "list_member", "idempotency_key", "login_throttle", "event",
    *TOKEN_TABLES, *INVITATION_TABLES, *WEBHOOK_TABLES, *SESSION_TABLES, *SHARE_LINK_TABLES,
}  # fmt: skip


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
    # The search index's tables on SQLite (an FTS5 table, the shadow tables FTS5 makes
    # for it, and a key table) are no app table: `test_search_*` below looks at them.
    return {name for name in names if not name.startswith("todo_search")} - {"alembic_version"}


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


BEFORE_CASE_INSENSITIVE_NAMES = "5c1e0f7b2d94"
USERS = table(
    "users",
    column("id", Uuid()),
    column("created_at", UTCDateTime()),
    column("name", String()),
    column("name_key", String()),
    column("password_hash", String()),
    column("token_generation", Integer()),
)


async def execute(url: str, statement: Executable) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(statement)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


async def test_case_insensitive_names_with_data_up_down_up(migration_url: str) -> None:
    """Accounts whose names differ only in case, made before names were case-insensitive:
    the oldest keeps its name, later ones get the first free `-N` suffix (cut to fit),
    nobody loses an account, and down and up again keep every row."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_CASE_INSENSITIVE_NAMES)
    long_name = "L" * 64
    names = ["Bob", "bob", "BOB", "bob-2x", "alice", long_name, long_name.lower()]
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "created_at": base + timedelta(minutes=n),
            "name": name,
            "password_hash": "hash",
            "token_generation": 0,
        }
        for n, name in enumerate(names)
    ]
    await execute(migration_url, insert(USERS).values(rows))  # no name_key yet

    await asyncio.to_thread(upgrade, migration_url)
    expected = {
        "Bob": "Bob",
        "bob": "bob-2",
        "BOB": "BOB-3",
        "bob-2x": "bob-2x",
        "alice": "alice",
        long_name: long_name,
        long_name.lower(): "l" * 62 + "-2",
    }
    renamed = dict(await execute(migration_url, select(USERS.c.id, USERS.c.name)))
    assert {row["name"]: renamed[row["id"]] for row in rows} == expected
    keys = dict(await execute(migration_url, select(USERS.c.name, USERS.c.name_key)))
    assert keys == {name: name.lower() for name in expected.values()}

    await asyncio.to_thread(downgrade, migration_url, BEFORE_CASE_INSENSITIVE_NAMES)
    assert len(await execute(migration_url, select(USERS.c.id))) == len(names)
    await asyncio.to_thread(upgrade, migration_url)
    assert dict(await execute(migration_url, select(USERS.c.id, USERS.c.name))) == renamed


BEFORE_SHARED_LISTS = "3f6a2c91d0b7"
TODO = table(
    "todo",
    column("id", Uuid()),
    column("owner_id", Uuid()),
    column("list_id", Uuid()),
    column("title", String()),
    column("content", String()),
    column("completed", Boolean()),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
    column("version", Integer()),
    column("position", String()),
)
# The due columns, apart: `TODO` is inserted into before they exist.
DUE = table(
    "todo",
    column("id", Uuid()),
    column("due_date", Date()),
    column("due_time", Time()),
    column("due_zone", String()),
    column("due_at", UTCDateTime()),
)
TODO_LIST = table(
    "todo_list",
    column("id", Uuid()),
    column("name", String()),
    column("personal_of", Uuid()),
    column("created_at", UTCDateTime()),
)
LIST_MEMBER = table(
    "list_member",
    column("list_id", Uuid()),
    column("user_id", Uuid()),
    column("role", String()),
    column("created_at", UTCDateTime()),
)


async def test_shared_lists_with_data_up_down_up(migration_url: str) -> None:
    """Users and their todos from before lists: each user gets a personal list holding
    exactly their todos; down gives every todo its owner back (a todo of a shared list
    goes to the list's longest-standing owner); up again rebuilds the personal lists."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_SHARED_LISTS)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    users = [
        {
            "id": uuid.uuid4(),
            "created_at": base + timedelta(minutes=n),
            "name": f"user{n}",
            "name_key": f"user{n}",
            "password_hash": "hash",
            "token_generation": 0,
        }
        for n in range(3)
    ]
    await execute(migration_url, insert(USERS).values(users))
    todos = [
        {
            "id": uuid.uuid4(),
            "owner_id": user["id"],
            "title": f"todo {n} of {user['name']}",
            "content": "",
            "completed": n % 2 == 0,
            "created_at": base,
            "updated_at": base,
            "version": n,
        }
        for user in users[:2]  # the third has none
        for n in range(3)
    ]
    todo_columns = [TODO.c[name] for name in todos[0]]
    await execute(migration_url, insert(TODO).values(todos))
    owner_of = {todo["id"]: todo["owner_id"] for todo in todos}

    await asyncio.to_thread(upgrade, migration_url)
    lists = await execute(
        migration_url, select(TODO_LIST.c.id, TODO_LIST.c.name, TODO_LIST.c.personal_of)
    )
    assert {personal_of for _, _, personal_of in lists} == {u["id"] for u in users}
    assert len(lists) == len(users)
    assert {name for _, name, _ in lists} == {"Personal"}
    personal_list = {personal_of: list_id for list_id, _, personal_of in lists}
    members = await execute(
        migration_url, select(LIST_MEMBER.c.list_id, LIST_MEMBER.c.user_id, LIST_MEMBER.c.role)
    )
    assert sorted(members) == sorted((personal_list[u["id"]], u["id"], "owner") for u in users)
    moved = dict(await execute(migration_url, select(TODO.c.id, TODO.c.list_id)))
    assert moved == {todo_id: personal_list[owner] for todo_id, owner in owner_of.items()}
    kept = [
        dict(row._mapping)
        for row in await execute(
            migration_url, select(*[c for c in todo_columns if c.name != "owner_id"])
        )
    ]
    assert len(kept) == len(todos)

    # A shared list, made after the upgrade: owned by user1 (since before user2 joined
    # as a second owner), holding a todo user2 added.
    shared, shared_todo = uuid.uuid4(), uuid.uuid4()
    await execute(
        migration_url,
        insert(TODO_LIST).values(id=shared, name="shared", personal_of=None, created_at=base),
    )
    await execute(
        migration_url,
        insert(LIST_MEMBER).values(
            [
                {
                    "list_id": shared,
                    "user_id": users[2]["id"],
                    "role": "owner",
                    "created_at": base + timedelta(days=2),
                },
                {
                    "list_id": shared,
                    "user_id": users[1]["id"],
                    "role": "owner",
                    "created_at": base + timedelta(days=1),
                },
                {
                    "list_id": shared,
                    "user_id": users[0]["id"],
                    "role": "editor",
                    "created_at": base,
                },
            ]
        ),
    )
    await execute(
        migration_url,
        insert(TODO).values(
            id=shared_todo, list_id=shared, title="shared", content="", completed=False,
            created_at=base, updated_at=base, version=0, position="a0",
        ),
    )  # fmt: skip

    await asyncio.to_thread(downgrade, migration_url, BEFORE_SHARED_LISTS)
    gone = {
        "todo_list", "list_member", "event", *TOKEN_TABLES, *INVITATION_TABLES, *WEBHOOK_TABLES,
        *SESSION_TABLES,
    }  # fmt: skip
    assert await table_names(migration_url) == APP_TABLES - SHARE_LINK_TABLES - gone
    owners = dict(await execute(migration_url, select(TODO.c.id, TODO.c.owner_id)))
    assert owners == {**owner_of, shared_todo: users[1]["id"]}

    await asyncio.to_thread(upgrade, migration_url)
    lists = await execute(migration_url, select(TODO_LIST.c.id, TODO_LIST.c.personal_of))
    personal_list = {personal_of: list_id for list_id, personal_of in lists}
    moved = dict(await execute(migration_url, select(TODO.c.id, TODO.c.list_id)))
    assert moved == {todo_id: personal_list[owner] for todo_id, owner in owners.items()}


BEFORE_PERSONAL_ACCESS_TOKENS = "c4d7e2a91f60"
ACCESS_TOKEN = table(
    "access_token",
    column("id", Uuid()),
    column("owner_id", Uuid()),
    column("name", String()),
    column("secret_hash", String()),
    column("hint", String()),
    column("can_write", Boolean()),
    column("all_lists", Boolean()),
    column("created_at", UTCDateTime()),
    column("expires_at", UTCDateTime()),
    column("last_used_at", UTCDateTime()),
)
ACCESS_TOKEN_LIST = table(
    "access_token_list", column("token_id", Uuid()), column("list_id", Uuid())
)


async def test_personal_access_tokens_with_data_up_down_up(migration_url: str) -> None:
    """Accounts and lists from before tokens keep every row through up, down and up;
    tokens made in between go with their tables on the way down, and a token's chosen
    lists go with the token (and with a deleted list)."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_PERSONAL_ACCESS_TOKENS)
    base = datetime(2026, 12, 1, tzinfo=UTC)
    user = {
        "id": uuid.uuid4(), "created_at": base, "name": "tok", "name_key": "tok",
        "password_hash": "hash", "token_generation": 3,
    }  # fmt: skip
    lists = [
        {"id": uuid.uuid4(), "name": f"list {n}", "personal_of": None, "created_at": base}
        for n in range(2)
    ]
    await execute(migration_url, insert(USERS).values(user))
    await execute(migration_url, insert(TODO_LIST).values(lists))
    await execute(
        migration_url,
        insert(LIST_MEMBER).values(
            [{"list_id": found["id"], "user_id": user["id"], "role": "owner", "created_at": base}
             for found in lists]
        ),
    )  # fmt: skip

    await asyncio.to_thread(upgrade, migration_url)
    assert await table_names(migration_url) == APP_TABLES
    token = {
        "id": uuid.uuid4(), "owner_id": user["id"], "name": "script", "secret_hash": "0" * 64,
        "hint": "mi_pat_abcd", "can_write": False, "all_lists": False, "created_at": base,
        "expires_at": base + timedelta(days=30), "last_used_at": None,
    }  # fmt: skip
    await execute(migration_url, insert(ACCESS_TOKEN).values(token))
    await execute(
        migration_url,
        insert(ACCESS_TOKEN_LIST).values(
            [{"token_id": token["id"], "list_id": found["id"]} for found in lists]
        ),
    )
    stored = await execute(migration_url, select(ACCESS_TOKEN))
    assert [dict(row._mapping) for row in stored] == [token]  # UTC round trip included
    await execute(
        migration_url, LIST_MEMBER.delete().where(LIST_MEMBER.c.list_id == lists[0]["id"])
    )
    await execute(migration_url, TODO_LIST.delete().where(TODO_LIST.c.id == lists[0]["id"]))
    chosen = await execute(migration_url, select(ACCESS_TOKEN_LIST.c.list_id))
    if not migration_url.startswith("sqlite"):  # this bare engine turns no SQLite FKs on
        assert chosen == [(lists[1]["id"],)]

    await asyncio.to_thread(downgrade, migration_url, BEFORE_PERSONAL_ACCESS_TOKENS)
    assert await table_names(migration_url) == (
        APP_TABLES
        - TOKEN_TABLES
        - INVITATION_TABLES
        - WEBHOOK_TABLES
        - SESSION_TABLES
        - SHARE_LINK_TABLES
    )
    assert await execute(migration_url, select(USERS.c.id, USERS.c.token_generation)) == [
        (user["id"], 3)
    ]
    assert await execute(migration_url, select(TODO_LIST.c.id)) == [(lists[1]["id"],)]

    await asyncio.to_thread(upgrade, migration_url)
    assert await table_names(migration_url) == APP_TABLES
    assert await execute(migration_url, select(ACCESS_TOKEN.c.id)) == []


BEFORE_TODO_POSITION = "e3a9c5d17b42"


async def test_todo_position_with_data_up_down_up(migration_url: str) -> None:
    """Todos from before manual order get keys in the order their list showed them
    (oldest first, ties by id), each list on its own; down drops the keys and keeps
    every todo; up again gives the same keys."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_TODO_POSITION)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    user = uuid.uuid4()
    await execute(
        migration_url,
        insert(USERS).values(
            id=user, created_at=base, name="u", name_key="u", password_hash="h",
            token_generation=0,
        ),
    )  # fmt: skip
    lists = [uuid.uuid4(), uuid.uuid4(), uuid.uuid4()]  # the third stays empty
    await execute(
        migration_url,
        insert(TODO_LIST).values(
            [{"id": id_, "name": "l", "personal_of": None, "created_at": base} for id_ in lists]
        ),
    )
    # Created out of order, two at the same instant in the first list (ids break ties).
    minutes = {lists[0]: [5, 1, 3, 3, 0, 9, 2], lists[1]: [4, 0]}
    todos = [
        {
            "id": uuid.uuid4(), "list_id": list_id, "title": f"t{n}", "content": "",
            "completed": n % 2 == 0, "created_at": base + timedelta(minutes=minute),
            "updated_at": base, "version": 0,
        }
        for list_id, created in minutes.items()
        for n, minute in enumerate(created)
    ]  # fmt: skip
    await execute(migration_url, insert(TODO).values(todos))
    expected = {
        list_id: [
            todo["id"]
            for todo in sorted(todos, key=lambda todo: (todo["created_at"], todo["id"]))
            if todo["list_id"] == list_id
        ]
        for list_id in minutes
    }

    await asyncio.to_thread(upgrade, migration_url)
    rows = await execute(migration_url, select(TODO.c.id, TODO.c.list_id, TODO.c.position))
    assert len(rows) == len(todos)
    for list_id, ids in expected.items():
        keyed = {id_: position for id_, in_list, position in rows if in_list == list_id}
        in_key_order = sorted(keyed, key=lambda id_: keyed[id_].encode())
        assert in_key_order == ids
        assert len(set(keyed.values())) == len(ids)  # no two alike
    first_keys = {row[0]: row[2] for row in rows}

    await asyncio.to_thread(downgrade, migration_url, BEFORE_TODO_POSITION)
    assert len(await execute(migration_url, select(TODO.c.id))) == len(todos)
    await asyncio.to_thread(upgrade, migration_url)
    rows = await execute(migration_url, select(TODO.c.id, TODO.c.position))
    assert dict(rows) == first_keys


BEFORE_INVITATIONS = "5a8e1c3f7d20"
INVITATION = table(
    "invitation",
    column("id", Uuid()),
    column("list_id", Uuid()),
    column("invitee_id", Uuid()),
    column("inviter_id", Uuid()),
    column("role", String()),
    column("status", String()),
    column("hidden", Boolean()),
    column("created_at", UTCDateTime()),
    column("expires_at", UTCDateTime()),
)
ACCOUNT_BLOCK = table(
    "account_block",
    column("blocker_id", Uuid()),
    column("blocked_id", Uuid()),
    column("created_at", UTCDateTime()),
)


async def test_invitations_with_data_up_down_up(migration_url: str) -> None:
    """Memberships from before invitations stay exactly as they were, up and down;
    invitations and blocks made in between go with their tables on the way down."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_INVITATIONS)
    base = datetime(2026, 12, 1, tzinfo=UTC)
    users = [
        {
            "id": uuid.uuid4(), "created_at": base, "name": f"inv{n}", "name_key": f"inv{n}",
            "password_hash": "hash", "token_generation": 0,
        }
        for n in range(3)
    ]  # fmt: skip
    shared = {"id": uuid.uuid4(), "name": "shared", "personal_of": None, "created_at": base}
    memberships = [
        {"list_id": shared["id"], "user_id": users[0]["id"], "role": "owner", "created_at": base},
        {"list_id": shared["id"], "user_id": users[1]["id"], "role": "editor", "created_at": base},
    ]
    await execute(migration_url, insert(USERS).values(users))
    await execute(migration_url, insert(TODO_LIST).values(shared))
    await execute(migration_url, insert(LIST_MEMBER).values(memberships))
    members = select(LIST_MEMBER).order_by(LIST_MEMBER.c.role.desc())
    before = [dict(row._mapping) for row in await execute(migration_url, members)]

    await asyncio.to_thread(upgrade, migration_url)
    assert await table_names(migration_url) == APP_TABLES
    assert [dict(row._mapping) for row in await execute(migration_url, members)] == before
    invitation = {
        "id": uuid.uuid4(), "list_id": shared["id"], "invitee_id": users[2]["id"],
        "inviter_id": users[0]["id"], "role": "viewer", "status": "pending", "hidden": False,
        "created_at": base, "expires_at": base + timedelta(days=14),
    }  # fmt: skip
    await execute(migration_url, insert(INVITATION).values(invitation))
    block = {"blocker_id": users[2]["id"], "blocked_id": users[1]["id"], "created_at": base}
    await execute(migration_url, insert(ACCOUNT_BLOCK).values(block))
    stored = await execute(migration_url, select(INVITATION))
    assert [dict(row._mapping) for row in stored] == [invitation]  # UTC round trip included

    await asyncio.to_thread(downgrade, migration_url, BEFORE_INVITATIONS)
    assert await table_names(migration_url) == (
        APP_TABLES - INVITATION_TABLES - WEBHOOK_TABLES - SESSION_TABLES - SHARE_LINK_TABLES
    )
    assert [dict(row._mapping) for row in await execute(migration_url, members)] == before

    await asyncio.to_thread(upgrade, migration_url)
    assert await execute(migration_url, select(INVITATION.c.id)) == []
    assert [dict(row._mapping) for row in await execute(migration_url, members)] == before


BEFORE_WEBHOOKS = "b7d41f0e9a26"  # invitations
WEBHOOK_ENDPOINT = table(
    "webhook_endpoint",
    column("id", Uuid()),
    column("owner_id", Uuid()),
    column("list_id", Uuid()),
    column("url", String()),
    column("event_types", String()),
    column("secret", String()),
    column("previous_secret", String()),
    column("previous_secret_until", UTCDateTime()),
    column("created_at", UTCDateTime()),
    column("disabled_at", UTCDateTime()),
    column("disabled_reason", String()),
    column("last_seq", Integer()),
)
WEBHOOK_DELIVERY = table(
    "webhook_delivery",
    column("id", Uuid()),
    column("endpoint_id", Uuid()),
    column("seq", Integer()),
    column("msg_id", String()),
    column("kind", String()),
    column("payload", String()),
    column("state", String()),
    column("created_at", UTCDateTime()),
    column("attempts", Integer()),
    column("next_attempt_at", UTCDateTime()),
)
WEBHOOK_DISPATCHER = table(
    "webhook_dispatcher", column("name", String()), column("log_position", String())
)


async def test_webhooks_with_data_up_down_up(migration_url: str) -> None:
    """Accounts, lists and todos from before webhooks keep every row through up, down and
    up; the dispatcher's one row is there after each upgrade, at the log's start;
    endpoints and deliveries made in between go with their tables on the way down."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_WEBHOOKS)
    base = datetime(2026, 12, 1, tzinfo=UTC)
    user = {
        "id": uuid.uuid4(), "created_at": base, "name": "hook", "name_key": "hook",
        "password_hash": "hash", "token_generation": 0,
    }  # fmt: skip
    list_id = uuid.uuid4()
    await execute(migration_url, insert(USERS).values(user))
    await execute(
        migration_url,
        insert(TODO_LIST).values(id=list_id, name="l", personal_of=None, created_at=base),
    )

    await asyncio.to_thread(upgrade, migration_url)
    assert await table_names(migration_url) == APP_TABLES
    assert await execute(migration_url, select(WEBHOOK_DISPATCHER)) == [("webhooks", "0.0")]
    endpoint = {
        "id": uuid.uuid4(), "owner_id": user["id"], "list_id": list_id,
        "url": "https://hooks.example.com/x", "event_types": "todo.created todo.updated",
        "secret": "whsec_" + "A" * 44, "previous_secret": None, "previous_secret_until": None,
        "created_at": base, "disabled_at": None, "disabled_reason": None, "last_seq": 1,
    }  # fmt: skip
    delivery = {
        "id": uuid.uuid4(), "endpoint_id": endpoint["id"], "seq": 1, "msg_id": "msg_1",
        "kind": "todo.created", "payload": "{}", "state": "pending", "created_at": base,
        "attempts": 2, "next_attempt_at": base + timedelta(seconds=10),
    }  # fmt: skip
    await execute(migration_url, insert(WEBHOOK_ENDPOINT).values(endpoint))
    await execute(migration_url, insert(WEBHOOK_DELIVERY).values(delivery))
    stored = await execute(migration_url, select(WEBHOOK_DELIVERY))
    assert [dict(row._mapping) for row in stored] == [delivery]  # UTC round trip included

    await asyncio.to_thread(downgrade, migration_url, BEFORE_WEBHOOKS)
    assert await table_names(migration_url) == (
        APP_TABLES - WEBHOOK_TABLES - SESSION_TABLES - SHARE_LINK_TABLES
    )
    assert await execute(migration_url, select(USERS.c.id)) == [(user["id"],)]
    assert await execute(migration_url, select(TODO_LIST.c.id)) == [(list_id,)]

    await asyncio.to_thread(upgrade, migration_url)
    assert await table_names(migration_url) == APP_TABLES
    assert await execute(migration_url, select(WEBHOOK_ENDPOINT.c.id)) == []
    assert await execute(migration_url, select(WEBHOOK_DISPATCHER)) == [("webhooks", "0.0")]


BEFORE_TODO_DUE_DATE = "9d41b6e0a7c3"  # webhooks


async def test_todo_due_date_with_data_up_down_up(migration_url: str) -> None:
    """Todos from before due dates have none (all four columns NULL) and keep every
    other column; a due date set afterwards round-trips, its instant in UTC; down drops
    the columns and keeps every todo."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_TODO_DUE_DATE)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    user, list_id = uuid.uuid4(), uuid.uuid4()
    await execute(
        migration_url,
        insert(USERS).values(
            id=user, created_at=base, name="u", name_key="u", password_hash="h",
            token_generation=0,
        ),
    )  # fmt: skip
    await execute(
        migration_url,
        insert(TODO_LIST).values(id=list_id, name="l", personal_of=None, created_at=base),
    )
    todos = [
        {
            "id": uuid.uuid4(), "list_id": list_id, "title": f"t{n}", "content": "c",
            "completed": n == 1, "created_at": base, "updated_at": base, "version": n,
            "position": f"a{n}",
        }
        for n in range(3)
    ]  # fmt: skip
    await execute(migration_url, insert(TODO).values(todos))

    await asyncio.to_thread(upgrade, migration_url)
    kept = await execute(migration_url, select(TODO.c.id, TODO.c.title, TODO.c.position))
    assert sorted(kept, key=lambda row: row[1]) == [
        (todo["id"], todo["title"], todo["position"]) for todo in todos
    ]
    rows = await execute(migration_url, select(*DUE.c))
    assert sorted(rows) == sorted((todo["id"], None, None, None, None) for todo in todos)
    due_at = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
    await execute(
        migration_url,
        DUE.update()
        .where(DUE.c.id == todos[0]["id"])
        .values(due_date=date(2026, 12, 8), due_time=time(17, 0), due_zone="Europe/Berlin",
                due_at=due_at),
    )  # fmt: skip
    found = await execute(
        migration_url,
        select(DUE.c.due_date, DUE.c.due_time, DUE.c.due_zone, DUE.c.due_at).where(
            DUE.c.id == todos[0]["id"]
        ),
    )
    assert found == [(date(2026, 12, 8), time(17, 0), "Europe/Berlin", due_at)]

    await asyncio.to_thread(downgrade, migration_url, BEFORE_TODO_DUE_DATE)
    assert len(await execute(migration_url, select(TODO.c.id))) == len(todos)
    await asyncio.to_thread(upgrade, migration_url)
    assert len(await execute(migration_url, select(DUE.c.id))) == len(todos)


BEFORE_TODO_SEARCH = "b7d41f9c2a63"  # due dates


async def found_by_search(url: str, caller: Caller, q: str) -> list[str]:
    """The titles the app's own search statement finds for `caller` on this database."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            found = await TodoRepository.search(conn, caller, search.words(q), limit=50)
    finally:
        await engine.dispose()
    return sorted(row.title for row in found)


async def test_todo_search_with_data_up_down_up(migration_url: str) -> None:
    """Todos from before search are in the index once it exists (word forms included);
    todos written afterwards, by any writer, are kept in step (SQLite: by the triggers;
    PostgreSQL: the index is on an expression of the row); down drops the index and
    keeps every todo, and up indexes them again."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_TODO_SEARCH)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    user, list_id = uuid.uuid4(), uuid.uuid4()
    await execute(
        migration_url,
        insert(USERS).values(
            id=user, created_at=base, name="u", name_key="u", password_hash="h",
            token_generation=0,
        ),
    )  # fmt: skip
    await execute(
        migration_url,
        insert(TODO_LIST).values(id=list_id, name="l", personal_of=None, created_at=base),
    )
    await execute(
        migration_url,
        insert(LIST_MEMBER).values(list_id=list_id, user_id=user, role="owner", created_at=base),
    )
    contents = {"Running shoes": "", "Milk": "oat milk, two litres", "Call mum": "about milk"}
    todos = [
        {
            "id": uuid.uuid4(), "list_id": list_id, "title": title, "content": content,
            "completed": False, "created_at": base, "updated_at": base, "version": 0,
            "position": f"a{n}",
        }
        for n, (title, content) in enumerate(contents.items())
    ]  # fmt: skip
    await execute(migration_url, insert(TODO).values(todos))
    caller = Caller(user_id=user, token_generation=0)

    await asyncio.to_thread(upgrade, migration_url)
    assert await found_by_search(migration_url, caller, "milk") == ["Call mum", "Milk"]
    assert await found_by_search(migration_url, caller, "run") == ["Running shoes"]
    # Writes after the migration, straight to the table as any writer might.
    await execute(
        migration_url,
        TODO.update().where(TODO.c.id == todos[2]["id"]).values(content="about bread"),
    )
    await execute(migration_url, TODO.delete().where(TODO.c.id == todos[1]["id"]))
    later = {**todos[0], "id": uuid.uuid4(), "title": "More milk", "position": "a9"}
    await execute(migration_url, insert(TODO).values(later))
    assert await found_by_search(migration_url, caller, "milk") == ["More milk"]
    assert await found_by_search(migration_url, caller, "bread") == ["Call mum"]

    await asyncio.to_thread(downgrade, migration_url, BEFORE_TODO_SEARCH)
    assert len(await execute(migration_url, select(TODO.c.id))) == len(todos)
    if migration_url.startswith("sqlite"):  # the index's tables and triggers are gone
        leftover = text("SELECT name FROM sqlite_master WHERE name LIKE 'todo_search%'")
        assert await execute(migration_url, leftover) == []
    await asyncio.to_thread(upgrade, migration_url)
    assert await found_by_search(migration_url, caller, "milk") == ["More milk"]


BEFORE_SESSIONS = "c9e2f4a81b37"  # todo search
USER_SESSION = table(
    "user_session",
    column("id", Uuid()),
    column("user_id", Uuid()),
    column("created_at", UTCDateTime()),
    column("last_seen_at", UTCDateTime()),
    column("expires_at", UTCDateTime()),
    column("idle_expires_at", UTCDateTime()),
    column("device", String()),
    column("address", String()),
)


async def test_sessions_with_data_up_down_up(migration_url: str) -> None:
    """Accounts from before sessions were rows keep everything and have no session: the
    tokens they hold name none, so they are refused and their holders log in again
    (tests/sessions, TestForgedTokens). A session row round-trips, its times in UTC;
    deleting its account deletes it; down drops the table and keeps every account."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_SESSIONS)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    users = [uuid.uuid4(), uuid.uuid4()]
    for n, user in enumerate(users):
        await execute(
            migration_url,
            insert(USERS).values(
                id=user, created_at=base, name=f"u{n}", name_key=f"u{n}", password_hash="h",
                token_generation=n,
            ),
        )  # fmt: skip

    await asyncio.to_thread(upgrade, migration_url)
    assert await execute(migration_url, select(USER_SESSION.c.id)) == []
    assert len(await execute(migration_url, select(USERS.c.id))) == len(users)
    session = {
        "id": uuid.uuid4(), "user_id": users[0], "created_at": base,
        "last_seen_at": base + timedelta(minutes=5), "expires_at": base + timedelta(days=30),
        "idle_expires_at": base + timedelta(days=14, minutes=5),
        "device": "Firefox 133 on Ubuntu", "address": "2001:db8::1",
    }  # fmt: skip
    await execute(migration_url, insert(USER_SESSION).values(session))
    assert await execute(migration_url, select(*USER_SESSION.c)) == [tuple(session.values())]
    if not migration_url.startswith("sqlite"):  # this bare engine turns no SQLite FKs on
        await execute(migration_url, USERS.delete().where(USERS.c.id == users[0]))
        assert await execute(migration_url, select(USER_SESSION.c.id)) == []
        users = users[1:]

    await asyncio.to_thread(downgrade, migration_url, BEFORE_SESSIONS)
    assert await table_names(migration_url) == APP_TABLES - SESSION_TABLES - SHARE_LINK_TABLES
    assert sorted(await execute(migration_url, select(USERS.c.id))) == sorted(
        (user,) for user in users
    )
    await asyncio.to_thread(upgrade, migration_url)
    assert await execute(migration_url, select(USER_SESSION.c.id)) == []


BEFORE_SHARE_LINKS = "c5e2a8d4f1b9"  # sessions
SHARE_LINK = table(
    "share_link",
    column("id", Uuid()),
    column("list_id", Uuid()),
    column("created_by", Uuid()),
    column("secret_hash", String()),
    column("role", String()),
    column("max_uses", Integer()),
    column("uses", Integer()),
    column("created_at", UTCDateTime()),
    column("expires_at", UTCDateTime()),
)


async def test_share_links_with_data_up_down_up(migration_url: str) -> None:
    """Memberships and invitations from before share links stay exactly as they were,
    up and down; a link made in between round-trips (UTC included) and goes with its
    table on the way down, leaving the member who joined through it a member."""
    await asyncio.to_thread(upgrade, migration_url, BEFORE_SHARE_LINKS)
    base = datetime(2026, 12, 1, tzinfo=UTC)
    users = [
        {
            "id": uuid.uuid4(), "created_at": base, "name": f"sl{n}", "name_key": f"sl{n}",
            "password_hash": "hash", "token_generation": 0,
        }
        for n in range(3)
    ]  # fmt: skip
    shared = {"id": uuid.uuid4(), "name": "shared", "personal_of": None, "created_at": base}
    memberships = [
        {"list_id": shared["id"], "user_id": users[0]["id"], "role": "owner", "created_at": base},
        {"list_id": shared["id"], "user_id": users[1]["id"], "role": "viewer", "created_at": base},
    ]
    invitation = {
        "id": uuid.uuid4(), "list_id": shared["id"], "invitee_id": users[2]["id"],
        "inviter_id": users[0]["id"], "role": "editor", "status": "pending", "hidden": False,
        "created_at": base, "expires_at": base + timedelta(days=14),
    }  # fmt: skip
    await execute(migration_url, insert(USERS).values(users))
    await execute(migration_url, insert(TODO_LIST).values(shared))
    await execute(migration_url, insert(LIST_MEMBER).values(memberships))
    await execute(migration_url, insert(INVITATION).values(invitation))
    members = select(LIST_MEMBER).order_by(LIST_MEMBER.c.role.desc())
    before = [dict(row._mapping) for row in await execute(migration_url, members)]
    invitations = select(INVITATION)
    invitations_before = [dict(row._mapping) for row in await execute(migration_url, invitations)]

    await asyncio.to_thread(upgrade, migration_url)
    assert await table_names(migration_url) == APP_TABLES
    assert [dict(row._mapping) for row in await execute(migration_url, members)] == before
    assert [
        dict(row._mapping) for row in await execute(migration_url, invitations)
    ] == invitations_before
    link = {
        "id": uuid.uuid4(), "list_id": shared["id"], "created_by": users[0]["id"],
        "secret_hash": "ab" * 32, "role": "viewer", "max_uses": 3, "uses": 1,
        "created_at": base, "expires_at": base + timedelta(days=7),
    }  # fmt: skip
    await execute(migration_url, insert(SHARE_LINK).values(link))
    assert [dict(row._mapping) for row in await execute(migration_url, select(SHARE_LINK))] == [
        link
    ]

    await asyncio.to_thread(downgrade, migration_url, BEFORE_SHARE_LINKS)
    assert await table_names(migration_url) == APP_TABLES - SHARE_LINK_TABLES
    assert [dict(row._mapping) for row in await execute(migration_url, members)] == before

    await asyncio.to_thread(upgrade, migration_url)
    assert await execute(migration_url, select(SHARE_LINK.c.id)) == []
    assert [dict(row._mapping) for row in await execute(migration_url, members)] == before
